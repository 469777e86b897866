"""Tests for resnet_viz.export.plots: offline HTML, PNG/SVG through kaleido decode."""

from __future__ import annotations

import io
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from resnet_viz.analysis import Analysis, analyse
from resnet_viz.arch.presets import from_depth
from resnet_viz.export.plots import CHARTS, analysis_figures, figure_bytes


@pytest.fixture(scope="module")
def an() -> Analysis:
    return analyse(from_depth(18))


def _outside_bundle(html: str) -> str:
    """The page without the inline plotly.js bundle (a library that names map-tile servers)."""
    scripts = re.findall(r"<script[^>]*>.*?</script>", html, flags=re.S)
    bundle = max(scripts, key=len)
    assert "plotly.js" in bundle[:2000].lower() or len(bundle) > 1_000_000
    return html.replace(bundle, "")


def test_html_is_standalone_and_offline(an: Analysis) -> None:
    html = figure_bytes(analysis_figures(an, ["shape_by_stage"])["shape_by_stage"],
                        "html").decode()
    assert not re.search(r"<script[^>]*\bsrc=", html)  # nothing fetched: plotly.js is inline
    assert not re.search(r"<link[^>]*\bhref=", html)
    rest = _outside_bundle(html)
    assert "https://cdn" not in rest
    assert not re.search(r"https?://", rest)
    assert "Plotly.newPlot" in rest


def test_every_chart_builds(an: Analysis) -> None:
    figs = analysis_figures(an)
    assert list(figs) == list(CHARTS)
    with pytest.raises(ValueError, match="unknown chart"):
        analysis_figures(an, ["pie"])


def test_bad_format_and_scale(an: Analysis) -> None:
    fig = analysis_figures(an, ["shape_by_stage"])["shape_by_stage"]
    with pytest.raises(ValueError, match="plot format"):
        figure_bytes(fig, "jpeg2000")
    with pytest.raises(ValueError, match="scale"):
        figure_bytes(fig, "png", scale=20)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium missing")
def test_png_and_svg_decode(an: Analysis) -> None:
    fig = analysis_figures(an, ["params_macs_by_stage"])["params_macs_by_stage"]
    png = figure_bytes(fig, "png", scale=1)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    assert img.size == (900, fig.layout.height)
    svg = figure_bytes(fig, "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "ResNet-18" in svg.decode()

"""Tests for resnet_viz.export.diagram: every format opened and checked, styles, names, limits."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from resnet_viz.arch.presets import from_depth
from resnet_viz.export.diagram import (
    Page,
    Style,
    apply_style,
    diagram_filename,
    export_diagram,
    styled_dot,
)
from resnet_viz.export.graphviz import render
from resnet_viz.render.diagram import Level, to_dot

SVG_NS = "{http://www.w3.org/2000/svg}"
R18 = from_depth(18)


def _svg_nodes(svg: bytes) -> int:
    root = ET.fromstring(svg)
    return sum(1 for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node")


def _dot_nodes(dot: str) -> int:
    return len(re.findall(r"^\s+(?!graph\b)\w+ \[label=", dot, flags=re.M))


def test_svg_parses_with_expected_nodes() -> None:
    e = export_diagram(R18, "svg", level=Level.STAGE)
    # input, conv1, maxpool, four stages, avgpool, fc, output
    assert _svg_nodes(e.data) == 10
    blk = export_diagram(R18, "svg", level=Level.BLOCK)
    assert _svg_nodes(blk.data) == _dot_nodes(styled_dot(R18, level=Level.BLOCK))
    texts = "".join(t.text or "" for t in ET.fromstring(e.data).iter(f"{SVG_NS}text"))
    assert "ResNet-18 · shortcut B · variant v1.5 · stage level" in texts  # says what is drawn


@pytest.mark.parametrize("dpi", [100, 300])
def test_png_pixel_size_follows_dpi(dpi: int) -> None:
    e = export_diagram(R18, "png", dpi=dpi)
    img = Image.open(io.BytesIO(e.data))
    assert img.format == "PNG"
    assert abs(img.width - e.width_in * dpi) <= 2
    assert abs(img.height - e.height_in * dpi) <= 2


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm missing")
def test_pdf_renders_non_blank(tmp_path: Path) -> None:
    e = export_diagram(R18, "pdf", style=Style.PRINT)
    assert e.data.startswith(b"%PDF")
    (tmp_path / "d.pdf").write_bytes(e.data)
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-singlefile", "d.pdf", "d"], cwd=tmp_path,
                   check=True, timeout=60)
    grey = np.asarray(Image.open(tmp_path / "d.png").convert("L"))
    assert (grey < 200).mean() > 0.005


def test_dot_round_trips_through_graphviz() -> None:
    e = export_diagram(R18, "dot", level=Level.BLOCK, style=Style.SLIDE)
    dot = e.data.decode()
    canon = render_canon(dot)
    assert _svg_nodes(render(canon, "svg")) == _svg_nodes(render(dot, "svg"))


def render_canon(dot: str) -> str:
    import graphviz

    return graphviz.Source(dot).pipe(format="canon").decode()


def test_shortcut_and_variant_in_file_names() -> None:
    names = {diagram_filename(R18.with_(shortcut=s), fmt="svg", level="block") for s in "BD"}
    assert len(names) == 2
    assert any("shortcut-D" in n for n in names)
    r50 = from_depth(50)
    assert diagram_filename(r50.with_(variant="v1"), fmt="pdf") != diagram_filename(r50, fmt="pdf")
    name = diagram_filename(r50, fmt="png", level="layer", direction="LR", style="print",
                            page="a4-landscape")
    assert name == "ResNet-50_shortcut-B_variant-v1.5_layer_LR_print_a4-landscape.png"
    assert "plain" in diagram_filename(r50.with_(shortcuts=False), fmt="svg")


def test_styles_change_only_a_copy() -> None:
    base = to_dot(R18, level=Level.BLOCK)
    assert apply_style(base, Style.SCREEN) == base
    slide = apply_style(base, Style.SLIDE)
    assert "fontsize=16" in slide and "fontsize=10," in base
    printed = apply_style(base, Style.PRINT)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in re.findall(r'\bcolor="([^"]*)"', printed))
    colours = set(re.findall(r'color="#([0-9A-F]{6})"', printed))
    assert colours and all(c[0:2] == c[2:4] == c[4:6] for c in colours)  # grey only
    for dash in ("style=dotted", "style=dashed"):  # kinds stay apart without colour
        assert dash in printed or dash not in base
    contrast = apply_style(base, Style.CONTRAST)
    assert 'fontcolor="#8A8A8A"' not in contrast


def test_fit_to_page_scales_and_warns() -> None:
    stage = export_diagram(from_depth(50), "svg", page=Page.SLIDE, style=Style.SLIDE)
    assert stage.height_in <= 6.5 + 0.01 and stage.width_in <= 12.33 + 0.01
    assert "smallest type" in stage.note and "below" not in stage.note
    block = export_diagram(from_depth(50), "svg", level=Level.BLOCK, page=Page.SLIDE)
    assert block.height_in <= 6.5 + 0.01
    assert "below" in block.note  # 16 blocks on one slide: honest about legibility


def test_png_too_large_offers_svg_and_pdf() -> None:
    with pytest.raises(ValueError, match="export SVG or PDF instead"):
        export_diagram(from_depth(1202, family="cifar"), "png", level=Level.BLOCK)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"style": "neon"}, "style"), ({"dpi": 20}, "DPI"), ({"page": "a3"}, "page"),
    ({"fmt": "gif"}, "format"), ({"font_scale": 9.0}, "font scale")])
def test_bad_options(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        export_diagram(R18, **kwargs)  # type: ignore[arg-type]


def test_pair_and_anatomy_kinds() -> None:
    pair = export_diagram(R18, "svg", kind="pair")
    assert b"plain vs residual" in pair.data
    anatomy = export_diagram(R18, "svg", kind="anatomy", stage=2)
    assert b"block anatomy" in anatomy.data
    assert "_anatomy_" in anatomy.filename


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts missing")
def test_pdf_fonts_are_embedded(tmp_path: Path) -> None:
    (tmp_path / "d.pdf").write_bytes(export_diagram(R18, "pdf", style=Style.SLIDE).data)
    out = subprocess.run(["pdffonts", "d.pdf"], cwd=tmp_path, capture_output=True, text=True,
                         check=True, timeout=60).stdout.splitlines()[2:]
    assert out and all(line.split()[-5] == "yes" for line in out)  # the "emb" column

"""Plotly charts as files: PNG and SVG through kaleido, and standalone offline HTML.

Static images are drawn by kaleido 1.x in the system's Chromium (Debian's
``/usr/bin/chromium``, found through ``BROWSER_PATH``; kaleido never downloads
one here). The first image of a process starts the browser (a few seconds);
later ones reuse it through kaleido's sync server, stopped at exit.

HTML embeds plotly.js itself (``include_plotlyjs=True``), so the file opens
offline; no ``<script src>`` or stylesheet is loaded from the network.
"""

from __future__ import annotations

import atexit
import os
import shutil
import threading
from collections.abc import Callable
from enum import StrEnum

import plotly.graph_objects as go

from resnet_viz.analysis import Analysis
from resnet_viz.arch.spec import parse_choice
from resnet_viz.render import charts

SYSTEM_CHROMIUM = "/usr/bin/chromium"


class PlotFormat(StrEnum):
    """File format (the value is the extension)."""

    PNG = "png"
    SVG = "svg"
    HTML = "html"


CHARTS: dict[str, Callable[[Analysis], go.Figure]] = {
    "params_macs_by_stage": charts.params_macs_by_stage,
    "params_treemap": charts.params_treemap,
    "shape_by_stage": charts.shape_by_stage,
    "receptive_field": charts.receptive_field,
    "memory_by_stage": charts.memory_by_stage,
}
"""Every analysis chart of the app, by file stem."""

_lock = threading.Lock()
_server_started = False


def analysis_figures(an: Analysis, names: list[str] | None = None) -> dict[str, go.Figure]:
    """The app's analysis charts for ``an`` (all, or the ``names`` asked for).

    Raises:
        ValueError: for a chart name that does not exist.
    """
    names = list(CHARTS) if names is None else names
    unknown = [n for n in names if n not in CHARTS]
    if unknown:
        raise ValueError(f"unknown chart {unknown[0]!r}; choose from: {', '.join(CHARTS)}")
    return {n: CHARTS[n](an) for n in names}


def _kaleido() -> object:
    """kaleido with its sync server running on the system Chromium."""
    global _server_started
    if "BROWSER_PATH" not in os.environ:
        path = shutil.which("chromium") or (SYSTEM_CHROMIUM if os.path.exists(SYSTEM_CHROMIUM)
                                            else None)
        if path is None:
            raise RuntimeError("static plot export needs Chromium; install the system package "
                               "(apt-get install chromium) or set BROWSER_PATH")
        os.environ["BROWSER_PATH"] = path
    import kaleido

    with _lock:
        if not _server_started:
            kaleido.start_sync_server(silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
            _server_started = True
    return kaleido


def figure_bytes(fig: go.Figure, fmt: PlotFormat | str, *, scale: float = 2.0) -> bytes:
    """One chart as PNG, SVG or standalone HTML bytes.

    Args:
        fig: the plotly figure.
        fmt: ``png``, ``svg`` or ``html``.
        scale: PNG/SVG size factor over the figure's layout size (2 = retina/print).

    Raises:
        ValueError: for an unknown format or a scale outside 0.5..8.
        RuntimeError: if no Chromium is available for PNG/SVG.
    """
    fmt = parse_choice(PlotFormat, fmt, "plot format")
    if fmt is PlotFormat.HTML:
        html = fig.to_html(include_plotlyjs=True, full_html=True,
                           config={"displaylogo": False})
        return str(html).encode()
    if not 0.5 <= scale <= 8:
        raise ValueError(f"image scale must be between 0.5 and 8; got {scale:g}")
    k = _kaleido()
    width = fig.layout.width or 900
    height = fig.layout.height or 500
    opts = {"format": str(fmt), "scale": scale, "width": width, "height": height}
    data = k.calc_fig_sync(fig, opts=opts)  # type: ignore[attr-defined]
    return bytes(data)


def figures_html(figs: dict[str, go.Figure], title: str) -> bytes:
    """Several charts in one offline HTML page, plotly.js embedded once.

    Raises:
        ValueError: if ``figs`` is empty.
    """
    if not figs:
        raise ValueError("no charts to write")
    parts = [fig.to_html(include_plotlyjs=i == 0, full_html=False,
                         config={"displaylogo": False})
             for i, fig in enumerate(figs.values())]
    esc = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    page = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{esc}</title></head>"
            f"<body><h1 style=\"font-family: sans-serif\">{esc}</h1>\n"
            + "\n".join(parts) + "\n</body></html>\n")
    return page.encode()

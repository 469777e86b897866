"""Feature maps and attributions -> plotly figures, tables and PNG bytes (nothing is shown here).

The PNGs are drawn with PIL from the arrays through a viridis lookup table
sampled from plotly's own colour scale, so no extra dependency (kaleido and a
browser) is needed to write them.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from PIL import Image, ImageDraw
from plotly.colors import hex_to_rgb, sample_colorscale
from plotly.subplots import make_subplots

from resnet_viz.probes.inside.attributions import CamMap
from resnet_viz.probes.inside.features import FeatureMap, FeatureReport
from resnet_viz.render.theme import finish

COLOURSCALE = "Viridis"
OVERLAY_ALPHA = 0.5


def _grid_shape(k: int, cols: int) -> tuple[int, int]:
    cols = max(1, min(cols, k))
    return math.ceil(k / cols), cols


def feature_grid(fmap: FeatureMap, *, net: str = "", cols: int = 4) -> go.Figure:
    """The top-k channels of one layer as a grid of heatmaps with hover values."""
    rows, cols = _grid_shape(len(fmap.channels), cols)
    titles = [f"ch {c} · energy {e:.3g}" for c, e in zip(fmap.channels, fmap.energy,
                                                         strict=True)]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles,
                        horizontal_spacing=0.02, vertical_spacing=0.08)
    for i, (c, m) in enumerate(zip(fmap.channels, fmap.maps, strict=True)):
        fig.add_trace(go.Heatmap(
            z=m, colorscale=COLOURSCALE, showscale=False,
            hovertemplate=f"channel {c}<br>row %{{y}}, col %{{x}}<br>value %{{z:.4g}}"
                          "<extra></extra>"), row=i // cols + 1, col=i % cols + 1)
    fig.update_yaxes(autorange="reversed", scaleanchor="x", showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    for ax in fig.layout:  # square cells: every y axis anchored to its own x axis
        if ax.startswith("yaxis"):
            fig.layout[ax].scaleanchor = "x" + ax.removeprefix("yaxis")
    c, h, w = fmap.shape
    title = f"{fmap.name}{' · ' + net if net else ''}: top {len(fmap.channels)} of {c} channels"
    sub = (f"output {c}×{h}×{w}; mean {fmap.mean:.3g}, std {fmap.std:.3g}, "
           f"{fmap.zero_fraction:.0%} zeros")
    finish(fig, title, sub, height=150 * rows + 110)
    fig.update_xaxes(showline=False, ticks="")
    fig.update_yaxes(showline=False, ticks="", showgrid=False)
    fig.update_layout(margin={"l": 10, "r": 10, "b": 10})
    fig.update_annotations(font_size=11)
    return fig


def stats_table(reports: Sequence[FeatureReport]) -> pd.DataFrame:
    """Per-layer statistics of one or more nets, one row per (layer, net)."""
    rows = []
    for rep in reports:
        for m in rep.maps:
            c, h, w = m.shape
            rows.append({"layer": m.name, "net": str(rep.net), "shape": f"{c}×{h}×{w}",
                         "mean": m.mean, "std": m.std, "zero fraction": m.zero_fraction,
                         "top channel": m.channels[0], "top energy": m.energy[0]})
    return pd.DataFrame(rows)


def cam_overlay(image: np.ndarray, cam: CamMap, *, title: str = "", subtitle: str = "",
                height: int = 360) -> go.Figure:
    """The image with a Grad-CAM (or any H×W heat) map over it, and a colour bar."""
    fig = go.Figure(go.Image(z=image, hoverinfo="skip"))
    fig.add_trace(go.Heatmap(
        z=cam.up, colorscale=COLOURSCALE, opacity=OVERLAY_ALPHA, zmin=0,
        zmax=float(cam.up.max()) or 1.0,
        colorbar={"title": {"text": "Grad-CAM", "side": "right"}, "thickness": 12},
        hovertemplate="row %{y}, col %{x}<br>%{z:.4g}<extra>" + cam.name + "</extra>"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    h, w = cam.low.shape
    finish(fig, title or cam.name, subtitle or f"at {w}×{h}, upsampled bilinearly",
           height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "b": 10})
    return fig


def heat_overlay(image: np.ndarray, heat: np.ndarray, name: str, *, title: str,
                 subtitle: str = "", height: int = 360) -> go.Figure:
    """Like :func:`cam_overlay` for an input-resolution heat map (IG)."""
    return cam_overlay(image, CamMap(name, heat, heat), title=title,
                       subtitle=subtitle or "input resolution", height=height)


# ------------------------------------------------------------------ PNG bytes


@lru_cache(maxsize=1)
def _lut() -> np.ndarray:
    colours = sample_colorscale(COLOURSCALE, [i / 255 for i in range(256)])
    return np.array([_rgb(c) for c in colours], dtype=np.uint8)


def _rgb(colour: str) -> tuple[int, int, int]:
    if colour.startswith("#"):
        r, g, b = hex_to_rgb(colour)
        return int(r), int(g), int(b)
    r, g, b = (float(v) for v in colour[colour.index("(") + 1:-1].split(",")[:3])
    return round(r), round(g), round(b)


def _colour(a: np.ndarray, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    lo = float(a.min()) if lo is None else lo
    hi = float(a.max()) if hi is None else hi
    t = np.zeros_like(a, dtype=np.float64) if hi <= lo else (a - lo) / (hi - lo)
    return _lut()[np.clip(t * 255, 0, 255).astype(np.uint8)]


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def feature_grid_png(fmap: FeatureMap, *, cols: int = 4, cell: int = 96) -> bytes:
    """The grid of :func:`feature_grid` as a PNG (each channel scaled to its own range)."""
    rows, cols = _grid_shape(len(fmap.channels), cols)
    gap, top = 4, 16
    out = Image.new("RGB", (cols * (cell + gap) + gap, rows * (cell + gap + top) + gap), "white")
    draw = ImageDraw.Draw(out)
    for i, (c, m) in enumerate(zip(fmap.channels, fmap.maps, strict=True)):
        x = gap + (i % cols) * (cell + gap)
        y = gap + (i // cols) * (cell + gap + top)
        tile = Image.fromarray(_colour(m)).resize((cell, cell), Image.Resampling.NEAREST)
        out.paste(tile, (x, y + top))
        draw.text((x, y + 2), f"{fmap.name} ch {c}", fill="black")
    return _png(out)


def overlay_png(image: np.ndarray, heat: np.ndarray, *, label: str = "") -> bytes:
    """The image blended with a heat map (viridis) and a colour bar from 0 to the maximum."""
    h, w = heat.shape
    base = Image.fromarray(image).resize((w, h), Image.Resampling.BILINEAR)
    top = float(heat.max()) or 1.0
    coloured = Image.fromarray(_colour(heat, 0.0, top))
    blend = Image.blend(base.convert("RGB"), coloured, OVERLAY_ALPHA)
    bar_w, pad, text_h = 14, 8, 14
    out = Image.new("RGB", (w + pad + bar_w + 60, h + text_h), "white")
    out.paste(blend, (0, text_h))
    ramp = np.linspace(top, 0.0, h)[:, None].repeat(bar_w, 1)
    out.paste(Image.fromarray(_colour(ramp, 0.0, top)), (w + pad, text_h))
    draw = ImageDraw.Draw(out)
    draw.text((w + pad + bar_w + 4, text_h), f"{top:.3g}", fill="black")
    draw.text((w + pad + bar_w + 4, text_h + h - 12), "0", fill="black")
    if label:
        draw.text((2, 1), label, fill="black")
    return _png(out)

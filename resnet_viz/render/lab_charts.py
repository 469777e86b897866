"""Lab results -> plotly figures (no streamlit; nothing is shown here).

Residual nets are drawn in :data:`resnet_viz.render.theme.RESIDUAL_COLOUR`, plain
ones in :data:`resnet_viz.render.theme.PLAIN_COLOUR`; depth is told apart by the
line style (solid: the deepest net).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from resnet_viz.lab.landscape import Landscape
from resnet_viz.lab.paths import PathGradients
from resnet_viz.lab.shatter import NetKind, Shatter
from resnet_viz.lab.train import Degradation, Kind, NetHistory
from resnet_viz.render.theme import PLAIN_COLOUR, RESIDUAL_COLOUR, finish

KIND_COLOURS: dict[Kind, str] = {Kind.RESIDUAL: RESIDUAL_COLOUR, Kind.PLAIN: PLAIN_COLOUR}
SHATTER_COLOURS: dict[str, str] = {NetKind.PLAIN: "#E69F00", NetKind.PLAIN_BN: PLAIN_COLOUR,
                                   NetKind.RESIDUAL_BN: RESIDUAL_COLOUR}
DASHES = ("dot", "dash", "dashdot", "longdash")
CURVES: dict[str, str] = {"train_loss": "training loss", "train_acc": "training accuracy",
                          "test_acc": "held-out accuracy"}


def _dash(run: Degradation, net: NetHistory) -> str:
    depths = run.config.depths
    i = depths.index(net.depth)
    return "solid" if i == len(depths) - 1 else DASHES[(len(depths) - 2 - i) % len(DASHES)]


def _finite(values: Sequence[float]) -> list[float | None]:
    return [v if math.isfinite(v) else None for v in values]


def training_curves(run: Degradation) -> go.Figure:
    """Training loss, training accuracy and held-out accuracy per epoch, every net."""
    fig = make_subplots(rows=1, cols=3, subplot_titles=list(CURVES.values()),
                        horizontal_spacing=0.07)
    for net in run.nets:
        for col, key in enumerate(CURVES, start=1):
            values = getattr(net, key)
            fig.add_trace(go.Scatter(
                x=list(range(1, len(values) + 1)), y=_finite(values), mode="lines+markers",
                name=net.label, legendgroup=net.label, showlegend=col == 1,
                line={"color": KIND_COLOURS[net.kind], "dash": _dash(run, net), "width": 2},
                hovertemplate=f"{net.label} epoch %{{x}}: %{{y:.3f}}<extra></extra>"),
                row=1, col=col)
    fig.update_xaxes(title_text="epoch", range=[0.5, run.config.epochs + 0.5], dtick=1)
    for col in (2, 3):
        fig.update_yaxes(range=[0, 1.02], row=1, col=col)
    state = "stopped" if run.stopped else f"epoch {run.epochs_done} of {run.config.epochs}"
    fig = finish(fig, "Plain vs residual, trained on digits",
                 f"{state}; {run.config.train_size or 'all'} training images, seed "
                 f"{run.config.seed}", height=460, legend=True)
    return _legend_below(fig)


def _legend_below(fig: go.Figure) -> go.Figure:
    """Subplot titles take the row above the plots: the legend goes under the x-axis titles."""
    fig.update_layout(legend={"y": -0.22, "yanchor": "top"},
                      margin={"t": fig.layout.margin.t - 28, "b": 110})
    return fig


def gradient_ratio_chart(run: Degradation) -> go.Figure:
    """First/last-block weight-gradient ratio against training step (log axis)."""
    fig = go.Figure()
    for net in run.nets:
        y = [v if math.isfinite(v) and v > 0 else None for v in net.grad_ratio]
        fig.add_trace(go.Scatter(
            x=list(range(1, len(y) + 1)), y=y, mode="lines", name=net.label,
            line={"color": KIND_COLOURS[net.kind], "dash": _dash(run, net), "width": 1.6},
            hovertemplate=f"{net.label} step %{{x}}: %{{y:.3g}}<extra></extra>"))
    fig.add_hline(y=1, line={"color": "#888", "width": 1, "dash": "dot"})
    fig.update_xaxes(title_text="training step")
    fig.update_yaxes(type="log", title_text="‖∂L/∂θ‖ first block / last block")
    return finish(fig, "Gradient ratio during training",
                  "above 1: the first block gets larger updates than the last", height=380,
                  legend=True)


def landscape_chart(plain: Landscape, residual: Landscape) -> go.Figure:
    """Contours (top) and surfaces (bottom) of both slices on one colour scale (log10 loss)."""
    z = [np.log10(np.maximum(ls.loss, 1e-12)) for ls in (plain, residual)]
    lo, hi = float(min(a.min() for a in z)), float(max(a.max() for a in z))
    fig = make_subplots(rows=2, cols=2, subplot_titles=[plain.label, residual.label, "", ""],
                        specs=[[{"type": "xy"}, {"type": "xy"}],
                               [{"type": "scene"}, {"type": "scene"}]],
                        vertical_spacing=0.08, horizontal_spacing=0.08)
    for col, (ls, zz) in enumerate(zip((plain, residual), z, strict=True), start=1):
        c = ls.coords.tolist()
        common = {"zmin": lo, "zmax": hi, "colorscale": "Viridis"}
        fig.add_trace(go.Contour(x=c, y=c, z=zz.tolist(), showscale=col == 2,
                                 colorbar={"title": {"text": "log10 loss"}, "len": 0.45,
                                           "y": 0.78},
                                 hovertemplate="α %{x:.2f}, β %{y:.2f}: log10 loss %{z:.3f}"
                                               "<extra>" + ls.label + "</extra>",
                                 contours={"coloring": "heatmap"}, **common), row=1, col=col)
        fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers", showlegend=False,
                                 marker={"symbol": "x", "color": "white", "size": 10},
                                 hovertemplate=f"trained weights: loss {ls.centre:.4f}"
                                               "<extra></extra>"), row=1, col=col)
        fig.add_trace(go.Surface(x=c, y=c, z=zz.tolist(), showscale=False, cmin=lo, cmax=hi,
                                 colorscale="Viridis"), row=2, col=col)
    fig.update_scenes(zaxis={"range": [lo, hi], "title": {"text": "log10 loss"}},
                      xaxis_title_text="α", yaxis_title_text="β")
    return finish(fig, "Loss landscape (filter-normalised random slice)",
                  "log10 training loss on one colour scale; × marks the trained weights",
                  height=900)


def paths_chart(init: PathGradients, trained: PathGradients) -> go.Figure:
    """Path-length distribution, gradient per path, and their product, before/after training."""
    k = list(range(init.blocks + 1))
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.08, subplot_titles=[
        "paths of each length (share of 2ⁿ)", "gradient norm per path",
        "total gradient by path length"])
    fig.add_trace(go.Bar(x=k, y=(init.counts / 2.0 ** init.blocks).tolist(), name="paths",
                         marker_color="#999", showlegend=False), row=1, col=1)
    for pg, colour, dash in ((init, "#999999", "dot"), (trained, RESIDUAL_COLOUR, "solid")):
        name = pg.label.split(", ")[-1]
        fig.add_trace(go.Scatter(x=k, y=pg.grad.tolist(), mode="lines+markers", name=name,
                                 legendgroup=name, line={"color": colour, "dash": dash}),
                      row=1, col=2)
        fig.add_trace(go.Scatter(x=k, y=pg.share.tolist(), mode="lines+markers", name=name,
                                 legendgroup=name, showlegend=False,
                                 line={"color": colour, "dash": dash}), row=1, col=3)
    fig.update_xaxes(title_text="path length (residual branches passed)")
    fig.update_yaxes(type="log", row=1, col=2)
    return _legend_below(finish(fig, f"Paths through {init.blocks} residual blocks",
                                init.label.split(",")[0], height=460, legend=True))


def shatter_chart(res: Shatter) -> go.Figure:
    """Lag-1 autocorrelation against depth, and the traces of the deepest nets."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=[
        "lag-1 autocorrelation of the gradient", f"gradient along the line, depth "
        f"{res.depths[-1]} (standardised)"])
    for kind, values in res.lag1.items():
        colour = SHATTER_COLOURS[kind]
        fig.add_trace(go.Scatter(x=list(res.depths), y=_finite(values), mode="lines+markers",
                                 name=kind, legendgroup=kind, line={"color": colour}),
                      row=1, col=1)
        g = res.traces[kind]
        std = float(g.std()) or 1.0
        fig.add_trace(go.Scatter(x=res.t.tolist(), y=((g - g.mean()) / std).tolist(),
                                 mode="lines", name=kind, legendgroup=kind, showlegend=False,
                                 line={"color": colour, "width": 1.2}), row=1, col=2)
    fig.update_xaxes(title_text="depth", row=1, col=1)
    fig.update_xaxes(title_text="t (position on the line between two digits)", row=1, col=2)
    fig.update_yaxes(range=[-1.05, 1.05], row=1, col=1)
    return _legend_below(finish(fig, "Shattered gradients at initialisation",
                                "1: neighbouring inputs get the same gradient; 0: white noise",
                                height=460, legend=True))

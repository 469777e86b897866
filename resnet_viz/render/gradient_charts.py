"""Gradient probe results -> plotly figures (no streamlit; nothing is shown here).

Residual and plain are always drawn in :data:`resnet_viz.render.theme.RESIDUAL_COLOUR`
and :data:`resnet_viz.render.theme.PLAIN_COLOUR`; the line is the geometric mean over
seeds and the shaded band the min-max over seeds. Stages are shaded in the
shared stage palette so that a chart's layer2 is the diagram's layer2.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import plotly.graph_objects as go

from resnet_viz.arch.names import stage_module, stage_of
from resnet_viz.probes.gradients import GradientReport, Metric, Net, Series, Sweep
from resnet_viz.render.theme import (
    CONFIG_COLOURS,
    PLAIN_COLOUR,
    RESIDUAL_COLOUR,
    finish,
    group_colour,
    stage_colour,
)

NET_COLOURS: dict[Net, str] = {Net.RESIDUAL: RESIDUAL_COLOUR, Net.PLAIN: PLAIN_COLOUR}
METRIC_LABELS: dict[Metric, str] = {
    Metric.WEIGHT_GRAD: "‖∂L/∂θ‖ (weight gradient)",
    Metric.ACTIVATION_GRAD: "‖∂L/∂a‖ (gradient at the output)",
    Metric.ACTIVATION: "‖a‖ (activation)",
}


def _clean(values: Sequence[float]) -> list[float | None]:
    """Non-finite or non-positive values have no place on a log axis: gaps instead."""
    return [v if math.isfinite(v) and v > 0 else None for v in values]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _band_traces(x: Sequence[int], series: Series, name: str, colour: str,
                 names: Sequence[str]) -> list[go.Scatter]:
    """Lower edge, upper edge filled to it, and the mean line."""
    lo = go.Scatter(x=list(x), y=_clean(series.lo), mode="lines", line={"width": 0},
                    hoverinfo="skip", showlegend=False, legendgroup=name, name=f"{name} min")
    hi = go.Scatter(x=list(x), y=_clean(series.hi), mode="lines", line={"width": 0},
                    fill="tonexty", fillcolor=_rgba(colour, 0.18), hoverinfo="skip",
                    showlegend=False, legendgroup=name, name=f"{name} max")
    mean = go.Scatter(x=list(x), y=_clean(series.mean), mode="lines+markers", name=name,
                      legendgroup=name, line={"color": colour, "width": 2},
                      marker={"size": 4, "color": colour}, customdata=list(names),
                      hovertemplate="%{customdata}: %{y:.4g}<extra>" + name + "</extra>")
    return [lo, hi, mean]


def _stage_spans(names: Sequence[str]) -> list[tuple[str, int, int]]:
    """``(stage, first index, last index)`` for names like ``layer2.3`` or ``layer2.3.conv1``."""
    spans: list[tuple[str, int, int]] = []
    for i, n in enumerate(names):
        stage = stage_of(n)
        if stage is None:
            continue
        head = stage_module(stage)
        if spans and spans[-1][0] == head:
            spans[-1] = (head, spans[-1][1], i)
        else:
            spans.append((head, i, i))
    return spans


def _shade_stages(fig: go.Figure, names: Sequence[str]) -> None:
    for stage, a, b in _stage_spans(names):
        fig.add_vrect(x0=a - 0.5, x1=b + 0.5, fillcolor=group_colour(stage),
                      opacity=0.08, line_width=0, layer="below",
                      annotation_text=stage, annotation_position="top left",
                      annotation_font={"size": 11, "color": "#555"})


def _ticks(names: Sequence[str]) -> dict[str, list[int] | list[str]]:
    """Every name when few, else one tick per stage start plus the ends."""
    if len(names) <= 24:
        return {"tickvals": list(range(len(names))), "ticktext": list(names)}
    idx = sorted({0, len(names) - 1, *(a for _, a, _ in _stage_spans(names))})
    return {"tickvals": idx, "ticktext": [names[i] for i in idx]}


def _subtitle(report: GradientReport) -> str:
    c = report.config
    h, w = report.spec.input_size
    seeds = f"{c.seeds} seed{'s' if c.seeds > 1 else ''}"
    band = "; band = min-max over seeds" if c.seeds > 1 else ""
    return (f"{report.spec.name} and its plain twin (same weights) · BN {c.bn_mode} · "
            f"batch {c.batch} @ {h}x{w} ({c.input_kind}) · loss {c.loss} · {seeds}: "
            f"line = geometric mean{band}")


def profile_figure(report: GradientReport, *, metric: Metric | str = Metric.ACTIVATION_GRAD,
                   level: str = "block") -> go.Figure:
    """One metric at every block (or weighted layer), input to output, log scale.

    Args:
        report: a probe result.
        metric: ``weight_grad``, ``activation_grad`` or ``activation``.
        level: ``block`` or ``layer``.
    """
    metric = Metric(metric)
    names = report.residual.blocks if level == "block" else report.residual.layers
    x = list(range(len(names)))
    fig = go.Figure()
    for net in (Net.PLAIN, Net.RESIDUAL):
        series = report.net(net).metric(metric, level=level)
        fig.add_traces(_band_traces(x, series, str(net), NET_COLOURS[net], names))
    _shade_stages(fig, names)
    fig.update_xaxes(title=f"{level} (input → output)", **_ticks(names))
    fig.update_yaxes(type="log", title=METRIC_LABELS[metric], exponentformat="power")
    return finish(fig, f"{METRIC_LABELS[metric]} per {level}", _subtitle(report), legend=True,
                  hovermode="x unified")


def residual_ratio_figure(report: GradientReport) -> go.Figure:
    """``||F(x)|| / ||shortcut(x)||`` per block of the residual net, with the seeds' range."""
    series = report.residual.residual_ratio
    if series is None:
        raise ValueError("the report has no residual ratio")
    names = report.residual.blocks
    mean, lo, hi = series.mean, series.lo, series.hi
    colours = [stage_colour(stage_of(n) or 1) for n in names]
    err: dict[str, object] = {"type": "data", "symmetric": False, "color": "#555",
                              "array": [h - m for h, m in zip(hi, mean, strict=True)],
                              "arrayminus": [m - low for m, low in zip(mean, lo, strict=True)],
                              "visible": report.config.seeds > 1}
    fig = go.Figure(go.Bar(x=list(names), y=list(mean), marker={"color": colours},
                           error_y=err, name="‖F(x)‖ / ‖shortcut(x)‖",
                           hovertemplate="%{x}: %{y:.3f}<extra></extra>"))
    fig.add_hline(y=1.0, line={"dash": "dash", "color": "#333", "width": 1},
                  annotation_text="branch = shortcut", annotation_position="top right")
    fig.update_xaxes(title="block (input → output)", type="category")
    fig.update_yaxes(title="‖F(x)‖ / ‖shortcut(x)‖", rangemode="tozero")
    return finish(fig, "Residual branch vs shortcut at initialisation", _subtitle(report),
                  hovermode="closest")


def sweep_figure(sw: Sweep) -> go.Figure:
    """First/last ratio against depth for both twins (log y; whiskers = min-max over seeds)."""
    fig = go.Figure()
    depths = [p.depth for p in sw.points]
    for net in (Net.PLAIN, Net.RESIDUAL):
        ratios = [p.plain if net is Net.PLAIN else p.residual for p in sw.points]
        vals = [r.value for r in ratios]
        fig.add_trace(go.Scatter(
            x=depths, y=_clean(vals), mode="lines+markers", name=str(net),
            line={"color": NET_COLOURS[net], "width": 2}, marker={"size": 8},
            customdata=[[p.name, r.per_layer] for p, r in zip(sw.points, ratios, strict=True)],
            hovertemplate=("%{customdata[0]}: %{y:.4g}x (x%{customdata[1]:.3f} per layer)"
                           "<extra>" + str(net) + "</extra>"),
            error_y={"type": "data", "symmetric": False, "color": NET_COLOURS[net],
                     "array": [r.hi - r.value for r in ratios],
                     "arrayminus": [r.value - r.lo for r in ratios],
                     "visible": sw.config.seeds > 1}))
    fig.add_hline(y=1.0, line={"dash": "dash", "color": "#333", "width": 1})
    # on a log axis an annotation's y is log10 of the value (add_hline's own label would
    # land at 10): 0 puts it on the line at 1
    fig.add_annotation(x=1, xref="paper", y=0, yref="y", text="first = last",
                       showarrow=False, xanchor="right", yanchor="top",
                       font={"size": 11, "color": "#333"})
    fig.update_xaxes(title="depth (weighted layers)", tickvals=depths)
    fig.update_yaxes(type="log", exponentformat="power",
                     title=f"first / last block: {METRIC_LABELS[sw.metric]}")
    c = sw.config
    size = f" @ {c.input_size[0]}x{c.input_size[1]}" if c.input_size else ""
    sub = (f"{sw.family} family · BN {c.bn_mode} · batch {c.batch}{size} · loss {c.loss} · "
           f"{c.seeds} seed{'s' if c.seeds > 1 else ''}; above 1 the gradient grows toward "
           "the input")
    return finish(fig, "First/last gradient ratio vs depth", sub, legend=True,
                  hovermode="x unified")


def gradient_overlay(reports: Sequence[GradientReport], labels: Sequence[str], *,
                     metric: Metric | str = Metric.ACTIVATION_GRAD) -> go.Figure:
    """Measured gradient profiles of several configurations, residual solid, plain dashed.

    The x axis is the block's relative position (0 = first block, 1 = last), so
    networks of different depths share it; hover names the block.
    """
    metric = Metric(metric)
    fig = go.Figure()
    for i, (rep, label) in enumerate(zip(reports, labels, strict=True)):
        colour = CONFIG_COLOURS[i % len(CONFIG_COLOURS)]
        names = rep.residual.blocks
        x = [k / max(len(names) - 1, 1) for k in range(len(names))]
        for net, dash in ((Net.RESIDUAL, "solid"), (Net.PLAIN, "dash")):
            fig.add_trace(go.Scatter(
                x=x, y=list(rep.net(net).metric(metric).mean), mode="lines",
                name=f"{label} · {net}", line={"color": colour, "dash": dash, "width": 2},
                customdata=list(names),
                hovertemplate=(f"{html.escape(label)} · {net}<br>%{{customdata}}: %{{y:.3g}}"
                               "<extra></extra>")))
    cfg = reports[0].config if reports else None
    sub = (f"measured: one forward and backward pass, batch {cfg.batch}, "
           f"{cfg.seeds} seed(s), BN {cfg.bn_mode}; residual solid, plain twin dashed"
           if cfg else "")
    finish(fig, f"{METRIC_LABELS[metric]} per block", sub, legend=True, height=460)
    fig.update_xaxes(title_text="relative block position (input → output)", range=[0, 1])
    fig.update_yaxes(type="log", title_text=METRIC_LABELS[metric], exponentformat="power")
    return fig

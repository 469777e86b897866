"""Comparison renderers: aligned diagrams, the what-changed table and the comparison charts.

Nothing is shown or written here; every function returns DOT text, a DataFrame
or a plotly figure. Published errors (:mod:`resnet_viz.arch.paper`) are drawn as
their own labelled, sourced traces, never joined to a computed curve.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from enum import StrEnum

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from resnet_viz.analysis.compare import Comparison
from resnet_viz.analysis.layers import analyse
from resnet_viz.analysis.scaling import ScalingPoint
from resnet_viz.arch.paper import published_errors
from resnet_viz.arch.spec import Family
from resnet_viz.fmt import fmt_bytes, fmt_count
from resnet_viz.render.diagram.levels import _Ctx, _network
from resnet_viz.render.diagram.writer import Direction, Level, _Dot, _esc
from resnet_viz.render.theme import CONFIG_COLOURS, finish, group_colour

# One colour per column (Okabe-Ito): the stage
# colours stay on the stages; these tell configurations apart in grouped charts).
PUBLISHED_COLOUR = "#222222"


def _prefix(i: int) -> str:
    return f"c{i + 1}_"


def compare_dot(comp: Comparison, *, level: Level = Level.STAGE, show_costs: bool = False,
                title: str = "") -> str:
    """The configurations side by side in one graph (one scale), rows aligned.

    Each configuration is a cluster ``cluster_c1`` .. ``cluster_c4`` whose node ids
    are prefixed ``c1_`` ..; nodes with the same name in different columns
    (``conv1``, ``layer2``, ``fc``; at block level each stage's first block) share
    a rank, so conv1, conv2_x ... fc sit on one line across the columns.

    Args:
        comp: the comparison.
        level: ``stage`` (default) or ``block``; ``layer`` is refused (too large to align).
        show_costs: write parameters and MACs inside the nodes.
        title: graph title (none by default).

    Raises:
        ValueError: for the layer level.
    """
    level = Level(level)
    if level is Level.LAYER:
        raise ValueError("compare diagrams are drawn at stage or block level")
    d = _Dot()
    for i, (an, label) in enumerate(zip(comp.analyses, comp.labels, strict=True)):
        d.open(f"c{i + 1}", f"<b>{_esc(label)}</b>", "#FFFFFF",
               border=CONFIG_COLOURS[i % len(CONFIG_COLOURS)], penwidth=2.5)
        _network(_Ctx(an, d, pre=_prefix(i), costs=show_costs), level)
        d.close()
    _align(d, len(comp.specs), level)
    return d.source(direction=Direction.VERTICAL, title=title)


def _align(d: _Dot, n: int, level: Level) -> None:
    """``rank=same`` for nodes of the same name across the columns."""
    by_name: dict[str, list[str]] = {}
    for nid in d.ids:
        name = nid.split("_", 1)[1]
        if level is Level.BLOCK and name.startswith("layer") and not (
                name.endswith("_0") and name.count("_") == 1):
            continue  # at block level only each stage's first block lines up
        by_name.setdefault(name, []).append(nid)
    for ids in by_name.values():
        if 1 < len(ids) <= n:
            d.line("{rank=same; " + "; ".join(ids) + "}")


def what_changed_frame(comp: Comparison) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The what-changed table and its highlight mask.

    Returns:
        ``(table, changed)``: rows are the Table 1 rows then the totals (index =
        row label), columns are the configurations; cells read like ``25.56 M (×1.17)``
        where they differ from the previous column. ``changed`` has the same shape
        and is ``True`` for those cells.
    """
    index = [r.label for r in comp.rows]
    cols = list(comp.labels)
    table = pd.DataFrame([[c.display for c in r.cells] for r in comp.rows], index=index,
                         columns=cols)
    mask = pd.DataFrame([[c.changed for c in r.cells] for r in comp.rows], index=index,
                        columns=cols)
    table.index.name = mask.index.name = "row"
    return table, mask


def what_changed_records(comp: Comparison) -> list[dict[str, object]]:
    """The table as plain records (one per row) for JSON: values, ratios, changed flags."""
    return [{"row": r.key, "label": r.label, "section": r.section,
             "values": {lab: c.value for lab, c in zip(comp.labels, r.cells, strict=True)},
             "text": {lab: c.display for lab, c in zip(comp.labels, r.cells, strict=True)},
             "changed": {lab: c.changed for lab, c in zip(comp.labels, r.cells, strict=True)},
             "ratio": {lab: c.ratio for lab, c in zip(comp.labels, r.cells, strict=True)}}
            for r in comp.rows]


class StageMetric(StrEnum):
    """What the grouped per-stage chart shows."""

    PARAMS = "params"
    MACS = "macs"
    ACTIVATIONS = "activations"


_STAGE_METRIC_TEXT = {StageMetric.PARAMS: "parameters", StageMetric.MACS: "MACs",
                      StageMetric.ACTIVATIONS: "training activation memory (batch 1, fp32)"}


def per_stage_chart(comp: Comparison, metric: StageMetric | str) -> go.Figure:
    """One bar group per Table 1 row, one bar per configuration; hover shows exact values."""
    metric = StageMetric(metric)
    names: list[str] = []
    for an in comp.analyses:
        names += [r.name for r in an.rows if r.name not in names]
    names.sort(key=lambda n: (n == "fc", n))
    fig = go.Figure()
    for i, (an, mem, label) in enumerate(zip(comp.analyses, comp.memories, comp.labels,
                                             strict=True)):
        rows = {r.name: r for r in an.rows}
        ys: list[int | None] = []
        for name in names:
            r = rows.get(name)
            if r is None:
                ys.append(None)
            elif metric is StageMetric.PARAMS:
                ys.append(r.params)
            elif metric is StageMetric.MACS:
                ys.append(r.macs)
            else:
                ys.append(mem.training_by_stage.get(r.module, 0))
        fmt = fmt_bytes if metric is StageMetric.ACTIVATIONS else fmt_count
        fig.add_trace(go.Bar(
            x=names, y=ys, name=label, marker={"color": CONFIG_COLOURS[i % 4],
                                               "line": {"color": "#555", "width": 1}},
            customdata=[fmt(y) if y is not None else "—" for y in ys],
            hovertemplate=(f"<b>{_esc(label)}</b><br>%{{x}}: %{{y:,}}"
                           " (%{customdata})<extra></extra>")))
    what = _STAGE_METRIC_TEXT[metric]
    finish(fig, f"{what[0].upper()}{what[1:]} per stage", "one bar per configuration; "
           "hover for the exact value", legend=True, height=420)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=what, tickformat="~s", rangemode="tozero")
    return fig


SCALING_METRICS: dict[str, str] = {
    "params": "parameters", "macs": "MACs", "training_memory": "training activations (bytes)",
    "weighted_layers": "weighted layers", "receptive_field": "receptive field (px)"}


def scaling_chart(curves: Mapping[str, Sequence[ScalingPoint]], *, log: bool = False,
                  title: str = "Scaling with depth") -> go.Figure:
    """Each metric against depth (one panel each), every valid depth; standard depths marked.

    Args:
        curves: label -> points (e.g. one per shortcut option), all computed.
        log: log-scale both axes.
        title: figure title.
    """
    keys = list(SCALING_METRICS)
    fig = make_subplots(rows=2, cols=3, subplot_titles=[SCALING_METRICS[k] for k in keys],
                        horizontal_spacing=0.07, vertical_spacing=0.2)
    for i, (label, pts) in enumerate(curves.items()):
        colour = CONFIG_COLOURS[i % len(CONFIG_COLOURS)]
        for j, key in enumerate(keys):
            row, col = divmod(j, 3)
            ys = [getattr(p, key) for p in pts]
            fig.add_trace(go.Scatter(
                x=[p.depth for p in pts], y=ys, mode="lines", name=label,
                legendgroup=label, showlegend=j == 0, line={"color": colour, "width": 2},
                hovertemplate=f"{_esc(label)}<br>depth %{{x}}: %{{y:,}}<extra></extra>"),
                row=row + 1, col=col + 1)
            std = [p for p in pts if p.standard]
            fig.add_trace(go.Scatter(
                x=[p.depth for p in std], y=[getattr(p, key) for p in std],
                mode="markers+text", text=[str(p.depth) for p in std],
                textposition="top left", textfont={"size": 10}, legendgroup=label,
                cliponaxis=False,
                showlegend=False, marker={"color": colour, "size": 8,
                                          "line": {"color": "white", "width": 1}},
                hovertemplate=(f"{_esc(label)}<br>standard depth %{{x}}: %{{y:,}}"
                               "<extra></extra>")), row=row + 1, col=col + 1)
    n = sum(len(p) for p in curves.values())
    finish(fig, title, f"{n:,} depths, every valid one in the range, computed from the spec "
           "alone; dots mark the standard depths", legend=True, height=660)
    # the subplot titles sit where finish() puts the legend: move it under the plots
    fig.update_layout(legend={"y": -0.1, "yanchor": "top"},
                      margin={"t": 110, "b": 90})
    kind = "log" if log else "linear"
    fig.update_xaxes(type=kind)
    fig.update_xaxes(title_text="depth", row=2)
    fig.update_yaxes(type=kind, tickformat="~s")
    return fig


def published_error_chart(family: Family | str, *, x: str = "depth") -> go.Figure:
    """The paper's published test errors against depth or MACs, labelled and sourced.

    The errors are published; the MACs on the x axis are computed here from each
    network's spec (the paper's v1 stride placement). The points are never joined
    to a computed curve.

    Raises:
        ValueError: for an ``x`` other than ``depth`` or ``macs``.
    """
    if x not in ("depth", "macs"):
        raise ValueError(f"x must be 'depth' or 'macs'; got {x!r}")
    pts = published_errors(family)
    xs = [p.depth if x == "depth" else analyse(p.spec()).macs for p in pts]
    sources = sorted({p.source for p in pts})
    fig = go.Figure(go.Scatter(
        x=xs, y=[p.error for p in pts], mode="markers+text", name="published",
        text=[p.label for p in pts], textposition="middle right", textfont={"size": 10},
        cliponaxis=False,
        marker={"color": [group_colour("head") if not p.shortcuts else PUBLISHED_COLOUR
                          for p in pts], "size": 10, "symbol": "diamond",
                "line": {"color": PUBLISHED_COLOUR, "width": 1}},
        customdata=[[p.label, p.source, p.note] for p in pts],
        hovertemplate=("<b>%{customdata[0]}</b><br>published error %{y}%<br>"
                       + ("depth %{x}" if x == "depth" else "MACs %{x:,} (computed)")
                       + "<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>")))
    what = pts[0].metric if pts else "error"
    axis = "depth" if x == "depth" else "MACs per image (computed from the spec)"
    finish(fig, f"Published: {what} vs {x if x == 'depth' else 'MACs'}",
           "published, " + "; ".join(sources), height=420)
    # room on the right for the labels of the deepest points
    span = [math.log10(min(xs)) - 0.05, math.log10(max(xs)) + 0.45] if xs else None
    fig.update_xaxes(title_text=axis, type="log", tickformat="~s" if x == "macs" else None,
                     range=span)
    fig.update_yaxes(title_text=what)
    return fig

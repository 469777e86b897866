"""Analysis -> plotly figures (no streamlit; nothing is shown or written here).

Every figure carries the exact numbers: bar heights and hover text are the
analysis' integers (hover shows them with thousands separators), axis ticks may
be short. Colours are the shared stage palette of :mod:`resnet_viz.render.theme`, so a
chart's conv3_x is the diagram's conv3_x. Very deep nets stay light: per-layer
charts switch to WebGL (``Scattergl``) and the treemap stops at blocks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from resnet_viz.analysis import Analysis, TableRow, memory
from resnet_viz.arch.dtypes import dtype_names
from resnet_viz.arch.names import HEAD, STEM, is_stage_group
from resnet_viz.fmt import fmt_bytes, fmt_count, fmt_spatial
from resnet_viz.render.tables import (
    Convention,
    CostUnit,
    cost,
    cost_label,
)
from resnet_viz.render.theme import finish, group_colour

WEBGL_ABOVE = 1000  # points in one chart above which scatter traces use WebGL
MAX_TREE_NODES = 2000  # the parameter tree shows layers only below this many nodes
_OUTLINE = {"color": "#555", "width": 1}


def _compact(value: int, fmt: Callable[..., str]) -> str:
    """Three significant figures for bar labels: ``4.09 G``, ``912.6 MiB``, ``216 k``."""
    text = fmt(value, digits=2)
    head = text.split(" ")[0].replace(",", "")
    try:
        mantissa = abs(float(head))
    except ValueError:
        return text
    if " " not in text or mantissa < 10:
        return text
    return fmt(value, digits=1 if mantissa < 100 else 0)


def _stage_label(s: TableRow) -> str:
    return s.name if s.module in (STEM, HEAD) else f"{s.name}<br><sub>{s.module}</sub>"


def _share(part: int, total: int) -> float:
    return 100.0 * part / total if total else 0.0


# ----------------------------------------------------------------------------- params / cost
def params_macs_by_stage(an: Analysis, *, unit: CostUnit | str = CostUnit.MACS,
                         convention: Convention | str = Convention.CONV_LINEAR) -> go.Figure:
    """Parameters and cost per Table-1 row, side by side.

    Trace 0 is parameters, trace 1 the cost (:func:`resnet_viz.render.tables.cost`),
    both with one bar per row of ``an.rows`` and the exact integers as ``y``.
    """
    label = cost_label(unit, convention)
    stages = an.rows
    x = [_stage_label(s) for s in stages]
    colours = [group_colour(s.module) for s in stages]
    params = [s.params for s in stages]
    costs = [cost(s.macs, s.ops, unit=unit, convention=convention) for s in stages]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("Parameters", label))
    for col, (values, what) in enumerate(((params, "params"), (costs, label)), start=1):
        total = sum(values)
        fig.add_trace(go.Bar(
            x=x, y=values, name=what, marker={"color": colours, "line": _OUTLINE},
            text=[_compact(v, fmt_count) for v in values], textposition="outside",
            cliponaxis=False, textfont={"size": 12},
            customdata=[[s.name, _share(v, total), s.description] for s, v in
                        zip(stages, values, strict=True)],
            hovertemplate=(f"<b>%{{customdata[0]}}</b><br>{what}: %{{y:,}}<br>"
                           "%{customdata[1]:.1f}% of the total<br>"
                           "<span style='color:#666'>%{customdata[2]}</span><extra></extra>"),
        ), row=1, col=col)
    total_cost = sum(costs)
    finish(fig, f"{an.spec.name}: parameters and {label} by stage",
            f"{an.params:,} parameters · {total_cost:,} {label} per image "
            f"({convention_text(convention)})")
    fig.update_yaxes(tickformat="~s", rangemode="tozero")
    fig.update_yaxes(title_text="parameters", row=1, col=1)
    fig.update_yaxes(title_text=f"{label} per image", row=1, col=2)
    fig.update_annotations(font={"size": 14})
    return fig


def convention_text(convention: Convention | str) -> str:
    """A short phrase naming a cost convention, for subtitles."""
    if Convention(convention) is Convention.CONV_LINEAR:
        return "conv and fc multiply-accumulates; 1 MAC = 2 FLOPs"
    return "conv and fc MACs plus BN, ReLU, pool and add ops, each counted once"


# ----------------------------------------------------------------------------- treemap
def params_treemap(an: Analysis, *, kind: str = "treemap",
                   max_nodes: int = MAX_TREE_NODES) -> go.Figure:
    """Parameters as a tree: network -> Table-1 row -> block (-> layer).

    Layers with parameters are included only while the whole tree stays under
    ``max_nodes`` nodes (ResNet-152 has ~470 then; CIFAR-1202 stops at blocks).

    Args:
        an: the analysis.
        kind: ``"treemap"`` or ``"sunburst"``.
        max_nodes: node budget for including the layer level.

    Raises:
        ValueError: for an unknown ``kind``.
    """
    if kind not in ("treemap", "sunburst"):
        raise ValueError(f"unknown chart kind {kind!r}; choose treemap or sunburst")
    show_layers = _tree_size(an) < max_nodes
    nodes = _tree_nodes(an, show_layers)
    ids, labels, parents, values, colours, custom = (list(t) for t in zip(*nodes, strict=True))
    common: dict[str, Any] = {
        "ids": ids, "labels": labels, "parents": parents, "values": values,
        "branchvalues": "total", "customdata": custom,
        "marker": {"colors": colours, "line": {"color": "white", "width": 1}},
        "hovertemplate": ("<b>%{customdata[0]}</b><br>params: %{value:,}<br>"
                          "%{customdata[1]:.2f}% of the network<extra></extra>"),
        "texttemplate": "%{label}<br>%{customdata[2]}",
        # below the stages, only a few dozen blocks stay legible at once; click to go deeper
        "maxdepth": 3 if len(an.blocks) <= 60 else 2,
    }
    trace = (go.Treemap(**common, tiling={"pad": 2}, pathbar={"visible": True})
             if kind == "treemap" else go.Sunburst(**common, insidetextorientation="radial"))
    fig = go.Figure(trace)
    levels = "stage → block → layer" if show_layers else "stage → block"
    finish(fig, f"{an.spec.name}: where the {an.params:,} parameters are",
            f"{levels}; click a {'box' if kind == 'treemap' else 'segment'} to zoom in",
            height=560)
    # hide labels of slivers rather than let them spill over their neighbours
    fig.update_layout(margin={"l": 10, "r": 10, "t": 90, "b": 10},
                      uniformtext={"minsize": 9, "mode": "hide"})
    return fig


def _tree_size(an: Analysis) -> int:
    """Nodes of the full tree: root, Table-1 rows, blocks and layers with parameters."""
    return 1 + len(an.rows) + len(an.blocks) + sum(1 for r in an.layers if r.params)


def _tree_nodes(an: Analysis, show_layers: bool,
                ) -> list[tuple[str, str, str, int, str, list[Any]]]:
    """``(id, label, parent, params, colour, [full name, % of total, short count])`` rows.

    Layers of the stem and the head are always included (those rows have no blocks).
    """
    total = an.params

    def node(nid: str, label: str, parent: str, value: int, colour: str, full: str,
             ) -> tuple[str, str, str, int, str, list[Any]]:
        return (nid, label, parent, value, colour, [full, _share(value, total), fmt_count(value)])

    nodes = [node("total", an.spec.name, "", total, "#FFFFFF", an.spec.name)]
    for s in an.rows:
        sid, colour = f"stage:{s.name}", group_colour(s.module)
        nodes.append(node(sid, s.name, "total", s.params, colour, f"{s.name} ({s.module})"))
        stage_blocks = [b for b in an.blocks if b.first >= s.first and b.last <= s.last]
        for b in stage_blocks:
            bid = f"block:{b.name}"
            nodes.append(node(bid, b.name, sid, b.params, colour,
                              f"{b.name} ({b.shortcut.value} shortcut)"))
            if show_layers:
                nodes += [node(f"layer:{r.name}", r.name[len(b.name) + 1:], bid, r.params,
                               colour, f"{r.name} ({r.type})")
                          for r in an.layers[b.first:b.last] if r.params]
        if show_layers or not stage_blocks:  # the stem and the head have no blocks
            covered = {i for b in stage_blocks for i in range(b.first, b.last)}
            nodes += [node(f"layer:{r.name}", r.name, sid, r.params, colour,
                           f"{r.name} ({r.type})")
                      for i, r in enumerate(an.layers[s.first:s.last], start=s.first)
                      if r.params and i not in covered]
    return nodes


# ----------------------------------------------------------------------------- shapes
def shape_by_stage(an: Analysis) -> go.Figure:
    """Channels (bars, left) and spatial positions H×W (line, right, log) per Table-1 row.

    Only rows that output a feature map (conv1 .. the last stage) are drawn;
    trace 0 holds the channels, trace 1 the H×W products.
    """
    rows = [s for s in an.rows if len(s.output_shape) == 3]
    x = [_stage_label(s) for s in rows]
    channels = [s.output_shape[0] for s in rows]
    positions = [s.output_shape[1] * s.output_shape[2] for s in rows]
    sizes = [fmt_spatial(s.output_shape) for s in rows]
    custom = [[s.name, size, s.output_shape[0] * p] for s, size, p in
              zip(rows, sizes, positions, strict=True)]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(
        x=x, y=channels, name="channels",
        marker={"color": [group_colour(s.module) for s in rows], "line": _OUTLINE},
        text=[f"{c:,} ch" for c in channels], textposition="outside", cliponaxis=False,
        customdata=custom, hovertemplate=("<b>%{customdata[0]}</b><br>channels: %{y:,}<br>"
                                          "output: %{y:,}×%{customdata[1]} = "
                                          "%{customdata[2]:,} values<extra></extra>"),
    ), secondary_y=False)
    fig.add_trace(go.Scatter(
        x=x, y=positions, name="spatial size H×W", mode="lines+markers",
        line={"color": "#333", "width": 2}, marker={"size": 9, "color": "#333"},
        customdata=custom, hovertemplate=("<b>%{customdata[0]}</b><br>spatial: "
                                          "%{customdata[1]} = %{y:,} positions<extra></extra>"),
    ), secondary_y=True)
    h, w = an.spec.input_size
    finish(fig, f"{an.spec.name}: feature-map shape by stage",
            f"input {an.spec.in_channels}×{h}×{w}; each downsampling stage halves the side "
            "and (usually) doubles the channels", legend=True)
    fig.update_yaxes(title_text="output channels (log scale)", type="log",
                     tickvals=_powers_of_two(min(channels), max(channels)),
                     secondary_y=False)
    ticks = sorted({(p, size) for p, size in zip(positions, sizes, strict=True)})
    fig.update_yaxes(title_text="spatial size H×W (log scale)", type="log",
                     tickvals=[p for p, _ in ticks], ticktext=[size for _, size in ticks],
                     showgrid=False, secondary_y=True)
    fig.update_yaxes(range=_log_range(channels, 0.25, 0.35), secondary_y=False)
    fig.update_yaxes(range=_log_range(positions, 0.25, 0.35), secondary_y=True)
    return fig


def _powers_of_two(lo: int, hi: int) -> list[int]:
    out, p = [], 1
    while p <= hi * 2:
        if p >= lo / 2:
            out.append(p)
        p *= 2
    return out


def _log_range(values: list[int], below: float, above: float) -> list[float]:
    """A log-axis range (in log10 units) padded so end labels fit."""
    lo, hi = math.log10(max(min(values), 1)), math.log10(max(max(values), 1))
    span = max(hi - lo, 0.5)
    return [lo - below * span, hi + above * span]


# ----------------------------------------------------------------------------- receptive field
def receptive_field(an: Analysis) -> go.Figure:
    """Receptive field after each layer, coloured by stage, against the input size.

    x is the layer's index in ``an.layers`` (the layer table's row), y its
    receptive field in input pixels along the widest path. Shortcut-path layers
    are left out (their field is the block input's). One trace per group
    (stem, layer1.., head), WebGL above :data:`WEBGL_ABOVE` points; the y axis
    turns logarithmic when the field outgrows the input more than tenfold.
    """
    pts = [(i, r) for i, r in enumerate(an.layers) if r.path != "shortcut"]
    scatter: Any = go.Scattergl if len(pts) > WEBGL_ABOVE else go.Scatter
    fig = go.Figure()
    groups: dict[str, list[int]] = {}
    for k, (_, r) in enumerate(pts):
        groups.setdefault(r.group, []).append(k)
    stage_name = {s.module: s.name for s in an.rows}
    for group, ks in groups.items():
        if ks[0] > 0:  # start each group at the previous point so the line is unbroken
            ks = [ks[0] - 1, *ks]
        colour = group_colour(group)
        fig.add_trace(scatter(
            x=[pts[k][0] for k in ks], y=[pts[k][1].rf for k in ks],
            name=f"{group} ({stage_name.get(group, group)})" if is_stage_group(group)
            else group,
            mode="lines+markers" if len(pts) <= 400 else "lines",
            line={"color": colour, "width": 2.5}, marker={"color": colour, "size": 5},
            customdata=[[pts[k][1].name, pts[k][1].type] for k in ks],
            hovertemplate=("<b>%{customdata[0]}</b> (%{customdata[1]})<br>layer %{x:,}<br>"
                           "receptive field: %{y:,} px<extra></extra>"),
        ))
    h, w = an.spec.input_size
    side = max(h, w)
    rf = an.receptive_field
    log = rf > 10 * side  # very deep nets: the field dwarfs the input on a linear axis
    fig.add_hline(y=side, line={"color": "#C00", "dash": "dash", "width": 1.5})
    # placed by hand: add_hline's own annotation lands wrong on a log axis
    fig.add_annotation(x=0, xref="paper", y=math.log10(side) if log else side, yref="y",
                       text=f"input {h}×{w}", showarrow=False, xanchor="left",
                       yanchor="bottom", font={"color": "#C00"})
    finish(fig, f"{an.spec.name}: receptive field, layer by layer",
            f"final receptive field {rf:,} px, {rf / side:.1f}× the input side "
            "(along the widest path; pixels beyond the border are padding)", legend=True)
    fig.update_xaxes(title_text="layer index (input → output)", rangemode="tozero")
    if log:
        fig.update_yaxes(title_text="receptive field (input pixels, log scale)", type="log",
                         range=[0, math.log10(rf) * 1.06], dtick=1, tickformat=",")
    else:
        fig.update_yaxes(title_text="receptive field (input pixels)", rangemode="tozero",
                         tickformat=",")
    return fig


# ----------------------------------------------------------------------------- memory
def memory_by_stage(an: Analysis, *, batch: int = 1, dtype_bytes: int = 4) -> go.Figure:
    """Activation memory per group: inference peak vs training (saved for backward).

    Groups are the torch modules (stem with its max-pool, layer1.., head), as
    :func:`resnet_viz.analysis.memory` reports them. Trace 0 is inference,
    trace 1 training, both in exact bytes for the whole batch.
    """
    mem = memory(an, batch=batch, dtype_bytes=dtype_bytes)
    groups = list(mem.training_by_stage)
    stage_name = {s.module: s.name for s in an.rows}
    x = [g if g in (STEM, HEAD) else f"{stage_name.get(g, g)}<br><sub>{g}</sub>"
         for g in groups]
    colours = [group_colour(g) for g in groups]
    fig = go.Figure()
    series = (("inference (peak live)", mem.inference_by_stage, ""),
              ("training (kept for backward)", mem.training_by_stage, "/"))
    for name, by, pattern in series:
        ys = [by.get(g, 0) for g in groups]
        fig.add_trace(go.Bar(
            x=x, y=ys, name=name, offsetgroup=name,
            marker={"color": colours, "line": _OUTLINE,
                    "pattern": {"shape": pattern, "fgcolor": "#333", "size": 6,
                                "solidity": 0.25}},
            text=[_compact(v, fmt_bytes) for v in ys], textposition="outside",
            cliponaxis=False, textfont={"size": 11},
            customdata=[[g, fmt_bytes(v)] for g, v in zip(groups, ys, strict=True)],
            hovertemplate=(f"<b>%{{customdata[0]}}</b><br>{name}: %{{y:,}} bytes "
                           "(%{customdata[1]})<extra></extra>"),
        ))
    top = max(max(mem.training_by_stage.values()), max(mem.inference_by_stage.values()))
    vals, texts = _byte_ticks(top)
    dtype = dtype_names(dtype_bytes)
    finish(fig, f"{an.spec.name}: activation memory by stage",
            f"batch {batch}, {dtype}: inference peak {fmt_bytes(mem.inference)} · training "
            f"{fmt_bytes(mem.training)} · parameters {fmt_bytes(mem.params)}", legend=True)
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05,
                      legend={"y": 1.0, "yanchor": "bottom"})
    fig.update_yaxes(title_text="activation memory", tickvals=vals, ticktext=texts,
                     range=[0, top * 1.12])
    return fig


def _byte_ticks(top: int, n: int = 5) -> tuple[list[int], list[str]]:
    """Axis ticks at round binary sizes (e.g. 0, 50, 100, 150 MiB) up to ``top`` bytes."""
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
    k = 0
    while top >= 1024 ** (k + 1) and k < len(units) - 1:
        k += 1
    scale = 1024**k
    raw = top / scale / n
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    count = int(top / scale // step) + 1
    vals = [round(i * step * scale) for i in range(count + 1)]
    return vals, [f"{i * step:g} {units[k]}" if i else "0" for i in range(count + 1)]

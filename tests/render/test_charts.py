"""Chart data equal the analysis exactly; hover shows exact values; deep nets stay light."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from resnet_viz.analysis import Analysis, memory
from resnet_viz.render import charts
from resnet_viz.render.tables import Convention, CostUnit
from resnet_viz.render.theme import group_colour


def _exact_hover(trace: object) -> None:
    tmpl = trace.hovertemplate  # type: ignore[attr-defined]
    assert "%{y:,}" in tmpl or "%{value:,}" in tmpl, tmpl


def test_params_and_cost_by_stage(r50: Analysis) -> None:
    fig = charts.params_macs_by_stage(r50)
    params, macs = fig.data
    assert list(params.y) == [s.params for s in r50.rows]
    assert sum(params.y) == r50.params
    assert list(macs.y) == [s.macs for s in r50.rows]
    assert list(params.marker.color) == [group_colour(s.module) for s in r50.rows]
    for trace in fig.data:
        _exact_hover(trace)
    assert "25,557,032" in fig.layout.title.subtitle.text
    assert fig.layout.yaxis.title.text == "parameters"


def test_cost_unit_and_convention(r50: Analysis) -> None:
    flops = charts.params_macs_by_stage(r50, unit=CostUnit.FLOPS).data[1]
    assert list(flops.y) == [2 * s.macs for s in r50.rows]
    allops = charts.params_macs_by_stage(r50, unit="MACs", convention=Convention.ALL_OPS).data[1]
    assert list(allops.y) == [s.macs + s.ops for s in r50.rows]
    assert all(a > m for a, m in zip(allops.y, (s.macs for s in r50.rows), strict=True))


def _children_sum_to_parent(trace: go.Treemap | go.Sunburst) -> None:
    value = dict(zip(trace.ids, trace.values, strict=True))
    sums: dict[str, int] = {}
    for nid, parent in zip(trace.ids, trace.parents, strict=True):
        if parent:
            sums[parent] = sums.get(parent, 0) + value[nid]
    for parent, total in sums.items():
        assert total == value[parent], parent


@pytest.mark.parametrize("kind", ["treemap", "sunburst"])
def test_params_tree(r50: Analysis, kind: str) -> None:
    fig = charts.params_treemap(r50, kind=kind)
    (trace,) = fig.data
    assert trace.type == kind and trace.branchvalues == "total"
    value = dict(zip(trace.ids, trace.values, strict=True))
    assert value["total"] == r50.params
    for s in r50.rows:
        assert value[f"stage:{s.name}"] == s.params
    for b in r50.blocks:
        assert value[f"block:{b.name}"] == b.params
    assert value["layer:layer1.0.conv2"] == 64 * 64 * 9
    assert value["layer:fc"] == 2048 * 1000 + 1000
    _children_sum_to_parent(trace)
    _exact_hover(trace)


def test_params_tree_caps_nodes_for_deep_nets(cifar1202: Analysis) -> None:
    (trace,) = charts.params_treemap(cifar1202).data
    assert len(trace.ids) < charts.MAX_TREE_NODES
    assert not any(i.startswith("layer:layer") for i in trace.ids)  # blocks are the leaves
    assert sum(1 for i in trace.ids if i.startswith("block:")) == 600
    _children_sum_to_parent(trace)
    with pytest.raises(ValueError, match="treemap or sunburst"):
        charts.params_treemap(cifar1202, kind="pie")


def test_shape_by_stage(r50: Analysis) -> None:
    fig = charts.shape_by_stage(r50)
    channels, positions = fig.data
    rows = [s for s in r50.rows if len(s.output_shape) == 3]
    assert list(channels.y) == [s.output_shape[0] for s in rows] == [64, 256, 512, 1024, 2048]
    assert list(positions.y) == [112 * 112, 56 * 56, 28 * 28, 14 * 14, 7 * 7]
    assert list(fig.layout.yaxis2.ticktext) == ["7×7", "14×14", "28×28", "56×56", "112×112"]
    for trace in fig.data:
        _exact_hover(trace)


def test_receptive_field(r50: Analysis) -> None:
    fig = charts.receptive_field(r50)
    xs = [x for t in fig.data for x in t.x]
    ys = [y for t in fig.data for y in t.y]
    assert max(ys) == r50.receptive_field
    for x, y in zip(xs, ys, strict=True):
        assert r50.layers[x].rf == y
    assert {r.group for r in r50.layers} == {t.name.split(" ")[0] for t in fig.data}
    assert [t.line.color for t in fig.data][1] == group_colour("layer1")
    assert fig.layout.shapes[0].y0 == 224  # the input-size line
    assert all(t.type == "scatter" for t in fig.data)
    _exact_hover(fig.data[0])


def test_memory_by_stage(r50: Analysis) -> None:
    fig = charts.memory_by_stage(r50, batch=16, dtype_bytes=2)
    mem = memory(r50, batch=16, dtype_bytes=2)
    inference, training = fig.data
    assert list(inference.y) == list(mem.inference_by_stage.values())
    assert list(training.y) == list(mem.training_by_stage.values())
    assert max(inference.y) == mem.inference and sum(training.y) == mem.training
    assert fig.layout.barmode == "group"
    for trace in fig.data:
        _exact_hover(trace)


def test_charts_stay_light_for_cifar_1202(cifar1202: Analysis) -> None:
    figs = [charts.params_macs_by_stage(cifar1202), charts.params_treemap(cifar1202),
            charts.shape_by_stage(cifar1202), charts.receptive_field(cifar1202),
            charts.memory_by_stage(cifar1202)]
    rf = figs[3]
    assert all(t.type == "scattergl" for t in rf.data)
    assert rf.layout.yaxis.type == "log"
    assert max(y for t in rf.data for y in t.y) == cifar1202.receptive_field
    assert all(len(f.to_json()) < 500_000 for f in figs)

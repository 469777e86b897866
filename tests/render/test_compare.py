"""Comparison renderers: aligned DOT, the what-changed frame, charts with exact values."""

from __future__ import annotations

import re
import shutil

import pytest

from resnet_viz.analysis import analyse
from resnet_viz.analysis.compare import Comparison, compare
from resnet_viz.analysis.scaling import scaling_curve
from resnet_viz.arch.paper import PUBLISHED_ERRORS, published_errors
from resnet_viz.arch.presets import from_depth
from resnet_viz.export import graphviz
from resnet_viz.render import compare as rc
from resnet_viz.render.diagram import to_dot
from resnet_viz.render.theme import stage_colour


@pytest.fixture(scope="module")
def comp() -> Comparison:
    return compare([from_depth(18), from_depth(50), from_depth(20, family="cifar")])


def test_stage_rows_align_across_columns(comp: Comparison) -> None:
    dot = rc.compare_dot(comp)
    for name in ("conv1", "layer1", "layer3", "fc", "input", "output"):
        assert f"{{rank=same; c1_{name}; c2_{name}; c3_{name}}}" in dot
    assert "{rank=same; c1_layer4; c2_layer4}" in dot  # CIFAR has no fourth stage
    for i in (1, 2, 3):
        assert f"subgraph cluster_c{i} {{" in dot
    assert 'c1_layer2 [label=<<b>conv3_x' in dot and stage_colour(2) in dot


def test_existing_diagrams_unchanged() -> None:
    before = to_dot(from_depth(34), level="stage")
    compare_dot = rc.compare_dot(compare([from_depth(34), from_depth(50)]))
    assert to_dot(from_depth(34), level="stage") == before
    assert "c1_" in compare_dot and "c1_" not in before


def test_block_level_aligns_first_blocks_only(comp: Comparison) -> None:
    dot = rc.compare_dot(comp, level="block")
    assert "{rank=same; c1_layer2_0; c2_layer2_0; c3_layer2_0}" in dot
    assert "rank=same; c1_layer1_1;" not in dot
    with pytest.raises(ValueError, match="stage or block"):
        rc.compare_dot(comp, level="layer")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
def test_compare_dot_lays_out(comp: Comparison) -> None:
    svg = graphviz.render(rc.compare_dot(comp), "svg").decode()
    assert svg.count("<g id=\"clust") >= 3


def test_what_changed_frame_matches_rows(comp: Comparison) -> None:
    table, mask = rc.what_changed_frame(comp)
    assert list(table.columns) == list(comp.labels) == list(mask.columns)
    assert len(table) == len(comp.rows)
    an50 = analyse(from_depth(50))
    assert table.loc["parameters", comp.labels[1]].startswith("25.56 M (×")
    assert bool(mask.loc["parameters", comp.labels[1]])
    assert not mask.iloc[:, 0].any()  # the first column has nothing to differ from
    assert not bool(mask.loc["conv1 params", comp.labels[1]])  # same stem
    rec = {r["row"]: r for r in rc.what_changed_records(comp)}
    assert rec["params"]["values"][comp.labels[1]] == an50.params


def test_per_stage_chart_has_exact_values(comp: Comparison) -> None:
    fig = rc.per_stage_chart(comp, "params")
    assert [t.name for t in fig.data] == list(comp.labels)
    assert list(fig.data[1].y) == [r.params for r in analyse(from_depth(50)).rows]
    cifar = fig.data[2]
    assert list(cifar.x).index("conv5_x") and cifar.y[list(cifar.x).index("conv5_x")] is None
    mem = rc.per_stage_chart(comp, "activations")
    assert mem.data[0].y[0] == comp.memories[0].training_by_stage["stem"]


def test_scaling_chart_marks_standard_depths() -> None:
    pts = scaling_curve(from_depth(20, family="cifar"), hi=1202)
    fig = rc.scaling_chart({"A": pts}, log=True)
    markers = [t for t in fig.data if t.mode == "markers+text"]
    assert list(markers[0].x) == [20, 32, 44, 56, 110, 1202]
    assert fig.layout.xaxis.type == "log"
    lines = [t for t in fig.data if t.mode == "lines"]
    assert list(lines[0].y) == [p.params for p in pts]


@pytest.mark.parametrize("x", ["depth", "macs"])
def test_published_points_are_labelled_and_sourced(x: str) -> None:
    fig = rc.published_error_chart("imagenet", x=x)
    (trace,) = fig.data
    pub = published_errors("imagenet")
    assert list(trace.y) == [p.error for p in pub]
    assert "ResNet-34 C" in trace.text and "plain-34" in trace.text
    assert "Table 3" in fig.layout.title.subtitle.text
    assert "published" in fig.layout.title.subtitle.text
    if x == "macs":
        assert trace.x[-1] == analyse(pub[-1].spec()).macs


def test_published_table_values() -> None:
    cifar = {p.depth: p.error for p in published_errors("cifar")}
    assert cifar == {20: 8.75, 32: 7.51, 44: 7.17, 56: 6.97, 110: 6.43, 1202: 7.93}
    assert all(p.source.startswith("He et al. 2015, Table") for p in PUBLISHED_ERRORS)
    assert {p.label: p.error for p in published_errors("imagenet")}["ResNet-34 A"] == 25.03
    with pytest.raises(ValueError, match="depth' or 'macs"):
        rc.published_error_chart("cifar", x="params")
    assert re.search(r"mean 6\.61", next(p.note for p in PUBLISHED_ERRORS if p.depth == 110))

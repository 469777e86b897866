"""Tests for resnet_viz.render.diagram: golden DOT, structure, styles, overlays, rendering."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from resnet_viz.analysis import analyse
from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import BlockKind, ResNetSpec, ShortcutKind
from resnet_viz.export.graphviz import render
from resnet_viz.render.diagram import (
    LEAN_LABELS_ABOVE,
    SHORTCUT_STYLE,
    Direction,
    Level,
    anatomy_dot,
    pair_dot,
    to_dot,
)
from resnet_viz.render.theme import stage_colour

GOLDEN = Path(__file__).parent / "golden"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")

_NODE = re.compile(r"^\s*([A-Za-z_]\w*) \[label=", re.MULTILINE)
_EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?;$", re.MULTILINE)


def node_ids(dot: str) -> list[str]:
    return [m for m in _NODE.findall(dot) if m != "graph"]


def edges(dot: str) -> list[tuple[str, str, str]]:
    return [(a, b, attrs or "") for a, b, attrs in _EDGE.findall(dot)]


def node_attrs(dot: str, nid: str) -> str:
    m = re.search(rf"^\s*{nid} \[(.*)\];$", dot, re.MULTILINE)
    assert m, f"no node {nid}"
    return m.group(1)


def fill(dot: str, nid: str) -> str:
    m = re.search(r'fillcolor="(#[0-9A-F]{6})"', node_attrs(dot, nid))
    assert m
    return m.group(1)


_EDGE_LABEL = re.compile(r'label=" ?([^"]*)"|label=<<table[^>]*><tr><td>([^<]*)</td>')


def edge_labels(dot: str) -> list[str]:
    """Edge label texts, plain (``label=" 64×56×56"``) or boxed (an HTML table)."""
    found = _EDGE_LABEL.findall("\n".join(a for _, _, a in edges(dot)))
    return [plain or boxed for plain, boxed in found]


# --------------------------------------------------------------------------- golden
@pytest.mark.parametrize("level", list(Level))
def test_golden_resnet18(level: Level, update_golden: bool) -> None:
    path = GOLDEN / f"resnet18_{level}.dot"
    dot = to_dot(from_depth(18), level=level)
    if update_golden:
        path.parent.mkdir(exist_ok=True)
        path.write_text(dot, encoding="utf-8")
    assert path.exists(), f"{path} missing; run pytest --update-golden"
    assert dot == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("level", list(Level))
def test_deterministic(level: Level) -> None:
    spec = from_depth(50, shortcut="D")
    overlay = {"layer1.0": 0.5, "layer3.2": 2.0}
    a = to_dot(spec, level=level, overlay=overlay, show_costs=True)
    assert a == to_dot(spec, level=level, overlay=overlay, show_costs=True)
    assert a == to_dot(spec, level=level, overlay=overlay, show_costs=True,
                       analysis=analyse(spec))


# --------------------------------------------------------------------------- structure
@pytest.mark.parametrize("spec", [from_depth(18), from_depth(50, shortcut="C"),
                                  from_depth(20, family="cifar"), from_depth(18, preact=True),
                                  from_depth(34, shortcuts=False)], ids=lambda s: s.name)
def test_layer_level_has_one_node_per_layer(spec: ResNetSpec) -> None:
    an = analyse(spec)
    ids = node_ids(to_dot(spec, level=Level.LAYER))
    assert len(ids) == len(an.layers) + 2
    assert len(set(ids)) == len(ids)
    assert set(ids) == {r.name.replace(".", "_") for r in an.layers} | {"input", "output"}


def test_layer_level_ids_and_shortcut_branch() -> None:
    dot = to_dot(from_depth(18), level=Level.LAYER)
    ids = node_ids(dot)
    assert "layer1_0_conv1" in ids and "layer2_0_downsample_0" in ids
    pairs = {(a, b) for a, b, _ in edges(dot)}
    # the projection branches off the previous block's output into the add
    assert ("layer1_1_relu2", "layer2_0_downsample_0") in pairs
    assert ("layer2_0_downsample_1", "layer2_0_add") in pairs
    assert ("layer2_0_bn2", "layer2_0_add") in pairs
    # an identity shortcut is a direct edge from the block's input to its add
    assert ("layer1_0_relu2", "layer1_1_add") in pairs


@pytest.mark.parametrize("shortcuts", [True, False])
def test_block_level_nodes(shortcuts: bool) -> None:
    spec = from_depth(50, shortcuts=shortcuts)
    an = analyse(spec)
    ids = node_ids(to_dot(spec, level=Level.BLOCK))
    blocks = [b.name.replace(".", "_") for b in an.blocks]
    assert all(b in ids for b in blocks)
    adds = [i for i in ids if i.endswith("_add")]
    assert len(adds) == (len(blocks) if shortcuts else 0)
    # input, conv1, maxpool, avgpool, fc, output
    assert len(ids) == len(blocks) + len(adds) + 6


def test_stage_level_collapses_blocks() -> None:
    dot = to_dot(from_depth(34), level=Level.STAGE)
    assert node_ids(dot) == ["input", "conv1", "maxpool", "layer1", "layer2", "layer3",
                             "layer4", "avgpool", "fc", "output"]
    assert "conv3_x" in dot and "[3x3, 128; 3x3, 128] x 4" in dot
    assert "block 1: /2 · 1x1 proj shortcut" in dot


@pytest.mark.parametrize("level", list(Level))
def test_edges_carry_shapes(level: Level) -> None:
    labels = edge_labels(to_dot(from_depth(50), level=level))
    for shape in ("3×224×224", "64×112×112", "256×56×56", "2048×7×7", "1000"):
        assert shape in labels, (level, shape)


def test_nodes_filled_with_stage_colours() -> None:
    dot = to_dot(from_depth(18), level=Level.BLOCK)
    for stage in range(1, 5):
        assert fill(dot, f"layer{stage}_0") == stage_colour(stage)
    layer = to_dot(from_depth(18), level=Level.LAYER)
    assert fill(layer, "layer3_1_conv2") == stage_colour(3)


def test_show_costs() -> None:
    spec = from_depth(18)
    assert "params" not in to_dot(spec)
    for level in Level:
        assert "MACs" in to_dot(spec, level=level, show_costs=True)


def test_title_and_direction() -> None:
    spec = from_depth(18)
    assert "<b>ResNet-18</b>" in to_dot(spec)
    assert 'label=""' in to_dot(spec, title="")
    assert "<b>a &lt;b&gt; &amp; c</b>" in to_dot(spec, title="a <b> & c")
    assert "rankdir=LR" in to_dot(spec, direction=Direction.HORIZONTAL)
    assert "rankdir=TB" in to_dot(spec, direction="TB")  # type: ignore[arg-type]


def test_analysis_of_other_spec_rejected() -> None:
    with pytest.raises(ValueError, match="different spec"):
        to_dot(from_depth(18), analysis=analyse(from_depth(34)))


# --------------------------------------------------------------------------- shortcuts
@pytest.mark.parametrize(("option", "kind", "text"), [
    ("A", ShortcutKind.ZERO_PAD, "zero-pad /2"),
    ("B", ShortcutKind.PROJECTION, "1x1 proj /2"),
    ("D", ShortcutKind.AVG_PROJECTION, "2x2 avg /2 + 1x1 proj"),
])
def test_shortcut_option_styles(option: str, kind: ShortcutKind, text: str) -> None:
    dot = to_dot(from_depth(34, shortcut=option), level=Level.BLOCK)
    skips = [a for _, b, a in edges(dot) if b.endswith("_add") and "weight=0" in a]
    assert len(skips) == 16
    assert sum(SHORTCUT_STYLE[kind] in a for a in skips) == 3  # stages 2-4 downsample
    assert sum(SHORTCUT_STYLE[ShortcutKind.IDENTITY] in a for a in skips) == 13
    assert text in edge_labels(dot)


def test_option_c_projects_everywhere() -> None:
    dot = to_dot(from_depth(18, shortcut="C"), level=Level.BLOCK)
    skips = [a for _, b, a in edges(dot) if b.endswith("_add") and "weight=0" in a]
    assert all(SHORTCUT_STYLE[ShortcutKind.PROJECTION] in a for a in skips)
    assert {"1x1 proj", "1x1 proj /2"} <= set(edge_labels(dot))


def test_shortcut_styles_are_distinct() -> None:
    styles = [SHORTCUT_STYLE[k] for k in ShortcutKind]
    assert len(set(styles)) == len(styles)


@pytest.mark.parametrize("level", list(Level))
def test_plain_has_no_skips(level: Level) -> None:
    dot = to_dot(from_depth(34, shortcuts=False), level=level)
    ids = node_ids(dot)
    assert not [i for i in ids if i.endswith("_add")]
    assert not any(s in dot for k, s in SHORTCUT_STYLE.items() if k is not ShortcutKind.NONE)
    assert len(edges(dot)) == len(ids) - 1  # a single chain


# --------------------------------------------------------------------------- overlay
def test_overlay_block_level() -> None:
    spec = from_depth(18)
    dot = to_dot(spec, overlay={"layer1.0": 1e-4, "layer4.1": 1.0, "layer2.0": 1e-2},
                 overlay_label="grad norm")
    colours = {fill(dot, n) for n in ("layer1_0", "layer2_0", "layer4_1")}
    assert len(colours) == 3
    assert stage_colour(1) not in colours
    assert "legend" in node_ids(dot)
    assert "grad norm" in dot and "min 0.0001" in dot and "max 1" in dot
    assert "log scale" in dot
    assert fill(dot, "layer3_0") != fill(dot, "layer4_1")  # no value: greyed out


def test_overlay_stage_level_and_stage_keys() -> None:
    spec = from_depth(18)
    dot = to_dot(spec, level=Level.STAGE, overlay={"layer1.0": 1.0, "layer1.1": 3.0,
                                                   "layer4": 10.0})
    assert fill(dot, "layer1") != fill(dot, "layer4")
    assert "max 10" in dot and "min 2" in dot  # layer1 shows its blocks' mean
    block = to_dot(spec, overlay={"layer2": 1.0, "layer3": 2.0})
    assert fill(block, "layer2_0") == fill(block, "layer2_1") != fill(block, "layer3_0")


def test_overlay_linear_when_not_positive() -> None:
    dot = to_dot(from_depth(18), overlay={"layer1.0": -1.0, "layer1.1": 1.0})
    assert "linear scale" in dot


def test_overlay_layer_level() -> None:
    dot = to_dot(from_depth(18), level=Level.LAYER,
                 overlay={"layer1.0.conv1": 1.0, "layer4.1": 5.0})
    assert fill(dot, "layer1_0_conv1") != fill(dot, "layer4_1_conv2")
    assert "legend" in node_ids(dot)


@pytest.mark.parametrize("overlay", [{"layer9.0": 1.0}, {"layer1.0.conv1": 1.0},
                                     {"layer9.0": float("nan")}])
def test_overlay_rejects_bad_input(overlay: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="overlay"):
        to_dot(from_depth(18), overlay=overlay)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_overlay_non_finite_value_is_drawn_as_no_value(bad: float) -> None:
    """A probe whose norms overflow (CIFAR-1202) must not crash the overlay: grey node."""
    spec = from_depth(18)
    dot = to_dot(spec, overlay={"layer1.0": bad, "layer1.1": 1.0, "layer2.0": 10.0})
    missing = to_dot(spec, overlay={"layer1.1": 1.0, "layer2.0": 10.0})
    assert fill(dot, "layer1_0") == fill(missing, "layer1_0")  # the "no value" grey
    assert fill(dot, "layer1_0") not in (fill(dot, "layer1_1"), fill(dot, "layer2_0"))
    assert "min 1" in dot and "max 10" in dot  # the scale ignores the non-finite value
    pair = pair_dot(spec, level=Level.BLOCK, plain_overlay={"layer1.0": bad},
                    residual_overlay={"layer1.0": 2.0})
    assert "legend" in node_ids(pair)


# --------------------------------------------------------------------------- pair and anatomy
def test_pair_dot() -> None:
    dot = pair_dot(from_depth(34), level=Level.BLOCK)
    assert "subgraph cluster_plain" in dot and "subgraph cluster_residual" in dot
    assert "<b>plain</b>" in dot and "<b>residual</b>" in dot
    ids = node_ids(dot)
    assert not [i for i in ids if i.startswith("plain_") and i.endswith("_add")]
    assert len([i for i in ids if i.startswith("residual_") and i.endswith("_add")]) == 16
    assert "{rank=same; plain_layer3_0; residual_layer3_0}" in dot
    assert "Plain-34 vs ResNet-34" in dot


def test_pair_dot_shared_overlay() -> None:
    dot = pair_dot(from_depth(18), level=Level.STAGE, plain_overlay={"layer1.0": 1e-6},
                   residual_overlay={"layer1.0": 1e-1}, overlay_label="grad")
    assert fill(dot, "plain_layer1") != fill(dot, "residual_layer1")
    assert dot.count("legend [") == 1 and "min 1e-06" in dot


def test_pair_dot_falls_back_from_option_a() -> None:
    spec = from_depth(20, family="cifar", width_mult=0.5, shortcuts=False)
    assert "cluster_residual" in pair_dot(spec)


def test_anatomy_dot() -> None:
    dot = anatomy_dot(from_depth(50), stage=2)
    ids = node_ids(dot)
    assert "basic_layer2_0_conv2" in ids and "basic_layer2_0_conv3" not in ids
    assert "bottleneck_layer2_0_conv3" in ids
    assert "bottleneck_layer2_0_downsample_0" in ids
    labels = edge_labels(dot)
    assert "256×56×56" in labels and "512×28×28" in labels  # real bottleneck shapes
    assert "64×56×56" in labels and "128×28×28" in labels  # real basic shapes
    assert SHORTCUT_STYLE[ShortcutKind.PROJECTION] in dot


def test_anatomy_variants() -> None:
    resnext = from_depth(50, groups=32, width_per_group=4)
    assert "g=32" in anatomy_dot(resnext, stage=3)  # basic twin drops groups
    one_block = ResNetSpec(blocks=(1, 1, 1, 1))
    later = anatomy_dot(one_block, stage=4, first_block=False)
    assert "bottleneck_layer4_1_add" in node_ids(later)
    assert SHORTCUT_STYLE[ShortcutKind.IDENTITY] in later
    with pytest.raises(ValueError, match="stage"):
        anatomy_dot(from_depth(18), stage=5)


# --------------------------------------------------------------------------- big graphs
def test_lean_labels_on_big_graphs() -> None:
    dot = to_dot(from_depth(1202, family="cifar"), level=Level.BLOCK)
    assert len(node_ids(dot)) > LEAN_LABELS_ABOVE
    labels = edge_labels(dot)
    assert len(labels) < 20
    assert {"16×32×32", "32×16×16", "64×8×8", "zero-pad /2"} <= set(labels)


# --------------------------------------------------------------------------- rendering
@needs_dot
@pytest.mark.parametrize(("fmt", "magic"), [("svg", (b"<?xml", b"<svg")), ("png", (b"\x89PNG",)),
                                            ("pdf", (b"%PDF",))])
def test_render_formats(fmt: str, magic: tuple[bytes, ...]) -> None:
    out = render(to_dot(from_depth(18), level=Level.STAGE), fmt)
    assert out.startswith(magic)


def test_render_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="format"):
        render("digraph { a }", "gif")


@needs_dot
def test_render_rejects_broken_dot() -> None:
    with pytest.raises(ValueError, match="dot"):
        render("digraph { a -> }")


def test_render_without_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(RuntimeError, match="dot"):
        render("digraph { a }")


SAMPLES = [
    (from_depth(20, family="cifar"), Level.LAYER),
    (from_depth(50, groups=32, width_per_group=4, shortcut="D", variant="v1"), Level.STAGE),
    (from_depth(18, preact=True, shortcut="C"), Level.BLOCK),
    (from_depth(26, width_mult=0.5, input_size=(64, 48), num_classes=7), Level.LAYER),
    (ResNetSpec(blocks=(1, 2, 1, 1, 2), block=BlockKind.BASIC), Level.BLOCK),
    (from_depth(29, family="cifar", preact=True, shortcut="A"), Level.LAYER),
]


@needs_dot
@pytest.mark.parametrize(("spec", "level"), SAMPLES,
                         ids=[f"{s.name}-{lvl}".replace(" ", "_") for s, lvl in SAMPLES])
def test_dot_parses(spec: ResNetSpec, level: Level) -> None:
    svg = render(to_dot(spec, level=level, show_costs=True, overlay={"layer1": 1.0}), "svg")
    assert b"<svg" in svg
    assert render(pair_dot(spec, level=level), "svg").startswith(b"<?xml")
    assert render(anatomy_dot(spec, stage=len(spec.stages)), "svg").startswith(b"<?xml")


# --------------------------------------------------------------------------- labels
def test_shortcut_ops_say_what_they_are_and_keep_torch_names_as_tooltips() -> None:
    dot = to_dot(from_depth(18), level=Level.LAYER)
    attrs = node_attrs(dot, "layer2_0_downsample_0")
    assert "<b>shortcut conv</b><br/>1x1, 128, /2" in attrs
    assert 'tooltip="torch: layer2.0.downsample.0"' in attrs
    assert "<b>shortcut BN</b>" in node_attrs(dot, "layer2_0_downsample_1")
    assert "downsample" not in re.sub(r'tooltip="[^"]*"', "", "".join(
        node_attrs(dot, i) for i in node_ids(dot)))


@pytest.mark.parametrize("level", list(Level))
def test_every_node_has_a_tooltip(level: Level) -> None:
    dot = pair_dot(from_depth(18), level=level)
    assert all("tooltip=" in node_attrs(dot, i) for i in node_ids(dot))


def test_stage_label_keeps_its_gap_in_svg() -> None:
    """SVG collapses a plain space at the start of a text run ("conv2_x(layer1)")."""
    assert "<b>conv2_x</b>&#160;(layer1)" in to_dot(from_depth(18), level=Level.STAGE)


def test_skip_edge_labels_sit_on_a_white_box() -> None:
    dot = to_dot(from_depth(18), level=Level.BLOCK)
    skips = [a for _, b, a in edges(dot) if b.endswith("_add") and "weight=0" in a and "label" in a]
    assert skips and all('bgcolor="white"' in a for a in skips)

"""The analysis against published figures (torchvision's and the papers') and hand computations."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn import functional

from resnet_viz.analysis import Analysis, LayerRecord, analyse, conv_out, memory
from resnet_viz.analysis.layers import _walk_block, _Walker
from resnet_viz.arch.paper import stride_note
from resnet_viz.arch.plan import OpKind, net_plan
from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import ResNetSpec, ShortcutKind

# ------------------------------------------------------------------ published figures
# depth -> (params, MACs v1.5 (torchvision), MACs v1 (paper layout))
IMAGENET = {
    18: (11_689_512, 1_814_073_344, 1_814_073_344),
    34: (21_797_672, 3_663_761_408, 3_663_761_408),
    50: (25_557_032, 4_089_184_256, 3_857_973_248),
    101: (44_549_160, 7_801_405_440, 7_570_194_432),
    152: (60_192_808, 11_513_626_624, 11_282_415_616),
}
# depth -> (params, MACs) for option A
CIFAR_A = {
    20: (269_722, 40_551_040),
    32: (464_154, None),
    44: (658_586, None),
    56: (853_018, 125_485_696),
    110: (1_727_962, 252_887_680),
    1202: (19_421_274, 2_829_238_912),
}


@pytest.mark.parametrize("depth", list(IMAGENET))
def test_imagenet_params_and_macs(depth: int) -> None:
    params, macs_v15, macs_v1 = IMAGENET[depth]
    v15, v1 = analyse(from_depth(depth)), analyse(from_depth(depth, variant="v1"))
    assert v15.params == v1.params == params
    assert v15.macs == macs_v15
    assert v1.macs == macs_v1
    assert v15.flops == 2 * macs_v15


def test_resnet200_params() -> None:
    assert analyse(from_depth(200)).params == 64_673_832


@pytest.mark.parametrize(("kwargs", "params", "macs"), [
    ({"width_per_group": 128}, 68_883_240, 11_398_021_120),
    ({"groups": 32, "width_per_group": 4}, 25_028_904, 4_230_479_872),
])
def test_wide_and_resnext(kwargs: dict[str, int], params: int, macs: int) -> None:
    an = analyse(from_depth(50, **kwargs))
    assert (an.params, an.macs) == (params, macs)


@pytest.mark.parametrize("depth", list(CIFAR_A))
def test_cifar_option_a_and_b(depth: int) -> None:
    params, macs = CIFAR_A[depth]
    a = analyse(from_depth(depth, family="cifar"))  # option A is the CIFAR default
    b = analyse(from_depth(depth, family="cifar", shortcut="B"))
    assert a.spec.shortcut == "A"
    assert a.params == params
    if macs is not None:
        assert a.macs == macs
    # B adds two 1x1 projections + BN: 16->32 at 16x16 and 32->64 at 8x8
    assert b.params - a.params == 2_752 == (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64)
    assert b.macs - a.macs == 32 * 16 * 16 * 16 + 64 * 32 * 8 * 8


@pytest.mark.parametrize(("depth", "params"), [(164, 1_703_258), (1001, 10_327_706)])
def test_preact_cifar(depth: int, params: int) -> None:
    an = analyse(from_depth(depth, family="cifar"))
    assert an.spec.preact and an.spec.block == "bottleneck"
    assert an.params == params


@pytest.mark.parametrize(("depth", "widths"), [
    (18, (64, 128, 256, 512)), (34, (64, 128, 256, 512)), (50, (256, 512, 1024, 2048)),
    (152, (256, 512, 1024, 2048))])
def test_shapes_at_224(depth: int, widths: tuple[int, ...]) -> None:
    an = analyse(from_depth(depth))
    by_name = {r.name: r for r in an.layers}
    assert by_name["conv1"].out_shape == (64, 112, 112)
    assert by_name["maxpool"].out_shape == (64, 56, 56)
    stages = {s.name: s.output_shape for s in an.rows}
    assert stages == {
        "conv1": (64, 112, 112),
        "conv2_x": (widths[0], 56, 56), "conv3_x": (widths[1], 28, 28),
        "conv4_x": (widths[2], 14, 14), "conv5_x": (widths[3], 7, 7),
        "fc": (1000,)}
    assert by_name["avgpool"].out_shape == (widths[3], 1, 1)
    assert an.output_shape == (1000,)


def test_resnet50_shortcut_additions() -> None:
    an = analyse(from_depth(50))
    adds = [r for r in an.layers if r.type == "Add"]
    assert len(adds) == 16
    assert sum(r.ops for r in adds) == 5_519_360
    assert an.ops_by_type()["Add"] == 5_519_360
    assert all(r.macs == 0 for r in adds)


def test_other_ops_conventions() -> None:
    an = analyse(from_depth(50))
    ops = an.ops_by_type()
    assert ops["MaxPool2d"] == 64 * 56 * 56 * 9
    assert ops["AdaptiveAvgPool2d"] == 2048 * 7 * 7
    bn = [r for r in an.layers if r.type == "BatchNorm2d"]
    assert ops["BatchNorm2d"] == 2 * sum(r.out_elements for r in bn)
    assert ops["ReLU"] == sum(r.out_elements for r in an.layers if r.type == "ReLU")
    assert "Flatten" not in ops and "Conv2d" not in ops


def test_grouped_conv_counts() -> None:
    an = analyse(from_depth(50, groups=32, width_per_group=4))
    r = next(r for r in an.layers if r.name == "layer1.0.conv2")
    assert (r.groups, r.in_shape, r.out_shape) == (32, (128, 56, 56), (128, 56, 56))
    assert r.params == 128 * (128 // 32) * 9
    assert r.macs == 128 * 56 * 56 * (128 // 32) * 9


# ------------------------------------------------------------------ structure
def test_table1_rows_partition_the_layers() -> None:
    an = analyse(from_depth(50))
    assert [s.name for s in an.rows] == ["conv1", "conv2_x", "conv3_x", "conv4_x", "conv5_x",
                                           "fc"]
    assert [s.module for s in an.rows] == ["stem", "layer1", "layer2", "layer3", "layer4",
                                             "head"]
    assert [s.blocks for s in an.rows] == [0, 3, 4, 6, 3, 0]
    assert an.rows[0].first == 0 and an.rows[-1].last == len(an.layers)
    for prev, nxt in pairwise(an.rows):
        assert prev.last == nxt.first
    assert sum(s.params for s in an.rows) == an.params
    assert sum(s.macs for s in an.rows) == an.macs
    assert sum(s.ops for s in an.rows) == sum(an.ops_by_type().values())
    assert an.rows[1].description == (
        "3x3 max pool, stride 2; [1x1, 64; 3x3, 64; 1x1, 256] x 3")
    assert an.rows[0].description == "7x7, 64, stride 2"
    assert an.rows[-1].description == "global average pool, 1000-d fc"
    assert an.layers[an.rows[1].first].name == "maxpool"


def test_table1_descriptions_basic_and_grouped() -> None:
    assert analyse(from_depth(34)).rows[3].description == "[3x3, 256; 3x3, 256] x 6"
    rx = analyse(from_depth(50, groups=32, width_per_group=4))
    assert rx.rows[1].description.endswith("[1x1, 128; 3x3, 128, C=32; 1x1, 256] x 3")
    cifar = analyse(from_depth(20, family="cifar"))
    assert [s.name for s in cifar.rows] == ["conv1", "conv2_x", "conv3_x", "conv4_x", "fc"]
    assert cifar.rows[0].description == "3x3, 16, stride 1"


def test_block_summaries_match_their_layers() -> None:
    an = analyse(from_depth(101))
    assert len(an.blocks) == 33
    for b in an.blocks:
        recs = an.layers[b.first:b.last]
        assert {r.group for r in recs} == {f"layer{b.stage}"}
        assert {r.block for r in recs} == {b.index}
        assert all(r.name.startswith(b.name + ".") for r in recs)
        assert b.params == sum(r.params for r in recs)
        assert b.macs == sum(r.macs for r in recs)
        assert b.ops == sum(r.ops for r in recs)
        assert b.out_shape == recs[-1].out_shape
    kinds = [b.shortcut for b in an.blocks]
    assert kinds.count(ShortcutKind.PROJECTION) == 4
    assert kinds.count(ShortcutKind.IDENTITY) == 29


def _walk_every_block(spec: ResNetSpec) -> list[LayerRecord]:
    """The analysis without its repeated-block shortcut (every block walked op by op)."""
    plan = net_plan(spec)
    wk = _Walker()
    shape, rf, jump = (spec.in_channels, *spec.input_size), 1, 1
    for op in plan.stem:
        shape, rf, jump = wk.op(op, "", "stem", -1, "", shape, rf, jump)
    for stage in plan.stages:
        for b in stage:
            shape, rf, jump = _walk_block(wk, b, shape, rf, jump)
    for op in plan.head:
        shape, rf, jump = wk.op(op, "", "head", -1, "", shape, rf, jump)
    return wk.records


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([("imagenet", "bottleneck"), ("imagenet", "basic"),
                        ("cifar", "basic"), ("cifar", "bottleneck")]),
       st.lists(st.integers(1, 6), min_size=1, max_size=4), st.booleans(),
       st.sampled_from("ABCD"), st.integers(1, 80))
def test_repeated_blocks_equal_a_full_walk(kind: tuple[str, str], blocks: list[int],
                                           preact: bool, shortcut: str, side: int) -> None:
    spec = ResNetSpec(family=kind[0], block=kind[1], blocks=tuple(blocks), preact=preact,
                      shortcut=shortcut, input_size=(side, side + 3))
    an = analyse(spec)
    assert list(an.layers) == _walk_every_block(spec)
    assert all(type(r) is LayerRecord for r in an.layers)
    for b in an.blocks:
        assert b.rf == an.layers[b.last - 1].rf


def test_receptive_field_by_hand() -> None:
    # 3x3 stem (3), block 3x3 + 3x3 (7); stage 2: 3x3/2 (9, jump 2), 3x3 (13)
    an = analyse(ResNetSpec(family="cifar", block="basic", blocks=(1, 1), input_size=(32, 32)))
    assert an.receptive_field == 13
    assert an.layers[-1].jump == 2
    # two more identical blocks in stage 2 add 2 * (2 + 2) * jump 2 = 16
    an3 = analyse(ResNetSpec(family="cifar", block="basic", blocks=(1, 3), input_size=(32, 32)))
    assert an3.receptive_field == 13 + 16
    assert [b.rf for b in an3.blocks] == [7, 13, 21, 29]


def test_receptive_field_resnet18() -> None:
    """7x7/2 stem: 7 (jump 2); 3x3/2 max-pool: 11 (jump 4); layer1: 4 3x3 convs +8 each: 43;
    layer2..4 each: the strided conv adds 2*jump, then the jump doubles and 3 convs add
    2*jump each: 43 -> 99 -> 211 -> 435."""
    an = analyse(from_depth(18))
    assert an.receptive_field == 435
    assert {r.name: r.rf for r in an.layers}["maxpool"] == 11
    assert [b.rf for b in an.blocks][1::2] == [43, 99, 211, 435]
    assert an.layers[-1].jump == 32


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 3), st.data())
def test_conv_out_matches_torch(size: int, kernel: int, stride: int, data: st.DataObject) -> None:
    padding = data.draw(st.integers(0, kernel // 2))
    x = torch.empty(1, 1, size, size, device="meta")
    expected_conv = (size + 2 * padding - kernel) // stride + 1
    if expected_conv >= 1:
        w = torch.empty(1, 1, kernel, kernel, device="meta")
        y = functional.conv2d(x, w, stride=stride, padding=padding)
        assert conv_out(size, kernel, stride, padding) == y.shape[-1]
    for ceil in (False, True):
        try:
            y = functional.max_pool2d(x, kernel, stride, padding, ceil_mode=ceil)
        except RuntimeError:  # torch: output size too small
            assert conv_out(size, kernel, stride, padding, ceil) < 1
            continue
        assert conv_out(size, kernel, stride, padding, ceil) == y.shape[-1]


def test_vanishing_feature_map_names_the_layer() -> None:
    spec = ResNetSpec(family="cifar", block="basic", blocks=(1,), input_size=(4, 4))
    plan = net_plan(spec)
    big = dataclasses.replace(plan.stem[0], kernel=9, padding=0)
    plan = dataclasses.replace(plan, stem=(big, *plan.stem[1:]))
    with pytest.raises(ValueError, match=r"input 4x4 is too small.*conv1.*larger input"):
        analyse(spec, plan=plan)


def test_every_preset_depth_has_consistent_counts() -> None:
    an = analyse(from_depth(1001, family="cifar"))
    assert an.spec.depth == 1001
    convs = [r for r in an.layers if r.type == "Conv2d" and r.path != "shortcut"]
    assert len(convs) + 1 == 1001  # main-path convs + stem conv counted with the fc
    assert sum(r.type == "Linear" for r in an.layers) == 1


def test_stride_note() -> None:
    assert "3x3" in stride_note(from_depth(50))
    assert "first 1x1" in stride_note(from_depth(50, variant="v1"))
    assert stride_note(from_depth(18)) == ""
    assert stride_note(from_depth(164, family="cifar")) == ""


# ------------------------------------------------------------------ memory
def _tiny() -> Analysis:
    return analyse(ResNetSpec(family="cifar", block="basic", blocks=(1,), in_channels=1,
                              num_classes=2, input_size=(2, 2)))


def test_memory_by_hand() -> None:
    """One identity block on a 1x2x2 input; every feature map is 16x2x2 = 64 values."""
    an = _tiny()
    assert [r.name for r in an.layers] == [
        "conv1", "bn1", "relu", "layer1.0.conv1", "layer1.0.bn1", "layer1.0.relu1",
        "layer1.0.conv2", "layer1.0.bn2", "layer1.0.add", "layer1.0.relu2",
        "avgpool", "flatten", "fc"]
    # params: 3x3 stem conv 1->16, BN, two 3x3 16->16 convs, two BNs, fc 16->2 + bias
    params = 1 * 16 * 9 + 32 + 2 * 16 * 16 * 9 + 2 * 32 + 16 * 2 + 2
    assert an.params == params == 4_882
    m = memory(an)
    assert m.params == 4 * params
    # training keeps the input (4) and every output but flatten's view:
    # 3 stem maps + 7 block maps of 64, the pooled 16 and the 2 logits
    assert m.training == 4 * (4 + 10 * 64 + 16 + 2)
    # inference peak: inside the block the block input (64) stays alive for the addition,
    # next to the current op's input and output (64 each)
    assert m.inference == 4 * 3 * 64
    assert m.training_by_stage == {"stem": 4 * (4 + 3 * 64), "layer1": 4 * 7 * 64,
                                   "head": 4 * (16 + 2)}
    assert m.inference_by_stage == {"stem": 4 * 128, "layer1": 4 * 192, "head": 4 * 80}


@pytest.mark.parametrize("spec", [
    from_depth(50), from_depth(18, input_size=(97, 61)), from_depth(56, family="cifar"),
    from_depth(164, family="cifar"), from_depth(26, shortcut="D", variant="v1")],
    ids=lambda s: s.name)
def test_memory_sanity(spec: ResNetSpec) -> None:
    an = analyse(spec)
    one = memory(an)
    assert one.training >= one.inference > 0
    assert one.params == 4 * an.params
    assert memory(an, batch=8).training == 8 * one.training
    assert memory(an, batch=8).inference == 8 * one.inference
    half = memory(an, batch=3, dtype_bytes=2)
    assert half.training * 2 == 3 * one.training
    assert half.params * 2 == one.params  # params do not scale with the batch
    assert one.inference == max(one.inference_by_stage.values())
    assert one.training == sum(one.training_by_stage.values())
    biggest = max(r.out_elements for r in an.layers)
    assert one.inference >= 4 * biggest


def test_memory_resnet50_training_is_sum_of_outputs() -> None:
    an = analyse(from_depth(50))
    kept = sum(r.out_elements for r in an.layers if r.type != "Flatten") + 3 * 224 * 224
    assert memory(an).training == 4 * kept


@pytest.mark.parametrize(("batch", "dtype_bytes"), [(0, 4), (1, 0), (-1, 4)])
def test_memory_rejects_bad_arguments(batch: int, dtype_bytes: int) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        memory(_tiny(), batch=batch, dtype_bytes=dtype_bytes)


def test_op_kinds_cover_all_layer_types() -> None:
    types = {r.type for s in (from_depth(26, shortcut="D"), from_depth(20, family="cifar"))
             for r in analyse(s).layers}
    assert types == {k.value for k in OpKind}

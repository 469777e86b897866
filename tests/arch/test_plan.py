"""The plan: the ops inside each block, their order, names and strides."""

from __future__ import annotations

from itertools import pairwise

import pytest

from resnet_viz.arch.plan import BlockPlan, Op, OpKind, block_plan, net_plan, shortcut_kind
from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import ResNetSpec, ShortcutKind


def _names(ops: tuple[Op, ...]) -> list[str]:
    return [o.name for o in ops]


def _convs(b: BlockPlan) -> list[Op]:
    return [o for o in b.main if o.kind is OpKind.CONV]


def test_imagenet_stem_and_head() -> None:
    plan = net_plan(from_depth(50))
    assert _names(plan.stem) == ["conv1", "bn1", "relu", "maxpool"]
    conv1 = plan.stem[0]
    assert (conv1.in_ch, conv1.out_ch, conv1.kernel, conv1.stride, conv1.padding) == (
        3, 64, 7, 2, 3)
    mp = plan.stem[3]
    assert (mp.kind, mp.kernel, mp.stride, mp.padding) == (OpKind.MAXPOOL, 3, 2, 1)
    assert _names(plan.head) == ["avgpool", "flatten", "fc"]
    fc = plan.head[-1]
    assert (fc.in_ch, fc.out_ch, fc.bias) == (2048, 1000, True)


def test_cifar_stem() -> None:
    assert _names(net_plan(from_depth(20, family="cifar")).stem) == ["conv1", "bn1", "relu"]
    preact = net_plan(from_depth(164, family="cifar"))
    assert _names(preact.stem) == ["conv1"]
    assert preact.stem[0].kernel == 3 and preact.stem[0].stride == 1
    assert _names(preact.head) == ["final_bn", "final_relu", "avgpool", "flatten", "fc"]


def test_basic_block_layout() -> None:
    b = net_plan(from_depth(18)).stages[1][0]
    assert b.name == "layer2.0"
    assert _names(b.main) == ["conv1", "bn1", "relu1", "conv2", "bn2", "add"]
    assert _names(b.post) == ["relu2"]
    assert [(c.in_ch, c.out_ch, c.kernel, c.stride) for c in _convs(b)] == [
        (64, 128, 3, 2), (128, 128, 3, 1)]
    assert b.shortcut is ShortcutKind.PROJECTION
    assert _names(b.short) == ["downsample.0", "downsample.1"]
    assert [o.kind for o in b.short] == [OpKind.CONV, OpKind.BN]
    assert b.short[0].stride == 2 and b.short[0].kernel == 1


@pytest.mark.parametrize(("variant", "strides"), [("v1.5", [1, 2, 1]), ("v1", [2, 1, 1])])
def test_bottleneck_stride_placement(variant: str, strides: list[int]) -> None:
    b = net_plan(from_depth(50, variant=variant)).stages[2][0]
    assert _names(b.main) == ["conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "conv3", "bn3",
                              "add"]
    assert _names(b.post) == ["relu3"]
    assert [c.stride for c in _convs(b)] == strides
    assert [c.kernel for c in _convs(b)] == [1, 3, 1]
    assert [(c.in_ch, c.out_ch) for c in _convs(b)] == [(512, 256), (256, 256), (256, 1024)]


def test_grouped_conv_is_the_3x3() -> None:
    b = net_plan(from_depth(50, groups=32, width_per_group=4)).stages[0][1]
    assert [c.groups for c in _convs(b)] == [1, 32, 1]


def test_preact_block_layout() -> None:
    b = net_plan(from_depth(164, family="cifar")).stages[1][0]
    assert _names(b.main) == ["bn1", "relu1", "conv1", "bn2", "relu2", "conv2", "bn3", "relu3",
                              "conv3", "add"]
    assert b.post == ()
    assert [o.in_ch for o in b.main if o.kind is OpKind.BN] == [64, 32, 32]
    assert _names(b.short) == ["downsample.0"]  # projection without BN
    basic = net_plan(ResNetSpec(block="basic", blocks=(1, 1), preact=True)).stages[1][0]
    assert _names(basic.main) == ["bn1", "relu1", "conv1", "bn2", "relu2", "conv2", "add"]


@pytest.mark.parametrize(("option", "first", "later", "first_ops"), [
    ("A", ShortcutKind.ZERO_PAD, ShortcutKind.IDENTITY, ["downsample"]),
    ("B", ShortcutKind.PROJECTION, ShortcutKind.IDENTITY, ["downsample.0", "downsample.1"]),
    ("C", ShortcutKind.PROJECTION, ShortcutKind.PROJECTION, ["downsample.0", "downsample.1"]),
    ("D", ShortcutKind.AVG_PROJECTION, ShortcutKind.IDENTITY,
     ["downsample.0", "downsample.1", "downsample.2"]),
])
def test_shortcut_options(option: str, first: ShortcutKind, later: ShortcutKind,
                          first_ops: list[str]) -> None:
    plan = net_plan(from_depth(20, family="cifar", shortcut=option))
    down, rest = plan.stages[1][0], plan.stages[1][1]
    assert down.shortcut is first and rest.shortcut is later
    assert _names(down.short) == first_ops
    if later is ShortcutKind.IDENTITY:
        assert rest.short == ()
    # the first stage keeps its width and stride: identity unless C projects everything
    assert plan.stages[0][0].shortcut is (
        ShortcutKind.PROJECTION if option == "C" else ShortcutKind.IDENTITY)


def test_resnet_d_shortcut_pools_then_projects() -> None:
    b = net_plan(from_depth(50, shortcut="D")).stages[1][0]
    pool, conv, bn = b.short
    assert (pool.kind, pool.kernel, pool.stride, pool.ceil_mode) == (OpKind.AVGPOOL, 2, 2, True)
    assert (conv.kind, conv.stride, conv.kernel) == (OpKind.CONV, 1, 1)
    assert bn.kind is OpKind.BN
    # the first stage changes width but not resolution: a plain projection
    first = net_plan(from_depth(50, shortcut="D")).stages[0][0]
    assert first.shortcut is ShortcutKind.PROJECTION
    assert [o.kind for o in first.short] == [OpKind.CONV, OpKind.BN]


def test_plain_ablation_has_no_shortcut_and_no_add() -> None:
    plan = net_plan(from_depth(34, shortcuts=False))
    for stage in plan.stages:
        for b in stage:
            assert b.shortcut is ShortcutKind.NONE and b.short == ()
            assert all(o.kind is not OpKind.ADD for o in b.main)
            assert _names(b.post) == ["relu2"]


def test_shortcut_kind_decisions() -> None:
    spec = from_depth(50)
    assert shortcut_kind(spec, 256, 256, 1) is ShortcutKind.IDENTITY
    assert shortcut_kind(spec, 64, 256, 1) is ShortcutKind.PROJECTION
    assert shortcut_kind(spec.with_(shortcut="D"), 64, 256, 1) is ShortcutKind.PROJECTION
    assert shortcut_kind(spec.with_(shortcut="D"), 256, 512, 2) is ShortcutKind.AVG_PROJECTION
    assert shortcut_kind(spec.with_(shortcuts=False), 64, 256, 2) is ShortcutKind.NONE


def test_net_plan_blocks_and_repeats() -> None:
    spec = from_depth(152)
    plan = net_plan(spec)
    assert [len(s) for s in plan.stages] == [3, 8, 36, 3]
    for s, stage in enumerate(plan.stages, start=1):
        assert [b.index for b in stage] == list(range(len(stage)))
        assert all(b.stage == s for b in stage)
        assert stage[0].stride == (1 if s == 1 else 2)
        for b in stage[1:]:  # every later block equals a freshly planned one
            fresh = block_plan(spec, s, b.index, b.in_ch)
            assert b == fresh
            assert b.stride == 1 and b.in_ch == b.out_ch
    # channels chain from block to block
    chain = [b for stage in plan.stages for b in stage]
    assert chain[0].in_ch == 64
    assert all(a.out_ch == b.in_ch for a, b in pairwise(chain))

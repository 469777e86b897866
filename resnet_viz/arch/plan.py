"""The layer-by-layer plan of a spec: which ops, in which order, with which sizes.

This is the one place that knows the inside of a block. The torch builder
instantiates exactly these ops (same names, same order) and the analysis walks
them to compute shapes and costs, so the two can never disagree silently; the
tests check both against a real forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from resnet_viz.arch.names import block_name
from resnet_viz.arch.spec import BlockKind, Family, ResNetSpec, Shortcut, ShortcutKind, Variant


class OpKind(StrEnum):
    """One elementary layer."""

    CONV = "Conv2d"
    BN = "BatchNorm2d"
    RELU = "ReLU"
    MAXPOOL = "MaxPool2d"
    AVGPOOL = "AvgPool2d"  # the 2x2 average pool of a ResNet-D shortcut
    GAP = "AdaptiveAvgPool2d"  # global average pool before the classifier
    FLATTEN = "Flatten"
    FC = "Linear"
    ZEROPAD = "ZeroPadShortcut"  # option A: subsample, then zero-pad channels
    ADD = "Add"  # the shortcut addition


@dataclass(frozen=True, slots=True)
class Op:
    """One layer, named as its torch module relative to its parent.

    ``in_ch``/``out_ch`` are channels (features for the fc). ``kernel``,
    ``stride`` and ``padding`` apply to convs and pools.
    """

    name: str
    kind: OpKind
    in_ch: int
    out_ch: int
    kernel: int = 1
    stride: int = 1
    padding: int = 0
    groups: int = 1
    bias: bool = False
    ceil_mode: bool = False


@dataclass(frozen=True, slots=True)
class BlockPlan:
    """One residual block: its main path, its shortcut path and what follows the add."""

    stage: int  # 1-based
    index: int  # 0-based within the stage
    in_ch: int
    out_ch: int
    stride: int
    shortcut: ShortcutKind
    main: tuple[Op, ...]
    short: tuple[Op, ...]
    post: tuple[Op, ...]  # after the add (the final ReLU of a post-activation block)

    @property
    def name(self) -> str:
        """Qualified module name, e.g. ``layer2.0``."""
        return block_name(self.stage, self.index)


@dataclass(frozen=True, slots=True)
class NetPlan:
    """The whole network: stem ops, blocks per stage, head ops (all top-level names)."""

    stem: tuple[Op, ...]
    stages: tuple[tuple[BlockPlan, ...], ...]
    head: tuple[Op, ...]


def _conv(name: str, cin: int, cout: int, k: int, stride: int = 1, groups: int = 1) -> Op:
    return Op(name, OpKind.CONV, cin, cout, kernel=k, stride=stride, padding=k // 2, groups=groups)


def _bn(name: str, c: int) -> Op:
    return Op(name, OpKind.BN, c, c)


def _relu(name: str, c: int) -> Op:
    return Op(name, OpKind.RELU, c, c)


def stem_ops(spec: ResNetSpec) -> tuple[Op, ...]:
    """The stem: ``conv1`` (+ ``bn1``, ``relu``, ``maxpool``) as torchvision names them."""
    w = spec.stem_width
    if spec.family is Family.IMAGENET:
        return (_conv("conv1", spec.in_channels, w, 7, 2), _bn("bn1", w), _relu("relu", w),
                Op("maxpool", OpKind.MAXPOOL, w, w, kernel=3, stride=2, padding=1))
    if spec.preact:  # the first unit's pre-activation normalises the stem output
        return (_conv("conv1", spec.in_channels, w, 3),)
    return (_conv("conv1", spec.in_channels, w, 3), _bn("bn1", w), _relu("relu", w))


def head_ops(spec: ResNetSpec) -> tuple[Op, ...]:
    """The head: (pre-activation's final BN-ReLU,) global pool, flatten, fc."""
    c = spec.feature_channels
    ops: list[Op] = []
    if spec.preact:
        ops += [_bn("final_bn", c), _relu("final_relu", c)]
    ops += [Op("avgpool", OpKind.GAP, c, c), Op("flatten", OpKind.FLATTEN, c, c),
            Op("fc", OpKind.FC, c, spec.num_classes, bias=True)]
    return tuple(ops)


def shortcut_kind(spec: ResNetSpec, in_ch: int, out_ch: int, stride: int) -> ShortcutKind:
    """What the shortcut of a block with these sizes is under the spec's option."""
    if not spec.shortcuts:
        return ShortcutKind.NONE
    changes = in_ch != out_ch or stride != 1
    option = spec.shortcut
    if option is Shortcut.PROJECT_ALL:
        return ShortcutKind.PROJECTION
    if not changes:
        return ShortcutKind.IDENTITY
    if option is Shortcut.ZERO_PAD:
        return ShortcutKind.ZERO_PAD
    if option is Shortcut.AVG_DOWN and stride != 1:
        return ShortcutKind.AVG_PROJECTION
    return ShortcutKind.PROJECTION


def _shortcut_ops(spec: ResNetSpec, kind: ShortcutKind, cin: int, cout: int,
                  stride: int) -> tuple[Op, ...]:
    """Shortcut ops under torchvision's names (``downsample.0`` conv, ``downsample.1`` BN)."""
    if kind is ShortcutKind.ZERO_PAD:
        return (Op("downsample", OpKind.ZEROPAD, cin, cout, stride=stride),)
    ops: list[Op] = []
    conv_stride = stride
    if kind is ShortcutKind.AVG_PROJECTION:
        ops.append(Op("downsample.0", OpKind.AVGPOOL, cin, cin, kernel=2, stride=stride,
                      ceil_mode=True))
        conv_stride = 1
    if kind in (ShortcutKind.PROJECTION, ShortcutKind.AVG_PROJECTION):
        ops.append(_conv(f"downsample.{len(ops)}", cin, cout, 1, conv_stride))
        if not spec.preact:  # pre-activation projections carry no BN (He et al. 2016)
            ops.append(_bn(f"downsample.{len(ops)}", cout))
    return tuple(ops)


def _main_ops(spec: ResNetSpec, cin: int, mid: int, cout: int, stride: int) -> list[Op]:
    """Main path: conv/BN/ReLU in post- or pre-activation order."""
    if spec.block is BlockKind.BASIC:
        convs = [_conv("conv1", cin, mid, 3, stride), _conv("conv2", mid, cout, 3)]
    else:
        s1, s3 = (stride, 1) if spec.variant is Variant.V1 else (1, stride)
        convs = [_conv("conv1", cin, mid, 1, s1), _conv("conv2", mid, mid, 3, s3, spec.groups),
                 _conv("conv3", mid, cout, 1)]
    ops: list[Op] = []
    for i, conv in enumerate(convs, start=1):
        last = i == len(convs)
        if spec.preact:
            ops += [_bn(f"bn{i}", conv.in_ch), _relu(f"relu{i}", conv.in_ch), conv]
        else:
            ops += [conv, _bn(f"bn{i}", conv.out_ch)]
            if not last:
                ops.append(_relu(f"relu{i}", conv.out_ch))
    return ops


def block_plan(spec: ResNetSpec, stage: int, index: int, in_ch: int) -> BlockPlan:
    """The plan of one block (``stage`` 1-based, ``index`` 0-based)."""
    st = spec.stages[stage - 1]
    stride = st.stride if index == 0 else 1
    cout = st.out_channels
    kind = shortcut_kind(spec, in_ch, cout, stride)
    main = _main_ops(spec, in_ch, st.mid_channels, cout, stride)
    short = _shortcut_ops(spec, kind, in_ch, cout, stride)
    post: tuple[Op, ...] = ()
    if kind is not ShortcutKind.NONE:
        main.append(Op("add", OpKind.ADD, cout, cout))
    if not spec.preact:
        post = (_relu(f"relu{len([o for o in main if o.kind is OpKind.CONV])}", cout),)
    return BlockPlan(stage, index, in_ch, cout, stride, kind, tuple(main), short, post)


def net_plan(spec: ResNetSpec) -> NetPlan:
    """The whole network's plan.

    Blocks after the first in a stage are identical up to their index, so each
    stage computes two block plans and re-labels the rest.
    """
    stages = []
    in_ch = spec.stem_width
    for st in spec.stages:
        first = block_plan(spec, st.index, 0, in_ch)
        blocks = [first]
        if st.blocks > 1:
            rest = block_plan(spec, st.index, 1, first.out_ch)
            blocks.append(rest)
            blocks += [BlockPlan(rest.stage, i, rest.in_ch, rest.out_ch, rest.stride,
                                 rest.shortcut, rest.main, rest.short, rest.post)
                       for i in range(2, st.blocks)]
        stages.append(tuple(blocks))
        in_ch = st.out_channels
    return NetPlan(stem_ops(spec), tuple(stages), head_ops(spec))

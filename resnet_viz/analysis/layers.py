"""Exact per-layer analysis of a spec, computed from the plan alone (no tensors).

Conventions (one place, so the UI can state and switch them):

* ``macs``: multiply-accumulates of conv and linear layers only, per sample
  (torchvision's "GFLOPS", torchinfo's mult-adds, ``FlopCounterMode`` / 2).
  ``flops = 2 * macs``.
* ``ops``: the other arithmetic, per sample, by layer type: BatchNorm 2 per
  output element (scale and shift, inference form), ReLU 1, max/average pool
  ``k*k`` per output element, global average pool 1 per input element, shortcut
  addition 1 per output element; flatten and zero-padding 0.
* Receptive field ``rf`` and ``jump`` (effective stride) along the widest path.
* Memory: see :func:`memory`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from resnet_viz.arch.names import HEAD, STEM, stage_module
from resnet_viz.arch.plan import BlockPlan, NetPlan, Op, OpKind, net_plan
from resnet_viz.arch.spec import BlockKind, ResNetSpec, ShortcutKind

Shape = tuple[int, ...]


class LayerRecord(NamedTuple):
    """One layer. ``name`` is the torch module's qualified name."""

    name: str
    type: str  # an OpKind value: Conv2d, BatchNorm2d, ...
    group: str  # "stem", "layer1".., or "head"
    block: int  # index within the stage; -1 outside blocks
    path: str  # "main", "shortcut", "post" (after the add) or "" outside blocks
    in_shape: Shape
    out_shape: Shape
    kernel: int
    stride: int
    padding: int
    groups: int
    params: int
    macs: int
    ops: int
    out_elements: int
    rf: int
    jump: int


@dataclass(frozen=True)
class BlockSummary:
    """Totals of one residual block."""

    name: str
    stage: int
    index: int
    in_shape: Shape
    out_shape: Shape
    stride: int
    shortcut: ShortcutKind
    params: int
    macs: int
    ops: int
    rf: int
    first: int  # index of the block's first layer in ``Analysis.layers``
    last: int  # one past its last layer


@dataclass(frozen=True)
class TableRow:
    """A row of the paper's Table 1."""

    name: str  # conv1, conv2_x, ..., fc
    module: str  # stem, layer1, ..., head
    output_shape: Shape
    blocks: int
    description: str
    params: int
    macs: int
    ops: int
    first: int
    last: int


@dataclass(frozen=True)
class Analysis:
    """Everything the app shows about a spec, computed exactly from the spec."""

    spec: ResNetSpec
    layers: tuple[LayerRecord, ...]
    blocks: tuple[BlockSummary, ...]
    rows: tuple[TableRow, ...]  # Table 1 rows: conv1, one per stage, the fc head

    @property
    def stage_rows(self) -> tuple[TableRow, ...]:
        """The rows of the stages alone (``conv2_x`` ...), in step with ``spec.stages``."""
        return self.rows[1:-1]

    @property
    def params(self) -> int:
        """Trainable parameters (BN running statistics are buffers, not counted)."""
        return sum(r.params for r in self.layers)

    @property
    def macs(self) -> int:
        """Conv + linear multiply-accumulates per sample."""
        return sum(r.macs for r in self.layers)

    @property
    def flops(self) -> int:
        """``2 * macs``."""
        return 2 * self.macs

    def ops_by_type(self) -> dict[str, int]:
        """Non-MAC arithmetic per sample by layer type (see the module conventions)."""
        out: dict[str, int] = {}
        for r in self.layers:
            if r.ops:
                out[r.type] = out.get(r.type, 0) + r.ops
        return out

    @property
    def output_shape(self) -> Shape:
        """Shape of the logits for one sample."""
        return self.layers[-1].out_shape

    @property
    def receptive_field(self) -> int:
        """Receptive field of the last spatial feature map, in input pixels."""
        return max(r.rf for r in self.layers)


def conv_out(size: int, kernel: int, stride: int, padding: int, ceil_mode: bool = False) -> int:
    """Output length of a conv/pool along one axis, exactly as PyTorch computes it."""
    span = size + 2 * padding - kernel
    if ceil_mode:
        out = -(-span // stride) + 1
        if (out - 1) * stride >= size + padding:  # last window must start inside the input
            out -= 1
        return out
    return span // stride + 1 if span >= 0 else 0


class _Walker:
    """Accumulates records while walking a plan; kept tiny for speed."""

    def __init__(self) -> None:
        self.records: list[LayerRecord] = []

    def op(self, op: Op, prefix: str, group: str, block: int, path: str, shape: Shape,
           rf: int, jump: int) -> tuple[Shape, int, int]:
        c, h, w = shape if len(shape) == 3 else (shape[0], 1, 1)
        k = op.kind
        params = macs = ops = 0
        kernel, stride = op.kernel, op.stride
        if k is OpKind.CONV or k is OpKind.MAXPOOL or k is OpKind.AVGPOOL:
            oh = conv_out(h, kernel, stride, op.padding, op.ceil_mode)
            ow = conv_out(w, kernel, stride, op.padding, op.ceil_mode)
            if oh < 1 or ow < 1:
                raise ValueError(
                    f"input {self.records[0].in_shape[1] if self.records else h}x"
                    f"{self.records[0].in_shape[2] if self.records else w} is too small: "
                    f"the feature map would vanish at {prefix}{op.name} "
                    f"({h}x{w} into a {kernel}x{kernel}/{stride} {k}); use a larger input")
            out: Shape = (op.out_ch, oh, ow)
            n_out = op.out_ch * oh * ow
            if k is OpKind.CONV:
                params = op.out_ch * (op.in_ch // op.groups) * kernel * kernel
                params += op.out_ch if op.bias else 0
                macs = n_out * (op.in_ch // op.groups) * kernel * kernel
            else:
                ops = n_out * kernel * kernel
            rf += (kernel - 1) * jump
            jump *= stride
        elif k is OpKind.ZEROPAD:
            oh, ow = -(-h // stride), -(-w // stride)
            out, n_out = (op.out_ch, oh, ow), op.out_ch * oh * ow
            jump *= stride
        elif k is OpKind.GAP:
            out, n_out, ops = (c, 1, 1), c, c * h * w
        elif k is OpKind.FLATTEN:
            out, n_out = (c * h * w,), c * h * w
        elif k is OpKind.FC:
            out, n_out = (op.out_ch,), op.out_ch
            params = op.in_ch * op.out_ch + (op.out_ch if op.bias else 0)
            macs = op.in_ch * op.out_ch
        else:  # BN, ReLU, Add keep the shape
            out, n_out = shape, c * h * w
            if k is OpKind.BN:
                params, ops = 2 * c, 2 * n_out
            else:
                ops = n_out
        self.records.append(LayerRecord(
            prefix + op.name, k.value, group, block, path, shape, out, kernel, stride, op.padding,
            op.groups, params, macs, ops, n_out, rf, jump))
        return out, rf, jump


def _walk_block(wk: _Walker, b: BlockPlan, shape: Shape, rf: int, jump: int,
                ) -> tuple[Shape, int, int]:
    prefix, group = b.name + ".", stage_module(b.stage)
    ms, mrf, mj = shape, rf, jump
    add_op = None
    for op in b.main:
        if op.kind is OpKind.ADD:
            add_op = op
            continue
        ms, mrf, mj = wk.op(op, prefix, group, b.index, "main", ms, mrf, mj)
    ss, srf, sj = shape, rf, jump
    for op in b.short:
        ss, srf, sj = wk.op(op, prefix, group, b.index, "shortcut", ss, srf, sj)
    if add_op is not None:
        if ss != ms:  # cannot happen for a valid plan; guards future block kinds
            raise ValueError(f"{b.name}: shortcut {ss} and main path {ms} shapes differ")
        ms, mrf, mj = wk.op(add_op, prefix, group, b.index, "main", ms, max(mrf, srf), mj)
    for op in b.post:
        ms, mrf, mj = wk.op(op, prefix, group, b.index, "post", ms, mrf, mj)
    return ms, mrf, mj


def analyse(spec: ResNetSpec, *, plan: NetPlan | None = None) -> Analysis:
    """Per-layer, per-block and per-stage numbers for a spec.

    Args:
        spec: the architecture (its ``input_size`` sets the spatial sizes).
        plan: a precomputed plan (optional).

    Returns:
        The analysis; numbers are per sample.

    Raises:
        ValueError: if the input is too small (naming the layer where the map vanishes).
    """
    plan = plan or net_plan(spec)
    wk = _Walker()
    shape: Shape = (spec.in_channels, *spec.input_size)
    rf, jump = 1, 1
    for op in plan.stem:
        shape, rf, jump = wk.op(op, "", STEM, -1, "", shape, rf, jump)
    blocks: list[BlockSummary] = []
    for stage_blocks in plan.stages:
        for b in stage_blocks[:2]:
            first = len(wk.records)
            in_shape = shape
            shape, rf, jump = _walk_block(wk, b, shape, rf, jump)
            recs = wk.records[first:]
            blocks.append(BlockSummary(
                b.name, b.stage, b.index, in_shape, shape, b.stride, b.shortcut,
                sum(r.params for r in recs), sum(r.macs for r in recs),
                sum(r.ops for r in recs), rf, first, len(wk.records)))
        if len(stage_blocks) > 2:  # identical to block 1 up to names and receptive field
            rf = _repeat_blocks(wk.records, blocks, stage_blocks[2:])
    for op in plan.head:
        shape, rf, jump = wk.op(op, "", HEAD, -1, "", shape, rf, jump)
    layers = tuple(wk.records)
    return Analysis(spec, layers, tuple(blocks), _table1(spec, layers, blocks))


# Positions of the fields a repeated block changes, looked up by name so that a new
# LayerRecord field cannot shift them; tuple.__new__ skips NamedTuple's keyword parsing.
_NAME, _BLOCK, _RF = (LayerRecord._fields.index(f) for f in ("name", "block", "rf"))
_make = tuple.__new__


def _repeat_blocks(records: list[LayerRecord], blocks: list[BlockSummary],
                   rest: Sequence[BlockPlan]) -> int:
    """Append blocks 2.. of a stage as relabelled copies of block 1 (the hot path).

    Blocks after the first in a stage have stride 1 throughout, so every field
    but the name, the block index and the receptive field repeats, and the
    receptive field grows by the same amount in each block. The records are
    copied from block 1 with those three fields replaced: CIFAR ResNet-1202 has
    4,000 of them.

    Returns:
        The receptive field after the last block.
    """
    b0, b1 = blocks[-2], blocks[-1]
    delta = b1.rf - b0.rf
    cut = len(b1.name) + 1
    template: list[list[Any]] = [list(r) for r in records[b1.first:b1.last]]
    suffixes = [r[_NAME][cut:] for r in template]
    rfs = [r[_RF] for r in template]
    first, n = len(records), len(template)
    for k, b in enumerate(rest, start=1):
        prefix = b.name + "."
        for vals, suffix, r_rf in zip(template, suffixes, rfs, strict=True):
            vals[_NAME], vals[_BLOCK], vals[_RF] = prefix + suffix, b.index, r_rf + k * delta
            records.append(_make(LayerRecord, vals))
    for k, b in enumerate(rest, start=1):
        start = first + (k - 1) * n
        blocks.append(BlockSummary(b.name, b.stage, b.index, b1.in_shape, b1.out_shape,
                                   b1.stride, b1.shortcut, b1.params, b1.macs, b1.ops,
                                   b1.rf + k * delta, start, start + n))
    return b1.rf + len(rest) * delta


def _fmt_conv(k: int, c: int, groups: int = 1) -> str:
    return f"{k}x{k}, {c}" + (f", C={groups}" if groups > 1 else "")


def block_description(spec: ResNetSpec, stage: int) -> str:
    """The paper's bracket notation for a stage, e.g. ``[1x1, 64; 3x3, 64; 1x1, 256] x 3``."""
    st = spec.stages[stage - 1]
    if spec.block is BlockKind.BASIC:
        inner = f"{_fmt_conv(3, st.mid_channels)}; {_fmt_conv(3, st.out_channels)}"
    else:
        inner = (f"{_fmt_conv(1, st.mid_channels)}; {_fmt_conv(3, st.mid_channels, spec.groups)}; "
                 f"{_fmt_conv(1, st.out_channels)}")
    return f"[{inner}] x {st.blocks}"


def _summary(name: str, module: str, recs: Sequence[LayerRecord], blocks: int, desc: str,
             first: int) -> TableRow:
    return TableRow(name, module, recs[-1].out_shape, blocks, desc,
                        sum(r.params for r in recs), sum(r.macs for r in recs),
                        sum(r.ops for r in recs), first, first + len(recs))


def _table1(spec: ResNetSpec, layers: tuple[LayerRecord, ...],
            blocks: Sequence[BlockSummary]) -> tuple[TableRow, ...]:
    """Group layers into the paper's Table 1 rows (max-pool belongs to conv2_x there)."""
    stem_end = blocks[0].first
    if layers[stem_end - 1].type == OpKind.MAXPOOL.value:
        stem_end -= 1
    c1 = layers[0]
    rows = [_summary("conv1", STEM, layers[:stem_end], 0,
                     f"{_fmt_conv(c1.kernel, c1.out_shape[0])}, stride {c1.stride}", 0)]
    start = stem_end
    for st in spec.stages:
        stage_blocks = [b for b in blocks if b.stage == st.index]
        end = stage_blocks[-1].last
        desc = block_description(spec, st.index)
        if start < stage_blocks[0].first:
            mp = layers[start]
            desc = f"{mp.kernel}x{mp.kernel} max pool, stride {mp.stride}; {desc}"
        rows.append(TableRow(
            st.paper_name, st.module, layers[end - 1].out_shape, st.blocks, desc,
            sum(b.params for b in stage_blocks), sum(b.macs for b in stage_blocks),
            sum(b.ops for b in stage_blocks)
            + sum(r.ops for r in layers[start:stage_blocks[0].first]),
            start, end))
        start = end
    rows.append(_summary("fc", HEAD, layers[start:], 0,
                         f"global average pool, {spec.num_classes}-d fc", start))
    return tuple(rows)

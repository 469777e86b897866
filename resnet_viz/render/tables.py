"""Analysis -> pandas tables (Table 1, layers, blocks, stages) and the headline numbers.

Renderers only: every function returns a value and nothing is printed or
written. Numeric columns hold exact integers (parameter counts, MACs, bytes),
so hover text, CSV and JSON exports stay exact; the UI formats them, with
:func:`fmt_count` and :func:`fmt_bytes` when it wants short human strings.

Cost conventions (see :func:`cost`):

* ``conv+linear``: multiply-accumulates of conv and fc layers only (what
  torchvision and torchinfo call "FLOPs"/mult-adds, and what the paper's
  Table 1 reports). ``FLOPs = 2 * MACs``.
* ``all``: the above plus every other arithmetic op the analysis counts
  (BatchNorm, ReLU, pools, the shortcut addition; see
  :mod:`resnet_viz.analysis`). Each such op is one operation: it adds one FLOP
  and one MAC-equivalent. So under ``all``, ``FLOPs = 2 * MACs + ops`` and
  ``MACs = MACs + ops``; FLOPs is then *less* than twice the MAC figure.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import pandas as pd

from resnet_viz.analysis import Analysis, LayerRecord
from resnet_viz.arch.names import stage_of
from resnet_viz.arch.paper import (
    PAPER_FLOPS,
    PAPER_SOURCE,
    paper_flops,
    paper_mismatches,
    stride_note,
)
from resnet_viz.arch.plan import OpKind
from resnet_viz.arch.spec import Family, ResNetSpec
from resnet_viz.fmt import fmt_shape

if TYPE_CHECKING:
    from torch import nn

PAPER_COLUMN = "paper FLOPs (published)"


class Convention(StrEnum):
    """Which arithmetic a cost column counts."""

    CONV_LINEAR = "conv+linear"  # conv and fc multiply-accumulates only
    ALL_OPS = "all"  # plus BN, ReLU, pools and the shortcut additions


class CostUnit(StrEnum):
    """How a cost is expressed."""

    MACS = "MACs"
    FLOPS = "FLOPs"


def cost(macs: int, ops: int, *, unit: CostUnit | str = CostUnit.MACS,
         convention: Convention | str = Convention.CONV_LINEAR) -> int:
    """One cost figure from a MAC count and a count of other ops.

    A multiply-accumulate is two FLOPs. Under ``Convention.ALL_OPS`` each
    non-MAC op (a BN scale-and-shift element counts 2, a ReLU 1, ...: the
    analysis' ``ops``) is added once, in either unit: one FLOP, and one
    MAC-equivalent.

    Args:
        macs: conv + linear multiply-accumulates.
        ops: the other arithmetic ops.
        unit: ``MACs`` or ``FLOPs``.
        convention: ``conv+linear`` or ``all``.

    Returns:
        ``macs`` or ``2 * macs``, plus ``ops`` under ``all``.
    """
    base = 2 * macs if CostUnit(unit) is CostUnit.FLOPS else macs
    return base + ops if Convention(convention) is Convention.ALL_OPS else base


def cost_label(unit: CostUnit | str = CostUnit.MACS,
               convention: Convention | str = Convention.CONV_LINEAR) -> str:
    """Column / axis title for a cost, e.g. ``"MACs"`` or ``"FLOPs (all ops)"``."""
    unit = CostUnit(unit)
    return unit.value if Convention(convention) is Convention.CONV_LINEAR \
        else f"{unit.value} (all ops)"


def _total_cost(an: Analysis, unit: CostUnit | str, convention: Convention | str) -> int:
    return cost(an.macs, sum(r.ops for r in an.layers), unit=unit, convention=convention)


# ----------------------------------------------------------------------------- formatting
def fmt_kernel(r: LayerRecord) -> str:
    """``"3×3/2"`` for convs and pools, ``""`` for layers without a kernel."""
    if r.type in _KERNEL_TYPES:
        return f"{r.kernel}×{r.kernel}/{r.stride}"
    if r.type == OpKind.ZEROPAD.value and r.stride != 1:
        return f"/{r.stride}"
    return ""


_KERNEL_TYPES = frozenset({OpKind.CONV.value, OpKind.MAXPOOL.value, OpKind.AVGPOOL.value})


# ----------------------------------------------------------------------------- the paper
def paper_note(spec: ResNetSpec, an: Analysis) -> str:
    """A sentence or three on how the computed cost compares with the paper's number.

    Mentions the paper's rounding (to 0.1×10⁹), that its "FLOPs" are
    multiply-adds, the computed/published ratio and, for bottlenecks, the
    v1/v1.5 stride placement (:func:`resnet_viz.arch.paper.stride_note`). For a
    spec the paper did not publish, says why no number is shown.
    """
    why = paper_mismatches(spec)
    if why and spec.family is Family.IMAGENET and spec.depth in PAPER_FLOPS:
        return (f"The paper ({PAPER_SOURCE}) publishes {PAPER_FLOPS[spec.depth] / 1e9:.1f}×10⁹ "
                f"FLOPs for the standard ResNet-{spec.depth}; this configuration differs ("
                + "; ".join(why) + "), so no published number is shown.")
    if why:
        return (f"The paper ({PAPER_SOURCE}) publishes complexity only for the ImageNet "
                f"ResNet-18, 34, 50, 101 and 152; {spec.name} is not one of them ({why[0]}), "
                "so there is no published number to compare.")
    published = PAPER_FLOPS[spec.depth]
    ratio = an.macs / published
    rounds = round(an.macs / 1e8) == round(published / 1e8)
    parts = [
        f"Published ({PAPER_SOURCE}): {published / 1e9:.1f}×10⁹ \"FLOPs\", which are "
        "multiply-adds (this app's conv+linear MACs), rounded to 0.1×10⁹.",
        f"Computed: {an.macs:,} MACs ({an.macs / 1e9:.2f}×10⁹), {ratio:.3f}× the published "
        f"figure ({(ratio - 1) * 100:+.1f}%), "
        + ("which rounds to the published value." if rounds else
           "more than the rounding explains; the paper does not state exactly what it counted."),
    ]
    note = stride_note(spec)
    if note:
        parts.append(note)
    return " ".join(parts)


# ----------------------------------------------------------------------------- Table 1
def table1(an: Analysis, *, unit: CostUnit | str = CostUnit.MACS,
           convention: Convention | str = Convention.CONV_LINEAR,
           paper: bool = True) -> pd.DataFrame:
    """The paper's Table 1 for this spec, with a ``total`` row.

    Columns: ``layer name``, ``output size`` (``"256×56×56"``: channels × the
    paper's H×W), ``block``
    (the bracket description), ``params``, the cost (:func:`cost_label`) and,
    when ``paper`` is true and the spec is one the paper published
    (:func:`paper_flops`), :data:`PAPER_COLUMN` holding the published number
    in the ``total`` row only (``<NA>`` elsewhere). The published number is
    never used in place of a computed one.
    """
    label = cost_label(unit, convention)
    rows: list[dict[str, Any]] = [
        {"layer name": s.name, "output size": fmt_shape(s.output_shape),
         "block": s.description, "params": s.params,
         label: cost(s.macs, s.ops, unit=unit, convention=convention)}
        for s in an.rows
    ]
    rows.append({"layer name": "total", "output size": "", "block": an.spec.name,
                 "params": an.params, label: _total_cost(an, unit, convention)})
    df = pd.DataFrame(rows)
    published = paper_flops(an.spec) if paper else None
    if published is not None:
        col: list[Any] = [pd.NA] * (len(rows) - 1) + [published]
        df[PAPER_COLUMN] = pd.array(col, dtype="Int64")
    return df


# ----------------------------------------------------------------------------- layers
def activation_bytes(r: LayerRecord, *, batch: int = 1, dtype_bytes: int = 4) -> int:
    """Bytes of one layer's output for a batch (0 for Flatten, which is a view)."""
    return 0 if r.type == OpKind.FLATTEN.value else r.out_elements * batch * dtype_bytes


def layer_table(an: Analysis, *, model: nn.Module | None = None,
                unit: CostUnit | str = CostUnit.MACS,
                convention: Convention | str = Convention.CONV_LINEAR,
                batch: int = 1, dtype_bytes: int = 4) -> pd.DataFrame:
    """One row per analysis layer, optionally joined with torchinfo's summary of ``model``.

    Columns: ``name`` (the torch qualified module name), ``type``, ``stage``
    (stem, layer1.., head), ``block`` (``<NA>`` outside blocks), ``path``,
    ``input``, ``output`` (``"256×56×56"``, no batch dimension), ``kernel/stride``,
    ``params``, the cost (:func:`cost_label`), ``activation (bytes)``
    (:func:`activation_bytes`) and ``receptive field`` (input pixels).

    With ``model``, adds ``params (torchinfo)``, ``output (torchinfo)`` and a
    boolean ``match`` (both agree with the analysis), joined on the qualified
    module name. torchinfo runs one forward pass of a 1-sample input in eval
    mode without gradients (ResNet-152: ~0.2 s on two CPU threads).
    """
    layers = an.layers
    block_col: list[Any] = [r.block if r.block >= 0 else pd.NA for r in layers]
    df = pd.DataFrame({
        "name": [r.name for r in layers],
        "type": [r.type for r in layers],
        "stage": [r.group for r in layers],
        "block": pd.array(block_col, dtype="Int64"),
        "path": [r.path for r in layers],
        "input": [fmt_shape(r.in_shape) for r in layers],
        "output": [fmt_shape(r.out_shape) for r in layers],
        "kernel/stride": [fmt_kernel(r) for r in layers],
        "params": [r.params for r in layers],
        cost_label(unit, convention): [cost(r.macs, r.ops, unit=unit, convention=convention)
                                       for r in layers],
        "activation (bytes)": [activation_bytes(r, batch=batch, dtype_bytes=dtype_bytes)
                               for r in layers],
        "receptive field": [r.rf for r in layers],
    })
    if model is not None:
        _join_torchinfo(df, torchinfo_layers(model, (an.spec.in_channels, *an.spec.input_size)))
    return df


def _join_torchinfo(df: pd.DataFrame, seen: dict[str, tuple[int, tuple[int, ...]]]) -> None:
    params: list[Any] = []
    outputs: list[str] = []
    match: list[bool] = []
    for name, p, out in zip(df["name"], df["params"], df["output"], strict=True):
        hit = seen.get(name)
        if hit is None:
            params.append(pd.NA)
            outputs.append("")
            match.append(False)
            continue
        shape = fmt_shape(hit[1])
        params.append(hit[0])
        outputs.append(shape)
        match.append(hit[0] == p and shape == out)
    df["params (torchinfo)"] = pd.array(params, dtype="Int64")
    df["output (torchinfo)"] = outputs
    df["match"] = match


def torchinfo_layers(model: nn.Module, input_shape: tuple[int, ...],
                     ) -> dict[str, tuple[int, tuple[int, ...]]]:
    """``{qualified module name: (params, output shape without batch)}`` from torchinfo.

    torchinfo's ``LayerInfo.var_name`` is the module's name inside its parent;
    the qualified name is the chain of ``var_name`` up ``parent_info`` (the
    root, named after the model class, left out). Modules that did not run
    have an empty output shape.
    """
    import torch  # deferred: importing torch takes seconds
    import torchinfo

    param = next(model.parameters())
    # An explicit input keeps torchinfo from moving the model (it would pick CUDA when
    # available) and lets a meta-device model through: shapes without arithmetic.
    x = torch.zeros(1, *input_shape, device=param.device, dtype=param.dtype)
    try:
        stats = torchinfo.summary(model, input_data=x, verbose=0, depth=10,
                                  col_names=("output_size", "num_params"))
        out: dict[str, tuple[int, tuple[int, ...]]] = {}
        for info in stats.summary_list:
            name = _qualified_name(info)
            if name:
                size = info.output_size
                shape = tuple(size[1:]) if isinstance(size, list | tuple) and size else ()
                out[name] = (int(info.num_params), shape)
        return out
    finally:
        # torchinfo keeps the last summary (and so the model) in a module global
        torchinfo.torchinfo.clear_cached_forward_pass()


def _qualified_name(info: Any) -> str:
    parts: list[str] = []
    while info.parent_info is not None:
        parts.append(info.var_name)
        info = info.parent_info
    return ".".join(reversed(parts))


# ----------------------------------------------------------------------------- aggregates
PERCENT_FORMAT = "%.2f"
"""How every ``%`` column (a share of the whole network, 0-100) is shown: one format."""


def _share(part: int, total: int) -> float:
    return 100.0 * part / total if total else 0.0


def block_table(an: Analysis, *, unit: CostUnit | str = CostUnit.MACS,
                convention: Convention | str = Convention.CONV_LINEAR) -> pd.DataFrame:
    """One row per residual block.

    Columns: ``block`` (``layer2.0``), ``stage`` (``conv3_x``), ``index``,
    ``input``, ``output``, ``stride``, ``shortcut`` (its kind), ``params``,
    ``params %``, the cost (:func:`cost_label`), ``cost %`` and
    ``receptive field``. Shares are of the whole network.
    """
    label = cost_label(unit, convention)
    total_p, total_c = an.params, _total_cost(an, unit, convention)
    stage_name = {st.index: st.paper_name for st in an.spec.stages}
    rows = []
    for b in an.blocks:
        c = cost(b.macs, b.ops, unit=unit, convention=convention)
        rows.append({"block": b.name, "stage": stage_name[b.stage], "index": b.index,
                     "input": fmt_shape(b.in_shape), "output": fmt_shape(b.out_shape),
                     "stride": b.stride, "shortcut": b.shortcut.value, "params": b.params,
                     "params %": _share(b.params, total_p), label: c,
                     "cost %": _share(c, total_c), "receptive field": b.rf})
    return pd.DataFrame(rows)


def _shortcut_summary(an: Analysis, stage: int) -> str:
    counts = Counter(b.shortcut.value for b in an.blocks if b.stage == stage)
    return ", ".join(f"{n}× {kind}" for kind, n in counts.items())


def stage_table(an: Analysis, *, unit: CostUnit | str = CostUnit.MACS,
                convention: Convention | str = Convention.CONV_LINEAR) -> pd.DataFrame:
    """One row per Table-1 row (conv1, conv2_x, ..., fc).

    Columns: ``stage``, ``module`` (stem, layer1.., head), ``blocks``,
    ``output`` (``"256×56×56"``), ``shortcut`` (``"1× projection, 2× identity"``),
    ``params``, ``params %``, the cost (:func:`cost_label`) and ``cost %``.
    The max-pool belongs to conv2_x, as in the paper.
    """
    label = cost_label(unit, convention)
    total_p, total_c = an.params, _total_cost(an, unit, convention)
    rows = []
    for s in an.rows:
        c = cost(s.macs, s.ops, unit=unit, convention=convention)
        stage = stage_of(s.module) or 0
        rows.append({"stage": s.name, "module": s.module, "blocks": s.blocks,
                     "output": fmt_shape(s.output_shape),
                     "shortcut": _shortcut_summary(an, stage) if stage else "",
                     "params": s.params, "params %": _share(s.params, total_p), label: c,
                     "cost %": _share(c, total_c)})
    return pd.DataFrame(rows)

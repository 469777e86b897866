"""Parameter and activation memory of a spec, from its analysis (no tensors)."""

from __future__ import annotations

from dataclasses import dataclass

from resnet_viz.analysis.layers import Analysis, Shape
from resnet_viz.arch.names import STEM
from resnet_viz.arch.plan import OpKind


@dataclass(frozen=True)
class Memory:
    """Memory estimates in bytes for one batch size and dtype."""

    params: int
    inference: int  # peak of live activations, each freed after its last use
    training: int  # every layer output kept for the backward pass, plus the input
    inference_by_stage: dict[str, int]
    training_by_stage: dict[str, int]


def memory(an: Analysis, *, batch: int = 1, dtype_bytes: int = 4) -> Memory:
    """Parameter and activation memory.

    Inference: the peak over layers of the tensors alive at once (a block's
    input stays alive until its shortcut has used it; the main path's output
    stays alive while the shortcut runs). Training: the sum of every layer's
    output (no in-place ReLU), which autograd keeps for the backward pass,
    plus the input. Flatten is a view and costs nothing.

    Raises:
        ValueError: for a batch below 1 or a non-positive dtype size.
    """
    if batch < 1 or dtype_bytes < 1:
        raise ValueError(f"batch and dtype size must be positive; got {batch}, {dtype_bytes}")
    live = [_numel(r.in_shape) + r.out_elements for r in an.layers]  # stem, head, post ops
    for b in an.blocks:
        block_in = _numel(b.in_shape)
        main_out = block_in
        first_main = True
        for i in range(b.first, b.last):
            r = an.layers[i]
            if r.path == "main" and r.type != OpKind.ADD.value:
                live[i] = block_in + r.out_elements + (0 if first_main else _numel(r.in_shape))
                first_main, main_out = False, r.out_elements
            elif r.path == "shortcut":
                live[i] = main_out + _numel(r.in_shape) + r.out_elements
            elif r.type == OpKind.ADD.value:
                live[i] = 3 * r.out_elements
    scale = batch * dtype_bytes
    inf_by: dict[str, int] = {}
    train_by: dict[str, int] = {STEM: _numel(an.layers[0].in_shape) * scale}
    for r, n_live in zip(an.layers, live, strict=True):
        inf_by[r.group] = max(inf_by.get(r.group, 0), n_live * scale)
        kept = 0 if r.type == OpKind.FLATTEN.value else r.out_elements
        train_by[r.group] = train_by.get(r.group, 0) + kept * scale
    return Memory(an.params * dtype_bytes, max(inf_by.values()), sum(train_by.values()),
                  inf_by, train_by)


def _numel(shape: Shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n

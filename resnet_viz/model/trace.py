"""The same per-layer facts as :mod:`resnet_viz.analysis`, read off a real forward pass.

The cross-checks (the test suite and ``bench/``) compare the analytic numbers with the
built model: parameter counts from ``numel``, shapes from forward hooks and
MACs from ``torch.utils.flop_counter.FlopCounterMode``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from resnet_viz.model.hooks import leaf_modules


@dataclass(frozen=True)
class Trace:
    """Facts measured on a built model for one input batch."""

    params: int
    shapes: dict[str, tuple[int, ...]]  # leaf module name -> output shape without batch dim
    calls: dict[str, int]  # leaf module name -> how often it ran
    macs: int  # FlopCounterMode total / 2 per sample (conv + linear + matmul)


def trace(model: nn.Module, input_size: tuple[int, int], *, in_channels: int = 3,
          batch: int = 1) -> Trace:
    """Run one forward pass with hooks and a FLOP counter.

    Works on any device, including ``meta`` (no memory, no arithmetic). The
    pass runs in eval mode (then every module's mode is restored), so BatchNorm
    running statistics are not updated and a batch of one works at any size.

    Args:
        model: the model (not modified; hooks are removed afterwards).
        input_size: ``(height, width)``.
        in_channels: image channels.
        batch: batch size of the probe input.

    Returns:
        Parameter count, per-leaf output shapes and call counts, MACs per sample.
    """
    param = next(model.parameters())
    x = torch.zeros(batch, in_channels, *input_size, device=param.device, dtype=param.dtype)
    shapes: dict[str, tuple[int, ...]] = {}
    calls: dict[str, int] = {}
    handles = []
    for name, mod in leaf_modules(model).items():
        def hook(_m: nn.Module, _i: object, out: torch.Tensor, name: str = name) -> None:
            shapes[name] = tuple(out.shape[1:])
            calls[name] = calls.get(name, 0) + 1
        handles.append(mod.register_forward_hook(hook))
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(x)
    finally:
        for h in handles:
            h.remove()
        for m, training in modes:
            m.training = training
    macs = counter.get_total_flops() // 2 // batch
    return Trace(sum(p.numel() for p in model.parameters()), shapes, calls, macs)

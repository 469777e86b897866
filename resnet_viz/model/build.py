"""Torch modules built from a spec's plan.

For the torchvision-equivalent configurations (post-activation, shortcut B,
v1.5) the ``state_dict`` has exactly torchvision's keys and shapes, so a
torchvision checkpoint loads with ``strict=True``. ReLUs are separate modules
(``relu1``, ``relu2``, ...) and the shortcut addition is an ``Add`` module so
that every layer of the analysis has a module to hook; none of them has state.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator

import torch
from torch import Tensor, nn
from torch.nn import functional

from resnet_viz.arch.names import stage_module
from resnet_viz.arch.plan import BlockPlan, NetPlan, Op, OpKind, net_plan
from resnet_viz.arch.spec import ResNetSpec


class Add(nn.Module):
    """The shortcut addition as a module, so hooks see it."""

    def forward(self, main: Tensor, shortcut: Tensor) -> Tensor:
        return main + shortcut


class ZeroPadShortcut(nn.Module):
    """Option A: subsample spatially, then append zero channels (no parameters)."""

    def __init__(self, in_ch: int, out_ch: int, stride: int) -> None:
        super().__init__()
        self.in_ch, self.out_ch, self.stride = in_ch, out_ch, stride

    def forward(self, x: Tensor) -> Tensor:
        if self.stride != 1:
            x = x[:, :, :: self.stride, :: self.stride]
        extra = self.out_ch - self.in_ch
        return functional.pad(x, (0, 0, 0, 0, 0, extra)) if extra else x

    def extra_repr(self) -> str:
        return f"{self.in_ch}, {self.out_ch}, stride={self.stride}"


def make_module(op: Op) -> nn.Module:
    """The torch module for one planned op."""
    k = op.kind
    if k is OpKind.CONV:
        return nn.Conv2d(op.in_ch, op.out_ch, op.kernel, op.stride, op.padding,
                         groups=op.groups, bias=op.bias)
    if k is OpKind.BN:
        return nn.BatchNorm2d(op.out_ch)
    if k is OpKind.RELU:
        return nn.ReLU(inplace=False)
    if k is OpKind.MAXPOOL:
        return nn.MaxPool2d(op.kernel, op.stride, op.padding)
    if k is OpKind.AVGPOOL:
        return nn.AvgPool2d(op.kernel, op.stride, ceil_mode=op.ceil_mode, count_include_pad=False)
    if k is OpKind.GAP:
        return nn.AdaptiveAvgPool2d((1, 1))
    if k is OpKind.FLATTEN:
        return nn.Flatten(1)
    if k is OpKind.FC:
        return nn.Linear(op.in_ch, op.out_ch, bias=op.bias)
    if k is OpKind.ZEROPAD:
        return ZeroPadShortcut(op.in_ch, op.out_ch, op.stride)
    if k is OpKind.ADD:
        return Add()
    raise ValueError(f"no module for op kind {k}")


class ResidualBlock(nn.Module):
    """One block; its submodules and their order come from a :class:`BlockPlan`.

    ``use_shortcut`` switches the shortcut path off at run time (the plain twin).
    """

    def __init__(self, plan: BlockPlan) -> None:
        super().__init__()
        self.plan = plan
        self.use_shortcut = plan.short != () or any(o.kind is OpKind.ADD for o in plan.main)
        self._main = [o.name for o in plan.main if o.kind is not OpKind.ADD]
        self._short = [o.name for o in plan.short]
        self._post = [o.name for o in plan.post]
        # Registration order = torchvision's state_dict order (main path, then downsample).
        for op in plan.main:
            self.add_module(op.name, make_module(op))
        if any("." in o.name for o in plan.short):
            self.add_module("downsample", nn.Sequential(*(make_module(o) for o in plan.short)))
        elif plan.short:
            self.add_module(plan.short[0].name, make_module(plan.short[0]))
        for op in plan.post:
            self.add_module(op.name, make_module(op))

    def forward(self, x: Tensor) -> Tensor:
        out = x
        for name in self._main:
            out = self._modules[name](out)  # type: ignore[misc]
        if self.use_shortcut:
            identity = self._modules["downsample"](x) if self._short else x  # type: ignore[misc]
            out = self._modules["add"](out, identity)  # type: ignore[misc]
        for name in self._post:
            out = self._modules[name](out)  # type: ignore[misc]
        return out


class ResNet(nn.Module):
    """A ResNet whose structure is entirely described by ``spec``."""

    def __init__(self, spec: ResNetSpec, plan: NetPlan | None = None) -> None:
        super().__init__()
        self.spec = spec
        plan = plan or net_plan(spec)
        self._stem = [o.name for o in plan.stem]
        self._head = [o.name for o in plan.head]
        for op in plan.stem:
            self.add_module(op.name, make_module(op))
        self._stages = []
        for i, blocks in enumerate(plan.stages, start=1):
            self.add_module(stage_module(i), nn.Sequential(*(ResidualBlock(b) for b in blocks)))
            self._stages.append(stage_module(i))
        for op in plan.head:
            self.add_module(op.name, make_module(op))

    def forward(self, x: Tensor) -> Tensor:
        for name in (*self._stem, *self._stages, *self._head):
            x = self._modules[name](x)  # type: ignore[misc]
        return x

    def blocks(self) -> Iterator[tuple[str, ResidualBlock]]:
        """``(qualified name, block)`` for every residual block, input to output."""
        for name, module in self.named_modules():
            if isinstance(module, ResidualBlock):
                yield name, module


def init_weights(model: nn.Module) -> None:
    """Initialise as torchvision: Kaiming-normal (fan-out) convs, BN weight 1 / bias 0."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d | nn.GroupNorm):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)


def build(spec: ResNetSpec, *, device: str | torch.device = "cpu",
          dtype: torch.dtype = torch.float32, seed: int | None = None) -> ResNet:
    """Build the torch model for a spec.

    Args:
        spec: the architecture.
        device: where the parameters live; ``"meta"`` builds shapes only (no memory).
        dtype: parameter dtype.
        seed: seeds the initialisation for reproducible weights.

    Returns:
        The model in train mode, initialised as torchvision does.
    """
    device = torch.device(device)
    if seed is not None:
        torch.manual_seed(seed)
    with torch.device(device):
        model = ResNet(spec)
    if device.type != "meta":
        init_weights(model)
    return model.to(dtype=dtype)


def plain_twin(model: ResNet) -> ResNet:
    """The same network with every shortcut removed, sharing every weight.

    Parameters are the very same tensors (not copies), so gradients of both
    nets land in the same ``.grad`` and nothing is re-initialised. BatchNorm
    running statistics are copied, so running one twin in train mode does not
    move the other's statistics. Projection weights stay present but unused.
    """
    memo = {id(p): p for p in model.parameters()}
    twin = copy.deepcopy(model, memo)
    for module in twin.modules():  # hooks belong to whoever put them on ``model``
        module._forward_hooks.clear()
        module._forward_pre_hooks.clear()
        module._backward_hooks.clear()
        module._backward_pre_hooks.clear()
    twin.spec = dataclasses.replace(model.spec, shortcuts=False)
    for _, block in twin.blocks():
        block.use_shortcut = False
    return twin

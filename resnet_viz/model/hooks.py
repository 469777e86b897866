"""Where to hook a built ResNet: its blocks, its main-path weighted layers, its leaves.

Shared by the gradient probes and the cross-checks against the analysis, so
that both walk the module tree the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from resnet_viz.model.build import ResidualBlock, ResNet


@dataclass(frozen=True)
class HookPoints:
    """The modules a probe hooks, input to output."""

    blocks: tuple[tuple[str, ResidualBlock], ...]
    layers: tuple[tuple[str, nn.Module], ...]  # main-path convs and the fc (no projections)

    @property
    def block_names(self) -> tuple[str, ...]:
        """Qualified block names, e.g. ``layer1.0``."""
        return tuple(n for n, _ in self.blocks)

    @property
    def layer_names(self) -> tuple[str, ...]:
        """Qualified names of the main-path weighted layers."""
        return tuple(n for n, _ in self.layers)


def hook_points(model: ResNet) -> HookPoints:
    """Blocks and main-path weighted layers (stem conv, block convs, fc) in one pass.

    Shortcut projections are left out so that a net and its plain twin have
    the same list; its length is ``spec.depth``.
    """
    blocks: list[tuple[str, ResidualBlock]] = []
    layers: list[tuple[str, nn.Module]] = []
    short: set[int] = set()
    for name, m in model.named_modules():  # pre-order: a block comes before its children
        if isinstance(m, ResidualBlock):
            blocks.append((name, m))
            ds = getattr(m, "downsample", None)
            if isinstance(ds, nn.Module):
                short.update(id(x) for x in ds.modules())
        elif isinstance(m, nn.Conv2d | nn.Linear) and id(m) not in short:
            layers.append((name, m))
    return HookPoints(tuple(blocks), tuple(layers))


def block_main_params(block: ResidualBlock) -> list[nn.Parameter]:
    """A block's parameters on the main path (its shortcut projection left out)."""
    ds = getattr(block, "downsample", None)
    skip = {id(p) for p in ds.parameters()} if isinstance(ds, nn.Module) else set()
    return [p for p in block.parameters() if id(p) not in skip]


def leaf_modules(model: nn.Module) -> dict[str, nn.Module]:
    """Modules with no children, by qualified name."""
    return {n: m for n, m in model.named_modules() if n and not any(True for _ in m.children())}

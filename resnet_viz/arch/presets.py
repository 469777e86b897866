"""Depth -> spec: the published presets and one rule for every other depth.

The only depth tables in the code base live here.

Rule for depths that are not presets (documented in the README):

* depth = ``c * N + 2`` where ``c`` is 2 for basic and 3 for bottleneck blocks
  and ``N`` is the total number of blocks (the stem conv and the fc make the 2).
* ImageNet: with no block kind given, depths below 50 use basic blocks and
  50 and up use bottlenecks (as torchvision). The N blocks are spread over the
  four stages in ResNet-50's proportions 3:4:6:3 by the largest-remainder
  method, every stage keeping at least one block and ties going to the earlier
  stage. N=16 gives exactly (3, 4, 6, 3); N=32 gives (6, 8, 12, 6).
* CIFAR: the paper's 6n+2 (basic) and 9n+2 (bottleneck) with n blocks in each
  of the three stages. With no block kind given, a 6n+2 depth is basic and any
  other 9n+2 depth is bottleneck; 164 and 1001 are the pre-activation
  bottleneck presets of He et al. 2016.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resnet_viz.arch.limits import MAX_TOTAL_BLOCKS
from resnet_viz.arch.spec import (
    CONVS_PER_BLOCK,
    FAMILY_INFO,
    BlockKind,
    Family,
    ResNetSpec,
    Shortcut,
    parse_choice,
)


@dataclass(frozen=True)
class Preset:
    """A published configuration."""

    block: BlockKind
    blocks: tuple[int, ...]
    preact: bool = False
    source: str = ""


IMAGENET_PRESETS: dict[int, Preset] = {
    18: Preset(BlockKind.BASIC, (2, 2, 2, 2), source="He et al. 2015, Table 1"),
    34: Preset(BlockKind.BASIC, (3, 4, 6, 3), source="He et al. 2015, Table 1"),
    50: Preset(BlockKind.BOTTLENECK, (3, 4, 6, 3), source="He et al. 2015, Table 1"),
    101: Preset(BlockKind.BOTTLENECK, (3, 4, 23, 3), source="He et al. 2015, Table 1"),
    152: Preset(BlockKind.BOTTLENECK, (3, 8, 36, 3), source="He et al. 2015, Table 1"),
    200: Preset(BlockKind.BOTTLENECK, (3, 24, 36, 3), source="He et al. 2016 (ResNet-200)"),
}

CIFAR_PRESETS: dict[int, Preset] = {
    164: Preset(BlockKind.BOTTLENECK, (18, 18, 18), preact=True, source="He et al. 2016"),
    1001: Preset(BlockKind.BOTTLENECK, (111, 111, 111), preact=True, source="He et al. 2016"),
}

# ResNet-50's stage proportions, used to spread blocks for non-preset depths.
IMAGENET_WEIGHTS: tuple[int, ...] = (3, 4, 6, 3)

STANDARD_DEPTHS: dict[Family, tuple[int, ...]] = {
    Family.IMAGENET: tuple(IMAGENET_PRESETS),
    Family.CIFAR: (20, 32, 44, 56, 110, 164, 1001, 1202),
}


# What the gradient page's depth sweep offers (post-activation nets whose probe takes
# seconds) and which of them it starts with.
SWEEP_DEPTHS: dict[Family, tuple[int, ...]] = {
    Family.IMAGENET: (18, 34, 50, 101, 152),
    Family.CIFAR: (20, 32, 44, 56, 110),
}
SWEEP_DEFAULT: dict[Family, tuple[int, ...]] = {
    Family.IMAGENET: (18, 50, 152),
    Family.CIFAR: (20, 56, 110),
}


def preset_for(family: Family | str, depth: int) -> Preset | None:
    """The published preset for a depth, or ``None``."""
    table = IMAGENET_PRESETS if Family(family) is Family.IMAGENET else CIFAR_PRESETS
    return table.get(depth)


def default_block(family: Family | str, depth: int) -> BlockKind:
    """The block kind a bare depth implies (see the module docstring)."""
    family = Family(family)
    preset = preset_for(family, depth)
    if preset is not None:
        return preset.block
    if family is Family.IMAGENET:
        return BlockKind.BASIC if depth < 50 else BlockKind.BOTTLENECK
    if depth >= 8 and (depth - 2) % 6 == 0:
        return BlockKind.BASIC
    if depth >= 11 and (depth - 2) % 9 == 0:
        return BlockKind.BOTTLENECK
    raise ValueError(
        f"depth {depth} is not a CIFAR ResNet depth: basic blocks need depth = 6n+2 "
        f"(nearest: {_fmt(valid_depths_near(family, BlockKind.BASIC, depth))}), bottlenecks "
        f"need 9n+2 (nearest: {_fmt(valid_depths_near(family, BlockKind.BOTTLENECK, depth))})")


def depth_step(family: Family | str, block: BlockKind | str) -> tuple[int, int]:
    """``(step, minimum)`` of the valid depths: depth = step * k + 2, depth >= minimum."""
    family, block = Family(family), BlockKind(block)
    per_block = CONVS_PER_BLOCK[block]
    n_stages = len(FAMILY_INFO[family].base_widths)
    if family is Family.CIFAR:
        return per_block * n_stages, per_block * n_stages + 2
    return per_block, per_block * n_stages + 2


def is_valid_depth(family: Family | str, block: BlockKind | str, depth: int) -> bool:
    """Whether ``depth`` is reachable for this family and block kind."""
    step, minimum = depth_step(family, block)
    max_depth = CONVS_PER_BLOCK[BlockKind(block)] * MAX_TOTAL_BLOCKS + 2
    return minimum <= depth <= max_depth and (depth - 2) % step == 0


def valid_depths_near(family: Family | str, block: BlockKind | str, depth: int) -> list[int]:
    """The valid depths just below and just above ``depth`` (one or two values)."""
    step, minimum = depth_step(family, block)
    max_depth = CONVS_PER_BLOCK[BlockKind(block)] * MAX_TOTAL_BLOCKS + 2
    top = 2 + ((max_depth - 2) // step) * step  # the deepest valid depth
    below = min(2 + ((depth - 2) // step) * step, top)
    out = []
    if minimum <= below <= max_depth and below != depth:
        out.append(below)
    above = below + step if below < depth else below
    if above == depth:
        above += step
    above = max(above, minimum)
    if above <= max_depth:
        out.append(above)
    return out


def spread_blocks(total: int, weights: tuple[int, ...]) -> tuple[int, ...]:
    """Spread ``total`` blocks over stages in proportion to ``weights``.

    Largest-remainder method; every stage keeps at least one block; ties go to
    the earlier stage.

    Raises:
        ValueError: if there are fewer blocks than stages.
    """
    n = len(weights)
    if total < n:
        raise ValueError(f"{total} blocks cannot fill {n} stages (at least one each)")
    wsum = sum(weights)
    ideal = [total * w / wsum for w in weights]
    counts = [max(1, int(x)) for x in ideal]
    while sum(counts) > total:  # the max(1, ...) floor overshot: take from the largest
        i = max((j for j in range(n) if counts[j] > 1), key=lambda j: (counts[j] - ideal[j], -j))
        counts[i] -= 1
    order = sorted(range(n), key=lambda j: (-(ideal[j] - counts[j]), j))
    k = 0
    while sum(counts) < total:
        counts[order[k % n]] += 1
        k += 1
    return tuple(counts)


def blocks_for_depth(family: Family | str, block: BlockKind | str, depth: int) -> tuple[int, ...]:
    """Blocks per stage for a depth (presets first, then the rule).

    Raises:
        ValueError: naming the formula and the nearest valid depths.
    """
    family, block = Family(family), BlockKind(block)
    preset = preset_for(family, depth)
    if preset is not None and preset.block is block:
        return preset.blocks
    if not is_valid_depth(family, block, depth):
        step, minimum = depth_step(family, block)
        formula = f"depth = {step}n + 2" if family is Family.CIFAR else f"depth = {step}*blocks + 2"
        near = valid_depths_near(family, block, depth)
        raise ValueError(
            f"depth {depth} is not valid for {family} {block} blocks ({formula}, "
            f"at least {minimum}); nearest: {_fmt(near)}")
    total = (depth - 2) // CONVS_PER_BLOCK[block]
    if family is Family.CIFAR:
        n_stages = len(FAMILY_INFO[family].base_widths)
        return (total // n_stages,) * n_stages
    return spread_blocks(total, IMAGENET_WEIGHTS)


def from_depth(depth: int, *, family: Family | str = Family.IMAGENET,
               block: BlockKind | str | None = None, preact: bool | None = None,
               shortcut: Shortcut | str | None = None, **fields: Any) -> ResNetSpec:
    """Build a spec from a depth.

    Args:
        depth: number of weighted layers (e.g. 50).
        family: ``imagenet`` or ``cifar``.
        block: block kind; ``None`` lets the depth decide (see the module docstring).
        preact: pre-activation; ``None`` takes the preset's value (True for CIFAR 164/1001).
        shortcut: shortcut option; ``None`` takes the family's default (B ImageNet, A CIFAR;
            B for the pre-activation presets).
        **fields: any other :class:`ResNetSpec` field.

    Raises:
        ValueError: for an invalid depth (naming the formula and the nearest valid depths)
            or any invalid field.
    """
    try:
        family = Family(str(family))
    except ValueError:
        raise ValueError(f"unknown family {family!r}; choose one of: imagenet, cifar") from None
    kind = parse_choice(BlockKind, block, "block") if block is not None else default_block(
        family, depth)
    blocks = blocks_for_depth(family, kind, depth)
    preset = preset_for(family, depth)
    is_preset = preset is not None and preset.block is kind
    if preact is None:
        preact = bool(is_preset and preset is not None and preset.preact)
    info = FAMILY_INFO[family]
    if shortcut is None:
        shortcut = (Shortcut.PROJECT_ON_CHANGE if family is Family.CIFAR and preact
                    else info.default_shortcut)
    fields.setdefault("num_classes", info.default_classes)
    fields.setdefault("input_size", info.default_input)
    return ResNetSpec(family=family, block=kind, blocks=blocks, preact=preact,
                      shortcut=parse_choice(Shortcut, shortcut, "shortcut"), **fields)


def _fmt(depths: list[int]) -> str:
    return ", ".join(str(d) for d in depths) if depths else "none"


def spec_from_choices(*, family: Family | str = Family.IMAGENET, depth: int | None = None,
                      blocks: tuple[int, ...] | None = None, block: BlockKind | str | None = None,
                      shortcut: Shortcut | str | None = None, preact: bool | None = None,
                      num_classes: int | None = None, input_size: tuple[int, int] | None = None,
                      **fields: Any) -> ResNetSpec:
    """One entry point for the CLI flags and the app's widgets; ``None`` means "default".

    Args:
        family: ``imagenet`` or ``cifar``.
        depth: a depth (ignored when ``blocks`` is given); ``None`` -> 50 (ImageNet) / 56 (CIFAR).
        blocks: explicit blocks per stage (custom networks); needs ``block`` or uses bottleneck.
        block: block kind; ``None`` lets the depth decide.
        shortcut: option A-D; ``None`` -> the family's (or preset's) default.
        preact: pre-activation; ``None`` -> the preset's.
        num_classes: ``None`` -> 1000 (ImageNet) / 10 (CIFAR).
        input_size: ``None`` -> 224x224 (ImageNet) / 32x32 (CIFAR).
        **fields: the remaining :class:`ResNetSpec` fields (variant, width_mult, ...).

    Raises:
        ValueError: with an actionable message for any invalid choice.
    """
    try:
        fam = Family(str(family))
    except ValueError:
        raise ValueError(f"unknown family {family!r}; choose one of: imagenet, cifar") from None
    info = FAMILY_INFO[fam]
    fields["num_classes"] = num_classes if num_classes is not None else info.default_classes
    fields["input_size"] = input_size if input_size is not None else info.default_input
    if blocks:
        kind = parse_choice(BlockKind, block, "block") if block else BlockKind.BOTTLENECK
        return ResNetSpec(family=fam, block=kind, blocks=tuple(blocks), preact=bool(preact),
                          shortcut=parse_choice(Shortcut, shortcut or info.default_shortcut,
                                           "shortcut"), **fields)
    if depth is None:
        depth = 50 if fam is Family.IMAGENET else 56
    return from_depth(depth, family=fam, block=block, preact=preact, shortcut=shortcut, **fields)

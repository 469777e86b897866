"""The whole ResNet architecture as frozen data.

A :class:`ResNetSpec` is the single source of truth: the torch model
(:mod:`resnet_viz.model.build`), the analysis numbers (:mod:`resnet_viz.analysis`),
the diagrams and the charts are all derived from it. This module never imports
torch, so every structural question (channels, strides, depth) is answered
from data alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from resnet_viz.arch import limits
from resnet_viz.arch.limits import MAX_CHANNELS, MAX_INPUT_SIDE, MAX_STAGES, MAX_TOTAL_BLOCKS
from resnet_viz.arch.names import paper_name, stage_module
from resnet_viz.arch.parse import parse_blocks as parse_blocks  # re-exported for callers
from resnet_viz.arch.parse import parse_bool, parse_int, parse_int_tuple, parse_pair
from resnet_viz.arch.parse import parse_choice as parse_choice  # re-exported for callers
from resnet_viz.arch.parse import parse_input_size as parse_input_size  # re-exported


class Family(StrEnum):
    """Network family: the stem, the number of stages and their base widths."""

    IMAGENET = "imagenet"
    CIFAR = "cifar"


class BlockKind(StrEnum):
    """Residual block type."""

    BASIC = "basic"
    BOTTLENECK = "bottleneck"


class Variant(StrEnum):
    """Where a bottleneck block puts its downsampling stride."""

    V1 = "v1"  # on the first 1x1 conv, as in the paper
    V1_5 = "v1.5"  # on the 3x3 conv, as torchvision


class Shortcut(StrEnum):
    """Shortcut option, lettered as in He et al. 2015 (D as in ResNet-D / timm's avg_down)."""

    ZERO_PAD = "A"  # parameter-free identity, zero-padded channels where the shape grows
    PROJECT_ON_CHANGE = "B"  # 1x1 projection only where the shape changes
    PROJECT_ALL = "C"  # 1x1 projection on every block
    AVG_DOWN = "D"  # 2x2 average pool, then 1x1 projection, where the shape changes


class ShortcutKind(StrEnum):
    """What one particular block's shortcut path is."""

    IDENTITY = "identity"
    ZERO_PAD = "zero-pad"
    PROJECTION = "projection"
    AVG_PROJECTION = "avg-projection"
    NONE = "none"  # the plain ablation: no shortcut at all


@dataclass(frozen=True)
class FamilyInfo:
    """Fixed facts about a family."""

    stem_width: int
    base_widths: tuple[int, ...]
    default_input: tuple[int, int]
    default_classes: int
    default_shortcut: Shortcut


FAMILY_INFO: dict[Family, FamilyInfo] = {
    Family.IMAGENET: FamilyInfo(64, (64, 128, 256, 512), (224, 224), 1000,
                                Shortcut.PROJECT_ON_CHANGE),
    Family.CIFAR: FamilyInfo(16, (16, 32, 64), (32, 32), 10, Shortcut.ZERO_PAD),
}

EXPANSION: dict[BlockKind, int] = {BlockKind.BASIC: 1, BlockKind.BOTTLENECK: 4}
CONVS_PER_BLOCK: dict[BlockKind, int] = {BlockKind.BASIC: 2, BlockKind.BOTTLENECK: 3}



@dataclass(frozen=True)
class StageSpec:
    """One stage (torchvision's ``layerN``; the paper's ``conv{N+1}_x``)."""

    index: int  # 1-based
    blocks: int
    planes: int  # the stage's base width (a bottleneck's output is planes * 4)
    mid_channels: int  # width of the inner convs
    out_channels: int
    stride: int

    @property
    def module(self) -> str:
        """The torch module name, e.g. ``layer1``."""
        return stage_module(self.index)

    @property
    def paper_name(self) -> str:
        """The paper's Table 1 row name, e.g. ``conv2_x``."""
        return paper_name(self.index)


@dataclass(frozen=True)
class ResNetSpec:
    """A complete, validated ResNet description.

    Construct it directly, or from a depth with :func:`resnet_viz.arch.presets.from_depth`.
    Invalid combinations raise ``ValueError`` with an actionable message.

    Attributes:
        family: ``imagenet`` (7x7/2 stem + max-pool, 64..512) or ``cifar`` (3x3 stem, 16..64).
        block: ``basic`` (two 3x3 convs) or ``bottleneck`` (1x1, 3x3, 1x1; expansion 4).
        blocks: blocks per stage, e.g. ``(3, 4, 6, 3)``.
        variant: stride placement in bottlenecks: ``v1`` (first 1x1) or ``v1.5`` (3x3).
        shortcut: option ``A``/``B``/``C``/``D``.
        preact: pre-activation blocks (BN-ReLU-conv, He et al. 2016).
        shortcuts: ``False`` builds the plain ablation (no shortcut path at all).
        width_mult: multiplies every stage's base width (not the stem).
        groups: grouped 3x3 convs (ResNeXt cardinality); bottleneck only.
        width_per_group: torchvision's ``width_per_group``; inner width =
            ``planes * width_per_group / 64 * groups``; bottleneck only.
        num_classes: size of the final linear layer.
        in_channels: image channels.
        input_size: ``(height, width)`` of the input.
    """

    family: Family = Family.IMAGENET
    block: BlockKind = BlockKind.BOTTLENECK
    blocks: tuple[int, ...] = (3, 4, 6, 3)
    variant: Variant = Variant.V1_5
    shortcut: Shortcut = Shortcut.PROJECT_ON_CHANGE
    preact: bool = False
    shortcuts: bool = True
    width_mult: float = 1.0
    groups: int = 1
    width_per_group: int = 64
    num_classes: int = 1000
    in_channels: int = 3
    input_size: tuple[int, int] = (224, 224)
    _stages: tuple[StageSpec, ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Coerce plain strings / lists (CLI, URL, JSON) into the canonical types.
        object.__setattr__(self, "family", parse_choice(Family, self.family, "family"))
        object.__setattr__(self, "block", parse_choice(BlockKind, self.block, "block"))
        object.__setattr__(self, "variant", parse_choice(Variant, self.variant, "variant"))
        object.__setattr__(self, "shortcut", parse_choice(Shortcut, self.shortcut, "shortcut"))
        object.__setattr__(self, "blocks", parse_int_tuple(self.blocks, "blocks"))
        object.__setattr__(self, "input_size", parse_pair(self.input_size))
        for name in ("groups", "width_per_group", "num_classes", "in_channels"):
            object.__setattr__(self, name, parse_int(getattr(self, name), name))
        object.__setattr__(self, "preact", parse_bool(self.preact, "pre-activation"))
        object.__setattr__(self, "shortcuts", parse_bool(self.shortcuts, "shortcuts"))
        try:
            object.__setattr__(self, "width_mult", float(self.width_mult))
        except (TypeError, ValueError):
            raise ValueError(
                f"width multiplier must be a number; got {self.width_mult!r}") from None
        self._validate()
        object.__setattr__(self, "_stages", self._make_stages())

    # ----------------------------------------------------------------- validation
    def _validate(self) -> None:
        n = len(self.blocks)
        if not 1 <= n <= MAX_STAGES:
            raise ValueError(f"blocks per stage must list 1 to {MAX_STAGES} stages; got {n}")
        if any(b < 1 for b in self.blocks):
            raise ValueError(f"every stage needs at least one block; got {list(self.blocks)}")
        if sum(self.blocks) > MAX_TOTAL_BLOCKS:
            raise ValueError(
                f"{sum(self.blocks)} blocks is over the limit of {MAX_TOTAL_BLOCKS} "
                f"(depth {self._depth_of(MAX_TOTAL_BLOCKS)} for {self.block} blocks)")
        h, w = self.input_size
        if not (1 <= h <= MAX_INPUT_SIDE and 1 <= w <= MAX_INPUT_SIDE):
            raise ValueError(
                f"input size must be between 1 and {MAX_INPUT_SIDE} pixels a side; got {h}x{w}")
        limits.CLASSES.check(self.num_classes)
        limits.IN_CHANNELS.check(self.in_channels)
        limits.WIDTH_MULT.check(self.width_mult)
        limits.GROUPS.check(self.groups)
        limits.WIDTH_PER_GROUP.check(self.width_per_group)
        if self.block is BlockKind.BASIC and (self.groups != 1 or self.width_per_group != 64):
            raise ValueError(
                "basic blocks support only groups=1 and width-per-group=64 "
                "(as torchvision); use bottleneck blocks for ResNeXt or wide variants")

    def _make_stages(self) -> tuple[StageSpec, ...]:
        info = FAMILY_INFO[self.family]
        exp = EXPANSION[self.block]
        stages = []
        in_ch = info.stem_width
        for i, nb in enumerate(self.blocks):
            # stages beyond the family's own keep doubling the width
            nb_base = len(info.base_widths)
            base = (info.base_widths[i] if i < nb_base
                    else info.base_widths[-1] * 2 ** (i - nb_base + 1))
            planes = max(1, round(base * self.width_mult))
            mid = planes
            if self.block is BlockKind.BOTTLENECK:
                mid = int(planes * (self.width_per_group / 64.0)) * self.groups
                if mid < self.groups or mid % self.groups:
                    raise ValueError(
                        f"stage {i + 1}: inner width {mid} is not a positive multiple of "
                        f"groups={self.groups}; raise width-per-group or the width multiplier")
            out = planes * exp
            if max(mid, out) > MAX_CHANNELS:
                raise ValueError(
                    f"stage {i + 1} would have {max(mid, out)} channels, over the limit of "
                    f"{MAX_CHANNELS}; lower the width multiplier or width per group")
            if self.shortcut is Shortcut.ZERO_PAD and self.shortcuts and out < in_ch:
                raise ValueError(
                    f"shortcut A (zero-padding) cannot shrink channels ({in_ch} -> {out} in "
                    f"stage {i + 1}); use shortcut B, C or D, or a larger width multiplier")
            stride = 1 if i == 0 else 2
            stages.append(StageSpec(i + 1, nb, planes, mid, out, stride))
            in_ch = out
        return tuple(stages)

    def _depth_of(self, total_blocks: int) -> int:
        return CONVS_PER_BLOCK[self.block] * total_blocks + 2

    # ----------------------------------------------------------------- derived facts
    @property
    def stages(self) -> tuple[StageSpec, ...]:
        """Per-stage widths and strides, derived from the fields."""
        return self._stages

    @property
    def depth(self) -> int:
        """Weighted layers: convs on the main path plus the stem conv and the fc."""
        return self._depth_of(sum(self.blocks))

    @property
    def expansion(self) -> int:
        """Output channels per ``planes`` (1 basic, 4 bottleneck)."""
        return EXPANSION[self.block]

    @property
    def stem_width(self) -> int:
        """Channels after the stem conv."""
        return FAMILY_INFO[self.family].stem_width

    @property
    def feature_channels(self) -> int:
        """Channels entering the classifier."""
        return self._stages[-1].out_channels

    @property
    def name(self) -> str:
        """A short human name, e.g. ``ResNet-50``, ``Plain-34``, ``ResNeXt-50 32x4d``."""
        parts = []
        prefix = "ResNet" if self.shortcuts else "Plain"
        if self.groups > 1:
            prefix = "ResNeXt" if self.shortcuts else "Plain-ResNeXt"
        if self.preact:
            prefix = "PreAct-" + prefix
        parts.append(f"{prefix}-{self.depth}")
        if self.groups > 1:
            parts.append(f"{self.groups}x{self.width_per_group}d")
        elif self.width_per_group != 64:
            parts.append(f"wide x{self.width_per_group / 64:g}")
        if self.width_mult != 1.0:
            parts.append(f"width x{self.width_mult:g}")
        if self.family is Family.CIFAR:
            parts.append("(CIFAR)")
        return " ".join(parts)

    # ----------------------------------------------------------------- conversion
    def to_dict(self) -> dict[str, Any]:
        """Every field as plain JSON-ready values (stable contract for the CLI/URL)."""
        d = asdict(self)
        d.pop("_stages", None)
        for k, v in d.items():
            if isinstance(v, StrEnum):
                d[k] = str(v)
            elif isinstance(v, tuple):
                d[k] = list(v)
        d["depth"] = self.depth
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResNetSpec:
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError``."""
        names = {f.name for f in fields(cls) if f.init}
        extra = set(data) - names - {"depth"}
        if extra:
            raise ValueError(f"unknown spec fields: {sorted(extra)}; known: {sorted(names)}")
        return cls(**{k: v for k, v in data.items() if k in names})

    def with_(self, **changes: Any) -> ResNetSpec:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

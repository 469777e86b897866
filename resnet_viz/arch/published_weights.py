"""torchvision's published ImageNet weights, as data: which file fits which configuration.

Every entry is torchvision's ``IMAGENET1K_V1`` file for a torchvision-equivalent
configuration (ImageNet family, post-activation, shortcut B, v1.5 bottlenecks,
3 input channels, 1000 classes). torchvision's file names carry the first hex
digits of the file's SHA-256, which is the hash a download is checked against.
The 1000 class names ship beside this module (``imagenet_classes.txt``) in the
standard ImageNet class-index order that these weights' ``fc`` rows follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from resnet_viz.arch.presets import IMAGENET_PRESETS
from resnet_viz.arch.spec import BlockKind, Family, ResNetSpec, Shortcut, Variant

WEIGHTS_SOURCE = "torchvision, IMAGENET1K_V1 weights (published)"
TORCHVISION_BASE_URL = "https://download.pytorch.org/models/"


@dataclass(frozen=True)
class PublishedWeights:
    """One published weights file and the configuration it belongs to."""

    name: str  # torchvision's model function, e.g. ``resnet50``
    depth: int
    file: str  # e.g. ``resnet18-f37072fd.pth``
    groups: int = 1
    width_per_group: int = 64

    @property
    def hash_prefix(self) -> str:
        """The SHA-256 prefix in the file name (what the download is checked against)."""
        return self.file.rsplit("-", 1)[1].split(".", 1)[0]


PUBLISHED_WEIGHTS: tuple[PublishedWeights, ...] = (
    PublishedWeights("resnet18", 18, "resnet18-f37072fd.pth"),
    PublishedWeights("resnet34", 34, "resnet34-b627a593.pth"),
    PublishedWeights("resnet50", 50, "resnet50-0676ba61.pth"),
    PublishedWeights("resnet101", 101, "resnet101-63fe2227.pth"),
    PublishedWeights("resnet152", 152, "resnet152-394f9c45.pth"),
    PublishedWeights("resnext50_32x4d", 50, "resnext50_32x4d-7cdf4587.pth", 32, 4),
    PublishedWeights("resnext101_32x8d", 101, "resnext101_32x8d-8ba56ff5.pth", 32, 8),
    PublishedWeights("wide_resnet50_2", 50, "wide_resnet50_2-95faca4d.pth", 1, 128),
    PublishedWeights("wide_resnet101_2", 101, "wide_resnet101_2-32ee1156.pth", 1, 128),
)


def published_mismatches(spec: ResNetSpec) -> list[str]:
    """Why no published weights fit ``spec`` (empty when some do)."""
    preset = IMAGENET_PRESETS.get(spec.depth)
    checks: list[tuple[bool, str]] = [
        (spec.family is Family.IMAGENET, f"{spec.family} family (published: imagenet)"),
        (preset is not None and spec.blocks == preset.blocks and spec.block is preset.block,
         f"blocks {list(spec.blocks)} of depth {spec.depth} (published: ResNet-18/34/50/101/152)"),
        (spec.shortcut is Shortcut.PROJECT_ON_CHANGE, f"shortcut {spec.shortcut} (published: B)"),
        (spec.variant is Variant.V1_5 or spec.block is BlockKind.BASIC,
         f"variant {spec.variant} (published: v1.5)"),
        (not spec.preact, "pre-activation blocks (published: post-activation)"),
        (spec.shortcuts, "no shortcuts (published: with shortcuts)"),
        (spec.width_mult == 1.0, f"width x{spec.width_mult:g} (published: x1)"),
        (spec.num_classes == 1000, f"{spec.num_classes} classes (published: 1000)"),
        (spec.in_channels == 3, f"{spec.in_channels} input channels (published: 3)"),
    ]
    why = [text for ok, text in checks if not ok]
    if not why and _entry(spec) is None:
        why.append(f"groups {spec.groups} x width per group {spec.width_per_group} "
                   "(published: 1x64, 32x4d and 32x8d ResNeXt, wide x2)")
    return why


def _entry(spec: ResNetSpec) -> PublishedWeights | None:
    return next((w for w in PUBLISHED_WEIGHTS if w.depth == spec.depth
                 and (w.groups, w.width_per_group) == (spec.groups, spec.width_per_group)), None)


def weights_for(spec: ResNetSpec) -> PublishedWeights | None:
    """The published weights file for ``spec``, or ``None`` (see :func:`published_mismatches`)."""
    return None if published_mismatches(spec) else _entry(spec)


@lru_cache(maxsize=1)
def imagenet_classes() -> tuple[str, ...]:
    """The 1000 ImageNet class names, index-aligned with the published weights' ``fc`` rows."""
    text = resources.files("resnet_viz.arch").joinpath("imagenet_classes.txt").read_text("utf-8")
    names = tuple(line.strip() for line in text.splitlines() if line.strip())
    if len(names) != 1000:  # a packaging fault, not user input
        raise RuntimeError(f"imagenet_classes.txt holds {len(names)} names, not 1000")
    return names

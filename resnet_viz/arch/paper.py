"""Published facts from the papers, each with its source; shown only where labelled "published".

Nothing here is ever used in place of a computed number: the app and the CLI
compute every figure from the spec and show these beside it, labelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from resnet_viz.arch.presets import IMAGENET_PRESETS, from_depth
from resnet_viz.arch.spec import BlockKind, Family, ResNetSpec, Shortcut, Variant

PAPER_SOURCE = "He et al. 2015, Table 1"

PAPER_FLOPS: dict[int, float] = {18: 1.8e9, 34: 3.6e9, 50: 3.8e9, 101: 7.6e9, 152: 11.3e9}
"""The paper's published complexity (multiply-adds, "FLOPs" in its Table 1), by depth."""


def paper_mismatches(spec: ResNetSpec) -> list[str]:
    """Why a spec is not one the paper published a complexity for (empty when it is).

    The paper's Table 1 covers the ImageNet ResNet-18/34/50/101/152 at 224×224,
    3 input channels, 1000 classes, post-activation, plain widths, shortcut A
    or B. Both stride placements (v1/v1.5) count as the paper's network;
    :func:`stride_note` explains the difference v1.5 makes.
    """
    if spec.family is not Family.IMAGENET:
        return [f"{spec.family} family (the paper's Table 1 is ImageNet)"]
    preset = IMAGENET_PRESETS.get(spec.depth)
    if spec.depth not in PAPER_FLOPS or preset is None:
        return [f"depth {spec.depth} (the paper lists 18, 34, 50, 101 and 152)"]
    checks: list[tuple[bool, str]] = [
        (spec.block is preset.block, f"{spec.block} blocks (the paper: {preset.block})"),
        (spec.blocks == preset.blocks,
         f"blocks {list(spec.blocks)} (the paper: {list(preset.blocks)})"),
        (spec.input_size == (224, 224),
         f"input {spec.input_size[0]}×{spec.input_size[1]} (the paper: 224×224)"),
        (spec.num_classes == 1000, f"{spec.num_classes} classes (the paper: 1000)"),
        (spec.in_channels == 3, f"{spec.in_channels} input channels (the paper: 3)"),
        (not spec.preact, "pre-activation blocks (the paper: post-activation)"),
        (spec.shortcuts, "no shortcuts (plain network)"),
        (spec.width_mult == 1.0, f"width ×{spec.width_mult:g} (the paper: ×1)"),
        (spec.groups == 1 and spec.width_per_group == 64,
         f"grouped/wide convs ({spec.groups}×{spec.width_per_group}d)"),
        (spec.shortcut in (Shortcut.ZERO_PAD, Shortcut.PROJECT_ON_CHANGE),
         f"shortcut {spec.shortcut} (the paper's Table 1 nets use A or B)"),
    ]
    return [why for ok, why in checks if not ok]


def paper_flops(spec: ResNetSpec) -> int | None:
    """The paper's published multiply-adds for this spec, or ``None`` if it published none."""
    return None if paper_mismatches(spec) else int(PAPER_FLOPS[spec.depth])


def stride_note(spec: ResNetSpec) -> str:
    """Why a bottleneck's MACs differ from the paper's figure (v1 vs v1.5), or ``""``."""
    if spec.block is not BlockKind.BOTTLENECK or spec.family is not Family.IMAGENET:
        return ""
    if spec.variant is Variant.V1_5:
        return ("v1.5 (torchvision) puts the downsampling stride on the 3x3 conv, so that conv "
                "runs at the higher resolution: more MACs than the paper's v1 layout, which "
                "strides the first 1x1 conv.")
    return "v1 (the paper's layout) strides the first 1x1 conv of each downsampling block."


# ----------------------------------------------------------------------------- published errors
@dataclass(frozen=True)
class PublishedError:
    """One published test error: which network, the figure, and where it was printed.

    ``spec`` rebuilds the network the figure belongs to (its depth, block kind,
    shortcut option); anything plotted against it on the other axis (MACs,
    params) is computed from that spec, never taken from the paper.
    """

    family: Family
    depth: int
    error: float  # percent
    metric: str
    source: str
    shortcut: Shortcut | None = None  # None: the family's default option
    shortcuts: bool = True
    note: str = ""

    @property
    def label(self) -> str:
        """A short name for the point, e.g. ``ResNet-34 B`` or ``plain-34``."""
        if not self.shortcuts:
            return f"plain-{self.depth}"
        return f"ResNet-{self.depth}" + (f" {self.shortcut}" if self.shortcut else "")

    def spec(self) -> ResNetSpec:
        """The spec of the published network (v1 stride placement, as in the paper)."""
        return from_depth(self.depth, family=self.family, shortcut=self.shortcut,
                          shortcuts=self.shortcuts, variant=Variant.V1)


CIFAR_ERROR_SOURCE = "He et al. 2015, Table 6 (CIFAR-10 test error, %)"
IMAGENET_ERROR_SOURCE = "He et al. 2015, Table 3 (ImageNet val top-1 error, 10-crop, %)"

PUBLISHED_ERRORS: tuple[PublishedError, ...] = (
    *(PublishedError(Family.CIFAR, d, e, "CIFAR-10 test error (%)", CIFAR_ERROR_SOURCE, note=n)
      for d, e, n in ((20, 8.75, ""), (32, 7.51, ""), (44, 7.17, ""), (56, 6.97, ""),
                      (110, 6.43, "best of 5 runs; the table also gives the mean 6.61±0.16"),
                      (1202, 7.93, ""))),
    *(PublishedError(Family.IMAGENET, d, e, "ImageNet top-1 error, 10-crop (%)",
                     IMAGENET_ERROR_SOURCE, shortcut=s, shortcuts=p)
      for d, e, s, p in ((34, 28.54, Shortcut.PROJECT_ON_CHANGE, False),
                         (34, 25.03, Shortcut.ZERO_PAD, True),
                         (34, 24.52, Shortcut.PROJECT_ON_CHANGE, True),
                         (34, 24.19, Shortcut.PROJECT_ALL, True),
                         (50, 22.85, Shortcut.PROJECT_ON_CHANGE, True),
                         (101, 21.75, Shortcut.PROJECT_ON_CHANGE, True),
                         (152, 21.43, Shortcut.PROJECT_ON_CHANGE, True))),
)
"""Published test errors of He et al. 2015 (Tables 3 and 6), each with its source.

Table 3's 50/101/152-layer rows use option B; the plain-34 row has no shortcuts
(its shortcut field only picks the projection option should one be added).
"""


def published_errors(family: Family | str) -> tuple[PublishedError, ...]:
    """The published errors of one family, in table order."""
    fam = Family(family)
    return tuple(p for p in PUBLISHED_ERRORS if p.family is fam)


# ----------------------------------------------------------------------------- degradation
PLAIN_TABLE_SOURCE = "He et al. 2015, Table 2 (ImageNet val top-1 error, 10-crop, %)"
PLAIN_VS_RESIDUAL: tuple[tuple[int, float, float], ...] = ((18, 27.94, 27.88), (34, 28.54, 25.03))
"""Table 2 of He et al. 2015: (depth, plain top-1 error %, ResNet top-1 error %); option A."""

DEGRADATION_FIGURE_SOURCE = "He et al. 2015, Figure 1 (CIFAR-10, plain networks)"
DEGRADATION_FIGURE_DEPTHS: tuple[int, int] = (20, 56)
"""The two plain CIFAR-10 depths of the paper's Figure 1: the deeper has the higher training
and test error (plotted curves; the paper prints no table of these numbers)."""

"""Flags shared by every subcommand (one per spec field) and the one-line error parser."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from resnet_viz.arch.presets import spec_from_choices
from resnet_viz.arch.spec import (
    BlockKind,
    Family,
    ResNetSpec,
    Shortcut,
    Variant,
    parse_blocks,
    parse_input_size,
)


class OneLineParser(argparse.ArgumentParser):
    """argparse's own errors as one line and status 2, like every other invalid input."""

    def error(self, message: str) -> NoReturn:
        """Print ``resnet-viz: error: <message>`` and exit 2 (no usage block)."""
        sys.stderr.write(f"resnet-viz: error: {message}\n")
        raise SystemExit(2)


def add_spec_args(p: argparse.ArgumentParser) -> None:
    """One flag per spec field (shared by every subcommand)."""
    g = p.add_argument_group("architecture")
    g.add_argument("--depth", type=int, default=None,
                   help="weighted layers, e.g. 18, 50, 152, CIFAR 56 (default 50, CIFAR 56)")
    g.add_argument("--family", choices=[f.value for f in Family], default=Family.IMAGENET.value)
    g.add_argument("--block", choices=[b.value for b in BlockKind], default=None,
                   help="block kind (default: implied by the depth)")
    g.add_argument("--blocks", default=None,
                   help="blocks per stage, e.g. 3,4,6,3 (overrides --depth)")
    g.add_argument("--variant", choices=[v.value for v in Variant], default=Variant.V1_5.value,
                   help="bottleneck stride on the 1x1 (v1, paper) or the 3x3 (v1.5, torchvision)")
    g.add_argument("--shortcut", choices=[s.value for s in Shortcut], default=None,
                   help="A zero-pad, B project on change, C project all, D avg-pool + project")
    g.add_argument("--preact", action=argparse.BooleanOptionalAction, default=None,
                   help="pre-activation blocks (default: the preset's)")
    g.add_argument("--no-shortcuts", action="store_true", help="the plain ablation")
    g.add_argument("--width-mult", type=float, default=1.0)
    g.add_argument("--groups", type=int, default=1)
    g.add_argument("--width-per-group", type=int, default=64)
    g.add_argument("--classes", type=int, default=None)
    g.add_argument("--in-channels", type=int, default=3)
    g.add_argument("--input", default=None, help="input size: 224 or HxW like 224x160")


def spec_from_args(a: argparse.Namespace) -> ResNetSpec:
    """Turn parsed flags into a validated spec.

    Raises:
        ValueError: with the engine's message for any invalid combination.
    """
    return spec_from_choices(
        family=a.family, depth=a.depth,
        blocks=parse_blocks(a.blocks) if a.blocks is not None else None,
        block=a.block, shortcut=a.shortcut, preact=a.preact, variant=a.variant,
        shortcuts=not a.no_shortcuts, width_mult=a.width_mult, groups=a.groups,
        width_per_group=a.width_per_group, in_channels=a.in_channels, num_classes=a.classes,
        input_size=parse_input_size(a.input) if a.input is not None else None)

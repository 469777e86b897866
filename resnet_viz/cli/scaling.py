"""The ``resnet-viz scaling`` subcommand: params, MACs, memory, layers and RF over every depth."""

from __future__ import annotations

import argparse
import csv
import io
import json
from typing import Any

from resnet_viz.analysis.scaling import ScalingPoint, scaling_curve
from resnet_viz.arch.presets import from_depth, is_valid_depth, valid_depths_near
from resnet_viz.arch.spec import BlockKind, Family, Shortcut, parse_choice


def register(sub: Any) -> None:
    """Add the ``scaling`` subcommand to the CLI's subparsers object."""
    s = sub.add_parser("scaling", help="numbers against depth over every valid depth")
    s.add_argument("--family", default=Family.IMAGENET.value, help="imagenet or cifar")
    s.add_argument("--block", default=None, help="basic or bottleneck (default: basic)")
    s.add_argument("--shortcut", default=None, help="A, B, C or D (default: the family's)")
    s.add_argument("--width-mult", type=float, default=1.0)
    s.add_argument("--no-shortcuts", action="store_true", help="the plain ablation")
    s.add_argument("--depths", default=None,
                   help="LO..HI (every valid depth between) or a comma list, e.g. 8..1202 "
                        "or 20,56,110 (default: up to the family's deepest standard depth)")
    s.add_argument("--format", choices=["csv", "json"], default="csv")
    s.set_defaults(run=run)


def parse_depths(text: str) -> tuple[int, int] | list[int]:
    """``"8..1202"`` -> ``(8, 1202)``; ``"20,56"`` -> ``[20, 56]``.

    Raises:
        ValueError: for anything else, or an empty or reversed range.
    """
    text = text.strip()
    try:
        if ".." in text:
            lo_text, hi_text = text.split("..", 1)
            lo, hi = int(lo_text), int(hi_text)
            if lo > hi:
                raise ValueError
            return lo, hi
        items = [int(t) for t in text.split(",")]
    except ValueError:
        raise ValueError(f"--depths {text!r} is not like 8..1202 or 20,56,110") from None
    return items


def curve(a: argparse.Namespace) -> list[ScalingPoint]:
    """The points the flags ask for.

    Raises:
        ValueError: for an invalid family, block, shortcut, range or depth.
    """
    fam = parse_choice(Family, a.family, "family")
    kind = parse_choice(BlockKind, a.block or BlockKind.BASIC, "block")
    shortcut = parse_choice(Shortcut, a.shortcut, "shortcut") if a.shortcut else None
    depths = parse_depths(a.depths) if a.depths else None
    base_depth = 20 if fam is Family.CIFAR else 50
    if not is_valid_depth(fam, kind, base_depth):  # any valid depth will do as the base
        base_depth = valid_depths_near(fam, kind, base_depth)[0]
    base = from_depth(base_depth, family=fam, block=kind, shortcut=shortcut, preact=False,
                      width_mult=a.width_mult, shortcuts=not a.no_shortcuts)
    if isinstance(depths, tuple):
        return scaling_curve(base, lo=depths[0], hi=depths[1])
    return scaling_curve(base, depths)


def run(a: argparse.Namespace) -> str:
    """The curve as CSV (one row per depth) or JSON.

    Raises:
        ValueError: for any invalid flag.
    """
    pts = curve(a)
    rows = [p.to_dict() for p in pts]
    if a.format == "json":
        return json.dumps(rows, indent=1)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r | {"blocks": ",".join(map(str, r["blocks"]))})
    return buf.getvalue()

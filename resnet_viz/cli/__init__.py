"""The ``resnet-viz`` command.

``resnet-viz summary --depth 50 --format json`` prints the analysis of a spec;
``resnet-viz gradients ...`` runs a gradient probe. Each subcommand lives in its
own module with a ``register(subparsers)`` function. Invalid input exits with
status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from resnet_viz.cli import compare, export, gradients, inspect, lab, scaling, summary
from resnet_viz.cli.args import OneLineParser

SUBCOMMANDS = (summary, gradients, compare, scaling, inspect, lab, export)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = OneLineParser(prog="resnet-viz", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for command in SUBCOMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        out = args.run(args)
    except ValueError as exc:
        print(f"resnet-viz: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("resnet-viz: interrupted", file=sys.stderr)
        return 130
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0

"""The ``resnet-viz summary`` subcommand: params, MACs and shapes per stage and layer."""

from __future__ import annotations

import argparse
from typing import Any

from resnet_viz.analysis import analyse
from resnet_viz.cli.args import add_spec_args, spec_from_args
from resnet_viz.render import report


def register(sub: Any) -> None:
    """Add the ``summary`` subcommand to the CLI's subparsers object."""
    s = sub.add_parser("summary", help="params, MACs, shapes per stage and layer")
    add_spec_args(s)
    s.add_argument("--format", choices=["table", "json", "csv"], default="table")
    s.set_defaults(run=run)


def run(a: argparse.Namespace) -> str:
    """The analysis of the parsed spec in the chosen format.

    Raises:
        ValueError: for any invalid flag.
    """
    an = analyse(spec_from_args(a))
    if a.format == "json":
        return report.to_json(an)
    if a.format == "csv":
        return report.layers_csv(an)
    return report.to_table(an)

"""The ``resnet-viz export`` subcommand: diagrams, TikZ, tables, plots or a teaching pack.

``resnet-viz export --depth 18,34,50,152 --what diagram --style slide -o figs/``
writes one file per configuration, each named after what it shows.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path
from typing import Any

from resnet_viz.analysis import Analysis, analyse
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.cli.args import add_spec_args, spec_from_args
from resnet_viz.export.compare import export_comparison
from resnet_viz.export.diagram import DEFAULT_DPI, Page, Style, config_slug, export_diagram
from resnet_viz.export.pack import build_pack
from resnet_viz.export.plots import CHARTS, analysis_figures, figure_bytes
from resnet_viz.render.diagram import Direction, Level
from resnet_viz.render.table_export import TableFormat, TableKind, export_table
from resnet_viz.render.tikz import Look, TikzStyle, standalone, to_tikz

WHAT = ("diagram", "tikz", "table", "plot", "pack")
FORMATS: dict[str, tuple[str, ...]] = {
    "diagram": ("svg", "png", "pdf", "dot"), "tikz": ("tex", "fragment"),
    "table": tuple(str(f) for f in TableFormat), "plot": ("html", "png", "svg"),
    "pack": ("zip",)}


def register(sub: Any) -> None:
    """Add the ``export`` subcommand to the CLI's subparsers object."""
    s = sub.add_parser("export", help="diagrams, TikZ, tables, plots or a teaching pack as files")
    add_spec_args(s)
    for action in s._actions:  # --depth takes a list here (18,34,50): retype the shared flag
        if action.dest == "depth":
            action.type = str
            action.help = "one depth or several, comma-separated (one file each): 18,34,50"
    g = s.add_argument_group("export")
    g.add_argument("--what", choices=WHAT, required=True)
    g.add_argument("--format", default=None,
                   help="diagram: svg png pdf dot; tikz: tex fragment; table: csv md tex; "
                        "plot: html png svg (default: the first)")
    g.add_argument("--level", choices=[str(v) for v in Level], default=str(Level.STAGE))
    g.add_argument("--style", choices=[str(v) for v in Style], default=str(Style.SCREEN))
    g.add_argument("--look", choices=[str(v) for v in Look], default=str(Look.BLOCKS),
                   help="TikZ: block diagram or layered boxes")
    g.add_argument("--direction", choices=[d.value for d in Direction],
                   default=Direction.VERTICAL.value)
    g.add_argument("--page", choices=[str(p) for p in Page], default=str(Page.NONE),
                   help="fit a diagram to a page")
    g.add_argument("--dpi", type=int, default=DEFAULT_DPI, help="PNG resolution")
    g.add_argument("--table", choices=[str(k) for k in TableKind], default=str(TableKind.TABLE1))
    g.add_argument("--chart", choices=["all", *CHARTS], default="all")
    g.add_argument("--side-by-side", action="store_true",
                   help="with 2-4 depths and --what diagram: one figure of all of them, "
                        "aligned as on the Compare page (stage or block level)")
    g.add_argument("-o", "--output", default=".",
                   help="a file (one configuration, one file) or a folder")
    s.set_defaults(run=run)


def _specs(a: argparse.Namespace) -> list[ResNetSpec]:
    depths = [None] if a.depth is None else [d.strip() for d in str(a.depth).split(",")]
    specs = []
    for d in depths:
        b = copy.copy(a)
        if d is not None:
            if not d.isdigit():
                raise ValueError(f"depth {d!r} is not a whole number; use e.g. --depth 18,50")
            b.depth = int(d)
        specs.append(spec_from_args(b))
    return specs


def _files(a: argparse.Namespace, spec: ResNetSpec, an: Analysis,
           fmt: str) -> list[tuple[str, bytes, str]]:
    """(file name, bytes, note) for one configuration."""
    slug = config_slug(spec)
    if a.what == "diagram":
        e = export_diagram(spec, fmt, level=a.level, direction=a.direction, style=a.style,
                           page=a.page, dpi=a.dpi, analysis=an)
        return [(e.filename, e.data, e.note)]
    if a.what == "tikz":
        if a.style == Style.CONTRAST:
            raise ValueError("TikZ has colour (screen, slide) and print styles; use "
                             "--style print for high contrast")
        style = TikzStyle.PRINT if a.style == Style.PRINT else TikzStyle.COLOUR
        frag = to_tikz(spec, look=a.look, level=a.level, style=style, analysis=an)
        suffix = "_fragment" if fmt == "fragment" else ""
        text = frag if fmt == "fragment" else standalone(frag)
        return [(f"{slug}_{a.look}_{a.level}_{style}{suffix}.tex", text.encode(), "")]
    if a.what == "table":
        return [(f"{slug}_{a.table}.{fmt}", export_table(an, a.table, fmt).encode(), "")]
    if a.what == "plot":
        names = list(CHARTS) if a.chart == "all" else [a.chart]
        figs = analysis_figures(an, names)
        return [(f"{slug}_{n}.{fmt}", figure_bytes(f, fmt), "") for n, f in figs.items()]
    pack = build_pack(spec, analysis=an)
    return [(pack.filename, pack.data, "")]


def run(a: argparse.Namespace) -> str:
    """Write the files; returns one line per file written.

    Raises:
        ValueError: for an invalid combination of flags (exit 2, one line).
    """
    fmt = a.format or FORMATS[a.what][0]
    if fmt not in FORMATS[a.what]:
        raise ValueError(f"--format {fmt} does not apply to --what {a.what}; choose one of: "
                         f"{', '.join(FORMATS[a.what])}")
    if a.what != "diagram" and a.page != str(Page.NONE):
        raise ValueError("--page applies to --what diagram only")
    specs = _specs(a)
    out = Path(a.output)
    if a.side_by_side:
        if a.what != "diagram":
            raise ValueError("--side-by-side applies to --what diagram only")
        e = export_comparison(specs, fmt, level=a.level, style=a.style, page=a.page,
                              dpi=a.dpi)
        files = [(e.filename, e.data, e.note)]
    else:
        files = [f for spec in specs for f in _files(a, spec, analyse(spec), fmt)]
    as_file = len(files) == 1 and out.suffix != "" and not out.is_dir()
    if not as_file:
        out.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, data, note in files:
        path = out if as_file else out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        lines.append(f"wrote {path} ({len(data):,} bytes)" + (f"; {note}" if note else ""))
    return "\n".join(lines)

"""The teaching pack: one ``.zip`` per configuration with diagrams, TikZ, tables, plots, README.

:func:`plan_pack` lists what the pack will hold (path, description and a
function that makes the bytes), so a page can preview it and offer each file
on its own; :func:`build_pack` makes every file and zips them with a
``README.md`` that lists each file, states the configuration, the conventions
and a link that reopens the configuration in the app (:func:`share_query`,
the sidebar's URL keys).
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

import plotly.graph_objects as go

from resnet_viz.analysis import Analysis, analyse
from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import FAMILY_INFO, ResNetSpec
from resnet_viz.export.diagram import Style, config_slug, diagram_filename, export_diagram
from resnet_viz.export.plots import CHARTS, analysis_figures, figure_bytes, figures_html
from resnet_viz.fmt import fmt_count
from resnet_viz.progress import Progress
from resnet_viz.render.diagram import Level
from resnet_viz.render.table_export import TableFormat, TableKind, export_table
from resnet_viz.render.tables import Convention, CostUnit
from resnet_viz.render.tikz import Look, TikzStyle, caption, standalone, to_tikz

DEFAULT_APP_URL = "http://localhost:8501/"
"""Where ``make run`` serves the app; the pack's link is this plus :func:`share_query`."""


@dataclass(frozen=True)
class PackItem:
    """One file of the pack, made on demand."""

    path: str  # inside the zip, e.g. "tables/ResNet-50_..._stages.csv"
    description: str
    make: Callable[[], bytes]


@dataclass(frozen=True)
class Pack:
    """A built pack: the zip's bytes, its file name and the files it holds (README last)."""

    filename: str
    data: bytes
    files: tuple[str, ...]
    seconds: dict[str, float]  # build time per part (diagrams, tikz, tables, plots, zip)


def share_query(spec: ResNetSpec) -> str:
    """The spec as the app sidebar's URL query (``arch.family=...&arch.depth=...``)."""
    q: dict[str, str] = {"arch.family": str(spec.family)}
    try:
        preset = from_depth(spec.depth, family=spec.family, block=spec.block)
    except ValueError:
        preset = None
    if preset is not None and preset.blocks == spec.blocks:
        q["arch.depth"] = str(spec.depth)
    else:
        q["arch.depth"] = "custom"
        q["arch.blocks"] = ",".join(str(b) for b in spec.blocks)
    q["arch.block"] = str(spec.block)
    q["arch.variant"] = str(spec.variant)
    q["arch.shortcut"] = str(spec.shortcut)
    q["arch.preact"] = "on" if spec.preact else "off"
    q["arch.shortcuts"] = "true" if spec.shortcuts else "false"
    info = FAMILY_INFO[spec.family]
    if spec.width_mult != 1.0:
        q["arch.width_mult"] = f"{spec.width_mult:g}"
    if spec.groups != 1:
        q["arch.groups"] = str(spec.groups)
    if spec.width_per_group != 64:
        q["arch.width_per_group"] = str(spec.width_per_group)
    if spec.num_classes != info.default_classes:
        q["arch.classes"] = str(spec.num_classes)
    if spec.input_size != info.default_input:
        q["arch.input"] = f"{spec.input_size[0]}x{spec.input_size[1]}"
    return urlencode(q)


def _diagram(spec: ResNetSpec, an: Analysis, fmt: str, level: Level, style: Style,
             dpi: int = 300) -> tuple[str, Callable[[], bytes]]:
    fname = diagram_filename(spec, fmt=fmt, level=level, style=style)
    return fname, partial(_diagram_bytes, an, fmt, level, style, dpi)


def _diagram_bytes(an: Analysis, fmt: str, level: Level, style: Style, dpi: int) -> bytes:
    return export_diagram(an.spec, fmt, level=level, style=style, dpi=dpi, analysis=an).data


def plan_pack(spec: ResNetSpec, *, analysis: Analysis | None = None,
              unit: CostUnit | str = CostUnit.MACS,
              convention: Convention | str = Convention.CONV_LINEAR,
              plot_formats: tuple[str, ...] = ("png", "svg", "html")) -> list[PackItem]:
    """Every file of the pack with its description (nothing is made yet)."""
    an = analysis if analysis is not None else analyse(spec)
    slug = config_slug(spec)
    items: list[PackItem] = []
    for fmt, level, style, what in (
            ("svg", Level.STAGE, Style.SCREEN, "stage-level diagram, scalable"),
            ("png", Level.STAGE, Style.SLIDE, "stage-level diagram for a slide, 300 dpi"),
            ("pdf", Level.STAGE, Style.PRINT, "stage-level diagram, grayscale-safe for print"),
            ("dot", Level.STAGE, Style.SCREEN, "stage-level diagram as Graphviz source"),
            ("svg", Level.BLOCK, Style.SCREEN, "every block with its shortcut, scalable"),
            ("pdf", Level.BLOCK, Style.PRINT, "every block, grayscale-safe for print")):
        fname, make = _diagram(spec, an, fmt, level, style)
        items.append(PackItem(f"diagrams/{fname}", what, make))
    for look, tstyle, what in ((Look.BOXES, TikzStyle.COLOUR, "layered boxes, stage colours"),
                               (Look.BLOCKS, TikzStyle.PRINT, "block diagram, print style")):
        stem = f"tikz/{slug}_{look}_{tstyle}"
        items.append(PackItem(f"{stem}.tex", f"TikZ {what}: standalone, pdflatex compiles it",
                              partial(_tikz, an, look, tstyle, True)))
        items.append(PackItem(f"{stem}_fragment.tex",
                              f"TikZ {what}: \\input it in a paper (needs tikz + patterns)",
                              partial(_tikz, an, look, tstyle, False)))
    for kind in TableKind:
        for tfmt in TableFormat:
            items.append(PackItem(f"tables/{slug}_{kind}.{tfmt}",
                                  f"{kind} table, {tfmt.name.lower()}",
                                  partial(_table, an, kind, tfmt, unit, convention)))
    charts = _Charts(an)
    for name in CHARTS:
        for pfmt in (f for f in plot_formats if f != "html"):
            items.append(PackItem(f"plots/{name}.{pfmt}",
                                  f"chart '{name.replace('_', ' ')}', {pfmt}",
                                  partial(charts.image, name, pfmt)))
    if "html" in plot_formats:  # one page, plotly.js embedded once: opens offline
        items.append(PackItem("plots/charts.html",
                              "every chart, interactive, works offline (plotly.js inside)",
                              charts.html))
    return items


def _tikz(an: Analysis, look: Look, style: TikzStyle, whole: bool) -> bytes:
    frag = to_tikz(an.spec, look=look, style=style, analysis=an)
    return (standalone(frag) if whole else frag).encode()


def _table(an: Analysis, kind: TableKind, fmt: TableFormat, unit: CostUnit | str,
           convention: Convention | str) -> bytes:
    return export_table(an, kind, fmt, unit=unit, convention=convention).encode()


class _Charts:
    """The analysis charts, each built once however many formats are written."""

    def __init__(self, an: Analysis) -> None:
        self.an = an
        self.figures: dict[str, go.Figure] = {}

    def fig(self, name: str) -> go.Figure:
        if name not in self.figures:
            self.figures.update(analysis_figures(self.an, [name]))
        return self.figures[name]

    def image(self, name: str, fmt: str) -> bytes:
        return figure_bytes(self.fig(name), fmt)

    def html(self) -> bytes:
        return figures_html({n: self.fig(n) for n in CHARTS}, f"{self.an.spec.name}: charts")


def readme(spec: ResNetSpec, an: Analysis, items: list[PackItem], *,
           app_url: str = DEFAULT_APP_URL) -> str:
    """The pack's README: configuration, conventions, the link, and every file."""
    h, w = spec.input_size
    link = f"{app_url}?{share_query(spec)}"
    lines = [f"# {spec.name}: teaching pack", "", caption(an), "",
             "## Configuration", "",
             *(f"- `{k}`: {v}" for k, v in spec.to_dict().items()), "",
             "## Conventions", "",
             f"- Parameters: trainable weights and biases; {an.params:,} in total.",
             f"- MACs: multiply-accumulates of conv and fc layers per {h}x{w} image "
             f"({fmt_count(an.macs)}); FLOPs = 2 x MACs. BatchNorm, ReLU, pooling and the "
             "shortcut additions are not in MACs (the tables' caption says which convention "
             "they use).",
             "- Shapes are channels x height x width; stage names follow He et al. 2015 "
             "(conv2_x ...) and torchvision (layer1 ...).",
             "- Shortcut kinds are drawn by dash pattern: identity solid, zero-pad dotted, "
             "projection dashed, avg-pool + projection thick dashed.",
             "", "## Open it in the app", "", f"<{link}>", "",
             "(start the app with `make run`; the query string works on any host running it)",
             "", "## Files", "", "| file | what it is |", "|:---|:---|",
             *(f"| `{it.path}` | {it.description} |" for it in items),
             "| `README.md` | this file |", ""]
    return "\n".join(lines)


def pack_filename(spec: ResNetSpec) -> str:
    """``<configuration>_teaching-pack.zip``."""
    return f"{config_slug(spec)}_teaching-pack.zip"


def build_pack(spec: ResNetSpec, *, analysis: Analysis | None = None,
               items: list[PackItem] | None = None, progress: Progress | None = None,
               app_url: str = DEFAULT_APP_URL) -> Pack:
    """Make every file of the pack and zip them with the README.

    Args:
        spec: the configuration.
        analysis: a precomputed ``analyse(spec)``.
        items: a plan from :func:`plan_pack` (default: the full plan).
        progress: called after each file as ``progress(done, total, path)``;
            raising from it (e.g. ``KeyboardInterrupt``) stops the build.
        app_url: the app's address for the README's link.

    Raises:
        ValueError: if a file cannot be made (the message names it).
    """
    an = analysis if analysis is not None else analyse(spec)
    items = plan_pack(spec, analysis=an) if items is None else items
    seconds: dict[str, float] = {}

    def make(it: PackItem) -> bytes:
        t0 = time.perf_counter()
        try:
            data = it.make()
        except ValueError as exc:
            raise ValueError(f"{it.path}: {exc}") from exc
        part = it.path.split("/", 1)[0]
        seconds[part] = seconds.get(part, 0.0) + time.perf_counter() - t0
        return data

    # Charts are drawn in Chromium and diagrams by dot: both separate processes, so the
    # charts are made on a second thread while this one makes the rest.
    pool = ThreadPoolExecutor(max_workers=1)
    later = {it.path: pool.submit(make, it) for it in items if it.path.startswith("plots/")}
    buf = io.BytesIO()
    try:
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for i, it in enumerate(sorted(items, key=lambda it: it.path in later)):
                data = later[it.path].result() if it.path in later else make(it)
                zf.writestr(it.path, data)
                if progress is not None:
                    progress(i + 1, len(items), it.path)
            zf.writestr("README.md", readme(spec, an, items, app_url=app_url))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return Pack(pack_filename(spec), buf.getvalue(),
                (*(it.path for it in items), "README.md"), seconds)

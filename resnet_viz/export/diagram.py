"""Diagram files for slides, handouts and papers: styled, titled, fitted to a page, named.

Built on :func:`resnet_viz.render.diagram.to_dot` (and ``pair_dot`` /
``anatomy_dot``) and laid out by :func:`resnet_viz.export.graphviz.render`.
The app's own DOT is never changed; a style is applied to a copy of the text:

* ``screen``: the app's look, unchanged.
* ``slide``: type 1.6x larger and lines 1.8x thicker, for a 16:9 slide.
* ``print``: grayscale (fills lightened by luminance, lines and text dark);
  shortcut kinds stay apart by dash pattern (solid / dotted / dashed / thick
  dashed with an open arrowhead), never by colour alone.
* ``contrast``: black text, black borders and edges, thicker lines.

A *page* (16:9 slide, A4 or Letter, portrait or landscape, a LaTeX column) sets
Graphviz's ``size`` so the drawing is scaled down to fit it; the export says how
large the smallest type ends up and warns below :data:`MIN_FONT_PT`. A PNG that
would exceed what Graphviz's cairo renderer can hold raises a ``ValueError``
offering SVG or PDF instead of writing a rescaled, blurry bitmap.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from enum import StrEnum

from resnet_viz.analysis import Analysis, analyse
from resnet_viz.arch.spec import ResNetSpec, parse_choice
from resnet_viz.export.graphviz import render
from resnet_viz.render.diagram import Direction, Level, anatomy_dot, pair_dot, to_dot
from resnet_viz.render.tikz import caption


class Style(StrEnum):
    """How the diagram is dressed."""

    SCREEN = "screen"
    SLIDE = "slide"
    PRINT = "print"
    CONTRAST = "contrast"


class Page(StrEnum):
    """The page a diagram is fitted to (``none``: natural size)."""

    NONE = "none"
    SLIDE = "slide-16x9"
    A4_PORTRAIT = "a4-portrait"
    A4_LANDSCAPE = "a4-landscape"
    LETTER_PORTRAIT = "letter-portrait"
    LETTER_LANDSCAPE = "letter-landscape"
    COLUMN = "latex-column"


class DiagramKind(StrEnum):
    """Which figure: one network, plain vs residual, or one block's anatomy."""

    NETWORK = "network"
    PAIR = "pair"
    ANATOMY = "anatomy"


class DiagramFormat(StrEnum):
    """File format (the value is the extension)."""

    SVG = "svg"
    PNG = "png"
    PDF = "pdf"
    DOT = "dot"


# Usable area in inches (the page less 0.5 in margins; a LaTeX column 3.3 in wide).
PAGE_INCHES: dict[Page, tuple[float, float]] = {
    Page.SLIDE: (12.33, 6.5), Page.A4_PORTRAIT: (7.27, 10.69),
    Page.A4_LANDSCAPE: (10.69, 7.27), Page.LETTER_PORTRAIT: (7.5, 10.0),
    Page.LETTER_LANDSCAPE: (10.0, 7.5), Page.COLUMN: (3.3, 9.0)}
MIN_FONT_PT = 5.0
"""Below this size on the page, an export carries a legibility warning."""
MAX_BITMAP_SIDE = 32_767
"""Largest PNG side Graphviz's cairo renderer produces without rescaling."""
DEFAULT_DPI = 300

_SCALES: dict[Style, tuple[float, float]] = {  # (type, line width) multipliers
    Style.SCREEN: (1.0, 1.0), Style.SLIDE: (1.6, 1.8), Style.PRINT: (1.0, 1.2),
    Style.CONTRAST: (1.15, 1.8)}
_NUM = re.compile(r"(fontsize=|penwidth=|point-size=\")(\d+(?:\.\d+)?)")
_COLOUR = re.compile(r'\b(fillcolor|color|fontcolor)="#([0-9A-Fa-f]{6})"')
_BASE_NODE_FONT = 10.0  # the node font size in resnet_viz.render.diagram's DOT header


@dataclass(frozen=True)
class DiagramExport:
    """One exported diagram: its bytes, a file name stating what is drawn, and a note."""

    filename: str
    data: bytes
    width_in: float  # size on the page, inches (0 for DOT)
    height_in: float
    note: str  # fit / legibility remarks, "" when there are none


def _luminance(hexa: str) -> float:
    r, g, b = (int(hexa[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _grey(hexa: str, lighten: float) -> str:
    v = min(1.0, max(0.0, 1 - (1 - _luminance(hexa)) * lighten))
    return "#" + f"{round(v * 255):02X}" * 3


def _recolour(dot: str, style: Style) -> str:
    def sub(m: re.Match[str]) -> str:
        attr, hexa = m.group(1), m.group(2)
        if style is Style.PRINT:
            if attr == "fillcolor":
                return f'{attr}="{_grey(hexa, 0.55)}"'
            return f'{attr}="{"#000000" if _luminance(hexa) < 0.8 else _grey(hexa, 1.0)}"'
        if attr == "fillcolor":
            return m.group(0)
        return f'{attr}="#000000"'
    return _COLOUR.sub(sub, dot)


def apply_style(dot: str, style: Style | str, *, page: Page | str = Page.NONE,
                font_scale: float = 1.0) -> str:
    """``dot`` dressed in ``style`` and fitted to ``page`` (a new text; the input is kept).

    Raises:
        ValueError: for an unknown style or page, or a font scale outside 0.5..3.
    """
    style = parse_choice(Style, style, "style")
    page = parse_choice(Page, page, "page")
    if not 0.5 <= font_scale <= 3:
        raise ValueError(f"font scale must be between 0.5 and 3; got {font_scale:g}")
    kf, kl = _SCALES[style]
    kf *= font_scale

    def scale(m: re.Match[str]) -> str:
        k = kf if m.group(1) != "penwidth=" else kl
        return f"{m.group(1)}{float(m.group(2)) * k:.3g}"

    out = _NUM.sub(scale, dot) if (kf, kl) != (1.0, 1.0) else dot
    if style is Style.SLIDE:
        out = out.replace("arrowsize=0.6", "arrowsize=1")
    if style in (Style.PRINT, Style.CONTRAST):
        out = _recolour(out, style)
    if page is not Page.NONE:
        w, h = PAGE_INCHES[page]
        out = out.replace("newrank=true,", f'newrank=true, size="{w:g},{h:g}", ratio=compress,',
                          1)
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.+-]+", "_", text).strip("_")


def config_slug(spec: ResNetSpec) -> str:
    """The configuration in a file name: name, shortcut option (or plain) and variant."""
    shortcut = f"shortcut-{spec.shortcut}" if spec.shortcuts else "plain"
    parts = [spec.name, shortcut, f"variant-{spec.variant}"]
    h, w = spec.input_size
    if (h, w) != (224, 224) and (h, w) != (32, 32):
        parts.append(f"{h}x{w}")
    return _slug("_".join(parts))


def diagram_filename(spec: ResNetSpec, *, fmt: DiagramFormat | str,
                     kind: DiagramKind | str = DiagramKind.NETWORK,
                     level: Level | str = Level.STAGE,
                     direction: Direction | str = Direction.VERTICAL,
                     style: Style | str = Style.SCREEN, page: Page | str = Page.NONE) -> str:
    """E.g. ``ResNet-50_shortcut-B_variant-v1.5_block_TB_slide.svg``."""
    parts = [config_slug(spec)]
    if DiagramKind(kind) is not DiagramKind.NETWORK:
        parts.append(str(kind))
    parts += [str(Level(level)), Direction(direction).value, str(Style(style))]
    if Page(page) is not Page.NONE:
        parts.append(str(page))
    return "_".join(parts) + "." + str(DiagramFormat(fmt))


def figure_title(spec: ResNetSpec, level: Level | str, kind: DiagramKind | str) -> str:
    """What is drawn, for the figure's title line."""
    sc = f"shortcut {spec.shortcut}" if spec.shortcuts else "no shortcuts"
    what = {DiagramKind.NETWORK: f"{Level(level)} level", DiagramKind.PAIR: "plain vs residual",
            DiagramKind.ANATOMY: "block anatomy"}[DiagramKind(kind)]
    return f"{spec.name} · {sc} · variant {spec.variant} · {what}"


def titled(dot: str, title: str, note: str) -> str:
    """The root label as a title and a small caption (set last, so clusters keep theirs)."""
    def esc(t: str) -> str:
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines = "<br/>".join(esc(t) for t in textwrap.wrap(note, 80))
    label = (f'  graph [label=<<b>{esc(title)}</b><br/><font point-size="9">{lines}</font>>,'
             " labelloc=t];\n")
    body = dot.rstrip()
    return body[:-1] + label + "}\n"


def styled_dot(spec: ResNetSpec, *, kind: DiagramKind | str = DiagramKind.NETWORK,
               level: Level | str = Level.STAGE, direction: Direction | str = Direction.VERTICAL,
               style: Style | str = Style.SCREEN, page: Page | str = Page.NONE,
               font_scale: float = 1.0, stage: int = 1,
               analysis: Analysis | None = None) -> str:
    """The figure's DOT text with title, caption, style and page fit applied.

    Raises:
        ValueError: for unknown choices or a stage the spec lacks (anatomy).
    """
    kind = parse_choice(DiagramKind, kind, "diagram kind")
    level = parse_choice(Level, level, "level")
    direction = parse_choice(Direction, direction, "direction")
    an = analysis if analysis is not None else analyse(spec)
    if kind is DiagramKind.NETWORK:
        dot = to_dot(spec, level=level, direction=direction, title="", analysis=an)
    elif kind is DiagramKind.PAIR:
        dot = pair_dot(spec, level=level, direction=direction, title="")
    else:
        dot = anatomy_dot(spec, stage=stage, title="")
    dot = titled(dot, figure_title(spec, level, kind), caption(an))
    return apply_style(dot, style, page=page, font_scale=font_scale)


def _svg_inches(svg: bytes) -> tuple[float, float]:
    m = re.search(rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not m:
        raise ValueError("dot's SVG carries no size")
    return float(m.group(1)) / 72, float(m.group(2)) / 72


def _fit_note(dot: str, width: float, height: float, page: Page, style: Style,
              font_scale: float) -> str:
    if page is Page.NONE:
        return ""
    natural = re.sub(r'size="[\d.,]+", ratio=compress,', "", dot)
    nw, nh = _svg_inches(render(natural, "svg"))
    scale = min(1.0, width / nw if nw else 1.0, height / nh if nh else 1.0)
    smallest = 8 * _SCALES[style][0] * font_scale * scale  # edge labels are 8 pt in the app
    note = (f"fitted to {page} ({width:.1f} x {height:.1f} in, scaled to {scale:.0%}); "
            f"smallest type {smallest:.1f} pt")
    if smallest < MIN_FONT_PT:
        note += (f", below {MIN_FONT_PT:g} pt: use the stage level, a larger page "
                 "or the other direction")
    return note


def export_diagram(spec: ResNetSpec, fmt: DiagramFormat | str = DiagramFormat.SVG, *,
                   kind: DiagramKind | str = DiagramKind.NETWORK,
                   level: Level | str = Level.STAGE,
                   direction: Direction | str = Direction.VERTICAL,
                   style: Style | str = Style.SCREEN, page: Page | str = Page.NONE,
                   dpi: int = DEFAULT_DPI, font_scale: float = 1.0, stage: int = 1,
                   analysis: Analysis | None = None) -> DiagramExport:
    """One diagram file.

    Args:
        spec: the architecture.
        fmt: ``svg``, ``png``, ``pdf`` or ``dot``.
        kind: ``network``, ``pair`` (plain vs residual) or ``anatomy`` (one block).
        level: ``stage``, ``block`` or ``layer`` (network and pair).
        direction: ``TB`` or ``LR``.
        style: ``screen``, ``slide``, ``print`` or ``contrast``.
        page: a page to fit the drawing to, or ``none``.
        dpi: PNG resolution (72..1200).
        font_scale: extra type size factor (0.5..3).
        stage: the stage shown by ``anatomy``.
        analysis: a precomputed ``analyse(spec)``.

    Returns:
        The bytes, a descriptive file name, the size on the page and a fit note.

    Raises:
        ValueError: for unknown choices, a DPI out of range, or a PNG larger than
            a bitmap can be (the message offers SVG/PDF and the largest DPI that fits).
    """
    fmt = parse_choice(DiagramFormat, fmt, "format")
    style, page = parse_choice(Style, style, "style"), parse_choice(Page, page, "page")
    if not 72 <= dpi <= 1200:
        raise ValueError(f"DPI must be between 72 and 1200; got {dpi}")
    dot = styled_dot(spec, kind=kind, level=level, direction=direction, style=style, page=page,
                     font_scale=font_scale, stage=stage, analysis=analysis)
    name = diagram_filename(spec, fmt=fmt, kind=kind, level=level, direction=direction,
                            style=style, page=page)
    return dot_export(dot, name, fmt, style=style, page=page, dpi=dpi, font_scale=font_scale)


def dot_export(dot: str, name: str, fmt: DiagramFormat | str, *, style: Style | str,
               page: Page | str = Page.NONE, dpi: int = DEFAULT_DPI,
               font_scale: float = 1.0) -> DiagramExport:
    """Lay out an already styled DOT text into one file (shared by every diagram kind).

    Raises:
        ValueError: for a DPI out of range or a PNG larger than a bitmap can be.
    """
    fmt = parse_choice(DiagramFormat, fmt, "format")
    style, page = parse_choice(Style, style, "style"), parse_choice(Page, page, "page")
    if not 72 <= dpi <= 1200:
        raise ValueError(f"DPI must be between 72 and 1200; got {dpi}")
    if fmt is DiagramFormat.DOT:
        return DiagramExport(name, dot.encode(), 0.0, 0.0, "")
    svg = render(dot, "svg")
    w, h = _svg_inches(svg)
    note = _fit_note(dot, w, h, page, style, font_scale)
    if fmt is DiagramFormat.SVG:
        return DiagramExport(name, svg, w, h, note)
    if fmt is DiagramFormat.PNG:
        side = max(w, h) * dpi
        if side > MAX_BITMAP_SIDE:
            fits = int(MAX_BITMAP_SIDE / max(w, h))
            lower = f", or use at most {fits} dpi" if fits >= 72 else ""
            raise ValueError(
                f"a {dpi} dpi PNG of this diagram would be {round(w * dpi):,} x "
                f"{round(h * dpi):,} px, more than a bitmap can hold ({MAX_BITMAP_SIDE:,} px a "
                f"side); export SVG or PDF instead, or fit it to a page{lower}")
        dot = dot.replace("newrank=true,", f"newrank=true, dpi={dpi},", 1)
    return DiagramExport(name, render(dot, str(fmt)), w, h, note)

"""TikZ / LaTeX figures of a ResNet, written from the spec and its analysis.

Two looks:

* ``blocks``: the block diagram as in the app: input, stem, one node per stage
  (``x N`` repeated blocks) or per block, each followed by a ``+`` that its
  shortcut arrow enters, then the head. Block level puts each stage in its own
  column so deep networks stay on a page.
* ``boxes``: the "layered boxes" look of hand-drawn paper figures: one cuboid
  per tensor (input, stem output, each stage's output, pooled features, logits),
  its height and depth growing with ``log2`` of the spatial size and its
  thickness with ``log2`` of the channels, so every depth from ResNet-18 to
  ResNet-152 fits one page (stages are drawn once, with ``x N``).

Styles: ``colour`` uses the app's stage colours (:mod:`resnet_viz.render.theme`);
``print`` is grayscale-safe: stages differ by fill pattern and shortcut kinds
by dash pattern, never by colour alone (both styles use the same dashes).

:func:`to_tikz` returns an ``\\input``-able fragment (needs ``tikz`` with the
``patterns`` library in the preamble: :data:`PREAMBLE`); :func:`standalone`
wraps it into a document that ``pdflatex`` compiles to a page the size of the
figure. Every string from the spec goes through :func:`tex_escape`.
"""

from __future__ import annotations

import math
from enum import StrEnum

from resnet_viz.analysis import Analysis, analyse
from resnet_viz.arch.spec import ResNetSpec, ShortcutKind, parse_choice
from resnet_viz.fmt import fmt_count, fmt_shape
from resnet_viz.render.diagram import Level
from resnet_viz.render.theme import HEAD_COLOUR, STEM_COLOUR, stage_colour


class Look(StrEnum):
    """Which kind of figure."""

    BLOCKS = "blocks"
    BOXES = "boxes"


class TikzStyle(StrEnum):
    """Colour for screens and slides, or grayscale-safe print."""

    COLOUR = "colour"
    PRINT = "print"


PREAMBLE = "\\usepackage{tikz}\n\\usetikzlibrary{patterns}\n"
"""What a document needs before ``\\input``-ing a fragment."""

MAX_BLOCK_ROWS = 120
"""Block level draws one column per stage; longer stages would not fit TeX's page size."""

# TikZ styles per shortcut kind: distinct dash patterns, so no colour is needed to tell them apart.
_SHORTCUT_TIKZ: dict[ShortcutKind, str] = {
    ShortcutKind.IDENTITY: "solid, line width=0.9pt",
    ShortcutKind.ZERO_PAD: "dotted, line width=1.3pt",
    ShortcutKind.PROJECTION: "dashed, line width=1pt",
    ShortcutKind.AVG_PROJECTION: "dash dot, line width=1.5pt",
}
_PRINT_PATTERNS = ("north east lines", "dots", "crosshatch", "horizontal lines",
                   "north west lines", "vertical lines")
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                "#": r"\#", "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%",
                "~": r"\textasciitilde{}", "×": r"$\times$", "<": r"\textless{}",
                ">": r"\textgreater{}", "·": r"$\cdot$",
                "→": r"$\to$", "[": "{[}", "]": "{]}"}  # braced: safe after a ``\\``


def tex_escape(text: str) -> str:
    """``text`` safe for LaTeX's text mode (specials escaped, ``×`` as ``$\\times$``)."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def caption(an: Analysis) -> str:
    """The figure's one-line caption, all numbers computed from the analysis (plain text)."""
    spec = an.spec
    h, w = spec.input_size
    sc = f"shortcut {spec.shortcut}" if spec.shortcuts else "no shortcuts (plain)"
    return (f"{spec.name}: {an.params:,} parameters, {fmt_count(an.macs)} MACs "
            f"(conv + fc multiply-accumulates) per {h}×{w} image; {spec.block} blocks "
            f"{'-'.join(str(b) for b in spec.blocks)}, {sc}, variant {spec.variant}"
            f"{', pre-activation' if spec.preact else ''}.")


def _f(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _colours(spec: ResNetSpec, style: TikzStyle) -> list[str]:
    """``\\definecolor`` lines (stem ``rvs0``, stages ``rvs1``.., head ``rvsh``)."""
    out = []
    for i in range(len(spec.stages) + 2):
        hexa = STEM_COLOUR if i == 0 else HEAD_COLOUR if i > len(spec.stages) \
            else stage_colour(i)
        name = "rvsh" if i > len(spec.stages) else f"rvs{i}"
        if style is TikzStyle.PRINT:  # gray levels only; patterns carry the stage identity
            grey = 0.93 - 0.09 * (i % 5)
            out.append(f"\\definecolor{{{name}}}{{gray}}{{{grey:.2f}}}")
        else:
            out.append(f"\\definecolor{{{name}}}{{HTML}}{{{hexa.lstrip('#').upper()}}}")
    return out


def _fill(style: TikzStyle, colour: str, stage: int, shade: int = 35) -> str:
    """Fill options for a stage's shape (stage 0 = stem/head: no pattern)."""
    if style is TikzStyle.PRINT:
        base = f"fill={colour}"
        if stage > 0:
            pat = _PRINT_PATTERNS[(stage - 1) % len(_PRINT_PATTERNS)]
            base += f", postaction={{pattern={pat}, pattern color=black!45}}"
        return base
    return f"fill={colour}!{shade}"


def _legend(kinds: list[ShortcutKind], x: float, y: float) -> list[str]:
    """Line samples for the shortcut kinds drawn."""
    lines = [f"\\node[anchor=west, font=\\scriptsize] at ({_f(x)},{_f(y)}) "
             "{\\textbf{shortcuts:}};"]
    x += 1.9
    for k in kinds:
        lines.append(f"\\draw[{_SHORTCUT_TIKZ[k]}] ({_f(x)},{_f(y)}) -- ++(0.8,0);")
        lines.append(f"\\node[anchor=west, font=\\scriptsize] at ({_f(x + 0.85)},{_f(y)}) "
                     f"{{{tex_escape(str(k))}}};")
        x += 1.2 + 0.14 * len(str(k))
    return lines


def _kinds(an: Analysis) -> list[ShortcutKind]:
    seen = {b.shortcut for b in an.blocks if b.shortcut is not ShortcutKind.NONE}
    return [k for k in _SHORTCUT_TIKZ if k in seen]


def _stage_note(an: Analysis, stage: int) -> str:
    """``projection, then 2 identity`` style summary of a stage's shortcuts."""
    kinds = [b.shortcut for b in an.blocks if b.stage == stage]
    first, rest = kinds[0], kinds[1:]
    if not rest or all(k is first for k in rest):
        return f"{first}" if not rest else f"{first} ×{len(kinds)}"
    return f"{first}, then {rest[0]} ×{len(rest)}"


# ----------------------------------------------------------------------------- blocks look
_ROW = 1.05  # cm from a node's centre to its "+" and from the "+" to the next node
_W = 5.6  # node text width, cm


def _node(name: str, x: float, y: float, fill: str, lines: list[str], *,
          shape: str = "rectangle, rounded corners=2pt") -> str:
    body = "\\\\".join(lines)
    return (f"\\node[{shape}, draw=black!75, {fill}, text width={_W}cm, align=center, "
            f"inner sep=3pt, font=\\footnotesize] ({name}) at ({_f(x)},{_f(y)}) {{{body}}};")


def _residual(out: list[str], kind: ShortcutKind, prev: str, x: float, y_from: float,
              y_node: float, label: str) -> str:
    """The ``+`` below a node at ``y_node`` and the shortcut from ``y_from`` into it."""
    plus = f"{prev}p"
    yp = y_node - _ROW
    out.append(f"\\node[circle, draw=black!75, fill=white, inner sep=0.5pt, font=\\small] "
               f"({plus}) at ({_f(x)},{_f(yp)}) {{$+$}};")
    out.append(f"\\draw[-latex, black!80] ({prev}) -- ({plus});")
    right = x + _W / 2 + 0.55
    lab = (f" node[pos=0.5, right, font=\\scriptsize, align=left, text width=1.7cm] "
           f"{{{tex_escape(label)}}}" if label else "")
    out.append(f"\\draw[-latex, black!80, {_SHORTCUT_TIKZ[kind]}, rounded corners=3pt] "
               f"({_f(x)},{_f(y_from)}) -- ({_f(right)},{_f(y_from)}) -- ({_f(right)},{_f(yp)})"
               f"{lab} -- ({plus}.east);")
    return plus


def _blocks_look(an: Analysis, style: TikzStyle, level: Level) -> list[str]:
    spec = an.spec
    out: list[str] = []
    rows = an.rows
    x, y = 0.0, 0.0
    out.append(f"\\node[rounded corners=7pt, draw=black!75, font=\\footnotesize] (in) at (0,0) "
               f"{{input {tex_escape(fmt_shape((spec.in_channels, *spec.input_size)))}}};")
    prev = "in"
    y -= 1.3
    stem = rows[0]
    out.append(_node("stem", x, y, _fill(style, "rvs0", 0), [
        f"\\textbf{{{tex_escape(stem.name)}}} (stem)", tex_escape(stem.description),
        tex_escape(fmt_shape(stem.output_shape))]))
    out.append(f"\\draw[-latex, black!80] ({prev}) -- (stem);")
    prev, y = "stem", y - 1.9
    col_x, lowest = 0.0, y
    for st, row in zip(spec.stages, an.stage_rows, strict=True):
        fill = _fill(style, f"rvs{st.index}", st.index)
        if level is Level.STAGE:
            kind = an.blocks[sum(spec.blocks[:st.index - 1])].shortcut
            name = f"s{st.index}"
            out.append(_node(name, x, y, fill, [
                f"\\textbf{{{tex_escape(row.name)}}} ({tex_escape(st.module)}) "
                f"\\quad $\\times${st.blocks}", tex_escape(row.description),
                tex_escape(fmt_shape(row.output_shape))]))
            out.append(f"\\draw[-latex, black!80] ({prev}) -- ({name});")
            prev = name
            if kind is not ShortcutKind.NONE:
                prev = _residual(out, kind, name, x, y + 0.95, y, _stage_note(an, st.index))
                y -= _ROW
            y -= 1.9
            continue
        if st.index > 1:  # a new column per stage: route round the previous one
            top = 0.0 - 1.3 - 1.9
            mid = col_x + _W / 2 + 2.6
            col_x += _W + 3.6
            out.append(f"\\draw[-latex, black!80, rounded corners=3pt] ({prev}) -- "
                       f"++(0,-0.6) -| ({_f(mid)},{_f(top + 1.0)}) -| "
                       f"({_f(col_x)},{_f(top + 0.55)});")
            prev, x, y = "", col_x, top
            out.append(f"\\node[font=\\footnotesize\\bfseries, anchor=south] at "
                       f"({_f(x)},{_f(top + 1.05)}) {{{tex_escape(row.name)}}};")
        for b in (b for b in an.blocks if b.stage == st.index):
            name = f"b{st.index}x{b.index}"
            down = f", /{b.stride}" if b.stride > 1 else ""
            out.append(_node(name, x, y, fill, [
                f"\\textbf{{{tex_escape(b.name)}}}{down}",
                tex_escape(f"{fmt_shape(b.in_shape)} → {fmt_shape(b.out_shape)}")]))
            if prev:
                out.append(f"\\draw[-latex, black!80] ({prev}) -- ({name});")
            else:
                out.append(f"\\draw[-latex, black!80] ({_f(x)},{_f(y + 0.55 + 0.45)}) -- "
                           f"({name});")
            prev = name
            if b.shortcut is not ShortcutKind.NONE:
                label = "" if b.shortcut is ShortcutKind.IDENTITY else str(b.shortcut)
                prev = _residual(out, b.shortcut, name, x, y + 0.62, y, label)
                y -= _ROW
            y -= 1.5
            lowest = min(lowest, y)
    head = rows[-1]
    out.append(_node("head", x, y, _fill(style, "rvsh", 0), [
        f"\\textbf{{{tex_escape(head.name)}}} (head)", tex_escape(head.description),
        tex_escape(fmt_shape(head.output_shape))]))
    out.append(f"\\draw[-latex, black!80] ({prev}) -- (head);")
    out += _legend(_kinds(an), -_W / 2, min(lowest, y) - 1.1)
    return out


# ----------------------------------------------------------------------------- boxes look
def _box_dims(shape: tuple[int, ...]) -> tuple[float, float, float]:
    """Thickness (channels), height and depth (spatial) of a tensor's cuboid, cm, log-scaled."""
    c = shape[0]
    if len(shape) == 1:  # a vector: a tall thin bar
        return 0.18, 0.3 + 0.32 * math.log2(max(c, 2)), 0.12
    h, w = shape[1], shape[2]
    return (0.12 + 0.075 * math.log2(max(c, 1)), 0.35 + 0.5 * math.log2(max(h, 1)),
            0.15 + 0.22 * math.log2(max(w, 1)))


def _cuboid(out: list[str], x: float, dims: tuple[float, float, float], fill: str,
            side: str) -> None:
    t, h, d = dims
    ox, oy = 0.8 * d, 0.55 * d
    y0, y1 = -h / 2, h / 2
    p = _f
    out.append(f"\\draw[black!80, {fill}] ({p(x)},{p(y0)}) rectangle ({p(x + t)},{p(y1)});")
    out.append(f"\\draw[black!80, {side}] ({p(x)},{p(y1)}) -- ({p(x + ox)},{p(y1 + oy)}) -- "
               f"({p(x + t + ox)},{p(y1 + oy)}) -- ({p(x + t)},{p(y1)}) -- cycle;")
    out.append(f"\\draw[black!80, {side}] ({p(x + t)},{p(y0)}) -- ({p(x + t + ox)},"
               f"{p(y0 + oy)}) -- ({p(x + t + ox)},{p(y1 + oy)}) -- ({p(x + t)},{p(y1)}) "
               "-- cycle;")


def _boxes_look(an: Analysis, style: TikzStyle) -> list[str]:
    spec = an.spec
    rows = an.rows
    gap = 0.85
    items: list[tuple[str, tuple[int, ...], int, int, ShortcutKind | None]] = [
        ("input", (spec.in_channels, *spec.input_size), 0, 0, None),
        (rows[0].name, rows[0].output_shape, 0, 0, None)]
    for st, row in zip(spec.stages, an.stage_rows, strict=True):
        kind = next(b.shortcut for b in an.blocks if b.stage == st.index)
        items.append((row.name, row.output_shape, st.index, st.blocks, kind))
    items.append(("avg pool", (spec.feature_channels,), -1, 0, None))
    items.append(("fc", (spec.num_classes,), -1, 0, None))
    dims = [_box_dims(shape) for _, shape, *_ in items]
    bottom = -max(h for _, h, _ in dims) / 2
    out: list[str] = []
    x = 0.0
    spans: list[tuple[float, float]] = []
    for (name, shape, stage, blocks, sc), dim in zip(items, dims, strict=True):
        colour = "rvs0" if stage == 0 else "rvsh" if stage < 0 else f"rvs{stage}"
        fill = _fill(style, colour, max(stage, 0), 45)
        side = (_fill(style, colour, 0, 80) if style is TikzStyle.COLOUR
                else f"fill={colour}!80!black")
        _cuboid(out, x, dim, fill, side)
        t, h, d = dim
        right = x + t + 0.8 * d
        mid = (x + right) / 2
        if spans:
            out.append(f"\\draw[-latex, black!80] ({_f(spans[-1][1] + 0.05)},0) -- "
                       f"({_f(x - 0.05)},0);")
        if blocks:
            out.append(f"\\node[font=\\small\\bfseries, anchor=south] at ({_f(mid)},"
                       f"{_f(h / 2 + 0.55 * d + 0.02)}) {{$\\times${blocks}}};")
        out.append(f"\\node[font=\\scriptsize, anchor=north, align=center] at ({_f(mid)},"
                   f"{_f(bottom - 0.15)}) {{{tex_escape(fmt_shape(shape))}\\\\"
                   f"\\textbf{{{tex_escape(name)}}}}};")
        if sc is not None and sc is not ShortcutKind.NONE and spans:
            a = spans[-1][1] + 0.6 * gap  # neighbouring stages' arcs never meet
            b = right + 0.4 * gap
            arc = h / 2 + 0.55 * d + 0.6
            out.append(f"\\draw[-latex, black!80, {_SHORTCUT_TIKZ[sc]}, rounded corners=4pt] "
                       f"({_f(a)},0) -- ({_f(a)},{_f(arc)}) -- ({_f(b)},{_f(arc)}) -- "
                       f"({_f(b)},0.05);")
        spans.append((x, right))
        x = right + gap
    drawn = {k for *_, k in items if k is not None and k is not ShortcutKind.NONE}
    out += _legend([k for k in _SHORTCUT_TIKZ if k in drawn], 0.0, bottom - 1.35)
    later = sorted({str(b.shortcut) for b in an.blocks if b.index > 0})
    arcs = (f"; arcs: each stage's first shortcut, later blocks: {', '.join(later)}"
            if later and drawn else "")
    out.append(f"\\node[font=\\scriptsize, anchor=north west, text width={_f(x - gap)}cm] at "
               f"(0,{_f(bottom - 1.7)}) {{box height and depth $\\propto \\log_2$ spatial "
               f"size, thickness $\\propto \\log_2$ channels; $\\times N$: blocks per stage"
               f"{tex_escape(arcs)}}};")
    return out


def to_tikz(spec: ResNetSpec, *, look: Look | str = Look.BLOCKS, level: Level | str = Level.STAGE,
            style: TikzStyle | str = TikzStyle.COLOUR, title: str | None = None,
            with_caption: bool = True, analysis: Analysis | None = None) -> str:
    """The network as a ``tikzpicture`` (an ``\\input``-able fragment).

    Args:
        spec: the architecture.
        look: ``blocks`` (block diagram) or ``boxes`` (layered boxes).
        level: ``stage`` or ``block``; the boxes look is always per stage.
        style: ``colour`` or ``print`` (grayscale-safe).
        title: the title above the figure; ``None`` uses the spec's name, ``""`` none.
        with_caption: a caption line under the figure with the computed totals.
        analysis: a precomputed ``analyse(spec)`` to reuse.

    Returns:
        LaTeX source starting with a comment naming what is drawn.

    Raises:
        ValueError: for an unknown look/level/style, layer level, the boxes look
            at block level, a stage too long for block level, or an analysis of
            another spec.
    """
    look, style = parse_choice(Look, look, "look"), parse_choice(TikzStyle, style, "style")
    level = parse_choice(Level, level, "level")
    if level is Level.LAYER:
        raise ValueError("TikZ figures are drawn per stage or per block; use the Graphviz "
                         "diagram export for the layer level")
    if look is Look.BOXES and level is not Level.STAGE:
        raise ValueError("the boxes look draws one box per stage; use --level stage or "
                         "the blocks look")
    if level is Level.BLOCK and max(spec.blocks) > MAX_BLOCK_ROWS:
        raise ValueError(f"a stage of {max(spec.blocks)} blocks is too long for a block-level "
                         f"TikZ figure (at most {MAX_BLOCK_ROWS}); use the stage level")
    an = analysis if analysis is not None else analyse(spec)
    if an.spec != spec:
        raise ValueError("analysis was computed for a different spec")
    body = _blocks_look(an, style, level) if look is Look.BLOCKS else _boxes_look(an, style)
    head = [f"% {tex_escape(spec.name)}: {look} look, {level} level, {style} style "
            "(generated by resnet-viz)",
            "% needs \\usepackage{tikz} and \\usetikzlibrary{patterns}; scale with "
            "\\resizebox{\\linewidth}{!}{\\input{<this file>}}",
            "\\begin{tikzpicture}[>=latex]", *_colours(spec, style)]
    name = spec.name if title is None else title
    lines = head + body
    if name:
        lines.append(f"\\node[font=\\large\\bfseries, anchor=south] at "
                     f"(current bounding box.north) {{{tex_escape(name)}}};")
    if with_caption:
        lines.append("\\node[font=\\scriptsize, anchor=north, text width=12cm, align=center] "
                     f"at (current bounding box.south) {{{tex_escape(caption(an))}}};")
    lines.append("\\end{tikzpicture}")
    return "\n".join(lines) + "\n"


def standalone(fragment: str) -> str:
    """A complete document around a fragment; the page is cropped to the figure."""
    return ("\\documentclass{article}\n" + PREAMBLE
            + "\\usepackage[active,tightpage]{preview}\n\\PreviewEnvironment{tikzpicture}\n"
            "\\setlength\\PreviewBorder{6pt}\n\\begin{document}\n" + fragment
            + "\\end{document}\n")

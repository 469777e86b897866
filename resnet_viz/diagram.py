"""Spec -> Graphviz DOT text at three levels of detail, plus rendering to bytes.

* ``stage``: the paper's Table 1 as a chain: stem, one node per stage (its
  repeated blocks collapsed as ``x N``), head.
* ``block``: every residual block as a node, each followed by a small ``+``
  node; the shortcut is an edge from the block's input around the block into
  that ``+``, styled by its kind (identity solid, zero-pad dotted, projection
  dashed, avg-pool + projection thick dashed) and labelled where it is not an
  identity. The plain ablation has neither ``+`` nodes nor skip edges.
* ``layer``: one node per analysis record (conv, BN, ReLU, pools, ``+``) plus
  ``input`` and ``output``; shortcut ops sit on a side branch into the ``+``.

Conventions: kernel sizes are written ``3x3`` (the paper's notation), tensor
shapes ``C×H×W``. Node ids are module names with dots turned into underscores
(``layer1_0_conv1``), so output is deterministic and diffable.

Edge labels (the tensor shape) are what costs ``dot`` most of its layout time.
Graphs with more than :data:`LEAN_LABELS_ABOVE` nodes are therefore labelled
leanly: only the input edge and edges whose tensor shape differs from their
tail node's input, i.e. the edge right after each change of shape
(downsampling, channel growth, pooling, the classifier).

Nothing here writes files or prints; renderers return ``str`` / ``bytes``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from resnet_viz.analysis import Analysis, BlockSummary, LayerRecord, Shape, analyse
from resnet_viz.analysis import block_description as _block_description
from resnet_viz.plan import OpKind
from resnet_viz.spec import BlockKind, ResNetSpec, Shortcut, ShortcutKind
from resnet_viz.style import (
    HEAD_COLOUR,
    PLAIN_COLOUR,
    RESIDUAL_COLOUR,
    STEM_COLOUR,
    group_colour,
    stage_colour,
)


class Level(StrEnum):
    """How much detail a diagram shows."""

    STAGE = "stage"
    BLOCK = "block"
    LAYER = "layer"


class Direction(StrEnum):
    """Graphviz ``rankdir``: which way the data flows."""

    VERTICAL = "TB"
    HORIZONTAL = "LR"


LEAN_LABELS_ABOVE = 150
"""Graphs with more nodes than this label only shape-changing edges (see module doc)."""

FORMATS: tuple[str, ...] = ("svg", "png", "pdf")
"""Formats :func:`render` accepts."""

# One look per shortcut kind; the colours avoid the stage fills they run beside.
SHORTCUT_STYLE: dict[ShortcutKind, str] = {
    ShortcutKind.IDENTITY: 'style=solid, color="#1F4E79", penwidth=1.6',
    ShortcutKind.ZERO_PAD: 'style=dotted, color="#1F4E79", fontcolor="#1F4E79", penwidth=2.4',
    ShortcutKind.PROJECTION: 'style=dashed, color="#A51C30", fontcolor="#A51C30", penwidth=1.8',
    ShortcutKind.AVG_PROJECTION: ('style=dashed, color="#6A3D9A", fontcolor="#6A3D9A", '
                                  'penwidth=3, arrowhead=empty'),
    ShortcutKind.NONE: "style=invis",
}

# Sequential overlay scale (viridis stops): perceptually even, colour-blind safe.
_OVERLAY_STOPS: tuple[tuple[int, int, int], ...] = (
    (0x44, 0x01, 0x54), (0x3B, 0x52, 0x8B), (0x21, 0x91, 0x8C), (0x5E, 0xC9, 0x62),
    (0xFD, 0xE7, 0x25))
_NO_VALUE_FILL = "#F2F2F2"
_NO_VALUE_FONT = "#8A8A8A"
_ADD_FILL = "#FFFFFF"
_IO_FILL = "#FFFFFF"

_STARTERS = frozenset({OpKind.CONV.value, OpKind.MAXPOOL.value, OpKind.AVGPOOL.value,
                       OpKind.GAP.value, OpKind.FC.value})

_HEADER = """\
  graph [rankdir={rankdir}, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.28,
         newrank=true, labelloc=t, label={title}];
  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, color="#333333",
        penwidth=1, margin="0.14,0.06", height=0.3];
  edge [fontname="Helvetica", fontsize=8, color="#4D4D4D", arrowsize=0.6];"""


# --------------------------------------------------------------------------- DOT assembly
@dataclass(slots=True)
class _Edge:
    tail: str
    head: str
    text: str
    changed: bool
    attrs: str
    tail_port: bool = False  # leave / enter at the side: skips bow around the main path
    head_port: bool = False


@dataclass
class _Dot:
    """Collects node lines (with cluster nesting) and edges; edges are written last."""

    body: list[str] = field(default_factory=list)
    edges: list[_Edge] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    depth: int = 1

    @property
    def nodes(self) -> int:
        return len(self.ids)

    def line(self, text: str) -> None:
        self.body.append("  " * self.depth + text)

    def open(self, cid: str, label: str, fill: str, *, border: str = "#9A9A9A",
             penwidth: float = 1.0) -> None:
        self.line(f"subgraph cluster_{cid} {{")
        self.depth += 1
        self.line(f'graph [label=<{label}>, style="rounded,filled", fillcolor="{fill}", '
                  f'color="{border}", penwidth={penwidth:g}, fontsize=11, labeljust=l];')

    def close(self) -> None:
        self.depth -= 1
        self.line("}")

    def node(self, nid: str, label: str, fill: str, font: str = "", attrs: str = "") -> None:
        self.ids.append(nid)
        extra = f', fontcolor="{font}"' if font else ""
        self.line(f'{nid} [label=<{label}>, fillcolor="{fill}"{extra}{attrs}];')

    def edge(self, tail: str, head: str, *, text: str = "", changed: bool = True,
             attrs: str = "", tail_port: bool = False, head_port: bool = False) -> None:
        self.edges.append(_Edge(tail, head, text, changed, attrs, tail_port, head_port))

    def source(self, *, direction: Direction, title: str) -> str:
        lean = self.nodes > LEAN_LABELS_ABOVE
        side = "e" if Direction(direction) is Direction.VERTICAL else "s"
        out = ["digraph resnet {",
               _HEADER.format(rankdir=Direction(direction).value,
                              title=f"<<b>{_esc(title)}</b>>" if title else '""'),
               *self.body]
        for e in self.edges:
            attrs = [e.attrs] if e.attrs else []
            if e.tail_port:
                attrs.append(f"tailport={side}")
            if e.head_port:
                attrs.append(f"headport={side}")
            if e.text and (e.changed or not lean):
                attrs.append(f'label="{_esc_q(e.text)}"')
            tail = f" [{', '.join(attrs)}]" if attrs else ""
            out.append(f"  {e.tail} -> {e.head}{tail};")
        out.append("}")
        return "\n".join(out) + "\n"


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _esc_q(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _nid(prefix: str, name: str) -> str:
    return prefix + name.replace(".", "_")


def _shape(shape: Shape) -> str:
    return "×".join(str(s) for s in shape)


def _si(n: float) -> str:
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= div:
            return f"{n / div:.2f}".rstrip("0").rstrip(".") + suffix
    return f"{n:g}"


def _costs(params: int, macs: int) -> str:
    return f'<br/><font point-size="8">{_si(params)} params · {_si(macs)} MACs</font>'


def _tint(colour: str, amount: float = 0.82) -> str:
    """``colour`` mixed with white (cluster backgrounds)."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02X}" for c in rgb)


# --------------------------------------------------------------------------- overlay scale
@dataclass(frozen=True)
class _Scale:
    lo: float
    hi: float
    log: bool

    def position(self, value: float) -> float:
        lo, hi, v = self.lo, self.hi, value
        if self.log:
            lo, hi, v = math.log10(lo), math.log10(hi), math.log10(v)
        return 0.5 if hi == lo else min(1.0, max(0.0, (v - lo) / (hi - lo)))

    def colour(self, value: float) -> tuple[str, str]:
        """(fill, font colour) for ``value``; white text on the dark end."""
        fill = self.at(self.position(value))
        r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
        return fill, "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#FFFFFF"

    @staticmethod
    def at(position: float) -> str:
        """The scale's colour at ``position`` in [0, 1]."""
        t = position * (len(_OVERLAY_STOPS) - 1)
        i = min(int(t), len(_OVERLAY_STOPS) - 2)
        a, b, f = _OVERLAY_STOPS[i], _OVERLAY_STOPS[i + 1], t - i
        rgb = [round(x + (y - x) * f) for x, y in zip(a, b, strict=True)]
        return "#" + "".join(f"{c:02X}" for c in rgb)


def _make_scale(values: Sequence[float]) -> _Scale:
    """Log scale when every value is positive (gradient norms span decades), else linear."""
    lo, hi = min(values), max(values)
    return _Scale(lo, hi, lo > 0)


@dataclass(frozen=True)
class _Paint:
    """Per-node overlay values (keyed by module name) and the shared scale."""

    values: Mapping[str, float]
    scale: _Scale


def _check_overlay(overlay: Mapping[str, float], an: Analysis, level: Level) -> None:
    known = {b.name for b in an.blocks} | {st.module for st in an.spec.stages}
    if level is Level.LAYER:
        known |= {r.name for r in an.layers}
    for key, value in overlay.items():
        if key not in known:
            raise ValueError(
                f"overlay key {key!r} names no block or stage of {an.spec.name}; use block "
                f"names like 'layer2.0' or stage names like 'layer2'")
        if not math.isfinite(value):
            raise ValueError(f"overlay value for {key!r} is {value}; values must be finite")


def _display_values(an: Analysis, level: Level, overlay: Mapping[str, float]) -> dict[str, float]:
    """The value each node shows: stage nodes take the stage key or their blocks' mean;
    blocks take their own key or their stage's; layers their own, their block's or stage's."""
    out: dict[str, float] = {}
    if level is Level.STAGE:
        for st in an.spec.stages:
            vals = [overlay[b.name] for b in an.blocks if b.stage == st.index and b.name in overlay]
            if st.module in overlay:
                out[st.module] = overlay[st.module]
            elif vals:
                out[st.module] = sum(vals) / len(vals)
    elif level is Level.BLOCK:
        for b in an.blocks:
            v = overlay.get(b.name, overlay.get(f"layer{b.stage}"))
            if v is not None:
                out[b.name] = v
    else:
        for r in an.layers:
            block = r.name.rsplit(".", 1)[0] if r.block >= 0 else ""
            v = overlay.get(r.name, overlay.get(block, overlay.get(r.group)))
            if v is not None:
                out[r.name] = v
    return out


def _legend(d: _Dot, nid: str, scale: _Scale, label: str) -> None:
    cells = "".join(f'<td bgcolor="{scale.at(i / 6)}" width="16" height="12"></td>'
                    for i in range(7))
    kind = "log scale" if scale.log else "linear scale"
    name = f"<b>{_esc(label)}</b> " if label else ""
    table = (f'<table border="0" cellborder="0" cellspacing="1" cellpadding="2">'
             f'<tr><td colspan="7">{name}({kind})</td></tr><tr>{cells}</tr>'
             f'<tr><td colspan="3" align="left">min {scale.lo:.3g}</td><td></td>'
             f'<td colspan="3" align="right">max {scale.hi:.3g}</td></tr></table>')
    d.node(nid, table, "#FFFFFF", attrs=', shape=box, style="rounded,filled", margin="0.05"')


# --------------------------------------------------------------------------- shared pieces
@dataclass
class _Ctx:
    """What every builder needs: the analysis, the output, a node-id prefix and options."""

    an: Analysis
    d: _Dot
    pre: str = ""
    costs: bool = False
    paint: _Paint | None = None

    def id(self, name: str) -> str:
        return _nid(self.pre, name)

    def fill(self, key: str, colour: str) -> tuple[str, str]:
        """Fill and font colour of a node whose overlay key is ``key``."""
        if self.paint is None:
            return colour, ""
        if key in self.paint.values:
            return self.paint.scale.colour(self.paint.values[key])
        if colour in (STEM_COLOUR, HEAD_COLOUR, _ADD_FILL, _IO_FILL):
            return colour, ""
        return _NO_VALUE_FILL, _NO_VALUE_FONT


@dataclass(frozen=True)
class _Tail:
    """The node an edge leaves from and whether the tensor on it has a new shape."""

    nid: str
    changed: bool
    quiet: bool = False  # a "+" node: the edge into it already shows the tensor


def _text(tail: _Tail, shape: Shape) -> str:
    """Edge label for the tensor ``shape`` leaving ``tail``."""
    return "" if tail.quiet else _shape(shape)


def _op_text(r: LayerRecord) -> str:
    """Short description of one op (empty for BN / ReLU, whose name says it all)."""
    t, k, s = r.type, r.kernel, r.stride
    down = f", /{s}" if s > 1 else ""
    if t == OpKind.CONV.value:
        g = f", g={r.groups}" if r.groups > 1 else ""
        return f"{k}x{k}, {r.out_shape[0]}{down}{g}"
    if t == OpKind.MAXPOOL.value:
        return f"{k}x{k} max pool{down}"
    if t == OpKind.AVGPOOL.value:
        return f"{k}x{k} avg pool{down}"
    if t == OpKind.GAP.value:
        return "global avg pool"
    if t == OpKind.FC.value:
        return f"linear, {r.out_shape[0]}"
    if t == OpKind.ZEROPAD.value:
        sub = f"subsample /{s}, " if s > 1 else ""
        return f"{sub}zero-pad to {r.out_shape[0]} ch"
    return {OpKind.BN.value: "BN", OpKind.RELU.value: "ReLU",
            OpKind.FLATTEN.value: "flatten"}.get(t, "")


def _shortcut_text(kind: ShortcutKind, stride: int) -> str:
    down = f" /{stride}" if stride > 1 else ""
    return {ShortcutKind.ZERO_PAD: f"zero-pad{down}",
            ShortcutKind.PROJECTION: f"1x1 proj{down}",
            ShortcutKind.AVG_PROJECTION: f"2x2 avg{down} + 1x1 proj"}.get(kind, "")


def _input(c: _Ctx) -> _Tail:
    c.d.node(c.id("input"), "<b>input</b>", _IO_FILL, attrs=", shape=oval")
    return _Tail(c.id("input"), True)


def _output(c: _Ctx, tail: _Tail) -> None:
    c.d.node(c.id("output"), "<b>output</b>", _IO_FILL, attrs=", shape=oval")
    c.d.edge(tail.nid, c.id("output"), text=_text(tail, c.an.output_shape),
             changed=tail.changed)


def _fold(recs: Sequence[LayerRecord]) -> list[list[LayerRecord]]:
    """Stem/head records grouped for the coarse levels: BN/ReLU/flatten join the op before."""
    groups: list[list[LayerRecord]] = []
    for r in recs:
        if not groups or r.type in _STARTERS:
            groups.append([r])
        else:
            groups[-1].append(r)
    return groups


def _folded_chain(c: _Ctx, recs: Sequence[LayerRecord], tail: _Tail, colour: str) -> _Tail:
    """Stem or head at stage/block level: one node per folded group."""
    for grp in _fold(recs):
        first, last = grp[0], grp[-1]
        nid = c.id(first.name)
        texts = [_op_text(r) for r in grp]
        label = f"<b>{_esc(first.name)}</b><br/>{_esc(' · '.join(t for t in texts if t))}"
        params, macs = sum(r.params for r in grp), sum(r.macs for r in grp)
        if c.costs and (params or macs):
            label += _costs(params, macs)
        fill, font = c.fill(first.name, colour)
        c.d.node(nid, label, fill, font)
        c.d.edge(tail.nid, nid, text=_text(tail, first.in_shape), changed=tail.changed)
        tail = _Tail(nid, last.out_shape != first.in_shape)
    return tail


def _stem_head(an: Analysis) -> tuple[list[LayerRecord], list[LayerRecord]]:
    return ([r for r in an.layers if r.group == "stem"],
            [r for r in an.layers if r.group == "head"])


def _stage_label(an: Analysis, index: int) -> str:
    st = an.spec.stages[index - 1]
    return f"<b>{st.paper_name}</b> ({st.module})"


# --------------------------------------------------------------------------- stage level
def _stage_note(blocks: Sequence[BlockSummary]) -> str:
    """How a stage's first block differs: its stride and its shortcut."""
    first = blocks[0]
    down = f"; block 1 /{first.stride}" if first.stride > 1 else ""
    if first.shortcut is ShortcutKind.NONE:
        return "no shortcuts" + down
    if all(b.shortcut is first.shortcut for b in blocks) and len(blocks) > 1:
        name = _shortcut_text(first.shortcut, 1) or "identity"
        return f"{name} shortcuts{down}"
    if first.shortcut is ShortcutKind.IDENTITY:
        return "identity shortcuts"
    slash = f"/{first.stride} · " if first.stride > 1 else ""
    return f"block 1: {slash}{_shortcut_text(first.shortcut, 1)} shortcut"


def _stage_body(c: _Ctx, tail: _Tail) -> _Tail:
    an = c.an
    stem, head = _stem_head(an)
    tail = _folded_chain(c, stem, tail, STEM_COLOUR)
    for st, row in zip(an.spec.stages, an.stages[1:-1], strict=True):
        blocks = [b for b in an.blocks if b.stage == st.index]
        nid = c.id(st.module)
        label = (f"{_stage_label(an, st.index)}<br/>"
                 f"{_esc(_block_description(an.spec, st.index))}"
                 f'<br/><font point-size="9"><i>{_esc(_stage_note(blocks))}</i></font>')
        if c.costs:
            label += _costs(row.params, row.macs)
        fill, font = c.fill(st.module, stage_colour(st.index))
        c.d.node(nid, label, fill, font)
        c.d.edge(tail.nid, nid, text=_shape(blocks[0].in_shape), changed=tail.changed)
        tail = _Tail(nid, blocks[-1].out_shape != blocks[0].in_shape)
    return _folded_chain(c, head, tail, HEAD_COLOUR)


# --------------------------------------------------------------------------- block level
def _block_node(c: _Ctx, b: BlockSummary) -> str:
    nid = c.id(b.name)
    convs = [r for r in c.an.layers[b.first:b.last]
             if r.path == "main" and r.type == OpKind.CONV.value]
    label = f"<b>{b.name}</b><br/>" + "<br/>".join(_esc(_op_text(r)) for r in convs)
    if c.costs:
        label += _costs(b.params, b.macs)
    fill, font = c.fill(b.name, stage_colour(b.stage))
    attrs = ", penwidth=2" if b.stride > 1 else ""
    c.d.node(nid, label, fill, font, attrs=attrs)
    return nid


def _block(c: _Ctx, b: BlockSummary, tail: _Tail) -> _Tail:
    nid = _block_node(c, b)
    changed = b.in_shape != b.out_shape
    c.d.edge(tail.nid, nid, text=_text(tail, b.in_shape), changed=tail.changed)
    if b.shortcut is ShortcutKind.NONE:
        return _Tail(nid, changed)
    add = c.id(f"{b.name}.add")
    fill, font = c.fill("", _ADD_FILL) if c.paint else (stage_colour(b.stage), "")
    c.d.node(add, "+", fill, font, attrs=', shape=circle, width=0.22, fixedsize=true, '
                                         'fontsize=12')
    # Heavy main edges and weightless skips keep the main path straight with the skips
    # bowing round it; without them dot's layout of a 600-block net is ~5x slower.
    c.d.edge(nid, add, text=_shape(b.out_shape), changed=changed, attrs="weight=8")
    c.d.edge(tail.nid, add, text=_shortcut_text(b.shortcut, b.stride), changed=changed,
             attrs=SHORTCUT_STYLE[b.shortcut] + ", weight=0", tail_port=True, head_port=True)
    return _Tail(add, False, quiet=True)


def _block_body(c: _Ctx, tail: _Tail) -> _Tail:
    an = c.an
    stem, head = _stem_head(an)
    tail = _folded_chain(c, stem, tail, STEM_COLOUR)
    for st in an.spec.stages:
        colour = stage_colour(st.index)
        c.d.open(c.id(st.module), _stage_label(an, st.index), _tint(colour))
        for b in an.blocks:
            if b.stage == st.index:
                tail = _block(c, b, tail)
        c.d.close()
    return _folded_chain(c, head, tail, HEAD_COLOUR)


# --------------------------------------------------------------------------- layer level
_LAYER_SHAPES = {OpKind.ADD.value: ", shape=circle, width=0.3, fixedsize=true, fontsize=13",
                 OpKind.RELU.value: ", fontsize=9, height=0.22",
                 OpKind.BN.value: ", fontsize=9, height=0.22"}


def _layer_node(c: _Ctx, r: LayerRecord, strip: int, *, shortcut: bool = False) -> str:
    nid = c.id(r.name)
    if r.type == OpKind.ADD.value:
        label = "+"
    else:
        text = _op_text(r) if r.type not in (OpKind.BN.value, OpKind.RELU.value) else ""
        label = f"<b>{_esc(r.name[strip:])}</b>" + (f"<br/>{_esc(text)}" if text else "")
        if c.costs and (r.params or r.macs):
            label += _costs(r.params, r.macs)
    fill, font = c.fill(r.name, group_colour(r.group))
    attrs = _LAYER_SHAPES.get(r.type, "")
    if shortcut:
        attrs += ', style="rounded,filled,dashed"'
    c.d.node(nid, label, fill, font, attrs=attrs)
    return nid


def _layer_chain(c: _Ctx, recs: Sequence[LayerRecord], tail: _Tail, strip: int = 0,
                 edge_attrs: str = "", shortcut: bool = False) -> _Tail:
    for r in recs:
        nid = _layer_node(c, r, strip, shortcut=shortcut)
        c.d.edge(tail.nid, nid, text=_text(tail, r.in_shape), changed=tail.changed,
                 attrs=edge_attrs)
        tail = _Tail(nid, r.out_shape != r.in_shape, quiet=r.type == OpKind.ADD.value)
    return tail


def _layer_block(c: _Ctx, b: BlockSummary, tail: _Tail) -> _Tail:
    """One block: main chain, shortcut side branch into the ``+``, then the post ops."""
    recs = c.an.layers[b.first:b.last]
    strip = len(b.name) + 1
    main = [r for r in recs if r.path == "main" and r.type != OpKind.ADD.value]
    add = [r for r in recs if r.type == OpKind.ADD.value]
    short = [r for r in recs if r.path == "shortcut"]
    post = [r for r in recs if r.path == "post"]
    c.d.open(c.id(b.name), f"<b>{b.name}</b>", _tint(stage_colour(b.stage), 0.9),
             border="#BBBBBB")
    end = _layer_chain(c, main, tail, strip)
    if add:
        style = SHORTCUT_STYLE[b.shortcut]
        n_edges = len(c.d.edges)
        side = _layer_chain(c, short, _Tail(tail.nid, False, quiet=True), strip, style,
                            shortcut=True)
        if short:
            c.d.edges[n_edges].tail_port = True
        add_id = _layer_node(c, add[0], strip)
        c.d.edge(end.nid, add_id, text=_shape(add[0].in_shape), changed=end.changed,
                 attrs="weight=8")
        c.d.edge(side.nid, add_id, text=_shape(add[0].in_shape) if short else "",
                 changed=side.changed, attrs=style + ", weight=0", tail_port=not short,
                 head_port=True)
        end = _Tail(add_id, False, quiet=True)
    end = _layer_chain(c, post, end, strip)
    c.d.close()
    return end


def _layer_body(c: _Ctx, tail: _Tail) -> _Tail:
    an = c.an
    stem, head = _stem_head(an)
    c.d.open(c.id("stem"), "<b>stem</b>", _tint(STEM_COLOUR))
    tail = _layer_chain(c, stem, tail)
    c.d.close()
    for st in an.spec.stages:
        c.d.open(c.id(st.module), _stage_label(an, st.index), _tint(stage_colour(st.index)))
        for b in an.blocks:
            if b.stage == st.index:
                tail = _layer_block(c, b, tail)
        c.d.close()
    c.d.open(c.id("head"), "<b>head</b>", _tint(HEAD_COLOUR, 0.6))
    tail = _layer_chain(c, head, tail)
    c.d.close()
    return tail


_BODIES = {Level.STAGE: _stage_body, Level.BLOCK: _block_body, Level.LAYER: _layer_body}


def _network(c: _Ctx, level: Level) -> None:
    """input -> the whole network at ``level`` -> output."""
    _output(c, _BODIES[Level(level)](c, _input(c)))


def _analysis_for(spec: ResNetSpec, analysis: Analysis | None) -> Analysis:
    if analysis is None:
        return analyse(spec)
    if analysis.spec != spec:
        raise ValueError("analysis was computed for a different spec; pass analyse(spec) "
                         "for this spec or leave analysis=None")
    return analysis


def _paint(pairs: Sequence[tuple[Analysis, Mapping[str, float] | None]],
           level: Level) -> list[_Paint | None]:
    """Display values for each (analysis, overlay), all on one shared scale."""
    shown: list[dict[str, float] | None] = []
    for an, overlay in pairs:
        if overlay is None:
            shown.append(None)
            continue
        _check_overlay(overlay, an, level)
        shown.append(_display_values(an, level, overlay))
    values = [v for s in shown if s for v in s.values()]
    if not values:
        return [None] * len(pairs)
    scale = _make_scale(values)
    return [None if s is None else _Paint(s, scale) for s in shown]


def _add_legend(d: _Dot, paints: Sequence[_Paint | None], label: str, anchor: str) -> None:
    paint = next((p for p in paints if p is not None), None)
    if paint is None:
        return
    _legend(d, "legend", paint.scale, label)
    d.line(f"{{rank=same; {anchor}; legend}}")


# --------------------------------------------------------------------------- public API
def to_dot(spec: ResNetSpec, *, level: Level = Level.BLOCK,
           direction: Direction = Direction.VERTICAL, show_costs: bool = False,
           overlay: Mapping[str, float] | None = None, overlay_label: str = "",
           title: str | None = None, analysis: Analysis | None = None) -> str:
    """The network as Graphviz DOT text.

    Args:
        spec: the architecture.
        level: ``stage`` (Table 1 rows), ``block`` (every block, shortcuts as skip
            edges) or ``layer`` (every conv/BN/ReLU/pool/add).
        direction: ``TB`` (top to bottom) or ``LR`` (left to right).
        show_costs: write parameters and MACs inside the nodes.
        overlay: values to colour nodes by, keyed by block (``layer2.0``) or stage
            (``layer2``) name; at layer level also by layer name. Stage nodes show
            their blocks' mean unless the stage itself has a value. A legend states
            the scale (log when every value is positive) and its min/max.
        overlay_label: what the overlay values are, for the legend.
        title: graph title; ``None`` uses the spec's name, ``""`` shows none.
        analysis: a precomputed ``analyse(spec)`` to reuse.

    Returns:
        Deterministic DOT source; node ids are module names with ``_`` for ``.``.

    Raises:
        ValueError: for an overlay key that names no block/stage (or layer), a
            non-finite overlay value, or an analysis of another spec.
    """
    level = Level(level)
    an = _analysis_for(spec, analysis)
    (paint,) = _paint([(an, overlay)], level)
    c = _Ctx(an, _Dot(), costs=show_costs, paint=paint)
    _network(c, level)
    _add_legend(c.d, [paint], overlay_label, "input")
    return c.d.source(direction=Direction(direction),
                      title=spec.name if title is None else title)


def _align(d: _Dot, left: str, right: str) -> None:
    """Put each node of the ``left`` half level with its namesake in the ``right`` half."""
    rights = set(d.ids)
    for nid in d.ids:
        twin = right + nid[len(left):]
        if nid.startswith(left) and twin in rights:
            d.line(f"{{rank=same; {nid}; {twin}}}")


def _residual_twin(spec: ResNetSpec) -> ResNetSpec:
    """``spec`` with shortcuts; option A falls back to B where zero-padding cannot shrink."""
    try:
        return spec.with_(shortcuts=True)
    except ValueError:
        return spec.with_(shortcuts=True, shortcut=Shortcut.PROJECT_ON_CHANGE)


def pair_dot(spec: ResNetSpec, *, level: Level = Level.BLOCK,
             direction: Direction = Direction.VERTICAL, show_costs: bool = False,
             plain_overlay: Mapping[str, float] | None = None,
             residual_overlay: Mapping[str, float] | None = None, overlay_label: str = "",
             title: str | None = None) -> str:
    """Plain and residual versions of ``spec`` side by side (the paper's Fig. 3 idea).

    Args:
        spec: the architecture; its ``shortcuts`` field is ignored (both are drawn).
        level: detail level, as in :func:`to_dot`.
        direction: ``TB`` puts the two networks side by side, ``LR`` one above the other.
        show_costs: write parameters and MACs inside the nodes.
        plain_overlay: overlay values for the plain network (see :func:`to_dot`).
        residual_overlay: overlay values for the residual network; both overlays
            share one colour scale so they can be compared.
        overlay_label: what the overlay values are, for the legend.
        title: graph title; ``None`` gives "<plain name> vs <residual name>".

    Returns:
        DOT source with clusters ``cluster_plain`` and ``cluster_residual``; node ids
        are prefixed ``plain_`` / ``residual_``.

    Raises:
        ValueError: as :func:`to_dot` for bad overlays.
    """
    level = Level(level)
    specs = (spec.with_(shortcuts=False), _residual_twin(spec))
    ans = [analyse(s) for s in specs]
    paints = _paint(list(zip(ans, (plain_overlay, residual_overlay), strict=True)), level)
    d = _Dot()
    for an, paint, name, colour in zip(ans, paints, ("plain", "residual"),
                                       (PLAIN_COLOUR, RESIDUAL_COLOUR), strict=True):
        d.open(name, f"<b>{name}</b>  {_esc(an.spec.name)}", "#FFFFFF", border=colour,
               penwidth=2.5)
        _network(_Ctx(an, d, pre=f"{name}_", costs=show_costs, paint=paint), level)
        d.close()
    _align(d, "plain_", "residual_")
    _add_legend(d, paints, overlay_label, "plain_input")
    default = f"{specs[0].name} vs {specs[1].name}"
    return d.source(direction=Direction(direction), title=default if title is None else title)


def _anatomy_specs(spec: ResNetSpec, stage: int, first_block: bool) -> list[ResNetSpec]:
    """Basic and bottleneck twins of ``spec``, with a second block where one is asked for."""
    blocks = spec.blocks if first_block else tuple(
        max(n, 2) if i == stage - 1 else n for i, n in enumerate(spec.blocks))
    out = []
    for kind in (BlockKind.BASIC, BlockKind.BOTTLENECK):
        changes: dict[str, object] = {"block": kind, "blocks": blocks}
        if kind is BlockKind.BASIC:  # basic blocks know no groups or width per group
            changes.update(groups=1, width_per_group=64)
        try:
            out.append(spec.with_(**changes))
        except ValueError:  # e.g. zero-padding that would shrink channels: use option B
            out.append(spec.with_(**changes, shortcut=Shortcut.PROJECT_ON_CHANGE))
    return out


def anatomy_dot(spec: ResNetSpec, *, stage: int = 1, first_block: bool = True,
                show_costs: bool = False, title: str | None = None) -> str:
    """One block of a stage at layer level, basic and bottleneck side by side (Fig. 5).

    Both blocks keep the rest of ``spec`` (family, input size, shortcut option,
    pre-activation, widths), so their shapes are the real ones; the basic twin
    drops ResNeXt groups and width-per-group, which basic blocks do not have.

    Args:
        spec: the architecture.
        stage: 1-based stage whose block is shown.
        first_block: the stage's first block (stride, shortcut per option) rather
            than a later one (identity shortcut under options A/B/D).
        show_costs: write parameters and MACs inside the nodes.
        title: graph title; ``None`` names the stage and block.

    Returns:
        DOT source with clusters ``cluster_basic`` and ``cluster_bottleneck``.

    Raises:
        ValueError: if ``stage`` is not one of the spec's stages.
    """
    if not 1 <= stage <= len(spec.stages):
        raise ValueError(f"stage must be between 1 and {len(spec.stages)}; got {stage}")
    name = f"layer{stage}.{0 if first_block else 1}"
    twins = _anatomy_specs(spec, stage, first_block)
    d = _Dot()
    for s in twins:
        an = analyse(s)
        b = next(b for b in an.blocks if b.name == name)
        kind = str(s.block)
        d.open(kind, f"<b>{kind}</b>  {name} of {_esc(s.name)}", "#FFFFFF",
               border=stage_colour(stage), penwidth=2)
        c = _Ctx(an, d, pre=f"{kind}_", costs=show_costs)
        tail = _layer_block(c, b, _input(c))
        d.node(c.id("output"), "<b>output</b>", _IO_FILL, attrs=", shape=oval")
        d.edge(tail.nid, c.id("output"), text=_shape(b.out_shape))
        d.close()
    paper = spec.stages[stage - 1].paper_name
    default = (f"Block anatomy: {paper} ({name}), "
               f"{'first' if first_block else 'later'} block, shortcut "
               f"{'/'.join(sorted({str(t.shortcut) for t in twins}))}")
    return d.source(direction=Direction.VERTICAL, title=default if title is None else title)


def render(dot: str, fmt: str = "svg") -> bytes:
    """Lay out DOT text with Graphviz's ``dot``.

    Args:
        dot: DOT source (e.g. from :func:`to_dot`).
        fmt: ``svg``, ``png`` or ``pdf``.

    Returns:
        The rendered file's bytes.

    Raises:
        ValueError: for an unknown format or DOT that ``dot`` rejects.
        RuntimeError: if the ``graphviz`` package or the ``dot`` executable is missing.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    try:
        import graphviz
    except ImportError as exc:  # pragma: no cover - graphviz is a pinned dependency
        raise RuntimeError("the graphviz Python package is not installed") from exc
    try:
        return graphviz.Source(dot).pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise RuntimeError("Graphviz's 'dot' executable was not found; install the system "
                           "package (e.g. apt-get install graphviz)") from exc
    except graphviz.CalledProcessError as exc:
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr
        raise ValueError(f"dot could not lay out this graph: {err}".strip()) from exc

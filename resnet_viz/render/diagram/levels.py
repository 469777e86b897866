"""The three level builders (stage, block, layer) that write one network into a DOT graph."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from resnet_viz.analysis import Analysis, BlockSummary, LayerRecord, Shape
from resnet_viz.analysis import block_description as _block_description
from resnet_viz.arch.names import HEAD, STEM
from resnet_viz.arch.plan import OpKind
from resnet_viz.arch.spec import ShortcutKind
from resnet_viz.fmt import fmt_shape
from resnet_viz.render.diagram.labels import (
    _ADD_FILL,
    _IO_FILL,
    _NO_VALUE_FILL,
    _NO_VALUE_FONT,
    _STARTERS,
    SHORTCUT_STYLE,
    _costs,
    _layer_title,
    _op_text,
    _shortcut_text,
    _stage_label,
    _stage_note,
    _tint,
)
from resnet_viz.render.diagram.scale import _Paint
from resnet_viz.render.diagram.writer import Level, _Dot, _esc, _nid
from resnet_viz.render.theme import (
    HEAD_COLOUR,
    STEM_COLOUR,
    group_colour,
    stage_colour,
)


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


def _tip(names: Iterable[str]) -> str:
    """A node's tooltip: the torch module name(s) it stands for (what a checkpoint uses)."""
    return "torch: " + ", ".join(names)


def _text(tail: _Tail, shape: Shape) -> str:
    """Edge label for the tensor ``shape`` leaving ``tail``."""
    return "" if tail.quiet else fmt_shape(shape)


def _input(c: _Ctx) -> _Tail:
    c.d.node(c.id("input"), "<b>input</b>", _IO_FILL, attrs=", shape=oval",
             tip="input image batch")
    return _Tail(c.id("input"), True)


def _output(c: _Ctx, tail: _Tail) -> None:
    c.d.node(c.id("output"), "<b>output</b>", _IO_FILL, attrs=", shape=oval",
             tip="class scores (logits)")
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
        c.d.node(nid, label, fill, font, tip=_tip(r.name for r in grp))
        c.d.edge(tail.nid, nid, text=_text(tail, first.in_shape), changed=tail.changed)
        tail = _Tail(nid, last.out_shape != first.in_shape)
    return tail


def _stem_head(an: Analysis) -> tuple[list[LayerRecord], list[LayerRecord]]:
    return ([r for r in an.layers if r.group == STEM],
            [r for r in an.layers if r.group == HEAD])


def _stage_body(c: _Ctx, tail: _Tail) -> _Tail:
    an = c.an
    stem, head = _stem_head(an)
    tail = _folded_chain(c, stem, tail, STEM_COLOUR)
    for st, row in zip(an.spec.stages, an.stage_rows, strict=True):
        blocks = [b for b in an.blocks if b.stage == st.index]
        nid = c.id(st.module)
        label = (f"{_stage_label(an, st.index)}<br/>"
                 f"{_esc(_block_description(an.spec, st.index))}"
                 f'<br/><font point-size="9"><i>{_esc(_stage_note(blocks))}</i></font>')
        if c.costs:
            label += _costs(row.params, row.macs)
        fill, font = c.fill(st.module, stage_colour(st.index))
        c.d.node(nid, label, fill, font, tip=_tip([st.module]))
        c.d.edge(tail.nid, nid, text=fmt_shape(blocks[0].in_shape), changed=tail.changed)
        tail = _Tail(nid, blocks[-1].out_shape != blocks[0].in_shape)
    return _folded_chain(c, head, tail, HEAD_COLOUR)


def _block_node(c: _Ctx, b: BlockSummary) -> str:
    nid = c.id(b.name)
    convs = [r for r in c.an.layers[b.first:b.last]
             if r.path == "main" and r.type == OpKind.CONV.value]
    label = f"<b>{b.name}</b><br/>" + "<br/>".join(_esc(_op_text(r)) for r in convs)
    if c.costs:
        label += _costs(b.params, b.macs)
    fill, font = c.fill(b.name, stage_colour(b.stage))
    attrs = ", penwidth=2" if b.stride > 1 else ""
    c.d.node(nid, label, fill, font, attrs=attrs, tip=_tip([b.name]))
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
                                         'fontsize=12', tip=f"{b.name}: main path + shortcut")
    # Heavy main edges and weightless skips keep the main path straight with the skips
    # bowing round it; without them dot's layout of a 600-block net is ~5x slower.
    c.d.edge(nid, add, text=fmt_shape(b.out_shape), changed=changed, attrs="weight=8")
    c.d.edge(tail.nid, add, text=_shortcut_text(b.shortcut, b.stride), changed=changed,
             attrs=SHORTCUT_STYLE[b.shortcut] + ", weight=0", tail_port=True, head_port=True,
             boxed=True)
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


_LAYER_SHAPES = {OpKind.ADD.value: ", shape=circle, width=0.3, fixedsize=true, fontsize=13",
                 OpKind.RELU.value: ", fontsize=9, height=0.22",
                 OpKind.BN.value: ", fontsize=9, height=0.22"}


def _layer_node(c: _Ctx, r: LayerRecord, strip: int, *, shortcut: bool = False) -> str:
    nid = c.id(r.name)
    if r.type == OpKind.ADD.value:
        label = "+"
    else:
        text = _op_text(r) if r.type not in (OpKind.BN.value, OpKind.RELU.value) else ""
        label = f"<b>{_esc(_layer_title(r, strip))}</b>" + (f"<br/>{_esc(text)}" if text else "")
        if c.costs and (r.params or r.macs):
            label += _costs(r.params, r.macs)
    fill, font = c.fill(r.name, group_colour(r.group))
    attrs = _LAYER_SHAPES.get(r.type, "")
    if shortcut:
        attrs += ', style="rounded,filled,dashed"'
    tip = (f"{r.name.rsplit('.', 1)[0]}: main path + shortcut" if r.type == OpKind.ADD.value
           else _tip([r.name]))
    c.d.node(nid, label, fill, font, attrs=attrs, tip=tip)
    return nid


def _layer_chain(c: _Ctx, recs: Sequence[LayerRecord], tail: _Tail, strip: int = 0,
                 edge_attrs: str = "", shortcut: bool = False) -> _Tail:
    for r in recs:
        nid = _layer_node(c, r, strip, shortcut=shortcut)
        c.d.edge(tail.nid, nid, text=_text(tail, r.in_shape), changed=tail.changed,
                 attrs=edge_attrs, boxed=shortcut)
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
        c.d.edge(end.nid, add_id, text=fmt_shape(add[0].in_shape), changed=end.changed,
                 attrs="weight=8")
        c.d.edge(side.nid, add_id, text=fmt_shape(add[0].in_shape) if short else "",
                 changed=side.changed, attrs=style + ", weight=0", tail_port=not short,
                 head_port=True, boxed=True)
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

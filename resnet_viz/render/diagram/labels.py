"""What nodes and edges say and how shortcuts look: op texts, stage notes, costs, fills."""

from __future__ import annotations

from collections.abc import Sequence

from resnet_viz.analysis import Analysis, BlockSummary, LayerRecord
from resnet_viz.arch.plan import OpKind
from resnet_viz.arch.spec import ShortcutKind
from resnet_viz.fmt import fmt_si

# One look per shortcut kind; the colours avoid the stage fills they run beside.
SHORTCUT_STYLE: dict[ShortcutKind, str] = {
    ShortcutKind.IDENTITY: 'style=solid, color="#1F4E79", penwidth=1.6',
    ShortcutKind.ZERO_PAD: 'style=dotted, color="#1F4E79", fontcolor="#1F4E79", penwidth=2.4',
    ShortcutKind.PROJECTION: 'style=dashed, color="#A51C30", fontcolor="#A51C30", penwidth=1.8',
    ShortcutKind.AVG_PROJECTION: ('style=dashed, color="#6A3D9A", fontcolor="#6A3D9A", '
                                  'penwidth=3, arrowhead=empty'),
    ShortcutKind.NONE: "style=invis",
}


_NO_VALUE_FILL = "#F2F2F2"


_NO_VALUE_FONT = "#8A8A8A"


_ADD_FILL = "#FFFFFF"


_IO_FILL = "#FFFFFF"


_STARTERS = frozenset({OpKind.CONV.value, OpKind.MAXPOOL.value, OpKind.AVGPOOL.value,
                       OpKind.GAP.value, OpKind.FC.value})


def _costs(params: int, macs: int) -> str:
    return f'<br/><font point-size="8">{fmt_si(params)} params · {fmt_si(macs)} MACs</font>'


def _tint(colour: str, amount: float = 0.82) -> str:
    """``colour`` mixed with white (cluster backgrounds)."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02X}" for c in rgb)


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


_SHORTCUT_OPS = {OpKind.CONV.value: "conv", OpKind.BN.value: "BN",
                 OpKind.AVGPOOL.value: "avg pool", OpKind.ZEROPAD.value: "zero-pad"}


def _layer_title(r: LayerRecord, strip: int) -> str:
    """A layer node's bold name: the module name inside its block, except on the shortcut
    branch, where torch's ``downsample.0`` / ``downsample.1`` say what the op is instead
    (the full torch name stays in the node's tooltip)."""
    if r.path == "shortcut":
        return "shortcut " + _SHORTCUT_OPS.get(r.type, r.type)
    return r.name[strip:]


def _shortcut_text(kind: ShortcutKind, stride: int) -> str:
    down = f" /{stride}" if stride > 1 else ""
    return {ShortcutKind.ZERO_PAD: f"zero-pad{down}",
            ShortcutKind.PROJECTION: f"1x1 proj{down}",
            ShortcutKind.AVG_PROJECTION: f"2x2 avg{down} + 1x1 proj"}.get(kind, "")


def _stage_label(an: Analysis, index: int) -> str:
    st = an.spec.stages[index - 1]
    # a no-break space: SVG drops a plain one at the start of the second text run
    return f"<b>{st.paper_name}</b>&#160;({st.module})"


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

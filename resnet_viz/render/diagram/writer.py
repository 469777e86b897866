"""DOT text assembly: nodes with cluster nesting, edges written last, lean labels on big graphs."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from enum import StrEnum


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


_HEADER = """\
  graph [rankdir={rankdir}, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.28,
         newrank=true, labelloc=t, label={title}];
  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, color="#333333",
        penwidth=1, margin="0.2,0.09", height=0.3];
  edge [fontname="Helvetica", fontsize=8, color="#4D4D4D", arrowsize=0.6];"""


@dataclass(slots=True)
class _Edge:
    tail: str
    head: str
    text: str
    changed: bool
    attrs: str
    tail_port: bool = False  # leave / enter at the side: skips bow around the main path
    head_port: bool = False
    boxed: bool = False  # label on a white box: a bowed skip edge may run through its text


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

    def node(self, nid: str, label: str, fill: str, font: str = "", attrs: str = "", *,
             tip: str = "") -> None:
        """A node; ``tip`` (the torch module name, say) becomes its hover tooltip."""
        self.ids.append(nid)
        extra = f', fontcolor="{font}"' if font else ""
        if tip:
            extra += f', tooltip="{_esc_q(tip)}"'
        self.line(f'{nid} [label=<{label}>, fillcolor="{fill}"{extra}{attrs}];')

    def edge(self, tail: str, head: str, *, text: str = "", changed: bool = True,
             attrs: str = "", tail_port: bool = False, head_port: bool = False,
             boxed: bool = False) -> None:
        self.edges.append(_Edge(tail, head, text, changed, attrs, tail_port, head_port,
                                boxed))

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
                attrs.append(_edge_label(e.text, boxed=e.boxed))
            tail = f" [{', '.join(attrs)}]" if attrs else ""
            out.append(f"  {e.tail} -> {e.head}{tail};")
        out.append("}")
        return "\n".join(out) + "\n"


def _edge_label(text: str, *, boxed: bool) -> str:
    """An edge's ``label`` attribute.

    A leading space keeps the text off its own edge (in PDF/PNG the space is drawn;
    in SVG the text is centred in the wider box). A boxed label sits on white, so a
    bowed skip edge that passes through it leaves the text readable.
    """
    if boxed:
        return ('label=<<table border="0" cellborder="0" cellpadding="1" bgcolor="white">'
                f"<tr><td>{_esc(text)}</td></tr></table>>")
    return f'label=" {_esc_q(text)}"'


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _esc_q(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _nid(prefix: str, name: str) -> str:
    return prefix + name.replace(".", "_")

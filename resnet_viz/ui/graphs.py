"""Cached DOT generation and display of diagrams (small: browser layout; big: server SVG)."""

from __future__ import annotations

import shutil

import streamlit as st

from resnet_viz import diagram
from resnet_viz.spec import ResNetSpec

# Above this many nodes the browser's layout gets slow; lay out on the server
# with `dot` and show the SVG in a scrollable frame (see RECIPES "Big diagrams").
BROWSER_NODE_LIMIT = 300


@st.cache_data(max_entries=64, show_spinner=False)
def network_dot(spec: ResNetSpec, level: diagram.Level, direction: diagram.Direction,
                costs: bool, pair: bool) -> str:
    """DOT for the whole network (or the plain/residual pair)."""
    if pair:
        return diagram.pair_dot(spec, level=level, direction=direction, show_costs=costs)
    return diagram.to_dot(spec, level=level, direction=direction, show_costs=costs)


@st.cache_data(max_entries=64, show_spinner=False)
def anatomy_dot(spec: ResNetSpec, stage: int, first: bool) -> str:
    """DOT for one block of ``stage`` drawn alone (basic and bottleneck)."""
    return diagram.anatomy_dot(spec, stage=stage, first_block=first)


@st.cache_data(max_entries=32, show_spinner=False)
def rendered(dot: str, fmt: str) -> bytes:
    """Server-side layout with Graphviz's ``dot`` (cached per DOT text and format)."""
    return diagram.render(dot, fmt)


def node_count(dot: str) -> int:
    """Rough node count of a DOT text (lines that declare a node)."""
    return sum(1 for line in dot.splitlines() if "[" in line and "->" not in line
               and not line.lstrip().startswith(("graph", "node", "edge", "subgraph")))


def show(dot: str, *, key: str, file_stem: str) -> None:
    """Draw a DOT graph (browser or server layout by size) with download buttons."""
    n = node_count(dot)
    has_dot = shutil.which("dot") is not None
    if n <= BROWSER_NODE_LIMIT or not has_dot:
        st.graphviz_chart(dot, width="content")
    else:
        with st.spinner(f"Laying out {n} nodes…", show_time=True):
            svg = rendered(dot, "svg").decode()
        st.caption(f"{n} nodes: laid out on the server; scroll to pan.")
        # Our own dot output (no user-supplied markup); st.html would drop the SVG.
        st.iframe(f'<div style="height:880px;overflow:auto">{svg}</div>', height=900)
    cols = st.columns(4)
    safe = file_stem.replace(" ", "_").replace("/", "-")
    cols[0].download_button("DOT", dot, f"{safe}.dot", "text/vnd.graphviz", key=f"{key}.dl_dot")
    if has_dot:
        for col, fmt, mime in ((cols[1], "svg", "image/svg+xml"), (cols[2], "png", "image/png"),
                               (cols[3], "pdf", "application/pdf")):
            col.download_button(fmt.upper(), lambda fmt=fmt: rendered(dot, fmt), f"{safe}.{fmt}",
                                mime, key=f"{key}.dl_{fmt}")

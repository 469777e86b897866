"""Cached DOT generation and display of diagrams (laid out on the server, shown zoomable).

Where Graphviz's ``dot`` is installed, every graph is laid out on the server
(cached per DOT text) and shown in a scrollable, zoomable frame
(:func:`svg_viewer`) that opens at a zoom where text stays readable: a wide
left-to-right layout scrolls sideways instead of shrinking to a strip. Above
:data:`HEAVY_NODE_LIMIT` nodes (e.g. CIFAR ResNet-1202 at layer level, 4,210
nodes, 20-30 s of ``dot`` and a 5 MB SVG) nothing is laid out, and no SVG/PNG/PDF
download is offered, until the user asks for it; the DOT text is always offered.

Without ``dot``, graphs go to ``st.graphviz_chart`` (laid out in the browser).

Measured (bench/ui_latency.py): the browser's graphviz component (d3-graphviz)
matches the elements of a new graph to the old one's by their titles and, where
a path changed, samples both paths point by point to tween between them, even
without any animation. Switching ResNet-18 -> 152 at block level spent ~1.5 s in
``getPointAtLength``. :func:`browser_dot` therefore names each graph after its
own text, so consecutive graphs share nothing and the old one is simply replaced.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import shutil

import streamlit as st

from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.export import graphviz
from resnet_viz.render import diagram

# Without `dot` on the server, the browser lays out graphs itself; above this many
# nodes that gets slow, and the page says so.
BROWSER_NODE_LIMIT = 300
# Above this many nodes even the server layout takes many seconds: ask first
# (for the drawing and for SVG/PNG/PDF downloads alike).
HEAVY_NODE_LIMIT = 2000
VIEWER_HEIGHT = 720  # px, the most the frame takes (toolbar included)
_VIEWER_CHROME = 60  # px: toolbar, margins and a horizontal scrollbar
MIN_ZOOM = 0.8  # the viewer opens no smaller than this: 10 pt text stays >= 10.7 px
_APPROVED = "_graphs_approved"  # session key: digests of heavy graphs the user asked for


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
    return graphviz.render(dot, fmt)


def node_count(dot: str) -> int:
    """Rough node count of a DOT text (lines that declare a node)."""
    return sum(1 for line in dot.splitlines() if "[" in line and "->" not in line
               and not line.lstrip().startswith(("graph", "node", "edge", "subgraph")))


def digest(dot: str) -> str:
    """Short stable hash of a DOT text."""
    return hashlib.blake2s(dot.encode(), digest_size=5).hexdigest()


_HEADER = re.compile(r'^(\s*(?:strict\s+)?digraph)\s*(?:"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*)?\s*\{',
                     re.MULTILINE)


def browser_dot(dot: str) -> str:
    """``dot`` with the graph renamed after its own text (see the module docstring).

    Only for drawing in the browser; downloads keep the original text.
    """
    return _HEADER.sub(lambda m: f'{m.group(1)} "g{digest(dot)}" {{', dot, count=1)


_VIEWER_JS = """
const view = document.getElementById('view'), svg = view.querySelector('svg');
// dot writes sizes in pt; 100% is the browser's own size for them (4/3 px per pt)
const box = svg.viewBox.baseVal, W = box.width * 4 / 3, H = box.height * 4 / 3;
const pct = document.getElementById('pct');
svg.removeAttribute('width'); svg.removeAttribute('height');
let z = 1;
function zoom(nz, cx, cy) {
  nz = Math.min(4, Math.max(0.005, nz));  // a deep chain at "Fit" can need under 2%
  cx = cx ?? view.clientWidth / 2; cy = cy ?? view.clientHeight / 2;
  const fx = (view.scrollLeft + cx) / (W * z), fy = (view.scrollTop + cy) / (H * z);
  z = nz;
  svg.style.width = (W * z) + 'px'; svg.style.height = (H * z) + 'px';
  view.scrollLeft = fx * W * z - cx; view.scrollTop = fy * H * z - cy;
  pct.textContent = Math.round(z * 100) + '%';
}
const pad = 24;
document.getElementById('in').onclick = () => zoom(z * 1.25);
document.getElementById('out').onclick = () => zoom(z / 1.25);
document.getElementById('one').onclick = () => zoom(1);
document.getElementById('fitw').onclick = () => zoom((view.clientWidth - pad) / W, 0, 0);
document.getElementById('fit').onclick = () => zoom(Math.min(
  (view.clientWidth - pad) / W, (view.clientHeight - pad) / H), 0, 0);
view.addEventListener('wheel', (e) => {
  if (!e.ctrlKey && !e.metaKey) {
    // a wide (left-to-right) graph: turn the wheel into horizontal scrolling
    if (view.scrollHeight <= view.clientHeight && e.deltaY && !e.deltaX) {
      view.scrollLeft += e.deltaY; e.preventDefault();
    }
    return;
  }
  e.preventDefault();
  const r = view.getBoundingClientRect();
  zoom(z * (e.deltaY < 0 ? 1.1 : 1 / 1.1), e.clientX - r.left, e.clientY - r.top);
}, {passive: false});
let drag = null;
view.addEventListener('mousedown', (e) => {
  drag = {x: e.clientX, y: e.clientY, l: view.scrollLeft, t: view.scrollTop};
  view.classList.add('drag'); e.preventDefault();
});
window.addEventListener('mousemove', (e) => {
  if (!drag) return;
  view.scrollLeft = drag.l - (e.clientX - drag.x); view.scrollTop = drag.t - (e.clientY - drag.y);
});
window.addEventListener('mouseup', () => { drag = null; view.classList.remove('drag'); });
// start at actual size, or fitted to the width where text stays readable: a wider
// graph (a left-to-right layout) scrolls sideways instead of shrinking to a strip
const fitw = (view.clientWidth - pad) / W;
zoom(Math.max(MIN_ZOOM, Math.min(1, fitw)), 0, 0);
"""

_VIEWER_CSS = """
html, body { margin: 0; height: 100%; font-family: "Source Sans Pro", "Source Sans 3",
  sans-serif; font-size: 14px; color: #31333F; }
.bar { display: flex; gap: 6px; align-items: center; height: 32px; }
.bar button { border: 1px solid #D5D7DE; background: #FFF; border-radius: 6px;
  padding: 2px 10px; cursor: pointer; font: inherit; color: inherit; }
.bar button:hover { border-color: #FF4B4B; color: #FF4B4B; }
#pct { min-width: 3.2em; text-align: center; font-variant-numeric: tabular-nums; }
.hint { color: #808495; margin-left: 10px; }
#view { position: absolute; top: 38px; bottom: 2px; left: 0; right: 0; overflow: auto;
  border: 1px solid #E6E7EB; border-radius: 8px; background: #FFF; cursor: grab; }
#view.drag { cursor: grabbing; user-select: none; }
#view svg { display: block; margin: 8px auto; }
"""


def svg_size(svg: str) -> tuple[float, float]:
    """Width and height in CSS px of an SVG written by ``dot`` (its viewBox is in pt)."""
    m = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg)
    if m is None:
        return 0.0, 0.0
    return float(m.group(1)) * 4 / 3, float(m.group(2)) * 4 / 3


def viewer_height(svg: str) -> int:
    """Frame height for ``svg`` at actual size: its own height, at most VIEWER_HEIGHT."""
    return int(min(VIEWER_HEIGHT, max(160.0, svg_size(svg)[1] + _VIEWER_CHROME)))


def svg_viewer(svg: str, note: str) -> str:
    """A self-contained HTML page showing ``svg`` with zoom buttons and drag-to-pan."""
    svg = svg[svg.find("<svg"):]  # drop the XML prolog and doctype
    js = f"const MIN_ZOOM = {MIN_ZOOM};\n{_VIEWER_JS}"
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{_VIEWER_CSS}</style>"
            "</head><body><div class='bar'>"
            "<button id='fit' title='whole graph'>Fit</button>"
            "<button id='fitw' title='fit the width'>Fit width</button>"
            "<button id='out' title='zoom out'>−</button><span id='pct'>100%</span>"
            "<button id='in' title='zoom in'>+</button>"
            "<button id='one' title='actual size'>1:1</button>"
            f"<span class='hint'>{html.escape(note)}</span></div>"
            f"<div id='view'>{svg}</div><script>{js}</script></body></html>")


def _downloads(dot: str, *, key: str, file_stem: str, layout: bool) -> None:
    """One compact row of download buttons (DOT always; SVG/PNG/PDF when ``layout``)."""
    safe = file_stem.replace(" ", "_").replace("/", "-")
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.caption("Download", width="content")
    row.download_button("DOT", dot, f"{safe}.dot", "text/vnd.graphviz", key=f"{key}.dl_dot",
                        on_click="ignore", icon=":material/download:")
    if layout:
        for fmt, mime in (("svg", "image/svg+xml"), ("png", "image/png"),
                          ("pdf", "application/pdf")):
            row.download_button(fmt.upper(), functools.partial(rendered, dot, fmt),
                                f"{safe}.{fmt}", mime, key=f"{key}.dl_{fmt}",
                                on_click="ignore", icon=":material/download:")


def _approved(dot: str) -> bool:
    return digest(dot) in st.session_state.setdefault(_APPROVED, set())


def _ask_first(dot: str, n: int, key: str) -> None:
    """The heavy-graph gate: say what laying out costs and offer a button for it."""
    st.info(f"This graph has **{n:,} nodes**: laying it out takes Graphviz half a minute "
            "or more, and the drawing is several MB. The block level, or a layer-level "
            "look at a single block in the *Block anatomy* tab, shows the same structure "
            "at once. The DOT file above needs no layout; SVG, PNG and PDF downloads "
            "appear once the graph is laid out.", icon=":material/hourglass:")
    if st.button(f"Lay out all {n:,} nodes", key=f"{key}.heavy", icon=":material/play_arrow:"):
        st.session_state.setdefault(_APPROVED, set()).add(digest(dot))
        st.rerun()


def show(dot: str, *, key: str, file_stem: str, alt: str | None = None) -> None:
    """Draw a DOT graph (server layout where ``dot`` exists) under a row of downloads."""
    n = node_count(dot)
    has_dot = shutil.which("dot") is not None
    heavy_waiting = n > HEAVY_NODE_LIMIT and not _approved(dot)
    _downloads(dot, key=key, file_stem=file_stem, layout=has_dot and not heavy_waiting)
    if not has_dot:
        if n > BROWSER_NODE_LIMIT:
            st.caption(f"{n:,} nodes: Graphviz's `dot` is not installed on the server, so the "
                       "browser lays this out itself, which can take a while.")
        st.graphviz_chart(browser_dot(dot), width="content", alt=alt)
        return
    if heavy_waiting:
        _ask_first(dot, n, key)
        return
    with st.spinner(f"Laying out {n:,} nodes…", show_time=True):
        svg = rendered(dot, "svg").decode()
    # Our own dot output (no user-supplied markup); st.html would drop the SVG.
    st.iframe(svg_viewer(svg, f"{n:,} nodes · drag to pan, ctrl + wheel to zoom"),
              height=viewer_height(svg), alt=alt)

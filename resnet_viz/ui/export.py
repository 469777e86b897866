"""Widgets and caches of the Export page: one figure in any style, and the teaching pack."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.export import pack as packs
from resnet_viz.export.diagram import (
    DiagramFormat,
    Page,
    Style,
    diagram_filename,
    export_diagram,
    styled_dot,
)
from resnet_viz.render.diagram import Direction, Level
from resnet_viz.render.tikz import Look, TikzStyle, standalone, to_tikz
from resnet_viz.ui import graphs
from resnet_viz.ui.cache import cached_analysis
from resnet_viz.ui.safe import plain

PREVIEW_DPI = 96
PREVIEW_WIDTH = 560  # px: the whole figure at a glance, the downloads beside it
_MIME = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf",
         "dot": "text/vnd.graphviz", "tex": "application/x-tex", "csv": "text/csv",
         "md": "text/markdown", "html": "text/html", "zip": "application/zip"}
_PACK_KEY = "_export_pack"  # session key: (spec, built pack) of the last build


@st.cache_data(max_entries=32, show_spinner=False)
def cached_diagram(spec: ResNetSpec, fmt: str, level: str, direction: str, style: str,
                   page: str, dpi: int) -> tuple[bytes, str]:
    """Diagram bytes and fit note (raises ``ValueError`` as :func:`export_diagram`)."""
    e = export_diagram(spec, fmt, level=level, direction=direction, style=style, page=page,
                       dpi=dpi, analysis=cached_analysis(spec))
    return e.data, e.note


@st.cache_data(max_entries=32, show_spinner=False)
def cached_dot(spec: ResNetSpec, level: str, direction: str, style: str, page: str) -> str:
    """The styled DOT text of the figure."""
    return styled_dot(spec, level=level, direction=direction, style=style, page=page,
                      analysis=cached_analysis(spec))


@st.cache_data(max_entries=16, show_spinner=False)
def cached_tikz(spec: ResNetSpec, look: str, level: str, style: str) -> str:
    """The TikZ fragment (raises ``ValueError`` as :func:`to_tikz`)."""
    return to_tikz(spec, look=look, level=level, style=style, analysis=cached_analysis(spec))


@st.cache_data(max_entries=64, show_spinner=False)
def cached_item(spec: ResNetSpec, path: str) -> bytes:
    """One file of the pack, by its path in the zip."""
    for it in packs.plan_pack(spec, analysis=cached_analysis(spec)):
        if it.path == path:
            return it.make()
    raise ValueError(f"the pack has no file {path!r}")


def _later(fn: Callable[[], bytes]) -> Callable[[], bytes]:
    """Download data made only when the button is clicked (on Streamlit's own thread)."""
    return fn


def figure_panel(spec: ResNetSpec) -> None:
    """Diagram in a chosen style with downloads, and the TikZ figures."""
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    style = c1.segmented_control("Style", list(Style), default=Style.SLIDE, required=True,
                                 key="export.style")
    level = c2.segmented_control("Level", list(Level), default=Level.STAGE, required=True,
                                 key="export.level")
    direction = c3.selectbox("Layout", list(Direction), key="export.direction",
                             format_func=lambda d: "vertical" if d == Direction.VERTICAL
                             else "horizontal")
    page = c4.selectbox("Fit to page", list(Page), key="export.page")
    dpi = st.slider("PNG resolution (dpi)", 72, 600, 300, 12, key="export.dpi")
    args = (str(level), str(direction), str(style), str(page))
    buttons = st.container()  # filled once the preview says whether a PNG can exist
    nodes = graphs.node_count(cached_dot(spec, *args))
    png_ok = nodes <= graphs.HEAVY_NODE_LIMIT
    if not png_ok:
        st.info(f"{nodes:,} nodes: no preview and no PNG (laying it out takes `dot` tens of "
                "seconds and no bitmap holds it); the SVG and PDF downloads lay it out when "
                "clicked.")
    else:
        try:
            with st.spinner("Laying out the diagram…"):
                preview, note = cached_diagram(spec, "png", *args, PREVIEW_DPI)
                cached_diagram(spec, "png", *args, dpi)  # the download, checked now
        except ValueError as exc:  # a bitmap this size cannot exist: say so, offer SVG/PDF
            st.warning(plain(str(exc)))
            png_ok = False
        else:
            if note:
                st.caption(note)
            st.image(preview, width=PREVIEW_WIDTH,
                     caption=diagram_filename(spec, fmt="png", level=args[0],
                                              direction=args[1], style=args[2], page=args[3]))
    cols = buttons.columns(len(DiagramFormat))
    for col, fmt in zip(cols, DiagramFormat, strict=True):
        name = diagram_filename(spec, fmt=fmt, level=args[0], direction=args[1],
                                style=args[2], page=args[3])

        def make(fmt: DiagramFormat = fmt) -> bytes:
            return cached_diagram(spec, str(fmt), *args, dpi)[0]
        off = fmt is DiagramFormat.PNG and not png_ok
        col.download_button(f"{fmt.name}", _later(make), file_name=name, mime=_MIME[str(fmt)],
                            key=f"export.download.{fmt}", on_click="ignore",
                            icon=":material/download:", disabled=off,
                            help="too large for a bitmap: use SVG or PDF" if off else None)
    st.subheader("TikZ for LaTeX")
    t1, t2, t3 = st.columns(3)
    look = t1.segmented_control("Look", list(Look), default=Look.BOXES, required=True,
                                key="export.tikz_look")
    tstyle = t2.segmented_control("Colours", list(TikzStyle), default=TikzStyle.COLOUR,
                                  required=True, key="export.tikz_style")
    tlevel = Level.STAGE if look == Look.BOXES else Level(level)
    try:
        frag = cached_tikz(spec, str(look), str(tlevel), str(tstyle))
    except ValueError as exc:
        st.warning(plain(str(exc)))
        return
    stem = f"{packs.config_slug(spec)}_{look}_{tlevel}_{tstyle}"
    t3.download_button("Standalone .tex", standalone(frag), file_name=f"{stem}.tex",
                       mime=_MIME["tex"], key="export.tikz_tex", on_click="ignore")
    t3.download_button("\\input fragment", frag, file_name=f"{stem}_fragment.tex",
                       mime=_MIME["tex"], key="export.tikz_fragment", on_click="ignore")
    with st.expander("TikZ source"):
        st.code(frag, language="latex")


def pack_panel(spec: ResNetSpec) -> None:
    """Preview of the teaching pack, one download per file, and the whole zip."""
    items = packs.plan_pack(spec, analysis=cached_analysis(spec))
    st.caption(f"{len(items) + 1} files: diagrams, TikZ, tables and charts of this "
               "configuration, and a README that lists them, states the conventions and "
               "holds a link back to this view.")
    st.dataframe(pd.DataFrame({"file": [it.path for it in items] + ["README.md"],
                               "what it is": [it.description for it in items]
                               + ["the list of files, configuration, conventions, link"]}),
                 hide_index=True, key="export.pack_preview")
    name = packs.pack_filename(spec)
    built = st.session_state.get(_PACK_KEY)
    fresh = built is not None and built[0] == spec
    if not fresh and st.button("Build the teaching pack", key="export.build_pack",
                               type="primary", icon=":material/inventory_2:"):
        bar = st.progress(0.0, text="Building the teaching pack…")

        def step(done: int, total: int, path: str) -> None:
            bar.progress(done / total, text=f"Building the teaching pack… {path}")
        pack = packs.build_pack(spec, analysis=cached_analysis(spec), items=items,
                                progress=step)
        bar.empty()
        st.session_state[_PACK_KEY] = (spec, pack)
        built = (spec, pack)
    if built is not None and built[0] == spec:
        st.download_button(f"Download {name}", built[1].data, file_name=name,
                           mime=_MIME["zip"], key="export.download_pack", type="primary",
                           on_click="ignore", icon=":material/download:")
    with st.expander("Download single files"):
        for it in items:
            fname = it.path.rsplit("/", 1)[-1]

            def make(path: str = it.path) -> bytes:
                return cached_item(spec, path)
            st.download_button(it.path, _later(make), file_name=fname,
                               mime=_MIME.get(fname.rsplit(".", 1)[-1], "application/octet-stream"),
                               key=f"export.item.{it.path}", on_click="ignore",
                               help=it.description)

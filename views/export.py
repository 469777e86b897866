"""Export: slide- and paper-ready diagrams, TikZ, and the teaching pack of this configuration."""

import streamlit as st

from resnet_viz.ui import export
from resnet_viz.ui.help import Page, page_help
from resnet_viz.ui.state import page_header, selection

sel = selection()
page_header("Export", sel)
page_help(Page.EXPORT)
figure_tab, pack_tab = st.tabs(["Figure", "Teaching pack"], key="export.view",
                                bind="query-params")
with figure_tab:
    export.figure_panel(sel.spec)
with pack_tab:
    export.pack_panel(sel.spec)

"""resnet-viz: router and shared sidebar only (all logic lives in resnet_viz/)."""

import streamlit as st

from resnet_viz.ui.sidebar import render_sidebar
from resnet_viz.ui.state import set_selection

st.set_page_config(page_title="resnet-viz", page_icon="🧱", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon="📋", url_path="overview", default=True),
    st.Page("pages/diagram.py", title="Diagram", icon="🗺️", url_path="diagram"),
    st.Page("pages/tables.py", title="Tables & charts", icon="📊", url_path="tables"),
    st.Page("pages/gradients.py", title="Gradients", icon="📉", url_path="gradients"),
]

page = st.navigation(PAGES)
set_selection(render_sidebar())
page.run()

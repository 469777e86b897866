"""resnet-viz: router and shared sidebar only (all logic lives in resnet_viz/)."""

import streamlit as st

from resnet_viz.ui.sidebar import render_sidebar
from resnet_viz.ui.state import set_selection

st.set_page_config(page_title="resnet-viz", page_icon=":material/account_tree:",
                   layout="wide")

PAGES = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("views/diagram.py", title="Diagram", icon=":material/account_tree:",
            url_path="diagram"),
    st.Page("views/tables.py", title="Tables & charts", icon=":material/table_chart:",
            url_path="tables"),
    st.Page("views/gradients.py", title="Gradients", icon=":material/monitoring:",
            url_path="gradients"),
    st.Page("views/inside.py", title="Inside", icon=":material/visibility:", url_path="inside"),
    st.Page("views/compare.py", title="Compare", icon=":material/compare:", url_path="compare"),
    st.Page("views/export.py", title="Export", icon=":material/download:", url_path="export"),
    st.Page("views/lesson.py", title="Lesson", icon=":material/school:", url_path="lesson"),
]

page = st.navigation(PAGES)
set_selection(render_sidebar())
page.run()

"""resnet-viz: router and shared sidebar only (all logic lives in resnet_viz/)."""

from pathlib import Path

import streamlit as st

from resnet_viz.ui import history
from resnet_viz.ui.sidebar import render_sidebar
from resnet_viz.ui.state import log_rerun_time, set_selection

# The favicon is the app's own file: a ":material/...:" page icon makes the browser fetch
# it from a font CDN, which fails offline (and leaks each visit to a third party).
st.set_page_config(page_title="resnet-viz", page_icon=str(Path(__file__).parent / "static" /
                                                        "icon.png"), layout="wide")

PAGES = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("views/diagram.py", title="Diagram", icon=":material/account_tree:",
            url_path="diagram"),
    st.Page("views/tables.py", title="Tables & charts", icon=":material/table_chart:",
            url_path="tables"),
    st.Page("views/compare.py", title="Compare", icon=":material/compare:", url_path="compare"),
    st.Page("views/gradients.py", title="Gradients", icon=":material/monitoring:",
            url_path="gradients"),
    st.Page("views/inside.py", title="Inside", icon=":material/visibility:", url_path="inside"),
    st.Page("views/lab.py", title="Lab", icon=":material/science:", url_path="lab"),
    st.Page("views/lesson.py", title="Lesson", icon=":material/school:", url_path="lesson"),
    st.Page("views/export.py", title="Export", icon=":material/download:", url_path="export"),
]

page = st.navigation(PAGES)
history.track()  # every change of the view becomes a browser history entry (Back works)
with log_rerun_time(page.url_path or "overview"):
    set_selection(render_sidebar())
    page.run()

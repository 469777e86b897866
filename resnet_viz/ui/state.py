"""Hand the sidebar's selection from the router to the pages."""

from __future__ import annotations

import streamlit as st

from resnet_viz.ui.sidebar import Selection, render_sidebar

_KEY = "_selection"


def set_selection(sel: Selection) -> None:
    """Called by ``app.py`` after drawing the sidebar."""
    st.session_state[_KEY] = sel


def selection() -> Selection:
    """The current selection; draws the sidebar itself when a page runs standalone."""
    sel = st.session_state.get(_KEY)
    if sel is None:
        sel = render_sidebar()
        set_selection(sel)
    return sel


def page_header(title: str, sel: Selection) -> None:
    """Page title with the network's name, and the sidebar's error if there is one."""
    st.title(f"{title} · {sel.spec.name}")
    if sel.error:
        st.error(f"{sel.error}  \nShowing the last valid configuration instead.")

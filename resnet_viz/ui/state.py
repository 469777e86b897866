"""Hand the sidebar's selection from the router to the pages."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from resnet_viz.ui.safe import error as safe_error
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
        safe_error(f"{sel.error.rstrip('.')}. Showing the last valid configuration instead.")


@contextmanager
def log_rerun_time(page: str) -> Iterator[None]:
    """Append ``<page>\\t<seconds>`` for one script run to ``$RESNET_VIZ_TIMING_LOG``, if set.

    The server's own time per rerun (``bench/concurrency.py`` reads it); off by default.
    Runs cut short by a rerun or ``st.stop`` are not logged.
    """
    path = os.environ.get("RESNET_VIZ_TIMING_LOG")
    start = time.perf_counter()
    yield
    if path:
        with open(path, "a", encoding="utf-8") as f:  # one short line: appends interleave safely
            f.write(f"{page}\t{time.perf_counter() - start:.4f}\n")

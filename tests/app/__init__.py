"""AppTests of the app's pages, and the one way they start the app."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(page: str | None = None, *, timeout: float = 120, **query: str) -> AppTest:
    """Run the app with ``query`` as the link's parameters, then switch to ``page``."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    return at.switch_page(page).run() if page else at

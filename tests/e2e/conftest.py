"""Real-browser fixtures: the app on a free loopback port, Debian's chromium via Playwright."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from resnet_viz.ui.serve import CHROMIUM, CHROMIUM_ARGS, running_app

# What Streamlit logs when something is wrong (a widget misuse, an exception in a run).
SERVER_PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL)\b|Traceback")


def pytest_configure(config: pytest.Config) -> None:
    # pytest-base-url (pulled in by pytest-playwright) defines its session fixture as a
    # method; newer pytest warns about that on every run. Not ours to fix.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods")


@pytest.fixture(scope="session")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the app server writes its output."""
    return tmp_path_factory.mktemp("server") / "streamlit.log"


@pytest.fixture(scope="session")
def app_url(server_log: Path) -> Iterator[str]:
    with running_app(log_path=server_log) as url:
        yield url


@pytest.fixture(autouse=True)
def no_server_warnings(app_url: str, server_log: Path) -> Iterator[None]:
    """Fail a test during which the server logged a warning, an error or a traceback."""
    start = server_log.stat().st_size
    yield
    with server_log.open(encoding="utf-8", errors="replace") as f:
        f.seek(start)
        new = f.read()
    problems = [line for line in new.splitlines() if SERVER_PROBLEM.search(line)]
    assert not problems, "the server logged:\n" + new[-4000:]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1500, "height": 1000}}

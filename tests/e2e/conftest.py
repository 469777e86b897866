"""Real-browser fixtures: the app on a free loopback port, Debian's chromium via Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from resnet_viz.ui.serve import CHROMIUM, CHROMIUM_ARGS, running_app


def pytest_configure(config: pytest.Config) -> None:
    # pytest-base-url (pulled in by pytest-playwright) defines its session fixture as a
    # method; newer pytest warns about that on every run. Not ours to fix.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods")


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1500, "height": 1000}}

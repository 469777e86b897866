"""Eight browsers at once on one server, each with its own configuration: no cross-talk.

One Chromium, eight contexts (separate cookies, storage and websocket sessions), each
opened on a different link across Overview, Diagram and Gradients before any is
checked, so their script runs overlap on the server. Each must show its own network
(heading, and on the Overview its own parameter count) — a cache, a module global or
session state shared by mistake would show another's. Waits are on what the page
shows, with generous limits: eight pages share two cores here.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from resnet_viz.analysis import analyse
from resnet_viz.arch.presets import spec_from_choices
from resnet_viz.fmt import fmt_count
from resnet_viz.ui.serve import IDLE_JS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
LIMIT = 600_000  # ms: eight sessions on two cores; a generous bound, not a budget

# (page path, page title, link values, spec_from_choices arguments)
SESSIONS: list[tuple[str, str, dict[str, str], dict[str, Any]]] = [
    ("/", "Overview", {"arch.depth": "18"}, {"depth": 18}),
    ("/", "Overview", {"arch.depth": "34", "arch.shortcuts": "false"},
     {"depth": 34, "shortcuts": False}),
    ("/", "Overview", {"arch.family": "cifar", "arch.depth": "44"},
     {"family": "cifar", "depth": 44}),
    ("/", "Overview", {"arch.depth": "50", "arch.width_mult": "0.5"},
     {"depth": 50, "width_mult": 0.5}),
    ("/diagram", "Diagram", {"arch.depth": "101"}, {"depth": 101}),
    ("/diagram", "Diagram", {"arch.family": "cifar", "arch.depth": "32"},
     {"family": "cifar", "depth": 32}),
    ("/gradients", "Gradients", {"arch.family": "cifar", "arch.depth": "20"},
     {"family": "cifar", "depth": 20}),
    ("/gradients", "Gradients", {"arch.family": "cifar", "arch.depth": "32",
                                 "arch.shortcut": "B"},
     {"family": "cifar", "depth": 32, "shortcut": "B"}),
]


def test_eight_sessions_each_see_their_own_network(browser: Browser, app_url: str) -> None:
    pages = []
    for path, _, query, _ in SESSIONS:
        context = browser.new_context(viewport={"width": 1300, "height": 900})
        page = context.new_page()
        page.goto(f"{app_url}{path}?{urllib.parse.urlencode(query)}", wait_until="commit")
        pages.append(page)
    try:
        for page, (_, title, _, choices) in zip(pages, SESSIONS, strict=True):
            spec = spec_from_choices(**choices)
            expect(page.locator("h1").filter(has_text=" · ")).to_have_text(f"{title} · {spec.name}",
                                                          timeout=LIMIT)
            if title == "Overview":
                params = page.locator('[data-testid="stMetric"]', has_text="Parameters")
                expect(params).to_contain_text(fmt_count(analyse(spec).params), timeout=LIMIT)
        shown = [(t, spec_from_choices(**c).name) for _, t, _, c in SESSIONS]
        assert len(set(shown)) == len(SESSIONS)  # every session expects something different
        for page, (_, title, _, choices) in zip(pages, SESSIONS, strict=True):
            page.wait_for_function(IDLE_JS, timeout=LIMIT)  # everyone finished: still theirs
            expect(page.locator("h1").filter(has_text=" · ")).to_have_text(
                f"{title} · {spec_from_choices(**choices).name}")
    finally:
        for page in pages:
            page.context.close()

"""Real Chromium: a heavy probe waits for Run, shows progress, and Stop really stops it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from resnet_viz.ui.serve import IDLE_JS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
LONG = 180_000  # generous: the machine may be busy; every wait is on what the page shows


def test_heavy_probe_waits_for_run_and_stop_stops_it(page: Page, app_url: str) -> None:
    page.set_default_timeout(LONG)
    expect.set_options(timeout=LONG)
    # PreAct-164 with 3 seeds is above the heavy threshold: it must not start by itself
    page.goto(f"{app_url}/gradients?arch.family=cifar&arch.depth=164&grad.seeds=3")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("is heavy", exact=False)).to_be_visible()
    page.wait_for_function(IDLE_JS, timeout=LONG)
    expect(main.get_by_test_id("stMetric")).to_have_count(0)
    main.get_by_role("button", name="Run probe").click()
    expect(main.get_by_test_id("stProgress")).to_be_visible()  # progress while it runs
    main.get_by_role("button", name="Stop").click()
    expect(main.get_by_text("Stopped: nothing was kept", exact=False)).to_be_visible()
    page.wait_for_function(IDLE_JS, timeout=LONG)
    expect(main.get_by_test_id("stMetric")).to_have_count(0)  # no result was shown or kept

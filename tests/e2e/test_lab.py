"""Real Chromium: a short Lab training run whose curves appear and grow, then Stop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from resnet_viz.ui.serve import IDLE_JS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TIMEOUT = 180_000
SHOTS = os.environ.get("RESNET_VIZ_SCREENSHOTS")  # a folder to save screenshots in, if set

# Every distinct number of plotted points (markers) the page has shown, in order: the live
# chart is redrawn after every epoch, so a growing run leaves an increasing sequence here.
WATCH_POINTS_JS = """() => {
  window.__labPoints = [];
  const count = () => document.querySelectorAll(
      '[data-testid="stMain"] .js-plotly-plot .scatterlayer path.point').length;
  new MutationObserver(() => {
    const n = count(), seen = window.__labPoints;
    if (n > 0 && seen[seen.length - 1] !== n) seen.push(n);
  }).observe(document.body, {childList: true, subtree: true});
}"""


def test_train_curves_grow_and_stop_keeps_a_result(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/lab")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Press Train", exact=False)).to_be_visible(timeout=TIMEOUT)
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)
    main.get_by_text("Training options", exact=True).click()

    depths = main.locator(".st-key-lab-depths")
    depths.get_by_role("button", name="Clear all").click()
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)
    depths.locator("input").click()
    page.keyboard.type("8")  # only depth 8 contains the digit
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)
    expect(depths.get_by_text("8", exact=True)).to_be_visible()
    # The most epochs the slider allows on the smallest net: long enough to watch it grow.
    main.locator(".st-key-lab-epochs input[type=range]").press("End")
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)
    seed = main.locator(".st-key-lab-seed input")
    seed.fill("4242")  # a seed no other test uses: a fresh run, not a cached one
    seed.press("Enter")
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)

    page.evaluate(WATCH_POINTS_JS)
    main.locator(".st-key-lab-train button").click()
    page.wait_for_function("() => window.__labPoints.length >= 2", timeout=TIMEOUT)
    main.locator(".st-key-lab-stop button").click()  # while it runs, or just after it ends
    expect(main.get_by_text("What this run shows.", exact=False)).to_be_visible(
        timeout=TIMEOUT)
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)
    seen = page.evaluate("() => window.__labPoints")
    assert seen[1] > seen[0], seen  # the curves grew while the page showed them
    expect(main.locator(".st-key-lab-curves .js-plotly-plot")).to_have_count(1)
    # Stopped or finished, the run is kept: it names its state, and the probes are offered.
    state = main.locator(".st-key-lab-curves .gtitle, .st-key-lab-curves text")
    expect(state.filter(has_text="stopped").or_(state.filter(has_text="epoch 20 of 20"))
           .first).to_be_visible(timeout=TIMEOUT)
    expect(main.get_by_role("tab", name="Loss landscape")).to_be_visible()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "lab_e2e.png"), full_page=True)

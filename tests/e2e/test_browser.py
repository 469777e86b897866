"""Real Chromium (Debian's) against the running app: switch depths, check the page updates.

Every check waits for the *new* content (Playwright's ``expect`` retries until it
appears), so a stale element left over from the previous run never passes a check.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from resnet_viz.analysis import analyse
from resnet_viz.arch.presets import from_depth
from resnet_viz.fmt import fmt_count
from resnet_viz.ui.serve import IDLE_JS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TIMEOUT = 30_000
GRAPH = '[data-testid="stGraphVizChart"] svg'
# Sum of the first trace's y values of the first plotly chart (params by stage).
CHART_SUM_JS = """() => {
  const el = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  if (!el || !el.data || !el.data.length) return null;
  return el.data[0].y.reduce((a, b) => a + b, 0);
}"""


def idle(page: Page) -> None:
    """Wait until Streamlit has finished the current run.

    Call it only once the run is known to have started (new content seen): right
    after a click the state can still read "notRunning" from the previous run.
    """
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the sidebar selectbox labelled ``label``."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
        has=page.get_by_text(label, exact=True))
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(box.get_by_role("combobox")).to_have_value(option)


def go(page: Page, title: str) -> None:
    """Open a page from the sidebar navigation."""
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    heading(page, title)


def title_of(page: Page) -> Locator:
    """The page's title (the sidebar has an h1 of its own)."""
    return page.get_by_test_id("stMain").get_by_role("heading", level=1)


def metric(page: Page, label: str) -> Locator:
    m = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
    return m.get_by_test_id("stMetricValue")


def heading(page: Page, name: str) -> None:
    """Wait for a page title naming ``name`` (e.g. ``ResNet-50``), then for the run's end.

    While a run is in progress the previous title can still be on the page next to
    the new one; once the run has finished only the new one is left.
    """
    expect(title_of(page).filter(has_text=name).first).to_be_visible()
    idle(page)
    expect(title_of(page)).to_contain_text(name)


def chart_total(page: Page, expected: float) -> None:
    """Wait until the params-by-stage chart sums to ``expected``."""
    page.get_by_role("tab", name="Charts").click()
    page.wait_for_function(f"() => ({CHART_SUM_JS})() === {expected}", timeout=TIMEOUT)


def test_switch_depths_updates_numbers_diagram_and_charts(page: Page, app_url: str) -> None:
    page.set_default_timeout(TIMEOUT)
    expect.set_options(timeout=TIMEOUT)

    # Overview: numbers for 18, then 50 (the default, so it leaves the URL).
    page.goto(f"{app_url}/?arch.depth=18")
    heading(page, "ResNet-18")
    expect(metric(page, "Parameters")).to_have_text(fmt_count(11_689_512))
    assert "arch.depth=18" in page.url
    choose(page, "Depth", "50")
    heading(page, "ResNet-50")
    expect(metric(page, "Parameters")).to_have_text(fmt_count(25_557_032))
    page.wait_for_url(lambda u: "arch.depth" not in u)  # default values leave the link

    # Diagram: the SVG is redrawn for 50, then 152, at stage and block level.
    go(page, "Diagram")
    graph = page.locator(GRAPH).first
    expect(graph).to_contain_text("ResNet-50")
    expect(graph).to_contain_text("x 6")  # conv4_x of ResNet-50
    choose(page, "Depth", "152")
    heading(page, "ResNet-152")
    expect(graph).to_contain_text("ResNet-152")
    expect(graph).to_contain_text("x 36")  # conv4_x of ResNet-152
    page.wait_for_url(re.compile(r"arch\.depth=152"))
    page.get_by_role("radio", name="Block", exact=True).click()
    expect(graph.locator("g.node")).to_have_count(106)  # 50 blocks + 50 adds + 6 others
    expect(graph).to_contain_text("layer3.35")
    idle(page)

    # Charts follow the same selection.
    go(page, "Tables & charts")
    heading(page, "ResNet-152")
    chart_total(page, 60_192_808)

    # CIFAR: charts, numbers and diagram.
    choose(page, "Family", "cifar")
    heading(page, "ResNet-56 (CIFAR)")  # the family's default depth
    choose(page, "Depth", "110")
    cifar = analyse(from_depth(110, family="cifar"))
    heading(page, "ResNet-110")
    chart_total(page, cifar.params)
    go(page, "Overview")
    expect(metric(page, "Parameters")).to_have_text(fmt_count(cifar.params))
    go(page, "Diagram")
    expect(graph).to_contain_text("ResNet-110 (CIFAR)")
    expect(graph).to_contain_text("x 18")  # 18 basic blocks per stage
    idle(page)


def test_invalid_link_warns_and_app_keeps_running(page: Page, app_url: str) -> None:
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{app_url}/?arch.depth=51")
    expect(page.get_by_text(re.compile(r"arch\.depth=51"))).to_be_visible(timeout=TIMEOUT)
    heading(page, "ResNet-50")
    expect(metric(page, "Parameters")).to_have_text(fmt_count(25_557_032), timeout=TIMEOUT)
    idle(page)


def test_big_diagram_is_laid_out_on_the_server_and_zoomable(page: Page, app_url: str) -> None:
    page.set_default_timeout(TIMEOUT)
    expect.set_options(timeout=TIMEOUT)
    page.goto(f"{app_url}/diagram?arch.depth=152")
    expect(page.locator(GRAPH).first).to_contain_text("ResNet-152")
    page.get_by_role("radio", name="Layer", exact=True).click()
    # 517 nodes > BROWSER_NODE_LIMIT: server SVG inside the viewer frame
    frame = page.frame_locator('iframe[data-testid="stIFrame"]')
    expect(frame.locator("svg")).to_contain_text("ResNet-152")
    assert frame.locator("svg g.node").count() > 500
    expect(frame.locator("#pct")).to_have_text("100%")
    view = frame.locator("#view")
    assert view.evaluate("v => v.scrollHeight > 10 * v.clientHeight")  # scrolls
    frame.get_by_role("button", name="Fit", exact=True).click()
    expect(frame.locator("#pct")).not_to_have_text("100%")
    assert view.evaluate("v => v.scrollHeight <= v.clientHeight")  # whole graph in view
    idle(page)
    with page.expect_download() as dl:  # rendered on click, from the cached layout
        page.get_by_test_id("stMain").get_by_role("button", name="SVG").first.click()
    assert dl.value.suggested_filename == "ResNet-152-layer.svg"
    assert "ResNet-152" in html.unescape(Path(dl.value.path()).read_text())  # dot writes &#45;

    # 4,210 nodes: not laid out until asked for; the page stays responsive
    choose(page, "Family", "cifar")
    heading(page, "ResNet-56 (CIFAR)")
    choose(page, "Depth", "1202")
    expect(page.get_by_role("button", name="Lay out all 4,210 nodes")).to_be_visible()
    expect(page.locator('iframe[data-testid="stIFrame"]')).to_have_count(0)
    page.get_by_role("radio", name="Block", exact=True).click()
    expect(frame.locator("svg")).to_contain_text("ResNet-1202 (CIFAR)")  # 1,205 nodes
    idle(page)


def test_gradients_click_through(page: Page, app_url: str) -> None:
    """Profile, generated caption, overlay diagram and a depth sweep in the real browser."""
    page.set_default_timeout(90_000)
    expect.set_options(timeout=90_000)
    page.goto(f"{app_url}/gradients?arch.family=cifar&arch.depth=20")
    heading(page, "ResNet-20 (CIFAR)")
    main = page.get_by_test_id("stMain")
    profile = main.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    expect(profile).to_be_visible()
    names = profile.evaluate("el => el.data.map(t => t.name)")
    assert "plain" in names and "residual" in names
    plain = metric(page, "plain: first / last").inner_text().rstrip("×")
    caption = main.get_by_test_id("stMarkdown").filter(has_text="What this measurement shows")
    expect(caption).to_contain_text(f"grows {plain}x")

    page.get_by_role("tab", name="Diagram overlay").click()
    overlay = main.locator(GRAPH).first
    expect(overlay).to_contain_text("plain")
    expect(overlay).to_contain_text("residual")

    page.get_by_role("tab", name="Depth sweep").click()
    main.get_by_role("button", name="Run sweep").click()
    sweep = main.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').last
    page.wait_for_function(
        "() => { const p = [...document.querySelectorAll('.js-plotly-plot')].pop();"
        " return p && p.data && p.data.length && p.data[0].x.length === 3; }", timeout=90_000)
    assert sorted(sweep.evaluate("el => el.data[0].x")) == [20, 56, 110]
    idle(page)

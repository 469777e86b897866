"""Real Chromium (Debian's) against the running app: switch depths, check the page updates.

Every check waits for the *new* content (Playwright's ``expect`` retries until it
appears), so a stale element left over from the previous run never passes a check.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from resnet_viz.analysis import analyse
from resnet_viz.arch.presets import from_depth
from resnet_viz.fmt import fmt_count
from resnet_viz.ui.serve import IDLE_JS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# Generous: every wait is for something the page shows, so a busy machine only makes
# a test slower, never wrong; the limit only stops a test that would hang.
TIMEOUT = 180_000
FRAME = 'iframe[data-testid="stIFrame"]'  # the diagram viewer (server-laid-out SVG)
# Sum of the first trace's y values of the first plotly chart (params by stage).
CHART_SUM_JS = """() => {
  const el = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  if (!el || !el.data || !el.data.length) return null;
  return el.data[0].y.reduce((a, b) => a + b, 0);
}"""
# Heights (px, as drawn) of the diagram viewer's texts, and its zoom and scroll sizes.
VIEWER_TEXT_JS = """(view) => {
  const hs = [...view.querySelectorAll('svg text')]
    .map((t) => t.getBoundingClientRect().height).filter((h) => h > 0).sort((a, b) => a - b);
  return {n: hs.length, min: hs[0], median: hs[Math.floor(hs.length / 2)],
          wide: view.scrollWidth > view.clientWidth + 1};
}"""


def start(page: Page) -> None:
    page.set_default_timeout(TIMEOUT)
    expect.set_options(timeout=TIMEOUT)


def viewer(page: Page) -> FrameLocator:
    return page.frame_locator(FRAME)


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


def radio(page: Page, name: str) -> Locator:
    """The option ``name`` of a segmented control in the main area."""
    return page.get_by_test_id("stMain").get_by_role("radio", name=name, exact=True)


def show_view(page: Page, name: str) -> None:
    """Pick an option of a segmented control in the main area (a view, a level, ...)."""
    option = radio(page, name)
    option.click()
    expect(option).to_be_checked()


def chart_total(page: Page, expected: float) -> None:
    """Wait until the params-by-stage chart sums to ``expected``."""
    show_view(page, "charts")
    page.wait_for_function(f"() => ({CHART_SUM_JS})() === {expected}", timeout=TIMEOUT)


def test_switch_depths_updates_numbers_diagram_and_charts(page: Page, app_url: str) -> None:
    start(page)
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
    graph = viewer(page).locator("svg")
    expect(graph).to_contain_text("ResNet-50")
    expect(graph).to_contain_text("x 6")  # conv4_x of ResNet-50
    choose(page, "Depth", "152")
    heading(page, "ResNet-152")
    expect(graph).to_contain_text("ResNet-152")
    expect(graph).to_contain_text("x 36")  # conv4_x of ResNet-152
    page.wait_for_url(re.compile(r"arch\.depth=152"))
    show_view(page, "block")
    expect(graph.locator("g.node")).to_have_count(106)  # 50 blocks + 50 adds + 6 others
    expect(graph).to_contain_text("layer3.35")
    page.wait_for_url(re.compile(r"diagram\.level=block"))  # the view is in the link
    idle(page)

    # Charts follow the same selection.
    go(page, "Tables & charts")
    heading(page, "ResNet-152")
    chart_total(page, 60_192_808)

    # CIFAR: charts, numbers and diagram.
    choose(page, "Family", "cifar")
    heading(page, "ResNet-56 (CIFAR)")  # the family's default depth
    choose(page, "Depth", "20")
    cifar = analyse(from_depth(20, family="cifar"))
    heading(page, "ResNet-20")
    chart_total(page, cifar.params)
    go(page, "Overview")
    expect(metric(page, "Parameters")).to_have_text(fmt_count(cifar.params))
    go(page, "Diagram")
    expect(graph).to_contain_text("ResNet-20 (CIFAR)")
    idle(page)


def test_invalid_link_warns_and_app_keeps_running(page: Page, app_url: str) -> None:
    start(page)
    page.goto(f"{app_url}/?arch.depth=51")
    expect(page.get_by_text(re.compile(r"arch\.depth=51"))).to_be_visible()
    heading(page, "ResNet-50")
    expect(metric(page, "Parameters")).to_have_text(fmt_count(25_557_032))
    idle(page)


def test_horizontal_layout_is_readable_and_scrolls(page: Page, app_url: str) -> None:
    """Left-to-right diagrams keep their text readable and scroll sideways (issue: ~5 px)."""
    start(page)
    for level in ("stage", "block", "layer"):
        page.goto(f"{app_url}/diagram?arch.depth=18&diagram.direction=horizontal"
                  f"&diagram.level={level}")
        heading(page, "ResNet-18")
        expect(viewer(page).locator("svg")).to_contain_text("ResNet-18")
        text = viewer(page).locator("#view").evaluate(VIEWER_TEXT_JS)
        assert text["n"] > 10, text
        assert text["min"] >= 9 and text["median"] >= 10, (level, text)
        assert text["wide"], (level, text)  # wider than the frame: it scrolls, not shrinks


def test_diagram_zooms_and_heavy_graphs_wait(page: Page, app_url: str) -> None:
    start(page)
    page.goto(f"{app_url}/diagram?arch.depth=18&diagram.level=layer")
    frame = viewer(page)
    expect(frame.locator("svg")).to_contain_text("ResNet-18")
    expect(frame.locator("#pct")).to_have_text("100%")
    view = frame.locator("#view")
    assert view.evaluate("v => v.scrollHeight > 3 * v.clientHeight")  # scrolls
    frame.get_by_role("button", name="Fit", exact=True).click()
    expect(frame.locator("#pct")).not_to_have_text("100%")
    assert view.evaluate("v => v.scrollHeight <= v.clientHeight")  # whole graph in view
    tip = frame.locator("svg g.node a").first.get_attribute("xlink:title")
    assert tip and tip.startswith(("input", "torch:"))  # torch names stay a hover away
    idle(page)
    with page.expect_download() as dl:  # rendered on click, from the cached layout
        page.get_by_test_id("stMain").get_by_role("button", name="SVG").first.click()
    assert dl.value.suggested_filename == "ResNet-18-layer.svg"
    assert "ResNet-18" in html.unescape(Path(dl.value.path()).read_text())  # dot writes &#45;

    # 4,210 nodes: neither laid out nor offered as SVG/PNG/PDF until asked for
    page.goto(f"{app_url}/diagram?arch.family=cifar&arch.depth=1202&diagram.level=layer")
    expect(page.get_by_role("button", name="Lay out all 4,210 nodes")).to_be_visible()
    idle(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("button", name="DOT")).to_be_visible()
    for fmt in ("SVG", "PNG", "PDF"):
        expect(main.get_by_role("button", name=fmt, exact=True)).to_have_count(0)
    expect(page.locator(FRAME)).to_have_count(0)


def test_back_returns_to_the_previous_configuration(page: Page, app_url: str) -> None:
    start(page)
    page.goto(f"{app_url}/diagram?arch.depth=34")
    heading(page, "ResNet-34")
    choose(page, "Depth", "18")
    heading(page, "ResNet-18")
    show_view(page, "block")
    page.wait_for_url(re.compile(r"diagram\.level=block"))
    idle(page)
    choose(page, "Depth", "152")
    heading(page, "ResNet-152")
    page.go_back()
    heading(page, "ResNet-18")
    expect(radio(page, "block")).to_be_checked()
    page.go_back()
    heading(page, "ResNet-18")
    expect(radio(page, "stage")).to_be_checked()
    page.go_back()
    heading(page, "ResNet-34")
    page.go_forward()
    heading(page, "ResNet-18")


def test_projector_screen_shows_whole_numbers_and_columns(page: Page, app_url: str) -> None:
    """At 1024×768 no headline number and no Table 1 column is cut off."""
    start(page)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{app_url}/?arch.depth=152")
    heading(page, "ResNet-152")
    values = page.get_by_test_id("stMetricValue")
    expect(values).to_have_count(8)
    for i in range(8):
        assert values.nth(i).evaluate("e => e.scrollWidth <= e.clientWidth"), i
    labels = page.get_by_test_id("stMetricLabel")
    for i in range(8):
        assert labels.nth(i).evaluate("e => e.scrollWidth <= e.clientWidth + 1"), i
    table = page.get_by_test_id("stTable")
    expect(table).to_contain_text("2048×7×7")  # C×H×W output size
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth + 1")


def test_every_table_downloads_as_csv(page: Page, app_url: str) -> None:
    start(page)
    page.goto(f"{app_url}/tables?arch.family=cifar&arch.depth=20")
    heading(page, "ResNet-20")
    for view, header in (("layers", "name,type"), ("blocks", "block,stage"),
                         ("stages", "stage,module")):
        show_view(page, view)
        button = page.get_by_role("button", name=f"CSV · {view}")
        expect(button).to_be_visible()  # the new view's own button: the run has drawn it
        idle(page)
        with page.expect_download() as dl:
            button.click()
        assert dl.value.suggested_filename == f"ResNet-20_(CIFAR)-{view}.csv"
        assert Path(dl.value.path()).read_text().startswith(header)


def test_gradients_click_through(page: Page, app_url: str) -> None:
    """Profile, generated caption, overlay diagram and a depth sweep in the real browser."""
    start(page)
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
    overlay = page.frame_locator(FRAME).first.locator("svg")  # the zoomable viewer
    expect(overlay).to_contain_text("plain")
    expect(overlay).to_contain_text("residual")

    # A smaller sweep than the default that still shows the trend: the two smallest depths.
    page.get_by_role("tab", name="Depth sweep").click()
    depths = main.get_by_test_id("stMultiSelect")
    expect(depths.get_by_role("button", name="Remove 56")).to_be_visible()
    depths.get_by_role("button", name="Remove 110").click()
    expect(depths.get_by_role("button", name="Remove 110")).to_have_count(0)
    idle(page)
    # another test on this server may have run the same sweep: then it is shown at once
    run = main.get_by_role("button", name="Run sweep")
    expect(run.or_(main.get_by_text("First/last ratio from depth 20 to 56"))).to_be_visible()
    if run.count():
        run.click()
    page.wait_for_function(
        "() => { const p = [...document.querySelectorAll('.js-plotly-plot')].pop();"
        " return p && p.data && p.data.length && p.data[0].x.length === 2; }", timeout=TIMEOUT)
    sweep = main.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').last
    assert sorted(sweep.evaluate("el => el.data[0].x")) == [20, 56]
    idle(page)

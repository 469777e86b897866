"""Real Chromium: a compare link with three configurations, its numbers, highlights, an edit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from resnet_viz.analysis import analyse
from resnet_viz.analysis.compare import compare
from resnet_viz.arch.presets import from_depth
from resnet_viz.fmt import fmt_count
from resnet_viz.ui.compare import HIGHLIGHT
from resnet_viz.ui.serve import IDLE_JS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TIMEOUT = 30_000
LINK = "compare?compare.n=3&compare.c1.depth=34&compare.c2.depth=50&compare.c3.depth=101"
# The highlight colour as the browser reports it (the Styler's #FFE7A3).
HIGHLIGHT_RGB = "rgb(255, 231, 163)"
CELLS_JS = """() => {
  const t = document.querySelector('[data-testid="stTable"] table');
  if (!t) return null;
  return [...t.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('th, td')]
    .map(td => [td.innerText.trim(), getComputedStyle(td).backgroundColor]));
}"""


def table(page: Page) -> Locator:
    return page.get_by_test_id("stTable")


def cells(page: Page) -> dict[str, list[tuple[str, str]]]:
    """Row label -> [(text, background colour)] of each configuration's cell."""
    rows = page.evaluate(CELLS_JS)
    return {r[0][0]: [(t, bg) for t, bg in r[1:]] for r in rows}


def test_compare_link_numbers_highlights_and_edit(page: Page, app_url: str) -> None:
    assert HIGHLIGHT.startswith("background-color: #FFE7A3")
    page.goto(f"{app_url}/{LINK}")
    header = table(page).locator("thead")
    expect(header).to_contain_text("ResNet-101", timeout=TIMEOUT)
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)
    specs = [from_depth(d) for d in (34, 50, 101)]
    comp = compare(specs)
    got = cells(page)
    params = got["parameters"]
    for (text, _), spec in zip(params, specs, strict=True):
        assert text.startswith(fmt_count(analyse(spec).params))
    for row in comp.rows:  # every highlighted cell is a changed one, and vice versa
        shown = got[row.label]
        assert [bg == HIGHLIGHT_RGB for _, bg in shown] == [c.changed for c in row.cells], row
    assert got["blocks per stage"][1][1] != HIGHLIGHT_RGB  # 34 and 50 share 3,4,6,3
    assert params[1][1] == HIGHLIGHT_RGB

    # change the third column: 101 -> 152; the table and the link follow
    box = page.get_by_test_id("stSelectbox").filter(
        has=page.get_by_text("Depth", exact=True)).nth(3)  # the sidebar's Depth is first
    box.click()
    page.get_by_role("option", name="152", exact=True).click()
    expect(header).to_contain_text("ResNet-152", timeout=TIMEOUT)
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)
    p152 = fmt_count(analyse(from_depth(152)).params)
    expect(table(page)).to_contain_text(p152)
    assert cells(page)["parameters"][2][0].startswith(p152)
    assert re.search(r"compare\.c3\.depth=152", page.url)
    expect(page.get_by_text(re.compile(r"^ResNet-50 → ResNet-152: "))).to_be_visible()

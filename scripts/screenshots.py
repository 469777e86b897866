"""Take screenshots of every page into docs/ (run: .venv/bin/python scripts/screenshots.py).

Uses Debian's chromium through Playwright against the app on a free loopback port.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from resnet_viz.ui.serve import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, running_app  # noqa: E402

VIEWER = 'iframe[data-testid="stIFrame"]'  # the diagram viewer (server-laid-out SVG)
SHOTS = [  # (file, path + query, what must be visible before the shot)
    ("overview.png", "/?arch.depth=50", '[data-testid="stTable"]'),
    ("diagram_stage.png", "/diagram?arch.depth=34", VIEWER),
    ("diagram_block.png", "/diagram?arch.family=cifar&arch.depth=20&diagram.level=block",
     VIEWER),
    ("diagram_horizontal.png",
     "/diagram?arch.depth=18&diagram.level=block&diagram.direction=horizontal", VIEWER),
    ("tables.png", "/tables?arch.depth=50", '[data-testid="stDataFrame"]'),
    ("gradients.png", "/gradients?arch.family=cifar&arch.depth=56",
     '[data-testid="stPlotlyChart"]'),
]


def settle(page: Page, selector: str) -> None:
    """Wait for the selector and for Streamlit to finish running."""
    page.wait_for_selector(selector, timeout=120_000)
    page.wait_for_function(IDLE_JS, timeout=120_000)
    page.wait_for_timeout(1500)


def main(out_dir: str = "docs", only: str = "") -> None:
    """Write each screenshot (or only those whose name contains ``only``)."""
    out = ROOT / out_dir
    out.mkdir(exist_ok=True)
    with running_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        for name, path, selector in SHOTS:
            if only and only not in name:
                continue
            page.goto(url + path)  # the link holds the whole view, level and layout included
            settle(page, selector)
            page.screenshot(path=str(out / name), full_page=False)
            print("wrote", out / name)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])

"""Real Chromium against the running app: the Export page's downloads give real files."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from resnet_viz.ui.serve import IDLE_JS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TIMEOUT = 60_000


def test_download_svg_and_pack(page: Page, app_url: str, tmp_path: Path) -> None:
    page.goto(f"{app_url}/export?arch.depth=18&arch.shortcut=D", timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Export · ResNet-18")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stImage").first).to_be_visible(timeout=TIMEOUT)
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_test_id("stDownloadButton").get_by_role("button", name="SVG").click()
    dl = info.value
    assert dl.suggested_filename == "ResNet-18_shortcut-D_variant-v1.5_stage_TB_slide.svg"
    svg = Path(dl.path()).read_bytes()
    root = ET.fromstring(svg)
    nodes = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node"]
    assert len(nodes) == 10  # input, conv1, maxpool, 4 stages, avgpool, fc, output

    page.get_by_role("tab", name="Teaching pack").click()
    page.get_by_role("button", name="Build the teaching pack").click()
    button = page.get_by_role("button", name=re.compile(r"Download .*teaching-pack\.zip"))
    expect(button).to_be_visible(timeout=180_000)
    with page.expect_download(timeout=TIMEOUT) as info:
        button.click()
    data = Path(info.value.path()).read_bytes()
    zf = zipfile.ZipFile(io.BytesIO(data))
    readme = zf.read("README.md").decode()
    assert set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.M)) == set(zf.namelist())
    assert "arch.shortcut=D" in readme

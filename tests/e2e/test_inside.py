"""Real Chromium: the Inside page's Grad-CAM view and the checkpoint upload flow."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from playwright.sync_api import Page, expect

from resnet_viz.arch.presets import from_depth
from resnet_viz.model.build import build
from resnet_viz.ui.serve import IDLE_JS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TIMEOUT = 120_000
SHOTS = os.environ.get("RESNET_VIZ_SCREENSHOTS")  # a folder to save screenshots in, if set


def idle(page: Page) -> None:
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)


def test_grad_cam_view_and_checkpoint_upload(page: Page, app_url: str, tmp_path: Path) -> None:
    page.goto(f"{app_url}/inside?arch.family=cifar&arch.depth=20")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", level=1)).to_contain_text("Inside · ResNet-20",
                                                                 timeout=TIMEOUT)
    expect(main.get_by_text("Weights in use: random initialisation")).to_be_visible(
        timeout=TIMEOUT)
    expect(main.get_by_text("not meaning", exact=False)).to_be_visible()
    idle(page)
    main.get_by_role("tab", name="Grad-CAM").click()
    charts = main.get_by_test_id("stPlotlyChart")
    # 2 feature grids + 3 stages x (residual, plain)
    expect(charts).to_have_count(2 + 2 * 3, timeout=TIMEOUT)
    expect(main.get_by_text("layer3 · plain").first).to_be_visible(timeout=TIMEOUT)
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "inside_gradcam_e2e.png"), full_page=True)

    ckpt = tmp_path / "cifar *20* weights.pth"
    torch.save(build(from_depth(20, family="cifar"), seed=9).state_dict(), ckpt)
    main.get_by_text("uploaded checkpoint", exact=True).click()
    uploader = main.get_by_test_id("stFileUploader").locator("input[type=file]")
    expect(uploader).to_have_count(1, timeout=TIMEOUT)
    uploader.set_input_files(str(ckpt))
    expect(main.get_by_text("every key and shape matches", exact=False)).to_be_visible(
        timeout=TIMEOUT)
    expect(main.get_by_text(f"file: {ckpt.name}", exact=False)).to_be_visible()
    expect(main.get_by_text("Weights in use: uploaded checkpoint")).to_be_visible(
        timeout=TIMEOUT)
    expect(main.get_by_text("not meaning", exact=False)).to_have_count(0)
    idle(page)

"""Real Chromium: the lesson's arrow keys, a right and a wrong quiz answer, presenter view."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from resnet_viz.analysis import quiz as q
from resnet_viz.arch.presets import from_depth
from resnet_viz.render import lesson
from resnet_viz.ui.serve import IDLE_JS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TIMEOUT = 60_000
SHOTS = os.environ.get("RESNET_VIZ_SCREENSHOTS")  # a folder to save screenshots in, if set


def idle(page: Page) -> None:
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT)


def test_arrow_keys_quiz_and_presenter(page: Page, app_url: str) -> None:
    titles = [s.title for s in lesson.lesson_steps(from_depth(50))]
    page.goto(f"{app_url}/lesson")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=titles[0])).to_be_visible(timeout=TIMEOUT)
    idle(page)
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "lesson.png"))
    # focus the page (not a widget) so the arrow keys reach Streamlit's shortcut listener
    main.get_by_role("heading", name=titles[0]).click()
    expect(main.get_by_role("button", name="Next")).to_be_enabled()
    page.keyboard.press("ArrowRight")
    expect(main.get_by_role("heading", name=titles[1])).to_be_visible(timeout=TIMEOUT)
    page.wait_for_url("**lesson.step=2**", timeout=TIMEOUT)
    page.keyboard.press("ArrowLeft")
    expect(main.get_by_role("heading", name=titles[0])).to_be_visible(timeout=TIMEOUT)
    idle(page)

    # the presenter switch hides the sidebar
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_be_visible()
    main.get_by_text("Presenter view").click()
    expect(sidebar).to_be_hidden(timeout=TIMEOUT)
    page.wait_for_url("**lesson.presenter=true**", timeout=TIMEOUT)
    idle(page)
    if SHOTS:
        page.set_viewport_size({"width": 1280, "height": 720})
        page.screenshot(path=str(Path(SHOTS) / "lesson_presenter.png"))
        page.set_viewport_size({"width": 1500, "height": 1000})
    main.get_by_text("Presenter view").click()
    expect(sidebar).to_be_visible(timeout=TIMEOUT)
    idle(page)

    # the quiz: one right answer, one wrong, the score and the worked reasoning
    page.goto(f"{app_url}/lesson?lesson.view=Shape+quiz&lesson.quiz_seed=3")
    questions = q.make_quiz(3, q.Difficulty.PRESETS)
    answers = main.get_by_label("Your answer")
    expect(answers).to_have_count(len(questions), timeout=TIMEOUT)
    idle(page)
    answers.nth(0).fill(questions[0].answer_text.replace("×", "x"))
    answers.nth(0).press("Enter")
    idle(page)
    main.get_by_role("button", name="Check").nth(0).click()
    expect(main.get_by_text("Right:")).to_be_visible(timeout=TIMEOUT)
    idle(page)
    answers.nth(1).fill("12")
    answers.nth(1).press("Enter")
    idle(page)
    main.get_by_role("button", name="Check").nth(1).click()
    expect(main.get_by_text("Not quite")).to_be_visible(timeout=TIMEOUT)
    expect(main.get_by_text("Score: 1 of 2 answered right")).to_be_visible(timeout=TIMEOUT)
    expect(main.get_by_text(questions[1].explanation)).to_be_visible(timeout=TIMEOUT)
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "lesson_quiz.png"), full_page=True)

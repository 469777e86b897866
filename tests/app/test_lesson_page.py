"""AppTest of the Lesson page: every step forward and back, the URL, the quiz, presenter."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from resnet_viz.analysis import quiz as q
from resnet_viz.arch.presets import from_depth
from resnet_viz.render import lesson
from tests.app import open_page

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "views/lesson.py"


def start(**query: str) -> AppTest:
    return open_page(PAGE, **query)


def test_walk_every_step_forward_and_back() -> None:
    at = start()
    assert not at.exception, at.exception
    titles = [s.title for s in lesson.lesson_steps(from_depth(50))]
    n = len(titles)
    assert at.subheader[0].value == titles[0]
    assert at.button(key="lesson.back").disabled
    for i in range(1, n):
        at.button(key="lesson.next").click().run()
        assert not at.exception, at.exception
        assert at.select_slider(key="lesson.step").value == i + 1
        assert at.subheader[0].value == titles[i]
        assert at.query_params["lesson.step"] == str(i + 1)
    assert at.button(key="lesson.next").disabled
    for i in range(n - 2, -1, -1):
        at.button(key="lesson.back").click().run()
        assert at.subheader[0].value == titles[i]
    assert at.select_slider(key="lesson.step").value == 1


def test_link_to_step_five_uses_the_sidebar_spec() -> None:
    at = start(**{"lesson.step": "5", "arch.depth": "101"})
    assert not at.exception, at.exception
    step = lesson.whole_network(from_depth(101))
    assert at.subheader[0].value == step.title
    assert any("ResNet-101" in m.value for m in at.markdown)


def test_quiz_right_wrong_score_and_explanation() -> None:
    at = start(**{"lesson.view": "Shape quiz", "lesson.quiz_seed": "3"})
    assert not at.exception, at.exception
    questions = q.make_quiz(3, q.Difficulty.PRESETS)
    at.text_input(key="lesson.quiz.answer0").input(questions[0].answer_text).run()
    at.button(key="lesson.quiz.check0").click().run()
    at.text_input(key="lesson.quiz.answer1").input("12").run()
    at.button(key="lesson.quiz.check1").click().run()
    assert at.success[0].value.startswith("Right")
    assert at.error[0].value.startswith("Not quite")
    assert any(t.value == questions[1].explanation for t in at.text)
    assert any("Score: 1 of 2 answered right" in m.value for m in at.markdown)


def test_presenter_switch_is_in_the_url() -> None:
    at = start(**{"lesson.presenter": "true"})
    assert not at.exception, at.exception
    assert at.toggle(key="lesson.presenter").value
    assert not [t for t in at.title if t.value.startswith("Lesson")]  # no page header
    css = [h for h in at.get("html") if 'data-testid="stSidebar"' in h.proto.body]
    assert len(css) == 1 and "display: none" in css[0].proto.body
    at.toggle(key="lesson.presenter").set_value(False).run()
    assert not [h for h in at.get("html") if 'data-testid="stSidebar"' in h.proto.body]
    assert [t for t in at.title if t.value.startswith("Lesson")]


def test_probe_button_fills_the_gradient_steps() -> None:
    at = start(**{"lesson.step": "8"})
    assert not at.exception, at.exception
    assert not at.get("plotly_chart")
    at.button(key="lesson.probe.run").click().run()
    assert not at.exception, at.exception
    assert any("First block vs last block" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) == 1
    assert "lesson.probe.run" not in [b.key for b in at.button]  # the button has gone
    at.button(key="lesson.next").click().run()
    assert any("median block" in m.value for m in at.markdown)


def test_first_step_shows_the_lab_run_or_links_to_the_lab() -> None:
    from resnet_viz.lab.train import Degradation, Kind, NetHistory, TrainConfig
    from resnet_viz.ui import lab

    store = lab._store()
    with store.lock:
        saved = dict(store.items)
        for k in [k for k in saved if k[:1] == ("train",)]:
            store.items.pop(k)
    try:
        at = start()
        assert not at.exception, at.exception
        links = at.get("page_link")
        assert any("Lab page shows this live" in p.proto.label for p in links)
        config = TrainConfig(depths=(8,), epochs=1, seed=9876)
        nets = tuple(NetHistory(8, k, 1, (1.0,), (acc,), (acc,), (), ())
                     for k, acc in ((Kind.PLAIN, 0.5), (Kind.RESIDUAL, 0.75)))
        run = Degradation(config, nets, 1, False, 1.0)
        store.put(("train", config), run)
        at.session_state[lab.MINE] = [config]  # this session's run
        at.run()
        step = lesson.lab_run(run)
        assert step is not None
        shown = "\n".join(m.value for m in at.markdown)
        assert step.text in shown  # the generated sentence, with the measured errors
    finally:
        with store.lock:
            store.items.pop(("train", TrainConfig(depths=(8,), epochs=1, seed=9876)), None)
            store.items.update(saved)

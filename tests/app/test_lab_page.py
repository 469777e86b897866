"""AppTest of the Lab page: a short training run draws curves; Stop keeps a partial run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from streamlit.testing.v1 import AppTest

from resnet_viz.lab.train import TrainConfig, train

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _lab() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("views/lab.py")
    at.run()
    at.multiselect(key="lab.depths").set_value([8, 14])
    at.slider(key="lab.epochs").set_value(2)
    at.select_slider(key="lab.train_size").set_value(64)
    at.number_input(key="lab.seed").set_value(7)  # a key no other test uses: a fresh run
    return at.run()


def _charts(at: AppTest) -> list[object]:
    return list(at.get("plotly_chart"))


def test_train_draws_curves_and_captions() -> None:
    at = _lab()
    assert not at.exception
    assert not _charts(at)  # nothing before Train
    at.button(key="lab.train").click().run()
    assert not at.exception
    assert len(_charts(at)) == 2  # curves and gradient ratio
    text = " ".join(m.value for m in at.markdown)
    assert "plain-14" in text and "residual-14" in text and "training error" in text
    # a rerun shows the cached run without training again
    at.run()
    assert len(_charts(at)) == 2


def test_stop_keeps_the_partial_run() -> None:
    at = _lab()
    config = TrainConfig(depths=(8, 14), epochs=2, train_size=64, seed=7)
    partial = train(TrainConfig(depths=(8, 14), epochs=1, train_size=64, seed=7))
    # what an interrupted run leaves behind: its last epoch, under the page's options
    at.session_state["lab._partial"] = dataclasses.replace(partial, config=config)
    at.button(key="lab.stop").click().run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Stopped after 1 of 2 epochs" in text
    assert len(_charts(at)) == 2


def test_bad_options_show_an_error() -> None:
    at = _lab()
    at.multiselect(key="lab.depths").set_value([]).run()
    assert not at.exception
    assert any("at least one depth" in e.value for e in at.error)

"""AppTests of the memory guard and of bounded, stoppable work (Overview and Gradients)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from resnet_viz.arch import limits
from resnet_viz.probes import gradients
from resnet_viz.probes.gradients import GradientReport, Series
from resnet_viz.ui import probes
from tests.app import open_page

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CIFAR20 = {"arch.family": "cifar", "arch.depth": "20"}


@pytest.fixture(autouse=True)
def _empty_store() -> None:
    probes.clear()  # every test measures (or fakes) its own probe


def start(page: str | None = None, **query: str) -> AppTest:
    return open_page(page, **query)


def texts(elements: object) -> str:
    """The messages as a reader sees them (the page escapes them into plain text)."""
    shown = " ".join(e.value for e in elements)  # type: ignore[attr-defined]
    return re.sub(r"\\(.)", r"\1", shown).replace("\u200b", "")


def test_overview_refuses_a_link_asking_for_125_gib(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    monkeypatch.setattr("resnet_viz.ui.cache.build", lambda *a, **k: built.append(a))
    at = start(**{"arch.depth": "152", "arch.width_per_group": "2048"})
    assert not at.exception, at.exception
    warning = texts(at.warning)
    assert "Live build skipped" in warning and "memory budget" in warning
    assert "width per group 2048 -> " in warning
    assert not built  # refused before anything was allocated
    assert at.metric  # the analysis' numbers are still there


def test_gradients_page_refuses_cifar_1202_at_a_batch_above_the_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[object] = []
    monkeypatch.setattr(gradients, "run_probe", lambda *a, **k: ran.append(a))
    at = start("views/gradients.py", **{"arch.family": "cifar", "arch.depth": "1202",
                                        "grad.batch": "64"})
    assert not at.exception, at.exception
    error = texts(at.error)
    assert "ResNet-1202" in error and "batch 64 -> " in error and "fits" in error
    assert not ran and not at.metric


def test_heavy_probe_waits_for_run_and_shows_its_estimate(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "HEAVY_PROBE_MACS", 1)  # every probe counts as heavy
    at = start("views/gradients.py", **CIFAR20)
    assert not at.exception, at.exception
    assert not at.metric  # nothing ran by itself
    info = texts(at.info)
    assert "is heavy" in info and "multiply-accumulates" in info and "peak memory" in info
    at.button(key="grad.probe_run").click().run()
    assert not at.exception, at.exception
    assert any(m.label == "plain: first / last" for m in at.metric)


def test_stopped_probe_becomes_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def stopped(*_a: object, **_k: object) -> None:
        raise probes.ProbeStopped(1, 3)

    monkeypatch.setattr(gradients, "run_probe", stopped)
    at = start("views/gradients.py", **CIFAR20)
    assert not at.exception, at.exception
    assert "stopped after 1 of 3 steps" in texts(at.info)
    assert not at.metric


def test_device_out_of_memory_offers_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    def oom(*_a: object, **_k: object) -> None:
        raise probes.DeviceOutOfMemory("cuda", "for batch 16 at 32x32")

    monkeypatch.setattr(gradients, "run_probe", oom)
    at = start("views/gradients.py", **CIFAR20)
    assert not at.exception, at.exception
    assert "ran out of memory" in texts(at.error)
    assert at.button(key="grad.use_cpu").label == "Run on the CPU instead"


def test_non_finite_norms_are_no_value_in_the_overlay(monkeypatch: pytest.MonkeyPatch) -> None:
    """CIFAR-1001/1202 overflowed to NaN and crashed the overlay: now grey with a note."""
    real = gradients.run_probe

    def overflowing(*a: object, **k: object) -> GradientReport:
        report = real(*a, **k)  # type: ignore[arg-type]
        bad = Series(tuple((float("nan"), *row[1:]) for row in report.plain.activation_grad
                           .per_seed))
        return dataclasses.replace(report, plain=dataclasses.replace(report.plain,
                                                                     activation_grad=bad))

    monkeypatch.setattr(gradients, "run_probe", overflowing)
    at = start("views/gradients.py", **CIFAR20)
    assert not at.exception, at.exception
    assert "cannot be measured" in texts(at.markdown)
    assert "no finite value" in texts(at.warning) and "layer1.0" in texts(at.warning)


def test_probe_options_come_from_the_url() -> None:
    at = start("views/gradients.py", **CIFAR20, **{
        "grad.batch": "6", "grad.seeds": "2", "grad.bn_mode": "eval", "grad.loss": "sum",
        "grad.metric": "weight_grad", "grad.level": "layer"})
    assert not at.exception, at.exception
    assert at.number_input(key="grad.batch").value == 6
    assert at.slider(key="grad.seeds").value == 2
    assert at.button_group(key="grad.bn_mode").value == "eval"
    assert at.radio(key="grad.metric").value == "weight_grad"
    assert at.radio(key="grad.level").value == "layer"
    assert "batch (6 at 32x32, 2 seeds" in texts(at.caption)


def test_invalid_probe_options_in_the_link_are_reported_not_echoed() -> None:
    at = start("views/gradients.py", **{
        "arch.depth": "18", "grad.batch": "abc", "grad.seeds": "99",
        "grad.bn_mode": "[x](http://192.0.2.77/phish)", "grad.size": "65"})
    assert not at.exception, at.exception
    warnings = texts(at.warning)
    for key in ("grad.batch", "grad.seeds", "grad.bn_mode", "grad.size"):
        assert f"Link value for {key} ignored" in warnings
    assert "192.0.2.77" not in warnings  # the value itself is never shown
    assert at.number_input(key="grad.batch").value == 4  # the defaults are used instead
    assert at.button_group(key="grad.bn_mode").value == "train"

"""Lesson steps: digit-free templates, values that match the analysis, the paper's order."""

from __future__ import annotations

import re
import string

import pytest

from resnet_viz.analysis import analyse
from resnet_viz.arch import paper
from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import Family
from resnet_viz.fmt import fmt_count, fmt_shape
from resnet_viz.probes.gradients import run_probe, summarise
from resnet_viz.render import lesson

SPECS = [from_depth(50), from_depth(18, input_size=(97, 97)), from_depth(56, family=Family.CIFAR),
         from_depth(34, shortcuts=False)]


@pytest.fixture(scope="module")
def report() -> lesson.GradientReport:
    return run_probe(lesson.probe_spec(), lesson.PROBE_CONFIG)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_no_digit_is_typed_into_a_step(spec) -> None:  # type: ignore[no-untyped-def]
    steps = lesson.lesson_steps(spec)
    assert 8 <= len(steps) <= 12
    for step in steps:
        assert not re.search(r"\d", step.template), step.key
        assert not re.search(r"\d", step.title), step.key
        fields = {f for _, f, _, _ in string.Formatter().parse(step.template) if f}
        assert fields == set(step.values), step.key  # every placeholder filled, none spare
        assert step.text


def test_order_follows_the_paper() -> None:
    keys = [s.key for s in lesson.lesson_steps(SPECS[0])]
    assert keys == ["degradation", "residual", "bottleneck", "shortcuts", "network", "cost",
                    "twin", "gradients", "why", "deeper"]


def test_degradation_cites_the_published_table() -> None:
    step = lesson.degradation()
    (_, p_lo, _), (d_hi, p_hi, _) = paper.PLAIN_VS_RESIDUAL
    assert f"plain-{d_hi}" in step.text and f"{p_hi:.2f}%" in step.text
    assert f"{p_lo:.2f}%" in step.text and "published" in step.text
    assert paper.PLAIN_TABLE_SOURCE in step.text


def test_bottleneck_numbers_are_the_convs_params() -> None:
    step = lesson.basic_vs_bottleneck()
    assert step.values["basic"] == f"{2 * 3 * 3 * 256 * 256:,}"
    assert step.values["bneck"] == f"{256 * 64 + 9 * 64 * 64 + 64 * 256:,}"
    assert step.values["kernels"] == "1×1-3×3-1×1" and step.values["first"] == "50"


def test_shortcut_step_matches_the_analysis() -> None:
    spec = from_depth(34)
    step = lesson.shortcut_options(spec)
    a, b, c = (analyse(spec.with_(shortcut=o)) for o in "ABC")
    assert f"B: +{fmt_count(b.params - a.params)} params" in step.text
    assert f"C: +{fmt_count(c.params - a.params)} params" in step.text
    assert f"+{fmt_count(c.macs - a.macs)} MACs" in step.text
    assert "A 25.03%" in step.text and paper.IMAGENET_ERROR_SOURCE in step.text


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_network_and_cost_steps_match_the_analysis(spec) -> None:  # type: ignore[no-untyped-def]
    s224 = lesson.table1_spec(spec)
    an224 = analyse(s224)
    net = lesson.whole_network(spec)
    assert net.values["params"] == fmt_count(an224.params)
    assert net.values["macs"] == fmt_count(an224.macs)
    assert net.values["shape"] == fmt_shape(an224.stage_rows[-1].output_shape)
    assert ("published" in net.text) == (paper.paper_flops(s224) is not None)
    an = analyse(spec)
    cost = lesson.stage_cost(spec, an)
    top = max(an.rows, key=lambda r: r.macs)
    assert cost.values["row_m"] == top.name
    assert cost.values["share_m"] == f"{100 * top.macs / an.macs:.0f}%"
    res = lesson.residual_block(spec, an)
    assert res.values["out"] == fmt_shape(an.blocks[0].out_shape)


def test_going_deeper_reaches_1202_with_published_errors() -> None:
    step = lesson.going_deeper()
    deep = analyse(from_depth(1202, family=Family.CIFAR))
    assert step.values["big"] == "1202"
    assert step.values["p_big"] == fmt_count(deep.params)
    assert step.values["verdict"] == "higher"  # 7.93% against 6.43%, as published
    assert paper.CIFAR_ERROR_SOURCE in step.text


def test_probe_steps_wait_for_the_probe_then_use_it(report) -> None:  # type: ignore[no-untyped-def]
    assert lesson.gradients(None).values["caption"] == ""
    with_probe = lesson.gradients(report)
    assert summarise(report).caption in with_probe.text
    why = lesson.why_it_works(report)
    assert "median block" in why.text
    blocks = sum(lesson.probe_spec().blocks)
    assert why.values["paths"] == f"{2 ** blocks:,}" and why.values["n"] == str(blocks)
    assert not re.search(r"\d", why.template)


def test_plain_configuration_is_said_to_have_no_shortcut() -> None:
    spec = from_depth(34, shortcuts=False)
    assert "no shortcut" in lesson.residual_block(spec, analyse(spec)).text
    assert [str(s.shortcut) for s in lesson.shortcut_specs(spec)] == ["A", "B", "C"]


def _planted(plain_acc: float, resid_acc: float, depths: tuple[int, ...] = (8, 20),
             stopped: bool = False) -> lesson.Degradation:
    from resnet_viz.lab.train import Degradation, Kind, NetHistory, TrainConfig

    def hist(d: int, k: Kind, acc: float) -> NetHistory:
        return NetHistory(d, k, 1, (1.0, 0.5), (0.5, acc), (0.5, acc), (), ())

    nets = tuple(hist(d, k, plain_acc if k is Kind.PLAIN else resid_acc) for d in depths
                 for k in (Kind.PLAIN, Kind.RESIDUAL))
    return Degradation(TrainConfig(depths=depths, epochs=2), nets, 2, stopped, 1.0)


def test_lab_run_step_states_the_measured_errors() -> None:
    step = lesson.lab_run(_planted(0.75, 0.9375))
    assert step is not None
    assert not re.search(r"\d", step.template)
    assert "25.00%" in step.text and "6.25%" in step.text  # 1 - accuracy, measured
    assert "plain-20" in step.text and "residual-20" in step.text
    assert "trained worse, as the paper says" in step.text
    assert "2 epochs" in step.text and "plain-8" in step.text


def test_lab_run_step_says_when_the_paper_is_not_reproduced() -> None:
    step = lesson.lab_run(_planted(0.9375, 0.75, depths=(8,), stopped=True))
    assert step is not None
    assert "does not show the paper's claim" in step.text
    assert "stopped early" in step.text and "plain-8'" not in step.text


def test_lab_run_step_waits_for_a_first_epoch() -> None:
    from resnet_viz.lab.train import Degradation, Kind, NetHistory, TrainConfig

    empty = tuple(NetHistory(8, k, 1, (), (), (), (), ()) for k in (Kind.PLAIN, Kind.RESIDUAL))
    assert lesson.lab_run(Degradation(TrainConfig(depths=(8,)), empty, 0, True, 0.0)) is None

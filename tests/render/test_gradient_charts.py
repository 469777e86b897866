"""Figures of the gradient probe carry the report's numbers in the fixed twin colours."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
import pytest

from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import Family
from resnet_viz.probes import gradients as gr
from resnet_viz.render import gradient_charts as gc
from resnet_viz.render.theme import PLAIN_COLOUR, RESIDUAL_COLOUR


@pytest.fixture(scope="module")
def report() -> gr.GradientReport:
    return gr.probe(from_depth(14, family="cifar"), batch=2, seeds=2)


def _mean_trace(fig: go.Figure, name: str) -> Any:
    return next(t for t in fig.data if t.name == name)


@pytest.mark.parametrize("metric", list(gr.Metric))
def test_profile_figure_has_both_twins_with_bands(report: gr.GradientReport,
                                                  metric: gr.Metric) -> None:
    fig = gc.profile_figure(report, metric=metric)
    assert len(fig.data) == 6  # min, max (filled) and mean for each twin
    for net, colour in (("residual", RESIDUAL_COLOUR), ("plain", PLAIN_COLOUR)):
        series = report.net(net).metric(metric)
        t = _mean_trace(fig, net)
        assert list(t.y) == pytest.approx(list(series.mean))
        assert t.line.color == colour
        assert list(t.customdata) == list(report.residual.blocks)
        hi = next(t for t in fig.data if t.name == f"{net} max")
        assert hi.fill == "tonexty" and list(hi.y) == pytest.approx(list(series.hi))
    assert fig.layout.yaxis.type == "log"
    assert len(fig.layout.shapes) == 3  # one shaded span per stage


def test_profile_figure_per_layer(report: gr.GradientReport) -> None:
    fig = gc.profile_figure(report, metric="weight_grad", level="layer")
    t = _mean_trace(fig, "plain")
    assert len(t.x) == report.spec.depth
    assert list(t.y) == pytest.approx(list(report.plain.layer_weight_grad.mean))


def test_residual_ratio_figure(report: gr.GradientReport) -> None:
    fig = gc.residual_ratio_figure(report)
    bar = fig.data[0]
    series = report.residual.residual_ratio
    assert series is not None
    assert list(bar.x) == list(report.residual.blocks)
    assert list(bar.y) == pytest.approx(list(series.mean))
    assert list(bar.error_y.array) == pytest.approx(
        [h - m for h, m in zip(series.hi, series.mean, strict=True)])
    assert any(s.y0 == 1.0 for s in fig.layout.shapes)


def test_sweep_figure_and_non_finite_values() -> None:
    def ratio(net: gr.Net, values: tuple[float, ...]) -> gr.Ratio:
        return gr.Ratio(net, gr.Metric.ACTIVATION_GRAD, values, 10)

    points = (
        gr.SweepPoint(20, "ResNet-20", 9, ratio(gr.Net.RESIDUAL, (3.0, 5.0)),
                      ratio(gr.Net.PLAIN, (40.0, 90.0))),
        gr.SweepPoint(56, "ResNet-56", 27, ratio(gr.Net.RESIDUAL, (9.0, 11.0)),
                      ratio(gr.Net.PLAIN, (float("inf"), 1e4))),
    )
    sw = gr.Sweep(Family.CIFAR, gr.Metric.ACTIVATION_GRAD, gr.ProbeConfig(seeds=2), points)
    fig = gc.sweep_figure(sw)
    res, pla = _mean_trace(fig, "residual"), _mean_trace(fig, "plain")
    assert list(res.x) == [20, 56]
    assert list(res.y) == pytest.approx([math.sqrt(15.0), math.sqrt(99.0)])
    assert pla.y[0] == pytest.approx(60.0) and pla.y[1] is None  # gap, not a broken axis
    assert res.line.color == RESIDUAL_COLOUR and pla.line.color == PLAIN_COLOUR
    assert fig.layout.yaxis.type == "log"
    assert "cannot be measured at some depth (norms overflow" in gr.sweep_caption(sw)


def test_subtitles_wrap_and_axis_titles_stay_clear(report: gr.GradientReport) -> None:
    """Long subtitles were cut off at the right; the sweep's y title ran into the subtitle."""
    from resnet_viz.render.theme import AXIS_TITLE_CHARS, SUBTITLE_CHARS

    sw = gr.Sweep(Family.CIFAR, gr.Metric.WEIGHT_GRAD, gr.ProbeConfig(seeds=1), (
        gr.SweepPoint(20, "ResNet-20", 9, gr.Ratio(gr.Net.RESIDUAL, gr.Metric.WEIGHT_GRAD,
                                                   (3.0,), 18),
                      gr.Ratio(gr.Net.PLAIN, gr.Metric.WEIGHT_GRAD, (40.0,), 18)),))
    figs = [gc.profile_figure(report), gc.residual_ratio_figure(report), gc.sweep_figure(sw)]
    for fig in figs:
        lines = fig.layout.title.subtitle.text.split("<br>")
        assert len(lines) >= 2 and all(len(x) <= SUBTITLE_CHARS for x in lines)
        assert fig.layout.margin.t >= 70 + 17 * len(lines)  # the plot starts below them
    y_title = figs[-1].layout.yaxis.title.text
    assert "<br>" in y_title and all(len(x) <= len(y_title) // 2 + 4 for x in
                                     y_title.split("<br>"))
    assert max(len(x) for x in y_title.split("<br>")) >= AXIS_TITLE_CHARS // 2
    assert figs[-1].layout.margin.l > figs[0].layout.margin.l  # room for the second line
    note = next(a for a in figs[-1].layout.annotations if a.text == "first = last")
    assert note.y == 0  # log10(1): on the dashed line, not at 10

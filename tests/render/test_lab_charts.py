"""Lab figures from hand-made results: traces, colours, one colour scale."""

from __future__ import annotations

import numpy as np

from resnet_viz.lab.landscape import Landscape
from resnet_viz.lab.paths import PathGradients, path_counts
from resnet_viz.lab.shatter import Shatter
from resnet_viz.lab.train import Degradation, Kind, NetHistory, TrainConfig
from resnet_viz.render import lab_charts
from resnet_viz.render.theme import PLAIN_COLOUR, RESIDUAL_COLOUR


def _run(epochs_done: int = 2) -> Degradation:
    config = TrainConfig(depths=(8, 14), epochs=3)
    nets = tuple(NetHistory(d, k, 100, (2.0, 1.5)[:epochs_done], (0.3, 0.5)[:epochs_done],
                            (0.2, 0.4)[:epochs_done], (1.0, 2.0, float("nan")), (1.0, 1.1, 1.2))
                 for d in (8, 14) for k in (Kind.PLAIN, Kind.RESIDUAL))
    return Degradation(config, nets, epochs_done, False, 1.0)


def test_training_curves_one_trace_per_net_and_curve() -> None:
    fig = lab_charts.training_curves(_run())
    assert len(fig.data) == 4 * 3
    by_name = {t.name: t for t in fig.data if t.showlegend}
    assert set(by_name) == {"plain-8", "residual-8", "plain-14", "residual-14"}
    assert by_name["plain-14"].line.color == PLAIN_COLOUR
    assert by_name["residual-14"].line.color == RESIDUAL_COLOUR
    assert by_name["residual-14"].line.dash == "solid"
    assert by_name["residual-8"].line.dash != "solid"
    assert list(fig.data[0].y) == [2.0, 1.5]


def test_partial_run_draws_what_it_has() -> None:
    fig = lab_charts.training_curves(_run(epochs_done=1))
    assert all(len(t.y) == 1 for t in fig.data)


def test_gradient_ratio_gaps_for_nan() -> None:
    fig = lab_charts.gradient_ratio_chart(_run())
    assert list(fig.data[0].y) == [1.0, 2.0, None]
    assert fig.layout.yaxis.type == "log"


def test_landscape_shares_one_colour_scale() -> None:
    c = np.linspace(-1, 1, 3)
    a = Landscape("plain-14", c, np.full((3, 3), 10.0))
    b = Landscape("residual-14", c, np.array([[1.0, 2, 3], [4, 0.1, 6], [7, 8, 9]]))
    fig = lab_charts.landscape_chart(a, b)
    contours = [t for t in fig.data if t.type == "contour"]
    surfaces = [t for t in fig.data if t.type == "surface"]
    assert len(contours) == len(surfaces) == 2
    lo, hi = np.log10(0.1), np.log10(10.0)
    for t in contours:
        assert (t.zmin, t.zmax) == (lo, hi)
    for t in surfaces:
        assert (t.cmin, t.cmax) == (lo, hi)


def test_paths_and_shatter_charts() -> None:
    counts = path_counts(4)
    init = PathGradients("residual-14, initialisation", counts, np.ones(5), 2)
    trained = PathGradients("residual-14, trained", counts, np.linspace(1, 0.1, 5), 2)
    fig = lab_charts.paths_chart(init, trained)
    assert sum(fig.data[0].y) == 1.0
    assert len(fig.data) == 5
    t = np.linspace(0, 1, 8)
    res = Shatter((8, 14), {"plain": (0.9, 0.8), "plain+BN": (0.5, 0.1),
                            "residual+BN": (0.9, 0.7)},
                  {k: np.sin(t) for k in ("plain", "plain+BN", "residual+BN")},
                  {k: np.ones(3) for k in ("plain", "plain+BN", "residual+BN")}, t)
    fig = lab_charts.shatter_chart(res)
    assert [tr.name for tr in fig.data[::2]] == ["plain", "plain+BN", "residual+BN"]
    assert fig.data[5].line.color == RESIDUAL_COLOUR

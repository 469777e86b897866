"""Landscape, paths and shattering on tiny configurations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom

from resnet_viz.lab import landscape, paths, shatter
from resnet_viz.lab.data import load
from resnet_viz.lab.train import Degradation, Kind


def test_landscape_centre_is_the_trained_loss(tiny_run: Degradation) -> None:
    plain, resid = landscape.compare(tiny_run, images=32, steps=3, span=0.5)
    data = load(tiny_run.config.train_size).subset(32)
    for kind, ls in ((Kind.PLAIN, plain), (Kind.RESIDUAL, resid)):
        model = tiny_run.model(kind, 14)
        assert ls.centre == landscape.loss_of(model, data.x_train, data.y_train)
        assert ls.loss.shape == (3, 3) and np.isfinite(ls.loss).all()
        assert ls.coords[1] == 0.0
    assert plain.label == "plain-14" and resid.label == "residual-14"


def test_landscape_leaves_the_model_alone(tiny_run: Degradation) -> None:
    model = tiny_run.model(Kind.RESIDUAL, 8)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    data = load(32)
    landscape.landscape(model, data.x_train, data.y_train, steps=3)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())
    with pytest.raises(ValueError, match="odd"):
        landscape.landscape(model, data.x_train, data.y_train, steps=4)


def test_directions_are_filter_normalised(tiny_run: Degradation) -> None:
    model = tiny_run.model(Kind.RESIDUAL, 8)
    d1, d2 = landscape.directions(model, seed=3)
    for name, p in model.named_parameters():
        if p.dim() <= 1:
            assert not d1[name].any() and not d2[name].any()
        else:
            want = p.detach().flatten(1).norm(dim=1)
            assert np.allclose(d1[name].flatten(1).norm(dim=1), want, rtol=1e-5)


@pytest.mark.parametrize("n", [0, 1, 5, 27])
def test_path_counts_are_binomial(n: int) -> None:
    counts = paths.path_counts(n)
    assert counts.sum() == 2 ** n
    assert np.allclose(counts / 2 ** n, binom.pmf(np.arange(n + 1), n, 0.5))


def test_path_gradients_tiny(tiny_run: Degradation) -> None:
    init, trained = paths.compare(tiny_run, batch=16, samples=2)
    for pg in (init, trained):
        assert pg.blocks == 6  # depth 14 = 6 basic blocks
        assert np.isfinite(pg.grad).all() and (pg.grad > 0).all()
        assert math.isclose(float(pg.share.sum()), 1.0)
        lo, hi = pg.effective_range
        assert 0 <= lo <= hi <= 6 and pg.share[lo:hi + 1].sum() >= 0.9


def test_routing_one_path_is_exact_for_all_shortcuts() -> None:
    """With every addition routed to the shortcut the gradient skips every branch."""
    model = shatter.make_net("residual+BN", 8)
    data = load(16)
    pg = paths.path_gradients(model, data.x_train, data.y_train, samples=1)
    # the length-0 path: through shortcuts only; with identity shortcuts in stage 1 and
    # projections later, it is nonzero and differs from the all-branch path
    assert pg.grad[0] > 0 and pg.grad[0] != pg.grad[-1]
    with pytest.raises(ValueError, match="residual"):
        paths.path_gradients(shatter.make_net("plain+BN", 8), data.x_train, data.y_train)


def test_shatter_tiny() -> None:
    res = shatter.shatter((8, 14), points=32, max_lag=4)
    assert set(res.lag1) == {"plain", "plain+BN", "residual+BN"}
    for kind, values in res.lag1.items():
        assert len(values) == 2 and all(-1 <= v <= 1 for v in values)
        assert res.traces[kind].shape == (32,) and np.isfinite(res.traces[kind]).all()
        assert res.autocorr[kind][0] == pytest.approx(1.0)
    assert not any(isinstance(m, __import__("torch").nn.BatchNorm2d)
                   for m in shatter.make_net("plain", 8).modules())


def test_autocorrelation_of_white_noise_and_a_ramp() -> None:
    rng = np.random.default_rng(0)
    assert abs(shatter.autocorrelation(rng.normal(size=4000), 1)[1]) < 0.05
    assert shatter.autocorrelation(np.sin(np.linspace(0, 3, 400)), 1)[1] > 0.98

"""The digits split and the degradation run: shapes, finiteness, stopping, the sanity property."""

from __future__ import annotations

import math

import pytest
import torch

from resnet_viz.lab import data
from resnet_viz.lab.captions import degradation_caption, gradient_caption
from resnet_viz.lab.train import Degradation, Kind, TrainConfig, TrainingStopped, spec_for, train
from resnet_viz.model.build import build


def test_digits_split_is_fixed_and_disjoint() -> None:
    d = data.load()
    assert d.x_train.shape == (1347, 1, data.SIDE, data.SIDE)
    assert d.x_test.shape == (450, 1, data.SIDE, data.SIDE)
    assert d.classes == 10
    assert abs(float(d.x_train.mean())) < 1e-4 and abs(float(d.x_train.std()) - 1) < 1e-4
    assert torch.equal(data.load(10).x_train, d.x_train[:10])
    # no held-out image is also a training image
    flat_tr = {tuple(r.tolist()) for r in d.x_train.flatten(1)[:, ::7]}
    assert not any(tuple(r.tolist()) in flat_tr for r in d.x_test.flatten(1)[:, ::7])


def test_bad_config_raises_value_error() -> None:
    with pytest.raises(ValueError, match="6n"):
        TrainConfig(depths=(9,))
    with pytest.raises(ValueError, match="epochs"):
        TrainConfig(epochs=0)
    with pytest.raises(ValueError, match="learning rate"):
        TrainConfig(lr=float("nan"))


def test_plain_and_residual_specs_differ_only_in_shortcuts() -> None:
    p, r = spec_for(20, Kind.PLAIN), spec_for(20, Kind.RESIDUAL)
    assert p.with_(shortcuts=True) == r and not p.shortcuts
    assert r.in_channels == 1 and r.input_size == (16, 16) and r.num_classes == 10


def test_tiny_run_is_well_formed(tiny_run: Degradation) -> None:
    run = tiny_run
    assert [n.label for n in run.nets] == ["plain-8", "residual-8", "plain-14", "residual-14"]
    assert run.epochs_done == 2 and not run.stopped
    steps = 2 * 3  # 96 images in batches of 32, two epochs
    for n in run.nets:
        assert len(n.train_loss) == len(n.train_acc) == len(n.test_acc) == 2
        assert len(n.grad_ratio) == len(n.act_grad_ratio) == steps
        values = [*n.train_loss, *n.train_acc, *n.test_acc, *n.grad_ratio]
        assert all(math.isfinite(v) for v in values)
        assert all(0 <= a <= 1 for a in (*n.train_acc, *n.test_acc))
        assert n.params == sum(p.numel() for p in run.model(n.kind, n.depth).parameters())
    # the trained weights moved away from the seeded initialisation
    start = build(spec_for(8, Kind.RESIDUAL, run.config.width_mult), seed=run.config.seed)
    trained = run.model(Kind.RESIDUAL, 8)
    assert not torch.equal(start.conv1.weight, trained.conv1.weight)
    assert all(not m._forward_hooks for m in trained.modules())  # every hook removed


def test_captions_follow_the_numbers(tiny_run: Degradation) -> None:
    text = degradation_caption(tiny_run)
    p8, p14 = tiny_run.net("plain", 8), tiny_run.net("plain", 14)
    assert f"{100 * p14.final_error:.1f}%" in text and f"{100 * p8.final_error:.1f}%" in text
    worse = "trained worse" if p14.final_error > p8.final_error else "trained better"
    if p14.final_error != p8.final_error:
        assert f"the deeper plain net {worse}" in text
    assert "plain-14" in gradient_caption(tiny_run)


def test_stop_returns_partial_result() -> None:
    seen: list[int] = []

    def stop_after_three(done: int, total: int, message: str) -> None:
        seen.append(done)
        if done == 3:
            raise TrainingStopped

    run = train(TrainConfig(depths=(8,), epochs=3, train_size=64, batch=32),
                progress=stop_after_three)
    assert run.stopped and seen == [1, 2, 3] and run.epochs_done == 0
    assert len(run.net("plain", 8).train_loss) == 1  # plain finished its first epoch
    assert len(run.net("residual", 8).grad_ratio) == 1
    assert "Stopped after 0 of 3 epochs" in degradation_caption(run)


def test_on_epoch_sees_growing_curves() -> None:
    lengths: list[int] = []
    train(TrainConfig(depths=(8,), epochs=2, train_size=32, batch=32),
          on_epoch=lambda r: lengths.append(len(r.nets[0].train_loss)))
    assert lengths == [1, 2]


@pytest.mark.slow
def test_default_run_deep_plain_trains_worse_than_deep_residual() -> None:
    """The sanity property with the default seeds (not pinned numbers)."""
    run = train(TrainConfig())
    deep = run.config.depths[-1]
    assert run.net("plain", deep).final_loss > run.net("residual", deep).final_loss

"""A tiny training run shared by the lab tests (trained once per session)."""

from __future__ import annotations

import pytest

from resnet_viz.lab.train import Degradation, TrainConfig, train

TINY = TrainConfig(depths=(8, 14), epochs=2, train_size=96, batch=32)


@pytest.fixture(scope="session")
def tiny_run() -> Degradation:
    """Plain and residual 8- and 14-layer nets, two epochs on 96 digits."""
    return train(TINY)

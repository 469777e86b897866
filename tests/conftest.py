"""Shared pytest options and fixtures."""

from __future__ import annotations

import pytest

from resnet_viz.analysis import Analysis, analyse
from resnet_viz.arch.presets import from_depth


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/* from the current output instead of comparing")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run should rewrite golden files (``pytest --update-golden``)."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def r50() -> Analysis:
    """ResNet-50's analysis (shared; analyses are immutable)."""
    return analyse(from_depth(50))


@pytest.fixture(scope="session")
def cifar1202() -> Analysis:
    """CIFAR ResNet-1202's analysis."""
    return analyse(from_depth(1202, family="cifar"))

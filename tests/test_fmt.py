"""The shared formatters (resnet_viz.fmt)."""

from __future__ import annotations

import math

import pytest

from resnet_viz import fmt


@pytest.mark.parametrize(("n", "text"), [
    (25_557_032, "25.56 M"), (4_089_184_256, "4.09 G"), (512, "512"), (0, "0"),
    (9_536, "9.54 k"), (999_999, "1.00 M"), (1_000, "1.00 k"),
])
def test_fmt_count(n: float, text: str) -> None:
    assert fmt.fmt_count(n) == text


@pytest.mark.parametrize(("n", "text"), [
    (102_228_128, "97.49 MiB"), (512, "512 B"), (1024, "1.00 KiB"), (3 * 1024**3, "3.00 GiB"),
])
def test_fmt_bytes(n: float, text: str) -> None:
    assert fmt.fmt_bytes(n) == text


def test_shapes() -> None:
    assert fmt.fmt_shape((256, 56, 56)) == "256×56×56"
    assert fmt.fmt_shape((256, 56, 56), "x") == "256x56x56"
    assert fmt.fmt_shape((1000,)) == "1000"
    assert fmt.fmt_spatial((256, 56, 56)) == "56×56" and fmt.fmt_spatial((10,)) == "1×1"


@pytest.mark.parametrize(("x", "text"), [
    (0.52, "0.52"), (9.8, "9.8"), (56.0, "56"), (4210.0, "4,200"), (3.2e7, "3.2e+07"),
    (math.inf, "inf"), (math.nan, "nan")])
def test_fmt_factor(x: float, text: str) -> None:
    assert fmt.fmt_factor(x) == text


def test_fmt_si() -> None:
    assert fmt.fmt_si(25_557_032) == "25.56M" and fmt.fmt_si(2_000) == "2K"
    assert fmt.fmt_si(12) == "12"

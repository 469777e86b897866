"""Fuzzing the probe's options on tiny nets: each draw is a clear ValueError or a report
whose structure matches the net and the options.

Options mix valid values with hostile ones (zero, negative, huge, fractional, wrong
type, unknown words, CUDA on a CPU-only machine). Valid draws run for real on a
3-block CIFAR net at 8x8 (or 5x7), so each takes a few milliseconds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.model.build import build
from resnet_viz.model.hooks import hook_points
from resnet_viz.probes.gradients import ProbeConfig, run_probe
from tests.arch.test_fuzz_spec import assert_clear

TINY = {
    "basic": ResNetSpec(family="cifar", block="basic", blocks=(1, 1, 1), input_size=(8, 8),
                        num_classes=3),
    "bottleneck": ResNetSpec(family="cifar", block="bottleneck", blocks=(1, 1), width_mult=0.25,
                             shortcut="B", input_size=(5, 7), num_classes=2),
}
HOSTILE = (0, -1, 10**6, 2**63, 2.5, "abc", "", None, True, math.nan)


def options(hostile: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Every ProbeConfig field; with ``hostile`` each may also take a hostile value."""

    def mixed(valid: st.SearchStrategy[Any], *bad: Any) -> st.SearchStrategy[Any]:
        return st.one_of(valid, valid, st.sampled_from(bad)) if hostile else valid

    return st.fixed_dictionaries({
        "bn_mode": mixed(st.sampled_from(["train", "eval"]), "TRAIN", "x", None),
        "batch": mixed(st.sampled_from([2, 3, 4, "4", 2.0]), 1, 1025, *HOSTILE),
        "seeds": mixed(st.integers(1, 2), 65, *HOSTILE),
        "first_seed": mixed(st.sampled_from([0, 7, 2**63 - 2]), 2**63 - 1, 10**23, "1e23",
                            *HOSTILE),
        "dtype": mixed(st.sampled_from(["float32", "float64", "bfloat16", torch.float64]),
                       "float16", "int8", "float", None),
        "loss": mixed(st.sampled_from(["ce", "sum"]), "mse", None),
        "input_kind": mixed(st.sampled_from(["normal", "images"]), "noise", None),
        "device": mixed(st.just("cpu"), "auto", "cuda", "cuda:3", "meta", "tpu", "", None),
        "layers": st.booleans(),
    })


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(TINY)),
       st.one_of(options(hostile=False), options(hostile=True)))
def test_every_probe_draw_is_a_clear_error_or_a_consistent_report(
        net: str, kw: dict[str, Any]) -> None:
    spec = TINY[net]
    try:
        config = ProbeConfig(**kw)
    except ValueError as exc:
        assert_clear(exc)
        event("clear ValueError")
        return
    if config.device.startswith("cuda"):  # only on a machine with a GPU
        assert torch.cuda.is_available()
    event(f"probed ({config.dtype}, {config.bn_mode}, {config.input_kind})")
    report = run_probe(spec, config)
    points = hook_points(build(spec, device="meta"))
    assert report.config == config
    for twin in (report.residual, report.plain):
        assert twin.blocks == points.block_names
        assert twin.layers == (points.layer_names if config.layers else ())
        for series in (twin.activation_grad, twin.weight_grad, twin.activation):
            values = series.array()
            assert values.shape == (config.seeds, len(points.block_names))
            assert np.all(values[np.isfinite(values)] >= 0)  # norms
        assert len(twin.loss) == config.seeds
    # the twins share the weights and the batch: their forward inputs agree
    assert np.allclose(report.residual.input_norm.array()[:, 0],
                       report.plain.input_norm.array()[:, 0])

"""The memory budget: estimates against real builds and probes, refusals, suggestions."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from resnet_viz.analysis import budget
from resnet_viz.arch import limits
from resnet_viz.arch.presets import from_depth
from resnet_viz.cli import main
from resnet_viz.model.build import build

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


def test_budget_from_the_environment() -> None:
    assert budget.budget_bytes({}) == limits.MEMORY_BUDGET_MB * MIB
    assert budget.budget_bytes({limits.MEMORY_BUDGET_ENV: " 512 "}) == 512 * MIB
    for bad in ("lots", "-5", "1.5", "0", "99999999"):
        with pytest.raises(ValueError, match=r"MEMORY_BUDGET|memory budget"):
            budget.budget_bytes({limits.MEMORY_BUDGET_ENV: bad})


@pytest.mark.parametrize("dtype, nbytes", [(torch.float32, 4), (torch.float64, 8)])
def test_build_estimate_is_the_models_tensors(dtype: torch.dtype, nbytes: int) -> None:
    spec = from_depth(14, family="cifar")
    model = build(spec, dtype=dtype)
    tensors = sum(t.numel() * t.element_size() for t in model.parameters()) + sum(
        t.numel() * t.element_size() for t in model.buffers() if t.is_floating_point())
    est = budget.build_estimate(spec, nbytes)
    assert est.parts[0][1] == tensors
    cast = 0 if nbytes == 4 else tensors // nbytes * 4  # the float32 copy before the cast
    assert est.total == tensors + cast


def test_probe_estimate_counts_both_twins_and_the_work() -> None:
    spec = from_depth(20, family="cifar")
    one = budget.probe_estimate(spec, batch=8)
    two = budget.probe_estimate(spec, batch=16, seeds=3)
    assert two.macs == 2 * 3 * one.macs  # twice the batch, three seeds
    acts = dict(one.parts)
    assert acts["parameters"] == acts["gradients"] > 0
    assert two.total > one.total  # activations grow with the batch; seeds run one by one
    assert budget.probe_estimate(spec, batch=8, seeds=3).total == one.total


_MEASURE = textwrap.dedent("""
    import ctypes, gc, sys
    import torch
    from resnet_viz.analysis import budget
    from resnet_viz.arch.presets import from_depth
    from resnet_viz.probes import gradients as g
    torch.set_num_threads(1)
    def kib(key):
        return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith(key))
    spec = from_depth(20, family="cifar")
    g.run_probe(spec, g.ProbeConfig(batch=2))  # load kernels and libraries first
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    base = kib("VmRSS:")
    with open("/proc/self/clear_refs", "w") as f:  # restart the high-water mark here
        f.write("5")
    g.run_probe(spec, g.ProbeConfig(batch=64))
    print((kib("VmHWM:") - base) * 1024, budget.probe_estimate(spec, batch=64).total)
""")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists() or sys.platform != "linux",
                    reason="needs Linux /proc to read the peak RSS")
def test_probe_estimate_is_within_a_factor_of_the_measured_peak() -> None:
    """Peak RSS of a real CIFAR-20 probe at batch 64 (measured 0.82 of the estimate)."""
    out = subprocess.run([sys.executable, "-c", _MEASURE], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    measured, estimated = (int(x) for x in out.stdout.split())
    assert 0.5 * estimated < measured < 1.5 * estimated, (measured, estimated)


def test_refusal_states_the_estimate_and_a_batch_that_fits() -> None:
    spec = from_depth(1202, family="cifar")
    limit = 2048 * MIB
    with pytest.raises(budget.OverBudget) as info:
        budget.check_probe(spec, batch=32, budget=limit)
    text = str(info.value)
    assert "ResNet-1202" in text and "memory budget of 2.00 GiB" in text
    assert limits.MEMORY_BUDGET_ENV in text
    m = re.search(r"batch 32 -> (\d+) fits", text)
    assert m, text
    b = int(m.group(1))
    assert budget.probe_estimate(spec, batch=b).total <= limit < budget.probe_estimate(
        spec, batch=2 * b).total  # the largest halving that fits
    assert info.value.estimate.total > limit


def test_refusal_suggests_a_smaller_input_when_no_batch_fits() -> None:
    spec = from_depth(50)
    limit = 400 * MIB  # weights and gradients alone take 195 MiB
    with pytest.raises(budget.OverBudget, match=r"input 224x224 -> (\d+)x\1") as info:
        budget.check_probe(spec, batch=2, input_size=(224, 224), budget=limit)
    side = int(re.search(r"-> (\d+)x", str(info.value)).group(1))  # type: ignore[union-attr]
    assert budget.probe_estimate(spec, batch=2, input_size=(side, side)).total <= limit


def test_build_refusal_suggests_a_narrower_net() -> None:
    spec = from_depth(200).with_(width_per_group=2048)  # the link that filled the server
    with pytest.raises(budget.OverBudget, match=r"width per group 2048 -> (\d+) fits") as info:
        budget.check_build(spec, budget=2048 * MIB)
    w = int(re.search(r"-> (\d+) fits", str(info.value)).group(1))  # type: ignore[union-attr]
    assert budget.build_estimate(spec.with_(width_per_group=w)).total <= 2048 * MIB
    assert budget.check_build(from_depth(152)).total < 300 * MIB  # standard nets fit


def test_cli_refuses_above_the_budget_with_one_line(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(limits.MEMORY_BUDGET_ENV, "64")
    rc = main(["gradients", "--family", "cifar", "--depth", "56", "--batch", "64"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1, err
    assert "batch 64 -> " in err and "memory budget of 64.00 MiB" in err


@pytest.mark.parametrize("error", [torch.OutOfMemoryError, MemoryError])
def test_cli_reports_running_out_of_memory_in_one_line(
        error: type[BaseException], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from resnet_viz.probes import gradients

    def boom(*_a: object, **_k: object) -> None:
        raise error("out of memory")

    monkeypatch.setattr(gradients, "run_probe", boom)
    rc = main(["gradients", "--family", "cifar", "--depth", "8", "--batch", "2"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "out of memory" in err, err

"""The gradient probe against two bare forward + backward passes.

Run ``python bench/gradient_probe.py``. For ResNet-50 @224 (batch 8) and the
CIFAR ResNet-110 @32 (batch 32), both in BN train mode with cross-entropy, it
times on an already-built CPU model and its already-made plain twin

* ``bare``: one forward + backward of each twin, no hooks, nothing read back
  (the least any probe has to do);
* ``probe``: :func:`resnet_viz.probes.gradients.measure_pair` on the same two nets:
  every hook attached, both passes, every norm read back (target <= 1.15x bare);
* ``probe+twin``: the same, also making the plain twin (``plain_twin`` deep-copies
  the module tree), as one call of ``measure_pair(model, x, labels)`` does;
* ``probe+build``: :func:`resnet_viz.probes.gradients.run_probe` with one seed: also
  building and initialising the model and drawing the batch;
* ``blocks-only``: ``probe`` without the per-layer records (``layers=False``, what
  the CLI uses), for scale: the records' cost is one extra read of every recorded
  tensor, so it is memory traffic, and this halves it.

Runs are interleaved (bare, probe, probe+twin, blocks-only, probe+build, bare, ...) so that a
busy machine slows all of them alike; the ratio uses medians and the
minimum-based ratio is printed beside it.

``--cuda`` instead times a ResNet-152 @224 batch 32 probe on CUDA and on the
CPU. Without CUDA it prints that it skips and exits 0. Timings never make the
script fail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.nn import functional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.model.build import ResNet, build, plain_twin
from resnet_viz.probes.gradients import ProbeConfig, make_batch, measure_pair, run_probe

TARGET = 1.15
REPEATS = 5


@dataclass(frozen=True)
class Case:
    """One network, batch and device to time."""

    label: str
    spec: ResNetSpec
    batch: int
    device: str = "cpu"


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def bare_pair(model: ResNet, twin: ResNet, x: torch.Tensor, labels: torch.Tensor) -> None:
    """Forward + backward of both twins with nothing recorded."""
    for net in (model, twin):
        net.zero_grad(set_to_none=True)
        functional.cross_entropy(net(x).float(), labels).backward()


def timed(fns: dict[str, Callable[[], object]], repeats: int, device: str,
          ) -> dict[str, list[float]]:
    """Wall times of each function, interleaved, after one warm-up round."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for rnd in range(repeats + 1):
        for name, fn in fns.items():
            _sync(device)
            t0 = time.perf_counter()
            fn()
            _sync(device)
            if rnd:
                times[name].append(time.perf_counter() - t0)
    return times


def run_case(case: Case, repeats: int, *, full: bool = True) -> dict[str, list[float]]:
    """Time bare vs probe (vs probe+twin, probe+build) for one case."""
    config = ProbeConfig(batch=case.batch, seeds=1, device=case.device)
    model = build(case.spec, seed=0).to(case.device).train()
    twin = plain_twin(model)
    x, labels = make_batch(case.spec, config, seed=0)
    fns: dict[str, Callable[[], object]] = {
        "bare": lambda: bare_pair(model, twin, x, labels),
        "probe": lambda: measure_pair(model, x, labels, twin=twin),
        "probe+twin": lambda: measure_pair(model, x, labels),
        "blocks-only": lambda: measure_pair(model, x, labels, twin=twin, layers=False),
    }
    if full:
        fns["probe+build"] = lambda: run_probe(case.spec, config)
    return timed(fns, repeats, case.device)


def report(case: Case, times: dict[str, list[float]]) -> str:
    """Print one case; return its markdown row."""
    med = {k: statistics.median(v) for k, v in times.items()}
    low = {k: min(v) for k, v in times.items()}
    ratio, ratio_min = med["probe"] / med["bare"], low["probe"] / low["bare"]
    verdict = "met" if ratio <= TARGET else "MISSED"
    print(f"== {case.label} (batch {case.batch}, {case.device})")
    for k in times:
        print(f"  {k:<12} median {med[k]:.3f} s  min {low[k]:.3f} s  "
              f"({', '.join(f'{t:.2f}' for t in times[k])})")
    others = "  ".join(f"{k}/bare {med[k] / med['bare']:.3f}x" for k in med
                       if k not in ("bare", "probe"))
    print(f"  probe/bare   {ratio:.3f}x (min-based {ratio_min:.3f}x; target <= {TARGET}x: "
          f"{verdict})  {others}")
    cells = " | ".join(f"{med[k]:.2f} s" if k in med else "-" for k in COLUMNS)
    return f"| {case.label} | {case.batch} | {cells} | {ratio:.3f}x | {ratio_min:.3f}x |"


COLUMNS = ("bare", "probe", "probe+twin", "blocks-only", "probe+build")
HEADER = ("| network | batch | bare pair | probe | probe + twin | blocks only | probe + build "
          "| probe / bare (median) | (min) |\n|---|---|---|---|---|---|---|---|---|")


def cpu_main(repeats: int) -> None:
    """The two CPU cases."""
    cases = [Case("ResNet-50 @224", from_depth(50), 8),
             Case("CIFAR ResNet-110 @32", from_depth(110, family="cifar"), 32)]
    rows = [report(c, run_case(c, repeats)) for c in cases]
    print("\n" + HEADER)
    print("\n".join(rows))


def cuda_main(repeats: int, cpu_repeats: int) -> None:
    """ResNet-152 @224 batch 32 on CUDA vs the CPU."""
    if not torch.cuda.is_available():
        print("CUDA is not available on this machine: skipping the CUDA timing "
              "(run with --cuda on a GPU machine)")
        return
    spec = from_depth(152)
    print(f"CUDA device: {torch.cuda.get_device_name()}")
    gpu = Case("ResNet-152 @224", spec, 32, "cuda")
    cpu = Case("ResNet-152 @224", spec, 32, "cpu")
    t_gpu = run_case(gpu, repeats)
    row_gpu = report(gpu, t_gpu)
    t_cpu = run_case(cpu, cpu_repeats, full=False)
    row_cpu = report(cpu, t_cpu)
    speedup = statistics.median(t_cpu["probe"]) / statistics.median(t_gpu["probe"])
    print(f"\nprobe CPU / CUDA: {speedup:.1f}x; peak CUDA memory "
          f"{torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")
    print("\n" + HEADER)
    print(row_gpu.replace("@224", "@224 CUDA"))
    print(row_cpu.replace("@224", "@224 CPU"))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; always exits 0 unless the code itself fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--cuda", action="store_true",
                        help="time ResNet-152 @224 batch 32 on CUDA vs the CPU instead")
    parser.add_argument("--cpu-repeats", type=int, default=1,
                        help="repeats of the slow CPU side of --cuda")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads on {os.cpu_count()} "
          f"cores (load average {load}); medians of {args.repeats} interleaved runs after a "
          "warm-up\n")
    if args.cuda:
        cuda_main(args.repeats, args.cpu_repeats)
    else:
        cpu_main(args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Side-by-side: ``analyse(spec)`` against torchinfo and FlopCounterMode.

Run ``python bench/analysis_vs_peers.py``. For ResNet-152 @224 and the CIFAR
ResNet-1202 ([200, 200, 200] basic blocks, option A) @32 it

* checks that the numbers agree: params (analysis, ``sum(p.numel())``,
  torchinfo), conv+linear MACs (analysis vs ``FlopCounterMode`` / 2) and the
  exact relationship to torchinfo's ``total_mult_adds``, which also counts
  BatchNorm (2 per channel) and the fc bias;
* times each tool (median of repeats after a warm-up) on the already-built CPU
  models and prints the ratios against the analysis;
* prints a markdown table for the README.

Exits 1 if any number disagrees (timings never make it fail; missed speed
targets are reported as such).

Options: ``--repeats N`` (default 7) and ``--threads N`` (torch intra-op
threads; default: torch's own choice). The peers run hundreds of tiny ops, and
torch's OpenMP threads slow them down many times over when the cores are busy
with other work, so the header prints the load average; ``--threads 1`` gives
the steadier (and, for the ratios, more conservative) numbers on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode
from torchinfo import summary

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_time

from resnet_viz.analysis import Analysis, analyse
from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import BlockKind, Family, ResNetSpec, Shortcut
from resnet_viz.model.build import build

REPEATS = 7


@dataclass(frozen=True)
class Case:
    """One network to compare, with the speed-up target over torchinfo."""

    label: str
    spec: ResNetSpec
    torchinfo_target: float


@dataclass(frozen=True)
class Result:
    """Measured numbers and median timings (seconds) for one case."""

    case: Case
    params: tuple[int, int, int]  # analysis, numel, torchinfo
    macs: tuple[int, int]  # analysis, FlopCounterMode / 2
    torchinfo_mult_adds: int
    torchinfo_expected: int  # analysis MACs + BN (2 per channel) + fc bias
    t_analysis: float
    t_torchinfo: float
    t_flop_counter: float

    @property
    def agree(self) -> bool:
        """Whether every count matches exactly."""
        return (len(set(self.params)) == 1 and self.macs[0] == self.macs[1]
                and self.torchinfo_mult_adds == self.torchinfo_expected)


def flop_counter_macs(model: torch.nn.Module, x: torch.Tensor) -> int:
    """Conv + linear (+ matmul) MACs of one forward pass."""
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
    return counter.get_total_flops() // 2


def torchinfo_expected(an: Analysis) -> int:
    """torchinfo's mult-adds: weight+bias numel for BN/Linear (per sample) plus conv MACs."""
    bn = sum(r.params for r in an.layers if r.type == "BatchNorm2d")  # 2 per channel
    return an.macs + bn + an.spec.num_classes  # the fc bias


def run_case(case: Case, repeats: int) -> Result:
    """Measure one case."""
    spec = case.spec
    an = analyse(spec)
    model = build(spec, seed=0).eval()
    size = (1, spec.in_channels, *spec.input_size)
    x = torch.randn(size)
    stats = summary(model, input_size=size, verbose=0)
    numel = sum(p.numel() for p in model.parameters())
    fc_macs = flop_counter_macs(model, x)
    return Result(
        case,
        (an.params, numel, int(stats.total_params)),
        (an.macs, fc_macs),
        int(stats.total_mult_adds),
        torchinfo_expected(an),
        median_time(lambda: analyse(spec), repeats),
        median_time(lambda: summary(model, input_size=size, verbose=0), repeats),
        median_time(lambda: flop_counter_macs(model, x), repeats),
    )


def markdown(results: list[Result]) -> str:
    """The README table."""
    lines = [
        "| network | params | MACs (conv+fc) | analyse() | torchinfo.summary | "
        "FlopCounterMode forward | torchinfo / analyse | FlopCounterMode / analyse |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.case.label} | {r.params[0]:,} | {r.macs[0]:,} | {r.t_analysis * 1e3:.2f} ms "
            f"| {r.t_torchinfo * 1e3:.0f} ms | {r.t_flop_counter * 1e3:.0f} ms "
            f"| {r.t_torchinfo / r.t_analysis:.0f}x | {r.t_flop_counter / r.t_analysis:.0f}x |")
    return "\n".join(lines)


def report(r: Result) -> list[str]:
    """Human-readable check lines for one case; returns the failures."""
    a, n, ti = r.params
    print(f"== {r.case.label}")
    print(f"  params      analysis {a:,}  numel {n:,}  torchinfo {ti:,}  "
          f"{'OK' if a == n == ti else 'MISMATCH'}")
    print(f"  MACs        analysis {r.macs[0]:,}  FlopCounterMode/2 {r.macs[1]:,}  "
          f"{'OK' if r.macs[0] == r.macs[1] else 'MISMATCH'}")
    print(f"  torchinfo   total_mult_adds {r.torchinfo_mult_adds:,} = MACs + BN 2/channel + "
          f"fc bias = {r.torchinfo_expected:,}  "
          f"{'OK' if r.torchinfo_mult_adds == r.torchinfo_expected else 'MISMATCH'}")
    ratio = r.t_torchinfo / r.t_analysis
    target = r.case.torchinfo_target
    print(f"  time        analyse {r.t_analysis * 1e3:.2f} ms  "
          f"torchinfo {r.t_torchinfo * 1e3:.1f} ms  "
          f"FlopCounterMode {r.t_flop_counter * 1e3:.1f} ms")
    print(f"  ratios      torchinfo/analyse {ratio:.0f}x (target >= {target:.0f}x: "
          f"{'met' if ratio >= target else 'MISSED'})  "
          f"FlopCounterMode/analyse {r.t_flop_counter / r.t_analysis:.0f}x")
    return [] if r.agree else [r.case.label]


def main(argv: list[str] | None = None) -> int:
    """Run every case; exit status 1 if any number disagrees."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    cases = [
        Case("ResNet-152 @224", from_depth(152), 50),
        Case("CIFAR ResNet-1202 (A) @32",
             ResNetSpec(family=Family.CIFAR, block=BlockKind.BASIC, blocks=(200, 200, 200),
                        shortcut=Shortcut.ZERO_PAD, num_classes=10, input_size=(32, 32)), 100),
    ]
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads on {os.cpu_count()} "
          f"cores (load average {load}), median of {args.repeats} after a warm-up\n")
    results = [run_case(c, args.repeats) for c in cases]
    failures = [f for r in results for f in report(r)]
    print()
    print(markdown(results))
    if failures:
        print(f"\nnumbers disagree for: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

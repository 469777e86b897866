"""First/last gradient ratio against depth, for both twins, with a generated caption."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import BlockKind, Family
from resnet_viz.fmt import fmt_factor
from resnet_viz.probes.gradients.config import Metric, Net, ProbeConfig
from resnet_viz.probes.gradients.report import Ratio, broken_reason, first_last
from resnet_viz.probes.gradients.run import run_probe
from resnet_viz.progress import Progress


@dataclass(frozen=True)
class SweepPoint:
    """First/last ratios of both twins at one depth."""

    depth: int
    name: str
    blocks: int
    residual: Ratio
    plain: Ratio


@dataclass(frozen=True)
class Sweep:
    """First/last ratio against depth."""

    family: Family
    metric: Metric
    config: ProbeConfig
    points: tuple[SweepPoint, ...] = field(default=())


def sweep(depths: Sequence[int], *, family: Family | str = Family.CIFAR,
          block: BlockKind | str | None = None, metric: Metric | str = Metric.ACTIVATION_GRAD,
          config: ProbeConfig | None = None, progress: Progress | None = None) -> Sweep:
    """Probe several depths (each as :func:`resnet_viz.arch.presets.from_depth` builds it).

    Args:
        depths: e.g. ``(20, 56, 110)`` for CIFAR or ``(18, 34, 50, 101, 152)`` for ImageNet.
        family: ``cifar`` or ``imagenet``.
        block: block kind for every depth; ``None`` lets each depth decide.
        metric: which first/last ratio to record.
        config: probe options (``input_size`` reduces ImageNet inputs, e.g. 64).
        progress: called as ``progress(done, total, message)`` after every seed of every depth.

    Raises:
        ValueError: for an empty list, an invalid depth or invalid options.
    """
    if not depths:
        raise ValueError("give at least one depth")
    config = config or ProbeConfig()
    specs = [from_depth(int(d), family=family, block=block) for d in depths]
    total = len(specs) * config.seeds
    points = []
    for i, spec in enumerate(specs):
        def step(done: int, _total: int, msg: str, i: int = i) -> None:
            if progress is not None:
                progress(i * config.seeds + done, total, msg)

        report = run_probe(spec, config, progress=step)
        points.append(SweepPoint(spec.depth, report.spec.name, sum(spec.blocks),
                                 first_last(report, Net.RESIDUAL, metric),
                                 first_last(report, Net.PLAIN, metric)))
    return Sweep(Family(family), Metric(metric), config, tuple(points))


def sweep_caption(sw: Sweep) -> str:
    """How the first/last ratio changes with depth, for both twins (from the numbers)."""
    if len(sw.points) < 2:
        p = sw.points[0]
        return (f"Depth {p.depth}: plain {fmt_factor(p.plain.value)}x, "
                f"residual {fmt_factor(p.residual.value)}x (first/last ratio).")
    a, b = sw.points[0], sw.points[-1]

    def trend(x: Ratio, y: Ratio) -> str:
        if not (x.finite and y.finite):
            why = broken_reason(x if not x.finite else y)
            return f"cannot be measured at some depth ({why})"
        verb = "rises" if y.value > x.value else "falls" if y.value < x.value else "stays"
        return f"{verb} from {fmt_factor(x.value)}x to {fmt_factor(y.value)}x"

    return (f"First/last ratio from depth {a.depth} to {b.depth}: plain "
            f"{trend(a.plain, b.plain)}; residual {trend(a.residual, b.residual)}.")

"""Memory estimates of builds and probes, checked against a budget before anything runs.

A shared server must never run out of memory because one link asked for a
huge network: every build and probe is first estimated from the analysis
(no tensors) and refused above the budget with the estimate and a smaller
configuration that fits. The budget is ``RESNET_VIZ_MEMORY_BUDGET_MB``
(MiB; default :data:`resnet_viz.arch.limits.MEMORY_BUDGET_MB`).

What an estimate counts:

* a build: parameters and BatchNorm buffers in the build dtype, plus the
  float32 copy the build makes before casting to another dtype;
* a probe (residual net + plain twin, run one after the other): parameters,
  their gradients (shared by the twins), the twin's own BatchNorm buffers,
  the activations autograd keeps for the backward pass of one net
  (:func:`resnet_viz.analysis.memory`'s training figure, input included) and
  the gradients alive during the backward pass (as many as the activations
  alive at the forward peak: the inference figure).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from resnet_viz.analysis.layers import Analysis, analyse
from resnet_viz.analysis.memory import memory
from resnet_viz.arch import limits
from resnet_viz.arch.dtypes import dtype_names
from resnet_viz.arch.plan import OpKind
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.fmt import fmt_bytes, fmt_count

MIB = 1024 * 1024
BUILD_DTYPE_BYTES = 4  # build() initialises in float32, then casts
TWINS = 2  # a probe runs the residual net and its plain twin
PASS_FACTOR = 3  # forward + backward ~ 3x the forward's multiply-accumulates
MIN_PROBE_BATCH = 2  # BatchNorm in train mode needs more than one value per channel
SMALLER_SIDES: tuple[int, ...] = (224, 160, 112, 64, 32, 16)


@dataclass(frozen=True)
class Estimate:
    """Estimated peak memory of one piece of work, by part, and its arithmetic."""

    what: str  # e.g. "building ResNet-50" or "the ResNet-50 probe"
    parts: tuple[tuple[str, int], ...]  # (part, bytes)
    macs: int = 0  # multiply-accumulates of the whole work (0 for a build)

    @property
    def total(self) -> int:
        """Peak bytes."""
        return sum(b for _, b in self.parts)

    def describe(self) -> str:
        """``about 3.2 GiB (parameters 98 MiB, activations 3.0 GiB)``."""
        parts = ", ".join(f"{name} {fmt_bytes(b)}" for name, b in self.parts if b)
        return f"about {fmt_bytes(self.total)} ({parts})"

    def seconds(self, macs_per_second: float) -> float:
        """Estimated run time at a measured rate of multiply-accumulates per second."""
        return self.macs / macs_per_second if macs_per_second > 0 else float("inf")


class OverBudget(ValueError):
    """Work refused because its estimate is above the memory budget."""

    def __init__(self, estimate: Estimate, budget: int, suggestion: str) -> None:
        self.estimate, self.budget, self.suggestion = estimate, budget, suggestion
        super().__init__(
            f"{estimate.what} needs {estimate.describe()}, above the memory budget of "
            f"{fmt_bytes(budget)} ({limits.MEMORY_BUDGET_ENV}); {suggestion}")


class DeviceOutOfMemory(ValueError):
    """The device (CUDA) ran out of memory anyway; callers offer the CPU instead."""

    def __init__(self, device: str, what: str) -> None:
        self.device = device
        super().__init__(f"{device} ran out of memory {what}; run it on the CPU instead, "
                         "or choose a smaller batch or input")


def budget_bytes(environ: Mapping[str, str] | None = None) -> int:
    """The budget in bytes from ``RESNET_VIZ_MEMORY_BUDGET_MB`` (MiB) or the default.

    Raises:
        ValueError: for a value that is not a whole number of MiB within the limits.
    """
    env = os.environ if environ is None else environ
    text = env.get(limits.MEMORY_BUDGET_ENV, "").strip()
    if not text:
        return limits.MEMORY_BUDGET_MB * MIB
    if not text.isdigit():
        raise ValueError(f"{limits.MEMORY_BUDGET_ENV} must be a whole number of MiB; "
                         f"got {text!r}")
    limits.MEMORY_BUDGET.check(int(text))
    return int(text) * MIB


def _bn_elements(an: Analysis) -> int:
    """BatchNorm running statistics (buffers): as many elements as BN parameters."""
    return sum(r.params for r in an.layers if r.type == OpKind.BN.value)


def build_estimate(spec: ResNetSpec, dtype_bytes: int = 4,
                   analysis: Analysis | None = None) -> Estimate:
    """Peak memory of building ``spec`` (parameters and buffers, float32 first)."""
    an = analysis if analysis is not None else analyse(spec)
    n = an.params + _bn_elements(an)
    parts = [("parameters and buffers", n * dtype_bytes)]
    if dtype_bytes != BUILD_DTYPE_BYTES:
        parts.append(("float32 copy while casting", n * BUILD_DTYPE_BYTES))
    return Estimate(f"building {spec.name}", tuple(parts))


def probe_spec(spec: ResNetSpec, input_size: tuple[int, int] | None) -> ResNetSpec:
    """The residual net a probe builds: shortcuts on, the probe's input size."""
    changes: dict[str, object] = {"shortcuts": True}
    if input_size is not None:
        changes["input_size"] = tuple(input_size)
    return spec.with_(**changes)


def probe_estimate(spec: ResNetSpec, *, batch: int, dtype_bytes: int = 4,
                   input_size: tuple[int, int] | None = None, seeds: int = 1) -> Estimate:
    """Peak memory and work of a gradient probe (residual net + plain twin)."""
    return _probe_estimate(analyse(probe_spec(spec, input_size)), batch, dtype_bytes, seeds)


def _probe_estimate(an: Analysis, batch: int, dtype_bytes: int, seeds: int) -> Estimate:
    mem = memory(an, batch=batch, dtype_bytes=dtype_bytes)
    h, w = an.spec.input_size
    parts = (("parameters", mem.params), ("gradients", mem.params),
             ("BatchNorm buffers of both twins", TWINS * _bn_elements(an) * dtype_bytes),
             (f"activations at batch {batch}, {h}x{w}, {dtype_names(dtype_bytes)}",
              mem.training),
             ("gradients in flight", mem.inference))
    return Estimate(f"the {an.spec.name} probe", parts,
                    TWINS * PASS_FACTOR * batch * seeds * an.macs)


def sweep_estimate(specs: Sequence[ResNetSpec], *, batch: int, dtype_bytes: int = 4,
                   input_size: tuple[int, int] | None = None, seeds: int = 1) -> Estimate:
    """A sweep probes one depth after the other: the largest peak, the summed work."""
    if not specs:
        raise ValueError("give at least one depth")
    each = [probe_estimate(s, batch=batch, dtype_bytes=dtype_bytes, input_size=input_size,
                           seeds=seeds) for s in specs]
    peak = max(each, key=lambda e: e.total)
    depths = ", ".join(str(s.depth) for s in specs)
    return Estimate(f"the sweep over depths {depths} (largest: {peak.what})", peak.parts,
                    sum(e.macs for e in each))


def check(estimate: Estimate, budget: int | None = None, suggestion: str = "") -> Estimate:
    """Return ``estimate`` if it fits the budget.

    Raises:
        OverBudget: (a ``ValueError``) with the estimate and ``suggestion``.
    """
    limit = budget_bytes() if budget is None else budget
    if estimate.total > limit:
        raise OverBudget(estimate, limit, suggestion or "choose a smaller configuration")
    return estimate


def check_build(spec: ResNetSpec, dtype_bytes: int = 4, budget: int | None = None,
                analysis: Analysis | None = None) -> Estimate:
    """:func:`build_estimate` checked against the budget, suggesting a narrower net.

    Raises:
        OverBudget: above the budget.
    """
    limit = budget_bytes() if budget is None else budget
    est = build_estimate(spec, dtype_bytes, analysis)
    if est.total <= limit:
        return est
    return check(est, limit, _narrower(spec, dtype_bytes, limit))


def _narrower(spec: ResNetSpec, dtype_bytes: int, limit: int) -> str:
    """The first narrower net that fits, as ``width per group 2048 -> 64 fits``."""
    tries: list[tuple[str, float, dict[str, float]]] = []
    w = spec.width_per_group
    while w > 1:
        w //= 2
        tries.append(("width per group", w, {"width_per_group": w}))
    m = spec.width_mult
    while m / 2 >= limits.WIDTH_MULT.lo:
        m /= 2
        tries.append(("width multiplier", m, {"width_mult": m}))
    for what, new, change in tries:
        try:
            smaller = spec.with_(**change)
        except ValueError:  # e.g. a width the groups do not divide
            continue
        if build_estimate(smaller, dtype_bytes).total <= limit:
            old = spec.width_per_group if "width_per_group" in change else spec.width_mult
            return (f"{what} {old:g} -> {new:g} fits "
                    f"({fmt_count(analyse(smaller).params)} parameters)")
    return "choose fewer blocks or a narrower network"


def check_probe(spec: ResNetSpec, *, batch: int, dtype_bytes: int = 4,
                input_size: tuple[int, int] | None = None, seeds: int = 1,
                budget: int | None = None) -> Estimate:
    """:func:`probe_estimate` checked against the budget, suggesting a batch/input that fits.

    Raises:
        OverBudget: above the budget.
    """
    limit = budget_bytes() if budget is None else budget
    est = probe_estimate(spec, batch=batch, dtype_bytes=dtype_bytes, input_size=input_size,
                         seeds=seeds)
    if est.total <= limit:
        return est
    return check(est, limit, smaller_probe(spec, batch=batch, dtype_bytes=dtype_bytes,
                                           input_size=input_size, limit=limit))


def largest_batch(spec: ResNetSpec, *, start: int, dtype_bytes: int = 4,
                  input_size: tuple[int, int] | None = None,
                  budget: int | None = None) -> int | None:
    """``start`` halved until the probe fits the budget (not below 2), or ``None``."""
    limit = budget_bytes() if budget is None else budget
    an = analyse(probe_spec(spec, input_size))
    b = start
    while _probe_estimate(an, b, dtype_bytes, 1).total > limit:
        if b <= MIN_PROBE_BATCH:
            return None
        b = max(MIN_PROBE_BATCH, b // 2)
    return b


def smaller_probe(spec: ResNetSpec, *, batch: int, dtype_bytes: int,
                  input_size: tuple[int, int] | None, limit: int) -> str:
    """The largest smaller batch that fits, else the largest smaller input (then the
    largest batch at it): ``batch 32 -> 4 fits`` or ``input 224x224 -> 64x64 fits``."""
    base = probe_spec(spec, input_size)
    h, w = base.input_size

    def best_batch(an: Analysis, start: int) -> int | None:
        b = start
        while True:
            if _probe_estimate(an, b, dtype_bytes, 1).total <= limit:
                return b
            if b <= MIN_PROBE_BATCH:
                return None
            b = max(MIN_PROBE_BATCH, b // 2)

    if batch > MIN_PROBE_BATCH:
        b = best_batch(analyse(base), max(MIN_PROBE_BATCH, batch // 2))
        if b is not None:
            return f"batch {batch} -> {b} fits"
    side, halves = max(h, w), set()
    while side > SMALLER_SIDES[-1]:
        side //= 2
        halves.add(side)
    for side in sorted({s for s in SMALLER_SIDES if s < max(h, w)} | halves, reverse=True):
        try:
            an = analyse(base.with_(input_size=(side, side)))
        except ValueError:  # too small for this net
            break
        b = best_batch(an, batch)
        if b is not None:
            change = f"input {h}x{w} -> {side}x{side}"
            return f"{change} fits" if b == batch else f"batch {batch} -> {b} and {change} fits"
    return "no smaller batch or input fits; choose a shallower or narrower network"

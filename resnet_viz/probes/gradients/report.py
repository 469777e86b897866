"""Derived numbers and generated captions: first/last ratios, residual ratio, sweeps.

Nothing here states what the measurement "should" show: every caption is
generated from the numbers, including the direction (grows or shrinks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from resnet_viz.arch.names import stage_module, stage_of
from resnet_viz.fmt import fmt_factor
from resnet_viz.probes.gradients.config import Metric, Net
from resnet_viz.probes.gradients.run import GradientReport, geomean

# Wording thresholds for the captions (a choice of words, not a claim about the data):
# a first/last ratio beyond EXPLODE (or below 1/EXPLODE), two orders of magnitude, is
# called exploding (vanishing); in between the caption gives the factor without a label.
EXPLODE = 100.0
LEVEL = 1.1  # within x1.1 either way the gradient "stays level"


@dataclass(frozen=True)
class Ratio:
    """First/last ratio of one metric for one net: value at the first block / at the last."""

    net: Net
    metric: Metric
    per_seed: tuple[float, ...]
    layers: int  # weighted layers between the two blocks

    @property
    def value(self) -> float:
        """Geometric mean over seeds."""
        return float(geomean(np.asarray(self.per_seed, dtype=np.float64)))

    @property
    def lo(self) -> float:
        """Smallest seed."""
        return float(min(self.per_seed))

    @property
    def hi(self) -> float:
        """Largest seed."""
        return float(max(self.per_seed))

    @property
    def per_layer(self) -> float:
        """Growth factor per weighted layer: ``value ** (1 / layers)`` (NaN for one block)."""
        v = self.value
        if self.layers < 1 or not (math.isfinite(v) and v > 0):
            return float("nan")
        return float(v ** (1.0 / self.layers))

    @property
    def finite(self) -> bool:
        """Whether every seed gave a finite, positive ratio."""
        return all(math.isfinite(v) and v > 0 for v in self.per_seed)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers (non-finite values as ``None``)."""
        return {"first_last": _json_float(self.value), "min": _json_float(self.lo),
                "max": _json_float(self.hi), "per_layer": _json_float(self.per_layer),
                "layers": self.layers, "per_seed": [_json_float(v) for v in self.per_seed]}


def _json_float(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def first_last(report: GradientReport, net: Net | str,
               metric: Metric | str = Metric.ACTIVATION_GRAD) -> Ratio:
    """The first/last ratio of ``metric`` for one twin (per seed; see :class:`Ratio`)."""
    metric = Metric(metric)
    a = report.net(net).metric(metric).array()
    with np.errstate(divide="ignore", invalid="ignore"):
        per_seed = a[:, 0] / a[:, -1]
    return Ratio(Net(net), metric, tuple(float(v) for v in per_seed), report.layers_spanned)


@dataclass(frozen=True)
class GradientSummary:
    """The derived numbers the page shows, and the caption generated from them."""

    metric: Metric
    residual: Ratio
    plain: Ratio
    caption: str


def summarise(report: GradientReport,
              metric: Metric | str = Metric.ACTIVATION_GRAD) -> GradientSummary:
    """First/last ratios and per-layer growth for both twins, with a caption."""
    res = first_last(report, Net.RESIDUAL, metric)
    pla = first_last(report, Net.PLAIN, metric)
    return GradientSummary(Metric(metric), res, pla, ratio_caption(res, pla))


_METRIC_WORDS = {
    Metric.ACTIVATION_GRAD: "the gradient at the block outputs",
    Metric.WEIGHT_GRAD: "the weight gradient",
    Metric.ACTIVATION: "the activation norm",
}


def describe_ratio(r: Ratio) -> str:
    """``grows 4,000x from the last block to the first, x1.17 per layer`` (direction measured)."""
    if not r.finite:
        return f"cannot be measured: {broken_reason(r)}; try float64 or a shallower net"
    v = r.value
    band = _band(r)
    per = f", x{r.per_layer:.2f} per layer" if r.layers else ""
    if 1 / LEVEL < v < LEVEL:
        return f"stays level from the last block to the first (x{v:.2f}{per}{band})"
    verb = "grows" if v > 1 else "shrinks"
    return f"{verb} {fmt_factor(_dir(v))}x from the last block to the first{per}{band}"


def broken_reason(r: Ratio) -> str:
    """Why a ratio is not a number: underflow (a norm of 0) or overflow (inf / NaN)."""
    zero = any(v == 0 for v in r.per_seed)
    over = any(not math.isfinite(v) for v in r.per_seed)
    if zero and over:
        return "norms underflow to 0 and overflow to inf/NaN"
    return "a norm underflows to 0" if zero else "norms overflow to inf/NaN"


def _band(r: Ratio) -> str:
    if len(r.per_seed) < 2:
        return ""
    if r.lo >= 1 or r.hi <= 1:  # every seed agrees on the direction
        a, b = sorted((_dir(r.lo), _dir(r.hi)))
        if fmt_factor(a) == fmt_factor(b):  # "seeds 3,700x to 3,700x" says nothing
            return ""
        return f"; seeds {fmt_factor(a)}x to {fmt_factor(b)}x"
    return f"; seeds disagree on the direction: x{fmt_factor(r.lo)} to x{fmt_factor(r.hi)}"


def _dir(v: float) -> float:
    """A ratio as a magnitude ``>= 1`` (shrinking by 50x rather than x0.02)."""
    return v if v >= 1 else 1 / v


def _regime(r: Ratio) -> str:
    if not r.finite:
        return "cannot be measured"
    if r.value > EXPLODE:
        return "explodes toward the input"
    if r.value < 1 / EXPLODE:
        return "vanishes toward the input"
    return f"changes by less than {fmt_factor(EXPLODE)}x"


def _change(r: Ratio) -> str:
    """``grows 4,200x`` / ``shrinks 3.1x`` / ``stays level`` (last block to first)."""
    v = r.value
    if 1 / LEVEL < v < LEVEL:
        return "stays level"
    return f"{'grows' if v > 1 else 'shrinks'} {fmt_factor(_dir(v))}x"


def compare_ratios(res: Ratio, pla: Ratio) -> str:
    """What the shortcuts change, with both numbers and their quotient (finite ratios).

    e.g. ``Toward the input the gradient grows 4,200x without shortcuts and 120x with
    them: shortcuts cut the growth 35-fold.``
    """
    k = pla.value / res.value
    grow_p, grow_r = pla.value >= 1, res.value >= 1
    both = (f"Toward the input it {_change(pla)} without shortcuts and "
            + (f"{fmt_factor(_dir(res.value))}x with them" if grow_p == grow_r
               and _change(res) != "stays level" else f"{_change(res)} with them"))
    if 1 / LEVEL < k < LEVEL:
        tail = f"the shortcuts barely change it (x{k:.2f})"
    elif grow_p and grow_r:
        tail = f"shortcuts {'cut' if k > 1 else 'raise'} the growth {fmt_factor(_dir(k))}-fold"
    elif not grow_p and not grow_r:
        tail = (f"shortcuts {'cut' if k < 1 else 'deepen'} the shrinking "
                f"{fmt_factor(_dir(k))}-fold")
    else:
        tail = (f"the first/last ratio is {fmt_factor(_dir(k))}x "
                f"{'larger' if k >= 1 else 'smaller'} without shortcuts")
    text = f"{both}: {tail}."
    if _regime(pla) != _regime(res):
        text += f" In words: without shortcuts it {_regime(pla)}, with them it {_regime(res)}."
    return text


def ratio_caption(res: Ratio, pla: Ratio) -> str:
    """A caption generated from the two ratios; every word of direction comes from the data."""
    what = _METRIC_WORDS[res.metric]
    text = f"First block vs last block, {what}. plain: {describe_ratio(pla)}; " \
           f"residual: {describe_ratio(res)}."
    if res.finite and pla.finite:
        text += " " + compare_ratios(res, pla)
    return text


def residual_ratio_caption(report: GradientReport) -> str:
    """What ``||F(x)|| / ||shortcut(x)||`` at initialisation says, generated from the numbers."""
    series = report.residual.residual_ratio
    if series is None or not series.per_seed:
        return "No residual ratio was recorded."
    vals = np.asarray(series.mean)
    names = report.residual.blocks
    if not np.all(np.isfinite(vals)):
        return "The residual ratio is not finite in some blocks (overflow); try float64."
    n, small = len(vals), int(np.sum(vals < 1))
    text = (f"At initialisation (BN {report.config.bn_mode} mode) the residual branch F(x) "
            f"has {np.median(vals):.2f} times the norm of the shortcut in the median block "
            f"(from {vals.min():.2f} in {names[int(vals.argmin())]} to {vals.max():.2f} in "
            f"{names[int(vals.argmax())]}). ")
    if small == n:
        text += ("Every branch is smaller than its shortcut, so each block starts close to "
                 "the identity: the shortcuts carry most of the signal and the branches "
                 "add corrections.")
    elif small == 0:
        text += ("Every branch is larger than its shortcut, so no block starts close to "
                 "the identity: the branches dominate each block's output.")
    else:
        text += (f"{small} of {n} branches are smaller than their shortcut (those blocks "
                 f"start close to the identity); in the other {n - small} the branch "
                 "dominates.")
    text += _stage_trends(names, vals)
    return text


def _stage_trends(names: tuple[str, ...], vals: np.ndarray) -> str:
    parts = []
    of = [stage_of(n) for n in names]
    for st in sorted({s for s in of if s is not None}):
        idx = [i for i, s in enumerate(of) if s == st]
        if len(idx) < 2:
            continue
        a, b = vals[idx[0]], vals[idx[-1]]
        verb = "falls" if b < a else "rises" if b > a else "stays"
        parts.append(f"{stage_module(st)} {verb} from {a:.2f} to {b:.2f}")
    return (" Within each stage, first block to last: " + "; ".join(parts) + ".") if parts else ""

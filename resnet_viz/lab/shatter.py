"""Shattered gradients (Balduzzi et al. 2017).

Balduzzi, Frean, Leary, Lewis, Ma and McWilliams, "The Shattered Gradients
Problem: If resnets are the answer, then what is the question?", ICML 2017.
They feed a 1-D line of inputs through a net at initialisation and look at the
gradient along it: in deep plain nets neighbouring inputs get nearly
unrelated gradients (white noise), in residual nets the gradient stays
correlated.

Here the line runs between two held-out digits, ``x(t) = (1 - t) a + t b`` for
``t`` in [0, 1]; the traced gradient is ``d logit_c / dt`` (``c`` is ``b``'s
class). Three kinds of net are built from the lab's spec: plain without
BatchNorm (every BatchNorm replaced by the identity), plain with BatchNorm and
residual with BatchNorm. BatchNorm normalises with statistics of the line's
own inputs, frozen before the gradient is taken, so each point's gradient is
its own. The summary against depth is the lag-1 autocorrelation of the trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import torch
from torch import nn

from resnet_viz.lab.data import load
from resnet_viz.lab.train import Kind, spec_for, torch_threads
from resnet_viz.model.build import ResNet, build
from resnet_viz.progress import Progress


class NetKind(StrEnum):
    """The three nets of the experiment."""

    PLAIN = "plain"
    PLAIN_BN = "plain+BN"
    RESIDUAL_BN = "residual+BN"


def _strip_bn(model: nn.Module) -> None:
    """Replace every BatchNorm by the identity (the spec has no option without it)."""
    for parent in model.modules():
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.BatchNorm2d):
                parent._modules[name] = nn.Identity()


def make_net(kind: NetKind | str, depth: int, width_mult: float = 0.5, seed: int = 0) -> ResNet:
    """One net of the experiment, at initialisation."""
    kind = NetKind(kind)
    spec = spec_for(depth, Kind.RESIDUAL if kind is NetKind.RESIDUAL_BN else Kind.PLAIN,
                    width_mult)
    model = build(spec, seed=seed)
    if kind is NetKind.PLAIN:
        _strip_bn(model)
    return model


def autocorrelation(g: np.ndarray, max_lag: int) -> np.ndarray:
    """Normalised autocorrelation of a mean-removed trace for lags ``0..max_lag``."""
    g = g - g.mean()
    var = float(np.dot(g, g))
    if var == 0:
        return np.full(max_lag + 1, np.nan)
    return np.array([float(np.dot(g[: len(g) - k], g[k:])) / var for k in range(max_lag + 1)])


def line_gradient(model: nn.Module, points: int = 256, pair: tuple[int, int] = (0, 1),
                  ) -> np.ndarray:
    """``d logit_c / dt`` at ``points`` evenly spaced points of the line between two digits."""
    data = load()
    a, b = data.x_test[pair[0]], data.x_test[pair[1]]
    c = int(data.y_test[pair[1]])
    t = torch.linspace(0, 1, points).view(-1, 1, 1, 1).requires_grad_(True)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():  # BatchNorm statistics of the line's inputs, then frozen
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average: after one pass, the batch's statistics
        model.train()
        model((1 - t) * a + t * b)
    model.eval()
    out = model((1 - t) * a + t * b)[:, c].sum()
    (g,) = torch.autograd.grad(out, t)
    return g.detach().double().view(-1).numpy()


@dataclass(frozen=True)
class Shatter:
    """Lag-1 autocorrelation per kind and depth, and the traces of the deepest nets."""

    depths: tuple[int, ...]
    lag1: dict[str, tuple[float, ...]]  # kind -> per depth
    traces: dict[str, np.ndarray]  # kind -> gradient along the line, deepest net
    autocorr: dict[str, np.ndarray]  # kind -> autocorrelation by lag, deepest net
    t: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers."""
        return {"depths": list(self.depths), "lag1": {k: list(v) for k, v in self.lag1.items()},
                "t": self.t.tolist(), "traces": {k: v.tolist() for k, v in self.traces.items()},
                "autocorr": {k: v.tolist() for k, v in self.autocorr.items()}}


def shatter(depths: tuple[int, ...] = (8, 20, 56), *, points: int = 256, width_mult: float = 0.5,
            seed: int = 0, max_lag: int = 20, threads: int | None = 1,
            progress: Progress | None = None) -> Shatter:
    """Build each kind at each depth, trace the gradient along the line, summarise.

    Raises:
        ValueError: for an invalid depth, width or fewer than 8 points.
    """
    if points < 8:
        raise ValueError(f"points must be at least 8; got {points}")
    depths = tuple(sorted(set(depths)))
    if not depths:
        raise ValueError("choose at least one depth")
    lag1: dict[str, list[float]] = {str(k): [] for k in NetKind}
    traces, autocorr = {}, {}
    total, done = len(depths) * len(NetKind), 0
    with torch_threads(threads):
        for depth in depths:
            for kind in NetKind:
                g = line_gradient(make_net(kind, depth, width_mult, seed), points)
                ac = autocorrelation(g, min(max_lag, points - 1))
                lag1[str(kind)].append(float(ac[1]))
                if depth == depths[-1]:
                    traces[str(kind)], autocorr[str(kind)] = g, ac
                done += 1
                if progress is not None:
                    progress(done, total, f"{kind}-{depth}")
    return Shatter(depths, {k: tuple(v) for k, v in lag1.items()}, traces, autocorr,
                   np.linspace(0, 1, points))

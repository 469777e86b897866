"""Residual nets as ensembles of paths (Veit, Wilber and Belongie 2016).

Veit et al., "Residual Networks Behave Like Ensembles of Relatively Shallow
Networks", NeurIPS 2016. Unrolled, a net of ``n`` residual blocks is ``2^n``
paths: at each block a path goes either through the residual branch or along
the shortcut. ``C(n, k)`` paths pass through exactly ``k`` branches, so path
lengths follow Binomial(n, 1/2).

The gradient one path carries is measured by routing the backward pass: one
forward pass builds the graph, then each backward pass lets the gradient
through only the chosen side of every addition (the forward values are
untouched). The norm of the gradient reaching the first block's input is
averaged over randomly sampled paths of each length, and multiplied by the
number of paths of that length: where the total gradient actually comes from.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional

from resnet_viz.lab.data import load
from resnet_viz.lab.train import Degradation, Kind, spec_for, torch_threads
from resnet_viz.model.build import ResNet, build
from resnet_viz.progress import Progress


def path_counts(n: int) -> np.ndarray:
    """``C(n, k)`` for ``k = 0..n``: how many of the ``2^n`` paths pass ``k`` branches.

    Raises:
        ValueError: for a negative ``n``.
    """
    if n < 0:
        raise ValueError(f"the number of blocks must be at least 0; got {n}")
    return np.array([math.comb(n, k) for k in range(n + 1)], dtype=np.float64)


class _Route(torch.autograd.Function):
    """``main + shortcut`` forward; backward sends the gradient to one side only."""

    @staticmethod
    def forward(ctx: Any, main: Tensor, short: Tensor, router: _Router, i: int) -> Tensor:
        ctx.router, ctx.i = router, i
        return main + short

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None]:
        through_branch = ctx.router.branch[ctx.i]
        return (grad if through_branch else None), (None if through_branch else grad), None, None


class _Router:
    """Which side of each addition the next backward pass takes."""

    def __init__(self, n: int) -> None:
        self.branch = [True] * n

    def hook(self, i: int, _m: nn.Module, args: tuple[Tensor, ...], _out: Tensor) -> Tensor:
        return _Route.apply(args[0], args[1], self, i)


@dataclass(frozen=True)
class PathGradients:
    """Per path length ``k = 0..n``: count, mean gradient norm per path, and their product."""

    label: str
    counts: np.ndarray  # C(n, k)
    grad: np.ndarray  # mean ||dL/dx_0|| over the sampled paths of length k
    samples: int  # paths sampled per length (fewer where C(n, k) is smaller)

    @property
    def blocks(self) -> int:
        """n, the number of residual blocks."""
        return len(self.counts) - 1

    @property
    def total(self) -> np.ndarray:
        """``counts * grad``: the gradient all paths of each length carry together."""
        return self.counts * self.grad

    @property
    def share(self) -> np.ndarray:
        """Each length's fraction of the total."""
        t = self.total
        return t / t.sum()

    @property
    def effective_range(self) -> tuple[int, int]:
        """The shortest set of consecutive lengths that carries at least 90% of the total."""
        s = self.share
        best = (0, self.blocks)
        for lo in range(len(s)):
            acc = 0.0
            for hi in range(lo, len(s)):
                acc += s[hi]
                if acc >= 0.9:
                    if hi - lo < best[1] - best[0]:
                        best = (lo, hi)
                    break
        return best

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers."""
        return {"label": self.label, "blocks": self.blocks, "counts": self.counts.tolist(),
                "distribution": (self.counts / 2.0 ** self.blocks).tolist(),
                "grad": self.grad.tolist(), "total": self.total.tolist(),
                "share": self.share.tolist(), "samples": self.samples,
                "effective_range": list(self.effective_range)}


def path_gradients(model: ResNet, x: Tensor, y: Tensor, *, label: str = "", samples: int = 4,
                   seed: int = 0, progress: Progress | None = None) -> PathGradients:
    """Measure the gradient carried by sampled paths of every length.

    The model is deep-copied and run with batch statistics (BatchNorm in train mode),
    so neither its weights nor its running statistics change.

    Args:
        model: a residual net (every block has a shortcut).
        x, y: the batch and labels of the cross-entropy loss.
        label: a name for the chart.
        samples: random paths per length (all of them where there are fewer).
        seed: which paths are sampled.
        progress: called after each length.

    Raises:
        ValueError: for a net without shortcuts or ``samples < 1``.
    """
    if samples < 1:
        raise ValueError(f"samples must be at least 1; got {samples}")
    net = copy.deepcopy(model).train()
    blocks = [b for _, b in net.blocks()]
    if not blocks or not all(b.use_shortcut for b in blocks):
        raise ValueError("paths need a residual net: every block must have a shortcut")
    n = len(blocks)
    router = _Router(n)
    handles = [b.add.register_forward_hook(partial(router.hook, i))  # type: ignore[union-attr]
               for i, b in enumerate(blocks)]
    seen: list[Tensor] = []
    handles.append(blocks[0].register_forward_pre_hook(lambda _m, a: seen.append(a[0])))
    try:
        loss = functional.cross_entropy(net(x).float(), y)
        x0 = seen[0]
        rng = np.random.default_rng(seed)
        counts = path_counts(n)
        grad = np.empty(n + 1)
        for k in range(n + 1):
            norms = []
            for _ in range(int(min(samples, counts[k]))):
                chosen = set(rng.choice(n, size=k, replace=False).tolist())
                router.branch = [i in chosen for i in range(n)]
                (g,) = torch.autograd.grad(loss, x0, retain_graph=True, allow_unused=True)
                norms.append(0.0 if g is None else float(g.norm()))
            grad[k] = float(np.mean(norms))
            if progress is not None:
                progress(k + 1, n + 1, f"paths of length {k}")
    finally:
        for h in handles:
            h.remove()
    return PathGradients(label, counts, grad, samples)


def compare(run: Degradation, *, depth: int | None = None, batch: int = 64, samples: int = 4,
            seed: int = 0, threads: int | None = 1, progress: Progress | None = None,
            ) -> tuple[PathGradients, PathGradients]:
    """Path gradients of a run's residual net at initialisation and after training.

    The initial net is rebuilt from the run's spec and seed (the build is deterministic,
    so it is the very net training started from). Both use the same batch and paths.

    Raises:
        ValueError: if the run has no such depth or the options are invalid.
    """
    depth = run.config.depths[-1] if depth is None else depth
    trained = run.model(Kind.RESIDUAL, depth)
    dev = next(trained.parameters()).device
    initial = build(spec_for(depth, Kind.RESIDUAL, run.config.width_mult), device=dev,
                    seed=run.config.seed)
    data = load(run.config.train_size).subset(batch).to(str(dev))
    out = []
    for s, (name, model) in enumerate((("initialisation", initial), ("trained", trained))):

        def tick(done: int, total: int, message: str, s: int = s, name: str = name) -> None:
            if progress is not None:
                progress(s * total + done, 2 * total, f"{name}: {message}")

        with torch_threads(threads):
            out.append(path_gradients(model, data.x_train, data.y_train,
                                      label=f"residual-{depth}, {name}", samples=samples,
                                      seed=seed, progress=tick))
    return out[0], out[1]

"""Loss landscape: a filter-normalised random 2-D slice (Li et al. 2018).

Li, Xu, Taylor, Studer and Goldstein, "Visualizing the Loss Landscape of
Neural Nets", NeurIPS 2018. Two random directions ``d1``, ``d2`` with the
parameters' shapes are drawn; in each, every filter (a conv's output channel, a
linear layer's output row) is rescaled to the norm of the same filter of the
trained weights, and BatchNorm weights and biases get no component (the paper's
"ignore biasbn" choice). The training loss is then evaluated at
``theta + a * d1 + b * d2`` on a grid; ``a = b = 0`` is the trained net itself.
BatchNorm uses the batch statistics of the evaluated images (see :func:`loss_of`).
The model is never modified: every point runs through ``torch.func.functional_call``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.func import functional_call
from torch.nn import functional

from resnet_viz.lab.data import load
from resnet_viz.lab.train import Degradation, Kind, torch_threads
from resnet_viz.progress import Progress


@dataclass(frozen=True)
class Landscape:
    """The loss on a grid of the slice: ``loss[i, j]`` at ``(coords[j], coords[i])``."""

    label: str
    coords: np.ndarray  # shared by both axes, symmetric about 0 with 0 in the middle
    loss: np.ndarray  # (steps, steps)

    @property
    def centre(self) -> float:
        """The loss at the trained weights (the grid's middle)."""
        c = len(self.coords) // 2
        return float(self.loss[c, c])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers."""
        return {"label": self.label, "coords": self.coords.tolist(),
                "loss": self.loss.tolist(), "centre": self.centre}


def directions(model: nn.Module, seed: int) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """Two filter-normalised random directions (BatchNorm and bias entries are zero)."""
    gen = torch.Generator().manual_seed(seed)
    out: tuple[dict[str, Tensor], dict[str, Tensor]] = ({}, {})
    for name, p in model.named_parameters():
        for d in out:
            if p.dim() <= 1:  # BatchNorm weights and biases, any bias
                d[name] = torch.zeros_like(p)
                continue
            r = torch.randn(p.shape, generator=gen, dtype=p.dtype).to(p.device)
            dims = tuple(range(1, p.dim()))
            scale = (torch.linalg.vector_norm(p.detach(), dim=dims, keepdim=True)
                     / torch.linalg.vector_norm(r, dim=dims, keepdim=True))
            d[name] = r * scale
    return out


def loss_of(model: nn.Module, x: Tensor, y: Tensor,
            params: dict[str, Tensor] | None = None) -> float:
    """Cross-entropy of ``model`` (or of it with ``params`` substituted) on ``x``.

    BatchNorm normalises with the statistics of ``x`` itself, as during training: after
    a few hundred steps the running statistics still lag the weights, and with them the
    loss of a short-trained net can be several times its training loss. The running
    statistics are cloned, so the model's own buffers are never updated.
    """
    state: dict[str, Tensor] = {n: b.clone() for n, b in model.named_buffers()}
    state.update(params if params is not None
                 else {n: p.detach() for n, p in model.named_parameters()})
    was_training = model.training
    model.train()
    try:
        with torch.no_grad():
            logits = functional_call(model, state, (x,))
            return float(functional.cross_entropy(logits.float(), y))
    finally:
        model.train(was_training)


def check_grid(steps: int, span: float) -> None:
    """Validate the grid options.

    Raises:
        ValueError: for an even or too small ``steps`` or a non-positive ``span``.
    """
    if steps < 3 or steps % 2 == 0:
        raise ValueError(f"steps must be odd and at least 3 (the centre is a grid point); "
                         f"got {steps}")
    if not span > 0:
        raise ValueError(f"span must be positive; got {span}")


def landscape(model: nn.Module, x: Tensor, y: Tensor, *, label: str = "", steps: int = 11,
              span: float = 1.0, seed: int = 0, progress: Progress | None = None) -> Landscape:
    """The loss on a ``steps x steps`` grid over ``[-span, span]^2`` of a random slice.

    Args:
        model: the trained net (evaluated in eval mode, never modified).
        x, y: the images and labels the loss is taken over.
        label: a name for the chart.
        steps: grid points per axis (odd, so that the trained weights are a grid point).
        span: how far the grid reaches along each direction (1 = one filter norm).
        seed: the random directions.
        progress: called after each grid row.

    Raises:
        ValueError: for an even or too small ``steps`` or a non-positive ``span``.
    """
    check_grid(steps, span)
    d1, d2 = directions(model, seed)
    theta = {n: p.detach() for n, p in model.named_parameters()}
    coords = np.linspace(-span, span, steps)
    coords[steps // 2] = 0.0
    loss = np.empty((steps, steps))
    for i, b in enumerate(coords):
        for j, a in enumerate(coords):
            params = {n: t + float(a) * d1[n] + float(b) * d2[n] for n, t in theta.items()}
            loss[i, j] = loss_of(model, x, y, params)
        if progress is not None:
            progress(i + 1, steps, f"row {i + 1} of {steps}")
    return Landscape(label, coords, loss)


def compare(run: Degradation, *, depth: int | None = None, images: int = 128, steps: int = 9,
            span: float = 1.0, seed: int = 0, threads: int | None = 1,
            progress: Progress | None = None) -> tuple[Landscape, Landscape]:
    """Plain and residual landscapes of one depth of a run (default: the deepest).

    Both use the same training images and direction seed.

    Raises:
        ValueError: if the run has no such depth or the options are invalid.
    """
    depth = run.config.depths[-1] if depth is None else depth
    out = []
    for k, kind in enumerate((Kind.PLAIN, Kind.RESIDUAL)):
        model = run.model(kind, depth)
        dev = next(model.parameters()).device
        data = load(run.config.train_size).subset(images).to(str(dev))

        def tick(done: int, total: int, message: str, k: int = k, kind: Kind = kind) -> None:
            if progress is not None:
                progress(k * total + done, 2 * total, f"{kind}-{depth}: {message}")

        with torch_threads(threads):
            out.append(landscape(model, data.x_train, data.y_train, label=f"{kind}-{depth}",
                                 steps=steps, span=span, seed=seed, progress=tick))
    return out[0], out[1]

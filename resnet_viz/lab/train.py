"""The degradation experiment: plain and residual CIFAR-style nets trained on digits.

Every net of a run is built from a spec (:func:`spec_for`), seeded, and trained
with the same SGD settings on the same mini-batches in the same order. The nets
advance one epoch each in turn, so live curves grow together. Each step runs
through :class:`resnet_viz.probes.gradients.GradientRecorder` (the gradient
probe's hooks), which records the per-block gradient norms of that very step;
the lab keeps their first/last-block ratio.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import torch
from torch import Tensor, nn

from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import Family, ResNetSpec, Shortcut
from resnet_viz.lab.data import SIDE, Digits, load
from resnet_viz.model.build import ResNet, build
from resnet_viz.model.hooks import hook_points
from resnet_viz.probes.gradients import GradientRecorder, LossKind, resolve_device
from resnet_viz.progress import Progress


class Kind(StrEnum):
    """With or without shortcuts."""

    PLAIN = "plain"
    RESIDUAL = "residual"


class TrainingStopped(Exception):
    """Raise from a progress callback to stop training; the run returns what it has."""


@dataclass(frozen=True)
class TrainConfig:
    """Options of one degradation run (the defaults are the page's default run).

    Attributes:
        depths: CIFAR depths (6n+2), each trained plain and residual.
        width_mult: stage width multiplier (0.5: 8, 16, 32 channels; the stem keeps 16).
        epochs: passes over the training images.
        batch: mini-batch size.
        train_size: training images used (``None``: all 1,347).
        lr, momentum, weight_decay: SGD settings, the same for every net.
        seed: initialisation and batch order (every net sees the same batches).
        device: ``cpu``, ``cuda``, ``cuda:N`` or ``auto``.
        threads: torch intra-op threads while training (``None``: leave torch's setting).
    """

    depths: tuple[int, ...] = (20, 56)
    width_mult: float = 0.5
    epochs: int = 5
    batch: int = 64
    train_size: int | None = 512
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 1e-4
    seed: int = 0
    device: str = "cpu"
    # One thread: these nets run hundreds of tiny ops per step, and extra OpenMP threads
    # slowed them down several times over on this shared 2-core machine (see bench/lab.py).
    threads: int | None = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "depths", tuple(sorted(set(int(d) for d in self.depths))))
        if not self.depths:
            raise ValueError("choose at least one depth")
        for name in ("epochs", "batch", "seed"):
            value = getattr(self, name)
            if value < (0 if name == "seed" else 1):
                raise ValueError(f"{name} must be at least {0 if name == 'seed' else 1}; "
                                 f"got {value}")
        if self.train_size is not None and self.train_size < 1:
            raise ValueError(f"train_size must be at least 1; got {self.train_size}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"learning rate must be a positive number; got {self.lr}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be at least 1; got {self.threads}")
        for d in self.depths:
            spec_for(d, Kind.RESIDUAL, self.width_mult)  # a bad depth or width fails here


def spec_for(depth: int, kind: Kind | str, width_mult: float = 0.5) -> ResNetSpec:
    """The lab's CIFAR-style spec: 1 input channel, 16x16 digits, 10 classes.

    Shortcut option A (zero-padding) where the widths allow it; below width 1 the
    first stage is narrower than the 16-channel stem, so option B (projection where
    the shape changes) is used.

    Raises:
        ValueError: for a depth that is not 6n+2 or an invalid width.
    """
    shortcut = Shortcut.ZERO_PAD if width_mult >= 1 else Shortcut.PROJECT_ON_CHANGE
    return from_depth(depth, family=Family.CIFAR, block="basic", width_mult=width_mult,
                      num_classes=10, in_channels=1, input_size=(SIDE, SIDE),
                      shortcut=shortcut, shortcuts=Kind(kind) is Kind.RESIDUAL)


@dataclass(frozen=True)
class NetHistory:
    """What one net did, per epoch and per step."""

    depth: int
    kind: Kind
    params: int
    train_loss: tuple[float, ...]  # mean cross-entropy over the epoch's mini-batches
    train_acc: tuple[float, ...]  # accuracy on those mini-batches (during the epoch)
    test_acc: tuple[float, ...]  # held-out accuracy after the epoch (eval mode)
    grad_ratio: tuple[float, ...]  # per step: ||dL/dW|| first block / last block
    act_grad_ratio: tuple[float, ...]  # per step: ||dL/d output|| first block / last block

    @property
    def label(self) -> str:
        """e.g. ``plain-56``."""
        return f"{self.kind}-{self.depth}"

    @property
    def final_loss(self) -> float:
        """The last epoch's training loss (NaN before the first epoch ends)."""
        return self.train_loss[-1] if self.train_loss else float("nan")

    @property
    def final_error(self) -> float:
        """The last epoch's training error, 1 - training accuracy (NaN before any epoch)."""
        return 1.0 - self.train_acc[-1] if self.train_acc else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers."""
        return {"label": self.label, "depth": self.depth, "kind": str(self.kind),
                "params": self.params, "train_loss": list(self.train_loss),
                "train_acc": list(self.train_acc), "test_acc": list(self.test_acc),
                "grad_ratio": list(self.grad_ratio),
                "act_grad_ratio": list(self.act_grad_ratio)}


@dataclass(frozen=True)
class Degradation:
    """A (possibly partial) degradation run; ``models`` are the trained nets, in order."""

    config: TrainConfig
    nets: tuple[NetHistory, ...]
    epochs_done: int
    stopped: bool
    seconds: float
    models: tuple[ResNet, ...] = field(default=(), repr=False, compare=False)

    def net(self, kind: Kind | str, depth: int) -> NetHistory:
        """The history of one net.

        Raises:
            ValueError: if the run has no such net.
        """
        for n in self.nets:
            if n.kind is Kind(kind) and n.depth == depth:
                return n
        raise ValueError(f"no {kind}-{depth} net in this run; depths: {self.config.depths}")

    def model(self, kind: Kind | str, depth: int) -> ResNet:
        """The trained model of one net (never modify it: results may be cached)."""
        return self.models[self.nets.index(self.net(kind, depth))]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers (the models are left out)."""
        c = self.config
        return {"config": {"depths": list(c.depths), "width_mult": c.width_mult,
                           "epochs": c.epochs, "batch": c.batch, "train_size": c.train_size,
                           "lr": c.lr, "momentum": c.momentum,
                           "weight_decay": c.weight_decay, "seed": c.seed},
                "epochs_done": self.epochs_done, "stopped": self.stopped,
                "seconds": self.seconds, "nets": [n.to_dict() for n in self.nets]}


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run with ``n`` torch intra-op threads, restoring the previous count after."""
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass
class _Net:
    """One net while it trains."""

    depth: int
    kind: Kind
    model: ResNet
    opt: torch.optim.Optimizer
    recorder: GradientRecorder
    handle: Any = None  # the classifier's forward hook, removed when training ends
    logits: list[Tensor] = field(default_factory=list)
    hist: dict[str, list[float]] = field(default_factory=lambda: {
        k: [] for k in ("train_loss", "train_acc", "test_acc", "grad_ratio", "act_grad_ratio")})

    def snapshot(self) -> NetHistory:
        return NetHistory(self.depth, self.kind, sum(p.numel() for p in self.model.parameters()),
                          **{k: tuple(v) for k, v in self.hist.items()})


def _make_net(depth: int, kind: Kind, config: TrainConfig, device: str) -> _Net:
    model = build(spec_for(depth, kind, config.width_mult), device=device, seed=config.seed)
    opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                          weight_decay=config.weight_decay)
    net = _Net(depth, kind, model, opt, GradientRecorder(model, layers=False))
    fc = hook_points(model).layers[-1][1]  # the classifier: its output is the logits

    def keep(_m: nn.Module, _a: tuple[Tensor, ...], out: Tensor) -> None:
        net.logits.append(out.detach())

    net.handle = fc.register_forward_hook(keep)
    return net


def _ratio(v: Any) -> float:
    first, last = float(v[0]), float(v[-1])
    return first / last if last > 0 else float("nan")


def _epoch(net: _Net, data: Digits, order: Tensor, batch: int,
           tick: Callable[[], None]) -> None:
    net.model.train()
    loss_sum, correct = 0.0, 0
    for i in range(0, len(order), batch):
        idx = order[i:i + batch]
        x, y = data.x_train[idx], data.y_train[idx]
        net.logits.clear()
        sample = net.recorder.run(x, y, LossKind.CE)  # forward + backward, recorded
        net.opt.step()
        loss_sum += sample.loss * len(idx)
        correct += int((net.logits[-1].argmax(1) == y).sum())
        net.hist["grad_ratio"].append(_ratio(sample.weight_grad))
        net.hist["act_grad_ratio"].append(_ratio(sample.activation_grad))
        tick()
    net.recorder.zero_grad()
    n = len(order)
    net.hist["train_loss"].append(loss_sum / n)
    net.hist["train_acc"].append(correct / n)
    net.model.eval()
    with torch.no_grad():
        net.logits.clear()
        pred = net.model(data.x_test).argmax(1)
    net.logits.clear()
    net.hist["test_acc"].append(float((pred == data.y_test).float().mean()))


def train(config: TrainConfig | None = None, *, progress: Progress | None = None,
          on_epoch: Callable[[Degradation], None] | None = None,
          data: Digits | None = None) -> Degradation:
    """Train every depth plain and residual; stop early if ``progress`` raises.

    Args:
        config: the run's options (default: :class:`TrainConfig`'s defaults).
        progress: called after every step as ``progress(done, total, message)``; raising
            :class:`TrainingStopped` from it ends the run, which then returns what it has.
        on_epoch: called with the partial result after each epoch of all nets.
        data: the digits (default: :func:`resnet_viz.lab.data.load` cut to ``train_size``).

    Returns:
        The histories and the trained models (in eval mode).

    Raises:
        ValueError: for an invalid option or device.
    """
    config = config or TrainConfig()
    device = resolve_device(config.device)
    data = (data or load(config.train_size)).to(device)
    t0 = time.perf_counter()
    with torch_threads(config.threads):
        nets = [_make_net(d, k, config, device) for d in config.depths
                for k in (Kind.PLAIN, Kind.RESIDUAL)]
        n = len(data.x_train)
        steps = -(-n // config.batch)
        total, done = config.epochs * len(nets) * steps, 0
        gen = torch.Generator().manual_seed(config.seed)
        epochs_done, stopped = 0, False

        def result() -> Degradation:
            return Degradation(config, tuple(x.snapshot() for x in nets), epochs_done, stopped,
                               time.perf_counter() - t0, tuple(x.model for x in nets))

        try:
            for epoch in range(1, config.epochs + 1):
                order = torch.randperm(n, generator=gen).to(device)  # the same for every net
                for net in nets:
                    message = f"epoch {epoch}/{config.epochs}, {net.kind}-{net.depth}"

                    def tick(message: str = message) -> None:
                        nonlocal done
                        done += 1
                        if progress is not None:
                            progress(done, total, message)

                    _epoch(net, data, order, config.batch, tick)
                epochs_done = epoch
                if on_epoch is not None:
                    on_epoch(result())
        except TrainingStopped:
            stopped = True
        finally:
            for net in nets:
                net.recorder.remove()
                net.handle.remove()
                net.recorder.zero_grad()
                net.model.eval()
    return result()

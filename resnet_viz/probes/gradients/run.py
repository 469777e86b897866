"""Running probes: one configuration (:func:`run_probe`) or a depth sweep (:func:`sweep`).

For each seed the residual net is built once and its plain twin
(:func:`resnet_viz.model.build.plain_twin`) shares every parameter with it;
both run one recorded forward + backward pass on the same batch and labels.
Across seeds, :attr:`Series.mean` is the *geometric* mean (the charts are
log-scale and the ratios multiplicative) and ``lo``/``hi`` the extremes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from resnet_viz.analysis.budget import DeviceOutOfMemory
from resnet_viz.arch.spec import CONVS_PER_BLOCK, ResNetSpec
from resnet_viz.model.build import build
from resnet_viz.model.hooks import hook_points
from resnet_viz.probes.gradients.config import (
    BNMode,
    InputKind,
    LossKind,
    Metric,
    Net,
    ProbeConfig,
)
from resnet_viz.probes.gradients.inputs import make_batch
from resnet_viz.probes.gradients.recorder import NetSample, measure_pair
from resnet_viz.progress import Progress


@dataclass(frozen=True)
class Series:
    """One quantity at every position (block or layer) for every seed."""

    per_seed: tuple[tuple[float, ...], ...]  # [seed][position]

    @classmethod
    def of(cls, rows: Sequence[np.ndarray]) -> Series:
        """From one float array per seed."""
        return cls(tuple(tuple(float(v) for v in row) for row in rows))

    def array(self) -> np.ndarray:
        """``seeds x positions`` float64 array."""
        return np.asarray(self.per_seed, dtype=np.float64)

    @property
    def mean(self) -> tuple[float, ...]:
        """Geometric mean over seeds."""
        return tuple(float(v) for v in geomean(self.array(), axis=0))

    @property
    def lo(self) -> tuple[float, ...]:
        """Minimum over seeds."""
        return tuple(float(v) for v in self.array().min(axis=0))

    @property
    def hi(self) -> tuple[float, ...]:
        """Maximum over seeds."""
        return tuple(float(v) for v in self.array().max(axis=0))


def geomean(a: np.ndarray, axis: int | None = None) -> np.ndarray:
    """Geometric mean (NaN/inf propagate; a zero gives 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.exp(np.mean(np.log(a), axis=axis))


@dataclass(frozen=True)
class NetGradients:
    """All records of one twin. Block series are input to output, like ``blocks``."""

    net: Net
    blocks: tuple[str, ...]
    layers: tuple[str, ...]  # main-path weighted layers (stem conv, block convs, fc)
    weight_grad: Series  # ||dL/dθ|| over each block's main-path params (no projections)
    activation_grad: Series  # ||dL/d(block output)||
    activation: Series  # ||block output||
    input_norm: Series  # ||x|| entering each block
    branch_norm: Series | None  # ||F(x)||, residual net only
    shortcut_norm: Series | None  # ||shortcut(x)||, residual net only
    residual_ratio: Series | None  # ||F(x)|| / ||shortcut(x)||, residual net only
    layer_weight_grad: Series  # ||dL/dW|| of each layer's weight
    layer_activation_grad: Series  # ||dL/d(layer output)||
    layer_activation: Series  # ||layer output||
    loss: tuple[float, ...]  # per seed

    def metric(self, metric: Metric | str, *, level: str = "block") -> Series:
        """A metric's series per ``"block"`` or per ``"layer"``."""
        name = str(Metric(metric))
        if level == "layer":
            name = "layer_" + name
        elif level != "block":
            raise ValueError(f"unknown level {level!r}; choose block or layer")
        series: Series = getattr(self, name)
        if level == "layer" and not self.layers:
            raise ValueError("this probe recorded blocks only (layers=False)")
        return series


def _net_gradients(net: Net, rec_names: tuple[tuple[str, ...], tuple[str, ...]],
                   samples: Sequence[NetSample]) -> NetGradients:
    def s(key: str) -> Series:
        return Series.of([getattr(x, key) for x in samples])

    residual = net is Net.RESIDUAL
    ratio = None
    if residual:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = Series.of([x.branch / x.shortcut for x in samples])
    return NetGradients(
        net, rec_names[0], rec_names[1], s("weight_grad"), s("activation_grad"),
        s("activation"), s("input_norm"), s("branch") if residual else None,
        s("shortcut") if residual else None, ratio, s("layer_weight_grad"),
        s("layer_activation_grad"), s("layer_activation"), tuple(x.loss for x in samples))


@dataclass(frozen=True)
class GradientReport:
    """A probe's result: the residual net and its plain twin on the same weights and batches."""

    spec: ResNetSpec  # the residual net's spec (input size as probed)
    config: ProbeConfig
    residual: NetGradients
    plain: NetGradients

    @property
    def convs_per_block(self) -> int:
        """Weighted layers per block on the main path."""
        return CONVS_PER_BLOCK[self.spec.block]

    @property
    def layers_spanned(self) -> int:
        """Weighted layers between the first block's output and the last block's."""
        return (len(self.residual.blocks) - 1) * self.convs_per_block

    def net(self, net: Net | str) -> NetGradients:
        """The residual or the plain twin's records."""
        return self.residual if Net(net) is Net.RESIDUAL else self.plain




def probe(spec: ResNetSpec, *, bn_mode: BNMode | str = BNMode.TRAIN, batch: int = 16,
          seeds: int = 1, loss: LossKind | str = LossKind.CE, device: str = "cpu",
          dtype: str | torch.dtype = "float32", input_kind: InputKind | str = InputKind.NORMAL,
          input_size: tuple[int, int] | int | None = None, first_seed: int = 0,
          layers: bool = True, progress: Progress | None = None) -> GradientReport:
    """Measure gradients of a ResNet and its plain twin (same weights, same batches).

    Args:
        spec: the architecture; its shortcuts are switched on for the residual net.
        bn_mode: ``train`` (batch statistics) or ``eval`` (running statistics).
        batch: samples per batch.
        seeds: how many independent initialisations (seeds ``first_seed``, ``first_seed+1``, ...);
            each seed also draws its own batch and labels.
        loss: ``ce`` (cross-entropy on random labels) or ``sum`` (sum of the logits).
        device: ``cpu``, ``cuda``, ``cuda:N`` or ``auto``.
        dtype: ``float32``, ``float64``, ``bfloat16`` or ``float16`` (CUDA only).
        input_kind: ``normal`` noise or ``images`` (bundled photographs).
        input_size: overrides the spec's input size, e.g. a reduced ImageNet input.
        first_seed: the first seed.
        layers: also record every weighted layer; ``False`` records blocks only (faster).
        progress: called as ``progress(done, total, message)`` after each seed.

    Raises:
        ValueError: for invalid options, or a network that cannot run on this input.
    """
    # ProbeConfig parses every option itself (strings, torch dtypes, int sizes)
    options: dict[str, Any] = {
        "bn_mode": bn_mode, "batch": batch, "seeds": seeds, "loss": loss, "device": device,
        "dtype": dtype, "input_kind": input_kind, "input_size": input_size,
        "first_seed": first_seed, "layers": layers}
    config = ProbeConfig(**options)
    return run_probe(spec, config, progress=progress)


def run_probe(spec: ResNetSpec, config: ProbeConfig, *,
              progress: Progress | None = None) -> GradientReport:
    """:func:`probe` with the options already validated in a :class:`ProbeConfig`."""
    changes: dict[str, Any] = {"shortcuts": True}
    if config.input_size is not None:
        changes["input_size"] = config.input_size
    spec = spec.with_(**changes)
    res: list[NetSample] = []
    pla: list[NetSample] = []
    names: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    for k, seed in enumerate(config.seed_list):
        try:
            model = build(spec, seed=seed, dtype=config.torch_dtype).to(config.device)
            if k == 0:
                points = hook_points(model)
                names = (points.block_names, points.layer_names if config.layers else ())
            x, labels = make_batch(spec, config, seed)
            r, p = measure_pair(model, x, labels, loss=config.loss, bn_mode=config.bn_mode,
                                layers=config.layers)
        except torch.OutOfMemoryError:
            raise DeviceOutOfMemory(config.device, f"for batch {config.batch} at "
                                    f"{spec.input_size[0]}x{spec.input_size[1]}") from None
        except (RuntimeError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ValueError(f"{spec.name} cannot run on a batch of {config.batch} at "
                             f"{spec.input_size[0]}x{spec.input_size[1]} in BN {config.bn_mode} "
                             f"mode: {first}") from None
        res.append(r)
        pla.append(p)
        if progress is not None:
            progress(k + 1, config.seeds, f"{spec.name}: seed {seed}")
    return GradientReport(spec, config, _net_gradients(Net.RESIDUAL, names, res),
                          _net_gradients(Net.PLAIN, names, pla))



"""Feature maps of one image: conv1 and every stage (every block on request).

Activations are recorded with captum's ``LayerActivation`` (all layers in one
forward pass). For each recorded layer the report keeps the top-k channels by
activation energy (mean of squares over the spatial map) and per-layer
statistics: mean, std and the fraction of exact zeros (after a ReLU, the share
of units that are off). The same image goes through the residual net and its
plain twin (:func:`resnet_viz.model.build.plain_twin`, same weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import torch
from captum.attr import LayerActivation
from torch import Tensor, nn

from resnet_viz.arch.names import stage_module
from resnet_viz.model.build import ResNet, plain_twin

STEM_POINT = "conv1"  # shown as conv1: the stem conv's output after its BN and ReLU
MAX_TOP_K = 64


class Net(StrEnum):
    """Which of the twins."""

    RESIDUAL = "residual"
    PLAIN = "plain"


@dataclass(frozen=True)
class FeatureMap:
    """One layer's output for one image: its top channels and its statistics."""

    name: str  # conv1, layer2 or layer2.1
    shape: tuple[int, int, int]  # C, H, W
    channels: tuple[int, ...]  # top-k channel indices, highest energy first
    energy: tuple[float, ...]  # mean square of each of those channels
    maps: np.ndarray  # k x H x W float32
    mean: float
    std: float
    zero_fraction: float


@dataclass(frozen=True)
class FeatureReport:
    """Every recorded layer of one net for one image, and its output logits."""

    net: Net
    maps: tuple[FeatureMap, ...]
    logits: Tensor  # 1 x classes

    def by_name(self) -> dict[str, FeatureMap]:
        """Maps keyed by layer name."""
        return {m.name: m for m in self.maps}


def feature_points(model: ResNet, *, blocks: bool = False) -> list[tuple[str, nn.Module]]:
    """``(name, module)`` whose outputs are shown: the stem's ReLU (as conv1), then each
    stage, or each block of each stage when ``blocks`` is true."""
    stem = "relu" if "relu" in model._modules else "conv1"
    points: list[tuple[str, nn.Module]] = [(STEM_POINT, model.get_submodule(stem))]
    for i in range(1, len(model.spec.blocks) + 1):
        stage = model.get_submodule(stage_module(i))
        if blocks:
            points.extend((f"{stage_module(i)}.{j}", b) for j, b in enumerate(stage.children()))
        else:
            points.append((stage_module(i), stage))
    return points


def _summarise(name: str, act: Tensor, top_k: int) -> FeatureMap:
    a = act[0].detach().float()
    energy = a.pow(2).mean(dim=(1, 2))
    k = min(top_k, a.shape[0])
    top = torch.topk(energy, k).indices
    return FeatureMap(
        name=name, shape=(a.shape[0], a.shape[1], a.shape[2]),
        channels=tuple(int(i) for i in top), energy=tuple(float(energy[i]) for i in top),
        maps=a[top].cpu().numpy().astype(np.float32), mean=float(a.mean()),
        std=float(a.std(unbiased=False)), zero_fraction=float((a == 0).float().mean()))


def record_features(model: ResNet, x: Tensor, *, top_k: int = 8, blocks: bool = False,
                    net: Net = Net.RESIDUAL) -> FeatureReport:
    """Feature maps of one image through ``model`` (which must be in eval mode).

    Raises:
        ValueError: for a batch other than one image, a model in train mode, or a top-k
            outside 1..MAX_TOP_K.
    """
    if x.dim() != 4 or x.shape[0] != 1:
        raise ValueError(f"feature maps take one image (1×C×H×W); got shape {tuple(x.shape)}")
    if model.training:
        raise ValueError("put the model in eval mode first (BatchNorm must use its running "
                         "statistics for a single image)")
    if not 1 <= top_k <= MAX_TOP_K:
        raise ValueError(f"top-k must be between 1 and {MAX_TOP_K}; got {top_k}")
    points = feature_points(model, blocks=blocks)
    with torch.no_grad():  # the fc's output is the logits: one forward pass for everything
        *acts, logits = LayerActivation(model, [m for _, m in points] + [model.fc]).attribute(x)
    return FeatureReport(net, tuple(_summarise(n, a, top_k)
                                    for (n, _), a in zip(points, acts, strict=True)), logits)


def twin_features(model: ResNet, x: Tensor, *, top_k: int = 8, blocks: bool = False
                  ) -> tuple[FeatureReport, FeatureReport]:
    """The same image through the residual net and its plain twin (same weights)."""
    twin = plain_twin(model).eval()
    return (record_features(model, x, top_k=top_k, blocks=blocks, net=Net.RESIDUAL),
            record_features(twin, x, top_k=top_k, blocks=blocks, net=Net.PLAIN))


def top_predictions(logits: Tensor, classes: tuple[str, ...] | None, k: int = 5
                    ) -> list[tuple[int, str, float]]:
    """``(index, name, probability)`` of the k most likely classes (names when known)."""
    probs = torch.softmax(logits.detach().float()[0], dim=0)
    values, idx = torch.topk(probs, min(k, probs.numel()))
    out = []
    for p, i in zip(values.tolist(), idx.tolist(), strict=True):
        name = classes[i] if classes is not None and i < len(classes) else f"class {i}"
        out.append((int(i), name, float(p)))
    return out

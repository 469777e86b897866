"""Where the network looks: captum's Grad-CAM per stage and Integrated Gradients on the input.

captum does the attribution work: ``LayerGradCam`` (one layer per call, so one
forward+backward per stage), ``LayerAttribution.interpolate`` for upsampling and
``IntegratedGradients`` with ``internal_batch_size`` for batched steps. What
captum lacks is written here: progress and a stop for IG (captum runs all its
batches in one call, so the forward function it calls is wrapped to report
each batch and to let the progress callback raise to stop), and the blurred
baseline (skimage's Gaussian filter). Gradients are taken with
``torch.autograd.grad`` by captum, so no parameter's ``.grad`` is touched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import torch
from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam
from torch import Tensor, nn

from resnet_viz.arch.names import stage_module
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.probes.gradients.inputs import IMAGENET_MEAN, IMAGENET_STD
from resnet_viz.progress import Progress

MAX_IG_STEPS = 512
IG_BATCH = 16  # interpolation steps per forward+backward (captum's internal_batch_size)


class Baseline(StrEnum):
    """The IG baseline: the image it integrates from."""

    BLACK = "black"  # all pixels 0 before normalisation
    MEAN = "mean"  # the ImageNet mean colour (0 after normalisation)
    BLUR = "blur"  # the image, Gaussian-blurred


@dataclass(frozen=True)
class CamMap:
    """Grad-CAM of one layer: its own resolution and upsampled to the input."""

    name: str
    low: np.ndarray  # h x w at the layer's resolution
    up: np.ndarray  # H x W at the input's


@dataclass(frozen=True)
class IgResult:
    """Integrated Gradients on the input for one target class."""

    attributions: np.ndarray  # C x H x W
    heat: np.ndarray  # H x W: absolute attributions summed over channels
    delta: float  # completeness error: sum(attr) - (f(x) - f(baseline))
    steps: int
    baseline: Baseline


def stage_layers(model: nn.Module, spec: ResNetSpec) -> list[tuple[str, nn.Module]]:
    """``(layerN, module)`` for every stage: the layers Grad-CAM is shown for."""
    return [(stage_module(i), model.get_submodule(stage_module(i)))
            for i in range(1, len(spec.blocks) + 1)]


def _check(model: nn.Module, x: Tensor) -> None:
    if x.dim() != 4 or x.shape[0] != 1:
        raise ValueError(f"attributions take one image (1×C×H×W); got shape {tuple(x.shape)}")
    if model.training:
        raise ValueError("put the model in eval mode first (BatchNorm must use its running "
                         "statistics for a single image)")


def grad_cam(model: nn.Module, x: Tensor, layers: Sequence[tuple[str, nn.Module]],
             target: int, *, progress: Progress | None = None) -> list[CamMap]:
    """captum's ``LayerGradCam`` for each layer, ReLU'd and bilinearly upsampled to the input.

    Raises:
        ValueError: for a batch other than one image or a model in train mode.
    """
    _check(model, x)
    out = []
    for k, (name, layer) in enumerate(layers):
        cam = LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=True)
        up = LayerAttribution.interpolate(cam, tuple(x.shape[-2:]), "bilinear")
        out.append(CamMap(name, cam[0, 0].detach().cpu().numpy(),
                          up[0, 0].detach().cpu().numpy()))
        if progress is not None:
            progress(k + 1, len(layers), f"Grad-CAM {name}")
    return out


def baseline_for(x: Tensor, kind: Baseline | str) -> Tensor:
    """The baseline image, in the network's normalised space."""
    kind = Baseline(kind)
    if kind is Baseline.MEAN:
        return torch.zeros_like(x)
    if kind is Baseline.BLACK:
        c = x.shape[1]
        mean = torch.tensor(IMAGENET_MEAN if c == 3 else (sum(IMAGENET_MEAN) / 3,))
        std = torch.tensor(IMAGENET_STD if c == 3 else (sum(IMAGENET_STD) / 3,))
        return ((0 - mean) / std).view(1, c, 1, 1).expand_as(x).clone().to(x)
    from skimage.filters import gaussian  # the blur is a library's, not hand-written

    sigma = max(x.shape[-2:]) / 32
    arr = gaussian(x[0].detach().cpu().numpy(), sigma=sigma, channel_axis=0)
    return torch.from_numpy(np.asarray(arr, dtype=np.float32))[None].to(x)


def integrated_gradients(model: nn.Module, x: Tensor, target: int, *, steps: int = 32,
                         baseline: Baseline | str = Baseline.BLACK,
                         batch: int = IG_BATCH, progress: Progress | None = None) -> IgResult:
    """captum's ``IntegratedGradients`` on the input, batched, with progress.

    Args:
        model: in eval mode.
        x: one image, normalised.
        target: the class index.
        steps: interpolation steps (captum's ``n_steps``).
        baseline: where the path starts.
        batch: steps per forward+backward (captum's ``internal_batch_size``).
        progress: called after each internal batch; it may raise to stop the run.

    Raises:
        ValueError: for a bad image, model mode, steps or batch.
    """
    _check(model, x)
    if not 2 <= steps <= MAX_IG_STEPS:
        raise ValueError(f"IG steps must be between 2 and {MAX_IG_STEPS}; got {steps}")
    if batch < 1:
        raise ValueError(f"IG batch must be at least 1; got {batch}")
    total = math.ceil(steps / batch)
    done = 0

    def forward(inp: Tensor) -> Tensor:
        # captum calls this once per internal batch of the path (and for the delta check)
        nonlocal done
        out = model(inp)
        if inp.requires_grad and done < total:
            done += 1
            if progress is not None:
                progress(done, total, f"Integrated Gradients: {min(done * batch, steps)} "
                                      f"of {steps} steps")
        return out

    base = baseline_for(x, baseline)
    attr, delta = IntegratedGradients(forward).attribute(
        x, baselines=base, target=target, n_steps=steps, internal_batch_size=batch,
        return_convergence_delta=True)
    a = attr[0].detach().cpu().numpy()
    return IgResult(a, np.abs(a).sum(0), float(delta.abs().max()), steps, Baseline(baseline))

"""The probe's input batches: normal noise or random crops of bundled photographs."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional

from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.probes.gradients.config import InputKind, ProbeConfig

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_LUMA = (0.299, 0.587, 0.114)
IMAGE_NAMES = ("astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry",
               "hubble_deep_field")


@lru_cache(maxsize=1)
def _photos() -> tuple[Tensor, ...]:
    from skimage import data  # bundled in the wheel; imported only when images are asked for

    return tuple(torch.from_numpy(np.ascontiguousarray(getattr(data, n)()[..., :3]))
                 .permute(2, 0, 1).float().div(255.0) for n in IMAGE_NAMES)


def image_batch(batch: int, size: tuple[int, int], *, channels: int = 3,
                generator: torch.Generator | None = None) -> Tensor:
    """A batch of random crops (random scale, position and flip) of the bundled photographs.

    Resized with antialiasing to ``size`` and normalised with the ImageNet mean and std
    (grey for one channel).

    Raises:
        ValueError: for a channel count other than 1 or 3.
    """
    if channels not in (1, 3):
        raise ValueError(f"real images have 1 or 3 channels; the spec has {channels}")
    photos = _photos()
    h, w = size
    out = torch.empty(batch, 3, h, w)
    r = torch.rand(batch, 4, generator=generator)
    for i in range(batch):
        img = photos[i % len(photos)]
        ih, iw = img.shape[1:]
        # largest crop of the target aspect ratio, scaled by 0.5..1
        scale = 0.5 + 0.5 * float(r[i, 0])
        ch = max(1, min(ih, round(min(ih, iw * h / w) * scale)))
        cw = max(1, min(iw, round(ch * w / h)))
        top = int(float(r[i, 1]) * (ih - ch + 1))
        left = int(float(r[i, 2]) * (iw - cw + 1))
        crop = img[:, top:top + ch, left:left + cw]
        if float(r[i, 3]) < 0.5:
            crop = crop.flip(-1)
        out[i] = functional.interpolate(crop[None], size=(h, w), mode="bilinear",
                                        antialias=True, align_corners=False)[0]
    if channels == 1:
        grey = (out * torch.tensor(_LUMA).view(1, 3, 1, 1)).sum(1, keepdim=True)
        return (grey - sum(IMAGENET_MEAN) / 3) / (sum(IMAGENET_STD) / 3)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (out - mean) / std


def make_batch(spec: ResNetSpec, config: ProbeConfig, seed: int) -> tuple[Tensor, Tensor]:
    """The probe's input and random labels for one seed (generated on the CPU, then moved)."""
    gen = torch.Generator().manual_seed(seed)
    h, w = spec.input_size
    if config.input_kind is InputKind.IMAGES:
        x = image_batch(config.batch, (h, w), channels=spec.in_channels, generator=gen)
    else:
        x = torch.randn(config.batch, spec.in_channels, h, w, generator=gen)
    labels = torch.randint(spec.num_classes, (config.batch,), generator=gen)
    return (x.to(config.device, config.torch_dtype), labels.to(config.device))



"""One real image for the network: a bundled sample or an upload, preprocessed step by step.

The preprocessing is torchvision's standard ImageNet evaluation transform:
resize the short side (256 for a 224 crop, the same ratio for other sizes),
centre-crop to the spec's input size, scale to [0, 1] and normalise with the
ImageNet mean and std. Uploads are validated by decoding them with PIL (never
by their extension) and bounded in bytes and pixels before decoding.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import Tensor

from resnet_viz.arch.limits import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS
from resnet_viz.probes.gradients.inputs import IMAGE_NAMES, IMAGENET_MEAN, IMAGENET_STD

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP")
RESIZE_RATIO = 256 / 224  # torchvision's evaluation resize for a 224 crop


@dataclass(frozen=True)
class Preprocessed:
    """An image at every preprocessing step, and the network's input."""

    name: str
    original: np.ndarray  # H x W x 3 uint8
    resized: np.ndarray  # short side = resize
    cropped: np.ndarray  # the spec's input size
    tensor: Tensor  # 1 x C x H x W, normalised
    resize: int

    def steps(self) -> list[str]:
        """Each step in words, with the sizes computed from this image."""
        oh, ow = self.original.shape[:2]
        rh, rw = self.resized.shape[:2]
        ch, cw = self.cropped.shape[:2]
        c = self.tensor.shape[1]
        return [
            f"original: {ow}×{oh} pixels",
            f"resize the short side to {self.resize}: {rw}×{rh} (bilinear, antialiased)",
            f"centre crop: {cw}×{ch}",
            "scale to [0, 1], subtract the ImageNet mean "
            f"{tuple(round(m, 3) for m in IMAGENET_MEAN)} and divide by the std "
            f"{tuple(round(s, 3) for s in IMAGENET_STD)}"
            + (" (averaged over RGB for one channel)" if c == 1 else ""),
            f"network input: {c}×{ch}×{cw}",
        ]


def sample_names() -> tuple[str, ...]:
    """The bundled photographs (scikit-image's data), the same as the gradient probe's."""
    return IMAGE_NAMES


def sample_image(name: str) -> np.ndarray:
    """A bundled photograph as H x W x 3 uint8.

    Raises:
        ValueError: for a name that is not bundled.
    """
    if name not in IMAGE_NAMES:
        raise ValueError(f"unknown sample image {name!r}; choose one of: {', '.join(IMAGE_NAMES)}")
    from skimage import data  # bundled in the wheel; imported only when an image is asked for

    img = np.asarray(getattr(data, name)())
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return np.ascontiguousarray(img[..., :3]).astype(np.uint8)


def decode_upload(data: bytes, *, name: str = "upload") -> np.ndarray:
    """Decode an uploaded PNG/JPEG/WebP into H x W x 3 uint8, refusing anything else.

    Raises:
        ValueError: for a file over the byte limit, one PIL cannot decode, another format,
            or one over the pixel limit (checked from the header, before decoding).
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"{name} is {len(data):,} bytes, over the limit of "
                         f"{MAX_IMAGE_BYTES:,} bytes for an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format not in ALLOWED_FORMATS:
                raise ValueError(f"{name} is a {img.format or 'unknown'} image; upload a PNG, "
                                 "JPEG or WebP")
            w, h = img.size
            if w * h > MAX_IMAGE_PIXELS:
                raise ValueError(f"{name} is {w}×{h} = {w * h:,} pixels, over the limit of "
                                 f"{MAX_IMAGE_PIXELS:,}")
            img.load()
            rgb = img.convert("RGB")
    except ValueError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(f"{name} was refused as a decompression bomb: {exc}") from None
    except Exception as exc:  # PIL raises many types for bad data (OSError, SyntaxError, ...)
        raise ValueError(f"{name} is not a readable PNG, JPEG or WebP image ({exc})") from None
    return np.asarray(rgb, dtype=np.uint8)


def preprocess(image: np.ndarray, size: tuple[int, int], *, channels: int = 3,
               name: str = "image") -> Preprocessed:
    """Resize, centre-crop, normalise: torchvision's ImageNet evaluation transform.

    Args:
        image: H x W x 3 uint8.
        size: the network's ``(height, width)``.
        channels: the spec's input channels (1 averages RGB to grey; 3 keeps colour).
        name: shown in the steps and the figures.

    Raises:
        ValueError: for a channel count other than 1 or 3.
    """
    if channels not in (1, 3):
        raise ValueError(f"real images have 1 or 3 channels; the spec has {channels}")
    h, w = size
    resize = round(max(h, w) * RESIZE_RATIO)
    pil = Image.fromarray(image)
    scale = resize / min(pil.size)
    new = (max(w, round(pil.size[0] * scale)), max(h, round(pil.size[1] * scale)))
    resized = pil.resize(new, Image.Resampling.BILINEAR, reducing_gap=None)
    left, top = (new[0] - w) // 2, (new[1] - h) // 2
    cropped = resized.crop((left, top, left + w, top + h))
    arr = np.asarray(cropped, dtype=np.uint8)
    x = torch.from_numpy(arr.copy()).permute(2, 0, 1).float().div(255.0)
    mean = torch.tensor(IMAGENET_MEAN).view(3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(3, 1, 1)
    grey = channels == 1
    x = (x.mean(0, keepdim=True) - mean.mean()) / std.mean() if grey else (x - mean) / std
    return Preprocessed(name, image, np.asarray(resized, dtype=np.uint8), arr, x[None], resize)

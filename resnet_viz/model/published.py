"""torchvision's published ImageNet weights, fetched only when the user asks.

The file is taken from the local torch hub cache (``torch.hub.get_dir()``/checkpoints)
when present, otherwise downloaded with ``torch.hub.download_url_to_file``, which
checks the SHA-256 prefix in torchvision's file name. The base URL can be set
with the ``RESNET_VIZ_WEIGHTS_BASE_URL`` environment variable (a mirror, or a
local server in the tests). Loading goes through the weights-only checkpoint
reader like any upload.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
from pathlib import Path

import torch

from resnet_viz.arch.published_weights import (
    TORCHVISION_BASE_URL,
    PublishedWeights,
    published_mismatches,
    weights_for,
)
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.model.build import ResNet
from resnet_viz.model.checkpoint import load_into, read_state_dict

ENV_BASE_URL = "RESNET_VIZ_WEIGHTS_BASE_URL"


def base_url() -> str:
    """Where the files are downloaded from (the environment variable, else torchvision's)."""
    return os.environ.get(ENV_BASE_URL, "").strip() or TORCHVISION_BASE_URL


def cache_dir() -> Path:
    """torch hub's checkpoint cache, where the file is looked for and saved."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def entry_for(spec: ResNetSpec) -> PublishedWeights:
    """The published file for ``spec``.

    Raises:
        ValueError: naming what differs from every configuration with published weights.
    """
    entry = weights_for(spec)
    if entry is None:
        raise ValueError(f"no published ImageNet weights for {spec.name}: "
                         + "; ".join(published_mismatches(spec)))
    return entry


def url_for(entry: PublishedWeights) -> str:
    """The download URL of one file."""
    return base_url().rstrip("/") + "/" + entry.file


def _sha256_prefix_ok(path: Path, prefix: str) -> bool:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest().startswith(prefix)


def fetch(entry: PublishedWeights, *, progress: bool = False) -> Path:
    """The cached file, downloading it (hash-checked) when it is not in the cache.

    Args:
        entry: the published file.
        progress: show torch hub's download progress bar (on stderr).

    Raises:
        ValueError: when the cached file or the download has the wrong hash (nothing is
            kept), or the server cannot be reached (naming the file to place in the cache).
    """
    target = cache_dir() / entry.file
    if target.is_file():
        if not _sha256_prefix_ok(target, entry.hash_prefix):
            raise ValueError(f"the cached {target} does not have the SHA-256 prefix "
                             f"{entry.hash_prefix} its name promises; delete it and retry")
        return target
    url = url_for(entry)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        torch.hub.download_url_to_file(url, str(target), hash_prefix=entry.hash_prefix,
                                       progress=progress)
    except RuntimeError as exc:  # torch hub's hash check; it has removed the temporary file
        target.unlink(missing_ok=True)
        raise ValueError(f"the download from {url} was refused: {exc}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ValueError(f"could not download {url} ({reason}). Offline, place the file "
                         f"{entry.file} in {cache_dir()} and try again") from None
    return target


def load_published(spec: ResNetSpec, *, progress: bool = False) -> ResNet:
    """A model of ``spec`` with torchvision's published ImageNet weights, in eval mode.

    Raises:
        ValueError: when no weights are published for ``spec``, or see :func:`fetch`.
    """
    entry = entry_for(spec)
    path = fetch(entry, progress=progress)
    return load_into(spec, read_state_dict(path, name=entry.file))

"""The lab's data: scikit-learn's bundled 8x8 digits, upsampled, with a fixed split.

``sklearn.datasets.load_digits`` reads a file shipped inside the scikit-learn
wheel, so nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional

SIDE = 16  # upsampled image side
HELD_OUT = 0.25  # fraction of the 1,797 images kept out of training
SPLIT_SEED = 0  # the split is fixed: it never depends on the training seed


@dataclass(frozen=True)
class Digits:
    """Train and held-out tensors (``N x 1 x SIDE x SIDE`` float32, standardised)."""

    x_train: Tensor
    y_train: Tensor
    x_test: Tensor
    y_test: Tensor

    @property
    def classes(self) -> int:
        """Number of classes (10)."""
        return int(self.y_train.max()) + 1

    def subset(self, train: int | None, test: int | None = None) -> Digits:
        """The first ``train`` training and ``test`` held-out images (``None``: all).

        Raises:
            ValueError: if a count is not positive.
        """
        for name, n in (("train", train), ("test", test)):
            if n is not None and n < 1:
                raise ValueError(f"{name} size must be at least 1; got {n}")
        tr = slice(None, train)
        te = slice(None, test)
        return Digits(self.x_train[tr], self.y_train[tr], self.x_test[te], self.y_test[te])

    def to(self, device: str) -> Digits:
        """The same data on ``device``."""
        return Digits(self.x_train.to(device), self.y_train.to(device),
                      self.x_test.to(device), self.y_test.to(device))


@lru_cache(maxsize=1)
def _digits() -> Digits:
    from sklearn.datasets import load_digits  # imported here: only the lab needs it
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    images = np.asarray(bunch.images, dtype=np.float32) / 16.0  # pixel values are 0..16
    labels = np.asarray(bunch.target, dtype=np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(images, labels, test_size=HELD_OUT,
                                              random_state=SPLIT_SEED, stratify=labels)

    def prepare(a: np.ndarray) -> Tensor:
        t = torch.from_numpy(a).unsqueeze(1)
        return functional.interpolate(t, size=(SIDE, SIDE), mode="bilinear",
                                      align_corners=False)

    train, test = prepare(x_tr), prepare(x_te)
    mean, std = train.mean(), train.std()  # statistics of the training images only
    return Digits((train - mean) / std, torch.from_numpy(y_tr), (test - mean) / std,
                  torch.from_numpy(y_te))


def load(train: int | None = None, test: int | None = None) -> Digits:
    """The digits with the fixed split, optionally cut to the first ``train``/``test`` images.

    The tensors are shared between calls: never modify them in place.
    """
    return _digits().subset(train, test)

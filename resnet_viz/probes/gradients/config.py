"""The probe's options: choices as StrEnums and one validated :class:`ProbeConfig`."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import torch

from resnet_viz.arch import limits
from resnet_viz.arch.dtypes import DTYPE_BYTES
from resnet_viz.arch.parse import parse_choice, parse_pair


class BNMode(StrEnum):
    """BatchNorm statistics during the probe."""

    TRAIN = "train"  # batch statistics
    EVAL = "eval"  # running statistics: the identity at initialisation (mean 0, var 1)


class LossKind(StrEnum):
    """What is differentiated."""

    CE = "ce"  # cross-entropy against random labels
    SUM = "sum"  # the sum of all logits


class InputKind(StrEnum):
    """What the batch is made of."""

    NORMAL = "normal"  # standard normal noise
    IMAGES = "images"  # random crops of scikit-image's bundled photographs, ImageNet-normalised


class Metric(StrEnum):
    """A recorded quantity that has a value per block and per layer."""

    WEIGHT_GRAD = "weight_grad"
    ACTIVATION_GRAD = "activation_grad"
    ACTIVATION = "activation"


class Net(StrEnum):
    """Which twin."""

    RESIDUAL = "residual"
    PLAIN = "plain"


@dataclass(frozen=True)
class ProbeConfig:
    """Validated probe options (see :func:`resnet_viz.probes.gradients.probe`).

    Every field is parsed once, here: strings become enums, the device is
    resolved, sizes become ``(height, width)`` pairs. Invalid values raise an
    actionable ``ValueError``.
    """

    bn_mode: BNMode = BNMode.TRAIN
    batch: int = 16
    seeds: int = 1
    loss: LossKind = LossKind.CE
    device: str = "cpu"
    dtype: str = "float32"
    input_kind: InputKind = InputKind.NORMAL
    input_size: tuple[int, int] | None = None
    first_seed: int = 0
    layers: bool = True  # also record every weighted layer (not only every block)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bn_mode", parse_choice(BNMode, self.bn_mode, "BN mode"))
        object.__setattr__(self, "loss", parse_choice(LossKind, self.loss, "loss"))
        object.__setattr__(self, "input_kind",
                           parse_choice(InputKind, self.input_kind, "input kind"))
        object.__setattr__(self, "device", resolve_device(self.device))
        object.__setattr__(self, "dtype", dtype_name(self.dtype))
        object.__setattr__(self, "input_size", _size(self.input_size))
        for name, rng in (("batch", limits.BATCH), ("seeds", limits.SEEDS),
                          ("first_seed", limits.SEED)):
            value = _whole(getattr(self, name), rng.what)
            rng.check(value)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "layers", bool(self.layers))
        if self.first_seed + self.seeds - 1 > limits.MAX_SEED:
            raise ValueError(f"first seed + seeds must stay below {limits.MAX_SEED + 1}")
        if self.dtype == "float16" and self.device == "cpu":
            raise ValueError("float16 needs CUDA; use float32, float64 or bfloat16 on the CPU")

    @property
    def seed_list(self) -> tuple[int, ...]:
        """The seeds used, in order."""
        return tuple(range(self.first_seed, self.first_seed + self.seeds))

    @property
    def torch_dtype(self) -> torch.dtype:
        """The parameter and input dtype."""
        return torch_dtype(self.dtype)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready options."""
        return {"bn_mode": str(self.bn_mode), "batch": self.batch, "seeds": list(self.seed_list),
                "loss": str(self.loss), "device": self.device, "dtype": self.dtype,
                "input_kind": str(self.input_kind),
                "input_size": list(self.input_size) if self.input_size else None,
                "layers": self.layers}


def _whole(value: Any, what: str) -> int:
    """An integer option from an int, a whole float or an integer string."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{what} must be a whole number; got {value!r}")


def _size(value: tuple[int, int] | int | None) -> tuple[int, int] | None:
    return None if value is None else parse_pair(value)


def dtype_name(value: str | torch.dtype) -> str:
    """The canonical name of a dtype given by name or as a torch dtype.

    Raises:
        ValueError: for a dtype the probe does not support.
    """
    for name in DTYPE_BYTES:
        if value in (name, getattr(torch, name)):
            return name
    raise ValueError(f"unknown dtype {value!r}; choose one of: {', '.join(DTYPE_BYTES)}")


def torch_dtype(name: str) -> torch.dtype:
    """The torch dtype of a name in :data:`resnet_viz.arch.dtypes.DTYPE_BYTES`."""
    dt: torch.dtype = getattr(torch, dtype_name(name))
    return dt


def resolve_device(device: str | torch.device) -> str:
    """``"auto"`` -> CUDA when available, else CPU; CUDA requested without one -> ValueError."""
    text = str(device).strip().lower()
    if text == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        dev = torch.device(text)
    except RuntimeError:
        raise ValueError(f"unknown device {device!r}; use cpu, cuda, cuda:N or auto") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("CUDA is not available on this machine; use device cpu")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(f"no CUDA device {dev.index}; this machine has "
                             f"{torch.cuda.device_count()}")
    elif dev.type != "cpu":
        raise ValueError(f"unsupported device {device!r}; use cpu, cuda, cuda:N or auto")
    return str(dev)

"""Gradient probes: the same weights with and without shortcuts.

For each seed the residual net is built once and its plain twin
(:func:`resnet_viz.build.plain_twin`) shares every parameter with it. Each net
runs one forward and one backward pass on the same batch and labels; hooks
record, during those passes and nothing else:

* per block: the L2 norm of the block output (``activation``), of dL/d(block
  output) (``activation_grad``), of the gradient of the block's main-path
  parameters (``weight_grad``: convs and BatchNorm weights and biases; shortcut
  projections are *excluded*, because the plain twin does not use them), and,
  for the residual net, ``||F(x)||`` and ``||shortcut(x)||`` at the addition;
* per weighted layer on the main path (stem conv, block convs, fc): the norm
  of its output, of the gradient at its output and of its weight gradient.

Every norm is taken over the whole batch tensor. Norms stay on the device as
0-d tensors until the end of a pass and come back in one transfer; ratios are
formed in float64. Across seeds, ``Series.mean`` is the *geometric* mean (the
charts are log-scale and the ratios multiplicative) and ``lo``/``hi`` the
minimum and maximum.

Nothing here states what the measurement "should" show: the captions are
generated from the numbers, including the direction (grows or shrinks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache, partial
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional
from torch.utils.hooks import RemovableHandle

from resnet_viz.build import ResidualBlock, ResNet, build, plain_twin
from resnet_viz.presets import from_depth
from resnet_viz.spec import CONVS_PER_BLOCK, BlockKind, Family, ResNetSpec, parse_choice


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


DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32, "float64": torch.float64,
    "bfloat16": torch.bfloat16, "float16": torch.float16,
}
MAX_BATCH = 1024
MAX_SEEDS = 64

# Wording thresholds for the captions (a choice of words, not a claim about the data):
# a first/last ratio beyond EXPLODE (or below 1/EXPLODE), two orders of magnitude, is
# called exploding (vanishing); in between the caption gives the factor without a label.
EXPLODE = 100.0
LEVEL = 1.1  # within x1.1 either way the gradient "stays level"


# --------------------------------------------------------------------------- options
@dataclass(frozen=True)
class ProbeConfig:
    """Validated probe options (see :func:`probe` for their meaning)."""

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
        object.__setattr__(self, "dtype", _dtype_name(self.dtype))
        object.__setattr__(self, "input_size", _size(self.input_size))
        if not 1 <= int(self.batch) <= MAX_BATCH:
            raise ValueError(f"batch must be between 1 and {MAX_BATCH}; got {self.batch}")
        if not 1 <= int(self.seeds) <= MAX_SEEDS:
            raise ValueError(f"seeds must be between 1 and {MAX_SEEDS}; got {self.seeds}")
        if self.dtype == "float16" and self.device == "cpu":
            raise ValueError("float16 needs CUDA; use float32, float64 or bfloat16 on the CPU")

    @property
    def seed_list(self) -> tuple[int, ...]:
        """The seeds used, in order."""
        return tuple(range(self.first_seed, self.first_seed + self.seeds))

    @property
    def torch_dtype(self) -> torch.dtype:
        """The parameter and input dtype."""
        return DTYPES[self.dtype]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready options."""
        return {"bn_mode": str(self.bn_mode), "batch": self.batch, "seeds": list(self.seed_list),
                "loss": str(self.loss), "device": self.device, "dtype": self.dtype,
                "input_kind": str(self.input_kind),
                "input_size": list(self.input_size) if self.input_size else None,
                "layers": self.layers}


def _size(value: tuple[int, int] | int | None) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, int):
        return (value, value)
    items = tuple(int(v) for v in value)
    if len(items) != 2:
        raise ValueError(f"input size must be (height, width); got {value!r}")
    return (items[0], items[1])


def _dtype_name(value: str | torch.dtype) -> str:
    for name, dt in DTYPES.items():
        if value in (dt, name):
            return name
    raise ValueError(f"unknown dtype {value!r}; choose one of: {', '.join(DTYPES)}")


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


# --------------------------------------------------------------------------- inputs
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)
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
        return (grey - sum(_IMAGENET_MEAN) / 3) / (sum(_IMAGENET_STD) / 3)
    mean = torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1)
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


# --------------------------------------------------------------------------- recording
def _norm(t: Tensor) -> Tensor:
    """L2 norm as a 0-d tensor, outside autograd; half precision accumulates in float32."""
    t = t.detach()  # no graph node, nothing saved for backward
    if t.dtype in (torch.float16, torch.bfloat16):
        return torch.linalg.vector_norm(t, dtype=torch.float32)
    return torch.linalg.vector_norm(t)


def main_path_layers(model: ResNet) -> list[tuple[str, nn.Module]]:
    """Weighted layers on the main path, input to output: stem conv, block convs, fc.

    Shortcut projections are left out so that both twins have the same list;
    its length is ``spec.depth``.
    """
    return _walk(model)[1]


def _walk(model: ResNet) -> tuple[list[tuple[str, ResidualBlock]], list[tuple[str, nn.Module]]]:
    """Blocks and main-path weighted layers in one pass over the module tree."""
    blocks: list[tuple[str, ResidualBlock]] = []
    layers: list[tuple[str, nn.Module]] = []
    short: set[int] = set()
    for name, m in model.named_modules():  # pre-order: a block comes before its children
        if isinstance(m, ResidualBlock):
            blocks.append((name, m))
            ds = getattr(m, "downsample", None)
            if isinstance(ds, nn.Module):
                short.update(id(x) for x in ds.modules())
        elif isinstance(m, nn.Conv2d | nn.Linear) and id(m) not in short:
            layers.append((name, m))
    return blocks, layers


def _block_main_params(blocks: list[tuple[str, ResidualBlock]]) -> list[list[nn.Parameter]]:
    out = []
    for _, block in blocks:
        ds = getattr(block, "downsample", None)
        skip = {id(p) for p in ds.parameters()} if isinstance(ds, nn.Module) else set()
        out.append([p for p in block.parameters() if id(p) not in skip])
    return out


_BLOCK_KEYS = ("activation", "activation_grad", "branch", "shortcut", "stem")
_LAYER_KEYS = ("layer_activation", "layer_activation_grad")


@dataclass(frozen=True)
class NetSample:
    """Everything recorded for one net and one seed (float64 arrays, input to output)."""

    weight_grad: np.ndarray
    activation_grad: np.ndarray
    activation: np.ndarray
    input_norm: np.ndarray  # ||x|| entering each block
    branch: np.ndarray  # ||F(x)||; NaN where no addition ran (the plain twin)
    shortcut: np.ndarray  # ||shortcut(x)||; NaN likewise
    layer_weight_grad: np.ndarray
    layer_activation_grad: np.ndarray
    layer_activation: np.ndarray
    loss: float


class GradientRecorder:
    """Hooks on one net that record norms during a single forward + backward pass.

    Use as a context manager (hooks are removed on exit) around :meth:`run`.
    ``counts`` says how often each slot was written in the last pass; every
    block and layer slot is written exactly once per pass (the additions only
    in the residual net).
    """

    def __init__(self, model: ResNet, *, layers: bool = True) -> None:
        self.model = model
        blocks, found = _walk(model)
        hooked = found if layers else []
        self.block_names = tuple(n for n, _ in blocks)
        self.layer_names = tuple(n for n, _ in hooked)
        self._all_params = list(model.parameters())
        self._index_params(_block_main_params(blocks), [m.weight for _, m in hooked])
        self._handles: list[RemovableHandle] = []
        self._slots: dict[str, list[Tensor | None]] = {}
        self.counts: dict[str, list[int]] = {}
        self._reset()
        for i, (_, block) in enumerate(blocks):
            self._handles.append(block.register_forward_hook(partial(self._on_block, i)))
            add = getattr(block, "add", None)
            if isinstance(add, nn.Module):
                self._handles.append(add.register_forward_hook(partial(self._on_add, i)))
        for j, (_, layer) in enumerate(hooked):
            self._handles.append(layer.register_forward_hook(partial(self._on_layer, j)))

    def _index_params(self, blocks: list[list[nn.Parameter]], weights: list[Any]) -> None:
        """Each parameter once in ``_params``; blocks and layers refer to it by position."""
        index: dict[int, int] = {}
        self._params: list[Tensor] = []

        def pos(p: Tensor) -> int:
            if id(p) not in index:
                index[id(p)] = len(self._params)
                self._params.append(p)
            return index[id(p)]

        self._block_pos = [pos(p) for ps in blocks for p in ps]
        self._block_ids = [b for b, ps in enumerate(blocks) for _ in ps]
        self._layer_pos = [pos(w) for w in weights]

    def __enter__(self) -> GradientRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def remove(self) -> None:
        """Remove every hook."""
        for h in self._handles:
            h.remove()
        self._handles.clear()

    def zero_grad(self) -> None:
        """Drop every parameter's ``.grad`` (shared with the twin)."""
        for p in self._all_params:
            p.grad = None

    def _reset(self) -> None:
        nb, nl = len(self.block_names), len(self.layer_names)
        for key in _BLOCK_KEYS:
            self._slots[key] = [None] * nb
        for key in _LAYER_KEYS:
            self._slots[key] = [None] * nl
        self.counts = {k: [0] * len(v) for k, v in self._slots.items()}
        self._prev: tuple[Tensor, Tensor] | None = None  # last block output and its norm

    def _put(self, key: str, i: int, value: Tensor) -> None:
        self._slots[key][i] = value
        self.counts[key][i] += 1

    # ---- hooks
    def _on_block(self, i: int, _m: nn.Module, args: tuple[Tensor, ...], out: Tensor) -> None:
        if i == 0:  # later blocks' inputs are the previous outputs, already measured
            self._put("stem", 0, _norm(args[0]))
        norm = _norm(out)
        self._put("activation", i, norm)
        self._prev = (out, norm)
        if out.requires_grad:
            out.register_hook(partial(self._on_grad, "activation_grad", i))

    def _on_add(self, i: int, _m: nn.Module, args: tuple[Tensor, ...], _out: Tensor) -> None:
        self._put("branch", i, _norm(args[0]))
        prev = self._prev
        # an identity shortcut is the previous block's output: its norm is known already
        same = prev is not None and args[1] is prev[0]
        self._put("shortcut", i, prev[1] if same and prev is not None else _norm(args[1]))

    def _on_layer(self, j: int, _m: nn.Module, _args: tuple[Tensor, ...], out: Tensor) -> None:
        self._put("layer_activation", j, _norm(out))
        if out.requires_grad:
            out.register_hook(partial(self._on_grad, "layer_activation_grad", j))

    def _on_grad(self, key: str, i: int, grad: Tensor) -> None:
        self._put(key, i, _norm(grad))

    # ---- one pass
    def run(self, x: Tensor, labels: Tensor, loss: LossKind) -> NetSample:
        """Zero the (shared) gradients, run forward + backward, and read everything back."""
        self._reset()
        self.zero_grad()
        logits = self.model(x)
        self._prev = None
        if loss is LossKind.CE:
            value = functional.cross_entropy(logits.float(), labels)
        else:
            value = logits.float().sum()
        value.backward()
        return self._collect(value.detach())

    def _weight_grads(self) -> tuple[Tensor, Tensor]:
        """Block and layer weight-gradient norms (float64 vectors) from the current ``.grad``."""
        grads = [p.grad if p.grad is not None else p.new_zeros(()) for p in self._params]
        if all(g.dtype in (torch.float32, torch.float64) for g in grads):
            norms = torch.stack(torch._foreach_norm(grads)).double()  # one fused kernel
        else:
            norms = torch.stack([_norm(g) for g in grads]).double()
        dev = norms.device
        pos = torch.tensor(self._block_pos, dtype=torch.long, device=dev)
        ids = torch.tensor(self._block_ids, dtype=torch.long, device=dev)
        blocks = torch.zeros(len(self.block_names), dtype=torch.float64, device=dev)
        blocks.index_add_(0, ids, norms[pos].square())
        return blocks.sqrt(), norms[torch.tensor(self._layer_pos, dtype=torch.long, device=dev)]

    def _collect(self, loss: Tensor) -> NetSample:
        self._check_counts()
        blocks, layers = self._weight_grads()
        nan = torch.tensor(float("nan"), dtype=torch.float64, device=loss.device)
        pieces = [loss.double().view(1), blocks, layers]
        for key in (*_BLOCK_KEYS, *_LAYER_KEYS):
            slots = [nan if t is None else t.double() for t in self._slots[key]]
            pieces.append(torch.stack(slots) if slots else nan.view(1)[:0])
        values = torch.cat(pieces).cpu().numpy()  # the one device -> host transfer
        nb, nl = len(self.block_names), len(self.layer_names)
        parts: dict[str, np.ndarray] = {}
        at = 1
        for key, n in (("weight_grad", nb), ("layer_weight_grad", nl),
                       *((k, nb) for k in _BLOCK_KEYS), *((k, nl) for k in _LAYER_KEYS)):
            parts[key] = values[at:at + n]
            at += n
        activation = parts["activation"]
        input_norm = np.concatenate([parts["stem"][:1], activation[:-1]])
        return NetSample(
            weight_grad=parts["weight_grad"], activation_grad=parts["activation_grad"],
            activation=activation, input_norm=input_norm, branch=parts["branch"],
            shortcut=parts["shortcut"], layer_weight_grad=parts["layer_weight_grad"],
            layer_activation_grad=parts["layer_activation_grad"],
            layer_activation=parts["layer_activation"], loss=float(values[0]))

    def _check_counts(self) -> None:
        for key, counts in self.counts.items():
            if key in ("branch", "shortcut", "stem"):
                bad = [c for c in counts if c > 1]
            else:
                bad = [c for c in counts if c != 1]
            if bad:
                raise RuntimeError(f"hook {key!r} fired {bad[0]} times for one position in "
                                   "one pass; is a module reused?")


def measure_pair(model: ResNet, x: Tensor, labels: Tensor, *, loss: LossKind | str = "ce",
                 bn_mode: BNMode | str = "train",
                 twin: ResNet | None = None,
                 layers: bool = True) -> tuple[NetSample, NetSample]:
    """One forward + backward pass each for ``model`` and its plain twin, recorded.

    The twin shares every parameter, so gradients are zeroed before each pass
    and read right after it.

    Args:
        model: the residual net (any mode; set here from ``bn_mode``).
        x: the batch, on the model's device and dtype.
        labels: class indices (used by the ``ce`` loss).
        loss: ``ce`` or ``sum``.
        bn_mode: ``train`` or ``eval``.
        twin: ``plain_twin(model)`` made earlier, to reuse it (making one deep-copies
            the module tree); ``None`` makes it here.
        layers: also record every weighted layer; ``False`` records blocks only
            (about half the extra memory reads).

    Raises:
        ValueError: if ``twin`` does not share ``model``'s parameters or has shortcuts.
    """
    loss, bn_mode = LossKind(loss), BNMode(bn_mode)
    plain = plain_twin(model) if twin is None else _check_twin(model, twin)
    for net in (model, plain):
        net.train(bn_mode is BNMode.TRAIN)
    with GradientRecorder(model, layers=layers) as rec:
        res = rec.run(x, labels, loss)
    with GradientRecorder(plain, layers=layers) as rec:
        pla = rec.run(x, labels, loss)
        rec.zero_grad()
    return res, pla


def _check_twin(model: ResNet, twin: ResNet) -> ResNet:
    shared = all(a is b for a, b in zip(model.parameters(), twin.parameters(), strict=False))
    if not shared or any(b.use_shortcut for _, b in twin.blocks()):
        raise ValueError("twin must be plain_twin(model): same parameters, no shortcuts")
    return twin


# --------------------------------------------------------------------------- results
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
        return tuple(float(v) for v in _geomean(self.array(), axis=0))

    @property
    def lo(self) -> tuple[float, ...]:
        """Minimum over seeds."""
        return tuple(float(v) for v in self.array().min(axis=0))

    @property
    def hi(self) -> tuple[float, ...]:
        """Maximum over seeds."""
        return tuple(float(v) for v in self.array().max(axis=0))


def _geomean(a: np.ndarray, axis: int | None = None) -> np.ndarray:
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


Progress = Callable[[int, int, str], None]


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
    config = ProbeConfig(bn_mode=parse_choice(BNMode, bn_mode, "BN mode"), batch=int(batch),
                         seeds=int(seeds), loss=parse_choice(LossKind, loss, "loss"),
                         device=device,
                         dtype=_dtype_name(dtype),
                         input_kind=parse_choice(InputKind, input_kind, "input kind"),
                         input_size=_size(input_size), first_seed=int(first_seed),
                         layers=bool(layers))
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
        model = build(spec, seed=seed, dtype=config.torch_dtype).to(config.device)
        if k == 0:
            blocks, layers = _walk(model)
            names = (tuple(n for n, _ in blocks),
                     tuple(n for n, _ in layers) if config.layers else ())
        x, labels = make_batch(spec, config, seed)
        try:
            r, p = measure_pair(model, x, labels, loss=config.loss, bn_mode=config.bn_mode,
                                layers=config.layers)
        except torch.OutOfMemoryError:
            raise ValueError(f"out of memory on {config.device} for batch {config.batch} at "
                             f"{spec.input_size[0]}x{spec.input_size[1]}; use a smaller batch "
                             "or input") from None
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


# --------------------------------------------------------------------------- derived numbers
@dataclass(frozen=True)
class Ratio:
    """First/last ratio of one metric for one net: value at the first block / at the last."""

    net: Net
    metric: Metric
    per_seed: tuple[float, ...]
    layers: int  # weighted layers between the two blocks

    @property
    def value(self) -> float:
        """Geometric mean over seeds."""
        return float(_geomean(np.asarray(self.per_seed, dtype=np.float64)))

    @property
    def lo(self) -> float:
        """Smallest seed."""
        return float(min(self.per_seed))

    @property
    def hi(self) -> float:
        """Largest seed."""
        return float(max(self.per_seed))

    @property
    def per_layer(self) -> float:
        """Growth factor per weighted layer: ``value ** (1 / layers)`` (NaN for one block)."""
        v = self.value
        if self.layers < 1 or not (math.isfinite(v) and v > 0):
            return float("nan")
        return float(v ** (1.0 / self.layers))

    @property
    def finite(self) -> bool:
        """Whether every seed gave a finite, positive ratio."""
        return all(math.isfinite(v) and v > 0 for v in self.per_seed)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers (non-finite values as ``None``)."""
        return {"first_last": _json_float(self.value), "min": _json_float(self.lo),
                "max": _json_float(self.hi), "per_layer": _json_float(self.per_layer),
                "layers": self.layers, "per_seed": [_json_float(v) for v in self.per_seed]}


def _json_float(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def first_last(report: GradientReport, net: Net | str,
               metric: Metric | str = Metric.ACTIVATION_GRAD) -> Ratio:
    """The first/last ratio of ``metric`` for one twin (per seed; see :class:`Ratio`)."""
    metric = Metric(metric)
    a = report.net(net).metric(metric).array()
    with np.errstate(divide="ignore", invalid="ignore"):
        per_seed = a[:, 0] / a[:, -1]
    return Ratio(Net(net), metric, tuple(float(v) for v in per_seed), report.layers_spanned)


@dataclass(frozen=True)
class GradientSummary:
    """The derived numbers the page shows, and the caption generated from them."""

    metric: Metric
    residual: Ratio
    plain: Ratio
    caption: str


def summarise(report: GradientReport,
              metric: Metric | str = Metric.ACTIVATION_GRAD) -> GradientSummary:
    """First/last ratios and per-layer growth for both twins, with a caption."""
    res = first_last(report, Net.RESIDUAL, metric)
    pla = first_last(report, Net.PLAIN, metric)
    return GradientSummary(Metric(metric), res, pla, ratio_caption(res, pla))


def fmt_factor(x: float) -> str:
    """A positive factor with two significant digits: ``0.52``, ``9.8``, ``56``, ``4,000``."""
    if not math.isfinite(x):
        return "inf" if x > 0 else "nan"
    if x >= 1e7:
        return f"{x:.1e}"
    if x >= 9.95:
        return f"{float(f'{x:.2g}'):,.0f}"
    if x >= 1:
        return f"{x:.1f}"
    return f"{x:.2g}"


_METRIC_WORDS = {
    Metric.ACTIVATION_GRAD: "the gradient at the block outputs",
    Metric.WEIGHT_GRAD: "the weight gradient",
    Metric.ACTIVATION: "the activation norm",
}


def describe_ratio(r: Ratio) -> str:
    """``grows 4,000x from the last block to the first, x1.17 per layer`` (direction measured)."""
    if not r.finite:
        return f"cannot be measured: {_broken(r)}; try float64 or a shallower net"
    v = r.value
    band = _band(r)
    per = f", x{r.per_layer:.2f} per layer" if r.layers else ""
    if 1 / LEVEL < v < LEVEL:
        return f"stays level from the last block to the first (x{v:.2f}{per}{band})"
    verb = "grows" if v > 1 else "shrinks"
    return f"{verb} {fmt_factor(_dir(v))}x from the last block to the first{per}{band}"


def _broken(r: Ratio) -> str:
    """Why a ratio is not a number: underflow (a norm of 0) or overflow (inf / NaN)."""
    zero = any(v == 0 for v in r.per_seed)
    over = any(not math.isfinite(v) for v in r.per_seed)
    if zero and over:
        return "norms underflow to 0 and overflow to inf/NaN"
    return "a norm underflows to 0" if zero else "norms overflow to inf/NaN"


def _band(r: Ratio) -> str:
    if len(r.per_seed) < 2:
        return ""
    if r.lo >= 1 or r.hi <= 1:  # every seed agrees on the direction
        a, b = sorted((_dir(r.lo), _dir(r.hi)))
        return f"; seeds {fmt_factor(a)}x to {fmt_factor(b)}x"
    return f"; seeds disagree on the direction: x{fmt_factor(r.lo)} to x{fmt_factor(r.hi)}"


def _dir(v: float) -> float:
    """A ratio as a magnitude ``>= 1`` (shrinking by 50x rather than x0.02)."""
    return v if v >= 1 else 1 / v


def _regime(r: Ratio) -> str:
    if not r.finite:
        return "cannot be measured"
    if r.value > EXPLODE:
        return "explodes toward the input"
    if r.value < 1 / EXPLODE:
        return "vanishes toward the input"
    return f"changes by less than {fmt_factor(EXPLODE)}x"


def ratio_caption(res: Ratio, pla: Ratio) -> str:
    """A caption generated from the two ratios; every word of direction comes from the data."""
    what = _METRIC_WORDS[res.metric]
    text = f"First block vs last block, {what}. plain: {describe_ratio(pla)}; " \
           f"residual: {describe_ratio(res)}."
    if res.finite and pla.finite:
        k = pla.value / res.value
        comp = "larger" if k >= 1 else "smaller"
        text += (f" Removing the shortcuts makes the first/last ratio "
                 f"{fmt_factor(_dir(k))}x {comp}: without shortcuts it {_regime(pla)}, "
                 f"with them it {_regime(res)}.")
    return text


def residual_ratio_caption(report: GradientReport) -> str:
    """What ``||F(x)|| / ||shortcut(x)||`` at initialisation says, generated from the numbers."""
    series = report.residual.residual_ratio
    if series is None or not series.per_seed:
        return "No residual ratio was recorded."
    vals = np.asarray(series.mean)
    names = report.residual.blocks
    if not np.all(np.isfinite(vals)):
        return "The residual ratio is not finite in some blocks (overflow); try float64."
    n, small = len(vals), int(np.sum(vals < 1))
    text = (f"At initialisation (BN {report.config.bn_mode} mode) the residual branch F(x) "
            f"has {np.median(vals):.2f} times the norm of the shortcut in the median block "
            f"(from {vals.min():.2f} in {names[int(vals.argmin())]} to {vals.max():.2f} in "
            f"{names[int(vals.argmax())]}). ")
    if small == n:
        text += ("Every branch is smaller than its shortcut, so each block starts close to "
                 "the identity: the shortcuts carry most of the signal and the branches "
                 "add corrections.")
    elif small == 0:
        text += ("Every branch is larger than its shortcut, so no block starts close to "
                 "the identity: the branches dominate each block's output.")
    else:
        text += (f"{small} of {n} branches are smaller than their shortcut (those blocks "
                 f"start close to the identity); in the other {n - small} the branch "
                 "dominates.")
    text += _stage_trends(names, vals)
    return text


def _stage_trends(names: tuple[str, ...], vals: np.ndarray) -> str:
    parts = []
    stages = sorted({n.split(".")[0] for n in names}, key=lambda s: int(s[5:]))
    for st in stages:
        idx = [i for i, n in enumerate(names) if n.split(".")[0] == st]
        if len(idx) < 2:
            continue
        a, b = vals[idx[0]], vals[idx[-1]]
        verb = "falls" if b < a else "rises" if b > a else "stays"
        parts.append(f"{st} {verb} from {a:.2f} to {b:.2f}")
    return (" Within each stage, first block to last: " + "; ".join(parts) + ".") if parts else ""


# --------------------------------------------------------------------------- depth sweep
@dataclass(frozen=True)
class SweepPoint:
    """First/last ratios of both twins at one depth."""

    depth: int
    name: str
    blocks: int
    residual: Ratio
    plain: Ratio


@dataclass(frozen=True)
class Sweep:
    """First/last ratio against depth."""

    family: Family
    metric: Metric
    config: ProbeConfig
    points: tuple[SweepPoint, ...] = field(default=())


def sweep(depths: Sequence[int], *, family: Family | str = Family.CIFAR,
          block: BlockKind | str | None = None, metric: Metric | str = Metric.ACTIVATION_GRAD,
          config: ProbeConfig | None = None, progress: Progress | None = None) -> Sweep:
    """Probe several depths (each as :func:`resnet_viz.presets.from_depth` builds it).

    Args:
        depths: e.g. ``(20, 56, 110)`` for CIFAR or ``(18, 34, 50, 101, 152)`` for ImageNet.
        family: ``cifar`` or ``imagenet``.
        block: block kind for every depth; ``None`` lets each depth decide.
        metric: which first/last ratio to record.
        config: probe options (``input_size`` reduces ImageNet inputs, e.g. 64).
        progress: called as ``progress(done, total, message)`` after every seed of every depth.

    Raises:
        ValueError: for an empty list, an invalid depth or invalid options.
    """
    if not depths:
        raise ValueError("give at least one depth")
    config = config or ProbeConfig()
    specs = [from_depth(int(d), family=family, block=block) for d in depths]
    total = len(specs) * config.seeds
    points = []
    for i, spec in enumerate(specs):
        def step(done: int, _total: int, msg: str, i: int = i) -> None:
            if progress is not None:
                progress(i * config.seeds + done, total, msg)

        report = run_probe(spec, config, progress=step)
        points.append(SweepPoint(spec.depth, report.spec.name, sum(spec.blocks),
                                 first_last(report, Net.RESIDUAL, metric),
                                 first_last(report, Net.PLAIN, metric)))
    return Sweep(Family(family), Metric(metric), config, tuple(points))


def sweep_caption(sw: Sweep) -> str:
    """How the first/last ratio changes with depth, for both twins (from the numbers)."""
    if len(sw.points) < 2:
        p = sw.points[0]
        return (f"Depth {p.depth}: plain {fmt_factor(p.plain.value)}x, "
                f"residual {fmt_factor(p.residual.value)}x (first/last ratio).")
    a, b = sw.points[0], sw.points[-1]

    def trend(x: Ratio, y: Ratio) -> str:
        if not (x.finite and y.finite):
            return "cannot be measured at some depth (" + _broken(x if not x.finite else y) + ")"
        verb = "rises" if y.value > x.value else "falls" if y.value < x.value else "stays"
        return f"{verb} from {fmt_factor(x.value)}x to {fmt_factor(y.value)}x"

    return (f"First/last ratio from depth {a.depth} to {b.depth}: plain "
            f"{trend(a.plain, b.plain)}; residual {trend(a.residual, b.residual)}.")

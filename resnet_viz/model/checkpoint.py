"""Load a user's torchvision-format ``state_dict`` safely, or say exactly why it does not fit.

Files are read only with ``torch.load(..., weights_only=True)``: a pickle that
asks for anything but tensors and plain containers is refused before any of
its code can run. (safetensors is not installed here, so only ``.pth``/``.pt``
files are read.) A checkpoint that does not fit the chosen spec gives a
:class:`MatchReport` (missing and unexpected keys, shape mismatches) and the
configuration it most likely belongs to, inferred from its keys and shapes.
"""

from __future__ import annotations

import io
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import Tensor

from resnet_viz.arch.limits import MAX_CHECKPOINT_BYTES
from resnet_viz.arch.spec import (
    FAMILY_INFO,
    BlockKind,
    Family,
    ResNetSpec,
    Shortcut,
    Variant,
)
from resnet_viz.model.build import ResNet, build

StateDict = dict[str, Tensor]
_LAYER = re.compile(r"^layer(\d+)\.(\d+)\.")
_GLOBAL = re.compile(r"GLOBAL (\S+)")
V1_NOTE = ("v1 and v1.5 bottlenecks have the same keys and shapes (only the stride moves), "
           "so a checkpoint cannot tell them apart; the guess keeps the spec's variant")


class CheckpointMismatch(ValueError):
    """A readable checkpoint whose keys or shapes do not fit the spec; carries the report."""

    def __init__(self, report: MatchReport) -> None:
        super().__init__(report.summary())
        self.report = report


@dataclass(frozen=True)
class MatchReport:
    """How a checkpoint's keys and shapes compare with a spec's model."""

    spec_name: str
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]
    shape_mismatches: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]  # key, file, model
    suggestion: ResNetSpec | None = None
    suggestion_exact: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether the checkpoint loads with ``strict=True``."""
        return not (self.missing or self.unexpected or self.shape_mismatches)

    def summary(self) -> str:
        """One paragraph: what differs and the configuration the file most likely is."""
        if self.ok:
            return f"the checkpoint fits {self.spec_name}"
        parts = [f"the checkpoint does not fit {self.spec_name}:"]
        if self.missing:
            parts.append(f"{len(self.missing)} missing keys (e.g. {self.missing[0]})")
        if self.unexpected:
            parts.append(f"{len(self.unexpected)} unexpected keys (e.g. {self.unexpected[0]})")
        if self.shape_mismatches:
            k, got, want = self.shape_mismatches[0]
            parts.append(f"{len(self.shape_mismatches)} shape mismatches (e.g. {k}: file "
                         f"{list(got)}, model {list(want)})")
        if self.suggestion is not None:
            how = "matches" if self.suggestion_exact else "most likely is"
            parts.append(f"; it {how} {describe(self.suggestion)}")
        return " ".join(parts)


def describe(spec: ResNetSpec) -> str:
    """A spec in words, with every field a checkpoint can reveal."""
    blocks = ",".join(str(b) for b in spec.blocks)
    return (f"{spec.name} ({spec.family}, {spec.block} blocks {blocks}, shortcut "
            f"{spec.shortcut}, {'pre' if spec.preact else 'post'}-activation, groups "
            f"{spec.groups}, width per group {spec.width_per_group}, width x{spec.width_mult:g}, "
            f"{spec.in_channels} input channels, {spec.num_classes} classes)")


def read_state_dict(source: str | Path | bytes, *, name: str = "checkpoint") -> StateDict:
    """Read a ``state_dict`` from a path or the bytes of an upload, refusing anything unsafe.

    Accepts a bare ``state_dict`` or one wrapped as ``{"state_dict": ...}`` /
    ``{"model": ...}``, and strips a ``module.`` prefix (DataParallel).

    Raises:
        ValueError: for a file that is too large, empty, not a checkpoint, truncated or
            corrupted, one whose pickle asks for code (refused unrun), or not a mapping of
            names to tensors.
    """
    size = len(source) if isinstance(source, bytes) else _file_size(Path(source))
    if size > MAX_CHECKPOINT_BYTES:
        raise ValueError(f"{name} is {size:,} bytes, over the limit of "
                         f"{MAX_CHECKPOINT_BYTES:,} bytes for a checkpoint")
    if size == 0:
        raise ValueError(f"{name} is empty, not a checkpoint")
    stream = io.BytesIO(source) if isinstance(source, bytes) else Path(source)
    try:
        obj = torch.load(stream, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise ValueError(_unpickling_message(name, str(exc))) from None
    except Exception as exc:  # garbage makes the weights-only unpickler raise anything
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"{name} is not a complete PyTorch checkpoint (truncated, corrupted "
                         f"or another kind of file): {text[:160]}") from None
    return _as_state_dict(obj, name)


def _unpickling_message(name: str, text: str) -> str:
    """Turn torch's long weights-only error into one line that says what was refused."""
    wanted = _GLOBAL.search(text)
    if wanted:
        return (f"{name} was refused: its pickle asks to import {wanted.group(1)}, which could "
                "run code; only tensors and plain containers are loaded here")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    reason = next((ln for ln in lines if not ln.startswith(("Weights only", "Please file",
                                                            "Check the documentation"))),
                  lines[0] if lines else "unreadable pickle")
    return f"{name} is not a complete PyTorch checkpoint (corrupted pickle: {reason[:160]})"


def _file_size(path: Path) -> int:
    if not path.is_file():
        raise ValueError(f"no checkpoint file at {path}")
    return path.stat().st_size


def _as_state_dict(obj: object, name: str) -> StateDict:
    if isinstance(obj, dict):
        for key in ("state_dict", "model"):
            if isinstance(obj.get(key), dict):
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not obj:
        raise ValueError(f"{name} holds a {type(obj).__name__}, not a state_dict "
                         "(a mapping of parameter names to tensors)")
    for k, v in obj.items():
        if not isinstance(k, str) or not isinstance(v, Tensor):
            raise ValueError(f"{name} is not a state_dict: entry {k!r} holds a "
                             f"{type(v).__name__}, not a tensor")
    if all(k.startswith("module.") for k in obj):
        obj = {k.removeprefix("module."): v for k, v in obj.items()}
    return dict(obj)


def compare(state: StateDict, spec: ResNetSpec) -> MatchReport:
    """Compare a ``state_dict`` with the spec's model (built on the meta device: no memory)."""
    want = {k: tuple(v.shape) for k, v in build(spec, device="meta").state_dict().items()}
    got = {k: tuple(v.shape) for k, v in state.items()}
    missing = tuple(k for k in want if k not in got)
    unexpected = tuple(k for k in got if k not in want)
    shapes = tuple((k, got[k], want[k]) for k in want if k in got and got[k] != want[k])
    report = MatchReport(spec.name, missing, unexpected, shapes)
    if report.ok:
        return report
    guess, notes = infer_spec(state, variant=spec.variant)
    exact = guess is not None and _fits(state, guess)
    return MatchReport(spec.name, missing, unexpected, shapes, guess, exact, tuple(notes))


def _fits(state: StateDict, spec: ResNetSpec) -> bool:
    want = {k: tuple(v.shape) for k, v in build(spec, device="meta").state_dict().items()}
    return want == {k: tuple(v.shape) for k, v in state.items()}


def infer_spec(state: StateDict, *,
               variant: Variant = Variant.V1_5) -> tuple[ResNetSpec | None, list[str]]:
    """The configuration a torchvision-layout ``state_dict`` most likely belongs to.

    Depth from the number of blocks per ``layerN``, block kind from ``conv3``,
    width and groups from the conv shapes, classes from ``fc.weight``,
    shortcut option from where ``downsample`` appears, pre-activation from
    where each block's first BatchNorm sits. v1 and v1.5 cannot be told apart.

    Returns:
        ``(spec or None, notes)``; the notes say what could not be inferred and why.
    """
    notes = [V1_NOTE]
    blocks: dict[int, set[int]] = {}
    for k in state:
        m = _LAYER.match(k)
        if m:
            blocks.setdefault(int(m.group(1)), set()).add(int(m.group(2)))
    needed = ("conv1.weight", "fc.weight", "layer1.0.conv1.weight")
    if not blocks or any(k not in state for k in needed):
        return None, [*notes, "the file lacks torchvision's ResNet keys (conv1, layerN.i, fc), "
                              "so no configuration can be inferred"]
    try:
        stages = tuple(len(blocks[i]) for i in range(1, len(blocks) + 1))
        stem = state["conv1.weight"]
        family = Family.IMAGENET if stem.shape[-1] == 7 else Family.CIFAR
        kind = BlockKind.BOTTLENECK if "layer1.0.conv3.weight" in state else BlockKind.BASIC
        first = state["layer1.0.conv1.weight"]
        last_conv = state["layer1.0.conv3.weight" if kind is BlockKind.BOTTLENECK
                          else "layer1.0.conv2.weight"]
        planes = last_conv.shape[0] // (4 if kind is BlockKind.BOTTLENECK else 1)
        width_mult = planes / FAMILY_INFO[family].base_widths[0]
        groups, wpg = 1, 64
        if kind is BlockKind.BOTTLENECK:
            mid_w = state["layer1.0.conv2.weight"]
            mid = mid_w.shape[0]
            groups = mid // mid_w.shape[1]
            wpg = round(mid / groups * 64 / planes)
        bn1 = state.get("layer1.0.bn1.weight")
        preact = bn1 is not None and bn1.shape[0] == first.shape[1] != first.shape[0]
        if not preact and len(stages) > 1:
            bn = state.get("layer2.0.bn1.weight")
            w = state.get("layer2.0.conv1.weight")
            preact = bn is not None and w is not None and bn.shape[0] == w.shape[1] != w.shape[0]
        spec = ResNetSpec(
            family=family, block=kind, blocks=stages, variant=variant,
            shortcut=_shortcut(state, stages), preact=preact, width_mult=width_mult,
            groups=groups, width_per_group=wpg, num_classes=state["fc.weight"].shape[0],
            in_channels=stem.shape[1], input_size=FAMILY_INFO[family].default_input)
    except (KeyError, ValueError, ZeroDivisionError, IndexError) as exc:
        return None, [*notes, f"the shapes do not form a valid ResNet ({exc})"]
    return spec, notes


def _shortcut(state: StateDict, stages: tuple[int, ...]) -> Shortcut:
    with_ds = [(s, b) for s, n in enumerate(stages, 1) for b in range(n)
               if any(k.startswith(f"layer{s}.{b}.downsample") for k in state)]
    if not with_ds:
        return Shortcut.ZERO_PAD
    if len(with_ds) == sum(stages):
        return Shortcut.PROJECT_ALL
    for s, b in with_ds:
        conv = state.get(f"layer{s}.{b}.downsample.1.weight")
        if conv is not None and conv.dim() == 4:  # avg-pool first, then the 1x1 conv
            return Shortcut.AVG_DOWN
    return Shortcut.PROJECT_ON_CHANGE


def load_into(spec: ResNetSpec, state: StateDict) -> ResNet:
    """A fresh model of ``spec`` holding the checkpoint's weights, in eval mode.

    Raises:
        CheckpointMismatch: (a ``ValueError``) with the full :class:`MatchReport`.
    """
    report = compare(state, spec)
    if not report.ok:
        raise CheckpointMismatch(report)
    model = build(spec)
    model.load_state_dict(state, strict=True)
    return model.eval()


def load_checkpoint(spec: ResNetSpec, source: str | Path | bytes, *,
                    name: str = "checkpoint") -> ResNet:
    """:func:`read_state_dict` then :func:`load_into`.

    Raises:
        ValueError: for an unreadable or unsafe file, or a
            :class:`CheckpointMismatch` when it does not fit ``spec``.
    """
    return load_into(spec, read_state_dict(source, name=name))

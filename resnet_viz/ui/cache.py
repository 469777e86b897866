"""Caches at the UI boundary: results keyed by the (hashable, frozen) spec.

Every cache is bounded. Live models sit in a :class:`BoundedStore` bounded by
entries *and* bytes (``st.cache_resource`` can only count entries, and four
wide networks could fill the server) and must never be mutated by callers:
anything that trains, hooks or calls ``backward()`` deep-copies first. Every
build is first checked against the memory budget
(:mod:`resnet_viz.analysis.budget`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import gc
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
import torch

from resnet_viz.analysis import Analysis, Memory, analyse, budget, memory
from resnet_viz.analysis.budget import DeviceOutOfMemory
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.model.build import ResNet, build
from resnet_viz.render import tables

T = TypeVar("T")
MIB = 1024 * 1024
MODEL_ENTRIES, MODEL_BYTES = 4, 512 * MIB  # live models (ResNet-152: 230 MiB)


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system.

    glibc keeps freed memory of many small and mid-sized allocations in its
    arenas, so the server's RSS stays at its peak long after a probe's
    tensors are gone; ``malloc_trim(0)`` returns it (no library exposes this;
    it is one libc call). Measured with ``bench/rss.py``: see the README.
    Elsewhere (no glibc) only the garbage collection runs.
    """
    gc.collect()
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)


def size_of(value: Any) -> int:
    """Bytes an entry holds: tensors of a model, else the pickled size of a result."""
    if isinstance(value, Built):
        return sum(t.numel() * t.element_size()
                   for t in (*value.model.parameters(), *value.model.buffers()))
    models = getattr(value, "models", None)
    if models and dataclasses.is_dataclass(value) and all(
            isinstance(m, torch.nn.Module) for m in models):
        # Count a result's live models by their tensors: pickling them would fail while a
        # stopped run's models still carry its training hooks (local functions).
        rest = dataclasses.replace(value, models=())  # type: ignore[type-var]
        return (sum(t.numel() * t.element_size() for m in models
                    for t in (*m.parameters(), *m.buffers()))
                + len(pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL)))
    return len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


class BoundedStore:
    """A thread-safe LRU map bounded by entry count and by bytes (:func:`size_of`)."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self.lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """Bytes held now."""
        with self.lock:
            return sum(n for _, n in self.items.values())

    def get(self, key: Hashable) -> Any | None:
        """The entry for ``key`` (marked as recently used), or ``None``."""
        with self.lock:
            if key not in self.items:
                return None
            self.items.move_to_end(key)
            return self.items[key][0]

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The entry for ``key``, computing (outside the lock) and storing it if missing."""
        hit = self.get(key)
        if hit is not None:
            return hit
        value = compute()  # outside the lock: other sessions keep working meanwhile
        self.put(key, value)
        return value

    def clear(self) -> None:
        """Drop every entry and free the memory."""
        with self.lock:
            self.items.clear()
        release_memory()

    def put(self, key: Hashable, value: Any) -> None:
        """Store ``value``, evicting the least recently used entries beyond the bounds."""
        n = size_of(value)
        evicted = False
        with self.lock:
            self.items[key] = (value, n)
            self.items.move_to_end(key)
            total = sum(b for _, b in self.items.values())
            while len(self.items) > 1 and (len(self.items) > self.max_entries
                                           or total > self.max_bytes):
                _, (_, b) = self.items.popitem(last=False)
                total -= b
                evicted = True
        if evicted:
            release_memory()


@st.cache_data(max_entries=64, show_spinner=False)
def cached_analysis(spec: ResNetSpec) -> Analysis:
    """:func:`resnet_viz.analysis.analyse`, cached per spec."""
    return analyse(spec)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_memory(spec: ResNetSpec, batch: int, dtype_bytes: int) -> Memory:
    """:func:`resnet_viz.analysis.memory`, cached per spec, batch and dtype size."""
    return memory(cached_analysis(spec), batch=batch, dtype_bytes=dtype_bytes)


@dataclass(frozen=True)
class Built:
    """A live model and the facts of its build."""

    model: ResNet
    device: str
    seconds: float
    params: int


@st.cache_resource
def _models() -> BoundedStore:
    return BoundedStore(MODEL_ENTRIES, MODEL_BYTES)


def cached_model(spec: ResNetSpec, device: str) -> Built:
    """Really build the torch model on ``device`` (bounded store; never mutate the result).

    Raises:
        resnet_viz.analysis.budget.OverBudget: if the build's estimate is above the budget.
        DeviceOutOfMemory: if the device ran out of memory anyway.
    """
    budget.check_build(spec, analysis=cached_analysis(spec))
    return _models().get_or_compute((spec, device), lambda: _build(spec, device))


def _build(spec: ResNetSpec, device: str) -> Built:
    t0 = time.perf_counter()
    try:
        model = build(spec, device=device, seed=0).eval()
        if device.startswith("cuda"):
            torch.cuda.synchronize()
    except torch.OutOfMemoryError:
        release_memory()
        raise DeviceOutOfMemory(device, f"building {spec.name}") from None
    seconds = time.perf_counter() - t0
    return Built(model, device, seconds, sum(p.numel() for p in model.parameters()))


@st.cache_data(max_entries=16, show_spinner="Joining torchinfo's summary…")
def cached_layer_table(spec: ResNetSpec, device: str, unit: str, convention: str, batch: int,
                       dtype_bytes: int) -> pd.DataFrame:
    """Per-layer table joined with torchinfo's summary of the live model.

    A model above the memory budget is not built: the table then has the
    analysis columns only.
    """
    try:
        model: ResNet | None = cached_model(spec, device).model
    except ValueError:  # over the budget, or the device is out of memory
        model = None
    return tables.layer_table(cached_analysis(spec), model=model,
                              unit=tables.CostUnit(unit), convention=tables.Convention(convention),
                              batch=batch, dtype_bytes=dtype_bytes)

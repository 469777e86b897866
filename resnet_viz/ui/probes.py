"""Cached gradient probes and sweeps for the Gradients page, with live progress.

``st.cache_data`` cannot be used here: it replays the elements a cached function
touched, and a progress bar created outside the function breaks that replay.
So results live in a small bounded LRU store shared by all sessions
(``st.cache_resource``), keyed by the frozen spec and probe options.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import streamlit as st

from resnet_viz.arch.spec import Family, ResNetSpec
from resnet_viz.probes import gradients
from resnet_viz.probes.gradients import GradientReport, ProbeConfig, Sweep
from resnet_viz.progress import Progress

T = TypeVar("T")
MAX_ENTRIES = 32


class _Store:
    """A thread-safe LRU map of results."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.items: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = compute()  # outside the lock: other sessions keep working meanwhile
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.max_entries:
                self.items.popitem(last=False)
        return value


@st.cache_resource
def _store() -> _Store:
    return _Store(MAX_ENTRIES)


def cached_probe(spec: ResNetSpec, config: ProbeConfig, progress: Progress | None = None,
                 ) -> GradientReport:
    """One probe per (spec, options); ``progress`` is called only when it really runs."""
    return _store().get_or_compute(
        ("probe", spec, config), lambda: gradients.run_probe(spec, config, progress=progress))


def cached_sweep(depths: tuple[int, ...], family: Family, metric: gradients.Metric,
                 config: ProbeConfig, progress: Progress | None = None) -> Sweep:
    """A depth sweep per (depths, family, metric, options)."""
    return _store().get_or_compute(
        ("sweep", depths, family, metric, config),
        lambda: gradients.sweep(depths, family=family, metric=metric, config=config,
                                progress=progress))


def progress_bar(label: str) -> tuple[Progress, Callable[[], None]]:
    """A progress callback drawing into a fresh bar, and a function that removes the bar."""
    slot = st.empty()

    def update(done: int, total: int, message: str) -> None:
        slot.progress(done / max(total, 1), text=f"{label}: {message} ({done}/{total})")

    def clear() -> None:
        slot.empty()

    return update, clear

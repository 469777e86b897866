"""Gradient probes and sweeps for the Gradients page: budget, bounded store, progress, stop.

``st.cache_data`` cannot be used here: it replays the elements a cached function
touched, and a progress bar created outside the function breaks that replay.
So results live in a small :class:`resnet_viz.ui.cache.BoundedStore` shared by
all sessions, bounded by entries and bytes, keyed by the frozen spec and options.

Every probe is first estimated (:mod:`resnet_viz.analysis.budget`): above the
memory budget it is refused with a smaller configuration that fits; above
:data:`resnet_viz.arch.limits.HEAVY_PROBE_MACS` of work it waits for a click.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import streamlit as st

from resnet_viz.analysis import budget
from resnet_viz.analysis.budget import DeviceOutOfMemory, Estimate, OverBudget
from resnet_viz.arch import limits
from resnet_viz.arch.dtypes import DTYPE_BYTES
from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import Family, ResNetSpec
from resnet_viz.fmt import fmt_bytes, fmt_count
from resnet_viz.probes import gradients
from resnet_viz.probes.gradients import GradientReport, ProbeConfig, Sweep
from resnet_viz.progress import Progress
from resnet_viz.ui.cache import MIB, BoundedStore, release_memory

__all__ = ["DeviceOutOfMemory", "Estimate", "OverBudget", "ProbeStopped", "cached_probe",
           "cached_sweep", "check_probe", "check_sweep", "clear", "describe", "estimate",
           "fitting_batch", "is_heavy", "macs_per_second", "progress_bar", "stored_probe",
           "stored_sweep", "sweep_specs"]
T = TypeVar("T")
MAX_ENTRIES, MAX_BYTES = 32, 32 * MIB  # a ResNet-50 report (1 seed) pickles to ~7 KB
LATER_S = 2.0  # after an interrupted probe, free memory again this much later


class ProbeStopped(Exception):
    """The user pressed Stop; raised from the progress callback between seeds or depths."""

    def __init__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        super().__init__(f"stopped after {done} of {total} steps; nothing was kept")


@st.cache_resource
def _store() -> BoundedStore:
    return BoundedStore(MAX_ENTRIES, MAX_BYTES)


def clear() -> None:
    """Forget every stored probe and sweep (tests; freeing memory)."""
    _store().clear()


@st.cache_resource(show_spinner="Measuring this machine's speed…")
def macs_per_second() -> float:
    """Multiply-accumulates per second of a small probe on this machine (measured once)."""
    spec = from_depth(20, family=Family.CIFAR)
    config = ProbeConfig(batch=8, seeds=1)
    gradients.run_probe(spec, config)  # warm-up: first calls pick kernels
    t0 = time.perf_counter()
    gradients.run_probe(spec, config)
    seconds = time.perf_counter() - t0
    return estimate(spec, config).macs / max(seconds, 1e-6)


def estimate(spec: ResNetSpec, config: ProbeConfig) -> Estimate:
    """Memory and work of one probe (see :func:`resnet_viz.analysis.budget.probe_estimate`)."""
    return budget.probe_estimate(spec, batch=config.batch, dtype_bytes=DTYPE_BYTES[config.dtype],
                                 input_size=config.input_size, seeds=config.seeds)


def check_probe(spec: ResNetSpec, config: ProbeConfig) -> Estimate:
    """The probe's estimate if it fits the memory budget.

    Raises:
        resnet_viz.analysis.budget.OverBudget: with a smaller batch or input that fits.
    """
    return budget.check_probe(spec, batch=config.batch, dtype_bytes=DTYPE_BYTES[config.dtype],
                              input_size=config.input_size, seeds=config.seeds)


@st.cache_data(max_entries=64, show_spinner=False)
def fitting_batch(spec: ResNetSpec, batch: int, input_size: tuple[int, int], dtype: str) -> int:
    """``batch``, halved until the probe fits the memory budget (at least 2)."""
    fits = budget.largest_batch(spec, start=batch, dtype_bytes=DTYPE_BYTES[dtype],
                                input_size=input_size)
    return fits if fits is not None else budget.MIN_PROBE_BATCH


def sweep_specs(depths: Sequence[int], family: Family) -> list[ResNetSpec]:
    """The networks a sweep probes."""
    return [from_depth(int(d), family=family) for d in depths]


def check_sweep(depths: Sequence[int], family: Family, config: ProbeConfig) -> Estimate:
    """The sweep's estimate (largest depth's memory, summed work) if it fits the budget.

    Raises:
        resnet_viz.analysis.budget.OverBudget: naming the depth that does not fit.
    """
    specs = sweep_specs(depths, family)
    for spec in specs:
        check_probe(spec, config)
    return budget.sweep_estimate(specs, batch=config.batch,
                                 dtype_bytes=DTYPE_BYTES[config.dtype],
                                 input_size=config.input_size, seeds=config.seeds)


def is_heavy(est: Estimate) -> bool:
    """Whether the work is above :data:`resnet_viz.arch.limits.HEAVY_PROBE_MACS`."""
    return est.macs > limits.HEAVY_PROBE_MACS


def describe(est: Estimate) -> str:
    """``16.1 G multiply-accumulates, about 4 s on this machine, 295 MiB of memory``."""
    seconds = est.seconds(macs_per_second())
    return (f"{fmt_count(est.macs)} multiply-accumulates, about {seconds:,.0f} s on this "
            f"machine (measured {fmt_count(macs_per_second())} MAC/s), peak memory about "
            f"{fmt_bytes(est.total)}")


def stored_probe(spec: ResNetSpec, config: ProbeConfig) -> GradientReport | None:
    """A probe already in the store, or ``None``."""
    report: GradientReport | None = _store().get(("probe", spec, config))
    return report


def stored_sweep(depths: tuple[int, ...], family: Family, metric: gradients.Metric,
                 config: ProbeConfig) -> Sweep | None:
    """A sweep already in the store, or ``None``."""
    sw: Sweep | None = _store().get(("sweep", depths, family, metric, config))
    return sw


def _freeing(compute: Callable[[], T]) -> Callable[[], T]:
    """``compute`` followed by :func:`release_memory`, even when stopped or failed.

    An interrupted run (Stop, another click: Streamlit's rerun exception) still
    holds the probe's tensors in its traceback while the exception propagates, so
    the memory is released again a moment later from a timer thread, once
    Streamlit has dropped that traceback.
    """
    def run() -> T:
        try:
            return compute()
        except BaseException:
            threading.Timer(LATER_S, release_memory).start()
            raise
        finally:
            release_memory()
    return run


def cached_probe(spec: ResNetSpec, config: ProbeConfig, progress: Progress | None = None,
                 ) -> GradientReport:
    """One probe per (spec, options) after the budget check; ``progress`` is called only
    when it really runs.

    Raises:
        ValueError: over the budget (:class:`OverBudget`), out of device memory
            (:class:`DeviceOutOfMemory`) or a net that cannot run.
        ProbeStopped: if ``progress`` raised it (the Stop button).
    """
    check_probe(spec, config)
    return _store().get_or_compute(("probe", spec, config), _freeing(
        lambda: gradients.run_probe(spec, config, progress=progress)))


def cached_sweep(depths: tuple[int, ...], family: Family, metric: gradients.Metric,
                 config: ProbeConfig, progress: Progress | None = None) -> Sweep:
    """A depth sweep per (depths, family, metric, options) after the budget check."""
    check_sweep(depths, family, config)
    return _store().get_or_compute(("sweep", depths, family, metric, config), _freeing(
        lambda: gradients.sweep(depths, family=family, metric=metric, config=config,
                                progress=progress)))


def progress_bar(label: str, stopped: Callable[[], bool] | None = None,
                 ) -> tuple[Progress, Callable[[], None]]:
    """A progress callback drawing into a fresh bar, and a function that removes the bar.

    The callback raises :class:`ProbeStopped` once ``stopped()`` is true. Drawing the
    bar is also where Streamlit notices a newer run (a click on Stop or any widget)
    and ends this one, so in the browser work stops between seeds or depths.
    """
    slot = st.empty()

    def update(done: int, total: int, message: str) -> None:
        if stopped is not None and stopped():
            raise ProbeStopped(done, total)
        slot.progress(done / max(total, 1), text=f"{label}: {message} ({done}/{total})")

    def clear() -> None:
        slot.empty()

    return update, clear

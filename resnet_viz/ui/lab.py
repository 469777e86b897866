"""The Lab page's widgets: live training with a stop button, then the probes.

Results live in the gradient page's bounded LRU store pattern (shared by all
sessions, keyed by the frozen options). A run interrupted by the Stop button
(Streamlit reruns the script, which ends the running one) keeps the last
epoch's partial result in the session, shown as stopped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
import torch

from resnet_viz.lab import captions, landscape, paths, shatter
from resnet_viz.lab.train import Degradation, TrainConfig, train
from resnet_viz.render import lab_charts
from resnet_viz.ui.cache import MIB, BoundedStore  # the same bounded LRU, not a copy
from resnet_viz.ui.probes import progress_bar
from resnet_viz.ui.safe import plain

T = TypeVar("T")
MAX_ENTRIES, MAX_BYTES = 8, 256 * MIB  # trained nets are a few MB each: keep a handful
DEPTHS = (8, 14, 20, 32, 44, 56)
_PARTIAL = "lab._partial"  # the running (or interrupted) run's last epoch


@st.cache_resource
def _store() -> BoundedStore:
    return BoundedStore(MAX_ENTRIES, MAX_BYTES)


def cached(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """One result per key in the bounded store."""
    return _store().get_or_compute(key, compute)


def lookup(key: tuple[Any, ...]) -> Any:
    """A stored result, or ``None`` (without computing)."""
    return _store().get(key)


MINE = "lab.mine"  # session key: the configurations this session trained or was shown


def remember(config: TrainConfig) -> None:
    """Mark a run as this session's, so the Inside and Lesson pages may offer it."""
    mine: list[TrainConfig] = st.session_state.setdefault(MINE, [])
    if config not in mine:
        mine.append(config)


def trained_runs() -> list[Degradation]:
    """This session's stored training runs, least recently used first.

    The store is shared (the same configuration gives the same run for everyone), but
    each session is offered only the runs it trained or was shown on the Lab page: one
    student never sees another's nets. Never modify their models.
    """
    mine = st.session_state.get(MINE, [])
    store = _store()
    with store.lock:
        return [v for k, (v, _) in store.items.items()
                if isinstance(k, tuple) and k[:1] == ("train",) and k[1] in mine]


def options() -> TrainConfig | None:
    """The training options from the widgets (``None`` with an error shown)."""
    with st.expander("Training options", expanded=False):
        c1, c2, c3, c4 = st.columns(4)
        depths = c1.multiselect("Depths", DEPTHS, default=list(TrainConfig.depths),
                                key="lab.depths", help="CIFAR-style depths 6n+2")
        epochs = c2.slider("Epochs", 1, 20, TrainConfig.epochs, key="lab.epochs")
        size = c3.select_slider("Training images", [64, 128, 256, 512, 1024, 1347],
                                value=TrainConfig.train_size, key="lab.train_size")
        seed = c4.number_input("Seed", 0, 10_000, 0, key="lab.seed")
        devices = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]
        device = st.radio("Device", devices, horizontal=True, key="lab.device")
    try:
        return TrainConfig(depths=tuple(depths), epochs=int(epochs), train_size=int(size),
                           seed=int(seed), device=str(device))
    except ValueError as exc:
        st.error(plain(str(exc)))
        return None


def train_section(config: TrainConfig) -> Degradation | None:
    """Train button, Stop button, live curves and progress; returns the run to show."""
    b1, b2, _ = st.columns([1, 1, 6])
    go_ = b1.button("Train", type="primary", key="lab.train", icon=":material/play_arrow:")
    stop = b2.button("Stop", key="lab.stop", icon=":material/stop:")
    partial = st.session_state.get(_PARTIAL)
    if stop and partial is not None and partial.config == config:
        run = dataclasses.replace(partial, stopped=True)
        _store().get_or_compute(("train", config), lambda: run)
        st.session_state.pop(_PARTIAL, None)
        remember(config)
        return run
    done = lookup(("train", config))
    if done is not None and not (go_ and done.stopped):
        remember(config)
        return done
    if done is not None:  # Train pressed again after a stop: train from scratch
        with _store().lock:
            _store().items.pop(("train", config), None)
    if not go_:
        st.info("Press **Train** to train the nets below; the curves grow as each epoch ends.",
                icon=":material/science:")
        return None
    chart = st.empty()
    update, clear = progress_bar("Training")

    def on_epoch(run: Degradation) -> None:
        st.session_state[_PARTIAL] = run
        chart.plotly_chart(lab_charts.training_curves(run))

    run = cached(("train", config), lambda: train(config, progress=update, on_epoch=on_epoch))
    clear()
    chart.empty()
    st.session_state.pop(_PARTIAL, None)
    remember(config)
    return run


def show_training(run: Degradation) -> None:
    """The finished (or stopped) run: curves, captions, gradient ratio."""
    st.plotly_chart(lab_charts.training_curves(run), key="lab.curves")
    st.markdown(f"**What this run shows.** {captions.degradation_caption(run)}")
    st.caption(f"Trained in {run.seconds:.1f} s.")
    st.plotly_chart(lab_charts.gradient_ratio_chart(run), key="lab.grad_ratio")
    st.markdown(captions.gradient_caption(run))


def _run_probe(label: str, key: tuple[Any, ...], button: str,
               compute: Callable[[Callable[[int, int, str], None]], T]) -> T | None:
    result: T | None = lookup(key)
    if result is None:
        slot = st.empty()
        if slot.button(label, key=button):
            update, clear = progress_bar(label)
            result = cached(key, lambda: compute(update))
            clear()
            slot.empty()
    return result


def probes_section(run: Degradation) -> None:
    """Landscape, paths and shattering, each on request and cached."""
    land_tab, paths_tab, shatter_tab = st.tabs(
        ["Loss landscape", "Paths", "Shattered gradients"], key="lab.view", bind="query-params")
    config = run.config
    with land_tab:
        st.caption("Li, Xu, Taylor, Studer and Goldstein (2018), *Visualizing the Loss "
                   "Landscape of Neural Nets*: the training loss on a random 2-D slice through "
                   "the trained weights, each direction scaled filter by filter to the weights.")
        res = _run_probe("Compute the landscape", ("landscape", config, run.stopped),
                         "lab.landscape.run", lambda p: landscape.compare(run, progress=p))
        if res is not None:
            st.plotly_chart(lab_charts.landscape_chart(*res), key="lab.landscape.chart")
            st.markdown(captions.landscape_caption(*res))
    with paths_tab:
        st.caption("Veit, Wilber and Belongie (2016), *Residual Networks Behave Like "
                   "Ensembles of Relatively Shallow Networks*: the backward pass is routed "
                   "through one side of every addition to measure the gradient single paths "
                   "carry.")
        pg = _run_probe("Measure the paths", ("paths", config, run.stopped), "lab.paths.run",
                        lambda p: paths.compare(run, progress=p))
        if pg is not None:
            st.plotly_chart(lab_charts.paths_chart(*pg), key="lab.paths.chart")
            st.markdown(captions.paths_caption(*pg))
    with shatter_tab:
        st.caption("Balduzzi, Frean, Leary, Lewis, Ma and McWilliams (2017), *The Shattered "
                   "Gradients Problem: If resnets are the answer, then what is the question?*: "
                   "the input gradient along a line between two digits, at initialisation.")
        sh = _run_probe("Trace the gradients", ("shatter", config.width_mult, config.seed),
                        "lab.shatter.run",
                        lambda p: shatter.shatter(width_mult=config.width_mult,
                                                  seed=config.seed, progress=p))
        if sh is not None:
            st.plotly_chart(lab_charts.shatter_chart(sh), key="lab.shatter.chart")
            st.markdown(captions.shatter_caption(sh))


def render() -> None:
    """The whole page."""
    config = options()
    if config is None:
        return
    run = train_section(config)
    if run is None:
        return
    show_training(run)
    probes_section(run)

"""Small Streamlit building blocks shared by the pages."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from resnet_viz.analysis import Analysis, Memory
from resnet_viz.analysis.budget import DeviceOutOfMemory
from resnet_viz.arch.spec import BlockKind, ResNetSpec
from resnet_viz.fmt import fmt_bytes, fmt_count
from resnet_viz.ui.cache import cached_model
from resnet_viz.ui.sidebar import RunOptions

SHORTCUT_WORDS = {"A": "zero-padded identity shortcuts (A)",
                  "B": "projection shortcuts where the shape changes (B)",
                  "C": "projection shortcuts everywhere (C)",
                  "D": "avg-pool + projection shortcuts (D)"}


def describe(spec: ResNetSpec) -> str:
    """One sentence describing the configuration."""
    st_blocks = " / ".join(str(b) for b in spec.blocks)
    parts = [f"{spec.family.value} family", f"{spec.block.value} blocks [{st_blocks}]"]
    if spec.block is BlockKind.BOTTLENECK:
        parts.append(f"stride on the {'first 1x1' if spec.variant == 'v1' else '3x3'} "
                     f"({spec.variant.value})")
    parts.append(SHORTCUT_WORDS[spec.shortcut.value] if spec.shortcuts else "no shortcuts (plain)")
    if spec.preact:
        parts.append("pre-activation")
    h, w = spec.input_size
    parts.append(f"input {spec.in_channels}×{h}×{w}, {spec.num_classes} classes")
    return " · ".join(parts)


def headline_metrics(an: Analysis, mem: Memory, run: RunOptions) -> None:
    """The two rows of big numbers at the top of the overview."""
    top = st.columns(4)
    top[0].metric("Depth", an.spec.depth, help="weighted layers on the longest path")
    top[1].metric("Parameters", fmt_count(an.params), help=f"{an.params:,} exactly")
    top[2].metric("MACs", fmt_count(an.macs),
                  help=f"{an.macs:,} conv+linear multiply-accumulates per image")
    top[3].metric("FLOPs", fmt_count(an.flops), help=f"2 × MACs = {an.flops:,} per image")
    low = st.columns(4)
    low[0].metric("Weights", fmt_bytes(mem.params), help=f"{mem.params:,} bytes in {run.dtype}")
    low[1].metric(f"Inference activations ×{run.batch}", fmt_bytes(mem.inference),
                  help=f"{mem.inference:,} bytes: peak of tensors alive at once ({run.dtype})")
    low[2].metric(f"Training activations ×{run.batch}", fmt_bytes(mem.training),
                  help=f"{mem.training:,} bytes: every layer output saved for backward "
                       f"({run.dtype})")
    low[3].metric("Receptive field", f"{an.receptive_field}px",
                  help="theoretical receptive field of the last feature map")


def _use_cpu() -> None:
    st.session_state["run.device"] = "cpu"


def live_build(spec: ResNetSpec, run: RunOptions, analytic_params: int) -> None:
    """Build the real torch model (cached) and compare its size with the analysis.

    A build above the memory budget is refused with its estimate and a narrower
    configuration that fits; a device out of memory offers the CPU instead.
    """
    try:
        with st.spinner(f"Building {spec.name} on {run.device}…", show_time=True):
            built = cached_model(spec, run.device)
    except ValueError as exc:  # OverBudget or DeviceOutOfMemory
        st.warning(f"Live build skipped: {exc}. The numbers above come from the analysis "
                   "and need no build.", icon=":material/memory:")
        if isinstance(exc, DeviceOutOfMemory):
            st.button("Build on the CPU instead", key="overview.use_cpu", on_click=_use_cpu)
        return
    ok = built.params == analytic_params
    msg = (f"Built on **{built.device}** in {built.seconds:.2f} s: "
           f"{built.params:,} parameters in the torch model vs {analytic_params:,} analytic")
    if ok:
        st.success(msg + " — they agree.", icon=":material/check_circle:")
    else:
        st.error(msg + " — MISMATCH, please report this configuration.",
                 icon=":material/error:")


def number_columns(df: pd.DataFrame) -> dict[str, Any]:
    """Thousands separators for every integer column; the first column stays pinned."""
    config: dict[str, Any] = {c: st.column_config.NumberColumn(c, format="localized")
                              for c in df.columns if pd.api.types.is_integer_dtype(df[c])}
    config[df.columns[0]] = st.column_config.Column(df.columns[0], pinned=True)
    return config

"""Small Streamlit building blocks shared by the pages."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from resnet_viz.analysis import Analysis, Memory
from resnet_viz.analysis.budget import DeviceOutOfMemory
from resnet_viz.arch.spec import BlockKind, ResNetSpec
from resnet_viz.fmt import fmt_bytes, fmt_count
from resnet_viz.render.tables import PERCENT_FORMAT
from resnet_viz.ui.cache import cached_model
from resnet_viz.ui.safe import plain
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


METRIC_WIDTH = 175
"""px per headline metric: the widest value ("229.6 MiB") fits at 1024×768; the
metrics wrap onto further rows where a screen is narrower."""


def headline_metrics(an: Analysis, mem: Memory, run: RunOptions) -> None:
    """The two rows of big numbers at the top of the overview (short labels; details in help)."""
    top = st.container(horizontal=True, gap="small")
    top.metric("Depth", an.spec.depth, help="weighted layers on the longest path",
               width=METRIC_WIDTH)
    top.metric("Parameters", fmt_count(an.params), help=f"{an.params:,} exactly",
               width=METRIC_WIDTH)
    top.metric("MACs", fmt_count(an.macs), width=METRIC_WIDTH,
               help=f"{an.macs:,} conv+linear multiply-accumulates per image")
    top.metric("FLOPs", fmt_count(an.flops), help=f"2 × MACs = {an.flops:,} per image",
               width=METRIC_WIDTH)
    low = st.container(horizontal=True, gap="small")
    low.metric("Weights", fmt_bytes(mem.params), help=f"{mem.params:,} bytes in {run.dtype}",
               width=METRIC_WIDTH)
    low.metric("Inference mem.", fmt_bytes(mem.inference), width=METRIC_WIDTH,
               help=f"activations for a batch of {run.batch} at inference: {mem.inference:,} "
                    f"bytes, the peak of tensors alive at once ({run.dtype}); weights not "
                    "included")
    low.metric("Training mem.", fmt_bytes(mem.training), width=METRIC_WIDTH,
               help=f"activations for a batch of {run.batch} in training: {mem.training:,} "
                    f"bytes, every layer output saved for backward ({run.dtype}); weights, "
                    "gradients and optimiser state not included")
    low.metric("Receptive field", f"{an.receptive_field}px", width=METRIC_WIDTH,
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
        st.warning(plain(f"Live build skipped: {exc}. The numbers above come from the "
                         "analysis and need no build."), icon=":material/memory:")
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
    """Thousands separators for every integer column, one format for every ``%`` column;
    the first column stays pinned."""
    config: dict[str, Any] = {c: st.column_config.NumberColumn(c, format="localized")
                              for c in df.columns if pd.api.types.is_integer_dtype(df[c])}
    config.update({c: st.column_config.NumberColumn(c, format=PERCENT_FORMAT)
                   for c in df.columns if str(c).endswith("%")})
    config[df.columns[0]] = st.column_config.Column(df.columns[0], pinned=True)
    return config


def readable(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as text for ``st.table``: thousands separators, blanks for missing values."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_integer_dtype(out[c]):
            out[c] = [f"{v:,}" if not pd.isna(v) else "" for v in out[c]]
    return out.set_index(out.columns[0])


def csv_download(df: pd.DataFrame, *, key: str, file_stem: str, what: str) -> None:
    """A CSV download of ``df``, labelled ``CSV · what`` (the dataframe toolbar's own
    download needs a file dialog, which headless browsers do not answer)."""
    safe = file_stem.replace(" ", "_").replace("/", "-")
    st.download_button(f"CSV · {what}", df.to_csv(index=False), f"{safe}.csv", "text/csv",
                       key=key,
                       on_click="ignore", icon=":material/download:")

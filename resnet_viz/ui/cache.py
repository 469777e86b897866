"""Caches at the UI boundary: results keyed by the (hashable, frozen) spec.

Models are cached as resources with a bounded count and must never be mutated
by callers: anything that trains, hooks or calls ``backward()`` deep-copies first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import streamlit as st
import torch

from resnet_viz.analysis import Analysis, Memory, analyse, memory
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.model.build import ResNet, build
from resnet_viz.render import tables


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


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_model(spec: ResNetSpec, device: str) -> Built:
    """Really build the torch model on ``device`` (bounded cache; never mutate the result)."""
    t0 = time.perf_counter()
    model = build(spec, device=device, seed=0).eval()
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    return Built(model, device, seconds, sum(p.numel() for p in model.parameters()))


@st.cache_data(max_entries=16, show_spinner="Joining torchinfo's summary…")
def cached_layer_table(spec: ResNetSpec, device: str, unit: str, convention: str, batch: int,
                       dtype_bytes: int) -> pd.DataFrame:
    """Per-layer table joined with torchinfo's summary of the live model."""
    built = cached_model(spec, device)
    return tables.layer_table(cached_analysis(spec), model=built.model,
                              unit=tables.CostUnit(unit), convention=tables.Convention(convention),
                              batch=batch, dtype_bytes=dtype_bytes)

"""The Compare page's widgets: 2-4 column editors, one-click presets, the URL, cached results.

Every widget is bound to the URL (``bind="query-params"``) under ``compare.*``
keys (``compare.c1.depth``), so a copied link reproduces the comparison. The
column editor reuses the sidebar's options and labels and builds its spec with
:func:`resnet_viz.arch.presets.spec_from_choices`, the same entry point as the
sidebar and the CLI: there is no second copy of the depth rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from resnet_viz.analysis.compare import MAX_CONFIGS, MIN_CONFIGS, Comparison, compare
from resnet_viz.analysis.scaling import ScalingPoint, scaling_curve
from resnet_viz.arch import limits
from resnet_viz.arch.presets import depth_step, from_depth, spec_from_choices
from resnet_viz.arch.spec import (
    BlockKind,
    Family,
    ResNetSpec,
    Variant,
    parse_blocks,
    parse_input_size,
)
from resnet_viz.export.compare import export_comparison
from resnet_viz.probes.gradients import ProbeConfig
from resnet_viz.render import compare as render_compare
from resnet_viz.render import gradient_charts
from resnet_viz.render.diagram import Level
from resnet_viz.ui.cache import cached_analysis
from resnet_viz.ui.probes import cached_probe, progress_bar
from resnet_viz.ui.sidebar import (
    AUTO,
    CUSTOM,
    SHORTCUT_HELP,
    WIDTH_MULTS,
    default_depth,
    depth_label,
    depth_options,
)

N_KEY = "compare.n"
HIGHLIGHT = "background-color: #FFE7A3; font-weight: 600"

# Widget defaults of one column (widget values, as stored in the URL).
FIELD_DEFAULTS: dict[str, Any] = {
    "family": Family.IMAGENET.value, "depth": "50", "custom_depth": 26, "blocks": "",
    "block": AUTO, "variant": Variant.V1_5.value, "shortcut": AUTO, "preact": AUTO,
    "shortcuts": True, "width_mult": 1.0, "groups": 1, "width_per_group": 64, "input": ""}
# The first view: the four ImageNet depths of the paper's Table 1 most taught.
COLUMN_DEPTHS: tuple[str, ...] = ("18", "34", "50", "152")

PRESETS: dict[str, list[dict[str, Any]]] = {
    "18 / 34 / 50 / 152": [{"depth": d} for d in ("18", "34", "50", "152")],
    "plain-34 vs ResNet-34": [{"depth": "34", "shortcuts": False}, {"depth": "34"}],
    "ResNet-34 shortcuts A / B / C": [{"depth": "34", "shortcut": s} for s in "ABC"],
    "ResNet-50 v1 vs v1.5": [{"depth": "50", "variant": v} for v in ("v1", "v1.5")],
    "ResNet-50 vs ResNeXt-50 32x4d vs Wide-50-2": [
        {"depth": "50"}, {"depth": "50", "groups": 32, "width_per_group": 4},
        {"depth": "50", "width_per_group": 128}],
    "CIFAR 20 / 56 / 110 / 1202": [{"family": "cifar", "depth": d}
                                   for d in ("20", "56", "110", "1202")],
}
"""One-click comparisons: per column, the widget values that differ from FIELD_DEFAULTS."""


def key(col: int, name: str) -> str:
    """The widget key of field ``name`` in column ``col`` (1-based): ``compare.c1.depth``."""
    return f"compare.c{col}.{name}"


def column_default(col: int, name: str) -> Any:
    """A column's widget default (the columns start as 18 / 34 / 50 / 152)."""
    if name == "depth":
        return COLUMN_DEPTHS[col - 1]
    return FIELD_DEFAULTS[name]


def apply_preset(name: str) -> None:
    """Set every column's widgets (and the column count) to a preset's values.

    Raises:
        ValueError: for an unknown preset name.
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    cols = PRESETS[name]
    st.session_state[N_KEY] = len(cols)
    for i, overrides in enumerate(cols, start=1):
        for field, value in (FIELD_DEFAULTS | overrides).items():
            st.session_state[key(i, field)] = value


def _family_changed(col: int) -> None:
    fam = st.session_state[key(col, "family")]
    st.session_state[key(col, "depth")] = default_depth(fam)


@dataclass(frozen=True)
class Column:
    """One column's result: its spec, or the error that prevented one."""

    spec: ResNetSpec | None
    error: str | None


def url_problems() -> list[str]:
    """Link values the compare widgets will reject (they fall back to the defaults)."""
    qp = st.query_params
    out = []
    for col in range(1, MAX_CONFIGS + 1):
        fam = qp.get(key(col, "family"), FIELD_DEFAULTS["family"])
        allowed: dict[str, list[str]] = {
            "family": [f.value for f in Family],
            "depth": depth_options(fam) if fam in ("imagenet", "cifar") else [],
            "block": [AUTO] + [b.value for b in BlockKind],
            "variant": [v.value for v in Variant], "shortcut": list(SHORTCUT_HELP),
            "preact": [AUTO, "on", "off"]}
        for field, values in allowed.items():
            value = qp.get(key(col, field))
            if value is not None and value not in values:
                out.append(f"{key(col, field)}={value} is not one of {', '.join(values)}")
    n = qp.get(N_KEY)
    if n is not None and n not in [str(i) for i in range(MIN_CONFIGS, MAX_CONFIGS + 1)]:
        out.append(f"{N_KEY}={n} is not one of 2, 3, 4")
    return out


def editor(col: int) -> Column:
    """One column's compact editor; returns the spec or the error (never raises)."""
    fam = st.selectbox("Family", [f.value for f in Family], key=key(col, "family"),
                       index=0, bind="query-params", on_change=_family_changed, args=(col,))
    opts = depth_options(fam)
    start = column_default(col, "depth") if fam == "imagenet" else default_depth(fam)
    # No format_func on bound widgets: the URL would store the formatted label.
    depth = st.selectbox("Depth", opts, index=opts.index(start), key=key(col, "depth"),
                         bind="query-params")
    if depth != CUSTOM:
        st.caption(depth_label(fam, depth))
    v: dict[str, Any] = {"family": fam, "depth": None if depth == CUSTOM else int(depth)}
    blocks_text = ""
    if depth == CUSTOM:
        v["depth"] = int(st.number_input(
            "Custom depth", limits.MIN_DEPTH, limits.MAX_DEPTH, FIELD_DEFAULTS["custom_depth"],
            key=key(col, "custom_depth"), bind="query-params"))
        blocks_text = st.text_input("Blocks per stage", "", key=key(col, "blocks"),
                                    placeholder="e.g. 3,4,6,3", bind="query-params")
    with st.expander("Block, shortcut, width", expanded=False):
        block = st.selectbox("Block", [AUTO, *(b.value for b in BlockKind)],
                             key=key(col, "block"), bind="query-params")
        v["block"] = None if block == AUTO else block
        v["variant"] = st.radio("Stride placement", [x.value for x in Variant], index=1,
                                key=key(col, "variant"), horizontal=True, bind="query-params")
        sc = st.selectbox("Shortcut option", list(SHORTCUT_HELP), key=key(col, "shortcut"),
                          help="  \n".join(SHORTCUT_HELP.values()), bind="query-params")
        v["shortcut"] = None if sc == AUTO else sc
        pre = st.selectbox("Pre-activation", [AUTO, "on", "off"], key=key(col, "preact"),
                           bind="query-params")
        v["preact"] = None if pre == AUTO else pre == "on"
        v["shortcuts"] = st.toggle("Shortcuts", value=True, key=key(col, "shortcuts"),
                                   bind="query-params")
        v["width_mult"] = st.select_slider("Width ×", WIDTH_MULTS, value=1.0,
                                           key=key(col, "width_mult"), bind="query-params")
        v["groups"] = int(st.number_input("Groups", int(limits.GROUPS.lo),
                                          int(limits.GROUPS.hi), 1, key=key(col, "groups"),
                                          bind="query-params"))
        v["width_per_group"] = int(st.number_input(
            "Width per group", int(limits.WIDTH_PER_GROUP.lo), int(limits.WIDTH_PER_GROUP.hi),
            64, key=key(col, "width_per_group"), bind="query-params"))
        size_text = st.text_input("Input H×W", "", key=key(col, "input"),
                                  placeholder="224x224" if fam == "imagenet" else "32x32",
                                  bind="query-params")
    try:
        spec = spec_from_choices(
            blocks=parse_blocks(blocks_text) if blocks_text.strip() else None,
            input_size=parse_input_size(size_text) if size_text.strip() else None, **v)
    except ValueError as exc:
        return Column(None, str(exc))
    return Column(spec, None)


# A resource, not data: cache_data would unpickle four analyses (thousands of records)
# on every rerun. The comparison is frozen and nobody mutates it.
@st.cache_resource(max_entries=32, show_spinner=False)
def cached_compare(specs: tuple[ResNetSpec, ...]) -> Comparison:
    """:func:`resnet_viz.analysis.compare.compare`, cached per tuple of specs (read-only)."""
    return compare(specs, analyses=[cached_analysis(s) for s in specs])


def styled(table: pd.DataFrame, mask: pd.DataFrame) -> Any:
    """The what-changed table with the changed cells highlighted (a pandas Styler)."""
    return table.style.apply(lambda _: mask.replace({True: HIGHLIGHT, False: ""}), axis=None)


@st.cache_data(max_entries=32, show_spinner=False)
def cached_compare_dot(specs: tuple[ResNetSpec, ...], level: str, costs: bool) -> str:
    """The aligned diagram of the configurations (cached per specs and options)."""
    return render_compare.compare_dot(cached_compare(specs), level=Level(level),
                                      show_costs=costs)


@st.cache_data(max_entries=8, show_spinner="Laying out the figure…")
def cached_comparison_file(specs: tuple[ResNetSpec, ...], level: str, costs: bool, style: str,
                           page: str, fmt: str) -> tuple[str, bytes, str]:
    """The aligned figure as a file: (name, bytes, fit note); see export_comparison."""
    e = export_comparison(cached_compare(specs), fmt, level=level, style=style, page=page,
                          show_costs=costs)
    return e.filename, e.data, e.note


MAX_SCALING: dict[str, int] = {Family.IMAGENET.value: 1000, Family.CIFAR.value: 1202}
"""The deepest depth the scaling view offers per family."""


@st.cache_data(max_entries=64, show_spinner=False)
def _curve(base: ResNetSpec, hi: int) -> list[ScalingPoint]:
    return scaling_curve(base, hi=hi)


def scaling_curves(family: Family, block: BlockKind, shortcuts: tuple[str, ...],
                   width: float, hi: int) -> tuple[dict[str, list[ScalingPoint]], list[str]]:
    """One curve per shortcut option, and the messages of options that cannot be built."""
    depth = depth_step(family, block)[1]  # the shallowest valid depth; any serves as base
    curves: dict[str, list[ScalingPoint]] = {}
    errors: list[str] = []
    for sc in shortcuts or ("B",):
        try:
            base = from_depth(depth, family=family, block=block, shortcut=sc, preact=False,
                              width_mult=width)
            curves[f"shortcut {sc}"] = _curve(base, hi)
        except ValueError as exc:
            errors.append(f"shortcut {sc}: {exc}")
    return curves, errors


@st.cache_data(max_entries=4, show_spinner=False)
def cached_published(family: str, x: str) -> Any:
    """The published-errors panel of a family against depth or MACs."""
    return render_compare.published_error_chart(family, x=x)


GRADIENT_BATCH = 4
"""A small, quick probe (one seed): the overlay shows profile shapes, not converged statistics."""


def gradient_section(comp: Comparison) -> None:
    """A button that probes every configuration (progress shown, cached) and overlays them."""
    st.subheader("Gradient profiles")
    st.caption(f"Measured on request: each configuration and its plain twin (same weights), "
               f"one forward and backward pass on random inputs, batch "
               f"{GRADIENT_BATCH}, ImageNet nets at 64x64. Results are cached.")
    if not st.button("Measure gradient profiles", key="compare.grad",
                     icon=":material/monitoring:"):
        return
    reports = []
    for spec, label in zip(comp.specs, comp.labels, strict=True):
        size = (64, 64) if spec.family is Family.IMAGENET else spec.input_size
        try:
            config = ProbeConfig(input_size=size, batch=GRADIENT_BATCH, seeds=1)
            update, done = progress_bar(f"Probing {label}")
            reports.append(cached_probe(spec, config, update))
            done()
        except ValueError as exc:
            st.text(f"{label}: {exc}")
            return
    st.plotly_chart(gradient_charts.gradient_overlay(reports, comp.labels),
                    key="compare.grad_chart")

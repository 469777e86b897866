"""The shared sidebar: keyed widgets -> one validated spec (+ run options).

Every widget is bound to the URL (``bind="query-params"``), so the address bar
always holds the whole configuration and a copied link reproduces the view.
Values that are not valid in a link are reported with ``st.warning`` and fall
back to the defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import streamlit as st
import torch

from resnet_viz.arch import limits
from resnet_viz.arch.dtypes import DTYPE_BYTES
from resnet_viz.arch.presets import STANDARD_DEPTHS, preset_for, spec_from_choices
from resnet_viz.arch.spec import (
    BlockKind,
    Family,
    ResNetSpec,
    Variant,
    parse_blocks,
    parse_input_size,
)
from resnet_viz.ui.safe import error as safe_error
from resnet_viz.ui.safe import shorten
from resnet_viz.ui.safe import warning as safe_warning

CUSTOM = "custom"
AUTO = "auto"
WIDTH_MULTS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0)
SHORTCUT_HELP: dict[str, str] = {
    AUTO: "family default (B ImageNet, A CIFAR)",
    "A": "A: zero-padded identity",
    "B": "B: projection where the shape changes",
    "C": "C: projection on every block",
    "D": "D: avg-pool + projection (ResNet-D)",
}
FAMILY_LABEL: dict[str, str] = {"imagenet": "ImageNet (4 stages, 224²)",
                                "cifar": "CIFAR (3 stages, 32²)"}
_WHOLE = re.compile(r"[0-9]{1,12}")
# every URL key the sidebar binds (other pages bind their own, outside arch.* and run.*)
_OWN_KEYS: tuple[str, ...] = (
    "arch.family", "arch.depth", "arch.custom_depth", "arch.blocks", "arch.block",
    "arch.variant", "arch.shortcut", "arch.preact", "arch.shortcuts", "arch.width_mult",
    "arch.groups", "arch.width_per_group", "arch.classes", "arch.input", "run.device",
    "run.batch", "run.dtype")


@dataclass(frozen=True)
class RunOptions:
    """Where and how to build and measure (not part of the architecture)."""

    device: str
    batch: int
    dtype: str

    @property
    def dtype_bytes(self) -> int:
        """Bytes per element of ``dtype``."""
        return DTYPE_BYTES[self.dtype]


@dataclass(frozen=True)
class Selection:
    """What the sidebar produced: a spec (or the error that prevented one)."""

    spec: ResNetSpec
    run: RunOptions
    error: str | None = None  # set when the widgets were invalid; spec is then the last valid


def devices() -> list[str]:
    """``cpu`` plus ``cuda`` where a CUDA device is present."""
    return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]


def depth_options(family: str) -> list[str]:
    """The standard depths of a family plus ``custom``."""
    return [str(d) for d in STANDARD_DEPTHS[Family(family)]] + [CUSTOM]


def depth_label(family: str, option: str) -> str:
    """``50`` -> ``ResNet-50``; custom stays as is."""
    if option == CUSTOM:
        return "custom depth / blocks…"
    preset = preset_for(family, int(option))
    extra = f" ({preset.block}{', pre-act' if preset.preact else ''})" if preset else ""
    return f"ResNet-{option}{extra}"


def _url_family() -> str:
    """The family the widgets will use: the link's when valid, else the default."""
    value = st.query_params.get("arch.family")
    return value if value in {f.value for f in Family} else Family.IMAGENET.value


def _choice_problems() -> list[str]:
    qp = st.query_params
    choices: dict[str, list[str]] = {
        "arch.family": [f.value for f in Family],
        "arch.depth": depth_options(_url_family()),  # the family actually used
        "arch.block": [AUTO] + [b.value for b in BlockKind],
        "arch.variant": [v.value for v in Variant],
        "arch.shortcut": list(SHORTCUT_HELP),
        "arch.preact": [AUTO, "on", "off"],
        "arch.shortcuts": ["true", "false"],
        "arch.width_mult": [str(w) for w in WIDTH_MULTS],
        "run.device": devices(),
        "run.dtype": list(DTYPE_BYTES),
    }
    problems = []
    for key, allowed in choices.items():
        value = qp.get(key)
        if value is not None and value not in allowed:
            problems.append(f"{key}={shorten(value)} is not one of {', '.join(allowed)}")
    return problems


def _number_problems() -> list[str]:
    qp = st.query_params
    problems = []
    for key, lo, hi in (("arch.custom_depth", limits.MIN_DEPTH, limits.MAX_DEPTH),
                        ("arch.groups", limits.GROUPS.lo, limits.GROUPS.hi),
                        ("arch.width_per_group", limits.WIDTH_PER_GROUP.lo,
                         limits.WIDTH_PER_GROUP.hi),
                        ("run.batch", limits.FIGURE_BATCH.lo, limits.FIGURE_BATCH.hi),
                        ("arch.classes", limits.CLASSES.lo, limits.CLASSES.hi)):
        value = qp.get(key)
        # ASCII digits only: str.isdigit() also accepts "²", which int() rejects
        if value is not None and not (_WHOLE.fullmatch(value) and lo <= int(value) <= hi):
            problems.append(f"{key}={shorten(value)} is not a whole number from {lo:g} to {hi:g}")
    return problems


def _check_url() -> list[str]:
    """Warnings for link values the widgets will reject or reinterpret (plain text)."""
    qp = st.query_params
    messages = [f"Link value ignored: {p}. Using the default instead."
                for p in _choice_problems() + _number_problems()]
    for key in _OWN_KEYS:
        values = qp.get_all(key)
        if len(values) > 1:  # Streamlit's widgets take the last one
            messages.append(f"Link setting {key} is given {len(values)} times; using the last "
                            f"one, {shorten(values[-1])}.")
    unknown = sorted(k for k in qp if k.startswith(("arch.", "run.")) and k not in _OWN_KEYS)
    if unknown:
        names = shorten(", ".join(unknown[:5]) + (", …" if len(unknown) > 5 else ""))
        messages.append(f"Link settings ignored: {len(unknown):,} unknown ({names}). "
                        f"The sidebar's settings are {', '.join(_OWN_KEYS)}.")
    return messages


def _int(x: Any) -> int | None:
    return None if x is None else int(x)


def default_depth(family: str) -> str:
    """The depth shown when a family is first picked."""
    return "50" if family == Family.IMAGENET else "56"


def _family_changed() -> None:
    """A depth of the old family means nothing in the new one: reset it (and the URL)."""
    st.session_state["arch.depth"] = default_depth(st.session_state["arch.family"])


def _architecture_widgets() -> dict[str, Any]:
    ss = st.sidebar
    # Bound widgets show their raw values: the URL stores the displayed option, and
    # links must use the same values as the CLI (imagenet, 50, B, ...).
    family = ss.selectbox("Family", [f.value for f in Family], key="arch.family",
                          help=" · ".join(FAMILY_LABEL.values()), bind="query-params",
                          on_change=_family_changed)
    opts = depth_options(family)
    # Once the key is in session state (the family callback sets it) a default index
    # would clash with it: Streamlit logs a warning with a stack trace for that.
    index = None if "arch.depth" in st.session_state else opts.index(default_depth(family))
    depth = ss.selectbox("Depth", opts, index=index, key="arch.depth",
                         bind="query-params", help="standard depths of the family, or custom")
    depth = depth if depth in opts else default_depth(family)
    if depth != CUSTOM:
        ss.caption(depth_label(family, depth))
    v: dict[str, Any] = {"family": family, "depth": None, "blocks": None}
    if depth == CUSTOM:
        v["depth"] = ss.number_input(
            "Custom depth", min_value=limits.MIN_DEPTH, max_value=limits.MAX_DEPTH, value=26,
            step=1,
            key="arch.custom_depth", bind="query-params",
            help="ImageNet: 2·blocks+2 (basic) or 3·blocks+2 (bottleneck); "
                 "CIFAR: 6n+2 (basic) or 9n+2 (bottleneck)")
        blocks_text = ss.text_input(
            "Blocks per stage (optional)", value="", key="arch.blocks", bind="query-params",
            placeholder="e.g. 3,4,6,3 — overrides the depth")
        v["blocks"] = blocks_text  # parsed after every widget is drawn
    else:
        v["depth"] = int(depth)
    block = ss.selectbox("Block", [AUTO, *(b.value for b in BlockKind)], key="arch.block",
                         bind="query-params", help="auto: as the depth implies")
    v["block"] = None if block == AUTO else block
    v["variant"] = ss.radio("Stride placement", [x.value for x in Variant], index=1,
                            key="arch.variant", horizontal=True, bind="query-params",
                            help="v1: stride on the bottleneck's first 1x1 (paper); "
                                 "v1.5: on the 3x3 (torchvision)")
    sc = ss.selectbox("Shortcut option", list(SHORTCUT_HELP), key="arch.shortcut",
                      help="  \n".join(SHORTCUT_HELP.values()), bind="query-params")
    v["shortcut"] = None if sc == AUTO else sc
    pre = ss.selectbox("Pre-activation", [AUTO, "on", "off"], key="arch.preact",
                       bind="query-params", help="auto: the preset's (on for CIFAR 164/1001)")
    v["preact"] = None if pre == AUTO else pre == "on"
    v["shortcuts"] = ss.toggle("Shortcuts (off = plain net)", value=True, key="arch.shortcuts",
                               bind="query-params")
    with ss.expander("Width, groups, input", expanded=False):
        v["width_mult"] = st.select_slider("Width multiplier", WIDTH_MULTS, value=1.0,
                                           key="arch.width_mult", bind="query-params")
        v["groups"] = int(st.number_input("Groups (ResNeXt cardinality)", int(limits.GROUPS.lo),
                                          int(limits.GROUPS.hi), 1, key="arch.groups",
                                          bind="query-params"))
        v["width_per_group"] = int(st.number_input(
            "Width per group", int(limits.WIDTH_PER_GROUP.lo), int(limits.WIDTH_PER_GROUP.hi),
            64, key="arch.width_per_group", bind="query-params",
            help="torchvision's width_per_group: 128 = Wide ResNet-x-2; 4 with 32 groups "
                 "= ResNeXt 32x4d"))
        v["num_classes"] = _int(st.number_input(
            "Classes (blank = family default)", int(limits.CLASSES.lo), int(limits.CLASSES.hi),
            None, key="arch.classes", bind="query-params"))
        text = st.text_input("Input size H×W (blank = family default)", "", key="arch.input",
                             placeholder="224x224" if family == "imagenet" else "32x32",
                             bind="query-params")
        v["input_size"] = text  # parsed after every widget is drawn
    return v


def _parse(v: dict[str, Any]) -> ResNetSpec:
    """Widget values -> spec; texts are parsed here so a bad one never hides later widgets."""
    v = dict(v)
    blocks, size = v.pop("blocks"), v.pop("input_size")
    return spec_from_choices(
        blocks=parse_blocks(blocks) if blocks and blocks.strip() else None,
        input_size=parse_input_size(size) if size and size.strip() else None, **v)


def _run_widgets() -> RunOptions:
    ss = st.sidebar
    ss.divider()
    device = ss.selectbox("Device", devices(), key="run.device", bind="query-params",
                          help="CUDA is listed only when a GPU is present")
    batch = int(ss.number_input("Batch size (memory figures)", int(limits.FIGURE_BATCH.lo),
                                int(limits.FIGURE_BATCH.hi), 1, key="run.batch",
                                bind="query-params"))
    dtype = ss.selectbox("dtype", list(DTYPE_BYTES), key="run.dtype", bind="query-params")
    return RunOptions(device=device, batch=batch, dtype=dtype)


def render_sidebar() -> Selection:
    """Draw the shared sidebar and return the selection (never raises for bad input)."""
    for message in _check_url():
        safe_warning(message)
    st.sidebar.title("ResNet")
    error = None
    values = _architecture_widgets()
    try:
        spec = _parse(values)
    except ValueError as exc:
        error = str(exc)
        spec = st.session_state.get("_last_valid_spec") or spec_from_choices()
        safe_error(error, sidebar=True)
    else:
        st.session_state["_last_valid_spec"] = spec
    run = _run_widgets()
    return Selection(spec=spec, run=run, error=error)

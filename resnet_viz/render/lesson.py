"""The lesson: ten steps that follow the argument of the ResNet paper, as generated text.

Each step is a digit-free sentence template plus the values put into it, all
computed from specs and analyses here or cited (labelled "published", with the
source) from :mod:`resnet_viz.arch.paper`; the tests check that no template
holds a digit, so no number can be typed into the prose. A step also names the
figure the page shows beside it; the figures are built by the functions below
or by the renderers they name, never here from hand-written data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

from resnet_viz.analysis.compare import compare
from resnet_viz.analysis.layers import Analysis, LayerRecord, analyse
from resnet_viz.analysis.scaling import ScalingPoint, scaling_curve
from resnet_viz.arch.paper import (
    DEGRADATION_FIGURE_DEPTHS,
    DEGRADATION_FIGURE_SOURCE,
    IMAGENET_ERROR_SOURCE,
    PLAIN_TABLE_SOURCE,
    PLAIN_VS_RESIDUAL,
    paper_flops,
    published_errors,
)
from resnet_viz.arch.plan import OpKind
from resnet_viz.arch.presets import STANDARD_DEPTHS, default_block, from_depth
from resnet_viz.arch.spec import (
    FAMILY_INFO,
    BlockKind,
    Family,
    ResNetSpec,
    Shortcut,
    ShortcutKind,
)
from resnet_viz.fmt import fmt_count, fmt_factor, fmt_shape, fmt_spatial
from resnet_viz.lab.train import Degradation, Kind
from resnet_viz.probes.gradients import GradientReport, ProbeConfig, residual_ratio_caption
from resnet_viz.probes.gradients import summarise as summarise_probe

# The live probe of the gradient steps: small enough to run in a second or two on a CPU.
PROBE_DEPTH = 20
PROBE_BATCH = 8
PROBE_CONFIG = ProbeConfig(batch=PROBE_BATCH, seeds=1, layers=False)
# The depths of the "going deeper" step: the paper's deepest CIFAR network and its best one.
DEEP_DEPTH = 1202
BEST_DEPTH = 110
CIFAR_DATASET = "CIFAR-10"  # a name: a value, so the templates stay digit-free


class Figure(StrEnum):
    """What the page shows beside a step's text."""

    DEGRADATION = "degradation"  # the published plain vs residual errors (table)
    ANATOMY = "anatomy"  # basic and bottleneck block, layer level
    BLOCK_PARAMS = "block params"  # the two blocks' convs and parameters (table)
    SHORTCUTS = "shortcuts"  # options A/B/C: params and MACs (table)
    TABLE1 = "table1"  # the paper's Table 1 for the configuration
    STAGE_COST = "stage cost"  # parameters and MACs per stage (chart)
    PAIR = "pair"  # plain twin beside the residual network (diagram)
    GRADIENTS = "gradients"  # the live probe's gradient profile
    RESIDUAL_RATIO = "residual ratio"  # the probe's ||F(x)|| / ||x|| per block
    SCALING = "scaling"  # numbers against depth to the deepest network


@dataclass(frozen=True)
class Step:
    """One step: a title, a digit-free template, the values put into it, a figure."""

    key: str
    title: str
    template: str
    values: Mapping[str, str] = field(default_factory=dict)
    figure: Figure = Figure.ANATOMY
    needs_probe: bool = False  # the text waits for the live probe

    @property
    def text(self) -> str:
        """The finished prose."""
        return self.template.format(**self.values)


def probe_spec() -> ResNetSpec:
    """The network the gradient steps probe (CIFAR, :data:`PROBE_DEPTH` layers)."""
    return from_depth(PROBE_DEPTH, family=Family.CIFAR)


def table1_spec(spec: ResNetSpec) -> ResNetSpec:
    """``spec`` at its family's own input size (the paper's Table 1 is at 224×224)."""
    return spec.with_(input_size=FAMILY_INFO[spec.family].default_input)


def _pct(x: float) -> str:
    return f"{x:.2f}%"


# ----------------------------------------------------------------------------- steps
def degradation() -> Step:
    """The degradation problem, cited from the paper (Table 2 and Figure 1)."""
    (d_lo, p_lo, _), (d_hi, p_hi, _) = PLAIN_VS_RESIDUAL[0], PLAIN_VS_RESIDUAL[-1]
    c_lo, c_hi = DEGRADATION_FIGURE_DEPTHS
    worse = "higher" if p_hi > p_lo else "lower"
    return Step("degradation", "The degradation problem", (
        "A deeper network should never be worse: its extra layers could copy the identity. "
        "Yet the paper's plain-{d_hi} has a {worse} ImageNet error than plain-{d_lo}: "
        "{p_hi} against {p_lo} (published, {src_t}). On {cifar} plain-{c_hi} is worse than "
        "plain-{c_lo} in training error too, so it is not overfitting (published, {src_f}). "
        "The deeper plain network is harder to optimise: the degradation problem."),
        {"d_lo": str(d_lo), "d_hi": str(d_hi), "p_lo": _pct(p_lo), "p_hi": _pct(p_hi),
         "worse": worse, "c_lo": str(c_lo), "c_hi": str(c_hi), "src_t": PLAIN_TABLE_SOURCE,
         "src_f": DEGRADATION_FIGURE_SOURCE, "cifar": CIFAR_DATASET}, Figure.DEGRADATION)


def degradation_table() -> pd.DataFrame:
    """The published plain and residual errors behind the first step (labelled)."""
    return pd.DataFrame(
        [{"layers": str(d), "plain, top-1 error (published)": _pct(p),
          "ResNet, top-1 error (published)": _pct(r)} for d, p, r in PLAIN_VS_RESIDUAL])


def lab_run(run: Degradation) -> Step | None:
    """The Lab page's run, measured: final training errors of plain and residual nets.

    Returns ``None`` before the run's first epoch has ended.
    """
    deep, low = run.config.depths[-1], run.config.depths[0]
    p, r = run.net(Kind.PLAIN, deep), run.net(Kind.RESIDUAL, deep)
    if not (p.train_acc and r.train_acc):
        return None
    if p.final_error > r.final_error:
        verdict = "the plain net trained worse, as the paper says"
    elif p.final_error < r.final_error:
        verdict = "the plain net trained better, so this run does not show the paper's claim"
    else:
        verdict = "both reached the same training error"
    shallow = ""
    if low != deep:
        lo = run.net(Kind.PLAIN, low)
        word = ("higher than" if p.final_error > lo.final_error else
                "lower than" if p.final_error < lo.final_error else "the same as")
        shallow = (f"; plain-{deep}'s training error is {word} plain-{low}'s "
                   f"({_pct(100 * lo.final_error)})")
    epochs = run.epochs_done
    return Step("lab", "Measured live on the Lab page", (
        "The latest run on the Lab page trained on digits for {epochs} {epoch_word}{stopped}: "
        "plain-{deep} ended with training error {p_err} against {r_err} for residual-{deep} "
        "(measured) — {verdict}{shallow}."),
        {"epochs": str(epochs), "epoch_word": "epoch" if epochs == 1 else "epochs",
         "stopped": " (stopped early)" if run.stopped else "", "deep": str(deep),
         "p_err": _pct(100 * p.final_error), "r_err": _pct(100 * r.final_error),
         "verdict": verdict, "shallow": shallow}, Figure.DEGRADATION)


def residual_block(spec: ResNetSpec, an: Analysis) -> Step:
    """y = F(x) + x, on the configuration's first block."""
    b = an.blocks[0]
    return Step("residual", "The residual block: y = F(x) + x", (
        "Instead of asking a few layers to learn a mapping H(x), a residual block learns the "
        "difference F(x) = H(x) − x and adds its input back: y = F(x) + x. If the identity "
        "is best, the block only has to push F towards zero. In {name}, block {block} takes "
        "{inp} to {out}; {kind}."),
        {"name": spec.name, "block": b.name, "inp": fmt_shape(b.in_shape),
         "out": fmt_shape(b.out_shape),
         "kind": f"its shortcut is {b.shortcut}" if b.shortcut is not ShortcutKind.NONE
         else "it has no shortcut: this is the plain network (switch shortcuts on in the "
              "sidebar)"}, Figure.ANATOMY)


def _convs(an: Analysis, block: str) -> list[LayerRecord]:
    return [r for r in an.layers if r.name.startswith(block + ".") and r.path == "main"
            and r.type == OpKind.CONV.value]


def block_pair() -> tuple[list[LayerRecord], list[LayerRecord]]:
    """The main-path convs of a 256-channel basic block (ResNet-34's conv4_x) and of a
    bottleneck on 256 channels (ResNet-50's conv2_x), both later blocks (stride 1)."""
    basic = analyse(from_depth(34, block=BlockKind.BASIC))
    bottleneck = analyse(from_depth(50, block=BlockKind.BOTTLENECK))
    return _convs(basic, "layer3.1"), _convs(bottleneck, "layer1.1")


def block_params_table() -> pd.DataFrame:
    """Every conv of the two blocks of :func:`block_pair` with its parameters (computed)."""
    rows = []
    for kind, convs in zip(("basic", "bottleneck"), block_pair(), strict=True):
        rows += [{"block": kind, "conv": f"{r.kernel}×{r.kernel}",
                  "channels": f"{r.in_shape[0]} → {r.out_shape[0]}", "params": r.params}
                 for r in convs]
    return pd.DataFrame(rows)


def basic_vs_bottleneck() -> Step:
    """Parameters of a 256-channel 3×3 pair against a 1×1-3×3-1×1 bottleneck."""
    basic, bneck = block_pair()
    p_basic, p_bneck = sum(r.params for r in basic), sum(r.params for r in bneck)
    first_bneck = min(d for d in STANDARD_DEPTHS[Family.IMAGENET]
                      if default_block(Family.IMAGENET, d) is BlockKind.BOTTLENECK)
    kernels = "-".join(f"{r.kernel}×{r.kernel}" for r in bneck)
    return Step("bottleneck", "Basic or bottleneck block", (
        "A basic block is a pair of {k}×{k} convs; on {c} channels they hold {basic} "
        "parameters. A bottleneck ({kernels}) squeezes the same {c} channels to {mid}, runs "
        "the {k}×{k} conv there and expands back: {bneck} parameters, {ratio}× fewer. So the "
        "paper's networks from {first} layers on use bottlenecks (computed from the specs)."),
        {"k": str(basic[0].kernel), "c": str(basic[0].in_shape[0]), "basic": f"{p_basic:,}",
         "kernels": kernels, "mid": str(bneck[0].out_shape[0]), "bneck": f"{p_bneck:,}",
         "ratio": fmt_factor(p_basic / p_bneck), "first": str(first_bneck)},
        Figure.BLOCK_PARAMS)


def shortcut_specs(spec: ResNetSpec) -> list[ResNetSpec]:
    """``spec`` under options A, B and C (those it can take), shortcuts on."""
    out = []
    for option in (Shortcut.ZERO_PAD, Shortcut.PROJECT_ON_CHANGE, Shortcut.PROJECT_ALL):
        try:
            out.append(spec.with_(shortcuts=True, shortcut=option))
        except ValueError:  # e.g. zero-padding cannot shrink channels
            continue
    return out


def shortcuts_table(spec: ResNetSpec) -> pd.DataFrame:
    """Parameters and MACs of each option A/B/C for ``spec`` (computed)."""
    specs = shortcut_specs(spec)
    return pd.DataFrame([{"option": str(s.shortcut), "params": an.params, "MACs": an.macs}
                         for s, an in zip(specs, map(analyse, specs), strict=True)]
                        ).set_index("option")


def shortcut_options(spec: ResNetSpec) -> Step:
    """What options A/B/C add for the configuration, and the paper's Table 3 errors."""
    specs = shortcut_specs(spec)
    comp = compare(specs) if len(specs) > 1 else None
    base = analyse(specs[0])
    parts = []
    for s, an in zip(specs, comp.analyses if comp else (base,), strict=True):
        extra = f"+{fmt_count(an.params - base.params)} params, " \
                f"+{fmt_count(an.macs - base.macs)} MACs" if s != specs[0] else "the baseline"
        parts.append(f"{s.shortcut}: {extra}")
    table3 = [p for p in published_errors(Family.IMAGENET) if p.shortcuts and p.depth == 34]
    best = min(table3, key=lambda p: p.error)
    return Step("shortcuts", "Shortcut options A, B and C", (
        "Where a block changes the shape, option A subsamples the input and pads the new "
        "channels with zeros (no parameters); B adds a projection conv there; C projects "
        "on every block. For {name} (computed, relative to {first}): {parts}. The paper's "
        "ResNet-{depth} errors: {errors}, best with option {best} (published, {src}): "
        "projections help a little, so they are not what fixes degradation."),
        {"name": spec.name, "first": str(specs[0].shortcut), "parts": "; ".join(parts),
         "depth": str(best.depth), "best": str(best.shortcut), "src": IMAGENET_ERROR_SOURCE,
         "errors": ", ".join(f"{p.shortcut} {_pct(p.error)}" for p in table3)},
        Figure.SHORTCUTS)


def whole_network(spec: ResNetSpec) -> Step:
    """The whole network as the paper's Table 1, at the family's own input size."""
    s = table1_spec(spec)
    an = analyse(s)
    published = paper_flops(s)
    cite = (f" The paper printed {fmt_count(published)} multiply-adds for it (published, "
            "He et al. 2015, Table 1).") if published else ""
    last = an.stage_rows[-1]
    return Step("network", "The whole network, as the paper tabulates it", (
        "Stack the blocks in stages that halve the map and widen the channels. {name} at "
        "{size}: a stem, {stages} stages of {blocks} blocks, global pooling and one fc; "
        "{last} leaves {shape}. {params} parameters, {macs} MACs per image (computed).{cite}"),
        {"name": s.name, "size": fmt_spatial((0, *s.input_size)), "stages": str(len(s.stages)),
         "blocks": ", ".join(map(str, s.blocks)), "last": last.name,
         "shape": fmt_shape(last.output_shape), "params": fmt_count(an.params),
         "macs": fmt_count(an.macs), "cite": cite}, Figure.TABLE1)


def stage_cost(spec: ResNetSpec, an: Analysis) -> Step:
    """Which Table-1 row holds most parameters and which most MACs."""
    top_p = max(an.rows, key=lambda r: r.params)
    top_m = max(an.rows, key=lambda r: r.macs)
    lead = ("Parameters and compute sit in different places" if top_p.name != top_m.name
            else "Here parameters and compute sit in the same place")
    return Step("cost", "Where the cost goes", (
        "{lead}: in {name} at {size}, {row_p} holds {share_p} of the parameters, while "
        "{row_m} does {share_m} of the MACs (computed). A conv's parameters grow with its "
        "channels, its MACs with channels times the map's area."),
        {"lead": lead, "name": spec.name, "size": fmt_spatial((0, *spec.input_size)),
         "row_p": top_p.name, "share_p": f"{100 * top_p.params / an.params:.0f}%",
         "row_m": top_m.name, "share_m": f"{100 * top_m.macs / an.macs:.0f}%"},
        Figure.STAGE_COST)


def plain_twin() -> Step:
    """The plain twin of the probed network."""
    s = probe_spec()
    return Step("twin", "The plain twin", (
        "To see what the shortcuts do, take them away: the plain twin {plain} has the same "
        "{depth} weighted layers and shares every weight with {name}. Only the additions "
        "differ."), {"plain": s.with_(shortcuts=False).name, "depth": str(s.depth),
                     "name": s.name}, Figure.PAIR)


def gradients(report: GradientReport | None) -> Step:
    """The live probe: gradients with and without shortcuts."""
    s = probe_spec()
    values = {"name": s.name, "batch": str(PROBE_CONFIG.batch),
              "seed": str(PROBE_CONFIG.first_seed), "caption": ""}
    if report is not None:
        values["caption"] = " " + summarise_probe(report).caption
    return Step("gradients", "Gradients with and without shortcuts", (
        "One forward and backward pass of {name} and its plain twin on the same random batch "
        "of {batch} (seed {seed}), measured live.{caption}"), values, Figure.GRADIENTS,
        needs_probe=True)


def why_it_works(report: GradientReport | None) -> Step:
    """The residual ratio ||F(x)|| / ||x|| from the probe."""
    caption = residual_ratio_caption(report) if report is not None else ""
    n = sum(probe_spec().blocks)
    return Step("why", "Why it works: ‖F(x)‖ / ‖x‖", (
        "Each block adds its branch F(x) to the signal on the shortcut, and the gradient "
        "flows back through every addition unchanged. Unrolled, the {n} blocks of {name} "
        "give {paths} paths from input to output (each block's branch taken or skipped), "
        "most of them through about half the blocks. {caption}"),
        {"n": str(n), "name": probe_spec().name, "paths": f"{2 ** n:,}", "caption": caption},
        Figure.RESIDUAL_RATIO, needs_probe=True)


def deep_curve() -> list[ScalingPoint]:
    """Every valid CIFAR basic depth up to :data:`DEEP_DEPTH` (computed)."""
    return scaling_curve(probe_spec(), hi=DEEP_DEPTH)


def going_deeper() -> Step:
    """To the paper's deepest network, with its published error."""
    pts = {p.depth: p for p in scaling_curve(probe_spec(), [BEST_DEPTH, DEEP_DEPTH])}
    errs = {p.depth: p for p in published_errors(Family.CIFAR)}
    big, small = pts[DEEP_DEPTH], pts[BEST_DEPTH]
    e_big, e_small = errs[DEEP_DEPTH], errs[BEST_DEPTH]
    verdict = "higher" if e_big.error > e_small.error else "lower"
    return Step("deeper", "Going deeper", (
        "With shortcuts the paper trained {big} layers on {cifar}: {p_big} parameters and "
        "{m_big} MACs per image, against {p_small} and {m_small} at {small} layers (computed). "
        "It optimises fine, yet its test error is {verdict}: {e_big} against {e_small} "
        "(published, {src}); the paper puts it down to overfitting a small data set."),
        {"big": str(big.depth), "small": str(small.depth), "p_big": fmt_count(big.params),
         "m_big": fmt_count(big.macs), "p_small": fmt_count(small.params),
         "m_small": fmt_count(small.macs), "verdict": verdict, "e_big": _pct(e_big.error),
         "e_small": _pct(e_small.error), "src": e_big.source, "cifar": CIFAR_DATASET},
        Figure.SCALING)


def lesson_steps(spec: ResNetSpec, an: Analysis | None = None,
                 report: GradientReport | None = None) -> tuple[Step, ...]:
    """All steps, in the paper's order, for the configuration ``spec``.

    Args:
        spec: the sidebar's configuration (steps that depend on it use it).
        an: ``analyse(spec)``, if already computed.
        report: the live probe of :func:`probe_spec`, once it has run.
    """
    an = an or analyse(spec)
    return (degradation(), residual_block(spec, an), basic_vs_bottleneck(),
            shortcut_options(spec), whole_network(spec), stage_cost(spec, an), plain_twin(),
            gradients(report), why_it_works(report), going_deeper())

"""The ``resnet-viz gradients`` subcommand.

``resnet-viz gradients --family cifar --depth 56 --bn-mode train --seeds 3 --json``
prints per-block norms of the residual net and its plain twin and the derived
first/last ratios. Torch is imported only when the command runs, so the rest of
the CLI starts fast.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from resnet_viz.gradients import GradientReport


def register(sub: Any) -> None:
    """Add the ``gradients`` subcommand to the CLI's subparsers object."""
    from resnet_viz.cli import add_spec_args  # here: resnet_viz.cli imports this module

    p = sub.add_parser("gradients", help="gradient norms per block, with and without shortcuts")
    add_spec_args(p)
    g = p.add_argument_group("probe")
    g.add_argument("--bn-mode", choices=["train", "eval"], default="train",
                   help="BatchNorm statistics: train (batch) or eval (running; the identity "
                        "at initialisation)")
    g.add_argument("--batch", type=int, default=16)
    g.add_argument("--seeds", type=int, default=1, help="independent initialisations")
    g.add_argument("--first-seed", type=int, default=0)
    g.add_argument("--loss", choices=["ce", "sum"], default="ce",
                   help="cross-entropy on random labels, or the sum of the logits")
    g.add_argument("--input-kind", choices=["normal", "images"], default="normal",
                   help="random normal batch, or crops of the bundled photographs")
    g.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto")
    g.add_argument("--dtype", choices=["float32", "float64", "bfloat16", "float16"],
                   default="float32")
    g.add_argument("--metric", choices=["activation_grad", "weight_grad"],
                   default="activation_grad", help="the metric of the caption's ratio")
    g.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=run)
    # argparse's own errors: one line and status 2, as every other invalid input
    setattr(p, "error", _one_line_error)  # noqa: B010 - instance override of a method


def _one_line_error(message: str) -> NoReturn:
    sys.stderr.write(f"resnet-viz: error: {message}\n")
    raise SystemExit(2)


def run(a: argparse.Namespace) -> str:
    """Run the probe for the parsed flags; returns the text to print.

    Raises:
        ValueError: for any invalid flag or a network that cannot run on this input.
    """
    from resnet_viz import gradients as gr
    from resnet_viz.cli import spec_from_args

    spec = spec_from_args(a)
    if spec.shortcuts is False:
        spec = spec.with_(shortcuts=True)  # the probe always builds both twins
    config = gr.ProbeConfig(bn_mode=a.bn_mode, batch=a.batch, seeds=a.seeds, loss=a.loss,
                            device=a.device, dtype=a.dtype, input_kind=a.input_kind,
                            first_seed=a.first_seed, layers=False)  # output is per block
    report = gr.run_probe(spec, config)
    if a.json:
        return json.dumps(to_json_dict(report, caption_metric=a.metric), indent=1)
    return to_text(report, caption_metric=a.metric)


def _floats(values: Any) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in values]


def _net_dict(report: GradientReport, net: str) -> dict[str, Any]:
    n = report.net(net)
    return {
        "names": list(n.blocks),
        "weight_grad": _floats(n.weight_grad.mean),
        "activation_grad": _floats(n.activation_grad.mean),
        "activation": _floats(n.activation.mean),
        "residual_ratio": None if n.residual_ratio is None else _floats(n.residual_ratio.mean),
        "loss": _floats(n.loss),
    }


def to_json_dict(report: GradientReport, *,
                 caption_metric: str = "activation_grad") -> dict[str, Any]:
    """The JSON contract: per-block arrays for both twins (geometric means over seeds),
    first/last ratios for both gradient metrics, and the generated captions."""
    from resnet_viz import gradients as gr

    derived = {}
    for metric in (gr.Metric.ACTIVATION_GRAD, gr.Metric.WEIGHT_GRAD):
        s = gr.summarise(report, metric)
        derived[str(metric)] = {"residual": s.residual.to_dict(), "plain": s.plain.to_dict(),
                                "caption": s.caption}
    return {
        "spec": report.spec.to_dict(), "name": report.spec.name,
        "config": report.config.to_dict(),
        "weight_grad_scope": "main-path convs and BatchNorm of each block; shortcut "
                             "projections excluded",
        "residual": _net_dict(report, "residual"), "plain": _net_dict(report, "plain"),
        "derived": derived,
        "caption": derived[caption_metric]["caption"],
        "residual_ratio_caption": gr.residual_ratio_caption(report),
    }


def to_text(report: GradientReport, *, caption_metric: str = "activation_grad") -> str:
    """A plain-text table (one row per block) followed by the captions."""
    from resnet_viz import gradients as gr

    r, p = report.residual, report.plain
    ratio = r.residual_ratio.mean if r.residual_ratio is not None else [math.nan] * len(r.blocks)
    head = (f"{'block':<12}{'res dL/da':>12}{'plain dL/da':>13}{'res dL/dθ':>12}"
            f"{'plain dL/dθ':>13}{'‖F‖/‖s‖':>10}")
    rows = [f"{n:<12}{a:>12.4g}{b:>13.4g}{c:>12.4g}{d:>13.4g}{e:>10.3f}"
            for n, a, b, c, d, e in zip(r.blocks, r.activation_grad.mean,
                                        p.activation_grad.mean, r.weight_grad.mean,
                                        p.weight_grad.mean, ratio, strict=True)]
    c = report.config
    title = (f"{report.spec.name} vs its plain twin · BN {c.bn_mode} · batch {c.batch} · "
             f"{c.seeds} seed(s) · loss {c.loss} · {c.device} {c.dtype}")
    captions = [gr.summarise(report, caption_metric).caption, gr.residual_ratio_caption(report)]
    return "\n".join([title, head, *rows, "", *captions])

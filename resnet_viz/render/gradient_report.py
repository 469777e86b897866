"""Gradient probe results -> JSON-ready data and a plain-text table (values, never printed)."""

from __future__ import annotations

import math
from typing import Any

from resnet_viz.probes import gradients as gr
from resnet_viz.probes.gradients import GradientReport


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

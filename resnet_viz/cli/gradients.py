"""The ``resnet-viz gradients`` subcommand.

``resnet-viz gradients --family cifar --depth 56 --bn-mode train --seeds 3 --json``
prints per-block norms of the residual net and its plain twin and the derived
first/last ratios. Torch is imported only when the command runs, so the rest of
the CLI starts fast.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from resnet_viz.cli.args import add_spec_args, spec_from_args


def register(sub: Any) -> None:
    """Add the ``gradients`` subcommand to the CLI's subparsers object."""
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


def run(a: argparse.Namespace) -> str:
    """Run the probe for the parsed flags; returns the text to print.

    The probe's memory is estimated first and refused above the budget
    (``RESNET_VIZ_MEMORY_BUDGET_MB``) with a batch or input that fits; running out
    of memory anyway is reported in one line too.

    Raises:
        ValueError: for any invalid flag, a probe above the memory budget, memory
            running out, or a network that cannot run on this input.
    """
    import torch  # torch loads only when the probe runs

    from resnet_viz.analysis import budget
    from resnet_viz.arch.dtypes import DTYPE_BYTES
    from resnet_viz.probes import gradients as gr
    from resnet_viz.render.gradient_report import to_json_dict, to_text

    spec = spec_from_args(a)
    if spec.shortcuts is False:
        spec = spec.with_(shortcuts=True)  # the probe always builds both twins
    config = gr.ProbeConfig(bn_mode=a.bn_mode, batch=a.batch, seeds=a.seeds, loss=a.loss,
                            device=a.device, dtype=a.dtype, input_kind=a.input_kind,
                            first_seed=a.first_seed, layers=False)  # output is per block
    budget.check_probe(spec, batch=config.batch, dtype_bytes=DTYPE_BYTES[config.dtype],
                       input_size=config.input_size, seeds=config.seeds)
    try:
        report = gr.run_probe(spec, config)
    except (torch.OutOfMemoryError, MemoryError):
        raise ValueError(f"out of memory probing {spec.name} at batch {config.batch} on "
                         f"{config.device}; use a smaller --batch or --input") from None
    if a.json:
        return json.dumps(to_json_dict(report, caption_metric=a.metric), indent=1)
    return to_text(report, caption_metric=a.metric)

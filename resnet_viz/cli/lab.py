"""The ``resnet-viz lab`` subcommand: the lab's experiments, headless.

``resnet-viz lab degradation --depths 20,56 --epochs 5 --json`` trains the nets
and prints the numbers the Lab page plots; ``landscape`` and ``paths`` train
first (with the same options) and then probe the deepest nets; ``shatter``
needs no training. Torch loads only when a command runs.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

EXPERIMENTS = ("degradation", "landscape", "paths", "shatter")


def _depths(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"depths must be comma-separated integers like 20,56; got {text!r}") from None


def register(sub: Any) -> None:
    """Add the ``lab`` subcommand to the CLI's subparsers object."""
    p = sub.add_parser("lab", help="train plain vs residual nets on digits and probe them")
    p.add_argument("experiment", choices=EXPERIMENTS)
    g = p.add_argument_group("training (degradation, landscape, paths)")
    g.add_argument("--depths", type=_depths, default=None,
                   help="CIFAR depths 6n+2, e.g. 20,56 (shatter's default: 8,20,56)")
    g.add_argument("--width-mult", type=float, default=0.5)
    g.add_argument("--epochs", type=int, default=5)
    g.add_argument("--batch", type=int, default=64)
    g.add_argument("--train-size", type=int, default=512, help="training images (of 1,347)")
    g.add_argument("--lr", type=float, default=0.05)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto")
    g.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    e = p.add_argument_group("probes")
    e.add_argument("--steps", type=int, default=9, help="landscape grid points per axis (odd)")
    e.add_argument("--span", type=float, default=1.0, help="landscape reach in filter norms")
    e.add_argument("--images", type=int, default=128, help="landscape: training images used")
    e.add_argument("--samples", type=int, default=4, help="paths sampled per length")
    e.add_argument("--points", type=int, default=256, help="shatter: points on the line")
    p.add_argument("--json", action="store_true", help="print JSON instead of captions")
    p.set_defaults(run=run)


def run(a: argparse.Namespace) -> str:
    """Run one experiment for the parsed flags; returns the text to print.

    Raises:
        ValueError: for any invalid option.
    """
    from resnet_viz.lab import captions, landscape, paths, shatter
    from resnet_viz.lab.train import TrainConfig, train

    out: dict[str, Any] = {"experiment": a.experiment}
    text: list[str] = []
    if a.experiment == "shatter":
        res = shatter.shatter(a.depths or (8, 20, 56), points=a.points, width_mult=a.width_mult,
                              seed=a.seed, threads=a.threads)
        out["shatter"] = res.to_dict()
        text.append(captions.shatter_caption(res))
    else:
        if a.experiment == "landscape":
            landscape.check_grid(a.steps, a.span)  # before minutes of training
        config = TrainConfig(depths=a.depths or TrainConfig.depths, width_mult=a.width_mult,
                             epochs=a.epochs, batch=a.batch, train_size=a.train_size, lr=a.lr,
                             seed=a.seed, device=a.device, threads=a.threads)
        result = train(config)
        out["degradation"] = result.to_dict()
        text += [captions.degradation_caption(result), captions.gradient_caption(result)]
        if a.experiment == "landscape":
            pl, re = landscape.compare(result, images=a.images, steps=a.steps, span=a.span,
                                       seed=a.seed, threads=a.threads)
            out["landscape"] = {"plain": pl.to_dict(), "residual": re.to_dict()}
            text.append(captions.landscape_caption(pl, re))
        elif a.experiment == "paths":
            init, trained = paths.compare(result, samples=a.samples, seed=a.seed,
                                          threads=a.threads)
            out["paths"] = {"initialisation": init.to_dict(), "trained": trained.to_dict()}
            text.append(captions.paths_caption(init, trained))
    if a.json:
        return json.dumps(_clean(out), indent=1)
    return "\n\n".join(t for t in text if t)


def _clean(value: Any) -> Any:
    """NaN and infinities as ``null`` (JSON has neither)."""
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value

"""captum's Grad-CAM and Integrated Gradients against one bare forward + backward.

Run ``python bench/inside_gradcam.py`` (``--depth``, ``--size``, ``--repeats``,
``--device cuda``). On an already-built ResNet-50 @224 in eval mode, one image, it times

* ``bare``: one forward and one backward of the chosen logit (every parameter's
  gradient; no hooks) -- the reference;
* ``gradcam-1``: captum's ``LayerGradCam`` at one stage (layer3) for the same logit
  (target <= 1.3x bare);
* ``gradcam-all``: ``LayerGradCam`` at every stage, one call per stage as captum
  takes one layer per instance (target <= 4x bare);
* ``ig-32``: ``IntegratedGradients`` with 32 steps in internal batches of 16
  (for scale: it runs 32 images through the net).

Runs are interleaved so a busy machine slows all alike; ratios use medians, and the
minimum-based ratio is printed beside them. Timings never make the script fail.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resnet_viz.arch.presets import from_depth
from resnet_viz.probes.inside.attributions import grad_cam, integrated_gradients, stage_layers

TARGETS = {"gradcam-1": 1.3, "gradcam-all": 4.0}


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main(argv: list[str] | None = None) -> int:
    """Time every variant and print the ratios; returns 0."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--depth", type=int, default=50)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args(argv)
    from resnet_viz.model.build import build

    spec = from_depth(a.depth, input_size=(a.size, a.size))
    model = build(spec, seed=0, device=a.device).eval()
    x = torch.randn(1, 3, a.size, a.size, device=a.device)
    target = 7
    layers = stage_layers(model, spec)

    def bare() -> None:
        model.zero_grad(set_to_none=True)
        model(x)[0, target].backward()

    fns: dict[str, Callable[[], object]] = {
        "bare": bare,
        "gradcam-1": lambda: grad_cam(model, x, layers[2:3], target),
        "gradcam-all": lambda: grad_cam(model, x, layers, target),
        "ig-32": lambda: integrated_gradients(model, x, target, steps=32, batch=16),
    }
    for fn in fns.values():  # warm-up
        fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(a.repeats):
        for k, fn in fns.items():
            _sync(a.device)
            t0 = time.perf_counter()
            fn()
            _sync(a.device)
            times[k].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    low = {k: min(v) for k, v in times.items()}
    print(f"{spec.name} @{a.size}, batch 1, eval mode, {a.device}, "
          f"{torch.get_num_threads()} threads, {a.repeats} repeats (median / min)")
    for k in fns:
        ratio = med[k] / med["bare"]
        goal = TARGETS.get(k)
        verdict = "" if goal is None else (f"  target <= {goal}x: "
                                           f"{'met' if ratio <= goal else 'MISSED'}")
        print(f"  {k:<12} {med[k] * 1e3:9.1f} ms / {low[k] * 1e3:9.1f} ms   "
              f"{ratio:5.2f}x bare (min-based {low[k] / low['bare']:5.2f}x){verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

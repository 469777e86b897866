"""The ``resnet-viz inspect`` subcommand: feature maps and attributions of one image, as files.

``resnet-viz inspect --depth 18 --image chelsea --weights imagenet --out out/`` writes the
feature-map grids and Grad-CAM overlays (residual net and plain twin) as PNGs, an
Integrated Gradients overlay, and ``inspect.json`` with the top-5 and per-layer statistics.
Network access happens only for ``--weights imagenet`` when the file is not in torch
hub's cache (hash-checked). Torch loads only when the command runs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from resnet_viz.cli.args import add_spec_args, spec_from_args


def register(sub: Any) -> None:
    """Add the ``inspect`` subcommand to the CLI's subparsers object."""
    p = sub.add_parser("inspect", help="feature maps and Grad-CAM/IG of one image, as PNG + JSON")
    add_spec_args(p)
    g = p.add_argument_group("inspect")
    g.add_argument("--image", required=True,
                   help="a PNG/JPEG/WebP path or a bundled sample (astronaut, chelsea, coffee, "
                        "rocket, immunohistochemistry, hubble_deep_field)")
    g.add_argument("--weights", default=None,
                   help="a torchvision-format state_dict path, or 'imagenet' for the published "
                        "weights (default: random initialisation, seed 0)")
    g.add_argument("--target", default=None,
                   help="class index (or ImageNet name with --weights imagenet) to explain; "
                        "default: the top prediction")
    g.add_argument("--top-k", type=int, default=8, help="channels per feature-map grid")
    g.add_argument("--ig-steps", type=int, default=32, help="Integrated Gradients steps; 0 skips")
    g.add_argument("--ig-baseline", choices=["black", "mean", "blur"], default="black")
    g.add_argument("--no-plain", action="store_true", help="skip the plain twin")
    g.add_argument("--out", required=True, help="directory for the PNGs and inspect.json")
    p.set_defaults(run=run)


def _image(text: str, spec: Any) -> Any:
    from resnet_viz.probes.inside import images

    if text in images.sample_names():
        arr, name = images.sample_image(text), text
    else:
        path = Path(text)
        if not path.is_file():
            raise ValueError(f"--image {text!r} is neither a file nor a bundled sample "
                             f"({', '.join(images.sample_names())})")
        if path.stat().st_size > images.MAX_IMAGE_BYTES:  # before reading it into memory
            raise ValueError(f"--image {text!r} is {path.stat().st_size:,} bytes, over the "
                             f"limit of {images.MAX_IMAGE_BYTES:,} bytes for an image")
        arr, name = images.decode_upload(path.read_bytes(), name=path.name), path.name
    return images.preprocess(arr, spec.input_size, channels=spec.in_channels, name=name)


def _model(spec: Any, weights: str | None) -> tuple[Any, str, bool]:
    from resnet_viz.model import checkpoint, published
    from resnet_viz.model.build import build

    if weights is None:
        return build(spec, seed=0).eval(), "random initialisation (seed 0)", False
    if weights == "imagenet":
        entry = published.entry_for(spec)
        return published.load_published(spec, progress=True), f"published: {entry.file}", True
    return checkpoint.load_checkpoint(spec, weights, name=weights), f"checkpoint: {weights}", True


def _target(text: str | None, names: tuple[str, ...] | None, top: int, classes: int) -> int:
    if text is None:
        return top
    if text.isdigit():
        if int(text) >= classes:
            raise ValueError(f"--target {text} is not a class index below {classes}")
        return int(text)
    if names is not None and text in names:
        return names.index(text)
    raise ValueError(f"--target {text!r} is not a class index"
                     + (" or an ImageNet class name" if names else ""))


def run(a: argparse.Namespace) -> str:
    """Run the inspection for the parsed flags; returns the lines to print.

    Raises:
        ValueError: for any invalid flag, unreadable image or checkpoint, or a mismatch.
    """
    from resnet_viz.arch.published_weights import imagenet_classes
    from resnet_viz.model.build import plain_twin
    from resnet_viz.probes.inside import attributions as attr
    from resnet_viz.probes.inside import features
    from resnet_viz.render import inside_charts as charts

    spec = spec_from_args(a)
    if not spec.shortcuts:
        spec = spec.with_(shortcuts=True)  # the plain twin is derived from the residual net
    out = Path(a.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a directory")
    img = _image(a.image, spec)
    model, label, real = _model(spec, a.weights)
    names = imagenet_classes() if real and spec.num_classes == 1000 else None
    nets = [("residual", model)] + ([] if a.no_plain else [("plain", plain_twin(model).eval())])
    reports = [features.record_features(m, img.tensor, top_k=a.top_k, net=features.Net(n))
               for n, m in nets]
    top5 = features.top_predictions(reports[0].logits, names, 5)
    target = _target(a.target, names, top5[0][0], spec.num_classes)
    out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []

    def write(name: str, data: bytes) -> None:
        (out / name).write_bytes(data)
        written.append(name)

    for rep in reports:
        for fmap in rep.maps:
            write(f"features-{fmap.name}-{rep.net}.png", charts.feature_grid_png(fmap))
    for n, m in nets:
        for cam in attr.grad_cam(m, img.tensor, attr.stage_layers(m, spec), target):
            write(f"gradcam-{cam.name}-{n}.png",
                  charts.overlay_png(img.cropped, cam.up, label=f"{cam.name} {n}"))
    ig = None
    if a.ig_steps:
        ig = attr.integrated_gradients(model, img.tensor, target, steps=a.ig_steps,
                                       baseline=a.ig_baseline)
        write("integrated-gradients.png", charts.overlay_png(img.cropped, ig.heat, label="IG"))
    summary = {
        "spec": spec.to_dict(), "name": spec.name, "weights": label, "trained": real,
        "image": img.name, "preprocessing": img.steps(), "target": target,
        "top5": [{"class": i, "name": n, "probability": p} for i, n, p in top5],
        "stats": charts.stats_table(reports).to_dict(orient="records"),
        "integrated_gradients": None if ig is None else {
            "steps": ig.steps, "baseline": str(ig.baseline), "completeness_error": ig.delta},
        "files": written,
    }
    (out / "inspect.json").write_text(json.dumps(summary, indent=1))
    lines = [f"{spec.name} · weights: {label} · image: {img.name}"]
    if not real:
        lines.append("untrained weights: the maps show structure, not meaning; the class "
                     "probabilities below mean nothing")
    lines += [f"  {i:>4}  {p:7.2%}  {n}" for i, n, p in top5]
    lines.append(f"wrote {len(written) + 1} files to {out} (inspect.json and "
                 f"{len(written)} PNGs)")
    return "\n".join(lines)

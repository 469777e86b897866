"""The Inside page: a real image through the network, feature maps and captum attributions.

Models are cached bounded (``st.cache_resource``) and never mutated: captum
hooks a deep copy. Results are kept per session in a small LRU. Every
user-supplied string (file names, checkpoint keys, messages quoting them) is
shown with ``st.text`` or in a dataframe, never as markdown.
"""

from __future__ import annotations

import copy
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import streamlit as st
import torch

from resnet_viz.arch.limits import MAX_CHECKPOINT_BYTES, MAX_IMAGE_BYTES
from resnet_viz.arch.published_weights import WEIGHTS_SOURCE, imagenet_classes, weights_for
from resnet_viz.arch.spec import Family, ResNetSpec
from resnet_viz.lab import data as digits
from resnet_viz.lab.train import Degradation, spec_for
from resnet_viz.model import checkpoint, published
from resnet_viz.model.build import ResNet, build, plain_twin
from resnet_viz.probes.inside import attributions as attr
from resnet_viz.probes.inside import features, images
from resnet_viz.ui import lab

T = TypeVar("T")
RESULTS_PER_SESSION = 8
UNTRAINED_NOTE = ("These weights are a random initialisation: the feature maps and attributions "
                  "of an untrained network show structure (edges the first convolution happens "
                  "to respond to, what the architecture does to resolution), not meaning. The "
                  "class indices and probabilities below are meaningless.")


class Source(StrEnum):
    """Where the weights come from."""

    RANDOM = "random initialisation"
    UPLOAD = "uploaded checkpoint"
    PUBLISHED = "published ImageNet weights"
    LAB = "trained on the Lab page"


NO_LAB_RUN = "train one on the Lab page first"
LAB_IMAGE_NOTE = ("A net trained on the Lab page reads 16×16 one-channel digits, so the image "
                  "is a held-out digit (never seen in training), not a bundled photograph.")


@dataclass(frozen=True)
class Weights:
    """A loaded model and the words that say which weights it holds."""

    model: ResNet
    key: Hashable
    label: str
    real: bool
    spec: ResNetSpec | None = None  # the weights' own spec when it is not the sidebar's
    classes: tuple[str, ...] | None = None  # class names the weights were trained with


@st.cache_resource(max_entries=2, show_spinner=False)
def _random_model(spec: ResNetSpec) -> ResNet:
    return build(spec, seed=0).eval()


@st.cache_resource(max_entries=2, show_spinner=False)
def _uploaded_model(spec: ResNetSpec, digest: str, name: str, _data: bytes) -> ResNet:
    return checkpoint.load_checkpoint(spec, _data, name=name)


@st.cache_resource(max_entries=2, show_spinner=False)
def _published_model(spec: ResNetSpec) -> ResNet:
    return published.load_published(spec, progress=False)


def _remember(key: Hashable, compute: Callable[[], T]) -> T:
    """A per-session LRU of results (bounded by :data:`RESULTS_PER_SESSION`)."""
    store: OrderedDict[Hashable, Any] = st.session_state.setdefault("inside._results",
                                                                     OrderedDict())
    if key in store:
        store.move_to_end(key)
        return store[key]
    value = compute()
    store[key] = value
    while len(store) > RESULTS_PER_SESSION:
        store.popitem(last=False)
    return value


def _mb(limit: int) -> int:
    """A byte limit as the whole megabytes Streamlit's uploader takes (the checks stay exact)."""
    return max(1, limit // (1 << 20))


def page_spec(spec: ResNetSpec) -> ResNetSpec:
    """The sidebar's spec at the input size chosen on this page."""
    if spec.family is not Family.IMAGENET:
        h, w = spec.input_size
        st.caption(f"Input size: {h}×{w}, the sidebar's (the {spec.family} family's images "
                   "are small, so the photograph is shrunk to it)")
        return spec
    size = st.selectbox("Input size", [64, 112, 160, 224], index=3, key="inside.size",
                        help="224 is what ImageNet weights were trained at; smaller is faster")
    return spec.with_(input_size=(size, size))


def pick_image(spec: ResNetSpec) -> tuple[images.Preprocessed, Hashable] | None:
    """The image widgets; the preprocessed image and its cache key, or None after an error."""
    options = [*images.sample_names(), "upload"]
    c1, c2 = st.columns([1, 2])
    choice = c1.selectbox("Image", options, index=options.index("chelsea"), key="inside.image")
    if choice != "upload":
        return (images.preprocess(images.sample_image(choice), spec.input_size,
                                  channels=spec.in_channels, name=choice), ("sample", choice))
    up = c2.file_uploader("PNG, JPEG or WebP", type=["png", "jpg", "jpeg", "webp"],
                          key="inside.image_upload", max_upload_size=_mb(MAX_IMAGE_BYTES))
    if up is None:
        st.info("Upload an image, or pick one of the bundled samples.")
        return None
    data = up.getvalue()
    try:
        arr = images.decode_upload(data, name=up.name)
    except ValueError as exc:
        st.error("The image was not accepted:", icon=":material/error:")
        st.text(str(exc))
        return None
    return (images.preprocess(arr, spec.input_size, channels=spec.in_channels, name=up.name),
            ("upload", hashlib.sha256(data).hexdigest()))


def pick_weights(spec: ResNetSpec) -> Weights | None:
    """The weights widgets; the model (eval mode, shared: never mutate it) or None."""
    runs = lab.trained_runs()

    notes = [NO_LAB_RUN if s is Source.LAB and not runs else "" for s in Source]
    source = Source(st.radio("Weights", list(Source), key="inside.weights", horizontal=True,
                             captions=notes) or Source.RANDOM)
    if source is Source.RANDOM:
        return Weights(_random_model(spec), ("random", spec),
                       f"random initialisation (seed 0) of {spec.name}", real=False)
    if source is Source.UPLOAD:
        return _upload_weights(spec)
    if source is Source.LAB:
        return _lab_weights(runs)
    return _published_weights(spec)


def lab_net_label(run: Degradation, index: int) -> str:
    """e.g. ``residual-20, 5 epochs, seed 0`` (``stopped`` when the run was interrupted)."""
    net = run.nets[index]
    stopped = ", stopped" if run.stopped else ""
    return (f"{net.label}, {run.epochs_done} epoch{'s' if run.epochs_done != 1 else ''}, "
            f"seed {run.config.seed}, {run.config.train_size or 'all'} images{stopped}")


def _lab_weights(runs: list[Degradation]) -> Weights | None:
    """A net of a stored Lab run (a CPU copy when it was trained elsewhere)."""
    if not runs:
        st.info(f"No trained net yet: {NO_LAB_RUN}.", icon=":material/science:")
        st.page_link("views/lab.py", label="Open the Lab page", icon=":material/science:")
        return None
    choices = [(r, i) for r in reversed(runs) for i in range(len(r.nets)) if r.models]
    if not choices:
        st.info(f"The stored runs hold no trained nets: {NO_LAB_RUN}.",
                icon=":material/science:")
        return None
    pick = st.selectbox("Trained net", range(len(choices)), key="inside.lab_net",
                        format_func=lambda j: lab_net_label(*choices[j]))
    run, i = choices[int(pick or 0)]
    net = run.nets[i]
    model = run.models[i]
    if next(model.parameters()).device.type != "cpu":
        model = copy.deepcopy(model).cpu()  # the page runs on the CPU; the stored one stays
    spec = spec_for(net.depth, net.kind, run.config.width_mult)
    return Weights(model, ("lab", run.config, run.epochs_done, run.stopped, i),
                   f"{lab_net_label(run, i)} (trained on the Lab page, {spec.name} on digits)",
                   real=True, spec=spec, classes=tuple(str(c) for c in range(10)))


def pick_digit() -> tuple[images.Preprocessed, Hashable]:
    """A held-out digit (the Lab's fixed split) as the image, and its cache key."""
    held = digits.load()
    n = len(held.x_test)
    index = int(st.number_input(f"Held-out digit (0–{n - 1})", 0, n - 1, 0,
                                key="inside.digit") or 0)
    x = held.x_test[index:index + 1]
    grey = x[0, 0]
    scaled = ((grey - grey.min()) / (grey.max() - grey.min()).clamp_min(1e-8) * 255).byte()
    rgb = np.repeat(scaled.numpy()[:, :, None], 3, axis=2)
    name = f"held-out digit {index} (label {int(held.y_test[index])})"
    return images.Preprocessed(name, rgb, rgb, rgb, x.clone(), digits.SIDE), ("digit", index)


def _upload_weights(spec: ResNetSpec) -> Weights | None:
    up = st.file_uploader("torchvision-format state_dict (.pth / .pt)", type=["pth", "pt"],
                          key="inside.ckpt_upload", max_upload_size=_mb(MAX_CHECKPOINT_BYTES),
                          help="read with torch.load(weights_only=True): only tensors load")
    if up is None:
        st.info("Upload a checkpoint saved with torch.save(model.state_dict(), path).")
        return None
    data = up.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    try:
        with st.spinner("Reading the checkpoint (weights only)…"):
            model = _uploaded_model(spec, digest, up.name, data)
    except checkpoint.CheckpointMismatch as exc:
        _mismatch(exc.report)
        return None
    except ValueError as exc:
        st.error("The checkpoint was refused:", icon=":material/error:")
        st.text(str(exc))
        return None
    st.success(f"Loaded into {spec.name}: every key and shape matches.",
               icon=":material/check_circle:")
    st.text(f"file: {up.name} · SHA-256 {digest[:16]}…")
    return Weights(model, ("upload", digest, spec), f"uploaded checkpoint into {spec.name}",
                   real=True)


def _mismatch(report: checkpoint.MatchReport) -> None:
    st.error(f"The checkpoint does not fit {report.spec_name}.", icon=":material/error:")
    st.text(report.summary())
    for note in report.notes:
        st.text(note)
    rows = ([{"kind": "missing", "key": k, "file": "", "model": ""} for k in report.missing]
            + [{"kind": "unexpected", "key": k, "file": "", "model": ""}
               for k in report.unexpected]
            + [{"kind": "shape", "key": k, "file": str(list(g)), "model": str(list(w))}
               for k, g, w in report.shape_mismatches])
    st.dataframe(pd.DataFrame(rows), key="inside.mismatch", hide_index=True)
    if report.suggestion is not None:
        st.info("Choose that configuration in the sidebar and upload the file again.",
                icon=":material/lightbulb:")


def _published_weights(spec: ResNetSpec) -> Weights | None:
    entry = weights_for(spec)
    if entry is None:
        st.warning(f"No published ImageNet weights for {spec.name}:", icon=":material/info:")
        try:
            published.entry_for(spec)
        except ValueError as exc:
            st.text(str(exc))
        return None
    cached = published.cache_dir() / entry.file
    where = ("from the local cache " + str(cached) if cached.is_file()
             else f"by downloading {published.url_for(entry)} into {published.cache_dir()} "
                  "(hash-checked)")
    st.caption(f"{WEIGHTS_SOURCE}: {entry.file}, loaded {where}.")
    if not (st.session_state.get("inside.published_ok") == spec
            or st.button("Load published ImageNet weights", key="inside.published_load",
                         type="primary")):
        return None
    try:
        with st.spinner(f"Loading {entry.file}…", show_time=True):
            model = _published_model(spec)
    except ValueError as exc:
        st.error("The published weights could not be loaded:", icon=":material/error:")
        st.text(str(exc))
        return None
    st.session_state["inside.published_ok"] = spec
    return Weights(model, ("published", spec), f"{WEIGHTS_SOURCE} ({entry.file})", real=True)


def progress_bar(label: str) -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    """A progress callback drawing into a fresh bar, and a function that removes it."""
    slot = st.empty()

    def update(done: int, total: int, message: str) -> None:
        slot.progress(done / max(total, 1), text=f"{label}: {message} ({done}/{total})")

    def clear() -> None:
        slot.empty()

    return update, clear


def class_names(spec: ResNetSpec, w: Weights) -> tuple[str, ...] | None:
    """The weights' own class names, or ImageNet's when real with a 1000-class head."""
    if w.classes is not None:
        return w.classes
    return imagenet_classes() if w.real and spec.num_classes == 1000 else None


def run_features(w: Weights, img: images.Preprocessed, ikey: Hashable, top_k: int,
                 blocks: bool) -> tuple[features.FeatureReport, features.FeatureReport]:
    """Residual and plain-twin feature maps (cached per session)."""
    def compute() -> tuple[features.FeatureReport, features.FeatureReport]:
        return features.twin_features(copy.deepcopy(w.model), img.tensor, top_k=top_k,
                                      blocks=blocks)
    return _remember(("features", w.key, ikey, top_k, blocks), compute)


def run_cams(w: Weights, spec: ResNetSpec, img: images.Preprocessed, ikey: Hashable,
             target: int, plain: bool) -> list[attr.CamMap]:
    """Grad-CAM per stage of the residual net or its plain twin (cached per session)."""
    def compute() -> list[attr.CamMap]:
        model = copy.deepcopy(w.model)
        net = plain_twin(model).eval() if plain else model
        update, done = progress_bar("plain twin" if plain else "residual net")
        try:
            return attr.grad_cam(net, img.tensor, attr.stage_layers(net, spec), target,
                                 progress=update)
        finally:
            done()
    return _remember(("cam", w.key, ikey, target, plain), compute)


def run_ig(w: Weights, img: images.Preprocessed, ikey: Hashable, target: int, steps: int,
           baseline: str) -> attr.IgResult:
    """Integrated Gradients of the residual net (cached per session)."""
    def compute() -> attr.IgResult:
        update, done = progress_bar("Integrated Gradients")
        try:
            return attr.integrated_gradients(copy.deepcopy(w.model), img.tensor, target,
                                             steps=steps, baseline=baseline, progress=update)
        finally:
            done()
    return _remember(("ig", w.key, ikey, target, steps, baseline), compute)


def show_preprocessing(img: images.Preprocessed) -> None:
    """The original, resized and cropped image with each step's sizes."""
    steps = img.steps()
    cols = st.columns(3)
    cols[0].image(img.original, caption=steps[0], width="stretch")
    cols[1].image(img.resized, caption=steps[1], width="stretch")
    cols[2].image(img.cropped, caption=steps[2], width="stretch")
    st.caption(" → ".join(steps[3:]))


def predictions_table(logits: torch.Tensor, names: tuple[str, ...] | None) -> pd.DataFrame:
    """The top-5 classes and their probabilities."""
    top = features.top_predictions(logits, names, 5)
    return pd.DataFrame([{"class": i, "name": n, "probability": p} for i, n, p in top])

"""Inside probes: images, feature maps, and captum attributions on a net with a known answer."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image
from torch import Tensor, nn

import resnet_viz.probes.inside.images as images
from resnet_viz.arch.presets import from_depth
from resnet_viz.model.build import build
from resnet_viz.probes.inside.attributions import (
    Baseline,
    baseline_for,
    grad_cam,
    integrated_gradients,
    stage_layers,
)
from resnet_viz.probes.inside.features import record_features, top_predictions, twin_features

CIFAR = from_depth(20, family="cifar")


def _encode(arr: np.ndarray, fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt)
    return buf.getvalue()


def test_sample_preprocessing_steps_and_normalisation() -> None:
    img = images.sample_image("chelsea")
    p = images.preprocess(img, (224, 224), name="chelsea")
    assert p.tensor.shape == (1, 3, 224, 224)
    assert min(p.resized.shape[:2]) == 256 and p.cropped.shape == (224, 224, 3)
    steps = p.steps()
    assert steps[0] == f"original: {img.shape[1]}×{img.shape[0]} pixels"
    # normalisation undone gives the crop back
    mean = torch.tensor(images.IMAGENET_MEAN).view(3, 1, 1)
    std = torch.tensor(images.IMAGENET_STD).view(3, 1, 1)
    back = (p.tensor[0] * std + mean).mul(255).permute(1, 2, 0).numpy()
    assert np.allclose(back, p.cropped, atol=1e-3)
    grey = images.preprocess(img, (32, 32), channels=1)
    assert grey.tensor.shape == (1, 1, 32, 32)
    with pytest.raises(ValueError, match="unknown sample image"):
        images.sample_image("../etc/passwd")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_uploads_decode_by_content(fmt: str) -> None:
    arr = np.random.default_rng(0).integers(0, 255, (20, 30, 3), dtype=np.uint8)
    out = images.decode_upload(_encode(arr, fmt), name=f"x.{fmt.lower()}")
    assert out.shape == (20, 30, 3)


def test_bad_uploads_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="not a readable"):
        images.decode_upload(b"GIF89a but not really", name="fake.png")
    gif = _encode(np.zeros((4, 4), dtype=np.uint8), "GIF")
    with pytest.raises(ValueError, match="GIF image"):
        images.decode_upload(gif, name="anim.png")
    png = _encode(np.zeros((20, 20, 3), dtype=np.uint8), "PNG")
    with pytest.raises(ValueError, match="not a readable"):
        images.decode_upload(png[: len(png) // 2], name="cut.png")
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 399)
    with pytest.raises(ValueError, match="400 pixels, over the limit"):
        images.decode_upload(png, name="big.png")
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 10)
    with pytest.raises(ValueError, match="bytes, over the limit"):
        images.decode_upload(png, name="big.png")


def test_feature_maps_top_k_and_statistics() -> None:
    model = build(CIFAR, seed=0).eval()
    x = images.preprocess(images.sample_image("coffee"), (32, 32)).tensor
    res, plain = twin_features(model, x, top_k=4)
    assert [m.name for m in res.maps] == ["conv1", "layer1", "layer2", "layer3"]
    for m in res.maps:
        assert m.maps.shape == (4, *m.shape[1:])
        assert list(m.energy) == sorted(m.energy, reverse=True)
        assert np.isclose(m.energy[0], float((m.maps[0] ** 2).mean()), rtol=1e-5)
        assert 0.0 <= m.zero_fraction <= 1.0
    # the stem is shared, the stages are not
    assert res.maps[0].mean == plain.maps[0].mean
    assert res.maps[-1].mean != plain.maps[-1].mean
    blocks = record_features(model, x, blocks=True)
    assert [m.name for m in blocks.maps][1:4] == ["layer1.0", "layer1.1", "layer1.2"]
    with torch.no_grad():
        assert torch.allclose(res.logits, model(x))
    top = top_predictions(res.logits, None, 3)
    assert [t[0] for t in top] == torch.topk(res.logits[0], 3).indices.tolist()
    with pytest.raises(ValueError, match="eval mode"):
        record_features(model.train(), x)


class QuadrantNet(nn.Module):
    """Channel 0 sees red, channel 1 green; class 1 = red in the top-left quadrant only."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Conv2d(3, 2, 1, bias=False)
        with torch.no_grad():
            self.features.weight.zero_()
            self.features.weight[0, 0] = 1.0
            self.features.weight[1, 1] = 1.0
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        a = self.relu(self.features(x))
        h, w = a.shape[-2:]
        top_left_red = a[:, 0, : h // 2, : w // 2].mean((1, 2))
        green = a[:, 1].mean((1, 2))
        return torch.stack([green, top_left_red], 1)


def _quadrant_share(heat: np.ndarray) -> float:
    h, w = heat.shape
    return float(heat[: h // 2, : w // 2].sum() / heat.sum())


def test_grad_cam_highlights_the_quadrant_the_answer_depends_on() -> None:
    x = torch.zeros(1, 3, 32, 32)
    x[0, 0, 4:12, 4:12] = 1.0  # red, top-left
    x[0, 1, 20:28, 20:28] = 1.0  # green, bottom-right
    net = QuadrantNet().eval()
    (cam,) = grad_cam(net, x, [("features", net.relu)], target=1)
    assert _quadrant_share(cam.up) > 0.9
    (other,) = grad_cam(net, x, [("features", net.relu)], target=0)
    assert _quadrant_share(other.up) < 0.1


def test_integrated_gradients_with_progress_and_stop() -> None:
    x = torch.zeros(1, 3, 32, 32)
    x[0, 0, 4:12, 4:12] = 1.0
    x[0, 0, 20:28, 20:28] = 1.0  # red in the bottom-right too: the answer ignores it
    net = QuadrantNet().eval()
    calls: list[tuple[int, int]] = []
    result = integrated_gradients(net, x, 1, steps=10, batch=4, baseline=Baseline.MEAN,
                                  progress=lambda d, t, _: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert _quadrant_share(result.heat) > 0.99
    assert result.delta < 1e-4

    def stop(done: int, total: int, message: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        integrated_gradients(net, x, 1, steps=10, batch=4, progress=stop)
    with pytest.raises(ValueError, match="IG steps"):
        integrated_gradients(net, x, 1, steps=1)


def test_baselines_and_stage_grad_cam_on_a_resnet() -> None:
    model = build(CIFAR, seed=1).eval()
    x = torch.randn(1, 3, 32, 32)
    black = baseline_for(x, Baseline.BLACK)
    assert torch.allclose(black[0, :, 0, 0] * torch.tensor(images.IMAGENET_STD)
                          + torch.tensor(images.IMAGENET_MEAN), torch.zeros(3), atol=1e-6)
    assert baseline_for(x, "blur").shape == x.shape
    cams = grad_cam(model, x, stage_layers(model, CIFAR), target=2)
    assert [c.low.shape for c in cams] == [(32, 32), (16, 16), (8, 8)]
    assert all(c.up.shape == (32, 32) and (c.up >= -1e-6).all() for c in cams)

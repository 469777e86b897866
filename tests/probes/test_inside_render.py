"""Inside charts: heatmap grids with hover values, overlays with a colour bar, PNG bytes."""

from __future__ import annotations

import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from resnet_viz.probes.inside.attributions import CamMap
from resnet_viz.probes.inside.features import FeatureMap, FeatureReport, Net
from resnet_viz.render import inside_charts as charts


def _fmap(k: int = 3) -> FeatureMap:
    maps = np.stack([np.full((5, 6), float(k - i)) for i in range(k)]).astype(np.float32)
    maps[0, 0, 0] = 0.0
    return FeatureMap("layer2", (16, 5, 6), tuple(range(10, 10 + k)),
                      tuple(float((m**2).mean()) for m in maps), maps, 1.25, 0.5, 0.125)


def test_feature_grid_has_one_heatmap_per_channel_with_labels() -> None:
    fig = charts.feature_grid(_fmap(), net="plain", cols=2)
    heat = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(heat) == 3
    assert "value %{z:.4g}" in heat[0].hovertemplate and "channel 10" in heat[0].hovertemplate
    assert np.array_equal(np.asarray(heat[1].z), _fmap().maps[1])
    assert fig.layout.title.text == "layer2 · plain: top 3 of 16 channels"
    assert "16×5×6" in fig.layout.title.subtitle.text
    assert "12%" in fig.layout.title.subtitle.text  # 0.125 zeros, computed, not typed


def test_overlay_has_image_heat_and_colour_bar() -> None:
    img = np.zeros((8, 8, 3), dtype=np.uint8)
    cam = CamMap("layer3", np.ones((2, 2)), np.linspace(0, 2, 64).reshape(8, 8))
    fig = charts.cam_overlay(img, cam)
    assert isinstance(fig.data[0], go.Image)
    assert fig.data[1].colorbar.title.text == "Grad-CAM" and fig.data[1].zmax == 2.0
    assert "2×2" in fig.layout.title.subtitle.text


def test_pngs_decode_and_colour_by_value() -> None:
    png = charts.feature_grid_png(_fmap(4), cols=2, cell=10)
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.size[0] > 20
    img = np.zeros((8, 8, 3), dtype=np.uint8)
    heat = np.zeros((8, 8))
    heat[:4, :4] = 1.0
    with Image.open(io.BytesIO(charts.overlay_png(img, heat, label="x"))) as im:
        arr = np.asarray(im.convert("RGB")).astype(int)
    top = 14  # the label row
    hot, cold = arr[top + 1, 1], arr[top + 6, 6]
    assert hot.sum() > cold.sum()  # viridis: high values are bright yellow


def test_stats_table_rows() -> None:
    rep = FeatureReport(Net.RESIDUAL, (_fmap(),), np.zeros((1, 3)))  # type: ignore[arg-type]
    df = charts.stats_table([rep])
    assert list(df["layer"]) == ["layer2"] and df["zero fraction"][0] == 0.125

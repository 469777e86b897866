"""AppTests of the Inside page: default view, Grad-CAM, checkpoint and image upload flows."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from resnet_viz.arch.presets import from_depth
from resnet_viz.model import published
from resnet_viz.model.build import build
from tests import uploads

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def start(depth: str = "18", *, plain: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["arch.depth"] = depth
    at.session_state["inside.size"] = 64
    at.session_state["inside.cam_plain"] = plain
    at.run()
    return at.switch_page("views/inside.py").run()


def texts(at: AppTest) -> str:
    return "\n".join(t.value for t in at.text)


def frame(at: AppTest, column: str) -> pd.DataFrame:
    """The first dataframe with this column (dataframes carry no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def ckpt_bytes(depth: int) -> bytes:
    buf = io.BytesIO()
    torch.save(build(from_depth(depth), seed=2).state_dict(), buf)
    return buf.getvalue()


def test_default_random_weights_features_and_grad_cam() -> None:
    at = start()
    assert not at.exception
    assert at.title[0].value == "Inside · ResNet-18"
    assert any("random initialisation" in i.value for i in at.info)
    assert any("structure" in w.value and "not meaning" in w.value for w in at.warning)
    assert len(frame(at, "probability")) == 5
    charts = at.get("plotly_chart")
    assert len(charts) == 2 + 2 * 4  # two feature grids, Grad-CAM of 4 stages x 2 nets
    assert at.selectbox(key="inside.layer").value == "layer1"
    at.selectbox(key="inside.layer").select("layer4").run()
    assert not at.exception
    stats = frame(at, "zero fraction")
    assert set(stats["net"]) == {"residual", "plain"} and len(stats) == 10


def test_checkpoint_upload_loads_and_names_the_file_as_text() -> None:
    at = start(plain=False)
    at.radio(key="inside.weights").set_value("uploaded checkpoint").run()
    name = "my *bold* [link](x) weights.pth"
    at.file_uploader(key="inside.ckpt_upload").set_value(
        (name, ckpt_bytes(18), "application/octet-stream")).run()
    assert not at.exception
    assert any("every key and shape matches" in s.value for s in at.success)
    assert f"file: {name}" in texts(at)
    assert any("uploaded checkpoint" in i.value for i in at.info)
    assert not any("not meaning" in w.value for w in at.warning)


def test_checkpoint_of_another_depth_gives_the_report() -> None:
    at = start(plain=False)
    at.radio(key="inside.weights").set_value("uploaded checkpoint").run()
    at.file_uploader(key="inside.ckpt_upload").set_value(
        ("r34.pth", ckpt_bytes(34), "application/octet-stream")).run()
    assert not at.exception
    assert any("does not fit ResNet-18" in e.value for e in at.error)
    assert "it matches ResNet-34" in texts(at)
    report = frame(at, "kind")
    assert "layer1.2.conv1.weight" in set(report["key"])


def test_malicious_checkpoint_is_refused_unrun(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    at = start(plain=False)
    at.radio(key="inside.weights").set_value("uploaded checkpoint").run()
    at.file_uploader(key="inside.ckpt_upload").set_value(
        ("evil.pth", uploads.evil_pickle(sentinel), "application/octet-stream")
    ).run()
    assert not at.exception
    assert any("refused" in e.value for e in at.error)
    assert "refused" in texts(at)
    assert not sentinel.exists()


def test_image_upload_is_decoded_and_a_fake_refused() -> None:
    at = start(plain=False)
    at.selectbox(key="inside.image").select("upload").run()
    buf = io.BytesIO()
    Image.fromarray(np.full((50, 80, 3), 200, dtype=np.uint8)).save(buf, format="WEBP")
    at.file_uploader(key="inside.image_upload").set_value(
        ("photo.png", buf.getvalue(), "image/png")).run()
    assert not at.exception
    assert len(frame(at, "probability")) == 5
    at.file_uploader(key="inside.image_upload").set_value(
        ("photo.png", b"not an image", "image/png")).run()
    assert any("not accepted" in e.value for e in at.error)
    assert "not a readable" in texts(at)


def test_published_weights_offline_names_the_file(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv(published.ENV_BASE_URL, f"http://127.0.0.1:{port}/")
    at = start(plain=False)
    at.radio(key="inside.weights").set_value("published ImageNet weights").run()
    assert any("resnet18-f37072fd.pth" in c.value and "downloading" in c.value
               for c in at.caption)
    at.button(key="inside.published_load").click().run()
    assert not at.exception
    assert "place the file resnet18-f37072fd.pth in" in texts(at)


@pytest.mark.slow
def test_a_net_trained_on_the_lab_page_as_weights() -> None:
    from resnet_viz.lab.train import TrainConfig, train
    from resnet_viz.ui import lab

    config = TrainConfig(depths=(8,), epochs=1, train_size=64, seed=4321)
    run = train(config)
    before = {k: v.clone() for k, v in run.models[1].state_dict().items()}
    lab._store().put(("train", config), run)
    try:
        at = start()
        at.session_state[lab.MINE] = [config]  # this session trained it
        at.run()
        radio = at.radio(key="inside.weights")
        assert "trained on the Lab page" in radio.options
        radio.set_value("trained on the Lab page").run()
        assert not at.exception
        labels = at.selectbox(key="inside.lab_net").options
        assert any(o.startswith("residual-8, 1 epoch, seed 4321") for o in labels)
        pick = next(i for i, o in enumerate(labels) if o.startswith("residual-8"))
        at.selectbox(key="inside.lab_net").set_value(pick).run()
        assert not at.exception
        assert any("held-out digit" in c.value for c in at.caption)
        assert any("residual-8" in i.value for i in at.info)
        assert not any("not meaning" in w.value for w in at.warning)
        top5 = frame(at, "probability")
        assert len(top5) == 5
        assert set(top5["name"]) <= {str(d) for d in range(10)}
        assert set(top5["class"]) <= set(range(10))
        charts = at.get("plotly_chart")
        assert len(charts) == 2 + 2 * 3  # two feature grids, Grad-CAM of 3 stages x 2 nets
        after = run.models[1].state_dict()
        assert all(torch.equal(before[k], after[k]) for k in before)  # never mutated
    finally:
        with lab._store().lock:
            lab._store().items.pop(("train", config), None)


def test_lab_weights_without_a_run_say_train_one_first() -> None:
    from resnet_viz.ui import lab

    with lab._store().lock:
        saved = dict(lab._store().items)
        for k in [k for k in saved if k[:1] == ("train",)]:
            lab._store().items.pop(k)
    from resnet_viz.lab.train import Degradation, Kind, NetHistory, TrainConfig

    other = TrainConfig(depths=(8,), epochs=1, seed=2468)  # another session's run
    nets = tuple(NetHistory(8, k, 1, (1.0,), (0.5,), (0.5,), (), ()) for k in Kind)
    lab._store().put(("train", other), Degradation(other, nets, 1, False, 1.0))
    try:
        at = start()
        assert list(at.radio(key="inside.weights").proto.captions)[-1] == (
            "train one on the Lab page first")
        at.radio(key="inside.weights").set_value("trained on the Lab page").run()
        assert not at.exception
        assert any("train one on the Lab page first" in i.value for i in at.info)
    finally:
        with lab._store().lock:
            lab._store().items.update(saved)

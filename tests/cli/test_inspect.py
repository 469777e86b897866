"""``resnet-viz inspect``: PNGs and JSON written; bad input exits 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from PIL import Image

from resnet_viz.arch.presets import from_depth
from resnet_viz.cli import main
from resnet_viz.model.build import build

CIFAR = ["--family", "cifar", "--depth", "20"]


def test_inspect_with_a_checkpoint_writes_pngs_and_json(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    ckpt = tmp_path / "c20.pth"
    torch.save(build(from_depth(20, family="cifar"), seed=4).state_dict(), ckpt)
    out = tmp_path / "out"
    rc = main(["inspect", *CIFAR, "--image", "coffee",
               "--weights", str(ckpt), "--target", "3", "--ig-steps", "4", "--top-k", "2",
               "--out", str(out)])
    assert rc == 0
    summary = json.loads((out / "inspect.json").read_text())
    assert summary["target"] == 3 and summary["trained"] is True
    assert len(summary["top5"]) == 5
    assert {r["net"] for r in summary["stats"]} == {"residual", "plain"}
    for name in summary["files"]:
        with Image.open(out / name) as im:
            assert im.format == "PNG"
    assert "gradcam-layer3-plain.png" in summary["files"]
    assert "integrated-gradients.png" in summary["files"]
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("extra,message", [
    (["--image", "nope"], "neither a file nor a bundled sample"),
    (["--image", "coffee", "--target", "10"], "not a class index below 10"),
    (["--image", "coffee", "--weights", "missing.pth"], "no checkpoint file"),
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        extra: list[str], message: str) -> None:
    rc = main(["inspect", *CIFAR, *extra, "--ig-steps", "0", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and err.count("\n") == 1


def test_mismatched_checkpoint_names_the_likely_config(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    ckpt = tmp_path / "c32.pth"
    torch.save(build(from_depth(32, family="cifar"), device="meta").to_empty(device="cpu")
               .state_dict(), ckpt)
    rc = main(["inspect", *CIFAR, "--image", "coffee", "--weights", str(ckpt),
               "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and "it matches ResNet-32 (CIFAR)" in err

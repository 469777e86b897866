"""``resnet-viz lab``: tiny runs print the numbers as JSON; bad input exits 2."""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

import pytest

from resnet_viz.cli import main

TINY = ["--depths", "8", "--epochs", "1", "--train-size", "32", "--batch", "32"]


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code = main(["lab", *args, "--json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    data: dict[str, Any] = json.loads(out)
    return data


def test_degradation_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "degradation", *TINY)
    nets = data["degradation"]["nets"]
    assert [n["label"] for n in nets] == ["plain-8", "residual-8"]
    assert all(len(n["train_loss"]) == 1 and math.isfinite(n["train_loss"][0]) for n in nets)


def test_landscape_and_paths_json(capsys: pytest.CaptureFixture[str]) -> None:
    land = run_json(capsys, "landscape", *TINY, "--steps", "3", "--images", "16")
    assert len(land["landscape"]["plain"]["loss"]) == 3
    paths = run_json(capsys, "paths", *TINY, "--samples", "1")
    p = paths["paths"]["trained"]
    assert sum(p["counts"]) == 2 ** p["blocks"] == 8


def test_shatter_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "shatter", "--depths", "8", "--points", "16"]) == 0
    assert "autocorrelation" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["degradation", "--depths", "9"],
                                  ["degradation", "--depths", "x"],
                                  ["landscape", *TINY, "--steps", "4"]])
def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    with pytest.raises(SystemExit) if "x" in args else contextlib.nullcontext():
        code = main(["lab", *args])
        assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("resnet-viz: error:") and err.count("\n") == 1


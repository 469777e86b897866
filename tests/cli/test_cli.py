"""The ``resnet-viz summary`` command (in-process, plus one run of the installed script)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.cli import main

SCRIPT = Path(sys.executable).parent / "resnet-viz"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["summary", *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, *args, "--format", "json")
    assert (code, err) == (0, "")
    data: dict[str, Any] = json.loads(out)
    return data


def test_resnet50_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "--depth", "50")
    assert data["params"] == 25_557_032
    assert data["macs"] == 4_089_184_256
    assert data["flops"] == 2 * 4_089_184_256


def test_default_is_resnet50(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys)["params"] == 25_557_032


def test_variant_v1(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--depth", "50", "--variant", "v1")["macs"] == 3_857_973_248


def test_cifar_1202_option_a(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "--family", "cifar", "--depth", "1202", "--shortcut", "A")
    assert data["params"] == 19_421_274
    assert data["spec"]["input_size"] == [32, 32] and data["spec"]["num_classes"] == 10


def test_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "--depth", "18", "--input", "96x64", "--classes", "7")
    assert {"params", "macs", "flops", "spec", "stages", "layers"} <= set(data)
    spec_fields = {"family", "block", "blocks", "variant", "shortcut", "preact", "shortcuts",
                   "width_mult", "groups", "width_per_group", "num_classes", "in_channels",
                   "input_size"}
    assert spec_fields <= set(data["spec"])
    assert ResNetSpec.from_dict(data["spec"]).input_size == (96, 64)
    assert all({"name", "output_shape", "blocks", "params", "macs"} <= set(s)
               for s in data["stages"])
    assert all({"name", "type", "output_shape", "params", "macs"} <= set(layer)
               for layer in data["layers"])
    assert data["stages"][-1]["output_shape"] == [7]
    assert data["stages"][1]["output_shape"] == [64, 24, 16]


def test_every_spec_flag(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "--family", "cifar", "--blocks", "2,1", "--block", "bottleneck",
                    "--variant", "v1", "--shortcut", "D", "--preact", "--no-shortcuts",
                    "--width-mult", "0.5", "--groups", "2", "--width-per-group", "32",
                    "--classes", "3", "--in-channels", "1", "--input", "17x9")
    assert data["spec"] == {
        "family": "cifar", "block": "bottleneck", "blocks": [2, 1], "variant": "v1",
        "shortcut": "D", "preact": True, "shortcuts": False, "width_mult": 0.5, "groups": 2,
        "width_per_group": 32, "num_classes": 3, "in_channels": 1, "input_size": [17, 9],
        "depth": 11}
    assert not any(layer["type"] == "Add" for layer in data["layers"])


def test_preset_preact_default_and_override(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--family", "cifar", "--depth", "164")["params"] == 1_703_258
    post = run_json(capsys, "--family", "cifar", "--depth", "164", "--no-preact")
    assert post["spec"]["preact"] is False


def test_csv_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--depth", "18", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["name"] == "conv1" and rows[0]["out_shape"] == "64x112x112"
    assert rows[-1]["name"] == "fc" and rows[-1]["params"] == "513000"
    assert sum(int(r["params"]) for r in rows) == 11_689_512


def test_table_format_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--depth", "34")
    assert code == 0
    assert out.splitlines()[0] == "ResNet-34"
    assert "conv5_x" in out and "[3x3, 512; 3x3, 512] x 3" in out
    assert "params 21,797,672" in out and out.endswith("\n")


@pytest.mark.parametrize(("args", "needles"), [
    (["--depth", "51"], ["depth 51", "3*blocks + 2", "nearest: 50, 53"]),
    (["--family", "cifar", "--depth", "21"], ["6n+2", "nearest: 20, 26"]),
    (["--input", "abc"], ["input size 'abc' is not like 224 or 224x160"]),
    (["--input", "0"], ["between 1 and 2048"]),
    (["--input", "3x4x5"], ["is not like 224 or 224x160"]),
    (["--blocks", "3,x"], ["blocks '3,x' is not a comma-separated list"]),
    (["--blocks", "0,1"], ["every stage needs at least one block"]),
    (["--blocks", "1,1,1,1,1,1,1"], ["1 to 6 stages"]),
    (["--depth", "18", "--groups", "32"], ["basic blocks support only groups=1"]),
    (["--width-mult", "nan"], ["width multiplier"]),
    (["--classes", "0"], ["classes must be between"]),
])
def test_invalid_input_exits_2_with_one_line(capsys: pytest.CaptureFixture[str],
                                             args: list[str], needles: list[str]) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("resnet-viz: error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["summary", "--format", "xml"])
    assert exc.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_installed_entry_point() -> None:
    ok = subprocess.run([str(SCRIPT), "summary", "--depth", "50", "--format", "json"],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert (data["params"], data["macs"]) == (25_557_032, 4_089_184_256)
    bad = subprocess.run([str(SCRIPT), "summary", "--depth", "51"], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and bad.stdout == ""
    lines = bad.stderr.splitlines()
    assert len(lines) == 1 and "50, 53" in lines[0] and "Traceback" not in bad.stderr

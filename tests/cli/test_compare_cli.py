"""The ``compare`` and ``scaling`` subcommands, including invalid lists (exit 2, one line)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from resnet_viz.analysis import analyse
from resnet_viz.analysis.scaling import scaling_curve
from resnet_viz.arch.presets import from_depth
from resnet_viz.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_json_has_rows_and_sentences(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "compare", "--depth", "18,34,50,152", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [c["label"] for c in data["configurations"]] == [
        "ResNet-18", "ResNet-34", "ResNet-50", "ResNet-152"]
    assert len(data["sentences"]) == 3
    assert "basic → bottleneck blocks" in data["sentences"][1]
    rows = {r["row"]: r for r in data["rows"]}
    assert rows["params"]["values"]["ResNet-152"] == analyse(from_depth(152)).params
    assert rows["params"]["changed"] == {"ResNet-18": False, "ResNet-34": True,
                                         "ResNet-50": True, "ResNet-152": True}


def test_compare_single_values_apply_to_every_column(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", "--depth", "34", "--shortcut", "A,B,C",
                       "--format", "csv")
    assert code == 0
    rows = {r["row"]: r for r in csv.DictReader(io.StringIO(out))}
    labels = [f"ResNet-34 (shortcut {s})" for s in "ABC"]
    assert [int(rows["params"][lab]) for lab in labels] == [
        analyse(from_depth(34, shortcut=s)).params for s in "ABC"]
    assert rows["depth"][f"{labels[1]} changed"] == "0"


def test_compare_table_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", "--depth", "34,34", "--shortcuts", "off,on")
    assert code == 0
    assert out.startswith("Plain-34 → ResNet-34: shortcuts added")
    assert "*" in out and "parameters" in out
    code, out, _ = run(capsys, "compare", "--depth", "50", "--blocks", "3,4,6,3/3,4,23,3",
                       "--format", "md")
    assert code == 0
    assert "| row | ResNet-50 | ResNet-101 |" in out and "**" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--depth", "18,34", "--shortcut", "A,B,C"], "lists of different lengths"),
    (["--depth", "18,x"], "every item must be a whole number"),
    (["--depth", "18,,34"], "empty item"),
    (["--depth", "18"], "2 to 4 configurations"),
    (["--depth", "18,34,50,101,152"], "2 to 4 configurations"),
    (["--depth", "18,19"], "configuration 2: depth 19 is not valid"),
    (["--depth", "18,34", "--shortcuts", "on,maybe"], "on/off"),
    (["--depth", "18,34", "--family", "imagenet,mnist"], "unknown family"),
])
def test_compare_invalid_lists_exit_2_with_one_line(
        capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(capsys, "compare", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and err.startswith("resnet-viz: error:")


def test_scaling_csv_every_cifar_depth(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "scaling", "--family", "cifar", "--block", "basic",
                         "--depths", "8..1202")
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 200 and rows[0]["depth"] == "8" and rows[-1]["depth"] == "1202"
    an = analyse(from_depth(1202, family="cifar"))
    assert int(rows[-1]["params"]) == an.params and int(rows[-1]["macs"]) == an.macs
    assert rows[-1]["standard"] == "True"


def test_scaling_json_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scaling", "--depths", "50,101", "--block", "bottleneck",
                       "--shortcut", "C", "--format", "json")
    assert code == 0
    data = json.loads(out)
    want = scaling_curve(from_depth(50, shortcut="C"), [50, 101])
    assert data == [p.to_dict() for p in want]


@pytest.mark.parametrize(("args", "message"), [
    (["--depths", "9..x"], "not like 8..1202"),
    (["--depths", "100..20"], "not like 8..1202"),
    (["--family", "cifar", "--depths", "20,57"], "nearest: 56, 62"),
    (["--family", "mnist"], "unknown family"),
    (["--block", "huge"], "unknown block"),
])
def test_scaling_invalid_exit_2(capsys: pytest.CaptureFixture[str], args: list[str],
                                message: str) -> None:
    code, out, err = run(capsys, "scaling", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err

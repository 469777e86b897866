"""Renderers: the JSON contract, the per-layer CSV and the Table-1 text."""

from __future__ import annotations

import csv
import io
import json

import pytest

from resnet_viz.analysis import analyse
from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.fmt import fmt_shape
from resnet_viz.render import report

STAGE_KEYS = {"name", "output_shape", "blocks", "params", "macs"}
LAYER_KEYS = {"name", "type", "output_shape", "params", "macs"}


@pytest.fixture(scope="module")
def r50() -> dict[str, object]:
    return json.loads(report.to_json(analyse(from_depth(50))))


def test_json_contract_top_level(r50: dict[str, object]) -> None:
    assert {"params", "macs", "flops", "spec", "stages", "layers"} <= set(r50)
    assert r50["params"] == 25_557_032
    assert r50["macs"] == 4_089_184_256
    assert r50["flops"] == 2 * 4_089_184_256
    assert r50["name"] == "ResNet-50"
    assert r50["receptive_field"] == analyse(from_depth(50)).receptive_field


def test_json_spec_has_every_field_and_round_trips(r50: dict[str, object]) -> None:
    spec = r50["spec"]
    assert isinstance(spec, dict)
    assert set(spec) == {
        "family", "block", "blocks", "variant", "shortcut", "preact", "shortcuts", "width_mult",
        "groups", "width_per_group", "num_classes", "in_channels", "input_size", "depth"}
    assert spec["blocks"] == [3, 4, 6, 3] and spec["variant"] == "v1.5"
    assert ResNetSpec.from_dict(spec) == from_depth(50)


def test_json_stages(r50: dict[str, object]) -> None:
    stages = r50["stages"]
    assert isinstance(stages, list)
    assert all(set(s) >= STAGE_KEYS for s in stages)
    assert [s["name"] for s in stages] == ["conv1", "conv2_x", "conv3_x", "conv4_x", "conv5_x",
                                           "fc"]
    assert [s["output_shape"] for s in stages] == [
        [64, 112, 112], [256, 56, 56], [512, 28, 28], [1024, 14, 14], [2048, 7, 7], [1000]]
    assert [s["blocks"] for s in stages] == [0, 3, 4, 6, 3, 0]
    assert sum(s["params"] for s in stages) == r50["params"]
    assert sum(s["macs"] for s in stages) == r50["macs"]


def test_json_layers(r50: dict[str, object]) -> None:
    layers = r50["layers"]
    assert isinstance(layers, list)
    an = analyse(from_depth(50))
    assert len(layers) == len(an.layers)
    assert all(set(layer) >= LAYER_KEYS for layer in layers)
    first = layers[0]
    assert first["name"] == "conv1" and first["type"] == "Conv2d"
    assert first["output_shape"] == [64, 112, 112] and first["params"] == 9_408
    assert first["macs"] == 118_013_952
    assert sum(layer["params"] for layer in layers) == r50["params"]
    assert sum(layer["macs"] for layer in layers) == r50["macs"]
    assert {layer["type"] for layer in layers} >= {"Conv2d", "BatchNorm2d", "ReLU", "Add",
                                                   "Linear"}


def test_other_ops_in_json(r50: dict[str, object]) -> None:
    other = r50["other_ops"]
    assert isinstance(other, dict)
    assert other["Add"] == 5_519_360


def test_csv_has_every_record_field() -> None:
    an = analyse(from_depth(20, family="cifar", input_size=(30, 18)))
    rows = list(csv.DictReader(io.StringIO(report.layers_csv(an))))
    assert tuple(rows[0]) == report.LAYER_COLUMNS
    assert len(rows) == len(an.layers)
    for row, rec in zip(rows, an.layers, strict=True):
        assert row["name"] == rec.name
        assert row["out_shape"] == "x".join(map(str, rec.out_shape))
        assert int(row["params"]) == rec.params and int(row["macs"]) == rec.macs
    assert rows[0]["in_shape"] == "3x30x18"
    assert sum(int(r["macs"]) for r in rows) == an.macs


def test_table_is_paper_table1() -> None:
    text = report.to_table(analyse(from_depth(18)))
    lines = text.splitlines()
    assert lines[0] == "ResNet-18"
    assert lines[2].split() == ["layer", "output", "blocks", "params", "MACs", "description"]
    assert lines[3].split()[:5] == ["conv1", "64x112x112", "9,536", "118,013,952", "7x7,"]
    row = lines[4].split()
    assert row[:5] == ["conv2_x", "64x56x56", "2", "147,968", "462,422,016"]
    assert lines[4].endswith("3x3 max pool, stride 2; [3x3, 64; 3x3, 64] x 2")
    assert lines[-1] == ("params 11,689,512   MACs 1,814,073,344   FLOPs 3,628,146,688   "
                         "receptive field 435px")
    # columns line up: every row's params column ends at the same offset
    ends = {line.index(p) + len(p) for line, p in
            zip(lines[3:9], ["9,536", "147,968", "525,568", "2,099,712", "8,393,728", "513,000"],
                strict=True)}
    assert len(ends) == 1


def test_fmt_shape() -> None:
    assert fmt_shape((256, 56, 56), "x") == "256x56x56"
    assert fmt_shape((10,), "x") == "10"

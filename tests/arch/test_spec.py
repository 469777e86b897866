"""The spec: data only, validated once, with actionable errors."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resnet_viz.arch.limits import MAX_TOTAL_BLOCKS
from resnet_viz.arch.spec import (
    BlockKind,
    Family,
    ResNetSpec,
    Shortcut,
    Variant,
    parse_blocks,
    parse_input_size,
)


def test_spec_module_does_not_import_torch() -> None:
    code = "import sys, resnet_viz.arch.spec, resnet_viz.arch.presets, resnet_viz.arch.plan; " \
           "print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_default_is_resnet50() -> None:
    spec = ResNetSpec()
    assert spec.depth == 50 and spec.name == "ResNet-50"
    assert [s.out_channels for s in spec.stages] == [256, 512, 1024, 2048]
    assert [s.mid_channels for s in spec.stages] == [64, 128, 256, 512]
    assert [s.stride for s in spec.stages] == [1, 2, 2, 2]
    assert [s.module for s in spec.stages] == ["layer1", "layer2", "layer3", "layer4"]
    assert [s.paper_name for s in spec.stages] == ["conv2_x", "conv3_x", "conv4_x", "conv5_x"]
    assert spec.stages[2].out_channels == 1024
    assert spec.expansion == 4 and spec.stem_width == 64 and spec.feature_channels == 2048


def test_strings_are_coerced_to_enums_and_tuples() -> None:
    spec = ResNetSpec(family="cifar", block="basic", blocks=[3, 3, 3], variant="v1",
                      shortcut="A", input_size=[32, 32], width_mult=1)
    assert spec.family is Family.CIFAR and spec.block is BlockKind.BASIC
    assert spec.variant is Variant.V1 and spec.shortcut is Shortcut.ZERO_PAD
    assert spec.blocks == (3, 3, 3) and spec.input_size == (32, 32)
    assert isinstance(spec.width_mult, float)
    assert ResNetSpec(input_size=64).input_size == (64, 64)


def test_spec_is_frozen_hashable_and_compares_by_value() -> None:
    a = ResNetSpec(blocks=(2, 2, 2, 2), block="basic")
    b = ResNetSpec(blocks=[2, 2, 2, 2], block=BlockKind.BASIC)
    assert a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.depth = 3  # type: ignore[misc]
    assert a.with_(num_classes=10) != a
    assert a.with_(num_classes=10).num_classes == 10


def test_enum_values_are_the_shared_vocabulary() -> None:
    assert [s.value for s in Shortcut] == ["A", "B", "C", "D"]
    assert [v.value for v in Variant] == ["v1", "v1.5"]
    assert str(Shortcut.ZERO_PAD) == "A"


@pytest.mark.parametrize(("kwargs", "name"), [
    ({}, "ResNet-50"),
    ({"block": "basic", "blocks": (3, 4, 6, 3)}, "ResNet-34"),
    ({"shortcuts": False, "block": "basic", "blocks": (3, 4, 6, 3)}, "Plain-34"),
    ({"groups": 32, "width_per_group": 4}, "ResNeXt-50 32x4d"),
    ({"width_per_group": 128}, "ResNet-50 wide x2"),
    ({"width_mult": 0.5}, "ResNet-50 width x0.5"),
    ({"family": "cifar", "blocks": (18, 18, 18), "preact": True},
     "PreAct-ResNet-164 (CIFAR)"),
    ({"family": "cifar", "block": "basic", "blocks": (3, 3, 3), "shortcut": "A"},
     "ResNet-20 (CIFAR)"),
])
def test_name(kwargs: dict[str, object], name: str) -> None:
    assert ResNetSpec(**kwargs).name == name  # type: ignore[arg-type]


def test_round_trip_through_json() -> None:
    spec = ResNetSpec(family="cifar", block="bottleneck", blocks=(2, 3), variant="v1",
                      shortcut="D", preact=True, shortcuts=False, width_mult=0.75, groups=2,
                      width_per_group=32, num_classes=7, in_channels=1, input_size=(31, 17))
    data = spec.to_dict()
    assert data == json.loads(json.dumps(data))
    assert data["shortcut"] == "D" and data["blocks"] == [2, 3] and data["depth"] == 17
    assert set(data) == {f.name for f in dataclasses.fields(ResNetSpec) if f.init} | {"depth"}
    assert ResNetSpec.from_dict(json.loads(json.dumps(data))) == spec


def test_from_dict_rejects_unknown_fields() -> None:
    with pytest.raises(ValueError, match=r"unknown spec fields: \['colour'\]; known: "):
        ResNetSpec.from_dict({"colour": "red"})


def test_extra_stages_keep_doubling() -> None:
    spec = ResNetSpec(block="basic", blocks=(1,) * 6)
    assert [s.planes for s in spec.stages] == [64, 128, 256, 512, 1024, 2048]
    cifar = ResNetSpec(family="cifar", block="basic", blocks=(1,) * 5, shortcut="A")
    assert [s.planes for s in cifar.stages] == [16, 32, 64, 128, 256]


def test_width_rules_match_torchvision() -> None:
    wide = ResNetSpec(width_per_group=128)
    assert [s.mid_channels for s in wide.stages] == [128, 256, 512, 1024]
    assert wide.stages[-1].out_channels == 2048
    rx = ResNetSpec(groups=32, width_per_group=4)
    assert [s.mid_channels for s in rx.stages] == [128, 256, 512, 1024]
    half = ResNetSpec(width_mult=0.5)
    assert [s.out_channels for s in half.stages] == [128, 256, 512, 1024]
    assert half.stem_width == 64  # the stem is not scaled


# ------------------------------------------------------------------ invalid specs
@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"blocks": ()}, r"1 to 6 stages; got 0"),
    ({"blocks": (1,) * 7}, r"1 to 6 stages; got 7"),
    ({"blocks": (3, 0, 2)}, r"at least one block; got \[3, 0, 2\]"),
    ({"blocks": (500, 501)}, rf"1001 blocks is over the limit of {MAX_TOTAL_BLOCKS} "
                             r"\(depth 3002 for bottleneck blocks\)"),
    ({"input_size": (0, 5)}, r"between 1 and 2048 pixels a side; got 0x5"),
    ({"input_size": (5, 4096)}, r"got 5x4096"),
    ({"input_size": (1, 2, 3)}, r"input size must be \(height, width\)"),
    ({"num_classes": 0}, r"classes must be between 1 and 100000; got 0"),
    ({"in_channels": 65}, r"input channels must be between 1 and 64; got 65"),
    ({"width_mult": 0.01}, r"width multiplier must be between 0.0625 and 16; got 0.01"),
    ({"width_mult": float("nan")}, r"width multiplier .* got nan"),
    ({"width_mult": float("inf")}, r"width multiplier .* got inf"),
    ({"groups": 0}, r"groups must be between 1 and 1024; got 0"),
    ({"width_per_group": 0}, r"width per group must be between 1 and 4096; got 0"),
    ({"block": "basic", "groups": 32}, r"basic blocks support only groups=1 .* use bottleneck"),
    ({"block": "basic", "width_per_group": 128}, r"basic blocks support only"),
    ({"groups": 32, "width_per_group": 1, "width_mult": 0.0625},
     r"stage 1: inner width 0 is not a positive multiple of groups=32; raise width-per-group"),
    ({"width_mult": 16}, r"stage 4 would have 32768 channels, over the limit of 16384; lower"),
    ({"block": "basic", "shortcut": "A", "width_mult": 0.5},
     r"shortcut A \(zero-padding\) cannot shrink channels \(64 -> 32 in stage 1\); use shortcut"),
    ({"family": "mnist"}, r"unknown family 'mnist'; choose one of: imagenet, cifar"),
    ({"block": "dense"}, r"unknown block 'dense'; choose one of: basic, bottleneck"),
    ({"variant": "v2"}, r"unknown variant 'v2'; choose one of: v1, v1.5"),
    ({"shortcut": "E"}, r"unknown shortcut 'E'; choose one of: A, B, C, D"),
])
def test_invalid_specs_say_what_to_do(kwargs: dict[str, object], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        ResNetSpec(**kwargs)  # type: ignore[arg-type]


def test_shortcut_a_may_shrink_in_the_plain_ablation() -> None:
    spec = ResNetSpec(block="basic", shortcut="A", width_mult=0.5, shortcuts=False)
    assert spec.stages[0].out_channels == 32


def test_with_validates_again() -> None:
    with pytest.raises(ValueError, match="classes"):
        ResNetSpec().with_(num_classes=-1)


# ------------------------------------------------------------------ parsing
@pytest.mark.parametrize(("text", "size"), [
    ("224", (224, 224)), ("224x160", (224, 160)), ("32X48", (32, 48)), ("7×9", (7, 9)),
    (" 64 x 32 ", (64, 32))])
def test_parse_input_size(text: str, size: tuple[int, int]) -> None:
    assert parse_input_size(text) == size


@pytest.mark.parametrize("text", ["", "abc", "224x", "1x2x3", "2.5", "x"])
def test_parse_input_size_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="is not like 224 or 224x160"):
        parse_input_size(text)


def test_parse_blocks() -> None:
    assert parse_blocks("3,4,6,3") == (3, 4, 6, 3)
    assert parse_blocks(" 2, 2 ,") == (2, 2)
    with pytest.raises(ValueError, match="is not a comma-separated list like 3,4,6,3"):
        parse_blocks("3;4")
    with pytest.raises(ValueError, match="comma-separated"):
        parse_blocks("a,b")


@given(st.lists(st.integers(1, 50), min_size=1, max_size=6))
def test_parse_blocks_round_trip(blocks: list[int]) -> None:
    assert parse_blocks(",".join(map(str, blocks))) == tuple(blocks)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "family": st.sampled_from(["imagenet", "cifar", "x"]),
    "block": st.sampled_from(["basic", "bottleneck", ""]),
    "blocks": st.lists(st.integers(-2, 600), max_size=8),
    "variant": st.sampled_from(["v1", "v1.5", "v3"]),
    "shortcut": st.sampled_from(["A", "B", "C", "D", "a"]),
    "preact": st.booleans(), "shortcuts": st.booleans(),
    "width_mult": st.floats(allow_nan=True, allow_infinity=True),
    "groups": st.integers(-4, 5000), "width_per_group": st.integers(-4, 9000),
    "num_classes": st.integers(-4, 200_000), "in_channels": st.integers(-4, 100),
    "input_size": st.tuples(st.integers(-4, 5000), st.integers(-4, 5000)),
}))
def test_any_field_values_either_validate_or_raise_value_error(kwargs: dict[str, Any]) -> None:
    try:
        spec = ResNetSpec(**kwargs)
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    # a spec that validates has sane derived facts
    assert spec.depth >= 3 and all(s.out_channels >= 1 for s in spec.stages)
    assert all(1 <= s.mid_channels <= 16_384 for s in spec.stages)

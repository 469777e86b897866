"""Module names (one place builds and parses ``layer{n}``) and the limits table."""

from __future__ import annotations

import math

import pytest

from resnet_viz.arch import limits, names
from resnet_viz.arch.presets import from_depth
from resnet_viz.model.build import build


def test_names_round_trip() -> None:
    assert names.stage_module(3) == "layer3" and names.paper_name(3) == "conv4_x"
    assert names.block_name(2, 0) == "layer2.0"
    assert names.stage_of("layer3.1.conv2") == 3 and names.stage_of("layer12") == 12
    assert names.stage_of("conv1") is None and names.stage_of("layerx") is None
    assert names.block_of("layer3.1.conv2") == (3, 1) and names.block_of("layer3") is None
    assert names.is_stage_group("layer4") and not names.is_stage_group(names.STEM)
    assert not names.is_stage_group("layer4.0")


def test_names_match_the_built_model() -> None:
    spec = from_depth(18)
    model = build(spec, device="meta")
    modules = dict(model.named_modules())
    for st in spec.stages:
        assert st.module in modules
        assert names.block_name(st.index, st.blocks - 1) in modules
        assert names.stage_of(names.block_name(st.index, 0) + ".conv1") == st.index


def test_range_messages_and_nan() -> None:
    with pytest.raises(ValueError, match="classes must be between 1 and 100000; got 0"):
        limits.CLASSES.check(0)
    with pytest.raises(ValueError, match=r"width multiplier must be between 0\.0625 and 16"):
        limits.WIDTH_MULT.check(math.nan)
    assert limits.BATCH.contains(1) and not limits.BATCH.contains(limits.BATCH.hi + 1)
    assert not limits.SEEDS.contains(math.nan)


def test_depth_limits_follow_the_block_limit() -> None:
    assert limits.MAX_DEPTH == 3 * limits.MAX_TOTAL_BLOCKS + 2
    deepest = from_depth(limits.MAX_DEPTH, family="imagenet")
    assert sum(deepest.blocks) == limits.MAX_TOTAL_BLOCKS
    with pytest.raises(ValueError, match="nearest"):
        from_depth(limits.MAX_DEPTH + 3)

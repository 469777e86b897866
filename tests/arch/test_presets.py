"""Depth -> spec: presets, the depth rule and its error messages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resnet_viz.arch.presets import (
    CIFAR_PRESETS,
    IMAGENET_PRESETS,
    IMAGENET_WEIGHTS,
    STANDARD_DEPTHS,
    blocks_for_depth,
    default_block,
    depth_step,
    from_depth,
    is_valid_depth,
    preset_for,
    spec_from_choices,
    spread_blocks,
    valid_depths_near,
)
from resnet_viz.arch.spec import BlockKind, Family, Shortcut


# ------------------------------------------------------------------ presets
@pytest.mark.parametrize(("depth", "block", "blocks"), [
    (18, "basic", (2, 2, 2, 2)), (34, "basic", (3, 4, 6, 3)),
    (50, "bottleneck", (3, 4, 6, 3)), (101, "bottleneck", (3, 4, 23, 3)),
    (152, "bottleneck", (3, 8, 36, 3)), (200, "bottleneck", (3, 24, 36, 3))])
def test_imagenet_presets(depth: int, block: str, blocks: tuple[int, ...]) -> None:
    spec = from_depth(depth)
    assert (spec.block, spec.blocks, spec.depth) == (block, blocks, depth)
    assert spec.family is Family.IMAGENET and spec.shortcut is Shortcut.PROJECT_ON_CHANGE
    assert spec.num_classes == 1000 and spec.input_size == (224, 224)
    assert not spec.preact


@pytest.mark.parametrize(("depth", "n"), [(20, 3), (32, 5), (44, 7), (56, 9), (110, 18),
                                          (1202, 200)])
def test_cifar_basic_depths(depth: int, n: int) -> None:
    spec = from_depth(depth, family="cifar")
    assert (spec.block, spec.blocks, spec.depth) == (BlockKind.BASIC, (n, n, n), depth)
    assert spec.shortcut is Shortcut.ZERO_PAD and not spec.preact
    assert spec.num_classes == 10 and spec.input_size == (32, 32)


@pytest.mark.parametrize(("depth", "n"), [(164, 18), (1001, 111)])
def test_cifar_preact_presets(depth: int, n: int) -> None:
    spec = from_depth(depth, family="cifar")
    assert (spec.block, spec.blocks, spec.preact) == (BlockKind.BOTTLENECK, (n, n, n), True)
    assert spec.shortcut is Shortcut.PROJECT_ON_CHANGE
    # overriding the preset's choices
    post = from_depth(depth, family="cifar", preact=False)
    assert not post.preact and post.shortcut is Shortcut.ZERO_PAD
    assert from_depth(depth, family="cifar", shortcut="C").shortcut is Shortcut.PROJECT_ALL


def test_preset_tables() -> None:
    assert STANDARD_DEPTHS[Family.IMAGENET] == (18, 34, 50, 101, 152, 200)
    assert set(CIFAR_PRESETS) <= set(STANDARD_DEPTHS[Family.CIFAR])
    for depth, p in IMAGENET_PRESETS.items():
        assert from_depth(depth, block=p.block).depth == depth
        assert p.source
    assert preset_for("imagenet", 50) is IMAGENET_PRESETS[50]
    assert preset_for(Family.CIFAR, 164) is CIFAR_PRESETS[164]
    assert preset_for("cifar", 50) is None


def test_block_kind_can_override_the_depth_default() -> None:
    basic50 = from_depth(50, block="basic")
    assert basic50.block is BlockKind.BASIC and basic50.blocks == (5, 6, 9, 4)  # tie: earlier
    assert sum(basic50.blocks) == 24
    b26 = from_depth(26, block="bottleneck")
    assert b26.blocks == (2, 2, 3, 1) and b26.depth == 26  # 8 blocks: ties to the earlier
    assert from_depth(29, family="cifar").block is BlockKind.BOTTLENECK  # 9n+2 only
    assert from_depth(56, family="cifar", block="bottleneck").blocks == (6, 6, 6)


def test_from_depth_passes_other_fields() -> None:
    spec = from_depth(50, num_classes=7, input_size=(96, 128), width_mult=0.5, in_channels=1)
    assert (spec.num_classes, spec.input_size, spec.width_mult, spec.in_channels) == (
        7, (96, 128), 0.5, 1)


def test_default_block() -> None:
    assert default_block("imagenet", 48) is BlockKind.BASIC
    assert default_block("imagenet", 53) is BlockKind.BOTTLENECK
    assert default_block("cifar", 20) is BlockKind.BASIC
    assert default_block("cifar", 56) is BlockKind.BASIC  # both 6n+2 and 9n+2: basic
    assert default_block("cifar", 29) is BlockKind.BOTTLENECK


# ------------------------------------------------------------------ the rule
def test_spread_blocks_reproduces_resnet50() -> None:
    assert spread_blocks(16, IMAGENET_WEIGHTS) == (3, 4, 6, 3)
    assert spread_blocks(32, IMAGENET_WEIGHTS) == (6, 8, 12, 6)
    assert spread_blocks(4, IMAGENET_WEIGHTS) == (1, 1, 1, 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=6), st.integers(0, 2000))
def test_spread_blocks_properties(weights: list[int], extra: int) -> None:
    w = tuple(weights)
    total = len(w) + extra
    counts = spread_blocks(total, w)
    assert len(counts) == len(w)
    assert sum(counts) == total
    assert min(counts) >= 1
    # largest remainder: each stage is within one block of its share (when no floor applies)
    if all(total * x / sum(w) >= 1 for x in w):
        assert all(abs(c - total * x / sum(w)) < 1 for c, x in zip(counts, w, strict=True))


def test_spread_blocks_grows_every_stage_monotonically_for_imagenet() -> None:
    """Largest remainder can lose a seat as the total grows (the Alabama paradox), but
    never with ResNet-50's weights over the whole allowed range: deeper never shrinks a stage."""
    prev = spread_blocks(4, IMAGENET_WEIGHTS)
    for total in range(5, 1001):
        now = spread_blocks(total, IMAGENET_WEIGHTS)
        assert all(a >= b for a, b in zip(now, prev, strict=True)), total
        prev = now


def test_spread_blocks_keeps_one_block_per_stage_when_the_floor_overshoots() -> None:
    assert spread_blocks(3, (1, 1, 4)) == (1, 1, 1)
    assert spread_blocks(4, (1, 1, 1, 30)) == (1, 1, 1, 1)
    assert spread_blocks(5, (1, 1, 1, 30)) == (1, 1, 1, 2)


def test_spread_blocks_ties_go_to_the_earlier_stage() -> None:
    assert spread_blocks(5, (1, 1, 1, 1)) == (2, 1, 1, 1)
    assert spread_blocks(3, (1, 1)) == (2, 1)


def test_spread_blocks_rejects_too_few_blocks() -> None:
    with pytest.raises(ValueError, match="3 blocks cannot fill 4 stages"):
        spread_blocks(3, IMAGENET_WEIGHTS)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(Family), st.sampled_from(BlockKind), st.integers(-10, 3100))
def test_valid_depths_build_exactly_that_depth(family: Family, block: BlockKind,
                                               depth: int) -> None:
    step, _ = depth_step(family, block)
    if is_valid_depth(family, block, depth):
        spec = from_depth(depth, family=family, block=block, preact=False, shortcut="B")
        assert spec.depth == depth
        assert spec.blocks == blocks_for_depth(family, block, depth)
        if family is Family.CIFAR:
            assert len(set(spec.blocks)) == 1 and len(spec.blocks) == 3
        return
    with pytest.raises(ValueError) as err:
        from_depth(depth, family=family, block=block)
    near = valid_depths_near(family, block, depth)
    assert near, "an invalid depth always has a valid neighbour"
    assert all(is_valid_depth(family, block, d) for d in near)
    # nothing valid lies strictly between the neighbours
    lo, hi = min(near[0], depth), max(near[-1], depth)
    assert not any(is_valid_depth(family, block, d) for d in range(lo + 1, hi) if d not in near)
    assert f"nearest: {', '.join(map(str, near))}" in str(err.value)
    assert f"{step}" in str(err.value) and "+ 2" in str(err.value)


def test_depth_51_message() -> None:
    with pytest.raises(ValueError) as err:
        from_depth(51)
    msg = str(err.value)
    assert msg == ("depth 51 is not valid for imagenet bottleneck blocks "
                   "(depth = 3*blocks + 2, at least 14); nearest: 50, 53")


def test_cifar_messages_name_both_formulas() -> None:
    with pytest.raises(ValueError, match=r"6n\+2 \(nearest: 20, 26\).*9n\+2 \(nearest: 20, 29\)"):
        from_depth(21, family="cifar")
    with pytest.raises(ValueError, match=r"9n \+ 2, at least 11\); nearest: 20, 29"):
        from_depth(21, family="cifar", block="bottleneck")


def test_too_deep_names_the_deepest_valid_depth() -> None:
    with pytest.raises(ValueError, match=r"nearest: 3002$"):
        from_depth(100_000)
    with pytest.raises(ValueError, match=r"nearest: 2000$"):
        from_depth(5000, family="cifar", block="basic")
    assert from_depth(3002).depth == 3002  # the deepest allowed: 1000 bottleneck blocks


def test_too_shallow_names_the_minimum() -> None:
    with pytest.raises(ValueError, match=r"at least 10\); nearest: 10$"):
        from_depth(3)
    with pytest.raises(ValueError, match=r"\(nearest: 8\).*\(nearest: 11\)"):
        from_depth(2, family="cifar")


def test_unknown_family_and_block() -> None:
    with pytest.raises(ValueError, match="unknown family 'mnist'; choose one of: imagenet, cifar"):
        from_depth(50, family="mnist")
    with pytest.raises(ValueError, match="unknown shortcut 'E'; choose one of: A, B, C, D"):
        from_depth(50, shortcut="E")
    with pytest.raises(ValueError):
        from_depth(50, block="dense")


# ------------------------------------------------------------------ one entry point
def test_spec_from_choices_defaults() -> None:
    assert spec_from_choices() == from_depth(50)
    cifar = spec_from_choices(family="cifar")
    assert cifar == from_depth(56, family="cifar")
    assert (cifar.num_classes, cifar.input_size, cifar.shortcut) == (10, (32, 32), "A")
    assert spec_from_choices(family="cifar", depth=164).preact


def test_spec_from_choices_custom_blocks() -> None:
    spec = spec_from_choices(blocks=(1, 2), block="basic", num_classes=5, input_size=(40, 30),
                             variant="v1", width_mult=0.5, shortcut="B")
    assert (spec.block, spec.blocks, spec.num_classes, spec.input_size) == (
        BlockKind.BASIC, (1, 2), 5, (40, 30))
    assert spec.variant == "v1" and spec.width_mult == 0.5 and not spec.preact
    assert spec_from_choices(blocks=(2, 2)).block is BlockKind.BOTTLENECK
    assert spec_from_choices(family="cifar", blocks=(2, 2), block="basic").shortcut == "A"


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"family": "svhn"}, r"unknown family 'svhn'; choose one of: imagenet, cifar"),
    ({"blocks": (1, 1), "block": "dense"}, r"unknown block 'dense'; choose one of: basic"),
    ({"blocks": (1, 1), "shortcut": "Z"}, r"unknown shortcut 'Z'; choose one of: A, B, C, D"),
    ({"depth": 51}, r"nearest: 50, 53"),
    ({"blocks": (1, 1), "input_size": (0, 4)}, r"between 1 and 2048 pixels"),
])
def test_spec_from_choices_errors(kwargs: dict[str, object], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        spec_from_choices(**kwargs)  # type: ignore[arg-type]

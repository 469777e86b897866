"""The closed-form scaling curve equals analyse()/memory() at every sampled depth."""

from __future__ import annotations

import pytest

from resnet_viz.analysis import analyse, memory
from resnet_viz.analysis.scaling import scaling_curve, valid_depths
from resnet_viz.arch.presets import from_depth, is_valid_depth
from resnet_viz.arch.spec import ResNetSpec

BASES = {
    "cifar basic A": from_depth(20, family="cifar"),
    "cifar bottleneck preact": from_depth(164, family="cifar"),
    "imagenet basic C": from_depth(34, shortcut="C"),
    "imagenet bottleneck v1 D resnext": from_depth(50, variant="v1", shortcut="D", groups=32,
                                                   width_per_group=4),
    "imagenet plain bottleneck": from_depth(50, shortcuts=False),
    "cifar wide 40px": from_depth(56, family="cifar", width_mult=2.0, input_size=(40, 40)),
}


@pytest.mark.parametrize("name", list(BASES))
def test_closed_form_equals_analyse(name: str) -> None:
    base: ResNetSpec = BASES[name]
    pts = scaling_curve(base, hi=1202 if base.family == "cifar" else 400)
    sample = pts[:3] + pts[len(pts) // 2:len(pts) // 2 + 1] + pts[-1:]
    for p in sample:
        spec = base.with_(blocks=p.blocks)
        an = analyse(spec)
        mem = memory(an, batch=2, dtype_bytes=2)
        q = scaling_curve(base, [p.depth], batch=2, dtype_bytes=2)[0]
        assert (p.params, p.macs, p.receptive_field, p.weighted_layers) == (
            an.params, an.macs, an.receptive_field, spec.depth)
        assert (q.training_memory, q.inference_memory) == (mem.training, mem.inference)
        assert p.depth == spec.depth


def test_every_valid_cifar_depth_to_1202() -> None:
    pts = scaling_curve(from_depth(20, family="cifar"), hi=1202)
    depths = [p.depth for p in pts]
    assert depths == [d for d in range(1, 1203) if is_valid_depth("cifar", "basic", d)]
    assert depths[0] == 8 and depths[-1] == 1202 and len(depths) == 200
    assert [p.depth for p in pts if p.standard] == [20, 32, 44, 56, 110, 1202]


def test_standard_depths_follow_the_block_kind() -> None:
    pts = scaling_curve(from_depth(50), hi=1000)
    assert [p.depth for p in pts if p.standard] == [50, 101, 152, 200]
    assert pts[-1].depth == 998  # 3 * 332 + 2: the deepest bottleneck depth up to 1000


def test_valid_depths_and_errors() -> None:
    assert valid_depths("cifar", "bottleneck", 0, 40) == [11, 20, 29, 38]
    with pytest.raises(ValueError, match="nearest: 56, 62"):
        scaling_curve(from_depth(20, family="cifar"), [57])
    with pytest.raises(ValueError, match="no valid"):
        scaling_curve(from_depth(20, family="cifar"), lo=9, hi=13)

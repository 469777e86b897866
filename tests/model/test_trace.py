"""The analysis (computed from the spec) against real models (built and traced).

For every preset and for hundreds of generated specs: parameter count ==
``sum(p.numel())``, every layer's output shape == its forward-hook shape,
conv+linear MACs == ``FlopCounterMode`` / 2 (in total and per layer), and the
analysis' layer names are exactly the model's leaf modules, each called once.
Models are built on the ``meta`` device (shapes only), so this is fast.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from resnet_viz.analysis import Analysis, analyse
from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import BlockKind, Family, ResNetSpec, Shortcut, Variant
from resnet_viz.model.build import build, plain_twin
from resnet_viz.model.trace import leaf_modules, trace

# ------------------------------------------------------------------ the presets
PRESETS: dict[str, dict[str, Any]] = {
    **{f"imagenet-{d}-{v}": {"depth": d, "variant": v}
       for d in (18, 34, 50, 101, 152, 200) for v in ("v1", "v1.5")},
    "wide_resnet50_2": {"depth": 50, "width_per_group": 128},
    "resnext50_32x4d": {"depth": 50, "groups": 32, "width_per_group": 4},
    **{f"cifar-{d}-{s}": {"depth": d, "family": "cifar", "shortcut": s}
       for d in (20, 32, 44, 56, 110, 1202) for s in "AB"},
    "preact-164": {"depth": 164, "family": "cifar"},
    "preact-1001": {"depth": 1001, "family": "cifar"},
}
SLOW = {"cifar-1202-A", "cifar-1202-B", "preact-1001"}
# per-layer MACs need a second counted forward: one of each kind of layer layout is enough
PER_LAYER = {"imagenet-18-v1.5", "imagenet-50-v1", "imagenet-50-v1.5", "wide_resnet50_2",
             "resnext50_32x4d", "cifar-20-A", "cifar-20-B", "preact-164"}


def _per_module_macs(model: nn.Module, x: torch.Tensor) -> tuple[int, dict[str, int]]:
    """Total MACs and MACs per leaf module (FlopCounterMode's own module tracking)."""
    model.eval()  # train-mode BN rejects a single value per channel (1x1 maps, batch 1)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
    root = type(model).__name__ + "."
    per = {name[len(root):]: sum(c.values()) // 2
           for name, c in counter.get_flop_counts().items() if name.startswith(root)}
    return counter.get_total_flops() // 2, per


def cross_check(spec: ResNetSpec, *, device: str = "meta", per_layer_macs: bool = False,
                ) -> Analysis:
    """Assert that the analysis of ``spec`` matches its built, traced model."""
    an = analyse(spec)
    model = build(spec, device=device)
    leaves = leaf_modules(model)
    names = [r.name for r in an.layers]
    assert len(names) == len(set(names)), "duplicate layer names in the analysis"
    assert set(names) == set(leaves)

    assert an.params == sum(p.numel() for p in model.parameters())
    for r in an.layers:
        assert r.params == sum(p.numel() for p in leaves[r.name].parameters()), r.name

    tr = trace(model, spec.input_size, in_channels=spec.in_channels)
    assert tr.params == an.params
    assert tr.calls == dict.fromkeys(names, 1), "every leaf module runs exactly once"
    wrong = [(r.name, r.out_shape, tr.shapes[r.name]) for r in an.layers
             if r.out_shape != tr.shapes[r.name]]
    assert not wrong, f"shape mismatches (name, analysis, forward): {wrong[:5]}"
    assert an.macs == tr.macs
    assert an.output_shape == (spec.num_classes,)

    if per_layer_macs:
        x = torch.zeros(1, spec.in_channels, *spec.input_size, device=device)
        total, per = _per_module_macs(model, x)
        assert total == an.macs
        for r in an.layers:
            assert r.macs == per.get(r.name, 0), r.name
    return an


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in PRESETS])
def test_preset_matches_model(name: str) -> None:
    kwargs = dict(PRESETS[name])
    spec = from_depth(kwargs.pop("depth"), **kwargs)
    cross_check(spec, per_layer_macs=name in PER_LAYER)


# ------------------------------------------------------------------ generated specs
@st.composite
def specs(draw: st.DrawFn, *, max_stages: int = 5, max_blocks: int = 3, max_side: int = 64,
          widths: tuple[float, ...] = (0.0625, 0.25, 0.5, 1.0, 1.5, 2.0),
          groups_choices: tuple[int, ...] = (1, 1, 2, 4, 32),
          wpg_choices: tuple[int, ...] = (1, 4, 16, 64, 64, 128)) -> ResNetSpec:
    """Any valid spec: every family, block, variant, shortcut option and size."""
    family = draw(st.sampled_from(Family))
    block = draw(st.sampled_from(BlockKind))
    n_stages = draw(st.integers(1, max_stages))
    blocks = tuple(draw(st.lists(st.integers(1, max_blocks), min_size=n_stages,
                                 max_size=n_stages)))
    groups, wpg = 1, 64
    if block is BlockKind.BOTTLENECK:
        groups = draw(st.sampled_from(groups_choices))
        wpg = draw(st.sampled_from(wpg_choices))
    h = draw(st.integers(1, max_side))
    w = draw(st.one_of(st.just(h), st.integers(1, max_side)))
    kwargs = dict(
        family=family, block=block, blocks=blocks, groups=groups, width_per_group=wpg,
        variant=draw(st.sampled_from(Variant)),
        shortcut=draw(st.sampled_from(Shortcut)),
        preact=draw(st.booleans()),
        shortcuts=draw(st.booleans()),
        width_mult=draw(st.sampled_from(widths)),
        num_classes=draw(st.integers(1, 1000)),
        in_channels=draw(st.integers(1, 4)),
        input_size=(h, w),
    )
    try:
        return ResNetSpec(**kwargs)
    except ValueError as exc:  # e.g. option A shrinking channels, empty grouped width
        assume(False)
        raise AssertionError from exc  # unreachable: assume(False) raises


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(specs())
def test_generated_spec_matches_model(spec: ResNetSpec) -> None:
    cross_check(spec)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(max_stages=4, max_blocks=2, max_side=12, widths=(0.0625, 0.125),
             groups_choices=(1, 2, 4), wpg_choices=(4, 16, 64)))
def test_generated_spec_matches_cpu_model(spec: ResNetSpec) -> None:
    """Real kernels (not just meta shape functions) agree too, incl. per-layer MACs."""
    cross_check(spec, device="cpu", per_layer_macs=True)


def test_plain_twin_runs_no_shortcut() -> None:
    spec = from_depth(20, family="cifar", input_size=(8, 8))
    twin = plain_twin(build(spec, device="meta"))
    tr = trace(twin, spec.input_size)
    an = analyse(spec.with_(shortcuts=False))
    assert not any(n.endswith(("add", "downsample")) or ".downsample." in n for n in tr.calls)
    assert set(tr.calls) == {r.name for r in an.layers}
    assert tr.macs == an.macs
    # the projections' parameters stay in the twin (shared), so params differ from the ablation
    assert tr.params == analyse(spec).params


# ------------------------------------------------------------------ trace itself
def test_trace_macs_are_per_sample_and_model_is_untouched() -> None:
    spec = from_depth(18, input_size=(32, 48))
    model = build(spec, device="meta")
    one = trace(model, spec.input_size)
    three = trace(model, spec.input_size, batch=3)
    assert one.macs == three.macs == analyse(spec).macs
    assert one.shapes == three.shapes
    assert all(not m._forward_hooks for m in model.modules()), "hooks were left behind"


def test_trace_counts_repeated_calls() -> None:
    relu = nn.ReLU()
    model = nn.Sequential(nn.Conv2d(2, 3, 1, bias=False), relu, relu, nn.Flatten())
    tr = trace(model, (2, 2), in_channels=2)
    assert tr.calls == {"0": 1, "1": 2, "3": 1}  # the shared ReLU is registered once as "1"
    assert tr.shapes["3"] == (12,)
    assert tr.macs == 3 * 2 * 4
    assert tr.params == 6
    assert set(leaf_modules(model)) == {"0", "1", "3"}


def test_trace_does_not_touch_batchnorm_statistics_or_modes() -> None:
    spec = ResNetSpec(family="cifar", block="basic", blocks=(1, 1), width_mult=0.25,
                      num_classes=3, input_size=(1, 1))  # 1x1 maps: train-mode BN would raise
    model = build(spec, seed=0)
    model.layer1.eval()  # a mixed-mode model must come back mixed
    before = {k: v.clone() for k, v in model.state_dict().items()}
    modes = {n: m.training for n, m in model.named_modules()}
    tr = trace(model, spec.input_size)
    assert tr.shapes["fc"] == (3,)
    assert {n: m.training for n, m in model.named_modules()} == modes
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)

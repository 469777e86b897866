"""The torch builder: torchvision compatibility, the plain twin, initialisation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import nn

from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import ResNetSpec, ShortcutKind
from resnet_viz.model.build import Add, ResNet, ZeroPadShortcut, build, plain_twin
from tests import torchvision_ref

# torchvision builder name -> the same network as a spec
TORCHVISION: dict[str, ResNetSpec] = {
    "resnet18": from_depth(18),
    "resnet34": from_depth(34),
    "resnet50": from_depth(50),
    "resnet101": from_depth(101),
    "wide_resnet50_2": from_depth(50, width_per_group=128),
    "resnext50_32x4d": from_depth(50, groups=32, width_per_group=4),
}


def _uninitialised(make: Callable[[], nn.Module]) -> nn.Module:
    """A CPU module with uninitialised storage (skips the costly init before a load)."""
    with torch.device("meta"):
        module = make()
    return module.to_empty(device="cpu")


@pytest.fixture(scope="module", params=list(TORCHVISION))
def pair(request: pytest.FixtureRequest) -> tuple[str, nn.Module, nn.Module]:
    name = request.param
    torch.manual_seed(0)
    return name, _uninitialised(lambda: ResNet(TORCHVISION[name])), torchvision_ref.make(name)


def test_state_dict_keys_and_shapes_match_torchvision(
        pair: tuple[str, nn.Module, nn.Module]) -> None:
    _, ours, ref = pair
    ours_sd, ref_sd = ours.state_dict(), ref.state_dict()
    assert list(ours_sd) == list(ref_sd)  # same keys in the same order
    assert {k: v.shape for k, v in ours_sd.items()} == {k: v.shape for k, v in ref_sd.items()}


def test_torchvision_weights_load_both_ways_and_outputs_match(
        pair: tuple[str, nn.Module, nn.Module]) -> None:
    _, ours, ref = pair
    _randomise_bn(ref)
    ours.load_state_dict(ref.state_dict(), strict=True)
    ours.eval()
    ref.eval()
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        expected = ref(x)
        got = ours(x)
    assert got.shape == (2, 1000)
    assert torch.allclose(got, expected, rtol=1e-4, atol=1e-5)

    # and back: a state_dict of ours loads into torchvision's structure
    fresh = _uninitialised(lambda: torchvision_ref.make(pair[0]))
    fresh.load_state_dict(ours.state_dict(), strict=True)
    with torch.no_grad():
        assert torch.allclose(fresh.eval()(x), got, rtol=1e-4, atol=1e-5)


def _randomise_bn(model: nn.Module) -> None:
    """Non-trivial BN statistics and affine terms, so a mis-wired BN shows in the output."""
    g = torch.Generator().manual_seed(7)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(c, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(c, generator=g) * 0.1)


def test_v1_is_not_torchvision_layout() -> None:
    """v1 strides the 1x1: same state_dict, different output; guards the comparison above."""
    ref = torchvision_ref.make("resnet50").eval()
    v1 = _uninitialised(lambda: ResNet(from_depth(50, variant="v1"))).eval()
    v1.load_state_dict(ref.state_dict(), strict=True)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert not torch.allclose(v1(x), ref(x), rtol=1e-4, atol=1e-5)
    assert v1.layer2[0].conv1.stride == (2, 2) and v1.layer2[0].conv2.stride == (1, 1)


# ------------------------------------------------------------------ plain twin
def _small_spec(**kw: object) -> ResNetSpec:
    return ResNetSpec(**{"family": "cifar", "block": "basic", "blocks": (2, 2, 2),
                         "shortcut": "B", "num_classes": 5,
                         "input_size": (16, 16), **kw})


def test_plain_twin_shares_every_parameter() -> None:
    model = build(_small_spec(), seed=0)
    twin = plain_twin(model)
    ours = dict(model.named_parameters())
    theirs = dict(twin.named_parameters())
    assert list(ours) == list(theirs)
    assert all(ours[k] is theirs[k] for k in ours)
    # buffers are copies: running the twin in train mode leaves the model's statistics alone
    before = model.bn1.running_mean.clone()
    twin.train()(torch.randn(4, 3, 16, 16))
    assert torch.equal(model.bn1.running_mean, before)
    assert not torch.equal(twin.bn1.running_mean, before)
    assert twin.spec.shortcuts is False
    assert twin.spec.with_(shortcuts=True) == model.spec


def test_plain_twin_output_differs_and_residual_model_is_unchanged() -> None:
    model = build(_small_spec(), seed=0).eval()
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        before = model(x)
        twin = plain_twin(model).eval()
        plain = twin(x)
        after = model(x)
    assert torch.equal(before, after)
    assert not torch.allclose(plain, before)
    assert model.spec.shortcuts is True
    assert all(b.use_shortcut for _, b in model.blocks())
    assert not any(b.use_shortcut for _, b in twin.blocks())


def test_plain_twin_gradient_does_not_flow_through_the_addition() -> None:
    """Zero each last-stage block's final BN scale (shared, so in both nets).

    Each block's main path then outputs a constant, so in the plain twin the
    logits no longer depend on the input at all; the residual net still passes
    the gradient along the identity shortcut.
    """
    model = build(_small_spec(shortcut="A"), seed=0).eval()
    for _, block in list(model.blocks())[-2:]:
        nn.init.zeros_(block.bn2.weight)
    twin = plain_twin(model).eval()
    grads = []
    for net in (model, twin):
        x = torch.randn(2, 3, 16, 16, requires_grad=True)
        net(x).sum().backward()
        assert x.grad is not None
        grads.append(x.grad)
    assert grads[0].abs().sum() > 0
    assert torch.count_nonzero(grads[1]) == 0


def test_plain_twin_gradients_land_in_the_shared_grad() -> None:
    model = build(_small_spec(), seed=0)
    twin = plain_twin(model)
    twin(torch.randn(2, 3, 16, 16)).sum().backward()
    assert model.conv1.weight.grad is not None
    assert model.conv1.weight.grad is twin.conv1.weight.grad


# ------------------------------------------------------------------ build options
def test_seed_makes_weights_reproducible() -> None:
    spec = _small_spec()
    a, b, c = build(spec, seed=5), build(spec, seed=5), build(spec, seed=6)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.conv1.weight, c.conv1.weight)


def test_initialisation_as_torchvision() -> None:
    model = build(from_depth(18), seed=0)
    assert torch.equal(model.bn1.weight, torch.ones(64))
    assert torch.equal(model.bn1.bias, torch.zeros(64))
    # Kaiming normal, fan-out: std = sqrt(2 / (out_ch * k * k))
    w = model.layer4[1].conv2.weight
    expected = (2 / (512 * 9)) ** 0.5
    assert abs(w.std().item() - expected) / expected < 0.02


def test_meta_device_and_dtype() -> None:
    meta = build(from_depth(152), device="meta")
    assert all(p.device.type == "meta" for p in meta.parameters())
    half = build(_small_spec(), dtype=torch.float64, seed=0)
    assert all(p.dtype == torch.float64 for p in half.parameters())
    assert half(torch.randn(1, 3, 16, 16, dtype=torch.float64)).dtype == torch.float64


def test_model_is_returned_in_train_mode_with_spec() -> None:
    spec = _small_spec()
    model = build(spec)
    assert model.training
    assert model.spec is spec
    assert [n for n, _ in model.blocks()] == [f"layer{s}.{i}" for s in (1, 2, 3) for i in (0, 1)]


@pytest.mark.parametrize(("shortcut", "kind", "modules"), [
    ("A", ShortcutKind.ZERO_PAD, ["downsample"]),
    ("B", ShortcutKind.PROJECTION, ["downsample.0", "downsample.1"]),
    ("D", ShortcutKind.AVG_PROJECTION, ["downsample.0", "downsample.1", "downsample.2"]),
])
def test_shortcut_modules(shortcut: str, kind: ShortcutKind, modules: list[str]) -> None:
    model = build(_small_spec(shortcut=shortcut), device="meta")
    block = model.layer2[0]
    assert block.plan.shortcut is kind
    names = [n for n, _ in block.named_modules() if n.startswith("downsample")]
    assert [n for n in names if n != "downsample" or len(names) == 1] == modules
    assert isinstance(block.add, Add)
    assert not hasattr(model.layer2[1], "downsample")


def test_zero_pad_shortcut_subsamples_then_pads_with_zeros() -> None:
    zp = ZeroPadShortcut(2, 5, 2)
    x = torch.arange(2 * 5 * 5, dtype=torch.float32).reshape(1, 2, 5, 5)
    y = zp(x)
    assert y.shape == (1, 5, 3, 3)
    assert torch.equal(y[:, :2], x[:, :, ::2, ::2])
    assert torch.count_nonzero(y[:, 2:]) == 0
    assert not list(zp.parameters())
    assert "2, 5, stride=2" in repr(zp)


def test_preact_projection_has_no_batchnorm() -> None:
    model = build(from_depth(164, family="cifar"), device="meta")
    ds = model.layer1[0].downsample
    assert [type(m) for m in ds] == [nn.Conv2d]
    assert hasattr(model, "final_bn") and not hasattr(model, "bn1")

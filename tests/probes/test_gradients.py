"""Gradient probes: the plain twin, the hooks, the measured properties and the captions."""

from __future__ import annotations

import json
import math
import re
from functools import partial

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional

from resnet_viz.arch.presets import from_depth
from resnet_viz.arch.spec import BlockKind, Family, ResNetSpec, Shortcut
from resnet_viz.cli import main
from resnet_viz.model.build import Add, build, plain_twin
from resnet_viz.probes import gradients as gr
from resnet_viz.probes.gradients import recorder

CIFAR14 = from_depth(14, family="cifar")
# ImageNet-style with projection shortcuts (B), tiny so that it runs in milliseconds
TINY_B = ResNetSpec(family=Family.IMAGENET, block=BlockKind.BOTTLENECK, blocks=(1, 2),
                    shortcut=Shortcut.PROJECT_ON_CHANGE, width_mult=0.25, num_classes=7,
                    input_size=(32, 32))


@pytest.fixture(scope="module")
def cifar56_train() -> gr.GradientReport:
    return gr.probe(from_depth(56, family="cifar"), bn_mode="train", batch=4, seeds=2)


@pytest.fixture(scope="module")
def cifar14_report() -> gr.GradientReport:
    return gr.probe(CIFAR14, batch=4, seeds=2)


def _batch(spec: ResNetSpec, n: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    return gr.make_batch(spec, gr.ProbeConfig(batch=n), seed=0)


# --------------------------------------------------------------------------- plain twin
@pytest.mark.parametrize("spec", [CIFAR14, TINY_B], ids=["cifar-A", "imagenet-B"])
def test_plain_twin_shares_every_weight_and_has_no_shortcut(spec: ResNetSpec) -> None:
    model = build(spec, seed=0)
    twin = plain_twin(model)
    pairs = list(zip(model.parameters(), twin.parameters(), strict=True))
    assert pairs and all(a is b for a, b in pairs)
    fired: list[str] = []
    for name, m in twin.named_modules():
        if isinstance(m, Add) or name.endswith("downsample"):
            m.register_forward_hook(lambda *_, name=name: fired.append(name))
    x, _ = _batch(spec)
    twin.eval()
    out = twin(x)
    assert fired == []
    assert all(not b.use_shortcut for _, b in twin.blocks())
    # the same numbers as a net built without shortcuts, loaded with the same weights
    plain = build(spec.with_(shortcuts=False), seed=1).eval()
    plain.load_state_dict(model.state_dict(), strict=False)
    torch.testing.assert_close(out, plain(x))
    assert not torch.allclose(out, model.eval()(x))


# --------------------------------------------------------------------------- hooks
def test_recorder_records_one_entry_per_block_and_layer() -> None:
    model = build(TINY_B, seed=0)
    x, labels = _batch(TINY_B)
    n_blocks = sum(TINY_B.blocks)
    for net, adds in ((model, 1), (plain_twin(model), 0)):
        with gr.GradientRecorder(net) as rec:
            sample = rec.run(x, labels, gr.LossKind.CE)
        assert len(rec.block_names) == n_blocks and len(rec.layer_names) == TINY_B.depth
        assert rec.counts["activation"] == [1] * n_blocks
        assert rec.counts["activation_grad"] == [1] * n_blocks
        assert rec.counts["branch"] == [adds] * n_blocks
        assert rec.counts["layer_activation_grad"] == [1] * TINY_B.depth
        assert sample.weight_grad.shape == (n_blocks,)
        assert np.all(np.isfinite(sample.activation_grad)) and np.all(sample.weight_grad > 0)
        assert not any(m._forward_hooks for m in net.modules())  # removed on exit
    assert not any(".downsample" in n for n in rec.layer_names)


def test_one_forward_pass_per_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"residual": 0, "plain": 0}
    real = recorder.plain_twin

    def spy(model: nn.Module) -> nn.Module:
        twin = real(model)  # type: ignore[arg-type]
        twin.register_forward_hook(lambda *_: calls.__setitem__("plain", calls["plain"] + 1))
        return twin

    monkeypatch.setattr(recorder, "plain_twin", spy)
    model = build(CIFAR14, seed=0)

    def count_residual(m: nn.Module, *_: object) -> None:
        if m is model:  # plain_twin's deep copy also copies this hook onto the twin
            calls["residual"] += 1

    model.register_forward_hook(count_residual)
    x, labels = _batch(CIFAR14)
    gr.measure_pair(model, x, labels)
    assert calls == {"residual": 1, "plain": 1}


def test_a_twin_made_earlier_gives_the_same_records() -> None:
    model = build(CIFAR14, seed=0)
    x, labels = _batch(CIFAR14)
    made_here = gr.measure_pair(model, x, labels)
    reused = gr.measure_pair(model, x, labels, twin=plain_twin(model))
    for a, b in zip(made_here, reused, strict=True):
        np.testing.assert_allclose(a.activation_grad, b.activation_grad, rtol=1e-5)
        np.testing.assert_allclose(a.weight_grad, b.weight_grad, rtol=1e-5)
    with pytest.raises(ValueError, match="twin"):
        gr.measure_pair(model, x, labels, twin=build(CIFAR14, seed=0))


def _keep(kept: list[torch.Tensor], _m: nn.Module, _i: object, out: torch.Tensor) -> None:
    out.retain_grad()
    kept.append(out)


@pytest.mark.parametrize("bn_mode", ["train", "eval"])
def test_recorded_norms_match_an_independent_computation(bn_mode: str) -> None:
    """Each twin's weight and activation gradients are its own (grads zeroed in between)."""
    x, labels = _batch(TINY_B)
    res, pla = gr.measure_pair(build(TINY_B, seed=3), x, labels, bn_mode=bn_mode)
    for sample, shortcuts in ((res, True), (pla, False)):
        net = build(TINY_B, seed=3)
        if not shortcuts:
            net = plain_twin(net)
        net.train(bn_mode == "train")
        block = dict(net.blocks())["layer2.1"]
        kept: list[torch.Tensor] = []
        block.register_forward_hook(partial(_keep, kept))
        functional.cross_entropy(net(x), labels).backward()
        params = [p for n, p in block.named_parameters() if not n.startswith("downsample")]
        expected = math.sqrt(sum(float(p.grad.norm()) ** 2 for p in params))  # type: ignore
        assert sample.weight_grad[-1] == pytest.approx(expected, rel=1e-4)
        grad = kept[0].grad
        assert grad is not None
        assert sample.activation_grad[-1] == pytest.approx(float(grad.norm()), rel=1e-4)
        assert sample.activation[-1] == pytest.approx(float(kept[0].detach().norm()), rel=1e-5)
        fc = float(net.get_parameter("fc.weight").grad.norm())  # type: ignore[union-attr]
        assert sample.layer_weight_grad[-1] == pytest.approx(fc, rel=1e-4)


# --------------------------------------------------------------------------- measured properties
def test_cifar56_train_mode_plain_ratio_far_exceeds_residual(
        cifar56_train: gr.GradientReport) -> None:
    s = gr.summarise(cifar56_train)
    assert s.plain.finite and s.residual.finite
    assert s.plain.value > 10 * s.residual.value
    assert s.plain.layers == 26 * 2


def test_report_shapes_and_bands(cifar14_report: gr.GradientReport) -> None:
    r = cifar14_report
    assert r.residual.blocks == r.plain.blocks and len(r.residual.blocks) == 6
    assert len(r.residual.layers) == CIFAR14.depth
    a = r.plain.activation_grad.array()
    assert a.shape == (2, 6)
    assert np.allclose(r.plain.activation_grad.mean, np.sqrt(a[0] * a[1]))
    assert r.plain.activation_grad.lo == tuple(a.min(axis=0))
    assert r.plain.residual_ratio is None and r.residual.residual_ratio is not None
    ratio = r.residual.residual_ratio.array()
    assert np.allclose(ratio, r.residual.branch_norm.array()  # type: ignore[union-attr]
                       / r.residual.shortcut_norm.array())  # type: ignore[union-attr]
    assert r.residual.metric("weight_grad", level="layer") is r.residual.layer_weight_grad
    # identity shortcuts carry the block input itself; option A's zero-pad subsamples it
    shortcut = r.residual.shortcut_norm.array()  # type: ignore[union-attr]
    inputs = r.residual.input_norm.array()
    blocks = r.residual.blocks
    identity = [i for i, n in enumerate(blocks) if not n.endswith(".0") or n == "layer1.0"]
    assert np.array_equal(shortcut[:, identity], inputs[:, identity])
    assert np.all(shortcut[:, blocks.index("layer2.0")] < inputs[:, blocks.index("layer2.0")])


def test_seeds_are_reproducible() -> None:
    a = gr.probe(CIFAR14, batch=2, seeds=1, first_seed=5)
    b = gr.probe(CIFAR14, batch=2, seeds=1, first_seed=5)
    assert a.plain.activation_grad == b.plain.activation_grad
    assert a.config.seed_list == (5,)


def test_blocks_only_probe_records_the_same_blocks() -> None:
    full = gr.probe(CIFAR14, batch=2)
    lean = gr.probe(CIFAR14, batch=2, layers=False)
    assert lean.residual.layers == () and lean.plain.layer_activation.per_seed == ((),)
    assert lean.plain.activation_grad == full.plain.activation_grad
    assert lean.residual.weight_grad == full.residual.weight_grad
    with pytest.raises(ValueError, match="blocks only"):
        lean.plain.metric("activation", level="layer")


def test_eval_mode_batchnorm_is_the_identity_at_initialisation() -> None:
    model = build(CIFAR14, seed=0).eval()
    bn = model.get_submodule("bn1")
    assert isinstance(bn, nn.BatchNorm2d)
    x = torch.randn(2, bn.num_features, 4, 4)
    torch.testing.assert_close(bn(x), x / math.sqrt(1 + bn.eps))


def test_images_input_and_float64() -> None:
    x = gr.image_batch(6, (40, 24), generator=torch.Generator().manual_seed(0))
    assert x.shape == (6, 3, 40, 24) and abs(float(x.mean())) < 1.5
    y = gr.image_batch(6, (40, 24), generator=torch.Generator().manual_seed(0))
    assert torch.equal(x, y)
    assert gr.image_batch(2, (8, 8), channels=1).shape == (2, 1, 8, 8)
    r = gr.probe(from_depth(8, family="cifar"), batch=2, input_kind="images", dtype="float64",
                 loss="sum")
    assert np.all(np.isfinite(r.residual.activation_grad.array()))


@pytest.mark.parametrize("kwargs, message", [
    ({"batch": 0}, "batch must be"),
    ({"seeds": 1000}, "seeds must be"),
    ({"bn_mode": "frozen"}, "unknown BN mode"),
    ({"loss": "mse"}, "unknown loss"),
    ({"dtype": "int8"}, "unknown dtype"),
    ({"device": "tpu"}, "device"),
    ({"input_kind": "video"}, "unknown input kind"),
])
def test_invalid_options_raise_value_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gr.probe(CIFAR14, **kwargs)  # type: ignore[arg-type]


def test_network_that_cannot_run_raises_value_error() -> None:
    with pytest.raises(ValueError, match="cannot run"):
        gr.probe(from_depth(18), batch=1, input_size=16)


# --------------------------------------------------------------------------- captions
def _ratio(values: tuple[float, ...], layers: int = 10,
           net: gr.Net = gr.Net.PLAIN) -> gr.Ratio:
    return gr.Ratio(net, gr.Metric.ACTIVATION_GRAD, values, layers)


_NUM = r"([0-9][0-9,.e+]*)"


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def test_caption_numbers_match_the_data(cifar56_train: gr.GradientReport) -> None:
    for metric in ("activation_grad", "weight_grad"):
        s = gr.summarise(cifar56_train, metric)
        for net, ratio in (("plain", s.plain), ("residual", s.residual)):
            m = re.search(net + rf": (grows|shrinks) {_NUM}x from the last block to the first, "
                                rf"x{_NUM} per layer; seeds {_NUM}x to {_NUM}x", s.caption)
            assert m, s.caption
            assert m.group(1) == ("grows" if ratio.value > 1 else "shrinks")
            size = ratio.value if ratio.value > 1 else 1 / ratio.value
            assert _num(m.group(2)) == pytest.approx(size, rel=0.05)
            assert m.group(2) == gr.fmt_factor(size)
            assert _num(m.group(3)) == pytest.approx(ratio.per_layer, abs=0.006)
            ends = sorted(v if v > 1 else 1 / v for v in (ratio.lo, ratio.hi))
            assert (_num(m.group(4)), _num(m.group(5))) == pytest.approx(ends, rel=0.05)
        k = s.plain.value / s.residual.value
        m = re.search(rf"shortcuts (cut|raise) the growth {_NUM}-fold", s.caption)
        assert m, s.caption  # both twins grow toward the input in CIFAR-56, train mode
        assert m.group(1) == ("cut" if k > 1 else "raise")
        assert _num(m.group(2)) == pytest.approx(max(k, 1 / k), rel=0.05)
        both = (f"it grows {gr.fmt_factor(s.plain.value)}x without shortcuts and "
                f"{gr.fmt_factor(s.residual.value)}x with them")
        assert both in s.caption


def test_wording_follows_the_measured_direction() -> None:
    grows, shrinks, level = _ratio((900.0, 1100.0)), _ratio((0.02, 0.03)), _ratio((1.02,))
    assert gr.describe_ratio(grows).startswith("grows 990x")
    assert gr.describe_ratio(shrinks).startswith("shrinks 41x")
    assert "x0.69 per layer" in gr.describe_ratio(shrinks)
    assert gr.describe_ratio(level).startswith("stays level")
    assert "seeds disagree" in gr.describe_ratio(_ratio((0.5, 2.0)))
    assert "overflow" in gr.describe_ratio(_ratio((float("inf"),)))
    assert "underflows to 0" in gr.describe_ratio(_ratio((0.0, 5.0)))
    # the roles swapped: the caption follows the numbers, not a fixed story
    text = gr.ratio_caption(_ratio((1000.0,), net=gr.Net.RESIDUAL), _ratio((0.001,)))
    assert "plain: shrinks 1,000x" in text and "residual: grows 1,000x" in text
    assert "1,000,000x smaller" in text
    assert "without shortcuts it vanishes toward the input" in text
    assert "with them it explodes toward the input" in text
    text = gr.ratio_caption(_ratio((20.0,), net=gr.Net.RESIDUAL), _ratio((5000.0,)))
    assert "without shortcuts it explodes toward the input, with them it changes by less " \
           "than 100x" in text


@pytest.mark.parametrize("x, text", [(0.523, "0.52"), (9.83, "9.8"), (56.3, "56"),
                                     (3987.0, "4,000"), (12345.0, "12,000"), (1.0, "1.0"),
                                     (3.2e9, "3.2e+09"), (float("inf"), "inf")])
def test_fmt_factor(x: float, text: str) -> None:
    assert gr.fmt_factor(x) == text


def test_residual_ratio_caption_matches_the_data(cifar14_report: gr.GradientReport) -> None:
    text = gr.residual_ratio_caption(cifar14_report)
    vals = np.asarray(cifar14_report.residual.residual_ratio.mean)  # type: ignore[union-attr]
    m = re.search(rf"has {_NUM} times the norm of the shortcut in the median block "
                  rf"\(from {_NUM} in (\S+) to {_NUM} in (\S+)\)", text)
    assert m, text
    assert _num(m.group(1)) == pytest.approx(np.median(vals), abs=0.006)
    assert _num(m.group(2)) == pytest.approx(vals.min(), abs=0.006)
    assert _num(m.group(4)) == pytest.approx(vals.max(), abs=0.006)
    names = cifar14_report.residual.blocks
    assert m.group(3) == names[int(vals.argmin())] and m.group(5) == names[int(vals.argmax())]
    small = int(np.sum(vals < 1))
    if 0 < small < len(vals):
        assert f"{small} of {len(vals)} branches are smaller" in text
    for stage in ("layer1", "layer2", "layer3"):
        idx = [i for i, n in enumerate(names) if n.startswith(stage + ".")]
        verb = "falls" if vals[idx[-1]] < vals[idx[0]] else "rises"
        assert f"{stage} {verb} from {vals[idx[0]]:.2f} to {vals[idx[-1]]:.2f}" in text


def test_residual_ratio_caption_wording_follows_values(
        cifar14_report: gr.GradientReport) -> None:
    def with_ratio(v: float) -> gr.GradientReport:
        n = len(cifar14_report.residual.blocks)
        res = cifar14_report.residual
        series = gr.Series(((v,) * n,))
        fake = gr.NetGradients(**{**res.__dict__, "residual_ratio": series})
        return gr.GradientReport(cifar14_report.spec, cifar14_report.config, fake,
                                 cifar14_report.plain)

    assert "Every branch is smaller" in gr.residual_ratio_caption(with_ratio(0.5))
    assert "Every branch is larger" in gr.residual_ratio_caption(with_ratio(2.0))


# --------------------------------------------------------------------------- sweep
def test_sweep_reports_progress_and_one_point_per_depth() -> None:
    seen: list[tuple[int, int]] = []
    sw = gr.sweep((8, 14), family="cifar", config=gr.ProbeConfig(batch=2, seeds=2),
                  progress=lambda done, total, _msg: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [p.depth for p in sw.points] == [8, 14]
    assert [p.plain.layers for p in sw.points] == [4, 10]
    text = gr.sweep_caption(sw)
    a, b = sw.points
    assert f"plain {'rises' if b.plain.value > a.plain.value else 'falls'} from " \
           f"{gr.fmt_factor(a.plain.value)}x to {gr.fmt_factor(b.plain.value)}x" in text
    with pytest.raises(ValueError, match="depth"):
        gr.sweep((8, 9), family="cifar")


# --------------------------------------------------------------------------- CLI
def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["gradients", "--family", "cifar", "--depth", "8", "--batch", "2",
               "--seeds", "2", "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    for net in ("residual", "plain"):
        d = data[net]
        assert d["names"] == ["layer1.0", "layer2.0", "layer3.0"]
        assert all(len(d[k]) == 3 for k in ("weight_grad", "activation_grad", "activation"))
    assert data["plain"]["residual_ratio"] is None
    assert len(data["residual"]["residual_ratio"]) == 3
    ag = data["derived"]["activation_grad"]
    plain = data["plain"]["activation_grad"]
    assert ag["plain"]["first_last"] == pytest.approx(plain[0] / plain[-1], rel=1e-9)
    assert data["caption"] == ag["caption"] and data["config"]["seeds"] == [0, 1]


def test_cli_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gradients", "--family", "cifar", "--depth", "8", "--batch", "2"]) == 0
    out = capsys.readouterr().out
    assert "layer3.0" in out and "First block vs last block" in out


@pytest.mark.parametrize("argv", [
    ["--batch", "0"], ["--bn-mode", "frozen"], ["--batch", "x"], ["--depth", "57"],
    ["--dtype", "float16"],
])
def test_cli_invalid_input_exits_2_with_one_line(argv: list[str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    try:
        rc = main(["gradients", "--family", "cifar", *argv])
    except SystemExit as exc:  # argparse's own errors
        rc = int(exc.code or 0)
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("resnet-viz: error: ") and err.count("\n") == 1
    assert "Traceback" not in err


# --------------------------------------------------------------------------- captions
def test_caption_says_what_the_shortcuts_change() -> None:
    """Both twins 'explode': the caption gives both factors and their quotient."""
    text = gr.ratio_caption(_ratio((119.0,), net=gr.Net.RESIDUAL), _ratio((4210.0,)))
    assert "grows 4,200x without shortcuts and 120x with them" in text
    assert "shortcuts cut the growth 35-fold" in text
    assert "with them it explodes toward the input" not in text  # the same words twice said nothing
    text = gr.ratio_caption(_ratio((0.01,), net=gr.Net.RESIDUAL), _ratio((0.5,)))
    assert "shrinks 2.0x without shortcuts and 100x with them" in text
    assert "deepen the shrinking 50-fold" in text


def test_caption_with_one_seed_or_equal_seeds_has_no_seed_range() -> None:
    one = gr.ratio_caption(_ratio((30.0,), net=gr.Net.RESIDUAL), _ratio((3700.0,)))
    equal = gr.ratio_caption(_ratio((30.0, 30.0), net=gr.Net.RESIDUAL),
                             _ratio((3700.0, 3700.2)))
    for text in (one, equal):
        assert "seeds" not in text, text
        assert "plain: grows 3,700x" in text
    spread = gr.ratio_caption(_ratio((30.0, 30.0), net=gr.Net.RESIDUAL),
                              _ratio((3000.0, 4000.0)))
    assert "seeds 3,000x to 4,000x" in spread

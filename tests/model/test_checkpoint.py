"""Checkpoints: round trip, mismatch report with the right suggestion, unsafe files refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import torch

from resnet_viz.arch.limits import MAX_CHECKPOINT_BYTES
from resnet_viz.arch.presets import from_depth
from resnet_viz.model.build import build
from resnet_viz.model.checkpoint import (
    CheckpointMismatch,
    compare,
    infer_spec,
    load_checkpoint,
    read_state_dict,
)
from tests import uploads

SMALL = {"num_classes": 10, "input_size": (64, 64)}


def _save(spec_depth: int, path: Path, seed: int = 0, **fields: object) -> torch.nn.Module:
    model = build(from_depth(spec_depth, **{**SMALL, **fields}), seed=seed)
    torch.save(model.state_dict(), path)
    return model


def test_round_trip_gives_identical_outputs(tmp_path: Path) -> None:
    path = tmp_path / "r18.pth"
    original = _save(18, path, seed=3).eval()
    # give BN running stats non-trivial values so eval outputs depend on them
    for m in original.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    torch.save(original.state_dict(), path)
    loaded = load_checkpoint(from_depth(18, **SMALL), path, name="r18.pth")
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.equal(original(x), loaded(x))
    assert not loaded.training


def test_bytes_upload_and_wrapped_dicts_load(tmp_path: Path) -> None:
    model = build(from_depth(18, **SMALL), seed=1)
    buf = io.BytesIO()
    torch.save({"state_dict": {f"module.{k}": v for k, v in model.state_dict().items()}}, buf)
    loaded = load_checkpoint(from_depth(18, **SMALL), buf.getvalue())
    for (k, a), b in zip(model.state_dict().items(), loaded.state_dict().values(), strict=True):
        assert torch.equal(a, b), k


def test_other_depth_gives_report_and_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "r34.pth"
    _save(34, path)
    with pytest.raises(CheckpointMismatch) as info:
        load_checkpoint(from_depth(18, **SMALL), path)
    report = info.value.report
    assert "layer1.2.conv1.weight" in report.unexpected
    assert not report.missing and not report.shape_mismatches
    assert report.suggestion is not None and report.suggestion.depth == 34
    assert report.suggestion_exact
    assert "ResNet-34" in str(info.value)
    assert any("v1.5" in n for n in report.notes)


def test_bottleneck_vs_basic_reports_shapes_and_missing() -> None:
    state = build(from_depth(18, **SMALL), device="meta").state_dict()
    report = compare(state, from_depth(50, **SMALL))
    assert "layer1.0.conv3.weight" in report.missing
    assert ("layer1.0.conv1.weight", (64, 64, 3, 3), (64, 64, 1, 1)) in report.shape_mismatches
    assert report.suggestion is not None and report.suggestion.depth == 18


@pytest.mark.parametrize("depth,fields", [
    (50, {"shortcut": "D"}),
    (50, {"groups": 32, "width_per_group": 4}),
    (50, {"width_per_group": 128}),
    (101, {"preact": True}),
    (34, {"shortcut": "C", "num_classes": 7, "in_channels": 1}),
    (20, {"family": "cifar"}),
    (18, {"width_mult": 0.5}),
])
def test_inferred_spec_matches_the_written_one(depth: int, fields: dict[str, object]) -> None:
    spec = from_depth(depth, **fields)
    guess, notes = infer_spec(build(spec, device="meta").state_dict())
    assert guess is not None
    assert guess == spec.with_(input_size=guess.input_size)
    assert "cannot tell them apart" in notes[0]


def test_not_a_checkpoint_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.pth"
    path.write_text("hello, I am a text file\n")
    with pytest.raises(ValueError, match="not a"):
        read_state_dict(path, name="notes.pth")
    with pytest.raises(ValueError, match="empty"):
        read_state_dict(b"")
    with pytest.raises(ValueError, match="no checkpoint file"):
        read_state_dict(tmp_path / "absent.pth")


def test_a_tensor_that_is_not_a_state_dict_is_refused() -> None:
    buf = io.BytesIO()
    torch.save([torch.zeros(2)], buf)
    with pytest.raises(ValueError, match="not a state_dict"):
        read_state_dict(buf.getvalue())


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    torch.save(build(from_depth(18, **SMALL), device="cpu").state_dict(), buf)
    data = buf.getvalue()
    with pytest.raises(ValueError, match="not a complete"):
        read_state_dict(data[: len(data) // 2], name="half.pth")


def test_oversized_upload_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import resnet_viz.model.checkpoint as ck

    monkeypatch.setattr(ck, "MAX_CHECKPOINT_BYTES", 10)
    with pytest.raises(ValueError, match="over the limit"):
        read_state_dict(b"x" * 11)
    assert MAX_CHECKPOINT_BYTES > 10


def test_pickle_that_runs_code_is_refused_unrun(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    path.write_bytes(uploads.evil_pickle(sentinel))
    with pytest.raises(ValueError, match="refused"):
        read_state_dict(path)
    assert not sentinel.exists()


@pytest.mark.parametrize("how,message", [("malicious", "refused"), ("garbled", "not a")])
def test_zip_with_tampered_data_pkl_is_refused(tmp_path: Path, how: str, message: str) -> None:
    sentinel = tmp_path / "pwned"
    bad = tmp_path / "bad.pth"
    bad.write_bytes(uploads.tampered_zip(sentinel, how))
    with pytest.raises(ValueError, match=message):
        read_state_dict(bad, name="bad.pth")
    assert not sentinel.exists()

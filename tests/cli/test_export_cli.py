"""The ``resnet-viz export`` command: files written and named, several depths, bad combinations."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from resnet_viz.cli import main


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["export", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_several_depths_one_file_each(capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    code, out, err = export(capsys, "--depth", "18,34,50,152", "--what", "diagram",
                            "--format", "dot", "-o", str(tmp_path))
    assert (code, err) == (0, "")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"ResNet-{d}_shortcut-B_variant-v1.5_stage_TB_screen.dot"
                           for d in (18, 34, 50, 152))
    assert out.count("wrote ") == 4


def test_single_file_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "fig.tex"
    code, _, err = export(capsys, "--depth", "50", "--what", "tikz", "--look", "boxes",
                          "--style", "print", "-o", str(target))
    assert (code, err) == (0, "")
    text = target.read_text()
    assert text.startswith("\\documentclass") and "pattern=" in text


def test_shortcut_option_in_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for sc in "BD":
        assert export(capsys, "--depth", "18", "--shortcut", sc, "--what", "diagram",
                      "--level", "block", "--format", "dot", "-o", str(tmp_path))[0] == 0
    assert len(list(tmp_path.iterdir())) == 2


def test_table_and_fragment(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert export(capsys, "--depth", "18", "--what", "table", "--table", "stages",
                  "--format", "md", "-o", str(tmp_path))[0] == 0
    md = (tmp_path / "ResNet-18_shortcut-B_variant-v1.5_stages.md").read_text()
    assert "| conv2_x |" in md and "multiply-accumulates" in md
    assert export(capsys, "--family", "cifar", "--depth", "110", "--what", "tikz",
                  "--format", "fragment", "-o", str(tmp_path))[0] == 0
    assert any(p.name.endswith("_fragment.tex") for p in tmp_path.iterdir())


@pytest.mark.parametrize("args", [
    ["--what", "tikz", "--format", "png"],
    ["--what", "tikz", "--level", "layer"],
    ["--what", "tikz", "--look", "boxes", "--level", "block"],
    ["--what", "tikz", "--style", "contrast"],
    ["--what", "table", "--page", "a4-portrait"],
    ["--what", "diagram", "--dpi", "5", "--format", "png"],
    ["--what", "diagram", "--depth", "18,x"],
    ["--what", "diagram", "--depth", "19"],
    ["--what", "gif"],
    ["--what", "diagram", "--family", "cifar", "--depth", "1202", "--level", "block",
     "--format", "png"],
])
def test_invalid_combinations_exit_2_with_one_line(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path, args: list[str]) -> None:
    try:
        code, out, err = export(capsys, *args, "-o", str(tmp_path))
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
        out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("resnet-viz: error: ") and err.count("\n") == 1
    assert not any(tmp_path.iterdir())


def test_pack(capsys: pytest.CaptureFixture[str], tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> None:
    from resnet_viz.export import pack

    real = pack.plan_pack
    monkeypatch.setattr(pack, "plan_pack", lambda spec, **kw: real(spec, plot_formats=("html",),
                                                                   **kw))
    code, _, err = export(capsys, "--depth", "18", "--what", "pack", "-o", str(tmp_path))
    assert (code, err) == (0, "")
    (zpath,) = tmp_path.iterdir()
    assert zpath.name == "ResNet-18_shortcut-B_variant-v1.5_teaching-pack.zip"
    assert "README.md" in zipfile.ZipFile(zpath).namelist()

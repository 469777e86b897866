"""Tests for resnet_viz.render.tikz: golden fragment, escaping, pdflatex compiles, not blank."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from skimage.io import imread

from resnet_viz.arch.presets import from_depth
from resnet_viz.render.diagram import Level
from resnet_viz.render.tikz import Look, TikzStyle, caption, standalone, tex_escape, to_tikz

GOLDEN = Path(__file__).parent / "golden"
needs_tex = pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("pdftoppm") is None,
    reason="pdflatex/pdftoppm missing (scripts/sysdeps.sh installs them)")


@pytest.mark.parametrize("look", list(Look))
def test_golden_resnet18(look: Look, update_golden: bool) -> None:
    text = to_tikz(from_depth(18), look=look)
    path = GOLDEN / f"resnet18_{look}.tex"
    if update_golden:
        path.write_text(text)
    assert path.exists(), f"{path} missing; run pytest --update-golden"
    assert text == path.read_text()


def test_escape_specials() -> None:
    assert tex_escape("a_b & 50% #1 {x} $ ~ ^ \\") == (
        r"a\_b \& 50\% \#1 \{x\} \$ \textasciitilde{} \textasciicircum{} \textbackslash{}")
    assert tex_escape("64×56") == r"64$\times$56"
    assert tex_escape("[3x3]") == "{[}3x3{]}"


def test_title_is_escaped() -> None:
    text = to_tikz(from_depth(18), title="50% of_net & {x}")
    assert r"50\% of\_net \& \{x\}" in text
    assert "50% of" not in text


def test_caption_numbers_from_analysis(r50) -> None:  # type: ignore[no-untyped-def]
    cap = caption(r50)
    assert f"{r50.params:,}" in cap
    assert "ResNet-50" in cap
    assert cap in to_tikz(r50.spec, analysis=r50).replace(r"$\times$", "×")


def test_boxes_one_box_per_stage_and_times_n() -> None:
    spec = from_depth(152)
    text = to_tikz(spec, look=Look.BOXES)
    # one cuboid (front rectangle) per tensor: input, conv1, stages, pool, fc
    assert text.count(" rectangle ") == len(spec.stages) + 4
    for n in spec.blocks:
        assert f"{{$\\times${n}}}" in text
    assert text.count("dashed") >= 1  # shortcut B: projection arcs are dashed


def test_print_style_uses_patterns_not_colour() -> None:
    text = to_tikz(from_depth(50), look=Look.BOXES, style=TikzStyle.PRINT)
    assert "pattern=" in text
    assert "{HTML}" not in text
    colour = to_tikz(from_depth(50), look=Look.BOXES, style=TikzStyle.COLOUR)
    assert "{HTML}" in colour and "pattern=" not in colour


def test_block_level_draws_every_block() -> None:
    spec = from_depth(34)
    text = to_tikz(spec, level=Level.BLOCK)
    assert text.count("{$+$}") == sum(spec.blocks)
    plain = to_tikz(spec.with_(shortcuts=False), level=Level.BLOCK)
    assert "{$+$}" not in plain


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"level": "layer"}, "layer level"),
    ({"look": "boxes", "level": "block"}, "one box per stage"),
    ({"look": "cubes"}, "cubes"),
])
def test_invalid_combinations(kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        to_tikz(from_depth(18), **kwargs)  # type: ignore[arg-type]


def test_block_level_refuses_very_long_stages() -> None:
    with pytest.raises(ValueError, match="stage level"):
        to_tikz(from_depth(1202, family="cifar"), level=Level.BLOCK)


def compile_tex(tex: str, tmp: Path, stem: str = "fig") -> np.ndarray:
    """Compile with pdflatex, render page 1 with pdftoppm, return the image."""
    (tmp / f"{stem}.tex").write_text(tex)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                          f"{stem}.tex"], cwd=tmp, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-singlefile", f"{stem}.pdf", stem],
                   cwd=tmp, check=True, timeout=60)
    return np.asarray(imread(tmp / f"{stem}.png"))


def not_blank(img: np.ndarray) -> bool:
    grey = img[..., :3].mean(axis=-1) if img.ndim == 3 else img
    return bool((grey < 200).mean() > 0.01)


@needs_tex
@pytest.mark.slow
@pytest.mark.parametrize("spec", [from_depth(18), from_depth(50), from_depth(110, family="cifar")],
                         ids=["resnet18", "resnet50", "cifar110"])
def test_every_look_compiles(spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cases = [(Look.BLOCKS, Level.STAGE, TikzStyle.COLOUR), (Look.BLOCKS, Level.BLOCK,
             TikzStyle.PRINT), (Look.BOXES, Level.STAGE, TikzStyle.COLOUR),
             (Look.BOXES, Level.STAGE, TikzStyle.PRINT)]
    for i, (look, level, style) in enumerate(cases):
        img = compile_tex(standalone(to_tikz(spec, look=look, level=level, style=style)),
                          tmp_path, f"f{i}")
        assert not_blank(img), (look, level, style)


@needs_tex
def test_fragment_inputs_into_a_document(tmp_path: Path) -> None:
    from resnet_viz.render.tikz import PREAMBLE

    (tmp_path / "net.tex").write_text(to_tikz(from_depth(18), look=Look.BOXES))
    doc = ("\\documentclass{article}\n" + PREAMBLE + "\\begin{document}\n"
           "\\resizebox{\\linewidth}{!}{\\input{net.tex}}\n\\end{document}\n")
    assert not_blank(compile_tex(doc, tmp_path, "doc"))

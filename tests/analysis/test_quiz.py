"""The shape quiz: every answer equals the analysis; explanations name the operation; checker."""

from __future__ import annotations

import random
import re

import pytest

from resnet_viz.analysis import analyse
from resnet_viz.analysis import quiz as q
from resnet_viz.arch.presets import STANDARD_DEPTHS, from_depth
from resnet_viz.arch.spec import FAMILY_INFO, Family
from resnet_viz.fmt import fmt_shape

SEEDS = range(12)


def _numbers(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*\d|\d", text)]


@pytest.mark.parametrize("level", list(q.Difficulty))
def test_every_answer_equals_the_analysis(level: q.Difficulty) -> None:
    kinds = set()
    for seed in SEEDS:
        for question in q.make_quiz(seed, level):
            an = analyse(question.spec)
            kinds.add(question.kind)
            if question.kind is q.Kind.SHAPE:
                row = next(r for r in an.stage_rows if r.name in question.prompt)
                assert question.answer == row.output_shape
            elif question.kind is q.Kind.BLOCK_PARAMS:
                block = next(b for b in an.blocks if f"block {b.name} " in question.prompt)
                assert question.answer == (block.params,)
                assert question.answer_text in question.explanation
            else:
                assert question.answer == (question.spec.depth,)
            assert q.check(question, question.answer_text).correct
    assert kinds == set(q.Kind)


def test_difficulty_levels_differ() -> None:
    specs = {lvl: [x.spec for s in SEEDS for x in q.make_quiz(s, lvl)] for lvl in q.Difficulty}
    for s in specs[q.Difficulty.PRESETS]:
        assert s.depth in STANDARD_DEPTHS[s.family]
        assert s.input_size == FAMILY_INFO[s.family].default_input
    assert any(s.input_size[0] % 2 for s in specs[q.Difficulty.ODD_SIZES])
    assert any(s.depth not in STANDARD_DEPTHS[s.family] for s in specs[q.Difficulty.CUSTOM])
    assert len({s.shortcut for s in specs[q.Difficulty.ODD_SIZES]}) > 1


def test_same_seed_same_quiz_other_seed_other_quiz() -> None:
    assert q.make_quiz(7, "custom") == q.make_quiz(7, "custom")
    assert q.make_quiz(7, "custom") != q.make_quiz(8, "custom")


def test_shape_explanation_names_stride_and_expansion() -> None:
    an = analyse(from_depth(50, input_size=(224, 224)))
    question = q.shape_question(an, 2)
    assert question.answer == (512, 28, 28)
    text = question.explanation
    assert "stride 2 halves 56 → 28" in text
    assert "bottleneck expansion 4" in text and "128·4 → 512 channels" in text
    assert "7×7 conv stride 2 halves 224 → 112" in text
    assert "max pool stride 2 halves 112 → 56" in text


def test_odd_size_explanation_shows_the_floor_formula() -> None:
    an = analyse(from_depth(18, input_size=(57, 57)))
    question = q.shape_question(an, 1)
    assert question.answer == an.stage_rows[0].output_shape == (64, 15, 15)
    assert "⌊(57 + 2·3 − 7)/2⌋ + 1 = 29" in question.explanation


def test_block_params_explanation_terms_sum_to_the_answer() -> None:
    an = analyse(from_depth(50))
    block = an.blocks[0]  # layer1.0: projection shortcut
    question = q.block_question(an, block)
    assert "k·k·C_in·C_out" in question.explanation
    assert "shortcut projection 64→256" in question.explanation
    terms = re.findall(r"= ([\d,]+)(?:;| \(|\.)", question.explanation.split("Sum:")[0])
    assert sum(int(t.replace(",", "")) for t in terms) == block.params


def test_layers_explanation_counts_stem_blocks_fc() -> None:
    an = analyse(from_depth(56, family=Family.CIFAR))
    question = q.layers_question(an)
    assert question.answer == (56,)
    assert "1 stem conv + 2·27 block convs + 1 fc = 56" in question.explanation
    assert q.weighted_layers(analyse(from_depth(101))) == 101


@pytest.mark.parametrize("text", ["512x28x28", "512×28×28", "512, 28, 28", " (512 28 28) ",
                                  "512 X 28 X 28", "[512,28,28]", "512*28*28"])
def test_shape_formats_accepted(text: str) -> None:
    assert q.parse_answer(text, q.Kind.SHAPE) == (512, 28, 28)


@pytest.mark.parametrize("text", ["", "512x28", "abc", "512x28x28x1", "5.2x28x28"])
def test_bad_shapes_are_unreadable_not_wrong(text: str) -> None:
    assert q.parse_answer(text, q.Kind.SHAPE) is None


@pytest.mark.parametrize("text", ["1219584", "1,219,584", "1 219 584", "1_219_584", "1'219'584"])
def test_count_formats_accepted(text: str) -> None:
    assert q.parse_answer(text, q.Kind.LAYERS) == (1219584,)


def test_check_right_wrong_and_unreadable() -> None:
    question = q.shape_question(analyse(from_depth(50)), 2)
    assert q.check(question, "512 x 28 x 28").correct
    wrong = q.check(question, "256x28x28")
    assert not wrong.correct and wrong.parsed == (256, 28, 28)
    assert "512×28×28" in wrong.message
    bad = q.check(question, "lots")
    assert bad.parsed is None and "C×H×W" in bad.message
    assert q.score_text(1, 2, 5) == "Score: 1 of 2 answered right (5 questions)."


def test_invalid_quiz_options_raise() -> None:
    with pytest.raises(ValueError, match="seed"):
        q.make_quiz(-1)
    with pytest.raises(ValueError, match="at least one"):
        q.make_quiz(0, n=0)
    with pytest.raises(ValueError):
        q.make_quiz(0, "impossible")


def test_question_reads_numbers_from_the_analysis() -> None:
    rng = random.Random(0)
    an = analyse(from_depth(34))
    for _ in range(5):
        question = q.question(an, q.Kind.SHAPE, rng)
        assert fmt_shape(question.answer) in question.explanation
        assert _numbers(question.explanation.rsplit(": ", 1)[1]) == list(question.answer)

"""The shape quiz: seeded random configurations, questions, answers and worked reasoning.

Every answer is read from :func:`resnet_viz.analysis.analyse` of the question's
spec, and every explanation is generated from the same analysis (the layer
records' kernels, strides, paddings and channel counts), so the quiz can never
disagree with the rest of the app. A seed fixes the whole quiz, so a class can
take the same one from a shared link.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from enum import StrEnum

from resnet_viz.analysis.layers import Analysis, BlockSummary, LayerRecord, analyse
from resnet_viz.analysis.scaling import valid_depths
from resnet_viz.arch.plan import OpKind
from resnet_viz.arch.presets import STANDARD_DEPTHS, default_block, from_depth
from resnet_viz.arch.spec import FAMILY_INFO, BlockKind, Family, ResNetSpec, Shortcut
from resnet_viz.fmt import fmt_shape

QUESTIONS = 5  # questions per quiz
# The largest depth a quiz draws: beyond it the arithmetic is the same, only longer.
MAX_QUIZ_DEPTH = 152
SHORTCUT_OPTIONS = (Shortcut.ZERO_PAD, Shortcut.PROJECT_ON_CHANGE, Shortcut.PROJECT_ALL)


class Difficulty(StrEnum):
    """How far the quiz strays from the paper's networks."""

    PRESETS = "presets"  # standard depths at the family's own input size
    ODD_SIZES = "odd sizes"  # standard depths, odd input sizes, any shortcut option
    CUSTOM = "custom"  # custom depths and block kinds, odd input sizes


class Kind(StrEnum):
    """What a question asks for."""

    SHAPE = "shape"  # C×H×W after a stage
    BLOCK_PARAMS = "block params"  # parameters of one block
    LAYERS = "layers"  # number of weighted layers


@dataclass(frozen=True)
class Question:
    """One question, its exact answer and the worked reasoning behind it."""

    kind: Kind
    spec: ResNetSpec
    prompt: str
    answer: tuple[int, ...]  # (C, H, W) for shapes, a single number otherwise
    explanation: str

    @property
    def answer_text(self) -> str:
        """The answer as the app prints it (``512×28×28`` or ``1,219,584``)."""
        if self.kind is Kind.SHAPE:
            return fmt_shape(self.answer)
        return f"{self.answer[0]:,}"


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer."""

    correct: bool
    parsed: tuple[int, ...] | None  # None: the text could not be read as an answer
    message: str


# ----------------------------------------------------------------------------- configurations
def _odd_size(rng: random.Random, family: Family) -> tuple[int, int]:
    side = FAMILY_INFO[family].default_input[0]
    h = rng.randrange(side // 2 + 1, side + side // 2, 2) | 1  # odd, around the default
    return h, h


def random_spec(rng: random.Random, difficulty: Difficulty | str) -> ResNetSpec:
    """A random configuration for one question (depth, input size, block kind, shortcut)."""
    level = Difficulty(difficulty)
    family = rng.choice(list(Family))
    standard = [d for d in STANDARD_DEPTHS[family] if d <= MAX_QUIZ_DEPTH]
    if level is Difficulty.CUSTOM:
        block = rng.choice(list(BlockKind))
        depth = rng.choice(valid_depths(family, block, 0, MAX_QUIZ_DEPTH))
    else:
        depth = rng.choice(standard)
        block = default_block(family, depth)
    size = FAMILY_INFO[family].default_input if level is Difficulty.PRESETS else _odd_size(
        rng, family)
    shortcut = None if level is Difficulty.PRESETS else rng.choice(SHORTCUT_OPTIONS)
    try:
        return from_depth(depth, family=family, block=block, shortcut=shortcut, preact=False,
                          input_size=size)
    except ValueError:  # an option this network cannot take: the family's default
        return from_depth(depth, family=family, block=block, preact=False, input_size=size)


def make_quiz(seed: int, difficulty: Difficulty | str = Difficulty.PRESETS,
              n: int = QUESTIONS) -> tuple[Question, ...]:
    """``n`` questions fixed by ``seed`` and ``difficulty``.

    Raises:
        ValueError: for a negative seed or fewer than one question.
    """
    if seed < 0:
        raise ValueError(f"the quiz seed must be 0 or more; got {seed}")
    if n < 1:
        raise ValueError(f"a quiz needs at least one question; got {n}")
    rng = random.Random(f"{seed}:{Difficulty(difficulty)}")
    kinds = list(Kind)
    out = []
    for i in range(n):
        spec = random_spec(rng, difficulty)
        an = analyse(spec)
        kind = kinds[i % len(kinds)] if i < len(kinds) else rng.choice(kinds)
        out.append(question(an, kind, rng))
    return tuple(out)


def question(an: Analysis, kind: Kind | str, rng: random.Random) -> Question:
    """One question of ``kind`` about ``an.spec`` (``rng`` picks the stage or block)."""
    kind = Kind(kind)
    if kind is Kind.SHAPE:
        return shape_question(an, rng.randrange(1, len(an.spec.stages) + 1))
    if kind is Kind.BLOCK_PARAMS:
        return block_question(an, rng.choice(an.blocks))
    return layers_question(an)


def _describe(spec: ResNetSpec) -> str:
    h, w = spec.input_size
    return (f"{spec.name} ({spec.family}, {spec.block} blocks, shortcut option {spec.shortcut}, "
            f"input {spec.in_channels}×{h}×{w})")


# ----------------------------------------------------------------------------- shapes
def _spatial_step(r: LayerRecord) -> str:
    """``7×7 conv stride 2: ⌊(224 + 2·3 − 7)/2⌋ + 1 = 112``."""
    h, oh = r.in_shape[1], r.out_shape[1]
    what = "max pool" if r.type == OpKind.MAXPOOL.value else "conv"
    verb = "halves" if r.stride == 2 else f"divides by {r.stride}"
    return (f"{r.kernel}×{r.kernel} {what} stride {r.stride} {verb} {h} → {oh} "
            f"(⌊({h} + 2·{r.padding} − {r.kernel})/{r.stride}⌋ + 1 = {oh})")


def _stage_reasoning(an: Analysis, stage: int) -> str:
    spec = an.spec
    st = spec.stages[stage - 1]
    first = next(b for b in an.blocks if b.stage == stage)
    parts = []
    strided = [r for r in an.layers[first.first:first.last]
               if r.path == "main" and r.stride > 1]
    if strided:
        parts.append(_spatial_step(strided[0]))
    else:
        parts.append(f"stride 1 keeps {first.in_shape[1]}×{first.in_shape[2]}")
    if spec.block is BlockKind.BOTTLENECK:
        parts.append(f"bottleneck expansion {spec.expansion}: {st.planes}·{spec.expansion} → "
                     f"{st.out_channels} channels")
    else:
        parts.append(f"basic block: {st.out_channels} channels")
    return f"{st.paper_name}: " + "; ".join(parts)


def shape_question(an: Analysis, stage: int) -> Question:
    """C×H×W after ``stage`` (1-based), with the path from the input to it."""
    spec = an.spec
    st = spec.stages[stage - 1]
    answer = an.stage_rows[stage - 1].output_shape
    stem = [r for r in an.layers if r.group == "stem" and r.type in (
        OpKind.CONV.value, OpKind.MAXPOOL.value)]
    steps = [f"input {fmt_shape((spec.in_channels, *spec.input_size))}"]
    for r in stem:
        if r.stride > 1:
            steps.append(f"stem: {_spatial_step(r)}")
        else:
            steps.append(f"stem: {r.kernel}×{r.kernel} conv stride 1 keeps "
                         f"{r.in_shape[1]}×{r.in_shape[2]}, {r.out_shape[0]} channels")
    steps += [_stage_reasoning(an, i) for i in range(1, stage + 1)]
    steps.append(f"so after {st.paper_name}: {fmt_shape(answer)}")
    return Question(Kind.SHAPE, spec,
                    f"{_describe(spec)}: what is C×H×W after {st.paper_name} "
                    f"({st.module})?", tuple(answer), ". ".join(steps) + ".")


# ----------------------------------------------------------------------------- parameters
def _param_term(r: LayerRecord) -> str:
    if r.type == OpKind.CONV.value:
        cin = r.in_shape[0] // r.groups
        where = "shortcut projection" if r.path == "shortcut" else "conv"
        return (f"{r.kernel}×{r.kernel} {where} {r.in_shape[0]}→{r.out_shape[0]}: "
                f"k·k·C_in·C_out = {r.kernel}·{r.kernel}·{cin}·{r.out_shape[0]} = {r.params:,}")
    return f"BatchNorm {r.out_shape[0]}: 2·C = {r.params:,} (scale and shift)"


def block_question(an: Analysis, b: BlockSummary) -> Question:
    """The trainable parameters of one block, term by term."""
    recs = [r for r in an.layers[b.first:b.last] if r.params]
    terms = [_param_term(r) for r in recs]
    short = {"identity": "the identity shortcut adds no parameters",
             "zero-pad": "the zero-padding shortcut adds no parameters",
             "none": "there is no shortcut"}.get(str(b.shortcut), "")
    tail = [short] if short else []
    total = sum(r.params for r in recs)
    text = "; ".join(terms + tail) + f". Sum: {total:,} parameters."
    return Question(Kind.BLOCK_PARAMS, an.spec,
                    f"{_describe(an.spec)}: how many trainable parameters does block "
                    f"{b.name} ({fmt_shape(b.in_shape)} → {fmt_shape(b.out_shape)}) have?",
                    (b.params,), text)


def weighted_layers(an: Analysis) -> int:
    """Convs on the main path plus the stem conv and the fc (projections not counted)."""
    return sum(1 for r in an.layers if r.path != "shortcut"
               and r.type in (OpKind.CONV.value, OpKind.FC.value))


def layers_question(an: Analysis) -> Question:
    """The number of weighted layers, counted as the paper names its networks."""
    spec = an.spec
    n_blocks = sum(spec.blocks)
    per = sum(1 for r in an.layers[an.blocks[0].first:an.blocks[0].last]
              if r.path == "main" and r.type == OpKind.CONV.value)
    total = weighted_layers(an)
    stem = sum(1 for r in an.layers if r.group == "stem" and r.type == OpKind.CONV.value)
    fc = sum(1 for r in an.layers if r.type == OpKind.FC.value)
    blocks = " + ".join(map(str, spec.blocks))
    text = (f"{spec.block} blocks have {per} convs on the main path; blocks per stage "
            f"{blocks} = {n_blocks} blocks; {stem} stem conv + {per}·{n_blocks} block convs "
            f"+ {fc} fc = {total} weighted layers (shortcut projections are not counted, as in the "
            "paper's names).")
    return Question(Kind.LAYERS, spec,
                    f"{spec.family} {spec.block} network with blocks per stage "
                    f"{', '.join(map(str, spec.blocks))}: how many weighted layers does it have?",
                    (total,), text)


# ----------------------------------------------------------------------------- checking
_NUMBER = re.compile(r"\d+")


def parse_answer(text: str, kind: Kind | str) -> tuple[int, ...] | None:
    """Read an answer: ``512x28x28``, ``512×28×28``, ``512, 28, 28``; ``1,219,584``, ``1 219 584``.

    Shapes are three numbers separated by ``x``, ``×``, ``*``, commas or spaces
    (brackets allowed). Counts are one number; commas, spaces, underscores and
    apostrophes group its digits. Returns ``None`` for text it cannot read.
    """
    text = text.strip().strip("()[]").strip()
    if not text:
        return None
    if Kind(kind) is Kind.SHAPE:
        parts = [p for p in re.split(r"\s*[x×X*,]\s*|\s+", text) if p]
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            return None
        return tuple(int(p) for p in parts)
    digits = re.sub(r"[\s,_']", "", text)
    return (int(digits),) if digits.isdigit() else None


def check(q: Question, text: str) -> Verdict:
    """Check a typed answer against the question's exact answer."""
    got = parse_answer(text, q.kind)
    if got is None:
        form = "C×H×W, e.g. 512×28×28" if q.kind is Kind.SHAPE else "one whole number"
        return Verdict(False, None, f"Could not read that answer: give {form}.")
    if got == q.answer:
        return Verdict(True, got, f"Right: {q.answer_text}.")
    shown = fmt_shape(got) if q.kind is Kind.SHAPE else f"{got[0]:,}"
    return Verdict(False, got, f"Not quite: you said {shown}; the answer is {q.answer_text}.")


def score_text(right: int, answered: int, total: int) -> str:
    """``Score: 2 of 3 answered (5 questions).``"""
    return f"Score: {right} of {answered} answered right ({total} questions)."

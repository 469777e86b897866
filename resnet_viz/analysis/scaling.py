"""Numbers against depth over every valid depth, from the spec alone and fast.

Blocks after the first in a stage are identical (stride 1, same widths), and no
block's shapes depend on how many blocks a stage has. So every total is the
stem and head plus, per stage, the first block plus ``blocks - 1`` times a later
block. Two analyses fix those terms: one with a single block per stage and one
with two. Each depth is then a few multiply-adds, which is why the whole CIFAR
curve to 1202 layers takes milliseconds where ``analyse()`` per depth takes about
a second (``bench/compare_scaling.py`` measures both). The tests check the closed
form against ``analyse()`` and ``memory()`` at sampled depths.

The receptive field is additive the same way: each layer adds ``(k - 1) * jump``
and the jumps do not depend on the block counts. The inference peak is a
maximum over layers: per stage it is the first block's peak with one block and
the larger of the first and later blocks' peaks from two blocks on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resnet_viz.analysis.layers import Analysis, analyse
from resnet_viz.analysis.memory import Memory, memory
from resnet_viz.arch.names import HEAD, STEM
from resnet_viz.arch.presets import (
    STANDARD_DEPTHS,
    blocks_for_depth,
    default_block,
    depth_step,
    is_valid_depth,
)
from resnet_viz.arch.spec import CONVS_PER_BLOCK, BlockKind, Family, ResNetSpec


@dataclass(frozen=True)
class ScalingPoint:
    """The numbers of one depth (per sample, fp32 memory at batch 1 unless stated)."""

    depth: int
    blocks: tuple[int, ...]
    params: int
    macs: int
    weighted_layers: int
    receptive_field: int
    training_memory: int  # bytes of activations kept for the backward pass
    inference_memory: int  # bytes, peak of live activations
    standard: bool  # one of the family's standard (published) depths

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return {"depth": self.depth, "blocks": list(self.blocks), "params": self.params,
                "macs": self.macs, "flops": 2 * self.macs,
                "weighted_layers": self.weighted_layers,
                "receptive_field": self.receptive_field,
                "training_memory": self.training_memory,
                "inference_memory": self.inference_memory, "standard": self.standard}


@dataclass(frozen=True)
class _Terms:
    """Per-stage first/later-block terms and the constant stem + head terms."""

    const: tuple[int, int, int, int]  # params, macs, rf growth, training bytes
    first: tuple[tuple[int, int, int, int], ...]
    later: tuple[tuple[int, int, int, int], ...]
    peak_one: tuple[int, ...]  # per stage: inference peak with one block
    peak_more: tuple[int, ...]  # per stage: with two or more
    peak_const: int  # stem and head


def _stage_sums(an: Analysis, mem: Memory) -> list[tuple[int, int, int, int]]:
    out = []
    for st in an.spec.stages:
        blocks = [b for b in an.blocks if b.stage == st.index]
        params = sum(b.params for b in blocks)
        macs = sum(b.macs for b in blocks)
        rf_in = an.layers[blocks[0].first - 1].rf
        out.append((params, macs, blocks[-1].rf - rf_in, mem.training_by_stage[st.module]))
    return out


def _terms(spec: ResNetSpec, *, batch: int, dtype_bytes: int) -> _Terms:
    n = len(spec.stages)
    one, two = spec.with_(blocks=(1,) * n), spec.with_(blocks=(2,) * n)
    a1, a2 = analyse(one), analyse(two)
    m1 = memory(a1, batch=batch, dtype_bytes=dtype_bytes)
    m2 = memory(a2, batch=batch, dtype_bytes=dtype_bytes)
    s1, s2 = _stage_sums(a1, m1), _stage_sums(a2, m2)
    first = tuple(s1)
    later = tuple(tuple(y - x for x, y in zip(f, t, strict=True)) for f, t in zip(s1, s2,
                                                                                  strict=True))
    rf_stages = sum(s[2] for s in s1)
    const = (a1.params - sum(s[0] for s in s1), a1.macs - sum(s[1] for s in s1),
             a1.receptive_field - rf_stages, m1.training - sum(s[3] for s in s1))
    stages = [st.module for st in spec.stages]
    return _Terms(const, first, later,  # type: ignore[arg-type]
                  tuple(m1.inference_by_stage[s] for s in stages),
                  tuple(m2.inference_by_stage[s] for s in stages),
                  max(m1.inference_by_stage[STEM], m1.inference_by_stage[HEAD]))


def valid_depths(family: Family | str, block: BlockKind | str, lo: int, hi: int) -> list[int]:
    """Every valid depth of a family and block kind in ``lo..hi`` (inclusive)."""
    step, minimum = depth_step(family, block)
    start = max(lo, minimum)
    first = start + (-(start - 2)) % step
    return [d for d in range(first, hi + 1, step) if is_valid_depth(family, block, d)]


def scaling_curve(base: ResNetSpec, depths: list[int] | None = None, *, lo: int = 0,
                  hi: int | None = None, batch: int = 1,
                  dtype_bytes: int = 4) -> list[ScalingPoint]:
    """Numbers for every valid depth of ``base``'s family and block kind.

    Every field of ``base`` but the block counts is kept (shortcut option,
    widths, input size, ...); the block counts follow the depth rule of
    :mod:`resnet_viz.arch.presets` (presets first).

    Args:
        base: the configuration to vary.
        depths: explicit depths; ``None`` takes every valid depth in ``lo..hi``.
        lo: smallest depth when ``depths`` is ``None``.
        hi: largest depth; ``None`` -> the largest standard depth of the family.
        batch: batch size of the memory figures.
        dtype_bytes: bytes per element of the memory figures.

    Returns:
        One point per depth, in increasing depth.

    Raises:
        ValueError: for a depth that is not valid for the family and block kind
            (naming the nearest valid ones), or an empty range.
    """
    fam, kind = base.family, base.block
    if depths is None:
        top = max(STANDARD_DEPTHS[fam]) if hi is None else hi
        depths = valid_depths(fam, kind, lo, top)
        if not depths:
            raise ValueError(f"no valid {fam} {kind} depth between {lo} and {top}")
    plans = [(d, blocks_for_depth(fam, kind, d)) for d in sorted(set(depths))]
    t = _terms(base, batch=batch, dtype_bytes=dtype_bytes)
    standard = {d for d in STANDARD_DEPTHS[fam] if default_block(fam, d) is kind}
    per_block = CONVS_PER_BLOCK[kind]
    out = []
    for depth, blocks in plans:
        tot = list(t.const)
        for f, later, nb in zip(t.first, t.later, blocks, strict=True):
            for i in range(4):
                tot[i] += f[i] + (nb - 1) * later[i]
        peak = max(t.peak_const, *(p1 if nb == 1 else p2 for p1, p2, nb in
                                   zip(t.peak_one, t.peak_more, blocks, strict=True)))
        out.append(ScalingPoint(depth, blocks, tot[0], tot[1], per_block * sum(blocks) + 2,
                                tot[2], tot[3], peak, depth in standard))
    return out

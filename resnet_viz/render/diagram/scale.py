"""Overlay colouring: one shared (log or linear) viridis scale, per-node values, the legend."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from resnet_viz.analysis import Analysis
from resnet_viz.arch.names import block_name, block_of, stage_module
from resnet_viz.render.diagram.writer import Level, _Dot, _esc

# Sequential overlay scale (viridis stops): perceptually even, colour-blind safe.
_OVERLAY_STOPS: tuple[tuple[int, int, int], ...] = (
    (0x44, 0x01, 0x54), (0x3B, 0x52, 0x8B), (0x21, 0x91, 0x8C), (0x5E, 0xC9, 0x62),
    (0xFD, 0xE7, 0x25))


@dataclass(frozen=True)
class _Scale:
    lo: float
    hi: float
    log: bool

    def position(self, value: float) -> float:
        lo, hi, v = self.lo, self.hi, value
        if self.log:
            lo, hi, v = math.log10(lo), math.log10(hi), math.log10(v)
        return 0.5 if hi == lo else min(1.0, max(0.0, (v - lo) / (hi - lo)))

    def colour(self, value: float) -> tuple[str, str]:
        """(fill, font colour) for ``value``; white text on the dark end."""
        fill = self.at(self.position(value))
        r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
        return fill, "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#FFFFFF"

    @staticmethod
    def at(position: float) -> str:
        """The scale's colour at ``position`` in [0, 1]."""
        t = position * (len(_OVERLAY_STOPS) - 1)
        i = min(int(t), len(_OVERLAY_STOPS) - 2)
        a, b, f = _OVERLAY_STOPS[i], _OVERLAY_STOPS[i + 1], t - i
        rgb = [round(x + (y - x) * f) for x, y in zip(a, b, strict=True)]
        return "#" + "".join(f"{c:02X}" for c in rgb)


def _make_scale(values: Sequence[float]) -> _Scale:
    """Log scale when every value is positive (gradient norms span decades), else linear."""
    lo, hi = min(values), max(values)
    return _Scale(lo, hi, lo > 0)


@dataclass(frozen=True)
class _Paint:
    """Per-node overlay values (keyed by module name) and the shared scale."""

    values: Mapping[str, float]
    scale: _Scale


def _check_overlay(overlay: Mapping[str, float], an: Analysis, level: Level) -> None:
    """Every key must name a block, stage (or layer); non-finite values are allowed and
    shown as "no value" (a measurement that overflowed or underflowed)."""
    known = {b.name for b in an.blocks} | {st.module for st in an.spec.stages}
    if level is Level.LAYER:
        known |= {r.name for r in an.layers}
    for key in overlay:
        if key not in known:
            raise ValueError(
                f"overlay key {key!r} names no block or stage of {an.spec.name}; use block "
                f"names like 'layer2.0' or stage names like 'layer2'")


def _finite(overlay: Mapping[str, float]) -> dict[str, float]:
    """The overlay without its non-finite values: those nodes are drawn as "no value"."""
    return {k: v for k, v in overlay.items() if math.isfinite(v)}


def _display_values(an: Analysis, level: Level, overlay: Mapping[str, float]) -> dict[str, float]:
    """The value each node shows: stage nodes take the stage key or their blocks' mean;
    blocks take their own key or their stage's; layers their own, their block's or stage's.
    Non-finite values count as missing (the node shows "no value")."""
    overlay = _finite(overlay)
    out: dict[str, float] = {}
    if level is Level.STAGE:
        for st in an.spec.stages:
            vals = [overlay[b.name] for b in an.blocks if b.stage == st.index and b.name in overlay]
            if st.module in overlay:
                out[st.module] = overlay[st.module]
            elif vals:
                out[st.module] = sum(vals) / len(vals)
    elif level is Level.BLOCK:
        for b in an.blocks:
            v = overlay.get(b.name, overlay.get(stage_module(b.stage)))
            if v is not None:
                out[b.name] = v
    else:
        for r in an.layers:
            where = block_of(r.name)
            block = block_name(*where) if where else ""
            v = overlay.get(r.name, overlay.get(block, overlay.get(r.group)))
            if v is not None:
                out[r.name] = v
    return out


def _legend(d: _Dot, nid: str, scale: _Scale, label: str) -> None:
    cells = "".join(f'<td bgcolor="{scale.at(i / 6)}" width="16" height="12"></td>'
                    for i in range(7))
    kind = "log scale" if scale.log else "linear scale"
    name = f"<b>{_esc(label)}</b> " if label else ""
    table = (f'<table border="0" cellborder="0" cellspacing="1" cellpadding="2">'
             f'<tr><td colspan="7">{name}({kind})</td></tr><tr>{cells}</tr>'
             f'<tr><td colspan="3" align="left">min {scale.lo:.3g}</td><td></td>'
             f'<td colspan="3" align="right">max {scale.hi:.3g}</td></tr></table>')
    d.node(nid, table, "#FFFFFF", attrs=', shape=box, style="rounded,filled", margin="0.05"')

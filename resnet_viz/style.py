"""Colours and labels shared by every diagram and chart (one colour per stage, everywhere)."""

from __future__ import annotations

# Stem, stage 1..6, head. Colour-blind-safe (Okabe-Ito based); text stays dark on all.
STEM_COLOUR = "#B0B0B0"
HEAD_COLOUR = "#D9D9D9"
STAGE_COLOURS: tuple[str, ...] = (
    "#56B4E9",  # stage 1 (conv2_x) sky blue
    "#E69F00",  # stage 2 (conv3_x) orange
    "#009E73",  # stage 3 (conv4_x) green
    "#CC79A7",  # stage 4 (conv5_x) purple-pink
    "#F0E442",  # stage 5 yellow
    "#0072B2",  # stage 6 blue
)
RESIDUAL_COLOUR = "#0072B2"
PLAIN_COLOUR = "#D55E00"


def group_colour(group: str) -> str:
    """Colour for a layer group: ``stem``, ``layer1``..``layer6`` or ``head``."""
    if group == "stem":
        return STEM_COLOUR
    if group == "head":
        return HEAD_COLOUR
    if group.startswith("layer") and group[5:].isdigit():
        return STAGE_COLOURS[(int(group[5:]) - 1) % len(STAGE_COLOURS)]
    raise ValueError(f"unknown layer group {group!r}; expected stem, layer1..layer6 or head")


def stage_colour(stage: int) -> str:
    """Colour of stage ``stage`` (1-based)."""
    return STAGE_COLOURS[(stage - 1) % len(STAGE_COLOURS)]

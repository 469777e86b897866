"""The one look of every diagram and chart: stage colours and the plotly house style."""

from __future__ import annotations

import textwrap
from typing import Any

from resnet_viz.arch.names import HEAD, STEM, stage_of

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
CONFIG_COLOURS: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
"""One colour per column of a comparison (Okabe-Ito), in column order."""
PLAIN_COLOUR = "#D55E00"


def group_colour(group: str) -> str:
    """Colour for a layer group: ``stem``, ``layer1``..``layer6`` or ``head``."""
    if group == STEM:
        return STEM_COLOUR
    if group == HEAD:
        return HEAD_COLOUR
    stage = stage_of(group)
    if stage is not None and "." not in group:
        return stage_colour(stage)
    raise ValueError(f"unknown layer group {group!r}; expected stem, layer1..layer6 or head")


def stage_colour(stage: int) -> str:
    """Colour of stage ``stage`` (1-based)."""
    return STAGE_COLOURS[(stage - 1) % len(STAGE_COLOURS)]


FONT: dict[str, Any] = {"family": "Inter, Helvetica, Arial, sans-serif", "size": 13,
                        "color": "#222"}
GRID = "#E5E5E5"
SUBTITLE_CHARS = 64  # a 12 px subtitle line: ~64 characters fit a 420 px chart (a page
# column at 1024 px); wider charts simply show more lines than they need
AXIS_TITLE_CHARS = 34  # a vertical axis title longer than this overruns a 460 px plot
LINE_PX = 17


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters with plotly's ``<br>``."""
    return "<br>".join(textwrap.wrap(text, width, break_on_hyphens=False)) if text else text


def finish(fig: Any, title: str, subtitle: str = "", *, height: int = 460,
           legend: bool = False, hovermode: str | None = None) -> Any:
    """The house style for a plotly figure: white background, light grid, one font.

    The title and subtitle sit at the top left; a long subtitle wraps onto more
    lines (never cut off at the right) and the plot moves down to make room; a
    legend, if any, gets its own row between them and the plot so the two never
    overlap. A long y-axis title wraps onto two lines beside the plot instead of
    running up into the subtitle.

    Returns:
        The same figure, restyled.
    """
    sub = wrap(subtitle, SUBTITLE_CHARS)
    lines = sub.count("<br>") + 1 if sub else 0
    top = 70 + LINE_PX * lines + (8 if lines else 0) + (28 if legend else 0)
    left = 70
    y_title = fig.layout.yaxis.title.text
    if y_title and len(y_title) > AXIS_TITLE_CHARS and "<br>" not in y_title:
        fig.update_yaxes(title_text=wrap(y_title, max(AXIS_TITLE_CHARS, len(y_title) // 2 + 4)))
        left += LINE_PX
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "subtitle": {"text": sub, "font": {"size": 12,
                                                                      "color": "#555"}},
               "x": 0.01, "xanchor": "left", "y": 1 - 14 / height, "yanchor": "top",
               "yref": "container", "font": {"size": 17}},
        font=FONT, height=height, showlegend=legend, paper_bgcolor="white",
        plot_bgcolor="white", margin={"l": left, "r": 30, "t": top, "b": 60},
        hoverlabel={"font": {"family": FONT["family"], "size": 12}, "bgcolor": "white"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0,
                "font": {"size": 12}},
        uniformtext={"minsize": 10, "mode": "show"},
    )
    if hovermode:
        fig.update_layout(hovermode=hovermode)
    fig.update_xaxes(showgrid=False, linecolor="#888", ticks="outside")
    fig.update_yaxes(gridcolor=GRID, linecolor="#888", zeroline=False)
    return fig

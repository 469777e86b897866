"""The one look of every diagram and chart: stage colours and the plotly house style."""

from __future__ import annotations

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


def finish(fig: Any, title: str, subtitle: str = "", *, height: int = 460,
           legend: bool = False, hovermode: str | None = None) -> Any:
    """The house style for a plotly figure: white background, light grid, one font.

    The title and subtitle sit at the top left; a legend, if any, gets its own
    row between them and the plot so the two never overlap.

    Returns:
        The same figure, restyled.
    """
    top = 70 + (22 if subtitle else 0) + (28 if legend else 0)
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "subtitle": {"text": subtitle, "font": {"size": 12,
                                                                      "color": "#555"}},
               "x": 0.01, "xanchor": "left", "y": 1 - 14 / height, "yanchor": "top",
               "yref": "container", "font": {"size": 17}},
        font=FONT, height=height, showlegend=legend, paper_bgcolor="white",
        plot_bgcolor="white", margin={"l": 70, "r": 30, "t": top, "b": 60},
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

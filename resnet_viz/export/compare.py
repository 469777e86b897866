"""The Compare page's figure as a file: 2-4 configurations side by side in one drawing.

The same styles, page fits, DPI guard and naming as single-network diagrams
(:mod:`resnet_viz.export.diagram`); the drawing is
:func:`resnet_viz.render.compare.compare_dot`, titled with the configurations
and captioned with the generated what-changed sentences.
"""

from __future__ import annotations

from collections.abc import Sequence

from resnet_viz.analysis.compare import Comparison, compare
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.export.diagram import (
    DEFAULT_DPI,
    DiagramExport,
    DiagramFormat,
    Page,
    Style,
    apply_style,
    config_slug,
    dot_export,
    titled,
)
from resnet_viz.render.compare import compare_dot
from resnet_viz.render.diagram import Level


def comparison_filename(comp: Comparison, *, fmt: DiagramFormat | str,
                        level: Level | str = Level.STAGE, style: Style | str = Style.SCREEN,
                        page: Page | str = Page.NONE) -> str:
    """E.g. ``compare_ResNet-18_..._vs_ResNet-34_..._stage_slide.pdf``."""
    parts = ["compare", "_vs_".join(config_slug(an.spec) for an in comp.analyses),
             str(Level(level)), str(Style(style))]
    if Page(page) is not Page.NONE:
        parts.append(str(page))
    return "_".join(parts) + "." + str(DiagramFormat(fmt))


def export_comparison(specs: Sequence[ResNetSpec] | Comparison,
                      fmt: DiagramFormat | str = DiagramFormat.SVG, *,
                      level: Level | str = Level.STAGE, style: Style | str = Style.SCREEN,
                      page: Page | str = Page.NONE, dpi: int = DEFAULT_DPI,
                      font_scale: float = 1.0, show_costs: bool = False) -> DiagramExport:
    """One file holding the aligned diagrams of 2-4 configurations.

    Args:
        specs: the configurations (or a :class:`Comparison` of them).
        fmt: ``svg``, ``png``, ``pdf`` or ``dot``.
        level: ``stage`` or ``block``.
        style: ``screen``, ``slide``, ``print`` or ``contrast``.
        page: a page to fit the drawing to, or ``none``.
        dpi: PNG resolution (72..1200).
        font_scale: extra type size factor (0.5..3).
        show_costs: parameters and MACs inside the nodes.

    Raises:
        ValueError: for fewer than 2 or more than 4 configurations, the layer level,
            unknown choices or a PNG too large for a bitmap.
    """
    comp = specs if isinstance(specs, Comparison) else compare(list(specs))
    dot = compare_dot(comp, level=Level(level), show_costs=show_costs)
    dot = titled(dot, " vs ".join(comp.labels), " — ".join(comp.sentences))
    dot = apply_style(dot, style, page=page, font_scale=font_scale)
    name = comparison_filename(comp, fmt=fmt, level=level, style=style, page=page)
    return dot_export(dot, name, fmt, style=style, page=page, dpi=dpi, font_scale=font_scale)

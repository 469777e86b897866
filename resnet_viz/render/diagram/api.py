"""The public diagram API: one network, the plain-vs-residual pair, and block anatomy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from resnet_viz.analysis import Analysis, analyse
from resnet_viz.arch.names import block_name
from resnet_viz.arch.spec import BlockKind, ResNetSpec, Shortcut
from resnet_viz.fmt import fmt_shape
from resnet_viz.render.diagram.labels import _IO_FILL
from resnet_viz.render.diagram.levels import _Ctx, _input, _layer_block, _network
from resnet_viz.render.diagram.scale import (
    _check_overlay,
    _display_values,
    _legend,
    _make_scale,
    _Paint,
)
from resnet_viz.render.diagram.writer import Direction, Level, _Dot, _esc
from resnet_viz.render.theme import (
    PLAIN_COLOUR,
    RESIDUAL_COLOUR,
    stage_colour,
)


def _analysis_for(spec: ResNetSpec, analysis: Analysis | None) -> Analysis:
    if analysis is None:
        return analyse(spec)
    if analysis.spec != spec:
        raise ValueError("analysis was computed for a different spec; pass analyse(spec) "
                         "for this spec or leave analysis=None")
    return analysis


def _paint(pairs: Sequence[tuple[Analysis, Mapping[str, float] | None]],
           level: Level) -> list[_Paint | None]:
    """Display values for each (analysis, overlay), all on one shared scale."""
    shown: list[dict[str, float] | None] = []
    for an, overlay in pairs:
        if overlay is None:
            shown.append(None)
            continue
        _check_overlay(overlay, an, level)
        shown.append(_display_values(an, level, overlay))
    values = [v for s in shown if s for v in s.values()]
    if not values:
        return [None] * len(pairs)
    scale = _make_scale(values)
    return [None if s is None else _Paint(s, scale) for s in shown]


def _add_legend(d: _Dot, paints: Sequence[_Paint | None], label: str, anchor: str) -> None:
    paint = next((p for p in paints if p is not None), None)
    if paint is None:
        return
    _legend(d, "legend", paint.scale, label)
    d.line(f"{{rank=same; {anchor}; legend}}")


def to_dot(spec: ResNetSpec, *, level: Level = Level.BLOCK,
           direction: Direction = Direction.VERTICAL, show_costs: bool = False,
           overlay: Mapping[str, float] | None = None, overlay_label: str = "",
           title: str | None = None, analysis: Analysis | None = None) -> str:
    """The network as Graphviz DOT text.

    Args:
        spec: the architecture.
        level: ``stage`` (Table 1 rows), ``block`` (every block, shortcuts as skip
            edges) or ``layer`` (every conv/BN/ReLU/pool/add).
        direction: ``TB`` (top to bottom) or ``LR`` (left to right).
        show_costs: write parameters and MACs inside the nodes.
        overlay: values to colour nodes by, keyed by block (``layer2.0``) or stage
            (``layer2``) name; at layer level also by layer name. Stage nodes show
            their blocks' mean unless the stage itself has a value. A legend states
            the scale (log when every value is positive) and its min/max.
        overlay_label: what the overlay values are, for the legend.
        title: graph title; ``None`` uses the spec's name, ``""`` shows none.
        analysis: a precomputed ``analyse(spec)`` to reuse.

    Returns:
        Deterministic DOT source; node ids are module names with ``_`` for ``.``.

    Raises:
        ValueError: for an overlay key that names no block/stage (or layer), or an
            analysis of another spec. A non-finite overlay value (an overflowed
            measurement) is drawn as "no value", not refused.
    """
    level = Level(level)
    an = _analysis_for(spec, analysis)
    (paint,) = _paint([(an, overlay)], level)
    c = _Ctx(an, _Dot(), costs=show_costs, paint=paint)
    _network(c, level)
    _add_legend(c.d, [paint], overlay_label, "input")
    return c.d.source(direction=Direction(direction),
                      title=spec.name if title is None else title)


def _align(d: _Dot, left: str, right: str) -> None:
    """Put each node of the ``left`` half level with its namesake in the ``right`` half."""
    rights = set(d.ids)
    for nid in d.ids:
        twin = right + nid[len(left):]
        if nid.startswith(left) and twin in rights:
            d.line(f"{{rank=same; {nid}; {twin}}}")


def _residual_twin(spec: ResNetSpec) -> ResNetSpec:
    """``spec`` with shortcuts; option A falls back to B where zero-padding cannot shrink."""
    try:
        return spec.with_(shortcuts=True)
    except ValueError:
        return spec.with_(shortcuts=True, shortcut=Shortcut.PROJECT_ON_CHANGE)


def pair_dot(spec: ResNetSpec, *, level: Level = Level.BLOCK,
             direction: Direction = Direction.VERTICAL, show_costs: bool = False,
             plain_overlay: Mapping[str, float] | None = None,
             residual_overlay: Mapping[str, float] | None = None, overlay_label: str = "",
             title: str | None = None) -> str:
    """Plain and residual versions of ``spec`` side by side (the paper's Fig. 3 idea).

    Args:
        spec: the architecture; its ``shortcuts`` field is ignored (both are drawn).
        level: detail level, as in :func:`to_dot`.
        direction: ``TB`` puts the two networks side by side, ``LR`` one above the other.
        show_costs: write parameters and MACs inside the nodes.
        plain_overlay: overlay values for the plain network (see :func:`to_dot`).
        residual_overlay: overlay values for the residual network; both overlays
            share one colour scale so they can be compared.
        overlay_label: what the overlay values are, for the legend.
        title: graph title; ``None`` gives "<plain name> vs <residual name>".

    Returns:
        DOT source with clusters ``cluster_plain`` and ``cluster_residual``; node ids
        are prefixed ``plain_`` / ``residual_``.

    Raises:
        ValueError: as :func:`to_dot` for bad overlays.
    """
    level = Level(level)
    specs = (spec.with_(shortcuts=False), _residual_twin(spec))
    ans = [analyse(s) for s in specs]
    paints = _paint(list(zip(ans, (plain_overlay, residual_overlay), strict=True)), level)
    d = _Dot()
    for an, paint, name, colour in zip(ans, paints, ("plain", "residual"),
                                       (PLAIN_COLOUR, RESIDUAL_COLOUR), strict=True):
        d.open(name, f"<b>{name}</b>  {_esc(an.spec.name)}", "#FFFFFF", border=colour,
               penwidth=2.5)
        _network(_Ctx(an, d, pre=f"{name}_", costs=show_costs, paint=paint), level)
        d.close()
    _align(d, "plain_", "residual_")
    _add_legend(d, paints, overlay_label, "plain_input")
    default = f"{specs[0].name} vs {specs[1].name}"
    return d.source(direction=Direction(direction), title=default if title is None else title)


def _anatomy_specs(spec: ResNetSpec, stage: int, first_block: bool) -> list[ResNetSpec]:
    """Basic and bottleneck twins of ``spec``, with a second block where one is asked for."""
    blocks = spec.blocks if first_block else tuple(
        max(n, 2) if i == stage - 1 else n for i, n in enumerate(spec.blocks))
    out = []
    for kind in (BlockKind.BASIC, BlockKind.BOTTLENECK):
        changes: dict[str, object] = {"block": kind, "blocks": blocks}
        if kind is BlockKind.BASIC:  # basic blocks know no groups or width per group
            changes.update(groups=1, width_per_group=64)
        try:
            out.append(spec.with_(**changes))
        except ValueError:  # e.g. zero-padding that would shrink channels: use option B
            out.append(spec.with_(**changes, shortcut=Shortcut.PROJECT_ON_CHANGE))
    return out


def anatomy_dot(spec: ResNetSpec, *, stage: int = 1, first_block: bool = True,
                show_costs: bool = False, title: str | None = None) -> str:
    """One block of a stage at layer level, basic and bottleneck side by side (Fig. 5).

    Both blocks keep the rest of ``spec`` (family, input size, shortcut option,
    pre-activation, widths), so their shapes are the real ones; the basic twin
    drops ResNeXt groups and width-per-group, which basic blocks do not have.

    Args:
        spec: the architecture.
        stage: 1-based stage whose block is shown.
        first_block: the stage's first block (stride, shortcut per option) rather
            than a later one (identity shortcut under options A/B/D).
        show_costs: write parameters and MACs inside the nodes.
        title: graph title; ``None`` names the stage and block.

    Returns:
        DOT source with clusters ``cluster_basic`` and ``cluster_bottleneck``.

    Raises:
        ValueError: if ``stage`` is not one of the spec's stages.
    """
    if not 1 <= stage <= len(spec.stages):
        raise ValueError(f"stage must be between 1 and {len(spec.stages)}; got {stage}")
    name = block_name(stage, 0 if first_block else 1)
    twins = _anatomy_specs(spec, stage, first_block)
    d = _Dot()
    for s in twins:
        an = analyse(s)
        b = next(b for b in an.blocks if b.name == name)
        kind = str(s.block)
        d.open(kind, f"<b>{kind}</b>  {name} of {_esc(s.name)}", "#FFFFFF",
               border=stage_colour(stage), penwidth=2)
        c = _Ctx(an, d, pre=f"{kind}_", costs=show_costs)
        tail = _layer_block(c, b, _input(c))
        d.node(c.id("output"), "<b>output</b>", _IO_FILL, attrs=", shape=oval",
               tip=f"output of {name}")
        d.edge(tail.nid, c.id("output"), text=fmt_shape(b.out_shape))
        d.close()
    paper = spec.stages[stage - 1].paper_name
    default = (f"Block anatomy: {paper} ({name}), "
               f"{'first' if first_block else 'later'} block, shortcut "
               f"{'/'.join(sorted({str(t.shortcut) for t in twins}))}")
    return d.source(direction=Direction.VERTICAL, title=default if title is None else title)

"""What changed between two to four configurations: a diff table and one sentence per pair.

Everything is derived from the specs and their analyses; nothing is written per
preset. Rows are the paper's Table 1 rows (structure, parameters, MACs) and the
totals; every cell knows whether it differs from the previous column and, for
numbers, the ratio to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from resnet_viz.analysis.layers import Analysis, analyse
from resnet_viz.analysis.memory import Memory, memory
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.fmt import fmt_bytes, fmt_count, fmt_factor, fmt_shape

MIN_CONFIGS = 2
MAX_CONFIGS = 4
TABLE1 = "Table 1"
TOTALS = "totals"


@dataclass(frozen=True)
class Cell:
    """One configuration's value in one row."""

    value: float | str | None  # None: the row does not exist in this configuration
    text: str
    changed: bool = False  # differs from the previous column (never for the first)
    ratio: float | None = None  # value / previous value, for numbers

    @property
    def display(self) -> str:
        """The text with the ratio to the previous column where it changed."""
        if self.changed and self.ratio is not None:
            r = self.ratio  # three figures near 1, where fmt_factor's two would read ×1.0
            return f"{self.text} (×{f'{r:.3g}' if 0.01 <= r < 10 else fmt_factor(r)})"
        return self.text


@dataclass(frozen=True)
class DiffRow:
    """One row of the what-changed table."""

    key: str  # stable id, e.g. ``conv2_x.params`` or ``params``
    label: str
    section: str  # TABLE1 or TOTALS
    cells: tuple[Cell, ...]

    @property
    def changed(self) -> bool:
        """Whether any column differs from the one before it."""
        return any(c.changed for c in self.cells)


@dataclass(frozen=True)
class Comparison:
    """The configurations, their analyses, the diff rows and the pair sentences."""

    specs: tuple[ResNetSpec, ...]
    analyses: tuple[Analysis, ...]
    memories: tuple[Memory, ...]
    labels: tuple[str, ...]  # unique column names
    rows: tuple[DiffRow, ...]
    sentences: tuple[str, ...]  # one per neighbouring pair

    def row(self, key: str) -> DiffRow:
        """The row with ``key``.

        Raises:
            ValueError: if no row has that key.
        """
        for r in self.rows:
            if r.key == key:
                return r
        raise ValueError(f"no row {key!r}; rows: {', '.join(r.key for r in self.rows)}")


def column_labels(specs: Sequence[ResNetSpec]) -> tuple[str, ...]:
    """Unique column names: the spec's name plus the fields that tell equal names apart."""
    extras: list[tuple[str, Callable[[ResNetSpec], str]]] = [
        ("shortcut", lambda s: f"shortcut {s.shortcut}"),
        ("variant", lambda s: str(s.variant)),
        ("input_size", lambda s: fmt_shape(s.input_size)),
        ("num_classes", lambda s: f"{s.num_classes} classes"),
        ("in_channels", lambda s: f"{s.in_channels} ch"),
        ("blocks", lambda s: ",".join(map(str, s.blocks))),
    ]
    labels = []
    for s in specs:
        same = [o for o in specs if o.name == s.name]
        parts = [f(s) for fld, f in extras
                 if len({getattr(o, fld) for o in same}) > 1]
        labels.append(s.name + (f" ({', '.join(parts)})" if parts else ""))
    seen: dict[str, int] = {}
    out = []
    for lab in labels:  # identical configurations: number the repeats
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab} #{seen[lab]}")
    return tuple(out)


def _cells(values: Sequence[float | str | None], fmt: Callable[[float], str]) -> tuple[Cell, ...]:
    out: list[Cell] = []
    prev: float | str | None = None
    for i, v in enumerate(values):
        text = "—" if v is None else (v if isinstance(v, str) else fmt(v))
        changed = i > 0 and v != prev
        ratio = None
        if (changed and isinstance(v, int | float) and isinstance(prev, int | float)
                and prev):
            ratio = v / prev
        out.append(Cell(v, text, changed, ratio))
        prev = v
    return tuple(out)


def _count(n: float) -> str:
    return f"{n:,.0f}"


def _table1_rows(ans: Sequence[Analysis]) -> list[DiffRow]:
    names: list[str] = []
    for an in ans:
        names += [r.name for r in an.rows if r.name not in names]
    names.sort(key=lambda n: (n == "fc", n))  # conv1, conv2_x.., fc
    rows = []
    for name in names:
        found = [next((r for r in an.rows if r.name == name), None) for an in ans]
        struct = [None if r is None else f"{r.description} → {fmt_shape(r.output_shape)}"
                  for r in found]
        rows.append(DiffRow(f"{name}.layers", name, TABLE1, _cells(struct, str)))
        rows.append(DiffRow(f"{name}.params", f"{name} params", TABLE1,
                            _cells([None if r is None else r.params for r in found], fmt_count)))
        rows.append(DiffRow(f"{name}.macs", f"{name} MACs", TABLE1,
                            _cells([None if r is None else r.macs for r in found], fmt_count)))
    return rows


def _total_rows(ans: Sequence[Analysis], mems: Sequence[Memory]) -> list[DiffRow]:
    specs = [an.spec for an in ans]
    spec_rows: list[tuple[str, str, list[float | str | None], Callable[[float], str]]] = [
        ("depth", "depth (weighted layers)", [s.depth for s in specs], _count),
        ("blocks", "blocks per stage", [",".join(map(str, s.blocks)) for s in specs], str),
        ("params", "parameters", [an.params for an in ans], fmt_count),
        ("macs", "MACs", [an.macs for an in ans], fmt_count),
        ("flops", "FLOPs (2 × MACs)", [an.flops for an in ans], fmt_count),
        ("weight_memory", "weight memory (fp32)", [m.params for m in mems], fmt_bytes),
        ("activation_memory", "activation memory, training (batch 1, fp32)",
         [m.training for m in mems], fmt_bytes),
        ("inference_memory", "activation peak, inference (batch 1, fp32)",
         [m.inference for m in mems], fmt_bytes),
        ("receptive_field", "receptive field (px)", [an.receptive_field for an in ans], _count),
    ]
    return [DiffRow(k, label, TOTALS, _cells(v, f)) for k, label, v, f in spec_rows]


def compare(specs: Sequence[ResNetSpec], *,
            analyses: Sequence[Analysis] | None = None) -> Comparison:
    """Compare two to four configurations.

    Args:
        specs: the configurations, in column order.
        analyses: precomputed ``analyse(spec)`` for each (optional).

    Returns:
        The comparison (table rows and one sentence per neighbouring pair).

    Raises:
        ValueError: for fewer than two or more than four configurations, or
            analyses that do not match the specs.
    """
    specs = tuple(specs)
    if not MIN_CONFIGS <= len(specs) <= MAX_CONFIGS:
        raise ValueError(f"compare needs {MIN_CONFIGS} to {MAX_CONFIGS} configurations; "
                         f"got {len(specs)}")
    ans = tuple(analyses) if analyses is not None else tuple(analyse(s) for s in specs)
    if len(ans) != len(specs) or any(a.spec != s for a, s in zip(ans, specs, strict=True)):
        raise ValueError("analyses must be analyse(spec) of each spec, in the same order")
    mems = tuple(memory(an) for an in ans)
    labels = column_labels(specs)
    rows = tuple(_table1_rows(ans) + _total_rows(ans, mems))
    sentences = tuple(pair_sentence(ans[i], ans[i + 1], labels[i], labels[i + 1],
                                    mems[i], mems[i + 1]) for i in range(len(specs) - 1))
    return Comparison(specs, ans, mems, labels, rows, sentences)


# ----------------------------------------------------------------------------- sentences
def change(old: float, new: float, fmt: Callable[..., str] = fmt_count) -> str:
    """``+17% (21.8 M → 25.6 M)``, ``×5.2 (11.7 M → 60.2 M)`` or ``unchanged (…)``."""
    values = f"{fmt(old, digits=1)} → {fmt(new, digits=1)}"
    if old == new:
        return f"unchanged ({fmt(new, digits=1)})"
    if old == 0:
        return f"from none to {fmt(new, digits=1)}"
    ratio = new / old
    if ratio >= 2 or ratio <= 0.5:
        return f"×{fmt_factor(ratio)} ({values})"
    pct = 100 * (ratio - 1)
    digits = 0 if abs(pct) >= 9.5 else 1
    return f"{pct:+.{digits}f}% ({values})"


def _shortcut_params(an: Analysis) -> tuple[int, int]:
    """Parameters on shortcut paths, and how many blocks have a parameterised shortcut."""
    params = sum(r.params for r in an.layers if r.path == "shortcut")
    blocks = sum(1 for b in an.blocks
                 if any(r.params for r in an.layers[b.first:b.last] if r.path == "shortcut"))
    return params, blocks


def _structure_changes(a: Analysis, b: Analysis) -> list[str]:
    sa, sb = a.spec, b.spec
    parts: list[str] = []
    if sa.family != sb.family:
        parts.append(f"{sa.family} → {sb.family} family")
    if sa.block != sb.block:
        parts.append(f"{sa.block} → {sb.block} blocks")
    if sa.blocks != sb.blocks:
        parts.append(f"blocks per stage {','.join(map(str, sa.blocks))} → "
                     f"{','.join(map(str, sb.blocks))}")
    if sa.variant != sb.variant and "bottleneck" in (sa.block, sb.block):
        parts.append(f"stride placement {sa.variant} → {sb.variant}")
    if sa.preact != sb.preact:
        parts.append("post- → pre-activation" if sb.preact else "pre- → post-activation")
    if sa.shortcuts != sb.shortcuts:
        parts.append("shortcuts added" if sb.shortcuts else "shortcuts removed (plain)")
    elif sa.shortcut != sb.shortcut and sb.shortcuts:
        (pa, na), (pb, nb) = _shortcut_params(a), _shortcut_params(b)
        text = f"shortcut {sa.shortcut} → {sb.shortcut}"
        if pb != pa:
            text += (f": {'+' if pb > pa else '−'}{fmt_count(abs(pb - pa), digits=1)} "
                     f"projection parameters ({na} → {nb} projected shortcuts)")
        parts.append(text)
    for fld, what in (("groups", "groups"), ("width_per_group", "width per group"),
                      ("width_mult", "width ×")):
        va, vb = getattr(sa, fld), getattr(sb, fld)
        if va != vb:
            parts.append(f"{what} {va:g} → {vb:g}")
    if sa.input_size != sb.input_size:
        parts.append(f"input {fmt_shape(sa.input_size)} → {fmt_shape(sb.input_size)}")
    if sa.num_classes != sb.num_classes:
        parts.append(f"{sa.num_classes} → {sb.num_classes} classes")
    if sa.in_channels != sb.in_channels:
        parts.append(f"{sa.in_channels} → {sb.in_channels} input channels")
    parts += _width_changes(sa, sb)
    return parts


def _width_changes(sa: ResNetSpec, sb: ResNetSpec) -> list[str]:
    """Stage output and inner widths, named at the last stage both have."""
    n = min(len(sa.stages), len(sb.stages))
    out = []
    for attr, what in (("out_channels", "stage outputs"), ("mid_channels", "inner widths")):
        va = [getattr(s, attr) for s in sa.stages[:n]]
        vb = [getattr(s, attr) for s in sb.stages[:n]]
        if va == vb:
            continue
        ratios = {y / x for x, y in zip(va, vb, strict=True)}
        last = sa.stages[n - 1].paper_name
        factor = f" ×{_factor(ratios.pop())}" if len(ratios) == 1 else ""
        out.append(f"{what}{factor} channels ({va[-1]} → {vb[-1]} at {last})")
    return out


def _factor(x: float) -> str:
    """``4`` for a whole factor, else two significant digits (``0.5``, ``1.3``)."""
    return f"{x:,.0f}" if float(x).is_integer() else fmt_factor(x)


def pair_sentence(a: Analysis, b: Analysis, label_a: str, label_b: str,
                  mem_a: Memory | None = None, mem_b: Memory | None = None) -> str:
    """One sentence naming what changed from ``a`` to ``b`` and by how much.

    Example: ``ResNet-34 → ResNet-50: basic → bottleneck blocks; stage outputs ×4
    channels (512 → 2048 at conv5_x); params +17% (21.8 M → 25.6 M); MACs +12% (…)``.
    """
    mem_a = mem_a or memory(a)
    mem_b = mem_b or memory(b)
    parts = _structure_changes(a, b) or ["same configuration"]
    parts.append(f"params {change(a.params, b.params)}")
    parts.append(f"MACs {change(a.macs, b.macs)}")
    if mem_a.training != mem_b.training:
        parts.append(f"training activations {change(mem_a.training, mem_b.training, fmt_bytes)}")
    if a.receptive_field != b.receptive_field:
        parts.append(f"receptive field {a.receptive_field:,} → {b.receptive_field:,} px")
    return f"{label_a} → {label_b}: " + "; ".join(parts)

"""The analysis tables as files: CSV, Markdown and LaTeX (booktabs), each with its convention.

The frames come from :mod:`resnet_viz.render.tables` (Table 1, per stage, per
block, per layer); this module only writes them out. CSV keeps exact integers
and no caption (so every CSV reader loads it); Markdown and LaTeX write numbers
right-aligned with thousands separators and state the cost convention (MACs
vs FLOPs, which ops) in a caption line built by :func:`convention_caption`.
"""

from __future__ import annotations

import math
import numbers
from enum import StrEnum

import pandas as pd

from resnet_viz.analysis import Analysis
from resnet_viz.arch.paper import PAPER_SOURCE
from resnet_viz.arch.spec import parse_choice
from resnet_viz.render.tables import (
    PAPER_COLUMN,
    Convention,
    CostUnit,
    block_table,
    cost_label,
    layer_table,
    stage_table,
    table1,
)
from resnet_viz.render.tikz import tex_escape


class TableKind(StrEnum):
    """Which table."""

    TABLE1 = "table1"
    STAGES = "stages"
    BLOCKS = "blocks"
    LAYERS = "layers"


class TableFormat(StrEnum):
    """File format of an exported table (the value is the file extension)."""

    CSV = "csv"
    MARKDOWN = "md"
    LATEX = "tex"


_TITLES = {TableKind.TABLE1: "Table 1 (He et al. layout)", TableKind.STAGES: "per stage",
           TableKind.BLOCKS: "per residual block", TableKind.LAYERS: "per layer"}


def table_frame(an: Analysis, kind: TableKind | str, *, unit: CostUnit | str = CostUnit.MACS,
                convention: Convention | str = Convention.CONV_LINEAR) -> pd.DataFrame:
    """The table's DataFrame (exact integers), from :mod:`resnet_viz.render.tables`.

    Raises:
        ValueError: for an unknown kind, unit or convention.
    """
    kind = parse_choice(TableKind, kind, "table")
    unit = parse_choice(CostUnit, unit, "cost unit")
    convention = parse_choice(Convention, convention, "convention")
    if kind is TableKind.TABLE1:
        return table1(an, unit=unit, convention=convention)
    if kind is TableKind.STAGES:
        return stage_table(an, unit=unit, convention=convention)
    if kind is TableKind.BLOCKS:
        return block_table(an, unit=unit, convention=convention)
    return layer_table(an, unit=unit, convention=convention)


def convention_caption(an: Analysis, kind: TableKind | str, *,
                       unit: CostUnit | str = CostUnit.MACS,
                       convention: Convention | str = Convention.CONV_LINEAR) -> str:
    """One caption sentence: what the table is and how its costs are counted."""
    kind = parse_choice(TableKind, kind, "table")
    unit, convention = CostUnit(unit), Convention(convention)
    h, w = an.spec.input_size
    what = ("multiply-accumulates of conv and fc layers only" if unit is CostUnit.MACS
            else "FLOPs = 2 x conv and fc multiply-accumulates")
    if convention is Convention.ALL_OPS:
        what += "; plus BatchNorm (2 per element), ReLU, pool and shortcut-add ops, each once"
    text = (f"{an.spec.name}, {_TITLES[kind]}. Column '{cost_label(unit, convention)}': "
            f"{what}, per {h}x{w} image (batch 1). Parameters: trainable weights and biases "
            f"(BatchNorm running statistics not counted).")
    if kind is TableKind.TABLE1 and PAPER_COLUMN in table_frame(an, kind).columns:
        text += f" '{PAPER_COLUMN}': the number published in {PAPER_SOURCE}, for reference."
    if kind is TableKind.LAYERS:
        text += " Activation bytes: float32 output of one sample."
    return text


def _numeric(df: pd.DataFrame) -> list[bool]:
    return [pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
            for t in df.dtypes]


def _cell(value: object) -> str:
    """A number with thousands separators (floats: one decimal), missing values empty."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return "" if math.isnan(float(value)) else f"{float(value):,.1f}"
    return str(value)


def to_csv(df: pd.DataFrame) -> str:
    """CSV with a header row, exact integers and no index."""
    return str(df.to_csv(index=False))


def to_markdown(df: pd.DataFrame, caption: str = "") -> str:
    """A GitHub-flavoured Markdown table, numbers right-aligned, caption line below.

    Written by hand: ``DataFrame.to_markdown`` needs the ``tabulate`` package,
    which is not among the project's dependencies, and the table is only a
    header, an alignment row and cells.
    """
    numeric = _numeric(df)

    def row(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [row([str(c) for c in df.columns]),
             "|" + "|".join("---:" if n else ":---" for n in numeric) + "|"]
    for rec in df.itertuples(index=False):
        lines.append(row([_cell(v) if n else ("" if v is pd.NA else str(v))
                          for v, n in zip(rec, numeric, strict=True)]))
    if caption:
        lines += ["", f"*{caption.replace('*', chr(92) + '*')}*"]
    return "\n".join(lines) + "\n"


def to_latex(df: pd.DataFrame, caption: str = "", label: str = "") -> str:
    """A booktabs ``table`` (pandas' Styler), numbers right-aligned with thousands separators."""
    numeric = _numeric(df)
    floats = [c for c, t in df.dtypes.items() if pd.api.types.is_float_dtype(t)]
    styler = df.style.hide(axis="index").format(escape="latex", na_rep="", thousands=",")
    if floats:
        styler = styler.format(subset=floats, precision=1, thousands=",", na_rep="")
    styler = styler.format_index(escape="latex", axis=1)
    text = styler.to_latex(
        column_format="".join("r" if n else "l" for n in numeric), hrules=True,
        position="htbp", position_float="centering",
        caption=tex_escape(caption) if caption else None, label=label or None)
    return text.replace("×", r"$\times$")  # escape="latex" leaves non-ASCII as it is


def export_table(an: Analysis, kind: TableKind | str, fmt: TableFormat | str, *,
                 unit: CostUnit | str = CostUnit.MACS,
                 convention: Convention | str = Convention.CONV_LINEAR) -> str:
    """One table in one format, with its caption (Markdown/LaTeX).

    Raises:
        ValueError: for an unknown table, format, unit or convention.
    """
    fmt = parse_choice(TableFormat, fmt, "table format")
    df = table_frame(an, kind, unit=unit, convention=convention)
    if fmt is TableFormat.CSV:
        return to_csv(df)
    cap = convention_caption(an, kind, unit=unit, convention=convention)
    if fmt is TableFormat.MARKDOWN:
        return to_markdown(df, cap)
    return to_latex(df, cap, label=f"tab:{TableKind(kind)}")

"""Tests for resnet_viz.render.table_export: every format parses back to the same numbers."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from resnet_viz.analysis import Analysis, analyse
from resnet_viz.arch.presets import from_depth
from resnet_viz.render.table_export import (
    TableFormat,
    TableKind,
    convention_caption,
    export_table,
    table_frame,
)
from resnet_viz.render.tables import Convention, CostUnit

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def r18() -> Analysis:
    return analyse(from_depth(18))


def _number(text: str) -> float | None:
    text = text.strip().replace(",", "")
    return None if text == "" else float(text)


def _numeric_columns(df: pd.DataFrame) -> list[str]:
    return [str(c) for c, t in df.dtypes.items()
            if pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)]


def _expected(df: pd.DataFrame, col: str) -> list[float | None]:
    out: list[float | None] = []
    for v in df[col]:
        if v is pd.NA or (isinstance(v, float) and v != v):
            out.append(None)
        elif pd.api.types.is_float_dtype(df[col].dtype):
            out.append(round(float(v), 1))
        else:
            out.append(float(v))
    return out


def _cells_md(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", r)[1:-1]] for r in rows[2:]]


def _cells_tex(text: str) -> list[list[str]]:
    body = text.split("\\midrule\n")[1].split("\\bottomrule")[0]
    return [[c.strip() for c in line.rstrip().removesuffix("\\\\").split(" & ")]
            for line in body.strip().splitlines()]


@pytest.mark.parametrize("kind", list(TableKind))
def test_csv_round_trip(r18: Analysis, kind: TableKind) -> None:
    df = table_frame(r18, kind)
    back = pd.read_csv(io.StringIO(export_table(r18, kind, TableFormat.CSV)))
    assert list(back.columns) == [str(c) for c in df.columns]
    for col in _numeric_columns(df):
        exp = [None if v is None else v for v in _expected(df, col)]
        got = [None if pd.isna(v) else float(v) for v in back[col]]
        if pd.api.types.is_float_dtype(df[col].dtype):
            got = [None if v is None else round(v, 1) for v in got]
        assert got == exp, col


@pytest.mark.parametrize("fmt", [TableFormat.MARKDOWN, TableFormat.LATEX])
@pytest.mark.parametrize("kind", list(TableKind))
def test_md_and_latex_parse_back(r18: Analysis, kind: TableKind, fmt: TableFormat) -> None:
    df = table_frame(r18, kind, unit=CostUnit.FLOPS)
    text = export_table(r18, kind, fmt, unit=CostUnit.FLOPS)
    cells = _cells_md(text) if fmt is TableFormat.MARKDOWN else _cells_tex(text)
    assert len(cells) == len(df)
    cols = [str(c) for c in df.columns]
    for col in _numeric_columns(df):
        i = cols.index(col)
        assert [_number(row[i]) for row in cells] == _expected(df, col), col


def test_thousands_separators_and_right_alignment(r18: Analysis) -> None:
    md = export_table(r18, TableKind.TABLE1, TableFormat.MARKDOWN)
    assert f"{r18.params:,}" in md
    assert md.splitlines()[1] == "|:---|:---|:---|---:|---:|---:|"
    tex = export_table(r18, TableKind.TABLE1, TableFormat.LATEX)
    assert "\\begin{tabular}{lllrrr}" in tex
    assert "\\toprule" in tex and "\\bottomrule" in tex
    assert f"{r18.macs:,}" in tex


def test_caption_states_the_convention(r18: Analysis) -> None:
    macs = convention_caption(r18, TableKind.STAGES)
    assert "multiply-accumulates of conv and fc layers only" in macs
    allops = convention_caption(r18, TableKind.STAGES, unit=CostUnit.FLOPS,
                                convention=Convention.ALL_OPS)
    assert "FLOPs = 2 x" in allops and "ReLU" in allops
    assert "He et al. 2015" in convention_caption(r18, TableKind.TABLE1)
    assert macs in export_table(r18, TableKind.STAGES, TableFormat.MARKDOWN)


def test_golden_resnet18_latex(r18: Analysis, update_golden: bool) -> None:
    text = export_table(r18, TableKind.TABLE1, TableFormat.LATEX)
    path = GOLDEN / "resnet18_table1.tex"
    if update_golden:
        path.write_text(text)
    assert path.exists(), f"{path} missing; run pytest --update-golden"
    assert text == path.read_text()


def test_bad_choices(r18: Analysis) -> None:
    with pytest.raises(ValueError, match="choose one of"):
        export_table(r18, "table9", "csv")
    with pytest.raises(ValueError, match="table format"):
        export_table(r18, "stages", "xlsx")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex missing")
def test_latex_table_compiles(r18: Analysis, tmp_path: Path) -> None:
    doc = ("\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage[margin=1cm,"
           "landscape]{geometry}\n\\begin{document}\n"
           + export_table(r18, TableKind.BLOCKS, TableFormat.LATEX) + "\\end{document}\n")
    (tmp_path / "t.tex").write_text(doc)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-1500:]

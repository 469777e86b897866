"""AppTest of the Compare page: columns, presets, the highlighted table, tabs, links."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from resnet_viz.analysis import analyse
from resnet_viz.analysis.compare import compare
from resnet_viz.arch.presets import from_depth
from resnet_viz.fmt import fmt_count
from resnet_viz.ui.compare import PRESETS
from tests.app import open_page

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "views/compare.py"


def start(**query: str) -> AppTest:
    return open_page(PAGE, **query)


def highlighted(at: AppTest) -> set[tuple[int, int]]:
    """(row, column) of every cell the Styler highlights in the what-changed table."""
    styles = at.table[0].proto.arrow_data.styler.styles
    return {(int(r), int(c)) for r, c in re.findall(r"row(\d+)_col(\d+)", styles)}


def test_default_is_four_columns_18_34_50_152() -> None:
    at = start()
    assert not at.exception, at.exception
    assert [at.selectbox(key=f"compare.c{i}.depth").value for i in range(1, 5)] == [
        "18", "34", "50", "152"]
    table = at.table[0].value
    assert list(table.columns) == ["ResNet-18", "ResNet-34", "ResNet-50", "ResNet-152"]
    params = [analyse(from_depth(d)).params for d in (18, 34, 50, 152)]
    assert table.loc["parameters", "ResNet-18"] == fmt_count(params[0])
    assert table.loc["parameters", "ResNet-50"].startswith(fmt_count(params[2]) + " (×")
    sentences = [t.value for t in at.text]
    assert any(s.startswith("ResNet-34 → ResNet-50: basic → bottleneck blocks") for s in sentences)


def test_highlighted_cells_are_the_changed_ones() -> None:
    at = start()
    table = at.table[0].value
    cells = highlighted(at)  # styler numbering: data columns from 0
    rows = list(table.index)
    comp = compare([from_depth(d) for d in (18, 34, 50, 152)])
    assert cells == {(i, j) for i, r in enumerate(comp.rows)
                     for j, c in enumerate(r.cells) if c.changed}
    assert (rows.index("parameters"), 1) in cells  # ResNet-18 -> 34
    assert (rows.index("conv1 params"), 1) not in cells  # identical stems
    assert all(c >= 1 for _, c in cells)  # the first configuration is never highlighted
    assert (rows.index("blocks per stage"), 2) not in cells  # 34 and 50: both 3,4,6,3


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_applies(name: str) -> None:
    at = start()
    at.button(key=f"compare.preset{list(PRESETS).index(name)}").click().run()
    assert not at.exception, at.exception
    want = PRESETS[name]
    assert at.button_group(key="compare.n").value == len(want)
    table = at.table[0].value
    assert len(table.columns) == len(want)
    for i, overrides in enumerate(want, start=1):
        if "depth" in overrides:
            assert at.selectbox(key=f"compare.c{i}.depth").value == overrides["depth"]
    assert len([t for t in at.text if " → " in t.value]) == len(want) - 1


def test_shortcut_preset_names_projection_parameters() -> None:
    at = start()
    at.button(key="compare.preset2").click().run()
    text = " ".join(t.value for t in at.text)
    assert "shortcut A → B: +" in text and "projection parameters" in text
    assert at.query_params["compare.c1.shortcut"] == "A"


def test_link_reproduces_a_comparison_and_changing_a_column_updates() -> None:
    at = start(**{"compare.n": "3", "compare.c1.family": "cifar", "compare.c1.depth": "20",
                  "compare.c2.family": "cifar", "compare.c2.depth": "56",
                  "compare.c3.family": "cifar", "compare.c3.depth": "110"})
    assert not at.exception
    table = at.table[0].value
    assert list(table.columns) == ["ResNet-20 (CIFAR)", "ResNet-56 (CIFAR)",
                                   "ResNet-110 (CIFAR)"]
    at.selectbox(key="compare.c3.depth").set_value("1202").run()
    assert "ResNet-1202 (CIFAR)" in at.table[0].value.columns


def test_invalid_column_and_bad_link_keep_running() -> None:
    at = start(**{"compare.c2.depth": "custom", "compare.c2.custom_depth": "35",
                  "compare.c1.shortcut": "Z"})
    assert not at.exception
    assert any("compare.c1.shortcut=Z" in t.value for t in at.text)
    assert any("depth 35 is not valid" in t.value for t in at.text)
    assert len(at.table[0].value.columns) == 3  # the invalid column is left out


@pytest.mark.parametrize("view", ["Diagrams", "Charts", "Scaling"])
def test_other_views(view: str) -> None:
    at = start(**{"compare.view": view, "compare.n": "2"})
    assert not at.exception, at.exception
    if view == "Diagrams":  # laid out on the server, shown in the zoomable viewer
        svg = at.get("iframe")[0].proto.srcdoc
        assert "c1_layer1" in svg and "c2_layer1" in svg and "cluster_c2" in svg
    else:
        assert len(at.get("plotly_chart")) >= 3


@pytest.mark.slow
def test_gradient_overlay_on_request() -> None:
    at = start(**{"compare.view": "Charts", "compare.n": "2", "compare.c1.family": "cifar",
                  "compare.c1.depth": "20", "compare.c2.family": "cifar",
                  "compare.c2.depth": "32"})
    charts = len(at.get("plotly_chart"))
    at.button(key="compare.grad").click().run()
    assert not at.exception, at.exception
    figs = at.get("plotly_chart")
    assert len(figs) == charts + 1
    names = [t["name"] for t in json.loads(figs[-1].proto.spec)["data"]]
    assert names == [f"ResNet-{d} (CIFAR) · {net}" for d in (20, 32)
                     for net in ("residual", "plain")]

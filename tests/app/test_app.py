"""AppTests (no browser): every page, the main widget paths, invalid input and links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from resnet_viz.analysis import analyse
from resnet_viz.arch.presets import from_depth
from tests.app import open_page

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["views/overview.py", "views/diagram.py", "views/tables.py", "views/gradients.py"]


def start(**query: str) -> AppTest:
    return open_page(**query)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_overview_default_is_resnet50() -> None:
    at = start()
    assert not at.exception
    assert "ResNet-50" in at.title[0].value
    assert "25.56 M" in metric(at, "Parameters")
    assert any("agree" in s.value for s in at.success)  # live build == analysis
    table = at.table[0].value
    assert list(table.index)[:6] == ["conv1", "conv2_x", "conv3_x", "conv4_x", "conv5_x", "fc"]
    assert table["output size"].iloc[1] == "256×56×56"  # C×H×W, not the paper's H×W only
    assert table["params"].iloc[-1] == "25,557,032"


@pytest.mark.parametrize("depth", ["18", "152"])
def test_depth_switch_updates_numbers(depth: str) -> None:
    at = start()
    at.selectbox(key="arch.depth").select(depth).run()
    assert not at.exception
    expected = analyse(from_depth(int(depth))).params
    assert f"{expected:,}" in metric_help(at, "Parameters")
    assert f"ResNet-{depth}" in at.title[0].value


def metric_help(at: AppTest, label: str) -> str:
    return next(m.proto.help for m in at.metric if m.label == label)


def test_cifar_and_custom_depth() -> None:
    at = start()
    at.selectbox(key="arch.family").select("cifar").run()
    assert "ResNet-56" in at.title[0].value and "(CIFAR)" in at.title[0].value
    at.selectbox(key="arch.depth").select("1202").run()
    assert not at.exception
    assert "19,421,274" in metric_help(at, "Parameters")
    at.selectbox(key="arch.depth").select("custom").run()
    at.number_input(key="arch.custom_depth").set_value(38).run()
    assert not at.exception
    assert "ResNet-38" in at.title[0].value


def test_invalid_custom_depth_shows_error_and_keeps_running() -> None:
    at = start()
    at.selectbox(key="arch.depth").select("custom").run()
    at.number_input(key="arch.custom_depth").set_value(51).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert "depth 51" in errors and "50, 53" in errors
    assert at.table, "the page keeps working on the last valid spec"


def test_invalid_blocks_text_and_input_size() -> None:
    at = start()
    at.selectbox(key="arch.depth").select("custom").run()
    at.text_input(key="arch.blocks").input("3,x,6").run()
    assert not at.exception and "3,x,6" in " ".join(e.value for e in at.error).replace("\\", "")
    at.text_input(key="arch.blocks").input("").run()
    at.text_input(key="arch.input").input("banana").run()
    assert not at.exception and "banana" in " ".join(e.value for e in at.error).replace("\\", "")


def test_link_reproduces_view() -> None:
    at = start(**{"arch.family": "cifar", "arch.depth": "110", "arch.shortcut": "B"})
    assert not at.exception
    assert "ResNet-110" in at.title[0].value
    expected = analyse(from_depth(110, family="cifar", shortcut="B")).params
    assert f"{expected:,}" in metric_help(at, "Parameters")


def test_bad_link_value_warns_and_falls_back() -> None:
    at = start(**{"arch.depth": "51", "arch.shortcut": "Z"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")  # shown escaped
    assert "arch.depth=51" in warnings and "arch.shortcut=Z" in warnings
    assert "ResNet-50" in at.title[0].value


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(page: str) -> None:
    at = start()
    at.switch_page(page).run()
    assert not at.exception, at.exception


def drawn_svg(at: AppTest) -> str:
    """The server-laid-out SVG inside the diagram viewer's frame."""
    return at.get("iframe")[0].proto.srcdoc


def test_diagram_levels_and_pair() -> None:
    at = start()
    at.switch_page("views/diagram.py").run()
    svgs = {}
    for level in ("stage", "block", "layer"):
        at.button_group(key="diagram.level").set_value(level).run()
        assert not at.exception
        svgs[level] = drawn_svg(at)
    assert svgs["stage"].count('class="node"') < svgs["block"].count('class="node"') \
        < svgs["layer"].count('class="node"')
    at.button_group(key="diagram.level").set_value("block").run()
    at.toggle(key="diagram.pair").set_value(True).run()
    assert not at.exception
    pair = drawn_svg(at)
    assert "plain" in pair and "residual" in pair


def test_tables_page_switches() -> None:
    at = start()
    at.switch_page("views/tables.py").run()
    assert not at.exception
    layers = at.dataframe[0].value
    assert len(layers) == len(analyse(from_depth(50)).layers)
    at.button_group(key="tables.unit").set_value("FLOPs").run()
    at.button_group(key="tables.convention").set_value("all").run()
    assert not at.exception
    for view, rows in (("blocks", len(analyse(from_depth(50)).blocks)), ("stages", 6)):
        at.button_group(key="tables.view").set_value(view).run()
        assert len(at.dataframe[0].value) == rows
        assert at.download_button(key=f"tables.{view}_csv")
    at.button_group(key="tables.view").set_value("charts").run()
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(figs) >= 5


def test_gradients_page_numbers_caption_and_sweep() -> None:
    at = start(**{"arch.family": "cifar", "arch.depth": "20"})
    at.switch_page("views/gradients.py").run()
    assert not at.exception, at.exception
    values = {m.label: m.value for m in at.metric}
    plain = values["plain: first / last"]
    residual = values["residual: first / last"]
    caption = next(m.value for m in at.markdown if "What this measurement shows" in m.value)
    # the caption is generated from the same numbers the metrics show
    assert plain.rstrip("×") in caption and residual.rstrip("×") in caption
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = {t.get("name") for t in fig["data"]}
    assert {"plain", "residual"} <= names
    at.radio(key="grad.metric").set_value("weight_grad").run()
    assert not at.exception
    at.button_group(key="grad.bn_mode").set_value("eval").run()
    assert not at.exception
    assert any("identity" in i.value for i in at.info)
    at.multiselect(key="grad.sweep_depths").set_value([20, 32]).run()
    at.button(key="grad.sweep_run").click().run()
    assert not at.exception
    sweep = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert sorted(sweep["data"][0]["x"]) == [20, 32]


# Every view widget of the Overview, Diagram and Tables pages: a non-default value in
# the link, how to read the widget back, and what it must show.
VIEW_LINKS: dict[str, dict[str, tuple[str, str, object]]] = {
    "views/overview.py": {"overview.unit": ("FLOPs", "button_group", "FLOPs")},
    "views/diagram.py": {
        "diagram.level": ("layer", "button_group", "layer"),
        "diagram.direction": ("horizontal", "button_group", "horizontal"),
        "diagram.costs": ("true", "toggle", True),
        "diagram.pair": ("true", "toggle", True),
    },
    "views/tables.py": {
        "tables.unit": ("FLOPs", "button_group", "FLOPs"),
        "tables.convention": ("all", "button_group", "all"),
        "tables.view": ("charts", "button_group", "charts"),
        "tables.tree_kind": ("sunburst", "button_group", "sunburst"),
    },
}
ANATOMY_LINK = {"diagram.view": ("block anatomy", "button_group", "block anatomy"),
                "diagram.anatomy_stage": ("conv4_x", "selectbox", "conv4_x"),
                "diagram.anatomy_first": ("false", "toggle", False)}


def _check_view_link(page: str, links: dict[str, tuple[str, str, object]]) -> AppTest:
    at = start(**{k: v for k, (v, _, _) in links.items()})
    at.switch_page(page).run()
    assert not at.exception, at.exception
    for key, (_, kind, expected) in links.items():
        widget = getattr(at, kind)(key=key)
        assert widget.value == expected, key
        assert widget.proto.query_param_key == key  # bound: changes go back into the link
    return at


@pytest.mark.parametrize("page", list(VIEW_LINKS))
def test_every_view_widget_round_trips_through_the_link(page: str) -> None:
    _check_view_link(page, VIEW_LINKS[page])


def test_anatomy_view_round_trips_through_the_link() -> None:
    at = _check_view_link("views/diagram.py", ANATOMY_LINK)
    assert "conv4_x (layer3.1)" in drawn_svg(at)  # a later block of stage 3


def test_percent_columns_share_one_format() -> None:
    at = start(**{"tables.view": "stages"})
    at.switch_page("views/tables.py").run()
    config = json.loads(at.dataframe[0].proto.columns)
    formats = {c: v.get("type_config", {}).get("format") for c, v in config.items()
               if c.endswith("%")}
    assert formats and set(formats.values()) == {"%.2f"}


def test_heavy_graph_downloads_wait_for_approval(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the heavy-node limit neither the drawing nor SVG/PNG/PDF run `dot` unasked."""
    from resnet_viz.ui import graphs

    monkeypatch.setattr(graphs, "HEAVY_NODE_LIMIT", 50)  # ResNet-18 at layer level: 71 nodes
    at = start(**{"diagram.level": "layer", "arch.depth": "18"})
    at.switch_page("views/diagram.py").run()
    keys = {b.key for b in at.download_button}
    assert "diagram.network.dl_dot" in keys
    assert not keys & {f"diagram.network.dl_{f}" for f in ("svg", "png", "pdf")}
    assert not at.get("iframe")
    at.button(key="diagram.network.heavy").click().run()
    assert not at.exception
    keys = {b.key for b in at.download_button}
    assert {f"diagram.network.dl_{f}" for f in ("svg", "png", "pdf")} <= keys
    assert "ResNet-18" in drawn_svg(at).replace("&#45;", "-")


def test_viewer_opens_at_a_readable_size() -> None:
    from resnet_viz.ui import graphs

    svg = '<svg width="3000pt" height="90pt" viewBox="0.00 0.00 3000.00 90.00"></svg>'
    assert graphs.svg_size(svg) == (4000.0, 120.0)
    assert graphs.viewer_height(svg) == 120 + graphs._VIEWER_CHROME  # a short wide graph
    tall = svg.replace("90.00", "9000.00")
    assert graphs.viewer_height(tall) == graphs.VIEWER_HEIGHT
    page = graphs.svg_viewer(svg, "note")
    assert f"const MIN_ZOOM = {graphs.MIN_ZOOM};" in page
    assert graphs.MIN_ZOOM * 10 * 4 / 3 >= 10  # 10 pt node text stays >= 10 px


@pytest.mark.parametrize("page", ["views/overview.py", "views/diagram.py", "views/tables.py"])
def test_every_page_explains_itself_and_offers_the_glossary(page: str) -> None:
    from resnet_viz.ui.help import GLOSSARY

    at = start()
    at.switch_page(page).run()
    assert at.get("popover"), "no glossary popover"
    texts = " ".join(m.value for m in at.markdown)
    assert all(f"**{term}**" in texts for term, _ in GLOSSARY)
    assert any(len(c.value) > 100 for c in at.caption)  # the page's own introduction

"""AppTest of the Export page: preview, styles, TikZ, the pack's preview and build."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from resnet_viz.export import pack
from tests.app import open_page

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def light_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Charts as HTML only (kaleido's images are tested in tests/export)."""
    real = pack.plan_pack
    monkeypatch.setattr(pack, "plan_pack",
                        lambda spec, **kw: real(spec, **{**kw, "plot_formats": ("html",)}))


def start(**query: str) -> AppTest:
    return open_page("views/export.py", timeout=180, **query)


def _buttons(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_figure_tab_preview_and_downloads(light_pack: None) -> None:
    at = start(**{"arch.depth": "18"})
    assert not at.exception
    assert at.title[0].value == "Export · ResNet-18"
    assert len(at.get("image")) >= 1  # the PNG preview
    labels = _buttons(at)
    for fmt in ("SVG", "PNG", "PDF", "DOT", "Standalone .tex", "\\input fragment"):
        assert fmt in labels
    code = at.code[0].value
    assert "ResNet-18" in code and "\\begin{tikzpicture}" in code


def test_style_and_level_switch(light_pack: None) -> None:
    at = start(**{"arch.depth": "18"})
    at.segmented_control(key="export.style").set_value("print").run()
    at.segmented_control(key="export.level").set_value("block").run()
    assert not at.exception
    assert not at.warning
    at.segmented_control(key="export.tikz_look").set_value("blocks").run()
    assert "layer1.0" in at.code[0].value  # block-level TikZ follows the level


def test_pack_preview_and_build(light_pack: None) -> None:
    at = start(**{"arch.depth": "18", "arch.shortcut": "D"})
    files = list(at.dataframe[0].value["file"])
    assert files[-1] == "README.md"
    assert any(f.startswith("tables/") for f in files)
    assert "Download ResNet-18_shortcut-D_variant-v1.5_teaching-pack.zip" not in _buttons(at)
    at.button(key="export.build_pack").click().run()
    assert not at.exception
    assert "Download ResNet-18_shortcut-D_variant-v1.5_teaching-pack.zip" in _buttons(at)


def test_too_large_png_preview_warns_and_page_keeps_running(light_pack: None) -> None:
    at = start(**{"arch.family": "cifar", "arch.depth": "1202"})
    at.segmented_control(key="export.level").set_value("layer").run()  # 4,210 nodes
    assert not at.exception
    assert any("no PNG" in i.value for i in at.info)
    png = next(b for b in at.get("download_button") if b.proto.label == "PNG")
    assert png.proto.disabled

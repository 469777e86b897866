"""The Compare page's figure as a file, and ``resnet-viz export --side-by-side``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from resnet_viz.arch.presets import from_depth
from resnet_viz.cli import main
from resnet_viz.export.compare import export_comparison
from resnet_viz.export.diagram import Style


def test_svg_holds_every_configuration_aligned() -> None:
    specs = [from_depth(18), from_depth(50)]
    e = export_comparison(specs, "svg", style=Style.PRINT)
    root = ET.fromstring(e.data)
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "ResNet-18 vs ResNet-50" in text and "basic → bottleneck" in text
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert {"c1_conv1", "c2_conv1", "c1_layer4", "c2_layer4"} <= set(titles)
    assert e.filename.startswith("compare_ResNet-18_shortcut-B_variant-v1.5_vs_ResNet-50")
    assert e.filename.endswith("_stage_print.svg")


def test_png_guard_and_counts() -> None:
    with pytest.raises(ValueError, match="2 to 4"):
        export_comparison([from_depth(18)], "svg")
    e = export_comparison([from_depth(18), from_depth(34)], "png", dpi=72)
    assert e.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["export", "--depth", "18,34,50", "--what", "diagram", "--side-by-side",
                 "--format", "dot", "-o", str(tmp_path)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "") and out.startswith("wrote ")
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and re.search(r"_vs_.*_vs_", files[0].name)
    dot = files[0].read_text()
    assert all(f"cluster_c{i}" in dot for i in (1, 2, 3))
    code = main(["export", "--depth", "18,34", "--what", "table", "--side-by-side",
                 "-o", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err.strip().count("\n") == 0

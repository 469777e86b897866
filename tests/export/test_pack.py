"""Tests for resnet_viz.export.pack: the README lists exactly the zip's files; the link."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import parse_qs

import pytest

from resnet_viz.analysis import analyse
from resnet_viz.arch.presets import from_depth, spec_from_choices
from resnet_viz.arch.spec import ResNetSpec, parse_blocks, parse_input_size
from resnet_viz.export.pack import build_pack, pack_filename, plan_pack, share_query


def _spec_from_query(query: str) -> ResNetSpec:
    """What the sidebar does with these keys (see resnet_viz/ui/sidebar.py)."""
    q = {k: v[0] for k, v in parse_qs(query).items()}
    depth = q["arch.depth"]
    return spec_from_choices(
        family=q["arch.family"], depth=None if depth == "custom" else int(depth),
        blocks=parse_blocks(q["arch.blocks"]) if "arch.blocks" in q else None,
        block=q["arch.block"], variant=q["arch.variant"], shortcut=q["arch.shortcut"],
        preact=q["arch.preact"] == "on", shortcuts=q["arch.shortcuts"] == "true",
        width_mult=float(q.get("arch.width_mult", 1.0)), groups=int(q.get("arch.groups", 1)),
        width_per_group=int(q.get("arch.width_per_group", 64)),
        num_classes=int(q["arch.classes"]) if "arch.classes" in q else None,
        input_size=parse_input_size(q["arch.input"]) if "arch.input" in q else None)


@pytest.mark.parametrize("spec", [
    from_depth(50), from_depth(18, shortcut="D"), from_depth(110, family="cifar"),
    from_depth(50, groups=32, width_per_group=4, variant="v1"),
    spec_from_choices(blocks=(1, 2, 3), block="basic", input_size=(160, 128), num_classes=7,
                      width_mult=0.5, shortcuts=False),
    from_depth(164, family="cifar")])
def test_share_query_round_trips(spec: ResNetSpec) -> None:
    assert _spec_from_query(share_query(spec)) == spec


def test_readme_lists_exactly_the_files() -> None:
    spec = from_depth(18)
    items = [it for it in plan_pack(spec) if not it.path.startswith("plots/")
             or it.path.endswith(".html")]  # kaleido images are covered in test_plots_export
    pack = build_pack(spec, items=items)
    zf = zipfile.ZipFile(io.BytesIO(pack.data))
    names = set(zf.namelist())
    assert names == set(pack.files)
    readme = zf.read("README.md").decode()
    listed = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.M))
    assert listed == names
    assert share_query(spec) in readme
    an = analyse(spec)
    assert f"{an.params:,}" in readme
    assert zf.testzip() is None
    assert pack.filename == pack_filename(spec) == \
        "ResNet-18_shortcut-B_variant-v1.5_teaching-pack.zip"


def test_plan_has_every_kind_of_file() -> None:
    paths = [it.path for it in plan_pack(from_depth(50))]
    assert len(paths) == len(set(paths))
    for ext in ("svg", "png", "pdf", "dot", "tex", "csv", "md", "html"):
        assert any(p.endswith("." + ext) for p in paths), ext
    assert {p.split("/")[0] for p in paths} == {"diagrams", "tikz", "tables", "plots"}


def test_progress_is_reported_and_can_stop() -> None:
    spec = from_depth(18)
    items = [it for it in plan_pack(spec) if it.path.startswith("tables/")]
    seen: list[tuple[int, int]] = []
    build_pack(spec, items=items, progress=lambda d, t, _m: seen.append((d, t)))
    assert seen[-1] == (len(items), len(items))

    def stop(done: int, _total: int, _msg: str) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_pack(spec, items=items, progress=stop)


@pytest.mark.slow
def test_full_pack_with_images() -> None:
    pack = build_pack(from_depth(18))
    zf = zipfile.ZipFile(io.BytesIO(pack.data))
    readme = zf.read("README.md").decode()
    assert set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.M)) == set(zf.namelist())
    assert any(n.endswith(".png") and n.startswith("plots/") for n in zf.namelist())

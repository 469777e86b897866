"""The what-changed diff and its generated sentences."""

from __future__ import annotations

import pytest

from resnet_viz.analysis import analyse, memory
from resnet_viz.analysis.compare import change, column_labels, compare
from resnet_viz.arch.presets import from_depth
from resnet_viz.fmt import fmt_count


def test_34_to_50_names_block_kind_and_channel_factor() -> None:
    a34, a50 = analyse(from_depth(34)), analyse(from_depth(50))
    (sentence,) = compare([a34.spec, a50.spec]).sentences
    assert sentence.startswith("ResNet-34 → ResNet-50: ")
    assert "basic → bottleneck blocks" in sentence
    assert "stage outputs ×4 channels (512 → 2048 at conv5_x)" in sentence
    pct = round(100 * (a50.params / a34.params - 1))
    assert (f"params +{pct}% ({fmt_count(a34.params, digits=1)} → "
            f"{fmt_count(a50.params, digits=1)})") in sentence
    assert f"MACs +{round(100 * (a50.macs / a34.macs - 1))}%" in sentence


def test_a_to_b_names_the_projection_parameters_added() -> None:
    specs = [from_depth(34, shortcut=s) for s in "AB"]
    ans = [analyse(s) for s in specs]
    added = ans[1].params - ans[0].params  # B adds exactly the projection convs + their BN
    proj = sum(r.params for r in ans[1].layers if r.path == "shortcut")
    assert added == proj > 0
    (sentence,) = compare(specs).sentences
    assert (f"shortcut A → B: +{fmt_count(proj, digits=1)} projection parameters "
            "(0 → 3 projected shortcuts)") in sentence


def test_cells_flag_changes_and_ratios_against_the_previous_column() -> None:
    specs = [from_depth(d) for d in (18, 34, 34)]
    comp = compare(specs)
    params = comp.row("params")
    ans = [analyse(s) for s in specs]
    assert [c.value for c in params.cells] == [a.params for a in ans]
    assert [c.changed for c in params.cells] == [False, True, False]
    assert params.cells[1].ratio == pytest.approx(ans[1].params / ans[0].params)
    assert params.cells[2].ratio is None
    assert comp.row("conv1.params").changed is False  # the stem is the same in both
    mem = comp.row("activation_memory").cells
    assert [c.value for c in mem] == [memory(a).training for a in ans]
    assert comp.labels == ("ResNet-18", "ResNet-34", "ResNet-34 #2")


def test_stage_counts_differ_between_families() -> None:
    comp = compare([from_depth(20, family="cifar"), from_depth(18)])
    row = comp.row("conv5_x.params")
    assert row.cells[0].value is None and row.cells[0].text == "—"
    assert row.cells[1].value == analyse(from_depth(18)).stage_rows[3].params
    assert "cifar → imagenet family" in comp.sentences[0]


def test_labels_tell_equal_names_apart() -> None:
    specs = [from_depth(50, variant=v) for v in ("v1", "v1.5")]
    assert column_labels(specs) == ("ResNet-50 (v1)", "ResNet-50 (v1.5)")
    (sentence,) = compare(specs).sentences
    assert "stride placement v1 → v1.5" in sentence and "params unchanged" in sentence


def test_change_wording() -> None:
    assert change(100, 117) == "+17% (100 → 117)"
    assert change(1000, 1004) == "+0.4% (1.0 k → 1.0 k)"
    assert change(10, 52).startswith("×5.2")
    assert change(5, 5) == "unchanged (5)"


@pytest.mark.parametrize("n", [1, 5])
def test_wrong_number_of_configurations(n: int) -> None:
    with pytest.raises(ValueError, match="2 to 4 configurations"):
        compare([from_depth(18)] * n)


def test_analyses_must_match() -> None:
    with pytest.raises(ValueError, match="analyse"):
        compare([from_depth(18), from_depth(34)], analyses=[analyse(from_depth(34))] * 2)

"""Tables equal the analysis, the paper column is labelled and never computed, torchinfo agrees."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from resnet_viz.analysis import Analysis, analyse
from resnet_viz.arch import paper
from resnet_viz.arch.paper import PAPER_FLOPS
from resnet_viz.arch.presets import from_depth
from resnet_viz.model.build import build
from resnet_viz.render import tables
from resnet_viz.render.tables import PAPER_COLUMN, Convention, CostUnit


# ----------------------------------------------------------------------------- conventions
def test_cost_rules() -> None:
    assert tables.cost(10, 3, unit=CostUnit.MACS, convention=Convention.CONV_LINEAR) == 10
    assert tables.cost(10, 3, unit=CostUnit.FLOPS, convention=Convention.CONV_LINEAR) == 20
    assert tables.cost(10, 3, unit=CostUnit.MACS, convention=Convention.ALL_OPS) == 13
    assert tables.cost(10, 3, unit=CostUnit.FLOPS, convention=Convention.ALL_OPS) == 23
    assert tables.cost(10, 3, unit="FLOPs", convention="all") == 23  # plain strings work
    assert tables.cost_label("FLOPs", "all") == "FLOPs (all ops)"
    assert tables.cost_label() == "MACs"


def test_flops_are_twice_macs_and_all_ops_count_more(r50: Analysis) -> None:
    macs = tables.table1(r50, unit=CostUnit.MACS)["MACs"]
    flops = tables.table1(r50, unit=CostUnit.FLOPS)["FLOPs"]
    assert (flops == 2 * macs).all()
    allops = tables.table1(r50, unit=CostUnit.MACS, convention=Convention.ALL_OPS)
    assert (allops["MACs (all ops)"] > macs).all()
    assert allops["MACs (all ops)"].iloc[-1] == r50.macs + sum(r50.ops_by_type().values())


# ----------------------------------------------------------------------------- Table 1
def test_table1_equals_analysis(r50: Analysis) -> None:
    df = tables.table1(r50, paper=False)
    assert list(df["layer name"]) == ["conv1", "conv2_x", "conv3_x", "conv4_x", "conv5_x", "fc",
                                      "total"]
    assert list(df["output size"][:6]) == ["64×112×112", "256×56×56", "512×28×28",
                                           "1024×14×14", "2048×7×7", "1000"]
    body, total = df.iloc[:-1], df.iloc[-1]
    assert body["params"].sum() == r50.params == total["params"] == 25_557_032
    assert body["MACs"].sum() == r50.macs == total["MACs"]
    assert list(body["params"]) == [s.params for s in r50.rows]
    assert body["params"].dtype.kind == "i" and PAPER_COLUMN not in df


@pytest.mark.parametrize("depth", sorted(PAPER_FLOPS))
def test_paper_column_for_standard_imagenet(depth: int) -> None:
    an = analyse(from_depth(depth))
    df = tables.table1(an, unit=CostUnit.MACS)
    published = df[PAPER_COLUMN]
    assert published.isna().sum() == len(df) - 1  # only the total row holds it
    assert published.iloc[-1] == int(PAPER_FLOPS[depth])
    assert df["MACs"].iloc[-1] == an.macs != published.iloc[-1]  # computed, never the paper's
    assert paper.paper_flops(an.spec) == int(PAPER_FLOPS[depth])


@pytest.mark.parametrize("spec", [
    from_depth(56, family="cifar"), from_depth(200), from_depth(26),
    from_depth(50, input_size=(160, 160)), from_depth(50, num_classes=10),
    from_depth(50, width_mult=2), from_depth(50, groups=32, width_per_group=4),
    from_depth(50, shortcut="C"), from_depth(34, shortcuts=False), from_depth(50, preact=True),
], ids=lambda s: s.name)
def test_no_paper_column_for_other_configs(spec: object) -> None:
    an = analyse(spec)  # type: ignore[arg-type]
    assert PAPER_COLUMN not in tables.table1(an)
    assert paper.paper_flops(an.spec) is None
    note = tables.paper_note(an.spec, an)
    assert "no published number" in note


def test_paper_note_explains_the_difference(r50: Analysis) -> None:
    note = tables.paper_note(r50.spec, r50)
    assert "3.8×10⁹" in note and "multiply-adds" in note and "0.1×10⁹" in note
    assert f"{r50.macs:,}" in note and f"{r50.macs / 3.8e9:.3f}×" in note
    assert "v1.5" in note  # analysis.stride_note
    v1 = analyse(from_depth(50, variant="v1"))
    assert "v1 (the paper's layout)" in tables.paper_note(v1.spec, v1)
    r18 = analyse(from_depth(18))
    assert "rounds to the published value" in tables.paper_note(r18.spec, r18)
    odd = from_depth(50, input_size=(160, 160))
    assert "input 160×160" in tables.paper_note(odd, analyse(odd))


# ----------------------------------------------------------------------------- layers
def test_layer_table_equals_analysis(r50: Analysis) -> None:
    df = tables.layer_table(r50, unit=CostUnit.FLOPS, batch=8, dtype_bytes=2)
    assert len(df) == len(r50.layers)
    assert list(df["name"]) == [r.name for r in r50.layers]
    assert df["params"].sum() == r50.params
    assert df["FLOPs"].sum() == r50.flops
    assert df["receptive field"].max() == r50.receptive_field
    assert pd.isna(df["block"].iloc[0]) and df["block"].iloc[4] == 0
    conv1 = df.iloc[0]
    assert (conv1["input"], conv1["output"], conv1["kernel/stride"]) == \
        ("3×224×224", "64×112×112", "7×7/2")
    assert conv1["activation (bytes)"] == 64 * 112 * 112 * 8 * 2
    flat = df[df["type"] == "Flatten"]
    assert (flat["activation (bytes)"] == 0).all()  # a view
    assert "match" not in df


@pytest.mark.parametrize("spec", [
    from_depth(18), from_depth(50), from_depth(20, family="cifar"),
    from_depth(164, family="cifar"),
], ids=lambda s: s.name)
def test_torchinfo_join_matches(spec: object) -> None:
    an = analyse(spec)  # type: ignore[arg-type]
    # a meta-device model works too (shapes only, no arithmetic)
    model = build(an.spec, device="meta" if an.spec.depth == 50 else "cpu")
    df = tables.layer_table(an, model=model)
    assert df["match"].all(), df.loc[~df["match"], ["name", "params", "params (torchinfo)",
                                                     "output", "output (torchinfo)"]]
    assert (df["params (torchinfo)"] == df["params"]).all()
    assert (df["output (torchinfo)"] == df["output"]).all()
    assert model.training  # torchinfo's eval() is undone


def test_torchinfo_join_flags_a_mismatch() -> None:
    an = analyse(from_depth(20, family="cifar"))
    other = build(from_depth(20, family="cifar", num_classes=100))
    df = tables.layer_table(an, model=other).set_index("name")
    assert not df.loc["fc", "match"] and df.loc["fc", "params (torchinfo)"] == 64 * 100 + 100
    assert df.drop(index="fc")["match"].all()


def test_torchinfo_does_not_move_or_keep_the_model() -> None:
    import torchinfo

    model = build(from_depth(20, family="cifar"), dtype=torch.float64)
    names = tables.torchinfo_layers(model, (3, 32, 32))
    assert names["layer1.0.conv1"] == (16 * 16 * 9, (16, 32, 32))
    assert next(model.parameters()).dtype == torch.float64
    assert not torchinfo.torchinfo._cached_forward_pass  # cleared: the model can be freed


def test_layer_table_for_cifar_1202(cifar1202: Analysis) -> None:
    df = tables.layer_table(cifar1202, convention=Convention.ALL_OPS)
    assert len(df) == len(cifar1202.layers) > 4000
    assert df["params"].sum() == cifar1202.params


# ----------------------------------------------------------------------------- aggregates
def test_block_table(r50: Analysis) -> None:
    df = tables.block_table(r50, unit=CostUnit.FLOPS)
    assert len(df) == 16 and df["block"].iloc[0] == "layer1.0"
    assert list(df["params"]) == [b.params for b in r50.blocks]
    assert list(df["FLOPs"]) == [2 * b.macs for b in r50.blocks]
    assert list(df["shortcut"][:2]) == ["projection", "identity"]
    assert list(df["stage"].unique()) == ["conv2_x", "conv3_x", "conv4_x", "conv5_x"]
    stem_head = sum(s.params for s in r50.rows if s.module in ("stem", "head"))
    assert df["params"].sum() + stem_head == r50.params
    assert df["params %"].sum() == pytest.approx(100 * (r50.params - stem_head) / r50.params)


def test_stage_table(r50: Analysis) -> None:
    df = tables.stage_table(r50, convention=Convention.ALL_OPS)
    assert df["params"].sum() == r50.params
    assert df["MACs (all ops)"].sum() == r50.macs + sum(r50.ops_by_type().values())
    assert df["params %"].sum() == pytest.approx(100)
    assert df["cost %"].sum() == pytest.approx(100)
    assert df["shortcut"].iloc[1] == "1× projection, 2× identity"
    assert list(df["output"][[0, 4, 5]]) == ["64×112×112", "2048×7×7", "1000"]

"""Tables & charts: per-layer / block / stage tables (torchinfo joined) and plotly charts."""

import streamlit as st

from resnet_viz.render import charts, tables
from resnet_viz.ui import components
from resnet_viz.ui.cache import cached_analysis, cached_layer_table
from resnet_viz.ui.state import page_header, selection

sel = selection()
spec, run = sel.spec, sel.run
page_header("Tables & charts", sel)
an = cached_analysis(spec)

c1, c2 = st.columns(2)
unit = tables.CostUnit(c1.segmented_control(
    "Cost unit", list(tables.CostUnit), default=tables.CostUnit.MACS, key="tables.unit",
    required=True, help="FLOPs = 2 × MACs"))
convention = tables.Convention(c2.segmented_control(
    "Count", list(tables.Convention), default=tables.Convention.CONV_LINEAR,
    key="tables.convention", required=True,
    format_func=lambda c: "conv + linear" if c == tables.Convention.CONV_LINEAR
    else "+ BN / ReLU / pool / add",
    help="conv + linear is torchvision's and the paper's convention; the other adds "
         "BatchNorm (2/elem), ReLU (1/elem), pooling (k²/output) and shortcut adds (1/elem)"))

layer_tab, block_tab, stage_tab, chart_tab = st.tabs(
    ["Layers", "Blocks", "Stages", "Charts"])
with layer_tab:
    df = cached_layer_table(spec, run.device, unit, convention, run.batch, run.dtype_bytes)
    st.caption(f"{len(df):,} layers. Analysis columns joined with torchinfo's summary of the "
               "live torch model; the match column compares their parameters and shapes.")
    st.dataframe(df, hide_index=True, key="tables.layers", placeholder="", height=520,
                 column_config=components.number_columns(df))
    st.download_button("CSV", df.to_csv(index=False), f"{spec.name}-layers.csv", "text/csv",
                       key="tables.layers_csv")
with block_tab:
    bdf = tables.block_table(an, unit=unit, convention=convention)
    st.dataframe(bdf, hide_index=True, key="tables.blocks", placeholder="",
                 column_config=components.number_columns(bdf))
with stage_tab:
    sdf = tables.stage_table(an, unit=unit, convention=convention)
    st.dataframe(sdf, hide_index=True, key="tables.stages", placeholder="",
                 column_config=components.number_columns(sdf))
with chart_tab:
    st.plotly_chart(charts.params_macs_by_stage(an, unit=unit, convention=convention),
                    key="tables.chart_cost")
    kind = st.segmented_control("Parameter breakdown", ["treemap", "sunburst"],
                                default="treemap", key="tables.tree_kind", required=True)
    st.plotly_chart(charts.params_treemap(an, kind=kind), key="tables.chart_tree")
    st.plotly_chart(charts.shape_by_stage(an), key="tables.chart_shape")
    st.plotly_chart(charts.receptive_field(an), key="tables.chart_rf")
    st.plotly_chart(charts.memory_by_stage(an, batch=run.batch, dtype_bytes=run.dtype_bytes),
                    key="tables.chart_mem")

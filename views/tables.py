"""Tables & charts: per-layer / block / stage tables (torchinfo joined) and plotly charts."""

import streamlit as st

from resnet_viz.render import charts, tables
from resnet_viz.ui import components
from resnet_viz.ui.cache import cached_analysis, cached_layer_table
from resnet_viz.ui.help import Page, page_help
from resnet_viz.ui.state import page_header, selection

LAYERS, BLOCKS, STAGES, CHARTS = "layers", "blocks", "stages", "charts"

sel = selection()
spec, run = sel.spec, sel.run
page_header("Tables & charts", sel)
page_help(Page.TABLES)
an = cached_analysis(spec)

c1, c2 = st.columns(2)
unit = tables.CostUnit(c1.segmented_control(
    "Cost unit", list(tables.CostUnit), default=tables.CostUnit.MACS, key="tables.unit",
    required=True, help="FLOPs = 2 × MACs", bind="query-params"))
convention = tables.Convention(c2.segmented_control(
    "Count", [c.value for c in tables.Convention], default=tables.Convention.CONV_LINEAR.value,
    key="tables.convention", required=True, bind="query-params",
    help="conv+linear: convolutions and the classifier only (torchvision's and the paper's "
         "convention); all: also BatchNorm (2/elem), ReLU (1/elem), pooling (k²/output) and "
         "shortcut adds (1/elem)"))

# A bound segmented control rather than st.tabs, so the link keeps the chosen table.
view = st.segmented_control("Show", [LAYERS, BLOCKS, STAGES, CHARTS], default=LAYERS,
                            key="tables.view", required=True, bind="query-params")
if view == LAYERS:
    df = cached_layer_table(spec, run.device, unit, convention, run.batch, run.dtype_bytes)
    st.caption(f"{len(df):,} layers. Analysis columns joined with torchinfo's summary of the "
               "live torch model; the match column compares their parameters and shapes.")
    st.dataframe(df, hide_index=True, key="tables.layers", placeholder="", height=520,
                 column_config=components.number_columns(df))
    components.csv_download(df, key="tables.layers_csv", file_stem=f"{spec.name}-layers",
                             what="layers")
elif view == BLOCKS:
    bdf = tables.block_table(an, unit=unit, convention=convention)
    st.dataframe(bdf, hide_index=True, key="tables.blocks", placeholder="",
                 column_config=components.number_columns(bdf))
    components.csv_download(bdf, key="tables.blocks_csv", file_stem=f"{spec.name}-blocks",
                             what="blocks")
elif view == STAGES:
    sdf = tables.stage_table(an, unit=unit, convention=convention)
    st.dataframe(sdf, hide_index=True, key="tables.stages", placeholder="",
                 column_config=components.number_columns(sdf))
    components.csv_download(sdf, key="tables.stages_csv", file_stem=f"{spec.name}-stages",
                             what="stages")
else:
    st.plotly_chart(charts.params_macs_by_stage(an, unit=unit, convention=convention),
                    key="tables.chart_cost")
    kind = st.segmented_control("Parameter breakdown", ["treemap", "sunburst"],
                                default="treemap", key="tables.tree_kind", required=True,
                                bind="query-params")
    st.plotly_chart(charts.params_treemap(an, kind=kind), key="tables.chart_tree")
    st.plotly_chart(charts.shape_by_stage(an), key="tables.chart_shape")
    st.plotly_chart(charts.receptive_field(an), key="tables.chart_rf")
    st.plotly_chart(charts.memory_by_stage(an, batch=run.batch, dtype_bytes=run.dtype_bytes),
                    key="tables.chart_mem")

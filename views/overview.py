"""Overview: headline numbers, the live build, and the paper's Table 1 for this config."""

import streamlit as st

from resnet_viz.render import tables
from resnet_viz.ui import components
from resnet_viz.ui.cache import cached_analysis, cached_memory
from resnet_viz.ui.help import Page, page_help
from resnet_viz.ui.state import page_header, selection

sel = selection()
spec, run = sel.spec, sel.run
page_header("Overview", sel)
page_help(Page.OVERVIEW)
an = cached_analysis(spec)
mem = cached_memory(spec, run.batch, run.dtype_bytes)
st.caption(components.describe(spec))

components.headline_metrics(an, mem, run)
components.live_build(spec, run, an.params)

st.subheader("Table 1 for this configuration")
unit = st.segmented_control("Cost", list(tables.CostUnit), default=tables.CostUnit.MACS,
                            key="overview.unit", required=True, bind="query-params")
df = tables.table1(an, unit=tables.CostUnit(unit), convention=tables.Convention.CONV_LINEAR)
# A static table wraps its text, so every column stays readable on a narrow (projector)
# screen, where a data grid would cut the columns off; it has 7 or 8 rows.
st.table(components.readable(df), border="horizontal")
components.csv_download(df, key="overview.table1_csv", file_stem=f"{spec.name}-table1",
                          what="Table 1")
note = tables.paper_note(spec, an)
if note:
    st.info(note)
st.caption("Every number is computed from the architecture and cross-checked in the test "
           "suite against the built torch model (parameters: sum of numel; shapes: a forward "
           "pass; MACs: torch's FlopCounterMode / 2). The paper column is the published "
           "figure, shown for reference only.")

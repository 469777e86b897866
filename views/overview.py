"""Overview: headline numbers, the live build, and the paper's Table 1 for this config."""

import streamlit as st

from resnet_viz.render import tables
from resnet_viz.ui import components
from resnet_viz.ui.cache import cached_analysis, cached_memory
from resnet_viz.ui.state import page_header, selection

sel = selection()
spec, run = sel.spec, sel.run
page_header("Overview", sel)
an = cached_analysis(spec)
mem = cached_memory(spec, run.batch, run.dtype_bytes)
st.caption(components.describe(spec))

components.headline_metrics(an, mem, run)
components.live_build(spec, run, an.params)

st.subheader("Table 1 for this configuration")
unit = st.segmented_control("Cost", list(tables.CostUnit), default=tables.CostUnit.MACS,
                            key="overview.unit", required=True)
df = tables.table1(an, unit=tables.CostUnit(unit), convention=tables.Convention.CONV_LINEAR)
st.dataframe(df, hide_index=True, key="overview.table1", placeholder="",
             column_config=components.number_columns(df))
note = tables.paper_note(spec, an)
if note:
    st.info(note)
st.caption("Every number is computed from the architecture and cross-checked in the test "
           "suite against the built torch model (parameters: sum of numel; shapes: a forward "
           "pass; MACs: torch's FlopCounterMode / 2). The paper column is the published "
           "figure, shown for reference only.")

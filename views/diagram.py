"""Diagram: the network at stage / block / layer level, plain-vs-residual, block anatomy."""

import streamlit as st

from resnet_viz.render import diagram
from resnet_viz.ui import graphs
from resnet_viz.ui.help import Page, page_help
from resnet_viz.ui.state import page_header, selection

NETWORK, ANATOMY = "network", "block anatomy"

sel = selection()
spec = sel.spec
page_header("Diagram", sel)
page_help(Page.DIAGRAM)

# A bound segmented control rather than st.tabs, so the link keeps the chosen view.
view = st.segmented_control("View", [NETWORK, ANATOMY], default=NETWORK, key="diagram.view",
                            required=True, bind="query-params", label_visibility="collapsed")
if view == NETWORK:
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    level = c1.segmented_control("Level", [str(lv) for lv in diagram.Level],
                                 default=diagram.Level.STAGE.value, key="diagram.level",
                                 required=True, bind="query-params")
    direction = c2.segmented_control("Layout", ["vertical", "horizontal"], default="vertical",
                                     key="diagram.direction", required=True,
                                     bind="query-params")
    costs = c3.toggle("Params / MACs in nodes", key="diagram.costs", bind="query-params")
    pair = c4.toggle("Plain vs residual", key="diagram.pair", bind="query-params",
                     help="the same network with and without shortcuts, side by side "
                          "(the paper's Fig. 3)")
    rankdir = (diagram.Direction.VERTICAL if direction == "vertical"
               else diagram.Direction.HORIZONTAL)
    dot = graphs.network_dot(spec, diagram.Level(level), rankdir, costs, pair)
    stem = f"{spec.name}-{level}" + ("-pair" if pair else "")
    graphs.show(dot, key="diagram.network", file_stem=stem,
                alt=f"{spec.name}, {level} level" + (", plain vs residual" if pair else ""))
else:
    names = [st_.paper_name for st_ in spec.stages]
    a1, a2 = st.columns([2, 3], vertical_alignment="bottom")
    chosen = a1.selectbox("Stage", names, key="diagram.anatomy_stage", bind="query-params")
    stage = names.index(chosen) + 1
    first = a2.toggle("First block of the stage (where the shape changes)", value=True,
                      key="diagram.anatomy_first", bind="query-params")
    st.caption("The chosen stage's block drawn layer by layer with its real shapes and the "
               "chosen shortcut option — basic and bottleneck side by side, as in the "
               "paper's Fig. 5.")
    graphs.show(graphs.anatomy_dot(spec, stage, first), key="diagram.anatomy",
                file_stem=f"{spec.name}-anatomy-stage{stage}",
                alt=f"block anatomy of {names[stage - 1]}, basic and bottleneck")

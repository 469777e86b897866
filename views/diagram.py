"""Diagram: the network at stage / block / layer level, plain-vs-residual, block anatomy."""

import streamlit as st

from resnet_viz.render import diagram
from resnet_viz.ui import graphs
from resnet_viz.ui.state import page_header, selection

sel = selection()
spec = sel.spec
page_header("Diagram", sel)

net_tab, anatomy_tab = st.tabs(["Network", "Block anatomy"])
with net_tab:
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    level = c1.segmented_control("Level", list(diagram.Level), default=diagram.Level.STAGE,
                                 key="diagram.level", required=True,
                                 format_func=lambda x: str(x).capitalize())
    direction = c2.segmented_control(
        "Layout", list(diagram.Direction), default=diagram.Direction.VERTICAL,
        key="diagram.direction", required=True,
        format_func=lambda d: "vertical" if d == diagram.Direction.VERTICAL else "horizontal")
    costs = c3.toggle("Params / MACs in nodes", key="diagram.costs")
    pair = c4.toggle("Plain vs residual", key="diagram.pair",
                     help="the same network with and without shortcuts, side by side "
                          "(the paper's Fig. 3)")
    dot = graphs.network_dot(spec, diagram.Level(level), diagram.Direction(direction),
                             costs, pair)
    stem = f"{spec.name}-{level}" + ("-pair" if pair else "")
    graphs.show(dot, key="diagram.network", file_stem=stem,
                alt=f"{spec.name}, {level} level" + (", plain vs residual" if pair else ""))
with anatomy_tab:
    names = [f"{st_.paper_name} (stage {st_.index})" for st_ in spec.stages]
    a1, a2 = st.columns([2, 3], vertical_alignment="bottom")
    stage = a1.selectbox("Stage", range(1, len(spec.stages) + 1), key="diagram.anatomy_stage",
                         format_func=lambda i: names[i - 1])
    first = a2.toggle("First block of the stage (where the shape changes)", value=True,
                      key="diagram.anatomy_first")
    st.caption("The chosen stage's block drawn layer by layer with its real shapes and the "
               "chosen shortcut option — basic and bottleneck side by side, as in the "
               "paper's Fig. 5.")
    graphs.show(graphs.anatomy_dot(spec, stage, first), key="diagram.anatomy",
                file_stem=f"{spec.name}-anatomy-stage{stage}",
                alt=f"block anatomy of {names[stage - 1]}, basic and bottleneck")

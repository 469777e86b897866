"""Gradients: measured gradient magnitudes with and without shortcuts, on the same weights."""

import streamlit as st

from resnet_viz.arch.dtypes import CPU_DTYPES
from resnet_viz.arch.presets import SWEEP_DEFAULT, SWEEP_DEPTHS
from resnet_viz.arch.spec import Family
from resnet_viz.probes import gradients
from resnet_viz.probes.gradients import Metric, Net
from resnet_viz.render import diagram, gradient_charts
from resnet_viz.ui import probes
from resnet_viz.ui.state import page_header, selection

sel = selection()
spec = sel.spec
page_header("Gradients", sel)
st.caption("The residual net and its plain twin share every weight; each runs one forward and "
           "one backward pass on the same batch with random labels from a fixed seed. Every "
           "number and sentence below comes from that measurement.")

imagenet = spec.family is Family.IMAGENET
with st.expander("Probe options", expanded=False):
    c1, c2, c3, c4 = st.columns(4)
    bn_mode = c1.segmented_control("BatchNorm", list(gradients.BNMode), default="train",
                                   key="grad.bn_mode", required=True,
                                   help="train: batch statistics; eval: running statistics, "
                                        "which at initialisation make every BN the identity")
    loss = c2.segmented_control("Loss", list(gradients.LossKind), default="ce",
                                key="grad.loss", required=True,
                                format_func=lambda x: "cross-entropy" if x == "ce"
                                else "sum of logits")
    input_kind = c3.segmented_control("Input", list(gradients.InputKind), default="normal",
                                      key="grad.input", required=True,
                                      help="random normal noise, or bundled photographs")
    dtype = c4.selectbox("dtype", list(CPU_DTYPES), key="grad.dtype")
    c5, c6, c7 = st.columns(3)
    batch = c5.number_input("Batch", 2, 256, 8 if imagenet else 32, key="grad.batch")
    seeds = c6.slider("Seeds", 1, 8, 3, key="grad.seeds", help="mean line and min-max band")
    size_opts = [32, 64, 112, 160, 224] if imagenet else [spec.input_size[0]]
    size = c7.selectbox("Input size", size_opts, index=1 if imagenet else 0, key="grad.size",
                        help="ImageNet nets are probed at a reduced input to stay interactive")
if bn_mode == "eval":
    st.info("BatchNorm in eval mode uses its running statistics, which at initialisation "
            "(mean 0, variance 1) make every BN layer the identity.", icon=":material/info:")

try:
    config = gradients.ProbeConfig(bn_mode=bn_mode, batch=int(batch), seeds=int(seeds),
                                   loss=loss, device=sel.run.device, dtype=dtype,
                                   input_kind=input_kind, input_size=(size, size))
    update, done = probes.progress_bar(f"Probing {spec.name}")
    report = probes.cached_probe(spec, config, update)
    done()
except ValueError as exc:
    st.error(str(exc))
    st.stop()

m1, m2 = st.columns([1, 3])
metric = Metric(m1.radio("Quantity", list(Metric), index=1, key="grad.metric",
                         format_func=gradient_charts.METRIC_LABELS.__getitem__))
level = m1.radio("Resolution", ["block", "layer"], key="grad.level", horizontal=True)
summary = gradients.summarise(report, metric)
for net, ratio in ((Net.PLAIN, summary.plain), (Net.RESIDUAL, summary.residual)):
    m1.metric(f"{net}: first / last", gradients.fmt_factor(ratio.value) + "×",
              help=f"geometric mean over seeds; seeds {ratio.lo:.3g} to {ratio.hi:.3g}")
    m1.metric(f"{net}: per layer", f"×{ratio.per_layer:.3f}",
              help=f"geometric mean growth over {ratio.layers} weighted layers")
m2.plotly_chart(gradient_charts.profile_figure(report, metric=metric, level=level),
                key="grad.profile")
m2.markdown(f"**What this measurement shows.** {summary.caption}")

ratio_tab, overlay_tab, sweep_tab = st.tabs(["Residual ratio", "Diagram overlay", "Depth sweep"])
with ratio_tab:
    st.plotly_chart(gradient_charts.residual_ratio_figure(report), key="grad.ratio")
    st.markdown(gradients.residual_ratio_caption(report))
with overlay_tab:
    st.caption(f"Blocks coloured by {gradient_charts.METRIC_LABELS[metric]} (seed mean); "
               "both networks share one colour scale.")
    values = {net: dict(zip(report.net(net).blocks, report.net(net).metric(metric).mean,
                            strict=True)) for net in Net}
    st.graphviz_chart(diagram.pair_dot(
        report.spec, level=diagram.Level.BLOCK, plain_overlay=values[Net.PLAIN],
        residual_overlay=values[Net.RESIDUAL],
        overlay_label=gradient_charts.METRIC_LABELS[metric]), width="content")
with sweep_tab:
    standard, default = SWEEP_DEPTHS[spec.family], list(SWEEP_DEFAULT[spec.family])
    depths = st.multiselect("Depths", standard, default=default, key="grad.sweep_depths")
    if st.button("Run sweep", key="grad.sweep_run", type="primary") or st.session_state.get(
            "grad.sweep_done") == (tuple(depths), config):
        try:
            update, done = probes.progress_bar("Sweep")
            sw = probes.cached_sweep(tuple(sorted(depths)), spec.family, metric, config, update)
            done()
        except ValueError as exc:
            st.error(str(exc))
        else:
            st.session_state["grad.sweep_done"] = (tuple(depths), config)
            st.plotly_chart(gradient_charts.sweep_figure(sw), key="grad.sweep")
            st.markdown(gradients.sweep_caption(sw))

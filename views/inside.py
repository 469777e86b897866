"""Inside: what each stage extracts from a real image, and where the network looks."""

import streamlit as st

from resnet_viz.probes.inside import attributions as attr
from resnet_viz.probes.inside.features import MAX_TOP_K
from resnet_viz.render import inside_charts as charts
from resnet_viz.ui import inside
from resnet_viz.ui.help import Page, page_help
from resnet_viz.ui.state import page_header, selection

sel = selection()
page_header("Inside", sel)
page_help(Page.INSIDE)
st.caption("One image through the network and through its plain twin (the same weights with "
           "every shortcut removed). Feature maps are recorded with captum's LayerActivation, "
           "attributions with captum's LayerGradCam and IntegratedGradients, on the CPU.")

top = st.columns([1, 2])
with top[0]:
    spec = inside.page_spec(sel.spec)
with top[1]:
    weights = inside.pick_weights(spec)
if weights is not None and weights.spec is not None:  # a Lab net: its own spec and digits
    spec = weights.spec
    st.caption(inside.LAB_IMAGE_NOTE)
    picked = inside.pick_digit()
else:
    picked = inside.pick_image(spec)
if weights is None or picked is None:
    st.stop()
img, ikey = picked

st.info(f"Weights in use: {weights.label}.", icon=":material/memory:")
if not weights.real:
    st.warning(inside.UNTRAINED_NOTE, icon=":material/warning:")
if weights.spec is None:  # the digits are the Lab's, standardised by its training images
    with st.expander("Preprocessing, step by step", expanded=False):
        inside.show_preprocessing(img)

o1, o2 = st.columns(2)
top_k = o1.slider("Channels per layer (top by energy)", 1, min(16, MAX_TOP_K), 8,
                  key="inside.top_k")
per_block = o2.toggle("Every block (not only each stage's output)", key="inside.blocks")
try:
    res, plain = inside.run_features(weights, img, ikey, top_k, per_block)
except ValueError as exc:
    st.error("The image could not go through the network:", icon=":material/error:")
    st.text(str(exc))
    st.stop()

names = inside.class_names(spec, weights)
preds = inside.predictions_table(res.logits, names)
p1, p2 = st.columns([2, 1])
p1.dataframe(preds, hide_index=True, key="inside.top5",
             column_config={"probability": st.column_config.ProgressColumn(
                 "probability", format="percent", min_value=0.0, max_value=1.0)})
options = [int(c) for c in preds["class"]]
target = p2.selectbox("Explain class", options, key="inside.target",
                      format_func=lambda c: f"{c}: {names[c]}" if names else f"class {c}",
                      help="Grad-CAM and IG explain this class's logit (default: the top one)")

maps_tab, cam_tab, ig_tab, stats_tab = st.tabs(
    ["Feature maps", "Grad-CAM", "Integrated Gradients", "Statistics"], key="inside.view",
    bind="query-params")
with maps_tab:
    layer_names = [m.name for m in res.maps]
    layer = st.selectbox("Layer", layer_names, index=min(1, len(layer_names) - 1),
                         key="inside.layer")
    cols = st.columns(2)
    for col, rep in zip(cols, (res, plain), strict=True):
        fmap = rep.by_name()[layer]
        col.plotly_chart(charts.feature_grid(fmap, net=str(rep.net)),
                         key=f"inside.grid.{rep.net}")
        col.download_button("PNG", charts.feature_grid_png(fmap), f"{layer}-{rep.net}.png",
                            "image/png", key=f"inside.grid_png.{rep.net}")
with cam_tab:
    st.caption("captum's LayerGradCam at each stage's output for the chosen class: gradients "
               "averaged over each channel weight that channel's map; ReLU'd, then upsampled "
               "to the input. Left: the residual net; right: its plain twin.")
    compare = st.toggle("Plain twin beside it", value=True, key="inside.cam_plain")
    cams = {"residual": inside.run_cams(weights, spec, img, ikey, target, plain=False)}
    if compare:
        cams["plain"] = inside.run_cams(weights, spec, img, ikey, target, plain=True)
    for i in range(len(cams["residual"])):
        cols = st.columns(2)
        for col, (net, maps) in zip(cols, cams.items(), strict=False):
            c = maps[i]
            col.plotly_chart(charts.cam_overlay(img.cropped, c, title=f"{c.name} · {net}"),
                             key=f"inside.cam.{net}.{c.name}")
            col.download_button("PNG", charts.overlay_png(img.cropped, c.up,
                                                          label=f"{c.name} {net}"),
                                f"gradcam-{c.name}-{net}.png", "image/png",
                                key=f"inside.cam_png.{net}.{c.name}")
with ig_tab:
    g1, g2 = st.columns(2)
    steps = g1.slider("Steps", 4, 128, 32, step=4, key="inside.ig_steps")
    baseline = g2.selectbox("Baseline", list(attr.Baseline), key="inside.ig_baseline",
                            help="black image, the ImageNet mean colour, or a blurred copy")
    if st.button("Run Integrated Gradients", key="inside.ig_run") or st.session_state.get(
            "inside.ig_done") == (weights.key, ikey, target, steps, baseline):
        ig = inside.run_ig(weights, img, ikey, target, steps, baseline)
        st.session_state["inside.ig_done"] = (weights.key, ikey, target, steps, baseline)
        st.plotly_chart(charts.heat_overlay(
            img.cropped, ig.heat, "IG", title=f"Integrated Gradients · {ig.steps} steps",
            subtitle=f"|attribution| summed over channels; baseline {ig.baseline}; "
                     f"completeness error {ig.delta:.3g}"), key="inside.ig")
        st.download_button("PNG", charts.overlay_png(img.cropped, ig.heat, label="IG"),
                           "integrated-gradients.png", "image/png", key="inside.ig_png")
with stats_tab:
    st.dataframe(charts.stats_table([res, plain]), hide_index=True, key="inside.stats")

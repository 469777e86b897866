"""Gradients: measured gradient magnitudes with and without shortcuts, on the same weights."""

import math

import streamlit as st

from resnet_viz.arch.dtypes import CPU_DTYPES
from resnet_viz.arch.presets import SWEEP_DEFAULT, SWEEP_DEPTHS
from resnet_viz.arch.spec import Family
from resnet_viz.probes import gradients
from resnet_viz.probes.gradients import Metric, Net
from resnet_viz.render import diagram, gradient_charts
from resnet_viz.ui import graphs, probes
from resnet_viz.ui.help import Page, page_help
from resnet_viz.ui.safe import plain
from resnet_viz.ui.state import page_header, selection

# Defaults chosen so the default probe answers in about a second on a 2-core CPU
# (measured: see the README); the caption below states them.
BATCH = {Family.IMAGENET: 4, Family.CIFAR: 16}
SEEDS = 1
IMAGENET_SIZES = [32, 64, 112, 160, 224]
IMAGENET_SIZE = 64


def _use_cpu() -> None:
    st.session_state["run.device"] = "cpu"


def _stop(run_key: str, stopped_key: str) -> None:
    """Stop's click: Streamlit ends the running script at its next progress update (a
    newer run was requested); this callback then runs first in the new run."""
    st.session_state.pop(run_key, None)
    st.session_state[stopped_key] = True


def _failed(exc: ValueError) -> None:
    """Show why the work did not run (and offer the CPU after a device OOM); stop the page."""
    text = str(exc)
    hint = " (change it in Probe options)." if isinstance(exc, probes.OverBudget) else ""
    st.error(plain(text[:1].upper() + text[1:] + hint), icon=":material/error:")
    if isinstance(exc, probes.DeviceOutOfMemory):
        st.button("Run on the CPU instead", key="grad.use_cpu", on_click=_use_cpu)
    st.stop()


def _ask(intro: str, est: probes.Estimate, label: str, key: str, marker: object) -> bool:
    """Heavy work waits: the estimate, a Run and a Stop button; whether to run now."""
    run_key, stopped_key = f"{key}.for", f"{key}.stopped"
    st.info(f"{intro}: {probes.describe(est)}. It runs only when you press {label}.",
            icon=":material/hourglass_top:")
    c1, c2, _ = st.columns([1, 1, 4])
    if c1.button(label, key=f"{key}_run", type="primary"):
        st.session_state[run_key] = marker
        st.session_state[stopped_key] = False
    c2.button("Stop", key=f"{key}_stop", on_click=_stop, args=(run_key, stopped_key))
    if st.session_state.get(stopped_key) and st.session_state.get(run_key) != marker:
        st.info("Stopped: nothing was kept. Press Run to start again.", icon=":material/stop:")
    return bool(st.session_state.get(run_key) == marker)


def _stopped(key: str) -> bool:
    return bool(st.session_state.get(f"{key}.stopped"))


def _check_url(imagenet: bool) -> None:
    """Warn about probe options in the link that the widgets will replace by defaults.

    The value itself is not echoed (it could carry markup); the key is ours.
    """
    choices = {"grad.bn_mode": [m.value for m in gradients.BNMode],
               "grad.loss": [m.value for m in gradients.LossKind],
               "grad.input": [m.value for m in gradients.InputKind],
               "grad.dtype": list(CPU_DTYPES), "grad.metric": [m.value for m in Metric],
               "grad.level": ["block", "layer"]}
    numbers = {"grad.batch": (2, 256), "grad.seeds": (1, 8)}
    for key, value in st.query_params.items():
        if key in choices and value not in choices[key]:
            st.warning(f"Link value for {key} ignored: choose one of "
                       f"{', '.join(choices[key])}. Using the default instead.")
        elif key in numbers and not (value.isdigit() and numbers[key][0] <= int(value)
                                     <= numbers[key][1]):
            lo, hi = numbers[key]
            st.warning(f"Link value for {key} ignored: not a whole number from {lo} to "
                       f"{hi}. Using the default instead.")
        elif key == "grad.size" and imagenet and value not in map(str, IMAGENET_SIZES):
            # (CIFAR nets are probed at their own input: the value does not apply there)
            st.warning(f"Link value for grad.size ignored: choose one of "
                       f"{', '.join(map(str, IMAGENET_SIZES))}. Using the default instead.")


sel = selection()
spec = sel.spec
page_header("Gradients", sel)
page_help(Page.GRADIENTS)
imagenet = spec.family is Family.IMAGENET
_check_url(imagenet)
with st.expander("Probe options", expanded=False):
    c1, c2, c3, c4 = st.columns(4)
    bn_mode = c1.segmented_control("BatchNorm", [m.value for m in gradients.BNMode],
                                   default="train", key="grad.bn_mode", required=True,
                                   bind="query-params",
                                   help="train: batch statistics; eval: running statistics, "
                                        "which at initialisation make every BN the identity")
    loss = c2.segmented_control("Loss", [m.value for m in gradients.LossKind], default="ce",
                                key="grad.loss", required=True, bind="query-params",
                                help="ce: cross-entropy on random labels; sum: sum of logits")
    input_kind = c3.segmented_control("Input", [m.value for m in gradients.InputKind],
                                      default="normal", key="grad.input", required=True,
                                      bind="query-params",
                                      help="random normal noise, or bundled photographs")
    dtype = c4.selectbox("dtype", list(CPU_DTYPES), key="grad.dtype", bind="query-params")
    c5, c6, c7 = st.columns(3)
    size_opts = IMAGENET_SIZES if imagenet else [spec.input_size[0]]
    size = c7.selectbox("Input size", size_opts,
                        index=size_opts.index(IMAGENET_SIZE) if imagenet else 0,
                        key="grad.size", bind="query-params",
                        help="ImageNet nets are probed at a reduced input to stay interactive")
    # the default batch is lowered for nets whose probe would not fit the memory budget
    default_batch = probes.fitting_batch(spec, BATCH[spec.family], (size, size), dtype)
    batch = c5.number_input("Batch", 2, 256, default_batch, key="grad.batch",
                            bind="query-params")
    seeds = c6.slider("Seeds", 1, 8, SEEDS, key="grad.seeds", bind="query-params",
                      help="more seeds: a mean line and a min-max band, at more cost")
lowered = (f" (lowered from {BATCH[spec.family]} so the probe fits the memory budget)"
           if batch == default_batch < BATCH[spec.family] else "")
st.caption(f"The residual net and its plain twin share every weight; each runs one forward "
           f"and one backward pass on the same batch ({int(batch)}{lowered} at {size}x{size}, "
           f"{int(seeds)} seed{'s' if seeds > 1 else ''}; change them in Probe options) with "
           "random labels from a fixed seed. Every number and sentence below comes from that "
           "measurement.")
if bn_mode == "eval":
    st.info("BatchNorm in eval mode uses its running statistics, which at initialisation "
            "(mean 0, variance 1) make every BN layer the identity.", icon=":material/info:")

try:
    config = gradients.ProbeConfig(bn_mode=bn_mode, batch=int(batch), seeds=int(seeds),
                                   loss=loss, device=sel.run.device, dtype=dtype,
                                   input_kind=input_kind, input_size=(size, size))
    est = probes.check_probe(spec, config)
except ValueError as exc:  # invalid options, or over the memory budget
    _failed(exc)
report = probes.stored_probe(spec, config)
if report is None:
    heavy = probes.is_heavy(est)
    if heavy and not _ask(f"The {spec.name} probe is heavy", est, "Run probe", "grad.probe",
                          (spec, config)):
        st.stop()
    update, done = probes.progress_bar(f"Probing {spec.name}",
                                       lambda: heavy and _stopped("grad.probe"))
    try:
        update(0, config.seeds, "building")
        report = probes.cached_probe(spec, config, update)
    except probes.ProbeStopped as stopped:
        done()
        st.info(f"Probe {stopped}. Press Run to start again.", icon=":material/stop:")
        st.stop()
    except ValueError as exc:
        done()
        _failed(exc)
    done()

m1, m2 = st.columns([1, 3])
# raw values as options (a bound widget puts its displayed option in the URL); the
# symbols go underneath as captions
metric = Metric(m1.radio("Quantity", [m.value for m in Metric], index=1, key="grad.metric",
                         bind="query-params",
                         captions=[gradient_charts.METRIC_LABELS[m] for m in Metric]))
level = m1.radio("Resolution", ["block", "layer"], key="grad.level", horizontal=True,
                 bind="query-params")
summary = gradients.summarise(report, metric)
for net, ratio in ((Net.PLAIN, summary.plain), (Net.RESIDUAL, summary.residual)):
    seeds_help = (f"; seeds {ratio.lo:.3g} to {ratio.hi:.3g}" if ratio.lo != ratio.hi else "")
    m1.metric(f"{net}: first / last", gradients.fmt_factor(ratio.value) + "×",
              help=f"geometric mean over seeds{seeds_help}")
    m1.metric(f"{net}: per layer", f"×{ratio.per_layer:.3f}",
              help=f"geometric mean growth over {ratio.layers} weighted layers")
m2.plotly_chart(gradient_charts.profile_figure(report, metric=metric, level=level),
                key="grad.profile")
m2.markdown(f"**What this measurement shows.** {summary.caption}")

ratio_tab, overlay_tab, sweep_tab = st.tabs(
    ["Residual ratio", "Diagram overlay", "Depth sweep"], key="grad.view", bind="query-params")
with ratio_tab:
    st.plotly_chart(gradient_charts.residual_ratio_figure(report), key="grad.ratio")
    st.markdown(gradients.residual_ratio_caption(report))
with overlay_tab:
    st.caption(f"Blocks coloured by {gradient_charts.METRIC_LABELS[metric]} (seed mean); "
               "both networks share one colour scale.")
    values = {net: dict(zip(report.net(net).blocks, report.net(net).metric(metric).mean,
                            strict=True)) for net in Net}
    missing = sorted({k for v in values.values() for k, x in v.items() if not math.isfinite(x)})
    if missing:
        st.warning(f"{len(missing)} block(s) have no finite value (the norms overflow or "
                   f"underflow: cannot be measured, try float64) and are drawn grey as "
                   f"'no value', e.g. {missing[0]}.", icon=":material/warning:")
    overlay_dot = diagram.pair_dot(
        report.spec, level=diagram.Level.BLOCK, plain_overlay=values[Net.PLAIN],
        residual_overlay=values[Net.RESIDUAL],
        overlay_label=gradient_charts.METRIC_LABELS[metric])
    graphs.show(overlay_dot, key="grad.overlay", file_stem=f"{report.spec.name}-{metric}-overlay",
                alt=f"{report.spec.name}, plain vs residual, coloured by {metric}")
with sweep_tab:
    standard, default = SWEEP_DEPTHS[spec.family], list(SWEEP_DEFAULT[spec.family])
    depths = st.multiselect("Depths", standard, default=default, key="grad.sweep_depths",
                            bind="query-params")
    key = (tuple(sorted(depths)), spec.family, metric, config)
    try:
        sweep_est = probes.check_sweep(key[0], spec.family, config) if depths else None
    except ValueError as exc:
        st.error(plain(str(exc)), icon=":material/error:")
        sweep_est = None
    sw = probes.stored_sweep(*key) if depths else None
    if sw is None and sweep_est is not None and _ask(
            "The sweep", sweep_est, "Run sweep", "grad.sweep", key):
        update, done = probes.progress_bar("Sweep", lambda: _stopped("grad.sweep"))
        try:
            update(0, len(depths) * config.seeds, "starting")
            sw = probes.cached_sweep(key[0], spec.family, metric, config, update)
        except probes.ProbeStopped as stopped:
            st.info(f"Sweep {stopped}. Press Run to start again.", icon=":material/stop:")
        except ValueError as exc:
            st.error(plain(str(exc)), icon=":material/error:")
        done()
    if sw is not None:
        st.plotly_chart(gradient_charts.sweep_figure(sw), key="grad.sweep")
        st.markdown(gradients.sweep_caption(sw))

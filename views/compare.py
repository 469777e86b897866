"""Compare: two to four networks side by side, what changed, and curves over every depth."""

import streamlit as st

from resnet_viz.analysis.compare import MAX_CONFIGS, MIN_CONFIGS
from resnet_viz.arch.spec import BlockKind, Family
from resnet_viz.export.diagram import Page, Style
from resnet_viz.render import compare as rc
from resnet_viz.render import diagram
from resnet_viz.ui import compare as uc
from resnet_viz.ui import graphs
from resnet_viz.ui.help import Page as HelpPage
from resnet_viz.ui.help import page_help
from resnet_viz.ui.safe import plain

st.title("Compare")
page_help(HelpPage.COMPARE)
st.caption("Every widget is in the address bar: copy the link to share the comparison.")
for problem in uc.url_problems():
    st.warning("A link value was ignored and the default used instead:",
               icon=":material/warning:")
    st.text(problem)

presets = st.container(horizontal=True, gap="small")
presets.caption("One click:", width="content")
for i, name in enumerate(uc.PRESETS):
    presets.button(name, key=f"compare.preset{i}", on_click=uc.apply_preset, args=(name,))

n = st.segmented_control("Configurations", list(range(MIN_CONFIGS, MAX_CONFIGS + 1)),
                         default=MAX_CONFIGS, key=uc.N_KEY, required=True, bind="query-params")
columns = []
for i, col in enumerate(st.columns(int(n), border=True), start=1):
    with col:
        result = uc.editor(i)
        if result.error:
            st.error("Invalid configuration: the comparison leaves it out.",
                     icon=":material/error:")
            st.text(result.error)
        columns.append(result)
specs = tuple(c.spec for c in columns if c.spec is not None)
if len(specs) < MIN_CONFIGS:
    st.warning("Fewer than two valid configurations: fix a column above to compare.")
    st.stop()
comp = uc.cached_compare(specs)
for sentence in comp.sentences:
    st.text(sentence)

changed_tab, diagram_tab, chart_tab, scaling_tab = st.tabs(
    ["What changed", "Diagrams", "Charts", "Scaling"], key="compare.view", bind="query-params")
if changed_tab.open:
    table, mask = rc.what_changed_frame(comp)
    st.caption("Highlighted: differs from the column to its left, with the ratio to it.")
    # A static table: small, every cell wrapped in full, highlights readable in the page.
    st.table(uc.styled(table, mask))
    st.download_button("CSV", table.to_csv(), "compare.csv", "text/csv",
                       key="compare.table_csv", on_click="ignore")
if diagram_tab.open:
    d1, d2 = st.columns([2, 3])
    level = d1.segmented_control("Level", [diagram.Level.STAGE.value, diagram.Level.BLOCK.value],
                                 default=diagram.Level.STAGE.value, key="compare.level",
                                 required=True, bind="query-params")
    costs = d2.toggle("Params / MACs in nodes", key="compare.costs", bind="query-params")
    dot = uc.cached_compare_dot(specs, str(level), bool(costs))
    graphs.show(dot, key="compare.diagram", file_stem=f"compare-{level}",
                alt=" vs ".join(comp.labels))
    with st.expander("Export this figure for a slide or a paper", icon=":material/download:"):
        e1, e2, e3 = st.columns(3)
        style = e1.selectbox("Style", [str(s) for s in Style], key="compare.export_style")
        page = e2.selectbox("Fit to a page", [str(p) for p in Page], key="compare.export_page")
        fmt = e3.selectbox("Format", ["pdf", "svg", "png", "dot"], key="compare.export_fmt")
        request = (specs, str(level), bool(costs), style, page, fmt)
        # laid out only on request: a page change must not wait for a PDF nobody asked for
        if st.button("Prepare the file", key="compare.export_prepare"):
            st.session_state["compare.export_request"] = request
        if st.session_state.get("compare.export_request") == request:
            try:
                name, data, note = uc.cached_comparison_file(*request)
            except ValueError as exc:
                st.error(plain(str(exc)))
            else:
                st.download_button(f"Download {fmt.upper()}", data, name,
                                   key="compare.export_dl", on_click="ignore",
                                   icon=":material/download:")
                if note:
                    st.caption(note)
if chart_tab.open:
    for metric in rc.StageMetric:
        st.plotly_chart(rc.per_stage_chart(comp, metric), key=f"compare.chart_{metric}")
    uc.gradient_section(comp)
if scaling_tab.open:
    s1, s2, s3, s4 = st.columns(4)
    fam = s1.selectbox("Family", [f.value for f in Family], key="compare.scale.family",
                       bind="query-params")
    kind = s2.selectbox("Block", [b.value for b in BlockKind], key="compare.scale.block",
                        bind="query-params")
    options = s3.multiselect("Shortcut options", ["A", "B", "C", "D"],
                             default=["A"] if fam == "cifar" else ["B"],
                             key="compare.scale.shortcuts", bind="query-params")
    width = s4.select_slider("Width ×", uc.WIDTH_MULTS, value=1.0,
                             key="compare.scale.width", bind="query-params")
    r1, r2 = st.columns([3, 1], vertical_alignment="bottom")
    hi = r1.slider("Deepest depth", 20, uc.MAX_SCALING[fam], uc.MAX_SCALING[fam],
                   key="compare.scale.hi", bind="query-params")
    log = r2.toggle("Log axes", value=False, key="compare.scale.log", bind="query-params")
    curves, errors = uc.scaling_curves(Family(fam), BlockKind(kind), tuple(options),
                                       float(width), int(hi))
    for err in errors:
        st.text(err)
    if curves:
        st.plotly_chart(rc.scaling_chart(curves, log=bool(log),
                                         title=f"{fam} {kind} blocks: scaling with depth"),
                        key="compare.scaling")
    p1, p2 = st.columns(2)
    p1.plotly_chart(uc.cached_published(fam, "depth"), key="compare.published_depth")
    p2.plotly_chart(uc.cached_published(fam, "macs"), key="compare.published_macs")

"""The Lesson page's widgets: step navigation, figures, the live probe, the quiz, presenter view.

The step, the tab, the quiz seed and difficulty and the presenter switch are
bound to the URL (``lesson.*`` keys), so a teacher can link to step five of a
presentation and a class can take the same quiz. The arrow keys move between
steps through Streamlit's own button shortcuts.
"""

from __future__ import annotations

import random
import re

import pandas as pd
import streamlit as st

from resnet_viz.analysis import quiz as q
from resnet_viz.analysis.scaling import ScalingPoint
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.probes.gradients import GradientReport
from resnet_viz.render import charts, diagram, lesson, tables
from resnet_viz.render import compare as render_compare
from resnet_viz.render import gradient_charts as gcharts
from resnet_viz.ui import graphs, lab
from resnet_viz.ui.cache import cached_analysis
from resnet_viz.ui.components import number_columns
from resnet_viz.ui.probes import cached_probe, progress_bar

STEP_KEY = "lesson.step"
PRESENTER_KEY = "lesson.presenter"
SEED_KEY = "lesson.quiz_seed"
LEVEL_KEY = "lesson.quiz_level"
_PROBED = "_lesson_probed"
_VERDICTS = "_lesson_verdicts"
_QUIZ_ID = "_lesson_quiz_id"

# Our own constant CSS (never user text): hide the sidebar, Streamlit's header and the
# step slider (still drawn, so the URL keeps the step; the progress bar stays), larger
# type and figures for a projector. Streamlit names a keyed element's class st-key-<key>
# with every character outside [a-zA-Z0-9_-] turned into "-".
PRESENTER_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"], .st-key-lesson-step { display: none !important; }
.stMainBlockContainer { max-width: 100% !important; padding-top: 1rem !important; }
.stMainBlockContainer p, .stMainBlockContainer li { font-size: 1.55rem !important;
  line-height: 1.45 !important; }
.stMainBlockContainer h3 { font-size: 2.4rem !important; }
[data-testid="stDataFrame"] { font-size: 1.3rem !important; }
[data-testid="stGraphVizChart"] svg { min-height: 46vh; }
</style>"""

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$])")


def md_escape(text: str) -> str:
    """Backslash-escape Markdown (and Streamlit's ``$`` math) in generated text."""
    return _MD_SPECIAL.sub(r"\\\1", text)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_steps(spec: ResNetSpec) -> tuple[lesson.Step, ...]:
    """The steps for a configuration (the probe steps without their measurement)."""
    return lesson.lesson_steps(spec, cached_analysis(spec))


@st.cache_data(max_entries=1, show_spinner=False)
def _deep_curve() -> list[ScalingPoint]:
    return lesson.deep_curve()


@st.cache_data(max_entries=8, show_spinner=False)
def cached_quiz(seed: int, level: str) -> tuple[q.Question, ...]:
    """The quiz of a seed and difficulty."""
    return q.make_quiz(seed, level)


def probe_report() -> GradientReport | None:
    """The lesson probe's report once it has been asked for in this session, else ``None``."""
    if not st.session_state.get(_PROBED):
        return None
    return cached_probe(lesson.probe_spec(), lesson.PROBE_CONFIG)


def _move(delta: int, n: int) -> None:
    st.session_state[STEP_KEY] = min(n, max(1, int(st.session_state[STEP_KEY]) + delta))


def navigation(n: int) -> int:
    """Back / progress / Next (arrow keys too); returns the 1-based step."""
    step = st.select_slider("Step", list(range(1, n + 1)), key=STEP_KEY,
                            bind="query-params", help="Left/right arrow keys move too")
    st.progress(step / n, text=f"Step {step} of {n}")
    back, _, nxt = st.columns([1, 4, 1])
    back.button("Back", key="lesson.back", icon=":material/arrow_back:", shortcut="Left",
                on_click=_move, args=(-1, n), disabled=step <= 1, width="stretch")
    nxt.button("Next", key="lesson.next", icon=":material/arrow_forward:", shortcut="Right",
               on_click=_move, args=(1, n), disabled=step >= n, width="stretch")
    return int(step)


def presenter_css(on: bool) -> None:
    """Apply the presenter view's constant CSS when ``on``."""
    if on:
        st.html(PRESENTER_CSS)


def _probe_button() -> bool:
    if st.session_state.get(_PROBED):
        return True
    spec = lesson.probe_spec()
    slot = st.empty()
    if slot.button(f"Run the probe on {spec.name}", key="lesson.probe.run",
                   icon=":material/play_arrow:", type="primary"):
        update, clear = progress_bar("Probing")
        cached_probe(spec, lesson.PROBE_CONFIG, update)
        clear()
        slot.empty()
        st.session_state[_PROBED] = True
        return True
    return False


def show_step(step: lesson.Step, spec: ResNetSpec) -> None:
    """A step's title, text and figure (the probe steps: a button that runs the probe)."""
    st.subheader(step.title)
    text = st.empty()
    report = None
    if step.needs_probe and _probe_button():
        report = probe_report()
        if report is not None:
            step = (lesson.gradients(report) if step.figure is lesson.Figure.GRADIENTS
                    else lesson.why_it_works(report))
    text.markdown(md_escape(step.text))
    _figure(step.figure, spec, report)


def _lab_run() -> None:
    """The Lab page's latest stored run, measured, or a link to the Lab that trains one."""
    steps = [s for s in map(lesson.lab_run, reversed(lab.trained_runs())) if s is not None]
    if steps:
        st.markdown(md_escape(steps[0].text))
    else:
        st.page_link("views/lab.py", label="A run on the Lab page shows this live: plain and "
                     "residual nets trained on digits in seconds", icon=":material/science:")


def _table(df: pd.DataFrame, index: bool = False) -> None:
    frame = df.reset_index() if index else df
    st.dataframe(frame, hide_index=True, column_config=number_columns(frame))


def _figure(fig: lesson.Figure, spec: ResNetSpec, report: GradientReport | None) -> None:
    if fig is lesson.Figure.DEGRADATION:
        st.dataframe(lesson.degradation_table(), hide_index=True)
        st.caption(f"Published: {lesson.PLAIN_TABLE_SOURCE}")
        _lab_run()
    elif fig is lesson.Figure.ANATOMY:
        st.graphviz_chart(graphs.browser_dot(graphs.anatomy_dot(spec, 1, True)))
    elif fig is lesson.Figure.BLOCK_PARAMS:
        _table(lesson.block_params_table())
    elif fig is lesson.Figure.SHORTCUTS:
        _table(lesson.shortcuts_table(spec), index=True)
    elif fig is lesson.Figure.TABLE1:
        _table(tables.table1(cached_analysis(lesson.table1_spec(spec))))
    elif fig is lesson.Figure.STAGE_COST:
        st.plotly_chart(charts.params_macs_by_stage(cached_analysis(spec)),
                        key="lesson.stage_cost")
    elif fig is lesson.Figure.PAIR:
        dot = diagram.pair_dot(lesson.probe_spec(), level=diagram.Level.BLOCK)
        st.graphviz_chart(graphs.browser_dot(dot))
    elif fig is lesson.Figure.GRADIENTS and report is not None:
        st.plotly_chart(gcharts.profile_figure(report), key="lesson.gradients")
    elif fig is lesson.Figure.RESIDUAL_RATIO and report is not None:
        st.plotly_chart(gcharts.residual_ratio_figure(report),
                        key="lesson.residual_ratio")
    elif fig is lesson.Figure.SCALING:
        st.plotly_chart(render_compare.scaling_chart(
            {"CIFAR, basic blocks": _deep_curve()}, log=True,
            title="CIFAR ResNets: every valid depth (computed)"), key="lesson.scaling")


# ----------------------------------------------------------------------------- quiz
def _new_seed() -> None:
    st.session_state[SEED_KEY] = random.randrange(10_000)


def quiz_controls() -> tuple[int, str]:
    """Difficulty, seed and a new-quiz button; returns (seed, difficulty)."""
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    level = c1.segmented_control("Difficulty", [d.value for d in q.Difficulty],
                                 default=q.Difficulty.PRESETS.value, key=LEVEL_KEY,
                                 required=True, bind="query-params",
                                 help="presets: the paper's networks; odd sizes: odd inputs "
                                      "and any shortcut option; custom: custom depths too")
    seed = c2.number_input("Quiz seed", 0, 9_999, 0, key=SEED_KEY, bind="query-params",
                           help="the same seed gives the whole class the same quiz")
    c3.button("New quiz", key="lesson.quiz.new", on_click=_new_seed,
              icon=":material/casino:")
    return int(seed), str(level)


def quiz(seed: int, level: str) -> None:
    """The questions, answers, verdicts, explanations and the score."""
    questions = cached_quiz(seed, level)
    if st.session_state.get(_QUIZ_ID) != (seed, level):
        st.session_state[_QUIZ_ID] = (seed, level)
        st.session_state[_VERDICTS] = {}
        for i in range(len(questions)):
            st.session_state.pop(f"lesson.quiz.answer{i}", None)
    verdicts: dict[int, q.Verdict] = st.session_state.setdefault(_VERDICTS, {})
    score = st.empty()
    for i, question in enumerate(questions):
        with st.container(border=True):
            st.markdown(f"**Question {i + 1}** · {question.kind}")
            st.text(question.prompt)
            a, b = st.columns([4, 1], vertical_alignment="bottom")
            text = a.text_input("Your answer", key=f"lesson.quiz.answer{i}",
                                placeholder="e.g. 512×28×28" if question.kind is q.Kind.SHAPE
                                else "e.g. 1,219,584")
            if b.button("Check", key=f"lesson.quiz.check{i}"):
                verdicts[i] = q.check(question, text)
            if i in verdicts:
                v = verdicts[i]
                (st.success if v.correct else st.error)(v.message)
                st.caption("Worked reasoning")
                st.text(question.explanation)
    right = sum(v.correct for v in verdicts.values())
    score.markdown(f"**{q.score_text(right, len(verdicts), len(questions))}**")

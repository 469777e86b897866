"""Lesson: the ResNet paper's argument as ten live steps, a shape quiz and a presenter view."""

import streamlit as st

from resnet_viz.ui import lesson as ul
from resnet_viz.ui.state import page_header, selection

sel = selection()
head, switch = st.columns([4, 1], vertical_alignment="center")
presenter = switch.toggle("Presenter view", key=ul.PRESENTER_KEY, bind="query-params",
                          help="hides the sidebar, enlarges type and figures; "
                               "arrow keys change steps")
ul.presenter_css(bool(presenter))
if not presenter:
    with head:
        page_header("Lesson", sel)
lesson_tab, quiz_tab = st.tabs(["Lesson", "Shape quiz"], key="lesson.view", bind="query-params")
if lesson_tab.open:
    steps = ul.cached_steps(sel.spec)
    step = ul.navigation(len(steps))
    ul.show_step(steps[step - 1], sel.spec)
if quiz_tab.open:
    st.caption("Predict the numbers, then check: every answer comes from the same analysis "
               "as the rest of the app, with the working shown.")
    seed, level = ul.quiz_controls()
    ul.quiz(seed, level)

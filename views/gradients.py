"""Gradients: measured gradient magnitudes with and without shortcuts (same weights)."""

import streamlit as st

from resnet_viz.ui.state import page_header, selection

sel = selection()
page_header("Gradients", sel)
st.info("The gradient probe page is being wired up.")

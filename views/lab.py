"""Lab: the degradation problem trained live, then landscape, paths and shattered gradients."""

import streamlit as st

from resnet_viz.ui import lab

st.title("Lab · residual learning, trained live")
st.markdown(
    "He, Zhang, Ren and Sun (2015), *Deep Residual Learning for Image Recognition*, report "
    "that a deeper **plain** net ends with *higher training error* than a shallower one — the "
    "degradation problem — while residual nets of the same depths do not. Here plain and "
    "residual CIFAR-style nets train on scikit-learn's bundled handwritten digits (upsampled "
    "to 16×16, a fixed train/held-out split) with the same seeds, batches and optimiser. "
    "Every sentence with a number below is generated from this run's measurements.")
lab.render()

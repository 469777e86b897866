"""Plain-language help: what each page shows, how to read it, and a short glossary.

Each page calls :func:`page_help` under its title: one or two sentences and a
*Glossary* popover, so the glossary is one click away from every page. The text
holds no measured numbers; the only figures in it are parts of definitions
(FLOPs = 2 × MACs, a bottleneck's 1x1 / 3x3 / 1x1).
"""

from __future__ import annotations

from enum import StrEnum

import streamlit as st


class Page(StrEnum):
    """The app's pages, for :func:`page_help`."""

    OVERVIEW = "overview"
    DIAGRAM = "diagram"
    TABLES = "tables"
    GRADIENTS = "gradients"
    COMPARE = "compare"
    INSIDE = "inside"
    EXPORT = "export"


INTRO: dict[Page, str] = {
    Page.OVERVIEW: (
        "How big the chosen network is: parameters, compute per image and memory, all "
        "computed from the architecture, then checked against a real PyTorch build. "
        "Table 1 lists it stage by stage as the paper's Table 1 does; *output size* is "
        "the tensor leaving each stage as channels × height × width."),
    Page.DIAGRAM: (
        "The network as a graph, from input (top, or left) to output. Boxes are layers, "
        "blocks or whole stages; arrows carry the tensor whose shape they are labelled "
        "with; a **+** adds a block's main path and its shortcut (the curved edge: solid "
        "= identity, dashed = projection, dotted = zero-padding). Hover a box for its "
        "torch module name; drag to pan, ctrl + wheel to zoom."),
    Page.TABLES: (
        "Every layer, block and stage with its output shape, parameters and cost, plus "
        "charts of where the parameters and the compute sit. *Count* chooses what "
        "counts as compute: only convolutions and the classifier (the paper's and "
        "torchvision's convention) or every op. Each table downloads as CSV."),
    Page.GRADIENTS: (
        "How well the training signal reaches the early layers. One backward pass "
        "measures ‖∂L/∂a‖ (how strongly the loss reacts to each block's output) in the "
        "network with shortcuts and in the same network without them (*plain*). A "
        "first / last ratio near 1 means the signal arrives undiminished; far above 1 "
        "it grows toward the input, far below it fades."),
    Page.COMPARE: (
        "Two to four networks side by side, each chosen in its own column (this page does "
        "not use the sidebar). The sentences and the highlighted cells say what changed "
        "from one column to the next and by how much; *Scaling* follows one family over "
        "every valid depth, with the paper's published errors as separate, labelled points."),
    Page.INSIDE: (
        "One image through the network: the feature maps each stage produces (the "
        "channels that respond most strongly) and where the network looks for a class "
        "(Grad-CAM and Integrated Gradients, computed with captum). With random weights "
        "this shows what the architecture does rather than what was learned; load trained "
        "weights to see what a network has learned."),
    Page.EXPORT: (
        "Figures and tables for slides, handouts and papers: diagrams in four styles "
        "(screen, slide, print, high contrast), TikZ for LaTeX, tables as CSV, Markdown "
        "or LaTeX, charts as PNG, SVG or HTML, and a zip with all of it and a README."),
}

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("ResNet-N", "a residual network with N weighted layers (convolutions and the final "
                 "linear layer) on its longest path."),
    ("stage (conv2_x … / layer1 …)", "a run of blocks working at one resolution; the "
     "paper calls them conv2_x to conv5_x, torchvision layer1 to layer4. A stage's first "
     "block may halve the resolution (/2) and change the channel count."),
    ("basic / bottleneck block", "basic: two 3x3 convolutions. Bottleneck: a 1x1 that "
     "narrows the channels, a 3x3, and a 1x1 that widens them again."),
    ("shortcut", "the path that carries a block's input around it to the **+**, where "
     "it is added to the block's output."),
    ("shortcut options A–D", "how a shortcut matches a changed shape. A: the identity "
     "with zero-padded extra channels (no parameters). B: a 1x1 projection only where "
     "the shape changes. C: a 1x1 projection on every block. D: average pooling, then "
     "a 1x1 projection (ResNet-D)."),
    ("v1 / v1.5", "where a bottleneck block halves the resolution: v1 on its first 1x1 "
     "convolution (the paper), v1.5 on its 3x3 (torchvision, slightly more accurate)."),
    ("pre-activation", "BatchNorm and ReLU placed before each convolution instead of "
     "after it (the ResNet v2 ordering), which leaves the shortcut path a pure identity."),
    ("plain network", "the same layers without any shortcuts, the paper's baseline."),
    ("C×H×W", "a tensor's channels × height × width (one image; the batch comes on top)."),
    ("parameters", "the learned numbers: convolution and linear weights, biases and "
     "BatchNorm scales and shifts."),
    ("MACs / FLOPs", "multiply-accumulate operations per image; FLOPs = 2 × MACs."),
    ("receptive field", "how many input pixels, at most, can influence one value of the "
     "last feature map."),
    ("‖∂L/∂a‖", "the size (L2 norm) of the gradient of the loss L with respect to an "
     "activation a, a block's output: how much the loss would change if that output "
     "changed. It is the signal each layer's weights are trained by."),
    ("BN mode train / eval", "whether BatchNorm normalises with the batch's own "
     "statistics (training) or with stored running statistics (inference)."),
)


def glossary_markdown() -> str:
    """The glossary as a markdown definition list."""
    return "\n".join(f"- **{term}**: {text}" for term, text in GLOSSARY)


def page_help(page: Page) -> None:
    """The page's one-paragraph introduction and a *Glossary* popover beside it."""
    text, button = st.columns([6, 1], vertical_alignment="top")
    text.caption(INTRO[Page(page)])
    with button.popover("Glossary", icon=":material/help:", width="content"):
        st.markdown(glossary_markdown())

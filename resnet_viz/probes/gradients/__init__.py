"""Gradient probes: the same weights with and without shortcuts.

For each seed the residual net is built once and its plain twin shares every
parameter with it. Each net runs one forward and one backward pass on the same
batch and labels; hooks record, during those passes and nothing else:

* per block: the L2 norm of the block output (``activation``), of dL/d(block
  output) (``activation_grad``), of the gradient of the block's main-path
  parameters (``weight_grad``: convs and BatchNorm weights and biases; shortcut
  projections are *excluded*, because the plain twin does not use them), and,
  for the residual net, ``||F(x)||`` and ``||shortcut(x)||`` at the addition;
* per weighted layer on the main path (stem conv, block convs, fc): the norm
  of its output, of the gradient at its output and of its weight gradient.

Every norm is taken over the whole batch tensor and ratios are formed in float64.

Modules: :mod:`.config` (options), :mod:`.inputs` (batches), :mod:`.recorder`
(hooks), :mod:`.run` (probes and results), :mod:`.report` (ratios and
captions), :mod:`.sweep` (against depth). This package re-exports their
public names.
"""

from resnet_viz.fmt import fmt_factor
from resnet_viz.probes.gradients.config import (
    BNMode,
    InputKind,
    LossKind,
    Metric,
    Net,
    ProbeConfig,
    dtype_name,
    resolve_device,
    torch_dtype,
)
from resnet_viz.probes.gradients.inputs import IMAGE_NAMES, image_batch, make_batch
from resnet_viz.probes.gradients.recorder import GradientRecorder, NetSample, measure_pair
from resnet_viz.probes.gradients.report import (
    EXPLODE,
    LEVEL,
    GradientSummary,
    Ratio,
    describe_ratio,
    first_last,
    ratio_caption,
    residual_ratio_caption,
    summarise,
)
from resnet_viz.probes.gradients.run import (
    GradientReport,
    NetGradients,
    Series,
    probe,
    run_probe,
)
from resnet_viz.probes.gradients.sweep import Sweep, SweepPoint, sweep, sweep_caption

__all__ = [
    "EXPLODE", "IMAGE_NAMES", "LEVEL", "BNMode", "GradientRecorder", "GradientReport",
    "GradientSummary", "InputKind", "LossKind", "Metric", "Net", "NetGradients", "NetSample",
    "ProbeConfig", "Ratio", "Series", "Sweep", "SweepPoint", "describe_ratio", "dtype_name",
    "first_last", "fmt_factor", "image_batch", "make_batch", "measure_pair", "probe",
    "ratio_caption", "residual_ratio_caption", "resolve_device", "run_probe", "summarise",
    "sweep", "sweep_caption", "torch_dtype",
]

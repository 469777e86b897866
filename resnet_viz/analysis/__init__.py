"""Exact numbers from the plan alone (no tensors): per layer, block and stage; memory.

Re-exports the public names of :mod:`.layers` and :mod:`.memory`.
"""

from resnet_viz.analysis.layers import (
    Analysis,
    BlockSummary,
    LayerRecord,
    Shape,
    TableRow,
    analyse,
    block_description,
    conv_out,
)
from resnet_viz.analysis.memory import Memory, memory

__all__ = ["Analysis", "BlockSummary", "LayerRecord", "Memory", "Shape", "TableRow",
           "analyse", "block_description", "conv_out", "memory"]

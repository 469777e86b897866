"""Spec -> Graphviz DOT text at three levels of detail.

Laying the text out into SVG/PNG/PDF bytes is :mod:`resnet_viz.export.graphviz`.


* ``stage``: the paper's Table 1 as a chain: stem, one node per stage (its
  repeated blocks collapsed as ``x N``), head.
* ``block``: every residual block as a node, each followed by a small ``+``
  node; the shortcut is an edge from the block's input around the block into
  that ``+``, styled by its kind (identity solid, zero-pad dotted, projection
  dashed, avg-pool + projection thick dashed) and labelled where it is not an
  identity. The plain ablation has neither ``+`` nodes nor skip edges.
* ``layer``: one node per analysis record (conv, BN, ReLU, pools, ``+``) plus
  ``input`` and ``output``; shortcut ops sit on a side branch into the ``+``.

Conventions: kernel sizes are written ``3x3`` (the paper's notation), tensor
shapes ``C×H×W``. Node ids are module names with dots turned into underscores
(``layer1_0_conv1``), so output is deterministic and diffable.

Edge labels (the tensor shape) are what costs ``dot`` most of its layout time.
Graphs with more than :data:`LEAN_LABELS_ABOVE` nodes are therefore labelled
leanly: only the input edge and edges whose tensor shape differs from their
tail node's input, i.e. the edge right after each change of shape
(downsampling, channel growth, pooling, the classifier).

Nothing here writes files or prints; renderers return ``str``.

Modules: :mod:`.writer` (DOT assembly), :mod:`.labels` (texts and styles),
:mod:`.scale` (overlay colours), :mod:`.levels` (the three builders),
:mod:`.api` (the public functions, re-exported here).
"""

from resnet_viz.render.diagram.api import anatomy_dot, pair_dot, to_dot
from resnet_viz.render.diagram.labels import SHORTCUT_STYLE
from resnet_viz.render.diagram.writer import LEAN_LABELS_ABOVE, Direction, Level

__all__ = ["LEAN_LABELS_ABOVE", "SHORTCUT_STYLE", "Direction", "Level", "anatomy_dot",
           "pair_dot", "to_dot"]

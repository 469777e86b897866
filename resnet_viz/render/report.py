"""Analysis -> plain data, JSON, CSV and a text table (renderers return strings)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from resnet_viz.analysis import Analysis, LayerRecord
from resnet_viz.fmt import fmt_shape

# Stable column order for the per-layer CSV / JSON (other tools read it).
LAYER_COLUMNS: tuple[str, ...] = LayerRecord._fields


def _shape(s: tuple[int, ...]) -> list[int]:
    return list(s)


def to_data(an: Analysis) -> dict[str, Any]:
    """The JSON contract: ``params``, ``macs``, ``flops``, ``spec``, ``stages``, ``layers``.

    Keys listed in the README are stable; new keys may be added.
    """
    return {
        "name": an.spec.name,
        "params": an.params,
        "macs": an.macs,
        "flops": an.flops,
        "other_ops": an.ops_by_type(),
        "receptive_field": an.receptive_field,
        "spec": an.spec.to_dict(),
        "stages": [
            {"name": s.name, "module": s.module, "output_shape": _shape(s.output_shape),
             "blocks": s.blocks, "description": s.description, "params": s.params,
             "macs": s.macs}
            for s in an.rows
        ],
        "layers": [
            {"name": r.name, "type": r.type, "output_shape": _shape(r.out_shape),
             "input_shape": _shape(r.in_shape), "params": r.params, "macs": r.macs,
             "ops": r.ops, "rf": r.rf, "group": r.group, "block": r.block, "path": r.path}
            for r in an.layers
        ],
    }


def to_json(an: Analysis) -> str:
    """:func:`to_data` as indented JSON text."""
    return json.dumps(to_data(an), indent=2)


def layers_csv(an: Analysis) -> str:
    """One CSV row per layer with every :class:`LayerRecord` field (shapes as CxHxW)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(LAYER_COLUMNS)
    for r in an.layers:
        w.writerow([fmt_shape(v, "x") if isinstance(v, tuple) else v for v in r])
    return buf.getvalue()


def to_table(an: Analysis) -> str:
    """The paper's Table 1 for this spec plus totals, as aligned text."""
    rows = [("layer", "output", "blocks", "params", "MACs", "description")]
    for s in an.rows:
        rows.append((s.name, fmt_shape(s.output_shape, "x"), str(s.blocks or ""), f"{s.params:,}",
                     f"{s.macs:,}", s.description))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [an.spec.name, ""]
    for r in rows:
        lines.append("  ".join(r[i].ljust(widths[i]) if i in (0, 1, 5) else r[i].rjust(widths[i])
                               for i in range(5)) + "  " + r[5])
    lines += ["", f"params {an.params:,}   MACs {an.macs:,}   FLOPs {an.flops:,}   "
                  f"receptive field {an.receptive_field}px"]
    return "\n".join(lines)

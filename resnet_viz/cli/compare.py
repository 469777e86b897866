"""The ``resnet-viz compare`` subcommand: two to four configurations, what changed between them.

Every spec flag takes a comma list where it varies (``--depth 18,34,50,152``,
``--shortcut A,B,C``); a single value applies to every configuration. Blocks
per stage already use commas, so configurations are separated by ``/`` there
(``--blocks 2,2,2,2/3,4,6,3``). ``--shortcuts on,off`` varies the plain ablation.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from typing import Any

from resnet_viz.analysis.compare import MAX_CONFIGS, MIN_CONFIGS, Comparison, compare
from resnet_viz.arch.spec import ResNetSpec
from resnet_viz.cli.args import add_spec_args, spec_from_args
from resnet_viz.render.compare import what_changed_frame, what_changed_records

# Spec flags whose value may be a list, with the converter of one item.
_LISTS: dict[str, Any] = {
    "depth": int, "family": str, "block": str, "variant": str, "shortcut": str,
    "width_mult": float, "groups": int, "width_per_group": int, "classes": int,
    "in_channels": int, "input": str, "blocks": str}
_SEP = {"blocks": "/"}
_ON_OFF = {"on": True, "off": False, "yes": True, "no": False, "true": True, "false": False}


def register(sub: Any) -> None:
    """Add the ``compare`` subcommand to the CLI's subparsers object."""
    s = sub.add_parser("compare", help="two to four configurations side by side: what changed")
    add_spec_args(s)
    for action in s._actions:  # take the raw text: lists are split and converted below
        if action.dest in _LISTS:
            action.type, action.choices = None, None
    s.add_argument("--shortcuts", default=None,
                   help="on/off per configuration, e.g. off,on (plain vs residual)")
    s.add_argument("--format", choices=["table", "json", "csv", "md"], default="table")
    s.set_defaults(run=run)


def _split(name: str, text: Any) -> list[Any]:
    """``"18,34"`` -> ``[18, 34]`` with the flag's own converter; ``None`` -> ``[None]``."""
    if text is None or isinstance(text, bool):
        return [text]
    items = [t.strip() for t in str(text).split(_SEP.get(name, ","))]
    flag = "--" + name.replace("_", "-")
    if any(not t for t in items):
        raise ValueError(f"{flag} {text!r} has an empty item; separate values with "
                         f"'{_SEP.get(name, ',')}'")
    conv = _LISTS.get(name, str)
    try:
        return [conv(t) for t in items]
    except ValueError:
        what = {int: "a whole number", float: "a number"}.get(conv, "text")
        raise ValueError(f"{flag} {text!r}: every item must be {what}") from None


def specs_from_args(a: argparse.Namespace) -> list[ResNetSpec]:
    """One spec per configuration from flags that may hold lists.

    Raises:
        ValueError: for lists of different lengths, fewer than two or more than
            four configurations, or any invalid value (the engine's message, with
            the configuration's number).
    """
    lists = {name: _split(name, getattr(a, name)) for name in _LISTS}
    if a.shortcuts is not None:
        items = _split("shortcuts", a.shortcuts)
        bad = [t for t in items if t.lower() not in _ON_OFF]
        if bad:
            raise ValueError(f"--shortcuts takes on/off items; got {bad[0]!r}")
        lists["no_shortcuts"] = [not _ON_OFF[t.lower()] for t in items]
    lengths = {len(v) for v in lists.values() if len(v) > 1}
    if len(lengths) > 1:
        raise ValueError("lists of different lengths: "
                         + ", ".join(f"--{k.replace('_', '-')} has {len(v)}"
                                     for k, v in lists.items() if len(v) > 1))
    n = lengths.pop() if lengths else 1
    if not MIN_CONFIGS <= n <= MAX_CONFIGS:
        raise ValueError(f"compare needs {MIN_CONFIGS} to {MAX_CONFIGS} configurations; give "
                         f"a comma list to at least one flag, e.g. --depth 18,34,50")
    specs = []
    for i in range(n):
        ns = argparse.Namespace(**vars(a))
        for name, values in lists.items():
            setattr(ns, name, values[i] if len(values) > 1 else values[0])
        try:
            specs.append(spec_from_args(ns))
        except ValueError as exc:
            raise ValueError(f"configuration {i + 1}: {exc}") from None
    return specs


def run(a: argparse.Namespace) -> str:
    """The what-changed table and the pair sentences in the chosen format.

    Raises:
        ValueError: for any invalid flag or list.
    """
    comp = compare(specs_from_args(a))
    if a.format == "json":
        return json.dumps({"configurations": [s.to_dict() | {"name": s.name, "label": lab}
                                              for s, lab in zip(comp.specs, comp.labels,
                                                                strict=True)],
                           "sentences": list(comp.sentences),
                           "rows": what_changed_records(comp)}, indent=2)
    if a.format == "csv":
        return _csv(comp)
    if a.format == "md":
        return _markdown(comp)
    return _table(comp)


def _csv(comp: Comparison) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["row", "label", *comp.labels, *(f"{lab} changed" for lab in comp.labels)])
    for r in comp.rows:
        w.writerow([r.key, r.label, *(c.value if c.value is not None else "" for c in r.cells),
                    *(int(c.changed) for c in r.cells)])
    return buf.getvalue()


def _table(comp: Comparison) -> str:
    table, mask = what_changed_frame(comp)
    marked = table.where(~mask, table + " *")
    return ("\n".join(comp.sentences) + "\n\n" + marked.to_string()
            + "\n\n* differs from the previous column (ratio in brackets)")


def _markdown(comp: Comparison) -> str:
    # Hand-written: pandas' to_markdown needs tabulate, which the project does not install.
    table, mask = what_changed_frame(comp)

    def cell(text: str, changed: bool) -> str:
        text = text.replace("|", "\\|")
        return f"**{text}**" if changed else text

    lines = [f"- {s}" for s in comp.sentences] + [""]
    lines.append("| row | " + " | ".join(cell(c, False) for c in table.columns) + " |")
    lines.append("|---|" + "---|" * len(table.columns))
    for label, values, flags in zip(table.index, table.to_numpy(), mask.to_numpy(),
                                    strict=True):
        lines.append(f"| {cell(str(label), False)} | "
                     + " | ".join(cell(str(v), bool(f)) for v, f in zip(values, flags,
                                                                         strict=True)) + " |")
    lines += ["", "Bold: differs from the previous column (ratio in brackets)."]
    return "\n".join(lines)

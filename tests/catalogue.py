"""The bad-input catalogue: what a hostile or careless user types, and the message they get.

One row per case: the channel it arrives through (a sidebar widget, a URL
parameter, a CLI flag; uploads belong to the Inside page), the input, and a
fragment of the expected message (``None``: the input is odd but valid, or a
widget's own bounds refuse it — the app then just keeps the previous value). The
test ``tests/test_catalogue.py`` runs every row through its channel and checks
the message and that the app (or the CLI) is still answering. The README's
"Bad-input catalogue" summarises this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    """Where the input comes from."""

    WIDGET = "sidebar widget"
    URL = "URL parameter"
    CLI = "CLI flag"
    UPLOAD = "upload"


@dataclass(frozen=True)
class Case:
    """One bad (or odd) input and the clear message it must produce.

    ``given`` is, per channel: URL - the query parameters; CLI - the argv after
    ``resnet-viz``; WIDGET - ``(key, value)`` steps applied in order (``"select"``
    for selectboxes, ``"input"`` for text, ``"set_value"`` otherwise is chosen
    from the widget type).
    """

    name: str
    channel: Channel
    given: Any
    expected: str | None

    @property
    def id(self) -> str:
        """A pytest id."""
        return f"{self.channel.name.lower()}-{self.name}"


U, C, W = Channel.URL, Channel.CLI, Channel.WIDGET
CUSTOM = {"arch.depth": "custom"}
NOT_DEPTH = "is not a whole number from 4 to 3002"
NOT_WIDTH = "arch.width_mult="
MANY = {f"arch.x{i}": "1" for i in range(999)}
# Streamlit drops a query string of more than 1,000 parameters as a whole (and logs it);
# the app then shows its defaults, as for a bare link.
TOO_MANY = {f"arch.x{i}": "1" for i in range(10_000)}

CASES: tuple[Case, ...] = (
    # ---- depth
    *(Case(f"depth {v}", U, {**CUSTOM, "arch.custom_depth": v}, NOT_DEPTH)
      for v in ("0", "-5", "3.5", "abc", "1e308", "1000000")),
    Case("depth not in the family", U, {"arch.depth": "51"}, "arch.depth=51 is not one of"),
    Case("depth of another family", U, {"arch.family": "cifar", "arch.depth": "50"},
         "arch.depth=50 is not one of 20, 32"),
    Case("bad family, good depth", U, {"arch.family": "foo", "arch.depth": "18"},
         "arch.family=foo is not one of imagenet, cifar"),
    *(Case(f"depth {v}", C, ["summary", "--depth", v], msg)
      for v, msg in (("0", "depth 0 is not valid"), ("-5", "depth -5 is not valid"),
                     ("3.5", "invalid int value: '3.5'"), ("abc", "invalid int value: 'abc'"),
                     ("1e308", "invalid int value: '1e308'"),
                     ("1000000", "nearest: 3002"))),
    Case("depth 51", W, [("arch.depth", "custom"), ("arch.custom_depth", 51)], "nearest: 50, 53"),
    Case("depth 0 (below the widget's floor)", W,
         [("arch.depth", "custom"), ("arch.custom_depth", 0)], None),
    # ---- blocks
    *(Case(f"blocks {v}", ch, given, msg)
      for v, msg in (("3,,4", "item 2 of 3 is empty"), (",,,", "item 1 of 3 is empty"),
                     ("0,0,0,0", "every stage needs at least one block"),
                     ("1000000,1,1,1", "blocks is over the limit of 1000"),
                     ("3;4", "is not a comma-separated list"))
      for ch, given in ((U, {**CUSTOM, "arch.blocks": v}), (C, ["summary", "--blocks", v]),
                        (W, [("arch.depth", "custom"), ("arch.blocks", v)]))),
    # ---- width
    *(Case(f"width {v}", U, {"arch.width_mult": v}, NOT_WIDTH)
      for v in ("0", "-1", "nan", "inf", "1e9", "3", "64")),
    *(Case(f"width {v}", C, ["summary", "--width-mult", v], "width multiplier must be between")
      for v in ("0", "-1", "nan", "inf", "1e9")),
    Case("width per group 0", U, {"arch.width_per_group": "0"}, "from 1 to 4096"),
    Case("shortcuts=maybe", U, {"arch.shortcuts": "maybe"}, "is not one of true, false"),
    # ---- groups that do not divide the width
    Case("groups 32 x 1 at width 0.25", W,
         [("arch.groups", 32), ("arch.width_per_group", 1), ("arch.width_mult", 0.25)],
         "is not a positive multiple of groups=32"),
    Case("groups 32 x 1 at width 0.25", U, {"arch.groups": "32", "arch.width_per_group": "1",
                                           "arch.width_mult": "0.25"},
         "is not a positive multiple of groups=32"),
    Case("groups 32 x 1 at width 0.25", C, ["summary", "--groups", "32", "--width-per-group",
                                           "1", "--width-mult", "0.25"],
         "is not a positive multiple of groups=32"),
    Case("groups on basic blocks", C, ["summary", "--depth", "18", "--groups", "2"],
         "basic blocks support only groups=1"),
    Case("groups 0", U, {"arch.groups": "0"}, "from 1 to 1024"),
    # ---- input size
    *(Case(f"input {v}", ch, given, msg)
      for v, msg in (("0x0", "between 1 and 2048 pixels a side"), ("1x1", None), ("7x7", None),
                     ("100000", "between 1 and 2048 pixels a side"),
                     ("224x", "is not like 224 or 224x160"), ("x224", "is not like 224 or 224x160"))
      for ch, given in ((U, {"arch.input": v}), (C, ["summary", "--input", v]),
                        (W, [("arch.input", v)]))),
    # ---- choices
    Case("unknown shortcut", U, {"arch.shortcut": "Z"}, "arch.shortcut=Z is not one of"),
    Case("unknown shortcut", C, ["summary", "--shortcut", "Z"], "invalid choice: 'Z'"),
    Case("unicode family", U, {"arch.family": "ｉｍａｇｅｎｅｔ"}, "is not one of imagenet, cifar"),
    Case("unicode family", C, ["summary", "--family", "ｃｉｆａｒ"], "invalid choice"),
    # ---- classes
    *(Case(f"classes {v}", U, {"arch.classes": v}, "from 1 to 100000")
      for v in ("0", "1000000000")),
    *(Case(f"classes {v}", C, ["summary", "--classes", v], "classes must be between 1 and 100000")
      for v in ("0", "1000000000")),
    # ---- batch (memory figures in the app, the probe's batch in the CLI)
    *(Case(f"batch {v}", U, {"run.batch": v}, "from 1 to 4096") for v in ("0", "1000000")),
    *(Case(f"batch {v}", C, ["gradients", "--family", "cifar", "--depth", "20", "--batch", v],
           "batch must be between 1 and 1024") for v in ("0", "1000000")),
    Case("first seed 1e23", C, ["gradients", "--first-seed", "1e23"],
         "argument --first-seed: invalid int value"),
    Case("first seed 10^23", C, ["gradients", "--first-seed", "1" + "0" * 23],
         "first seed must be between 0 and"),
    # ---- device
    Case("device cuda on a CPU machine", U, {"run.device": "cuda"},
         "run.device=cuda is not one of cpu"),
    Case("device cuda on a CPU machine", C,
         ["gradients", "--family", "cifar", "--depth", "20", "--device", "cuda"],
         "CUDA is not available on this machine"),
    Case("device tpu", C, ["gradients", "--device", "tpu"], "unknown device 'tpu'"),
    # ---- the link itself
    Case("repeated parameter", U, {"arch.depth": ["18", "34"]},
         "arch.depth is given 2 times; using the last one, 34"),
    Case("999 unknown parameters", U, MANY, "999 unknown (arch.x0, arch.x1,"),
    Case("10,000 parameters", U, TOO_MANY, None),
    Case("very long value", U, {"arch.shortcut": "B" * 100_000}, "more characters"),
    Case("very long input size", C, ["summary", "--input", "9" * 100_000], "far too large"),
    Case("markdown link in a value", U,
         {"arch.shortcut": "x` [Session expired](http://192.0.2.77/phish) `"},
         "[Session expired](http://192.0.2.77/phish)"),
)

# Uploads go to the Inside page's two uploaders (and the same loaders the CLI uses):
# ``given`` is ``(loader, what the file is)``; tests/uploads.py builds each file and
# tests/test_catalogue.py runs it through the loader and the page.
CHECKPOINT, IMAGE = "checkpoint", "image"
UPLOAD_CASES_FOR_INSIDE_PAGE: tuple[Case, ...] = tuple(
    Case(name, Channel.UPLOAD, given, expected) for name, given, expected in (
        ("empty checkpoint", (CHECKPOINT, "0 bytes"), "is empty, not a checkpoint"),
        ("truncated checkpoint", (CHECKPOINT, "first half of a saved state_dict"),
         "not a complete PyTorch checkpoint"),
        ("huge checkpoint", (CHECKPOINT, "sparse file 1 byte over the checkpoint limit"),
         "bytes for a checkpoint"),
        ("wrong architecture", (CHECKPOINT, "CIFAR ResNet-20 state_dict on ResNet-18"),
         "does not fit ResNet-18"),
        ("tampered data.pkl", (CHECKPOINT, "zip torch file, two bytes of data.pkl overwritten"),
         "not a complete PyTorch checkpoint"),
        ("malicious data.pkl", (CHECKPOINT, "zip torch file, data.pkl runs os.system"),
         "refused: its pickle asks to import"),
        ("pickle that runs code", (CHECKPOINT, "plain pickle whose __reduce__ runs os.system"),
         "refused: its pickle asks to import"),
        ("empty image", (IMAGE, "0 bytes"), "not a readable PNG, JPEG or WebP"),
        ("not an image", (IMAGE, "a PDF header"), "not a readable PNG, JPEG or WebP"),
        ("huge image", (IMAGE, "1 byte over the image limit"), "bytes for an image"),
        ("image over the pixel limit", (IMAGE, "PNG header declaring 8000x8000 pixels"),
         "pixels, over the limit of"),
        ("image bomb", (IMAGE, "PNG header declaring 100000x100000 pixels"),
         "refused as a decompression bomb"),
    ))

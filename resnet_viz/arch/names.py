"""Names of stages and blocks: torchvision's module names and the paper's row names.

The module pattern ``layer{n}`` (torchvision) and the paper's ``conv{n+1}_x``
are built and parsed only here.
"""

from __future__ import annotations

import re

STEM = "stem"
HEAD = "head"
_STAGE = re.compile(r"^layer(\d+)(?:\.(\d+))?(?:\.|$)")


def stage_module(stage: int) -> str:
    """torchvision's module name of a stage (1-based): ``layer1``."""
    return f"layer{stage}"


def block_name(stage: int, index: int) -> str:
    """Qualified module name of a block: ``layer2.0`` (stage 1-based, index 0-based)."""
    return f"layer{stage}.{index}"


def paper_name(stage: int) -> str:
    """The paper's Table 1 row name of a stage (1-based): ``conv2_x``."""
    return f"conv{stage + 1}_x"


def stage_of(name: str) -> int | None:
    """The 1-based stage of a qualified module name (``layer3.1.conv2`` -> 3), else ``None``."""
    m = _STAGE.match(name)
    return int(m.group(1)) if m else None


def block_of(name: str) -> tuple[int, int] | None:
    """``(stage, index)`` of a name inside a block (``layer3.1.conv2`` -> (3, 1)), else ``None``."""
    m = _STAGE.match(name)
    if not m or m.group(2) is None:
        return None
    return int(m.group(1)), int(m.group(2))


def is_stage_group(group: str) -> bool:
    """Whether ``group`` names a stage (``layer1``..) rather than ``stem`` or ``head``."""
    return stage_of(group) is not None and "." not in group

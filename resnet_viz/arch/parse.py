"""Parsing user input into spec values: choices, whole numbers, sizes, block lists, switches.

Every function raises an actionable ``ValueError`` that repeats (a shortened copy of)
the user's text, never a ``TypeError`` or a traceback.
"""

from __future__ import annotations

import numbers
import re
from enum import StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound=StrEnum)


def parse_choice(cls: type[E], value: Any, what: str) -> E:
    """``cls(value)`` for a StrEnum, with an actionable message listing the choices.

    Raises:
        ValueError: ``unknown <what> 'x'; choose one of: a, b``.
    """
    try:
        return cls(str(value))
    except ValueError:
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"unknown {what} {value!r}; choose one of: {choices}") from None


def parse_int(value: Any, what: str) -> int:
    """An integer field from an integer or an integer string; anything else is a ValueError."""
    message = f"{what.replace('_', ' ')} must be a whole number; got {value!r}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral | str):
        raise ValueError(message)
    try:
        return int(value)
    except ValueError:
        raise ValueError(message) from None


_TRUE = frozenset({"true", "on", "yes", "1"})
_FALSE = frozenset({"false", "off", "no", "0"})


def parse_bool(value: Any, what: str) -> bool:
    """A switch from a bool, 0/1, or a word (true/false, on/off, yes/no).

    Raises:
        ValueError: for anything else (``bool("false")`` would be True).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"{what} must be on or off (true/false); got {value!r}")


def parse_int_tuple(value: Any, what: str) -> tuple[int, ...]:
    """A tuple of whole numbers from any sequence of them (a string is not one)."""
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise ValueError(f"{what} must be a list of whole numbers like (3, 4, 6, 3); "
                         f"got {value!r}")
    return tuple(parse_int(v, what) for v in value)


def parse_pair(value: Any) -> tuple[int, int]:
    """``(height, width)`` from an int or a pair of whole numbers."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    try:
        items = tuple(value)
    except TypeError:  # None, a float: not a size
        items = ()
    if isinstance(value, str) or len(items) != 2:
        raise ValueError(f"input size must be (height, width); got {value!r}")
    return (parse_int(items[0], "input height"), parse_int(items[1], "input width"))


_WHOLE = re.compile(r"[0-9]+")
_SHOWN = 40  # characters of a user's text repeated in a message


def _shown(text: str) -> str:
    """``repr`` of the user's text, cut short so a huge value cannot flood the message."""
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def _whole_item(item: str, what: str) -> int | None:
    """A non-negative ASCII integer (``int()`` alone also takes ``1_0``, ``+3`` and ``٣``).

    Raises:
        ValueError: for more than 12 digits (6 already exceed every limit; the cap keeps
            ``int()`` from parsing a hostile 100,000-digit value).
    """
    item = item.strip()
    if not _WHOLE.fullmatch(item):
        return None
    if len(item) > 12:
        raise ValueError(f"{what}: {_shown(item)} is far too large ({len(item):,} digits)")
    return int(item)


def parse_input_size(text: str) -> tuple[int, int]:
    """Parse ``"224"`` or ``"224x160"`` (height x width).

    Raises:
        ValueError: if the text is not one or two whole numbers.
    """
    parts = text.lower().replace("×", "x").split("x")
    nums = [_whole_item(p, "input size") for p in parts]
    if len(nums) == 1:
        nums = nums * 2
    if len(nums) != 2 or None in nums:
        raise ValueError(f"input size {_shown(text)} is not like 224 or 224x160 "
                         "(whole numbers: height x width)")
    return (int(nums[0] or 0), int(nums[1] or 0))


def parse_blocks(text: str) -> tuple[int, ...]:
    """Parse a blocks-per-stage list like ``"3,4,6,3"`` (one trailing comma is allowed).

    Raises:
        ValueError: if the text is empty or any item is empty or not a whole number.
    """
    items = text.split(",")
    if len(items) > 1 and not items[-1].strip():
        items.pop()  # "3,4,6,3," is a harmless typo; "3,,4" and ",,," are not
    head = f"blocks {_shown(text)} is not a comma-separated list like 3,4,6,3"
    if not text.strip():
        raise ValueError(f"{head}: it is empty")
    for i, item in enumerate(items, 1):
        if not item.strip():
            raise ValueError(f"{head}: item {i} of {len(items)} is empty")
        if _whole_item(item, "blocks") is None:
            raise ValueError(f"{head}: item {i} {_shown(item.strip())} is not a whole number")
    return tuple(int(p) for p in items)

"""Number and shape formatters shared by every layer (no project imports).

One set of formatters, so that a parameter count, a byte size or a tensor
shape reads the same in a table, a chart, a diagram, a caption and the CLI.
"""

from __future__ import annotations

import math

_COUNT_SUFFIXES = ("", " k", " M", " G", " T", " P", " E")
_BYTE_SUFFIXES = (" B", " KiB", " MiB", " GiB", " TiB", " PiB")


def _scaled(n: float, base: float, suffixes: tuple[str, ...], digits: int) -> str:
    if abs(n) < base:
        return f"{n:,.0f}{suffixes[0]}" if float(n).is_integer() else f"{n:.{digits}f}{suffixes[0]}"
    i = 0
    x = float(n)
    while abs(x) >= base and i < len(suffixes) - 1:
        x /= base
        i += 1
    if round(abs(x), digits) >= base and i < len(suffixes) - 1:  # 999.999 k -> 1.00 M
        x /= base
        i += 1
    return f"{x:.{digits}f}{suffixes[i]}"


def fmt_count(n: float, *, digits: int = 2) -> str:
    """Short decimal count: ``25_557_032 -> "25.56 M"``, ``512 -> "512"``."""
    return _scaled(n, 1000.0, _COUNT_SUFFIXES, digits)


def fmt_bytes(n: float, *, digits: int = 2) -> str:
    """Binary byte size: ``102_228_128 -> "97.49 MiB"``, ``512 -> "512 B"``."""
    return _scaled(n, 1024.0, _BYTE_SUFFIXES, digits)


def fmt_si(n: float) -> str:
    """Compact SI count without a space, trailing zeros dropped: ``25_557_032 -> "25.56M"``."""
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= div:
            return f"{n / div:.2f}".rstrip("0").rstrip(".") + suffix
    return f"{n:g}"


def fmt_shape(shape: tuple[int, ...], sep: str = "×") -> str:
    """``(256, 56, 56) -> "256×56×56"``; ``(1000,) -> "1000"``; ``sep="x"`` for plain ASCII."""
    return sep.join(str(s) for s in shape)


def fmt_spatial(shape: tuple[int, ...]) -> str:
    """Spatial size as the paper writes it: ``(256, 56, 56) -> "56×56"``; 1-D -> ``"1×1"``."""
    return f"{shape[1]}×{shape[2]}" if len(shape) == 3 else "1×1"


def fmt_factor(x: float) -> str:
    """A positive factor with two significant digits: ``0.52``, ``9.8``, ``56``, ``4,000``."""
    if not math.isfinite(x):
        return "inf" if x > 0 else "nan"
    if x >= 1e7:
        return f"{x:.1e}"
    if x >= 9.95:
        return f"{float(f'{x:.2g}'):,.0f}"
    if x >= 1:
        return f"{x:.1f}"
    return f"{x:.2g}"

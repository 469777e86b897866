"""Floating-point formats by name: the one table of element sizes (no torch here)."""

from __future__ import annotations

DTYPE_BYTES: dict[str, int] = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2}
"""Bytes per element of every dtype the app and the CLI accept."""

CPU_DTYPES: tuple[str, ...] = ("float32", "float64", "bfloat16")
"""Dtypes a CPU build can run (float16 kernels are CUDA-only here)."""


def dtype_bytes(name: str) -> int:
    """Bytes per element of ``name``.

    Raises:
        ValueError: for a name not in :data:`DTYPE_BYTES`.
    """
    try:
        return DTYPE_BYTES[name]
    except KeyError:
        raise ValueError(f"unknown dtype {name!r}; choose one of: "
                         f"{', '.join(DTYPE_BYTES)}") from None


def dtype_names(n_bytes: int) -> str:
    """The dtypes of an element size, e.g. ``2 -> "bfloat16/float16"``."""
    names = [k for k, v in DTYPE_BYTES.items() if v == n_bytes]
    return "/".join(names) if names else f"{n_bytes}-byte"

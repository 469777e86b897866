"""Lay out DOT text with Graphviz's ``dot`` into SVG, PNG or PDF bytes."""

from __future__ import annotations

FORMATS: tuple[str, ...] = ("svg", "png", "pdf")
"""Formats :func:`render` accepts."""


def render(dot: str, fmt: str = "svg") -> bytes:
    """Lay out DOT text with Graphviz's ``dot``.

    Args:
        dot: DOT source (e.g. from :func:`resnet_viz.render.diagram.to_dot`).
        fmt: ``svg``, ``png`` or ``pdf``.

    Returns:
        The rendered file's bytes.

    Raises:
        ValueError: for an unknown format or DOT that ``dot`` rejects.
        RuntimeError: if the ``graphviz`` package or the ``dot`` executable is missing.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    try:
        import graphviz
    except ImportError as exc:  # pragma: no cover - graphviz is a pinned dependency
        raise RuntimeError("the graphviz Python package is not installed") from exc
    try:
        return graphviz.Source(dot).pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise RuntimeError("Graphviz's 'dot' executable was not found; install the system "
                           "package (e.g. apt-get install graphviz)") from exc
    except graphviz.CalledProcessError as exc:
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr
        raise ValueError(f"dot could not lay out this graph: {err}".strip()) from exc

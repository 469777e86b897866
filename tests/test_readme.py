"""The README's library example runs as written (the examples must not rot)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_library_example_runs() -> None:
    blocks = python_blocks()
    assert blocks, "the README has no python example"
    scope: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), scope)
    an = scope["an"]
    assert an.params == 25_557_032 and an.macs == 4_089_184_256  # type: ignore[attr-defined]
    assert an.rows[1].output_shape == (256, 56, 56)  # type: ignore[attr-defined]
    assert "digraph" in str(scope["dot"])

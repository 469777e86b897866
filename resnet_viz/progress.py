"""The progress-callback type every long computation accepts (no project imports)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, message)`` after each unit of work."""

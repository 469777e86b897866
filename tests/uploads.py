"""Hostile and broken upload files, shared by the checkpoint, Inside-page and catalogue tests.

Each builder makes the bytes (or, for files too large to hold, a sparse file on disk)
that one row of the bad-input catalogue uploads.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zipfile
import zlib
from pathlib import Path

import torch

from resnet_viz.arch.presets import from_depth
from resnet_viz.model.build import build


class Evil:
    """Unpickling this runs ``touch <sentinel>``: a test passes only if the file never appears."""

    def __init__(self, sentinel: Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.sentinel}",))


def evil_pickle(sentinel: Path) -> bytes:
    """A plain (non-zip) pickle whose loading would run code."""
    return pickle.dumps({"fc.weight": Evil(sentinel)}, protocol=2)


def state_dict_bytes(depth: int, *, seed: int = 0, **fields: object) -> bytes:
    """``torch.save`` of a freshly built model's ``state_dict``, as an upload's bytes."""
    buf = io.BytesIO()
    torch.save(build(from_depth(depth, **fields), seed=seed).state_dict(), buf)
    return buf.getvalue()


def tampered_zip(sentinel: Path, how: str) -> bytes:
    """A zip-format torch file whose ``data.pkl`` is replaced by a malicious pickle
    (``how="malicious"``) or has two bytes overwritten (``how="garbled"``)."""
    good = io.BytesIO()
    torch.save({"fc.weight": torch.zeros(2, 2)}, good)
    bad = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good.getvalue())) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("/data.pkl"):
                data = (pickle.dumps(Evil(sentinel), protocol=2) if how == "malicious"
                        else data[:5] + b"\xff\xfe" + data[7:])
            dst.writestr(info, data)
    return bad.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels but carries one tiny compressed row:
    an image bomb as far as any decoder that trusts the header is concerned."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0"))
            + chunk(b"IEND", b""))


def sparse_file(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space (a hole; nothing is written)."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path

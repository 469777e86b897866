"""The upload rows of the bad-input catalogue (tests/catalogue.py), through the real paths.

Each file goes through its loader (``read_state_dict``/``load_checkpoint`` or
``decode_upload``) and through the Inside page's uploader (AppTest): the expected
message, no exception, the page still draws, and no pickle ever runs (a sentinel file
is never created). A last test checks that a real server answers its health endpoint.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from resnet_viz.arch.limits import MAX_CHECKPOINT_BYTES, MAX_IMAGE_BYTES
from resnet_viz.arch.presets import from_depth
from resnet_viz.model import checkpoint
from resnet_viz.model.checkpoint import load_checkpoint
from resnet_viz.probes.inside.images import decode_upload
from resnet_viz.ui.serve import running_app
from tests import uploads
from tests.catalogue import CHECKPOINT, IMAGE, UPLOAD_CASES_FOR_INSIDE_PAGE, Case

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SPEC = from_depth(18)  # the Inside page's network in these tests (set in the link)
SMALL_LIMIT = 4096  # the checkpoint limit while the page gets the "huge" row (see below)


def _half_checkpoint(_: Path) -> bytes:
    data = uploads.state_dict_bytes(20, family="cifar")
    return data[: len(data) // 2]


BUILDERS: dict[str, Callable[[Path], bytes]] = {
    "empty checkpoint": lambda _: b"",
    "truncated checkpoint": _half_checkpoint,
    # the page test lowers the limit to SMALL_LIMIT; the loader test uses a sparse file
    "huge checkpoint": lambda _: b"\0" * (SMALL_LIMIT + 1),
    "wrong architecture": lambda _: uploads.state_dict_bytes(20, family="cifar"),
    "tampered data.pkl": lambda tmp: uploads.tampered_zip(tmp / "pwned", "garbled"),
    "malicious data.pkl": lambda tmp: uploads.tampered_zip(tmp / "pwned", "malicious"),
    "pickle that runs code": lambda tmp: uploads.evil_pickle(tmp / "pwned"),
    "empty image": lambda _: b"",
    "not an image": lambda _: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "huge image": lambda _: b"\0" * (MAX_IMAGE_BYTES + 1),
    "image over the pixel limit": lambda _: uploads.png_header(8000, 8000),
    "image bomb": lambda _: uploads.png_header(100_000, 100_000),
}


def of(loader: str) -> list[Case]:
    return [c for c in UPLOAD_CASES_FOR_INSIDE_PAGE if c.given[0] == loader]


def test_every_upload_row_has_a_file() -> None:
    assert set(BUILDERS) == {c.name for c in UPLOAD_CASES_FOR_INSIDE_PAGE}
    assert {c.given[0] for c in UPLOAD_CASES_FOR_INSIDE_PAGE} == {CHECKPOINT, IMAGE}


@pytest.mark.parametrize("case", of(CHECKPOINT), ids=lambda c: c.id)
def test_checkpoint_loader(case: Case, tmp_path: Path) -> None:
    if case.name == "huge checkpoint":  # a hole: over the limit without writing a byte
        source: bytes | Path = uploads.sparse_file(tmp_path / "huge.pth", MAX_CHECKPOINT_BYTES + 1)
        assert source.stat().st_blocks * 512 < 1 << 20
    else:
        source = BUILDERS[case.name](tmp_path)
    with pytest.raises(ValueError) as info:
        load_checkpoint(SPEC, source, name="up.pth")
    assert case.expected is not None and case.expected in str(info.value)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("case", of(IMAGE), ids=lambda c: c.id)
def test_image_loader(case: Case, tmp_path: Path) -> None:
    with pytest.raises(ValueError) as info:
        decode_upload(BUILDERS[case.name](tmp_path), name="up.png")
    assert case.expected is not None and case.expected in str(info.value)


def _start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["arch.depth"] = "18"
    at.session_state["inside.size"] = 64
    at.session_state["inside.cam_plain"] = False
    at.run()
    return at.switch_page("views/inside.py").run()


def _check(at: AppTest, case: Case, tmp_path: Path) -> list[str]:
    """What went wrong for this row in the page (empty when all is well)."""
    problems = []
    if at.exception:
        problems.append(f"exception {at.exception}")
    if not (at.title and at.title[0].value == f"Inside · {SPEC.name}"):
        problems.append("the page stopped drawing")
    shown = "\n".join([*(e.value for e in at.error), *(t.value for t in at.text)])
    if case.expected not in shown:
        problems.append(f"{case.expected!r} not shown")
    if (tmp_path / "pwned").exists():
        problems.append("the pickle ran")
    return [f"{case.name}: {p}" for p in problems]


def test_checkpoint_rows_in_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every checkpoint row, one after another in one session; the page keeps working."""
    # AppTest does not apply the uploader's byte cap (the server does); a 1 GiB upload
    # cannot be held here, so the page gets the "huge" row under a small limit.
    at = _start()
    at.radio(key="inside.weights").set_value("uploaded checkpoint").run()
    problems = []
    for case in of(CHECKPOINT):
        with monkeypatch.context() as m:
            if case.name == "huge checkpoint":
                m.setattr(checkpoint, "MAX_CHECKPOINT_BYTES", SMALL_LIMIT)
            at.file_uploader(key="inside.ckpt_upload").set_value(
                (f"{case.name}.pth", BUILDERS[case.name](tmp_path), "application/octet-stream")
            ).run()
        problems += _check(at, case, tmp_path)
    at.radio(key="inside.weights").set_value("random initialisation").run()
    assert not problems, problems
    assert not at.exception and any(
        "probability" in d.value.columns for d in at.dataframe), "no prediction afterwards"


def test_image_rows_in_the_page(tmp_path: Path) -> None:
    """Every image row in one session, then a real image is still decoded and predicted."""
    at = _start()
    at.selectbox(key="inside.image").select("upload").run()
    problems = []
    for case in of(IMAGE):
        at.file_uploader(key="inside.image_upload").set_value(
            (f"{case.name}.png", BUILDERS[case.name](tmp_path), "image/png")).run()
        problems += _check(at, case, tmp_path)
    assert not problems, problems
    png = tmp_path / "ok.png"
    Image.fromarray(np.full((40, 60, 3), 90, dtype=np.uint8)).save(png)
    at.file_uploader(key="inside.image_upload").set_value(
        ("ok.png", png.read_bytes(), "image/png")).run()
    assert not at.exception and any("probability" in d.value.columns for d in at.dataframe)


def test_server_answers_health_check() -> None:
    """The real server starts and answers ``/_stcore/health`` (the probe a proxy uses)."""
    with running_app() as url, urllib.request.urlopen(f"{url}/_stcore/health",
                                                      timeout=30) as r:
        assert r.status == 200 and r.read().strip() == b"ok"

"""Every row of the bad-input catalogue through its own channel (tests/catalogue.py).

CLI rows run in-process through ``resnet_viz.cli.main``: exit status 2 and one line on
stderr naming the problem. URL rows start the app with the query parameters and
widget rows change the sidebar (AppTest): the message is shown (as plain text), no
exception escapes, and the page still renders a network afterwards.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from resnet_viz.cli import main
from resnet_viz.ui.safe import ZWSP
from tests.catalogue import CASES, UPLOAD_CASES_FOR_INSIDE_PAGE, Case, Channel

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
ESCAPED = re.compile(r"\\(.)", re.S)


def by(channel: Channel) -> list[Case]:
    return [c for c in CASES if c.channel is channel]


def test_catalogue_is_whole() -> None:
    assert len(CASES) + len(UPLOAD_CASES_FOR_INSIDE_PAGE) >= 40
    assert {c.channel for c in CASES} == {Channel.URL, Channel.CLI, Channel.WIDGET}
    assert len({c.id for c in CASES}) == len(CASES), "duplicate case names"


@pytest.mark.parametrize("case", by(Channel.CLI), ids=lambda c: c.id)
def test_cli_case(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(case.given)
    except SystemExit as exc:  # argparse's own errors (OneLineParser)
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    if case.expected is None:
        assert (code, err) == (0, ""), err
        return
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("resnet-viz: error: "), err
    assert case.expected in err


def shown(at: AppTest) -> str:
    """Every warning and error as the user reads it (the markdown escapes removed)."""
    return " | ".join(ESCAPED.sub(r"\1", m.value).replace(ZWSP, "")
                      for m in (*at.warning, *at.error))


def still_serving(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert at.title and at.title[0].value.startswith("Overview · ")


@pytest.mark.parametrize("case", by(Channel.URL), ids=lambda c: c.id)
def test_url_case(case: Case) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in case.given.items():
        at.query_params[key] = value
    at.run()
    still_serving(at)
    if case.expected is None:
        assert shown(at) == ""
    else:
        assert case.expected in shown(at)


@pytest.mark.parametrize("case", by(Channel.WIDGET), ids=lambda c: c.id)
def test_widget_case(case: Case) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    for key, value in case.given:
        kind, widget = _find(at, key)
        if kind == "selectbox":
            widget.select(value)
        elif kind == "text_input":
            widget.input(value)
        else:
            widget.set_value(value)
        at.run()
    still_serving(at)
    if case.expected is None:
        assert shown(at) == ""
    else:
        assert case.expected in shown(at)


def _find(at: AppTest, key: str) -> tuple[str, Any]:
    """The sidebar widget with ``key`` and its kind (AppTest has one list per kind)."""
    for kind in ("selectbox", "text_input", "number_input", "select_slider"):
        for widget in getattr(at, kind):
            if widget.key == key:
                return kind, widget
    raise KeyError(key)


@pytest.mark.slow
def test_ctrl_c_during_a_probe_prints_one_line() -> None:
    """SIGINT while a (long) probe runs: status 130 and one line, no traceback."""
    cmd = [sys.executable, "-m", "resnet_viz.cli", "gradients", "--family", "cifar", "--depth",
           "56", "--batch", "32", "--seeds", "64"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    time.sleep(4)  # past the (torch-free) start-up, inside the 64-seed probe
    assert proc.poll() is None, "the probe ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err == "resnet-viz: interrupted\n" and out == ""


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_changing_family_logs_no_streamlit_warning() -> None:
    """The depth widget's default index must not clash with the family callback's value."""
    records = _Records()
    # Streamlit's loggers do not propagate: listen on every one of them
    loggers = [logging.getLogger(n) for n in list(logging.root.manager.loggerDict)
               if n.startswith("streamlit")]
    for logger in loggers:
        logger.addHandler(records)
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        at.selectbox(key="arch.family").select("cifar").run()
        at.selectbox(key="arch.family").select("imagenet").run()
    finally:
        for logger in loggers:
            logger.removeHandler(records)
    still_serving(at)
    assert "ResNet-50" in at.title[0].value
    assert not [m for m in records.messages if "Session State API" in m], records.messages


def test_unknown_key_warning_knows_every_sidebar_key() -> None:
    """A new sidebar widget must be added to ``_OWN_KEYS``, or its links would be warned
    about as unknown."""
    from resnet_viz.ui.sidebar import _OWN_KEYS

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["arch.depth"] = "custom"  # draws the custom-depth widgets too
    at.run()
    keys = {w.key for kind in ("selectbox", "text_input", "number_input", "select_slider",
                               "toggle", "radio") for w in getattr(at, kind)}
    sidebar = {k for k in keys if k and k.startswith(("arch.", "run."))}
    assert sidebar == set(_OWN_KEYS)

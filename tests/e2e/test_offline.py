"""Offline: no request leaves the machine, in the browser or from the server.

The browser half routes every request: loopback goes through, anything else is
recorded and aborted; each main page must render and nothing may have been
attempted (the favicon included). The same routing shows that a link whose
value carries a markdown link and image renders neither and fetches nothing.
The server half starts Streamlit the way ``make run`` does (no ``--server.address``,
so only ``.streamlit/config.toml`` keeps it from guessing its addresses) under an
audit hook that records every ``socket.connect`` and ``socket.getaddrinfo``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from resnet_viz.ui.serve import IDLE_JS, ROOT, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
PAGES = [("/?arch.depth=18", "Overview · ResNet-18"),
         ("/diagram?arch.depth=18", "Diagram · ResNet-18"),
         ("/tables?arch.depth=18", "Tables & charts · ResNet-18"),
         ("/gradients?arch.family=cifar&arch.depth=20", "Gradients · ResNet-20 (CIFAR)")]
PHISH = ("x` [Session expired - click here](http://192.0.2.77/phish) "
         "![t](http://192.0.2.78/track.png) <img src=http://192.0.2.79/x.png> `")


@pytest.fixture
def blocked(page: Page) -> list[str]:
    """Abort (and record) every request that is not to loopback."""
    attempts: list[str] = []

    def handle(route: Route) -> None:
        host = urllib.parse.urlsplit(route.request.url).hostname or ""
        if host in LOOPBACK:
            route.continue_()
        else:
            attempts.append(route.request.url)
            route.abort()

    page.context.route("**/*", handle)
    return attempts


def settle(page: Page, heading: str) -> None:
    expect(page.locator("h1").filter(has_text=" · ")).to_contain_text(heading, timeout=300_000)
    page.wait_for_function(IDLE_JS, timeout=300_000)


def test_main_pages_render_offline(page: Page, app_url: str, blocked: list[str]) -> None:
    for path, heading in PAGES:
        page.goto(app_url + path)
        settle(page, heading)
    icon = page.locator("link[rel~='icon']").first.get_attribute("href") or ""
    assert not urllib.parse.urlsplit(icon).hostname or urllib.parse.urlsplit(
        icon).hostname in LOOPBACK, icon
    page.wait_for_timeout(1000)  # late asset requests (fonts, favicon) would land here
    assert blocked == []


def test_markdown_in_a_link_renders_as_text(page: Page, app_url: str,
                                            blocked: list[str]) -> None:
    page.goto(f"{app_url}/?arch.shortcut={urllib.parse.quote(PHISH)}")
    settle(page, "Overview · ResNet-50")
    alert = page.get_by_text("Link value ignored: arch.shortcut=", exact=False)
    expect(alert).to_contain_text("[Session expired - click here](http://192.0.2.77/phish)")
    assert page.locator("a[href*='192.0.2'], img[src*='192.0.2']").count() == 0
    page.wait_for_timeout(1000)
    assert blocked == []


# ------------------------------------------------------------------ the server
AUDIT = textwrap.dedent("""
    import os, sys
    _LOG = os.environ["RESNET_VIZ_AUDIT_LOG"]
    def _hook(event, args):
        # socket.connect: (socket, address); socket.getaddrinfo: (host, port, ...)
        if event == "socket.connect" and isinstance(args[1], tuple):
            host = args[1][0]
        elif event == "socket.getaddrinfo":
            host = args[0]
        else:
            return
        if isinstance(host, bytes):
            host = host.decode()
        with open(_LOG, "a") as f:
            f.write(f"{event} {host}\\n")
    sys.addaudithook(_hook)
""")


def outside(log: Path) -> list[str]:
    """Logged connections and look-ups whose host is not this machine."""
    lines = log.read_text().splitlines() if log.exists() else []
    return [line for line in lines
            if line.split(" ", 1)[1] not in LOOPBACK | {"None", "", "0.0.0.0", "::"}]


@pytest.fixture
def audited_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """``streamlit run app.py`` from the repository under the audit hook; with the param
    ``"bare"``, a one-line app with no config of its own (the hook's own check)."""
    script, cwd = ROOT / "app.py", ROOT
    if getattr(request, "param", None) == "bare":
        script, cwd = tmp_path / "bare" / "hello.py", tmp_path / "bare"
        cwd.mkdir()
        script.write_text("import streamlit as st\nst.write('hello')\n")
    (tmp_path / "sitecustomize.py").write_text(AUDIT)
    log = tmp_path / "audit.log"
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
           "RESNET_VIZ_AUDIT_LOG": str(log)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(script),
           "--server.headless", "true", "--server.port", str(port)]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.3)
        time.sleep(3)  # the start-up banner (and its address lookups) follows the bind
        yield log
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_server_start_up_makes_no_outside_connection(audited_server: Path) -> None:
    assert outside(audited_server) == []


@pytest.mark.parametrize("audited_server", ["bare"], indirect=True)
def test_audit_sees_the_lookup_without_the_config(audited_server: Path) -> None:
    """An app without this repository's config: the hook must catch Streamlit's address
    guess, or the test above proves nothing."""
    assert outside(audited_server), "the audit hook saw no outside connection"

"""User text is shown as text: markdown/HTML payloads through every echoing path (AppTest).

AppTest hands back the markdown *source* of each message; a source is safe when
every ASCII punctuation character in it is backslash-escaped (then CommonMark,
GFM and Streamlit's directives cannot form a link, image, tag, code span,
emphasis, maths or icon) and its decoded text holds no bare URL, ``www.`` name,
e-mail address or emoji code (GFM and remark-emoji find those after decoding).
The browser half (nothing rendered, no request
leaves the page) is in tests/e2e/test_offline.py.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from resnet_viz.ui.safe import ZWSP, plain, shorten

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PHISH = ("x` [Session expired - click here](http://192.0.2.77/phish) "
         "![t](http://192.0.2.78/track.png) `")
HTML = "<img src=http://192.0.2.78/x.png><a href='http://192.0.2.77/'>go</a>"
STREAMLIT_MD = ":red[**bold**] $x^2$ :material/warning: www.example.com <http://192.0.2.77>"
PAYLOADS = {"link": PHISH, "html": HTML, "directives": STREAMLIT_MD}
ESCAPED = re.compile(r"\\.", re.S)
# what GFM's autolink literals and remark-emoji look for in the decoded text
AUTO = re.compile(r"(?i)[a-z]+://|www\.|\w@\w|:[a-z0-9_+/-]+:")


def unescape(source: str) -> str:
    return ESCAPED.sub(lambda m: m.group(0)[1], source)


def assert_inert(source: str) -> None:
    """No unescaped punctuation and no line break: nothing can be interpreted."""
    bare = ESCAPED.sub("", source)
    live = sorted({c for c in bare if c in string.punctuation})
    assert not live, f"unescaped {live} in {source!r}"
    assert "\n" not in source
    assert not AUTO.search(unescape(source)), source


def messages(at: AppTest) -> list[str]:
    return [m.value for m in (*at.warning, *at.error)]


# every way a user's value reaches a message: (query params, the value to look for)
URL_PATHS = {
    "shortcut": lambda p: {"arch.shortcut": p},
    "family": lambda p: {"arch.family": p},
    "depth": lambda p: {"arch.depth": p},
    "custom_depth": lambda p: {"arch.depth": "custom", "arch.custom_depth": p},
    "blocks": lambda p: {"arch.depth": "custom", "arch.blocks": p},
    "input": lambda p: {"arch.input": p},
    "repeated": lambda p: {"arch.block": ["auto", p]},
    "unknown_key": lambda p: {f"arch.{p}": "1"},
    "device": lambda p: {"run.device": p},
}


# every path with the phishing payload; every payload through two paths (keeps it quick)
URL_CASES = [(path, "link") for path in URL_PATHS] + [
    (path, kind) for path in ("shortcut", "blocks") for kind in ("html", "directives")]


@pytest.mark.parametrize(("path", "kind"), URL_CASES)
def test_url_values_are_shown_as_text(path: str, kind: str) -> None:
    payload = PAYLOADS[kind]
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in URL_PATHS[path](payload).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    shown = messages(at)
    assert shown, "the bad value must be reported"
    for source in shown:
        assert_inert(source)
    # the value itself is repeated (as text), so the user sees what was wrong
    assert any(shorten(payload)[:20] in unescape(s).replace(ZWSP, "") for s in shown)
    assert at.title and "Overview · ResNet-" in at.title[0].value  # still serving


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
@pytest.mark.parametrize("key", ["arch.input", "arch.blocks"])
def test_widget_text_is_shown_as_text(key: str, payload: str) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    if key == "arch.blocks":
        at.selectbox(key="arch.depth").select("custom").run()
    at.text_input(key=key).input(payload).run()
    assert not at.exception
    shown = messages(at)
    assert len(shown) == 2  # the sidebar's error and the page header's
    for source in shown:
        assert_inert(source)


def test_huge_value_is_cut_short() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["arch.shortcut"] = "[x](http://192.0.2.77/)" * 5000
    at.run()
    assert not at.exception
    (source,) = messages(at)
    assert_inert(source)
    assert len(source) < 1000 and "more characters" in source


@given(st.text())
def test_plain_round_trips_every_printable_text(text: str) -> None:
    source = plain(text)
    assert_inert(source)
    flat = "".join(" " if not c.isprintable() or c.isspace() else c for c in text)
    assert unescape(source).replace(ZWSP, "") == flat

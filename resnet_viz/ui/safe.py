"""Show user-supplied text (link values, file names, error messages that repeat them) as text.

Streamlit renders the body of ``st.warning``/``st.error``/``st.markdown`` as
GitHub-flavoured markdown with Streamlit's extensions (``:red[...]``,
``:material/...:`` icons, ``:emoji:`` codes, ``$`` maths, bare-URL autolinks).
A value echoed into such a body could therefore draw a link or fetch an image.
:func:`plain` backslash-escapes every ASCII punctuation character — CommonMark
renders each escaped character literally, so no emphasis, code span, link,
image, HTML tag, entity, directive or maths can form — and flattens line breaks,
so the text stays inside its sentence. Bare URLs, ``www.`` names, e-mail
addresses and emoji codes are found *after* escapes are decoded (GFM's
autolink literals and remark-emoji rewrite the text nodes), so a zero-width
space is put after every ``:`` and ``@`` and inside ``www.``: the text reads the
same and no pattern matches. No library here does this for Streamlit's markdown
dialect (``html.escape`` leaves markdown live), hence the few lines.
"""

from __future__ import annotations

import re
import string
import unicodedata

import streamlit as st

MAX_SHOWN = 80  # characters of one user value repeated in a message
_PUNCT = frozenset(string.punctuation)
ZWSP = "\u200b"  # breaks autolink and emoji patterns without changing what is read
_BREAK_AFTER = frozenset(":@")
_WWW = re.compile(r"(?i)(www)(?=\\\.)")


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters with a count of what was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def plain(text: str) -> str:
    """Markdown source that renders exactly ``text`` (one line, nothing interpreted).

    Control, format and line-separator characters become spaces; every ASCII
    punctuation character is backslash-escaped; zero-width spaces follow ``:``,
    ``@`` and ``www`` (see the module docstring).
    """
    out = []
    for ch in str(text):
        if ch in _PUNCT:
            out.append("\\" + ch + (ZWSP if ch in _BREAK_AFTER else ""))
        elif ch.isspace() or unicodedata.category(ch).startswith("C"):
            out.append(" ")
        else:
            out.append(ch)
    return _WWW.sub(lambda m: m.group(1) + ZWSP, "".join(out))


def warning(text: str, *, sidebar: bool = False) -> None:
    """``st.warning`` whose whole body is shown as plain text."""
    (st.sidebar if sidebar else st).warning(plain(text), icon=":material/warning:")


def error(text: str, *, sidebar: bool = False) -> None:
    """``st.error`` whose whole body is shown as plain text."""
    (st.sidebar if sidebar else st).error(plain(text), icon=":material/error:")

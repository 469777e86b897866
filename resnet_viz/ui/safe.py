"""Show user-supplied text (link values, file names, error messages that repeat them) as text.

Streamlit renders the body of ``st.warning``/``st.error``/``st.markdown`` as
GitHub-flavoured markdown with Streamlit's extensions (``:red[...]``,
``:material/...:`` icons, ``$`` maths, bare-URL autolinks). A value echoed
into such a body could therefore draw a link or fetch an image. :func:`plain`
backslash-escapes every ASCII punctuation character — CommonMark renders each
escaped character literally, so no emphasis, code span, link, image, HTML tag,
entity, autolink, directive or maths can form — and flattens line breaks, so
the text stays inside its sentence. No library here does this for Streamlit's
markdown dialect (``html.escape`` leaves markdown live), hence the few lines.
"""

from __future__ import annotations

import string
import unicodedata

import streamlit as st

MAX_SHOWN = 80  # characters of one user value repeated in a message
_PUNCT = frozenset(string.punctuation)


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters with a count of what was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def plain(text: str) -> str:
    """Markdown source that renders exactly ``text`` (one line, nothing interpreted).

    Control and line-separator characters become spaces; every ASCII punctuation
    character is backslash-escaped.
    """
    out = []
    for ch in str(text):
        if ch in _PUNCT:
            out.append("\\" + ch)
        elif ch.isspace() or unicodedata.category(ch).startswith("C"):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def warning(text: str, *, sidebar: bool = False) -> None:
    """``st.warning`` whose whole body is shown as plain text."""
    (st.sidebar if sidebar else st).warning(plain(text), icon=":material/warning:")


def error(text: str, *, sidebar: bool = False) -> None:
    """``st.error`` whose whole body is shown as plain text."""
    (st.sidebar if sidebar else st).error(plain(text), icon=":material/error:")

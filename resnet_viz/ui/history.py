"""Make each change of the view a browser history entry, so Back returns to it.

Streamlit 1.67 writes a bound widget's value into the address bar with
``history.replaceState`` (its ``updateUrlParam``), so the URL always holds the
view but Back leaves the app instead of returning to the previous
configuration. Its server side already supports Back: on ``popstate`` the
frontend reruns the page with the restored query string marked as history
navigation, and bound widgets then take their values from that URL.

:func:`track` adds the missing piece: a small script, installed once per
browser tab, that turns such a ``replaceState`` into ``pushState`` when the query
string changes on the same page within a moment of a user's input (a click, a
key, a committed text). Streamlit's own rewrites (dropping a default value from
a link, or restoring one on Back) stay replacements, so Back never loops. It is
hand-written because Streamlit has no option for it; page changes already push
entries by themselves.
"""

from __future__ import annotations

import streamlit as st

USER_WINDOW_MS = 1500
"""How soon after a user's input a URL change counts as theirs (the widget writes the
URL in the same event handler; this only bounds what counts as "the same moment")."""

_JS = """<script>
(() => {
  const w = window;
  if (w.__resnetVizHistory) return;
  w.__resnetVizHistory = true;
  let userAt = -1e9;  // when the user last clicked, typed or committed a value
  for (const ev of ['pointerdown', 'click', 'keydown', 'change', 'focusout']) {
    w.document.addEventListener(ev, () => { userAt = w.performance.now(); }, true);
  }
  const replace = w.history.replaceState.bind(w.history);
  w.history.replaceState = function (state, title, url) {
    try {
      const next = new URL(url, w.location.href);
      if (next.pathname === w.location.pathname && next.search !== w.location.search
          && w.performance.now() - userAt < USER_WINDOW_MS) {
        return w.history.pushState(state, title, url);
      }
    } catch (e) { /* fall through to the original */ }
    return replace(state, title, url);
  };
})();
</script>"""


def track() -> None:
    """Install the history script (idempotent; call on every page, or once in app.py)."""
    st.html(_JS.replace("USER_WINDOW_MS", str(USER_WINDOW_MS)), unsafe_allow_javascript=True,
            width="content")

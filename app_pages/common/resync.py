"""Keep the browser's controls in step with session state when a run is cut short.

A value the script puts into ``st.session_state`` for a widget (a shared link's settings, a new
surface's start point) reaches the browser with the widget's element, and only from the run that
set it. When a click interrupts that run, Streamlit drops the run's unsent messages: the browser
keeps its own idea of the widget (its default, if it never saw one) and sends it back with the
next click. Measured in Chromium: a card opened while a shared link's first run was still
computing put every control at its minimum one click later (no optimizers, 10 steps, the start
in a corner). So after a run that did not finish, every value is set once more and the next run
sends it again. Setting a value to itself changes nothing else, so resending is harmless.

With ``runner.fastReruns`` (the default) an interrupted run ends in ``StopException`` at its next
Streamlit call, as ``st.stop()`` does; only a run whose page returns counts as finished. The
stopped run writes nothing after that point: it may end after the run that replaced it started.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import streamlit as st
from streamlit.errors import StreamlitAPIException

#: Session keys: the numbers of the last run started and of the last run that finished.
STARTED, FINISHED = "downhill.run", "downhill.finished"


class Page(Protocol):
    def run(self) -> None: ...


def resend_state() -> int:
    """Set every session-state value to itself, so this run sends it to the browser again; a
    chart's or table's selection (a mapping) is read-only and left alone. Returns how many
    were set.

    A button's click is read-only too and is not a mapping: buttons get no key, so that it is
    not in session state (``tests/app/test_resync.py`` runs every page through this)."""
    ss = st.session_state
    count = 0
    for key in list(ss.keys()):
        try:
            value = ss[key]
            if isinstance(value, Mapping):
                continue
            ss[key] = value
        except (StreamlitAPIException, KeyError):
            continue
        count += 1
    return count


def run_page(page: Page) -> None:
    """Run ``page``, first resending the state if the last run did not finish (a click cut it
    short, or the page stopped early)."""
    ss = st.session_state
    last = ss.get(STARTED, 0)
    if ss.get(FINISHED, 0) != last:
        resend_state()
    ss[STARTED] = last + 1
    page.run()
    ss[FINISHED] = last + 1

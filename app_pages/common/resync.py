"""Keep the browser's controls in step with session state: after a run a click cut short, and
when a page is opened again in the same session.

A value the script puts into ``st.session_state`` for a widget (a shared link's settings, a new
surface's start point) reaches the browser with the widget's element, and only from the run that
set it. When a click interrupts that run, Streamlit drops the run's unsent messages: the browser
keeps its own idea of the widget (its default, if it never saw one) and sends it back with the
next click. Measured in Chromium: a card opened while a shared link's first run was still
computing put every control at its minimum one click later (no optimizers, 10 steps, the start
in a corner). So after a run that did not finish, every value is set once more and the next run
sends it again. Setting a value to itself changes nothing else, so resending is harmless.

With ``runner.fastReruns`` (the default) an interrupted run ends in ``StopException`` at its next
Streamlit call, as ``st.stop()`` does; only a run whose page returns, or ends early through
``stop_here``, counts as finished. The stopped run writes nothing after that point: it may end
after the run that replaced it started.

Streamlit also forgets the value of every widget that another page's run does not draw. Each page
seeds its controls from the link once per session (its ``*.seeded`` flag), so coming back to it
through the sidebar showed every control at its minimum (no optimizers, 10 steps). So the values
a page ended its last finished run with are kept, and put back when it is opened again.

A page still seeds from its link once per session: Back and Forward show each page's last state,
not the older link's. (Re-seeding whenever the URL differed from the last query a page finished
with also fired while fast clicks cut runs short after they had rewritten the URL, and set the
clicked control back.)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import NoReturn, Protocol

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.state import get_session_state

#: Session keys: the numbers of the last run started and of the last run that finished, the page
#: of the last run, and each page's values at the end of its last finished run.
STARTED, FINISHED, PAGE, SAVED = ("downhill.run", "downhill.finished", "downhill.page",
                                  "downhill.saved")
OWN = (STARTED, FINISHED, PAGE, SAVED)


class Page(Protocol):
    url_path: str

    def run(self) -> None: ...


def reported_keys() -> set[str]:
    """Keys of the widgets whose values this run's request brought from the browser: it has
    them, and resending one would overwrite a newer click (fast "+" clicks were lost). Reads
    Streamlit's session internals (pinned in requirements.txt); without them, no key."""
    try:
        state = get_session_state()._state
        ids = set(state._new_widget_state.states)
        return {k for k, wid in state._key_id_mapper._key_id_mapping.items() if wid in ids}
    except AttributeError:  # another Streamlit: resend every value
        return set()


def resend_state(skip: Collection[str] = ()) -> int:
    """Set every session-state value but ``skip`` to itself, so this run sends it to the browser
    again; a chart's or table's selection (a mapping) is read-only and left alone. Returns how
    many were set.

    A button's click is read-only too and is not a mapping: buttons get no key, so that it is
    not in session state (``tests/app/test_resync.py`` runs every page through this)."""
    ss = st.session_state
    count = 0
    for key in list(ss.keys()):
        if key in OWN or key in skip:
            continue
        try:
            value = ss[key]
            if isinstance(value, Mapping):
                continue
            ss[key] = value
        except (StreamlitAPIException, KeyError):
            continue
        count += 1
    return count


def restore_page(page: str) -> int:
    """Put back the values ``page`` ended its last finished run with that are no longer in
    session state (dropped while another page ran). Returns how many."""
    ss = st.session_state
    missing = {k: v for k, v in ss.get(SAVED, {}).get(page, {}).items() if k not in ss}
    for key, value in missing.items():
        ss[key] = value
    return len(missing)


def save_page(page: str) -> None:
    """Keep this run's values (a chart's selection excepted) for ``page``'s next visit."""
    ss = st.session_state
    values = {k: v for k, v in ss.to_dict().items()
              if k not in OWN and not isinstance(v, Mapping)}
    ss[SAVED] = {**ss.get(SAVED, {}), page: values}


def stop_here() -> NoReturn:
    """End this page's run here, finished: its values are kept for its next visit, as at the
    end of the page. ``st.stop()`` alone reads as a run a click cut short, whose values are not
    kept: a refused formula's link, after a visit to another page, brought the race back with
    no optimizers and without its formula."""
    ss = st.session_state
    if PAGE in ss and STARTED in ss:  # run through app.py's run_page
        save_page(ss[PAGE])
        ss[FINISHED] = ss[STARTED]
    st.stop()


def run_page(page: Page) -> None:
    """Run ``page``: first put back its values if another page ran last, and resend the state
    the browser did not report if the last run did not finish (a click cut it short, or the page
    stopped early); after a finished run, keep its values for the next visit."""
    ss = st.session_state
    last = ss.get(STARTED, 0)
    if last and ss.get(PAGE) != page.url_path:
        restore_page(page.url_path)
    if ss.get(FINISHED, 0) != last:
        resend_state(skip=reported_keys())
    ss[STARTED], ss[PAGE] = last + 1, page.url_path
    page.run()
    save_page(page.url_path)
    ss[FINISHED] = last + 1

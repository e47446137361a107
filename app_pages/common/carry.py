"""The landscape a visitor last looked at, carried to the next page they open from the sidebar.

The race, the learning-rate lab and the basins page each pick a landscape in their sidebar. A
visitor who races on Himmelblau and then opens the lab from the sidebar means to tune on
Himmelblau, and found the lab on its own six-hump camel (a page opened from the navigation has
no link to read). So each of the three pages notes the landscape it draws (``show``), and a page
opened after another one drew (``arriving``: the landscape noted is another page's) switches
to it as if it were picked in the page's own box: its start and learning rates come with it.
A landscape the page cannot draw (a typed formula, or a data loss on the basins page) stays
where it was, and the page says so.

In-page links ("tune these rates in the lab") open a fresh page load with every setting in the
URL; they do not go through here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

import streamlit as st

#: Session key: the landscape last drawn by the race, the lab or the basins page.
SHOWN = "downhill.landscape"

#: What each page is called in a sentence, by the name it gives ``show``.
PAGE_NAMES = {"race": "the race", "learning_rate": "the learning-rate lab",
              "basins": "the basins page"}


class Shown(NamedTuple):
    """A landscape as a page drew it: a registry ``surface`` (``formula`` empty) or a typed
    ``formula``; ``title`` for sentences; ``page``: the page that drew it (``PAGE_NAMES``)."""

    surface: str
    formula: str
    title: str
    page: str


class Arrival(NamedTuple):
    """What a page opened from another one does: switch to ``surface`` (None: keep its own),
    and ``note``, why it keeps its own ("" when there is nothing to say)."""

    surface: str | None
    note: str


def show(page: str, surface: str, title: str, formula: str = "") -> None:
    """Note that ``page`` (one of ``PAGE_NAMES``) draws ``surface``, or the typed ``formula``."""
    st.session_state[SHOWN] = Shown(surface, formula, title, page)


def arriving(page: str, names: Collection[str], own: str | None) -> Arrival:
    """Where ``page``, which draws the landscapes ``names`` (registry names) and now shows
    ``own`` (None: none chosen yet, or a formula), should open when another page drew last
    (every run of these pages notes its landscape, so only the first run after another page's
    finds that page's): on the landscape that page drew, if ``page`` can draw it."""
    shown = st.session_state.get(SHOWN)
    if not isinstance(shown, Shown) or shown.page == page:
        return Arrival(None, "")
    if not shown.formula and shown.surface in names:
        return Arrival(None if shown.surface == own else shown.surface, "")
    where = PAGE_NAMES.get(shown.page, "the other page")
    if shown.formula:
        return Arrival(None, f"This page does not draw typed formulas: the one you typed on "
                             f"{where} stays there.")
    return Arrival(None, f"This page does not draw data losses: {shown.title} stays on {where}.")

"""The landscape a visitor last looked at, carried to the next page they open from the sidebar.

The race, the learning-rate lab and the basins page each pick a landscape in their sidebar. A
visitor who races on Himmelblau and then opens the lab from the sidebar means to tune on
Himmelblau, and found the lab on its own six-hump camel: the sidebar's navigation opens a page
without a link to read. So these pages note the landscape the visitor is looking at (``show``),
and a page opened without a link (``arriving``) switches to it as if it were picked in the
page's own box: its start and learning rates come with it.

A landscape the page cannot draw (a typed formula, or a data loss on the basins page) stays
where it was, and the page says so; what the page then shows is its own, not the visitor's
pick, so it is not noted until the visitor changes it there (a formula race, then the basins
page, then the race again came back on the basins page's default surface).

Back and Forward open a page with its old link: it shows its last state (``resync``), not the
carried landscape; in-page links ("tune these rates in the lab") open a fresh page load with
every setting in the URL. Neither goes through here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

import streamlit as st

#: Session keys: the landscape the visitor last looked at on the race, the lab or the basins
#: page; and by page, the landscape it kept when it could not draw that one (``arriving``), or
#: ``PENDING`` until the page draws its own.
SHOWN, KEPT = "downhill.landscape", "downhill.kept"
PENDING = ("", "")

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
    """Note that ``page`` (one of ``PAGE_NAMES``) draws ``surface``, or the typed ``formula``,
    unless it is the landscape the page kept when it could not draw the visitor's."""
    ss = st.session_state
    kept = dict(ss.get(KEPT, {}))
    drawn = (surface, formula)
    if kept.get(page) == PENDING:
        kept[page] = drawn
    elif kept.get(page) != drawn:
        kept.pop(page, None)
        shown = ss.get(SHOWN)
        if not isinstance(shown, Shown) or (shown.surface, shown.formula) != drawn:
            ss[SHOWN] = Shown(surface, formula, title, page)
    ss[KEPT] = kept


def arriving(page: str, names: Collection[str], own: str | None) -> Arrival:
    """Where ``page``, which draws the landscapes ``names`` (registry names) and now shows
    ``own`` (None: none chosen yet, or a formula), opens when the URL has no link (the
    sidebar's navigation) and the visitor last looked at another page's landscape: on that
    landscape, if ``page`` can draw it; else on its own, with a note saying why."""
    ss = st.session_state
    shown = ss.get(SHOWN)
    if st.query_params or not isinstance(shown, Shown) or shown.page == page:
        return Arrival(None, "")
    if not shown.formula and shown.surface in names:
        return Arrival(None if shown.surface == own else shown.surface, "")
    ss[KEPT] = {**ss.get(KEPT, {}), page: PENDING}
    where = PAGE_NAMES.get(shown.page, "the other page")
    if shown.formula:
        return Arrival(None, f"This page does not draw typed formulas: the formula on {where} "
                             "stays there.")
    return Arrival(None, f"This page does not draw data losses: {shown.title} stays on {where}.")

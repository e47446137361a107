"""After a run a click cut short, every page resends its controls' values (app_pages/common/
resync.py) without an error, a warning or a changed value. The browser case itself (lost values,
then a page reset to the controls' minimums) is tests/e2e/test_race.py::
test_a_click_during_a_links_first_run_keeps_the_links_settings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from streamlit.runtime.scriptrunner import RerunData, RerunException, StopException
from streamlit.testing.v1 import AppTest

from app_pages.common import resync
from app_pages.common.resync import FINISHED, STARTED
from tests.app.test_fuzz import app_test

PAGES = ["app_pages/race.py", "app_pages/learning_rate.py", "app_pages/basins.py",
         "app_pages/concepts.py", "app_pages/neural_network.py"]
KINDS = ("slider", "number_input", "selectbox", "multiselect", "radio", "toggle", "text_input",
         "checkbox", "select_slider", "segmented_control")


def _widgets(at: AppTest) -> dict[str, Any]:
    """Every keyed widget's value on the page."""
    return {w.key: w.value for kind in KINDS for w in at.get(kind) if getattr(w, "key", None)}


def _messages(at: AppTest) -> list[str]:
    return [e.value for kind in ("warning", "error") for e in at.get(kind)]


@pytest.mark.parametrize("page", PAGES, ids=[p.split("/")[1][:-3] for p in PAGES])
def test_a_page_resends_its_values_after_a_cut_short_run(page, monkeypatch) -> None:
    """Every keyed value on every page can be set to itself: no read-only key (a button's, a
    chart's selection) slips through, and nothing on the page changes."""
    at = app_test(page).run()
    assert not at.exception and at.session_state[FINISHED] == at.session_state[STARTED]
    before, messages = _widgets(at), _messages(at)
    assert len(before) >= 3  # the page has controls to resend
    counts: list[int] = []
    reported: list[set[str]] = []
    real, real_reported = resync.resend_state, resync.reported_keys
    monkeypatch.setattr(resync, "resend_state",
                        lambda skip=(): counts.append(real()) or counts[-1])  # resend all
    monkeypatch.setattr(resync, "reported_keys",
                        lambda: reported.append(real_reported()) or reported[-1])
    at.session_state[FINISHED] = 0  # as a click leaves a run it interrupted
    at.run()
    assert not at.exception, at.exception
    assert counts and counts[0] >= len(before)
    # AppTest reports every widget it holds, as a browser does: those would not be resent
    assert set(before) <= reported[0]
    assert _widgets(at) == before and _messages(at) == messages


class _State(dict):
    """Session state as the tests need it: a dict with SessionStateProxy's to_dict."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self)


def test_resend_skips_what_the_browser_reported(monkeypatch) -> None:
    """The browser sends every widget it shows with each request; those it has are not
    resent (one would overwrite a newer "+" click), the rest are."""
    ss = _State({"race.steps": 500, "race.seed": 3, "race.view": "Map", "race.map": {"a": 1}})
    writes: list[str] = []

    class Recording(_State):
        def __setitem__(self, key: str, value: Any) -> None:
            writes.append(key)
            super().__setitem__(key, value)

    ss = Recording(ss)
    monkeypatch.setattr(resync, "st", SimpleNamespace(session_state=ss))
    assert resync.resend_state(skip={"race.seed"}) == 2
    assert writes == ["race.steps", "race.view"]  # not the reported seed, not the selection


def test_only_a_run_whose_page_returns_is_finished(monkeypatch) -> None:
    """An interrupted run ends in StopException (fast reruns) or RerunException, as st.stop()
    does: none of them counts as finished, and the next run resends first."""
    ss = _State({"race.steps": 500})
    monkeypatch.setattr(resync, "st", SimpleNamespace(session_state=ss, query_params=_State()))
    resent: list[int] = []
    monkeypatch.setattr(resync, "resend_state",
                        lambda skip=(): resent.append(ss[STARTED]) or 0)
    monkeypatch.setattr(resync, "reported_keys", set)

    def page(error: BaseException | None = None) -> SimpleNamespace:
        def run() -> None:
            if error is not None:
                raise error
        return SimpleNamespace(run=run, url_path="home")

    resync.run_page(page())  # a session's first run: nothing to resend
    resync.run_page(page())
    assert ss[STARTED] == ss[FINISHED] == 2 and resent == []
    for error in (StopException(), RerunException(RerunData())):
        with pytest.raises(type(error)):
            resync.run_page(page(error))
    assert ss[STARTED] == 4 and ss[FINISHED] == 2
    assert resent == [3]  # the run after the stopped one resent
    resync.run_page(page())
    assert resent == [3, 4] and ss[STARTED] == ss[FINISHED] == 5
    resync.run_page(page())
    assert resent == [3, 4]


LINKS = {"app_pages/race.py": {"surface": "rastrigin", "optimizers": "sgd,adam,lion",
                                "steps": "200", "seed": "7"},
         "app_pages/learning_rate.py": {"surface": "himmelblau", "optimizers": "adam",
                                        "steps": "120", "lr_min": "0.001", "lr_max": "0.5"},
         "app_pages/basins.py": {"surface": "rastrigin", "optimizers": "sgd,adam", "grid": "20",
                                 "steps": "150"},
         "app_pages/neural_network.py": {"dataset": "circles", "optimizers": "sgd,adam",
                                         "epochs": "10", "batch": "16"}}


@pytest.mark.parametrize("page", list(LINKS), ids=[p.split("/")[1][:-3] for p in LINKS])
def test_a_page_opened_again_shows_what_it_showed(page) -> None:
    """Streamlit drops the values of widgets another page's run does not draw, and a page seeds
    from its link once per session: back through the sidebar, basins showed 10 cells, 10 steps
    and no optimizers, and the race no optimizers. Now its last values are put back."""
    at = app_test(page, LINKS[page]).run()
    assert not at.exception
    before, messages = _widgets(at), _messages(at)
    other = "app_pages/concepts.py" if page != "app_pages/concepts.py" else "app_pages/race.py"
    at.switch_page(other).run()
    assert not at.exception and _widgets(at) != before
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert _widgets(at) == before and _messages(at) == messages


@pytest.mark.parametrize("page", PAGES, ids=[p.split("/")[1][:-3] for p in PAGES])
def test_a_link_full_of_junk_draws_a_few_warnings_not_hundreds(page) -> None:
    """500 unknown parameters drew 500 warning boxes (the race page ~38,000 px tall); then
    five boxes and a list, which still pushed the race's map off a laptop's screen: one box."""
    from app_pages.common.controls import MAX_LISTED

    at = app_test(page, {f"k{i}": str(i) for i in range(500)}).run()
    assert not at.exception
    (text,) = [w.value for w in at.warning]
    assert text.startswith("The link has 500 problems")
    assert text.count("\n- ") == MAX_LISTED
    assert f"{500 - MAX_LISTED} more problems" in text, text


def test_a_page_that_stopped_early_is_kept_as_it_was_for_its_next_visit() -> None:
    """A run that ends early on purpose (a refused formula: nothing to race) counts as
    finished (``resync.stop_here``): the refused link's race, after the tour, came back as the
    built-in six-hump camel with no optimizers, its formula gone (``st.stop()`` read as a run a
    click cut short, whose values are not kept)."""
    at = app_test("app.py", {"formula": "x**2++", "optimizers": "sgd,adam"}).run()
    assert at.session_state[FINISHED] == at.session_state[STARTED]
    before = _widgets(at)
    assert before["race.mode"] == "Type a formula" and before["race.formula"] == "x**2++"
    for page in ("app_pages/concepts.py", "app_pages/race.py"):
        at.query_params.clear()  # as the sidebar's navigation opens a page
        at.switch_page(page).run()
        assert not at.exception, at.exception
    assert _widgets(at) == before
    at.radio(key="race.mode").set_value("Built-in").run()
    assert at.multiselect(key="race.opt").value == ["sgd", "adam"]

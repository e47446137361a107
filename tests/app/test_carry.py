"""A page opened from the sidebar shows the landscape the visitor was looking at (app_pages/
common/carry.py), through app.py's navigation as a visitor moves. The browser's own sidebar
click is tests/e2e/test_lab_pages.py::test_the_sidebar_carries_the_landscape_to_the_next_page."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from app_pages.common import carry
from tests.app.conftest import app_test

RACE, LAB, BASINS, TOUR = ("app_pages/race.py", "app_pages/learning_rate.py",
                           "app_pages/basins.py", "app_pages/concepts.py")


def _go(at: AppTest, page: str) -> AppTest:
    """Open ``page`` as the sidebar's link does: without the URL's query."""
    at.query_params.clear()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _values(at: AppTest, prefix: str) -> dict[str, Any]:
    """The page's keyed sidebar controls (the carried landscape's start and rates among them)."""
    kinds = ("slider", "number_input", "selectbox", "multiselect", "toggle", "radio")
    return {w.key: w.value for kind in kinds for w in at.sidebar.get(kind)
            if getattr(w, "key", None) and w.key.startswith(prefix)}


def _infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def test_a_page_opened_for_the_first_time_opens_as_a_link_to_the_landscape_would() -> None:
    """Himmelblau on the race, then the lab and the basins page from the sidebar: each opens on
    Himmelblau with exactly what a link naming only the surface gives (its own preset's
    optimizers, start and rates), and its URL says so."""
    at = app_test("app.py", {"surface": "himmelblau"}).run()
    assert not at.exception
    for page, prefix in ((LAB, "lab."), (BASINS, "basins.")):
        _go(at, page)
        assert at.selectbox(key=f"{prefix}surface").value == "himmelblau"
        assert at.query_params["surface"] == "himmelblau"
        fresh = app_test(page, {"surface": "himmelblau"}).run()
        assert _values(at, prefix) == _values(fresh, prefix)
        assert not _infos(at) or all("does not draw" not in i for i in _infos(at))


def test_a_page_seen_before_switches_as_if_picked_in_its_own_box() -> None:
    """The lab on its six-hump camel with a rate of the visitor's own; then the race on
    Rastrigin; back in the lab: Rastrigin, with Rastrigin's start and rates (what picking it in
    the lab's box gives), and the lab's other settings kept."""
    at = app_test("app.py").run()
    _go(at, LAB)
    assert at.selectbox(key="lab.surface").value == "six_hump_camel"
    at.sidebar.slider(key="lab.steps").set_value(120).run()
    picked = app_test(LAB).run()
    picked.sidebar.slider(key="lab.steps").set_value(120).run()
    picked.selectbox(key="lab.surface").set_value("rastrigin").run()
    _go(at, RACE)
    at.selectbox(key="race.surface").set_value("rastrigin").run()
    _go(at, LAB)
    assert at.selectbox(key="lab.surface").value == "rastrigin"
    assert _values(at, "lab.") == _values(picked, "lab.")
    assert at.query_params["surface"] == "rastrigin"


def test_the_same_landscape_leaves_a_page_as_it_was() -> None:
    """Back to a page whose landscape is the one the visitor last looked at: nothing is reset
    (the basins page's own steps and grid stay)."""
    at = app_test("app.py").run()
    _go(at, BASINS)
    at.sidebar.slider(key="basins.steps").set_value(60).run()
    at.sidebar.slider(key="basins.grid").set_value(30).run()
    before = _values(at, "basins.")
    _go(at, RACE)
    at.selectbox(key="race.surface").set_value(before["basins.surface"]).run()
    _go(at, BASINS)
    assert _values(at, "basins.") == before


def test_a_page_that_cannot_draw_the_landscape_keeps_its_own_and_says_why() -> None:
    """A data loss has no basin map; a typed formula is the race's alone. The page keeps its
    landscape and says what stayed where; the next run says nothing more."""
    at = app_test("app.py", {"surface": "linear_regression"}).run()
    _go(at, BASINS)
    assert at.selectbox(key="basins.surface").value == "two_basins"
    assert ("This page does not draw data losses: Linear regression (mean squared error) "
            "stays on the race.") in _infos(at)
    at.sidebar.slider(key="basins.steps").set_value(60).run()
    assert not any("does not draw" in i for i in _infos(at))
    # what the basins page kept is not the visitor's pick: the lab, which draws data losses,
    # opens on the race's, and the race still shows it
    _go(at, LAB)
    assert at.selectbox(key="lab.surface").value == "linear_regression"
    _go(at, RACE)
    assert at.selectbox(key="race.surface").value == "linear_regression"
    typed = app_test("app.py", {"formula": "x**2 + 3*y**2", "start": "1,1"}).run()
    _go(typed, LAB)
    assert typed.selectbox(key="lab.surface").value == "six_hump_camel"
    assert ("This page does not draw typed formulas: the formula on the race stays "
            "there.") in _infos(typed)
    for page in (BASINS, RACE):  # the formula stayed behind: the race still races it
        _go(typed, page)
    assert typed.radio(key="race.mode").value == "Type a formula"
    assert typed.text_input(key="race.formula").value == "x**2 + 3*y**2"
    assert (typed.number_input(key="race.start.x").value,
            typed.number_input(key="race.start.y").value) == (1.0, 1.0)


def test_a_page_that_kept_its_own_landscape_passes_it_on_once_the_visitor_changes_it() -> None:
    """The lab on logistic regression; the basins page keeps its own; back in the lab,
    logistic regression. Then a surface picked on the basins page is the visitor's: the lab
    follows it."""
    at = app_test("app.py").run()
    _go(at, LAB)
    at.selectbox(key="lab.surface").set_value("logistic_regression").run()
    _go(at, BASINS)
    assert at.selectbox(key="basins.surface").value == "two_basins"
    _go(at, LAB)
    assert at.selectbox(key="lab.surface").value == "logistic_regression"
    _go(at, BASINS)
    at.selectbox(key="basins.surface").set_value("booth").run()
    _go(at, LAB)
    assert at.selectbox(key="lab.surface").value == "booth"


def test_an_empty_formula_box_carries_nothing() -> None:
    """The race of ``formula=`` draws nothing: the basins page opens on its own default,
    silently (it opened on the race's hidden built-in surface)."""
    at = app_test("app.py", {"formula": ""}).run()
    _go(at, BASINS)
    assert at.selectbox(key="basins.surface").value == "two_basins"
    assert not any("does not draw" in i for i in _infos(at))


def test_back_and_forward_show_a_pages_last_state_not_the_carried_landscape() -> None:
    """Back opens a page with its old link: the race on Himmelblau from (2, 2) stays so, though
    the lab picked Rastrigin since (the carry made it Rastrigin at its preset start). The page
    it comes back to is then what the visitor looks at."""
    at = app_test("app.py", {"surface": "himmelblau", "start": "2,2", "steps": "100"}).run()
    link = dict(at.query_params)
    _go(at, LAB)
    at.selectbox(key="lab.surface").set_value("rastrigin").run()
    at.query_params.clear()
    for key, value in link.items():
        at.query_params[key] = value
    at.switch_page(RACE).run()
    assert not at.exception
    assert at.selectbox(key="race.surface").value == "himmelblau"
    assert (at.number_input(key="race.start.x").value,
            at.number_input(key="race.start.y").value) == (2.0, 2.0)
    _go(at, BASINS)
    assert at.selectbox(key="basins.surface").value == "himmelblau"


def test_a_page_between_carries_nothing_and_the_race_leaves_its_formula_held() -> None:
    """The tour draws no landscape of these: race (Booth) -> tour -> lab opens the lab on Booth.
    A race showing a typed formula, when the lab carries a surface back to it, draws that
    surface; its formula is still there for the formula mode."""
    at = app_test("app.py", {"surface": "booth"}).run()
    _go(at, TOUR)
    _go(at, LAB)
    assert at.selectbox(key="lab.surface").value == "booth"
    at.selectbox(key="lab.surface").set_value("himmelblau").run()
    at.query_params.clear()
    at.switch_page(RACE)
    at.session_state["race.mode"] = "Type a formula"
    at.session_state["race.formula.held"] = "x**2 + y**2"
    at.session_state[carry.SHOWN] = carry.Shown("himmelblau", "", "Himmelblau",
                                                "learning_rate")
    at.run()
    assert not at.exception
    assert at.radio(key="race.mode").value == "Built-in"
    assert at.selectbox(key="race.surface").value == "himmelblau"
    assert at.session_state["race.formula.held"] == "x**2 + y**2"


def test_a_rerun_of_the_same_page_carries_nothing() -> None:
    """Only a page opened without a link carries: its first run writes its link, so the
    visitor's own pick in the box after that is kept (the race's Booth, still the landscape
    noted when the pick's run starts, would have put it back)."""
    at = app_test("app.py", {"surface": "booth"}).run()
    _go(at, LAB)
    assert at.session_state[carry.SHOWN].surface == "booth"
    at.selectbox(key="lab.surface").set_value("himmelblau").run()
    assert at.selectbox(key="lab.surface").value == "himmelblau"
    shown = at.session_state[carry.SHOWN]
    assert (shown.surface, shown.formula, shown.page) == ("himmelblau", "", "learning_rate")

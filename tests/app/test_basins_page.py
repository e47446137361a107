"""The basins page in AppTest: default render, URL parameters (valid and junk), a clicked cell."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.conftest import app_test, charts, decode, race_link_query

PAGE = "app_pages/basins.py"
SMALL = {"grid": "20", "steps": "100"}


def heat_z(spec: dict) -> np.ndarray:
    """The heatmap's z, decoded."""
    return decode(next(t for t in spec["data"] if t["type"] == "heatmap")["z"])


def test_default_page_draws_one_map_per_default_optimizer_and_the_baselines() -> None:
    at = app_test(PAGE).run()
    assert not at.exception
    assert len(charts(at)) == 3
    table = at.dataframe[0].value
    assert len(table) == 5
    assert any("Random search" in m for m in table["method"])
    assert at.query_params["surface"] == "two_basins"
    assert at.query_params["grid"] == "60"
    assert not at.warning


def test_url_parameters_set_surface_grid_optimizers_and_rates() -> None:
    query = {**SMALL, "surface": "himmelblau", "optimizers": "adam,sgd", "adam.lr": "0.05"}
    at = app_test(PAGE, query).run()
    assert not at.exception and not at.warning
    maps = charts(at)
    assert len(maps) == 2
    assert heat_z(maps[0]).shape == (20, 20)
    assert "Adam (lr 0.05)" in maps[0]["layout"]["title"]["text"]
    assert at.query_params["adam.lr"] == "0.05"
    assert at.query_params["steps"] == "100"
    # Himmelblau: four global minima, so (almost) every cell is a success
    assert at.dataframe[0].value["success rate"].iloc[0] > 90  # percent


def test_a_full_link_reads_back_unchanged() -> None:
    """Every setting of a shared link survives the first run: gradient noise was dropped (the
    page draws it from ``basins.noise.held``, which seeding did not set) and the maps were the
    noise-free ones."""
    query = {"surface": "himmelblau", "optimizers": "adam,sgd", "steps": "100",
             "start": "1.0,-2.5", "seed": "3", "noise": "0.5", "adam.lr": "0.05",
             "sgd.lr": "0.01", "grid": "20"}
    at = app_test(PAGE, query).run()
    assert not at.exception and not at.warning
    assert at.number_input(key="basins.noise").value == 0.5
    assert dict(at.query_params) == query
    calm = app_test(PAGE, {**query, "noise": "0"}).run()
    assert charts(calm) != charts(at)  # the noise reaches the maps


@pytest.mark.parametrize(("key", "bad"), [
    ("grid", "NaN"), ("grid", "5000"), ("surface", "no_such_surface"), ("optimizers", "zzz"),
    ("steps", "-3"), ("adam.lr", "1e999"), ("seed", "x"), ("formula", "x**2"),
])
def test_junk_parameters_warn_and_fall_back(key: str, bad: str) -> None:
    at = app_test(PAGE, {**SMALL, key: bad}).run()
    assert not at.exception
    assert at.warning, f"no warning for {key}={bad}"
    assert len(charts(at)) >= 1


def test_a_clicked_cell_links_to_the_race_with_that_start_and_these_settings() -> None:
    at = app_test(PAGE, {**SMALL, "optimizers": "adam,momentum"}).run()
    at.session_state["basins.map.0"] = {"selection": {"points": [{"x": 1.9, "y": -1.5}],
                                                      "point_indices": [0], "box": [],
                                                      "lasso": []}}
    at.run()
    assert not at.exception
    q = race_link_query(at)
    assert q["start"] == "1.9,-1.5"
    assert q["optimizers"] == "adam,momentum"
    assert q["surface"] == "two_basins" and q["steps"] == "100"
    assert float(q["adam.lr"]) == float(at.query_params["adam.lr"])


def _select(x: float, y: float) -> dict:
    return {"selection": {"points": [{"x": x, "y": y}], "point_indices": [0], "box": [],
                          "lasso": []}}


def test_the_latest_click_wins_on_any_map_and_the_link_follows_at_once() -> None:
    """Each map keeps its selection: the page took the last map that had one, so after a click
    on the second map every click on the first was ignored; and the page's own link kept the
    previous start until the next run."""
    at = app_test(PAGE, {**SMALL, "optimizers": "adam,momentum"}).run()
    at.session_state["basins.map.1"] = _select(2.0, 2.0)
    at.run()
    assert at.query_params["start"] == race_link_query(at)["start"] == "2.0,2.0"
    at.session_state["basins.map.0"] = _select(-1.5, 0.5)
    at.run()
    assert not at.exception
    assert at.query_params["start"] == "-1.5,0.5" and race_link_query(at)["start"] == "-1.5,0.5"
    at.sidebar.number_input(key="basins.seed").set_value(3).run()  # another change: still there
    assert race_link_query(at)["start"] == "-1.5,0.5"


def test_a_start_clicked_on_one_surface_is_not_kept_outside_the_next_ones_map() -> None:
    """A cell at (3.7, 3.8) on Two basins is off Six-hump camel's map ([-3, 3] x [-2, 2]):
    the link then carries that surface's own start, which opens without a warning."""
    at = app_test(PAGE, SMALL).run()
    at.session_state["basins.map.0"] = {"selection": {"points": [{"x": 3.7, "y": 3.8}],
                                                      "point_indices": [0], "box": [],
                                                      "lasso": []}}
    at.run()
    assert at.session_state["basins.start"] == (3.7, 3.8)
    at.sidebar.selectbox(key="basins.surface").set_value("six_hump_camel").run()
    assert not at.exception
    x, y = (float(v) for v in str(at.query_params["start"]).strip("[]'").split(","))
    assert -3 <= x <= 3 and -2 <= y <= 2
    again = app_test(PAGE, {k: str(v).strip("[]'") for k, v in at.query_params.items()}).run()
    assert not again.exception and not again.warning


def test_maps_come_two_to_a_row_and_say_the_rates_are_not_tuned() -> None:
    """Three maps to a row were ~65 px wide on a 1000 px window; and "Nesterov 0%" read as a
    verdict on Nesterov, when its rate is only the landscape's preset."""
    at = app_test(PAGE, {**SMALL, "optimizers": "sgd,nesterov,adam"}).run()
    assert not at.exception
    assert len(charts(at)) == 3
    assert len(at.main.columns) == 2
    note = next(c.value for c in at.caption if "not tuned" in c.value)
    assert "not a verdict" in note
    link = note[note.index("](") + 2:note.index(")", note.index("]("))]
    assert link.startswith("./learning_rate?") and "optimizers=sgd%2Cnesterov%2Cadam" in link


def test_a_phone_is_told_to_tap_a_square_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """A phone's first tap on a map is lost (Plotly selects with the previous tap's hover data),
    so the page tells a phone to tap a square twice."""
    from app_pages.common import controls

    laptop = app_test(PAGE, SMALL).run()
    assert laptop.info[0].value.startswith("Click a square on a map")
    monkeypatch.setattr(controls, "is_phone", lambda: True)
    phone = app_test(PAGE, SMALL).run()
    assert not phone.exception
    assert phone.info[0].value.startswith("Tap a square twice on a map")
    assert "**Tap a square twice** to pick that start" in phone.markdown[0].value


def test_many_maps_share_the_page_s_work_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """One map per optimizer: the steps are cut so that all the maps together fit the page's
    budget, and the note says that fewer optimizers would allow more."""
    from dataclasses import replace

    from app_pages.common import limits

    monkeypatch.setitem(limits.LIMITS, "basins_page_work",
                        replace(limits.LIMITS["basins_page_work"], value=3 * 20 * 20 * 50))
    at = app_test(PAGE, {**SMALL, "optimizers": "sgd,momentum,adam"}).run()
    assert not at.exception
    assert at.query_params["steps"] == "50"
    assert any("3 maps" in i.value and "Fewer cells or optimizers" in i.value for i in at.info)
    alone = app_test(PAGE, {**SMALL, "optimizers": "adam"}).run()
    assert alone.query_params["steps"] == "100"

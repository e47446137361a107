"""The basins page in AppTest: default render, URL parameters (valid and junk), a clicked cell."""

from __future__ import annotations

import json

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
    # the medians are text ("never"), right-aligned as the numbers beside them
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["median steps"]["alignment"] == columns["median evaluations"]["alignment"] \
        == "right"


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


def _picked_squares(at) -> list[list[tuple[float, float]]]:
    """Per map, where it draws the picked start (an empty list: none)."""
    return [[(t["x"][0], t["y"][0]) for t in c["data"] if t.get("name") == "picked start"]
            for c in charts(at)]


def test_a_clicked_cell_is_drawn_on_every_map_and_nowhere_before() -> None:
    """The click markers draw one SVG marker (Plotly's selection style no longer shows the
    clicked cell), so the page draws the picked start itself: on every map, where that start
    lies in each optimizer's basins."""
    at = app_test(PAGE, {**SMALL, "optimizers": "adam,momentum"}).run()
    assert _picked_squares(at) == [[], []]
    at.session_state["basins.map.1"] = _select(3.7, 3.8)
    at.run()
    assert not at.exception
    assert _picked_squares(at) == [[(3.7, 3.8)], [(3.7, 3.8)]]
    at.sidebar.selectbox(key="basins.surface").set_value("six_hump_camel").run()
    assert _picked_squares(at) == [[], []]  # that start is not on this map


def test_a_pick_lasts_while_it_is_a_cell_of_the_grid_as_its_link_does() -> None:
    """A link keeps a pick only as a cell of its own grid, but the page kept it after the grid
    changed: its link then opened without the pick, its marker or its button."""
    at = app_test(PAGE, {**SMALL, "optimizers": "adam"}).run()
    at.session_state["basins.map.0"] = _select(3.7, 3.8)
    at.run()
    assert _picked_squares(at) == [[(3.7, 3.8)]] and at.get("link_button")
    at.sidebar.slider(key="basins.grid").set_value(int(SMALL["grid"]) + 10).run()
    shared = app_test(PAGE, dict(at.query_params)).run()
    for page in (at, shared):
        assert _picked_squares(page) == [[]] and not page.get("link_button"), page.query_params


def test_a_pick_that_is_also_a_cell_of_the_new_grid_stays_picked_as_in_its_link() -> None:
    """A 20 x 20 cell's centre (1.4, -1.0) is a centre of the 60 x 60 grid too, and the link
    there keeps it picked: so does the page."""
    import landscape
    from app_pages.common import basins

    _, _, starts = basins.start_grid(landscape.get_surface("two_basins").domain, 20)
    x, y = (float(v) for v in starts[7 * 20 + 13])
    at = app_test(PAGE, {**SMALL, "optimizers": "adam"}).run()
    at.session_state["basins.map.0"] = _select(x, y)
    at.run()
    at.sidebar.slider(key="basins.grid").set_value(60).run()
    shared = app_test(PAGE, dict(at.query_params)).run()
    for page in (at, shared):
        assert _picked_squares(page) == [[(x, y)]] and page.get("link_button"), page.query_params


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
    # A row of two columns per pair of maps, so a phone (which stacks columns) reads them in
    # order: one pair of columns for all maps put the third map second there.
    cols = at.main.columns
    assert len(cols) == 4
    per_col = [[json.loads(c.proto.spec)["layout"]["title"]["text"]
                for c in col.get("plotly_chart")] for col in cols]
    assert [len(t) for t in per_col] == [1, 1, 1, 0]
    assert [t[0].split("</span> ")[1].split(" (")[0] for t in per_col[:3]] == [
        "SGD", "Nesterov momentum", "Adam"]
    note = next(c.value for c in at.caption if "not tuned" in c.value)
    assert "not a verdict" in note
    link = note[note.index("](") + 2:note.index(")", note.index("]("))]
    assert link.startswith("./learning_rate?") and "optimizers=sgd%2Cnesterov%2Cadam" in link


def test_a_phone_is_told_to_tap_a_square_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """A phone's first tap on a map is lost (Plotly selects with the previous tap's hover data),
    so the page tells a phone to tap a square twice."""
    from app_pages.common import controls

    laptop = app_test(PAGE, SMALL).run()
    assert laptop.info[0].value.startswith("Click a square (on a touch screen: tap it twice) "
                                           "on a map")
    monkeypatch.setattr(controls, "is_phone", lambda: True)
    phone = app_test(PAGE, SMALL).run()
    assert not phone.exception
    assert phone.info[0].value.startswith("Tap a square twice on a map")
    # said once, above the maps, not again in the intro (a review)
    assert not any("a square" in m.value for m in [*phone.markdown, *laptop.markdown])


def test_many_maps_share_the_page_s_work_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """One map per optimizer: the steps are cut so that all the maps together fit the page's
    budget, and the note says that fewer optimizers would allow more."""
    from dataclasses import replace

    from app_pages.common import limits

    monkeypatch.setitem(limits.LIMITS, "basins_page_work",
                        replace(limits.LIMITS["basins_page_work"], value=3 * 20 * 20 * 50))
    at = app_test(PAGE, {**SMALL, "optimizers": "sgd,momentum,adam"}).run()
    assert not at.exception
    assert any("3 maps" in i.value and "using 50 steps" in i.value
               and "Fewer cells or optimizers" in i.value for i in at.info)
    at.session_state["basins.map.0"] = _select(2.0, -1.6)
    at.run()
    assert race_link_query(at)["steps"] == "50"  # the race runs what the map ran
    alone = app_test(PAGE, {**SMALL, "optimizers": "adam"}).run()
    assert alone.query_params["steps"] == "100"


def test_a_clamped_step_count_reads_the_same_in_the_slider_and_the_link(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """grid=200&steps=1000 ran 500 steps and wrote steps=500 to the link while the slider showed
    1000. Both keep the asked 1000 (a link replays the same clamp; fewer cells give it back),
    and the slider's caption says how many steps ran."""
    from dataclasses import replace

    from app_pages.common import limits

    monkeypatch.setitem(limits.LIMITS, "basins_page_work",
                        replace(limits.LIMITS["basins_page_work"], value=3 * 20 * 20 * 50))
    at = app_test(PAGE, {**SMALL, "optimizers": "sgd,momentum,adam"}).run()
    assert not at.exception
    assert at.sidebar.slider(key="basins.steps").value == 100
    assert at.query_params["steps"] == "100"
    assert any(c.value.startswith("Runs 50 steps") for c in at.sidebar.caption)
    at.sidebar.slider(key="basins.steps").set_value(200).run()
    assert at.query_params["steps"] == "200" and at.sidebar.slider(key="basins.steps").value == 200
    at.sidebar.slider(key="basins.grid").set_value(10).run()  # a quarter of the cells: 200 fit
    assert at.query_params["steps"] == "200"
    assert not any(c.value.startswith("Runs") for c in at.sidebar.caption)


def _click_points(spec: dict) -> tuple[list[float], list[float]]:
    """The x and y of a map's click markers, as the browser has them."""
    from viz.basins import CLICK_NAME

    click = next(t for t in spec["data"] if t["name"] == CLICK_NAME)
    return decode(click["x"]).tolist(), decode(click["y"]).tolist()


def _race_state(q: dict[str, str]):
    """The race's own reading of a race link."""
    import landscape
    import optimizers
    from app_pages.common.presets import preset_for
    from app_pages.common.state import parse_race_query

    state, warnings = parse_race_query(
        q, landscape.SURFACES, optimizers.OPTIMIZERS,
        lambda s: preset_for(s, landscape.get_surface(s), optimizers.OPTIMIZERS), "two_basins",
        ((-5.0, 5.0), (-5.0, 5.0)))
    assert not warnings
    return state


def test_a_noisy_map_s_clicked_cell_opens_the_very_start_the_map_ran() -> None:
    """The per-path noise draws are keyed on the start's exact bits: a cell at
    -1.7999999999999998 clicked as -1.8 ran another noise stream in the race, and about a third
    of the cells of a noisy map opened with another outcome than their colour."""
    import landscape
    from app_pages.common import basins
    from app_pages.common.compute import entry, trajectory
    from viz.basins import label_colors

    n = 20
    query = {"grid": str(n), "steps": "100", "optimizers": "sgd", "noise": "0.5", "seed": "3"}
    at = app_test(PAGE, query).run()
    surf = landscape.get_surface("two_basins")
    _, _, starts = basins.start_grid(surf.domain, n)
    order = np.array(sorted(label_colors(surf.minima)))
    labels = order[heat_z(charts(at)[0])]  # the map's colours, back to basin labels
    xs, ys = _click_points(charts(at)[0])
    for i, j in ((5, 7), (12, 3), (17, 14)):
        k = j * n + i
        at.session_state["basins.map.0"] = _select(xs[k], ys[k])
        at.run()
        assert not at.exception
        q = race_link_query(at)
        x, y = (float(v) for v in q["start"].split(","))
        assert (x, y) == tuple(starts[k])  # bit for bit
        race = _race_state(q)
        assert race.start == (x, y) and race.noise == 0.5 and race.seed == 3
        path = trajectory("two_basins", "", entry("sgd", race.hparams["sgd"]), race.start,
                          race.steps, race.seed, race.noise, None)
        end = basins.classify(path.points[-1][None], np.atleast_1d(path.diverged_step >= 0),
                              surf.minima, basins.capture_radius(surf.domain))
        assert end[0] == labels[j, i], (i, j)


def test_the_baselines_say_which_step_random_local_search_took() -> None:
    """The race's preset step for the surface (0.3 on Two basins), not the registry's 0.1, and
    the table says so."""
    at = app_test(PAGE, {**SMALL, "optimizers": "adam"}).run()
    methods = list(at.dataframe[0].value["method"])
    assert methods[1:] == ["Random search (baseline)", "Random local search (step 0.3, baseline)"]
    ravine = app_test(PAGE, {**SMALL, "optimizers": "adam", "surface": "ravine"}).run()
    assert "Random local search (step 0.5, baseline)" in list(ravine.dataframe[0].value["method"])


def _marker_size(spec: dict) -> float:
    from viz.basins import CLICK_NAME

    return next(t for t in spec["data"] if t["name"] == CLICK_NAME)["marker"]["size"]


def test_click_markers_fit_the_cells_of_the_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two maps a row are 300 px, one map 460 px, a phone's ~280 px: a marker wider than its cell
    put the pointer inside a neighbour's marker too, and Plotly picked the neighbour."""
    from app_pages.common import controls
    from viz.basins import PHONE_MAP_PX

    two = app_test(PAGE, {**SMALL, "optimizers": "adam,sgd"}).run()
    assert all(300 / 20 - 2 < _marker_size(s) < 300 / 20 for s in charts(two))
    one = app_test(PAGE, {**SMALL, "optimizers": "adam"}).run()
    assert 460 / 20 - 2 < _marker_size(charts(one)[0]) < 460 / 20  # less a tie's pixels
    monkeypatch.setattr(controls, "is_phone", lambda: True)
    phone = app_test(PAGE, {**SMALL, "optimizers": "adam"}).run()
    assert PHONE_MAP_PX / 20 - 2 < _marker_size(charts(phone)[0]) < PHONE_MAP_PX / 20


def test_a_link_to_a_cell_shows_that_start_picked_with_its_button() -> None:
    """A shared link whose start is a cell of the map reopens with that cell picked and the
    button to the race; a start between cells is only the start."""
    import landscape
    from app_pages.common import basins

    _, _, starts = basins.start_grid(landscape.get_surface("two_basins").domain, 20)
    x, y = (float(v) for v in starts[7 * 20 + 13])
    at = app_test(PAGE, {**SMALL, "start": f"{x!r},{y!r}"}).run()
    assert not at.exception and not at.warning
    assert race_link_query(at)["start"] == f"{x!r},{y!r}"
    assert any(s.value.startswith(f"Start ({x:.3g}, {y:.3g}) selected") for s in at.success)
    older = app_test(PAGE, {**SMALL, "start": f"{x + 1e-6!r},{y - 1e-6!r}"}).run()
    assert race_link_query(older)["start"] == f"{x!r},{y!r}"  # snapped to the cell it names
    between = app_test(PAGE, {**SMALL, "start": "1.0,-2.5"}).run()
    assert not between.get("link_button") and not between.success
    assert between.query_params["start"] == "1.0,-2.5"


def test_rates_that_are_not_the_landscape_s_picks_are_not_called_picks() -> None:
    def note(query: dict[str, str]) -> str:
        return next(c.value for c in app_test(PAGE, {**SMALL, **query}).run().caption
                    if "not a verdict" in c.value)

    assert note({"optimizers": "sgd,adam"}).startswith("The learning rates are picked")
    # not called untuned either: the lab's tuned rates gave a review this page's link, and the
    # page said they were not tuned (the lab tunes for one start, not for a map's)
    assert note({"optimizers": "sgd,adam", "sgd.lr": "0.0123"}).startswith(
        "These learning rates are not this landscape's picks, and none is tuned for every start")
    # the note under the table no longer says the rates are the race's picks, whatever they are
    at = app_test(PAGE, {**SMALL, "optimizers": "sgd,adam", "sgd.lr": "0.0123"}).run()
    assert not any("The rates are the race's" in c.value for c in [*at.caption, *at.markdown])


def test_a_phone_lists_every_method_s_success_rate_under_the_table(monkeypatch) -> None:
    """A phone's table showed the names and cut "success rate" at the screen's edge."""
    from app_pages.common import controls

    monkeypatch.setattr(controls, "is_phone", lambda: True)
    at = app_test(PAGE, {**SMALL, "optimizers": "adam,momentum"}).run()
    assert not at.exception
    table = at.dataframe[0].value
    listed = next(m.value for m in at.markdown if m.value.startswith("- **"))
    lines = listed.split("\n")
    assert len(lines) == len(table)  # two optimizers and the two baselines
    for line, (method, rate) in zip(lines, zip(table["method"], table["success rate"],
                                               strict=True), strict=True):
        assert line.startswith(f"- **{method}**: {rate:.1f}% reach the global minimum")
    laptop = app_test(PAGE, {**SMALL, "optimizers": "adam,momentum"})
    monkeypatch.setattr(controls, "is_phone", lambda: False)
    assert not any(m.value.startswith("- **") for m in laptop.run().markdown)


def test_with_noise_the_caption_says_arriving_need_not_be_settling() -> None:
    """With gradient noise SGD's 75 successes on Two basins all read "oscillating near global
    minimum" in the race, none "reached" (a review): the caption says arriving is where a path
    ends, settled or not, and in the race's words."""
    at = app_test(PAGE, {"surface": "two_basins", "noise": "0.5", "grid": "30"}).run()
    assert not at.exception
    said = next(m.value for m in at.markdown if "has **arrived**" in m.value)
    assert "settled there or not" in said and "'oscillating near'" in said
    assert "gradient noise" in said
    # without noise too: on Easom in 10 steps 863 starts arrived, 1 of them settled (a review)
    calm = app_test(PAGE, {"surface": "two_basins", "grid": "30"}).run()
    said = next(m.value for m in calm.markdown if "has **arrived**" in m.value)
    assert "settled there or not" in said and "gradient noise" not in said


def test_medians_are_shown_as_they_are_not_rounded_half_to_even() -> None:
    """A review: random search's median steps 136.5 and evaluations 137.5 (always one more) read
    136 and 138 on Himmelblau."""
    table = app_test(PAGE, {"surface": "himmelblau"}).run().dataframe[0].value
    row = table[table["method"].str.startswith("Random search")].iloc[0]
    steps, evals = float(row["median steps"]), float(row["median evaluations"])
    assert evals - steps == 1 and steps != int(steps)  # this map's median falls between two

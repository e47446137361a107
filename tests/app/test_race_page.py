"""AppTest of the race page: default render, every control, URL parameters valid and junk."""

from __future__ import annotations

import json
import re

import pytest

from app_pages.common.limits import limit
from tests.app.conftest import app_test, button, charts

PAGE = "app_pages/race.py"


def run(query: dict[str, str] | None = None):
    at = app_test(PAGE, query=query).run()
    assert not at.exception, at.exception
    return at


def table(at):
    return at.dataframe[0].value


def panel_titles(spec: dict) -> list[str]:
    """The titles of the curve panels under the map (the map's own labels, "start" and the
    minima's, are annotations in data coordinates)."""
    return [a["text"] for a in spec["layout"].get("annotations", []) if a.get("xref") == "paper"]


def chart_bytes(at) -> int:
    return sum(len(c.proto.spec) for c in at.get("plotly_chart"))


@pytest.fixture(scope="module")
def landing():
    return run()


def test_landing_race_renders_and_the_optimizers_disagree(landing) -> None:
    df = table(landing)
    assert len(df) == 6
    outcomes = " | ".join(df["outcome"])
    assert "reached global minimum" in outcomes and "stuck in local minimum" in outcomes
    assert "still moving" in outcomes or "diverged" in outcomes
    assert not landing.warning and not landing.error
    assert landing.title[0].value.startswith("Downhill")
    assert len(landing.get("plotly_chart")) == 1  # the map, its curves under it (3D is lazy)
    spec = json.loads(landing.get("plotly_chart")[0].proto.spec)
    titles = panel_titles(spec)
    assert titles == ["<b>Loss above the global minimum (log)</b>",
                      "<b>Distance to nearest global min (log)</b>"]


def test_default_race_sends_at_most_1_5_mb_of_figure_json(landing) -> None:
    assert chart_bytes(landing) <= 1_500_000
    spec = json.loads(landing.get("plotly_chart")[0].proto.spec)
    assert 100 <= len(spec["frames"]) <= 150  # a frame per step shown


def test_url_is_written_back(landing) -> None:
    q = landing.query_params
    assert q["surface"] == ["six_hump_camel"] or q["surface"] == "six_hump_camel"
    text = str(dict(q))
    for key in ("optimizers", "steps", "start", "seed", "adam.lr"):
        assert key in text


def test_changing_surface_resets_start_and_learning_rates() -> None:
    at = run()
    at.sidebar.selectbox(key="race.surface").set_value("rosenbrock").run()
    assert not at.exception
    assert at.sidebar.number_input(key="race.start.x").value == -1.5
    assert "rosenbrock" in str(dict(at.query_params))
    assert len(table(at)) == 6
    assert not at.sidebar.select_slider  # optimizer cards are closed: no hidden widgets built
    assert "Nesterov momentum (lr 0.001)" in list(table(at)["optimizer"])  # closed cards count
    at.session_state["race.opt.nesterov.open"] = True
    at.run()
    assert at.sidebar.select_slider(key="race.opt.nesterov.lr").value == 0.001


def test_a_setting_outlives_its_closed_card() -> None:
    at = run({"optimizers": "sgd,adam", "steps": "50"})
    at.session_state["race.opt.adam.open"] = True
    at.run()
    at.sidebar.select_slider(key="race.opt.adam.lr").set_value(0.07).run()
    at.session_state["race.opt.adam.open"] = False
    at.run()
    at.sidebar.slider(key="race.steps").set_value(60).run()  # another control, card closed
    assert not at.exception and table(at)["optimizer"][1] == "Adam (lr 0.07)"
    assert at.query_params["adam.lr"] == ["0.07"] or at.query_params["adam.lr"] == "0.07"
    at.session_state["race.opt.adam.open"] = True
    at.run()
    assert at.sidebar.select_slider(key="race.opt.adam.lr").value == 0.07


def test_changing_optimizers_steps_and_hyperparameters() -> None:
    at = run()
    at.sidebar.multiselect(key="race.opt").set_value(["adam", "lion"]).run()
    assert not at.exception and list(table(at)["optimizer"].str.split(" ").str[0]) == ["Adam",
                                                                                        "Lion"]
    at.sidebar.slider(key="race.steps").set_value(120).run()
    at.session_state["race.opt.adam.open"] = True  # open Adam's card
    at.run()
    at.sidebar.select_slider(key="race.opt.adam.lr").set_value(0.02).run()
    assert not at.exception
    assert table(at)["optimizer"][0] == "Adam (lr 0.02)"
    assert int(table(at)["evaluations"][0]) == 120
    at.sidebar.toggle(key="race.opt.adam.more").set_value(True).run()  # "More settings"
    at.sidebar.toggle(key="race.opt.adam.amsgrad").set_value(True).run()
    at.sidebar.toggle(key="race.arrows").set_value(True).run()
    assert not at.exception
    assert "adam.amsgrad=true" in "&".join(f"{k}={v}" for k, v in at.query_params.items())
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    # trail + 2 arrows each, counter, dots, and a dot trace on each curve panel
    assert sum(bool(d) for d in spec["frames"][1]["data"]) == 2 * 3 + 2 + 2
    at.sidebar.toggle(key="race.opt.adam.more").set_value(False).run()  # hide them again
    assert not at.exception and not at.sidebar.toggle(key="race.opt.adam.more").value
    assert "race.opt.adam.amsgrad" not in [t.key for t in at.sidebar.toggle]
    assert "adam.amsgrad=true" in "&".join(f"{k}={v}" for k, v in at.query_params.items())


def test_noise_and_seed_change_the_run() -> None:
    at = run({"optimizers": "sgd", "steps": "50"})
    clean = table(at)["final loss"][0]
    at.sidebar.number_input(key="race.noise").set_value(2.0).run()
    noisy = table(at)["final loss"][0]
    at.sidebar.number_input(key="race.seed").set_value(5).run()
    assert not at.exception and clean != noisy != table(at)["final loss"][0]


def test_data_loss_has_a_batch_control() -> None:
    at = run({"surface": "linear_regression", "optimizers": "sgd,adam", "batch": "8"})
    assert at.sidebar.slider(key="race.batch").value == 8
    # the map is the (w, b) plane of the line y = w x + b: the start is named so, not x and y
    assert [at.sidebar.number_input(key=f"race.start.{a}").label for a in "xy"] == ["w", "b"]
    hovers = [t.get("hovertemplate", "") for t in charts(at)[0]["data"]]
    assert sum("(w, b) = " in h for h in hovers) == 3  # the click grid and both paths
    assert at.query_params["start"] == "-1.2,1.0"  # the computed start, not 17 digits
    full = table(at)["final loss"].tolist()
    at.sidebar.slider(key="race.batch").set_value(100).run()
    assert not at.exception and table(at)["final loss"].tolist() != full


def test_formula_mode_shows_latex_and_refuses_bad_formulas() -> None:
    at = run({"formula": "(x**2 + y - 11)**2 + (x + y**2 - 7)**2", "optimizers": "adam,sgd"})
    math = [x.value for x in at.markdown if x.value.startswith("$")]
    assert [m.split("=")[0] for m in math] == [  # f, then one partial derivative per line
        "$f(x, y) ", r"$\dfrac{\partial f}{\partial x} ", r"$\dfrac{\partial f}{\partial y} "]
    assert len(table(at)) == 2
    at.sidebar.text_input(key="race.formula").set_value("__import__('os')").run()
    assert not at.exception
    assert at.sidebar.error and "refused" in at.sidebar.error[0].value
    # the link says what the page shows: the refused formula (not the last one raced), and
    # with nothing typed, the empty box
    # with the rest of the race
    assert at.query_params["formula"] == "__import__('os')"
    assert at.query_params["optimizers"] == "adam,sgd" and "surface" not in at.query_params
    refused = run({"formula": "__import__('os')"})  # the link says it was refused, once
    assert refused.warning[0].value.endswith("'formula' was refused: the sidebar says why.")
    # and opens the page it was made on: the formula in its box, refused, no race (it raced
    # the landing surface instead); the sidebar says why
    assert refused.sidebar.text_input(key="race.formula").value == "__import__('os')"
    assert "Unknown function `__import__`" in refused.sidebar.error[0].value
    assert not refused.get("plotly_chart")
    assert refused.query_params["formula"] == "__import__('os')"
    at.sidebar.text_input(key="race.formula").set_value("").run()
    assert not at.exception and at.query_params["formula"] == ""
    # ... which opens the empty formula box, not the landing race
    empty = run({"formula": ""})
    assert empty.sidebar.radio(key="race.mode").value == "Type a formula"
    assert empty.sidebar.text_input(key="race.formula").value == ""
    assert not empty.get("plotly_chart") and not empty.warning
    assert "Type a formula" in empty.info[0].value
    # a hand-made link naming a surface beside the empty formula races that surface (it
    # opened the empty box and dropped the surface, silently)
    both = run({"formula": "", "surface": "rosenbrock"})
    assert both.sidebar.radio(key="race.mode").value == "Built-in"
    assert both.session_state["race.surface"] == "rosenbrock" and both.get("plotly_chart")
    assert [w.value for w in both.warning] == [
        "URL parameter 'formula' is empty; racing the surface the link names."]


def test_the_formula_help_names_every_function_the_parser_knows() -> None:
    """It listed 13 of the 17 names (not ln, atan, asin, acos)."""
    from landscape.expression_functions import FUNCTIONS

    said = run({"formula": "x**2 + y**2"}).sidebar.text_input(key="race.formula").help
    assert all(re.search(rf"\b{name}\b", said) for name in FUNCTIONS), said


def test_typing_a_formula_then_changing_anything_keeps_working() -> None:
    """Switching to a formula hides the surface box (Streamlit then forgets its value); further
    changes, and switching back and forth, keep both the surface and the formula."""
    at = run({"surface": "himmelblau", "optimizers": "adam,sgd"})
    at.sidebar.radio(key="race.mode").set_value("Type a formula").run()
    at.sidebar.text_input(key="race.formula").set_value("x**2 + 3*sin(y)").run()
    for change in (lambda: at.sidebar.slider(key="race.steps").set_value(200),
                   lambda: at.sidebar.text_input(key="race.formula").set_value("x**2 + y**2"),
                   lambda: at.sidebar.number_input(key="race.seed").set_value(4)):
        change()
        at.run()
        assert not at.exception, at.exception
        assert len(table(at)) == 2
    assert at.query_params["formula"] == "x**2 + y**2"
    at.sidebar.radio(key="race.mode").set_value("Built-in").run()
    assert not at.exception and at.sidebar.selectbox(key="race.surface").value == "himmelblau"
    at.sidebar.radio(key="race.mode").set_value("Type a formula").run()
    assert not at.exception and at.sidebar.text_input(key="race.formula").value == "x**2 + y**2"


def test_minibatch_and_noise_survive_a_detour_that_hides_them() -> None:
    """Only one of the two is drawn: a minibatch of 1 came back as 10 after a typed formula,
    and a surface's noise as 0 after a data loss."""
    at = run({"surface": "linear_regression", "batch": "1", "optimizers": "sgd"})
    at.sidebar.radio(key="race.mode").set_value("Type a formula").run()
    at.sidebar.text_input(key="race.formula").set_value("x**2 + y**2").run()
    at.sidebar.radio(key="race.mode").set_value("Built-in").run()
    assert not at.exception and at.sidebar.slider(key="race.batch").value == 1
    assert at.query_params["batch"] == "1"
    at.sidebar.slider(key="race.batch").set_value(4).run()
    at.sidebar.selectbox(key="race.surface").set_value("himmelblau").run()
    at.sidebar.number_input(key="race.noise").set_value(0.5).run()
    at.sidebar.selectbox(key="race.surface").set_value("linear_regression").run()
    assert at.sidebar.slider(key="race.batch").value == 4
    at.sidebar.selectbox(key="race.surface").set_value("himmelblau").run()
    assert not at.exception and at.sidebar.number_input(key="race.noise").value == 0.5


def test_a_link_reproduces_the_run_exactly() -> None:
    query = {"surface": "himmelblau", "optimizers": "adam,nesterov", "steps": "200",
             "start": "-0.5,-4", "seed": "3", "noise": "0.5", "adam.lr": "0.07",
             "nesterov.lr": "0.0007"}
    a, b = run(query), run(query)
    assert table(a).equals(table(b))
    assert table(a)["optimizer"].tolist() == ["Adam (lr 0.07)", "Nesterov momentum (lr 0.0007)"]
    assert a.sidebar.number_input(key="race.start.y").value == -4.0


def test_a_link_keeps_the_playback_speed_and_the_arrows() -> None:
    at = run({"optimizers": "sgd,adam", "steps": "100", "speed": "fast", "arrows": "true"})
    assert not at.warning
    assert at.sidebar.segmented_control(key="race.speed").value == "fast"
    assert at.sidebar.toggle(key="race.arrows").value
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert sum(bool(d) for d in spec["frames"][1]["data"]) == 2 * 3 + 2 + 2  # both arrows, curves
    frames, play = spec["layout"]["updatemenus"][0]["buttons"][0]["args"]
    # "fast": 25 ms a step, as every other frame at 50 ms (asked a half tick early): Chromium
    # draws no faster than ~40 ms a frame (viz.playback.FRAME_FLOOR_MS)
    assert frames == [str(k) for k in range(0, len(spec["frames"]), 2)]
    assert play["frame"]["duration"] == 2 * 30 - 8  # 100 steps last 3 s at least
    assert at.query_params["speed"] == "fast" and at.query_params["arrows"] == "true"
    at.sidebar.segmented_control(key="race.speed").set_value("normal").run()
    assert "speed" not in at.query_params  # the default stays out of the link


def test_the_lab_s_tuned_race_says_its_rates_are_tuned_until_a_setting_changes() -> None:
    """The lab's "Race the tuned optimizers" link (``tuned=true``) opened a race that said its
    rates were "not each optimizer's best"; and a hand-made ``tuned=true`` made the race call
    any rates tuned (a review), so the race confirms only the links its server's tuner made."""
    from app_pages.common import compute

    query = {"optimizers": "sgd,adam", "steps": "100", "sgd.lr": "0.0123", "adam.lr": "0.456",
             "tuned": "true"}
    forged = run(query)
    said = " ".join(m.value for m in forged.markdown)
    assert "This link says its learning rates were **tuned" in said and "cannot confirm" in said
    assert "These learning rates were" not in said and "not each optimizer's best" not in said
    assert "](./learning_rate?" in said  # where to tune them for real
    from app_pages.common.state import VIEW_KEYS

    # what the lab does when it makes the link: remember the race it tuned
    compute.remember_tuned({k: v for k, v in run(query).query_params.items()
                            if k not in VIEW_KEYS})
    at = run(query)
    assert not at.warning
    said = " ".join(m.value for m in at.markdown)
    assert "These learning rates were **tuned in the learning-rate lab**" in said
    assert "cannot confirm" not in said and "not each optimizer's best" not in said
    assert at.query_params["tuned"] == "true"
    at.sidebar.slider(key="race.steps").set_value(120).run()
    said = " ".join(m.value for m in at.markdown)
    assert "tuned in the learning-rate lab" not in said
    assert "neither this landscape's picks nor tuned ones for these settings" in said
    assert "tuned" not in at.query_params
    assert "tuned in the learning-rate lab" not in " ".join(
        m.value for m in run({k: v for k, v in query.items() if k != "tuned"}).markdown)


def test_the_race_says_when_sgd_is_plain_gradient_descent() -> None:
    """The note tells GD (exact slope) from SGD (noisy minibatch slopes); the race's "SGD" runs
    without noise by default, so the page says it is plain gradient descent until there is."""
    def says(query: dict[str, str]) -> bool:
        return any("plain gradient descent" in c.value for c in run(query).caption)

    assert says({"optimizers": "sgd,adam", "steps": "20"})
    assert not says({"optimizers": "sgd,adam", "steps": "20", "noise": "0.3"})
    assert not says({"optimizers": "adam", "steps": "20"})
    assert not says({"optimizers": "sgd", "steps": "20", "sgd.momentum": "0.9"})
    assert not says({"optimizers": "sgd", "steps": "20", "sgd.weight_decay": "0.5"})
    assert says({"surface": "linear_regression", "optimizers": "sgd", "steps": "20",
                 "batch": "100"})
    assert not says({"surface": "linear_regression", "optimizers": "sgd", "steps": "20"})


def test_downloads_say_what_they_hold() -> None:
    at = run({"surface": "himmelblau", "optimizers": "sgd", "steps": "30", "noise": "0.5"})
    csv, html = at.get("download_button")[:2]
    assert "exact gradient" in csv.proto.help and "noise" in csv.proto.help
    assert html.proto.label == "Animated map (HTML)"


@pytest.mark.parametrize("query", [
    {"optimizers": "random_search,random_local_search"},  # nothing the lab can tune
    {"optimizers": "sgd,adam", "sgd.lr": "nan"},  # a fallback: the preset's rate
    {"formula": "x^2+y^2", "optimizers": "sgd"},  # the lab takes no formula
    {"optimizers": "sgd", "sgd.lr": "1000"},  # a rate that blows up was tuned by no one
])
def test_a_link_cannot_call_a_race_tuned_that_the_lab_did_not_tune(query) -> None:
    at = run({**query, "steps": "30", "tuned": "true"})
    said = " ".join(m.value for m in at.markdown)
    assert "tuned in the learning-rate lab" not in said
    assert "tuned" not in at.query_params


def test_a_link_opens_the_3d_view_and_the_open_tab_is_written_back() -> None:
    at = run({"optimizers": "sgd,adam", "steps": "100", "view": "3d"})
    assert not at.warning
    assert at.session_state["race.view"] == "3D view"
    assert [c["data"][0]["type"] for c in charts(at)][:2] == ["scatter", "surface"]  # 3D built
    assert any("3D has no ★" in c.value for c in at.caption)  # its markers are explained
    assert at.query_params["view"] == "3d"
    at.session_state["race.view"] = "Map"  # the visitor opens the Map tab
    at.run()
    assert not at.exception and "view" not in at.query_params  # the default stays out
    assert len(charts(at)) == 1  # the 3D view is built only while open
    at.session_state["race.view"] = "3D view"
    at.run()
    assert at.query_params["view"] == "3d"
    at.sidebar.slider(key="race.steps").set_value(60).run()  # another control keeps the tab
    assert at.query_params["view"] == "3d" and at.query_params["steps"] == "60"


@pytest.mark.parametrize("junk", ["3D view", "xyz", "", "<script>alert(1)</script>"])
def test_a_junk_view_opens_the_map_with_a_warning(junk: str) -> None:
    at = run({"optimizers": "sgd", "steps": "50", "view": junk})
    assert len(at.warning) == 1 and "'view'" in at.warning[0].value
    assert at.session_state["race.view"] == "Map" and len(charts(at)) == 1
    assert "view" not in at.query_params


def test_a_view_value_padded_past_the_limit_is_ignored_as_the_warning_says() -> None:
    """'speed=fast' padded past the URL value limit was warned of as ignored, then applied."""

    pad = " " * (limit("url_value_chars") + 1)
    at = run({"optimizers": "sgd", "steps": "50", "speed": "fast" + pad, "view": "3d" + pad,
              "arrows": "true" + pad})
    shown = " ".join(w.value for w in at.warning)
    assert "longer than" in shown and "not one of" not in shown, shown
    assert at.session_state["race.view"] == "Map"
    assert not {"speed", "view", "arrows"} & set(at.query_params)


@pytest.mark.parametrize("query", [
    {"speed": "warp"},
    {"arrows": "maybe"},
    {"surface": "nope"},
    {"steps": "nan"},
    {"steps": "-5"},
    {"start": "1e999,0"},
    {"seed": "-1"},
    {"noise": "inf"},
    {"optimizers": "adam", "adam.lr": "1e99"},
    {"optimizers": "adam", "adam.betas": "2,2"},
    {"optimizers": "zzz"},
    {"formula": "9**9**9**9"},
    {"formula": "__import__('os').system('id')"},
    {"formula": "x" * 5000},
    {"batch": "10"},
    {"sgd.lr": "0.1", "bogus": "1"},
])
def test_junk_in_the_url_warns_and_falls_back(query: dict[str, str]) -> None:
    at = run(query)
    assert at.warning, f"no warning for {query}"
    if len(query.get("formula", "")) in range(1, limit("url_value_chars") + 1):
        # a refused formula opens as typed, refused (as on the page the link was made on)
        assert at.sidebar.text_input(key="race.formula").value == query["formula"]
        assert at.sidebar.error and not at.exception
    else:
        assert len(table(at)) >= 1


@pytest.mark.parametrize("formula", ["1e-14*(x^2+y^2)", "1e-300*(x^2+y^2)", "1e300*(x^2+y^2)",
                                     "x^2 + y^2 + 1e300*x", "x*1e300-y*1e300"])
def test_formulas_of_tiny_or_huge_values_race(formula: str) -> None:
    """The colour bar's ticks rounded to 12 decimals: a range of 1e-13 gave no tick above 0
    (log10(0)) and one of 1e300 overflowed, and the page showed only Streamlit's error box."""
    at = run({"formula": formula})
    assert not at.exception, at.exception
    assert len(table(at)) >= 1 and at.get("plotly_chart")


def test_settings_refused_together_say_why_and_how_to_race_again() -> None:
    """Nesterov switched on in SGD's card without momentum: SGD sits out with the reason (once,
    not "SGD: sgd: ..."), and with no other racer the page says what to do instead of going
    blank."""
    at = run({"optimizers": "sgd,adam"})
    at.session_state["race.opt.sgd.open"] = True
    at.run()
    at.sidebar.toggle(key="race.opt.sgd.more").set_value(True).run()  # the rarer settings
    at.sidebar.toggle(key="race.opt.sgd.nesterov").set_value(True).run()
    assert not at.exception
    [warning] = [w.value for w in at.warning]
    assert warning.startswith("SGD sits out") and "nesterov needs momentum" in warning
    assert "sgd:" not in warning and len(table(at)) == 1  # Adam races on
    at.sidebar.multiselect(key="race.opt").set_value(["sgd"]).run()
    assert not at.exception and at.info and "card" in at.info[0].value


def test_downloads_csv_rows_and_self_contained_html() -> None:
    import csv
    import io

    import numpy as np

    from app_pages.common import compute
    from viz.paths import PathView
    from viz.race import race_figure
    from viz.spec import frozen

    pts = np.array([[0.1, 0.2], [0.30000000000000004, -1e-9]])
    path = PathView("adam", 'Adam "fast" (lr 0.1)', pts, np.array([1.0, 0.5]),
                    np.array([[1.0, 2.0], [3.0, 4.0]]))
    rows = list(csv.DictReader(io.StringIO(compute.trajectories_csv([path]))))
    assert [r["step"] for r in rows] == ["0", "1"]
    assert float(rows[1]["x"]) == pts[1, 0] and float(rows[1]["y"]) == pts[1, 1]  # exact
    obj = compute.get_landscape("booth")
    grid = compute.landscape_grid("booth")
    html = compute.standalone_html(race_figure(grid, [path], obj.minima, obj), "Downhill race")
    text = html.decode()
    assert "<title>Downhill race</title>" in text and "addFrames" in text
    assert 'src="https://cdn.plot.ly' not in text and len(html) > 3_000_000  # inlined: offline
    assert '"showSendToCloud": false' in text  # plotly.js 3's "Share chart" upload button: off
    assert "downhillPlotlyControls" in text  # keys, and Play from the step it opens at
    from viz.race_layout import FIGURE_WIDTH
    assert f"width:{FIGURE_WIDTH}px" in text.replace(" ", "")  # not the window's full width
    # The cached race map keeps only its JSON (viz.spec.frozen); its download is complete too.
    cold = compute.standalone_html(frozen(race_figure(grid, [path], obj.minima, obj)), "t").decode()
    assert "addFrames" in cold and 'Adam \\"fast\\" (lr 0.1)' in cold


def test_formula_without_an_interior_minimum_says_so() -> None:
    falling = run({"formula": "1/x"})
    assert any("no minimum inside the view" in i.value for i in falling.info)
    traces = json.loads(falling.get("plotly_chart")[0].proto.spec)["data"]
    names = [t.get("name") for t in traces]
    assert "lowest in view" in names and "global minimum" not in names  # no star: no minimum
    hollow = next(t for t in traces if t.get("name") == "lowest in view")
    assert "pole" in hollow["hovertemplate"]  # why, in the figure too (the download has no note)
    for flat in ("2", "x^2 + y^2 + 1e300", "1e300 - x^2"):  # no point lower than the others
        traces = json.loads(run({"formula": flat}).get("plotly_chart")[0].proto.spec)["data"]
        assert "lowest in view" not in [t.get("name") for t in traces], flat
    assert not any("global minimum" in o for o in table(falling)["outcome"])
    panels = panel_titles(json.loads(falling.get("plotly_chart")[0].proto.spec))
    assert panels == ["<b>Loss</b>"]  # no distance to a minimum
    bowl = run({"formula": "x^2 + y^2"})
    assert not any("no minimum inside the view" in i.value for i in bowl.info)


def test_the_race_says_its_rates_are_not_verdicts_and_links_the_tuner(landing) -> None:
    """The landing race's rates are chosen to show different behaviours; the page says so and
    links the lab with the same race (surface, optimizers, start) to tune them fairly."""
    from urllib.parse import parse_qs, urlparse

    note = next(m.value for m in landing.markdown if "not each optimizer's best" in m.value)
    link = note[note.index("](") + 2 : -1]
    url = urlparse(link)
    assert url.path == "./learning_rate"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["surface"] == landing.query_params["surface"]
    assert query["optimizers"] == landing.query_params["optimizers"]
    lab = app_test("app_pages/learning_rate.py", query=query).run()
    assert not lab.exception and not lab.warning


def test_a_path_leaving_a_formula_s_domain_says_so() -> None:
    at = run({"formula": "sqrt(x) + y**2", "optimizers": "sgd", "sgd.lr": "0.5",
              "start": "0.3,1", "steps": "50"})
    assert table(at)["outcome"].iloc[0].startswith("left the region where the formula is defined")


@pytest.mark.parametrize(("formula", "start", "what", "where"), [
    ("log(x) + y**2", "-1,1", "no real value", "where the map is coloured"),
    ("1/x + y**2", "0,1", "no finite value", "elsewhere"),
    ("sqrt(x) + y**2", "0,1", "no finite gradient", "elsewhere"),
])
def test_a_start_where_the_formula_is_undefined_says_why_nobody_moves(
        formula: str, start: str, what: str, where: str) -> None:
    """Every row read "left the region where the formula is defined at step 0"; the page now
    says why at once, and where to start instead."""
    at = run({"formula": formula, "start": start,
              "optimizers": "sgd,adam,random_search,random_local_search"})
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert what in warning and f"Start {where}" in warning
    assert start.replace(",", ", ") in warning
    stuck = {o: not outcome.startswith(("left the region", "diverged"))
             for o, outcome in zip(table(at)["optimizer"], table(at)["outcome"], strict=True)}
    gradient_only = what == "no finite gradient"  # f is there: the samplers still move
    assert ("still move" in warning) == gradient_only
    assert [moved for o, moved in stuck.items() if o.startswith("Random")] == [gradient_only] * 2
    assert not any(moved for o, moved in stuck.items() if not o.startswith("Random"))
    panels = panel_titles(json.loads(at.get("plotly_chart")[0].proto.spec))
    # f undefined at the start: nothing to plot, so no empty panels (and no caption for them)
    assert (len(panels) == 0) == (what != "no finite gradient")
    assert any("the map, each optimizer" in c.value for c in at.caption) == bool(panels)
    hatched = any("Hatched grey" in c.value for c in at.caption)
    assert hatched == formula.startswith(("log", "sqrt"))  # 1/x has a value almost everywhere
    assert not run({"formula": formula, "start": "1,1"}).warning


def test_a_gradient_whose_square_overflows_says_why_the_adaptive_methods_stall() -> None:
    """1e300 x^2: Adam, RMSprop and Adagrad ended "stalled (not at a minimum)" with no word of
    why (g^2 = inf, so each step is lr g / sqrt(inf) = 0); 1e150 x^2's square still fits."""
    at = run({"formula": "1e300*x**2", "start": "1,1", "optimizers": "adam,rmsprop,adamax"})
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith("The gradient at the start is about 2.0e+300: its square is beyond")
    outcomes = dict(zip(table(at)["optimizer"], table(at)["outcome"], strict=True))
    stalled = [o for o, text in outcomes.items() if text.startswith("stalled")]
    assert [o.split(" (")[0] for o in stalled] == ["Adam", "RMSprop"]  # Adamax takes max |g|
    assert not run({"formula": "1e150*x**2", "start": "1,1"}).warning


def test_a_costly_formula_races_fewer_steps_and_says_why() -> None:
    """Each step runs the formula's whole gradient program (3,538 operations for this product of
    59 factors): the race keeps operations x steps x racers within formula_work."""
    from app_pages.common import compute
    from app_pages.common.limits import clamp_formula_steps

    formula = "*".join(f"(x-{i})" for i in range(1, 60))
    at = run({"formula": formula, "optimizers": "adam,sgd", "steps": "2000"})
    assert len(at.warning) == 1
    text = at.warning[0].value
    steps, _ = clamp_formula_steps(2000, 2, compute.formula_cost(formula))
    adam, sgd = table(at)["evaluations"].tolist()
    assert steps < 2000 and adam == steps and sgd <= steps  # SGD blows up at once here
    assert "3,538 operations per gradient step" in text and f"runs {steps} steps" in text
    assert "shorter formula or fewer optimizers" in text
    assert at.sidebar.slider(key="race.steps").value == 2000  # what was asked stays in the link
    assert at.query_params["steps"] == "2000"


def test_a_formula_link_uses_the_rates_typing_the_formula_gives() -> None:
    """Both start from the formula's own rates (not the landing surface's, with which SGD,
    momentum and Nesterov blew up at step 2 on x**8 + y**8)."""
    link = run({"formula": "x**8+y**8"})
    typed = run()
    typed.sidebar.radio(key="race.mode").set_value("Type a formula").run()
    typed.sidebar.text_input(key="race.formula").set_value("x**8+y**8").run()
    assert not typed.exception and not link.warning
    assert table(link).equals(table(typed))
    assert not any("diverged" in o for o in table(link)["outcome"])


def test_a_hand_typed_formula_link_gets_its_plus_signs_back() -> None:
    """A '+' typed into a link arrives as a space ("x^2 y^2"): the race reads it as '+' and
    says so, instead of refusing the formula for implicit multiplication."""
    at = run({"formula": "x^2 y^2", "optimizers": "sgd,adam"})
    assert not at.exception and len(at.warning) == 1
    assert "read as 'x^2+y^2'" in at.warning[0].value and "%2B" in at.warning[0].value
    assert at.sidebar.text_input(key="race.formula").value == "x^2+y^2"
    assert at.query_params["formula"] == "x^2+y^2"
    refused = run({"formula": "x^2 y^2 )"})  # still unreadable with '+': refused as before
    assert "was refused" in refused.warning[0].value


def lab_link(at) -> str | None:
    """The "Tune each one fairly" link under the results table, if the page shows one."""
    note = next(m.value for m in at.markdown if "not each optimizer's best" in m.value)
    return note[note.index("](") + 2 : -1] if "](" in note else None


def test_the_tuner_link_leaves_out_what_the_lab_cannot_tune() -> None:
    """The lab sweeps learning rates: the gradient-free searches (and their settings) stay out of
    its link, and a race of only those gets no link."""
    from urllib.parse import parse_qs, urlparse

    at = run({"surface": "himmelblau", "steps": "50", "random_local_search.step_size": "0.3",
              "optimizers": "random_search,adam,random_local_search,sgd"})
    query = {k: v[0] for k, v in parse_qs(urlparse(lab_link(at)).query).items()}
    assert query["optimizers"] == "adam,sgd"
    assert not [k for k in query if k.startswith("random")]
    lab = app_test("app_pages/learning_rate.py", query=query).run()
    assert not lab.exception and not lab.warning
    alone = run({"surface": "himmelblau", "steps": "50",
                 "optimizers": "random_search,random_local_search"})
    assert lab_link(alone) is None


def test_only_the_optimizer_with_refused_settings_sits_out() -> None:
    """"Adam, then SGD" names Adam and SGD too: refusing its settings keeps them racing."""
    at = run({"optimizers": "sgd,adam,adam_then_sgd", "steps": "20"})
    at.session_state["race.opt.adam_then_sgd.sgd_lr"] = 1e-9  # below its range
    at.run()
    assert not at.exception and len(at.warning) == 1 and "Adam, then SGD" in at.warning[0].value
    assert table(at)["optimizer"].str.split(" ").str[0].tolist() == ["SGD", "Adam"]


def test_a_path_frozen_off_the_map_says_it_left_the_map() -> None:
    """SGD at 50 on Easom jumps to about (27.9, -22) at step 4 and stays there: run() calls a
    path diverged only beyond 1e6, so the results table read "still moving"."""
    df = table(run({"surface": "easom", "optimizers": "sgd,adam", "sgd.lr": "50",
                    "steps": "100"}))
    assert list(df["outcome"]) == ["left the map at step 4", "reached global minimum (step 18)"]


def test_a_phone_gets_a_map_fitted_to_its_width(monkeypatch: pytest.MonkeyPatch,
                                                landing) -> None:
    """Fitted to a laptop's 800 px plot, a phone's map shrank to its width and left a blank band
    under it; a phone's figure is fitted to PHONE_WIDTH, and so is its HTML download."""
    from app_pages.common import compute, controls
    from viz.playback import Playback
    from viz.race_layout import MARGIN_L, MARGIN_R, PHONE_WIDTH, race_height

    monkeypatch.setattr(controls, "is_phone", lambda: True)
    phone = run()
    laptop_h = json.loads(landing.get("plotly_chart")[0].proto.spec)["layout"]["height"]
    phone_h = json.loads(phone.get("plotly_chart")[0].proto.spec)["layout"]["height"]
    names = ["SGD (lr 0.01)", "SGD + momentum (lr 0.003)", "Nesterov momentum (lr 0.003)",
             "Adam (lr 0.3)", "RMSprop (lr 0.01)", "Adagrad (lr 0.01)", "global minimum",
             "local minimum"]
    assert phone_h == race_height(4 / 6, names, PHONE_WIDTH, 2)
    assert laptop_h == race_height(4 / 6, names, panels=2)
    # the map and its legend: shorter on the phone (its curve panels are stacked, not beside)
    assert race_height(4 / 6, names, PHONE_WIDTH) < race_height(4 / 6, names)
    # the map (4/6 of 300 px) is 200 px of the phone's figure, with 8 legend rows over it
    assert race_height(4 / 6, names, PHONE_WIDTH) - race_height(4 / 6, [], PHONE_WIDTH) > 7 * 19
    # its HTML download is drawn at the width its height was fitted to
    width = Playback(plot_width=PHONE_WIDTH).figure_width
    assert width == PHONE_WIDTH + MARGIN_L + MARGIN_R
    html = compute.standalone_html(json.loads(phone.get("plotly_chart")[0].proto.spec), "t", width)
    assert f"width:{width}px" in html.decode().replace(" ", "")


def test_a_phone_is_told_to_tap_a_spot_twice(monkeypatch: pytest.MonkeyPatch, landing) -> None:
    """A phone's first tap on a map is lost (Plotly selects with the previous tap's hover data):
    the page tells a phone to tap twice, and a laptop to click (or, on a touch screen such as
    an iPad's, which says it is a Mac, to tap twice)."""
    from app_pages.common import controls

    def said(at) -> str:
        return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)

    assert "click the map" in said(landing)
    assert said(landing).count("twice") == said(landing).count("on a touch screen") == 2
    monkeypatch.setattr(controls, "is_phone", lambda: True)
    phone = said(run())
    assert "tap a spot on the map twice" in phone and "click the map" not in phone
    assert "…or tap a spot on the map twice." in phone



def test_long_losses_widen_their_columns() -> None:
    """On Easom RMSprop ends at -8.1102e-05, which a header-sized column cut to -8.1102e-0…;
    the landing race's short losses keep Streamlit's own widths."""
    import json

    from app_pages.common.controls import text_width

    assert text_width(["-1.0316", "2.2331"]) is None
    assert text_width(["-8.1102e-05", "-1"]) == 7 * 11 + 16
    at = run({"surface": "easom", "optimizers": "rmsprop,adam", "rmsprop.lr": "0.1",
              "adam.lr": "0.1"})
    assert "-8.1102e-05" in table(at)["final loss"].tolist()
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["final loss"]["width"] == columns["best loss"]["width"] == 7 * 11 + 16
    assert "width" not in json.loads(run().dataframe[0].proto.columns)["final loss"]


def test_a_phone_is_told_where_the_settings_are(monkeypatch: pytest.MonkeyPatch,
                                                landing) -> None:
    """On a phone the sidebar is folded away behind "»" and nothing said so (a student's
    review); a laptop sees the sidebar and needs no such line."""
    from app_pages.common import controls

    assert not any("sidebar: **»** at the top left" in m.value for m in landing.markdown)
    monkeypatch.setattr(controls, "is_phone", lambda: True)
    assert any("sidebar: **»** at the top left" in m.value for m in run().markdown)


def test_a_click_on_a_curve_under_the_map_picks_no_start() -> None:
    """The loss and distance curves share the map's figure: a click on one reports (step, loss),
    which must not become a start; a click on the map still does."""
    at = run({"optimizers": "sgd,adam", "steps": "100"})
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    n_map = at.session_state["race.map_traces"]
    assert spec["data"][n_map].get("xaxis") == "x2" and "xaxis" not in spec["data"][n_map - 1]

    def click(curve: int, x: float, y: float) -> dict:
        return {"selection": {"points": [{"curve_number": curve, "x": x, "y": y}],
                              "point_indices": [0], "box": [], "lasso": []}}

    at.session_state["race.map"] = click(n_map, 1, 0.5)  # step 1, loss 0.5: on the map too
    at.run()
    assert not at.exception and at.query_params["start"] == "-2.4,1.2"
    at.session_state["race.map"] = click(1, 0.5, -0.5)
    at.run()
    assert not at.exception and at.query_params["start"] == "0.5,-0.5"


def test_paths_that_settle_on_a_valley_of_minima_reached_a_global_minimum() -> None:
    """x^2's minima are the whole line x = 0 (the formula lists one point of it): a review found
    every path "stalled (not at a minimum)" there at a loss of ~0."""
    at = app_test(PAGE, {"formula": "x**2", "start": "-3.5,3.5",
                         "optimizers": "sgd,momentum,adam", "steps": "300"}).run()
    assert not at.exception
    outcomes = list(table(at)["outcome"])
    assert outcomes and all(o.startswith("reached a global minimum") for o in outcomes), outcomes
    assert all("valley floor" in o for o in outcomes), outcomes
    # the distance to the one point of the floor listed is no measure of arrival: no such panel
    panels = panel_titles(json.loads(at.get("plotly_chart")[0].proto.spec))
    assert panels == ["<b>Loss above the global minimum (log)</b>"]
    # and the caption says what "reached" means there (not the distance to the one point marked)
    assert any("minima form a valley" in c.value and "a millionth" in c.value for c in at.caption)
    assert not any("minima form a valley" in c.value for c in run({"formula": "x^2 + y^2"}).caption)


def test_a_phone_reads_every_outcome_in_full_under_the_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A phone's narrow table cut every outcome after a few words; a laptop's outcome column is
    as wide as its longest outcome (within reason), and a phone lists them under the table. A
    laptop's showed Lion's cut ("oscillating near local minimum 3, after p…", a review at 1280
    px): it lists the outcomes longer than OUTCOME_FITS."""
    from app_pages.common import controls

    query = {"optimizers": "sgd,adam,lion"}
    laptop = app_test(PAGE, query).run()
    outcomes = list(table(laptop)["outcome"])
    longest = max(len(o) for o in outcomes)
    assert longest > 24  # Lion's "oscillating near local minimum 3, after passing ..."
    columns = json.loads(laptop.dataframe[0].proto.columns)
    assert columns["outcome"]["width"] == 7 * longest + 16
    # scrolled sideways to read it, the rows keep their colour and name
    assert columns[""]["pinned"] and columns["optimizer"]["pinned"]
    fits = controls.OUTCOME_FITS
    (listed,) = [m.value for m in laptop.markdown if m.value.startswith("- **")]
    names = list(table(laptop)["optimizer"])
    assert listed.split("\n") == [f"- **{n}**: {o}" for n, o in zip(names, outcomes, strict=True)
                                   if len(o) > fits] and "Lion" in listed
    short = app_test(PAGE, {"optimizers": "sgd,adam"}).run()
    assert all(len(o) <= fits for o in table(short)["outcome"])
    assert not any(m.value.startswith("- **") for m in short.markdown)
    monkeypatch.setattr(controls, "is_phone", lambda: True)
    phone = app_test(PAGE, query).run()
    assert not phone.exception
    (listed,) = [m.value for m in phone.markdown if m.value.startswith("- **")]
    lines = listed.split("\n")
    assert len(lines) == 3
    for line, outcome, name in zip(lines, outcomes, table(phone)["optimizer"], strict=True):
        assert line == f"- **{name}**: {outcome}"


def test_rates_that_are_not_the_landscape_s_picks_are_not_called_picks() -> None:
    """A tuned race with its start moved kept the lab's rates, and the note said they were
    "picked per landscape to show different behaviours" (a review)."""
    def note(query: dict[str, str]) -> str:
        return next(m.value for m in run(query).markdown if "not a verdict" in m.value)

    picks = note({"optimizers": "sgd,adam"})
    assert picks.startswith("The learning rates are picked per landscape")
    moved = note({"optimizers": "sgd,adam", "adam.lr": "0.0123"})
    assert moved.startswith("These learning rates are neither this landscape's picks nor tuned")
    assert "](./learning_rate?" in moved


def test_a_full_picker_says_it_is_full() -> None:
    """The picker's "Select all" kept the first 8 optimizers of the list and said nothing (Adam,
    further down, was left out); a full picker now says how many race at most."""
    from optimizers import OPTIMIZERS

    full = run({"optimizers": ",".join(list(OPTIMIZERS)[:limit("optimizers")])})
    said = [c.value for c in full.sidebar.caption]
    assert any(c.startswith(f"{limit('optimizers')} optimizers at most") for c in said), said
    assert not any("at most (the picker" in c.value for c in run({"optimizers": "sgd"}).caption)


def test_a_link_s_changed_settings_are_named_in_the_table_and_the_legend() -> None:
    at = run({"optimizers": "sgd,adam", "sgd.momentum": "0.9"})
    assert list(table(at)["optimizer"]) == ["SGD (lr 0.01, momentum 0.9)", "Adam (lr 0.3)"]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "SGD (lr 0.01, momentum 0.9)" in [t["name"] for t in spec["data"]
                                             if t.get("showlegend")]


def test_a_gradient_s_step_and_sign_are_explained_under_it() -> None:
    """max(x, y)'s gradient read "θ(x − y)", never explained (a student's review)."""
    at = run({"formula": "max(x, y)**2 + abs(x)"})
    assert not at.exception
    math = " ".join(m.value for m in at.markdown if m.value.startswith("$"))
    assert r"\operatorname{step}" in math and r"\theta" not in math
    said = " ".join(c.value for c in at.caption)
    assert "step(u) is 1 where u > 0" in said and "sign(u) is 1 where u > 0" in said
    assert "step(u)" not in " ".join(c.value for c in run({"formula": "x**2 + y**2"}).caption)


def test_a_link_whose_formula_is_refused_keeps_its_race_and_its_fix_races_it() -> None:
    """A review's link with a typo (``x^^2``) lost everything but the formula from the address
    bar, and fixing the formula brought the formula's default start and rates."""
    link = {"formula": "x^^2+y^2", "optimizers": "adam,sgd", "steps": "100", "adam.lr": "0.5",
            "start": "2.0,2.0", "seed": "3", "speed": "fast", "at": "40"}
    at = run(link)
    assert not at.exception and not at.get("plotly_chart")
    for key, value in link.items():
        assert at.query_params[key] == value, key
    at.sidebar.text_input(key="race.formula").set_value("x^^2+y^^2").run()  # a second typo
    assert not at.exception and not at.get("plotly_chart")
    assert at.query_params["adam.lr"] == "0.5" and at.query_params["start"] == "2.0,2.0"
    at.sidebar.text_input(key="race.formula").set_value("x^2+y^2").run()
    assert not at.exception and at.get("plotly_chart")
    assert at.query_params["start"] == "2.0,2.0" and at.query_params["adam.lr"] == "0.5"
    assert at.query_params["steps"] == "100" and at.query_params["seed"] == "3"
    # a formula changed after that brings its own defaults again, as typing one always does
    at.sidebar.text_input(key="race.formula").set_value("x^2+3*y^2").run()
    assert at.query_params["adam.lr"] != "0.5"


def test_a_switch_after_the_last_step_is_said_on_the_race_and_in_the_lab() -> None:
    """A link's switch_step 99999 over 500 steps: the legend said "switch at step 99999" and
    nothing said it never switches (a review)."""
    for page in ("app_pages/race.py", "app_pages/learning_rate.py"):
        late = app_test(page, {"surface": "booth", "optimizers": "adam_then_sgd,sgd",
                               "steps": "300", "adam_then_sgd.switch_step": "99999"}).run()
        said = [i.value for i in late.info if "switch to SGD" in i.value]
        assert said == ["Adam, then SGD: the switch to SGD at step 99999 comes after this run's "
                        "300 steps, so it runs as Adam throughout; a switch step under 300 "
                        "shows the hand-over."], (page, said)
        on_time = app_test(page, {"surface": "booth", "optimizers": "adam_then_sgd",
                                  "steps": "300", "adam_then_sgd.switch_step": "299"}).run()
        assert not [i for i in on_time.info if "switch to SGD" in i.value], page


def test_the_race_links_its_settings_to_the_basins_page() -> None:
    """An engineer comparing optimizers from one start had no way to see the same race from
    every start: the sidebar's basins page opened its own landscape and rates (a review)."""
    from urllib.parse import parse_qs, urlparse

    at = run({"surface": "rosenbrock", "optimizers": "sgd,adam,random_search",
              "adam.lr": "0.05", "steps": "300"})
    link = next(m.value for m in at.markdown if "basins of attraction) ↗" in m.value)
    url = re.search(r"\]\((\./basins\?[^)]*)\)", link).group(1)
    assert url.startswith("./basins?")
    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    assert query["optimizers"] == "sgd,adam"  # the page runs the searches as its baselines
    assert link.endswith("(random search: there as a baseline)")  # said, not dropped silently
    basins = app_test("app_pages/basins.py", query).run()
    assert not basins.exception and not basins.warning
    assert basins.query_params["adam.lr"] == "0.05" and basins.query_params["steps"] == "300"
    assert basins.query_params["surface"] == "rosenbrock"
    # no link for what the basins page does not map
    for other in ({"formula": "x**2 + y**2"}, {"surface": "linear_regression"}):
        assert not [m for m in run(other).markdown if "basins of attraction) ↗" in m.value]


def test_a_link_opens_the_map_at_the_step_it_names() -> None:
    """A teacher could not link to "step 40, where momentum overshoots": ``at`` opens the map
    there (paused), set from the sidebar and kept in the link; junk or a step past the race's
    end is said, and the map opens at the last step."""
    at = run({"at": "40"})
    assert not at.exception and not at.warning
    assert at.sidebar.number_input(key="race.at").value == 40 and at.query_params["at"] == "40"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert any(t.get("text") == ["step 40"] for t in spec["data"])
    at.sidebar.number_input(key="race.at").set_value(None).run()
    assert "at" not in at.query_params
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert any(t.get("text") == ["step 500"] for t in spec["data"])
    at.sidebar.number_input(key="race.at").set_value(120).run()
    at.sidebar.slider(key="race.steps").set_value(100).run()  # fewer steps than the step shown
    assert not at.exception and at.query_params["at"] == "100"
    assert [c for c in at.sidebar.caption  # said, not clamped silently
            if "It was step 120, past the race's last: it now opens at step 100" in c.value]
    for junk, said in (("abc", "is not a step number"), ("-3", "is not a step number"),
                       ("900", "is past the race's 500"),
                       # a step number past the longest race (a review: "not a step number")
                       (str(limit("steps") + 1),
                        f"is past the longest race ({limit('steps'):,} steps)"),
                       ("1e300", "is past the longest race")):
        page = run({"at": junk})
        assert not page.exception and said in page.warning[0].value, junk
        assert "at" not in page.query_params or page.query_params["at"] == "500"


def test_a_formula_links_refused_start_falls_back_to_the_formulas_own_start() -> None:
    """A review: ``formula=x**2+y**2&start=9,9`` fell back to a corner (-3.5, 3.5), not to where
    the same link without a start, or typing the formula, starts."""
    plain = run({"formula": "x**2 + y**2"})
    refused = run({"formula": "x**2 + y**2", "start": "9,9"})
    assert refused.query_params["start"] == plain.query_params["start"]
    x, y = plain.query_params["start"].split(",")
    assert "'9,9' is not a point x,y inside" in refused.warning[0].value
    assert f"using {float(x):g},{float(y):g}." in refused.warning[0].value


def test_a_link_with_both_formula_and_surface_says_which_one_is_raced() -> None:
    at = run({"formula": "x**2 + y**2", "surface": "rosenbrock"})
    assert not at.exception and at.query_params["formula"] == "x**2 + y**2"
    assert "both given: the formula is raced, surface 'rosenbrock' is ignored" in \
        at.warning[0].value


def test_a_tuned_race_repeats_the_lab_s_leap_note() -> None:
    """The lab said a tuned Adam's first step "jumps 21% of the map's diagonal (a leap, not a
    walk)"; the race its link opened dropped it (a review)."""
    from app_pages.common import compute
    from app_pages.common.state import VIEW_KEYS

    query = {"optimizers": "sgd,adam", "steps": "100", "sgd.lr": "0.0123", "adam.lr": "1.2",
             "tuned": "true"}
    compute.remember_tuned({k: v for k, v in run(query).query_params.items()
                            if k not in VIEW_KEYS})
    said = " ".join(m.value for m in run(query).markdown)
    assert "tuned in the learning-rate lab" in said
    assert re.search(r"Adam \(lr 1\.2\)'s first step jumps 2\d% of the map's diagonal "
                     r"\(a leap, not a walk\)\.", said), said
    assert "SGD (lr 0.0123)'s first step" not in said


@pytest.mark.parametrize("surface", ["two_basins", "rastrigin", "easom"])
def test_a_description_naming_random_search_offers_to_add_it(surface: str) -> None:
    """"Watch gradient descent settle in the near basin while random search ... can find the
    deep hole": no default race had random search. A button adds it; gone once it races."""
    at = run({"surface": surface})
    add = "Add random search to the race"
    button(at, add).click().run()
    assert not at.exception
    assert at.query_params["optimizers"].endswith(",random_search")
    assert add not in [b.label for b in at.button]
    assert table(at)["optimizer"].iloc[-1] == "Random search"
    if surface == "two_basins":  # the description's lesson, on the map
        assert table(at)["outcome"].iloc[-1].startswith("found global minimum")


def test_no_offer_where_the_description_names_no_racer_or_the_race_is_full() -> None:
    assert not any(b.label.startswith("Add ") for b in run({}).button)
    full = run({"surface": "two_basins", "optimizers": ",".join(["sgd", "momentum", "nesterov",
                "adam", "rmsprop", "adagrad", "adamw", "nadam"])})
    assert not any(b.label.startswith("Add ") for b in full.button)
    assert any("To watch random search here, remove an optimizer" in c.value for c in full.caption)


def test_a_tuned_race_says_which_tuned_racers_stay_trapped() -> None:
    """On Two basins the lab said every rate keeps a third of the start's gap ("the best of
    trapped rates"); the tuned race its link opened called them tuned, and no more."""
    from app_pages.common import compute
    from app_pages.common.state import VIEW_KEYS

    query = {"surface": "two_basins", "optimizers": "sgd,rmsprop,adam", "steps": "200",
             "sgd.lr": "2.86", "rmsprop.lr": "0.0925", "adam.lr": "0.1", "tuned": "true"}
    compute.remember_tuned({k: v for k, v in run(query).query_params.items()
                            if k not in VIEW_KEYS})
    at = run(query)
    said = " ".join(m.value for m in at.markdown)
    outcomes = dict(zip(table(at)["optimizer"], table(at)["outcome"], strict=True))
    local = [o for o, text in outcomes.items() if "local minimum" in text]
    assert local, outcomes
    assert "Tuned is not the same as finding the global minimum: " in said
    assert all(o in said for o in local)
    assert ("ends by a local minimum" if len(local) == 1 else "end by a local minimum") in said


def test_a_log_coloured_map_says_what_f_minus_f_star_is() -> None:
    """The colour bar read "f − f* (log)" and nothing on the page said what f* was."""
    said = [c.value for c in run({}).caption if "f − f*" in c.value]
    assert len(said) == 1 and "the loss above its lowest value f*" in said[0]
    assert not [c for c in run({"formula": "x**2+y**2"}).caption if "f − f*" in c.value]


@pytest.mark.parametrize(("surface", "where"), [("himmelblau", "Beside"),
                                                 ("linear_regression", "Beside"),
                                                 ("six_hump_camel", "Under")])
def test_the_caption_says_where_the_curve_panels_are(surface: str, where: str) -> None:
    """A square map's panels go beside it on a laptop (``viz.race_layout.panels_beside``), a wide
    map's under it: the caption said "Under the map" of panels beside it."""
    at = run({"surface": surface})
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    beside = spec["layout"]["xaxis2"]["domain"][0] > 0.5
    assert beside == (where == "Beside")
    assert any(c.value.startswith(f"{where} the map, each optimizer's") for c in at.caption)


def test_the_evaluations_column_says_why_random_search_used_one_more() -> None:
    """50 steps: SGD used 50 evaluations and random search 51 (its start's value, which its
    first trial is compared with), while the column's help said every method pays one a step."""
    at = run({"surface": "two_basins", "optimizers": "sgd,random_search", "steps": "50"})
    assert table(at)["evaluations"].tolist() == [50, 51]
    said = json.loads(at.dataframe[0].proto.columns)["evaluations"]["help"]
    assert "one a step" in said and "random searches one more" in said
    assert "start's value" in said


def test_the_table_counts_the_tries_a_trial_and_error_method_threw_away() -> None:
    """The study note's point is how many trials each method wastes, and the table said 500 or
    501 evaluations of every method (a teacher's review): it also counts the discarded tries."""
    import numpy as np

    import optimizers
    from landscape import get_surface

    at = run({"surface": "two_basins", "optimizers": "sgd,random_search,random_local_search",
              "steps": "100"})
    sgd, rs, rls = table(at)["thrown away"].tolist()  # the racers' order
    assert sgd == 0
    start = np.array([float(v) for v in at.query_params["start"].split(",")])
    for name, got in (("random_search", rs), ("random_local_search", rls)):
        hp = {"step_size": 0.3} if name == "random_local_search" else {}
        losses = np.asarray(optimizers.run(optimizers.get_optimizer(name, **hp),
                                           get_surface("two_basins"), start, 100, seed=0).losses)
        assert got == int(np.count_nonzero(losses[1:] >= losses[:-1])) > 50
    said = json.loads(at.dataframe[0].proto.columns)["thrown away"]["help"]
    assert "throws nothing away" in said
    # a race of gradient methods alone has no column of 0s; with it, the outcomes a laptop's
    # table cuts short are listed under it
    assert "thrown away" not in table(run({"optimizers": "sgd,adam", "steps": "50"})).columns
    listed = " ".join(m.value for m in at.markdown)
    assert all(o in listed for o in table(at)["outcome"] if len(o) > 16)


def test_the_map_s_dots_and_legend_carry_each_optimizer_s_shape() -> None:
    """Colour alone told the paths apart, and some colours merge for colour-blind eyes (an
    accessibility review): the moving dots, the curve panels' dots and the legend have each
    optimizer's shape too, in the racers' order."""
    from viz.style import optimizer_symbol

    names = ["adam", "radam", "lion", "sgd", "amsgrad"]
    at = run({"surface": "rosenbrock", "optimizers": ",".join(names), "steps": "50"})
    spec = charts(at)[0]
    want = [optimizer_symbol(n) for n in names]
    assert len(set(want)) == len(want)
    current = next(t for t in spec["data"] if t.get("meta") == "current")
    assert current["marker"]["symbol"] == want
    assert [t["marker"]["symbol"] for t in spec["data"] if t.get("meta") == "legend"] == want
    assert all(t["marker"]["symbol"] == want for t in spec["data"] if t.get("meta") == "curve now")


def test_an_empty_formula_box_offers_formulas_that_race() -> None:
    """A review: "Type a formula" led to a blank page with a greyed example that never ran. The
    page offers a few; each one clicked fills the box and races, from the formula's own start."""
    from app_pages.common.presets import EXAMPLE_FORMULAS

    at = run({"formula": ""})
    assert not at.exception and len(at.get("plotly_chart")) == 0
    assert [b.label.split(": `")[1].rstrip("`") for b in at.button
            if b.key.startswith("race.example.")] == [f for _, f in EXAMPLE_FORMULAS]
    for k, (_, formula) in enumerate(EXAMPLE_FORMULAS):
        page = run({"formula": ""})
        page.button(key=f"race.example.{k}").click().run()
        assert not page.exception and not page.error, formula
        assert page.query_params["formula"] == formula
        assert page.sidebar.text_input(key="race.formula").value == formula
        assert len(page.get("plotly_chart")) == 1  # the race map
        typed = run({"formula": formula})  # the same start as the formula's own link
        assert page.query_params["start"] == typed.query_params["start"], formula
    # each shows what its words say
    from app_pages.common.compute import get_landscape

    def minima(k: int) -> tuple[int, int]:
        found = get_landscape("", EXAMPLE_FORMULAS[k][1])
        kinds = [m.is_global for m in found.minima] if found.interior_minimum else []
        return kinds.count(True), kinds.count(False)

    assert [minima(k) for k in range(len(EXAMPLE_FORMULAS))] == [(4, 0), (1, 1), (1, 0), (2, 10),
                                                                 (0, 0)]


def test_a_best_find_far_from_the_minimum_is_not_called_found() -> None:
    """A review: on Beale, from a corner 1.7e5 high, random search's best point 0.8 from the
    minimum (4 tolerances) read "found global minimum (step 31)": a loss within a millionth of
    the start's height counted as the minimum's, a rule meant for valleys of equal minima."""
    at = run({"surface": "beale", "optimizers": "random_search", "start": "4.482,-4.482"})
    row = table(at).iloc[0]
    assert row["outcome"] == "best find not at a minimum", row["outcome"]
    assert row["first at a global min"] == "—"


def test_the_outcome_help_says_the_tolerance_is_a_distance_not_a_loss() -> None:
    """A teacher's review: a noisy linear regression's Adam "reached global minimum" at a loss
    16% above it; the lab's steps to tolerance (a loss gap) never came for a run its panel said
    had reached the minimum (a distance)."""
    at = run({"surface": "linear_regression", "optimizers": "adam", "batch": "1"})
    said = json.loads(at.dataframe[0].proto.columns)["outcome"]["help"]
    assert "The tolerance is a distance (" in said and "not a loss" in said
    lab = app_test("app_pages/learning_rate.py", {"steps": "60", "sweep": "20"}).run()
    how = next(m.value for m in lab.markdown if m.value.startswith("- **Steps to tolerance**"))
    assert "a loss, where the panels' and the race's 'reached' is a distance" in how

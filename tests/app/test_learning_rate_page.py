"""The learning-rate lab in AppTest: default render, URL parameters, the tuned race link."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimizers import OPTIMIZERS
from tests.app.conftest import app_test, button, charts, decode, race_link_query

PAGE = "app_pages/learning_rate.py"
FAST = {"steps": "60", "sweep": "20"}


def test_default_page_draws_multiples_sweep_and_schedule() -> None:
    at = app_test(PAGE).run()
    assert not at.exception and not at.warning
    multiples, _curves, sweep, schedule = charts(at)
    assert len(multiples["frames"]) > 10  # animated together
    assert len(multiples["layout"]["images"]) == 4  # one surface per panel
    assert any(t["name"].endswith("diverged") for t in sweep["data"])
    assert any("best lr" in t["name"] for t in sweep["data"])
    assert any("SGD" in a["text"] for a in schedule["layout"]["annotations"])
    assert at.query_params["sweep"] == "60"


def test_the_panels_runs_are_drawn_as_loss_curves_too() -> None:
    """The study note's octavian-ai figure: one loss-per-step line per panel's rate, dark to
    light from small to large, the best (★) thick; a run that blew up ends with a ✕ where it
    did, not as a flat line at its blown-up loss."""
    at = app_test(PAGE).run()
    multiples, curves, _, _ = charts(at)
    lines = [t for t in curves["data"] if t["mode"] == "lines"]
    titles = [a["text"] for a in multiples["layout"]["annotations"] if "lr " in a["text"]]
    assert [t["name"] for t in lines] == [f"lr {t.split('lr ')[1].split('<')[0].split()[0]}"
                                          for t in titles]
    assert len({t["line"]["color"] for t in lines}) == len(lines) == 4
    # each panel's rate is written in its line's colour (darkened to read on white)
    from viz.style import text_color

    heads = [a for a in multiples["layout"]["annotations"] if "lr " in a["text"]]
    assert [h["font"]["color"] for h in heads] == [text_color(t["line"]["color"]) for t in lines]
    widths = [t["line"]["width"] for t in lines]
    assert widths.count(4) == 1 and "★" in titles[widths.index(4)]
    gone = [t for t in curves["data"] if t["mode"] == "markers"]
    assert gone and all("diverged at step" in t["hovertemplate"] for t in gone)
    for mark in gone:
        line = next(t for t in lines if t["name"] == mark["name"].removesuffix(" diverged"))
        assert decode(line["x"])[-1] == decode(mark["x"])[0] < 200  # it ends where it blew up


def test_url_parameters_reach_the_figures() -> None:
    query = {**FAST, "optimizers": "adam", "rates": "3", "spread": "30", "sweep": "15",
             "schedule": "cosine", "schedule.T_max": "40", "surface": "rosenbrock"}
    at = app_test(PAGE, query).run()
    assert not at.exception and not at.warning
    multiples, _curves, sweep, schedule = charts(at)
    assert len(multiples["layout"]["images"]) == 3
    curve = next(t for t in sweep["data"] if t["name"] == "Adam")
    # every rate is on the curve, or marked as blown up or gone off the map
    n_marked = sum(len(decode(t["x"])) for t in sweep["data"]
                   if t["name"] in ("Adam: diverged", "Adam: left the map"))
    assert len(decode(curve["x"])) + n_marked == 15
    lr_curve = decode(next(t for t in schedule["data"] if "cosine" in t["name"])["y"])
    adam_lr = float(at.query_params["adam.lr"])
    assert lr_curve[0] == pytest.approx(adam_lr)  # Adam's own rate at step 0 ...
    assert lr_curve[40] == pytest.approx(0.0, abs=1e-12)  # ... annealed to 0 at T_max
    assert at.query_params["schedule.T_max"] == "40"
    assert at.query_params["surface"] == "rosenbrock"


@pytest.mark.parametrize(("key", "bad"), [
    ("lr_min", "NaN"), ("lr_max", "-1"), ("rates", "99"), ("sweep", "inf"), ("spread", "0"),
    ("focus", "no_such_optimizer"), ("schedule", "<script>"), ("schedule.gamma", "5"),
    ("surface", "zzz"), ("start", "1e999,0"), ("sgd.lr", "abc"), ("compare", "maybe"),
])
def test_junk_parameters_warn_and_fall_back(key: str, bad: str) -> None:
    at = app_test(PAGE, {**FAST, key: bad}).run()
    assert not at.exception
    assert at.warning, f"no warning for {key}={bad}"
    assert len(charts(at)) == 4


def test_an_out_of_range_schedule_setting_names_its_range() -> None:
    """``schedule.warmup_steps=100000`` was called "not a valid setting" of a schedule that has
    that setting: the value was out of range, and other parameters name theirs."""
    at = app_test(PAGE, {**FAST, "schedule": "warmup_cosine",
                         "schedule.warmup_steps": "100000"}).run()
    said = " ".join(w.value for w in at.warning).replace("\\", "")  # markdown escapes
    assert not at.exception and "'schedule.warmup_steps'='100000' must be a whole number in " \
        "[1, 10000]" in said, said
    other = app_test(PAGE, {**FAST, "schedule": "step", "schedule.T_max": "5"}).run()
    assert "is not a valid setting of the 'step' schedule" in other.warning[0].value


def test_a_reversed_or_empty_range_warns_and_its_link_opens_the_same_page() -> None:
    """The page swapped a reversed range and said so, but its link wrote the swapped values (or,
    for equal ones, the tenfold range): the shared page's sliders differed and said nothing."""
    # equal at the slider's top: a tenth of it up to it (100-1000 lay past the slider, a review)
    for lo, hi, said in (("1", "0.01", "swapped them"), ("0.5", "0.5", "10 times"),
                         ("100", "100", "from a tenth of it")):
        at = app_test(PAGE, {**FAST, "lr_min": lo, "lr_max": hi}).run()
        assert not at.exception and said in at.warning[0].value, [w.value for w in at.warning]
        assert (float(at.query_params["lr_min"]), float(at.query_params["lr_max"])) == (
            float(lo), float(hi))
        assert (at.sidebar.select_slider(key="lab.lr_min").value,
                at.sidebar.select_slider(key="lab.lr_max").value) == (float(lo), float(hi))
        again = app_test(PAGE, dict(at.query_params)).run()
        assert [w.value for w in again.warning] == [w.value for w in at.warning]
        assert charts(again) == charts(at)


def test_tune_button_links_to_the_race_with_the_tuned_rates() -> None:
    at = app_test(PAGE, {**FAST, "optimizers": "sgd,adam"}).run()
    assert not at.get("link_button")
    button(at, "Tune every optimizer").click().run()
    assert not at.exception
    q = race_link_query(at)
    assert q["optimizers"] == "sgd,adam"
    assert q["steps"] == "60" and q["surface"] == "six_hump_camel"
    assert q["start"] == at.query_params["start"]
    tuned = at.dataframe[1].value
    for name, col in (("sgd", 0), ("adam", 1)):
        assert float(q[f"{name}.lr"]) == pytest.approx(tuned["tuned rate"].iloc[col], rel=1e-3)
    assert tuned["final loss gap, your start"].notna().all()
    assert tuned["median over 9 starts"].notna().all()
    assert any("8 starts one click" in m.value for m in at.markdown)
    assert len(tuned.columns) == 5  # no noise: nothing said of draws
    go = at.get("link_button")[0].proto  # a new tab, and it says so (tabs piled up unannounced)
    assert go.label.endswith("↗") and "new tab" in go.help
    assert not any("draws" in m.value for m in at.markdown)


def test_with_noise_the_tuned_table_gives_the_median_of_the_draws_from_your_start() -> None:
    """One run under gradient noise is one draw of it: the tuner judges each rate over
    NOISE_DRAWS seeds from the start, and the table shows that median beside the page's draw
    (which the race reproduces)."""
    at = app_test(PAGE, {**FAST, "optimizers": "sgd,adam", "noise": "0.5"}).run()
    button(at, "Tune every optimizer").click().run()
    assert not at.exception
    tuned = at.dataframe[1].value
    assert tuned["your start, median of 8 draws"].notna().all()
    assert tuned["median over 9 starts and 8 draws"].notna().all()
    assert any("7 more seeds" in m.value for m in at.markdown)
    assert any("that gap is one draw" in c.value for c in at.caption)


def test_a_link_made_while_the_tuned_table_shows_opens_with_the_same_table() -> None:
    """The tuner's table is part of the page a link reproduces: its link says tune=true, and a
    session opened from it tunes at once (same numbers, same race link); a change of setting
    drops the table and, with it, tune from the link."""
    at = app_test(PAGE, {**FAST, "optimizers": "sgd,adam"}).run()
    assert "tune" not in at.query_params
    button(at, "Tune every optimizer").click().run()
    link = dict(at.query_params)
    assert link["tune"] == "true"
    shared = app_test(PAGE, link).run()
    assert not shared.exception and not shared.warning
    assert shared.dataframe[1].value.equals(at.dataframe[1].value)
    assert race_link_query(shared) == race_link_query(at)
    assert dict(shared.query_params) == link
    shared.sidebar.slider(key="lab.steps").set_value(80).run()  # settings changed: no table
    assert "tune" not in shared.query_params and len(shared.dataframe) == 1
    assert any("press the button again" in c.value for c in shared.caption)
    assert app_test(PAGE, {**FAST, "tune": "maybe"}).run().warning  # junk: named, not tuned


def test_the_tuned_race_reproduces_the_tuned_final_loss() -> None:
    """The link carries the tuned rates exactly: rounded to 4 digits, SGD near its edge of
    stability on Rosenbrock ended at 0.0080 in the race against 0.0033 in the tuner."""
    at = app_test(PAGE, {"surface": "rosenbrock", "optimizers": "sgd,momentum,adam",
                         "steps": "300", "sweep": "30"}).run()
    button(at, "Tune every optimizer").click().run()
    assert not at.exception
    tuned = at.dataframe[1].value
    query = race_link_query(at)
    assert query["tuned"] == "true"  # the race says its rates are tuned, not presets
    race = app_test("app_pages/race.py", query).run()
    assert not race.exception
    final = [float(v) for v in race.dataframe[0].value["final loss"]]
    np.testing.assert_allclose(final, tuned["final loss gap, your start"], rtol=1e-4)
    assert any("tuned in the learning-rate lab" in m.value for m in race.markdown)


def test_the_tuned_race_is_not_called_tuned_when_an_optimizer_could_not_be() -> None:
    """Every SGD rate from 10 to 100 blows up on Rosenbrock: SGD keeps the visitor's rate, so
    the race must not say its rates are tuned."""
    at = app_test(PAGE, {"surface": "rosenbrock", "optimizers": "sgd,adam", "steps": "60",
                         "sweep": "20", "lr_min": "10", "lr_max": "100"}).run()
    button(at, "Tune every optimizer").click().run()
    assert not at.exception
    assert at.dataframe[1].value["tuned rate"].isna().iloc[0]  # SGD: every rate diverged
    assert "tuned" not in race_link_query(at)


def test_tuned_answers_kept_in_the_session_are_small() -> None:
    """The session keeps every optimizer's tuned numbers, not the sweeps behind them (each rate's
    whole path): 8 optimizers at 100 rates x 2,000 steps once held 128 MB per visitor."""
    import pickle

    at = app_test(PAGE, {"steps": "400", "sweep": "40", "optimizers": "sgd,adam"}).run()
    button(at, "Tune every optimizer").click().run()
    assert not at.exception
    kept = len(pickle.dumps(at.session_state["lab.tuned"]))
    assert kept < 10_000, f"{kept} bytes kept for two tuned optimizers"


def test_adam_then_sgd_uses_the_rates_on_the_page() -> None:
    """The article's switch must be built from the Adam and SGD on the page: with Adam's registry
    default instead, the default lab showed "Adam → SGD" stuck in the same local minimum as SGD,
    beside a text praising the switch. From the race's start, where SGD alone settles in the
    near local minimum and Adam reaches a global one (the lab's own start has both arrive)."""
    at = app_test(PAGE, {"steps": "200", "sweep": "10", "optimizers": "sgd,adam",
                         "sgd.lr": "0.01", "adam.lr": "0.3", "start": "-2.4,1.2"}).run()
    assert not at.exception and not at.warning
    schedule = charts(at)[3]
    rates = [t for t in schedule["data"] if t["xaxis"] == "x"]
    gaps = {t["name"]: decode(t["y"]) for t in schedule["data"] if t["xaxis"] == "x2"}
    switch = next(t for t in rates if "→ SGD" in t["name"])
    assert switch["name"] == "Adam (lr 0.3) → SGD (lr 0.01)"
    lr = decode(switch["y"])
    assert lr[0] == pytest.approx(0.3) and lr[-1] == pytest.approx(0.01)
    assert np.flatnonzero(lr != lr[0])[0] == 50  # a quarter of the 200 steps
    final = {name.split(" (")[0]: float(g[-1]) for name, g in gaps.items()
             if name != switch["name"]}
    assert set(final) == {"SGD", "Adam"}
    # fast start from Adam, careful finish from SGD: at least as low as either alone
    assert final["Adam"] <= final["SGD"]
    assert gaps[switch["name"]][-1] <= 1.01 * min(final["SGD"], final["Adam"])


def test_switch_settings_fall_back_to_registry_defaults() -> None:
    from app_pages.common.lab_schedules import switch_settings
    from optimizers import OPTIMIZERS
    d = OPTIMIZERS["adam_then_sgd"].defaults()
    got = switch_settings({"adam": {"lr": 0.2, "betas": (0.8, 0.99)}}, 40)
    assert got["lr"] == 0.2 and got["betas"] == (0.8, 0.99) and got["sgd_lr"] == d["sgd_lr"]
    assert got["switch_step"] == 10
    assert switch_settings({}, 2)["switch_step"] == 1


def _schedule_lr(at) -> np.ndarray:
    schedule = charts(at)[3]
    return decode(next(t for t in schedule["data"] if t["xaxis"] == "x"
                       and "→ SGD" not in t["name"])["y"])


def test_schedule_step_counts_follow_the_run_length_until_set() -> None:
    """Warm-up + cosine used the registry's fixed T_max = 450 in a 200-step run, so the cosine
    barely decayed, and its warm-up of 50 ended exactly where the Adam -> SGD comparison
    switched (a quarter of 200), which read as a connection that was not there."""
    at = app_test(PAGE, {"steps": "200", "sweep": "10", "optimizers": "sgd",
                         "schedule": "warmup_cosine"}).run()
    assert not at.exception and not at.warning
    warm = at.number_input(key="lab.schedule.warmup_cosine.warmup_steps")
    t_max = at.number_input(key="lab.schedule.warmup_cosine.T_max")
    assert (warm.value, t_max.value) == (20, 180)  # a tenth of the run, then the rest
    assert warm.label == "Warm-up length (steps)"
    # T_max is half a cosine period and η_min its lowest, not last, rate (a review)
    assert t_max.label.startswith("Steps down to η_min") and "T_max" in t_max.label
    eta = at.slider(key="lab.schedule.warmup_cosine.eta_min")
    assert eta.label == "Lowest learning rate η_min (at T_max)"
    lr = _schedule_lr(at)
    sgd_lr = float(at.query_params["sgd.lr"])
    assert lr[20] == pytest.approx(sgd_lr) and lr[-1] < 0.001 * sgd_lr  # decays to η_min
    switch = [a for a in charts(at)[3]["layout"]["annotations"] if "SGD" in a["text"]]
    assert switch and all(a["x"] == 50 for a in switch)  # the switch is not the warm-up's end
    assert not any(k.startswith("schedule.") for k in at.query_params)  # defaults: not in URL
    assert any("follow the run length (200 steps): a warm-up of a tenth of the run, T_max = "
               "the rest of the run." in c.value for c in at.caption)

    at.slider(key="lab.steps").set_value(400).run()  # not set by the visitor: they follow
    assert (warm_t := at.number_input(key="lab.schedule.warmup_cosine.warmup_steps")).value == 40
    assert at.number_input(key="lab.schedule.warmup_cosine.T_max").value == 360
    assert warm_t.value < 400 // 4

    at.number_input(key="lab.schedule.warmup_cosine.warmup_steps").set_value(100).run()
    assert at.number_input(key="lab.schedule.warmup_cosine.T_max").value == 300  # 400 - 100
    assert at.query_params["schedule.warmup_steps"] == "100"  # the visitor's own, in the URL
    assert "schedule.T_max" not in at.query_params
    at.slider(key="lab.steps").set_value(200).run()
    assert at.number_input(key="lab.schedule.warmup_cosine.warmup_steps").value == 100  # kept
    assert at.number_input(key="lab.schedule.warmup_cosine.T_max").value == 100
    at.selectbox(key="lab.schedule").set_value("cosine").run()  # another schedule and back:
    assert at.number_input(key="lab.schedule.cosine.T_max").value == 200
    at.selectbox(key="lab.schedule").set_value("warmup_cosine").run()
    assert at.number_input(key="lab.schedule.warmup_cosine.warmup_steps").value == 100  # kept
    button(at, "Fit the step counts to the run length again").click().run()
    assert at.number_input(key="lab.schedule.warmup_cosine.warmup_steps").value == 20
    assert "schedule.warmup_steps" not in at.query_params


def test_cosine_anneals_over_the_whole_run_by_default() -> None:
    at = app_test(PAGE, {"steps": "120", "sweep": "10", "optimizers": "adam",
                         "schedule": "cosine"}).run()
    assert not at.exception and not at.warning
    assert at.number_input(key="lab.schedule.cosine.T_max").value == 120
    lr = _schedule_lr(at)
    assert len(lr) == 120 and lr[-1] < 0.01 * lr[0] and np.all(np.diff(lr) <= 0)
    assert any("reaches η_min just as the run ends" in c.value for c in at.caption)
    assert "Warm-up, then cosine" in at.selectbox(key="lab.schedule").options  # readable names


def test_schedule_settings_fit_the_run() -> None:
    from app_pages.common.lab_schedules import RUN_LENGTH_SETTINGS, schedule_note, schedule_settings
    from optimizers import SCHEDULE_HPARAMS, get_schedule

    assert schedule_settings("cosine", 200) == {"T_max": 200, "eta_min": 0.0}
    w = schedule_settings("warmup_cosine", 200)
    assert (w["warmup_steps"], w["T_max"]) == (20, 180)
    assert schedule_settings("warmup_cosine", 200, {"warmup_steps": 50})["T_max"] == 150
    assert schedule_settings("warmup_cosine", 200, {"T_max": 450})["T_max"] == 450  # kept
    assert schedule_settings("step", 200)["step_size"] == 100
    assert schedule_settings("warmup_cosine", 1)["T_max"] == 1  # never below the minimum
    for name, hparams in SCHEDULE_HPARAMS.items():  # every fitted default is a valid schedule
        for steps in (10, 200, 2000):
            got = schedule_settings(name, steps)
            assert set(got) == {h.name for h in hparams}
            get_schedule(name, lr=0.1, **got)
            for h in hparams:
                if (name, h.name) not in RUN_LENGTH_SETTINGS:
                    assert got[h.name] == h.default
    assert "just as the run ends" in schedule_note("cosine", {"T_max": 200}, 200)
    assert "after this 200-step run" in schedule_note("cosine", {"T_max": 450}, 200)
    assert "climbs back up" in schedule_note("cosine", {"T_max": 50}, 200)
    assert schedule_note("warmup_cosine", {"warmup_steps": 20, "T_max": 180}, 200).startswith(
        "The warm-up ends at step 20")
    assert schedule_note("step", {"step_size": 100}, 200).endswith("1 drop in this 200-step run.")
    assert schedule_note("constant", {}, 200) == ""


def test_tuned_table_explains_luck_and_jumps() -> None:
    from app_pages.common.lab_tuner import Tuned, tune_note

    base = {"median_gap": 1e-9, "starts": 9}
    calm = Tuned("sgd", 0.01, 1e-9, single_lr=0.01, single_gap=1e-9, single_median_gap=1e-9,
                 first_step=0.1, **base)
    assert tune_note(calm, 10.0) == ""
    jump = Tuned("sgd", 0.04, 1e-9, single_lr=0.04, single_gap=1e-9, single_median_gap=1e-9,
                 first_step=3.0, **base)
    assert "jumps 30% of the map's diagonal" in tune_note(jump, 10.0)
    lucky = Tuned("sgd", 0.01, 1e-3, single_lr=0.05, single_gap=0.0, single_median_gap=2.0,
                  first_step=0.1, **base)
    assert "luck of the start" in tune_note(lucky, 10.0) and "0.05" in tune_note(lucky, 10.0)
    assert tune_note(Tuned("sgd", None, float("inf"))) == "every rate diverged or left the map"
    noisy = Tuned("sgd", 0.01, 1e-3, single_lr=0.05, single_gap=0.0, single_median_gap=2.0,
                  first_step=0.1, draws=8, **base)
    assert ("luck of the start and the noise: its median over the 9 starts and 8 noise draws "
            "is 2") in tune_note(noisy, 10.0)
    blown = Tuned("sgd", 0.01, 1e-9, single_lr=0.01, single_gap=1e-9, single_median_gap=1e-9,
                  first_step=0.1, blown=3, draws=8, **base)
    assert "it blows up or leaves the map in 3 of the 16 runs" in tune_note(blown, 10.0)
    # a hair lower from one start, or both at the minimum: no luck to speak of
    close = Tuned("rmsprop", 0.0118, 5.46, single_lr=0.0134, single_gap=5.45,
                  single_median_gap=5.63, first_step=0.1, **base)
    assert tune_note(close, 10.0) == ""
    there = Tuned("sgd", 0.01, 1e-9, single_lr=0.05, single_gap=1e-12, single_median_gap=2.0,
                  first_step=0.1, **base)
    assert tune_note(there, 10.0) == ""


@pytest.mark.parametrize(("given", "used"), [("1.5", None), ("15", 10.0), ("30", 30.0),
                                             ("2.0000001", 2.0)])
def test_a_panels_span_off_the_choices_warns_instead_of_changing_silently(
        given: str, used: float | None) -> None:
    at = app_test(PAGE, {"spread": given}).run()
    assert not at.exception
    said = " ".join(w.value for w in at.warning)
    if used is None:  # below the smallest choice: out of range, the default
        assert "'spread'" in said and at.session_state["lab.spread"] == 10.0
    elif float(given) == used:
        assert "'spread'" not in said and at.session_state["lab.spread"] == used
    else:
        assert f"using the nearest, {used:g}" in said and at.session_state["lab.spread"] == used
        assert f"'spread'='{given}' is not one of" in said  # as the link says it, not rounded


def test_small_multiples_say_when_a_rate_throws_the_path_off_the_map() -> None:
    at = app_test(PAGE, {**FAST, "surface": "easom", "optimizers": "sgd", "sgd.lr": "50",
                         "rates": "3", "spread": "10"}).run()
    assert not at.exception
    # each panel: its rate, then the outcome wrapped below it
    texts = [a["text"].replace("<br>", " ").replace("\xa0", " ")
             for a in charts(at)[0]["layout"]["annotations"]]
    assert any(head == "lr 50" and words.startswith("left the map at step 4")
               for head, words in itertools.pairwise(texts)), texts
    # off the map ends lower, but is not the best rate
    assert "lr 5 ★ best of these" in texts, texts


def test_minibatch_and_noise_survive_a_change_of_landscape() -> None:
    """Only one of the two is drawn: the lab's minibatch came back as 10 and its noise as 0
    after a visit to a landscape of the other kind (the race's twin test)."""
    at = app_test(PAGE, {**FAST, "surface": "linear_regression", "batch": "1"}).run()
    at.sidebar.selectbox(key="lab.surface").set_value("himmelblau").run()
    at.sidebar.number_input(key="lab.noise").set_value(0.5).run()
    at.sidebar.selectbox(key="lab.surface").set_value("linear_regression").run()
    assert not at.exception and at.sidebar.slider(key="lab.batch").value == 1
    at.sidebar.selectbox(key="lab.surface").set_value("himmelblau").run()
    assert not at.exception and at.sidebar.number_input(key="lab.noise").value == 0.5


def test_a_session_keeps_no_sweep_paths_beyond_the_small_multiples() -> None:
    """The page's variables outlive its run (its widget callbacks keep its namespace alive for
    the session), and st.cache_data hands each run its own unpickled copy: each visitor kept
    8 sweeps of 100 rates x 2,000 whole paths, ~65 MB. The sweeps keep their numbers only."""
    import gc

    from app_pages.common.lab import Sweep

    at = app_test(PAGE, {**FAST, "optimizers": "sgd,adam,rmsprop"}).run()
    assert not at.exception
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, Sweep)]
    with_paths = [o for o in alive if o.trajectory is not None]
    assert len(alive) >= 3 and len(with_paths) <= 1  # the multiples' few rates only
    light = [o for o in alive if o.trajectory is None]
    assert all(o.gap.shape[0] == 1 and o.gap.base is None for o in light)  # no view of it all



def test_a_tuned_rate_at_the_edge_of_the_range_says_widen_it() -> None:
    """Adadelta on the linear regression is tuned to exactly lr_max = 10 (and is "still moving"
    in the race): the sweep table said "widen it", the tuner's notes said nothing."""
    at = app_test(PAGE, {"surface": "linear_regression", "optimizers": "adadelta,adam",
                         "steps": "150", "batch": "7", "seed": "1"}).run()
    button(at, "Tune every optimizer").click().run()
    assert not at.exception
    tuned = at.dataframe[1].value
    assert tuned["tuned rate"].iloc[0] == pytest.approx(10.0)
    notes = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert any(n.startswith("- **Adadelta**") and "edge of the range (the largest rate tried"
               in n and "widen it" in n for n in notes), notes
    assert not any(n.startswith("- **Adam**") and "edge" in n for n in notes), notes


def _switch_curves(at) -> list[str]:
    return [t["name"] for t in charts(at)[3]["data"] if "→ SGD" in t["name"]]


def test_the_adam_to_sgd_comparison_is_in_the_url() -> None:
    """Switching "Compare with Adam → SGD" off left the URL unchanged, so the link reopened
    with the two extra curves."""
    at = app_test(PAGE, FAST).run()
    assert at.toggle(key="lab.switch").value and at.query_params["compare"] == "true"
    assert len(_switch_curves(at)) == 2  # its rate and its loss
    at.toggle(key="lab.switch").set_value(False).run()
    assert not at.exception and not _switch_curves(at)
    link = {k: at.query_params[k] for k in at.query_params}
    assert link["compare"] == "false"
    fresh = app_test(PAGE, link).run()  # a fresh browser at that link
    assert not fresh.exception and not fresh.warning
    assert not fresh.toggle(key="lab.switch").value and not _switch_curves(fresh)
    assert {k: fresh.query_params[k] for k in fresh.query_params} == link
    fresh.toggle(key="lab.switch").set_value(True).run()
    assert fresh.query_params["compare"] == "true" and len(_switch_curves(fresh)) == 2


@pytest.mark.parametrize("junk", ["maybe", "", "2", "<b>x</b>" * 20])
def test_a_junk_compare_value_warns_and_keeps_the_comparison(junk: str) -> None:
    at = app_test(PAGE, {**FAST, "compare": junk}).run()
    assert not at.exception
    said = " ".join(w.value for w in at.warning)
    assert "URL parameter 'compare'" in said and "true or false" in said and len(said) < 300
    assert at.toggle(key="lab.switch").value and at.query_params["compare"] == "true"


def test_the_default_panels_teach_crawl_then_arrive_then_explode() -> None:
    """The lab's headline is "too small crawls, too large explodes". From the race's six-hump
    camel start the two small rates settled in the near local minimum and lr 0.0215 was best only
    because its first stride leapt the ridge into a global valley: students read "small rates
    get trapped". From the lab's own start every stable rate walks down the same global valley."""
    from app_pages.common import compute, lab

    at = app_test(PAGE).run()
    assert not at.exception and not at.warning
    notes = charts(at)[0]["layout"]["annotations"]
    heads = [a["text"] for a in notes[0::2]]
    words = [a["text"].replace("<br>", " ") for a in notes[1::2]]
    assert words[0] == "still moving", words  # too small: crawls
    assert all(w.startswith("reached global minimum") for w in words[1:3]), words
    assert heads[2].endswith("★ best of these") and "diverged at step" in words[3], heads
    # the best panel walks there: its first stride falls short of the nearest minimum (from the
    # race's start it went 1.36 past one 0.81 away, over the ridge)
    surface = compute.get_landscape(at.query_params["surface"])
    start = np.array([float(v) for v in at.query_params["start"].split(",")])
    lr = float(heads[2].split()[1])
    s = lab.sweep("sgd", surface, start, 1, np.array([lr]))
    first = np.linalg.norm(np.asarray(s.trajectory.points)[1, 0] - start)
    assert first < min(np.linalg.norm(start - m.point) for m in surface.minima)


def test_adam_s_panels_say_why_a_large_rate_bounces_instead_of_exploding() -> None:
    """The section promises "too large explodes", and Adam's step is about lr whatever the
    slope: none of its rates up to 10 diverges, which the caption now says (a student's review)."""
    def says(focus: str) -> bool:
        at = app_test(PAGE, {**FAST, "optimizers": "sgd,adam", "focus": focus}).run()
        return any("bounces around rather than blowing up" in c.value for c in at.caption)

    assert says("adam") and not says("sgd")


def test_rmsprop_s_panels_say_its_first_steps_are_ten_rates() -> None:
    """RMSprop has no bias correction: its first step is lr / sqrt(1 - alpha) = 10 lr per axis,
    not "about lr" (a teaching-truth review); the caption says so for RMSprop alone."""
    import optimizers
    from landscape import get_surface

    def caption(focus: str) -> str:
        at = app_test(PAGE, {**FAST, "optimizers": "adam,rmsprop", "focus": focus}).run()
        return next(c.value for c in at.caption if "bounces around" in c.value)

    assert "first step is 10η" in caption("rmsprop") and "10η" not in caption("adam")
    t = optimizers.run(optimizers.get_optimizer("rmsprop", lr=0.01), get_surface("booth"),
                       np.array([1.0, -2.0]), 1)
    np.testing.assert_allclose(np.abs(np.diff(np.asarray(t.points), axis=0)), 0.1, rtol=1e-6)


def test_the_schedule_view_says_whether_the_switch_ended_lowest() -> None:
    """The Adam -> SGD advice sat beside a figure where plain SGD ended lower, unremarked."""
    from app_pages.common.lab_schedules import switch_verdict

    def run(name: str, label: str, last: float) -> dict:
        return {"optimizer": name, "label": label, "gap": np.array([1.0, 0.5, last])}

    sgd, adam = run("sgd", "SGD (constant)", 1e-4), run("adam", "Adam (constant)", 1e-2)
    switch = run("adam_then_sgd", "Adam → SGD", 1e-3)
    said = switch_verdict([sgd, adam, switch], noisy=False)
    assert "SGD (constant) ends lower than the switch" in said and "without gradient noise" in said
    assert "a single method" in said  # Adam may be the one: not "a plain method"
    noisy = switch_verdict([sgd, adam, switch], noisy=True)
    # with noise, no claim that the noise is what the switch needs (the run has it and lost)
    assert "without gradient noise" not in noisy and "noise and all" in noisy
    assert ": The" not in noisy and "(minibatch noise" not in noisy
    lowest = switch_verdict([adam, run("adam_then_sgd", "Adam → SGD", 1e-3)], noisy=True)
    # which part won is not claimed (on the saddle SGD led Adam at every step to the switch)
    assert "the switch ends lowest" in lowest and "fast start" not in lowest
    diverged = run("sgd", "SGD (constant)", float("nan"))
    assert switch_verdict([diverged, switch], noisy=False) == (
        "Here the switch is the only run that ends on the map without diverging.")
    assert switch_verdict([sgd, adam], noisy=False) == ""
    # both at the minimum is a tie (the default page: 1.9e-13 against 7.9e-13, a review)
    tie = switch_verdict([run("sgd", "SGD (constant)", 1.9e-13),
                          run("adam_then_sgd", "Adam → SGD", 7.9e-13)], noisy=False)
    assert tie.startswith("Here the switch and SGD (constant) both reach the minimum")


def test_the_switch_verdict_judges_noise_draw_by_draw() -> None:
    """With noise, one draw picked the winner: on the default lab at noise 0.5 the verdict
    flipped between "the switch ends lowest, as the study note advises" and its opposite with
    the seed, over median gaps within 2 % of each other (two reviews). A winner now needs a
    sign test over the draws that tell the two apart."""
    from app_pages.common.lab_schedules import sign_test, switch_verdict

    def run(name: str, finals: list[float], **kw: object) -> dict:
        return {"optimizer": name, "label": "SGD (constant)" if name == "sgd" else name,
                "gap": np.array([1.0, finals[0]]), "finals": np.array(finals),
                "diverged_step": -1, "off_map": False, **kw}

    assert sign_test(7, 8) < 0.05 < sign_test(6, 8) and sign_test(5, 5) < 0.05 < sign_test(4, 4)
    sgd = run("sgd", [2e-3] * 8)
    close = run("adam_then_sgd", [1e-3] * 5 + [3e-3] * 3)
    said = switch_verdict([sgd, close], noisy=True)
    assert said.startswith("Here neither clearly wins: the switch ends lower than SGD "
                           "(constant) in 5 of 8 noise draws and higher in 3"), said
    better = run("adam_then_sgd", [1e-3] * 7 + [3e-3])
    assert "the switch ends lowest in 7 of 8 noise draws" in switch_verdict([sgd, better], True)
    worse = run("adam_then_sgd", [3e-3] * 8)
    assert "SGD (constant) ends lower than the switch in 8 of 8 noise draws" in switch_verdict(
        [sgd, worse], True)
    # draws where both are at the minimum tell nothing: 5 of the 5 that do (a review: "neither
    # clearly wins" of a switch that never lost)
    there = run("adam_then_sgd", [1e-8] * 8)
    half = run("sgd", [1e-8] * 3 + [1e-3] * 5)
    assert ("the switch ends lowest in 5 of the 5 noise draws that tell them apart"
            in switch_verdict([half, there], True))
    # the best other is the lowest median, not the lowest on the draw the figure shows
    lucky = run("adam", [1e-4] + [1.0] * 7)
    assert "SGD (constant)" in switch_verdict([lucky, sgd, worse], True)
    # lost in most draws, whatever the draw the figure shows (a review: on McCormick at noise 2
    # the switch was called off the map from draw 0 alone, on the map in 5 of 8)
    inf = float("inf")
    gone = run("adam_then_sgd", [1e-3] + [inf] * 7, diverged_draws=4, off_map_draws=3)
    assert switch_verdict([sgd, gone], True) == (
        "Here the switch diverged in 4 and ended off the map in 3 of 8 noise draws: most of its "
        "runs reach nothing.")
    mostly_on = run("adam_then_sgd", [inf, inf, inf, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3],
                    off_map=True, off_map_draws=3)
    said = switch_verdict([sgd, mostly_on], True)
    assert "off the map, where" not in said, said
    assert said.endswith(" The switch ended off the map in 3 of 8 noise draws."), said
    # lost in some draws, at the minimum in the rest, beside a run at the minimum in all: not
    # "neither helps nor hurts" (a review)
    some_lost = run("adam_then_sgd", [0.0] * 5 + [inf] * 3, diverged_draws=3)
    said = switch_verdict([run("sgd", [0.0] * 8), some_lost], True)
    assert "neither helps nor hurts" not in said and "The switch diverged in 3 of 8" in said
    assert said.startswith("Here neither clearly wins: the switch ends lower than SGD "
                           "(constant) in 0 of 8 noise draws and higher in 3; in the other 5 "
                           "both reach the minimum or both are lost."), said
    # the winner's sentence names the switch as the one lost, not "it" (a review)
    said = switch_verdict([sgd, run("adam_then_sgd", [3e-3] * 6 + [inf] * 2,
                                    off_map_draws=2)], True)
    assert "SGD (constant) ends lower than the switch in 8 of 8 noise draws" in said
    assert said.endswith(" The switch ended off the map in 2 of 8 noise draws.") and "; it" \
        not in said
    # nothing decided: every draw alike
    same = run("adam_then_sgd", [0.0] * 6 + [inf] * 2, diverged_draws=2)
    said = switch_verdict([run("sgd", [0.0] * 6 + [inf] * 2, diverged_draws=2), same], True)
    assert said.startswith("Here neither wins: in every noise draw both reach the minimum or "
                           "both are lost."), said
    # another run lost in most draws is no yardstick
    blown = run("sgd", [inf] * 6 + [1e-9] * 2, diverged_draws=6)
    assert switch_verdict([blown, better], True) == (
        "Here the switch is the only run that, in most noise draws, ends on the map without "
        "diverging.")


def test_the_switch_verdict_never_calls_a_run_off_the_map_or_diverged_a_success() -> None:
    """McCormick falls below its minimum off the map: every run flew off it, the gaps clamped
    to 0, and the verdict said "both reach the minimum"; a switch that blew up after the
    hand-over was compared as if it had ended (a review)."""
    from app_pages.common.lab_schedules import switch_verdict

    def run(name: str, last: float, **kw: object) -> dict:
        return {"optimizer": name, "label": name, "gap": np.array([1.0, last]),
                "diverged_step": -1, "off_map": False, "switch_step": 50 if "then" in name
                else None, **kw}

    off = switch_verdict([run("sgd", 0.0, off_map=True), run("adam_then_sgd", 0.0, off_map=True)],
                         noisy=False)
    assert "ends off the map" in off and "reach the minimum" not in off
    blown = switch_verdict([run("sgd", 1e-3), run("adam_then_sgd", np.inf, diverged_step=53)],
                           noisy=False)
    assert blown.startswith("Here the switch diverged at step 53 (after the hand-over")
    early = switch_verdict([run("sgd", 1e-3), run("adam_then_sgd", np.inf, diverged_step=7)],
                           noisy=False)
    assert "(before the hand-over, in Adam's phase)" in early
    # level to the last digit without noise (both stopped on a saddle) is a tie, not a loss
    level = switch_verdict([run("sgd", 1.0316), run("adam_then_sgd", 1.0316)], noisy=False)
    assert level.startswith("Here the switch and sgd end level (a final gap of 1.03)"), level
    alone = switch_verdict([run("sgd", 0.0, off_map=True), run("adam_then_sgd", 1e-3)], False)
    assert alone == "Here the switch is the only run that ends on the map without diverging."
    # the page, on the review's McCormick link
    at = app_test(PAGE, {**FAST, "surface": "mccormick", "optimizers": "sgd,adam",
                         "steps": "200", "start": "-1.3,-2.9", "sgd.lr": "0.0132",
                         "adam.lr": "0.05"}).run()
    said = " ".join(c.value for c in at.caption)
    assert "the switch ends off the map" in said and "reach the minimum" not in said


def test_the_switch_carries_sgd_s_momentum_and_says_what_it_cannot_carry() -> None:
    """SGD with momentum 0.9 raced beside a switch to plain SGD, which ended worse than both
    and was blamed on "a smooth run" (a review)."""
    from app_pages.common.lab_schedules import switch_dropped, switch_settings

    got = switch_settings({"sgd": {"lr": 1e-3, "momentum": 0.9, "nesterov": True},
                           "adam": {"lr": 0.1, "eps": 1e-3, "amsgrad": True}}, 200)
    assert (got["sgd_lr"], got["momentum"], got["lr"], got["eps"]) == (1e-3, 0.9, 0.1, 1e-3)
    assert switch_dropped({"sgd": {"lr": 1e-3, "momentum": 0.9, "nesterov": True},
                           "adam": {"lr": 0.1, "amsgrad": True}}) == [
        "Adam's amsgrad", "SGD's nesterov"]
    assert switch_dropped({"sgd": {"lr": 1e-3, "nesterov": False}, "adam": {"lr": 0.1}}) == []
    # settings that act on another one left at 0 change nothing: not named (a review)
    assert switch_dropped({"sgd": {"lr": 1e-3, "dampening": 0.5, "nesterov": True},
                           "adam": {"decoupled_weight_decay": True}}) == []
    assert switch_dropped({"sgd": {"momentum": 0.9, "dampening": 0.5},
                           "adam": {"weight_decay": 0.1, "decoupled_weight_decay": True}}) == [
        "Adam's weight_decay", "Adam's decoupled_weight_decay", "SGD's dampening"]
    at = app_test(PAGE, {**FAST, "optimizers": "sgd,adam", "sgd.momentum": "0.9",
                         "adam.amsgrad": "true"}).run()
    said = " ".join(c.value for c in at.caption)
    assert "The switch runs without Adam's amsgrad" in said
    names = [t["name"] for t in charts(at)[3]["data"] if "→ SGD" in t.get("name", "")]
    assert names and all("momentum 0.9" in n for n in names), names


def test_the_default_schedule_view_names_what_ended_lowest() -> None:
    at = app_test(PAGE).run()
    assert not at.exception
    said = " ".join(c.value for c in at.caption)
    assert "both reach the minimum" in said, said  # SGD 1.9e-13, the switch 7.9e-13


def test_the_sweep_table_s_notes_are_listed_in_full_under_it(monkeypatch) -> None:
    """The note column stood empty on the default page; on a phone it was cut off the screen,
    and a laptop's cell cut its sentence short."""
    at = app_test(PAGE).run()
    assert "note" not in at.dataframe[0].value.columns
    # the default's only note: SGD's best rate is a leap (its ★ sat unremarked; the tuner said
    # so of its own pick)
    assert [m.value for m in at.markdown if m.value.startswith("- **")
            and not m.value.startswith("- **Steps to tolerance**")] == [  # the how-to-read list
        "- **SGD**: its first step jumps 29% of the map's diagonal (a leap, not a walk)"]
    edge = {"lr_min": "1e-4", "lr_max": "1e-3"}  # every best rate at the range's top: a note
    at = app_test(PAGE, edge).run()
    assert not at.exception
    assert "note" not in at.dataframe[0].value.columns
    assert any("widen it" in m.value and m.value.startswith("- **") for m in at.markdown)
    from app_pages.common import controls

    monkeypatch.setattr(controls, "is_phone", lambda: True)
    phone = app_test(PAGE, edge).run()
    assert "note" not in phone.dataframe[0].value.columns
    assert any("widen it" in m.value and m.value.startswith("- **") for m in phone.markdown)


def test_a_schedule_slider_s_value_reaches_the_link_without_float_noise() -> None:
    """Exponential decay's γ = 0.99 came back from its slider (steps of 0.0001 from 0.9) as
    0.9899999999999999, and the link read 'schedule.gamma=0.989999999999999'."""
    at = app_test(PAGE, {**FAST, "schedule": "exponential"}).run()
    at.slider(key="lab.schedule.exponential.gamma").set_value(0.9 + 973 * 0.0001).run()
    assert not at.exception  # 0.9973000000000001, as the browser's slider sends it
    assert at.query_params["schedule.gamma"] == "0.9973", dict(at.query_params)


def test_the_panels_caption_says_how_each_optimizer_keeps_its_step_near_the_rate() -> None:
    """Lion takes the sign of its blend of gradients; it does not divide by the gradient's size
    (the caption said so for every scale-free optimizer)."""
    def caption(name: str) -> str:
        at = app_test(PAGE, {**FAST, "optimizers": name}).run()
        return next(c.value for c in at.caption if "same clock" in c.value)

    assert "sign of each coordinate" in caption("lion") and "divides" not in caption("lion")
    assert "divides by the gradient's recent size" in caption("adam")
    assert "whatever the slope" not in caption("sgd")


def test_a_final_rate_above_an_optimizers_rate_says_what_to_do() -> None:
    """η_min above SGD's rate read "SGD: this schedule is not allowed (eta_min=0.2 is out of
    range [0, 0.01])" and SGD's curve went missing without a word of it."""
    at = app_test(PAGE, {"steps": "200", "sweep": "10", "optimizers": "sgd,adam",
                         "sgd.lr": "0.01", "adam.lr": "0.5", "schedule": "cosine",
                         "schedule.eta_min": "0.2"}).run()
    assert not at.exception
    # the Adam -> SGD comparison runs SGD's 0.01 after the switch: left off as well
    said, switch = [w.value for w in at.warning]
    assert switch.startswith(f"{OPTIMIZERS['adam_then_sgd'].display_name} is left off this")
    assert said.startswith("SGD is left off this chart: the lowest learning rate η_min (URL: "
                           "schedule.eta_min) is 0.2, above SGD's own rate 0.01") and \
        "Set η_min to at most 0.01." in said, said
    names = [t["name"] for t in charts(at)[3]["data"]]
    assert any("Adam" in n for n in names) and not any(n.startswith("SGD") for n in names), names


def test_the_adam_then_sgd_comparison_follows_the_chosen_schedule() -> None:
    """Its curve ran at constant rates beside cosine-scheduled ones, and the verdict compared
    unlike runs; with neither Adam nor SGD racing, the intro still said "your Adam rate"."""
    at = app_test(PAGE, {"steps": "200", "sweep": "10", "optimizers": "momentum,rmsprop",
                         "schedule": "cosine"}).run()
    assert not at.exception and not at.warning
    fig = charts(at)[3]
    switch = next(t for t in fig["data"] if t["xaxis"] == "x" and "→ SGD" in t["name"])
    assert switch["name"].endswith("(cosine annealing)"), switch["name"]
    lr = decode(switch["y"])
    assert lr[0] > lr[49] > 0 and lr[50] < 0.01 and lr[-1] < 1e-5  # SGD's 0.01 decays too
    intro = next(m.value for m in at.markdown if "**Adam first**" in m.value)
    assert "your Adam rate" not in intro and "else the Adam → SGD racer's own rates" in intro


def test_the_rate_range_says_it_bounds_the_sweep_and_the_tuner() -> None:
    """"Smallest/Largest rate" sat beside "Side-by-side panels" and read as the panels' range
    (the panels span the optimizer's own rate): the range now sits with the sweep and says so."""
    at = app_test(PAGE, {"steps": "60", "sweep": "10"}).run()
    labels = [w.label for w in at.sidebar if getattr(w, "label", None) and w.type in
              ("slider", "select_slider")]
    i = labels.index("Sweep and tuner: smallest rate")
    assert labels[i:i + 3] == ["Sweep and tuner: smallest rate", "Sweep and tuner: largest rate",
                               "Rates in the sweep"]
    assert labels.index("Panels span") < i


def test_rates_that_left_the_map_are_not_said_to_have_diverged() -> None:
    """A review: McCormick's Adam at 1-100 left the map at every rate, 0 diverged, and the table
    said "every rate diverged"; the tuner said so too."""
    at = app_test(PAGE, {"surface": "mccormick", "optimizers": "adam", "lr_min": "1",
                         "lr_max": "100", "sweep": "20"}).run()
    assert not at.exception
    assert at.dataframe[0].value["diverged rates"].iloc[0] == 0
    assert "- **Adam**: every rate left the map" in [m.value for m in at.markdown]


def test_rates_too_small_are_not_said_to_be_trapped() -> None:
    """A review: on Booth (one minimum) with rates 1e-5..1e-3 and 10 steps the tuner said "a
    local minimum or a flat stretch holds them all": the rates were too small, the run short."""
    at = app_test(PAGE, {"surface": "booth", "lr_min": "1e-5", "lr_max": "0.001", "steps": "10",
                         "sweep": "20"}).run()
    button(at, "Tune every optimizer").click().run()
    said = " ".join(m.value for m in at.markdown)
    assert "the rates are too small (or the run too short)" in said
    assert "trapped" not in said


def test_a_batch_of_every_sample_is_not_noisy() -> None:
    """A review: at batch 100 of 100 points (full-batch gradient descent, as the slider says) the
    tuner showed a "median of 8 draws", all 8 equal, and the switch caption said "noise and
    all"."""
    from app_pages.common import lab
    from app_pages.common.compute import DATA_SAMPLES

    assert lab.noise_draws(0.0, DATA_SAMPLES, DATA_SAMPLES) == 1
    assert lab.noise_draws(0.0, DATA_SAMPLES - 1, DATA_SAMPLES) == lab.NOISE_DRAWS
    at = app_test(PAGE, {**FAST, "surface": "logistic_regression",
                         "batch": str(DATA_SAMPLES)}).run()
    button(at, "Tune every optimizer").click().run()
    assert not at.exception
    assert not [c for c in at.dataframe[1].value.columns if "draws" in c]
    assert not any("noise and all" in c.value for c in at.caption)
    small = app_test(PAGE, {**FAST, "surface": "logistic_regression", "batch": "10"}).run()
    button(small, "Tune every optimizer").click().run()
    assert [c for c in small.dataframe[1].value.columns if "draws" in c]


def test_the_race_link_says_which_optimizers_it_races_untuned() -> None:
    """A review: McCormick's Adam, tuned over rates 1-100 that all left the map, raced at the
    visitor's 0.1 under a button that said "Race the tuned optimizers"."""
    at = app_test(PAGE, {"surface": "mccormick", "optimizers": "adam", "lr_min": "1",
                         "lr_max": "100", "sweep": "20"}).run()
    button(at, "Tune every optimizer").click().run()
    go = at.get("link_button")[0].proto
    assert go.label.startswith("Race them (Adam at your rate, untuned)"), go.label
    fine = app_test(PAGE, FAST).run()
    button(fine, "Tune every optimizer").click().run()
    assert fine.get("link_button")[0].proto.label.startswith("Race the tuned optimizers")


def test_the_sweep_says_a_noisy_sweep_is_one_draw_and_counts_rates_off_the_map() -> None:
    """With noise, the sweep's ★ is one draw of it (Adam's moved from 0.011 to 6.8 with the
    seed), and its table's "diverged rates" read 0 beside ~8 open arrows off the map on
    Rosenbrock (a review)."""
    noisy = app_test(PAGE, {**FAST, "noise": "0.5"}).run()
    said = " ".join(c.value for c in noisy.caption)
    assert "With gradient noise, every rate here runs on one draw of it (seed 0)" in said
    assert "ended off the map" not in noisy.dataframe[0].value.columns  # none left it
    assert "every rate here runs on one draw" not in " ".join(
        c.value for c in app_test(PAGE, FAST).run().caption)
    rosen = app_test(PAGE, {"surface": "rosenbrock", "optimizers": "adam,sgd"}).run()
    table = rosen.dataframe[0].value.set_index("optimizer")
    assert table.loc["Adam", "ended off the map"] > 0 and table.loc["Adam", "diverged rates"] == 0


def test_a_rerun_that_changes_no_figure_rebuilds_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lab's four figures are kept per setting (``compute.kept_figure``): an unchanged rerun
    rebuilt all four (~150 ms a rerun, whatever control moved); the focus moved rebuilds the
    two it draws, once, and moving it back rebuilds nothing."""
    import viz.curves
    import viz.multiples
    import viz.sweep

    built: list[str] = []
    for module, name in ((viz.multiples, "small_multiples_figure"), (viz.curves, "loss_figure"),
                         (viz.sweep, "sweep_figure"), (viz.sweep, "schedule_figure")):
        plain = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _f=plain, _n=name, **k: built.append(_n)
                            or _f(*a, **k))
    at = app_test(PAGE, {**FAST, "optimizers": "sgd,adam", "seed": "907"}).run()
    assert not at.exception and len(built) == 4, built
    built.clear()
    at.run()
    assert built == []
    at.segmented_control(key="lab.focus").set_value("adam").run()
    assert sorted(built) == ["loss_figure", "small_multiples_figure"]
    built.clear()
    at.segmented_control(key="lab.focus").set_value("sgd").run()
    assert built == [] and not at.exception
    assert len(charts(at)) == 4

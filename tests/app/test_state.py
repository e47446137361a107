"""URL state of the race: every parameter valid and junk; never an exception, always a warning."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscape
import optimizers
from app_pages.common.limits import limit
from app_pages.common.presets import LANDING_SURFACE, preset_for
from app_pages.common.state import (
    RaceState,
    RaceView,
    format_hparam,
    parse_hparam,
    parse_race_query,
    parse_race_view,
    plus_from_url,
    race_query,
    race_view_query,
)
from landscape.data_losses import DATA_LOSSES, get_data_loss

SPECS = optimizers.OPTIMIZERS
LANDSCAPES = {**landscape.SURFACES, **{n: get_data_loss(n) for n in DATA_LOSSES}}
FORMULA_DOMAIN = ((-5.0, 5.0), (-5.0, 5.0))


def preset(name: str):
    return preset_for(name, LANDSCAPES[name], SPECS)


def parse(query: dict[str, str]) -> tuple[RaceState, list[str]]:
    return parse_race_query(query, LANDSCAPES, SPECS, preset, LANDING_SURFACE, FORMULA_DOMAIN,
                            lambda n: getattr(LANDSCAPES.get(n), "n_samples", None)
                            if n in DATA_LOSSES else None)


def test_no_parameters_gives_the_landing_race_without_warnings() -> None:
    state, warnings = parse({})
    assert warnings == []
    p = preset(LANDING_SURFACE)
    assert state.surface == LANDING_SURFACE and state.formula == ""
    assert state.optimizers == p.optimizers and state.start == p.start
    assert state.hparams["adam"]["lr"] == p.hparams["adam"]["lr"]
    assert state.hparams["adam"]["betas"] == (0.9, 0.999)


def test_valid_parameters_are_all_used() -> None:
    state, warnings = parse({
        "surface": "rosenbrock", "optimizers": "adam,sgd,rmsprop", "steps": "250",
        "start": "-1.5,2", "seed": "7", "noise": "0.25", "adam.lr": "0.02",
        "adam.betas": "0.8,0.95", "adam.amsgrad": "true", "sgd.nesterov": "false",
        "sgd.momentum": "0.5", "rmsprop.centered": "1",
    })
    assert warnings == []
    assert state.surface == "rosenbrock" and state.optimizers == ("adam", "sgd", "rmsprop")
    assert (state.steps, state.start, state.seed, state.noise) == (250, (-1.5, 2.0), 7, 0.25)
    assert state.hparams["adam"]["lr"] == 0.02 and state.hparams["adam"]["betas"] == (0.8, 0.95)
    assert state.hparams["adam"]["amsgrad"] is True and state.hparams["rmsprop"]["centered"] is True
    assert state.hparams["sgd"]["momentum"] == 0.5


def test_round_trip_reproduces_the_state_exactly() -> None:
    state, _ = parse({"surface": "himmelblau", "optimizers": "nesterov,adam", "steps": "321",
                      "start": "0.1,-0.30000000000000004", "seed": "99", "noise": "0.1",
                      "adam.lr": "0.0123456789", "adam.eps": "1e-07"})
    query = race_query(state, SPECS)
    again, warnings = parse(query)
    assert warnings == [] and again == state
    assert query["adam.lr"] == "0.0123456789" and "adam.weight_decay" not in query


def test_a_registry_default_away_from_the_preset_is_kept_in_the_link() -> None:
    """Random local search's registry step is 0.1 and Adam -> SGD's SGD rate 0.01; two_basins'
    preset sets 0.3 for both. A link that left them out because they equalled the registry
    defaults reopened at the preset's 0.3."""
    defaults = {name: {h.name: h.default for h in SPECS[name].hparams}
                for name in ("random_local_search", "adam_then_sgd")}
    state, _ = parse({"surface": "two_basins",
                      "optimizers": "random_local_search,adam_then_sgd"})
    assert state.hparams["random_local_search"]["step_size"] != defaults[
        "random_local_search"]["step_size"]  # the preset's, not the registry's
    mine = replace(state, hparams={n: {**state.hparams[n], **defaults[n]} for n in defaults})
    query = race_query(mine, SPECS)
    assert query["random_local_search.step_size"] == "0.1"
    assert query["adam_then_sgd.sgd_lr"] == "0.01"
    again, warnings = parse(query)
    assert warnings == [] and again == mine


def test_data_loss_gets_a_batch_and_formula_wins_over_surface() -> None:
    state, warnings = parse({"surface": "linear_regression", "batch": "25"})
    assert warnings == [] and state.batch_size == 25
    state, warnings = parse({"surface": "rosenbrock", "formula": "x**2 + y**2"})
    assert state.formula == "x**2 + y**2" and state.surface == ""
    state, warnings = parse({"surface": "rosenbrock", "batch": "5"})
    assert state.batch_size is None and any("batch" in w for w in warnings)


JUNK = ["nan", "NaN", "inf", "-inf", "1e999", "-1", "0", "1e30", "abc", "", " ", "1,2,3",
        "0x10", "None", "[1]", "' OR 1=1 --", "<script>alert(1)</script>", "%00", "1.5.5",
        "9" * 400]


@pytest.mark.parametrize("key", ["steps", "start", "seed", "noise", "surface", "optimizers",
                                 "adam.lr", "adam.betas", "adam.amsgrad", "sgd.momentum",
                                 "adam_then_sgd.switch_step", "batch"])
@pytest.mark.parametrize("junk", JUNK)
def test_junk_values_fall_back_with_a_warning_naming_the_parameter(key: str, junk: str) -> None:
    query = {"optimizers": "adam,sgd,adam_then_sgd"} if key.count(".") else {}
    if key == "batch":
        query["surface"] = "linear_regression"
    query[key] = junk
    state, warnings = parse(query)
    default, _ = parse({k: v for k, v in query.items() if k != key})
    valid_by_accident = {("steps", "1e30"), ("noise", "0"), ("seed", "0"), ("sgd.momentum", "0"),
                         ("adam.amsgrad", "0"), ("noise", "1e30")}
    if (key, junk) in valid_by_accident or (key == "adam.lr" and junk in ("0",)):
        return
    assert state == default
    named = key.split(".")[-1].removesuffix("s")  # "optimizers": "Unknown optimizer(s) ..."
    assert warnings and any(named in w for w in warnings), warnings
    assert all(len(w) < 400 for w in warnings)


def test_out_of_range_numbers_are_refused() -> None:
    for query, name in [({"steps": str(limit("steps") + 1)}, "steps"), ({"steps": "2.5"}, "steps"),
                        ({"start": "99,99"}, "start"), ({"start": "nan,0"}, "start"),
                        ({"seed": str(2**40)}, "seed"), ({"noise": "1e9"}, "noise"),
                        ({"optimizers": "adam", "adam.lr": "5000"}, "adam.lr"),
                        ({"optimizers": "adam", "adam.betas": "0.9"}, "adam.betas"),
                        ({"optimizers": "adam", "adam.betas": "0.9,inf"}, "adam.betas"),
                        # numbers as links write them: Python's float read these two
                        ({"steps": "1_000"}, "steps"), ({"steps": "\u0661\u0662\u0663"}, "steps"),
                        ({"optimizers": "adam", "adam.lr": "0x1"}, "adam.lr")]:
        state, warnings = parse(query)
        assert warnings and name in warnings[0], (query, warnings)
        assert state == parse({k: v for k, v in query.items() if k != name})[0]


def test_a_refused_hyperparameter_says_what_it_must_be() -> None:
    """1e9 is a valid float, just out of range: the warning says what is wanted, not "invalid"."""
    cases = {"adam.lr": ("1e9", "must be a number in [1e-06, "),
             "adam.amsgrad": ("maybe", "must be true or false"),
             "adam.betas": ("0.9", "must be two numbers a,b, each in [0, "),
             "adam_then_sgd.switch_step": ("2.5", "must be a whole number in [")}
    for key, (text, wanted) in cases.items():
        _, warnings = parse({"optimizers": key.split(".")[0], key: text})
        assert len(warnings) == 1 and wanted in warnings[0], warnings


@pytest.mark.parametrize(("url", "formula"), [
    ("x^2 y^2", "x^2+y^2"), ("x^2   y^2", "x^2+y^2"),  # '+' and ' + ' as a URL delivers them
    ("(x - 1)^2 y^2", "(x-1)^2+y^2"), ("1e 3*x", "1e+3*x"), ("sin(x) cos(y)", "sin(x)+cos(y)"),
    ("x^2+y^2", "x^2+y^2"), ("  x  ", "x"), ("x\ny", "xy"), ("x\t y", "xy")])
def test_a_url_formula_gets_its_plus_signs_back(url: str, formula: str) -> None:
    assert plus_from_url(url) == formula


def test_unknown_names_are_reported_and_ignored() -> None:
    state, warnings = parse({"surface": "mount_everest", "optimizers": "adam,sgdd,__import__",
                             "adam.learning_rate": "0.1", "sgd.lr": "0.1", "color": "red"})
    text = " ".join(warnings)
    assert "mount_everest" in text and "sgdd" in text and "learning_rate" in text
    assert "color" in text and "not racing" in text
    assert state.surface == LANDING_SURFACE and state.optimizers == ("adam",)


def test_an_optimizer_listed_twice_races_once_and_the_link_says_so() -> None:
    state, warnings = parse({"optimizers": "adam,sgd,adam,adam"})
    assert state.optimizers == ("adam", "sgd")
    assert warnings == ["'adam' is listed more than once in the URL; each counts once."]
    assert parse({"optimizers": "adam,sgd"})[1] == []


def test_too_many_optimizers_are_capped_and_none_known_falls_back() -> None:
    state, warnings = parse({"optimizers": ",".join(SPECS)})
    assert len(state.optimizers) == limit("optimizers") and warnings
    state, warnings = parse({"optimizers": ",,,"})
    assert state.optimizers == preset(LANDING_SURFACE).optimizers and warnings
    cap = limit("optimizers")
    for n in (cap, cap + 1):  # the boundary: the cap races, one more is refused with a note
        state, warnings = parse({"optimizers": ",".join(list(SPECS)[:n])})
        assert len(state.optimizers) == cap and bool(warnings) == (n > cap), (n, warnings)


def test_very_long_values_are_ignored_before_parsing() -> None:
    state, warnings = parse({"formula": "x+" * 5000 + "y", "surface": "a" * 10_000})
    assert state.surface == LANDING_SURFACE and state.formula == ""
    assert len(warnings) == 2 and all(len(w) < 200 for w in warnings)


def test_hostile_formula_text_is_only_carried_never_evaluated_here() -> None:
    state, _ = parse({"formula": "__import__('os').system('echo pwned')"})
    assert state.formula.startswith("__import__")  # the page hands it to from_expression
    with pytest.raises(landscape.ExpressionError):
        landscape.from_expression(state.formula)


def test_hparam_text_helpers() -> None:
    h = SPECS["adam"].hparam("betas")
    assert parse_hparam(h, "0.9,0.99") == (0.9, 0.99)
    assert parse_hparam(h, "0.9;0.99") is None
    assert format_hparam((0.9, 0.999)) == "0.9,0.999"
    assert format_hparam(True) == "true" and format_hparam(1e-8) == "1e-08"
    lr = SPECS["adam"].hparam("lr")
    assert parse_hparam(lr, "1e-3") == 0.001 and parse_hparam(lr, "nan") is None


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["surface", "formula", "optimizers", "steps", "start", "seed", "noise",
                     "batch", "adam.lr", "sgd.momentum", "adam.betas", "x.y", "zz"]),
    st.text(max_size=60) | st.floats(allow_nan=True).map(str), max_size=8))
def test_any_query_parses_to_a_valid_state(query: dict[str, str]) -> None:
    state, warnings = parse(query)
    assert isinstance(warnings, list)
    assert 1 <= state.steps <= limit("steps") and 0 <= state.seed < 2**32
    assert math.isfinite(state.noise) and state.noise >= 0
    assert all(math.isfinite(v) for v in state.start)
    assert state.optimizers and set(state.optimizers) <= set(SPECS)
    assert set(state.hparams) == set(state.optimizers)
    again, _ = parse(race_query(state, SPECS)) if not state.formula else (state, [])
    assert again == state


def test_view_parameters_round_trip_and_junk_falls_back() -> None:
    view, warn = parse_race_view({"speed": "fast", "arrows": "1"})
    assert view == RaceView("fast", True) and not warn
    assert parse_race_view(race_view_query(view)) == (view, [])
    assert race_view_query(RaceView()) == {}  # defaults stay out of the link
    view, warn = parse_race_view({"speed": "warp" * 100, "arrows": "maybe"})
    assert view == RaceView() and len(warn) == 2
    assert "'speed'" in warn[0] and "'arrows'" in warn[1] and len(warn[0]) < 200
    view_query = {"speed": "fast", "arrows": "true", "view": "3d", "tuned": "true"}
    _, warn = parse_race_query(view_query, LANDSCAPES, SPECS, preset, LANDING_SURFACE,
                               FORMULA_DOMAIN, shows_race=True)
    assert not warn  # the race reads them itself (parse_race_view)
    _, warn = parse(view_query)  # the other pages: said once, not called unknown
    assert warn == ["URL parameters 'speed', 'arrows', 'view', 'tuned' only apply to the race "
                    "page; ignored here."]


@pytest.mark.parametrize("text", ["FAST", "Slow", " normal "])
def test_speed_is_read_in_any_case_as_view_is(text: str) -> None:
    view, warn = parse_race_view({"speed": text})
    assert view == RaceView(speed=text.strip().lower()) and not warn


def test_a_parameter_with_a_name_too_long_for_any_is_called_unknown() -> None:
    """A 61-character name was reported as 'longer than 500 characters', the value limit."""
    _, warn = parse({"a" * 61: "1"})
    assert len(warn) == 1 and "not a known name" in warn[0] and "500" not in warn[0]
    _, warn = parse({"steps": "1" * 501})
    assert "longer than 500 characters" in warn[0]


@pytest.mark.parametrize("text", ["3d", "3D", " 3d ", "map", "Map"])
def test_view_names_the_open_tab(text: str) -> None:
    view, warn = parse_race_view({"view": text})
    assert view == RaceView(tab=text.strip().lower()) and not warn
    assert parse_race_view(race_view_query(view)) == (view, [])
    assert race_view_query(view) == ({"view": "3d"} if view.tab == "3d" else {})


@pytest.mark.parametrize("junk", ["3D view", "surface", "", "3", "<b>x</b>", "3d" * 200])
def test_a_junk_view_opens_the_map_with_a_warning(junk: str) -> None:
    view, warn = parse_race_view({"view": junk})
    assert view == RaceView() and len(warn) == 1
    assert "'view'" in warn[0] and "using map" in warn[0] and len(warn[0]) < 200


def test_a_view_value_past_the_length_limit_is_skipped_and_warned_of_once() -> None:
    """``parse_race_query`` says an over-long value is ignored; the view's parser skips it (it
    applied 'view=3d' padded with spaces, under that warning) and adds no second warning."""
    from app_pages.common.limits import limit

    query = {"view": "3d" + " " * limit("url_value_chars"), "speed": "fast" * 200}
    assert parse_race_view(query) == (RaceView(), [])
    _, warn = parse(query)
    assert sum("is longer than" in w for w in warn) == 2, warn
    assert not any("race page" in w or "not one of" in w for w in warn), warn


def test_optimizers_a_page_does_not_offer_are_named_as_such_not_unknown() -> None:
    """The lab cannot tune the gradient-free searches: a link naming them says they are not
    available here, and a real typo is still called unknown."""
    lab_specs = {n: s for n, s in SPECS.items() if s.uses_gradient}
    state, warnings = parse_race_query({"optimizers": "random_search,adam,adamm"}, LANDSCAPES,
                                       lab_specs, preset, LANDING_SURFACE, FORMULA_DOMAIN)
    assert state.optimizers == ("adam",)
    text = " ".join(warnings)
    assert "'random_search' is not available on this page" in text
    assert "Unknown optimizer(s) 'adamm'" in text and "random_search' in the URL" not in text
    _, warnings = parse_race_query({"optimizers": "random_search"}, LANDSCAPES, lab_specs,
                                   preset, LANDING_SURFACE, FORMULA_DOMAIN)
    # the lab is no race: its own defaults, named as such
    assert any("is available here; using this page's default optimizers (" in w
               for w in warnings), warnings
    _, warnings = parse_race_query({"optimizers": "zzz"}, LANDSCAPES, SPECS, preset,
                                   LANDING_SURFACE, FORMULA_DOMAIN, shows_race=True)
    assert any("is available here; using the default race (" in w for w in warnings), warnings
    _, warnings = parse_race_query({"optimizers": ""}, LANDSCAPES, SPECS, preset,
                                   LANDING_SURFACE, FORMULA_DOMAIN)  # a page with none picked
    names = ", ".join(preset(LANDING_SURFACE).optimizers)
    assert warnings == ["The URL parameter 'optimizers' is empty (no optimizer picked); using "
                        f"this page's default optimizers ({names})."], warnings


def test_noise_on_a_data_driven_loss_warns_and_is_dropped() -> None:
    state, warnings = parse({"surface": "linear_regression", "noise": "5"})
    assert state.noise == 0.0
    assert any("'noise' only applies to plain surfaces" in w for w in warnings)
    state, warnings = parse({"surface": "rosenbrock", "noise": "5"})
    assert state.noise == 5.0 and warnings == []


def test_settings_refused_together_fall_back_to_the_optimizer_defaults() -> None:
    """nesterov=true is a valid value, but not without momentum: the race blanked (its only racer
    sat out) where the README promises a warning and the defaults."""
    state, warnings = parse({"optimizers": "sgd,adam", "sgd.nesterov": "true", "sgd.lr": "0.05",
                             "adam.lr": "0.2"})
    assert any("sgd" in w and "nesterov needs momentum" in w for w in warnings), warnings
    assert not state.hparams["sgd"]["nesterov"] and state.hparams["sgd"]["lr"] != 0.05
    assert state.hparams["adam"]["lr"] == 0.2  # the other racer keeps its settings
    state, warnings = parse({"optimizers": "sgd", "sgd.nesterov": "true", "sgd.momentum": "0.9"})
    assert warnings == [] and state.hparams["sgd"]["nesterov"]


def test_a_surface_another_page_offers_is_called_unavailable_not_unknown() -> None:
    """The basins page has no data losses: a link naming one said "Unknown surface"."""
    no_data = {n: s for n, s in LANDSCAPES.items() if n not in DATA_LOSSES}
    _, warnings = parse_race_query({"surface": "linear_regression"}, no_data, SPECS, preset,
                                   LANDING_SURFACE, FORMULA_DOMAIN)
    assert warnings == [f"Surface 'linear_regression' is not available on this page; using "
                        f"'{LANDING_SURFACE}'."]
    _, warnings = parse_race_query({"surface": "nope"}, no_data, SPECS, preset, LANDING_SURFACE,
                                   FORMULA_DOMAIN)
    assert warnings[0].startswith("Unknown surface 'nope'")

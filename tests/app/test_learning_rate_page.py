"""The learning-rate lab in AppTest: default render, URL parameters, the tuned race link."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.conftest import app_test, charts, decode, race_link_query

PAGE = "app_pages/learning_rate.py"
FAST = {"steps": "60", "sweep": "20"}


def test_default_page_draws_multiples_sweep_and_schedule() -> None:
    at = app_test(PAGE).run()
    assert not at.exception and not at.warning
    multiples, sweep, schedule = charts(at)
    assert len(multiples["frames"]) > 10  # animated together
    assert len(multiples["layout"]["images"]) == 4  # one surface per panel
    assert any(t["name"].endswith("diverged") for t in sweep["data"])
    assert any("best lr" in t["name"] for t in sweep["data"])
    assert any("SGD" in a["text"] for a in schedule["layout"]["annotations"])
    assert at.query_params["sweep"] == "60"


def test_url_parameters_reach_the_figures() -> None:
    query = {**FAST, "optimizers": "adam", "rates": "3", "spread": "30", "sweep": "15",
             "schedule": "cosine", "schedule.T_max": "40", "surface": "rosenbrock"}
    at = app_test(PAGE, query).run()
    assert not at.exception and not at.warning
    multiples, sweep, schedule = charts(at)
    assert len(multiples["layout"]["images"]) == 3
    curve = next(t for t in sweep["data"] if t["name"] == "Adam")
    n_diverged = sum(len(decode(t["x"])) for t in sweep["data"] if t["name"] == "Adam: diverged")
    assert len(decode(curve["x"])) + n_diverged == 15
    lr_curve = decode(next(t for t in schedule["data"] if "cosine" in t["name"])["y"])
    adam_lr = float(at.query_params["adam.lr"])
    assert lr_curve[0] == pytest.approx(adam_lr)  # Adam's own rate at step 0 ...
    assert lr_curve[40] == pytest.approx(0.0, abs=1e-12)  # ... annealed to 0 at T_max
    assert at.query_params["schedule.T_max"] == "40"
    assert at.query_params["surface"] == "rosenbrock"


@pytest.mark.parametrize(("key", "bad"), [
    ("lr_min", "NaN"), ("lr_max", "-1"), ("rates", "99"), ("sweep", "inf"), ("spread", "0"),
    ("focus", "no_such_optimizer"), ("schedule", "<script>"), ("schedule.gamma", "5"),
    ("surface", "zzz"), ("start", "1e999,0"), ("sgd.lr", "abc"),
])
def test_junk_parameters_warn_and_fall_back(key: str, bad: str) -> None:
    at = app_test(PAGE, {**FAST, key: bad}).run()
    assert not at.exception
    assert at.warning, f"no warning for {key}={bad}"
    assert len(charts(at)) == 3


def test_reversed_range_warns() -> None:
    at = app_test(PAGE, {**FAST, "lr_min": "1", "lr_max": "0.01"}).run()
    assert not at.exception and at.warning
    assert float(at.query_params["lr_min"]) < float(at.query_params["lr_max"])


def test_tune_button_links_to_the_race_with_the_tuned_rates() -> None:
    at = app_test(PAGE, {**FAST, "optimizers": "sgd,adam"}).run()
    assert not at.get("link_button")
    at.button(key="lab.tune").click().run()
    assert not at.exception
    q = race_link_query(at)
    assert q["optimizers"] == "sgd,adam"
    assert q["steps"] == "60" and q["surface"] == "six_hump_camel"
    assert q["start"] == at.query_params["start"]
    tuned = at.dataframe[1].value
    for name, col in (("sgd", 0), ("adam", 1)):
        assert float(q[f"{name}.lr"]) == pytest.approx(tuned["tuned rate"].iloc[col], rel=1e-3)
    # the tuned rate is at least as good as the user's rate after the same steps
    assert tuned["final loss gap"].notna().all()


def test_adam_then_sgd_uses_the_rates_on_the_page() -> None:
    """The article's switch must be built from the Adam and SGD on the page: with Adam's registry
    default instead, the default lab showed "Adam → SGD" stuck in the same local minimum as SGD,
    beside a text praising the switch."""
    at = app_test(PAGE, {"steps": "200", "sweep": "10", "optimizers": "sgd,adam",
                         "sgd.lr": "0.01", "adam.lr": "0.3"}).run()
    assert not at.exception and not at.warning
    schedule = charts(at)[2]
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
    from app_pages.common.lab import switch_settings
    from optimizers import OPTIMIZERS
    d = OPTIMIZERS["adam_then_sgd"].defaults()
    got = switch_settings({"adam": {"lr": 0.2, "betas": (0.8, 0.99)}}, 40)
    assert got["lr"] == 0.2 and got["betas"] == (0.8, 0.99) and got["sgd_lr"] == d["sgd_lr"]
    assert got["switch_step"] == 10
    assert switch_settings({}, 2)["switch_step"] == 1

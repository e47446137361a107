"""The learning-rate lab in AppTest: default render, URL parameters, the tuned race link."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from app_pages.common.lab_state import page_href
from tests.app.conftest import app_test

PAGE = "app_pages/learning_rate.py"
FAST = {"steps": "60", "sweep": "20"}


def decode(v) -> np.ndarray:
    """A figure array from Plotly JSON: a plain list or plotly 7's typed base64 ``bdata``."""
    if isinstance(v, dict) and "bdata" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return arr.reshape([int(s) for s in str(v["shape"]).split(",")]) if "shape" in v else arr
    return np.asarray(v)


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


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
    links = at.get("link_button")
    assert len(links) == 1
    url = urlsplit(links[0].proto.url)
    assert url.path == page_href("race")  # the race's own URL ("./" while it is the default)
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert q["optimizers"] == "sgd,adam"
    assert q["steps"] == "60" and q["surface"] == "six_hump_camel"
    assert q["start"] == at.query_params["start"]
    tuned = at.dataframe[1].value
    for name, col in (("sgd", 0), ("adam", 1)):
        assert float(q[f"{name}.lr"]) == pytest.approx(tuned["tuned rate"].iloc[col], rel=1e-3)
    # the tuned rate is at least as good as the user's rate after the same steps
    assert tuned["final loss gap"].notna().all()

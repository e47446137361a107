"""The concepts tour: every section renders a live figure, URL parameters drive the controls, and
the pure computation behind the figures teaches what the text says."""

from __future__ import annotations

import json
from itertools import pairwise

import numpy as np
import pytest

from app_pages.common.lab_state import page_href, registered_page
from app_pages.common.tour import (
    first_trial_near,
    responsibility,
    steps_per_epoch,
    stride,
    trials,
    trials_verdict,
)
from landscape import get_surface
from tests.app.conftest import app_test
from viz.concepts import layers_figure

PAGE = "app_pages/concepts.py"
FIGURES = 11  # altitude, trials map + curve, backprop, stride, GD map + curve, Adam/SGD, switch,
#               epochs, layers


def test_default_tour_renders_every_figure_without_warnings() -> None:
    at = app_test(PAGE).run()
    assert not at.exception and not at.warning
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(specs) == FIGURES
    assert specs[0]["data"][0]["type"] == "surface"  # loss as altitude, in 3D
    assert any(t["type"] == "scatter3d" for t in specs[0]["data"])  # ... with the walker
    assert at.query_params["batch"] == "10"


def test_url_parameters_drive_the_sections() -> None:
    query = {"surface": "himmelblau", "step": "5", "budget": "100", "stride": "1.5",
             "batch": "25", "switch": "4", "example": "7", "trained": "50", "layers": "0"}
    at = app_test(PAGE, query).run()
    assert not at.exception and not at.warning
    assert dict(at.query_params) == query
    trials_table = at.dataframe[0].value
    assert trials_table["evaluations used"].max() <= 100
    assert any("batch 25" in json.dumps(json.loads(c.proto.spec)["data"])
               for c in at.get("plotly_chart"))


@pytest.mark.parametrize(("key", "bad"), [
    ("surface", "no_such"), ("step", "NaN"), ("budget", "-5"), ("stride", "inf"),
    ("batch", "0"), ("switch", "99"), ("example", "1e9"), ("trained", "x"), ("zzz", "1"),
    ("layers", "7"),
])
def test_junk_parameters_warn(key: str, bad: str) -> None:
    at = app_test(PAGE, {key: bad}).run()
    assert not at.exception
    assert at.warning
    assert len(at.get("plotly_chart")) == FIGURES


def test_neural_network_link_only_when_the_page_exists(tmp_path) -> None:
    app = tmp_path / "app.py"
    (tmp_path / "app_pages").mkdir()
    app.write_text('st.navigation([st.Page("app_pages/nn.py", url_path="neural_network")])\n')
    assert registered_page("neural_network", app) is None  # registered, but no script yet
    (tmp_path / "app_pages" / "nn.py").write_text("")
    assert registered_page("neural_network", app) == "app_pages/nn.py"
    assert registered_page("race", app) is None
    assert page_href("neural_network", app) == "./neural_network"
    app.write_text('st.navigation([st.Page("app_pages/nn.py", url_path="race", default=True)])\n')
    assert page_href("race", app) == "./"  # the default page lives at the root
    at = app_test(PAGE).run()
    assert not at.exception
    linked = bool(at.get("page_link")) or any("(./neural_network)" in m.value
                                              for m in at.markdown)
    coming = any("Coming soon" in c.value for c in at.caption)
    exists = registered_page("neural_network") is not None
    assert linked == exists and coming != exists


@pytest.mark.parametrize(("lr", "kind"), [(0.5, "crawl"), (1.0, "land"), (1.5, "bounce"),
                                           (2.2, "explode")])
def test_stride_regimes_on_the_parabola(lr: float, kind: str) -> None:
    xs, fs, gone = stride(lr, 12)
    signs = np.sign(xs[:-1]) * np.sign(xs[1:])
    if kind == "crawl":
        assert np.all(signs > 0) and abs(xs[-1]) < abs(xs[0])
    elif kind == "land":
        assert xs[1] == 0.0
    elif kind == "bounce":
        assert np.all(signs < 0) and abs(xs[-1]) < abs(xs[0])
    else:
        assert np.all(np.diff(np.abs(xs[:5])) > 0)  # every bounce bigger than the last
    assert np.allclose(fs, 0.5 * xs**2) or gone >= 0


def test_trials_share_one_budget_and_gradient_descent_needs_no_trial_and_error() -> None:
    surface = get_surface("booth")  # one convex bowl: gradient descent walks straight down
    curves = trials(surface, np.array(surface.default_start), 200, lr=0.05, step_size=0.3)
    assert [c.optimizer for c in curves] == ["random_search", "random_local_search", "sgd"]
    for c in curves:
        assert c.x[-1] <= 200
        assert np.all(np.diff(c.gap) <= 0)  # best-so-far never gets worse
    assert curves[2].gap[-1] < min(curves[0].gap[-1], curves[1].gap[-1])


def test_back_propagation_blame_shrinks_as_the_model_learns() -> None:
    before, after = responsibility(3, 0), responsibility(3, 300)
    assert np.isclose(before.probs.sum(), 1.0)
    np.testing.assert_allclose(before.grad_logits, before.probs - np.eye(3)[before.label])
    assert before.loss == pytest.approx(-np.log(before.probs[before.label]))
    assert np.abs(after.grad_weight).sum() < 0.1 * np.abs(before.grad_weight).sum()
    assert after.accuracy > 0.8


def test_steps_per_epoch() -> None:
    assert steps_per_epoch(100, 10) == 10
    assert steps_per_epoch(100, 30) == 4
    assert steps_per_epoch(100, None) == 1


def _reached(surface_name: str, budget: int = 300) -> tuple[list, dict]:
    surface = get_surface(surface_name)
    curves = trials(surface, np.array(surface.default_start), budget, lr=0.05, step_size=0.3)
    targets = np.array([m.point for m in surface.minima if m.is_global], float)
    return curves, {c.optimizer: first_trial_near(c, targets, 0.1) for c in curves}


def test_trials_verdict_explains_when_gradient_descent_is_trapped() -> None:
    """On Two basins plain gradient descent settles in the near local minimum: the tour must say
    why instead of leaving a table where the "efficient" method loses without a word."""
    curves, reached = _reached("two_basins")
    assert reached["sgd"] is None
    text = trials_verdict(curves, reached)
    assert "not the global minimum" in text and "only as good as its start" in text


def test_trials_verdict_credits_gradient_descent_when_it_arrives() -> None:
    curves, reached = _reached("booth")
    assert reached["sgd"] is not None
    text = trials_verdict(curves, reached)
    assert f"Gradient descent after {reached['sgd']} trials" in text
    assert "no trial and error" in text and "hill it started on" not in text


def test_tour_section_two_has_words_under_its_table() -> None:
    at = app_test(PAGE, {"surface": "two_basins"}).run()
    assert any("only as good as its start" in c.value for c in at.caption)


@pytest.mark.parametrize("hidden", [0, 1, 3])
def test_layers_figure_draws_every_connection(hidden: int) -> None:
    sizes = (2, *(4,) * hidden, 3)
    names = ["in", *(f"h{k}" for k in range(hidden)), "out"]
    fig = layers_figure(sizes, names)
    edges = fig.data[0]
    assert sum(x is None for x in edges.x) == sum(a * b for a, b in pairwise(sizes))
    assert [len(t.y) for t in fig.data[1:]] == list(sizes)
    assert [a.text for a in fig.layout.annotations] == names


def test_tour_names_the_network_like_the_note() -> None:
    for layers, words in (("0", "Linear classifier"), ("1", "ANN"), ("3", "DNN (3 hidden")):
        at = app_test(PAGE, {"layers": layers}).run()
        assert not at.exception
        assert any(c.value.startswith(words) for c in at.caption), layers

"""Outcome classification: global / local k / diverged at s / still moving, vectorized."""

from __future__ import annotations

import numpy as np

import landscape
import optimizers
from app_pages.common.outcomes import (
    KIND_CODES,
    classify_endpoints,
    default_tolerance,
    describe,
    nearest_minimum,
    steps_to_global,
)
from landscape import Minimum

MINIMA = (Minimum((0.0, 0.0), 0.0, True), Minimum((3.0, 0.0), 1.0, False),
          Minimum((0.0, 3.0), 2.0, False))
TOL = 0.1


def line(a, b, n=11) -> np.ndarray:
    return np.linspace(a, b, n)


def test_reaching_the_global_minimum_and_when() -> None:
    pts = line([1.0, 0.0], [0.0, 0.0])  # steps of 0.1 towards the origin
    o = describe(pts, -1, MINIMA, TOL)
    assert o.kind == "global" and o.minimum == 0 and o.steps_to_global == 9
    assert o.text == "reached global minimum (step 9)"


def test_stuck_in_a_numbered_local_minimum() -> None:
    o = describe(line([0.0, 1.0], [0.02, 3.0]), -1, MINIMA, TOL)
    assert o.kind == "local" and o.local_number == 2 and o.minimum == 2
    assert o.text == "stuck in local minimum 2" and o.steps_to_global is None


def test_divergence_wins_and_names_the_step() -> None:
    o = describe(line([1.0, 0.0], [0.0, 0.0]), 4, MINIMA, TOL)
    assert o.kind == "diverged" and o.diverged_step == 4 and o.text == "diverged at step 4"


def test_still_moving_and_no_minima() -> None:
    assert describe(line([1.0, 1.0], [1.5, 1.5]), -1, MINIMA, TOL).text == "still moving"
    assert describe(line([1.0, 1.0], [1.5, 1.5]), -1, (), TOL).text == "finished (no known minima)"


def test_passing_through_counts_as_reaching_but_not_as_ending() -> None:
    pts = np.concatenate([line([1.0, 0.0], [0.0, 0.0]), line([0.0, 0.0], [1.0, 1.0])])
    o = describe(pts, -1, MINIMA, TOL)
    assert o.kind == "moving" and o.steps_to_global == 9
    assert o.text == "still moving, after passing a global minimum at step 9"


def test_vectorized_over_a_batch_of_paths() -> None:
    final = np.array([[0.01, 0.0], [2.95, 0.01], [1.0, 1.0], [np.nan, np.nan], [0.0, 0.0]])
    codes, idx = classify_endpoints(final, np.array([-1, -1, -1, -1, 7]), MINIMA, TOL)
    assert codes.tolist() == [KIND_CODES[k] for k in
                              ("global", "local", "moving", "moving", "diverged")]
    assert idx.tolist() == [0, 1, -1, -1, -1]
    paths = np.stack([line([1.0, 0.0], [0.0, 0.0]), line([1.0, 1.0], [2.0, 2.0])], axis=1)
    assert steps_to_global(paths, MINIMA, TOL).tolist() == [9, -1]
    i, d = nearest_minimum(np.array([[2.9, 0.0]]), MINIMA)
    assert i.tolist() == [1] and np.allclose(d, 0.1)


def test_tolerance_scales_with_the_domain() -> None:
    assert default_tolerance(((0.0, 3.0), (0.0, 4.0))) == 0.015 * 5


def test_landing_race_disagrees_with_the_real_packages() -> None:
    """The landing race's outcomes (presets chosen for this) hold with the real packages."""
    from app_pages.common.presets import LANDING_SURFACE, preset_for

    s = landscape.get_surface(LANDING_SURFACE)
    p = preset_for(LANDING_SURFACE, s, optimizers.OPTIMIZERS)
    kinds = {}
    for name in p.optimizers:
        t = optimizers.run(optimizers.get_optimizer(name, **p.hparams[name]), s,
                           np.array(p.start), p.steps)
        kinds[name] = describe(t.points, int(t.diverged_step), s.minima,
                               default_tolerance(s.domain)).kind
    values = list(kinds.values())
    assert values.count("global") >= 2 and "local" in values
    assert "moving" in values or "diverged" in values, kinds
    assert kinds["sgd"] == "local" and kinds["momentum"] == "global"


def test_leaving_the_formula_s_domain_is_not_called_diverging() -> None:
    o = describe(line([1.0, 0.0], [0.5, 0.0]), 4, MINIMA, TOL, undefined=True)
    assert o.kind == "diverged" and o.diverged_step == 4
    assert o.text == "left the region where the formula is defined at step 4"

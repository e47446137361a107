"""The lab's pure computation: batched sweeps and the fair tuner, on a quadratic with known answers.

On f(x) = a/2 |x|^2 plain gradient descent maps x -> (1 - lr a) x, so lr = 1/a lands on the minimum
in one step (the best rate in closed form), the gap after k steps is gap0 (1 - lr a)^(2k), and any
lr > 2/a diverges.
"""

from __future__ import annotations

import numpy as np
import pytest

from app_pages.common.lab import best_index, log_rates, sweep, tune_learning_rate, verdict
from optimizers import get_optimizer, run


class Quadratic:
    """f(x) = a/2 |x|^2 with its minimum value 0 at the origin."""

    min_value = 0.0
    domain = ((-2.0, 2.0), (-2.0, 2.0))

    def __init__(self, a: float) -> None:
        self.a = a

    def value(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return 0.5 * self.a * np.sum(x * x, axis=-1)

    def grad(self, x: np.ndarray) -> np.ndarray:
        return self.a * np.asarray(x, dtype=float)


START = np.array([1.0, -0.5])


def test_log_rates_are_log_spaced_and_inclusive() -> None:
    r = log_rates(1e-3, 1.0, 4)
    np.testing.assert_allclose(r, [1e-3, 1e-2, 1e-1, 1.0])
    with pytest.raises(ValueError):
        log_rates(0.0, 1.0, 5)
    with pytest.raises(ValueError):
        log_rates(1.0, 0.1, 5)


@pytest.mark.parametrize("a", [2.0, 4.0, 25.0])
def test_tuner_finds_the_closed_form_rate_for_gradient_descent(a: float) -> None:
    tuned = tune_learning_rate("sgd", Quadratic(a), START, 5, lo=1e-4, hi=1.0, n=60)
    assert tuned.lr is not None
    assert tuned.lr == pytest.approx(1.0 / a, rel=0.02)
    assert tuned.final_gap < 1e-6 * Quadratic(a).value(START)


def test_sweep_is_one_batched_run_equal_to_separate_runs() -> None:
    lrs = log_rates(1e-3, 0.5, 7)
    s = sweep("adam", Quadratic(4.0), START, 40, lrs)
    assert s.trajectory.points.shape == (41, 7, 2)
    for r, lr in enumerate(lrs):
        alone = run(get_optimizer("adam", lr=float(lr)), Quadratic(4.0), START, 40)
        np.testing.assert_allclose(s.trajectory.points[:, r], alone.points, rtol=1e-12, atol=0)


def test_sweep_marks_divergence_exactly_above_two_over_a() -> None:
    a = 4.0
    lrs = np.concatenate([log_rates(1e-3, 0.49, 30), log_rates(0.56, 5.0, 30)])
    s = sweep("sgd", Quadratic(a), START, 300, lrs)
    np.testing.assert_array_equal(s.diverged, lrs > 2.0 / a)
    assert not s.diverged[s.best]
    assert verdict(s, int(np.argmax(s.diverged))).startswith("exploded at step")


def test_steps_to_tolerance_match_the_geometric_rate() -> None:
    a, tol, steps = 4.0, 1e-8, 200
    lrs = log_rates(0.01, 0.2, 12)
    s = sweep("sgd", Quadratic(a), START, steps, lrs, tol=tol)
    gap0 = Quadratic(a).value(START)
    q = np.abs(1.0 - lrs * a)
    expected = np.ceil(np.log(tol / gap0) / (2.0 * np.log(q)))
    expected = np.where(expected <= steps, expected, -1)
    assert np.all(np.abs(s.steps_to_tol - expected) <= 1)
    reached = s.steps_to_tol[s.steps_to_tol >= 0]
    assert reached.size >= 8
    assert np.all(np.diff(reached) <= 0)  # larger (stable) steps arrive sooner


def test_best_index_judges_final_loss_not_early_progress() -> None:
    # Rate 0 drops fast then stalls; rate 1 starts slowly but ends lower: the fair choice is 1.
    gap = np.array([[1.0, 1.0], [0.01, 0.9], [0.01, 0.1], [0.01, 0.001]])
    assert best_index(gap, np.array([False, False])) == 1
    # A tie in final loss goes to the path with the smaller area (it got there sooner).
    tie = np.array([[1.0, 1.0], [0.5, 0.1], [0.0, 0.0]])
    assert best_index(tie, np.array([False, False])) == 1
    assert best_index(tie, np.array([True, True])) == -1


def test_sweep_keeps_the_other_hyperparameters_and_ignores_a_given_lr() -> None:
    lrs = log_rates(1e-3, 0.1, 5)
    s = sweep("sgd", Quadratic(1.0), START, 30, lrs, hparams={"momentum": 0.5, "lr": 99.0})
    opt = get_optimizer("sgd", lr=float(lrs[2]), momentum=0.5)
    alone = run(opt, Quadratic(1.0), START, 30)
    np.testing.assert_allclose(s.trajectory.points[:, 2], alone.points, rtol=1e-12)

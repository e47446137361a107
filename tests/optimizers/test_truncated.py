"""A run's first M steps equal a run of M steps (``Trajectory.truncated``), for every optimizer:
with gradient noise, minibatches, a path that diverges, and the Adam -> SGD switch. The race
serves shorter step counts from the longest run it has computed."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers import OPTIMIZERS, get_optimizer, run
from optimizers.trajectory import Trajectory
from tests.optimizers.helpers import LeastSquares, Rosenbrock

STARTS = np.array([[-1.2, 1.0], [0.5, 2.5], [1.8, -0.7]])
N = 60


def assert_same(a: Trajectory, b: Trajectory) -> None:
    np.testing.assert_array_equal(a.points, b.points)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.evaluations, b.evaluations)
    np.testing.assert_array_equal(a.diverged_step, b.diverged_step)
    np.testing.assert_array_equal(a.lr, b.lr)
    assert (a.switch_step, a.optimizer, a.hparams) == (b.switch_step, b.optimizer, b.hparams)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("start", [STARTS, STARTS[0]], ids=["batch", "single"])
def test_first_steps_of_a_longer_run_equal_a_shorter_run(name: str, start: np.ndarray) -> None:
    opt, f = get_optimizer(name), Rosenbrock()
    long = run(opt, f, start, N, seed=4, noise=0.3)
    for m in (0, 1, 17, N - 1, N):
        assert_same(long.truncated(m), run(opt, f, start, m, seed=4, noise=0.3))


def test_divergence_after_the_cut_is_not_reported_and_before_it_is() -> None:
    opt, f = get_optimizer("sgd", lr=0.5), Rosenbrock()  # blows up within a few steps
    long = run(opt, f, STARTS, N)
    first = int(np.min(long.diverged_step[long.diverged_step >= 0]))
    for m in (first - 1, first, first + 3):
        short = long.truncated(m)
        assert_same(short, run(opt, f, STARTS, m))
    assert np.all(long.truncated(first - 1).diverged_step == -1)


def test_the_switch_step_and_minibatches_survive_truncation() -> None:
    opt = get_optimizer("adam_then_sgd", switch_step=20)
    f = LeastSquares(n_samples=30)
    start = np.array([0.5, -0.5, 0.2])
    long = run(opt, f, start, N, seed=2, batch_size=7)
    assert long.switch_step == 20
    for m in (10, 20, 21, 45):
        assert_same(long.truncated(m), run(opt, LeastSquares(n_samples=30), start, m, seed=2,
                                           batch_size=7))
    assert long.truncated(20).switch_step is None  # SGD never stepped within 20 steps


def test_truncation_copies_and_checks_its_argument() -> None:
    long = run(get_optimizer("adam"), Rosenbrock(), STARTS[0], 10)
    short = long.truncated(5)
    short.points[0] = 99.0
    assert long.points[0, 0] != 99.0
    for bad in (-1, 11, 2.5, True):
        with pytest.raises(ValueError, match="steps"):
            long.truncated(bad)

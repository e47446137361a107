"""run()'s fast paths give the same numbers as the plain ones, bit for bit.

The in-place Adam step (``Optimizer.inplace``) must reproduce ``init``/``update``; an objective's
``value_and_grad`` (used by big batches to record the loss with its gradient) must change nothing.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from optimizers import get_optimizer, run
from optimizers.schedules import cosine_annealing_lr
from tests.optimizers.helpers import Rosenbrock

STARTS = np.random.default_rng(7).uniform([-2.0, -1.0], [2.0, 3.0], size=(2100, 2))

ADAMS = {
    "defaults": {"lr": 1e-2},
    "beta1 below one half (lerp's other branch)": {"lr": 3e-2, "betas": (0.3, 0.9), "eps": 1e-3},
    "schedule": {"lr": cosine_annealing_lr(5e-2, T_max=30, eta_min=1e-3)},
    "per-path rates": {"lr": np.geomspace(1e-3, 1e-1, len(STARTS))[:, None]},
}


@pytest.mark.parametrize("hparams", ADAMS.values(), ids=ADAMS.keys())
def test_inplace_adam_equals_the_pure_update(hparams):
    fast = get_optimizer("adam", **hparams)
    assert fast.inplace is not None
    pure = replace(fast, inplace=None)
    a, b = run(fast, Rosenbrock(), STARTS, 60), run(pure, Rosenbrock(), STARTS, 60)
    np.testing.assert_array_equal(a.points, b.points)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert not np.array_equal(a.points[0], a.points[-1])  # the paths did move


def test_inplace_adam_matches_a_hand_written_update_loop():
    opt = get_optimizer("adam", lr=5e-2, betas=(0.8, 0.99))
    x = STARTS[:5].copy()
    out = np.empty_like(x)
    step = opt.inplace(x)
    state = opt.init(x)
    y = x.copy()
    for _ in range(25):
        g = Rosenbrock().grad(x)
        step(g, x, out)
        x = out.copy()
        updates, state = opt.update(Rosenbrock().grad(y), state, y)
        y = y + updates
    np.testing.assert_array_equal(x, y)


def test_variants_without_a_fast_path_still_run_the_pure_update():
    assert get_optimizer("adam", amsgrad=True).inplace is None
    assert get_optimizer("adam", weight_decay=0.1).inplace is None
    assert get_optimizer("sgd").inplace is None


class FusedRosenbrock(Rosenbrock):
    """Rosenbrock with a ``value_and_grad`` that counts its calls."""

    def __init__(self) -> None:
        self.fused_calls = 0

    def value_and_grad(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.fused_calls += 1
        return self.value(x), self.grad(x)


@pytest.mark.parametrize("name", ["adam", "sgd", "nadam"])
@pytest.mark.parametrize("noise", [0.0, 0.4])
def test_value_and_grad_records_the_same_losses_and_divergence(name, noise):
    opt = get_optimizer(name, lr=2e-3)
    fused = FusedRosenbrock()
    a = run(opt, fused, STARTS * 1.3, 40, noise=noise)
    b = run(opt, Rosenbrock(), STARTS * 1.3, 40, noise=noise)
    assert fused.fused_calls == 40  # big batch: one fused call per step
    np.testing.assert_array_equal(a.points, b.points)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.diverged_step, b.diverged_step)
    if name == "sgd" and noise:
        assert np.any(a.diverged_step >= 0)  # the comparison covers frozen paths too


def test_small_batches_do_not_need_value_and_grad():
    fused = FusedRosenbrock()
    traj = run(get_optimizer("adam"), fused, STARTS[:3], 10)
    assert fused.fused_calls == 0 and traj.losses.shape == (11, 3)


@pytest.mark.parametrize("objective", [Rosenbrock(), FusedRosenbrock()], ids=["plain", "fused"])
def test_big_batches_check_the_bound_in_the_loop_like_single_runs(objective):
    """Big batches vouch for clean steps inside the loop; paths leaving a small bound are still
    caught at the same step as when each start runs alone (small runs check afterwards)."""
    opt = get_optimizer("adam", lr=0.4)
    starts = STARTS * 0.8
    big = run(opt, objective, starts, 30, bound=2.6)
    left = np.flatnonzero(big.diverged_step >= 0)
    assert 0 < left.size < len(starts)
    for b in [*left[:4], 0, 1]:
        alone = run(opt, Rosenbrock(), starts[b], 30, bound=2.6)
        assert big.diverged_step[b] == alone.diverged_step
        np.testing.assert_array_equal(big.points[:, b], alone.points)
        np.testing.assert_array_equal(big.losses[:, b], alone.losses)


class HoleyRosenbrock(FusedRosenbrock):
    """Rosenbrock whose loss is NaN where x > 1.2 (well inside any bound), gradient unchanged."""

    def value(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return np.where(x[..., 0] > 1.2, np.nan, super().value(x))


@pytest.mark.parametrize("fused", [False, True])
def test_big_batches_catch_non_finite_losses_inside_the_bound(fused):
    objective = HoleyRosenbrock()
    if not fused:
        objective.value_and_grad = None  # run() then records losses with value()
    opt = get_optimizer("adam", lr=0.05)
    starts = np.random.default_rng(8).uniform([-1.5, -1.0], [1.1, 2.0], size=(2100, 2))
    big = run(opt, objective, starts, 30)
    caught = np.flatnonzero(big.diverged_step >= 0)
    assert 0 < caught.size < len(starts)
    for b in [*caught[:4], *np.flatnonzero(big.diverged_step < 0)[:2]]:
        alone = run(opt, HoleyRosenbrock(), starts[b], 30)
        assert big.diverged_step[b] == alone.diverged_step
        np.testing.assert_array_equal(big.points[:, b], alone.points)

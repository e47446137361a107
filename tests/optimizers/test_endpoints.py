"""``run_endpoints`` keeps only where each path ends, in O(B) memory, and its numbers equal those
of ``run`` on the same input: for every optimizer, small and big batches (losses computed after
the loop, in it, or with the gradient), runs that span many buffer blocks, noise, minibatches,
divergence at any step (including a bad start) and the first arrival within a radius."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers import OPTIMIZERS, get_optimizer, run, run_endpoints
from optimizers.recording import EndpointRecord, Endpoints
from optimizers.trajectory import Trajectory
from tests.optimizers.helpers import LeastSquares, Rosenbrock

TARGETS = np.array([[1.0, 1.0], [-1.0, 1.0]])
RADIUS = 0.3


class FusedRosenbrock(Rosenbrock):
    """Rosenbrock with ``value_and_grad`` (the landscape surfaces' fused fast path)."""

    def value_and_grad(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.value(x), self.grad(x)


class CliffRosenbrock(Rosenbrock):
    """Rosenbrock whose value is NaN right of x = 1.6: starts there are bad from step 0, and paths
    that wander there diverge at the step they arrive."""

    def value(self, x: np.ndarray) -> np.ndarray:
        v = super().value(x)
        return np.where(np.asarray(x)[..., 0] > 1.6, np.nan, v)


def starts(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform([-2.0, -1.0], [2.0, 3.0], size=(n, 2))


def first_within(traj: Trajectory, targets: np.ndarray, radius: float) -> np.ndarray:
    """Brute force from the full paths: first step within ``radius`` of each target, before any
    divergence (a frozen path repeats its last good point, which does not count as arriving)."""
    pts = traj.points
    steps = np.arange(pts.shape[0])[:, None]
    ok = (traj.diverged_step < 0) | (steps < traj.diverged_step)
    out = np.full((pts.shape[1], len(targets)), -1)
    for k, t in enumerate(targets):
        inside = ((pts[..., 0] - t[0]) ** 2 + (pts[..., 1] - t[1]) ** 2 <= radius**2) & ok
        hit = inside.any(axis=0)
        out[hit, k] = inside[:, hit].argmax(axis=0)
    return out


def assert_matches(ends: Endpoints, traj: Trajectory, targets: np.ndarray | None = None) -> None:
    np.testing.assert_array_equal(ends.final, traj.points[-1])
    np.testing.assert_array_equal(ends.final_loss, traj.losses[-1])
    np.testing.assert_array_equal(ends.diverged_step, traj.diverged_step)
    np.testing.assert_array_equal(ends.evaluations, traj.evaluations)
    if targets is not None:
        np.testing.assert_array_equal(ends.first_within, first_within(traj, targets, RADIUS))


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("batch", [5, 2600], ids=["small", "big"])
def test_every_optimizer_ends_where_run_ends(name: str, batch: int) -> None:
    f, x0 = FusedRosenbrock(), starts(batch)
    opt = get_optimizer(name)
    for steps in (0, 1, 130, 301):  # a big batch's buffer holds ~50 rows, a small one's 256
        kw = {"seed": 3, "noise": 0.5}
        traj = run(opt, f, x0, steps, **kw)
        assert_matches(run_endpoints(opt, f, x0, steps, targets=TARGETS, radius=RADIUS, **kw),
                       traj, TARGETS)


@pytest.mark.parametrize("rows", ["default", "8"])
@pytest.mark.parametrize("batch", [40, 2600], ids=["small", "big"])
@pytest.mark.parametrize("objective", [Rosenbrock, FusedRosenbrock, CliffRosenbrock])
def test_divergence_at_any_step_freezes_the_same_point(batch: int, objective, rows: str,
                                                       monkeypatch) -> None:
    if rows == "8":  # the smallest buffer: divergences fall on and across block edges
        monkeypatch.setattr("optimizers.recording._BUFFER_VALUES", 1)
    f, x0 = objective(), starts(batch, seed=1)
    opt = get_optimizer("sgd", lr=2e-3)  # some paths blow up within a few steps, some later
    traj = run(opt, f, x0, 300)
    diverged = traj.diverged_step[traj.diverged_step >= 0]
    assert diverged.size and (traj.diverged_step < 0).any()  # the case really mixes both
    if objective is CliffRosenbrock:
        assert (diverged == 0).any()  # bad starts, frozen at the start with their NaN loss
    assert len(np.unique(diverged)) > 1
    assert_matches(run_endpoints(opt, f, x0, 300, targets=TARGETS, radius=RADIUS), traj, TARGETS)


class Ramp:
    """f = -x: plain gradient descent with lr 1 moves x by exactly 1 per step; the value is NaN
    beyond x = 7.5, so a start at x0 goes bad at the step ceil(7.5 - x0) of our choosing."""

    def value(self, p: np.ndarray) -> np.ndarray:
        x = np.asarray(p)[..., 0]
        return np.where(x > 7.5, np.nan, -x)

    def grad(self, p: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.array([-1.0, 0.0]), np.shape(p)).copy()


@pytest.mark.parametrize("batch", [16, 2400], ids=["small", "big"])
def test_going_bad_on_a_block_edge_keeps_the_previous_blocks_last_point(batch: int,
                                                                       monkeypatch) -> None:
    monkeypatch.setattr("optimizers.recording._BUFFER_VALUES", 1)  # blocks of 8 rows
    x0 = np.zeros((batch, 2))
    x0[:, 0] = 0.25 - np.arange(batch) % 12  # bad at steps 8 .. 19: every row of two blocks
    x0[:, 1] = np.arange(batch)
    sgd = get_optimizer("sgd", lr=1.0)
    traj = run(sgd, Ramp(), x0, 30)
    assert set(traj.diverged_step.tolist()) == set(range(8, 20))
    ends = run_endpoints(sgd, Ramp(), x0, 30)
    assert_matches(ends, traj)
    assert np.isfinite(ends.final_loss).all()


def test_minibatches_and_more_dimensions() -> None:
    x0 = np.random.default_rng(2).normal(size=(40, 3))
    opt = get_optimizer("adam_then_sgd", switch_step=25)
    traj = run(opt, LeastSquares(n_samples=30), x0, 400, seed=2, batch_size=7)
    ends = run_endpoints(opt, LeastSquares(n_samples=30), x0, 400, seed=2, batch_size=7,
                         targets=[[1.0, -2.0, 0.5]], radius=0.2)
    assert_matches(ends, traj)
    want = first_within_nd(traj.points, np.array([1.0, -2.0, 0.5]), 0.2)
    np.testing.assert_array_equal(ends.first_within[:, 0], want)
    assert (want > 0).any()


def first_within_nd(points: np.ndarray, target: np.ndarray, radius: float) -> np.ndarray:
    inside = ((points - target) ** 2).sum(axis=-1) <= radius**2
    return np.where(inside.any(axis=0), inside.argmax(axis=0), -1)


def test_memory_does_not_grow_with_steps() -> None:
    x0 = starts(10_000)

    def check(points, losses, clean):
        raise AssertionError("not called: only the buffer is inspected")

    for steps in (100, 2000):
        record = EndpointRecord(x0, steps, True, True, check)
        assert record.points.nbytes <= 4 << 20  # a few MB, however many steps
    ends = run_endpoints("adam", FusedRosenbrock(), x0, 2000)
    assert ends.final.shape == (10_000, 2) and ends.first_within.shape == (10_000, 0)


def test_inputs_are_checked_and_never_touched() -> None:
    x0 = starts(4)
    keep = x0.copy()
    run_endpoints("adam", Rosenbrock(), x0, 20, targets=TARGETS, radius=0.1)
    np.testing.assert_array_equal(x0, keep)
    for bad in ({"radius": -1.0}, {"radius": float("nan")}):
        with pytest.raises(ValueError, match="radius"):
            run_endpoints("adam", Rosenbrock(), x0, 5, **bad)
    with pytest.raises(ValueError, match="steps"):
        run_endpoints("adam", Rosenbrock(), x0, -1)

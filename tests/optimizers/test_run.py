"""run(): batching, randomness, divergence, bookkeeping and the Adam -> SGD switch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from optimizers import OPTIMIZERS, get_optimizer, run
from tests.optimizers.helpers import LeastSquares, Quadratic, Rosenbrock

STARTS = np.array([[2.0, -1.5], [-0.5, 2.5], [0.3, 0.3], [2.0, -1.5]])  # last repeats the first
ALL = list(OPTIMIZERS)
GRADIENT = [n for n, s in OPTIMIZERS.items() if s.uses_gradient]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("noise", [0.0, 0.7])
def test_batch_equals_each_start_alone(name, noise):
    f, opt = Quadratic(), get_optimizer(name)
    batch = run(opt, f, STARTS, 40, seed=3, noise=noise)
    assert batch.points.shape == (41, 4, 2) and batch.losses.shape == (41, 4)
    for b, start in enumerate(STARTS):
        alone = run(opt, f, start, 40, seed=3, noise=noise)
        assert alone.points.shape == (41, 2)
        np.testing.assert_array_equal(batch.points[:, b], alone.points)
        np.testing.assert_array_equal(batch.losses[:, b], alone.losses)
        assert alone.diverged_step == batch.diverged_step[b]
    # order inside the batch does not matter either
    flipped = run(opt, f, STARTS[::-1], 40, seed=3, noise=noise)
    np.testing.assert_array_equal(flipped.points[:, ::-1], batch.points)


@pytest.mark.parametrize("name", ALL)
def test_one_seed_per_path_draws_as_runs_of_their_own(name):
    """The same start under several seeds in one batch (the lab's noise draws): path i is the
    run of its own with seed[i], bit for bit, at the cost of one run."""
    f, opt = Quadratic(), get_optimizer(name)
    seeds = np.array([3, 4, 9, 3])
    batch = run(opt, f, np.tile(STARTS[0], (4, 1)), 30, seed=seeds, noise=0.7)
    for b, seed in enumerate(seeds):
        alone = run(opt, f, STARTS[0], 30, seed=int(seed), noise=0.7)
        np.testing.assert_array_equal(batch.points[:, b], alone.points)
        np.testing.assert_array_equal(batch.losses[:, b], alone.losses)
    assert not np.array_equal(batch.points[:, 0], batch.points[:, 1])
    np.testing.assert_array_equal(batch.points[:, 0], batch.points[:, 3])


def test_a_batch_s_paths_are_taken_out_as_runs_of_their_own():
    """``Trajectory.path``: one path of a batch is the single start's run; a slice, the batch of
    those starts (per-path rates and all)."""
    f = Quadratic()
    opt = get_optimizer("sgd", lr=np.array([[0.1], [0.2], [0.3], [0.4]]))
    batch = run(opt, f, STARTS, 20, seed=3, noise=0.7)
    one = batch.path(1)
    alone = run(get_optimizer("sgd", lr=0.2), f, STARTS[1], 20, seed=3, noise=0.7)
    np.testing.assert_array_equal(one.points, alone.points)
    np.testing.assert_array_equal(one.losses, alone.losses)
    np.testing.assert_array_equal(one.lr, alone.lr)
    assert one.diverged_step == alone.diverged_step and isinstance(one.diverged_step, int)
    two = batch.path(slice(2, 4))
    assert two.points.shape == (21, 2, 2) and two.lr.shape == (20, 2)
    np.testing.assert_array_equal(two.points, batch.points[:, 2:4])
    assert not np.shares_memory(two.points, batch.points)


def test_one_seed_per_path_is_refused_where_it_cannot_apply():
    with pytest.raises(ValueError, match="one integer per start"):
        run("sgd", Quadratic(), np.zeros((3, 2)), 3, seed=np.arange(2), noise=0.1)
    with pytest.raises(ValueError, match="one integer per start"):
        run("sgd", Quadratic(), np.zeros((2, 2)), 3, seed=np.array([0.5, 1.5]), noise=0.1)
    with pytest.raises(ValueError, match="not minibatches"):
        run(get_optimizer("sgd", lr=0.1), LeastSquares(n_samples=50), np.zeros((2, 3)), 3,
            seed=np.arange(2), batch_size=8)


def test_minibatches_are_shared_by_all_paths_and_cover_each_epoch():
    f = LeastSquares(n_samples=50)
    starts = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, -1.0], [0.5, -0.2, 0.1]])
    batch = run(get_optimizer("sgd", lr=0.1), f, starts, 13, seed=5, batch_size=8)
    idx = f.calls
    assert [len(i) for i in idx] == [8] * 6 + [2] + [8] * 6  # 7 batches per epoch, last short
    np.testing.assert_array_equal(np.sort(np.concatenate(idx[:7])), np.arange(50))
    assert not np.array_equal(idx[0], idx[7]), "each epoch is reshuffled"
    for b, start in enumerate(starts):
        alone = run(get_optimizer("sgd", lr=0.1), f, start, 13, seed=5, batch_size=8)
        np.testing.assert_allclose(batch.points[:, b], alone.points, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(batch.losses, f.value(batch.points), rtol=1e-13)  # full loss
    again = run(get_optimizer("sgd", lr=0.1), f, starts, 13, seed=6, batch_size=8)
    assert not np.allclose(again.points[-1], batch.points[-1])


def test_batch_size_needs_a_stochastic_objective():
    with pytest.raises(ValueError, match="batch_size"):
        run(get_optimizer("sgd"), Quadratic(), [1.0, 1.0], 5, batch_size=4)
    with pytest.raises(ValueError, match="batch_size"):
        run(get_optimizer("sgd"), LeastSquares(n_samples=10), np.zeros(3), 5, batch_size=11)


@pytest.mark.parametrize("name", ALL)
def test_inputs_are_never_mutated(name):
    start = np.array([[1.5, -1.0], [0.2, 0.9]])
    start.setflags(write=False)

    class ReadOnly(Quadratic):
        def value(self, x):
            out = super().value(x)
            out.setflags(write=False)
            return out

        def grad(self, x):
            out = super().grad(x)
            out.setflags(write=False)
            return out

    traj = run(get_optimizer(name), ReadOnly(), start, 25, noise=0.1)
    np.testing.assert_array_equal(start, [[1.5, -1.0], [0.2, 0.9]])
    traj.points[0, 0, 0] = 99.0
    assert start[0, 0] == 1.5


@pytest.mark.parametrize("name", GRADIENT)
def test_an_objective_that_reuses_its_gradient_array_gives_the_same_path(name):
    """An objective may hand back one array, overwritten on every call (as torch's .grad is):
    no optimizer may keep it as state. SGD's first momentum buffer was that very array, so
    momentum drifted from step 2 (torch clones it)."""

    class Reused(Quadratic):
        def __init__(self) -> None:
            super().__init__()
            self.out: np.ndarray | None = None

        def grad(self, x):
            g = super().grad(x)
            if self.out is None or self.out.shape != g.shape:
                self.out = np.empty_like(g)
            self.out[...] = g
            return self.out

    opt = get_optimizer(name, momentum=0.5) if name == "sgd" else get_optimizer(name)
    fresh, reused = run(opt, Quadratic(), STARTS, 30), run(opt, Reused(), STARTS, 30)
    np.testing.assert_array_equal(reused.points, fresh.points)


@pytest.mark.parametrize("name", ["sgd", "adam", "random_search", "random_local_search"])
def test_same_seed_same_path_different_seed_different_path(name):
    f, noise = Rosenbrock(), 0.0 if name.startswith("random") else 2.0
    opt = get_optimizer(name) if name.startswith("random") else get_optimizer(name, lr=1e-3)
    a = run(opt, f, STARTS, 30, seed=11, noise=noise)
    b = run(opt, f, STARTS, 30, seed=11, noise=noise)
    c = run(opt, f, STARTS, 30, seed=12, noise=noise)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.array_equal(a.points, c.points)


def test_without_noise_the_seed_does_not_matter():
    opt = get_optimizer("adam")
    a, b = (run(opt, Quadratic(), STARTS, 20, seed=s) for s in (1, 2))
    np.testing.assert_array_equal(a.points, b.points)


def test_gradient_noise_has_the_requested_spread():
    class Flat:
        def value(self, x):
            return np.zeros(x.shape[:-1])

        def grad(self, x):
            return np.zeros_like(x)

    starts = np.linspace(-1, 1, 200).reshape(100, 2)
    traj = run(get_optimizer("sgd", lr=1.0), Flat(), starts, 100, noise=0.5)
    steps = np.diff(traj.points, axis=0).reshape(-1, 2)  # = -noise * z
    assert abs(steps.mean()) < 0.01
    assert abs(steps.std() - 0.5) < 0.01
    assert abs(np.corrcoef(steps.T)[0, 1]) < 0.02


def test_divergence_is_reported_frozen_and_silent(capfd):
    starts = np.array([[-1.2, 1.0], [1.0, 1.0]])  # the second sits at the minimum
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(get_optimizer("sgd", lr=1e3), Rosenbrock(), starts, 50)
    assert capfd.readouterr().err == ""
    d = traj.diverged_step
    assert d[0] >= 1 and d[1] == -1
    assert np.all(np.isfinite(traj.points)) and np.all(np.isfinite(traj.losses))
    np.testing.assert_array_equal(
        traj.points[d[0] :, 0], np.broadcast_to(traj.points[d[0] - 1, 0], (51 - d[0], 2))
    )
    assert np.abs(traj.points[d[0] - 1, 0]).max() <= 1e6
    np.testing.assert_array_equal(traj.points[:, 1], np.ones((51, 2)))


@pytest.mark.parametrize("name", GRADIENT)
def test_huge_learning_rate_never_raises_or_warns(name, capfd):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(get_optimizer(name, lr=1e3), Rosenbrock(), STARTS, 60, noise=1.0)
    assert capfd.readouterr().err == ""
    assert np.all(np.isfinite(traj.points))
    assert traj.diverged_step.shape == (4,)


def test_bound_and_non_finite_loss_count_as_divergence():
    traj = run(get_optimizer("sgd", lr=1.0), Quadratic(), [0.8, 0.8], 30, bound=0.9)
    assert traj.diverged_step == 1 and np.all(traj.points == 0.8)

    class LogBowl:  # finite points, but the loss is NaN for x < 0
        def value(self, x):
            return np.log(x[..., 0]) + x[..., 1] ** 2

        def grad(self, x):
            return np.stack([1 / x[..., 0], 2 * x[..., 1]], axis=-1)

    traj = run(get_optimizer("sgd", lr=0.5), LogBowl(), [0.3, 1.0], 10)
    assert traj.diverged_step == 1
    assert np.all(traj.points == traj.points[0]) and np.all(np.isfinite(traj.losses))


def test_start_must_be_valid():
    for bad in ([np.nan, 1.0], [[[1.0, 2.0]]], [], [2e6, 0.0]):
        with pytest.raises(ValueError, match="start"):
            run(get_optimizer("sgd"), Quadratic(), bad, 3)
    with pytest.raises(ValueError, match="steps"):
        run(get_optimizer("sgd"), Quadratic(), [1.0, 1.0], -1)


def test_bookkeeping_shapes_and_evaluations():
    f = Quadratic()
    t = run("adam", f, [1.0, 2.0], 7)
    assert t.points.shape == (8, 2) and t.losses.shape == (8,) and t.lr.shape == (7,)
    assert t.steps == 7 and not t.batched and t.optimizer == "adam"
    np.testing.assert_array_equal(t.evaluations, np.arange(8))  # one gradient per step
    np.testing.assert_allclose(t.losses, f.value(t.points))
    assert t.hparams["lr"] == 0.05 and t.switch_step is None
    w = run("random_local_search", f, STARTS, 7)
    np.testing.assert_array_equal(w.evaluations, np.arange(1, 9))  # the start's value, then 1/step
    assert w.batched and w.diverged_step.tolist() == [-1] * 4
    zero = run("sgd", f, [1.0, 2.0], 0)
    assert zero.points.shape == (1, 2) and zero.lr.shape == (0,)


def test_random_search_keeps_the_best_point_inside_the_domain():
    f = Rosenbrock()
    traj = run(get_optimizer("random_search"), f, STARTS, 300, seed=2)
    assert np.all(np.diff(traj.losses, axis=0) <= 0)
    left = np.any(traj.points != traj.points[0], axis=-1)  # once a path moves, it is in the box
    (x0, x1), (y0, y1) = f.domain
    x, y = traj.points[..., 0], traj.points[..., 1]
    assert left[-1].all() and np.all(((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))[left])
    assert traj.losses[-1].max() < 0.5
    moved = np.any(traj.points[1:] != traj.points[:-1], axis=-1)
    np.testing.assert_array_equal(moved, np.diff(traj.losses, axis=0) < 0)
    box = run(get_optimizer("random_search"), f, STARTS, 50, domain=((0.5, 0.6), (0.5, 0.6)))
    assert np.all(np.abs(box.points[-1] - 0.55) <= 0.05 + 1e-12)


def test_random_search_needs_a_domain():
    class NoDomain(Quadratic):
        domain = None

    with pytest.raises(ValueError, match="domain"):
        run("random_search", NoDomain(), [0.0, 0.0], 5)
    with pytest.raises(ValueError, match="domain"):
        run("random_search", Quadratic(), [0.0, 0.0], 5, domain=((1, 0), (0, 1)))


def test_random_local_search_steps_have_the_given_length_and_only_go_down():
    traj = run(get_optimizer("random_local_search", step_size=0.05), Rosenbrock(), STARTS, 400)
    lengths = np.linalg.norm(np.diff(traj.points, axis=0), axis=-1)
    taken = lengths > 0
    np.testing.assert_allclose(lengths[taken], 0.05, rtol=1e-12)
    assert np.all(np.diff(traj.losses, axis=0)[taken] < 0)
    assert np.all(np.diff(traj.losses, axis=0)[~taken] == 0)
    assert 0.05 < taken.mean() < 0.95  # some proposals fail, some succeed
    np.testing.assert_array_equal(traj.lr, np.full(400, 0.05))


def test_adam_then_sgd_switches_where_it_says():
    f, K = Quadratic(), 30
    both = run(get_optimizer("adam_then_sgd", lr=0.05, switch_step=K, sgd_lr=0.1), f, STARTS, 60)
    adam = run(get_optimizer("adam", lr=0.05), f, STARTS, 60)
    assert both.switch_step == K
    np.testing.assert_array_equal(both.points[: K + 1], adam.points[: K + 1])
    assert not np.allclose(both.points[K + 1], adam.points[K + 1])
    x = both.points[K]
    np.testing.assert_array_equal(both.points[K + 1], x + -0.1 * f.grad(x))  # plain SGD step
    np.testing.assert_array_equal(both.lr, [0.05] * K + [0.1] * 30)
    short = run(get_optimizer("adam_then_sgd", switch_step=K), f, STARTS, K)
    assert short.switch_step is None


def test_adam_then_sgd_momentum_phase_matches_sgd_with_momentum():
    f, K = Quadratic(), 10
    both = run(
        get_optimizer("adam_then_sgd", switch_step=K, sgd_lr=0.05, momentum=0.9), f, STARTS, 40
    )
    sgd = run(get_optimizer("sgd", lr=0.05, momentum=0.9), f, both.points[K], 30)
    np.testing.assert_array_equal(both.points[K:], sgd.points)


CONVERGE = {  # (hyperparameters, steps) that reach the minimum of the quadratic
    "sgd": ({"lr": 0.2}, 300),
    "adagrad": ({"lr": 0.5}, 300),
    "rmsprop": ({"lr": 0.01, "centered": True}, 2000),
    "adadelta": ({"lr": 0.5, "eps": 1e-3}, 1000),
    "nadam": ({"lr": 0.01}, 1500),
    "adamw": ({"weight_decay": 0.0}, 1000),
    "lion": ({"lr": 0.02, "weight_decay": 0.0}, 1500),
    "adam_then_sgd": ({"sgd_lr": 0.2}, 500),
}


@pytest.mark.parametrize("name", GRADIENT)
def test_every_gradient_optimizer_reaches_the_minimum_of_a_convex_quadratic(name):
    hparams, steps = CONVERGE.get(name, ({}, 1000))
    f = Quadratic()
    traj = run(get_optimizer(name, **hparams), f, STARTS[:3], steps)
    tol = 0.03 if name == "lion" else 1e-2
    assert np.abs(traj.points[-1] - f.minimum).max() < tol
    assert np.all(traj.losses[-1] - f.min_value < 1e-3)


@pytest.mark.parametrize("name", ["random_search", "random_local_search"])
def test_gradient_free_walkers_get_near_the_minimum(name):
    f = Quadratic()
    traj = run(get_optimizer(name), f, STARTS[:3], 2000)
    assert np.all(traj.losses[-1] - f.min_value < 0.02)


@pytest.mark.parametrize("name", ["sgd", "adam", "nadam", "radam", "adamw", "lion", "adagrad"])
def test_per_path_learning_rates_equal_separate_runs(name):
    """lr as an (R, 1) column: one batched run sweeps R rates (the learning-rate lab)."""
    f, rates = Quadratic(), np.array([0.003, 0.03, 0.3])
    starts = np.repeat([[2.0, -1.5]], 3, axis=0)
    swept = run(get_optimizer(name, lr=rates[:, None]), f, starts, 25)
    assert swept.lr.shape == (25, 3)
    for r, rate in enumerate(rates):
        alone = run(get_optimizer(name, lr=float(rate)), f, starts[r], 25)
        np.testing.assert_array_equal(swept.points[:, r], alone.points)
        np.testing.assert_array_equal(swept.lr[:, r], alone.lr)


def test_per_path_rates_are_validated_and_work_for_adam_then_sgd():
    with pytest.raises(ValueError, match=r"every lr must be in \[1e-06, 1000\]"):
        get_optimizer("sgd", lr=np.array([[0.1], [-1.0]]))
    rates = np.array([[0.01], [0.1]])
    t = run(
        get_optimizer("adam_then_sgd", switch_step=3, sgd_lr=rates),
        Quadratic(),
        np.zeros((2, 2)),
        6,
    )
    np.testing.assert_array_equal(t.lr, [[0.05, 0.05]] * 3 + [[0.01, 0.1]] * 3)


def test_bad_seed_and_mismatched_rates_are_refused():
    with pytest.raises(ValueError, match="seed"):
        run("sgd", Quadratic(), [1.0, 1.0], 3, seed=1.5)
    with pytest.raises(ValueError, match="per-path lr"):
        run(get_optimizer("sgd", lr=np.full((3, 1), 0.1)), Quadratic(), np.zeros((2, 2)), 3)


def test_big_batches_record_the_same_losses_and_divergence_as_single_runs():
    """Big batches record losses inside the loop, small ones afterwards: same numbers."""
    starts = np.random.default_rng(4).uniform(-2.5, 2.5, size=(2500, 2))
    opt = get_optimizer("sgd", lr=2e-3)
    big = run(opt, Rosenbrock(), starts, 40, noise=0.5)
    assert 0 < np.sum(big.diverged_step >= 0) < 2500  # some blow up, some do not
    for b in [0, 1, *np.flatnonzero(big.diverged_step >= 0)[:3]]:
        alone = run(opt, Rosenbrock(), starts[b], 40, noise=0.5)
        np.testing.assert_array_equal(big.points[:, b], alone.points)
        np.testing.assert_array_equal(big.losses[:, b], alone.losses)
        assert big.diverged_step[b] == alone.diverged_step


def test_leaving_where_the_objective_is_defined_is_told_apart_from_blowing_up() -> None:
    """sqrt-like objective: undefined (NaN) for x < 0. A path stepping there diverges at that step
    with ``undefined`` set; a path that blows up past the bound does not set it."""

    class HalfPlane:
        def value(self, p):
            x = np.asarray(p, float)
            with np.errstate(invalid="ignore"):
                return np.sqrt(x[..., 0]) + x[..., 1] ** 2

        def grad(self, p):
            x = np.asarray(p, float)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.stack([0.5 / np.sqrt(x[..., 0]), 2 * x[..., 1]], axis=-1)

    starts = np.array([[0.3, 0.1], [4.0, 1.0]])
    traj = run(get_optimizer("sgd", lr=0.5), HalfPlane(), starts, 40)
    assert traj.diverged_step[0] > 0 and traj.undefined.tolist()[0] is True
    single = run(get_optimizer("sgd", lr=0.5), HalfPlane(), starts[0], 40)
    assert single.undefined is True and single.diverged_step == traj.diverged_step[0]
    assert single.truncated(single.diverged_step - 1).undefined is False
    blown = run(get_optimizer("sgd", lr=1.5), Quadratic(), np.array([2.0, -1.0]), 200)
    assert blown.diverged_step > 0 and blown.undefined is False

"""Data-driven losses: minibatches average to the full loss, exact minima, seeded data."""

from __future__ import annotations

import numpy as np
import pytest

import landscape.data_losses as dl
from landscape import (
    DATA_LOSSES,
    LinearRegressionLoss,
    LogisticRegressionLoss,
    StochasticObjective,
    Surface,
    get_data_loss,
)

NAMES = sorted(DATA_LOSSES)


def per_sample(loss: dl.DataLoss, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Loss and gradient of each sample at one point w, written out directly (the oracle)."""
    x, y = loss.features, loss.targets
    if isinstance(loss, LinearRegressionLoss):
        r = x @ w - y
        return r**2, 2 * r[:, None] * x
    z = x @ w
    p = 1 / (1 + np.exp(-z))
    reg = 0.5 * loss.l2 * w @ w
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)) + reg, (p - y)[:, None] * x + loss.l2 * w


def points(loss: dl.DataLoss, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = loss.domain
    return np.stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)], axis=-1)


@pytest.mark.parametrize("name", NAMES)
def test_is_surface_and_stochastic_objective(name: str) -> None:
    loss = get_data_loss(name, n_samples=40, noise=0.3, seed=1)
    assert isinstance(loss, Surface) and isinstance(loss, StochasticObjective)
    assert loss.name == name and loss.n_samples == 40
    assert loss.title and loss.latex and "watch" in loss.description.lower()
    assert len(loss.minima) == 1 and loss.minima[0].is_global


@pytest.mark.parametrize("name", NAMES)
def test_matches_per_sample_formula(name: str) -> None:
    loss = get_data_loss(name, n_samples=30, seed=2)
    idx = np.array([3, 7, 7, 20])
    for w in points(loss, 5):
        lv, lg = per_sample(loss, w)
        assert loss.value(w) == pytest.approx(lv.mean(), rel=1e-12)
        np.testing.assert_allclose(loss.grad(w), lg.mean(axis=0), rtol=1e-10, atol=1e-13)
        assert loss.value(w, idx) == pytest.approx(lv[idx].mean(), rel=1e-12)
        np.testing.assert_allclose(loss.grad(w, idx), lg[idx].mean(axis=0), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("name", NAMES)
def test_minibatches_of_a_partition_average_to_full(name: str) -> None:
    loss = get_data_loss(name, n_samples=60, seed=3)
    w = points(loss, 7, seed=4)  # a batch of parameter vectors at once
    batches = np.split(np.random.default_rng(5).permutation(60), 4)  # 4 batches of 15
    mean_grad = np.mean([loss.grad(w, b) for b in batches], axis=0)
    mean_value = np.mean([loss.value(w, b) for b in batches], axis=0)
    np.testing.assert_allclose(mean_grad, loss.grad(w), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mean_value, loss.value(w), rtol=1e-12)
    # a single minibatch really differs from the full batch (SGD is stochastic)
    assert np.abs(loss.grad(w, batches[0]) - loss.grad(w)).max() > 1e-3


@pytest.mark.parametrize("name", NAMES)
def test_uneven_partition_weighted_by_batch_size(name: str) -> None:
    loss = get_data_loss(name, n_samples=50, seed=6)
    w = points(loss, 3)
    parts = np.split(np.arange(50), [7, 30])
    total = sum(len(p) * loss.grad(w, p) for p in parts) / 50
    np.testing.assert_allclose(total, loss.grad(w), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("noise", [0.0, 0.5, 2.0])
def test_known_minimum_has_zero_gradient_and_is_lowest(name: str, noise: float) -> None:
    loss = get_data_loss(name, n_samples=80, noise=noise, seed=7)
    best = np.array(loss.minima[0].point)
    assert np.linalg.norm(loss.grad(best)) < 1e-10
    assert loss.value(best) == pytest.approx(loss.min_value, abs=1e-12)
    (x0, x1), (y0, y1) = loss.domain
    assert x0 < best[0] < x1 and y0 < best[1] < y1
    start = np.array(loss.default_start)
    assert x0 <= start[0] <= x1 and y0 <= start[1] <= y1
    assert np.linalg.norm(start - best) > 0.2 * (x1 - x0)
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, 201), np.linspace(y0, y1, 201)), axis=-1)
    assert loss.value(grid).min() >= loss.min_value - 1e-12


def test_linear_regression_minimum_is_least_squares() -> None:
    loss = get_data_loss("linear_regression", n_samples=50, noise=0.8, seed=8)
    coef, *_ = np.linalg.lstsq(loss.features, loss.targets, rcond=None)
    np.testing.assert_allclose(loss.minima[0].point, coef, rtol=1e-10)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences(name: str) -> None:
    loss = get_data_loss(name, n_samples=25, seed=9)
    w = points(loss, 20)
    idx = np.arange(3, 11)
    h = 1e-6
    for sel in (None, idx):
        fd = np.stack([(loss.value(w + h * e, sel) - loss.value(w - h * e, sel)) / (2 * h)
                       for e in np.eye(2)], axis=-1)
        np.testing.assert_allclose(loss.grad(w, sel), fd, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data(name: str) -> None:
    a = get_data_loss(name, n_samples=30, noise=0.4, seed=11)
    b = get_data_loss(name, n_samples=30, noise=0.4, seed=11)
    c = get_data_loss(name, n_samples=30, noise=0.4, seed=12)
    np.testing.assert_array_equal(a.features, b.features)
    np.testing.assert_array_equal(a.targets, b.targets)
    assert a.minima == b.minima
    assert not np.array_equal(a.features, c.features)


@pytest.mark.parametrize("name", NAMES)
def test_grid_shapes_and_blockwise_evaluation(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    loss = get_data_loss(name, n_samples=40, seed=13)
    grid = points(loss, 60).reshape(5, 12, 2)
    v, g = loss.value(grid), loss.grad(grid)
    assert v.shape == (5, 12) and g.shape == (5, 12, 2)
    monkeypatch.setattr(dl, "_CHUNK", 50)  # force many small blocks: same numbers
    np.testing.assert_allclose(loss.value(grid), v, rtol=1e-13)
    np.testing.assert_allclose(loss.grad(grid), g, rtol=1e-12, atol=1e-15)
    assert loss.value(grid[0, 0]).shape == () and loss.grad(grid[0, 0]).shape == (2,)


@pytest.mark.parametrize("name", NAMES)
def test_a_point_s_value_and_gradient_do_not_depend_on_the_points_beside_it(name: str) -> None:
    """A run evaluates all its points in one call, so a shorter run's losses must be the first
    rows of a longer one's, bit for bit (``Trajectory.truncated``; a shared link's CSV differed
    in the last digit with the server's cache history)."""
    loss = get_data_loss(name)
    points = np.random.default_rng(1).normal(size=(400, 2))
    full, slopes = loss.value(points), loss.grad(points)  # and a batched run's gradients
    idx = np.arange(0, loss.n_samples, 3)  # a minibatch
    part = loss.grad(points, idx)
    for k in (1, 2, 3, 7, 64, 255, 399):
        assert np.array_equal(loss.value(points[:k]), full[:k]), k
        assert np.array_equal(loss.grad(points[:k]), slopes[:k]), k
        assert np.array_equal(loss.grad(points[:k], idx), part[:k]), k


@pytest.mark.parametrize("name", NAMES)
def test_a_batched_minibatch_run_is_each_start_s_run_exactly(name: str) -> None:
    """The engine's contract (same paths batched or one by one), on the data losses too: the
    tuner's sweeps are batched and the race links they open run one start."""
    from optimizers import get_optimizer, run

    loss = get_data_loss(name)
    starts = np.array([[0.5, -0.5], [-1.0, 1.5], [2.0, 0.3]])
    batch = run(get_optimizer("adam", lr=0.05), loss, starts, 60, seed=4, batch_size=7)
    for b, start in enumerate(starts):
        alone = run(get_optimizer("adam", lr=0.05), loss, start, 60, seed=4, batch_size=7)
        np.testing.assert_array_equal(batch.points[:, b], alone.points)
        np.testing.assert_array_equal(batch.losses[:, b], alone.losses)


def test_logistic_far_from_minimum_is_finite() -> None:
    loss = get_data_loss("logistic_regression", n_samples=20, noise=0.1, seed=0)
    w = np.array([[1e4, -1e4], [-800.0, 900.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        assert np.all(np.isfinite(loss.value(w))) and np.all(np.isfinite(loss.grad(w)))


def test_logistic_separable_data_still_has_a_minimum() -> None:
    """noise=0: two points repeated, perfectly separable; the L2 term keeps the minimum finite."""
    loss = get_data_loss("logistic_regression", n_samples=20, noise=0.0, seed=0)
    assert isinstance(loss, LogisticRegressionLoss)
    best = np.array(loss.minima[0].point)
    assert np.all(np.isfinite(best)) and np.linalg.norm(best) < 20
    assert np.linalg.norm(loss.grad(best)) < 1e-10


@pytest.mark.parametrize(
    "kwargs",
    [{"n_samples": 1}, {"n_samples": 2.5}, {"noise": -1.0}, {"noise": float("nan")},
     {"noise": "loud"}, {"seed": "x"}, {"n_samples": 10**7}],
)
def test_bad_arguments_are_refused(kwargs: dict) -> None:
    for name in NAMES:
        with pytest.raises(ValueError):
            get_data_loss(name, **kwargs)


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="linear_regression"):
        get_data_loss("ridge")


def test_empty_minibatch_is_refused() -> None:
    loss = get_data_loss("linear_regression", n_samples=10)
    with pytest.raises(ValueError, match="at least one"):
        loss.grad(np.zeros(2), np.array([], dtype=int))


@pytest.mark.parametrize("idx", [np.ones(100, bool), np.array([0.5, 1.7]), np.array([-1, 2]),
                                 np.array([0, 100])])
def test_minibatch_indices_must_be_sample_numbers(idx: np.ndarray) -> None:
    """A boolean mask was read as indices 0 and 1, floats were cut, negatives wrapped."""
    loss = get_data_loss("logistic_regression")
    with pytest.raises(ValueError, match="minibatch indices"):
        loss.value(np.zeros(2), idx)

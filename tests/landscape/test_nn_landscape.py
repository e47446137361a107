"""The network's landscape: batched slices equal point-by-point loss, filter normalisation, PCA."""

from __future__ import annotations

import numpy as np
import pytest

from landscape import nn_landscape as nl
from landscape.datasets import make_dataset
from landscape.network import MLP


@pytest.fixture(scope="module")
def net() -> MLP:
    X, y = make_dataset("two_moons", 60, seed=0)
    return MLP(X, y, (6, 5), "relu", weight_decay=0.01)


@pytest.fixture(scope="module")
def theta(net) -> np.ndarray:
    return net.init_params(1) + np.random.default_rng(0).normal(0, 0.3, net.n_params)


def test_random_slice_equals_point_by_point_loss(net, theta):
    s = nl.random_slice(net, theta, seed=3, n=9, span=0.8)
    assert s.losses.shape == (9, 9)
    np.testing.assert_allclose(s.alphas, np.linspace(-0.8, 0.8, 9))
    for j, b in enumerate(s.betas):
        for i, a in enumerate(s.alphas):
            point = theta + a * s.d1 + b * s.d2
            assert s.losses[j, i] == pytest.approx(float(net.value(point)), rel=1e-12)
    assert s.losses[4, 4] == pytest.approx(float(net.value(theta)), rel=1e-12)  # the centre
    assert np.ptp(s.losses) > 0.1


def test_slice_in_row_blocks_equals_one_call(net, theta, monkeypatch):
    d1, d2 = nl.random_directions(net, theta, seed=0)
    grid = np.linspace(-1, 1, 7)
    whole = nl.loss_slice(net, theta, d1, d2, grid, grid[:5]).losses
    monkeypatch.setattr(nl, "MAX_FLOATS", 3 * net.n_samples * max(net.layer_sizes))
    blocks = nl.loss_slice(net, theta, d1, d2, grid, grid[:5]).losses
    np.testing.assert_allclose(blocks, whole, rtol=1e-14)


def test_slice_on_a_minibatch(net, theta):
    d1, d2 = nl.random_directions(net, theta, seed=0)
    idx = np.arange(0, 60, 3)
    s = nl.loss_slice(net, theta, d1, d2, [0.0, 0.5], [-0.5], idx=idx)
    assert s.losses[0, 1] == pytest.approx(float(net.value(theta + 0.5 * d1 - 0.5 * d2, idx)))


def test_every_landscape_function_accepts_a_sample_subset(net, theta):
    idx = np.arange(10)
    sub = net.with_data(net.X[idx], net.y[idx])
    np.testing.assert_allclose(nl.random_slice(net, theta, n=3, idx=idx).losses,
                               nl.random_slice(sub, theta, n=3).losses, rtol=1e-13)
    path = np.stack([net.init_params(0), theta])
    np.testing.assert_allclose(nl.pca_slice(net, [path], n=3, idx=idx).slice.losses,
                               nl.pca_slice(sub, [path], n=3).slice.losses, rtol=1e-13)
    np.testing.assert_allclose(nl.interpolation(net, path[0], theta, idx=idx).losses,
                               nl.interpolation(sub, path[0], theta).losses, rtol=1e-13)


def test_filter_normalisation_matches_row_norms_and_ignores_biases(net, theta):
    d1, d2 = nl.random_directions(net, theta, seed=5)
    for (W, _), (D1, B1), (D2, B2) in zip(net.unflatten(theta), net.unflatten(d1),
                                          net.unflatten(d2), strict=True):
        for D in (D1, D2):
            np.testing.assert_allclose(np.linalg.norm(D, axis=1), np.linalg.norm(W, axis=1),
                                       rtol=1e-12)
        np.testing.assert_array_equal(B1, 0.0)
        np.testing.assert_array_equal(B2, 0.0)
        assert not np.allclose(D1, D2) and not np.allclose(np.abs(D1), np.abs(W))
    again = nl.random_directions(net, theta, seed=5)
    np.testing.assert_array_equal(again[0], d1)
    assert not np.allclose(nl.random_directions(net, theta, seed=6)[0], d1)


def test_filter_normalisation_scales_with_the_weights(net, theta):
    """Doubling a layer's weights doubles its direction: the slice is scale-invariant per layer."""
    layers = net.unflatten(theta)
    scaled = net.flatten([(2 * W, b) if i == 1 else (W, b) for i, (W, b) in enumerate(layers)])
    d = nl.random_directions(net, theta, seed=2)[0]
    d_scaled = nl.random_directions(net, scaled, seed=2)[0]
    np.testing.assert_allclose(net.unflatten(d_scaled)[1][0], 2 * net.unflatten(d)[1][0])
    np.testing.assert_allclose(net.unflatten(d_scaled)[0][0], net.unflatten(d)[0][0])


def plane_path(P: int, T: int = 30, seed: int = 0):
    """A curved path theta_t = center + u_t e1 + v_t e2 in a random 2D plane of R^P."""
    rng = np.random.default_rng(seed)
    e, _ = np.linalg.qr(rng.standard_normal((P, 2)))
    center = rng.standard_normal(P)
    t = np.linspace(0, 1, T)
    uv = np.stack([3 * (1 - t) ** 2, np.sin(4 * t) * (1 - t)], axis=1)  # ends at (0, 0)
    return center + uv @ e.T, center, e


def test_pca_projection_of_a_planar_path_reproduces_it(net):
    path, center, e = plane_path(net.n_params)
    d1, d2, explained = nl.pca_directions([path], center)
    assert np.linalg.norm(d1) == pytest.approx(1.0) and abs(d1 @ d2) < 1e-12
    assert explained.sum() == pytest.approx(1.0) and explained[0] >= explained[1] > 0
    coords = nl.project(path, center, d1, d2)
    np.testing.assert_allclose(center + coords[:, :1] * d1 + coords[:, 1:] * d2, path, atol=1e-10)
    np.testing.assert_allclose(coords[-1], 0.0, atol=1e-12)  # the end point is the centre
    # same plane as the one the path was drawn in
    np.testing.assert_allclose(np.abs(np.linalg.svd(e.T @ np.stack([d1, d2], 1))[1]), 1.0)


def test_pca_slice_covers_the_paths_and_matches_the_loss(net):
    path, _, _ = plane_path(net.n_params, seed=1)
    other = path[::-1] * 0.9 + 0.1 * path[-1]
    ps = nl.pca_slice(net, [path, other], n=11, margin=0.25)
    s = ps.slice
    np.testing.assert_array_equal(s.center, path[-1])
    assert len(ps.coords) == 2 and ps.coords[0].shape == (len(path), 2)
    everything = np.concatenate(ps.coords)
    assert s.alphas[0] < everything[:, 0].min() and s.alphas[-1] > everything[:, 0].max()
    assert s.betas[0] < everything[:, 1].min() and s.betas[-1] > everything[:, 1].max()
    j, i = 7, 2
    point = s.center + s.alphas[i] * s.d1 + s.betas[j] * s.d2
    assert s.losses[j, i] == pytest.approx(float(net.value(point)), rel=1e-12)


def test_pca_slice_says_where_each_path_s_end_stands_against_the_plane(net):
    """The contour under an end's marker is the loss at its projection: a review found it read
    0.27 for SGD's 0.17 on the network page, under "a path may sit slightly off it"."""
    path, _, e = plane_path(net.n_params, seed=2)
    rng = np.random.default_rng(7)
    normal = rng.standard_normal(net.n_params)
    normal -= e @ (e.T @ normal)  # off the paths' plane
    normal /= np.linalg.norm(normal)
    off = np.concatenate([path[:-1], path[-1:] + 0.5 * normal])  # only its end leaves the plane
    ps = nl.pca_slice(net, [path, off], center=path[-1], n=5)
    on, away = ps.ends
    assert on.off == pytest.approx(0.0, abs=1e-9) and on.along == pytest.approx(0.0, abs=1e-9)
    assert on.loss == pytest.approx(on.plane_loss, rel=1e-12) and not on.misread
    shadow = ps.slice.center + ps.coords[1][-1] @ np.stack([ps.slice.d1, ps.slice.d2])
    assert away.off == pytest.approx(float(np.linalg.norm(off[-1] - shadow)), rel=1e-9)
    assert away.loss == pytest.approx(float(net.value(off[-1])), rel=1e-12)
    assert away.plane_loss == pytest.approx(float(net.value(shadow)), rel=1e-12)
    assert nl.PathEnd(1.0, 1.0, 0.1, 0.19).misread and nl.PathEnd(1.0, 1.0, 0.19, 0.1).misread
    assert not nl.PathEnd(1.0, 1.0, 0.1, 0.12).misread


def test_pca_slice_of_a_path_that_never_moved(net, theta):
    ps = nl.pca_slice(net, [np.stack([theta, theta])], n=5)
    np.testing.assert_array_equal(ps.coords[0], 0.0)
    np.testing.assert_array_equal(ps.explained, 0.0)
    np.testing.assert_allclose(ps.slice.alphas, np.linspace(-1, 1, 5))
    assert np.all(np.isfinite(ps.slice.losses))


def test_project_is_least_squares_for_non_orthogonal_directions():
    rng = np.random.default_rng(4)
    d1, d2 = rng.standard_normal(10), rng.standard_normal(10)
    center = rng.standard_normal(10)
    coords = rng.standard_normal((5, 2))
    points = center + coords[:, :1] * d1 + coords[:, 1:] * d2
    np.testing.assert_allclose(nl.project(points, center, d1, d2), coords, atol=1e-12)


def test_interpolation_equals_point_by_point(net, theta):
    theta0 = net.init_params(0)
    curve = nl.interpolation(net, theta0, theta)
    assert curve.ts[0] == -0.5 and curve.ts[-1] == 1.5 and len(curve.ts) == 81
    for k in (0, 20, 37, 60, 80):
        t = curve.ts[k]
        point = (1 - t) * theta0 + t * theta
        assert curve.losses[k] == pytest.approx(float(net.value(point)), rel=1e-12)
    assert curve.losses[20] == pytest.approx(float(net.value(theta0)), rel=1e-12)
    custom = nl.interpolation(net, theta0, theta, ts=np.array([0.0, 1.0]))
    np.testing.assert_allclose(custom.losses, net.value(np.stack([theta0, theta])), rtol=1e-12)


def test_pca_plane_holds_a_real_training_path_better_than_random_directions():
    from optimizers import get_optimizer, run

    X, y = make_dataset("two_moons", 200, seed=0)
    net = MLP(X, y, (16, 16))
    path = run(get_optimizer("adam", lr=0.01), net, net.init_params(0), 150).points
    offset = path[0] - path[-1]

    def held(s) -> float:
        a, b = nl.project(path[0], s.center, s.d1, s.d2)
        return float(np.linalg.norm(a * s.d1 + b * s.d2) / np.linalg.norm(offset))

    ps = nl.pca_slice(net, [path], n=5)
    assert ps.explained.sum() > 0.9
    assert held(ps.slice) > 0.9 > 0.5 > held(nl.random_slice(net, path[-1], n=3))

"""The numerical helpers that list the lattice minima: Hessian, Newton, grid candidates."""

from __future__ import annotations

import numpy as np

from landscape.minima import (
    as_minima,
    grid_candidates,
    hessian,
    inside,
    is_minimum,
    newton_refine,
    unique_minima,
)

A = np.array([[3.0, 1.0], [1.0, 2.0]])
C = np.array([0.5, -1.0])


def quad_value(p: np.ndarray) -> np.ndarray:
    """0.5 (p - c)^T A (p - c): one minimum at c."""
    d = p - C
    return 0.5 * np.einsum("...i,ij,...j->...", d, A, d)


def quad_grad(p: np.ndarray) -> np.ndarray:
    return (p - C) @ A


def saddle_grad(p: np.ndarray) -> np.ndarray:
    return np.stack([p[..., 0], -p[..., 1]], axis=-1)


def test_hessian_of_a_quadratic_is_exact_for_any_batch_shape() -> None:
    pts = np.random.default_rng(0).normal(size=(4, 3, 2))
    np.testing.assert_allclose(hessian(quad_grad, pts), np.broadcast_to(A, (4, 3, 2, 2)), atol=1e-8)
    np.testing.assert_allclose(hessian(quad_grad, pts[0, 0]), A, atol=1e-8)


def test_hessian_of_a_non_symmetric_field_point() -> None:
    """f = x^2 y + y^3: H = [[2y, 2x], [2x, 6y]]."""

    def grad(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return np.stack([2 * x * y, x**2 + 3 * y**2], axis=-1)

    p = np.array([[0.7, -1.3], [2.0, 0.5]])
    want = np.array([[[2 * -1.3, 1.4], [1.4, 6 * -1.3]], [[1.0, 4.0], [4.0, 3.0]]])
    np.testing.assert_allclose(hessian(grad, p), want, atol=1e-7)


def test_newton_refine_reaches_the_stationary_point() -> None:
    start = np.array([[0.3, -0.6], [1.2, -1.5]])
    np.testing.assert_allclose(newton_refine(quad_grad, start), np.tile(C, (2, 1)), atol=1e-12)


def test_newton_refine_steps_are_clipped() -> None:
    far = np.array([50.0, 50.0])
    moved = newton_refine(quad_grad, far, steps=1, max_step=0.5)
    assert abs(np.linalg.norm(moved - far) - 0.5) < 1e-12


def test_is_minimum_rejects_saddles_and_slopes() -> None:
    assert is_minimum(quad_grad, C)
    assert not is_minimum(saddle_grad, np.zeros(2))
    assert not is_minimum(quad_grad, C + 0.1)


def test_grid_candidates_and_unique_minima_find_all_wells() -> None:
    """Four wells at (+-1, +-1) of depths 1..4: all found, sorted, only the deepest global."""
    centres = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    depth = np.array([1.0, 2.0, 3.0, 4.0])

    def value(p: np.ndarray) -> np.ndarray:
        d2 = np.sum((p[..., None, :] - centres) ** 2, axis=-1)
        return 0.05 * np.sum(p**2, axis=-1) - np.sum(depth * np.exp(-4 * d2), axis=-1)

    def grad(p: np.ndarray) -> np.ndarray:
        diff = p[..., None, :] - centres
        w = depth * np.exp(-4 * np.sum(diff**2, axis=-1))
        return 0.1 * p + 8 * np.sum(w[..., None] * diff, axis=-2)

    domain = ((-2.0, 2.0), (-2.0, 2.0))
    starts = grid_candidates(value, domain, 81)
    pts, vals = unique_minima(value, grad, starts, domain)
    assert len(pts) == 4
    assert np.all(np.diff(vals) > 0)
    np.testing.assert_allclose(pts[0], [1.0, 1.0], atol=0.05)
    minima = as_minima(pts, vals)
    assert [m.is_global for m in minima] == [True, False, False, False]
    assert np.all(inside(pts, domain))

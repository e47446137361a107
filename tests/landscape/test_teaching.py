"""Each teaching surface really shows its idea (checked with tiny walkers written here, so the
landscape tests do not depend on the optimizers package)."""

from __future__ import annotations

import numpy as np

from landscape import Surface, get_surface


def gd(s: Surface, start: tuple[float, float], lr: float, steps: int) -> np.ndarray:
    """Plain gradient descent; returns the whole path (steps + 1, 2)."""
    path = [np.array(start, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - lr * s.grad(path[-1]))
    return np.array(path)


def nearest(s: Surface, p: np.ndarray):
    return min(s.minima, key=lambda m: float(np.hypot(*(np.array(m.point) - p))))


def hess(s: Surface, p: np.ndarray, h: float = 1e-5) -> np.ndarray:
    return np.stack([(s.grad(p + h * e) - s.grad(p - h * e)) / (2 * h) for e in np.eye(2)], -1)


def test_two_basins_traps_gradient_descent_but_not_random_search() -> None:
    s = get_surface("two_basins")
    start = np.array(s.default_start)
    local = next(m for m in s.minima if not m.is_global)
    glob = s.global_minima[0]
    assert np.hypot(*(np.array(local.point) - start)) < np.hypot(*(np.array(glob.point) - start))
    for lr in (0.05, 0.2, 0.5):
        end = gd(s, s.default_start, lr, 600)[-1]
        assert nearest(s, end) is local
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = s.domain
    samples = np.stack([rng.uniform(x0, x1, 300), rng.uniform(y0, y1, 300)], -1)
    assert s.value(samples).min() < local.value  # random search lands in the deep hole


def test_ravine_is_ill_conditioned_and_gd_zigzags() -> None:
    s = get_surface("ravine")
    eig = np.linalg.eigvalsh(hess(s, np.array([0.3, -0.2])))
    assert eig.max() / eig.min() > 40
    path = gd(s, s.default_start, lr=1.5 / eig.max(), steps=20)
    flips = np.sum(np.sign(path[1:, 1]) != np.sign(path[:-1, 1]))
    assert flips >= 18  # crosses the valley floor at almost every step...
    assert abs(path[-1, 0]) > 0.5 * abs(path[0, 0])  # ...while barely advancing along it


def test_saddle_is_a_stationary_non_minimum_between_minima() -> None:
    s = get_surface("saddle")
    origin = np.zeros(2)
    assert np.linalg.norm(s.grad(origin)) == 0
    eig = np.linalg.eigvalsh(hess(s, origin))
    assert eig.min() < 0 < eig.max()
    assert all(m.value < s.value(origin) for m in s.minima)
    # from the default start GD lingers near the saddle for many steps before leaving it
    path = gd(s, s.default_start, lr=0.02, steps=600)
    near = np.sum(np.linalg.norm(path, axis=-1) < 0.2)
    assert near > 50
    assert nearest(s, path[-1]).is_global


def test_plateau_has_tiny_gradients_that_normalized_steps_overcome() -> None:
    s = get_surface("plateau")
    g0 = np.linalg.norm(s.grad(np.array(s.default_start)))
    assert 0 < g0 < 1e-3
    plain = gd(s, s.default_start, lr=0.1, steps=300)
    assert np.linalg.norm(plain[-1] - plain[0]) < 0.1  # plain GD barely moves
    p = np.array(s.default_start)
    for _ in range(300):  # sign-like steps of fixed length (what Adam does on a plateau)
        g = s.grad(p)
        p = p - 0.1 * g / np.linalg.norm(g)
    assert np.hypot(*(p - np.array(s.global_minima[0].point))) < 0.1


def test_noisy_bowl_has_many_shallow_minima_that_trap_gd() -> None:
    s = get_surface("noisy_bowl")
    assert len(s.minima) >= 20
    assert max(m.value for m in s.minima) - s.min_value < 2.0  # shallow: all within the bowl
    end = gd(s, s.default_start, lr=0.1, steps=500)[-1]
    assert not nearest(s, end).is_global

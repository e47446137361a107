"""Every registered surface: exact gradient, declared minima, nothing lower, all minima listed."""

from __future__ import annotations

import re

import numpy as np
import pytest

from landscape import SURFACES, Surface, get_surface, markdown_table
from landscape.base import batches_per_epoch, diagonal, inside

NAMES = sorted(SURFACES)


def fd_grad(s: Surface, p: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite differences of the value, an oracle independent of the analytic gradient."""
    cols = [(s.value(p + h * e) - s.value(p - h * e)) / (2 * h) for e in np.eye(2)]
    return np.stack(cols, axis=-1)


def fd_hessian(s: Surface, p: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of the gradient: (..., 2) -> (..., 2, 2)."""
    cols = [(s.grad(p + h * e) - s.grad(p - h * e)) / (2 * h) for e in np.eye(2)]
    return np.stack(cols, axis=-1)


def newton(s: Surface, p: np.ndarray, steps: int = 8) -> np.ndarray:
    """Newton steps p <- p - H^-1 g; points with a singular Hessian stay where they are."""
    for _ in range(steps):
        h, g = fd_hessian(s, p), s.grad(p)
        det = h[..., 0, 0] * h[..., 1, 1] - h[..., 0, 1] * h[..., 1, 0]
        ok = np.abs(det) > 1e-300
        inv = np.stack([np.stack([h[..., 1, 1], -h[..., 0, 1]], -1),
                        np.stack([-h[..., 1, 0], h[..., 0, 0]], -1)], -2)
        step = np.einsum("...ij,...j->...i", inv, g) / np.where(ok, det, 1.0)[..., None]
        p = p - np.where(ok[..., None], step, 0.0)
    return p


def random_points(s: Surface, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = s.domain
    return np.stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)], axis=-1)


def test_registry_names_are_snake_case_and_match() -> None:
    assert len(SURFACES) >= 21
    for name, s in SURFACES.items():
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", name)
        assert s.name == name
        assert get_surface(name) is s


def test_unknown_surface_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="rosenbrock") as err:
        get_surface("rosenbrok")
    assert "himmelblau" in str(err.value)


def test_markdown_table_has_one_row_per_surface() -> None:
    table = markdown_table()
    rows = [r for r in table.splitlines() if r.startswith("| `")]
    assert len(rows) == len(SURFACES)
    assert "| `rastrigin` | " in table and "| 120 |" in table  # Rastrigin: 121 minima, 1 global


@pytest.mark.parametrize("name", NAMES)
def test_text_fields(name: str) -> None:
    s = SURFACES[name]
    assert s.title and s.latex
    assert 40 <= len(s.description) <= 400 and "watch" in s.description.lower()


@pytest.mark.parametrize("name", NAMES)
def test_shapes_broadcast(name: str) -> None:
    s = SURFACES[name]
    p = random_points(s, 12).reshape(3, 4, 2)
    assert s.value(p).shape == (3, 4)
    assert s.grad(p).shape == (3, 4, 2)
    assert s.value(p[0, 0]).shape == ()
    assert s.grad(p[0, 0]).shape == (2,)
    np.testing.assert_allclose(s.value(p)[1, 2], s.value(p[1, 2]))


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences(name: str) -> None:
    s = SURFACES[name]
    p = random_points(s, 200, seed=1)
    g, fd = s.grad(p), fd_grad(s, p)
    scale = 1.0 + np.abs(s.value(p))[:, None]
    assert np.all(np.abs(g - fd) <= 1e-6 * scale + 1e-6 * np.abs(g))


@pytest.mark.parametrize("name", NAMES)
def test_declared_minima_are_minima(name: str) -> None:
    s = SURFACES[name]
    assert s.minima and s.global_minima
    pts = np.array([m.point for m in s.minima])
    vals = np.array([m.value for m in s.minima])
    assert np.all(inside(pts, s.domain))
    hess = fd_hessian(s, pts)
    assert np.all(np.linalg.eigvalsh(hess) > 0), "every declared minimum is a strict minimum"
    gnorm = np.linalg.norm(s.grad(pts), axis=-1)
    assert np.all(gnorm <= 1e-7 * (1 + np.abs(hess).max(axis=(-1, -2))))
    refined = newton(s, pts)
    np.testing.assert_allclose(refined, pts, atol=1e-8)
    np.testing.assert_allclose(s.value(refined), vals, rtol=1e-9, atol=1e-10)
    # global flags: exactly the lowest ones
    low = vals.min()
    for m in s.minima:
        assert m.is_global == (m.value <= low + 1e-9 * (1 + abs(low)))
    assert s.min_value == pytest.approx(low)


@pytest.mark.parametrize("name", NAMES)
def test_no_grid_point_below_global_minimum(name: str) -> None:
    s = SURFACES[name]
    (x0, x1), (y0, y1) = s.domain
    xx, yy = np.meshgrid(np.linspace(x0, x1, 801), np.linspace(y0, y1, 801))
    v = s.value(np.stack([xx, yy], axis=-1))
    assert np.all(np.isfinite(v))
    assert v.min() >= s.min_value - 1e-12 * (1 + abs(s.min_value))


@pytest.mark.parametrize("name", NAMES)
def test_default_start_inside_and_not_at_a_minimum(name: str) -> None:
    s = SURFACES[name]
    start = np.array(s.default_start, dtype=float)
    assert inside(start, s.domain)
    assert np.linalg.norm(s.grad(start)) > 1e-12
    assert s.value(start) > s.min_value


def descend(s: Surface, starts: np.ndarray, iters: int = 400) -> np.ndarray:
    """Gradient descent with a per-point Armijo step (grown on success, halved on failure)."""
    x = starts.copy()
    (x0, x1), (y0, y1) = s.domain
    t = np.full(len(x), 0.01 * max(x1 - x0, y1 - y0))
    fx = s.value(x)
    for _ in range(iters):
        g = s.grad(x)
        gn = np.linalg.norm(g, axis=-1)
        d = -g / np.maximum(gn, 1e-300)[:, None]  # unit direction, step t
        cand = x + t[:, None] * d
        fc = s.value(cand)
        ok = fc < fx - 1e-4 * t * gn
        x = np.where(ok[:, None], cand, x)
        fx = np.where(ok, fc, fx)
        t = np.where(ok, t * 1.5, t * 0.5)
    return x


@pytest.mark.parametrize("name", NAMES)
def test_multistart_finds_no_undeclared_minimum(name: str) -> None:
    """Descend from a 45 x 45 grid of starts, polish with Newton: every minimum found that lies
    inside the domain must be in the declared list."""
    s = SURFACES[name]
    (x0, x1), (y0, y1) = s.domain
    starts = np.stack(
        np.meshgrid(np.linspace(x0, x1, 45), np.linspace(y0, y1, 45)), axis=-1
    ).reshape(-1, 2)
    with np.errstate(all="ignore"):
        ends = newton(s, descend(s, starts), steps=6)
        ok = np.all(np.isfinite(ends), axis=-1)
        ends = ends[ok]
        ends = ends[inside(ends, s.domain)]
        hess = fd_hessian(s, ends)
        gnorm = np.linalg.norm(s.grad(ends), axis=-1)
        strict = np.all(np.linalg.eigvalsh(hess) > 1e-9, axis=-1)
    found = ends[strict & (gnorm <= 1e-8 * (1 + np.abs(hess).max(axis=(-1, -2))))]
    assert len(found) > 0
    declared = np.array([m.point for m in s.minima])
    dist = np.linalg.norm(found[:, None, :] - declared[None, :, :], axis=-1).min(axis=1)
    missing = found[dist > 1e-5]
    assert len(missing) == 0, f"undeclared minima of {name}: {np.unique(missing.round(6), axis=0)}"


@pytest.mark.parametrize(
    ("name", "count"), [("rastrigin", 121), ("ackley", 121), ("griewank", 17), ("levy", 40),
     ("cross_in_tray", 36)]
)
def test_lattice_counts(name: str, count: int) -> None:
    """Lattice surfaces: Rastrigin and Ackley have one minimum per integer point in the box."""
    assert len(SURFACES[name].minima) == count


REFERENCE = {  # from ../shared/reference/test-functions.md (6 decimals), an independent oracle
    "himmelblau": [((-2.805118, 3.131312), 0.0), ((3.584428, -1.848126), 0.0)],
    "rastrigin": [((0.994959, 0.0), 0.994959)],
    "ackley": [((0.952167, 0.0), 2.579928)],
    "six_hump_camel": [((0.089842, -0.712656), -1.031628), ((-1.703607, 0.796084), -0.215464),
                       ((1.607105, 0.568651), 2.104250)],
    "three_hump_camel": [((1.747552, -0.873776), 0.298638)],
    "styblinski_tang": [((-2.903534, -2.903534), -78.332331), ((2.746803, 2.746803), -50.058893)],
    "goldstein_price": [((0.0, -1.0), 3.0), ((-0.6, -0.4), 30.0), ((1.8, 0.2), 84.0)],
    "levy": [((1.0, 1.0), 0.0), ((1.0, -2.890650), 0.973712), ((3.791082, 1.0), 1.160453)],
    "mccormick": [((-0.547198, -1.547198), -1.913223), ((2.594395, 1.594395), 1.228370)],
    "griewank": [((3.140023, 4.438444), 0.007396)],
    "cross_in_tray": [((1.34941, -1.34941), -2.06261), ((-4.419076, 1.470622), -1.889938)],
    "easom": [((np.pi, np.pi), -1.0)],
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_published_minima_are_declared(name: str) -> None:
    s = SURFACES[name]
    for point, value in REFERENCE[name]:
        best = min(s.minima, key=lambda m: np.hypot(m.point[0] - point[0], m.point[1] - point[1]))
        assert best.point == pytest.approx(point, abs=6e-6)
        assert best.value == pytest.approx(value, abs=6e-6)


def test_inside_counts_edges_in_and_non_finite_points_out() -> None:
    box = ((-1.0, 2.0), (0.0, 1.0))
    pts = np.array([[[-1.0, 0.0], [2.0, 1.0], [0.5, 0.5]],
                    [[2.001, 0.5], [0.5, -1e-9], [np.nan, 0.5]]])
    assert inside(pts, box).tolist() == [[True, True, True], [False, False, False]]
    assert inside((0.0, 1.0), box) and not inside((np.inf, 0.5), box)
    assert inside(pts, box, slack=0.01).tolist() == [[True, True, True], [True, True, False]]


def test_diagonal_is_the_boxs_hypotenuse() -> None:
    assert diagonal(((-1.0, 2.0), (0.0, 4.0))) == 5.0
    assert isinstance(diagonal(((0, 3), (0, 4))), float)


@pytest.mark.parametrize(("n", "batch", "steps"), [
    (100, 10, 10), (100, 30, 4), (100, None, 1), (100, 100, 1), (100, 500, 1), (7, 0, 7)])
def test_batches_per_epoch_is_the_ceiling_of_n_over_the_batch(n, batch, steps) -> None:
    assert batches_per_epoch(n, batch) == steps


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_the_minimum_value_is_f_at_the_declared_minimum_to_rounding(name: str) -> None:
    """Loss gaps f - f* reach the charts' 1e-12 floor at the bottom: two basins' declared
    -1.6188551081 was 5e-12 below f there (Styblinski-Tang's 4e-11)."""
    s = SURFACES[name]
    at_bottom = min(float(s.value(np.asarray(m.point, float))) for m in s.global_minima)
    assert abs(at_bottom - s.min_value) <= 1e-14 * max(1.0, abs(at_bottom))

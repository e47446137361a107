"""Numerical helpers to find and polish the local minima of a 2D surface.

Everything is vectorized over a leading batch of points ``(..., 2)``. The Hessian is taken by
central differences of the *exact* gradient, so Newton's method converges to the stationary point of
the exact gradient (the Hessian error only slows convergence, it does not move the fixed point).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from landscape.base import Domain, Minimum, inside

Field = Callable[[np.ndarray], np.ndarray]


def hessian(grad: Field, xy: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """H[..., i, j] = (g_i(x + h e_j) - g_i(x - h e_j)) / 2h, sym.: (..., 2) -> (..., 2, 2)."""
    xy = np.asarray(xy, dtype=float)
    step = h * (1.0 + np.abs(xy))  # (..., 2): relative step per coordinate
    d0, d1 = np.zeros_like(xy), np.zeros_like(xy)
    d0[..., 0], d1[..., 1] = step[..., 0], step[..., 1]
    g = grad(np.stack([xy + d0, xy + d1, xy - d0, xy - d1]))  # (4, ..., 2), one batched call
    cols = [(g[j] - g[j + 2]) / (2.0 * step[..., j : j + 1]) for j in (0, 1)]  # dg/dx_j
    hess = np.stack(cols, axis=-1)  # (..., i, j)
    return 0.5 * (hess + np.swapaxes(hess, -1, -2))


def newton_refine(
    grad: Field, xy: np.ndarray, steps: int = 30, max_step: float = 0.5, tol: float = 1e-13
) -> np.ndarray:
    """Polish points near stationary points: x <- x - H^{-1} grad f(x), steps clipped to max_step.

    Points where the Hessian is singular or the step is not finite do not move.
    """
    x = np.array(xy, dtype=float)
    for _ in range(steps):
        g = grad(x)
        hess = hessian(grad, x)
        a, b, d = hess[..., 0, 0], hess[..., 0, 1], hess[..., 1, 1]
        det = a * d - b * b
        ok = np.abs(det) > 1e-300
        safe = np.where(ok, det, 1.0)
        dx = np.stack([d * g[..., 0] - b * g[..., 1], a * g[..., 1] - b * g[..., 0]], -1)
        dx = dx / safe[..., None]
        dx = np.where((ok[..., None]) & np.isfinite(dx), dx, 0.0)
        norm = np.linalg.norm(dx, axis=-1, keepdims=True)
        dx = dx * np.minimum(1.0, max_step / np.maximum(norm, 1e-300))
        x = x - dx
        if np.all(norm <= tol * (1.0 + np.abs(x).max())):
            break
    return x


def is_minimum(grad: Field, xy: np.ndarray, gtol: float = 1e-7) -> np.ndarray:
    """True where |grad f| <= gtol (1 + |H|) and the Hessian H is positive definite: a strict local
    minimum (the tolerance scales with the curvature, as the point is only known to ~1e-12)."""
    g = np.linalg.norm(grad(xy), axis=-1)
    hess = hessian(grad, xy)
    det = hess[..., 0, 0] * hess[..., 1, 1] - hess[..., 0, 1] ** 2
    scale = 1.0 + np.abs(hess).max(axis=(-1, -2))
    return (g <= gtol * scale) & (det > 0) & (hess[..., 0, 0] > 0)


def grid(domain: Domain, n: int) -> np.ndarray:
    """An (n, n, 2) grid of points covering ``domain`` (rows follow y, columns follow x)."""
    (x0, x1), (y0, y1) = domain
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    return np.stack(np.meshgrid(xs, ys), axis=-1)


def grid_candidates(value: Field, domain: Domain, n: int) -> np.ndarray:
    """Interior grid points whose value is <= all 8 neighbours: starts for Newton, (k, 2)."""
    pts = grid(domain, n)
    with np.errstate(over="ignore", invalid="ignore"):
        v = value(pts)
    v = np.where(np.isfinite(v), v, np.inf)
    core = v[1:-1, 1:-1]
    low = np.ones_like(core, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                low &= core <= v[1 + di : n - 1 + di, 1 + dj : n - 1 + dj]
    return pts[1:-1, 1:-1][low & np.isfinite(core)]


def unique_minima(
    value: Field, grad: Field, starts: np.ndarray, domain: Domain, gtol: float = 1e-7,
    dedup: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray]:
    """Newton-refine ``starts`` (k, 2); keep strict local minima inside ``domain``, deduplicated.

    Returns (points (m, 2), values (m,)) sorted by value, then by x, then by y.
    """
    pts = newton_refine(grad, np.asarray(starts, dtype=float).reshape(-1, 2))
    keep = np.all(np.isfinite(pts), axis=-1)
    pts = pts[keep]
    pts = pts[inside(pts, domain) & is_minimum(grad, pts, gtol)]
    vals = value(pts)
    order = np.lexsort((pts[:, 1], pts[:, 0], vals))
    pts, vals = pts[order], vals[order]
    chosen: list[int] = []
    for i in range(len(pts)):
        if not chosen or np.min(np.linalg.norm(pts[chosen] - pts[i], axis=-1)) > dedup:
            chosen.append(i)
    return pts[chosen], vals[chosen]


def as_minima(points: Sequence[Sequence[float]], values: Sequence[float],
              rtol: float = 1e-9) -> tuple[Minimum, ...]:
    """Minimum records, lowest first; the ones within rtol of the lowest value are global."""
    vals = np.asarray(values, dtype=float)
    if vals.size == 0:
        return ()
    low = float(vals.min())
    tol = rtol * (1.0 + abs(low))
    out = []
    for (x, y), v in sorted(zip(points, vals, strict=True), key=lambda pv: float(pv[1])):
        glob = bool(v <= low + tol)
        out.append(Minimum((float(x), float(y)), float(v), glob, "global" if glob else "local"))
    return tuple(out)


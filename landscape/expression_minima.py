"""Minima, a racing start and a colour scale for a surface known only through value and gradient.

Used for typed formulas, where nothing is known in advance. Minima: damped Newton
(Levenberg-Marquardt, Hessian by central differences of the exact gradient) from a 24 x 24 grid of
starts plus the lowest points of a fine grid, all vectorized, in units that make it blind to the
size of f (1e-300 x^2 and 1e300 x^2 alike); a refined point is kept when it lies in the domain and
no nearby point (rings of 8) is lower while f rises around it (``is_local_min``: x^8 and x^100
too, whose rise near the bottom is far below any fixed tolerance). This accepts kinks such as
|x| + |y| and rejects saddles, slopes, plateaus, rounding noise and poles (a "minimum" that keeps
deepening as one closes in, like log(x^2 + y^2) at 0). Sampled values tie when equal relative to
their size, not within an absolute 1e-9 (exp(-x^2 - y^2) is 2e-22 in the corners of the view and
1e-9 further in, and falls on past the edge). The lowest minima are global; if the lowest
point in view lies elsewhere, every interior minimum is local and that point is added as the
"lowest in view" (``is_global`` so ``min_value`` is honest), labelled with why there is no true
minimum (``NoMinimum``): the formula is flat, keeps falling past the edge of the view, is lowest on
the boundary of the region where it is defined (sqrt(x) at x = 0), or is unbounded below (a pole).
The number of starts and Newton steps shrinks for very long formulas, so the work stays bounded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np

from landscape.base import Domain, Minimum, diagonal
from landscape.minima import grid, inside

Field = Callable[[np.ndarray], np.ndarray]

N_STARTS = 24  # starts per axis (cell centres)
SMALL_PROGRAM = 150  # gradient programs up to this many operations get the full search
N_FINE = 101  # fine grid per axis, edges included: finiteness, lowest cells, colour scale
N_LOWEST = 16  # extra starts: the lowest points of the fine grid
MAX_MINIMA = 64
RINGS = (1e-3, 1e-2, 1e-1)  # outer rings of a minimum test, as fractions of the view's diagonal
TIE = 1e-12  # relative: values of the fine grid equal to 12 digits tie (0 ties only with 0)
VALLEY_NOTE = " (one point of a valley of equal minima)"
POLE_RATIO = 0.3  # a pole deepens about as much at 1e-6 as at 1e-3 of the scale; a minimum not

#: Why a formula has no true minimum in view: interior (it has one), flat (constant), rounding
#: (its values tie to double precision although its exact gradient is not zero, like
#: x^2 + 1e300), view_edge (it keeps falling past the edge of the view), domain_edge (lowest on
#: the boundary of the region where it is defined, like sqrt(x) at x = 0), unbounded (falls to
#: -inf at a pole), unknown.
NoMinimum = Literal["interior", "flat", "rounding", "view_edge", "domain_edge", "unbounded",
                    "unknown"]
LABELS: dict[str, str] = {
    "flat": "lowest in view (the surface is flat there)",
    "rounding": "centre of the view: the values are equal to rounding, so none is lowest",
    "view_edge": "lowest in view, not a minimum: the formula keeps falling past the edge of the "
                 "view",
    "domain_edge": "lowest in view, on the boundary of the region where the formula is defined",
    # a polynomial's values can pass float range too (a review: "a pole" of a polynomial)
    "unbounded": "lowest in view, not a minimum: the formula falls without bound (at a pole, or "
                 "past float range)",
    "unknown": "lowest in view, not a minimum found",
}


def _spans(domain: Domain) -> tuple[float, float]:
    (x0, x1), (y0, y1) = domain
    return x1 - x0, y1 - y0


def gradient_and_hessian(grad: Field, q: np.ndarray, h: float = 1e-5) -> tuple[np.ndarray,
                                                                                np.ndarray]:
    """grad f at q (B, 2) and H[:, i, j] = (g_i(q + h_j e_j) - g_i(q - h_j e_j)) / 2h_j,
    symmetrised, with h_j = h (1 + |q_j|): one batched gradient call on 5B points."""
    step = h * (1.0 + np.abs(q))
    shifts = [np.eye(2)[j] * step[:, j : j + 1] for j in (0, 1)]
    g, gp0, gm0, gp1, gm1 = np.split(
        grad(np.concatenate([q, q + shifts[0], q - shifts[0], q + shifts[1], q - shifts[1]])), 5)
    hess = np.stack([(gp0 - gm0) / (2 * step[:, :1]), (gp1 - gm1) / (2 * step[:, 1:])], axis=-1)
    return g, 0.5 * (hess + np.swapaxes(hess, -1, -2))


def descend(value: Field, grad: Field, starts: np.ndarray, scale: float, iters: int = 60,
            domain: Domain | None = None) -> np.ndarray:
    """Levenberg-Marquardt: p <- p - (H + mu I)^{-1} g, accepted only if f decreases.

    mu starts at |g| / (scale / 20) (a first step of 5% of the view, whatever the size of f),
    shrinks (x0.3) after a success and grows (x10) after a failure; H + mu I is kept positive
    definite by adding max(0, -lambda_min(H)). Steps are clipped to ``scale / 4``; a point stops
    when its step falls below 1e-10 ``scale`` or mu grows 1e20-fold (a kink it cannot improve on),
    or once it lies a quarter of ``scale`` outside ``domain`` (it is sliding away from the view).
    """
    p = np.array(starts, dtype=float)
    with np.errstate(all="ignore"):
        f = value(p)
        g = grad(p)
        mu = np.hypot(g[..., 0], g[..., 1]) / (0.05 * scale) + np.finfo(float).tiny
        give_up = 1e20 * mu
        active = np.flatnonzero(np.isfinite(f) & np.all(np.isfinite(g), axis=-1))
        for _ in range(iters):
            if active.size == 0:
                break
            q, fq, m = p[active], f[active], mu[active]
            g, h = gradient_and_hessian(grad, q)
            # in units of |H| + mu, so that f = 1e-300 x^2 or 1e300 x^2 neither under- nor overflows
            unit = np.abs(h[:, 0, 0]) + np.abs(h[:, 0, 1]) + np.abs(h[:, 1, 1]) + m
            a, b, d = h[:, 0, 0] / unit, h[:, 0, 1] / unit, h[:, 1, 1] / unit
            g = g / unit[:, None]
            lam_min = 0.5 * (a + d) - np.hypot(0.5 * (a - d), b)
            shift = m / unit + 1.01 * np.maximum(0.0, -lam_min)
            det = (a + shift) * (d + shift) - b * b
            dx = -np.stack([(d + shift) * g[:, 0] - b * g[:, 1],
                            (a + shift) * g[:, 1] - b * g[:, 0]], axis=-1) / det[:, None]
            norm = np.linalg.norm(dx, axis=-1)
            dx *= np.minimum(1.0, 0.25 * scale / np.maximum(norm, 1e-300))[:, None]
            trial = q + dx
            ft = value(trial)
            better = np.isfinite(ft) & np.all(np.isfinite(trial), axis=-1) & (ft < fq)
            p[active] = np.where(better[:, None], trial, q)
            f[active] = np.where(better, ft, fq)
            mu[active] = np.where(better, m * 0.3, m * 10.0)
            done = ~np.isfinite(norm) | (norm < 1e-10 * scale) | (mu[active] > give_up[active])
            if domain is not None:
                done |= ~inside(p[active], domain, 0.25 * scale)
            active = active[~done]
    return p


def polish(value: Field, grad: Field, points: np.ndarray, scale: float,
           iters: int = 8) -> np.ndarray:
    """Newton steps p <- p - (H + eps I)^{-1} g judged by the exact gradient: a step is kept when
    |grad f| falls and f does not rise beyond rounding (1e-12 (1 + |f|)), and it is shorter than
    1e-3 ``scale`` (a point stays at its own minimum).

    ``descend`` accepts a step only when f falls, and near a minimum f changes by |dp|^2, below
    rounding once |dp| ~ 1e-8: minima stopped about 1e-8 from the true point, where the race's
    distance curves levelled off. The gradient is exact (symbolic), so it still points the way;
    this takes minima to ~1e-15. Kinks (|x|, whose gradient never shrinks) are left as they are.
    """
    p = np.array(points, dtype=float)
    if p.size == 0:
        return p
    with np.errstate(all="ignore"):
        f = value(p)
        for _ in range(iters):
            g, h = gradient_and_hessian(grad, p)
            a, b, d = h[:, 0, 0], h[:, 0, 1], h[:, 1, 1]
            eps = 1e-12 * (np.abs(a) + np.abs(b) + np.abs(d)) + np.finfo(float).tiny
            det = (a + eps) * (d + eps) - b * b
            dx = -np.stack([(d + eps) * g[:, 0] - b * g[:, 1],
                            (a + eps) * g[:, 1] - b * g[:, 0]], axis=-1) / det[:, None]
            trial = p + dx
            ft, gt = value(trial), grad(trial)
            better = (np.all(np.isfinite(trial), axis=-1) & np.isfinite(ft)
                      & (np.hypot(*gt.T) < np.hypot(*g.T))
                      & (ft <= f + 1e-12 * (1.0 + np.abs(f)))
                      & (np.hypot(*dx.T) < 1e-3 * scale))
            if not better.any():
                break
            p = np.where(better[:, None], trial, p)
            f = np.where(better, ft, f)
    return p


#: Radius (times the view's diagonal) over which ``resolution`` reads how finely f can be told.
RESOLVE = 1e-9


def _ring(points: np.ndarray, radius: float) -> np.ndarray:
    """(B, 8, 2): eight points at angles k pi / 4 around each of ``points`` (B, 2)."""
    angles = np.linspace(0.0, 2 * np.pi, 8, endpoint=False)
    return points[:, None, :] + radius * np.stack([np.cos(angles), np.sin(angles)], axis=-1)[None]


def is_local_min(value: Field, grad: Field, points: np.ndarray, scale: float) -> np.ndarray:
    """Local minima among ``points``: no point on rings of radius 1e-6 and r_0 = RINGS[0] times
    ``scale`` lower than f - min(tol, rise / 1000) (tol = 1e-12 (1 + |f|), rise = max f(r_0 ring)
    - f: a slope near the bottom of x^30 dips 6e-13 and rises 1.2e-12), and rise > tol.

    A bottom flat to tol at r_0 (x^8 rises 1.5e-15 at 0.014, x^100 / 1e40 stays below 1e-12 out
    to 1.9) is a minimum only if no point on that ring nor on the wider rings (RINGS, tried in
    turn while flat to tol) is lower at all, and one of the wider rings rises by tol, or else it
    is a faint bowl (``faint_bowl``: 1e-300 x^2). A minimum that rises at r_0 is never checked
    further out, so a narrow one stays a minimum.
    """
    with np.errstate(all="ignore"):
        f = value(points)
        tol = (1e-12 * (1.0 + np.abs(f)))[:, None]
        inner, first = (value(_ring(points, r * scale)) for r in (1e-6, RINGS[0]))
        floor = f[:, None] - np.minimum(tol, 1e-3 * (np.max(first, axis=-1) - f)[:, None])
        ok = np.isfinite(f) & np.all((inner >= floor) & (first >= floor), axis=-1)
        rises = ok & (np.max(first, axis=-1) > f + tol[:, 0])
        flat = ok & ~rises & np.all(first >= f[:, None], axis=-1)
        for radius in RINGS[1:]:
            idx = np.flatnonzero(flat)
            around = value(_ring(points[idx], radius * scale))
            up = np.max(around, axis=-1) > f[idx] + tol[idx, 0]
            whole = np.all(around >= f[idx, None], axis=-1)
            rises[idx] = up & whole
            flat[idx] = ~up & whole
        faint = np.flatnonzero(flat)
        if faint.size:
            rises[faint] = faint_bowl(grad, points[faint], f[faint], scale, first[faint],
                                      inner[faint])
    return rises


def faint_bowl(grad: Field, points: np.ndarray, f: np.ndarray, scale: float, f_outer: np.ndarray,
               f_inner: np.ndarray) -> np.ndarray:
    """A bowl whose rise is too small for a fixed tolerance, told from rounding noise on a flat
    surface. ``f_outer``/``f_inner`` (B, 8): f on rings of radius r = RINGS[0] ``scale`` and
    1e-6 ``scale``. Rising: f(outer) > f at 6 of the 8 angles at least (all but a valley through
    the point); at each angle the inner ring rises less than half as much (a bowl or kink of any
    order rises 1e-3^p times less there; noise is as large at any radius); and the exact gradient
    points outward, g . u >= 0 on the whole outer ring, > 0 where f rises (u: the unit direction).
    """
    offsets = _ring(np.zeros((1, 2)), RINGS[0] * scale)
    up = f_outer > f[:, None]
    half = 0.5 * np.maximum(f_outer - f[:, None], 0.0)
    with np.errstate(all="ignore"):
        slope = np.sum(grad(points[:, None, :] + offsets) * offsets, axis=-1)
    outward = (slope > 0.0) | (~up & (slope == 0.0))
    return ((np.sum(up, axis=-1) >= 6) & np.all(f_inner - f[:, None] <= half, axis=-1)
            & np.all(outward, axis=-1))


def fine_grid(value: Field, domain: Domain) -> tuple[np.ndarray, np.ndarray]:
    """(N_FINE**2, 2) points over the domain, edges included, and their values."""
    pts = grid(domain, N_FINE).reshape(-1, 2)
    with np.errstate(all="ignore"):
        return pts, value(pts)


def resolution(value: Field, points: np.ndarray, scale: float) -> np.ndarray:
    """(B,) how finely f can be told at each point: its largest change over a ring of radius
    ``RESOLVE`` times ``scale``. ~0 at a smooth minimum; at a kink as sharp as sqrt(abs(x - y))
    Newton lands ~1e-10 off the floor, so f there reads ~1e-5 however low the floor is."""
    if not len(points):
        return np.zeros(0)
    with np.errstate(all="ignore"):
        change = np.abs(value(_ring(points, RESOLVE * scale)) - value(points)[:, None])
    return np.where(np.isfinite(change), change, 0.0).max(axis=-1)


#: Two flat minima of equal value lie in one valley when a path joins them on the fine grid
#: below their value plus this share of the view's typical rise (``spread``).
VALLEY_RISE = 1e-2


def _component_labels(mask: np.ndarray) -> np.ndarray:
    """Connected components (8-neighbours: a diagonal valley such as abs(x - y) is a chain of
    corner-touching cells) of a boolean grid: a label per cell, -1 outside."""
    n = mask.size
    labels = np.where(mask, np.arange(n).reshape(mask.shape), n)
    while True:  # each cell takes the smallest label among itself and its neighbours in mask
        padded = np.pad(labels, 1, constant_values=n)
        rows, cols = labels.shape
        low = np.min([padded[1 + di:1 + di + rows, 1 + dj:1 + dj + cols]
                      for di in (-1, 0, 1) for dj in (-1, 0, 1)], axis=0)
        low = np.where(mask, low, n)
        if np.array_equal(low, labels):
            return np.where(mask, labels, -1)
        labels = low


def valley_joins(value: Field, pts: np.ndarray, vals: np.ndarray, spread: float
                 ) -> Callable[[np.ndarray, np.ndarray, float], bool]:
    """``joined(a, b, level)``: whether points ``a`` and ``b`` lie in one connected region of the
    fine grid (``pts``, ``vals``: N_FINE x N_FINE, rows y) where f <= level + the larger of
    VALLEY_RISE x spread and twice f's rise within one grid step of a or b (a kinked valley such
    as abs(y - sin(x)) rises ~1.4 steps' worth between its floor and the nearest cells).
    sin(x) has two global valleys in view, x = -pi/2 and 3 pi/2, with a ridge between; a
    straight, diagonal or curved valley (x**2, abs(x - y), a ring) is one region. A point with
    no such cell beside it (a valley narrower than the grid) counts as joined, as before."""
    n = math.isqrt(len(vals))
    if n < 2 or n * n != len(vals):  # not a square grid: every equal valley joined, as before
        return lambda a, b, level: True
    grid_vals = np.where(np.isfinite(vals), vals, np.inf).reshape(n, n)
    origin, far = pts[0], pts[-1]
    step = (far - origin) / max(n - 1, 1)
    cache: dict[tuple[float, float], np.ndarray] = {}  # labels per level and rise

    def cells(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = np.round((p - origin) / np.where(step > 0, step, 1.0)).astype(int)
        rows = np.clip(c[1] + np.array([-1, 0, 1]), 0, n - 1)
        cols = np.clip(c[0] + np.array([-1, 0, 1]), 0, n - 1)
        return np.meshgrid(rows, cols, indexing="ij")

    def joined(a: np.ndarray, b: np.ndarray, level: float) -> bool:
        with np.errstate(all="ignore"):
            near = value(_ring(np.stack([a, b]), float(np.hypot(*step))))
            step_rise = np.nanmax(np.abs(near - level), initial=0.0)
        rise = max(VALLEY_RISE * spread, 2.0 * float(step_rise))
        # levels a thousandth of the allowance apart share one labelling (a kink's valley
        # gives dozens of candidates whose values differ in the last digits)
        key = (float(np.round(level / (1e-3 * rise))) if rise > 0 else level,
               float(np.round(np.log2(rise))) if rise > 0 else 0.0)
        if key not in cache:
            cache[key] = _component_labels(grid_vals <= level + rise)
        labels = cache[key]
        la, lb = labels[cells(a)], labels[cells(b)]
        la, lb = set(la[la >= 0].tolist()), set(lb[lb >= 0].tolist())
        return not la or not lb or bool(la & lb)

    return joined


def _distinct(grad: Field, cand: np.ndarray, cvals: np.ndarray, order: np.ndarray,
              domain: Domain, scale: float, tol: np.ndarray, spread: float,
              joined: Callable[[np.ndarray, np.ndarray, float], bool] | None = None
              ) -> list[tuple[int, str]]:
    """Deduplicate candidates (in ``order``); a valley of equal minima (flat Hessian direction,
    lambda_min <= 1e-6 |lambda_max| + 1e-9 spread / scale^2, like x**2 or abs(x - y); ``spread``:
    the typical rise of f over the view) is represented by its point nearest the domain centre.
    Two values are equal within the larger of their tolerances ``tol`` (B,); two flat minima of
    equal value are one valley only where ``joined`` (``valley_joins``) says a low path links
    them: sin(x)'s two valleys in view were one, and a path settling in the other found no
    marker."""
    with np.errstate(all="ignore"):
        h = gradient_and_hessian(grad, cand)[1]
    lam = np.linalg.eigvalsh(np.where(np.isfinite(h), h, 0.0)) if len(cand) else np.zeros((0, 2))
    flat = lam[:, 0] <= 1e-6 * np.abs(lam[:, 1]) + 1e-9 * spread / scale**2
    centre = np.array([np.mean(domain[0]), np.mean(domain[1])])
    dist = np.linalg.norm(cand - centre, axis=-1)
    kept: list[int] = []
    valley: set[int] = set()  # positions in ``kept`` that stand for a valley of minima
    for i in order:
        if any(np.hypot(*(cand[j] - cand[i])) < 5e-3 * scale for j in kept):
            continue
        twin = next((k for k, j in enumerate(kept) if flat[i] and flat[j]
                     and abs(cvals[j] - cvals[i]) <= max(tol[i], tol[j])
                     and (joined is None or joined(cand[i], cand[j],
                                                   float(max(cvals[i], cvals[j]))))), None)
        if twin is not None:
            valley.add(twin)
            if dist[i] < dist[kept[twin]]:
                kept[twin] = int(i)
            continue
        kept.append(int(i))
        if len(kept) >= MAX_MINIMA:
            break
    return [(i, VALLEY_NOTE if k in valley else "") for k, i in enumerate(kept)]


def is_pole(value: Field, points: np.ndarray, scale: float, floor: float,
            spread: float) -> np.ndarray:
    """Candidates that are poles, not minima: far below everything else in view (``floor`` minus
    ``spread``) and still deepening as one closes in (the rise from the point to a ring of radius
    1e-6 of ``scale`` is a sizeable part of the rise to 1e-3; a minimum, even a sharp kink like
    |x|^0.1, rises far less near it or is not far below the rest)."""
    with np.errstate(all="ignore"):
        f = value(points)
        rise = [np.mean(value(_ring(points, r * scale)), axis=-1) - f for r in (1e-3, 1e-6)]
        deepening = rise[1] > POLE_RATIO * rise[0]
    return ~np.isfinite(f) | (deepening & (f < floor - spread))


def _boundary(value: Field, inside_pt: np.ndarray, outside_pt: np.ndarray,
              steps: int = 60) -> np.ndarray:
    """The last point with a finite value on the segment from ``inside_pt`` (finite) towards
    ``outside_pt`` (not finite), by bisection."""
    a, b = inside_pt.astype(float), outside_pt.astype(float)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            mid = 0.5 * (a + b)
            if np.isfinite(value(mid)):
                a = mid
            else:
                b = mid
    return a


def is_constant(grad: Field, pts: np.ndarray, vals: np.ndarray) -> bool:
    """The fine grid (``fine_grid``: ``pts``, ``vals``) is constant over its finite values:
    max - min <= TIE max|f| (exactly equal when that is 0), or max - min <= 1e-9 (1 + |min|) and
    rounding, not slope: the exact gradient explains under half of the change between neighbours,
    sum |df - g_mid . dp| > sum |df| / 2 with g_mid the mean gradient of the pair
    ((x + y)^2 - x^2 - 2xy - y^2 evaluates to noise of 1e-14; 1e-300 x rises as its gradient says).
    """
    finite = np.isfinite(vals)
    low, high = float(np.min(vals[finite])), float(np.max(vals[finite]))
    if high - low <= TIE * max(abs(low), abs(high)):
        return True
    if not high - low <= 1e-9 * (1.0 + abs(low)):
        return False
    n = math.isqrt(len(vals))
    f, p = vals.reshape(n, n), pts.reshape(n, n, 2)
    change = unexplained = 0.0
    with np.errstate(all="ignore"):
        g = grad(pts).reshape(n, n, 2)
        for axis in (0, 1):  # ``grid`` rows follow y: axis 0 steps along y (gradient component 1)
            df, gk = np.diff(f, axis=axis), g[..., 1 - axis]
            g_mid = 0.5 * (np.delete(gk, 0, axis) + np.delete(gk, -1, axis))
            miss = np.abs(df - g_mid * np.diff(p[..., 1 - axis], axis=axis))
            ok = np.isfinite(miss)
            change += float(np.sum(np.abs(df[ok])))
            unexplained += float(np.sum(miss[ok]))
    return unexplained > 0.5 * change


def has_slope(grad: Field, pts: np.ndarray) -> bool:
    """The exact gradient over the fine grid (``fine_grid``'s n x n ``pts``) is a real slope, not
    rounding noise: its median length is not zero and it changes smoothly, the median change
    between neighbours under half its median length (x^2 + 1e300: 0.02; the noise of
    (x + 1)^3 - x^3 - 3x^2 - 3x - 1 is mostly exact zeros)."""
    n = math.isqrt(len(pts))
    with np.errstate(all="ignore"):
        length = np.linalg.norm(np.asarray(grad(pts), float), axis=-1).reshape(n, n)
    typical = float(np.nanmedian(length)) if np.isfinite(length).any() else 0.0
    if not typical > 0.0 or not np.isfinite(typical):
        return False
    rough = max(float(np.nanmedian(np.abs(np.diff(length, axis=a)))) for a in (0, 1))
    return rough < 0.5 * typical


def why_no_minimum(value: Field, grad: Field, domain: Domain, pts: np.ndarray, vals: np.ndarray,
                   tol: float, poles: bool) -> tuple[NoMinimum, tuple[float, float], float]:
    """Why there is no true minimum in view, the lowest point in view and its value.

    ``pts``/``vals``: the fine grid (``fine_grid``); ``tol``: the least spread of values that
    sets a pole apart; ``poles``: the minimum search ran into a pole. Values within TIE |low| of
    the lowest sample tie (exact ties at 0; the one nearest the centre of the view is taken); on
    the boundary of the region where the formula is defined, the point is on that boundary.
    """
    finite = np.isfinite(vals)
    low = float(np.min(vals[finite]))
    tie = TIE * abs(low)
    spread = max(float(np.median(vals[finite])) - low, tol)
    centre = np.array([np.mean(domain[0]), np.mean(domain[1])])
    if is_constant(grad, pts, vals):
        kind: NoMinimum = "rounding" if has_slope(grad, pts) else "flat"
        return kind, (float(centre[0]), float(centre[1])), low
    lowest = np.flatnonzero(finite & (vals <= low + tie))
    k = int(lowest[np.argmin(np.linalg.norm(pts[lowest] - centre, axis=-1))])
    p = pts[k]
    point = (float(p[0]), float(p[1]))
    (x0, x1), (y0, y1) = domain
    scale = diagonal(domain)
    eps = 1e-9 * scale
    outward = [n for n, on in (((-1, 0), p[0] <= x0 + eps), ((1, 0), p[0] >= x1 - eps),
                               ((0, -1), p[1] <= y0 + eps), ((0, 1), p[1] >= y1 - eps)) if on]
    with np.errstate(all="ignore"):
        beyond = [float(value(p + 1e-3 * scale * np.array(n, dtype=float))) for n in outward]
    if poles or np.any(vals == -np.inf):
        return "unbounded", point, low
    cell = ((x1 - x0) / (N_FINE - 1), (y1 - y0) / (N_FINE - 1))
    if any(b < low - tie for b in beyond):
        # along the edge only: a dip inside the view is no "lowest in view" of a formula that
        # falls past the edge (it would be a minimum the search missed)
        return "view_edge", *zoom_lowest(value, domain, p, low, cell, tie,
                                         _lowest_samples(pts, vals, edge=True), edge=True)
    n = math.isqrt(len(vals))
    i, j = divmod(k, n)  # ``grid`` lays rows along y
    around = [(i + di) * n + (j + dj) for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1))
              if 0 <= i + di < n and 0 <= j + dj < n]
    undefined = [q for q in around if not finite[q]]
    if undefined:
        edges = [_boundary(value, p, pts[q]) for q in undefined]
        with np.errstate(all="ignore"):
            ends = np.array([float(value(e)) for e in edges])
        if np.any(~np.isfinite(ends) | (ends < low - spread)):
            return "unbounded", point, low
        best = int(np.argmin(ends))
        if ends[best] < low:  # the boundary lies between grid points and is lower still
            return "domain_edge", (float(edges[best][0]), float(edges[best][1])), float(ends[best])
        return "domain_edge", point, low
    return "unknown", *zoom_lowest(value, domain, p, low, cell, tie)


def _lowest_samples(pts: np.ndarray, vals: np.ndarray, k: int = 4 * N_LOWEST,
                    edge: bool = False) -> np.ndarray:
    """Where the fine grid dips: its samples no higher than any of their 8 neighbours (only
    those on the grid's edge, if ``edge``), the ``k`` lowest first. The lowest samples alone
    crowd around one dip (x sin 10y - y/1000: every one of the 16 lowest sat beside -5.0036;
    the lowest point in view, -5.0049, lies at another)."""
    n = math.isqrt(len(vals))
    f = np.where(np.isfinite(vals), vals, np.inf).reshape(n, n)
    padded = np.pad(f, 1, constant_values=np.inf)
    dips = np.isfinite(f)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                dips &= f <= padded[1 + di:n + 1 + di, 1 + dj:n + 1 + dj]
    if edge:
        dips[1:-1, 1:-1] = False
    idx = np.flatnonzero(dips.ravel())
    return pts[idx[np.argsort(vals[idx], kind="stable")[:k]]]


def zoom_lowest(value: Field, domain: Domain, point: np.ndarray, low: float,
                cell: tuple[float, float], tie: float = 0.0, around: np.ndarray | None = None,
                edge: bool = False, rounds: int = 10, n: int = 21,
                ) -> tuple[tuple[float, float], float]:
    """The lowest point in view found between the fine grid's samples: around each of ``around``
    (the grid's dips; default ``point``, whose value is ``low``) an n x n grid spanning one
    ``cell`` each way, inside ``domain`` (with ``edge``, along the domain's edge where the
    point lies on it), re-centred on its lowest finite sample and shrunk 5x, ``rounds`` times
    (to ~1e-7 of a cell); the lowest found wins. ``point`` is kept unless a sample is lower by
    more than ``tie``. The fine grid alone put |sin x| |cos y| - x/100's lowest at -0.0381, where
    -0.05 lies between its samples; and the lowest sample need not be next to the lowest point
    (x sin 10y - y/1000: -5.0033 beside it, -5.0049 elsewhere). Every start zooms in the same
    calls (one evaluation of K n^2 points a round)."""
    p = np.asarray(point if around is None else around, dtype=float).reshape(-1, 2)
    (x0, x1), (y0, y1) = domain
    eps = 1e-9 * float(np.hypot(x1 - x0, y1 - y0))
    lock_x = edge & ((p[:, 0] <= x0 + eps) | (p[:, 0] >= x1 - eps))
    lock_y = edge & ((p[:, 1] <= y0 + eps) | (p[:, 1] >= y1 - eps))
    best = np.full(len(p), np.inf)
    step = np.linspace(-1.0, 1.0, n)
    hx, hy = cell
    for _ in range(rounds):
        xs = np.where(lock_x[:, None], p[:, :1], np.clip(p[:, :1] + hx * step, x0, x1))
        ys = np.where(lock_y[:, None], p[:, 1:], np.clip(p[:, 1:] + hy * step, y0, y1))
        q = np.stack([np.repeat(xs, n, axis=1), np.tile(ys, n)], axis=-1)  # (K, n * n, 2)
        with np.errstate(all="ignore"):
            v = np.asarray(value(q.reshape(-1, 2)), dtype=float).reshape(len(p), -1)
        v = np.where(np.isfinite(v), v, np.inf)
        k = np.argmin(v, axis=1)
        low_k = v[np.arange(len(p)), k]
        better = low_k < best
        p[better], best[better] = q[np.arange(len(p)), k][better], low_k[better]
        hx, hy = hx / 5, hy / 5
    i = int(np.argmin(best))
    if best[i] < low - tie:
        return (float(p[i, 0]), float(p[i, 1])), float(best[i])
    return (float(point[0]), float(point[1])), float(low)


def find_minima(value: Field, grad: Field, domain: Domain, pts: np.ndarray, vals: np.ndarray,
                cost: int = 0) -> tuple[tuple[Minimum, ...], NoMinimum]:
    """Labelled minima (global first) and ``"interior"`` if a true minimum lies inside the
    domain, else why not (``NoMinimum``; then the first entry is the lowest point in view).

    ``cost`` (operations per gradient evaluation) bounds the work: past SMALL_PROGRAM operations
    the grid of starts thins out as 1/sqrt(cost) (to 10 x 10 at least) and Newton gets 40 steps.
    """
    sx, sy = _spans(domain)
    scale = float(np.hypot(sx, sy))
    (x0, _), (y0, _) = domain
    n_starts = int(np.clip(N_STARTS * np.sqrt(SMALL_PROGRAM / max(cost, 1)), 10, N_STARTS))
    iters = 60 if cost <= SMALL_PROGRAM else 40
    centres = (np.arange(n_starts) + 0.5) / n_starts
    cx, cy = np.meshgrid(x0 + sx * centres, y0 + sy * centres)
    finite = np.isfinite(vals)
    centre = np.array([x0 + sx / 2, y0 + sy / 2])
    # ties (a valley of equal values) go to the points nearest the centre of the view
    near = np.hypot(*(pts[finite] - centre).T)
    lowest = pts[finite][np.lexsort((near, vals[finite]))[:N_LOWEST]]
    starts = np.concatenate([np.stack([cx.ravel(), cy.ravel()], axis=-1), lowest])
    cand = descend(value, grad, starts, scale, iters, domain)
    cand = cand[np.all(np.isfinite(cand), axis=-1) & inside(cand, domain, 1e-9 * scale)]
    cand = polish(value, grad, cand, scale)
    cand = cand[np.all(np.isfinite(cand), axis=-1) & inside(cand, domain, 1e-9 * scale)]
    cand = cand[is_local_min(value, grad, cand, scale)]
    grid_low = float(np.min(vals[finite]))
    spread = min(float(np.median(vals[finite])) - grid_low, np.finfo(float).max)
    # "equal values": ties in value, not in shape; 1e-9 (1 + |low| + spread), the 1 (Newton's
    # precision at a kink) shrunk to max|f| for a formula whose values are all tiny (1e-12 f)
    size = min(1.0, float(np.max(np.abs(vals[finite]))))
    tol = 1e-9 * size + 1e-9 * abs(grid_low) + 1e-9 * spread
    pole = is_pole(value, cand, scale, grid_low, spread)
    cand = cand[~pole]
    with np.errstate(all="ignore"):
        cvals = value(cand)
    order = np.lexsort((cand[:, 1], cand[:, 0], np.hypot(*(cand - centre).T), cvals))
    # equal values: within tol, or within what f can tell at either point (a kink's floor read
    # ~1e-5 at points Newton left 1e-10 off it: 44 "local" minima along sqrt(abs(x - y))'s)
    ctol = np.maximum(tol, resolution(value, cand, scale))
    chosen = _distinct(grad, cand, cvals, order, domain, scale, ctol, spread,
                       valley_joins(value, pts, vals, spread))
    first = chosen[0][0] if chosen else -1
    interior = bool(chosen) and not pole.any() and float(cvals[first]) <= grid_low + ctol[first]
    low = float(cvals[first]) if interior else -np.inf

    def lowest(i: int) -> bool:
        return bool(cvals[i] <= low + max(ctol[i], ctol[first]))

    minima = [Minimum((float(cand[i, 0]), float(cand[i, 1])), float(cvals[i]), lowest(i),
                      ("global" if lowest(i) else "local") + note)
              for i, note in chosen]
    if interior:
        return tuple(minima), "interior"
    kind, point, lowest_value = why_no_minimum(value, grad, domain, pts, vals, tol,
                                               bool(pole.any()))
    minima.insert(0, Minimum(point, lowest_value, True, LABELS[kind]))
    return tuple(minima), kind


def default_start(value: Field, grad: Field, domain: Domain,
                  minima: tuple[Minimum, ...]) -> tuple[float, float]:
    """A point inset from the edges, far from the global minima, about three-quarters up the
    range of values there, with a finite, non-zero gradient: a start that makes a race."""
    (x0, x1), (y0, y1) = domain
    sx, sy = _spans(domain)
    inset = ((x0 + 0.1 * sx, x1 - 0.1 * sx), (y0 + 0.1 * sy, y1 - 0.1 * sy))
    pts = grid(inset, 21).reshape(-1, 2)
    with np.errstate(all="ignore"):
        f, g = value(pts), grad(pts)
    # per component: the norm of a finite gradient overflows past ~1e154 (1e300 x^2 had no
    # start with a usable slope, and the race started at the minimum itself)
    ok = np.isfinite(f) & np.all(np.isfinite(g), axis=-1) & np.any(g != 0, axis=-1)
    if not ok.any():
        return float(np.mean(domain[0])), float(np.mean(domain[1]))
    targets = np.array([m.point for m in minima if m.is_global])
    dist = np.min(np.linalg.norm(pts[:, None] - targets[None], axis=-1), axis=-1)
    for fraction in (0.3, 0.15, 0.0):
        far = ok & (dist >= fraction * np.hypot(sx, sy))
        if far.any():
            break
    level = np.quantile(f[far], 0.75)
    k = np.flatnonzero(far)[np.argmin(np.abs(f[far] - level))]
    # rounded to 6 digits so the start reads (and sits in a link) as typed: -1.2, not -1.1999...97
    return float(f"{pts[k, 0]:.6g}"), float(f"{pts[k, 1]:.6g}")


def wants_log_scale(vals: np.ndarray, min_value: float) -> bool:
    """Colour by log(f - f_min + 1) when the top of the range dwarfs the typical value."""
    finite = vals[np.isfinite(vals)]
    top = float(np.quantile(finite, 0.99)) - min_value
    typical = float(np.quantile(finite, 0.5)) - min_value
    return top > 100.0 and top > 8.0 * typical

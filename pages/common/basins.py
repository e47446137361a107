"""Basins of attraction: where does an optimizer end up from every start of a grid?

Pure NumPy on top of ``optimizers.run``: the whole n x n grid of starts is ONE batched run. Each
cell is labelled by where its path ends:

- ``k >= 0``: within the capture radius of minimum ``k`` of ``surface.minima`` (global or local);
- ``DIVERGED``: the run reported divergence (non-finite, or left the bound);
- ``MOVING``: finite but near no known minimum (still moving, a saddle or a plateau).

The gradient-free baselines of the article (random search, random local search) run on the same
starts with the same step budget, so their "trials" (evaluations) compare directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from landscape.base import Minimum, Surface
from optimizers import get_optimizer, run

DIVERGED = -1
MOVING = -2
BASELINES = ("random_search", "random_local_search")


def start_grid(domain: tuple[tuple[float, float], tuple[float, float]], n: int):
    """Cell centres of an n x n grid over ``domain``: xs (n,), ys (n,), starts (n*n, 2).

    Row-major: ``starts[j * n + i] = (xs[i], ys[j])``, so ``labels.reshape(n, n)[j, i]`` is the
    cell at column x_i, row y_j (the layout of a heatmap's ``z``).
    """
    (x0, x1), (y0, y1) = domain
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y0 + (np.arange(n) + 0.5) * (y1 - y0) / n
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=1)


def capture_radius(minima: tuple[Minimum, ...], domain) -> float:
    """How close an endpoint must be to a minimum to count as arrived there.

    3% of the domain diagonal, shrunk to 45% of the closest pair of minima so that neighbouring
    minima never share a cell.
    """
    (x0, x1), (y0, y1) = domain
    r = 0.03 * float(np.hypot(x1 - x0, y1 - y0))
    pts = np.array([m.point for m in minima], dtype=float).reshape(-1, 2)
    if len(pts) > 1:
        d = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
        d[np.diag_indices(len(pts))] = np.inf
        r = min(r, 0.45 * float(d.min()))
    return r


def classify(
    final: np.ndarray, diverged: np.ndarray, minima: tuple[Minimum, ...], radius: float
) -> np.ndarray:
    """Label endpoints (B, 2): index of the nearest minimum within ``radius``, else MOVING;
    DIVERGED where ``diverged`` (B,) is set. Vectorized over B."""
    final = np.asarray(final, dtype=float)
    labels = np.full(final.shape[0], MOVING, dtype=int)
    if minima:
        pts = np.array([m.point for m in minima], dtype=float)
        with np.errstate(invalid="ignore", over="ignore"):
            d = np.linalg.norm(final[:, None, :] - pts[None], axis=-1)
        d = np.where(np.isfinite(d), d, np.inf)
        nearest = np.argmin(d, axis=1)
        near = d[np.arange(len(final)), nearest] <= radius
        labels = np.where(near, nearest, MOVING)
    return np.where(np.asarray(diverged, dtype=bool), DIVERGED, labels)


def steps_to_global(points: np.ndarray, minima: tuple[Minimum, ...], radius: float) -> np.ndarray:
    """First step at which each path of ``points`` (steps+1, B, 2) is within ``radius`` of a global
    minimum; -1 if never."""
    steps1, B, _ = points.shape
    inside = np.zeros((steps1, B), dtype=bool)
    for m in minima:
        if m.is_global:
            with np.errstate(invalid="ignore", over="ignore"):
                d2 = np.sum((points - np.asarray(m.point)) ** 2, axis=-1)
            inside |= d2 <= radius**2
    first = np.argmax(inside, axis=0)
    return np.where(inside.any(axis=0), first, -1)


@dataclass(frozen=True)
class BasinStats:
    """Summary of a batch of paths: share that reached the global minimum and what it cost."""

    optimizer: str
    success_rate: float
    median_steps: float  # NaN when no path reached the global minimum
    median_evaluations: float  # evaluations (the article's trials) used to get there; NaN if none
    evaluations_per_path: int  # evaluations used by a full run of one path
    counts: dict[int, int]  # label -> number of paths


@dataclass(frozen=True)
class BasinMap:
    """Labels of an n x n grid of starts for one optimizer (``labels[j, i]`` at (xs[i], ys[j]))."""

    optimizer: str
    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray  # (n, n) int
    steps: np.ndarray  # (n, n) first step at the global minimum, -1 never
    radius: float
    stats: BasinStats


def summarize(name: str, labels: np.ndarray, first: np.ndarray, evaluations: np.ndarray,
              minima: tuple[Minimum, ...]) -> BasinStats:
    """Success rate over paths whose final label is a global minimum; medians over those paths."""
    labels = labels.ravel()
    first = first.ravel()
    is_global = np.array([m.is_global for m in minima] + [False, False], dtype=bool)
    ok = is_global[labels] & (first >= 0)  # labels -1/-2 index the trailing False entries
    values, counts = np.unique(labels, return_counts=True)
    evaluations = np.asarray(evaluations).reshape(-1)
    return BasinStats(
        optimizer=name,
        success_rate=float(ok.mean()) if ok.size else 0.0,
        median_steps=float(np.median(first[ok])) if ok.any() else float("nan"),
        median_evaluations=float(np.median(evaluations[first[ok]])) if ok.any() else float("nan"),
        evaluations_per_path=int(evaluations[-1]),
        counts={int(v): int(c) for v, c in zip(values, counts, strict=True)},
    )


def run_starts(
    name: str,
    surface: Surface,
    starts: np.ndarray,
    steps: int,
    *,
    hparams: Mapping[str, Any] | None = None,
    seed: int = 0,
    noise: float = 0.0,
):
    """One batched run of ``name`` from every start (B, 2); returns (labels, first, evaluations)."""
    optimizer = get_optimizer(name, **dict(hparams or {}))
    traj = run(optimizer, surface, starts, steps, seed=seed, noise=noise, domain=surface.domain)
    radius = capture_radius(surface.minima, surface.domain)
    diverged = np.asarray(traj.diverged_step).reshape(-1) >= 0
    labels = classify(traj.points[-1], diverged, surface.minima, radius)
    first = steps_to_global(traj.points, surface.minima, radius)
    return labels, first, np.asarray(traj.evaluations), radius


def basin_map(
    name: str,
    surface: Surface,
    n: int,
    steps: int,
    *,
    hparams: Mapping[str, Any] | None = None,
    seed: int = 0,
    noise: float = 0.0,
) -> BasinMap:
    """Label every cell of an n x n grid of starts over ``surface.domain`` (one batched run)."""
    xs, ys, starts = start_grid(surface.domain, n)
    labels, first, evaluations, radius = run_starts(
        name, surface, starts, steps, hparams=hparams, seed=seed, noise=noise
    )
    stats = summarize(name, labels, first, evaluations, surface.minima)
    return BasinMap(name, xs, ys, labels.reshape(n, n), first.reshape(n, n), radius, stats)


def baseline(
    name: str, surface: Surface, starts: np.ndarray, steps: int, *, seed: int = 0
) -> BasinStats:
    """Run a gradient-free baseline (``random_search`` / ``random_local_search``) from the same
    starts with the same step budget; count its trials."""
    labels, first, evaluations, _ = run_starts(name, surface, starts, steps, seed=seed)
    return summarize(name, labels, first, evaluations, surface.minima)


def label_name(label: int, minima: tuple[Minimum, ...]) -> str:
    """Plain words for a basin label."""
    if label == DIVERGED:
        return "diverged"
    if label == MOVING:
        return "no minimum (still moving)"
    m = minima[label]
    kind = "global minimum" if m.is_global else "local minimum"
    where = f"({m.point[0]:.3g}, {m.point[1]:.3g})"
    return f"{kind} {m.label or where}".strip()

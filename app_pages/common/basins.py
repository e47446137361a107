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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

import landscape
from app_pages.common.outcomes import KIND_CODES, classify_endpoints, default_tolerance
from app_pages.common.words import plural
from landscape.base import Domain, Minimum, Surface
from optimizers import OPTIMIZERS, get_optimizer, run_endpoints
from viz.style import format_value

DIVERGED = -1
MOVING = -2
BASELINES = ("random_search", "random_local_search")
#: Baselines run from a coarser grid of the same starts (their statistics, not a map, are shown).
BASELINE_SIDE = 30

#: The default basins page: a surface where the near basin is a trap, three classic optimizers.
DEFAULTS: dict[str, Any] = {
    "surface": "two_basins",
    "optimizers": ("sgd", "momentum", "adam"),
    "n": 60,
    "steps": 300,
    "seed": 0,
    "noise": 0.0,
}


def _cell_centres(lo: float, hi: float, n: int) -> np.ndarray:
    """The n cell centres of [lo, hi], each written with as few decimals as keep it within a
    thousandth of a cell: the nearest float to a short decimal, which a link or a figure writes
    in a few digits and reads back bit for bit (the race's noise is keyed on a start's bits)."""
    width = (hi - lo) / n
    decimals = max(0, int(np.ceil(-np.log10(width / 1000))))
    return np.array([float(f"{lo + (i + 0.5) * width:.{decimals}f}") for i in range(n)])


def start_grid(domain: Domain, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell centres of an n x n grid over ``domain``: xs (n,), ys (n,), starts (n*n, 2).

    Row-major: ``starts[j * n + i] = (xs[i], ys[j])``, so ``labels.reshape(n, n)[j, i]`` is the
    cell at column x_i, row y_j (the layout of a heatmap's ``z``). Centres are short decimals
    (``_cell_centres``): -0.6, not -0.6000000000000001.
    """
    (x0, x1), (y0, y1) = domain
    xs, ys = _cell_centres(x0, x1, n), _cell_centres(y0, y1, n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=1)


def cell_start(point: tuple[float, float], domain: tuple[tuple[float, float], tuple[float, float]],
               n: int) -> tuple[float, float] | None:
    """The start of the n x n grid's cell whose centre ``point`` is (within 1% of a cell, so a
    link written with fewer digits still names it), exactly as the map ran it; else None."""
    centres = []
    for v, (lo, hi) in zip(point, domain, strict=True):
        width = (hi - lo) / n
        i = int(np.floor((v - lo) / width)) if np.isfinite(v) else -1
        if not 0 <= i < n:
            return None
        c = _cell_centres(lo, hi, n)[i]
        if abs(v - c) > width / 100:
            return None
        centres.append(float(c))
    return centres[0], centres[1]


def capture_radius(domain: Domain) -> float:
    """How close an endpoint must be to a minimum to count as arrived: the race's tolerance
    (``outcomes.default_tolerance``), so a cell and its race agree on the outcome."""
    return default_tolerance(domain)


def classify(
    final: np.ndarray, diverged: np.ndarray, minima: tuple[Minimum, ...], radius: float
) -> np.ndarray:
    """Label endpoints (B, 2): index of the minimum within ``radius``, else MOVING; DIVERGED where
    ``diverged`` (B,) is set. Wraps the race's ``classify_endpoints`` (vectorized over B)."""
    steps = np.where(np.asarray(diverged, dtype=bool), 0, -1)
    codes, idx = classify_endpoints(np.asarray(final, dtype=float), steps, minima, radius)
    labels = np.where(codes == KIND_CODES["diverged"], DIVERGED, idx)
    return np.where((codes == KIND_CODES["moving"]), MOVING, labels).astype(int)


def steps_to_global(points: np.ndarray, minima: tuple[Minimum, ...], radius: float,
                    only: np.ndarray | None = None, chunk: int = 64,
                    target: np.ndarray | None = None) -> np.ndarray:
    """First step at which each path of ``points`` (steps+1, B, 2) is within ``radius`` of a global
    minimum; -1 if never. ``only`` (B,) bool restricts the work to those paths (others get -1).
    ``target`` (B,) optionally names, per path, the one minimum to test (the one it ends in):
    one distance per point instead of one per global minimum.

    Scans the steps in chunks, per coordinate on (chunk, B) slices, and stops as soon as every
    path has arrived: no (steps+1, B, 2) temporaries, and converged batches cost a few chunks.
    """
    B = points.shape[1]
    first = np.full(B, -1, dtype=int)
    todo = np.ones(B, dtype=bool) if only is None else np.asarray(only, dtype=bool).copy()
    pts = np.array([m.point for m in minima], dtype=float).reshape(-1, 2)
    globals_ = [k for k, m in enumerate(minima) if m.is_global]
    r2 = radius * radius
    for t0 in range(0, points.shape[0], chunk):
        cols = np.flatnonzero(todo)
        if cols.size == 0 or not globals_:
            break
        block = points[t0 : t0 + chunk, cols]
        px, py = block[..., 0], block[..., 1]
        with np.errstate(invalid="ignore", over="ignore"):
            if target is not None:
                goal = pts[np.asarray(target)[cols]]
                inside = (px - goal[:, 0]) ** 2 + (py - goal[:, 1]) ** 2 <= r2
            else:
                inside = np.zeros(px.shape, dtype=bool)
                for k in globals_:
                    inside |= (px - pts[k, 0]) ** 2 + (py - pts[k, 1]) ** 2 <= r2
        hit = inside.any(axis=0)
        first[cols[hit]] = t0 + np.argmax(inside[:, hit], axis=0)
        todo[cols[hit]] = False
    return first


@dataclass(frozen=True)
class BasinStats:
    """Summary of a batch of paths: share that reached the global minimum and what it cost."""

    optimizer: str
    success_rate: float
    median_steps: float  # NaN when no path reached the global minimum
    median_evaluations: float  # evaluations (the article's trials) used to get there; NaN if none
    evaluations_per_path: int  # evaluations used by a full run of one path
    counts: dict[int, int]  # label -> number of paths
    hparams: tuple[tuple[str, Any], ...] = ()  # the settings it ran with, where a table shows them


def _span(values: Sequence[float], fmt: str) -> str:
    lo, hi = min(values), max(values)
    return format(lo, fmt) if format(lo, fmt) == format(hi, fmt) else \
        f"{format(lo, fmt)}–{format(hi, fmt)}"


#: Random search's share counts as geometry's (``sampling_share``) when at least this much of it.
ODDS_KEPT = 0.8


def sampling_share(domain: Domain, targets: np.ndarray, tol: float, tries: int,
                   n: int = 1001) -> tuple[float, float]:
    """Random search's odds from geometry alone: the chance ``p`` that one uniform try on the
    map lands within ``tol`` of one of ``targets`` (the share of an n x n grid of the map that
    does: the discs' area over the map's, edges and overlaps included), and the share of starts
    from which at least one of ``tries`` tries lands there, 1 - (1 - p)^tries. It samples the
    map without looking at the slopes: 0.14 % a try, ~34 % in 300 tries, on any square map with
    one global minimum inside (a review measured random search arriving from 34.2, 34.2 and
    33.4 % of starts on Two basins, Easom and Booth; less where a lower try elsewhere wins)."""
    targets = np.asarray(targets, dtype=float).reshape(-1, 2)
    if not len(targets):
        return 0.0, 0.0
    (x0, x1), (y0, y1) = domain
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    near = np.zeros((n, n), dtype=bool)
    for tx, ty in targets:
        near |= (xs[None, :] - tx) ** 2 + (ys[:, None] - ty) ** 2 <= tol * tol
    p = float(near.mean())
    return p, 1.0 - (1.0 - p) ** max(int(tries), 0)


def sampling_cost(gradient: Sequence[BasinStats], sampler: BasinStats | None,
                  trier: BasinStats | None = None,
                  odds: tuple[float, float] | None = None) -> str:
    """What random search's trials bought here against the gradient methods' (the study note's
    "trial and error"), from the numbers: how often each arrives and the median trials it takes.
    A caption said it "pays with many more trials" beside a table where, on Rosenbrock, it
    needed fewer than Adam. With ``trier`` (random local search) the note's own comparison too,
    trial and error walking against sampling; with ``odds`` (``sampling_share``) what geometry
    alone predicts for random search: its share is the target's size against the map's, not a
    property of the landscape's slopes. "" without random search or gradient methods."""
    if sampler is None or not gradient:
        return ""
    mine = (f"from {100 * sampler.success_rate:.1f}% of its starts"
            + (f", in a median of {plural(sampler.median_evaluations, 'trial')}"
               if np.isfinite(sampler.median_evaluations) else ""))
    arrived = [g.median_evaluations for g in gradient if np.isfinite(g.median_evaluations)]
    one = len(gradient) == 1
    theirs = (f"the gradient method{'' if one else 's'} from "
              f"{_span([100 * g.success_rate for g in gradient], '.1f')}% of "
              + ("its starts" if one else "their starts")
              + (f", in {'a median' if len(arrived) == 1 else 'medians'} of "
                 f"{_span(arrived, '.0f')}" if arrived else ""))
    out = f"Here random search arrives {mine}; {theirs}."
    more_often = sampler.success_rate > max(g.success_rate for g in gradient)
    dearer = bool(arrived) and sampler.median_evaluations > max(arrived)
    if more_often and dearer:
        out += " Sampling the whole map arrives more often, and pays with more trials."
    elif more_often:
        out += " Sampling the whole map beats walking here."
    if odds is not None:
        p, share = odds
        tries = plural(sampler.evaluations_per_path - 1, "try", "tries")
        landing = (f"each try lands within the tolerance of a global minimum with chance "
                   f"{100 * p:.2g}% (the area within it over the map's), so at least one of "
                   f"{tries} does from about {100 * share:.0f}% of starts")
        if sampler.success_rate >= ODDS_KEPT * share:
            out += f" That is geometry, not the slopes: {landing}."
        else:  # Rosenbrock: 8.7 % against 35 %, its floor far off lower than the disc's rim
            out += (f" Geometry alone says {landing}; it arrives less often because its best "
                    "find is the lowest try, and a try far from the minimum (on a long flat "
                    "valley floor, or deep in another basin) can be lower than one at the "
                    "tolerance's edge.")
    if trier is not None:
        out += (f" Random local search, trial and error one small step at a time, arrives from "
                f"{100 * trier.success_rate:.1f}% of its starts"
                + (f", in a median of {plural(trier.median_evaluations, 'trial')}"
                   if np.isfinite(trier.median_evaluations) else "") + ".")
    return out


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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """One batched run of ``name`` from every start (B, 2); returns (labels, first, evaluations,
    radius). Only where each path ends is kept (``run_endpoints``: O(B) memory, any steps), with
    the first step it came within the radius of each global minimum."""
    optimizer = get_optimizer(name, **dict(hparams or {}))
    radius = capture_radius(surface.domain)
    globals_ = [k for k, m in enumerate(surface.minima) if m.is_global]
    targets = np.array([surface.minima[k].point for k in globals_], dtype=float).reshape(-1, 2)
    ends = run_endpoints(optimizer, surface, starts, steps, targets=targets, radius=radius,
                         seed=seed, noise=noise, domain=surface.domain)
    labels = classify(ends.final, ends.diverged_step >= 0, surface.minima, radius)
    # the first arrival at the global minimum each path ends in (-1 for every other path)
    column = np.full(len(surface.minima) + 2, -1)  # labels -1/-2 index the last two entries
    column[globals_] = np.arange(len(globals_))
    which = column[labels]
    first = np.where(which >= 0, ends.first_within[np.arange(labels.size), np.maximum(which, 0)],
                     -1)
    return labels, first, ends.evaluations, radius


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


def baseline_hparams(name: str, surface: Surface) -> dict[str, Any]:
    """The race's preset settings of baseline ``name`` on ``surface``: random local search's step
    is the map's diagonal / 40 (0.2-0.5 on the built-in maps), not the registry's 0.1, so the
    table's row is the run a visitor sees in the race."""
    from app_pages.common.presets import preset_for  # presets imports this module

    return dict(preset_for(surface.name, surface, {name: OPTIMIZERS[name]}).hparams.get(name, {}))


def baseline(
    name: str, surface: Surface, starts: np.ndarray, steps: int, *, seed: int = 0,
    hparams: Mapping[str, Any] | None = None,
) -> BasinStats:
    """Run a gradient-free baseline (``random_search`` / ``random_local_search``) from the same
    starts with the same step budget; count its trials. Settings: ``hparams``, else the race's
    preset for the surface (``baseline_hparams``); the stats carry them."""
    hp = dict(baseline_hparams(name, surface) if hparams is None else hparams)
    labels, first, evaluations, _ = run_starts(name, surface, starts, steps, hparams=hp,
                                               seed=seed)
    stats = summarize(name, labels, first, evaluations, surface.minima)
    return replace(stats, hparams=tuple(sorted(hp.items())))


def baseline_label(stats: BasinStats) -> str:
    """A baseline's row in the table, with the step it took: "Random local search (step 0.3,
    baseline)"."""
    step = dict(stats.hparams).get("step_size")
    said = "" if step is None else f"step {format_value(step)}, "
    return f"{OPTIMIZERS[stats.optimizer].display_name} ({said}baseline)"


def default_hparams(surface: str, names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The race's preset hyperparameters for ``names`` on ``surface`` (same rates as the race)."""
    from app_pages.common.presets import preset_for

    preset = preset_for(surface, landscape.get_surface(surface), OPTIMIZERS)
    return {n: {h.name: preset.hparams.get(n, {}).get(h.name, h.default)
                for h in OPTIMIZERS[n].hparams} for n in names}


def compute_all(surface: str, optimizers: tuple[str, ...], n: int, steps: int, seed: int = 0,
                noise: float = 0.0, hparams: Mapping[str, Mapping[str, Any]] | None = None,
                ) -> tuple[list[BasinMap], list[BasinStats]]:
    """Everything the basins page computes: one map per optimizer and both baselines."""
    surf = landscape.get_surface(surface)
    hp = hparams or default_hparams(surface, optimizers)
    maps = [basin_map(o, surf, n, steps, hparams=hp[o], seed=seed, noise=noise)
            for o in optimizers]
    _, _, starts = start_grid(surf.domain, min(n, BASELINE_SIDE))
    baselines = [baseline(b, surf, starts, steps, seed=seed) for b in BASELINES]
    return maps, baselines

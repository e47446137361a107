"""The learning-rate lab's fair tuner (``tune_learning_rate``) and its words (``tune_note``).

"Fair" tuning ranks rates by the loss at the END of the chosen number of steps (the quantity a user
cares about), not by progress after a short run, which favours rates that start fast and then
bounce. Each rate also runs from the 8 starts one click of the page's start inputs around the chosen
one (``nearby_starts``) and is scored by the worse of its final loss from the chosen start (the
race runs from there) and the median over all nine: a rate that wins only from exactly one start
(a lucky first stride that happens to land in a deep valley) does not win, and a rate that blows
up from any of the nine does not win while another blows up from none (a median of nine hid four
blow-ups: a review's Beale SGD rate diverged from 4 of 9 starts). Ties (several rates
reach the same score to rounding) go to the rate with the smaller area under the loss curve,
scored the same way, i.e. the one that got there sooner. The nine starts of every rate run
together, in one batched run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from app_pages.common.lab import (
    TIE_RTOL,
    TOL,
    Sweep,
    _as_sweep,
    edge_note,
    keeps_much,
    leap_note,
    log_rates,
    loss_floor,
    lost,
    lr_bounds,
    noise_draws,
    range_edge,
    seeded_runs,
)
from app_pages.common.words import plural
from optimizers import get_optimizer, run
from optimizers.trajectory import Trajectory

#: How far the tuner's extra starts sit from the chosen one: this fraction of the domain's width and
#: height, one click of the page's start inputs (``controls.start_inputs`` steps by 1 %).
NEARBY = 0.01
#: Path-steps (paths x (steps + 1)) of one batched tuning run; beyond it the rates run in blocks,
#: so memory stays bounded (about 32 bytes per path-step in 2D) while results are unchanged.
TUNE_PATH_STEPS = 1_000_000


def nearby_starts(start: np.ndarray, domain: Any = None, fraction: float = NEARBY) -> np.ndarray:
    """The chosen ``start`` (first row), then starts one small step away from it, (K, D).

    In 2D: the 8 neighbours (axes and diagonals) at ``fraction`` of the domain's width and height,
    the grid step of the page's start inputs. A neighbour that would leave the domain is mirrored
    to the other side of the start, and one that then repeats another is dropped (near an edge
    or in a corner K < 9). Other dimensions (or no domain): +- ``fraction`` x
    max(|x_i|, 1) along each axis (2D starts).
    """
    start = np.asarray(start, dtype=float).reshape(-1)
    d = start.size
    if domain is not None and d == 2:
        lo = np.array([domain[0][0], domain[1][0]], dtype=float)
        hi = np.array([domain[0][1], domain[1][1]], dtype=float)
        size = fraction * (hi - lo)
        dirs = np.array([[1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1], [0, -1], [1, -1]],
                        dtype=float)
    else:
        lo, hi = np.full(d, -np.inf), np.full(d, np.inf)
        size = fraction * np.maximum(np.abs(start), 1.0)
        dirs = np.concatenate([np.eye(d), -np.eye(d)])
    near = start + dirs * size
    outside = (near < lo) | (near > hi)
    near = np.where(outside, start - dirs * size, near)
    # In a corner, mirrored neighbours coincide ((-3, -2) on the six-hump camel had 4 distinct
    # starts of 9): each is run and counted once (a review found one blow-up counted twice).
    rows = np.vstack([start, near])
    _, first = np.unique(rows, axis=0, return_index=True)
    return rows[np.sort(first)]


@dataclass(frozen=True)
class Robust:
    """R rates, each run from the same K starts (the chosen start first): final gap and area
    under the gap curve per rate and run, (R, draws + K - 1); inf where a path diverged or ended
    off the map. The first ``draws`` columns are the chosen start under ``draws`` seeds (the
    page's first: one column without noise), then the K - 1 starts around it."""

    lrs: np.ndarray
    starts: np.ndarray
    final_gap: np.ndarray
    area: np.ndarray
    draws: int = 1

    @property
    def median_gap(self) -> np.ndarray:
        """(R,) the typical final gap around the chosen start (every start and draw)."""
        return np.median(self.final_gap, axis=1)

    @property
    def start_gap(self) -> np.ndarray:
        """(R,) the final gap from the chosen start: its median over the noise draws (its one
        run without noise)."""
        return np.median(self.final_gap[:, :self.draws], axis=1)

    @property
    def blown(self) -> np.ndarray:
        """(R,) in how many of its runs (the K starts, and the noise draws) each rate diverged
        or ended off the map (its final gap is inf)."""
        return np.count_nonzero(~np.isfinite(self.final_gap), axis=1)

    @property
    def score(self) -> np.ndarray:
        """(R,) what the tuner minimises: the worse of the final gap from the chosen start (the
        race runs from there; with noise, its median over the draws: a win on one draw is luck
        of the noise) and the median over all K starts (a win from the chosen start alone is
        luck of the start, not a good rate)."""
        return np.maximum(self.start_gap, self.median_gap)

    @property
    def tie_area(self) -> np.ndarray:
        """(R,) the tie-break, on the same terms: the worse of the chosen start's area under the
        gap curve (median over the draws) and the median area."""
        return np.maximum(np.median(self.area[:, :self.draws], axis=1),
                          np.median(self.area, axis=1))


def robust_index(centre: Sweep, robust: Robust) -> int:
    """The rate with the lowest ``Robust.score``; ties (within TIE_RTOL of the start's gap) go to
    the smaller ``Robust.tie_area`` (it got there sooner). A rate that diverges from the chosen
    start (or leaves the map from it) never wins, nor does one that diverges from any start
    while some eligible rate diverges from none (else the fewest blow-ups win). -1 if no rate
    is eligible."""
    score = robust.score
    ok = centre.on_map & np.isfinite(centre.final_gap) & np.isfinite(score)
    if not ok.any():
        return -1
    ok &= robust.blown == np.min(robust.blown[ok])
    scale = float(np.nanmax(np.abs(centre.gap[0]))) if np.isfinite(centre.gap[0]).any() else 1.0
    tied = ok & (score <= np.min(score[ok]) + TIE_RTOL * max(scale, 1e-300))
    area = np.where(tied, robust.tie_area, np.inf)
    if np.all(np.isinf(area)):
        return int(np.flatnonzero(tied)[0])
    return int(np.argmin(area))


def robust_sweep(name: str, objective: Any, starts: np.ndarray, steps: int, lrs: np.ndarray, *,
                 hparams: Mapping[str, Any] | None = None, seed: int = 0, noise: float = 0.0,
                 batch_size: int | None = None, tol: float = TOL) -> tuple[Sweep, Robust]:
    """Every rate of ``lrs`` (R,) from every start of ``starts`` (K, D), as ONE batched run of
    R x K paths (blocks of rates beyond ``TUNE_PATH_STEPS``): the ``Sweep`` of the first start
    (full paths, as ``sweep`` gives) and the ``Robust`` final gaps and areas of all K. Where the
    run is stochastic (``noise_draws``), each rate also runs from the chosen start under the
    seeds ``seed + 1 ...`` (one more batched run of R paths each)."""
    lrs = np.asarray(lrs, dtype=float).reshape(-1)
    starts = np.asarray(starts, dtype=float)
    k = starts.shape[0]
    draws = noise_draws(noise, batch_size, getattr(objective, "n_samples", None))
    params = {key: v for key, v in dict(hparams or {}).items() if key != "lr"}
    floor = loss_floor(objective)
    per_block = max(1, TUNE_PATH_STEPS // (k * (steps + 1)))

    def judged(traj: Trajectory, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
        """Final gaps and areas (n rates, m starts) of a run, inf where a path diverged or
        ended off the map (McCormick falls below its minimum there: 3 of 9 starts off the map
        counted as gaps of 0, and the median shown was 0)."""
        losses = np.asarray(traj.losses, dtype=float).reshape(steps + 1, n, m)
        gone = np.logical_or(*lost(traj, getattr(objective, "domain", None))).reshape(n, m)
        with np.errstate(invalid="ignore", over="ignore"):
            gap = np.maximum(losses - floor, 0.0)
            # summed along each path's own contiguous row: the same bits whatever the batch's
            # size (a sum down axis 0 rounded differently for a block of 2 rates and one of 7)
            area = np.ascontiguousarray(np.moveaxis(gap, 0, -1)).sum(axis=-1)
        final = gap[-1]
        return (np.where(gone | ~np.isfinite(final), np.inf, final),
                np.where(gone | ~np.isfinite(area), np.inf, area))

    pieces, finals, areas = [], [], []
    for b in range(0, lrs.size, per_block):
        block = lrs[b:b + per_block]
        opt = get_optimizer(name, lr=np.repeat(block, k)[:, None], **params)
        traj = run(opt, objective, np.tile(starts, (block.size, 1)), steps, seed=seed,
                   noise=noise, batch_size=batch_size)
        final, area = judged(traj, block.size, k)
        # rate r from the chosen start under seeds seed + 1 ... (the noise draws; none without)
        more = [judged(t, block.size, 1) for t in seeded_runs(
            lambda n, block=block: get_optimizer(name, lr=np.tile(block, n)[:, None], **params),
            objective, np.tile(starts[0], (block.size, 1)), steps, range(seed + 1, seed + draws),
            noise, batch_size)]
        finals.append(np.hstack([final[:, :1], *(f for f, _ in more), final[:, 1:]]))
        areas.append(np.hstack([area[:, :1], *(a for _, a in more), area[:, 1:]]))
        # path r * k + 0: rate r from the chosen start
        pieces.append(replace(traj.path(slice(0, None, k)), hparams={}))
        del traj
    centre = pieces[0] if len(pieces) == 1 else replace(
        pieces[0], points=np.concatenate([p.points for p in pieces], axis=1),
        losses=np.concatenate([p.losses for p in pieces], axis=1),
        diverged_step=np.concatenate([p.diverged_step for p in pieces]),
        lr=np.concatenate([p.lr for p in pieces], axis=1))
    return (_as_sweep(name, lrs, centre, objective, tol),
            Robust(lrs, starts, np.concatenate(finals), np.concatenate(areas), draws))


@dataclass(frozen=True)
class Tuned:
    """The tuner's answer for one optimizer.

    ``lr``: the rate with the best ``Robust.score`` over ``starts`` (the chosen start and its
    neighbours); ``final_gap``: its final gap from the chosen start (what the race will show);
    ``median_gap``: its median over all the starts. ``single_lr`` / ``single_gap``: the rate that
    would win judged from the chosen start alone, and its final gap there (for comparison: when it
    differs, its win was luck of the start). ``first_step``: how far the tuned rate's first step
    goes from the chosen start; ``edge``: ``range_edge`` of ``lr`` in the range searched;
    ``blown``: from how many of the starts it diverged or ended off the map (0 unless every rate
    did from some);
    ``start_gap``: the chosen start's own gap, which a trapped rate keeps much of;
    ``single_blown``: the same count for ``single_lr``; ``draws``: the noise draws each rate
    ran under from the chosen start (``noise_draws``), and ``draws_gap`` the tuned rate's median
    final gap over them (``final_gap`` is the page's seed's draw: what the race shows). Only
    these numbers: the page keeps every optimizer's answer in its session, and with the two
    sweeps (each rate's whole path) 8 optimizers at 100 rates x 2,000 steps held 128 MB per
    visitor.
    """

    optimizer: str
    lr: float | None
    final_gap: float
    median_gap: float = float("inf")
    starts: int = 1
    single_lr: float | None = None
    single_gap: float = float("inf")
    single_median_gap: float = float("inf")
    first_step: float = 0.0
    edge: str = ""
    blown: int = 0
    start_gap: float = float("inf")
    single_blown: int = 0
    draws: int = 1
    draws_gap: float = float("inf")

    def blown_words(self, blown: int) -> str:
        """"from 2 of the 9 starts"; with noise draws, "in 2 of the 16 runs"."""
        if self.draws == 1:
            return f"from {blown} of the {plural(self.starts, 'start')}"
        return f"in {blown} of the {self.starts + self.draws - 1} runs"


def tune_learning_rate(
    name: str,
    objective: Any,
    start: np.ndarray,
    steps: int,
    *,
    lo: float | None = None,
    hi: float | None = None,
    n: int = 60,
    refine: bool = True,
    nearby: bool = True,
    **run_kwargs: Any,
) -> Tuned:
    """Best ``lr`` for ``name`` by final loss after ``steps`` steps: a coarse log sweep over
    [lo, hi] (default: the registry's range), then a fine sweep between the winner's neighbours.

    With ``nearby`` every rate is also run from the 8 ``nearby_starts`` around the start and
    ranked by ``Robust.score`` (the worse of its final gap from the start and its median over
    the nine; ties by area, the same way); without it, from the start alone (final gap, ties by
    area: the old rule, which a lucky first stride could win). One batched run per sweep, two
    in total.
    """
    reg_lo, reg_hi = lr_bounds(name)
    lo = reg_lo if lo is None else max(lo, reg_lo)
    hi = reg_hi if hi is None else min(hi, reg_hi)
    start = np.asarray(start, dtype=float).reshape(-1)
    starts = (nearby_starts(start, getattr(objective, "domain", None)) if nearby
              else start[None, :])

    def judged(lrs: np.ndarray) -> tuple[Sweep, Robust, int]:
        s, r = robust_sweep(name, objective, starts, steps, lrs, **run_kwargs)
        return s, r, robust_index(s, r)

    coarse, c_robust, c_best = judged(log_rates(lo, hi, n))
    if c_best < 0:
        return Tuned(name, None, float("inf"), starts=len(starts))
    runs = [(coarse, c_robust)]
    winner = (coarse, c_robust, c_best)
    if refine and n > 2:
        f_lo = coarse.lrs[max(c_best - 1, 0)]
        f_hi = coarse.lrs[min(c_best + 1, n - 1)]
        fine, f_robust, f_best = judged(log_rates(f_lo, f_hi, n))
        runs.append((fine, f_robust))
        if f_best >= 0 and _beats((f_robust, f_best), (c_robust, c_best)):
            winner = (fine, f_robust, f_best)
    s, r, b = winner
    # what judging from the chosen start alone picks (each sweep's own best), for comparison
    alone = [(sw, rb) for sw, rb in runs if sw.best >= 0]
    single, single_r = min(alone, key=lambda t: (float(t[0].final_gap[t[0].best]),
                                                 float(np.sum(t[0].gap[:, t[0].best]))))
    pts = np.asarray(s.trajectory.points)
    first_step = float(np.linalg.norm(pts[min(1, len(pts) - 1), b] - pts[0, b]))
    return Tuned(
        name, float(s.lrs[b]), float(s.final_gap[b]), median_gap=float(r.median_gap[b]),
        starts=len(starts),
        single_lr=float(single.lrs[single.best]),
        single_gap=float(single.final_gap[single.best]),
        single_median_gap=float(single_r.median_gap[single.best]), first_step=first_step,
        edge=range_edge(float(s.lrs[b]), lo, hi), blown=int(r.blown[b]),
        start_gap=float(s.gap[0, b]), single_blown=int(single_r.blown[single.best]),
        draws=r.draws, draws_gap=float(r.start_gap[b]))


def _beats(a: tuple[Robust, int], b: tuple[Robust, int]) -> bool:
    """Whether rate ``a[1]`` of ``a[0]`` is at least as good as rate ``b[1]`` of ``b[0]``:
    fewer starts blown up from (``Robust.blown``), then ``Robust.score``, then
    ``Robust.tie_area``."""
    (ra, ia), (rb, ib) = a, b
    if ra.blown[ia] != rb.blown[ib]:
        return bool(ra.blown[ia] < rb.blown[ib])
    fa, fb = ra.score[ia], rb.score[ib]
    if fa != fb:
        return bool(fa < fb)
    return bool(ra.tie_area[ia] <= rb.tie_area[ib])


#: A tuned rate whose final gap is below the sweeps' tolerance is at the minimum: another rate
#: ending lower from the chosen start alone is no news.
LUCK_GAP = TOL


def tune_note(t: Tuned, diagonal: float | None = None) -> str:
    """Plain words beside a tuned rate: when even it keeps over ``POOR_SHARE`` of the start's
    gap (every rate is trapped: the tuned one is merely the quickest into the trap), when it
    blows up from some of the starts (every rate in the range does), when it is an end of the
    range searched (``edge_note``), when it only looks good from one start, and when its first
    step is a jump across the map rather than a walk (``diagonal``: the map's)."""
    if t.lr is None:  # none eligible: blown up, or off the map (McCormick's Adam at 1-100)
        return "every rate diverged or left the map"
    notes = []
    # trapped: the tuned rate, and even the best from the chosen start alone (a rate may get
    # there from it and still lose on the starts around it, or on their blow-ups)
    if keeps_much(t.final_gap, t.start_gap) and keeps_much(t.single_gap, t.start_gap):
        keeps = f"even this rate keeps {t.final_gap / t.start_gap:.0%} of the start's loss gap"
        if t.edge == "largest":  # Booth in 10 steps at 1e-5..1e-3: too small, not trapped
            notes.append(f"{keeps}: the largest rate tried does best, so the rates are too small "
                         "(or the run too short) to get near the global minimum")
        else:
            notes.append(f"{keeps}: no rate in the range gets near the global minimum from here "
                         "(a local minimum or a flat stretch holds them all), so it is only the "
                         "best of trapped rates; the basins page shows the starts from which one "
                         "gets there")
    if t.blown:
        notes.append(f"it blows up or leaves the map {t.blown_words(t.blown)}, as every rate "
                     "in the range that stays on the map from your start does from at least "
                     "one: no rate here is safe around this start")
    notes += [edge_note(t.edge, t.lr)] if t.edge else []
    if diagonal and (leap := leap_note(t.first_step, diagonal)):
        notes.append(f"its {leap}")
    # Only a real difference: under half the tuned gap, and the tuned rate not already at the
    # minimum (RMSprop's 5.45 against 5.46 was called luck).
    if (t.single_lr is not None and not np.isclose(t.single_lr, t.lr, rtol=1e-9, atol=0)
            and t.single_gap < 0.5 * t.final_gap and t.final_gap > LUCK_GAP):
        luck = "the start" if t.draws == 1 else "the start and the noise"
        over = (f"{t.starts} starts" if t.draws == 1
                else f"{t.starts} starts and {t.draws} noise draws")
        but = (f"it blows up or leaves the map {t.blown_words(t.single_blown)}"
               if t.single_blown > t.blown
               else f"that is luck of {luck}: its median over the {over} is "
                    f"{t.single_median_gap:.3g}")
        notes.append(f"from your start alone lr {t.single_lr:.4g} ends lower "
                     f"({t.single_gap:.3g}), but {but}")
    return "; ".join(notes)

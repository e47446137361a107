"""The learning-rate lab's computation: batched sweeps over learning rates and a fair tuner.

Pure NumPy on top of ``optimizers.run``: no Streamlit, no Plotly. A sweep of R rates is ONE batched
run: the start is repeated R times and the optimizer gets ``lr`` as an (R, 1) column, one rate per
path, broadcast over the parameter axis.

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

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from app_pages.common.words import plural
from landscape.base import inside
from optimizers import OPTIMIZERS, get_optimizer, get_schedule, run
from optimizers.trajectory import Trajectory

#: A final loss within this (relative to the start's loss gap) of the best counts as a tie.
TIE_RTOL = 1e-9


def log_rates(lo: float, hi: float, n: int) -> np.ndarray:
    """``n`` learning rates log-spaced from ``lo`` to ``hi`` inclusive: lo * (hi/lo)^(i/(n-1))."""
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo <= hi):
        raise ValueError(f"need 0 < lo <= hi, got lo={lo}, hi={hi}")
    if n < 1:
        raise ValueError(f"need at least one rate, got n={n}")
    return np.geomspace(lo, hi, n) if n > 1 else np.array([float(lo)])


def tunable(name: str) -> bool:
    """Whether optimizer ``name`` has a learning rate ``lr`` to sweep."""
    spec = OPTIMIZERS[name]
    return any(h.name == "lr" for h in spec.hparams)


def lr_bounds(name: str) -> tuple[float, float]:
    """The registry's allowed range for ``name``'s learning rate."""
    h = OPTIMIZERS[name].hparam("lr")
    return float(h.min), float(h.max)


def loss_floor(objective: Any) -> float:
    """The objective's known global minimum value (0 when unknown): gaps are measured from it."""
    value = getattr(objective, "min_value", None)
    return float(value) if value is not None and np.isfinite(value) else 0.0


def first_step_below(gaps: np.ndarray, tol: float) -> np.ndarray:
    """Index of the first row where ``gaps <= tol``, per column of (steps+1, B); -1 if never."""
    with np.errstate(invalid="ignore"):
        hit = gaps <= tol
    first = np.argmax(hit, axis=0)
    return np.where(hit.any(axis=0), first, -1)


#: A sweep's tolerance on the final loss gap: "steps to tolerance" counts the steps to get under
#: it, and the tuner calls a rate at the minimum below it.
TOL = 1e-6


@dataclass(frozen=True)
class Sweep:
    """One optimizer run at R learning rates from the same start (one batched run).

    ``gap`` is loss - f_min per step and rate (steps+1, R); ``final_gap`` the last row.
    ``steps_to_tol``: first step with gap <= tol; ``diverged_step`` from the run (-1: never).
    ``off_map``: the path ends outside the objective's domain (flew off the map without
    diverging). ``best`` indexes the best rate that neither diverged nor left the map (-1 if
    none). A ``light`` copy keeps no paths (``trajectory`` None) and only the last row of
    ``gap``.
    """

    optimizer: str
    lrs: np.ndarray
    gap: np.ndarray
    steps_to_tol: np.ndarray
    diverged_step: np.ndarray
    tol: float
    best: int
    trajectory: Trajectory | None
    off_map: np.ndarray
    #: (R,) the length of each rate's first step (a ``light`` copy keeps it: the sweep's best
    #: can be a leap across the map, as the tuner's can)
    first_step: np.ndarray | None = None

    @property
    def final_gap(self) -> np.ndarray:
        return self.gap[-1]

    def light(self) -> Sweep:
        """The numbers the sweep figure and table show, without every rate's whole path:
        100 rates x 2,000 steps hold ~10 MB, and a page's variables outlive its run (the
        widget callbacks it defines keep its namespace alive for the session), so each
        visitor kept their own unpickled copy of 8 such sweeps, ~65 MB."""
        return replace(self, gap=self.gap[-1:].copy(), trajectory=None)  # a view keeps it all

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_step >= 0

    @property
    def left_map(self) -> np.ndarray:
        """(R,) rates whose walker ended off the map without diverging."""
        return self.off_map & ~self.diverged

    @property
    def on_map(self) -> np.ndarray:
        """(R,) rates that neither diverged nor ended off the map: the ones that can be best
        (the curves of ``viz.sweep`` draw the same ones)."""
        return ~(self.diverged | self.off_map)

    @property
    def best_lr(self) -> float | None:
        return float(self.lrs[self.best]) if self.best >= 0 else None

    @property
    def edge(self) -> str:
        """``range_edge`` of the best rate: "smallest", "largest" or ""."""
        return range_edge(self.best_lr, float(self.lrs[0]), float(self.lrs[-1]))


#: Rates count as nearly as good as the best when their final gap is within this factor of it.
GOOD_FACTOR = 10.0


def good_rates(s: Sweep, factor: float = GOOD_FACTOR) -> tuple[int, int] | None:
    """Indices (first, last) of the unbroken run of rates around the best whose final gap is at
    most ``factor`` times the best's, or under the tolerance ``s.tol``, and that neither diverged
    nor left the map: how far the rate may be off and still do nearly as well (how sensitive
    the optimizer is to it). None if no rate is best."""
    if s.best < 0:
        return None
    bar = max(factor * float(s.final_gap[s.best]), s.tol)
    good = (s.final_gap <= bar) & s.on_map
    first = last = s.best
    while first > 0 and good[first - 1]:
        first -= 1
    while last < s.lrs.size - 1 and good[last + 1]:
        last += 1
    return first, last


#: A best final gap above this share of the start's gap is no success to be forgiving about.
POOR_SHARE = 0.1


def keeps_much(gap: float, start_gap: float) -> bool:
    """Whether a final ``gap`` keeps over ``POOR_SHARE`` of a finite, positive ``start_gap``:
    the rate got nowhere near the minimum (trapped, or every rate fails alike)."""
    return 0 < start_gap < np.inf and gap > POOR_SHARE * start_gap


def good_rates_text(s: Sweep, start_gap: float) -> str:
    """``good_rates`` as table text: "0.001–0.03 (30× wide)", "≤" or "≥" where the run reaches
    an end of the swept range (it may go on beyond), "only the best" for a run of one. Where
    even the best rate keeps over ``POOR_SHARE`` of ``start_gap`` (the start's gap), it says
    that instead: every rate failing alike read as the most forgiving optimizer (a review:
    RMSprop on Rosenbrock, "10⁵× wide" at a best gap of 5.5)."""
    run = good_rates(s)
    if run is None:
        return "—"
    best = float(s.final_gap[s.best])
    if keeps_much(best, start_gap):
        return f"— (the best keeps {best / start_gap:.0%} of the start's gap)"
    first, last = run
    if first == last:
        return "only the best"
    lo, hi = float(s.lrs[first]), float(s.lrs[last])
    left = ("≤" if first == 0 else "") + f"{lo:.2g}"
    right = ("≥" if last == s.lrs.size - 1 else "") + f"{hi:.2g}"
    ratio = float(f"{hi / lo:.2g}")  # two significant digits: 3162 reads 3,200
    return f"{left}–{right} ({ratio:,.{1 if ratio < 10 else 0}f}× wide)"


#: A smaller rate that blew up within this factor below the best is "beside" it.
UNSTABLE_FACTOR = 2.0


def unstable_note(s: Sweep) -> str:
    """Words for a best rate with a smaller rate that blew up beside it, within
    ``UNSTABLE_FACTOR`` below it (Rosenbrock's SGD best 0.00231 sat between blown-up 0.00183
    and 0.00292, a review): stability is not monotone in the rate there, and a rate a little off
    the best may blow up. "" else."""
    if s.best < 0:
        return ""
    near = s.lrs >= s.lrs[s.best] / UNSTABLE_FACTOR
    below = s.lrs[:s.best][(s.diverged & near)[:s.best]]
    if not below.size:
        return ""
    return (f"a smaller rate ({float(below[-1]):.3g}) blew up, so a rate a little off the best "
            "may blow up too")


def range_edge(lr: float | None, lo: float, hi: float) -> str:
    """Which end of the searched range [lo, hi] the chosen ``lr`` is: "smallest", "largest", or
    "" inside it (or none chosen). A best rate at an end was only compared with rates on one
    side of it: the loss may keep falling beyond the range, so the range should be widened."""
    if lr is None or lo == hi:
        return ""
    if np.isclose(lr, hi, rtol=1e-9, atol=0):
        return "largest"
    return "smallest" if np.isclose(lr, lo, rtol=1e-9, atol=0) else ""


#: The rates the lab's range sliders allow.
LR_LIMITS = (1e-5, 100.0)


def edge_note(edge: str, lr: float | None = None, show: bool = True) -> str:
    """The words for a best rate ``lr`` at an end of its range (``range_edge``); "" for none.
    ``show``: write the rate. At an end of ``LR_LIMITS`` the range cannot be widened there."""
    if not edge:
        return ""
    value = "" if lr is None or not show else f", {lr:.4g}"
    end = LR_LIMITS[1] if edge == "largest" else LR_LIMITS[0]
    if lr is not None and np.isclose(lr, end, rtol=1e-9, atol=0):
        return f"best is the {edge} rate the lab tries{value}: the loss may still fall beyond it"
    return f"best is at the edge of the range (the {edge} rate tried{value}): widen it"


def best_index(gap: np.ndarray, out: np.ndarray) -> int:
    """Rank rates by final gap; ties (within TIE_RTOL of the start gap) go to the smaller area.

    ``gap`` is (steps+1, R). Paths marked ``out`` (diverged, or off the map) or with a non-finite
    gap never win; -1 if none is eligible.
    """
    final = gap[-1]
    ok = ~out & np.isfinite(final)
    if not ok.any():
        return -1
    best_final = np.min(final[ok])
    scale = float(np.nanmax(np.abs(gap[0]))) if np.isfinite(gap[0]).any() else 1.0
    tied = ok & (final <= best_final + TIE_RTOL * max(scale, 1e-300))
    with np.errstate(over="ignore", invalid="ignore"):
        area = np.where(tied, np.sum(gap, axis=0), np.inf)
    area = np.where(np.isfinite(area), area, np.inf)
    if np.all(np.isinf(area)):
        return int(np.flatnonzero(tied)[0])
    return int(np.argmin(area))


def sweep(
    name: str,
    objective: Any,
    start: np.ndarray,
    steps: int,
    lrs: np.ndarray,
    *,
    hparams: Mapping[str, Any] | None = None,
    seed: int = 0,
    noise: float = 0.0,
    batch_size: int | None = None,
    tol: float = TOL,
) -> Sweep:
    """Run optimizer ``name`` from ``start`` (D,) once per rate in ``lrs`` (R,), as one batched run.

    ``hparams`` are the other hyperparameters (``lr`` in it is ignored). Path r uses lr = lrs[r].
    """
    lrs = np.asarray(lrs, dtype=float).reshape(-1)
    start = np.asarray(start, dtype=float).reshape(-1)
    params = {k: v for k, v in dict(hparams or {}).items() if k != "lr"}
    optimizer = get_optimizer(name, lr=lrs[:, None], **params)
    starts = np.broadcast_to(start, (lrs.size, start.size)).copy()
    traj = run(optimizer, objective, starts, steps, seed=seed, noise=noise, batch_size=batch_size)
    return _as_sweep(name, lrs, traj, objective, tol)


def _as_sweep(name: str, lrs: np.ndarray, traj: Trajectory, objective: Any, tol: float) -> Sweep:
    """The ``Sweep`` of a batched run whose path r used rate ``lrs[r]``."""
    steps = traj.points.shape[0] - 1
    losses = np.asarray(traj.losses, dtype=float).reshape(steps + 1, lrs.size)
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.maximum(losses - loss_floor(objective), 0.0)
    diverged_step = np.asarray(traj.diverged_step).reshape(lrs.size)
    pts = np.asarray(traj.points, dtype=float).reshape(steps + 1, lrs.size, -1)
    off_map = ends_off_map(pts[-1], getattr(objective, "domain", None))
    first_step = np.linalg.norm(pts[min(1, steps)] - pts[0], axis=-1)
    return Sweep(
        optimizer=name,
        lrs=lrs,
        gap=gap,
        steps_to_tol=first_step_below(gap, tol),
        diverged_step=diverged_step,
        tol=tol,
        best=best_index(gap, (diverged_step >= 0) | off_map),
        trajectory=traj,
        off_map=off_map,
        first_step=first_step,
    )


def lost(traj: Trajectory, domain: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per path of ``traj`` (shaped as its ``diverged_step``): whether it diverged, and whether
    it ended off the map without diverging (``ends_off_map``): either way it reached nothing."""
    diverged = np.asarray(traj.diverged_step) >= 0
    ends = np.asarray(traj.points)[-1].reshape(-1, np.shape(traj.points)[-1])
    return diverged, ends_off_map(ends, domain).reshape(diverged.shape) & ~diverged


def ends_off_map(final: np.ndarray, domain: Any) -> np.ndarray:
    """(R,) whether each final point (R, 2) lies outside ``domain``; all False without a 2D
    domain. A path that flew off the map (a gentle slope out there: Easom's far field,
    McCormick's fall) can end lower than any on it, but it is not a rate to pick."""
    if domain is None or final.shape[-1] != 2:
        return np.zeros(len(final), dtype=bool)
    return ~inside(final, domain)


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


#: With gradient noise or minibatches one run is one draw of the noise, and the tuner's pick
#: fitted it: on the six-hump camel at noise 0.5, seeds 0-3 picked Adam 0.058, 0.016, 0.014 and
#: 0.014, and over 20 seeds 0.058 ended 8x worse than 0.014 (a review). The tuner then runs each
#: rate from the chosen start under this many seeds (the page's seed first) and judges the median.
NOISE_DRAWS = 8


def noise_draws(noise: float = 0.0, batch_size: int | None = None,
                samples: int | None = None) -> int:
    """How many draws of the noise the tuner judges a rate by: ``NOISE_DRAWS`` where the run is
    stochastic (gradient ``noise`` > 0, or minibatches smaller than the ``samples`` there are),
    else 1 (a batch of every sample is full-batch gradient descent: its 8 draws were equal)."""
    minibatches = batch_size is not None and (samples is None or batch_size < samples)
    return NOISE_DRAWS if noise > 0 or minibatches else 1


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
        more = [judged(t, block.size, 1) for t in _seeded_runs(
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


def _seeded_runs(make_opt: Callable[[int], Any], objective: Any, starts: np.ndarray, steps: int,
                 seeds: Sequence[int], noise: float, batch_size: int | None) -> list[Trajectory]:
    """The same run from ``starts`` ((D,) or (B, D)) under each of ``seeds``: one trajectory per
    seed, as a run of its own with that seed gives. With gradient noise all in one batched run
    (a seed per path: the same numbers at the cost of one run), with minibatches (shared by a
    batch's paths) one run per seed. ``make_opt(n)``: the optimizer for the starts repeated
    ``n`` times (per-path rates tiled to match)."""
    if len(seeds) <= 1 or batch_size is not None:
        return [run(make_opt(1), objective, starts, steps, seed=s, noise=noise,
                    batch_size=batch_size) for s in seeds]
    starts = np.asarray(starts, dtype=float)
    rows = starts.reshape(-1, starts.shape[-1])
    b, n = len(rows), len(seeds)
    # seed-major: path j * b + i is start i under seeds[j]
    t = run(make_opt(n), objective, np.tile(rows, (n, 1)), steps,
            seed=np.repeat(np.asarray(seeds, dtype=np.int64), b), noise=noise)
    return [t.path(j) if starts.ndim == 1 else t.path(slice(j * b, (j + 1) * b))
            for j in range(n)]


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


def small_multiples(
    name: str,
    objective: Any,
    start: np.ndarray,
    steps: int,
    lo: float,
    hi: float,
    n: int,
    **kwargs: Any,
) -> Sweep:
    """The same start at ``n`` log-spaced rates from ``lo`` to ``hi``: a small sweep to animate."""
    return sweep(name, objective, start, steps, log_rates(lo, hi, n), **kwargs)


def verdict(s: Sweep, r: int) -> str:
    """Plain words for rate ``r`` of a sweep, judged against the sweep's best rate."""
    if s.diverged[r]:
        return f"exploded at step {int(s.diverged_step[r])}"
    if r == s.best:
        return "lowest final loss of these"
    if s.steps_to_tol[r] >= 0:
        return f"reached the minimum in {plural(int(s.steps_to_tol[r]), 'step')}"
    if s.best >= 0 and r < s.best:
        return "too small: still crawling"
    return "too large: overshoots and bounces"


#: What the "Adam first, then SGD" comparison carries over from the page's Adam and SGD: the
#: switching optimizer's own settings (``adam_then_sgd``) and where each comes from.
SWITCH_CARRIES: dict[str, tuple[str, str]] = {
    "lr": ("adam", "lr"), "betas": ("adam", "betas"), "eps": ("adam", "eps"),
    "sgd_lr": ("sgd", "lr"), "momentum": ("sgd", "momentum"),
}
_SWITCH_PARTS = {"adam": "Adam", "sgd": "SGD"}


def switch_settings(hparams: Mapping[str, Mapping[str, Any]], steps: int,
                    base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settings of the "Adam first, then SGD" comparison built from the optimizers on the page:
    Adam's rate, betas and eps, and SGD's rate (``sgd_lr``) and momentum, as the visitor set them
    for Adam and SGD (``SWITCH_CARRIES``; registry defaults for whichever is missing), switching
    after a quarter of the ``steps``.

    Without this the switch ran Adam at its registry default, a different walker from the Adam
    curve beside it, and could end worse than both parents for reasons that had nothing to do
    with switching (and SGD with momentum 0.9 beside a switch to plain SGD compared unlike runs).
    """
    out = {**OPTIMIZERS["adam_then_sgd"].defaults(), **(base or {})}
    for key, (name, source) in SWITCH_CARRIES.items():
        if source in hparams.get(name, {}):
            value = hparams[name][source]
            out[key] = float(value) if key in ("lr", "sgd_lr") else value
    out["switch_step"] = max(1, int(steps) // 4)
    return out


#: Settings that change nothing unless another one is set: (optimizer, setting) -> that one.
#: SGD's dampening and Nesterov act on momentum; Adam's decoupled flag, on weight decay.
_ACTS_ON: dict[tuple[str, str], str] = {
    ("sgd", "dampening"): "momentum", ("sgd", "nesterov"): "momentum",
    ("adam", "decoupled_weight_decay"): "weight_decay",
}


def switch_dropped(hparams: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The page's Adam and SGD settings the switch cannot carry (``adam_then_sgd`` has no
    amsgrad, weight decay or Nesterov), where they differ from the defaults and change the
    run (dampening without momentum does not: a review was told of "a plainer walker" over
    it): ``"Adam's amsgrad"``. The comparison then runs a plainer Adam or SGD than the curves
    beside it."""
    carried = {(name, source) for name, source in SWITCH_CARRIES.values()}
    out = []
    for name, part in _SWITCH_PARTS.items():
        given = hparams.get(name, {})
        for h in OPTIMIZERS[name].hparams:
            if (name, h.name) in carried or h.name not in given:
                continue
            needs = _ACTS_ON.get((name, h.name))
            if needs is not None and not float(given.get(needs, 0.0)):
                continue
            if not np.array_equal(np.asarray(given[h.name], float),
                                  np.asarray(h.default, float)):
                out.append(f"{part}'s {h.name}")
    return out


def scheduled(hparams: Mapping[str, Any], schedule: str,
              settings: Mapping[str, Any]) -> dict[str, Any]:
    """``hparams`` with ``schedule`` (``optimizers.get_schedule``) on its rates: ``lr``, and for
    Adam -> SGD also ``sgd_lr``, on the run's own clock: SGD's phase goes on from the schedule's
    step K (its own steps count from 0 at the switch; it ran at a constant rate before)."""
    out = {**hparams, "lr": get_schedule(schedule, lr=float(hparams["lr"]), **settings)}
    if "sgd_lr" in hparams:
        sgd = get_schedule(schedule, lr=float(hparams["sgd_lr"]), **settings)
        k = int(hparams["switch_step"])
        out["sgd_lr"] = lambda t: sgd(np.asarray(t) + k)
    return out


def schedule_curves(runs: Sequence[tuple[str, Mapping[str, Any], str]], schedule: str,
                    settings: Mapping[str, Any], objective: Any, start: np.ndarray, steps: int,
                    *, seed: int = 0, noise: float = 0.0, batch_size: int | None = None,
                    ) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The schedule view's runs: each ``(name, hparams, label)`` under ``schedule`` (with
    ``settings``), as a curve for the figure (``optimizer``, ``label``, ``lr`` and ``gap`` per
    step, on the page's ``seed``), with ``diverged_step``, ``off_map`` (it ended outside the
    map, where the landscape may fall below its minimum: a gap of 0 there reached nothing),
    ``switch_step``, ``finals``: its final gap under each of ``noise_draws`` seeds (``seed``,
    ``seed + 1`` ...; one without noise, or without an Adam -> SGD run for ``switch_verdict`` to
    judge; ``_seeded_runs``), inf where it diverged or ended off the map, and in how many draws
    it did (``diverged_draws``, ``off_map_draws``). Every run of one draw gets the same noise,
    so the draws compare in pairs. Also the runs the schedule refuses: ``(name, reason)``."""
    judged = any(name == "adam_then_sgd" for name, _, _ in runs)
    draws = noise_draws(noise, batch_size, getattr(objective, "n_samples", None)) if judged else 1
    floor, domain = loss_floor(objective), getattr(objective, "domain", None)
    start = np.asarray(start, dtype=float)
    curves, refused = [], []
    for name, hp, label in runs:
        try:
            opt = get_optimizer(name, **scheduled(hp, schedule, settings))
            trajs = _seeded_runs(lambda _, opt=opt: opt, objective, start, steps,
                                 range(seed, seed + draws), noise, batch_size)
        except ValueError as err:
            refused.append((name, str(err)))
            continue
        diverged, off = (np.array(f) for f in zip(*(lost(t, domain) for t in trajs),
                                                  strict=True))
        with np.errstate(invalid="ignore"):
            finals = np.maximum(np.array([float(t.losses[-1]) for t in trajs]) - floor, 0.0)
        finals[diverged | off | ~np.isfinite(finals)] = np.inf
        t = trajs[0]
        with np.errstate(invalid="ignore"):
            gap = np.maximum(np.asarray(t.losses) - floor, 0.0)
        curves.append({"optimizer": name, "label": label, "lr": t.lr, "gap": gap,
                       "diverged_step": int(t.diverged_step), "off_map": bool(off[0]),
                       "switch_step": t.switch_step, "finals": finals,
                       "diverged_draws": int(diverged.sum()), "off_map_draws": int(off.sum())})
    return curves, refused


# ------------------------------------------------------------------------------ schedules
#: Readable names of the schedules (the URL keeps the registry's: ``schedule=warmup_cosine``).
SCHEDULE_TITLES: dict[str, str] = {
    "constant": "Constant",
    "step": "Step decay",
    "exponential": "Exponential decay",
    "cosine": "Cosine annealing",
    "warmup_cosine": "Warm-up, then cosine",
}
#: Readable labels of the schedules' settings; the URL keeps PyTorch's names
#: (``schedule.T_max``, ``schedule.eta_min`` ...).
SCHEDULE_LABELS: dict[tuple[str, str], str] = {
    ("step", "step_size"): "Steps between decays (step_size)",
    ("step", "gamma"): "Decay factor γ at each drop",
    ("exponential", "gamma"): "Decay factor γ per step",
    ("cosine", "T_max"): "Steps down to η_min, T_max (then back up)",
    ("cosine", "eta_min"): "Lowest learning rate η_min (at step T_max)",
    ("warmup_cosine", "warmup_steps"): "Warm-up length (steps)",
    ("warmup_cosine", "T_max"): "Steps down to η_min after the warm-up, T_max",
    ("warmup_cosine", "eta_min"): "Lowest learning rate η_min (at T_max)",
    ("warmup_cosine", "start_factor"): "Warm-up starts at (fraction of η)",
}
#: Settings counted in steps, whose defaults follow the run length (``schedule_settings``), and
#: the rule each follows, in words.
RUN_LENGTH_RULES: dict[tuple[str, str], str] = {
    ("step", "step_size"): "one drop half-way",
    ("cosine", "T_max"): "T_max = the whole run",
    ("warmup_cosine", "warmup_steps"): "a warm-up of a tenth of the run",
    ("warmup_cosine", "T_max"): "T_max = the rest of the run",
}
RUN_LENGTH_SETTINGS = frozenset(RUN_LENGTH_RULES)
#: The warm-up's default share of the run: a tenth, well before the Adam -> SGD comparison's
#: switch at a quarter (``switch_settings``), so the two dashed events never coincide by default.
WARMUP_SHARE = 10


def schedule_label(schedule: str, name: str) -> str:
    """The control label of setting ``name`` of ``schedule`` (the raw name if none is known)."""
    return SCHEDULE_LABELS.get((schedule, name), name)


def schedule_settings(schedule: str, steps: int,
                      given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every setting of ``schedule`` for a run of ``steps`` steps: the visitor's own values
    (``given``) where set, else defaults that fit the run instead of the registry's fixed ones:

    - cosine: T_max = steps (the rate reaches η_min exactly at the end of the run);
    - warm-up then cosine: a warm-up of a tenth of the run, then T_max = steps - warm-up (so the
      cosine, too, ends with the run, whatever warm-up the visitor chose);
    - step decay: one drop, half-way (step_size = steps / 2).

    Other settings (factors, η_min) keep the registry defaults. Values are kept inside each
    setting's allowed range.
    """
    from optimizers import SCHEDULE_HPARAMS

    given = dict(given or {})
    steps = max(1, int(steps))
    warmup = int(given.get("warmup_steps", max(1, round(steps / WARMUP_SHARE))))
    follow = {("cosine", "T_max"): steps, ("warmup_cosine", "warmup_steps"): warmup,
              ("warmup_cosine", "T_max"): max(1, steps - warmup),
              ("step", "step_size"): max(1, steps // 2)}
    out: dict[str, Any] = {}
    for h in SCHEDULE_HPARAMS[schedule]:
        if h.name in given:
            out[h.name] = given[h.name]
            continue
        value = follow.get((schedule, h.name), h.default)
        if h.kind == "int":
            value = int(np.clip(value, h.min, h.max))
        out[h.name] = value
    return out


def schedule_note(schedule: str, settings: Mapping[str, Any], steps: int) -> str:
    """Plain words on where ``schedule`` (with ``settings``) puts its events in a run of ``steps``
    steps: when the warm-up ends, when the cosine reaches η_min (and whether that is inside the
    run), how many step decays happen. "" for schedules without events."""
    steps = int(steps)
    if schedule in ("cosine", "warmup_cosine"):
        warm = int(settings.get("warmup_steps", 0)) if schedule == "warmup_cosine" else 0
        end = warm + int(settings["T_max"])
        head = f"The warm-up ends at step {warm}; the" if warm else "The"
        if end == steps:
            return f"{head} cosine reaches η_min just as the run ends (step {steps})."
        if end > steps:
            return (f"{head} cosine would reach η_min at step {end}, after this {steps}-step "
                    "run has ended.")
        return (f"{head} cosine reaches η_min at step {end}, then climbs back up (it repeats) "
                f"until the run ends at step {steps}.")
    if schedule == "step":
        size = int(settings["step_size"])
        drops = max(0, (steps - 1) // size)
        return (f"η is multiplied by γ every {plural(size, 'step')}: "
                f"{plural(drops, 'drop')} in this {steps}-step run.")
    return ""


#: A noisy verdict names a winner only when the draws that tell the two runs apart (both at the
#: minimum, or both lost, tell nothing) pass a one-sided sign test at this level: 7 of 8, 5 of 5.
SIGN_P = 0.05


def sign_test(wins: int, decided: int) -> float:
    """One-sided sign test: the chance of at least ``wins`` heads in ``decided`` fair coin flips
    (1.0 when nothing was decided)."""
    if decided <= 0:
        return 1.0
    return sum(math.comb(decided, k) for k in range(wins, decided + 1)) / 2 ** decided


def _finals(c: Mapping[str, Any]) -> np.ndarray:
    """A schedule-view run's final gap per noise draw (``schedule_curves``), inf where it was
    lost; a curve without draws: its last gap."""
    if "finals" in c:
        return np.asarray(c["finals"], dtype=float)
    g = float(np.asarray(c["gap"])[-1])
    lost = c.get("diverged_step", -1) >= 0 or c.get("off_map", False) or not np.isfinite(g)
    return np.array([np.inf if lost else g])


def _lost_words(c: Mapping[str, Any], n: int) -> str:
    """"diverged in 3 and ended off the map in 2 of 8 noise draws" (else "was lost in ...")."""
    d, o = int(c.get("diverged_draws", 0)), int(c.get("off_map_draws", 0))
    parts = ([f"diverged in {d}"] if d else []) + ([f"ended off the map in {o}"] if o else [])
    if not parts:
        parts = [f"was lost in {int(np.count_nonzero(np.isinf(_finals(c))))}"]
    return f"{' and '.join(parts)} of {n} noise draws"


def switch_verdict(curves: Sequence[Mapping[str, Any]], noisy: bool) -> str:
    """Which run of the schedule view ends lowest, said beside the Adam -> SGD advice: on a
    smooth run plain SGD at a good rate often ends below the switch, and the figure showed it
    with no word that the advice had not won here. ``curves``: the view's runs
    (``schedule_curves``; ``finals``: final gaps per noise draw); ``noisy``: gradient noise or
    minibatches.

    A run that diverged or ended off the map reached nothing (McCormick falls below its minimum
    off the map: its gap of 0 there read as "both reach the minimum"). With noise, one draw
    decides nothing (the verdict flipped with the seed over medians 2 % apart): a run lost in
    most draws is said to be; the switch is judged against the other run with the lowest median,
    draw by draw, and wins or loses only by ``sign_test`` at ``SIGN_P``. "" without an
    Adam -> SGD run or another to compare with."""
    switch = [c for c in curves if c["optimizer"] == "adam_then_sgd"]
    others = [c for c in curves if c["optimizer"] != "adam_then_sgd"]
    if not switch or not others:
        return ""
    sw = switch[0]
    s_gap = _finals(sw)
    n = s_gap.size
    if np.count_nonzero(np.isinf(s_gap)) * 2 > n:  # lost in most draws (the one, without noise)
        if n > 1:
            return f"Here the switch {_lost_words(sw, n)}: most of its runs reach nothing."
        if (k := int(sw.get("diverged_step", -1))) >= 0:
            k_switch = sw.get("switch_step")
            phase = ("" if k_switch is None else " (after the hand-over: SGD's rate is too "
                     "large where Adam left it)" if k >= k_switch else " (before the "
                     "hand-over, in Adam's phase)")
            return f"Here the switch diverged at step {k}{phase}."
        return ("Here the switch ends off the map, where this landscape falls below the minimum "
                "shown: its low loss there is no sign of reaching it.")
    fair = [c for c in others if np.count_nonzero(np.isinf(_finals(c))) * 2 <= _finals(c).size]
    if not fair:
        return ("Here the switch is the only run that"
                + (", in most noise draws, ends" if n > 1 else " ends")
                + " on the map without diverging.")
    best = min(fair, key=lambda c: float(np.median(_finals(c))))
    b_gap = _finals(best)
    m = min(n, b_gap.size)
    s_gap, b_gap = s_gap[:m], b_gap[:m]
    both = (s_gap <= TOL) & (b_gap <= TOL)  # both at the minimum: neither wins that draw
    wins = int(np.count_nonzero((s_gap < b_gap) & ~both))
    losses = int(np.count_nonzero((s_gap > b_gap) & ~both))
    decided = wins + losses
    # the switch lost in some draws (not most): said after the verdict, of the switch by name
    lost = (f" The switch {_lost_words(sw, m)}." if m > 1 and np.isinf(s_gap).any() else "")
    # both at the minimum in every draw (the default: 7.9e-13 against SGD's 1.9e-13) is a tie
    if both.all():
        return (f"Here the switch and {best['label']} both reach the minimum (a final gap under "
                f"{TOL:g}): on this run the hand-over neither helps nor hurts."
                + ("" if noisy else " Without gradient noise a single method at a good rate "
                   "gets there alone; the switch pays where Adam's late wandering costs "
                   "(minibatch noise: the concepts tour's section 7)."))
    if m == 1 and wins == losses:  # level to the last digit: a saddle both stopped on
        return (f"Here the switch and {best['label']} end level (a final gap of "
                f"{float(s_gap[0]):.3g}): on this run the hand-over neither helps nor hurts.")
    if m > 1 and decided == 0:
        return ("Here neither wins: in every noise draw both reach the minimum or both are "
                f"lost.{lost}")
    if m > 1 and min(sign_test(wins, decided), sign_test(losses, decided)) > SIGN_P:
        alike = (f"; in the other {m - decided} both reach the minimum or both are lost"
                 if decided < m else "")
        return (f"Here neither clearly wins: the switch ends lower than {best['label']} in "
                f"{wins} of {m} noise draws and higher in {losses}{alike}. With this much "
                f"noise one run decides nothing, and the figure shows one.{lost}")
    draws = (f" in {max(wins, losses)} of the {plural(decided, 'noise draw')} that tell them "
             f"apart" if m > 1 and decided < m else
             f" in {max(wins, losses)} of {m} noise draws" if m > 1 else "")
    if wins > losses:  # which part did it, the curves show; no cause claimed
        return (f"Here the switch ends lowest{draws}, as the study note advises (which part "
                f"made the difference, the curves before and after the dashed line show).{lost}")
    if noisy:
        return (f"Here {best['label']} ends lower than the switch{draws}, noise and all: the "
                "switch pays only where Adam's late wandering costs more than SGD's slow "
                f"finish, with an SGD rate small enough to settle (the concepts tour's section "
                f"7).{lost}")
    return (f"Here {best['label']} ends lower than the switch: on a smooth run without "
            "gradient noise, a single method at a good rate needs no hand-over. The switch "
            "pays where Adam's early speed matters and its late wandering costs (minibatch "
            "noise: the concepts tour's section 7).")


#: A first step longer than this share of the map's diagonal is called a jump in the tuner's note.
JUMP_SHARE = 0.2


#: A tuned rate whose final gap is below the sweeps' tolerance is at the minimum: another rate
#: ending lower from the chosen start alone is no news.
LUCK_GAP = TOL


def leap_note(first_step: float, diagonal: float) -> str:
    """Words for a first step longer than ``JUMP_SHARE`` of the map's ``diagonal``; "" else."""
    if first_step <= JUMP_SHARE * diagonal:
        return ""
    return (f"first step jumps {first_step / diagonal:.0%} of the map's diagonal (a leap, not a "
            "walk)")


def sweep_leap_note(s: Sweep, diagonal: float) -> str:
    """``leap_note`` for the sweep's best rate: "its first step jumps 29% of the map's
    diagonal ..." (the tuner said so of its own pick, the sweep's ★ went unremarked)."""
    if s.best < 0 or s.first_step is None:
        return ""
    leap = leap_note(float(s.first_step[s.best]), diagonal)
    return f"its {leap}" if leap else ""


def none_eligible(s: Sweep) -> str:
    """The sweep's words when no rate is eligible for best: blown up, off the map, or both (a
    review: McCormick's Adam at 1-100 left the map at every rate, 0 diverged, and read "every
    rate diverged")."""
    off, blown = int(np.count_nonzero(s.left_map)), int(np.count_nonzero(s.diverged))
    if not off:
        return "every rate diverged"
    if not blown:
        return "every rate left the map"
    return f"every rate diverged ({blown}) or left the map ({off})"


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

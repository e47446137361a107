"""The learning-rate lab's computation: batched sweeps over learning rates, what the sweep table
says of them, and the runs under several seeds that the tuner and the schedule view share.

Pure NumPy on top of ``optimizers.run``: no Streamlit, no Plotly. A sweep of R rates is ONE batched
run: the start is repeated R times and the optimizer gets ``lr`` as an (R, 1) column, one rate per
path, broadcast over the parameter axis.

The fair tuner is ``app_pages.common.lab_tuner``; the schedule view and its Adam -> SGD comparison
are ``app_pages.common.lab_schedules``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from app_pages.common.words import plural
from landscape.base import inside
from optimizers import OPTIMIZERS, get_optimizer, run
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


def seeded_runs(make_opt: Callable[[int], Any], objective: Any, starts: np.ndarray, steps: int,
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


#: A first step longer than this share of the map's diagonal is called a jump in the tuner's note.
JUMP_SHARE = 0.2


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

"""The learning-rate lab's computation: batched sweeps over learning rates and a fair tuner.

Pure NumPy on top of ``optimizers.run``: no Streamlit, no Plotly. A sweep of R rates is ONE batched
run: the start is repeated R times and the optimizer gets ``lr`` as an (R, 1) column, one rate per
path, broadcast over the parameter axis.

"Fair" tuning ranks rates by the loss at the END of the chosen number of steps (the quantity a user
cares about), not by progress after a short run, which favours rates that start fast and then
bounce. Ties (several rates reach the same final loss to rounding) go to the rate with the smaller
area under the loss curve, i.e. the one that got there sooner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

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


@dataclass(frozen=True)
class Sweep:
    """One optimizer run at R learning rates from the same start (one batched run).

    ``gap`` is loss - f_min per step and rate (steps+1, R); ``final_gap`` the last row.
    ``steps_to_tol``: first step with gap <= tol; ``diverged_step`` from the run (-1: never).
    ``best`` indexes the best non-diverged rate (-1 if every rate diverged).
    """

    optimizer: str
    lrs: np.ndarray
    gap: np.ndarray
    steps_to_tol: np.ndarray
    diverged_step: np.ndarray
    tol: float
    best: int
    trajectory: Trajectory

    @property
    def final_gap(self) -> np.ndarray:
        return self.gap[-1]

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_step >= 0

    @property
    def best_lr(self) -> float | None:
        return float(self.lrs[self.best]) if self.best >= 0 else None


def best_index(gap: np.ndarray, diverged: np.ndarray) -> int:
    """Rank rates by final gap; ties (within TIE_RTOL of the start gap) go to the smaller area.

    ``gap`` is (steps+1, R). Diverged or non-finite paths never win; -1 if none is eligible.
    """
    final = gap[-1]
    ok = ~diverged & np.isfinite(final)
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
    tol: float = 1e-6,
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
    losses = np.asarray(traj.losses, dtype=float).reshape(steps + 1, lrs.size)
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.maximum(losses - loss_floor(objective), 0.0)
    diverged_step = np.asarray(traj.diverged_step).reshape(lrs.size)
    return Sweep(
        optimizer=name,
        lrs=lrs,
        gap=gap,
        steps_to_tol=first_step_below(gap, tol),
        diverged_step=diverged_step,
        tol=tol,
        best=best_index(gap, diverged_step >= 0),
        trajectory=traj,
    )


@dataclass(frozen=True)
class Tuned:
    """The tuner's answer for one optimizer: its best rate, the final gap there, and both sweeps."""

    optimizer: str
    lr: float | None
    final_gap: float
    coarse: Sweep
    fine: Sweep | None


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
    **run_kwargs: Any,
) -> Tuned:
    """Best ``lr`` for ``name`` by final loss after ``steps`` steps: a coarse log sweep over
    [lo, hi] (default: the registry's range), then a fine sweep between the winner's neighbours.

    Two batched runs in total; every rate is judged by the same criterion (final gap, ties by area).
    """
    reg_lo, reg_hi = lr_bounds(name)
    lo = reg_lo if lo is None else max(lo, reg_lo)
    hi = reg_hi if hi is None else min(hi, reg_hi)
    coarse = sweep(name, objective, start, steps, log_rates(lo, hi, n), **run_kwargs)
    if coarse.best < 0:
        return Tuned(name, None, float("inf"), coarse, None)
    fine = None
    winner = coarse
    if refine and n > 2:
        i = coarse.best
        f_lo = coarse.lrs[max(i - 1, 0)]
        f_hi = coarse.lrs[min(i + 1, n - 1)]
        fine = sweep(name, objective, start, steps, log_rates(f_lo, f_hi, n), **run_kwargs)
        if fine.best >= 0 and _beats(fine, coarse):
            winner = fine
    return Tuned(name, winner.best_lr, float(winner.final_gap[winner.best]), coarse, fine)


def _beats(a: Sweep, b: Sweep) -> bool:
    """Whether sweep ``a``'s best is at least as good as ``b``'s (final gap, then area)."""
    fa, fb = a.final_gap[a.best], b.final_gap[b.best]
    if fa != fb:
        return bool(fa < fb)
    return bool(np.sum(a.gap[:, a.best]) <= np.sum(b.gap[:, b.best]))


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
        return f"reached the minimum in {int(s.steps_to_tol[r])} steps"
    if s.best >= 0 and r < s.best:
        return "too small: still crawling"
    return "too large: overshoots and bounces"


def switch_settings(hparams: Mapping[str, Mapping[str, Any]], steps: int,
                    base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settings of the "Adam first, then SGD" comparison built from the optimizers on the page:
    Adam's rate (``lr``) and SGD's rate (``sgd_lr``) are the ones the visitor set for Adam and SGD
    (registry defaults for whichever is missing), switching after a quarter of the ``steps``.

    Without this the switch ran Adam at its registry default, a different walker from the Adam
    curve beside it, and could end worse than both parents for reasons that had nothing to do
    with switching.
    """
    out = {**OPTIMIZERS["adam_then_sgd"].defaults(), **(base or {})}
    if "adam" in hparams and "lr" in hparams["adam"]:
        out["lr"] = float(hparams["adam"]["lr"])
        if "betas" in hparams["adam"]:
            out["betas"] = hparams["adam"]["betas"]
    if "sgd" in hparams and "lr" in hparams["sgd"]:
        out["sgd_lr"] = float(hparams["sgd"]["lr"])
    out["switch_step"] = max(1, int(steps) // 4)
    return out

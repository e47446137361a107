"""Where did each path end up? Pure NumPy classification shared by the race and basins pages.

A path ends in one of four ways:

- ``diverged``: the run reported a divergence step (non-finite or out of bounds);
- ``global``:   its final point lies within ``tol`` of a global minimum;
- ``local``:    its final point lies within ``tol`` of a local minimum (stuck there);
- ``moving``:   none of the above (still travelling, crawling, or resting on a plateau/saddle).

``tol`` is a distance in the plane; ``default_tolerance(domain)`` is 1.5% of the domain's diagonal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from viz.race import MinimumLike

Kind = Literal["global", "local", "diverged", "moving"]
KIND_CODES: dict[Kind, int] = {"global": 0, "local": 1, "diverged": 2, "moving": 3}
KINDS: tuple[Kind, ...] = ("global", "local", "diverged", "moving")


@dataclass(frozen=True)
class Outcome:
    """One path's result in words and numbers.

    kind: see module docstring; minimum: index into the minima tuple (global/local) or None;
    local_number: 1-based number among local minima (for "local minimum k"), or None;
    diverged_step: step of divergence or None; steps_to_global: first step within ``tol`` of a
    global minimum (None if never); text: the sentence for the results table.
    """

    kind: Kind
    minimum: int | None
    local_number: int | None
    diverged_step: int | None
    steps_to_global: int | None
    text: str


def default_tolerance(domain: tuple[tuple[float, float], tuple[float, float]],
                      fraction: float = 0.015) -> float:
    """Distance tolerance: ``fraction`` of the domain's diagonal."""
    (x0, x1), (y0, y1) = domain
    return fraction * float(np.hypot(x1 - x0, y1 - y0))


def _points(minima: Sequence[MinimumLike]) -> np.ndarray:
    return np.array([m.point for m in minima], float).reshape(-1, 2)


def nearest_minimum(points: np.ndarray, minima: Sequence[MinimumLike]) -> tuple[np.ndarray,
                                                                                  np.ndarray]:
    """For points (..., 2): index of the nearest minimum and the distance to it (vectorized).

    With no minima, index is -1 and distance +inf.
    """
    pts = np.asarray(points, float)
    if not minima:
        shape = pts.shape[:-1]
        return np.full(shape, -1, int), np.full(shape, np.inf)
    with np.errstate(all="ignore"):
        d = np.linalg.norm(pts[..., None, :] - _points(minima), axis=-1)
    d = np.where(np.isfinite(d), d, np.inf)
    idx = np.argmin(d, axis=-1)
    return idx, np.take_along_axis(d, idx[..., None], axis=-1)[..., 0]


def classify_endpoints(final_points: np.ndarray, diverged_step: np.ndarray | int,
                       minima: Sequence[MinimumLike], tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized kinds for many paths: final points (B, 2) (or (2,)), divergence steps (B,).

    Returns (codes, minimum index): codes from ``KIND_CODES``; index -1 where no minimum applies.
    """
    idx, dist = nearest_minimum(final_points, minima)
    is_global = np.array([m.is_global for m in minima] + [False])[idx]  # idx -1 -> False
    near = dist <= tol
    div = np.asarray(diverged_step) >= 0
    codes = np.where(div, KIND_CODES["diverged"],
                     np.where(near & is_global, KIND_CODES["global"],
                              np.where(near, KIND_CODES["local"], KIND_CODES["moving"])))
    return codes.astype(np.int8), np.where(near & ~div, idx, -1)


def steps_to_global(points: np.ndarray, minima: Sequence[MinimumLike], tol: float) -> np.ndarray:
    """First step at which each path is within ``tol`` of a global minimum; -1 if never.

    ``points`` is (N, 2) -> () or (N, B, 2) -> (B,).
    """
    glob = [m for m in minima if m.is_global]
    pts = np.asarray(points, float)
    if not glob:
        return np.full(pts.shape[1:-1], -1, int)
    _, dist = nearest_minimum(pts, glob)
    hit = dist <= tol
    first = np.argmax(hit, axis=0)
    return np.where(hit.any(axis=0), first, -1)


def describe(points: np.ndarray, diverged_step: int, minima: Sequence[MinimumLike],
             tol: float, undefined: bool = False) -> Outcome:
    """The outcome of one path (N, 2) in words: "reached global minimum at step 42" etc."""
    pts = np.asarray(points, float)
    codes, idx = classify_endpoints(pts[-1], int(diverged_step), minima, tol)
    kind = KINDS[int(codes)]
    reach = int(steps_to_global(pts, minima, tol))
    reach_opt = reach if reach >= 0 else None
    m = int(idx)
    local_no = None
    if kind == "diverged" and undefined:  # e.g. sqrt(x) at x < 0: nothing blew up
        text = f"left the region where the formula is defined at step {int(diverged_step)}"
    elif kind == "diverged":
        text = f"diverged at step {int(diverged_step)}"
    elif kind == "global":
        text = "reached global minimum" + (f" (step {reach})" if reach_opt is not None else "")
    elif kind == "local":
        locals_ = [i for i, mm in enumerate(minima) if not mm.is_global]
        local_no = locals_.index(m) + 1
        text = f"stuck in local minimum {local_no}"
    elif not minima:
        text = "finished (no known minima)"
    else:
        text = "still moving"
    if kind in ("local", "moving") and reach_opt is not None:  # got there, went on elsewhere
        text += f", after passing a global minimum at step {reach}"
    return Outcome(kind, m if m >= 0 else None, local_no,
                   int(diverged_step) if kind == "diverged" else None, reach_opt, text)

"""Where did each path end up? Pure NumPy classification shared by the race and basins pages.

A path's final point falls in one of four kinds (``classify_endpoints``, vectorized; the basins
page colours its cells by them):

- ``diverged``: the run reported a divergence step (non-finite or beyond ``run``'s bound);
- ``global``:   its final point lies within ``tol`` of a global minimum;
- ``local``:    its final point lies within ``tol`` of a local minimum;
- ``moving``:   none of the above.

``describe`` words one whole path, and looks at how it ends, not only where:

- Settled or not: a path has settled when each of its last ``SETTLE_STEPS`` steps is at most
  ``SETTLE_FRACTION * tol`` long. Near a minimum the question is "resting in it, or bouncing
  through it?", so a step a quarter of the tolerance long (a few pixels on the map) already counts
  as moving. Settled: "reached global minimum (step N)" / "stuck in local minimum k". Not
  settled: "oscillating near ..." when it hovers around that minimum over those steps (stayed
  within ``tol`` of it, or went back and forth around it: travelled more than twice its
  displacement, their mean point within ``tol`` of it), else "passing near ..." (on its way
  through).
- Away from every minimum the question is "going anywhere?": a path whose last ``SETTLE_STEPS``
  steps are each at most ``STALL_FRACTION * tol`` (a thousand steps to cross one tolerance) is
  "crawling (not at a minimum)" (a plateau's faint slope, a valley's floor such as Rosenbrock's),
  and under ``STOP_FRACTION * tol`` (a million) "stalled (not at a minimum)" (a saddle point, the
  flat far field); any other "still moving". (Rosenbrock's crawl was called "stalled" while its
  distance to the minimum was still falling.)
- On a valley of equal minima (x^2: the line x = 0, of which the formula lists one point), a path
  that settles away from every listed minimum but at the global minima's value (given its
  ``losses``; ``VALLEY_GAP``) "reached a global minimum (step N), on the valley floor". Only on
  a valley: elsewhere a millionth of a high start's height is no minimum (Beale: 0.17).
- Off the map: given the map's ``domain``, a path that ends outside it near no minimum (and did not
  diverge: ``run`` freezes a path only beyond 1e6) "left the map at step s", s being the first step
  of its last stay outside (it may have crossed the edge and come back before).
- Random local search (``trier=True``) keeps a try only if it goes downhill, so a run of
  rejected tries leaves its path standing still without its having stopped: away from every
  minimum it is "still searching (not at a minimum)", never "crawling" or "stalled" (a review
  found Rosenbrock's "stalled" walker at the global minimum a few steps later, in 55 of 55
  race lengths that said so).
- Random search (``sampler=True``): its path is the best of draws from the whole map, never
  "stuck" anywhere, so its words say where its best find lies: "found global minimum (step N)",
  "best find near local minimum k" or "best find not at a minimum".
- ``Outcome.kind`` stays where the final point lies, settled or not, as on the basin maps.
- With several global minima the words name which one, numbered as on the map ("reached global
  minimum 2 (step N)"): the "first at a global min" column may count another one.
- "(step N)" is the first step within ``tol`` of the global minimum the path ends at (with several
  global minima, maybe not the first it visited); ``steps_to_global`` (the "first at a global min"
  column) is the first step near any global minimum, and a path that was there but ends elsewhere
  adds ", after passing a global minimum at step N".

``tol`` is a distance in the plane; ``default_tolerance(domain)`` is 1.5% of the domain's diagonal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from app_pages.common.words import plural
from landscape.base import Domain, diagonal, inside
from viz.map_labels import MinimumLike

Kind = Literal["global", "local", "diverged", "moving"]
KIND_CODES: dict[Kind, int] = {"global": 0, "local": 1, "diverged": 2, "moving": 3}
KINDS: tuple[Kind, ...] = ("global", "local", "diverged", "moving")

#: How many last steps decide whether a path has settled (module docstring).
SETTLE_STEPS = 10
#: Near a minimum, settled = each of those steps at most this fraction of ``tol``.
SETTLE_FRACTION = 0.25
#: Away from every minimum, settled = each of those steps at most this fraction of ``tol``: it is
#: "crawling" (a thousand steps or more to cross one tolerance), or "stalled" under STOP_FRACTION.
STALL_FRACTION = 1e-3
STOP_FRACTION = 1e-6


@dataclass(frozen=True)
class Outcome:
    """One path's result in words and numbers.

    kind: where the final point lies (module docstring); minimum: index into the minima tuple
    (global/local) or None; local_number: 1-based number among local minima (for "local minimum
    k"), or None; diverged_step: step of divergence or None; steps_to_global: first step within
    ``tol`` of any global minimum (None if never); text: the sentence for the results table;
    settled: its last ``SETTLE_STEPS`` steps were short (``SETTLE_FRACTION * tol`` near a minimum,
    ``STALL_FRACTION * tol`` elsewhere); arrival_step: first step within ``tol`` of the minimum it
    ends at (None away from minima); left_map_step: first step of its final stay off the map
    (None if it ends on the map or no domain was given).
    """

    kind: Kind
    minimum: int | None
    local_number: int | None
    diverged_step: int | None
    steps_to_global: int | None
    text: str
    settled: bool = True
    arrival_step: int | None = None
    left_map_step: int | None = None


def default_tolerance(domain: Domain, fraction: float = 0.015) -> float:
    """Distance tolerance: ``fraction`` of the domain's diagonal."""
    return fraction * diagonal(domain)


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


def first_within(points: np.ndarray, point: tuple[float, float], tol: float) -> int | None:
    """First step at which a path (N, 2) is within ``tol`` of ``point``; None if never."""
    with np.errstate(all="ignore"):
        near = np.linalg.norm(np.asarray(points, float) - np.asarray(point, float), axis=-1) <= tol
    return int(np.argmax(near)) if near.any() else None


#: How far (in tolerances) a path must go from the minimum it had reached for its outcome to say
#: it went out again: momentum rings around a minimum it arrives at (out to ~2 tolerances on
#: the landing race), which is arriving, not leaving.
THROWN = 3.0


def thrown_off(points: np.ndarray, point: tuple[float, float], tol: float,
               arrival: int) -> tuple[int, int] | None:
    """(step it was thrown off, first step of its final stay) when a path went more than
    ``THROWN`` tolerances from ``point`` after ``arrival`` (its first step within ``tol``) and
    came back; else None. RMSprop on Cross-in-tray reached a minimum at step 5, left it at step
    246, was 1.6 (3.7 tolerances) away at step 249 and was back from step 251: "reached (step 5)"
    hid the excursion its loss curve shows."""
    with np.errstate(all="ignore"):
        d = np.linalg.norm(np.asarray(points[arrival:], float) - np.asarray(point, float),
                           axis=-1)
    if not (d > THROWN * tol).any():
        return None
    out = np.flatnonzero(d > tol)  # the first leaves the tolerance, the last is its last time out
    return arrival + int(out[0]), arrival + int(out[-1]) + 1


def left_map_at(points: np.ndarray, domain: Domain) -> int | None:
    """First step of a path's final stay outside ``domain``: the step after its last point on the
    map (0 if none was); None if it ends on the map. Non-finite points count as off the map."""
    on = inside(points, domain)
    if on[-1]:
        return None
    seen = np.flatnonzero(on)
    return int(seen[-1]) + 1 if seen.size else 0


def longest_last_step(points: np.ndarray, n: int = SETTLE_STEPS) -> float:
    """The longest of a path's last ``n`` steps |x_t+1 - x_t| (0 for a single point; inf if one
    is not finite)."""
    tail = np.asarray(points, float)[-n - 1 :]
    if len(tail) < 2:
        return 0.0
    with np.errstate(all="ignore"):
        steps = np.linalg.norm(np.diff(tail, axis=0), axis=-1)
    return float(steps.max()) if np.all(np.isfinite(steps)) else np.inf


def hovers(points: np.ndarray, point: tuple[float, float], tol: float,
           n: int = SETTLE_STEPS) -> bool:
    """Over its last ``n`` steps, does a path hover around ``point``? Either it stayed within
    ``tol`` of it, or it went back and forth around it: travelled more than twice its
    displacement |x_N - x_N-n|, with the mean of those points within ``tol`` of ``point``."""
    tail = np.asarray(points, float)[-n - 1 :]
    centre = np.asarray(point, float)
    with np.errstate(all="ignore"):
        if np.all(np.linalg.norm(tail - centre, axis=-1) <= tol):
            return True
        travelled = float(np.linalg.norm(np.diff(tail, axis=0), axis=-1).sum())
        net = float(np.linalg.norm(tail[-1] - tail[0]))
        return bool(travelled > 2.0 * net and np.linalg.norm(tail.mean(axis=0) - centre) <= tol)


#: A settled path away from every listed minimum is at a global minimum all the same when its
#: loss is within this fraction of its start's height above the global minima's value: a valley
#: of equal minima (x^2, whose minima are the line x = 0) lists one point of it, and paths that
#: settled elsewhere on that line read "stalled (not at a minimum)" at a loss of 1e-30. A millionth:
#: random local search (steps of 0.3) stops ~4e-4 off the line, 1e-8 of its start's height, well
#: within the distance ``tol`` that counts as at a minimum elsewhere (a gap of ~4e-3 here).
VALLEY_GAP = 1e-6
#: How a typed formula's minimum says it is one point of a valley (landscape.expression_minima).
VALLEY_MARK = "valley of equal minima"


def is_valley(minima: Sequence[MinimumLike]) -> bool:
    """Do the global minima form a valley (one point of it listed, ``VALLEY_MARK``)?"""
    return any(VALLEY_MARK in m.label for m in minima if m.is_global)


def at_global_value(losses: np.ndarray | None, minima: Sequence[MinimumLike]) -> int | None:
    """First step from which a path's loss stays within ``VALLEY_GAP`` of its start's height
    above the global minima's value (None: it does not end there, or no losses were given)."""
    values = [m.value for m in minima if m.is_global]
    if losses is None or not values or len(losses) == 0:
        return None
    with np.errstate(all="ignore"):
        gap = np.asarray(losses, float) - min(values)
        close = np.abs(gap) <= VALLEY_GAP * max(float(gap[0]), 0.0)
    if not (np.isfinite(gap[-1]) and gap[0] > 0 and close[-1]):
        return None
    away = np.flatnonzero(~close)
    return int(away[-1]) + 1 if away.size else 0


def describe(points: np.ndarray, diverged_step: int, minima: Sequence[MinimumLike],
             tol: float, undefined: bool = False, *, domain: Domain | None = None,
             sampler: bool = False, trier: bool = False,
             losses: np.ndarray | None = None) -> Outcome:
    """The outcome of one path (N, 2) in words, e.g. "reached global minimum (step 42)".

    ``domain``: the map's box, to tell a path that flew off the map and stayed there (``run``
    freezes a path only beyond 1e6); None (the default) never says "left the map".
    ``sampler``: the path is the best point so far of draws from the whole map (random search),
    which is never "stuck" anywhere: its words say where its best find is. ``trier``: the path
    keeps only downhill tries (random local search), so standing still is not stopping: away
    from every minimum it is "still searching". ``losses`` (N,): a
    path that settles away from every listed minimum at the global minima's value (``VALLEY_GAP``)
    "reached a global minimum" all the same (a valley lists one point of its floor). Rules and
    texts: module docstring.
    """
    pts = np.asarray(points, float)
    codes, idx = classify_endpoints(pts[-1], int(diverged_step), minima, tol)
    kind = KINDS[int(codes)]
    reach = int(steps_to_global(pts, minima, tol))
    reach_opt = reach if reach >= 0 else None
    m = int(idx)
    near = kind in ("global", "local")
    longest = longest_last_step(pts)
    settled = longest <= (SETTLE_FRACTION if near else STALL_FRACTION) * tol
    left = left_map_at(pts, domain) if domain is not None and kind == "moving" else None
    arrival = first_within(pts, minima[m].point, tol) if near else None
    how = "oscillating" if near and hovers(pts, minima[m].point, tol) else "passing"
    local_no = None
    globals_ = [i for i, mm in enumerate(minima) if mm.is_global]
    # with several, which one (numbered as on the map: "global k", in registry order)
    glob_no = f" {globals_.index(m) + 1}" if kind == "global" and len(globals_) > 1 else ""
    if kind == "diverged" and undefined:  # e.g. sqrt(x) at x < 0: nothing blew up
        text = f"left the region where the formula is defined at step {int(diverged_step)}"
    elif kind == "diverged":
        d = int(diverged_step)
        # Flung off the map steps before it passed the blow-up bound: the map shows it gone at
        # the first ("diverged at step 4" under a walker the map lost at step 2).
        off = left_map_at(pts[: d + 1], domain) if domain is not None else None
        text = (f"left the map at step {off}, diverged at step {d}" if off is not None and off < d
                else f"diverged at step {d}")
    elif left is not None:
        # before its last departure, how often it went out and came back: SGD at lr 10 on Two
        # basins crossed the edge 221 times and read only "left the map at step 500" (a review)
        on = inside(pts[:left], domain)
        back = int(np.count_nonzero(on[1:] & ~on[:-1]))
        text = (("left the map at step " + str(left)
                 + (f" (out and back {plural(back, 'time')} before)" if back else ""))
                if left > 0 else "off the map from the start")
    elif kind == "global" and settled:
        off = thrown_off(pts, minima[m].point, tol, arrival)
        text = (f"reached global minimum{glob_no} (step {arrival}"
                + ("" if off is None else f"; out again at step {off[0]}, back for good from "
                   f"step {off[1]}") + ")")
    elif kind == "global":
        text = f"{how} near global minimum{glob_no}"
    elif kind == "local":
        locals_ = [i for i, mm in enumerate(minima) if not mm.is_global]
        local_no = locals_.index(m) + 1
        text = (f"stuck in local minimum {local_no}" if settled
                else f"{how} near local minimum {local_no}")
    elif not minima:
        text = "finished (no known minima)"
    elif settled and is_valley(minima) and (floor := at_global_value(losses, minima)) is not None:
        # a valley's only: on Beale (a corner 1.7e5 high) a millionth of the start's height is a
        # loss of 0.17, and random search's best find 0.8 from the minimum (4 tolerances) read
        # "found global minimum" (a review)
        kind, m, arrival = "global", globals_[0], floor
        reach = reach if reach >= 0 else floor
        reach_opt = reach
        text = f"reached a global minimum (step {floor}), on the valley floor"
    elif trier:
        text = "still searching (not at a minimum)"
    else:
        text = ("still moving" if not settled else "stalled (not at a minimum)"
                if longest <= STOP_FRACTION * tol else "crawling (not at a minimum)")
    if kind in ("local", "moving") and reach_opt is not None:  # got there, went on elsewhere
        text += f", after passing a global minimum at step {reach}"
    if sampler and kind != "diverged" and minima:
        text = _best_find(kind, arrival, local_no, glob_no)
    return Outcome(kind, m if m >= 0 else None, local_no,
                   int(diverged_step) if kind == "diverged" else None, reach_opt, text,
                   settled=bool(settled), arrival_step=arrival, left_map_step=left)


def _best_find(kind: str, arrival: int | None, local_no: int | None, glob_no: str = "") -> str:
    """Where random search's best point so far lies, in words."""
    if kind == "global":
        return f"found global minimum{glob_no} (step {arrival})"
    if kind == "local":
        return f"best find near local minimum {local_no}"
    return "best find not at a minimum"

"""What the figures need to know about one optimizer's path, and which steps become frames."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from landscape.base import inside
from viz.style import optimizer_color, optimizer_symbol


class HasGrad(Protocol):
    def grad(self, xy: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class PathView:
    """One 2D path ready to draw.

    name: registry name (decides the colour); label: legend text ("Adam (lr 0.05)");
    points (N, 2), losses (N,), grads (N, 2) = full gradient at each point;
    diverged_step: first diverged step or -1.
    """

    name: str
    label: str
    points: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    diverged_step: int = -1

    @property
    def color(self) -> str:
        return optimizer_color(self.name)

    @property
    def symbol(self) -> str:
        """Its marker's shape (``viz.style.optimizer_symbol``), beside its colour."""
        return optimizer_symbol(self.name)

    @property
    def steps(self) -> int:
        return len(self.points) - 1

    def updates(self) -> np.ndarray:
        """Update taken at each step, Δx_s = x_{s+1} - x_s (the last row repeats the previous)."""
        d = np.diff(self.points, axis=0)
        return np.concatenate([d, d[-1:]]) if len(d) else np.zeros_like(self.points)

    def effective_step(self) -> np.ndarray:
        """Effective per-axis step size |Δx_i| / |g_i| (= lr for plain gradient descent)."""
        with np.errstate(all="ignore"):
            eff = np.abs(self.updates()) / np.abs(self.grads)
        return np.where(np.isfinite(eff), eff, np.nan)


def path_view(name: str, label: str, trajectory: Any, objective: HasGrad) -> PathView:
    """Build a PathView from a single-start ``Trajectory`` and the objective it descended."""
    pts = np.asarray(trajectory.points, float)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"expected a single 2D path of shape (N, 2), got {pts.shape}")
    with np.errstate(all="ignore"):
        grads = np.asarray(objective.grad(pts), float)
    ds = int(np.asarray(trajectory.diverged_step).ravel()[0])
    return PathView(name, label, pts, np.asarray(trajectory.losses, float).ravel(), grads, ds)


def frame_steps(n_steps: int, max_frames: int = 150) -> np.ndarray:
    """The steps shown as animation frames: 0..n_steps, evenly thinned to at most ``max_frames``."""
    n = max(2, min(n_steps + 1, max_frames))
    return np.unique(np.rint(np.linspace(0, n_steps, n)).astype(int))


def shape_indices(points: np.ndarray, max_points: int = 30, tol: float = 0.0) -> np.ndarray:
    """Sorted indices of at most ``max_points`` points of a path (N, 2) that draw its shape:
    greedy Ramer-Douglas-Peucker. Start from the two ends; repeatedly add the point farthest from
    the chord of its current segment, farthest first, until ``max_points`` or until no point is
    more than ``tol`` from its chord. A long early jump then a turn keeps its corner, unlike
    thinning evenly in time (which draws a straight line through walls the path went around).
    Non-finite points are always kept (they split the path)."""
    pts = np.asarray(points, dtype=float)
    n = len(pts)
    if n <= max(int(max_points), 2):
        return np.arange(n)
    bad = ~np.isfinite(pts).all(axis=1)
    kept = {0, n - 1, *np.flatnonzero(bad).tolist()}
    pts = np.where(bad[:, None], 0.0, pts)
    heap: list[tuple[float, int, int, int]] = []

    def push(a: int, b: int) -> None:
        if b - a < 2 or bad[a] or bad[b]:
            return
        seg, chord = pts[a + 1 : b] - pts[a], pts[b] - pts[a]
        length = float(np.hypot(*chord))
        if length > 0:
            dev = np.abs(seg[:, 0] * chord[1] - seg[:, 1] * chord[0]) / length
        else:
            dev = np.hypot(seg[:, 0], seg[:, 1])
        j = int(np.argmax(dev))
        if dev[j] > tol:
            heapq.heappush(heap, (-float(dev[j]), a, b, a + 1 + j))

    ordered = sorted(kept)
    for a, b in itertools.pairwise(ordered):
        push(a, b)
    while heap and len(kept) < max_points:
        _, a, b, j = heapq.heappop(heap)
        kept.add(j)
        push(a, j)
        push(j, b)
    return np.array(sorted(kept), dtype=np.int64)


def trail_indices(steps: np.ndarray, shape: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices into the path for the trail of every frame (frame steps ``steps``), as one flat
    array and each trail's length (vectorized: no per-frame arrays). Trail k is the path's
    ``shape`` points (``shape_indices``) before the previous frame's step, then every raw step
    from there to this frame's step (the exact recent motion): a frame costs O(shape), not
    O(prefix)."""
    steps = np.asarray(steps, dtype=np.int64)
    shape = np.asarray(shape, dtype=np.int64)
    prev = np.r_[steps[:1], steps[:-1]]
    cut = np.searchsorted(shape, prev)
    # Two segments per frame: shape[:cut], then the raw steps prev..s.
    seg_start = np.column_stack([np.zeros_like(cut), prev]).ravel()
    seg_len = np.column_stack([cut, steps - prev + 1]).ravel()
    total = int(seg_len.sum())
    offsets = np.cumsum(seg_len) - seg_len
    r = np.repeat(seg_start - offsets, seg_len) + np.arange(total)
    from_shape = np.repeat(np.tile([True, False], len(steps)), seg_len)
    r[from_shape] = shape[r[from_shape]]  # a shape segment counted positions in ``shape``
    return r, cut + steps - prev + 1


def first_step_off_map(points: np.ndarray, domain: Any) -> int | None:
    """The first step at which the path stands outside ``domain`` (or at a non-finite point);
    None when it stays on the map throughout."""
    pts = np.asarray(points, float).reshape(len(points), -1)[:, :2]
    off = np.flatnonzero(~inside(pts, domain))
    return int(off[0]) if off.size else None


def edge_crossing(inside: np.ndarray, outside: np.ndarray, domain: Any) -> np.ndarray:
    """Where the straight step from ``inside`` to ``outside`` crosses the edge of ``domain``
    (``inside`` itself when ``outside`` is not a finite point)."""
    a, b = np.asarray(inside, float)[:2], np.asarray(outside, float)[:2]
    if not np.all(np.isfinite(b)):
        return a
    frac = 1.0
    for k, (lo, hi) in enumerate(domain):
        wall = hi if b[k] > hi else lo if b[k] < lo else None
        if wall is not None and b[k] != a[k]:
            frac = min(frac, (wall - a[k]) / (b[k] - a[k]))
    return a + max(frac, 0.0) * (b - a)


def lost_mark(points: np.ndarray, domain: Any, upto: int) -> tuple[np.ndarray, int | None]:
    """Where a path's end is marked: its point ``points[upto]`` when that is on the map, else
    where its last step from the map crossed the edge, with the step that left it (None when
    the path ends in view). A diverged path's ✕ at its last good point sat at (-35043, 13.2),
    far outside the view, and was never seen."""
    pts = np.asarray(points, float).reshape(len(points), -1)[: upto + 1, :2]
    on = np.flatnonzero(inside(pts, domain))
    if on.size == 0 or on[-1] == len(pts) - 1:
        return pts[-1], None
    k = int(on[-1])
    return edge_crossing(pts[k], pts[k + 1], domain), k + 1


def departure(p: PathView, domain: Any) -> tuple[np.ndarray, int | None]:
    """``lost_mark`` of ``p``'s end: its last good point if it diverged, else its last point."""
    upto = min(p.diverged_step, p.steps) if p.diverged_step >= 0 else p.steps
    return lost_mark(p.points, domain, upto)


def stopped_at_edge(p: PathView, domain: Any) -> tuple[PathView, int | None]:
    """``p`` as a map's trail and dot draw it, and the step it left the map for good (None if
    it ends on the map, or diverged there): from that step it stands where it crossed the edge
    (``lost_mark``), with no gradient (it is not there; no arrow). Drawn to its far-off points,
    its steps between them cut straight lines across the view (a "stray" line along the map's
    bottom edge) that no walker took there. Its losses stay the true ones: hovers read the
    path up to ``left`` (``on_map``)."""
    at, left = departure(p, domain)
    if left is None:
        return p, None
    points, grads = np.array(p.points, float), np.array(p.grads, float)
    points[left:], grads[left:] = at, 0.0
    return replace(p, points=points, grads=grads), left


def on_map(p: PathView, left: int | None) -> PathView:
    """``p`` up to its first step off the map for good (``stopped_at_edge``'s ``left``),
    included: the true points, losses and gradients of its steps on the map, and the segment
    that leaves it (a plot clips it at the edge)."""
    if left is None:
        return p
    return replace(p, points=p.points[: left + 1], losses=p.losses[: left + 1],
                   grads=p.grads[: left + 1])

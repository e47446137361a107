"""Where ``run``'s loops write their steps: every step kept, or only where each path ends.

The loops in ``runner`` fill *blocks*: ``Block.points`` (n+1, B, D) whose row 0 is x_t0 and whose
rows 1..n the loop writes, with the losses it computes on the way and a ``clean`` flag per row.

- ``FullRecord``: one block over the whole (steps+1, B, D) array; the runner checks and freezes
  the paths afterwards (``Trajectory``).
- ``EndpointRecord``: a small reused buffer of a few rows, checked block by block, keeping per path
  only its last good point and loss, its divergence step and the first step it came within a
  radius of given targets (``Endpoints``). Memory is O(B) instead of O(steps x B), so a 200 x 200
  basin map can run 2,000 steps; the numbers equal those of ``run`` on the same input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

#: Checks a block's rows: (points (T, B, D), losses (T, B) or None, clean (T,) or None) ->
#: (losses (T, B), bad (T, B) or None). ``runner._values_and_faults`` with its objective bound.
Checker = Callable[[np.ndarray, np.ndarray | None, np.ndarray | None],
                   tuple[np.ndarray, np.ndarray | None]]

_BUFFER_VALUES = 1 << 18  # points per endpoint buffer (2 MB of float64: stays in cache)


@dataclass
class Block:
    """Steps t0 .. t0+n of every path: ``points`` (n+1, B, D), row 0 = x_t0 (already written).

    ``losses`` (n+1, B) is None when the loop leaves losses to the checks; ``clean`` (n+1,) marks
    rows the loop vouched for (all points within the bound, losses finite), None if it did not
    check. ``losses[0]`` and ``clean[0]`` are carried over from the previous block, if any.
    """

    t0: int
    n: int
    points: np.ndarray
    losses: np.ndarray | None
    clean: np.ndarray | None
    last: bool  # this block ends the run (the loop then also fills the losses of row n)


def _buffers(x: np.ndarray, rows: int, losses_in_loop: bool, checks_in_loop: bool
             ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """``rows`` rows of points (row 0 = ``x``), of losses if the loop records them, and of
    ``clean`` flags if it checks them."""
    points = np.empty((rows, *x.shape))
    points[0] = x
    losses = np.empty((rows, x.shape[0])) if losses_in_loop else None
    clean = np.ones(rows, dtype=bool) if checks_in_loop else None
    return points, losses, clean


class FullRecord:
    """Every step in one block: ``points`` (steps+1, B, D) and ``losses`` (steps+1, B) or None."""

    def __init__(self, x: np.ndarray, steps: int, losses_in_loop: bool, checks_in_loop: bool):
        self.points, self.losses, self.clean = _buffers(x, steps + 1, losses_in_loop,
                                                        checks_in_loop)
        self.steps = steps

    def blocks(self) -> Iterator[Block]:
        yield Block(0, self.steps, self.points, self.losses, self.clean, last=True)


@dataclass(frozen=True)
class Endpoints:
    """Where each of B paths ended, without the paths (``run_endpoints``).

    final:         (B, D) the last point; a diverged path's last good point (as ``Trajectory``).
    final_loss:    (B,) the loss there.
    diverged_step: (B,) the first step whose point or loss was bad; -1 where none was.
    evaluations:   (steps+1,) cumulative oracle calls per path (as ``Trajectory.evaluations``).
    first_within:  (B, K) the first step at which the path was within ``radius`` of target k
                   (before any divergence); -1 if never. (B, 0) without targets.
    """

    final: np.ndarray
    final_loss: np.ndarray
    diverged_step: np.ndarray
    evaluations: np.ndarray
    first_within: np.ndarray


class EndpointRecord:
    """Blocks in one reused buffer; each is checked as soon as it is filled (see module doc)."""

    def __init__(self, x: np.ndarray, steps: int, losses_in_loop: bool, checks_in_loop: bool,
                 check: Checker, targets: np.ndarray | None = None, radius: float = 0.0):
        b, d = x.shape
        self.rows = int(np.clip(_BUFFER_VALUES // max(1, b * d), 8, 256))
        self.points, self.losses, self.clean = _buffers(x, min(self.rows, steps) + 1,
                                                        losses_in_loop, checks_in_loop)
        self.steps, self.check = steps, check
        self.targets = np.zeros((0, d)) if targets is None else np.asarray(targets, dtype=float)
        self.r2 = float(radius) ** 2
        self.final, self.final_loss = x.copy(), np.full(b, np.nan)
        self.diverged = np.full(b, -1)
        self.first = np.full((b, self.targets.shape[0]), -1)
        self.before = (np.empty((b, d)), np.full(b, np.nan))  # see _carry
        self.pending = np.ones((self.targets.shape[0], b), dtype=bool)  # not reached yet

    def blocks(self) -> Iterator[Block]:
        t0 = 0
        while True:
            n = min(self.rows, self.steps - t0)
            last = t0 + n == self.steps
            if self.clean is not None:
                self.clean[1:] = True
            block = Block(t0, n, self.points[: n + 1], None if self.losses is None
                          else self.losses[: n + 1], None if self.clean is None
                          else self.clean[: n + 1], last=last)
            yield block
            self._take(block, n + 1 if last else n)
            if last:
                return
            self._carry(n)
            t0 += n

    def _carry(self, n: int) -> None:
        """Row n (x_{t0+n}, not yet checked) becomes row 0 of the next block."""
        self.points[0] = self.points[n]
        if self.losses is not None:
            self.losses[0] = self.losses[n]
        if self.clean is not None:
            self.clean[0] = self.clean[n]

    def _take(self, block: Block, rows: int) -> None:
        """Check rows [0, rows) of a filled block; update divergences and first hits, and at the
        end of the run the last points and losses."""
        pts = block.points[:rows]
        losses, bad = self.check(pts, None if block.losses is None else block.losses[:rows],
                                 None if block.clean is None else block.clean[:rows])
        alive = self.diverged < 0
        valid = None
        if bad is not None:
            new = np.flatnonzero(alive & bad.any(axis=0))
            f = bad[:, new].argmax(axis=0)
            self.diverged[new] = block.t0 + f
            # the last good point: the row before the first bad one (the start if that is bad)
            here = (f > 0) | (block.t0 == 0)
            src = np.maximum(f - 1, 0)[here]
            self.final[new[here]] = pts[src, new[here]]
            self.final_loss[new[here]] = losses[src, new[here]]
            prev = new[~here]  # bad from this block's first row on: the previous block's last
            self.final[prev] = self.before[0][prev]
            self.final_loss[prev] = self.before[1][prev]
            valid = ~np.logical_or.accumulate(bad, axis=0)
        self._first_hits(block.t0, pts, valid, alive)
        if block.last:
            ok = self.diverged < 0
            self.final[ok] = pts[-1, ok]
            self.final_loss[ok] = losses[-1, ok]
        else:  # the last good point of a path that goes bad at the next block's first row
            self.before[0][...] = pts[-1]
            self.before[1][...] = losses[-1]

    def _first_hits(self, t0: int, pts: np.ndarray, valid: np.ndarray | None,
                    alive: np.ndarray) -> None:
        """Record the first row at which each path (alive before this block; rows before its
        first bad one) is within the radius of each target.

        Only paths whose bounding box over the block comes within the radius of a target they
        have not reached yet (and paths that went bad in this block, whose box may hold NaN) are
        tested point by point: usually a handful, the ones arriving.
        """
        if not len(self.targets):
            return
        lo, hi = pts.min(axis=0).T, pts.max(axis=0).T  # (D, B) boxes
        r = np.sqrt(self.r2)
        odd = None if valid is None else ~valid[-1]
        for k, target in enumerate(self.targets):
            maybe = alive & self.pending[k]
            for d, c in enumerate(target):  # the square around the circle meets the box
                maybe &= lo[d] <= c + r
                maybe &= hi[d] >= c - r
            if odd is not None:
                maybe |= odd & alive & self.pending[k]
            cols = np.flatnonzero(maybe)
            if cols.size == 0:
                continue
            inside = ((pts[:, cols] - target) ** 2).sum(axis=-1) <= self.r2
            if valid is not None:
                inside &= valid[:, cols]
            hit = inside.any(axis=0)
            self.first[cols[hit], k] = t0 + inside[:, hit].argmax(axis=0)
            self.pending[k, cols[hit]] = False

    def endpoints(self, evaluations: np.ndarray) -> Endpoints:
        return Endpoints(self.final, self.final_loss, self.diverged, evaluations, self.first)

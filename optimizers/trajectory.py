"""The result of ``run``: where each path went, what it cost and whether it blew up."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Trajectory:
    """Paths of one optimizer from one start (D,) or a batch of starts (B, D).

    points:        (steps+1, D) or (steps+1, B, D); row 0 is the start.
    losses:        (steps+1,) or (steps+1, B): the full objective value at each point.
    evaluations:   (steps+1,) cumulative oracle calls (function values + gradients) per path
                   up to each step: the article's "trials".
    diverged_step: int (single start) or (B,) ints: the first step whose point or loss was
                   non-finite or left the bound; -1 where the path never diverged. From that
                   step on the path is frozen at its last good point.
    switch_step:   for ``adam_then_sgd``, the first step taken by SGD; otherwise None.
    lr:            (steps,) the learning rate used at each step (after any schedule).
    undefined:     bool (single) or (B,) bools: the path diverged because the objective had no
                   value at a finite point within the bound (it left the region where a formula
                   such as sqrt(x) or log(x) is defined), not because it blew up.
    """

    points: np.ndarray
    losses: np.ndarray
    evaluations: np.ndarray
    diverged_step: np.ndarray | int
    lr: np.ndarray
    switch_step: int | None = None
    optimizer: str = ""
    hparams: dict[str, Any] = field(default_factory=dict)
    undefined: np.ndarray | bool = False

    @property
    def steps(self) -> int:
        return self.points.shape[0] - 1

    @property
    def batched(self) -> bool:
        return self.points.ndim == 3

    def path(self, index: int | slice | np.ndarray) -> Trajectory:
        """Paths ``index`` of a batched run: an int gives that one path as a single start's run
        would (points (steps+1, D)), a slice or index array a smaller batch. Arrays are copies."""
        batch = self.points.shape[1]
        lr = np.asarray(self.lr)
        diverged = np.asarray(self.diverged_step)[index]
        undefined = np.broadcast_to(np.asarray(self.undefined), (batch,))[index]
        return replace(
            self,
            points=self.points[:, index].copy(),
            losses=self.losses[:, index].copy(),
            evaluations=self.evaluations.copy(),
            diverged_step=int(diverged) if diverged.ndim == 0 else diverged.copy(),
            undefined=bool(undefined) if undefined.ndim == 0 else undefined.copy(),
            lr=lr[:, index].copy() if lr.ndim > 1 else lr.copy(),
            hparams=dict(self.hparams),
        )

    def truncated(self, steps: int) -> Trajectory:
        """The first ``steps`` steps, equal to running only that many: a path never depends on how
        many steps follow (draws depend on seed, start and step), so a longer run serves every
        shorter request. Arrays are copies."""
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or \
                not 0 <= steps <= self.steps:
            raise ValueError(f"steps={steps!r} must be an integer from 0 to {self.steps}")
        steps = int(steps)
        diverged = np.where(np.asarray(self.diverged_step) > steps, -1, self.diverged_step)
        undefined = np.asarray(self.undefined) & (diverged >= 0)
        return replace(
            self,
            points=self.points[: steps + 1].copy(),
            losses=self.losses[: steps + 1].copy(),
            evaluations=self.evaluations[: steps + 1].copy(),
            diverged_step=int(diverged) if diverged.ndim == 0 else diverged,
            undefined=bool(undefined) if undefined.ndim == 0 else undefined,
            lr=self.lr[:steps].copy(),
            switch_step=(self.switch_step if self.switch_step is not None
                         and self.switch_step < steps else None),
            hparams=dict(self.hparams),
        )

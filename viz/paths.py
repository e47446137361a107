"""What the figures need to know about one optimizer's path, and which steps become frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from viz.style import optimizer_color


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


def trail_indices(steps: np.ndarray, k: int, max_points: int = 40) -> np.ndarray:
    """Indices into the path for the trail shown at frame ``k`` (frame steps ``steps``).

    The trail is the frame-step prefix thinned to at most ``max_points`` (a frame then costs O(1),
    not O(prefix)), followed by every raw step since the previous frame (the exact recent motion).
    """
    return trail_index_lists(np.asarray(steps)[: k + 1], max_points)[-1]


def trail_index_lists(steps: np.ndarray, max_points: int = 40) -> list[np.ndarray]:
    """``trail_indices(steps, k, max_points)`` for every frame k, computed together."""
    steps = np.asarray(steps, dtype=np.int64)
    m = max(int(max_points), 2)
    lengths = np.arange(1, len(steps) + 1)
    # Row k: np.rint(np.linspace(0, k, m)) computed as linspace does (j * step, exact end).
    pos = np.arange(m)[None, :] * ((lengths - 1) / (m - 1))[:, None]
    pos[:, -1] = lengths - 1
    thinned = np.rint(pos).astype(np.int64).tolist()
    values = steps.tolist()
    out = []
    for k, row in enumerate(thinned):
        prev = values[k - 1] if k > 0 else values[0]
        prefix = values[: k + 1] if k + 1 <= m else [values[j] for j in dict.fromkeys(row)]
        out.append(np.array([v for v in prefix if v < prev] + list(range(prev, values[k] + 1))))
    return out

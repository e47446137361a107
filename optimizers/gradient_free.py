"""The seed article's gradient-free baselines: random search and random local search.

Both only compare objective values; each step costs one value evaluation per path. Their random
draws come from ``run`` (per path, per step), so batches reproduce single runs exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from optimizers.base import ValueFn
from optimizers.noise import box_muller


class WalkerState(NamedTuple):
    """``losses``: the objective value at the current (best so far) point of each path."""

    losses: np.ndarray


def walker_init(params: np.ndarray, losses: np.ndarray) -> WalkerState:
    return WalkerState(losses)


Step = tuple[np.ndarray, np.ndarray, WalkerState]


def _keep_better(state: WalkerState, params: np.ndarray, candidates: np.ndarray,
                 value_fn: ValueFn) -> Step:
    """Move to the candidate only where its value is strictly lower (NaN never wins)."""
    values = value_fn(candidates)
    better = values < state.losses
    new_params = np.where(better[..., None], candidates, params)
    new_losses = np.where(better, values, state.losses)
    return new_params, new_losses, WalkerState(new_losses)


def random_search_step(state: WalkerState, params: np.ndarray, u: np.ndarray, value_fn: ValueFn,
                       low: np.ndarray, high: np.ndarray) -> Step:
    """Candidate uniform in the box [low, high]; keep the best point seen so far."""
    return _keep_better(state, params, low + (high - low) * u, value_fn)


def random_search_draws(d: int) -> int:
    return d


def random_local_search_step(step_size: float) -> Callable[..., Step]:
    """Candidate x + step_size * (uniformly random unit direction); keep it if f went down."""

    def step(state: WalkerState, params: np.ndarray, u: np.ndarray, value_fn: ValueFn,
             low: np.ndarray, high: np.ndarray) -> Step:
        z = box_muller(u)
        norm = np.sqrt((z * z).sum(axis=-1, keepdims=True))
        direction = z / np.where(norm > 0, norm, 1.0)
        return _keep_better(state, params, params + step_size * direction, value_fn)

    return step


def random_local_search_draws(d: int) -> int:
    return 2 * d

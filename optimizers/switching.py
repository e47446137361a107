"""Adam first, SGD after: the article's advice ("Adam for the first epochs, then SGD")."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from optimizers.base import GradientTransformation, Schedule


class SwitchState(NamedTuple):
    """``count``: steps taken; ``first``/``second``: the two phases' own states."""

    count: int
    first: Any
    second: Any


def switch(
    first: GradientTransformation, second: GradientTransformation, switch_step: int
) -> GradientTransformation:
    """Steps t < switch_step use ``first``, later steps ``second`` (which starts fresh at t = K)."""

    def init(params: np.ndarray) -> SwitchState:
        return SwitchState(0, first.init(params), second.init(params))

    def update(grads: np.ndarray, state: SwitchState, params: np.ndarray):
        if state.count < switch_step:
            updates, s = first.update(grads, state.first, params)
            return updates, SwitchState(state.count + 1, s, state.second)
        updates, s = second.update(grads, state.second, params)
        return updates, SwitchState(state.count + 1, state.first, s)

    return GradientTransformation(init, update)


def switched_schedule(first: Schedule, second: Schedule, switch_step: int) -> Schedule:
    """lr_t = first(t) for t < K, else second(t - K); per-path rate arrays broadcast together."""
    shape = np.broadcast_shapes(np.shape(first(0)), np.shape(second(0)))

    def lr(t):
        if np.ndim(t) == 0:
            value = first(t) if t < switch_step else second(t - switch_step)
            return np.broadcast_to(value, shape) if shape else value
        return np.array([lr(int(i)) for i in np.ravel(t)], dtype=float).reshape(
            *np.shape(t), *shape
        )

    return lr

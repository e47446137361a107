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
    """lr_t = first(t) for t < K, else second(t - K) (vectorized over arrays of t)."""

    def lr(t):
        if np.ndim(t) == 0:
            return first(t) if t < switch_step else second(t - switch_step)
        t = np.asarray(t)
        a = np.broadcast_to(np.asarray(first(np.minimum(t, switch_step)), dtype=float), t.shape)
        b = np.broadcast_to(
            np.asarray(second(np.maximum(t - switch_step, 0)), dtype=float), t.shape
        )
        return np.where(t < switch_step, a, b)

    return lr

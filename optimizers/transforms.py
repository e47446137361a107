"""Small composable transforms shared by several optimizers (optax style, PyTorch arithmetic).

Every update follows torch.optim's single-tensor (``foreach=False``) order of operations so that
results agree with PyTorch to rounding (the point itself is always x + u: see
``add_decoupled_weight_decay``). ``lr`` is always a schedule ``t -> lr`` here.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from optimizers.base import GradientTransformation, Schedule


class EmptyState(NamedTuple):
    """State of a stateless transform."""


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Apply transforms in order; the state is the tuple of their states.

    A single transform is returned as is, so the common case pays no chaining overhead.
    """
    if len(transforms) == 1:
        return transforms[0]

    def init(params: np.ndarray) -> tuple[Any, ...]:
        return tuple(t.init(params) for t in transforms)

    def update(grads: np.ndarray, state: tuple[Any, ...], params: np.ndarray):
        new_state = []
        for t, s in zip(transforms, state, strict=True):
            grads, s = t.update(grads, s, params)
            new_state.append(s)
        return grads, tuple(new_state)

    return GradientTransformation(init, update)


def _no_state(params: np.ndarray) -> EmptyState:
    return EmptyState()


def add_decayed_weights(weight_decay: float) -> GradientTransformation:
    """L2 penalty folded into the gradient: g <- g + wd * x (torch's coupled ``weight_decay``)."""

    def update(grads: np.ndarray, state: EmptyState, params: np.ndarray):
        return grads + weight_decay * params, state

    return GradientTransformation(_no_state, update)


class CountState(NamedTuple):
    """How many updates have been applied (selects the learning rate)."""

    count: int


def add_decoupled_weight_decay(lr: Schedule, weight_decay: float) -> GradientTransformation:
    """Decoupled decay (AdamW): x <- x - lr_t * wd * x, applied next to the gradient update.

    It joins the update, x + (u - lr_t wd x), where PyTorch scales the point first,
    x (1 - lr_t wd) + u: the two agree to rounding, not bit for bit."""

    def init(params: np.ndarray) -> CountState:
        return CountState(0)

    def update(updates: np.ndarray, state: CountState, params: np.ndarray):
        return updates + (-lr(state.count) * weight_decay) * params, CountState(state.count + 1)

    return GradientTransformation(init, update)


def scale_by_learning_rate(lr: Schedule) -> GradientTransformation:
    """u <- -lr_t * u (the descent step for transforms that emit a direction)."""

    def init(params: np.ndarray) -> CountState:
        return CountState(0)

    def update(updates: np.ndarray, state: CountState, params: np.ndarray):
        return -lr(state.count) * updates, CountState(state.count + 1)

    return GradientTransformation(init, update)


def lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """torch.lerp: start + w (end - start) for |w| < 0.5, else end - (end - start)(1 - w)."""
    out = end - start  # a fresh temporary: the in-place steps below never touch the inputs
    if abs(weight) < 0.5:
        out *= weight
        out += start
        return out
    out *= 1.0 - weight
    np.subtract(end, out, out=out)
    return out


def ema_of_square(avg: np.ndarray, grads: np.ndarray, decay: float) -> np.ndarray:
    """avg * decay + (1 - decay) g^2 in torch's ``mul_(decay).addcmul_(g, g, 1 - decay)`` order."""
    out = avg * decay
    sq = (1.0 - decay) * grads
    sq *= grads
    out += sq
    return out


def with_weight_decay(core: GradientTransformation, weight_decay: float) -> GradientTransformation:
    """Coupled weight decay (if any) before ``core``, as torch adds wd * x to the gradient first."""
    if weight_decay:
        return chain(add_decayed_weights(weight_decay), core)
    return core

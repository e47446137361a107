"""Stochastic gradient descent with PyTorch's momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optimizers.base import GradientTransformation, Schedule
from optimizers.transforms import with_weight_decay


class SGDState(NamedTuple):
    """``count``: steps taken; ``momentum_buffer``: torch's b (zeros before the first step)."""

    count: int
    momentum_buffer: np.ndarray


def scale_by_sgd(
    lr: Schedule, momentum: float = 0.0, dampening: float = 0.0, nesterov: bool = False
) -> GradientTransformation:
    """torch.optim.SGD (without weight decay).

    b_1 = g_1, b_t = mu b_{t-1} + (1 - tau) g_t; d_t = g_t + mu b_t (Nesterov) or b_t;
    update = -lr_t d_t. With mu = 0, d_t = g_t.
    """

    def init(params: np.ndarray) -> SGDState:
        return SGDState(0, np.zeros_like(params))

    def update(grads: np.ndarray, state: SGDState, params: np.ndarray):
        lr_t = lr(state.count)
        buf = state.momentum_buffer
        if momentum != 0:
            # b_1 is a copy (torch clones it): an objective may overwrite its gradient array
            buf = grads.copy() if state.count == 0 else buf * momentum + (1.0 - dampening) * grads
            direction = grads + momentum * buf if nesterov else buf
        else:
            direction = grads
        return -lr_t * direction, SGDState(state.count + 1, buf)

    return GradientTransformation(init, update)


def sgd(
    lr: Schedule,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> GradientTransformation:
    """SGD with torch's coupled weight decay g <- g + wd x applied first."""
    return with_weight_decay(scale_by_sgd(lr, momentum, dampening, nesterov), weight_decay)

"""Per-coordinate adaptive step sizes: Adagrad, RMSprop and Adadelta (torch.optim semantics)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optimizers.base import GradientTransformation, Schedule
from optimizers.transforms import ema_of_square, lerp, with_weight_decay


class AdagradState(NamedTuple):
    """torch Adagrad state: ``step`` and ``sum`` (accumulated squared gradients)."""

    step: int
    sum: np.ndarray


def adagrad(
    lr: Schedule,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
) -> GradientTransformation:
    """torch Adagrad (Duchi et al.): s_t = s_{t-1} + g^2; clr = lr / (1 + (t - 1) lr_decay);
    update = -clr g / (sqrt(s_t) + eps)."""

    def init(params: np.ndarray) -> AdagradState:
        return AdagradState(0, np.full_like(params, initial_accumulator_value))

    def update(grads: np.ndarray, state: AdagradState, params: np.ndarray):
        lr_t, step = lr(state.step), state.step + 1
        clr = lr_t / (1 + (step - 1) * lr_decay)
        total = state.sum + grads * grads
        std = np.sqrt(total)
        std += eps
        return (-clr * grads) / std, AdagradState(step, total)

    return with_weight_decay(GradientTransformation(init, update), weight_decay)


class RMSpropState(NamedTuple):
    """torch RMSprop state: ``step``, ``square_avg``, ``grad_avg``, ``momentum_buffer``."""

    step: int
    square_avg: np.ndarray
    grad_avg: np.ndarray
    momentum_buffer: np.ndarray


def rmsprop(
    lr: Schedule,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
) -> GradientTransformation:
    """torch RMSprop (Hinton): v_t = a v + (1 - a) g^2; centered: v_t - gbar_t^2 under the root.

    d = sqrt(v_t [- gbar_t^2]) + eps; update = -lr g / d, or with momentum
    b_t = mu b_{t-1} + g / d, update = -lr b_t.
    Centered with a = 0, v_t - gbar_t^2 = g^2 - g^2 is exactly 0 here (d = eps), where torch's
    fused addcmul leaves a rounding residual, negative half the time: torch's sqrt is NaN within a
    few steps. Here the step is then lr g / eps, plain gradient descent at rate lr / eps: it blows
    up (reported as divergence, not NaN) when lr / eps is large, and descends when it is small.
    For 0 < a << 1 the difference loses digits to cancellation in both: they agree to ~1e-12
    of a step at a = 1e-5, ~1e-6 at a = 1e-8, and not at all below ~1e-10, where torch's
    residual also turns NaN at times (measured against torch 2.13 in a review).
    """

    def init(params: np.ndarray) -> RMSpropState:
        zeros = np.zeros_like(params)
        return RMSpropState(0, zeros, zeros, zeros)

    def update(grads: np.ndarray, state: RMSpropState, params: np.ndarray):
        lr_t = lr(state.step)
        square_avg = ema_of_square(state.square_avg, grads, alpha)
        grad_avg = state.grad_avg
        if centered:
            grad_avg = lerp(grad_avg, grads, 1 - alpha)
            avg = np.sqrt(square_avg + (-1 * grad_avg) * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += eps
        buf = state.momentum_buffer
        if momentum > 0:
            buf = buf * momentum + grads / avg
            updates = -lr_t * buf
        else:
            updates = (-lr_t * grads) / avg
        return updates, RMSpropState(state.step + 1, square_avg, grad_avg, buf)

    return with_weight_decay(GradientTransformation(init, update), weight_decay)


class AdadeltaState(NamedTuple):
    """torch Adadelta state: ``step``, ``square_avg`` (E[g^2]), ``acc_delta`` (E[dx^2])."""

    step: int
    square_avg: np.ndarray
    acc_delta: np.ndarray


def adadelta(
    lr: Schedule, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0
) -> GradientTransformation:
    """torch Adadelta (Zeiler): v_t = rho v + (1 - rho) g^2;
    dx = sqrt(u + eps) / sqrt(v_t + eps) g; u_t = rho u + (1 - rho) dx^2; update = -lr dx."""

    def init(params: np.ndarray) -> AdadeltaState:
        zeros = np.zeros_like(params)
        return AdadeltaState(0, zeros, zeros)

    def update(grads: np.ndarray, state: AdadeltaState, params: np.ndarray):
        lr_t = lr(state.step)
        square_avg = ema_of_square(state.square_avg, grads, rho)
        std = np.sqrt(square_avg + eps)
        delta = np.sqrt(state.acc_delta + eps)
        delta /= std
        delta *= grads
        acc_delta = ema_of_square(state.acc_delta, delta, rho)
        return -lr_t * delta, AdadeltaState(state.step + 1, square_avg, acc_delta)

    return with_weight_decay(GradientTransformation(init, update), weight_decay)

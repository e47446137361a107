"""Adam and its relatives (AMSGrad, AdamW, NAdam, RAdam, Adamax) plus Lion.

Each core follows torch.optim's single-tensor code: same state names, same order of operations
within the update, same eps placement. Coupled weight decay (g <- g + wd x) comes first via
``with_weight_decay``; decoupled decay (x <- x - lr wd x) is added next to the update. Two sums
differ from PyTorch's in the last bit (the result agrees to rounding): NAdam adds its two terms
before the point (PyTorch adds each to the point in turn), and decoupled decay is one more term of
the update where PyTorch scales the point first, x (1 - lr wd) + u.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optimizers.base import GradientTransformation, InPlaceStep, Schedule
from optimizers.transforms import (
    add_decayed_weights,
    add_decoupled_weight_decay,
    chain,
    ema_of_square,
    lerp,
    scale_by_learning_rate,
    with_weight_decay,
)


class AdamState(NamedTuple):
    """torch Adam state: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v), ``max_exp_avg_sq``."""

    step: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    max_exp_avg_sq: np.ndarray


def _moments_init(params: np.ndarray) -> AdamState:
    zeros = np.zeros_like(params)
    return AdamState(0, zeros, zeros, zeros)


def _moments(grads: np.ndarray, state: AdamState, beta1: float, beta2: float):
    """m_t = lerp(m, g, 1 - b1); v_t = b2 v + (1 - b2) g^2."""
    return lerp(state.exp_avg, grads, 1.0 - beta1), ema_of_square(state.exp_avg_sq, grads, beta2)


def scale_by_adam(
    lr: Schedule,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    amsgrad: bool = False,
) -> GradientTransformation:
    """torch Adam: update = -(lr / (1 - b1^t)) m_t / (sqrt(v_t) / sqrt(1 - b2^t) + eps).

    AMSGrad replaces v_t by its running maximum in the denominator.
    """
    beta1, beta2 = betas

    def update(grads: np.ndarray, state: AdamState, params: np.ndarray):
        step = state.step + 1
        m, v = _moments(grads, state, beta1, beta2)
        step_size = lr(state.step) / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        vmax = np.maximum(state.max_exp_avg_sq, v) if amsgrad else state.max_exp_avg_sq
        denom = np.sqrt(vmax if amsgrad else v)
        denom /= bias_correction2_sqrt
        denom += eps
        return (-step_size * m) / denom, AdamState(step, m, v, vmax)

    inplace = None if amsgrad else _adam_inplace(lr, beta1, beta2, eps)
    return GradientTransformation(_moments_init, update, inplace)


def _adam_inplace(lr: Schedule, beta1: float, beta2: float, eps: float):
    """``scale_by_adam`` (no AMSGrad) as an in-place step for ``run``: the operations of
    ``lerp``, ``ema_of_square`` and ``update`` in the same order, written into four private
    buffers (m, v, a scratch array and the denominator) instead of fresh arrays each step."""
    w = 1.0 - beta1

    def start(params: np.ndarray) -> InPlaceStep:
        m, v = np.zeros_like(params), np.zeros_like(params)
        buf, denom = np.empty_like(params), np.empty_like(params)
        count = 0

        def step(grads: np.ndarray, x: np.ndarray, out: np.ndarray) -> None:
            nonlocal count
            count += 1
            np.subtract(grads, m, out=buf)  # m = lerp(m, g, 1 - b1)
            if abs(w) < 0.5:
                np.multiply(buf, w, out=buf)
                np.add(m, buf, out=m)
            else:
                np.multiply(buf, 1.0 - w, out=buf)
                np.subtract(grads, buf, out=m)
            np.multiply(v, beta2, out=v)  # v = b2 v + ((1 - b2) g) g
            np.multiply(grads, 1.0 - beta2, out=buf)
            np.multiply(buf, grads, out=buf)
            np.add(v, buf, out=v)
            step_size = lr(count - 1) / (1 - beta1**count)
            np.sqrt(v, out=denom)
            np.divide(denom, (1 - beta2**count) ** 0.5, out=denom)
            np.add(denom, eps, out=denom)
            np.multiply(m, -step_size, out=buf)
            np.divide(buf, denom, out=buf)
            np.add(x, buf, out=out)

        return step

    return start


def adam(
    lr: Schedule,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    decoupled_weight_decay: bool = False,
) -> GradientTransformation:
    """Adam (Kingma & Ba) with torch's coupled weight decay g <- g + wd x, or, with
    ``decoupled_weight_decay`` (torch 2.x), AdamW's x <- (1 - lr wd) x before the step."""
    return _decay(scale_by_adam(lr, betas, eps, amsgrad), lr, weight_decay,
                  decoupled_weight_decay)


def adamw(
    lr: Schedule,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
) -> GradientTransformation:
    """AdamW (Loshchilov & Hutter): Adam plus decoupled decay x <- x - lr wd x (torch's AdamW is
    its Adam with ``decoupled_weight_decay``, and so is this one)."""
    return adam(lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True)


def _decay(
    core: GradientTransformation, lr: Schedule, weight_decay: float, decoupled: bool
) -> GradientTransformation:
    if decoupled and weight_decay:
        return chain(core, add_decoupled_weight_decay(lr, weight_decay))
    return with_weight_decay(core, weight_decay)


class NAdamState(NamedTuple):
    """torch NAdam state: ``step``, ``mu_product`` (prod of mu_i), ``exp_avg``, ``exp_avg_sq``."""

    step: int
    mu_product: float
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray


def nadam(
    lr: Schedule,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum_decay: float = 4e-3,
    decoupled_weight_decay: bool = False,
) -> GradientTransformation:
    """torch NAdam (Dozat): mu_t = b1 (1 - 0.5 * 0.96^(t psi)), Nesterov-style look-ahead.

    update = -lr (1 - mu_t) / (1 - prod mu) g / d - lr mu_{t+1} / (1 - prod mu * mu_{t+1}) m / d,
    d = sqrt(v_t / (1 - b2^t)) + eps.
    """
    beta1, beta2 = betas

    def init(params: np.ndarray) -> NAdamState:
        zeros = np.zeros_like(params)
        return NAdamState(0, 1.0, zeros, zeros)

    def update(grads: np.ndarray, state: NAdamState, params: np.ndarray):
        lr_t, step = lr(state.step), state.step + 1
        bias_correction2 = 1 - beta2**step
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = state.mu_product * mu
        m = lerp(state.exp_avg, grads, 1 - beta1)
        v = ema_of_square(state.exp_avg_sq, grads, beta2)
        denom = np.sqrt(v / bias_correction2)
        denom += eps
        mu_product_next = mu_product * mu_next
        c_grad = -lr_t * (1.0 - mu) / (1.0 - mu_product)
        c_avg = (-lr_t * mu_next) / (1.0 - mu_product_next)
        updates = (c_grad * grads) / denom + (c_avg * m) / denom
        return updates, NAdamState(step, mu_product, m, v)

    return _decay(GradientTransformation(init, update), lr, weight_decay, decoupled_weight_decay)


def radam(
    lr: Schedule,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    decoupled_weight_decay: bool = False,
) -> GradientTransformation:
    """torch RAdam (Liu et al.): rectified Adam, plain momentum SGD while rho_t <= 5.

    rho_inf = 2 / (1 - b2) - 1, rho_t = rho_inf - 2 t b2^t / (1 - b2^t);
    update = -lr m_hat r_t sqrt(1 - b2^t) / (sqrt(v_t) + eps) if rho_t > 5 else -lr m_hat.
    """
    beta1, beta2 = betas
    rho_inf = 2 / (1 - beta2) - 1

    def update(grads: np.ndarray, state: AdamState, params: np.ndarray):
        lr_t, step = lr(state.step), state.step + 1
        m, v = _moments(grads, state, beta1, beta2)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        corrected = m / bias_correction1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
            sqrt_v = np.sqrt(v)
            sqrt_v += eps
            adaptive = (bias_correction2**0.5) / sqrt_v
            step_vec = corrected * lr_t * adaptive * rect
        else:
            step_vec = corrected * lr_t
        return -step_vec, AdamState(step, m, v, state.max_exp_avg_sq)

    core = GradientTransformation(_moments_init, update)
    return _decay(core, lr, weight_decay, decoupled_weight_decay)


class AdamaxState(NamedTuple):
    """torch Adamax state: ``step``, ``exp_avg`` (m), ``exp_inf`` (u, the infinity norm)."""

    step: int
    exp_avg: np.ndarray
    exp_inf: np.ndarray


def adamax(
    lr: Schedule,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> GradientTransformation:
    """torch Adamax: u_t = max(b2 u_{t-1}, |g_t| + eps); update = -(lr / (1 - b1^t)) m_t / u_t."""
    beta1, beta2 = betas

    def init(params: np.ndarray) -> AdamaxState:
        zeros = np.zeros_like(params)
        return AdamaxState(0, zeros, zeros)

    def update(grads: np.ndarray, state: AdamaxState, params: np.ndarray):
        lr_t, step = lr(state.step), state.step + 1
        m = lerp(state.exp_avg, grads, 1 - beta1)
        norm = np.abs(grads)
        norm += eps
        u = np.maximum(state.exp_inf * beta2, norm)
        clr = lr_t / (1 - beta1**step)
        return (-clr * m) / u, AdamaxState(step, m, u)

    return with_weight_decay(GradientTransformation(init, update), weight_decay)


class LionState(NamedTuple):
    """optax Lion state: ``count`` and the momentum ``mu``."""

    count: int
    mu: np.ndarray


def scale_by_lion(b1: float = 0.9, b2: float = 0.99) -> GradientTransformation:
    """optax scale_by_lion: u = sign((1 - b1) g + b1 mu); mu <- (1 - b2) g + b2 mu."""

    def init(params: np.ndarray) -> LionState:
        return LionState(0, np.zeros_like(params))

    def update(grads: np.ndarray, state: LionState, params: np.ndarray):
        direction = np.sign((1 - b1) * grads + b1 * state.mu)
        mu = (1 - b2) * grads + b2 * state.mu
        return direction, LionState(state.count + 1, mu)

    return GradientTransformation(init, update)


def lion(
    lr: Schedule, b1: float = 0.9, b2: float = 0.99, weight_decay: float = 1e-3
) -> GradientTransformation:
    """optax.lion (Chen et al. 2023): x <- x - lr (sign(...) + wd x)."""
    parts = [scale_by_lion(b1, b2)]
    if weight_decay:
        parts.append(add_decayed_weights(weight_decay))
    return chain(*parts, scale_by_learning_rate(lr))

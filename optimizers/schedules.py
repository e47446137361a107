"""Learning-rate schedules: plain ``t -> lr`` callables with torch.optim.lr_scheduler semantics.

``t`` is the 0-based index of the optimizer step (torch: the value of ``last_epoch`` when
``scheduler.step()`` is called once after every ``optimizer.step()``). Every schedule also accepts
an integer array of steps and returns an array, so a whole run's rates are one vectorized call.
Closed forms are used; they equal PyTorch's recursive updates to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizers.base import Schedule
from optimizers.spec import HParam


def _check(name: str, value: float, low: float, high: float, *, open_low: bool = False) -> None:
    number = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool)  # the type first: comparing a string with a bound raised TypeError
    try:
        ok = number and (value > low if open_low else value >= low) and value <= high
    except OverflowError:  # an int beyond any float
        ok = False
    if not ok:
        bracket = "(" if open_low else "["
        if not number:
            raise ValueError(f"{name} must be a number in {bracket}{low:g}, {high:g}], "
                             f"got {value!r}")
        raise ValueError(f"{name}={value!r} is out of range {bracket}{low:g}, {high:g}]")


def _check_int(name: str, value: Any, low: int) -> None:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
        raise ValueError(f"{name}={value!r} must be an integer in [{low}, inf)")


@dataclass(frozen=True, eq=False)
class Constant:
    """lr_t = lr. ``lr`` may also be an array of per-path rates, e.g. (B, 1) for B starts."""

    lr: float | np.ndarray

    def __call__(self, t):
        if isinstance(t, int) or np.ndim(t) == 0:
            return self.lr
        return np.multiply.outer(np.ones(np.shape(t)), self.lr)


def _powers(base: float, k) -> np.ndarray:
    """base ** k for an integer array k, each power as Python's ``float ** int`` computes it.

    The steps take their rate one at a time (``lr(t)`` with an int ``t``); NumPy's vectorized
    power differs from that in the last bit on some CPUs (its SIMD loops), and ~5% of the
    recorded rates (``Trajectory.lr``) then differed from the rates used. One Python power per
    distinct exponent keeps them equal.
    """
    k = np.asarray(k)
    exponents, where = np.unique(k, return_inverse=True)
    return np.array([base ** int(e) for e in exponents], dtype=float)[where].reshape(k.shape)


@dataclass(frozen=True)
class StepLR:
    """torch StepLR: lr_t = lr * gamma^floor(t / step_size)."""

    lr: float
    step_size: int
    gamma: float = 0.1

    def __call__(self, t):
        if np.ndim(t):
            return self.lr * _powers(self.gamma, np.asarray(t) // self.step_size)
        return self.lr * self.gamma ** (t // self.step_size)


@dataclass(frozen=True)
class ExponentialLR:
    """torch ExponentialLR: lr_t = lr * gamma^t."""

    lr: float
    gamma: float

    def __call__(self, t):
        return self.lr * (_powers(self.gamma, t) if np.ndim(t) else self.gamma**t)


def _cosine(lr: float, eta_min: float, t, T_max: int):
    cos = np.cos if np.ndim(t) else math.cos
    return eta_min + (lr - eta_min) * (1.0 + cos(math.pi * t / T_max)) / 2.0


@dataclass(frozen=True)
class CosineAnnealingLR:
    """torch CosineAnnealingLR: lr_t = eta_min + (lr - eta_min)(1 + cos(pi t / T_max)) / 2."""

    lr: float
    T_max: int
    eta_min: float = 0.0

    def __call__(self, t):
        return _cosine(self.lr, self.eta_min, t, self.T_max)


@dataclass(frozen=True)
class WarmupCosine:
    """Linear warmup then cosine: torch SequentialLR(LinearLR, CosineAnnealingLR, [warmup_steps]).

    t < W: lr (s + (1 - s) t / W) with s = start_factor; t >= W: cosine annealing at t - W.
    """

    lr: float
    warmup_steps: int
    T_max: int
    eta_min: float = 0.0
    start_factor: float = 1.0 / 3.0

    def __call__(self, t):
        W, s = self.warmup_steps, self.start_factor
        if np.ndim(t) == 0:
            if t < W:
                return self.lr * (s + (1.0 - s) * t / W)
            return _cosine(self.lr, self.eta_min, t - W, self.T_max)
        t = np.asarray(t)
        warm = self.lr * (s + (1.0 - s) * np.minimum(t, W) / W)
        return np.where(
            t < W, warm, _cosine(self.lr, self.eta_min, np.maximum(t - W, 0), self.T_max)
        )


def constant(lr: float) -> Constant:
    """A fixed learning rate."""
    _check("lr", lr, 0.0, math.inf)
    return Constant(float(lr))


def step_lr(lr: float, step_size: int, gamma: float = 0.1) -> StepLR:
    """Multiply the rate by ``gamma`` every ``step_size`` steps."""
    _check("lr", lr, 0.0, math.inf)
    _check_int("step_size", step_size, 1)
    _check("gamma", gamma, 0.0, 1.0, open_low=True)
    return StepLR(float(lr), int(step_size), float(gamma))


def exponential_lr(lr: float, gamma: float) -> ExponentialLR:
    """Multiply the rate by ``gamma`` every step."""
    _check("lr", lr, 0.0, math.inf)
    _check("gamma", gamma, 0.0, 1.0, open_low=True)
    return ExponentialLR(float(lr), float(gamma))


def cosine_annealing_lr(lr: float, T_max: int, eta_min: float = 0.0) -> CosineAnnealingLR:
    """Half a cosine from ``lr`` down to ``eta_min`` over ``T_max`` steps (periodic after)."""
    _check("lr", lr, 0.0, math.inf)
    _check_int("T_max", T_max, 1)
    _check("eta_min", eta_min, 0.0, lr)
    return CosineAnnealingLR(float(lr), int(T_max), float(eta_min))


def warmup_cosine(
    lr: float, warmup_steps: int, T_max: int, eta_min: float = 0.0, start_factor: float = 1 / 3
) -> WarmupCosine:
    """Ramp linearly from ``start_factor * lr`` to ``lr`` over ``warmup_steps``, then cosine."""
    _check("lr", lr, 0.0, math.inf)
    _check_int("warmup_steps", warmup_steps, 1)
    _check_int("T_max", T_max, 1)
    _check("eta_min", eta_min, 0.0, lr)
    _check("start_factor", start_factor, 0.0, 1.0, open_low=True)
    return WarmupCosine(
        float(lr), int(warmup_steps), int(T_max), float(eta_min), float(start_factor)
    )


SCHEDULES: dict[str, Callable[..., Schedule]] = {
    "constant": constant,
    "step": step_lr,
    "exponential": exponential_lr,
    "cosine": cosine_annealing_lr,
    "warmup_cosine": warmup_cosine,
}
"""Schedule name -> factory; every factory takes the base ``lr`` plus its own parameters."""

SCHEDULE_HPARAMS: dict[str, tuple[HParam, ...]] = {
    "constant": (),
    "step": (
        HParam("step_size", 100, 1, 10_000, kind="int", help="steps between decays"),
        HParam("gamma", 0.1, 1e-3, 1.0, log=True, help="factor applied at each decay"),
    ),
    "exponential": (HParam("gamma", 0.99, 0.9, 1.0, help="factor applied every step"),),
    "cosine": (
        HParam("T_max", 500, 1, 10_000, kind="int", help="steps from lr down to eta_min"),
        HParam("eta_min", 0.0, 0.0, 1.0, help="lowest learning rate, reached at T_max"),
    ),
    "warmup_cosine": (
        HParam("warmup_steps", 50, 1, 10_000, kind="int", help="steps of linear warmup"),
        HParam("T_max", 450, 1, 10_000, kind="int", help="cosine steps after the warmup"),
        HParam("eta_min", 0.0, 0.0, 1.0, help="lowest learning rate, reached at T_max"),
        HParam("start_factor", 1 / 3, 1e-3, 1.0, log=True, help="first warmup lr / lr"),
    ),
}
"""Extra parameters of each schedule (beyond ``lr``), for building UI controls."""


def get_schedule(name: str, **kwargs: Any) -> Schedule:
    """Build a schedule by name, e.g. ``get_schedule("cosine", lr=0.1, T_max=200)``."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; valid: {', '.join(SCHEDULES)}")
    try:
        return SCHEDULES[name](**kwargs)
    except TypeError as exc:
        raise ValueError(f"schedule {name!r}: {exc}") from None


def as_schedule(lr: float | np.ndarray | Schedule) -> Schedule:
    """A float (or an array of per-path rates) becomes a constant schedule; callables stay."""
    if callable(lr):
        return lr
    return Constant(float(lr) if np.ndim(lr) == 0 else np.asarray(lr, dtype=float))


def schedule_values(lr: Schedule, steps: int) -> np.ndarray:
    """lr_t for t = 0 .. steps-1: (steps,) or, for per-path rates, (steps, *rates.shape)."""
    t = np.arange(steps)
    try:
        values = np.asarray(lr(t), dtype=float)
        if values.shape[:1] == (steps,):
            return values
    except (TypeError, ValueError, IndexError):
        pass
    return np.array([np.asarray(lr(int(i)), dtype=float) for i in t], dtype=float).reshape(
        steps, *np.shape(lr(0))
    )

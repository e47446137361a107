"""The update rules the optimizer cards print, transcribed row by row, reproduce the optimizers.

A review found RMSprop's rule without its momentum and centered variants (both controls on its
card) and NAdam's and Adamax's using m_t (and v_t) without defining them. Each test below follows
the printed rows literally, so a rule that drifts from the code fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

from optimizers import OPTIMIZERS, get_optimizer, run
from tests.optimizers.helpers import Quadratic

F = Quadratic()
START = np.array([[2.0, -1.5], [-1.0, 1.5]])
STEPS = 8


def _ours(name: str, **hparams) -> np.ndarray:
    return run(get_optimizer(name, **hparams), F, START, STEPS).points


def _walk(step) -> np.ndarray:
    """Apply ``step(t, x, g, state) -> x`` for t = 1..STEPS from START; the path (STEPS+1, B, 2)."""
    x, state, path = START.copy(), {}, [START.copy()]
    for t in range(1, STEPS + 1):
        x = step(t, x, F.grad(x), state)
        path.append(x)
    return np.array(path)


@pytest.mark.parametrize(("momentum", "centered"), [(0.0, False), (0.7, True), (0.5, False),
                                                    (0.0, True)])
def test_rmsprop_rule(momentum: float, centered: bool) -> None:
    lr, alpha, eps = 0.05, 0.9, 1e-8
    rule = OPTIMIZERS["rmsprop"].update_rule
    assert r"\mu b_{t-1}" in rule and r"\bar g_t" in rule and "centered" in rule

    def step(t, x, g, s):
        s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g**2  # v_t
        s["gbar"] = alpha * s.get("gbar", 0.0) + (1 - alpha) * g if centered else 0.0  # ḡ_t
        d = np.sqrt(s["v"] - s["gbar"] ** 2) + eps  # d_t
        s["b"] = momentum * s.get("b", 0.0) + g / d  # b_t
        return x - lr * s["b"]

    ours = _ours("rmsprop", lr=lr, alpha=alpha, eps=eps, momentum=momentum, centered=centered)
    np.testing.assert_allclose(ours, _walk(step), rtol=1e-12, atol=1e-14)


def test_nadam_rule() -> None:
    lr, (b1, b2), eps, psi = 0.05, (0.9, 0.999), 1e-8, 4e-3
    rule = OPTIMIZERS["nadam"].update_rule
    assert r"m_t &= \beta_1 m_{t-1}" in rule and r"v_t &= \beta_2 v_{t-1}" in rule

    def mu(t):
        return b1 * (1 - 0.5 * 0.96 ** (t * psi))  # μ_t

    def step(t, x, g, s):
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g  # m_t
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g**2  # v_t
        s["prod"] = s.get("prod", 1.0) * mu(t)  # Π_t
        d = np.sqrt(s["v"] / (1 - b2**t)) + eps  # d_t
        n = (1 - mu(t)) * g / (1 - s["prod"]) + mu(t + 1) * s["m"] / (1 - s["prod"] * mu(t + 1))
        return x - lr * n / d

    np.testing.assert_allclose(_ours("nadam", lr=lr), _walk(step), rtol=1e-12, atol=1e-14)


def test_adamax_rule() -> None:
    lr, (b1, b2), eps = 0.05, (0.9, 0.999), 1e-8
    assert r"m_t &= \beta_1 m_{t-1}" in OPTIMIZERS["adamax"].update_rule

    def step(t, x, g, s):
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g  # m_t
        s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(g) + eps)  # u_t
        return x - lr / (1 - b1**t) * s["m"] / s["u"]

    np.testing.assert_allclose(_ours("adamax", lr=lr), _walk(step), rtol=1e-12, atol=1e-14)


def test_radam_rule() -> None:
    """rho_t passes 5 at t = 6 (beta_2 = 0.999), so the 8 steps use both branches of the rule."""
    lr, (b1, b2), eps = 0.02, (0.9, 0.999), 1e-8
    assert r"v_t &= \beta_2 v_{t-1}" in OPTIMIZERS["radam"].update_rule
    rho_inf = 2 / (1 - b2) - 1
    rhos = [rho_inf - 2 * t * b2**t / (1 - b2**t) for t in range(1, STEPS + 1)]
    assert rhos[4] <= 5 < rhos[5]

    def step(t, x, g, s):
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g  # m_t
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g**2  # v_t
        m_hat = s["m"] / (1 - b1**t)
        rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho <= 5:
            return x - lr * m_hat
        r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
        d = (np.sqrt(s["v"]) + eps) / np.sqrt(1 - b2**t)  # d_t
        return x - lr * r * m_hat / d

    np.testing.assert_allclose(_ours("radam", lr=lr), _walk(step), rtol=1e-12, atol=1e-14)

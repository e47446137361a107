"""Small objectives for the optimizer tests (independent of the landscape package)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.optimizers.reference_cases import (
    QUAD_A,
    QUAD_B,
    quadratic_grad,
    quadratic_value,
    rosenbrock_grad,
    rosenbrock_value,
)


class Rosenbrock:
    """f(x, y) = (1 - x)^2 + 100 (y - x^2)^2; minimum 0 at (1, 1)."""

    domain = ((-2.0, 2.0), (-1.0, 3.0))
    minimum = np.array([1.0, 1.0])

    def value(self, x: np.ndarray) -> np.ndarray:
        return rosenbrock_value(np.asarray(x, dtype=float))

    def grad(self, x: np.ndarray) -> np.ndarray:
        return rosenbrock_grad(np.asarray(x, dtype=float))


class Quadratic:
    """f(x) = 0.5 x^T A x - b^T x with A positive definite; minimum at A^{-1} b."""

    domain = ((-3.0, 3.0), (-3.0, 3.0))
    minimum = np.linalg.solve(QUAD_A, QUAD_B)
    min_value = float(quadratic_value(minimum))

    def value(self, x: np.ndarray) -> np.ndarray:
        return quadratic_value(np.asarray(x, dtype=float))

    def grad(self, x: np.ndarray) -> np.ndarray:
        return quadratic_grad(np.asarray(x, dtype=float))


class LeastSquares:
    """A stochastic objective: mean over samples i of 0.5 (w . a_i - y_i)^2, P = 3 parameters."""

    def __init__(self, n_samples: int = 50, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.n_samples = n_samples
        self.features = rng.normal(size=(n_samples, 3))
        self.targets = self.features @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=n_samples)
        self.calls: list[Any] = []

    def _select(self, idx):
        if idx is None:
            return self.features, self.targets
        return self.features[idx], self.targets[idx]

    def value(self, w: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        a, y = self._select(idx)
        r = np.asarray(w) @ a.T - y
        return 0.5 * (r * r).mean(axis=-1)

    def grad(self, w: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        self.calls.append(None if idx is None else np.array(idx))
        a, y = self._select(idx)
        r = np.asarray(w) @ a.T - y
        return r @ a / len(y)


def find_state(state: Any, field: str) -> Any:
    """The first NamedTuple inside a (possibly chained) optimizer state that has ``field``."""
    if hasattr(state, "_fields") and field in state._fields:
        return state
    if isinstance(state, tuple):
        for part in state:
            found = find_state(part, field)
            if found is not None:
                return found
    return None


def iterate(optimizer: Any, objective: Any, start: np.ndarray, steps: int):
    """Plain init/update loop (no run()): the points and the final optimizer state."""
    x = np.array(start, dtype=float)
    state = optimizer.init(x)
    points = [x]
    for _ in range(steps):
        updates, state = optimizer.update(objective.grad(x), state, x)
        x = x + updates
        points.append(x)
    return np.array(points), state

"""What ``get_optimizer`` returns: a configured optimizer as pure functions plus its schedule.

Gradient optimizers follow optax: ``init(params) -> state`` and
``update(grads, state, params) -> (updates, state)``, with ``new_params = params + updates`` and
immutable NamedTuple states. Gradient-free walkers need objective values instead of gradients, so
they are a separate shape (``Walker``) that ``run`` drives through its own step path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

Schedule = Callable[[int], float]
"""A learning rate as a function of the 0-based step index t (the update x_t -> x_{t+1})."""


InPlaceStep = Callable[[np.ndarray, np.ndarray, np.ndarray], None]
"""``step(grads, params, out)``: writes ``params + updates`` into ``out``, updating its state."""


class GradientTransformation(NamedTuple):
    """optax's pair of pure functions; ``update`` returns the additive update and the new state.

    ``inplace`` (optional) is a fast path for ``run``'s loop only: ``inplace(params0)`` returns an
    ``InPlaceStep`` that keeps its state in private buffers it overwrites each step, with exactly
    the arithmetic of ``init``/``update`` (same results, bit for bit). Those buffers never leave
    ``run``, so the states callers get from ``update`` stay immutable.
    """

    init: Callable[[np.ndarray], Any]
    update: Callable[[np.ndarray, Any, np.ndarray], tuple[np.ndarray, Any]]
    inplace: Callable[[np.ndarray], InPlaceStep] | None = None


@dataclass(frozen=True)
class Optimizer:
    """A configured gradient optimizer (``uses_gradient=True``).

    ``learning_rate(t)`` is the rate used by step ``t`` (recorded in ``Trajectory.lr``);
    ``switch_step`` is set by ``adam_then_sgd``: the 0-based index of the first SGD step.
    ``inplace``: the transform's optional in-place fast path (see ``GradientTransformation``).
    """

    name: str
    init: Callable[[np.ndarray], Any]
    update: Callable[[np.ndarray, Any, np.ndarray], tuple[np.ndarray, Any]]
    learning_rate: Schedule
    hparams: Mapping[str, Any] = field(default_factory=dict)
    switch_step: int | None = None
    uses_gradient: bool = True
    inplace: Callable[[np.ndarray], InPlaceStep] | None = None


ValueFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Walker:
    """A configured gradient-free walker (``uses_gradient=False``).

    ``init(params, losses) -> state``;
    ``step(state, params, uniforms, value_fn, low, high) -> (params, losses, state)`` where
    ``uniforms`` (B, n_draws(D)) are the path's own draws in (0, 1) for this step and
    ``low``/``high`` (D,) bound the search box. Each step costs one value evaluation per path.
    """

    name: str
    init: Callable[[np.ndarray, np.ndarray], Any]
    step: Callable[..., tuple[np.ndarray, np.ndarray, Any]]
    n_draws: Callable[[int], int]
    learning_rate: Schedule
    hparams: Mapping[str, Any] = field(default_factory=dict)
    needs_domain: bool = False
    switch_step: int | None = None
    uses_gradient: bool = False

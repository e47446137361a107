"""``run``: drive an optimizer over an objective from one start or a batch of starts.

All starts move together as one (B, D) array. Step t (0-based) goes from points[t] to
points[t+1] with learning rate lr[t]. Losses are the full objective value at every point. The
divergence checks run after the loop, in vectorized chunks, which is exact because a diverged path
is frozen at its last good point and no path influences another (big batches vouch for clean
steps inside the loop, while the step is in cache, and only the others are rescanned).

Speed (big batches): an objective's ``value_and_grad`` gives the loss with the gradient, and an
optimizer's ``inplace`` step (Adam) works in preallocated buffers; both give the same bits as the
plain path. Measured alternatives that lost: chunking the batch into cache-sized pieces (more
calls, no faster passes) and a planar (D, B) layout (contiguous columns for the objective, but
the transposing copy into the recorded (B, D) points costs more than it saves).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optimizers.base import Optimizer, Walker
from optimizers.noise import Minibatches, normals, path_keys, uniforms
from optimizers.schedules import schedule_values
from optimizers.trajectory import Trajectory

DEFAULT_BOUND = 1e6
_CHUNK = 1 << 14  # parameter values per loss evaluation (cache-sized chunks are fastest)
_IN_LOOP_LOSSES = 1 << 12  # batches with this many parameter values record losses in the loop


def _box(domain: Any, d: int) -> tuple[np.ndarray, np.ndarray]:
    box = np.asarray(domain, dtype=float)
    if box.shape != (d, 2) or not np.all(np.isfinite(box)) or np.any(box[:, 0] >= box[:, 1]):
        raise ValueError(f"domain must be {d} finite (low, high) pairs with low < high")
    return box[:, 0], box[:, 1]


def _descend(
    opt: Optimizer,
    objective: Any,
    x: np.ndarray,
    steps: int,
    seed: int,
    noise: float,
    batch_size: int | None,
    bound: float,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The gradient loop; returns points (steps+1, B, D) and, for big batches, losses (steps+1, B)
    and ``clean`` (steps+1,): steps whose points are all within ``bound`` and losses all finite.

    A big batch records its losses inside the loop, while the points are still in cache (from the
    objective's ``value_and_grad`` when it has one), and checks each step there too; a small one
    leaves both (None) to vectorized calls afterwards, which cost less per point.
    """
    points = np.empty((steps + 1, *x.shape))
    points[0] = x
    x = points[0]
    losses = np.empty((steps + 1, x.shape[0])) if x.size >= _IN_LOOP_LOSSES else None
    grad, value = objective.grad, objective.value
    batches = None
    if batch_size is not None:
        n = getattr(objective, "n_samples", None)
        if n is None:
            raise ValueError("batch_size needs a stochastic objective (with n_samples)")
        batches = Minibatches(n, batch_size, seed)
    fused = getattr(objective, "value_and_grad", None) if batches is None else None
    fused = fused if losses is not None else None
    if losses is not None and fused is None:
        losses[0] = value(x)
    keys = path_keys(seed, x) if noise else None
    d = x.shape[-1]
    step = _stepper(opt, x)
    clean = None if losses is None else np.ones(steps + 1, dtype=bool)
    for t in range(steps):
        if fused is not None:  # the loss at x_t comes with its gradient
            losses[t], g = fused(x)
            clean[t] &= _finite(losses[t])
        else:
            g = grad(x) if batches is None else grad(x, batches(t))
        if keys is not None:
            g = g + noise * normals(keys, t, d)
        step(g, x, points[t + 1])
        x = points[t + 1]
        if clean is not None:
            clean[t + 1] = _inside(x, bound)
        if losses is not None and fused is None:
            losses[t + 1] = value(x)
            clean[t + 1] &= _finite(losses[t + 1])
    if fused is not None:
        losses[steps] = value(x)
        clean[steps] &= _finite(losses[steps])
    return points, losses, clean


def _inside(x: np.ndarray, bound: float) -> bool:
    """Every entry finite and within [-bound, bound] (a NaN fails both comparisons)."""
    return bool(x.min() >= -bound and x.max() <= bound)


def _finite(values: np.ndarray) -> bool:
    """Every value finite, or not sure: a finite sum proves it; an overflowing one sends the step
    to the exact check afterwards."""
    return math.isfinite(np.add.reduce(values, axis=None))


def _stepper(opt: Optimizer, x0: np.ndarray):
    """``step(g, x, out)`` writing x + update into ``out``: the optimizer's in-place fast path when
    it has one, else its pure ``update`` with the state kept here."""
    if opt.inplace is not None:
        return opt.inplace(x0)
    state = opt.init(x0)

    def step(g: np.ndarray, x: np.ndarray, out: np.ndarray) -> None:
        nonlocal state
        updates, state = opt.update(g, state, x)
        np.add(x, updates, out=out)

    return step


def _walk(
    walker: Walker, objective: Any, x: np.ndarray, steps: int, seed: int, domain: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The gradient-free loop; returns points (steps+1, B, D) and losses (steps+1, B)."""
    d = x.shape[-1]
    if domain is None:
        domain = getattr(objective, "domain", None)
    if domain is None and walker.needs_domain:
        raise ValueError(f"{walker.name} needs a domain: pass domain= or give the objective one")
    low, high = _box(domain, d) if domain is not None else (None, None)
    value = objective.value
    points = np.empty((steps + 1, *x.shape))
    losses = np.empty((steps + 1, x.shape[0]))
    points[0] = x
    losses[0] = value(x)
    keys, n = path_keys(seed, x), walker.n_draws(d)
    state = walker.init(x, losses[0])
    for t in range(steps):
        x, losses[t + 1], state = walker.step(state, x, uniforms(keys, t, n), value, low, high)
        points[t + 1] = x
    return points, losses


def _values_and_faults(
    objective: Any,
    points: np.ndarray,
    losses: np.ndarray | None,
    bound: float,
    clean: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Full-objective losses (if not given) and a (T, B) mask of bad points (None: all good).

    Works in chunks of steps, skipping those ``clean`` (T,) vouches for; the per-path mask is only
    built when some chunk has a bad value.
    """
    T, B, D = points.shape
    compute = losses is None
    if compute:
        losses = np.empty((T, B))
    bad = None
    rows = max(1, _CHUNK // max(1, B * D))
    for i in range(0, T, rows):
        if not compute and clean is not None and clean[i : i + rows].all():
            continue
        block = points[i : i + rows]
        if compute:
            values = np.asarray(objective.value(block.reshape(-1, D)), dtype=float)
            losses[i : i + rows] = values.reshape(block.shape[:2])
        fine = block.max() <= bound and block.min() >= -bound
        if not (fine and np.isfinite(losses[i : i + rows]).all()):
            if bad is None:
                bad = np.zeros((T, B), dtype=bool)
            inside = np.abs(block) <= bound
            ok = np.isfinite(losses[i : i + rows])
            for d in range(D):
                ok &= inside[..., d]
            bad[i : i + rows] = ~ok
    return losses, bad


def _freeze(points: np.ndarray, losses: np.ndarray, bad: np.ndarray | None) -> np.ndarray:
    """Freeze each path at its last good point from its first bad step on; return those steps."""
    if bad is None:
        return np.full(points.shape[1], -1)
    has = bad.any(axis=0)
    first = np.where(has, bad.argmax(axis=0), -1)
    cols = np.flatnonzero(has)
    if cols.size:
        f = first[cols]
        t = np.arange(points.shape[0])[:, None]
        src = np.where(t >= f, np.maximum(f - 1, 0), t)
        points[:, cols] = points[src, cols]
        losses[:, cols] = losses[src, cols]
    return first


def _check_rates_fit(rate_shape: tuple[int, ...], shape: tuple[int, ...]) -> None:
    """Per-path rates must broadcast against the (B, D) starts without changing their shape."""
    try:
        fits = not rate_shape or np.broadcast_shapes(rate_shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"per-path lr of shape {rate_shape} does not fit the starts {shape}")


def _recorded_lr(optimizer: Optimizer | Walker, steps: int, batch: int) -> np.ndarray:
    """lr_t for every step: (steps,), or (steps, B) when the rates are per path."""
    lr = schedule_values(optimizer.learning_rate, steps)
    if lr.ndim > 1:  # per-path rates, e.g. (B, 1)
        lr = lr.reshape(steps, -1)
        if lr.shape[1] == 1:
            lr = np.broadcast_to(lr, (steps, batch)).copy()
    return lr


def run(
    optimizer: Optimizer | Walker | str,
    objective: Any,
    start: Any,
    steps: int,
    *,
    seed: int = 0,
    noise: float = 0.0,
    batch_size: int | None = None,
    bound: float | None = None,
    domain: Any = None,
) -> Trajectory:
    """Run ``optimizer`` for ``steps`` steps from ``start`` (D,) or a batch of starts (B, D).

    ``noise``: std of Gaussian noise added to each gradient (per path, seeded by ``seed`` and the
    start); ``batch_size``: minibatches of a stochastic objective (shared by all paths);
    ``bound``: |x_i| beyond which a path counts as diverged (default 1e6); ``domain``: search box
    for random search (default ``objective.domain``). ``evaluations[t]`` counts oracle calls per
    path up to step t: one gradient per step, or for walkers one value per step plus the start.
    ``lr`` may hold per-path rates (an array such as (B, 1)); ``Trajectory.lr`` is then (steps, B).
    """
    if isinstance(optimizer, str):
        from optimizers.registry import get_optimizer

        optimizer = get_optimizer(optimizer)
    x = np.array(start, dtype=float)  # a copy: the caller's array is never touched
    if x.ndim not in (1, 2) or x.shape[-1] == 0 or x.size == 0:
        raise ValueError(f"start must have shape (D,) or (B, D), got {x.shape}")
    single = x.ndim == 1
    x = x.reshape(-1, x.shape[-1])
    bound = DEFAULT_BOUND if bound is None else float(bound)
    if not bound > 0:
        raise ValueError(f"bound={bound!r} must be > 0")
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps={steps!r} must be an integer >= 0")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise={noise!r} must be a finite number >= 0")
    if not (np.all(np.isfinite(x)) and np.abs(x).max() <= bound):
        raise ValueError(f"start must be finite and within the bound {bound:g}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed={seed!r} must be an integer")
    _check_rates_fit(np.shape(optimizer.learning_rate(0)), x.shape)
    steps = int(steps)
    with np.errstate(all="ignore"):
        if optimizer.uses_gradient:
            points, losses, clean = _descend(
                optimizer, objective, x, steps, seed, noise, batch_size, bound
            )
            evaluations = np.arange(steps + 1)
        else:
            points, losses = _walk(optimizer, objective, x, steps, seed, domain)
            evaluations, clean = np.arange(1, steps + 2), None
        losses, bad = _values_and_faults(objective, points, losses, bound, clean)
        diverged = _freeze(points, losses, bad)
    switch = optimizer.switch_step
    lr = _recorded_lr(optimizer, steps, x.shape[0])
    return Trajectory(
        points=points[:, 0] if single else points,
        losses=losses[:, 0] if single else losses,
        evaluations=evaluations,
        diverged_step=int(diverged[0]) if single else diverged,
        lr=lr[:, 0] if single and lr.ndim > 1 else lr,
        switch_step=switch if switch is not None and switch < steps else None,
        optimizer=optimizer.name,
        hparams=dict(optimizer.hparams),
    )

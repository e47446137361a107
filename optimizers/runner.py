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
from optimizers.recording import EndpointRecord, Endpoints, FullRecord
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
    record: FullRecord | EndpointRecord,
    seed: int,
    noise: float,
    batch_size: int | None,
    bound: float,
) -> None:
    """The gradient loop, filling ``record``'s blocks with the points and, for big batches (the
    record's ``losses`` not None), the losses and per-row ``clean`` checks.

    A big batch records its losses inside the loop, while the points are still in cache (from the
    objective's ``value_and_grad`` when it has one), and checks each step there too; a small one
    leaves both to vectorized calls afterwards, which cost less per point.
    """
    x = record.points[0]
    grad, value = objective.grad, objective.value
    batches = None
    if batch_size is not None:
        n = getattr(objective, "n_samples", None)
        if n is None:
            raise ValueError("batch_size needs a stochastic objective (with n_samples)")
        if isinstance(seed, np.ndarray):
            raise ValueError("one seed per path needs gradient noise, not minibatches (every "
                             "path of a batch shares its minibatches)")
        batches = Minibatches(n, batch_size, seed)
    fused = getattr(objective, "value_and_grad", None) if batches is None else None
    fused = fused if record.losses is not None else None
    if record.losses is not None and fused is None:
        record.losses[0] = value(x)
    keys = path_keys(seed, x) if noise else None
    d = x.shape[-1]
    step = _stepper(opt, x.copy())  # a copy: the record may reuse row 0's memory
    for block in record.blocks():
        points, losses, clean = block.points, block.losses, block.clean
        x = points[0]
        for j in range(block.n):
            t = block.t0 + j
            if fused is not None:  # the loss at x_t comes with its gradient
                losses[j], g = fused(x)
                clean[j] &= _finite(losses[j])
            else:
                g = grad(x) if batches is None else grad(x, batches(t))
            if keys is not None:
                g = g + noise * normals(keys, t, d)
            step(g, x, points[j + 1])
            x = points[j + 1]
            if clean is not None:
                clean[j + 1] = _inside(x, bound)
            if losses is not None and fused is None:
                losses[j + 1] = value(x)
                clean[j + 1] &= _finite(losses[j + 1])
        if fused is not None and block.last:
            losses[block.n] = value(x)
            clean[block.n] &= _finite(losses[block.n])


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


def _walk(walker: Walker, objective: Any, record: FullRecord | EndpointRecord, seed: int,
          domain: Any) -> None:
    """The gradient-free loop, filling ``record``'s blocks with points and losses."""
    x = record.points[0]
    d = x.shape[-1]
    if domain is None:
        domain = getattr(objective, "domain", None)
    if domain is None and walker.needs_domain:
        raise ValueError(f"{walker.name} needs a domain: pass domain= or give the objective one")
    low, high = _box(domain, d) if domain is not None else (None, None)
    value = objective.value
    record.losses[0] = value(x)
    keys, n = path_keys(seed, x), walker.n_draws(d)
    state = walker.init(x.copy(), record.losses[0].copy())  # the record reuses row 0
    for block in record.blocks():
        points, losses = block.points, block.losses
        x = points[0]
        for j in range(block.n):
            x, losses[j + 1], state = walker.step(
                state, x, uniforms(keys, block.t0 + j, n), value, low, high
            )
            points[j + 1] = x


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


def _undefined(points: np.ndarray, losses: np.ndarray, bad: np.ndarray | None,
               bound: float) -> np.ndarray:
    """Per path: its first bad point is finite and within ``bound`` but its loss is not (the
    objective has no value there). Call before ``_freeze`` replaces that point."""
    out = np.zeros(points.shape[1], dtype=bool)
    if bad is None:
        return out
    cols = np.flatnonzero(bad.any(axis=0))
    first = bad[:, cols].argmax(axis=0)
    p, v = points[first, cols], losses[first, cols]
    out[cols] = np.isfinite(p).all(axis=1) & (np.abs(p) <= bound).all(axis=1) & ~np.isfinite(v)
    return out


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


def _prepared(optimizer: Optimizer | Walker | str, start: Any, steps: Any, seed: Any,
              noise: float, bound: float | None):
    """Checked inputs of a run: (optimizer, starts (B, D) copy, single, steps, bound)."""
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
    if isinstance(seed, np.ndarray):
        if (seed.shape != (x.shape[0],) or not np.issubdtype(seed.dtype, np.integer)):
            raise ValueError(f"seeds must be one integer per start ({x.shape[0]}), got "
                             f"{seed.dtype} {seed.shape}")
    elif isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed={seed!r} must be an integer")
    _check_rates_fit(np.shape(optimizer.learning_rate(0)), x.shape)
    return optimizer, x, single, int(steps), bound


def _loop(optimizer: Optimizer | Walker, objective: Any, record: FullRecord | EndpointRecord,
          seed: int, noise: float, batch_size: int | None, bound: float, domain: Any) -> None:
    if optimizer.uses_gradient:
        _descend(optimizer, objective, record, seed, noise, batch_size, bound)
    else:
        _walk(optimizer, objective, record, seed, domain)


def _evaluations(optimizer: Optimizer | Walker, steps: int) -> np.ndarray:
    """Oracle calls per path up to each step: a gradient per step, or a value per step plus the
    start's for walkers."""
    return np.arange(steps + 1) if optimizer.uses_gradient else np.arange(1, steps + 2)


def _record_modes(optimizer: Optimizer | Walker, x: np.ndarray) -> tuple[bool, bool]:
    """(losses in the loop, checks in the loop): big gradient batches and every walker record
    losses as they go; only gradient loops vouch for clean rows."""
    big = x.size >= _IN_LOOP_LOSSES
    return (big or not optimizer.uses_gradient), (big and optimizer.uses_gradient)


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
    start; ``seed`` may be an integer array, one per start: path i then draws exactly as a run of
    its own with ``seed[i]``, not with minibatches); ``batch_size``: minibatches of a stochastic
    objective (shared by all paths);
    ``bound``: |x_i| beyond which a path counts as diverged (default 1e6); ``domain``: search box
    for random search (default ``objective.domain``). ``evaluations[t]`` counts oracle calls per
    path up to step t: one gradient per step, or for walkers one value per step plus the start.
    ``lr`` may hold per-path rates (an array such as (B, 1)); ``Trajectory.lr`` is then (steps, B).
    """
    optimizer, x, single, steps, bound = _prepared(optimizer, start, steps, seed, noise, bound)
    record = FullRecord(x, steps, *_record_modes(optimizer, x))
    with np.errstate(all="ignore"):
        _loop(optimizer, objective, record, seed, noise, batch_size, bound, domain)
        points = record.points
        losses, bad = _values_and_faults(objective, points, record.losses, bound, record.clean)
        undefined = _undefined(points, losses, bad, bound)
        diverged = _freeze(points, losses, bad)
    switch = optimizer.switch_step
    lr = _recorded_lr(optimizer, steps, x.shape[0])
    return Trajectory(
        points=points[:, 0] if single else points,
        losses=losses[:, 0] if single else losses,
        evaluations=_evaluations(optimizer, steps),
        diverged_step=int(diverged[0]) if single else diverged,
        lr=lr[:, 0] if single and lr.ndim > 1 else lr,
        switch_step=switch if switch is not None and switch < steps else None,
        optimizer=optimizer.name,
        hparams=dict(optimizer.hparams),
        undefined=bool(undefined[0]) if single else undefined,
    )


def run_endpoints(
    optimizer: Optimizer | Walker | str,
    objective: Any,
    start: Any,
    steps: int,
    *,
    targets: Any = None,
    radius: float = 0.0,
    seed: int = 0,
    noise: float = 0.0,
    batch_size: int | None = None,
    bound: float | None = None,
    domain: Any = None,
) -> Endpoints:
    """``run`` for a batch of starts (B, D) keeping only where each path ends (``Endpoints``):
    memory O(B) instead of O(steps x B), the same numbers as ``run``. ``targets`` (K, D) with
    ``radius`` also gives the first step each path came within ``radius`` of each target."""
    optimizer, x, _, steps, bound = _prepared(optimizer, start, steps, seed, noise, bound)
    if not (math.isfinite(radius) and radius >= 0):
        raise ValueError(f"radius={radius!r} must be a finite number >= 0")
    if targets is not None:
        targets = np.asarray(targets, dtype=float).reshape(-1, x.shape[-1])

    def check(points, losses, clean):
        return _values_and_faults(objective, points, losses, bound, clean)

    record = EndpointRecord(x, steps, *_record_modes(optimizer, x), check, targets, radius)
    with np.errstate(all="ignore"):
        _loop(optimizer, objective, record, seed, noise, batch_size, bound, domain)
    return record.endpoints(_evaluations(optimizer, steps))

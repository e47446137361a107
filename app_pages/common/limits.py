"""Resource limits that protect a shared server. Every page enforces them from here.

Each limit is a plain number with a reason; the README's limits table is generated from LIMITS.

- Counts a visitor asks for (steps, optimizers, grid cells, layers, samples ...) go through
  ``clamp_count(name, n)``, which returns the value to use and a message that names the limit.
- A basin map keeps only where each path ends (``optimizers.runner.run_endpoints``), so its memory
  does not grow with steps; its time does. ``clamp_steps(steps, starts)`` keeps steps x starts
  within ``basin_work`` so one map costs at most a few seconds of one core.
- Every ``st.cache_data`` / ``st.cache_resource`` takes ``**cache_bounds()`` so memory levels off.
- Big batched computations (a basin map, a sweep, a training run) run inside ``heavy_slot()``:
  at most ``concurrent_heavy_runs`` at once per server, the rest wait their turn. Two cores gain
  nothing from more, and ten visitors' basin maps at once would not fit in 1 GB.
- A race on a typed formula runs the formula's value-and-gradient program at every step, and
  that program grows with the formula (about quadratically for a product), so
  ``clamp_formula_steps(steps, racers, cost)`` keeps operations x steps x racers within
  ``formula_work``.
- The other formula limits (``formula_*``) are enforced by ``landscape.from_expression`` (which
  raises ``ExpressionError`` with the limit in its message); they are listed here, not re-checked.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from app_pages.common.words import plural

# Formula complexity is enforced where formulas are parsed; the numbers live there and are
# re-exported below (not copied) so the README's table and the parser cannot disagree.
from landscape import expression as _expression
from landscape import expression_parse as _formula


@dataclass(frozen=True)
class Limit:
    name: str
    value: int
    what: str


LIMITS: dict[str, Limit] = {
    limit.name: limit
    for limit in (
        Limit("steps", 2000, "optimizer steps per run"),
        Limit("optimizers", 8, "optimizers raced at once"),
        Limit("basin_grid", 200, "cells per side of a basin map (200 x 200 starts)"),
        Limit("sweep_rates", 100, "learning rates in one sweep"),
        Limit("small_multiples", 8, "learning rates shown side by side"),
        Limit("hidden_layers", 3, "hidden layers of the neural network"),
        Limit("layer_width", 64, "neurons per hidden layer"),
        Limit("samples", 2000, "points in a toy data set"),
        Limit("epochs", 500, "training epochs of the neural network"),
        # ~1 s of one core per optimizer: the loss over every training point is recorded at every
        # step, so the cost is steps x (points + 1) x weights multiply-adds, plus a step's fixed
        # cost (network.STEP_OVERHEAD).
        Limit("train_work", 3_000_000_000,
              "multiply-adds of one network training run (steps x (points x weights + "
              "a step's fixed cost))"),
        # A run per optimizer. At 9e9, 8 of the biggest runs (3 x 64 net, 2000 points) took
        # 16-22 s of one core on 2026-12-02 (once ~11 s): 6e9 keeps them near 11 s.
        Limit("network_page_work", 6_000_000_000,
              "multiply-adds of all the training runs of one network page together"),
        Limit("landscape_grid", 61, "grid points per side of the network's loss-landscape slice"),
        Limit("url_value_chars", 500, "characters in one URL parameter"),
        # 200 x 200 starts x 500 steps: 0.6 s of one core for Adam, 2.5 s for random local search.
        Limit("basin_work", 20_000_000,
              "starts x steps of one basin map (200 x 200 starts x 500 steps)"),
        # A map per optimizer: 8 maps of 200 x 200 x 500 on Levy with gradient noise took 42 s
        # (costly surfaces and noise take up to ~5 s per 20 M start-steps); ~10 s at most now.
        Limit("basins_page_work", 40_000_000,
              "starts x steps of all the maps of one basins page together"),
        # ~1.3 us of one core per operation and step: ~1.6 s of runs for the costliest race on a
        # typed formula (~2.5 s with building it and the figures). Goldstein-Price typed in (71
        # operations) still races 8 optimizers x 2000 steps.
        Limit("formula_work", 1_200_000,
              "gradient operations x steps x optimizers of one race on a typed formula"),
        # A race's cached figures at 8 optimizers x 2000 steps hold ~10 MB: 16 of them per cached
        # function keeps the worst case of every page together well inside 1 GB.
        Limit("cache_entries", 16, "results each cached computation keeps (least recent dropped)"),
        Limit("cache_ttl_seconds", 1800, "seconds a cached result is kept"),
        Limit("concurrent_heavy_runs", 2,
              "big computations running at once on one server (more visitors wait their turn)"),
        Limit("formula_chars", _formula.MAX_LENGTH, "characters in a custom formula"),
        Limit("formula_parts", _formula.MAX_NODES, "syntax-tree nodes in a custom formula"),
        Limit("formula_depth", _formula.MAX_DEPTH, "nesting levels of a custom formula"),
        Limit("formula_power_tower", _formula.MAX_TOWER,
              "stacked powers in a formula (a ** b ** c ** d at most)"),
        Limit("formula_exponent", round(_formula.MAX_EXPONENT),
              "size of a constant exponent in a formula"),
        Limit("formula_range", round(_expression.MAX_COORD),
              "largest |x| or |y| of a custom formula's domain"),
    )
}


def limit(name: str) -> int:
    """The numeric cap called ``name`` (KeyError for an unknown limit: a programming error)."""
    return LIMITS[name].value


def clamp_count(name: str, requested: int) -> tuple[int, str | None]:
    """Clamp a requested count into [1, limit]; return it and a message when it was changed."""
    cap = limit(name)
    if requested > cap:
        return cap, f"{LIMITS[name].what.capitalize()} are limited to {cap}; using {cap}."
    if requested < 1:
        return 1, f"{LIMITS[name].what.capitalize()} must be at least 1; using 1."
    return requested, None


def clamp_steps(steps: int, starts: int, maps: int = 1) -> tuple[int, str | None]:
    """Clamp ``steps`` into [1, steps] and so that steps x starts <= basin_work and
    steps x starts x maps <= basins_page_work; with a message."""
    steps, message = clamp_count("steps", steps)
    one, page = _step_budget("basin_work", starts), _step_budget("basins_page_work", starts * maps)
    if steps <= min(one, page):
        return steps, message
    if one <= page:
        return one, (
            f"{plural(starts, 'start')} x {plural(steps, 'step')} is more work than one map "
            f"may take ({limit('basin_work'):,} start-steps); using {plural(one, 'step')}. "
            "Fewer cells allow more steps."
        )
    return page, (
        f"{plural(maps, 'map')} x {plural(starts, 'start')} x {plural(steps, 'step')} is more "
        f"work than one page may take ({limit('basins_page_work'):,} start-steps); using "
        f"{plural(page, 'step')}. Fewer cells or optimizers allow more steps."
    )


def clamp_formula_steps(steps: int, racers: int, cost: int) -> tuple[int, str | None]:
    """Clamp ``steps`` into [1, steps] and so that cost x steps x racers <= formula_work, where
    ``cost`` is the typed formula's operations per gradient step; with a message saying why."""
    steps, message = clamp_count("steps", steps)
    budget = _step_budget("formula_work", racers * cost)
    if steps > budget:
        return budget, (
            f"This formula takes {plural(cost, 'operation')} per gradient step, so "
            f"{plural(racers, 'optimizer')} x {plural(steps, 'step')} is more work than one race "
            f"may take ({limit('formula_work'):,} operations); each optimizer runs "
            f"{plural(budget, 'step')}."
        )
    return steps, message


def _step_budget(name: str, per_step: int) -> int:
    """The most steps (at least 1) that work limit ``name`` allows at ``per_step`` a step."""
    return max(1, limit(name) // max(1, per_step))


def cache_bounds(max_bytes: int | None = None) -> dict[str, int]:
    """Keyword arguments that bound a Streamlit cache: ``st.cache_data(**cache_bounds())``.

    ``max_bytes`` also bounds the cache's pickled bytes (``max_size``, least recent dropped):
    for ``st.cache_data`` and ``memo`` only (``st.cache_resource`` has no byte bound)."""
    bounds = {"max_entries": limit("cache_entries"), "ttl": limit("cache_ttl_seconds")}
    return bounds if max_bytes is None else {**bounds, "max_size": max_bytes}


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library is another one."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def release_memory() -> None:
    """Give the OS back the heap memory Python and NumPy have freed (a no-op without glibc).

    glibc keeps freed blocks for reuse, in one heap per thread, and Streamlit runs every script
    run in a new thread: after big computations the server's memory stayed at its peak."""
    if _TRIM is not None:
        _TRIM(0)


_HEAVY = threading.BoundedSemaphore(limit("concurrent_heavy_runs"))


@contextmanager
def heavy_slot() -> Iterator[None]:
    """Hold one of the server's ``concurrent_heavy_runs`` slots while a big computation runs;
    on leaving it, return the memory the computation freed (``release_memory``)."""
    try:
        with _HEAVY:
            yield
    finally:
        release_memory()

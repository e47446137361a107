"""Memory levels off however many different settings visitors ask for.

The race's cached computations are called with three times ``cache_entries`` settings no one asked
for before (a new seed each time, same size of work). Once the caches are full, older results are
dropped: the memory held after 3 N settings is what it was after 2 N, not 50 % more.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable

import pytest

from app_pages.common.limits import limit


def _held_after(call: Callable[[int], object], rounds: tuple[int, ...]) -> list[int]:
    """Bytes traced (held by Python and NumPy) after each cumulative number of distinct calls."""
    held, done = [], 0
    tracemalloc.start(1)
    try:
        for total in rounds:
            for i in range(done, total):
                call(i)
            done = total
            gc.collect()
            held.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    return held


def _levels_off(held: list[int]) -> bool:
    """Growth from 2 N to 3 N settings is under a tenth of the growth from 0 to 2 N (+ 256 kB)."""
    return held[2] - held[1] <= 0.1 * max(held[1] - held[0], 0) + 256 * 1024


def test_levels_off_detects_growth() -> None:
    assert _levels_off([0, 10_000_000, 10_100_000])
    assert not _levels_off([0, 10_000_000, 15_000_000])


@pytest.mark.slow
def test_race_caches_level_off() -> None:
    from app_pages.common import compute
    from landscape import SURFACES
    from optimizers import OPTIMIZERS
    from viz.playback import Playback

    surface = "six_hump_camel"
    start = tuple(SURFACES[surface].default_start)
    racers = tuple(compute.entry(name, {h.name: h.default for h in OPTIMIZERS[name].hparams})
                   for name in ("sgd", "adam"))

    def race(seed: int) -> object:
        return compute.race_figures(surface, "", racers, start, 60, seed, 0.1, None, Playback())

    race(-1)  # background grid and image: cached once per surface, not per setting
    n = limit("cache_entries")
    held = _held_after(race, (1, 2 * n, 3 * n))
    assert _levels_off(held), [round(h / 2**20, 2) for h in held]


@pytest.mark.slow
def test_basin_caches_level_off() -> None:
    from app_pages.common import compute, lab_compute
    from optimizers import OPTIMIZERS

    racer = compute.entry("sgd", {h.name: h.default for h in OPTIMIZERS["sgd"].hparams})

    def basin(seed: int) -> object:
        return lab_compute.basin_map("six_hump_camel", racer, 12, 40, seed, 0.1)

    basin(-1)
    n = limit("cache_entries")
    held = _held_after(basin, (1, 2 * n, 3 * n))
    assert _levels_off(held), [round(h / 2**20, 2) for h in held]

"""Resource limits that protect a shared server. Every page enforces them from here.

Each limit is a plain number with a reason; the README's limits table is generated from LIMITS.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        Limit("landscape_grid", 61, "grid points per side of the network's loss-landscape slice"),
        Limit("url_value_chars", 500, "characters in one URL parameter"),
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

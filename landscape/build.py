"""Small constructors shared by the surface modules."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from landscape.base import Domain, Minimum, Surface
from landscape.minima import as_minima, grid_candidates, unique_minima

Fn = Callable[..., object]


def surface(name: str, f: Fn, df: Fn, description: str, **kw: object) -> Surface:
    """A Surface from ``f(x, y)`` and ``df(x, y) -> (df/dx, df/dy)``; description whitespace is
    collapsed so it can be written as an indented triple-quoted block."""
    text = " ".join(description.split())
    return Surface(name=name, f=f, df=df, description=text, **kw)  # type: ignore[arg-type]


def lattice(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """All points (x, y) with x in xs, y in ys, as (len(xs) * len(ys), 2)."""
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


def grid_starts(f: Fn, domain: Domain, n: int) -> np.ndarray:
    """Discrete local minima of f on an n x n grid over domain: starts for Newton."""
    return grid_candidates(lambda p: f(p[..., 0], p[..., 1]), domain, n)


def lattice_minima(f: Fn, df: Fn, domain: Domain, starts: np.ndarray) -> tuple[Minimum, ...]:
    """All strict local minima reached by Newton's method from ``starts`` (k, 2), inside domain."""
    probe = Surface("", "", "", domain, (), (0.0, 0.0), f=f, df=df)
    pts, vals = unique_minima(probe.value, probe.grad, starts, domain)
    return as_minima(pts, vals)

"""The shape every landscape shares: a scalar field over a trailing parameter axis.

A ``Surface`` maps points ``xy`` of shape ``(..., 2)`` to values ``(...)`` and exact gradients
``(..., 2)``. Higher-dimensional objectives (data-driven losses, the neural network) follow the same
``value``/``grad`` protocol over ``(..., P)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, runtime_checkable

import numpy as np

Domain = tuple[tuple[float, float], tuple[float, float]]


def inside(points: np.ndarray | tuple[float, float], domain: Domain,
           slack: float = 0.0) -> np.ndarray:
    """Whether each point (..., 2) lies in ``domain`` widened by ``slack``: x0 - slack <= x <=
    x1 + slack, and so for y (edges included; a non-finite point does not)."""
    pts = np.asarray(points, dtype=float)
    (x0, x1), (y0, y1) = domain
    x0, x1, y0, y1 = x0 - slack, x1 + slack, y0 - slack, y1 + slack
    with np.errstate(invalid="ignore"):
        return ((pts[..., 0] >= x0) & (pts[..., 0] <= x1)
                & (pts[..., 1] >= y0) & (pts[..., 1] <= y1))


def diagonal(domain: Domain) -> float:
    """The domain's diagonal, sqrt((x1 - x0)^2 + (y1 - y0)^2): the map's own length scale."""
    (x0, x1), (y0, y1) = domain
    return float(np.hypot(x1 - x0, y1 - y0))


@dataclass(frozen=True)
class Minimum:
    """A stationary point that is a local minimum: f(point) = value, grad f(point) = 0."""

    point: tuple[float, float]
    value: float
    is_global: bool
    label: str = ""


@runtime_checkable
class Objective(Protocol):
    """Anything the optimizers can descend: value and gradient over a trailing parameter axis."""

    def value(self, params: np.ndarray) -> np.ndarray: ...

    def grad(self, params: np.ndarray) -> np.ndarray: ...


@runtime_checkable
class StochasticObjective(Objective, Protocol):
    """An objective that is a mean over ``n_samples`` terms; ``idx`` selects a minibatch.

    ``value(params, idx)`` and ``grad(params, idx)`` average over the samples ``idx`` only
    (``idx=None``: all samples, the full-batch loss and gradient).
    """

    n_samples: int

    def value(self, params: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray: ...

    def grad(self, params: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray: ...


def _pair(shape: tuple[int, ...], gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """(gx, gy) stacked on a trailing axis of size 2, scalars broadcast (cheaper than np.stack)."""
    g = np.empty(shape)
    g[..., 0] = gx
    g[..., 1] = gy
    return g


@dataclass(frozen=True, eq=False)
class Surface:
    """A 2D landscape with known minima, a plotting domain and a starting point that races well.

    Subclasses (or instances built with ``f`` and ``df``) provide ``value`` and ``grad``. An
    optional ``fdf(x, y) -> (f, df/dx, df/dy)`` computes both at once, sharing subexpressions,
    with the same arithmetic as ``f`` and ``df`` (so the same bits); ``value_and_grad`` uses it.
    ``log_scale`` asks figures to colour by log(f - f_min + 1) because the range is wide.
    ``axes`` names the two coordinates (a data loss's are its parameters, e.g. ``("w", "b")``).
    """

    name: str
    title: str
    description: str
    domain: Domain
    minima: tuple[Minimum, ...]
    default_start: tuple[float, float]
    latex: str = ""
    log_scale: bool = False
    f: object = field(default=None, repr=False)
    df: object = field(default=None, repr=False)
    fdf: object = field(default=None, repr=False)
    axes: tuple[str, str] = ("x", "y")

    def value(self, xy: np.ndarray) -> np.ndarray:
        """f(x, y) for ``xy`` of shape (..., 2) -> (...)."""
        xy = np.asarray(xy, dtype=float)
        return self.f(xy[..., 0], xy[..., 1])

    def grad(self, xy: np.ndarray) -> np.ndarray:
        """(df/dx, df/dy) for ``xy`` of shape (..., 2) -> (..., 2)."""
        xy = np.asarray(xy, dtype=float)
        gx, gy = self.df(xy[..., 0], xy[..., 1])
        return _pair(xy.shape, gx, gy)

    def value_and_grad(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(f, grad f) at ``xy`` (..., 2): equal to ``(value(xy), grad(xy))``, in one pass when the
        surface has a fused ``fdf``."""
        xy = np.asarray(xy, dtype=float)
        if self.fdf is None:
            return self.value(xy), self.grad(xy)
        value, gx, gy = self.fdf(xy[..., 0], xy[..., 1])
        return value, _pair(xy.shape, gx, gy)

    @property
    def global_minima(self) -> tuple[Minimum, ...]:
        return tuple(m for m in self.minima if m.is_global)

    @cached_property
    def min_value(self) -> float:
        """The global minimum value: f at the declared global minima, the lowest, to rounding.
        The declared values are decimals (two basins' -1.6188551081 is 5e-12 below f there, so
        a path at the bottom showed a gap of 5e-12, above the charts' 1e-12 floor); a point
        given to ~10 digits pins f far closer (its error is squared). The declared value where
        f cannot be taken there (an edge or a pole of a formula)."""
        values = []
        for m in self.minima:
            with np.errstate(all="ignore"):
                v = float(self.value(np.asarray(m.point, dtype=float)))
            ok = np.isfinite(v) and abs(v - m.value) <= 1e-6 * (1.0 + abs(m.value))
            values.append(v if ok else m.value)
        return min(values)


def batches_per_epoch(n: int, batch_size: int | None) -> int:
    """Minibatch steps in one pass over ``n`` samples: ceil(n / batch_size); 1 for full batch
    (``batch_size`` None or at least n)."""
    if batch_size is None:
        return 1
    return max(1, -(-int(n) // max(1, int(batch_size))))

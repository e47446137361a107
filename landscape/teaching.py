"""Teaching surfaces: each one makes a single idea of the study note visible.

All are smooth with analytic gradients; their minima are literals verified numerically (Newton
from a dense grid, see tests/landscape).
"""

from __future__ import annotations

import numpy as np

from landscape.base import Surface
from landscape.build import surface
from landscape.minima import as_minima

Arr = np.ndarray
Pair = tuple[Arr, Arr]

# Gaussian wells (centre x, centre y, width sigma, depth) on a gentle bowl k |p|^2.
_WELLS = ((-1.5, 1.0, 1.3, 1.0), (2.0, -1.5, 0.55, 1.8))
_BOWL = 0.03


def _well(x: Arr, y: Arr, cx: float, cy: float, s: float, depth: float) -> tuple[Arr, Arr, Arr]:
    """-depth exp(-|p - c|^2 / 2 s^2) and its gradient depth exp(...) (p - c) / s^2."""
    e = depth * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
    return -e, e * (x - cx) / s**2, e * (y - cy) / s**2


def two_basins(x: Arr, y: Arr) -> Arr:
    """k |p|^2 - sum_i d_i exp(-|p - c_i|^2 / 2 s_i^2): a wide shallow well, a narrow deep one."""
    return _BOWL * (x**2 + y**2) + sum(_well(x, y, *w)[0] for w in _WELLS)


def two_basins_grad(x: Arr, y: Arr) -> Pair:
    parts = [_well(x, y, *w) for w in _WELLS]
    return 2 * _BOWL * x + sum(p[1] for p in parts), 2 * _BOWL * y + sum(p[2] for p in parts)


TWO_BASINS = surface(
    "two_basins", two_basins, two_basins_grad,
    title="Two basins: the near one is a trap",
    description="""
        A wide, shallow basin close to the start holds only a local minimum; the global one is a
        narrow, deeper hole further away. Watch gradient descent settle in the near basin while
        random search, which samples everywhere, can find the deep hole.
    """,
    domain=((-4.0, 4.0), (-4.0, 4.0)),
    minima=as_minima([(1.9784705228, -1.48390822634), (-1.36086220402, 0.907241469346)],
                     [-1.6188551081, -0.911509921856]),
    default_start=(-3.5, 3.0),
    latex=r"f(x,y) = 0.03\,(x^2+y^2) - e^{-\frac{|p-(-1.5,\,1)|^2}{2\cdot 1.3^2}} "
    r"- 1.8\,e^{-\frac{|p-(2,\,-1.5)|^2}{2\cdot 0.55^2}}",
)

TEACHING: tuple[Surface, ...] = (TWO_BASINS,)

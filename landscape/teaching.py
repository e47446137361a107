"""Teaching surfaces: each one makes a single idea of the study note visible.

All are smooth with analytic gradients; their minima are literals verified numerically (Newton
from a dense grid, see tests/landscape).
"""

from __future__ import annotations

import numpy as np

from landscape.base import Surface
from landscape.build import grid_starts, lattice_minima, surface
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


def _well_value(x: Arr, y: Arr, cx: float, cy: float, s: float, depth: float) -> Arr:
    """The first output of ``_well`` alone (the same operations, without the gradient)."""
    return -(depth * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s)))


def two_basins(x: Arr, y: Arr) -> Arr:
    """k |p|^2 - sum_i d_i exp(-|p - c_i|^2 / 2 s_i^2): a wide shallow well, a narrow deep one."""
    return _BOWL * (x**2 + y**2) + sum(_well_value(x, y, *w) for w in _WELLS)


def two_basins_grad(x: Arr, y: Arr) -> Pair:
    return _two_basins_fdf(x, y)[1:]


def _two_basins_fdf(x: Arr, y: Arr) -> tuple[Arr, Arr, Arr]:
    """Value and gradient from one evaluation of each well (the value reuses its exponential)."""
    parts = [_well(x, y, *w) for w in _WELLS]
    value = _BOWL * (x**2 + y**2) + sum(p[0] for p in parts)
    return value, 2 * _BOWL * x + sum(p[1] for p in parts), 2 * _BOWL * y + sum(p[2] for p in parts)


TWO_BASINS = surface(
    "two_basins", two_basins, two_basins_grad,
    fdf=_two_basins_fdf,
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



def ravine(x: Arr, y: Arr) -> Arr:
    """0.05 x^2 + 2.5 y^2: curvatures 0.1 along the valley and 5 across it (condition number 50)."""
    return 0.05 * x**2 + 2.5 * y**2


def ravine_grad(x: Arr, y: Arr) -> Pair:
    return 0.1 * x, 5.0 * y


def saddle(x: Arr, y: Arr) -> Arr:
    """2 x^2 + (y^2 - 1)^2 / 2: a saddle at the origin between minima at (0, -1) and (0, 1).

    Curvature 4 towards the saddle along x, -2 away from it along y: a walker started near the
    ridge y = 0 reaches the saddle long before the instability along y pushes it off.
    """
    return 2 * x**2 + 0.5 * (y**2 - 1) ** 2


def saddle_grad(x: Arr, y: Arr) -> Pair:
    return 4 * x, 2 * y * (y**2 - 1)


_HOLE = (1.5, 1.0, 1.5)  # centre x, centre y, width sigma


def plateau(x: Arr, y: Arr) -> Arr:
    """1 - exp(-|p - c|^2 / 2 s^2): flat far from c, one smooth hole of depth 1 at c."""
    return 1 + _well(x, y, *_HOLE, 1.0)[0]


def plateau_grad(x: Arr, y: Arr) -> Pair:
    _, gx, gy = _well(x, y, *_HOLE, 1.0)
    return gx, gy


_WAVES = ((1.0, 0.0, 0.3), (-0.5, 0.8660254037844386, 1.1), (-0.5, -0.8660254037844386, 2.0))
_RIPPLE = (0.1, 5.0)  # amplitude a, angular frequency w


def noisy_bowl(x: Arr, y: Arr) -> Arr:
    """0.05 |p|^2 + a sum_k (1 - cos(w n_k.p + phi_k)): a bowl under three crossing ripples."""
    a, w = _RIPPLE
    ripples = sum(1 - np.cos(w * (u * x + v * y) + ph) for u, v, ph in _WAVES)
    return 0.05 * (x**2 + y**2) + a * ripples


def noisy_bowl_grad(x: Arr, y: Arr) -> Pair:
    a, w = _RIPPLE
    s = [a * w * np.sin(w * (u * x + v * y) + ph) for u, v, ph in _WAVES]
    gx = 0.1 * x + sum(sk * u for sk, (u, _, _) in zip(s, _WAVES, strict=True))
    gy = 0.1 * y + sum(sk * v for sk, (_, v, _) in zip(s, _WAVES, strict=True))
    return gx, gy


RAVINE = surface(
    "ravine", ravine, ravine_grad,
    title="Ravine: a long, narrow valley",
    description="""
        An ill-conditioned bowl, 50 times steeper across the valley than along it. Watch plain
        gradient descent zig-zag from wall to wall while creeping along the floor; momentum and Adam
        damp the zig-zag and run down the valley.
    """,
    domain=((-10.0, 10.0), (-4.0, 4.0)),
    minima=as_minima([(0.0, 0.0)], [0.0]),
    default_start=(-9.0, 2.5),
    latex=r"f(x,y) = 0.05\,x^2 + 2.5\,y^2",
)

SADDLE = surface(
    "saddle", saddle, saddle_grad,
    title="Saddle point",
    description="""
        A pass between two valleys: at the origin the slope is zero but it is not a minimum. Watch
        gradient descent, started almost on the ridge, slow to a crawl at the saddle before rolling
        off; momentum and Adam escape much sooner.
    """,
    domain=((-3.0, 3.0), (-2.0, 2.0)),
    minima=as_minima([(0.0, -1.0), (0.0, 1.0)], [0.0, 0.0]),
    default_start=(-2.8, 0.001),
    latex=r"f(x,y) = 2x^2 + \tfrac12 (y^2-1)^2",
)

PLATEAU = surface(
    "plateau", plateau, plateau_grad,
    title="Plateau with a distant drop",
    description="""
        Almost flat far from the hole at (1.5, 1): the gradient at the start is below 0.001. Watch
        plain gradient descent and momentum barely move, while Adam and RMSprop, which rescale tiny
        gradients, walk straight to the drop.
    """,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=as_minima([(1.5, 1.0)], [0.0]),
    default_start=(-3.5, -3.0),
    latex=r"f(x,y) = 1 - e^{-\left((x-1.5)^2+(y-1)^2\right)/(2\cdot 1.5^2)}",
)

_NOISY_DOMAIN = ((-5.0, 5.0), (-5.0, 5.0))

NOISY_BOWL = surface(
    "noisy_bowl", noisy_bowl, noisy_bowl_grad,
    title="Noisy bowl",
    description="""
        A simple bowl roughened by three crossing ripples into dozens of shallow local minima.
        Watch gradient descent stop in the first dip it meets; momentum, gradient noise (the
        race's stand-in for SGD's minibatches) or a larger step can carry a walker over the small
        bumps towards the bottom.
    """,
    domain=_NOISY_DOMAIN,
    minima=lattice_minima(noisy_bowl, noisy_bowl_grad, _NOISY_DOMAIN,
                          grid_starts(noisy_bowl, _NOISY_DOMAIN, 201)),
    default_start=(-4.1, -3.6),
    latex=r"f = 0.05\,(x^2+y^2) + 0.1\sum_{k=1}^{3}\left(1-\cos(5\,n_k\cdot p+\varphi_k)\right)"
    r",\ n_k \text{ at } 0^\circ, 120^\circ, 240^\circ,\ \varphi = (0.3, 1.1, 2.0)",
)

TEACHING: tuple[Surface, ...] = (TWO_BASINS, RAVINE, SADDLE, PLATEAU, NOISY_BOWL)

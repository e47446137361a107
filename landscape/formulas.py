"""The standard 2D test functions and their exact gradients, as plain NumPy functions of (x, y).

Each ``f(x, y)`` broadcasts over arrays; each ``df(x, y)`` returns ``(df/dx, df/dy)``. The local
derivative is written next to the forward formula it differentiates (micrograd style).
"""

from __future__ import annotations

import numpy as np

Arr = np.ndarray
Pair = tuple[Arr, Arr]
PI = np.pi
SQRT2 = np.sqrt(2.0)


def rosenbrock(x: Arr, y: Arr) -> Arr:
    """(1 - x)^2 + 100 (y - x^2)^2."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(x: Arr, y: Arr) -> Pair:
    r = y - x**2
    return -2 * (1 - x) - 400 * x * r, 200 * r


def himmelblau(x: Arr, y: Arr) -> Arr:
    """(x^2 + y - 11)^2 + (x + y^2 - 7)^2."""
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def himmelblau_grad(x: Arr, y: Arr) -> Pair:
    a, b = x**2 + y - 11, x + y**2 - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def rastrigin(x: Arr, y: Arr) -> Arr:
    """20 + sum_i (x_i^2 - 10 cos(2 pi x_i))."""
    return 20 + x**2 - 10 * np.cos(2 * PI * x) + y**2 - 10 * np.cos(2 * PI * y)


def rastrigin_grad(x: Arr, y: Arr) -> Pair:
    return 2 * x + 20 * PI * np.sin(2 * PI * x), 2 * y + 20 * PI * np.sin(2 * PI * y)


def ackley(x: Arr, y: Arr) -> Arr:
    """-20 exp(-0.2 sqrt((x^2 + y^2)/2)) - exp((cos 2 pi x + cos 2 pi y)/2) + e + 20."""
    s = np.sqrt(0.5 * (x**2 + y**2))
    c = 0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y))
    return -20 * np.exp(-0.2 * s) - np.exp(c) + np.e + 20


def ackley_grad(x: Arr, y: Arr) -> Pair:
    """At the origin |r| has no derivative; the gradient is defined there as 0 (the minimum)."""
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    s = np.sqrt(0.5 * (x**2 + y**2))
    pos = s > 0
    safe = np.where(pos, s, 1.0)
    # d/dx [-20 exp(-0.2 s)] = 4 exp(-0.2 s) ds/dx, ds/dx = x / (2 s)
    radial = np.where(pos, 2 * np.exp(-0.2 * s) / safe, 0.0)
    ec = np.exp(0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y)))
    return radial * x + PI * ec * np.sin(2 * PI * x), radial * y + PI * ec * np.sin(2 * PI * y)


def beale(x: Arr, y: Arr) -> Arr:
    """(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2."""
    y2 = y * y
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y2) ** 2 + (2.625 - x + x * y2 * y) ** 2


def beale_grad(x: Arr, y: Arr) -> Pair:
    y2 = y * y
    y3 = y2 * y
    t1, t2, t3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3
    gx = 2 * t1 * (y - 1) + 2 * t2 * (y2 - 1) + 2 * t3 * (y3 - 1)
    gy = 2 * t1 * x + 4 * t2 * x * y + 6 * t3 * x * y2
    return gx, gy


def booth(x: Arr, y: Arr) -> Arr:
    """(x + 2y - 7)^2 + (2x + y - 5)^2."""
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def booth_grad(x: Arr, y: Arr) -> Pair:
    a, b = x + 2 * y - 7, 2 * x + y - 5
    return 2 * a + 4 * b, 4 * a + 2 * b


def matyas(x: Arr, y: Arr) -> Arr:
    """0.26 (x^2 + y^2) - 0.48 x y."""
    return 0.26 * (x**2 + y**2) - 0.48 * x * y


def matyas_grad(x: Arr, y: Arr) -> Pair:
    return 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


def six_hump_camel(x: Arr, y: Arr) -> Arr:
    """(4 - 2.1 x^2 + x^4/3) x^2 + x y + (4 y^2 - 4) y^2."""
    x2, y2 = x * x, y * y  # products: float ** 4 and ** 6 are several times slower
    return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (4 * y2 - 4) * y2


def six_hump_camel_grad(x: Arr, y: Arr) -> Pair:
    x2 = x * x
    return x * (8 - 8.4 * x2 + 2 * x2 * x2) + y, x - 8 * y + 16 * y * y * y


def three_hump_camel(x: Arr, y: Arr) -> Arr:
    """2 x^2 - 1.05 x^4 + x^6/6 + x y + y^2."""
    x2 = x * x
    return x2 * (2 - 1.05 * x2 + x2 * x2 / 6) + x * y + y * y


def three_hump_camel_grad(x: Arr, y: Arr) -> Pair:
    x2 = x * x
    return x * (4 - 4.2 * x2 + x2 * x2) + y, x + 2 * y


def styblinski_tang(x: Arr, y: Arr) -> Arr:
    """(1/2) sum_i (x_i^4 - 16 x_i^2 + 5 x_i)."""
    x2, y2 = x * x, y * y
    return 0.5 * (x2 * x2 - 16 * x2 + 5 * x + y2 * y2 - 16 * y2 + 5 * y)


def styblinski_tang_grad(x: Arr, y: Arr) -> Pair:
    return x * (2 * x * x - 16) + 2.5, y * (2 * y * y - 16) + 2.5


def goldstein_price(x: Arr, y: Arr) -> Arr:
    """[1 + (x+y+1)^2 P(x, y)] [30 + (2x-3y)^2 Q(x, y)] with the usual quadratics P and Q."""
    s, t = x + y + 1, 2 * x - 3 * y
    p = 19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2
    q = 18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2
    return (1 + s**2 * p) * (30 + t**2 * q)


def goldstein_price_grad(x: Arr, y: Arr) -> Pair:
    s, t = x + y + 1, 2 * x - 3 * y
    p = 19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2
    q = 18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2
    a, b = 1 + s**2 * p, 30 + t**2 * q
    dp = -14 + 6 * x + 6 * y  # dP/dx = dP/dy
    a_x = a_y = 2 * s * p + s**2 * dp
    b_x = 4 * t * q + t**2 * (-32 + 24 * x - 36 * y)
    b_y = -6 * t * q + t**2 * (48 - 36 * x + 54 * y)
    return a_x * b + a * b_x, a_y * b + a * b_y


def levy(x: Arr, y: Arr) -> Arr:
    """sin^2(pi w1) + (w1-1)^2 [1 + 10 sin^2(pi w1 + 1)] + (w2-1)^2 [1 + sin^2(2 pi w2)],
    w_i = 1 + (x_i - 1)/4."""
    u, v = 1 + (x - 1) / 4, 1 + (y - 1) / 4
    return (
        np.sin(PI * u) ** 2
        + (u - 1) ** 2 * (1 + 10 * np.sin(PI * u + 1) ** 2)
        + (v - 1) ** 2 * (1 + np.sin(2 * PI * v) ** 2)
    )


def levy_grad(x: Arr, y: Arr) -> Pair:
    u, v = 1 + (x - 1) / 4, 1 + (y - 1) / 4
    du = (
        PI * np.sin(2 * PI * u)
        + 2 * (u - 1) * (1 + 10 * np.sin(PI * u + 1) ** 2)
        + 10 * PI * (u - 1) ** 2 * np.sin(2 * PI * u + 2)
    )
    dv = 2 * (v - 1) * (1 + np.sin(2 * PI * v) ** 2) + 2 * PI * (v - 1) ** 2 * np.sin(4 * PI * v)
    return du / 4, dv / 4  # dw/dx = 1/4


def mccormick(x: Arr, y: Arr) -> Arr:
    """sin(x + y) + (x - y)^2 - 1.5 x + 2.5 y + 1."""
    return np.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1


def mccormick_grad(x: Arr, y: Arr) -> Pair:
    c = np.cos(x + y)
    return c + 2 * (x - y) - 1.5, c - 2 * (x - y) + 2.5


def griewank(x: Arr, y: Arr) -> Arr:
    """1 + (x^2 + y^2)/4000 - cos(x) cos(y / sqrt 2)."""
    return 1 + (x**2 + y**2) / 4000 - np.cos(x) * np.cos(y / SQRT2)


def griewank_grad(x: Arr, y: Arr) -> Pair:
    cx, cy = np.cos(x), np.cos(y / SQRT2)
    return x / 2000 + np.sin(x) * cy, y / 2000 + cx * np.sin(y / SQRT2) / SQRT2


def easom(x: Arr, y: Arr) -> Arr:
    """-cos(x) cos(y) exp(-((x - pi)^2 + (y - pi)^2))."""
    return -np.cos(x) * np.cos(y) * np.exp(-((x - PI) ** 2 + (y - PI) ** 2))


def easom_grad(x: Arr, y: Arr) -> Pair:
    e = np.exp(-((x - PI) ** 2 + (y - PI) ** 2))
    cx, cy = np.cos(x), np.cos(y)
    gx = e * (np.sin(x) * cy + 2 * (x - PI) * cx * cy)
    gy = e * (cx * np.sin(y) + 2 * (y - PI) * cx * cy)
    return gx, gy


def cross_in_tray(x: Arr, y: Arr) -> Arr:
    """-1e-4 (|sin x sin y exp(|100 - r/pi|)| + 1)^0.1, r = sqrt(x^2 + y^2)."""
    r = np.sqrt(x**2 + y**2)
    a = np.sin(x) * np.sin(y) * np.exp(np.abs(100 - r / PI))
    return -1e-4 * (np.abs(a) + 1) ** 0.1


def cross_in_tray_grad(x: Arr, y: Arr) -> Pair:
    """Exact wherever f is differentiable; on the ridges sin x sin y = 0 (|.| has a kink) the
    one-sided slopes cancel and the gradient is taken as 0."""
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    r = np.sqrt(x**2 + y**2)
    u = 100 - r / PI
    e = np.exp(np.abs(u))
    sx, sy = np.sin(x), np.sin(y)
    a = sx * sy * e
    # df/da = -1e-5 sign(a) (|a| + 1)^-0.9;  da/dx = cos x sin y e + a sign(u) (-x / (pi r))
    outer = -1e-5 * np.sign(a) * (np.abs(a) + 1) ** -0.9
    radial = np.where(r > 0, -np.sign(u) / (PI * np.where(r > 0, r, 1.0)), 0.0)
    da_dx = np.cos(x) * sy * e + a * radial * x
    da_dy = sx * np.cos(y) * e + a * radial * y
    return outer * da_dx, outer * da_dy

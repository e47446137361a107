"""Landscape benchmark: every registered surface (value and gradient) on a 300 x 300 grid, against a
plain NumPy evaluation of the same formulas written out below (no Surface, no dataclass, no
stacking into (..., 2)). Also checks that both give the same numbers.

    python bench/bench_landscape.py            # 300 x 300 grid, best of 7
    python bench/bench_landscape.py --n 100 --repeats 3

Prints per-surface times and the ratio registry / plain NumPy (1.0 = no overhead), then the total,
and the data losses against a direct per-sample NumPy evaluation. Figures only, never asserted.
Both sides write powers as products: ``x**4`` on a float array is ~100x slower than ``x2 * x2``
(NumPy fast-paths only ``**2``), which is why the polynomial surfaces in ``landscape.formulas``
avoid it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from landscape import SURFACES, get_data_loss  # noqa: E402

PI, E = np.pi, np.e
Ref = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


def gauss(x, y, cx, cy, s, d):
    g = d * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
    return -g, g * (x - cx) / (s * s), g * (y - cy) / (s * s)


def ref_two_basins(x, y):
    a, b = gauss(x, y, -1.5, 1.0, 1.3, 1.0), gauss(x, y, 2.0, -1.5, 0.55, 1.8)
    return 0.03 * (x * x + y * y) + a[0] + b[0], 0.06 * x + a[1] + b[1], 0.06 * y + a[2] + b[2]


def ref_plateau(x, y):
    f, gx, gy = gauss(x, y, 1.5, 1.0, 1.5, 1.0)
    return 1 + f, gx, gy


def ref_noisy_bowl(x, y):
    f, gx, gy = 0.05 * (x * x + y * y), 0.1 * x, 0.1 * y
    for u, v, ph in ((1.0, 0.0, 0.3), (-0.5, 0.75**0.5, 1.1), (-0.5, -(0.75**0.5), 2.0)):
        arg = 5 * (u * x + v * y) + ph
        f = f + 0.1 * (1 - np.cos(arg))
        s = 0.5 * np.sin(arg)
        gx, gy = gx + s * u, gy + s * v
    return f, gx, gy


def ref_ackley(x, y):
    r = np.sqrt(0.5 * (x * x + y * y))
    ea, ec = np.exp(-0.2 * r), np.exp(0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y)))
    k = np.divide(2 * ea, r, out=np.zeros_like(r), where=r > 0)
    return (-20 * ea - ec + E + 20, k * x + PI * ec * np.sin(2 * PI * x),
            k * y + PI * ec * np.sin(2 * PI * y))


def ref_beale(x, y):
    y2 = y * y
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y2 * y
    return (a * a + b * b + c * c, 2 * (a * (y - 1) + b * (y2 - 1) + c * (y2 * y - 1)),
            2 * x * (a + 2 * b * y + 3 * c * y2))


def ref_six_hump_camel(x, y):
    x2, y2 = x * x, y * y
    return (4 * x2 - 2.1 * x2 * x2 + x2 * x2 * x2 / 3 + x * y + 4 * y2 * y2 - 4 * y2,
            8 * x - 8.4 * x2 * x + 2 * x2 * x2 * x + y, x - 8 * y + 16 * y2 * y)


def ref_three_hump_camel(x, y):
    x2 = x * x
    return (2 * x2 - 1.05 * x2 * x2 + x2 * x2 * x2 / 6 + x * y + y * y,
            4 * x - 4.2 * x2 * x + x2 * x2 * x + y, x + 2 * y)


def ref_goldstein_price(x, y):
    s, t = x + y + 1, 2 * x - 3 * y
    p = 19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2
    q = 18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2
    a, b = 1 + s * s * p, 30 + t * t * q
    da = 2 * s * p + s * s * (6 * x + 6 * y - 14)
    bx = 4 * t * q + t * t * (24 * x - 36 * y - 32)
    by = -6 * t * q + t * t * (54 * y - 36 * x + 48)
    return a * b, da * b + a * bx, da * b + a * by


def ref_levy(x, y):
    u, v = 1 + (x - 1) / 4, 1 + (y - 1) / 4
    su1, s2v = np.sin(PI * u + 1), np.sin(2 * PI * v)
    f = np.sin(PI * u) ** 2 + (u - 1) ** 2 * (1 + 10 * su1**2) + (v - 1) ** 2 * (1 + s2v**2)
    du = (PI * np.sin(2 * PI * u) + 2 * (u - 1) * (1 + 10 * su1**2)
          + 10 * PI * (u - 1) ** 2 * np.sin(2 * PI * u + 2))
    dv = 2 * (v - 1) * (1 + s2v**2) + 2 * PI * (v - 1) ** 2 * np.sin(4 * PI * v)
    return f, du / 4, dv / 4


def ref_griewank(x, y):
    cx, cy, r = np.cos(x), np.cos(y / 2**0.5), 2**0.5
    return (1 + (x * x + y * y) / 4000 - cx * cy, x / 2000 + np.sin(x) * cy,
            y / 2000 + cx * np.sin(y / r) / r)


def ref_easom(x, y):
    e, cx, cy = np.exp(-((x - PI) ** 2) - (y - PI) ** 2), np.cos(x), np.cos(y)
    return (-cx * cy * e, e * (np.sin(x) * cy + 2 * (x - PI) * cx * cy),
            e * (cx * np.sin(y) + 2 * (y - PI) * cx * cy))


def ref_cross_in_tray(x, y):
    r = np.sqrt(x * x + y * y)
    u = 100 - r / PI
    e = np.exp(np.abs(u))
    a = np.sin(x) * np.sin(y) * e
    out = -1e-5 * np.sign(a) * (np.abs(a) + 1) ** -0.9
    k = np.divide(-np.sign(u) * a, PI * r, out=np.zeros_like(r), where=r > 0)
    return (-1e-4 * (np.abs(a) + 1) ** 0.1, out * (np.cos(x) * np.sin(y) * e + k * x),
            out * (np.sin(x) * np.cos(y) * e + k * y))


REFERENCE: dict[str, Ref] = {
    "two_basins": ref_two_basins,
    "ravine": lambda x, y: (0.05 * x * x + 2.5 * y * y, 0.1 * x, 5 * y),
    "saddle": lambda x, y: (2 * x * x + 0.5 * (y * y - 1) ** 2, 4 * x, 2 * y * (y * y - 1)),
    "plateau": ref_plateau,
    "noisy_bowl": ref_noisy_bowl,
    "rosenbrock": lambda x, y: ((1 - x) ** 2 + 100 * (y - x * x) ** 2,
                                -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
    "himmelblau": lambda x, y: ((x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
                                4 * x * (x * x + y - 11) + 2 * (x + y * y - 7),
                                2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)),
    "rastrigin": lambda x, y: (20 + x * x + y * y - 10 * (np.cos(2 * PI * x) + np.cos(2 * PI * y)),
                               2 * x + 20 * PI * np.sin(2 * PI * x),
                               2 * y + 20 * PI * np.sin(2 * PI * y)),
    "ackley": ref_ackley,
    "beale": ref_beale,
    "booth": lambda x, y: ((x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2, 10 * x + 8 * y - 34,
                           8 * x + 10 * y - 38),
    "matyas": lambda x, y: (0.26 * (x * x + y * y) - 0.48 * x * y, 0.52 * x - 0.48 * y,
                            0.52 * y - 0.48 * x),
    "six_hump_camel": ref_six_hump_camel,
    "three_hump_camel": ref_three_hump_camel,
    "styblinski_tang": lambda x, y: (0.5 * (x * x * (x * x - 16) + 5 * x + y * y * (y * y - 16)
                                            + 5 * y),
                                     2 * x * x * x - 16 * x + 2.5, 2 * y * y * y - 16 * y + 2.5),
    "goldstein_price": ref_goldstein_price,
    "levy": ref_levy,
    "mccormick": lambda x, y: (np.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1,
                               np.cos(x + y) + 2 * (x - y) - 1.5,
                               np.cos(x + y) - 2 * (x - y) + 2.5),
    "griewank": ref_griewank,
    "easom": ref_easom,
    "cross_in_tray": ref_cross_in_tray,
}


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Smallest wall time of ``repeats`` calls (seconds)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_surfaces(n: int, repeats: int) -> None:
    print(f"surfaces: value + gradient on a {n} x {n} grid, best of {repeats}")
    print(f"{'surface':<18}{'registry ms':>12}{'numpy ms':>10}{'ratio':>8}{'max rel diff':>14}")
    total_reg = total_ref = 0.0
    for name, s in SURFACES.items():
        ref = REFERENCE.get(name)
        if ref is None:
            print(f"{name:<18}  (no plain NumPy reference written)")
            continue
        (x0, x1), (y0, y1) = s.domain
        x, y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        xy = np.stack([x, y], axis=-1)
        t_reg = best_of(lambda s=s, xy=xy: (s.value(xy), s.grad(xy)), repeats)
        t_ref = best_of(lambda ref=ref, x=x, y=y: ref(x, y), repeats)
        f, gx, gy = ref(x, y)
        mine = np.concatenate([s.value(xy)[..., None], s.grad(xy)], axis=-1)
        theirs = np.stack([f, gx, gy], axis=-1)
        diff = np.max(np.abs(mine - theirs) / (1 + np.abs(theirs)))
        total_reg, total_ref = total_reg + t_reg, total_ref + t_ref
        print(f"{name:<18}{1e3 * t_reg:>12.2f}{1e3 * t_ref:>10.2f}{t_reg / t_ref:>8.2f}"
              f"{diff:>14.1e}{'  MISMATCH' if diff > 1e-8 else ''}")
    print(f"{'TOTAL':<18}{1e3 * total_reg:>12.2f}{1e3 * total_ref:>10.2f}"
          f"{total_reg / total_ref:>8.2f}")


def bench_data_losses(n: int, repeats: int, n_samples: int = 200) -> None:
    """Data losses on the same grid against the direct (grid x samples) NumPy formulas."""
    print(f"\ndata losses: value + gradient on a {n} x {n} grid x {n_samples} samples")
    print(f"{'loss':<22}{'registry ms':>12}{'numpy ms':>10}{'ratio':>8}{'max rel diff':>14}")
    for name in ("linear_regression", "logistic_regression"):
        loss = get_data_loss(name, n_samples=n_samples, seed=0)
        (x0, x1), (y0, y1) = loss.domain
        w = np.stack(np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n)), axis=-1)
        a, t = loss.features, loss.targets

        def direct(w=w, a=a, t=t, name=name):
            z = np.einsum("ijk,sk->ijs", w, a)  # every grid point against every sample
            if name == "linear_regression":
                r = z - t
                return np.mean(r * r, -1), 2 * np.einsum("ijs,sk->ijk", r, a) / len(t)
            p = 1 / (1 + np.exp(-z))
            with np.errstate(divide="ignore"):
                v = -np.mean(t * np.log(p) + (1 - t) * np.log1p(-p), -1) + 5e-4 * np.sum(w * w, -1)
            return v, np.einsum("ijs,sk->ijk", p - t, a) / len(t) + 1e-3 * w

        t_reg = best_of(lambda loss=loss, w=w: (loss.value(w), loss.grad(w)), repeats)
        t_ref = best_of(direct, repeats)
        v, g = direct()
        diff = max(np.max(np.abs(loss.value(w) - v) / (1 + np.abs(v))),
                   np.max(np.abs(loss.grad(w) - g) / (1 + np.abs(g))))
        print(f"{name:<22}{1e3 * t_reg:>12.2f}{1e3 * t_ref:>10.2f}{t_reg / t_ref:>8.2f}"
              f"{diff:>14.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="grid points per axis")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    bench_surfaces(args.n, args.repeats)
    bench_data_losses(args.n, max(1, args.repeats // 2))


if __name__ == "__main__":
    main()

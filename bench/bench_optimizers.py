"""How fast is ``optimizers.run``? Prints ratios against PyTorch and a plain NumPy loop.

    python bench/bench_optimizers.py [--quick]

(a) one path, 1,000 Adam steps on Rosenbrock: run() vs the same loop with torch.optim.Adam
    (target: >= 10x faster);
(b) 10,000 starts x 500 Adam steps: run() vs torch.optim.Adam on a (10000, 2) tensor (target:
    >= 15x) and vs a straightforward NumPy loop (target: no slower).
Every loop produces the same thing run() does: the points and losses of every step. Times are the
minimum over repeats. The torch part is skipped (with a message) when torch is not installed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizers import get_optimizer, run

LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8


class Rosenbrock:
    """(1 - x)^2 + 100 (y - x^2)^2 with its analytic gradient, vectorized over leading axes."""

    def value(self, p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def grad(self, p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        r = y - x * x
        g = np.empty_like(p)
        g[..., 0] = -2 * (1 - x) - 400 * x * r
        g[..., 1] = 200 * r
        return g


def best_of(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def numpy_adam(f: Rosenbrock, start: np.ndarray, steps: int):
    """The textbook loop: m, v, bias correction, record points and losses."""
    b1, b2 = BETAS
    x = start.copy()
    m, v = np.zeros_like(x), np.zeros_like(x)
    points, losses = [x], [f.value(x)]
    for t in range(1, steps + 1):
        g = f.grad(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        x = x - LR * m_hat / (np.sqrt(v_hat) + EPS)
        points.append(x)
        losses.append(f.value(x))
    return np.array(points), np.array(losses)


def torch_adam(torch, start: np.ndarray, steps: int):
    """The same loop with torch.optim.Adam (float64), recording points and losses."""
    x = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([x], lr=LR, betas=BETAS, eps=EPS)
    points = torch.empty((steps + 1, *x.shape), dtype=torch.float64)
    losses = torch.empty((steps + 1, *x.shape[:-1]), dtype=torch.float64)
    points[0] = x.detach()
    for t in range(steps):
        opt.zero_grad()
        loss = (1 - x[..., 0]) ** 2 + 100 * (x[..., 1] - x[..., 0] ** 2) ** 2
        loss.sum().backward()
        losses[t] = loss.detach()
        opt.step()
        points[t + 1] = x.detach()
    with torch.no_grad():
        losses[steps] = (1 - x[..., 0]) ** 2 + 100 * (x[..., 1] - x[..., 0] ** 2) ** 2
    return points.numpy(), losses.numpy()


def report(label: str, ours: float, other: float, target: str) -> None:
    print(f"  {label:<34s} {other * 1e3:9.1f} ms  ->  ratio {other / ours:6.1f}x   ({target})")


def main() -> int:
    quick = "--quick" in sys.argv
    repeats = 2 if quick else 5
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
        print("torch is not installed: skipping the PyTorch reference (pip install torch==2.13.0)")

    versions = f"numpy {np.__version__}" + (f", torch {torch.__version__}" if torch else "")
    print(f"{versions}; one thread each; every loop records points and losses; min of repeats")
    f, adam = Rosenbrock(), get_optimizer("adam", lr=LR, betas=BETAS, eps=EPS)
    start = np.array([-1.5, 2.0])
    ours, traj = best_of(lambda: run(adam, f, start, 1000), repeats * 4)
    print(f"(a) one path, 1000 Adam steps on Rosenbrock: run() {ours * 1e3:.1f} ms")
    if torch is not None:
        other, (p, _) = best_of(lambda: torch_adam(torch, start, 1000), repeats)
        assert np.allclose(p, traj.points, rtol=1e-9, atol=1e-12), "torch and run() disagree"
        report("torch.optim.Adam loop", ours, other, "target >= 10x")

    starts = np.random.default_rng(0).uniform([-2.0, -1.0], [2.0, 3.0], size=(10_000, 2))
    ours, traj = best_of(lambda: run(adam, f, starts, 500), repeats)
    print(f"(b) 10,000 starts x 500 Adam steps: run() {ours * 1e3:.1f} ms")
    other, (p, _) = best_of(lambda: numpy_adam(f, starts, 500), repeats)
    assert np.allclose(p, traj.points, rtol=1e-6, atol=1e-9), "numpy loop and run() disagree"
    report("straightforward NumPy loop", ours, other, "target >= 1x")
    if torch is not None:
        other, (p, _) = best_of(lambda: torch_adam(torch, starts, 500), max(2, repeats // 2))
        assert np.allclose(p, traj.points, rtol=1e-9, atol=1e-12), "torch and run() disagree"
        report("torch.optim.Adam on a (10000, 2) tensor", ours, other, "target >= 15x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

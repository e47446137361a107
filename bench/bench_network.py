"""Benchmark: train a 2-16-16-2 network with Adam in NumPy vs PyTorch, and time a landscape slice.

    python bench/bench_network.py [--repeats 7] [--threads 1]

1. 300 full-batch Adam steps (lr 0.01) on 400 two-moons points: ``optimizers.run`` over our
   hand-written ``MLP`` (which also evaluates the loss at all 301 points) vs the usual PyTorch CPU
   loop (zero_grad, forward, cross-entropy, backward, Adam step) in float64 from the same weights.
   Prints the minimum over repeats of each (the two loops take turns in every round, so load
   changes hit both) and the ratio (target: NumPy >= 2x faster).
2. A 41 x 41 filter-normalised slice through the trained weights (one batched ``net.value`` call
   over 1681 parameter vectors x 400 points) and the PCA-plane slice with the path projected.

Thread counts are pinned to the same value for both libraries (BLAS via environment variables set
before NumPy loads, torch via ``torch.set_num_threads``). The PyTorch part is skipped with a
message when torch is not installed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _threads() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    return args


ARGS = _threads()  # before numpy is imported

import numpy as np  # noqa: E402

sys.path.insert(0, str(ROOT))
from landscape import nn_landscape  # noqa: E402
from landscape.datasets import make_dataset  # noqa: E402
from landscape.network import MLP  # noqa: E402
from optimizers import get_optimizer, run  # noqa: E402

STEPS, LR, N = 300, 0.01, 400


def best_of(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, tuple[float, object]]:
    """Minimum wall time of each function over ``repeats`` rounds (after one warm-up call each).

    The functions take turns within every round, so a change in machine load hits all of them.
    """
    results = {name: fn() for name, fn in fns.items()}
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            results[name] = fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: (best[name], results[name]) for name in fns}


def train_numpy(net: MLP, theta0: np.ndarray):
    return run(get_optimizer("adam", lr=LR), net, theta0, STEPS)


def train_torch(net: MLP, theta0: np.ndarray, torch) -> np.ndarray:
    """The standard PyTorch loop from the same initial weights; returns the final flat weights."""
    sizes = net.layer_sizes
    layers = []
    for i, (W, b) in enumerate(net.unflatten(theta0)):
        linear = torch.nn.Linear(sizes[i], sizes[i + 1], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(np.array(W)))
            linear.bias.copy_(torch.tensor(np.array(b)))
        layers += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    X, y = torch.from_numpy(net.X.copy()), torch.from_numpy(net.y.copy())
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    for _ in range(STEPS):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


def main() -> None:
    X, y = make_dataset("two_moons", N, noise=0.15, seed=0)
    net = MLP(X, y, hidden=(16, 16), activation="relu")
    theta0 = net.init_params(0)
    print(f"network {net!r}, {net.n_params} parameters, {STEPS} Adam steps (lr {LR}), "
          f"threads={ARGS.threads}, min of {ARGS.repeats}")

    contenders: dict[str, Callable[[], object]] = {"numpy": lambda: train_numpy(net, theta0)}
    try:
        import torch
    except ImportError:
        torch = None
        print("torch is not installed: skipping the PyTorch reference")
    else:
        torch.set_num_threads(ARGS.threads)
        contenders["torch"] = lambda: train_torch(net, theta0, torch)
    timings = best_of(contenders, ARGS.repeats)
    t_np, traj = timings["numpy"]
    print(f"numpy  optimizers.run: {t_np * 1e3:8.1f} ms  ({t_np / STEPS * 1e6:6.1f} us/step)  "
          f"final loss {traj.losses[-1]:.5f}, train accuracy {net.accuracy(traj.points[-1]):.3f}")
    if torch is not None:
        t_torch, theta_torch = timings["torch"]
        print(f"torch  {torch.__version__} CPU loop: {t_torch * 1e3:8.1f} ms  "
              f"({t_torch / STEPS * 1e6:6.1f} us/step)  final loss {net.value(theta_torch):.5f}")
        gap = np.abs(theta_torch - traj.points[-1]).max()
        print(f"same computation: max |theta_numpy - theta_torch| after {STEPS} steps = {gap:.1e}")
        print(f"ratio torch / numpy: {t_torch / t_np:.2f}x (target >= 2x)")

    theta = traj.points[-1]
    slices = best_of({"random": lambda: nn_landscape.random_slice(net, theta, seed=0, n=41),
                      "pca": lambda: nn_landscape.pca_slice(net, [traj.points], n=41)},
                     ARGS.repeats)
    t_slice, s = slices["random"]
    print(f"41x41 filter-normalised slice (1681 networks x {N} points, one batched call): "
          f"{t_slice * 1e3:.1f} ms, loss range [{s.losses.min():.4f}, {s.losses.max():.2f}]")
    t_pca, ps = slices["pca"]
    print(f"41x41 PCA-plane slice with the path projected: {t_pca * 1e3:.1f} ms, "
          f"explained variance {ps.explained.sum():.3f}")

if __name__ == "__main__":
    main()

"""Basin-map benchmark: one map of 100 x 100 starts x 500 Adam steps, NumPy vs torch.optim.Adam,
and the default basins page (AppTest) against its pure computation.

    python bench/bench_basins.py            # full figures
    python bench/bench_basins.py --quick    # 40 x 40 starts x 200 steps (a smoke run)

The torch reference descends the same surface written in torch ops (forward + autograd backward +
``torch.optim.Adam.step`` on one (B, 2) float64 tensor, one thread, the way a PyTorch user would
write it); it is skipped when torch is not installed. Both sides give the same map: labels and
the first step each path came within the capture radius of its global minimum ("median steps").
The app keeps only where each path ends and tracks arrivals block by block (``run_endpoints``);
torch records every point and loss (buffers allocated alike, see
``bench_optimizers.recording_buffers``) and finds arrivals afterwards with the same NumPy code:
its fastest way here (tracking arrivals per step in torch ops measured ~3x slower).
The page render clears the data caches first; like a ``streamlit run`` server it compiles the page
and scans for components once per process (see ``page_vs_compute``).
Figures are printed, never asserted: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_optimizers import recording_buffers  # noqa: E402

from app_pages.common.basins import (  # noqa: E402
    basin_map,
    capture_radius,
    classify,
    start_grid,
    steps_to_global,
)
from landscape import get_surface  # noqa: E402

SURFACE = "himmelblau"
LR = 0.05


def best_of(fn, repeats: int) -> float:
    """Smallest wall time of ``repeats`` calls (seconds)."""
    return interleaved([fn], repeats)[0]


def interleaved(fns, repeats: int) -> list[float]:
    """Smallest wall time of each function, the functions taking turns in every round so that a
    change of load on a shared machine hits all of them alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def torch_himmelblau(p):
    """Himmelblau in torch ops: (x^2 + y - 11)^2 + (x + y^2 - 7)^2, per path (B,)."""
    x, y = p[:, 0], p[:, 1]
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def torch_map(n: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The same basin map with torch.optim.Adam on a (n*n, 2) tensor, recording the points and
    losses of every step as run() does; returns the labels and first arrival steps."""
    import torch

    torch.set_num_threads(1)
    surface = get_surface(SURFACE)
    _, _, starts = start_grid(surface.domain, n)
    p = torch.tensor(starts, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=LR)
    points, losses = recording_buffers(torch, steps, p.shape)
    points[0] = p.detach()
    for t in range(steps):
        opt.zero_grad()
        loss = torch_himmelblau(p)
        loss.sum().backward()
        losses[t] = loss.detach()
        opt.step()
        points[t + 1] = p.detach()
    with torch.no_grad():
        losses[steps] = torch_himmelblau(p)
    pts, ls = points.numpy(), losses.numpy()
    final = pts[-1]  # a torch path that blows up stays non-finite: its last point tells
    diverged = ~(np.isfinite(ls[-1]) & (np.abs(final) <= 1e6).all(axis=1))
    radius = capture_radius(surface.domain)
    labels = classify(pts[-1], diverged, surface.minima, radius)
    ends_global = np.isin(labels, [k for k, m in enumerate(surface.minima) if m.is_global])
    first = steps_to_global(pts, surface.minima, radius, only=ends_global,
                            target=np.maximum(labels, 0))
    return labels, first


def numpy_map(n: int, steps: int):
    return basin_map("adam", get_surface(SURFACE), n, steps, hparams={"lr": LR})


def page_vs_compute(repeats: int) -> tuple[float, float]:
    """Default basins page render (AppTest, warm cache cleared) vs its pure computation."""
    import streamlit as st

    from app_pages.common.basins import DEFAULTS, compute_all  # the page's defaults, pure compute
    from bench.bench_race import share_script_cache
    from tests.app.conftest import app_test

    def pure() -> None:
        compute_all(**DEFAULTS)

    # One AppTest, rerun with cold caches: a server scans the installed packages for components
    # once at startup, AppTest once per instance (~100 ms here, torch installed), and compiles
    # the page once (share_script_cache).
    share_script_cache()
    at = app_test("app_pages/basins.py", timeout=120)

    def page() -> None:
        st.cache_data.clear()
        at.run()
        assert not at.exception, at.exception

    page()  # warm imports, the component scan and the compiled page once
    t_page, t_pure = interleaved([page, pure], repeats)
    return t_page, t_pure


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n, steps, repeats = (40, 200, 2) if args.quick else (100, 500, 5)

    bm = numpy_map(n, steps)
    print(f"basin map {n}x{n} starts x {steps} steps, Adam on {SURFACE} (best of {repeats}, "
          f"taking turns; float64, one thread each; load average {os.getloadavg()[0]:.2f}):")
    try:
        import torch  # noqa: F401
    except ImportError:
        t_np = best_of(lambda: numpy_map(n, steps), repeats)
        print(f"  NumPy (one batched run + labels): {t_np * 1e3:8.1f} ms")
        print("  torch.optim.Adam reference: skipped (torch is not installed)")
    else:
        t_np, t_torch = interleaved([lambda: numpy_map(n, steps), lambda: torch_map(n, steps)],
                                    repeats)
        print(f"  NumPy (one batched run + labels): {t_np * 1e3:8.1f} ms   "
              f"success rate {bm.stats.success_rate:.1%}")
        labels, first = torch_map(n, steps)
        agree = float(np.mean(labels == bm.labels.ravel()))
        same_steps = float(np.mean(first == bm.steps.ravel()))
        print(f"  torch.optim.Adam (autograd):      {t_torch * 1e3:8.1f} ms   "
              f"labels agree on {agree:.1%} of cells, arrival steps on {same_steps:.1%}")
        print(f"  speed-up: {t_torch / t_np:.1f}x (target >= 15x)")
    t_page, t_pure = page_vs_compute(2 if args.quick else 3)
    print("default basins page:")
    print(f"  AppTest render (cold cache): {t_page * 1e3:8.1f} ms")
    print(f"  pure computation:            {t_pure * 1e3:8.1f} ms")
    print(f"  ratio: {t_page / t_pure:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()

"""A compiled C reference for the batched-Adam benchmark: what one core can do at best.

``bench_optimizers.py`` asks how far the 15x-over-torch target is from what any single-threaded
implementation can reach. This module compiles (with the system's ``cc``, into a temporary
directory) one tight C loop doing exactly the benchmark's job: Adam in torch's update order on
Rosenbrock over a batch of starts, recording every point and loss in float64. It is a benchmark
tool only; the app never compiles or loads it. Without a C compiler it reports None.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

C_SOURCE = r"""
#include <math.h>
#include <stdlib.h>

/* Adam (torch.optim.Adam, single-tensor path) on f = (1-x)^2 + 100 (y-x^2)^2 for B starts.
   points: (steps+1, B, 2), losses: (steps+1, B); points[0] holds the starts. */
void adam_rosenbrock(long B, long steps, double lr, double b1, double b2, double eps,
                     double *restrict points, double *restrict losses, double *restrict m,
                     double *restrict v) {
    for (long i = 0; i < 2 * B; i++) { m[i] = 0.0; v[i] = 0.0; }
    for (long t = 0; t < steps; t++) {
        const double bc1 = 1.0 - pow(b1, (double)(t + 1));
        const double bc2_sqrt = sqrt(1.0 - pow(b2, (double)(t + 1)));
        const double step_size = lr / bc1;
        const double *p = points + 2 * B * t;
        double *q = points + 2 * B * (t + 1), *loss = losses + B * t;
        for (long i = 0; i < B; i++) {
            const double x = p[2 * i], y = p[2 * i + 1];
            const double om = 1.0 - x, r = y - x * x;
            loss[i] = om * om + 100.0 * r * r;
            const double g[2] = {-2.0 * om - 400.0 * x * r, 200.0 * r};
            for (int k = 0; k < 2; k++) {
                const long j = 2 * i + k;
                m[j] += (1.0 - b1) * (g[k] - m[j]);
                v[j] = v[j] * b2 + (1.0 - b2) * g[k] * g[k];
                q[j] = p[j] - step_size * m[j] / (sqrt(v[j]) / bc2_sqrt + eps);
            }
        }
    }
    const double *p = points + 2 * B * steps;
    for (long i = 0; i < B; i++) {
        const double om = 1.0 - p[2 * i], r = p[2 * i + 1] - p[2 * i] * p[2 * i];
        losses[B * steps + i] = om * om + 100.0 * r * r;
    }
}
"""

FLAGS = ["-O3", "-march=native", "-fno-math-errno", "-shared", "-fPIC"]


def compiled_adam() -> Callable[[np.ndarray, int, float, tuple[float, float], float],
                                tuple[np.ndarray, np.ndarray]] | None:
    """``adam(starts (B, 2), steps, lr, betas, eps) -> (points, losses)`` compiled from
    ``C_SOURCE`` with ``cc -O3 -march=native`` (no fast-math: IEEE results), or None without
    a compiler. Buffers are allocated by NumPy exactly like the other loops in the benchmark."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    build = Path(tempfile.mkdtemp(prefix="downhill_bench_"))
    src, lib = build / "adam.c", build / "adam.so"
    src.write_text(C_SOURCE)
    done = subprocess.run([cc, *FLAGS, str(src), "-o", str(lib), "-lm"], capture_output=True)
    if done.returncode != 0:
        return None
    fn = ctypes.CDLL(str(lib)).adam_rosenbrock
    dp = np.ctypeslib.ndpointer(dtype=np.float64, flags="C_CONTIGUOUS")
    fn.argtypes = [ctypes.c_long, ctypes.c_long] + [ctypes.c_double] * 4 + [dp] * 4
    fn.restype = None

    def adam(starts: np.ndarray, steps: int, lr: float, betas: tuple[float, float],
             eps: float) -> tuple[np.ndarray, np.ndarray]:
        batch = starts.shape[0]
        points, losses = np.empty((steps + 1, batch, 2)), np.empty((steps + 1, batch))
        points[0] = starts
        m, v = np.empty((batch, 2)), np.empty((batch, 2))
        fn(batch, steps, lr, betas[0], betas[1], eps, points, losses, m, v)
        return points, losses

    return adam

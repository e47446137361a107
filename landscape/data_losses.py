"""Data-driven losses over two parameters, where SGD is truly stochastic.

Each loss is a mean over ``n_samples`` terms of a small synthetic data set drawn from a seed, so a
minibatch ``idx`` gives an unbiased estimate of the full loss and gradient. Each is a ``Surface``
(domain, minima, title, ...; the race page draws it like any landscape) and a
``StochasticObjective`` (``value(params, idx=None)``, ``grad(params, idx=None)``, ``n_samples``).
Everything is vectorized over a batch of parameter vectors ``(..., 2)`` and the samples at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from landscape.base import Domain, Minimum, Surface
from landscape.nn_layers import sigmoid

MAX_SAMPLES = 100_000
_CHUNK = 1 << 15  # points x samples per block: 256 KB of float64 stays in cache (4x faster)


def _check(n_samples: int, noise: float, seed: int) -> None:
    if not isinstance(n_samples, int | np.integer) or not 2 <= n_samples <= MAX_SAMPLES:
        raise ValueError(f"n_samples must be an integer in [2, {MAX_SAMPLES}], got {n_samples!r}")
    try:
        ok = bool(np.isfinite(float(noise))) and float(noise) >= 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an integer, got {seed!r}")


def _box(center: np.ndarray, half: float, must_hold: np.ndarray) -> Domain:
    """The square of half-width ``half`` around ``center``, widened to hold ``must_hold`` inside."""
    half = max(half, 1.25 * float(np.abs(must_hold - center).max()))
    (cx, cy) = center
    return ((float(cx - half), float(cx + half)), (float(cy - half), float(cy + half)))


def _short(point: tuple[float, float]) -> tuple[float, float]:
    """A computed start to 4 significant digits, so a shared link reads start=-3.702,1.455."""
    return float(f"{point[0]:.4g}"), float(f"{point[1]:.4g}")


@dataclass(frozen=True, eq=False)
class DataLoss(Surface):
    """A mean loss over samples (``features[i]``, ``targets[i]``); subclasses give the batch math.

    ``value(params, idx)`` and ``grad(params, idx)`` average over the samples ``idx`` only
    (``None``: all of them), for ``params`` of shape (..., 2).
    """

    features: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False)
    targets: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    noise: float = 0.0
    seed: int = 0

    @property
    def n_samples(self) -> int:
        return len(self.targets)

    def batch(self, idx: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(features, targets) of the samples ``idx`` (None: all)."""
        if idx is None:
            return self.features, self.targets
        given = np.asarray(idx).ravel()
        if given.size == 0:
            raise ValueError("a minibatch needs at least one sample index")
        if given.dtype.kind not in "iu":  # a boolean mask read as indices 0 and 1, floats cut
            raise ValueError(f"minibatch indices must be integers, not {given.dtype}")
        if given.min() < 0 or given.max() >= self.n_samples:  # negatives wrapped around
            raise ValueError(f"minibatch indices must be in [0, {self.n_samples})")
        idx = given.astype(np.intp, copy=False)
        return self.features[idx], self.targets[idx]

    def value(self, params: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        """Mean loss over the samples ``idx``: (..., 2) -> (...)."""
        return self._value(np.asarray(params, dtype=float), *self.batch(idx))

    def grad(self, params: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        """Gradient of the mean loss over the samples ``idx``: (..., 2) -> (..., 2)."""
        return self._grad(np.asarray(params, dtype=float), *self.batch(idx))

    def _value(self, params: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _grad(self, params: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError


def _blockwise(fn: Callable[[np.ndarray], np.ndarray], params: np.ndarray, m: int,
               out_tail: tuple[int, ...]) -> np.ndarray:
    """Apply ``fn`` ((k, 2) -> (k, *out_tail)) to blocks of the flattened points so that a block
    times the ``m`` samples stays within _CHUNK numbers (bounds memory; blocks are vectorized)."""
    flat = params.reshape(-1, 2)
    step = max(1, _CHUNK // m)
    out = [fn(flat[i : i + step]) for i in range(0, len(flat), step)]
    joined = np.concatenate(out) if out else np.zeros((0, *out_tail))
    return joined.reshape(params.shape[:-1] + out_tail)


@dataclass(frozen=True, eq=False)
class LinearRegressionLoss(DataLoss):
    """Mean squared error of the line y = w x + b over (w, b).

    With a_i = (x_i, 1): L(theta) = mean_i (theta . a_i - y_i)^2 = theta^T M theta - 2 theta^T c + d
    where M = mean a a^T, c = mean a y, d = mean y^2 (the sample moments of the batch), and
    grad L = 2 (M theta - c). The exact minimum solves M theta = c (the normal equations).
    Data: x ~ U(0, 3), y = 2 x - 1 + noise * N(0, 1); ``features`` holds the rows a_i = (x_i, 1)
    (plot ``features[:, 0]`` against ``targets``).
    """

    @classmethod
    def generate(cls, n_samples: int = 100, noise: float = 0.5, seed: int = 0
                 ) -> LinearRegressionLoss:
        """A fresh data set of ``n_samples`` points; ``noise`` is the std of the label noise."""
        _check(n_samples, noise, seed)
        rng = np.random.default_rng(seed)
        x = rng.uniform(0.0, 3.0, n_samples)
        y = 2.0 * x - 1.0 + noise * rng.standard_normal(n_samples)
        a = np.stack([x, np.ones_like(x)], axis=-1)
        m, c = a.T @ a / n_samples, a.T @ y / n_samples
        best = np.linalg.solve(m, c)
        best_value = float(best @ m @ best - 2 * best @ c + y @ y / n_samples)
        domain = _box(np.array([2.0, -1.0]), 4.0, best)
        (w0, w1), (b0, b1) = domain
        return cls(
            name="linear_regression",
            title="Linear regression (mean squared error)",
            description=(
                f"Fit a line y = w x + b to {n_samples} noisy points (the map: w across, b "
                "up). The valley is long and "
                "diagonal because w and b trade off: watch full-batch GD slide down it (zig-zag "
                "across it at a large learning rate) while minibatch SGD keeps jittering around "
                "the bottom instead of settling."
            ),
            domain=domain,
            minima=(Minimum((float(best[0]), float(best[1])), max(best_value, 0.0), True,
                            "least squares"),),
            # Up the valley's far end, a quarter down from the top: from 10% down, the first
            # steps (across the valley, uphill in b) left the top of the map.
            default_start=_short((w0 + 0.1 * (w1 - w0), b1 - 0.25 * (b1 - b0))),
            latex=r"L(w,b) = \frac{1}{n}\sum_{i=1}^{n} (w\,x_i + b - y_i)^2",
            log_scale=True,
            axes=("w", "b"),
            features=a,
            targets=y,
            noise=float(noise),
            seed=int(seed),
        )

    @staticmethod
    def _moments(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        n = len(t)
        return x.T @ x / n, x.T @ t / n, float(t @ t / n)

    @staticmethod
    def _times(params: np.ndarray, m: np.ndarray) -> np.ndarray:
        """theta M for (..., 2) theta, written out (theta_0 M_0 + theta_1 M_1) so that a point gets
        the same bits alone or in a batch: ``params @ m`` went through BLAS's gemv for one point and
        gemm for several, and on some CPUs their last bits differed (a batched run then drifted
        from the one-start runs after ~36 Adam steps; CI caught it, this machine did not)."""
        return params[..., :1] * m[0] + params[..., 1:] * m[1]

    def _value(self, params: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        m, c, d = self._moments(x, t)
        q = self._times(params, m) - 2 * c
        value = params[..., 0] * q[..., 0] + params[..., 1] * q[..., 1] + d
        return np.maximum(value, 0.0)  # a mean of squares: clip rounding below 0

    def _grad(self, params: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        m, c, _ = self._moments(x, t)
        return 2 * (self._times(params, m) - c)  # M is symmetric


def _softplus(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|) (several times faster than
    np.logaddexp on large blocks). ``out``: written in place (may be ``z``)."""
    tail = np.abs(z)
    np.negative(tail, out=tail)
    np.exp(tail, out=tail)
    np.log1p(tail, out=tail)
    out = np.maximum(z, 0.0, out=out)
    out += tail
    return out


def _scores(w: np.ndarray, u: np.ndarray) -> np.ndarray:
    """z = w . u_i for points ``w`` (k, 2) and samples ``u`` (2, n) -> (k, n), each point's row
    the same bits whatever rows are beside it (an einsum of fixed order; BLAS's matmul varied
    now and then with the block, and the means after it often): a run's losses over all its
    points, or a batch's gradients, equal each point's alone."""
    return np.einsum("kd,dn->kn", w, u)


@dataclass(frozen=True, eq=False)
class LogisticRegressionLoss(DataLoss):
    """Mean cross-entropy of p = sigmoid(w . x) over two weights w (no bias), plus (l2/2) |w|^2.

    L(w) = mean_i [log(1 + e^{z_i}) - y_i z_i] + (l2/2)|w|^2 with z_i = w . x_i, y_i in {0, 1};
    grad L = mean_i (sigmoid(z_i) - y_i) x_i + l2 w. The tiny L2 term (l2 = 1e-3) makes the
    minimum exist and be unique even when the classes are separable (without it the weights would
    grow forever). The minimum is found by Newton's method with backtracking (L is strictly convex).
    Data: two Gaussian clouds of std ``noise`` around +-(1, 0.5), labels balanced.
    """

    l2: float = 1e-3

    @classmethod
    def generate(cls, n_samples: int = 100, noise: float = 1.0, seed: int = 0
                 ) -> LogisticRegressionLoss:
        """A fresh data set of ``n_samples`` points; ``noise`` is the std of each class cloud."""
        _check(n_samples, noise, seed)
        rng = np.random.default_rng(seed)
        y = rng.permutation(np.arange(n_samples) % 2).astype(float)
        centres = (2 * y - 1)[:, None] * np.array([1.0, 0.5])
        x = centres + noise * rng.standard_normal((n_samples, 2))
        probe = cls("", "", "", ((-1.0, 1.0), (-1.0, 1.0)), (), (0.0, 0.0), features=x, targets=y)
        best = probe.solve()
        domain = _box(np.zeros(2), 5.0, best)
        half = domain[0][1]
        u = best / max(np.linalg.norm(best), 1e-12)
        rot = np.array([[np.cos(2.4), -np.sin(2.4)], [np.sin(2.4), np.cos(2.4)]])
        start = 0.8 * half * (rot @ u)
        return cls(
            name="logistic_regression",
            title="Logistic regression (cross-entropy)",
            description=(
                f"Classify {n_samples} points from two overlapping clouds with p = sigmoid(w . x) "
                "(the map: w₁ across, w₂ up). "
                "A smooth convex bowl, steep where the weights misclassify and nearly flat beyond "
                "the minimum: watch minibatch SGD wander near the bottom, then set the minibatch "
                "size to all the points and see full-batch gradient descent glide in."
            ),
            domain=domain,
            minima=(Minimum((float(best[0]), float(best[1])), float(probe.value(best)), True,
                            "maximum likelihood + L2"),),
            default_start=_short((float(start[0]), float(start[1]))),
            latex=r"L(w) = \frac{1}{n}\sum_{i=1}^{n}\left[\log(1+e^{w\cdot x_i}) - y_i\,w\cdot x_i"
            r"\right] + \tfrac{\lambda}{2}\lVert w\rVert^2,\ \lambda = 10^{-3}",
            axes=("w₁", "w₂"),
            features=x,
            targets=y,
            noise=float(noise),
            seed=int(seed),
        )

    # With s_i = 2 y_i - 1 and u_i = -s_i x_i, each term is softplus(w . u_i):
    #   log(1 + e^z) - y z = log(1 + e^{-s z}),  and  sigmoid(z) - y = -s sigmoid(-s z).
    def _value(self, params: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        u = np.ascontiguousarray(((1 - 2 * t)[:, None] * x).T)  # (2, samples)

        def mean_softplus(w: np.ndarray) -> np.ndarray:
            # A sum along each row (``_scores``): a run's losses (one call over all its points)
            # changed in the last bit with the run's length under a matmul's mean, and a race
            # cut from a longer run differed from a fresh one.
            z = _scores(w, u)
            return _softplus(z, out=z).sum(axis=-1) / len(t)

        data = _blockwise(mean_softplus, params, len(t), ())
        return data + 0.5 * self.l2 * np.sum(params**2, axis=-1)

    def _grad(self, params: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        u = np.ascontiguousarray(((1 - 2 * t)[:, None] * x).T)  # (2, samples)

        def mean_grad(w: np.ndarray) -> np.ndarray:
            # As ``mean_softplus``: each path's gradient the same bits whatever the batch beside
            # it (a matmul's were not, so a batched run was not exactly the runs one by one).
            z = _scores(w, u)
            return np.einsum("kn,jn->kj", sigmoid(z, out=z), u) / len(t)

        data = _blockwise(mean_grad, params, len(t), (2,))
        return data + self.l2 * params

    def solve(self, steps: int = 100) -> np.ndarray:
        """The unique minimum by Newton: H = mean s(1-s) x x^T + l2 I, step halved on ascent."""
        w = np.zeros(2)
        x = self.features
        for _ in range(steps):
            g = self.grad(w)
            s = sigmoid(x @ w)
            hess = (x * (s * (1 - s))[:, None]).T @ x / len(x) + self.l2 * np.eye(2)
            dw = np.linalg.solve(hess, g)
            t, f0 = 1.0, self.value(w)
            while self.value(w - t * dw) > f0 + 1e-13 * (1 + abs(f0)) and t > 1e-8:
                t *= 0.5
            w = w - t * dw
            if np.linalg.norm(dw) < 1e-14 * (1 + np.linalg.norm(w)):
                break
        return w


DataLossFactory = Callable[..., DataLoss]

DATA_LOSSES: dict[str, DataLossFactory] = {
    "linear_regression": LinearRegressionLoss.generate,
    "logistic_regression": LogisticRegressionLoss.generate,
}


def get_data_loss(name: str, n_samples: int = 100, noise: float | None = None, seed: int = 0
                  ) -> DataLoss:
    """A fresh data loss; ``noise=None`` keeps the loss's default. Unknown name: ValueError."""
    if name not in DATA_LOSSES:
        valid = ", ".join(sorted(DATA_LOSSES))
        raise ValueError(f"unknown data loss {name!r}; valid names: {valid}")
    kwargs: dict[str, float] = {} if noise is None else {"noise": noise}
    return DATA_LOSSES[name](n_samples=n_samples, seed=seed, **kwargs)

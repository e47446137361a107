"""The network's own loss landscape: 2D slices and a 1D interpolation (Li et al., NeurIPS 2018).

A network has hundreds of parameters, so its landscape is drawn on a plane through parameter space:

    L(alpha, beta) = loss(center + alpha * d1 + beta * d2)

evaluated on a grid by batched calls of ``net.value``, each over a block of grid rows whose
parameter vectors and activations stay within ``MAX_FLOATS`` floats (a 41 x 41 slice of a
2-16-16-2 network on 400 points takes 6 calls); the whole ``(n_beta, n_alpha, P)`` grid of
parameter vectors is never built.

Two planes, as in the paper:

- ``random_slice(net, theta_star, seed)``: two random Gaussian directions with **filter
  normalisation**: in each weight matrix every row (the weights into one neuron, the fully connected
  analogue of a convolution filter) is rescaled to the norm of the same row of ``theta_star``, so
  the picture does not depend on each layer's scale. Bias entries of the directions are set to zero
  (the paper's "ignore biases" option), so the slice moves weights only. Grid ``[-span, span]^2``.
  Random directions miss most of a training path (for a 2-16-16-2 network on two moons the plane
  holds ~20% of the start-to-end distance, the PCA plane ~98%): draw paths on the PCA plane.
  ``project(points, center, d1, d2)`` places points on any plane if the page wants it anyway.
- ``pca_slice(net, paths, center)``: the plane of the two principal directions of the training
  path(s): PCA of the rows ``theta_t - center`` over all given paths (centred, as in the paper's
  code with scikit-learn), ``center`` defaulting to the last point of the first path (the trained
  weights). Returns the loss grid and each path's coordinates ``(alpha_t, beta_t)`` in that plane
  (least-squares projection of ``theta_t - center``), plus the fraction of the path variance the two
  directions explain (shown to the user: near 1 means the drawing is faithful). The loss along the
  real path (``Trajectory.losses``) differs from the grid at the projected point off the plane.

``interpolation(net, theta0, theta1)`` gives loss((1 - t) theta0 + t theta1) for t in [-0.5, 1.5]
(Goodfellow et al.'s 1D plot: t = 0 the initial, t = 1 the trained weights).

All functions are pure (arrays and ints in, arrays out) and deterministic given ``seed``, so the
page can wrap them in ``st.cache_data``. Cost grows with grid^2 x samples x width: every function
takes ``idx`` to evaluate the loss on a subset of the samples (e.g. 400 of 2000 points) when the
network or data set is large. Stacked small matrix products are slow under multi-threaded
OpenBLAS when the CPU is busy (a 41 x 41 slice of a 3 x 64 network on 400 points: 3 s with
``OPENBLAS_NUM_THREADS=1``, 35 s with the default threads on a loaded 2-core box): run the app
with one BLAS thread. Grids follow Plotly's convention: ``losses[j, i]`` is the
loss at ``(alphas[i], betas[j])``, i.e. ``go.Contour(x=alphas, y=betas, z=losses)``.

Recipe for the page (``trajs``: one ``Trajectory`` per optimizer, all from ``theta0``)::

    s = random_slice(net, trajs[0].points[-1], seed=0, n=41, span=1.0)   # contour around theta*
    ps = pca_slice(net, [t.points for t in trajs], n=41)   # one shared plane, centred on the
    ps.slice.losses, ps.coords[k]      # first path's end; coords[k] (steps+1, 2) = path k
    ps.explained.sum()                 # say how faithful the 2D picture is
    curve = interpolation(net, theta0, trajs[0].points[-1])     # curve.ts, curve.losses
    test_curve = interpolation(net.with_data(X_test, y_test), theta0, trajs[0].points[-1])

The loss values can span decades near a sharp minimum: colour by log(loss) for the contour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from landscape.network import MLP

# Largest hidden-activation array (or block of parameter vectors) per call: 2**21 floats = 16 MB.
# Several such arrays are alive in a forward pass, so 2**24 (134 MB each) let one 41 x 41 slice of a
# 3 x 64 network take ~450 MB above the server's baseline; 2**21 runs at the same speed (a few more,
# still large, calls).
MAX_FLOATS = 2**21


@dataclass(frozen=True)
class LossSlice:
    """Loss on the plane center + alpha d1 + beta d2: ``losses[j, i]`` at (alphas[i], betas[j])."""

    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray
    center: np.ndarray
    d1: np.ndarray
    d2: np.ndarray


@dataclass(frozen=True)
class PathEnd:
    """Where a path's last point stands against the plane it is drawn on: ``off`` = its
    distance from the plane, ``along`` = its projection's distance from the plane's centre,
    ``loss`` = its own loss, ``plane_loss`` = the loss at its projection (what the contour under
    its marker reads)."""

    off: float
    along: float
    loss: float
    plane_loss: float

    @property
    def misread(self) -> bool:
        """Does the contour misstate this end's loss by over ``MISREAD_FACTOR`` either way?"""
        lo, hi = sorted((self.loss, self.plane_loss))
        return bool(np.isfinite(hi) and hi > MISREAD_FACTOR * max(lo, 0.0))


#: The contour under a path's end misreads its loss when the two differ by more than this factor:
#: the network page says so (the plane through Adam's weights read SGD's 0.17 as 0.27, and
#: Adam -> SGD's 0.099 as 0.19, under "a path may sit slightly off it"; a review).
MISREAD_FACTOR = 1.25


@dataclass(frozen=True)
class PathSlice:
    """A PCA-plane ``LossSlice`` with each path's coordinates ``(T_i, 2)`` in that plane, and
    where each path's end stands against the plane (``PathEnd``)."""

    slice: LossSlice
    coords: tuple[np.ndarray, ...]
    explained: np.ndarray  # (2,) fraction of the paths' variance along d1 and d2
    ends: tuple[PathEnd, ...] = ()


@dataclass(frozen=True)
class Interpolation:
    """loss((1 - t) theta0 + t theta1) at each t."""

    ts: np.ndarray
    losses: np.ndarray


def _block(net: MLP, idx: np.ndarray | None) -> int:
    """Parameter vectors per ``net.value`` call: their activations, and the vectors themselves,
    stay within ``MAX_FLOATS``."""
    n = net.n_samples if idx is None else len(idx)
    return max(1, MAX_FLOATS // max(n * max(net.layer_sizes), net.n_params))


def batched_value(net: MLP, points: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
    """``net.value`` over points (..., P) in as few calls as memory allows (one for usual sizes)."""
    points = np.asarray(points, dtype=np.float64)
    lead = points.shape[:-1]
    flat = points.reshape(-1, points.shape[-1])
    block = _block(net, idx)
    if block >= len(flat):
        return net.value(flat, idx).reshape(lead)
    parts = [net.value(flat[i:i + block], idx) for i in range(0, len(flat), block)]
    return np.concatenate(parts).reshape(lead)


def filter_normalized_direction(net: MLP, theta: np.ndarray,
                                rng: np.random.Generator) -> np.ndarray:
    """Gaussian direction d with ||d_row|| = ||theta_row|| for every weight row; biases 0."""
    layers = []
    for W, b in net.unflatten(np.asarray(theta, dtype=np.float64)):
        d = rng.standard_normal(W.shape)
        row_norm = np.linalg.norm(d, axis=1, keepdims=True)
        layers.append((d * (np.linalg.norm(W, axis=1, keepdims=True) / row_norm), np.zeros_like(b)))
    return net.flatten(layers)


def random_directions(net: MLP, theta: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two independent filter-normalised directions around ``theta`` (seeded)."""
    rng = np.random.default_rng(seed)
    d1 = filter_normalized_direction(net, theta, rng)
    return d1, filter_normalized_direction(net, theta, rng)


def loss_slice(net: MLP, center: np.ndarray, d1: np.ndarray, d2: np.ndarray, alphas: np.ndarray,
               betas: np.ndarray, idx: np.ndarray | None = None) -> LossSlice:
    """L(center + alphas[i] d1 + betas[j] d2) for every (i, j), batched over blocks of grid rows:
    the whole (nb, na, P) grid of parameter vectors is never built (260 MB for a 61 x 61 slice of
    a 3 x 64 network)."""
    center, d1, d2 = (np.asarray(v, dtype=np.float64) for v in (center, d1, d2))
    alphas, betas = np.asarray(alphas, dtype=np.float64), np.asarray(betas, dtype=np.float64)
    row = center + alphas[:, None] * d1  # (na, P): the grid row at beta = 0
    rows = max(1, _block(net, idx) // max(1, len(alphas)))
    losses = [batched_value(net, row + betas[j:j + rows, None, None] * d2, idx)
              for j in range(0, len(betas), rows)]
    losses = np.concatenate(losses) if losses else np.empty((0, len(alphas)))
    return LossSlice(alphas, betas, losses, center, d1, d2)


def random_slice(net: MLP, theta_star: np.ndarray, seed: int = 0, n: int = 41,
                 span: float = 1.0, idx: np.ndarray | None = None) -> LossSlice:
    """Loss on [-span, span]^2 (n x n) around ``theta_star``, two filter-normalised directions."""
    d1, d2 = random_directions(net, theta_star, seed)
    grid = np.linspace(-span, span, n)
    return loss_slice(net, theta_star, d1, d2, grid, grid, idx)


def project(points: np.ndarray, center: np.ndarray, d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Least-squares coordinates (a, b) with points ~ center + a d1 + b d2: (..., P) -> (..., 2)."""
    basis = np.stack([d1, d2], axis=1)  # (P, 2)
    offsets = np.asarray(points, dtype=np.float64) - center
    coords, *_ = np.linalg.lstsq(basis, offsets.reshape(-1, basis.shape[0]).T, rcond=None)
    return coords.T.reshape(*offsets.shape[:-1], 2)


def pca_directions(paths: Sequence[np.ndarray],
                   center: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-2 principal directions of the rows theta_t - center over all paths (unit, orthogonal).

    Returns ``d1, d2, explained`` where ``explained`` is each direction's fraction of the variance.
    Signs are fixed so the largest-magnitude entry of each direction is positive (deterministic).
    The directions come from the smaller Gram matrix (rows x rows, or P x P): a full SVD would also
    build every other direction, min(rows, P) x P floats (63 MB for eight 114-point paths of a
    3 x 64 network), and its workspace.
    """
    offsets = np.concatenate([np.asarray(p, dtype=np.float64) for p in paths])
    offsets -= center
    offsets -= offsets.mean(axis=0)
    by_rows = len(offsets) <= offsets.shape[1]
    values, vectors = np.linalg.eigh(offsets @ offsets.T if by_rows else offsets.T @ offsets)
    values, top = np.clip(values[::-1], 0.0, None), vectors[:, ::-1][:, :2]
    basis, _ = np.linalg.qr(offsets.T @ top if by_rows else top)  # orthonormal, also if flat
    total = float(values.sum())
    directions = []
    for k in range(2):
        v = basis[:, k] if k < basis.shape[1] else np.zeros(offsets.shape[1])
        directions.append(v * np.sign(v[np.argmax(np.abs(v))] or 1.0))
    explained = np.array([values[k] / total if k < len(values) and total > 0 else 0.0
                          for k in range(2)])
    return directions[0], directions[1], explained


def _extent(values: np.ndarray, margin: float) -> tuple[float, float]:
    lo, hi = float(values.min()), float(values.max())
    pad = margin * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


def pca_slice(net: MLP, paths: Sequence[np.ndarray], center: np.ndarray | None = None,
              n: int = 41, margin: float = 0.25, idx: np.ndarray | None = None) -> PathSlice:
    """Loss on the PCA plane of ``paths`` (each (T_i, P)) around ``center`` with projected paths.

    The grid covers every projected path with ``margin`` (fraction of the range) on each side.
    ``ends``: each path's last point against the plane (two more losses per path, on ``idx``).
    """
    center = np.asarray(paths[0][-1] if center is None else center, dtype=np.float64)
    d1, d2, explained = pca_directions(paths, center)
    coords = tuple(project(p, center, d1, d2) for p in paths)
    everything = np.concatenate(coords)
    alphas = np.linspace(*_extent(everything[:, 0], margin), n)
    betas = np.linspace(*_extent(everything[:, 1], margin), n)
    last = np.stack([np.asarray(p[-1], dtype=np.float64) for p in paths])
    shadow = center + np.stack([c[-1] for c in coords]) @ np.stack([d1, d2])
    own, flat = batched_value(net, np.concatenate([last, shadow]), idx).reshape(2, -1)
    ends = tuple(PathEnd(float(np.linalg.norm(e - s)), float(np.linalg.norm(s - center)),
                         float(a), float(b))
                 for e, s, a, b in zip(last, shadow, own, flat, strict=True))
    return PathSlice(loss_slice(net, center, d1, d2, alphas, betas, idx), coords, explained,
                     ends)


def interpolation(net: MLP, theta0: np.ndarray, theta1: np.ndarray,
                  ts: np.ndarray | None = None, idx: np.ndarray | None = None) -> Interpolation:
    """loss((1 - t) theta0 + t theta1), default 81 values of t in [-0.5, 1.5]; one batched call."""
    ts = np.linspace(-0.5, 1.5, 81) if ts is None else np.asarray(ts, dtype=np.float64)
    theta0, theta1 = np.asarray(theta0, dtype=np.float64), np.asarray(theta1, dtype=np.float64)
    points = (1.0 - ts)[:, None] * theta0 + ts[:, None] * theta1
    return Interpolation(ts, batched_value(net, points, idx))

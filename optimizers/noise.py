"""Counter-based randomness: every path draws its own numbers, independent of the batch.

A path's key is a splitmix64 hash of (seed, the bytes of its start point); the j-th uniform of step
t is a hash of (key, t, j). So a start gives the same draws alone or anywhere in any batch, and no
generator state is carried between steps. Minibatch indices are shared by all paths: one seeded
permutation of the samples per epoch, consumed in consecutive batches.
"""

from __future__ import annotations

import math

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def _mix_int(z: int) -> int:
    """splitmix64 finalizer on a Python int (exact, no overflow warnings)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer on a uint64 array (wrapping arithmetic)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def path_keys(seed: int | np.ndarray, starts: np.ndarray) -> np.ndarray:
    """One uint64 key per start (rows of ``starts`` (B, D)), from the seed and the start's bits;
    ``seed`` may also be one integer per start (B,): row i then draws as a run of its own with
    ``seed[i]`` (the same start under several seeds, in one batch)."""
    if isinstance(seed, np.ndarray):
        rows = np.ascontiguousarray(starts, dtype=np.float64)
        if seed.shape != rows.shape[:1]:
            raise ValueError(f"{len(rows)} starts need as many seeds, got shape {seed.shape}")
        return np.concatenate([path_keys(int(s), rows[i:i + 1]) for i, s in enumerate(seed)])
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    seed_key = _mix_int(int(seed) + _GOLDEN)
    bits = np.ascontiguousarray(starts, dtype=np.float64).view(np.uint64)
    offsets = np.array(
        [_mix_int(seed_key + _GOLDEN * (d + 1)) for d in range(bits.shape[-1])], dtype=np.uint64
    )
    return _mix(_mix(bits ^ offsets).sum(axis=-1, dtype=np.uint64) ^ np.uint64(seed_key))


def uniforms(keys: np.ndarray, step: int, n: int) -> np.ndarray:
    """(B, n) uniforms in (0, 1): draw j of step ``step`` for each path key."""
    step_key = np.uint64(_mix_int(_GOLDEN * (step + 1) + 0x632BE59BD9B4E019))
    counters = np.array([(_GOLDEN * (j + 1)) & _MASK for j in range(n)], dtype=np.uint64)
    z = _mix(_mix(keys ^ step_key)[:, None] + counters)
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def normals(keys: np.ndarray, step: int, d: int) -> np.ndarray:
    """(B, d) standard normals (Box-Muller on 2d uniforms of this step)."""
    return box_muller(uniforms(keys, step, 2 * d))


def box_muller(u: np.ndarray) -> np.ndarray:
    """z = sqrt(-2 ln u1) cos(2 pi u2) for u = [u1 | u2] split along the last axis."""
    d = u.shape[-1] // 2
    return np.sqrt(-2.0 * np.log(u[..., :d])) * np.cos((2.0 * math.pi) * u[..., d:])


class Minibatches:
    """Indices of step t's minibatch: epoch e = t // n_batches uses permutation(seed, e)."""

    def __init__(self, n_samples: int, batch_size: int, seed: int) -> None:
        if not isinstance(batch_size, int | np.integer) or not 1 <= batch_size <= n_samples:
            raise ValueError(f"batch_size={batch_size!r} is out of range [1, {n_samples}]")
        self.n_samples, self.batch_size, self.seed = int(n_samples), int(batch_size), int(seed)
        self.n_batches = -(-self.n_samples // self.batch_size)
        self._epoch, self._perm = -1, np.arange(0)

    def __call__(self, step: int) -> np.ndarray:
        epoch, k = divmod(step, self.n_batches)
        if epoch != self._epoch:
            rng = np.random.default_rng([self.seed & _MASK, epoch])
            self._epoch, self._perm = epoch, rng.permutation(self.n_samples)
        return self._perm[k * self.batch_size : (k + 1) * self.batch_size]

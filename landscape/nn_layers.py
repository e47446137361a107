"""The network's building blocks, each forward step with its local derivative (micrograd style).

- activations ``a = f(z)`` with ``da/dz`` written from (z, a): ReLU [z > 0], tanh 1 - a^2,
  sigmoid a (1 - a); the sigmoid is computed through tanh so it never overflows;
- ``log_softmax`` and the mean ``cross_entropy`` with its gradient (softmax - onehot) / m, both
  shifted by the row maximum (log-sum-exp), so logits of 1e4 give exact, finite numbers.

All functions act on the last axes and broadcast over any leading batch axes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, reduce

import numpy as np

# ------------------------------------------------------------ activations: forward + local slope


@dataclass(frozen=True)
class Activation:
    """a = f(z) and its local derivative da/dz written from (z, a); ``init`` names the scheme."""

    name: str
    f: Callable[..., np.ndarray]  # f(z, out=None)
    df: Callable[[np.ndarray, np.ndarray], np.ndarray]
    init: str  # "he" or "xavier"


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + e^-z) = (1 + tanh(z / 2)) / 2: no overflow for any z. ``out``: written in place
    (may be ``z``), the same operations, so the same bits."""
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


# f(z, out=None) may write into ``out`` (the value-only pass overwrites z in place to save memory)
ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", lambda z, out=None: np.maximum(z, 0.0, out=out),
                       lambda z, a: z > 0.0, "he"),                          # d relu = [z > 0]
    "tanh": Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, "xavier"),  # d tanh = 1 - a^2
    "sigmoid": Activation("sigmoid", sigmoid, lambda z, a: a * (1.0 - a), "xavier"),  # s(1 - s)
}


def batch_transpose(M: np.ndarray) -> np.ndarray:
    """Transpose the last two axes (batched matrix transpose)."""
    return np.swapaxes(M, -1, -2)


@lru_cache(maxsize=64)
def ones_vector(n: int) -> np.ndarray:
    """Cached read-only ones: ``v @ ones_vector(k)`` sums v's last axis (fast for small k)."""
    ones = np.ones(n)
    ones.flags.writeable = False
    return ones


# ------------------------------------------------------------------ softmax and cross-entropy
# Reductions over a short last axis (k classes) or over samples are slow as ``.max/.sum(axis)``
# in NumPy for small arrays; a running ``np.maximum`` over the k columns and a matmul with a ones
# vector compute the same numbers several times faster.


def _rowmax(z: np.ndarray) -> np.ndarray:
    """max over the last axis: (..., k) -> (...)."""
    return reduce(np.maximum, (z[..., j] for j in range(1, z.shape[-1])), z[..., 0])


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log p = z - logsumexp(z) over the last axis; subtracting max(z) first keeps exp <= 1."""
    shifted = z - _rowmax(z)[..., None]
    return shifted - np.log(np.exp(shifted) @ ones_vector(z.shape[-1]))[..., None]


def cross_entropy(logits: np.ndarray, onehot: np.ndarray,
                  need_grad: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Mean -log softmax(logits)[y] over the sample axis, and its gradient w.r.t. the logits.

    logits (..., m, k), onehot(y) (m, k) -> loss (...), dloss/dlogits = (softmax - onehot) / m.
    """
    m, k = onehot.shape
    shifted = logits - _rowmax(logits)[..., None]  # s = z - max z
    e = np.exp(shifted)
    total = e @ ones_vector(k)  # sum_j exp(s_j)
    per_sample = np.log(total) - (shifted * onehot) @ ones_vector(k)  # -log p_y = lse(s) - s_y
    loss = per_sample @ np.full(m, 1.0 / m)
    if not need_grad:
        return loss, None
    dlogits = (e / total[..., None] - onehot) / m  # d(-log p_y)/dz = p - onehot
    return loss, dlogits

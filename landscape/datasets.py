"""Toy 2D classification data sets, generated from a seed (no downloads).

Every generator has the signature ``make(n_samples, noise, seed, **options) -> (X, y)``:

- ``X`` (n, 2) float64, standardised: each column has mean 0, and one common scale makes the mean
  of the two column variances 1 (so circles stay round and the same initialisation and learning
  rates suit every data set);
- ``y`` (n,) int64 class labels ``0 .. k-1``, balanced: every class gets ``n // k`` points and the
  first ``n % k`` classes one more;
- ``noise`` is the standard deviation of Gaussian jitter in the generator's own units (before
  standardising); ``0`` gives the clean shape.

The page builds its controls from ``DATASETS`` (display name, description, default noise, number of
classes) and calls ``make_dataset(name, n_samples, noise, seed, **options)``; ``train_test_split``
holds out a stratified test set with its own seed::

    X, y = make_dataset("two_moons", n_samples=400, noise=0.15, seed=0)
    X_train, y_train, X_test, y_test = train_test_split(X, y, test_fraction=0.25, seed=0)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Data = tuple[np.ndarray, np.ndarray]


def _class_sizes(n_samples: int, n_classes: int) -> np.ndarray:
    """Balanced class sizes: n // k each, the first n % k classes get one more."""
    if n_samples < n_classes:
        raise ValueError(f"n_samples={n_samples} is smaller than the number of classes {n_classes}")
    sizes = np.full(n_classes, n_samples // n_classes)
    sizes[: n_samples % n_classes] += 1
    return sizes


def _labels(n_samples: int, n_classes: int) -> np.ndarray:
    return np.repeat(np.arange(n_classes), _class_sizes(n_samples, n_classes))


def _finish(X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator) -> Data:
    """Add Gaussian jitter, centre, scale to unit mean variance, shuffle the rows with labels."""
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    X = X + noise * rng.standard_normal(X.shape)
    X = X - X.mean(axis=0)
    X = X / np.sqrt(X.var(axis=0).mean())
    order = rng.permutation(len(y))
    return X[order].astype(np.float64), y[order].astype(np.int64)


def two_moons(n_samples: int = 200, noise: float = 0.1, seed: int = 0) -> Data:
    """Two interleaving half circles (scikit-learn's make_moons): class 0 on top, class 1 below."""
    rng = np.random.default_rng(seed)
    y = _labels(n_samples, 2)
    t = np.pi * rng.uniform(0.0, 1.0, n_samples)
    top = np.stack([np.cos(t), np.sin(t)], axis=1)
    bottom = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where((y == 0)[:, None], top, bottom)
    return _finish(X, y, noise, rng)


def circles(n_samples: int = 200, noise: float = 0.05, seed: int = 0, factor: float = 0.5) -> Data:
    """A small circle (class 1, radius ``factor``) inside a unit circle (class 0)."""
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must lie in (0, 1), got {factor}")
    rng = np.random.default_rng(seed)
    y = _labels(n_samples, 2)
    angle = rng.uniform(0.0, 2.0 * np.pi, n_samples)
    radius = np.where(y == 0, 1.0, factor)
    X = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return _finish(X, y, noise, rng)


def spirals(n_samples: int = 300, noise: float = 0.05, seed: int = 0, n_classes: int = 2) -> Data:
    """``n_classes`` (2 or 3) arms of 1.75 turns (as TensorFlow Playground's spiral).

    r = u, angle = 1.75 * 2 pi u + 2 pi c / k for u uniform in [0.05, 1] and class c.
    """
    if n_classes not in (2, 3):
        raise ValueError(f"spirals has 2 or 3 classes, got {n_classes}")
    rng = np.random.default_rng(seed)
    y = _labels(n_samples, n_classes)
    u = rng.uniform(0.05, 1.0, n_samples)
    angle = 1.75 * 2.0 * np.pi * u + 2.0 * np.pi * y / n_classes
    X = u[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return _finish(X, y, noise, rng)


def xor(n_samples: int = 200, noise: float = 0.1, seed: int = 0) -> Data:
    """Points in the four quadrants of [-1, 1]^2; class = sign(x) != sign(y) (the XOR problem)."""
    rng = np.random.default_rng(seed)
    y = _labels(n_samples, 2)
    quadrant = rng.integers(0, 2, n_samples)  # which of the two quadrants of the class
    sx = np.where(quadrant == 0, 1.0, -1.0)
    sy = np.where(y == 0, sx, -sx)  # class 0: same signs, class 1: opposite signs
    magnitude = rng.uniform(0.1, 1.0, (n_samples, 2))
    X = magnitude * np.stack([sx, sy], axis=1)
    return _finish(X, y, noise, rng)


def blobs(n_samples: int = 200, noise: float = 0.5, seed: int = 0, n_classes: int = 3) -> Data:
    """``n_classes`` Gaussian blobs (std ``noise``) centred on a circle of radius 2."""
    if not 2 <= n_classes <= 8:
        raise ValueError(f"blobs has 2 to 8 classes, got {n_classes}")
    rng = np.random.default_rng(seed)
    y = _labels(n_samples, n_classes)
    angle = 2.0 * np.pi * np.arange(n_classes) / n_classes + np.pi / 4
    centres = 2.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return _finish(centres[y], y, noise, rng)


@dataclass(frozen=True)
class DatasetSpec:
    """A registry entry: how to draw a data set and what to tell the user about it.

    ``n_classes`` is the default; ``class_options`` lists the values the ``n_classes`` option
    accepts (empty when the class count is fixed).
    """

    name: str
    display_name: str
    description: str
    make: Callable[..., Data]
    default_noise: float
    max_noise: float
    n_classes: int = 2
    class_options: tuple[int, ...] = ()


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec("two_moons", "Two moons", "Two interleaving half circles; a curved boundary "
                    "separates them, so a linear classifier cannot reach 100%.", two_moons,
                    0.15, 0.5),
        DatasetSpec("circles", "Circles", "Two rings, one inside the other: the boundary between "
                    "them is a closed curve, which needs at least one hidden layer.", circles,
                    0.05, 0.3),
        DatasetSpec("spirals", "Spirals", "Interleaved arms of 1.75 turns (2 or 3 classes): the "
                    "hardest set here: with Adam a 16-16 network needs about 100 epochs to fit two "
                    "arms, not the default 40, and more for three (ReLU learns faster than tanh); "
                    "SGD at 0.1 is still far from it after 150.", spirals,
                    0.05, 0.3, 2, (2, 3)),
        DatasetSpec("xor", "XOR", "Opposite quadrants share a class: the classic problem a "
                    "linear classifier provably cannot solve.", xor, 0.1, 0.5),
        DatasetSpec("blobs", "Gaussian blobs", "Round clusters, one per class: at low noise "
                    "nearly linearly separable, the easy case.", blobs, 0.5, 1.5, 3, (2, 3, 4, 5)),
    )
}


def make_dataset(name: str, n_samples: int, noise: float | None = None, seed: int = 0,
                 **options: int | float) -> Data:
    """Draw data set ``name`` (a DATASETS key); ``noise=None`` uses the registry default."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; valid: {', '.join(DATASETS)}")
    spec = DATASETS[name]
    return spec.make(n_samples, spec.default_noise if noise is None else noise, seed, **options)


def train_test_split(X: np.ndarray, y: np.ndarray, test_fraction: float = 0.25,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratified split: round(test_fraction * n_c) points of each class c go to the test set.

    Returns ``X_train, y_train, X_test, y_test``; rows keep their original relative order.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    rng = np.random.default_rng(seed)
    is_test = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        n_test = round(test_fraction * len(members))
        is_test[rng.choice(members, size=n_test, replace=False)] = True
    return X[~is_test], y[~is_test], X[is_test], y[is_test]


def markdown_table() -> str:
    """A Markdown table of DATASETS for the README: name, display name, classes, noise, about."""
    rows = ["| Name | Data set | Classes | Default noise | What it shows |",
            "| --- | --- | --- | ---: | --- |"]
    for spec in DATASETS.values():
        classes = " / ".join(map(str, spec.class_options)) or str(spec.n_classes)
        rows.append(f"| `{spec.name}` | {spec.display_name} | {classes} | {spec.default_noise:g} "
                    f"| {spec.description} |")
    return "\n".join(rows)

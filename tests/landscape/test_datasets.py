"""Toy data sets: shapes, determinism per seed, balance, standardisation, the split."""

from __future__ import annotations

import numpy as np
import pytest

from landscape.datasets import DATASETS, make_dataset, markdown_table, train_test_split

CASES = [(name, {}) for name in DATASETS] + [("spirals", {"n_classes": 3}),
                                             ("blobs", {"n_classes": 5})]


@pytest.mark.parametrize(("name", "options"), CASES)
def test_shape_dtype_and_standardised(name, options):
    X, y = make_dataset(name, 301, seed=3, **options)
    assert X.shape == (301, 2) and X.dtype == np.float64
    assert y.shape == (301,) and np.issubdtype(y.dtype, np.integer)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    assert X.var(axis=0).mean() == pytest.approx(1.0, rel=1e-12)  # one common scale
    assert np.all((X.std(axis=0) > 0.5) & (X.std(axis=0) < 1.5))
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize(("name", "options"), CASES)
def test_deterministic_per_seed(name, options):
    X1, y1 = make_dataset(name, 200, 0.1, seed=7, **options)
    X2, y2 = make_dataset(name, 200, 0.1, seed=7, **options)
    X3, _ = make_dataset(name, 200, 0.1, seed=8, **options)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize(("name", "options"), CASES)
def test_balanced_classes(name, options):
    k = options.get("n_classes", DATASETS[name].n_classes)
    for n in (200, 203):
        _, y = make_dataset(name, n, seed=0, **options)
        counts = np.bincount(y, minlength=k)
        assert len(counts) == k
        assert counts.sum() == n and counts.max() - counts.min() <= 1


@pytest.mark.parametrize(("name", "options"), CASES)
def test_labels_are_shuffled(name, options):
    """Rows are not sorted by class (a minibatch of the first rows must see several classes)."""
    _, y = make_dataset(name, 400, seed=0, **options)
    assert len(np.unique(y[:40])) > 1


def test_noise_moves_points_and_zero_noise_gives_the_clean_shape():
    X0, y0 = make_dataset("circles", 200, noise=0.0, seed=1)
    radius = np.linalg.norm(X0, axis=1)
    # clean circles stay round (one common scale) with radii in the ratio factor = 0.5
    assert np.ptp(radius[y0 == 0]) < 0.1 and np.ptp(radius[y0 == 1]) < 0.1
    assert radius[y0 == 1].mean() / radius[y0 == 0].mean() == pytest.approx(0.5, rel=0.02)
    X1, _ = make_dataset("circles", 200, noise=0.2, seed=1)
    assert np.ptp(np.linalg.norm(X1, axis=1)[y0 == 0]) > 0.5


def test_xor_labels_follow_the_quadrant_rule():
    X, y = make_dataset("xor", 400, noise=0.0, seed=2)
    # standardising keeps the signs because the clean set is symmetric about 0 on average
    agree = (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int) == y
    assert agree.mean() > 0.95


def test_circles_are_two_rings_as_described():
    """Both classes lie on circles (radius 1 and 0.5 before standardising): two rings, not a ring
    around a disc."""
    X, y = make_dataset("circles", 400, noise=0.0, seed=0)
    fits = []
    for c in (0, 1):  # x^2 + y^2 = 2 a x + 2 b y + k: a circle through every point of the class
        P = X[y == c]
        A = np.column_stack([2 * P, np.ones(len(P))])
        (a, b, k), *_ = np.linalg.lstsq(A, (P**2).sum(axis=1), rcond=None)
        assert np.allclose(A @ (a, b, k), (P**2).sum(axis=1), atol=1e-9)
        fits.append((a, b, np.sqrt(k + a * a + b * b)))
    (a0, b0, outer), (a1, b1, inner) = fits
    assert (a0, b0) == pytest.approx((a1, b1))  # one centre
    assert inner / outer == pytest.approx(0.5)
    assert DATASETS["circles"].description.startswith("Two rings, one inside the other")


def test_registry_entries_are_complete():
    for name, spec in DATASETS.items():
        assert spec.name == name
        assert spec.display_name and spec.description
        assert 0 <= spec.default_noise <= spec.max_noise
        if spec.class_options:
            assert spec.n_classes in spec.class_options


def test_errors():
    with pytest.raises(ValueError, match="two_moons"):
        make_dataset("moons!", 10)
    with pytest.raises(ValueError):
        make_dataset("spirals", 90, n_classes=4)
    with pytest.raises(ValueError):
        make_dataset("two_moons", 100, noise=-1.0)
    with pytest.raises(ValueError):
        make_dataset("blobs", 2, n_classes=3)


def test_split_is_stratified_disjoint_and_seeded():
    X, y = make_dataset("blobs", 300, seed=0, n_classes=3)
    Xtr, ytr, Xte, yte = train_test_split(X, y, test_fraction=0.2, seed=5)
    assert len(yte) == 60 and len(ytr) == 240
    np.testing.assert_array_equal(np.bincount(yte), [20, 20, 20])
    # disjoint and complete: every original row lands in exactly one split
    rows = {tuple(r) for r in X}
    assert {tuple(r) for r in Xtr} | {tuple(r) for r in Xte} == rows
    assert not {tuple(r) for r in Xtr} & {tuple(r) for r in Xte}
    again = train_test_split(X, y, test_fraction=0.2, seed=5)
    np.testing.assert_array_equal(again[2], Xte)
    other = train_test_split(X, y, test_fraction=0.2, seed=6)
    assert not np.array_equal(other[2], Xte)
    with pytest.raises(ValueError):
        train_test_split(X, y, test_fraction=1.0)


def test_markdown_table_lists_every_data_set():
    table = markdown_table().splitlines()
    assert len(table) == 2 + len(DATASETS)
    for spec, row in zip(DATASETS.values(), table[2:], strict=True):
        assert f"`{spec.name}`" in row and spec.display_name in row
    assert "| 2 / 3 |" in table[2 + list(DATASETS).index("spirals")]

"""Counter-based draws: in range, reproducible, independent of the batch around a path."""

from __future__ import annotations

import numpy as np

from optimizers.noise import Minibatches, normals, path_keys, uniforms


def test_uniforms_are_in_the_open_interval_and_look_uniform():
    keys = path_keys(0, np.random.default_rng(0).normal(size=(2000, 2)))
    u = uniforms(keys, 7, 4)
    assert u.shape == (2000, 4) and np.all((u > 0) & (u < 1))
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.005
    hist = np.histogram(u, bins=10, range=(0, 1))[0]
    assert hist.min() > 0.9 * hist.mean()


def test_draws_depend_on_seed_start_step_and_index_only():
    starts = np.array([[0.5, 1.0], [0.5, 1.0000000000000002], [-0.0, 0.0], [0.0, 0.0]])
    keys = path_keys(3, starts)
    assert len(set(keys.tolist())) == 4  # one bit of difference is a different path
    np.testing.assert_array_equal(path_keys(3, starts[2:]), keys[2:])
    assert not np.array_equal(path_keys(4, starts), keys)
    a, b = uniforms(keys, 0, 3), uniforms(keys, 1, 3)
    assert not np.any(a == b)
    np.testing.assert_array_equal(uniforms(keys[1:2], 0, 3), a[1:2])
    z = normals(path_keys(1, np.random.default_rng(1).normal(size=(5000, 2))), 0, 2)
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05


def test_minibatches_are_epoch_permutations():
    mb = Minibatches(10, 4, seed=2)
    first = [mb(t) for t in range(3)]
    assert [len(i) for i in first] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(first)), np.arange(10))
    np.testing.assert_array_equal(Minibatches(10, 4, seed=2)(4), mb(4))
    np.testing.assert_array_equal(mb(1), Minibatches(10, 4, seed=2)(1))

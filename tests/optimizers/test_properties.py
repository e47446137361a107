"""Property tests: any batch, in any order, gives each start's own path."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizers import OPTIMIZERS, get_optimizer, run
from tests.optimizers.helpers import Rosenbrock

coords = st.floats(-1.9, 1.9, allow_nan=False, width=64)
starts = st.lists(st.tuples(coords, coords), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None)
@given(
    points=starts,
    name=st.sampled_from(list(OPTIMIZERS)),
    seed=st.integers(0, 2**40),
    noise=st.sampled_from([0.0, 0.3]),
    data=st.data(),
)
def test_batched_paths_do_not_depend_on_the_batch(points, name, seed, noise, data):
    batch = np.array(points)
    order = np.array(data.draw(st.permutations(range(len(points)))))
    f = Rosenbrock()
    opt = get_optimizer(name, lr=1e-3) if OPTIMIZERS[name].uses_gradient else get_optimizer(name)
    whole = run(opt, f, batch, 15, seed=seed, noise=noise)
    shuffled = run(opt, f, batch[order], 15, seed=seed, noise=noise)
    np.testing.assert_array_equal(shuffled.points, whole.points[:, order])
    k = data.draw(st.integers(0, len(points) - 1))
    alone = run(opt, f, batch[k], 15, seed=seed, noise=noise)
    np.testing.assert_array_equal(alone.points, whole.points[:, k])
    np.testing.assert_array_equal(alone.losses, whole.losses[:, k])

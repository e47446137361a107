"""Surface.value_and_grad: the same numbers as value and grad, whether fused or not."""

from __future__ import annotations

import numpy as np
import pytest

from landscape import SURFACES

NAMES = sorted(SURFACES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(2,), (9, 2), (3, 4, 2)])
def test_value_and_grad_equals_value_and_grad_bit_for_bit(name, shape):
    s = SURFACES[name]
    (x0, x1), (y0, y1) = s.domain
    xy = np.random.default_rng(3).uniform([x0, y0], [x1, y1], size=shape)
    before = xy.copy()
    with np.errstate(all="ignore"):
        value, grad = s.value_and_grad(xy)
        np.testing.assert_array_equal(value, s.value(xy))
        np.testing.assert_array_equal(grad, s.grad(xy))
    assert np.shape(grad) == shape
    np.testing.assert_array_equal(xy, before)  # the input is never written


def test_fused_surfaces_take_strided_input():
    s = SURFACES["rosenbrock"]
    wide = np.random.default_rng(5).uniform(-2.0, 2.0, size=(6, 4))
    xy = wide[:, ::2]  # a (6, 2) view with gaps
    value, grad = s.value_and_grad(xy)
    np.testing.assert_array_equal(value, s.value(np.ascontiguousarray(xy)))
    np.testing.assert_array_equal(grad, s.grad(np.ascontiguousarray(xy)))


@pytest.mark.parametrize("name", ["rosenbrock", "himmelblau", "ackley", "two_basins"])
def test_the_benchmark_and_basin_surfaces_have_a_fused_pass(name):
    assert SURFACES[name].fdf is not None


@pytest.mark.parametrize("name", ["ackley", "two_basins"])
def test_fused_passes_are_exact_at_special_points(name):
    """The origin (Ackley's kink, gradient defined as 0) and the listed minima."""
    s = SURFACES[name]
    xy = np.array([[0.0, 0.0], *[m.point for m in s.minima]])
    value, grad = s.value_and_grad(xy)
    np.testing.assert_array_equal(value, s.value(xy))
    np.testing.assert_array_equal(grad, s.grad(xy))

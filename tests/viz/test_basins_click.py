"""The basin maps' click markers: they carry the very starts the map ran, and each is as big as
its cell on screen (a marker wider than its cell put a neighbour under the pointer)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from landscape.base import Minimum
from viz.basins import CLICK_NAME, MAX_CLICK_SIDE, PHONE_MAP_PX, basin_figure

MINIMA = (Minimum((-1.0, 0.0), -0.2, True), Minimum((1.0, 0.0), 0.2, False))


def click_of(n: int, domain, **kwargs) -> dict:
    """The click trace of an n x n map over ``domain``, as the browser receives it (JSON)."""
    (x0, x1), (y0, y1) = domain
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y0 + (np.arange(n) + 0.5) * (y1 - y0) / n
    labels = np.zeros((n, n), dtype=int)
    spec = json.loads(json.dumps(basin_figure(xs, ys, labels, MINIMA, "SGD", "sgd", domain,
                                              **kwargs).to_dict()))
    return next(t for t in spec["data"] if t["name"] == CLICK_NAME)


def test_click_targets_carry_the_starts_bit_for_bit() -> None:
    """Per-path gradient noise is keyed on the start's exact bits: rounded to 5 digits, the cell
    at -0.6000000000000001 came back as -0.6 and the race drew another noise stream."""
    domain = ((-4.0, 4.0), (-4.0, 4.0))
    n = 60
    xs = -4.0 + (np.arange(n) + 0.5) * 8.0 / n
    assert -0.6000000000000001 in xs.tolist()  # the reviewed cell
    click = click_of(n, domain)
    gx, gy = np.meshgrid(xs, xs)
    assert click["x"] == gx.ravel().tolist() and click["y"] == gy.ravel().tolist()


def plotly_ties(size: float, cell: float) -> bool:
    """Whether a pointer inside a cell can tie with a neighbour's marker: Plotly's hover distance
    is ``max(d - r, 1 - 3 / r)``, ``r = max(3, size / 2)``, so markers closer than
    ``r + 1 - 3 / r`` tie (and the last in the data wins)."""
    r = max(3.0, size / 2)
    return r + 1 - 3 / r > cell / 2 + 1e-9


@pytest.mark.parametrize(("side", "phone", "n", "domain", "cell"), [
    (300, False, 60, ((-4.0, 4.0), (-4.0, 4.0)), 300 / 60),  # two maps a row on a laptop
    (460, False, 60, ((-4.0, 4.0), (-4.0, 4.0)), 460 / 60),  # one map a row
    (460, True, 60, ((-4.0, 4.0), (-4.0, 4.0)), PHONE_MAP_PX / 60),  # a phone's width
    (300, False, 40, ((-10.0, 10.0), (-4.0, 4.0)), 300 * 8 / 20 / 40),  # wide: cells are flat
    (300, False, 30, ((-1.5, 4.0), (-3.0, 4.0)), 300 * 5.5 / 7 / 30),  # tall: cells are thin
    (460, False, 20, ((-4.0, 4.0), (-4.0, 4.0)), 460 / 20),
])
def test_click_markers_are_as_big_as_a_cell_of_the_layout(side: int, phone: bool, n: int,
                                                          domain, cell: float) -> None:
    """Markers of 600 / 60 = 10 px on ~5 px cells (two maps a row): the pointer sat inside
    several markers and Plotly picked the last of them, a neighbour, in 4 clicks of 5 (measured
    in Chromium). A marker now fills its cell, less the pixel or two that keep a neighbour from
    tying where the cell is big enough (6 px) for that."""
    size = click_of(n, domain, side=side, phone=phone)["marker"]["size"]
    if cell <= 6:
        assert size == pytest.approx(cell)
    else:
        assert cell - 2 < size <= cell and not plotly_ties(size, cell)
        assert plotly_ties(size + 0.05, cell)  # and no smaller than it must be


def test_a_strided_click_grid_has_markers_as_big_as_their_spacing() -> None:
    n = 200
    click = click_of(n, ((-4.0, 4.0), (-4.0, 4.0)), side=460)
    stride = int(np.ceil(n / MAX_CLICK_SIDE))
    assert len(click["x"]) == len(range(0, n, stride)) ** 2
    spacing = stride * 460 / n
    assert spacing - 2 < click["marker"]["size"] <= spacing
    assert not plotly_ties(click["marker"]["size"], spacing)

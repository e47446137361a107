"""Structure of the basin map: one colour per outcome, clickable cell centres, minima markers."""

from __future__ import annotations

import numpy as np

from landscape.base import Minimum
from viz.basins import (
    DIVERGED_COLOR,
    GLOBAL_COLOR,
    MAX_CLICK_SIDE,
    basin_figure,
    label_colors,
)

MINIMA = (Minimum((-1.0, 0.0), -0.2, True), Minimum((1.0, 0.0), 0.2, False))
DOMAIN = ((-2.0, 2.0), (-2.0, 2.0))


def grid_labels(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs = np.linspace(-1.9, 1.9, n)
    ys = np.linspace(-1.9, 1.9, n)
    labels = np.where(xs[None, :] < 0, 0, 1) * np.ones((n, 1), dtype=int)
    labels[0, 0] = -1
    return xs, ys, labels


def test_cells_map_to_their_outcome_colour() -> None:
    xs, ys, labels = grid_labels(20)
    fig = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN)
    heat = fig.data[0]
    z = np.asarray(heat.z)
    scale = heat.colorscale
    n = len(scale) // 2

    def color_of(v: int) -> str:
        return scale[2 * v][1]

    assert color_of(int(z[5, 2])) == GLOBAL_COLOR
    assert color_of(int(z[0, 0])) == DIVERGED_COLOR
    assert color_of(int(z[5, 15])) == label_colors(MINIMA)[1]
    assert n == 4  # moving, diverged, two minima


def test_legend_reports_shares_and_minima_are_marked() -> None:
    xs, ys, labels = grid_labels(20)
    fig = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN)
    names = [t.name for t in fig.data if t.showlegend]
    assert any(n.startswith("global min") and n.endswith("%") for n in names)
    assert any(n.startswith("diverged") for n in names)
    assert not any(n.startswith("no minimum") for n in names)  # absent outcome, no legend entry
    assert {t.name for t in fig.data} >= {"global minimum", "local minimum"}


def test_click_targets_are_cell_centres_and_bounded() -> None:
    xs, ys, labels = grid_labels(200)
    fig = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN)
    click = next(t for t in fig.data if t.name == "click: open in the race")
    assert len(click.x) <= MAX_CLICK_SIDE**2
    assert set(np.round(click.x, 5)) <= set(np.round(xs, 5))
    assert fig.layout.clickmode == "event+select"


def test_level_lines_of_the_landscape_are_drawn_when_a_grid_is_given() -> None:
    from viz.background import sample_grid

    class Bowl:
        def value(self, xy):
            return np.sum(np.asarray(xy) ** 2, axis=-1)

    xs, ys, labels = grid_labels(20)
    plain = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN)
    grid = sample_grid(Bowl(), DOMAIN, n=30)
    lined = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN, grid=grid)
    assert not [t for t in plain.data if t.type == "contour"]
    contour = next(t for t in lined.data if t.type == "contour")
    assert contour.contours.coloring == "none" and contour.showscale is False
    assert np.asarray(contour.z).shape == (30, 30)

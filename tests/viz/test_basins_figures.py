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
from viz.numbers import round_sig

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
    spec = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN).to_dict()
    heat = spec["data"][0]
    z = np.asarray(heat["z"])
    scale = heat["colorscale"]
    n = len(scale) // 2

    def color_of(v: int) -> str:
        return scale[2 * v][1]

    assert color_of(int(z[5, 2])) == GLOBAL_COLOR
    assert color_of(int(z[0, 0])) == DIVERGED_COLOR
    assert color_of(int(z[5, 15])) == label_colors(MINIMA)[1]
    assert n == 4  # moving, diverged, two minima


def test_legend_reports_shares_and_minima_are_marked() -> None:
    xs, ys, labels = grid_labels(20)
    data = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN).to_dict()["data"]
    names = [t["name"] for t in data if t.get("showlegend")]
    assert any(n.startswith("global min") and n.endswith("%") for n in names)
    assert any(n.startswith("diverged") for n in names)
    assert not any(n.startswith("no minimum") for n in names)  # absent outcome, no legend entry
    assert {t["name"] for t in data} >= {"global minimum", "local minimum"}


def test_click_targets_are_cell_centres_and_bounded() -> None:
    xs, ys, labels = grid_labels(200)
    spec = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN).to_dict()
    click = next(t for t in spec["data"] if t["name"] == "click: open in the race")
    assert len(click["x"]) <= MAX_CLICK_SIDE**2
    assert set(click["x"]) <= set(round_sig(xs, 5))  # every target is a cell centre
    assert spec["layout"]["clickmode"] == "event+select"
    # hover words follow the cell's outcome
    assert {w.split(" (")[0] for w in click["customdata"]} == {"global min", "local min",
                                                               "diverged"}


def test_level_lines_of_the_landscape_are_drawn_when_a_grid_is_given() -> None:
    from viz.background import sample_grid

    class Bowl:
        def value(self, xy):
            return np.sum(np.asarray(xy) ** 2, axis=-1)

    xs, ys, labels = grid_labels(20)
    plain = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN).to_dict()
    grid = sample_grid(Bowl(), DOMAIN, n=30)
    lined = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN, grid=grid).to_dict()
    assert not [t for t in plain["data"] if t["type"] == "contour"]
    contour = next(t for t in lined["data"] if t["type"] == "contour")
    assert contour["contours"]["coloring"] == "none" and contour["showscale"] is False
    assert np.asarray(contour["z"]).shape == (30, 30)


def test_the_figure_is_valid_plotly() -> None:
    import plotly.graph_objects as go

    from viz.background import sample_grid

    class Bowl:
        def value(self, xy):
            return np.sum(np.asarray(xy) ** 2, axis=-1)

    xs, ys, labels = grid_labels(20)
    spec = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN,
                        grid=sample_grid(Bowl(), DOMAIN, n=30)).to_dict()
    go.Figure(spec)  # full validation: raises on any unknown key or bad value

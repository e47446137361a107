"""Layout of the network's landscape figures on a laptop and a phone, in pixels.

A browser review found, on a phone, the random slices side by side (36-51 px each, titles over
each other and under the mode bar), the paths' map and the line plot squeezed by their legends
(fixed heights: 8 optimizers left the line plot 57 px) and the map's x title cut off; on a
laptop, 8 slices in two rows had the second row's titles on the first row's x titles.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from landscape import nn_landscape
from landscape.datasets import make_dataset
from landscape.network import MLP
from optimizers import get_optimizer, run
from viz.network import DESIGN_PLOT_PX, PHONE_PLOT_PX
from viz.network_backprop import text_px
from viz.network_landscape import interpolation_figure, pca_figure, slices_figure
from viz.race_layout import legend_rows
from viz.style import MODEBAR_PX, optimizer_color

NAMES = ("sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad", "adamw", "lion")
LABELS = ("SGD (lr 0.1)", "SGD + momentum (lr 0.03)", "Nesterov momentum (lr 0.03)",
          "Adam (lr 0.01)", "RMSprop (lr 0.003)", "Adagrad (lr 0.1)", "AdamW (lr 0.01)",
          "Lion (lr 0.003)")
COLORS = tuple(optimizer_color(n) for n in NAMES)
TITLE_LINE = 17  # a 13 px title line's height in the browser
X_AXIS_BELOW = 56  # a panel's x tick labels and x title reach this far below it (measured)


@pytest.fixture(scope="module")
def land():
    X, y = make_dataset("two_moons", 80, 0.1, 0)
    net = MLP(X, y, hidden=(5,), activation="tanh")
    start = net.init_params(0)
    paths = [run(get_optimizer(n, lr=lr), net, start, 20).points
             for n, lr in (("adam", 0.02), ("sgd", 0.2))]
    pca = nn_landscape.pca_slice(net, paths, n=5)
    one = nn_landscape.random_slice(net, paths[0][-1], n=5)
    curve = nn_landscape.interpolation(net, paths[0][0], paths[0][-1], ts=np.linspace(0, 1, 5))
    return pca, one, curve


def _pca_of(pca, n: int):
    """The PCA plane with ``n`` paths (the two computed ones, repeated)."""
    from dataclasses import replace

    return replace(pca, coords=[pca.coords[i % 2] for i in range(n)])


def _plot_h(layout: dict) -> float:
    return layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]


def _px(layout: dict, y: float) -> float:
    """Pixels from the figure's top of paper ``y`` (the margins as laid out)."""
    return layout["margin"]["t"] + (1 - y) * _plot_h(layout)


def _axis(layout: dict, kind: str, i: int) -> dict:
    return layout[f"{kind}axis{'' if i == 0 else i + 1}"]


def _plain(text: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", line) for line in text.split("<br>")]


@pytest.mark.parametrize("n", [3, 8])
def test_a_phone_gets_one_slice_a_row_across_the_column(land, n) -> None:
    _, one, _ = land
    laptop = slices_figure([one] * n, LABELS[:n], COLORS[:n]).to_dict()["layout"]
    layout = slices_figure([one] * n, LABELS[:n], COLORS[:n], phone=True).to_dict()["layout"]
    assert [_axis(layout, "x", i)["domain"] for i in range(n)] == [[0.0, 1.0]] * n
    tops = []
    for i in range(n):
        y0, y1 = _axis(layout, "y", i)["domain"]
        assert (y1 - y0) * _plot_h(layout) >= 250  # as tall as the phone's column is wide
        tops.append(_px(layout, y1))
        assert _axis(layout, "y", i)["showticklabels"]
    assert tops == sorted(tops)
    assert layout["height"] > laptop["height"]  # grows with the panels
    # the colour bar lies across the top, under the mode bar, not beside the panels
    (bar,) = [t["colorbar"] for t in
              slices_figure([one] * n, LABELS[:n], COLORS[:n], phone=True).to_dict()["data"]
              if t.get("showscale")]
    assert bar["orientation"] == "h" and bar["yref"] == "container"
    assert bar["y"] <= 1 - MODEBAR_PX / layout["height"] + 1e-4


@pytest.mark.parametrize("phone", [False, True])
@pytest.mark.parametrize("n", [3, 8])
def test_slice_titles_clear_the_mode_bar_the_row_above_and_each_other(land, n, phone) -> None:
    _, one, _ = land
    fig = slices_figure([one] * n, LABELS[:n], COLORS[:n], phone=phone).to_dict()
    layout = fig["layout"]
    notes = layout["annotations"]
    assert len(notes) == n
    # a phone's colour bar (its ticks under it) takes a row under the mode bar
    clear = MODEBAR_PX + (30 if phone else 0)
    cols = len({tuple(_axis(layout, "x", i)["domain"]) for i in range(n)})
    plot_w = PHONE_PLOT_PX if phone else DESIGN_PLOT_PX - 100  # less a laptop's colour bar
    for i, a in enumerate(notes):
        lines = _plain(a["text"])
        top = _px(layout, a["y"]) - TITLE_LINE * len(lines)
        assert top >= clear, (a["text"], top)
        if i >= cols:  # under the x ticks and x title of the panel above
            above = _px(layout, _axis(layout, "y", i - cols)["domain"][0])
            assert top >= above + X_AXIS_BELOW, (a["text"], top, above)
    for a, b in itertools.pairwise(notes[:cols]):
        half = sum(max(text_px(x, 13) * 1.08 for x in _plain(t["text"])) for t in (a, b)) / 2
        assert half <= (b["x"] - a["x"]) * plot_w, (a["text"], b["text"])


@pytest.mark.parametrize("phone", [False, True])
@pytest.mark.parametrize("kind", ["pca", "interp"])
def test_the_legend_grows_the_figure_and_the_plot_keeps_its_size(land, kind, phone) -> None:
    """Fixed heights (480, 340) left 8 optimizers' legend to eat the plot on a phone (125 and
    57 px), and Plotly capped it with a scrollbar that hid entries."""
    pca, _, curve = land

    def layout(n: int) -> dict:
        labels, names = LABELS[:n], NAMES[:n]
        if kind == "pca":
            fig = pca_figure(_pca_of(pca, n), names, labels, COLORS[:n], phone=phone)
        else:
            fig = interpolation_figure([curve] * n, [curve] * n, names, labels, COLORS[:n],
                                       phone=phone)
        return fig.to_dict()["layout"]

    few, many = layout(3), layout(8)
    assert _plot_h(many) == pytest.approx(_plot_h(few), abs=2)
    assert _plot_h(many) >= (260 if kind == "pca" else 180)
    assert many["height"] > few["height"]
    for n, lay in ((3, few), (8, many)):
        legend = lay["legend"]
        assert legend["yref"] == "container" and legend["yanchor"] == "top"
        start = (1 - legend["y"]) * lay["height"]
        assert start >= MODEBAR_PX - 0.5  # under the mode bar
        entries = [*LABELS[:n], *(["initial weights (shared)"] if kind == "pca" else [])]
        rows = legend_rows(entries, 300 if phone else DESIGN_PLOT_PX - 100)
        assert lay["margin"]["t"] >= start + 19 * rows, (n, rows, lay["margin"])
    if phone:
        assert legend_rows(LABELS, 300) >= 8  # one entry a row: the case the review saw


def test_a_phones_paths_map_title_fits_and_its_colour_bar_lies_on_top(land) -> None:
    pca, _, _ = land
    fig = pca_figure(pca, ["adam", "sgd"], LABELS[3:5], COLORS[3:5], phone=True).to_dict()
    title = fig["layout"]["xaxis"]["title"]["text"]
    assert "variance" in title
    assert all(text_px(line, 13) <= 250 for line in _plain(title)), title  # was 339 px
    laptop = pca_figure(pca, ["adam", "sgd"], LABELS[3:5], COLORS[3:5]).to_dict()
    assert "<br>" not in laptop["layout"]["xaxis"]["title"]["text"]
    (contour,) = [t for t in fig["data"] if t["type"] == "contour"]
    assert contour["colorbar"]["orientation"] == "h"  # the map keeps the column's width
    (contour,) = [t for t in laptop["data"] if t["type"] == "contour"]
    assert "orientation" not in contour["colorbar"]


@pytest.mark.parametrize("phone", [False, True])
@pytest.mark.parametrize("n", [3, 8])
def test_slice_panels_draw_alpha_and_beta_at_one_scale(land, n, phone) -> None:
    """Alpha and beta are steps along two directions of the same norm, but a laptop's panels
    were 300 px tall and ~130 px wide: valleys looked twice as steep across as along. Each
    panel is planned as tall as it is wide and keeps one scale in the browser."""
    from viz.network_landscape import COLORBAR_W_PX

    _, one, _ = land
    layout = slices_figure([one] * n, LABELS[:n], COLORS[:n], phone=phone).to_dict()["layout"]
    plot_w = PHONE_PLOT_PX if phone else DESIGN_PLOT_PX - COLORBAR_W_PX
    for i in range(n):
        xa, ya = _axis(layout, "x", i), _axis(layout, "y", i)
        assert (ya["scaleanchor"], ya["scaleratio"]) == (f"x{'' if i == 0 else i + 1}", 1)
        assert xa["constrain"] == ya["constrain"] == "domain"
        wide = (xa["domain"][1] - xa["domain"][0]) * plot_w
        tall = (ya["domain"][1] - ya["domain"][0]) * _plot_h(layout)
        assert tall <= wide + 1.5, (tall, wide)
        assert tall >= 0.9 * min(wide, 270), (tall, wide)

"""Where the race map puts its parts (colour bar, legend, controls), its height, and the colour
bar's ticks. The pixel sizes these give in a real browser are checked in tests/e2e/test_race.py."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from tests.viz.test_race_figure import Bowl, gd_path
from viz.background import colorbar_trace, linear_ticks, log_ticks, sample_grid
from viz.playback import Playback
from viz.race import race_figure
from viz.race_layout import (
    AXIS_TITLE_PX,
    BUTTONS_PX,
    COLORBAR_PX,
    CONTROLS_PX,
    DESIGN_WIDTH,
    MAP_PX,
    PANELS_SIDE_BY_SIDE,
    PHONE_WIDTH,
    SLIDER_TOP,
    axis_titles,
    legend_rows,
    race_height,
)

NUMBER = re.compile(r"^−?\d+(\.\d+)?(×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?$|^10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+$")
_PLAIN = str.maketrans("−⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "--0123456789")


def is_power(text: str) -> bool:
    """``10³``, ``10⁻²``."""
    return text.startswith("10") and len(text) > 2 and text[2] in "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"


def tick_value(text: str) -> float:
    """The number a tick reads: ``−2.5``, ``3×10⁴``, ``10⁻³``."""
    if is_power(text):
        return 10.0 ** int(text[2:].translate(_PLAIN))
    mantissa, _, power = text.partition("×10")
    return float(mantissa.translate(_PLAIN)) * 10.0 ** int(power.translate(_PLAIN) or 0)


@pytest.fixture(scope="module")
def layout() -> dict:
    grid = sample_grid(Bowl(), Bowl.domain, 40, log_scale=True, z_floor=0.0)
    paths = [gd_path(0.05, 200, "sgd"), gd_path(0.1, 200, "adam")]
    return race_figure(grid, paths, Bowl.minima, Bowl()).to_dict()["layout"]


def test_the_buttons_sit_above_the_map_and_the_slider_has_a_full_width_row_under_it(
        layout) -> None:
    """Under the map, Play was below the fold of a 1280 x 800 laptop; beside the buttons (pad.l
    340) the slider collapsed below ~600 px: labels piled up, the handle hid behind "▶ 4×" and
    Chromium logged negative rect widths."""
    menu, slider = layout["updatemenus"][0], layout["sliders"][0]
    assert (menu["x"], menu["y"], menu["xanchor"], menu["yanchor"]) == (0, 1, "left", "bottom")
    assert menu["pad"]["b"] + 33 + 6 <= BUTTONS_PX  # 33 px buttons, 6 px under the legend
    assert (slider["x"], slider["len"], slider["pad"]["l"], slider["pad"]["r"]) == (0.0, 1.0, 0, 0)
    assert (slider["y"], slider["yanchor"], slider["pad"]["t"]) == (0, "top", SLIDER_TOP)
    assert SLIDER_TOP >= 25  # under the x tick labels
    assert layout["yaxis"]["constraintoward"] == "top"  # the map stays under the buttons
    assert layout["xaxis"]["constraintoward"] == "left"  # and starts where they start
    assert layout["margin"]["b"] == CONTROLS_PX >= SLIDER_TOP + 68  # the slider is 68 px high


def test_the_legend_and_colour_bar_sit_above_the_map_not_beside_it(layout) -> None:
    """On the right (x = 1.02) the legend took half a 1000 px column; above, Plotly wraps it."""
    legend = layout["legend"]
    assert legend["orientation"] == "h" and legend["x"] == 0 and legend["xanchor"] == "left"
    # from the figure's top, under the colour bar: Plotly reserves its rows above the buttons
    assert legend["yref"] == "container" and legend["yanchor"] == "top"
    assert legend["y"] * layout["height"] == pytest.approx(layout["height"] - COLORBAR_PX)
    assert legend["traceorder"] == "normal"  # the minima's group would stack in a column
    grid = sample_grid(Bowl(), Bowl.domain, 20, log_scale=True, z_floor=0.0)
    bar = colorbar_trace(grid, top=0.9)["marker"]["colorbar"]
    assert bar["orientation"] == "h" and bar["yref"] == "container" and bar["y"] == 0.9
    assert bar["title"]["side"] == "right"  # on the bar's row (above it, it covered the bar)
    assert layout["margin"]["l"] + layout["margin"]["r"] < 60


class Line(Bowl):
    """The bowl with its coordinates named as a data loss names its parameters."""

    axes = ("w", "b")


@pytest.mark.parametrize("width", [DESIGN_WIDTH, PHONE_WIDTH], ids=["laptop", "phone"])
def test_a_data_loss_map_names_its_parameters_on_its_axes_with_room_for_them(width) -> None:
    """The line fit's map drew untitled axes while its hover and start inputs said w and b:
    which axis was the slope? Its axes say w and b, the x title on a row of its own over the
    step slider, the y title left of the y ticks in a column taken from the plot's width (the
    figure keeps its width, so the map and the height are fitted to what is left). A surface's
    plain x and y stay untitled, as before."""
    grid = sample_grid(Bowl(), Bowl.domain, 40, log_scale=True, z_floor=0.0)
    paths = [gd_path(0.05, 200, "sgd")]
    pb = Playback(plot_width=width)
    plain = race_figure(grid, paths, Bowl.minima, Bowl(), playback=pb).to_dict()
    named = race_figure(grid, paths, Bowl.minima, Line(), playback=pb).to_dict()
    a, b = plain["layout"], named["layout"]
    assert axis_titles(Bowl()) is None and axis_titles(Line()) == ("w", "b")
    assert "title" not in a["xaxis"] and "title" not in a["yaxis"]
    assert (b["xaxis"]["title"]["text"], b["yaxis"]["title"]["text"]) == ("w", "b")
    assert b["margin"]["l"] == a["margin"]["l"] + AXIS_TITLE_PX
    assert b["margin"]["b"] == a["margin"]["b"] + AXIS_TITLE_PX
    assert [s["pad"]["t"] for s in b["sliders"]] == [SLIDER_TOP + AXIS_TITLE_PX] * 2
    legend = [t["name"] for t in named["data"] if t.get("showlegend")]
    assert b["height"] == race_height(0.5, legend, width - AXIS_TITLE_PX, axis_px=AXIS_TITLE_PX)
    if width < PANELS_SIDE_BY_SIDE:  # a phone's buttons still start at the figure's left edge
        menu_x = b["updatemenus"][0]["x"] * (width - AXIS_TITLE_PX)
        assert menu_x == pytest.approx(-b["margin"]["l"])


@pytest.mark.parametrize("ratio", [0.25, 0.5, 2 / 3, 1.0, 1.5])
def test_the_height_fits_the_map_on_the_design_width(ratio) -> None:
    one_row = race_height(ratio, ["SGD (lr 0.01)"])
    map_px = one_row - COLORBAR_PX - BUTTONS_PX - CONTROLS_PX - 29.5  # one legend row
    assert map_px == pytest.approx(np.clip(ratio * DESIGN_WIDTH, *MAP_PX), abs=1)
    # at least as large as before at 1400 px, where it had at most 641 x 427 px
    assert min(DESIGN_WIDTH, map_px / ratio) >= min(641, 427 / ratio)
    assert ratio < 2 / 3 or map_px >= 428
    names = [f"Nesterov momentum (lr 0.00{k})" for k in range(8)]
    assert race_height(ratio, names) > one_row  # a legend of more rows adds its height


def test_legend_rows_follow_plotly_one_row_or_columns_of_the_widest_entry() -> None:
    assert legend_rows(["SGD (lr 0.01)", "Adam (lr 0.3)", "global minimum"]) == 1
    six = ["SGD (lr 0.01)", "SGD + momentum (lr 0.003)", "Nesterov momentum (lr 0.003)",
           "Adam (lr 0.3)", "RMSprop (lr 0.01)", "Adagrad (lr 0.01)", "global minimum",
           "local minimum"]
    assert legend_rows(six, 800) == 3 and legend_rows(six, 900) == 2
    assert legend_rows(six, 300) == 8  # a phone: one column


LINEAR = [(-0.794, 4.54), (-5.0, 4.9), (0.0, 1.0), (2.0, 3.0), (0.0, 12.0), (-3e5, 7e5),
          (0.0, 49_999.0), (123_456.0, 160_000.0), (0.001, 0.0013), (-1e-6, 1e-6), (100.0, 101.0)]


@pytest.mark.parametrize(("lo", "hi"), LINEAR)
def test_linear_ticks_are_round_and_written_alike(lo, hi) -> None:
    """``sin(x)*cos(y) + 0.1*(x^2+y^2)`` read -0.794, 0.539, 1.87, 3.2, 4.54 and ``x`` read
    -5, -2.53, -0.05, 2.42, 4.9."""
    vals, text = linear_ticks(lo, hi)
    assert 3 <= len(vals) <= 6 and lo - 1e-12 <= vals[0] and vals[-1] <= hi + 1e-12
    step = np.diff(vals)
    assert np.allclose(step, step[0])
    mantissa = step[0] / 10.0 ** np.floor(np.log10(step[0]) + 1e-9)
    assert min(abs(mantissa - m) for m in (1, 2, 5)) < 1e-6  # a 1-2-5 step
    assert all(abs(v / step[0] - round(v / step[0])) < 1e-6 for v in vals)  # on its multiples
    assert all(NUMBER.match(t) for t in text), text
    np.testing.assert_allclose([tick_value(t) for t in text], vals, rtol=1e-9, atol=1e-15)
    decimals = {len(t.split("×")[0].partition(".")[2]) for t in text if t != "0"}
    assert len(decimals) == 1, text  # 0.5, 1.0, 1.5: one way of writing them


def test_the_typed_formulas_of_the_review_read_round_numbers() -> None:
    assert linear_ticks(-0.794, 4.54)[1] == ["0", "1", "2", "3", "4"]
    assert linear_ticks(-5.0, 4.9)[1] == ["−4", "−2", "0", "2", "4"]


@pytest.mark.parametrize("top", [0.02, 0.5, 5.0, 100.0, 300.0, 1000.0, 2500.0, 1e4, 1e6, 1e12])
def test_log_ticks_are_powers_of_ten_written_one_way(top) -> None:
    """Rosenbrock's bar read 0, 3, ..., 300, 1e+03: plain numbers beside Python's exponent."""
    hi = float(np.log10(1 + top))
    pos, text = log_ticks(hi)
    assert text[0] == "0" and pos[0] == 0 and 3 <= len(pos) <= 6
    assert all(NUMBER.match(t) for t in text), text
    assert not any("e" in t for t in text)
    assert all(b - a >= hi / 8 - 1e-9 for a, b in itertools.pairwise(pos))
    powers = all(is_power(t) for t in text[1:])
    plain = all(t.replace(".", "").isdigit() for t in text[1:])
    assert powers or plain, text
    g = [tick_value(t) for t in text]
    np.testing.assert_allclose(pos, np.log10(1 + np.array(g)))  # each sits at its own colour
    if top >= 1e4:
        assert powers and g[-1] == pytest.approx(top)  # the top power is labelled

"""A phone's Play buttons and step slider are a finger's size (Apple's 44 pt, ``TOUCH_PX``).

Plotly's buttons were 33 px tall on every page, and the race's step slider took a finger's tap
on a 25 px band (below it, the labelled slider jumped to the round marks). Sizes in a real
browser: tests/e2e/test_race_layout.py."""

from __future__ import annotations

import numpy as np
import pytest

from landscape.base import Minimum
from tests.viz.test_network import _training_layout, trained  # noqa: F401 (a fixture)
from tests.viz.test_race_figure import Bowl, gd_path
from tests.viz.test_sweep_multiples import Bowl as Paraboloid
from tests.viz.test_sweep_multiples import paths
from viz.background import sample_grid
from viz.multiples import LEGEND_PX, MIN_WIDTH, small_multiples_figure
from viz.multiples import MARGIN_L as LAB_MARGIN_L
from viz.multiples import MARGIN_R as LAB_MARGIN_R
from viz.playback import SLIDER_TICK_OFFSET_PX, Playback
from viz.race import race_figure
from viz.race_layout import (
    BUTTONS_PX,
    COLORBAR_PX,
    CONTROLS_PX,
    PHONE_WIDTH,
    buttons_px,
    race_height,
)
from viz.style import TOUCH_PX, button_px


def menu_px(menu: dict, font: float = 13) -> int:
    """The height Plotly gives ``menu``'s buttons (``font``: the layout's, if the menu has none)."""
    lines = max(b["label"].count("<br>") + 1 for b in menu["buttons"])
    return button_px(menu.get("font", {}).get("size", font), lines)


def test_plotly_s_button_height_is_its_measured_one() -> None:
    """Measured in Chromium (Streamlit's Plotly): 33 px at 11 and 12 px type, 46 px for three
    lines of 11 px type, 54 px for three of 13."""
    assert button_px(11) == button_px(12) == 33
    assert button_px(11, 3) == 46 and button_px(13, 3) == 54


@pytest.fixture(scope="module")
def grid():
    return sample_grid(Bowl(), Bowl.domain, 30, log_scale=True, z_floor=0.0)


def _race(grid, width: int) -> dict:
    return race_figure(grid, [gd_path(0.05, 50)], Bowl.minima, Bowl(),
                       playback=Playback(plot_width=width)).to_dict()["layout"]


def test_a_phone_s_race_buttons_are_a_finger_s_size_on_a_row_that_holds_them(grid) -> None:
    phone, laptop = _race(grid, PHONE_WIDTH), _race(grid, 800)
    menu = phone["updatemenus"][0]
    assert menu_px(menu) >= TOUCH_PX
    # the label reads the same (what plotly_controls.js and a screen reader say)
    labels = [b["label"].replace("<br>", "") for b in menu["buttons"]]
    assert labels[:2] == ["▶ Play", "❚❚ Pause"]
    # 10 px over the map, as before: the map's top y tick label stays clear of "▶ Play"
    assert menu["pad"]["b"] == 10
    assert menu["pad"]["b"] + menu_px(menu) == buttons_px(PHONE_WIDTH)
    # the figure's planned height holds the taller row (one legend row: 29.5 px)
    assert race_height(2 / 3, ["a"], PHONE_WIDTH) == int(
        COLORBAR_PX + 29.5 + buttons_px(PHONE_WIDTH) + 2 / 3 * PHONE_WIDTH + CONTROLS_PX)
    # a laptop keeps its 33 px buttons on its 50 px row
    assert menu_px(laptop["updatemenus"][0]) == 33 and buttons_px(800) == BUTTONS_PX


def test_the_step_slider_takes_a_finger_s_tap_on_a_band_of_its_own(grid) -> None:
    """Plotly's slider takes touches from its rail's top down, 25 px plus its ticks: the
    handle's slider (every frame) has long ticks, drawn 0 px wide."""
    for width in (PHONE_WIDTH, 800):
        scrub = _race(grid, width)["sliders"][1]
        assert SLIDER_TICK_OFFSET_PX + scrub["ticklen"] >= TOUCH_PX
        assert scrub["tickwidth"] == 0


def test_the_lab_s_phone_buttons_are_a_finger_s_size_and_start_at_the_figure_s_edge() -> None:
    """At 12 px type from the plot's left the lab's row ended 4 px inside a 390 px phone's
    figure (and past a 360 px one's)."""
    grid = sample_grid(Paraboloid(), ((-2.0, 2.0), (-2.0, 2.0)), n=40)
    args = (grid, paths(4), [f"panel {k}" for k in range(4)], (Minimum((0.0, 0.0), 0.0, True),),
            Paraboloid(), (1.5, 1.0))
    phone = small_multiples_figure(*args, phone=True).to_dict()["layout"]["updatemenus"][0]
    laptop = small_multiples_figure(*args).to_dict()["layout"]["updatemenus"][0]
    assert menu_px(phone) >= TOUCH_PX and menu_px(laptop) == 33
    # in the row planned over the legend (the figure's top margin is fixed)
    assert phone["pad"]["b"] + menu_px(phone) == BUTTONS_PX + LEGEND_PX
    assert laptop["pad"]["b"] + menu_px(laptop) <= BUTTONS_PX + LEGEND_PX
    assert phone["pad"]["b"] >= LEGEND_PX
    assert phone["x"] == pytest.approx(-LAB_MARGIN_L / (MIN_WIDTH[2] - LAB_MARGIN_L - LAB_MARGIN_R))
    assert laptop["x"] == 0


def test_the_network_s_phone_buttons_are_a_finger_s_size(trained) -> None:  # noqa: F811
    from viz.network import network_figure

    phone, _, _ = _training_layout(trained, 2, phone=True)
    laptop, _, _ = _training_layout(trained, 2)
    assert menu_px(phone["updatemenus"][0]) >= TOUCH_PX
    assert menu_px(laptop["updatemenus"][0]) == 33
    for layout in (phone, laptop):  # in the row planned for them
        menu = layout["updatemenus"][0]
        assert menu["pad"]["b"] + menu_px(menu) <= BUTTONS_PX
    net, _ = trained
    theta = net.init_params(0)[None]
    args = (net.layer_sizes, net.unflatten(theta), net.unflatten(net.grad(theta)), np.arange(1),
            "t", "tanh")
    drawing = network_figure(*args, phone=True).to_dict()["layout"]["updatemenus"][0]
    assert menu_px(drawing) >= TOUCH_PX and drawing["pad"]["b"] + menu_px(drawing) <= BUTTONS_PX

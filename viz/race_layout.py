"""The race figure's size arithmetic: the pixels its colour bar, legend, Play buttons, map, step
slider and curve panels take (``race_height``; beside the map or under it: ``panels_beside``), the
plot widths it is fitted to (a laptop's ``DESIGN_WIDTH``, a phone's ``PHONE_WIDTH``), and the map's
axis titles and aspect (``axis_titles``, ``map_aspect``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from viz.background import Domain
from viz.style import TOUCH_FONT, TOUCH_LINES, button_px, legend_size

# The Play / speed buttons sit on a row of BUTTONS_PX right above the map, where a laptop sees them
# without scrolling; below the map are its x tick labels and then the step slider on a row of
# its own (SLIDER_TOP down: its current value, rail, ticks and labels), CONTROLS_PX in all.
BUTTONS_PX, SLIDER_TOP, CONTROLS_PX = 50, 30, 110
# Pixels above it: the colour bar (its title on its left) at the top right of the figure, under
# the row Plotly's mode bar shows on hover (MODEBAR_PX), then the legend; a legend entry is
# LEGEND_ITEM_PX plus LEGEND_CHAR_PX a character wide (12 px font).
COLORBAR_PX, LEGEND_ROW_PX, LEGEND_PAD_PX = 68, 19.5, 10
LEGEND_ITEM_PX, LEGEND_CHAR_PX = 45, 5.9
# A narrow plot's row holds a finger's buttons (``touch_buttons``: 46 px, 33 px before) and 10
# px under them: in a 50 px row, 4 px over the map, "▶ Play" covered its top y tick label.
TOUCH_BUTTONS_PX = button_px(TOUCH_FONT, TOUCH_LINES) + 10
# A legend under the slider (``legend_under``) starts this far up into the slider's row, whose
# bottom is blank below its labels.
LEGEND_TUCK_PX = 16
# The plot width the figure's height is fitted to (the main column of a ~1300 px window), and the
# map's height limits there: a narrower plot leaves a blank band below the map (see race_height).
DESIGN_WIDTH, MAP_PX = 800, (300, 460)
# A phone's plot: a 360-430 px screen less Streamlit's 16 px paddings and the margins below.
# Narrower than fitted leaves a blank band under the map; wider keeps the map to the left.
PHONE_WIDTH = 300
MARGIN_L, MARGIN_R = 40, 12
#: The whole figure's width at DESIGN_WIDTH of plot: what a downloaded HTML file is drawn at.
FIGURE_WIDTH = DESIGN_WIDTH + MARGIN_L + MARGIN_R
#: A map whose axes have titles (``axis_titles``) takes this much more room left of its y tick
#: labels (from the plot's width: the figure keeps its width) and under its x tick labels (the
#: step slider moves down): the row and the column of a title in the figure's 13 px font.
AXIS_TITLE_PX = 20
TITLE_STANDOFF = 2  # px between an axis title and its tick labels
PLAIN_AXES = ("x", "y")
# Under the map and its step slider, in the same figure: per-step curves (loss, distance) with a
# dot per optimizer that moves with Play (a chart of its own cannot follow the map's animation).
# Side by side on a laptop's plot; stacked on one narrower than PANELS_SIDE_BY_SIDE.
CURVE_PX, PHONE_CURVE_PX, PANELS_SIDE_BY_SIDE = 170, 130, 500
CURVE_TITLE_PX = 30  # a panel's title row, over it
CURVE_HGAP_PX, CURVE_VGAP_PX = 70, 40  # between panels: the right one's y ticks, the upper's x
CURVES_BOTTOM_PX = 58  # under the lowest panel: its step ticks and the word "step"
#: Curve panels go beside a map that leaves this much of the plot's width (``panels_beside``):
#: their y ticks (``CURVE_HGAP_PX``) and a ~240 px panel, as wide as its title.
SIDE_PANELS_PX = 300
SIDE_TITLE_GAP_PX = 16  # from the map's right edge to the titles of the panels beside it
#: A map whose axes are not to one scale (``equal_scales``) is drawn this times as high as wide.
STRETCHED_ASPECT = 0.6


def axis_titles(objective: Any) -> tuple[str, str] | None:
    """The map's axis titles: a data loss's parameters (``Surface.axes``, ``("w", "b")``), which
    the map must name (which one is the slope?); None for a surface's plain x and y. Those stay
    untitled: every reader takes a 2D map's axes for x and y, and two titles would cost a
    phone's 300 px map ``AXIS_TITLE_PX`` of width and of height for nothing new."""
    axes = tuple(getattr(objective, "axes", PLAIN_AXES))
    return None if axes == PLAIN_AXES else (str(axes[0]), str(axes[1]))


def titled_width(objective: Any, plot_width: int) -> int:
    """The plot's width left to a map of ``objective`` and its panels: ``plot_width`` less its
    y axis title's column (``axis_titles``), if it has one."""
    return plot_width - (AXIS_TITLE_PX if axis_titles(objective) else 0)


def titled_axes(titles: tuple[str, str] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Layout entries (x axis, y axis) for a map's axis ``titles`` (``axis_titles``); empty
    ones without."""
    if titles is None:
        return {}, {}
    x, y = ({"title": {"text": t, "standoff": TITLE_STANDOFF}} for t in titles)
    return x, y


def equal_scales(domain: Domain) -> bool:
    """Whether a map of ``domain`` draws x and y at one scale: it keeps gradients perpendicular
    to the contour lines, unless the domain is very elongated (height / width beyond 3)."""
    (x0, x1), (y0, y1) = domain
    return 1 / 3 <= (y1 - y0) / (x1 - x0) <= 3


def map_aspect(domain: Domain) -> float:
    """A race map's height / width: the domain's, or ``STRETCHED_ASPECT`` where its axes are not
    to one scale (``equal_scales``)."""
    (x0, x1), (y0, y1) = domain
    return (y1 - y0) / (x1 - x0) if equal_scales(domain) else STRETCHED_ASPECT


def legend_rows(names: Sequence[str], width: int = DESIGN_WIDTH) -> int:
    """Rows of a horizontal legend of ``names`` on a ``width`` px plot (``legend_size``, with the
    race's 12 px entries), at least one."""
    return max(1, legend_size(names, width, LEGEND_ITEM_PX, LEGEND_CHAR_PX)[0])


def curves_px(panels: int, width: int = DESIGN_WIDTH) -> int:
    """Height (px) of ``panels`` curve panels with their titles on a ``width`` px plot: one row
    side by side, or stacked on a narrow plot (``PANELS_SIDE_BY_SIDE``)."""
    if panels <= 0:
        return 0
    rows = panels if width < PANELS_SIDE_BY_SIDE else 1
    curve = PHONE_CURVE_PX if width < PANELS_SIDE_BY_SIDE else CURVE_PX
    return rows * (CURVE_TITLE_PX + curve) + (rows - 1) * CURVE_VGAP_PX


def legend_under(width: int, panels: int) -> bool:
    """Whether the legend goes under the map and its slider (over the curve panels) rather than
    over it: on a plot as narrow as a phone's, where it is one entry a row. Over the map, a
    race's eight rows pushed the map half below a phone's first screen."""
    return panels > 0 and width < PANELS_SIDE_BY_SIDE


def _legend_px(legend: Sequence[str], width: int) -> float:
    """Pixels of the legend's rows and the gap after them."""
    return LEGEND_ROW_PX * legend_rows(legend, width) + LEGEND_PAD_PX


def under_map_px(legend: Sequence[str], width: int, under: bool) -> float:
    """Pixels the legend adds under the slider: its rows (``_legend_px``) less the blank bottom
    of the slider's row that its first row tucks into; none unless ``under``."""
    return _legend_px(legend, width) - LEGEND_TUCK_PX if under else 0.0


def buttons_px(width: int) -> int:
    """Pixels of the Play buttons' row over a ``width`` px plot: a narrow one's buttons are a
    finger's size (``TOUCH_BUTTONS_PX``)."""
    return TOUCH_BUTTONS_PX if width < PANELS_SIDE_BY_SIDE else BUTTONS_PX


def above_map_px(legend: Sequence[str], width: int, under: bool = False) -> float:
    """Pixels over the plot area: colour bar, legend rows (unless ``under``) and the Play
    buttons (``buttons_px``)."""
    return COLORBAR_PX + (0.0 if under else _legend_px(legend, width)) + buttons_px(width)


def map_plot_px(ratio: float, width: int) -> float:
    """The map's height on a ``width`` px plot (``race_height``)."""
    return float(np.clip(ratio * width, MAP_PX[0] * width / DESIGN_WIDTH, MAP_PX[1]))


def panels_beside(ratio: float, width: int, panels: int) -> float:
    """The share of a ``width`` px plot's width that a map of height / width ``ratio`` takes
    when its ``panels`` curve panels go beside it, stacked over its height, or 0.0 where they go
    under it: beside a map that leaves ``SIDE_PANELS_PX`` of the plot (a square map is 460 px of
    a laptop's 800), whose panels were a scroll away under it, beside a blank band."""
    if panels <= 0 or width < PANELS_SIDE_BY_SIDE:
        return 0.0
    share = map_plot_px(ratio, width) / ratio / width
    return share if width * (1 - share) >= SIDE_PANELS_PX else 0.0


def curves_beside(layout: Mapping[str, Any]) -> bool:
    """Whether a race figure's ``layout`` put its curve panels beside the map rather than under
    it: the first panel's x axis (``xaxis2``) starts right of the map's (read off the figure, so
    a caption never decides it on its own)."""
    panel = layout.get("xaxis2")
    map_right = layout["xaxis"].get("domain", (0.0, 1.0))[1]
    return bool(panel) and panel.get("domain", (0.0, 1.0))[0] >= map_right


def race_height(ratio: float, legend: Sequence[str], width: int = DESIGN_WIDTH,
                panels: int = 0, axis_px: int = 0) -> int:
    """Figure height for a map of height / width ``ratio`` on a ``width`` px plot (at most
    ``MAP_PX[1]`` high, at least ``MAP_PX[0]`` scaled to the width), under the colour bar, a
    legend of ``legend`` entries and the Play buttons, over the step slider. The server cannot
    know the plot's width: a narrower one shows the map smaller, with a blank band between it
    and the slider (the legend's extra rows there take part of that band), so a phone asks for
    ``PHONE_WIDTH``. ``panels``: curve panels under the slider (``curves_px``), and their step
    axis (none beside the map: ``panels_beside``). ``axis_px``: an x axis title's row over the
    slider (``AXIS_TITLE_PX``)."""
    map_px = map_plot_px(ratio, width)
    under = legend_under(width, panels)
    below = (curves_px(panels, width) + CURVES_BOTTOM_PX
             if panels and not panels_beside(ratio, width, panels) else 0)
    return int(above_map_px(legend, width, under) + map_px + CONTROLS_PX + axis_px + below
               + under_map_px(legend, width, under))

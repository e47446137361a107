"""Basin-of-attraction maps: every start cell coloured by where its path ended.

Label convention (shared with ``app_pages/common/basins.py``): ``k >= 0`` = minimum ``k`` of the
surface, ``-1`` = diverged, ``-2`` = near no minimum (still moving). A heatmap is fine here (the map
is not animated); a near-invisible scatter of cell centres on top makes cells clickable with
``st.plotly_chart(on_select="rerun")`` (heatmaps report no selectable points). The figure is a
plain dict wrapped in ``viz.spec.SpecFigure`` (no per-trace validation: three maps build in a few
milliseconds instead of ~0.2 s).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np

from viz.background import Grid, color_levels
from viz.numbers import round_sig
from viz.spec import SpecFigure
from viz.style import (
    CLICK_HOVER,
    INK,
    MAP_XAXIS,
    MINIMUM_GLOBAL,
    MINIMUM_LOCAL,
    MODEBAR_PX,
    base_layout,
    optimizer_color,
    rgba,
)

DIVERGED, MOVING = -1, -2
GLOBAL_COLOR = "#2E9E44"
#: One shade of green per global minimum, the first GLOBAL_COLOR: Himmelblau's four global minima
#: in one green made its map a solid block, hiding which start goes where (the point of a basin
#: map). Pairwise at least 20 CIE76 units apart, and at least 50 from every local colour
#: (tests/viz/test_basins_figures.py); a fifth global minimum (a typed formula) takes the first
#: shade again.
GLOBAL_COLORS: tuple[str, ...] = ("#2E9E44", "#0B4F1E", "#9AD88A", "#7ECC42")
#: Near-black, not red: under red-green colour blindness a red "blew up" and the global green
#: became the same olive (CIEDE2000 7.9 apart in a review's deuteranope simulation; CIE76 12.6
#: in the test's, and 6.8 from the dark green for a protanope).
DIVERGED_COLOR = "#111111"
MOVING_COLOR = "#BDBDBD"
#: One colour per local minimum when there are at most this many. None is green (or teal, or
#: yellow-green), near-black or grey, which carry fixed meanings (tests/viz/test_basins_figures.py
#: measures the distances), and no two repeat. Orange and brown come last: under red-green
#: colour blindness they come within 7-16 units of a green (the first four are 30+ from all).
LOCAL_COLORS: tuple[str, ...] = (
    "#4477AA", "#AA3377", "#33BBEE", "#332288", "#7F3C8D", "#E78AC3", "#FDB462", "#A6761D",
)
MAX_DISTINCT_LOCALS = len(LOCAL_COLORS)
#: More local minima than that (Rastrigin has 120) share one blue ramp, shaded by depth: the lower
#: the minimum, the darker its cells. Light to dark; interpolated in RGB (stays blue-violet).
LOCAL_RAMP: tuple[str, str] = ("#7FA7D9", "#2A2A7A")
MAX_CLICK_SIDE = 70
#: Size (px) of the local minima's markers when they are many (``shaded_locals``).
SMALL_LOCAL_PX = 5
#: A phone's map is at most this wide: a 360 px screen less Streamlit's 2 x 16 px padding and the
#: figure's 36 + 8 px margins (columns stack on a phone, so each map has the screen's width).
PHONE_MAP_PX = 280
CLICK_NAME = "click: pick this start"
#: Layout in pixels. The title (name, then the share in a smaller font) and the legend sit above
#: the map, the map hugs them (top left), so a column narrower than ``side`` leaves its spare
#: room below the map and a wider one to its right, never between the words and the map.
TITLE_PX, SUBTITLE_PX, LEGEND_LINE_PX, TICKS_PX = 21, 17, 17, 30
#: Legend texts wrap at this many characters: a ~260 px column (two maps on a 1000 px window).
#: Titles do not wrap: Plotly misplaces a title of three lines; the longest optimizer label,
#: "Nesterov momentum (lr 0.00316)", fits that column on one.
LEGEND_CHARS = 34


def _mix(a: str, b: str, t: float) -> str:
    """``#RRGGBB`` a (t = 0) to b (t = 1), linearly in RGB."""
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(ca, cb, strict=True))


def shaded_locals(minima: Sequence[Any]) -> bool:
    """True when the local minima are too many for a colour each and share the depth ramp."""
    return sum(not m.is_global for m in minima) > MAX_DISTINCT_LOCALS


def label_colors(minima: Sequence[Any]) -> dict[int, str]:
    """Colour of every label: a shade of green for each global minimum (``GLOBAL_COLORS``); local
    ones get a colour each (at most ``MAX_DISTINCT_LOCALS``) or, when there are more, shades of
    one blue by depth (darker = deeper, equal depths alike); red for diverged, grey for no
    minimum."""
    colors = {DIVERGED: DIVERGED_COLOR, MOVING: MOVING_COLOR}
    local = [k for k, m in enumerate(minima) if not m.is_global]
    best = [k for k, m in enumerate(minima) if m.is_global]
    colors.update({k: GLOBAL_COLORS[i % len(GLOBAL_COLORS)] for i, k in enumerate(best)})
    if not shaded_locals(minima):
        colors.update({k: LOCAL_COLORS[i] for i, k in enumerate(local)})
        return colors
    depths = np.array([minima[k].value for k in local], dtype=float)
    levels, rank = np.unique(np.round(depths, 9), return_inverse=True)  # ties share a shade
    top = max(len(levels) - 1, 1)
    for k, r in zip(local, rank.ravel(), strict=True):
        colors[k] = _mix(*LOCAL_RAMP, 1.0 - r / top)  # the highest is lightest
    return colors


def label_text(label: int, minima: Sequence[Any]) -> str:
    """Short legend words for a label."""
    if label == DIVERGED:
        return "diverged"
    if label == MOVING:
        return "near no minimum (moving, stalled or off the map)"  # as the intro says
    m = minima[label]
    kind = "global min" if m.is_global else "local min"
    if k := _number(label, minima):
        kind += f" {k}"
    return f"{kind} ({m.point[0]:.2f}, {m.point[1]:.2f})"


def _number(label: int, minima: Sequence[Any]) -> int | None:
    """1-based number of a minimum among its kind, as the race's map and table number them
    ("local 2", "stuck in local minimum 2"): every local one, a global one among several; else
    None. (The basins legend named local minima by position only, so the race's "local 1" could
    not be found here: a first-time visitor's review.)"""
    same = [k for k, m in enumerate(minima) if m.is_global == minima[label].is_global]
    return same.index(label) + 1 if len(same) > 1 or not minima[label].is_global else None


def _wrap(text: str, chars: int) -> str:
    """``text`` broken into lines of at most ``chars`` characters (Plotly's ``<br>``)."""
    return "<br>".join(textwrap.wrap(text, chars, break_on_hyphens=False))


def _legend_entry(name: str, color: str) -> dict[str, Any]:
    return {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "showlegend": True,
            "name": _wrap(name, LEGEND_CHARS),
            "marker": {"symbol": "square", "size": 12, "color": color}}


def legend_entries(counts: dict[int, int], minima: Sequence[Any], colors: dict[int, str],
                   total: int) -> list[dict[str, Any]]:
    """One legend square per outcome present, with its share of the starts: each global minimum,
    each local one (or, for many shaded local minima, a single entry that says how many there are
    and how many the paths reached), then diverged and no minimum."""
    share = {lab: f"{100 * c / total:.1f}%" for lab, c in counts.items()}
    entries = [_legend_entry(f"{label_text(lab, minima)}: {share[lab]}", colors[lab])
               for lab in counts if lab >= 0 and minima[lab].is_global]
    reached = [lab for lab in counts if lab >= 0 and not minima[lab].is_global]
    if shaded_locals(minima):
        if reached:
            n_local = sum(not m.is_global for m in minima)
            of = f"{len(reached)} of {n_local}" if len(reached) < n_local else f"all {n_local}"
            ends = 100 * sum(counts[lab] for lab in reached) / total
            mid = _mix(*LOCAL_RAMP, 0.5)
            entries.append(_legend_entry(
                f"local minima ({of}; darker = deeper): {ends:.1f}%", mid))
    else:
        entries += [_legend_entry(f"{label_text(lab, minima)}: {share[lab]}", colors[lab])
                    for lab in sorted(reached, key=lambda lab: -counts[lab])]
    entries += [_legend_entry(f"{label_text(lab, minima)}: {share[lab]}", colors[lab])
                for lab in (DIVERGED, MOVING) if lab in counts]
    return entries


def _discrete_scale(colors: list[str]) -> list[list[Any]]:
    """A step colour scale for integer z = 0..len(colors)-1 with zmin=-0.5, zmax=len-0.5."""
    n = len(colors)
    scale: list[list[Any]] = []
    for i, c in enumerate(colors):
        scale += [[i / n, c], [(i + 1) / n, c]]
    return scale


def click_stride(n: int) -> int:
    """Every how many cells a click marker sits: at most MAX_CLICK_SIDE per side."""
    return max(1, int(np.ceil(n / MAX_CLICK_SIDE)))


def map_scale(domain: Any, side: int, phone: bool = False) -> float:
    """Pixels per unit of the map: its longer side is ``side`` px, and on a ``phone`` its width
    is at most ``PHONE_MAP_PX`` (the axes keep one scale, so the height follows)."""
    (x0, x1), (y0, y1) = domain
    scale = side / max(x1 - x0, y1 - y0)
    return min(scale, PHONE_MAP_PX / (x1 - x0)) if phone else scale


def click_marker_px(n: int, domain: Any, side: int, phone: bool = False) -> float:
    """Size of a click marker for an n x n map drawn ``side`` px (see ``map_scale``).

    Plotly hovers (and so selects) the marker at the least distance ``max(d - r, 1 - 3 / r)``,
    ``r = max(3, size / 2)``, taking the *last* in the data on a tie: every marker closer than
    ``r + 1 - 3 / r`` ties. 10 px markers on 5 px cells picked a neighbour 4 clicks in 5. With
    ``c`` the on-screen spacing of the click grid (a cell, or ``stride`` cells, along the
    shorter side), ``s^2 + (2 - c) s - 12 = 0`` puts the tie radius at ``c / 2``: only the
    marker of the cell under the pointer is that close, and ``s`` is within 2 px of ``c``
    (the white square of a picked cell fills it). Cells under 6 px cannot avoid ties (``r``
    is at least 3 px): their markers are the cell's size, and a click near a cell's upper or
    right edge can still pick that neighbour.
    """
    (x0, x1), (y0, y1) = domain
    c = click_stride(n) * map_scale(domain, side, phone) * min(x1 - x0, y1 - y0) / n
    return float(c if c <= 6 else ((c - 2) + np.sqrt((c - 2) ** 2 + 48)) / 2)


def click_trace(xs: np.ndarray, ys: np.ndarray, labels: np.ndarray,
                minima: Sequence[Any], size: float = 10.0) -> dict[str, Any]:
    """Near-invisible markers of ``size`` px at (a stride of) the cell centres: hover tells the
    outcome, a click selects the start (the page then offers to open it in the race). At most
    MAX_CLICK_SIDE per side to keep the page light. The centres go out unrounded: the start
    the race gets back must be the map's bit for bit (its noise is keyed on the start's bits),
    and the grid's centres are short decimals already."""
    n = len(xs)
    idx = np.arange(0, n, click_stride(n))
    gx, gy = np.meshgrid(np.asarray(xs, dtype=float)[idx], np.asarray(ys, dtype=float)[idx])
    sub = labels[np.ix_(idx, idx)].ravel()
    kinds, inverse = np.unique(sub, return_inverse=True)
    words = np.array([label_text(int(v), minima) for v in kinds], dtype=object)[inverse]
    return {
        "type": "scatter", "mode": "markers", "name": CLICK_NAME,
        "x": gx.ravel().tolist(), "y": gy.ravel().tolist(), "customdata": words.tolist(),
        # maxdisplayed 1: Plotly draws one marker, yet hovers and clicks find every point (it
        # searches all of them): three maps of 3,600 SVG markers each slowed every redraw. The
        # picked start is drawn by ``picked_trace`` instead of Plotly's selection style.
        "marker": {"size": size, "opacity": 0.01, "color": "#000000", "symbol": "square",
                   "maxdisplayed": 1},
        "selected": {"marker": {"opacity": 0.01}}, "unselected": {"marker": {"opacity": 0.01}},
        "hovertemplate": "start (%{x:.3g}, %{y:.3g})<br>ends: %{customdata}"
                         "<extra>click, or tap again: pick this start</extra>",
        "hoverlabel": dict(CLICK_HOVER),
        "showlegend": False,
    }


def picked_trace(start: tuple[float, float], size: float) -> dict[str, Any]:
    """The picked start as a white square the size of a click marker (``size`` px, at least 8):
    drawn on every map, it shows where that start lies in each optimizer's basins. No hover, so
    the clicks under it still reach the click markers. Not clipped at the plot's edge: a cell on
    the map's border was half a square (a review)."""
    return {"type": "scatter", "mode": "markers", "name": "picked start",
            "x": [float(start[0])], "y": [float(start[1])], "hoverinfo": "skip",
            "cliponaxis": False,
            "marker": {"symbol": "square", "size": max(8.0, size), "color": "#FFFFFF",
                       "line": {"color": INK, "width": 1}},
            "showlegend": False}


#: Share of a map's cells that blew up (near-black ``DIVERGED_COLOR``) from which its level lines
#: are drawn light: dark lines vanished on an all-diverged map.
LIGHT_LINES_FROM = 0.5


def contour_lines(grid: Grid, levels: int = 14, light: bool = False) -> dict[str, Any]:
    """The landscape's level lines (same colour transform as the maps), thin and dark, so the
    basins can be read against the shape of the surface; ``light``: white, for a mostly
    near-black (diverged) map."""
    t, lo, hi = color_levels(grid)
    return {
        "type": "contour", "x": round_sig(grid.x), "y": round_sig(grid.y),
        "z": np.round(t, 4).tolist(), "showscale": False, "hoverinfo": "skip",
        "name": "level lines", "showlegend": False,
        "contours": {"coloring": "none", "start": lo, "end": hi, "size": (hi - lo) / levels},
        "line": {"color": rgba("#FFFFFF", 0.55) if light else rgba(INK, 0.35), "width": 1},
    }


def _outcome_counts(labels: np.ndarray) -> dict[int, int]:
    present, counts = np.unique(labels, return_counts=True)
    return {int(v): int(c) for v, c in zip(present, counts, strict=True)}


def legend_lines(labels: np.ndarray, minima: Sequence[Any]) -> int:
    """Lines the legend of this map takes: pass the largest over maps shown side by side as
    ``basin_figure(..., legend_lines=...)`` so their maps start at the same height."""
    entries = legend_entries(_outcome_counts(labels), minima, label_colors(minima),
                             max(labels.size, 1))
    return sum(e["name"].count("<br>") + 1 for e in entries)


def basin_figure(xs: np.ndarray, ys: np.ndarray, labels: np.ndarray, minima: Sequence[Any],
                 title: str, optimizer: str, domain: Any, subtitle: str = "",
                 grid: Grid | None = None, side: int = 300,
                 legend_lines: int = 0, phone: bool = False,
                 picked: tuple[float, float] | None = None) -> SpecFigure:
    """The basin map of one optimizer: coloured cells, minima markers, legend of outcomes, and
    the landscape's level lines when ``grid`` is given; ``picked``: a start picked by a click
    (``picked_trace``).

    ``title`` and ``subtitle`` (smaller) head the figure; the legend lies between them and a
    map whose longer side is ``side`` px (less in a narrower column), with room for at least
    ``legend_lines`` lines of it. On a ``phone`` (where Plotly's mode bar always shows) the
    title starts a mode-bar row down: beside the bar, a long one ran under it.
    """
    colors_by_label = label_colors(minima)
    order = sorted(colors_by_label)  # -2, -1, 0, 1, ...
    lookup = np.searchsorted(order, labels)  # label -> its index in ``order`` (order is sorted)
    counts = _outcome_counts(labels)
    data: list[dict[str, Any]] = [{
        "type": "heatmap", "x": round_sig(xs), "y": round_sig(ys), "z": lookup.tolist(),
        "zmin": -0.5, "zmax": len(order) - 0.5, "showscale": False, "hoverinfo": "skip",
        "colorscale": _discrete_scale([colors_by_label[lab] for lab in order]), "name": "basins",
    }]
    if grid is not None:
        light = counts.get(DIVERGED, 0) >= LIGHT_LINES_FROM * max(labels.size, 1)
        data.append(contour_lines(grid, light=light))
    legend = legend_entries(counts, minima, colors_by_label, max(labels.size, 1))
    data += legend
    size = click_marker_px(len(xs), domain, side, phone)
    data.append(click_trace(xs, ys, labels, minima, size))
    if picked is not None:
        data.append(picked_trace(picked, size))
    # Many local minima (Rastrigin's 120) drawn at full size covered the basins they explain:
    # small dots then, the basins' shades say the rest (hover still names each).
    local_style = (dict(MINIMUM_LOCAL, size=SMALL_LOCAL_PX, line={"width": 1, "color": INK})
                   if shaded_locals(minima) else MINIMUM_LOCAL)
    for kind, style in ((True, MINIMUM_GLOBAL), (False, local_style)):
        pts = [m.point for m in minima if m.is_global == kind]
        # several global minima are numbered as in the legend (each has its own green)
        numbered = kind and len(pts) > 1
        if pts:
            data.append({
                "type": "scatter", "x": [p[0] for p in pts], "y": [p[1] for p in pts],
                "mode": "markers+text" if numbered else "markers",
                **({"text": [str(k + 1) for k in range(len(pts))], "textposition": "top center",
                    "textfont": {"size": 12, "color": INK, "shadow": "auto"}}
                   if numbered else {}),
                "name": "global minimum" if kind else "local minimum",
                "marker": dict(style), "showlegend": False,
                "unselected": {"marker": {"opacity": 1.0}},  # a click must not dim the minima
                "hovertemplate": "%{fullData.name} (%{x:.3g}, %{y:.3g})<extra></extra>",
            })
    title_px = TITLE_PX + (SUBTITLE_PX if subtitle else 0)
    lines = max(legend_lines, sum(e["name"].count("<br>") + 1 for e in legend))
    above = 4 + (MODEBAR_PX if phone else 0)  # over the title
    top = above + title_px + LEGEND_LINE_PX * lines + 20  # + the legend box's own padding
    (x0, x1), (y0, y1) = domain
    map_px = map_scale(domain, side) * (y1 - y0)  # a wide map is side px wide, a tall one high
    height = int(top + map_px + TICKS_PX)
    layout = base_layout(height)
    layout.update({
        "xaxis": {"range": [x0, x1], "constrain": "domain", "constraintoward": "left",
                  **MAP_XAXIS},
        "yaxis": {"range": [y0, y1], "scaleanchor": "x", "scaleratio": 1, "constrain": "domain",
                  "constraintoward": "top"},
        # in ink after a dot of the optimizer's colour: a title all in SGD's blue over a map
        # filled with a local minimum's blue read as "SGD = that minimum" (a review)
        "title": {"text": f"<span style='color:{optimizer_color(optimizer)}'>●</span> {title}"
                          + (f"<br><sup>{subtitle}</sup>" if subtitle else ""),
                  "font": {"color": INK, "size": 16},
                  # centred on its block: anchored at its top, a title of two lines lost its
                  # first one above the figure
                  "x": 0, "xanchor": "left", "xref": "container", "yref": "container",
                  "y": 1 - (above + title_px / 2) / height, "yanchor": "middle",
                  "pad": {"l": 4}},
        # start positions are told by the hover and the page's words: no axis titles, so the
        # map takes the column's width
        "margin": {"l": 36, "r": 8, "t": top, "b": TICKS_PX},
        "legend": {"orientation": "v", "x": 0, "xanchor": "left", "y": 1,
                   "yanchor": "bottom", "font": {"size": 11}, "tracegroupgap": 0},
        "clickmode": "event+select", "dragmode": "pan",
    })
    return SpecFigure({"data": data, "layout": layout})

"""Basin-of-attraction maps: every start cell coloured by where its path ended.

Label convention (shared with ``app_pages/common/basins.py``): ``k >= 0`` = minimum ``k`` of the
surface, ``-1`` = diverged, ``-2`` = near no minimum (still moving). A heatmap is fine here (the map
is not animated); a near-invisible scatter of cell centres on top makes cells clickable with
``st.plotly_chart(on_select="rerun")`` (heatmaps report no selectable points). The figure is a
plain dict wrapped in ``viz.spec.SpecFigure`` (no per-trace validation: three maps build in a few
milliseconds instead of ~0.2 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from viz.background import Grid, color_levels
from viz.numbers import round_sig
from viz.spec import SpecFigure
from viz.style import MINIMUM_GLOBAL, MINIMUM_LOCAL, base_layout, optimizer_color, rgba

DIVERGED, MOVING = -1, -2
GLOBAL_COLOR = "#2E9E44"
DIVERGED_COLOR = "#C0392B"
MOVING_COLOR = "#BDBDBD"
#: Local minima cycle through these (none is green, red or grey, which carry fixed meanings).
LOCAL_COLORS: tuple[str, ...] = (
    "#4477AA", "#EE7733", "#AA3377", "#33BBEE", "#CCBB44", "#7F3C8D", "#11A579", "#E73F74",
)
MAX_LEGEND_LOCALS = 6
MAX_CLICK_SIDE = 70


def label_colors(minima: Sequence[Any]) -> dict[int, str]:
    """Colour of every label: green for global minima, a cycling palette for local ones."""
    colors = {DIVERGED: DIVERGED_COLOR, MOVING: MOVING_COLOR}
    k_local = 0
    for k, m in enumerate(minima):
        if m.is_global:
            colors[k] = GLOBAL_COLOR
        else:
            colors[k] = LOCAL_COLORS[k_local % len(LOCAL_COLORS)]
            k_local += 1
    return colors


def label_text(label: int, minima: Sequence[Any]) -> str:
    """Short legend words for a label."""
    if label == DIVERGED:
        return "diverged"
    if label == MOVING:
        return "no minimum yet (still moving)"
    m = minima[label]
    kind = "global min" if m.is_global else "local min"
    return f"{kind} ({m.point[0]:.2f}, {m.point[1]:.2f})"


def _discrete_scale(colors: list[str]) -> list[list[Any]]:
    """A step colour scale for integer z = 0..len(colors)-1 with zmin=-0.5, zmax=len-0.5."""
    n = len(colors)
    scale: list[list[Any]] = []
    for i, c in enumerate(colors):
        scale += [[i / n, c], [(i + 1) / n, c]]
    return scale


def click_trace(xs: np.ndarray, ys: np.ndarray, labels: np.ndarray,
                minima: Sequence[Any]) -> dict[str, Any]:
    """Near-invisible markers at (a stride of) the cell centres: hover tells the outcome, a click
    selects the start. At most MAX_CLICK_SIDE per side to keep the page light."""
    n = len(xs)
    stride = max(1, int(np.ceil(n / MAX_CLICK_SIDE)))
    idx = np.arange(0, n, stride)
    gx, gy = np.meshgrid(xs[idx], ys[idx])
    sub = labels[np.ix_(idx, idx)].ravel()
    kinds, inverse = np.unique(sub, return_inverse=True)
    words = np.array([label_text(int(v), minima) for v in kinds], dtype=object)[inverse]
    size = max(4.0, 600.0 / len(idx))
    return {
        "type": "scatter", "mode": "markers", "name": "click: open in the race",
        "x": round_sig(gx, 5), "y": round_sig(gy, 5), "customdata": words.tolist(),
        "marker": {"size": size, "opacity": 0.01, "color": "#000000", "symbol": "square"},
        # the clicked cell shows as a white square; the others stay invisible
        "selected": {"marker": {"opacity": 1.0, "color": "#FFFFFF"}},
        "unselected": {"marker": {"opacity": 0.01}},
        "hovertemplate": "start (%{x:.3g}, %{y:.3g})<br>ends: %{customdata}"
                         "<extra>click: open in the race</extra>",
        "showlegend": False,
    }


def contour_lines(grid: Grid, levels: int = 14) -> dict[str, Any]:
    """The landscape's level lines (same colour transform as the maps), thin and dark, so the
    basins can be read against the shape of the surface."""
    t, lo, hi = color_levels(grid)
    return {
        "type": "contour", "x": round_sig(grid.x), "y": round_sig(grid.y),
        "z": np.round(t, 4).tolist(), "showscale": False, "hoverinfo": "skip",
        "name": "level lines", "showlegend": False,
        "contours": {"coloring": "none", "start": lo, "end": hi, "size": (hi - lo) / levels},
        "line": {"color": rgba("#111111", 0.35), "width": 1},
    }


def basin_figure(xs: np.ndarray, ys: np.ndarray, labels: np.ndarray, minima: Sequence[Any],
                 title: str, optimizer: str, domain: Any, height: int = 460,
                 grid: Grid | None = None) -> SpecFigure:
    """The basin map of one optimizer: coloured cells, minima markers, legend of outcomes, and
    the landscape's level lines when ``grid`` is given."""
    colors_by_label = label_colors(minima)
    order = sorted(colors_by_label)  # -2, -1, 0, 1, ...
    lookup = np.searchsorted(order, labels)  # label -> its index in ``order`` (order is sorted)
    present, counts_arr = np.unique(labels, return_counts=True)
    counts = {int(v): int(c) for v, c in zip(present, counts_arr, strict=True)}
    data: list[dict[str, Any]] = [{
        "type": "heatmap", "x": round_sig(xs), "y": round_sig(ys), "z": lookup.tolist(),
        "zmin": -0.5, "zmax": len(order) - 0.5, "showscale": False, "hoverinfo": "skip",
        "colorscale": _discrete_scale([colors_by_label[lab] for lab in order]), "name": "basins",
    }]
    if grid is not None:
        data.append(contour_lines(grid))
    locals_shown = sorted((lab for lab in counts if lab >= 0 and not minima[lab].is_global),
                          key=lambda lab: -counts[lab])[:MAX_LEGEND_LOCALS]
    legend = [lab for lab in counts if lab >= 0 and minima[lab].is_global] + locals_shown
    legend += [lab for lab in (DIVERGED, MOVING) if lab in counts]
    total = max(labels.size, 1)
    for lab in legend:
        data.append({
            "type": "scatter", "x": [None], "y": [None], "mode": "markers", "showlegend": True,
            "name": f"{label_text(lab, minima)}: {100 * counts[lab] / total:.0f}%",
            "marker": {"symbol": "square", "size": 12, "color": colors_by_label[lab]},
        })
    data.append(click_trace(xs, ys, labels, minima))
    for kind, style in ((True, MINIMUM_GLOBAL), (False, MINIMUM_LOCAL)):
        pts = [m.point for m in minima if m.is_global == kind]
        if pts:
            data.append({
                "type": "scatter", "x": [p[0] for p in pts], "y": [p[1] for p in pts],
                "mode": "markers", "name": "global minimum" if kind else "local minimum",
                "marker": dict(style), "showlegend": False,
                "unselected": {"marker": {"opacity": 1.0}},  # a click must not dim the minima
                "hovertemplate": "%{fullData.name} (%{x:.3g}, %{y:.3g})<extra></extra>",
            })
    (x0, x1), (y0, y1) = domain
    layout = base_layout(height)
    layout.update({
        "xaxis": {"range": [x0, x1], "title": {"text": "start x"}, "constrain": "domain"},
        "yaxis": {"range": [y0, y1], "title": {"text": "start y"}, "scaleanchor": "x",
                  "scaleratio": 1, "constrain": "domain"},
        "title": {"text": title, "font": {"color": optimizer_color(optimizer), "size": 16}},
        "margin": {**layout["margin"], "t": 60, "b": 100},
        "legend": {"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0, "font": {"size": 11}},
        "clickmode": "event+select", "dragmode": "pan",
    })
    return SpecFigure({"data": data, "layout": layout})

"""The landscape in 3D with every path lying on it (Scatter3d needs ``redraw: true``: no frames)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from viz.background import Grid, color_levels, undefined_cells
from viz.map_labels import MinimumLike
from viz.numbers import round_sig
from viz.paths import PathView, departure, on_map
from viz.spec import SpecFigure
from viz.style import COLORSCALE, INK, JUMPERS, MINIMUM_GLOBAL, base_layout, scroll_strip


def _height(grid: Grid, z: np.ndarray) -> np.ndarray:
    """The plotted height: log10(1 + f - f*) on log surfaces (as the map's colours), else f."""
    if not grid.log_scale:
        return z
    with np.errstate(all="ignore"):
        return np.log10(1.0 + np.maximum(z - grid.z_floor, 0.0))


def drawn_height(xs: np.ndarray, ys: np.ndarray, zs: np.ndarray, x: np.ndarray,
                 y: np.ndarray) -> np.ndarray:
    """Height at points (x, y) of the surface drawn from ``zs[i, j]`` over (``xs[j]``, ``ys[i]``):
    the higher of the two ways to cut the grid cell into triangles (WebGL draws one of them), so
    a mark above this is never inside the surface. Points outside the grid take the edge cells."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    j = np.clip(np.searchsorted(xs, x) - 1, 0, len(xs) - 2)
    i = np.clip(np.searchsorted(ys, y) - 1, 0, len(ys) - 2)
    with np.errstate(all="ignore"):
        u = np.clip((x - xs[j]) / (xs[j + 1] - xs[j]), 0.0, 1.0)
        v = np.clip((y - ys[i]) / (ys[i + 1] - ys[i]), 0.0, 1.0)
    a, b, c, d = zs[i, j], zs[i, j + 1], zs[i + 1, j], zs[i + 1, j + 1]  # (u, v) = 00 10 01 11
    cut_ad = np.where(u >= v, a + u * (b - a) + v * (d - b), a + v * (c - a) + u * (d - c))
    cut_bc = np.where(u + v <= 1, a + u * (b - a) + v * (c - a),
                      d + (1 - u) * (c - d) + (1 - v) * (b - d))
    return np.fmax(cut_ad, cut_bc)


_GLOBAL = {"symbol": "diamond", "size": 7, "color": MINIMUM_GLOBAL["color"],
           "line": {"color": INK, "width": 1}}
_LOCAL = {"symbol": "diamond-open", "size": 6, "color": INK}
_START = {"symbol": "circle-open", "size": 7, "color": INK}
LIFT = 0.02  # paths and marks float this fraction of the z range above the drawn surface


def _aspect(domain: tuple[tuple[float, float], tuple[float, float]]) -> dict[str, float]:
    """Scene proportions: x and y as on the map (longer side 1, the other at least 1/3), z 0.6."""
    (x0, x1), (y0, y1) = domain
    wx, wy = x1 - x0, y1 - y0
    big = max(wx, wy)
    return {"x": max(wx / big, 1 / 3), "y": max(wy / big, 1 / 3), "z": 0.6}


#: The camera: high enough to see into the valleys (from lower down, the near walls hid the
#: minima and the ends of the paths).
EYE = {"x": 0.9, "y": -0.9, "z": 1.2}
#: How much further back a phone's camera stands: on its narrow figure the surface's left and
#: right corners were cut off, and at 1.45 the z axis's title and tick labels, drawn left of
#: the surface, still were. Tuned with ``PHONE_HEIGHT`` and the ``SCROLL_STRIP`` the scene
#: leaves (the drawing scales with the scene's height: 1.95 at 600 px high).
PHONE_EYE_SCALE = 1.7
#: A phone's 3D figure is this high at most: its narrow scene draws the surface as wide as the
#: phone allows at ~360 px of scene height, and 600 px left ~200 px blank under it. (The scene's
#: drawing scales with its height, so the camera comes nearer with it: ``PHONE_EYE_SCALE``.)
PHONE_HEIGHT = 520
#: A phone's camera looks at a point this far (in the scene's units) towards the viewer's left
#: of the centre, so the drawing moves right: the z axis's labels on the left take more room
#: than the bare corner on the right.
PHONE_LOOK_LEFT = 0.12
#: ... and this far below the centre, so the drawing moves up: stood back, it left ~150 px blank
#: between the legend and the surface.
PHONE_LOOK_DOWN = 0.4
#: A phone's z axis has at most this many ticks: Rosenbrock's eight (0 to 3.5) overlapped.
PHONE_Z_TICKS = 4


def camera(phone: bool = False) -> dict[str, dict[str, float]]:
    """The scene's camera (``EYE``); a ``phone``'s further back (``PHONE_EYE_SCALE``) and looking
    a little left of the centre (``PHONE_LOOK_LEFT``), so the z axis's title fits its width."""
    if not phone:
        return {"eye": dict(EYE)}
    # the screen's left, seen from EYE (x and y of equal size and opposite sign), is (-1, -1, 0)
    return {"eye": {k: v * PHONE_EYE_SCALE for k, v in EYE.items()},
            "center": {"x": -PHONE_LOOK_LEFT, "y": -PHONE_LOOK_LEFT, "z": -PHONE_LOOK_DOWN}}


def surface_3d_figure(grid: Grid, paths: Sequence[PathView], minima: Sequence[MinimumLike],
                      n: int = 70, height: int = 600, phone: bool = False,
                      axes: tuple[str, str] = ("x", "y")) -> SpecFigure:
    """go.Surface of the grid (thinned to ``n`` per side, clipped to its colour range) + paths;
    a ``phone``'s camera further back and turned (``camera``). ``axes``: the landscape's
    coordinates' names (``Surface.axes``; a data loss's parameters), its axes' titles."""
    height = min(height, PHONE_HEIGHT) if phone else height
    step = max(1, len(grid.x) // n)
    xs, ys = grid.x[::step], grid.y[::step]
    t, lo, hi = color_levels(grid)
    # where f has no value the surface has a hole (None), not a wall at the top colour
    zs = np.where(undefined_cells(grid), np.nan, np.clip(t, lo, hi))[::step, ::step]
    data: list[dict[str, Any]] = [{
        "type": "surface", "x": round_sig(xs, 4), "y": round_sig(ys, 4),
        "z": np.asarray(round_sig(zs, 4), float).reshape(zs.shape).tolist(),
        "colorscale": [list(s) for s in COLORSCALE], "cmin": lo, "cmax": hi, "showscale": False,
        "opacity": 0.92, "hoverinfo": "skip", "name": "surface",
        "contours": {"z": {"show": True, "usecolormap": False, "color": "#555", "width": 1,
                           "start": lo, "end": hi, "size": (hi - lo) / 12}}}]
    # Paths and marks sit a little above the drawn surface, which near a minimum lies above the
    # true value (the thinned grid cuts across the dip): hovers show the true loss.
    lift = LIFT * (hi - lo)

    def on_top(xy: np.ndarray, values: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            z = np.clip(_height(grid, np.asarray(values, float)), lo, hi)
        return np.maximum(z, drawn_height(xs, ys, zs, xy[:, 0], xy[:, 1])) + lift  # NaN stays

    for p in paths:
        # a path that left the map for good is drawn while on it (its far-off points would
        # shrink the surface to a sliver)
        left = departure(p, grid.domain)[1]
        p = p if left is None else on_map(p, left - 1)
        z = on_top(p.points, p.losses)
        keep = np.isfinite(z) & np.all(np.isfinite(p.points), axis=1)
        idx = np.flatnonzero(keep)
        if len(idx) > 600:
            idx = idx[np.unique(np.rint(np.linspace(0, len(idx) - 1, 600)).astype(int))]
        data.append({"type": "scatter3d", "x": round_sig(p.points[idx, 0], 5),
                     "y": round_sig(p.points[idx, 1], 5), "z": round_sig(z[idx], 4),
                     "name": p.label, "legendgroup": p.name,
                     **({"mode": "markers", "marker": {"color": p.color, "size": 4}}
                        if p.name in JUMPERS else
                        {"mode": "lines", "line": {"color": p.color, "width": 6}}),
                     "customdata": idx.tolist(),
                     "hovertemplate": f"{p.label}<br>step %{{customdata}}<extra></extra>"})
        if len(idx):
            e = idx[-1]
            data.append({"type": "scatter3d", "x": [float(p.points[e, 0])],
                         "y": [float(p.points[e, 1])], "z": [float(z[e])], "mode": "markers",
                         "showlegend": False, "legendgroup": p.name, "hoverinfo": "skip",
                         "marker": {"color": p.color, "size": 6,
                                    "line": {"color": "#FFFFFF", "width": 1}}})
    marks = [(name, marker, [(m.point, m.value) for m in minima if m.is_global == is_global])
             for is_global, name, marker in ((True, "global minimum", _GLOBAL),
                                             (False, "local minimum", _LOCAL))]
    if paths and np.all(np.isfinite(paths[0].points[0])):
        marks.append(("start", _START, [(paths[0].points[0], paths[0].losses[0])]))
    for name, marker, where in marks:
        if not where:
            continue
        xy = np.array([w[0] for w in where], float).reshape(-1, 2)
        values = [float(w[1]) for w in where]
        data.append({"type": "scatter3d", "x": xy[:, 0].tolist(), "y": xy[:, 1].tolist(),
                     "z": round_sig(on_top(xy, np.array(values)), 4), "mode": "markers",
                     "name": name, "marker": marker, "customdata": round_sig(values, 5),
                     "hovertemplate": name + " (%{x:.4g}, %{y:.4g})<br>f = %{customdata:.4g}"
                                             "<extra></extra>"})
    (x0, x1), (y0, y1) = grid.domain
    layout: dict[str, Any] = base_layout(height)
    ztitle = "log10(1 + f − f*)" if grid.log_scale else "f"
    layout.update(scene={"xaxis": {"title": {"text": axes[0]}, "range": [x0, x1], "nticks": 5},
                         "yaxis": {"title": {"text": axes[1]}, "range": [y0, y1], "nticks": 5},
                         "zaxis": {"title": {"text": ztitle},
                                   **({"nticks": PHONE_Z_TICKS} if phone else {})},
                         # the map's proportions (a 6 x 4 domain is not a square)
                         "aspectmode": "manual", "aspectratio": _aspect(grid.domain),
                         "camera": camera(phone)},
                  margin={"l": 0, "r": 0, "t": 30, "b": 10}, uirevision="surface3d")
    if phone:  # a strip on the right where a swipe scrolls the page, not the scene
        layout["scene"], note = scroll_strip(layout["scene"])
        layout["annotations"] = [*layout.get("annotations", []), note]
    return SpecFigure({"data": data, "layout": layout})

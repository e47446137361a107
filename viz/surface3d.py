"""The landscape in 3D with every path lying on it (Scatter3d needs ``redraw: true``: no frames)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from viz.background import Grid, color_levels
from viz.numbers import round_sig
from viz.paths import PathView
from viz.race import MinimumLike
from viz.spec import SpecFigure
from viz.style import COLORSCALE, MINIMUM_GLOBAL, base_layout


def _height(grid: Grid, z: np.ndarray) -> np.ndarray:
    """The plotted height: log10(1 + f - f*) on log surfaces (as the map's colours), else f."""
    if not grid.log_scale:
        return z
    with np.errstate(all="ignore"):
        return np.log10(1.0 + np.maximum(z - grid.z_floor, 0.0))


_GLOBAL = {"symbol": "diamond", "size": 7, "color": MINIMUM_GLOBAL["color"],
           "line": {"color": "#111111", "width": 1}}
_LOCAL = {"symbol": "diamond-open", "size": 6, "color": "#111111"}


def _aspect(domain: tuple[tuple[float, float], tuple[float, float]]) -> dict[str, float]:
    """Scene proportions: x and y as on the map (longer side 1, the other at least 1/3), z 0.6."""
    (x0, x1), (y0, y1) = domain
    wx, wy = x1 - x0, y1 - y0
    big = max(wx, wy)
    return {"x": max(wx / big, 1 / 3), "y": max(wy / big, 1 / 3), "z": 0.6}


def surface_3d_figure(grid: Grid, paths: Sequence[PathView], minima: Sequence[MinimumLike],
                      n: int = 70, height: int = 600) -> SpecFigure:
    """go.Surface of the grid (thinned to ``n`` per side, clipped to its colour range) + paths."""
    step = max(1, len(grid.x) // n)
    xs, ys = grid.x[::step], grid.y[::step]
    t, lo, hi = color_levels(grid)
    zs = np.clip(t[::step, ::step], lo, hi)
    data: list[dict[str, Any]] = [{
        "type": "surface", "x": round_sig(xs, 4), "y": round_sig(ys, 4),
        "z": np.asarray(round_sig(zs, 4), float).reshape(zs.shape).tolist(),
        "colorscale": [list(s) for s in COLORSCALE], "cmin": lo, "cmax": hi, "showscale": False,
        "opacity": 0.92, "hoverinfo": "skip", "name": "surface",
        "contours": {"z": {"show": True, "usecolormap": False, "color": "#555", "width": 1,
                           "start": lo, "end": hi, "size": (hi - lo) / 12}}}]
    lift = 0.01 * (hi - lo)
    for p in paths:
        with np.errstate(all="ignore"):
            z = np.clip(_height(grid, p.losses), lo, hi) + lift
        keep = np.isfinite(z) & np.all(np.isfinite(p.points), axis=1)
        idx = np.flatnonzero(keep)
        if len(idx) > 600:
            idx = idx[np.unique(np.rint(np.linspace(0, len(idx) - 1, 600)).astype(int))]
        data.append({"type": "scatter3d", "x": round_sig(p.points[idx, 0], 5),
                     "y": round_sig(p.points[idx, 1], 5), "z": round_sig(z[idx], 4),
                     "mode": "lines", "name": p.label, "legendgroup": p.name,
                     "line": {"color": p.color, "width": 6}, "customdata": idx.tolist(),
                     "hovertemplate": f"{p.label}<br>step %{{customdata}}<extra></extra>"})
        if len(idx):
            e = idx[-1]
            data.append({"type": "scatter3d", "x": [float(p.points[e, 0])],
                         "y": [float(p.points[e, 1])], "z": [float(z[e])], "mode": "markers",
                         "showlegend": False, "legendgroup": p.name, "hoverinfo": "skip",
                         "marker": {"color": p.color, "size": 6,
                                    "line": {"color": "#FFFFFF", "width": 1}}})
    for is_global, name, marker in ((True, "global minimum", _GLOBAL), (False, "local minimum",
                                                                         _LOCAL)):
        ms = [m for m in minima if m.is_global == is_global]
        if not ms:
            continue
        mz = _height(grid, np.array([m.value for m in ms], float)) + lift
        data.append({"type": "scatter3d", "x": [m.point[0] for m in ms],
                     "y": [m.point[1] for m in ms], "z": np.clip(mz, lo, hi).tolist(),
                     "mode": "markers", "name": name, "marker": marker,
                     "hovertemplate": name + " (%{x:.4g}, %{y:.4g})<extra></extra>"})
    if paths and np.all(np.isfinite(paths[0].points[0])):
        (sx, sy), sz = paths[0].points[0], _height(grid, np.array([paths[0].losses[0]]))
        data.append({"type": "scatter3d", "x": [float(sx)], "y": [float(sy)],
                     "z": np.clip(sz + lift, lo, hi).tolist(), "mode": "markers",
                     "name": "start", "marker": {"symbol": "circle-open", "size": 7,
                                                 "color": "#111111"},
                     "hovertemplate": "start (%{x:.4g}, %{y:.4g})<extra></extra>"})
    (x0, x1), (y0, y1) = grid.domain
    layout: dict[str, Any] = base_layout(height)
    ztitle = "log10(1 + f − f*)" if grid.log_scale else "f"
    layout.update(scene={"xaxis": {"title": {"text": "x"}, "range": [x0, x1], "nticks": 5},
                         "yaxis": {"title": {"text": "y"}, "range": [y0, y1], "nticks": 5},
                         "zaxis": {"title": {"text": ztitle}},
                         # the map's proportions (a 6 x 4 domain is not a square)
                         "aspectmode": "manual", "aspectratio": _aspect(grid.domain),
                         "camera": {"eye": {"x": 1.1, "y": -1.1, "z": 0.75}}},
                  margin={"l": 0, "r": 0, "t": 30, "b": 10}, uirevision="surface3d")
    return SpecFigure({"data": data, "layout": layout})

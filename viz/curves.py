"""Per-step curves of a race: loss (gap to the global minimum, log y) and distance to it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from viz.numbers import round_sig
from viz.paths import PathView
from viz.spec import SpecFigure
from viz.style import MODEBAR_PX, base_layout, log_axis

GAP_FLOOR = 1e-12


def _decimate(n: int, max_points: int = 400) -> np.ndarray:
    """Step indices to plot: all up to ``max_points``, else evenly thinned (ends kept)."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.rint(np.linspace(0, n - 1, max_points)).astype(int))


def _curve_figure(paths: Sequence[PathView], ys: Sequence[np.ndarray], title: str, ytitle: str,
                  log_y: bool, height: int) -> SpecFigure:
    data = []
    for p, y in zip(paths, ys, strict=True):
        idx = _decimate(len(y))
        data.append({"type": "scatter", "x": idx.tolist(), "y": round_sig(y[idx], 4),
                     "mode": "lines", "name": p.label, "legendgroup": p.name,
                     "line": {"color": p.color, "width": 2},
                     "hovertemplate": f"{p.label}<br>step %{{x}}<br>{ytitle} %{{y:.4g}}"
                                      "<extra></extra>"})
    layout = base_layout(height)
    # the title under the mode bar's row: level with it, the bar covered a half column's title
    layout.update(title={"text": title, "x": 0.01, "font": {"size": 14}, "yref": "container",
                         "y": 1 - MODEBAR_PX / height, "yanchor": "top"}, showlegend=False,
                  margin={"l": 55, "r": 10, "t": 35 + MODEBAR_PX, "b": 40},
                  xaxis={"title": {"text": "step"}},
                  yaxis={"title": {"text": ytitle},
                         **(log_axis(ys) if log_y else {"type": "linear",
                                                         "exponentformat": "power"})})
    return SpecFigure({"data": data, "layout": layout})


def loss_figure(paths: Sequence[PathView], min_value: float | None,
                height: int = 260) -> SpecFigure:
    """Loss per step. With a known global minimum f*: f - f* on a log axis (floored at 1e-12)."""
    if min_value is not None and np.isfinite(min_value):
        with np.errstate(all="ignore"):
            ys = [np.maximum(p.losses - min_value, GAP_FLOOR) for p in paths]
        return _curve_figure(paths, ys, "Loss above the global minimum (log)", "f − f*", True,
                             height)
    ys = [p.losses for p in paths]
    positive = all(np.all(np.asarray(y)[np.isfinite(y)] > 0) for y in ys)
    return _curve_figure(paths, ys, "Loss", "loss", positive, height)


def distance_figure(paths: Sequence[PathView], targets: np.ndarray, height: int = 260
                    ) -> SpecFigure:
    """Distance from each path's point to the nearest of ``targets`` (global minima, (K, 2))."""
    t = np.asarray(targets, float).reshape(-1, 2)
    ys = []
    for p in paths:
        with np.errstate(all="ignore"):
            d = np.linalg.norm(p.points[:, None, :] - t[None], axis=-1).min(axis=1)
        ys.append(np.maximum(d, GAP_FLOOR))
    return _curve_figure(paths, ys, "Distance to the nearest global minimum (log)", "distance",
                         True, height)

"""Per-step curves of a race: loss (gap to the global minimum, log y) and distance to it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from plotly.colors import sample_colorscale

from viz.numbers import round_sig
from viz.paths import PathView
from viz.spec import SpecFigure
from viz.style import DIVERGED_MARKER, MODEBAR_PX, base_layout, log_axis

GAP_FLOOR = 1e-12


def _decimate(n: int, max_points: int = 400) -> np.ndarray:
    """Step indices to plot: all up to ``max_points``, else evenly thinned (ends kept)."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.rint(np.linspace(0, n - 1, max_points)).astype(int))


#: The loss-per-step figure of one optimizer at several rates: small rates dark, large ones
#: light (Plasma without its pale yellow end, which vanished on white).
RATE_SCALE = ("Plasma", 0.0, 0.8)


def rate_colors(n: int) -> list[str]:
    """``n`` colours from small rate to large (``RATE_SCALE``), as ``rgb(r, g, b)``."""
    name, lo, hi = RATE_SCALE
    return sample_colorscale(name, list(np.linspace(lo, hi, n)) if n > 1 else [lo])


def _curve_figure(paths: Sequence[PathView], ys: Sequence[np.ndarray], title: str, ytitle: str,
                  log_y: bool, height: int, colors: Sequence[str] | None = None,
                  bold: int = -1) -> SpecFigure:
    """One line per path; given ``colors`` (one per path) a legend names them, and path
    ``bold`` is drawn thicker."""
    data, marks = [], []
    for i, (p, y) in enumerate(zip(paths, ys, strict=True)):
        color = p.color if colors is None else colors[i]
        # A diverged run stands still at its last good point: its line ends there, with a ✕
        # (drawn on, the blown-up loss read as a level the run kept).
        gone = p.diverged_step >= 0
        idx = _decimate(min(p.diverged_step, len(y) - 1) + 1 if gone else len(y))
        # one group per line when the legend shows (a shared group stacked its entries)
        group = p.name if colors is None else p.label
        data.append({"type": "scatter", "x": idx.tolist(), "y": round_sig(y[idx], 4),
                     "mode": "lines", "name": p.label, "legendgroup": group,
                     "line": {"color": color, "width": 4 if i == bold else 2},
                     "hovertemplate": f"{p.label}<br>step %{{x}}<br>{ytitle} %{{y:.4g}}"
                                      "<extra></extra>"})
        if gone:
            marks.append({"type": "scatter", "x": idx[-1:].tolist(), "y": round_sig(y[idx[-1:]]),
                          "mode": "markers", "name": f"{p.label} diverged",
                          "legendgroup": group, "showlegend": False, "cliponaxis": False,
                          "marker": {**DIVERGED_MARKER, "color": color},
                          "hovertemplate": f"{p.label} diverged at step {p.diverged_step}"
                                           "<extra></extra>"})
    data += marks
    layout = base_layout(height)
    # the title under the mode bar's row: level with it, the bar covered a half column's title
    layout.update(title={"text": title, "x": 0.01, "font": {"size": 14}, "yref": "container",
                         "y": 1 - MODEBAR_PX / height, "yanchor": "top"},
                  showlegend=colors is not None,
                  # under the step axis, in rows: at the right it took a phone's plot
                  legend={"font": {"size": 12}, "itemsizing": "constant", "orientation": "h",
                          "x": 0.0, "xanchor": "left", "y": -0.3, "yanchor": "top"},
                  margin={"l": 55, "r": 10, "t": 35 + MODEBAR_PX, "b": 40},
                  xaxis={"title": {"text": "step"}},
                  yaxis={"title": {"text": ytitle},
                         **(log_axis(ys) if log_y else {"type": "linear",
                                                         "exponentformat": "power"})})
    return SpecFigure({"data": data, "layout": layout})


def loss_figure(paths: Sequence[PathView], min_value: float | None, height: int = 260,
                colors: Sequence[str] | None = None, bold: int = -1) -> SpecFigure:
    """Loss per step. With a known global minimum f*: f - f* on a log axis (floored at 1e-12).
    ``colors`` and ``bold``: ``_curve_figure``'s (one optimizer at several rates)."""
    if min_value is not None and np.isfinite(min_value):
        with np.errstate(all="ignore"):
            ys = [np.maximum(p.losses - min_value, GAP_FLOOR) for p in paths]
        return _curve_figure(paths, ys, "Loss above the global minimum (log)", "f − f*", True,
                             height, colors, bold)
    ys = [p.losses for p in paths]
    positive = all(np.all(np.asarray(y)[np.isfinite(y)] > 0) for y in ys)
    return _curve_figure(paths, ys, "Loss", "loss", positive, height, colors, bold)


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

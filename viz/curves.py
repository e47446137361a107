"""Per-step curves of a race: loss (gap to the global minimum, log y) and distance to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
    """``n`` colours from small rate to large (``RATE_SCALE``), as ``#RRGGBB``."""
    name, lo, hi = RATE_SCALE
    rgb = sample_colorscale(name, list(np.linspace(lo, hi, n)) if n > 1 else [lo])
    return ["#{:02X}{:02X}{:02X}".format(*(round(float(v)) for v in c[4:-1].split(",")))
            for c in rgb]


@dataclass(frozen=True)
class Series:
    """One per-step quantity of every path, ready to plot: ``ys[i]`` for path i, one value per
    step; ``title`` heads its plot, ``ytitle`` names it in hovers, ``log``: a log axis."""

    ys: list[np.ndarray]
    title: str
    ytitle: str
    log: bool

    def axis(self) -> dict[str, Any]:
        """The y axis: log (``log_axis``) or linear."""
        return log_axis(self.ys) if self.log else {"type": "linear", "exponentformat": "power"}


def drawn_until(p: PathView, n: int) -> int:
    """Steps of ``p``'s n-step series to draw: all, or up to the last good point of a run that
    blew up (it stands still there; drawn on, the blown-up value read as a level it kept)."""
    return min(p.diverged_step, n - 1) + 1 if p.diverged_step >= 0 else n


def line_traces(paths: Sequence[PathView], series: Series, colors: Sequence[str] | None = None,
                bold: int = -1, axes: tuple[str, str] = ("x", "y"),
                group_by_label: bool = False) -> list[dict[str, Any]]:
    """One line per path (``colors``: one per path, else the optimizers'; path ``bold`` drawn
    thicker), a ✕ where a run blew up; on ``axes`` (Plotly's axis names, e.g. ("x2", "y2"))."""
    data, marks = [], []
    for i, (p, y) in enumerate(zip(paths, series.ys, strict=True)):
        color = p.color if colors is None else colors[i]
        group = p.label if group_by_label else p.name
        idx = _decimate(drawn_until(p, len(y)))
        data.append({"type": "scatter", "x": idx.tolist(), "y": round_sig(y[idx], 4),
                     "mode": "lines", "name": p.label, "legendgroup": group,
                     "xaxis": axes[0], "yaxis": axes[1],
                     "line": {"color": color, "width": 4 if i == bold else 2},
                     "hovertemplate": f"{p.label}<br>step %{{x}}<br>{series.ytitle} %{{y:.4g}}"
                                      "<extra></extra>"})
        if p.diverged_step >= 0:
            marks.append({"type": "scatter", "x": idx[-1:].tolist(), "y": round_sig(y[idx[-1:]]),
                          "mode": "markers", "name": f"{p.label} diverged",
                          "legendgroup": group, "showlegend": False, "cliponaxis": False,
                          "xaxis": axes[0], "yaxis": axes[1],
                          "marker": {**DIVERGED_MARKER, "color": color},
                          "hovertemplate": f"{p.label} diverged at step {p.diverged_step}"
                                           "<extra></extra>"})
    return data + marks


def _curve_figure(paths: Sequence[PathView], series: Series, height: int,
                  colors: Sequence[str] | None = None, bold: int = -1) -> SpecFigure:
    """``series`` as a figure of its own; given ``colors`` (one per path, one optimizer at
    several rates) a legend names the lines."""
    data = line_traces(paths, series, colors, bold, group_by_label=colors is not None)
    layout = base_layout(height)
    # the title under the mode bar's row: level with it, the bar covered a half column's title
    layout.update(title={"text": series.title, "x": 0.01, "font": {"size": 14},
                         "yref": "container", "y": 1 - MODEBAR_PX / height, "yanchor": "top"},
                  showlegend=colors is not None,
                  # under the step axis, in rows: at the right it took a phone's plot
                  legend={"font": {"size": 12}, "itemsizing": "constant", "orientation": "h",
                          "x": 0.0, "xanchor": "left", "y": -0.3, "yanchor": "top"},
                  margin={"l": 55, "r": 10, "t": 35 + MODEBAR_PX, "b": 40},
                  xaxis={"title": {"text": "step"}},
                  yaxis={"title": {"text": series.ytitle}, **series.axis()})
    return SpecFigure({"data": data, "layout": layout})


#: A loss this far under the global minimum's value (a share of the start's gap, or of |f*|) is
#: off the map, not rounding: the surface falls on past the edge (McCormick).
BELOW_MIN_SHARE = 1e-6


def gap_curve(losses: np.ndarray, min_value: float) -> np.ndarray:
    """f - f* per step for a log axis: floored at ``GAP_FLOOR``, and NaN (the line ends) where
    the loss is clearly under f*, which no point of the map reaches: a walker that flew off the
    map where the surface goes on falling was drawn at the floor, "at the minimum" (a review)."""
    with np.errstate(all="ignore"):
        gap = np.asarray(losses, float) - min_value
        scale = max(abs(float(gap[0])) if len(gap) and np.isfinite(gap[0]) else 0.0,
                    abs(float(min_value)))
        return np.where(gap < -BELOW_MIN_SHARE * scale, np.nan, np.maximum(gap, GAP_FLOOR))


def loss_series(paths: Sequence[PathView], min_value: float | None) -> Series:
    """Loss per step. With a known global minimum f*: f - f* on a log axis (``gap_curve``)."""
    if min_value is not None and np.isfinite(min_value):
        ys = [gap_curve(p.losses, min_value) for p in paths]
        return Series(ys, "Loss above the global minimum (log)", "f − f*", True)
    ys = [np.asarray(p.losses, float) for p in paths]
    positive = all(np.all(np.asarray(y)[np.isfinite(y)] > 0) for y in ys)
    return Series(ys, "Loss", "loss", positive)


def distance_series(paths: Sequence[PathView], targets: np.ndarray) -> Series:
    """Distance from each path's point to the nearest of ``targets`` (global minima, (K, 2))."""
    t = np.asarray(targets, float).reshape(-1, 2)
    ys = []
    for p in paths:
        with np.errstate(all="ignore"):
            d = np.linalg.norm(p.points[:, None, :] - t[None], axis=-1).min(axis=1)
        ys.append(np.maximum(d, GAP_FLOOR))
    # short enough for a ~290 px panel (a 1024 px window, sidebar open): the full words were cut
    return Series(ys, "Distance to nearest global min (log)", "distance", True)


def loss_figure(paths: Sequence[PathView], min_value: float | None, height: int = 260,
                colors: Sequence[str] | None = None, bold: int = -1) -> SpecFigure:
    """``loss_series`` as a figure. ``colors`` and ``bold``: ``_curve_figure``'s."""
    return _curve_figure(paths, loss_series(paths, min_value), height, colors, bold)

"""The network's own loss landscape: planes through weight space and a 1D interpolation.

- ``pca_figure``: contour of log10(loss) on the plane of the training paths' two principal
  directions (Li et al. 2018), every optimizer's path projected on it (start = white dot, end =
  a marker in the optimizer's colour); the axes say how much of the path the plane holds.
- ``slices_figure``: one panel per optimizer, the loss around its trained weights along two random
  filter-normalised directions (same colour range everywhere, so a sharp and a flat minimum
  compare at a glance).
- ``interpolation_figure``: loss((1 - t) theta_0 + t theta*) on training (solid) and test
  (dashed) data, t = 0 the initial and t = 1 the trained weights.

Inputs are arrays and the dataclasses of ``landscape.nn_landscape`` (read by attribute). Static
figures (no frames).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from viz.numbers import round_sig
from viz.spec import SpecFigure
from viz.style import COLORSCALE, START_MARKER, base_layout

LOSS_FLOOR = 1e-4


def trained_marker(color: str) -> dict[str, Any]:
    """Where a training run ended: a dot in the optimizer's colour, like the race's walkers. Not a
    diamond or a star: those mean "local minimum" and "global minimum" on every page."""
    return {"symbol": "circle", "size": 12, "color": color,
            "line": {"color": "#111111", "width": 1.5}}


def log_loss(losses: np.ndarray) -> np.ndarray:
    """log10 of the loss (floored at 1e-4; non-finite -> NaN, a gap in the contour)."""
    with np.errstate(all="ignore"):
        z = np.log10(np.maximum(np.asarray(losses, dtype=float), LOSS_FLOOR))
    return np.where(np.isfinite(z), z, np.nan)


def _contour(alphas: np.ndarray, betas: np.ndarray, z: np.ndarray, zmin: float, zmax: float,
             xref: str = "x", yref: str = "y", showscale: bool = True) -> dict[str, Any]:
    n = z.shape[1]
    return {"type": "contour", "x": round_sig(alphas, 4), "y": round_sig(betas, 4),
            "z": np.asarray(round_sig(z, 3), dtype=object).reshape(z.shape).tolist(),
            "zmin": zmin, "zmax": zmax, "colorscale": [list(c) for c in COLORSCALE],
            "contours": {"coloring": "heatmap", "showlines": True}, "ncontours": 18,
            "line": {"width": 0.5, "color": "rgba(60,60,80,0.35)"}, "showscale": showscale,
            "colorbar": {"title": {"text": "log₁₀ loss"}, "thickness": 12},
            "xaxis": xref, "yaxis": yref, "name": f"loss ({n}x{n})",
            "hovertemplate": "(%{x:.3g}, %{y:.3g})<br>log₁₀ loss %{z:.3f}<extra></extra>"}


def _range(zs: Sequence[np.ndarray]) -> tuple[float, float]:
    finite = np.concatenate([z[np.isfinite(z)] for z in zs]) if zs else np.zeros(1)
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(np.quantile(finite, 0.98))
    return lo, max(hi, lo + 1e-6)


def pca_figure(pca: Any, names: Sequence[str], labels: Sequence[str], colors: Sequence[str],
               height: int = 480) -> SpecFigure:
    """Loss on the PCA plane of the paths, each optimizer's projected path on top."""
    s = pca.slice
    z = log_loss(s.losses)
    zmin, zmax = _range([z])
    data = [_contour(s.alphas, s.betas, z, zmin, zmax)]
    for name, label, color, c in zip(names, labels, colors, pca.coords, strict=True):
        data.append({"type": "scatter", "mode": "lines", "x": round_sig(c[:, 0], 4),
                     "y": round_sig(c[:, 1], 4), "name": label, "legendgroup": name,
                     "line": {"color": color, "width": 2.5},
                     "hovertemplate": f"{label}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>"})
        data.append({"type": "scatter", "mode": "markers", "x": round_sig(c[-1:, 0], 4),
                     "y": round_sig(c[-1:, 1], 4), "name": f"{label}: trained",
                     "legendgroup": name, "showlegend": False,
                     "marker": trained_marker(color),
                     "hovertemplate": f"{label}: trained weights<extra></extra>"})
    c0 = pca.coords[0][0]
    data.append({"type": "scatter", "mode": "markers", "x": [float(c0[0])], "y": [float(c0[1])],
                 "name": "initial weights (shared)", "marker": dict(START_MARKER),
                 "hovertemplate": "initial weights<extra></extra>"})
    e1, e2 = (float(v) for v in pca.explained)
    layout = base_layout(height)
    layout.update(
        xaxis={"title": {"text": f"1st principal direction of the paths ({e1:.0%} of their "
                                 "variance)"}, "showgrid": False, "zeroline": False},
        yaxis={"title": {"text": f"2nd ({e2:.0%})"}, "showgrid": False, "zeroline": False},
        margin={"l": 60, "r": 20, "t": 40, "b": 50})
    return SpecFigure({"data": data, "layout": layout})


def slices_figure(slices: Sequence[Any], labels: Sequence[str], colors: Sequence[str],
                  max_cols: int = 4, panel_px: int = 300) -> SpecFigure:
    """One random filter-normalised slice per optimizer, shared colour range, centre marked."""
    zs = [log_loss(s.losses) for s in slices]
    zmin, zmax = _range(zs)
    n = len(slices)
    cols = min(n, max_cols)
    rows = -(-n // cols)
    gap = 0.05
    w = (1 - gap * (cols - 1)) / cols
    height = 40 + rows * panel_px + 40
    h = (1 - 0.08 * (rows - 1)) / rows
    layout = base_layout(height)
    layout.update(margin={"l": 40, "r": 20, "t": 40, "b": 40}, showlegend=False,
                  annotations=[])
    data = []
    for i, (s, z, label, color) in enumerate(zip(slices, zs, labels, colors, strict=True)):
        r, c = divmod(i, cols)
        xref, yref = ("x", "y") if i == 0 else (f"x{i + 1}", f"y{i + 1}")
        x0, y1 = c * (w + gap), 1 - r * (h + 0.08)
        layout["xaxis" if i == 0 else f"xaxis{i + 1}"] = {
            "domain": [x0, x0 + w], "anchor": yref, "title": {"text": "α (direction 1)"},
            "zeroline": False, "showgrid": False}
        layout["yaxis" if i == 0 else f"yaxis{i + 1}"] = {
            "domain": [max(0.0, y1 - h), y1], "anchor": xref, "zeroline": False,
            "showgrid": False, "showticklabels": c == 0, "title": {"text": "β" if c == 0 else ""}}
        data.append(_contour(s.alphas, s.betas, z, zmin, zmax, xref, yref, showscale=i == 0))
        data.append({"type": "scatter", "mode": "markers", "x": [0], "y": [0], "xaxis": xref,
                     "yaxis": yref, "marker": trained_marker(color),
                     "hovertemplate": f"{label}: trained weights<extra></extra>"})
        layout["annotations"].append({"text": f"<b><span style='color:{color}'>{label}</span></b>",
                                      "x": x0 + w / 2, "y": y1, "xref": "paper", "yref": "paper",
                                      "xanchor": "center", "yanchor": "bottom",
                                      "showarrow": False})
    return SpecFigure({"data": data, "layout": layout})


def interpolation_figure(curves: Sequence[Any], test_curves: Sequence[Any], names: Sequence[str],
                         labels: Sequence[str], colors: Sequence[str], height: int = 340
                         ) -> SpecFigure:
    """Loss along the straight line from the initial (t = 0) to the trained (t = 1) weights."""
    data = []
    for curve, test, name, label, color in zip(curves, test_curves, names, labels, colors,
                                               strict=True):
        for c, dash, what, show in ((curve, "solid", "train", True), (test, "dash", "test", False)):
            data.append({"type": "scatter", "mode": "lines", "x": round_sig(c.ts, 4),
                         "y": round_sig(c.losses, 4), "name": label, "legendgroup": name,
                         "showlegend": show, "line": {"color": color, "width": 2, "dash": dash},
                         "hovertemplate": f"{label}<br>t = %{{x:.2f}}<br>{what} loss %{{y:.4g}}"
                                          "<extra></extra>"})
    layout = base_layout(height)
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": t, "x1": t, "y0": 0, "y1": 1,
               "line": {"color": "rgba(60,60,60,0.4)", "dash": "dot", "width": 1}}
              for t in (0.0, 1.0)]
    layout.update(
        xaxis={"title": {"text": "t   (0 = initial weights, 1 = trained weights)"}},
        yaxis={"title": {"text": "loss (solid: train, dashed: test)"}, "type": "log",
               "exponentformat": "power"},
        shapes=shapes, margin={"l": 60, "r": 20, "t": 40, "b": 50})
    return SpecFigure({"data": data, "layout": layout})

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
figures (no frames). Heights are planned in pixels: the mode bar's row (``MODEBAR_PX``) at the
top, then (a phone's) colour bar and the legend, whose rows are counted at the planned plot width
(``viz.race_layout.legend_rows``), so the plot keeps its size however many optimizers there are; a
``phone`` is planned at ``PHONE_PLOT_PX``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from viz.multiples import balanced_wrap
from viz.network import DESIGN_PLOT_PX, PHONE_PLOT_PX
from viz.network_backprop import text_px
from viz.numbers import round_sig
from viz.race_layout import LEGEND_PAD_PX, LEGEND_ROW_PX, legend_rows
from viz.spec import SpecFigure
from viz.style import COLORSCALE, INK, MODEBAR_PX, START_MARKER, base_layout, log_axis

LOSS_FLOOR = 1e-4
#: A laptop's vertical colour bar and its title take COLORBAR_W_PX of the plot's width. A phone
#: puts the bar across the figure's top instead (its 70 px left the map 180 px wide), on a row of
#: COLORBAR_ROW_PX under the mode bar (the bar, its tick labels under it).
COLORBAR_W_PX, COLORBAR_ROW_PX, COLORBAR_LEN_PX = 100, 40, 230
#: Under a plot: its x tick labels and a one-line x title (Plotly grew a 50 px margin to ~70).
AXIS_PX, AXIS_LINE_PX = 72, 18
#: The plot areas' planned heights (px): a laptop's, a phone's.
PCA_PX, INTERP_PX = (320, 280), (210, 200)
#: A slice panel's title: lines of TITLE_LINE_PX (13 px bold), and the gap under it.
TITLE_LINE_PX, TITLE_PAD_PX = 18, 6
SLICE_PX = (300, 270)  # a slice panel's height: a laptop's, a phone's (one a row)


def _legend(y_px: float, height: int) -> dict[str, Any]:
    """A horizontal legend hanging ``y_px`` below the figure's top (under the mode bar's row, and
    a phone's colour bar), its entries in columns as wide as the widest (``traceorder`` normal:
    legend groups flowed into rows of uneven count ``legend_rows`` does not model)."""
    return {"orientation": "h", "x": 0, "xanchor": "left", "yref": "container",
            "y": round(1 - y_px / height, 4), "yanchor": "top", "traceorder": "normal",
            "font": {"size": 12}}


def _colorbar_above(height: int) -> dict[str, Any]:
    """A phone's colour bar: horizontal, at the figure's top right under the mode bar, its title
    on its left (``COLORBAR_LEN_PX`` of bar), its tick labels level (Plotly turned them upright,
    down into the first panel's title)."""
    return {"orientation": "h", "x": 1.0, "xanchor": "right", "yref": "container",
            "y": round(1 - MODEBAR_PX / height, 4), "yanchor": "top", "ypad": 0, "thickness": 10,
            "lenmode": "pixels", "len": COLORBAR_LEN_PX, "tickangle": 0, "nticks": 4,
            "title": {"text": "log₁₀ loss", "side": "right"}}


def _standoff(phone: bool) -> dict[str, Any]:
    """A phone's y title close to its tick labels (Streamlit's theme leaves ~24 px between)."""
    return {"standoff": 4} if phone else {}


def _top_px(names: Sequence[str], plot_w: float, phone: bool) -> tuple[float, float]:
    """Pixels above the plot area (mode bar, a phone's colour bar, the legend's rows at
    ``plot_w``) and where the legend starts."""
    legend_at = MODEBAR_PX + (COLORBAR_ROW_PX if phone else 0)
    return legend_at + LEGEND_ROW_PX * legend_rows(names, int(plot_w)) + LEGEND_PAD_PX, legend_at


def trained_marker(color: str) -> dict[str, Any]:
    """Where a training run ended: a dot in the optimizer's colour, like the race's walkers. Not a
    diamond or a star: those mean "local minimum" and "global minimum" on every page."""
    return {"symbol": "circle", "size": 12, "color": color,
            "line": {"color": INK, "width": 1.5}}


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
               phone: bool = False) -> SpecFigure:
    """Loss on the PCA plane of the paths, each optimizer's projected path on top. The figure's
    height grows with the legend's rows, so the map keeps ``PCA_PX`` (8 optimizers on a phone
    are 9 rows: the legend took a fixed 480 px figure's map down to 125 px and hid entries
    behind a scrollbar)."""
    s = pca.slice
    z = log_loss(s.losses)
    zmin, zmax = _range([z])
    plot_w = PHONE_PLOT_PX if phone else DESIGN_PLOT_PX - COLORBAR_W_PX
    top_px, legend_at = _top_px([*labels, "initial weights (shared)"], plot_w, phone)
    # a phone's x title on two lines: on one it ran off the figure's left edge
    x_lines = 2 if phone else 1
    bottom_px = AXIS_PX + AXIS_LINE_PX * (x_lines - 1)
    height = int(top_px + PCA_PX[phone] + bottom_px)
    data = [_contour(s.alphas, s.betas, z, zmin, zmax)]
    if phone:
        data[0]["colorbar"] = _colorbar_above(height)
    # Adam -> SGD first, under the others: it shares Adam's path up to the switch, and drawn over
    # it, Adam's path seemed to start where the two part (the legend keeps the page's order).
    order = sorted(range(len(names)), key=lambda i: names[i] != "adam_then_sgd")
    for k in order:
        name, label, color, c = names[k], labels[k], colors[k], pca.coords[k]
        data.append({"type": "scatter", "mode": "lines", "x": round_sig(c[:, 0], 4),
                     "y": round_sig(c[:, 1], 4), "name": label, "legendgroup": name,
                     "legendrank": 1000 + k, "line": {"color": color, "width": 2.5},
                     "hovertemplate": f"{label}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>"})
        data.append({"type": "scatter", "mode": "markers", "x": round_sig(c[-1:, 0], 4),
                     "y": round_sig(c[-1:, 1], 4), "name": f"{label}: trained",
                     "legendgroup": name, "showlegend": False,
                     "marker": trained_marker(color),
                     "hovertemplate": f"{label}: trained weights{_end_words(pca, k)}"
                                      "<extra></extra>"})
    c0 = pca.coords[0][0]
    data.append({"type": "scatter", "mode": "markers", "x": [float(c0[0])], "y": [float(c0[1])],
                 "name": "initial weights (shared)", "marker": dict(START_MARKER),
                 "hovertemplate": "initial weights<extra></extra>"})
    e1, e2 = (float(v) for v in pca.explained)
    layout = base_layout(height)
    layout.update(
        xaxis={"title": {"text": f"1st principal direction of the paths{'<br>' if phone else ' '}"
                                 f"({e1:.0%} of their variance)"},
               "showgrid": False, "zeroline": False},
        yaxis={"title": {"text": f"2nd ({e2:.0%})", **_standoff(phone)}, "showgrid": False,
               "zeroline": False},
        legend=_legend(legend_at, height),
        margin={"l": 60, "r": 20, "t": int(top_px), "b": bottom_px})
    return SpecFigure({"data": data, "layout": layout})


def _end_words(pca: Any, k: int) -> str:
    """Path ``k``'s end in its marker's hover: its own loss, and where it stands off the plane
    what the contour under the marker reads instead."""
    ends = getattr(pca, "ends", ())
    if k >= len(ends):
        return ""
    e = ends[k]
    words = f"<br>loss {e.loss:.3g}"
    if e.misread:
        words += (f"; the contour here reads {e.plane_loss:.3g}: the weights lie {e.off:.3g} "
                  "off this plane")
    return words


def _slice_title(label: str, color: str, width_px: float) -> list[str]:
    """A panel's title lines: the label, or, wider than ``width_px``, the optimizer's name
    (wrapped if it must) over its learning rate ("Nesterov momentum (lr 0.03)" ran into its
    neighbours on a laptop's four columns)."""
    def fits(line: str) -> bool:
        return text_px(line, 13) * 1.08 <= width_px  # bold is about 8% wider

    name, sep, rate = label.partition(" (")
    if fits(label) or not sep:
        lines = [label]
    else:
        chars = len(name)
        while chars > 6 and not all(fits(x) for x in balanced_wrap(name, chars)):
            chars -= 1
        lines = [*balanced_wrap(name, chars), f"({rate}"]
    return [f"<b><span style='color:{color}'>{line}</span></b>" for line in lines]


def slices_figure(slices: Sequence[Any], labels: Sequence[str], colors: Sequence[str],
                  max_cols: int = 4, phone: bool = False) -> SpecFigure:
    """One random filter-normalised slice per optimizer, shared colour range, centre marked.

    Up to ``max_cols`` panels a row; a ``phone`` one a row, full width (side by side they were
    36-51 px wide, their titles over each other). Laid out in pixels: the panels' titles start
    under the mode bar's row (and a phone's colour bar), and between two rows there is room for
    the upper panels' x ticks and title and the lower ones' titles."""
    zs = [log_loss(s.losses) for s in slices]
    zmin, zmax = _range(zs)
    n = len(slices)
    cols = 1 if phone else min(n, max_cols)
    rows = -(-n // cols)
    gap = 0.05
    w = (1 - gap * (cols - 1)) / cols
    plot_w = PHONE_PLOT_PX if phone else DESIGN_PLOT_PX - COLORBAR_W_PX
    # a title may reach into the gaps beside its panel
    titles = [_slice_title(label, color, (w + gap * 0.8) * plot_w)
              for label, color in zip(labels, colors, strict=True)]
    # each row's titles: as many lines as its longest takes
    title_px = [TITLE_LINE_PX * max(len(t) for t in titles[r * cols:(r + 1) * cols])
                + TITLE_PAD_PX for r in range(rows)]
    # a panel as tall as it is wide, at most SLICE_PX: alpha and beta are steps along two
    # directions of the same norm, so one scale (at 300 px tall a laptop's panels were 130 px
    # wide, and the valleys looked twice as steep across as along)
    panel_px = int(min(SLICE_PX[phone], w * plot_w))
    top_px = MODEBAR_PX + (COLORBAR_ROW_PX if phone else 0) + title_px[0]
    # a row's top, below the plot area's: the rows above, their x ticks and titles, its title
    row_top = [r * (panel_px + AXIS_PX) + sum(title_px[1:r + 1]) for r in range(rows)]
    plot_h = row_top[-1] + panel_px
    height = int(top_px + plot_h + AXIS_PX)
    layout = base_layout(height)
    layout.update(margin={"l": 50, "r": 20, "t": int(top_px), "b": AXIS_PX}, showlegend=False,
                  annotations=[])
    data = []
    for i, (s, z, label, color) in enumerate(zip(slices, zs, labels, colors, strict=True)):
        r, c = divmod(i, cols)
        xref, yref = ("x", "y") if i == 0 else (f"x{i + 1}", f"y{i + 1}")
        x0 = c * (w + gap)
        y1 = 1 - row_top[r] / plot_h
        y0 = max(0.0, y1 - panel_px / plot_h)
        layout["xaxis" if i == 0 else f"xaxis{i + 1}"] = {
            "domain": [round(x0, 4), round(x0 + w, 4)], "anchor": yref, "constrain": "domain",
            "title": {"text": "α (direction 1)"}, "zeroline": False, "showgrid": False}
        layout["yaxis" if i == 0 else f"yaxis{i + 1}"] = {
            "domain": [round(y0, 4), round(y1, 4)], "anchor": xref, "zeroline": False,
            "scaleanchor": xref, "scaleratio": 1, "constrain": "domain",
            "constraintoward": "top", "showgrid": False, "showticklabels": c == 0,
            "title": {"text": "β" if c == 0 else "", **_standoff(phone)}}
        contour = _contour(s.alphas, s.betas, z, zmin, zmax, xref, yref, showscale=i == 0)
        if phone:
            contour["colorbar"] = _colorbar_above(height)
        data.append(contour)
        data.append({"type": "scatter", "mode": "markers", "x": [0], "y": [0], "xaxis": xref,
                     "yaxis": yref, "marker": trained_marker(color),
                     "hovertemplate": f"{label}: trained weights<extra></extra>"})
        layout["annotations"].append({"text": "<br>".join(titles[i]), "x": round(x0 + w / 2, 4),
                                      "y": round(y1, 4), "xref": "paper", "yref": "paper",
                                      "xanchor": "center", "yanchor": "bottom",
                                      "showarrow": False, "font": {"size": 13}})
    return SpecFigure({"data": data, "layout": layout})


def interpolation_figure(curves: Sequence[Any], test_curves: Sequence[Any], names: Sequence[str],
                         labels: Sequence[str], colors: Sequence[str], phone: bool = False,
                         ) -> SpecFigure:
    """Loss along the straight line from the initial (t = 0) to the trained (t = 1) weights.
    The figure's height grows with the legend's rows: the plot keeps ``INTERP_PX`` (at a fixed
    340 px, 8 optimizers' legend on a phone left it 57 px)."""
    data = []
    for curve, test, name, label, color in zip(curves, test_curves, names, labels, colors,
                                               strict=True):
        for c, dash, what, show in ((curve, "solid", "train", True), (test, "dash", "test", False)):
            data.append({"type": "scatter", "mode": "lines", "x": round_sig(c.ts, 4),
                         "y": round_sig(c.losses, 4), "name": label, "legendgroup": name,
                         "showlegend": show, "line": {"color": color, "width": 2, "dash": dash},
                         "hovertemplate": f"{label}<br>t = %{{x:.2f}}<br>{what} loss %{{y:.4g}}"
                                          "<extra></extra>"})
    top_px, legend_at = _top_px(labels, PHONE_PLOT_PX if phone else DESIGN_PLOT_PX, False)
    height = int(top_px + INTERP_PX[phone] + AXIS_PX)
    layout = base_layout(height)
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": t, "x1": t, "y0": 0, "y1": 1,
               "line": {"color": "rgba(60,60,60,0.4)", "dash": "dot", "width": 1}}
              for t in (0.0, 1.0)]
    layout.update(
        xaxis={"title": {"text": "t   (0 = initial weights, 1 = trained weights)"}},
        yaxis={"title": {"text": "loss (solid: train, dashed: test)", **_standoff(phone)},
               **log_axis([c.losses for c in (*curves, *test_curves)])},
        shapes=shapes, legend=_legend(legend_at, height),
        margin={"l": 60, "r": 20, "t": int(top_px), "b": AXIS_PX})
    return SpecFigure({"data": data, "layout": layout})

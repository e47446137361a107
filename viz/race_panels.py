"""The race figure's curve panels (``CurvePanels``): per-step curves (loss, distance) under the
map's step slider, or beside the map, with a dot per path that moves with the map's frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from viz.curves import Series, drawn_until, line_traces
from viz.numbers import round_sig
from viz.paths import PathView
from viz.race_layout import (
    CONTROLS_PX,
    CURVE_HGAP_PX,
    CURVE_PX,
    CURVE_TITLE_PX,
    CURVE_VGAP_PX,
    CURVES_BOTTOM_PX,
    LEGEND_TUCK_PX,
    MAP_PX,
    PANELS_SIDE_BY_SIDE,
    PHONE_CURVE_PX,
    SIDE_TITLE_GAP_PX,
    curves_px,
)

CURVE_DOT = 9


class CurvePanels:
    """Curve panels under the map's step slider (``race_figure``'s ``series``): each series's
    lines (``viz.curves.line_traces``) and one trace of dots, a dot per path at the frame's step,
    which frames move with the map. ``gone``: the step each path's dot goes out (its ✕ marks the
    spot), the map's own ``gone_from``."""

    def __init__(self, paths: Sequence[PathView], series: Sequence[Series], gone: np.ndarray,
                 width: int) -> None:
        self.paths, self.series, self.gone, self.width = paths, series, gone.tolist(), width
        self.ends = [drawn_until(p, p.steps + 1) - 1 for p in paths]
        self.values = [[round_sig(y, 4) for y in s.ys] for s in series]
        self.axes = [(f"x{j + 2}", f"y{j + 2}") for j in range(len(series))]

    def dots(self, at: Sequence[int]) -> list[dict[str, Any]]:
        """What each panel's dot trace shows with the paths at steps ``at``."""
        idx = [min(a, e) for a, e in zip(at, self.ends, strict=True)]
        out = [a >= g for a, g in zip(at, self.gone, strict=True)]
        return [{"x": idx, "y": [None if o else v[i]
                                 for v, i, o in zip(vals, idx, out, strict=True)]}
                for vals in self.values]

    def traces(self, at: Sequence[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The panels' lines (static) and dot traces (moving), the dots at steps ``at``."""
        # A click on a curve selects a point there (Streamlit's click-to-select), and Plotly
        # fades every unselected marker: the panel's dots and ✕ all but vanished.
        kept = {"unselected": {"marker": {"opacity": 1.0}}}
        lines = [{**t, "showlegend": False, **kept}
                 for s, ax in zip(self.series, self.axes, strict=True)
                 for t in line_traces(self.paths, s, axes=ax)]
        dots = [{"type": "scatter", "mode": "markers", "name": "now", "showlegend": False,
                 "hoverinfo": "skip", "meta": "curve now", "xaxis": ax[0], "yaxis": ax[1],
                 "cliponaxis": False, **kept, **d,
                 "marker": {"color": [p.color for p in self.paths], "size": CURVE_DOT,
                            "symbol": [p.symbol for p in self.paths],
                            "line": {"color": "#FFFFFF", "width": 1}}}
                for d, ax in zip(self.dots(at), self.axes, strict=True)]
        return lines, dots

    def place(self, layout: dict[str, Any], plot_px: float, legend_px: float = 0.0,
              axis_px: int = 0) -> None:
        """Lay the map, the slider and the panels out on a plot area ``plot_px`` high: the map
        on top, the slider's row under it (``axis_px`` more for an x axis title), then the
        legend if ``legend_px`` (its rows' height: ``legend_under``), then the panels (side by
        side, or stacked on a narrow plot, the first series on top), each under its title."""
        n, stacked = len(self.series), self.width < PANELS_SIDE_BY_SIDE
        curve = PHONE_CURVE_PX if stacked else CURVE_PX
        controls = CONTROLS_PX + axis_px
        below = controls + legend_px + curves_px(n, self.width)
        if plot_px < below + MAP_PX[0] / 2:
            raise ValueError(f"a race figure with {n} curve panels needs a plot area of at least "
                             f"{below + MAP_PX[0] / 2:.0f} px, not {plot_px:.0f} (see race_height)")
        layout["yaxis"]["domain"] = [below / plot_px, 1.0]
        for slider in layout["sliders"]:
            slider["y"] = below / plot_px
        if legend_px:  # from the slider's row down, inside the plot area: no margin grows
            top = below - controls + LEGEND_TUCK_PX
            layout["legend"].update({"yref": "paper", "y": top / plot_px, "yanchor": "top"})
        layout["margin"]["b"] = CURVES_BOTTOM_PX
        half = CURVE_HGAP_PX / self.width / 2
        for j in range(n):
            row = n - 1 - j if stacked else 0  # rows counted from the bottom
            xdom = ([0.0, 1.0] if stacked or n == 1 else
                    [0.0, 0.5 - half] if j == 0 else [0.5 + half, 1.0])
            self._panel(layout, j, xdom, row, curve, plot_px, 12 if stacked else 13)

    def beside(self, layout: dict[str, Any], plot_px: float, map_share: float) -> None:
        """Lay the panels out beside the map (``panels_beside``), stacked over its height (the
        first series on top), on a plot area ``plot_px`` high whose first ``map_share`` of the
        width is the map's, and its step slider's: the panels' step axis needs no slider."""
        n = len(self.series)
        curve = (plot_px - n * CURVE_TITLE_PX - (n - 1) * CURVE_VGAP_PX) / n
        layout["xaxis"]["domain"] = [0.0, map_share]
        for slider in layout["sliders"]:
            slider["len"] = map_share
        xdom = [map_share + CURVE_HGAP_PX / self.width, 1.0]
        # Titles start over the panels' y ticks: over the panel alone, a 1024 px window's
        # ~170 px panels cut "Distance to nearest global min (log)" short.
        title_x = map_share + SIDE_TITLE_GAP_PX / self.width
        for j in range(n):
            self._panel(layout, j, xdom, n - 1 - j, curve, plot_px, 12, title_x)

    def _panel(self, layout: dict[str, Any], j: int, xdom: list[float], row: int,
               curve: float, plot_px: float, font: int, title_x: float | None = None) -> None:
        """Series j's axes: on ``xdom`` (paper shares) across, and up the plot area (``plot_px``
        high) on row ``row`` counted from the bottom, each row a ``curve`` px panel under its
        title; the step axis titled on the lowest row. Its title over it in ``font`` px, from
        ``title_x`` (default: the panel's left edge)."""
        s, (xa, ya) = self.series[j], self.axes[j]
        bottom = row * (curve + CURVE_TITLE_PX + CURVE_VGAP_PX)
        ydom = [bottom / plot_px, (bottom + curve) / plot_px]
        layout[f"xaxis{j + 2}"] = {"domain": xdom, "anchor": ya, "zeroline": False,
                                   # to the last step drawn: runs that all ended early were
                                   # squeezed against the left edge
                                   "range": [0, max(max(self.ends, default=0), 1)],
                                   **({"title": {"text": "step", "standoff": 6}}
                                      if row == 0 else {})}
        layout[f"yaxis{j + 2}"] = {"domain": ydom, "anchor": xa, **s.axis()}
        layout["annotations"] = [*layout.get("annotations", []),
                                 {"text": f"<b>{s.title}</b>", "xref": "paper", "yref": "paper",
                                  "x": xdom[0] if title_x is None else title_x,
                                  "y": ydom[1], "xanchor": "left",
                                  "yanchor": "bottom", "yshift": 4, "showarrow": False,
                                  "font": {"size": font}}]

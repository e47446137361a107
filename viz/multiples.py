"""Small multiples: several race maps tiled in one figure and animated by one shared clock.

Each panel is a full ``viz.race.race_figure`` (layout-image background, frames that carry only the
moving traces); ``tile`` re-homes every panel onto its own axes pair and merges the frames by
name, so one Play button moves all panels together.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from viz.background import Grid
from viz.paths import PathView
from viz.race import MinimumLike, Playback, race_figure
from viz.spec import SpecFigure

GAP = 0.05


def _axis_name(k: int) -> str:
    return "" if k == 0 else str(k + 1)


def panel_columns(n: int) -> int:
    """Columns for ``n`` panels: 2 up to four panels (bigger maps), else 4."""
    return n if n <= 2 else 2 if n <= 4 else 4


def row_height(domain: Any, cols: int, width: int = 1000) -> int:
    """Pixels per row so that a panel of ``width / cols`` keeps the map's aspect ratio."""
    (x0, x1), (y0, y1) = domain
    return int(np.clip(width / cols * (y1 - y0) / (x1 - x0) + 40, 220, 520))


def tile(panels: Sequence[dict[str, Any]], titles: Sequence[str], cols: int,
         height_per_row: int = 330) -> SpecFigure:
    """Lay ``panels`` (race figure dicts with identical frame names) out on a grid of axes."""
    n = len(panels)
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    base = copy.deepcopy(panels[0]["layout"])
    layout: dict[str, Any] = {k: v for k, v in base.items()
                              if k not in ("xaxis", "yaxis", "images", "height")}
    layout["images"] = []
    layout["annotations"] = []
    layout["height"] = rows * height_per_row + 110
    layout["margin"] = {"l": 40, "r": 20, "t": 70, "b": 90}
    layout["legend"] = {"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom",
                        "xanchor": "left", "font": {"size": 12}}
    data: list[dict[str, Any]] = []
    offsets: list[int] = []
    for k, panel in enumerate(panels):
        r, c = divmod(k, cols)
        ax = _axis_name(k)
        x_dom = [c / cols + GAP / 2, (c + 1) / cols - GAP / 2]
        y_dom = [1 - (r + 1) / rows + GAP, 1 - r / rows - GAP / 2]
        xa = {**panel["layout"]["xaxis"], "domain": x_dom, "anchor": f"y{ax}"}
        ya = {**panel["layout"]["yaxis"], "domain": y_dom, "anchor": f"x{ax}"}
        if "scaleanchor" in ya:
            ya["scaleanchor"] = f"x{ax}"
        xa.pop("title", None)
        ya.pop("title", None)
        layout[f"xaxis{ax}"] = xa
        layout[f"yaxis{ax}"] = ya
        for image in panel["layout"].get("images", []):
            layout["images"].append({**image, "xref": f"x{ax}", "yref": f"y{ax}"})
        layout["annotations"].append({
            "text": titles[k], "x": sum(x_dom) / 2, "y": y_dom[1], "xref": "paper",
            "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False,
            "font": {"size": 13},
        })
        offsets.append(len(data))
        for trace in panel["data"]:
            t = {**trace, "xaxis": f"x{ax}", "yaxis": f"y{ax}"}
            if t.get("mode") == "markers+text":  # minima labels crowd a small panel
                t["mode"] = "markers"
                t["marker"] = {**t["marker"], "size": 0.7 * t["marker"].get("size", 12)}
            if t.get("legendgroup") != "minima":
                t["showlegend"] = False
            if k > 0:
                t["showlegend"] = False
                if "marker" in t and t["marker"].get("showscale"):
                    t["marker"] = {**t["marker"], "showscale": False}
            data.append(t)
    frames = []
    for i, frame in enumerate(panels[0]["frames"]):
        f_data, f_traces = [], []
        for panel, off in zip(panels, offsets, strict=True):
            pf = panel["frames"][i]
            f_data += pf["data"]
            f_traces += [off + t for t in pf["traces"]]
        frames.append({"name": frame["name"], "data": f_data, "traces": f_traces})
    return SpecFigure({"data": data, "layout": layout, "frames": frames})


def small_multiples_figure(grid: Grid, paths: Sequence[PathView], titles: Sequence[str],
                           minima: Sequence[MinimumLike], objective: Any,
                           start: tuple[float, float], cols: int | None = None,
                           playback: Playback | None = None) -> SpecFigure:
    """One race panel per path (e.g. the same optimizer at several learning rates), animated
    together: Play moves every panel's marker on the same step clock."""
    pb = playback or Playback(max_frames=100, trail_points=30)
    panels = [race_figure(grid, [p], minima, objective, start=start, playback=pb,
                          pick_grid=False).to_dict() for p in paths]
    cols = cols or panel_columns(len(paths))
    return tile(panels, titles, cols, row_height(grid.domain, cols))

"""Small multiples: several race maps tiled in one figure and animated by one shared clock.

Each panel is a full ``viz.race.race_figure`` (layout-image background, frames that carry only the
moving traces); ``tile`` re-homes every panel onto its own axes pair and merges the frames by
name, so one Play button moves all panels together.
"""

from __future__ import annotations

import copy
import math
import textwrap
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from viz.background import Grid, background_image
from viz.map_labels import LABELLED, MinimumLike
from viz.paths import PathView
from viz.playback import Playback
from viz.race import race_figure
from viz.race_layout import AXIS_TITLE_PX, BUTTONS_PX, map_aspect
from viz.spec import SpecFigure
from viz.style import MODEBAR_PX, touch_buttons

GAP = 0.05
#: Margins (px): the colour bar, the race's Play buttons (``BUTTONS_PX``) and the one-row minima
#: legend (``LEGEND_PX``) above the panels, top to bottom. Fixed (Plotly does not grow them): the
#: panels' places are fractions of the plot area, which must keep the height planned here. Below
#: the panels, the step slider keeps the race's own bottom margin.
LEGEND_PX = 28
MARGIN_L, MARGIN_R, MARGIN_T = 40, 20, 95 + BUTTONS_PX
#: The figure width (px) the maps are sized for: the main column of a ~1050 px window with the
#: sidebar open. Wider figures centre each map in its panel; narrower ones shrink it, and it
#: stays under its title (``constraintoward: top``) with the spare room below.
DESIGN_WIDTH = 640
#: The narrowest the figure is drawn with two columns (a phone, sidebar closed) and with more
#: (a 1000 px window, sidebar open): outcome texts are wrapped to fit a panel at that width.
MIN_WIDTH = {2: 358, 4: 540}
HEAD_FONT, DETAIL_FONT = 13, 11
HEAD_PX, LINE_PX = 18, 15  # a title's first line, and each wrapped outcome line
CHAR_PX = 6.0  # average width of a character of the outcome's font (Source Sans Pro / Arial)
TICKS_PX, ROW_GAP_PX = 22, 14  # x tick labels under each map; space before the next row's title


class PanelTitle(NamedTuple):
    """A panel's title: a short first line (``lr 0.0215``), the outcome in words on wrapped lines
    below it in a smaller font, and "★ best of these" on the best panel of the figure (the
    sweep and the tuner try more rates and may name another: "★ best" read as a contradiction)."""

    head: str
    detail: str = ""
    best: bool = False
    color: str = ""  # the first line's colour (#RRGGBB), e.g. its rate's line in a chart below

    @classmethod
    def parse(cls, text: str | PanelTitle) -> PanelTitle:
        """``"lr 0.1: diverged at step 3"`` -> head ``lr 0.1``, detail ``diverged at step 3``.
        A `` · `` separator stays at the end of its line (a no-break space before it)."""
        if isinstance(text, PanelTitle):
            return text
        head, _, detail = text.partition(": ")
        return cls(head, detail.replace(" · ", "\u00a0· "))

    def lines(self, chars: int) -> tuple[str, list[str]]:
        """The first line and the outcome wrapped to ``chars`` characters a line."""
        head = f"{self.head} ★ best of these" if self.best else self.head
        return head, balanced_wrap(self.detail, max(chars, 8))


def balanced_wrap(text: str, chars: int) -> list[str]:
    """``text`` on as few lines of at most ``chars`` characters as it needs, evened out: "stuck
    in local" / "minimum 1", not "stuck in local minimum" / "1". Words are never split (a word
    longer than ``chars`` gets a line of its own): "SGD + m" / "omentum" was read on a panel."""
    lines = textwrap.wrap(text, chars, break_on_hyphens=False, break_long_words=False)
    for width in range(max(len(text) // max(len(lines), 1), 1), chars):
        even = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)
        if len(even) == len(lines):
            return even
    return lines


def _axis_name(k: int) -> str:
    return "" if k == 0 else str(k + 1)


def panel_columns(n: int) -> int:
    """Columns for ``n`` panels: 2 up to four panels (bigger maps), else 4."""
    return n if n <= 2 else 2 if n <= 4 else 4


def panel_width(cols: int, width: float) -> float:
    """Width (px) of one panel's map area when the figure is ``width`` px wide."""
    return (width - MARGIN_L - MARGIN_R) / cols * (1 - GAP)


def wrap_chars(cols: int, spare: int = 0) -> int:
    """Characters an outcome line may hold so that it fits its panel at the narrowest width the
    figure is drawn with that many columns, ``spare`` px of it taken (an axis title's)."""
    narrowest = MIN_WIDTH[2] if cols <= 2 else MIN_WIDTH[4]
    return int(panel_width(cols, narrowest - spare) / CHAR_PX)


def map_height(ratio: float, cols: int, width: int = DESIGN_WIDTH) -> int:
    """Pixels for one map: a panel of a ``width`` px figure at height / width ``ratio``."""
    return int(np.clip(panel_width(cols, width) * ratio, 80, 460))


def _panel_ratio(panel: dict[str, Any]) -> float:
    """Height / width of a race panel's map: the domain's when its scales are equal (the race
    decides), else the race's own default shape."""
    xa, ya = panel["layout"]["xaxis"], panel["layout"]["yaxis"]
    if "scaleanchor" not in ya:
        return 0.6
    (x0, x1), (y0, y1) = xa["range"], ya["range"]
    return (y1 - y0) / (x1 - x0)


def _title_annotations(title: PanelTitle, x: float, y: float, chars: int) -> list[dict[str, Any]]:
    """The first line (larger) and the wrapped outcome below it, both centred on ``x`` and hung
    from ``y`` (paper), so the first lines of a row line up however long the outcomes are."""
    head, detail = title.lines(chars)
    common = {"x": x, "y": y, "xref": "paper", "yref": "paper", "xanchor": "center",
              "yanchor": "top", "showarrow": False}
    out = [{**common, "text": head,
            "font": {"size": HEAD_FONT, **({"color": title.color} if title.color else {})}}]
    if detail:
        out.append({**common, "text": "<br>".join(detail), "yshift": -HEAD_PX,
                    "font": {"size": DETAIL_FONT}, "opacity": 0.85})
    return out


def tile(panels: Sequence[dict[str, Any]], titles: Sequence[str | PanelTitle],
         cols: int, width: int = DESIGN_WIDTH, touch: bool = False) -> SpecFigure:
    """Lay ``panels`` (race figure dicts with identical frame names) out on a grid of axes, each
    map (``map_height`` high for a ``width`` px figure) under its title (``PanelTitle`` or
    ``"head: outcome"``). Maps with axis titles (a data loss's parameters, ``race_figure``'s)
    keep them once: the y title on the first column, the x title under each column's last
    map; the y title's room comes from the figure's width. ``touch``: a phone's Play buttons,
    a finger's size (``viz.style.touch_buttons``), from the figure's left edge."""
    n = len(panels)
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    titled = "title" in panels[0]["layout"]["yaxis"]
    spare = AXIS_TITLE_PX if titled else 0
    chars = wrap_chars(cols, spare)
    heads = [PanelTitle.parse(t) for t in titles]
    map_px = map_height(_panel_ratio(panels[0]), cols, width - spare)
    detail_lines = [len(h.lines(chars)[1]) for h in heads]
    title_px = [HEAD_PX + LINE_PX * max(detail_lines[r * cols:(r + 1) * cols]) + 4
                for r in range(rows)]
    row_px = [t + map_px + TICKS_PX + ROW_GAP_PX for t in title_px]
    plot_px = sum(row_px)
    base = copy.deepcopy(panels[0]["layout"])
    layout: dict[str, Any] = {k: v for k, v in base.items()
                              if k not in ("xaxis", "yaxis", "images", "height")}
    layout["images"] = []
    layout["annotations"] = []
    margin = {"l": MARGIN_L + spare, "r": MARGIN_R, "t": MARGIN_T, "b": base["margin"]["b"],
              "autoexpand": False}
    layout["height"] = plot_px + margin["t"] + margin["b"]
    layout["margin"] = margin
    # traceorder "normal": the minima's legend group would stack its entries in a column
    layout["legend"] = {"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom",
                        "xanchor": "left", "font": {"size": 12}, "traceorder": "normal"}
    menu = layout["updatemenus"][0]  # the race puts Play right above the map: here, the legend
    menu["pad"] = {**menu["pad"], "b": menu["pad"]["b"] + LEGEND_PX}
    if touch:
        # From the plot's left, the taller buttons' row ran past a 360 px phone's figure.
        menu["x"] = -margin["l"] / (width - margin["l"] - MARGIN_R)
        layout["updatemenus"][0] = touch_buttons(menu, BUTTONS_PX + LEGEND_PX)
    data: list[dict[str, Any]] = []
    moved: list[dict[int, int]] = []  # per panel: its trace index -> the figure's
    for k, panel in enumerate(panels):
        r, c = divmod(k, cols)
        ax = _axis_name(k)
        row_top = 1 - sum(row_px[:r]) / plot_px
        map_top = row_top - title_px[r] / plot_px
        x_dom = [c / cols + GAP / 2, (c + 1) / cols - GAP / 2]
        y_dom = [map_top - map_px / plot_px, map_top]
        # centred under its title (the race keeps its one map to the left)
        xa = {**panel["layout"]["xaxis"], "domain": x_dom, "anchor": f"y{ax}",
              "constraintoward": "center"}
        # a map narrower than planned keeps to the top of its row, right under its title
        ya = {**panel["layout"]["yaxis"], "domain": y_dom, "anchor": f"x{ax}",
              "constraintoward": "top"}
        if "scaleanchor" in ya:
            ya["scaleanchor"] = f"x{ax}"
        if k + cols < n:  # a map under it names the x axis
            xa.pop("title", None)
        if c > 0:  # the panels share one domain: the first column's y ticks name it (on a
            ya.pop("title", None)  # phone the others' printed over their left neighbour)
            ya["showticklabels"] = False
        layout[f"xaxis{ax}"] = xa
        layout[f"yaxis{ax}"] = ya
        for image in panel["layout"].get("images", []):
            layout["images"].append({**image, "xref": f"x{ax}", "yref": f"y{ax}"})
        layout["annotations"] += _title_annotations(heads[k], sum(x_dom) / 2, row_top, chars)
        # one step counter (the first panel's): the panels share one clock
        kept = [i for i, t in enumerate(panel["data"]) if k == 0 or t.get("meta") != "step"]
        moved.append({old: len(data) + j for j, old in enumerate(kept)})
        for trace in (panel["data"][i] for i in kept):
            t = {**trace, "xaxis": f"x{ax}", "yaxis": f"y{ax}"}
            if t.get("meta") == LABELLED:  # labels (annotations, not kept) crowd a small panel
                t["marker"] = {**t["marker"], "size": 0.7 * t["marker"].get("size", 12)}
            if t.get("legendgroup") != "minima":
                t["showlegend"] = False
            if "marker" in t and t["marker"].get("showscale"):
                # one colour bar, placed from the top of this figure (not the panel's)
                bar = {**t["marker"]["colorbar"], "y": 1 - MODEBAR_PX / layout["height"]}
                t["marker"] = ({**t["marker"], "colorbar": bar} if k == 0
                               else {**t["marker"], "showscale": False})
            if k > 0:
                t["showlegend"] = False
            data.append(t)
    frames = []
    for i, frame in enumerate(panels[0]["frames"]):
        f_data, f_traces = [], []
        for panel, index in zip(panels, moved, strict=True):
            pf = panel["frames"][i]
            for d, t in zip(pf["data"], pf["traces"], strict=True):
                if t in index:
                    f_data.append(d)
                    f_traces.append(index[t])
        frames.append({"name": frame["name"], "data": f_data, "traces": f_traces})
    return SpecFigure({"data": data, "layout": layout, "frames": frames})


def small_multiples_figure(grid: Grid, paths: Sequence[PathView],
                           titles: Sequence[str | PanelTitle],
                           minima: Sequence[MinimumLike], objective: Any,
                           start: tuple[float, float], cols: int | None = None,
                           playback: Playback | None = None, phone: bool = False,
                           background: dict[str, Any] | None = None) -> SpecFigure:
    """One race panel per path (e.g. the same optimizer at several learning rates), animated
    together: Play moves every panel's marker on the same step clock. A ``phone`` gets at most
    two columns, their maps fitted to its width (``MIN_WIDTH[2]``). ``background``:
    ``viz.background.background_image(grid)``, built once for every panel (pass a cached one:
    encoding it took ~22 ms a panel on every rerun of the lab)."""
    pb = playback or Playback(max_frames=100, trail_points=30)
    background = background or background_image(grid)
    cols = cols or panel_columns(len(paths))
    cols = min(cols, 2) if phone else cols
    # the step counter keeps clear of the start on a panel's map as drawn (~150 px: a race
    # map's clearance put "step 200" over the lab's start)
    px = panel_width(cols, MIN_WIDTH[2] if phone else DESIGN_WIDTH)
    ratio = map_aspect(grid.domain)
    panels = [race_figure(grid, [p], minima, objective, start=start, playback=pb,
                          pick_grid=False, background=background,
                          map_px=(px, px * ratio)).to_dict() for p in paths]
    if phone:
        return tile(panels, titles, cols, MIN_WIDTH[2], touch=True)
    return tile(panels, titles, cols)

"""The race map: every optimizer's path over the landscape, animated in the browser.

Trace layout (static first, then the moving ones that frames update by index):

    colour bar | click grid | faint full paths (hover: step, position, loss, gradient) |
    legend entries | start | minima | lowest in view | diverged marks |
    per optimizer: trail [, gradient arrow, update arrow] | step counter |
    one trace with all current positions |
    [curve panels under the slider: their lines and ✕ marks | one dot trace per panel]

Frames carry only the trails, arrows, counter, positions and panel dots (``traces=[...]``); the
surface is a layout image (see ``viz.background``) so it survives ``redraw: false`` playback.
Every trace costs time in each frame (Plotly re-derives defaults for all of them), so the moving
part is kept small: a trail per path, and one trace each for the counter, the positions and each
panel's dots.

Paths and trails drop points that stay in the previous point's sub-pixel cell (``pixel_runs``):
a converged path repeats one spot hundreds of times, and those repeats were half the figure's
JSON, which Streamlit hashes and ships on every rerun.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import count, takewhile
from typing import Any, Protocol

import numpy as np

from landscape.base import diagonal, inside
from viz.background import Domain, Grid, background_image, colorbar_trace, pick_grid_trace
from viz.curves import Series, drawn_until, line_traces
from viz.numbers import round_sig
from viz.paths import (
    PathView,
    frame_steps,
    on_map,
    shape_indices,
    stopped_at_edge,
    trail_indices,
)
from viz.spec import SpecFigure
from viz.style import (
    CLEAR,
    DIVERGED_MARKER,
    INK,
    JUMPERS,
    LEFT_MAP_MARKER,
    LOWEST_IN_VIEW,
    MAP_XAXIS,
    MINIMUM_GLOBAL,
    MINIMUM_LOCAL,
    MODEBAR_PX,
    START_MARKER,
    TOUCH_FONT,
    TOUCH_LINES,
    TOUCH_PX,
    base_layout,
    button_px,
    legend_size,
    rgba,
    touch_buttons,
)

SPEEDS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
# Slider intervals at most. Plotly labels every k-th slider position counting from the first, k =
# ceil((widest label + 8 px) / (slider length - 20 px) * intervals). Ten intervals of a round size
# (0, 50, ..., 500) give k = 1 on a laptop and k = 2 on a phone (a 4-digit label on a 300 px
# slider), so the last position stays labelled; 20 intervals needed k = 3 there.
SLIDER_INTERVALS = 10
ALL_LABELLED = 7  # intervals a 300 px slider labels every one of (4-digit labels, 11 px font)
# The Play / speed buttons sit on a row of BUTTONS_PX right above the map, where a laptop sees them
# without scrolling; below the map are its x tick labels and then the step slider on a row of
# its own (SLIDER_TOP down: its current value, rail, ticks and labels), CONTROLS_PX in all.
BUTTONS_PX, SLIDER_TOP, CONTROLS_PX = 50, 30, 110
# Pixels above it: the colour bar (its title on its left) at the top right of the figure, under
# the row Plotly's mode bar shows on hover (MODEBAR_PX), then the legend; a legend entry is
# LEGEND_ITEM_PX plus LEGEND_CHAR_PX a character wide (12 px font).
COLORBAR_PX, LEGEND_ROW_PX, LEGEND_PAD_PX = 68, 19.5, 10
LEGEND_ITEM_PX, LEGEND_CHAR_PX = 45, 5.9
# A narrow plot's row holds a finger's buttons (``touch_buttons``: 46 px, 33 px before) and 10
# px under them: in a 50 px row, 4 px over the map, "▶ Play" covered its top y tick label.
TOUCH_BUTTONS_PX = button_px(TOUCH_FONT, TOUCH_LINES) + 10
# Plotly's slider takes touches on a band from its rail's top, as tall as its ticks and labels
# (25 px before the ticks, at least its 20 px handle): the step slider's handle's ticks are
# this long (and drawn 0 px wide), so a finger's whole target (``TOUCH_PX``) scrubs frames.
SLIDER_TICK_OFFSET_PX = 25
SCRUB_TICK_PX = TOUCH_PX - SLIDER_TICK_OFFSET_PX
# A legend under the slider (``legend_under``) starts this far up into the slider's row, whose
# bottom is blank below its labels.
LEGEND_TUCK_PX = 16
# The plot width the figure's height is fitted to (the main column of a ~1300 px window), and the
# map's height limits there: a narrower plot leaves a blank band below the map (see race_height).
DESIGN_WIDTH, MAP_PX = 800, (300, 460)
# A phone's plot: a 360-430 px screen less Streamlit's 16 px paddings and the margins below.
# Narrower than fitted leaves a blank band under the map; wider keeps the map to the left.
PHONE_WIDTH = 300
MARGIN_L, MARGIN_R = 40, 12
#: The whole figure's width at DESIGN_WIDTH of plot: what a downloaded HTML file is drawn at.
FIGURE_WIDTH = DESIGN_WIDTH + MARGIN_L + MARGIN_R
#: A map whose axes have titles (``axis_titles``) takes this much more room left of its y tick
#: labels (from the plot's width: the figure keeps its width) and under its x tick labels (the
#: step slider moves down): the row and the column of a title in the figure's 13 px font.
AXIS_TITLE_PX = 20
TITLE_STANDOFF = 2  # px between an axis title and its tick labels
PLAIN_AXES = ("x", "y")
DOT, RING = 13, 6  # current-position dot size; a ring's extra size per racer on the same spot
# Under the map and its step slider, in the same figure: per-step curves (loss, distance) with a
# dot per optimizer that moves with Play (a chart of its own cannot follow the map's animation).
# Side by side on a laptop's plot; stacked on one narrower than PANELS_SIDE_BY_SIDE.
CURVE_PX, PHONE_CURVE_PX, PANELS_SIDE_BY_SIDE = 170, 130, 500
CURVE_TITLE_PX = 30  # a panel's title row, over it
CURVE_HGAP_PX, CURVE_VGAP_PX = 70, 40  # between panels: the right one's y ticks, the upper's x
CURVES_BOTTOM_PX = 58  # under the lowest panel: its step ticks and the word "step"
CURVE_DOT = 9
#: Curve panels go beside a map that leaves this much of the plot's width (``panels_beside``):
#: their y ticks (``CURVE_HGAP_PX``) and a ~240 px panel, as wide as its title.
SIDE_PANELS_PX = 300
SIDE_TITLE_GAP_PX = 16  # from the map's right edge to the titles of the panels beside it
#: Playback never asks for frames faster than this: Chromium drew the race's map at ~35-50 ms a
#: frame on a 2-core machine whatever was asked, so 2x and 4x played at the speed of 1x; above
#: it, faster speeds skip frames instead (``_controls``).
FRAME_FLOOR_MS = 40
MIN_PLAY_MS = 3000  # a Play at 1x lasts this long at least, however few the frames


def axis_titles(objective: Any) -> tuple[str, str] | None:
    """The map's axis titles: a data loss's parameters (``Surface.axes``, ``("w", "b")``), which
    the map must name (which one is the slope?); None for a surface's plain x and y. Those stay
    untitled: every reader takes a 2D map's axes for x and y, and two titles would cost a
    phone's 300 px map ``AXIS_TITLE_PX`` of width and of height for nothing new."""
    axes = tuple(getattr(objective, "axes", PLAIN_AXES))
    return None if axes == PLAIN_AXES else (str(axes[0]), str(axes[1]))


def titled_width(objective: Any, plot_width: int) -> int:
    """The plot's width left to a map of ``objective`` and its panels: ``plot_width`` less its
    y axis title's column (``axis_titles``), if it has one."""
    return plot_width - (AXIS_TITLE_PX if axis_titles(objective) else 0)


def titled_axes(titles: tuple[str, str] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Layout entries (x axis, y axis) for a map's axis ``titles`` (``axis_titles``); empty
    ones without."""
    if titles is None:
        return {}, {}
    x, y = ({"title": {"text": t, "standoff": TITLE_STANDOFF}} for t in titles)
    return x, y


def equal_scales(domain: Domain) -> bool:
    """Whether a map of ``domain`` draws x and y at one scale: it keeps gradients perpendicular
    to the contour lines, unless the domain is very elongated (height / width beyond 3)."""
    (x0, x1), (y0, y1) = domain
    return 1 / 3 <= (y1 - y0) / (x1 - x0) <= 3


def map_aspect(domain: Domain) -> float:
    """A race map's height / width: the domain's, or ``STRETCHED_ASPECT`` where its axes are not
    to one scale (``equal_scales``)."""
    (x0, x1), (y0, y1) = domain
    return (y1 - y0) / (x1 - x0) if equal_scales(domain) else STRETCHED_ASPECT


class MinimumLike(Protocol):
    point: tuple[float, float]
    value: float
    is_global: bool
    label: str


@dataclass(frozen=True)
class Playback:
    """Animation settings: frames (at most), trail length, base frame time, overlays."""

    max_frames: int = 150
    trail_points: int = 30
    frame_ms: int = 50
    arrows: bool = False
    digits: int = 5
    counter: bool = True  # "step k" in the map's top-right corner, advancing with every frame
    #: The plot width (px) the figure's height is fitted to: ``DESIGN_WIDTH`` for a laptop's
    #: column, ``PHONE_WIDTH`` for a phone's (see ``race_height``).
    plot_width: int = DESIGN_WIDTH
    #: The step the map shows when it opens (a frame of its own); None: the last. A teacher's
    #: link could not point at "step 40, where momentum overshoots".
    open_at: int | None = None

    @property
    def figure_width(self) -> int:
        """The whole figure's width at ``plot_width`` of plot (a downloaded HTML file's)."""
        return self.plot_width + MARGIN_L + MARGIN_R


#: Minima of one kind labelled on the map at most; beyond, only those ``named`` (where a path
#: ended: the table's "stuck in local minimum 42" is found by its label).
MAX_LABELLED = 12


def minima_traces(minima: Sequence[MinimumLike], show_text: bool = True,
                  domain: Domain | None = None, named: Collection[int] = (),
                  taken: Sequence[tuple[float, float, str]] = ()
                  ) -> list[dict[str, Any]]:
    """Global minima as gold stars, local minima as hollow diamonds, labelled "global" and
    "local k" (k counts local minima in registry order, as in ``app_pages.common.outcomes``).
    Given the map's ``domain``, labels near its edges turn inwards (``inward``): centred over a
    minimum on the edge, half of "global 6" was cut off. Of more than ``MAX_LABELLED`` of a
    kind, only those at the indices ``named`` (into ``minima``) are labelled, by a trace of
    their own over the lattice. Labels keep clear of each other and of the labels ``taken`` ((x,
    y, textposition): the start's, under its marker; ``apart``): a start clicked just above
    "local 2" printed "start" over its label."""
    out = []
    named_set = set(named)
    taken = list(taken)
    kinds = ((True, MINIMUM_GLOBAL, "global"), (False, MINIMUM_LOCAL, "local"))
    for is_global, style, word in kinds:
        idx = [i for i, m in enumerate(minima) if m.is_global == is_global]
        if not idx:
            continue
        ms = [minima[i] for i in idx]
        text = [word if is_global and len(ms) == 1 else f"{word} {k}"
                for k in range(1, len(ms) + 1)]
        marker = dict(style)
        if len(ms) > 20:  # a lattice of minima (Rastrigin's 120) would hide the map: small marks
            marker.update(size=min(marker.get("size", 10), 6),
                          line={**marker.get("line", {}), "width": 1})
        trace = {
            "type": "scatter",
            "mode": "markers+text" if show_text and len(ms) <= MAX_LABELLED else "markers",
            "name": f"{word} minimum", "x": [m.point[0] for m in ms], "y": [m.point[1] for m in ms],
            "text": text, "textposition": "top center" if domain is None
            else [inward(m.point, domain) for m in ms],
            "textfont": {"size": 11, "color": INK},
            "customdata": [m.value for m in ms], "marker": marker,
            "hovertemplate": "minimum: %{text}<br>(%{x:.4g}, %{y:.4g})"
                             "<br>f = %{customdata:.4g}<extra></extra>",
            "showlegend": True, "legendgroup": "minima",
        }
        if domain is not None and trace["mode"] == "markers+text":
            trace["textposition"] = apart(trace["x"], trace["y"], trace["textposition"], domain,
                                          taken)
            taken += zip(trace["x"], trace["y"], trace["textposition"], strict=True)
        out.append(trace)
        picked = [j for j, i in enumerate(idx) if i in named_set]
        if show_text and len(ms) > MAX_LABELLED and picked:
            labelled = {**trace, "mode": "markers+text", "showlegend": False,
                        **{k: [trace[k][j] for j in picked]
                           for k in ("x", "y", "text", "textposition", "customdata")
                           if isinstance(trace[k], list)}}
            if domain is not None:
                labelled["textposition"] = apart(labelled["x"], labelled["y"],
                                                 labelled["textposition"], domain, taken)
            out.append(labelled)
    return out


PIXEL_CELLS = 2000  # path points closer than diagonal / PIXEL_CELLS (~0.4 px) merge


def pixel_runs(points: np.ndarray, domain: Domain, cells: int = PIXEL_CELLS) -> np.ndarray:
    """A run id per point: it grows by one whenever the path enters another square of side
    ``diagonal / cells`` (~0.4 px), so equal ids mean the path stayed on one sub-pixel spot in
    between. Non-finite points start runs of their own."""
    (x0, _), (y0, _) = domain
    side = diagonal(domain) / cells
    with np.errstate(all="ignore"):
        ij = np.floor((points - (x0, y0)) / side)
    ok = np.isfinite(ij).all(axis=1) & (np.abs(ij) < 2**20).all(axis=1)
    ij = np.where(ok[:, None], ij, 0).astype(np.int64)
    cell = np.where(ok, (ij[:, 0] << 21) + ij[:, 1], -1 - np.arange(len(points)))
    return np.cumsum(np.r_[0, cell[1:] != cell[:-1]])


def thin_trail_runs(flat: np.ndarray, lengths: np.ndarray, run: np.ndarray,
                    ) -> tuple[np.ndarray, list[int]]:
    """Trails given flat (``viz.paths.trail_indices``) without the points that stay in the
    previous point's run (a converged path repeats one spot hundreds of times; each trail keeps
    its first and last points): the kept indices and the bounds of each trail among them (trail k
    is ``kept[b[k]:b[k + 1]]``)."""
    ends = np.cumsum(lengths)
    starts = ends - lengths
    r = run[flat]
    keep = np.r_[True, r[1:] != r[:-1]]
    keep[starts] = keep[ends - 1] = True
    bounds = np.r_[0, np.cumsum(np.add.reduceat(keep, starts))].tolist()
    return flat[keep], bounds


def _ghost_trace(p: PathView, digits: int, run: np.ndarray,
                 axes: tuple[str, str] = ("x", "y")) -> dict[str, Any]:
    """The whole path, faint, with the rich hover (step, position, loss, gradient, eff. step);
    a click on it picks that point as the start, as anywhere on the map.

    Steps that stay on one sub-pixel spot (``run``, from ``pixel_runs``) collapse into their first
    point, whose hover reads "step i–j (numbers at j)" and gives the last one's numbers: a
    converged path would otherwise repeat one spot hundreds of times (and step i's gradient, shown
    for steps 20–500, said the walker still had a slope where it had settled: a review).
    """
    n = len(p.points)
    keep = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    ends = np.r_[keep[1:] - 1, n - 1]
    eff = p.effective_step()[ends]
    # Each column rounded to the digits its hover shows (loss .4g; gradient and step .3g).
    cols: list[list] = [[int(i) if i == j else f"{i}–{j} (numbers at {j})"
                         for i, j in zip(keep, ends, strict=True)], round_sig(p.losses[ends], 4)]
    cols += [round_sig(c, 3) for c in (p.grads[ends, 0], p.grads[ends, 1], eff[:, 0], eff[:, 1])]
    faint = rgba(p.color, 0.45)
    return {
        "type": "scatter", "name": p.label, "legendgroup": p.name,
        "showlegend": False, "x": round_sig(p.points[keep, 0], digits),
        "y": round_sig(p.points[keep, 1], digits),
        "customdata": [list(row) for row in zip(*cols, strict=True)],
        # A line's points are selectable only with markers: a click on a path selected
        # nothing, which faded the whole map and moved no start. One marker is drawn, nearly
        # transparent (``maxdisplayed``, as the pick grid); clicks find every point.
        **({"mode": "markers", "marker": {"color": faint, "size": 5}} if p.name in JUMPERS
           else {"mode": "lines+markers", "line": {"color": faint, "width": 1.5},
                 "marker": {"color": faint, "size": 6, "opacity": 0.01, "maxdisplayed": 1}}),
        "hovertemplate": (
            "<b>" + p.label + "</b><br>step %{customdata[0]}<br>"
            f"({axes[0]}, {axes[1]}) = " "(%{x:.4g}, %{y:.4g})"
            "<br>loss %{customdata[1]:.4g}<br>∇f = (%{customdata[2]:.3g}, %{customdata[3]:.3g})"
            # the step over the slope: plain gradient descent's is its lr on both axes; momentum
            # and adaptive methods make it differ ("|Δx|/|g|" alone was jargon to a student)
            "<br>effective lr per axis, |Δx|/|g| = (%{customdata[4]:.3g}, %{customdata[5]:.3g})"
            "<extra></extra>"
        ),
    }


#: An arrow shorter than this share of its full length is not drawn: its vector is about nothing.
ARROW_FLOOR = 0.02


def arrow_vectors(vectors: np.ndarray, on_map: np.ndarray, full: float) -> np.ndarray:
    """Arrows for ``vectors`` (S, 2) along a path: each points along its vector, with length
    full * sqrt(|v| / max |v|), the max over the steps ``on_map`` (a path's blow-up off the map
    would shrink all the others). Lengths follow the sizes, a steep slope long and a gentle one
    short; the square root keeps a 100 times smaller vector a tenth as long, in sight. Under
    ``ARROW_FLOOR`` of ``full`` (at a minimum the gradient is about 0) or not finite: NaN, no
    arrow. Arrows of one length everywhere still pointed somewhere at a minimum, as if it
    sloped."""
    with np.errstate(all="ignore"):
        norm = np.hypot(vectors[:, 0], vectors[:, 1])
        finite = np.isfinite(norm)
        ref = float(norm[finite & on_map].max(initial=0.0))
        length = full * np.sqrt(norm / ref) if ref > 0 else np.zeros_like(norm)
        keep = finite & (length >= ARROW_FLOOR * full)
        return np.where(keep[:, None], vectors * (length / norm)[:, None], np.nan)


class _Rounded:
    """A path's coordinates rounded once, so that frames slice Python lists (no per-frame NumPy)."""

    def __init__(self, p: PathView, digits: int, arrows: bool, arrow_len: float,
                 run: np.ndarray, domain: Domain) -> None:
        self.x = round_sig(p.points[:, 0], digits)
        self.y = round_sig(p.points[:, 1], digits)
        # The same values as arrays of Python objects: a frame's trail is then one fancy index.
        self.xo, self.yo = np.array(self.x, dtype=object), np.array(self.y, dtype=object)
        self.run = run
        self.tips: list[tuple[list, list]] = []
        if arrows:
            on = inside(p.points, domain)
            for vec in (-p.grads, p.updates()):
                tip = p.points + arrow_vectors(vec, on, arrow_len)
                self.tips.append((round_sig(tip[:, 0], digits), round_sig(tip[:, 1], digits)))

    def frames(self, clock: np.ndarray, trails: tuple[np.ndarray, np.ndarray],
               ) -> list[list[dict[str, Any]]]:
        """What each frame changes for this path: its trail (``trails``, from
        ``viz.paths.trail_indices``, thinned) and the optional arrows at step ``clock[k]``."""
        x, y = self.x, self.y
        flat, bounds = thin_trail_runs(*trails, self.run)
        xs, ys = self.xo[flat].tolist(), self.yo[flat].tolist()
        out = []
        for s, a, b in zip(clock.tolist(), bounds[:-1], bounds[1:], strict=True):
            frame = [{"x": xs[a:b], "y": ys[a:b]}]
            frame += [{"x": [x[s], tx[s]], "y": [y[s], ty[s]]} for tx, ty in self.tips]
            out.append(frame)
        return out


def _moving_traces(p: PathView, first: list[dict[str, Any]], arrows: bool) -> list[dict[str, Any]]:
    trail = ({"mode": "markers", "marker": {"color": p.color, "size": 7}} if p.name in JUMPERS
             else {"mode": "lines", "line": {"color": p.color, "width": 3}})
    traces = [
        {"type": "scatter", "name": p.label, "legendgroup": p.name, "showlegend": False,
         "hoverinfo": "skip", **trail, **first[0]},
    ]
    if arrows:
        for (dash, what), data in zip((("dot", "−gradient"), ("solid", "update")), first[1:],
                                      strict=True):
            traces.append({
                "type": "scatter", "mode": "lines+markers", "name": f"{p.label} {what}",
                "legendgroup": p.name, "showlegend": False, "hoverinfo": "skip",
                "line": {"color": p.color, "width": 2.5, "dash": dash},
                "marker": {"symbol": "arrow", "angleref": "previous", "size": [0, 11],
                           "color": p.color},
                **data,
            })
    return traces


def inward(point: tuple[float, float], domain: Domain, edge: float = 0.1) -> str:
    """A Plotly textposition that keeps a label of ``point`` inside the map: to the left of a
    point within ``edge`` (of the width) of the right edge, right of one near the left edge,
    under one near the top. Centred over a top-right corner, "lowest in view" ran off a phone's
    figure and behind the ▶ 4× button."""
    (x0, x1), (y0, y1) = domain
    x, y = point
    h = "left" if x > x1 - edge * (x1 - x0) else "right" if x < x0 + edge * (x1 - x0) else "center"
    v = "bottom" if y > y1 - edge * (y1 - y0) else "top"
    return f"{v} {h}"


#: Labels nearer than these shares of the map's width and height collide on a phone's map
#: (~290 px: "local 42" is ~45 px wide).
LABEL_ROOM = (0.16, 0.07)


def _label_box(x: float, y: float, place: str, w: float, h: float) -> tuple[float, ...]:
    """The box (left, right, bottom, top) a label of about ``w`` x ``h`` (data units) takes at
    Plotly textposition ``place`` of a marker at (x, y)."""
    v, side = place.split()
    gap = h / 3  # the marker's half size and the annotation's shift, roughly
    left = {"left": x - gap - w, "right": x + gap}.get(side, x - w / 2)
    bottom = {"top": y + gap, "bottom": y - gap - h}.get(v, y - h / 2)
    return left, left + w, bottom, bottom + h


def apart(xs: Sequence[float], ys: Sequence[float], places: Sequence[str],
          domain: Domain, taken: Sequence[tuple[float, float, str]] = ()) -> list[str]:
    """``places`` (textpositions) with a label that would cover an earlier one, or one ``taken``
    ((x, y, textposition) of labels already there), moved: under its marker, else over it, to
    its right, to its left (the first side clear; as asked when none is). Rastrigin's
    neighbouring "local 42" and "local 34" printed as "local 4ocal 34" on a phone."""
    (x0, x1), (y0, y1) = domain
    w, h = LABEL_ROOM[0] * (x1 - x0), LABEL_ROOM[1] * (y1 - y0)
    boxes = [_label_box(x, y, p, w, h) for x, y, p in taken]

    def clear(box: tuple[float, ...]) -> bool:
        return all(box[1] <= b[0] or b[1] <= box[0] or box[3] <= b[2] or b[3] <= box[2]
                   for b in boxes)

    out = []
    for x, y, place in zip(xs, ys, places, strict=True):
        v, h_side = place.split()
        tries = [place, f"{'top' if v == 'bottom' else 'bottom'} {h_side}", "middle right",
                 "middle left"]
        chosen = next((t for t in tries if clear(_label_box(x, y, t, w, h))), place)
        boxes.append(_label_box(x, y, chosen, w, h))
        out.append(chosen)
    return out


#: ``meta`` of a race map's trace whose labels ``race_figure`` moved to layout annotations.
LABELLED = "labelled"


def label_annotations(trace: dict[str, Any]) -> list[dict[str, Any]]:
    """A ``markers+text`` trace's labels as layout annotations (``x``/``y`` data coordinates),
    each placed by its ``textposition`` next to its marker; the trace keeps its markers (and its
    ``text`` for the hover). Annotations are drawn over every trace, so a path no longer crosses
    "start" or "local 1"; and a trace's text is Plotly's costliest replot in an animation frame
    (``race_figure`` replots the static traces in every frame)."""
    xs, ys, texts = trace["x"], trace["y"], trace["text"]
    pos = trace.get("textposition", "middle center")
    places = pos if isinstance(pos, list) else [pos] * len(xs)
    gap = trace.get("marker", {}).get("size", 10) / 2 + 2
    out = []
    for x, y, text, place in zip(xs, ys, texts, places, strict=True):
        v, h = place.split()
        out.append({"x": x, "y": y, "xref": "x", "yref": "y", "text": text, "showarrow": False,
                    "font": dict(trace.get("textfont", {})),
                    "xanchor": {"left": "right", "right": "left"}.get(h, "center"),
                    "yanchor": {"top": "bottom", "bottom": "top"}.get(v, "middle"),
                    "xshift": {"left": -gap, "right": gap}.get(h, 0),
                    "yshift": {"top": gap, "bottom": -gap}.get(v, 0)})
    return out


#: The step counter's room at a map's corner, in px: its text ("step 500" in 13 px type, with
#: its halo) and half a marker around it.
COUNTER_PX = (76, 30)


def counter_corner(domain: Domain, marked: Sequence[tuple[float, float]],
                   map_px: tuple[float, float] = (MAP_PX[1], MAP_PX[1])
                   ) -> tuple[float, float, str]:
    """Where the step counter hangs: the first map corner (top right, top left, bottom right,
    bottom left) whose ``COUNTER_PX`` box, on a map drawn ``map_px`` (width, height) px, holds
    no ``marked`` point (start, minima, the lowest point in view), as (x, y, Plotly
    textposition); top right if every corner has one. A formula falling past the top-right
    corner put its "lowest in view" star under the text, and the lab's small panels (~180 px)
    put it over the start: the box is the text's size on the map as drawn."""
    (x0, x1), (y0, y1) = domain
    w = COUNTER_PX[0] / map_px[0] * (x1 - x0)
    h = COUNTER_PX[1] / map_px[1] * (y1 - y0)
    pts = np.asarray(marked, float).reshape(-1, 2)
    corners = ((x1, y1, "bottom left"), (x0, y1, "bottom right"), (x1, y0, "top left"),
               (x0, y0, "top right"))
    for x, y, position in corners:
        if not np.any((np.abs(pts[:, 0] - x) < w) & (np.abs(pts[:, 1] - y) < h)):
            return x, y, position
    return corners[0]


def _counter_trace(at: tuple[float, float, str], text: list[str]) -> dict[str, Any]:
    """The step the frame shows, hung inside a corner of the map (``counter_corner``): the
    slider under the map reads it only at its marks, and a laptop has scrolled it out of view
    while it watches the map. Dark text on a light halo reads on any colour of the surface."""
    x, y, position = at
    return {"type": "scatter", "mode": "text", "name": "step", "x": [x], "y": [y],
            "text": text, "textposition": position, "showlegend": False,
            "hoverinfo": "skip", "meta": "step",
            "textfont": {"size": 13, "color": INK, "shadow": "auto"}}


def _round_intervals() -> Iterator[int]:
    """1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, ..."""
    for k in count():
        yield from (m * 10**k // 10 for m in (10, 20, 25, 50) if m * 10**k % 10 == 0)


def slider_marks(n_steps: int, most: int = SLIDER_INTERVALS) -> list[int]:
    """The steps the slider offers: 0, multiples of a round interval and the last step, at most
    ``most`` intervals. An interval that divides ``n_steps`` into an even number (at least half of
    ``most``) is preferred; otherwise the multiple just before the end may be dropped, so that the
    last interval is at least half the others and a count of intervals above ``ALL_LABELLED`` is
    even (where a narrow slider labels every other position, the labels then reach the end); an
    interval that needs more than that gives way to the next round one."""
    if n_steps <= 0:
        return [0]
    fits = [d for d in takewhile(lambda d: d <= n_steps, _round_intervals())
            if n_steps / d <= most] or [n_steps]
    even = [d for d in fits if n_steps % d == 0 and (n_steps // d) % 2 == 0
            and n_steps // d >= most // 2]
    for d in [*even, *fits]:
        marks = [*range(0, n_steps, d), n_steps]
        if len(marks) > 2 and n_steps - marks[-2] < d / 2:
            del marks[-2]
        if len(marks) - 1 > ALL_LABELLED and (len(marks) - 1) % 2 == 1:
            if n_steps - marks[-2] > d:  # one mark fewer would leave a gap of over 2 intervals
                continue
            del marks[-2]
        return marks
    return [0, n_steps]


def nearest_frames(frames: np.ndarray, marks: Sequence[int]) -> np.ndarray:
    """Index of the frame (increasing step or epoch numbers) nearest each mark."""
    return np.abs(np.asarray(frames)[:, None] - np.asarray(marks)[None, :]).argmin(axis=0)


def slider_frames(frames: np.ndarray, most: int = SLIDER_INTERVALS) -> list[int]:
    """The frames a slider over ``frames`` (increasing, from 0) offers: the one nearest each of
    ``slider_marks`` of the last frame's number, so it reads round numbers wherever frames fall
    on them (``race_frame_steps`` places frames so)."""
    f = np.asarray(frames)
    if len(f) <= 1:
        return list(range(len(f)))
    marks = slider_marks(int(f[-1]), max(1, min(most, len(f) - 1)))
    return sorted(set(nearest_frames(f, marks).tolist()))


def race_frame_steps(n_steps: int, max_frames: int = 150,
                     also: int | None = None) -> tuple[np.ndarray, list[int]]:
    """The steps shown as frames and the frames the slider offers (their indices).

    ``viz.paths.frame_steps`` thins the steps evenly; each slider mark (``slider_marks``) then
    replaces the frame step nearest to it, so the slider reads round numbers without adding
    frames (a frame moves by at most half the frame spacing). Step ``also`` (in 0 .. n_steps),
    if not a frame already, is added as one.
    """
    steps = frame_steps(n_steps, max_frames)
    most = SLIDER_INTERVALS
    if len(steps) <= n_steps:  # thinned: marks at least ~3 frames apart keep their own frame
        most = max(1, min(most, (len(steps) - 1) // 3))
    marks = slider_marks(n_steps, most)
    steps[nearest_frames(steps, marks)] = marks
    if also is not None:
        steps = np.union1d(steps, [also])
    return steps, np.searchsorted(steps, marks).tolist()


def _controls(steps: np.ndarray, marks: list[int], pb: Playback,
              opened: int | None = None, margin_l: int = MARGIN_L,
              axis_px: int = 0) -> dict[str, Any]:
    """Play / Pause / speed buttons and the step slider (all client-side: no server round trip).

    ``marks``: the frames the slider offers (``race_frame_steps``); ``opened``: the frame the
    map opens at (default: the last), where the handle stands. ``margin_l``: the figure's left
    margin (a phone's buttons start at the figure's edge); ``axis_px``: an x axis title's row
    between the map's tick labels and the slider.
    Frames draw with ``redraw: false`` (fast: only the traces a frame lists are replotted);
    slider steps redraw fully. Found in Chromium: after ``redraw: false`` frames Plotly stopped
    reporting clicks on the map until the next full redraw (the static traces' drawn nodes are
    gone from their calcdata), so Play had to end with a full redraw and Pause had to jump to
    an empty frame that redrew, and Play always began again at step 0. A clickable map's frames
    now list its static traces too, with no data (``race_figure``): clicks survive any frame,
    Pause stops where it is (it animates to no frame), and Play resumes from there
    (``fromcurrent``); from the last frame it starts over. A speed that skips frames resumes
    only from a frame it lists (Plotly's ``fromcurrent`` finds no match for another and starts
    at step 0): each list holds the frame the map opens at, and ``plotly_controls.js`` moves a
    current frame off the list back to the listed one before it.
    """
    n = len(steps)
    opened = n - 1 if opened is None else opened
    names = [str(k) for k in range(n)]

    def play(speed: float) -> list[Any]:
        # Plotly starts a frame on the first display tick (16.7 ms) *after* the duration has
        # passed, so 50 ms ran at 66.7 ms in Chromium; asking for half a tick less gives 50 ms.
        # A short race lasts MIN_PLAY_MS at 1x at least: 11 frames of 50 ms flashed by.
        # Frames faster than FRAME_FLOOR_MS are skipped instead (every stride-th is shown), so
        # 4x plays four times as fast where drawing a frame is the bound.
        per = max(pb.frame_ms, MIN_PLAY_MS / max(n - 1, 1)) / speed
        stride = max(1, math.ceil(FRAME_FLOOR_MS / per - 1e-9))
        # every stride-th frame, the last, and the one the map opens at (``fromcurrent``
        # resumes only from a frame in the list: 4x from a link's step 37 began at step 0)
        kept = {*range(0, n, stride), n - 1, opened}
        shown = [names[k] for k in sorted(kept)]
        ms = max(0, int(per * stride) - 8)
        return [shown, {"frame": {"duration": ms, "redraw": False},
                        "transition": {"duration": 0}, "fromcurrent": True,
                        "mode": "immediate"}]

    still = {"frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0},
             "mode": "immediate"}
    # Pause animates to no frame: playback stops where it is, and Play resumes from there.
    stop = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0},
            "mode": "immediate"}
    buttons = [{"label": "▶ Play", "method": "animate", "args": play(1.0)},
               {"label": "❚❚ Pause", "method": "animate", "args": [[None], stop]}]
    buttons += [{"label": f"▶ {s:g}×", "method": "animate", "args": play(s)}
                for s in SPEEDS if s != 1.0]
    # Right above the map (the top of the plot area, which the legend's reserved rows push down),
    # not under it: under a 460 px map a 1280 x 800 laptop had to scroll to find Play.
    # On a phone's plot the row starts at the figure's left edge, in 11 px type: from the
    # plot's left, "▶ 4×" ran 12 px past a 390 px phone's figure. There its buttons are a
    # finger's size (``touch_buttons``: 46 px tall, 49 to 77 wide; they were 33 px tall), on a
    # taller row (``buttons_px``).
    narrow = pb.plot_width < PANELS_SIDE_BY_SIDE
    menu = {"type": "buttons", "direction": "left", "showactive": False,
            "x": -margin_l / pb.plot_width if narrow else 0.0, "y": 1.0,
            "xanchor": "left", "yanchor": "bottom", "pad": {"b": 10, "r": 0},
            "buttons": buttons, "font": {"size": 11 if narrow else 12}}
    if narrow:
        menu = touch_buttons(menu, TOUCH_BUTTONS_PX)
    slider = {
        # A row of its own under the map, the plot's full width: beside the buttons (pad.l 340) it
        # collapsed on a narrow plot, its labels piled up and its handle hid behind "▶ 4×".
        "active": int(np.searchsorted(marks, opened, side="right")) - 1,  # the mark at or before
        "x": 0.0, "len": 1.0, "y": 0.0, "yanchor": "top",
        "pad": {"t": SLIDER_TOP + axis_px, "b": 0, "l": 0, "r": 0},
        # No "step N" over the slider: during Play its handle moves only at the marks, so it read
        # "step 50" while the map's counter read 67. The counter names the step.
        "currentvalue": {"visible": False},
        "font": {"size": 11},
        "steps": [{"method": "animate", "label": str(int(steps[k])), "args": [[str(k)], still]}
                  for k in marks],
    }
    # The handle: a second slider on the first, over every frame, unlabelled. The labelled one
    # offered only its marks (0, 50, ..., 500): no scrubbing to step 19 where a path arrives,
    # and during Play its handle kept to the marks while the counter moved on. Plotly labels
    # every k-th step of a slider (k from the label widths), never chosen ones, so the labels
    # stay on the first slider. Both follow every frame shown (``plotly_animatingframe``).
    # Its ticks are long and drawn 0 px wide (``SCRUB_TICK_PX``): with none, its touch band was
    # 25 px, and the lower part of a finger's tap went to the labelled slider (round marks only).
    scrub = {**slider, "active": opened, "ticklen": SCRUB_TICK_PX, "tickwidth": 0,
             "minorticklen": 0, "transition": {"duration": 0},
             "steps": [{"method": "animate", "label": "", "args": [[str(k)], still]}
                       for k in range(n)]}
    # The labelled slider's rail and handle are not drawn: ``scrub`` draws them, over its ticks.
    slider.update(dict.fromkeys(("bgcolor", "bordercolor", "activebgcolor"), CLEAR))
    return {"updatemenus": [menu], "sliders": [slider, scrub]}


class _Panels:
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


def race_figure(grid: Grid, paths: Sequence[PathView], minima: Sequence[MinimumLike],
                objective: Any, start: tuple[float, float] | None = None,
                playback: Playback | None = None, height: int | None = None,
                pick_grid: bool = True, background: dict[str, Any] | None = None,
                lowest: tuple[float, float] | None = None,
                lowest_label: str = "", series: Sequence[Series] = (),
                named_minima: Collection[int] = (),
                map_px: tuple[float, float] | None = None) -> SpecFigure:
    """The animated race map. The initial view shows the final state; Play starts at step 0, and
    after Pause it resumes where it stopped (``_controls``).

    ``series`` (``viz.curves.loss_series``, ``distance_series``): per-step curves drawn in panels
    under the step slider, a dot per path on each moving with the map (``_Panels``). The map's
    traces come first in ``data``, the panels' after them. A ``height`` given with ``series``
    includes the panels (``race_height(..., panels=len(series))``).

    ``background`` is ``viz.background.background_image(grid)``; pass it in to reuse a cached one.
    ``lowest``: the lowest point in view of a landscape with no minimum inside it (a hollow star,
    labelled so; pass no ``minima`` then); ``lowest_label`` says why it is no minimum, on hover
    (the downloaded HTML has no note beside it).
    ``height`` defaults to ``race_height``: the domain's aspect ratio on a ``DESIGN_WIDTH`` plot.
    ``named_minima``: indices into ``minima`` where paths end, labelled among many
    (``minima_traces``).
    """
    pb = playback or Playback()
    # A data loss's map names its parameters on its axes: the y title takes part of the plot's
    # width (the figure keeps its width), the x title a row over the step slider.
    titles = axis_titles(objective)
    axis_px = AXIS_TITLE_PX if titles else 0
    margin_l = MARGIN_L + axis_px
    pb = replace(pb, plot_width=titled_width(objective, pb.plot_width))
    # Hovers read the true path up to where it left the map for good; trails and dots stop at
    # the edge there (``stopped_at_edge``).
    drawn = [stopped_at_edge(p, grid.domain) for p in paths]
    ends = [(p.points[p.steps], float(p.losses[p.steps])) for p in paths]  # before the clipping
    ghosts = [on_map(p, k) for p, (_, k) in zip(paths, drawn, strict=True)]
    paths, left = [p for p, _ in drawn], [k for _, k in drawn]
    (x0, x1), (y0, y1) = grid.domain
    equal = equal_scales(grid.domain)
    aspect = map_aspect(grid.domain)
    length = diagonal(grid.domain)
    arrow_len = 0.1 * length  # the longest arrow of each kind, per path (arrow_vectors)
    n_steps = max((p.steps for p in paths), default=0)
    # the step the map opens at, inside the run (None: the last)
    open_step = None if pb.open_at is None else min(max(int(pb.open_at), 0), n_steps)
    steps, marks = race_frame_steps(n_steps, pb.max_frames, open_step)

    static: list[dict[str, Any]] = []
    if pick_grid:
        static.append(pick_grid_trace(objective, grid.domain))
    runs = [pixel_runs(p.points, grid.domain) for p in paths]
    axes = getattr(objective, "axes", ("x", "y"))  # a data loss's parameters: (w, b)
    static += [_ghost_trace(g, pb.digits, r if k is None else pixel_runs(g.points, grid.domain),
                            axes) for g, r, k in zip(ghosts, runs, left, strict=True)]
    # Legend entries live on static, empty traces: a legend item tied to a moving trace would be
    # redrawn on every frame (measured: ~1/3 of the frame time in Chromium).
    static += [{"type": "scatter", "mode": "markers", "name": p.label, "legendgroup": p.name,
                "x": [None], "y": [None], "showlegend": True, "hoverinfo": "skip",
                "meta": "legend", "marker": {"color": p.color, "size": 13, "symbol": p.symbol,
                                             "line": {"color": "#FFFFFF", "width": 2}}}
               for p in paths]
    if start is not None:
        static.append({"type": "scatter", "mode": "markers+text", "name": "start",
                       "x": [start[0]], "y": [start[1]], "text": ["start"],
                       "textposition": "bottom center", "marker": dict(START_MARKER),
                       # as the minima's labels: the theme's grey was faint on the pale map
                       "textfont": {"size": 11, "color": INK},
                       "hovertemplate": "start (%{x:.4g}, %{y:.4g})<extra></extra>",
                       "showlegend": False})
    static += minima_traces(minima, domain=grid.domain, named=named_minima,
                            taken=[(*start, "bottom center")] if start is not None else [])
    if lowest is not None:
        static.append({"type": "scatter", "mode": "markers+text", "name": "lowest in view",
                       "x": [lowest[0]], "y": [lowest[1]], "text": ["lowest in view"],
                       "textposition": inward(lowest, grid.domain),
                       "textfont": {"size": 11, "color": INK},
                       "marker": dict(LOWEST_IN_VIEW), "showlegend": True,
                       "cliponaxis": False,  # it sits on the edge or in a corner
                       "hovertemplate": (lowest_label or "lowest in view, not a minimum")
                                        + "<br>(%{x:.4g}, %{y:.4g})<extra></extra>"})
    gone = [(p, k) for p, k in zip(paths, left, strict=True) if p.diverged_step >= 0]
    if gone:
        # at the last good point, or where the path left the map (``stopped_at_edge``: its last
        # good point can be thousands of map-widths away)
        last = np.array([p.points[min(p.diverged_step, p.steps)] for p, _ in gone])
        static.append({"type": "scatter", "mode": "markers", "name": "diverged",
                       "x": round_sig(last[:, 0]), "y": round_sig(last[:, 1]),
                       "customdata": [[p.label, p.diverged_step,
                                       "" if k is None else f"; it left the map here at step {k}"]
                                      for p, k in gone],
                       "marker": {**DIVERGED_MARKER, "color": [p.color for p, _ in gone]},
                       "cliponaxis": False,  # a ✕ on the edge is drawn whole
                       "hovertemplate": "%{customdata[0]} diverged at step %{customdata[1]}"
                                        "%{customdata[2]}<extra></extra>", "showlegend": False})

    away = [(p, k, end) for p, k, end in zip(paths, left, ends, strict=True)
            if k is not None and p.diverged_step < 0]
    if away:
        static.append(left_map_trace(away, grid.domain, pb.digits, aspect))

    # The labels of start, minima and the lowest point go to the layout, over every trace; their
    # traces say so (``LABELLED``: small multiples drop the labels and shrink those markers).
    labels = []
    for t in static:
        if t.get("mode") == "markers+text":
            labels += label_annotations(t)
            t["mode"], t["meta"] = "markers", LABELLED
            for k in ("textposition", "textfont"):
                t.pop(k, None)

    legend = [t["name"] for t in static if t.get("showlegend")]
    if height is None:
        height = race_height(aspect, legend, pb.plot_width, len(series), axis_px)
    # The colour bar is placed from the figure's top, so it waits for the height.
    static.insert(0, colorbar_trace(grid, top=1 - MODEBAR_PX / height))

    # the frame the map opens at: the last, or the step asked (``Playback.open_at``)
    k_open = len(steps) - 1 if open_step is None else int(np.searchsorted(steps, open_step))
    rounded = [_Rounded(p, pb.digits, pb.arrows, arrow_len, r, grid.domain)
               for p, r in zip(paths, runs, strict=True)]
    clocks = [_clip(steps, p.steps) for p in paths]
    # Trails keep the points that draw each path's shape (to within ~1 px), on the points left
    # after merging sub-pixel repeats (a converged path collapses to a few).
    tol = length / 1000
    per_path = []
    for p, r, st, run in zip(paths, rounded, clocks, runs, strict=True):
        firsts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
        # a jumper's trail is its finds, every one (a line's shape would drop some)
        shape = firsts if p.name in JUMPERS else firsts[shape_indices(p.points[firsts],
                                                                      pb.trail_points, tol)]
        shape = np.union1d(shape, [p.steps])  # the end, even inside a merged run
        per_path.append(r.frames(st, trail_indices(st, shape)))
    now = [st.tolist() for st in clocks]
    at = np.stack([p.points[c] for p, c in zip(paths, clocks, strict=True)], axis=1)  # (K, n, 2)
    # A diverged walker's dot goes out at the step it diverged: its ✕ marks the spot (under the
    # dot it was half hidden), and it no longer widens the rings of the dots around it.
    gone_from = np.array([p.diverged_step if p.diverged_step >= 0 else np.inf for p in paths])
    out = np.stack(clocks, axis=1) >= gone_from  # (K, n), as ``at``
    sizes = stacked_sizes(np.where(out[..., None], np.nan, at), length / 80)  # ~10 px apart
    sizes[out] = 0
    stacked = bool(np.any(sizes != DOT))  # else every frame keeps the trace's one size

    panels = _Panels(paths, series, gone_from, pb.plot_width)

    def frame_data(k: int) -> list[dict[str, Any]]:
        """Frame k: every trail (and arrows), the step counter, one trace holding all current
        positions, then each panel's dots."""
        out = [d for frames in per_path for d in frames[k]]
        if pb.counter:
            out.append({"text": [f"step {int(steps[k])}"]})
        out.append({"x": [r.x[s[k]] for r, s in zip(rounded, now, strict=True)],
                    "y": [r.y[s[k]] for r, s in zip(rounded, now, strict=True)],
                    **({"marker": {"size": sizes[k].tolist()}} if stacked else {})})
        return out + panels.dots([s[k] for s in now])

    last = frame_data(k_open)
    last = last[:len(last) - len(series)]  # the map's part
    per = 3 if pb.arrows else 1
    moving: list[dict[str, Any]] = []
    for i, p in enumerate(paths):
        moving += _moving_traces(p, last[per * i: per * (i + 1)], pb.arrows)
    if pb.counter:
        marked = [m.point for m in minima] + [p for p in (start, lowest) if p is not None]
        high = _map_px(aspect, pb.plot_width)
        moving.append(_counter_trace(counter_corner(grid.domain, marked,
                                                    map_px or (high / aspect, high)),
                                     last[-2]["text"]))
    # One trace for all current positions (fewer traces make every frame cheaper in Plotly),
    # drawn last: the dots stay over the counter. Outlined in ink: the minima lie in the map's
    # palest tones, where orange and sky blue were ~2:1 and a white outline vanished (an
    # accessibility review).
    moving.append({"type": "scatter", "mode": "markers", "name": "current position",
                   "showlegend": False, "hoverinfo": "skip", "meta": "current",
                   **last[-1], "marker": {"color": [p.color for p in paths],
                                          "symbol": [p.symbol for p in paths],
                                          "size": sizes[k_open].tolist() if stacked else DOT,
                                          "line": {"color": INK, "width": 1.5}}})
    n_map = len(static) + len(moving)
    lines, dots = panels.traces([s[k_open] for s in now])
    moving_idx = [*range(len(static), n_map),
                  *range(n_map + len(lines), n_map + len(lines) + len(dots))]
    # A clickable map's frames also replot its static traces, unchanged ({}): after frames
    # without them Plotly drops clicks on the map until a full redraw (see ``_controls``).
    replot = list(range(len(static))) if pick_grid else []
    frames = [{"name": str(k), "data": frame_data(k) + [{}] * len(replot),
               "traces": moving_idx + replot}
              for k in range(len(steps))]

    layout = base_layout(height)
    one_scale = {"scaleanchor": "x", "scaleratio": 1} if equal else {}
    title_x, title_y = titled_axes(titles)
    layout.update({
        # A map narrower than its area keeps to the left, under the legend and the buttons.
        "xaxis": {"range": [x0, x1], "autorange": False, "showgrid": False, "zeroline": False,
                  "constrain": "domain", "constraintoward": "left", **MAP_XAXIS, **title_x},
        # A plot narrower than DESIGN_WIDTH shrinks the map: it stays under the legend and the
        # Play buttons, and the blank band falls between the map and the step slider.
        "yaxis": {"range": [y0, y1], "autorange": False, "showgrid": False, "zeroline": False,
                  "constrain": "domain", "constraintoward": "top", **one_scale, **title_y},
        "images": [background or background_image(grid)], "hovermode": "closest",
        "annotations": labels,
        "dragmode": "pan", "uirevision": "race",
        # Colour bar (at the top of the figure), then the legend, across the full width: the
        # legend at the right (x = 1.02) took half a 1000 px column and left a phone a
        # stamp-sized map. Plotly wraps a horizontal legend and grows the top margin to fit it.
        "margin": {"l": margin_l, "r": MARGIN_R, "t": 12, "b": CONTROLS_PX + axis_px},
        # traceorder "normal": a legend group (the minima) would stack its entries in a column.
        # Placed from the figure's top (under the colour bar), Plotly reserves its rows above the
        # plot area, so the buttons at the plot's top sit under it at any width.
        "legend": {"orientation": "h", "x": 0.0, "xanchor": "left", "yref": "container",
                   "y": 1 - COLORBAR_PX / height, "yanchor": "top", "traceorder": "normal",
                   "font": {"size": 12},
                   "itemsizing": "constant", "bgcolor": CLEAR},
        **_controls(steps, marks, pb, k_open, margin_l, axis_px),
    })
    if series and (share := panels_beside(aspect, pb.plot_width, len(series))):
        panels.beside(layout, height - _above_px(legend, pb.plot_width) - CONTROLS_PX - axis_px,
                      share)
    elif series:
        under = legend_under(pb.plot_width, len(series))
        panels.place(layout, height - _above_px(legend, pb.plot_width, under) - CURVES_BOTTOM_PX,
                     _under_px(legend, pb.plot_width, under), axis_px)
    return SpecFigure({"data": static + moving + lines + dots, "layout": layout,
                       "frames": frames})


#: A map whose axes are not to one scale (``equal_scales``) is drawn this times as high as wide.
STRETCHED_ASPECT = 0.6
#: How far inside the edge (a fraction of the map's width) a left-the-map arrow's tip (Plotly
#: anchors an arrow marker at its tip) sits: beside the stopped dot, which hid one drawn under it.
LEFT_MAP_INSET = 0.02


def left_map_trace(away: Sequence[tuple[PathView, int, tuple[np.ndarray, float]]],
                   domain: Domain, digits: int, aspect: float) -> dict[str, Any]:
    """An arrow where each path in ``away`` (its view, the step it left the map for good, and its
    true end point and loss) crossed the edge, pointing the way it went on a plot ``aspect``
    times as high as wide (``race_figure``'s): its dot stops at the
    edge (``stopped_at_edge``) while its loss curve goes on, which a review read as a walker
    stuck on the edge. The hover says where the path ends."""
    (x0, x1), (y0, y1) = domain
    # data to fractions of the plot's width: the plot is ``aspect`` times as high as wide
    to_width = np.array([1.0 / (x1 - x0), aspect / (y1 - y0)])
    edge = np.array([p.points[k] for p, k, _ in away], float)
    before = np.array([p.points[k - 1] if k > 0 else p.points[k] for p, k, _ in away], float)
    # the way it went on the screen; the arrow points there from inside the map
    d = (edge - before) * to_width
    d /= np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-12)[:, None]
    at = edge - LEFT_MAP_INSET * d / to_width
    angle = np.degrees(np.arctan2(d[:, 0], d[:, 1]))  # clockwise from up, as Plotly turns it
    return {"type": "scatter", "mode": "markers", "name": "left the map",
            "x": round_sig(at[:, 0], digits), "y": round_sig(at[:, 1], digits),
            "marker": {**LEFT_MAP_MARKER, "angle": np.round(angle, 1).tolist(),
                       "color": [p.color for p, _, _ in away]},
            "cliponaxis": False, "showlegend": False,
            "customdata": [[p.label, k, *round_sig(np.asarray(end[0], float)[:2], 4),
                            *round_sig([end[1]], 4)] for p, k, end in away],
            "hovertemplate": "%{customdata[0]} left the map here at step %{customdata[1]}; "
                             "it ends off the map at (%{customdata[2]}, %{customdata[3]}), "
                             "loss %{customdata[4]}<extra></extra>"}


def legend_rows(names: Sequence[str], width: int = DESIGN_WIDTH) -> int:
    """Rows of a horizontal legend of ``names`` on a ``width`` px plot (``legend_size``, with the
    race's 12 px entries), at least one."""
    return max(1, legend_size(names, width, LEGEND_ITEM_PX, LEGEND_CHAR_PX)[0])


def curves_px(panels: int, width: int = DESIGN_WIDTH) -> int:
    """Height (px) of ``panels`` curve panels with their titles on a ``width`` px plot: one row
    side by side, or stacked on a narrow plot (``PANELS_SIDE_BY_SIDE``)."""
    if panels <= 0:
        return 0
    rows = panels if width < PANELS_SIDE_BY_SIDE else 1
    curve = PHONE_CURVE_PX if width < PANELS_SIDE_BY_SIDE else CURVE_PX
    return rows * (CURVE_TITLE_PX + curve) + (rows - 1) * CURVE_VGAP_PX


def legend_under(width: int, panels: int) -> bool:
    """Whether the legend goes under the map and its slider (over the curve panels) rather than
    over it: on a plot as narrow as a phone's, where it is one entry a row. Over the map, a
    race's eight rows pushed the map half below a phone's first screen."""
    return panels > 0 and width < PANELS_SIDE_BY_SIDE


def _legend_px(legend: Sequence[str], width: int) -> float:
    """Pixels of the legend's rows and the gap after them."""
    return LEGEND_ROW_PX * legend_rows(legend, width) + LEGEND_PAD_PX


def _under_px(legend: Sequence[str], width: int, under: bool) -> float:
    """Pixels the legend adds under the slider: its rows (``_legend_px``) less the blank bottom
    of the slider's row that its first row tucks into; none unless ``under``."""
    return _legend_px(legend, width) - LEGEND_TUCK_PX if under else 0.0


def buttons_px(width: int) -> int:
    """Pixels of the Play buttons' row over a ``width`` px plot: a narrow one's buttons are a
    finger's size (``TOUCH_BUTTONS_PX``)."""
    return TOUCH_BUTTONS_PX if width < PANELS_SIDE_BY_SIDE else BUTTONS_PX


def _above_px(legend: Sequence[str], width: int, under: bool = False) -> float:
    """Pixels over the plot area: colour bar, legend rows (unless ``under``) and the Play
    buttons (``buttons_px``)."""
    return COLORBAR_PX + (0.0 if under else _legend_px(legend, width)) + buttons_px(width)


def _map_px(ratio: float, width: int) -> float:
    """The map's height on a ``width`` px plot (``race_height``)."""
    return float(np.clip(ratio * width, MAP_PX[0] * width / DESIGN_WIDTH, MAP_PX[1]))


def panels_beside(ratio: float, width: int, panels: int) -> float:
    """The share of a ``width`` px plot's width that a map of height / width ``ratio`` takes
    when its ``panels`` curve panels go beside it, stacked over its height, or 0.0 where they go
    under it: beside a map that leaves ``SIDE_PANELS_PX`` of the plot (a square map is 460 px of
    a laptop's 800), whose panels were a scroll away under it, beside a blank band."""
    if panels <= 0 or width < PANELS_SIDE_BY_SIDE:
        return 0.0
    share = _map_px(ratio, width) / ratio / width
    return share if width * (1 - share) >= SIDE_PANELS_PX else 0.0


def curves_beside(layout: Mapping[str, Any]) -> bool:
    """Whether a race figure's ``layout`` put its curve panels beside the map rather than under
    it: the first panel's x axis (``xaxis2``) starts right of the map's (read off the figure, so
    a caption never decides it on its own)."""
    panel = layout.get("xaxis2")
    map_right = layout["xaxis"].get("domain", (0.0, 1.0))[1]
    return bool(panel) and panel.get("domain", (0.0, 1.0))[0] >= map_right


def race_height(ratio: float, legend: Sequence[str], width: int = DESIGN_WIDTH,
                panels: int = 0, axis_px: int = 0) -> int:
    """Figure height for a map of height / width ``ratio`` on a ``width`` px plot (at most
    ``MAP_PX[1]`` high, at least ``MAP_PX[0]`` scaled to the width), under the colour bar, a
    legend of ``legend`` entries and the Play buttons, over the step slider. The server cannot
    know the plot's width: a narrower one shows the map smaller, with a blank band between it
    and the slider (the legend's extra rows there take part of that band), so a phone asks for
    ``PHONE_WIDTH``. ``panels``: curve panels under the slider (``curves_px``), and their step
    axis (none beside the map: ``panels_beside``). ``axis_px``: an x axis title's row over the
    slider (``AXIS_TITLE_PX``)."""
    map_px = _map_px(ratio, width)
    under = legend_under(width, panels)
    below = (curves_px(panels, width) + CURVES_BOTTOM_PX
             if panels and not panels_beside(ratio, width, panels) else 0)
    return int(_above_px(legend, width, under) + map_px + CONTROLS_PX + axis_px + below
               + _under_px(legend, width, under))


def stacked_sizes(at: np.ndarray, near: float, dot: int = DOT, ring: int = RING) -> np.ndarray:
    """Marker sizes (K, n) of n dots per frame at ``at`` (K, n, 2), drawn in order (later on
    top): each dot is ``ring`` px wider for every later dot within ``near`` of it, so racers that
    stand on one spot show as concentric rings, not one dot hiding the others."""
    with np.errstate(invalid="ignore"):
        d = np.hypot(*np.moveaxis(at[:, :, None, :] - at[:, None, :, :], -1, 0))  # (K, n, n)
    later = np.triu(np.ones(at.shape[1:2] * 2, dtype=bool), k=1)  # j > i
    return dot + ring * np.sum((d < near) & later, axis=2)


def _clip(steps: np.ndarray, n: int) -> np.ndarray:
    """Frame steps for a path shorter than the race (all paths share the frame clock)."""
    return np.minimum(steps, n)

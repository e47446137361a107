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

The figure's size arithmetic is ``viz.race_layout``; its Play buttons, step slider and frame steps
``viz.playback``; the minima, labels, step counter and left-the-map arrows ``viz.map_labels``; its
curve panels ``viz.race_panels``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from landscape.base import diagonal, inside
from viz.background import Domain, Grid, background_image, colorbar_trace, pick_grid_trace
from viz.curves import Series
from viz.map_labels import (
    LABELLED,
    MinimumLike,
    counter_corner,
    counter_trace,
    inward,
    label_annotations,
    left_map_trace,
    minima_traces,
)
from viz.numbers import round_sig
from viz.paths import PathView, on_map, shape_indices, stopped_at_edge, trail_indices
from viz.playback import Playback, playback_controls, race_frame_steps
from viz.race_layout import (
    AXIS_TITLE_PX,
    COLORBAR_PX,
    CONTROLS_PX,
    CURVES_BOTTOM_PX,
    MARGIN_L,
    MARGIN_R,
    above_map_px,
    axis_titles,
    equal_scales,
    legend_under,
    map_aspect,
    map_plot_px,
    panels_beside,
    race_height,
    titled_axes,
    titled_width,
    under_map_px,
)
from viz.race_panels import CurvePanels
from viz.spec import SpecFigure
from viz.style import (
    CLEAR,
    DIVERGED_MARKER,
    INK,
    JUMPERS,
    LOWEST_IN_VIEW,
    MAP_XAXIS,
    MODEBAR_PX,
    START_MARKER,
    base_layout,
    rgba,
)

DOT, RING = 13, 6  # current-position dot size; a ring's extra size per racer on the same spot


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


def race_figure(grid: Grid, paths: Sequence[PathView], minima: Sequence[MinimumLike],
                objective: Any, start: tuple[float, float] | None = None,
                playback: Playback | None = None, height: int | None = None,
                pick_grid: bool = True, background: dict[str, Any] | None = None,
                lowest: tuple[float, float] | None = None,
                lowest_label: str = "", series: Sequence[Series] = (),
                named_minima: Collection[int] = (),
                map_px: tuple[float, float] | None = None) -> SpecFigure:
    """The animated race map. The initial view shows the final state; Play starts at step 0, and
    after Pause it resumes where it stopped (``playback_controls``).

    ``series`` (``viz.curves.loss_series``, ``distance_series``): per-step curves drawn in panels
    under the step slider, a dot per path on each moving with the map (``CurvePanels``). The map's
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

    panels = CurvePanels(paths, series, gone_from, pb.plot_width)

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
        high = map_plot_px(aspect, pb.plot_width)
        moving.append(counter_trace(counter_corner(grid.domain, marked,
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
    # without them Plotly drops clicks on the map until a full redraw (see ``playback_controls``).
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
        **playback_controls(steps, marks, pb, k_open, margin_l, axis_px),
    })
    if series and (share := panels_beside(aspect, pb.plot_width, len(series))):
        panels.beside(layout, height - above_map_px(legend, pb.plot_width) - CONTROLS_PX - axis_px,
                      share)
    elif series:
        under = legend_under(pb.plot_width, len(series))
        panels.place(layout, height - above_map_px(legend, pb.plot_width, under) - CURVES_BOTTOM_PX,
                     under_map_px(legend, pb.plot_width, under), axis_px)
    return SpecFigure({"data": static + moving + lines + dots, "layout": layout,
                       "frames": frames})


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

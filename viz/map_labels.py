"""What a map marks and names besides its paths: the minima (``minima_traces``: gold stars and
hollow diamonds), their labels kept inside the map and clear of each other (``inward``,
``apart``) and drawn as layout annotations over every trace (``label_annotations``), the
step counter hung in a free corner (``counter_corner``), and an arrow where a path left the map
(``left_map_trace``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol

import numpy as np

from viz.background import Domain
from viz.numbers import round_sig
from viz.paths import PathView
from viz.race_layout import MAP_PX
from viz.style import INK, LEFT_MAP_MARKER, MINIMUM_GLOBAL, MINIMUM_LOCAL


class MinimumLike(Protocol):
    point: tuple[float, float]
    value: float
    is_global: bool
    label: str


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


def counter_trace(at: tuple[float, float, str], text: list[str]) -> dict[str, Any]:
    """The step the frame shows, hung inside a corner of the map (``counter_corner``): the
    slider under the map reads it only at its marks, and a laptop has scrolled it out of view
    while it watches the map. Dark text on a light halo reads on any colour of the surface."""
    x, y, position = at
    return {"type": "scatter", "mode": "text", "name": "step", "x": [x], "y": [y],
            "text": text, "textposition": position, "showlegend": False,
            "hoverinfo": "skip", "meta": "step",
            "textfont": {"size": 13, "color": INK, "shadow": "auto"}}


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

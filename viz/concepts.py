"""Small figures for the concepts tour: one idea each, built from plain arrays (no Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from viz.background import Grid, background_image, color_levels
from viz.map_labels import MinimumLike, minima_traces
from viz.paths import edge_crossing, first_step_off_map
from viz.race_layout import equal_scales
from viz.style import (
    CLEAR,
    COLORSCALE,
    INK,
    MAP_XAXIS,
    START_MARKER,
    base_layout,
    log_axis,
    optimizer_color,
    rgba,
    scroll_strip,
)
from viz.sweep import NEUTRAL

SMALL = 360
#: Room around the map in the 3D altitude figure, as a fraction of its width.
EDGE_ROOM = 0.02


#: How much farther a phone's camera stands: at a ~400 px figure's distance, a 358 px phone
#: figure cut the z-axis title at its left edge (1.25 until the scene left its right
#: ``viz.style.SCROLL_STRIP`` to the page).
PHONE_EYE = 1.6


def altitude_figure(grid: Grid, points: np.ndarray, losses: np.ndarray, step: int,
                    color: str, height: int = 460, phone: bool = False) -> go.Figure:
    """Loss as altitude: the surface in 3D and a walker standing at ``step`` of its path.

    The surface is drawn on the same colour scale as the 2D maps (log of the gap where the range is
    wide); the walker's height is its loss, so "going down" is literal. The axes keep the map's
    own domain: a walker that leaves it is drawn up to the edge, where it crossed, and stays there
    (a hollow marker), so one huge step cannot shrink the surface to a sliver.
    """
    t, lo, hi = color_levels(grid)
    points = np.asarray(points, float)
    step = int(np.clip(step, 0, len(points) - 1))
    zt = _to_height(grid, np.asarray(losses, float))
    left = first_step_off_map(points, grid.domain)
    shown = step + 1 if left is None else min(step + 1, left)
    xs, ys, zs = points[:shown, 0], points[:shown, 1], zt[:shown]
    off = left is not None and step >= left
    if off and left > 0:
        edge = edge_crossing(points[left - 1], points[left], grid.domain)
        xs, ys = np.append(xs, edge[0]), np.append(ys, edge[1])
        # on the surface where it crossed the edge, lifted a little so it is not hidden
        zs = np.append(zs, _height_on_grid(grid, t, edge) + 0.02 * (hi - lo))
    fig = go.Figure()
    fig.add_trace(go.Surface(
        x=grid.x, y=grid.y, z=t, cmin=lo, cmax=hi, colorscale=[list(s) for s in COLORSCALE],
        showscale=False, opacity=0.95, name="loss surface", hoverinfo="skip",
        contours={"z": {"show": True, "usecolormap": True, "project": {"z": True}}},
    ))
    fig.add_trace(go.Scatter3d(
        x=xs, y=ys, z=zs, mode="lines",
        line={"color": color, "width": 6}, name="path so far", hoverinfo="skip",
    ))
    if off:
        walker = {"name": f"walker: left the map at step {left}",
                  # hollow: a plain circle (gl3d draws "x" and "cross" as glyphs some fonts lack)
                  "marker": {"size": 8, "color": "#FFFFFF", "line": {"color": color, "width": 3}},
                  "hovertemplate": f"left the map at step {left}<extra></extra>"}
    else:
        walker = {"name": f"walker at step {step}", "customdata": [losses[step]],
                  "marker": {"size": 7, "color": color, "line": {"color": "#FFFFFF", "width": 2}},
                  "hovertemplate": f"step {step}<br>loss %{{customdata:.4g}}<extra></extra>"}
    if len(xs):
        fig.add_trace(go.Scatter3d(x=xs[-1:], y=ys[-1:], z=zs[-1:], mode="markers", **walker))
    # the map's own domain, with a hair of room so a walker stopped on the edge is not cut off
    (x0, x1), (y0, y1) = grid.domain
    px, py = EDGE_ROOM * (x1 - x0), EDGE_ROOM * (y1 - y0)
    fig.update_layout(**base_layout(height))
    # At most 5 ticks a side, 4 up: a tick every unit ran the y and z labels into each
    # other at the box's near corner ("−1.5" on "4 3") in a ~400 px figure.
    scene = {"xaxis": {"title": {"text": "x"}, "range": [x0 - px, x1 + px], "nticks": 5},
             "yaxis": {"title": {"text": "y"}, "range": [y0 - py, y1 + py], "nticks": 5},
             "zaxis": {"title": {"text": "altitude: log10(1 + f − f*)" if grid.log_scale
                                 else "altitude (loss)"}, "nticks": 4},
             "camera": {"eye": {k: v * (PHONE_EYE if phone else 1.0) for k, v in
                                side_view(np.column_stack([xs, ys]), grid.domain).items()}},
             "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.6}}
    if phone:  # a strip on the right where a swipe scrolls the page, not the scene
        scene, note = scroll_strip(scene)
        fig.add_annotation(**note)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 30, "b": 0}, scene=scene)
    return fig


def _height_on_grid(grid: Grid, t: np.ndarray, xy: np.ndarray) -> float:
    """The drawn surface's height ``t`` at ``xy`` (bilinear between grid nodes)."""
    fx = float(np.interp(xy[0], grid.x, np.arange(len(grid.x))))
    fy = float(np.interp(xy[1], grid.y, np.arange(len(grid.y))))
    j, i = min(int(fx), len(grid.x) - 2), min(int(fy), len(grid.y) - 2)
    wx, wy = fx - j, fy - i
    cell = t[i : i + 2, j : j + 2]
    return float((1 - wy) * ((1 - wx) * cell[0, 0] + wx * cell[0, 1])
                 + wy * ((1 - wx) * cell[1, 0] + wx * cell[1, 1]))


def side_view(points: np.ndarray, domain: Any) -> dict[str, float]:
    """A camera eye that looks at the path from the side (perpendicular to its overall direction in
    the plane, normalised by the domain), so "going down" is seen, not foreshortened."""
    (x0, x1), (y0, y1) = domain
    pts = np.asarray(points, float)
    finite = pts[np.all(np.isfinite(pts), axis=1)]
    d = (finite[-1] - finite[0]) / [x1 - x0, y1 - y0] if len(finite) > 1 else np.zeros(2)
    if not np.any(d):
        d = np.array([1.0, 0.0])
    side = np.array([d[1], -d[0]]) / np.hypot(*d)
    if side[1] > 0:  # prefer looking from the front (negative y), as Plotly's default does
        side = -side
    # 2.15 / 1.25 (Plotly's default eye is ~2.2 away): far enough that the z-axis title, drawn
    # beside the box, stays inside the scene on a ~400 px wide figure (at 1.9 / 1.1 it was cut)
    return {"x": float(2.15 * side[0]), "y": float(2.15 * side[1]), "z": 1.25}


def _to_height(grid: Grid, losses: np.ndarray) -> np.ndarray:
    """Map losses onto the surface's plotted height (log10(1 + gap) on log surfaces)."""
    if not grid.log_scale:
        return losses
    with np.errstate(invalid="ignore"):
        return np.log10(1.0 + np.maximum(losses - grid.z_floor, 0.0))


def map_figure(grid: Grid, paths: Sequence[dict[str, Any]], minima: Sequence[MinimumLike],
               start: tuple[float, float] | None = None, height: int = SMALL) -> go.Figure:
    """A static 2D map with a few paths (or visited points): ``paths`` are dicts with
    ``optimizer``, ``label``, ``points`` (N, 2) and optional ``mode`` ("lines+markers" default),
    ``color``, ``dash``, ``opacity`` and the markers' ``size`` and ``symbol``."""
    (x0, x1), (y0, y1) = grid.domain
    fig = go.Figure()
    for p in paths:
        color = p.get("color") or optimizer_color(p["optimizer"])
        pts = np.asarray(p["points"], float)
        fig.add_trace(go.Scatter(
            x=pts[:, 0], y=pts[:, 1], mode=p.get("mode", "lines+markers"), name=p["label"],
            line={"color": color, "width": 2, "dash": p.get("dash", "solid")},
            marker={"size": p.get("size", 4), "color": color,
                    "symbol": p.get("symbol", "circle")},
            opacity=p.get("opacity", 1.0),
            hovertemplate="(%{x:.3g}, %{y:.3g})<extra>" + p["label"] + "</extra>",
        ))
    if start is not None:
        fig.add_trace(go.Scatter(x=[start[0]], y=[start[1]], mode="markers", name="start",
                                 marker=START_MARKER, showlegend=False))
    for t in minima_traces(minima, show_text=False):
        fig.add_trace(go.Scatter(**{**t, "showlegend": False}))
    fig.update_layout(**base_layout(height))
    fig.update_layout(
        images=[background_image(grid)], margin={"l": 40, "r": 10, "t": 40, "b": 35},
        xaxis={"range": [x0, x1], "autorange": False, "showgrid": False, "zeroline": False,
               **MAP_XAXIS},
        yaxis={"range": [y0, y1], "autorange": False, "showgrid": False, "zeroline": False,
               # one scale on both axes (a narrow column drew round bowls as ellipses, and
               # gradients no longer crossed the contours at right angles)
               **({"scaleanchor": "x", "scaleratio": 1, "constrain": "domain"}
                  if equal_scales(grid.domain) else {})},
        legend={"font": {"size": 11}},
    )
    return fig


def curves_figure(curves: Sequence[dict[str, Any]], x_title: str, y_title: str,
                  log_y: bool = True, vlines: Sequence[tuple[float, str]] = (),
                  shade_every: float | None = None, height: int = SMALL,
                  note: str = "") -> go.Figure:
    """Lines per optimizer: ``curves`` are dicts with ``optimizer``, ``label``, ``x``, ``y`` and
    optional ``color``, ``dash``, ``width``, ``opacity``, ``legend`` (False: no legend entry) and
    ``end_marker`` (a dot on the last point). ``vlines`` mark events (x, text); ``shade_every``
    shades alternate bands of that width (epochs); ``note`` is written at the top of the plot.
    The legend shows even for a single line, so every figure says what it draws."""
    fig = go.Figure()
    for c in curves:
        y = np.asarray(c["y"], float)
        if log_y:
            with np.errstate(invalid="ignore"):
                y = np.where(np.isfinite(y), np.maximum(y, 1e-16), np.nan)
        color = c.get("color") or optimizer_color(c["optimizer"])
        # a dot on the last point only: sizes 0 elsewhere
        end = {"marker": {"color": color, "size": [0] * (len(y) - 1) + [9]}} if c.get(
            "end_marker") else {}
        fig.add_trace(go.Scatter(
            x=c["x"], y=y, mode="lines+markers" if end else "lines", name=c["label"],
            line={"color": color, "width": c.get("width", 2), "dash": c.get("dash", "solid")},
            opacity=c.get("opacity", 1.0), showlegend=c.get("legend", True),
            hovertemplate=x_title + " %{x:.4g}<br>" + y_title + " %{y:.3g}<extra>"
            + c["label"] + "</extra>", **end,
        ))
    for x, text in vlines:
        fig.add_vline(x=x, line={"dash": "dash", "color": NEUTRAL},
                      annotation_text=text, annotation_position="bottom right")
    if shade_every and curves:
        # Shape dicts in one update: Plotly's add_vrect took ~15 ms a band (0.45 s of the tour's
        # 0.8 s rerun for 30 epochs).
        x_max = max(float(np.max(c["x"])) for c in curves)
        bands = range(1, min(int(np.ceil(x_max / shade_every)), 400), 2)
        fig.update_layout(shapes=[*fig.layout.shapes, *(
            {"type": "rect", "xref": "x", "yref": "paper", "x0": k * shade_every,
             "x1": min((k + 1) * shade_every, x_max), "y0": 0, "y1": 1,
             "fillcolor": rgba("#7C93BF", 0.12), "line": {"width": 0}, "layer": "below"}
            for k in bands)])
    fig.update_layout(**base_layout(height))
    fig.update_layout(margin={"l": 50, "r": 10, "t": 40, "b": 40}, legend={"font": {"size": 11}},
                      showlegend=True)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title,
                     **(log_axis([t.y for t in fig.data if t.y is not None]) if log_y
                        else {"type": "linear", "exponentformat": "power"}))
    _note(fig, note)
    return fig


def _note(fig: go.Figure, note: str) -> None:
    """Write ``note`` (if any) centred at the top of the plot area."""
    if note:
        fig.add_annotation(text=note, x=0.5, y=1, xref="paper", yref="paper", xanchor="center",
                           yanchor="top", showarrow=False, font={"size": 12})


def stride_figure(xs: np.ndarray, fx: np.ndarray, iterates: np.ndarray, f_iterates: np.ndarray,
                  optimizer: str, label: str, height: int = SMALL, note: str = "") -> go.Figure:
    """Learning rate as stride, in 1D: the curve f(x) and the hops x_0 -> x_1 -> ... of descent.

    Each hop is an arrow from (x_k, f(x_k)) to (x_{k+1}, f(x_{k+1})): long hops = large stride.
    The axes span ``xs`` and the taller of the curve and the hops, so no hop is clipped; ``note``
    (e.g. how far the view zoomed out) is written at the top of the plot.
    """
    color = optimizer_color(optimizer)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=xs, y=fx, mode="lines", name="f(x)",
                             line={"color": "#555555", "width": 2}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=iterates, y=f_iterates, mode="lines+markers", name=label,
        line={"color": color, "width": 2}, customdata=np.arange(len(iterates)),
        marker={"size": 9, "color": color, "symbol": "arrow", "angleref": "previous"},
        hovertemplate="step %{customdata}<br>x %{x:.3g}<br>f %{y:.3g}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(x=[iterates[0]], y=[f_iterates[0]], mode="markers", name="start",
                             marker=START_MARKER, showlegend=False))
    lo, hi = float(np.min(fx)), max(float(np.max(fx)), float(np.max(f_iterates)))
    x_lo = min(float(xs[0]), float(np.min(iterates)))
    x_hi = max(float(xs[-1]), float(np.max(iterates)))
    fig.update_layout(**base_layout(height))
    fig.update_layout(margin={"l": 50, "r": 10, "t": 40, "b": 40},
                      xaxis={"range": [x_lo, x_hi], "title": {"text": "x"}},
                      yaxis={"range": [lo - 0.05 * (hi - lo), hi], "title": {"text": "loss"}})
    _note(fig, note)
    return fig


def plain_number(v: float, sig: int = 2) -> str:
    """A number for students: plain decimals down to 0.0001 ("0.0073", "0.31", "12"), a power of
    ten below that ("3.1×10⁻⁵"); never an SI suffix such as "300μ"."""
    v = float(v)
    if v == 0 or not np.isfinite(v):
        return "0" if v == 0 else str(v)
    if abs(v) >= 1e-4:
        return np.format_float_positional(v, precision=sig, unique=True, fractional=False,
                                          trim="-")
    mantissa, exponent = f"{v:.{sig - 1}e}".split("e")
    sup = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa}×10{sup}"


def _blame(grad_weight: np.ndarray, grad_bias: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Bar names and |dL/dw| of every weight and bias, class by class (w[c, j] ..., b[c])."""
    grad_weight, grad_bias = np.asarray(grad_weight, float), np.asarray(grad_bias, float)
    names, values = [], []
    for c in range(grad_weight.shape[0]):
        for j in range(grad_weight.shape[1]):
            names.append(f"w[{c},{j}]")
            values.append(abs(float(grad_weight[c, j])))
        names.append(f"b[{c}]")
        values.append(abs(float(grad_bias[c])))
    return names, np.asarray(values)


def backprop_figure(probs: np.ndarray, label: int, grad_logits: np.ndarray,
                    grad_weight: np.ndarray, grad_bias: np.ndarray,
                    height: int = SMALL,
                    before: tuple[np.ndarray, np.ndarray] | None = None) -> go.Figure:
    """Back-propagation as responsibility, for one example through a linear classifier.

    Left: softmax probabilities (the true class outlined; the loss is -log of its bar).
    Right: |dL/dw| for every weight and bias: the bigger the bar, the bigger its correction.

    ``before`` = (grad_weight, grad_bias) of the same example before training: drawn as outlines
    behind the bars, and it fixes the blame axis (0 to the larger of before and now), so the bars
    visibly shrink as the model learns instead of the axis rescaling to fit them. Each bar carries
    its value in plain decimals, so even a tiny blame can be read.
    """
    from plotly.subplots import make_subplots

    k = len(probs)
    classes = [f"class {c}" for c in range(k)]
    # Short titles on two lines at most: the long ones ran into each other on a phone.
    blame_title = "blame |∂loss/∂w|"
    if before is not None:
        blame_title += "<br><span style='font-size:11px'>grey: before training</span>"
    fig = make_subplots(rows=1, cols=2, column_widths=[0.4, 0.6], horizontal_spacing=0.12,
                        subplot_titles=("softmax p", blame_title))
    fig.add_trace(go.Bar(
        x=classes, y=probs, name="p(class)",
        marker={"color": ["#2E9E44" if c == label else "#BBBBBB" for c in range(k)],
                "line": {"color": INK, "width": [2.5 if c == label else 0 for c in range(k)]}},
        customdata=np.asarray(grad_logits), showlegend=False,
        hovertemplate="%{x}<br>p = %{y:.3f}<br>∂loss/∂logit = p − [true] = %{customdata:.3f}"
                      "<extra></extra>",
    ), row=1, col=1)
    names, values = _blame(grad_weight, grad_bias)
    top = float(np.max(values)) if values.size else 0.0
    if before is not None:
        _, old = _blame(*before)
        top = max(top, float(np.max(old)) if old.size else 0.0)
        fig.add_trace(go.Bar(
            x=names, y=old, name="before training", showlegend=False,
            marker={"color": CLEAR, "line": {"color": NEUTRAL, "width": 1.5}},
            customdata=[plain_number(v) for v in old],
            hovertemplate="%{x} before training: %{customdata}<extra></extra>",
        ), row=1, col=2)
    fig.add_trace(go.Bar(
        x=names, y=values, name="now", showlegend=False,
        marker={"color": [rgba("#D55E00", 0.85)] * len(values)},
        customdata=[plain_number(v) for v in values],
        hovertemplate="%{x}: %{customdata}<extra></extra>",
    ), row=1, col=2)
    # Each bar's value, written above the taller of the bar and its grey outline in the bar's
    # (darkened) orange: on a tiny bar inside its outline the label read as the outline's value
    # (a review). A clear bar of that height carries it.
    fig.add_trace(go.Bar(
        x=names, y=np.maximum(values, old) if before is not None else values, name="now, value",
        showlegend=False, marker={"color": CLEAR}, hoverinfo="skip",
        text=[plain_number(v) for v in values], textposition="outside", cliponaxis=False,
        textangle=-90, constraintext="none", textfont={"size": 10, "color": NOW_TEXT},
    ), row=1, col=2)
    top = top if np.isfinite(top) and top > 0 else 1.0
    # a little headroom above 1, so the top tick does not run into the subplot title
    fig.update_yaxes(range=[0, 1.1], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1], row=1, col=1)
    # fixed blame axis with room for the value labels; plain ticks, no SI suffixes ("300μ")
    fig.update_yaxes(range=[0, BLAME_HEADROOM * top], autorange=False, exponentformat="power",
                     row=1, col=2)
    fig.update_layout(**base_layout(height))
    fig.update_layout(margin={"l": 40, "r": 10, "t": 60, "b": 40}, bargap=0.25,
                      barmode="overlay")
    return fig


#: The blame values' text: the bars' orange darkened to 4.5:1 on white.
NOW_TEXT = "#A84A00"
#: The blame axis reaches this times the tallest bar or outline: room for its rotated value
#: (at 1.2 the tallest one's label touched the panel's subtitle).
BLAME_HEADROOM = 1.35


def layers_figure(layer_sizes: Sequence[int], layer_names: Sequence[str],
                  height: int = SMALL) -> go.Figure:
    """A fully connected network as a drawing: one column of neurons per layer, every neuron joined
    to every neuron of the next layer (the "fully connected" of the note). Hidden layers are
    drawn in the SGD colour so they stand out between the fixed input and output layers."""
    if len(layer_sizes) != len(layer_names) or len(layer_sizes) < 2:
        raise ValueError("need one name per layer and at least an input and an output layer")
    ys = [np.arange(n) - (n - 1) / 2 for n in layer_sizes]
    ex: list[float | None] = []
    ey: list[float | None] = []
    for k in range(len(layer_sizes) - 1):
        for a in ys[k]:
            for b in ys[k + 1]:
                ex += [k, k + 1, None]
                ey += [float(a), float(b), None]
    fig = go.Figure(go.Scatter(x=ex, y=ey, mode="lines", hoverinfo="skip", showlegend=False,
                               line={"color": rgba("#7C93BF", 0.55), "width": 1}))
    last = len(layer_sizes) - 1
    for k, (col, name) in enumerate(zip(ys, layer_names, strict=True)):
        hidden = 0 < k < last
        fig.add_trace(go.Scatter(
            x=np.full(len(col), k), y=col, mode="markers", name=name, showlegend=False,
            marker={"size": 18, "color": optimizer_color("sgd") if hidden else "#FFFFFF",
                    "line": {"color": INK, "width": 1.5}},
            hovertemplate=f"{name}<br>neuron %{{customdata}}<extra></extra>",
            customdata=np.arange(1, len(col) + 1)))
    top = max(len(c) for c in ys) / 2 + 0.3
    for k, name in enumerate(layer_names):
        fig.add_annotation(x=k, y=-top, text=name, showarrow=False, yanchor="top",
                           font={"size": 12})
    fig.update_layout(**base_layout(height))
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        xaxis={"visible": False, "range": [-0.5, last + 0.5]},
        yaxis={"visible": False, "range": [-top - 0.9, top]},
    )
    return fig

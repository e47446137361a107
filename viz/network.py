"""The neural network in training: decision boundaries + curves, and a drawing of the network.

Both figures are animated over epochs in the browser (Plotly frames, no server round trip) and
built as plain dicts (``viz.spec.SpecFigure``); frames carry only what moves:

- ``training_figure``: one decision-boundary panel per optimizer (heatmap of the predicted class
  and its confidence on a coarse grid, training points on top), then train/test loss and
  accuracy curves with a dot per optimizer at the current epoch. Frames carry the heatmaps'
  ``z`` (small integers), and in their layout the panel titles, the dots and the epoch cursor
  (shapes); heatmaps need ``redraw: true``, and a frame lists no scatter trace: Plotly plots
  those before the redraw and empties every panel without one meanwhile (``training_figure``).
- ``network_figure``: neurons as dots (colour = bias), every connection a line whose colour is
  the sign and size of its weight and whose width is the size of its gradient |dL/dw|, the
  weight's "responsibility" for the loss. Lines of equal look share one trace (2 signs x 3
  shades x 4 widths), so a frame re-sends only the line coordinates of each look and the biases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from viz.multiples import balanced_wrap
from viz.numbers import round_sig
from viz.playback import slider_frames
from viz.race_layout import BUTTONS_PX
from viz.spec import SpecFigure
from viz.style import (
    INK,
    LOG_AXIS,
    MODEBAR_PX,
    base_layout,
    legend_size,
    log_axis,
    rgba,
    text_color,
    ticks_125,
    touch_buttons,
)

#: Class colours (Vega's Tableau-like palette), pale versions paint the decision regions.
CLASS_COLORS: tuple[str, ...] = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#9D755D")
POSITIVE, NEGATIVE = "#2166AC", "#B2182B"
EDGE_WIDTHS: tuple[float, ...] = (0.5, 1.5, 3.0, 5.5)
EDGE_SHADES: tuple[float, ...] = (0.2, 0.5, 0.9)
MAX_NEURONS = 16
#: Diverging scale for signed numbers (weights, biases, activations, gradients): the edges'
#: colours, negative red through white to positive blue.
DIVERGING: tuple[tuple[float, str], ...] = ((0.0, "#B2182B"), (0.25, "#EF8A62"), (0.5, "#F7F7F7"),
                                            (0.75, "#67A9CF"), (1.0, "#2166AC"))


def class_color(c: int) -> str:
    return CLASS_COLORS[c % len(CLASS_COLORS)]


def _pale(color: str, amount: float) -> str:
    """``color`` mixed with white: amount 0 = white, 1 = the colour itself."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - amount * (255 - v)) for v in (r, g, b)]
    return "#" + "".join(f"{v:02X}" for v in mix)


@dataclass(frozen=True)
class Run:
    """What the training figure needs of one optimizer's run (see app_pages.common.network)."""

    name: str
    label: str
    color: str
    frames: np.ndarray  # (F,) epochs shown
    probs: np.ndarray  # (F, n, n, k) class probabilities on the grid
    step_epochs: np.ndarray
    step_loss: np.ndarray
    epoch_train_loss: np.ndarray
    epoch_test_loss: np.ndarray
    epoch_train_acc: np.ndarray
    epoch_test_acc: np.ndarray
    switch_epoch: float | None = None


def encode_classes(probs: np.ndarray) -> tuple[np.ndarray, int]:
    """Heatmap values (..., n, n) of int: 2 classes -> round(100 p_1) (0..100, smooth);
    k classes -> 100 c + round(99 confidence) with c = argmax and confidence = (p_max - 1/k) /
    (1 - 1/k), so one number carries the class and how sure the network is. Returns (z, zmax)."""
    k = probs.shape[-1]
    with np.errstate(invalid="ignore"):
        if k == 2:
            return np.rint(100 * np.nan_to_num(probs[..., 1], nan=0.5)).astype(int), 100
        c = probs.argmax(axis=-1)
        conf = (probs.max(axis=-1) - 1.0 / k) / (1.0 - 1.0 / k)
        conf = np.clip(np.nan_to_num(conf), 0.0, 1.0)
    return 100 * c + np.rint(99 * conf).astype(int), 100 * k - 1


def class_colorscale(k: int) -> list[list[Any]]:
    """Colour scale for ``encode_classes``: 2 classes diverge through white; k classes go from
    white to each class's pale colour within its own band of 100."""
    if k == 2:
        return [[0.0, _pale(class_color(0), 0.55)], [0.5, "#FFFFFF"],
                [1.0, _pale(class_color(1), 0.55)]]
    top = 100 * k - 1
    scale = []
    for c in range(k):
        scale += [[100 * c / top, _pale(class_color(c), 0.08)],
                  [min(1.0, (100 * c + 99) / top), _pale(class_color(c), 0.6)]]
    return scale


def _domains(n_panels: int, cols: int, rows: int, top: float, bottom: float, gap: float = 0.04,
             gap_y: float | None = None) -> list[tuple[list[float], list[float]]]:
    """x and y domains of a grid of panels filling [0, 1] x [bottom, top], row-major."""
    gap_y = gap if gap_y is None else gap_y
    w = (1.0 - gap * (cols - 1)) / cols
    h = (top - bottom - gap_y * (rows - 1)) / rows
    out = []
    for i in range(n_panels):
        r, c = divmod(i, cols)
        x0 = c * (w + gap)
        y1 = top - r * (h + gap_y)
        out.append(([round(x0, 4), round(x0 + w, 4)], [round(y1 - h, 4), round(y1, 4)]))
    return out


#: The Play/Pause row (the race's ``BUTTONS_PX``) sits above the drawing, as on the race: under
#: the figures, a laptop had to scroll past the decision panels to reach Play, and then watched
#: them animate off-screen. The bottom margin holds the epoch slider's rows (``_animation``: its
#: value, rail, ticks and labels take ~98 px; Plotly grew an 80 px margin to that) and, in the
#: training figure, room under them for the toolbar Streamlit shows over the top right of the
#: table below (44 px tall, 16 px under the figure: it covered the slider's labels 30 to 40).
SLIDER_PX, TOOLBAR_PX = 100, 32
CONTROLS_PX, LEGEND_PX = SLIDER_PX + TOOLBAR_PX, 30
#: Plotly's mode bar shows at the figure's top right (on hover, and on a phone after a tap):
#: MODEBAR_PX tall (``viz.style``), its left end MODEBAR_W_PX left of the plot's right end
#: (measured: 224 px of buttons). A legend that would reach under it starts below its row.
MODEBAR_W_PX = 215
#: A legend entry (12 px font) is LEGEND_ITEM_PX plus LEGEND_CHAR_PX per character wide
#: (measured: 119 px for "Adam (lr 0.01)", 228 px for 34 characters); rows are LEGEND_ROW_PX
#: apart. When they wrap, the rows are counted as if every entry were as wide as the widest.
LEGEND_ITEM_PX, LEGEND_CHAR_PX, LEGEND_ROW_PX = 42, 5.6, 20
#: The plot widths (px) the training figure's height is planned for; the server never learns
#: the real one. A laptop's: an 820 px figure (a 1280 px window, sidebar open) less its margins
#: (the left one holds the loss axis's title and ticks: Plotly widened 50 px to 78); a phone's:
#: a 390 px screen less Streamlit's 16 px paddings and the margins (its loss axis has no title:
#: the curve's own title says "Cross-entropy loss").
LAPTOP_MARGIN, PHONE_MARGIN = {"l": 80, "r": 20}, {"l": 46, "r": 16}
DESIGN_PLOT_PX, PHONE_PLOT_PX = 820 - 100, 358 - 62


def _axis(i: int) -> tuple[str, str]:
    """Layout keys and trace references of subplot i: ('xaxis2', 'x2')."""
    return ("xaxis" if i == 0 else f"xaxis{i + 1}"), ("x" if i == 0 else f"x{i + 1}")


#: A panel's title block: the optimizer's name (up to two lines) over the epoch and accuracies
#: (three smaller lines), each line at most TITLE_CHARS characters: a third of a narrow column
#: (a tablet's, a small window's) holds ~12. The whole label ("SGD (lr 0.1)") is in the legend.
#: A phone draws one panel a row, its title on lines of PHONE_TITLE_CHARS (name, detail).
TITLE_CHARS, PANEL_TITLE_PX = 12, 80
PHONE_TITLE_CHARS = (26, 40)
NAME_LINE_PX, DETAIL_LINE_PX = 18, 15  # a title's lines: the name (13 px bold), details (11 px)


def _title_lines(run: Run, f: int, chars: tuple[int, int]) -> tuple[list[str], list[str]]:
    e = int(run.frames[f])
    tr, te = run.epoch_train_acc[e], run.epoch_test_acc[e]
    return (balanced_wrap(run.label.split(" (lr ")[0], chars[0]),
            balanced_wrap(f"epoch {e}: train {tr:.0%}, test {te:.0%}", chars[1]))


def _panel_title(run: Run, f: int, chars: tuple[int, int] = (TITLE_CHARS, TITLE_CHARS)) -> str:
    name, detail = _title_lines(run, f, chars)
    return (f"<b><span style='color:{text_color(run.color)}'>{'<br>'.join(name)}</span></b><br>"
            f"<span style='font-size:11px'>{'<br>'.join(detail)}</span>")


def legend_rows(labels: Sequence[str], width: float) -> tuple[int, float]:
    """Rows and width (px) of a horizontal legend of ``labels`` on a ``width`` px plot
    (``legend_size``, with this figure's measured entries)."""
    return legend_size(labels, width, LEGEND_ITEM_PX, LEGEND_CHAR_PX)


def _animation(frame_ms: int, redraw: bool, labels: Sequence[str],
               phone: bool = False) -> dict[str, Any]:
    """Play/Pause buttons right above the plot area (the figure's top margin must hold them:
    ``BUTTONS_PX``; on a ``phone`` a finger's size, ``viz.style.touch_buttons``) and an epoch
    slider on its own full-width row under it (beside the buttons it
    sat under Pause on a phone; ``CONTROLS_PX``) for frames named by ``labels`` (epoch
    numbers): it offers the frames at round epochs (``viz.playback.slider_frames``), all
    labelled."""
    anim = {"frame": {"duration": frame_ms, "redraw": redraw}, "transition": {"duration": 0},
            "mode": "immediate", "fromcurrent": False}
    offered = slider_frames(np.array([int(lab) for lab in labels]))
    menu = {"type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "y": 1.0,
            "xanchor": "left", "yanchor": "bottom", "pad": {"b": 10, "r": 10},
            "buttons": [
                {"label": "▶ Play", "method": "animate", "args": [None, anim]},
                {"label": "❚❚ Pause", "method": "animate",
                 "args": [[None], {**anim, "frame": {"duration": 0, "redraw": redraw}}]},
            ]}
    return {
        "updatemenus": [touch_buttons(menu, BUTTONS_PX) if phone else menu],
        "sliders": [{
            "active": len(offered) - 1, "x": 0.0, "len": 1.0, "y": 0.0, "yanchor": "top",
            "pad": {"t": 20, "b": 0},
            # The panels name their epoch; over the slider, whose handle moves only at the
            # offered epochs, "epoch 5" stood beside panels at epoch 6.
            "currentvalue": {"visible": False},
            "steps": [{"label": labels[f], "method": "animate",
                       "args": [[labels[f]], {**anim, "frame": {"duration": 0, "redraw": redraw}}]}
                      for f in offered],
        }],
    }


#: The loss axis spans at least this many decades (log10 2: a factor 2), so noise stays small.
MIN_LOSS_DECADES = 0.30103


def loss_ticks(runs: Sequence[Run]) -> dict[str, Any]:
    """The log loss axis (``style.log_axis``), with 1-2-5 ticks written as plain numbers when the
    losses span more than a factor of 3 (Plotly's own log ticks crowd there)."""
    with np.errstate(all="ignore"):
        values = np.concatenate([np.r_[r.step_loss, r.epoch_test_loss] for r in runs])
        values = values[np.isfinite(values) & (values > 0)]
    if values.size and values.max() / values.min() < 3:
        # Plotly fits the axis to the values: a loss stuck at ln 2 +- 0.002 (no hidden layer on
        # XOR) filled the panel like a jagged fall. The view is at least a factor 2 tall.
        lo, hi = np.log10(values.min()), np.log10(values.max())
        half = max(MIN_LOSS_DECADES / 2, 0.55 * (hi - lo))
        return {**log_axis([values]), "range": [(lo + hi) / 2 - half, (lo + hi) / 2 + half],
                "autorange": False}
    if not values.size:
        return dict(LOG_AXIS)
    return {**LOG_AXIS, **ticks_125(float(values.min()), float(values.max()))}


#: The curve panels' epoch axes reach this share of the run past either end (~10 px on a laptop,
#: ~8 on a phone): a dot is 5 px in radius plus its white rim.
EPOCH_PAD = 0.03
#: What a frame changes of the moving shapes (``_epoch_marks``), by shape type.
MOVING_KEYS = {"line": ("x0", "x1"), "path": ("xanchor", "yanchor", "opacity")}
CURSOR_NAME = "epoch cursor"
#: A dot of radius 5 px (Plotly's marker size 10) around its anchor, as a path (four cubic
#: Beziers): a ``circle`` shape's pixel size is ``y0``/``y1``, and on a log axis Plotly turns a
#: negative one into ~0 (the loss dots came out flat, above their point).
DOT_PATH = ("M5,0C5,2.761 2.761,5 0,5C-2.761,5 -5,2.761 -5,0C-5,-2.761 -2.761,-5 0,-5"
            "C2.761,-5 5,-2.761 5,0Z")


def _epoch_marks(runs: Sequence[Run], e: int, lref: tuple[str, str], aref: tuple[str, str],
                 ) -> list[dict[str, Any]]:
    """The shapes that mark epoch ``e`` in the curve panels: a cursor line in each (loss panel
    ``lref``, accuracy panel ``aref``: x and y axis references), then a dot per run on its train
    loss (log axis) and one on its test accuracy. A dot whose value is not finite (or not
    positive on the log axis) is transparent; each dot hides with its run in the legend."""
    marks: list[dict[str, Any]] = [
        {"type": "line", "name": CURSOR_NAME, "xref": ref[0], "yref": f"{ref[1]} domain",
         "x0": e, "x1": e, "y0": 0, "y1": 1, "layer": "above",
         "line": {"color": "rgba(60,60,60,0.35)", "width": 1}} for ref in (lref, aref)]
    for run in runs:
        for ref, value, log in ((lref, float(run.epoch_train_loss[e]), True),
                                (aref, float(run.epoch_test_acc[e]), False)):
            finite = np.isfinite(value) and (value > 0 or not log)
            y = value if finite else 1.0
            marks.append({"type": "path", "name": run.label, "legendgroup": run.name,
                          "xref": ref[0], "yref": ref[1], "xsizemode": "pixel",
                          "ysizemode": "pixel", "xanchor": e, "yanchor": round_sig(y, 5)[0],
                          "path": DOT_PATH, "opacity": 1 if finite else 0, "layer": "above",
                          "fillcolor": run.color, "line": {"color": "#FFFFFF", "width": 1.5}})
    return marks


def training_figure(runs: Sequence[Run], xs: np.ndarray, ys: np.ndarray, X: np.ndarray,
                    y: np.ndarray, frame_ms: int = 250, max_cols: int = 4, phone: bool = False,
                    l2: bool = False) -> SpecFigure:
    """Decision boundary per optimizer + loss and accuracy curves, animated over epochs.
    ``l2``: the losses include an L2 term, and the loss axis says so.

    All runs share the frame epochs (``runs[0].frames``). Panels sit in one row up to 4
    optimizers, else two rows; each draws x and y at one scale (locked: on a phone the
    three-a-row panels were 80 px wide and 255 px tall, the data stretched 3x). ``phone``: one
    panel a row, full width, and the loss over the accuracy (side by side, the accuracy's tick
    labels ran into the loss plot). The figure opens on the last epoch (trained); Play replays
    training from epoch 0.
    """
    n = len(runs)
    k = runs[0].probs.shape[-1]
    frames_e = runs[0].frames
    F = len(frames_e)
    last = int(frames_e[-1])
    if phone:
        cols, plot_w, margin, chars = 1, PHONE_PLOT_PX, PHONE_MARGIN, PHONE_TITLE_CHARS
    else:
        cols = max(1, n if n <= 4 else min(max_cols, -(-n // 2)))
        plot_w, margin, chars = DESIGN_PLOT_PX, LAPTOP_MARGIN, (TITLE_CHARS, TITLE_CHARS)
    rows = -(-n // cols)
    slots, gap = (1 if phone else max(cols, 3)), 0.04  # 1 or 2 panels keep a third of the width
    w = (1.0 - gap * (slots - 1)) / slots
    # A panel's height: its width on the planned plot times the data's height / width (the axes
    # keep one scale: a wider plot centres the panel, a narrower one leaves room under it).
    ratio = float(np.clip((ys[-1] - ys[0]) / (xs[-1] - xs[0]), 1 / 3, 3))
    panel_px = min(w * plot_w * ratio, 320.0)
    if phone:  # titles on wide lines: as many as the longest name and detail take
        names = max(len(_title_lines(r, F - 1, chars)[0]) for r in runs)
        details = len(balanced_wrap(f"epoch {last}: train 100%, test 100%", chars[1]))
        title_px = NAME_LINE_PX * names + DETAIL_LINE_PX * details + 8
    else:
        title_px = PANEL_TITLE_PX
    # Top: the legend (one row on a laptop) over the Play buttons. A legend that would reach
    # under the mode bar (a phone's always does) starts below the mode bar's row.
    n_rows, legend_w = legend_rows([r.label for r in runs], plot_w)
    under_modebar = phone or n_rows > 1 or legend_w > plot_w - MODEBAR_W_PX
    legend_px = MODEBAR_PX + LEGEND_ROW_PX * n_rows + 8 if under_modebar else LEGEND_PX
    top_px, controls_px = legend_px + BUTTONS_PX, CONTROLS_PX
    # Below the panels: each curve's title (two lines), the curve, its ticks and axis title;
    # loss and accuracy side by side, or one over the other on a phone.
    curve_title_px, curve_px, axis_px = 50, (200 if phone else 290), 55
    row_gap = 16 if phone else 8  # between a panel and the title of the one below it
    panels_px = rows * (title_px + panel_px) + (rows - 1) * row_gap
    plot_h = panels_px + 15 + (2 if phone else 1) * (curve_title_px + curve_px + axis_px)
    height = round(top_px + plot_h + controls_px)
    layout = base_layout(height)
    # The legend is placed from the figure's top: Plotly then reserves its rows (if more than
    # planned) above the plot area, and the Play buttons at the plot area's top stay under it.
    legend_y = round(1.0 - MODEBAR_PX / height, 4) if under_modebar else 1.0
    layout.update(margin={**margin, "t": top_px, "b": controls_px}, hovermode="closest",
                  legend={"orientation": "h", "x": 0, "yref": "container", "y": legend_y,
                          "yanchor": "top", "font": {"size": 12}})

    def frac(px: float) -> float:
        """The paper y of ``px`` below the plot area's top."""
        return round(1.0 - px / plot_h, 4)

    cells = []
    shift = (w + gap) * (slots - n) / 2 if n < slots else 0.0  # centred
    for i in range(n):
        r, c = divmod(i, cols)
        x0 = shift + c * (w + gap)
        top = r * (title_px + panel_px + row_gap) + title_px
        cells.append(([round(x0, 4), round(x0 + w, 4)], [frac(top + panel_px), frac(top)]))
    # curves: loss (left) and accuracy (right), the gap holding the accuracy's tick labels; on a
    # phone the loss over the accuracy, full width
    c0 = panels_px + 15 + curve_title_px
    if phone:
        c1 = c0 + curve_px + axis_px + curve_title_px
        curve_cells = [([0.0, 1.0], [frac(c0 + curve_px), frac(c0)]),
                       ([0.0, 1.0], [frac(c1 + curve_px), frac(c1)])]
    else:
        curve_cells = _domains(2, 2, 1, frac(c0), frac(c0 + curve_px), gap=0.14)
    data: list[dict[str, Any]] = []
    heat_idx: list[int] = []
    x_pad = dict(range=[float(xs[0]), float(xs[-1])], showgrid=False, zeroline=False,
                 showticklabels=False, ticks="", constrain="domain")
    colorscale = class_colorscale(k)
    annotations: list[dict[str, Any]] = []
    for i, ((dx, dy), run) in enumerate(zip(cells, runs, strict=True)):
        xkey, xref = _axis(i)
        ykey, yref = "y" + xkey[1:], "y" + xref[1:]
        layout[xkey] = {**x_pad, "domain": dx, "anchor": yref}
        # one scale for x and y; the panel keeps to the top of its cell, under its title
        layout[ykey] = {**x_pad, "range": [float(ys[0]), float(ys[-1])], "domain": dy,
                        "anchor": xref, "scaleanchor": xref, "scaleratio": 1,
                        "constraintoward": "top"}
        z, zmax = encode_classes(run.probs)
        heat_idx.append(len(data))
        data.append({"type": "heatmap", "x": round_sig(xs, 4), "y": round_sig(ys, 4),
                     "z": z[-1].tolist(), "zmin": 0, "zmax": zmax, "colorscale": colorscale,
                     "showscale": False, "zsmooth": "best" if k == 2 else False,
                     "hoverinfo": "skip", "xaxis": xref, "yaxis": yref, "name": run.label})
        data.append({"type": "scatter", "mode": "markers", "x": round_sig(X[:, 0], 4),
                     "y": round_sig(X[:, 1], 4), "xaxis": xref, "yaxis": yref,
                     "marker": {"size": 5, "color": [class_color(int(c)) for c in y],
                                "line": {"color": "#FFFFFF", "width": 0.6}},
                     "showlegend": False, "hoverinfo": "skip", "name": "training points"})
        annotations.append({"text": _panel_title(run, F - 1, chars), "x": (dx[0] + dx[1]) / 2,
                            "y": dy[1], "xref": "paper", "yref": "paper", "xanchor": "center",
                            "yanchor": "bottom", "showarrow": False, "font": {"size": 13}})
    (lx, ly), (ax_, ay) = curve_cells
    li, ai = n, n + 1
    lxk, lxr = _axis(li)
    axk, axr = _axis(ai)
    loss_name = "cross-entropy loss" + (" + L2" if l2 else "")  # the curves' own, L2 included
    # a little room either side: the last epoch's dots (shapes, clipped to the panel) were cut
    # in half on its right edge
    epochs = [-EPOCH_PAD * max(last, 1), (1 + EPOCH_PAD) * max(last, 1)]
    layout[lxk] = {"domain": lx, "anchor": "y" + lxr[1:], "range": epochs,
                   "title": {"text": "epoch"}}
    layout["y" + lxk[1:]] = {"domain": ly, "anchor": lxr, **loss_ticks(runs),
                             **({} if phone else {"title": {"text": loss_name}})}
    layout[axk] = {"domain": ax_, "anchor": "y" + axr[1:], "range": epochs,
                   "title": {"text": "epoch"}}
    lo = min(float(np.nanmin(r.epoch_test_acc)) for r in runs)
    lo = min(lo, min(float(np.nanmin(r.epoch_train_acc)) for r in runs))
    layout["y" + axk[1:]] = {"domain": ay, "anchor": axr, "tickformat": ".0%",
                                     "range": [max(0.0, lo - 0.05), 1.02]}
    # Short titles: the long ones ran into each other on a phone. The line styles are drawn in
    # the text: solid for the training points (loss at every step), dashed for the test points.
    # The moving dot sits on the train loss but the test accuracy: each key says which (a
    # review: a student read the accuracy's dot as the training accuracy).
    def key(dot_on: str) -> str:
        return f"<span style='font-size:11px'>— train · ‒ ‒ test · ● on {dot_on}</span>"

    loss_title = loss_name.capitalize() if phone else "Loss"
    for (d, text) in (((lx, ly), f"{loss_title}<br>{key('train')}"),
                      ((ax_, ay), f"Accuracy<br>{key('test')}")):
        annotations.append({"text": text, "x": d[0][0], "y": d[1][1], "xref": "paper",
                            "yref": "paper", "xanchor": "left", "yanchor": "bottom",
                            "showarrow": False, "font": {"size": 13}})
    lref, aref = (lxr, "y" + lxr[1:]), (axr, "y" + axr[1:])
    epochs = np.arange(len(runs[0].epoch_train_loss))
    shapes = []
    for run in runs:
        common = {"legendgroup": run.name, "mode": "lines"}
        line = {"color": run.color, "width": 2}
        with np.errstate(all="ignore"):
            data.append({"type": "scatter", **common, "name": run.label, "x":
                         round_sig(run.step_epochs, 4), "y": round_sig(run.step_loss, 4),
                         "xaxis": lref[0], "yaxis": lref[1], "line": {**line, "width": 1.5},
                         "hovertemplate": f"{run.label}<br>epoch %{{x:.2f}}<br>train loss "
                                          "%{y:.4g}<extra></extra>"})
            for ys_, ref, what, dash, show in (
                    (run.epoch_test_loss, lref, "test loss", "dash", False),
                    (run.epoch_train_acc, aref, "train accuracy", "solid", False),
                    (run.epoch_test_acc, aref, "test accuracy", "dash", False)):
                fmt = "%{y:.1%}" if "accuracy" in what else "%{y:.4g}"
                data.append({"type": "scatter", **common, "name": run.label, "showlegend": show,
                             "x": epochs.tolist(), "y": round_sig(ys_, 4), "xaxis": ref[0],
                             "yaxis": ref[1], "line": {**line, "dash": dash},
                             "hovertemplate": f"{run.label}<br>epoch %{{x}}<br>{what} {fmt}"
                                              "<extra></extra>"})
        if run.switch_epoch is not None:
            for ref in (lref, aref):
                shapes.append({"type": "line", "xref": ref[0], "yref": f"{ref[1]} domain",
                               "x0": run.switch_epoch, "x1": run.switch_epoch, "y0": 0, "y1": 1,
                               "line": {"color": rgba(run.color, 0.8), "width": 1.5,
                                        "dash": "dot"}})
            annotations.append({"text": " switch to SGD", "x": run.switch_epoch, "y": 0,
                                "xref": aref[0], "yref": f"{aref[1]} domain", "xanchor": "left",
                                "yanchor": "bottom", "showarrow": False,
                                "font": {"size": 11, "color": text_color(run.color)}})
    # Moving: a cursor line in each curve panel and a dot per optimizer on its train loss and
    # test accuracy, all layout shapes (``_epoch_marks``): the frames then list only heatmaps.
    # Plotly plots a frame's animatable traces (scatter) before its redraw, with every subplot
    # holding none of them emptied, and redraws a timer later: with the dots as scatter traces
    # the decision panels (heatmap and points) were blank in between, for a painted frame now
    # and then during Play (1 sample in 60 in Chromium at 1366 x 768).
    moving_shapes = _epoch_marks(runs, last, lref, aref)
    layout["annotations"] = annotations
    layout["shapes"] = [*moving_shapes, *shapes]
    labels = [str(int(e)) for e in frames_e]
    frames = []
    zs = [encode_classes(r.probs)[0] for r in runs]
    for f, e in enumerate(frames_e):
        fdata: list[dict[str, Any]] = [{"z": z[f].tolist()} for z in zs]
        notes = [{**a, "text": _panel_title(r, f, chars)}
                 for a, r in zip(annotations, runs, strict=False)]
        # Plotly merges a frame's shapes into the layout's one by one (their styles and a
        # legend's hiding stay): the moving ones come first, and a frame sends only where
        # they are.
        marks = [{k: m[k] for k in MOVING_KEYS[m["type"]]}
                 for m in _epoch_marks(runs, int(e), lref, aref)]
        frames.append({"name": labels[f], "data": fdata, "traces": heat_idx,
                       "layout": {"annotations": notes + annotations[n:], "shapes": marks}})
    layout.update(_animation(frame_ms, True, labels, phone))
    return SpecFigure({"data": data, "layout": layout, "frames": frames})


# ------------------------------------------------------------------------- the network drawing


def neuron_positions(layer_sizes: Sequence[int], max_neurons: int = MAX_NEURONS
                     ) -> list[np.ndarray]:
    """y of each shown neuron per layer (at most ``max_neurons``, centred on 0); x = layer index."""
    return [np.arange(min(m, max_neurons)) - (min(m, max_neurons) - 1) / 2 for m in layer_sizes]


def _bins(values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    return np.searchsorted(cuts, values, side="right")


#: A phone's layer labels: 11 px lines of at most ~45 px ("hidden 3", "sigmoid", "2 logits"),
#: as its layers are ~53 px apart (5 layers on a ~255 px plot: "hidden 3 (tanh, 16)" and
#: "output (2 logits) → softmax" ran into each other); LABEL_LINE_PX a line.
PHONE_LABEL_FONT, LABEL_LINE_PX = 11, 14


def layer_label(lay: int, n_layers: int, m: int, activation: str, max_neurons: int,
                phone: bool = False) -> str:
    """The label under layer ``lay`` (of ``n_layers``, ``m`` neurons); a phone's on short lines."""
    last = lay == n_layers - 1
    if phone:
        text = ("input<br>(" + str(m) + ")" if lay == 0 else f"output<br>{m} logits<br>softmax"
                if last else f"hidden {lay}<br>{activation}<br>({m})")
        return text + (f"<br>{max_neurons} of {m}" if m > max_neurons else "")
    if lay == 0:
        text = f"input ({m})"
    elif last:
        text = f"output ({m} logits)<br>→ softmax"
    else:
        text = f"hidden {lay}<br>({activation}, {m})"
    if m > max_neurons:
        text += f"<br>{max_neurons} of {m} shown"  # "first ..." ran into its neighbour
    return text


def network_figure(layer_sizes: Sequence[int], weights: Sequence[tuple[np.ndarray, np.ndarray]],
                   grads: Sequence[tuple[np.ndarray, np.ndarray]], frames_e: np.ndarray,
                   title: str, activation: str, frame_ms: int = 250,
                   max_neurons: int = MAX_NEURONS, phone: bool = False) -> SpecFigure:
    """Animated drawing: ``weights[l] = (W (F, out, in), b (F, out))`` per layer and frame,
    ``grads`` the same shapes (|dL/dW| sets the line width). Shades and widths are cut at
    quantiles over all frames, so lines visibly thin as the loss (and the blame) shrinks.
    A ``phone`` labels the layers on short lines of smaller type (``layer_label``), and the
    drawing holds all their lines above the epoch slider."""
    pos = neuron_positions(layer_sizes, max_neurons)
    F = len(frames_e)
    # every shown edge: (layer, out j, in i) with its segment coordinates
    segs_x, segs_y, w_all, g_all = [], [], [], []
    for lay, ((W, _), (G, _)) in enumerate(zip(weights, grads, strict=True)):
        n_out, n_in = len(pos[lay + 1]), len(pos[lay])
        W = np.asarray(W)[:, :n_out, :n_in]
        G = np.abs(np.asarray(G))[:, :n_out, :n_in]
        jj, ii = np.meshgrid(np.arange(n_out), np.arange(n_in), indexing="ij")
        segs_x.append(np.stack([np.full(jj.size, lay), np.full(jj.size, lay + 1)], axis=1))
        segs_y.append(np.stack([pos[lay][ii.ravel()], pos[lay + 1][jj.ravel()]], axis=1))
        w_all.append(W.reshape(F, -1))
        g_all.append(G.reshape(F, -1))
    sx, sy = np.concatenate(segs_x), np.round(np.concatenate(segs_y), 3)
    w, g = np.concatenate(w_all, axis=1), np.concatenate(g_all, axis=1)
    with np.errstate(all="ignore"):
        finite_w = np.abs(w[np.isfinite(w)])
        finite_g = g[np.isfinite(g)]
    shade_cuts = np.quantile(finite_w, [1 / 3, 2 / 3]) if finite_w.size else np.zeros(2)
    width_cuts = np.quantile(finite_g, [0.5, 0.8, 0.95]) if finite_g.size else np.zeros(3)
    shade = _bins(np.abs(np.nan_to_num(w)), shade_cuts)
    width = _bins(np.nan_to_num(g), width_cuts)
    look = (np.where(w >= 0, 0, 1) * len(EDGE_SHADES) + shade) * len(EDGE_WIDTHS) + width
    n_looks = 2 * len(EDGE_SHADES) * len(EDGE_WIDTHS)
    sx_l, sy_l = sx.astype(int).tolist(), sy.tolist()

    def coords(members: np.ndarray) -> dict[str, list]:
        xs_: list[Any] = []
        ys_: list[Any] = []
        for e in members.tolist():
            xs_ += [sx_l[e][0], sx_l[e][1], None]
            ys_ += [sy_l[e][0], sy_l[e][1], None]
        return {"x": xs_, "y": ys_}

    data: list[dict[str, Any]] = []
    for lk in range(n_looks):
        sign, rest = divmod(lk, len(EDGE_SHADES) * len(EDGE_WIDTHS))
        sh, wd = divmod(rest, len(EDGE_WIDTHS))
        color = rgba(POSITIVE if sign == 0 else NEGATIVE, EDGE_SHADES[sh])
        data.append({"type": "scatter", "mode": "lines", **coords(np.flatnonzero(look[-1] == lk)),
                     "line": {"color": color, "width": EDGE_WIDTHS[wd]}, "hoverinfo": "skip",
                     "showlegend": False})
    # neurons: colour = bias (inputs have none)
    node_x = np.concatenate([np.full(len(p), lay) for lay, p in enumerate(pos)]).tolist()
    node_y = np.round(np.concatenate(pos), 3).tolist()

    def biases(f: int) -> list[float]:
        out = [0.0] * len(pos[0])
        for lay, (_, b) in enumerate(weights):
            out += round_sig(np.asarray(b)[f, :len(pos[lay + 1])], 3)
        return out

    names = []
    for lay, p in enumerate(pos):
        for j in range(len(p)):
            if lay == 0:
                names.append(f"input x{j + 1}")
            elif lay == len(pos) - 1:
                names.append(f"output: logit of class {j}")
            else:
                names.append(f"hidden layer {lay}, neuron {j + 1}")
    b_all = np.concatenate([np.asarray(b).ravel() for _, b in weights])
    bmax = float(np.nanmax(np.abs(b_all))) if b_all.size and np.isfinite(b_all).any() else 1.0
    node_idx = len(data)
    data.append({"type": "scatter", "mode": "markers", "x": node_x, "y": node_y, "text": names,
                 "marker": {"size": 16, "color": biases(F - 1),
                            "colorscale": [list(c) for c in DIVERGING], "cmin": -max(bmax, 1e-9),
                            "cmax": max(bmax, 1e-9), "line": {"color": "#333333", "width": 1},
                            "colorbar": {"title": {"text": "bias"}, "thickness": 12, "len": 0.6}},
                 # an input has no bias: its hover said "bias 0" (a review)
                 "hovertemplate": ["%{text}<extra></extra>"] * len(pos[0])
                 + ["%{text}<br>bias %{marker.color:.3g}<extra></extra>"] * (len(names)
                                                                            - len(pos[0])),
                 "showlegend": False})
    n_layers = len(layer_sizes)
    top = max(len(p) for p in pos) / 2 + 0.6
    annotations = []
    for lay, m in enumerate(layer_sizes):
        annotations.append({"text": layer_label(lay, n_layers, m, activation, max_neurons, phone),
                            "x": lay, "y": -top, "xref": "x", "yref": "y", "showarrow": False,
                            "yanchor": "top",
                            "font": {"size": PHONE_LABEL_FONT if phone else 12}})
    height = max(360, int(34 * 2 * top) + 150)
    below = 1.2  # y units under the lowest neurons, for the labels
    if phone:  # up to four lines: the drawing grows to hold them, a y unit as tall as before
        unit = (height - 40 - BUTTONS_PX - SLIDER_PX) / (2 * top + below)
        lines = max(a["text"].count("<br>") + 1 for a in annotations)
        below = max(below, (LABEL_LINE_PX * lines + 8) / unit)
        height += round(unit * (below - 1.2))
    layout = base_layout(height)
    layout.update(
        # The title at the figure's top, over the Play buttons (centred in the top margin, it
        # would run into them).
        title={"text": title, "x": 0.01, "font": {"size": 14}, "yref": "container", "y": 1.0,
               "yanchor": "top", "pad": {"t": 12}},
        margin={"l": 20, "r": 20, "t": 40 + BUTTONS_PX, "b": SLIDER_PX}, showlegend=False,
        xaxis={"range": [-0.4, n_layers - 0.6], "visible": False, "fixedrange": True},
        yaxis={"range": [-top - below, top], "visible": False, "fixedrange": True},
        annotations=annotations)
    labels = [str(int(e)) for e in frames_e]
    # The epoch shown, in the drawing's top right corner: the slider's handle moves only at its
    # marks, and nothing else in this figure changes with the epoch.
    counter_idx = len(data)
    data.append({"type": "scatter", "mode": "text", "x": [n_layers - 0.6], "y": [top],
                 "text": [f"epoch {labels[-1]}"], "textposition": "bottom left",
                 "textfont": {"size": 13, "color": INK}, "hoverinfo": "skip",
                 "showlegend": False, "name": "epoch", "meta": "epoch"})
    frames = []
    for f in range(F):
        fdata = [coords(np.flatnonzero(look[f] == lk)) for lk in range(n_looks)]
        fdata.append({"marker": {"color": biases(f)}})
        fdata.append({"text": [f"epoch {labels[f]}"]})
        frames.append({"name": labels[f], "data": fdata,
                       "traces": [*range(n_looks), node_idx, counter_idx]})
    layout.update(_animation(frame_ms, False, labels, phone))
    return SpecFigure({"data": data, "layout": layout, "frames": frames})


def example_figure(xs: np.ndarray, ys: np.ndarray, probs: np.ndarray, X: np.ndarray,
                   y: np.ndarray, chosen: int, height: int = 290 + MODEBAR_PX + 5) -> SpecFigure:
    """The decision regions ``probs`` (n, n, k) with the training points; point ``chosen`` is
    ringed. Points carry their index in ``customdata`` so a click can pick one. The map starts
    under the mode bar's row (``MODEBAR_PX``): with a 5 px top margin the bar covered its top
    strip, where a phone is told to tap points."""
    k = probs.shape[-1]
    z, zmax = encode_classes(probs)
    axis = {"showgrid": False, "zeroline": False, "showticklabels": False, "ticks": ""}
    data = [
        {"type": "heatmap", "x": round_sig(xs, 4), "y": round_sig(ys, 4), "z": z.tolist(),
         "zmin": 0, "zmax": zmax, "colorscale": class_colorscale(k), "showscale": False,
         "zsmooth": "best" if k == 2 else False, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "x": round_sig(X[:, 0], 4),
         "y": round_sig(X[:, 1], 4), "customdata": list(range(len(y))),
         "text": [f"class {int(c)}" for c in y], "name": "training points",
         "marker": {"size": 6, "color": [class_color(int(c)) for c in y],
                    "line": {"color": "#FFFFFF", "width": 0.6}},
         "hovertemplate": "point %{customdata}: %{text}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "x": round_sig(X[[chosen], 0], 4),
         "y": round_sig(X[[chosen], 1], 4), "name": "followed point", "hoverinfo": "skip",
         "marker": {"symbol": "circle-open", "size": 18, "color": INK,
                    "line": {"width": 3}}},
    ]
    layout = base_layout(height)
    layout.update(margin={"l": 5, "r": 5, "t": MODEBAR_PX, "b": 5}, showlegend=False,
                  xaxis={**axis, "range": [float(xs[0]), float(xs[-1])]},
                  yaxis={**axis, "range": [float(ys[0]), float(ys[-1])]},
                  clickmode="event+select", dragmode=False)
    return SpecFigure({"data": data, "layout": layout})

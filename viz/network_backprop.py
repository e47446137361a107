"""One example's trip through the network and back: every number of forward and backward pass.

``backprop_figure(trace)`` draws two panels of cells, one column per vector, one cell per neuron
(colour = value, the number written in the cell):

- forward (left): x -> z_1 -> a_1 = act(z_1) -> ... -> logits z_L -> p = softmax(z_L), and the
  loss -log p_y of the true class y (its probability cell is outlined);
- backward (right): dL/dz_L = p - onehot(y) -> dL/da_{L-1} = dL/dz_L W_L -> dL/dz_{L-1} =
  dL/da (.) act'(z) -> ... -> dL/dx.

``trace`` is a ``landscape.network.BackpropTrace`` (read by attribute only; viz does not import
landscape). Columns show at most ``MAX_NEURONS`` neurons. A phone draws each pass alone, wrapped
onto rows of fewer columns when one row would not be legible (``wrap_columns``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from viz.network import DIVERGING
from viz.numbers import TINY_P, round_sig
from viz.spec import SpecFigure
from viz.style import INK, base_layout, scale_rgb, text_on

MAX_NEURONS = 16


def forward_columns(trace: Any) -> list[tuple[str, np.ndarray]]:
    """(title, values) of each forward column, input to probabilities and the loss."""
    cols = [("x<br>input", trace.x)]
    for i, layer in enumerate(trace.layers[:-1], start=1):
        cols += [(f"z{_sub(i)}<br>linear", layer.z), (f"a{_sub(i)}<br>{layer.activation}",
                                                     layer.a_out)]
    cols += [("z<br>logits", trace.logits), ("p<br>softmax", trace.probs),
             ("L<br>−log p<sub>y</sub>", np.array([trace.loss]))]
    return cols


def _sub(i: int) -> str:
    """Subscript digits: 12 -> ₁₂."""
    return str(i).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def backward_columns(trace: Any) -> list[tuple[str, np.ndarray]]:
    """(title, values) of each backward column, from dL/dlogits down to dL/dx."""
    n = len(trace.layers)
    cols = [("∂L/∂z<br>p − y", trace.layers[-1].grad_z)]
    for i in range(n - 2, -1, -1):
        layer = trace.layers[i]
        cols += [(f"∂L/∂a{_sub(i + 1)}<br>· W", layer.grad_a_out),
                 (f"∂L/∂z{_sub(i + 1)}<br>· {layer.activation}′", layer.grad_z)]
    cols.append(("∂L/∂x<br>· W", trace.layers[0].grad_a_in))
    return cols


#: The plot widths (px) the cells are sized for (the server never learns the real one): a
#: laptop's main column (a 1280 px window, sidebar open) and a phone's (a 372 px screen less
#: Streamlit's 16 px paddings and the figure's margins: a 390 px iPhone leaves more room between
#: the cells, a 360 px Android 2 to 3 px less, still some).
LAPTOP_PLOT_PX, PHONE_PLOT_PX = 800, 372 - 32 - 20
#: Side of a cell (px) at most, the room between two cells, and the height of the column titles
#: (two lines and the small "16 of 64" line).
CELL_PX, CELL_GAP_PX, HEADER_PX = 40, 4, 46
#: Widths of characters in ems (Arial's; the page's Source Sans Pro is narrower): what a number
#: or a title needs, an upper bound. Other characters (∂, subscripts, capitals) count as
#: ``OTHER_EM``.
CHAR_EMS = {**dict.fromkeys("0123456789abdeghnopqu", 0.556), **dict.fromkeys("ilj", 0.222),
            **dict.fromkeys("cksvxyz", 0.5), **dict.fromkeys("frt", 0.333), "m": 0.833,
            "w": 0.722, "-": 0.333, ".": 0.278, " ": 0.278, "·": 0.278, "′": 0.25, "/": 0.278}
OTHER_EM = 0.667
PARTS = ("both", "forward", "backward")
#: The widest number written with 3 and 2 significant digits (``cell_text``).
WIDEST = {3: "-0.00123", 2: "-0.012"}


def text_px(text: str, size: float) -> float:
    """Width (px) of a line of ``text`` at font ``size``, about an upper bound (HTML tags are
    ignored; a subscript counts as 0.7 of its size)."""
    subs = "".join(re.findall(r"<sub>(.*?)</sub>", text))
    plain = re.sub(r"<[^>]+>", "", re.sub(r"<sub>.*?</sub>", "", text))
    return (sum(CHAR_EMS.get(ch, OTHER_EM) for ch in plain)
            + 0.7 * sum(CHAR_EMS.get(ch, OTHER_EM) for ch in subs)) * size


def cell_text(v: float, digits: int = 3) -> str:
    """A cell's number in ``digits`` (3 or 2) significant digits: ``-0.0502``, ``9.1e-4`` for
    3; ``-0.05``, ``9e-4`` for 2. A ReLU's -0.0 reads ``0``."""
    v = float(v) + 0.0
    if digits >= 3:
        text = f"{v:.3g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.1e}"
    else:
        text = f"{v:.2g}" if abs(v) >= 1e-2 or v == 0 else f"{v:.0e}"
    return text.replace("e-0", "e-").replace("e+0", "e")


@dataclass(frozen=True)
class CellLook:
    """How the cells of a panel are drawn at a given column pitch (px between column centres)."""

    cell: int  # side of a cell (px)
    digits: int  # significant digits written in it
    font: int  # its font size
    header_font: int  # the column titles' font size


def cell_look(pitch: float, values: Any = None) -> CellLook:
    """The biggest cells, digits and fonts that fit a column ``pitch`` px wide: 40 px cells with 3
    digits at 10 px on a laptop; on a phone smaller cells, and 2 digits at 9 px if the widest of
    ``values`` (default: the widest possible, ``WIDEST``) does not fit with 3. A number may
    reach the cell's border, never the next cell."""
    cell = int(min(CELL_PX, pitch - CELL_GAP_PX))
    vals = None if values is None else np.asarray(values, dtype=float).ravel()
    for digits, font in ((3, 10), (3, 9), (2, 9), (2, 8)):
        texts = ([WIDEST[digits]] if vals is None or not vals.size
                 else [cell_text(v, digits) for v in vals])
        if max(text_px(t, font) for t in texts) <= cell + 2:
            break
    header = 11 if pitch >= 48 else 10 if pitch >= 40 else 9 if pitch >= 34 else 8
    return CellLook(cell, digits, font, header)


def colour_scale(columns: list[tuple[str, np.ndarray]]) -> float:
    """The largest |value| of a pass's shown cells: its colours run from -scale to +scale. The
    loss cell is coloured but does not set the scale (it would wash out the vectors)."""
    shown = [np.asarray(v, dtype=float).ravel()[:MAX_NEURONS] for t, v in columns
             if not t.startswith("L")]
    with np.errstate(all="ignore"):
        scale = float(np.nanmax(np.abs(np.concatenate(shown)))) if shown else 1.0
    return scale if np.isfinite(scale) and scale > 0 else 1.0


def _cells(columns: list[tuple[str, np.ndarray]], xref: str, yref: str, highlight: int | None,
           highlight_col: int | None, look: CellLook = CellLook(CELL_PX, 3, 10, 11),
           scale: float | None = None,
           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float]:
    """Scatter traces of square cells for ``columns`` and their header annotations, coloured
    from -``scale`` to +``scale`` (default: ``colour_scale(columns)``; a pass wrapped onto rows
    gives every row the whole pass's, so one colour means one value)."""
    xs, ys, vals = [], [], []
    for c, (_, v) in enumerate(columns):
        v = np.asarray(v, dtype=float).ravel()[:MAX_NEURONS]
        xs += [c] * len(v)
        ys += (-np.arange(len(v))).tolist()
        vals += v.tolist()
    vals_a = np.asarray(vals)
    scale = colour_scale(columns) if scale is None else scale
    text = [cell_text(v, look.digits) for v in vals]
    trace = {"type": "scatter", "mode": "markers+text", "x": xs, "y": ys, "text": text,
             "customdata": round_sig(vals_a, 4),
             # white on the saturated ends: #111 on the deepest blue read at 3:1
             "textfont": {"size": look.font, "color": text_on(scale_rgb(
                 DIVERGING, np.nan_to_num((np.clip(vals_a / max(scale, 1e-300), -1.0, 1.0)
                                           + 1.0) / 2.0, nan=0.5)))},
             "marker": {"symbol": "square", "size": look.cell, "color": round_sig(vals_a, 4),
                        "colorscale": [list(c) for c in DIVERGING], "cmin": -scale,
                        "cmax": scale,
                        "line": {"color": "#BBBBBB", "width": 1}},
             "xaxis": xref, "yaxis": yref, "hovertemplate": "%{customdata:.4g}<extra></extra>",
             "showlegend": False}
    traces = [trace]
    if highlight is not None and highlight_col is not None:
        traces.append({"type": "scatter", "mode": "markers", "x": [highlight_col],
                       "y": [-highlight], "xaxis": xref, "yaxis": yref, "hoverinfo": "skip",
                       "marker": {"symbol": "square-open", "size": look.cell + 4,
                                  "color": INK, "line": {"width": 3}},
                       "showlegend": False})
    # A column cut to MAX_NEURONS says so under its title (it hid 48 of 64 values silently).
    notes = [{"text": title + (f"<br><span style='font-size:{max(7, look.header_font - 2)}px'>"
                               f"{MAX_NEURONS} of {n}</span>"
                               if (n := np.size(v)) > MAX_NEURONS else ""),
              "x": c, "y": 0.9, "xref": xref, "yref": yref, "showarrow": False,
              "yanchor": "bottom", "font": {"size": look.header_font}}
             for c, (title, v) in enumerate(columns)]
    return traces, notes, scale


#: Units of x a panel of n columns spans (-0.6 .. n - 0.4), and the gap between the two panels
#: (a fraction of the plot's width).
PAD_UNITS, PANEL_GAP = 0.2, 0.03
#: The smallest type a phone is given (px): numbers and column titles. Below it a pass wraps.
MIN_FONT_PX = 9
#: Room (px) between two rows of a wrapped pass: the next row's name sits in it.
ROW_GAP_PX = 34
#: Each pass's name over its first row, and over the rows it wraps onto.
HEADS = {"forward": ("<b>forward →</b>", "<b>forward, continued →</b>"),
         "backward": ("<b>← backward (gradients)</b>", "<b>← backward, continued</b>")}


def legible(look: CellLook) -> bool:
    """Whether cells drawn with ``look`` read on a phone: 3 digits, numbers and titles at
    ``MIN_FONT_PX`` or more."""
    return look.digits >= 3 and min(look.font, look.header_font) >= MIN_FONT_PX


def wrap_columns(n: int, plot_px: float) -> list[tuple[int, int]]:
    """(start, stop) of each row of a pass of ``n`` columns on a plot ``plot_px`` wide: one row
    while its cells are ``legible`` for the widest number, else the fewest rows of (nearly)
    equal length that are. A phone's forward pass of 3 hidden layers has 10 columns: in one row
    its numbers lost a digit and its titles shrank to 8 px."""
    for rows in range(1, max(1, n) + 1):
        per = -(-n // rows)
        if legible(cell_look(plot_px / (per + PAD_UNITS))):
            break
    return [(i, min(i + per, n)) for i in range(0, n, per)]


@dataclass(frozen=True)
class _Panel:
    """One block of cells: ``columns`` (the pass's from ``first`` on), drawn in x ``domain``,
    ``span`` columns wide, on row ``row`` of the figure."""

    name: str
    columns: list[tuple[str, np.ndarray]]
    first: int
    domain: list[float]
    span: int
    row: int


def _panels(fwd: list, bwd: list, part: str, plot_px: float) -> list[_Panel]:
    """Laptop ("both"): forward beside backward, widths in proportion. A pass alone (a phone):
    full width, wrapped onto rows when too wide (``wrap_columns``)."""
    if part == "both":
        split = len(fwd) / (len(fwd) + len(bwd))
        return [_Panel("forward", fwd, 0, [0, split - PANEL_GAP], len(fwd), 0),
                _Panel("backward", bwd, 0, [split + PANEL_GAP, 1], len(bwd), 0)]
    cols = fwd if part == "forward" else bwd
    rows = wrap_columns(len(cols), plot_px)
    span = max(b - a for a, b in rows)  # every row at one pitch: their cells line up
    return [_Panel(part, cols[a:b], a, [0, 1], span, i) for i, (a, b) in enumerate(rows)]


def backprop_figure(trace: Any, title: str = "", part: str = "both",
                    plot_px: int = LAPTOP_PLOT_PX) -> SpecFigure:
    """Forward pass (left) and backward pass (right) of one example, every number shown (the
    first ``MAX_NEURONS`` of a wider layer, its column titled "16 of 64").

    ``part`` "forward" or "backward" draws one pass alone, full width: a phone stacks the two
    (side by side, 14 columns of 40 px cells printed over each other in its 358 px), and a pass
    too wide for legible cells wraps onto rows (``wrap_columns``). Cells, digits and fonts are
    sized for a plot ``plot_px`` wide (``LAPTOP_PLOT_PX``, ``PHONE_PLOT_PX``)."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, not {part!r}")
    fwd, bwd = forward_columns(trace), backward_columns(trace)
    panels = _panels(fwd, bwd, part, plot_px)
    # one look for the whole figure: the narrowest pitch of its panels
    pitch = min((p.domain[1] - p.domain[0]) * plot_px / (p.span + PAD_UNITS) for p in panels)
    look = cell_look(pitch, np.concatenate([np.ravel(v)[:MAX_NEURONS]
                                            for p in panels for _, v in p.columns]))
    row_px = look.cell + CELL_GAP_PX
    n_rows = max(p.row for p in panels) + 1
    # each row of panels: its cells' rows (one unit each, row_px tall) under the column titles
    cells = [max(min(len(np.ravel(v)), MAX_NEURONS) for p in panels if p.row == r
                 for _, v in p.columns) for r in range(n_rows)]
    ranges = [[-c + 0.4, 0.9 + HEADER_PX / row_px] for c in cells]
    bands = [(y1 - y0) * row_px for y0, y1 in ranges]
    # below: room for the toolbar Streamlit shows over the top right of the next element (the
    # table of gradients; on a phone the backward figure under the forward one)
    margin = {"l": 10, "r": 10, "t": 40, "b": 40}
    plot_h = sum(bands) + ROW_GAP_PX * (n_rows - 1)
    height = int(margin["t"] + margin["b"] + plot_h)
    tops = [1 - (sum(bands[:r]) + ROW_GAP_PX * r) / plot_h for r in range(n_rows)]
    layout = base_layout(height)
    layout.update(title={"text": title, "x": 0.01, "font": {"size": 14}}, showlegend=False,
                  margin=margin)
    data: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for i, p in enumerate(panels):
        n = "" if i == 0 else str(i + 1)
        xref, yref = f"x{n}", f"y{n}"
        # the true class is outlined in the probabilities (forward) and in dL/dz (backward)
        marked = (len(fwd) - 2 if p.name == "forward" else 0) - p.first
        t, notes, _ = _cells(p.columns, xref, yref, int(trace.label),
                             marked if 0 <= marked < len(p.columns) else None, look,
                             colour_scale(fwd if p.name == "forward" else bwd))
        data += t
        annotations += notes
        top = tops[p.row]
        layout[f"xaxis{n}"] = {"domain": p.domain, "range": [-0.6, p.span - 0.4],
                               "visible": False, "fixedrange": True,
                               **({"anchor": yref} if i else {})}
        layout[f"yaxis{n}"] = {"range": ranges[p.row], "visible": False, "fixedrange": True,
                               **({"anchor": xref} if i else {}),
                               **({"domain": [max(0.0, top - bands[p.row] / plot_h), top]}
                                  if n_rows > 1 else {})}
        # at the top left of its panel: on a phone the mode bar takes the figure's top right
        annotations.append({"text": HEADS[p.name][p.first > 0], "x": p.domain[0], "y": top,
                            "xref": "paper", "yref": "paper", "showarrow": False,
                            "xanchor": "left", "yanchor": "bottom", "yshift": 6})
    layout["annotations"] = annotations
    return SpecFigure({"data": data, "layout": layout})


def layer_rows(trace: Any) -> list[dict[str, Any]]:
    """One row per layer (top first, as the gradient flows): the size of its blame.

    ``|dL/dW|`` Frobenius norm, the largest single weight gradient and where it sits (none
    where every one is 0: a review's table named "input 1 → neuron 1" as the largest of zeros).
    """
    rows = []
    n = len(trace.layers)
    for i in range(n - 1, -1, -1):
        layer = trace.layers[i]
        g = np.asarray(layer.grad_weight)
        j, k = np.unravel_index(int(np.argmax(np.abs(g))), g.shape)
        name = "output layer" if i == n - 1 else f"hidden layer {i + 1}"
        rows.append({"layer": f"{name} ({g.shape[1]} → {g.shape[0]})",
                     "‖∂L/∂W‖": float(np.linalg.norm(g)),
                     "‖∂L/∂b‖": float(np.linalg.norm(layer.grad_bias)),
                     "largest |∂L/∂w|": float(np.abs(g[j, k])),
                     "that weight": f"input {k + 1} → neuron {j + 1}" if g[j, k] else
                                    "none: every ∂L/∂w is 0",
                     "its value w": float(np.asarray(layer.weight)[j, k]) if g[j, k] else None})
    return rows


def _p_latex(p: float, loss: float) -> str:
    """p_y for the loss line: e^{-L} where softmax underflowed (never "−log 0 = 6722")."""
    return rf"e^{{-{loss:.5g}}}" if p < TINY_P and np.isfinite(loss) else f"{p:.4g}"


def output_latex(trace: Any) -> list[str]:
    """The output layer's math with this example's numbers: softmax, loss, dL/dz."""
    z = np.asarray(trace.logits)
    p = np.asarray(trace.probs)
    y = int(trace.label)
    vec = r"\begin{pmatrix}" + r"\\ ".join(f"{v:.3f}" for v in z) + r"\end{pmatrix}"
    pvec = r"\begin{pmatrix}" + r"\\ ".join(f"{v:.3f}" for v in p) + r"\end{pmatrix}"
    onehot = np.eye(len(p))[y]
    g = p - onehot
    gvec = r"\begin{pmatrix}" + r"\\ ".join(f"{v:.3f}" for v in g) + r"\end{pmatrix}"
    return [
        r"p_c = \mathrm{softmax}(z)_c = \frac{e^{z_c}}{\sum_j e^{z_j}},\qquad z = " + vec
        + r"\;\Rightarrow\; p = " + pvec,
        rf"L = -\log p_{{y}} = -\log {_p_latex(float(p[y]), float(trace.loss))} = "
        rf"{trace.loss:.4f}\qquad (y = {y})",
        r"\frac{\partial L}{\partial z} = p - \mathrm{onehot}(y) = " + gvec,
        r"\frac{\partial L}{\partial W_l} = \Big(\frac{\partial L}{\partial z_l}\Big)^{\!\top}"
        r" a_{l-1},\quad \frac{\partial L}{\partial b_l} = \frac{\partial L}{\partial z_l},\quad"
        r" \frac{\partial L}{\partial a_{l-1}} = \frac{\partial L}{\partial z_l} W_l,\quad"
        r" \frac{\partial L}{\partial z_{l-1}} = \frac{\partial L}{\partial a_{l-1}} \odot"
        r" \mathrm{act}'(z_{l-1})",
    ]

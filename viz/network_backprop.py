"""One example's trip through the network and back: every number of forward and backward pass.

``backprop_figure(trace)`` draws two panels of cells, one column per vector, one cell per neuron
(colour = value, the number written in the cell):

- forward (left): x -> z_1 -> a_1 = act(z_1) -> ... -> logits z_L -> p = softmax(z_L), and the
  loss -log p_y of the true class y (its probability cell is outlined);
- backward (right): dL/dz_L = p - onehot(y) -> dL/da_{L-1} = dL/dz_L W_L -> dL/dz_{L-1} =
  dL/da (.) act'(z) -> ... -> dL/dx.

``trace`` is a ``landscape.network.BackpropTrace`` (read by attribute only; viz does not import
landscape). Columns show at most ``MAX_NEURONS`` neurons.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from viz.network import DIVERGING
from viz.numbers import round_sig
from viz.spec import SpecFigure
from viz.style import base_layout

MAX_NEURONS = 16


def forward_columns(trace: Any) -> list[tuple[str, np.ndarray]]:
    """(title, values) of each forward column, input to probabilities and the loss."""
    cols = [("x<br>input", trace.x)]
    for i, layer in enumerate(trace.layers[:-1], start=1):
        cols += [(f"z{_sub(i)}<br>linear", layer.z), (f"a{_sub(i)}<br>{layer.activation}",
                                                     layer.a_out)]
    cols += [("z<br>logits", trace.logits), ("p<br>softmax", trace.probs),
             ("L<br>−log p_y", np.array([trace.loss]))]
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


def _cells(columns: list[tuple[str, np.ndarray]], xref: str, yref: str, highlight: int | None,
           highlight_col: int | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float]:
    """Scatter traces of square cells for ``columns`` and their header annotations."""
    xs, ys, vals = [], [], []
    for c, (_, v) in enumerate(columns):
        v = np.asarray(v, dtype=float).ravel()[:MAX_NEURONS]
        xs += [c] * len(v)
        ys += (-np.arange(len(v))).tolist()
        vals += v.tolist()
    vals_a = np.asarray(vals)
    # the loss cell is coloured but does not set the scale (it would wash out the vectors)
    scaled = vals_a[np.asarray(xs) != xs[-1]] if columns[-1][0].startswith("L") else vals_a
    with np.errstate(all="ignore"):
        scale = float(np.nanmax(np.abs(scaled))) if scaled.size else 1.0
    scale = scale if np.isfinite(scale) and scale > 0 else 1.0
    # + 0.0: a ReLU's -0.0 reads "0", not "-0"
    text = [f"{v + 0.0:.3g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.1e}" for v in vals]
    trace = {"type": "scatter", "mode": "markers+text", "x": xs, "y": ys, "text": text,
             "textfont": {"size": 10, "color": "#111111"},
             "marker": {"symbol": "square", "size": 40, "color": round_sig(vals_a, 4),
                        "colorscale": [list(c) for c in DIVERGING], "cmin": -scale,
                        "cmax": scale,
                        "line": {"color": "#BBBBBB", "width": 1}},
             "xaxis": xref, "yaxis": yref, "hovertemplate": "%{text}<extra></extra>",
             "showlegend": False}
    traces = [trace]
    if highlight is not None and highlight_col is not None:
        traces.append({"type": "scatter", "mode": "markers", "x": [highlight_col],
                       "y": [-highlight], "xaxis": xref, "yaxis": yref, "hoverinfo": "skip",
                       "marker": {"symbol": "square-open", "size": 44, "color": "#111111",
                                  "line": {"width": 3}}, "showlegend": False})
    # A column cut to MAX_NEURONS says so under its title (it hid 48 of 64 values silently).
    notes = [{"text": title + (f"<br><span style='font-size:9px'>{MAX_NEURONS} of {n}</span>"
                               if (n := np.size(v)) > MAX_NEURONS else ""),
              "x": c, "y": 0.9, "xref": xref, "yref": yref, "showarrow": False,
              "yanchor": "bottom", "font": {"size": 11}} for c, (title, v) in enumerate(columns)]
    return traces, notes, scale


def backprop_figure(trace: Any, title: str = "") -> SpecFigure:
    """Forward pass (left) and backward pass (right) of one example, every number shown (the
    first ``MAX_NEURONS`` of a wider layer, its column titled "16 of 64")."""
    fwd, bwd = forward_columns(trace), backward_columns(trace)
    rows = max(min(len(np.ravel(v)), MAX_NEURONS) for _, v in fwd + bwd)
    split = len(fwd) / (len(fwd) + len(bwd))
    t1, n1, _ = _cells(fwd, "x", "y", int(trace.label), len(fwd) - 2)
    t2, n2, _ = _cells(bwd, "x2", "y2", int(trace.label), 0)
    height = 150 + 44 * rows
    layout = base_layout(height)
    yr = [-rows + 0.4, 1.9]
    layout.update(
        title={"text": title, "x": 0.01, "font": {"size": 14}}, showlegend=False,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={"domain": [0, split - 0.03], "range": [-0.6, len(fwd) - 0.4], "visible": False,
               "fixedrange": True},
        yaxis={"range": yr, "visible": False, "fixedrange": True},
        xaxis2={"domain": [split + 0.03, 1], "range": [-0.6, len(bwd) - 0.4], "visible": False,
                "fixedrange": True, "anchor": "y2"},
        yaxis2={"range": yr, "visible": False, "fixedrange": True, "anchor": "x2"},
        annotations=n1 + n2 + [
            {"text": "<b>forward →</b>", "x": 0, "y": 1.02, "xref": "paper", "yref": "paper",
             "showarrow": False, "xanchor": "left", "yanchor": "bottom"},
            {"text": "<b>← backward (gradients)</b>", "x": split + 0.03, "y": 1.02,
             "xref": "paper", "yref": "paper", "showarrow": False, "xanchor": "left",
             "yanchor": "bottom"}])
    return SpecFigure({"data": t1 + t2, "layout": layout})


def layer_rows(trace: Any) -> list[dict[str, Any]]:
    """One row per layer (top first, as the gradient flows): the size of its blame.

    ``|dL/dW|`` Frobenius norm, the largest single weight gradient and where it sits.
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
                     "that weight": f"input {k + 1} → neuron {j + 1}",
                     "its value w": float(np.asarray(layer.weight)[j, k])})
    return rows


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
        rf"L = -\log p_{{y}} = -\log {p[y]:.4g} = {trace.loss:.4f}\qquad (y = {y})",
        r"\frac{\partial L}{\partial z} = p - \mathrm{onehot}(y) = " + gvec,
        r"\frac{\partial L}{\partial W_l} = \Big(\frac{\partial L}{\partial z_l}\Big)^{\!\top}"
        r" a_{l-1},\quad \frac{\partial L}{\partial b_l} = \frac{\partial L}{\partial z_l},\quad"
        r" \frac{\partial L}{\partial a_{l-1}} = \frac{\partial L}{\partial z_l} W_l,\quad"
        r" \frac{\partial L}{\partial z_{l-1}} = \frac{\partial L}{\partial a_{l-1}} \odot"
        r" \mathrm{act}'(z_{l-1})",
    ]

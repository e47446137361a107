"""The concepts tour's loss curves (``viz.concepts.curves_figure``): every figure names what it
draws, and a faint raw curve can carry a thick smoothed one with a dot where it ends."""

from __future__ import annotations

import numpy as np

from viz.concepts import curves_figure

X = np.arange(11) / 10.0
Y = np.geomspace(1.0, 1e-3, 11)


def test_a_single_curve_still_has_its_legend() -> None:
    """Section 8 drew one SGD line and Plotly hides the legend of a lone trace: nothing said
    which optimizer it was."""
    fig = curves_figure([{"optimizer": "sgd", "label": "SGD (η 0.05, batch 10)", "x": X,
                          "y": Y}], "step", "loss − minimum")
    assert fig.layout.showlegend is True
    assert fig.data[0].name == "SGD (η 0.05, batch 10)" and fig.data[0].showlegend is True


def test_faint_raw_and_thick_mean_with_an_end_dot() -> None:
    fig = curves_figure([
        {"optimizer": "adam", "label": "Adam, each step", "x": X, "y": Y, "width": 1,
         "opacity": 0.45, "legend": False},
        {"optimizer": "adam", "label": "Adam", "x": X[5:], "y": Y[5:], "width": 3.5,
         "end_marker": True},
    ], "epoch", "loss − minimum", note="thick: mean of the last 5 epochs")
    raw, mean = fig.data
    assert raw.opacity == 0.45 and raw.showlegend is False and raw.mode == "lines"
    assert raw.line.color == mean.line.color  # one colour per optimizer
    assert mean.line.width > raw.line.width and mean.mode == "lines+markers"
    sizes = list(mean.marker.size)
    assert sizes[-1] > 0 and not any(sizes[:-1])  # a dot on the last point only
    assert [a.text for a in fig.layout.annotations] == ["thick: mean of the last 5 epochs"]


def test_plain_curves_are_unchanged() -> None:
    fig = curves_figure([{"optimizer": "sgd", "label": "SGD", "x": X, "y": Y}], "epoch", "loss")
    (trace,) = fig.data
    assert trace.mode == "lines" and trace.opacity in (None, 1.0) and trace.line.width == 2
    assert not fig.layout.annotations

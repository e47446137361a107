"""The step-by-step back-propagation view and the network's landscape figures."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from landscape import nn_landscape
from landscape.datasets import make_dataset
from landscape.network import MLP
from optimizers import get_optimizer, run
from viz.network_backprop import (
    backprop_figure,
    backward_columns,
    forward_columns,
    layer_rows,
    output_latex,
)
from viz.network_landscape import interpolation_figure, log_loss, pca_figure, slices_figure


@pytest.fixture(scope="module")
def net() -> MLP:
    X, y = make_dataset("spirals", 90, 0.05, 0, n_classes=3)
    return MLP(X, y, hidden=(6, 20), activation="relu")


@pytest.fixture(scope="module")
def trace(net):
    theta = net.init_params(1)
    return net.backprop_trace(theta, net.X[4], int(net.y[4]))


def test_columns_follow_the_forward_and_backward_pass(trace) -> None:
    fwd = forward_columns(trace)
    assert len(fwd) == 1 + 2 * 2 + 3  # x, (z, a) per hidden layer, logits, p, loss
    np.testing.assert_allclose(fwd[-2][1].sum(), 1.0)  # softmax probabilities
    assert fwd[-1][1][0] == pytest.approx(-np.log(trace.probs[trace.label]))
    bwd = backward_columns(trace)
    onehot = np.eye(3)[trace.label]
    np.testing.assert_allclose(bwd[0][1], trace.probs - onehot)  # dL/dz = p - y
    # dL/da_2 = dL/dz_3 W_3: the chain rule, checked by hand
    W3 = trace.layers[-1].weight
    np.testing.assert_allclose(bwd[1][1], bwd[0][1] @ W3)
    assert len(bwd) == 1 + 2 * 2 + 1


def test_backprop_figure_writes_every_shown_number(trace) -> None:
    fig = json.loads(json.dumps(backprop_figure(trace).to_dict()))
    cells = [t for t in fig["data"] if t["mode"] == "markers+text"]
    assert len(cells) == 2
    fwd_cells = cells[0]
    # hidden layer 2 has 20 neurons: 16 shown; x 2, z1/a1 6 each, z2/a2 16 each, logits/p 3, loss 1
    assert len(fwd_cells["text"]) == 2 + 6 + 6 + 16 + 16 + 3 + 3 + 1
    p_col = len(forward_columns(trace)) - 2
    shown = [float(t) for x, t in zip(fwd_cells["x"], fwd_cells["text"], strict=True)
             if x == p_col]
    np.testing.assert_allclose(shown, trace.probs, rtol=5e-3)
    # the true class is outlined in the probabilities and in dL/dz
    boxes = [t for t in fig["data"] if t["mode"] == "markers"]
    assert [(b["x"][0], b["y"][0]) for b in boxes] == [(p_col, -trace.label), (0, -trace.label)]
    # the two cut columns (z2, a2: 20 neurons) say so in their titles; the others do not
    cut = [a["text"] for a in fig["layout"]["annotations"] if "16 of 20" in a["text"]]
    assert len(cut) == 4, cut  # z2 and a2 forward, and their gradients backward
    assert "-0" not in cells[0]["text"] + cells[1]["text"]  # a ReLU's -0.0 reads 0


def test_backprop_numbers_are_white_on_the_deepest_cells(trace) -> None:
    """#111 on the deepest blue and red read at ~3:1 (a review): each number is written in
    near-black or white, whichever contrasts more with its cell (WCAG contrast: at least 4.35:1,
    the most #111 and white can both reach on a mid-grey, for every colour of the scale)."""
    from viz.network import DIVERGING
    from viz.style import INK, hex_rgb, relative_luminance, scale_rgb, text_on

    fig = backprop_figure(trace).to_dict()
    for cells in (t for t in fig["data"] if t["mode"] == "markers+text"):
        colours, values = cells["textfont"]["color"], np.array(cells["marker"]["color"], float)
        top = cells["marker"]["cmax"]
        assert len(colours) == len(values)
        deep = np.abs(values) > 0.95 * top
        assert deep.any() and {colours[i] for i in np.flatnonzero(deep)} == {"#FFFFFF"}
        assert {colours[i] for i in np.flatnonzero(np.abs(values) < 0.3 * top)} == {INK}
    u = np.linspace(0, 1, 201)
    back = relative_luminance(scale_rgb(DIVERGING, u))
    ink = [relative_luminance(np.array(hex_rgb(c))) for c in text_on(scale_rgb(DIVERGING, u))]
    ratio = (np.maximum(back, ink) + 0.05) / (np.minimum(back, ink) + 0.05)
    assert ratio.min() >= 4.35


def test_layer_rows_report_the_blame_per_layer(trace) -> None:
    rows = layer_rows(trace)
    assert [r["layer"].split(" (")[0] for r in rows] == ["output layer", "hidden layer 2",
                                                         "hidden layer 1"]
    g = trace.layers[0].grad_weight
    assert rows[-1]["‖∂L/∂W‖"] == pytest.approx(np.linalg.norm(g))
    assert rows[-1]["largest |∂L/∂w|"] == pytest.approx(np.abs(g).max())


def test_output_latex_carries_this_examples_numbers(trace) -> None:
    lines = output_latex(trace)
    assert f"{trace.loss:.4f}" in lines[1]
    assert all(line.count("{") == line.count("}") for line in lines)


@pytest.fixture(scope="module")
def paths(net):
    starts = net.init_params(0)
    return [run(get_optimizer(n, lr=lr), net, starts, 30).points
            for n, lr in (("adam", 0.02), ("sgd", 0.2))]


def test_pca_figure_projects_every_path(net, paths) -> None:
    pca = nn_landscape.pca_slice(net, paths, n=9)
    fig = pca_figure(pca, ["adam", "sgd"], ["A", "S"], ["#D55E00", "#0072B2"]).to_dict()
    contour = [t for t in fig["data"] if t["type"] == "contour"]
    assert len(contour) == 1 and np.asarray(contour[0]["z"], dtype=float).shape == (9, 9)
    lines = [t for t in fig["data"] if t.get("mode") == "lines"]
    assert [len(t["x"]) for t in lines] == [31, 31]
    assert "variance" in fig["layout"]["xaxis"]["title"]["text"]


def test_slices_share_one_colour_range_and_mark_the_centre(net, paths) -> None:
    slices = [nn_landscape.random_slice(net, p[-1], n=7) for p in paths]
    fig = slices_figure(slices, ["A", "S"], ["#D55E00", "#0072B2"]).to_dict()
    contours = [t for t in fig["data"] if t["type"] == "contour"]
    assert len(contours) == 2
    assert contours[0]["zmin"] == contours[1]["zmin"] and contours[0]["zmax"] == contours[1]["zmax"]
    assert [c["showscale"] for c in contours] == [True, False]
    assert contours[1]["xaxis"] == "x2"


def test_interpolation_has_train_and_test_per_optimizer(net, paths) -> None:
    curves = [nn_landscape.interpolation(net, p[0], p[-1], ts=np.linspace(0, 1, 5)) for p in paths]
    fig = interpolation_figure(curves, curves, ["adam", "sgd"], ["A", "S"], ["#1", "#2"]).to_dict()
    assert len(fig["data"]) == 4
    assert [t["line"]["dash"] for t in fig["data"]] == ["solid", "dash"] * 2


def test_log_loss_turns_overflow_into_gaps() -> None:
    z = log_loss(np.array([1.0, 0.0, np.inf, np.nan]))
    assert z[0] == 0 and z[1] == -4 and np.isnan(z[2]) and np.isnan(z[3])


def test_trained_weights_are_not_drawn_as_minima(net, paths) -> None:
    """Diamonds and stars mean local and global minimum on every page; a trained network's
    weights are where a walk ended, drawn like the race's walkers (a dot in its colour)."""
    from viz.style import MINIMUM_GLOBAL, MINIMUM_LOCAL
    pca = nn_landscape.pca_slice(net, paths, n=5)
    slices = [nn_landscape.random_slice(net, p[-1], n=5) for p in paths]
    figs = [pca_figure(pca, ["adam", "sgd"], ["A", "S"], ["#D55E00", "#0072B2"]).to_dict(),
            slices_figure(slices, ["A", "S"], ["#D55E00", "#0072B2"]).to_dict()]
    ends = [t for f in figs for t in f["data"] if "trained" in t.get("hovertemplate", "")]
    assert len(ends) == 4
    for t in ends:
        assert t["marker"]["symbol"] not in (MINIMUM_LOCAL["symbol"], MINIMUM_GLOBAL["symbol"])
        assert t["marker"]["color"] in ("#D55E00", "#0072B2")


# ------------------------------------------------------------------------- phone layout


def _trace(hidden: tuple[int, ...], activation: str):
    X, y = make_dataset("spirals", 90, 0.05, 0, n_classes=3)
    net = MLP(X, y, hidden=hidden, activation=activation)
    return net.backprop_trace(net.init_params(1), net.X[4], int(net.y[4]))


def _line_px(line: str, size: float) -> float:
    """A title line's width; a ``font-size:Npx`` span sets its own size."""
    from viz.network_backprop import text_px

    found = re.search(r"font-size:(\d+)px", line)
    return text_px(line, float(found.group(1)) if found else size)


def _pitch(layout: dict, axis: str, plot_px: float) -> float:
    """Pixels between two columns' centres at ``plot_px`` of plot width."""
    ax = layout[axis]
    return (ax["domain"][1] - ax["domain"][0]) * plot_px / (ax["range"][1] - ax["range"][0])


@pytest.mark.parametrize(("hidden", "activation"), [((16, 16), "tanh"),
                                                     ((64, 64, 64), "sigmoid"), ((), "relu")])
@pytest.mark.parametrize("part", ["forward", "backward", "both"])
def test_backprop_cells_and_titles_never_meet(hidden, activation, part) -> None:
    """On a phone the two passes side by side put 14 columns of fixed 40 px cells in 358 px:
    numbers and titles printed over each other. A phone now draws each pass alone, full width,
    with cells, digits and fonts sized to its columns (a laptop keeps both, 40 px cells while
    they fit): cells, the numbers in them and each line of the column titles stay apart."""
    import re as re_

    from viz.network_backprop import LAPTOP_PLOT_PX, PHONE_PLOT_PX

    plot_px = LAPTOP_PLOT_PX if part == "both" else PHONE_PLOT_PX
    trace = _trace(hidden, activation)
    fig = json.loads(json.dumps(backprop_figure(trace, part=part, plot_px=plot_px).to_dict()))
    layout = fig["layout"]
    cells = _cell_traces(fig)
    assert len(cells) == 2 if part == "both" else 1 <= len(cells) <= 2  # a phone's may wrap
    plot_h = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    bands = []
    for c in cells:
        xa, ya = "xaxis" + c["xaxis"][1:], "yaxis" + c["yaxis"][1:]
        pitch = _pitch(layout, xa, plot_px)
        band = layout[ya].get("domain", [0, 1])
        bands.append(band)
        row_px = (band[1] - band[0]) * plot_h / (layout[ya]["range"][1] - layout[ya]["range"][0])
        size, font = c["marker"]["size"], c["textfont"]["size"]
        assert size <= min(pitch, row_px) - 3, (pitch, row_px, size)  # cells apart
        from viz.network_backprop import text_px

        widest = max(text_px(t, font) for t in c["text"])
        assert widest <= size + 2 and widest <= pitch - 2, (widest, size, pitch)
        heads = sorted((a for a in layout["annotations"] if a["xref"] == c["xaxis"]),
                       key=lambda a: a["x"])
        for a, b in itertools.pairwise(heads):
            la, lb = a["text"].split("<br>"), b["text"].split("<br>")
            for line_a, line_b in zip(la, lb, strict=False):
                half = (_line_px(line_a, a["font"]["size"])
                        + _line_px(line_b, b["font"]["size"])) / 2
                assert half <= pitch - 2, (line_a, line_b, half, pitch)
    if part == "both":
        assert cells[0]["marker"]["size"] == 40 or len(hidden) == 3  # a laptop's look, kept
        assert bands[0] == bands[1] == [0, 1]  # side by side
    else:  # a wrapped pass: its rows one under the other, apart
        for upper, lower in itertools.pairwise(bands):
            assert lower[1] < upper[0]
    # each pass is named at its panel's top left: on a phone, clear of the mode bar (72 px of
    # buttons at the figure's top right)
    names = [a for a in layout["annotations"] if a["xref"] == "paper"]
    assert len(names) == len(cells)
    for a in names:
        assert a["xanchor"] == "left"
        if part != "both":
            assert a["x"] == 0
            assert _line_px(re_.sub(r"</?b>", "", a["text"]), 14) <= plot_px - 80


def test_a_phone_stacks_the_passes_and_each_keeps_its_numbers() -> None:
    trace = _trace((6, 20), "relu")
    both = backprop_figure(trace).to_dict()
    parts = [backprop_figure(trace, part=p, plot_px=300).to_dict() for p in ("forward",
                                                                              "backward")]
    texts = [t["text"] for t in both["data"] if t["mode"] == "markers+text"]
    for fig, values in zip(parts, texts, strict=True):
        cells = _cell_traces(fig)
        assert sum(len(c["text"]) for c in cells) == len(values)
        assert all(c["hovertemplate"].startswith("%{customdata") for c in cells)  # 4 digits
    forward, backward = parts
    assert "forward" in json.dumps(forward["layout"]["annotations"])
    assert "backward" not in json.dumps(forward["layout"]["annotations"])
    assert "backward" in json.dumps(backward["layout"]["annotations"])
    with pytest.raises(ValueError, match="part"):
        backprop_figure(trace, part="sideways")


def _cell_traces(fig: dict) -> list[dict]:
    return [t for t in fig["data"] if t["mode"] == "markers+text"]


@pytest.mark.parametrize("hidden", [(), (16,), (16, 16), (16, 16, 16), (64, 64, 64)])
@pytest.mark.parametrize("part", ["forward", "backward"])
def test_a_phone_writes_every_number_with_three_digits_in_legible_type(hidden, part) -> None:
    """With 3 hidden layers a phone's forward pass put 10 columns in its ~320 px: 27 px cells,
    numbers cut to 2 digits at 8 px, column titles at 8 px. A pass too wide for a phone now wraps
    onto rows of fewer columns: every number in 3 digits at 9 px or more, titles at 9 px or
    more, each row named, every value written once and in order."""
    from viz.network_backprop import MAX_NEURONS, PHONE_PLOT_PX, cell_text

    trace = _trace(hidden, "tanh")
    fig = json.loads(json.dumps(backprop_figure(trace, part=part,
                                                plot_px=PHONE_PLOT_PX).to_dict()))
    columns = (forward_columns if part == "forward" else backward_columns)(trace)
    values = np.concatenate([np.ravel(v)[:MAX_NEURONS] for _, v in columns])
    cells = _cell_traces(fig)
    texts = [t for c in cells for t in c["text"]]
    assert texts == [cell_text(v, 3) for v in values]
    for c in cells:
        assert c["textfont"]["size"] >= 9, c["textfont"]
    titles = [a for a in fig["layout"]["annotations"] if a["xref"] != "paper"]
    assert len(titles) == len(columns)
    assert min(a["font"]["size"] for a in titles) >= 9
    names = [a for a in fig["layout"]["annotations"] if a["xref"] == "paper"]
    assert len(names) == len(cells)  # each row of a wrapped pass says what it is
    assert len(cells) == (2 if part == "forward" and len(hidden) == 3 else 1)
    # one colour, one value: every row of a wrapped pass on the pass's scale (the laptop's)
    laptop = json.loads(json.dumps(backprop_figure(trace).to_dict()))
    whole = _cell_traces(laptop)[0 if part == "forward" else 1]["marker"]["cmax"]
    assert {c["marker"]["cmax"] for c in cells} == {whole}


def test_cell_numbers_are_short_and_never_minus_zero() -> None:
    from viz.network_backprop import cell_text

    assert [cell_text(v) for v in (0.276, -0.0502, 0.000912, -0.0, 1234.5)] == [
        "0.276", "-0.0502", "9.1e-4", "0", "1.23e3"]
    assert [cell_text(v, 2) for v in (0.276, -0.0502, 0.00912, -0.0)] == [
        "0.28", "-0.05", "9e-3", "0"]


def test_a_blown_up_network_s_cells_warn_of_nothing_new(net) -> None:
    """Weights of a diverged run make NaN cells: their text colour is picked without casting
    NaN to a colour (it warned "invalid value encountered in cast")."""
    import warnings

    theta = net.init_params(1) * 1e200
    with np.errstate(all="ignore"):
        trace_ = net.backprop_trace(theta, net.X[4], int(net.y[4]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        backprop_figure(trace_)
    assert not [w for w in caught if "cast" in str(w.message)]


def test_layer_rows_name_no_weight_where_every_gradient_is_zero(net) -> None:
    """A review's point with every ReLU unit off: the table named "input 1 → neuron 1" as the
    largest of all-zero gradients. Now: none, and no value."""
    theta = net.init_params(1).copy()
    first_bias = net.unflatten(theta)[0][1]
    first_bias[...] = -100.0  # every first-layer unit off for any point
    assert np.shares_memory(first_bias, theta)
    rows = layer_rows(net.backprop_trace(theta, net.X[4], int(net.y[4])))
    assert rows[-1]["largest |∂L/∂w|"] == 0 and rows[-1]["that weight"].startswith("none")
    assert rows[-1]["its value w"] is None
    assert all(r["its value w"] is not None for r in layer_rows(
        net.backprop_trace(net.init_params(1), net.X[4], int(net.y[4]))))

"""Figure builders of the neural-network page: structure, and frames that carry only what moves."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from landscape.datasets import make_dataset
from landscape.network import MLP
from optimizers import get_optimizer, run
from viz.network import (
    CURSOR_NAME,
    EDGE_WIDTHS,
    TITLE_CHARS,
    Run,
    class_colorscale,
    encode_classes,
    network_figure,
    training_figure,
)

F = 6  # frames


@pytest.fixture(scope="module")
def trained() -> tuple[MLP, np.ndarray]:
    X, y = make_dataset("two_moons", 120, 0.1, 0)
    net = MLP(X, y, hidden=(5, 4), activation="tanh")
    traj = run(get_optimizer("adam", lr=0.03), net, net.init_params(0), 60)
    return net, traj.points[np.linspace(0, 60, F).astype(int)]


def _run(net: MLP, frames: np.ndarray, name: str, color: str) -> Run:
    _, _, probs = net.decision_surface(frames, n=20)
    loss = net.value(frames)
    acc = net.accuracy(frames)
    return Run(name=name, label=name.upper(), color=color, frames=np.arange(F), probs=probs,
               step_epochs=np.arange(F, dtype=float), step_loss=loss, epoch_train_loss=loss,
               epoch_test_loss=loss * 1.1, epoch_train_acc=acc, epoch_test_acc=acc,
               switch_epoch=2.0 if name == "adam_then_sgd" else None)


@pytest.fixture(scope="module")
def figure(trained) -> dict:
    net, frames = trained
    runs = [_run(net, frames, "adam", "#D55E00"), _run(net, frames[::-1], "adam_then_sgd",
                                                          "#DDAA33")]
    xs, ys, _ = net.decision_surface(frames[:1], n=20)
    return json.loads(json.dumps(training_figure(runs, xs, ys, net.X, net.y).to_dict()))


def test_encode_classes_two_classes_is_p1_in_percent() -> None:
    p1 = np.array([0.0, 0.254, 0.5, 1.0])
    z, zmax = encode_classes(np.stack([1 - p1, p1], axis=-1))
    assert z.tolist() == [0, 25, 50, 100] and zmax == 100


def test_encode_classes_k_classes_puts_class_and_confidence_in_one_number() -> None:
    probs = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.2, 0.8], [0.1, 0.0, 0.9]])
    z, zmax = encode_classes(probs)
    assert zmax == 299
    assert z[0] == 99 and z[1] == 0  # sure class 0, unsure
    assert 200 <= z[2] < z[3] <= 299  # class 2, more sure in the last row
    scale = class_colorscale(3)
    positions = [s[0] for s in scale]
    assert positions == sorted(positions) and positions[0] == 0 and positions[-1] <= 1


def test_training_figure_has_a_heatmap_and_points_per_optimizer_and_four_curves(figure) -> None:
    types = [t["type"] for t in figure["data"]]
    assert types.count("heatmap") == 2
    heat = [t for t in figure["data"] if t["type"] == "heatmap"]
    assert np.asarray(heat[0]["z"]).shape == (20, 20)
    curves = [t for t in figure["data"] if t.get("mode") == "lines" and t.get("legendgroup")]
    assert len(curves) == 2 * 4  # train loss, test loss, train acc, test acc
    assert len(figure["frames"]) == F
    assert figure["layout"]["sliders"][0]["active"] == F - 1  # opens trained
    # the Adam-then-SGD switch is marked in both curve panels
    assert sum(s["type"] == "line" and s.get("name") != CURSOR_NAME
               for s in figure["layout"]["shapes"]) == 2


def test_frames_carry_only_what_moves(figure) -> None:
    data = figure["data"]
    moving = set(figure["frames"][0]["traces"])
    for f in figure["frames"]:
        assert set(f["traces"]) == moving
        assert len(f["data"]) == len(f["traces"])
        for d in f["data"]:
            assert set(d) == {"z"}  # no axes, no colours: only the values change
        # the cursors and dots: only where they are
        assert all(set(m) in ({"x0", "x1"}, {"xanchor", "yanchor", "opacity"})
                   for m in f["layout"]["shapes"])
    assert all(data[i]["type"] == "heatmap" for i in moving)
    static = [i for i, t in enumerate(data) if i not in moving]
    assert all(data[i]["type"] != "heatmap" for i in static)
    # heatmaps need a full redraw, or Plotly drops them during playback
    play = figure["layout"]["updatemenus"][0]["buttons"][0]["args"][1]
    assert play["frame"]["redraw"] is True


#: Trace types Plotly animates (its modules' ``animatable``): a frame plots them before it
#: redraws.
ANIMATABLE = {"scatter", "bar", "funnel", "waterfall", "indicator", "treemap", "sunburst",
              "icicle"}


def test_no_frame_empties_the_decision_panels_before_its_redraw(figure) -> None:
    """A frame that lists an animatable trace (scatter) makes Plotly plot those traces first,
    in every cartesian subplot, and each subplot with none of them loses all its layers (the
    heatmap, the training points); the redraw that puts them back comes a timer later
    (``Plots.transition``: ``setTimeout``), and a paint in between showed the three decision
    maps blank during Play (the markers and the cursor were scatter traces in every frame)."""
    data = figure["data"]
    heat_axes = {(t["xaxis"], t["yaxis"]) for t in data if t["type"] == "heatmap"}
    for f in figure["frames"]:
        listed = [data[i] for i in f["traces"]]
        animated = {(t.get("xaxis", "x"), t.get("yaxis", "y")) for t in listed
                    if t["type"] in ANIMATABLE}
        assert not animated, (f["name"], animated)  # else every panel not in it is emptied
        assert {(t["xaxis"], t["yaxis"]) for t in listed} <= heat_axes


def test_the_dots_and_cursors_follow_the_epoch(figure) -> None:
    """The dots sit on each run's train loss (a log axis: Plotly takes a shape's anchor there
    in data values, as a trace's, not in log10) and test accuracy at the frame's epoch, the
    cursors at the epoch; the layout's are the last frame's."""
    shapes = figure["layout"]["shapes"]
    moving = len(figure["frames"][0]["layout"]["shapes"])
    cursors = [s for s in shapes[:moving] if s.get("name") == CURSOR_NAME]
    dots = [s for s in shapes[:moving] if s["type"] == "path"]
    assert len(cursors) == 2 and len(dots) == 2 * 2 and len(shapes) == moving + 2
    assert all(s["xsizemode"] == s["ysizemode"] == "pixel" for s in dots)
    loss_axis = figure["layout"]["yaxis" + cursors[0]["yref"].split()[0][1:]]
    assert loss_axis.get("type") == "log"
    # the runs' train loss (the fixture's step curves: a point per epoch) and test accuracy
    train = [t for t in figure["data"] if "train loss" in t.get("hovertemplate", "")]
    test_acc = [t for t in figure["data"] if "test accuracy" in t.get("hovertemplate", "")]
    assert len(train) == len(test_acc) == 2
    for f in figure["frames"]:
        e = int(f["name"])
        marks = f["layout"]["shapes"]
        assert marks[0] == marks[1] == {"x0": e, "x1": e}
        for j in range(2):  # per run: its loss dot, then its accuracy dot
            loss_dot, acc_dot = marks[2 + 2 * j], marks[3 + 2 * j]
            assert loss_dot["xanchor"] == acc_dot["xanchor"] == e
            assert loss_dot["opacity"] == acc_dot["opacity"] == 1
            assert loss_dot["yanchor"] == pytest.approx(train[j]["y"][e], rel=1e-3)
            assert acc_dot["yanchor"] == pytest.approx(test_acc[j]["y"][e], rel=1e-3)
    for j in range(2):
        assert dots[2 * j]["legendgroup"] == dots[2 * j + 1]["legendgroup"]  # hide together
    last = figure["frames"][-1]["layout"]["shapes"]
    assert [{k: s[k] for k in m} for s, m in zip(shapes, last, strict=False)] == last
    # the last epoch's dots sit inside their panels (shapes are clipped at a panel's edge:
    # they were cut in half there)
    from viz.network import EPOCH_PAD

    end = int(figure["frames"][-1]["name"])
    for c in cursors:
        lo, hi = figure["layout"]["xaxis" + c["xref"][1:]]["range"]
        assert lo == -EPOCH_PAD * end and hi == pytest.approx((1 + EPOCH_PAD) * end)


def test_frames_follow_training_and_the_last_frame_is_the_initial_view(figure) -> None:
    heat = [i for i, t in enumerate(figure["data"]) if t["type"] == "heatmap"]
    first, last = figure["frames"][0], figure["frames"][-1]
    z_first = first["data"][first["traces"].index(heat[0])]["z"]
    z_last = last["data"][last["traces"].index(heat[0])]["z"]
    assert z_first != z_last
    assert z_last == figure["data"][heat[0]]["z"]
    titles = [a["text"] for a in last["layout"]["annotations"]]
    assert "epoch 5" in titles[0] and "ADAM" in titles[0]


def test_titles_fit_a_phone(trained) -> None:
    """On a phone (a third of ~350 px per panel) "Adam, then SGD (lr 0.01, then 0.1)" and
    "epoch 40: train 97%, test 99%" ran into the next panel's title, and the curves' titles
    ("Loss: train (solid, every step) and test (dashed)") into each other: every line of a
    title now holds at most TITLE_CHARS characters, and the curve titles are a word and a key."""
    import dataclasses
    import re

    net, frames = trained
    runs = [dataclasses.replace(_run(net, frames, name, "#D55E00"), label=label) for name, label in
            (("adam_then_sgd", "Adam, then SGD (lr 0.01, then 0.1)"),
             ("nesterov", "Nesterov momentum (lr 0.003)"))]
    xs, ys, _ = net.decision_surface(frames[:1], n=20)
    figure = training_figure(runs, xs, ys, net.X, net.y).to_dict()
    notes = [a["text"] for f in figure["frames"] for a in f["layout"]["annotations"]]
    lines = [re.sub(r"<[^>]+>", "", line) for text in notes for line in text.split("<br>")]
    panel_lines = [line for line in lines if "switch" not in line and "train ·" not in line
                   and line not in ("Loss", "Accuracy")]
    assert max(map(len, panel_lines)) <= TITLE_CHARS <= 12, panel_lines
    # each key says which curve its moving dot marks: the train loss, the test accuracy
    assert {"Loss", "Accuracy", "— train · ‒ ‒ test · ● on train",
            "— train · ‒ ‒ test · ● on test"} <= set(lines)
    assert {"Adam,", "then SGD", "Nesterov", "momentum"} <= set(lines)  # names in two lines
    acc_axis = next(v for k, v in figure["layout"].items()
                    if k.startswith("yaxis") and v.get("tickformat") == ".0%")
    assert "title" not in acc_axis  # it sat in the gap, over the loss curves


def test_default_page_sized_figure_stays_under_the_json_budget(trained) -> None:
    net, frames = trained
    params = np.repeat(frames, 7, axis=0)[:41]
    xs, ys, probs = net.decision_surface(params, n=60)
    loss = net.value(params)
    acc = net.accuracy(params)
    runs = [Run(name=n, label=n, color="#000000", frames=np.arange(41), probs=probs,
                step_epochs=np.linspace(0, 40, 400), step_loss=np.resize(loss, 400),
                epoch_train_loss=loss, epoch_test_loss=loss, epoch_train_acc=acc,
                epoch_test_acc=acc) for n in ("adam", "sgd", "adam_then_sgd")]
    size = len(json.dumps(training_figure(runs, xs, ys, net.X, net.y).to_dict(),
                          separators=(",", ":")))
    assert size < 2_000_000, size


# ------------------------------------------------------------------------- network drawing


@pytest.fixture(scope="module")
def drawing(trained) -> tuple[dict, list, list]:
    net, frames = trained
    weights, grads = net.unflatten(frames), net.unflatten(net.grad(frames))
    fig = network_figure(net.layer_sizes, weights, grads, np.arange(F), "title", "tanh")
    return json.loads(json.dumps(fig.to_dict())), weights, grads


def _edges(traces: list[dict]) -> list[tuple]:
    out = []
    for t in traces:
        xs, ys = t["x"], t["y"]
        out += [(xs[i], ys[i], xs[i + 1], ys[i + 1]) for i in range(0, len(xs), 3)]
    return out


def test_only_neurons_with_a_bias_say_one_on_hover(drawing) -> None:
    """Inputs have no bias: their hover said "bias 0" (a teacher's review)."""
    fig, _, _ = drawing
    nodes = next(t for t in fig["data"] if t["mode"] == "markers")
    hovers = dict(zip(nodes["text"], nodes["hovertemplate"], strict=True))
    assert [h for n, h in hovers.items() if n.startswith("input")] == ["%{text}<extra></extra>"] * 2
    assert all("bias %{marker.color" in h for n, h in hovers.items() if not n.startswith("input"))


def test_every_edge_is_drawn_once_in_every_frame(drawing) -> None:
    fig, weights, _ = drawing
    n_edges = sum(W.shape[-1] * W.shape[-2] for W, _ in weights)  # 2*5 + 5*4 + 4*2
    lines = [t for t in fig["data"] if t["mode"] == "lines"]
    assert len(_edges(lines)) == n_edges == 38
    for f in fig["frames"]:
        edge_data = [d for d in f["data"] if "x" in d]
        assert len(_edges(edge_data)) == n_edges
        assert len(set(_edges(edge_data))) == n_edges


def test_edge_colour_is_the_weight_sign_and_width_the_gradient(drawing) -> None:
    fig, weights, grads = drawing
    lines = [t for t in fig["data"] if t["mode"] == "lines"]
    # the first layer's weights, last frame: edge from input i (x=0) to hidden j (x=1)
    W, G = weights[0][0][-1], np.abs(grads[0][0][-1])
    ys_in, ys_hid = np.arange(2) - 0.5, np.arange(5) - 2.0
    widest = np.unravel_index(np.argmax(G), G.shape)
    for t in lines:
        for x0, y0, _, y1 in _edges([t]):
            if x0 != 0:
                continue
            i, j = int(np.argmin(np.abs(ys_in - y0))), int(np.argmin(np.abs(ys_hid - y1)))
            positive = t["line"]["color"].startswith("rgba(33,102,172")
            assert positive == (W[j, i] >= 0)
            if (j, i) == widest:
                assert t["line"]["width"] >= EDGE_WIDTHS[-2]


def test_drawing_frames_carry_edges_biases_and_the_epoch_only(drawing) -> None:
    fig, _, _ = drawing
    n_traces = len(fig["data"])
    for f in fig["frames"]:
        assert f["traces"] == list(range(n_traces))  # the look traces, neurons, epoch counter
        assert set(f["data"][-2]) == {"marker"}
        # the epoch shown: the slider's handle moves only at its marks
        assert f["data"][-1] == {"text": [f"epoch {f['name']}"]}
        assert all(set(d) == {"x", "y"} for d in f["data"][:-2])
    play = fig["layout"]["updatemenus"][0]["buttons"][0]["args"][1]
    assert play["frame"]["redraw"] is False  # scatter-only: the fast path works


def test_wide_layers_show_the_first_neurons_and_say_so() -> None:
    X, y = make_dataset("two_moons", 60, 0.1, 0)
    net = MLP(X, y, hidden=(40,))
    theta = net.init_params(0)[None]
    fig = network_figure(net.layer_sizes, net.unflatten(theta), net.unflatten(net.grad(theta)),
                         np.arange(1), "t", "relu", max_neurons=16).to_dict()
    assert len(_edges([t for t in fig["data"] if t["mode"] == "lines"])) == 2 * 16 + 16 * 2
    assert any("16 of 40 shown" in a["text"] for a in fig["layout"]["annotations"])


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_boundary_panels_tile_without_overlap(trained, n) -> None:
    net, frames = trained
    runs = [_run(net, frames, f"opt{i}", "#000000") for i in range(n)]
    xs, ys, _ = net.decision_surface(frames[:1], n=20)
    layout = training_figure(runs, xs, ys, net.X, net.y).to_dict()["layout"]
    boxes = []
    for i in range(n):
        key = "" if i == 0 else str(i + 1)
        (x0, x1), (y0, y1) = layout[f"xaxis{key}"]["domain"], layout[f"yaxis{key}"]["domain"]
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
        boxes.append((x0, x1, y0, y1))
    for a in range(n):
        for b in range(a + 1, n):
            (ax0, ax1, ay0, ay1), (bx0, bx1, by0, by1) = boxes[a], boxes[b]
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0
    widths = [b[1] - b[0] for b in boxes]
    assert max(widths) - min(widths) < 0.01 and max(widths) <= 0.34  # never a stretched panel


def test_example_map_rings_the_followed_point_and_numbers_every_point(trained) -> None:
    from viz.network import example_figure

    net, frames = trained
    xs, ys, probs = net.decision_surface(frames[-1], n=15)
    fig = example_figure(xs, ys, probs, net.X, net.y, chosen=7).to_dict()
    heat, points, ring = fig["data"]
    assert np.asarray(heat["z"]).shape == (15, 15)
    assert points["customdata"] == list(range(net.n_samples))  # a click names its point
    assert (ring["x"][0], ring["y"][0]) == (points["x"][7], points["y"][7])


def test_loss_ticks_are_labelled_whatever_the_range(trained) -> None:
    from dataclasses import replace

    from viz.network import loss_ticks

    net, frames = trained
    run_ = _run(net, frames, "sgd", "#0072B2")
    wide = replace(run_, step_loss=np.array([0.7, 0.01]), epoch_test_loss=np.array([0.7, 0.02]))
    narrow = replace(run_, step_loss=np.array([0.7, 0.5]), epoch_test_loss=np.array([0.69, 0.6]))
    ticks = loss_ticks([wide])["tickvals"]
    assert sum(0.01 <= t <= 0.7 for t in ticks) >= 4
    # Plotly's own finer ticks label a narrow range, written whole (2×10⁻¹, not a bare 2)
    axis = loss_ticks([narrow])
    assert {k: axis[k] for k in ("type", "exponentformat", "minorloglabels")} == {
        "type": "log", "exponentformat": "power", "minorloglabels": "complete"}
    assert "tickvals" not in axis
    assert loss_ticks([wide])["type"] == "log"
    # an exploding run: big losses read as powers of ten ("5×10⁸"), never "5e+08"
    huge = replace(run_, step_loss=np.array([0.7, 3e8]), epoch_test_loss=np.array([0.7, 2e8]))
    text = loss_ticks([huge])["ticktext"]
    assert "5×10⁸" in text and "0.5" in text
    assert not any("e+" in t or "e-" in t for t in text)


def test_a_stuck_loss_is_drawn_flat_not_zoomed_onto_its_noise(trained) -> None:
    """No hidden layer on XOR: the loss stays at ln 2 +- 0.002, and Plotly's autorange made
    0.6895..0.6935 fill the panel. The axis spans at least a factor 2, centred on the values;
    a wider narrow range keeps a margin around them."""
    from dataclasses import replace

    from viz.network import loss_ticks

    net, frames = trained
    run_ = _run(net, frames, "sgd", "#0072B2")
    noise = 0.6931 + 0.002 * np.sin(np.arange(200))
    stuck = replace(run_, step_loss=noise, epoch_test_loss=noise[::5])
    lo, hi = loss_ticks([stuck])["range"]
    assert loss_ticks([stuck])["autorange"] is False
    assert hi - lo == pytest.approx(np.log10(2))
    assert lo < np.log10(0.6911) and np.log10(0.6951) < hi
    assert (np.log10(0.6951) - np.log10(0.6911)) / (hi - lo) < 0.02  # the noise: 2 % of it
    slow = replace(run_, step_loss=np.array([0.7, 0.3]), epoch_test_loss=np.array([0.6, 0.35]))
    lo, hi = loss_ticks([slow])["range"]
    assert lo < np.log10(0.3) and np.log10(0.7) < hi and hi - lo > np.log10(0.7 / 0.3)


def _even_frames(epochs: int, most: int = 41) -> np.ndarray:
    """Epochs shown as frames the way the page picks them: all, or evenly thinned to ``most``."""
    return np.unique(np.rint(np.linspace(0, epochs, min(epochs + 1, most))).astype(int))


@pytest.mark.parametrize(("epochs", "marks"), [(40, range(0, 41, 5)), (100, range(0, 101, 10)),
                                               (500, range(0, 501, 50)), (7, range(8))])
def test_the_epoch_sliders_read_round_epochs_up_to_the_last(epochs, marks) -> None:
    """Both animations' sliders offer the frames at round epochs (``viz.playback.slider_marks``),
    each going to its own frame; they read 0, 8, 15, 22 ... 98 for 100 epochs and 0, 3 ... 39 for
    40."""
    X, y = make_dataset("two_moons", 60, 0.1, 0)
    net = MLP(X, y, hidden=(3,))
    frames_e = _even_frames(epochs)
    theta = np.repeat(net.init_params(0)[None], len(frames_e), axis=0)
    drawing = network_figure(net.layer_sizes, net.unflatten(theta), net.unflatten(net.grad(theta)),
                             frames_e, "t", "tanh").to_dict()
    _, _, probs = net.decision_surface(theta, n=8)
    loss, acc = net.value(theta), net.accuracy(theta)
    full = np.interp(np.arange(epochs + 1), frames_e, loss)
    run_ = Run(name="adam", label="Adam", color="#D55E00", frames=frames_e, probs=probs,
               step_epochs=frames_e.astype(float), step_loss=loss, epoch_train_loss=full,
               epoch_test_loss=full, epoch_train_acc=np.interp(np.arange(epochs + 1), frames_e,
                                                               acc),
               epoch_test_acc=np.interp(np.arange(epochs + 1), frames_e, acc))
    xs, ys, _ = net.decision_surface(theta[:1], n=8)
    training = training_figure([run_], xs, ys, net.X, net.y).to_dict()
    for fig in (drawing, training):
        slider = fig["layout"]["sliders"][0]
        assert [s["label"] for s in slider["steps"]] == [str(e) for e in marks]
        assert [s["args"][0] for s in slider["steps"]] == [[str(e)] for e in marks]
        assert slider["active"] == len(slider["steps"]) - 1
        assert {f["name"] for f in fig["frames"]} >= {str(e) for e in marks}


# ------------------------------------------------------------------------- phone layout


def _training_layout(trained, n: int, phone: bool = False, labels: list[str] | None = None,
                     ) -> tuple[dict, np.ndarray, np.ndarray]:
    import dataclasses

    net, frames = trained
    runs = [_run(net, frames, f"opt{i}", "#000000") for i in range(n)]
    if labels:
        runs = [dataclasses.replace(r, label=lab) for r, lab in zip(runs, labels, strict=True)]
    xs, ys, _ = net.decision_surface(frames[:1], n=20)
    fig = training_figure(runs, xs, ys, net.X, net.y, phone=phone).to_dict()
    return json.loads(json.dumps(fig))["layout"], xs, ys


def _panel_px(layout: dict, i: int, plot_w: float) -> tuple[float, float]:
    """Planned width and height (px) of panel i's cell on a ``plot_w`` px wide plot."""
    key = "" if i == 0 else str(i + 1)
    plot_h = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    (x0, x1), (y0, y1) = layout[f"xaxis{key}"]["domain"], layout[f"yaxis{key}"]["domain"]
    return (x1 - x0) * plot_w, (y1 - y0) * plot_h


@pytest.mark.parametrize("phone", [False, True])
@pytest.mark.parametrize("n", [1, 3, 8])
def test_boundary_panels_draw_x_and_y_at_one_scale(trained, n, phone) -> None:
    """A phone's column squeezed three panels a row into ~80 x 255 px: the data was stretched
    3x vertically. Each panel's y axis is now locked to its x axis (one scale, the panel shrinks
    inside its cell), and the cell planned for it has the data's shape."""
    from viz.network import DESIGN_PLOT_PX, PHONE_PLOT_PX

    layout, xs, ys = _training_layout(trained, n, phone)
    ratio = (ys[-1] - ys[0]) / (xs[-1] - xs[0])
    for i in range(n):
        key, ref = ("", "x") if i == 0 else (str(i + 1), f"x{i + 1}")
        xa, ya = layout[f"xaxis{key}"], layout[f"yaxis{key}"]
        assert ya["scaleanchor"] == ref and ya.get("scaleratio", 1) == 1
        assert xa["constrain"] == ya["constrain"] == "domain"
        assert ya["constraintoward"] == "top"  # under its title
        w, h = _panel_px(layout, i, PHONE_PLOT_PX if phone else DESIGN_PLOT_PX)
        assert h / w == pytest.approx(ratio, rel=0.05), (i, w, h)


def test_a_phone_gets_one_wide_panel_a_row_and_the_curves_one_over_the_other(trained) -> None:
    """On a phone: one panel a row across the column (not a third of it), and the accuracy under
    the loss (beside it, in 112 px, its "100%" ticks ran into the loss plot)."""
    from viz.network import PHONE_PLOT_PX

    layout, _, _ = _training_layout(trained, 3, phone=True)
    tops = []
    for i in range(3):
        key = "" if i == 0 else str(i + 1)
        assert layout[f"xaxis{key}"]["domain"] == [0.0, 1.0]
        w, h = _panel_px(layout, i, PHONE_PLOT_PX)
        assert w >= 280 and h >= 150, (w, h)  # was ~80 x 255
        tops.append(layout[f"yaxis{key}"]["domain"])
    assert all(a[0] > b[1] for a, b in itertools.pairwise(tops))  # top to bottom
    loss_x, acc_x = layout["xaxis4"], layout["xaxis5"]
    loss_y, acc_y = layout["yaxis4"], layout["yaxis5"]
    assert loss_x["domain"] == acc_x["domain"] == [0.0, 1.0]
    plot_h = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    assert (loss_y["domain"][0] - acc_y["domain"][1]) * plot_h >= 90  # ticks, titles between
    assert loss_y["domain"][0] < tops[-1][0]
    # the loss axis's title is the curve's own title on a phone (the margin holds the ticks)
    assert "title" not in loss_y
    assert any(a["text"].startswith("Cross-entropy loss") for a in layout["annotations"])


@pytest.mark.parametrize(("phone", "labels", "below"), [
    (True, None, True),  # a phone's mode bar covers most of its width
    (False, None, False),  # three short entries keep a laptop's top row, left of the mode bar
    (False, [f"Optimizer number {i} (lr 0.001)" for i in range(8)], True),
])
def test_the_legend_starts_under_the_mode_bar_when_it_would_reach_it(trained, phone, labels,
                                                                     below) -> None:
    """On a phone the legend sat under Plotly's mode bar (the figure's top right, 30 px)."""
    from viz.network import LEGEND_ROW_PX, MODEBAR_PX, legend_rows
    from viz.race_layout import BUTTONS_PX

    n = len(labels) if labels else 3
    layout, _, _ = _training_layout(trained, n, phone, labels)
    legend, height = layout["legend"], layout["height"]
    assert legend["yref"] == "container" and legend["yanchor"] == "top"
    top_px = (1 - legend["y"]) * height
    if below:
        assert top_px >= MODEBAR_PX - 0.5
        rows, _ = legend_rows(labels or ["OPT0"] * n, 300 if phone else 720)
        assert layout["margin"]["t"] >= MODEBAR_PX + rows * LEGEND_ROW_PX + BUTTONS_PX
    else:
        assert top_px == 0


def test_the_epoch_slider_leaves_room_for_the_tables_toolbar(figure) -> None:
    """The slider's value, rail, ticks and labels take ~98 px under the plot; Streamlit's toolbar
    over the results table reaches 28 px up into the figure (44 px tall, 16 px gap), and with an
    80 px margin it covered the labels 30 to 40."""
    assert figure["layout"]["margin"]["b"] >= 98 + 28


@pytest.mark.parametrize(("hidden", "activation"), [((16, 16, 16), "tanh"),
                                                     ((64, 64, 64), "sigmoid"), ((), "relu")])
def test_a_phones_layer_labels_stay_apart_and_a_laptop_keeps_its_own(hidden, activation) -> None:
    """On a phone (3 hidden layers: 5 columns ~53 px apart on a ~255 px drawing) "hidden 3
    (tanh, 16)" ran into "output (2 logits) → softmax". A phone writes the labels on short
    lines of 11 px type; the drawing grows to hold their lines above the epoch slider."""
    from viz.network_backprop import text_px

    X, y = make_dataset("two_moons", 60, 0.1, 0)
    net = MLP(X, y, hidden=hidden, activation=activation)
    theta = net.init_params(0)[None]
    args = (net.layer_sizes, net.unflatten(theta), net.unflatten(net.grad(theta)), np.arange(1),
            "t", activation)
    laptop = network_figure(*args).to_dict()["layout"]
    phone = network_figure(*args, phone=True).to_dict()["layout"]
    n_layers = len(net.layer_sizes)
    pitch = 250 / (n_layers - 0.2)  # px between columns on a phone's drawing
    notes = phone["annotations"]
    assert len(notes) == n_layers
    for a, b in itertools.pairwise(notes):
        wa = max(text_px(x, a["font"]["size"]) for x in a["text"].split("<br>"))
        wb = max(text_px(x, b["font"]["size"]) for x in b["text"].split("<br>"))
        assert (wa + wb) / 2 <= pitch - 4, (a["text"], b["text"], pitch)
    # every line sits inside the drawing, above the slider (~14 px a line)
    lines = max(a["text"].count("<br>") + 1 for a in notes)
    y0, _ = phone["yaxis"]["range"]
    plot_h = phone["height"] - phone["margin"]["t"] - phone["margin"]["b"]
    unit = plot_h / (phone["yaxis"]["range"][1] - y0)
    assert (notes[0]["y"] - y0) * unit >= 14 * lines
    # a laptop's labels as they were
    texts = [a["text"] for a in laptop["annotations"]]
    assert texts[0] == "input (2)" and texts[-1] == "output (2 logits)<br>→ softmax"
    if hidden:
        assert texts[1].startswith(f"hidden 1<br>({activation}, {hidden[0]})")
    assert all(a["font"]["size"] == 12 for a in laptop["annotations"])


def test_the_example_map_starts_under_the_mode_bar(trained) -> None:
    """A 5 px top margin put the map's top strip under Plotly's mode bar, where a phone is told
    to tap the points; the map keeps its 290 px."""
    from viz.network import example_figure
    from viz.style import MODEBAR_PX

    net, frames = trained
    xs, ys, probs = net.decision_surface(frames[-1], n=15)
    layout = example_figure(xs, ys, probs, net.X, net.y, chosen=7).to_dict()["layout"]
    assert layout["margin"]["t"] >= MODEBAR_PX
    assert layout["height"] - layout["margin"]["t"] - layout["margin"]["b"] >= 290

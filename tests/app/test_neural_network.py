"""The neural-network page in AppTest: default render, changed controls, URL parameters."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from tests.app.conftest import app_test, shown

PAGE = "app_pages/neural_network.py"
SMALL = {"samples": "200", "epochs": "6", "layers": "6", "batch": "50"}


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def heatmaps(spec: dict) -> list[dict]:
    return [t for t in spec["data"] if t["type"] == "heatmap"]


def results(at):
    return at.dataframe[0].value


def shown_loss_agrees_with_shown_p(at) -> float:
    """The p the step-by-step view prints and the loss it says is −log p: the same p twice, and
    −log of it is the loss to the digits shown (a review found p = 0.002 and loss 6.448, where
    −log 0.002 = 6.21: p was 0.00158). Returns the p shown."""
    text = next(m.value for m in at.markdown if "the network gives it p = " in m.value)
    found = re.search(r"p = ([0-9.e+-]+) \(\*\*(?:right|wrong)\*\*\), so its loss is "
                      r"−log ([0-9.e+-]+) = \*\*([0-9.]+)\*\*", text)
    assert found, text
    p, again, loss = found.groups()
    assert p == again
    assert abs(-np.log(float(p)) - float(loss)) <= 0.006  # 3 significant figures of p
    return float(p)


def loss_caption(at) -> str:
    """The caption under the results table: what the loss columns are (with L2 > 0 the losses
    include (λ/2)·Σw², landscape/network.py)."""
    return next(c.value for c in at.caption if c.value.startswith("Loss is the cross-entropy"))


def test_default_page_trains_three_optimizers_and_draws_every_view() -> None:
    at = app_test(PAGE).run()
    assert not at.exception, at.exception
    assert not at.warning
    figs = charts(at)
    assert len(figs) == 7  # training, drawing, example map, backprop, PCA, random slices, 1D
    assert len(heatmaps(figs[0])) == 3
    assert len(figs[0]["frames"]) == 41  # epochs 0..40
    table = results(at)
    assert list(table["optimizer"]) == ["Adam (lr 0.01)", "SGD (lr 0.1)",
                                        # in epochs, as the chart marks it (a review)
                                        "Adam, then SGD (lr 0.01, then 0.1, switch at epoch 10)"]
    # the figure's legend too, beside its "switch to SGD" line at epoch 10
    assert "Adam, then SGD (lr 0.01, then 0.1, switch at epoch 10)" in {
        t.get("name") for t in figs[0]["data"]}
    assert table["train accuracy"].iloc[0] > 0.95  # Adam fits two moons
    assert at.query_params["layers"] == "16,16"
    assert at.query_params["adam_then_sgd.switch_step"] == "100"  # 10 epochs of 10 steps
    assert any("DNN (2 hidden layers)" in m.value for m in at.markdown)
    assert shown_loss_agrees_with_shown_p(at) < 0.01  # the worst point: a small p
    assert "L2" not in loss_caption(at)  # l2 = 0: the loss is the cross-entropy alone
    # plain words for the switch (the sidebar said "`switch_step` counts steps")
    captions = [c.value for c in at.caption]
    assert any("the switch to SGD comes after 100 steps = 10 epochs of 10 steps each" in c
               for c in captions), captions
    assert not any("switch_step" in c for c in captions)
    # every network scores higher on its 100 test points than on its 300 training points
    assert (table["test accuracy"] > table["train accuracy"]).all()
    note = next(c for c in captions if "Test accuracy above train accuracy" in c)
    assert "chance" in note and "100 points" in note and "1 percentage point" in note
    assert "(**Adam**, **SGD** and **Adam, then SGD**)" in note


def test_the_pca_plane_says_which_trained_networks_lie_off_it() -> None:
    """The plane goes through Adam's trained weights; SGD's and Adam -> SGD's lie ~1.6 off it,
    and the contour under their ● read 0.27 and 0.19 for losses of 0.17 and 0.099 beneath "a
    path may sit slightly off it" (a review). The caption and each ●'s hover give the real loss."""
    at = app_test(PAGE).run()
    pca = charts(at)[4]
    caption = next(c.value for c in at.caption if "plane holds" in c.value)
    assert "SGD's trained weights lie 1.6 off it" in caption, caption
    assert "Adam, then SGD's trained weights lie" in caption and "slightly" not in caption
    assert "Adam's trained weights" not in caption  # the plane's centre: its contour is right
    ends = {t["name"]: t["hovertemplate"] for t in pca["data"]
            if t.get("name", "").endswith(": trained")}
    assert len(ends) == 3 and all("<br>loss " in h for h in ends.values())
    assert sum("the contour here reads" in h for h in ends.values()) == 2


def test_no_hidden_layer_is_the_linear_classifier() -> None:
    at = app_test(PAGE, {**SMALL, "epochs": "20"}).run()
    at.slider(key="nn.depth").set_value(0).run()
    assert not at.exception, at.exception
    assert any("Linear classifier (no hidden layer)" in m.value for m in at.markdown)
    assert at.query_params["layers"] == "0"
    # a straight line cannot separate two moons
    assert results(at)["train accuracy"].max() < 0.95
    assert "first" not in json.dumps(charts(at)[1]["layout"]["annotations"])


def test_wider_deeper_network_and_activation_change_the_run() -> None:
    at = app_test(PAGE, SMALL).run()
    before = results(at)["train loss"].tolist()
    at.slider(key="nn.depth").set_value(2).run()
    at.number_input(key="nn.width.1").set_value(4).run()
    at.radio(key="nn.activation").set_value("relu").run()
    assert not at.exception, at.exception
    assert at.query_params["layers"] == "6,4" and at.query_params["activation"] == "relu"
    assert any("2-6-4-2, relu" in m.value for m in at.markdown)
    assert results(at)["train loss"].tolist() != before


def test_fewer_layers_then_more_bring_back_the_widths() -> None:
    """Streamlit forgets a widget it does not draw: layer 2's width came back as 1 (a one-neuron
    bottleneck) after 2 -> 1 -> 2 hidden layers."""
    at = app_test(PAGE, {**SMALL, "layers": "6,5"}).run()
    at.slider(key="nn.depth").set_value(1).run()
    assert at.query_params["layers"] == "6"
    at.slider(key="nn.depth").set_value(2).run()
    assert not at.exception and at.query_params["layers"] == "6,5"
    at.number_input(key="nn.width.0").set_value(7).run()
    at.slider(key="nn.depth").set_value(0).run()
    at.slider(key="nn.depth").set_value(3).run()  # a layer never set starts at 16
    assert at.query_params["layers"] == "7,5,16"


def test_changing_the_data_set_brings_its_classes_and_noise() -> None:
    at = app_test(PAGE, SMALL).run()
    at.selectbox(key="nn.dataset").set_value("spirals").run()
    assert not at.exception, at.exception
    assert at.query_params["dataset"] == "spirals" and at.query_params["noise"] == "0.05"
    assert at.query_params["classes"] == "2"
    assert heatmaps(charts(at)[0])[0]["zmax"] == 100  # p(class 1) in percent
    at.segmented_control(key="nn.classes").set_value(3).run()
    assert not at.exception, at.exception
    assert at.query_params["classes"] == "3"
    assert heatmaps(charts(at)[0])[0]["zmax"] == 299  # class and confidence in one number
    assert len(results(at)) == 3


def test_choosing_optimizers_changes_the_panels() -> None:
    at = app_test(PAGE, SMALL).run()
    at.multiselect(key="nn.opt").set_value(["adam", "momentum"]).run()
    assert not at.exception, at.exception
    assert len(heatmaps(charts(at)[0])) == 2
    assert at.query_params["optimizers"] == "adam,momentum"
    assert at.query_params["momentum.lr"] == "0.03"  # the network's rate, not the race's


def test_valid_url_parameters_set_the_page() -> None:
    query = {"dataset": "xor", "samples": "160", "noise": "0.2", "layers": "8,4",
             "activation": "relu", "optimizers": "adam,rmsprop", "epochs": "5", "batch": "16",
             "seed": "3", "adam.lr": "0.02", "l2": "0.001"}
    at = app_test(PAGE, query).run()
    assert not at.exception, at.exception
    assert not at.warning, [w.value for w in at.warning]
    assert list(results(at)["optimizer"]) == ["Adam (lr 0.02)", "RMSprop (lr 0.003)"]
    assert len(charts(at)[0]["frames"]) == 6
    for key in ("dataset", "layers", "activation", "epochs", "batch", "seed", "l2"):
        assert at.query_params[key] == query[key]
    assert at.session_state["nn.width.0"] == 8 and at.session_state["nn.width.1"] == 4
    assert "plus the L2 term (λ/2)·Σw² over the weights (λ = 0.001" in loss_caption(at)
    # and the loss axis says the curves hold it (it said "cross-entropy loss" alone)
    titles = [v["title"]["text"] for k, v in charts(at)[0]["layout"].items()
              if k.startswith("yaxis") and "title" in v]
    assert titles == ["cross-entropy loss + L2"]


def test_junk_url_parameters_warn_and_fall_back_without_a_traceback() -> None:
    query = {"dataset": "imagenet", "layers": "99,-1", "activation": "swish", "epochs": "1e9",
             "batch": "-4", "optimizers": "adam,nope", "adam.lr": "banana", "seed": "x",
             "noise": "inf", "l2": "-1", "steps": "10", "classes": "12", "<script>": "1"}
    at = app_test(PAGE, {**query, "samples": "120"}).run()
    assert not at.exception, at.exception
    text = " ".join(w.value for w in at.warning)
    for key in ("dataset", "layers", "activation", "epochs", "batch", "nope", "adam.lr",
                "seed", "noise", "l2", "steps", "classes", "script"):
        assert key in text, key
    assert at.query_params["dataset"] == "two_moons" and at.query_params["layers"] == "16,16"
    assert list(results(at)["optimizer"]) == ["Adam (lr 0.01)"]


def test_backprop_view_follows_the_chosen_example() -> None:
    at = app_test(PAGE, SMALL).run()
    at.number_input(key="nn.bp.example").set_value(3).run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("Point 3 at") for m in at.markdown)
    figs = charts(at)
    ringed = figs[2]["data"][-1]  # the example map rings the followed point
    assert ringed["name"] == "followed point"
    X = figs[2]["data"][1]
    assert (ringed["x"][0], ringed["y"][0]) == (X["x"][3], X["y"][3])
    cells = [t for t in figs[3]["data"] if t["mode"] == "markers+text"]
    assert len(cells) == 2
    assert np.isfinite([float(v) for v in cells[0]["text"]]).all()
    loss_line = next(m.value for m in at.latex if r"-\log p_{y}" in m.value)
    latex_loss = float(re.search(r"= ([0-9.]+)\\qquad", loss_line).group(1))
    point = next(m.value for m in at.markdown if m.value.startswith("Point 3 at"))
    assert f"**{latex_loss:.3f}**" in point  # the same example's numbers in words and in math
    shown_loss_agrees_with_shown_p(at)


def test_one_epoch_reads_in_the_singular_and_a_flat_untrained_network_is_flagged() -> None:
    """A review found "1 epochs" on this page, and a caption that promised a ◆ at the centre of
    each landscape panel where the figure draws a ●; it also praised flat minima without saying
    that a network that has not learned sits on a flat plain too."""
    at = app_test(PAGE, {**SMALL, "epochs": "1", "optimizers": "sgd,adam", "sgd.lr": "0.0001",
                         "batch": "150"}).run()
    assert not at.exception, at.exception
    texts = [e.value for kind in ("caption", "markdown", "info")
             for e in getattr(at, kind)]
    assert not any(re.search(r"\b1 (epochs|steps|networks)\b", t) for t in texts)
    assert any(re.search(r"\b1 step per epoch\b", t) for t in texts)
    slices_caption = next(c.value for c in at.caption if "trained weights" in c.value
                          and "random directions" in c.value)
    assert "●" in slices_caption and "◆" not in slices_caption
    assert "Flatness alone says nothing" in slices_caption
    assert "SGD (lr 0.0001) and Adam (lr 0.01) reach only" in slices_caption  # little learned
    assert re.search(r"under \d+% \(halfway from \d+% to 100%\)", slices_caption)
    assert ") (" not in slices_caption
    slices = charts(at)[5]
    centres = [t for t in slices["data"] if t["type"] == "scatter"]
    assert centres and all(t["marker"]["symbol"] == "circle" for t in centres)


def test_flat_but_untrained_names_only_the_runs_below_an_explicit_mark() -> None:
    """The rule is said in the sentence: a run is flagged when its training accuracy is under the
    mark halfway from the majority-class baseline to 100% (a review found 73% called "not
    learned" while 75% passed unexplained, and "SGD (lr 0.1) (73% ...)" doubled brackets)."""
    from app_pages.common.network import (
        flat_but_untrained,
        learned_mark,
        majority_share,
        poorly_trained,
    )

    assert majority_share(np.array([0, 1, 0, 1])) == 0.5
    assert majority_share(np.array([2, 2, 2, 0])) == 0.75  # always answering class 2
    assert learned_mark(0.5) == 0.75 and learned_mark(1 / 3) == pytest.approx(2 / 3)
    assert poorly_trained(0.73, 0.5) and not poorly_trained(0.75, 0.5)
    assert poorly_trained(float("nan"), 0.5)
    assert flat_but_untrained([("Adam (lr 0.01)", 0.99), ("SGD (lr 0.1)", 0.75)], 0.5) == ""
    one = flat_but_untrained([("Adam (lr 0.01)", 0.99), ("SGD (lr 0.1)", 0.73)], 0.5)
    assert one == (" Always answering the most common class scores 50%; here SGD (lr 0.1) "
                   "reaches only 73% training accuracy, under 75% (halfway from 50% to 100%). "
                   "It has learned little, so the flat picture around it is a plateau, not a "
                   "good minimum.")
    assert ") (" not in one and "Adam" not in one
    two = flat_but_untrained([("A", 0.3), ("B", 0.4), ("C", 0.9)], 0.4)
    assert "here A and B reach only 30% and 40% training accuracy, under 70%" in two
    assert "around them are plateaus, not good minima" in two
    # rounded down and up: a shown accuracy is never "75% ... under 75%"
    assert "only 74% training accuracy, under 75%" in flat_but_untrained([("A", 0.7499)], 0.5)
    assert "under 76% (halfway from 51% to 100%)" in flat_but_untrained([("A", 0.6)], 0.51)


def test_more_points_keep_the_minibatch_size() -> None:
    """The batch slider's maximum follows the points, and a new maximum made it a new widget
    at its minimum: one notch of "Points" turned batch 8 into one-sample SGD."""
    at = app_test(PAGE, {**SMALL, "samples": "400", "batch": "8"}).run()
    assert at.slider(key="nn.batch").value == 8
    at.slider(key="nn.samples").set_value(420).run()
    assert not at.exception
    assert at.slider(key="nn.batch").value == 8 and at.query_params["batch"] == "8"
    at.slider(key="nn.batch").set_value(50).run()
    at.slider(key="nn.samples").set_value(40).run()  # 30 training points: fewer than the batch
    assert at.slider(key="nn.batch").value == 30
    at.slider(key="nn.samples").set_value(400).run()
    assert at.slider(key="nn.batch").value == 50


def test_a_phone_gets_wide_square_panels_and_the_passes_one_over_the_other(monkeypatch) -> None:
    """A browser review at 390 x 844 found the decision panels ~80 x 255 px (data stretched 3x,
    three a row), the accuracy ticks in the loss plot, and the back-propagation's 14 columns of
    40 px cells printed over each other. A phone (user agent "Mobi") now gets one panel a row at
    one scale, the curves one over the other, and the forward and backward passes as two
    figures; a laptop keeps one figure of both."""
    from app_pages.common import controls

    laptop = charts(app_test(PAGE, SMALL).run())
    monkeypatch.setattr(controls, "is_phone", lambda: True)
    at = app_test(PAGE, SMALL).run()
    assert not at.exception, at.exception
    figs = charts(at)
    assert len(figs) == len(laptop) + 1 == 8  # the passes in two figures
    # a phone's first tap on a map is lost (controls.pick): it is told to tap twice
    assert at.number_input(key="nn.bp.example").label.endswith("or tap one twice")
    training = figs[0]["layout"]
    panels = [training[k] for k in ("yaxis", "yaxis2", "yaxis3")]
    assert all(p["scaleanchor"] == ref for p, ref in zip(panels, ("x", "x2", "x3"), strict=True))
    assert [training[k]["domain"] for k in ("xaxis", "xaxis2", "xaxis3")] == [[0.0, 1.0]] * 3
    assert training["xaxis4"]["domain"] == training["xaxis5"]["domain"] == [0.0, 1.0]
    assert training["yaxis4"]["domain"][0] > training["yaxis5"]["domain"][1]  # loss over acc
    assert laptop[0]["layout"]["xaxis"]["domain"][1] <= 0.34  # a laptop: three a row
    # the same runs and epochs as the laptop's (cached) figure
    assert len(figs[0]["frames"]) == len(laptop[0]["frames"])
    assert heatmaps(figs[0])[0]["z"] == heatmaps(laptop[0])[0]["z"]
    forward, backward = figs[3], figs[4]
    both = [t for t in laptop[3]["data"] if t["mode"] == "markers+text"]
    for fig, full in zip((forward, backward), both, strict=True):
        (cells,) = [t for t in fig["data"] if t["mode"] == "markers+text"]
        assert len(cells["x"]) == len(full["x"])  # every number, in its own figure
        columns = max(cells["x"]) + 1
        assert cells["marker"]["size"] * columns <= 340  # cells fit a phone's column
    assert "forward" in json.dumps(forward["layout"]["annotations"])
    assert "backward" in json.dumps(backward["layout"]["annotations"])
    assert [t["mode"] for t in laptop[3]["data"]].count("markers+text") == 2  # laptop: one


def test_a_phone_gets_one_slice_a_row_and_figures_that_grow_with_their_legends(
        monkeypatch) -> None:
    """A browser review on a phone with 8 optimizers and 3 hidden layers: the random slices side
    by side (36 px each), the paths' map and the line plot squeezed by legends of one entry a
    row (fixed heights), the drawing's layer labels run together, and the example map's top
    under the mode bar. The phone's figures are now laid out for it; a laptop keeps its own."""
    from app_pages.common import controls

    query = {**SMALL, "layers": "6,6,6",
             "optimizers": "sgd,momentum,nesterov,adam,rmsprop,adagrad,adamw,lion"}
    laptop = charts(app_test(PAGE, query).run())
    monkeypatch.setattr(controls, "is_phone", lambda: True)
    at = app_test(PAGE, query).run()
    assert not at.exception, at.exception
    figs = charts(at)
    assert len(figs) == len(laptop) + 1 == 8
    drawing, example, pca, slices, interp = figs[1], figs[2], figs[5], figs[6], figs[7]
    (l_drawing, l_example, l_pca, l_slices, l_interp) = (laptop[i] for i in (1, 2, 4, 5, 6))
    contours = [t for t in slices["data"] if t["type"] == "contour"]
    assert len(contours) == 8
    domains = [slices["layout"][f"xaxis{'' if i == 0 else i + 1}"]["domain"] for i in range(8)]
    assert domains == [[0.0, 1.0]] * 8  # one a row, full width
    assert l_slices["layout"]["xaxis"]["domain"][1] <= 0.25  # a laptop: four a row
    assert slices["layout"]["height"] > 2 * l_slices["layout"]["height"]
    assert contours[0]["colorbar"]["orientation"] == "h"
    for fig, lap in ((pca, l_pca), (interp, l_interp)):  # 8 entries: one a row on a phone
        assert fig["layout"]["height"] > lap["layout"]["height"]
        assert fig["layout"]["margin"]["t"] >= 30 + 8 * 19
    assert "<br>" in pca["layout"]["xaxis"]["title"]["text"]  # the long x title, on two lines
    assert "<br>" not in l_pca["layout"]["xaxis"]["title"]["text"]
    labels = [a["text"] for a in drawing["layout"]["annotations"]]
    assert labels[-1] == "output<br>2 logits<br>softmax"
    assert [a["text"] for a in l_drawing["layout"]["annotations"]][-1] == (
        "output (2 logits)<br>→ softmax")
    for fig in (example, l_example):
        assert fig["layout"]["margin"]["t"] >= 30  # the map under the mode bar's row


def test_a_link_opens_the_example_it_names_and_the_page_writes_its_view_back() -> None:
    """The example section (which network, after which epoch, which point) was not in the
    link: a shared link opened the first network's last epoch on its worst point. It is now,
    when it differs from the page's own choice, and a link opens it."""
    at = app_test(PAGE, SMALL).run()
    assert not at.exception
    assert not {"follow", "after_epoch", "point"} & set(at.query_params)  # the page's choice
    epochs = list(at.select_slider(key="nn.bp.epoch").options)
    assert epochs[-1] == "6"
    linked = app_test(PAGE, {**SMALL, "follow": "sgd", "after_epoch": epochs[2],
                             "point": "17"}).run()
    assert not linked.exception and not linked.warning
    assert linked.selectbox(key="nn.bp.opt").value == "sgd"
    assert linked.select_slider(key="nn.bp.epoch").value == int(epochs[2])
    assert linked.number_input(key="nn.bp.example").value == 17
    assert any(m.value.startswith("Point 17 at") for m in linked.markdown)
    assert (linked.query_params["follow"], linked.query_params["after_epoch"],
            linked.query_params["point"]) == ("sgd", epochs[2], "17")
    # the visitor moves back to the last epoch: it leaves the link
    linked.select_slider(key="nn.bp.epoch").set_value(6).run()
    assert "after_epoch" not in linked.query_params and linked.query_params["point"] == "17"


@pytest.mark.parametrize(("key", "value"), [("follow", "lion"), ("follow", "<script>"),
                                            ("after_epoch", "7"), ("after_epoch", "-1"),
                                            ("point", "150"), ("point", "1e3"), ("point", "²")])
def test_a_links_junk_example_view_is_named_and_ignored(key: str, value: str) -> None:
    """A follow that did not train, an epoch not recorded, a point past the training set:
    each is named in a warning and the page shows its own choice."""
    at = app_test(PAGE, {**SMALL, key: value}).run()
    assert not at.exception
    assert any(f"'{key}'" in w.value for w in at.warning), [w.value for w in at.warning]
    assert key not in at.query_params


def test_an_example_view_value_padded_past_the_limit_is_ignored_as_the_warning_says() -> None:
    from app_pages.common.limits import limit

    at = app_test(PAGE, {**SMALL, "follow": "sgd" + " " * limit("url_value_chars")}).run()
    shown = " ".join(w.value for w in at.warning)
    assert "'follow' is longer than" in shown and "not one of" not in shown, shown
    assert "follow" not in at.query_params


def test_a_data_seed_out_of_range_names_its_bound_in_full() -> None:
    at = app_test(PAGE, {**SMALL, "data_seed": "4294967296"}).run()
    shown = " ".join(w.value for w in at.warning)
    assert "from 0 to 4294967295" in shown and "e+09" not in shown, shown


def landscape_side(at) -> int:
    """Points per side of the paths' landscape (the first contour's z)."""
    pca = next(f for f in charts(at) if any(t["type"] == "contour" for t in f["data"]))
    z = next(t["z"] for t in pca["data"] if t["type"] == "contour")
    return len(z) if isinstance(z, list) else int(str(z["shape"]).split(",")[0])


def test_a_link_keeps_the_landscape_resolution_and_the_drawn_network() -> None:
    """A review set "Landscape resolution" to 41, copied the link, and a fresh browser showed
    31 (another landscape); the drawing's "Network trained by" was lost too. Both are in the
    link when they differ from the page's own choice (31, the first optimizer)."""
    at = app_test(PAGE, SMALL).run()
    assert not at.exception and not {"grid", "draw"} & set(at.query_params)
    at.select_slider(key="nn.grid").set_value(41).run()
    at.selectbox(key="nn.draw").set_value("adam_then_sgd").run()
    assert not at.exception, at.exception
    link = {k: at.query_params[k] for k in at.query_params}
    assert (link["grid"], link["draw"]) == ("41", "adam_then_sgd")
    fresh = app_test(PAGE, link).run()
    assert not fresh.exception and not fresh.warning, [w.value for w in fresh.warning]
    assert fresh.select_slider(key="nn.grid").value == 41
    assert fresh.selectbox(key="nn.draw").value == "adam_then_sgd"
    assert landscape_side(fresh) == landscape_side(at) == 41
    assert charts(fresh)[1] == charts(at)[1]  # the same drawing
    fresh.selectbox(key="nn.draw").set_value("adam").run()  # the page's own choice again
    assert "draw" not in fresh.query_params and fresh.query_params["grid"] == "41"


@pytest.mark.parametrize(("key", "value", "valid"), [
    ("grid", "35", "one of 21, 31, 41, 51, 61"), ("grid", "1e9", "one of 21, 31, 41, 51, 61"),
    ("draw", "lion", "adam, sgd, adam_then_sgd")])
def test_a_links_junk_resolution_or_drawing_is_named_and_ignored(key: str, value: str,
                                                                   valid: str) -> None:
    """Junk is named with what is valid, and the page shows its own choice."""
    at = app_test(PAGE, {**SMALL, key: value}).run()
    assert not at.exception
    said = [shown(w.value) for w in at.warning]
    assert any(f"'{key}'" in w and valid in w for w in said), said
    assert key not in at.query_params
    assert at.select_slider(key="nn.grid").value == 31
    assert at.selectbox(key="nn.draw").value == "adam"


def test_a_landscape_over_budget_at_the_fewest_points_is_mapped_coarser_and_says_so(
        monkeypatch) -> None:
    from app_pages.common import network as nn

    # the default page's four grids (3 optimizers) of 31 x 31 at 100 points no longer fit
    monkeypatch.setattr(nn, "LANDSCAPE_PAGE_MACS", 4 * 21 * 21 * 100 * (2 * 16 + 16 * 16 + 32))
    at = app_test(PAGE).run()
    assert not at.exception
    said = [c.value for c in at.caption if "points per side" in c.value]
    assert said and "mapped at 21 points per side" in said[0] and "asked: 31" in said[0], said
    pca = next(f for f in charts(at) if any(t["type"] == "contour" for t in f["data"]))
    z = next(t["z"] for t in pca["data"] if t["type"] == "contour")
    assert (len(z) if isinstance(z, list) else int(str(z["shape"]).split(",")[0])) == 21


def test_eight_optimizers_share_the_page_s_training_and_landscape_budgets(monkeypatch) -> None:
    """The page passes its optimizer count to both budgets: with the budgets shrunk so that 3
    optimizers fit and 8 do not, 8 train with a bigger batch (the note names them) and average
    their nine landscape grids over fewer points."""
    from dataclasses import replace

    from app_pages.common import limits
    from app_pages.common import network as nn

    three = 40 * 10 * nn.step_work(300, 354) * 3  # the default page: 40 epochs x 10 steps, 3 runs
    monkeypatch.setitem(limits.LIMITS, "network_page_work",
                        replace(limits.LIMITS["network_page_work"], value=three))
    grids = 4 * 31 * 31 * (2 * 16 + 16 * 16 + 16 * 2) * 300  # four grids over all 300 points
    monkeypatch.setattr(nn, "LANDSCAPE_PAGE_MACS", grids)
    eight = "sgd,momentum,nesterov,adagrad,rmsprop,adadelta,adam,lion"
    few = app_test(PAGE, {"optimizers": "sgd,adam,adam_then_sgd", "batch": "30"}).run()
    assert not few.exception
    assert not [i for i in few.info if "fewer optimizers" in i.value]
    assert not [c for c in few.caption if "averages the loss over" in c.value]
    many = app_test(PAGE, {"optimizers": eight, "batch": "30"}).run()
    assert not many.exception
    # the batch is raised first, so that the epochs shown still fit
    assert [i for i in many.info if "8 optimizers" in i.value and "fewer optimizers" in i.value]
    assert [c for c in many.caption if "averages the loss over" in c.value]


def test_adam_then_sgd_s_path_lies_under_adam_s_in_the_plane() -> None:
    """It shares Adam's path up to the switch: drawn over it, Adam's path seemed to start where
    the two part (a student's review). The legend keeps the page's order."""
    from tests.app.conftest import charts

    at = app_test(PAGE, {"epochs": "12"}).run()
    pca = next(f for f in charts(at) if any(t["type"] == "contour" for t in f["data"]))
    lines = [t for t in pca["data"] if t.get("mode") == "lines"]
    assert lines[0]["legendgroup"] == "adam_then_sgd"  # drawn first, under the others
    by_rank = sorted(lines, key=lambda t: t["legendrank"])
    assert [t["legendgroup"] for t in by_rank] == ["adam", "sgd", "adam_then_sgd"]


def test_the_results_notes_are_listed_in_full_under_the_table(monkeypatch) -> None:
    """The note column stood empty on the default page (as the lab's sweep table did), and with
    8 optimizers a laptop's cell read "overfits: test los…"."""
    at = app_test(PAGE).run()
    assert "note" not in results(at).columns
    assert not any(m.value.startswith("- **") for m in at.markdown)
    wild = {"optimizers": "sgd,adam", "sgd.lr": "1000", "activation": "relu", "epochs": "5"}
    at = app_test(PAGE, wild).run()
    assert not at.exception, at.exception
    assert "note" not in results(at).columns
    assert any(m.value.startswith("- **SGD (lr 1000)**: diverged at epoch") for m in at.markdown)
    from app_pages.common import controls

    monkeypatch.setattr(controls, "is_phone", lambda: True)
    phone = app_test(PAGE, wild).run()
    assert "note" not in results(phone).columns
    assert any(m.value.startswith("- **SGD (lr 1000)**: diverged at epoch") for m in phone.markdown)


def test_the_two_network_pickers_say_what_each_is_for() -> None:
    """Both read "Network trained by": a phone showed each under the other's figure."""
    at = app_test(PAGE).run()
    labels = {s.key: s.label for s in at.selectbox if s.key in ("nn.draw", "nn.bp.opt")}
    assert labels == {"nn.draw": "Draw the network trained by",
                      "nn.bp.opt": "Follow the example through the network trained by"}


def _worst(at) -> int:
    """The point the example section names as the largest loss at its epoch."""
    return int(next(m.value for m in at.markdown if "The largest loss" in m.value)
               .rsplit("point ", 1)[1].split("'")[0])


def test_the_example_follows_the_worst_point_and_the_last_epoch_until_the_visitor_picks() -> None:
    """A review changed the data set: the example stayed on the old data's worst point, and the
    text read 'Point 41 ... (right) ... The largest loss at this epoch is point 23's'; more
    epochs left 'After epoch' on the old last one. Both follow until the visitor picks; a
    picked point lasts until the data change (another data set's point 41 is another point)."""
    at = app_test(PAGE, SMALL).run()
    assert at.number_input(key="nn.bp.example").value == _worst(at)
    at.selectbox(key="nn.dataset").set_value("xor").run()
    assert not at.exception
    assert at.number_input(key="nn.bp.example").value == _worst(at)
    assert "point" not in at.query_params
    at.slider(key="nn.epochs").set_value(8).run()
    assert at.select_slider(key="nn.bp.epoch").value == 8 and "after_epoch" not in at.query_params
    assert at.number_input(key="nn.bp.example").value == _worst(at)
    # the visitor's own picks stay through a change of training...
    mine = (_worst(at) + 1) % 200
    at.number_input(key="nn.bp.example").set_value(mine).run()
    at.select_slider(key="nn.bp.epoch").set_value(4).run()
    at.slider(key="nn.epochs").set_value(10).run()
    assert at.number_input(key="nn.bp.example").value == mine
    assert at.select_slider(key="nn.bp.epoch").value == 4
    assert (at.query_params["point"], at.query_params["after_epoch"]) == (str(mine), "4")
    # ... and the point goes with the data it was picked in
    at.selectbox(key="nn.dataset").set_value("two_moons").run()
    assert at.number_input(key="nn.bp.example").value == _worst(at)


def test_the_sidebar_says_the_batch_and_epochs_the_page_trained() -> None:
    """Its caption said '150,000 steps in all' while the page trained with batch 3 for 43
    epochs, under the page's limits."""
    at = app_test(PAGE, {"layers": "64,16,16", "activation": "sigmoid", "l2": "0.01",
                         "batch": "1", "epochs": "500"}).run(timeout=120)
    assert not at.exception
    notes = " ".join(i.value for i in at.info)
    said = " ".join(c.value for c in at.sidebar.caption)
    batch = int(notes.split("using batch size ")[1].split()[0].strip(".;,"))
    assert f"(batch {batch})" in said and "Trained:" in said, said
    assert "150,000" not in said
    plain = app_test(PAGE, SMALL).run()
    assert "Trained:" not in " ".join(c.value for c in plain.sidebar.caption)


def test_the_landscape_tab_open_is_in_the_link_and_a_link_opens_it() -> None:
    """A teacher's link always opened "Training paths" (the race keeps its 3D tab)."""
    at = app_test(PAGE, SMALL).run()
    assert "slice" not in at.query_params
    at.session_state["nn.slice"] = "Around each trained network"  # the visitor opens the tab
    at.run()
    assert at.query_params["slice"] == "around"
    linked = app_test(PAGE, {**SMALL, "slice": "line"}).run()
    assert not linked.exception and not linked.warning
    assert linked.session_state["nn.slice"] == "From initial to trained weights"
    assert linked.query_params["slice"] == "line"
    junk = app_test(PAGE, {**SMALL, "slice": "3d"}).run()
    assert any("'slice'" in w.value for w in junk.warning) and "slice" not in junk.query_params


def test_the_results_optimizer_column_is_as_wide_as_its_names() -> None:
    """'Adam, then SGD (lr 0.01, then 0.1, switch at step 100)' was cut at Streamlit's width."""
    import json

    at = app_test(PAGE, {**SMALL, "optimizers": "adam,adam_then_sgd"}).run()
    names = list(results(at)["optimizer"])
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["optimizer"]["width"] >= 6 * max(len(n) for n in names) > 6 * 40


def test_the_switch_to_sgd_keeps_its_epoch_when_the_batch_changes(monkeypatch) -> None:
    """The switch is counted in steps: at a new batch size a switch after 10 epochs came after
    0.3 (batch 1), and a link whose batch the server raised never switched at all (a teacher's
    review). It now keeps its epoch: moved with the slider, and with a raised batch."""
    from dataclasses import replace

    from app_pages.common import limits
    from app_pages.common import network as nn

    at = app_test(PAGE, {**SMALL, "optimizers": "adam_then_sgd"}).run()  # 150 points, batch 50
    assert at.query_params["adam_then_sgd.switch_step"] == "30"  # 10 epochs of 3 steps
    at.sidebar.slider(key="nn.batch").set_value(10).run()  # 15 steps per epoch
    assert not at.exception
    assert at.query_params["adam_then_sgd.switch_step"] == "150"
    assert [c for c in at.caption if "after 150 steps = 10 epochs of 15 steps each" in c.value]

    # room for 6 epochs of batch 10 (15 steps each): a link asking batch 1 is raised to 10
    work = 6 * 15 * nn.step_work(150, 2 * 6 + 6 + 6 * 2 + 2)
    monkeypatch.setitem(limits.LIMITS, "network_page_work",
                        replace(limits.LIMITS["network_page_work"], value=work))
    link = app_test(PAGE, {**SMALL, "optimizers": "adam_then_sgd", "batch": "1",
                           "adam_then_sgd.switch_step": "300"}).run()  # 2 epochs of 150 steps
    assert not link.exception
    assert [i for i in link.info if "using batch size 10" in i.value]
    assert [c for c in link.caption if "after 30 steps = 2 epochs of 15 steps each" in c.value]
    assert "switch at epoch 2" in results(link)["optimizer"].iloc[0]
    assert link.query_params["adam_then_sgd.switch_step"] == "300"  # the link's own, kept


def test_the_example_section_links_back_to_the_tour_s_blame() -> None:
    at = app_test(PAGE, SMALL).run()
    text = next(m.value for m in at.markdown if "Pick a training point" in m.value)
    assert "[concepts tour's section 3](./concepts)" in text


def test_the_switch_comes_back_to_its_step_after_a_round_trip_of_batch_sizes() -> None:
    """A code review: rescaling the last rounded step drifted, 31 steps at 3 per epoch came back
    as 30 through the full batch's 1 step per epoch. The page rescales from the step set."""
    at = app_test(PAGE, {**SMALL, "optimizers": "adam_then_sgd",
                         "adam_then_sgd.switch_step": "31"}).run()  # 3 steps per epoch
    at.sidebar.slider(key="nn.batch").set_value(150).run()  # the full batch: 1 step per epoch
    assert at.query_params["adam_then_sgd.switch_step"] == "10"
    at.sidebar.slider(key="nn.batch").set_value(50).run()
    assert not at.exception and at.query_params["adam_then_sgd.switch_step"] == "31"


def test_a_blown_up_run_is_named_and_its_p_is_never_printed_as_zero() -> None:
    """A review: at lr 1000 the loss climbed to ~1,200 (tanh kept the weights under the divergence
    bound) with no note, the example read "p = 0 … −log 0 = 6722.150", and the zero-blame caption
    blamed ReLU on a tanh network."""
    at = app_test(PAGE, {**SMALL, "epochs": "12", "optimizers": "sgd,adam", "sgd.lr": "1000",
                         "adam.lr": "1000"}).run()
    assert not at.exception, at.exception
    notes = next(m.value for m in at.markdown if "blew up" in m.value)
    assert "**SGD (lr 1000)**: blew up: its training loss ended near" in notes
    assert "**Adam (lr 1000)**: blew up" in notes
    text = next(m.value for m in at.markdown if "the network gives it p = " in m.value)
    found = re.search(r"p = e\^\(−([0-9.]+)\) \(\*\*wrong\*\*\), so its loss is "
                      r"−log e\^\(−([0-9.]+)\) = \*\*([0-9.]+)\*\*", text)
    assert found, text
    assert float(found[1]) == pytest.approx(float(found[3]), rel=1e-4) and found[1] == found[2]
    assert not any("log 0 " in line.value for line in at.latex)
    assert not any("ReLU" in c.value for c in at.caption if "takes no blame" in c.value)
    assert not any("down to chance" in c.value for c in at.caption)  # their accuracy is luck

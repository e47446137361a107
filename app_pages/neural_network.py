"""The neural network: the race's optimizers train a small classifier, side by side.

Reads top to bottom: URL -> controls (data, network, optimizers, training) -> cached training ->
animated decision boundaries and curves -> the network drawing -> one example's forward and
backward pass -> the network's own loss landscape. The whole state lives in the URL
(app_pages/common/network_state.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import optimizers
from app_pages.common import controls
from app_pages.common import network as nn
from app_pages.common.compute import entry
from app_pages.common.lab_state import page_href, registered_page
from app_pages.common.limits import limit
from app_pages.common.network_state import (
    DEFAULT,
    MIN_SAMPLES,
    SLICES,
    VIEW_KEYS,
    ExampleView,
    NetworkState,
    architecture_name,
    example_query,
    landscape_grids,
    n_train,
    network_hparams,
    network_query,
    parse_example_view,
    parse_network_query,
    steps_per_epoch,
    switch_words,
)
from app_pages.common.resync import stop_here
from app_pages.common.words import loss_text, plural, probability_text
from landscape.datasets import DATASETS
from landscape.nn_layers import ACTIVATIONS
from viz.network import example_figure
from viz.network_backprop import PHONE_PLOT_PX, backprop_figure, layer_rows, output_latex
from viz.network_landscape import interpolation_figure, pca_figure, slices_figure
from viz.style import optimizer_color

SPECS = optimizers.OPTIMIZERS
OPT = "nn.opt"
FRAME_MS = 250
CONFIG = controls.CHART
#: The example section follows the worst point and the last epoch until the visitor picks one:
#: the data the picked point belongs to (another data set's point 41 is another point), and
#: whether the epoch was picked. A link's point or epoch counts as picked.
EXAMPLE_FOR, EPOCH_OWN = "nn.bp.example.for", "nn.bp.epoch.own"


def slice_labels() -> dict[str, str]:
    """The landscape's tab labels by their link names (``SLICES``). A phone's ~360 px holds the
    three only with shorter names (the third was cut, behind Streamlit's scroll arrow)."""
    return dict(zip(SLICES, ("Training paths", "Around each network", "Initial → trained")
                    if controls.is_phone() else
                    ("Training paths", "Around each trained network",
                     "From initial to trained weights"), strict=True))


def seed_from_url() -> None:
    """First run of a session: widgets start from the (validated) URL; warnings are kept."""
    state, warnings = parse_network_query(controls.link_query("nn"), SPECS)
    ss = st.session_state
    ss["nn.dataset"] = state.dataset
    ss["nn.samples"] = state.samples
    ss["nn.noise"] = state.noise
    ss["nn.classes"] = state.classes
    ss["nn.data_seed"] = state.data_seed
    ss["nn.depth"] = len(state.hidden)
    for i in range(limit("hidden_layers")):
        ss[f"nn.width.{i}"] = ss[f"nn.width.{i}.held"] = (state.hidden[i] if i < len(state.hidden)
                                                          else 16)
    ss["nn.activation"] = state.activation
    ss["nn.l2"] = state.l2
    ss["nn.epochs"] = state.epochs
    ss["nn.batch"] = ss["nn.batch.held"] = state.batch
    ss["nn.seed"] = state.seed
    controls.preset_optimizers(OPT, state.optimizers, state.hparams)
    ss["nn.grid"] = state.grid
    if state.draw is not None:  # else the page's own choice, the first network (pick_trained)
        ss["nn.draw"] = state.draw
    ss["nn.slice"] = slice_labels()[state.slice_tab]
    ss["nn.warnings"] = warnings
    # the example section's view: checked once the networks are trained (parse_example_view)
    ss["nn.view.pending"] = {k: st.query_params[k] for k in VIEW_KEYS if k in st.query_params}
    ss["nn.view.last"] = dict(ss["nn.view.pending"])  # kept in the link until checked
    ss["nn.seeded"] = True


SWITCH_KEY = f"{OPT}.adam_then_sgd.switch_step"
SWITCH_RANGE = (SPECS["adam_then_sgd"].hparam("switch_step").min,
                SPECS["adam_then_sgd"].hparam("switch_step").max)


def rescaled(switch_step: int, spe_from: int, spe_to: int) -> int:
    """Adam -> SGD's switch step moved to the same epoch at ``spe_to`` steps per epoch."""
    lo, hi = SWITCH_RANGE
    return int(min(max(round(switch_step * spe_to / max(spe_from, 1)), lo), hi))


def keep_switch_epoch(spe: int) -> None:
    """The switch is counted in steps, but the study note's advice (and a student) counts
    epochs: a new batch size moves it to the same epoch at the new steps per epoch (at batch 1
    a switch after 10 epochs came after 0.3). Always from the step the visitor (or the link,
    or the default) set and its steps per epoch, the anchor (``anchor_switch``): rescaling the
    last rounded step drifted (31 steps at 3 per epoch came back as 30 through the full
    batch's 1)."""
    ss = st.session_state
    anchor = ss.get("nn.switch.anchor")  # (step set, its steps per epoch, step last written)
    if anchor is not None and SWITCH_KEY in ss and int(ss[SWITCH_KEY]) == anchor[2]:
        step = rescaled(anchor[0], anchor[1], spe)
        ss[SWITCH_KEY] = step
        ss["nn.switch.anchor"] = (anchor[0], anchor[1], step)


def anchor_switch(spe: int) -> None:
    """After the picker: a switch step the page did not write (the visitor's, a link's, a new
    card's default) becomes the anchor, at this run's steps per epoch."""
    ss = st.session_state
    anchor = ss.get("nn.switch.anchor")
    if SWITCH_KEY in ss and (anchor is None or int(ss[SWITCH_KEY]) != anchor[2]):
        now = int(ss[SWITCH_KEY])
        ss["nn.switch.anchor"] = (now, spe, now)


def on_dataset_change() -> None:
    """A new data set brings its own noise and class count."""
    spec = DATASETS[st.session_state["nn.dataset"]]
    st.session_state["nn.noise"] = spec.default_noise
    st.session_state["nn.classes"] = spec.n_classes


if "nn.seeded" not in st.session_state:
    seed_from_url()
# A phone's column is ~360 px: its figures are laid out for it (the server never learns widths).
phone = controls.is_phone()

controls.page_intro(
    "nn", "Neural network: back-propagation, live",
    "The same optimizers as in the race now **train a small neural network** to separate coloured "
    "points. Each panel shows what one optimizer's network predicts everywhere (pale colours: the "
    "class it would say there, white: unsure); the curves show the loss going down epoch by "
    "epoch. Press **▶ Play** to replay training."
)

with st.sidebar:
    st.header("Data")
    dataset = st.selectbox("Data set", list(DATASETS), key="nn.dataset",
                           format_func=lambda n: DATASETS[n].display_name,
                           on_change=on_dataset_change)
    dspec = DATASETS[dataset]
    st.caption(dspec.description)
    classes = dspec.n_classes
    if dspec.class_options:
        if st.session_state.get("nn.classes") not in dspec.class_options:
            st.session_state["nn.classes"] = dspec.n_classes
        classes = int(st.segmented_control("Classes", list(dspec.class_options),  # required:
                                           key="nn.classes", required=True)  # kept on a click
                      or dspec.n_classes)
    samples = int(st.slider("Points", MIN_SAMPLES, limit("samples"), key="nn.samples", step=20,
                            help="A quarter is held out as the test set."))
    if not 0 <= st.session_state.get("nn.noise", 0) <= dspec.max_noise:
        st.session_state["nn.noise"] = dspec.default_noise
    noise = float(st.slider("Noise", 0.0, float(dspec.max_noise), key="nn.noise", step=0.01))
    data_seed = int(st.number_input("Data seed", 0, 2**32 - 1, key="nn.data_seed", step=1))

    st.header("Network")
    depth = int(st.slider("Hidden layers", 0, limit("hidden_layers"), key="nn.depth",
                          help="0 = the linear classifier of the study note; 1 = what the note "
                               "calls an ANN, 2+ = a DNN (in common usage every neural network "
                               "is an ANN, and 'deep' means several hidden layers)."))
    widths = []
    if depth:
        cols = st.columns(depth)
        for i in range(depth):
            # Held: a layer hidden by fewer layers is forgotten by Streamlit, and came back as 1
            key = f"nn.width.{i}"
            controls.held(key, 16)
            widths.append(int(cols[i].number_input(f"Layer {i + 1}", 1, limit("layer_width"),
                                                   key=key, step=1, on_change=controls.hold,
                                                   args=(key,))))
    hidden = tuple(widths)
    arch_words = architecture_name(hidden)
    st.caption(f"This is {'an' if arch_words[0] in 'AEIOUaeiou' else 'a'} **{arch_words}**.")
    activation = st.radio("Activation", list(ACTIVATIONS), key="nn.activation", horizontal=True,
                          disabled=not depth)
    controls.init("nn.l2", 0.0)
    l2 = float(st.number_input("L2 weight decay", 0.0, 0.1, key="nn.l2", step=0.0001,
                               format="%.4f", help="Adds (λ/2)·Σ‖W‖² to the loss."))

    st.header("Training")
    train_n = n_train(samples, classes)
    # The slider's maximum follows the number of points, and a new maximum makes it a new widget
    # that starts at its minimum (one notch of "Points" set the batch to 1): the chosen size is
    # held, and capped by the points there are.
    held_batch = controls.held("nn.batch", st.session_state.get("nn.batch", 1))
    st.session_state["nn.batch"] = min(int(held_batch), train_n)
    batch = int(st.slider("Minibatch size", 1, train_n, key="nn.batch",
                          on_change=controls.hold, args=("nn.batch",),
                          help=f"{train_n} = full batch: every step sees all the training "
                               "points (SGD is then plain gradient descent); fewer = noisy "
                               "minibatches, for every optimizer alike. One epoch = one pass "
                               "over the training points."))
    epochs = int(st.slider("Epochs", 1, limit("epochs"), key="nn.epochs"))
    seed = int(st.number_input("Seed", 0, 2**32 - 1, key="nn.seed", step=1,
                               help="Seeds the initial weights and the minibatch order."))
    spe = steps_per_epoch(samples, classes, batch)
    steps_slot = st.empty()  # said again once the page's limits have set the epochs and batch
    steps_slot.caption(f"{plural(spe, 'step')} per epoch, {plural(spe * epochs, 'step')} in all.")

    st.header("Optimizers")
    keep_switch_epoch(spe)
    racers = controls.optimizer_picker(SPECS, OPT, lambda n: network_hparams(n, SPECS[n], spe),
                                       limit("optimizers"))
    anchor_switch(spe)
    switch = dict(racers).get("adam_then_sgd", {}).get("switch_step")
    switch_slot = st.empty()  # said once the page's limits have set the epochs and batch

# How the page shows it: the landscape's resolution and the network drawn (its widgets come
# further down, their values from the last run), in the link unless the page's own choice.
controls.init("nn.grid", DEFAULT.grid)
draw_choice = st.session_state.get("nn.draw")
state = NetworkState(dataset=dataset, samples=samples, noise=noise, classes=classes,
                     data_seed=data_seed, hidden=hidden, activation=activation, l2=l2,
                     optimizers=tuple(n for n, _ in racers), hparams=dict(racers),
                     epochs=epochs, batch=batch, seed=seed, grid=int(st.session_state["nn.grid"]),
                     draw=draw_choice if draw_choice in dict(racers[1:]) else None,  # not 1st
                     slice_tab=controls.open_tab("nn.slice", slice_labels()))
# The example section's view (follow, after_epoch, point) is known only once it has run: the
# link keeps the last run's, and that section writes the link again only when it changed (each
# change of the query string is a browser-history entry: writing twice a run added two).
training_query = network_query(state, SPECS)
st.query_params.from_dict({**training_query, **st.session_state.get("nn.view.last", {})})

if not racers:
    st.info("Pick at least one optimizer in the sidebar.")
    stop_here()
entries = controls.allowed(racers, entry)
if not entries:
    stop_here()
racers_t = tuple(entries)

data_key = (dataset, samples, noise, classes, data_seed)
arch_key = (hidden, activation if hidden else DEFAULT.activation, l2)
net, test_net = nn.cached_networks(data_key, arch_key)
runs = max(1, len(racers_t))  # one network trained per optimizer: they share the page's work
asked_batch = batch
batch, batch_note = nn.clamp_batch(batch, net.n_samples, net.n_params, epochs, runs)
if batch_note:
    st.info(batch_note)
spe = net.steps_per_epoch(batch)
epochs_run, note = nn.clamp_epochs(epochs, spe, net.n_params, net.n_samples, runs)
if note:
    st.info(note)
if spe != (asked_spe := net.steps_per_epoch(asked_batch)):
    # a raised batch: the switch keeps its epoch (its steps were counted in the asked batch's)
    racers_t = tuple(entry(n, {**dict(items), "switch_step": rescaled(dict(items)["switch_step"],
                                                                        asked_spe, spe)})
                     if n == "adam_then_sgd" else (n, items) for n, items in racers_t)
    switch = None if switch is None else rescaled(switch, asked_spe, spe)
if (batch, epochs_run) != (asked_batch, epochs):  # the sidebar says what is trained
    steps_slot.caption(f"Trained: {plural(spe, 'step')} per epoch (batch {batch}), "
                       f"{plural(spe * epochs_run, 'step')} in all ({plural(epochs_run, 'epoch')})"
                       ": see the note on the page.")
if switch is not None:  # in the run's steps and epochs, after the limits
    switch_slot.caption(f"Adam, then SGD: {switch_words(int(switch), spe, epochs_run)} (the "
                        "study note: Adam for about 10 epochs). It may well end above Adam: the "
                        "switch pays only where Adam's late wandering costs more than SGD's "
                        "slower finish, with an SGD rate small enough to settle (the concepts "
                        "tour, section 7). It keeps its epoch when the batch size changes.")
sizes = "-".join(map(str, net.layer_sizes))
arch_name = architecture_name(hidden)
st.markdown(f"**{arch_name[0].upper() + arch_name[1:]}**: {sizes}"
            + (f", {activation}" if hidden else "") + f", softmax output · {net.n_params:,} "
            f"weights and biases · {net.n_samples} training and {test_net.n_samples} test points")


def label(racer: tuple) -> str:
    """An optimizer's name, its switch counted in this page's epochs (``nn.run_label``)."""
    return nn.run_label(racer, spe)


with st.spinner(f"Training {plural(len(racers_t), 'network')} for "
                f"{plural(epochs_run, 'epoch')}…"):
    trainings = nn.trainings_for(data_key, arch_key, racers_t, epochs_run, batch, seed)
    # a phone: one panel a row at one scale, the curves one over the other
    fig = nn.cached_training_figure(data_key, arch_key, racers_t, epochs_run, batch, seed,
                                    FRAME_MS, phone)
accuracy = "; ".join(f"{label(r)}: {t.epoch_test_acc[-1]:.0%}"
                     for r, t in zip(racers_t, trainings, strict=True))
st.plotly_chart(controls.still_on_phone(fig), key="nn.training", config=CONFIG,
                alt=f"{dspec.display_name}, {plural(len(racers_t), 'network')} trained for "
                    f"{plural(epochs_run, 'epoch')}, animated over the epochs: each network's "
                    "decision regions over the training points, and the train and test loss and "
                    f"accuracy per epoch. Final test accuracy: {accuracy}.")

rows = []
for r, t in zip(racers_t, trainings, strict=True):
    rows.append({"optimizer": label(r), "train loss": float(t.epoch_train_loss[-1]),
                 "test loss": float(t.epoch_test_loss[-1]),
                 "train accuracy": float(t.epoch_train_acc[-1]),
                 "test accuracy": float(t.epoch_test_acc[-1]),
                 "note": nn.verdict(t),
                 "name": r[0]})
table = pd.DataFrame(rows)
notes = controls.notes_apart(table)
st.dataframe(controls.named_in_color(table, table.pop("name")).format(
    {"train loss": "{:.4f}", "test loss": "{:.4f}", "train accuracy": "{:.1%}",
     "test accuracy": "{:.1%}"}, na_rep="—"), hide_index=True, width="stretch",
    # sized to its names: "Adam, then SGD (lr 0.01, then 0.1, switch…" was cut
    column_config={"optimizer": st.column_config.TextColumn(
        width=controls.text_width(list(table["optimizer"]), per_char=controls.WORD_PX))})
if notes:
    st.markdown(controls.named_list(notes))
st.caption("Loss is the cross-entropy, the mean of −log p(true class) over the points"
           + (f", plus the L2 term (λ/2)·Σw² over the weights (λ = {l2:g}; biases are not "
              "decayed), in the train and the test loss alike" if l2 > 0 else "")
           + f"; a cross-entropy of log {net.n_classes} ≈ {np.log(net.n_classes):.2f} means "
           "guessing. Every optimizer starts from the same initial weights and sees the same "
           "minibatches.")
# a run the table's note calls unstable scores by luck of where it stopped, not by chance of
# the split (a review: a run swinging between 20% and 88% was said to be "down to chance")
chance = nn.above_train_note([(SPECS[r["name"]].display_name, r["train accuracy"],
                               r["test accuracy"]) for r in rows if not r["note"]],
                             test_net.n_samples)
if chance:
    st.caption(chance)

# ---------------------------------------------------------------------------- inside the network
st.header("Inside the network")
names = {r[0]: label(r) for r in racers_t}
by_name = {r[0]: (r, t) for r, t in zip(racers_t, trainings, strict=True)}


def pick_trained(key: str, label: str) -> str:
    """A selectbox of the trained optimizers; a choice no longer racing falls back to the first.
    Each says what it is for: two both read "Network trained by", and on a phone each sat under
    the figure the other one drives."""
    if st.session_state.get(key) not in names:
        st.session_state[key] = racers_t[0][0]
    return st.selectbox(label, list(names), key=key, format_func=lambda n: names[n])


def backprop_alt(part: str) -> str:
    """The back-propagation figure's text for screen readers (``part``: as drawn)."""
    what = {"forward": "The forward pass", "backward": "The backward pass",
            "both": "The forward and the backward pass"}[part]
    return (f"{what} of training point {example}, every number in a cell: "
            + {"forward": "each layer's values up to the softmax probabilities.",
               "backward": "the loss's gradient with respect to every layer, from the output "
                           "back.",
               "both": "each layer's values up to the softmax probabilities, then the loss's "
                       "gradient with respect to every layer, from the output back."}[part])


col_draw, col_text = st.columns([3, 1])
with col_text:
    drawn = pick_trained("nn.draw", "Draw the network trained by")
    st.markdown(
        "Every line is one **weight**. Colour: its sign and size "
        "(<span style='color:#2166AC'>**blue** positive</span>, "
        "<span style='color:#D6604D'>**red** negative</span>, darker = larger). "
        "Width: the size of its gradient |∂L/∂w|, its **responsibility** for the loss: "
        "back-propagation computes it for every weight, and the optimizer turns it into the "
        "correction (plain SGD in proportion to it). Press Play and watch them change: "
        "they need not thin out as the loss falls, since a gradient says how fast the loss "
        "changes with a weight, not how large the loss is. Dots are neurons, coloured by their "
        "bias.", unsafe_allow_html=True)
with col_draw:
    r_draw, _ = by_name[drawn]
    st.plotly_chart(controls.still_on_phone(nn.cached_network_figure(
                        data_key, arch_key, r_draw, epochs_run, batch, seed, FRAME_MS, phone)),
                    key="nn.drawing", config=CONFIG,
                    alt=f"The {sizes} network trained by {names[drawn]}, animated over the "
                        "epochs: a line per weight, coloured by its sign and size, as wide as "
                        "its gradient; a dot per neuron, coloured by its bias.")

st.subheader("One example, step by step")
st.markdown(
    "Pick a training point and follow it through the network: the **logits** are turned into "
    "probabilities by the **softmax**, the loss is **−log p** of the true class, and the "
    "gradient of that loss flows **back** layer by layer (each weight gets its share of blame)."
    + (f" The [concepts tour's section 3]({page_href('concepts')}) shows the same blame on the "
       "smallest network, one bar per weight." if registered_page("concepts") else ""))
pending = st.session_state.pop("nn.view.pending", None)
if pending:  # a link's view of the example section, now that the trained values are known
    view, view_warnings = parse_example_view(
        pending, names, [int(e) for e in trainings[0].frames], net.n_samples)
    for key, value in (("nn.bp.opt", view.follow), ("nn.bp.epoch", view.after_epoch),
                       ("nn.bp.example", view.point)):
        if value is not None:
            st.session_state[key] = value
    if view.after_epoch is not None:
        st.session_state[EPOCH_OWN] = True
    if view.point is not None:
        st.session_state[EXAMPLE_FOR] = data_key
    for message in view_warnings:
        st.warning(message)
c_map, c_ctl = st.columns([1, 2])
with c_ctl:
    bp_name = pick_trained("nn.bp.opt", "Follow the example through the network trained by")
    r_bp, t_bp = by_name[bp_name]
    frame_list = [int(e) for e in t_bp.frames]
    # the last epoch, until the visitor picks one (more epochs trained: the new last)
    if (not st.session_state.get(EPOCH_OWN)
            or st.session_state.get("nn.bp.epoch") not in frame_list):
        st.session_state["nn.bp.epoch"] = frame_list[-1]
    bp_epoch = int(st.select_slider("After epoch", frame_list, key="nn.bp.epoch",
                                    on_change=controls.set_state,
                                    args=(EPOCH_OWN, True)))
    params = nn.frame_weights(data_key, arch_key, r_bp, epochs_run, batch, seed,
                              frame_list.index(bp_epoch))
    worst = nn.worst_example(data_key, arch_key, params)
    clicked = controls.fresh_click("nn.bp.map",
                                   nn.clicked_example(st.session_state.get("nn.bp.map")))
    if clicked is not None:
        st.session_state["nn.bp.example"] = clicked
        st.session_state[EXAMPLE_FOR] = data_key
    # the worst point, until the visitor picks one of these data (new data: the worst again)
    if st.session_state.get(EXAMPLE_FOR) != data_key or "nn.bp.example" not in st.session_state:
        st.session_state["nn.bp.example"] = worst
    st.session_state["nn.bp.example"] = min(st.session_state["nn.bp.example"],
                                            net.n_samples - 1)
    example = int(st.number_input(f"Training point (0–{net.n_samples - 1}), or "
                                  + controls.pick("click one on the map (or tap it twice)",
                                                "tap one twice"),
                                  0, net.n_samples - 1, key="nn.bp.example", step=1,
                                  on_change=controls.set_state,
                                  args=(EXAMPLE_FOR, data_key),
                                  help=f"Point {worst} has the largest loss at this epoch."))
    # the link names the view when it is not the page's own choice (first network, last
    # epoch, the worst point), so a shared link opens the same example
    shown = example_query(ExampleView(None if bp_name == racers_t[0][0] else bp_name,
                                      None if bp_epoch == frame_list[-1] else bp_epoch,
                                      None if example == worst else example))
    if shown != st.session_state.get("nn.view.last", {}):
        st.session_state["nn.view.last"] = shown
        st.query_params.from_dict({**training_query, **shown})
    tr = nn.trace(data_key, arch_key, params, example)
    verdict = ("right" if int(np.argmax(tr.probs)) == tr.label else "wrong")
    p_true = probability_text(float(tr.probs[tr.label]), float(tr.loss))
    st.markdown(f"Point {example} at ({tr.x[0]:.2f}, {tr.x[1]:.2f}), true class **{tr.label}**: "
                f"the network gives it p = {p_true} (**{verdict}**), so its "
                f"loss is −log {p_true if ' ' not in p_true else f'({p_true})'} = "
                f"**{loss_text(tr.loss)}**. The largest loss "
                f"at this epoch is point {worst}'s.")
with c_map:
    xs_b, ys_b, probs_b = net.decision_surface(params, n=60)
    st.plotly_chart(example_figure(xs_b, ys_b, probs_b, net.X, net.y, example),
                    key="nn.bp.map", on_select="rerun", selection_mode="points", config=CONFIG,
                    alt=f"The training points over the decision regions after epoch {bp_epoch}; "
                        f"point {example} is ringed.")
if phone:  # forward over backward: side by side, 14 columns of cells ran into each other
    for part in ("forward", "backward"):
        st.plotly_chart(controls.still_on_phone(backprop_figure(tr, part=part,
                                                                plot_px=PHONE_PLOT_PX)),
                        key=f"nn.backprop.{part}", config=CONFIG, alt=backprop_alt(part))
else:
    st.plotly_chart(backprop_figure(tr), key="nn.backprop", config=CONFIG,
                    alt=backprop_alt("both"))
blame = layer_rows(tr)
st.dataframe(pd.DataFrame(blame).style.format(
    {"‖∂L/∂W‖": "{:.3g}", "‖∂L/∂b‖": "{:.3g}", "largest |∂L/∂w|": "{:.3g}",
     "its value w": "{:.3g}"}, na_rep="—"), hide_index=True, width="stretch")
if any(row["its value w"] is None for row in blame):
    slope = ("ReLU's slope is 0 where it is off" if activation == "relu" else
             f"a {activation} unit whose input is far from 0 is saturated, its slope 0 "
             "to machine precision")
    st.caption("A layer whose every ∂L/∂w is 0 takes no blame from this point: the units feeding "
               f"it are all 0 for it, or the slopes of its own units are ({slope}), so the "
               "blame stops before it.")
with st.expander("The math, with this example's numbers"):
    if phone:  # the lines are wider than a phone and scroll with no sign of it (a review)
        st.caption("Swipe an equation sideways to read the rest of it.")
    for line in output_latex(tr):
        st.latex(line)
    st.caption("The training loss is the mean of this over all points (plus the L2 term); "
               "each optimizer step uses the mean gradient over one minibatch.")

# ---------------------------------------------------------------------------- loss landscape
st.header("The network's loss landscape")
st.markdown(
    f"The network has {net.n_params:,} weights and biases, so its loss lives in {net.n_params:,} "
    "dimensions. We look at it through **planes**: the plane that best holds all the training "
    "paths (principal directions of the paths), and random planes around each trained network "
    "(filter-normalised directions, Li et al., NeurIPS 2018). Colour = log₁₀ loss.")
grid = int(st.select_slider("Landscape resolution (points per side)", landscape_grids(),
                            key="nn.grid"))
side = nn.landscape_side(grid, net.layer_sizes, len(racers_t) + 1, landscape_grids())
if side < grid:
    st.caption(f"To stay fast, the landscape of {plural(net.n_params, 'weight')} is mapped at "
               f"{side} points per side for {plural(len(racers_t), 'optimizer')} "
               f"(asked: {grid}).")
with st.spinner("Mapping the landscape…"):
    land = nn.cached_landscape(data_key, arch_key, racers_t, epochs_run, batch, seed, side)
if land.samples < net.n_samples:
    st.caption(f"To stay fast, the landscape averages the loss over {land.samples} of the "
               f"{net.n_samples} training points (a fixed random subset).")
labels_ = [label(r) for r in racers_t]
colors_ = [optimizer_color(r[0]) for r in racers_t]
tab_pca, tab_rand, tab_1d = st.tabs(list(slice_labels().values()), key="nn.slice",
                                    on_change="rerun")
with tab_pca:
    st.plotly_chart(controls.still_on_phone(pca_figure(land.pca, [r[0] for r in racers_t],
                                                       labels_, colors_, phone=phone)),
                    key="nn.pca", config=CONFIG,
                    alt="The log loss on the plane that best holds the training paths, with each "
                        "optimizer's path from the shared initial weights projected on it.")
    st.caption(f"The plane holds {land.pca.explained.sum():.0%} of the paths' variance: "
               "the closer to 100%, the more faithful this 2D picture of the walk. The contour is "
               "the loss on the plane, through the first optimizer's trained weights; the others' "
               "paths are drawn where they project onto it, and may lie off it."
               + nn.off_plane_words(land.pca.ends,
                                    [optimizers.OPTIMIZERS[r[0]].display_name
                                     for r in racers_t]))
with tab_rand:
    # a phone: one panel a row (side by side they were 36-51 px wide)
    st.plotly_chart(controls.still_on_phone(slices_figure(land.slices, labels_, colors_,
                                                          phone=phone)), key="nn.slices",
                    config=CONFIG,
                    alt="One panel per optimizer: the log loss around its trained weights along "
                        "two random directions, the trained network at the centre.")
    st.caption("Each panel: the loss around one optimizer's trained weights (the ● in its "
               "colour at the centre) along two random directions, each neuron's weights scaled "
               "to the trained ones. A wide low basin is a flat minimum, a narrow one sharp; flat "
               "minima tend to generalise better, a tendency, not a rule. Flatness alone says "
               "nothing while the training accuracy is low: an untrained or poorly trained "
               "network can sit on a wide, flat plain of high loss, so look at how low the "
               "centre is, not only how wide."
               + nn.flat_but_untrained([(label(r), float(t.epoch_train_acc[-1]))
                                        for r, t in zip(racers_t, trainings, strict=True)],
                                       nn.majority_share(net.y)))
with tab_1d:
    st.plotly_chart(controls.still_on_phone(interpolation_figure(
                        land.interp, land.interp_test, [r[0] for r in racers_t], labels_, colors_,
                        phone=phone)),
                    key="nn.interp", config=CONFIG,
                    alt="The train (solid) and test (dashed) loss along the straight line from "
                        "the initial weights (t = 0) to each trained network (t = 1) and beyond.")
    st.caption("The loss on the straight line between the shared initial weights (t = 0) and "
               "each trained network (t = 1), beyond both ends too (Goodfellow et al. 2015).")

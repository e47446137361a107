"""A guided tour of the study note's ideas: each one a short explanation beside a live figure.

Every figure is computed by the same packages as the rest of the app (landscape, optimizers, viz);
every control is in the URL so a student can share the exact picture they are looking at.
"""

from __future__ import annotations

from itertools import pairwise
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

import landscape
from app_pages.common import compute, controls, lab_compute, tour
from app_pages.common.compute import kept_figure
from app_pages.common.lab_state import (
    RACE_PATH,
    Param,
    own_query,
    page_href,
    parse_choice,
    parse_params,
    registered_page,
    split_query,
)
from app_pages.common.limits import cache_bounds
from app_pages.common.network_state import architecture_name
from app_pages.common.outcomes import default_tolerance
from app_pages.common.presets import preset_for
from app_pages.common.state import MAX_SEED
from app_pages.common.words import loss_text, plural, probability_text
from landscape.base import batches_per_epoch
from optimizers import OPTIMIZERS
from viz.concepts import (
    altitude_figure,
    backprop_figure,
    curves_figure,
    layers_figure,
    map_figure,
    stride_figure,
)
from viz.style import JUMPERS, optimizer_color
from viz.sweep import NEUTRAL

SURFACES = {n: s.title for n, s in landscape.SURFACES.items()}
DATA = "linear_regression"
EPOCHS = 30
PARAMS = {
    "step": Param("step", 60, 0, 300, True),
    "budget": Param("budget", 300, 20, 2000, True),
    "seed": Param("seed", 0, 0, MAX_SEED, True),
    "example": Param("example", 0, 0, 149, True),
    "trained": Param("trained", 0, 0, 500, True),
    "stride": Param("stride", 0.5, 0.01, tour.STRIDE_MAX_LR),
    "batch": Param("batch", 10, 1, compute.DATA_SAMPLES, True),
    "switch": Param("switch", 10, 1, EPOCHS - 1, True),
    "layers": Param("layers", 2, 0, 3, True),
}
#: Neurons per hidden layer in the drawing of section 9 (2 inputs, 3 classes as in section 3).
DRAWN_WIDTH = 4
DEFAULT_SURFACE = "two_basins"
ALTITUDE_STEPS = 300
CFG = controls.TRIMMED_CHART  # ~220 px columns
#: Rates for the data-driven sections (linear regression), checked by running them
#: (tests/app/test_concepts_page.py). Minibatches of 10: SGD at 0.05 leads for two epochs, Adam at
#: 0.3 is near the bottom by epoch 5 and then wanders, ending above SGD (from batch 15 up Adam ends
#: lower). Adam(0.3) then SGD(0.01) from epoch 5 or later ends below both Adam alone and SGD at
#: 0.01 alone; at batch 50 an epoch is 2 steps and the switch at epoch 10 ends far above Adam.
ADAM_LR, SGD_LR, SWITCH_SGD_LR = 0.3, 0.05, 0.01


def seed_from_url() -> None:
    query = controls.link_query("tour")
    _, mine = split_query(query, {**PARAMS, "surface": None})
    warnings: list[str] = [f"Unknown URL parameter {k[:30]!r}; ignored."
                           for k in query if k not in mine]
    values = parse_params(mine, PARAMS, warnings)
    values["surface"] = parse_choice(mine, "surface", SURFACES, DEFAULT_SURFACE, warnings)
    for key, value in values.items():
        st.session_state[f"tour.{key}"] = value
    st.session_state["tour.warnings"] = warnings
    st.session_state["tour.seeded"] = True


@st.cache_data(show_spinner=False, **cache_bounds())
def luck(surface: str, start: tuple[float, float], tol: float) -> np.ndarray:
    """Section 2's luck line: trials random search needed in each of ``tour.LUCK_DRAWS`` draws,
    up to the budget slider's top (so one count serves every budget)."""
    obj = compute.get_landscape(surface)
    targets = np.array([m.point for m in obj.global_minima], float)
    return tour.random_search_luck(obj, np.asarray(start), int(PARAMS["budget"].hi), targets,
                                   tol)


def faint_and_mean(curve: tour.Curve, label: str) -> list[dict]:
    """Section 6's two lines per curve: the loss at every step, faint, and its trailing mean over
    the last sixth of training, thick, with a dot where it ends (the caption's average)."""
    x, mean = tour.trailing_mean(curve)
    return [{"optimizer": curve.optimizer, "label": f"{label}, each step", "x": curve.x,
             "y": curve.gap, "width": 1, "opacity": 0.45, "legend": False},
            {"optimizer": curve.optimizer, "label": label, "x": x, "y": mean, "width": 3.5,
             "end_marker": True}]


#: A section's explanation and figure columns take a row each where the main column cannot give
#: both 240 px (an iPad's 504 px column beside the open sidebar squeezed the text to ~190 px and
#: cut the 3D figure). Only the section's own two: its figure column's inner pairs keep theirs.
SECTION_CSS = ("<style>[class*='st-key-tour-section'] [data-testid='stColumn']"
               ":not([data-testid='stColumn'] [data-testid='stColumn']) "
               "{ min-width: 240px; }</style>")


def section(title: str, text: str):
    """A heading, then (explanation | figure) columns; returns both."""
    st.header(title)
    box = st.container(key=f"tour-section-{title.split('.')[0]}")
    left, right = box.columns([2, 3], gap="large")
    left.markdown(text)
    return left, right


if "tour.seeded" not in st.session_state:
    seed_from_url()

controls.page_intro(
    "tour", "Concepts: the study note, one idea at a time",
    "Downhill grew out of one study note, *Optimization / Loss Function / Gradient Descent / "
    "Back Propagation / SGD / Neural Network* (Hayden's Archive, July 2020, in Korean); the "
    "other pages call it the study note too. Each of its ideas gets a few "
    "sentences and a small live figure here. Move the controls and watch the idea happen: every "
    "number here comes from the same optimizers and landscapes as the race."
)
st.html(SECTION_CSS)

# 1. loss = altitude ------------------------------------------------------------------------------
left, right = section("1. The loss is your altitude", """
Training a model is **walking down a mountain in fog**. The **loss** tells you how high you stand:
the worse the model, the higher you are. Loss 0 (or the lowest value there is) is the
**global minimum**, the valley floor. A hollow that only *looks* like the bottom from inside is a
**local minimum**: every step from there goes up, so a walker that only goes down is stuck.

Drag the slider to move the walker (plain gradient descent) along its path and watch the altitude
drop. On the first landscape, *Two basins*, it settles in the near, shallow hollow: a local
minimum. On others it may find the valley floor; the line under the figure says where it stands.
""")
with left:
    surface = st.selectbox("Landscape", list(SURFACES), key="tour.surface",
                           format_func=lambda n: SURFACES[n])
    step = st.slider("Walker's step", 0, ALTITUDE_STEPS, key="tour.step")
obj = compute.get_landscape(surface)
preset = preset_for(surface, obj, OPTIMIZERS)
gd = compute.entry("sgd", {"lr": preset.hparams["sgd"]["lr"]})
start = preset.start
walk = compute.trajectory(surface, "", gd, start, ALTITUDE_STEPS, 0, 0.0, None)
with right:
    phone = controls.is_phone()
    st.plotly_chart(kept_figure(("tour.altitude", surface, step), lambda: altitude_figure(
        compute.landscape_grid(surface, "", 60), np.asarray(walk.points), np.asarray(walk.losses),
        step, optimizer_color("sgd"), phone=phone)), key="tour.altitude", config=CFG,
        alt=f"{obj.title}. The loss as altitude in 3D, with gradient descent's walker at step "
            f"{step}, at loss {walk.losses[step]:.3g}.")
    st.caption(tour.altitude_caption(step, np.asarray(walk.points), np.asarray(walk.losses),
                                     obj.min_value, obj.domain))
    # where to go on: every start's valley (basins), and the optimizers racing on it
    query = urlencode({"surface": surface})
    onward = [f"[{words} ↗]({page_href(path)}?{query})" for path, words in (
        ("basins", "see which valley every start ends in"),
        (RACE_PATH, "race the optimizers on it")) if registered_page(path)]
    if onward:
        st.markdown("On this landscape: " + "; ".join(onward) + ".")

# 2. trial and error vs gradients ---------------------------------------------------------------
left, right = section("2. Three ways down: trial and error vs the gradient", """
- **Random search** tries random points anywhere and keeps the best. Lucky: fast. Unlucky: forever.
- **Random local search** tries a small random step and keeps it only if the loss went down;
  otherwise it steps back. Still blind: the note says it wastes fewer tries, but counted here it
  throws away about as many as random search; its tries stay near where it stands, so on a
  smooth slope (*Booth's tilted bowl*) it gets far deeper with them.
- **Gradient descent** *computes* the slope (the partial derivatives: the gradient, which points
  steepest uphill) and steps the opposite way, steepest downhill: no trial and error.

All three get the **same budget of evaluations**: the note's "trials". We count a gradient as one
trial too; in compute, back-propagation makes it cost about as much as a few evaluations, however
many weights there are. On the map, small crosses are the tries the two random methods **threw
away** (the table counts them); the second plot shows the best loss found so far against trials
used. The landscape and start are section 1's: pick another landscape there (*Booth's tilted
bowl* shows the note's ranking; on *Two basins* gradient descent stops in the near hollow).

The two random methods depend on **luck**: change the seed to see another draw of their tries.
""")
with left:
    budget = st.slider("Budget of evaluations", 20, 2000, key="tour.budget", step=10)
    seed = int(st.number_input(
        "Luck (seed)", 0, MAX_SEED, key="tour.seed", step=1,
        help="Seeds the random tries of random search and random local search: each seed is "
             "another draw. Gradient descent draws nothing, so its path never changes."))
tol = default_tolerance(obj.domain)
curves = lab_compute.trials(surface, start, budget, float(preset.hparams["sgd"]["lr"]),
                            float(preset.hparams["random_local_search"]["step_size"]), seed)
with right:
    a, b = st.columns(2)
    # the tries thrown away first (under the paths): small open crosses, faint
    a.plotly_chart(kept_figure(("tour.trials_map", surface, budget, seed), lambda: map_figure(
        compute.landscape_grid(surface), [
            {"optimizer": c.optimizer, "label": f"{c.label}: thrown away", "points": c.thrown,
             "mode": "markers", "opacity": 0.45, "size": 5, "symbol": "x-thin-open"}
            for c in curves if c.thrown is not None and len(c.thrown)] + [
            {"optimizer": c.optimizer, "label": c.label, "points": c.points,
             "mode": "markers" if c.optimizer in JUMPERS else "lines+markers",
             "opacity": 0.6 if c.optimizer in JUMPERS else 1.0} for c in curves],
        obj.minima, start)), key="tour.trials_map", config=CFG,
        alt=f"{obj.title}. A map of the points tried by random search, random local search and "
            f"gradient descent from the same start, {budget} evaluations each; the tries the "
            "two random methods threw away are small crosses.")
    b.plotly_chart(kept_figure(("tour.trials_curve", surface, budget, seed), lambda: curves_figure(
        [{"optimizer": c.optimizer, "label": c.label, "x": c.x, "y": c.gap} for c in curves],
        "evaluations (trials)", "best loss − minimum")), key="tour.trials_curve", config=CFG,
        alt="Best loss found so far, minus the minimum, against evaluations used, for each "
            "of the three methods: " + "; ".join(f"{c.label} ends at {c.gap[-1]:.3g}"
                                                 for c in curves) + ".")
targets = np.array([m.point for m in obj.global_minima], float)
reached = {c.optimizer: tour.first_trial_near(c, targets, tol) for c in curves}
rows = [{"method": c.label, "thrown away": 0 if c.thrown is None else len(c.thrown),
         "best loss − min": float(c.gap[-1]),
         "global min at trial": "never" if reached[c.optimizer] is None
         else str(reached[c.optimizer])} for c in curves]
# short headers: in the section's narrow column "global min at trial" was cut to "global mi…"
right.dataframe(pd.DataFrame(rows).style.format({"best loss − min": "{:.3g}"}),
                hide_index=True, width="stretch", column_config={
                    "thrown away": st.column_config.NumberColumn(
                        help=f"Of the {plural(budget, 'trial')} each method had: the tries "
                             "that did not lower the loss and were discarded (the crosses "
                             "on the map). Gradient descent tries nothing: every step it "
                             "computes is taken."),
                    "best loss − min": st.column_config.Column(
                        help="Best loss found minus the global minimum's value."),
                    "global min at trial": st.column_config.Column(
                        help="First trial within reach of a global minimum.")})
right.caption(tour.trials_verdict(curves, reached, obj.minima, tol, obj.domain))
if len(targets):  # how often random search gets there, over many draws
    right.caption(tour.luck_text(luck(surface, tuple(start), tol), budget, reached["sgd"]))

# 3. back-propagation ---------------------------------------------------------------------------
nn_page = registered_page("neural_network")
left, right = section("3. Back-propagation: who is to blame?", """
A classifier turns an input into scores (**logits**), **softmax** turns the scores into
probabilities, and the loss is **−log p(true class)** (cross-entropy): small when the model is
confidently right, huge when it is confidently wrong.

**Back-propagation** sends the blame backwards: each output's share is its probability minus 1 for
the true class and minus 0 for the others (*p − y*, with *y* the one-hot true class), and each
weight's blame is its output's share times the **input it multiplies**: how much the loss would
change if that weight changed. Together the blames
are the gradient, computed exactly, for every weight at once; stepping against it is the
steepest way down. The
optimizer then turns them into corrections: plain gradient descent moves each weight by −η × its
blame (a big blame, a big correction). The slider below trains with Adam, which rescales each
weight's step by the size of its recent blames, so there a big blame is not always a big step.

The figure: the smallest neural network (a linear classifier, 3 classes). Pick an example and
train a little: as the model gets it right, p(true) → 1 and the blame shrinks towards nothing.
The blame axis reaches the larger of the blame before training (grey outlines) and now, so you
see the bars shrink. The few examples it still gets wrong keep a large blame.
""")
with left:
    example = st.slider("Example", 0, 149, key="tour.example")
    trained = st.slider("Training steps before we look (Adam)", 0, 500, key="tour.trained",
                        step=10)
    if nn_page:
        try:
            st.page_link(nn_page, label="Layer by layer: Neural network",
                         icon=":material/hub:")
        except StreamlitAPIException:  # run outside st.navigation (a single-page test run)
            st.markdown(f"[Layer by layer: Neural network]"
                        f"({page_href('neural_network')})")
    else:
        st.caption("Coming soon: the neural-network page shows the same blame flowing through "
                   "hidden layers.")
r = tour.responsibility(example, trained)
r0 = tour.responsibility(example, 0) if trained else r
with right:
    st.plotly_chart(kept_figure(("tour.backprop", example, trained), lambda: backprop_figure(
        r.probs, r.label, r.grad_logits, r.grad_weight, r.grad_bias,
        before=(r0.grad_weight, r0.grad_bias) if trained else None)),
        key="tour.backprop", config=CFG,
        alt=f"Example {example} through a linear classifier: bars of its three class "
            "probabilities, the true class outlined, and of each weight's and bias's share of "
            "the blame, the size of its gradient |∂L/∂w|.")
    st.caption(f"True class {r.label}: p = {probability_text(float(r.probs[r.label]), r.loss)}, "
               f"loss = −log p = {loss_text(r.loss)}. "
               f"{tour.accuracy_text(r, trained)} "
               + tour.blame_summary(r, r0, trained) + " " + tour.blame_check(r) + " "
               + tour.correction_text(r) + " " + tour.wrong_text(r, trained))

# 4. learning rate = stride ---------------------------------------------------------------------
left, right = section("4. The learning rate is your stride", """
With plain gradient descent each step moves by **η × slope**: on a steep slope you move far, on
a gentle one a little. On this valley f(x) = x²/2 (slope = x) each step multiplies the distance to
the bottom by (1 − η):

- small η (say 0.05): each step covers only a small part of the way, **too small crawls**;
- η closer to 1 (say 0.9): big steps that still stop short of the bottom, so you arrive fast;
- η = 1: one step lands exactly on the bottom;
- 1 < η < 2: you **overshoot** and bounce from side to side, getting closer;
- η = 2: you land exactly opposite, just as high, and bounce between the two sides forever;
- η > 2: every bounce is bigger than the last, you **explode** (the view zooms out to
  follow).

0.1 is a common first guess on real problems. The [learning-rate lab](learning_rate) runs dozens
of rates on any landscape at once.
""")
with left:
    lr = st.slider("Learning rate η", PARAMS["stride"].lo, PARAMS["stride"].hi, key="tour.stride",
                   step=0.01)
xs_it, fs_it = tour.stride(lr, tour.STRIDE_STEPS)
half = tour.stride_view(xs_it)
xs = np.linspace(-half, half, 201)
zoom = half / tour.STRIDE_VIEW
with right:
    st.plotly_chart(kept_figure(("tour.stride", lr), lambda: stride_figure(
        xs, 0.5 * xs**2, xs_it, fs_it, "sgd", f"η = {lr:g}",
        note=f"zoomed out ×{zoom:.3g} to fit" if zoom > 1 else "")),
        key="tour.stride_fig", config=CFG,
        alt=f"The valley f(x) = x²/2 with gradient descent's hops at learning rate {lr:g}, "
            "each an arrow from one point on the curve to the next.")
    st.caption(tour.stride_caption(lr, xs_it))

# 5. GD vs SGD ----------------------------------------------------------------------------------
data = compute.get_landscape(DATA)
data_start = tour.DATA_START
left, right = section("5. Gradient descent vs stochastic gradient descent", f"""
On real data the loss is an **average over all examples**. Here: fitting a line y = w·x + b to
{data.n_samples} noisy points, so the landscape is over (w, b).

- **Gradient descent (GD)** uses *all* examples for every step: exact, but one step per pass.
- **Stochastic gradient descent (SGD)** uses a small random **minibatch** per step: each step is a
  noisy guess, but you take many per pass, so it usually gets down much sooner, then jitters
  around the bottom.

Same learning rate ({SGD_LR}), same {EPOCHS} passes over the data.
""")
with left:
    batch = st.slider("Minibatch size (SGD)", 1, compute.DATA_SAMPLES, key="tour.batch")
sgd_items = (("lr", SGD_LR),)
gd_curve = lab_compute.epoch_curve(DATA, "sgd", "GD (full batch)", data_start, EPOCHS,
                                   sgd_items, None, 0)
# a batch of every point is gradient descent itself: its line lies under GD's dashed one
whole = int(batch) >= compute.DATA_SAMPLES
sgd_curve = lab_compute.epoch_curve(DATA, "sgd", f"SGD (batch {batch}" + (
    ": all the points, so GD itself" if whole else "") + ")", data_start, EPOCHS, sgd_items,
                                    int(batch), 0)
gd_style = {"color": NEUTRAL, "dash": "dash"}
with right:
    a, b = st.columns(2)
    a.plotly_chart(kept_figure(("tour.gd_map", batch), lambda: map_figure(
        compute.landscape_grid(DATA), [
            {"optimizer": "sgd", "label": "SGD", "points": sgd_curve.points, "mode": "lines"},
            {"optimizer": "sgd", "label": "GD", "points": gd_curve.points, **gd_style}],
        data.minima, data_start)), key="tour.gd_map", config=CFG,
        alt=f"The line-fitting loss over (w, b): gradient descent's path (dashed) and SGD's "
            f"with minibatches of {batch}, from the same start.")
    b.plotly_chart(kept_figure(("tour.gd_curve", batch), lambda: curves_figure([
        {"optimizer": "sgd", "label": sgd_curve.label, "x": sgd_curve.x, "y": sgd_curve.gap},
        {"optimizer": "sgd", "label": gd_curve.label, "x": gd_curve.x, "y": gd_curve.gap,
         **gd_style}], "epoch", "loss − minimum")), key="tour.gd_curve", config=CFG,
        alt=f"Loss minus the minimum against epoch, over {EPOCHS} epochs, for gradient descent "
            f"(dashed) and SGD with minibatches of {batch}.")

# 6. Adam vs SGD --------------------------------------------------------------------------------
adam_curve = lab_compute.epoch_curve(DATA, "adam", f"Adam (η {ADAM_LR})", data_start, EPOCHS,
                                     (("lr", ADAM_LR),), int(batch), 0)
window = plural(round(tour.tail_epochs(adam_curve)), "epoch")
left, right = section("6. Adam rushes, SGD is careful", f"""
**Adam** gives every weight its own step size, divided by the recent size of its gradients, and
adds momentum. **SGD** steps by η × the minibatch slope.

With small, noisy minibatches (the default 10) SGD leads for the first epoch or two; then Adam
gets near the bottom much sooner, but it does not settle: it keeps **wandering** around the
minimum and ends a bit higher than SGD, which keeps creeping down. With larger minibatches (less
noise: try the slider in section 5) Adam ends lower.

How far Adam wanders is set by its η, not by its name: with minibatches of 10, at η 0.1 it
starts slower than here but ends well below SGD (with minibatches of 30 or more, an epoch has
too few steps for its slow start, and it ends above). Fast-and-rough against slow-and-fine is
a trade-off, and the learning rate moves Adam along it.

The faint lines are the loss at every step; they jitter over decades. The thick lines are a
**running mean**: at each step, the mean loss over the {window} before it, so the trend
shows through the jitter. Each ends at the average in the caption.

Adam η = {ADAM_LR}, SGD η = {SGD_LR}, minibatches of {batch}.
""")
with right:
    st.plotly_chart(kept_figure(("tour.adam_sgd", batch), lambda: curves_figure(
        [*faint_and_mean(adam_curve, adam_curve.label),
         *faint_and_mean(sgd_curve, f"SGD (η {SGD_LR})")], "epoch", "loss − minimum",
        note=f"thick: mean of the last {window}")), key="tour.adam_sgd", config=CFG,
        alt=f"Loss minus the minimum against epoch for Adam and SGD with minibatches of "
            f"{batch}: faint, every step; thick, the running mean over {window}.")
    st.caption(tour.adam_sgd_summary(adam_curve, sgd_curve, EPOCHS))

# 7. Adam then SGD ------------------------------------------------------------------------------
left, right = section("7. The switch: Adam first, then SGD", f"""
The note's advice: use **Adam for roughly the first 10 epochs** (fast and rough), then
**switch to SGD** (slow and accurate). Move the switch and compare the three curves at the end.
To be fair, the SGD curve here uses the same η as the switch's SGD phase.

With the default minibatches of 10, switching once Adam is near the bottom (epoch 5 or later)
ends lowest: Adam alone keeps wandering, and SGD alone at this small η is still far from the
bottom after {EPOCHS} epochs. Switch earlier and slow SGD is left with most of the way. That
happens with large minibatches too, where an epoch is only a few steps: at batch 50, switching at
epoch 10 ends far worse than Adam alone. "10 epochs" is a rule of thumb, not a law.

Why it works: Adam does the fast part and SGD's **small** η the careful part; neither alone does
both. The same switch to SGD at section 6's larger η {SGD_LR} ends about where SGD at {SGD_LR}
alone does, and SGD at {SWITCH_SGD_LR} from the start is still far from the bottom.

Adam η = {ADAM_LR}, then SGD η = {SWITCH_SGD_LR}.
""")
with left:
    switch = st.slider("Switch to SGD after epoch", 1, EPOCHS - 1, key="tour.switch")
both = lab_compute.epoch_curve(DATA, "adam_then_sgd", f"Adam → SGD at epoch {switch}",
                               data_start, EPOCHS, (("lr", ADAM_LR), ("sgd_lr", SWITCH_SGD_LR)),
                               int(batch), 0, float(switch))
slow_sgd = lab_compute.epoch_curve(DATA, "sgd", f"SGD (η {SWITCH_SGD_LR})", data_start, EPOCHS,
                                   (("lr", SWITCH_SGD_LR),), int(batch), 0)
with right:
    st.plotly_chart(kept_figure(("tour.switch", batch, switch), lambda: curves_figure([
        {"optimizer": "adam", "label": adam_curve.label, "x": adam_curve.x, "y": adam_curve.gap,
         "width": 1},
        {"optimizer": "sgd", "label": slow_sgd.label, "x": slow_sgd.x, "y": slow_sgd.gap,
         "width": 1},
        {"optimizer": "adam_then_sgd", "label": both.label, "x": both.x, "y": both.gap,
         "width": 3},
    ], "epoch", "loss − minimum", vlines=[(both.switch_at or switch, "switch")])),
        key="tour.switch_fig", config=CFG,
        alt=f"Loss minus the minimum against epoch for Adam alone, SGD at η {SWITCH_SGD_LR} "
            f"alone, and Adam switching to SGD at epoch {switch} (thick, the switch marked).")
    st.caption(f"Average over the last {window} (as in section 6): "
               + ", ".join(f"{name} {tour.tail_mean(c):.2g}" for name, c in (
                   ("Adam", adam_curve), (f"SGD (η {SWITCH_SGD_LR})", slow_sgd),
                   ("Adam → SGD", both)))
               + ".")

# 8. epochs -------------------------------------------------------------------------------------
per = batches_per_epoch(data.n_samples, int(batch))
left, right = section("8. Epochs", f"""
An **epoch** is one pass over the whole training set. With {data.n_samples} examples and
minibatches of {batch}, one epoch is **{plural(per, "step")}** (shaded bands). Advice like "Adam for
10 epochs" is counted in passes, not steps: whatever the batch size it means the same amount of
data seen, but not the same number of steps or the same progress (see section 7 at batch 50).

The curve is section 5's SGD run, now counted in steps. Change the minibatch size in section 5
and watch the bands: smaller batches, more steps per epoch.
""")
with right:
    steps_x = np.arange(len(sgd_curve.gap))
    st.plotly_chart(kept_figure(("tour.epochs", batch), lambda: curves_figure([
        {"optimizer": "sgd", "label": f"SGD (η {SGD_LR}, batch {batch})", "x": steps_x,
         "y": sgd_curve.gap}],
        "step", "loss − minimum", shade_every=float(per))), key="tour.epochs", config=CFG,
        alt=f"SGD's loss minus the minimum against step, each epoch of {plural(per, 'step')} "
            "a shaded band.")

# 9. neural networks -----------------------------------------------------------------------------
left, right = section("9. Neural networks: layers in between", """
A **neural network** passes the input through layers of neurons to the output. Layers between
input and output are **hidden layers**. With none, it is the linear classifier of section 3, the
smallest neural network. The note calls a network with one hidden layer an **ANN** and one with
two or more a **DNN** (deep); in everyday usage every neural network is an ANN (artificial neural
network). Usually every neuron feeds every neuron of the next layer (**fully connected**); a DNN
that also has convolution layers, which look at small patches of an image, is a **CNN** (not drawn
here).

Training is the same walk downhill, only over many more weights, with back-propagation computing
the slope for every one of them.
""")
with left:
    n_hidden = st.slider("Hidden layers", 0, 3, key="tour.layers")
    hidden = (DRAWN_WIDTH,) * int(n_hidden)
    if nn_page:  # a link (new tab, so the page seeds from it) with these hidden layers
        # 3 classes, as drawn (two moons have 2); 16 neurons a layer train where 4 are drawn.
        # ReLU and 300 epochs: with tanh and 100, two hidden layers stayed near guessing (50%
        # train accuracy, a teacher's review); now Adam's train accuracy goes 41% (none), ~60%
        # (one), 99% (two), 100% (three): depth is seen to matter.
        query = urlencode({"dataset": "spirals", "classes": "3", "epochs": "300",
                           "activation": "relu",
                           "layers": ",".join(["16"] * int(n_hidden)) or "0"})
        which = (f"one with {plural(int(n_hidden), 'hidden layer')} of 16 neurons" if n_hidden
                 else "the linear classifier (no hidden layer)")
        st.markdown(f"[Train {which} on 3 classes of spirals on "
                    f"the neural-network page ↗]({page_href('neural_network')}?{query}): "
                    "the spirals wind around each other, so no straight line parts them, and "
                    "each hidden layer lets it bend its boundaries more.")
sizes = (2, *hidden, 3)
names = ["input (x, y)", *(f"hidden {k + 1}" for k in range(len(hidden))), "output (3 classes)"]
n_weights = sum((a + 1) * b for a, b in pairwise(sizes))
with right:
    st.plotly_chart(kept_figure(("tour.layers", n_hidden), lambda: layers_figure(sizes, names)),
                    key="tour.layers_fig", config=CFG,
                    alt=f"A network of layers {' → '.join(map(str, sizes))}: every neuron "
                        "connected to every neuron of the next layer.")
    st.caption(f"{architecture_name(hidden)[0].upper()}{architecture_name(hidden)[1:]}: "
               f"{' → '.join(map(str, sizes))} neurons, {n_weights} weights and biases to learn.")

st.query_params.from_dict(own_query({
    "surface": surface, "step": step, "budget": budget, "seed": seed, "example": example,
    "trained": trained, "stride": lr, "batch": batch, "switch": switch, "layers": n_hidden}))

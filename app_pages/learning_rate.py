"""The learning-rate lab: the same start at many learning rates, a sweep, a fair tuner, schedules.

Reads top to bottom: URL -> controls -> small multiples (one batched run) -> sweep of 50+ rates
(one batched run per optimizer) -> auto-tune (link to the race) -> schedule beside the loss curve.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import optimizers
from app_pages.common import carry, compute, controls, lab, lab_compute, lab_schedules, lab_tuner
from app_pages.common.lab_state import (
    Param,
    own_query,
    parse_choice,
    parse_params,
    race_url,
    split_query,
    tuned_race_url,
)
from app_pages.common.limits import clamp_count, limit
from app_pages.common.outcomes import default_tolerance, describe
from app_pages.common.presets import SCALE_FREE, RacePreset, preset_for
from app_pages.common.resync import stop_here
from app_pages.common.state import (
    MIN_STEPS,
    RaceState,
    format_hparam,
    hparam_wanted,
    parse_flag,
    parse_hparam,
    parse_race_query,
    quoted,
    race_query,
)
from app_pages.common.words import and_list, plural
from landscape.base import diagonal as domain_diagonal
from landscape.base import inside
from optimizers import SCHEDULE_HPARAMS, SCHEDULES
from viz.curves import GAP_FLOOR as CURVE_FLOOR
from viz.curves import loss_figure, rate_colors
from viz.multiples import PanelTitle, small_multiples_figure
from viz.paths import PathView
from viz.style import format_value, text_color
from viz.sweep import GAP_FLOOR, schedule_figure, sweep_figure

SPECS = {n: s for n, s in optimizers.OPTIMIZERS.items() if lab.tunable(n)}
NAMES = compute.landscape_names()
DEFAULT_SURFACE = "six_hump_camel"
DEFAULT_OPTIMIZERS = ("sgd", "adam")
DEFAULT_STEPS = 200
OPT = "lab.opt"
LR_LO, LR_HI = lab.LR_LIMITS
PARAMS = {
    "lr_min": Param("lr_min", 1e-4, LR_LO, LR_HI),
    "lr_max": Param("lr_max", 10.0, LR_LO, LR_HI),
    "rates": Param("rates", 4, 2, limit("small_multiples"), True),
    "sweep": Param("sweep", 60, 10, limit("sweep_rates"), True),
    "spread": Param("spread", 10.0, 2.0, 1000.0),
}
SPREADS = (2.0, 3.0, 10.0, 30.0, 100.0, 1000.0)  # the "Panels span" choices


def nearest_spread(value: float) -> float:
    """The choice of ``SPREADS`` nearest to ``value`` on a log scale."""
    return min(SPREADS, key=lambda v: abs(np.log(v) - np.log(value)))
SCHEDULE_PREFIX = "schedule."
#: URL parameter of the "Compare with Adam → SGD" toggle: ``true`` (default) or ``false``.
COMPARE = "compare"
#: A link made while the tuner's table showed: opening it tunes again (the same numbers: the
#: tuner is deterministic) rather than leaving the shared page without the table.
TUNE = "tune"
CFG = controls.CHART


#: The lab's own starts where the race's would teach the wrong lesson. From the race's six-hump
#: camel start (-2.4, 1.2), on the flank of a local valley, SGD at lr 0.001 and 0.00464 settled in
#: that local minimum and 0.0215 was best only because its first stride (1.36) leapt the ridge
#: past it (0.81 away) into a global valley: students read "small rates get trapped". From
#: (1.0, 1.4), on the slope of a global valley, the panels read crawl (still moving), arrive
#: (step 79), arrive sooner (step 17, first stride 0.73, short of every minimum), diverge.
LAB_STARTS: dict[str, tuple[float, float]] = {"six_hump_camel": (1.0, 1.4)}


def preset(surface: str) -> RacePreset:
    """The race's preset for ``surface`` (its optimizers' rates), from the lab's own start
    (``LAB_STARTS``) if it has one, over the lab's shorter run."""
    p = preset_for(surface, compute.get_landscape(surface), SPECS, DEFAULT_OPTIMIZERS)
    return RacePreset(optimizers=p.optimizers, hparams=p.hparams,
                      start=LAB_STARTS.get(surface, p.start), steps=DEFAULT_STEPS)


def n_samples(surface: str) -> int | None:
    return compute.DATA_SAMPLES if compute.is_data_loss(surface) else None


def parse_schedule(mine: dict[str, str], warn: list[str]) -> tuple[str, dict]:
    """``schedule`` (a name) and the ``schedule.<param>`` values the URL sets, each validated.

    Settings the URL leaves out are not filled in here: their defaults follow the run length
    (``lab_schedules.schedule_settings``)."""
    name = parse_choice(mine, "schedule", SCHEDULES, "constant", warn)
    values: dict[str, Any] = {}
    for key, text in mine.items():
        if not key.startswith(SCHEDULE_PREFIX):
            continue
        param = key[len(SCHEDULE_PREFIX):]
        h = next((h for h in SCHEDULE_HPARAMS[name] if h.name == param), None)
        value = parse_hparam(h, text) if h is not None and len(text) <= 100 else None
        if value is None:
            warn.append(f"URL parameter {key[:40]!r} is not a valid setting of the "
                        f"'{name}' schedule; using its default." if h is None else
                        f"URL parameter {key[:40]!r}={quoted(text)} must be "
                        f"{hparam_wanted(h)}; using its default.")
            continue
        values[param] = value
    return name, values


def seed_from_url(carried: str | None = None) -> None:
    """First run of a session: widgets start from the (validated) URL, or from landscape
    ``carried`` when the URL names nothing (``controls.link_query``); warnings are kept."""
    query = controls.link_query("lab", carried)
    race_part, mine = split_query(query, {**PARAMS, "focus": None, "schedule": None,
                                          COMPARE: None, TUNE: None},
                                  (SCHEDULE_PREFIX,))
    warnings: list[str] = []
    if race_part.pop("formula", None) is not None:
        warnings.append("The lab runs on built-in landscapes; the URL parameter 'formula' is "
                        "ignored.")
    lazy = {n: compute.LazyLandscape(n) for n in NAMES}
    state, more = parse_race_query(race_part, lazy, SPECS, preset,
                                   DEFAULT_SURFACE, ((-5.0, 5.0), (-5.0, 5.0)), n_samples)
    warnings += more
    own = parse_params(mine, PARAMS, warnings)
    if own["spread"] not in SPREADS:
        near = nearest_spread(own["spread"])
        # the link's own text: "2.0000001" read "=2 is not one of 2, 3, …" through :g
        warnings.append(f"URL parameter 'spread'={quoted(mine['spread'])} is not one of "
                        f"{', '.join(f'{v:g}' for v in SPREADS)}; using the nearest, {near:g}.")
        own["spread"] = near
    # lr_min >= lr_max is kept as the link says: the page swaps the two (or widens equal ones)
    # and says so, as it did on the page the link was made on
    focus = parse_choice(mine, "focus", list(state.optimizers), state.optimizers[0], warnings)
    schedule, sched_values = parse_schedule(mine, warnings)
    compare = parse_flag(mine, COMPARE, True, warnings)
    ss = st.session_state
    ss["lab.tune.asked"] = parse_flag(mine, TUNE, False, warnings)
    ss["lab.surface"] = state.surface
    controls.preset_run("lab", OPT, state)
    for key in PARAMS:
        ss[f"lab.{key}"] = own[key]
    ss["lab.focus"] = focus
    ss["lab.schedule"] = schedule
    ss["lab.switch"] = compare
    for k, v in sched_values.items():
        ss[f"lab.schedule.{schedule}.{k}.own"] = v  # the visitor's own value: it stays
    ss["lab.warnings"] = warnings
    ss["lab.seeded"] = True


def on_landscape_change() -> None:
    p = preset(st.session_state["lab.surface"])
    st.session_state["lab.start.x"], st.session_state["lab.start.y"] = p.start
    controls.reset_hparams(OPT, SPECS)


def mark_set(key: str) -> None:
    """The visitor changed a schedule setting: from now on it keeps their value (kept under
    ``<key>.own``, which outlives runs where the widget is not drawn, such as another schedule)."""
    st.session_state[f"{key}.own"] = st.session_state[key]


def follow_run_length(schedule: str) -> None:
    """Forget the visitor's schedule settings: their defaults follow the run length again."""
    for h in SCHEDULE_HPARAMS[schedule]:
        st.session_state.pop(f"lab.schedule.{schedule}.{h.name}.own", None)


def schedule_control(schedule: str, h: Any, key: str) -> Any:
    """The widget of one schedule setting, with a readable label (the URL keeps ``h.name``)."""
    label = lab_schedules.schedule_label(schedule, h.name)
    help_ = f"{h.help[:1].upper()}{h.help[1:]} (URL: schedule.{h.name})."
    cb = {"on_change": mark_set, "args": (key,)}
    if h.kind == "int":
        return int(st.number_input(label, min_value=int(h.min), max_value=int(h.max), step=1,
                                   key=key, help=help_, **cb))
    if h.log:
        return controls.log_slider(label, key, float(h.min), float(h.max), help=help_, **cb)
    # 12 digits: the slider's steps from its minimum carry float noise (exponential decay's
    # 0.99 came back as 0.9899999999999999, and its link read 'schedule.gamma=0.989999999999999')
    value = st.slider(label, float(h.min), float(h.max), key=key, step=(h.max - h.min) / 1000,
                      format="%.4g", help=help_, **cb)
    return float(f"{value:.12g}")


def path_views(name: str, sweep: lab.Sweep, objective: Any) -> list[PathView]:
    """One PathView per rate of a sweep (points (steps+1, R, 2) -> R single paths)."""
    pts = np.asarray(sweep.trajectory.points)
    losses = np.asarray(sweep.trajectory.losses)
    views = []
    for r, lr in enumerate(sweep.lrs):
        with np.errstate(all="ignore"):
            grads = np.asarray(objective.grad(pts[:, r]), float)
        views.append(PathView(name, f"lr {format_value(float(lr))}", pts[:, r], losses[:, r],
                              grads, int(sweep.diverged_step[r])))
    return views


# ------------------------------------------------------------------------------------------------
arrival = carry.arriving("learning_rate", NAMES, st.session_state.get("lab.surface"))
if "lab.seeded" not in st.session_state:
    seed_from_url(arrival.surface)
elif arrival.surface:
    st.session_state["lab.surface"] = arrival.surface
    on_landscape_change()

controls.page_intro(
    "lab", "Learning-rate lab",
    "The **learning rate** η is the length of each stride downhill: for plain gradient descent "
    "the step is η times the slope, and adaptive methods such as Adam rescale the slope but "
    "still scale their step by η. **Too small** and the walker crawls; **too large** and it "
    "overshoots, bounces, or explodes. Here the same start is run at many rates at once, so you "
    "can see where the sweet spot is, and let the lab find it for you."
)
if arrival.note:
    st.info(arrival.note)

with st.sidebar:
    st.header("Landscape")
    surface = st.selectbox("Surface", list(NAMES), key="lab.surface",
                           format_func=lambda n: NAMES[n], on_change=on_landscape_change)
    carry.show("learning_rate", surface, NAMES[surface])
    obj = compute.get_landscape(surface)
    st.caption(obj.description)
    st.header("Start")
    sx, sy = st.session_state.get("lab.start.x"), st.session_state.get("lab.start.y")
    if sx is None or sy is None or not inside((sx, sy), obj.domain):
        st.session_state["lab.start.x"], st.session_state["lab.start.y"] = preset(surface).start
    start = controls.start_inputs(obj.domain, "lab.start", obj.axes)
    st.header("Optimizers")
    defaults = preset(surface).hparams
    racers = controls.optimizer_picker(SPECS, OPT, lambda n: defaults.get(n, {}),
                                       limit("optimizers"))
    st.header("Learning rates")
    # The panels and the sweep each have their own rates: grouped so, a review read the range
    # beside "Side-by-side panels" as the panels' (they span the optimizer's own rate)
    n_multiples = st.slider("Side-by-side panels", 2, limit("small_multiples"), key="lab.rates")
    if st.session_state.get("lab.spread") not in SPREADS:
        st.session_state["lab.spread"] = nearest_spread(st.session_state.get("lab.spread", 10))
    spread = float(st.select_slider(
        "Panels span", SPREADS, key="lab.spread", format_func=lambda v: f"÷{v:g} … ×{v:g}",
        help="The side-by-side panels run the optimizer's own rate divided and multiplied by "
             "this factor (log-spaced in between)."))
    lr_min = controls.log_slider("Sweep and tuner: smallest rate", "lab.lr_min", LR_LO, LR_HI)
    lr_max = controls.log_slider("Sweep and tuner: largest rate", "lab.lr_max", LR_LO, LR_HI)
    n_sweep = st.slider("Rates in the sweep", 10, limit("sweep_rates"), key="lab.sweep",
                        help="All rates run as one batched computation per optimizer.")
    st.header("Run")
    steps = st.slider("Steps", MIN_STEPS, limit("steps"), key="lab.steps", step=10,
                      help="Every rate is judged by its loss after this many steps.")
    seed = int(st.number_input("Seed", 0, 2**32 - 1, key="lab.seed", step=1))
    noise, batch_size = controls.noise_or_batch("lab", compute.is_data_loss(surface),
                                                compute.DATA_SAMPLES)
# a batch of every sample is full-batch gradient descent: no noise to draw (a review: "median of
# 8 draws", all 8 equal)
stochastic = lab.noise_draws(noise, batch_size, n_samples(surface)) > 1

asked = {"lr_min": lr_min, "lr_max": lr_max}  # the link keeps the sliders' values, as shown
if lr_min > lr_max:
    st.warning("The smallest rate must be below the largest; swapped them.")
    lr_min, lr_max = lr_max, lr_min
elif lr_min == lr_max:  # a decade up, or down from the slider's top (not past it)
    if lr_min * 10 <= LR_HI:
        st.warning("The smallest and largest rates are equal; the range runs to 10 times it.")
        lr_max = lr_min * 10
    else:
        st.warning("The smallest and largest rates are equal; the range runs from a tenth of "
                   "it.")
        lr_min = lr_max / 10
n_sweep, note = clamp_count("sweep_rates", int(n_sweep))
state = RaceState(surface=surface, formula="", optimizers=tuple(n for n, _ in racers),
                  hparams={n: hp for n, hp in racers}, steps=int(steps), start=start, seed=seed,
                  noise=noise, batch_size=batch_size)
own = {**asked, "rates": int(n_multiples), "sweep": n_sweep,
       "spread": spread, COMPARE: format_hparam(bool(st.session_state.get("lab.switch", True)))}

if not racers:
    st.query_params.from_dict({**race_query(state, SPECS), **own_query(own)})
    st.info("Pick at least one optimizer in the sidebar.")
    stop_here()

entries = controls.allowed(racers, compute.entry)
if not entries:
    stop_here()
names = [e[0] for e in entries]
controls.say_late_switches(racers, int(steps))
run_args = (start, int(steps))
extra = (seed, noise, batch_size)

# 1. small multiples ------------------------------------------------------------------------------
st.header("Too small crawls, too large explodes")
controls.init("lab.focus", names[0])
if st.session_state["lab.focus"] not in names:
    st.session_state["lab.focus"] = names[0]
# required: a click on the chosen one deselected it, and the panels jumped to the first optimizer
focus = st.segmented_control("Optimizer", names, key="lab.focus", required=True,
                             format_func=lambda n: SPECS[n].display_name) or names[0]
focus_entry = entries[names.index(focus)]
focus_lr = float(dict(focus_entry[1])["lr"])
lo_m, hi_m = lab.lr_bounds(focus)
m_range = (max(focus_lr / spread, lo_m), min(focus_lr * spread, hi_m), n_multiples)
multiples_args = (surface, focus_entry, *run_args, m_range, *extra)  # also its figures' key
with st.spinner("Running every rate at once…"):
    multi = lab_compute.sweep(*multiples_args, paths=True)
tol = default_tolerance(obj.domain)
line_colors = rate_colors(len(multi.lrs))  # each panel's rate, its line's colour in the chart below
# The panels' figures are kept per setting (``compute.kept_figure``), keyed on what their runs
# are computed from: an unchanged rerun, the focus's or a card's, rebuilt all four of the
# page's figures (~150 ms a rerun).
views_of = functools.cache(lambda: path_views(focus, multi, obj))


def multiples() -> go.Figure:
    titles = []
    for r, (lr, view) in enumerate(zip(multi.lrs, views_of(), strict=True)):
        words = (describe(view.points, view.diverged_step, tuple(obj.minima), tol,
                          domain=obj.domain).text
                 if obj.minima else lab.verdict(multi, r))
        titles.append(PanelTitle(f"lr {format_value(float(lr))}", words, r == multi.best,
                                 text_color(line_colors[r])))
    return small_multiples_figure(compute.landscape_grid(surface), views_of(), titles,
                                  tuple(obj.minima), obj, start, phone=controls.is_phone(),
                                  background=compute.landscape_background(surface))


best_words = (f"; the best is lr {format_value(float(multi.lrs[multi.best]))}"
              if multi.best >= 0 else "")
st.plotly_chart(compute.kept_figure(("lab.multiples", *multiples_args), multiples),
                key="lab.multiples", config=CFG,
                alt=f"{obj.title}. {n_multiples} maps, one per learning rate from "
                    f"{m_range[0]:.3g} to {m_range[1]:.3g}: {SPECS[focus].display_name}'s path "
                    f"from ({start[0]:.4g}, {start[1]:.4g}) at each rate{best_words}.")
st.caption(f"{SPECS[focus].display_name} from the same start at {n_multiples} learning rates "
           f"spaced evenly on a log scale from {m_range[0]:.3g} to {m_range[1]:.3g} (its rate "
           f"{focus_lr:.3g} ÷ and × {spread:g}). Press ▶ Play: all panels move on the same clock."
           # a crawl at 0.005 on Booth "reached global minimum (step 54)" with a loss gap of
           # 0.009 left, under "too small crawls" (a teacher's review)
           + (f" 'Reached' in a title means settled within {tol:.3g} of the minimum (the "
              "race's tolerance), not at the bottom: the loss curves below show how far down."
              if obj.minima else "")
           + (" Its step is about η whatever the slope ("
              + ("it takes only the sign of each coordinate of its blend of gradients"
                 if focus == "lion" else "it divides by the gradient's recent size")
              + "), so a large η bounces around rather than blowing up (a stride as long as the "
                "map, though, carries it off the map)."
              + (" RMSprop's first step is 10η on each coordinate, the next ones several η: its "
                 "average of squared gradients starts at 0 and, unlike Adam's, is not corrected "
                 "for that." if focus == "rmsprop" else "")
              if focus in SCALE_FREE - {"adam_then_sgd", "radam"} else ""))  # SGD-like phases
# The same runs as loss curves: the study note's octavian-ai figure of small and large rates.
st.plotly_chart(compute.kept_figure(("lab.rate_curves", *multiples_args), lambda: loss_figure(
                    views_of(), obj.min_value if obj.minima else None, height=300,
                    colors=line_colors, bold=multi.best)),
                key="lab.rate_curves", config=CFG,
                alt=f"Loss against step of {SPECS[focus].display_name} at each of the "
                    f"{n_multiples} learning rates above, one line per rate{best_words}.")
st.caption("The panels' runs as loss against steps, dark for the smallest rate, light for the "
           "largest (each panel's rate above is written in its line's colour): too small a rate "
           "falls slowly, too large a one jumps about or shoots up (a line that ends has blown "
           "up, or flown off the map where the surface falls below its minimum here). "
           f"Gaps below {CURVE_FLOOR:g} are drawn at {CURVE_FLOOR:g}: a line flat there has "
           "reached the minimum, it has not stalled."
           + (" Thick: the best rate (★)." if multi.best >= 0 else ""))

# 2. sweep ----------------------------------------------------------------------------------------
st.header(f"The sweep: {n_sweep} rates, one batched run per optimizer")
if note:
    st.info(note)
sweep_rates = (lr_min, lr_max, n_sweep)
sweeps = [lab_compute.sweep(surface, e, *run_args, sweep_rates, *extra) for e in entries]
bests = "; ".join(f"{SPECS[e[0]].display_name}: " + (f"best rate {s.best_lr:.3g}" if s.best_lr
                                                      is not None else lab.none_eligible(s))
                  for e, s in zip(entries, sweeps, strict=True))
st.plotly_chart(compute.kept_figure(
                    ("lab.sweep", surface, tuple(entries), *run_args, sweep_rates, *extra),
                    lambda: sweep_figure(sweeps, {n: SPECS[n].display_name for n in names})),
                key="lab.sweep_fig", config=CFG,
                alt=f"Final loss against learning rate, {n_sweep} rates on log scales, one line "
                    f"per optimizer, a diverged rate marked: {bests}.")
start_gap = float(obj.value(np.asarray(start, float))) - lab.loss_floor(obj)
diagonal = domain_diagonal(obj.domain)  # the sweep's and the tuner's leap notes
rows = []
for e, s in zip(entries, sweeps, strict=True):
    current = float(dict(e[1])["lr"])
    rows.append({
        "optimizer": SPECS[e[0]].display_name, "name": e[0],
        "best rate": s.best_lr,
        "final loss gap there": s.final_gap[s.best] if s.best >= 0 else None,
        f"rates with gap ≤ {lab.GOOD_FACTOR:g}× best": lab.good_rates_text(s, start_gap),
        "diverged rates": int(s.diverged.sum()),
        # the figure's open arrows, counted: a column of 0s beside ~8 arrows read as all fine
        **({"ended off the map": int(s.left_map.sum())}
           if any(w.left_map.any() for w in sweeps) else {}),
        "note": lab.none_eligible(s) if s.best < 0 else "; ".join(
            n for n in (lab.edge_note(s.edge, s.best_lr, show=False), lab.unstable_note(s),
                        lab.sweep_leap_note(s, diagonal)) if n),
        "your rate": current,
    })
table = pd.DataFrame(rows)
names_ = table.pop("name")
notes = controls.notes_apart(table)
st.dataframe(controls.named_in_color(table, names_).format(
    {"best rate": "{:.3g}", "final loss gap there": "{:.3g}", "your rate": "{:.3g}"},
    na_rep="—"), hide_index=True, width="stretch")
if notes:
    st.markdown(controls.named_list(notes))
# One line to read the figure by; the rules behind each mark in an expander (a review: ~170 words
# of small grey text under the table).
st.caption(f"Final loss gap = loss after {steps} steps minus the global minimum's value. "
           "★ best rate · ✕ blew up · open arrow: ended off the map (in neither curve)."
           # one draw of the noise moved Adam's ★ from 0.011 to 6.8 with the seed (a review)
           + (f" With {'minibatches' if batch_size else 'gradient noise'}, every rate here runs "
              f"on one draw of it (seed {seed}): another "
              f"seed moves the ★; the tuner below judges each rate by its median over "
              f"{lab.NOISE_DRAWS} draws." if stochastic else ""))
with st.expander("How the sweep reads each rate"):
    st.markdown(
        f"- **Steps to tolerance**: first step with a gap below {sweeps[0].tol:g} (a bouncing "
        "run may rise above it again later): a loss, "
        "where the panels' and the race's 'reached' is a distance (within "
        f"{default_tolerance(obj.domain):.3g} of the minimum on the map), so a run may reach "
        "the minimum there and never this tolerance.\n"
        "- **✕** marks rates that blew up (the loss became infinite or the walker left the map "
        "by far), a row along the top for each optimizer with any; an **open arrow** on that "
        "row marks rates whose walker ended off the map without blowing up (the surface may go "
        "on falling past the edge, below its minimum on the map).\n"
        f"- **★ Best rate**: the lowest final gap, where gaps within {lab.TIE_RTOL:g} × the "
        "start's gap count as the same (all but at the minimum) and the one that got there "
        "sooner (the smaller area under its loss curve) wins, so a neighbour may end a little "
        f"lower. A gap of 0 is drawn at {GAP_FLOOR:g}, the log scale's floor.\n"
        f"- **Rates with gap ≤ {lab.GOOD_FACTOR:g}× best**: the unbroken run of rates around "
        f"the best whose final gap is at most {lab.GOOD_FACTOR:g} times the best's (or under "
        f"{sweeps[0].tol:g}); the wider it is, the less the optimizer minds its learning rate "
        "(≤ or ≥: it reaches the end of the range, and may go on beyond; none where even the "
        f"best keeps over {lab.POOR_SHARE:.0%} of the start's gap: every rate fails alike).")

# 3. auto-tune ------------------------------------------------------------------------------------
st.header("Fair auto-tune")
st.markdown(
    "One click finds each optimizer's best rate **on this landscape, around this start**, judged "
    f"by the loss after all {steps} steps, not by how fast it starts (which would favour rates "
    "that rush ahead and then bounce), and from the **8 starts one click of the start inputs "
    "around yours** (fewer at an edge of the map) as well as from yours.")
with st.expander("How the tuner keeps a lucky rate from winning"):
    st.markdown(
        "A rate must do well from your start *and* typically (the median of the nine starts), "
        "and blow up or leave the map from none of them while some rate does not: a rate that "
        "wins from exactly "
        "your start only, say with one lucky stride that happens to land in the deepest valley, "
        "does not win. A stride that lands there from all nine may win, since then landing "
        "there is what the rate does on this landscape; a note then says its first step is a "
        "leap, not a walk. Two batched runs per optimizer: a coarse sweep over your range, then "
        "a fine one around the winner, all nine starts at once."
        + (f" With gradient noise or minibatches one run is one draw of the noise, and a rate "
           f"can win on a lucky draw: each rate also runs from your start under "
           f"{lab.NOISE_DRAWS - 1} more seeds, and your start's gap is the median of those "
           f"{lab.NOISE_DRAWS} draws." if stochastic else ""))
tune_key = (surface, tuple(entries), start, int(steps), lr_min, lr_max, n_sweep, extra)
# the button, or a link made while the table showed (asked until a run gets to tune)
if (st.button("Tune every optimizer", type="primary")  # no key: see common/resync.py
        or st.session_state.get("lab.tune.asked")):
    # One optimizer at a time, with a bar that says which: 8 optimizers at 100 rates x 2,000
    # steps on the logistic loss take ~20 s, which a bare spinner left unexplained.
    bar = st.progress(0.0)
    answers = []
    for i, e in enumerate(entries):
        bar.progress(i / len(entries),
                     text=f"Tuning {SPECS[e[0]].display_name} ({i + 1} of {len(entries)})…")
        answers.append(lab_compute.tune(surface, e, *run_args, (lr_min, lr_max, n_sweep),
                                        *extra))
    bar.empty()
    st.session_state["lab.tuned"] = (tune_key, answers)
    st.session_state["lab.tune.asked"] = False
tuned_entry = st.session_state.get("lab.tuned")
if tuned_entry is not None and tuned_entry[0] == tune_key:
    tuned = tuned_entry[1]
    own[TUNE] = format_hparam(True)  # its link shows the table too
    hp_tuned = {n: dict(hp) for n, hp in racers}
    rows = []
    n_starts = max(t.starts for t in tuned)
    n_draws = max(t.draws for t in tuned)
    median_col = (f"median over {n_starts} starts" if n_draws == 1
                  else f"median over {n_starts} starts and {n_draws} draws")
    draws_col = f"your start, median of {n_draws} draws"
    for t in tuned:
        if t.lr is not None:  # exact: rounded, a rate at the edge of stability raced elsewhere
            hp_tuned[t.optimizer]["lr"] = t.lr
        rows.append({"optimizer": SPECS[t.optimizer].display_name,
                     "tuned rate": t.lr,
                     "final loss gap, your start": t.final_gap if t.lr is not None else None,
                     **({draws_col: t.draws_gap if t.lr is not None else None}
                        if n_draws > 1 else {}),
                     median_col: t.median_gap if t.lr is not None else None,
                     "your rate": float(state.hparams[t.optimizer]["lr"])})
    st.dataframe(controls.named_in_color(pd.DataFrame(rows), [t.optimizer for t in tuned]).format(
        {"tuned rate": "{:.4g}", "final loss gap, your start": "{:.3g}", median_col: "{:.3g}",
         **({draws_col: "{:.3g}"} if n_draws > 1 else {}), "your rate": "{:.4g}"}, na_rep="—"),
        hide_index=True, width="stretch")
    # Notes are sentences: under the table, where a cell would cut them off.
    for t in tuned:
        if note := lab_tuner.tune_note(t, diagonal):
            st.markdown(f"- **{SPECS[t.optimizer].display_name}**: {note}")
    st.caption("The race reproduces the final loss gap from your start; the median says how the "
               "same rate does from the starts around it"
               + (" and, from yours, under other draws of the noise (all its runs in one median)"
                  if n_draws > 1 else "") + ". A large gap between the two means the "
               "outcome here depends on exactly where you start. "
               + (f"With noise, that gap is one draw (the page's seed); the median of "
                  f"{n_draws} draws from your start is what the rate typically does there, and "
                  "what the tuner judged. " if n_draws > 1 else "")
               + "Three 'best' rates on this "
               "page answer three questions: the panels' ★ is the best of the few rates drawn, "
               "the sweep's is the lowest final loss from your start alone"
               + (" on one draw of the noise" if n_draws > 1 else "")
               + " (near-equal ones go "
               f"to the sooner), and the tuner's also counts the {plural(n_starts - 1, 'start')} "
               "around it and their blow-ups (and runs off the map).")
    tuned_state = RaceState(**{**state.__dict__, "hparams": hp_tuned})
    # the race calls its rates tuned only if every one is (one whose rates all diverged keeps
    # the visitor's)
    all_tuned = all(t.lr is not None for t in tuned)
    if all_tuned:  # the race confirms "tuned" only for links this server's tuner made
        compute.remember_tuned(race_query(tuned_state, SPECS))
    link = tuned_race_url if all_tuned else race_url
    # one with no tuned rate races at the visitor's: the button says so (a review: McCormick's
    # Adam, tuned over 1-100, raced at 0.1 under "the tuned optimizers")
    untuned = [SPECS[t.optimizer].display_name for t in tuned if t.lr is None]
    st.link_button("Race the tuned optimizers  ↗" if all_tuned else
                   f"Race them ({and_list(untuned)} at your rate, untuned)  ↗",
                   link(tuned_state, SPECS), type="primary", help=controls.NEW_TAB)
elif tuned_entry is not None:
    st.caption("Settings changed since the last tuning; press the button again.")

# 4. schedules ------------------------------------------------------------------------------------
st.header("Schedules: a learning rate that changes over time")
st.markdown(
    "A **schedule** changes η as training goes on: big strides early to travel, small strides late "
    "to settle. The study note's advice is a switch: **Adam first** (fast, rough) **then SGD** "
    "(slow, careful): the comparison runs Adam's rate for the first quarter of the steps, then "
    "SGD's (each the one set in the sidebar if it races here, else the Adam → SGD racer's own "
    "rates on this landscape), under the same schedule as the others. The figure shows the rate "
    "each optimizer used at every step, and its loss. The schedule applies here only: the "
    "panels, the sweep and the tuner above run each rate constant."
)
controls.init("lab.schedule", "constant")
sc1, sc2 = st.columns([1, 2])
with sc1:
    schedule = st.selectbox("Schedule", list(SCHEDULES), key="lab.schedule",
                            format_func=lambda n: lab_schedules.SCHEDULE_TITLES.get(n, n))
    ss = st.session_state
    prefix = f"lab.schedule.{schedule}"
    own_set = {h.name: ss[f"{prefix}.{h.name}.own"] for h in SCHEDULE_HPARAMS[schedule]
               if f"{prefix}.{h.name}.own" in ss}
    # the visitor's own values, the rest fitted to the run length (they follow it)
    fitted = lab_schedules.schedule_settings(schedule, int(steps), own_set)
    sched_hp = {}
    for h in SCHEDULE_HPARAMS[schedule]:
        key = f"{prefix}.{h.name}"
        ss[key] = fitted[h.name]
        sched_hp[h.name] = schedule_control(schedule, h, key)
    following = [lab_schedules.RUN_LENGTH_RULES[(schedule, n)] for n in fitted
                 if (schedule, n) in lab_schedules.RUN_LENGTH_SETTINGS and n not in own_set]
    pinned = [n for n in own_set if (schedule, n) in lab_schedules.RUN_LENGTH_SETTINGS]
    if following:
        st.caption(f"Until you change {'it' if len(following) == 1 else 'them'}, step counts "
                   f"follow the run length ({steps} steps): {', '.join(following)}.")
    if pinned:
        st.button("Fit the step counts to the run length again", on_click=follow_run_length,
                  args=(schedule,))
    controls.init("lab.switch", True)  # not value=True: its value may also be set by resync
    show_switch = st.toggle("Compare with Adam → SGD", key="lab.switch",
                            help="Adds Adam for the first quarter of the steps, then SGD, each at "
                                 "its rate on this page (URL: compare).")
runs = [(name, dict(items),
         f"{SPECS[name].display_name} ({lab_schedules.SCHEDULE_TITLES[schedule].lower()})")
        for name, items in entries]
if show_switch and "adam_then_sgd" not in names:
    # Adam's and SGD's rates from the page (``switch_settings``), under the same schedule as the
    # rest: at constant rates beside scheduled ones it compared unlike runs
    switch_hp = lab_schedules.switch_settings(state.hparams, int(steps),
                                              defaults.get("adam_then_sgd"))
    sgd_momentum = (f", momentum {format_value(switch_hp['momentum'])}"
                    if switch_hp["momentum"] else "")
    runs.append(("adam_then_sgd", switch_hp,
                 f"Adam (lr {format_value(switch_hp['lr'])}) → SGD (lr "
                 f"{format_value(switch_hp['sgd_lr'])}{sgd_momentum})"
                 + ("" if schedule == "constant"
                    else f" ({lab_schedules.SCHEDULE_TITLES[schedule].lower()})")))
allowed_runs = []
for name, hp, curve_label in runs:
    shown = SPECS[name].display_name
    lowest = min(float(hp[k]) for k in ("lr", "sgd_lr") if k in hp)
    if sched_hp.get("eta_min", 0.0) > lowest:  # PyTorch would climb to it: refused
        st.warning(f"{shown} is left off this chart: the lowest learning rate η_min "
                   f"(URL: schedule.eta_min) is {format_value(sched_hp['eta_min'])}, above "
                   f"{shown}'s own rate {format_value(lowest)}, where the schedule starts: it "
                   f"runs from the rate down to η_min. Set η_min to at most "
                   f"{format_value(lowest)}.")
        continue
    allowed_runs.append((name, compute.entry(name, hp), curve_label))
schedule_args = (state.surface, tuple(allowed_runs), schedule, tuple(sorted(sched_hp.items())),
                 tuple(start), int(steps), seed, noise, batch_size)  # also its figure's key
curves, refused = lab_compute.schedule_curves(*schedule_args)
for name, err in refused:
    st.warning(f"{SPECS[name].display_name} is left off this chart: this schedule is not "
               f"allowed ({err}).")
switch_step = next((c["switch_step"] for c in curves if c["switch_step"] is not None), None)
with sc2:
    st.plotly_chart(compute.kept_figure(
                        ("lab.schedule", *schedule_args),
                        lambda: schedule_figure(curves, switch_step, phone=controls.is_phone())),
                    key="lab.schedule_fig", config=CFG,
                    alt="The learning rate at every step under the "
                        f"{lab_schedules.SCHEDULE_TITLES[schedule].lower()} schedule, beside "
                        "each run's loss minus the minimum"
                        + (f"; Adam hands over to SGD at step {switch_step}."
                           if switch_step is not None else "."))
    words = [lab_schedules.schedule_note(schedule, sched_hp, int(steps))]
    if switch_step is not None:
        words.append(f"Dashed line: Adam hands over to SGD at step {switch_step}.")
        words.append(lab_schedules.switch_verdict(curves, stochastic))
        if show_switch and "adam_then_sgd" not in names and (
                dropped := lab_schedules.switch_dropped(state.hparams)):
            words.append(f"The switch runs without {and_list(dropped)} (it carries Adam's rate, "
                         "betas and eps and SGD's rate and momentum), so it is a plainer walker "
                         "than the curves beside it.")
    if any(words):
        st.caption(" ".join(w for w in words if w))

own.update({"focus": focus, "schedule": schedule, COMPARE: format_hparam(bool(show_switch))})
# only the visitor's own settings go in the URL: the rest follow the run length when reopened
own.update({f"{SCHEDULE_PREFIX}{k}": format_hparam(v) for k, v in sched_hp.items()
            if k in own_set})
st.query_params.from_dict({**race_query(state, SPECS), **own_query(own)})

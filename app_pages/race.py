"""The race: optimizers side by side on one landscape (the landing page).

Reads top to bottom: URL -> controls -> cached runs and figures -> map, curves, table, downloads.
The whole state lives in the URL (app_pages/common/state.py), so a copied link reproduces the race.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st

import landscape
import optimizers
from app_pages.common import carry, compute, controls, lab
from app_pages.common.lab_state import basins_url, lab_url
from app_pages.common.limits import clamp_formula_steps, limit
from app_pages.common.outcomes import THROWN
from app_pages.common.presets import (
    EXAMPLE_FORMULAS,
    LANDING_SURFACE,
    RacePreset,
    rates_are_picks,
)
from app_pages.common.resync import stop_here
from app_pages.common.state import (
    MIN_STEPS,
    SPEED_NAMES,
    TAB_NAMES,
    RaceState,
    RaceView,
    kept,
    parse_race_query,
    parse_race_view,
    plus_from_url,
    race_query,
    race_view_query,
)
from app_pages.common.words import plural
from landscape.base import diagonal, inside
from viz.background import undefined_cells
from viz.playback import Playback
from viz.race_layout import DESIGN_WIDTH, PHONE_WIDTH

if TYPE_CHECKING:
    from landscape.expression import ExpressionSurface

SPECS = optimizers.OPTIMIZERS
#: The formula's functions (landscape.expression_functions.FUNCTIONS, written out: importing it
#: loads SymPy, which a page without a formula never needs).
FUNCTION_WORDS = ("sin cos tan exp log (or ln) sqrt abs tanh sinh cosh arctan arcsin arccos "
                  "(or atan asin acos), min(a, b), max(a, b)")
NAMES = compute.landscape_names()
OPT = "race.opt"  # key prefix of the optimizer picker
SPEEDS = dict(zip(SPEED_NAMES, (90, 50, 25), strict=True))  # ms per frame
TABS = dict(zip(TAB_NAMES, ("Map", "3D view"), strict=True))  # URL value -> tab label
# Typed formulas are shown as inline math, which KaTeX breaks after + - =; a part that cannot
# break (a long product) scrolls inside the column instead of running past it.
MATH_CSS = ("<style>.st-key-race-math [data-testid='stMarkdownContainer'] "
            "{overflow-x: auto; overflow-y: hidden;}</style>")


def landscape_for(surface: str, formula: str) -> Any:
    return compute.get_landscape(surface, formula)


def preset(surface: str) -> RacePreset:
    return compute.race_preset(surface)


def n_samples(surface: str) -> int | None:
    return compute.DATA_SAMPLES if compute.is_data_loss(surface) else None


def seed_from_url(carried: str | None = None) -> None:
    """First run of a session: widgets start from the URL (validated), or from landscape
    ``carried`` when the URL names nothing (``controls.link_query``); warnings are kept."""
    query = controls.link_query("race", carried)
    warnings: list[str] = []
    formula = kept(query).get("formula", "").strip()  # an over-long one: parse_race_query warns
    formula_surface = refused = None
    if formula:
        try:
            formula_surface = landscape_for("", formula)
        except (landscape.ExpressionError, ValueError):
            fixed = plus_from_url(formula)
            # A '+' typed into a link arrives as a space: try the formula with it put back.
            with suppress(landscape.ExpressionError, ValueError):
                formula_surface = landscape_for("", fixed) if fixed != formula else None
            if formula_surface is None:
                # the page the link was made on: the formula in its box, refused, no race
                # (the sidebar's error says why, the page how to go on: said once each)
                warnings.append("URL parameter 'formula' was refused: the sidebar says why.")
                refused = query.pop("formula").strip()
            else:
                warnings.append(f"URL parameter 'formula': read as {fixed!r} (a '+' typed into "
                                "a link arrives as a space; write it as %2B).")
                formula = query["formula"] = fixed
    domain = formula_surface.domain if formula_surface else ((-5.0, 5.0), (-5.0, 5.0))
    lazy = {n: compute.LazyLandscape(n) for n in NAMES}
    # A formula link starts from the formula's own rates, as typing the formula does.
    base = preset if formula_surface is None else lambda _: compute.race_preset("", formula)
    # ... and from its own start, whether the link names none or one off the map (a review: a
    # refused start fell back to a corner, not to where typing the formula starts)
    state, more = parse_race_query(
        query, lazy, SPECS, base, LANDING_SURFACE, domain, n_samples, shows_race=True,
        formula_start=None if formula_surface is None else tuple(formula_surface.default_start))
    view, view_warnings = parse_race_view(query)
    ss = st.session_state
    # "formula=" with nothing after it: the formula box, empty (the link of an empty box, which
    # names no surface; with one named, the link races it, and says so)
    empty_box = "formula" in kept(query) and not formula and not refused
    if empty_box and "surface" in query:
        empty_box = False
        view_warnings.append("URL parameter 'formula' is empty; racing the surface the link "
                             "names.")
    typing = state.formula or refused or empty_box
    ss["race.mode"] = "Type a formula" if typing else "Built-in"
    ss["race.surface.held"] = state.surface or LANDING_SURFACE
    ss["race.formula.held"] = state.formula or refused or ""
    # Fixing a link's refused formula keeps the link's start and rates (``on_landscape_change``).
    ss["race.link.refused"] = bool(refused)
    controls.preset_run("race", OPT, state)
    ss["race.speed"], ss["race.arrows"] = view.speed, view.arrows
    ss["race.at"] = None if view.at is None else min(view.at, state.steps)
    if view.at is not None and view.at > state.steps:
        view_warnings.append(f"URL parameter 'at'={view.at} is past the race's "
                             f"{plural(state.steps, 'step')}; the map opens at the last one.")
    # The lab's tuned race: so named while its settings are the link's, and only a race the lab
    # can have tuned (a built-in landscape, rates of its own, a link read without a fallback).
    tunable = (not state.formula and not warnings and not more
               and all(lab.tunable(o) for o in state.optimizers))
    if view.tuned and not tunable:
        view_warnings.append("URL parameter 'tuned' ignored: the learning-rate lab tunes the "
                             "learning rates of built-in landscapes, and this link's race is not "
                             "one it can have tuned: it races the link's rates without calling "
                             "them tuned.")
    ss["race.tuned"] = race_query(state, SPECS) if view.tuned and tunable else None
    ss["race.view"] = TABS[view.tab]
    ss["race.warnings"] = warnings + more + view_warnings
    ss["race.seeded"] = True


def use_formula(formula: str) -> None:
    """Put ``formula`` in the formula box, as if typed (its start and rates come with it)."""
    st.session_state["race.formula"] = formula
    on_landscape_change("race.formula")


def on_landscape_change(source: str | None = None) -> None:
    """A new landscape brings its own race defaults: start and learning rates. ``source``: the
    surface box or formula field that changed (None: the mode switch)."""
    ss = st.session_state
    if source is not None:
        controls.hold(source)
    if ss.get("race.link.refused") and ss["race.mode"] != "Built-in":
        try:  # the link's formula, fixed at last (a fix may take more than one try)
            obj = landscape_for("", ss["race.formula.held"].strip())
        except (landscape.ExpressionError, ValueError):
            return  # still refused: nothing races, the link's settings wait
        del ss["race.link.refused"]
        if not inside((ss.get("race.start.x"), ss.get("race.start.y")), obj.domain):
            ss["race.start.x"], ss["race.start.y"] = obj.default_start
        return  # the link's rates and start stay: it had no race to bring defaults from
    ss.pop("race.link.refused", None)  # the built-in box: a landscape of its own
    if ss["race.mode"] == "Built-in":
        surface = ss["race.surface.held"]
        p = preset(surface)
        ss["race.start.x"], ss["race.start.y"] = p.start
    else:
        try:
            obj = landscape_for("", ss["race.formula.held"].strip())
            ss["race.start.x"], ss["race.start.y"] = obj.default_start
        except (landscape.ExpressionError, ValueError):
            pass
    controls.reset_hparams(OPT, SPECS)


def first_leaps(paths: Sequence[Any], domain: Any) -> list[str]:
    """What the lab's tuner says beside a tuned rate whose first step crosses a good part of
    the map (``lab.JUMP_SHARE`` of its diagonal), said on the tuned race too: it said so in the
    lab, and the race it opened dropped it (a review)."""
    length = diagonal(domain)
    out = []
    for p in paths:
        first = float(np.hypot(*(p.points[min(1, p.steps)] - p.points[0])[:2]))
        if leap := lab.leap_note(first, length):
            out.append(f"{p.label}'s {leap}")
    return out


#: Functions a gradient may show that nobody types (the slopes of abs, max and min).
GRADIENT_WORDS = {"sign": "sign(u) is 1 where u > 0, −1 where u < 0 and 0 at 0: the slope of |u|.",
                  "step": "step(u) is 1 where u > 0, 0 where u < 0 and ½ at 0: the slope of "
                          "max and min."}


def show_formula(obj: ExpressionSurface) -> None:
    """f and its two partial derivatives, one per line, wrapped to the column's width."""
    gx, gy = obj.gradient_latex
    st.html(MATH_CSS)
    with st.container(key="race-math", gap="small"):
        for lhs, tex in ((r"f(x, y)", obj.latex), (r"\dfrac{\partial f}{\partial x}", gx),
                         (r"\dfrac{\partial f}{\partial y}", gy)):
            st.markdown(f"${lhs} = {tex}$", text_alignment="center")
    said = " ".join(obj.gradient_latex)
    notes = [words for name, words in GRADIENT_WORDS.items() if rf"\operatorname{{{name}}}" in said]
    if notes:
        st.caption(" ".join(notes))


def undefined_start(obj: ExpressionSurface, start: tuple[float, float]) -> str:
    """Why no optimizer can leave ``start`` (f or its gradient is not finite there), or ""."""
    with np.errstate(all="ignore"):
        f, g = obj.value_and_grad(np.asarray(start, float))
    if np.isfinite(f) and np.isfinite(g).all():
        return ""
    at = f"at the start ({start[0]:.4g}, {start[1]:.4g})"
    where = "where the map is coloured" if np.isnan(f) else "elsewhere"
    then = f"Start {where}: click the map, or type x and y in the sidebar."
    if np.isfinite(f):  # f is there, its slope is not: only the gradient methods are stuck
        return (f"The formula has no finite gradient {at}, so the gradient methods cannot take "
                "a finite step from there: their paths end at once, \"diverged at step 1\" "
                "in the table (✕); random search and random "
                f"local search, which use no gradient, still move. {then}")
    what = "no real value" if np.isnan(f) else "no finite value"
    return (f"The formula has {what} {at}, so no optimizer can take a step from there: every "
            f"path stops at once (✕). {then}")


#: The largest gradient whose square float64 holds (sqrt of 1.8e308).
SQUARE_LIMIT = float(np.sqrt(np.finfo(float).max))


def overflowing_start(obj: ExpressionSurface, start: tuple[float, float]) -> str:
    """Why the adaptive methods stall at ``start``: its gradient's square overflows, or ""."""
    with np.errstate(all="ignore"):
        g = np.abs(obj.grad(np.asarray(start, float)))
    if not np.isfinite(g).all() or g.max() <= SQUARE_LIMIT:
        return ""
    # 1e300 x^2 ended Adam, RMSprop and Adagrad "stalled (not at a minimum)", loss-scale free as
    # Adam is: g^2 = inf made each step lr g / sqrt(inf) = 0, in PyTorch as here
    return (f"The gradient at the start is about {g.max():.1e}: its square is beyond the "
            "largest number a computer's float holds (1.8e308), so the methods that divide by "
            "the root of the squared gradients (Adam and its family, RMSprop, Adagrad, Adadelta) "
            "divide by infinity and take steps of 0: they stall where they start, as in PyTorch; "
            "the others take enormous steps. Divide the formula by a large number to race them.")


#: Racers a landscape's description may name ("Watch ... while random search ... can find the
#: deep hole"), which the default race leaves out: the sidebar offers to add one.
NAMED_RACERS = ("random_search", "random_local_search")


def offer_named_racer(description: str) -> None:
    """A button adding the racer the description names when the race lacks it (Two basins,
    Rastrigin and Easom promised random search, which no default race had)."""
    said = description.lower()
    chosen = list(st.session_state.get(OPT, []))
    named = [n for n in NAMED_RACERS if SPECS[n].display_name.lower() in said and n not in chosen]
    if not named:
        return
    name = SPECS[named[0]].display_name
    if len(chosen) >= limit("optimizers"):
        st.caption(f"To watch {name.lower()} here, remove an optimizer and add it.")
        return
    st.button(f"Add {name.lower()} to the race", on_click=controls.set_state,
              args=(OPT, [*chosen, named[0]]),
              help="The description above names it; the race does not have it yet.")


def trapped_note(paths: Sequence[Any], outcomes: Sequence[Any]) -> str:
    """A sentence naming the tuned racers that end by a local minimum, or "": the lab said "only
    the best of trapped rates", and the race its link opened called them tuned, no more."""
    trapped = [p.label for p, o in zip(paths, outcomes, strict=True) if o.kind == "local"]
    if not trapped:
        return ""
    names = " and ".join([", ".join(trapped[:-1]), trapped[-1]] if len(trapped) > 1 else trapped)
    return (f" Tuned is not the same as finding the global minimum: {names} "
            f"{'ends' if len(trapped) == 1 else 'end'} by a local minimum from this start, at the "
            f"best rate the lab found for {'it' if len(trapped) == 1 else 'each'}.")


def race_alt(title: str, start: tuple[float, float], steps: int, figs: dict) -> str:
    """The map's text for screen readers: what it draws, and where each path ended."""
    outcomes, curves = figs["outcomes"], figs["curves"]
    ends = "; ".join(f"{p.label}: {o.text}" for p, o in zip(figs["paths"], outcomes, strict=True))
    below = ("the loss and the distance to the global minimum" if curves > 1
             else "the loss" if curves else "")
    return (f"Race on {title}. Animated map of {plural(len(outcomes), 'optimizer path')} from "
            f"({start[0]:.4g}, {start[1]:.4g}) over {plural(steps, 'step')}"
            + (f", with {below} step by step under it" if below else "")
            + f". Where they end: {ends}.")


def apply_map_click() -> None:
    """A click on the map (previous run's selection event) moves the start there."""
    traces = st.session_state.get("race.map_traces")  # the map's own: not its curve panels
    point = controls.fresh_click("race.map", controls.clicked_point(
        st.session_state.get("race.map"), range(traces) if traces is not None else None))
    if point is not None:
        # 4 significant digits, finer than a pixel: the link reads start=-3.702,1.455 rather
        # than the click grid's -3.7017050449463995
        st.session_state["race.start.x"], st.session_state["race.start.y"] = (
            float(f"{point[0]:.4g}"), float(f"{point[1]:.4g}"))


# ------------------------------------------------------------------------------------------------
arrival = carry.arriving("race", NAMES, st.session_state.get("race.surface.held")
                        if st.session_state.get("race.mode") == "Built-in" else None)
if "race.seeded" not in st.session_state:
    seed_from_url(arrival.surface)
elif arrival.surface:
    st.session_state["race.mode"], st.session_state["race.surface"] = "Built-in", arrival.surface
    on_landscape_change("race.surface")
apply_map_click()

controls.page_intro(
    "race", "Downhill: the optimizer race",
    "Each coloured marker is an **optimizer walking downhill** on the loss "
    "surface below, all from the same white start. Darker colours are higher loss; ★ marks the "
    "global minimum, ◇ local ones. Press **▶ Play** to watch them race, "
    + controls.pick("hover a path for its numbers, click the map to start somewhere else (on "
                    "a touch screen: tap a spot twice).",
                    "touch a path for its numbers, tap a spot on the map twice to start "
                    "there.")
)

with st.sidebar:
    st.header("Landscape")
    mode = st.radio("Landscape source", ["Built-in", "Type a formula"], key="race.mode",
                    horizontal=True, on_change=on_landscape_change,
                    label_visibility="collapsed")
    formula = ""
    # Only one of the surface box and the formula field is drawn; both values are held.
    surface = controls.held("race.surface", LANDING_SURFACE)
    if mode == "Built-in":
        surface = st.selectbox("Surface", list(NAMES), key="race.surface",
                               format_func=lambda n: NAMES[n], on_change=on_landscape_change,
                               args=("race.surface",))
    else:
        controls.held("race.formula", "")
        formula = st.text_input(
            "f(x, y) =", key="race.formula", on_change=on_landscape_change,
            args=("race.formula",),
            max_chars=limit("url_value_chars"),
            placeholder="(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
            help=f"x and y, numbers, pi, e, + - * / ** ^, {FUNCTION_WORDS}. Plotted over "
                 "[-5, 5] x [-5, 5].",
        ).strip()
    try:
        obj = landscape_for(surface, formula) if formula or mode == "Built-in" else None
    except (landscape.ExpressionError, ValueError) as err:
        obj = None
        st.error(f"That formula was refused: {err}")
    if obj is not None:  # an empty or refused formula draws nothing to carry
        carry.show("race", surface, NAMES[surface], formula)
    if obj is not None and not formula:
        st.caption(obj.description.replace("*", r"\*").replace("_", r"\_"))
        offer_named_racer(obj.description)

    if obj is not None:
        st.header("Start")
        (x0, x1), (y0, y1) = obj.domain
        sx, sy = st.session_state.get("race.start.x"), st.session_state.get("race.start.y")
        if sx is None or sy is None or not inside((sx, sy), obj.domain):
            st.session_state["race.start.x"], st.session_state["race.start.y"] = \
                obj.default_start
        start = controls.start_inputs(obj.domain, "race.start", obj.axes)
        st.caption(controls.pick("…or click anywhere on the map (on a touch screen: tap "
                                 "twice).",
                                 "…or tap a spot on the map twice."))

    st.header("Optimizers")
    # A newly added optimizer starts from learning rates scaled to this landscape.
    defaults = (preset(surface) if mode == "Built-in" or obj is None
                else compute.race_preset("", formula)).hparams
    # Cards are built only when opened: a rerun then skips ~30 hidden widgets.
    racers = controls.optimizer_picker(SPECS, OPT, lambda n: defaults.get(n, {}),
                                       limit("optimizers"))

    st.header("Run")
    controls.init("race.steps", 500)
    steps = st.slider("Steps", MIN_STEPS, limit("steps"), key="race.steps", step=10)
    seed = int(st.number_input("Seed", 0, 2**32 - 1, key="race.seed", step=1,
                               help="Seeds random search's and random local search's tries, the "
                                    "gradient noise and the minibatch order."))
    noise, batch_size = controls.noise_or_batch(
        "race", mode == "Built-in" and compute.is_data_loss(surface), compute.DATA_SAMPLES)

    st.header("Playback")
    controls.init("race.speed", "normal")
    # required: a click on the chosen speed deselected it (and played at normal speed)
    speed = st.segmented_control("Speed", list(SPEEDS), key="race.speed",
                                 required=True) or "normal"
    controls.init("race.arrows", False)
    arrows = st.toggle("Gradient and update arrows", key="race.arrows",
                       help="Dotted: the downhill direction −∇f. Solid: the step actually "
                            "taken. They differ when momentum, adaptive scaling, gradient noise "
                            "or minibatches are at work. "
                            "Lengths follow their sizes (square-root scale, each path's "
                            "largest the longest): where the slope fades they shrink, and at a "
                            "minimum they vanish.")
    clamped_from = st.session_state.get("race.at") or 0
    if clamped_from > steps:  # fewer steps than the step asked
        st.session_state["race.at"] = int(steps)
    opened_at = st.number_input(
        "Open the map at step", 0, int(steps), value=None, key="race.at", step=1,
        placeholder="the last step",
        help="The map (and a copied link) opens at this step, paused; ▶ Play goes on from "
             "there. Point a class at a moment: where momentum overshoots, where Adam "
             "hands over to SGD. Empty: the last step.")
    if clamped_from > steps:
        st.caption(f"It was step {clamped_from}, past the race's last: it now opens at step "
                   f"{steps}, the last.")
    opened_at = None if opened_at is None else int(opened_at)

if obj is None:
    # The link says what the page shows: a refused formula (a link opens the same refusal), or
    # the empty formula box ("formula=", not the landing race); it kept the last formula raced.
    # The rest of the race stays in the link: a shared link with a typo keeps its settings.
    x, y = st.session_state.get("race.start.x"), st.session_state.get("race.start.y")
    rest = race_query(RaceState(surface="", formula="", optimizers=tuple(n for n, _ in racers),
                                hparams=dict(racers), steps=int(steps), start=(x, y), seed=seed,
                                noise=noise, batch_size=batch_size), SPECS)
    del rest["surface"]
    if x is None or y is None:
        del rest["start"]
    view = race_view_query(RaceView(speed, bool(arrows),
                                    at=opened_at))
    st.query_params.from_dict({"formula": formula, **rest, **view})
    if formula:
        st.info("Fix the formula in the sidebar to race on it: the message there says what is "
                "wrong and where.")
    else:  # an empty box raced nothing and said only "type one" (a review): offer a few
        st.info("Type a formula in the sidebar to race on it, or start from one of these:")
        for k, (words, example) in enumerate(EXAMPLE_FORMULAS):
            st.button(f"{words}: `{example}`", key=f"race.example.{k}", on_click=use_formula,
                      args=(example,))
    stop_here()
if not racers:
    st.info("Pick at least one optimizer in the sidebar.")
    stop_here()

state = RaceState(
    surface=surface if mode == "Built-in" else "", formula=formula,
    optimizers=tuple(n for n, _ in racers), hparams={n: hp for n, hp in racers}, steps=int(steps),
    start=start, seed=seed, noise=noise, batch_size=batch_size,
)
query = race_query(state, SPECS)
tuned = query == st.session_state.get("race.tuned")
race_view = RaceView(speed, bool(arrows), controls.open_tab("race.view", TABS), tuned,
                     opened_at)
st.query_params.from_dict({**query, **race_view_query(race_view)})

entries = tuple(controls.allowed(racers, compute.entry))
if not entries:
    stop_here()
run_steps = state.steps  # a typed formula's steps are bounded by its cost (formula_work)
if formula:
    run_steps, too_long = clamp_formula_steps(state.steps, len(entries),
                                              compute.formula_cost(formula))
    if too_long:
        st.warning(f"{too_long} A shorter formula or fewer optimizers allow more steps.")
controls.say_late_switches(racers, run_steps)

# 4 significant digits place a point within 1/10000 of the domain: sub-pixel, and ~15% less JSON.
playback = Playback(frame_ms=SPEEDS[speed], arrows=arrows, digits=4,
                    plot_width=PHONE_WIDTH if controls.is_phone() else DESIGN_WIDTH,
                    open_at=None if opened_at is None else min(opened_at, run_steps))
figs = compute.race_figures(state.surface, formula, entries, start, run_steps, seed, noise,
                            batch_size, playback)  # shows "Racing…" while it computes
st.session_state["race.map_traces"] = figs["map_traces"]

if formula:
    show_formula(obj)
    if stuck := undefined_start(obj, start) or overflowing_start(obj, start):
        st.warning(stuck)
    if not obj.interior_minimum:
        st.info(obj.no_minimum_note)  # flat, falling past the view, a domain edge or a pole
    if undefined_cells(compute.landscape_grid("", formula)).any():
        st.caption("Hatched grey on the map: there the formula has no real value (like the "
                   "square root or the log of a negative number).")

title = f"formula {state.formula}" if state.formula else obj.title
# The 3D tab is lazy: WebGL is costly, so it is built and sent only when opened.
tab_map, tab_3d = st.tabs(list(TABS.values()), key="race.view", on_change="rerun")
with tab_map:
    st.plotly_chart(figs["map"], key="race.map", on_select="rerun", selection_mode="points",
                    config={**controls.CHART, "scrollZoom": False},
                    alt=race_alt(title, start, run_steps, figs))
    if figs["curves"]:
        st.caption(("Beside" if figs["curves_beside"] else "Under") + " the map, each optimizer's "
                   + ("loss and its distance to the global minimum, step by step: the dots on "
                      "the curves move with the map. Gaps and distances below 10⁻¹² are drawn "
                      "at 10⁻¹²: a line flat there has reached the minimum to within 10⁻¹², it "
                      "has not stalled." if figs["curves"] > 1 else
                      "loss, step by step: the dots on the curve move with the map."))
    if compute.landscape_grid(state.surface, formula).log_scale:  # the bar's "f − f* (log)"
        st.caption("The map's colours follow f − f*, the loss above its lowest value f* (the "
                   "global minimum's, or the lowest in view), on a log scale: a wide range of "
                   "heights in one picture.")
if tab_3d.open:
    with tab_3d:
        st.plotly_chart(compute.surface_3d(state.surface, formula, entries, start, run_steps,
                                           seed, noise, batch_size, controls.is_phone()),
                        config=controls.CHART,
                        alt=f"Race on {title}. 3D surface, the loss as height, with the "
                            f"{plural(len(entries), 'optimizer')}' paths drawn on it.")
        st.caption("Drag to turn the surface. ◆ marks the global minimum and ◇ local ones "
                   "(3D has no ★). On a surface whose map colours are on a log scale the height "
                   "is log10(1 + f − f*), so valleys keep their shape; hover for the true loss.")

st.subheader("Results")
losses = {c: st.column_config.TextColumn(width=controls.text_width(figs["table"][c].to_pylist()))
          for c in ("final loss", "best loss")}
st.dataframe(figs["table"], hide_index=True, width="stretch", column_config={
    # pinned: a long outcome (last) scrolls the table sideways, and the rows keep their names
    "": st.column_config.ImageColumn(width=30, pinned=True),
    # sized to its names: left to Streamlit, it kept its first run's width after a change
    # ("SGD (lr 0.001, momentum 0.000…" read as momentum 0)
    "optimizer": st.column_config.TextColumn(
        pinned=True, width=controls.text_width(figs["table"]["optimizer"].to_pylist(),
                                               per_char=controls.WORD_PX)),
    **losses,
    "outcome": st.column_config.TextColumn(
        width=controls.text_width(figs["table"]["outcome"].to_pylist(), fits=24),
        help="Where the run ended and whether it has settled there: 'reached' or 'stuck' once "
             "each of its last 10 steps moves less than a quarter of the tolerance below; "
             "'oscillating' or 'passing near' while it still moves more (an SGD that jitters "
             "around the bottom with its minibatches is near it, not settled). '(step N)' is "
             f"its first step within the tolerance: momentum may swing out again, up to "
             f"{THROWN:g} tolerances, before it stays; further out, the words say when it came "
             f"back for good. The tolerance is a distance ({figs['tolerance']:.3g} on this map), "
             "not a loss: the loss columns say how deep a run got (a noisy one that 'reached' "
             "the minimum may sit well above its value)."),
    "first at a global min": st.column_config.TextColumn(
        help=f"First step within {figs['tolerance']:.3g} of any global minimum (a path may pass "
             "one and end at another, or elsewhere: the outcome says so)."),
    "evaluations": st.column_config.NumberColumn(
        help="Function and gradient evaluations used (the 'trials'): every method pays one a "
             "step until it stops or blows up, and the random searches one more, for the "
             "start's value that their first trial is compared with (a gradient method never "
             "needs a value). Compare 'first at a global min' for how many it needed to get "
             "there."),
    "thrown away": st.column_config.NumberColumn(
        help="Evaluations wasted: the tries a random search or random local search discarded "
             "because they were not lower than the point it had (its path stood still). A "
             "gradient method throws nothing away: every step it computes is taken.")})
# A phone's table shows the first words of an outcome: all of them here. A laptop's shows
# about OUTCOME_FITS characters beside the other columns: the longer ones here.
fits = (controls.OUTCOME_FITS_TRIES if "thrown away" in figs["table"].column_names
        else controls.OUTCOME_FITS)
long_outcomes = [(row["optimizer"], row["outcome"]) for row in
                 figs["table"].select(["optimizer", "outcome"]).to_pylist()
                 if controls.is_phone() or len(row["outcome"]) > fits]
if long_outcomes:
    st.markdown(controls.named_list(long_outcomes))
sgd_hp = state.hparams.get("sgd", {})
plain_gd = ("sgd" in state.optimizers and not state.noise
            and (batch_size is None or batch_size >= compute.DATA_SAMPLES)
            and not sgd_hp.get("momentum") and not sgd_hp.get("weight_decay"))
st.caption(f"A path counts as at a minimum within a distance of {figs['tolerance']:.3g} "
           "(1.5% of the map's diagonal)"
           + ("; here the minima form a valley, of which ★ marks one point, so a path is on "
              "its floor from the step its loss stays within a millionth of its start's height "
              "above the minimum (the step its outcome and 'first at a global min' give)"
              if figs["valley"] else "")
           + ". A diverged path is marked ✕ at its last finite point, or where it left the map."
           + (" Without gradient noise or minibatches, SGD (PyTorch's name) is plain gradient "
              "descent: every step follows the exact slope. "
              + ("Pick a minibatch size" if compute.is_data_loss(state.surface) else
                 "Add gradient noise") + " in the sidebar to make it stochastic."
              if plain_gd else ""))
if tuned and any(o.kind == "diverged" for o in figs["outcomes"]):  # no tuned rate blows up
    tuned = False
    del st.query_params["tuned"]
# said of its rates by the link; confirmed only if this server's tuner made that link
if tuned and not compute.was_tuned(query):
    st.markdown("This link says its learning rates were **tuned in the learning-rate lab**, "
                "which this server cannot confirm: its tuner did not make this link (or has "
                "restarted since), so they may be any rates."
                + (f" [Tune them again there ↗]({url})" if (url := lab_url(state, SPECS)) else ""))
elif tuned:
    st.markdown(f"These learning rates were **tuned in the learning-rate lab**: for each "
                f"optimizer, the rate it searched whose final loss after these "
                f"{plural(state.steps, 'step')} is best both from this start *and* as the "
                "median over this start and the 8 around it (ranked by the worse of the two, so "
                "one lucky start cannot win; from this start alone another rate may end lower). "
                "Change any setting and they are no longer the tuned ones."
                + "".join(f" {leap}." for leap in first_leaps(figs["paths"], obj.domain))
                + trapped_note(figs["paths"], figs["outcomes"]))
elif len(state.optimizers) > 1 and not state.formula:
    picked = rates_are_picks(dict(racers), preset(state.surface), SPECS)
    st.markdown(("The learning rates are picked per landscape to show different behaviours, "
                 "not each optimizer's best" if picked else
                 "These learning rates are neither this landscape's picks nor tuned ones for "
                 "these settings")
                + ", so this is not a verdict on the optimizers."
                + (f" [Tune each one fairly in the learning-rate lab ↗]({url})"
                   if (url := lab_url(state, SPECS)) else ""))
if url := basins_url(state, SPECS, landscape.SURFACES):
    searches = [SPECS[o].display_name.lower() for o in state.optimizers
                if not SPECS[o].uses_gradient]  # the basins page runs them as its baselines
    st.markdown(f"One start says little about a landscape: [see where every start ends with "
                f"these settings (basins of attraction) ↗]({url})"
                + (f" ({' and '.join(searches)}: there as "
                   + ("a baseline)" if len(searches) == 1 else "baselines)") if searches else ""))

name = "formula" if state.formula else state.surface
downloads = st.container(horizontal=True)  # one element, where st.columns makes four
downloads.download_button("Trajectories (CSV)",
                          lambda: compute.trajectories_csv(figs["paths"]),
                          file_name=f"downhill_{name}.csv", mime="text/csv", on_click="ignore",
                          help="Every point of every path at full precision: x, y, the loss and "
                               "grad_x, grad_y, the exact gradient there (without the run's "
                               "gradient noise or minibatch). A diverged path repeats its last "
                               "finite point.")
downloads.download_button("Animated map (HTML)",
                          lambda: compute.standalone_html(figs["map"], f"Downhill race: {title}",
                                                          playback.figure_width),
                          file_name=f"downhill_{name}.html", mime="text/html", on_click="ignore",
                          help="A self-contained file (plotly.js inlined, ~5 MB) that plays "
                               "offline.")

"""Basins of attraction: from every start of a grid, where does each optimizer end up?

Reads top to bottom: URL -> controls -> one batched run per optimizer (cached) -> maps, success
table with the gradient-free baselines -> a clicked cell opens that start in the race.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

import landscape
import optimizers
from app_pages.common import basins, carry, compute, controls, lab_compute
from app_pages.common.compute import entry, get_landscape, label
from app_pages.common.lab_state import (
    Param,
    lab_url,
    own_query,
    parse_params,
    race_url,
    split_query,
)
from app_pages.common.limits import clamp_steps, limit
from app_pages.common.presets import RacePreset, preset_for, rates_are_picks
from app_pages.common.resync import stop_here
from app_pages.common.state import (
    MIN_STEPS,
    RaceState,
    parse_race_query,
    race_query,
)
from landscape.base import inside
from viz.basins import basin_figure, legend_lines

SPECS = {n: s for n, s in optimizers.OPTIMIZERS.items() if s.uses_gradient}
SURFACES = {n: s.title for n, s in landscape.SURFACES.items()}
D = basins.DEFAULTS
OPT = "basins.opt"
CONTOUR_N = 80  # level lines over the maps: 80 x 80 samples keep each figure light
MAP_SIDE = {1: 460, 2: 300}  # px of a map, by maps per row (a narrower column shrinks it)
PARAMS = {"grid": Param("grid", D["n"], 10, limit("basin_grid"), True,
                        f"a whole number of cells per side from 10 to {limit('basin_grid')}")}


def preset(surface: str) -> RacePreset:
    """The race's preset for ``surface`` with the basins page's three default optimizers."""
    p = preset_for(surface, get_landscape(surface), SPECS, D["optimizers"])
    return RacePreset(optimizers=p.optimizers, hparams=p.hparams, start=p.start, steps=D["steps"])


def seed_from_url(carried: str | None = None) -> None:
    """First run of a session: widgets start from the (validated) URL, or from landscape
    ``carried`` when the URL names nothing (``controls.link_query``); warnings are kept."""
    query = controls.link_query("basins", carried)
    race_part, mine = split_query(query, PARAMS)
    race_part.pop("formula", None)
    state, warnings = parse_race_query(race_part, landscape.SURFACES, SPECS, preset, D["surface"],
                                       ((-5.0, 5.0), (-5.0, 5.0)))
    if "formula" in query:
        warnings.append("Basin maps need a built-in surface; the URL parameter 'formula' is "
                        "ignored.")
    own = parse_params(mine, PARAMS, warnings)
    ss = st.session_state
    ss["basins.surface"] = state.surface
    ss["basins.grid"] = own["grid"]
    ss["basins.steps"] = state.steps
    ss["basins.seed"] = state.seed
    ss["basins.noise"] = ss["basins.noise.held"] = state.noise  # drawn from .held (controls.held)
    # A start that is a cell of the map (a shared pick) comes back picked, with its button.
    cell = (basins.cell_start(state.start, get_landscape(state.surface).domain, own["grid"])
            if "start" in race_part else None)
    ss["basins.start"] = cell or state.start
    if cell is not None:
        ss["basins.picked"], ss["basins.picked_grid"] = cell, own["grid"]
    controls.preset_optimizers(OPT, state.optimizers, state.hparams)
    ss["basins.warnings"] = warnings
    ss["basins.seeded"] = True


def on_surface_change() -> None:
    controls.reset_hparams(OPT, SPECS)


arrival = carry.arriving("basins", SURFACES, st.session_state.get("basins.surface"))
if "basins.seeded" not in st.session_state:
    seed_from_url(arrival.surface)
elif arrival.surface:
    st.session_state["basins.surface"] = arrival.surface
    on_surface_change()

controls.page_intro(
    "basins", "Basins of attraction",
    "Every small square is a **starting point**. We let the optimizer walk downhill from *every* "
    "square at once and colour the square by **where it ended**: green = the global minimum "
    "(a shade of green for each, where there are several), other colours = a local minimum "
    "(stuck), black = blew up, grey = near no minimum (still moving, stalled on a flat stretch or "
    "off the map)."
)  # how to pick a start is said once, in the box above the maps (it was said here too)
if arrival.note:
    st.info(arrival.note)

with st.sidebar:
    st.header("Landscape")
    surface = st.selectbox("Surface", list(SURFACES), key="basins.surface",
                           format_func=lambda n: SURFACES[n], on_change=on_surface_change)
    carry.show("basins", surface, SURFACES[surface])
    obj = get_landscape(surface)
    st.caption(obj.description)
    st.header("Grid of starts")
    n = st.slider("Cells per side", 10, limit("basin_grid"), key="basins.grid", step=10,
                  help=f"{limit('basin_grid')} x {limit('basin_grid')} = "
                       f"{limit('basin_grid') ** 2:,} starts at most, all in one batched run.")
    st.header("Optimizers")
    defaults = preset(surface).hparams
    racers = controls.optimizer_picker(SPECS, OPT, lambda o: defaults.get(o, {}),
                                       limit("optimizers"))
    st.header("Run")
    steps_asked = int(st.slider("Steps", MIN_STEPS, limit("steps"), key="basins.steps", step=10))
    # Too much work for the page: the maps run fewer steps, said here and above the maps. The
    # slider and the link keep the asked count: the same link replays the same cut, fewer cells
    # or optimizers give the steps back, and a slider that jumped back read as a broken control.
    steps, steps_note = clamp_steps(steps_asked, n * n, max(1, len(racers)))
    if steps_note:
        st.caption(f"Runs {steps:,} steps: the page's work limit (see the note).")
    seed = int(st.number_input("Seed", 0, 2**32 - 1, key="basins.seed", step=1))
    noise, _ = controls.noise_or_batch("basins", False, compute.DATA_SAMPLES)  # no data losses

if steps_note:
    st.info(steps_note)
# A click on a map (its selection, reported with this run) picks the start; every map keeps its
# own selection, so the newest click on any of them wins.
for k in range(len(racers)):
    point = controls.fresh_click(f"basins.map.{k}",
                                 controls.clicked_point(st.session_state.get(f"basins.map.{k}")))
    if point is not None:
        st.session_state["basins.start"] = st.session_state["basins.picked"] = point
        st.session_state["basins.picked_grid"] = n
start = st.session_state.get("basins.start", obj.default_start)
if not inside(tuple(start), obj.domain):  # a cell clicked on the previous surface
    start = obj.default_start
state = RaceState(surface=surface, formula="", optimizers=tuple(o for o, _ in racers),
                  hparams={o: hp for o, hp in racers}, steps=steps, start=tuple(start), seed=seed,
                  noise=noise)
st.query_params.from_dict({**race_query(replace(state, steps=steps_asked), SPECS),
                          **own_query({"grid": n})})

if not racers:
    st.info("Pick at least one optimizer in the sidebar.")
    stop_here()

entries = controls.allowed(racers, entry)

with st.spinner(f"Running {len(entries)} x {n * n:,} starts x {steps} steps…"):
    maps = [lab_compute.basin_map(surface, e, n, steps, seed, noise) for e in entries]
    base = [lab_compute.baseline(surface, b, n, steps, seed) for b in basins.BASELINES]

# The picked start's button above the maps, one row whether a start is picked or not: under them
# it appeared below the fold, where a visitor who had just clicked a square did not see it.
picked = st.session_state.get("basins.picked")
if picked is not None and (tuple(picked) != tuple(state.start) or (
        st.session_state.get("basins.picked_grid") != n
        and basins.cell_start(picked, obj.domain, n) is None)):
    # a start picked on another surface, before the link changed it, or on a grid of another
    # size whose cells it is not one of (a link keeps a pick only as a cell of its own grid,
    # ``cell_start``: the page shows what its link opens)
    picked = None
if picked is not None:
    said, button = st.columns([3, 2], vertical_alignment="center")
    said.success(f"Start ({picked[0]:.3g}, {picked[1]:.3g}) selected.")
    button.link_button(f"Open start ({picked[0]:.3g}, {picked[1]:.3g}) in the race  ↗",
                       race_url(state, SPECS), type="primary", help=controls.NEW_TAB)
else:
    st.info(controls.pick("Click a square (on a touch screen: tap it twice)",
                          "Tap a square twice")
            + " on a map to pick that start; a button here then opens it in the race.")

# Two maps a row at most: three to a row left each ~70 px wide on a 1000 px window. A lone map
# gets the whole column.
n_cols = min(len(entries), 2)
lines = max((legend_lines(bm.labels, obj.minima) for bm in maps), default=0)
phone = controls.is_phone()
for k, (e, bm) in enumerate(zip(entries, maps, strict=True)):
    if k % n_cols == 0:  # a row of columns per pair: a phone stacks columns, so one pair of
        cols = st.columns(n_cols)  # columns for all maps read 1, 3, 5, 2, 4 there
    fig = basin_figure(bm.xs, bm.ys, bm.labels, obj.minima, label(e), e[0], obj.domain,
                       subtitle=f"{bm.stats.success_rate:.1%} reach the global minimum",
                       grid=compute.landscape_grid(surface, "", CONTOUR_N),
                       side=MAP_SIDE[n_cols], legend_lines=lines, phone=phone,
                       picked=None if picked is None else tuple(picked))
    cols[k % n_cols].plotly_chart(
        fig, key=f"basins.map.{k}", on_select="rerun", selection_mode="points",
        config=controls.TRIMMED_CHART,
        alt=f"{obj.title}. Basin map of {label(e)}: each square is a start, coloured by "
            f"where its path ends (the global minimum, a local one, diverged or still moving); "
            f"{bm.stats.success_rate:.1%} of the starts reach the global minimum.")
st.caption(("The learning rates are picked per landscape to show different behaviours, not "
            "tuned for each optimizer" if rates_are_picks(dict(racers), preset(surface), SPECS)
            # (the lab's tuned rates too: it tunes for one start, never for a whole map)
            else "These learning rates are not this landscape's picks, and none is tuned for "
                 "every start of a map")
           + ", so a low share is not a verdict on the optimizer."
           # The lab tunes for one start (the final loss from there and 8 around it): a rate
           # tuned into a local minimum's trap can reach the global one from fewer starts.
           + (f" The learning-rate lab [tunes each one for a single start ↗]({url}), not for "
              "a whole map: a tuned rate can reach the global minimum from fewer starts."
              if (url := lab_url(state, SPECS)) else ""))

st.subheader("Who finds the global minimum, and at what cost?")
rows = []
for e, bm in zip(entries, maps, strict=True):
    rows.append({"method": label(e), "name": e[0], "success rate": bm.stats.success_rate,
                 "median steps": bm.stats.median_steps,
                 "median evaluations": bm.stats.median_evaluations,
                 "evaluations / start": bm.stats.evaluations_per_path,
                 "starts": n * n})
for b in base:
    rows.append({"method": basins.baseline_label(b),
                 "name": b.optimizer, "success rate": b.success_rate,
                 "median steps": b.median_steps,
                 "median evaluations": b.median_evaluations,
                 "evaluations / start": b.evaluations_per_path,
                 "starts": min(n, basins.BASELINE_SIDE) ** 2})
table = pd.DataFrame(rows)
table["success rate"] *= 100  # percent, shown to one decimal as in the maps' titles
for col in ("median steps", "median evaluations"):
    # a median of an even count may end in .5: 136.5 and 137.5 read 136 and 138 (rounded half
    # to even), evaluations one step apart shown two apart (a review)
    table[col] = [f"{v:g}" if np.isfinite(v) else "never" for v in table[col]]
# A colour swatch column, as in the race's table (a pandas Styler cost ~10 ms per render).
table.insert(0, "", [controls.color_swatch(x) for x in table.pop("name")])
# Short headers with their meaning on hover: "evaluations per start" took its column's width,
# showing 300 as "30", and pushed "starts" off a laptop's table.
st.dataframe(table, hide_index=True, width="stretch", column_config={
    # pinned, as in the race: a phone scrolls the numbers sideways and the rows keep their names
    "": st.column_config.ImageColumn(width=30, pinned=True),
    "method": st.column_config.TextColumn(pinned=True),
    "success rate": st.column_config.NumberColumn(
        format="%.1f%%", help="Share of the starts whose path ends at the global minimum."),
    # text ("never" when no start arrives), right-aligned as the number columns beside it
    "median steps": st.column_config.TextColumn(
        alignment="right",
        help="Median steps to reach the global minimum, over the starts that reach it."),
    "median evaluations": st.column_config.TextColumn(
        alignment="right",
        help="Median evaluations (trials) used to reach the global minimum, over the starts "
             "that reach it."),
    "evaluations / start": st.column_config.NumberColumn(
        help="Evaluations (trials) one start's whole run uses: one a step, and for the "
             "random searches one more, the start's value their first trial is compared with."),
    "starts": st.column_config.NumberColumn(help="Starting points run.")})
if phone:  # the phone's table shows the names and the first numbers: the rates in full here
    st.markdown(controls.named_list(
        (r["method"], f"{r['success rate']:.1f}% reach the global minimum"
         + (f", in {r['median steps']} steps (median)" if r["median steps"] != "never" else ""))
        for r in table[["method", "success rate", "median steps"]].to_dict("records")))
tol = basins.capture_radius(obj.domain)
# What the numbers say first, in a line or three; how the table counts behind an expander (a
# caption of ~150 words once the geometry of random search joined it).
if said := basins.sampling_cost(
        [bm.stats for bm in maps], next((b for b in base if b.optimizer == "random_search"), None),
        next((b for b in base if b.optimizer == "random_local_search"), None),
        basins.sampling_share(obj.domain, [m.point for m in obj.minima if m.is_global], tol,
                              steps)):
    st.caption(said)
with st.expander("How the table counts"):
    st.markdown(
        # settled or not, noise or none: on Easom in 10 steps 863 starts arrived and 1 had
        # settled (a review); and "may": a noisy SGD's race often says "reached" all the same
        f"- A path has **arrived** when it ends within {tol:.3g} of a minimum (the race's "
        "tolerance), settled there or not: the race, opened on such a start, may call it "
        "'oscillating near' the minimum, or 'passing near' if it was on its way through at the "
        "last step"
        + (" (with gradient noise a path keeps jittering where it ends)" if noise > 0 else "")
        + ". Arriving is getting near, not deep: the median counts the trials to come within "
        "the tolerance, not to the bottom.\n"
        "- **Evaluations** are the study note's *trials*: each gradient step costs one gradient "
        "evaluation, each random try one function evaluation. Random search samples the whole "
        "map, so where it starts matters little to it; random local search keeps a random step "
        "only if it went down."
        + (f"\n- The baselines start from a coarser {basins.BASELINE_SIDE} x "
           f"{basins.BASELINE_SIDE} grid over the same map (they are not drawn as maps), so "
           "their success rates are shares of those starts."
           if n > basins.BASELINE_SIDE else ""))

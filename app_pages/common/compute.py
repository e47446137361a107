"""Cached computation for the pages: landscapes, grids, trajectories and the race figures.

Every cached function takes plain hashable inputs (names, numbers, tuples), so a rerun after one
control change recomputes only what that control touches. Grids go through ``st.cache_data``
(copied per call); objects that are built once and only read, and looked up on every rerun
(surfaces, presets, runs, figures), through ``memo`` (a dict lookup instead of Streamlit's
argument hashing, see ``app_pages.common.memo``). All caches are bounded (``cache_bounds``).
"""

from __future__ import annotations

import html
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pyarrow as pa
import streamlit as st

import landscape
import optimizers
from app_pages.common import controls
from app_pages.common.controls import PLOTLY_CONTROLS_JS, color_swatch
from app_pages.common.limits import cache_bounds
from app_pages.common.memo import bounded_memo, memo
from app_pages.common.outcomes import Outcome, default_tolerance, describe, is_valley
from app_pages.common.presets import RacePreset, preset_for
from landscape.data_losses import DATA_LOSSES, get_data_loss
from viz.background import Grid, background_image, sample_grid
from viz.curves import distance_series, loss_series
from viz.paths import PathView, path_view
from viz.playback import Playback
from viz.race import race_figure
from viz.race_layout import FIGURE_WIDTH, curves_beside
from viz.spec import SpecFigure, frozen, spec_dict, still
from viz.style import format_value, optimizer_label
from viz.surface3d import surface_3d_figure

HParamItems = tuple[tuple[str, Any], ...]
Entry = tuple[str, HParamItems]  # (optimizer registry name, sorted hyperparameter items)
GRID_N = 300
DATA_SAMPLES = 100


def landscape_names() -> dict[str, str]:
    """Registry name -> title for every drawable landscape (surfaces, then data-driven losses)."""
    names = {n: s.title for n, s in landscape.SURFACES.items()}
    names.update({n: get_landscape(n).title for n in DATA_LOSSES})
    return names


@memo()
def get_landscape(surface: str, formula: str = "") -> Any:
    """The objective called ``surface`` (a registry surface or a data loss with 100 samples, data
    seed 0), or the typed ``formula`` (may raise ``landscape.ExpressionError``)."""
    if formula:
        return landscape.from_expression(formula)
    if surface in DATA_LOSSES:
        return get_data_loss(surface, n_samples=DATA_SAMPLES, seed=0)
    return landscape.get_surface(surface)


@memo()
def race_preset(surface: str, formula: str = "") -> RacePreset:
    """The race defaults of landscape ``surface`` or of the typed ``formula``
    (``presets.preset_for``; its curvature estimate costs ~1 ms, so it runs once per landscape,
    not on every rerun)."""
    name = "formula" if formula else surface
    return preset_for(name, get_landscape(surface, formula), optimizers.OPTIMIZERS)


def formula_cost(formula: str) -> int:
    """NumPy operations of one gradient step on the typed ``formula`` (already accepted by
    ``get_landscape``): what the race's ``formula_work`` limit counts (``ExpressionSurface.cost``,
    counted when the surface was built)."""
    return get_landscape("", formula).cost


def true_minima(obj: Any) -> tuple[Any, ...]:
    """The landscape's minima; none for a typed formula that keeps falling (past the edge or into
    a pole), whose only entry is the lowest point in view (``lowest_in_view``)."""
    return tuple(obj.minima) if getattr(obj, "interior_minimum", True) else ()


def lowest_in_view(obj: Any) -> tuple[float, float] | None:
    """The lowest point in view of a formula without an interior minimum, else None; None too
    when no point is lower than the others (flat, or equal to rounding: the centre of the view
    stood in, and on 1e300 - x^2 it is the formula's maximum)."""
    if (getattr(obj, "interior_minimum", True) or not obj.minima
            or getattr(obj, "no_minimum", "") in ("flat", "rounding")):
        return None
    return tuple(obj.minima[0].point)


def is_data_loss(surface: str) -> bool:
    return surface in DATA_LOSSES


@st.cache_data(**cache_bounds())
def landscape_grid(surface: str, formula: str = "", n: int = GRID_N) -> Grid:
    """The landscape on an n x n grid (colour map on log scale where the surface asks for it)."""
    obj = get_landscape(surface, formula)
    floor = obj.min_value if obj.minima else None
    return sample_grid(obj, obj.domain, n, bool(getattr(obj, "log_scale", False)), floor)


@memo()
def landscape_background(surface: str, formula: str = "") -> dict[str, Any]:
    """The map's background image (PNG data URI in a ``layout.images`` entry), built once."""
    return background_image(landscape_grid(surface, formula))


#: Bytes of kept figures (``kept_figure``): the tour's 11 are ~0.6 MB, their maps' images most.
#: Bounded by bytes, not by the caches' usual 16 entries: one visitor's tour is 11 figures, and
#: with two visitors each rerun rebuilt 8 of them (a review measured 180-210 ms, not ~50).
KEPT_FIGURE_BYTES = 32 * 2**20
KEPT_FIGURE_ENTRIES = 2000
_KEPT_FIGURES = bounded_memo(KEPT_FIGURE_BYTES, KEPT_FIGURE_ENTRIES)


def kept_figure(key: Hashable, build: Callable[[], go.Figure]) -> SpecFigure:
    """``build()``, frozen (``viz.spec.frozen``), built once per ``key`` and shared read-only by
    every session. For pages of many small figures, each fixed by a few controls: a rerun
    rebuilds only the figures whose controls moved (Plotly's validation of the others' traces
    and layouts took most of a rerun). ``key`` names the figure and every value it is drawn
    from (its controls); the phone flag is added here, as every figure depends on it.

    On a phone the figure does not drag (``dragmode: False``): Plotly cancels a touch that
    starts on a chart in any other mode, so a swipe over the tour's figures panned or zoomed
    them instead of scrolling the page. Touches still hover (these figures select nothing)."""
    phone = controls.is_phone()
    found, fig = _KEPT_FIGURES.get((key, phone))
    if not found:
        built = build()
        fig = frozen(still(built) if phone else built)  # still: a SpecFigure's spec too
        _KEPT_FIGURES.put((key, phone), fig)
    return fig


def kept_figure_store() -> Any:
    """The store behind ``kept_figure`` (for tests: ``len()``, ``clear()``)."""
    return _KEPT_FIGURES


def entry(name: str, hparams: dict[str, Any]) -> Entry:
    """A hashable cache key for one racer."""
    return name, tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                              for k, v in hparams.items()))


_LONGEST_RUNS = bounded_memo()  # a setting without its step count -> the longest run made


def trajectory(surface: str, formula: str, racer: Entry, start: tuple[float, float], steps: int,
               seed: int, noise: float, batch_size: int | None) -> optimizers.Trajectory:
    """One optimizer's run (``optimizers.run``) from ``start``; noise only for gradient users.

    A run of fewer steps is the beginning of a longer one (``Trajectory.truncated``), so the
    longest run made for a setting answers every shorter request: moving the steps slider down
    reruns no optimizer. A gradient method without noise or minibatches draws nothing, so its
    run is the same under every seed and is made once (a new seed reran all six of the landing
    race's). Treat the result as read-only (it may be shared)."""
    name, items = racer
    uses_grad = optimizers.OPTIMIZERS[name].uses_gradient
    noise = noise if uses_grad and not is_data_loss(surface) else 0.0
    batch_size = batch_size if is_data_loss(surface) else None
    if uses_grad and not noise and batch_size is None:
        seed = 0
    key = (surface, formula, racer, start, seed, noise, batch_size)
    found, longest = _LONGEST_RUNS.get(key)
    if not found or longest.steps < steps:
        opt = optimizers.get_optimizer(name, **dict(items))
        longest = optimizers.run(opt, get_landscape(surface, formula), np.asarray(start, float),
                                 steps, seed=seed, noise=noise, batch_size=batch_size)
        _LONGEST_RUNS.put(key, longest)
    return longest if longest.steps == steps else longest.truncated(steps)


#: A legend name carries at most this many settings besides the learning rate: the ones changed
#: from the optimizer's defaults (an SGD run with momentum 0.9 read "SGD (lr 0.01)").
LABEL_SETTINGS = 2
SETTING_WORDS = {"switch_step": "switch at step"}  # PyTorch's names read as they are elsewhere


def changed_settings(name: str, hparams: Mapping[str, Any]) -> list[str]:
    """``"momentum 0.9"``, ``"nesterov on"``: ``hparams`` other than the rates that differ from
    the registry's defaults, in the registry's order."""
    out = []
    for h in optimizers.OPTIMIZERS[name].hparams:
        if h.name in ("lr", "sgd_lr", "step_size") or h.name not in hparams:
            continue
        value = hparams[h.name]
        if not np.array_equal(np.asarray(value, float), np.asarray(h.default, float)):
            said = SETTING_WORDS.get(h.name, h.name)
            out.append(f"{said} {format_value(tuple(value) if h.kind == 'pair' else value)}")
    return out


def label(racer: Entry) -> str:
    """Legend text: display name, learning rate (or step size) and the settings changed from
    the defaults (``LABEL_SETTINGS`` of them, then "…")."""
    name, items = racer
    spec = optimizers.OPTIMIZERS[name]
    hp = dict(items)
    changed = changed_settings(name, hp)
    extras = changed[:LABEL_SETTINGS] + (["…"] if len(changed) > LABEL_SETTINGS else [])
    if "lr" not in hp and "step_size" in hp:
        return optimizer_label(spec.display_name, {}, [f"step {format_value(hp['step_size'])}",
                                                       *extras])
    return optimizer_label(spec.display_name, hp, extras)


def path_views(surface: str, formula: str, racers: tuple[Entry, ...], start: tuple[float, float],
               steps: int, seed: int, noise: float, batch_size: int | None,
               ) -> tuple[list[PathView], list[optimizers.Trajectory]]:
    """Each racer's path ready to draw, and the run it came from (fetched once per racer)."""
    obj = get_landscape(surface, formula)
    runs = [trajectory(surface, formula, r, start, steps, seed, noise, batch_size)
            for r in racers]
    return [path_view(r[0], label(r), t, obj) for r, t in zip(racers, runs, strict=True)], runs


@memo(spinner="Racing…")  # a spinner only on a miss
def race_figures(surface: str, formula: str, racers: tuple[Entry, ...],
                 start: tuple[float, float], steps: int, seed: int, noise: float,
                 batch_size: int | None, playback: Playback) -> dict[str, Any]:
    """Everything the race page draws, built once per setting and shared read-only: the
    animated map with its loss (and distance) panels, how many of its traces are the map's own
    (``map_traces``; a click elsewhere picks no start), the outcomes and the results table (the
    3D view: ``surface_3d``)."""
    obj = get_landscape(surface, formula)
    grid = landscape_grid(surface, formula)
    paths, runs = path_views(surface, formula, racers, start, steps, seed, noise, batch_size)
    minima = true_minima(obj)
    tol = default_tolerance(obj.domain)
    outcomes = [describe(p.points, p.diverged_step, minima, tol, bool(t.undefined),
                         domain=obj.domain, sampler=p.name == "random_search",
                         trier=p.name == "random_local_search", losses=p.losses)
                for p, t in zip(paths, runs, strict=True)]
    glob = np.array([m.point for m in minima if m.is_global], float).reshape(-1, 2)
    evaluations = [used_evaluations(t) for t in runs]
    # No distance panel for a valley of minima: the distance to the one point listed of its
    # floor said 3.5 of paths that lay on the floor at a loss of 1e-22.
    valley = is_valley(minima)
    series = [loss_series(paths, obj.min_value if minima else None),
              *([distance_series(paths, glob)] if len(glob) and not valley else [])]
    # a start where f is undefined leaves nothing to plot: no empty panels
    series = [s for s in series if any(np.isfinite(y).any() for y in s.ys)]
    race_map = race_figure(grid, paths, minima, obj, start, playback,
                           background=landscape_background(surface, formula),
                           lowest=None if minima else lowest_in_view(obj),
                           lowest_label=obj.minima[0].label if obj.minima else "", series=series,
                           named_minima={o.minimum for o in outcomes if o.minimum is not None})
    spec = race_map.to_dict()
    return {
        # As an Arrow table, so that st.dataframe does not convert it on every rerun.
        "table": results_table(paths, outcomes, evaluations, obj.min_value if minima else None),
        # Drawn on every rerun: its JSON is encoded once (viz.spec.frozen), not per rerun.
        "map": frozen(race_map),
        # the map's own traces come first: a click on a curve panel picks no start
        "map_traces": sum(t.get("xaxis", "x") == "x" for t in spec["data"]),
        "curves": len(series),
        # beside the map (a square one on a laptop), or under it
        "curves_beside": curves_beside(spec["layout"]),
        "paths": paths,
        "outcomes": outcomes,
        "evaluations": evaluations,
        "tolerance": tol,
        "valley": valley,
    }


@memo()
def surface_3d(surface: str, formula: str, racers: tuple[Entry, ...], start: tuple[float, float],
               steps: int, seed: int, noise: float, batch_size: int | None,
               phone: bool = False) -> SpecFigure:
    """The 3D view of the race (surface + paths), built once per setting (and device)."""
    obj = get_landscape(surface, formula)
    paths, _ = path_views(surface, formula, racers, start, steps, seed, noise, batch_size)
    return frozen(surface_3d_figure(landscape_grid(surface, formula), paths, true_minima(obj),
                                    phone=phone, axes=obj.axes))


def used_evaluations(t: optimizers.Trajectory) -> int:
    """Oracle calls a single-start run used: up to the step it diverged at (a frozen path makes
    no more; the table charged a run that blew up at step 3 all 500), else all of them."""
    ev = np.asarray(t.evaluations).ravel()
    d = int(np.asarray(t.diverged_step))
    return int(ev[d] if d >= 0 else ev[-1])


def results_rows(paths: list[PathView], outcomes: list[Outcome], evaluations: list[int],
                 min_value: float | None) -> list[dict[str, Any]]:
    """One row per racer for the results table (plain values; the page styles them)."""
    rows = []
    for p, o, ev in zip(paths, outcomes, evaluations, strict=True):
        with np.errstate(all="ignore"):
            finite = p.losses[np.isfinite(p.losses)]
        rows.append({
            "optimizer": p.label,
            "outcome": o.text,
            "final loss": float(p.losses[-1]) if np.isfinite(p.losses[-1]) else None,
            "best loss": float(finite.min()) if finite.size else None,
            "first at a global min": o.steps_to_global,
            "evaluations": ev,
            "thrown away": thrown_away(p),
            "name": p.name,
        })
    return rows


def tries(name: str) -> bool:
    """Whether optimizer ``name`` works by trial and error (a random search): no gradient."""
    return not optimizers.OPTIMIZERS[name].uses_gradient


def thrown_away(p: PathView) -> int:
    """The tries a trial-and-error method discarded (a candidate not lower than the point it
    had: its path stood still), the study note's wasted trials; 0 for a gradient method, which
    takes every step it computes."""
    if not tries(p.name):
        return 0
    with np.errstate(invalid="ignore"):
        return int(np.count_nonzero(~(p.losses[1:] < p.losses[:-1])))


def results_table(paths: list[PathView], outcomes: list[Outcome], evaluations: list[int],
                  min_value: float | None) -> pa.Table:
    """The results table as the page shows it: a colour swatch (SVG data URI) first,
    "first at a global min" (a step) as text, so that "never" reads as a dash and not as NaN, and
    the outcome last, as wide as its words (in the middle, its width pushed the numbers out of
    view, and at a header's width it was cut after a few words); "thrown away" only where a
    random search races.
    An Arrow table, built directly (no pandas), so that st.dataframe does not convert it on
    every rerun.

    Losses are text too (5 significant digits): Streamlit's number column shows a float beyond
    2**53 (a blown-up run's 7.5e+22) raw, left-aligned and flagged as an unsafe integer."""
    def text(loss: float | None) -> str:
        return "—" if loss is None else f"{loss + 0.0:.5g}"

    rows = [{"": color_swatch(r["name"]), "optimizer": r["optimizer"],
             "final loss": text(r["final loss"]), "best loss": text(r["best loss"]),
             "first at a global min": ("—" if r["first at a global min"] is None
                                       else str(r["first at a global min"])),
             "evaluations": r["evaluations"], "thrown away": r["thrown away"],
             "outcome": r["outcome"]}
            for r in results_rows(paths, outcomes, evaluations, min_value)]
    if not any(tries(p.name) for p in paths):  # a column of 0s pushed the outcome out of view
        for row in rows:
            del row["thrown away"]
    return pa.Table.from_pylist(rows)


def trajectories_csv(paths: list[PathView]) -> str:
    """All paths as CSV: optimizer, step, x, y, loss, grad_x, grad_y (full precision)."""
    lines = ["optimizer,label,step,x,y,loss,grad_x,grad_y"]
    for p in paths:
        lab = p.label.replace('"', "'")
        cols = np.column_stack([p.points, p.losses, p.grads]).tolist()  # Python floats
        for s, (x, y, f, gx, gy) in enumerate(cols):
            lines.append(f'{p.name},"{lab}",{s},{x!r},{y!r},{f!r},{gx!r},{gy!r}')
    return "\n".join(lines) + "\n"


def standalone_html(fig: SpecFigure, title: str, width: int = FIGURE_WIDTH) -> bytes:
    """The animated map as one self-contained HTML file (plotly.js inlined: works offline), at
    the ``width`` its height was fitted to (``Playback.figure_width``; at a window's full width
    the map kept to the left of a wide blank and the step slider ran across the whole window).
    The page's Plotly script comes along: keys reach Play and the slider, and a map opened at a
    step plays on from it."""
    return pio.to_html(spec_dict(fig), include_plotlyjs=True, full_html=True, auto_play=False,
                       # plotly.js 3 adds a "Share chart" (upload to Plotly Cloud) button
                       validate=False, config={"displaylogo": False, "showSendToCloud": False},
                       default_width=f"{width}px", post_script=PLOTLY_CONTROLS_JS).replace(
        "<head>", f"<head><title>{html.escape(title)}</title>", 1).encode()


class LazyLandscape:
    """A landscape's domain, loaded only when the URL parser asks for it."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def domain(self) -> Any:
        return get_landscape(self.name).domain


#: How many tuned race links a server remembers (a few hundred bytes each).
TUNED_LINKS_KEPT = 5_000


#: The race links this server's tuner issued, oldest first (a module's state lives as long as
#: the server process, like a resource cache, and is bounded by TUNED_LINKS_KEPT), and its lock.
_TUNED_LINKS: OrderedDict[tuple[tuple[str, str], ...], None] = OrderedDict()
_TUNED_LOCK = threading.Lock()


def _link_key(query: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(query.items()))


def remember_tuned(query: Mapping[str, str]) -> None:
    """Note that the learning-rate lab tuned the race ``query`` (its race_query): the race then
    says its rates are tuned. A hand-made ``tuned=true`` link said so of any rates."""
    with _TUNED_LOCK:
        _TUNED_LINKS[_link_key(query)] = None
        _TUNED_LINKS.move_to_end(_link_key(query))
        while len(_TUNED_LINKS) > TUNED_LINKS_KEPT:
            _TUNED_LINKS.popitem(last=False)


def was_tuned(query: Mapping[str, str]) -> bool:
    """Did this server's tuner issue the race ``query`` (``remember_tuned``)?"""
    with _TUNED_LOCK:
        return _link_key(query) in _TUNED_LINKS

"""The curated race presets teach what each teaching surface's description promises, and no
preset blows up or flies off the map.

Runs the real race computation (``preset_for`` -> ``optimizers.run`` -> ``outcomes.describe``)
for the ravine, plateau, saddle and Easom surfaces and checks the lesson, not hard-coded numbers;
then runs every optimizer's preset on every landscape from its start and checks that none diverges
(unless ``presets.DELIBERATE_DIVERGENCE`` documents why it should) and none ends off the map (a
path ``run`` does not call diverged, below its bound of 1e6, can still be frozen far off the map).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import landscape
import optimizers
from app_pages.common.outcomes import Outcome, default_tolerance, describe, left_map_at
from app_pages.common.presets import (
    CURATED,
    DELIBERATE_DIVERGENCE,
    PRESET_HPARAMS,
    heuristic_lr,
    nice,
    preset_for,
    radam_warmup,
    radam_warmup_steps,
    warmup_is_safe,
)
from landscape.base import inside
from landscape.data_losses import DATA_LOSSES, get_data_loss

TEACHING = ("ravine", "plateau", "saddle")


@cache
def race(surface: str) -> dict[str, tuple[np.ndarray, Outcome]]:
    """Each default racer's path and outcome under the surface's preset."""
    s = landscape.get_surface(surface)
    p = preset_for(surface, s, optimizers.OPTIMIZERS)
    tol = default_tolerance(s.domain)
    out = {}
    for name in p.optimizers:
        traj = optimizers.run(optimizers.get_optimizer(name, **p.hparams[name]), s,
                              np.array(p.start), p.steps)
        points = np.asarray(traj.points)
        assert np.all(np.isfinite(points)), f"{name} diverged on {surface}"
        out[name] = (points, describe(points, -1, tuple(s.minima), tol, domain=s.domain))
    return out


def reach(outcome: Outcome) -> float:
    return np.inf if outcome.steps_to_global is None else outcome.steps_to_global


@pytest.mark.parametrize("surface", [*TEACHING, "easom"])
def test_curated_rates_are_used(surface: str) -> None:
    s = landscape.get_surface(surface)
    p = preset_for(surface, s, optimizers.OPTIMIZERS)
    for name, lr in CURATED[surface]["lr"].items():
        assert p.hparams[name]["lr"] == lr


def test_presets_set_only_what_links_always_carry() -> None:
    """A link leaves out a hyperparameter at its registry default unless a preset may set it
    (``PRESET_HPARAMS``, see ``state.race_query``): a preset setting any other one away from its
    default would make such a link reopen at the preset's value."""
    from app_pages.common.network_state import network_hparams

    names = [*landscape.SURFACES, *DATA_LOSSES]
    presets = [preset_for(n, landscape.get_surface(n) if n in landscape.SURFACES
                          else get_data_loss(n), optimizers.OPTIMIZERS).hparams for n in names]
    presets += [{o: network_hparams(o, s, spe) for o, s in optimizers.OPTIMIZERS.items()}
                for spe in (1, 7, 40)]
    for hp in presets:
        for opt, values in hp.items():
            defaults = {h.name: h.default for h in optimizers.OPTIMIZERS[opt].hparams}
            moved = {k for k, v in values.items() if v != defaults[k]}
            assert moved <= PRESET_HPARAMS, (opt, moved - PRESET_HPARAMS)


def test_ravine_sgd_zigzags_and_arrives_after_momentum_and_adam() -> None:
    runs = race("ravine")

    def flips(points: np.ndarray, until: float) -> float:
        """Share of steps (before arrival) that reverse the step across the valley (y)."""
        dy = np.diff(points[: int(min(until, len(points) - 1)) + 1, 1])
        return float(np.mean(np.sign(dy[1:]) * np.sign(dy[:-1]) < 0))

    sgd_points, sgd = runs["sgd"]
    assert flips(sgd_points, reach(sgd)) > 0.9  # wall to wall, every step
    for name in ("momentum", "nesterov", "adam"):
        points, outcome = runs[name]
        assert outcome.kind == "global"
        assert reach(outcome) < reach(sgd), f"{name} should run down the valley before SGD"
        assert flips(points, reach(outcome)) < 0.5 * flips(sgd_points, reach(sgd))


def test_plateau_adaptive_methods_reach_the_drop_while_sgd_barely_moves() -> None:
    runs = race("plateau")
    (x0, x1), (y0, y1) = landscape.get_surface("plateau").domain
    diag = np.hypot(x1 - x0, y1 - y0)
    for name in ("sgd", "momentum", "nesterov"):
        points, outcome = runs[name]
        assert np.linalg.norm(points[-1] - points[0]) < 0.01 * diag, f"{name} should barely move"
        assert outcome.kind != "global"
    for name in ("adam", "rmsprop", "adagrad"):
        assert runs[name][1].kind == "global", f"{name} should walk to the drop"


def test_saddle_gd_lingers_longer_than_momentum_and_adam() -> None:
    runs = race("saddle")

    def lingering(points: np.ndarray) -> int:
        """Steps spent within 0.3 of the saddle point at the origin."""
        return int(np.sum(np.linalg.norm(points, axis=1) < 0.3))

    gd = lingering(runs["sgd"][0])
    assert gd >= 50  # started on the ridge, it really crawls there
    for name in ("momentum", "nesterov", "adam"):
        points, outcome = runs[name]
        assert lingering(points) < 0.75 * gd, f"{name} should leave the saddle sooner than GD"
        assert reach(outcome) < reach(runs["sgd"][1])
    assert all(o.kind == "global" for _, o in runs.values())  # every one escapes in the end


def test_two_basins_gradient_descent_is_trapped_by_its_start_not_by_its_rate() -> None:
    """The lesson of two basins (race, concepts tour, basins page): gradient descent settles in
    the basin it starts in. At the median-curvature rate (3.0) it could not even stay in the deep
    hole (curvature ~6: stable below lr 1/3) from a start right beside it, which made the lesson
    false; the preset rate must keep it there."""
    s = landscape.get_surface("two_basins")
    lr = preset_for("two_basins", s, optimizers.OPTIMIZERS).hparams["sgd"]["lr"]
    tol = default_tolerance(s.domain)
    glob = s.global_minima[0].point
    beside = np.asarray(glob, float) + np.array([-0.1, 0.1])
    t = optimizers.run(optimizers.get_optimizer("sgd", lr=lr), s, beside, 300)
    assert describe(t.points, -1, tuple(s.minima), tol).kind == "global", lr
    _, from_start = race("two_basins")["sgd"]
    assert from_start.kind == "local"  # from the default start: the near basin


@pytest.mark.parametrize("name", list(DATA_LOSSES))
def test_data_loss_races_stay_on_the_map_all_the_way(name: str) -> None:
    """Every default racer on a data-driven loss stays on the map at every step: the linear
    regression's first steps left the top edge (start 10% from it), and momentum on the
    logistic regression overshot past the right edge for ~30 steps."""
    s = get_data_loss(name)
    p = preset_for(name, s, optimizers.OPTIMIZERS)
    for o in p.optimizers:
        t = optimizers.run(optimizers.get_optimizer(o, **p.hparams[o]), s, np.array(p.start),
                           p.steps, batch_size=min(10, s.n_samples), seed=0)
        assert inside(np.asarray(t.points), s.domain).all(), o


def test_cross_in_tray_race_shows_what_its_description_says() -> None:
    """Cross-in-tray's description: small steps stay in their cell (ridges at multiples of pi);
    RMSprop jumps one anyway (its first step ~10 rates per axis); Adagrad's first step is one
    rate per axis, so it stays at its preset rate and leaps a ridge at 2. (The old text said
    Adagrad jumped in the race: at its preset rate it ends in its own cell, beside SGD.)"""
    s = landscape.get_surface("cross_in_tray")
    p = preset_for("cross_in_tray", s, optimizers.OPTIMIZERS)
    assert "try 2" in s.description and "Adagrad and RMSprop jump" not in s.description

    def cells(points: np.ndarray) -> set[tuple[int, int]]:
        return set(map(tuple, np.floor(points / np.pi).astype(int).tolist()))

    runs = race("cross_in_tray")
    start_cell = cells(np.array([p.start]))
    assert cells(runs["sgd"][0]) == start_cell
    assert cells(runs["adagrad"][0]) == start_cell
    rms_points = runs["rmsprop"][0]
    assert cells(rms_points[1:2]) != start_cell  # its very first step leaves the cell
    assert len(cells(rms_points)) >= 3  # and it hops across several ridges, not one
    assert "36 within" in s.description and "hop across several" in s.description
    np.testing.assert_allclose(np.abs(rms_points[1] - rms_points[0]),
                               10 * p.hparams["rmsprop"]["lr"], rtol=1e-2)
    t = optimizers.run(optimizers.get_optimizer("adagrad", lr=2.0), s, np.array(p.start),
                       p.steps)
    assert cells(np.asarray(t.points)) != start_cell


def test_easom_race_shows_what_its_description_says() -> None:
    """Easom's description: from the start (slope below 0.01) gradient descent creeps for some 60
    steps before the hole pulls it in; Adam and Adagrad are in within 20; in the corners gradient
    descent stalls and Adam and Adagrad mostly settle in ripple hollows. The race also shows
    RMSprop's first step, 10 times its rate (its squared-gradient average starts at zero, not
    bias-corrected), landing it on a ripple. (The median-curvature rates, SGD 50, momentum and
    Nesterov 5, threw all three off the map at steps 4 to 9.)"""
    s = landscape.get_surface("easom")
    p = preset_for("easom", s, optimizers.OPTIMIZERS)
    assert np.linalg.norm(s.grad(np.array(p.start))) < 0.01
    runs = race("easom")
    assert all(o.left_map_step is None and o.settled for _, o in runs.values())
    sgd_points, sgd = runs["sgd"]
    assert sgd.kind == "global" and sgd.arrival_step > 60
    assert np.linalg.norm(sgd_points[60] - sgd_points[0]) < 0.5  # crept, then fell in
    for name in ("adam", "adagrad"):
        assert runs[name][1].kind == "global" and runs[name][1].arrival_step <= 20, name
    rms_points, rms = runs["rmsprop"]
    np.testing.assert_allclose(np.abs(rms_points[1] - rms_points[0]),
                               10 * p.hparams["rmsprop"]["lr"], rtol=1e-3)  # eps: 2e-5
    assert rms.kind == "local"  # a ripple's hollow
    tol = default_tolerance(s.domain)
    trapped = []
    for corner in ((1.0, 1.0), (1.0, 5.0), (5.0, 1.0), (5.2, 5.2)):
        for name in ("sgd", "adam", "adagrad"):
            t = optimizers.run(optimizers.get_optimizer(name, **p.hparams[name]), s,
                               np.array(corner), p.steps)
            o = describe(np.asarray(t.points), -1, tuple(s.minima), tol, domain=s.domain)
            if name == "sgd":
                # the far corners are flat to rounding; near the hole a faint slope remains
                assert o.text in ("stalled (not at a minimum)", "crawling (not at a minimum)")
            else:
                trapped.append(o.kind == "local" and o.settled)
    assert sum(trapped) >= 0.75 * len(trapped)


# --- no preset diverges ---------------------------------------------------------------------------

#: Typed formulas get presets too (the race's formula mode): the input box's placeholder and a few
#: steep or kinked ones.
FORMULAS = ("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", "(1 - x)^2 + 100*(y - x^2)^2",
            "x^4 + y^4 - 3*x*y", "abs(x) + abs(y)")
LANDSCAPES = (*landscape.SURFACES, *DATA_LOSSES, *(f"formula:{f}" for f in FORMULAS))


@cache
def objective(name: str):
    if name.startswith("formula:"):
        return landscape.from_expression(name.removeprefix("formula:"))
    if name in DATA_LOSSES:
        return get_data_loss(name, n_samples=100, seed=0)  # as the race draws it
    return landscape.get_surface(name)


#: Typed formulas get the heuristic rates (nothing can be curated per formula): the cases where
#: one of them ends off the map, with what happens.
FORMULA_EXITS: dict[tuple[str, str], str] = {
    ("(1 - x)^2 + 100*(y - x^2)^2", "lion"): "Lion's fixed-size sign steps (0.2 per axis) pass "
    "(1, 1) and keep climbing the banana valley to about (5.9, 36); every rate above 0.01 does",
}


@pytest.mark.parametrize("name", LANDSCAPES)
def test_no_optimizer_preset_diverges_or_leaves_the_map(name: str) -> None:
    """Every registered optimizer, at the rates the landscape's preset gives it, from the preset's
    start for the preset's steps (full-batch and the race's minibatches of 10 on data losses):
    none diverges, and none ends outside the map (the outcome "left the map at step s")."""
    obj = objective(name)
    key = "formula" if name.startswith("formula:") else name
    p = preset_for(key, obj, optimizers.OPTIMIZERS, tuple(optimizers.OPTIMIZERS))
    assert set(p.optimizers) == set(optimizers.OPTIMIZERS)
    batches = (None, 10) if name in DATA_LOSSES else (None,)
    diverged, left = {}, {}
    for opt in p.optimizers:
        spec = optimizers.OPTIMIZERS[opt]
        for batch in batches if spec.uses_gradient else (None,):
            t = optimizers.run(optimizers.get_optimizer(opt, **p.hparams.get(opt, {})), obj,
                               np.array(p.start), p.steps, batch_size=batch)
            if int(t.diverged_step) >= 0:
                diverged[opt] = (p.hparams.get(opt), batch, int(t.diverged_step))
            elif (step := left_map_at(np.asarray(t.points), obj.domain)) is not None:
                left[opt] = (p.hparams.get(opt), batch, step)
    expected = {opt for (surface, opt) in DELIBERATE_DIVERGENCE if surface == key}
    assert set(diverged) == expected, diverged
    formula = name.removeprefix("formula:")
    assert set(left) == {opt for (f, opt) in FORMULA_EXITS if f == formula}, left


def test_formula_exits_are_real_and_explained() -> None:
    for (formula, opt), what in FORMULA_EXITS.items():
        assert formula in FORMULAS and opt in optimizers.OPTIMIZERS and len(what) > 20


def test_deliberate_divergences_say_what_they_teach() -> None:
    for (surface, opt), lesson in DELIBERATE_DIVERGENCE.items():
        assert surface in landscape.SURFACES or surface in DATA_LOSSES
        assert opt in optimizers.OPTIMIZERS and len(lesson) > 20


def test_radam_warmup_is_exactly_its_first_steps() -> None:
    """The warm-up the preset checks is RAdam's own: un-adapted momentum SGD while rho_t <= 5."""
    assert radam_warmup_steps() == 5
    s = landscape.get_surface("six_hump_camel")
    start = (-2.4, 1.2)
    path = radam_warmup(s, start, 0.01)
    run = optimizers.run(optimizers.get_optimizer("radam", lr=0.01), s, np.array(start), 8)
    np.testing.assert_allclose(path, np.asarray(run.points)[: len(path)], rtol=1e-12)


@pytest.mark.parametrize("surface", list(landscape.SURFACES))
def test_radam_rate_is_safe_for_its_sgd_like_warmup(surface: str) -> None:
    """RAdam's first steps move lr * gradient: its preset never throws it off a steep start, and it
    is never larger than the scale-free rate of the Adam family."""
    s = landscape.get_surface(surface)
    p = preset_for(surface, s, optimizers.OPTIMIZERS)
    lr = p.hparams["radam"]["lr"]
    (x0, x1), (y0, y1) = s.domain
    assert lr <= nice(np.hypot(x1 - x0, y1 - y0) / 100)
    assert warmup_is_safe(s, radam_warmup(s, p.start, lr))


@pytest.mark.parametrize(("surface", "was"), [("six_hump_camel", 0.1), ("rosenbrock", 0.05),
                                              ("himmelblau", 0.2), ("beale", 0.1),
                                              ("goldstein_price", 0.05)])
def test_radam_no_longer_explodes_where_adams_rate_did(surface: str, was: float) -> None:
    """The browser review's cases: RAdam at Adam's scale-free rate diverged at step 2 or 3."""
    s = landscape.get_surface(surface)
    p = preset_for(surface, s, optimizers.OPTIMIZERS)
    before = optimizers.run(optimizers.get_optimizer("radam", lr=was), s, np.array(p.start),
                            p.steps)
    assert 0 <= int(before.diverged_step) <= 3  # the old rate really blew up in the warm-up
    lr = heuristic_lr("radam", s, 0.05, p.start)
    assert lr == p.hparams["radam"]["lr"] < was
    after = optimizers.run(optimizers.get_optimizer("radam", lr=lr), s, np.array(p.start),
                           p.steps)
    assert int(after.diverged_step) == -1


def test_landing_race_keeps_its_curated_outcomes() -> None:
    """README: on the six-hump camel from (-2.4, 1.2), SGD and RMSprop settle in a local minimum,
    momentum, Nesterov and Adam reach a global one, Adagrad is still moving."""
    s = landscape.get_surface("six_hump_camel")
    p = preset_for("six_hump_camel", s, optimizers.OPTIMIZERS)
    assert p.start == (-2.4, 1.2) and p.steps == 500
    kinds = {}
    for name in p.optimizers:
        t = optimizers.run(optimizers.get_optimizer(name, **p.hparams[name]), s,
                           np.array(p.start), p.steps)
        o = describe(np.asarray(t.points), int(t.diverged_step), tuple(s.minima),
                     default_tolerance(s.domain), domain=s.domain)
        kinds[name] = o.kind
        assert o.settled == (name != "adagrad"), (name, o.text)  # settled, not bouncing
    assert kinds == {"sgd": "local", "rmsprop": "local", "momentum": "global",
                     "nesterov": "global", "adam": "global", "adagrad": "moving"}


@pytest.mark.parametrize(("value", "rounded"), [
    (np.sqrt(2), 1.0),  # Cross-in-tray's diagonal / 20: halfway (in log) between 1 and 2
    (np.hypot(10, 10) / 100, 0.1),  # a [-5, 5] square's diagonal / 100
    (np.hypot(10, 10) / 20, 0.5),  # ... / 20: halfway between 5 and 10
    (np.sqrt(6), 2.0), (np.sqrt(15), 3.0),
    (1.5, 2.0), (0.3, 0.3), (7.2, 10.0), (4e-3, 5e-3),
])
def test_nice_rounds_to_the_nearest_in_log_and_ties_down_on_every_machine(value: float,
                                                                          rounded: float) -> None:
    """A square map's diagonal over 20 or 100 lies halfway (in log) between two mantissas, and the
    last bit of np.log10, which differs between CPUs, picked the side: this machine gave
    Cross-in-tray's Adagrad 2 where CI's gave 1 (and Himmelblau's Adam 0.2 for 0.1). A tie goes
    down, a hair either side of it too."""
    assert nice(value) == rounded
    for near in (np.nextafter(value, 0), np.nextafter(value, np.inf)):
        assert nice(near) == rounded

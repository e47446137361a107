"""Outcome classification: global / local k / diverged at s / still moving, vectorized; and how a
path ends: settled, oscillating or passing near a minimum, stalled, or off the map."""

from __future__ import annotations

import numpy as np
import pytest

import landscape
import optimizers
from app_pages.common.outcomes import (
    KIND_CODES,
    SETTLE_FRACTION,
    SETTLE_STEPS,
    STALL_FRACTION,
    classify_endpoints,
    default_tolerance,
    describe,
    first_within,
    left_map_at,
    nearest_minimum,
    steps_to_global,
)
from landscape import Minimum

MINIMA = (Minimum((0.0, 0.0), 0.0, True), Minimum((3.0, 0.0), 1.0, False),
          Minimum((0.0, 3.0), 2.0, False))
TOL = 0.1
BOX = ((-1.0, 4.0), (-1.0, 4.0))


def line(a, b, n=11) -> np.ndarray:
    return np.linspace(a, b, n)


def rest(pts: np.ndarray, n: int = SETTLE_STEPS) -> np.ndarray:
    """The path, then ``n`` steps standing still at its last point."""
    return np.concatenate([pts, np.repeat(pts[-1:], n, axis=0)])


def bounce(centre, amplitude: float, n: int = 2 * SETTLE_STEPS) -> np.ndarray:
    """``n`` steps hopping across ``centre`` along x, ``amplitude`` either side."""
    return np.asarray(centre, float) + np.outer((-1.0) ** np.arange(n + 1), [amplitude, 0.0])


def test_reaching_the_global_minimum_and_when() -> None:
    pts = rest(line([1.0, 0.0], [0.0, 0.0]))  # steps of 0.1 towards the origin, then rest
    o = describe(pts, -1, MINIMA, TOL)
    assert o.kind == "global" and o.minimum == 0 and o.steps_to_global == 9
    assert o.text == "reached global minimum (step 9)" and o.settled and o.arrival_step == 9


def test_stuck_in_a_numbered_local_minimum() -> None:
    o = describe(rest(line([0.0, 1.0], [0.02, 3.0])), -1, MINIMA, TOL)
    assert o.kind == "local" and o.local_number == 2 and o.minimum == 2
    assert o.text == "stuck in local minimum 2" and o.steps_to_global is None


def test_arriving_with_short_steps_counts_as_settled() -> None:
    """A slow approach inside the tolerance is an arrival, not a bounce."""
    def approach(step: float) -> np.ndarray:
        return np.concatenate([line([1.0, 0.0], [0.2, 0.0], 81),
                               line([0.2, 0.0], [0.2 - SETTLE_STEPS * step, 0.0],
                                    SETTLE_STEPS + 1)[1:]])

    o = describe(approach(0.9 * SETTLE_FRACTION * TOL), -1, MINIMA, TOL)
    assert o.settled and o.text == "reached global minimum (step 85)"
    o = describe(approach(1.1 * SETTLE_FRACTION * TOL), -1, MINIMA, TOL)
    assert not o.settled and o.text == "passing near global minimum"


def test_bouncing_across_the_global_minimum_is_not_reaching_it() -> None:
    """The Himmelblau / Griewank / Ackley defect: RMSprop hopping 0.14 either side of a minimum,
    within the tolerance, read "reached global minimum"."""
    pts = np.concatenate([line([1.0, 0.0], [0.04, 0.0], 10), bounce([0.0, 0.0], 0.04)])
    o = describe(pts, -1, MINIMA, TOL)
    assert o.kind == "global" and not o.settled and o.steps_to_global == 9
    assert o.text == "oscillating near global minimum"


def test_circling_or_swinging_back_counts_as_oscillating() -> None:
    """Hovering is read from the whole last SETTLE_STEPS steps: an orbit inside the tolerance
    (Adam spiralling in) and swings across it that start far out (RMSprop's bursts) both go back
    and forth around the minimum; neither is on its way elsewhere."""
    angle = np.linspace(0.0, np.pi, SETTLE_STEPS + 1)  # half a turn: travelled 1.6 x displaced
    orbit = 0.09 * np.stack([np.cos(angle), np.sin(angle)], axis=1)  # steps of 0.028
    decay = 0.6 ** np.arange(SETTLE_STEPS + 1)[:, None]
    swings = bounce([0.0, 0.0], 0.3)[: SETTLE_STEPS + 1] * decay  # from 3 tol out, shrinking
    for pts in (orbit, swings):
        o = describe(np.concatenate([line([1.0, 0.0], pts[0], 10), pts]), -1, MINIMA, TOL)
        assert o.text == "oscillating near global minimum"


def test_bouncing_in_a_local_minimum_is_not_being_stuck_in_it() -> None:
    o = describe(bounce([3.0, 0.0], 0.03), -1, MINIMA, TOL)
    assert o.kind == "local" and o.local_number == 1 and not o.settled
    assert o.text == "oscillating near local minimum 1"


def test_running_through_a_local_minimum_is_passing_it() -> None:
    """The noisy-bowl defect (10 steps): RMSprop, moving 0.237 a step (tol 0.212), read "stuck in
    local minimum 5" on the step it happened to be near it."""
    o = describe(line([2.0, 0.0], [2.95, 0.0]), -1, MINIMA, TOL)  # steps of 0.095
    assert o.kind == "local" and o.local_number == 1 and not o.settled
    assert o.text == "passing near local minimum 1"


def test_the_tolerance_is_the_edge_between_at_a_minimum_and_moving() -> None:
    """An end just inside ``tol`` of a minimum is at it; just outside, it is not."""
    inside_ = describe(rest(line([0.5, 0.0], [0.99 * TOL, 0.0])), -1, MINIMA, TOL)
    outside = describe(rest(line([0.5, 0.0], [1.2 * TOL, 0.0])), -1, MINIMA, TOL)
    assert inside_.kind == "global" and outside.kind == "moving", (inside_, outside)
    codes, _ = classify_endpoints(np.array([[0.99 * TOL, 0.0], [1.01 * TOL, 0.0]]), -1,
                                  MINIMA, TOL)
    assert [int(c) for c in codes] == [KIND_CODES["global"], KIND_CODES["moving"]]


def test_stuck_in_a_local_minimum_after_passing_a_global_one_says_both() -> None:
    through = np.concatenate([line([-1.0, 0.0], [0.0, 0.0]), line([0.0, 0.0], [3.0, 0.0])[1:]])
    o = describe(rest(through), -1, MINIMA, TOL)
    assert o.text == "stuck in local minimum 1, after passing a global minimum at step 9", o.text


def test_a_path_that_wavers_on_its_way_is_passing_not_oscillating() -> None:
    """Near a minimum, "oscillating" needs the last steps to travel more than twice their net
    displacement; a path that wavers (1.5 x) while it goes through is passing."""
    n = SETTLE_STEPS
    x = np.linspace(2.88, 3.08, n + 1)  # through local minimum 1 at (3, 0), ending inside tol
    y = 0.01118 * (-1.0) ** np.arange(n + 1)  # zig-zag: steps of 0.03, 1.5 x their advance
    tail = np.stack([x, y], axis=1)
    travelled = np.linalg.norm(np.diff(tail, axis=0), axis=1).sum()
    assert 1.3 < travelled / np.linalg.norm(tail[-1] - tail[0]) < 1.8
    o = describe(np.concatenate([line([2.0, 0.0], tail[0], 10), tail]), -1, MINIMA, TOL)
    assert o.kind == "local" and o.text == "passing near local minimum 1", o.text


def test_still_moving_and_no_minima() -> None:
    assert describe(line([1.0, 1.0], [1.5, 1.5]), -1, MINIMA, TOL).text == "still moving"
    assert describe(line([1.0, 1.0], [1.5, 1.5]), -1, (), TOL).text == "finished (no known minima)"


def test_a_walk_moves_a_creep_crawls_and_a_standstill_is_stalled() -> None:
    """Away from every minimum: steps over a thousandth of the tolerance are "still moving",
    smaller ones "crawling" (a plateau, a valley's floor), and a path that no longer moves at all
    (a saddle point, the flat far field) "stalled"."""
    walk = line([1.0, 1.0], [1.0 + 20 * STALL_FRACTION * TOL, 1.0], 11)  # 2 x the crawl step
    assert describe(walk, -1, MINIMA, TOL).text == "still moving"
    creep = line([1.0, 1.0], [1.0 + 5 * STALL_FRACTION * TOL, 1.0], 11)  # half the crawl step
    o = describe(creep, -1, MINIMA, TOL)
    assert o.kind == "moving" and o.settled and o.text == "crawling (not at a minimum)"
    o = describe(rest(line([1.0, 1.0], [1.5, 1.5])), -1, MINIMA, TOL)
    assert o.text == "stalled (not at a minimum)"


def test_a_path_settled_on_a_valley_floor_reached_a_global_minimum() -> None:
    """x^2's minima are the line x = 0, and the formula lists one point of it: a path settling
    at (0, 3) read "stalled (not at a minimum)" at a loss of 1e-30. Its loss says otherwise."""
    from app_pages.common.outcomes import VALLEY_MARK
    from landscape.expression_minima import VALLEY_NOTE

    assert VALLEY_MARK in VALLEY_NOTE  # the words the formula's minimum carries
    valley = (Minimum((0.0, 0.0), 0.0, True, "global" + VALLEY_NOTE),)
    path = np.array([[-3.0, 3.0], [-1.0, 3.0], [-1e-2, 3.0], *[[-1e-4, 3.0]] * 11])
    losses = path[:, 0] ** 2
    o = describe(path, -1, valley, TOL, losses=losses)
    assert o.kind == "global" and o.settled and o.minimum == 0
    assert o.text == "reached a global minimum (step 3), on the valley floor"
    assert o.arrival_step == 3 and o.steps_to_global == 3
    assert describe(path, -1, valley, TOL).text == "stalled (not at a minimum)"  # no losses
    # not a valley: a loss within a millionth of the start's height is not a minimum (on Beale,
    # whose corner stands 1.7e5 high, random search's best find 4 tolerances from its minimum
    # "found global minimum", a review)
    listed = (Minimum((0.0, 0.0), 0.0, True),)
    assert describe(path, -1, listed, TOL, losses=losses).text == "stalled (not at a minimum)"
    # a stall above the minimum's value is still a stall; so is one on a flat start
    assert describe(path, -1, valley, TOL, losses=losses + 1e-3).text == (
        "stalled (not at a minimum)")
    assert describe(path, -1, valley, TOL, losses=np.zeros(len(path))).text == (
        "stalled (not at a minimum)")


def test_random_local_search_between_downhill_tries_is_still_searching() -> None:
    """Random local search keeps a try only if it goes downhill: ten rejected tries in a row left
    it "stalled (not at a minimum)" on Rosenbrock at 800 steps, and it reached the global minimum
    at step 805 (a review: 55 of 55 such race lengths there, 77 of 77 on Beale)."""
    waiting = rest(line([1.0, 1.0], [1.5, 1.5]))
    assert describe(waiting, -1, MINIMA, TOL, trier=True).text == (
        "still searching (not at a minimum)")
    assert describe(waiting, -1, MINIMA, TOL).text == "stalled (not at a minimum)"
    # at a minimum it is settled there, as any walker: the lesson of trial and error
    at_local = rest(line([0.0, 1.0], [0.02, 3.0]))
    assert describe(at_local, -1, MINIMA, TOL, trier=True).text == "stuck in local minimum 2"
    s = landscape.get_surface("rosenbrock")
    rls = optimizers.get_optimizer("random_local_search", step_size=0.1)
    t = optimizers.run(rls, s, np.array([-1.5, 2.0]), 800)
    pts = np.asarray(t.points)
    assert np.all(pts[-11:] == pts[-1])  # its last ten tries all went uphill
    words = describe(pts, int(t.diverged_step), s.minima, default_tolerance(s.domain),
                     domain=s.domain, trier=True, losses=t.losses).text
    assert words == "still searching (not at a minimum)", words


def test_random_search_is_never_stuck_its_words_say_where_its_best_find_is() -> None:
    """Random search's path is its best point so far among draws from the whole map: "stuck in
    local minimum" or "stalled" would describe a walker, which it is not."""
    at_local = rest(line([0.0, 1.0], [0.02, 3.0]))
    o = describe(at_local, -1, MINIMA, TOL, sampler=True)
    assert o.text == "best find near local minimum 2" and o.local_number == 2
    o = describe(rest(line([1.0, 0.0], [0.0, 0.0])), -1, MINIMA, TOL, sampler=True)
    assert o.text == "found global minimum (step 9)" and o.kind == "global"
    o = describe(rest(line([1.0, 1.0], [1.5, 1.5])), -1, MINIMA, TOL, sampler=True)
    assert o.text == "best find not at a minimum" and o.kind == "moving"
    s = landscape.get_surface("rastrigin")
    t = optimizers.run(optimizers.get_optimizer("random_search"), s, np.array([4.0, 4.0]), 300)
    words = describe(t.points, int(t.diverged_step), s.minima, default_tolerance(s.domain),
                     domain=s.domain, sampler=True).text
    assert "stuck" not in words and "stalled" not in words, words


def test_a_path_frozen_off_the_map_left_it() -> None:
    """The Easom defect: SGD at lr 50 jumped far off the map at step 4 and never moved again
    (run() calls that diverged only beyond 1e6), yet read "still moving"."""
    pts = rest(np.array([[2.0, 2.0], [2.1, 2.0], [2.2, 2.1], [2.3, 2.1], [27.9, -22.0]]))
    o = describe(pts, -1, MINIMA, TOL, domain=BOX)
    assert o.kind == "moving" and o.left_map_step == 4 and o.diverged_step is None
    assert o.text == "left the map at step 4"
    assert describe(pts, -1, MINIMA, TOL).left_map_step is None  # no domain, no verdict on it


def test_left_the_map_counts_from_the_last_departure() -> None:
    pts = np.array([[2.0, 2.0], [5.0, 2.0], [3.0, 2.0], [3.5, 2.0], [6.0, 2.0], [7.0, 2.0]])
    assert left_map_at(pts, BOX) == 4
    assert left_map_at(pts[:4], BOX) is None
    assert left_map_at(np.array([[9.0, 9.0], [np.nan, 1.0]]), BOX) == 0
    o = describe(pts, -1, MINIMA, TOL, domain=BOX)
    # and says it had been out before (SGD at lr 10 on Two basins: 110 times, a review)
    assert o.text == "left the map at step 4 (out and back 1 time before)"
    assert o.left_map_step == 4
    twice = np.array([[2.0, 2.0], [5.0, 2.0], [3.0, 2.0], [6.0, 2.0], [3.0, 2.0], [7.0, 2.0]])
    assert describe(twice, -1, MINIMA, TOL, domain=BOX).text == (
        "left the map at step 5 (out and back 2 times before)")
    assert describe(pts[4:], -1, MINIMA, TOL, domain=BOX).text == "off the map from the start"


def test_leaving_the_map_after_a_global_minimum_says_both() -> None:
    pts = rest(np.concatenate([line([1.0, 0.0], [0.0, 0.0]), [[8.6, -5.2]]]))
    o = describe(pts, -1, MINIMA, TOL, domain=BOX)
    assert o.text == "left the map at step 11, after passing a global minimum at step 9"


def test_near_a_minimum_beyond_the_edge_is_still_at_the_minimum() -> None:
    """Off-map applies only where no minimum is near: the kind (shared with the basin maps) wins."""
    pts = rest(line([1.0, 0.0], [0.0, -0.01]))
    o = describe(pts, -1, MINIMA, TOL, domain=((0.0, 4.0), (0.0, 4.0)))
    assert o.kind == "global" and o.left_map_step is None
    assert o.text == "reached global minimum (step 10)"


def test_the_step_is_when_it_reached_the_minimum_it_ends_in() -> None:
    """With several global minima, "(step N)" is the arrival at the one the path ends in, while
    "first at a global min" (steps_to_global) still counts the first visit to any of them."""
    two = (Minimum((0.0, 0.0), 0.0, True), Minimum((2.0, 0.0), 0.0, True))
    there = line([-0.45, 0.0], [0.05, 0.0], 6)  # within 0.1 of (0, 0) at step 4 (x = -0.05)
    on = line([0.05, 0.0], [2.05, 0.0], 21)[1:]  # within 0.1 of (2, 0) at step 24 (x = 1.95)
    pts = rest(np.concatenate([there, on]))
    o = describe(pts, -1, two, TOL)
    assert o.minimum == 1 and o.steps_to_global == 4 and o.arrival_step == 24
    assert o.text == "reached global minimum 2 (step 24)"
    assert first_within(pts, (2.0, 0.0), TOL) == 24 and first_within(pts, (9.0, 9.0), TOL) is None


def test_divergence_wins_and_names_the_step() -> None:
    o = describe(line([1.0, 0.0], [0.0, 0.0]), 4, MINIMA, TOL)
    assert o.kind == "diverged" and o.diverged_step == 4 and o.text == "diverged at step 4"


def test_a_path_flung_off_the_map_before_it_diverged_says_both() -> None:
    """SGD at lr 0.1 on the six-hump camel left its map at step 2 and passed the blow-up bound
    at step 4: the lab's panel said "diverged at step 4" under a walker gone since step 2."""
    domain = ((-1.0, 1.0), (-1.0, 1.0))
    pts = np.array([[0.5, 0.5], [0.9, 0.9], [8.6, 8.6], [3e3, 3e3], [1e7, 1e7], [1e7, 1e7]])
    o = describe(pts, 4, MINIMA, TOL, domain=domain)
    assert o.kind == "diverged" and o.text == "left the map at step 2, diverged at step 4"
    assert describe(pts, 4, MINIMA, TOL).text == "diverged at step 4"  # no map: no edge
    # gone from the map and past the bound at one step: the one step
    assert describe(pts[[0, 1, 4, 5]], 2, MINIMA, TOL, domain=domain).text == "diverged at step 2"


def test_passing_through_counts_as_reaching_but_not_as_ending() -> None:
    pts = np.concatenate([line([1.0, 0.0], [0.0, 0.0]), line([0.0, 0.0], [1.0, 1.0])])
    o = describe(pts, -1, MINIMA, TOL)
    assert o.kind == "moving" and o.steps_to_global == 9
    assert o.text == "still moving, after passing a global minimum at step 9"


def test_vectorized_over_a_batch_of_paths() -> None:
    final = np.array([[0.01, 0.0], [2.95, 0.01], [1.0, 1.0], [np.nan, np.nan], [0.0, 0.0]])
    codes, idx = classify_endpoints(final, np.array([-1, -1, -1, -1, 7]), MINIMA, TOL)
    assert codes.tolist() == [KIND_CODES[k] for k in
                              ("global", "local", "moving", "moving", "diverged")]
    assert idx.tolist() == [0, 1, -1, -1, -1]
    paths = np.stack([line([1.0, 0.0], [0.0, 0.0]), line([1.0, 1.0], [2.0, 2.0])], axis=1)
    assert steps_to_global(paths, MINIMA, TOL).tolist() == [9, -1]
    i, d = nearest_minimum(np.array([[2.9, 0.0]]), MINIMA)
    assert i.tolist() == [1] and np.allclose(d, 0.1)


def test_tolerance_scales_with_the_domain() -> None:
    assert default_tolerance(((0.0, 3.0), (0.0, 4.0))) == 0.015 * 5


def test_landing_race_disagrees_with_the_real_packages() -> None:
    """The landing race's outcomes (presets chosen for this) hold with the real packages."""
    from app_pages.common.presets import LANDING_SURFACE, preset_for

    s = landscape.get_surface(LANDING_SURFACE)
    p = preset_for(LANDING_SURFACE, s, optimizers.OPTIMIZERS)
    kinds = {}
    for name in p.optimizers:
        t = optimizers.run(optimizers.get_optimizer(name, **p.hparams[name]), s,
                           np.array(p.start), p.steps)
        kinds[name] = describe(t.points, int(t.diverged_step), s.minima,
                               default_tolerance(s.domain)).kind
    values = list(kinds.values())
    assert values.count("global") >= 2 and "local" in values
    assert "moving" in values or "diverged" in values, kinds
    assert kinds["sgd"] == "local" and kinds["momentum"] == "global"


def test_leaving_the_formula_s_domain_is_not_called_diverging() -> None:
    o = describe(line([1.0, 0.0], [0.5, 0.0]), 4, MINIMA, TOL, undefined=True)
    assert o.kind == "diverged" and o.diverged_step == 4
    assert o.text == "left the region where the formula is defined at step 4"


@pytest.mark.parametrize(("surface", "name", "hparams", "start", "steps", "text"), [
    # the review's cases, with the real packages (rates as the presets gave them then)
    ("easom", "sgd", {"lr": 50.0}, None, 500, "left the map at step 4"),
    ("easom", "adam_then_sgd", {"lr": 0.1, "sgd_lr": 50.0}, None, 500,
     "left the map at step 51, after passing a global minimum at step 18"),
    ("griewank", "rmsprop", {"lr": 0.3}, None, 500, "oscillating near global minimum"),
    ("griewank", "sgd", {"lr": 1.0}, None, 500, "stuck in local minimum 1"),
    ("himmelblau", "rmsprop", {"lr": 0.2}, None, 500, "oscillating near global minimum 3"),
    ("ackley", "rmsprop", {"lr": 0.2}, None, 500, "oscillating near global minimum"),
    ("noisy_bowl", "rmsprop", {"lr": 0.2}, None, 10, "passing near local minimum 5"),
    ("plateau", "sgd", {"lr": 0.1}, None, 500, "crawling (not at a minimum)"),
    # Rosenbrock's floor at a tiny rate: each step is small, the loss still falls (was "stalled")
    ("rosenbrock", "sgd", {"lr": 5e-5}, None, 2000, "crawling (not at a minimum)"),
    # Himmelblau has four global minima: first near one at step 14, ends in another (step 42)
    ("himmelblau", "momentum", {"lr": 0.003}, (0.0, 0.0), 300,
     "reached global minimum 4 (step 42)"),
])
def test_real_paths_are_described_as_they_end(surface: str, name: str, hparams: dict,
                                              start: tuple[float, float] | None, steps: int,
                                              text: str) -> None:
    s = landscape.get_surface(surface)
    t = optimizers.run(optimizers.get_optimizer(name, **hparams), s,
                       np.array(start or s.default_start), steps)
    o = describe(t.points, int(t.diverged_step), s.minima, default_tolerance(s.domain),
                 domain=s.domain)
    assert o.text == text
    if surface == "himmelblau" and name == "momentum":
        assert o.steps_to_global == 14 and o.arrival_step == 42


def test_a_path_that_left_its_minimum_and_came_back_says_so() -> None:
    """RMSprop on Cross-in-tray reached global minimum 3 at step 5, was thrown 1.6 away (3.7
    tolerances) at step 247 and came back; the table said "reached global minimum 3 (step 5)"
    beside a loss curve with a spike. Ringing within THROWN tolerances is arriving: unsaid."""
    from app_pages.common.outcomes import THROWN, thrown_off

    m = Minimum((0.0, 0.0), 0.0, True)
    still = [[0.0, 0.0]] * 11  # settled
    path = np.array([[2.0, 0.0], [0.05, 0.0], [0.0, 0.0], [0.2, 0.0], [1.5, 0.0], [0.02, 0.0],
                     *still])
    assert thrown_off(path, m.point, 0.1, 1) == (3, 5)
    out = describe(path, -1, (m,), 0.1)
    assert out.text == ("reached global minimum (step 1; out again at step 3, back for good "
                        "from step 5)")
    ringing = path.copy()
    ringing[4] = [0.9 * THROWN * 0.1, 0.0]  # out, but within THROWN tolerances
    assert thrown_off(ringing, m.point, 0.1, 1) is None
    assert describe(ringing, -1, (m,), 0.1).text == "reached global minimum (step 1)"
    from tests.app.conftest import app_test

    race = app_test("app_pages/race.py", {"surface": "cross_in_tray"}).run()
    assert ("reached global minimum 3 (step 5; out again at step 246, back for good from step "
            "251)") in list(race.dataframe[0].value["outcome"])

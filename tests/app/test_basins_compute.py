"""Basin classification on a surface whose basins are known: a separable tilted double well.

f(x, y) = (x^2 - 1)^2 + 0.2 x + y^2 / 2. The x-part has two wells split by a ridge at the middle
root of 4x^3 - 4x + 0.2 = 0; the y-part is a bowl. Small-step gradient descent started left of the
ridge ends in the left (global) well, right of it in the right (local) well.
"""

from __future__ import annotations

import numpy as np
import pytest

from app_pages.common.basins import (
    DIVERGED,
    MOVING,
    baseline,
    baseline_label,
    basin_map,
    capture_radius,
    cell_start,
    classify,
    start_grid,
    steps_to_global,
)
from app_pages.common.outcomes import default_tolerance
from landscape.base import Minimum, Surface

TILT = 0.2


def double_well() -> tuple[Surface, float]:
    """The tilted double well and the x of the ridge between its wells."""
    left, ridge, right = np.sort(np.roots([4.0, 0.0, -4.0, TILT]).real)

    def fx(x):
        return (x * x - 1.0) ** 2 + TILT * x

    surface = Surface(
        name="tilted_double_well",
        title="Tilted double well",
        description="test surface",
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        minima=(
            Minimum((float(left), 0.0), float(fx(left)), True, "left"),
            Minimum((float(right), 0.0), float(fx(right)), False, "right"),
        ),
        default_start=(1.5, 1.0),
        f=lambda x, y: fx(x) + 0.5 * y * y,
        df=lambda x, y: (4.0 * x * (x * x - 1.0) + TILT, y),
    )
    return surface, float(ridge)


def test_start_grid_is_row_major_cell_centres() -> None:
    xs, ys, starts = start_grid(((0.0, 4.0), (10.0, 12.0)), 4)
    np.testing.assert_allclose(xs, [0.5, 1.5, 2.5, 3.5])
    np.testing.assert_allclose(ys, [10.25, 10.75, 11.25, 11.75])
    np.testing.assert_allclose(starts[1 * 4 + 2], [2.5, 10.75])


def test_classify_labels_nearest_minimum_moving_and_diverged() -> None:
    surface, _ = double_well()
    r = capture_radius(surface.domain)
    left = surface.minima[0].point
    right = surface.minima[1].point
    final = np.array([left, [right[0] + 0.5 * r, 0.0], [0.0, 1.5], [np.nan, np.nan], left])
    diverged = np.array([False, False, False, True, True])
    labels = classify(final, diverged, surface.minima, r)
    np.testing.assert_array_equal(labels, [0, 1, MOVING, DIVERGED, DIVERGED])


def test_capture_radius_is_the_race_tolerance() -> None:
    surface, _ = double_well()
    assert capture_radius(surface.domain) == default_tolerance(surface.domain)


def test_gradient_descent_basins_split_at_the_ridge() -> None:
    surface, ridge = double_well()
    bm = basin_map("sgd", surface, 40, 400, hparams={"lr": 0.02})
    col_x = np.broadcast_to(bm.xs, bm.labels.shape)
    clear = np.abs(col_x - ridge) > 0.1
    expected = np.where(col_x < ridge, 0, 1)
    np.testing.assert_array_equal(bm.labels[clear], expected[clear])
    share_left = float(np.mean(bm.xs < ridge))
    assert bm.stats.success_rate == pytest.approx(share_left, abs=0.03)
    assert bm.stats.median_steps > 0
    assert bm.stats.counts.get(0, 0) + bm.stats.counts.get(1, 0) == 40 * 40


def test_huge_rate_diverges_and_one_tiny_step_is_still_moving() -> None:
    surface, _ = double_well()
    blown = basin_map("sgd", surface, 10, 50, hparams={"lr": 5.0})
    assert np.all(blown.labels == DIVERGED)
    assert blown.stats.success_rate == 0.0
    assert np.isnan(blown.stats.median_steps)
    crawl = basin_map("sgd", surface, 10, 1, hparams={"lr": 1e-4})
    assert (crawl.labels == MOVING).mean() > 0.9


def test_steps_to_global_is_the_first_entry_into_the_capture_radius() -> None:
    surface, _ = double_well()
    g = np.array(surface.minima[0].point)
    path = np.array([[[1.0, 1.0]], [[0.0, 0.0]], [g + np.array([0.01, 0.0])], [g]])
    assert steps_to_global(path, surface.minima, 0.05)[0] == 2
    assert steps_to_global(path, surface.minima, 0.05, target=np.array([0]))[0] == 2
    assert steps_to_global(path, surface.minima, 0.05, only=np.array([False]))[0] == -1
    far = path + np.array([5.0, 0.0])
    assert steps_to_global(far, surface.minima, 0.05)[0] == -1


def test_baselines_count_trials_on_the_same_starts() -> None:
    surface, _ = double_well()
    _, _, starts = start_grid(surface.domain, 8)
    for name in ("random_search", "random_local_search"):
        stats = baseline(name, surface, starts, 300, seed=1)
        assert 0.0 <= stats.success_rate <= 1.0
        assert stats.evaluations_per_path >= 300
        if stats.success_rate > 0:
            assert stats.median_evaluations <= stats.evaluations_per_path


def recorded_map(name: str, surface: Surface, n: int, steps: int, hparams: dict,
                 noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The basin map from fully recorded paths (``run``, then ``steps_to_global`` on them): what
    ``basin_map`` computes without keeping the paths."""
    from optimizers import get_optimizer, run

    _, _, starts = start_grid(surface.domain, n)
    traj = run(get_optimizer(name, **hparams), surface, starts, steps, noise=noise,
               domain=surface.domain)
    radius = capture_radius(surface.domain)
    labels = classify(traj.points[-1], traj.diverged_step >= 0, surface.minima, radius)
    ends_global = np.isin(labels, [k for k, m in enumerate(surface.minima) if m.is_global])
    first = steps_to_global(traj.points, surface.minima, radius, only=ends_global,
                            target=np.maximum(labels, 0))
    return labels, first


@pytest.mark.parametrize(("surface", "name", "hparams", "noise"), [
    ("himmelblau", "adam", {"lr": 0.05}, 0.0),  # four global minima
    ("six_hump_camel", "sgd", {"lr": 0.05}, 0.5),  # two global and four local, with noise
    ("rosenbrock", "sgd", {"lr": 2e-3}, 0.0),  # many paths diverge, at many steps
    ("two_basins", "random_local_search", {}, 0.0),
])
def test_map_without_paths_equals_the_map_from_recorded_paths(surface, name, hparams,
                                                              noise) -> None:
    import landscape

    surf = landscape.get_surface(surface)
    bm = basin_map(name, surf, 24, 300, hparams=hparams, noise=noise)
    labels, first = recorded_map(name, surf, 24, 300, hparams, noise)
    np.testing.assert_array_equal(bm.labels.ravel(), labels)
    np.testing.assert_array_equal(bm.steps.ravel(), first)
    kinds = set(labels.tolist())
    assert len(kinds) > 1 and (first > 0).any()  # the case tells labels and arrivals apart


def test_a_long_fine_map_keeps_no_paths() -> None:
    """200 x 200 starts x 2000 steps would hold ~2 GB of paths; the map needs a few MB."""
    import tracemalloc

    import landscape

    surf = landscape.get_surface("two_basins")
    tracemalloc.start()
    try:
        basin_map("sgd", surf, 200, 2000, hparams={"lr": 0.3})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MB"


@pytest.mark.parametrize(("domain", "n"), [
    (((-4.0, 4.0), (-4.0, 4.0)), 60),  # two_basins' default map
    (((-5.12, 5.12), (-5.12, 5.12)), 200),  # rastrigin, finest
    (((-1.5, 4.0), (-3.0, 4.0)), 37),  # mccormick, an odd count
])
def test_grid_starts_are_short_decimals_at_the_cell_centres(domain, n: int) -> None:
    """A start travels to the race in the link, and the race's gradient noise is keyed on its
    exact bits: the grid's starts are short decimals (a few digits in the link, and in the
    figure), each within a thousandth of a cell of its centre."""
    xs, ys, starts = start_grid(domain, n)
    for axis, values in zip(domain, (xs, ys), strict=True):
        width = (axis[1] - axis[0]) / n
        exact = axis[0] + (np.arange(n) + 0.5) * width
        assert np.max(np.abs(values - exact)) <= width / 1000
        assert np.all(np.diff(values) > 0)
        assert max(len(repr(float(v))) for v in values) <= 9, values
    gx, gy = np.meshgrid(xs, ys)
    np.testing.assert_array_equal(starts, np.stack([gx.ravel(), gy.ravel()], axis=1))


def test_a_start_near_a_cell_centre_is_that_cell_and_others_are_none() -> None:
    domain = ((-4.0, 4.0), (-4.0, 4.0))
    xs, ys, _ = start_grid(domain, 60)
    assert cell_start((float(xs[10]), float(ys[47])), domain, 60) == (xs[10], ys[47])
    nudged = (float(xs[10]) + 1e-5, float(ys[47]) - 1e-5)  # a 5-digit link of an older grid
    assert cell_start(nudged, domain, 60) == (xs[10], ys[47])
    assert cell_start((1.0, -2.5), domain, 60) is None  # a cell's corner, not a cell
    assert cell_start((9.0, 0.0), domain, 60) is None  # off the map


@pytest.mark.parametrize("surface", ["two_basins", "ravine", "six_hump_camel"])
def test_random_local_search_takes_the_race_s_step_for_the_surface(surface: str) -> None:
    """The race runs random local search with its preset step (0.2-0.5 by the map's size); the
    baseline ran the registry's 0.1 and did not say so."""
    import landscape
    from app_pages.common.presets import preset_for
    from optimizers import OPTIMIZERS

    surf = landscape.get_surface(surface)
    step = preset_for(surface, surf, OPTIMIZERS).hparams["random_local_search"]["step_size"]
    assert step != OPTIMIZERS["random_local_search"].hparam("step_size").default
    _, _, starts = start_grid(surf.domain, 12)
    stats = baseline("random_local_search", surf, starts, 200, seed=2)
    assert dict(stats.hparams) == {"step_size": step}
    assert stats == baseline("random_local_search", surf, starts, 200, seed=2,
                             hparams={"step_size": step})
    assert baseline_label(stats) == f"Random local search (step {step:g}, baseline)"
    plain = baseline("random_search", surf, starts, 200, seed=2)
    assert plain.hparams == () and baseline_label(plain) == "Random search (baseline)"


def test_the_sampling_cost_sentence_follows_the_numbers() -> None:
    """The basins caption said random search "pays with many more trials" whatever the table
    beside it showed (on Rosenbrock it arrived as often as Adam, with fewer trials)."""
    from app_pages.common.basins import BasinStats, sampling_cost

    def stats(name: str, rate: float, median: float) -> BasinStats:
        return BasinStats(name, rate, median, median, 500, {})

    gd = [stats("sgd", 0.2, 7.0), stats("adam", 0.25, 14.0)]
    said = sampling_cost(gd, stats("random_search", 0.34, 143.0))
    assert said == ("Here random search arrives from 34.0% of its starts, in a median of 143 "
                    "trials; the gradient methods from 20.0–25.0% of their starts, in medians of "
                    "7–14. Sampling the whole map arrives more often, and pays with more trials.")
    rosen = sampling_cost([stats("sgd", 0.03, 3.0), stats("adam", 0.09, 196.0)],
                          stats("random_search", 0.087, 145.0))
    assert "pays" not in rosen and "beats" not in rosen and "medians of 3–196" in rosen
    cheap = sampling_cost([stats("sgd", 0.0, float("nan"))], stats("random_search", 0.5, 40.0))
    assert cheap.endswith("the gradient method from 0.0% of its starts. Sampling the whole map "
                          "beats walking here.")
    assert sampling_cost(gd, None) == "" and sampling_cost([], stats("random_search", 1, 1)) == ""


def test_random_search_s_share_is_set_against_what_geometry_alone_predicts() -> None:
    """Random search arrived from 34.2, 34.2 and 33.4 % of the starts on Two basins, Easom and
    Booth alike, and nothing said that this is the target's size against the map's, not the
    landscape; on Rosenbrock it arrives far less often, and the words say why (a review)."""
    import landscape
    from app_pages.common.basins import (
        BasinStats,
        baseline,
        capture_radius,
        sampling_cost,
        sampling_share,
        start_grid,
    )

    surf = landscape.get_surface("two_basins")
    tol = capture_radius(surf.domain)
    glob = [m.point for m in surf.minima if m.is_global]
    p, share = sampling_share(surf.domain, glob, tol, 300)
    (x0, x1), (y0, y1) = surf.domain
    assert p == pytest.approx(np.pi * tol ** 2 / ((x1 - x0) * (y1 - y0)), rel=0.02)
    assert share == pytest.approx(1 - (1 - p) ** 300)
    # the measured share of random search's starts matches, within sampling error
    _, _, starts = start_grid(surf.domain, 30)
    measured = baseline("random_search", surf, starts, 300, seed=0).success_rate
    assert abs(measured - share) < 3 * np.sqrt(share * (1 - share) / len(starts))
    # a target in a corner: a quarter of the disc is on the map
    corner, _ = sampling_share(((0.0, 1.0), (0.0, 1.0)), [(0.0, 0.0)], 0.1, 1)
    assert corner == pytest.approx(np.pi * 0.01 / 4, rel=0.05)

    def stats(name: str, rate: float, median: float) -> BasinStats:
        return BasinStats(name, rate, median, median, 301, {})

    gd = [stats("sgd", 0.2, 7.0)]
    trier = stats("random_local_search", 0.239, 21.0)
    near = sampling_cost(gd, stats("random_search", 0.34, 143.0), trier, (0.0014, 0.34))
    assert "That is geometry, not the slopes: each try lands within the tolerance of a global " \
           "minimum with chance 0.14%" in near \
        and "so at least one of 300 tries does from about 34% of starts" in near
    assert near.endswith("Random local search, trial and error one small step at a time, "
                         "arrives from 23.9% of its starts, in a median of 21 trials.")
    rosen = sampling_cost(gd, stats("random_search", 0.087, 145.0), None, (0.0014, 0.35))
    assert "it arrives less often because its best find is the lowest try" in rosen

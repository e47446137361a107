"""The race's compute layer: a shorter step count is served from the longest run already made."""

from __future__ import annotations

import numpy as np
import pytest

import landscape
import optimizers
from app_pages.common import compute


def test_fewer_steps_reuse_the_longest_run(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[int] = []
    plain = optimizers.run

    def counted(*args, **kwargs):
        runs.append(args[3])
        return plain(*args, **kwargs)

    monkeypatch.setattr(optimizers, "run", counted)
    racer = compute.entry("adam", {"lr": 0.05})
    setting = ("himmelblau", "", racer, (-4.0, 4.5))
    long = compute.trajectory(*setting, 300, 11, 0.2, None)
    short = compute.trajectory(*setting, 120, 11, 0.2, None)
    assert runs == [300]  # the 120-step request ran nothing
    direct = plain(optimizers.get_optimizer("adam", lr=0.05), compute.get_landscape("himmelblau"),
                   np.array([-4.0, 4.5]), 120, seed=11, noise=0.2)
    np.testing.assert_array_equal(short.points, direct.points)
    np.testing.assert_array_equal(short.losses, direct.losses)
    assert short.steps == 120 and long.steps == 300
    compute.trajectory(*setting, 400, 11, 0.2, None)  # longer: one new run, which then serves
    compute.trajectory(*setting, 350, 11, 0.2, None)
    compute.trajectory(*setting, 300, 12, 0.2, None)  # another seed is another setting
    assert runs == [300, 400, 300]


def test_a_seed_reruns_only_what_draws_from_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gradient method without noise or minibatches is the same run under every seed: a new
    seed runs only random search and noisy or minibatch runs, each exactly as a run of its own
    under that seed."""
    runs: list[str] = []
    plain = optimizers.run

    def counted(opt, *args, **kwargs):
        runs.append(f"{type(opt).__name__} seed={kwargs['seed']}")
        return plain(opt, *args, **kwargs)

    monkeypatch.setattr(optimizers, "run", counted)
    adam, search = compute.entry("adam", {"lr": 0.05}), compute.entry("random_search", {})
    start = (-3.1, 2.7)
    for seed in (101, 102):
        clean = compute.trajectory("booth", "", adam, start, 50, seed, 0.0, None)
        compute.trajectory("booth", "", search, start, 50, seed, 0.0, None)
        noisy = compute.trajectory("booth", "", adam, start, 50, seed, 0.3, None)
        data = compute.trajectory("linear_regression", "", adam, start, 50, seed, 0.0, 10)
        direct = plain(optimizers.get_optimizer("adam", lr=0.05),
                       compute.get_landscape("linear_regression"), np.array(start), 50,
                       seed=seed, batch_size=10)
        np.testing.assert_array_equal(data.points, direct.points)
        np.testing.assert_array_equal(
            noisy.points, plain(optimizers.get_optimizer("adam", lr=0.05),
                                compute.get_landscape("booth"), np.array(start), 50, seed=seed,
                                noise=0.3).points)
        np.testing.assert_array_equal(
            clean.points, plain(optimizers.get_optimizer("adam", lr=0.05),
                                compute.get_landscape("booth"), np.array(start), 50,
                                seed=seed).points)
    assert len(runs) == 7 and len([r for r in runs if "seed=0" in r]) == 1, runs


def test_results_table_shows_huge_and_missing_losses_as_readable_text() -> None:
    """A blown-up run's loss beyond 2**53 would show raw in a number column: losses are text."""
    import landscape
    from app_pages.common.outcomes import describe
    from viz.paths import path_view

    s = landscape.get_surface("rosenbrock")
    runs = [optimizers.run(optimizers.get_optimizer("sgd", lr=lr), s, np.array([-1.5, 2.0]), 40)
            for lr in (0.1, 1e-4)]
    paths = [path_view("sgd", f"SGD {i}", t, s) for i, t in enumerate(runs)]
    outcomes = [describe(p.points, p.diverged_step, s.minima, 0.1) for p in paths]
    table = compute.results_table(paths, outcomes, [40, 40], s.min_value)
    # no "thrown away" without a random search: a column of 0s pushed the outcome out of view
    assert table.column_names == ["", "optimizer", "final loss", "best loss",
                                  "first at a global min", "evaluations", "outcome"]
    blown, calm = table["final loss"].to_pylist()
    assert "e+" in blown and len(blown) <= 10, blown  # e.g. "7.4891e+22"
    assert float(calm) == pytest.approx(float(runs[1].losses[-1]), rel=1e-4)
    assert all(isinstance(v, str) for v in table["best loss"].to_pylist())
    assert table["first at a global min"].to_pylist() == ["—", "—"]


def test_a_run_that_diverged_used_evaluations_only_until_then() -> None:
    s = landscape.get_surface("rosenbrock")
    blown, calm = (optimizers.run(optimizers.get_optimizer("sgd", lr=lr), s,
                                  np.array([-1.5, 2.0]), 40) for lr in (0.1, 1e-4))
    assert int(blown.diverged_step) > 0
    assert compute.used_evaluations(blown) == int(blown.diverged_step) < 40  # a gradient a step
    assert compute.used_evaluations(calm) == 40
    walker = optimizers.run(optimizers.get_optimizer("random_search"), s, np.array([0.0, 0.0]), 9)
    assert compute.used_evaluations(walker) == 10  # the start's value, then one a step


HOSTILE_FORMULAS = [  # each took 35-90 s of one core to race before formula_work bounded them
    "*".join(f"(x-{i})" for i in range(1, 60)),
    "*".join(f"sin({k}*x+y)" for k in range(1, 35)),
    "*".join(f"x**sin({k}*y)" for k in range(1, 25)),
]
ORDINARY_FORMULAS = [
    "(x**2 + y - 11)**2 + (x + y**2 - 7)**2 - 3*sin(x)",
    "sin(3*x)*cos(2*y) + 0.1*(x^2+y^2)",
    "(1+(x+y+1)**2*(19-14*x+3*x**2-14*y+6*x*y+3*y**2))"
    "*(30+(2*x-3*y)**2*(18-32*x+12*x**2+48*y-36*x*y+27*y**2))",  # Goldstein-Price
]


@pytest.mark.parametrize("formula", ORDINARY_FORMULAS)
def test_ordinary_formulas_race_every_optimizer_for_every_step(formula: str) -> None:
    from app_pages.common.limits import clamp_formula_steps, limit

    most = limit("steps")
    cost = compute.formula_cost(formula)
    assert clamp_formula_steps(most, limit("optimizers"), cost) == (most, None)


@pytest.mark.parametrize("formula", HOSTILE_FORMULAS)
def test_costly_formulas_race_fewer_steps_within_the_work_budget(formula: str) -> None:
    from app_pages.common.limits import clamp_formula_steps, limit

    cost = compute.formula_cost(formula)
    for racers in (1, limit("optimizers")):
        steps, message = clamp_formula_steps(limit("steps"), racers, cost)
        assert message is not None and steps < limit("steps")
        assert cost * steps * racers <= limit("formula_work")


@pytest.mark.parametrize(("name", "hparams", "expected"), [
    ("sgd", {"lr": 0.01, "momentum": 0.0, "nesterov": False}, "SGD (lr 0.01)"),
    ("sgd", {"lr": 0.01, "momentum": 0.9}, "SGD (lr 0.01, momentum 0.9)"),
    ("sgd", {"lr": 0.01, "momentum": 0.9, "nesterov": True},
     "SGD (lr 0.01, momentum 0.9, nesterov on)"),
    ("adam", {"lr": 0.1, "betas": [0.9, 0.999]}, "Adam (lr 0.1)"),
    ("adam", {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6, "amsgrad": True},
     "Adam (lr 0.1, betas (0.8, 0.99), eps 1e-06, …)"),
    ("random_local_search", {"step_size": 0.1}, "Random local search (step 0.1)"),
    ("adam_then_sgd", {"lr": 0.01, "sgd_lr": 0.1, "switch_step": 80},
     "Adam, then SGD (lr 0.01, then 0.1, switch at step 80)"),
])
def test_a_racers_name_says_the_settings_changed_from_the_defaults(name, hparams,
                                                                   expected) -> None:
    """An SGD run with momentum 0.9 was named "SGD (lr 0.01)" in the legend and the table, like
    plain SGD: a shared link's race then read as plain SGD overshooting."""
    assert compute.label(compute.entry(name, hparams)) == expected

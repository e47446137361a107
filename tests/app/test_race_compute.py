"""The race's compute layer: a shorter step count is served from the longest run already made."""

from __future__ import annotations

import numpy as np
import pytest

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
    blown, calm = table["final loss"].tolist()
    assert "e+" in blown and len(blown) <= 10, blown  # e.g. "7.4891e+22"
    assert float(calm) == pytest.approx(float(runs[1].losses[-1]), rel=1e-4)
    assert all(isinstance(v, str) for v in table["best loss"])

"""The curated race presets teach what each teaching surface's description promises.

Runs the real race computation (``preset_for`` -> ``optimizers.run`` -> ``outcomes.describe``)
for the ravine, plateau and saddle surfaces and checks the lesson, not hard-coded numbers.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import landscape
import optimizers
from app_pages.common.outcomes import Outcome, default_tolerance, describe
from app_pages.common.presets import CURATED, preset_for

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
        out[name] = (points, describe(points, -1, tuple(s.minima), tol))
    return out


def reach(outcome: Outcome) -> float:
    return np.inf if outcome.steps_to_global is None else outcome.steps_to_global


@pytest.mark.parametrize("surface", TEACHING)
def test_curated_rates_are_used(surface: str) -> None:
    s = landscape.get_surface(surface)
    p = preset_for(surface, s, optimizers.OPTIMIZERS)
    for name, lr in CURATED[surface]["lr"].items():
        assert p.hparams[name]["lr"] == lr


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

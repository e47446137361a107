"""Every PyTorch-backed optimizer and flag against stored torch 2.13 trajectories and states."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from optimizers import get_optimizer, get_schedule, run
from tests.optimizers.helpers import Quadratic, Rosenbrock, find_state, iterate
from tests.optimizers.reference_cases import (
    CASES,
    PRESET_KEYS,
    SCHEDULE_CASES,
    SCHEDULED_RUN,
    STARTS,
    STEPS,
)

FIXTURE = Path(__file__).parent / "fixtures" / "torch_reference.npz"
OBJECTIVES = {"rosenbrock": Rosenbrock(), "quadratic": Quadratic()}
RTOL = 1e-9


@pytest.fixture(scope="module")
def reference():
    with np.load(FIXTURE) as data:
        return {key: data[key] for key in data.files}


def close(actual, expected, what):
    """Relative 1e-9; an entry that cancels to ~0 is measured against the largest entry of its
    own path for points (steps + 1, K, D), K = len(STARTS); else of the whole array (a final
    state, whose entries near a minimum are what is left of much larger values, or a
    schedule)."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    mag = np.abs(expected)
    if expected.ndim == 3 and expected.shape[1] == len(STARTS):
        scale = mag.max(axis=(0, 2), keepdims=True)
    else:
        scale = mag.max() if expected.size else 1.0
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    err = np.abs(actual - expected)
    bound = RTOL * (mag + scale)
    assert np.all(err <= bound), (
        f"{what}: worst error {err.max():.3g}, {np.max(err / np.where(bound > 0, bound, 1)):.3g}"
        " x its bound")


def ours(name, kwargs):
    fixed = PRESET_KEYS.get(name, set())
    return get_optimizer(name, **{k: v for k, v in kwargs.items() if k not in fixed})


def test_fixture_is_small_and_from_torch_2_13(reference):
    assert FIXTURE.stat().st_size < 1_000_000
    assert str(reference["torch_version"]).startswith("2.13.0")


def test_reference_is_made_with_float64_scalar_state(reference):
    """The README's 1e-9 holds because the fixture is made under a float64 default dtype: under
    torch's float32 default, NAdam keeps mu_product in a float32 tensor and agrees to 1e-10..1e-8
    (the README's footnote)."""
    script = (Path(__file__).parent / "make_reference.py").read_text(encoding="utf-8")
    assert "torch.set_default_dtype(torch.float64)" in script
    mu_product = float(reference["nadam_plain/state/mu_product"])
    assert float(np.float32(mu_product)) != mu_product  # not a float32 value
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "[^float64]:" in readme and "mu_product" in readme


@pytest.mark.parametrize(
    ("case", "name", "cls", "kwargs", "objective"), CASES, ids=[c[0] for c in CASES]
)
def test_trajectory_and_state_match_torch(reference, case, name, cls, kwargs, objective):
    opt = ours(name, kwargs)
    f = OBJECTIVES[objective]
    points, state = iterate(opt, f, STARTS, STEPS)
    expected = reference[f"{case}/points"]
    assert points.shape == expected.shape == (STEPS + 1, *STARTS.shape)
    assert np.abs(expected[-1] - expected[0]).max() > 1e-3, "reference must actually move"
    close(points, expected, f"{case}: points")
    keys = [k.split("/")[-1] for k in reference if k.startswith(f"{case}/state/")]
    assert keys or (cls == "SGD" and not kwargs.get("momentum")), "torch state recorded"
    for key in keys:
        holder = find_state(state, key)
        assert holder is not None, f"{case}: no state field {key}"
        close(getattr(holder, key), reference[f"{case}/state/{key}"], f"{case}: state {key}")


@pytest.mark.parametrize("case", [c[0] for c in CASES[::4]])
def test_run_reproduces_the_reference_path(reference, case):
    _, name, _, kwargs, objective = next(c for c in CASES if c[0] == case)
    traj = run(ours(name, kwargs), OBJECTIVES[objective], STARTS, STEPS)
    close(traj.points, reference[f"{case}/points"], case)
    assert np.all(traj.diverged_step == -1)


@pytest.mark.parametrize(("case", "name", "kw", "lr", "steps"), SCHEDULE_CASES)
def test_schedules_match_torch_lr_scheduler(reference, case, name, kw, lr, steps):
    schedule = get_schedule(name, lr=lr, **kw)
    expected = reference[f"schedule/{case}"]
    close([schedule(t) for t in range(steps)], expected, case)
    close(schedule(np.arange(steps)), expected, case + " (vectorized)")


def test_adam_with_cosine_schedule_matches_torch(reference):
    case, name, kwargs, sname, skw = SCHEDULED_RUN
    schedule = get_schedule(sname, lr=kwargs["lr"], **skw)
    traj = run(get_optimizer(name, lr=schedule), OBJECTIVES["quadratic"], STARTS, STEPS)
    close(traj.points, reference[f"{case}/points"], case)
    close(traj.lr, [schedule(t) for t in range(STEPS)], "recorded lr")


def test_lion_matches_the_optax_formula_by_hand():
    """Three steps of optax.lion written out independently: u = sign(b1 m + (1-b1) g) + wd x."""
    lr, b1, b2, wd = 0.1, 0.9, 0.99, 0.01
    f = Quadratic()
    x = np.array([[1.5, -2.0], [0.3, 0.2]])
    m = np.zeros_like(x)
    expected = [x]
    for _ in range(3):
        g = f.grad(x)
        c = b1 * m + (1 - b1) * g
        x = x - lr * (np.sign(c) + wd * x)
        m = b2 * m + (1 - b2) * g
        expected.append(x)
    traj = run(get_optimizer("lion", lr=lr, b1=b1, b2=b2, weight_decay=wd), f, expected[0], 3)
    np.testing.assert_allclose(traj.points, np.array(expected), rtol=1e-15, atol=1e-15)
    # The first step moves every coordinate by lr (1 + wd x) exactly: the sign of (1-b1) g.
    first = expected[0] - lr * (np.sign(f.grad(expected[0])) + wd * expected[0])
    np.testing.assert_allclose(traj.points[1], first, rtol=1e-15)

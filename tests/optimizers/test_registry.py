"""The registry: specs are complete and consistent; get_optimizer validates like torch.optim."""

from __future__ import annotations

import re

import numpy as np
import pytest

from optimizers import OPTIMIZERS, HParam, get_optimizer, get_schedule, markdown_table, run
from tests.optimizers.helpers import Quadratic

EXPECTED = [
    "random_search",
    "random_local_search",
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adadelta",
    "adam",
    "amsgrad",
    "adamw",
    "nadam",
    "radam",
    "adamax",
    "lion",
    "adam_then_sgd",
]


def test_registry_has_every_walker_of_the_issue():
    assert list(OPTIMIZERS) == EXPECTED


def _in_range(h: HParam, value) -> bool:
    values = value if h.kind == "pair" else (value,)
    return all(h.min <= v <= h.max for v in values)


@pytest.mark.parametrize("name", EXPECTED)
def test_spec_is_complete(name):
    spec = OPTIMIZERS[name]
    assert spec.name == name and spec.display_name and spec.reference and spec.update_rule
    assert spec.description.endswith(".") and "\n" not in spec.description
    assert len(spec.description) < 110
    assert spec.uses_gradient == (not name.startswith("random"))
    depth = 0
    for ch in spec.update_rule.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, "LaTeX braces balanced"
    assert depth == 0 and spec.update_rule.count(r"\begin") == spec.update_rule.count(r"\end")
    names = [h.name for h in spec.hparams]
    assert len(names) == len(set(names))
    for h in spec.hparams:
        if h.kind == "bool":
            assert isinstance(h.default, bool)
        else:
            assert h.min is not None and h.max is not None and h.min < h.max
            assert _in_range(h, h.default), h
        assert h.help
    if spec.uses_gradient:
        lr = spec.hparam("lr")
        assert lr.log and lr.min <= 1e-5 and lr.max >= 1e3
    opt = get_optimizer(name)
    assert opt.name == name and opt.uses_gradient == spec.uses_gradient
    for key, value in (spec.preset or {}).items():
        assert opt.hparams[key] == value


@pytest.mark.parametrize("name", [n for n in EXPECTED if OPTIMIZERS[n].uses_gradient])
def test_default_settings_make_a_visible_race_on_a_unit_scale_surface(name):
    f = Quadratic()
    start = np.array([[2.0, -1.5], [-1.0, 1.5]])
    traj = run(get_optimizer(name), f, start, 300)
    gap0, gap = traj.losses[0] - f.min_value, traj.losses[-1] - f.min_value
    assert np.all(traj.diverged_step == -1)
    assert np.all(gap < 0.5 * gap0), "moves a visible distance in 300 steps"


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown optimizer 'adamm'.*adam, amsgrad"):
        get_optimizer("adamm")
    with pytest.raises(ValueError, match=r"no hyperparameter 'beta1'.*betas"):
        get_optimizer("adam", beta1=0.9)
    with pytest.raises(ValueError, match=r"fixes momentum=0\.9"):
        get_optimizer("momentum", momentum=0.5)
    assert get_optimizer("nesterov", momentum=0.9, nesterov=True).hparams["nesterov"] is True


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("sgd", {"lr": -0.1}, r"lr=-0.1 is out of range \[1e-06, 1000\]"),
        ("sgd", {"lr": 1e4}, r"lr=10000.0 is out of range \[1e-06, 1000\]"),
        ("sgd", {"momentum": 1.5}, r"momentum=1.5 is out of range \[0, 0.999\]"),
        ("adam", {"betas": (0.9, 1.0)}, r"betas=1.0 is out of range \[0, 0.9999\]"),
        ("adam", {"betas": 0.9}, "betas must be a pair"),
        ("adam", {"eps": 0.0}, r"eps=0.0 is out of range \[1e-12, 0.1\]"),
        ("adam", {"lr": float("nan")}, r"lr=nan is out of range"),
        ("adam", {"amsgrad": 1}, "amsgrad must be True or False"),
        ("adam", {"lr": True}, r"lr must be a number in \[1e-06, 1000\]"),
        ("sgd", {"lr": 10**400}, r"lr=10+ is out of range"),  # no float holds it: OverflowError
        ("rmsprop", {"alpha": -0.1}, r"alpha=-0.1 is out of range \[0, 0.9999\]"),
        ("adagrad", {"lr_decay": 2.0}, r"lr_decay=2.0 is out of range \[0, 1\]"),
        ("adadelta", {"rho": 1.0}, r"rho=1.0 is out of range \[0, 0.9999\]"),
        ("nadam", {"momentum_decay": -1.0}, "momentum_decay=-1.0 is out of range"),
        ("adam_then_sgd", {"switch_step": 2.5}, r"switch_step must be an integer in \[1, 100000\]"),
        ("adam_then_sgd", {"switch_step": 0}, r"switch_step=0 is out of range \[1, 100000\]"),
        ("random_local_search", {"step_size": 0.0}, r"step_size=0.0 is out of range"),
        ("lion", {"weight_decay": 2.0}, r"weight_decay=2.0 is out of range \[0, 1\]"),
        ("sgd", {"nesterov": True}, "nesterov needs momentum"),
        ("sgd", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening = 0"),
    ],
)
def test_invalid_hyperparameters_name_the_parameter_and_range(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        get_optimizer(name, **kwargs)


def test_values_are_normalised_and_schedules_accepted_as_lr():
    opt = get_optimizer("adam", betas=[0.8, 0.9], lr=np.float32(0.5))
    assert opt.hparams["betas"] == (0.8, 0.9) and isinstance(opt.hparams["lr"], float)
    schedule = get_schedule("exponential", lr=0.1, gamma=0.5)
    opt = get_optimizer("sgd", lr=schedule)
    assert opt.learning_rate is schedule
    traj = run(opt, Quadratic(), [1.0, 1.0], 4)
    np.testing.assert_allclose(traj.lr, [0.1, 0.05, 0.025, 0.0125])


def test_markdown_table_lists_every_optimizer_with_its_defaults():
    table = markdown_table()
    lines = table.strip().splitlines()
    assert lines[0].startswith("| Name | Optimizer | Hyperparameters")
    assert len(lines) == 2 + len(OPTIMIZERS)
    for line, (name, spec) in zip(lines[2:], OPTIMIZERS.items(), strict=True):
        assert line.startswith(f"| `{name}` | {spec.display_name} |")
        assert spec.description in line
    assert "`betas=(0.9, 0.999)`" in table and "(fixed: `momentum=0.9`)" in table


#: Decay rates: at 1 the running averages never take in a gradient (Adadelta's v and u stay 0).
DECAY_RATES = {"momentum", "alpha", "rho", "betas", "b1", "b2"}


def test_decay_rates_stop_short_of_one():
    found = 0
    for spec in OPTIMIZERS.values():
        for h in spec.hparams:
            if h.name in DECAY_RATES:
                assert h.max < 1, (spec.name, h.name)
                found += 1
    assert found >= 10
    assert OPTIMIZERS["adadelta"].hparam("rho").max == 0.9999


def test_adadelta_at_its_largest_rho_still_moves():
    traj = run(get_optimizer("adadelta", rho=0.9999), Quadratic(), [2.0, -1.5], 50)
    assert np.abs(traj.points[-1] - traj.points[0]).max() > 1e-3


#: Symbols the update rules use for state, each of which a rule must define before use.
STATE_SYMBOLS = ("m_t", "v_t", "u_t", "s_t", "b_t", "d_t", "n_t", "r_t", r"\bar g_t",
                 r"\hat m_t", r"\hat v_t", r"\Pi_t", r"\mu_t", r"\rho_t", r"\Delta_t")


@pytest.mark.parametrize("name", EXPECTED)
def test_update_rule_defines_every_state_it_uses(name):
    """A review found NAdam's rule using m_t and v_t and Adamax's using m_t, never defined."""
    rule = OPTIMIZERS[name].update_rule
    for sym in STATE_SYMBOLS:
        used = re.search(re.escape(sym) + r"(?![A-Za-z_])", rule)
        if used:
            assert re.search(re.escape(sym) + r"(\^2)?\s*&?=", rule), f"{name}: {sym} undefined"


def test_adam_then_sgd_rule_counts_steps_like_the_code():
    """t is 1-based (beta^t bias correction in every rule): steps 1..K are Adam's, K+1 on SGD's."""
    rule = OPTIMIZERS["adam_then_sgd"].update_rule
    assert r"t \le K" in rule and "t > K" in rule and "t < K" not in rule
    f, K = Quadratic(), 3
    both = run(get_optimizer("adam_then_sgd", switch_step=K, sgd_lr=0.1), f, [2.0, -1.5], K + 1)
    adam = run(get_optimizer("adam"), f, [2.0, -1.5], K + 1)
    np.testing.assert_array_equal(both.points[: K + 1], adam.points[: K + 1])  # t = 1..K: Adam
    x = both.points[K]
    np.testing.assert_array_equal(both.points[K + 1], x - 0.1 * f.grad(x))  # t = K + 1: SGD


def test_descriptions_say_what_the_settings_do():
    assert "momentum" in OPTIMIZERS["sgd"].description  # SGD's own momentum changes the step
    assert "running maximum of v" in OPTIMIZERS["amsgrad"].description
    assert "never lets" not in OPTIMIZERS["amsgrad"].description  # v itself still decreases


def test_every_switch_on_a_card_is_written_into_its_rule() -> None:
    """A review: Adam's and AdamW's cards offer amsgrad, and their rules showed plain Adam
    while the running maximum ran. Each on/off setting names its case in the rule."""
    for name, spec in OPTIMIZERS.items():
        for h in spec.hparams:
            if h.kind == "bool":
                word = h.name.split("_")[0]  # amsgrad, decoupled, centered, nesterov
                assert word in spec.update_rule.lower(), (name, h.name)

"""Every page's optimizer cards: "More settings" shows the other hyperparameters, and a value set
there is kept (and still used) once they are hidden again."""

from __future__ import annotations

import re

import pytest

from tests.app.conftest import app_test

PAGES = [  # (page script, picker key, URL that picks Adam with small, fast settings)
    ("app_pages/race.py", "race.opt", {"optimizers": "adam", "steps": "30"}),
    ("app_pages/learning_rate.py", "lab.opt", {"optimizers": "adam", "steps": "30"}),
    ("app_pages/basins.py", "basins.opt", {"optimizers": "adam", "steps": "30", "grid": "10"}),
    ("app_pages/neural_network.py", "nn.opt", {"optimizers": "adam", "epochs": "2"}),
]


@pytest.mark.parametrize(("page", "key", "query"), PAGES, ids=[p[1] for p in PAGES])
def test_more_settings_show_hide_and_keep_values(page: str, key: str, query: dict) -> None:
    at = app_test(page, query).run()
    assert not at.exception
    at.session_state[f"{key}.adam.open"] = True  # the race builds a card only while it is open
    at.run()
    amsgrad = f"{key}.adam.amsgrad"
    assert amsgrad not in [t.key for t in at.sidebar.toggle]  # hidden by default
    at.sidebar.toggle(key=f"{key}.adam.more").set_value(True).run()
    at.sidebar.toggle(key=amsgrad).set_value(True).run()
    assert not at.exception
    at.sidebar.toggle(key=f"{key}.adam.more").set_value(False).run()
    assert not at.exception and amsgrad not in [t.key for t in at.sidebar.toggle]
    assert at.session_state[amsgrad] is True
    assert at.query_params.get("adam.amsgrad") == "true"  # still part of the shared setting


def test_linear_sliders_step_in_round_numbers_that_reach_both_ends_and_the_default() -> None:
    """Momentum's slider (0 to 0.999) stepped by 0.000999, so it read 0.899101; every linear
    hyperparameter slider now steps by a power of ten that lands on its ends and its default."""
    import math

    from app_pages.common.controls import slider_step
    from optimizers import OPTIMIZERS

    assert slider_step(0.0, 0.999) == 1e-4 and slider_step(0.0, 1.0) == 1e-3
    # a power of ten, a hair under it (a logarithm's last bit differs between CPUs)
    assert slider_step(0.0, 10.0) == slider_step(0.0, 10.0 * (1 - 1e-12)) == 1e-2
    for name, spec in OPTIMIZERS.items():
        for h in spec.hparams:
            if h.kind != "float" or h.log:
                continue
            step = slider_step(h.min, h.max)
            assert math.log10(step) == round(math.log10(step)), (name, h.name)
            for v in (h.max, h.default):
                k = (v - h.min) / step
                assert abs(k - round(k)) < 1e-6, (name, h.name, v, step)


def test_adam_s_betas_are_named_as_its_update_rule_writes_them() -> None:
    """The sliders read "betas[0]" and "betas[1]" beside a rule that writes β₁ and β₂."""
    at = app_test("app_pages/race.py", {"optimizers": "adam", "steps": "30"}).run()
    at.session_state["race.opt.adam.open"] = True
    at.run()
    at.sidebar.toggle(key="race.opt.adam.more").set_value(True).run()
    labels = {s.key: s.label for s in at.sidebar.slider}
    assert labels["race.opt.adam.betas.0"] == "β₁ (betas[0])"
    assert labels["race.opt.adam.betas.1"] == "β₂ (betas[1])"


def test_every_letter_of_an_update_rule_that_is_a_setting_is_named() -> None:
    """The cards say which slider each letter of the rule is (HPARAM_SYMBOLS): lr and weight
    decay are named wherever the rule writes η and λ (a reviewer met both in Adam's card with
    nothing saying they were lr and weight_decay), and a setting with no letter is a flag."""
    from app_pages.common.controls import symbol_legend
    from optimizers import HPARAM_SYMBOLS, OPTIMIZERS

    for name, spec in OPTIMIZERS.items():
        said = symbol_legend(spec, spec.defaults())
        names = {h.name for h in spec.hparams}
        for h in spec.hparams:
            assert (h.name in HPARAM_SYMBOLS or h.kind == "bool"
                    or h.name == "initial_accumulator_value"), (name, h.name)
        if "lr" in names:
            assert "η is lr" in said, (name, said)
        if "weight_decay" in names and r"\lambda" in spec.update_rule:
            off = " (0 here: its terms drop out)" * (spec.defaults()["weight_decay"] == 0)
            assert f"λ is weight_decay{off}" in said, (name, said)  # AdamW's default is 0.01
        for part in filter(None, said.rstrip(".").split("; ")):
            hparam = re.split(r" (?:is|are) ", part)[1].split(" ")[0]
            assert HPARAM_SYMBOLS[hparam][1] in spec.update_rule, (name, part)
    sgd = OPTIMIZERS["sgd"]
    assert "(0 here" not in symbol_legend(sgd, {**sgd.defaults(), "weight_decay": 0.1})
    assert symbol_legend(OPTIMIZERS["random_local_search"], {"step_size": 0.1}) == (
        "s is step_size.")
    assert "betas" not in symbol_legend(OPTIMIZERS["adam_then_sgd"], {})  # not in its rule


def test_an_open_card_says_what_its_rule_s_letters_are() -> None:
    at = app_test("app_pages/race.py", {"optimizers": "adam", "steps": "30"})
    at.session_state["race.opt.adam.open"] = True
    at.run()
    said = [c.value for c in at.sidebar.caption]
    assert any(c.startswith("η is lr; β₁, β₂ are betas; ε is eps; λ is weight_decay (0 here")
               for c in said), said

"""Every page's optimizer cards: "More settings" shows the other hyperparameters, and a value set
there is kept (and still used) once they are hidden again."""

from __future__ import annotations

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

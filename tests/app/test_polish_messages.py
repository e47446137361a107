"""Count-based messages of the shared page helpers read as English when the count is 1 ("1 step",
never "1 steps"); the counts come from limits, so a limit of 1 stands in for the rare case."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

import landscape
import optimizers
from app_pages.common import limits
from app_pages.common.limits import clamp_steps, limit
from app_pages.common.presets import LANDING_SURFACE, preset_for
from app_pages.common.state import parse_race_query

GLUED = re.compile(r"\b1 (steps|starts|optimizers|characters)\b")


def _parse(query: dict[str, str]) -> list[str]:
    """The warnings of parsing a race URL on the built-in landscapes."""
    specs = optimizers.OPTIMIZERS
    _, warn = parse_race_query(query, landscape.SURFACES, specs,
                               lambda n: preset_for(n, landscape.SURFACES[n], specs),
                               LANDING_SURFACE, ((-5.0, 5.0), (-5.0, 5.0)))
    return warn


@pytest.fixture
def limit_of_one(monkeypatch: pytest.MonkeyPatch):
    """Set one of ``limits.LIMITS`` to 1 for a test (the dict is read on every ``limit`` call)."""

    def set_one(name: str) -> None:
        monkeypatch.setitem(limits.LIMITS, name, replace(limits.LIMITS[name], value=1))

    return set_one


def test_basin_budget_of_one_step_reads_in_the_singular() -> None:
    steps, message = clamp_steps(2, limit("basin_work"))
    assert steps == 1
    assert message is not None and "using 1 step." in message
    assert not GLUED.search(message)
    _, many = clamp_steps(600, 200 * 200)
    assert many == ("40,000 starts x 600 steps is more work than one map may take "
                    "(20,000,000 start-steps); using 500 steps. Fewer cells allow more steps.")


def test_too_many_optimizers_for_a_cap_of_one(limit_of_one) -> None:
    limit_of_one("optimizers")
    warn = _parse({"optimizers": "sgd,adam"})
    assert "At most 1 optimizer can race at once; the rest of the list is ignored." in warn


def test_a_url_value_over_a_one_character_cap(limit_of_one) -> None:
    limit_of_one("url_value_chars")
    warn = _parse({"seed": "12"})
    assert any("is longer than 1 character;" in w for w in warn), warn
    assert not any(GLUED.search(w) for w in warn)


def _picker_of_one() -> None:
    from app_pages.common import controls
    from optimizers import OPTIMIZERS

    controls.optimizer_picker(OPTIMIZERS, "t.opt", lambda name: {}, 1)


def test_optimizer_picker_help_for_a_cap_of_one() -> None:
    at = AppTest.from_function(_picker_of_one, default_timeout=30).run()
    assert not at.exception
    assert at.multiselect[0].help == "Race up to 1 optimizer; each has its own colour."

"""Every chart on every page carries a text for screen readers (``st.plotly_chart(alt=...)``,
which the browser reads as the chart's ``aria-label``), and the texts that report results say
what the page's own tables say."""

from __future__ import annotations

import pytest

from app_pages.common import controls
from tests.app.conftest import app_test

PAGES = [
    ("app_pages/race.py", {}),
    ("app_pages/race.py", {"optimizers": "sgd,adam", "steps": "60", "view": "3d"}),
    ("app_pages/race.py", {"formula": "x**2 + y**2", "optimizers": "adam", "steps": "40"}),
    ("app_pages/learning_rate.py", {}),
    ("app_pages/basins.py", {}),
    ("app_pages/concepts.py", {}),
    ("app_pages/neural_network.py", {}),
]


def alts(at) -> list[str]:
    return [c.proto.alt for c in at.get("plotly_chart")]


@pytest.mark.parametrize(("page", "query"), PAGES,
                         ids=[f"{p.split('/')[-1][:-3]}-{'-'.join(q) or 'default'}"
                              for p, q in PAGES])
def test_every_chart_has_a_text_for_screen_readers(page: str, query: dict[str, str]) -> None:
    at = app_test(page, query, timeout=180).run()
    assert not at.exception
    texts = alts(at)
    assert texts, "the page drew no chart"
    for text in texts:
        assert len(text.strip()) > 30, text  # a sentence, not a placeholder
        assert "{" not in text and "None" not in text and "nan" not in text, text


def test_phone_charts_have_texts_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A phone draws the back-propagation figure as two (forward, then backward)."""
    monkeypatch.setattr(controls, "is_phone", lambda: True)
    at = app_test("app_pages/neural_network.py", timeout=180).run()
    assert not at.exception
    texts = alts(at)
    assert any(t.startswith("The forward pass of") for t in texts)
    assert any(t.startswith("The backward pass of") for t in texts)
    assert all(len(t) > 30 for t in texts)


def test_the_race_map_says_where_each_path_ends_as_the_table_does() -> None:
    at = app_test("app_pages/race.py", {"optimizers": "sgd,adam,adagrad", "steps": "200"}).run()
    assert not at.exception
    text = alts(at)[0]
    table = at.dataframe[0].value
    assert text.startswith("Race on ") and "3 optimizer paths" in text and "200 steps" in text
    for label, outcome in zip(table["optimizer"], table["outcome"], strict=True):
        assert f"{label}: {outcome}" in text


def test_the_basin_maps_give_the_success_rate_the_table_gives() -> None:
    at = app_test("app_pages/basins.py").run()
    assert not at.exception
    table = at.dataframe[0].value  # the maps' optimizers, then the random baselines
    rates = dict(zip(table["method"], table["success rate"], strict=True))  # percent
    texts = alts(at)
    assert len(texts) == 3
    for text in texts:
        method = text.split("Basin map of ", 1)[1].split(": each square", 1)[0]
        assert f"{rates[method]:.1f}% of the starts reach the global minimum" in text

"""A link's own words echoed in a warning read as typed: ``controls.plain`` escapes what Streamlit's
markdown would act on (a review's ``surface=__init__`` read 'init', in bold)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app_pages.common.controls import plain
from tests.app.conftest import app_test, shown


def test_underscores_stars_and_markup_are_escaped() -> None:
    assert plain("'__init__'") == r"'\_\_init\_\_'"
    assert plain("*bold* $x$ <b> [a](b) ~~s~~ a|b #h") == \
        r"\*bold\* \$x\$ \<b\> \[a\](b) \~\~s\~\~ a\|b \#h"
    # Streamlit reads :codes: before CommonMark (a backslash did not stop them): a reference
    assert plain(":red[x] :smile: :material/bolt:") == \
        r"&#58;red\[x\] &#58;smile: &#58;material/bolt:"
    assert plain("&#58; &amp;") == r"\&\#58; \&amp;"  # a reference typed shows as typed


def test_sentences_and_code_spans_are_left_as_written() -> None:
    text = "URL parameter 'steps' is not a number: using 100. Unknown function `__import__`."
    assert plain(text) == text  # nothing to escape


@given(st.text(alphabet=st.characters(blacklist_characters="`", codec="utf-8"), max_size=60))
def test_unescaping_gives_back_exactly_the_text(text: str) -> None:
    assert shown(plain(text)) == text


def test_a_junk_surface_is_echoed_as_typed() -> None:
    at = app_test("app_pages/race.py", {"surface": "__init__"}).run()
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert r"'\_\_init\_\_'" in warning and "'__init__'" in shown(warning)


def test_warnings_beyond_the_boxes_are_escaped_in_the_shared_list() -> None:
    """Several problems are listed in one box: each item escaped too."""
    query = {f"junk_{k}": "1" for k in range(12)}
    at = app_test("app_pages/race.py", query).run()
    assert not at.exception
    (listed,) = [w.value for w in at.warning]
    assert listed.startswith("The link has 12 problems")
    assert r"junk\_" in listed and "junk_" not in listed


@pytest.mark.parametrize(("page", "key", "values"), [
    ("race.py", "steps", ["abc", "100"]),
    ("race.py", "optimizers", ["adam", "sgd"]),
    ("learning_rate.py", "sweep", ["7", "20"]),
    ("basins.py", "grid", ["x", "20"]),
    ("concepts.py", "budget", ["1", "50"]),
    ("neural_network.py", "epochs", ["0", "5"]),
])
def test_a_key_given_twice_is_named_with_the_value_used(page: str, key: str,
                                                        values: list[str]) -> None:
    """"steps=abc&steps=100" raced 100 steps with no word of "abc"; "optimizers=adam&
    optimizers=sgd" raced SGD alone. The page uses the last value and says so."""
    at = app_test(f"app_pages/{page}", {key: values}).run(timeout=120)
    assert not at.exception
    said = " ".join(shown(w.value) for w in at.warning)
    assert f"URL parameter '{key}' is given 2 times; using the last, '{values[-1]}'." in said
    single = app_test(f"app_pages/{page}", {key: values[-1]}).run(timeout=120)
    assert "is given" not in " ".join(w.value for w in single.warning)

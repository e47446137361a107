"""Junk in every URL parameter of every page: never a traceback, always a warning for bad input.

Pages are the scripts app.py routes to that exist at collection time (a page that has not landed
yet is simply not tested); each runs the way a visitor gets it: app.py first (page config,
navigation), then the page, with the junk in the URL. A page's own parameters are discovered by
running it once without any: every page writes its full state back into the URL (shareable links),
so ``at.query_params`` then holds the keys it reads. Optional keys that only appear when used are
added from the registries: every hyperparameter ``<optimizer>.<hparam>`` of a racing optimizer,
and ``formula``/``noise``/``batch`` wherever a ``surface`` is read. Each page then gets

- runs that give four of its parameters at a time a value that is certainly bad for any parameter
  (NaN, infinity, a hostile formula, a 10 kB string, an unknown name ...): no exception, and a
  warning or error on the page that names each of those parameters;
- a bounded, derandomized Hypothesis search over mixes of own and unknown parameters with wrong
  types, huge and negative numbers, NaN, unicode, empty and very long strings: no exception ever,
  and a warning whenever one of the certainly-bad values was given to an own parameter.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from bench.bench_load import page_scripts
from optimizers import OPTIMIZERS
from tests.app.conftest import ROOT, shown

PAGES = sorted(page_scripts())
# Examples per page (AppTest runs take ~0.3-2 s each); DOWNHILL_FUZZ_EXAMPLES=200: a deep run.
EXAMPLES = int(os.environ.get("DOWNHILL_FUZZ_EXAMPLES", "12"))
CHUNK = 4  # parameters made bad together in one run
WITH_SURFACE = ("formula", "noise", "batch")

LONG = "x" * 10_000
# Bad for every parameter, whatever its type: a number, a name, a list, a point, a formula, a flag.
CERTAINLY_BAD = (
    "NaN",
    "inf",
    "-1e999",
    "__import__('os').system('id')",
    "9**9**9**9",
    "no_such_thing_42",
    "<script>alert(1)</script>",
    LONG,
)
JUNK = (
    *CERTAINLY_BAD,
    "nan", "-inf", "1e308", "-1e308", "0", "-1", "-5", "2.5", "99999999999999999999999999",
    "", " ", ",", "1,2,3", "1,,2", "nan,nan", "inf,0", "true", "false", "[]", "{}", "None",
    "%00", "\x00", "../../etc/passwd", "${jndi:ldap://x}", "💥", "ü中文", "١٢٣", "x" * 499,
    "x" * 501, "exp(exp(exp(exp(x))))", "1/0", "x/0", "log(-1-x**2)",
)


@pytest.fixture(autouse=True, scope="module")
def _full_error_details() -> Iterator[None]:
    """Production hides exception details; here we want them in a failure message."""
    old = st_config.get_option("client.showErrorDetails")
    st_config.set_option("client.showErrorDetails", "full")
    try:
        yield
    finally:
        st_config.set_option("client.showErrorDetails", old)


def app_test(page: str, query: dict[str, str] | None = None) -> AppTest:
    """The app opened on ``page`` with ``query`` in the URL."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(page)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


@cache
def own_keys(page: str) -> tuple[str, ...]:
    """The URL parameters a page reads: what it writes back after a run without any, plus the
    optional ones implied by those (all hyperparameters of a racing optimizer, formula/noise/batch
    next to a surface)."""
    at = app_test(page).run()
    assert not at.exception, _describe(at)
    keys = set(at.query_params)
    for key in list(keys):
        name, dot, _ = key.partition(".")
        if dot and name in OPTIMIZERS:
            keys |= {f"{name}.{h.name}" for h in OPTIMIZERS[name].hparams}
    if "surface" in keys:
        keys |= set(WITH_SURFACE)
    return tuple(sorted(keys))


def _describe(at) -> str:
    return "\n".join(f"{e.value}\n{getattr(e, 'stack_trace', '')}" for e in at.exception)


def _run(page: str, query: dict[str, str]):
    at = app_test(page, query).run()
    assert not at.exception, f"{page} {_shorten(query)}:\n{_describe(at)}"
    return at


def _shorten(query: dict[str, str]) -> dict[str, str]:
    return {k: v if len(v) <= 40 else f"{v[:20]}...({len(v)} chars)" for k, v in query.items()}


def _warned(at) -> bool:
    return bool(at.warning) or bool(at.error)


def _bad_cases() -> list[tuple[str, str]]:
    return [(page, bad) for page in PAGES for bad in CERTAINLY_BAD]


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_clean_without_parameters(page: str) -> None:
    own_keys(page)


def _messages(at) -> str:
    return " ".join(shown(str(m.value)) for m in [*at.warning, *at.error]).lower()


@pytest.mark.parametrize("page", PAGES)
def test_every_own_parameter_warns_by_name_on_a_certainly_bad_value(page: str) -> None:
    keys = own_keys(page)
    silent = []
    for first in range(0, len(keys), CHUNK):
        chunk = keys[first:first + CHUNK]
        query = {key: CERTAINLY_BAD[(first + i) % len(CERTAINLY_BAD)]
                 for i, key in enumerate(chunk)}
        said = _messages(_run(page, query))
        silent += [f"{k}={v[:30]!r}" for k, v in query.items() if k.lower() not in said]
    assert not silent, f"{page}: no warning naming {silent}"


# Small numbers a parser may accept but a widget may not: a URL with steps=5 once broke the race,
# the lab and basins (parsed from 1, their sliders start at 10).
SMALL = ("1", "5", "9", "0.5")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("value", SMALL)
def test_small_numbers_in_every_own_parameter_never_raise(page: str, value: str) -> None:
    _run(page, dict.fromkeys(own_keys(page), value))


@pytest.mark.parametrize("page", PAGES)
def test_unknown_parameters_and_hostile_names_never_raise(page: str) -> None:
    _run(page, {"zzz_unknown": "1", "": "x", "a" * 300: "b", "__class__": "NaN"})


def _queries(page: str) -> st.SearchStrategy[dict[str, str]]:
    keys = st.sampled_from([*own_keys(page), "zzz_unknown", "x.lr"])
    values = st.one_of(
        st.sampled_from(JUNK),
        st.text(max_size=40),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.lists(st.sampled_from(JUNK[:12]), max_size=4).map(",".join),
    )
    return st.dictionaries(keys, values, min_size=1, max_size=4)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_random_junk_in_the_url_never_raises(page: str) -> None:
    keys = set(own_keys(page))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(query=_queries(page))
    def check(query: dict[str, str]) -> None:
        at = _run(page, query)
        if any(k in keys and v in CERTAINLY_BAD for k, v in query.items()):
            assert _warned(at), f"{page} {_shorten(query)}: bad value without a warning"

    check()


def test_inputs_cover_what_the_issue_lists() -> None:
    """The fixed inputs include each kind of junk named in the issue (guards against trimming)."""
    text = " ".join(JUNK)
    for needle in ("NaN", "inf", "1e308", "-5", "no_such_thing", "__import__", "9**9**9", "ü", ""):
        assert needle in text
    assert LONG in JUNK and "" in JUNK and "true" in JUNK
    assert PAGES, "no page scripts found"
    assert all(Path(ROOT / p).exists() for p in PAGES)

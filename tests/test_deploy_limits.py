"""Resource limits: one table, clamps that say what they did, and every Streamlit cache bounded."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app_pages.common.limits import (
    LIMITS,
    cache_bounds,
    clamp_count,
    clamp_formula_steps,
    clamp_steps,
    limit,
)

ROOT = Path(__file__).resolve().parents[1]
CACHES = {"cache_data", "cache_resource"}


def test_every_limit_is_a_positive_int_with_a_reason() -> None:
    for name, lim in LIMITS.items():
        assert lim.name == name
        assert isinstance(lim.value, int) and not isinstance(lim.value, bool) and lim.value > 0
        assert len(lim.what) > 10, name


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_clamp_count_keeps_values_inside_and_names_the_limit(name: str) -> None:
    cap = limit(name)
    assert clamp_count(name, cap) == (cap, None)
    assert clamp_count(name, 1) == (1, None)
    value, message = clamp_count(name, cap + 1)
    assert value == cap and message is not None and f"{cap}" in message
    value, message = clamp_count(name, -5)
    assert value == 1 and message is not None


def test_unknown_limit_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        limit("no_such_limit")


def test_clamp_steps_keeps_one_map_within_the_work_budget() -> None:
    budget = limit("basin_work")
    starts = 200 * 200
    steps, message = clamp_steps(limit("steps"), starts)
    assert steps * starts <= budget and message is not None and f"{budget:,}" in message
    assert clamp_steps(10, 4) == (10, None)
    steps, message = clamp_steps(10**9, 1)
    assert steps == limit("steps") and message is not None
    assert clamp_steps(0, 10**9)[0] == 1  # never below one step, even for absurd batches


def test_clamp_steps_keeps_a_page_of_maps_within_the_page_budget() -> None:
    """A map per optimizer: 8 maps of 200 x 200 x 500 on Levy with noise took 42 s."""
    page = limit("basins_page_work")
    starts = 200 * 200
    steps, message = clamp_steps(500, starts, 8)
    assert steps * starts * 8 <= page < (steps + 1) * starts * 8
    assert message is not None and "8 maps" in message and f"{page:,}" in message
    assert clamp_steps(300, 60 * 60, 3) == (300, None)  # the default page: 3 maps of 60 x 60
    # one map keeps the per-map budget (and its message)
    assert clamp_steps(2000, starts, 1) == clamp_steps(2000, starts)
    assert "one map" in clamp_steps(2000, starts, 1)[1]


def test_the_issue_s_basin_maps_fit_the_work_budget() -> None:
    """The largest grid runs the benchmark's 500 steps unclamped (its memory does not grow with
    steps: tests/app/test_basins_compute.py)."""
    assert clamp_steps(500, limit("basin_grid") ** 2) == (500, None)
    assert clamp_steps(2000, 100 * 100) == (2000, None)


def test_clamp_formula_steps_keeps_one_race_within_the_work_budget() -> None:
    """A typed formula's race costs (operations per gradient step) x steps x racers; the message
    says why the steps were cut (the page adds what to do about it)."""
    budget, most, racers = limit("formula_work"), limit("steps"), limit("optimizers")
    steps, message = clamp_formula_steps(most, racers, 3538)  # (x-1)*(x-2)*...*(x-59)
    assert steps * racers * 3538 <= budget < (steps + 1) * racers * 3538
    assert message is not None and "3,538 operations" in message and f"{budget:,}" in message
    assert clamp_formula_steps(most, 1, 3538)[0] > steps  # fewer racers, more steps
    assert clamp_formula_steps(most, racers, 71) == (most, None)  # Goldstein-Price typed in
    assert clamp_formula_steps(most, racers, 0) == (most, None)  # a constant formula
    assert clamp_formula_steps(10, 10**6, 10**6)[0] == 1  # never below one step
    steps, message = clamp_formula_steps(10**9, 1, 1)
    assert steps == most and message is not None and f"{most}" in message


def test_cache_bounds_are_the_limits() -> None:
    assert cache_bounds() == {"max_entries": limit("cache_entries"),
                              "ttl": limit("cache_ttl_seconds")}


def _unbounded_caches(path: Path) -> list[str]:
    """``st.cache_data`` / ``st.cache_resource`` uses without both max_entries and ttl."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for dec in node.decorator_list:
            call = dec if isinstance(dec, ast.Call) else None
            target = call.func if call else dec
            if not (isinstance(target, ast.Attribute) and target.attr in CACHES):
                continue
            keywords = {k.arg for k in call.keywords} if call else set()
            spread = call is not None and any(k.arg is None for k in call.keywords)
            if not spread and not {"max_entries", "ttl"} <= keywords:
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                found.append(f"{where}:{node.lineno} {node.name}")
    return found


def test_cache_checker_flags_an_unbounded_cache(tmp_path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import streamlit as st\n@st.cache_data\ndef f(): ...\n"
                      "@st.cache_data(max_entries=3)\ndef g(): ...\n"
                      "@st.cache_data(**bounds)\ndef h(): ...\n", encoding="utf-8")
    assert [s.split()[-1] for s in _unbounded_caches(sample)] == ["f", "g"]


def test_every_streamlit_cache_is_bounded() -> None:
    from bench.bench_load import page_scripts

    folders = {Path(script).parts[0] for script in page_scripts()}
    assert folders, "app.py routes to no existing page script"
    files = [*sorted(f for d in folders for f in (ROOT / d).rglob("*.py")), ROOT / "app.py"]
    assert len(files) > len(page_scripts())  # the scripts and their helper modules
    unbounded = [hit for f in files for hit in _unbounded_caches(f)]
    assert not unbounded, f"caches without max_entries and ttl (use **cache_bounds()): {unbounded}"


def test_heavy_slot_lets_only_the_limit_run_at_once() -> None:
    import threading
    import time

    from app_pages.common.limits import heavy_slot

    inside, peak, lock, release = 0, 0, threading.Lock(), threading.Event()

    def work() -> None:
        nonlocal inside, peak
        with heavy_slot():
            with lock:
                inside += 1
                peak = max(peak, inside)
            release.wait(timeout=10)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for th in threads:
        th.start()
    deadline = time.monotonic() + 10
    while inside < limit("concurrent_heavy_runs") and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # give a third thread the chance to (wrongly) get in
    held = peak
    release.set()
    for th in threads:
        th.join(timeout=10)
    assert held == limit("concurrent_heavy_runs")
    assert peak == held and inside == 0


def test_cache_bounds_can_also_bound_bytes() -> None:
    assert cache_bounds(2**20) == {**cache_bounds(), "max_size": 2**20}


def test_heavy_slot_returns_freed_memory_on_leaving(monkeypatch: pytest.MonkeyPatch) -> None:
    from app_pages.common import limits

    calls: list[int] = []
    monkeypatch.setattr(limits, "_TRIM", calls.append)
    with limits.heavy_slot():
        assert calls == []
    assert calls == [0]
    with pytest.raises(RuntimeError), limits.heavy_slot():
        raise RuntimeError("a failed computation frees its memory too")
    assert calls == [0, 0]


def test_releasing_memory_is_a_no_op_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    from app_pages.common import limits

    def missing(_name: str) -> None:
        raise OSError("libc.so.6: cannot open shared object file")

    monkeypatch.setattr(limits.ctypes, "CDLL", missing)
    assert limits._malloc_trim() is None
    monkeypatch.setattr(limits, "_TRIM", None)
    limits.release_memory()  # nothing to call, nothing raised
    with limits.heavy_slot():
        pass

"""The shared memo: one build per key, bounded, expiring, nothing left behind on errors."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass

import numpy as np
import pytest

from app_pages.common import memo as memo_module
from app_pages.common.limits import cache_bounds
from app_pages.common.memo import Memo, memo, nbytes


@dataclass(frozen=True)
class Pair:
    array: np.ndarray
    text: str


def counted():
    calls: list[tuple] = []

    @memo()
    def build(*args, **kwargs):
        calls.append((args, kwargs))
        if args and args[0] == "bad":
            raise ValueError("refused")
        return {"args": args, "kwargs": kwargs}

    return build, calls


def test_equal_arguments_share_one_value_built_once() -> None:
    build, calls = counted()
    a = build("booth", (1.0, 2.0), steps=500)
    assert build("booth", (1.0, 2.0), steps=500) is a  # shared, not copied
    assert build("booth", (1.0, 2.5), steps=500) is not a
    assert len(calls) == 2


def test_bounded_by_the_cache_limit_least_recent_first() -> None:
    build, calls = counted()
    n = cache_bounds()["max_entries"]
    first = build(0)
    for i in range(1, n + 5):
        build(0)  # kept fresh: used after every other key
        build(i)
    assert len(build.memo) == n
    assert build(0) is first
    build(1)  # the oldest of the others was dropped, so it is built again
    assert calls.count(((1,), {})) == 2


def test_values_expire_after_the_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    store = Memo(max_entries=4, ttl=10.0)
    now = [100.0]
    monkeypatch.setattr(memo_module.time, "monotonic", lambda: now[0])
    store.put("k", 1)
    assert store.get("k") == (True, 1)
    now[0] += 10.0
    assert store.get("k") == (False, None)


def test_errors_are_not_kept_and_leave_no_lock_behind() -> None:
    build, calls = counted()
    for _ in range(3):
        with pytest.raises(ValueError, match="refused"):
            build("bad")
    assert len(calls) == 3 and len(build.memo) == 0
    assert not build.memo._building  # a stream of refused formulas does not pile up locks


def test_concurrent_callers_wait_for_one_build() -> None:
    calls = []

    @memo()
    def slow(key: str) -> object:
        calls.append(key)
        time.sleep(0.05)
        return object()

    out: list[object] = []
    threads = [threading.Thread(target=lambda: out.append(slow("same"))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["same"] and len({id(v) for v in out}) == 1


def test_bounded_by_bytes_least_recent_first_and_the_newest_always_kept() -> None:
    store = Memo(max_entries=10, ttl=100.0, max_bytes=100, sizeof=len)
    store.put("a", "a" * 40)
    store.put("b", "b" * 40)
    store.get("a")  # used: b is now the least recent
    store.put("c", "c" * 40)
    assert store.get("b") == (False, None) and store.get("a")[0] and store.get("c")[0]
    assert store.nbytes == 80
    store.put("c", "c" * 10)  # a new value for a key replaces the old one's bytes
    assert store.nbytes == 50
    store.put("big", "x" * 500)  # alone over the bound: kept, everything else dropped
    assert len(store) == 1 and store.nbytes == 500
    store.clear()
    assert store.nbytes == 0


def test_expired_values_are_dropped_with_their_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    store = Memo(max_entries=10, ttl=10.0, max_bytes=1000, sizeof=len)
    now = [100.0]
    monkeypatch.setattr(memo_module.time, "monotonic", lambda: now[0])
    store.put("old", "o" * 300)
    now[0] += 10.0
    store.put("new", "n" * 30)
    assert len(store) == 1 and store.nbytes == 30


def test_a_byte_bounded_memo_keeps_its_values_within_the_bound() -> None:
    @memo(max_bytes=3 * 8_000)
    def block(i: int) -> np.ndarray:
        return np.full(1000, float(i))  # 8,000 bytes of data

    for i in range(10):
        block(i)
    assert block.memo.max_bytes == 3 * 8_000 and block.memo.nbytes <= 3 * 8_000
    assert len(block.memo) == 3  # the three most recent
    assert block(9)[0] == 9.0 and block.memo.get((0,))[0] is False


def test_nbytes_counts_what_a_value_keeps_alive() -> None:
    big = np.zeros(100_000)
    assert nbytes(big) >= big.nbytes
    assert nbytes(big[:1]) >= big.nbytes  # a view keeps the whole array alive
    assert nbytes((big, big, big[:5])) < 2 * big.nbytes  # shared parts count once
    assert nbytes({"a": big, "b": [big.copy()]}) >= 2 * big.nbytes
    assert nbytes(Pair(big, "x" * 1000)) >= big.nbytes + 1000  # dataclass fields


def test_nbytes_of_a_figure_counts_its_json() -> None:
    import plotly.graph_objects as go

    from viz.spec import frozen

    fig = frozen(go.Figure(go.Scatter(x=list(range(20_000)), y=list(range(20_000)))))
    text = fig.to_dict().json
    assert len(text) > 100_000 and nbytes(fig) >= len(text)


def test_text_counts_the_utf8_copy_python_keeps_once_it_is_sent() -> None:
    """A figure's JSON with "−" or "η" is stored 2 bytes a character, and sending it adds a
    UTF-8 copy inside the string: the byte bound counts both (it undercounted by ~25%)."""
    ascii_text, text = "x" * 1000, "−" * 1000
    assert nbytes(ascii_text) == sys.getsizeof(ascii_text)
    before = nbytes(text)
    assert before == sys.getsizeof(text) + 3001  # "−" is 3 bytes in UTF-8, and a NUL
    import ctypes  # what sending does: PyUnicode_AsUTF8 keeps the UTF-8 copy in the string

    ctypes.pythonapi.PyUnicode_AsUTF8.restype = ctypes.c_char_p
    ctypes.pythonapi.PyUnicode_AsUTF8(ctypes.py_object(text))
    assert sys.getsizeof(text) == before  # it is there now, as counted
    assert nbytes(text) == before

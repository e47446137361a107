"""The shared memo: one build per key, bounded, expiring, nothing left behind on errors."""

from __future__ import annotations

import threading
import time

import pytest

from app_pages.common import memo as memo_module
from app_pages.common.limits import cache_bounds
from app_pages.common.memo import Memo, memo


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

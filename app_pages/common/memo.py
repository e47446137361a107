"""A bounded memo shared by all sessions, for results the pages look up on every rerun.

``st.cache_resource`` keys a call by hashing its arguments with Streamlit's content hasher: an
``inspect.signature`` per positional argument plus a recursive walk of every tuple. That cost
0.1-0.7 ms per call, and the race page makes about six such calls per rerun (landscape, preset,
figures), a sixth of a cached rerun. The pages' cached functions take plain hashable arguments
(names, numbers, tuples, frozen dataclasses), so a dict lookup keyed on the arguments themselves
does the same job in about a microsecond.

Like ``st.cache_resource``, a value is built once and shared read-only (never copied), only one
session builds a given key at a time, and the memo is bounded by ``limits.cache_bounds()``
(``cache_entries`` most recently used values, each kept at most ``cache_ttl_seconds``).
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import nullcontext
from typing import Any, ParamSpec, TypeVar

import streamlit as st

from app_pages.common.limits import cache_bounds

P = ParamSpec("P")
R = TypeVar("R")


class Memo:
    """The store behind one memoized function: key -> (time stored, value), least recent first."""

    def __init__(self, max_entries: int, ttl: float) -> None:
        self.max_entries, self.ttl = max_entries, ttl
        self._values: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable) -> tuple[bool, Any]:
        """(True, value) if ``key`` holds a value younger than the ttl, else (False, None)."""
        with self._lock:
            hit = self._values.get(key)
            if hit is None or time.monotonic() - hit[0] >= self.ttl:
                return False, None
            self._values.move_to_end(key)
            return True, hit[1]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._values[key] = (time.monotonic(), value)
            self._values.move_to_end(key)
            while len(self._values) > self.max_entries:
                self._values.popitem(last=False)

    def builder(self, key: Hashable) -> threading.Lock:
        """The lock a session holds while it builds ``key`` (others wait, then read its value)."""
        with self._lock:
            return self._building.setdefault(key, threading.Lock())

    def built(self, key: Hashable) -> None:
        with self._lock:
            self._building.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)


def bounded_memo() -> Memo:
    """An empty store bounded like every cache here (``limits.cache_bounds()``)."""
    bounds = cache_bounds()
    return Memo(bounds["max_entries"], float(bounds["ttl"]))


def memo(*, spinner: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: memoize a pure function of hashable arguments (see the module docstring).
    ``spinner``: text shown while a value is being built (only on a miss)."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        store = bounded_memo()

        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            found, value = store.get(key)
            if found:
                return value
            try:
                with store.builder(key):
                    found, value = store.get(key)  # another session may just have built it
                    if not found:
                        with st.spinner(spinner) if spinner else nullcontext():
                            value = fn(*args, **kwargs)
                        store.put(key, value)
            finally:
                store.built(key)  # also when fn raised (a refused formula): no lock left behind
            return value

        call.memo = store  # type: ignore[attr-defined]  # for tests: len(), clear()
        return call

    return wrap

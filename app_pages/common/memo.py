"""A bounded memo shared by all sessions, for results the pages look up on every rerun.

``st.cache_resource`` keys a call by hashing its arguments with Streamlit's content hasher: an
``inspect.signature`` per positional argument plus a recursive walk of every tuple. That cost
0.1-0.7 ms per call, and the race page makes about six such calls per rerun (landscape, preset,
figures), a sixth of a cached rerun. The pages' cached functions take plain hashable arguments
(names, numbers, tuples, frozen dataclasses), so a dict lookup keyed on the arguments themselves
does the same job in about a microsecond.

Like ``st.cache_resource``, a value is built once and shared read-only (never copied), only one
session builds a given key at a time, and the memo is bounded by ``limits.cache_bounds()``
(``cache_entries`` most recently used values, each kept at most ``cache_ttl_seconds``). A memo of
big values also takes ``max_bytes``: least recently used values are dropped until the values'
``nbytes`` fit (the newest value is always kept, as ``st.cache_data(max_size=...)`` does).
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import nullcontext
from typing import Any, ParamSpec, TypeVar

import numpy as np
import streamlit as st

from app_pages.common.limits import cache_bounds

P = ParamSpec("P")
R = TypeVar("R")


def nbytes(value: Any, seen: set[int] | None = None) -> int:
    """Approximate memory ``value`` keeps alive: array buffers (a view counts the array it
    views), text, and the containers, dataclasses and figures (their JSON-ready dict) made of
    them; anything else its own size. Shared parts count once."""
    seen = set() if seen is None else seen
    while isinstance(value, np.ndarray) and isinstance(value.base, np.ndarray):
        value = value.base
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return value.nbytes
    size = sys.getsizeof(value)
    if isinstance(value, str) and not value.isascii():
        # Python keeps such text 2-4 bytes a character, and once it is sent also its UTF-8
        # copy (a figure's JSON with "−" or "η": 66 kB stored grew to 98 kB after one render):
        # count both, whether or not the copy exists yet (a fresh string has none).
        utf8 = value.encode("utf-8", "surrogatepass")
        size = sys.getsizeof(utf8.decode("utf-8", "surrogatepass")) + len(utf8) + 1  # its NUL
    if isinstance(value, dict):
        size += sum(nbytes(k, seen) + nbytes(v, seen) for k, v in value.items())
        return size + nbytes(getattr(value, "__dict__", None), seen)  # a dict subclass's fields
    if isinstance(value, list | tuple | set | frozenset):
        return size + sum(nbytes(v, seen) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return size + sum(nbytes(getattr(value, f.name), seen)
                          for f in dataclasses.fields(value))
    if hasattr(value, "to_plotly_json"):  # a figure: what it will send
        return size + nbytes(value.to_plotly_json(), seen)
    return size


class Memo:
    """The store behind one memoized function: key -> (time stored, value, bytes), least recent
    first; at most ``max_entries`` values and, when given, ``max_bytes`` of them (``sizeof``)."""

    def __init__(self, max_entries: int, ttl: float, max_bytes: int | None = None,
                 sizeof: Callable[[Any], int] = nbytes) -> None:
        self.max_entries, self.ttl = max_entries, ttl
        self.max_bytes, self.sizeof = max_bytes, sizeof
        self._values: OrderedDict[Hashable, tuple[float, Any, int]] = OrderedDict()
        self._bytes = 0
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
        """Store ``value``; drop expired values, then the least recent until within bounds."""
        size = 0 if self.max_bytes is None else self.sizeof(value)
        now = time.monotonic()
        with self._lock:
            self._drop(key)
            for old in [k for k, (t, _, _) in self._values.items() if now - t >= self.ttl]:
                self._drop(old)
            self._values[key] = (now, value, size)
            self._bytes += size
            while len(self._values) > self.max_entries or (
                    self.max_bytes is not None and self._bytes > self.max_bytes
                    and len(self._values) > 1):
                self._drop(next(iter(self._values)))

    def _drop(self, key: Hashable) -> None:
        """Forget ``key`` (the lock is held)."""
        hit = self._values.pop(key, None)
        if hit is not None:
            self._bytes -= hit[2]

    @property
    def nbytes(self) -> int:
        """Bytes of the values kept (0 unless the memo is bounded by ``max_bytes``)."""
        return self._bytes

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
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._values)


def bounded_memo(max_bytes: int | None = None, max_entries: int | None = None) -> Memo:
    """An empty store bounded like every cache here (``limits.cache_bounds(max_bytes)``);
    ``max_entries`` replaces their count bound for a store bounded by its bytes instead."""
    bounds = cache_bounds(max_bytes)
    return Memo(bounds["max_entries"] if max_entries is None else max_entries,
                float(bounds["ttl"]), bounds.get("max_size"))


def memo(*, spinner: str | None = None,
         max_bytes: int | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: memoize a pure function of hashable arguments (see the module docstring).
    ``spinner``: text shown while a value is being built (only on a miss); ``max_bytes``: also
    bound the values kept by their ``nbytes``."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        store = bounded_memo(max_bytes)

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

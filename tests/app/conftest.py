"""Helpers for AppTest: run a page script (or the app) by path relative to the repo root."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def app_test(script: str = "app.py", query: dict[str, str] | None = None,
             timeout: float = 60) -> AppTest:
    """An AppTest for ``script`` (e.g. ``"app_pages/race.py"``) with optional URL query params."""
    at = AppTest.from_file(str(ROOT / script), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at

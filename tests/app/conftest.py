"""Helpers for AppTest: run a page script (or the app) by path relative to the repo root."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
from streamlit.testing.v1 import AppTest

from app_pages.common.lab_state import RACE_PATH, page_href

ROOT = Path(__file__).resolve().parents[2]


def app_test(script: str = "app.py", query: dict[str, str] | None = None,
             timeout: float = 60) -> AppTest:
    """An AppTest for ``script`` (e.g. ``"app_pages/race.py"``) with optional URL query params."""
    at = AppTest.from_file(str(ROOT / script), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def shown(markdown: str) -> str:
    """What a warning's markdown reads as once its backslash escapes are undone (``page_intro``
    escapes the link's own words: ``controls.plain``; a colon goes as ``&#58;``)."""
    return re.sub(r"\\(.)|&#58;", lambda m: m.group(1) or ":", markdown)


def button(at: AppTest, label: str):
    """The page's button labelled ``label`` (buttons carry no key: see app_pages/common/
    resync.py)."""
    return next(b for b in at.button if b.label == label)


def decode(v) -> np.ndarray:
    """A figure array from Plotly JSON: a plain list or plotly 7's typed base64 ``bdata``."""
    if isinstance(v, dict) and "bdata" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return arr.reshape([int(s) for s in str(v["shape"]).split(",")]) if "shape" in v else arr
    return np.asarray(v)


def charts(at: AppTest) -> list[dict]:
    """The page's Plotly figures as JSON dicts, in order."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def race_link_query(at: AppTest) -> dict[str, str]:
    """The query of the page's one link button, which must open the race (at its own URL, "./"
    while it is the default page)."""
    links = at.get("link_button")
    assert len(links) == 1
    url = urlsplit(links[0].proto.url)
    assert url.path == page_href(RACE_PATH) == "./"  # not the /race alias: a second load
    return {k: v[0] for k, v in parse_qs(url.query).items()}

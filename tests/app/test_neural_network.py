"""The neural-network page in AppTest: default render, changed controls, URL parameters."""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import app_test

PAGE = "pages/neural_network.py"
SMALL = {"samples": "200", "epochs": "8", "layers": "8"}


def charts(at) -> dict[str, dict]:
    return {c.proto.id.rsplit("-", 1)[-1] if False else i: json.loads(c.proto.spec)
            for i, c in enumerate(at.get("plotly_chart"))}


def test_default_page_renders() -> None:
    at = app_test(PAGE).run()
    assert not at.exception, at.exception
    assert not at.warning
    assert len(at.get("plotly_chart")) >= 4

"""The load test's short mode (3 browser sessions x 15 s on one server): no errors, every session
gets a chart on every load-tested page. Times are printed by the bench, never asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.bench_load import app_pages, app_routes, levels_off, load_pages, page_scripts, rss_bytes
from tests.e2e.conftest import CHROMIUM, ROOT, _require_or_skip


def test_app_pages_reads_routes_without_importing_app(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(
        'import streamlit as st\nst.navigation([st.Page("app_pages/race.py", title="Race", '
        'url_path="go"), st.Page("app_pages/basins.py"), st.Page("app_pages/home.py", '
        'url_path="home", default=True)]).run()\n', encoding="utf-8")
    assert app_pages(app) == {"race": "go", "basins": "basins", "home": ""}
    assert app_routes(app) == {"app_pages/race.py": "go", "app_pages/basins.py": "basins",
                               "app_pages/home.py": ""}
    assert page_scripts(app) == []  # neither script exists next to this app.py
    (tmp_path / "app_pages").mkdir()
    (tmp_path / "app_pages" / "basins.py").write_text("", encoding="utf-8")
    assert page_scripts(app) == ["app_pages/basins.py"]
    assert set(load_pages()) <= {"race", "basins", "neural_network"}
    assert "race" in load_pages(), "the landing page is always load-tested"


def test_levels_off_tells_a_plateau_from_a_climb() -> None:
    mb = 2**20
    plateau = [100 * mb] * 10 + [300 * mb] * 20 + [305 * mb] * 30
    climb = [100 * mb + i * 10 * mb for i in range(60)]
    assert levels_off(plateau)
    assert not levels_off(climb)


def test_rss_of_this_process_is_positive_and_of_a_dead_pid_zero() -> None:
    assert rss_bytes(os.getpid()) > 10 * 2**20
    assert rss_bytes(2**22 + 12345) == 0


@pytest.mark.e2e
@pytest.mark.slow
def test_short_load_run_has_no_errors_and_a_chart_for_every_session(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        _require_or_skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    pages = load_pages()
    assert pages, "no load-tested page (race, basins, neural_network) is routed"
    out = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_load.py"), "--short", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert out.exists(), done.stdout + done.stderr
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert summary["errors"] == 0, summary["error_details"]
    assert summary["sessions_with_chart"] == summary["sessions"] == 3
    assert all(p["served"] >= 1 for p in summary["per_page"].values()), summary["per_page"]
    assert summary["peak_rss_mb"] > 0
    assert done.returncode == 0, done.stdout + done.stderr

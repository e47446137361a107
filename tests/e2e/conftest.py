"""Fixtures for browser tests: a real ``streamlit run`` server and Debian's headless Chromium.

Without Chromium the browser tests skip with a reason; CI sets DOWNHILL_REQUIRE_BROWSER=1, which
turns that skip into a failure so the browser checks are mandatory there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]


def browser_required() -> bool:
    """Browser tests are mandatory under ``.ci/run`` (DOWNHILL_REQUIRE_BROWSER=1) and in any CI
    that sets ``CI`` (GitHub Actions, GitLab): there a missing Chromium fails, it never skips."""
    return (os.environ.get("DOWNHILL_REQUIRE_BROWSER") == "1"
            or os.environ.get("CI", "").lower() in ("true", "1"))


def _require_or_skip(reason: str) -> None:
    if browser_required():
        pytest.fail(f"browser tests are mandatory here (CI or DOWNHILL_REQUIRE_BROWSER=1): "
                    f"{reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(extra_args: list[str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run app.py`` on a free loopback port; wait for its health endpoint."""
    port = _free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        *(extra_args or []),
    ]
    # Its output goes to a file: a pipe nobody reads fills up (64 kB) over a long session and
    # then stops the server at its next log line.
    log = Path(tempfile.gettempdir()) / f"downhill-streamlit-{port}.log"
    with log.open("wb") as out:  # the server keeps its own copy of the file
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate a server from ``start_server``; kill it if it does not stop within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    proc, url = start_server()
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _require_or_skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require_or_skip("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


#: An iPhone's user agent: the app fits its figures to a phone's width when it says "Mobi".
PHONE_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
               "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")


def phone_context(browser, width: int = 390, height: int = 844):
    """A browser context that looks like a phone to the app (its user agent) and to Plotly
    (touch); the caller closes it."""
    return browser.new_context(viewport={"width": width, "height": height}, is_mobile=True,
                               has_touch=True, user_agent=PHONE_AGENT)


#: The scroll position of the element that scrolls ``g``'s page (Streamlit's main block, or
#: the document): evaluate on a locator inside the page.
SCROLL_TOP_JS = """g => { let e = g;
    while (e && !(e.scrollHeight > e.clientHeight + 1
                  && getComputedStyle(e).overflowY !== 'visible')) e = e.parentElement;
    return (e || document.scrollingElement).scrollTop; }"""


def swipe_up(pg, x: float, y: float, moves: int = 10, px: float = 15) -> None:
    """A finger's swipe up from (x, y) (viewport px) on a touch context's page: ``moves``
    moves of ``px`` each, then a short wait for the page to settle."""
    cdp = pg.context.new_cdp_session(pg)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, moves + 1):
        cdp.send("Input.dispatchTouchEvent",
                 {"type": "touchMove", "touchPoints": [{"x": x, "y": y - px * k}]})
        pg.wait_for_timeout(20)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    pg.wait_for_timeout(800)
    cdp.detach()


def new_page(browser, base_url: str, viewport: tuple[int, int] = (1400, 900)):
    """A new context and page (``viewport``: width, height) recording console errors in
    ``page.console_errors``; the caller closes the context."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors
    pg.base_url = base_url
    return context, pg


@pytest.fixture
def page(browser, server_url):
    """A fresh page (1400 x 900) that records console errors in ``page.console_errors``."""
    context, pg = new_page(browser, server_url)
    try:
        yield pg
    finally:
        context.close()


def wait_for_app(pg, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script: the app's script state reads
    ``notRunning``. (The "Running..." status widget never shows with the app's
    ``toolbarMode = "minimal"``, so waiting for it to go away returned at once.)"""
    pg.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    pg.wait_for_function(
        "() => document.querySelector(\"[data-testid='stApp']\")"
        ".getAttribute('data-test-script-state') === 'notRunning'", timeout=timeout
    )

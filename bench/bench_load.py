"""Load test: N concurrent browser sessions against ONE real Streamlit server, loopback only.

Each session is a Chromium context (Debian's Chromium, driven by Playwright) that visits the race,
basins and neural-network pages (those the app has) round-robin until the duration is up: open the
page, wait for the first Plotly chart to be visible (the "time to chart"), wait for the script to
finish, and count Streamlit exception boxes and page errors as errors. Every wait has a timeout and
every loop a deadline, so the run stops by itself.

Every other visit opens the page's default link (what most visitors see: a cache hit after the
first); the rest carry one of ``--settings`` other settings per page (``VARIANTS``, 6 by default),
so the server computes afresh at first and then serves from its caches. Memory should then stay
flat: every visit is a new Streamlit session, and what a session leaves behind must be freed.
(That caches stay bounded however many *different* settings arrive is checked, faster than a
browser could, by tests/app/test_fuzz_cache_bounds.py.)

The browsers run at a lower CPU priority (``nice``, ``--nice 10``) than the server: visitors'
browsers run on their own machines, and on a small load-test box ten Chromiums would otherwise
starve the very server being measured. ``--nice 0`` runs them at equal priority.

Meanwhile the server's resident memory (VmRSS of the server and its children, from /proc) is
sampled; memory "levels off" when the peak of the last third of the run is within 10 % (or 30 MB)
of the peak of the middle third. A disconnected session is kept for ``disconnectedSessionTTL``
(120 s) in case its browser reconnects, so memory can only level off in a run several times longer:
hence 360 s by default (a 60 or 180 s run still climbs, on this commit and before it).

    python bench/bench_load.py                   # full: 10 sessions x 360 s
    python bench/bench_load.py --short           # CI:    3 sessions x 15 s
    python bench/bench_load.py --sessions 5 --duration 30 --json out.json
    python bench/bench_load.py --crafted --pages neural_network --sessions 1 --duration 300

``--crafted`` makes every neural-network visit open the heaviest link a visitor can craft (the
biggest network on the most points, every optimizer) with a new seed, so each visit trains anew;
memory must still level off (it grew by ~170 MB a visit before the network caches were bounded by
bytes).

Prints a summary (pages served, errors, p50/p95 time to chart, peak RSS, level-off) and exits 1
when there was any error or a session never got a chart.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_server  # noqa: E402

LOAD_PAGES = ("race", "basins", "neural_network")  # page script stems, in visit order
CHART = ".js-plotly-plot"
EXCEPTION = "[data-testid='stException']"
RUNNING = "[data-testid='stStatusWidget']"
WAIT_S = 180.0  # timeout of each wait (page load, chart visible, script finished)
MAX_VISITS_PER_SESSION = 500  # a hard bound on top of the deadline
# Page -> query string of the n-th fresh setting (valid values, so no warning is expected).
VARIANTS = {
    "race": lambda n: f"steps={100 + 10 * (n % 150)}",
    "basins": lambda n: f"grid={20 + 10 * (n % 9)}&steps={100 + 10 * (n % 20)}",
    "neural_network": lambda n: f"seed={n}",
}
CRAFTED = {  # --crafted: page -> query string of visit n, new work every time
    "neural_network": lambda n: ("dataset=spirals&classes=3&layers=64,64,64&samples=2000"
                                 "&epochs=500&batch=1&optimizers=sgd,momentum,nesterov,adagrad,"
                                 f"rmsprop,adam,lion,adam_then_sgd&seed={n}"),
}


# ---------------------------------------------------------------- which pages, at which URL


def app_routes(app: Path = ROOT / "app.py") -> dict[str, str]:
    """Page script path (relative to app.py, e.g. ``app_pages/race.py``) -> URL path, read from
    the ``st.Page(...)`` calls in app.py without importing it.

    The URL path is ``url_path=`` when given, else the script's stem (Streamlit's default); the
    ``default=True`` page lives at the root (Streamlit answers its url_path with "page not found"
    and falls back to the root), so its path is "".
    """
    routes: dict[str, str] = {}
    for node in ast.walk(ast.parse(app.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page"):
            continue
        if not (node.args and isinstance(node.args[0], ast.Constant)):
            continue
        script = str(node.args[0].value)
        words = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
        url = "" if words.get("default") is True else words.get("url_path", Path(script).stem)
        routes[script] = str(url)
    return routes


def app_pages(app: Path = ROOT / "app.py") -> dict[str, str]:
    """Page script stem -> URL path (see ``app_routes``)."""
    return {Path(script).stem: url for script, url in app_routes(app).items()}


def page_scripts(app: Path = ROOT / "app.py") -> list[str]:
    """The routed page scripts that exist, relative to app.py's folder."""
    return [s for s in app_routes(app) if (app.parent / s).exists()]


def load_pages() -> dict[str, str]:
    """The load-tested pages the app routes to and whose script exists: stem -> URL path."""
    routed = {Path(s).stem: app_routes()[s] for s in page_scripts()}
    return {s: routed[s] for s in LOAD_PAGES if s in routed}


# ---------------------------------------------------------------- server memory


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc/<pid>/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in task.read_text().split()]
    return out


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its children (VmRSS), in bytes; 0 when it is gone."""
    total = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            pass
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its children so far (all threads), in seconds."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for p in _tree(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class MemorySampler(threading.Thread):
    """Samples ``rss_bytes(pid)`` every ``interval`` seconds until stopped."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        t0 = time.monotonic()
        while not self._halt.is_set():
            self.samples.append((time.monotonic() - t0, rss_bytes(self.pid)))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


def levels_off(samples: list[int], rel: float = 0.10, abs_bytes: int = 30 * 2**20) -> bool:
    """Whether the last third's peak is within ``rel`` (or ``abs_bytes``) of the middle third's."""
    if len(samples) < 3:
        return True
    n = len(samples) // 3
    middle, last = max(samples[n:2 * n]), max(samples[2 * n:])
    return last <= middle + max(rel * middle, abs_bytes)


# ---------------------------------------------------------------- browser sessions


@dataclass
class Visit:
    session: int
    page: str
    seconds_to_chart: float | None
    error: str | None = None
    seconds_to_figure_sent: float | None = None  # first figure JSON arrived on the websocket
    server_seconds: float | None = None  # browser's run request -> first figure (server's share)


@dataclass
class Report:
    sessions: int
    duration_s: float
    pages: list[str]
    visits: list[Visit] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    rss_samples: list[int] = field(default_factory=list)
    server_cpu_s: float = 0.0
    wall_s: float = 0.0
    load_before: float = 0.0  # 1-minute load average of the machine when the run started
    browsers_nice: int = 0
    settings: int = 6  # other settings per page besides the default link
    crafted: bool = False  # every visit of a page in CRAFTED opens its heavy link, new each time

    @property
    def served(self) -> int:
        return sum(v.seconds_to_chart is not None for v in self.visits)

    @property
    def errors(self) -> list[str]:
        return [f"session {v.session} {v.page}: {v.error}" for v in self.visits if v.error]

    @property
    def sessions_with_chart(self) -> int:
        return len({v.session for v in self.visits if v.seconds_to_chart is not None})

    def percentile(self, q: float, page: str | None = None,
                   what: str = "seconds_to_chart") -> float | None:
        """Nearest-rank percentile of a visit time (of one page, or all), in seconds."""
        times = sorted(getattr(v, what) for v in self.visits
                       if getattr(v, what) is not None and page in (None, v.page))
        if not times:
            return None
        return round(times[min(len(times) - 1, round(q / 100 * (len(times) - 1)))], 2)

    def summary(self) -> dict:
        rss = self.rss_samples or [0]
        n = len(rss) // 3
        return {
            "sessions": self.sessions,
            "duration_s": self.duration_s,
            "pages": self.pages,
            "pages_served": self.served,
            "visits": len(self.visits),
            "errors": len(self.errors),
            "error_details": self.errors[:20],
            "console_errors": len(self.console_errors),
            "console_error_samples": sorted(set(self.console_errors))[:5],
            "sessions_with_chart": self.sessions_with_chart,
            "p50_s_to_chart": self.percentile(50),
            "p95_s_to_chart": self.percentile(95),
            "p50_s_to_figure_sent": self.percentile(50, what="seconds_to_figure_sent"),
            "p95_s_to_figure_sent": self.percentile(95, what="seconds_to_figure_sent"),
            "p50_s_server_request_to_figure": self.percentile(50, what="server_seconds"),
            "p95_s_server_request_to_figure": self.percentile(95, what="server_seconds"),
            "cores": os.cpu_count(),
            "load_average_before": round(self.load_before, 2),
            "browsers_nice": self.browsers_nice,
            "settings_per_page": 1 + self.settings,
            "crafted_links": self.crafted,
            "wall_s": round(self.wall_s, 1),
            "server_cpu_s": round(self.server_cpu_s, 1),
            "server_cpu_share_of_one_core": round(self.server_cpu_s / max(self.wall_s, 1e-9), 2),
            "peak_rss_mb": round(max(rss) / 2**20, 1),
            "middle_third_peak_mb": round(max(rss[n:2 * n] or rss) / 2**20, 1),
            "last_third_peak_mb": round(max(rss[2 * n:] or rss) / 2**20, 1),
            "memory_levels_off": levels_off(rss),
            "per_page": {
                p: {"served": sum(v.page == p and v.seconds_to_chart is not None
                                  for v in self.visits),
                    "errors": sum(v.page == p and bool(v.error) for v in self.visits),
                    "p50_s": self.percentile(50, p), "p95_s": self.percentile(95, p)}
                for p in self.pages
            },
        }


class FigureClock:
    """When the first Plotly figure of the current visit arrived over the websocket.

    The gap between this and the chart being visible is the browser's share (parsing the figure,
    drawing it), which on a load-test box competes with the server for the same cores.
    """

    def __init__(self) -> None:
        self.start = 0.0
        self.asked: float | None = None
        self.arrived: float | None = None

    def reset(self) -> None:
        self.start, self.asked, self.arrived = time.monotonic(), None, None

    @property
    def server_seconds(self) -> float | None:
        """From the browser's first message (its request to run the page) to the first figure."""
        if self.asked is None or self.arrived is None:
            return None
        return self.arrived - self.asked

    def on_websocket(self, ws) -> None:
        def sent(_payload: bytes | str) -> None:
            if self.asked is None:
                self.asked = time.monotonic() - self.start

        ws.on("framesent", sent)

        def frame(payload: bytes | str) -> None:
            data = payload.encode() if isinstance(payload, str) else payload
            if self.arrived is None and b'"layout"' in data:
                self.arrived = time.monotonic() - self.start

        ws.on("framereceived", frame)


async def _visit(page, url: str, wait_s: float,
                 clock: FigureClock) -> tuple[float | None, str | None]:
    """Open ``url``; seconds until the first chart is visible, and an error if any."""
    clock.reset()
    t0 = clock.start
    ms = wait_s * 1000
    try:
        await page.goto(url, wait_until="domcontentloaded", timeout=ms)
        await page.locator(CHART).first.wait_for(state="visible", timeout=ms)
        seconds = time.monotonic() - t0
        await page.wait_for_function(f"() => !document.querySelector(\"{RUNNING}\")", timeout=ms)
    except Exception as exc:  # every failure of a visit is a reported error
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    boxes = await page.locator(EXCEPTION).count()
    return seconds, (f"{boxes} exception box(es) on the page" if boxes else None)


def visit_url(base: str, pages: dict[str, str], name: str, k: int, fresh: int,
              settings: int = 6, crafted: bool = False) -> str:
    """Visit ``k`` of a session: the default link when k is even, else other setting
    ``fresh % settings`` of the page; with ``crafted``, a page in CRAFTED always gets its heavy
    link with seed ``fresh``."""
    url = f"{base}/{pages[name]}"
    if crafted and name in CRAFTED:
        return url + "?" + CRAFTED[name](fresh)
    if k % 2 and name in VARIANTS and settings > 0:
        url += "?" + VARIANTS[name](fresh % settings)
    return url


async def _session(browser, index: int, base: str, pages: dict[str, str], deadline: float,
                   wait_s: float, report: Report) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))

    def on_console(msg) -> None:
        if msg.type == "error":
            report.console_errors.append(msg.text[:200])

    page.on("console", on_console)
    clock = FigureClock()
    page.on("websocket", clock.on_websocket)
    names = list(pages)
    try:
        for k in range(MAX_VISITS_PER_SESSION):
            if time.monotonic() >= deadline:
                break
            name = names[(index + k) % len(names)]
            url = visit_url(base, pages, name, k, len(report.visits), report.settings,
                            report.crafted)
            seconds, error = await _visit(page, url, wait_s, clock)
            if page_errors and not error:
                error = f"page error: {page_errors[0][:200]}"
            page_errors.clear()
            report.visits.append(Visit(index, name, seconds, error, clock.arrived,
                                       clock.server_seconds))
    finally:
        await context.close()


def niced_chromium(niceness: int, folder: Path) -> str:
    """An executable that starts Chromium at lower CPU priority (its children inherit it)."""
    if niceness <= 0:
        return CHROMIUM
    wrapper = folder / "chromium-niced"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n {int(niceness)} "{CHROMIUM}" "$@"\n',
                       encoding="utf-8")
    wrapper.chmod(0o755)
    return str(wrapper)


async def _drive(base: str, sessions: int, duration: float, pages: dict[str, str],
                 wait_s: float, report: Report, executable: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                          headless=True)
        try:
            deadline = time.monotonic() + duration
            # A visit that starts just before the deadline may take up to its own timeouts.
            await asyncio.wait_for(
                asyncio.gather(*(_session(browser, i, base, pages, deadline, wait_s, report)
                                 for i in range(sessions))),
                timeout=duration + 3 * wait_s + 30,
            )
        finally:
            await browser.close()


def run_load(sessions: int, duration: float, pages: dict[str, str] | None = None,
             wait_s: float = WAIT_S, niceness: int = 10, settings: int = 6,
             crafted: bool = False) -> Report:
    """Start one server, drive ``sessions`` browser sessions for ``duration`` seconds, stop it."""
    pages = pages or load_pages()
    if not pages:
        raise SystemExit(f"none of the load-tested pages {LOAD_PAGES} is routed in app.py yet")
    report = Report(sessions, duration, list(pages), load_before=os.getloadavg()[0],
                    browsers_nice=max(0, niceness), settings=max(0, settings), crafted=crafted)
    # The server runs with the Docker image's BLAS setting (one thread per computation).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    server, base = start_server()
    sampler = MemorySampler(server.pid)
    sampler.start()
    cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="downhill-load-") as folder:
            executable = niced_chromium(niceness, Path(folder))
            asyncio.run(_drive(base, sessions, duration, pages, wait_s, report, executable))
    finally:
        report.server_cpu_s = cpu_seconds(server.pid) - cpu0
        report.wall_s = time.monotonic() - t0
        sampler.stop()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    report.rss_samples = [rss for _, rss in sampler.samples]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--duration", type=float, default=360.0, help="seconds")
    parser.add_argument("--short", action="store_true", help="3 sessions x 15 s (CI)")
    parser.add_argument("--wait", type=float, default=WAIT_S, help="timeout of each wait (s)")
    parser.add_argument("--nice", type=int, default=10, help="CPU niceness of the browsers")
    parser.add_argument("--settings", type=int, default=6,
                        help="other settings per page besides the default link")
    parser.add_argument("--crafted", action="store_true",
                        help="neural-network visits open the heaviest link, a new seed each")
    parser.add_argument("--pages", help="comma-separated page stems to visit (default: all)")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    sessions, duration = (3, 15.0) if args.short else (args.sessions, args.duration)
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)", file=sys.stderr)
        return 2
    pages = load_pages()
    if args.pages:
        pages = {s: url for s, url in pages.items() if s in args.pages.split(",")}
        if not pages:
            print(f"--pages names none of {', '.join(load_pages())}", file=sys.stderr)
            return 2
    summary = run_load(max(1, sessions), max(1.0, duration), pages, wait_s=args.wait,
                       niceness=args.nice, settings=args.settings,
                       crafted=args.crafted).summary()
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"{key:<{width}}  {value}")
    ok = summary["errors"] == 0 and summary["sessions_with_chart"] == sessions
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())


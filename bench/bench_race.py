"""Race page benchmark: rerun cost after one control change, and the default race's figure JSON.

Run: ``python bench/bench_race.py``. Everything is measured with Streamlit's AppTest in this one
process, against references measured in the same run:

- a trivial one-chart page (a slider and a 10-point line chart), the issue's reference;
- a one-chart page that ships the default race map prebuilt (a slider, no computation): the
  floor any page showing this animation pays to serialize and send it with ``st.plotly_chart``;
- the same page with the map's JSON encoded once (``viz.spec.frozen``, as the race page does):
  the floor left when only the sending is paid per rerun.

It also prints the script runs alone (``ScriptRunner._run_script``, without the ~2 ms AppTest adds
around every rerun): the server's own share, which the harness dilutes in the ratios above.

With Debian's Chromium present it also plays the default race at 1x in a real browser (a real
``streamlit run`` server) and prints the frame intervals against the configured 50 ms, and times
a Steps change from the key press to the redrawn map: what a visitor waits for, of which the
server's rerun is a small part (the browser's redraw is most of it).

AppTest compiles the page script afresh on every ``run()`` (a new ``ScriptCache`` per run: ~9 ms
for the race page, ~0.3 ms for the trivial one), while a real ``streamlit run`` server compiles each
page once and reuses the bytecode. The benchmark shares one ``ScriptCache`` across runs, as the
server does, so that a rerun measures the page and not the compiler (``--compile`` measures it
AppTest's way).

Prints medians and ratios; asserts nothing (timings depend on the machine).
"""

from __future__ import annotations

import collections
import itertools
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit.testing.v1.app_test as _app_test  # noqa: E402
import streamlit.testing.v1.local_script_runner as _local_runner  # noqa: E402
from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from app_pages.common.controls import log_grid  # noqa: E402


def share_script_cache() -> None:
    """Compile each page once per process, as a ``streamlit run`` server does."""
    shared = ScriptCache()
    _app_test.ScriptCache = _local_runner.ScriptCache = lambda: shared  # type: ignore[misc]


REPEATS = 30  # medians of 30 reruns: single reruns vary by +-30 % on a shared VM

TRIVIAL = """
import streamlit as st
import plotly.graph_objects as go
n = st.slider("n", 1, 100, 10)
st.plotly_chart(go.Figure(go.Scatter(x=list(range(n)), y=[i * i for i in range(n)])))
"""

PREBUILT = """
import sys
sys.path.insert(0, {root!r})
import streamlit as st
from bench.bench_race import prebuilt_map
n = st.slider("n", 1, 100, 10)
st.plotly_chart(prebuilt_map({frozen}))
"""


def prebuilt_map(frozen: bool = False):
    """The default race map, built once per process (no Streamlit caching involved);
    ``frozen``: with its JSON encoded once (``viz.spec.frozen``)."""
    global _MAP, _FROZEN
    if frozen:
        try:
            return _FROZEN
        except NameError:
            from viz.spec import frozen as freeze

            _FROZEN = freeze(prebuilt_map())
            return _FROZEN
    try:
        return _MAP
    except NameError:
        import numpy as np

        import landscape
        import optimizers
        from app_pages.common.presets import LANDING_SURFACE, preset_for
        from viz.background import sample_grid
        from viz.paths import path_view
        from viz.playback import Playback
        from viz.race import race_figure

        s = landscape.get_surface(LANDING_SURFACE)
        p = preset_for(LANDING_SURFACE, s, optimizers.OPTIMIZERS)
        paths = [path_view(o, o, optimizers.run(optimizers.get_optimizer(o, **p.hparams[o]), s,
                                                np.array(p.start), p.steps), s)
                 for o in p.optimizers]
        grid = sample_grid(s, s.domain, 300, s.log_scale, s.min_value)
        _MAP = race_figure(grid, paths, s.minima, s, p.start, Playback(digits=4))  # as the page
        return _MAP


_SCRIPT_S = [0.0]  # duration of the latest script run itself
SCRIPT_TIMES: dict[int, list[float]] = collections.defaultdict(list)  # id(AppTest) -> durations


def time_scripts() -> None:
    """Also record how long each script run itself takes (``ScriptRunner._run_script``): the
    server's own share of a rerun, without the ~2 ms of AppTest's harness around it."""
    plain = ScriptRunner._run_script

    def timed(self, *args, **kwargs):
        t = time.perf_counter()
        try:
            return plain(self, *args, **kwargs)
        finally:
            _SCRIPT_S[0] = time.perf_counter() - t

    ScriptRunner._run_script = timed


def rerun(at: AppTest) -> float:
    t = time.perf_counter()
    at.run()
    assert not at.exception, at.exception
    SCRIPT_TIMES[id(at)].append(_SCRIPT_S[0])
    return time.perf_counter() - t


def script_median(at: AppTest, skip: int = 0) -> float:
    """Median script-only time of ``at``'s reruns since the last call (the first ``skip`` left
    out), in seconds."""
    times, SCRIPT_TIMES[id(at)] = SCRIPT_TIMES[id(at)][skip:], []
    return statistics.median(times)


def interleaved(at: AppTest, change, refs: list[tuple[AppTest, list[float]]]) -> list[float]:
    """Rerun times of ``at`` after ``change(at, i)`` sets one control, each followed by one rerun
    of every reference page (a slider moved), so that all share the machine's momentary load."""
    out = []
    for i in range(REPEATS):
        change(at, i)
        out.append(rerun(at))
        for ref, times in refs:
            ref.slider[0].set_value(20 + (len(times) % 50))
            times.append(rerun(ref))
    return out


def page(text: str) -> AppTest:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(textwrap.dedent(text))
    return AppTest.from_file(f.name, default_timeout=120).run()


def main() -> None:
    med = statistics.median
    trivial, floor = page(TRIVIAL), page(PREBUILT.format(root=str(ROOT), frozen=False))
    floor_frozen = page(PREBUILT.format(root=str(ROOT), frozen=True))
    t_trivial: list[float] = []
    t_floor: list[float] = []
    t_frozen: list[float] = []
    refs = [(trivial, t_trivial), (floor, t_floor), (floor_frozen, t_frozen)]

    race = AppTest.from_file(str(ROOT / "app_pages" / "race.py"), default_timeout=120)
    t0 = time.perf_counter()
    race.run()
    t_first = time.perf_counter() - t0
    sizes = [len(c.proto.spec) for c in race.get("plotly_chart")]

    def steps(at, i):  # alternate two values: after the first visit both are cached
        at.sidebar.slider(key="race.steps").set_value(500 if i % 2 else 490)

    SCRIPT_TIMES.pop(id(race), None)
    t_cached = med(interleaved(race, steps, refs)[2:])
    s_cached = script_median(race, 2)
    # What the server runs: app.py's st.navigation, then the page through resync.run_page.
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    t_app = med(interleaved(app, steps, refs)[2:])
    race.session_state["race.opt.adam.open"] = True  # a visitor opens Adam's card to change it
    race.run()

    def cached_lr(at, i):  # one optimizer's lr between two values seen before
        at.sidebar.select_slider(key="race.opt.adam.lr").set_value(0.5 if i % 2 else 0.3)

    t_cached_lr = med(interleaved(race, cached_lr, refs)[2:])
    s_cached_lr = script_median(race, 2)
    # REPEATS learning rates no run has used yet (the select slider's log grid, below 0.3).
    lrs = [v for v in reversed(log_grid(1e-6, 0.2))][:REPEATS]
    assert len(lrs) == REPEATS

    def new_lr(at, i):  # a value never seen: one new run + a new figure
        at.sidebar.select_slider(key="race.opt.adam.lr").set_value(lrs[i])

    t_new = med(interleaved(race, new_lr, refs))
    s_new = script_median(race)
    assert race.dataframe[0].value["optimizer"][3] == f"Adam (lr {lrs[-1]:g})"

    def fewer_steps(at, i):  # a shorter run never asked for: served from the longest run made
        at.sidebar.slider(key="race.steps").set_value(480 - 10 * i)

    t_fewer = med(interleaved(race, fewer_steps, refs))
    s_fewer = script_median(race)
    s_triv = script_median(trivial)
    t_triv, t_flr, t_frz = med(t_trivial), med(t_floor), med(t_frozen)

    print("Race page benchmark (AppTest, medians of", REPEATS, "reruns, interleaved)")
    print(f"  trivial one-chart page rerun           {t_triv * 1e3:8.1f} ms")
    print(f"  one-chart page with the race map        {t_flr * 1e3:8.1f} ms  (shipping floor) "
          f"= {t_flr / t_triv:.1f}x trivial")
    print(f"  ... map JSON encoded once (frozen)      {t_frz * 1e3:8.1f} ms  (sending floor) "
          f"= {t_frz / t_triv:.1f}x trivial")
    print(f"  race page, first render (cold caches)   {t_first * 1e3:8.1f} ms")
    print(f"  race page, steps, cached result         {t_cached * 1e3:8.1f} ms  "
          f"= {t_cached / t_triv:.1f}x trivial, {t_cached / t_frz:.1f}x sending floor")
    print(f"  ... the same through app.py              {t_app * 1e3:8.1f} ms  "
          f"= {t_app / t_triv:.1f}x trivial (navigation, and resync's bookkeeping)")
    print(f"  race page, one lr, cached result        {t_cached_lr * 1e3:8.1f} ms  "
          f"= {t_cached_lr / t_triv:.1f}x trivial, {t_cached_lr / t_frz:.1f}x sending floor")
    print(f"  race page, one new learning rate        {t_new * 1e3:8.1f} ms  "
          f"= {t_new / t_triv:.1f}x trivial, {t_new / t_frz:.1f}x sending floor")
    print(f"  race page, fewer steps, a new value      {t_fewer * 1e3:8.1f} ms  "
          f"= {t_fewer / t_triv:.1f}x trivial (no optimizer reruns: new figures only)")
    print(f"  script runs alone (no AppTest harness): trivial {s_triv * 1e3:.1f} ms; race: steps "
          f"{s_cached * 1e3:.1f} ms = {s_cached / s_triv:.1f}x, one lr {s_cached_lr * 1e3:.1f} ms "
          f"= {s_cached_lr / s_triv:.1f}x, new lr {s_new * 1e3:.1f} ms = {s_new / s_triv:.1f}x, "
          f"fewer steps {s_fewer * 1e3:.1f} ms = {s_fewer / s_triv:.1f}x")
    print(f"  figure JSON of the default race: {sum(sizes) / 1e6:.3f} MB in {len(sizes)} charts "
          f"({', '.join(f'{s / 1e3:.0f} kB' for s in sizes)}); target <= 1.5 MB")


# JS: the step label of the map's slider's last mark (a new step count changes it).
LAST_MARK_JS = """() => { const gd = document.querySelector(CHART);
  return gd && gd.layout && gd.layout.sliders ? gd.layout.sliders[0].steps.at(-1).label : null; }"""


def redraw_ms(page, chart: str, key: str) -> float:
    """Milliseconds from pressing ``key`` on the focused Steps slider to the first display
    frame after the map holds the new run (its slider's last mark changes)."""
    last = LAST_MARK_JS.replace("CHART", repr(chart))
    before = page.evaluate(last)
    page.evaluate(f"""() => {{ window._t0 = performance.now(); window._t1 = null;
        const poll = () => ({last})() !== {before!r}
            ? requestAnimationFrame(() => {{ window._t1 = performance.now(); }})
            : requestAnimationFrame(poll);
        poll(); }}""")
    page.keyboard.press(key)
    page.wait_for_function("window._t1 !== null", timeout=60_000)
    return page.evaluate("window._t1 - window._t0")


def browser_checks() -> None:
    """In Chromium against a real server: the frame intervals of ▶ Play (1x, configured 50 ms)
    on the landing race, and how long a Steps change takes to show (server and browser)."""
    import statistics as stats

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_server

    if not Path(CHROMIUM).exists():
        print("  Chromium: skipped (no Chromium)")
        return
    from playwright.sync_api import sync_playwright

    chart = "[data-testid='stPlotlyChart'] .js-plotly-plot"
    proc, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            page.wait_for_selector(chart, timeout=120_000)
            page.wait_for_function(f"() => document.querySelector(\"{chart}\").data")
            page.evaluate(f"""() => {{ const gd = document.querySelector("{chart}");
                window._ticks = []; window._done = false;
                gd.on('plotly_animatingframe', () => window._ticks.push(performance.now()));
                gd.on('plotly_animated', () => {{ window._done = true; }}); }}""")
            page.locator(chart).first.get_by_text("▶ Play").click()
            page.wait_for_function("window._done", timeout=120_000)
            ticks = page.evaluate("window._ticks")
            # A Steps change: 10 new step counts (a new figure each, no optimizer reruns), then
            # 10 back-and-forth between two seen ones (the figure cached on the server, and in
            # the browser's message cache).
            steps = page.locator("[data-testid=stSidebar]").get_by_role("slider").first
            steps.focus()
            page.wait_for_timeout(1000)
            new, seen = [], []
            for _ in range(10):
                new.append(redraw_ms(page, chart, "ArrowLeft"))
                page.wait_for_timeout(300)
            for i in range(10):
                seen.append(redraw_ms(page, chart, "ArrowRight" if i % 2 == 0 else "ArrowLeft"))
                page.wait_for_timeout(300)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    dt = sorted(b - a for a, b in itertools.pairwise(ticks))
    print(f"  Chromium playback of the default race: {len(ticks)} frames, interval median "
          f"{stats.median(dt):.1f} ms, p95 {dt[int(0.95 * len(dt))]:.1f} ms, max {dt[-1]:.1f} ms "
          "(configured 50 ms)")
    print(f"  Chromium, Steps changed -> map redrawn: a new step count median "
          f"{stats.median(new):.0f} ms (max {max(new):.0f}), a step count seen before median "
          f"{stats.median(seen):.0f} ms (max {max(seen):.0f})")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compile", action="store_true",
                        help="compile the page on every rerun, as AppTest does by default")
    parser.add_argument("--no-browser", action="store_true",
                        help="skip the Chromium playback measurement")
    args = parser.parse_args()
    time_scripts()
    if not args.compile:
        share_script_cache()
    main()
    if not args.no_browser:
        browser_checks()

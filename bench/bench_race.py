"""Race page benchmark: rerun cost after one control change, and the default race's figure JSON.

Run: ``python bench/bench_race.py``. Everything is measured with Streamlit's AppTest in this one
process, against references measured in the same run:

- a trivial one-chart page (a slider and a 10-point line chart), the issue's reference;
- a one-chart page that ships the default race map prebuilt (no controls, no computation): the
  floor any page showing this animation pays to serialize and send it.

Prints medians (seconds) and ratios; asserts nothing (timings depend on the machine).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

REPEATS = 12

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
st.plotly_chart(prebuilt_map())
"""


def prebuilt_map():
    """The default race map, built once per process (no Streamlit caching involved)."""
    global _MAP
    try:
        return _MAP
    except NameError:
        import numpy as np

        import landscape
        import optimizers
        from pages.common.presets import LANDING_SURFACE, preset_for
        from viz.background import sample_grid
        from viz.paths import path_view
        from viz.race import race_figure

        s = landscape.get_surface(LANDING_SURFACE)
        p = preset_for(LANDING_SURFACE, s, optimizers.OPTIMIZERS)
        paths = [path_view(o, o, optimizers.run(optimizers.get_optimizer(o, **p.hparams[o]), s,
                                                np.array(p.start), p.steps), s)
                 for o in p.optimizers]
        grid = sample_grid(s, s.domain, 300, s.log_scale, s.min_value)
        _MAP = race_figure(grid, paths, s.minima, s, p.start)
        return _MAP


def rerun(at: AppTest) -> float:
    t = time.perf_counter()
    at.run()
    assert not at.exception, at.exception
    return time.perf_counter() - t


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
    trivial, floor = page(TRIVIAL), page(PREBUILT.format(root=str(ROOT)))
    t_trivial: list[float] = []
    t_floor: list[float] = []
    refs = [(trivial, t_trivial), (floor, t_floor)]

    race = AppTest.from_file(str(ROOT / "pages" / "race.py"), default_timeout=120)
    t0 = time.perf_counter()
    race.run()
    t_first = time.perf_counter() - t0
    sizes = [len(c.proto.spec) for c in race.get("plotly_chart")]

    def steps(at, i):  # alternate two values: after the first visit both are cached
        at.sidebar.slider(key="race.steps").set_value(500 if i % 2 else 490)

    t_cached = med(interleaved(race, steps, refs)[2:])
    lrs = [0.2, 0.15, 0.1, 0.07, 0.05, 0.03, 0.02, 0.015, 0.01, 0.007, 0.005, 0.003]

    def new_lr(at, i):  # a value never seen: one new run + a new figure
        at.sidebar.select_slider(key="race.opt.adam.lr").set_value(lrs[i])

    t_new = med(interleaved(race, new_lr, refs))
    assert race.dataframe[0].value["optimizer"][3] == f"Adam (lr {lrs[-1]:g})"
    t_triv, t_flr = med(t_trivial), med(t_floor)

    print("Race page benchmark (AppTest, medians of", REPEATS, "reruns, interleaved)")
    print(f"  trivial one-chart page rerun           {t_triv * 1e3:8.1f} ms")
    print(f"  one-chart page with the race map        {t_flr * 1e3:8.1f} ms  (shipping floor)")
    print(f"  race page, first render (cold caches)   {t_first * 1e3:8.1f} ms")
    print(f"  race page, one control, cached result   {t_cached * 1e3:8.1f} ms  "
          f"= {t_cached / t_triv:.1f}x trivial, {t_cached / t_flr:.1f}x floor")
    print(f"  race page, one new learning rate        {t_new * 1e3:8.1f} ms  "
          f"= {t_new / t_triv:.1f}x trivial, {t_new / t_flr:.1f}x floor")
    print(f"  figure JSON of the default race: {sum(sizes) / 1e6:.3f} MB in {len(sizes)} charts "
          f"({', '.join(f'{s / 1e3:.0f} kB' for s in sizes)}); target <= 1.5 MB")


if __name__ == "__main__":
    main()

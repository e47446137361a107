"""The neural-network page in a real browser: it loads clean, training animates, the landscape
renders (every tab), and the drawing of the network animates too.

One page load shared by the module's tests (they run in file order). Set DOWNHILL_SCREENSHOTS=1
to also save the docs/neural_network*.png screenshots the README shows.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # without Playwright the browser fixture skips these tests
    PlaywrightTimeout = TimeoutError

from tests.e2e.conftest import ROOT, new_page, phone_context, wait_for_app

pytestmark = pytest.mark.e2e

PROBE = "the server responded with a status of 404"  # Streamlit's base-path probe on a deep link
CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot"
TRAINING = ".st-key-nn-training .js-plotly-plot"
DRAWING = ".st-key-nn-drawing .js-plotly-plot"
SHOTS = os.environ.get("DOWNHILL_SCREENSHOTS") == "1"

# JS: what moves in the training figure: the epoch cursor and a checksum of every heatmap.
STATE_JS = """sel => {
  const gd = document.querySelector(sel);
  const cursor = gd.layout.shapes.find(s => s.name === 'epoch cursor');
  const heat = gd.data.filter(t => t.type === 'heatmap')
                      .map(t => t.z.flat().reduce((a, b) => a + b, 0));
  return {epoch: cursor.x0, heat: heat};
}"""


def _errors(pg) -> list[str]:
    return [e for e in pg.console_errors if PROBE not in e]


def _shot(pg, locator: str, name: str) -> None:
    if SHOTS:
        pg.locator(locator).first.scroll_into_view_if_needed()
        pg.locator(locator).first.screenshot(path=str(ROOT / "docs" / name))


@pytest.fixture(scope="module")
def nn_page(browser, server_url) -> Iterator:
    context, pg = new_page(browser, server_url)
    pg.goto(server_url + "/")  # the main page first, so st.navigation knows every page
    wait_for_app(pg, timeout=90_000)
    pg.goto(server_url + "/neural_network")
    wait_for_app(pg, timeout=180_000)
    pg.wait_for_function(
        f"() => [...document.querySelectorAll(\"{CHART}\")].filter(g => g.data).length >= 4",
        timeout=180_000)
    try:
        yield pg
    finally:
        context.close()


def _spread(pg, locator: str) -> float:
    """Pixel standard deviation of a chart's first plot area: drawn content varies, blank not."""
    from PIL import Image, ImageStat

    area = pg.locator(locator).first.locator(".nsewdrag").first
    img = Image.open(io.BytesIO(area.screenshot())).convert("L")
    return ImageStat.Stat(img).stddev[0]


def test_page_loads_with_every_figure_and_no_console_errors(nn_page) -> None:
    assert "Neural network" in nn_page.locator("h1").first.inner_text()
    assert nn_page.get_by_text("DNN (2 hidden layers)", exact=False).count() >= 1
    state = nn_page.evaluate(STATE_JS, TRAINING)
    assert len(state["heat"]) == 3  # Adam, SGD, Adam then SGD
    assert state["epoch"] == 40
    _shot(nn_page, ".st-key-nn-training", "neural_network.png")
    assert not _errors(nn_page), _errors(nn_page)


# JS: page-top boxes (y, height) of a chart's legend, Play buttons and first plot area, and the
# distance of the main column's scroll from the page top.
BOXES_JS = """sel => {
  const gd = document.querySelector(sel);
  const main = document.querySelector("[data-testid='stMain']");
  const box = e => { if (!e) return null; const b = e.getBoundingClientRect();
                     return [b.y + main.scrollTop, b.height]; };
  return {legend: box(gd.querySelector('.legend')),
          menu: box(gd.querySelector('.updatemenu-container')),
          plot: box(gd.querySelector('.nsewdrag'))};
}"""


def test_play_is_above_the_drawings_and_on_a_laptops_first_screen(nn_page) -> None:
    """Under the figures, Play was below a 1280 x 800 laptop's fold, and a visitor who scrolled
    down to it watched the decision panels animate off-screen."""
    nn_page.set_viewport_size({"width": 1280, "height": 800})
    try:
        nn_page.wait_for_timeout(500)  # Plotly's relayout to the new width
        for sel in (TRAINING, DRAWING):
            b = nn_page.evaluate(BOXES_JS, sel)
            (my, mh), (py, _) = b["menu"], b["plot"]
            assert my + mh <= py + 2, (sel, b)  # the buttons above the first panel
            if b["legend"]:
                assert sum(b["legend"]) <= my + 2, (sel, b)  # under the legend
        b = nn_page.evaluate(BOXES_JS, TRAINING)
        assert sum(b["menu"]) <= 800, b  # seen without scrolling
    finally:
        nn_page.set_viewport_size({"width": 1400, "height": 900})
        nn_page.wait_for_timeout(500)


def test_play_animates_the_boundaries_and_curves_and_they_stay_drawn(nn_page) -> None:
    before = nn_page.evaluate(STATE_JS, TRAINING)
    assert _spread(nn_page, TRAINING) > 5, "the decision regions should be painted"
    nn_page.locator(TRAINING).get_by_text("▶ Play").click()
    # Play restarts at epoch 0: the cursor moves back and the boundaries change ...
    nn_page.wait_for_function(
        f"b => {{ const s = ({STATE_JS})('{TRAINING}'); return s.epoch < b.epoch "
        "&& JSON.stringify(s.heat) !== JSON.stringify(b.heat); }", arg=before, timeout=20_000)
    # ... and training replays to the end, where the heatmaps are the trained ones again.
    nn_page.wait_for_function(
        f"b => JSON.stringify(({STATE_JS})('{TRAINING}')) === JSON.stringify(b)", arg=before,
        timeout=60_000)
    assert nn_page.locator(TRAINING).first.locator("g.hm image").count() >= 3
    assert _spread(nn_page, TRAINING) > 5, "the heatmaps must survive playback"
    assert not _errors(nn_page), _errors(nn_page)


# JS: sample, every 100 ms and at every animation frame, how many decision maps the training
# figure draws (a heatmap's <image> with its picture) and the frame shown; stops at the last.
SAMPLE_MAPS_JS = """sel => new Promise(done => {
  const gd = document.querySelector(sel);
  const samples = [];
  const look = () => samples.push({frame: gd._fullLayout._currentFrame,
    maps: [...gd.querySelectorAll('g.hm image')].filter(i => i.getAttribute('width') > 0
      && (i.getAttribute('href') || i.getAttribute('xlink:href') || '').length > 100).length});
  const last = gd._transitionData._frames.at(-1).name;
  gd.on('plotly_animatingframe', look);
  const timer = setInterval(() => {
    look();
    if (samples.length > 20 && gd._fullLayout._currentFrame === last) {
      clearInterval(timer); done(samples);
    }
  }, 100);
  setTimeout(() => { clearInterval(timer); done(samples); }, 30000);
})"""


def test_the_decision_maps_stay_drawn_in_every_frame_of_play(nn_page) -> None:
    """A review at 1366 x 768 saw the three decision maps vanish mid-Play (their titles left):
    each frame listed the dots and cursor as scatter traces, Plotly plots those before the
    frame's redraw and empties every panel holding none, and the redraw came a timer later
    (``viz.network._epoch_marks``). Before the fix 8 of ~500 samples over 3 plays had none."""
    nn_page.set_viewport_size({"width": 1366, "height": 768})
    try:
        nn_page.wait_for_timeout(500)  # Plotly's relayout to the new width
        nn_page.locator(TRAINING).get_by_text("▶ Play").click()
        samples = nn_page.evaluate(SAMPLE_MAPS_JS, TRAINING)
        frames = {s["frame"] for s in samples}
        assert len(samples) > 50 and len(frames) > 20, (len(samples), sorted(frames))
        blank = [s for s in samples if s["maps"] < 3]
        assert not blank, (len(blank), len(samples), blank[:5])
        assert _spread(nn_page, TRAINING) > 5, "the decision regions should be painted"
        assert not _errors(nn_page), _errors(nn_page)
    finally:
        nn_page.set_viewport_size({"width": 1400, "height": 900})
        nn_page.wait_for_timeout(500)


def test_the_network_drawing_animates(nn_page) -> None:
    edges = "sel => document.querySelector(sel).data.filter(t => t.mode === 'lines')" \
            ".map(t => t.x.length)"
    before = nn_page.evaluate(edges, DRAWING)
    assert sum(before) == 3 * (2 * 16 + 16 * 16 + 16 * 2)  # every edge drawn once (x0, x1, gap)
    _shot(nn_page, ".st-key-nn-drawing", "neural_network_inside.png")
    nn_page.locator(DRAWING).get_by_text("▶ Play").click()
    nn_page.wait_for_function(f"b => JSON.stringify(({edges})('{DRAWING}')) !== JSON.stringify(b)",
                              arg=before, timeout=20_000)
    assert not _errors(nn_page), _errors(nn_page)


def test_clicking_a_point_follows_it_through_the_network(nn_page) -> None:
    current = nn_page.locator(".st-key-nn-bp-example input").input_value()
    target = 10 if current != "10" else 11
    dot = nn_page.locator(".st-key-nn-bp-map .scatterlayer .trace").first.locator(".point")
    picked = "t => document.querySelector('.st-key-nn-bp-example input')?.value === String(t)"
    for attempt in range(3):  # a click that lands while the page reruns can be lost: retry
        wait_for_app(nn_page, timeout=90_000)
        dot.nth(target).click(force=True)  # Plotly's drag layer below takes the click
        try:
            nn_page.wait_for_function(picked, arg=target, timeout=20_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    wait_for_app(nn_page, timeout=90_000)
    nn_page.get_by_text(f"Point {target} at", exact=False).first.wait_for(timeout=30_000)
    assert not _errors(nn_page), _errors(nn_page)


def test_the_landscape_renders_in_every_tab(nn_page) -> None:
    contour = ".st-key-nn-pca .js-plotly-plot"
    nn_page.locator(contour).first.scroll_into_view_if_needed()
    assert nn_page.locator(contour).first.locator("g.contour").count() >= 1
    assert _spread(nn_page, contour) > 5
    _shot(nn_page, ".st-key-nn-pca", "neural_network_landscape.png")
    nn_page.get_by_role("tab", name="Around each trained network").click()
    slices = ".st-key-nn-slices .js-plotly-plot"
    nn_page.wait_for_function(
        f"() => document.querySelector(\"{slices}\")?.querySelectorAll('g.contour').length >= 3",
        timeout=20_000)
    _shot(nn_page, ".st-key-nn-slices", "neural_network_slices.png")
    nn_page.get_by_role("tab", name="From initial to trained weights").click()
    interp = ".st-key-nn-interp .js-plotly-plot"
    nn_page.wait_for_function(
        f"() => (document.querySelector(\"{interp}\")?.querySelectorAll('g.trace.scatter')"
        ".length ?? 0) >= 6", timeout=20_000)
    if SHOTS:
        _shot(nn_page, ".st-key-nn-backprop", "neural_network_backprop.png")
    assert not _errors(nn_page), _errors(nn_page)


def test_docs_screenshots_exist_when_asked() -> None:
    if not SHOTS:
        pytest.skip("DOWNHILL_SCREENSHOTS=1 saves the screenshots")
    for name in ("neural_network.png", "neural_network_inside.png",
                 "neural_network_landscape.png"):
        assert (Path(ROOT) / "docs" / name).stat().st_size > 10_000


SMALL = "?samples=200&epochs=6&layers=6&batch=50"

# JS: the training figure's geometry on the page: each decision panel's plot size and data
# aspect, the accuracy's tick labels and the loss plot, the legend and the mode bar, the slider
# labels (page-top y, bottom).
PHONE_JS = """sel => {
  const gd = document.querySelector(sel), L = gd._fullLayout;
  const box = e => { const b = e.getBoundingClientRect();
                     return [b.left, b.top, b.right, b.bottom]; };
  const panels = [];
  for (let i = 1; L['xaxis' + (i === 1 ? '' : i)]; i++) {
    const x = L['xaxis' + (i === 1 ? '' : i)], y = L['yaxis' + (i === 1 ? '' : i)];
    if (!y || y.type === 'log' || y.tickformat === '.0%' || y.overlaying) continue;
    panels.push({w: x._length, h: y._length,
                 data: (y.range[1] - y.range[0]) / (x.range[1] - x.range[0])});
  }
  const drags = [...gd.querySelectorAll('.nsewdrag')].map(box);
  return {panels, drags,
          accTicks: [...gd.querySelectorAll('.y' + (panels.length + 2) + 'tick text')].map(box),
          legend: box(gd.querySelector('.legend')), modebar: box(gd.querySelector('.modebar')),
          sliderLabels: [...gd.querySelectorAll('.slider-labels text, .slider-label')].map(box)};
}"""

# JS: boxes and font sizes (px) of every number and every title written in a chart.
TEXTS_JS = """sel => [...document.querySelector(sel).querySelectorAll(
    '.textpoint text, .annotation-text')].map(e => { const b = e.getBoundingClientRect();
    return {t: e.textContent, b: [b.left, b.top, b.right, b.bottom],
            size: parseFloat(getComputedStyle(e).fontSize)}; })
    .filter(e => e.b[2] > e.b[0])"""


def _meet(a, b, slack: float = 0.5) -> bool:
    """Whether boxes (left, top, right, bottom) overlap by more than ``slack`` px both ways."""
    return (min(a[2], b[2]) - max(a[0], b[0]) > slack
            and min(a[3], b[3]) - max(a[1], b[1]) > slack)


def test_a_phone_sees_wide_undistorted_panels_and_readable_backprop(browser, server_url) -> None:
    """A review at 390 x 844 (an iPhone) found the decision panels 80 x 255 px, the accuracy's
    ticks in the loss plot, the legend under the mode bar, the table's toolbar over the slider's
    labels 30-40, and back-propagation's numbers printed over each other."""
    context = phone_context(browser)
    try:
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(server_url + "/")
        wait_for_app(pg, timeout=90_000)
        pg.goto(server_url + "/neural_network" + SMALL)
        wait_for_app(pg, timeout=180_000)
        pg.wait_for_function(
            f"() => [...document.querySelectorAll(\"{CHART}\")].filter(g => g.data).length >= 4",
            timeout=120_000)
        pg.locator(".st-key-nn-training").scroll_into_view_if_needed()
        pg.wait_for_timeout(500)
        g = pg.evaluate(PHONE_JS, TRAINING)
        assert len(g["panels"]) == 3, g["panels"]
        for p in g["panels"]:
            assert p["w"] >= 250, p  # one a row (was 80 px)
            assert p["h"] / p["w"] == pytest.approx(p["data"], rel=0.03), p  # one scale
        loss_plot = g["drags"][3]
        assert g["accTicks"] and not any(_meet(t, loss_plot) for t in g["accTicks"]), g
        assert not _meet(g["legend"], g["modebar"]), g
        # the results table's toolbar (shown on a tap) clears the slider's labels
        table = pg.locator("[data-testid='stDataFrame']").first
        table.scroll_into_view_if_needed()
        table.tap()
        pg.wait_for_timeout(400)
        g = pg.evaluate(PHONE_JS, TRAINING)
        bar = pg.evaluate("""() => [...document.querySelectorAll(
            "[data-testid='stElementToolbar']")].map(e => { const b = e.getBoundingClientRect();
            return [b.left, b.top, b.right, b.bottom]; }).filter(b => b[2] > b[0])""")
        table_top = table.bounding_box()["y"]
        near = [b for b in bar if abs(b[3] - table_top) < 2]
        toolbar = near[0] if near else [0, table_top - 44, 10_000, table_top]
        assert g["sliderLabels"] and not any(_meet(t, toolbar) for t in g["sliderLabels"]), \
            (g["sliderLabels"], toolbar)
        forward, backward = (f".st-key-nn-backprop-{p} .js-plotly-plot"
                             for p in ("forward", "backward"))
        pg.wait_for_function(f"() => document.querySelector(\"{backward}\")?.data",
                             timeout=30_000)
        for sel in (forward, backward):  # every number and title stays apart
            pg.locator(sel).scroll_into_view_if_needed()
            texts = pg.evaluate(TEXTS_JS, sel)
            assert len(texts) > 20
            clashes = [(a["t"], b["t"]) for i, a in enumerate(texts) for b in texts[i + 1:]
                       if _meet(a["b"], b["b"])]
            assert not clashes, (sel, clashes[:5])
        assert not errors, errors
    finally:
        context.close()


STRESS = ("?samples=200&epochs=6&batch=50&layers=16,16,16"
          "&optimizers=sgd,momentum,nesterov,adam,rmsprop,adagrad,adamw,lion")

# JS: a chart's geometry relative to its top left: plot areas, titles (annotations), x titles,
# the legend and its scrollbar, and which x tick labels are turned.
GEOMETRY_JS = """sel => {
  const gd = document.querySelector(sel); const top = gd.getBoundingClientRect();
  const box = e => { const b = e.getBoundingClientRect();
    return [b.left - top.left, b.top - top.top, b.right - top.left, b.bottom - top.top]; };
  const all = s => [...gd.querySelectorAll(s)];
  const bar = gd.querySelector('.legend .scrollbar');
  return {plots: all('.nsewdrag').map(box),
          titles: all('.annotation').map(box),
          xtitles: all('[class^="g-x"][class$="title"]').filter(e => e.textContent).map(box),
          legend: gd.querySelector('.legend') ? box(gd.querySelector('.legend')) : null,
          scroll: bar ? box(bar)[3] - box(bar)[1] : 0,
          turned: all('.xtick text').some(t => (t.getAttribute('transform') || '')
                                                .includes('rotate'))};
}"""


def test_a_phone_sees_the_landscape_one_slice_a_row_and_whole_legends(browser,
                                                                        server_url) -> None:
    """A review at 390 x 844 with 8 optimizers and 3 hidden layers: the slices side by side
    (36 px each), titles over each other and under the mode bar, x ticks turned; the paths'
    map and the line plot squeezed by their legends (57 px of line plot), entries hidden
    behind a scrollbar; the drawing's layer labels run together; the forward pass's 10 columns
    wrote numbers and titles at 8 px."""
    context = phone_context(browser)
    try:
        pg = context.new_page()
        pg.goto(server_url + "/")
        wait_for_app(pg, timeout=90_000)
        pg.goto(server_url + "/neural_network" + STRESS)
        wait_for_app(pg, timeout=180_000)
        pca = ".st-key-nn-pca .js-plotly-plot"
        pg.wait_for_function(f"() => document.querySelector(\"{pca}\")?.data", timeout=120_000)
        pg.locator(pca).scroll_into_view_if_needed()
        g = pg.evaluate(GEOMETRY_JS, pca)
        assert g["scroll"] == 0 and g["plots"][0][3] - g["plots"][0][1] >= 240, g
        assert g["plots"][0][2] - g["plots"][0][0] >= 240, g  # the colour bar lies on top
        assert g["xtitles"][0][0] >= 0, g  # its x title whole (it ran off the left edge)
        # 3 hidden layers: the forward pass wraps onto two rows, its type legible
        forward = ".st-key-nn-backprop-forward .js-plotly-plot"
        pg.locator(forward).scroll_into_view_if_needed()
        texts = pg.evaluate(TEXTS_JS, forward)
        assert min(t["size"] for t in texts) >= 9, sorted(t["size"] for t in texts)[:5]
        clashes = [(a["t"], b["t"]) for i, a in enumerate(texts) for b in texts[i + 1:]
                   if _meet(a["b"], b["b"])]
        assert not clashes, clashes[:5]
        labels = pg.evaluate(GEOMETRY_JS, ".st-key-nn-drawing .js-plotly-plot")["titles"]
        assert len(labels) == 5 and not any(  # the layers' labels under the drawing
            _meet(a, b) for i, a in enumerate(labels) for b in labels[i + 1:]), labels
        tabs = [t.bounding_box() for t in pg.get_by_role("tab").all()]
        assert len(tabs) == 3 and tabs[-1]["x"] + tabs[-1]["width"] <= 390 - 16, tabs  # all seen
        pg.get_by_role("tab", name="Around each network").click()
        slices = ".st-key-nn-slices .js-plotly-plot"
        pg.wait_for_function(
            f"() => document.querySelector(\"{slices}\")?.querySelectorAll('g.contour')"
            ".length >= 8", timeout=30_000)
        g = pg.evaluate(GEOMETRY_JS, slices)
        assert len(g["plots"]) == 8 and not g["turned"], g
        assert all(p[2] - p[0] >= 250 for p in g["plots"]), g["plots"]  # one a row
        boxes = g["titles"] + g["xtitles"]
        assert not any(_meet(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]), boxes
        assert min(t[1] for t in g["titles"]) >= 30, g["titles"]  # under the mode bar's row
        pg.get_by_role("tab", name="Initial → trained").click()
        interp = ".st-key-nn-interp .js-plotly-plot"
        pg.wait_for_function(f"() => document.querySelector(\"{interp}\")?.data",
                             timeout=30_000)
        g = pg.evaluate(GEOMETRY_JS, interp)
        assert g["scroll"] == 0 and g["plots"][0][3] - g["plots"][0][1] >= 170, g  # was 57
    finally:
        context.close()

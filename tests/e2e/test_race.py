"""The race page in a real browser: loads clean, plays, keeps its surface, takes clicks and links.

One server (session fixture), Debian's Chromium, and one page load shared by the module's tests
(they run in file order: load -> play -> click -> reopen the written-back link), so the file stays
well under two minutes. Waits are on selectors and page state, not sleeps.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlparse

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # without Playwright the browser fixture skips these tests
    PlaywrightTimeout = TimeoutError

from tests.e2e.conftest import new_page, wait_for_app

pytestmark = pytest.mark.e2e

MAP = "[data-testid='stPlotlyChart'] .js-plotly-plot"

# JS: the current-position markers of the race map, one [x, y] per optimizer.
MARKERS_JS = """() => {
  const gd = document.querySelector("MAP");
  const t = gd.data.find(t => t.meta === 'current');
  return Array.from(t.x, (x, i) => [x, t.y[i]]);
}""".replace("MAP", MAP)


# JS: the curve panels' dots (loss, distance), one [step, value] per optimizer and panel.
CURVE_DOTS_JS = """() => {
  const gd = document.querySelector("MAP");
  return gd.data.filter(t => t.meta === 'curve now')
    .map(t => Array.from(t.x, (x, i) => [x, t.y[i]]));
}""".replace("MAP", MAP)


START_SHOWN_JS = """() => {
  const gd = document.querySelector("MAP");
  const x = parseFloat(document.querySelector("input[aria-label='x']").value);
  const start = gd && gd.data && gd.data.find(t => t.name === 'start');
  return start !== undefined && Math.abs(start.x[0] - x) < 1e-9;
}""".replace("MAP", MAP)


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page, timeout=90_000)
    page.wait_for_selector(MAP, timeout=90_000)
    page.wait_for_function(f"() => document.querySelector(\"{MAP}\").data !== undefined")


@pytest.fixture(scope="module")
def race(browser, server_url) -> Iterator:
    """The landing page, opened once for the module."""
    context, pg = new_page(browser, server_url)
    _open(pg, server_url + "/")
    try:
        yield pg
    finally:
        context.close()


def _plot_area_spread(page) -> float:
    """Std of the map's plot-area pixels: a drawn surface varies, a blank one does not."""
    from PIL import Image, ImageStat

    box = page.locator(MAP).first.locator(".nsewdrag").first.bounding_box()
    img = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("L")
    return ImageStat.Stat(img).stddev[0]


def test_landing_page_loads_without_console_errors(race) -> None:
    assert race.locator("h1").first.inner_text().startswith("Downhill")
    assert len(race.evaluate(MARKERS_JS)) == 6
    race.locator("[data-testid='stDataFrame']").first.wait_for()
    assert not race.console_errors, race.console_errors


def test_the_slider_reads_round_steps_up_to_the_last(race) -> None:
    """Plotly labels every k-th slider position; those labels are round and reach step 500
    (they read 0, 40, 81, ..., 490 when the slider had 50 positions at uneven steps, and ended
    at 450 at 1280 px when it had 20)."""
    labels = race.locator(MAP).first.evaluate(  # the labelled slider (the handle's: none)
        "gd => Array.from(gd.querySelector('.slider-group')"
        ".querySelectorAll('g.slider-label-group text'), e => e.textContent)")
    assert len(labels) >= 5 and labels[0] == "0" and labels[-1] == "500", labels
    assert all(int(x) % 50 == 0 for x in labels), labels


def test_the_handle_scrubs_to_any_frame_not_only_the_labelled_steps(race) -> None:
    """The slider offered only its 11 labelled steps (0, 50, ..., 500): no way to scrub to step
    17, where paths turn. Dragging the handle near the start shows a frame between the marks,
    and the counter, the labels and the handle agree."""
    handle = race.locator(MAP).first.locator(".slider-group").nth(1)
    handle.scroll_into_view_if_needed()  # a mouse off the screen drags nothing
    rail, grip = (handle.locator(c).bounding_box() for c in (".slider-rail-touch-rect",
                                                             ".slider-grip-rect"))
    y = grip["y"] + grip["height"] / 2
    race.mouse.move(grip["x"] + grip["width"] / 2, y)
    race.mouse.down()
    for f in (0.5, 0.1, 0.035):
        race.mouse.move(rail["x"] + f * rail["width"], y, steps=4)
        race.wait_for_timeout(100)
    race.mouse.up()
    race.wait_for_function(f"""() => /step \\d+/.test(Array.from(document.querySelector(
        "{MAP}").querySelectorAll('.textpoint text')).map(t => t.textContent).join())""")
    race.wait_for_timeout(300)
    shown = race.locator(MAP).first.evaluate(
        "gd => Array.from(gd.querySelectorAll('.textpoint text')).map(t => t.textContent).join()")
    step = int(shown.split("step ")[1].split()[0])
    assert 0 < step < 50, shown  # between the first two labelled steps
    # the handle sits where that step is on the labelled rail: 0 .. 500 across it
    at = handle.locator(".slider-grip-rect").bounding_box()
    frac = (at["x"] + at["width"] / 2 - rail["x"]) / rail["width"]
    assert abs(frac - step / 500) < 0.03, (frac, step)
    # back to the last step, as the module's next tests expect the map
    race.mouse.move(at["x"] + at["width"] / 2, y)
    race.mouse.down()
    for f in (0.5, 0.999):  # past the rail's end the drag stopped short (step 463)
        race.mouse.move(rail["x"] + f * rail["width"], y, steps=4)
        race.wait_for_timeout(100)
    race.mouse.up()
    race.wait_for_function(f"""() => Array.from(document.querySelector("{MAP}")
        .querySelectorAll('.textpoint text')).some(t => t.textContent === 'step 500')""")


def test_play_moves_the_markers_and_the_surface_stays(race) -> None:
    before = race.evaluate(MARKERS_JS)
    curves_before = race.evaluate(CURVE_DOTS_JS)
    assert len(curves_before) == 2 and {d[0] for c in curves_before for d in c} == {500}
    spread_before = _plot_area_spread(race)
    assert spread_before > 5, "the map should show a surface before playing"
    race.locator(MAP).first.get_by_text("▶ 4×").click()
    # Play restarts from step 0: the markers leave their final positions ...
    race.wait_for_function(f"b => JSON.stringify(({MARKERS_JS})()) !== JSON.stringify(b)",
                           arg=before, timeout=10_000)
    # ... and so do the dots on the loss and distance curves, to the same step on both
    race.wait_for_function(f"""() => {{ const c = ({CURVE_DOTS_JS})();
        return c[0][0][0] < 500 && c[0].every((d, i) => d[0] === c[1][i][0]); }}""",
                           timeout=10_000)
    # ... and come back to them when the animation ends.
    race.wait_for_function(f"b => JSON.stringify(({MARKERS_JS})()) === JSON.stringify(b)",
                           arg=before, timeout=60_000)
    image = race.locator(MAP).first.locator("g.imagelayer image").first
    assert (image.get_attribute("href") or "").startswith("data:image/png")
    assert _plot_area_spread(race) > 0.5 * spread_before
    race.wait_for_function(f"b => JSON.stringify(({CURVE_DOTS_JS})()) === JSON.stringify(b)",
                           arg=curves_before, timeout=10_000)
    assert not race.console_errors, race.console_errors


CURRENT_FRAME_JS = f"""() => Number(document.querySelector("{MAP}")._fullLayout._currentFrame)"""


def test_pause_holds_the_step_play_resumes_there_and_a_click_while_paused_counts(
        browser, server_url) -> None:
    """Pause stopped playback by jumping to an empty frame, so Play always began again at step 0.
    It now stops where it is and Play resumes from the next frame; every frame replots the map's
    static traces, so a click on the paused map still picks a start (after frames that replot
    only the moving traces, Plotly dropped clicks until a full redraw)."""
    context, pg = new_page(browser, server_url)
    try:
        _open(pg, server_url + "/")
        chart = pg.locator(MAP).first
        chart.get_by_text("▶ Play").click()
        pg.wait_for_function(f"() => ({CURRENT_FRAME_JS})() >= 30", timeout=30_000)
        chart.get_by_text("❚❚ Pause").click()
        paused = pg.evaluate(CURRENT_FRAME_JS)
        pg.wait_for_timeout(800)  # 16 frames' time at 1x
        assert pg.evaluate(CURRENT_FRAME_JS) == paused < 140
        pg.evaluate(f"""() => {{ window._frames = [];
            document.querySelector("{MAP}").on('plotly_animatingframe',
                e => window._frames.push(Number(e.name))); }}""")
        chart.get_by_text("▶ Play").click()
        pg.wait_for_function("() => window._frames.length >= 3", timeout=30_000)
        chart.get_by_text("❚❚ Pause").click()
        frames = pg.evaluate("window._frames")
        assert frames[:3] == [paused + 1, paused + 2, paused + 3], (paused, frames)
        # a click on the paused map picks a start
        x_input = pg.locator("input[aria-label='x']")
        was = x_input.input_value()
        plot = chart.locator(".nsewdrag").first
        box = plot.bounding_box()
        pg.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"])
        pg.wait_for_function("a => document.querySelector(\"input[aria-label='x']\").value "
                             "!== a", arg=was, timeout=60_000)
        assert float(x_input.input_value()) < -0.5  # 30% of the way across [-3, 3]
        # Pause (as any button pressed mid-play) rejects the running Plotly.animate promise, which
        # Plotly's buttons leave uncaught: an "undefined" page error per press until
        # plotly_controls.js marked those handled. None now.
        assert not pg.console_errors, pg.console_errors
    finally:
        context.close()


def test_any_spot_of_the_map_hovers_its_loss_with_one_pick_marker_drawn(race) -> None:
    """The pick grid (41 x 41 points: hover f anywhere, click to start there) draws one SVG
    marker (``marker.maxdisplayed``): its 1,681 drawn markers cost ~240 ms of every redraw.
    Plotly still finds every point for hovers and clicks (the click tests below)."""
    drawn = race.evaluate(f"""() => {{
        const gd = document.querySelector("{MAP}");
        const i = gd.data.findIndex(t => t.name === 'click to start here');
        const layer = gd.querySelectorAll('.cartesianlayer .subplot.xy .scatterlayer .trace')[i];
        return [gd.data[i].x.length, layer.querySelectorAll('path.point').length];
    }}""")
    assert drawn[0] == 41 * 41 and drawn[1] <= 1, drawn
    plot = race.locator(MAP).first.locator(".nsewdrag").first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    for fx, fy in ((0.1, 0.1), (0.93, 0.5), (0.5, 0.93)):  # corners and edges, off the paths
        race.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        race.wait_for_function("() => /start here/.test(Array.from(document.querySelectorAll("
                               "'.hoverlayer .hovertext')).map(e => e.textContent).join())",
                               timeout=5_000)
        text = race.evaluate("() => Array.from(document.querySelectorAll('.hoverlayer "
                             ".hovertext')).map(e => e.textContent).join()")
        assert "f = " in text, text
    race.mouse.move(0, 0)


def test_a_click_on_the_curves_under_the_map_moves_no_start(race) -> None:
    """The loss and distance panels share the map's figure; a click there is a point on a
    curve (step, loss), not a spot on the map."""
    x_input = race.locator("input[aria-label='x']")
    was = x_input.input_value()
    panel = race.locator(MAP).first.locator(".nsewdrag").nth(1)  # the loss panel
    panel.scroll_into_view_if_needed()
    box = panel.bounding_box()
    x, y = box["x"] + 0.05 * box["width"], box["y"] + 0.2 * box["height"]
    race.mouse.move(x, y)
    race.wait_for_function("() => /step \\d+/.test(Array.from(document.querySelectorAll("
                           "'.hoverlayer .hovertext')).map(e => e.textContent).join())",
                           timeout=5_000)  # on a curve: its hover names a step
    race.mouse.click(x, y)
    race.wait_for_timeout(1500)
    wait_for_app(race, timeout=90_000)
    assert x_input.input_value() == was
    # the click selected a curve point; the panel's dots stay drawn in full (Plotly fades
    # unselected markers: they all but vanished)
    opacity = race.evaluate(f"""() => Array.from(document.querySelector("{MAP}")
        .querySelectorAll('.subplot.x2y2 .scatterlayer .point'))
        .map(e => parseFloat(getComputedStyle(e).opacity))""")
    assert opacity and min(opacity) == 1.0, opacity
    # the map still picks a start after it: the next test clicks it, on this same page


def _click_map_and_wait(page, x_test: str, arg: str) -> None:
    """Click the map at (80%, 85%) of its plot area, then wait until ``x_test`` (JS, given
    ``arg``) holds for the x input's value and the app is idle."""
    plot = page.locator(MAP).first.locator(".nsewdrag").first
    plot.scroll_into_view_if_needed()  # a mouse click off the screen lands nowhere
    box = plot.bounding_box()
    page.mouse.click(box["x"] + 0.8 * box["width"], box["y"] + 0.85 * box["height"])
    page.wait_for_function(
        f"a => (x => {x_test})(document.querySelector(\"input[aria-label='x']\").value)",
        arg=arg, timeout=60_000)
    wait_for_app(page, timeout=90_000)


def test_clicking_the_map_moves_the_start(race) -> None:
    x_input = race.locator("input[aria-label='x']")
    _click_map_and_wait(race, "x !== a", x_input.input_value())
    new_x = float(x_input.input_value())
    assert new_x > 0.5, new_x  # 80% of the way across [-3, 3]
    race.wait_for_function("x => new URL(location).searchParams.get('start')?.startsWith(x)",
                           arg=x_input.input_value())


def test_the_same_spot_clicked_again_after_typing_a_start_counts(race) -> None:
    """After a click, then a typed start, a click on the first spot moved nothing (it was taken
    for the old click, still remembered): it must move the start back there."""
    x_input = race.locator("input[aria-label='x']")
    clicked = x_input.input_value()
    x_input.fill("-1")
    x_input.press("Enter")
    race.wait_for_function(START_SHOWN_JS, timeout=60_000)  # the map redrawn from x = -1
    wait_for_app(race, timeout=90_000)
    _click_map_and_wait(race, "x === a", clicked)


def test_the_written_back_link_reproduces_the_race(race, browser, server_url) -> None:
    # the map has been redrawn for the clicked start (its start marker sits at the new x); only
    # then is the link read, since that rerun also writes the new start into the URL
    race.wait_for_function(START_SHOWN_JS, timeout=60_000)
    link = race.url
    assert parse_qs(urlparse(link).query)["optimizers"][0].count(",") == 5
    start = parse_qs(urlparse(link).query)["start"][0]  # 4 significant digits, not 17
    assert len(start) <= 13 and all(len(v.lstrip("-")) <= 6 for v in start.split(",")), start
    markers = race.evaluate(MARKERS_JS)
    context, other = new_page(browser, server_url)
    try:
        _open(other, link)
        assert other.evaluate(MARKERS_JS) == markers
        assert other.locator("input[aria-label='x']").input_value() == \
            race.locator("input[aria-label='x']").input_value()
        assert not other.console_errors, other.console_errors
    finally:
        context.close()


def test_a_click_on_a_path_starts_there_and_leaves_the_map_unfaded(race) -> None:
    """A path is a line: Plotly selected nothing on a click there, faded every marker of the map
    (the minima, the dots, the counter) and moved no start. Its points are selectable now: the
    click starts the race at the path's point under the pointer."""
    race.wait_for_function(START_SHOWN_JS, timeout=60_000)
    x_input = race.locator("input[aria-label='x']")
    was = x_input.input_value()
    race.locator(MAP).first.scroll_into_view_if_needed()
    # the middle point of the path that moved farthest: clear of the start and of the others
    x, y, px, py = race.evaluate(f"""() => {{
        const gd = document.querySelector("{MAP}");
        const fl = gd._fullLayout, r = gd.getBoundingClientRect();
        const far = t => Math.hypot(t.x.at(-1) - t.x[0], t.y.at(-1) - t.y[0]);
        const g = gd.data.filter(t => t.mode === 'lines+markers' && t.customdata)
            .reduce((a, b) => far(b) > far(a) ? b : a);
        const i = Math.floor(g.x.length / 2);
        return [g.x[i], g.y[i], r.left + fl.xaxis._offset + fl.xaxis.l2p(g.x[i]),
                r.top + fl.yaxis._offset + fl.yaxis.l2p(g.y[i])];
    }}""")
    race.mouse.move(px, py)
    race.wait_for_function("() => /step \\d+/.test(Array.from(document.querySelectorAll("
                           "'.hoverlayer .hovertext')).map(e => e.textContent).join())",
                           timeout=5_000)  # on the path: its hover names a step
    race.mouse.click(px, py)
    race.wait_for_function("a => document.querySelector(\"input[aria-label='x']\").value !== a",
                           arg=was, timeout=60_000)
    wait_for_app(race, timeout=90_000)
    race.wait_for_function(START_SHOWN_JS, timeout=60_000)  # the map redrawn from there
    clicked = (float(x_input.input_value()),
               float(race.locator("input[aria-label='y']").input_value()))
    # that point, or one of a path crossing it within a pixel or two (4 digits either way)
    assert abs(clicked[0] - x) < 0.05 and abs(clicked[1] - y) < 0.05, (clicked, (x, y))


def test_an_optimizer_card_opens_and_stays_open_after_a_change(browser, server_url) -> None:
    """Cards are built only while open (lazy): opening one shows its settings, and a new
    learning rate (which retitles the card) keeps it open and reaches the link."""
    context, pg = new_page(browser, server_url)
    try:
        _open(pg, server_url + "/?optimizers=sgd,adam&steps=100&adam.lr=0.3")
        sidebar = pg.locator("[data-testid='stSidebar']")
        # Steps is drawn first; in one CI run, under load, the count read 0 before it showed
        sidebar.get_by_role("slider").first.wait_for(timeout=60_000)
        assert sidebar.get_by_role("slider").count() == 1  # only Steps: the cards are closed
        sidebar.get_by_text("Adam · lr 0.3").click()
        thumb = sidebar.locator("[data-testid='stExpander']").filter(
            has_text="Adam").get_by_role("slider").first
        thumb.wait_for(timeout=60_000)
        thumb.focus()
        for lr in ("0.5", "0.7"):  # the next log stops after 0.3
            pg.keyboard.press("ArrowRight")
            pg.wait_for_function(
                "lr => new URL(location).searchParams.get('adam.lr') === lr", arg=lr,
                timeout=60_000)
            wait_for_app(pg, timeout=90_000)
            assert thumb.is_visible()  # still open
            # ... and the slider keeps the keyboard focus: a card retitled with its new lr
            # redrew the slider, and every further arrow key went to the page instead
            assert thumb.evaluate("e => e === document.activeElement"), lr
        # closed, it shows its lr again
        sidebar.locator("[data-testid='stExpander'] summary").filter(has_text="Adam").click()
        sidebar.get_by_text("Adam · lr 0.7").wait_for(timeout=60_000)
        assert not pg.console_errors, pg.console_errors
    finally:
        context.close()


def test_a_typed_formula_survives_further_changes_and_mode_switches(browser, server_url) -> None:
    """Typing a formula hides the surface box; changing the formula again, then switching to a
    built-in surface and back, neither errors nor loses the formula (Streamlit forgets hidden
    widgets' values; the page holds them)."""
    context, pg = new_page(browser, server_url)
    try:
        _open(pg, server_url + "/?surface=himmelblau&optimizers=adam,sgd&steps=100")
        sidebar = pg.locator("[data-testid='stSidebar']")
        sidebar.get_by_text("Type a formula").click()
        box = sidebar.get_by_test_id("stTextInputField")
        for formula in ("x**2 + 3*sin(y)", "x**2 + y**2"):
            box.fill(formula)
            box.press("Enter")
            pg.wait_for_function(
                "f => new URL(location).searchParams.get('formula') === f", arg=formula,
                timeout=60_000)
            wait_for_app(pg, timeout=90_000)
        sidebar.get_by_text("Built-in").click()
        pg.wait_for_function("() => new URL(location).searchParams.get('surface') === "
                             "'himmelblau'", timeout=60_000)
        sidebar.get_by_text("Type a formula").click()
        box.wait_for(timeout=60_000)
        wait_for_app(pg, timeout=90_000)
        assert box.input_value() == "x**2 + y**2"
        assert pg.get_by_text("encountered an error").count() == 0
        assert pg.locator("[data-testid='stException']").count() == 0
        assert not pg.console_errors, pg.console_errors
    finally:
        context.close()


LONG_FORMULA = ("sin(3*x)*cos(2*y) + 0.1*(x^2+y^2) + exp(-(x-1)^2-(y+1)^2) + "
                + " + ".join(f"{k}*sin({k}*x*y)*exp(-x^2)" for k in range(2, 5)))

# JS: [left, right] of the main column's content box, then [left, right] of every piece of
# typed math KaTeX laid out (a .base breaks nowhere inside; lines wrap between them).
MATH_BOXES_JS = """() => {
  const col = document.querySelector("[data-testid='stMainBlockContainer']");
  const r = col.getBoundingClientRect(), st = getComputedStyle(col);
  const bases = document.querySelectorAll("[data-testid='stMain'] .katex-html .base");
  return [[r.left + parseFloat(st.paddingLeft), r.right - parseFloat(st.paddingRight)],
          Array.from(bases, b => [b.getBoundingClientRect().left,
                                  b.getBoundingClientRect().right])];
}"""


def test_a_long_formula_and_its_gradient_stay_inside_the_column(browser, server_url) -> None:
    """f, df/dx and df/dy each on a line of their own, wrapped to the column (a long gradient
    ran past the column's right edge on a 1000-pixel-wide window)."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        pg = context.new_page()
        _open(pg, f"{server_url}/?optimizers=sgd,adam&steps=50&formula={quote(LONG_FORMULA)}")
        (left, right), bases = pg.evaluate(MATH_BOXES_JS)
        assert len(bases) >= 6  # three lines of math, the long ones wrapped
        assert all(left - 1 <= a and b <= right + 1 for a, b in bases), (left, right, bases)
        text = pg.locator("[data-testid='stMain'] .katex-mathml").all_inner_texts()
        assert sum("∂" in t for t in text) == 2, text  # df/dx and df/dy, one per line
    finally:
        context.close()


def _tab_selected(pg, label: str) -> bool:
    return pg.get_by_role("tab", name=label).get_attribute("aria-selected") == "true"


def test_the_open_tab_is_in_the_link_and_a_link_opens_it(browser, server_url) -> None:
    """Opening the 3D view writes view=3d into the URL; that link opens the 3D view, a junk
    value opens the map with a warning."""
    context, pg = new_page(browser, server_url)
    surface_js = ("() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                  ".some(e => e.data && e.data[0] && e.data[0].type === 'surface')")
    try:
        _open(pg, server_url + "/?optimizers=sgd,adam&steps=100")
        assert _tab_selected(pg, "Map")
        pg.get_by_role("tab", name="3D view").click()
        pg.wait_for_function("() => new URL(location).searchParams.get('view') === '3d'",
                             timeout=60_000)
        pg.wait_for_function(surface_js, timeout=60_000)
        link = pg.url
        pg.get_by_role("tab", name="Map").click()
        pg.wait_for_function("() => !new URL(location).searchParams.has('view')",
                             timeout=60_000)
        pg.goto(link)  # the map sits in the hidden tab: wait for the 3D view instead
        wait_for_app(pg, timeout=90_000)
        pg.wait_for_function(surface_js, timeout=90_000)
        assert _tab_selected(pg, "3D view")
        _open(pg, link.replace("view=3d", "view=zzz"))
        assert _tab_selected(pg, "Map")
        assert "'view'" in pg.locator("[data-testid='stAlert']").first.inner_text()
        assert "view=" not in pg.url
        assert pg.locator("[data-testid='stException']").count() == 0
        assert not pg.console_errors, pg.console_errors
    finally:
        context.close()


# JS: what a page shows, for a failure's message: the script's state, the sidebar's chosen
# optimizers, and the main column's alerts and exceptions.
PAGE_STATE_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  const texts = sel => Array.from(document.querySelectorAll(sel))
      .map(e => e.innerText.slice(0, 200));
  return {script: app && app.getAttribute('data-test-script-state'),
          chips: texts("[data-testid='stSidebar'] [data-testid='stMultiSelect'] span[title]"),
          alerts: texts("[data-testid='stAlert'], [data-testid='stException']"),
          connection: texts("[data-testid='stStatusWidget'], [data-testid='stConnectionStatus']")};
}"""


def test_a_click_during_a_links_first_run_keeps_the_links_settings(browser, server_url) -> None:
    """Streamlit drops the unsent messages of a run a click interrupts: the link's values for the
    controls never reached the browser, which sent its defaults back one click later (no
    optimizers, 10 steps, the start in a corner). Now the next run resends them (resync.py).
    The link is slow to race (2000 steps, noise under a seed no other test uses), so the first
    click lands while its first run still computes."""
    context, pg = new_page(browser, server_url)
    names = "adam,amsgrad,adamw,adagrad,adadelta,radam,lion,random_local_search"
    cards_js = "() => document.querySelectorAll(\"[data-testid='stSidebar'] " \
               "[data-testid='stExpander']\").length"
    try:
        pg.goto(f"{server_url}/?optimizers={names}&steps=2000&noise=0.5&seed=424242"
                "&start=1.5,-0.5")
        pg.wait_for_function(f"() => ({cards_js})() === 8", timeout=90_000)
        cards = pg.locator("[data-testid='stSidebar'] [data-testid='stExpander'] summary")
        cards.nth(0).click()  # the first run is still racing
        wait_for_app(pg, timeout=90_000)
        cards.nth(1).click()  # this request carries whatever the browser's controls hold
        wait_for_app(pg, timeout=90_000)
        try:
            pg.wait_for_function(f"() => ({cards_js})() === 8", timeout=30_000)
        except PlaywrightTimeout:  # failed twice in CI (not reproduced in 30 tries): say how
            raise AssertionError(f"{pg.evaluate(cards_js)} cards, not 8, at {pg.url}; "
                                 f"{pg.evaluate(PAGE_STATE_JS)}") from None
        steps = pg.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(
            has_text="Steps").locator("[data-testid='stSliderThumbValue']")
        assert steps.inner_text() == "2000"
        assert pg.locator("input[aria-label='x']").input_value() == "1.5"
        query = parse_qs(urlparse(pg.url).query)
        assert query["optimizers"] == [names] and query["steps"] == ["2000"], query
        assert not pg.console_errors, pg.console_errors
    finally:
        context.close()


def test_fast_clicks_on_a_number_are_all_counted(browser, server_url) -> None:
    """Each "+" on Seed cuts the running race short, and anything the server sets back in the
    browser then overwrites newer clicks: re-seeding a page whenever the URL differed from its
    last finished run's query set the seed back (12 clicks ended at +2 or +3); a review also
    lost clicks while every value was resent after a cut-short run (6 of 16 tries; values the
    browser reports are no longer resent)."""
    context, pg = new_page(browser, server_url)
    names = "adam,amsgrad,adamw,adagrad,adadelta,radam,lion,random_local_search"
    try:
        _open(pg, f"{server_url}/?optimizers={names}&steps=2000&noise=0.5&seed=9000")
        seed = pg.locator("[data-testid='stSidebar'] [data-testid='stNumberInput']").filter(
            has_text="Seed")
        plus = seed.locator("button").last  # [-, +]
        for _ in range(12):
            plus.click()
            pg.wait_for_timeout(80)
        wait_for_app(pg, timeout=120_000)
        pg.wait_for_function("() => new URL(location).searchParams.get('seed') === '9012'",
                             timeout=60_000)
        assert seed.locator("input").input_value() == "9012"
        assert not pg.console_errors, pg.console_errors
    finally:
        context.close()

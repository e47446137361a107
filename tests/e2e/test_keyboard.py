"""Keyboard and contrast in a real browser: Plotly's animation controls work without a mouse
(``app_pages/common/plotly_controls.js``), and no chart text is a grey too faint to read.

Plotly draws Play, Pause, the speed buttons and the step slider as SVG that Tab never reached:
a keyboard-only visitor could not play a race (an accessibility review in Chromium).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import new_page, wait_for_app

pytestmark = pytest.mark.e2e

MAP = "[data-testid='stPlotlyChart'] .js-plotly-plot"
# JS: the map's frame slider (the handle's, over every frame): its active index and step count.
SLIDER_JS = f"""() => {{ const s = document.querySelector("{MAP}")._fullLayout.sliders;
  return [s[s.length - 1].active, s[s.length - 1].steps.length]; }}"""
FOCUSED_JS = """() => { const e = document.activeElement;
  return ['role', 'aria-label', 'aria-valuenow'].map(a => e.getAttribute(a)); }"""


@pytest.fixture(scope="module")
def race(browser, server_url) -> Iterator:
    context, pg = new_page(browser, server_url)
    pg.goto(server_url + "/")
    wait_for_app(pg, timeout=90_000)
    pg.wait_for_selector(MAP + " g.updatemenu-button[tabindex]", timeout=90_000)
    try:
        yield pg
    finally:
        context.close()


def _tab_to(pg, label: str, key: str = "Tab", most: int = 120) -> None:
    """Press ``key`` until the focused element is labelled ``label``."""
    for _ in range(most):
        pg.keyboard.press(key)
        if pg.evaluate(FOCUSED_JS)[1] == label:
            return
    raise AssertionError(f"{label!r} not reached in {most} presses of {key}")


def test_play_and_pause_are_reached_and_pressed_with_the_keyboard(race) -> None:
    assert race.evaluate(FOCUSED_JS)[1] != "▶ Play"
    _tab_to(race, "▶ Play")
    assert race.evaluate(FOCUSED_JS)[0] == "button"
    race.evaluate(f"""() => {{ window.frames_shown = 0; document.querySelector("{MAP}")
        .on('plotly_animatingframe', () => {{ window.frames_shown += 1; }}); }}""")
    race.keyboard.press("Enter")
    race.wait_for_function("window.frames_shown >= 5", timeout=20_000)
    race.keyboard.press("Tab")  # Pause is next to Play
    assert race.evaluate(FOCUSED_JS)[:2] == ["button", "❚❚ Pause"]
    race.keyboard.press(" ")
    race.wait_for_timeout(500)
    held = race.evaluate("window.frames_shown")
    race.wait_for_timeout(1000)
    assert race.evaluate("window.frames_shown") == held, "Pause by keyboard should stop playback"
    assert 0 < race.evaluate(SLIDER_JS)[0] < race.evaluate(SLIDER_JS)[1] - 1


def test_the_step_slider_moves_with_arrows_home_and_end(race) -> None:
    _tab_to(race, "Animation step", key="Shift+Tab")  # the slider comes before Play
    n = race.evaluate(SLIDER_JS)[1]
    for key, expected in [("Home", 0), ("ArrowRight", 1), ("PageUp", 11), ("ArrowLeft", 10),
                          ("End", n - 1)]:
        race.keyboard.press(key)
        race.wait_for_function(f"() => ({SLIDER_JS})()[0] === {expected}", timeout=10_000)
        assert race.evaluate(FOCUSED_JS) == ["slider", "Animation step", str(expected + 1)]
    race.keyboard.press("Home")
    race.wait_for_function(f"() => ({SLIDER_JS})()[0] === 0")
    # the map shows that frame: its counter reads step 0
    race.wait_for_function(f"""() => Array.from(document.querySelector("{MAP}")
        .querySelectorAll('.textpoint text')).some(t => t.textContent === 'step 0')""")
    # Pause (animating to no frame) left Plotly's uncaught "undefined" page error, as a click
    # did (plotly_controls.js marks it handled); nothing may appear.
    assert not race.console_errors, race.console_errors


def test_a_step_set_in_the_sidebar_after_playing_is_where_play_goes_on(race) -> None:
    """Played and paused, then opened at step 40 from the sidebar: Plotly carried the paused
    frame over to the new chart (Plotly.react), and Play resumed from there, not from 40."""
    counter = f"""() => Array.from(document.querySelector("{MAP}")
        .querySelectorAll('.textpoint text'), t => t.textContent).find(t => t.startsWith('step'))"""
    box = race.locator("[data-testid=stSidebar] input[aria-label='Open the map at step']")
    box.fill("40")
    box.press("Enter")
    race.wait_for_function(f"() => ({counter})() === 'step 40'", timeout=60_000)
    wait_for_app(race, timeout=60_000)
    race.wait_for_timeout(500)  # the page script marks the new chart (200 ms after it changes)
    k = race.evaluate(SLIDER_JS)[0]
    race.evaluate(f"""() => {{ window.seen = []; document.querySelector("{MAP}")
        .on('plotly_animatingframe', e => window.seen.push(Number(e.name))); }}""")
    race.locator(MAP).first.get_by_text("▶ 2×").click()
    race.wait_for_function("window.seen.length >= 3", timeout=20_000)
    seen = race.evaluate("window.seen")
    assert k < seen[0] <= k + 2, (k, seen[:3])  # 2x shows every other frame, and this one
    race.locator(MAP).first.get_by_text("❚❚ Pause").click()


def _luminance(rgb: list[float]) -> float:
    c = [v / 255 for v in rgb]
    c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def test_no_chart_text_is_a_grey_under_4_5_to_1_on_white(race) -> None:
    """Streamlit's theme drew ticks, axis titles, slider labels and button text at 3.7:1."""
    fills = race.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot text'),
        t => getComputedStyle(t).fill.match(/[\\d.]+/g).slice(0, 3).map(Number))""")
    greys = [f for f in fills if max(f) - min(f) < 30]  # coloured text is checked elsewhere
    assert len(greys) > 50  # ticks, slider labels, buttons
    faint = [f for f in greys if 1.05 / (_luminance(f) + 0.05) < 4.5]
    assert not faint, faint


def test_a_link_with_at_opens_the_map_paused_there_and_play_goes_on(page) -> None:
    """``at=40``: the map opens at step 40 (counter, handle), and Play continues from there
    rather than from step 0."""
    page.goto(page.base_url + "/?at=40")
    wait_for_app(page, timeout=90_000)
    page.wait_for_selector(MAP, timeout=90_000)
    counter = f"""() => Array.from(document.querySelector("{MAP}")
        .querySelectorAll('.textpoint text'), t => t.textContent).find(t => t.startsWith('step'))"""
    page.wait_for_function(f"() => ({counter})() === 'step 40'", timeout=30_000)
    k, _ = page.evaluate(SLIDER_JS)
    assert 0 < k < 20  # frame 40 of 500 over ~150 frames
    page.evaluate(f"""() => {{ window.seen = []; document.querySelector("{MAP}")
        .on('plotly_animatingframe', e => window.seen.push(Number(e.name))); }}""")
    page.locator(MAP).first.get_by_text("▶ 4×").click()
    page.wait_for_function("window.seen.length >= 3", timeout=20_000)
    assert page.evaluate("window.seen")[0] > k  # on from step 40, not from 0


def test_4x_from_a_frame_it_skips_goes_on_from_there(page) -> None:
    """4x lists every few frames; paused on one it skips (Pause or the slider can leave it
    anywhere), it started over at step 0 (Plotly's ``fromcurrent`` found no match)."""
    page.goto(page.base_url + "/?at=40")
    wait_for_app(page, timeout=90_000)
    page.wait_for_selector(MAP + " g.slider-group[role=slider]", timeout=90_000)
    k, _ = page.evaluate(SLIDER_JS)
    page.locator(MAP + " g.slider-group[role=slider]").last.focus()
    listed = page.evaluate(f"""() => Array.from(document.querySelector("{MAP}")
        .querySelectorAll('g.updatemenu-button'), b => b.__data__)
        .find(o => o.label.includes('4×')).args[0].map(Number)""")
    off = next(j for j in range(k + 1, k + 8) if j not in listed)  # a frame 4x skips
    for _ in range(off - k):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"""() => document.querySelector("{MAP}")._fullLayout
        ._currentFrame === '{off}'""", timeout=10_000)
    page.evaluate(f"""() => {{ window.seen = []; document.querySelector("{MAP}")
        .on('plotly_animatingframe', e => window.seen.push(Number(e.name))); }}""")
    page.locator(MAP).first.get_by_text("▶ 4×").click()
    page.wait_for_function("window.seen.length >= 3", timeout=20_000)
    seen = page.evaluate("window.seen")
    assert off < seen[0] <= off + 4 and seen[0] in listed, seen[:5]


def test_a_downloaded_map_opened_at_a_step_plays_on_from_it_and_takes_keys(page, tmp_path) -> None:
    """The download carries the page script: opened at step 40, its Play (4x too: that speed
    skips frames) goes on from there, and Tab reaches its buttons."""
    import numpy as np

    import landscape
    import optimizers
    from app_pages.common import compute
    from viz.paths import path_view
    from viz.playback import Playback
    from viz.race import race_figure

    s = landscape.get_surface("booth")
    paths = [path_view(n, n, optimizers.run(optimizers.get_optimizer(n, lr=0.01), s,
                                             np.array([-8.0, 7.0]), 300), s)
             for n in ("sgd", "adam")]
    fig = race_figure(compute.landscape_grid("booth"), paths, s.minima, s, (-8.0, 7.0),
                      Playback(open_at=37))
    out = tmp_path / "race.html"
    out.write_bytes(compute.standalone_html(fig, "race"))
    page.goto(out.as_uri())
    chart = ".js-plotly-plot"
    page.wait_for_selector(chart + " g.updatemenu-button[tabindex]", timeout=30_000)
    k = page.evaluate(f"""() => {{ const s = document.querySelector("{chart}")._fullLayout.sliders;
        return s[s.length - 1].active; }}""")
    page.evaluate(f"""() => {{ window.seen = []; document.querySelector("{chart}")
        .on('plotly_animatingframe', e => window.seen.push(Number(e.name))); }}""")
    page.locator(chart).get_by_text("▶ 4×").click()
    page.wait_for_function("window.seen.length >= 3", timeout=20_000)
    assert page.evaluate("window.seen")[0] > k > 0
    _tab_to(page, "▶ Play")


def test_a_shut_sidebar_takes_no_focus_and_each_page_has_its_own_title(browser,
                                                                       server_url) -> None:
    """Half a laptop's screen (683 px) opens with the sidebar shut: Tab went through ~30 of its
    controls off screen, focus unseen, before the button that opens it; and every page's
    browser title read "Downhill" (an accessibility review)."""
    context, pg = new_page(browser, server_url, viewport=(683, 768))
    try:
        pg.goto(server_url + "/")
        wait_for_app(pg, timeout=90_000)
        pg.wait_for_selector(MAP, timeout=90_000)
        sidebar = pg.locator("[data-testid='stSidebar']")
        assert sidebar.get_attribute("data-collapsed") == "true"
        testid = "() => document.activeElement.getAttribute('data-testid')"
        seen = []
        for _ in range(3):
            pg.keyboard.press("Tab")
            seen.append(pg.evaluate(testid))
            assert not pg.evaluate(
                "() => !!document.activeElement.closest(\"[data-testid='stSidebar']\")"), seen
        assert "stExpandSidebarButton" in seen
        assert pg.title() == "Race · Downhill"
        # opened, its controls are there and take the focus again
        pg.locator("[data-testid='stExpandSidebarButton']").click()
        pg.wait_for_function("() => document.querySelector(\"[data-testid='stSidebar']\")"
                             ".getAttribute('data-collapsed') === 'false'")
        link = sidebar.get_by_role("link", name="Learning-rate lab")
        link.focus()
        assert pg.evaluate("() => document.activeElement.textContent").strip().endswith(
            "Learning-rate lab")
        link.click()
        pg.wait_for_function("() => document.title === 'Learning-rate lab · Downhill'",
                             timeout=60_000)
    finally:
        context.close()


def test_a_settings_card_opened_and_shut_from_the_keyboard_keeps_the_focus(browser,
                                                                          server_url) -> None:
    """A card's toggle reruns the page (its settings render only while open), and the focus fell
    to the page's body: a screen reader heard nothing, the next Tab started over (an
    accessibility review). ``card_focus.js`` puts it back on the card's title."""
    context, pg = new_page(browser, server_url)
    title = "[data-testid='stSidebar'] [data-testid='stExpander'] summary"
    focused = f"""() => {{ const s = document.activeElement.closest("{title}");
      return s ? s.textContent : document.activeElement.tagName; }}"""
    try:
        pg.goto(server_url + "/")
        wait_for_app(pg, timeout=90_000)
        pg.wait_for_selector(MAP, timeout=90_000)
        pg.locator(title).first.focus()
        assert pg.evaluate(focused).endswith("SGD · lr 0.01")
        pg.keyboard.press("Enter")
        pg.wait_for_selector("[data-testid='stSidebar'] [data-testid='stExpanderDetails'] "
                             ":text('Update rule')", timeout=30_000)
        wait_for_app(pg)
        pg.wait_for_timeout(500)
        assert pg.evaluate(focused).endswith("SGD"), pg.evaluate(focused)
        pg.keyboard.press(" ")
        pg.wait_for_function(f"""() => document.querySelector("{title}").textContent
                             .endsWith("SGD · lr 0.01")""", timeout=30_000)
        wait_for_app(pg)
        pg.wait_for_timeout(500)
        assert pg.evaluate(focused).endswith("SGD · lr 0.01"), pg.evaluate(focused)
    finally:
        context.close()

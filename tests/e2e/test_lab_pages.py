"""The learning-rate lab, basins and concepts pages in a real browser.

Each page renders its figures (Plotly draws them, no exception box); a click on a basin cell and the
tuner's link both open the race with those settings. One server (session fixture) and Debian's
Chromium; waits are on selectors and page state, not sleeps.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlparse

import pytest

from tests.e2e.conftest import SCROLL_TOP_JS, phone_context, swipe_up, wait_for_app
from viz.basins import CLICK_NAME

pytestmark = pytest.mark.e2e

CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot"
LINK = "[data-testid='stLinkButton'] a"
EXCEPTION = "[data-testid='stException']"
#: Streamlit's client probes <page>/_stcore/health to find the base path of a nested URL; the 404
#: it logs on a deep link is not an app error.
PROBE = "the server responded with a status of 404"


def _errors(pg) -> list[str]:
    return [e for e in pg.console_errors if PROBE not in e]


def _open(pg, path: str, charts: int) -> None:
    """Open ``path`` (after the main page once, so st.navigation is known) and wait for charts."""
    if not getattr(pg, "warmed", False):
        pg.goto(pg.base_url + "/")
        wait_for_app(pg, timeout=90_000)
        pg.warmed = True
    pg.goto(pg.base_url + path)
    wait_for_app(pg, timeout=120_000)
    pg.wait_for_function(
        f"n => [...document.querySelectorAll(\"{CHART}\")].filter(g => g.data).length >= n",
        arg=charts, timeout=120_000)


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


@pytest.mark.parametrize(("path", "charts", "title"), [
    ("/learning_rate", 4, "Learning-rate lab"),  # multiples, their loss curves, sweep, schedule
    ("/basins?grid=30", 3, "Basins of attraction"),
    ("/concepts", 11, "Concepts"),
])
def test_page_renders_its_figures(page, path: str, charts: int, title: str) -> None:
    _open(page, path, charts)
    assert page.locator("h1").first.inner_text().startswith(title)
    drawn = page.evaluate(f"() => [...document.querySelectorAll(\"{CHART}\")]"
                          ".map(g => g.querySelectorAll('.main-svg').length)")
    assert len(drawn) == charts and all(n > 0 for n in drawn)
    assert page.locator(EXCEPTION).count() == 0
    assert not _errors(page), _errors(page)


def test_small_multiples_keep_their_surfaces_while_playing(page) -> None:
    _open(page, "/learning_rate?rates=4&steps=60", 3)
    multiples = page.locator(CHART).first
    assert multiples.locator("g.imagelayer image").count() == 4
    multiples.get_by_text("▶ 4×").click()
    page.wait_for_function(
        f"() => document.querySelector(\"{CHART}\")._transitioningWithDuration === false",
        timeout=60_000)
    assert multiples.locator("g.imagelayer image").count() == 4
    assert not _errors(page), _errors(page)


@pytest.mark.parametrize("path", ["/learning_rate?optimizers=sgd&sgd.lr=0.3&steps=60",
                                  "/basins?grid=10&optimizers=sgd&sgd.lr=0.3&steps=60"])
def test_an_optimizer_card_stays_open_while_its_rate_changes(page, path: str) -> None:
    """On these pages the cards had no key: a new lr retitled the card, which came back closed
    after every change (the race's cards stayed open)."""
    _open(page, path, 1)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("SGD · lr 0.3").click()
    thumb = sidebar.locator("[data-testid='stExpander']").filter(
        has_text="SGD").get_by_role("slider").first
    thumb.wait_for(timeout=60_000)
    thumb.focus()
    for lr in ("0.2", "0.15"):  # the log stops below 0.3
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("lr => new URL(location).searchParams.get('sgd.lr') === lr",
                               arg=lr, timeout=60_000)
        wait_for_app(page, timeout=120_000)
        assert thumb.is_visible(), lr  # the card is still open
    assert not _errors(page), _errors(page)


def test_a_basin_cell_click_opens_that_start_in_the_race(page) -> None:
    _open(page, "/basins?grid=30&optimizers=adam&steps=100", 1)
    area = page.locator(CHART).first.locator(".nsewdrag").first.bounding_box()
    # lower right quarter of two_basins' [-4, 4]^2: the deep global well around (2, -1.5)
    page.mouse.click(area["x"] + 0.75 * area["width"], area["y"] + 0.7 * area["height"])
    page.locator(LINK).first.wait_for(timeout=60_000)
    wait_for_app(page, timeout=120_000)
    # above the maps, where the visitor who just clicked sees it (below them it was off-screen)
    button = page.locator(LINK).first.bounding_box()
    map_now = page.locator(CHART).first.locator(".nsewdrag").first.bounding_box()
    assert button["y"] + button["height"] <= map_now["y"], (button, map_now)
    href = page.locator(LINK).first.get_attribute("href")
    link = _query(href)
    x, y = (float(v) for v in link["start"].split(","))
    assert 0.5 < x < 3.5 and -3.0 < y < 0.0, (x, y)
    # The click markers (30 x 30) draw one SVG marker; the picked cell is drawn white by the page.
    page.wait_for_function(f"""() => document.querySelector("{CHART}").data
        .some(t => t.name === 'picked start')""", timeout=60_000)
    drawn = page.evaluate(f"""() => {{
        const gd = document.querySelector("{CHART}");
        const traces = gd.querySelectorAll('.cartesianlayer .subplot.xy .scatterlayer .trace');
        const scatter = gd._fullData.filter(t => t.type === 'scatter');
        const at = name => scatter.findIndex(t => t.name === name);
        const picked = gd.data.find(t => t.name === 'picked start');
        return [gd.data.find(t => t.name === '{CLICK_NAME}').x.length,
                traces[at('{CLICK_NAME}')].querySelectorAll('path.point').length,
                traces[at('picked start')].querySelectorAll('path.point').length,
                picked.x[0], picked.y[0]];
    }}""")
    assert drawn[:3] == [900, 1, 1] and drawn[3:] == [x, y], drawn
    assert link["optimizers"] == "adam" and link["steps"] == "100"

    page.goto(urljoin(page.url, href))
    wait_for_app(page, timeout=120_000)
    page.wait_for_selector(CHART, timeout=120_000)
    assert page.locator("h1").first.inner_text().startswith("Downhill")
    assert float(page.locator("input[aria-label='x']").input_value()) == pytest.approx(x, abs=1e-3)
    assert float(page.locator("input[aria-label='y']").input_value()) == pytest.approx(y, abs=1e-3)
    page.wait_for_function("() => new URL(location).searchParams.get('optimizers') === 'adam'")
    assert _query(page.url)["adam.lr"] == link["adam.lr"]
    assert not _errors(page), _errors(page)


def test_the_tuned_race_link_opens_the_race_with_the_tuned_rates(page) -> None:
    _open(page, "/learning_rate?steps=60&sweep=20&optimizers=sgd,adam", 3)
    page.get_by_role("button", name="Tune every optimizer").click()
    page.locator(LINK).first.wait_for(timeout=120_000)
    href = page.locator(LINK).first.get_attribute("href")
    tuned = _query(href)
    assert tuned["optimizers"] == "sgd,adam"

    page.goto(urljoin(page.url, href))
    wait_for_app(page, timeout=120_000)
    page.wait_for_selector(CHART, timeout=120_000)
    page.wait_for_function("() => new URL(location).searchParams.get('steps') === '60'",
                           timeout=60_000)
    race = _query(page.url)
    for key in ("sgd.lr", "adam.lr", "start", "steps", "surface", "optimizers"):
        assert race[key] == tuned[key], key
    assert not _errors(page), _errors(page)


def test_the_concepts_tour_links_to_the_neural_network_page(page) -> None:
    """Both tour links reach the network page, drawn without errors. Back-propagation's is a page
    link (its icon a Material symbol: an emoji had no font in headless Chromium); the layers
    section's link carries the hidden layers chosen there (it carried nothing: the page opened
    16-16 whatever the tour showed), in a new tab so that the page seeds from it."""
    _open(page, "/concepts?layers=1", 11)
    links = page.locator("[data-testid='stPageLink'] a")
    # The links can arrive a moment after the 11th chart (seen once in CI): wait for them.
    page.wait_for_function(
        "() => document.querySelectorAll(\"[data-testid='stPageLink'] a\").length >= 1",
        timeout=60_000)
    assert links.count() == 1
    assert page.get_by_text("ANN (1 hidden layer)").count() >= 1
    layered = page.locator("a", has_text="on the neural-network page")
    href = layered.get_attribute("href")
    # the section's layers (one of 16) on 3 classes, as it draws them
    assert "neural_network?" in href and "layers=16" in href and "%2C" not in href, href
    assert "dataset=spirals" in href and "classes=3" in href, href
    assert layered.get_attribute("target") == "_blank"
    links.first.click()
    page.wait_for_function("() => location.pathname.endsWith('/neural_network')",
                           timeout=60_000)
    wait_for_app(page, timeout=120_000)
    page.wait_for_selector(CHART, timeout=120_000)
    assert page.locator("h1").first.inner_text().startswith("Neural network")
    assert page.locator(EXCEPTION).count() == 0
    page.goto(urljoin(page.base_url + "/concepts", href))  # as the new tab opens it
    wait_for_app(page, timeout=120_000)
    page.wait_for_selector(CHART, timeout=120_000)
    assert _query(page.url)["layers"] == "16" and _query(page.url)["classes"] == "3"
    assert page.get_by_text("ANN (1 hidden layer)").count() >= 1
    assert not _errors(page), _errors(page)


def test_side_by_side_columns_take_a_row_each_in_a_tablet_s_column(page) -> None:
    """An iPad's 820 px less the open sidebar leaves a ~500 px main column: the concepts
    sections squeezed their text to ~190 px beside a cut 3D figure, and the network page its
    notes to ~115 px. There the columns take a row each; on a 1280 px laptop they stay side by
    side."""
    top = """() => [...document.querySelectorAll("[data-testid='stMain'] [data-testid='stColumn']")]
        .filter(c => !c.parentElement.closest("[data-testid='stColumn']"))
        .map(c => Math.round(c.getBoundingClientRect().width))"""
    for path in ("/concepts", "/neural_network"):
        page.set_viewport_size({"width": 820, "height": 1180})
        _open(page, path, 1)
        # the style sheets come with Streamlit's lazily loaded HTML element: wait for them
        page.wait_for_function("""keys => keys.every(k => [...document.querySelectorAll('style')]
            .some(s => s.textContent.includes(k)))""",
                               arg=["[data-testid='stColumn'] { min-width: 190px"]
                               + (["st-key-tour-section"] if path == "/concepts" else []),
                               timeout=60_000)
        inner = ("e => e.clientWidth - parseFloat(getComputedStyle(e).paddingLeft)"
                 " - parseFloat(getComputedStyle(e).paddingRight)")
        main = page.locator("[data-testid='stMainBlockContainer']")
        narrow, room = page.evaluate(top), main.evaluate(inner)
        assert narrow and all(w >= room - 2 for w in narrow), (path, room, narrow)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.wait_for_timeout(500)
        wide, room = page.evaluate(top), main.evaluate(inner)
        assert wide[0] + wide[1] < room, (path, room, wide)  # the first two share a row


def test_a_swipe_over_a_tour_figure_scrolls_a_phone_s_page(browser, server_url) -> None:
    """Plotly cancels a touch that starts on a chart unless its drag mode is none: on a phone a
    swipe over the tour's figures panned or zoomed them and the page stood still. Now a swipe
    up from the middle of section 2's map scrolls the page, and the map keeps its view."""
    context = phone_context(browser)
    try:
        pg = context.new_page()
        pg.goto(server_url + "/")
        wait_for_app(pg, timeout=90_000)
        pg.goto(server_url + "/concepts")
        wait_for_app(pg, timeout=120_000)
        chart = pg.locator("[data-testid='stPlotlyChart']").nth(1).locator(".js-plotly-plot")
        chart.wait_for(timeout=60_000)
        pg.wait_for_function("g => g.data !== undefined", arg=chart.element_handle())
        chart.scroll_into_view_if_needed()
        view = "g => JSON.stringify([g._fullLayout.xaxis.range, g._fullLayout.yaxis.range])"
        before_view = chart.evaluate(view)
        top = chart.evaluate(SCROLL_TOP_JS)
        box = chart.locator(".nsewdrag").first.bounding_box()
        swipe_up(pg, box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8)
        assert chart.evaluate(SCROLL_TOP_JS) > top + 50, (top, chart.evaluate(SCROLL_TOP_JS))
        assert chart.evaluate(view) == before_view
    finally:
        context.close()


def test_a_click_on_the_chosen_optimizer_keeps_it(page) -> None:
    """A click on the chosen segment deselected it and the panels jumped to the first optimizer
    (focus=adam became focus=sgd); the control now requires a choice."""
    _open(page, "/learning_rate?steps=60&sweep=20&optimizers=sgd,adam&focus=adam", 3)
    chosen = page.locator("[data-testid='stButtonGroup'] button", has_text="Adam")
    chosen.click()
    page.wait_for_timeout(1500)  # a rerun, if the click made one
    wait_for_app(page, timeout=120_000)
    assert _query(page.url)["focus"] == "adam"
    page.locator("[data-testid='stButtonGroup'] button", has_text="SGD").click()
    page.wait_for_function("() => new URL(location).searchParams.get('focus') === 'sgd'",
                           timeout=60_000)
    assert not _errors(page), _errors(page)


def test_the_sidebar_carries_the_landscape_to_the_next_page(page) -> None:
    """Himmelblau on the race, then the lab and the basins page from the sidebar's navigation
    (which opens a page without the URL's query): each opens on Himmelblau and its link says
    so; they opened on their own landscapes."""
    page.goto(page.base_url + "/?surface=himmelblau&steps=100")
    wait_for_app(page, timeout=90_000)
    for title, path in (("Learning-rate lab", "/learning_rate"), ("Basins", "/basins")):
        page.click(f"[data-testid='stSidebarNav'] a:has-text('{title}')")
        page.wait_for_url(f"**{path}?*surface=himmelblau*", timeout=90_000)
        wait_for_app(page, timeout=120_000)
        assert page.locator("h1").first.inner_text().startswith(title)
        box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input").first
        assert box.input_value().startswith("Himmelblau"), box.input_value()
        assert page.locator(EXCEPTION).count() == 0
    assert not _errors(page), _errors(page)

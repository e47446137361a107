"""A shared deep link is the first request a fresh server sees (e.g. after the demo slept)."""

from __future__ import annotations

from tests.e2e.conftest import new_page, start_server, stop_server, wait_for_app


def test_deep_link_on_a_fresh_server_shows_the_app_navigation(browser) -> None:
    proc, url = start_server()
    try:
        context, pg = new_page(browser, url)
        pg.goto(f"{url}/basins?grid=20", wait_until="domcontentloaded")
        wait_for_app(pg, timeout=90_000)
        pg.wait_for_selector("[data-testid='stSidebarNav']", timeout=60_000)
        nav = pg.inner_text("[data-testid='stSidebarNav']")
        # The page titles from app.py, not script names from a folder scan.
        assert "Basins of attraction" in nav and "Race" in nav, nav
        assert "app" not in nav.split(), nav
        pg.wait_for_selector("h1:has-text('Basins of attraction')", timeout=60_000)
        context.close()
    finally:
        stop_server(proc)


def test_race_path_forwards_to_the_race_with_its_settings(page) -> None:
    page.goto(f"{page.base_url}/race?surface=himmelblau&optimizers=sgd,adam&adam.lr=0.07"
              "&seed=5&seed=6")
    page.wait_for_url("**/?*surface=himmelblau*", timeout=90_000)
    wait_for_app(page, timeout=90_000)
    page.wait_for_selector("h1:has-text('optimizer race')", timeout=60_000)
    assert "adam.lr=0.07" in page.url
    assert not page.query_selector("[data-testid='stException']")
    # a key given twice arrives twice: the race says which value it used (it forwarded the last
    # one alone, silently)
    page.wait_for_selector("[data-testid='stAlert']:has-text(\"'seed' is given 2 times\")",
                           timeout=30_000)
    assert "seed=6" in page.url

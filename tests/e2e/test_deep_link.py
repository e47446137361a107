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


def test_a_link_streamlit_cannot_read_is_said_to_be_unread(page) -> None:
    """Streamlit drops a query of more than 1,000 parameters before any page sees it: the page
    opened with its defaults and said nothing (a review). The browser says so; a link of 1,000
    parameters is read (the page lists its problems) and gets no such word."""
    many = "&".join(f"j{i}=1" for i in range(998))
    page.goto(f"{page.base_url}/basins?surface=rosenbrock&grid=20&{many}&k=1")  # 1,001
    wait_for_app(page, timeout=90_000)
    banner = page.wait_for_selector("#downhill-link-refused", timeout=30_000)
    assert banner.get_attribute("role") == "alert"
    assert ("This link was not read: it holds 1,001 parameters, more than the 1,000 the app "
            "reads, so the page opened with its defaults.") in banner.inner_text()
    assert "surface=rosenbrock" not in page.url  # what Streamlit did: the defaults
    page.click("#downhill-link-refused button")
    assert not page.query_selector("#downhill-link-refused")

    page.goto(f"{page.base_url}/basins?surface=rosenbrock&grid=20&{many}")  # 1,000: read
    wait_for_app(page, timeout=90_000)
    page.wait_for_selector("[data-testid='stAlert']:has-text('998 problems')", timeout=60_000)
    assert not page.query_selector("#downhill-link-refused")
    assert "surface=rosenbrock" in page.url

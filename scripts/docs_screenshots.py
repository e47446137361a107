"""Refresh the README's screenshots of the race, lab, basins and concepts pages (docs/*.png).

    python scripts/docs_screenshots.py

Starts ``streamlit run app.py`` and drives Debian's Chromium (the browser tests' fixtures); the
neural-network screenshots come from ``DOWNHILL_SCREENSHOTS=1 python -m pytest tests/e2e``. Look at
every PNG before committing it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, wait_for_app  # noqa: E402

CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot"
FORMULA = "?" + urlencode({"formula": "(x**2 + y - 11)**2 + (x + y**2 - 7)**2 - 3*sin(x)",
                           "optimizers": "sgd,adam,nesterov"})

#: (file, page URL, viewport width, heading to scroll to or None for the full page, 3D tab)
SHOTS = [
    ("race_default.png", "/", 1200, None, False),
    ("race_3d.png", "/", 1200, None, True),
    ("race_formula.png", "/" + FORMULA, 1200, None, False),
    ("learning_rate.png", "/learning_rate", 1400, None, False),
    ("learning_rate_sweep.png", "/learning_rate", 1400, "The sweep:", False),
    ("basins.png", "/basins", 1400, None, False),
    ("concepts.png", "/concepts", 1400, None, False),
    ("concepts_switch.png", "/concepts", 1400, "7. The switch", False),
]


def main() -> None:
    from playwright.sync_api import sync_playwright

    proc, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, path, width, heading, tab_3d in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": 1400})
                page.goto(url + path)
                wait_for_app(page, timeout=120_000)
                page.wait_for_selector(CHART, timeout=120_000)
                if tab_3d:
                    page.get_by_role("tab", name="3D view").click()
                    wait_for_app(page, timeout=120_000)
                    page.locator(".js-plotly-plot .gl-container canvas").first.wait_for(
                        state="attached", timeout=120_000)
                page.wait_for_timeout(4000)  # let every chart finish drawing
                out = ROOT / "docs" / name
                if heading:
                    page.get_by_text(heading).first.scroll_into_view_if_needed()
                    page.evaluate("() => window.scrollBy(0, -80)")
                    page.wait_for_timeout(1500)
                    page.screenshot(path=str(out))
                else:
                    page.screenshot(path=str(out), full_page=True)
                print("wrote", out.relative_to(ROOT))
                page.close()
            browser.close()
    finally:
        proc.terminate()


if __name__ == "__main__":
    main()

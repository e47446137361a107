"""The app's entry point runs and lands on the race page."""

from streamlit.testing.v1 import AppTest


def test_app_renders_default_page_without_exceptions() -> None:
    at = AppTest.from_file("app.py", default_timeout=30).run()
    assert not at.exception

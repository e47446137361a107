"""The app's entry point runs and lands on the race page."""

from tests.app.conftest import app_test


def test_app_renders_default_page_without_exceptions() -> None:
    at = app_test().run()
    assert not at.exception

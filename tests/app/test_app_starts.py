"""The app's entry point runs and lands on the race page."""

from tests.app.conftest import app_test


def test_app_renders_default_page_without_exceptions() -> None:
    at = app_test().run()
    assert not at.exception


def test_every_page_sends_only_valid_plotly_figures(monkeypatch) -> None:
    """Figures are frozen to JSON without plotly's validation (speed); here every chart each
    page sends at its defaults is rebuilt with validation, so an invalid property fails.

    Each chart is also drawn at its figure's own height: Streamlit reads it from the figure
    object, not from the JSON, and a frozen figure once hid it (every race chart was 450 px).
    And each double-click goes back to the figure's own view (``controls.CHART``): Plotly's
    default autosized a map already there, padding it with blank bands."""
    import json

    import plotly.graph_objects as go
    import plotly.io as pio
    import pytest
    from streamlit.elements import plotly_chart

    drawn: list[tuple[object, object]] = []  # (element height, the figure Streamlit read it from)
    plain = plotly_chart._resolve_content_height

    def spy(height, figure):
        drawn.append((plain(height, figure), figure))
        return drawn[-1][0]

    monkeypatch.setattr(plotly_chart, "_resolve_content_height", spy)
    pages = ["app_pages/race.py", "app_pages/learning_rate.py", "app_pages/basins.py",
             "app_pages/concepts.py", "app_pages/neural_network.py"]
    for page in pages:
        at = app_test(page, timeout=120).run()
        assert not at.exception, (page, at.exception)
        charts = at.get("plotly_chart")
        assert charts, page
        for chart in charts:
            assert json.loads(chart.proto.config)["doubleClick"] == "reset", (page, chart.key)
            spec = json.loads(chart.proto.spec)
            # A frame's data updates the traces it names; typeless, plotly would read it as a
            # scatter, so give each the type of its trace.
            types = [d.get("type", "scatter") for d in spec["data"]]
            for frame in spec.get("frames", []):
                targets = frame.get("traces", range(len(frame.get("data", []))))
                for d, t in zip(frame.get("data", []), targets, strict=True):
                    d.setdefault("type", types[t])
            try:
                go.Figure(spec)
            except ValueError as err:
                pytest.fail(f"{page}: invalid figure: {str(err)[:300]}")
    assert len(drawn) >= 5
    for height, figure in drawn:
        wanted = json.loads(pio.to_json(figure, validate=False))["layout"].get("height", 450)
        assert height == wanted, (height, wanted)

"""viz.spec.frozen: the race map's JSON is encoded once, and is exactly plotly's own encoding."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

from viz.spec import SpecFigure, frozen, spec_dict


def small_figure() -> SpecFigure:
    return SpecFigure({"data": [{"type": "scatter", "x": [0.0, 1.5, float("nan")],
                                 "y": [1.0, -2.0, 3.0], "name": "a</script>"}],
                       "layout": {"title": {"text": "é"}}, "frames": [{"name": "1", "data": []}]})


def test_frozen_json_is_plotlys_own_encoding() -> None:
    fig = small_figure()
    plain = pio.to_json(dict(fig.to_dict()), validate=False)
    cold = frozen(fig)
    assert pio.to_json(cold.to_dict(), validate=False) == plain  # what st.plotly_chart calls
    assert pio.to_json(cold, validate=False) == plain  # the figure itself too
    assert json.loads(plain)["data"][0]["name"] == "a</script>"
    assert spec_dict(cold) == json.loads(plain) == spec_dict(fig)


def test_a_frozen_figure_keeps_only_its_text() -> None:
    cold = frozen(small_figure())
    assert dict(cold.to_dict()) == {}  # the lists are gone: ~2 MB less per cached race
    assert spec_dict(cold)["layout"]["title"]["text"] == "é"


def test_frozen_text_is_served_without_reencoding() -> None:
    fig = frozen(small_figure())
    spec = fig.to_dict()
    spec.json = '{"sentinel": true}'  # what the patched to_json returns for a frozen dict
    assert pio.to_json(spec, validate=False) == '{"sentinel": true}'


def test_other_figures_are_encoded_as_before() -> None:
    frozen(small_figure())  # installs the cache
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    assert json.loads(pio.to_json(fig))["data"][0]["x"] == [1, 2]
    d = {"data": [{"type": "bar", "y": [1]}], "layout": {}}
    assert json.loads(pio.to_json(d, validate=False)) == d
    assert "\n" in pio.to_json(fig, pretty=True)  # other arguments still reach plotly


def test_a_frozen_figures_still_copy_is_made_once_and_leaves_it_as_it_was() -> None:
    """A phone's rerun decoded and re-encoded each shared frozen figure's JSON (the network
    page's animated training figure is its largest) to set ``dragmode: false``: the copy is
    kept on the frozen figure."""
    import plotly.graph_objects as go

    from viz.spec import frozen, spec_dict, still

    fig = frozen(go.Figure(go.Scatter(x=[1, 2], y=[3, 4]), layout={"height": 300}))
    once = still(fig)
    assert still(fig) is once
    assert spec_dict(once)["layout"]["dragmode"] is False
    assert once.to_dict()["layout"]["height"] == 300  # st.plotly_chart sizes the element by it
    assert "dragmode" not in spec_dict(fig)["layout"]

"""Small multiples: race panels tiled on their own axes, one shared animation clock."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio

from landscape.base import Minimum
from viz.background import sample_grid
from viz.multiples import small_multiples_figure
from viz.paths import PathView


class Bowl:
    def value(self, xy):
        xy = np.asarray(xy, float)
        return np.sum(xy * xy, axis=-1)

    def grad(self, xy):
        return 2 * np.asarray(xy, float)


def paths(n: int) -> list[PathView]:
    out = []
    for k in range(n):
        q = 1 - 0.3 * (k + 1)
        pts = np.array([[1.5, 1.0]]) * (q ** np.arange(61))[:, None]
        out.append(PathView("adam", f"Adam (lr {k})", pts, Bowl().value(pts), Bowl().grad(pts)))
    return out


def build(n: int):
    grid = sample_grid(Bowl(), ((-2.0, 2.0), (-2.0, 2.0)), n=60)
    minima = (Minimum((0.0, 0.0), 0.0, True),)
    return small_multiples_figure(grid, paths(n), [f"panel {k}" for k in range(n)], minima,
                                  Bowl(), (1.5, 1.0), cols=3)


def test_each_panel_has_its_own_axes_and_background() -> None:
    spec = build(5).to_dict()
    layout = spec["layout"]
    assert {"xaxis", "xaxis2", "xaxis5", "yaxis5"} <= set(layout)
    assert [im["xref"] for im in layout["images"]] == ["x", "x2", "x3", "x4", "x5"]
    assert [a["text"] for a in layout["annotations"]] == [f"panel {k}" for k in range(5)]
    # panels 4 and 5 sit on the second row, below the first
    assert layout["yaxis4"]["domain"][1] < layout["yaxis"]["domain"][0]
    assert sum(1 for t in spec["data"] if t.get("marker", {}).get("showscale")) == 1
    # each panel keeps its own aspect ratio (anchored to its own x axis, not the first panel's)
    assert layout["yaxis3"]["scaleanchor"] == "x3"


def test_frames_move_every_panel_and_only_moving_traces() -> None:
    spec = build(4).to_dict()
    frame = spec["frames"][-1]
    assert len(frame["data"]) == len(frame["traces"]) == 4 * 2  # trail + marker per panel
    moved_axes = {spec["data"][i]["xaxis"] for i in frame["traces"]}
    assert moved_axes == {"x", "x2", "x3", "x4"}
    for i in frame["traces"]:
        assert spec["data"][i]["type"] == "scatter"
    # the last frame's marker of panel k is that path's last point
    marker = frame["data"][1]
    assert marker["x"][0] == float(f"{paths(4)[0].points[60, 0]:.5g}")


def test_serializes_small() -> None:
    text = pio.to_json(build(8))
    assert json.loads(text)["frames"]
    assert len(text) < 1_500_000

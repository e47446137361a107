"""Small multiples: race panels tiled on their own axes, one shared animation clock."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import pytest

from landscape.base import Minimum
from viz.background import sample_grid
from viz.multiples import (
    CHAR_PX,
    HEAD_PX,
    LEGEND_PX,
    LINE_PX,
    PanelTitle,
    balanced_wrap,
    panel_width,
    small_multiples_figure,
    wrap_chars,
)
from viz.paths import PathView
from viz.race_layout import AXIS_TITLE_PX
from viz.style import MODEBAR_PX


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


def test_the_panels_share_one_background_image(monkeypatch) -> None:
    """Every panel shows the same surface: its PNG was encoded once per panel on every rerun
    of the lab (~22 ms each); now once, or never when the page passes its cached one."""
    import viz.background
    import viz.multiples

    made = []
    real = viz.background.background_image
    monkeypatch.setattr(viz.multiples, "background_image",
                        lambda grid: made.append(1) or real(grid))
    layout = build(4).to_dict()["layout"]
    assert len(made) == 1 and len({im["source"] for im in layout["images"]}) == 1
    grid = sample_grid(Bowl(), ((-2.0, 2.0), (-2.0, 2.0)), n=60)
    given = real(grid)
    spec = small_multiples_figure(grid, paths(2), ["a", "b"], (), Bowl(), (1.5, 1.0),
                                  background=given).to_dict()
    assert len(made) == 1 and spec["layout"]["images"][0]["source"] == given["source"]


def test_frames_move_every_panel_and_only_moving_traces() -> None:
    spec = build(4).to_dict()
    frame = spec["frames"][-1]
    # trail + marker per panel, and one step counter (the first panel's: one clock for all)
    assert len(frame["data"]) == len(frame["traces"]) == 4 * 2 + 1
    moved_axes = {spec["data"][i]["xaxis"] for i in frame["traces"]}
    assert moved_axes == {"x", "x2", "x3", "x4"}
    for i in frame["traces"]:
        assert spec["data"][i]["type"] == "scatter"
    counters = [i for i, t in enumerate(spec["data"]) if t.get("meta") == "step"]
    assert len(counters) == 1 and spec["data"][counters[0]]["xaxis"] == "x"
    assert frame["data"][frame["traces"].index(counters[0])] == {"text": ["step 60"]}
    # the last frame's marker of panel k is that path's last point
    marker = frame["data"][2]
    assert marker["x"][0] == float(f"{paths(4)[0].points[60, 0]:.5g}")


def test_serializes_small() -> None:
    text = pio.to_json(build(8))
    assert json.loads(text)["frames"]
    assert len(text) < 1_500_000


def titled(titles, n: int, cols: int) -> dict:
    grid = sample_grid(Bowl(), ((-2.0, 2.0), (-2.0, 2.0)), n=40)
    minima = (Minimum((0.0, 0.0), 0.0, True),)
    return small_multiples_figure(grid, paths(n), titles, minima, Bowl(), (1.5, 1.0),
                                  cols=cols).to_dict()


def test_a_title_is_a_short_first_line_and_the_outcome_wrapped_below_it() -> None:
    """The review's case: "0.0215: reached global minimum (step 33) · best of these" ran into
    its neighbour's title at 1000 and 1280 px with four columns."""
    long = "reached global minimum (step 33), then oscillating near the global minimum"
    titles = [PanelTitle("lr 0.0215", long, best=True)] + [
        f"lr {k}: diverged at step 3" for k in range(7)]
    layout = titled(titles, 8, 4)["layout"]
    notes = layout["annotations"]
    assert notes[0]["text"] == "lr 0.0215 ★ best of these"
    lines = notes[1]["text"].split("<br>")
    assert " ".join(lines) == long and len(lines) > 2
    assert max(map(len, lines)) <= wrap_chars(4)
    assert notes[1]["font"]["size"] < notes[0]["font"]["size"]
    assert [notes[2]["text"], notes[3]["text"]] == ["lr 0", "diverged at step 3"]
    # heads of a row on one line; each map starts under the tallest title block of its row
    heads = [a for a in notes if a["font"]["size"] == notes[0]["font"]["size"]]
    assert len({a["y"] for a in heads[:4]}) == 1
    plot_px = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    title_px = (notes[0]["y"] - layout["yaxis4"]["domain"][1]) * plot_px
    assert title_px >= HEAD_PX + LINE_PX * len(lines)
    assert layout["yaxis4"]["constraintoward"] == "top"  # a shrunk map stays under its title
    assert layout["xaxis4"]["constraintoward"] == "center"  # and centred under it


def test_play_sits_above_the_legend_and_the_colour_bar_at_the_top() -> None:
    """The race's Play row is right above its map; here the minima legend is there, so the
    buttons go one legend row higher (they covered the legend), inside the fixed top margin."""
    fig = titled(["lr 0.01: reached global minimum (step 12)"] * 4, 4, 2)
    layout = fig["layout"]
    menu, legend = layout["updatemenus"][0], layout["legend"]
    assert (menu["y"], menu["yanchor"], legend["y"], legend["yanchor"]) == (1, "bottom", 1,
                                                                            "bottom")
    assert menu["pad"]["b"] >= LEGEND_PX and LEGEND_PX >= 25  # one 12 px row with its symbol
    assert layout["margin"]["t"] >= menu["pad"]["b"] + 33 + 40  # buttons; colour bar row
    bars = [t["marker"]["colorbar"] for t in fig["data"] if t.get("marker", {}).get("showscale")]
    assert len(bars) == 1 and bars[0]["y"] == pytest.approx(1 - MODEBAR_PX / layout["height"])


def test_wrapped_outcomes_fit_their_panel_at_the_narrowest_width() -> None:
    for cols, width in ((2, 358), (4, 540)):
        assert wrap_chars(cols) * CHAR_PX <= panel_width(cols, width)


def test_plain_titles_split_at_the_first_colon_and_wrap_evenly() -> None:
    title = PanelTitle.parse("lr 0.1: stuck in local minimum 1 · best of these")
    assert title.head == "lr 0.1"
    head, lines = title.lines(16)
    assert head == "lr 0.1" and lines[0] == "stuck in local"
    assert not any(line.startswith("·") for line in lines)  # the separator ends its line
    assert balanced_wrap("stuck in local minimum 1", 23) == ["stuck in local", "minimum 1"]
    assert balanced_wrap("diverged at step 3", 23) == ["diverged at step 3"]
    assert balanced_wrap("", 23) == []
    # never inside a word: "SGD + m" / "omentum" was read on a network panel (12 characters)
    assert balanced_wrap("SGD + momentum", 12) == ["SGD +", "momentum"]
    assert balanced_wrap("Nesterov momentum", 7) == ["Nesterov", "momentum"]


def test_a_phone_gets_two_columns_of_maps_fitted_to_its_width() -> None:
    """Fitted to a 640 px figure with four columns, a phone's maps shrank from 183 to 89 px and
    left blank bands; the right-hand columns' y ticks printed over their left neighbours."""
    from viz.multiples import MARGIN_L, MARGIN_R, MIN_WIDTH, map_height

    grid = sample_grid(Bowl(), ((-2.0, 2.0), (-2.0, 2.0)), n=40)
    minima = (Minimum((0.0, 0.0), 0.0, True),)
    args = (grid, paths(6), [f"panel {k}" for k in range(6)], minima, Bowl(), (1.5, 1.0))
    laptop = small_multiples_figure(*args).to_dict()["layout"]
    phone = small_multiples_figure(*args, phone=True).to_dict()["layout"]
    assert "xaxis4" in laptop and laptop["xaxis4"]["domain"][0] > 0.7  # four columns
    assert phone["xaxis3"]["domain"] == phone["xaxis"]["domain"]  # two: the third wraps
    ya = phone["yaxis"]["domain"]
    map_px = (ya[1] - ya[0]) * (phone["height"] - phone["margin"]["t"] - phone["margin"]["b"])
    # a square map as wide as a panel of the phone's 358 px figure, give or take a pixel
    width = (MIN_WIDTH[2] - MARGIN_L - MARGIN_R) / 2 * 0.95
    assert abs(map_px - width) < 1.5 and map_height(1.0, 2, MIN_WIDTH[2]) == int(width)
    for layout in (laptop, phone):
        assert layout["yaxis"].get("showticklabels", True)
        assert layout["yaxis2"]["showticklabels"] is False


def test_small_panels_shrink_the_labelled_markers_and_drop_their_labels() -> None:
    """The race's start and minima labels crowd a small panel: the panels drop them and draw
    those markers at 0.7 of the race's size (when the labels became layout annotations the
    shrink went unnoticed: the markers grew back to full size)."""
    from viz.style import MINIMUM_GLOBAL, START_MARKER

    spec = build(2).to_dict()
    sizes = {(t["name"], t["marker"]["size"]) for t in spec["data"]
             if t.get("name") in ("start", "global minimum")}
    assert sizes == {("start", 0.7 * START_MARKER["size"]),
                     ("global minimum", 0.7 * MINIMUM_GLOBAL["size"])}
    assert not any(a.get("xref", "paper") != "paper" for a in spec["layout"]["annotations"])


class Line(Bowl):
    axes = ("w", "b")  # a data loss's parameters (``Surface.axes``)


def test_a_data_loss_s_maps_name_its_parameters_once_per_column_and_row() -> None:
    """The lab's maps of the line fit drew untitled axes. They name w under each column's last
    map and b left of the first column (where the y ticks are), with room for b taken from the
    figure's width; a surface's maps stay untitled."""
    grid = sample_grid(Bowl(), ((-2.0, 2.0), (-2.0, 2.0)), n=60)
    minima = (Minimum((0.0, 0.0), 0.0, True),)
    figs = {obj: small_multiples_figure(grid, paths(5), [f"panel {k}" for k in range(5)], minima,
                                        obj, (1.5, 1.0), cols=3).to_dict()["layout"]
            for obj in (Bowl(), Line())}
    plain, named = figs.values()

    def titles(layout: dict, axis: str) -> list[str]:
        return [layout[f"{axis}{k}"].get("title", {}).get("text", "")
                for k in ("", "2", "3", "4", "5")]

    assert titles(named, "xaxis") == ["", "", "w", "w", "w"]  # panel 3 has none under it
    assert titles(named, "yaxis") == ["b", "", "", "b", ""]
    assert titles(plain, "xaxis") == titles(plain, "yaxis") == [""] * 5
    assert named["margin"]["l"] == plain["margin"]["l"] + AXIS_TITLE_PX
    assert named["margin"]["b"] == plain["margin"]["b"] + AXIS_TITLE_PX  # the race's x title row


def test_a_loss_curve_ends_where_the_walker_falls_below_the_map_s_minimum() -> None:
    """McCormick goes on falling past its map's edge: the lab's lr 1 panel said "left the map at
    step 16" over a loss curve that sank to the 1e-12 floor, which its caption calls "reached the
    minimum" (a review). A gap clearly under 0 ends the line; rounding around f* is floored."""
    from viz.curves import GAP_FLOOR, gap_curve, loss_series

    f_star = -1.9133
    losses = np.array([5.0, 1.0, 1e-3, f_star - 1e-15, f_star + 1e-14, -3.0, -30.0]) + 0.0
    losses[:3] += f_star
    gap = gap_curve(losses, f_star)
    assert np.allclose(gap[:3], [5.0, 1.0, 1e-3])
    assert gap[3] == GAP_FLOOR and gap[4] == pytest.approx(1e-14, rel=0.1)  # rounding: kept
    assert np.isnan(gap[5:]).all()  # under the minimum: off the map, not at it
    assert np.isinf(gap_curve(np.array([1.0, np.inf]), 0.0)[1])  # a blow-up still shoots up
    view = PathView("adam", "Adam", np.zeros((7, 2)), losses, np.zeros((7, 2)))
    assert np.isnan(loss_series([view], f_star).ys[0][-1])

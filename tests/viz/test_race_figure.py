"""Structure of the race figures: what is static, what frames carry, minima, axes, background."""

from __future__ import annotations

import base64
import itertools
import json
import math
import struct
import zlib
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import plotly.io as pio
import pytest

from landscape import Minimum
from viz.background import (
    background_png,
    color_levels,
    colorbar_trace,
    encode_png,
    sample_grid,
)
from viz.curves import distance_series, loss_figure
from viz.map_labels import minima_traces
from viz.numbers import round_sig
from viz.paths import (
    PathView,
    frame_steps,
    lost_mark,
    path_view,
    shape_indices,
    trail_indices,
)
from viz.playback import ALL_LABELLED, SLIDER_INTERVALS, Playback, race_frame_steps, slider_marks
from viz.race import PIXEL_CELLS, arrow_vectors, race_figure, thin_trail_runs
from viz.style import optimizer_color
from viz.surface3d import LIFT, drawn_height, surface_3d_figure


class Bowl:
    """f = x^2 + 4 y^2 (global minimum 0 at the origin) with a fake local minimum for labels."""

    domain = ((-2.0, 2.0), (-1.0, 1.0))
    minima = (Minimum((0.0, 0.0), 0.0, True), Minimum((1.5, 0.5), 0.3, False))

    def value(self, xy):
        xy = np.asarray(xy, float)
        return xy[..., 0] ** 2 + 4 * xy[..., 1] ** 2

    def grad(self, xy):
        xy = np.asarray(xy, float)
        return np.stack([2 * xy[..., 0], 8 * xy[..., 1]], axis=-1)


@dataclass(frozen=True)
class Traj:
    points: np.ndarray
    losses: np.ndarray
    diverged_step: int = -1


def gd_path(lr: float, steps: int, name: str = "sgd", diverge_at: int = -1) -> PathView:
    b = Bowl()
    p = np.array([-1.8, 0.9])
    pts = [p]
    for _ in range(steps):
        p = p - lr * b.grad(p)
        pts.append(p)
    pts = np.array(pts)
    return path_view(name, f"{name} (lr {lr})", Traj(pts, b.value(pts), diverge_at), b)


@pytest.fixture(scope="module")
def grid():
    b = Bowl()
    return sample_grid(b, b.domain, 60, log_scale=True, z_floor=0.0)


@pytest.fixture(scope="module")
def race(grid):
    paths = [gd_path(0.05, 500, "sgd"), gd_path(0.1, 500, "adam"), gd_path(0.2, 300, "momentum",
                                                                          diverge_at=120)]
    fig = race_figure(grid, paths, Bowl.minima, Bowl(), start=(-1.8, 0.9))
    return fig.to_dict(), paths


def moving_indices(spec) -> list[int]:
    """The traces a frame moves (the others it lists are replotted with no data: ``{}``)."""
    frame = spec["frames"][0]
    return [i for i, d in zip(frame["traces"], frame["data"], strict=True) if d]


def step_frames(spec) -> list[dict]:
    """The frames, one a step shown (no empty pause frame: Pause stops where it is), each with
    only its moving traces' data (``moved``)."""
    assert all(f["name"] == str(k) for k, f in enumerate(spec["frames"]))
    return [moved(f) for f in spec["frames"]]


def moved(frame: dict) -> dict:
    """``frame`` without the static traces it replots unchanged (listed with ``{}``)."""
    keep = [j for j, d in enumerate(frame["data"]) if d]
    return {**frame, "data": [frame["data"][j] for j in keep],
            "traces": [frame["traces"][j] for j in keep]}


def test_frames_move_only_the_moving_traces_and_replot_the_maps_static_ones(race) -> None:
    """Frames send only what moves; the map's static traces are listed with no data (``{}``)
    so that Plotly replots them each frame: after frames without them it dropped clicks on the
    map until a full redraw (so Pause could not stop where it was)."""
    spec, paths = race
    idx = moving_indices(spec)
    # a trail per optimizer, one trace of current positions, the step counter
    assert len(idx) == len(paths) + 2
    static = [i for i in range(len(spec["data"])) if i not in idx]
    on_map = [i for i in static if spec["data"][i].get("xaxis", "x") == "x"]
    for frame in spec["frames"]:
        assert frame["traces"] == idx + on_map
        assert frame["data"][len(idx):] == [{}] * len(on_map)
        assert "layout" not in frame
        *trails, counter, current = frame["data"][:len(idx)]
        assert set(counter) == {"text"}
        for d in trails:
            assert set(d) == {"x", "y"}  # only coordinates move
        assert set(current) <= {"x", "y", "marker"}  # and, at a shared spot, the dots' sizes
        assert set(current.get("marker", {})) <= {"size"}
    assert all(spec["data"][i]["type"] == "scatter" for i in idx)
    assert all(i < min(idx) for i in static)  # static traces first, never moved by frames


def test_the_step_counter_reads_each_frames_step_in_the_maps_corner(race) -> None:
    """The slider reads the step only at its marks (and a laptop has it out of view): a text in
    the map's top-right corner names every frame's step, and the still figure shows the last."""
    spec, paths = race
    counter = next(t for t in spec["data"] if t.get("meta") == "step")
    layout = spec["layout"]
    assert (counter["x"][0], counter["y"][0]) == (layout["xaxis"]["range"][1],
                                                  layout["yaxis"]["range"][1])
    assert counter["textposition"] == "bottom left" and counter["hoverinfo"] == "skip"
    i = spec["data"].index(counter)
    shown = [f["data"][f["traces"].index(i)]["text"][0] for f in step_frames(spec)]
    steps = [int(t.removeprefix("step ")) for t in shown]
    assert steps[0] == 0 and steps == sorted(steps) and len(set(steps)) == len(steps)
    assert counter["text"] == [shown[-1]] == [f"step {max(p.steps for p in paths)}"]
    assert steps[-1] == max(p.steps for p in paths)


def test_frame_size_does_not_grow_with_the_step(race) -> None:
    spec, _ = race
    sizes = [len(json.dumps(f["data"])) for f in step_frames(spec)]
    assert max(sizes) < 4 * np.median(sizes)  # the trail is thinned, not the whole prefix
    assert len(step_frames(spec)) <= Playback().max_frames


def test_markers_follow_the_path_at_each_frame_step(race) -> None:
    spec, paths = race
    steps, marks = race_frame_steps(max(p.steps for p in paths))
    assert spec["data"][moving_indices(spec)[-1]]["meta"] == "current"
    for k in (len(steps) // 2, marks[1], len(steps) - 1):
        positions = step_frames(spec)[k]["data"][-1]  # one point per optimizer
        for i, p in enumerate(paths):
            s = min(steps[k], p.steps)  # a shorter path waits at its end
            np.testing.assert_allclose([positions["x"][i], positions["y"][i]], p.points[s],
                                       rtol=1e-4, atol=1e-8)


def test_background_is_a_layout_image_not_a_trace(race) -> None:
    spec, _ = race
    assert not any(t["type"] in ("heatmap", "contour") for t in spec["data"])
    (image,) = spec["layout"]["images"]
    assert image["source"].startswith("data:image/png;base64,")
    assert image["layer"] == "below" and image["xref"] == "x"
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (-2.0, 1.0, 4.0, 2.0)


def test_axes_ranges_are_fixed_to_the_domain(race) -> None:
    layout = race[0]["layout"]
    assert layout["xaxis"]["range"] == [-2.0, 2.0] and layout["xaxis"]["autorange"] is False
    assert layout["yaxis"]["range"] == [-1.0, 1.0] and layout["yaxis"]["autorange"] is False
    # the x labels stand off the axis: "-1" at the y axis's foot touched "-2" under the corner
    assert layout["xaxis"]["ticklabelstandoff"] >= 4


def test_a_click_on_a_path_selects_a_point_on_it(race) -> None:
    """Plotly selects no point of a lines-only trace: a click on a path selected nothing, faded
    the map and moved no start. Each path's hover trace carries markers, one drawn, invisible."""
    spec, paths = race
    ghosts = [t for t in spec["data"] if "customdata" in t and t.get("hovertemplate", "")
              .startswith("<b>") and "line" in t]
    assert len(ghosts) == len(paths)
    for g in ghosts:
        assert g["mode"] == "lines+markers"
        assert g["marker"]["maxdisplayed"] == 1 and g["marker"]["opacity"] <= 0.01


def test_minima_markers_global_star_local_hollow(race) -> None:
    spec, _ = race
    by_name = {t.get("name"): t for t in spec["data"]}
    assert by_name["global minimum"]["marker"]["symbol"] == "star"
    local = by_name["local minimum"]["marker"]
    assert local["symbol"] != "star" and local["line"]["color"] != local["color"]  # hollow look
    assert by_name["local minimum"]["text"] == ["local 1"]


def test_colours_and_legend_name_optimizer_and_lr(race) -> None:
    spec, paths = race
    assert not any(spec["data"][i].get("showlegend") for i in moving_indices(spec))
    legend = [t for t in spec["data"] if t.get("showlegend") and t.get("legendgroup") in
              {p.name for p in paths}]
    assert [t["name"] for t in legend] == [p.label for p in paths]
    for t, p in zip(legend, paths, strict=True):
        assert t["marker"]["color"] == optimizer_color(p.name)
        assert "lr" in t["name"]


def test_hover_on_paths_shows_step_position_loss_gradient(race) -> None:
    spec, paths = race
    ghost = next(t for t in spec["data"] if t.get("customdata") is not None
                 and t.get("legendgroup") == paths[0].name)
    template = ghost["hovertemplate"]
    for word in ("step", "(x, y)", "loss", "∇f"):
        assert word in template
    loss, gx, gy = next(c for c in ghost["customdata"] if c[0] == 10)[1:4]
    np.testing.assert_allclose(loss, paths[0].losses[10], rtol=1e-3)  # as shown: .4g
    np.testing.assert_allclose([gx, gy], paths[0].grads[10], rtol=1e-2)  # as shown: .3g


def test_steps_within_one_pixel_collapse_into_a_step_range(race, grid) -> None:
    """SGD on the bowl converges: its ghost keeps one point per pixel cell, labelled "i–j", and
    every step of the path lies within a cell of the drawn line's points."""
    spec, paths = race
    p = paths[0]
    ghost = next(t for t in spec["data"] if t.get("customdata") is not None
                 and t.get("legendgroup") == p.name)
    labels = [str(c[0]).split(" (")[0] for c in ghost["customdata"]]
    assert len(labels) < len(p.points) / 2
    first, last = (int(v) for v in labels[-1].split("–"))
    assert last == p.steps and first < last  # the converged end: one point, "first–500"
    # its numbers are the last step's, and say so: step 20's gradient read as a slope left
    # where the walker had settled (a review)
    end = ghost["customdata"][-1]
    assert end[0] == f"{first}–{last} (numbers at {last})"
    np.testing.assert_allclose(end[1], p.losses[-1], rtol=1e-3)
    np.testing.assert_allclose(end[2:4], p.grads[-1], rtol=1e-2, atol=1e-12)
    covered = [int(v) for lab in labels for v in range(int(str(lab).split("–")[0]),
                                                       int(str(lab).split("–")[-1]) + 1)]
    assert covered == list(range(len(p.points)))  # every step is in exactly one label
    (x0, x1), (y0, y1) = grid.domain
    side = np.hypot(x1 - x0, y1 - y0) / PIXEL_CELLS
    drawn = np.array([ghost["x"], ghost["y"]], float).T
    gap = np.min(np.hypot(*(p.points[:, None, :] - drawn[None]).transpose(2, 0, 1)), axis=1)
    assert gap.max() < 2 * side


def test_trails_drop_repeats_but_end_at_the_marker(race) -> None:
    spec, _ = race
    frames = step_frames(spec)
    trail, marks = frames[-1]["data"][0], frames[-1]["data"][-1]
    assert len(trail["x"]) < 40  # a converged trail is not 30 copies of one spot
    assert (trail["x"][-1], trail["y"][-1]) == (marks["x"][0], marks["y"][0])
    run = np.array([7, 7, 7, 8, 8, 8])  # path steps 0-2 on one spot, then 3-5 on another
    kept, bounds = thin_trail_runs(np.array([0, 1, 2, 3, 4, 0, 1, 5]), np.array([5, 2, 1]), run)
    assert [kept[a:b].tolist() for a, b in itertools.pairwise(bounds)] == [
        [0, 3, 4], [0, 1], [5]]


def test_diverged_path_is_marked_where_it_stopped(race) -> None:
    spec, paths = race
    mark = next(t for t in spec["data"] if t.get("name") == "diverged")
    assert mark["customdata"] == [[paths[2].label, 120, ""]]  # it diverged in view
    assert (mark["x"][0], mark["y"][0]) == tuple(round_sig(paths[2].points[120]))


def test_a_diverged_walker_s_dot_goes_out_at_its_divergence(race) -> None:
    """Its ✕ marks the spot; the dot on top of it half hid it."""
    spec, paths = race
    frames = step_frames(spec)
    steps = [int(f["data"][-2]["text"][0].split()[-1]) for f in frames]  # the step counter
    sizes = [f["data"][-1]["marker"]["size"] for f in frames]
    for step, size in zip(steps, sizes, strict=True):
        assert (size[2] == 0) == (step >= paths[2].diverged_step), (step, size)
        assert size[0] > 0 and size[1] > 0
    dots = next(t for t in spec["data"] if t.get("meta") == "current")
    assert dots["marker"]["size"][2] == 0  # the opening view shows the last frame


def test_a_path_that_flew_off_is_marked_where_it_left_the_map(grid) -> None:
    """Its last good point was far outside the view, and so was its ✕."""
    pts = np.array([[-1.0, 0.5], [0.5, 0.0], [28.0, -6.0]])
    flew = PathView("sgd", "SGD (lr 0.5)", np.vstack([pts, pts[-1:]]), np.ones(4),
                    np.zeros((4, 2)), 3)
    spec = race_figure(grid, [flew], Bowl.minima, Bowl()).to_dict()
    mark = next(t for t in spec["data"] if t.get("name") == "diverged")
    (_, x1), (y0, y1) = grid.domain
    x, y = mark["x"][0], mark["y"][0]
    assert x == pytest.approx(x1) and y0 <= y <= y1  # on the right edge, where it crossed
    assert y == pytest.approx(-6.0 * (x1 - 0.5) / 27.5, rel=1e-3)
    assert mark["customdata"][0][2] == "; it left the map here at step 2"
    assert mark["cliponaxis"] is False
    # the drawn path stops there too: no segment between its far-off points crosses the view
    trail = step_frames(spec)[-1]["data"][0]
    assert max(trail["x"]) == pytest.approx(x1) and (trail["x"][-1], trail["y"][-1]) == (x, y)
    # the hover path is the true one up to the step that left (whose segment the plot clips):
    # no edge point that carries the far point's loss
    ghost = next(t for t in spec["data"] if t.get("mode") == "lines+markers" and "customdata" in t)
    assert (ghost["x"], ghost["y"]) == ([-1.0, 0.5, 28.0], [0.5, 0.0, -6.0])


def test_a_path_that_ends_off_the_map_stops_at_the_edge_without_a_mark(grid) -> None:
    """Not diverged (``run`` freezes a path only far away): the same straight lines crossed the
    view, and its dot stood outside it."""
    pts = np.array([[-1.0, 0.5], [0.5, 0.0], [28.0, -6.0], [-30.0, 4.0], [-31.0, 4.0]])
    away = PathView("sgd", "SGD (lr 0.5)", pts, np.ones(5), np.ones((5, 2)))
    spec = race_figure(grid, [away], Bowl.minima, Bowl(), playback=Playback(arrows=True))
    spec = spec.to_dict()
    assert not any(t.get("name") == "diverged" for t in spec["data"])
    last = step_frames(spec)[-1]["data"]
    trail, dots = last[0], last[-1]
    (_, x1), _ = grid.domain
    assert max(trail["x"]) == pytest.approx(x1) and min(trail["x"]) == -1.0
    assert dots["x"][0] == pytest.approx(x1)  # the dot stands where it left
    gradient_arrow = last[1]
    assert gradient_arrow["x"][1] is None  # no arrow where it is not
    # an arrow beside its dot points the way it went (a review read the stopped dot, beside a
    # falling loss curve, as a walker stuck on the edge), and its hover says where it ends
    mark = next(t for t in spec["data"] if t.get("name") == "left the map")
    assert mark["marker"]["symbol"] == "arrow" and mark["cliponaxis"] is False
    # right and a bit down, on the screen: this map's axes are to one scale
    assert mark["marker"]["angle"] == [pytest.approx(np.degrees(np.arctan2(27.5, -6.0)), abs=0.1)]
    assert mark["x"][0] < x1 and x1 - mark["x"][0] < 0.1  # inside, next to the edge
    assert mark["customdata"][0][:2] == ["SGD (lr 0.5)", 2]
    assert mark["customdata"][0][2:] == [-31.0, 4.0, 1.0]  # its true end and loss
    assert "it ends off the map at" in mark["hovertemplate"]


def test_only_a_path_that_ends_off_the_map_gets_a_left_the_map_arrow(race) -> None:
    spec, _ = race  # two paths ending on the map, one diverged (its ✕ says so)
    assert not any(t.get("name") == "left the map" for t in spec["data"])


def test_the_3d_view_draws_a_departed_path_while_on_the_map(grid) -> None:
    pts = np.array([[-1.0, 0.5], [0.5, 0.0], [28.0, -6.0], [-35043.0, 13.2]])
    flew = PathView("sgd", "SGD (lr 0.5)", pts, np.array([1.0, 0.3, 800.0, 1e9]),
                    np.zeros((4, 2)), 3)
    line = next(t for t in surface_3d_figure(grid, [flew], Bowl.minima).to_dict()["data"]
                if t["type"] == "scatter3d" and t.get("mode") == "lines")
    assert line["x"] == [-1.0, 0.5] and line["customdata"] == [0, 1]


def test_lost_mark_uses_the_last_departure() -> None:
    box = ((0.0, 10.0), (0.0, 10.0))
    out_in_out = np.array([[5.0, 5.0], [15.0, 5.0], [5.0, 5.0], [5.0, 20.0]])
    at, left = lost_mark(out_in_out, box, 3)
    assert left == 3 and at == pytest.approx((5.0, 10.0))
    assert lost_mark(out_in_out, box, 2)[1] is None  # back on the map at its end


def test_pause_stops_where_it_is_and_play_resumes_from_there(race) -> None:
    layout = race[0]["layout"]
    labels = [b["label"] for b in layout["updatemenus"][0]["buttons"]]
    assert "▶ Play" in labels and "❚❚ Pause" in labels and any("4×" in x for x in labels)
    names, play = layout["updatemenus"][0]["buttons"][0]["args"]
    frames = step_frames(race[0])
    assert names == [f["name"] for f in frames]
    assert play["frame"]["redraw"] is False and play["fromcurrent"] is True
    pause = layout["updatemenus"][0]["buttons"][1]["args"]
    assert pause[0] == [None] and pause[1]["mode"] == "immediate"  # no frame: stop, stay
    slider = layout["sliders"][0]["steps"]
    assert 10 <= len(slider) <= 50 and slider[0]["args"][0] == ["0"]
    assert slider[-1]["args"][0] == [frames[-1]["name"]]
    assert layout["sliders"][0]["active"] == len(slider) - 1


def test_slider_reads_round_steps_and_ends_at_the_last_step(race) -> None:
    """A 500-step race: the slider offers 0, 50, ..., 500, each showing the frame of that very
    step; the frames stay as many as before."""
    spec, _ = race
    slider = spec["layout"]["sliders"][0]
    assert [s["label"] for s in slider["steps"]] == [str(k) for k in range(0, 501, 50)]
    steps, marks = race_frame_steps(500)
    assert [s["args"][0] for s in slider["steps"]] == [[str(k)] for k in marks]
    assert [int(steps[k]) for k in marks] == list(range(0, 501, 50))
    assert slider["active"] == len(slider["steps"]) - 1
    assert len(step_frames(spec)) == len(frame_steps(500)) == Playback().max_frames
    # Over it, unlabelled and with no ticks drawn (0 px wide), the handle's slider offers every
    # frame; the labelled one draws no rail or handle of its own.
    handle = spec["layout"]["sliders"][1]
    assert [s["args"][0] for s in handle["steps"]] == [[f["name"]] for f in spec["frames"]]
    assert {s["label"] for s in handle["steps"]} == {""}
    assert handle["tickwidth"] == handle["minorticklen"] == 0
    assert handle["active"] == len(spec["frames"]) - 1
    assert [handle[k] for k in ("x", "y", "len")] == [slider[k] for k in ("x", "y", "len")]
    assert slider["bgcolor"] == slider["bordercolor"] == "rgba(0,0,0,0)"
    assert handle["steps"][5]["args"][1] == slider["steps"][1]["args"][1]  # the same redraw


N_STEPS = [*range(0, 41), 99, 100, 110, 150, 370, 490, 500, 510, 990, 1000, 1500, 1990, 2000,
           10_000]


@pytest.mark.parametrize("n", N_STEPS)
def test_slider_marks_are_round_and_end_at_the_last_step(n: int) -> None:
    marks = slider_marks(n)
    assert marks[0] == 0 and marks[-1] == n and np.all(np.diff(marks) > 0)
    assert len(marks) - 1 <= SLIDER_INTERVALS
    d = marks[1] if n else 1
    assert d in (1, 2, 5) or str(d).rstrip("0") in ("1", "2", "25", "5")  # a round interval
    inner = marks[1:-1]
    assert all(m % d == 0 for m in inner) and (not inner or n - inner[-1] >= d / 2)
    if len(marks) - 1 > ALL_LABELLED:
        assert (len(marks) - 1) % 2 == 0  # every other label reaches the end


def plotly_label_stride(slider_px: float, intervals: int, label_px: float) -> int:
    """Plotly's slider labels every k-th position from the first (plotly.js sliders/draw.js):
    k = ceil((widest label + labelPadding 8) / ((length - 2 stepInset 10) / intervals))."""
    return max(1, math.ceil((label_px + 8) / ((slider_px - 20) / max(intervals, 1))))


@pytest.mark.parametrize("slider_px", [280, 306, 400, 488, 600, 768, 888])
def test_the_last_slider_mark_is_labelled_at_every_width(slider_px: int) -> None:
    """The slider spans the plot (306 px on a 390 px phone, 888 px at 1400 px): for every step
    count Plotly's label stride divides the intervals, so the last step is labelled (it read 450
    on a 500-step slider at 1280 px, 90 on a 100-step one). Labels: 11 px digits, ~6.2 px each."""
    for n in [*range(1, 201), *range(210, 2001, 10)]:
        marks = slider_marks(n)
        k = plotly_label_stride(slider_px, len(marks) - 1, 6.2 * len(str(n)))
        assert (len(marks) - 1) % k == 0, (n, slider_px, marks, k)


def test_arrows_shrink_with_the_slope_and_vanish_at_the_minimum(grid) -> None:
    """Arrow lengths follow the gradient's and the step's sizes (square root of their share of
    the path's largest); at the minimum both are gone. Unit arrows pointed somewhere at the
    bottom of a converged race, as if there were still a slope."""
    path = gd_path(0.05, 300)  # converges to the origin well before step 300
    spec = race_figure(grid, [path], Bowl.minima, Bowl(), playback=Playback(arrows=True))
    frames = step_frames(spec.to_dict())
    lengths = []
    for f in frames:
        grad_arrow = f["data"][1]
        (x0, x1), (y0, y1) = grad_arrow["x"], grad_arrow["y"]
        lengths.append(None if x1 is None else float(np.hypot(x1 - x0, y1 - y0)))
    assert lengths[0] is not None and lengths[-1] is None  # long at the start, gone at the end
    drawn = [v for v in lengths if v is not None]
    assert all(a >= b - 1e-3 for a, b in pairwise(drawn))  # shrinking as the slope fades
    g = -path.grads
    norm = np.hypot(g[:, 0], g[:, 1])
    full = 0.1 * np.hypot(4, 2)  # the bowl's diagonal
    assert lengths[0] == pytest.approx(full * np.sqrt(norm[0] / norm.max()), rel=1e-3)


def test_random_search_is_drawn_as_its_finds_not_as_a_walk(grid) -> None:
    """Random search's best-so-far jumps anywhere on the map: a line between its finds read as
    a walk it never took. Its trail, hover path and 3D path are points, every find kept."""
    b = Bowl()
    pts = np.array([[-1.8, 0.9]] * 3 + [[1.2, -0.5]] * 4 + [[0.3, 0.6]] * 3 + [[-0.1, 0.05]] * 5)
    jumper = path_view("random_search", "Random search", Traj(pts, b.value(pts), -1), b)
    spec = race_figure(grid, [jumper, gd_path(0.05, 14)], Bowl.minima, b).to_dict()
    ghost = next(t for t in spec["data"] if t.get("name") == "Random search")
    assert ghost["mode"] == "markers" and len(ghost["x"]) == 4  # one point per find
    trail = step_frames(spec)[-1]["data"][0]
    assert len(set(zip(trail["x"], trail["y"], strict=True))) == 4
    def modes(group: str) -> set[str]:
        return {t.get("mode") for t in spec["data"] if t.get("legendgroup") == group}

    assert "lines" not in modes("random_search") and "lines" in modes("sgd")  # a walk: a line
    three_d = surface_3d_figure(grid, [jumper], Bowl.minima).to_dict()
    assert next(t for t in three_d["data"] if t.get("name") == "Random search")["mode"] == "markers"


def test_minimum_labels_near_the_map_s_edges_turn_inwards(grid) -> None:
    """Centred over a minimum on the map's edge, a label ran half off the map ("global 6" on
    sin(x)*cos(y)); labels inside keep their place above the marker."""
    edge = (Minimum((-1.95, 0.0), 0.0, True), Minimum((1.95, 0.0), 0.0, True),
            Minimum((0.0, 0.0), 0.0, True), Minimum((0.5, 0.97), 0.1, False))
    spec = race_figure(grid, [gd_path(0.05, 5)], edge, Bowl()).to_dict()
    notes = {a["text"]: a for a in spec["layout"]["annotations"]}
    place = {k: (a["xanchor"], a["yanchor"]) for k, a in notes.items()}
    assert [place[f"global {k}"] for k in (1, 2, 3)] == [
        ("left", "bottom"), ("right", "bottom"), ("center", "bottom")]  # right, left, centred
    assert place["local 1"] == ("center", "top")  # at the top: under its marker
    assert notes["local 1"]["yshift"] < 0 < notes["global 3"]["yshift"]
    assert notes["global 1"]["xshift"] > 0 > notes["global 2"]["xshift"]


def test_labels_are_annotations_over_the_paths_and_the_markers_stay_traces(race) -> None:
    """Drawn as trace text, "start" and "local 1" lay under the paths that crossed them; the
    text was also the costliest part of replotting the static traces in every frame."""
    spec, _ = race
    notes = {a["text"]: a for a in spec["layout"]["annotations"] if a.get("xref") == "x"}
    start = next(t for t in spec["data"] if t.get("name") == "start")
    assert start["mode"] == "markers" and "textposition" not in start
    assert (notes["start"]["x"], notes["start"]["y"]) == (start["x"][0], start["y"][0])
    assert notes["start"]["yanchor"] == "top"  # under its marker, as before
    local = next(t for t in spec["data"] if t.get("name") == "local minimum")
    assert local["mode"] == "markers" and local["text"] == ["local 1"]  # the hover reads it
    assert "local 1" in notes and not any("text" in t.get("mode", "") for t in spec["data"]
                                          if t.get("meta") != "step")


def test_arrow_vectors_keep_direction_and_drop_blow_ups() -> None:
    v = np.array([[3.0, 4.0], [0.3, 0.4], [1e-9, 0.0], [np.inf, 1.0], [300.0, 400.0]])
    on = np.array([True, True, True, True, False])  # the blow-up is off the map
    a = arrow_vectors(v, on, 1.0)
    assert np.allclose(a[0], [0.6, 0.8])  # the largest on the map: full length
    assert np.allclose(a[1], np.array([0.6, 0.8]) * np.sqrt(0.1))  # 10x smaller: 0.32 long
    assert np.isnan(a[2]).all() and np.isnan(a[3]).all()  # about nothing; not finite
    assert np.allclose(a[4], [6.0, 8.0])  # off the map, scaled like the rest


@pytest.mark.parametrize(("n", "frames"), [(500, 150), (500, 100), (2000, 150), (370, 150),
                                           (149, 150), (10, 150), (1000, 20), (500, 3), (0, 150)])
def test_slider_marks_replace_frames_without_adding_any(n: int, frames: int) -> None:
    steps, marks = race_frame_steps(n, frames)
    even = frame_steps(n, frames)
    assert len(steps) == len(even) and steps[0] == 0 and steps[-1] == n
    assert np.all(np.diff(steps) > 0)  # still increasing: trails and the clock rely on it
    assert len(set(marks)) == len(marks) and marks[-1] == len(steps) - 1
    spacing = n / max(len(even) - 1, 1)
    assert np.max(np.abs(steps - even)) <= spacing / 2 + 1  # a frame moves by half a spacing


def test_arrows_add_two_moving_traces_per_optimizer(grid) -> None:
    paths = [gd_path(0.05, 50)]
    spec = race_figure(grid, paths, Bowl.minima, Bowl(), playback=Playback(arrows=True)).to_dict()
    assert len(moving_indices(spec)) == 5  # trail, two arrows, counter, positions
    grad_arrow = step_frames(spec)[3]["data"][1]
    x0, x1 = grad_arrow["x"]
    assert x1 > x0  # -grad points towards the minimum from x < 0


def test_figure_serializes_and_default_race_is_small(grid) -> None:
    paths = [gd_path(0.01 * (k + 1), 500, n) for k, n in
             enumerate(["sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"])]
    text = pio.to_json(race_figure(grid, paths, Bowl.minima, Bowl()), validate=False)
    assert len(text) < 1_200_000


def test_figures_are_valid_plotly(grid, race) -> None:
    """Figures skip plotly's validation for speed (frozen JSON), so check it here: an invalid
    property (a colour-bar title side plotly does not know) would break any figure rebuilt
    from the spec."""
    import plotly.graph_objects as go

    spec, paths = race
    go.Figure(spec)  # raises on any invalid property
    go.Figure(surface_3d_figure(grid, paths, Bowl.minima).to_dict())


class Cone:
    """f = 10 (|x| + |y|): a sharp dip at the origin, between grid points, so the drawn surface
    lies well above the true minimum there."""

    domain = ((-2.0, 2.0), (-1.0, 1.0))
    minima = (Minimum((0.0, 0.0), 0.0, True), Minimum((1.5, 0.5), 20.0, False))

    def value(self, xy):
        xy = np.asarray(xy, float)
        return 10 * (np.abs(xy[..., 0]) + np.abs(xy[..., 1]))

    def grad(self, xy):
        return 10 * np.sign(np.asarray(xy, float))


def test_3d_marks_float_above_the_drawn_surface_and_hover_the_true_loss() -> None:
    cone = Cone()
    grid = sample_grid(cone, cone.domain, 40)
    pts = np.array([[-1.5, 0.5], [-0.5, 0.2], [0.0, 0.0]])
    path = path_view("sgd", "sgd", Traj(pts, cone.value(pts)), cone)
    spec = surface_3d_figure(grid, [path], cone.minima, n=20).to_dict()
    surface = spec["data"][0]
    xs, ys = np.asarray(surface["x"], float), np.asarray(surface["y"], float)
    zs = np.asarray(surface["z"], float)
    _, lo, hi = color_levels(grid)
    want = {"global minimum": [0.0], "local minimum": [20.0], "start": [float(cone.value(pts[0]))]}
    for trace in spec["data"][1:]:
        x, y, z = (np.asarray(trace[k], float) for k in "xyz")
        under = drawn_height(xs, ys, zs, x, y)
        assert np.all(z >= under + 0.9 * LIFT * (hi - lo)), trace  # lifted over the surface
        if trace.get("name") in want:
            assert trace["customdata"] == want.pop(trace["name"])
            assert "%{customdata" in trace["hovertemplate"] and "%{z" not in trace["hovertemplate"]
    assert not want
    # the dip is between grid points: there the drawn surface is above the true loss 0 by more
    # than the lift, so a mark lifted from the true loss alone would sit inside the surface
    assert drawn_height(xs, ys, zs, np.array([0.0]), np.array([0.0]))[0] > LIFT * (hi - lo)


def test_drawn_height_is_the_higher_triangle_cut_of_each_cell() -> None:
    rng = np.random.default_rng(0)
    xs, ys = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0])
    zs = rng.normal(size=(2, 3))
    np.testing.assert_allclose(drawn_height(xs, ys, zs, *np.meshgrid(xs, ys)), zs)  # at the nodes
    plane = 2 + 3 * xs[None, :] - ys[:, None]
    x, y = rng.uniform(0, 3, 50), rng.uniform(0, 2, 50)
    np.testing.assert_allclose(drawn_height(xs, ys, plane, x, y), 2 + 3 * x - y)  # exact on a plane
    # A saddle cell, 0 at (0, 0) and (1, 1), 1 at the other corners: cut along the 0-0 diagonal
    # it reads |u - v|, along the other u + v (then 2 - u - v); bilinear reads u + v - 2uv.
    u, v = rng.uniform(0, 1, 50), rng.uniform(0, 1, 50)
    got = drawn_height(np.r_[0.0, 1.0], np.r_[0.0, 1.0], np.array([[0.0, 1.0], [1.0, 0.0]]), u, v)
    np.testing.assert_allclose(got, np.maximum(np.abs(u - v), 1 - np.abs(1 - u - v)))
    assert np.all(got >= u + v - 2 * u * v - 1e-12)


@pytest.mark.parametrize(("steps", "shape"), [
    (frame_steps(1000, 150), np.array([0, 3, 40, 41, 500, 990, 1000])),
    (np.minimum(frame_steps(1000, 150), 300), np.array([0, 7, 300])),  # a path that stopped early
    (frame_steps(12, 150), np.arange(13)),  # every step a frame and a shape point
    (frame_steps(500, 150), np.array([0, 500])),
])
def test_trails_are_the_shape_points_before_the_last_frame_then_every_raw_step(
        steps: np.ndarray, shape: np.ndarray) -> None:
    flat, lengths = trail_indices(steps, shape)
    trails = np.split(flat, np.cumsum(lengths)[:-1])
    assert len(trails) == len(steps)
    for k, got in enumerate(trails):
        prev = steps[k - 1] if k > 0 else steps[0]
        want = np.r_[shape[shape < prev], np.arange(prev, steps[k] + 1)]
        np.testing.assert_array_equal(got, want)
        assert np.all(np.diff(got) > 0) and got[-1] == steps[k]


def chord_gap(points: np.ndarray, kept: np.ndarray) -> float:
    """The largest distance of a path point from the polyline through ``kept`` (segment by
    segment: each point against the chord of the kept pair around it)."""
    worst = 0.0
    for a, b in itertools.pairwise(kept):
        seg, chord = points[a : b + 1] - points[a], points[b] - points[a]
        length = np.hypot(*chord)
        dev = (np.abs(seg[:, 0] * chord[1] - seg[:, 1] * chord[0]) / length if length
               else np.hypot(seg[:, 0], seg[:, 1]))
        worst = max(worst, float(dev.max()))
    return worst


def test_shape_points_keep_a_fast_early_turn_that_even_thinning_cuts() -> None:
    """A path that jumps right in 5 steps, turns and crawls up for 495: thinning evenly in time
    joins the start to step ~17 with one straight line, far from the corner at step 5."""
    right = np.c_[np.linspace(0, 1, 6), np.zeros(6)]
    up = np.c_[np.ones(495), np.linspace(0, 1, 496)[1:]]
    path = np.r_[right, up]
    kept = shape_indices(path, max_points=10)
    assert 5 in kept and kept[0] == 0 and kept[-1] == len(path) - 1 and len(kept) <= 10
    assert chord_gap(path, kept) < 1e-9  # two straight pieces: drawn exactly
    even = np.unique(np.rint(np.linspace(0, len(path) - 1, 10)).astype(int))
    assert chord_gap(path, even) > 0.09  # the old thinning cut the corner by a tenth of the map


def test_shape_points_stop_at_the_tolerance_and_the_budget() -> None:
    t = np.linspace(0, 2 * np.pi, 400)
    circle = np.c_[np.cos(t), np.sin(t)]
    few = shape_indices(circle, max_points=300, tol=0.05)
    assert chord_gap(circle, few) <= 0.05 and len(few) < 40
    assert len(shape_indices(circle, max_points=12)) == 12
    assert len(shape_indices(circle[:7], max_points=12)) == 7
    line = np.c_[np.linspace(0, 1, 50), np.linspace(0, 2, 50)]
    assert shape_indices(line, 30, tol=1e-9).tolist() == [0, 49]
    broken = circle.copy()
    broken[100] = np.nan
    assert 100 in shape_indices(broken, 12)


def test_race_trails_follow_the_path_shape(grid) -> None:
    """The bold trail of every frame stays within a pixel or so of the real path: here a zigzag
    (y flips sign each step) that even thinning in time would draw as a few long lines."""
    p = gd_path(0.2, 300, "sgd")
    spec = race_figure(grid, [p], Bowl.minima, Bowl()).to_dict()
    trail = step_frames(spec)[-1]["data"][0]
    drawn = np.c_[trail["x"], trail["y"]].astype(float)
    idx = [int(np.flatnonzero((np.abs(p.points - q) <= 1e-4 * (1 + np.abs(q))).all(axis=1))[0])
           for q in drawn]
    diag = float(np.hypot(*np.diff(grid.domain, axis=1).ravel()))
    assert chord_gap(p.points, np.array(idx)) < diag / 300


def test_frame_steps_cover_start_and_end() -> None:
    s = frame_steps(500, 150)
    assert s[0] == 0 and s[-1] == 500 and len(s) <= 150
    assert list(frame_steps(5, 150)) == [0, 1, 2, 3, 4, 5]


def test_round_sig_keeps_digits_and_maps_nonfinite_to_none() -> None:
    assert round_sig([1.23456789, -0.000123456, np.nan, np.inf, 0.0], 4) == [
        1.235, -0.0001235, None, None, 0.0]


def decode_png(png: bytes) -> np.ndarray:
    """The (h, w, 3) pixels of ``encode_png``'s output (8-bit RGB, every row "Up"-filtered)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", png[16:24])
    start = png.index(b"IDAT") + 4
    (length,) = struct.unpack(">I", png[start - 8:start - 4])
    raw = np.frombuffer(zlib.decompress(png[start:start + length]), np.uint8).reshape(h, 3 * w + 1)
    assert np.all(raw[:, 0] == 2)  # "Up" filter
    return (np.cumsum(raw[:, 1:].astype(int), axis=0) % 256).reshape(h, w, 3)


def test_png_encoder_roundtrips_pixels() -> None:
    rgb = np.random.default_rng(0).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(encode_png(rgb)), rgb)


def test_the_start_label_is_written_in_ink_like_the_minima(grid) -> None:
    """Left to the theme, "start" was light grey on the pale map."""
    from viz.style import INK

    spec = race_figure(grid, [gd_path(0.1, 20, "sgd")], Bowl.minima, Bowl(),
                       start=(-1.5, 1.5)).to_dict()
    notes = [a for a in spec["layout"]["annotations"] if a.get("xref") == "x"]
    assert {a["text"] for a in notes} >= {"start", "global"}
    assert all(a["font"]["color"] == INK for a in notes)


def test_where_f_has_no_value_the_map_is_hatched_not_the_highest_colour() -> None:
    """log(x) left of x = 0 is NaN: drawn in the top colour it read as a high plateau. It is
    hatched grey (two greys, in diagonal stripes); +inf is a value, far up: the top colour, as
    NaN was before. Everything else is drawn as before."""
    from viz.background import HATCH_RGB, UNDEFINED_RGB, Grid

    x = y = np.linspace(-1, 1, 40)
    xx, yy = np.meshgrid(x, y)
    with np.errstate(all="ignore"):
        z = np.log(xx) + yy**2
    nan = np.isnan(z)
    rgb = decode_png(background_png(Grid(x, y, z, False, 0.0)))[::-1]  # rows back to y order
    assert {tuple(c) for c in rgb[nan]} == {HATCH_RGB, UNDEFINED_RGB}
    assert 0.15 < np.all(rgb == HATCH_RGB, axis=-1)[nan].mean() < 0.35  # 2 cells in 8
    up = decode_png(background_png(Grid(x, y, np.where(nan, np.inf, z), False, 0.0)))[::-1]
    np.testing.assert_array_equal(rgb[~nan], up[~nan])
    assert not {tuple(c) for c in up[nan]} & {HATCH_RGB, UNDEFINED_RGB}
    assert len({tuple(c) for c in up[nan]}) == 1  # one colour, the top one


def test_the_3d_surface_has_a_hole_where_f_has_no_value() -> None:
    from viz.background import Grid

    x = y = np.linspace(-1, 1, 40)
    xx, yy = np.meshgrid(x, y)
    with np.errstate(all="ignore"):
        z = np.sqrt(xx) + yy**2
    surface = surface_3d_figure(Grid(x, y, z, False, 0.0), [], []).to_dict()["data"][0]
    drawn = np.array(surface["z"], dtype=float)  # None -> NaN
    np.testing.assert_array_equal(np.isnan(drawn), np.isnan(z))


def test_background_varies_and_log_scale_uses_the_gap(grid) -> None:
    _, lo, hi = color_levels(grid)
    assert lo == 0.0 and hi == pytest.approx(np.log10(1 + 8.0), rel=1e-3)
    png = background_png(grid)
    assert len(base64.b64encode(png)) < 60_000


@pytest.mark.parametrize("level", [5.0, 1e300, -1e300])
def test_a_flat_grid_of_any_size_maps_to_the_lowest_colour(level: float) -> None:
    """lo + 1.0 is lo itself at 1e300: 0 / 0 painted x^2 + 1e300 black."""
    from viz.background import Grid

    flat = Grid(x=np.linspace(0, 1, 5), y=np.linspace(0, 1, 5), z=np.full((5, 5), level),
                log_scale=False, z_floor=level)
    t, lo, hi = color_levels(flat)
    assert hi > lo and np.all((t - lo) / (hi - lo) == 0.0)
    rgb = background_png(flat)
    assert rgb == background_png(Grid(flat.x, flat.y, np.zeros((5, 5)), False, 0.0))
    bar = colorbar_trace(flat)["marker"]["colorbar"]  # one tick: the one value on the map
    want = {5.0: "5", 1e300: "10³⁰⁰", -1e300: "−1×10³⁰⁰"}[level]  # as the other ticks read
    assert bar["tickvals"] == [level] and bar["ticktext"] == [want]


def test_curves_and_3d(grid) -> None:
    paths = [gd_path(0.05, 100, "sgd"), gd_path(0.1, 100, "adam")]
    loss = loss_figure(paths, 0.0).to_dict()
    assert loss["layout"]["yaxis"]["type"] == "log"
    # in-between labels written whole (2×10⁻¹), not a bare 2 beside 10⁻¹
    assert loss["layout"]["yaxis"]["minorloglabels"] == "complete"
    assert [t["line"]["color"] for t in loss["data"]] == [optimizer_color("sgd"),
                                                          optimizer_color("adam")]
    assert min(min(t["y"]) for t in loss["data"]) >= 1e-12
    dist = distance_series(paths, np.zeros((1, 2)))
    np.testing.assert_allclose(dist.ys[0][0], np.hypot(1.8, 0.9), rtol=1e-12)
    assert dist.log and dist.axis()["type"] == "log"
    fig3d = surface_3d_figure(grid, paths, Bowl.minima).to_dict()
    assert fig3d["data"][0]["type"] == "surface"
    assert sum(t["type"] == "scatter3d" and t.get("mode") == "lines" for t in fig3d["data"]) == 2
    assert "cmin" in fig3d["data"][0] and "zmin" not in fig3d["data"][0]


def test_racers_on_one_spot_show_as_concentric_rings() -> None:
    """A dot is drawn one ring wider for each later racer at its spot, so none hides another."""
    from viz.race import DOT, RING, stacked_sizes

    at = np.array([[[0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [0.0, 0.001]],   # three at the origin
                   [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]])    # all apart
    sizes = stacked_sizes(at, near=0.1)
    assert sizes[0].tolist() == [DOT + 2 * RING, DOT + RING, DOT, DOT]
    assert sizes[1].tolist() == [DOT] * 4
    nan = np.array([[[np.nan, np.nan], [np.nan, np.nan]]])
    assert stacked_sizes(nan, 0.1).tolist() == [[DOT, DOT]]


def test_the_landing_race_frames_stack_dots_that_share_a_minimum() -> None:
    """On the landing race SGD and RMSprop end in local minimum 1, momentum, Nesterov and Adam
    in global minimum 1: at the last frame their dots are nested rings, and every frame that
    sets sizes sets all of them (a jump to any frame shows the right rings)."""
    import landscape
    import optimizers
    from app_pages.common.presets import LANDING_SURFACE, preset_for
    from viz.background import sample_grid
    from viz.paths import path_view

    s = landscape.get_surface(LANDING_SURFACE)
    p = preset_for(LANDING_SURFACE, s, optimizers.OPTIMIZERS)
    paths = [path_view(o, o, optimizers.run(optimizers.get_optimizer(o, **p.hparams[o]), s,
                                            np.array(p.start), p.steps), s)
             for o in p.optimizers]
    spec = race_figure(sample_grid(s, s.domain, 60, s.log_scale, s.min_value), paths, s.minima,
                       s, p.start).to_dict()
    frames = step_frames(spec)
    last = frames[-1]["data"][-1]["marker"]["size"]
    assert sorted(last, reverse=True)[:2] > [13, 13]  # at least two rings at the end
    assert all(len(f["data"][-1]["marker"]["size"]) == len(paths) for f in frames)
    assert spec["data"][moving_indices(spec)[-1]]["marker"]["size"] == last


def test_the_step_counter_keeps_clear_of_marked_points() -> None:
    """A formula falling past the top-right corner put its "lowest in view" star under the
    counter: the counter takes the first corner with no start, minimum or lowest point near."""
    from viz.map_labels import counter_corner

    domain = ((-5.0, 5.0), (-5.0, 5.0))
    assert counter_corner(domain, []) == (5.0, 5.0, "bottom left")
    assert counter_corner(domain, [(5.0, 5.0)]) == (-5.0, 5.0, "bottom right")
    assert counter_corner(domain, [(5.0, 5.0), (-4.5, 4.6)]) == (5.0, -5.0, "top left")
    assert counter_corner(domain, [(5.0, 5.0), (-4.5, 4.0)]) == (-5.0, 5.0, "bottom right")
    corners = [(5.0, 5.0), (-5.0, 5.0), (5.0, -5.0), (-5.0, -5.0)]
    assert counter_corner(domain, corners) == (5.0, 5.0, "bottom left")  # no corner is free
    assert counter_corner(domain, [(0.0, 0.0), (3.0, 3.0)]) == (5.0, 5.0, "bottom left")
    # the clearance is the text's size on the map as drawn: the lab's ~150 px panels put
    # "step 200" over the six-hump camel's start (1, 1.4) at the top right
    camel = ((-3.0, 3.0), (-2.0, 2.0))
    marked = [(-0.09, 0.71), (0.09, -0.71), (-1.70, 0.80), (1.70, -0.80), (1.61, 0.57),
              (-1.61, -0.57), (1.0, 1.4)]
    assert counter_corner(camel, marked)[:2] == (3.0, 2.0)  # a race's 460 px map: room
    assert counter_corner(camel, marked, (150, 100))[:2] == (-3.0, 2.0)


def test_the_lowest_in_view_label_stays_inside_the_map() -> None:
    """Centred over a top-right corner, "lowest in view" ran off a phone's figure and behind
    the ▶ 4× button: a point near an edge is labelled on its inner side."""
    from viz.map_labels import inward

    domain = ((-5.0, 5.0), (-5.0, 5.0))
    assert inward((5.0, 5.0), domain) == "bottom left"
    assert inward((-5.0, 5.0), domain) == "bottom right"
    assert inward((5.0, -5.0), domain) == "top left"
    assert inward((-5.0, -5.0), domain) == "top right"
    assert inward((0.0, -5.0), domain) == "top center"
    assert inward((0.0, 0.0), domain) == "top center"


def test_curve_panels_under_the_slider_move_a_dot_per_path_with_the_map(grid) -> None:
    """Loss and distance per step under the map, in its figure: a chart of its own could not
    follow Play. Each frame puts each path's dot at the frame's step on both curves (a path
    that blew up keeps it at its ✕); the map's traces come first, the panels' after them."""
    from viz.curves import distance_series, loss_series
    from viz.race_layout import CURVES_BOTTOM_PX, curves_px

    paths = [gd_path(0.05, 200, "sgd"), gd_path(0.2, 200, "momentum", diverge_at=80)]
    series = [loss_series(paths, 0.0), distance_series(paths, np.zeros((1, 2)))]
    spec = race_figure(grid, paths, Bowl.minima, Bowl(), start=(-1.8, 0.9),
                       series=series).to_dict()
    bare = race_figure(grid, paths, Bowl.minima, Bowl(), start=(-1.8, 0.9)).to_dict()
    data, layout = spec["data"], spec["layout"]
    n_map = len(bare["data"])
    assert all(t.get("xaxis", "x") == "x" for t in data[:n_map])
    assert {t["xaxis"] for t in data[n_map:]} == {"x2", "x3"}
    assert not any(t.get("showlegend", True) for t in data[n_map:] if t["mode"] == "lines")
    grown = layout["height"] - bare["layout"]["height"]
    assert abs(grown - (curves_px(2) + CURVES_BOTTOM_PX)) <= 1  # the panels, and their "step"
    assert layout["margin"]["b"] == CURVES_BOTTOM_PX
    # the map on top, the slider at its foot, the panels side by side under it
    top = layout["yaxis"]["domain"][0]
    assert layout["sliders"][0]["y"] == top and 0 < top < 1
    assert layout["yaxis2"]["domain"] == layout["yaxis3"]["domain"]
    assert layout["yaxis2"]["domain"][1] < top
    assert layout["xaxis2"]["domain"][1] < layout["xaxis3"]["domain"][0]
    assert layout["yaxis2"]["type"] == "log"
    # frames: the two dot traces are the last moving ones
    dots = [i for i, t in enumerate(data) if t.get("meta") == "curve now"]
    assert dots == moving_indices(spec)[-2:] and dots[0] > n_map
    steps, _ = race_frame_steps(200, Playback().max_frames)
    for frame in step_frames(spec)[::7]:
        loss_dots, dist_dots = frame["data"][-2:]
        step = int(steps[int(frame["name"])])  # the frame's step, as the map's counter reads it
        assert frame["data"][-4]["text"] == [f"step {step}"]
        for i, p in enumerate(paths):
            at = loss_dots["x"][i]
            assert at == min(step, 80 if p.name == "momentum" else 200)
            if p.name == "momentum" and step >= 80:  # out, as on the map: the ✕ marks the spot
                assert loss_dots["y"][i] is None and dist_dots["y"][i] is None
                continue
            want_loss = max(float(p.losses[at]), 1e-12)
            assert loss_dots["y"][i] == pytest.approx(want_loss, rel=1e-3)
            assert dist_dots["x"][i] == at
            assert dist_dots["y"][i] == pytest.approx(max(np.hypot(*p.points[at]), 1e-12),
                                                      rel=1e-3)
    for t in data[n_map:]:  # a click on a curve selects a point: nothing else may fade
        assert t["unselected"]["marker"]["opacity"] == 1.0
    last = step_frames(spec)[-1]["data"][-2]
    assert last["x"] == [200, 80] and last["y"][1] is None  # its line ends at 80, with a ✕
    assert layout["xaxis2"]["range"] == [0, 200]
    line = next(t for t in data[n_map:] if t["name"] == "momentum (lr 0.2)" and t["xaxis"] == "x2")
    assert line["x"][-1] == 80


def test_a_height_too_small_for_the_curve_panels_is_refused(grid) -> None:
    """A given height includes the panels: one too small put the map's domain above 1."""
    from viz.curves import loss_series

    paths = [gd_path(0.05, 50, "sgd")]
    with pytest.raises(ValueError, match="curve panels needs a plot area"):
        race_figure(grid, paths, Bowl.minima, Bowl(), height=500,
                    series=[loss_series(paths, 0.0)])


def test_a_narrow_plot_stacks_the_curve_panels() -> None:
    from viz.curves import distance_series, loss_series
    from viz.race_layout import PHONE_WIDTH, curves_px

    b = Bowl()
    grid_ = sample_grid(b, b.domain, 30, log_scale=True, z_floor=0.0)
    paths = [gd_path(0.05, 50, "sgd")]
    series = [loss_series(paths, 0.0), distance_series(paths, np.zeros((1, 2)))]
    layout = race_figure(grid_, paths, Bowl.minima, b, playback=Playback(plot_width=PHONE_WIDTH),
                         series=series).to_dict()["layout"]
    assert layout["xaxis2"]["domain"] == layout["xaxis3"]["domain"] == [0.0, 1.0]
    assert layout["yaxis3"]["domain"][1] < layout["yaxis2"]["domain"][0]  # loss over distance
    assert "title" not in layout["xaxis2"] and layout["xaxis3"]["title"]["text"] == "step"
    assert curves_px(2, PHONE_WIDTH) > curves_px(2) and curves_px(0) == 0


def test_a_square_map_s_curve_panels_go_beside_it_on_a_laptop() -> None:
    """A square map is 460 px of a laptop's 800 px plot: its panels sat under the slider, a
    scroll away, beside a blank band as wide as themselves. There they go beside the map,
    stacked over its height (loss on top), and the figure is no taller than the map's own; the
    step slider spans the map only. A phone's plot, or a wide map, keeps them under it."""
    from viz.curves import distance_series, loss_series
    from viz.race_layout import (
        CONTROLS_PX,
        CURVE_HGAP_PX,
        DESIGN_WIDTH,
        MAP_PX,
        PHONE_WIDTH,
        SIDE_PANELS_PX,
        curves_beside,
        panels_beside,
    )

    b = Bowl()
    square = sample_grid(b, ((-2.0, 2.0), (-2.0, 2.0)), 30, log_scale=True, z_floor=0.0)
    paths = [gd_path(0.05, 50, "sgd"), gd_path(0.1, 50, "adam")]
    series = [loss_series(paths, 0.0), distance_series(paths, np.zeros((1, 2)))]
    spec = race_figure(square, paths, Bowl.minima, b, series=series).to_dict()
    bare = race_figure(square, paths, Bowl.minima, b).to_dict()
    layout = spec["layout"]
    share = MAP_PX[1] / DESIGN_WIDTH
    assert panels_beside(1.0, DESIGN_WIDTH, 2) == pytest.approx(share)
    assert layout["height"] == bare["layout"]["height"]  # nothing under the slider
    assert layout["margin"]["b"] == CONTROLS_PX
    assert layout["xaxis"]["domain"] == pytest.approx([0.0, share])
    assert "domain" not in layout["yaxis"]  # the map keeps the plot's whole height
    assert all(s["len"] == pytest.approx(share) and s["y"] == 0.0 for s in layout["sliders"])
    loss_x, dist_x = layout["xaxis2"]["domain"], layout["xaxis3"]["domain"]
    assert loss_x == dist_x == pytest.approx([share + CURVE_HGAP_PX / DESIGN_WIDTH, 1.0])
    (lo, hi), (dlo, dhi) = layout["yaxis2"]["domain"], layout["yaxis3"]["domain"]
    assert dlo == 0.0 and dhi < lo and hi < 1.0  # distance under loss, titles inside the plot
    assert "title" not in layout["xaxis2"] and layout["xaxis3"]["title"]["text"] == "step"
    titles = [a for a in layout["annotations"] if a["text"].startswith("<b>")]
    assert [t["y"] for t in titles] == [hi, dhi]
    # over the panels' y ticks, clear of the map: over the panel alone, narrow ones cut them
    assert all(share < t["x"] < loss_x[0] for t in titles)
    # the frames move the panels' dots as under the map
    assert step_frames(spec)[-1]["data"][-2]["x"] == [50, 50]
    # under it: a phone's narrow plot, a wide map, or a plot that leaves too little room
    assert not panels_beside(1.0, PHONE_WIDTH, 2) and not panels_beside(0.5, DESIGN_WIDTH, 2)
    assert not panels_beside(1.0, DESIGN_WIDTH, 0)
    assert not panels_beside(1.0, MAP_PX[1] + SIDE_PANELS_PX - 1, 2)
    phone = race_figure(square, paths, Bowl.minima, b, series=series,
                        playback=Playback(plot_width=PHONE_WIDTH)).to_dict()["layout"]
    assert phone["xaxis2"]["domain"] == [0.0, 1.0] and phone["sliders"][0]["len"] == 1.0
    # the page's caption reads the same off each figure
    assert curves_beside(layout) and not curves_beside(phone)
    assert not curves_beside(bare["layout"])  # no panels at all


def test_a_phone_s_legend_goes_under_the_slider_and_over_the_curve_panels() -> None:
    """Over the map, a race's eight legend rows (one entry a row on a phone) pushed the map half
    below a 390 x 844 phone's first screen. On a narrow plot with curve panels the legend hangs
    from the slider's row (in the plot area's own coordinates), between it and the panels' top
    titles, and the figure's height grows by its rows as a laptop's does."""
    from viz.curves import distance_series, loss_series
    from viz.race_layout import (
        COLORBAR_PX,
        CONTROLS_PX,
        CURVE_TITLE_PX,
        CURVES_BOTTOM_PX,
        DESIGN_WIDTH,
        LEGEND_ROW_PX,
        LEGEND_TUCK_PX,
        PHONE_WIDTH,
        buttons_px,
        legend_rows,
        legend_under,
    )

    b = Bowl()
    grid_ = sample_grid(b, b.domain, 30, log_scale=True, z_floor=0.0)
    paths = [gd_path(0.05, 50, "sgd"), gd_path(0.1, 50, "adam")]
    series = [loss_series(paths, 0.0), distance_series(paths, np.zeros((1, 2)))]
    layout = race_figure(grid_, paths, Bowl.minima, b, playback=Playback(plot_width=PHONE_WIDTH),
                         series=series).to_dict()["layout"]
    legend, slider = layout["legend"], layout["sliders"][0]
    assert legend["yref"] == "paper" and legend["yanchor"] == "top"
    plot_px = layout["height"] - COLORBAR_PX - buttons_px(PHONE_WIDTH) - CURVES_BOTTOM_PX
    rows = legend_rows([p.label for p in paths] + ["global minimum"], PHONE_WIDTH)
    # from the slider's top: its row, less the tuck; then the legend's rows, then the titles
    slider_px = (slider["y"] - legend["y"]) * plot_px
    assert slider_px == pytest.approx(CONTROLS_PX - LEGEND_TUCK_PX, abs=1)
    title_top = (layout["yaxis2"]["domain"][1]) * plot_px + CURVE_TITLE_PX
    assert legend["y"] * plot_px - title_top >= rows * LEGEND_ROW_PX - 1
    assert legend_under(PHONE_WIDTH, 2) and not legend_under(DESIGN_WIDTH, 2)
    assert not legend_under(PHONE_WIDTH, 0)  # no panels (the lab's small maps): over the map
    laptop = race_figure(grid_, paths, Bowl.minima, b, series=series).to_dict()["layout"]
    assert laptop["legend"]["yref"] == "container"


def test_a_short_race_plays_for_seconds_not_a_flash(grid) -> None:
    """Ten steps are 11 frames: at 50 ms each Play was over in half a second. A Play at 1x
    lasts MIN_PLAY_MS at least; a long race keeps its 50 ms frames."""
    from viz.playback import MIN_PLAY_MS

    def durations(steps: int) -> dict[str, int]:
        menu = race_figure(grid, [gd_path(0.05, steps)], Bowl.minima,
                           Bowl()).to_dict()["layout"]["updatemenus"][0]
        return {b["label"]: b["args"][1]["frame"]["duration"]
                for b in menu["buttons"] if b["label"] != "❚❚ Pause"}

    short, long_ = durations(10), durations(500)
    assert short["▶ Play"] == MIN_PLAY_MS // 10 - 8 and short["▶ 4×"] == MIN_PLAY_MS // 40 - 8
    assert long_["▶ Play"] == 50 - 8


def test_a_phone_s_play_buttons_start_at_the_figure_s_edge(grid) -> None:
    """From the plot's left edge "▶ 4×" ran past a 390 px phone's figure."""
    from viz.race_layout import MARGIN_L, PHONE_WIDTH

    phone = race_figure(grid, [gd_path(0.05, 50)], Bowl.minima, Bowl(),
                        playback=Playback(plot_width=PHONE_WIDTH)).to_dict()["layout"]
    laptop = race_figure(grid, [gd_path(0.05, 50)], Bowl.minima, Bowl()).to_dict()["layout"]
    assert phone["updatemenus"][0]["x"] == -MARGIN_L / PHONE_WIDTH
    assert phone["updatemenus"][0]["font"]["size"] < laptop["updatemenus"][0]["font"]["size"]
    assert laptop["updatemenus"][0]["x"] == 0.0


def test_curve_panels_span_the_steps_the_runs_last(grid) -> None:
    """Every run blew up by step 8 of 500: their curves were squeezed against the left edge."""
    from viz.curves import loss_series

    paths = [gd_path(0.05, 500, "sgd", diverge_at=5), gd_path(0.1, 500, "adam", diverge_at=8)]
    layout = race_figure(grid, paths, Bowl.minima, Bowl(),
                         series=[loss_series(paths, 0.0)]).to_dict()["layout"]
    assert layout["xaxis2"]["range"] == [0, 8]


def test_faster_speeds_skip_frames_instead_of_asking_for_faster_ones(grid) -> None:
    """Chromium drew the race at ~35-50 ms a frame on a 2-core machine whatever was asked, so
    "▶ 4×" played no faster than 1x (a review measured 110-126 ms a frame at every speed). Frames
    are never asked under FRAME_FLOOR_MS: 4x shows every 4th frame at the 1x pace."""
    from viz.playback import FRAME_FLOOR_MS, Playback

    def plays(steps: int, frame_ms: int = 50) -> dict[str, tuple[list[str], int]]:
        menu = race_figure(grid, [gd_path(0.05, steps)], Bowl.minima, Bowl(),
                           playback=Playback(frame_ms=frame_ms)).to_dict()["layout"]
        return {b["label"]: (b["args"][0], b["args"][1]["frame"]["duration"])
                for b in menu["updatemenus"][0]["buttons"] if b["label"] != "❚❚ Pause"}

    frames = plays(120)  # 121 frames, one a step
    every = [str(k) for k in range(121)]
    assert frames["▶ Play"] == (every, 42)
    assert frames["▶ 0.5×"] == (every, 92)
    assert frames["▶ 2×"] == (every[::2], 42)
    assert frames["▶ 4×"] == (every[::4], 42)  # 120 = 4 x 30: the last frame is in
    assert all(d + 8 >= FRAME_FLOOR_MS for _, d in frames.values())
    shown, _ = plays(119)["▶ 4×"]
    assert shown[-2:] == ["116", "119"]  # the last frame always ends the play
    fast, _ = plays(120, frame_ms=25)["▶ Play"]  # the "fast" setting: 25 ms a step
    assert fast == every[::2]


@pytest.mark.parametrize("at", [0, 37, 250, 499])
def test_the_map_opens_at_the_step_asked_with_the_frame_s_own_state(grid, at: int) -> None:
    """``Playback.open_at``: a teacher's link points at one step. The figure's moving traces
    open with that step's frame (which exists, even between thinned frames), both sliders'
    handles stand there, and nothing else changes."""
    paths = [gd_path(0.05, 500, "sgd"), gd_path(0.1, 500, "adam")]
    spec = race_figure(grid, paths, Bowl.minima, Bowl(), start=(-1.8, 0.9),
                       playback=Playback(open_at=at)).to_dict()
    plain = race_figure(grid, paths, Bowl.minima, Bowl(), start=(-1.8, 0.9)).to_dict()
    steps, marks = race_frame_steps(500, Playback().max_frames, at)
    k = int(np.flatnonzero(steps == at)[0])
    frame = moved(spec["frames"][k])
    for index, data in zip(frame["traces"], frame["data"], strict=True):
        for key, value in data.items():
            assert spec["data"][index][key] == value or key == "marker", (index, key)
    assert frame["data"][-2]["text"] == [f"step {at}"]
    scrub, labelled = spec["layout"]["sliders"][1], spec["layout"]["sliders"][0]
    assert scrub["active"] == k and marks[labelled["active"]] <= k
    assert (labelled["active"] == len(marks) - 1 or marks[labelled["active"] + 1] > k)
    # the same map otherwise: the static traces, and the frames of the plain figure
    n_static = len(spec["data"]) - len(moving_indices(spec))
    assert spec["data"][:n_static] == plain["data"][:n_static]
    assert len(spec["frames"]) - len(plain["frames"]) in (0, 1)


def test_of_many_minima_the_ones_paths_end_in_are_labelled() -> None:
    """Rastrigin's table said "stuck in local minimum 42" of 120 unlabelled diamonds (and the
    one meant lay under the path's own dot): the minima named are labelled, the rest not."""
    lattice = [Minimum((float(i), 0.0), 1.0, is_global=False) for i in range(30)]
    lattice.insert(3, Minimum((0.5, 0.5), 0.0, is_global=True))
    traces = minima_traces(lattice, domain=((-1.0, 31.0), (-1.0, 1.0)), named={3, 5, 20})
    texts = [t["text"] for t in traces if t["mode"] == "markers+text"]
    # index 5 of the list is "local 5" (the global one sits at 3), 20 is "local 20"
    assert texts == [["global"], ["local 5", "local 20"]]
    labelled = [t for t in traces if t["mode"] == "markers+text" and not t["showlegend"]]
    assert [t["x"] for t in labelled] == [[4.0, 19.0]]
    assert len(next(t for t in traces if t["name"] == "local minimum")["x"]) == 30  # all drawn
    assert all(t["mode"] == "markers" for t in minima_traces(lattice, show_text=False,
                                                             named={5}))


def test_neighbouring_labels_of_a_lattice_go_either_side_of_their_markers() -> None:
    """Rastrigin's "local 42" and "local 34", a unit apart on a 10-unit map, printed on top of
    each other on a phone ("local 4ocal 34"): the second goes under its marker."""
    lattice = [Minimum((float(i), float(j)), 1.0, is_global=False)
               for i in range(-5, 6) for j in range(-5, 6)]
    named = {lattice.index(m) for m in lattice if m.point in [(-2.0, 3.0), (-1.0, 3.0), (2.0, 0.0)]}
    (labelled,) = [t for t in minima_traces(lattice, domain=((-5.2, 5.2), (-5.2, 5.2)),
                                            named=named) if not t["showlegend"]]
    places = dict(zip(zip(labelled["x"], labelled["y"], strict=True), labelled["textposition"],
                      strict=True))
    assert places[(-2.0, 3.0)].split()[0] != places[(-1.0, 3.0)].split()[0]
    assert places[(2.0, 0.0)] == "top center"  # far from both


def test_a_phones_3d_camera_stands_back_far_enough_to_show_the_corners(grid) -> None:
    """On a phone's narrow figure the surface's left and right corners were cut off, and then
    the z axis's title on the left (tests/e2e/test_race_layout.py looks at the pixels): a
    phone's camera stands further back and looks a little left of the centre, the screen's left
    seen from the laptop's eye (x > 0, y < 0) being towards -x and -y."""
    from viz.surface3d import PHONE_EYE_SCALE, PHONE_LOOK_DOWN, PHONE_LOOK_LEFT, PHONE_Z_TICKS

    paths = [gd_path(0.1, 40)]
    eye = surface_3d_figure(grid, paths, Bowl.minima).to_dict()["layout"]["scene"]["camera"]
    far = surface_3d_figure(grid, paths, Bowl.minima, phone=True).to_dict()["layout"]["scene"]
    ratio = {k: far["camera"]["eye"][k] / v for k, v in eye["eye"].items()}
    assert all(r == pytest.approx(PHONE_EYE_SCALE) for r in ratio.values()), ratio
    assert PHONE_EYE_SCALE > 1.45 and "center" not in eye
    # no taller than its narrow scene needs (600 px left ~200 px blank under the surface)
    from viz.surface3d import PHONE_HEIGHT

    phone = surface_3d_figure(grid, paths, Bowl.minima, phone=True).to_dict()["layout"]
    assert phone["height"] == PHONE_HEIGHT < surface_3d_figure(grid, paths, Bowl.minima
                                                               ).to_dict()["layout"]["height"]
    # ... and below it: stood back, the drawing left ~150 px blank under the legend
    assert far["camera"]["center"] == {"x": -PHONE_LOOK_LEFT, "y": -PHONE_LOOK_LEFT,
                                       "z": -PHONE_LOOK_DOWN}
    assert eye["eye"]["x"] > 0 > eye["eye"]["y"] and PHONE_LOOK_LEFT > 0 and PHONE_LOOK_DOWN > 0
    # a phone's z axis: few ticks (Rosenbrock's eight overlapped); a laptop's: Plotly's own
    assert far["zaxis"]["nticks"] == PHONE_Z_TICKS <= 4
    assert "nticks" not in surface_3d_figure(grid, paths, Bowl.minima).to_dict()["layout"][
        "scene"]["zaxis"]


def test_a_phones_3d_scene_leaves_a_strip_where_a_swipe_scrolls_the_page(grid) -> None:
    """Plotly turns a 3D scene under any drag on it: a phone held sideways showed nothing but
    scene, and no swipe scrolled past it. A phone's scene leaves ``SCROLL_STRIP`` of the
    figure's width on its right, labelled (tests/e2e/test_race_layout.py swipes there); the
    tour's 3D figure too."""
    from viz.concepts import altitude_figure
    from viz.style import SCROLL_STRIP, STRIP_TEXT

    paths = [gd_path(0.1, 40)]
    laptop = surface_3d_figure(grid, paths, Bowl.minima).to_dict()["layout"]
    assert "domain" not in laptop["scene"] and not laptop.get("annotations")
    for layout in (surface_3d_figure(grid, paths, Bowl.minima, phone=True).to_dict()["layout"],
                   altitude_figure(grid, paths[0].points, paths[0].losses, 20, "#0072B2",
                                   phone=True).to_dict()["layout"]):
        assert layout["scene"]["domain"] == {"x": [0.0, 1.0 - SCROLL_STRIP], "y": [0.0, 1.0]}
        (note,) = [a for a in layout["annotations"] if a["text"] == STRIP_TEXT]
        assert 1.0 - SCROLL_STRIP < note["x"] < 1.0 and note["xref"] == "paper"
        assert note["xanchor"] == "center"  # "auto" hung it by its right end, into the scene
    assert SCROLL_STRIP * 360 >= 40  # a thumb's width on the narrowest phone


def test_the_3d_view_names_a_data_loss_s_parameters_on_its_axes(grid) -> None:
    """The 3D view titled a line fit's axes x and y while the map's hover said w and b."""
    paths = [gd_path(0.1, 40)]
    scene = surface_3d_figure(grid, paths, Bowl.minima, axes=("w", "b")).to_dict()["layout"][
        "scene"]
    assert (scene["xaxis"]["title"]["text"], scene["yaxis"]["title"]["text"]) == ("w", "b")
    plain = surface_3d_figure(grid, paths, Bowl.minima).to_dict()["layout"]["scene"]
    assert (plain["xaxis"]["title"]["text"], plain["yaxis"]["title"]["text"]) == ("x", "y")


def test_a_label_with_both_sides_taken_goes_beside_its_marker() -> None:
    """Rastrigin on a phone: "local 42" flipped under its marker onto the start's label; with
    over and under taken it goes to the side."""
    from viz.map_labels import apart

    domain = ((-5.0, 5.0), (-5.0, 5.0))
    places = apart([-1.0, -2.0], [3.0, 3.0], ["top center", "top center"], domain,
                   taken=[(-2.3, 2.6, "bottom center")])
    assert places[0] == "top center"
    assert places[1].startswith("middle"), places
    assert apart([0.0], [0.0], ["top center"], domain) == ["top center"]


def test_a_few_minima_s_labels_keep_clear_of_the_start_s_label() -> None:
    """A start clicked at (1.65, -0.5), just above the six-hump camel's local 2 (1.70, -0.80),
    printed "start" over "local 2": only a lattice's labels kept clear of the start's."""
    from landscape import get_surface
    from viz.map_labels import minima_traces

    s = get_surface("six_hump_camel")
    taken = [(1.65, -0.5, "bottom center")]
    traces = minima_traces(s.minima, domain=s.domain, taken=taken)
    local = next(t for t in traces if t["name"] == "local minimum")
    k = local["text"].index("local 2")
    assert local["textposition"][k] != "top center", local["textposition"]
    far = minima_traces(s.minima, domain=s.domain, taken=[(-2.4, -1.9, "bottom center")])
    assert next(t for t in far if t["name"] == "local minimum")["textposition"][k] == (
        "top center")  # nothing in the way: over its marker, as before

"""The concepts tour's 3D "loss as altitude" figure keeps the map's own domain: a walker thrown off
the map (Easom at η = 50) is stopped at the edge instead of stretching the axes."""

from __future__ import annotations

import numpy as np
import pytest

import landscape
from app_pages.common.presets import preset_for
from optimizers import OPTIMIZERS, get_optimizer, run
from viz.background import sample_grid
from viz.concepts import EDGE_ROOM, altitude_figure
from viz.paths import edge_crossing, first_step_off_map

#: Throws gradient descent off Easom's map at step 4 (the race preset before Easom's rates were
#: curated; no preset leaves the map now).
EASOM_OFF_MAP_LR = 50.0


def _walk(name: str, steps: int = 300, lr: float | None = None
          ) -> tuple[landscape.Surface, np.ndarray, np.ndarray]:
    """Gradient descent at the tour's preset rate (or ``lr``), from the preset start (as section 1
    runs it)."""
    surface = landscape.get_surface(name)
    preset = preset_for(name, surface, OPTIMIZERS)
    traj = run(get_optimizer("sgd", lr=preset.hparams["sgd"]["lr"] if lr is None else lr),
               surface, np.asarray(preset.start, float), steps)
    return surface, np.asarray(traj.points), np.asarray(traj.losses)


def _figure(name: str, step: int, lr: float | None = None):
    surface, points, losses = _walk(name, lr=lr)
    grid = sample_grid(surface, surface.domain, 60, surface.log_scale, surface.min_value)
    return surface, points, altitude_figure(grid, points, losses, step, "#0072B2")


def test_easom_walker_is_thrown_off_the_map_at_a_large_rate() -> None:
    surface, points, _ = _walk("easom", lr=EASOM_OFF_MAP_LR)
    left = first_step_off_map(points, surface.domain)
    assert left == 4
    assert np.abs(points[-1]).max() > 20  # far out on the flat plane, around (27.9, -22)


@pytest.mark.parametrize("name", sorted(landscape.SURFACES))
def test_altitude_axes_are_the_map_and_the_path_stays_on_it(name: str) -> None:
    """On every landscape the scene's x and y ranges are the domain (plus a hair of room) and
    nothing drawn lies outside it, whatever the walker does."""
    surface, _, fig = _figure(name, 300)
    (x0, x1), (y0, y1) = surface.domain
    px, py = EDGE_ROOM * (x1 - x0), EDGE_ROOM * (y1 - y0)
    assert tuple(fig.layout.scene.xaxis.range) == pytest.approx((x0 - px, x1 + px))
    assert tuple(fig.layout.scene.yaxis.range) == pytest.approx((y0 - py, y1 + py))
    # few ticks: a tick every unit ran the y and z labels together at the box's near corner
    scene = fig.layout.scene
    assert (scene.xaxis.nticks, scene.yaxis.nticks, scene.zaxis.nticks) == (5, 5, 4)
    for trace in fig.data[1:]:
        xs, ys = np.asarray(trace.x, float), np.asarray(trace.y, float)
        assert np.all((x0 <= xs) & (xs <= x1) & (y0 <= ys) & (ys <= y1)), trace.name


def test_walker_that_left_stops_where_it_crossed_the_edge() -> None:
    surface, points, fig = _figure("easom", 300, EASOM_OFF_MAP_LR)
    path, walker = fig.data[1], fig.data[2]
    assert walker.name == "walker: left the map at step 4"
    edge = (float(walker.x[0]), float(walker.y[0]))
    assert edge == (path.x[-1], path.y[-1])
    assert edge[0] == pytest.approx(surface.domain[0][1])  # the right-hand edge, x = 6
    # on the straight step from the last point on the map towards the point off it
    a, b = points[3], points[4]
    frac = (edge[0] - a[0]) / (b[0] - a[0])
    assert edge[1] == pytest.approx(a[1] + frac * (b[1] - a[1]))
    before = _figure("easom", 3, EASOM_OFF_MAP_LR)[2]
    assert before.data[2].name == "walker at step 3"
    assert before.data[2].x[0] == pytest.approx(points[3, 0])


def test_edge_crossing() -> None:
    box = ((0.0, 6.0), (0.0, 6.0))
    assert edge_crossing((3, 3), (9, 3), box) == pytest.approx((6, 3))
    assert edge_crossing((3, 3), (3, -3), box) == pytest.approx((3, 0))
    assert edge_crossing((5, 5), (8, 11), box) == pytest.approx((5.5, 6))  # top before right
    assert edge_crossing((2, 2), (np.inf, 2), box) == pytest.approx((2, 2))
    assert first_step_off_map(np.array([[1.0, 1.0], [2.0, 2.0]]), box) is None
    assert first_step_off_map(np.array([[1.0, 1.0], [np.nan, 2.0]]), box) == 1


@pytest.mark.parametrize("name", ["himmelblau", "two_basins"])
def test_altitude_axis_names_what_it_plots(name: str) -> None:
    """On a log surface the height is log10(1 + f − f*), not a log of the loss: the axis says so;
    elsewhere it is the loss itself."""
    surface, points, fig = _figure(name, 10)
    height = fig.data[2].z[0]  # the walker at step 10
    loss = float(surface.value(points[10]))
    if surface.log_scale:
        assert fig.layout.scene.zaxis.title.text == "altitude: log10(1 + f − f*)"
        assert height == pytest.approx(np.log10(1 + loss - surface.min_value))
    else:
        assert fig.layout.scene.zaxis.title.text == "altitude (loss)"
        assert height == pytest.approx(loss)


@pytest.mark.parametrize(("name", "domain"), [("two_basins", None), ("rosenbrock", None),
                                              ("ravine", ((-10.0, 10.0), (-1.0, 1.0)))])
def test_tour_maps_draw_both_axes_at_one_scale(name: str, domain) -> None:
    """A narrow column drew the tour's square maps 168 px wide and 245 px tall: round bowls
    became ellipses, and gradients no longer crossed the contours at right angles, which the
    tour teaches. The maps keep one scale, as the race does, unless the domain is elongated."""
    from viz.concepts import map_figure
    from viz.race_layout import equal_scales

    surface = landscape.get_surface(name)
    domain = domain or surface.domain
    grid = sample_grid(surface, domain, 30, surface.log_scale, surface.min_value)
    y = map_figure(grid, [], surface.minima).to_dict()["layout"]["yaxis"]
    if equal_scales(domain):
        assert (y["scaleanchor"], y["scaleratio"], y["constrain"]) == ("x", 1, "domain")
    else:  # ten times wider than high: one scale would leave a sliver of a map
        assert "scaleanchor" not in y
    assert equal_scales(domain) == (name != "ravine")


def test_a_phones_camera_stands_farther_back() -> None:
    """At the distance fitted to a ~400 px figure, a 358 px phone figure cut the z-axis title at
    its left edge: a phone's camera stands PHONE_EYE times farther."""
    from viz.concepts import PHONE_EYE

    surface, points, _ = _walk("two_basins", 60)
    grid = sample_grid(surface, surface.domain, 30, surface.log_scale, surface.min_value)
    eye = {}
    for phone in (False, True):
        fig = altitude_figure(grid, points, np.asarray(surface.value(points)), 30, "#0072B2",
                              phone=phone)
        eye[phone] = np.array([getattr(fig.layout.scene.camera.eye, k) for k in "xyz"])
    np.testing.assert_allclose(eye[True], PHONE_EYE * eye[False])
    assert PHONE_EYE > 1


def test_alternate_epochs_are_shaded_under_the_curves() -> None:
    from viz.concepts import curves_figure

    curve = {"optimizer": "sgd", "label": "SGD", "x": np.linspace(0, 30.5, 300),
             "y": np.geomspace(1, 1e-3, 300)}
    fig = curves_figure([curve], "epoch", "loss", shade_every=1.0, vlines=[(10, "switch")])
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [(b.x0, b.x1) for b in bands] == [(k, k + 1.0) for k in range(1, 30, 2)]
    assert all(b.layer == "below" and b.yref == "paper" for b in bands)
    assert any(s.type == "line" for s in fig.layout.shapes)  # the event line stays

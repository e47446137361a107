"""Structure of the basin map: one colour per outcome, clickable cell centres, minima markers;
local minima never look like the global one, and the legend accounts for all of them."""

from __future__ import annotations

import colorsys
import itertools

import numpy as np
import pytest

import landscape
from landscape.base import Minimum
from viz.basins import (
    CLICK_NAME,
    DIVERGED,
    DIVERGED_COLOR,
    GLOBAL_COLOR,
    GLOBAL_COLORS,
    LEGEND_CHARS,
    LOCAL_COLORS,
    MAX_CLICK_SIDE,
    MAX_DISTINCT_LOCALS,
    MOVING,
    MOVING_COLOR,
    basin_figure,
    label_colors,
    legend_lines,
    picked_trace,
)
from viz.style import INK, optimizer_color

MINIMA = (Minimum((-1.0, 0.0), -0.2, True), Minimum((1.0, 0.0), 0.2, False))
DOMAIN = ((-2.0, 2.0), (-2.0, 2.0))


def grid_labels(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs = np.linspace(-1.9, 1.9, n)
    ys = np.linspace(-1.9, 1.9, n)
    labels = np.where(xs[None, :] < 0, 0, 1) * np.ones((n, 1), dtype=int)
    labels[0, 0] = -1
    return xs, ys, labels


def test_cells_map_to_their_outcome_colour() -> None:
    xs, ys, labels = grid_labels(20)
    spec = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN).to_dict()
    heat = spec["data"][0]
    z = np.asarray(heat["z"])
    scale = heat["colorscale"]
    n = len(scale) // 2

    def color_of(v: int) -> str:
        return scale[2 * v][1]

    assert color_of(int(z[5, 2])) == GLOBAL_COLOR
    assert color_of(int(z[0, 0])) == DIVERGED_COLOR
    assert color_of(int(z[5, 15])) == label_colors(MINIMA)[1]
    assert n == 4  # moving, diverged, two minima


def test_legend_reports_shares_and_minima_are_marked() -> None:
    xs, ys, labels = grid_labels(20)
    data = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN).to_dict()["data"]
    names = [t["name"] for t in data if t.get("showlegend")]
    assert any(n.startswith("global min") and n.endswith("%") for n in names)
    assert any(n.startswith("diverged") for n in names)
    assert not any(n.startswith("no minimum") for n in names)  # absent outcome, no legend entry
    assert {t["name"] for t in data} >= {"global minimum", "local minimum"}
    layout = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN).to_dict()["layout"]
    assert layout["xaxis"]["ticklabelstandoff"] >= 4  # clear of the y axis's lowest label


def test_click_targets_are_cell_centres_and_bounded() -> None:
    xs, ys, labels = grid_labels(200)
    spec = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN).to_dict()
    click = next(t for t in spec["data"] if t["name"] == CLICK_NAME)
    assert len(click["x"]) <= MAX_CLICK_SIDE**2
    assert set(click["x"]) <= set(xs.tolist())  # every target is a cell centre, unrounded
    assert spec["layout"]["clickmode"] == "event+select"
    # hover words follow the cell's outcome
    assert {w.split(" (")[0] for w in click["customdata"]} == {"global min", "local min 1",
                                                               "diverged"}


def test_level_lines_of_the_landscape_are_drawn_when_a_grid_is_given() -> None:
    from viz.background import sample_grid

    class Bowl:
        def value(self, xy):
            return np.sum(np.asarray(xy) ** 2, axis=-1)

    xs, ys, labels = grid_labels(20)
    plain = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN).to_dict()
    grid = sample_grid(Bowl(), DOMAIN, n=30)
    lined = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN, grid=grid).to_dict()
    assert not [t for t in plain["data"] if t["type"] == "contour"]
    contour = next(t for t in lined["data"] if t["type"] == "contour")
    assert contour["contours"]["coloring"] == "none" and contour["showscale"] is False
    assert np.asarray(contour["z"]).shape == (30, 30)


def test_level_lines_stay_visible_on_a_map_that_mostly_blew_up() -> None:
    from viz.background import sample_grid
    from viz.style import hex_rgb

    class Bowl:
        def value(self, xy):
            return np.sum(np.asarray(xy) ** 2, axis=-1)

    xs, ys, labels = grid_labels(20)
    grid = sample_grid(Bowl(), DOMAIN, n=30)

    def line_rgb(lab: np.ndarray) -> np.ndarray:
        fig = basin_figure(xs, ys, lab, MINIMA, "SGD", "sgd", DOMAIN, grid=grid).to_dict()
        color = next(t for t in fig["data"] if t["type"] == "contour")["line"]["color"]
        return np.array([float(c) for c in color[5:-1].split(",")[:3]])

    black = np.array(hex_rgb(DIVERGED_COLOR), float)
    mostly = np.where(np.arange(labels.size).reshape(labels.shape) % 4 == 0, 0, DIVERGED)
    # all diverged (solid near-black): the lines are light, far from the cells' colour
    assert np.abs(line_rgb(np.full_like(labels, DIVERGED)) - black).min() > 200
    assert np.abs(line_rgb(mostly) - black).min() > 200
    assert np.abs(line_rgb(labels) - black).max() < 100  # a normal map keeps dark lines


def test_the_figure_is_valid_plotly() -> None:
    import plotly.graph_objects as go

    from viz.background import sample_grid

    class Bowl:
        def value(self, xy):
            return np.sum(np.asarray(xy) ** 2, axis=-1)

    xs, ys, labels = grid_labels(20)
    spec = basin_figure(xs, ys, labels, MINIMA, "Adam", "adam", DOMAIN,
                        grid=sample_grid(Bowl(), DOMAIN, n=30)).to_dict()
    go.Figure(spec)  # full validation: raises on any unknown key or bad value


# --- colours: local minima are never green, and never red or grey either --------------------------

def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0


def hue(color: str) -> float:
    """Hue in degrees (HSV)."""
    return 360.0 * colorsys.rgb_to_hsv(*_rgb(color))[0]


def hue_distance(a: str, b: str) -> float:
    d = abs(hue(a) - hue(b)) % 360.0
    return min(d, 360.0 - d)


def lab(color: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour."""
    c = _rgb(color)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ lin / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference: about 2 is just noticeable, above 40 clearly different colours."""
    return float(np.linalg.norm(lab(a) - lab(b)))


def many_minima(n_local: int) -> tuple[Minimum, ...]:
    """One global minimum at the origin and ``n_local`` local ones, deeper near the centre."""
    side = int(np.ceil(np.sqrt(n_local + 1)))
    pts = [(float(i), float(j)) for i in range(side) for j in range(side)][: n_local + 1]
    return tuple(Minimum(p, float(np.hypot(*p)), k == 0) for k, p in enumerate(pts))


def local_colors(minima) -> list[str]:
    colors = label_colors(minima)
    return [colors[k] for k, m in enumerate(minima) if not m.is_global]


ALL_LOCAL = sorted(set(LOCAL_COLORS) | set(local_colors(many_minima(120))))


@pytest.mark.parametrize("color", ALL_LOCAL)
def test_no_local_colour_looks_like_the_global_green(color: str) -> None:
    """The old palette's teal #11A579 was 30 degrees of hue and 25 CIE76 units from the green;
    every local colour now (the palette and the depth ramp) is far from it in both."""
    for green in GLOBAL_COLORS:
        assert hue_distance(color, green) >= 50, (color, hue(color), green)
        assert delta_e(color, green) >= 50, (color, green)
    assert not 70 <= hue(color) <= 175  # no yellow-green, green, teal
    assert delta_e(color, DIVERGED_COLOR) >= 40  # and not the diverged red
    assert delta_e(color, MOVING_COLOR) >= 25  # nor the no-minimum grey


#: Machado, Oliveira & Fernandes (2009), severity 1, on linear RGB: what a deuteranope or a
#: protanope (red-green colour blindness, ~6% of men) sees.
COLOR_BLIND = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}


def seen_as(color: str, kind: str) -> str:
    """``color`` as the simulation of ``kind`` shows it (``#RRGGBB``)."""
    c = _rgb(color)
    lin = np.clip(COLOR_BLIND[kind] @ np.where(c <= 0.04045, c / 12.92,
                                               ((c + 0.055) / 1.055) ** 2.4), 0, 1)
    out = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
    return "#" + "".join(f"{round(v * 255):02X}" for v in out)


@pytest.mark.parametrize("kind", sorted(COLOR_BLIND))
def test_outcomes_stay_apart_under_red_green_colour_blindness(kind: str) -> None:
    """A review simulated deuteranopia: the diverged red and the global green became one olive
    (CIEDE2000 7.9 in its simulation; CIE76, as here: 12.6, and 6.8 from the dark green for a
    protanope). Diverged is near-black now, far from every green and local colour;
    the local colours most surfaces use (the first four) stay far from every green."""
    def apart(a: str, b: str) -> float:
        return delta_e(seen_as(a, kind), seen_as(b, kind))

    for color in [*GLOBAL_COLORS, *ALL_LOCAL, MOVING_COLOR]:
        assert apart(DIVERGED_COLOR, color) >= 25, color
    for color in LOCAL_COLORS[:4]:
        for green in GLOBAL_COLORS:
            assert apart(color, green) >= 25, (color, green)
    # the old red came within 15 of a green (the reviewed failure)
    assert min(apart("#C0392B", green) for green in GLOBAL_COLORS) < 15


def test_the_reviewed_teal_would_have_failed() -> None:
    assert hue_distance("#11A579", GLOBAL_COLOR) < 50 and delta_e("#11A579", GLOBAL_COLOR) < 50


def test_each_global_minimum_has_its_own_green() -> None:
    """The review's case: Himmelblau's four global minima in one green made a solid block, so the
    map no longer showed which start goes to which minimum."""
    assert GLOBAL_COLORS[0] == GLOBAL_COLOR  # one global minimum: the green as before
    for a, b in itertools.combinations(GLOBAL_COLORS, 2):
        assert delta_e(a, b) >= 20, (a, b)
    for green in GLOBAL_COLORS:
        assert 70 <= hue(green) <= 175  # still read as green
        assert delta_e(green, DIVERGED_COLOR) >= 40 and delta_e(green, MOVING_COLOR) >= 25
    s = landscape.get_surface("himmelblau")
    colors = label_colors(s.minima)
    assert sorted(colors[k] for k in range(len(s.minima))) == sorted(GLOBAL_COLORS)
    n = 24
    xs = ys = np.linspace(-5, 5, n)
    labels = (np.arange(n * n).reshape(n, n) // 3) % 4
    data = basin_figure(xs, ys, labels, s.minima, "Adam", "adam", s.domain).to_dict()["data"]
    legend = {t["name"].split(":")[0]: t["marker"]["color"] for t in data if t.get("showlegend")
              and t["name"].startswith("global min")}
    assert len(legend) == 4 and set(legend.values()) == set(GLOBAL_COLORS)
    # numbered on the map and in the legend alike, so a star names its colour
    assert sorted(name.split(" (")[0] for name in legend) == [f"global min {k}" for k in
                                                               range(1, 5)]
    stars = next(t for t in data if t.get("name") == "global minimum")
    assert stars["mode"] == "markers+text" and stars["text"] == ["1", "2", "3", "4"]
    one = basin_figure(xs, ys, np.zeros((n, n), int), MINIMA, "Adam", "adam",
                       DOMAIN).to_dict()["data"]
    star = next(t for t in one if t.get("name") == "global minimum")
    assert star["mode"] == "markers" and "text" not in star  # a lone minimum needs no number


def test_a_few_local_minima_get_distinct_colours() -> None:
    assert len(set(LOCAL_COLORS)) == len(LOCAL_COLORS) == MAX_DISTINCT_LOCALS
    for a, b in itertools.combinations(LOCAL_COLORS, 2):
        assert delta_e(a, b) >= 20, (a, b)
    minima = many_minima(MAX_DISTINCT_LOCALS)
    assert sorted(local_colors(minima)) == sorted(LOCAL_COLORS)  # each its own, none repeated


def test_many_local_minima_share_one_blue_shaded_by_depth() -> None:
    minima = many_minima(120)
    colors = label_colors(minima)
    local = [k for k, m in enumerate(minima) if not m.is_global]
    assert {colors[k] for k in range(len(minima)) if minima[k].is_global} == {GLOBAL_COLOR}
    assert GLOBAL_COLOR not in {colors[k] for k in local}
    assert all(200 <= hue(colors[k]) <= 250 for k in local)  # one hue family: blue to indigo
    lightness = {minima[k].value: lab(colors[k])[0] for k in local}
    depths = sorted(lightness)  # lower minima are darker; equal depths share a shade
    assert all(lightness[a] < lightness[b] for a, b in itertools.pairwise(depths))
    assert colors[DIVERGED] == DIVERGED_COLOR and colors[MOVING] == MOVING_COLOR


def test_the_legend_counts_every_local_minimum_when_they_are_many() -> None:
    minima = many_minima(120)
    n = 40
    xs = ys = np.linspace(0, 10, n)
    labels = np.arange(n * n).reshape(n, n) % 60  # global + 59 local minima reached
    labels[0, :4] = DIVERGED
    data = basin_figure(xs, ys, labels, minima, "SGD", "sgd", ((0, 10), (0, 10))).to_dict()["data"]
    names = [t["name"].replace("<br>", " ") for t in data if t.get("showlegend")]  # wrapped
    local = [name for name in names if name.startswith("local")]
    assert local == [f"local minima (59 of 120; darker = deeper): "
                     f"{100 * np.sum(labels > 0) / labels.size:.1f}%"]
    assert any(name.startswith("global min") for name in names)
    assert any(name.startswith("diverged") for name in names)


def test_the_legend_lists_each_of_a_few_local_minima() -> None:
    minima = many_minima(MAX_DISTINCT_LOCALS)
    n = 30
    xs = ys = np.linspace(0, 10, n)
    labels = np.arange(n * n).reshape(n, n) % len(minima)
    data = basin_figure(xs, ys, labels, minima, "SGD", "sgd", ((0, 10), (0, 10))).to_dict()["data"]
    names = [t["name"] for t in data if t.get("showlegend")]
    # numbered as the race numbers them ("local 2", "stuck in local minimum 2")
    assert [n.split(" (")[0] for n in names if n.startswith("local min ")] == [
        f"local min {k}" for k in range(1, MAX_DISTINCT_LOCALS + 1)], names


def test_rastrigin_cells_that_are_not_global_are_not_green() -> None:
    """The review's case: Rastrigin's 120 local minima all read as local."""
    s = landscape.get_surface("rastrigin")
    colors = label_colors(s.minima)
    glob = [k for k, m in enumerate(s.minima) if m.is_global]
    for k, m in enumerate(s.minima):
        if not m.is_global:
            assert hue_distance(colors[k], GLOBAL_COLOR) >= 50
    assert [colors[k] for k in glob] == [GLOBAL_COLOR]


# --- layout: maps as wide as their column, words above them, nothing cut ------------------------

def test_a_click_promises_only_what_it_does() -> None:
    """A click selects the start (the page then shows a button to the race), it opens nothing."""
    xs, ys, labels = grid_labels(20)
    click = next(t for t in basin_figure(xs, ys, labels, MINIMA, "Adam", "adam",
                                         DOMAIN).to_dict()["data"] if t["name"] == CLICK_NAME)
    assert "open" not in click["hovertemplate"] and "pick" in click["hovertemplate"]


def test_title_and_legend_sit_above_a_map_of_the_asked_size() -> None:
    xs, ys, labels = grid_labels(20)
    layout = basin_figure(xs, ys, labels, MINIMA, "SGD + momentum (lr 0.3)", "momentum", DOMAIN,
                          subtitle="23.5% reach the global minimum", side=300).to_dict()["layout"]
    # the name in ink after a dot of the optimizer's colour (a title all in SGD's blue over a
    # blue local basin read as one thing)
    assert layout["title"]["text"] == (f"<span style='color:{optimizer_color('momentum')}'>●"
                                       "</span> SGD + momentum (lr 0.3)<br>"
                                       "<sup>23.5% reach the global minimum</sup>")
    assert layout["title"]["font"]["color"] == INK
    m = layout["margin"]
    assert layout["height"] - m["t"] - m["b"] == 300  # a square domain: side x side
    assert layout["legend"]["y"] == 1 and layout["legend"]["yanchor"] == "bottom"
    assert layout["yaxis"]["constraintoward"] == "top"  # a narrow column: spare room below
    wide = basin_figure(xs, ys, labels, MINIMA, "SGD", "sgd", ((-3, 3), (-2, 2)), side=300)
    wl = wide.to_dict()["layout"]
    assert wl["height"] - wl["margin"]["t"] - wl["margin"]["b"] == 200


def test_a_phones_title_starts_under_the_mode_bar() -> None:
    """On a phone Plotly's mode bar always shows, at the figure's top right: a long title
    ("Adam, then SGD (lr 0.01, then 0.1)") beside it ran under it. A phone's title starts a
    mode-bar row down, and the map keeps its size."""
    from viz.style import MODEBAR_PX

    xs, ys, labels = grid_labels(20)
    args = (xs, ys, labels, MINIMA, "Adam, then SGD (lr 0.01, then 0.1)", "adam_then_sgd",
            DOMAIN)
    laptop = basin_figure(*args, side=300).to_dict()["layout"]
    phone = basin_figure(*args, side=300, phone=True).to_dict()["layout"]

    def title_top(layout: dict) -> float:  # px from the figure's top of the title's centre
        return (1 - layout["title"]["y"]) * layout["height"]

    assert title_top(phone) - title_top(laptop) == pytest.approx(MODEBAR_PX, abs=0.5)
    assert title_top(phone) - 11 > MODEBAR_PX  # a 16 px line, centred: clear of the bar
    assert phone["margin"]["t"] == laptop["margin"]["t"] + MODEBAR_PX
    for layout in (laptop, phone):
        assert layout["height"] - layout["margin"]["t"] - layout["margin"]["b"] == 300


def test_long_legend_texts_wrap_and_maps_side_by_side_line_up() -> None:
    minima = many_minima(120)
    n = 40
    xs = ys = np.linspace(0, 10, n)
    labels = np.arange(n * n).reshape(n, n) % 60
    names = [t["name"] for t in basin_figure(xs, ys, labels, minima, "SGD", "sgd",
                                             ((0, 10), (0, 10))).to_dict()["data"]
             if t.get("showlegend")]
    assert all(len(line) <= LEGEND_CHARS for name in names for line in name.split("<br>"))
    few = np.zeros((n, n), dtype=int)  # every start at the global minimum: one legend line
    assert legend_lines(few, minima) == 1 < legend_lines(labels, minima)
    lines = max(legend_lines(few, minima), legend_lines(labels, minima))
    tops = {basin_figure(xs, ys, lab, minima, "SGD", "sgd", ((0, 10), (0, 10)),
                         legend_lines=lines).to_dict()["layout"]["margin"]["t"]
            for lab in (few, labels)}
    assert len(tops) == 1


def test_many_local_minima_are_small_dots_that_leave_the_basins_seen() -> None:
    """Rastrigin's 120 local minima at full size covered the basin shading (a review)."""
    from viz.basins import SMALL_LOCAL_PX, shaded_locals
    from viz.style import MINIMUM_LOCAL

    many = [Minimum((float(i), 0.0), float(i), False) for i in range(12)] + [
        Minimum((0.5, 0.5), -1.0, True)]
    few = many[:3] + many[-1:]
    xs, ys, labels = grid_labels(10)
    for minima, size in ((many, SMALL_LOCAL_PX), (few, MINIMUM_LOCAL["size"])):
        data = basin_figure(xs, ys, labels, minima, "Adam", "adam", DOMAIN).to_dict()["data"]
        (local,) = [t for t in data if t.get("name") == "local minimum"]
        assert local["marker"]["size"] == size and shaded_locals(minima) == (size < 12)


def test_a_picked_start_on_the_map_s_edge_is_drawn_whole() -> None:
    """A picked cell on the border was half a white square, clipped by the plot area."""
    trace = picked_trace((-2.0, 0.5), 6.0)
    assert trace["cliponaxis"] is False and trace["marker"]["size"] == 8.0

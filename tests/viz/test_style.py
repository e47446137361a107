"""The optimizer palette: one colour per optimizer, any two of them told apart at a glance."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import optimizers
from viz.background import _colorscale_rgb
from viz.style import (
    MIN_COLOR_DIFFERENCE,
    ciede2000,
    color_difference,
    format_value,
    log_axis,
    optimizer_color,
    srgb_to_lab,
)

# Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula": L1 a1 b1 L2 a2 b2 dE00.
SHARMA = [
    (50.0, 2.6772, -79.7751, 50.0, 0.0, -82.7485, 2.0425),
    (50.0, -1.3802, -84.2814, 50.0, 0.0, -82.7485, 1.0),
    (50.0, 0.0, 0.0, 50.0, -1.0, 2.0, 2.3669),
    (50.0, 2.49, -0.001, 50.0, -2.49, 0.0011, 7.2195),
    (50.0, 2.5, 0.0, 50.0, 0.0, -2.5, 4.3065),
    (50.0, 2.5, 0.0, 73.0, 25.0, -18.0, 27.1492),
    (50.0, 2.5, 0.0, 61.0, -5.0, 29.0, 22.8977),
    (60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644),
    (22.7233, 20.0904, -46.694, 23.0331, 14.973, -42.5619, 2.0373),
    (90.8027, -2.0831, 1.441, 91.1528, -1.6435, 0.0447, 1.4441),
    (2.0776, 0.0795, -1.135, 0.9033, -0.0636, -0.5514, 0.9082),
]


def test_ciede2000_matches_the_published_test_data() -> None:
    data = np.array(SHARMA)
    np.testing.assert_allclose(ciede2000(data[:, :3], data[:, 3:6]), data[:, 6], atol=1e-4)
    np.testing.assert_allclose(ciede2000(data[:, 3:6], data[:, :3]), data[:, 6], atol=1e-4)
    assert color_difference("#FFFFFF", "#000000") == pytest.approx(100.0, abs=1e-3)
    np.testing.assert_allclose(srgb_to_lab("#FFFFFF"), [100, 0, 0], atol=1e-3)


def test_any_two_optimizers_that_can_race_differ_at_a_glance() -> None:
    """Any registry optimizers may race together; the review measured RMSprop / Adadelta 9.6,
    Nesterov / Lion 12.0 and AdamW / AMSGrad 15.0 apart: one colour on the curves."""
    names = list(optimizers.OPTIMIZERS)
    colors = [optimizer_color(n) for n in names]
    assert len(set(colors)) == len(names)
    worst = min((color_difference(colors[i], colors[j]), names[i], names[j])
                for i, j in itertools.combinations(range(len(names)), 2))
    assert worst[0] >= MIN_COLOR_DIFFERENCE >= 20, worst


def _luminance(color: str) -> float:
    """WCAG relative luminance of ``#RRGGBB``."""
    c = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def _contrast_on_white(color: str) -> float:
    return 1.05 / (_luminance(color) + 0.05)


@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
def test_each_colour_reads_on_white_and_on_the_map(name) -> None:
    """At least the contrast of the Okabe-Ito orange (2.2:1) on the page, and apart from every
    colour of the map's scale at least as far as the Okabe-Ito sky blue (7.9)."""
    color = optimizer_color(name)
    assert _contrast_on_white(color) >= 2.2
    scale = srgb_to_lab(_colorscale_rgb(np.linspace(0, 1, 101)).astype(float))
    assert float(ciede2000(srgb_to_lab(color), scale).min()) >= 7.5


def test_map_click_grids_hover_in_dark_text_on_white() -> None:
    """The click grids' markers are nearly transparent black: their hover labels read as light
    grey text on white. Both maps' grids now set a label of WCAG contrast >= 7 (AAA)."""
    import landscape
    from viz.background import pick_grid_trace
    from viz.basins import click_trace

    s = landscape.get_surface("himmelblau")
    xs = np.linspace(-5, 5, 4)
    for trace in (pick_grid_trace(s, s.domain, 5),
                  click_trace(xs, xs, np.zeros((4, 4), int), s.minima)):
        label = trace["hoverlabel"]
        hi, lo = _luminance(label["bgcolor"]), _luminance(label["font"]["color"])
        assert (hi + 0.05) / (lo + 0.05) >= 7, label


def test_legends_and_curve_titles_hang_under_the_mode_bar() -> None:
    """Right above the plot area, Plotly's mode bar (on a phone always, on a laptop on hover)
    covered a legend's first row and a half column's curve title; both hang from the figure's
    top, a mode bar's row down, and Plotly grows the top margin to hold them."""
    import numpy as np

    from viz.curves import loss_figure
    from viz.paths import PathView
    from viz.style import MODEBAR_PX, base_layout

    legend = base_layout(400)["legend"]
    assert (legend["yref"], legend["yanchor"]) == ("container", "top")
    assert legend["y"] * 400 == 400 - MODEBAR_PX
    pts = np.zeros((3, 2))
    path = PathView("adam", "Adam", pts, np.array([1.0, 0.5, 0.1]), pts)
    layout = loss_figure([path], 0.0).to_dict()["layout"]
    title, height = layout["title"], layout["height"]
    assert (title["yref"], title["yanchor"]) == ("container", "top")
    assert round((1 - title["y"]) * height) == MODEBAR_PX
    assert layout["margin"]["t"] >= MODEBAR_PX + 30  # the title's own line under the bar


@pytest.mark.parametrize(("lo", "hi", "dtick"), [
    (0.7, 0.9, None),  # a tenth of a decade: Plotly's few, evenly spaced ticks
    (0.7, 4.0, "under"),  # 0.76 decades: Plotly's 1, 1.5 ... 4 piled up at a panel's top
    (0.04, 1.0, "125"),  # 1.4 decades: 2 and 5 times each power (it labelled every digit)
    (1e-4, 10.0, 1),  # 5 decades: the powers alone (2×10⁻⁴, 5×10⁻⁴ ... crowded the axis)
    (1e-12, 1e4, None),  # 16 decades: Plotly thins the powers itself
])
def test_log_axis_ticks_stay_apart(lo: float, hi: float, dtick) -> None:
    axis = log_axis([np.geomspace(hi, lo, 50), np.array([np.nan, 0.0, -1.0, np.inf])])
    if dtick == "125":  # written out: 0.05, 0.1, 0.2 (Plotly's power format read 50 as "5×10")
        shown = [t for v, t in zip(axis["tickvals"], axis["ticktext"], strict=True)
                 if lo <= v <= hi]
        assert shown == ["0.05", "0.1", "0.2", "0.5", "1"] and "dtick" not in axis
        axis = {k: v for k, v in axis.items() if k not in ("tickvals", "ticktext")}
        dtick = None
    if dtick == "under":  # about evenly apart on the log scale: no two closer than 0.12 decade
        shown = [v for v in axis["tickvals"] if lo <= v <= hi]
        assert shown == [0.7, 1.0, 1.5, 2.0, 3.0]
        assert min(np.diff(np.log10(shown))) > 0.12
        axis = {k: v for k, v in axis.items() if k not in ("tickvals", "ticktext")}
        dtick = None
    assert axis["type"] == "log" and axis.get("dtick") == dtick
    assert axis["minorloglabels"] == "complete"  # 2×10⁻¹, never a bare 2 beside 10⁻¹
    assert log_axis([]) == log_axis([np.array([np.nan])]) == {k: v for k, v in axis.items()
                                                             if k != "dtick"}


def test_ticks_125_write_plain_numbers_near_1_and_powers_beyond() -> None:
    from viz.style import ticks_125

    near = ticks_125(0.75, 20.0)
    assert dict(zip(near["tickvals"], near["ticktext"], strict=True))[50.0] == "50"
    tiny = dict(zip(*ticks_125(2e-6, 3e-4).values(), strict=True))
    assert tiny[5e-6] == "5×10⁻⁶" and tiny[1e-4] == "10⁻⁴" and tiny[0.002] == "0.002"


def test_text_colors_read_on_white_and_keep_their_hue() -> None:
    """Momentum's orange as a title or a table name read at 2.25:1 on white: text uses
    ``text_color``, the same colour darkened until it reaches 4.5:1 (or itself if it does)."""
    from viz.style import _FIXED, hex_rgb, relative_luminance, text_color

    for name, color in _FIXED.items():
        ink = text_color(color)
        ratio = 1.05 / (relative_luminance(np.array(hex_rgb(ink), float)) + 0.05)
        assert ratio >= 4.5, (name, ink)
        was = 1.05 / (relative_luminance(np.array(hex_rgb(color), float)) + 0.05)
        if was >= 4.5:
            assert ink == color
        else:  # darkened, not recoloured: the channels keep their proportions
            a, b = np.array(hex_rgb(color), float), np.array(hex_rgb(ink), float)
            k = b.sum() / a.sum()
            assert 0 < k < 1 and np.allclose(a * k, b, atol=1.5), (name, ink)
    assert text_color("#E69F00") != "#E69F00"


def test_basin_titles_and_tables_name_optimizers_in_readable_colours() -> None:
    import pandas as pd

    from app_pages.common.controls import named_in_color
    from landscape import Minimum
    from viz.basins import basin_figure
    from viz.style import INK, optimizer_color, text_color

    xs = np.linspace(-1.9, 1.9, 6)
    labels = np.where(xs[None, :] < 0, 0, 1) * np.ones((6, 1), dtype=int)
    minima = (Minimum((-1.0, 0.0), -0.2, True), Minimum((1.0, 0.0), 0.2, False))
    fig = basin_figure(xs, xs, labels, minima, "SGD + momentum",
                       "momentum", ((-2.0, 2.0), (-2.0, 2.0))).to_dict()
    # the name in ink, after a dot in the optimizer's own colour (a glyph, not text to read)
    assert fig["layout"]["title"]["font"]["color"] == INK
    assert f"<span style='color:{optimizer_color('momentum')}'>●</span>" in \
        fig["layout"]["title"]["text"]
    html = named_in_color(pd.DataFrame({"optimizer": ["SGD + momentum", "SGD"]}),
                          ["momentum", "sgd"]).to_html()
    assert text_color("#E69F00").lower() in html.lower() and "#e69f00" not in html.lower()


@pytest.mark.parametrize(("value", "shown"), [
    (1000.0, "1000"), (1234.5, "1230"), (-25000.0, "-25000"), (0.05, "0.05"), (1e-8, "1e-08"),
    (2.5e7, "2.5e+07"), (12.5, "12.5"), ((0.9, 0.999), "(0.9, 0.999)"), (True, "on"), (3, "3"),
])
def test_hyperparameter_values_read_as_plain_numbers_below_a_million(value, shown) -> None:
    """A network's SGD at lr 1000 was labelled "SGD (lr 1e+03)"."""
    assert format_value(value) == shown


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB: how a colour looks to a
# protanope, a deuteranope and a tritanope.
_CVD = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def _seen_by(color: str, kind: str) -> str:
    c = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    out = np.clip(_CVD[kind] @ lin, 0.0, 1.0)
    srgb = np.where(out <= 0.0031308, 12.92 * out, 1.055 * out ** (1 / 2.4) - 0.055)
    return "#" + "".join(f"{round(float(v) * 255):02X}" for v in srgb)


def test_optimizers_whose_colours_merge_for_colour_blind_eyes_have_two_shapes() -> None:
    """An accessibility review: under deuteranopia Adam, RAdam and Lion were all olive, SGD and
    AMSGrad both blue (CIEDE2000 4-5 apart), and every dot on the map was a circle."""
    from viz.style import _FIXED, SYMBOLS, optimizer_symbol

    names = list(_FIXED)
    assert {optimizer_symbol(n) for n in names} <= set(SYMBOLS)
    merged = [(a, b, kind) for kind in _CVD for a, b in itertools.combinations(names, 2)
              if color_difference(_seen_by(_FIXED[a], kind), _seen_by(_FIXED[b], kind)) < 10]
    assert len(merged) >= 10  # the check has pairs to check (16 at the time of writing)
    same = [m for m in merged if optimizer_symbol(m[0]) == optimizer_symbol(m[1])]
    assert not same, same
    # the six raced by default, all apart; a name outside the registry gets a stable shape
    from app_pages.common.presets import DEFAULT_OPTIMIZERS
    assert len({optimizer_symbol(n) for n in DEFAULT_OPTIMIZERS}) == len(DEFAULT_OPTIMIZERS)
    assert optimizer_symbol("made_up") == optimizer_symbol("made_up") in SYMBOLS


def test_each_shape_draws_a_swatch_of_its_own() -> None:
    from app_pages.common.controls import color_swatch
    from viz.style import SYMBOLS, symbol_svg

    for symbol in SYMBOLS:
        assert "fill='#123456'" in symbol_svg(symbol, "#123456")
    assert len({symbol_svg(s, "#000000") for s in SYMBOLS}) == len(SYMBOLS)
    assert "polygon" in color_swatch("adam") and "circle" in color_swatch("sgd")


def test_an_optimizer_card_s_chip_is_its_marker() -> None:
    """The cards showed a "●" for every optimizer beside a map of shapes (a review)."""
    from app_pages.common.controls import color_chip
    from viz.style import optimizer_symbol, symbol_svg

    chip = color_chip("adagrad", "Adagrad")
    assert symbol_svg(optimizer_symbol("adagrad"), optimizer_color("adagrad")) in chip
    assert "<polygon" in chip and chip.endswith("<b>Adagrad</b>") and "●" not in chip

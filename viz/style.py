"""One look for every figure: a fixed colour per optimizer, one way to mark minima, one colour map.

Colours come from colour-blind-friendly palettes (Okabe & Ito 2008; Paul Tol's "muted"), keyed by
the optimizer's registry name so that Adam is the same colour on every page, curve and table.
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from viz.numbers import power_text

# Okabe-Ito first (the most distinct colours go to the optimizers people race most), then Tol muted.
# Any two optimizers may race together, so every pair differs by at least MIN_COLOR_DIFFERENCE
# (CIEDE2000, ``color_difference``): Adadelta, Lion, AMSGrad, NAdam and Adam-then-SGD moved from
# Tol's teal, rose, purple, green and a brown that read as RMSprop, Nesterov, AdamW, RMSprop and
# Lion (9.6 to 17.8 apart), each to the nearest colour 21 from all others.
_FIXED: dict[str, str] = {
    "sgd": "#0072B2",  # blue
    "momentum": "#E69F00",  # orange
    "nesterov": "#CC79A7",  # reddish purple
    "adam": "#D55E00",  # vermillion
    "rmsprop": "#009E73",  # bluish green
    "adagrad": "#56B4E9",  # sky blue
    "adamw": "#882255",  # wine
    "amsgrad": "#AE33C6",  # violet
    "nadam": "#006C1E",  # dark green
    "radam": "#999933",  # olive
    "adamax": "#332288",  # indigo
    "adadelta": "#0C6C69",  # dark teal
    "lion": "#F04854",  # red
    "adam_then_sgd": "#874E3F",  # brown (sand read as momentum's orange)
    "random_search": "#6E6E6E",  # grey
    "random_local_search": "#1B1B1B",  # near black
}
MIN_COLOR_DIFFERENCE = 20.0
#: Dark text and marks on light ground.
INK = "#111111"
#: Optimizers whose path is a row of finds, not a walk: random search's best so far jumps anywhere
#: on the map. Drawn as points; a line between its finds read as a walk it never took.
JUMPERS = frozenset({"random_search"})
_EXTRA: tuple[str, ...] = ("#88CCEE", "#DDCC77", "#E8601C", "#4477AA", "#228833", "#AA3377")

MINIMUM_GLOBAL: dict[str, Any] = {
    "symbol": "star", "size": 18, "color": "#FFD700", "line": {"color": INK, "width": 1.5},
}
# The lowest point in view of a formula that keeps falling: a hollow star, since it is no minimum.
LOWEST_IN_VIEW: dict[str, Any] = {
    "symbol": "star-open", "size": 18, "color": INK, "line": {"width": 2},
}
# Local minima: white fill, dark outline (readable on the map and on a dark-theme legend).
MINIMUM_LOCAL: dict[str, Any] = {
    "symbol": "diamond", "size": 12, "color": "rgba(255,255,255,0.75)",
    "line": {"color": INK, "width": 2},
}
START_MARKER: dict[str, Any] = {
    "symbol": "circle", "size": 12, "color": "#FFFFFF", "line": {"color": INK, "width": 2},
}

#: A log axis: powers of ten written as powers, and its in-between labels whole ("2×10⁻¹", not a
#: bare "2" beside 10⁻¹, which read as more than the 1 above it).
LOG_AXIS: dict[str, Any] = {"type": "log", "exponentformat": "power",
                            "minorloglabels": "complete"}


def ticks_125(lo: float, hi: float, mantissas: Sequence[float] = (1, 2, 5)) -> dict[str, Any]:
    """Log-axis ticks at 1, 2 and 5 (``mantissas``) times each power of ten around [lo, hi]
    (> 0), written as plain numbers from 0.001 to 5000 (Plotly's power format read 50 as
    "5×10") and as ``m×10ⁿ`` beyond; Plotly draws those inside the axis's range."""
    k0, k1 = int(np.floor(np.log10(lo))) - 1, int(np.ceil(np.log10(hi))) + 1
    vals, text = [], []
    for k in range(k0, k1 + 1):
        for m in mantissas:
            v = float(f"{m * 10.0**k:.12g}")
            vals.append(v)
            text.append(f"{v:g}" if -3 <= k <= 3 else power_text(k, str(m)))
    return {"tickvals": vals, "ticktext": text}


#: Tick mantissas of a log axis spanning 0.3 to 1 decade (``log_axis``).
UNDER_A_DECADE = (1, 1.5, 2, 3, 5, 7)


def log_axis(values: Sequence[np.ndarray] | np.ndarray) -> dict[str, Any]:
    """``LOG_AXIS`` with ticks that stay apart for the range of ``values`` (positive, finite
    ones count): Plotly labels every digit from 2 to 9 on one or two decades, a crowd once
    written whole, so 1 to 3 decades get ticks at 1, 2 and 5 times each power of ten
    (``ticks_125``), and 3 to 8 decades the powers alone; under a decade or beyond 8, Plotly's
    own ticks are sparse. From 0.3 to 1 decade Plotly steps evenly in value (1, 1.5, ... 4),
    which piles its labels up at the top of a short panel: there the ticks are 1, 1.5, 2, 3, 5
    and 7 times each power, about evenly apart on the log scale."""
    flat = [np.ravel(np.asarray(v, float)) for v in values] if len(values) else []
    v = np.concatenate(flat) if flat else np.empty(0)
    v = v[np.isfinite(v) & (v > 0)]
    decades = float(np.log10(v.max()) - np.log10(v.min())) if v.size else 0.0  # 1e308 / 1e-308
    if 0.3 <= decades < 1:
        return {**LOG_AXIS, **ticks_125(float(v.min()), float(v.max()), UNDER_A_DECADE)}
    if 1 <= decades < 3:
        return {**LOG_AXIS, **ticks_125(float(v.min()), float(v.max()))}
    if 3 <= decades < 8:
        return {**LOG_AXIS, "dtick": 1}
    return dict(LOG_AXIS)


CLEAR = "rgba(0,0,0,0)"  # drawn, but not seen

#: A map's x axis: its labels a few pixels lower, clear of the y axis's lowest label. Both axes end
#: on a tick (a domain such as [-2, 2] x [-1, 3]), and "-1" beside the corner touched "-2" under it.
MAP_XAXIS: dict[str, Any] = {"ticklabelstandoff": 5}

DIVERGED_MARKER: dict[str, Any] = {"symbol": "x-thin-open", "size": 14, "line": {"width": 3}}
#: A sweep's rate whose walker ended off the map (flew off without diverging): an open arrow.
OFF_MAP_MARKER: dict[str, Any] = {"symbol": "arrow-up-open", "size": 12, "line": {"width": 2}}
#: Where a path left the map for good: an arrow turned the way it went, beside its stopped dot.
LEFT_MAP_MARKER: dict[str, Any] = {"symbol": "arrow", "size": 20,
                                   "line": {"color": "#FFFFFF", "width": 1}}

#: Background colour map (low loss -> high loss): a light, desaturated Viridis so that the saturated
#: optimizer colours stay readable on top of it in light and dark themes.
COLORSCALE: tuple[tuple[float, str], ...] = (
    (0.0, "#F4F1DE"),
    (0.15, "#D9EDC0"),
    (0.35, "#9FD8B4"),
    (0.55, "#79BCC1"),
    (0.75, "#7C93BF"),
    (1.0, "#6C5B9E"),
)
CONTOUR_LINE_RGB: tuple[int, int, int] = (60, 60, 80)
FONT_FAMILY = "Source Sans Pro, Arial, sans-serif"


def optimizer_color(name: str) -> str:
    """The colour of optimizer ``name`` (registry name) everywhere in the app, as ``#RRGGBB``.

    Unknown names get a stable colour from an extra palette (CRC32 of the name), never random.
    """
    if name in _FIXED:
        return _FIXED[name]
    return _EXTRA[zlib.crc32(name.encode()) % len(_EXTRA)]


#: A marker shape per optimizer beside its colour, for the dots that move on the race map, the
#: legend and the table's swatches: under colour-vision deficiency some colours merge (Adam,
#: RAdam and Lion all olive for a deuteranope; SGD and AMSGrad both blue), and every pair that
#: does (CIEDE2000 under 10, Machado et al. 2009 at full severity) has two shapes
#: (``tests/viz/test_style.py``). The six raced by default have six. No star, diamond, x or
#: cross: those mark minima and blow-ups. Plotly's hexagon and pentagon point up
#: (``symbol_svg`` draws them so).
_SYMBOLS: dict[str, str] = {
    "sgd": "circle", "momentum": "square", "nesterov": "triangle-up", "adam": "triangle-down",
    "rmsprop": "pentagon", "adagrad": "hexagon", "adamw": "square", "amsgrad": "triangle-up",
    "nadam": "hexagon", "radam": "pentagon", "adamax": "circle", "adadelta": "triangle-down",
    "lion": "square", "adam_then_sgd": "triangle-left", "random_search": "circle",
    "random_local_search": "square",
}
SYMBOLS: tuple[str, ...] = ("circle", "square", "triangle-up", "triangle-down", "pentagon",
                            "hexagon", "triangle-left")


def optimizer_symbol(name: str) -> str:
    """Plotly's marker symbol of optimizer ``name``; unknown names get a stable one."""
    return _SYMBOLS.get(name) or SYMBOLS[zlib.crc32(name.encode()) % len(SYMBOLS)]


def symbol_svg(symbol: str, color: str, size: int = 16) -> str:
    """An SVG element of ``symbol`` (one of ``SYMBOLS``) filled with ``color``, centred in a
    ``size`` px square (the table's swatch of a marker on the map)."""
    c, r = size / 2, size * 0.4

    def polygon(n: int, turn: float) -> str:
        a = turn + 2 * math.pi * np.arange(n) / n
        pts = " ".join(f"{c + r * math.cos(t):.2f},{c - r * math.sin(t):.2f}" for t in a)
        return f"<polygon points='{pts}' fill='{color}'/>"

    if symbol == "square":
        w = 1.6 * r
        return f"<rect x='{c - w / 2:.2f}' y='{c - w / 2:.2f}' width='{w:.2f}' height='{w:.2f}' " \
               f"fill='{color}'/>"
    turns = {"triangle-up": (3, math.pi / 2), "triangle-down": (3, -math.pi / 2),
             "triangle-left": (3, math.pi), "pentagon": (5, math.pi / 2),
             "hexagon": (6, math.pi / 2)}
    if symbol in turns:
        return polygon(*turns[symbol])
    return f"<circle cx='{c:g}' cy='{c:g}' r='{r * 0.9:.2f}' fill='{color}'/>"


def hex_rgb(color: str) -> tuple[int, int, int]:
    """``#RRGGBB`` -> (r, g, b), 0-255."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return r, g, b


def scale_rgb(scale: Sequence[tuple[float, str]], u: np.ndarray) -> np.ndarray:
    """Interpolate a colour scale ((stop, ``#RRGGBB``), ...) at ``u`` in [0, 1] -> uint8 RGB
    of shape u.shape + (3,)."""
    stops = np.array([s for s, _ in scale])
    cols = np.array([hex_rgb(c) for _, c in scale], float)
    out = np.stack([np.interp(u, stops, cols[:, k]) for k in range(3)], axis=-1)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of (..., 3) 0-255 sRGB: 0 for black, 1 for white."""
    c = np.asarray(rgb, float) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def contrast(lum_a: np.ndarray | float, lum_b: np.ndarray | float) -> np.ndarray:
    """WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05) of two relative luminances, L1 the lighter."""
    a, b = np.asarray(lum_a, float), np.asarray(lum_b, float)
    return (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)


def text_on(rgb: np.ndarray) -> list[str]:
    """Near-black or white text for backgrounds ``rgb`` (..., 3), whichever has the higher WCAG
    contrast (``contrast``); flattened."""
    lum = np.ravel(relative_luminance(np.asarray(rgb).reshape(-1, 3)))
    ink = relative_luminance(np.array(hex_rgb(INK)))
    return [INK if d >= w else "#FFFFFF"
            for d, w in zip(contrast(lum, ink), contrast(lum, 1.0), strict=True)]


@functools.lru_cache(maxsize=256)
def text_color(color: str, ratio: float = 4.5) -> str:
    """``color`` for text on white: itself if it reaches WCAG contrast ``ratio``:1 there, else
    darkened (scaled toward black, same hue) until it does. Momentum's orange titles and table
    names read at 2.25:1; its text is now a deep amber that still names it."""
    rgb = np.array(hex_rgb(color), float)
    for k in np.linspace(1.0, 0.0, 201):
        if contrast(relative_luminance(rgb * k), 1.0) >= ratio:
            return "#{:02X}{:02X}{:02X}".format(*np.rint(rgb * k).astype(int))
    return "#000000"


def rgba(color: str, alpha: float) -> str:
    """``#RRGGBB`` -> ``rgba(r,g,b,alpha)``."""
    r, g, b = hex_rgb(color)
    return f"rgba({r},{g},{b},{alpha:g})"


def format_value(v: Any) -> str:
    """Short human form of a hyperparameter value: 0.05, 1e-08, 1000 (not 1e+03), (0.9, 0.999),
    on/off; three significant digits."""
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, float):
        short = f"{v:.3g}"
        return f"{float(short):.0f}" if "e+" in short and abs(v) < 1e6 else short
    if isinstance(v, tuple | list):
        return "(" + ", ".join(format_value(x) for x in v) + ")"
    return str(v)


def optimizer_label(display_name: str, hparams: Mapping[str, Any] | None = None,
                    extras: Sequence[str] = ()) -> str:
    """Legend text naming the optimizer and its learning rate: ``"Adam (lr 0.05)"``; Adam-then-SGD
    names both phases' rates: ``"Adam, then SGD (lr 0.01, then 0.1)"``. ``extras`` (such as
    ``"momentum 0.9"``) follow the rate inside the brackets."""
    hp = hparams or {}
    said = list(extras)
    if "lr" in hp and "sgd_lr" in hp:  # Adam, then SGD: both phases' rates
        said.insert(0, f"lr {format_value(hp['lr'])}, then {format_value(hp['sgd_lr'])}")
    elif "lr" in hp:
        said.insert(0, f"lr {format_value(hp['lr'])}")
    return f"{display_name} ({', '.join(said)})" if said else display_name


#: The hover label of a map's nearly invisible click grid: dark text on white (it took the
#: markers' colour, and read as light grey text on white).
CLICK_HOVER = {"bgcolor": "#FFFFFF", "bordercolor": "#444444", "font": {"color": INK}}


#: The row at a figure's top where Plotly shows its mode bar (on hover; always on a phone).
MODEBAR_PX = 30

#: A target a finger hits: Apple's 44 pt, a CSS px on a phone.
TOUCH_PX = 44
#: A touch-sized button's label (``touch_buttons``): 11 px type (a phone's row of five fits a
#: 360 px screen), on three lines (the label between two blank ones).
TOUCH_FONT, TOUCH_LINES = 11, 3


def button_px(font_size: float, lines: int = 1) -> int:
    """Height (px) Plotly gives a row of buttons whose labels take ``lines`` lines of
    ``font_size`` px text: 1.3 lines apart, at least 30 px, plus 3 (``updatemenus``
    ``findDimensions``; measured in Chromium: 33 px at 11 and 12 px, 46 px for three lines of
    11 px)."""
    return math.ceil(max(1.3 * font_size * lines, 30) + 3)


def touch_buttons(menu: dict[str, Any], row_px: float) -> dict[str, Any]:
    """``menu``, a row of Plotly buttons, with buttons a finger hits (``TOUCH_PX`` tall at
    least, in ``TOUCH_FONT`` px type) in a row of ``row_px`` over what it stands on (the rest
    is the gap under them).

    Plotly's buttons are 33 px tall at any font under 23 px and grow only with lines of text, so
    each label sits between blank lines: the row's height is set by them, the label stays
    centred and its text (what a screen reader and ``plotly_controls.js`` read) is unchanged.
    On a phone 33 px buttons were 3/4 of a finger's target."""
    tall = button_px(TOUCH_FONT, TOUCH_LINES)
    return {**menu, "font": {**menu.get("font", {}), "size": TOUCH_FONT},
            "pad": {**menu.get("pad", {}), "b": row_px - tall},
            "buttons": [{**b, "label": f"<br>{b['label']}<br>"} for b in menu["buttons"]]}


#: A phone's 3D scene leaves this share of the figure's width, on its right, to the page: Plotly
#: turns the scene under any drag that starts on it, and a phone held sideways (~390 px high)
#: showed nothing but scene across a 600 px figure, so no swipe could scroll past it.
SCROLL_STRIP = 0.12
#: The strip's label: what a swipe there does.
STRIP_TEXT = "↕<br>swipe<br>here<br>to<br>scroll"


def scroll_strip(scene: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A phone's ``scene`` narrowed to leave the ``SCROLL_STRIP`` on its right, and the strip's
    label (a layout annotation, grey, in the strip's middle)."""
    return ({**scene, "domain": {"x": [0.0, 1.0 - SCROLL_STRIP], "y": [0.0, 1.0]}},
            # centred on the strip: Plotly's "auto" anchors it by its right end there
            {"text": STRIP_TEXT, "x": 1.0 - SCROLL_STRIP / 2, "y": 0.5, "xref": "paper",
             "yref": "paper", "xanchor": "center", "showarrow": False,
             "font": {"size": 11, "color": "#595959"}})


def legend_size(names: Sequence[str], width: float, item_px: float,
                char_px: float) -> tuple[int, float]:
    """Rows and width (px) of a horizontal legend of ``names`` on a ``width`` px plot, an entry
    being ``item_px`` (symbol and gaps) plus ``char_px`` a character wide: Plotly puts it on one
    row if it fits, else in columns as wide as its widest entry. (0, 0.0) with no names."""
    items = [item_px + char_px * len(name) for name in names]
    if not items:
        return 0, 0.0
    if sum(items) <= width:
        return 1, float(sum(items))
    per_row = max(1, int(width // max(items)))
    return -(-len(items) // per_row), float(min(per_row, len(items)) * max(items))


def base_layout(height: int = 520) -> dict[str, Any]:
    """Layout shared by the 2D figures: margins, font, legend on top, hover look.

    The legend hangs from the figure's top under the mode bar's row (``MODEBAR_PX``), and Plotly
    grows the top margin to hold its rows: right above the plot area, the mode bar covered its
    first row (on a phone always, on a laptop while the pointer was on the chart)."""
    return {
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
        "font": {"family": FONT_FAMILY, "size": 13},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "yref": "container",
                   "y": 1 - MODEBAR_PX / height, "yanchor": "top"},
        "hoverlabel": {"namelength": -1},
    }


def srgb_to_lab(color: str | np.ndarray) -> np.ndarray:
    """``#RRGGBB`` (or an (..., 3) array of 0-255 sRGB) -> CIE L*a*b* (D65), shape (..., 3)."""
    c = np.asarray(hex_rgb(color) if isinstance(color, str) else color, float) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = lin @ np.array([[0.4124564, 0.2126729, 0.0193339],
                          [0.3575761, 0.7151522, 0.1191920],
                          [0.1804375, 0.0721750, 0.9503041]])
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference of L*a*b* colours (..., 3), broadcast (Sharma et al. 2005);
    about 2 is a just-noticeable difference, 20 and more reads as another colour at a glance."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, float), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, float), -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0.0, dh)
    d_l, d_c = L2 - L1, c2p - c1p
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, cp_bar = (L1 + L2) / 2, (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_bar = np.where(np.abs(h1p - h2p) > 180,
                     np.where(h_sum < 360, h_sum + 360, h_sum - 360), h_sum) / 2
    h_bar = np.where(c1p * c2p == 0, h_sum, h_bar)
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = (-2 * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
           * np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2)))))
    return np.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2
                   + r_t * (d_c / s_c) * (d_h / s_h))


def color_difference(c1: str, c2: str) -> float:
    """CIEDE2000 difference of two ``#RRGGBB`` colours."""
    return float(ciede2000(srgb_to_lab(c1), srgb_to_lab(c2)))

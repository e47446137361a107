"""One look for every figure: a fixed colour per optimizer, one way to mark minima, one colour map.

Colours come from colour-blind-friendly palettes (Okabe & Ito 2008; Paul Tol's "muted"), keyed by
the optimizer's registry name so that Adam is the same colour on every page, curve and table.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

# Okabe-Ito first (the most distinct colours go to the optimizers people race most), then Tol muted.
_FIXED: dict[str, str] = {
    "sgd": "#0072B2",  # blue
    "momentum": "#E69F00",  # orange
    "nesterov": "#CC79A7",  # reddish purple
    "adam": "#D55E00",  # vermillion
    "rmsprop": "#009E73",  # bluish green
    "adagrad": "#56B4E9",  # sky blue
    "adamw": "#882255",  # wine
    "amsgrad": "#AA4499",  # purple
    "nadam": "#117733",  # green
    "radam": "#999933",  # olive
    "adamax": "#332288",  # indigo
    "adadelta": "#44AA99",  # teal
    "lion": "#CC6677",  # rose
    "adam_then_sgd": "#8C564B",  # brown (sand read as momentum's orange)
    "random_search": "#6E6E6E",  # grey
    "random_local_search": "#1B1B1B",  # near black
}
_EXTRA: tuple[str, ...] = ("#88CCEE", "#DDCC77", "#E8601C", "#4477AA", "#228833", "#AA3377")

MINIMUM_GLOBAL: dict[str, Any] = {
    "symbol": "star", "size": 18, "color": "#FFD700", "line": {"color": "#111111", "width": 1.5},
}
# The lowest point in view of a formula that keeps falling: a hollow star, since it is no minimum.
LOWEST_IN_VIEW: dict[str, Any] = {
    "symbol": "star-open", "size": 18, "color": "#111111", "line": {"width": 2},
}
# Local minima: white fill, dark outline (readable on the map and on a dark-theme legend).
MINIMUM_LOCAL: dict[str, Any] = {
    "symbol": "diamond", "size": 12, "color": "rgba(255,255,255,0.75)",
    "line": {"color": "#111111", "width": 2},
}
START_MARKER: dict[str, Any] = {
    "symbol": "circle", "size": 12, "color": "#FFFFFF", "line": {"color": "#111111", "width": 2},
}
DIVERGED_MARKER: dict[str, Any] = {"symbol": "x-thin-open", "size": 14, "line": {"width": 3}}

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


def rgba(color: str, alpha: float) -> str:
    """``#RRGGBB`` -> ``rgba(r,g,b,alpha)``."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:g})"


def format_value(v: Any) -> str:
    """Short human form of a hyperparameter value: 0.05, 1e-08, (0.9, 0.999), True."""
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, tuple | list):
        return "(" + ", ".join(format_value(x) for x in v) + ")"
    return str(v)


def optimizer_label(display_name: str, hparams: Mapping[str, Any] | None = None) -> str:
    """Legend text naming the optimizer and its learning rate: ``"Adam (lr 0.05)"``."""
    hp = hparams or {}
    if "lr" in hp:
        return f"{display_name} (lr {format_value(hp['lr'])})"
    return display_name


def base_layout(height: int = 520) -> dict[str, Any]:
    """Layout shared by the 2D figures: margins, font, legend on top, hover look."""
    return {
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
        "font": {"family": FONT_FAMILY, "size": 13},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0},
        "hoverlabel": {"namelength": -1},
    }

"""The landscape behind the paths: a colour-mapped PNG in ``layout.images`` plus scatter helpers.

Why an image and not a heatmap/contour trace: ``Plotly.animate`` with ``redraw: false`` keeps only
scatter traces, so a heatmap background vanishes after Play. A layout image is not a trace, survives
every animation mode, costs one compressed PNG (tens of kB) and carries its own contour lines.
The colour bar and the hover/click targets over the background are scatter traces (animate fine).
"""

from __future__ import annotations

import base64
import struct
import zlib
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from landscape.base import Domain
from viz.numbers import power_text, round_sig
from viz.style import CLICK_HOVER, COLORSCALE, CONTOUR_LINE_RGB, scale_rgb


class HasValue(Protocol):
    def value(self, xy: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Grid:
    """f sampled on a regular grid: ``z[i, j] = f(x[j], y[i])`` (rows go up in y)."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    log_scale: bool
    z_floor: float  # subtracted before the log transform (the global minimum value)

    @property
    def domain(self) -> Domain:
        return (float(self.x[0]), float(self.x[-1])), (float(self.y[0]), float(self.y[-1]))


def sample_grid(objective: HasValue, domain: Domain, n: int = 200, log_scale: bool = False,
                z_floor: float | None = None) -> Grid:
    """Evaluate ``objective`` on an ``n x n`` grid over ``domain`` in one vectorized call."""
    (x0, x1), (y0, y1) = domain
    x = np.linspace(x0, x1, n)
    y = np.linspace(y0, y1, n)
    xy = np.stack(np.meshgrid(x, y), axis=-1)
    with np.errstate(all="ignore"):
        z = np.asarray(objective.value(xy), dtype=float)
    finite = z[np.isfinite(z)]
    floor = float(z_floor) if z_floor is not None and np.isfinite(z_floor) else (
        float(finite.min()) if finite.size else 0.0)
    return Grid(x=x, y=y, z=z, log_scale=log_scale, z_floor=floor)


def color_levels(grid: Grid) -> tuple[np.ndarray, float, float]:
    """Values mapped to colour: ``log10(1 + f - f_min)`` on a log surface, else ``f``.

    Returns (t, lo, hi): the transformed grid and its robust range (1st-99th percentile on linear
    surfaces so that one spike does not wash the picture out). Non-finite cells become ``hi``.
    """
    with np.errstate(all="ignore"):
        t = np.log10(1.0 + np.maximum(grid.z - grid.z_floor, 0.0)) if grid.log_scale else grid.z
    finite = t[np.isfinite(t)]
    if finite.size == 0:
        return np.zeros_like(t), 0.0, 1.0
    lo = min(0.0, float(finite.min())) if grid.log_scale else float(finite.min())
    hi = float(finite.max()) if grid.log_scale else float(np.percentile(finite, 99.0))
    if hi <= lo:  # one value all over: the lowest colour (lo + 1.0 is lo itself at 1e300)
        hi = lo + max(1.0, 1e-9 * abs(lo))
    return np.where(np.isfinite(t), t, hi), lo, hi


def _colorscale_rgb(u: np.ndarray) -> np.ndarray:
    """Interpolate COLORSCALE at ``u`` in [0, 1] -> uint8 RGB of shape u.shape + (3,)."""
    return scale_rgb(COLORSCALE, u)


def contour_alpha(u: np.ndarray, n_levels: int = 12, width: float = 1.0) -> np.ndarray:
    """Anti-aliased contour lines: opacity in [0, 1] of the iso-lines ``u * n_levels = k``.

    The distance of ``L = u * n_levels`` to the nearest integer, divided by |grad L| in pixels, is
    the distance to the nearest line in pixels; pixels within ``width`` of a line are drawn.
    """
    level = np.clip(u, 0.0, 1.0) * n_levels
    gy, gx = np.gradient(level)
    slope = np.hypot(gx, gy) + 1e-12
    dist = np.abs(level - np.rint(level)) / slope
    alpha = np.clip(1.0 - dist / width, 0.0, 1.0)
    alpha[(level <= 0) | (level >= n_levels)] = 0.0
    return alpha


def encode_png(rgb: np.ndarray) -> bytes:
    """Minimal PNG encoder (8-bit RGB, "Up" filter, zlib level 6): NumPy and the stdlib only."""
    h, w, _ = rgb.shape
    raw = rgb.astype(np.int16)
    up = np.empty_like(raw)
    up[0] = raw[0]
    up[1:] = raw[1:] - raw[:-1]
    rows = (up % 256).astype(np.uint8).reshape(h, w * 3)
    data = np.concatenate([np.full((h, 1), 2, np.uint8), rows], axis=1).tobytes()

    def chunk(tag: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + tag + payload
                + struct.pack(">I", zlib.crc32(tag + payload) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(data, 6)) + chunk(b"IEND", b""))


#: Where f has no real value (NaN: the square root or log of a negative number) the map is
#: hatched grey, not coloured: drawn as the highest loss (``color_levels``) it read as a plateau.
UNDEFINED_RGB, HATCH_RGB = (236, 236, 236), (160, 160, 160)
HATCH_CELLS = 8  # one diagonal stripe every 8 grid cells (~18 px on a laptop's map), 2 cells wide


def undefined_cells(grid: Grid) -> np.ndarray:
    """Where the grid's f has no value (NaN; +inf and -inf are values, far up or down)."""
    return np.isnan(grid.z)


def background_png(grid: Grid, n_levels: int = 12) -> bytes:
    """The colour-mapped grid with thin anti-aliased contour lines, top row = largest y;
    cells where f is undefined are hatched grey (``undefined_cells``)."""
    t, lo, hi = color_levels(grid)
    u = np.clip((t - lo) / (hi - lo), 0.0, 1.0)
    rgb = _colorscale_rgb(u).astype(float)
    a = 0.35 * contour_alpha(u, n_levels)[..., None]
    rgb = (1.0 - a) * rgb + a * np.array(CONTOUR_LINE_RGB, float)
    nan = undefined_cells(grid)
    if nan.any():
        i, j = np.indices(nan.shape)
        stripe = (i + j) % HATCH_CELLS < 2
        rgb[nan] = np.where(stripe[nan][:, None], HATCH_RGB, UNDEFINED_RGB)
    return encode_png(np.rint(rgb[::-1]).astype(np.uint8))


def background_image(grid: Grid, n_levels: int = 12) -> dict[str, Any]:
    """A ``layout.images`` entry that stretches the PNG exactly over the grid's domain."""
    (x0, x1), (y0, y1) = grid.domain
    uri = "data:image/png;base64," + base64.b64encode(background_png(grid, n_levels)).decode()
    return {
        "source": uri, "xref": "x", "yref": "y", "x": x0, "y": y1,
        "sizex": x1 - x0, "sizey": y1 - y0, "sizing": "stretch", "layer": "below",
        "opacity": 1.0,
    }


MAX_TICKS = 6  # colour-bar ticks at most: six labels of ~5 characters fit its ~220 px bar


def _decimals(step: float) -> int:
    """Decimals that write every multiple of a 1-2-5 ``step`` exactly."""
    return max(0, -int(np.floor(np.log10(step) + 1e-9)))


def linear_ticks(lo: float, hi: float, most: int = MAX_TICKS) -> tuple[list[float], list[str]]:
    """Ticks on [lo, hi] at the multiples of the finest 1-2-5 step that gives at most ``most``,
    all written with the step's decimals (``0.5, 1.0, 1.5``); beyond 10⁴ or below 10⁻³ as
    ``m×10ⁿ`` with one shared n."""
    span = hi - lo
    if not (np.isfinite(span) and span > 0):  # one value: written as the other ticks are
        k = int(np.floor(np.log10(abs(lo)))) if np.isfinite(lo) and lo != 0 else 0
        text = power_text(k, f"{lo / 10.0**k:.3g}") if abs(k) >= 4 else f"{lo:.3g}"
        return [float(lo)], [text.replace("-", "−")]
    k = int(np.floor(np.log10(span / most)))
    for step in (m * 10.0**e for e in (k, k + 1, k + 2) for m in (1, 2, 5)):
        first, last = int(np.ceil(lo / step - 1e-9)), int(np.floor(hi / step + 1e-9))
        if last - first + 1 <= most:
            break
    # 12 significant digits clean the float noise of n * step at any scale (rounding to 12
    # decimals zeroed every tick of a 1e-13 range and overflowed to inf on a 1e300 one).
    vals = [float(f"{n * step:.12g}") for n in range(first, last + 1)]
    top = max(abs(vals[0]), abs(vals[-1]))
    shift = int(np.floor(np.log10(top) + 1e-9)) if top >= 1e4 or step < 1e-3 else 0
    d = _decimals(step / 10.0**shift)
    text = [f"{v / 10.0**shift + 0.0:.{d}f}" for v in vals]
    if shift:
        text = ["0" if float(t) == 0 else power_text(shift, t) for t in text]
    return vals, [t.replace("-", "−") for t in text]


def log_ticks(hi: float, most: int = MAX_TICKS) -> tuple[list[float], list[str]]:
    """Ticks of the colour ``log10(1 + g)`` on [0, hi], labelled by g: 0 and powers of ten (and
    3×10ⁿ between them while g stays under 1000), at least ``hi / 8`` apart and at most ``most``
    (every 2nd or 3rd power on a very wide range, the top one kept); plain numbers from 0.001
    to 1000, else all ``10ⁿ``."""
    top = 10.0**hi - 1.0
    k_hi = int(np.floor(np.log10(top) + 1e-9)) if top > 0 else 0
    mantissas = (1, 3) if k_hi < 3 else (1,)
    pos, vals = [0.0], [0.0]
    for g in (m * 10.0**k for k in range(k_hi - 12, k_hi + 1) for m in mantissas):
        p = float(np.log10(1.0 + g))
        if p <= hi + 1e-9 and p - pos[-1] >= hi / 8:
            pos.append(p)
            vals.append(g)
    stride = max(1, -(-(len(pos) - 1) // (most - 1)))
    keep = [0, *range(len(pos) - 1, 0, -stride)[::-1]]
    powers = [int(np.floor(np.log10(vals[i]) + 1e-9)) for i in keep[1:]]
    plain = all(-3 <= k <= 3 for k in powers)
    text = ["0"] + [f"{vals[i]:g}" if plain else power_text(k)
                    for i, k in zip(keep[1:], powers, strict=True)]
    return [pos[i] for i in keep], text


def _nice_ticks(grid: Grid, lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Colour-bar ticks: on a log surface the colour is log10(1 + f - f*), labelled by f - f*.
    A grid of one value gets one tick, its value (ticks up to ``hi`` would name values that are
    nowhere on the map: 1.0000000002×10³⁰⁰ on x^2 + 1e300)."""
    finite = grid.z[np.isfinite(grid.z)]
    if finite.size and finite.min() == finite.max():
        return linear_ticks(lo, lo)
    return log_ticks(hi) if grid.log_scale else linear_ticks(lo, hi)


_BESIDE = {"x": 1.02, "xanchor": "left", "y": 0.0, "yanchor": "bottom"}
# A fixed length: ~220 px of bar beside its title, on a phone as on a laptop.
_ABOVE = {"orientation": "h", "x": 1.0, "xanchor": "right", "yref": "container",
          "yanchor": "top", "ypad": 0, "thickness": 10, "lenmode": "pixels", "len": 320}


def colorbar_trace(grid: Grid, title: str = "loss", top: float | None = None) -> dict[str, Any]:
    """An invisible scatter point that carries the colour bar (scatter: safe in animations):
    at the right of the plot's lower half, or, given ``top`` (its top edge, as a fraction of the
    figure's height), horizontal at the top right of the figure with its title on its left
    (Plotly drew a title on top over the bar of a colour bar placed from the top), leaving the
    plot's width to the map and a legend under it."""
    _, lo, hi = color_levels(grid)
    tickvals, ticktext = _nice_ticks(grid, lo, hi)
    (x0, _), (y0, _) = grid.domain
    return {
        "type": "scatter", "x": [x0], "y": [y0], "mode": "markers", "hoverinfo": "skip",
        "showlegend": False, "name": "colour scale",
        "marker": {
            "size": 0.1, "opacity": 0, "color": [lo], "cmin": lo, "cmax": hi,
            "colorscale": [list(s) for s in COLORSCALE], "showscale": True,
            "colorbar": {"title": {"text": "f − f* (log)" if grid.log_scale else title,
                                   "side": "right"},
                         "tickvals": tickvals, "ticktext": ticktext, "thickness": 12, "len": 0.5,
                         **(_BESIDE if top is None else {**_ABOVE, "y": top})},
        },
    }


def pick_grid_trace(objective: HasValue, domain: Domain, n: int = 41) -> dict[str, Any]:
    """Near-invisible markers covering the domain: hover shows f(x, y), a click picks a start.

    ``st.plotly_chart(on_select="rerun")`` reports clicked *points*; a layout image has none, so
    this grid gives every spot of the map a selectable point (spacing = domain / (n - 1)).
    """
    (x0, x1), (y0, y1) = domain
    a, b = getattr(objective, "axes", ("x", "y"))  # a data loss's parameters: (w, b)
    xs, ys = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    with np.errstate(all="ignore"):
        z = np.asarray(objective.value(np.stack([xs, ys], axis=-1)), float)
    return {
        "type": "scatter", "mode": "markers", "name": "click to start here",
        "x": round_sig(xs), "y": round_sig(ys), "customdata": round_sig(z),
        # maxdisplayed 1: Plotly draws one marker, yet hovers and clicks find every point (it
        # searches all of them): 1,681 SVG markers cost ~240 ms of every redraw in Chromium.
        "marker": {"size": 9, "opacity": 0.01, "color": "#000000", "symbol": "square",
                   "maxdisplayed": 1},
        "hovertemplate": f"({a}, {b}) = " "(%{x}, %{y})<br>f = %{customdata:.4g}"
                         "<extra>click, or tap again: start here</extra>",
        "hoverlabel": dict(CLICK_HOVER), "showlegend": False,
    }

"""The race map's playback: its settings (``Playback``), the steps shown as frames and the ones
its step slider offers, at round numbers (``race_frame_steps``, ``slider_marks``), and its Play /
Pause / speed buttons and step slider (``playback_controls``), all client-side: no server round
trip.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import count, takewhile
from typing import Any

import numpy as np

from viz.paths import frame_steps
from viz.race_layout import (
    DESIGN_WIDTH,
    MARGIN_L,
    MARGIN_R,
    PANELS_SIDE_BY_SIDE,
    SLIDER_TOP,
    TOUCH_BUTTONS_PX,
)
from viz.style import CLEAR, TOUCH_PX, touch_buttons

SPEEDS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
# Slider intervals at most. Plotly labels every k-th slider position counting from the first, k =
# ceil((widest label + 8 px) / (slider length - 20 px) * intervals). Ten intervals of a round size
# (0, 50, ..., 500) give k = 1 on a laptop and k = 2 on a phone (a 4-digit label on a 300 px
# slider), so the last position stays labelled; 20 intervals needed k = 3 there.
SLIDER_INTERVALS = 10
ALL_LABELLED = 7  # intervals a 300 px slider labels every one of (4-digit labels, 11 px font)
# Plotly's slider takes touches on a band from its rail's top, as tall as its ticks and labels
# (25 px before the ticks, at least its 20 px handle): the step slider's handle's ticks are
# this long (and drawn 0 px wide), so a finger's whole target (``TOUCH_PX``) scrubs frames.
SLIDER_TICK_OFFSET_PX = 25
SCRUB_TICK_PX = TOUCH_PX - SLIDER_TICK_OFFSET_PX
#: Playback never asks for frames faster than this: Chromium drew the race's map at ~35-50 ms a
#: frame on a 2-core machine whatever was asked, so 2x and 4x played at the speed of 1x; above
#: it, faster speeds skip frames instead (``playback_controls``).
FRAME_FLOOR_MS = 40
MIN_PLAY_MS = 3000  # a Play at 1x lasts this long at least, however few the frames


@dataclass(frozen=True)
class Playback:
    """Animation settings: frames (at most), trail length, base frame time, overlays."""

    max_frames: int = 150
    trail_points: int = 30
    frame_ms: int = 50
    arrows: bool = False
    digits: int = 5
    counter: bool = True  # "step k" in the map's top-right corner, advancing with every frame
    #: The plot width (px) the figure's height is fitted to: ``DESIGN_WIDTH`` for a laptop's
    #: column, ``PHONE_WIDTH`` for a phone's (see ``race_height``).
    plot_width: int = DESIGN_WIDTH
    #: The step the map shows when it opens (a frame of its own); None: the last. A teacher's
    #: link could not point at "step 40, where momentum overshoots".
    open_at: int | None = None

    @property
    def figure_width(self) -> int:
        """The whole figure's width at ``plot_width`` of plot (a downloaded HTML file's)."""
        return self.plot_width + MARGIN_L + MARGIN_R


def _round_intervals() -> Iterator[int]:
    """1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, ..."""
    for k in count():
        yield from (m * 10**k // 10 for m in (10, 20, 25, 50) if m * 10**k % 10 == 0)


def slider_marks(n_steps: int, most: int = SLIDER_INTERVALS) -> list[int]:
    """The steps the slider offers: 0, multiples of a round interval and the last step, at most
    ``most`` intervals. An interval that divides ``n_steps`` into an even number (at least half of
    ``most``) is preferred; otherwise the multiple just before the end may be dropped, so that the
    last interval is at least half the others and a count of intervals above ``ALL_LABELLED`` is
    even (where a narrow slider labels every other position, the labels then reach the end); an
    interval that needs more than that gives way to the next round one."""
    if n_steps <= 0:
        return [0]
    fits = [d for d in takewhile(lambda d: d <= n_steps, _round_intervals())
            if n_steps / d <= most] or [n_steps]
    even = [d for d in fits if n_steps % d == 0 and (n_steps // d) % 2 == 0
            and n_steps // d >= most // 2]
    for d in [*even, *fits]:
        marks = [*range(0, n_steps, d), n_steps]
        if len(marks) > 2 and n_steps - marks[-2] < d / 2:
            del marks[-2]
        if len(marks) - 1 > ALL_LABELLED and (len(marks) - 1) % 2 == 1:
            if n_steps - marks[-2] > d:  # one mark fewer would leave a gap of over 2 intervals
                continue
            del marks[-2]
        return marks
    return [0, n_steps]


def nearest_frames(frames: np.ndarray, marks: Sequence[int]) -> np.ndarray:
    """Index of the frame (increasing step or epoch numbers) nearest each mark."""
    return np.abs(np.asarray(frames)[:, None] - np.asarray(marks)[None, :]).argmin(axis=0)


def slider_frames(frames: np.ndarray, most: int = SLIDER_INTERVALS) -> list[int]:
    """The frames a slider over ``frames`` (increasing, from 0) offers: the one nearest each of
    ``slider_marks`` of the last frame's number, so it reads round numbers wherever frames fall
    on them (``race_frame_steps`` places frames so)."""
    f = np.asarray(frames)
    if len(f) <= 1:
        return list(range(len(f)))
    marks = slider_marks(int(f[-1]), max(1, min(most, len(f) - 1)))
    return sorted(set(nearest_frames(f, marks).tolist()))


def race_frame_steps(n_steps: int, max_frames: int = 150,
                     also: int | None = None) -> tuple[np.ndarray, list[int]]:
    """The steps shown as frames and the frames the slider offers (their indices).

    ``viz.paths.frame_steps`` thins the steps evenly; each slider mark (``slider_marks``) then
    replaces the frame step nearest to it, so the slider reads round numbers without adding
    frames (a frame moves by at most half the frame spacing). Step ``also`` (in 0 .. n_steps),
    if not a frame already, is added as one.
    """
    steps = frame_steps(n_steps, max_frames)
    most = SLIDER_INTERVALS
    if len(steps) <= n_steps:  # thinned: marks at least ~3 frames apart keep their own frame
        most = max(1, min(most, (len(steps) - 1) // 3))
    marks = slider_marks(n_steps, most)
    steps[nearest_frames(steps, marks)] = marks
    if also is not None:
        steps = np.union1d(steps, [also])
    return steps, np.searchsorted(steps, marks).tolist()


def playback_controls(steps: np.ndarray, marks: list[int], pb: Playback,
                      opened: int | None = None, margin_l: int = MARGIN_L,
                      axis_px: int = 0) -> dict[str, Any]:
    """Play / Pause / speed buttons and the step slider (all client-side: no server round trip).

    ``marks``: the frames the slider offers (``race_frame_steps``); ``opened``: the frame the
    map opens at (default: the last), where the handle stands. ``margin_l``: the figure's left
    margin (a phone's buttons start at the figure's edge); ``axis_px``: an x axis title's row
    between the map's tick labels and the slider.
    Frames draw with ``redraw: false`` (fast: only the traces a frame lists are replotted);
    slider steps redraw fully. Found in Chromium: after ``redraw: false`` frames Plotly stopped
    reporting clicks on the map until the next full redraw (the static traces' drawn nodes are
    gone from their calcdata), so Play had to end with a full redraw and Pause had to jump to
    an empty frame that redrew, and Play always began again at step 0. A clickable map's frames
    now list its static traces too, with no data (``race_figure``): clicks survive any frame,
    Pause stops where it is (it animates to no frame), and Play resumes from there
    (``fromcurrent``); from the last frame it starts over. A speed that skips frames resumes
    only from a frame it lists (Plotly's ``fromcurrent`` finds no match for another and starts
    at step 0): each list holds the frame the map opens at, and ``plotly_controls.js`` moves a
    current frame off the list back to the listed one before it.
    """
    n = len(steps)
    opened = n - 1 if opened is None else opened
    names = [str(k) for k in range(n)]

    def play(speed: float) -> list[Any]:
        # Plotly starts a frame on the first display tick (16.7 ms) *after* the duration has
        # passed, so 50 ms ran at 66.7 ms in Chromium; asking for half a tick less gives 50 ms.
        # A short race lasts MIN_PLAY_MS at 1x at least: 11 frames of 50 ms flashed by.
        # Frames faster than FRAME_FLOOR_MS are skipped instead (every stride-th is shown), so
        # 4x plays four times as fast where drawing a frame is the bound.
        per = max(pb.frame_ms, MIN_PLAY_MS / max(n - 1, 1)) / speed
        stride = max(1, math.ceil(FRAME_FLOOR_MS / per - 1e-9))
        # every stride-th frame, the last, and the one the map opens at (``fromcurrent``
        # resumes only from a frame in the list: 4x from a link's step 37 began at step 0)
        kept = {*range(0, n, stride), n - 1, opened}
        shown = [names[k] for k in sorted(kept)]
        ms = max(0, int(per * stride) - 8)
        return [shown, {"frame": {"duration": ms, "redraw": False},
                        "transition": {"duration": 0}, "fromcurrent": True,
                        "mode": "immediate"}]

    still = {"frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0},
             "mode": "immediate"}
    # Pause animates to no frame: playback stops where it is, and Play resumes from there.
    stop = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0},
            "mode": "immediate"}
    buttons = [{"label": "▶ Play", "method": "animate", "args": play(1.0)},
               {"label": "❚❚ Pause", "method": "animate", "args": [[None], stop]}]
    buttons += [{"label": f"▶ {s:g}×", "method": "animate", "args": play(s)}
                for s in SPEEDS if s != 1.0]
    # Right above the map (the top of the plot area, which the legend's reserved rows push down),
    # not under it: under a 460 px map a 1280 x 800 laptop had to scroll to find Play.
    # On a phone's plot the row starts at the figure's left edge, in 11 px type: from the
    # plot's left, "▶ 4×" ran 12 px past a 390 px phone's figure. There its buttons are a
    # finger's size (``touch_buttons``: 46 px tall, 49 to 77 wide; they were 33 px tall), on a
    # taller row (``buttons_px``).
    narrow = pb.plot_width < PANELS_SIDE_BY_SIDE
    menu = {"type": "buttons", "direction": "left", "showactive": False,
            "x": -margin_l / pb.plot_width if narrow else 0.0, "y": 1.0,
            "xanchor": "left", "yanchor": "bottom", "pad": {"b": 10, "r": 0},
            "buttons": buttons, "font": {"size": 11 if narrow else 12}}
    if narrow:
        menu = touch_buttons(menu, TOUCH_BUTTONS_PX)
    slider = {
        # A row of its own under the map, the plot's full width: beside the buttons (pad.l 340) it
        # collapsed on a narrow plot, its labels piled up and its handle hid behind "▶ 4×".
        "active": int(np.searchsorted(marks, opened, side="right")) - 1,  # the mark at or before
        "x": 0.0, "len": 1.0, "y": 0.0, "yanchor": "top",
        "pad": {"t": SLIDER_TOP + axis_px, "b": 0, "l": 0, "r": 0},
        # No "step N" over the slider: during Play its handle moves only at the marks, so it read
        # "step 50" while the map's counter read 67. The counter names the step.
        "currentvalue": {"visible": False},
        "font": {"size": 11},
        "steps": [{"method": "animate", "label": str(int(steps[k])), "args": [[str(k)], still]}
                  for k in marks],
    }
    # The handle: a second slider on the first, over every frame, unlabelled. The labelled one
    # offered only its marks (0, 50, ..., 500): no scrubbing to step 19 where a path arrives,
    # and during Play its handle kept to the marks while the counter moved on. Plotly labels
    # every k-th step of a slider (k from the label widths), never chosen ones, so the labels
    # stay on the first slider. Both follow every frame shown (``plotly_animatingframe``).
    # Its ticks are long and drawn 0 px wide (``SCRUB_TICK_PX``): with none, its touch band was
    # 25 px, and the lower part of a finger's tap went to the labelled slider (round marks only).
    scrub = {**slider, "active": opened, "ticklen": SCRUB_TICK_PX, "tickwidth": 0,
             "minorticklen": 0, "transition": {"duration": 0},
             "steps": [{"method": "animate", "label": "", "args": [[str(k)], still]}
                       for k in range(n)]}
    # The labelled slider's rail and handle are not drawn: ``scrub`` draws them, over its ticks.
    slider.update(dict.fromkeys(("bgcolor", "bordercolor", "activebgcolor"), CLEAR))
    return {"updatemenus": [menu], "sliders": [slider, scrub]}

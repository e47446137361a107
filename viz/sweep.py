"""Learning-rate figures: the sweep (final loss and steps-to-tolerance against lr) and the schedule.

Inputs are plain arrays (or any object with the ``SweepLike`` attributes); no Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.style import (
    DIVERGED_MARKER,
    INK,
    OFF_MAP_MARKER,
    base_layout,
    format_value,
    log_axis,
    optimizer_color,
)

#: Gaps below this are drawn at this value (a log axis cannot show 0).
GAP_FLOOR = 1e-16
#: Dashed event lines (an Adam -> SGD switch) and neutral reference curves: a mid grey that reads
#: on both the light and the dark theme (near-black vanished on the dark one).
NEUTRAL = "#8C8C8C"
#: Text in that grey's place: #8C8C8C was 3.4:1 on white, under WCAG's 4.5:1 for small text.
NEUTRAL_TEXT = "#595959"


class SweepLike(Protocol):
    optimizer: str
    lrs: np.ndarray
    steps_to_tol: np.ndarray
    diverged_step: np.ndarray
    best: int
    tol: float
    off_map: np.ndarray  # (R,) bool: the path ends off the map (flew off without diverging)

    @property
    def final_gap(self) -> np.ndarray: ...

    @property
    def diverged(self) -> np.ndarray: ...


def _on_curve(s: SweepLike) -> np.ndarray:
    """(R,) the rates the curves draw: neither diverged nor ended off the map (those are
    marked along the top instead)."""
    return ~(s.diverged | s.off_map)


def _floor(gap: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(gap), np.maximum(gap, GAP_FLOOR), np.nan)


def sweep_figure(sweeps: Sequence[SweepLike], names: dict[str, str] | None = None,
                 height: int = 560) -> go.Figure:
    """Two panels sharing a log lr axis: final loss gap (log) and steps to tolerance.

    Each optimizer is one colour; diverged rates are crosses along the top of the loss panel, a
    row for each optimizer with any, half a decade apart (in one row only the last drawn
    optimizer's colour showed where several blew up at the same rates); rates whose walker
    ended off the map are open arrows on that row, out of both curves (McCormick falls on past
    its map's edge: such rates were drawn at the floor of the gap, "at the minimum", and
    fastest to the tolerance); the best rate is a large star with its value in the legend.
    """
    names = names or {}
    # The panels are named by their y axes: panel titles sat between the legend and the plot,
    # where the legend (under the mode bar's row) would cover them.
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        row_heights=[0.62, 0.38])
    finite = [g for s in sweeps for g in _floor(s.final_gap)[_on_curve(s)] if np.isfinite(g)]
    top = 10 ** np.ceil(np.log10(max(finite))) * 10 if finite else 1.0
    rows = 0  # rows of crosses drawn so far
    for s in sweeps:
        color = optimizer_color(s.optimizer)
        label = names.get(s.optimizer, s.optimizer)
        ok = _on_curve(s)
        gap = _floor(s.final_gap)
        fig.add_trace(go.Scatter(
            x=s.lrs[ok], y=gap[ok], mode="lines+markers", name=label, legendgroup=s.optimizer,
            line={"color": color, "width": 2}, marker={"size": 5, "color": color},
            hovertemplate="lr %{x:.3g}<br>final gap %{y:.3g}<extra>" + label + "</extra>",
        ), row=1, col=1)
        if s.diverged.any():
            steps = s.diverged_step[s.diverged]
            fig.add_trace(go.Scatter(
                x=s.lrs[s.diverged], y=np.full(int(s.diverged.sum()), top * 10 ** (rows / 2)),
                mode="markers",
                name=f"{label}: diverged", legendgroup=s.optimizer,
                marker={**DIVERGED_MARKER, "color": color}, customdata=steps,
                hovertemplate="lr %{x:.3g}<br>diverged at step %{customdata}<extra>"
                + label + "</extra>",
            ), row=1, col=1)
        gone = s.off_map & ~s.diverged
        if gone.any():
            fig.add_trace(go.Scatter(
                x=s.lrs[gone], y=np.full(int(gone.sum()), top * 10 ** (rows / 2)),
                mode="markers", name=f"{label}: left the map", legendgroup=s.optimizer,
                marker={**OFF_MAP_MARKER, "color": color}, customdata=s.final_gap[gone],
                hovertemplate="lr %{x:.3g}<br>left the map (final gap %{customdata:.3g}: "
                "past the map's edge, not at its minimum)<extra>" + label + "</extra>",
            ), row=1, col=1)
        if s.diverged.any() or gone.any():
            rows += 1
        reached = ok & (s.steps_to_tol >= 0)
        fig.add_trace(go.Scatter(
            x=s.lrs[reached], y=s.steps_to_tol[reached], mode="lines+markers",
            name=f"{label}: steps to tolerance", legendgroup=s.optimizer, showlegend=False,
            line={"color": color, "width": 2, "dash": "dot"}, marker={"size": 5, "color": color},
            hovertemplate="lr %{x:.3g}<br>steps to tolerance: %{y}<extra>" + label + "</extra>",
        ), row=2, col=1)
        if s.best >= 0:
            b = s.best
            fig.add_trace(go.Scatter(
                x=[s.lrs[b]], y=[gap[b]], mode="markers",
                name=f"{label}: best lr {format_value(float(s.lrs[b]))}",
                legendgroup=s.optimizer,
                marker={"symbol": "star", "size": 20, "color": color,
                        "line": {"color": INK, "width": 1.5}},
                hovertemplate="best lr %{x:.4g}<br>final gap %{y:.3g}<extra>"
                + label + "</extra>",
            ), row=1, col=1)
    # powers of ten, not SI suffixes ("100μ") that students do not read as numbers; over three
    # decades or more of rates, the powers only (their 2×10⁻⁴, 5×10⁻⁴ crowded the axis)
    rates = log_axis([s.lrs for s in sweeps])
    fig.update_xaxes(**rates, title_text="learning rate (log scale)", row=2, col=1)
    fig.update_xaxes(**rates, row=1, col=1)
    fig.update_yaxes(**log_axis([_floor(s.final_gap)[~s.off_map] for s in sweeps]),
                     title_text="final loss − minimum", row=1, col=1)
    fig.update_yaxes(title_text="steps to tolerance", rangemode="tozero", row=2, col=1)
    if not any(np.any(_on_curve(s) & (s.steps_to_tol >= 0)) for s in sweeps):
        _no_tolerance_note(fig, min((s.tol for s in sweeps), default=0.0))
    fig.update_layout(**base_layout(height))
    return fig


def _no_tolerance_note(fig: go.Figure, tol: float) -> None:
    """Say in the empty steps-to-tolerance panel why it is empty (and hide its bare 0-4 axis)."""
    fig.add_annotation(
        x=0.5, y=0.5, xref="x2 domain", yref="y2 domain", showarrow=False,
        text=f"No rate reached the tolerance<br>(a gap below {tol:g}) within the chosen steps."
             "<br>Try more steps or other rates.",
        font={"size": 12, "color": NEUTRAL_TEXT})
    fig.update_yaxes(showticklabels=False, showgrid=False, range=[0, 1], row=2, col=1)


def schedule_figure(
    curves: Sequence[dict[str, Any]], switch_step: int | None = None, height: int = 380,
    phone: bool = False,
) -> go.Figure:
    """Learning rate per step (left; log where the rates span a decade: ``rate_axis``) beside
    the loss gap per step (right, log unless the gaps span under a decade: ``gap_axis``); on a
    ``phone`` the rate over the loss gap.

    ``curves``: dicts with ``optimizer``, ``label``, ``lr`` (steps,), ``gap`` (steps+1,).
    ``switch_step`` (Adam-then-SGD) draws a dashed line on both panels where SGD takes over.
    The figure is often narrow (a column beside the controls, ~350 px on a 1000 px window):
    short panel titles, and the loss panel's tick labels on its right, clear of the rate panel.
    A phone's ~100 px panels side by side turned the step ticks on end: they stack there.
    """
    # named by their y axes (titles over the panels sat under the legend): the rate on the left,
    # the loss gap on the right-hand side of its panel
    rows, cols = (2, 1) if phone else (1, 2)
    where = [(1, 1), (2, 1)] if phone else [(1, 1), (1, 2)]
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.14, vertical_spacing=0.16)
    gaps, rates = [], []
    for c in curves:
        color = optimizer_color(c["optimizer"])
        lr = np.asarray(c["lr"], dtype=float).reshape(len(c["lr"]), -1)[:, 0]
        rates.append(lr)
        fig.add_trace(go.Scatter(
            x=np.arange(lr.size), y=lr, mode="lines", name=c["label"], legendgroup=c["label"],
            line={"color": color, "width": 2, "shape": "hv"},
            hovertemplate="step %{x}<br>lr %{y:.4g}<extra></extra>",
        ), row=where[0][0], col=where[0][1])
        gap = _floor(np.asarray(c["gap"], dtype=float))
        gaps.append(gap)
        fig.add_trace(go.Scatter(
            x=np.arange(gap.size), y=gap, mode="lines", name=c["label"], legendgroup=c["label"],
            showlegend=False, line={"color": color, "width": 2},
            hovertemplate="step %{x}<br>gap %{y:.3g}<extra></extra>",
        ), row=where[1][0], col=where[1][1])
    if switch_step is not None:
        # named on both panels, so the line on the rate panel is not taken for an event of the
        # schedule (the end of a warm-up, a step decay)
        for row, col in where:
            fig.add_vline(x=switch_step, line={"dash": "dash", "color": NEUTRAL},
                          row=row, col=col)
        # each label runs along its line, clear of the low and high values (level at the
        # bottom of the loss panel, it ran into the loss axis's 10^-12 on a phone)
        for axis in ("", "2"):
            fig.add_annotation(x=switch_step, y=0.5, xref=f"x{axis}", yref=f"y{axis} domain",
                               text="Adam → SGD", textangle=-90, showarrow=False,
                               yanchor="middle", xanchor="left",
                               font={"size": 11, "color": NEUTRAL_TEXT})
    # both panels over the run's steps: the rate's last is at step steps - 1 (the rate of the
    # last update), and its panel's ticks stopped short of the loss panel's last (150 vs 200)
    last = max([g.size - 1 for g in gaps] + [r.size for r in rates] + [1])
    fig.update_xaxes(title_text="step", range=[0, last])
    fig.update_yaxes(title_text="learning rate", row=where[0][0], col=where[0][1],
                     **rate_axis(rates))
    fig.update_yaxes(side="left" if phone else "right", title_text="loss − minimum",
                     row=where[1][0], col=where[1][1], **gap_axis(gaps))
    fig.update_layout(**base_layout(int(height * 1.5) if phone else height))
    fig.update_layout(margin={"r": 20 if phone else 70})
    return fig


def rate_axis(rates: Sequence[np.ndarray]) -> dict[str, Any]:
    """Axis settings for learning rates per step: log (``style.log_axis``) where they are all
    above 0 and span a decade or more, else linear from 0.

    On a linear axis an exponential decay (0.1 x 0.98^t over 300 steps: 2.6 decades) lay on the
    axis from a third of the run on, 0.0003 drawn as 0.003 and as 0; a step decay's later drops
    vanished; a cosine down to 1e-6 looked as if it reached 0. On a log axis the exponential is
    the straight line it is, each of a step decay's drops is as tall as the first, and the
    cosine's last decades show. A rate of 0 (a cosine down to 0) has no place on a log axis;
    nor does a constant rate or a mild warm-up need one.
    """
    values = np.concatenate([np.ravel(r) for r in rates]) if len(rates) else np.empty(0)
    values = values[np.isfinite(values)]
    if values.size and values.min() > 0 and values.max() >= 10 * values.min():
        return log_axis([values])
    # rates are positive: a flat line must not centre the axis on it, showing negative rates
    return {"type": "linear", "exponentformat": "power", "rangemode": "nonnegative"}


def gap_axis(gaps: Sequence[np.ndarray]) -> dict[str, Any]:
    """Axis settings for loss gaps that stay readable on short runs.

    When the largest gap is under ten times the smallest, a log axis would label little but its
    in-between digits, so the axis is linear; else ``style.log_axis``.
    """
    values = np.concatenate([np.ravel(g) for g in gaps]) if len(gaps) else np.empty(0)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size and values.max() < 10 * values.min():
        return {"type": "linear", "exponentformat": "power"}
    return log_axis([values])

"""Structure of the learning-rate figures built from plain sweep-like data."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from viz.style import optimizer_color
from viz.sweep import GAP_FLOOR, schedule_figure, sweep_figure


def fake_sweep(name: str, n: int = 10, diverge_from: int = 7, best: int = 4):
    lrs = np.geomspace(1e-3, 1.0, n)
    final = np.abs(np.log(lrs / lrs[best])) + 0.0
    final[best] = 0.0  # an exact zero must still be drawable on a log axis
    diverged_step = np.where(np.arange(n) >= diverge_from, 12, -1)
    steps = np.where(np.arange(n) < diverge_from, np.arange(n) * 10, -1)
    return SimpleNamespace(optimizer=name, lrs=lrs, final_gap=final, steps_to_tol=steps,
                           diverged_step=diverged_step, diverged=diverged_step >= 0, best=best,
                           tol=1e-6, off_map=np.zeros(n, bool))


def traces_named(fig, text: str):
    return [t for t in fig.data if text in (t.name or "")]


def test_sweep_figure_marks_divergence_and_the_best_rate_in_the_optimizer_colour() -> None:
    s = fake_sweep("adam")
    fig = sweep_figure([s, fake_sweep("sgd", diverge_from=10, best=2)], {"adam": "Adam"})
    diverged = traces_named(fig, "Adam: diverged")
    assert len(diverged) == 1
    assert len(diverged[0].x) == 3
    assert diverged[0].marker.color == optimizer_color("adam")
    assert not traces_named(fig, "sgd: diverged")  # nothing diverged, nothing drawn
    best = traces_named(fig, "Adam: best lr")
    assert len(best) == 1 and best[0].x[0] == s.lrs[4]
    assert best[0].y[0] == GAP_FLOOR  # 0 clipped to the floor of the log axis
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.minorloglabels == fig.layout.yaxis.minorloglabels == "complete"
    assert fig.layout.xaxis.dtick == 1  # three decades of rates: the powers of ten only
    narrow = fake_sweep("adam")
    narrow.lrs = np.geomspace(0.01, 0.5, 10)
    ticks = sweep_figure([narrow], {}).layout.xaxis.ticktext
    assert {"0.01", "0.02", "0.05", "0.1"} <= set(ticks)  # 2 and 5 times each power too
    # rates read as powers of ten, not SI suffixes ("100μ")
    assert fig.layout.xaxis.exponentformat == fig.layout.xaxis2.exponentformat == "power"


def test_each_optimizer_s_diverged_rates_get_a_row_of_their_own() -> None:
    """A review: every optimizer's crosses sat at one height, so where two blew up at the same
    rates only the last one's colour showed (SGD's blow-up below its best rate was hidden)."""
    fig = sweep_figure([fake_sweep("sgd"), fake_sweep("momentum", diverge_from=10),
                        fake_sweep("adam", diverge_from=5)])
    rows = [traces_named(fig, f"{n}: diverged")[0] for n in ("sgd", "adam")]
    heights = [set(np.asarray(t.y).tolist()) for t in rows]
    assert all(len(h) == 1 for h in heights) and heights[0] != heights[1]
    top = max(max(np.asarray(t.y, float)) for t in fig.data
              if t.name in ("sgd", "momentum", "adam"))
    assert min(min(h) for h in heights) > top  # above every curve


def test_sweep_figure_leaves_diverged_rates_out_of_the_curves() -> None:
    s = fake_sweep("adam")
    s.steps_to_tol[0] = -1  # the smallest rate never reaches the tolerance
    fig = sweep_figure([s])
    curve = next(t for t in fig.data if t.name == "adam")
    assert len(curve.x) == 7
    steps = traces_named(fig, "steps to tolerance")[0]
    assert len(steps.x) == 6  # reached and not diverged
    assert np.all(np.asarray(steps.y) >= 0)


def test_rates_that_left_the_map_are_marked_and_out_of_both_curves() -> None:
    """A review: McCormick falls on past its map's edge, and momentum's rates that flew off it
    were drawn at the gap's floor ("at the minimum") and as the fastest to the tolerance, beside
    a best rate (★) far above them that looked wrong."""
    s = fake_sweep("momentum", diverge_from=9, best=2)
    s.off_map[5:9] = True  # 0.046 .. 0.46 ended off the map, 1.0 diverged
    s.final_gap[5:9] = -30.0  # lower than the minimum on the map: clipped to 0, it read "reached"
    s.steps_to_tol[5:9] = [46, 34, 27, 5]
    fig = sweep_figure([s])
    curve = next(t for t in fig.data if t.name == "momentum")
    assert len(curve.x) == 5 and not set(np.asarray(curve.x)) & set(s.lrs[5:9])
    steps = traces_named(fig, "steps to tolerance")[0]
    assert not set(np.asarray(steps.x)) & set(s.lrs[5:9])
    gone = traces_named(fig, "momentum: left the map")
    assert len(gone) == 1 and np.allclose(gone[0].x, s.lrs[5:9])
    assert gone[0].marker.color == optimizer_color("momentum") and "open" in gone[0].marker.symbol
    crosses = traces_named(fig, "momentum: diverged")[0]
    assert set(np.asarray(gone[0].y)) == set(np.asarray(crosses.y))  # the optimizer's one row
    assert max(np.asarray(curve.y, float)) < min(np.asarray(gone[0].y, float))
    assert "left the map" in gone[0].hovertemplate


def test_schedule_figure_draws_the_switch_on_both_panels() -> None:
    curves = [{"optimizer": "adam_then_sgd", "label": "Adam then SGD",
               "lr": np.r_[np.full(30, 0.1), np.full(70, 0.01)], "gap": np.geomspace(1, 1e-9, 101)}]
    fig = schedule_figure(curves, switch_step=30)
    assert len(fig.layout.shapes) == 2
    # both panels span the run's 100 steps (the rate panel's ticks stopped short of the loss's)
    assert list(fig.layout.xaxis.range) == list(fig.layout.xaxis2.range) == [0, 100]
    assert all(s.x0 == 30 for s in fig.layout.shapes)
    assert any("SGD" in a.text for a in fig.layout.annotations)
    # named on the rate panel too, so it is not taken for an event of the schedule
    assert {a.xref for a in fig.layout.annotations if "Adam → SGD" in a.text} == {"x", "x2"}
    assert fig.data[0].line.color == optimizer_color("adam_then_sgd")
    assert fig.layout.yaxis2.type == "log"
    no_switch = schedule_figure(curves)
    assert len(no_switch.layout.shapes) == 0


@pytest.mark.parametrize(("lr", "kind"), [
    (0.1 * 0.98 ** np.arange(300), "log"),  # exponential decay: 2.6 decades, a straight line
    (0.1 * 0.1 ** (np.arange(300) // 100), "log"),  # step decay: each drop as tall as the first
    (1e-6 + (0.1 - 1e-6) * (1 + np.cos(np.pi * np.arange(300) / 299)) / 2, "log"),  # to 1e-6
    (0.05 * (1 + np.cos(np.pi * np.arange(300) / 299)), "linear"),  # down to 0: no log place
    (np.full(300, 0.1), "linear"),  # constant
    (0.1 * np.minimum(1, (1 + 2 * np.arange(300) / 20) / 3), "linear"),  # a warm-up from lr / 3
])
def test_the_schedule_s_rates_go_on_a_log_axis_when_they_span_decades(lr, kind) -> None:
    """On a linear axis an exponential decay lay on the axis from a third of the run on (its
    0.0003 drawn as its 0.003 and as 0), a step decay's later drops vanished and a cosine to
    1e-6 looked as if it reached 0. Rates that span a decade, all above 0, go on a log axis."""
    curves = [{"optimizer": "sgd", "label": "SGD", "lr": lr, "gap": np.geomspace(1, 1e-3, 301)}]
    y = schedule_figure(curves).layout.yaxis
    assert y.type == kind
    assert y.title.text == "learning rate"
    if kind == "linear":
        assert y.rangemode == "nonnegative"  # no negative rates under a flat line


@pytest.mark.parametrize(("top", "bottom", "kind", "dtick"), [
    (20.0, 0.75, "log", "125"),  # a 10-step run: Plotly labelled every digit from 2 to 9
    (3.0, 0.5, "linear", None),  # under a decade: a log axis has hardly a label to show
    (10.0, 1e-9, "log", None),  # a long run: Plotly's own log ticks are already sparse
])
def test_schedule_loss_axis_is_readable_on_short_runs(top: float, bottom: float, kind: str,
                                                      dtick: str | None) -> None:
    curves = [{"optimizer": "sgd", "label": "SGD", "lr": np.full(10, 0.01),
               "gap": np.geomspace(top, bottom, 11)},
              {"optimizer": "adam", "label": "Adam", "lr": np.full(10, 0.3),
               "gap": np.full(11, np.sqrt(top * bottom))}]
    fig = schedule_figure(curves)
    assert fig.layout.yaxis2.type == kind
    if dtick == "125":  # 1, 2 and 5 times each power, written out
        assert {"1", "2", "5", "10", "20"} <= set(fig.layout.yaxis2.ticktext)
        assert fig.layout.yaxis2.dtick is None
    else:
        assert fig.layout.yaxis2.dtick == dtick
    # flat rates: no negative rates shown (these two, 0.01 and 0.3, go on a log axis)
    assert fig.layout.yaxis.type == "log" or fig.layout.yaxis.rangemode == "nonnegative"


def _luminance(color: str) -> float:
    """Relative luminance (0 black .. 1 white) of ``#RRGGBB`` or ``rgba(r,g,b,a)``."""
    if color.startswith("#"):
        rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    else:
        rgb = [float(v) for v in color[color.index("(") + 1:color.index(")")].split(",")[:3]]
    return float(np.dot([0.2126, 0.7152, 0.0722], np.asarray(rgb) / 255))


def test_event_lines_read_on_light_and_dark_backgrounds() -> None:
    """The switch line was near-black at 60 %: invisible on the dark theme's plot background."""
    from viz.concepts import curves_figure
    curves = [{"optimizer": "adam_then_sgd", "label": "switch",
               "lr": np.r_[np.full(30, 0.1), np.full(70, 0.01)], "gap": np.geomspace(1, 1e-9, 101)}]
    shapes = list(schedule_figure(curves, switch_step=30).layout.shapes)
    tour = curves_figure([{"optimizer": "sgd", "label": "x", "x": np.arange(5), "y": np.ones(5)}],
                         "epoch", "gap", vlines=[(2.0, "switch")])
    shapes += list(tour.layout.shapes)
    assert len(shapes) == 3
    for shape in shapes:
        assert 0.2 < _luminance(shape.line.color) < 0.8, shape.line.color


def test_an_empty_steps_to_tolerance_panel_says_why() -> None:
    """The review's case: Rosenbrock with Adam's cosine schedule drew empty 0-4 axes."""
    never = fake_sweep("adam")
    never.steps_to_tol = np.full(never.lrs.size, -1)
    fig = sweep_figure([never, fake_sweep("sgd", diverge_from=0)])
    note = [a for a in fig.layout.annotations if "No rate reached the tolerance" in a.text]
    assert len(note) == 1 and "1e-06" in note[0].text
    assert (note[0].xref, note[0].yref) == ("x2 domain", "y2 domain")
    assert fig.layout.yaxis2.showticklabels is False
    reached = sweep_figure([fake_sweep("adam")])
    assert not [a for a in reached.layout.annotations if "No rate" in a.text]


def test_schedule_panels_keep_clear_of_each_other_in_a_narrow_column() -> None:
    """At 1000 px (a ~350 px column) the titles ran together and the loss panel's 10^-12 sat on
    the rate panel's 150: short titles, and the loss ticks on the right."""
    curves = [{"optimizer": "sgd", "label": "SGD", "lr": np.full(100, 0.01),
               "gap": np.geomspace(1, 1e-12, 101)}]
    fig = schedule_figure(curves)
    # the panels are named by their axes (titles over the panels sat under the legend)
    assert not fig.layout.annotations
    assert (fig.layout.yaxis.title.text, fig.layout.yaxis2.title.text) == (
        "learning rate", "loss − minimum")
    assert fig.layout.yaxis2.side == "right" and fig.layout.margin.r >= 50


def test_a_phone_stacks_the_schedule_panels_and_the_switch_labels_run_along_their_lines() -> None:
    """Side by side in a phone's column, the panels were ~100 px wide with the step ticks on
    end, and the loss panel's level "Adam → SGD" ran into the loss axis's 10^-12."""
    curves = [{"optimizer": "adam_then_sgd", "label": "Adam → SGD", "lr": np.full(100, 0.01),
               "gap": np.geomspace(1, 1e-12, 101)}]
    laptop = schedule_figure(curves, switch_step=30).layout
    phone = schedule_figure(curves, switch_step=30, phone=True).layout
    assert laptop.xaxis2.domain[0] > laptop.xaxis.domain[1]  # side by side
    assert phone.xaxis2.domain == phone.xaxis.domain  # one over the other
    assert phone.yaxis2.domain[1] < phone.yaxis.domain[0] and phone.height > laptop.height
    for layout in (laptop, phone):
        labels = [a for a in layout.annotations if a.text == "Adam → SGD"]
        assert {a.xref for a in labels} == {"x", "x2"}
        assert all(a.textangle == -90 and a.y == 0.5 for a in labels)

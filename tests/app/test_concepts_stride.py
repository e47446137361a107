"""Section 4 of the tour (the learning rate is your stride) draws every hop where it lands.

A review found the iterates clipped to ±4.5: at η = 2.5 the true -3, 4.5, -6.75, 10.1, ... were
drawn as -3, 4.5, -4.5, 4.5, ..., the constant bounce of η = 2, under a text promising that every
bounce is bigger than the last; and its "blew up at step ..." caption could never show (12 steps at
η = 2.5 reach |x| = 389, far below run's divergence bound of 1e6). The view now grows with the
path.
"""

from __future__ import annotations

import numpy as np
import pytest

from app_pages.common.tour import (
    STRIDE_MAX_LR,
    STRIDE_STEPS,
    STRIDE_VIEW,
    stride,
    stride_caption,
    stride_view,
)
from optimizers.runner import DEFAULT_BOUND
from tests.app.conftest import app_test, charts, decode
from viz.concepts import stride_figure

ETAS = (0.1, 0.5, 1.0, 1.9, 2.0, 2.1, 2.5)


def _figure(lr: float):
    """Section 4's figure, built as the page builds it."""
    xs, fs = stride(lr, STRIDE_STEPS)
    half = stride_view(xs)
    grid = np.linspace(-half, half, 201)
    return stride_figure(grid, 0.5 * grid**2, xs, fs, "sgd", f"η = {lr:g}"), xs


@pytest.mark.parametrize("lr", ETAS)
def test_every_hop_is_drawn_where_it_lands(lr: float) -> None:
    fig, xs = _figure(lr)
    np.testing.assert_allclose(xs, -3.0 * (1.0 - lr) ** np.arange(STRIDE_STEPS + 1),
                               rtol=1e-12, atol=1e-12)
    hops = next(t for t in fig.data if t.name == f"η = {lr:g}")
    np.testing.assert_array_equal(hops.x, xs)  # not clipped
    np.testing.assert_allclose(hops.y, 0.5 * xs**2)
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    assert x0 <= xs.min() and xs.max() <= x1 and y0 <= hops.y.min() and hops.y.max() <= y1
    if lr <= 2.0:  # a path that does not run away keeps the usual view
        assert (x0, x1) == (-STRIDE_VIEW, STRIDE_VIEW)


def test_growing_bounces_look_growing() -> None:
    """η = 2.5: each hop lands 1.5 times as far out as the last, and the drawing shows it (the
    clipped drawing had |x| = 4.5 from step 1 on)."""
    fig, _ = _figure(2.5)
    hops = np.abs(np.asarray(next(t for t in fig.data if t.name == "η = 2.5").x))
    np.testing.assert_allclose(hops[1:] / hops[:-1], 1.5)
    assert hops[-1] == pytest.approx(3 * 1.5**12) and round(hops[-1]) == 389
    np.testing.assert_allclose(fig.layout.xaxis.range, [-1.05 * hops[-1], 1.05 * hops[-1]])
    eq2 = np.abs(np.asarray(next(t for t in _figure(2.0)[0].data if t.name == "η = 2").x))
    np.testing.assert_allclose(eq2, 3.0)  # η = 2: the constant bounce, for contrast


def test_the_slider_cannot_reach_divergence() -> None:
    """Why the page has no "blew up" branch: at the slider's largest rate the 12 steps stay finite
    and far inside run's bound, so every rate the slider offers is drawn in full."""
    xs, _ = stride(STRIDE_MAX_LR, STRIDE_STEPS)
    assert np.all(np.isfinite(xs)) and np.abs(xs).max() < 1e-3 * DEFAULT_BOUND


@pytest.mark.parametrize(("lr", "words"), [
    (0.1, "1 − η = 0.9: after 12 steps x = -0.847 (it started at -3)."),
    (1.0, "1 − η = 0: after 12 steps x = 0 (it started at -3), on the bottom since step 1."),
    (1.9, "1 − η = -0.9: after 12 steps x = -0.847 (it started at -3)."),
    (2.0, "bouncing between -3 and 3 forever."),
    (2.1, "x = -9.42 (it started at -3): each bounce lands 1.1× as far out as the last. The view "
          "zoomed out ×2.2 to show every hop (the usual view is x from -4.5 to 4.5)."),
    (2.5, "x = -389 (it started at -3): each bounce lands 1.5× as far out as the last. The view "
          "zoomed out ×90.8"),
])
def test_caption_says_what_each_step_does(lr: float, words: str) -> None:
    text = stride_caption(lr, stride(lr, STRIDE_STEPS)[0])
    assert words in text
    assert "blew up" not in text


def test_caption_mentions_no_zoom_when_the_view_did_not_move() -> None:
    """η = 2.01 grows (×1.01 a bounce) but stays inside the usual view: no zoom to speak of."""
    xs = stride(2.01, STRIDE_STEPS)[0]
    assert stride_view(xs) == STRIDE_VIEW
    text = stride_caption(2.01, xs)
    assert "1.01× as far out" in text and "zoomed" not in text


def test_page_draws_the_true_hops_at_the_largest_rate() -> None:
    at = app_test("app_pages/concepts.py", {"stride": "2.5"}).run()
    assert not at.exception and not at.warning
    spec = next(s for s in charts(at) if any(t.get("name") == "η = 2.5" for t in s["data"]))
    hops = next(t for t in spec["data"] if t.get("name") == "η = 2.5")
    np.testing.assert_allclose(decode(hops["x"]), stride(2.5, STRIDE_STEPS)[0])
    assert spec["layout"]["xaxis"]["range"][1] > 389
    assert [a["text"] for a in spec["layout"]["annotations"]] == ["zoomed out ×90.8 to fit"]
    caption = next(c.value for c in at.caption if "1 − η" in c.value)
    assert "1.5× as far out as the last" in caption and "blew up" not in caption

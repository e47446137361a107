"""The neural-network page's pure computation (app_pages.common.network), without Streamlit."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app_pages.common import network as nn
from app_pages.common.compute import entry
from app_pages.common.limits import limit
from app_pages.common.memo import nbytes
from landscape import nn_landscape

DATA = ("two_moons", 200, 0.15, 2, 0)
ARCH = ((8,), "tanh", 0.0)
ADAM = entry("adam", {"lr": 0.02})
SGD = entry("sgd", {"lr": 0.1})


@pytest.fixture(scope="module")
def adam() -> nn.Training:
    return nn.train(DATA, ARCH, ADAM, 30, 25, 0)


def test_training_keeps_per_epoch_curves_frames_and_a_thinned_path(adam) -> None:
    net, _ = nn.networks(DATA, ARCH)
    assert adam.steps_per_epoch == net.steps_per_epoch(25) == 6
    for series in (adam.epoch_train_loss, adam.epoch_test_loss, adam.epoch_train_acc,
                   adam.epoch_test_acc):
        assert series.shape == (31,)
    assert adam.epoch_train_loss[0] == pytest.approx(np.log(2), abs=0.05)  # about log k at init
    assert adam.epoch_train_acc[-1] > 0.9
    assert list(adam.frames) == list(range(31))
    np.testing.assert_allclose(adam.frame_params[-1], adam.final)
    np.testing.assert_allclose(adam.frame_grads, net.grad(adam.frame_params))
    assert adam.step_epochs[-1] == 30 and adam.diverged_epoch is None


def test_every_optimizer_starts_from_the_same_weights(adam) -> None:
    sgd = nn.train(DATA, ARCH, SGD, 30, 25, 0)
    np.testing.assert_array_equal(sgd.initial, adam.initial)
    assert not np.allclose(sgd.final, adam.final)


def test_adam_then_sgd_reports_its_switch_in_epochs() -> None:
    t = nn.train(DATA, ARCH, entry("adam_then_sgd", {"lr": 0.02, "switch_step": 12,
                                                     "sgd_lr": 0.1}), 5, 25, 0)
    assert t.switch_epoch == pytest.approx(2.0)


def test_frame_epochs_thin_long_runs_but_keep_both_ends() -> None:
    f = nn.frame_epochs(500)
    assert len(f) <= nn.MAX_FRAMES and f[0] == 0 and f[-1] == 500
    assert list(nn.frame_epochs(3)) == [0, 1, 2, 3]


def test_clamp_epochs_bounds_the_path_memory() -> None:
    assert nn.clamp_epochs(40, 10, 354) == (40, None)
    epochs, note = nn.clamp_epochs(500, 63, 8706)
    assert epochs * 63 * 8706 <= nn.PATH_FLOATS and note and "500 epochs" in note


def test_clamp_epochs_bounds_the_training_work() -> None:
    """Batch 1 on 1,500 points of a 3 x 64 network: epochs drop until the work fits the limit."""
    epochs, note = nn.clamp_epochs(500, 1500, 8706, 1500)
    assert epochs >= 1 and note
    assert epochs == 1 or epochs * 1500 * 8706 * 1501 <= limit("train_work")
    assert nn.clamp_epochs(40, 10, 354, 300) == (40, None)  # the default page is untouched


def test_in_blocks_equals_one_call(monkeypatch) -> None:
    net, _ = nn.networks(DATA, ARCH)
    params = np.stack([net.init_params(s) for s in range(7)])
    whole = net.accuracy(params)
    monkeypatch.setattr(nn, "BLOCK_FLOATS", 2)
    np.testing.assert_array_equal(nn.in_blocks(net.accuracy, params, 1), whole)


def test_boundaries_are_probabilities_on_the_grid(adam) -> None:
    xs, ys, probs = nn.boundaries(DATA, ARCH, adam.frame_params[[0, -1]], 24)
    assert probs.shape == (2, 24, 24, 2) and xs.shape == ys.shape == (24,)
    np.testing.assert_allclose(probs.sum(-1), 1.0)
    assert np.ptp(probs[1, ..., 1]) > np.ptp(probs[0, ..., 1])  # training sharpens the split


def test_boundary_grid_shrinks_with_more_optimizers_and_frames() -> None:
    assert nn.boundary_grid(1, 10) == 60
    assert nn.boundary_grid(8, 40) < nn.boundary_grid(3, 40) <= 60
    assert nn.boundary_grid(8, 1000) == 24


def test_landscape_planes_pass_through_the_trained_weights(adam) -> None:
    net, test = nn.networks(DATA, ARCH)
    land = nn.landscape(DATA, ARCH, (adam.path,), 11, 0)
    s = land.slices[0]
    assert s.losses.shape == (11, 11)
    assert s.losses[5, 5] == pytest.approx(float(net.value(adam.final)))
    assert land.pca.coords[0].shape == (len(adam.path), 2)
    i1 = land.interp[0]
    assert i1.losses[np.argmin(np.abs(i1.ts - 1.0))] == pytest.approx(float(net.value(adam.final)))
    assert land.interp_test[0].losses[np.argmin(np.abs(i1.ts))] == pytest.approx(
        float(test.value(adam.initial)))


def test_worst_example_has_the_largest_loss_and_its_trace_agrees(adam) -> None:
    net, _ = nn.networks(DATA, ARCH)
    i = nn.worst_example(DATA, ARCH, adam.final)
    probs = net.forward(adam.final)
    p_true = probs[np.arange(net.n_samples), net.y]
    assert p_true[i] == p_true.min()
    tr = nn.trace(DATA, ARCH, adam.final, i)
    assert tr.loss == pytest.approx(-np.log(p_true[i]))
    assert nn.trace(DATA, ARCH, adam.final, 10**6).label == int(net.y[-1])  # clamped index


def test_big_landscapes_average_over_a_subset_of_the_points() -> None:
    assert nn.landscape_samples(300, 31, (2, 16, 16, 2)) == 300  # the default: every point
    big = nn.landscape_samples(1500, 61, (2, 64, 64, 64, 2))
    assert nn.MIN_SAMPLES <= big < 1500
    assert nn.landscape_samples(1500, 21, (2, 64, 64, 64, 2)) > big
    # The default page's four grids (3 optimizers) keep the per-grid budget; nine grids (8
    # optimizers) share the page's.
    assert nn.landscape_samples(1500, 61, (2, 64, 64, 64, 2), 4) == big
    assert nn.landscape_samples(300, 31, (2, 16, 16, 2), 9) == 300
    nine = nn.landscape_samples(1500, 31, (2, 64, 64, 64, 2), 9)
    assert nine < nn.landscape_samples(1500, 31, (2, 64, 64, 64, 2), 4)
    assert 9 * 31 * 31 * nine * (2 * 64 + 64 * 64 * 2 + 64 * 2) <= nn.LANDSCAPE_PAGE_MACS


def test_a_landscape_too_big_even_for_the_fewest_points_gets_fewer_points_per_side() -> None:
    """The sample floor (``MIN_SAMPLES``) had no check: a 3 x 64 network with 8 optimizers at
    61 x 61 mapped 3.5 times the page's budget. Its side drops to a resolution the page offers
    that fits; small networks keep theirs."""
    sides = (21, 31, 41, 51, 61)
    big = (2, 64, 64, 64, 2)
    macs = 2 * 64 + 64 * 64 * 2 + 64 * 2
    side = nn.landscape_side(61, big, 9, sides)
    assert side in sides and side < 61
    assert 9 * side * side * nn.MIN_SAMPLES * macs <= nn.LANDSCAPE_PAGE_MACS
    nxt = sides[sides.index(side) + 1]
    assert 9 * nxt * nxt * nn.MIN_SAMPLES * macs > nn.LANDSCAPE_PAGE_MACS  # the largest that fits
    assert nn.landscape_side(side, big, 9, sides) == side  # asked no more than fits: kept
    assert nn.landscape_side(61, (2, 16, 16, 2), 9, sides) == 61  # the default network


def test_the_subset_landscape_is_the_loss_on_those_points(monkeypatch, adam) -> None:
    net, _ = nn.networks(DATA, ARCH)
    macs = 2 * 8 + 8 * 2  # multiply-adds of one point through the 2-8-2 network
    monkeypatch.setattr(nn, "LANDSCAPE_MACS", 5 * 5 * macs * 80)  # room for 80 of 150 points
    monkeypatch.setattr(nn, "MIN_SAMPLES", 10)
    land = nn.landscape(DATA, ARCH, (adam.path,), 5, 0)
    assert land.samples == 80 < net.n_samples
    idx = nn._subset(net.n_samples, 80, 0)
    assert len(set(idx.tolist())) == 80
    assert land.slices[0].losses[2, 2] == pytest.approx(float(net.value(adam.final, idx)))
    assert land.slices[0].losses[2, 2] != pytest.approx(float(net.value(adam.final)))


def test_verdict_names_divergence_and_overfitting(adam) -> None:
    from dataclasses import replace

    assert nn.verdict(adam) == ""
    assert nn.verdict(replace(adam, diverged_epoch=3.5)) == "diverged at epoch 3.5"
    e = np.arange(31, dtype=float)
    overfit = replace(adam, epoch_train_loss=1 / (1 + e), epoch_test_loss=0.5 + (e - 10) ** 2 / 200)
    # the rule in the words (a review saw "overfits" beside a test loss below the train loss)
    assert nn.verdict(overfit) == ("overfits: its test loss rose from 0.5 (epoch 10) to 2.12 "
                                   "while its training loss kept falling")
    noisy = replace(overfit, epoch_train_loss=np.full(31, 0.5))  # train loss not falling
    assert nn.verdict(noisy) == ""


def test_verdict_tells_a_rate_too_large_from_overfitting(adam) -> None:
    """A review: SGD at lr 3 on the moons, its training loss up in 22 of 40 epochs, was said to
    overfit (its test loss rose from one lucky dip); lr 1000 blew the loss up to ~1,200 and got
    no note at all (tanh kept the weights under the divergence bound)."""
    from dataclasses import replace

    e = np.arange(41, dtype=float)
    test = 0.3 + (e - 10) ** 2 / 400  # risen well past its best: the overfitting rule would fire
    zigzag = np.where(e % 2 == 0, 0.1, 0.4)  # up every other epoch, 4x apart
    zigzag[0] = 0.7
    bouncing = replace(adam, epoch_train_loss=zigzag, epoch_test_loss=test)
    assert nn.verdict(bouncing) == (
        "bounces: its training loss rose in 19 of 40 epochs and swung between 0.1 and 0.4 in the "
        "second half: a learning rate too large, not overfitting")
    blown = replace(bouncing, epoch_train_loss=np.r_[0.7, np.full(40, 1200.0)])
    assert nn.verdict(blown) == ("blew up: its training loss ended near 1.2e+03, above the 0.7 "
                                 "it started from (learning rate too large)")
    # a loss falling steadily however far (circles: 0.03 -> 0.0034) neither bounces nor blows up
    falling = replace(bouncing, epoch_train_loss=0.7 * 0.87 ** e, epoch_test_loss=0.7 * 0.87 ** e)
    assert nn.verdict(falling) == ""
    # minibatch jitter: up often, but never twice its low (Adam with minibatches of 5)
    jitter = replace(falling, epoch_train_loss=np.where(e % 2 == 0, 0.07, 0.11))
    jitter.epoch_train_loss[0] = 0.7
    assert nn.verdict(jitter) == ""
    # steady but for a few spikes over a long run (Adam, the tour's 300-epoch spirals): the gains
    # add up, the typical epoch barely moves
    spiky = 0.3 * 0.99 ** np.arange(301)
    spiky[[180, 220, 260]] *= 5
    spiky[0] = 1.1
    assert nn.verdict(replace(falling, epoch_train_loss=spiky,
                              epoch_test_loss=np.full(301, 0.5))) == ""


def test_overfitting_needs_a_best_test_loss_before_the_last_epochs(adam) -> None:
    """Lion "overfits: its test loss rose from 0.0384 (epoch 40)", its last epoch: the median of
    a noisy last window sat above a best reached at the very end."""
    from dataclasses import replace

    e = np.arange(41, dtype=float)
    test = 0.1 - e / 1000 + np.where(e % 2 == 0, 0.03, 0.0)
    test[40] = 0.03  # the best, in the last window
    train = 0.7 * 0.9 ** e
    train[40] = train[36]  # a noisy last epoch: above the last window's median
    late_best = replace(adam, epoch_train_loss=train, epoch_test_loss=test)
    assert nn.verdict(late_best) == ""


def test_test_accuracy_above_train_accuracy_is_called_chance_of_a_small_test_set() -> None:
    """A student seeing 98% on test and 93% on train may think the network generalises better
    than it fits: the note names the runs and says what one test point is worth."""
    note = nn.above_train_note([("Adam", 0.97, 0.99), ("SGD", 0.93, 0.93), ("Lion", 0.9, 0.8)],
                               n_test=100)
    assert note.startswith("Test accuracy above train accuracy (**Adam**) is down to chance")
    assert "SGD" not in note and "Lion" not in note
    assert "100 points" in note and "each is worth 1 percentage point" in note
    assert nn.above_train_note([("SGD", 0.93, 0.9304)], 100) == ""  # both read 93.0%
    assert nn.above_train_note([("SGD", 0.93, float("nan"))], 100) == ""
    assert "each is worth 2.5 percentage points" in nn.above_train_note([("a", 0.5, 0.55)], 40)
    assert "(**a** and **Adam, then SGD**)" in nn.above_train_note(
        [("a", 0.5, 0.55), ("Adam, then SGD", 0.5, 0.6)], 40)


def test_clicked_example_reads_the_point_index_from_a_selection_event() -> None:
    assert nn.clicked_example({"selection": {"points": [{"x": 0.1, "customdata": 7}]}}) == 7
    assert nn.clicked_example({"selection": {"points": [{"customdata": [12]}]}}) == 12
    # a click on the heatmap (no customdata) or no click at all picks nothing
    assert nn.clicked_example({"selection": {"points": [{"x": 0.1, "y": 0.2}]}}) is None
    assert nn.clicked_example({"selection": {"points": []}}) is None
    assert nn.clicked_example(None) is None


def test_a_big_network_keeps_a_bounded_path(monkeypatch) -> None:
    monkeypatch.setattr(nn, "SNAPSHOT_FLOATS", 20 * 42)  # 20 snapshots of the 42 parameters
    t = nn.train(DATA, ARCH, ADAM, 10, 25, 0)
    assert t.path.shape == (20, 42)
    net, _ = nn.networks(DATA, ARCH)
    np.testing.assert_array_equal(t.path[0], net.init_params(0))
    np.testing.assert_allclose(t.path[-1], t.frame_params[-1])


def test_clamp_batch_keeps_one_epoch_within_the_training_work() -> None:
    batch, note = nn.clamp_batch(1, 1500, 8642)
    assert note and batch > 1
    assert -(-1500 // batch) * 8642 * 1501 <= limit("train_work")
    assert nn.clamp_batch(1, 300, 354) == (1, None)  # pure SGD on the default network is fine
    assert nn.clamp_batch(1, 300, 354, 40) == (1, None)  # ... for the default 40 epochs too


def test_a_raised_batch_leaves_room_for_the_epochs() -> None:
    """Batch 1 and 500 epochs on 1,500 points of a 3 x 64 network: the batch was raised only
    for one epoch to fit, and the epochs then dropped to 1. Raised for 40 epochs, the run keeps
    at least 40."""
    batch, note = nn.clamp_batch(1, 1500, 8642, 500)
    # the note names the 40 epochs the batch is raised for as such, not as the epochs asked
    assert note and "could not train even 40 epochs" in note
    assert note.endswith(f"using batch size {batch}, the smallest that allows 40.")
    epochs, _ = nn.clamp_epochs(500, -(-1500 // batch), 8642, 1500)
    assert 40 <= epochs < 500, (batch, epochs)
    small, _ = nn.clamp_batch(1, 1500, 8642, 3)  # asked for 3 epochs: a smaller raise
    assert small < batch and nn.clamp_epochs(3, -(-1500 // small), 8642, 1500)[0] == 3


def test_the_networks_of_one_page_share_its_work_budget() -> None:
    """A page trains one network per optimizer: 8 of the biggest runs took 16-22 s of one core.
    Each of ``runs`` gets its share of ``network_page_work``; the default page is untouched."""
    one, _ = nn.clamp_epochs(500, 5, 8707, 1500)
    eight, note = nn.clamp_epochs(500, 5, 8707, 1500, runs=8)
    assert 8 * eight * 5 * 8707 * 1501 <= limit("network_page_work") < one * 5 * 8707 * 1501 * 8
    assert note and "for 8 optimizers is more than one page may train" in note
    assert "fewer optimizers" in note
    assert "one run may do" in nn.clamp_epochs(500, 5, 8707, 1500, runs=1)[1]
    assert nn.clamp_epochs(40, 10, 354, 300, runs=8) == (40, None)  # default page, 8 optimizers
    assert nn.clamp_batch(1, 300, 354, 40, runs=3) == (1, None)  # ... pure SGD for 3 of them
    many, note = nn.clamp_batch(1, 1500, 8642, 500, runs=8)
    assert many > nn.clamp_batch(1, 1500, 8642, 500)[0]  # a smaller share: a bigger batch
    assert note and "of 8 optimizers" in note and "fewer optimizers" in note
    # a batch of the whole training set is said to be one: SGD then takes full-batch steps
    assert many == 1500 and "whole training set as the batch (1500)" in note
    assert "optimizer" not in nn.clamp_batch(1, 1500, 8642, 500)[1]
    # bound by the path's memory, not the work: fewer optimizers would not help, and no note
    # says they would
    epochs, note = nn.clamp_epochs(500, 3, 8707, 50, runs=8)
    assert epochs == nn.PATH_FLOATS // (3 * 8707) and "optimizer" not in note


# ------------------------------------------------------------------------- memory

BIG_DATA = ("spirals", 100, 0.0, 3, 0)  # few points: the most epochs, so 41 frames
BIG_ARCH = ((64, 64, 64), "relu", 0.0)


def test_the_page_keeps_trainings_without_their_weights() -> None:
    """A session keeps what its page holds until it expires (and Streamlit reaps expired sessions
    only when another one disconnects): the weights, up to 14 MB per optimizer, stay in the
    shared cache, and the page takes one frame's weights as a copy."""
    kept = nn.trainings_for(DATA, ARCH, (ADAM, SGD), 10, 25, 0)
    for racer, t in zip((ADAM, SGD), kept, strict=True):
        cached = nn.cached_train(DATA, ARCH, racer, 10, 25, 0)
        assert t.weights is None and cached.weights is not None
        assert t == replace(cached, weights=None) and nbytes(t) < 20_000
        with pytest.raises(ValueError, match="light"):
            t.frame_params  # noqa: B018  (the property raises)
        frame = nn.frame_weights(DATA, ARCH, racer, 10, 25, 0, 3)
        np.testing.assert_array_equal(frame, cached.frame_params[3])
        assert not np.shares_memory(frame, cached.frame_params)


def test_every_training_of_the_biggest_link_fits_the_training_cache() -> None:
    t = nn.train(BIG_DATA, BIG_ARCH, ADAM, limit("epochs"), 75, 0)
    assert len(t.frames) == nn.MAX_FRAMES and t.path.nbytes > 4 * 2**20
    assert limit("optimizers") * nbytes(t) <= nn.TRAIN_BYTES
    assert nn.cached_train.memo.max_bytes == nn.TRAIN_BYTES
    assert nbytes(t.light()) < 100_000


def test_a_fine_landscape_of_a_big_network_takes_bounded_memory() -> None:
    """The grid of parameter vectors is evaluated in blocks: a 61 x 61 slice of a 3 x 64 network
    built whole was 260 MB (twice, with a temporary), and the PCA's full SVD as much again."""
    import tracemalloc

    net, _ = nn.networks(BIG_DATA, BIG_ARCH)
    steps = np.random.default_rng(0).normal(0.0, 0.01, (60, net.n_params)).cumsum(axis=0)
    path = net.init_params(0) + steps
    tracemalloc.start()
    try:
        land = nn.landscape(BIG_DATA, BIG_ARCH, (path,), limit("landscape_grid"), 0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20
    assert land.slices[0].losses.shape == (limit("landscape_grid"),) * 2
    assert np.isfinite(land.pca.slice.losses).all()
    for s in (land.pca.slice, land.slices[0]):  # no view keeps the whole path alive
        assert not np.shares_memory(s.center, path)


def test_pca_directions_equal_the_svd_s(adam) -> None:
    sgd = nn.train(DATA, ARCH, SGD, 30, 25, 0)
    for paths in ([adam.path], [adam.path, sgd.path]):
        center = paths[0][-1]
        offsets = np.concatenate(paths) - center
        _, s, vt = np.linalg.svd(offsets - offsets.mean(axis=0), full_matrices=False)
        d1, d2, explained = nn_landscape.pca_directions(paths, center)
        for d, v in ((d1, vt[0]), (d2, vt[1])):
            np.testing.assert_allclose(d, v * np.sign(v @ d), atol=1e-10)
        np.testing.assert_allclose(explained, s[:2] ** 2 / (s @ s), atol=1e-12)


def test_a_tiny_network_s_steps_count_their_fixed_cost() -> None:
    """6 weights on 2,000 points at batch 1: 12,000 multiply-adds a step let 330,000 steps fit a
    run (40 s of NumPy calls, ~100 us a step; 73 s for 8 optimizers). Each step now counts
    STEP_OVERHEAD more; pure SGD on the default network keeps its batch of 1."""
    batch, note = nn.clamp_batch(1, 1500, 6, 500)
    assert note and batch > 1
    epochs, _ = nn.clamp_epochs(500, -(-1500 // batch), 6, 1500)
    assert epochs * -(-1500 // batch) * (1501 * 6 + nn.STEP_OVERHEAD) <= limit("train_work")
    assert epochs * -(-1500 // batch) <= 60_000  # steps of ~100 us: seconds, not a minute
    assert nn.clamp_batch(1, 300, 354, 40, runs=3) == (1, None)

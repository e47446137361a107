"""The network trained by the optimizer engine: Adam learns two moons; minibatches follow epochs."""

from __future__ import annotations

import numpy as np
import pytest

from landscape.datasets import make_dataset, train_test_split
from landscape.network import MLP
from optimizers import get_optimizer, run


@pytest.fixture(scope="module")
def moons():
    return make_dataset("two_moons", 400, noise=0.15, seed=0)


@pytest.mark.parametrize(("hidden", "activation", "seed"),
                         [((16, 16), "relu", 0), ((16, 16), "relu", 1), ((16,), "tanh", 2),
                          ((8, 8, 8), "sigmoid", 3)])
def test_adam_reaches_97_percent_on_two_moons(moons, hidden, activation, seed):
    net = MLP(*moons, hidden, activation)
    theta0 = net.init_params(seed)
    traj = run(get_optimizer("adam", lr=0.02), net, theta0, 300)
    assert traj.losses[0] == pytest.approx(np.log(2), abs=0.1)
    assert traj.diverged_step == -1
    assert net.accuracy(traj.points[-1]) >= 0.97
    assert traj.losses[-1] < 0.1 * traj.losses[0]
    np.testing.assert_allclose(traj.losses, net.value(traj.points), rtol=1e-12)


def test_linear_classifier_cannot_learn_two_moons_but_a_hidden_layer_can(moons):
    """The point of hidden layers: same optimizer, same steps, only the architecture differs."""
    linear, ann = MLP(*moons, ()), MLP(*moons, (16,), "tanh")
    acc = [n.accuracy(run(get_optimizer("adam", lr=0.02), n, n.init_params(0), 300).points[-1])
           for n in (linear, ann)]
    assert acc[0] < 0.92 < 0.97 <= acc[1]


def test_held_out_accuracy_along_the_path(moons):
    Xtr, ytr, Xte, yte = train_test_split(*moons, test_fraction=0.25, seed=0)
    net = MLP(Xtr, ytr, (16, 16))
    test = net.with_data(Xte, yte)
    traj = run(get_optimizer("adam", lr=0.02), net, net.init_params(0), 200)
    test_acc = test.accuracy(traj.points)  # one batched call over the path
    assert test_acc.shape == (201,)
    assert test_acc[0] < 0.9 and test_acc[-1] >= 0.95


class Recorder:
    """Wraps the network and records the minibatch each gradient call sees."""

    def __init__(self, net: MLP) -> None:
        self.net, self.n_samples, self.batches = net, net.n_samples, []

    def value(self, params, idx=None):
        return self.net.value(params, idx)

    def grad(self, params, idx=None):
        self.batches.append(np.asarray(idx))
        return self.net.grad(params, idx)


@pytest.mark.parametrize("batch_size", [32, 50, 399])
def test_steps_per_epoch_matches_the_run_loop(moons, batch_size):
    net = MLP(*moons, (4,))
    rec = Recorder(net)
    spe = net.steps_per_epoch(batch_size)
    run(get_optimizer("sgd", lr=0.1), rec, net.init_params(0), 2 * spe + 1,
        batch_size=batch_size, seed=4)
    for epoch in range(2):  # each epoch's batches cover every sample exactly once
        seen = np.concatenate(rec.batches[epoch * spe:(epoch + 1) * spe])
        np.testing.assert_array_equal(np.sort(seen), np.arange(net.n_samples))
    assert not np.array_equal(rec.batches[0], rec.batches[spe])  # reshuffled per epoch


def test_minibatch_sgd_trains_the_network(moons):
    net = MLP(*moons, (16, 16))
    traj = run(get_optimizer("sgd", lr=0.1, momentum=0.9), net, net.init_params(0),
               10 * net.steps_per_epoch(40), batch_size=40, seed=1)
    assert net.accuracy(traj.points[-1]) >= 0.95


def test_batch_of_starts_trains_each_like_alone(moons):
    net = MLP(*moons, (6,), "tanh")
    starts = np.stack([net.init_params(s) for s in range(3)])
    both = run(get_optimizer("adam", lr=0.02), net, starts, 40)
    alone = run(get_optimizer("adam", lr=0.02), net, starts[2], 40)
    np.testing.assert_allclose(both.points[:, 2], alone.points, rtol=1e-10, atol=1e-12)


def test_the_page_recipe_in_the_module_docstring_runs():
    """The shapes the page relies on (landscape/network.py docstring)."""
    X, y = make_dataset("spirals", 200, noise=0.05, seed=0, n_classes=3)
    Xtr, ytr, Xte, yte = train_test_split(X, y, test_fraction=0.25, seed=0)
    net = MLP(Xtr, ytr, hidden=(8, 8), activation="tanh", weight_decay=1e-3)
    test = net.with_data(Xte, yte)
    steps, batch = 3 * net.steps_per_epoch(32), 32
    traj = run(get_optimizer("adam", lr=0.02), net, net.init_params(0), steps, batch_size=batch)
    epoch = net.epochs(np.arange(steps + 1), batch)
    assert epoch[-1] == 3.0
    assert test.value(traj.points).shape == test.accuracy(traj.points).shape == (steps + 1,)
    frames = traj.points[net.epoch_steps(steps, batch)]
    assert len(frames) == 4
    xs, ys, probs = net.decision_surface(frames, n=30)
    assert xs.shape == ys.shape == (30,) and probs.shape == (4, 30, 30, 3)
    weights, widths = net.unflatten(frames), net.responsibility(frames)
    assert [w.shape for w, _ in weights] == [(4, 8, 2), (4, 8, 8), (4, 3, 8)]
    assert [w.shape for w, _ in widths] == [(4, 8, 2), (4, 8, 8), (4, 3, 8)]
    trace = net.backprop_trace(traj.points[-1], Xtr[0], int(ytr[0]))
    assert trace.probs.shape == (3,) and len(trace.layers) == 3


def test_gradient_free_walkers_search_the_network_box_and_lose_to_adam(moons):
    """The article's comparison on a real network: random search wastes its trials."""
    net = MLP(*moons, (8,), "tanh")
    box = net.domain
    assert box.shape == (net.n_params, 2) and np.all(box[:, 0] < box[:, 1])
    theta0 = net.init_params(0)
    assert np.all((box[:, 0] <= theta0) & (theta0 <= box[:, 1]))
    final = {}
    for name in ("random_search", "random_local_search", "adam"):
        opt = get_optimizer(name, lr=0.02) if name == "adam" else get_optimizer(name)
        traj = run(opt, net, theta0, 150, seed=0)
        assert np.all(np.isfinite(traj.losses))
        if name != "adam":
            assert np.all(np.diff(traj.losses) <= 0)  # keeps the best point seen
        final[name] = traj.losses[-1]
    assert final["adam"] < 0.5 * min(final["random_search"], final["random_local_search"])


def test_spirals_need_depth():
    """What the registry promises: a linear classifier fails on spirals, two hidden layers fit."""
    X, y = make_dataset("spirals", 300, seed=0)
    acc = {}
    for hidden in [(), (16, 16)]:
        net = MLP(X, y, hidden, "relu")
        acc[hidden] = net.accuracy(run(get_optimizer("adam", lr=0.02), net, net.init_params(0),
                                       400).points[-1])
    assert acc[()] < 0.7 and acc[(16, 16)] >= 0.97

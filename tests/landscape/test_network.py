"""The hand-written network: gradients vs central finite differences, batching, stability, init."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.base import StochasticObjective
from landscape.datasets import make_dataset
from landscape.network import MLP
from landscape.nn_layers import ACTIVATIONS, cross_entropy, log_softmax

ARCHS = [(), (5,), (4, 3), (3, 4, 3)]


def small_data(n: int = 15, k: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 2)), np.arange(n) % k


def fd_grad(f, theta: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences for every coordinate at once: f takes a batch (2P, P)."""
    E = eps * np.eye(theta.size)
    return (f(theta + E) - f(theta - E)) / (2 * eps)


def random_params(net: MLP, seed: int) -> np.ndarray:
    """Non-trivial parameters (biases nonzero too) so every gradient entry is exercised."""
    return np.random.default_rng(seed).normal(0.0, 0.8, net.n_params)


# ------------------------------------------------------------- local derivatives, layer by layer


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_local_derivative_matches_finite_differences(name):
    act = ACTIVATIONS[name]
    z = np.random.default_rng(1).uniform(-4, 4, 200)
    z = z[np.abs(z) > 1e-3]  # keep off ReLU's kink
    eps = 1e-6
    fd = (act.f(z + eps) - act.f(z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.df(z, act.f(z)), fd, rtol=1e-7, atol=1e-9)


def test_activation_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(ACTIVATIONS["relu"].f(z), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].f(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(ACTIVATIONS["tanh"].f(z), np.tanh(z))


def test_cross_entropy_gradient_wrt_logits_matches_finite_differences():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((6, 4))
    y = np.array([0, 3, 1, 1, 2, 0])
    onehot = np.eye(4)[y]
    loss, dlogits = cross_entropy(logits, onehot)
    expected = -np.mean(np.log(np.exp(logits[np.arange(6), y]) / np.exp(logits).sum(axis=1)))
    assert loss == pytest.approx(expected, rel=1e-13)
    flat = logits.ravel()
    fd = fd_grad(lambda L: cross_entropy(L.reshape(-1, 6, 4), onehot, False)[0], flat)
    np.testing.assert_allclose(dlogits.ravel(), fd, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ the whole network


@pytest.mark.parametrize(("hidden", "activation", "weight_decay"),
                         list(itertools.product(ARCHS, ACTIVATIONS, [0.0, 0.3])))
def test_network_gradient_matches_finite_differences(hidden, activation, weight_decay):
    X, y = small_data()
    net = MLP(X, y, hidden, activation, weight_decay)
    theta = random_params(net, seed=len(hidden))
    np.testing.assert_allclose(net.grad(theta), fd_grad(net.value, theta), rtol=1e-6, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(hidden=st.lists(st.integers(1, 5), max_size=3),
       activation=st.sampled_from(list(ACTIVATIONS)),
       weight_decay=st.sampled_from([0.0, 0.01, 1.0]), k=st.integers(2, 4),
       n=st.integers(4, 12), seed=st.integers(0, 2**16))
def test_any_architecture_gradient_matches_finite_differences(hidden, activation, weight_decay,
                                                               k, n, seed):
    X, y = small_data(n=n, k=k, seed=seed)
    net = MLP(X, y, tuple(hidden), activation, weight_decay, n_classes=k)
    theta = random_params(net, seed)
    np.testing.assert_allclose(net.grad(theta), fd_grad(net.value, theta), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("hidden", ARCHS)
def test_minibatch_gradient_matches_finite_differences_and_the_subset(hidden):
    X, y = small_data(n=20)
    net = MLP(X, y, hidden, "tanh", weight_decay=0.1)
    theta = random_params(net, seed=4)
    idx = np.array([3, 17, 0, 8, 8, 11])
    g = net.grad(theta, idx)
    np.testing.assert_allclose(g, fd_grad(lambda p: net.value(p, idx), theta),
                               rtol=1e-6, atol=1e-8)
    sub = MLP(X[idx], y[idx], hidden, "tanh", weight_decay=0.1, n_classes=3)
    np.testing.assert_allclose(g, sub.grad(theta), rtol=1e-13, atol=1e-15)
    assert net.value(theta, idx) == pytest.approx(sub.value(theta), rel=1e-13)
    assert not np.allclose(g, net.grad(theta))  # the minibatch matters


def test_l2_acts_on_weights_only():
    X, y = small_data()
    plain, decayed = MLP(X, y, (4,), weight_decay=0.0), MLP(X, y, (4,), weight_decay=0.5)
    theta = random_params(plain, 0)
    weights = sum(float((W**2).sum()) for W, _ in plain.unflatten(theta))
    assert decayed.value(theta) - plain.value(theta) == pytest.approx(0.25 * weights, rel=1e-12)
    diff = plain.unflatten(decayed.grad(theta) - plain.grad(theta))
    for (W, _), (dW, db) in zip(plain.unflatten(theta), diff, strict=True):
        np.testing.assert_allclose(dW, 0.5 * W, rtol=1e-10, atol=1e-14)
        np.testing.assert_array_equal(db, 0.0)


def test_batched_params_equal_one_at_a_time():
    X, y = small_data()
    net = MLP(X, y, (4, 3), "sigmoid", weight_decay=0.2)
    thetas = np.random.default_rng(5).normal(0, 1, (3, 2, net.n_params))
    values, grads = net.value(thetas), net.grad(thetas)
    assert values.shape == (3, 2) and grads.shape == (3, 2, net.n_params)
    probs = net.forward(thetas)
    for i, j in np.ndindex(3, 2):
        assert values[i, j] == pytest.approx(float(net.value(thetas[i, j])), rel=1e-13)
        np.testing.assert_allclose(grads[i, j], net.grad(thetas[i, j]), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(probs[i, j], net.forward(thetas[i, j]), rtol=1e-12)
    value, grad = net.value_and_grad(thetas)
    np.testing.assert_array_equal(value, values)
    np.testing.assert_array_equal(grad, grads)


# ------------------------------------------------------------------ one example, step by step


@pytest.mark.parametrize("hidden", ARCHS)
def test_backprop_trace_numbers_agree_with_the_network(hidden):
    X, y = small_data()
    net = MLP(X, y, hidden, "tanh", weight_decay=0.7)  # the trace leaves L2 out
    theta = random_params(net, 3)
    i = 4
    trace = net.backprop_trace(theta, X[i], int(y[i]))
    plain = MLP(X, y, hidden, "tanh")
    assert trace.loss == pytest.approx(float(plain.value(theta, [i])), rel=1e-13)
    assert trace.loss == pytest.approx(-np.log(trace.probs[y[i]]), rel=1e-13)
    np.testing.assert_allclose(trace.probs, net.forward(theta, X[i : i + 1])[0], rtol=1e-13)
    np.testing.assert_array_equal(trace.logits, trace.layers[-1].z)
    grads = net.flatten([(layer.grad_weight, layer.grad_bias) for layer in trace.layers])
    np.testing.assert_allclose(grads, plain.grad(theta, [i]), rtol=1e-12, atol=1e-15)
    assert len(trace.layers) == len(hidden) + 1 and trace.layers[-1].activation == "softmax"
    for before, after in itertools.pairwise(trace.layers):
        np.testing.assert_array_equal(after.a_in, before.a_out)
        np.testing.assert_array_equal(before.grad_a_out, after.grad_a_in)
        np.testing.assert_allclose(before.grad_z, before.grad_a_out * (1 - before.a_out**2))

    # the gradient w.r.t. the input, checked against finite differences over x
    def loss_at(points: np.ndarray) -> np.ndarray:
        return np.array([net.backprop_trace(theta, p, int(y[i])).loss for p in points])
    fd = fd_grad(loss_at, X[i].copy())
    np.testing.assert_allclose(trace.layers[0].grad_a_in, fd, rtol=1e-6, atol=1e-9)


def test_backprop_trace_needs_one_parameter_vector():
    X, y = small_data()
    net = MLP(X, y, (3,))
    with pytest.raises(ValueError, match="one parameter vector"):
        net.backprop_trace(np.zeros((2, net.n_params)), X[0], 0)


# ------------------------------------------------------------------ softmax stability


def test_log_softmax_is_stable_for_huge_logits():
    z = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4 + 1.0, -1e4], [1e308, 1e308, 0.0]])
    logp = log_softmax(z)
    assert np.all(np.isfinite(logp) | (logp == -np.inf))
    np.testing.assert_allclose(logp[0], [0.0, -1e4, -2e4])
    np.testing.assert_allclose(logp[1], np.array([0.0, 1.0, 0.0]) - np.log(2 + np.e), rtol=1e-12)
    np.testing.assert_allclose(logp[2, :2], -np.log(2.0))
    np.testing.assert_allclose(np.exp(logp).sum(axis=1), 1.0)
    loss, dlogits = cross_entropy(z[:1], np.eye(3)[[2]])
    assert loss == pytest.approx(2e4) and np.all(np.isfinite(dlogits))
    np.testing.assert_allclose(dlogits, [[1.0, 0.0, -1.0]])


def test_network_with_huge_logits_has_finite_loss_and_gradient():
    X, y = small_data(k=2)
    net = MLP(X, y, (), weight_decay=0.0)
    theta = net.init_params(0) * 1e5  # logits of order 1e4 to 1e5
    assert np.abs(net.logits(theta)).max() > 1e4
    value, grad = net.value_and_grad(theta)  # RuntimeWarnings are errors in this suite
    assert np.isfinite(value) and value > 100 and np.all(np.isfinite(grad))
    assert np.all(np.isfinite(net.forward(theta)))


# ------------------------------------------------------------------ initialisation


@pytest.mark.parametrize(("dataset", "options"),
                         [("two_moons", {}), ("spirals", {"n_classes": 3}),
                          ("blobs", {"n_classes": 5})])
@pytest.mark.parametrize("hidden", [(), (16,), (16, 16), (32, 32, 32)])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_initial_loss_is_about_log_n_classes(dataset, options, hidden, activation):
    X, y = make_dataset(dataset, 300, seed=1, **options)
    net = MLP(X, y, hidden, activation)
    losses = net.value(np.stack([net.init_params(s) for s in range(4)]))
    np.testing.assert_allclose(losses, np.log(net.n_classes), atol=0.12)


def test_init_scales_and_seeding():
    X, y = small_data(n=10, k=2)
    relu, tanh = MLP(X, y, (200, 200), "relu"), MLP(X, y, (200, 200), "tanh")
    np.testing.assert_array_equal(relu.init_params(3), relu.init_params(3))
    assert not np.allclose(relu.init_params(3), relu.init_params(4))
    (W1, b1), (W2, _), (W3, _) = relu.unflatten(relu.init_params(0))
    assert W2.std() == pytest.approx(np.sqrt(2 / 200), rel=0.03)  # He
    assert W1.std() == pytest.approx(np.sqrt(2 / 2), rel=0.1)
    assert W3.std() == pytest.approx(0.1 * np.sqrt(2 / 202), rel=0.1)  # small output layer
    np.testing.assert_array_equal(b1, 0.0)
    (_, _), (V2, _), _ = tanh.unflatten(tanh.init_params(0))
    assert V2.std() == pytest.approx(np.sqrt(2 / 400), rel=0.03)  # Xavier


# ------------------------------------------------------------------ layout and helpers


def test_parameter_layout_and_unflatten_round_trip():
    X, y = small_data()
    net = MLP(X, y, (4, 5))
    assert net.layer_sizes == (2, 4, 5, 3)
    assert net.n_params == 2 * 4 + 4 + 4 * 5 + 5 + 5 * 3 + 3
    theta = np.arange(net.n_params, dtype=float)
    layers = net.unflatten(theta)
    assert [W.shape for W, _ in layers] == [(4, 2), (5, 4), (3, 5)]
    np.testing.assert_array_equal(layers[0][0][1], [2.0, 3.0])  # row-major (out, in): row 1
    np.testing.assert_array_equal(layers[0][1], [8.0, 9.0, 10.0, 11.0])
    np.testing.assert_array_equal(net.flatten(layers), theta)
    batch = np.stack([theta, -theta])
    assert net.unflatten(batch)[1][0].shape == (2, 5, 4)
    assert net.weight_mask().sum() == 8 + 20 + 15
    with pytest.raises(ValueError, match="parameters"):
        net.unflatten(theta[:-1])


def test_predict_accuracy_and_decision_grid():
    X, y = small_data(n=12, k=2)
    net = MLP(X, y, (3,))
    theta = random_params(net, 1)
    probs = net.forward(theta)
    assert probs.shape == (12, 2)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(net.predict(theta), probs.argmax(axis=-1))
    assert net.accuracy(theta) == pytest.approx(np.mean(probs.argmax(axis=-1) == y))
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-1, 1, 5)), -1).reshape(-1, 2)
    path = np.stack([theta, 2 * theta, 3 * theta])
    assert net.forward(path, grid).shape == (3, 35, 2)
    assert net.accuracy(path).shape == (3,)
    assert net.accuracy(theta, X[:4], 1 - y[:4]) == pytest.approx(
        np.mean(net.predict(theta, X[:4]) == 1 - y[:4]))


def test_responsibility_is_the_unflattened_gradient_magnitude():
    X, y = small_data()
    net = MLP(X, y, (4, 3), weight_decay=0.1)
    frames = np.stack([random_params(net, s) for s in range(3)])
    resp = net.responsibility(frames, idx=[1, 2])
    grads = net.unflatten(net.grad(frames, [1, 2]))
    assert [r[0].shape for r in resp] == [(3, 4, 2), (3, 3, 4), (3, 3, 3)]
    for (aW, ab), (gW, gb) in zip(resp, grads, strict=True):
        np.testing.assert_array_equal(aW, np.abs(gW))
        np.testing.assert_array_equal(ab, np.abs(gb))


def test_decision_surface_is_the_forward_pass_on_a_grid():
    X, y = small_data(n=12, k=3)
    net = MLP(X, y, (3,), "tanh")
    frames = np.stack([random_params(net, s) for s in range(2)])
    xs, ys, probs = net.decision_surface(frames, n=7, margin=0.25)
    assert xs.shape == ys.shape == (7,) and probs.shape == (2, 7, 7, 3)
    assert xs[0] == pytest.approx(X[:, 0].min() - 0.25) and ys[-1] == pytest.approx(
        X[:, 1].max() + 0.25)
    j, i = 5, 2
    point = np.array([[xs[i], ys[j]]])
    np.testing.assert_allclose(probs[1, j, i], net.forward(frames[1], point)[0], rtol=1e-13)


def test_steps_per_epoch_and_epochs():
    X, y = small_data(n=100, k=2)
    net = MLP(X, y, ())
    assert net.steps_per_epoch(None) == 1
    assert net.steps_per_epoch(100) == 1 and net.steps_per_epoch(500) == 1
    assert net.steps_per_epoch(32) == 4 and net.steps_per_epoch(25) == 4
    assert net.steps_per_epoch(1) == 100
    np.testing.assert_allclose(net.epochs(np.array([0, 4, 10]), 32), [0.0, 1.0, 2.5])
    np.testing.assert_array_equal(net.epoch_steps(10, 32), [0, 4, 8])
    np.testing.assert_array_equal(net.epoch_steps(3, None), [0, 1, 2, 3])


def test_with_data_keeps_architecture():
    X, y = small_data(n=30)
    net = MLP(X, y, (4,), "tanh", 0.1)
    test = net.with_data(X[:5], y[:5])
    assert test.n_params == net.n_params and test.n_samples == 5 and test.n_classes == 3
    theta = random_params(net, 0)
    assert test.value(theta) == pytest.approx(float(net.value(theta, np.arange(5))))
    assert net.cache_key != test.cache_key
    assert net.cache_key == MLP(X, y, (4,), "tanh", 0.1).cache_key


def test_the_network_is_a_stochastic_objective():
    X, y = small_data()
    net = MLP(X, y, (3,))
    assert isinstance(net, StochasticObjective) and net.n_samples == 15


def test_pickle_round_trip_for_caches():
    X, y = small_data()
    net = MLP(X, y, (4,), "sigmoid", 0.2)
    copy = pickle.loads(pickle.dumps(net))
    theta = random_params(net, 0)
    assert copy.cache_key == net.cache_key and copy.n_params == net.n_params
    np.testing.assert_array_equal(copy.grad(theta), net.grad(theta))


def test_network_keeps_a_private_copy_of_the_data():
    X, y = small_data()
    net = MLP(X, y, (3,))
    theta = random_params(net, 0)
    before = net.value(theta)
    X[:] = 0.0  # the caller's arrays stay writable and changing them does not change the net
    y[:] = 0
    assert net.value(theta) == before
    with pytest.raises(ValueError):
        net.X[0, 0] = 1.0


def test_constructor_rejects_bad_input():
    X, y = small_data()
    with pytest.raises(ValueError, match="hidden"):
        MLP(X, y, (4, 4, 4, 4))
    with pytest.raises(ValueError, match="activation"):
        MLP(X, y, (4,), "gelu")
    with pytest.raises(ValueError):
        MLP(X, y[:-1])
    with pytest.raises(ValueError):
        MLP(X, y, weight_decay=-1.0)
    with pytest.raises(ValueError):
        MLP(X, y, n_classes=2)  # label 2 does not fit

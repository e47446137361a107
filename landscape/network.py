"""A small fully connected classifier in NumPy with back-propagation written by hand.

The network ``MLP(X, y, hidden=(16, 16), activation="relu", weight_decay=0.0)`` maps 2D points
through ``len(hidden)`` hidden layers (0 = the linear classifier, 1 = "ANN", 2-3 = "DNN") to
``k`` logits:

    a_0 = x,   z_l = a_{l-1} W_l^T + b_l,   a_l = act(z_l)  (l < L),   logits = z_L
    p = softmax(logits),   loss = mean_i [-log p_i[y_i]] + (weight_decay / 2) * sum_l ||W_l||^2

The activations, log-softmax and cross-entropy, each with its local derivative beside it, live in
``landscape.nn_layers``; the linear step and the chain rule are in ``MLP._forward``/``_backward``.
L2 acts on the weight matrices only, never on the biases (as is usual, and as in the paper whose
landscape we draw). ``W_l`` has PyTorch's ``nn.Linear`` layout ``(out, in)``: row j holds the
weights into neuron j.

**It is an objective** for ``optimizers.run``: parameters are one flat vector ``theta`` of length
``n_params`` = concatenation of ``W_1.ravel(), b_1, W_2.ravel(), b_2, ...`` (PyTorch's
``parameters()`` order), and

- ``value(theta (..., P), idx=None) -> (...)``, ``grad(theta (..., P), idx=None) -> (..., P)``:
  mean over the training samples ``idx`` (None = all). Leading axes are a batch of parameter vectors
  (many starts, a 41 x 41 grid for the landscape, or every step of a path): one batched matmul over
  (batch, samples, width), no Python loop.
- ``n_samples``; ``steps_per_epoch(batch_size)``, ``epochs(steps, batch_size)`` and
  ``epoch_steps(steps, batch_size)`` convert between optimizer steps and epochs (``run`` draws
  minibatches by epoch: shuffle, then consecutive batches, the last one possibly smaller);
  ``domain`` (P, 2) is the box random search samples from.

**For the page**: ``init_params(seed)`` (He for ReLU, Xavier/Glorot for tanh and sigmoid; the
output layer 0.1 x Xavier so the initial loss is about log k; biases 0),
``unflatten(theta) -> [(W, b), ...]`` (edge colour = weight), ``responsibility(theta) ->
[(|dL/dW|, |dL/db|), ...]`` (edge width: how much each weight is to blame for the loss),
``forward(theta, X) -> probabilities (..., n, k)``, ``logits``, ``predict``, ``accuracy`` (all
batched over theta), ``decision_surface(theta, n)`` (probabilities on a grid), and
``backprop_trace(theta, x, label) -> BackpropTrace`` with every number of the step-by-step view.

For a held-out split, ``test_net = net.with_data(X_test, y_test)`` is the same architecture and
parameter layout on other data. MLP pickles by its constructor arguments, so ``st.cache_data`` can
hash it and return it (or key a cache on ``net.cache_key`` and pass the net as ``_net``).

Recipe for the page (every call below is one batched computation, no loop over steps)::

    X, y = make_dataset("two_moons", 400, noise=0.15, seed=0)        # landscape.datasets
    Xtr, ytr, Xte, yte = train_test_split(X, y, test_fraction=0.25, seed=0)
    net = MLP(Xtr, ytr, hidden=(16, 16), activation="relu", weight_decay=0.0)
    test = net.with_data(Xte, yte)
    theta0 = net.init_params(seed=0)                                  # same start for everyone
    traj = run(get_optimizer("adam", lr=0.02), net, theta0, steps, batch_size=32, seed=0)
    epoch = net.epochs(np.arange(steps + 1), 32)                      # x axis of the curves
    train_loss, test_loss = traj.losses, test.value(traj.points)      # (steps+1,)
    train_acc, test_acc = net.accuracy(traj.points), test.accuracy(traj.points)
    frames = traj.points[net.epoch_steps(steps, 32)]                  # one frame per epoch
    xs, ys, probs = net.decision_surface(frames, n=60)                # (F, 60, 60, k) for the
                                                                      # boundary: p(1) or argmax
    weights, widths = net.unflatten(frames), net.responsibility(frames)  # network drawing
    trace = net.backprop_trace(traj.points[-1], Xtr[0], int(ytr[0]))     # step-by-step view

With ``batch_size`` the recorded ``traj.losses`` are still full training-set losses (``run``
evaluates the full objective at every point).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from landscape.base import batches_per_epoch
from landscape.nn_layers import (
    ACTIVATIONS,
    batch_transpose,
    cross_entropy,
    log_softmax,
    ones_vector,
)

__all__ = ["ACTIVATIONS", "MLP", "BackpropTrace", "LayerTrace", "cross_entropy", "log_softmax"]

OUTPUT_GAIN = 0.1  # scale of the output layer's initial weights relative to Xavier

# ------------------------------------------------------------------ the traced forward/backward


@dataclass(frozen=True)
class LayerTrace:
    """One layer of ``backprop_trace``: z = a_in W^T + b, a_out = act(z) (the logits, last layer).

    ``grad_*`` are d(-log p_true)/d(...) for this example.
    """

    weight: np.ndarray
    bias: np.ndarray
    a_in: np.ndarray
    z: np.ndarray
    a_out: np.ndarray
    grad_a_out: np.ndarray
    grad_z: np.ndarray
    grad_weight: np.ndarray
    grad_bias: np.ndarray
    grad_a_in: np.ndarray
    activation: str  # "relu" / "tanh" / "sigmoid", or "softmax" for the output layer


@dataclass(frozen=True)
class BackpropTrace:
    """Every number of one example's forward and backward pass, input to loss and back.

    ``layers[-1]`` is the output layer (its ``z`` = logits); ``probs`` = softmax(logits);
    ``loss`` = -log probs[label] (plain cross-entropy of this example: L2 is not included).
    The backward pass starts at ``layers[-1].grad_z`` = probs - onehot(label) and flows down:
    each layer's ``grad_a_in`` is the layer below's ``grad_a_out``; ``layers[0].grad_a_in`` is
    the gradient with respect to the input point.
    """

    x: np.ndarray
    label: int
    layers: tuple[LayerTrace, ...]
    logits: np.ndarray
    probs: np.ndarray
    loss: float


class MLP:
    """Fully connected softmax classifier over training data ``X`` (n, d), ``y`` (n,)."""

    def __init__(self, X: np.ndarray, y: np.ndarray, hidden: tuple[int, ...] = (16, 16),
                 activation: str = "relu", weight_decay: float = 0.0,
                 n_classes: int | None = None) -> None:
        X = np.array(X, dtype=np.float64)  # a private read-only copy
        y = np.asarray(y)
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
        if len(hidden) > 3 or any(int(w) < 1 for w in hidden):
            raise ValueError(f"0 to 3 hidden layers of width >= 1, got {hidden}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; valid: {', '.join(ACTIVATIONS)}")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        k = int(y.max()) + 1 if n_classes is None else int(n_classes)
        if y.min() < 0 or y.max() >= k or k < 2:
            raise ValueError(f"labels must lie in 0..{k - 1} with at least 2 classes")
        self.X = X
        self.y = y.astype(np.int64)
        self.X.flags.writeable = False
        self.y.flags.writeable = False
        self.hidden = tuple(int(w) for w in hidden)
        self.activation = activation
        self.weight_decay = float(weight_decay)
        self.n_classes = k
        self.layer_sizes = (X.shape[1], *self.hidden, k)
        self._act = ACTIVATIONS[activation]
        # where each (W_l, b_l) lives in the flat vector
        self._slices: list[tuple[slice, slice, tuple[int, int]]] = []
        start = 0
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            w_end = start + n_out * n_in
            self._slices.append((slice(start, w_end), slice(w_end, w_end + n_out), (n_out, n_in)))
            start = w_end + n_out
        self.n_params = start
        self._onehot = np.eye(k)[self.y]
        self._weight_mask = self.weight_mask()

    # ---------------------------------------------------------------- parameter vector

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def cache_key(self) -> tuple:
        """Hashable identity of (architecture, L2, data) for caches."""
        digest = hashlib.sha1(self.X.tobytes() + self.y.tobytes()).hexdigest()
        return (self.layer_sizes, self.activation, self.weight_decay, digest)

    def __reduce__(self):
        """Pickle by constructor arguments (the activation table holds lambdas)."""
        return (MLP, (self.X, self.y, self.hidden, self.activation, self.weight_decay,
                      self.n_classes))

    def __repr__(self) -> str:
        sizes = "-".join(map(str, self.layer_sizes))
        return (f"MLP({sizes}, {self.activation}, weight_decay={self.weight_decay}, "
                f"n={self.n_samples})")

    def with_data(self, X: np.ndarray, y: np.ndarray) -> MLP:
        """The same architecture, L2 and class count over other data (e.g. the test split)."""
        return MLP(X, y, self.hidden, self.activation, self.weight_decay, self.n_classes)

    def unflatten(self, params: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views ``[(W_l (..., out, in), b_l (..., out)), ...]`` into ``params`` (..., P)."""
        params = np.asarray(params, dtype=np.float64)
        if params.shape[-1] != self.n_params:
            raise ValueError(f"expected {self.n_params} parameters, got {params.shape[-1]}")
        lead = params.shape[:-1]
        return [(params[..., w].reshape(*lead, *shape), params[..., b])
                for w, b, shape in self._slices]

    def flatten(self, layers: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Inverse of ``unflatten``: [(W, b), ...] -> (..., P)."""
        parts = []
        for W, b in layers:
            parts += [W.reshape(*W.shape[:-2], -1), b]
        return np.concatenate(parts, axis=-1)

    def weight_mask(self) -> np.ndarray:
        """(P,) 1.0 at weight-matrix entries, 0.0 at biases (what L2 and filter-norm act on)."""
        mask = np.zeros(self.n_params)
        for w, _, _ in self._slices:
            mask[w] = 1.0
        return mask

    def init_params(self, seed: int = 0) -> np.ndarray:
        """Seeded normal init: He std sqrt(2/fan_in) (ReLU) or Xavier sqrt(2/(fan_in+fan_out)).

        The output layer feeds the softmax, not the activation: it gets Xavier scaled by
        ``OUTPUT_GAIN`` = 0.1, so the initial logits are small, the initial probabilities nearly
        uniform and the initial loss close to log(n_classes) (Karpathy's "init well"). Biases are 0.
        """
        rng = np.random.default_rng(seed)
        return self.flatten([(std * rng.standard_normal(shape), np.zeros(shape[0]))
                             for std, (_, _, shape) in zip(self._init_stds(), self._slices,
                                                           strict=True)])

    def _init_stds(self) -> list[float]:
        stds = []
        for i, (_, _, (n_out, n_in)) in enumerate(self._slices):
            xavier = np.sqrt(2.0 / (n_in + n_out))
            if i == len(self._slices) - 1:
                stds.append(OUTPUT_GAIN * xavier)
            else:
                stds.append(np.sqrt(2.0 / n_in) if self._act.init == "he" else xavier)
        return stds

    @property
    def domain(self) -> np.ndarray:
        """(P, 2) search box for random search: weights within 3 init stds, biases within 1."""
        half = self.flatten([(np.full(shape, 3.0 * std), np.ones(shape[0]))
                             for std, (_, _, shape) in zip(self._init_stds(), self._slices,
                                                           strict=True)])
        return np.stack([-half, half], axis=1)

    # ---------------------------------------------------------------- forward / backward

    def _forward(self, layers, X, keep: bool = True):
        """Returns the tape [(a_in, z, a_out)] per layer; the last a_out is the logits (= z).

        ``keep=False`` (value only) applies the activation in place and keeps only the last layer,
        so a 41 x 41 grid of networks holds two activation arrays at a time, not the whole tape.
        """
        tape = []
        a = X
        for i, (W, b) in enumerate(layers):
            # a stack of W^T is copied contiguous: batched matmul is 2x faster on it
            Wt = batch_transpose(W) if W.ndim == 2 else np.ascontiguousarray(batch_transpose(W))
            z = a @ Wt  # linear z = a W^T + b: dz/da = W, dz/dW = a, dz/db = 1
            z += b[..., None, :]
            out = z if i == len(layers) - 1 else self._act.f(z, out=None if keep else z)
            if keep:
                tape.append((a, z, out))
            else:
                tape = [(a, z, out)]
            a = out
        return tape

    def _backward(self, layers, tape, dlogits, input_grad: bool = False):
        """Chain rule from dL/dlogits back to the input; per layer (da_out, dz, dW, db, da_in)."""
        grads = []
        g_out = dlogits
        for i in range(len(layers) - 1, -1, -1):
            W, _ = layers[i]
            a_in, z, a_out = tape[i]
            dz = g_out if i == len(layers) - 1 else g_out * self._act.df(z, a_out)  # act' local
            dW = batch_transpose(dz) @ a_in  # dL/dW = dz^T a_in
            db = ones_vector(dz.shape[-2]) @ dz  # dL/db = sum over samples of dz
            da_in = dz @ W if i or input_grad else None  # dL/da_in = dz W (x needs none)
            grads.append((g_out, dz, dW, db, da_in))
            g_out = da_in
        return grads[::-1]

    def _data(self, idx):
        """Inputs and one-hot labels of the samples ``idx`` (None = all)."""
        if idx is None:
            return self.X, self._onehot
        idx = np.asarray(idx)
        return self.X[idx], self._onehot[idx]

    def value(self, params: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        """Mean cross-entropy over samples ``idx`` (+ L2): (..., P) -> (...)."""
        params = np.asarray(params, dtype=np.float64)
        X, onehot = self._data(idx)
        logits = self._forward(self.unflatten(params), X, keep=False)[-1][2]
        loss, _ = cross_entropy(logits, onehot, need_grad=False)
        return loss + self._l2(params) if self.weight_decay else loss

    def _l2(self, params: np.ndarray) -> np.ndarray:
        """(wd / 2) ||W||^2 over the weight entries only (biases are not decayed)."""
        return (0.5 * self.weight_decay) * ((params * params) @ self._weight_mask)

    def value_and_grad(self, params: np.ndarray,
                       idx: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Loss (...) and its gradient (..., P) from one forward and one backward pass."""
        params = np.asarray(params, dtype=np.float64)
        layers = self.unflatten(params)
        X, onehot = self._data(idx)
        tape = self._forward(layers, X)
        loss, dlogits = cross_entropy(tape[-1][2], onehot)
        grad = self.flatten([(g[2], g[3]) for g in self._backward(layers, tape, dlogits)])
        if self.weight_decay:
            loss = loss + self._l2(params)
            grad += self.weight_decay * (params * self._weight_mask)  # d(wd/2 w^2)/dw = wd w
        return loss, grad

    def grad(self, params: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        """d value / d params: (..., P) -> (..., P)."""
        return self.value_and_grad(params, idx)[1]

    def responsibility(self, params: np.ndarray,
                       idx: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """|dL/dW_l|, |dL/db_l| per layer (shapes as ``unflatten``): the drawing's edge widths.

        Batched like ``grad``: pass the frames of a path (F, P) to get every frame in one call.
        """
        return [(np.abs(dW), np.abs(db)) for dW, db in self.unflatten(self.grad(params, idx))]

    def steps_per_epoch(self, batch_size: int | None) -> int:
        """Optimizer steps in one pass over the data: ceil(n / batch_size) (1 for full batch)."""
        return batches_per_epoch(self.n_samples, batch_size)

    def epochs(self, steps: np.ndarray | int, batch_size: int | None) -> np.ndarray:
        """Epochs completed after ``steps`` optimizer steps (fractional)."""
        return np.asarray(steps, dtype=np.float64) / self.steps_per_epoch(batch_size)

    # ---------------------------------------------------------------- predictions

    def logits(self, params: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        """Logits (..., n, k) for points ``X`` (n, d) (default: the training data)."""
        X = self.X if X is None else np.asarray(X, dtype=np.float64)
        return self._forward(self.unflatten(params), X, keep=False)[-1][2]

    def forward(self, params: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities softmax(logits): (..., n, k)."""
        return np.exp(log_softmax(self.logits(params, X)))

    def predict(self, params: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        """Predicted class argmax logits: (..., n) ints."""
        return self.logits(params, X).argmax(axis=-1)

    def accuracy(self, params: np.ndarray, X: np.ndarray | None = None,
                 y: np.ndarray | None = None) -> np.ndarray:
        """Fraction of points classified correctly (default: training data): (...)."""
        y = self.y if y is None else np.asarray(y)
        return (self.predict(params, X) == y).mean(axis=-1)

    def decision_surface(self, params: np.ndarray, n: int = 60, margin: float = 0.5
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Class probabilities on an n x n grid over the data's box widened by ``margin``.

        Returns ``xs (n,), ys (n,), probs (..., n, n, k)`` with ``probs[..., j, i, c]`` at
        ``(xs[i], ys[j])`` (Plotly's z layout); batched over params, e.g. one frame per epoch.
        """
        lo, hi = self.X.min(axis=0) - margin, self.X.max(axis=0) + margin
        xs, ys = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        probs = self.forward(params, grid)
        return xs, ys, probs.reshape(*probs.shape[:-2], n, n, self.n_classes)

    def epoch_steps(self, steps: int, batch_size: int | None) -> np.ndarray:
        """Step indices 0, s, 2s, ... <= steps where s = steps_per_epoch: one frame per epoch."""
        return np.arange(0, steps + 1, self.steps_per_epoch(batch_size))

    def backprop_trace(self, params: np.ndarray, x: np.ndarray, label: int) -> BackpropTrace:
        """Forward and backward pass of one example ``x`` (d,) with true class ``label``."""
        layers = self.unflatten(params)
        if np.ndim(layers[0][0]) != 2:
            raise ValueError("backprop_trace takes one parameter vector (P,)")
        X = np.asarray(x, dtype=np.float64).reshape(1, -1)
        tape = self._forward(layers, X)
        loss, dlogits = cross_entropy(tape[-1][2], np.eye(self.n_classes)[[label]])
        grads = self._backward(layers, tape, dlogits, input_grad=True)
        n = len(layers)
        traces = tuple(
            LayerTrace(weight=W, bias=b, a_in=a_in[0], z=z[0], a_out=a_out[0], grad_a_out=g_out[0],
                       grad_z=dz[0], grad_weight=dW, grad_bias=db, grad_a_in=da_in[0],
                       activation="softmax" if i == n - 1 else self.activation)
            for i, ((W, b), (a_in, z, a_out), (g_out, dz, dW, db, da_in))
            in enumerate(zip(layers, tape, grads, strict=True)))
        logits = tape[-1][2][0]
        return BackpropTrace(x=X[0], label=int(label), layers=traces, logits=logits,
                             probs=np.exp(log_softmax(logits)), loss=float(loss))

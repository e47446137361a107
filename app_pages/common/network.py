"""Training and landscape computation for the neural-network page, pure and cached.

The pure functions (``split``, ``train``, ``boundaries``, ``landscape`` ...) take plain hashable
keys and return frozen dataclasses of arrays; the ``cached_*`` wrappers around them are bounded by
entries and, for the big values, by bytes (``*_BYTES``), and compute inside ``heavy_slot``.
Trainings and figures, looked up on every rerun, are shared read-only through ``memo`` (never
copied); boundary grids and landscapes are ``st.cache_data``. A page holds trainings without
their weights (``Training.light``, ``frame_weights``): a session keeps what its page holds until
it expires, and Streamlit reaps expired sessions only when another one disconnects.

Keys:

- ``DataKey = (dataset, samples, noise, classes, data_seed)``: the data set and its 25% stratified
  hold-out (``landscape.datasets``);
- ``ArchKey = (hidden, activation, l2)``: the ``landscape.network.MLP``;
- ``Entry = (optimizer, sorted hparam items)`` as in the race (``app_pages.common.compute.entry``).

Every optimizer starts from the same initial weights ``net.init_params(seed)`` and sees the same
minibatches (``run(..., batch_size, seed)``). A path of ``steps x n_params`` floats is bounded by
``PATH_FLOATS`` (``clamp_epochs``); batched evaluations over many parameter vectors go in blocks of
at most ``BLOCK_FLOATS`` activations, so a 3 x 64 network on 2000 points stays within memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np
import streamlit as st

import optimizers
from app_pages.common.compute import Entry, label
from app_pages.common.limits import cache_bounds, heavy_slot, limit
from app_pages.common.memo import memo
from app_pages.common.network_state import TEST_FRACTION, epoch_label
from app_pages.common.words import and_list, plural
from landscape import nn_landscape
from landscape.datasets import make_dataset, train_test_split
from landscape.network import MLP, BackpropTrace
from viz.network import Run, network_figure, training_figure
from viz.playback import race_frame_steps
from viz.spec import SpecFigure, frozen
from viz.style import optimizer_color

DataKey = tuple[str, int, float, int, int]
ArchKey = tuple[tuple[int, ...], str, float]
PATH_FLOATS = 8_000_000  # steps x parameters kept by one training run (64 MB)
BLOCK_FLOATS = 1 << 22  # activations per batched evaluation block (32 MB)
MAX_FRAMES = 41  # animation frames (epochs shown): 0..40 all, longer runs thinned
PATH_SNAPSHOTS = 300  # path points kept for the landscape's PCA plane ...
SNAPSHOT_FLOATS = 1_000_000  # ... and at most this many floats of them (8 MB)
# Bytes each cache keeps. A training holds at most ~14 MB (a 3 x 64 network: its 8 MB path and 41
# frames of weights and gradients), so the trainings of the biggest link (8 optimizers) fit, or
# two links of the 3 x 64 network on 2000 points (63 MB each).
TRAIN_BYTES = 128 * 2**20
BOUNDARY_BYTES = 16 * 2**20  # decision-boundary grids (each at most ~1.8 MB)
LANDSCAPE_BYTES = 16 * 2**20  # landscapes (~2 MB for 8 optimizers on a 3 x 64 network)
FIGURE_BYTES = 32 * 2**20  # each figure cache (animated boundaries; network drawings)
LANDSCAPE_MACS = 2_000_000_000  # multiply-adds of one landscape grid (~0.35 s)
#: ... and of all the page's grids together: the paths' plane and one random plane per optimizer
#: (8 optimizers' nine grids took 3.9 s of a 3 x 64 network's page).
LANDSCAPE_PAGE_MACS = 4 * LANDSCAPE_MACS
MIN_SAMPLES = 100  # the landscape never averages over fewer training points


def split(data: DataKey) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, y_train, X_test, y_test`` of the data set ``data``."""
    name, samples, noise, classes, seed = data
    options = {"n_classes": classes} if name in ("spirals", "blobs") else {}
    X, y = make_dataset(name, samples, noise, seed, **options)
    return train_test_split(X, y, TEST_FRACTION, seed)


def networks(data: DataKey, arch: ArchKey) -> tuple[MLP, MLP]:
    """The training-set network and the same architecture on the test set."""
    Xtr, ytr, Xte, yte = split(data)
    hidden, activation, l2 = arch
    net = MLP(Xtr, ytr, hidden, activation, l2, n_classes=data[3])
    return net, net.with_data(Xte, yte)


#: A batch size raised for the server's limits is raised enough for this many epochs (those the
#: animation shows one by one): raised only for one epoch, a request of batch 1 and 500 epochs on
#: the biggest network trained a single epoch.
BATCH_EPOCHS = MAX_FRAMES - 1


#: What a training step costs besides its multiply-adds, in multiply-adds: a network of 6
#: weights on 2,000 points at batch 1 counted 12,000 a step, so 330,000 steps fit, and took 40 s
#: (~100 us a step of NumPy calls) instead of ~1 s (a review; 8 optimizers: 73 s). The limits'
#: ~3e9 a second makes 100 us 300,000, but that would take pure SGD (batch 1) from the default
#: network (300 points, 40 epochs, 3 optimizers); at 50,000 those runs stay, and the review's
#: page trains in ~12 s (one optimizer: ~7 s).
STEP_OVERHEAD = 50_000


def step_work(n_samples: int, n_params: int) -> int:
    """A training step's work in multiply-adds: the full loss recorded over (``n_samples`` + 1)
    points x ``n_params`` weights, plus ``STEP_OVERHEAD``."""
    return (n_samples + 1) * n_params + STEP_OVERHEAD


def run_work(runs: int = 1) -> int:
    """Multiply-adds one of ``runs`` training runs of a page may take: ``train_work``, or its
    share of ``network_page_work`` (a page trains one network per optimizer)."""
    return min(limit("train_work"), limit("network_page_work") // max(1, runs))


def _page_binds(by_work: int, by_path: int, runs: int) -> bool:
    """Whether the page's shared budget is what limits a run: the work cap is below the path's
    memory cap, and each run's share of ``network_page_work`` is below ``train_work`` (only
    then do fewer optimizers allow more)."""
    return by_work < by_path and run_work(runs) < limit("train_work")


def clamp_batch(batch: int, n_samples: int, n_params: int, epochs: int = 1, runs: int = 1,
                ) -> tuple[int, str | None]:
    """Smallest batch size >= ``batch`` with which min(``epochs``, ``BATCH_EPOCHS``) epochs fit
    each of ``runs`` runs' share of the work (``run_work``: steps x ``step_work``) and the path's
    ``PATH_FLOATS``; a message if raised (``clamp_epochs`` then trims the epochs)."""
    want = max(1, min(epochs, BATCH_EPOCHS))
    by_work = run_work(runs) // step_work(n_samples, n_params)
    by_path = PATH_FLOATS // max(1, n_params)
    max_steps = max(1, min(by_work, by_path))
    need = min(n_samples, -(-n_samples // max(1, max_steps // want)))
    if batch >= need:
        return batch, None
    per_epoch = plural(-(-n_samples // max(1, batch)), "step")
    shared = _page_binds(by_work, by_path, runs)
    # It names the epochs the batch is raised for (at most BATCH_EPOCHS), not those asked: a
    # review read "allows for 40 epochs" under a link asking 500 as a miscount.
    return need, (f"Batch size {batch} makes {per_epoch} per epoch on "
                  f"{plural(n_params, 'weight')}: a shared server could not train even "
                  f"{plural(want, 'epoch')}"
                  + (f" of {plural(runs, 'optimizer')}" if shared else "")
                  + " with it; "
                  + (f"using batch size {need}, the smallest that allows "
                     + (f"{want}" if want < epochs else "them") if need < n_samples else
                     f"using the whole training set as the batch ({need}): every step is a "
                     "full-batch gradient step"
                     + ("" if max_steps >= want else ", and fewer epochs still (below)"))
                  + ("; fewer optimizers allow a smaller batch." if shared else "."))


def clamp_epochs(epochs: int, steps_per_epoch: int, n_params: int,
                 n_samples: int = 0, runs: int = 1) -> tuple[int, str | None]:
    """Largest epoch count <= ``epochs`` whose path fits ``PATH_FLOATS`` and whose work (steps x
    ``step_work``, the full loss being recorded at every step) fits each of ``runs`` runs' share
    (``run_work``); a message if lowered."""
    by_path = PATH_FLOATS // max(1, steps_per_epoch * n_params)
    by_work = run_work(runs) // (steps_per_epoch * step_work(n_samples, n_params))
    cap = max(1, min(by_path, by_work))
    if epochs <= cap:
        return epochs, None
    whole = _page_binds(by_work, by_path, runs)
    return cap, (f"{plural(epochs, 'epoch')} of {plural(steps_per_epoch, 'step')} on "
                 f"{plural(n_params, 'weight')} "
                 + (f"for {plural(runs, 'optimizer')} is more than one page may train"
                    if whole else "is more than one run may do")
                 + f" on a shared server; training {plural(cap, 'epoch')} ("
                 + ("fewer optimizers, " if whole else "")
                 + "a bigger batch, fewer points or a smaller network allow more).")


def frame_epochs(epochs: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """Epochs shown as animation frames: all up to ``max_frames``, else evenly thinned (0 and the
    last epoch always included) with the slider's round marks among them, as the race's steps
    (``viz.playback.race_frame_steps``): 300 epochs read 0, 50, 100, ..., not 0, 52, 98, ..."""
    return race_frame_steps(epochs, max_frames)[0]


def in_blocks(fn: Callable[[np.ndarray], np.ndarray], params: np.ndarray,
              per_item: int) -> np.ndarray:
    """``fn(params)`` over the rows of ``params`` (F, P) in blocks of <= BLOCK_FLOATS // per_item
    rows (``per_item``: floats one row needs), results concatenated along the first axis."""
    block = max(1, BLOCK_FLOATS // max(1, per_item))
    if len(params) <= block:
        return fn(params)
    return np.concatenate([fn(params[i:i + block]) for i in range(0, len(params), block)])


def _per_item(net: MLP, n_points: int) -> int:
    """Activation floats one parameter vector needs over ``n_points`` inputs (whole tape)."""
    return n_points * sum(net.layer_sizes[1:]) * 3


@dataclass(frozen=True)
class Weights:
    """A training's parameter vectors, most of its memory (up to ~14 MB for a 3 x 64 network):
    ``frame_params`` (F, P) and gradients ``frame_grads`` (F, P) at the animation's epochs, and
    ``path`` (S, P) thinned for the landscape (first and last point kept, S <= 300 and
    S x P <= ``SNAPSHOT_FLOATS``)."""

    frame_params: np.ndarray
    frame_grads: np.ndarray
    path: np.ndarray


@dataclass(frozen=True)
class Training:
    """One optimizer's training run, reduced to what the page draws.

    ``step_epochs``/``step_loss``: full training loss after each (thinned) step, x in epochs;
    ``epoch_*`` (E+1,): per-epoch train/test loss and accuracy; ``frames`` (F,) epochs of the
    animation; ``weights`` (``Weights``, also read as ``frame_params``, ``frame_grads``, ``path``,
    ``initial`` and ``final``): None in a ``light`` copy, what a page keeps between reruns.
    """

    name: str
    epochs: int
    steps_per_epoch: int
    step_epochs: np.ndarray
    step_loss: np.ndarray
    epoch_train_loss: np.ndarray
    epoch_test_loss: np.ndarray
    epoch_train_acc: np.ndarray
    epoch_test_acc: np.ndarray
    frames: np.ndarray
    weights: Weights | None
    diverged_epoch: float | None
    switch_epoch: float | None

    def light(self) -> Training:
        """This training without its weights, a few kB: a session keeps what its page holds
        until it expires, and the weights stay in the shared cache (``cached_train``)."""
        return replace(self, weights=None)

    def _weights(self) -> Weights:
        if self.weights is None:
            raise ValueError("a light Training keeps no weights: read them from cached_train")
        return self.weights

    @property
    def frame_params(self) -> np.ndarray:
        return self._weights().frame_params

    @property
    def frame_grads(self) -> np.ndarray:
        return self._weights().frame_grads

    @property
    def path(self) -> np.ndarray:
        return self._weights().path

    @property
    def initial(self) -> np.ndarray:
        return self.path[0]

    @property
    def final(self) -> np.ndarray:
        return self.path[-1]


def _thin(n: int, keep: int) -> np.ndarray:
    if n <= keep:
        return np.arange(n)
    return np.unique(np.rint(np.linspace(0, n - 1, keep)).astype(int))


def train(data: DataKey, arch: ArchKey, racer: Entry, epochs: int, batch: int,
          seed: int) -> Training:
    """Train the network of ``arch`` on ``data`` with optimizer ``racer`` from init ``seed``."""
    net, test = networks(data, arch)
    name, items = racer
    spe = net.steps_per_epoch(batch)
    epochs, _ = clamp_epochs(epochs, spe, net.n_params, net.n_samples)
    steps = epochs * spe
    traj = optimizers.run(optimizers.get_optimizer(name, **dict(items)), net,
                          net.init_params(seed), steps, batch_size=batch, seed=seed)
    points = traj.points
    at_epoch = points[net.epoch_steps(steps, batch)]
    n_tr, n_te = net.n_samples, test.n_samples
    with np.errstate(all="ignore"):
        test_loss = nn_landscape.batched_value(test, at_epoch)
        train_acc = in_blocks(net.accuracy, at_epoch, _per_item(net, n_tr))
        test_acc = in_blocks(test.accuracy, at_epoch, _per_item(net, n_te))
        frames = frame_epochs(epochs)
        frame_params = at_epoch[frames]
        frame_grads = in_blocks(net.grad, frame_params, _per_item(net, n_tr))
    shown = _thin(len(points), 400)
    diverged = int(np.max(traj.diverged_step))
    switch = traj.switch_step
    return Training(
        name=name, epochs=epochs, steps_per_epoch=spe,
        step_epochs=net.epochs(shown, batch), step_loss=traj.losses[shown],
        epoch_train_loss=traj.losses[net.epoch_steps(steps, batch)], epoch_test_loss=test_loss,
        epoch_train_acc=train_acc, epoch_test_acc=test_acc, frames=frames,
        weights=Weights(frame_params, frame_grads,
                        points[_thin(len(points), max(2, min(PATH_SNAPSHOTS,
                                                              SNAPSHOT_FLOATS // net.n_params)))]),
        diverged_epoch=None if diverged < 0 else float(net.epochs(diverged, batch)),
        switch_epoch=None if switch is None else float(net.epochs(switch, batch)))


#: A run's training loss "bounces" when, over the second half of its epochs, it moves by a
#: median ``JITTER`` of itself from one epoch to the next, its highest is ``SWING`` times its
#: lowest, and the loss it gains back adds up to ``BOUNCE`` times that lowest. On the default
#: moons, SGD at lr 1: 0.38, 4.1x, 8.6x (up in 16 of 40 epochs); momentum at lr 0.3: 0.16,
#: 3.4x, 4.0x. Not: Adam at its default rate (0.03, 1.5x), or with minibatches of 5 (0.19, but
#: 1.6x); Adam on the concepts tour's 300-epoch spirals, steady but for a few spikes (0.03, 5.8x,
#: 6.9x: a long run adds up many small gains); Adam on circles, falling 9% an epoch (gains 0).
JITTER, SWING, BOUNCE = 0.15, 2.0, 2.0


def verdict(t: Training, window: int = 5) -> str:
    """A word on how a run went: diverged (when); blew up (the training loss of the last
    ``window`` epochs ends above the first epoch's); bounces (``JITTER``, ``SWING``, ``BOUNCE``:
    a learning rate too large, not overfitting); overfitting (the test loss of the last
    ``window`` epochs is 25% above its best, reached before them, while the training loss kept
    falling); or nothing."""
    if t.diverged_epoch is not None:
        return f"diverged at epoch {t.diverged_epoch:.1f}"
    test, train = t.epoch_test_loss, t.epoch_train_loss
    if len(test) <= 2 * window or not (np.isfinite(test).all() and np.isfinite(train).all()):
        return ""
    late_train = float(np.median(train[-window:]))
    if late_train > train[0]:
        return (f"blew up: its training loss ended near {late_train:.3g}, above the {train[0]:.3g}"
                " it started from (learning rate too large)")
    half = train[len(train) // 2:]
    moves = np.diff(half)
    rises = np.diff(train) > 0
    low, high = float(half.min()), float(half.max())
    with np.errstate(all="ignore"):
        jitter = float(np.median(np.abs(moves) / half[:-1]))
    if jitter > JITTER and high > SWING * low and np.sum(np.maximum(moves, 0.0)) > BOUNCE * low:
        return (f"bounces: its training loss rose in {int(rises.sum())} of "
                f"{plural(len(rises), 'epoch')} and swung between {low:.3g} and {high:.3g} in "
                "the second half: a learning rate too large, not overfitting")
    best = int(np.argmin(test))
    late_test = np.median(test[-window:])
    # the best before the last window: Lion "rose from 0.0384 (epoch 40)", its last epoch
    if best < len(test) - window and late_test > 1.25 * test[best] and late_train < train[best]:
        # the rule in the words: a test loss below the training loss can still have risen
        return (f"overfits: its test loss rose from {test[best]:.3g} (epoch {best}) to "
                f"{late_test:.3g} while its training loss kept falling")
    return ""


def boundaries(data: DataKey, arch: ArchKey, params: np.ndarray, n: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class probabilities on an n x n grid for each row of ``params`` (F, P): xs, ys,
    probs (F, n, n, k), computed in memory-bounded blocks of frames."""
    net, _ = networks(data, arch)
    xs = ys = None

    def surface(block: np.ndarray) -> np.ndarray:
        nonlocal xs, ys
        xs, ys, probs = net.decision_surface(block, n=n)
        return probs

    with np.errstate(all="ignore"):
        probs = in_blocks(surface, params, n * n * sum(net.layer_sizes[1:]) * 2)
    return xs, ys, probs.astype(np.float32)  # plenty for colours; half the cache


def boundary_grid(n_optimizers: int, n_frames: int, budget: int = 400_000) -> int:
    """Cells per side of the decision-boundary heatmaps: at most 60, fewer when many optimizers x
    frames would exceed ``budget`` cells in total (about 4 bytes of JSON each), at least 24."""
    side = int(np.sqrt(budget / max(1, n_optimizers * n_frames)))
    return int(np.clip(side, 24, 60))


@dataclass(frozen=True)
class Landscape:
    """The network's loss around the trained weights (see ``landscape.nn_landscape``).

    ``pca``: one plane through all paths (centred on the first optimizer's trained weights) with
    each path's coordinates; ``slices[k]``: random filter-normalised plane around optimizer k's
    trained weights; ``interp[k]``/``interp_test[k]``: loss from the initial (t=0) to optimizer k's
    trained weights (t=1) on the training and test sets.
    """

    pca: nn_landscape.PathSlice
    slices: tuple[nn_landscape.LossSlice, ...]
    interp: tuple[nn_landscape.Interpolation, ...]
    interp_test: tuple[nn_landscape.Interpolation, ...]
    samples: int  # training points the losses average over


def landscape_samples(n_samples: int, grid: int, layer_sizes: tuple[int, ...],
                      grids: int = 1) -> int:
    """Training points the landscape evaluates: all of them unless grid^2 x points x
    multiply-adds per point would pass ``LANDSCAPE_MACS``, or ``grids`` such grids would pass
    ``LANDSCAPE_PAGE_MACS``; never fewer than ``MIN_SAMPLES``."""
    macs, budget = _landscape_budget(layer_sizes, grids)
    fit = budget // max(1, grid * grid * macs)
    return int(min(n_samples, max(MIN_SAMPLES, fit)))


def _landscape_budget(layer_sizes: tuple[int, ...], grids: int) -> tuple[int, int]:
    """Multiply-adds of one point through the network, and what one of ``grids`` grids may take:
    ``LANDSCAPE_MACS``, or its share of ``LANDSCAPE_PAGE_MACS``."""
    return (sum(a * b for a, b in pairwise(layer_sizes)),
            min(LANDSCAPE_MACS, LANDSCAPE_PAGE_MACS // max(1, grids)))


def landscape_side(grid: int, layer_sizes: tuple[int, ...], grids: int = 1,
                   sides: Sequence[int] = ()) -> int:
    """The landscape's points per side: ``grid``, unless even ``MIN_SAMPLES`` points on it would
    pass the budgets of ``landscape_samples``; then the largest of ``sides`` (the page's
    resolutions, ascending) that keeps them, or the smallest of them. The sample floor had no
    such check: a 3 x 64 network with 8 optimizers at 61 x 61 mapped 3.5 times the page's
    budget (22 s of one core)."""
    macs, budget = _landscape_budget(layer_sizes, grids)
    fits = [n for n in (*sides, grid) if n <= grid and n * n * MIN_SAMPLES * macs <= budget]
    return max(fits) if fits else min((*sides, grid))


def _subset(n: int, k: int, seed: int) -> np.ndarray | None:
    """``k`` of ``n`` sample indices (sorted, seeded), or None for all of them."""
    if k >= n:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))


def landscape(data: DataKey, arch: ArchKey, paths: tuple[np.ndarray, ...], n: int,
              seed: int, span: float = 1.0) -> Landscape:
    """PCA plane of ``paths`` (each (S, P)), a random slice around each path's end, and the 1D
    interpolations; every grid is one batched computation. Big networks on big data sets are
    evaluated on a seeded subset of the points (``Landscape.samples`` of them)."""
    net, test = networks(data, arch)
    k = landscape_samples(net.n_samples, n, net.layer_sizes, len(paths) + 1)
    idx = _subset(net.n_samples, k, seed)
    idx_test = _subset(test.n_samples, k, seed)
    with np.errstate(all="ignore"):  # centres copied: a view would keep a whole path alive
        pca = nn_landscape.pca_slice(net, list(paths), center=paths[0][-1].copy(), n=n, idx=idx)
        slices = tuple(nn_landscape.random_slice(net, p[-1].copy(), seed=seed, n=n, span=span,
                                                 idx=idx)
                       for p in paths)
        interp = tuple(nn_landscape.interpolation(net, p[0], p[-1], idx=idx) for p in paths)
        interp_test = tuple(nn_landscape.interpolation(test, p[0], p[-1], idx=idx_test)
                            for p in paths)
    return Landscape(pca, slices, interp, interp_test, k)


def off_plane_words(ends: Sequence[nn_landscape.PathEnd], labels: Sequence[str]) -> str:
    """A sentence naming the paths whose trained weights lie so far off the PCA plane that the
    contour under their marker misstates their loss (``PathEnd.misread``); "" if none does."""
    said = [f"{lab}'s trained weights lie {e.off:.2g} off it ({e.along:.2g} along it): the "
            f"contour under its ● reads {e.plane_loss:.2g} where its own loss is {e.loss:.2g}"
            for lab, e in zip(labels, ends, strict=False) if e.misread]
    return (" Here " + "; ".join(said) + " (hover a ● for its own loss)."
            if said else " Here each path's end lies close enough to it that the contour under "
            "its ● reads its loss.")


def trace(data: DataKey, arch: ArchKey, params: np.ndarray, example: int) -> BackpropTrace:
    """Forward and backward pass of training example ``example`` at weights ``params``."""
    net, _ = networks(data, arch)
    i = int(np.clip(example, 0, net.n_samples - 1))
    return net.backprop_trace(params, net.X[i], int(net.y[i]))


def worst_example(data: DataKey, arch: ArchKey, params: np.ndarray) -> int:
    """Index of the training example with the largest loss -log p_true at ``params``."""
    net, _ = networks(data, arch)
    with np.errstate(all="ignore"):
        probs = net.forward(params)
    return int(np.argmin(probs[np.arange(net.n_samples), net.y]))


def clicked_example(event: object) -> int | None:
    """Index of the training point clicked on the example map (its ``customdata``), if any."""
    try:
        points = event["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        points = getattr(getattr(event, "selection", None), "points", None)
    for p in points or []:
        try:
            return int(p["customdata"] if not isinstance(p["customdata"], list)
                       else p["customdata"][0])
        except (KeyError, TypeError, ValueError, IndexError):
            continue
    return None


# ------------------------------------------------------------------------- cached wrappers


@st.cache_data(show_spinner=False, **cache_bounds())
def cached_split(data: DataKey) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return split(data)


@st.cache_resource(show_spinner=False, **cache_bounds())
def cached_networks(data: DataKey, arch: ArchKey) -> tuple[MLP, MLP]:
    """Built once per setting and only read."""
    return networks(data, arch)


@memo(max_bytes=TRAIN_BYTES)
def cached_train(data: DataKey, arch: ArchKey, racer: Entry, epochs: int, batch: int,
                 seed: int) -> Training:
    """``train``, shared read-only; a page keeps ``trainings_for`` (no weights)."""
    with heavy_slot():
        return train(data, arch, racer, epochs, batch, seed)


def trainings_for(data: DataKey, arch: ArchKey, racers: tuple[Entry, ...], epochs: int,
                  batch: int, seed: int) -> list[Training]:
    """Each racer's training without its weights (``Training.light``)."""
    return [cached_train(data, arch, r, epochs, batch, seed).light() for r in racers]


def frame_weights(data: DataKey, arch: ArchKey, racer: Entry, epochs: int, batch: int, seed: int,
                  frame: int) -> np.ndarray:
    """The weights (P,) of animation frame ``frame`` of a training, copied: a page holding them
    does not keep the training's other weights alive."""
    return cached_train(data, arch, racer, epochs, batch, seed).frame_params[frame].copy()


@st.cache_data(show_spinner=False, **cache_bounds(BOUNDARY_BYTES))
def cached_boundaries(data: DataKey, arch: ArchKey, racer: Entry, epochs: int, batch: int,
                      seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    params = cached_train(data, arch, racer, epochs, batch, seed).frame_params
    with heavy_slot():
        return boundaries(data, arch, params, n)


@st.cache_data(show_spinner=False, **cache_bounds(LANDSCAPE_BYTES))
def cached_landscape(data: DataKey, arch: ArchKey, racers: tuple[Entry, ...], epochs: int,
                     batch: int, seed: int, n: int) -> Landscape:
    paths = tuple(cached_train(data, arch, r, epochs, batch, seed).path for r in racers)
    with heavy_slot():
        return landscape(data, arch, paths, n, seed)


# ------------------------------------------------------------------------- cached figures


def run_label(racer: Entry, steps_per_epoch: int) -> str:
    """An optimizer's name as the race writes it, its switch counted in epochs of
    ``steps_per_epoch`` steps ("switch at epoch 10", as the training figure marks it)."""
    return epoch_label(label(racer), steps_per_epoch)


def runs_for(data: DataKey, arch: ArchKey, racers: tuple[Entry, ...], epochs: int, batch: int,
             seed: int) -> tuple[list[Training], list[Run], np.ndarray, np.ndarray]:
    """Trainings, the training figure's ``Run`` per optimizer, and the boundary grid axes."""
    trainings = trainings_for(data, arch, racers, epochs, batch, seed)
    n = boundary_grid(len(racers), len(trainings[0].frames))
    runs, xs, ys = [], np.zeros(0), np.zeros(0)
    for r, t in zip(racers, trainings, strict=True):
        xs, ys, probs = cached_boundaries(data, arch, r, epochs, batch, seed, n)
        runs.append(Run(name=r[0], label=run_label(r, t.steps_per_epoch),
                        color=optimizer_color(r[0]), frames=t.frames,
                        probs=probs, step_epochs=t.step_epochs, step_loss=t.step_loss,
                        epoch_train_loss=t.epoch_train_loss, epoch_test_loss=t.epoch_test_loss,
                        epoch_train_acc=t.epoch_train_acc, epoch_test_acc=t.epoch_test_acc,
                        switch_epoch=t.switch_epoch))
    return trainings, runs, xs, ys


@memo(max_bytes=FIGURE_BYTES)
def cached_training_figure(data: DataKey, arch: ArchKey, racers: tuple[Entry, ...], epochs: int,
                           batch: int, seed: int, frame_ms: int,
                           phone: bool = False) -> SpecFigure:
    """The animated boundaries + curves, built once per setting and shared read-only (a
    ``phone``'s: one panel a row, the curves one over the other). Frozen (``viz.spec.frozen``):
    its JSON is encoded once, not on every rerun, and the memo sizes it by that text (walking
    the figure's ~200,000 numbers to size it took ~0.25 s per new setting)."""
    _, runs, xs, ys = runs_for(data, arch, racers, epochs, batch, seed)
    Xtr, ytr, _, _ = cached_split(data)
    return frozen(training_figure(runs, xs, ys, Xtr, ytr, frame_ms, phone=phone,
                                  l2=arch[2] > 0))


@memo(max_bytes=FIGURE_BYTES)
def cached_network_figure(data: DataKey, arch: ArchKey, racer: Entry, epochs: int, batch: int,
                          seed: int, frame_ms: int, phone: bool = False) -> SpecFigure:
    """The animated drawing of the network trained by ``racer`` (a ``phone``'s: the layers'
    labels on short lines), frozen as ``cached_training_figure``."""
    t = cached_train(data, arch, racer, epochs, batch, seed)
    net, _ = cached_networks(data, arch)
    return frozen(network_figure(net.layer_sizes, net.unflatten(t.frame_params),
                                 net.unflatten(t.frame_grads), t.frames,
                                 f"Trained by <span style='color:{optimizer_color(racer[0])}'>"
                                 f"{run_label(racer, t.steps_per_epoch)}</span>",
                                 net.activation, frame_ms, phone=phone))


def above_train_note(runs: list[tuple[str, float, float]], n_test: int) -> str:
    """A sentence for the runs (name, train accuracy, test accuracy) that score higher on the
    test points than on the training points, as the table shows them (to 0.1%); "" if none.

    A student may read it as the network generalising better than it fits. It is chance: the
    network was fitted to the training points, so nothing makes the held-out ones easier; which
    points the random split happened to hold out decides, and on a small test set each point
    moves the accuracy by a whole 100 / ``n_test`` percentage points."""
    above = [name for name, train, test in runs  # NaN (a diverged run) is never above
             if np.isfinite([train, test]).all() and round(1000 * test) > round(1000 * train)]
    if not above or n_test < 1:
        return ""
    worth = 100 / n_test
    names = and_list([f"**{name}**" for name in above])  # bold: a name may hold a comma
    return (f"Test accuracy above train accuracy ({names}) is down to chance, not a better "
            f"fit: the test set holds only {plural(n_test, 'point')}, so each is worth "
            f"{plural(round(worth, 2), 'percentage point')}, and which points happened to be "
            "held out moves its accuracy either way.")


def majority_share(labels: np.ndarray) -> float:
    """Training accuracy of always answering the most common class: what a network that has
    learned nothing about the inputs can still score."""
    y = np.asarray(labels, dtype=np.int64).ravel()
    return float(np.bincount(y).max() / y.size) if y.size else 0.0


def learned_mark(baseline: float) -> float:
    """The accuracy halfway from ``baseline`` (``majority_share``) to 100%: below it a run is
    called poorly trained."""
    return baseline + 0.5 * (1.0 - baseline)


def poorly_trained(accuracy: float, baseline: float) -> bool:
    """Whether a training accuracy is below ``learned_mark(baseline)`` (NaN counts as below)."""
    return not accuracy >= learned_mark(baseline)


def flat_but_untrained(runs: list[tuple[str, float]], baseline: float) -> str:
    """A sentence naming the runs (label, training accuracy) that are poorly trained, whose flat
    surroundings are a plateau, not a good minimum; "" when every run reached the mark.

    ``baseline`` is ``majority_share`` of the training labels. Accuracies are rounded down and the
    mark up, so a shown accuracy is never at or above the shown mark it is said to be under.
    """
    weak = [(name, acc) for name, acc in runs if poorly_trained(acc, baseline)]
    if not weak:
        return ""
    one = len(weak) == 1
    names = and_list([name for name, _ in weak])
    accs = and_list([f"{math.floor(100 * acc + 1e-9):.0f}%" for _, acc in weak])
    mark = f"{math.ceil(100 * learned_mark(baseline) - 1e-9):.0f}%"
    rest = ("It has learned little, so the flat picture around it is a plateau, not a good "
            "minimum." if one else "They have learned little, so the flat pictures around them "
            "are plateaus, not good minima.")
    base = f"{baseline:.0%}"
    return (f" Always answering the most common class scores {base}; here {names} "
            f"{'reaches' if one else 'reach'} only {accs} training accuracy, under {mark} "
            f"(halfway from {base} to 100%). {rest}")

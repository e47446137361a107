"""Computation behind the concepts tour: each function runs the real optimizers on a real objective
and returns plain arrays for one small figure. No Streamlit, no Plotly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app_pages.common.lab import loss_floor
from app_pages.common.outcomes import describe
from app_pages.common.words import plural
from landscape.base import batches_per_epoch
from optimizers import get_optimizer, run, run_endpoints
from viz.concepts import plain_number
from viz.map_labels import MinimumLike
from viz.paths import first_step_off_map

TRIAL_METHODS: tuple[tuple[str, str], ...] = (
    ("random_search", "Random search"),
    ("random_local_search", "Random local search"),
    ("sgd", "Gradient descent"),
)


@dataclass(frozen=True)
class Curve:
    """One method's path and its loss gap against a counter (evaluations, steps or epochs);
    ``losses`` (where kept) is the path's own loss at each point, not the best so far."""

    optimizer: str
    label: str
    x: np.ndarray
    gap: np.ndarray
    points: np.ndarray
    switch_at: float | None = None
    diverged_step: int = -1
    losses: np.ndarray | None = None
    thrown: np.ndarray | None = None  # (k, 2) a trial-and-error method's discarded tries


class _Tries:
    """``objective`` whose every ``value`` call keeps the points asked: a walker's tries (the
    start's value, then one candidate per step)."""

    def __init__(self, objective: Any) -> None:
        self._objective = objective
        self.asked: list[np.ndarray] = []

    def value(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, float)
        self.asked.append(x.reshape(-1, x.shape[-1]).copy())
        return self._objective.value(x)

    def __getattr__(self, name: str) -> Any:
        # the rest of the objective (its domain) passes through unrecorded; a private name is
        # not forwarded (copy and pickle probe them before ``_objective`` exists)
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._objective, name)


def trials(objective: Any, start: np.ndarray, budget: int, *, lr: float, step_size: float,
           seed: int = 0) -> list[Curve]:
    """Random search, random local search and gradient descent with the same budget of
    evaluations (function values + gradients: the article's trials).

    Each curve is the best gap found so far against evaluations used; a method stops when the
    next step would exceed ``budget``. A trial-and-error method's ``thrown`` holds the tries it
    discarded (a candidate not lower than the point it had): the note's wasted trials.
    """
    hparams = {"random_search": {}, "random_local_search": {"step_size": step_size},
               "sgd": {"lr": lr}}
    floor = loss_floor(objective)
    out = []
    for name, label in TRIAL_METHODS:
        opt = get_optimizer(name, **hparams[name])
        seen = _Tries(objective) if not opt.uses_gradient else objective
        traj = run(opt, seen, start, budget, seed=seed)
        evals = np.asarray(traj.evaluations)
        keep = evals <= budget
        losses = np.asarray(traj.losses)
        thrown = None
        if isinstance(seen, _Tries):  # the start's value, then candidate t at step t
            n = int(np.count_nonzero(keep)) - 1  # steps within the budget
            tried = np.concatenate(seen.asked)[1:1 + n]
            thrown = tried[~(losses[1:n + 1] < losses[:n])]
        with np.errstate(invalid="ignore"):
            best = np.minimum.accumulate(np.where(np.isfinite(losses), losses, np.inf))
        gone = int(np.asarray(traj.diverged_step).ravel()[0])
        out.append(Curve(name, label, evals[keep], np.maximum(best[keep] - floor, 0.0),
                         np.asarray(traj.points)[keep], diverged_step=gone,
                         losses=losses[keep], thrown=thrown))
    return out


def uphill_steps(losses: np.ndarray, rtol: float = 1e-12) -> int:
    """Steps k with f(x_k) - f(x_{k-1}) > rtol max|f|: rises above rounding, not the last-digit
    wobble of a path that has reached the bottom."""
    losses = np.asarray(losses, float)
    finite = losses[np.isfinite(losses)]
    if len(finite) < 2:
        return 0
    return int(np.count_nonzero(np.diff(finite) > rtol * np.max(np.abs(finite))))


def first_trial_near(curve: Curve, targets: np.ndarray, tol: float) -> int | None:
    """Evaluations used when ``curve`` first stood within ``tol`` of one of ``targets`` (M, 2)."""
    pts = np.asarray(curve.points, float).reshape(len(curve.x), -1)[:, :2]
    dist = np.min(np.hypot(pts[:, None, 0] - targets[None, :, 0],
                           pts[:, None, 1] - targets[None, :, 1]), axis=1)
    near = np.flatnonzero(dist <= tol)
    return int(curve.x[near[0]]) if near.size else None


def trials_verdict(curves: list[Curve], reached: dict[str, int | None],
                   minima: Sequence[MinimumLike], tol: float,
                   domain: tuple[tuple[float, float], tuple[float, float]] | None = None) -> str:
    """Plain words for the trials race: who reached the global minimum, after how many trials,
    and, when gradient descent did not, what happened to it instead, read from how its path
    actually ended (``outcomes.describe``): stuck in a local minimum, still moving, diverged, or
    (given ``domain``) thrown off the map.

    ``reached`` maps each curve's optimizer name to its trials-to-global-minimum (None = never);
    ``minima`` and ``tol`` are the landscape's minima and the distance that counts as "at" one.
    """
    by = {c.optimizer: c for c in curves}
    gd = by.get("sgd")
    winners = sorted(((t, by[n].label) for n, t in reached.items() if t is not None and n in by))
    if not winners:
        head = "Nobody reached the global minimum within this budget."
    else:
        head = "Reached the global minimum: " + ", ".join(
            f"{label} after {plural(t, 'trial')}" for t, label in winners) + "."
    if gd is None:
        return head
    if reached.get("sgd") is not None:
        rest = [by[n] for n in by if n != "sgd"]
        better = all(float(gd.gap[-1]) <= float(c.gap[-1]) for c in rest)
        walk = " Gradient descent needed no trial and error"
        if gd.losses is not None:
            up = uphill_steps(gd.losses)
            walk += (": not one of its steps went uphill" if up == 0 else
                     f", though {up} of its {plural(len(gd.losses) - 1, 'step')} went uphill: "
                     "on those, its stride η × slope overshot the low ground and landed "
                     "higher than it stood")
        earlier = [by[n].label for t, n in sorted((t, n) for n, t in reached.items()
                                                  if n in by and t is not None)
                   if t < reached["sgd"]]
        if not (earlier and better):
            return head + walk + (", and it ends closest to the bottom." if better else ".")
        # "Reached" is near (``tol``), not deep: blind tries can get near first.
        return head + walk + (", and it ends closest to the bottom. "
                              f"{' and '.join(earlier)} came near first, but near is only "
                              f"within {tol:.2g} of it, where blind tries can land early; "
                              "how deep each got (best loss − min) is where the gradient's "
                              "exact direction shows.")
    points = np.asarray(gd.points, float).reshape(len(gd.x), -1)[:, :2]
    outcome = describe(points, gd.diverged_step, minima, tol, domain=domain)
    if outcome.kind == "diverged":
        return head + (f" Gradient descent blew up at step {outcome.diverged_step}: its learning "
                       "rate is too large for the slopes here, so its steps overshot and grew "
                       "until the numbers ran away. A smaller rate fixes that; the "
                       "learning-rate lab finds one.")
    if outcome.kind == "local":
        ends = "stopped in" if outcome.settled else "is bouncing around"
        return head + (" Gradient descent went straight down the hill it started on and "
                       f"{ends} a hollow that is not the global minimum: the gradient only "
                       "knows the slope where it stands, so it is efficient but only as good as "
                       "its start. "
                       "Random search samples everywhere, so with luck it finds a deeper valley. "
                       "In section 1's Landscape menu, pick one whose nearest valley is the "
                       "global minimum (Booth's tilted bowl) to see gradient descent get there "
                       "in a handful of trials, and many more digits down.")
    if outcome.left_map_step is not None:
        if len(points) > 1 and np.array_equal(points[-1], points[-2]):
            return head + (" Gradient descent was thrown off the map: on a steep slope one step "
                           "of η × slope can be huge, and it landed on ground so flat that its "
                           "steps shrank to nothing, so it stays there, away from every minimum. "
                           "A smaller learning rate keeps it on the map.")
        return head + (" Gradient descent ended off the map, away from every minimum: its "
                       "steps (η × slope) carried it out, and the gradient only knows the slope "
                       "where it stands. A smaller learning rate keeps it on the map.")
    return head + (" Gradient descent has not stopped in any minimum: when the budget ran out it "
                   "was still walking, with steps (η × slope) made tiny by a faint slope or a "
                   "small η. The gradient only knows the slope where it stands, not how "
                   "far the bottom is or whether this slope leads to the global minimum. Random "
                   "search ignores the slope and samples everywhere.")


#: Section 2's luck line: how many random-search draws it counts.
LUCK_DRAWS = 200


def random_search_luck(objective: Any, start: np.ndarray, budget: int, targets: np.ndarray,
                       tol: float, draws: int = LUCK_DRAWS) -> np.ndarray:
    """Trials random search needed to come within ``tol`` of one of ``targets`` (M, 2) in each of
    ``draws`` independent draws from ``start`` (-1 where it did not within ``budget``).

    One batched ``run_endpoints``: run draws each path's samples from the seed and the bits of
    its start, so starts one float apart are independent draws from the same place (draw 0, the
    start itself, is the seed-0 run). Trials count as in ``trials``: the start's evaluation too.
    """
    targets = np.asarray(targets, float).reshape(-1, 2)
    if not len(targets):
        return np.full(draws, -1)
    start = np.asarray(start, float)
    xs = [float(start[0])]
    for _ in range(draws - 1):  # the next float up, draw after draw
        xs.append(float(np.nextafter(xs[-1], np.inf)))
    starts = np.column_stack([xs, np.full(draws, start[1])])
    ends = run_endpoints(get_optimizer("random_search"), objective, starts, budget,
                         targets=targets, radius=tol)
    hits = np.where(ends.first_within >= 0, ends.first_within, budget + 1).min(axis=1)
    return np.where(hits <= budget, np.asarray(ends.evaluations)[np.minimum(hits, budget)], -1)


def luck_text(luck: np.ndarray, budget: int, gd_trial: int | None) -> str:
    """Section 2's luck line: in how many of the draws ``luck`` (``random_search_luck``) random
    search reached the global minimum within ``budget`` trials, and how often that beats
    gradient descent (at ``gd_trial``, None = not within the budget); "" without draws."""
    luck = np.asarray(luck)
    n = len(luck)
    if n == 0:
        return ""

    def share(k: int) -> str:
        if k == 0:
            return f"none of {n} draws"
        whole = k == n or 0.01 <= k / n <= 0.99  # else 1 in 200 read "0%", 199 "100%"
        return f"{k} of {n} draws ({k / n:.{0 if whole else 1}%})"

    reached = (luck > 0) & (luck <= budget)
    head = (f"Luck: from this start, random search reached the global minimum within "
            f"{plural(budget, 'trial')} in {share(int(np.count_nonzero(reached)))}; each seed "
            "shows one draw. Gradient descent draws nothing: every seed gives it the same path, "
            "which ")
    if gd_trial is None:
        return head + "does not get there within this budget."
    sooner = int(np.count_nonzero(reached & (luck < gd_trial)))
    return head + (f"gets there at trial {gd_trial}. Random search got there sooner in "
                   f"{share(sooner)}.")


def altitude_caption(step: int, points: np.ndarray, losses: np.ndarray, min_value: float,
                     domain: tuple[tuple[float, float], tuple[float, float]]) -> str:
    """Section 1's caption: the walker's loss at ``step``, or, once it has left the map
    (``domain``), where it went and that the drawing stops it at the edge."""
    step = int(np.clip(step, 0, len(points) - 1))
    loss = f"{float(losses[step]) + 0.0:.4g}"
    # Levy's minimum evaluates to 1.5e-32 (sin^2 of pi, rounded): a student reads that as a
    # real number; at 1e-12 of zero it is zero
    floor = f"(global minimum {min_value if abs(min_value) >= 1e-12 else 0.0:.4g})"
    left = first_step_off_map(points, domain)
    if left is None or step < left:
        return f"Step {step}: loss {loss} {floor}."
    x, y = (float(v) + 0.0 for v in np.asarray(points)[step, :2])
    where = (f"now stands at ({x:.3g}, {y:.3g}), loss {loss} {floor}"
             if np.isfinite(x) and np.isfinite(y) else "its position ran off to infinity")
    return (f"Step {step}: the walker left the map at step {left}, when a step of η × slope "
            f"carried it over the edge; it {where}. The drawing stops it at the edge, where it "
            "crossed.")


class Parabola:
    """f(x) = a/2 x^2 in one dimension (D = 1): the simplest valley, for "learning rate = stride".

    Gradient descent maps x -> (1 - lr a) x: lr < 1/a creeps, 1/a < lr < 2/a overshoots and
    bounces, lr > 2/a explodes.
    """

    min_value = 0.0

    def __init__(self, a: float = 1.0) -> None:
        self.a = a

    def value(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return 0.5 * self.a * x[..., 0] ** 2

    def grad(self, x: np.ndarray) -> np.ndarray:
        return self.a * np.asarray(x, dtype=float)


#: Sections 5 to 8 (linear regression): the start their rates and claims were checked from
#: (tests/app/test_concepts_page.py), up the valley's far end. The race's own start for this loss
#: sits lower, where no racer's first steps leave the map.
DATA_START = (-1.2, 2.2)

#: Section 4: steps drawn, the largest rate its slider offers, and the half-width of its usual
#: view of the parabola. At that rate 12 steps end at |x| = 3 * 1.5^12 ≈ 389, far inside run's
#: divergence bound (1e6), so the drawing never has to show a blow-up.
STRIDE_STEPS, STRIDE_MAX_LR, STRIDE_VIEW = 12, 2.5, 4.5


def stride(lr: float, steps: int, *, a: float = 1.0, x0: float = -3.0
           ) -> tuple[np.ndarray, np.ndarray]:
    """Gradient-descent iterates on ``Parabola(a)``: (x_k, f(x_k)) for k = 0..steps, where
    x_k = (1 - lr a)^k x0."""
    traj = run(get_optimizer("sgd", lr=lr), Parabola(a), np.array([x0]), steps)
    return np.asarray(traj.points)[:, 0], np.asarray(traj.losses)


def stride_view(iterates: np.ndarray, base: float = STRIDE_VIEW) -> float:
    """Half-width of an x window that shows every iterate: max(base, 1.05 max_k |x_k|), so the
    view grows with a path that runs away (lr a > 2) instead of clipping it."""
    return max(base, 1.05 * float(np.max(np.abs(iterates))))


def stride_caption(lr: float, iterates: np.ndarray, base: float = STRIDE_VIEW) -> str:
    """Section 4's caption: the factor 1 - lr that each step multiplies x by on f = x^2/2, where
    the walker is after the last step, and how far the view zoomed out to show it."""
    xs = np.asarray(iterates, float)
    factor, steps = 1.0 - lr, len(xs) - 1
    head = (f"Each step multiplies x by 1 − η = {factor + 0.0:.3g}: after {plural(steps, 'step')} "
            f"x = {xs[-1] + 0.0:.3g} (it started at {xs[0]:g})")
    if abs(factor) <= 1e-12:
        return head + ", on the bottom since step 1."
    if abs(factor + 1.0) <= 1e-12:
        return head + f", bouncing between {xs[0]:g} and {-xs[0]:g} forever."
    if factor > -1.0:
        return head + "."
    zoom = stride_view(xs, base) / base
    return (head + f": each bounce lands {-factor:.3g}× as far out as the last."
            + (f" The view zoomed out ×{zoom:.3g} to show every hop (the usual view is x from "
               f"{-base:g} to {base:g})." if zoom > 1 else ""))


def epoch_curve(name: str, label: str, objective: Any, start: np.ndarray, epochs: int,
                hparams: dict[str, Any], batch_size: int | None, seed: int = 0,
                switch_epoch: float | None = None) -> Curve:
    """Run ``name`` for ``epochs`` passes over the data (minibatches of ``batch_size``, None =
    full batch); x is measured in epochs, the gap is the full-data loss minus its minimum."""
    per = batches_per_epoch(objective.n_samples, batch_size)
    params = dict(hparams)
    if switch_epoch is not None:
        params["switch_step"] = max(1, round(switch_epoch * per))
    traj = run(get_optimizer(name, **params), objective, start, epochs * per, seed=seed,
               batch_size=batch_size)
    x = np.arange(epochs * per + 1) / per
    gap = np.maximum(np.asarray(traj.losses) - loss_floor(objective), 0.0)
    switch = None if traj.switch_step is None else traj.switch_step / per
    return Curve(name, label, x, gap, np.asarray(traj.points), switch,
                 losses=np.asarray(traj.losses))


def gap_at(curve: Curve, epoch: float) -> float:
    """The curve's loss gap at the first recorded point at or after ``epoch``."""
    i = min(int(np.searchsorted(curve.x, epoch - 1e-9)), len(curve.gap) - 1)
    return float(curve.gap[i])


def _tail(curve: Curve, fraction: int) -> int:
    """Points in the last 1/``fraction`` of the run (at least one)."""
    return max(1, len(curve.gap) // fraction)


def tail_mean(curve: Curve, fraction: int = 6) -> float:
    """Mean loss gap over the last 1/``fraction`` of the run (smooths the minibatch jitter)."""
    return float(np.mean(curve.gap[-_tail(curve, fraction):]))


def tail_epochs(curve: Curve, fraction: int = 6) -> float:
    """How many epochs ``tail_mean``'s window spans (5 of 30 epochs)."""
    return _tail(curve, fraction) * float(curve.x[1] - curve.x[0]) if len(curve.x) > 1 else 1.0


def trailing_mean(curve: Curve, fraction: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """(x, mean loss gap over the window that ends there), from the first full window on. The
    window is ``tail_mean``'s, so the last value is the run's ``tail_mean``."""
    w = _tail(curve, fraction)
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(curve.gap, float), w)
    return np.asarray(curve.x)[w - 1:], windows.mean(axis=-1)


def adam_sgd_summary(adam: Curve, sgd: Curve, epochs: int) -> str:
    """The numbers behind section 6: both gaps after epoch 1, 10 and the last, and over the tail."""
    marks = sorted({1, min(10, epochs), epochs})
    head = ", ".join(map(str, marks[:-1])) + f" and {marks[-1]}"

    def row(c: Curve) -> str:
        return ", ".join(f"{gap_at(c, e):.2g}" for e in marks)

    low = "Adam" if tail_mean(adam) < tail_mean(sgd) else "SGD"
    return (f"Loss − minimum after epoch {head}: Adam {row(adam)}; SGD {row(sgd)}. Average over "
            f"the last {plural(round(tail_epochs(adam)), 'epoch')} (where the thick lines end): "
            f"Adam {tail_mean(adam):.2g}, SGD {tail_mean(sgd):.2g} ({low} ends lower).")


@dataclass(frozen=True)
class Responsibility:
    """One example through the smallest neural network (a linear classifier), forward and back.

    ``probs`` = softmax(logits); ``loss`` = -log probs[label]; ``grad_logits`` = probs - onehot
    (each output's share of the blame); ``grad_weight`` (k, 2) and ``grad_bias`` (k,) = how much
    each weight is to blame for this example's loss, so how much its update will be.
    """

    x: np.ndarray
    label: int
    probs: np.ndarray
    loss: float
    grad_logits: np.ndarray
    grad_weight: np.ndarray
    grad_bias: np.ndarray
    accuracy: float
    wrong: tuple[int, ...] = ()  # the examples the model gets wrong (argmax p is not the label)


def blame_check(r: Responsibility) -> str:
    """One bar of section 3 worked out, so a student can check "blame = share x input": the
    true class's first weight, (p - 1) x_0."""
    k, x0 = r.label, float(r.x[0])
    share = float(r.grad_logits[k])
    return (f"Input x = ({plain_number(x0, 3)}, {plain_number(float(r.x[1]), 3)}). Check one "
            f"bar: w[{k},0]'s blame is (p − 1) × x₀ = {plain_number(share, 3)} × "
            f"{plain_number(x0, 3)} = {plain_number(float(r.grad_weight[k, 0]), 3)} (the bar "
            "shows its size).")


#: The stride of section 3's worked correction (plain gradient descent; the note's "0.1").
CORRECTION_LR = 0.1


def correction_text(r: Responsibility, lr: float = CORRECTION_LR) -> str:
    """The note's "a big blame means a big correction", in this example's numbers: plain gradient
    descent moves each weight by −η × its blame; how far the most and least blamed weights move."""
    g = np.abs(np.asarray(r.grad_weight, float))
    if not np.isfinite(g).all() or g.size < 2:
        return ""
    hi, lo = (np.unravel_index(int(f(g)), g.shape) for f in (np.argmax, np.argmin))

    def move(k: tuple) -> str:
        return (f"w[{k[0]},{k[1]}] moves {lr:g} × {plain_number(float(g[k]), 3)} = "
                f"{plain_number(lr * float(g[k]), 3)}")

    return (f"Plain gradient descent at η {lr:g} moves every weight by η × its blame, against "
            f"its gradient: the most blamed, {move(hi)}; the least, {move(lo)}. A big blame, a "
            "big correction.")


def responsibility(example: int, trained_steps: int, *, n_samples: int = 150, seed: int = 0,
                   lr: float = 0.05) -> Responsibility:
    """Train a linear classifier on three blobs with Adam for ``trained_steps`` steps, then trace
    example ``example``'s forward pass (logits -> softmax -> -log p) and its back-propagation."""
    from landscape.datasets import make_dataset
    from landscape.network import MLP

    X, y = make_dataset("blobs", n_samples=n_samples, noise=1.0, seed=seed)
    net = MLP(X, y, hidden=())
    theta = net.init_params(seed=seed)
    if trained_steps > 0:
        theta = np.asarray(run(get_optimizer("adam", lr=lr), net, theta, trained_steps,
                               seed=seed).points)[-1]
    i = int(np.clip(example, 0, len(y) - 1))
    trace = net.backprop_trace(theta, X[i], int(y[i]))
    out = trace.layers[-1]
    return Responsibility(x=X[i], label=int(y[i]), probs=trace.probs, loss=trace.loss,
                          grad_logits=out.grad_z, grad_weight=out.grad_weight,
                          grad_bias=out.grad_bias, accuracy=float(net.accuracy(theta)),
                          wrong=tuple(int(j) for j in np.flatnonzero(net.predict(theta) != y)))


def accuracy_text(r: Responsibility, trained_steps: int) -> str:
    """"Training accuracy after N steps: 42%", saying why when it is below guessing (1/k for k
    classes): untrained, the outputs are nearly equal (p ≈ 1/k each) and argmax follows tiny
    differences that the random start happened to point the wrong way for most points."""
    k = len(r.probs)
    text = f"Training accuracy after {plural(trained_steps, 'step')}: {r.accuracy:.0%}"
    if r.accuracy < 1 / k:
        text += (f", below the 1-in-{k} of guessing: the network's probabilities are nearly "
                 "equal, and its tiny preferences happen to point the wrong way for most points")
    return text + "."


def wrong_text(r: Responsibility, trained_steps: int, most: int = 15) -> str:
    """Which examples a trained model still gets wrong, to pick on the slider: the few that keep
    a large blame (a review: "find them" meant scanning 150 positions). "" untrained or when
    there are more than ``most`` (no longer a few)."""
    if trained_steps <= 0 or len(r.wrong) > most:
        return ""
    if not r.wrong:
        return "It now gets every example right."
    many = len(r.wrong) > 1
    return (f"Still wrong after {plural(trained_steps, 'step')}: example"
            + ("s " if many else " ") + ", ".join(map(str, r.wrong))
            + (" (pick one: its blame stays large)." if many else
               " (pick it: its blame stays large)."))


def blame_summary(now: Responsibility, before: Responsibility, trained_steps: int) -> str:
    """One sentence comparing this example's total blame (sum of |dL/dw| over every weight and
    bias) after ``trained_steps`` steps with its blame before training; "" when untrained."""
    if trained_steps <= 0:
        return ""
    total = float(np.abs(now.grad_weight).sum() + np.abs(now.grad_bias).sum())
    start = float(np.abs(before.grad_weight).sum() + np.abs(before.grad_bias).sum())
    if not (np.isfinite(total) and np.isfinite(start)) or start <= 0:
        return ""
    ratio = total / start
    head = (f"Blame summed over all weights and biases: {plain_number(total)} now, "
            f"{plain_number(start)} before training")
    if ratio < 1:
        left = f"{ratio:.1%}" if ratio >= 0.001 else "less than 0.1%"
        return f"{head} ({left} of it is left)."
    if int(np.argmax(now.probs)) != now.label:
        return f"{head}: the model still gets this example wrong, so it keeps a large blame."
    return f"{head}: it has not shrunk yet."

"""The learning-rate lab's schedule view: learning-rate schedules on the page's optimizers
(``scheduled``, ``schedule_settings``, ``schedule_note``), the "Adam first, then SGD" comparison
built from the page's Adam and SGD (``switch_settings``), their runs under the noise draws
(``schedule_curves``) and the verdict on which ends lowest (``switch_verdict``).

Pure NumPy on top of ``optimizers.run``: no Streamlit, no Plotly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from app_pages.common.lab import TOL, loss_floor, lost, noise_draws, seeded_runs
from app_pages.common.words import plural
from optimizers import OPTIMIZERS, get_optimizer, get_schedule

#: What the "Adam first, then SGD" comparison carries over from the page's Adam and SGD: the
#: switching optimizer's own settings (``adam_then_sgd``) and where each comes from.
SWITCH_CARRIES: dict[str, tuple[str, str]] = {
    "lr": ("adam", "lr"), "betas": ("adam", "betas"), "eps": ("adam", "eps"),
    "sgd_lr": ("sgd", "lr"), "momentum": ("sgd", "momentum"),
}
_SWITCH_PARTS = {"adam": "Adam", "sgd": "SGD"}


def switch_settings(hparams: Mapping[str, Mapping[str, Any]], steps: int,
                    base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settings of the "Adam first, then SGD" comparison built from the optimizers on the page:
    Adam's rate, betas and eps, and SGD's rate (``sgd_lr``) and momentum, as the visitor set them
    for Adam and SGD (``SWITCH_CARRIES``; registry defaults for whichever is missing), switching
    after a quarter of the ``steps``.

    Without this the switch ran Adam at its registry default, a different walker from the Adam
    curve beside it, and could end worse than both parents for reasons that had nothing to do
    with switching (and SGD with momentum 0.9 beside a switch to plain SGD compared unlike runs).
    """
    out = {**OPTIMIZERS["adam_then_sgd"].defaults(), **(base or {})}
    for key, (name, source) in SWITCH_CARRIES.items():
        if source in hparams.get(name, {}):
            value = hparams[name][source]
            out[key] = float(value) if key in ("lr", "sgd_lr") else value
    out["switch_step"] = max(1, int(steps) // 4)
    return out


#: Settings that change nothing unless another one is set: (optimizer, setting) -> that one.
#: SGD's dampening and Nesterov act on momentum; Adam's decoupled flag, on weight decay.
_ACTS_ON: dict[tuple[str, str], str] = {
    ("sgd", "dampening"): "momentum", ("sgd", "nesterov"): "momentum",
    ("adam", "decoupled_weight_decay"): "weight_decay",
}


def switch_dropped(hparams: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The page's Adam and SGD settings the switch cannot carry (``adam_then_sgd`` has no
    amsgrad, weight decay or Nesterov), where they differ from the defaults and change the
    run (dampening without momentum does not: a review was told of "a plainer walker" over
    it): ``"Adam's amsgrad"``. The comparison then runs a plainer Adam or SGD than the curves
    beside it."""
    carried = {(name, source) for name, source in SWITCH_CARRIES.values()}
    out = []
    for name, part in _SWITCH_PARTS.items():
        given = hparams.get(name, {})
        for h in OPTIMIZERS[name].hparams:
            if (name, h.name) in carried or h.name not in given:
                continue
            needs = _ACTS_ON.get((name, h.name))
            if needs is not None and not float(given.get(needs, 0.0)):
                continue
            if not np.array_equal(np.asarray(given[h.name], float),
                                  np.asarray(h.default, float)):
                out.append(f"{part}'s {h.name}")
    return out


def scheduled(hparams: Mapping[str, Any], schedule: str,
              settings: Mapping[str, Any]) -> dict[str, Any]:
    """``hparams`` with ``schedule`` (``optimizers.get_schedule``) on its rates: ``lr``, and for
    Adam -> SGD also ``sgd_lr``, on the run's own clock: SGD's phase goes on from the schedule's
    step K (its own steps count from 0 at the switch; it ran at a constant rate before)."""
    out = {**hparams, "lr": get_schedule(schedule, lr=float(hparams["lr"]), **settings)}
    if "sgd_lr" in hparams:
        sgd = get_schedule(schedule, lr=float(hparams["sgd_lr"]), **settings)
        k = int(hparams["switch_step"])
        out["sgd_lr"] = lambda t: sgd(np.asarray(t) + k)
    return out


def schedule_curves(runs: Sequence[tuple[str, Mapping[str, Any], str]], schedule: str,
                    settings: Mapping[str, Any], objective: Any, start: np.ndarray, steps: int,
                    *, seed: int = 0, noise: float = 0.0, batch_size: int | None = None,
                    ) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The schedule view's runs: each ``(name, hparams, label)`` under ``schedule`` (with
    ``settings``), as a curve for the figure (``optimizer``, ``label``, ``lr`` and ``gap`` per
    step, on the page's ``seed``), with ``diverged_step``, ``off_map`` (it ended outside the
    map, where the landscape may fall below its minimum: a gap of 0 there reached nothing),
    ``switch_step``, ``finals``: its final gap under each of ``noise_draws`` seeds (``seed``,
    ``seed + 1`` ...; one without noise, or without an Adam -> SGD run for ``switch_verdict`` to
    judge; ``seeded_runs``), inf where it diverged or ended off the map, and in how many draws
    it did (``diverged_draws``, ``off_map_draws``). Every run of one draw gets the same noise,
    so the draws compare in pairs. Also the runs the schedule refuses: ``(name, reason)``."""
    judged = any(name == "adam_then_sgd" for name, _, _ in runs)
    draws = noise_draws(noise, batch_size, getattr(objective, "n_samples", None)) if judged else 1
    floor, domain = loss_floor(objective), getattr(objective, "domain", None)
    start = np.asarray(start, dtype=float)
    curves, refused = [], []
    for name, hp, label in runs:
        try:
            opt = get_optimizer(name, **scheduled(hp, schedule, settings))
            trajs = seeded_runs(lambda _, opt=opt: opt, objective, start, steps,
                                 range(seed, seed + draws), noise, batch_size)
        except ValueError as err:
            refused.append((name, str(err)))
            continue
        diverged, off = (np.array(f) for f in zip(*(lost(t, domain) for t in trajs),
                                                  strict=True))
        with np.errstate(invalid="ignore"):
            finals = np.maximum(np.array([float(t.losses[-1]) for t in trajs]) - floor, 0.0)
        finals[diverged | off | ~np.isfinite(finals)] = np.inf
        t = trajs[0]
        with np.errstate(invalid="ignore"):
            gap = np.maximum(np.asarray(t.losses) - floor, 0.0)
        curves.append({"optimizer": name, "label": label, "lr": t.lr, "gap": gap,
                       "diverged_step": int(t.diverged_step), "off_map": bool(off[0]),
                       "switch_step": t.switch_step, "finals": finals,
                       "diverged_draws": int(diverged.sum()), "off_map_draws": int(off.sum())})
    return curves, refused


# ------------------------------------------------------------------------------ schedules
#: Readable names of the schedules (the URL keeps the registry's: ``schedule=warmup_cosine``).
SCHEDULE_TITLES: dict[str, str] = {
    "constant": "Constant",
    "step": "Step decay",
    "exponential": "Exponential decay",
    "cosine": "Cosine annealing",
    "warmup_cosine": "Warm-up, then cosine",
}
#: Readable labels of the schedules' settings; the URL keeps PyTorch's names
#: (``schedule.T_max``, ``schedule.eta_min`` ...).
SCHEDULE_LABELS: dict[tuple[str, str], str] = {
    ("step", "step_size"): "Steps between decays (step_size)",
    ("step", "gamma"): "Decay factor γ at each drop",
    ("exponential", "gamma"): "Decay factor γ per step",
    ("cosine", "T_max"): "Steps down to η_min, T_max (then back up)",
    ("cosine", "eta_min"): "Lowest learning rate η_min (at step T_max)",
    ("warmup_cosine", "warmup_steps"): "Warm-up length (steps)",
    ("warmup_cosine", "T_max"): "Steps down to η_min after the warm-up, T_max",
    ("warmup_cosine", "eta_min"): "Lowest learning rate η_min (at T_max)",
    ("warmup_cosine", "start_factor"): "Warm-up starts at (fraction of η)",
}
#: Settings counted in steps, whose defaults follow the run length (``schedule_settings``), and
#: the rule each follows, in words.
RUN_LENGTH_RULES: dict[tuple[str, str], str] = {
    ("step", "step_size"): "one drop half-way",
    ("cosine", "T_max"): "T_max = the whole run",
    ("warmup_cosine", "warmup_steps"): "a warm-up of a tenth of the run",
    ("warmup_cosine", "T_max"): "T_max = the rest of the run",
}
RUN_LENGTH_SETTINGS = frozenset(RUN_LENGTH_RULES)
#: The warm-up's default share of the run: a tenth, well before the Adam -> SGD comparison's
#: switch at a quarter (``switch_settings``), so the two dashed events never coincide by default.
WARMUP_SHARE = 10


def schedule_label(schedule: str, name: str) -> str:
    """The control label of setting ``name`` of ``schedule`` (the raw name if none is known)."""
    return SCHEDULE_LABELS.get((schedule, name), name)


def schedule_settings(schedule: str, steps: int,
                      given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every setting of ``schedule`` for a run of ``steps`` steps: the visitor's own values
    (``given``) where set, else defaults that fit the run instead of the registry's fixed ones:

    - cosine: T_max = steps (the rate reaches η_min exactly at the end of the run);
    - warm-up then cosine: a warm-up of a tenth of the run, then T_max = steps - warm-up (so the
      cosine, too, ends with the run, whatever warm-up the visitor chose);
    - step decay: one drop, half-way (step_size = steps / 2).

    Other settings (factors, η_min) keep the registry defaults. Values are kept inside each
    setting's allowed range.
    """
    from optimizers import SCHEDULE_HPARAMS

    given = dict(given or {})
    steps = max(1, int(steps))
    warmup = int(given.get("warmup_steps", max(1, round(steps / WARMUP_SHARE))))
    follow = {("cosine", "T_max"): steps, ("warmup_cosine", "warmup_steps"): warmup,
              ("warmup_cosine", "T_max"): max(1, steps - warmup),
              ("step", "step_size"): max(1, steps // 2)}
    out: dict[str, Any] = {}
    for h in SCHEDULE_HPARAMS[schedule]:
        if h.name in given:
            out[h.name] = given[h.name]
            continue
        value = follow.get((schedule, h.name), h.default)
        if h.kind == "int":
            value = int(np.clip(value, h.min, h.max))
        out[h.name] = value
    return out


def schedule_note(schedule: str, settings: Mapping[str, Any], steps: int) -> str:
    """Plain words on where ``schedule`` (with ``settings``) puts its events in a run of ``steps``
    steps: when the warm-up ends, when the cosine reaches η_min (and whether that is inside the
    run), how many step decays happen. "" for schedules without events."""
    steps = int(steps)
    if schedule in ("cosine", "warmup_cosine"):
        warm = int(settings.get("warmup_steps", 0)) if schedule == "warmup_cosine" else 0
        end = warm + int(settings["T_max"])
        head = f"The warm-up ends at step {warm}; the" if warm else "The"
        if end == steps:
            return f"{head} cosine reaches η_min just as the run ends (step {steps})."
        if end > steps:
            return (f"{head} cosine would reach η_min at step {end}, after this {steps}-step "
                    "run has ended.")
        return (f"{head} cosine reaches η_min at step {end}, then climbs back up (it repeats) "
                f"until the run ends at step {steps}.")
    if schedule == "step":
        size = int(settings["step_size"])
        drops = max(0, (steps - 1) // size)
        return (f"η is multiplied by γ every {plural(size, 'step')}: "
                f"{plural(drops, 'drop')} in this {steps}-step run.")
    return ""


#: A noisy verdict names a winner only when the draws that tell the two runs apart (both at the
#: minimum, or both lost, tell nothing) pass a one-sided sign test at this level: 7 of 8, 5 of 5.
SIGN_P = 0.05


def sign_test(wins: int, decided: int) -> float:
    """One-sided sign test: the chance of at least ``wins`` heads in ``decided`` fair coin flips
    (1.0 when nothing was decided)."""
    if decided <= 0:
        return 1.0
    return sum(math.comb(decided, k) for k in range(wins, decided + 1)) / 2 ** decided


def _finals(c: Mapping[str, Any]) -> np.ndarray:
    """A schedule-view run's final gap per noise draw (``schedule_curves``), inf where it was
    lost; a curve without draws: its last gap."""
    if "finals" in c:
        return np.asarray(c["finals"], dtype=float)
    g = float(np.asarray(c["gap"])[-1])
    lost = c.get("diverged_step", -1) >= 0 or c.get("off_map", False) or not np.isfinite(g)
    return np.array([np.inf if lost else g])


def _lost_words(c: Mapping[str, Any], n: int) -> str:
    """"diverged in 3 and ended off the map in 2 of 8 noise draws" (else "was lost in ...")."""
    d, o = int(c.get("diverged_draws", 0)), int(c.get("off_map_draws", 0))
    parts = ([f"diverged in {d}"] if d else []) + ([f"ended off the map in {o}"] if o else [])
    if not parts:
        parts = [f"was lost in {int(np.count_nonzero(np.isinf(_finals(c))))}"]
    return f"{' and '.join(parts)} of {n} noise draws"


def switch_verdict(curves: Sequence[Mapping[str, Any]], noisy: bool) -> str:
    """Which run of the schedule view ends lowest, said beside the Adam -> SGD advice: on a
    smooth run plain SGD at a good rate often ends below the switch, and the figure showed it
    with no word that the advice had not won here. ``curves``: the view's runs
    (``schedule_curves``; ``finals``: final gaps per noise draw); ``noisy``: gradient noise or
    minibatches.

    A run that diverged or ended off the map reached nothing (McCormick falls below its minimum
    off the map: its gap of 0 there read as "both reach the minimum"). With noise, one draw
    decides nothing (the verdict flipped with the seed over medians 2 % apart): a run lost in
    most draws is said to be; the switch is judged against the other run with the lowest median,
    draw by draw, and wins or loses only by ``sign_test`` at ``SIGN_P``. "" without an
    Adam -> SGD run or another to compare with."""
    switch = [c for c in curves if c["optimizer"] == "adam_then_sgd"]
    others = [c for c in curves if c["optimizer"] != "adam_then_sgd"]
    if not switch or not others:
        return ""
    sw = switch[0]
    s_gap = _finals(sw)
    n = s_gap.size
    if np.count_nonzero(np.isinf(s_gap)) * 2 > n:  # lost in most draws (the one, without noise)
        if n > 1:
            return f"Here the switch {_lost_words(sw, n)}: most of its runs reach nothing."
        if (k := int(sw.get("diverged_step", -1))) >= 0:
            k_switch = sw.get("switch_step")
            phase = ("" if k_switch is None else " (after the hand-over: SGD's rate is too "
                     "large where Adam left it)" if k >= k_switch else " (before the "
                     "hand-over, in Adam's phase)")
            return f"Here the switch diverged at step {k}{phase}."
        return ("Here the switch ends off the map, where this landscape falls below the minimum "
                "shown: its low loss there is no sign of reaching it.")
    fair = [c for c in others if np.count_nonzero(np.isinf(_finals(c))) * 2 <= _finals(c).size]
    if not fair:
        return ("Here the switch is the only run that"
                + (", in most noise draws, ends" if n > 1 else " ends")
                + " on the map without diverging.")
    best = min(fair, key=lambda c: float(np.median(_finals(c))))
    b_gap = _finals(best)
    m = min(n, b_gap.size)
    s_gap, b_gap = s_gap[:m], b_gap[:m]
    both = (s_gap <= TOL) & (b_gap <= TOL)  # both at the minimum: neither wins that draw
    wins = int(np.count_nonzero((s_gap < b_gap) & ~both))
    losses = int(np.count_nonzero((s_gap > b_gap) & ~both))
    decided = wins + losses
    # the switch lost in some draws (not most): said after the verdict, of the switch by name
    lost = (f" The switch {_lost_words(sw, m)}." if m > 1 and np.isinf(s_gap).any() else "")
    # both at the minimum in every draw (the default: 7.9e-13 against SGD's 1.9e-13) is a tie
    if both.all():
        return (f"Here the switch and {best['label']} both reach the minimum (a final gap under "
                f"{TOL:g}): on this run the hand-over neither helps nor hurts."
                + ("" if noisy else " Without gradient noise a single method at a good rate "
                   "gets there alone; the switch pays where Adam's late wandering costs "
                   "(minibatch noise: the concepts tour's section 7)."))
    if m == 1 and wins == losses:  # level to the last digit: a saddle both stopped on
        return (f"Here the switch and {best['label']} end level (a final gap of "
                f"{float(s_gap[0]):.3g}): on this run the hand-over neither helps nor hurts.")
    if m > 1 and decided == 0:
        return ("Here neither wins: in every noise draw both reach the minimum or both are "
                f"lost.{lost}")
    if m > 1 and min(sign_test(wins, decided), sign_test(losses, decided)) > SIGN_P:
        alike = (f"; in the other {m - decided} both reach the minimum or both are lost"
                 if decided < m else "")
        return (f"Here neither clearly wins: the switch ends lower than {best['label']} in "
                f"{wins} of {m} noise draws and higher in {losses}{alike}. With this much "
                f"noise one run decides nothing, and the figure shows one.{lost}")
    draws = (f" in {max(wins, losses)} of the {plural(decided, 'noise draw')} that tell them "
             f"apart" if m > 1 and decided < m else
             f" in {max(wins, losses)} of {m} noise draws" if m > 1 else "")
    if wins > losses:  # which part did it, the curves show; no cause claimed
        return (f"Here the switch ends lowest{draws}, as the study note advises (which part "
                f"made the difference, the curves before and after the dashed line show).{lost}")
    if noisy:
        return (f"Here {best['label']} ends lower than the switch{draws}, noise and all: the "
                "switch pays only where Adam's late wandering costs more than SGD's slow "
                f"finish, with an SGD rate small enough to settle (the concepts tour's section "
                f"7).{lost}")
    return (f"Here {best['label']} ends lower than the switch: on a smooth run without "
            "gradient noise, a single method at a good rate needs no hand-over. The switch "
            "pays where Adam's early speed matters and its late wandering costs (minibatch "
            "noise: the concepts tour's section 7).")

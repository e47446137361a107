"""Per-landscape race defaults: which optimizers, which learning rates, where to start.

The landing race (six-hump camel from (-2.4, 1.2), 500 steps) was picked by running the real
packages over a learning-rate grid for every optimizer, so that the optimizers visibly disagree:
SGD and RMSprop stop in the near local minimum, momentum, Nesterov and Adam reach a global one, and
Adagrad crawls (tests/app/test_race_page.py checks these outcomes). Other landscapes get learning
rates scaled to their size and steepness (``heuristic_lr``), which gives a sensible first race.
No preset diverges from its landscape's start, nor ends off the map (tests/app/test_presets.py
runs every landscape with every optimizer), unless ``DELIBERATE_DIVERGENCE`` says why it should.
Adam -> SGD's SGD phase takes the landscape's curated SGD rate when it has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from landscape.base import diagonal

LANDING_SURFACE = "six_hump_camel"
DEFAULT_OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad")
DEFAULT_STEPS = 500

#: Curated starts and learning rates, checked with the real packages.
CURATED: dict[str, dict[str, Any]] = {
    "six_hump_camel": {
        "start": (-2.4, 1.2),
        "lr": {"sgd": 0.01, "momentum": 0.003, "nesterov": 0.003, "adam": 0.3, "rmsprop": 0.01,
               "adagrad": 0.01},
    },
    # Slow valley: only Nesterov arrives within 500 steps; the rest crawl along the banana.
    "rosenbrock": {"lr": {"sgd": 0.001, "momentum": 0.001, "nesterov": 0.001, "adam": 0.1,
                          "rmsprop": 0.01, "adagrad": 0.5}},
    "beale": {"lr": {"sgd": 0.003, "momentum": 0.001, "nesterov": 0.001, "adam": 0.3,
                     "rmsprop": 0.03, "adagrad": 0.5}},
    # Teaching surfaces: rates under which each one shows its lesson (tests/app/test_presets.py).
    # Ravine (curvature 5 across, 0.1 along): SGD at 0.35 is near its stability limit 2/5 across
    # the valley, so it flips side every step and creeps along the floor; momentum (0.05, about
    # critically damped along the floor) and Adam run down the valley and arrive first.
    "ravine": {"lr": {"sgd": 0.35, "momentum": 0.05, "nesterov": 0.05, "adam": 0.2,
                      "rmsprop": 0.05, "adagrad": 1.0}},
    # Plateau: gradients below 1e-3 at the start; only the rescaling methods reach the drop.
    "plateau": {"lr": {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adam": 0.1,
                       "rmsprop": 0.05, "adagrad": 0.5}},
    # Saddle: started almost on the ridge, GD lingers near the origin; momentum (0.005: faster
    # than GD's 0.02 along the escape direction, where 0.002 was not) and Adam leave sooner.
    "saddle": {"lr": {"sgd": 0.02, "momentum": 0.005, "nesterov": 0.005, "adam": 0.05,
                      "rmsprop": 0.02, "adagrad": 0.3}},
    # Needle: flat almost everywhere, so the median curvature gives SGD 50, which catapulted it
    # off the map at step 4. The hole's curvature is 3 (f ~ -1 + 1.5 r^2): SGD at 0.5 stays below
    # its stability limit 2/3 there, creeps ~60 steps on the faint slope, then dives in (step 75);
    # momentum a tenth of it. Adam and Adagrad rescale the tiny slope and are in within 20 steps;
    # RMSprop's un-corrected first step (10 x lr per axis) lands it in a ripple hollow.
    "easom": {"lr": {"sgd": 0.5, "momentum": 0.05, "nesterov": 0.05, "adam": 0.1,
                     "rmsprop": 0.1, "adagrad": 0.5}},
    # Unbounded below along x = y beyond the map: Lion at the scale-free 0.1 (down to 0.02) leaves
    # the local basin and runs off the map that way; at 0.01 it stays in the near hollow with all
    # the others.
    "mccormick": {"lr": {"lion": 0.01}},
    # The deep hole's curvature is ~6, so gradient descent is stable in it only below lr 2/6: at
    # the median-curvature rate (3.0) it could not have stayed there from any start, and the
    # lesson "trapped by where it started" would have been false. At 0.3 it still settles in the
    # near basin from the default start, and reaches the deep hole from starts around it.
    "two_basins": {"lr": {"sgd": 0.3}},
    # Momentum at the median-curvature 0.5 (a stride of ~5 with beta 0.9) overshot the bowl and
    # ran off the map's right edge for ~30 steps, where nobody could watch it; 0.1 still
    # overshoots, on the map, and settles at the minimum.
    "logistic_regression": {"lr": {"momentum": 0.1, "nesterov": 0.1}},
}

#: Hyperparameters a page's preset may set away from the registry default (a landscape's rates and
#: random local search's step here; the network page's switch step too). A link always carries
#: them: its reader fills a missing one from its own preset, not from the registry, so leaving out
#: a value because it equalled the registry default reopened it at the preset's.
PRESET_HPARAMS = frozenset({"lr", "step_size", "sgd_lr", "switch_step"})

#: Optimizers whose step is roughly ``lr`` per axis whatever the gradient's size (sign-like).
#: RAdam only after its warm-up: its first steps are plain momentum SGD (``radam_safe_lr``).
SCALE_FREE = frozenset({"adam", "amsgrad", "adamw", "nadam", "radam", "adamax", "rmsprop", "lion",
                        "adam_then_sgd"})

#: (landscape, optimizer) presets that diverge on purpose, with the lesson they teach. Every other
#: preset stays finite from its landscape's start (tests/app/test_presets.py). None so far.
DELIBERATE_DIVERGENCE: dict[tuple[str, str], str] = {}

#: RAdam's default betas (torch's); its warm-up length follows from beta2.
RADAM_BETAS = (0.9, 0.999)


class Landscape(Protocol):
    domain: tuple[tuple[float, float], tuple[float, float]]
    default_start: tuple[float, float]

    def value(self, xy: np.ndarray) -> np.ndarray: ...

    def grad(self, xy: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class RacePreset:
    """Defaults for one landscape: optimizers, per-optimizer hparam overrides, start, steps."""

    optimizers: tuple[str, ...]
    hparams: dict[str, dict[str, Any]] = field(default_factory=dict)
    start: tuple[float, float] = (0.0, 0.0)
    steps: int = DEFAULT_STEPS


#: Mantissas ``nice`` rounds to, and how close (in log10) two of them count as equally near.
NICE_MANTISSAS = np.array([1.0, 2.0, 3.0, 5.0, 10.0])
NICE_TIE = 1e-9


def nice(value: float) -> float:
    """Round to one of 1, 2, 3, 5 x 10^k (the nearest in log scale; the smaller on a tie).

    A square map's diagonal over 20 or 100 is a tie (sqrt(2) between 1 and 2, 7.07 between 5
    and 10), which the last bit of ``np.log10`` decided, and that differs between CPUs: one
    machine gave Cross-in-tray's Adagrad a rate of 1, another 2. Ties now go down, everywhere."""
    if not np.isfinite(value) or value <= 0:
        return 0.01
    k = np.floor(np.log10(value))
    off = np.abs(np.log10(NICE_MANTISSAS) - (np.log10(value) - k))
    m = NICE_MANTISSAS[np.flatnonzero(off <= off.min() + NICE_TIE)[0]]
    return float(f"{m * 10.0**k:.3g}")


def curvature(surface: Landscape, n: int = 25) -> float:
    """A typical curvature L of the surface: the median of |g(x + h) - g(x)| / h over a grid.

    Gradient descent is stable for lr < 2 / L along the steepest direction.
    """
    (x0, x1), (y0, y1) = surface.domain
    h = 1e-3 * diagonal(surface.domain)
    xs, ys = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    xy = np.stack([xs, ys], axis=-1)
    with np.errstate(all="ignore"):
        g = surface.grad(xy)
        dg = np.maximum(np.linalg.norm(surface.grad(xy + np.array([h, 0.0])) - g, axis=-1),
                        np.linalg.norm(surface.grad(xy + np.array([0.0, h])) - g, axis=-1)) / h
    finite = dg[np.isfinite(dg)]
    return float(np.median(finite)) if finite.size else 1.0


def radam_warmup_steps(betas: tuple[float, float] = RADAM_BETAS, longest: int = 1000) -> int:
    """How many first steps RAdam takes as un-adapted momentum SGD: those with rho_t <= 5
    (rho_t = rho_inf - 2 t b2^t / (1 - b2^t), rho_inf = 2 / (1 - b2) - 1); 5 for b2 = 0.999."""
    b2 = betas[1]
    rho_inf = 2.0 / (1.0 - b2) - 1.0
    for t in range(1, longest + 1):
        if rho_inf - 2.0 * t * b2**t / (1.0 - b2**t) > 5.0:
            return t - 1
    return longest


def _ladder(top: float, bottom: float = 1e-6) -> list[float]:
    """Nice rates (1, 2, 3, 5 x 10^k) from ``top`` down to ``bottom``, ``top`` first."""
    rates = [top]
    for k in range(int(np.floor(np.log10(top))), int(np.floor(np.log10(bottom))) - 1, -1):
        rates += [float(f"{m * 10.0**k:.3g}") for m in (5.0, 3.0, 2.0, 1.0)]
    return [r for r in dict.fromkeys(rates) if bottom <= r <= top]


def radam_warmup(surface: Landscape, start: tuple[float, float], lr: float,
                 betas: tuple[float, float] = RADAM_BETAS) -> np.ndarray:
    """RAdam's warm-up path from ``start`` (steps + 1, 2): the real optimizer's steps while
    rho_t <= 5 (no weight decay), where it moves as un-adapted momentum SGD."""
    from optimizers import get_optimizer, run

    radam = get_optimizer("radam", lr=lr, betas=betas, weight_decay=0.0)
    traj = run(radam, surface, np.array(start, dtype=float), radam_warmup_steps(betas))
    path = np.array(traj.points, dtype=float)
    if traj.diverged_step >= 0:  # run() freezes a blown-up path; show the blow-up instead
        path[traj.diverged_step:] = np.nan
    return path


def warmup_is_safe(surface: Landscape, path: np.ndarray) -> bool:
    """The warm-up stays finite, inside the view, and never above the start's loss: it goes
    downhill instead of being thrown up a far wall (the first step of a blow-up)."""
    (x0, x1), (y0, y1) = surface.domain
    with np.errstate(all="ignore"):
        f = np.asarray(surface.value(path), dtype=float)
    inside = (np.all(np.isfinite(path)) and np.all((path[:, 0] >= x0) & (path[:, 0] <= x1))
              and np.all((path[:, 1] >= y0) & (path[:, 1] <= y1)))
    return bool(inside and np.all(np.isfinite(f)) and np.all(f[1:] <= f[0]))


def radam_safe_lr(surface: Landscape, start: tuple[float, float], lr: float) -> float:
    """``lr``, lowered along the nice rates until RAdam's warm-up from ``start`` is safe.

    RAdam's first steps (while rho_t <= 5) are un-adapted momentum SGD, step = lr m_hat_t, which
    grows with the gradient: a rate fit for its Adam phase (about lr per axis) can throw it off a
    steep surface at step 2 or 3 (Rosenbrock, Beale, Goldstein-Price, the six-hump camel). The
    same rate serves both phases, so on a very steep start the safe rate leaves the Adam phase
    slow: that is RAdam's real trade-off, not the preset's. A start where the formula cannot be
    evaluated keeps ``lr``.
    """
    with np.errstate(all="ignore"):
        f0 = np.asarray(surface.value(np.array(start, dtype=float)), dtype=float)
        g0 = np.asarray(surface.grad(np.array(start, dtype=float)), dtype=float)
    if not (np.all(np.isfinite(f0)) and np.all(np.isfinite(g0))):
        return lr
    rates = _ladder(lr)
    for rate in rates:
        if warmup_is_safe(surface, radam_warmup(surface, start, rate)):
            return rate
    return rates[-1]


def heuristic_lr(name: str, surface: Landscape, default: float,
                 start: tuple[float, float] | None = None) -> float:
    """A learning rate that makes a sensible first race on ``surface`` from ``start`` (default:
    the landscape's own).

    Scale-free methods move about lr per step: cross ~1/100 of the diagonal per step (Adagrad,
    whose steps shrink like 1/sqrt(t), 1/20). RAdam also has to survive its SGD-like warm-up
    (``radam_safe_lr``). Gradient-proportional methods: 0.5 / L for SGD, 0.05 / L with momentum
    0.9 (the effective step is 10x). Others keep the registry default.
    """
    diag = diagonal(surface.domain)
    if name == "radam":
        return radam_safe_lr(surface, start or surface.default_start, nice(diag / 100))
    if name in SCALE_FREE:
        return nice(diag / 100)
    if name == "adagrad":
        return nice(diag / 20)
    if name in ("sgd", "momentum", "nesterov"):
        big = curvature(surface)
        factor = 0.5 if name == "sgd" else 0.05
        return nice(factor / big) if big > 0 else default
    return default


def preset_for(name: str, surface: Landscape, specs: Mapping[str, Any],
               optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS) -> RacePreset:
    """The race a visitor sees right after choosing the landscape called ``name``."""
    cur = CURATED.get(name, {})
    start = tuple(float(v) for v in cur.get("start", surface.default_start))
    hp: dict[str, dict[str, Any]] = {}
    for opt in specs:
        spec = specs[opt]
        names = {h.name for h in spec.hparams}
        if "lr" in names:
            lr = cur.get("lr", {}).get(opt)
            default = spec.hparam("lr").default
            h = spec.hparam("lr")
            lr = lr if lr is not None else heuristic_lr(opt, surface, default, start)
            hp[opt] = {"lr": float(np.clip(lr, h.min or 0.0, h.max or np.inf))}
        if "step_size" in names:
            hp.setdefault(opt, {})["step_size"] = nice(diagonal(surface.domain) / 40)
        if "sgd_lr" in names:  # clipped like lr: below its range the optimizer sat out
            h = spec.hparam("sgd_lr")
            sgd_lr = cur.get("lr", {}).get("sgd") or heuristic_lr("sgd", surface, 0.01)
            hp.setdefault(opt, {})["sgd_lr"] = float(np.clip(sgd_lr, h.min or 0.0,
                                                             h.max or np.inf))
    return RacePreset(optimizers=tuple(o for o in optimizers if o in specs), hparams=hp,
                      start=(start[0], start[1]))


def rates_are_picks(hparams: Mapping[str, Mapping[str, Any]], preset: RacePreset,
                    specs: Mapping[str, Any]) -> bool:
    """Is every learning rate in ``hparams`` the one ``preset`` picks for its optimizer (its
    override, else the registry default)? Pages call their rates "picked per landscape" only then:
    a tuned race with one setting changed kept the lab's rates, and a link may carry any."""
    return all(float(hp["lr"]) == float(preset.hparams.get(n, {}).get("lr",
                                                                     specs[n].hparam("lr").default))
               for n, hp in hparams.items() if "lr" in hp)


#: Formulas the empty formula box offers, each showing something (their minima found by the
#: formula's own search: Himmelblau's four at 0; the double well's global at x = -1.06, local at
#: 0.93; the crate's two global and ten local; the saddle falls off the map).
EXAMPLE_FORMULAS = (
    ("Four equal minima (Himmelblau)", "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"),
    ("A tilted double well: one local, one global minimum", "x**4 - 2*x**2 + 0.5*x + y**2"),
    ("A narrow valley: steep across, flat along", "0.1*x**2 + 10*y**2"),
    ("An egg crate: a bowl with bumps", "x**2 + y**2 + 2*sin(3*x)*sin(3*y)"),
    ("A saddle: no minimum at all", "x**2 - y**2"),
)

"""The race's full state as URL query parameters: parse (validating everything) and write back.

Pure: no Streamlit import, so every junk input is unit-tested without a browser. Parameters:

=================  ==========================================================================
``surface``        a surface or data-loss registry name (``six_hump_camel``, ``linear_regression``)
``formula``        a typed formula in x and y (wins over ``surface``; checked by the page)
``optimizers``     comma-separated registry names (``sgd,adam``)
``steps``          number of steps (1 .. the ``steps`` limit)
``start``          ``x,y`` inside the landscape's domain
``seed``           integer seed of the gradient noise / minibatch order (0 .. 2**32 - 1)
``noise``          std of Gaussian noise added to the gradient (SGD on analytic surfaces), >= 0
``batch``          minibatch size on a data-driven loss (1 .. number of samples)
``<opt>.<hparam>`` per-optimizer hyperparameter, e.g. ``adam.lr=0.05``, ``adam.betas=0.9,0.99``,
                   ``rmsprop.centered=true``
``speed``          playback speed: ``slow``, ``normal`` (default) or ``fast``
``arrows``         ``true`` draws the gradient and update arrows
``view``           the open tab: ``map`` (default) or ``3d``
``tuned``          ``true``: the rates are the learning-rate lab's tuned ones (its race link);
                   the race says so while its settings are the link's
=================  ==========================================================================

Anything invalid falls back to the default with a warning that names the parameter and the
fallback; nothing here raises on user input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from app_pages.common.limits import limit
from app_pages.common.presets import PRESET_HPARAMS, RacePreset
from app_pages.common.words import plural
from landscape import SURFACES
from landscape.base import Domain, inside
from landscape.data_losses import DATA_LOSSES
from optimizers import OPTIMIZERS, get_optimizer

#: Every landscape name some page offers (a page may offer fewer: basins has no data losses).
ALL_LANDSCAPES = frozenset(SURFACES) | frozenset(DATA_LOSSES)

MAX_NOISE = 100.0
MAX_SEED = 2**32 - 1
MIN_STEPS = 10  # the pages' step sliders start here (a URL below it would break them)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_KEY = re.compile(r"^([a-z0-9_]+)\.([a-z0-9_]+)$")
#: The longest parameter name there can be (an optimizer's name, a dot and a hyperparameter's
#: name stay well under it).
MAX_KEY_CHARS = 60
VIEW_KEYS = ("speed", "arrows", "view", "tuned", "at")  # how the race is shown (RaceView)
BASE_KEYS = ("surface", "formula", "optimizers", "steps", "start", "seed", "noise", "batch",
             *VIEW_KEYS)
SPEED_NAMES = ("slow", "normal", "fast")
TAB_NAMES = ("map", "3d")  # URL values of the race's tabs (Map, 3D view)


class HParamLike(Protocol):
    name: str
    default: Any
    min: float | None
    max: float | None
    kind: str


class SpecLike(Protocol):
    hparams: tuple[Any, ...]


class LandscapeLike(Protocol):
    domain: Domain


@dataclass(frozen=True)
class RaceState:
    """Everything that determines a race. ``hparams[name]`` is the full setting of each optimizer.

    Exactly one of ``surface`` / ``formula`` is non-empty. ``batch_size`` is None unless the
    landscape is a data-driven loss.
    """

    surface: str
    formula: str
    optimizers: tuple[str, ...]
    hparams: dict[str, dict[str, Any]] = field(default_factory=dict)
    steps: int = 500
    start: tuple[float, float] = (0.0, 0.0)
    seed: int = 0
    noise: float = 0.0
    batch_size: int | None = None


def quoted(text: str, n: int = 40) -> str:
    """A value quoted for a warning, shortened so a hostile 10 kB string stays one line."""
    text = str(text)
    return repr(text if len(text) <= n else text[:n] + "…")


#: A number as a link writes one: ASCII digits, a point, an exponent. Python's ``float`` also
#: read "1_000" and other scripts' digits ("١٢٣" raced 123 steps), which no link of ours writes
#: and the network page's whole numbers refused: one rule for every parameter.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str, lo: float, hi: float, integer: bool = False) -> float | int | None:
    """``text`` as a finite number in [lo, hi] (an integer if asked), else None."""
    if not isinstance(text, str) or not _NUMBER.fullmatch(text.strip()):
        return None
    v = float(text.strip())
    if not math.isfinite(v) or not lo <= v <= hi:
        return None
    if integer:
        return int(v) if v == int(v) else None
    return v


def parse_pair(text: str, lo: float, hi: float) -> tuple[float, float] | None:
    """``"a,b"`` -> (a, b), both finite and in [lo, hi]; else None."""
    parts = str(text).split(",")
    if len(parts) != 2:
        return None
    a, b = (parse_number(p, lo, hi) for p in parts)
    return None if a is None or b is None else (float(a), float(b))


def parse_bool(text: str) -> bool | None:
    t = str(text).strip().lower()
    return True if t in _TRUE else False if t in _FALSE else None


def parse_flag(query: Mapping[str, str], key: str, default: bool, warn: list[str]) -> bool:
    """``query[key]`` as true or false (``1/0``, ``yes/no``, ``on/off`` too); ``default`` when it
    is absent, or with a warning that names it when it is neither."""
    if key not in query:
        return default
    value = parse_bool(query[key])
    if value is None:
        warn.append(f"URL parameter '{key}'={quoted(query[key])} is not true or false; using "
                    f"{'true' if default else 'false'}.")
        return default
    return value


def parse_hparam(h: HParamLike, text: str) -> Any:
    """A float/int/bool/pair hyperparameter from URL text, within its range; else None."""
    lo = -math.inf if h.min is None else float(h.min)
    hi = math.inf if h.max is None else float(h.max)
    if h.kind == "bool":
        return parse_bool(text)
    if h.kind == "pair":
        return parse_pair(text, lo, hi)
    return parse_number(text, lo, hi, integer=h.kind == "int")


def hparam_wanted(h: HParamLike) -> str:
    """What a hyperparameter's URL value must be, in words: "a number in [1e-06, 1000]"."""
    if h.kind == "bool":
        return "true or false"
    what = {"int": "a whole number", "pair": "two numbers a,b, each"}.get(h.kind, "a number")
    lo = "-inf" if h.min is None else f"{h.min:g}"
    hi = "inf" if h.max is None else f"{h.max:g}"
    return f"{what} in [{lo}, {hi}]"


#: Spaces alone: a URL turns '+' into a space, never into a newline or a tab ("x\ny" was read
#: as "x+y" with a warning that a '+' had arrived as a space).
_OPERAND_EDGE = re.compile(r"(?<=[\w).]) +(?=[\w(.])")


def plus_from_url(text: str) -> str:
    """A typed formula with the '+' a URL turned into spaces put back: a hand-typed link's '+'
    arrives as a space (the app's own links write %2B). A space run between two operands
    (``x^2 y^2``, ``1e 3``) was a '+'; any other whitespace is dropped (``x - 1`` -> ``x-1``)."""
    return re.sub(r"\s+", "", _OPERAND_EDGE.sub("+", text.strip()))


def format_hparam(value: Any) -> str:
    """URL text of a hyperparameter value; floats round-trip exactly (``repr``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ",".join(format_hparam(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def refusal(name: str, hparams: Mapping[str, Any]) -> str | None:
    """Why ``optimizers.get_optimizer`` refuses ``name`` with ``hparams`` (values each in range
    can still be refused together: nesterov without momentum), without the leading name; None
    if it accepts them."""
    try:
        get_optimizer(name, **hparams)
    except ValueError as err:
        return str(err).removeprefix(f"{name}: ")
    return None


def parse_race_query(
    query: Mapping[str, str],
    landscapes: Mapping[str, LandscapeLike],
    specs: Mapping[str, SpecLike],
    preset: Callable[[str], RacePreset],
    default_surface: str,
    formula_domain: Domain,
    n_samples: Callable[[str], int | None] = lambda name: None,
    *, shows_race: bool = False, formula_start: tuple[float, float] | None = None,
) -> tuple[RaceState, list[str]]:
    """Validate URL parameters into a RaceState; return it and the warnings to show.

    ``preset(name)`` gives the defaults for a landscape (``app_pages.common.presets.preset_for``);
    ``n_samples(name)`` the sample count of a data-driven loss (None for a plain surface).
    ``shows_race``: the page reads the race's view parameters (``VIEW_KEYS``, with
    ``parse_race_view``); any other page says they apply to the race only. ``formula_start``:
    a formula's own start (``default_start``), for a link that names none or one off the map;
    without it, a point near the view's top-left corner.
    """
    warn: list[str] = []
    max_chars = limit("url_value_chars")
    short = kept(query)
    q: dict[str, str] = {}
    for key in query:
        if len(key) > MAX_KEY_CHARS:  # no parameter's name is this long
            warn.append(f"URL parameter {quoted(key)} is not a known name (its name is longer "
                        f"than {plural(MAX_KEY_CHARS, 'character')}); ignored.")
            continue
        if key not in short:
            warn.append(f"URL parameter {quoted(key)} is longer than "
                        f"{plural(max_chars, 'character')}; "
                        "ignored (using the default).")
            continue
        q[key] = short[key]
    elsewhere = [k for k in VIEW_KEYS if k in q]
    if elsewhere and not shows_race:
        warn.append("URL parameter" + ("s " if len(elsewhere) > 1 else " ")
                    + ", ".join(f"'{k}'" for k in elsewhere)
                    + " only appl" + ("y" if len(elsewhere) > 1 else "ies")
                    + " to the race page; ignored here.")

    # landscape --------------------------------------------------------------------------------
    surface, formula = default_surface, ""
    if q.get("formula", "").strip():
        formula = q["formula"].strip()
        surface = ""
        if "surface" in q:  # silently dropped, a review's link looked like a surface race
            warn.append(f"URL parameters 'formula' and 'surface' both given: the formula is "
                        f"raced, surface {quoted(q['surface'])} is ignored.")
    elif "surface" in q:
        if q["surface"] in landscapes:
            surface = q["surface"]
        else:
            known = q["surface"] in ALL_LANDSCAPES  # e.g. a data loss on the basins page
            warn.append(f"{'Surface' if known else 'Unknown surface'} {quoted(q['surface'])} "
                        f"{'is not available on this page' if known else 'in the URL'}; using "
                        f"'{default_surface}'.")
    domain = formula_domain if formula else landscapes[surface].domain
    base = preset(surface or default_surface)
    if formula:
        (x0, x1), (y0, y1) = domain
        corner = (x0 + 0.15 * (x1 - x0), y1 - 0.15 * (y1 - y0))
        base = RacePreset(optimizers=base.optimizers, hparams=base.hparams,
                          start=formula_start or corner, steps=base.steps)

    # optimizers -------------------------------------------------------------------------------
    optimizers = base.optimizers
    if "optimizers" in q:
        names = [n.strip() for n in q["optimizers"].split(",") if n.strip()]
        unknown = [n for n in names if n not in specs and n not in OPTIMIZERS]
        elsewhere = list(dict.fromkeys(n for n in names if n not in specs and n in OPTIMIZERS))
        known = list(dict.fromkeys(n for n in names if n in specs))
        twice = list(dict.fromkeys(n for n in names if n in specs and names.count(n) > 1))
        if twice:  # a race of Adam against itself is the same path twice: said, not silent
            warn.append(", ".join(quoted(n, 20) for n in twice[:5])
                        + (" is" if len(twice) == 1 else " are")
                        + " listed more than once in the URL; each counts once.")
        if unknown:
            warn.append("Unknown optimizer(s) " + ", ".join(quoted(n, 20) for n in unknown[:5])
                        + " in the URL; ignored.")
        if elsewhere:  # e.g. the gradient-free searches, which the lab cannot tune
            warn.append(", ".join(quoted(n, 20) for n in elsewhere[:5])
                        + (" is" if len(elsewhere) == 1 else " are")
                        + " not available on this page; ignored.")
        cap = limit("optimizers")
        if len(known) > cap:
            warn.append(f"At most {plural(cap, 'optimizer')} can race at once; the rest of "
                        "the list is ignored.")
            known = known[:cap]
        if known:
            optimizers = tuple(known)
        else:
            # "optimizers=": the link of a page with none picked (it says "pick one")
            warn.append(("The URL parameter 'optimizers' is empty (no optimizer picked); "
                         if not names else
                         "No optimizer in the URL parameter 'optimizers' is available here; ")
                        + ("using the default race (" if shows_race else "using this page's "
                           "default optimizers (") + ", ".join(base.optimizers) + ").")

    # scalars ----------------------------------------------------------------------------------
    def scalar(key: str, lo: float, hi: float, default: Any, integer: bool, what: str) -> Any:
        if key not in q:
            return default
        v = parse_number(q[key], lo, hi, integer)
        if v is None:
            warn.append(f"URL parameter '{key}'={quoted(q[key])} is not {what}; using {default}.")
            return default
        return v

    steps = scalar("steps", MIN_STEPS, limit("steps"), base.steps, True,
                   f"a whole number from {MIN_STEPS} to {limit('steps')}")
    seed = scalar("seed", 0, MAX_SEED, 0, True, f"a whole number from 0 to {MAX_SEED}")
    noise = float(scalar("noise", 0.0, MAX_NOISE, 0.0, False, f"a number from 0 to {MAX_NOISE:g}"))
    start = base.start
    if "start" in q:
        pair = parse_pair(q["start"], -math.inf, math.inf)
        if pair is None or not inside(pair, domain):
            (x0, x1), (y0, y1) = domain
            warn.append(f"URL parameter 'start'={quoted(q['start'])} is not a point x,y inside "
                        f"[{x0:g}, {x1:g}] x [{y0:g}, {y1:g}]; using {start[0]:g},{start[1]:g}.")
        else:
            start = pair
    batch_size = None
    n = None if formula else n_samples(surface)
    if n is not None:
        batch_size = scalar("batch", 1, n, min(10, n), True, f"a whole number from 1 to {n}")
        if noise:
            warn.append("URL parameter 'noise' only applies to plain surfaces (a data-driven loss "
                        "is made stochastic by its minibatches: 'batch'); ignored.")
            noise = 0.0
    elif "batch" in q:
        warn.append("URL parameter 'batch' only applies to data-driven losses; ignored.")

    # per-optimizer hyperparameters ------------------------------------------------------------
    hparams: dict[str, dict[str, Any]] = {}
    for name in optimizers:
        spec = specs[name]
        hparams[name] = {h.name: base.hparams.get(name, {}).get(h.name, h.default)
                         for h in spec.hparams}
    for key, text in q.items():
        if key in BASE_KEYS:
            continue
        m = _KEY.match(key)
        if not m:
            warn.append(f"Unknown URL parameter {quoted(key, 30)}; ignored.")
            continue
        name, hp = m.groups()
        if name not in hparams:
            warn.append(f"URL parameter {quoted(key, 30)} is for an optimizer that is not racing; "
                        "ignored.")
            continue
        h = next((h for h in specs[name].hparams if h.name == hp), None)
        if h is None:
            valid = ", ".join(x.name for x in specs[name].hparams) or "none"
            warn.append(f"{name} has no hyperparameter {quoted(hp, 30)} (valid: {valid}); ignored.")
            continue
        v = parse_hparam(h, text)
        if v is None:
            warn.append(f"URL parameter '{key}'={quoted(text)} must be {hparam_wanted(h)}; using "
                        f"{format_hparam(hparams[name][hp])}.")
            continue
        hparams[name][hp] = v
    for name in optimizers:  # each value in range can still be refused in company
        why = refusal(name, hparams[name])
        if why is not None:
            warn.append(f"URL settings of {name} do not go together ({why}); using its "
                        "defaults.")
            hparams[name] = {h.name: base.hparams.get(name, {}).get(h.name, h.default)
                             for h in specs[name].hparams}

    state = RaceState(surface=surface, formula=formula, optimizers=optimizers, hparams=hparams,
                      steps=int(steps), start=(float(start[0]), float(start[1])), seed=int(seed),
                      noise=noise, batch_size=None if batch_size is None else int(batch_size))
    return state, warn


def race_query(state: RaceState, specs: Mapping[str, SpecLike]) -> dict[str, str]:
    """URL parameters that reproduce ``state`` exactly: every hyperparameter a preset may set
    (``PRESET_HPARAMS``), the others where they differ from the registry default."""
    q: dict[str, str] = {"formula": state.formula} if state.formula else {"surface": state.surface}
    q["optimizers"] = ",".join(state.optimizers)
    q["steps"] = str(state.steps)
    q["start"] = f"{state.start[0]!r},{state.start[1]!r}"
    q["seed"] = str(state.seed)
    if state.noise:
        q["noise"] = repr(float(state.noise))
    if state.batch_size is not None:
        q["batch"] = str(state.batch_size)
    for name in state.optimizers:
        for h in specs[name].hparams:
            value = state.hparams.get(name, {}).get(h.name, h.default)
            if h.name in PRESET_HPARAMS or value != h.default:
                q[f"{name}.{h.name}"] = format_hparam(value)
    return q


@dataclass(frozen=True)
class RaceView:
    """How the race is shown, which a shared link also reproduces: playback speed, the
    gradient/update arrows, the open tab (``map`` or ``3d``) and whether the rates are the
    learning-rate lab's tuned ones (``tuned``: its "Race the tuned optimizers" link)."""

    speed: str = "normal"
    arrows: bool = False
    tab: str = "map"
    tuned: bool = False
    at: int | None = None  # the step the map opens at (None: the last)


def kept(query: Mapping[str, str]) -> dict[str, str]:
    """``query`` without the values longer than the URL limit, which ``parse_race_query`` drops
    (and warns of): a parser reading the rest of the link skips them too. (The race applied
    'speed=fast' padded past the limit, right under the warning that it was ignored.)"""
    cap = limit("url_value_chars")
    return {k: str(v) for k, v in query.items() if len(str(v)) <= cap}


def parse_race_view(query: Mapping[str, str]) -> tuple[RaceView, list[str]]:
    """``speed`` (slow, normal, fast) and ``view`` (map, 3d), both in any case, and ``arrows``
    and ``tuned`` (true/false) from the URL, with warnings (over-long values are skipped:
    ``parse_race_query`` has said so)."""
    query = kept(query)
    warn: list[str] = []
    view = RaceView()
    if "speed" in query:
        speed = str(query["speed"]).strip().lower()  # any case, as ``view``
        if speed in SPEED_NAMES:
            view = replace(view, speed=speed)
        else:
            warn.append(f"URL parameter 'speed'={quoted(query['speed'])} is not one of "
                        f"{', '.join(SPEED_NAMES)}; using normal.")
    view = replace(view, arrows=parse_flag(query, "arrows", False, warn),
                   tuned=parse_flag(query, "tuned", False, warn))
    if "at" in query:
        at = parse_number(query["at"], 0, math.inf, integer=True)
        if at is None:
            warn.append(f"URL parameter 'at'={quoted(query['at'])} is not a step number "
                        "(0, 1, 2, ...); the map opens at the last step.")
        elif at > limit("steps"):  # a step number all the same (was "is not a step number")
            warn.append(f"URL parameter 'at'={quoted(query['at'])} is past the longest race "
                        f"({plural(limit('steps'), 'step')}); the map opens at the last step.")
            at = None
        view = replace(view, at=at)
    if "view" in query:
        tab = str(query["view"]).strip().lower()
        if tab in TAB_NAMES:
            view = replace(view, tab=tab)
        else:
            warn.append(f"URL parameter 'view'={quoted(query['view'])} is not one of "
                        f"{', '.join(TAB_NAMES)}; using map.")
    return view, warn


def race_view_query(view: RaceView) -> dict[str, str]:
    """URL parameters for ``view`` (only what differs from the defaults)."""
    q = {} if view.speed == "normal" else {"speed": view.speed}
    if view.arrows:
        q["arrows"] = "true"
    if view.tuned:
        q["tuned"] = "true"
    if view.tab != "map":
        q["view"] = view.tab
    if view.at is not None:
        q["at"] = str(view.at)
    return q

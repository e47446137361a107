"""URL state of the learning-rate lab, basins and concepts pages, on top of the race's parser.

Each page reads the race's parameters (``surface``, ``optimizers``, ``steps``, ``start``, ``seed``,
``noise``, ``batch``, ``<opt>.<hparam>``) with ``app_pages.common.state.parse_race_query`` and a few
of its own (``grid``, ``lr_min`` ...), parsed here with the same number parser. Pure: no Streamlit.
Junk never raises: it becomes the default plus a warning that names the parameter.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from app_pages.common.lab import tunable
from app_pages.common.limits import limit
from app_pages.common.state import (
    RaceState,
    RaceView,
    parse_number,
    race_query,
    race_view_query,
)
from optimizers import OPTIMIZERS

APP = Path(__file__).resolve().parents[2] / "app.py"


@dataclass(frozen=True)
class Param:
    """One page-own URL parameter: a number in [lo, hi] (an integer if ``integer``)."""

    key: str
    default: float | int
    lo: float
    hi: float
    integer: bool = False
    what: str = ""


def split_query(query: Mapping[str, str], own: Mapping[str, Any],
                prefixes: tuple[str, ...] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """(race parameters, this page's own parameters): own = keys in ``own`` or with a prefix."""
    race, mine = {}, {}
    for key, value in query.items():
        if key in own or any(key.startswith(p) for p in prefixes):
            mine[key] = str(value)
        else:
            race[key] = str(value)
    return race, mine


def parse_params(mine: Mapping[str, str], params: Mapping[str, Param],
                 warn: list[str]) -> dict[str, Any]:
    """Each own numeric parameter from ``mine`` or its default (with a warning when invalid)."""
    out: dict[str, Any] = {}
    cap = limit("url_value_chars")
    for key, p in params.items():
        out[key] = p.default
        if key not in mine:
            continue
        text = mine[key]
        v = parse_number(text, p.lo, p.hi, p.integer) if len(text) <= cap else None
        if v is None:
            shown = text if len(text) <= 40 else text[:40] + "…"
            # whole numbers in full: a seed's bound read "4.29497e+09"
            what = p.what or (f"a whole number from {int(p.lo)} to {int(p.hi)}" if p.integer
                              else f"a number from {p.lo:g} to {p.hi:g}")
            default = int(p.default) if p.integer else f"{p.default:g}"
            warn.append(f"URL parameter '{key}'={shown!r} is not {what}; using {default}.")
            continue
        out[key] = int(v) if p.integer else float(v)
    return out


def parse_choice(mine: Mapping[str, str], key: str, options: Mapping[str, Any] | list[str],
                 default: str, warn: list[str]) -> str:
    """A name from ``options`` or ``default`` (with a warning when unknown)."""
    if key not in mine:
        return default
    value = mine[key].strip()
    if value in options:
        return value
    shown = value if len(value) <= 40 else value[:40] + "…"
    warn.append(f"URL parameter '{key}'={shown!r} is not one of {', '.join(options)}; "
                f"using '{default}'.")
    return default


#: The race page's ``url_path`` in app.py. It is the default page, served at the root ("./");
#: ``/race`` is only an alias that switches to it, a second page load (~3 s of a grey page).
RACE_PATH = "home"


def race_url(state: RaceState, specs: Mapping[str, Any]) -> str:
    """A relative link that opens ``state`` on the race page in a fresh page load (so the race
    reads its settings from the URL): ``./?surface=..&optimizers=..&adam.lr=..`` while the race
    is the app's default page, else ``./home?...``."""
    return state_url(RACE_PATH, state, specs)


def tuned_race_url(state: RaceState, specs: Mapping[str, Any]) -> str:
    """``race_url`` for the tuner's answer: ``tuned=true`` has the race say that its rates are
    tuned (while its settings are the link's), where it says its own presets are not."""
    return race_url(state, specs) + "&" + urlencode(race_view_query(RaceView(tuned=True)))


def lab_url(state: RaceState, specs: Mapping[str, Any]) -> str:
    """A link to the learning-rate lab with ``state``'s settings and only the optimizers it can
    tune (those with a learning rate; the gradient-free searches stay out); "" if none can be."""
    return _url_keeping("learning_rate", state, specs, tunable)


def basins_url(state: RaceState, specs: Mapping[str, Any], surfaces: Collection[str]) -> str:
    """A link to the basins page with ``state``'s settings and its gradient methods (the page
    runs the searches as baselines of its own); "" for a landscape it does not map (a typed
    formula, a data loss: not one of ``surfaces``) or a race of searches only."""
    if state.formula or state.surface not in surfaces:
        return ""
    return _url_keeping("basins", state, specs, lambda o: OPTIMIZERS[o].uses_gradient)


def _url_keeping(url_path: str, state: RaceState, specs: Mapping[str, Any],
                 keep: Callable[[str], bool]) -> str:
    """``state_url`` with only the optimizers ``keep`` accepts; "" if none."""
    kept = tuple(o for o in state.optimizers if keep(o))
    if not kept:
        return ""
    return state_url(url_path, replace(
        state, optimizers=kept, hparams={o: state.hparams[o] for o in kept}), specs)


def state_url(url_path: str, state: RaceState, specs: Mapping[str, Any]) -> str:
    """A relative link that opens page ``url_path`` with ``state``'s race parameters."""
    return page_href(url_path) + "?" + urlencode(race_query(state, specs))


def page_href(url_path: str, app: Path | None = None) -> str:
    """Relative URL of the page registered under ``url_path``: ``./`` for the default page
    (Streamlit serves it at the root, and ``/race`` would show "page not found"), else
    ``./<url_path>``."""
    call = _page_call(url_path, app)
    is_default = call is not None and any(
        k.arg == "default" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in call.keywords)
    return "./" if is_default else f"./{url_path}"


def _page_call(url_path: str, app: Path | None = None) -> ast.Call | None:
    """The ``st.Page(..., url_path=url_path)`` call in app.py, if any."""
    app = app or APP
    try:
        stat = app.stat()
        return _page_calls(app, stat.st_mtime_ns, stat.st_size).get(url_path)
    except (OSError, SyntaxError):
        return None


@functools.lru_cache(maxsize=8)
def _page_calls(app: Path, mtime_ns: int, size: int) -> dict[str, ast.Call]:
    """Every ``st.Page(..., url_path=...)`` call in app.py by its url_path (the first wins), read
    again only when the file changes (its time or size): the race builds its links on every
    rerun, and parsing took ~0.3 ms of each."""
    del mtime_ns, size  # parts of the cache key only
    calls: dict[str, ast.Call] = {}
    for node in ast.walk(ast.parse(app.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page":
            target = {k.arg: k.value for k in node.keywords}.get("url_path")
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                calls.setdefault(target.value, node)
    return calls


def own_query(values: Mapping[str, Any]) -> dict[str, str]:
    """URL text of this page's own parameters (floats round-trip exactly)."""
    out = {}
    for key, value in values.items():
        out[key] = repr(float(value)) if isinstance(value, float) else str(value)
    return out


def registered_page(url_path: str, app: Path | None = None) -> str | None:
    """The script of the page registered in app.py under ``url_path`` (``st.Page(..., url_path=)``),
    read with ``ast`` at render time; None while that page does not exist yet."""
    app = app or APP
    call = _page_call(url_path, app)
    if call is None or not call.args or not isinstance(call.args[0], ast.Constant):
        return None
    script = str(call.args[0].value)
    return script if (app.parent / script).exists() else None

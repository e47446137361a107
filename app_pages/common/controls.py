"""Streamlit controls built from the registries, shared by every page.

Each control reads and writes ``st.session_state[key]`` (seed it with ``init(key, value)`` before
the first draw, e.g. from the URL), so pages can preset, reset and share state without passing
``value=`` (which Streamlit forbids together with a session-state value).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from app_pages.common.state import quoted, refusal
from app_pages.common.words import plural
from landscape.base import Domain
from optimizers import HPARAM_SYMBOLS, OPTIMIZERS
from viz.spec import still
from viz.style import format_value, optimizer_color, optimizer_symbol, symbol_svg, text_color

_MANTISSAS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
# Settings an optimizer card always shows (the rest sit behind "More settings"): the step size,
# momentum, and the Adam-to-SGD switch.
PRIMARY_HPARAMS = frozenset({"lr", "step_size", "momentum", "switch_step", "sgd_lr"})


#: The page script for Plotly's animation controls (keyboard access, Play from the step a chart
#: opens at): every page gets it from app.py, a downloaded race map inlines it.
PLOTLY_CONTROLS_JS = (Path(__file__).parent / "plotly_controls.js").read_text()
#: The page script that says when a link had more parameters than Streamlit reads (app.py).
LINK_CHECK_JS = (Path(__file__).parent / "link_check.js").read_text()
#: Keeps the keyboard's focus on a settings card's title across the rerun its toggle starts.
CARD_FOCUS_JS = (Path(__file__).parent / "card_focus.js").read_text()


def init(key: str, value: Any) -> None:
    """Give widget ``key`` a starting value unless the visitor already set one."""
    if key not in st.session_state:
        st.session_state[key] = value


def set_state(key: str, value: Any) -> None:
    """``st.session_state[key] = value``, as a widget's ``on_change`` (with ``args``)."""
    st.session_state[key] = value


def open_tab(key: str, labels: Mapping[str, str]) -> str:
    """The link name of the tab open in ``st.tabs(..., key=key)``: ``labels`` maps link names to
    tab labels, and session state holds the open one's label (the first name until one is
    opened)."""
    label = st.session_state.get(key)
    return next((name for name, text in labels.items() if text == label), next(iter(labels)))


def held(key: str, default: Any) -> Any:
    """Put the held value of widget ``key`` back into it before drawing it, and return it.

    Streamlit forgets or resets a widget's value on a run that does not draw it (the race's
    surface box while a formula is typed, and the formula field meanwhile), so the value lives
    under ``key + ".held"``, which ``hold(key)`` updates from the widget's ``on_change``.
    """
    ss = st.session_state
    ss[key] = ss.get(f"{key}.held", default)
    return ss[key]


def hold(key: str) -> None:
    """Remember widget ``key``'s new value (call from its ``on_change``; see ``held``)."""
    st.session_state[f"{key}.held"] = st.session_state[key]


#: A link's problems share one warning box, listed up to MAX_LISTED and then counted.
MAX_LISTED = 15


#: A phone browser's user agent says "Mobi" (Android's "Mobile Safari", iOS's "Mobile/...");
#: tablets and desktops do not.
PHONE_AGENT = "Mobi"


#: Where a session keeps ``is_phone``'s answer.
PHONE_KEY = "controls.is_phone"


def is_phone() -> bool:
    """Whether the visitor's browser is a phone's. The server never learns the window's width,
    so figures are fitted to a laptop's column; on a phone that left blank bands and squashed
    panels, and pages that know they are on a phone fit their figures to its ~360 px instead.
    Without headers (tests, bare mode) it is False.

    Read once per session and kept (``PHONE_KEY``): a session's headers are its connection's and
    never change, and ``st.context.headers`` costs ~50 us a call on a server and ~2 ms under
    AppTest, which the rerun benchmarks use (a page calls this up to four times a rerun)."""
    try:
        ss = st.session_state
        known = ss.get(PHONE_KEY)
        if known is None:
            agent = st.context.headers.get("User-Agent", "")
            known = ss[PHONE_KEY] = PHONE_AGENT in (agent or "")
        return bool(known)
    except Exception:  # no script run context
        return False


#: Plotly's config for a chart in a narrow column: three fewer mode-bar buttons (zoom, pan,
#: reset, the PNG camera and fullscreen stay). The full bar wrapped to a second row in a 220 px
#: column, over a legend, and ran over a phone's basin-map titles.
#: Every chart's Plotly config. A double-click (a phone's quick double-tap, too) goes back to the
#: figure's own view: Plotly's default, "reset+autosize", autosized a map already there, padding
#: it with blank bands (the race's x range went from [-3, 3] to [-3.48, 3.48]).
#: Said on a link button to another page: Streamlit opens links in a new tab (markdown links
#: and link buttons alike), so their labels end in ↗, not → (a visitor's review: tabs piled up
#: unannounced, worst on a phone).
NEW_TAB = "Opens in a new tab, so this page stays as it is."
CHART = {"displaylogo": False, "doubleClick": "reset"}
TRIMMED_CHART = {**CHART, "modeBarButtonsToRemove": ["zoomIn2d", "zoomOut2d", "autoScale2d"]}


#: Pixels a character of a table's text takes, at most: digits, and words (optimizer names).
DIGIT_PX, WORD_PX = 7.0, 6.3


def text_width(values: Sequence[Any], fits: int = 9, per_char: float = DIGIT_PX) -> int | None:
    """A text column's width in px (~``per_char`` px a character: ``DIGIT_PX`` for numbers,
    ``WORD_PX`` for names) when its longest value is longer than ``fits`` characters, which a
    column sized to a short header cuts ("-8.1102e-05" read "-8.1102e-0…"); else None,
    Streamlit's own."""
    longest = max((len(str(v)) for v in values), default=0)
    return round(per_char * longest) + 16 if longest > fits else None


def pick(mouse: str, touch: str) -> str:
    """``mouse`` on a laptop, ``touch`` on a phone: how to pick a spot on a map. Plotly selects
    on a tap with the hover data of the tap before (a touch has no hover of its own), and
    Streamlit reports a map click only as a selection, so on a phone the first tap on a spot is
    lost and a tap elsewhere picks the previous spot; tapping the same spot twice picks it.
    An iPad's Safari says it is a Mac: ``mouse`` texts name the two taps too."""
    return touch if is_phone() else mouse


#: What Streamlit's markdown would act on in a quoted URL value: emphasis, maths, links, HTML,
#: strike-through, tables, headings, character references ('&#58;'), and ':' before a word (its
#: :emoji:, :material/icon: and :color[...] codes).
#: Sentence punctuation ('.', '-', ': ') stays as written (inert there), and so do `code spans`,
#: which messages use on purpose and which show their text as is.
_MARKDOWN_ACTIVE = re.compile(r"(`+)(.*?)\1|([\\*_$\[\]<>~|#&]|:(?=\S))", re.DOTALL)
#: A colon as a character reference: Streamlit turns ``:smile:`` and ``:material/bolt:`` into an
#: emoji or an icon before CommonMark reads the text, so a backslash left them acting (a link's
#: ``adam.lr=:material/warning:`` warned with a warning icon); a reference is read after.
_COLON = "&#58;"


def still_on_phone(fig: Any) -> Any:
    """``fig`` on a laptop; on a phone, ``fig`` that does not drag (``viz.spec.still``): a swipe
    that began on the lab's or the network page's charts zoomed them instead of scrolling the
    page (the tour's figures: ``compute.kept_figure``; the race and basin maps pan on purpose)."""
    return still(fig) if is_phone() else fig


def plain(text: str) -> str:
    """``text`` shown as typed in Streamlit markdown (CommonMark: a backslash before ASCII
    punctuation shows it as is; a colon goes as ``&#58;``): a URL value echoed in a warning lost
    its underscores ('__init__' read 'init', in bold) before they were escaped."""
    def escape(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(0)
        return _COLON if m.group(3) == ":" else "\\" + m.group(3)

    return _MARKDOWN_ACTIVE.sub(escape, text)


def named_list(rows: Iterable[tuple[str, str]]) -> str:
    """Markdown bullets "**name**: text", both shown as written (``plain``): what a phone's
    table cuts off, listed in full under it."""
    return "\n".join(f"- **{plain(name)}**: {plain(text)}" for name, text in rows)


#: Characters of an outcome the race's results table shows on a laptop beside its other columns
#: (a 1280 px window: "oscillating near local minimum 3, after p…"); longer ones are listed
#: under it.
OUTCOME_FITS = 36
#: The same with the "thrown away" column (a random search racing) and its long name: 16
#: ("reached global m…", measured at 1280 px).
OUTCOME_FITS_TRIES = 16


def notes_apart(table: Any, column: str = "note") -> list[tuple[str, str]]:
    """Take a results table's ``column`` of notes out of it; return the (optimizer, note) pairs
    to list in full under the table (``named_list``). Notes are sentences, which a cell cuts
    short: a phone's after a word or two, a laptop's with eight optimizers after "overfits:
    test los…"."""
    return [(o, n) for o, n in zip(table["optimizer"], table.pop(column), strict=True) if n]


def link_query(prefix: str, carried: str | None = None) -> dict[str, str]:
    """The URL's parameters, each key's last value (``st.query_params[key]``'s); a key the link
    gives more than once is named in a warning (kept for ``page_intro`` under
    ``prefix + ".repeats"``): "steps=abc&steps=100" raced 100 steps and never said why "abc"
    was not read, and "optimizers=adam&optimizers=sgd" raced SGD alone. A URL without
    parameters reads as ``surface=carried`` (the landscape another page of the session drew,
    ``carry.arriving``), if one is given."""
    query, repeats = {}, []
    for key in st.query_params:
        values = st.query_params.get_all(key)
        query[key] = values[-1] if values else ""
        if len(values) > 1:
            repeats.append(f"URL parameter {quoted(key)} is given {len(values)} times; using "
                           f"the last, {quoted(values[-1])}.")
    st.session_state[f"{prefix}.repeats"] = repeats
    return query or ({"surface": carried} if carried else {})


def page_intro(prefix: str, title: str, intro: str) -> None:
    """A page's title and introduction, then the warnings its URL parser left in
    ``st.session_state[f"{prefix}.warnings"]`` (shown once, on the session's first run)."""
    st.title(title)
    st.markdown(intro + (" The settings are in the sidebar: **»** at the top left."
                         if is_phone() else ""))
    messages = (st.session_state.pop(f"{prefix}.repeats", [])
                + st.session_state.pop(f"{prefix}.warnings", []))
    if len(messages) == 1:  # plain text: they quote what the link said
        st.warning(plain(messages[0]))
    elif messages:
        # One box for all of them: five boxes and a list pushed a junk link's map off a laptop's
        # screen (and 500 junk parameters once drew 500 boxes).
        listed = "\n".join(f"- {plain(m)}" for m in messages[:MAX_LISTED])
        more = len(messages) - MAX_LISTED
        st.warning(f"The link has {len(messages)} problems; the page carries on without them:\n"
                   f"{listed}"
                   + (f"\n\n…and {plural(more, 'more problem')}, also set aside." if more > 0
                      else ""))


def log_grid(lo: float, hi: float, extra: Sequence[float] = ()) -> list[float]:
    """1, 1.5, 2, 3, 5, 7 x 10^k between lo and hi, plus ``extra`` values (kept exact), sorted."""
    lo, hi = max(lo, 1e-12), max(hi, lo)
    ks = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
    vals = {float(f"{m * 10.0**k:.3g}") for k in ks for m in _MANTISSAS}
    vals = {v for v in vals if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)}
    vals.update(float(v) for v in extra if lo <= v <= hi)
    return sorted(vals)


def log_slider(label: str, key: str, lo: float, hi: float, help: str | None = None,
               **kwargs: Any) -> float:
    """A slider over log-spaced values (the session value is always one of the options)."""
    current = st.session_state.get(key)
    ok = isinstance(current, float | int) and not isinstance(current, bool) and current > 0
    options = log_grid(lo, hi, [float(current)] if ok else [])
    if current not in options:
        target = np.log10(float(current)) if ok else np.log10(lo)
        st.session_state[key] = min(options, key=lambda v: abs(np.log10(v) - target))
    return float(st.select_slider(label, options=options, key=key, help=help,
                                  format_func=lambda v: f"{v:.3g}", **kwargs))


#: A pair hyperparameter's two sliders, after its name: "betas[0]" read as code beside an update
#: rule that writes β₁.
PAIR_NAMES = {"betas": ("β₁ (betas[0])", "β₂ (betas[1])")}


def hparam_control(opt: str, h: Any, key: str, persist: bool = False) -> Any:
    """The widget for one ``HParam`` (log slider, slider, integer input, toggle, or a pair).

    ``persist``: the value outlives runs in which the widget is not drawn (a collapsed card).
    """
    label = h.name
    help_ = h.help or None
    keep = {"persist_state": "page"} if persist else {}
    if h.kind == "bool":
        return st.toggle(label, key=key, help=help_, **keep)
    if h.kind == "int":
        return int(st.number_input(label, min_value=int(h.min), max_value=int(h.max), step=1,
                                   key=key, help=help_, **keep))
    if h.kind == "pair":
        init(f"{key}.0", float(st.session_state[key][0]))
        init(f"{key}.1", float(st.session_state[key][1]))
        # named as the update rule writes them (β₁, β₂), and as PyTorch does
        first, second = PAIR_NAMES.get(label, (f"{label}[0]", f"{label}[1]"))
        a = st.slider(first, float(h.min), float(h.max), key=f"{key}.0",
                      step=0.001, format="%.3f", help=help_, **keep)
        b = st.slider(second, float(h.min), float(h.max), key=f"{key}.1",
                      step=0.0001, format="%.4f", **keep)
        st.session_state[key] = (float(a), float(b))
        return (float(a), float(b))
    if h.log:
        return log_slider(label, key, float(h.min), float(h.max), help=help_, **keep)
    return float(st.slider(label, float(h.min), float(h.max), key=key,
                           step=slider_step(float(h.min), float(h.max)), format="%.4g",
                           help=help_, **keep))


def slider_step(lo: float, hi: float) -> float:
    """A round step for a linear slider over [lo, hi]: the power of ten at or under a thousandth
    of the range (momentum's 0 to 0.999 took steps of 0.000999 and read 0.899101). A range of
    exactly a power of ten keeps its power whatever the last bit of the logarithm."""
    return float(10.0 ** math.floor(math.log10((hi - lo) / 1000) + 1e-9))


def hparam_value(h: Any, value: Any) -> Any:
    """A stored hyperparameter value with the type its widget would return."""
    if h.kind == "bool":
        return bool(value)
    if h.kind == "int":
        return int(value)
    if h.kind == "pair":
        return (float(value[0]), float(value[1]))
    return float(value)


def marker_svg(name: str, px: int = 16, attrs: str = "") -> str:
    """The optimizer's marker as an SVG image ``px`` wide: its shape (``optimizer_symbol``) in
    its colour, as on the map; ``attrs``: more attributes of the ``<svg>`` element."""
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{px}' height='{px}' "
            f"viewBox='0 0 16 16'{attrs}>"
            f"{symbol_svg(optimizer_symbol(name), optimizer_color(name))}</svg>")


def color_swatch(name: str) -> str:
    """``marker_svg`` as a data URI (for ``st.column_config.ImageColumn``)."""
    return "data:image/svg+xml;utf8," + marker_svg(name).replace("#", "%23")


def named_in_color(table: Any, names: Sequence[str], column: str = "optimizer") -> Any:
    """``table`` (a DataFrame) styled with ``column`` written bold in each row's optimizer
    colour (``names``: registry names, one per row), darkened where the colour is too light to
    read on white (``viz.style.text_color``). Returns the Styler, to chain ``.format``."""
    colors = [text_color(optimizer_color(n)) for n in names]
    return table.style.apply(lambda col: [f"color: {c}; font-weight: 600" for c in colors],
                             subset=[column])


def color_chip(name: str, text: str) -> str:
    """HTML: the optimizer's marker (``marker_svg``), then ``text``."""
    return (marker_svg(name, 14, " aria-hidden='true' style='vertical-align:-1px'")
            + f" <b>{text}</b>")


def optimizer_picker(specs: Mapping[str, Any], key: str,
                     defaults: Callable[[str], dict[str, Any]], max_selected: int,
                     label: str = "Optimizers",
                     ) -> list[tuple[str, dict[str, Any]]]:
    """Choose any number of optimizers (registry order) and set each one's hyperparameters.

    ``st.session_state[key]`` is the list of names; ``defaults(name)`` gives a newly added
    optimizer's starting hyperparameters. Returns [(name, hparams)] in the chosen order. Each
    optimizer's card: one-line description, its settings (``card_settings``), and the update
    rule and reference.

    A card's contents are built only while it is open (``st.session_state[
    f"{key}.{name}.open"]``); closed cards read their values from session state (widgets keep
    them with ``persist_state``). Six closed cards save ~30 widgets and elements per rerun, and a
    card stays open when a new lr retitles it (an unkeyed card closed on every change).
    """
    names = st.multiselect(label, list(specs), key=key, max_selections=max_selected,
                           format_func=lambda n: specs[n].display_name,
                           help=f"Race up to {plural(max_selected, 'optimizer')}; each has its own "
                                "colour.")
    if len(names) >= max_selected:  # "Select all" takes the first ones in the list, silently
        st.caption(f"{plural(max_selected, 'optimizer')} at most (the picker keeps the first ones "
                   "of a “Select all”): remove one to add another.")
    chosen = []
    for name in names:
        spec = specs[name]
        start = defaults(name)
        for h in spec.hparams:
            init(f"{key}.{name}.{h.name}", start.get(h.name, h.default))
        lr_key = f"{key}.{name}.lr"
        open_key = f"{key}.{name}.open"
        # A closed card's title carries its lr; an open one's does not (its slider shows it): a
        # retitled card redrew its slider, which lost the keyboard focus after every arrow key.
        summary = (f" · lr {format_value(st.session_state[lr_key])}"
                   if lr_key in st.session_state and not st.session_state.get(open_key) else "")
        title = f"{spec.display_name}{summary}"
        card = st.expander(title, key=open_key, on_change="rerun",
                           expanded=bool(st.session_state.get(open_key, False)))
        if not card.open:
            stored = {h.name: st.session_state[f"{key}.{name}.{h.name}"] for h in spec.hparams}
            chosen.append((name, {h.name: hparam_value(h, stored[h.name]) for h in spec.hparams}))
            continue
        with card:
            st.markdown(color_chip(name, spec.display_name) + f" — {spec.description}",
                        unsafe_allow_html=True)
            hp = card_settings(name, spec, key)
            if spec.preset:
                st.caption("Fixed: " + ", ".join(f"{k} = {format_value(v)}"
                                                  for k, v in spec.preset.items()))
            st.caption("Update rule")
            # footnote size: the rules' rows then fit the ~206 px of a sidebar card
            st.latex(r"\footnotesize " + spec.update_rule)
            st.caption(symbol_legend(spec, hp))
            st.caption(f"Reference: {spec.reference}")
        chosen.append((name, hp))
    return chosen


def symbol_legend(spec: Any, values: dict[str, Any]) -> str:
    """Which setting each letter of ``spec``'s update rule is ("η is lr"), for the letters the
    rule shows, and that a weight decay λ of 0 drops its terms (plain Adam's rule shows AdamW's)."""
    said = []
    for h in spec.hparams:
        symbol, latex = HPARAM_SYMBOLS.get(h.name, ("", ""))
        if not symbol or latex not in spec.update_rule:
            continue
        text = f"{symbol} {'are' if ',' in symbol else 'is'} {h.name}"  # "β₁, β₂ are betas"
        if h.name == "weight_decay" and not values.get(h.name):
            text += " (0 here: its terms drop out)"
        said.append(text)
    return "; ".join(said) + "." if said else ""


def card_settings(name: str, spec: Any, key: str) -> dict[str, Any]:
    """An open card's settings: the ones that carry the lessons (``PRIMARY_HPARAMS``) always,
    the others behind a "More settings" toggle (hidden ones keep their values)."""
    extra = [h for h in spec.hparams if h.name not in PRIMARY_HPARAMS]
    values = {h.name: hparam_control(name, h, f"{key}.{name}.{h.name}", persist=True)
              for h in spec.hparams if h.name in PRIMARY_HPARAMS}
    more = bool(extra) and st.toggle(
        "More settings", key=f"{key}.{name}.more", persist_state="page",
        help="The other settings: " + ", ".join(h.name for h in extra) + ".")
    for h in extra:
        k = f"{key}.{name}.{h.name}"
        values[h.name] = (hparam_control(name, h, k, persist=True) if more
                          else hparam_value(h, st.session_state[k]))
    return {h.name: values[h.name] for h in spec.hparams}


def preset_optimizers(key: str, names: Sequence[str],
                      hparams: Mapping[str, Mapping[str, Any]]) -> None:
    """Put optimizers and their hyperparameters (e.g. parsed from a URL) into the widgets of
    ``optimizer_picker(key=key)`` before it is drawn."""
    ss = st.session_state
    ss[key] = list(names)
    for name, hp in hparams.items():
        for k, v in hp.items():
            ss[f"{key}.{name}.{k}"] = v


def preset_run(prefix: str, opt_key: str, state: Any) -> None:
    """Put a parsed ``RaceState``'s start, steps, seed, noise, minibatch and optimizers into the
    widgets under ``prefix`` (``{prefix}.start.x``, ``{prefix}.steps``, ...) before they are
    drawn."""
    ss = st.session_state
    ss[f"{prefix}.start.x"], ss[f"{prefix}.start.y"] = state.start
    ss[f"{prefix}.steps"] = state.steps
    ss[f"{prefix}.seed"] = state.seed
    ss[f"{prefix}.noise"] = ss[f"{prefix}.noise.held"] = state.noise
    if state.batch_size is not None:
        ss[f"{prefix}.batch"] = ss[f"{prefix}.batch.held"] = state.batch_size
    preset_optimizers(opt_key, state.optimizers, state.hparams)


#: The minibatch of a data loss until one is chosen.
DEFAULT_BATCH = 10


def noise_or_batch(prefix: str, data_loss: bool, samples: int) -> tuple[float, int | None]:
    """The run's source of stochasticity, drawn under ``prefix``: a data loss's minibatch size
    (``{prefix}.batch``) or a surface's gradient noise σ (``{prefix}.noise``), as (noise,
    batch size or None). Only one of the two is drawn, so both are held (``held``): a minibatch
    of 1 came back as 10 after a detour through a typed formula or another surface."""
    if data_loss:
        key = f"{prefix}.batch"
        held(key, DEFAULT_BATCH)
        return 0.0, int(st.slider("Minibatch size", 1, samples, key=key, on_change=hold,
                                  args=(key,),
                                  help=f"Samples per gradient step ({samples} = full-batch "
                                       "gradient descent; fewer = stochastic)."))
    key = f"{prefix}.noise"
    held(key, 0.0)
    said = ("Standard deviation of Gaussian noise added to every optimizer's gradient: a "
            "stand-in for the minibatch noise of stochastic gradient descent on an analytic "
            "surface (the same for Adam and the rest).")
    return float(st.number_input("Gradient noise σ", 0.0, 100.0, key=key, step=0.1,
                                 format="%.3g", on_change=hold, args=(key,), help=said)), None


def reset_hparams(key: str, specs: Mapping[str, Any]) -> None:
    """Forget every optimizer's settings under ``key`` (they re-initialise from the defaults)."""
    for name, spec in specs.items():
        for h in spec.hparams:
            for k in (f"{key}.{name}.{h.name}", f"{key}.{name}.{h.name}.0",
                      f"{key}.{name}.{h.name}.1"):
                st.session_state.pop(k, None)


def start_inputs(domain: Domain, key: str, axes: tuple[str, str] = ("x", "y"),
                 ) -> tuple[float, float]:
    """Start point by two number inputs bounded by the domain (keys ``{key}.x`` and ``{key}.y``),
    labelled with the landscape's ``axes`` (a data loss's parameters: w and b)."""
    (x0, x1), (y0, y1) = domain
    cx, cy = st.columns(2)
    step_x, step_y = (x1 - x0) / 100, (y1 - y0) / 100
    x = cx.number_input(axes[0], min_value=float(x0), max_value=float(x1), step=step_x,
                        key=f"{key}.x", format="%.4g")
    y = cy.number_input(axes[1], min_value=float(y0), max_value=float(y1), step=step_y,
                        key=f"{key}.y", format="%.4g")
    return float(x), float(y)


def fresh_click(key: str, value: Any) -> Any:
    """``value`` (a click read from chart ``key``'s selection) if it differs from the last click
    seen there, else None; remembers it under ``{key}.seen``. A chart keeps its selection across
    reruns, so a click is news once, and on a page of several charts the news is the newest.
    A redrawn figure comes back with no selection: the last click is then forgotten, so that
    clicking the same spot again (after the start was typed elsewhere) is news again."""
    if value is None:
        st.session_state.pop(f"{key}.seen", None)
        return None
    if value == st.session_state.get(f"{key}.seen"):
        return None
    st.session_state[f"{key}.seen"] = value
    return value


def clicked_point(event: Any, traces: Collection[int] | None = None,
                  ) -> tuple[float, float] | None:
    """(x, y) of the first point in a ``st.plotly_chart(on_select="rerun")`` event, if any;
    given ``traces``, of the first point on one of those traces (by ``curve_number``; a point
    without one counts as on them)."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        points = getattr(getattr(event, "selection", None), "points", None)
    if traces is not None:
        points = [p for p in points or () if _curve(p) in traces or _curve(p) is None]
    if not points:
        return None
    p = points[0]
    try:
        x, y = float(p["x"]), float(p["y"])
    except (KeyError, TypeError, ValueError):
        return None
    return (x, y) if np.isfinite(x) and np.isfinite(y) else None


def _curve(point: Any) -> int | None:
    """A selected point's trace index (``curve_number``), or None."""
    try:
        return int(point["curve_number"])
    except (KeyError, TypeError, ValueError):
        return None


def allowed(racers: Sequence[tuple[str, dict[str, Any]]], entry: Callable[[str, dict], Any],
            ) -> list[Any]:
    """``entry(name, hp)`` of each racer whose settings ``optimizers.get_optimizer`` accepts.
    A refused one (values each in range, but not together: nesterov without momentum) sits out
    with a warning saying why; if every one does, a note says how to race again."""
    out = []
    for name, hp in racers:
        why = refusal(name, hp)
        if why is not None:
            st.warning(f"{OPTIMIZERS[name].display_name} sits out: these settings are not "
                       f"allowed together ({why}).")
            continue
        out.append(entry(name, hp))
    if racers and not out:
        st.info("Change the settings in its card in the sidebar, or add another optimizer.")
    return out


def say_late_switches(racers: Sequence[tuple[str, dict[str, Any]]], steps: int) -> None:
    """A note for each racer whose ``switch_step`` comes at or after the run's last step: its
    legend said "switch at step 99999" over a 500-step run that never switched (a review)."""
    for name, hp in racers:
        switch = hp.get("switch_step")
        if switch is not None and switch >= steps:
            st.info(f"{OPTIMIZERS[name].display_name}: the switch to SGD at step {switch} "
                    f"comes after this run's {plural(steps, 'step')}, so it runs as Adam "
                    f"throughout; a switch step under {steps} shows the hand-over.")

"""URL state of the neural-network page, on top of the race's parser. Pure: no Streamlit.

The race's parameters ``optimizers``, ``seed`` and ``<opt>.<hparam>`` (e.g. ``adam.lr=0.01``) go
through ``app_pages.common.state.parse_race_query`` unchanged; the page's own ones are parsed
here with the same number parser (``app_pages.common.lab_state``):

=================  ==========================================================================
``dataset``        a ``landscape.datasets.DATASETS`` name (``two_moons``, ``spirals`` ...)
``samples``        points in the data set (a quarter is held out as the test set)
``noise``          the data set's jitter (its own units, up to the registry's ``max_noise``)
``classes``        number of classes (spirals: 2 or 3, blobs: 2 to 5)
``data_seed``      seed of the data set (``seed`` seeds the weights and the minibatch order)
``layers``         hidden widths, comma-separated: ``16,16``; empty or ``0`` = no hidden layer
``activation``     ``relu``, ``tanh`` or ``sigmoid``
``l2``             weight decay of the loss, (wd / 2) * sum ||W||^2
``epochs``         passes over the training data
``batch``          minibatch size (1 .. training samples)
``follow``         the example section's network: which optimizer trained it (a racing one)
``after_epoch``    the example section's epoch (one of the recorded epochs)
``point``          the example section's training point (0 .. training samples - 1)
``draw``           the network drawing's optimizer (one of ``optimizers``; default the first)
``grid``           the loss landscape's points per side (``landscape_grids()``; default 31)
``slice``          the landscape's open tab: ``paths`` (default), ``around`` or ``line``
=================  ==========================================================================

``follow``, ``after_epoch`` and ``point`` say what the page shows rather than what it trains:
which values are valid depends on the training, so the page checks them
(``parse_example_view``) once it has trained. ``draw`` and ``grid`` are checked here: a drawn
network must be one the link races. They and ``slice`` stay out of the link while they are the
page's own choice.

Junk never raises: it becomes the default plus a warning that names the parameter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app_pages.common.lab_state import Param, own_query, parse_choice, parse_params, split_query
from app_pages.common.limits import limit
from app_pages.common.presets import RacePreset
from app_pages.common.state import RaceState, kept, parse_race_query, race_query
from app_pages.common.words import plural
from landscape.base import batches_per_epoch
from landscape.datasets import DATASETS
from landscape.nn_layers import ACTIVATIONS

TEST_FRACTION = 0.25
MIN_SAMPLES = 40  # smallest data set (the page's slider starts here too)
MAX_L2 = 0.1
DEFAULT_OPTIMIZERS: tuple[str, ...] = ("adam", "sgd", "adam_then_sgd")
SWITCH_EPOCHS = 10  # the article: Adam for about the first 10 epochs, then SGD

#: Learning rates that train the default 2-16-16-2 tanh network on two moons in 40 epochs of
#: minibatches of 32 (picked from a sweep of 0.001 .. 3 per optimizer with the real packages).
NETWORK_LR: dict[str, float] = {
    "sgd": 0.1, "momentum": 0.03, "nesterov": 0.03, "adagrad": 0.1, "rmsprop": 0.003,
    "adadelta": 1.0, "adam": 0.01, "amsgrad": 0.01, "adamw": 0.01, "nadam": 0.01, "radam": 0.01,
    "adamax": 0.03, "lion": 0.003, "adam_then_sgd": 0.01,
}
#: The example section's view (``parse_example_view``), in the link after the training's keys.
VIEW_KEYS = ("follow", "after_epoch", "point")
OWN_KEYS = ("dataset", "samples", "noise", "classes", "data_seed", "layers", "activation", "l2",
            "epochs", "batch", "draw", "grid", "slice", *VIEW_KEYS)
#: The landscape's tabs, as the link names them: the paths' plane, a random plane around each
#: trained network, the line from the initial to each trained network's weights.
SLICES = ("paths", "around", "line")
IGNORED_KEYS = ("surface", "formula", "steps", "start")
_DIGITS = re.compile(r"^[0-9]{1,6}$")  # ASCII digits only ("²".isdigit() is True)


@dataclass(frozen=True)
class NetworkState:
    """Everything that determines the page: data, architecture, optimizers, training."""

    dataset: str = "two_moons"
    samples: int = 400
    noise: float = 0.2
    classes: int = 2
    data_seed: int = 0
    hidden: tuple[int, ...] = (16, 16)
    activation: str = "tanh"
    l2: float = 0.0
    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS
    hparams: dict[str, dict[str, Any]] = field(default_factory=dict)
    epochs: int = 40
    batch: int = 32
    seed: int = 0
    grid: int = 31  # the loss landscape's points per side (one of landscape_grids())
    draw: str | None = None  # the optimizer whose network is drawn (None: the first)
    slice_tab: str = SLICES[0]  # the landscape's open tab (``SLICES``; the link's ``slice``)

    @property
    def n_train(self) -> int:
        """Training points after the stratified hold-out (the same rounding as the split)."""
        return n_train(self.samples, self.classes)


DEFAULT = NetworkState()


def n_train(samples: int, classes: int) -> int:
    """Training points of a balanced data set of ``samples`` points in ``classes`` classes."""
    sizes = [samples // classes + (c < samples % classes) for c in range(classes)]
    return sum(s - round(TEST_FRACTION * s) for s in sizes)


def steps_per_epoch(samples: int, classes: int, batch: int) -> int:
    """Optimizer steps in one epoch: ceil(n_train / batch)."""
    return batches_per_epoch(n_train(samples, classes), batch)


def epoch_label(text: str, spe: int) -> str:
    """A legend name whose "switch at step 100" reads "switch at epoch 10" on a page counted in
    epochs of ``spe`` steps (a review: the table said step 100, the chart epoch 10)."""
    return re.sub(r"switch at step (\d+)",
                  lambda m: f"switch at epoch {round(int(m[1]) / max(1, spe), 1):g}", text)


def switch_words(switch_step: int, spe: int, epochs: int) -> str:
    """When Adam, then SGD hands over, in steps and epochs: "the switch to SGD comes after 100
    steps = 10 epochs of 10 steps each" (a student does not know what ``switch_step`` counts),
    and that it never comes when that is past the epochs trained."""
    spe = max(1, spe)
    shown = round(switch_step / spe, 1)  # epochs to one decimal, "about" when rounded
    about = "" if math.isclose(shown * spe, switch_step) else "about "
    text = (f"the switch to SGD comes after {plural(switch_step, 'step')} = "
            f"{about}{plural(shown, 'epoch')} of {plural(spe, 'step')} each")
    if switch_step >= spe * epochs:
        text += (f": after the last of the {plural(epochs, 'epoch')} trained, so it never "
                 "switches")
    return text


def architecture_name(hidden: tuple[int, ...]) -> str:
    """The article's words: linear classifier (no hidden layer), ANN (1), DNN (2 or more)."""
    if not hidden:
        return "linear classifier (no hidden layer)"
    if len(hidden) == 1:
        return "ANN (1 hidden layer)"
    return f"DNN ({len(hidden)} hidden layers)"


def network_hparams(name: str, spec: Any, spe: int) -> dict[str, Any]:
    """Starting hyperparameters of optimizer ``name`` on the network (registry defaults with the
    network's learning rate; Adam->SGD switches after ``SWITCH_EPOCHS`` epochs of ``spe`` steps)."""
    hp = {h.name: h.default for h in spec.hparams}
    if name in NETWORK_LR and "lr" in hp:
        hp["lr"] = NETWORK_LR[name]
    if name == "adam_then_sgd":
        hp["switch_step"] = SWITCH_EPOCHS * spe
        hp["sgd_lr"] = 0.1
    if name == "random_local_search":
        hp["step_size"] = 0.05
    return hp


def landscape_grids() -> tuple[int, ...]:
    """The loss landscape's resolutions (points per side): the page's slider offers exactly the
    values a link's ``grid`` may name, up to the server's limit."""
    return tuple(range(21, limit("landscape_grid") + 1, 10))


def parse_layers(text: str) -> tuple[int, ...] | None:
    """``"16,16"`` -> (16, 16); ``""``/``"0"``/``"none"`` -> (); None if not 0-3 valid widths."""
    t = str(text).strip().lower()
    if t in ("", "0", "none", "linear"):
        return ()
    parts = [p.strip() for p in t.split(",")]
    if len(parts) > limit("hidden_layers"):
        return None
    widths = []
    for p in parts:
        if not _DIGITS.match(p) or not 1 <= int(p) <= limit("layer_width"):
            return None
        widths.append(int(p))
    return tuple(widths)


def _params(dataset: str) -> dict[str, Param]:
    spec = DATASETS[dataset]
    n_max = limit("samples")
    return {
        "samples": Param("samples", DEFAULT.samples, MIN_SAMPLES, n_max, True),
        "noise": Param("noise", spec.default_noise if dataset != DEFAULT.dataset
                       else DEFAULT.noise, 0.0, spec.max_noise),
        "data_seed": Param("data_seed", 0, 0, 2**32 - 1, True),
        "l2": Param("l2", 0.0, 0.0, MAX_L2),
        "epochs": Param("epochs", DEFAULT.epochs, 1, limit("epochs"), True),
    }


class _Anywhere:
    domain = ((-1e9, 1e9), (-1e9, 1e9))


def parse_network_query(query: Mapping[str, str],
                        specs: Mapping[str, Any]) -> tuple[NetworkState, list[str]]:
    """Validate URL parameters into a NetworkState; return it and the warnings to show."""
    warn: list[str] = []
    cap = limit("url_value_chars")
    query = {k: str(v) for k, v in query.items()}
    race_part, mine = split_query(query, dict.fromkeys(OWN_KEYS))
    for key in IGNORED_KEYS:
        if race_part.pop(key, None) is not None:
            warn.append(f"URL parameter '{key}' does not apply to the neural network; ignored.")
    short = kept(mine)
    for key in [k for k in mine if k not in short]:
        warn.append(f"URL parameter '{key}' is longer than {cap} characters; ignored.")
    mine = short

    dataset = parse_choice(mine, "dataset", DATASETS, DEFAULT.dataset, warn)
    spec = DATASETS[dataset]
    own = parse_params(mine, _params(dataset), warn)
    classes = spec.n_classes
    if "classes" in mine:
        options = spec.class_options or (spec.n_classes,)
        text = mine["classes"].strip()
        if _DIGITS.match(text) and int(text) in options:
            classes = int(text)
        else:
            if len(options) == 1:  # "is not one of 2 for Two moons"
                warn.append(f"URL parameter 'classes'={text[:40]!r}: {spec.display_name} has "
                            f"{classes} classes, no other number; using {classes}.")
            else:
                warn.append(f"URL parameter 'classes'={text[:40]!r} is not one of "
                            f"{', '.join(map(str, options))} for {spec.display_name}; using "
                            f"{classes}.")
    hidden = DEFAULT.hidden
    if "layers" in mine:
        parsed = parse_layers(mine["layers"])
        if parsed is None:
            warn.append(f"URL parameter 'layers'={mine['layers'][:40]!r} is not up to "
                        f"{limit('hidden_layers')} comma-separated widths from 1 to "
                        f"{limit('layer_width')} (e.g. 16,16); using "
                        f"{','.join(map(str, hidden))}.")
        else:
            hidden = parsed
    activation = parse_choice(mine, "activation", list(ACTIVATIONS), DEFAULT.activation, warn)
    samples = max(int(own["samples"]), 4 * classes)
    train = n_train(samples, classes)
    batch = min(DEFAULT.batch, train)
    if "batch" in mine:
        got = parse_params(mine, {"batch": Param("batch", batch, 1, train, True)}, warn)
        batch = int(got["batch"])
    spe = steps_per_epoch(samples, classes, batch)

    def preset(_: str) -> RacePreset:
        return RacePreset(optimizers=DEFAULT.optimizers,
                          hparams={n: network_hparams(n, s, spe) for n, s in specs.items()},
                          start=(0.0, 0.0), steps=1)

    race, more = parse_race_query(race_part, {"network": _Anywhere()}, specs, preset, "network",
                                  _Anywhere.domain)
    warn += more
    grid = DEFAULT.grid
    if "grid" in mine:
        text = mine["grid"].strip()
        if _DIGITS.match(text) and int(text) in landscape_grids():
            grid = int(text)
        else:
            warn.append(f"URL parameter 'grid'={text[:40]!r} is not one of "
                        f"{', '.join(map(str, landscape_grids()))} (points per side of the loss "
                        f"landscape); using {grid}.")
    draw = mine.get("draw", "").strip() or None
    if draw is not None and draw not in race.optimizers:
        warn.append(f"URL parameter 'draw'={draw[:40]!r} is not one of the trained optimizers "
                    f"({', '.join(race.optimizers) or 'none'}); drawing the first.")
        draw = None
    state = NetworkState(dataset=dataset, samples=samples, noise=float(own["noise"]),
                         classes=classes, data_seed=int(own["data_seed"]), hidden=hidden,
                         activation=activation, l2=float(own["l2"]), optimizers=race.optimizers,
                         hparams=race.hparams, epochs=int(own["epochs"]), batch=batch,
                         seed=race.seed, grid=grid, draw=draw,
                         slice_tab=parse_choice(mine, "slice", list(SLICES), SLICES[0], warn))
    return state, warn


def network_query(state: NetworkState, specs: Mapping[str, Any]) -> dict[str, str]:
    """URL parameters that reproduce ``state`` (``parse_network_query`` reads them back)."""
    race = race_query(RaceState(surface="network", formula="", optimizers=state.optimizers,
                                hparams=state.hparams, seed=state.seed), specs)
    q = {k: v for k, v in race.items() if k not in ("surface", "steps", "start")}
    q = {"dataset": state.dataset,
         **own_query({"samples": state.samples, "noise": state.noise}),
         "layers": ",".join(map(str, state.hidden)) or "0",
         "activation": state.activation, **own_query({"epochs": state.epochs,
                                                      "batch": state.batch}), **q}
    if DATASETS[state.dataset].class_options:
        q["classes"] = str(state.classes)
    if state.data_seed:
        q["data_seed"] = str(state.data_seed)
    if state.l2:
        q["l2"] = repr(float(state.l2))
    if state.draw is not None:
        q["draw"] = state.draw
    if state.grid != DEFAULT.grid:
        q["grid"] = str(state.grid)
    if state.slice_tab != DEFAULT.slice_tab:
        q["slice"] = state.slice_tab
    return q


@dataclass(frozen=True)
class ExampleView:
    """What the example section shows: the network trained by ``follow``, after epoch
    ``after_epoch``, on training point ``point`` (None: the page's own choice)."""

    follow: str | None = None
    after_epoch: int | None = None
    point: int | None = None


def parse_example_view(query: Mapping[str, str], trained: Mapping[str, str],
                       epochs: list[int], n_points: int) -> tuple[ExampleView, list[str]]:
    """The example section's URL parameters, checked against what was trained: ``trained``
    (optimizer name -> label), the recorded ``epochs`` and the ``n_points`` training points.
    A value that is not one of them is dropped with a warning naming the parameter."""
    warn: list[str] = []
    got: dict[str, Any] = {}
    query = kept(query)  # over-long values: ``parse_network_query`` has said they are ignored
    text = {k: str(query[k]).strip()[:40] for k in VIEW_KEYS if k in query}
    if "follow" in text:
        if text["follow"] in trained:
            got["follow"] = text["follow"]
        else:
            warn.append(f"URL parameter 'follow'={text['follow']!r} is not one of the trained "
                        f"optimizers ({', '.join(trained)}); showing {next(iter(trained))}.")
    for key, valid, what in (("after_epoch", set(epochs), f"one of the recorded epochs "
                              f"({epochs[0]} to {epochs[-1]})"),
                             ("point", set(range(n_points)), f"a training point from 0 to "
                              f"{n_points - 1}")):
        if key not in text:
            continue
        value = int(text[key]) if _DIGITS.match(text[key]) else None
        if value in valid:
            got[key] = value
        else:
            warn.append(f"URL parameter '{key}'={text[key]!r} is not {what}; ignored.")
    return ExampleView(**got), warn


def example_query(view: ExampleView) -> dict[str, str]:
    """URL parameters of ``view`` (None values stay out: the page's own choice)."""
    return {k: str(v) for k, v in (("follow", view.follow), ("after_epoch", view.after_epoch),
                                   ("point", view.point)) if v is not None}


"""URL state of the neural-network page: defaults, round trips, and junk that never raises."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app_pages.common.network_state import (
    DEFAULT,
    MIN_SAMPLES,
    OWN_KEYS,
    architecture_name,
    landscape_grids,
    n_train,
    network_hparams,
    network_query,
    parse_layers,
    parse_network_query,
    steps_per_epoch,
    switch_words,
)
from landscape.datasets import make_dataset, train_test_split
from optimizers import OPTIMIZERS


def test_empty_query_gives_the_default_page_without_warnings() -> None:
    state, warnings = parse_network_query({}, OPTIMIZERS)
    assert warnings == []
    assert (state.dataset, state.hidden, state.activation) == ("two_moons", (16, 16), "tanh")
    assert state.optimizers == ("adam", "sgd", "adam_then_sgd")
    spe = steps_per_epoch(state.samples, state.classes, state.batch)
    # the article: Adam for about 10 epochs, then SGD
    assert state.hparams["adam_then_sgd"]["switch_step"] == 10 * spe
    assert state.hparams["sgd"]["lr"] == 0.1


@pytest.mark.parametrize("changes", [
    {},
    {"hidden": (), "dataset": "xor", "noise": 0.3},
    {"hidden": (8, 4, 2), "activation": "relu", "l2": 0.001, "data_seed": 7, "seed": 3},
    {"dataset": "spirals", "classes": 3, "samples": 600, "noise": 0.1, "batch": 300},
    {"dataset": "blobs", "classes": 5, "epochs": 3, "optimizers": ("momentum",),
     "hparams": {"momentum": {"lr": 0.02, "dampening": 0.0, "weight_decay": 0.0}}},
    # the registry's defaults, away from the page's own preset (switch after 10 epochs, SGD 0.1)
    {"optimizers": ("adam_then_sgd",), "hparams": {"adam_then_sgd": {
        **{h.name: h.default for h in OPTIMIZERS["adam_then_sgd"].hparams}}}},
    # how the page shows it: the landscape's resolution and the network drawn
    {"grid": 41, "draw": "sgd"},
    {"grid": 61, "draw": "adam"},
])
def test_the_written_query_reads_back_to_the_same_state(changes) -> None:
    state = replace(parse_network_query({}, OPTIMIZERS)[0], **changes)
    query = network_query(state, OPTIMIZERS)
    back, warnings = parse_network_query(query, OPTIMIZERS)
    assert warnings == []
    assert back == state


@pytest.mark.parametrize(("key", "value"), [
    ("dataset", "mnist"), ("samples", "5"), ("samples", "39"), ("samples", "1e9"), ("noise", "-1"),
    ("noise", "9"), ("classes", "7"), ("data_seed", "-3"), ("layers", "16,16,16,16"),
    ("layers", "0,4"), ("layers", "65"), ("layers", "a,b"), ("activation", "gelu"),
    ("l2", "nan"), ("epochs", "0"), ("epochs", "501"), ("batch", "0"), ("batch", "100000"),
    ("seed", "x"), ("adam.lr", "-1"), ("adam.nope", "1"), ("optimizers", "bogus"),
    ("steps", "100"), ("surface", "rosenbrock"), ("whatever", "1"), ("layers", "8" * 600),
    ("grid", "35"), ("grid", "71"), ("grid", "11"), ("grid", "x"), ("grid", "４１"),
    ("draw", "lion"), ("draw", "bogus"), ("draw", "<script>"),
])
def test_junk_falls_back_to_the_default_with_a_warning_naming_it(key, value) -> None:
    state, warnings = parse_network_query({key: value}, OPTIMIZERS)
    assert warnings, f"{key}={value!r} should warn"
    assert any(key.split(".")[-1] in w or key in w for w in warnings), warnings
    default, _ = parse_network_query({}, OPTIMIZERS)
    assert state.hidden == default.hidden and state.dataset == default.dataset
    assert state.epochs == default.epochs


def test_a_link_keeps_the_landscape_resolution_and_the_drawn_network() -> None:
    """A review set the resolution to 41 and copied the link: a fresh browser showed 31 (and the
    first optimizer's drawing). Both are in the link now, the default resolution left out."""
    state, warnings = parse_network_query({"grid": "41", "draw": "sgd"}, OPTIMIZERS)
    assert warnings == [] and (state.grid, state.draw) == (41, "sgd")
    query = network_query(state, OPTIMIZERS)
    assert (query["grid"], query["draw"]) == ("41", "sgd")
    default = network_query(DEFAULT, OPTIMIZERS)
    assert "grid" not in default and "draw" not in default
    assert DEFAULT.grid == 31 and DEFAULT.draw is None
    assert list(landscape_grids()) == [21, 31, 41, 51, 61]


def test_a_drawn_network_must_be_one_that_trains() -> None:
    """``draw`` names a racing optimizer: one the link does not race is named and dropped."""
    state, warnings = parse_network_query({"optimizers": "adam,sgd", "draw": "adam_then_sgd"},
                                          OPTIMIZERS)
    assert state.draw is None
    assert any("'draw'" in w and "adam, sgd" in w for w in warnings), warnings


@pytest.mark.parametrize(("switch", "spe", "epochs", "words"), [
    (100, 10, 40, "the switch to SGD comes after 100 steps = 10 epochs of 10 steps each"),
    (1, 10, 40, "the switch to SGD comes after 1 step = 0.1 epochs of 10 steps each"),
    (15, 10, 40, "after 15 steps = 1.5 epochs of 10 steps each"),
    (100, 3, 40, "after 100 steps = about 33.3 epochs of 3 steps each"),
    (10, 10, 40, "after 10 steps = 1 epoch of 10 steps each"),
    (7, 1, 40, "after 7 steps = 7 epochs of 1 step each"),
    (400, 10, 40, "after 400 steps = 40 epochs of 10 steps each: after the last of the 40 "
                  "epochs trained, so it never switches"),
])
def test_the_switch_is_said_in_steps_and_epochs(switch, spe, epochs, words) -> None:
    """The sidebar said "`switch_step` counts steps" (a name from the code) to students."""
    text = switch_words(switch, spe, epochs)
    assert words in text and "switch_step" not in text


def test_per_optimizer_overrides_apply() -> None:
    state, warnings = parse_network_query(
        {"optimizers": "adam,sgd", "adam.lr": "0.02", "sgd.momentum": "0.9"}, OPTIMIZERS)
    assert warnings == []
    assert state.hparams["adam"]["lr"] == 0.02
    assert state.hparams["sgd"]["momentum"] == 0.9 and state.hparams["sgd"]["lr"] == 0.1


@pytest.mark.parametrize(("text", "expected"), [
    ("16,16", (16, 16)), (" 4 , 8 ", (4, 8)), ("0", ()), ("", ()), ("none", ()), ("64", (64,)),
    ("1,2,3", (1, 2, 3)), ("1,2,3,4", None), ("0,1", None), ("-1", None), ("1.5", None),
    ("65", None), ("1,,2", None), ("²", None), ("16,²", None), ("1" * 5000, None),
])
def test_parse_layers(text, expected) -> None:
    assert parse_layers(text) == expected


def test_architecture_names_follow_the_article() -> None:
    assert architecture_name(()) == "linear classifier (no hidden layer)"
    assert architecture_name((5,)) == "ANN (1 hidden layer)"
    assert architecture_name((5, 5)) == "DNN (2 hidden layers)"
    assert architecture_name((5, 5, 5)) == "DNN (3 hidden layers)"


@pytest.mark.parametrize(("name", "samples", "classes"), [
    ("two_moons", 400, 2), ("two_moons", 41, 2), ("spirals", 301, 3), ("blobs", 203, 5),
])
def test_n_train_matches_the_real_split(name, samples, classes) -> None:
    options = {"n_classes": classes} if name in ("spirals", "blobs") else {}
    X, y = make_dataset(name, samples, None, 0, **options)
    Xtr, *_ = train_test_split(X, y, 0.25, 0)
    assert n_train(samples, classes) == len(Xtr)


def test_network_hparams_are_valid_for_every_optimizer() -> None:
    from optimizers import get_optimizer

    for name, spec in OPTIMIZERS.items():
        get_optimizer(name, **network_hparams(name, spec, 10))


def test_batch_is_capped_by_the_training_set() -> None:
    state, warnings = parse_network_query({"samples": "40", "batch": "35"}, OPTIMIZERS)
    assert state.batch == min(DEFAULT.batch, n_train(40, 2))
    assert any("batch" in w for w in warnings)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from([*OWN_KEYS, "optimizers", "seed", "adam.lr", "sgd.lr",
                                        "steps", "junk"]),
                       st.text(max_size=30), max_size=8))
def test_any_query_parses_without_raising(query) -> None:
    state, warnings = parse_network_query(query, OPTIMIZERS)
    assert 1 <= state.batch <= state.n_train
    assert MIN_SAMPLES <= state.samples <= 2000  # always within the page's slider
    assert len(state.hidden) <= 3 and all(1 <= w <= 64 for w in state.hidden)
    assert state.grid in landscape_grids() and state.draw in (None, *state.optimizers)
    assert isinstance(warnings, list)


def test_a_class_count_a_dataset_cannot_have_says_what_it_has() -> None:
    """Two moons has 2 classes: "'classes'='3' is not one of 2 for Two moons" read oddly."""
    state, warnings = parse_network_query({"dataset": "two_moons", "classes": "3"}, OPTIMIZERS)
    assert state.classes == 2
    assert warnings == ["URL parameter 'classes'='3': Two moons has 2 classes, no other number; "
                        "using 2."]
    _, warnings = parse_network_query({"dataset": "spirals", "classes": "9"}, OPTIMIZERS)
    assert len(warnings) == 1 and "is not one of 2, 3" in warnings[0], warnings


def test_a_switch_is_named_in_epochs_on_the_network_page() -> None:
    from app_pages.common.network_state import epoch_label

    assert epoch_label("Adam, then SGD (lr 0.01, then 0.1, switch at step 100)", 10) == \
        "Adam, then SGD (lr 0.01, then 0.1, switch at epoch 10)"
    assert epoch_label("Adam, then SGD (switch at step 25)", 10).endswith("epoch 2.5)")
    assert epoch_label("Adam (lr 0.01)", 10) == "Adam (lr 0.01)"

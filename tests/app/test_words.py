"""Counts in the pages' sentences read as English: "1 epoch", "2 epochs", never "1 epochs"."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from app_pages.common.words import and_list, loss_text, plural, probability_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("n", "word", "expected"), [
    (1, "epoch", "1 epoch"), (2, "epoch", "2 epochs"), (0, "step", "0 steps"),
    (1200, "step", "1,200 steps"), (1.0, "step", "1 step"), (1.5, "step", "1.5 steps"),
    (1, "network", "1 network"), (3, "pass", "3 passes"), (-1, "step", "-1 step"),
])
def test_plural(n, word, expected) -> None:
    forms = {"pass": "passes"}
    assert plural(n, word, forms.get(word)) == expected


def test_and_list() -> None:
    assert and_list(["SGD"]) == "SGD"
    assert and_list(["SGD", "Adam"]) == "SGD and Adam"
    assert and_list(["SGD", "Adam", "RMSprop"]) == "SGD, Adam and RMSprop"


# Pages and helpers whose sentences the plural helper covers (the race and basins pages are
# outside it).
COVERED = ["app_pages/concepts.py", "app_pages/learning_rate.py", "app_pages/neural_network.py",
           "app_pages/common/tour.py", "app_pages/common/lab.py", "app_pages/common/network.py",
           "app_pages/common/limits.py", "app_pages/common/basins.py",
           "app_pages/common/state.py", "app_pages/common/controls.py"]
#: "{count} nouns" in an f-string, where the count could be 1.
COUNT_NOUN = re.compile(r"\{([^{}]+)\}\**\s+(epochs|steps|trials|networks|drops|weights|starts|"
                        r"optimizers|characters)\b")
#: Counts that can never be 1: run lengths and sweeps (sliders from 10), the tour's 30 epochs,
#: weight counts (the smallest network, 2 inputs x 2 classes, has 6) and the lab tuner's starts
#: (always the chosen start and the 8 around it: ``lab_compute.tune``).
NEVER_ONE = {"steps", "EPOCHS", "n_sweep", "n_weights", "net.n_params", "n_starts", "t.starts"}


def _fstrings(path: Path) -> list[str]:
    """The literal text of every f-string in a module, with each {expression} kept as its source."""
    src = path.read_text(encoding="utf-8")
    out = []
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.JoinedStr):
            out.append(ast.get_source_segment(src, node) or "")
    return out


@pytest.mark.parametrize("module", COVERED)
def test_no_count_is_glued_to_a_plural_noun(module: str) -> None:
    """A count that can be 1 goes through ``plural`` ("1 epochs" was on the network page)."""
    bad = [m.group(0) for text in _fstrings(ROOT / module) for m in COUNT_NOUN.finditer(text)
           if m.group(1).split(":")[0].strip() not in NEVER_ONE]
    assert not bad, f"{module}: use plural() for {bad}"


def test_a_near_certain_probability_never_reads_as_1_with_zero_loss() -> None:
    """A review found "p = 1 (right), so its loss is −log 1 = 0.000" for p = 0.99996."""
    assert probability_text(0.99996) == "1 − 4e-05" and loss_text(4.0e-5) == "4e-05"
    assert probability_text(0.00158) == "0.00158" and probability_text(0.42) == "0.42"
    assert probability_text(0.9994) == "0.999" and probability_text(1.0) == "1"
    # softmax underflowed: p is e^(−L), never "0" beside "−log 0 = 6722.150" (a review)
    assert probability_text(0.0, 6722.15013) == "e^(−6722.2)"
    assert probability_text(1e-200, 460.5) == "1e-200"
    assert loss_text(6.4481) == "6.448" and loss_text(0.0) == "0.000"


def test_below_chance_accuracy_is_explained() -> None:
    from app_pages.common.tour import Responsibility, accuracy_text

    def r(acc: float) -> Responsibility:
        z = np.zeros(3)
        return Responsibility(x=z[:2], label=0, probs=np.array([0.34, 0.34, 0.32]), loss=1.08,
                              grad_logits=z, grad_weight=np.zeros((3, 2)), grad_bias=z,
                              accuracy=acc)

    assert accuracy_text(r(0.03), 0) == ("Training accuracy after 0 steps: 3%, below the 1-in-3 "
                                         "of guessing: the network's probabilities are nearly "
                                         "equal, and its tiny preferences happen to point the "
                                         "wrong way for most points.")
    assert accuracy_text(r(0.9), 40) == "Training accuracy after 40 steps: 90%."

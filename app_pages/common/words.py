"""Small helpers for the words pages put around numbers (no Streamlit)."""

from __future__ import annotations

import numpy as np

from viz.numbers import TINY_P


def plural(n: int | float, singular: str, plural_form: str | None = None) -> str:
    """``n`` and the noun in the right number: ``plural(1, "epoch")`` -> "1 epoch",
    ``plural(1200, "step")`` -> "1,200 steps", ``plural(2, "network", "networks")``.

    Whole numbers get thousands separators; the singular is used for exactly 1 (and -1) only, so
    "0 steps" and "1.5 steps" read as English does. ``plural_form`` defaults to ``singular + "s"``.
    """
    many = plural_form if plural_form is not None else singular + "s"
    whole = float(n).is_integer()
    text = f"{int(n):,}" if whole else f"{n:g}"
    return f"{text} {singular if whole and abs(int(n)) == 1 else many}"


def and_list(items: list[str]) -> str:
    """Items joined as a sentence lists them: "A", "A and B", "A, B and C"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def probability_text(p: float, loss: float | None = None) -> str:
    """A probability to 3 significant figures that never rounds a near-certainty to "1":
    0.00158 -> "0.00158", 0.42 -> "0.42", 0.99996 -> "1 − 4e-05" (its loss −log p is 4e-05,
    not 0); below ``TINY_P``, with its ``loss`` −log p given, "e^(−6722.2)", never "0"."""
    if p < TINY_P and loss is not None and np.isfinite(loss):
        return f"e^(−{loss:.5g})"
    if p > 0.9995:
        return f"1 − {1.0 - p:.2g}" if p < 1.0 else "1"
    return f"{p:.3g}"


def loss_text(loss: float) -> str:
    """A cross-entropy loss to 3 decimals, or 2 significant figures below 0.001 (never "0.000"
    for a loss that is not 0)."""
    return f"{loss:.3f}" if loss >= 0.001 or loss == 0 else f"{loss:.2g}"

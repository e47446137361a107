"""Small helpers for the words pages put around numbers (no Streamlit)."""

from __future__ import annotations


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

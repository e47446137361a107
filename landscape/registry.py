"""The surface registry: one dict drives the UI, the README table and the parametrized tests."""

from __future__ import annotations

from landscape.base import Surface
from landscape.classic import CLASSIC
from landscape.teaching import TEACHING

SURFACES: dict[str, Surface] = {s.name: s for s in (*TEACHING, *CLASSIC)}


def get_surface(name: str) -> Surface:
    """The registered surface called ``name``; ValueError listing the valid names otherwise."""
    try:
        return SURFACES[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(SURFACES))
        raise ValueError(f"unknown surface {name!r}; valid names: {valid}") from None


def _fmt(v: float) -> str:
    """Six significant digits; rounding noise below 1e-12 prints as 0."""
    return "0" if abs(v) < 1e-12 else f"{v:.6g}"


def _global_cell(s: Surface) -> str:
    pts = "; ".join(f"({_fmt(m.point[0])}, {_fmt(m.point[1])})" for m in s.global_minima)
    return f"{pts} -> {_fmt(s.min_value)}"


def markdown_table(surfaces: dict[str, Surface] | None = None) -> str:
    """Markdown table of the registry: name, title, global minimum, local minima, what to watch."""
    rows = [
        "| Name | Surface | Global minimum (x, y) -> f | Local minima | What to watch for |",
        "|---|---|---|---|---|",
    ]
    for name, s in (surfaces or SURFACES).items():
        n_local = len(s.minima) - len(s.global_minima)
        desc = s.description.replace("|", "\\|")
        rows.append(f"| `{name}` | {s.title} | {_global_cell(s)} | {n_local} | {desc} |")
    return "\n".join(rows) + "\n"

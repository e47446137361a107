"""Typed formulas: ``from_expression("x**2 + 3*y**2")`` -> a Surface with an exact gradient.

Safety: the text only reaches ``ast.parse``; SymPy objects are built from a whitelisted tree
(``expression_parse``) of inert functions (``expression_functions``), differentiated symbolically
by the chain, product and power rules, and evaluated by a NumPy instruction list
(``expression_numeric``): never through ``eval``, ``sympify`` or ``lambdify``. Minima are found
numerically (``expression_minima``). Results are cached per (formula, domain), so a Streamlit
page may call this on every rerun. Every step is bounded by the size limits of the parser.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from landscape.base import Domain, Surface
from landscape.expression_functions import ExpressionError, X, Y, derivative
from landscape.expression_minima import (
    NoMinimum,
    default_start,
    find_minima,
    fine_grid,
    wants_log_scale,
)
from landscape.expression_numeric import Program
from landscape.expression_parse import MAX_LENGTH, parse
from landscape.expression_text import collapse_whitespace, relocate

__all__ = ["DEFAULT_DOMAIN", "ExpressionError", "ExpressionSurface", "from_expression"]

DEFAULT_DOMAIN: Domain = ((-5.0, 5.0), (-5.0, 5.0))
MAX_COORD = 1e4  # domain bounds must lie within [-1e4, 1e4]
MIN_SPAN = 1e-6
MAX_LATEX = 3000  # characters of LaTeX worth rendering in the page
INTERNAL = "Sorry, this formula could not be handled; try writing it differently"


@dataclass(frozen=True, eq=False)
class ExpressionSurface(Surface):
    """A Surface from a typed formula: ``title`` is SymPy's normalised form, ``formula`` the text as
    typed (whitespace collapsed; it rebuilds the surface when unpickled), ``gradient_latex`` the
    LaTeX of (df/dx, df/dy); ``interior_minimum`` is False when the lowest point in view is not a
    true minimum (then ``minima[0]`` is that point, labelled "lowest in view ..."), and
    ``no_minimum`` says why (flat, rounding, view_edge, domain_edge, unbounded, unknown;
    "interior" when there is one) and ``no_minimum_note`` says it to the user ("" when there is
    a minimum);
    ``cost``: NumPy operations of one value-and-gradient evaluation (``Program.cost``), what every
    gradient step runs and the race's ``formula_work`` limit counts."""

    formula: str = ""
    gradient_latex: tuple[str, str] = ("", "")
    interior_minimum: bool = True
    no_minimum: NoMinimum = "interior"
    no_minimum_note: str = ""
    cost: int = 0

    def __reduce__(self) -> tuple[object, tuple[str, Domain]]:
        """Pickle as the formula and domain (st.cache_data pickles return values)."""
        return from_expression, (self.formula, self.domain)


def _latex(expr: sp.Expr) -> str:
    """LaTeX of ``expr``, or a short note if it is too long to be worth rendering (the page
    writes the left-hand side, ``f(x, y) =`` or ``∂f/∂x =``, itself)."""
    tex = sp.latex(expr)
    return tex if len(tex) <= MAX_LATEX else r"\text{(too long to display)}"


def _at(point: tuple[float, float]) -> str:
    return f"({point[0]:.3g}, {point[1]:.3g})"


def no_minimum_note(kind: NoMinimum, lowest: tuple[float, float], value: float) -> str:
    """What the race page tells the user when a formula has no minimum a path can reach."""
    star = ("The hollow ☆ marks only the lowest point in view, so no path can reach a minimum "
            "here; the table counts none.")
    if kind == "flat":
        # "= ... everywhere" and "its gradient is zero" were untrue of a product of 59 sines,
        # whose values (~1e-14) and gradient vary, too little for a step to show (a review)
        return (f"This formula is constant over the view, to within a billionth (f ≈ "
                f"{value:.6g} everywhere): the surface is flat, its gradient zero or too small "
                "to move a step, so the optimizers have nowhere to go and there is no minimum "
                "to reach.")
    if kind == "rounding":
        return (f"This formula's values agree to about 12 digits all over the view "
                f"(f ≈ {value:.6g}): any slope the map shows lies in the last digits a computer "
                "keeps, so no minimum can be told from the values. Its exact gradient is not "
                "zero, though: the optimizers still move, following it.")
    if kind == "view_edge":
        return (f"This formula has no minimum inside the view: it keeps falling past the edge "
                f"of the view, where its lowest point in view {_at(lowest)} lies. {star}")
    if kind == "domain_edge":
        return (f"This formula has no minimum inside the view that a gradient can settle in: its "
                f"lowest value, f = {value:.6g} at {_at(lowest)}, lies on the boundary of the "
                "region where the formula is defined (beyond it the formula has no real value, "
                "like the square root of a negative number), where the slope does not vanish. "
                "Steps overshoot that point, and a path that steps over the boundary leaves the "
                "region where the formula is defined and stops there (✕). The hollow ☆ marks the "
                "point; the table counts no minimum.")
    if kind == "unbounded":
        return (f"This formula has no minimum inside the view: it is unbounded below, falling "
                f"to −∞ near {_at(lowest)}: at a pole (like log(0) or −1/0), or past the "
                f"largest number a computer holds (~1.8e308), so there is always lower ground. "
                f"There the slope grows without bound, so a path that comes close takes a huge "
                f"step: it is flung across or off the map, or blows up. {star}")
    if kind == "unknown":
        return f"This formula has no minimum inside the view that the search could find. {star}"
    return ""


def validate_domain(domain: object) -> Domain:
    """((xmin, xmax), (ymin, ymax)) of finite floats, min < max, within [-1e4, 1e4]."""
    if domain is None:
        return DEFAULT_DOMAIN
    try:
        (x0, x1), (y0, y1) = domain  # type: ignore[misc]
        box = ((float(x0), float(x1)), (float(y0), float(y1)))
    except (TypeError, ValueError):
        raise ExpressionError("The domain must be ((xmin, xmax), (ymin, ymax)).") from None
    for axis, (lo, hi) in zip("xy", box, strict=True):
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ExpressionError(f"The {axis} range must be finite numbers.")
        if not hi - lo >= MIN_SPAN:
            raise ExpressionError(f"The {axis} range needs max − min ≥ {MIN_SPAN:g} "
                                  f"(got {lo:g} to {hi:g}).")
        if max(abs(lo), abs(hi)) > MAX_COORD:
            raise ExpressionError(f"The {axis} range must lie within ±{MAX_COORD:g}.")
    return box


def from_expression(text: str, domain: Domain | None = None) -> ExpressionSurface:
    """The Surface f(x, y) = ``text`` over ``domain`` (default [-5, 5]^2), or ExpressionError.

    Syntax: numbers, x, y, pi, e, + - * / ** ^ (power), parentheses, sin cos tan exp log (ln)
    sqrt abs tanh sinh cosh arctan (atan) arcsin (asin) arccos (acos), min(a, b), max(a, b).
    """
    if not isinstance(text, str):
        raise ExpressionError(f"A formula must be text, not {type(text).__name__}.")
    if len(text.strip()) > MAX_LENGTH:
        raise ExpressionError(
            f"The formula is too long ({len(text.strip())} characters, at most {MAX_LENGTH})."
        )
    box = validate_domain(domain)
    normal, index = collapse_whitespace(text)  # the cache key; messages count in ``text``
    try:
        return _build(normal, box)
    except ExpressionError as err:
        moved = relocate(err, normal, text, index)
        if moved is err:
            raise
        raise moved from None
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError,
            MemoryError) as err:  # a bug or an exhausted resource: refuse, don't crash the page
        raise ExpressionError(f"{INTERNAL} ({type(err).__name__}).") from err


#: Built formulas kept. A long product keeps ~1.6 MB (its programs and the grid its minima were
#: searched on): 128 of them held ~230 MB of a hosted demo's 1 GB for good (a review); the app
#: keeps its own bounded, expiring cache above this one.
BUILT_KEPT = 16


@functools.lru_cache(maxsize=BUILT_KEPT)
def _build(text: str, domain: Domain) -> ExpressionSurface:
    """Parse, differentiate, compile, check finiteness, find minima and a start (uncached)."""
    expr = parse(text)
    grads = (derivative(expr, X), derivative(expr, Y))
    program = Program([expr, *grads])
    value_program = Program([expr])

    def f(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return value_program(x, y)[0]

    def df(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        _, gx, gy = program(x, y)
        return gx, gy

    probe = Surface("custom", "", "", domain, (), (0.0, 0.0), f=f, df=df)
    pts, vals = fine_grid(probe.value, domain)
    finite = np.isfinite(vals)
    if not finite.any():
        raise ExpressionError(
            "The formula is not a finite number anywhere in the view (for example the log or "
            "square root of a negative number, or a value beyond 1e308)."
        )
    with np.errstate(all="ignore"):
        if not np.isfinite(probe.grad(pts[finite])).all(axis=-1).any():
            raise ExpressionError("The formula's gradient is not finite anywhere in the view.")
    with np.errstate(all="ignore"):  # overflow far from the minima is expected, not an error
        minima, kind = find_minima(probe.value, probe.grad, domain, pts, vals,
                                   cost=program.cost)
        start = default_start(probe.value, probe.grad, domain, minima)
        log_scale = wants_log_scale(vals, min(m.value for m in minima))
    title = sp.sstr(expr)
    note = no_minimum_note(kind, minima[0].point, minima[0].value)
    where = f" {note}" if note else ""
    return ExpressionSurface(
        name="custom",
        title=title,
        description=f"Your formula f(x, y) = {title}, with its exact symbolic gradient. "
        f"Minima found numerically from many starts.{where}",
        domain=domain,
        minima=minima,
        default_start=start,
        latex=_latex(expr),
        log_scale=log_scale,
        f=f,
        df=df,
        formula=text,
        gradient_latex=(_latex(grads[0]), _latex(grads[1])),
        interior_minimum=kind == "interior",
        no_minimum=kind,
        no_minimum_note=note,
        cost=program.cost,
    )

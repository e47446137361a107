"""The vocabulary of typed formulas: symbols, inert SymPy functions, their derivatives.

Every named function is our own small ``sympy.Function`` subclass with no automatic evaluation:
SymPy's ``sin``, ``sinh``, ``log``, ``Abs``... inspect their arguments when built (assumption
queries, ``as_real_imag``, ``Mod``, polynomial gcds), which takes minutes on some nested formulas
of 300 characters. Ours carry their NumPy ufunc and derivative, print like SymPy's, and
:func:`derivative` applies the chain, product and power rules itself, so building and
differentiating a formula costs time proportional to its size. SymPy still does the algebra of
``Add``, ``Mul`` and ``Pow`` (collecting terms, powers with constant exponents).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy.printing.precedence import PRECEDENCE


class ExpressionError(ValueError):
    """A typed formula was refused; the message says what is wrong and what is allowed.

    When the fault has a place, ``text`` is the formula the message refers to and ``span`` the
    (start, end) of the offending part in it (0-based, end excluded); ``reason`` and ``hint`` are
    the message's parts around the position, so that the position can be moved back to the text
    the user typed (``expression_text.relocate``). Otherwise ``span`` is None.
    """

    def __init__(self, message: str, *, reason: str = "", hint: str = "", text: str = "",
                 span: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.reason, self.hint, self.text, self.span = reason or message, hint, text, span


X = sp.Symbol("x", real=True)
Y = sp.Symbol("y", real=True)


class Inert(sp.Function):
    """A named function without automatic evaluation: ``ufunc`` evaluates it, ``partial(i)``
    is its derivative in argument i, and it prints as ``text_name(...)`` / ``latex_name``."""

    text_name = ""
    latex_name = ""
    ufunc: Callable[..., np.ndarray] = staticmethod(np.positive)

    def partial(self, i: int) -> sp.Expr:
        raise NotImplementedError

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self.partial(argindex - 1)

    def _latex(self, printer: sp.printing.latex.LatexPrinter, exp: str | None = None) -> str:
        inner = ", ".join(printer._print(arg) for arg in self.args)
        if self.latex_name == "|":
            tex = rf"\left|{{{inner}}}\right|"
        elif self.latex_name == "e":
            tex = rf"e^{{{inner}}}"
        else:
            tex = rf"{self.latex_name}{{\left({inner} \right)}}"
        if exp is None:
            return tex
        return rf"{tex}^{{{exp}}}" if self.latex_name == "|" else rf"\left({tex}\right)^{{{exp}}}"

    def _sympystr(self, printer: sp.printing.str.StrPrinter) -> str:
        return f"{self.text_name}({', '.join(printer._print(arg) for arg in self.args)})"


def _unary(name: str, latex: str, ufunc: Callable[..., np.ndarray],
           partial: Callable[[sp.Expr], sp.Expr], doc: str) -> type[Inert]:
    """An Inert one-argument function class: f(u) with f'(u) = ``partial(u)``."""
    return type(name.capitalize(), (Inert,), {
        "nargs": 1, "text_name": name, "latex_name": latex, "ufunc": staticmethod(ufunc),
        "partial": lambda self, i: partial(self.args[0]), "__doc__": doc,
        "__module__": __name__})


def _sq(u: sp.Expr) -> sp.Expr:
    return sp.Pow(u, 2)


Sign = _unary("sign", r"\operatorname{sign}", np.sign, lambda u: sp.Integer(0),
              "sign(u) in {-1, 0, 1}; derivative 0 almost everywhere.")
Step = _unary("step", r"\operatorname{step}", lambda u: np.heaviside(u, 0.5),
              lambda u: sp.Integer(0),
              "Heaviside step: 1 for u > 0, 0 for u < 0, 1/2 at 0 (derivative of max, min).")
Sin = _unary("sin", r"\sin", np.sin, lambda u: Cos(u), "sin u; d = cos u.")
Cos = _unary("cos", r"\cos", np.cos, lambda u: -Sin(u), "cos u; d = -sin u.")
Tan = _unary("tan", r"\tan", np.tan, lambda u: 1 + _sq(Tan(u)), "tan u; d = 1 + tan^2 u.")
Exp = _unary("exp", "e", np.exp, lambda u: Exp(u), "e^u; d = e^u.")
Log = _unary("log", r"\log", np.log, lambda u: 1 / u, "natural log u; d = 1/u.")
Sinh = _unary("sinh", r"\sinh", np.sinh, lambda u: Cosh(u), "sinh u; d = cosh u.")
Cosh = _unary("cosh", r"\cosh", np.cosh, lambda u: Sinh(u), "cosh u; d = sinh u.")
Tanh = _unary("tanh", r"\tanh", np.tanh, lambda u: 1 - _sq(Tanh(u)), "tanh u; d = 1 - tanh^2.")
Atan = _unary("atan", r"\operatorname{atan}", np.arctan, lambda u: 1 / (1 + _sq(u)),
              "arctan u; d = 1 / (1 + u^2).")
Asin = _unary("asin", r"\operatorname{asin}", np.arcsin, lambda u: 1 / sp.sqrt(1 - _sq(u)),
              "arcsin u; d = 1 / sqrt(1 - u^2).")
Acos = _unary("acos", r"\operatorname{acos}", np.arccos, lambda u: -1 / sp.sqrt(1 - _sq(u)),
              "arccos u; d = -1 / sqrt(1 - u^2).")
RealAbs = _unary("abs", "|", np.abs, lambda u: Sign(u), "|u|; d = sign(u) (a.e.).")


class Max2(Inert):
    """max(a, b); d max = step(a - b) da + step(b - a) db."""

    nargs = 2
    text_name, latex_name = "max", r"\max"
    ufunc = staticmethod(np.maximum)

    def partial(self, i: int) -> sp.Expr:
        a, b = self.args
        return Step(a - b) if i == 0 else Step(b - a)


class Min2(Inert):
    """min(a, b); d min = step(b - a) da + step(a - b) db."""

    nargs = 2
    text_name, latex_name = "min", r"\min"
    ufunc = staticmethod(np.minimum)

    def partial(self, i: int) -> sp.Expr:
        a, b = self.args
        return Step(b - a) if i == 0 else Step(a - b)


def real_power(b: np.ndarray, u: np.ndarray) -> np.ndarray:
    """b^u for a variable exponent u: e^(u ln b), real for b >= 0 only (NaN for b < 0).

    NumPy's power is also real at b < 0 where u is a whole number: ``x**y`` had isolated real
    points on the rows of whole y left of x = 0 ((-0.1)^-5 = -10^5), which set the colour scale
    and the "lowest point" of a map whose every other point there has no value."""
    return np.where(b < 0, np.nan, np.power(b, u))


class Power(Inert):
    """b^u for a non-constant exponent u, for b >= 0 (``real_power``);
    d = u b^(u-1) db + b^u log(b) du."""

    nargs = 2
    text_name = "pow"
    ufunc = staticmethod(real_power)

    def partial(self, i: int) -> sp.Expr:
        b, u = self.args
        return u * Power(b, u - 1) if i == 0 else self * Log(b)

    def _latex(self, printer: sp.printing.latex.LatexPrinter, exp: str | None = None) -> str:
        b, u = self.args
        base = printer._print(b)
        if not (b.is_Symbol or (b.is_Number and b >= 0) or b.is_NumberSymbol):
            base = rf"\left({base}\right)"
        tex = rf"{base}^{{{printer._print(u)}}}"
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def _sympystr(self, printer: sp.printing.str.StrPrinter) -> str:
        b, u = (printer.parenthesize(arg, PRECEDENCE["Pow"]) for arg in self.args)
        return f"{b}**{u}"


def derivative(expr: sp.Expr, var: sp.Symbol, memo: dict | None = None) -> sp.Expr:
    """d expr / d var by the sum, product, power and chain rules (shared subtrees once)."""
    memo = {} if memo is None else memo
    if expr in memo:
        return memo[expr]
    if expr == var:
        out: sp.Expr = sp.Integer(1)
    elif not expr.has(var):
        out = sp.Integer(0)
    elif isinstance(expr, sp.Add):
        out = sp.Add(*(derivative(a, var, memo) for a in expr.args))
    elif isinstance(expr, sp.Mul):
        args = expr.args
        out = sp.Add(*(sp.Mul(derivative(a, var, memo), *args[:i], *args[i + 1 :])
                       for i, a in enumerate(args) if a.has(var)))
    elif isinstance(expr, sp.Pow) and not expr.exp.has(var):
        b, n = expr.args
        out = n * sp.Pow(b, n - 1) * derivative(b, var, memo)
    elif isinstance(expr, sp.Pow):
        out = derivative(Power(*expr.args), var, memo)
    elif isinstance(expr, Inert):
        out = sp.Add(*(expr.partial(i) * derivative(a, var, memo)
                       for i, a in enumerate(expr.args) if a.has(var)))
    elif isinstance(expr, sp.Abs):  # SymPy turns (u**2)**(1/2) into Abs(u) for real u
        out = Sign(expr.args[0]) * derivative(expr.args[0], var, memo)
    else:
        raise ExpressionError(f"The formula uses {type(expr).__name__}, which cannot be "
                              "differentiated here.")
    memo[expr] = out
    return out


def _folding(func: type[Inert], numeric: Callable[..., sp.Expr]) -> Callable[..., sp.Expr]:
    """Build ``func(*args)``, or ``numeric(*args)`` when every argument is a number."""

    def build(*args: sp.Expr) -> sp.Expr:
        if all(isinstance(arg, sp.Number) for arg in args):
            return numeric(*args)
        return args[0] if len(args) == 2 and args[0] == args[1] else func(*args)

    return build


FUNCTIONS: dict[str, tuple[int, Callable[..., sp.Expr]]] = {
    "sin": (1, Sin),
    "cos": (1, Cos),
    "tan": (1, Tan),
    "exp": (1, Exp),
    "log": (1, Log),
    "ln": (1, Log),
    "sqrt": (1, sp.sqrt),
    "abs": (1, _folding(RealAbs, abs)),
    "tanh": (1, Tanh),
    "sinh": (1, Sinh),
    "cosh": (1, Cosh),
    "arctan": (1, Atan),
    "atan": (1, Atan),
    "arcsin": (1, Asin),
    "asin": (1, Asin),
    "arccos": (1, Acos),
    "acos": (1, Acos),
    "min": (2, _folding(Min2, sp.Min)),
    "max": (2, _folding(Max2, sp.Max)),
}
NAMES: dict[str, sp.Expr] = {"x": X, "y": Y, "pi": sp.pi, "e": sp.E, "E": sp.E}

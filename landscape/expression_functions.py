"""The vocabulary of typed formulas: the symbols, the named functions, and the error type.

``abs``, ``min``, ``max`` (and the ``sign``/``step`` in their derivatives) are our own small SymPy
functions: SymPy's ``Abs``/``Max`` would phrase derivatives of non-obviously-real arguments with
``re``/``im`` and run assumption queries; ours have the textbook derivatives, defined almost
everywhere, and print as ``abs(...)``, ``max(...)`` and ``|...|``, ``\\max(...)`` in LaTeX.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp


class ExpressionError(ValueError):
    """A typed formula was refused; the message says what is wrong and what is allowed."""


X = sp.Symbol("x", real=True)
Y = sp.Symbol("y", real=True)

# --- functions whose derivative SymPy would phrase with re/im or assumption queries: our own ---


class _Named(sp.Function):
    """A SymPy function printed as ``text_name(...)`` and ``latex_name(...)``. Constant arguments
    are folded by the builder (``_folding``), so no automatic simplification is defined here."""

    text_name = ""
    latex_name = ""

    def _latex(self, printer: sp.printing.latex.LatexPrinter, exp: str | None = None) -> str:
        inner = ", ".join(printer._print(arg) for arg in self.args)
        if self.latex_name == "|":
            tex = rf"\left|{{{inner}}}\right|"
        else:
            tex = rf"{self.latex_name}\left({inner}\right)"
        if exp is None:
            return tex
        return rf"{tex}^{{{exp}}}" if self.latex_name == "|" else rf"\left({tex}\right)^{{{exp}}}"

    def _sympystr(self, printer: sp.printing.str.StrPrinter) -> str:
        return f"{self.text_name}({', '.join(printer._print(arg) for arg in self.args)})"


class RealAbs(_Named):
    """|u| for real u; d|u| = sign(u) du (SymPy's Abs would bring in re/im)."""

    nargs = 1
    text_name, latex_name = "abs", "|"

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return Sign(self.args[0])


class Sign(_Named):
    """sign(u) in {-1, 0, 1}; derivative 0 almost everywhere."""

    nargs = 1
    text_name, latex_name = "sign", r"\operatorname{sign}"

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)


class Step(_Named):
    """Heaviside step: 1 for u > 0, 0 for u < 0, 1/2 at 0 (the derivative of max/min, a.e.)."""

    nargs = 1
    text_name, latex_name = "step", r"\theta"

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)


class Max2(_Named):
    """max(a, b); d max = step(a - b) da + step(b - a) db."""

    nargs = 2
    text_name, latex_name = "max", r"\max"

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        a, b = self.args
        return Step(a - b) if argindex == 1 else Step(b - a)


class Min2(_Named):
    """min(a, b); d min = step(b - a) da + step(a - b) db."""

    nargs = 2
    text_name, latex_name = "min", r"\min"

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        a, b = self.args
        return Step(b - a) if argindex == 1 else Step(a - b)


def _folding(func: type[_Named], numeric: Callable[..., sp.Expr]) -> Callable[..., sp.Expr]:
    """Build ``func(*args)``, or ``numeric(*args)`` when every argument is a number."""

    def build(*args: sp.Expr) -> sp.Expr:
        if all(isinstance(arg, sp.Number) for arg in args):
            return numeric(*args)
        return args[0] if len(args) == 2 and args[0] == args[1] else func(*args)

    return build


FUNCTIONS: dict[str, tuple[int, Callable[..., sp.Expr]]] = {
    "sin": (1, sp.sin),
    "cos": (1, sp.cos),
    "tan": (1, sp.tan),
    "exp": (1, sp.exp),
    "log": (1, sp.log),
    "ln": (1, sp.log),
    "sqrt": (1, sp.sqrt),
    "abs": (1, _folding(RealAbs, abs)),
    "tanh": (1, sp.tanh),
    "sinh": (1, sp.sinh),
    "cosh": (1, sp.cosh),
    "arctan": (1, sp.atan),
    "atan": (1, sp.atan),
    "arcsin": (1, sp.asin),
    "asin": (1, sp.asin),
    "arccos": (1, sp.acos),
    "acos": (1, sp.acos),
    "min": (2, _folding(Min2, sp.Min)),
    "max": (2, _folding(Max2, sp.Max)),
}
NAMES: dict[str, sp.Expr] = {"x": X, "y": Y, "pi": sp.pi, "e": sp.E, "E": sp.E}

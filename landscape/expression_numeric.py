"""SymPy expressions -> a straight-line NumPy program (no generated code, no ``lambdify``).

Each distinct subexpression of the outputs becomes one instruction ``(ufunc, argument slots)``;
shared subexpressions (the value and both partial derivatives share most of theirs) are computed
once per call. Constant subexpressions are folded when the program is built.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp

from landscape.expression_functions import ExpressionError, Inert, X, Y

# SymPy's own classes that Add/Mul/Pow may create; everything else is an ``Inert`` function.
SYMPY_UNARY: dict[type, Callable[[np.ndarray], np.ndarray]] = {sp.Abs: np.abs, sp.exp: np.exp}
NARY: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    sp.Add: np.add,
    sp.Mul: np.multiply,
    sp.Max: np.maximum,
    sp.Min: np.minimum,
}
UNDEFINED = "The formula is undefined: it divides by zero or takes the log of 0."
COMPLEX = "The formula has imaginary values (like sqrt(-1)); only real formulas are supported."


def _power(exponent: sp.Expr) -> Callable[..., np.ndarray] | None:
    """A fast ufunc for common constant exponents, or None for the general np.power."""
    special = {
        sp.Integer(2): np.square,
        sp.Integer(-1): np.reciprocal,
        sp.Rational(1, 2): np.sqrt,
        sp.Rational(-1, 2): lambda b: np.reciprocal(np.sqrt(b)),
    }
    return special.get(exponent)


def _owned(value: object, work: tuple[int, ...], shape: tuple[int, ...],
           shared: bool) -> np.ndarray:
    """``value`` (an array of shape ``work`` or a constant) as a float array of ``shape`` that the
    caller may keep and modify: copied if it is an input or was already handed out."""
    if not isinstance(value, np.ndarray) or shared:
        value = np.array(np.broadcast_to(value, work), dtype=float)
    return value.reshape(shape)


class Program:
    """Evaluate several SymPy expressions in x, y at once, as NumPy arrays."""

    def __init__(self, outputs: Sequence[sp.Expr]) -> None:
        self.code: list[tuple[int, Callable[..., np.ndarray], tuple[int, ...]]] = []
        self.consts: dict[int, float] = {}
        self.slots: dict[sp.Expr, int] = {X: 0, Y: 1}
        self.n = 2
        with np.errstate(all="ignore"):
            self.outputs = [self._slot(expr) for expr in outputs]
        # Free each intermediate array right after its last use, and let a ufunc write into an
        # argument that dies there (out=): NumPy then reuses warm memory instead of faulting in
        # fresh pages for every operation (4x faster on a 300 x 300 grid). Every non-constant
        # slot holds a float array of the common shape, so this plan is fixed in advance.
        last_use = {a: i for i, (_, _, args) in enumerate(self.code) for a in args}
        dying: list[list[int]] = [[] for _ in self.code]
        for slot, i in last_use.items():
            if slot > 1 and slot not in self.consts and slot not in self.outputs:
                dying[i].append(slot)
        self.plan = [(dest, fn, args, dead[0] if dead and isinstance(fn, np.ufunc) else -1,
                      tuple(dead)) for (dest, fn, args), dead in zip(self.code, dying, strict=True)]

    def _emit(self, fn: Callable[..., np.ndarray], args: tuple[int, ...]) -> int:
        slot = self.n
        self.n += 1
        if all(a in self.consts for a in args):
            self.consts[slot] = float(fn(*(np.float64(self.consts[a]) for a in args)))
        else:
            self.code.append((slot, fn, args))
        return slot

    def _const(self, value: float) -> int:
        slot = self.n
        self.n += 1
        self.consts[slot] = value
        return slot

    def _slot(self, expr: sp.Expr) -> int:
        if expr in self.slots:
            return self.slots[expr]
        slot = self._translate(expr)
        self.slots[expr] = slot
        return slot

    def _translate(self, expr: sp.Expr) -> int:
        if expr.is_Number or expr.is_NumberSymbol:
            if expr.has(sp.zoo, sp.oo, sp.nan, -sp.oo):
                raise ExpressionError(UNDEFINED.format(what=expr))
            try:
                value = float(expr)
            except OverflowError:
                value = np.inf
            except TypeError:
                raise ExpressionError(COMPLEX) from None
            if not np.isfinite(value):
                raise ExpressionError("A number in the formula is too large (beyond 1e308).")
            return self._const(value)
        if expr is sp.I or isinstance(expr, sp.core.numbers.ImaginaryUnit):
            raise ExpressionError(COMPLEX)
        if expr in (sp.zoo, sp.oo, -sp.oo, sp.nan):
            raise ExpressionError(UNDEFINED.format(what=expr))
        func = expr.func
        if func in NARY:
            slots = [self._slot(arg) for arg in expr.args]
            return functools.reduce(lambda a, b: self._emit(NARY[func], (a, b)), slots)
        if isinstance(expr, Inert):
            return self._emit(expr.ufunc, tuple(self._slot(arg) for arg in expr.args))
        if func in SYMPY_UNARY:
            return self._emit(SYMPY_UNARY[func], (self._slot(expr.args[0]),))
        if func is sp.Pow:
            base, exponent = expr.args
            fast = _power(exponent)
            if fast is not None:
                return self._emit(fast, (self._slot(base),))
            return self._emit(np.power, (self._slot(base), self._slot(exponent)))
        raise ExpressionError(f"The formula uses {func.__name__}, which cannot be evaluated here.")

    @property
    def cost(self) -> int:
        """NumPy operations one call runs (constants folded): its time per point evaluated."""
        return len(self.plan)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        """Values of every output at (x, y), broadcast to their common shape, as float arrays."""
        x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        shape = x.shape
        if not shape:  # 0-d: compute on (1,) so every intermediate is an array
            x, y = x.reshape(1), y.reshape(1)
        regs: list[object] = [None] * self.n
        regs[0], regs[1] = x, y
        for slot, value in self.consts.items():
            regs[slot] = value
        with np.errstate(all="ignore"):
            for dest, fn, args, reuse, dead in self.plan:
                if reuse < 0:
                    regs[dest] = fn(*[regs[a] for a in args])
                else:
                    regs[dest] = fn(*[regs[a] for a in args], out=regs[reuse])
                for slot in dead:
                    regs[slot] = None
        return [_owned(regs[s], x.shape, shape, s < 2 or s in self.outputs[:k])
                for k, s in enumerate(self.outputs)]

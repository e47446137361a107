"""Typed formula text -> SymPy expression, through a whitelisted ``ast`` tree.

The text is only ever handed to ``ast.parse(mode="eval")``; every SymPy object is built here, node
by node, from a small whitelist (numbers, ``x``, ``y``, ``pi``, ``e``, ``+ - * / ** ^``, and a few
named functions). Nothing is evaluated as Python. Work is bounded structurally (length, nodes,
nesting depth, power towers, exponent and constant magnitudes) so SymPy can never be asked for a
9**9**9-sized integer or an expansion that would hang the server.
"""

from __future__ import annotations

import ast
import difflib
import math
import re

import numpy as np
import sympy as sp

from landscape.expression_functions import FUNCTIONS, NAMES, Exp, ExpressionError, Power
from landscape.expression_numeric import Program
from landscape.expression_text import (
    ALLOWED,
    IMPLICIT,
    MAX_DEPTH,
    MAX_LENGTH,
    quote,
    read,
    refuse,
    source_index,
)

# The limits (MAX_LENGTH and MAX_DEPTH live with the text checks) are public: the README's limits
# table is generated from them.
__all__ = ["MAX_DEPTH", "MAX_EXPONENT", "MAX_LENGTH", "MAX_NODES", "MAX_TOWER", "parse"]

MAX_NODES = 300
MAX_TOWER = 3  # a ** b ** c ** d is the tallest power tower accepted
MAX_EXPONENT = 100.0  # |exponent| bound for constant exponents
MAX_LOG10 = 300.0  # constant parts may not exceed 1e300 in magnitude (SymPy would hang on them)
MAX_INT_BITS = 100  # integer literals: about 30 decimal digits
MAX_EXACT_BITS = 1000  # exact integers/fractions SymPy builds along the way: about 300 digits
MAX_ROOT = 100  # a constant exponent p/q with q > 100 is used as a float (no exact q-th roots)

# Node types refused with a sentence of their own; anything else not handled gets a generic one.
REFUSED: dict[type, str] = {
    ast.Attribute: "attribute access ({attr}) is not allowed",
    ast.Subscript: "indexing with [ ] is not allowed",
    ast.Lambda: "lambda functions are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.IfExp: "conditional expressions (if/else) are not allowed; use min, max or abs",
    ast.NamedExpr: "assignments (:=) are not allowed",
    ast.Compare: "comparisons (==, <, >, ...) are not allowed: a formula gives a number",
    ast.BoolOp: "'and'/'or' are not allowed: a formula gives a number",
    ast.JoinedStr: "text strings are not allowed",
    ast.List: "lists [ ] are not allowed",
    ast.Tuple: "a formula is a single expression; a comma is only allowed in min(a, b)/max(a, b)",
    ast.Set: "sets { } are not allowed",
    ast.Dict: "dictionaries { } are not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.Slice: "slices are not allowed",
}
OPERATORS: dict[type, str] = {
    ast.FloorDiv: "'//' is not supported; use /",
    ast.Mod: "'%' (remainder) is not supported",
    ast.MatMult: "'@' is not supported; use *",
    ast.LShift: "'<<' is not supported",
    ast.RShift: "'>>' is not supported",
    ast.BitOr: "'|' is not supported; use abs(...) for absolute values",
    ast.BitAnd: "'&' is not supported",
    ast.Not: "'not' is not supported: a formula gives a number",
    ast.Invert: "'~' is not supported",
}
def _chain(node: ast.AST, group: tuple[type, ...]) -> list[tuple[bool, ast.AST]]:
    """Flatten a left-nested chain ``a op b op c`` into [(inverted, operand)] (``-``, ``/``)."""
    items: list[tuple[bool, ast.AST]] = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, group):
        items.append((isinstance(node.op, ast.Sub | ast.Div), node.right))
        node = node.left
    items.append((False, node))
    return items[::-1]


def _check_size(tree: ast.AST, text: str) -> None:
    """Bound node count and nesting depth without recursion (chains like a+b+c count as flat)."""
    nodes = sum(isinstance(node, ast.expr) for node in ast.walk(tree))
    if nodes > MAX_NODES:
        raise refuse(f"the formula is too large ({nodes} parts, at most {MAX_NODES})")
    stack: list[tuple[ast.AST, int, type | None]] = [(tree, 0, None)]
    while stack:
        node, depth, parent_group = stack.pop()
        group = _group(node)
        if not (group is not None and group is parent_group):
            depth += 1
        if depth > MAX_DEPTH:
            raise refuse(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)")
        stack.extend((child, depth, group) for child in ast.iter_child_nodes(node))


def _group(node: ast.AST) -> type | None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        return ast.Add
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div):
        return ast.Mult
    return None


def parse(text: str) -> sp.Expr:
    """Formula text -> SymPy expression in the real symbols x, y; else ExpressionError, whose
    position counts in ``text`` as given."""
    tree, text, source, columns = read(text)
    _check_size(tree, text)
    return _Builder(text, source, columns).build(tree.body)[0]


class _Builder:
    """Validate and convert one AST node at a time; returns (expr, power-tower height)."""

    def __init__(self, text: str, source: str, columns: list[int]) -> None:
        self.text = text
        self.source = source
        self.columns = columns

    def span(self, node: ast.AST) -> tuple[int | None, int | None]:
        """Where ``node`` lies in the user's text: (start, end), or (None, None)."""
        start = source_index(self.source, getattr(node, "lineno", None),
                             getattr(node, "col_offset", None))
        end = source_index(self.source, getattr(node, "end_lineno", None),
                           getattr(node, "end_col_offset", None), end=True)
        if start is None:
            return None, None
        return self.columns[start], None if end is None else self.columns[end]

    def between(self, left: ast.AST, right: ast.AST) -> tuple[int | None, int | None]:
        """The operator between two nodes in the user's text (without spaces and parentheses)."""
        _, a = self.span(left)
        b, _ = self.span(right)
        if a is None or b is None:
            return None, None
        gap = self.text[a:b]
        s = a + len(gap) - len(gap.lstrip(" \t\n\r()"))
        e = b - len(gap) + len(gap.rstrip(" \t\n\r()"))
        return (s, e) if e > s else (None, None)

    def refuse_operator(self, message: str, node: ast.AST, where: tuple[int | None, int | None],
                        hint: str = "") -> ExpressionError:
        """Refuse at the operator ``where`` if it was found, else at the whole ``node``."""
        if where[0] is None:
            return self.refuse(message, node, hint)
        return refuse(message, self.text, where[0], where[1], hint)

    def refuse(self, message: str, node: ast.AST, hint: str = "") -> ExpressionError:
        start, end = self.span(node)
        return refuse(message, self.text, start, end, hint)

    def snippet(self, node: ast.AST) -> str:
        """The user's own text for ``node`` (shortened), to quote in a message."""
        start, end = self.span(node)
        return quote(self.text[start:end]) if start is not None else "this part"

    def build(self, node: ast.AST) -> tuple[sp.Expr, int]:
        """Build ``node``; constant parts must be real and below 1e300 in magnitude, because
        SymPy evaluates constants exactly (``sin(exp(exp(100)))`` would never finish)."""
        expr, tower = self.node(node)
        if any(max(abs(r.p), r.q).bit_length() > MAX_EXACT_BITS for r in expr.atoms(sp.Rational)):
            raise self.refuse(f"the exact numbers in {self.snippet(node)} grow too large "
                              "(more than 300 digits)", node)
        if not expr.free_symbols:
            try:
                value = _constant(expr)
            except ExpressionError as err:  # 1/0, log(0)...: say which part
                if err.span is not None:
                    raise
                raise self.refuse(err.reason, node, err.hint) from None
            if math.isnan(value):
                raise self.refuse(f"{self.snippet(node)} is not a real number "
                                  "(a root or log of a negative number?)", node)
            if math.isinf(value):
                raise self.refuse(f"{self.snippet(node)} is infinite (a division by zero, log(0), "
                                  f"or beyond 1e{MAX_LOG10:g})", node)
            if not abs(value) <= 10**MAX_LOG10:
                raise self.refuse(f"{self.snippet(node)} is too large (beyond 1e{MAX_LOG10:g})",
                                  node)
            if not _plain(expr):
                expr = sp.Float(value)  # SymPy's printers and assumptions would evalf it
        return expr, tower

    def node(self, node: ast.AST) -> tuple[sp.Expr, int]:
        if isinstance(node, ast.Constant):
            return self.constant(node), 0
        if isinstance(node, ast.Name):
            return self.name(node), 0
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub | ast.UAdd):
                expr, tower = self.build(node.operand)
                return (-expr if isinstance(node.op, ast.USub) else expr), tower
            start, _ = self.span(node)
            operand, _ = self.span(node.operand)
            where = (start, operand) if start is not None and operand is not None else (None, None)
            if where[0] is not None:
                op = self.text[where[0] : where[1]].rstrip(" \t\n\r(")
                where = (where[0], where[0] + len(op))
            raise self.refuse_operator(
                OPERATORS.get(type(node.op), "this operator is not supported"), node, where)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        template = REFUSED.get(type(node), "this kind of expression is not allowed")
        if isinstance(node, ast.Attribute):  # point at '.name', not at what comes before it
            start, end = self.span(node)
            dotted = "." + node.attr
            at = None if start is None or end is None else self.text.rfind(dotted, start, end)
            message = template.replace("{attr}", quote(dotted))
            if at is not None and at >= 0:
                raise refuse(message, self.text, at, at + len(dotted), ALLOWED)
            raise self.refuse(message, node, ALLOWED)
        if isinstance(node, ast.Compare):
            raise self.refuse_operator(template, node, self.between(node.left,
                                                                    node.comparators[0]), ALLOWED)
        if isinstance(node, ast.BoolOp):
            raise self.refuse_operator(template, node, self.between(*node.values[:2]), ALLOWED)
        raise self.refuse(template, node, ALLOWED)

    def constant(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.refuse(f"{self.snippet(node)} is not a number", node, ALLOWED)
        if isinstance(value, str | bytes):
            raise self.refuse("text strings are not allowed", node, ALLOWED)
        if isinstance(value, complex):
            raise self.refuse("imaginary numbers (like 1j) are not allowed", node)
        if isinstance(value, int):
            if value.bit_length() > MAX_INT_BITS:
                raise self.refuse("this whole number is too long (at most 30 digits)", node)
            return sp.Integer(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.refuse(f"this number is too large (beyond 1e{MAX_LOG10:g})", node)
            return sp.Float(value)
        raise self.refuse("this constant is not allowed", node, ALLOWED)

    def name(self, node: ast.Name) -> sp.Expr:
        if node.id in NAMES:
            return NAMES[node.id]
        if node.id in FUNCTIONS:
            raise self.refuse(f"{quote(node.id)} is a function: write {quote(node.id + '(...)')}",
                              node)
        close = difflib.get_close_matches(node.id.lower(), [*NAMES, *FUNCTIONS], n=1)
        hints = ["The variables are x and y, the constants pi and e."]
        if re.fullmatch(r"[xy]+|[xy]*\d+[xy]*", node.id):
            hints.append(IMPLICIT)
        if close:
            hints.append(f"Did you mean {quote(close[0])}?")
        raise self.refuse(f"unknown name {quote(node.id)}", node, " ".join(hints))

    def binop(self, node: ast.BinOp) -> tuple[sp.Expr, int]:
        group = _group(node)
        if group is not None:
            ops = (ast.Add, ast.Sub) if group is ast.Add else (ast.Mult, ast.Div)
            chain = _chain(node, ops)
            parts = [(inv, *self.build(operand)) for inv, operand in chain]
            for (inv, expr, _), (_, operand) in zip(parts, chain, strict=True):
                if inv and group is ast.Mult and expr.is_Number and expr.is_zero:
                    what = "" if isinstance(operand, ast.Constant) else \
                        f": {self.snippet(operand)} is always 0"
                    raise self.refuse("division by zero" + what, operand)
            tower = max(t for _, _, t in parts)
            if group is ast.Add:
                return sp.Add(*[-e if inv else e for inv, e, _ in parts]), tower
            return sp.Mul(*[sp.Pow(e, -1) if inv else e for inv, e, _ in parts]), tower
        if isinstance(node.op, ast.Pow | ast.BitXor):
            return self.power(node)
        raise self.refuse_operator(OPERATORS.get(type(node.op), "this operator is not supported"),
                                   node, self.between(node.left, node.right), ALLOWED)

    def power(self, node: ast.BinOp) -> tuple[sp.Expr, int]:
        base, tower_b = self.build(node.left)
        exponent, tower_e = self.build(node.right)
        tower = max(tower_b, tower_e + 1)
        if tower > MAX_TOWER:
            raise self.refuse("powers are stacked too high (`a**b**c**d` is the limit)", node)
        if not exponent.free_symbols:
            e = _constant(exponent)
            if abs(e) > MAX_EXPONENT:
                raise self.refuse(f"the exponent {self.snippet(node.right)} (= {e:.6g}) is too "
                                  f"large (at most {MAX_EXPONENT:g} in size)", node.right)
            if not base.free_symbols:
                b = abs(_constant(base))
                size = abs(e) * math.log10(b) if b > 0 else 0.0
                if not math.isfinite(size) or size > MAX_LOG10:
                    raise self.refuse(f"this power is too large (beyond 1e{MAX_LOG10:g})", node)
        if base == sp.E:
            return Exp(exponent), tower
        if exponent.free_symbols:
            return Power(base, exponent), tower
        if isinstance(exponent, sp.Rational) and exponent.q > MAX_ROOT:
            exponent = sp.Float(exponent)  # SymPy would look for an exact q-th root
        return sp.Pow(base, exponent), tower

    def call(self, node: ast.Call) -> tuple[sp.Expr, int]:
        func = node.func
        if isinstance(func, ast.Attribute):  # x.f(...): the attribute is the fault
            self.node(func)
        if not isinstance(func, ast.Name):
            raise self.refuse("only named functions can be called", node, IMPLICIT)
        if func.id in NAMES:
            raise self.refuse(f"{quote(func.id)} is not a function", func, IMPLICIT)
        if func.id not in FUNCTIONS:
            close = difflib.get_close_matches(func.id.lower(), list(FUNCTIONS), n=1)
            hint = f"Did you mean {quote(close[0])}? " if close else ""
            raise self.refuse(f"unknown function {quote(func.id)}", func, hint + ALLOWED)
        if node.keywords:
            raise self.refuse(f"the function {func.id} takes no named arguments (name=value)", node)
        arity, builder = FUNCTIONS[func.id]
        if len(node.args) != arity or any(isinstance(a, ast.Starred) for a in node.args):
            what = "one argument" if arity == 1 else f"{arity} arguments"
            example = f"{func.id}(x)" if arity == 1 else f"{func.id}(x, y)"
            raise self.refuse(f"the function {func.id} takes {what}, like {example}; "
                              f"it got {len(node.args)}", node)
        built = [self.build(arg) for arg in node.args]
        return builder(*(expr for expr, _ in built)), max(t for _, t in built)


def _plain(expr: sp.Expr) -> bool:
    """A constant SymPy can handle exactly and cheaply: numbers, pi, e, and sums, products and
    integer powers of those. Anything else (sin(1), sqrt(2), 2**pi) is folded to a float, because
    SymPy evaluates such constants, to high precision and sometimes by polynomial expansion,
    whenever it orders terms for printing or asks whether they are positive."""
    if expr.is_Number or expr.is_NumberSymbol:
        return True
    if isinstance(expr, sp.Pow):
        return expr.exp.is_Integer and _plain(expr.base)
    return isinstance(expr, sp.Add | sp.Mul) and all(_plain(arg) for arg in expr.args)


def _constant(expr: sp.Expr) -> float:
    """Float64 value of a constant SymPy expression by the NumPy program (no SymPy evalf, which
    can take forever); ExpressionError if it is undefined or imaginary."""
    return float(Program([expr])(np.float64(0.0), np.float64(0.0))[0])

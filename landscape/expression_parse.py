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
from landscape.expression_text import ALLOWED, IMPLICIT, MAX_DEPTH, MAX_LENGTH, read, refuse

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
    ast.Attribute: "attribute access ('.{attr}') is not allowed",
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
    """Formula text -> SymPy expression in the real symbols x, y; else ExpressionError."""
    tree, text, columns = read(text)
    _check_size(tree, text)
    return _Builder(text, columns).build(tree.body)[0]


class _Builder:
    """Validate and convert one AST node at a time; returns (expr, power-tower height)."""

    def __init__(self, text: str, columns: list[int]) -> None:
        self.text = text
        self.columns = columns

    def refuse(self, message: str, node: ast.AST) -> ExpressionError:
        col = getattr(node, "col_offset", None)
        return refuse(message, self.text, None if col is None else self.columns[col])

    def snippet(self, node: ast.AST) -> str:
        """The user's own text for ``node`` (shortened), to quote in a message."""
        start, end = self.columns[node.col_offset], self.columns[node.end_col_offset]
        text = self.text[start:end]
        return f"'{text}'" if len(text) <= 30 else f"'{text[:27]}...'"

    def build(self, node: ast.AST) -> tuple[sp.Expr, int]:
        """Build ``node``; constant parts must be real and below 1e300 in magnitude, because
        SymPy evaluates constants exactly (``sin(exp(exp(100)))`` would never finish)."""
        expr, tower = self.node(node)
        if any(max(abs(r.p), r.q).bit_length() > MAX_EXACT_BITS for r in expr.atoms(sp.Rational)):
            raise self.refuse(f"the exact numbers in {self.snippet(node)} grow too large "
                              "(more than 300 digits)", node)
        if not expr.free_symbols:
            value = _constant(expr)
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
            raise self.refuse(OPERATORS.get(type(node.op), "this operator is not supported"), node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        template = REFUSED.get(type(node), "this kind of expression is not allowed")
        message = template.replace("{attr}", str(getattr(node, "attr", "")))
        raise self.refuse(f"{message}. {ALLOWED}", node)

    def constant(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.refuse(f"'{value}' is not a number. {ALLOWED}", node)
        if isinstance(value, str | bytes):
            raise self.refuse(f"text strings are not allowed. {ALLOWED}", node)
        if isinstance(value, complex):
            raise self.refuse("imaginary numbers (like 1j) are not allowed", node)
        if isinstance(value, int):
            if value.bit_length() > MAX_INT_BITS:
                raise self.refuse("this whole number is too long (at most 30 digits)", node)
            return sp.Integer(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.refuse("this number is too large (beyond 1e308)", node)
            return sp.Float(value)
        raise self.refuse(f"this constant is not allowed. {ALLOWED}", node)

    def name(self, node: ast.Name) -> sp.Expr:
        if node.id in NAMES:
            return NAMES[node.id]
        if node.id in FUNCTIONS:
            raise self.refuse(f"'{node.id}' is a function: write {node.id}(...)", node)
        hint = difflib.get_close_matches(node.id.lower(), [*NAMES, *FUNCTIONS], n=1)
        hint_text = f" Did you mean '{hint[0]}'?" if hint else ""
        return_msg = f"unknown name '{node.id}'; the variables are x and y, the constants pi and e."
        if re.fullmatch(r"[xy]+|[xy]*\d+[xy]*", node.id):
            return_msg += " " + IMPLICIT
        raise self.refuse(return_msg + hint_text, node)

    def binop(self, node: ast.BinOp) -> tuple[sp.Expr, int]:
        group = _group(node)
        if group is not None:
            ops = (ast.Add, ast.Sub) if group is ast.Add else (ast.Mult, ast.Div)
            parts = [(inv, *self.build(operand)) for inv, operand in _chain(node, ops)]
            tower = max(t for _, _, t in parts)
            if group is ast.Add:
                return sp.Add(*[-e if inv else e for inv, e, _ in parts]), tower
            return sp.Mul(*[sp.Pow(e, -1) if inv else e for inv, e, _ in parts]), tower
        if isinstance(node.op, ast.Pow | ast.BitXor):
            return self.power(node)
        raise self.refuse(OPERATORS.get(type(node.op), "this operator is not supported") + ". "
                          + ALLOWED, node)

    def power(self, node: ast.BinOp) -> tuple[sp.Expr, int]:
        base, tower_b = self.build(node.left)
        exponent, tower_e = self.build(node.right)
        tower = max(tower_b, tower_e + 1)
        if tower > MAX_TOWER:
            raise self.refuse("powers are stacked too high (a**b**c**d is the limit)", node)
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
        if not isinstance(func, ast.Name):
            raise self.refuse(f"only named functions can be called. {IMPLICIT}", node)
        if func.id in NAMES:
            raise self.refuse(f"'{func.id}' is not a function. {IMPLICIT}", node)
        if func.id not in FUNCTIONS:
            hint = difflib.get_close_matches(func.id.lower(), list(FUNCTIONS), n=1)
            hint_text = f" Did you mean '{hint[0]}'?" if hint else ""
            raise self.refuse(f"unknown function '{func.id}'.{hint_text} {ALLOWED}", node)
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

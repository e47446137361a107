"""Typed formulas are a public attack surface: refusals, their messages, and fuzzing.

Run ``python tests/landscape/test_expression_hostile.py`` to print how long every hostile input and
a batch of random ones take to accept or refuse. The tests never assert wall-clock time (no
hypothesis deadline either): the parser's size limits bound the work in code (``landscape.
expression``), and the tests check that every input is accepted or refused cleanly.
"""

from __future__ import annotations

import builtins
import os
import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landscape import ExpressionError, from_expression
from landscape.expression import INTERNAL
from landscape.expression_parse import MAX_LENGTH

# (text, a fragment the message must contain, case-insensitive)
HOSTILE = [
    ("__import__('os')", "unknown function `__import__`"),
    ("().__class__", "attribute"),
    ("x.real", "attribute access (`.real`)"),
    ("x.__class__.__bases__", "attribute"),
    ("x[0]", "indexing"),
    ("'a'", "text strings"),
    ("b'x'", "text strings"),
    ("f'{x}'", "text strings"),
    ("lambda: 1", "lambda"),
    ("[x for x in y]", "comprehensions"),
    ("9**9**9", "exponent `9**9` (= 3.8742e+08) is too"),
    ("x**x**x**x**x", "stacked too high"),
    ("10**1000", "exponent `1000` (= 1000) is too"),
    ("(x+y)**100000", "(= 100000) is too large"),
    ("(10**30)**(10**2)", "power is too large"),
    ("10**300*10**300*x", "too large"),
    ("1e999", "too large (beyond 1e300)"),  # the limit the README states, not float's 1e308
    ("1e308*1e308*x", "too large"),
    ("123456789012345678901234567890123 * x", "too long"),
    ("a" * 10000, "too long"),
    ("x" + "+x" * 300, "too long"),
    ("(" * 60 + "x" + ")" * 60, "nested parentheses"),
    ("sin(" * 60 + "x" + ")" * 60, "nested"),
    ("-" * 200 + "x", "nested too deeply"),
    ("x" + "+x" * 240, "too large"),
    ("log(-1-x**2)", "not a finite number anywhere"),
    ("sqrt(-1-x^2-y^2)", "not a finite number anywhere"),
    ("exp(1000)", "`exp(1000)` is infinite"),
    ("exp(690) * 10", "is too large"),
    ("x**sin(exp(exp(100)))", "`exp(exp(100))` is infinite"),
    ("sin(exp(exp(exp(9)))) + x", "infinite"),
    ("asin(2) + x", "not a real number"),
    ("((x/99^61)^100)^100", "grow too large"),
    ("(-8)^(1/3) + x", "not a real number"),
    ("import os", "keyword"),
    ("x; y", "';'"),
    ("x # comment", "comments"),
    ("x if y else 1", "conditional"),
    ("sin(x, y)", "sin takes one argument"),
    ("max(x)", "max takes 2 arguments"),
    ("min(x)", "min takes 2 arguments"),
    ("sin(x=1)", "named arguments"),
    ("foo(x)", "unknown function `foo`"),
    ("sinn(x)", "did you mean `sin`"),
    ("open('f')", "unknown function `open`"),
    ("X**2", "unknown name `x`"),
    ("z + 1", "unknown name `z`"),
    ("x == y", "comparisons"),
    ("x < y", "comparisons"),
    ("x and y", "'and'/'or'"),
    ("not x", "'not'"),
    ("x := 1", "assignments"),
    ("(x := 1)", "assignments"),
    ("x = 1", "'='"),
    ("", "type a formula"),
    ("   \n\t ", "type a formula"),
    ("2x", "write `2*x`, not `2x`"),
    ("2 x", "implicit multiplication"),
    ("x y", "implicit multiplication"),
    ("(x+1)(x-1)", "implicit multiplication"),
    ("x(2)", "`x` is not a function"),
    ("sin", "is a function"),
    ("x//2", "'//'"),
    ("x % 2", "'%'"),
    ("x @ y", "'@'"),
    ("x | y", "'|'"),
    ("~x", "'~'"),
    ("1j*x", "imaginary"),
    ("sqrt(-1)", "imaginary"),
    ("1/0", "division by zero"),
    ("1/0.0 + x", "division by zero"),
    ("x/(y - y)", "division by zero: `y - y` is always 0"),
    ("log(0) + x", "`log(0)` is infinite"),
    ("x**(1/0)", "division by zero"),
    ("True", "not a number"),
    ("None", "not a number"),
    ("...", "not a number"),
    ("x, y", "single expression"),
    ("{x}", "sets"),
    ("{x: 1}", "dictionaries"),
    ("*x", "not a formula"),
    ("(x", "parentheses do not match"),
    ("x))", "parentheses do not match"),
    ("x**", "ends with `**`: something is missing"),
    ("x +", "ends with `+`"),
    ("x−y", "write `-`"),
    ("2×x", "write `*`"),
    ("ｘ + 1", "character"),
    ("x\x00", "character"),
    ("x \\\n+ y", "backslash"),
    ("yield x", "keyword"),
]


@pytest.mark.parametrize(("text", "fragment"), HOSTILE, ids=[repr(t[:24]) for t, _ in HOSTILE])
def test_hostile_input_is_refused_with_a_helpful_message(text, fragment):
    with pytest.raises(ExpressionError) as info:
        from_expression(text)
    message = str(info.value)
    assert fragment.lower() in message.lower(), message
    assert len(message) < 400 and (message[0].isupper() or message[0] in "'`")


# --- where: positions and parts as the user typed them -----------------------------------------

# (text as typed, 1-based position, the offending part as typed, a fragment of the message)
PLACES = [
    ("x**2 + y**2 +", 13, "+", "the formula ends with `+`"),  # not "position 1: 'x**2 + y'"
    ("x*", 2, "*", "ends with `*`"),
    ("1e308*x*y", 1, "1e308", "`1e308` is too large"),  # not the window '1e308*x*'
    ("1e308  *  x * y", 1, "1e308", "too large"),
    ("__import__('os')", 1, "__import__", "unknown function `__import__`"),
    ("x ** 2 + __import__('os').system('ls')", 26, ".system", "attribute access (`.system`)"),
    ("(x+1", 1, "(", "parentheses do not match"),
    ("sin(x", 4, "(", "is never closed"),
    ("x+1)", 4, ")", "closes nothing"),
    ("(x]", 3, "]", "parentheses do not match"),
    ("  x**2 + y**2 +", 15, "+", "ends with `+`"),  # leading spaces count
    ("x  +   *y", 8, "*", "not a formula I can read"),  # whitespace is not collapsed for this
    ("x +\n\n  y +", 10, "+", "ends with `+`"),
    ("x^^2", 3, "^", "not a formula I can read"),  # '^' is '**' inside, not for the user
    ("2x + y", 1, "2x", "implicit multiplication"),
    ("x + 2 y", 5, "2 y", "implicit multiplication"),
    ("x**2 + foo", 8, "foo", "unknown name `foo`"),
    ("x @ y", 3, "@", "'@' is not supported"),
    ("(x) // (y)", 5, "//", "'//' is not supported"),
    ("x == y", 3, "==", "comparisons"),
    ("x and y", 3, "and", "'and'/'or'"),
    ("x/0", 3, "0", "division by zero"),
    ("y + 1/0", 7, "0", "division by zero"),
    ("y + log(0)", 5, "log(0)", "`log(0)` is infinite"),
    ("x**2 + y^1000", 10, "1000", "exponent `1000`"),
    ("sin(x).real", 7, ".real", "attribute access"),
    ("x; y", 2, ";", "';' is not allowed"),
    ("x × y", 3, "×", "write `*`"),
    ("import os", 1, "import", "python keyword"),
    ("x + 'abc", 5, "'", "text strings"),
]


@pytest.mark.parametrize(("text", "position", "part", "fragment"), PLACES,
                         ids=[repr(p[0][:24]) for p in PLACES])
def test_refusals_point_at_the_offending_part_as_typed(text, position, part, fragment):
    with pytest.raises(ExpressionError) as info:
        from_expression(text)
    err = info.value
    message = str(err)
    assert fragment.lower() in message.lower(), message
    assert f"(at position {position}" in message, message
    assert text[position - 1 : position - 1 + len(part)] == part  # the table is consistent
    assert err.text == text and err.span == (position - 1, position - 1 + len(part)), message
    assert f"`{part}`" in message, message  # the part itself, quoted as code


@pytest.mark.parametrize("text", ["__import__('os')", "x*y*z", "__class__ + x", "x_1 + y",
                                  "x**2 + y**2 +", "1e308*x*y", "2*x*y z", "x.__class__"])
def test_typed_text_in_messages_is_quoted_as_code(text):
    """Outside `code spans` a message has no '_' or '*' touching a word: a page that renders it
    as Markdown cannot turn __import__ into bold "import" or 1e308*x*y into italics."""
    import re

    with pytest.raises(ExpressionError) as info:
        from_expression(text)
    prose = re.sub(r"`[^`]*`", "", str(info.value))
    assert not re.search(r"[_*]\S|\S[_*]", prose.replace("** ^", "")), str(info.value)


def test_parse_counts_positions_in_the_text_it_is_given():
    """``parse`` (no whitespace collapsing) reports against its own input, lines included."""
    from landscape.expression_parse import parse

    with pytest.raises(ExpressionError) as info:
        parse("(x +\n  foo)")
    assert info.value.span == (7, 10) and "(at position 8)" in str(info.value)


def test_expression_error_is_a_value_error_and_non_text_is_refused():
    assert issubclass(ExpressionError, ValueError)
    with pytest.raises(ExpressionError, match="must be text"):
        from_expression(b"x + y")  # type: ignore[arg-type]
    with pytest.raises(ExpressionError, match="must be text"):
        from_expression(None)  # type: ignore[arg-type]


def test_the_bounds_still_accept_reasonable_formulas():
    """The limits refuse monsters, not ordinary formulas near them."""
    assert from_expression("(x^2 + y^2)^50 / 1e40").minima[0].is_global
    assert from_expression("x^x^x + y^2", ((0.5, 2), (-1, 1))).value([1.0, 0.0]) == 1.0
    (m,) = from_expression("x^x + y^2", ((0.1, 2), (-1, 1))).minima
    assert np.allclose(m.point, (np.exp(-1), 0.0))
    assert from_expression("2^2^2^2 * x + y").title == "65536*x + y"
    assert from_expression("sin(" * 20 + "x" + ")" * 20 + " + y^2").value([1.0, 0.0]) > 0
    assert from_expression("+".join(["x^2"] * 60) + "+y^2").value([1.0, 0.0]) == 60
    assert from_expression("1e-400 + x^2 + y^2").title == "x**2 + y**2"
    assert from_expression("(((x^100)^100)^100)^100 + y").title == "x**100000000 + y"
    assert from_expression("(99^-61)^(99^-61) * x").value([2.0, 0.0]) == 2.0  # no exact root


# Formulas that once took SymPy seconds to minutes (its own sin/sinh/log inspect their arguments;
# exact roots; huge constants). Each must now be accepted or refused cleanly (a hang would stall
# the run: the parser's size limits, not a clock, prevent it).
SYMPY_HARD = [
    'log((sin(cos(sinh((tanh(((atan(atan(log(max((sinh((1e-3)+(log(((((sqrt((0.5)^((0.5)+(e))))/(1))^3)-(min(1,1)))*(tanh((asin(sin(((max(min((abs(x))*(min(min(pi,1e-3),(2)-(1))),(x)^(log(1))),(max((2)^x,(((7)/(x))^(log(pi)))/(99)))^x))-(max(max(1,1),((10)*(1e-3))^0.5)))^-2)))+((1e-3)^-2)))))))^-2,max(min(abs(0),(max((0)*(x),10))^(7)),sin(((sin(atan(((y)*(0.5))-(10))))-(0.5))^(1/3))))))))-(cos(min(((1)^(1e-3))*(((10)-(1))/(pi)),((cos(atan(1)))+(1e-3))^10))))^10))^x))))^x)',
    "*".join(f"exp(sin({i}*x)*cos({i}*y))" for i in range(1, 18)),
    "x**sin(exp(exp(100)))",
    "(99**-61)**(99**-61) * x",
    "((x/99^61)^100)^100",
    "max(" * 45 + "x" + ", y)" * 45,
    'tanh(max((min((max(((e)+(y))*(0),max(0,y)))*((sqrt(0.5))*(3)),(0.5)-(((x)-(((y)*(((0.5)+(1e-3))/((0.5)^y)))/(3)))/((abs((e)-(y)))^0.5))))+(max(1e-3,((2)+(0.5))*(0.5))),max(tan(((max((0)/((min(x,1e-3))^(1/3)),(1)^10))/(y))+((99)*(x))),(((((((1)^y)/(10))*((1e-3)*(e)))*(min(e,99)))^10)^10)+(pi))))',
]


@settings(max_examples=len(SYMPY_HARD), deadline=None, derandomize=True, database=None)
@given(st.sampled_from(SYMPY_HARD))
def test_formulas_that_used_to_hang_sympy_are_accepted_or_refused(text):
    _accept_or_refuse(text)


def test_only_inert_functions_reach_sympy():
    """Our functions never auto-evaluate; SymPy's own (sin, log, Abs...) must not be built."""
    from landscape.expression_functions import Inert
    from landscape.expression_parse import parse

    expr = parse("sin(x)*cos(y) + tan(x) + exp(x) + e^y + log(2+x^2) + ln(3) + abs(x) + tanh(x)"
                 " + sinh(y) + cosh(x) + atan(x) + arcsin(y/9) + acos(x/9) + min(x, y) + x^y")
    functions = expr.atoms(sp.Function)
    assert len(functions) >= 15 and all(isinstance(f, Inert) for f in functions)


# --- property-based: random valid formulas, random junk, token soups ------------------------

LEAVES = st.sampled_from(["x", "y", "pi", "e", "1", "2", "0.5", "3.25", "1e-3", "10"])
UNARY = ["sin", "cos", "tan", "exp", "log", "ln", "sqrt", "abs", "tanh", "sinh", "cosh",
         "arctan", "atan", "arcsin", "arccos"]


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
            lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        st.tuples(children, st.sampled_from(["**", "^"]), st.integers(-4, 4)).map(
            lambda t: f"({t[0]}){t[1]}{t[2]}"),
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["min", "max"]), children, children).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        children.map(lambda c: f"-({c})"),
    )


FORMULAS = st.recursive(LEAVES, _grow, max_leaves=12)
SMOOTH_FORMULAS = st.recursive(
    st.sampled_from(["x", "y", "0.5", "2", "pi"]),
    lambda c: st.one_of(
        st.tuples(c, st.sampled_from(["+", "-", "*"]), c).map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        st.tuples(c, st.integers(1, 3)).map(lambda t: f"({t[0]})^{t[1]}"),
        st.tuples(st.sampled_from(["sin", "cos", "tanh", "atan"]), c).map(
            lambda t: f"{t[0]}({t[1]})"),
    ),
    max_leaves=8,
)
TOKENS = ["x", "y", "(", ")", "+", "-", "*", "/", "**", "^", ",", ".", "'", '"', "[", "]", "{", "}",
          ":", "=", ";", "#", "\\", "9", "1e400", "0", "1j", "__import__", "__class__", "os",
          "lambda", "import", "for", "in", "if", "else", "not", "and", "sin", "min", "exp", "log",
          "e", "pi", "eval", "exec", "open", "_", "@", "%", "~", "<", ">", "!", "$", " ", "\n", "é"]
JUNK = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="xy0123456789.e+-*/^()sincoexplgqrtabmd, ", max_size=60),
    st.lists(st.sampled_from(TOKENS), max_size=30).map("".join),
    st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join),
)
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _accept_or_refuse(text: str) -> object:
    try:
        return from_expression(text)
    except ExpressionError as err:
        assert str(err) and not str(err).startswith(INTERNAL), (text, err.__cause__)
        return None


def _snapshot() -> tuple[frozenset[str], tuple[str, ...], int]:
    return frozenset(vars(builtins)), tuple(sorted(os.listdir("."))), id(builtins.open)


@FUZZ
@given(FORMULAS)
def test_random_formulas_are_accepted_or_refused_cleanly(text):
    before = _snapshot()
    surface = _accept_or_refuse(text)
    if surface is not None:
        xy = np.random.default_rng(0).uniform(-5, 5, size=(7, 2))
        assert surface.value(xy).shape == (7,) and surface.grad(xy).shape == (7, 2)
        assert surface.minima and any(m.is_global for m in surface.minima)
        lo, hi = np.array(surface.domain).T
        assert all(np.all(lo <= m.point) and np.all(m.point <= hi) for m in surface.minima)
    assert _snapshot() == before


@FUZZ
@given(JUNK)
def test_junk_text_never_raises_anything_but_expression_error(text):
    before = _snapshot()
    _accept_or_refuse(text)
    assert _snapshot() == before


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(SMOOTH_FORMULAS)
def test_random_smooth_formulas_have_the_exact_gradient(text):
    surface = from_expression(text)
    pts = np.random.default_rng(3).uniform(-2, 2, size=(5, 2))
    h = 1e-6
    fd = np.stack([(surface.value(pts + h * d) - surface.value(pts - h * d)) / (2 * h)
                   for d in np.eye(2)], axis=-1)
    g = surface.grad(pts)
    scale = 1.0 + np.abs(g) + np.abs(surface.value(pts))[:, None]
    assert np.all(np.abs(g - fd) <= 1e-4 * scale), (text, g, fd)


def test_length_limit_is_enforced_exactly():
    ok = "x" + " " * (MAX_LENGTH - 2) + "y"
    with pytest.raises(ExpressionError, match=r"(?i)implicit multiplication"):
        from_expression(ok)  # 500 characters: read (and refused for another reason)
    with pytest.raises(ExpressionError, match="too long"):
        from_expression(ok + "1")


def timing_report(n_random: int = 300) -> None:
    """Print the slowest accept/refuse CPU times (process time: the machine may be shared) over
    the hostile table, the formulas that used to hang SymPy and random inputs."""
    samples = [t for t, _ in HOSTILE] + SYMPY_HARD
    samples += [FORMULAS.example() for _ in range(n_random)]
    samples += [JUNK.example() for _ in range(n_random)]
    times = []
    for text in samples:
        start = time.process_time()
        _accept_or_refuse(text)
        times.append((time.process_time() - start, text))
    times.sort(reverse=True)
    print(f"{len(times)} inputs; median {np.median([t for t, _ in times]) * 1e3:.1f} ms CPU")
    for seconds, text in times[:8]:
        print(f"{seconds * 1e3:8.1f} ms  {text[:70]!r}")


if __name__ == "__main__":
    timing_report()


def test_built_formulas_kept_are_few() -> None:
    """128 long products kept ~230 MB for good; the package keeps BUILT_KEPT."""
    from landscape import expression

    for k in range(3 * expression.BUILT_KEPT):
        from_expression(f"(x - {k})**2 + y**2")
    assert expression._build.cache_info().currsize <= expression.BUILT_KEPT <= 16

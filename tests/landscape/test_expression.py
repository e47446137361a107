"""Typed formulas: values and exact gradients against NumPy, minima found, surface contract."""

from __future__ import annotations

import ast
import pathlib
import pickle

import numpy as np
import pytest

from landscape import ExpressionError, Surface, from_expression
from landscape.expression import DEFAULT_DOMAIN, ExpressionSurface

# (formula, f, df/dx, df/dy) with hand-written NumPy references.
VALID = [
    ("x^2 + y^2", lambda x, y: x**2 + y**2, lambda x, y: 2 * x, lambda x, y: 2 * y),
    ("x**2 + 3*y**2", lambda x, y: x**2 + 3 * y**2, lambda x, y: 2 * x, lambda x, y: 6 * y),
    ("2^3^2 * x", lambda x, y: 512 * x, lambda x, y: 512 + 0 * x, lambda x, y: 0 * y),
    ("-x^2 - y", lambda x, y: -(x**2) - y, lambda x, y: -2 * x, lambda x, y: -1 + 0 * y),
    ("x*y/(1 + x^2)", lambda x, y: x * y / (1 + x**2),
     lambda x, y: y * (1 - x**2) / (1 + x**2) ** 2, lambda x, y: x / (1 + x**2)),
    ("1.5e-1*x - 2E+0*y", lambda x, y: 0.15 * x - 2 * y,
     lambda x, y: 0.15 + 0 * x, lambda x, y: -2 + 0 * y),
    ("sin(x)*cos(y)", lambda x, y: np.sin(x) * np.cos(y),
     lambda x, y: np.cos(x) * np.cos(y), lambda x, y: -np.sin(x) * np.sin(y)),
    ("tan(x/4) + pi*y", lambda x, y: np.tan(x / 4) + np.pi * y,
     lambda x, y: 0.25 / np.cos(x / 4) ** 2, lambda x, y: np.pi + 0 * y),
    ("exp(-(x^2 + y^2)/2)", lambda x, y: np.exp(-(x**2 + y**2) / 2),
     lambda x, y: -x * np.exp(-(x**2 + y**2) / 2), lambda x, y: -y * np.exp(-(x**2 + y**2) / 2)),
    ("e^x + e*y", lambda x, y: np.exp(x) + np.e * y,
     lambda x, y: np.exp(x), lambda x, y: np.e + 0 * y),
    ("log(1 + x^2) + ln(2 + y^2)", lambda x, y: np.log1p(x**2) + np.log(2 + y**2),
     lambda x, y: 2 * x / (1 + x**2), lambda x, y: 2 * y / (2 + y**2)),
    ("sqrt(1 + x^2 + y^2)", lambda x, y: np.sqrt(1 + x**2 + y**2),
     lambda x, y: x / np.sqrt(1 + x**2 + y**2), lambda x, y: y / np.sqrt(1 + x**2 + y**2)),
    ("abs(x) + abs(x*y)", lambda x, y: np.abs(x) + np.abs(x * y),
     lambda x, y: np.sign(x) + y * np.sign(x * y), lambda x, y: x * np.sign(x * y)),
    ("tanh(x) * sinh(y/3) + cosh(x/3)", lambda x, y: np.tanh(x) * np.sinh(y / 3) + np.cosh(x / 3),
     lambda x, y: (1 - np.tanh(x) ** 2) * np.sinh(y / 3) + np.sinh(x / 3) / 3,
     lambda x, y: np.tanh(x) * np.cosh(y / 3) / 3),
    ("arctan(x) + atan(2*y)", lambda x, y: np.arctan(x) + np.arctan(2 * y),
     lambda x, y: 1 / (1 + x**2), lambda x, y: 2 / (1 + 4 * y**2)),
    ("arcsin(x/10) + acos(y/10)", lambda x, y: np.arcsin(x / 10) + np.arccos(y / 10),
     lambda x, y: 0.1 / np.sqrt(1 - x**2 / 100), lambda x, y: -0.1 / np.sqrt(1 - y**2 / 100)),
    ("max(x, y) + min(x^2, y)", lambda x, y: np.maximum(x, y) + np.minimum(x**2, y),
     lambda x, y: (x > y) + 2 * x * (x**2 < y), lambda x, y: (y > x) + 1.0 * (y < x**2)),
    ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
     lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
     lambda x, y: 4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7),
     lambda x, y: 2 * (x**2 + y - 11) + 4 * y * (x + y**2 - 7)),
    ("x^y / 10", lambda x, y: np.abs(x) ** y / 10,  # evaluated at x > 0 below via abs
     lambda x, y: y * np.abs(x) ** (y - 1) / 10,
     lambda x, y: np.abs(x) ** y * np.log(np.abs(x)) / 10),
    ("(1 - x)^2 + 100*(y - x^2)^2", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
     lambda x, y: -2 * (1 - x) - 400 * x * (y - x**2), lambda x, y: 200 * (y - x**2)),
    ("3", lambda x, y: 3 + 0 * x, lambda x, y: 0 * x, lambda x, y: 0 * y),
]


def _points(text: str, n: int = 40, seed: int = 0) -> np.ndarray:
    pts = np.random.default_rng(seed).uniform(-4.5, 4.5, size=(n, 2))
    if "x^y" in text:
        pts[:, 0] = np.abs(pts[:, 0]) + 0.1
    return pts


@pytest.mark.parametrize(("text", "f", "fx", "fy"), VALID, ids=[row[0] for row in VALID])
def test_value_and_gradient_match_numpy(text, f, fx, fy):
    surface = from_expression(text)
    pts = _points(text)
    x, y = pts[:, 0], pts[:, 1]
    np.testing.assert_allclose(surface.value(pts), f(x, y), rtol=1e-12, atol=1e-12)
    expected = np.stack([fx(x, y), fy(x, y)], axis=-1)
    np.testing.assert_allclose(surface.grad(pts), expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("text", [row[0] for row in VALID])
def test_gradient_matches_central_differences(text):
    surface = from_expression(text)
    pts = _points(text, seed=1)
    h = 1e-6
    fd = np.stack([(surface.value(pts + h * e) - surface.value(pts - h * e)) / (2 * h)
                   for e in np.eye(2)], axis=-1)
    scale = 1 + np.abs(surface.value(pts))[:, None]
    np.testing.assert_allclose(surface.grad(pts), fd, rtol=1e-5, atol=1e-6 * scale.max())


def test_surface_contract_and_vectorization():
    s = from_expression("x^2 + 3*y^2")
    assert isinstance(s, Surface) and isinstance(s, ExpressionSurface)
    assert (s.name, s.title, s.domain) == ("custom", "x**2 + 3*y**2", DEFAULT_DOMAIN)
    assert s.latex == "x^{2} + 3 y^{2}"
    assert s.gradient_latex == ("2 x", "6 y")
    xy = np.random.default_rng(2).normal(size=(3, 4, 2))
    assert s.value(xy).shape == (3, 4) and s.grad(xy).shape == (3, 4, 2)
    assert s.value(np.array([1.0, 2.0])).shape == () and s.grad([1.0, 2.0]).shape == (2,)
    flat = from_expression("7")
    assert flat.value(xy).shape == (3, 4) and np.all(flat.value(xy) == 7.0)
    assert flat.grad(xy).shape == (3, 4, 2) and not flat.grad(xy).any()


def test_singular_points_give_inf_or_nan_without_warnings():
    s = from_expression("log(x) + 1/y")
    v = s.value(np.array([[-1.0, 1.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]))
    assert np.isnan(v[0]) and v[1] == -np.inf and v[2] == np.inf and v[3] == 1.0
    g = s.grad(np.array([[0.0, 0.0]]))
    assert not np.isfinite(g).all()


def test_caching_normalises_whitespace_and_domain():
    a = from_expression("x^2 +  y^2")
    assert from_expression(" x^2 + y^2 ", [[-5, 5], [-5, 5]]) is a
    assert from_expression("x^2 + y^2", ((-2, 2), (-2, 2))) is not a


@pytest.mark.parametrize("text", ["x**2 + y**2", "e^(-x^2) * max(x, y) + abs(y)/3",
                                  "atan(x) + sqrt(2 + y^2)", "ln(2 + x^2) - E*pi*y/100",
                                  "((1/3)^100)^2 * x + y^2"])
def test_pickles_round_trip_through_the_formula(text):
    s = from_expression(text, ((-3, 4), (-2, 5)))
    back = pickle.loads(pickle.dumps(s))
    assert back.formula == text and back.domain == s.domain and back.latex == s.latex
    pts = _points(text)
    np.testing.assert_allclose(back.value(pts), s.value(pts))


def _near(point, target, tol=1e-5):
    return np.hypot(point[0] - target[0], point[1] - target[1]) < tol


def test_bowl_has_one_global_minimum_at_origin():
    (m,) = from_expression("x^2 + y^2").minima
    assert m.is_global and _near(m.point, (0, 0), 1e-8) and abs(m.value) < 1e-12


def test_himmelblau_typed_in_has_its_four_global_minima():
    s = from_expression("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    known = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    assert len(s.minima) == 4 and all(m.is_global for m in s.minima)
    for target in known:
        assert any(_near(m.point, target) for m in s.minima)
    assert max(m.value for m in s.minima) < 1e-12
    assert s.interior_minimum


def test_local_and_global_minimum_are_told_apart():
    s = from_expression("(x^2 - 1)^2 + 0.3*x + y^2")
    roots = np.roots([4.0, 0.0, -4.0, 0.3]).real
    mins = sorted(r for r in roots if 12 * r * r - 4 > 0)  # f'' > 0
    assert len(s.minima) == 2
    glob, loc = s.minima
    assert glob.is_global and not loc.is_global and glob.value < loc.value
    assert _near(glob.point, (mins[0], 0), 1e-7) and _near(loc.point, (mins[1], 0), 1e-7)
    assert (glob.label, loc.label) == ("global", "local")


def test_kink_minimum_and_user_domain():
    (m,) = from_expression("abs(x - 1) + abs(y + 2)").minima
    assert _near(m.point, (1, -2), 1e-4) and m.is_global
    (m,) = from_expression("(x - 10)^2 + (y - 10)^2", ((5, 15), (6, 16))).minima
    assert _near(m.point, (10, 10), 1e-8)


def test_minimum_on_the_edge_is_reported_as_lowest_in_view():
    s = from_expression("x + y")
    assert not s.interior_minimum
    (m,) = s.minima
    assert m.point == (-5.0, -5.0) and m.value == -10.0 and "lowest in view" in m.label
    s = from_expression("x^3 - 3*x + y^2")  # local min at (1, 0), lower ground at x = -5
    edge, local = s.minima
    assert edge.is_global and "edge" in edge.label and edge.value == s.min_value == -110.0
    assert not local.is_global and _near(local.point, (1, 0), 1e-7)


@pytest.mark.parametrize("text", ["2", "x - x + 3", "max(x, 100)"])
def test_a_constant_formula_is_called_flat_not_falling(text):
    s = from_expression(text)
    assert not s.interior_minimum and s.no_minimum == "flat"
    assert "constant" in s.no_minimum_note and "flat" in s.no_minimum_note
    assert "pole" not in s.no_minimum_note and "falling" not in s.no_minimum_note
    assert s.minima[0].label.startswith("lowest in view") and "flat" in s.minima[0].label


@pytest.mark.parametrize("text", ["x^2 + y^2 + 1e300", "1e300 - x^2"])
def test_values_equal_only_to_rounding_are_not_called_constant(text):
    """x^2 + 1e300 is 1e300 in every cell of the view, but its exact gradient is 2x: the note
    said the optimizers had nowhere to go while the paths visibly moved."""
    s = from_expression(text)
    assert not s.interior_minimum and s.no_minimum == "rounding"
    assert "gradient is not zero" in s.no_minimum_note and "still move" in s.no_minimum_note
    assert "constant" not in s.no_minimum_note and "nowhere to go" not in s.no_minimum_note
    assert "rounding" in s.minima[0].label


@pytest.mark.parametrize(("text", "on_boundary"), [
    ("sqrt(x)", lambda p: p[0] == 0.0),
    ("sqrt(x) + y^2", lambda p: p == (0.0, 0.0)),
    ("sqrt(x + 0.03) + y^2", lambda p: abs(p[0] + 0.03) < 1e-9 and p[1] == 0.0),  # off the grid
    ("sqrt(1 - x^2 - y^2)", lambda p: abs(np.hypot(*p) - 1.0) < 1e-9),
])
def test_lowest_on_the_boundary_of_where_the_formula_is_defined(text, on_boundary):
    """sqrt(x) is lowest at x = 0, where it stops being defined: not a pole, not a fall."""
    s = from_expression(text)
    assert not s.interior_minimum and s.no_minimum == "domain_edge"
    lowest = s.minima[0]
    assert on_boundary(lowest.point) and abs(lowest.value) < 1e-6 and lowest.value == s.min_value
    note = s.no_minimum_note
    assert "boundary of the region where the formula is defined" in note
    assert "leaves the region where the formula is defined" in note
    assert "pole" not in note and "keeps falling" not in note
    assert "boundary of the region where the formula is defined" in lowest.label


@pytest.mark.parametrize("text", ["x + y", "x^3 - 3*x + y^2", "-x^2", "sqrt(x) + y"])
def test_falling_past_the_edge_of_the_view(text):
    s = from_expression(text)
    assert not s.interior_minimum and s.no_minimum == "view_edge"
    (x0, x1), (y0, y1) = s.domain
    px, py = s.minima[0].point
    assert px in (x0, x1) or py in (y0, y1)
    assert "keeps falling past the edge of the view" in s.no_minimum_note
    assert "pole" not in s.no_minimum_note


@pytest.mark.parametrize("text", ["log(x)", "1/x", "log(x + 5)", "log(x^2 + y^2)", "-1/(x^2 + y^2)",
                                  "log((x - 0.05)^2 + (y - 0.05)^2)", "tan(x) + y^2"])
def test_unbounded_below_is_called_a_pole_not_a_minimum(text):
    """A pole is no minimum, even where Newton's search stops near it (log(x^2 + y^2) at 0 was
    reported as a global minimum of value -50, -1/(x^2 + y^2) as one of -1.6e13)."""
    s = from_expression(text)
    assert not s.interior_minimum and s.no_minimum == "unbounded"
    assert "unbounded below" in s.no_minimum_note and "pole" in s.no_minimum_note
    assert np.isfinite(s.min_value) and s.minima[0].is_global
    assert all(not m.is_global for m in s.minima[1:])


@pytest.mark.parametrize("text", ["x^2 + y^2", "abs(x) + abs(y)", "sqrt(abs(x)) + sqrt(abs(y))",
                                  "abs(x)^0.1 + abs(y)^0.1", "-sqrt(1 - x^2 - y^2)",
                                  "x^2 + y^2 - 100*exp(-(x^2 + y^2)/1e-4)", "-exp(-(x^2+y^2)*1e4)"])
def test_true_minima_sharp_or_narrow_are_not_mistaken_for_poles(text):
    s = from_expression(text)
    assert s.interior_minimum and s.no_minimum == "interior" and s.no_minimum_note == ""
    assert s.minima[0].is_global and s.minima[0].label.startswith("global")


def test_the_description_carries_the_no_minimum_note():
    s = from_expression("sqrt(x)")
    assert s.no_minimum_note in s.description
    assert "lowest" not in from_expression("x^2 + y^2").description


def test_valley_of_minima_is_shown_once():
    (m,) = from_expression("(x - y)^2").minima
    assert m.is_global and "valley" in m.label and abs(m.point[0] - m.point[1]) < 1e-6


def test_saddles_and_maxima_are_not_minima():
    s = from_expression("x^2 - y^2 + 0.01*y^4")  # saddle at 0, minima at y = +-sqrt(50)?
    for m in s.minima:
        assert not _near(m.point, (0, 0), 1e-3)
    s = from_expression("-(x^2 + y^2)")
    assert not s.interior_minimum


@pytest.mark.parametrize("text", ["x^2 + y^2", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", "x + y",
                                  "sin(x) + cos(y)", "(x^2 - 1)^2 + 0.3*x + y^2",
                                  # gradients whose norm overflows (a review: the race began
                                  # at the minimum itself)
                                  "1e300*x^2 + 1e300*y^2", "1e200*((x - 1)^2 + y^2)"])
def test_default_start_is_a_real_race(text):
    s = from_expression(text)
    (x0, x1), (y0, y1) = s.domain
    sx, sy = s.default_start
    assert x0 < sx < x1 and y0 < sy < y1
    assert np.isfinite(s.value(np.array(s.default_start)))
    assert s.value(np.array(s.default_start)) > s.min_value + 1e-3
    assert np.any(s.grad(np.array(s.default_start)) != 0)


def test_log_scale_follows_the_value_range():
    assert not from_expression("x^2 + y^2").log_scale
    assert from_expression("(1 - x)^2 + 100*(y - x^2)^2").log_scale
    assert from_expression("exp(x + y)").log_scale


@pytest.mark.parametrize("domain", [((1, -1), (0, 1)), ((0, 1), (0, float("inf"))),
                                    ((0, 1e9), (0, 1)), ((0, 1),), "abc", ((0, 0), (0, 1))])
def test_bad_domains_are_refused(domain):
    with pytest.raises(ExpressionError, match=r"range|domain"):
        from_expression("x + y", domain)


def test_a_range_too_narrow_names_the_rule_it_breaks():
    """It said "needs min < max" of a range whose min is below its max."""
    with pytest.raises(ExpressionError, match=r"x range needs max − min ≥ 1e-06 \(got -1e-300"):
        from_expression("x**2", ((-1e-300, 1e-300), (-1, 1)))


def test_no_dynamic_code_execution_in_the_formula_modules():
    forbidden = {"eval", "exec", "compile", "sympify", "parse_expr", "lambdify", "__import__"}
    for path in pathlib.Path(__file__).parents[2].joinpath("landscape").glob("expression*.py"):
        source = path.read_text()
        calls = {n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
                 for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)}
        assert not calls & forbidden, (path.name, calls & forbidden)
        assert "S(" not in source and "eval(" not in source, path.name


def test_results_are_fresh_arrays_and_calls_are_repeatable():
    s = from_expression("exp(x) + 0*y")  # value and df/dx are the same subexpression
    xy = np.random.default_rng(4).normal(size=(50, 2))
    keep = xy.copy()
    v1, g1 = s.value(xy), s.grad(xy)
    v1 += 1.0
    g1 += 1.0
    np.testing.assert_array_equal(xy, keep)
    np.testing.assert_array_equal(s.value(xy), np.exp(xy[:, 0]))
    np.testing.assert_array_equal(s.grad(xy)[:, 0], np.exp(xy[:, 0]))
    x_only = from_expression("x")
    out = x_only.value(xy)
    out[:] = 0.0
    np.testing.assert_array_equal(xy, keep)


def test_huge_gradient_latex_is_replaced_by_a_note():
    text = "*".join(f"exp(sin({i}*x)*cos({i}*y))" for i in range(1, 12))
    s = from_expression(text)
    assert all("too long to display" in tex for tex in s.gradient_latex)
    assert "too long" not in s.latex and s.latex.count("sin") == 11
    h = 1e-6  # the gradient itself is still exact
    p = np.array([0.3, -0.2])
    fd = [(s.value(p + h * e) - s.value(p - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(s.grad(p), fd, rtol=1e-6)


def product(n: int) -> str:
    """(x-1)*(x-2)*...*(x-n): a formula whose gradient program grows about as n**2."""
    return "*".join(f"(x-{i})" for i in range(1, n + 1))


def test_gradient_cost_counts_the_operations_of_one_gradient_step():
    """The race bounds a typed formula's work by this count (``limits.formula_work``)."""
    from landscape.expression_numeric import Program
    from landscape.expression_parse import parse

    def cost(text: str) -> int:
        return from_expression(text).cost

    assert cost("x*y") == 1  # f = x*y; its partials are y and x themselves
    assert cost("x**2 + y**2") == 5  # x², y², their sum, 2x, 2y
    assert cost("3 + 2*5") == 0  # constants fold when the program is built
    expr = parse("sin(x*y) + exp(x)")
    assert Program([expr]).cost == len(Program([expr]).plan) == 4
    small, big = cost(product(12)), cost(product(48))
    assert big > 12 * small  # 4x the factors, ~16x the operations: products are the costly case


def test_a_nearly_constant_formula_is_not_said_to_be_exactly_constant():
    """A product of 49 sines has values of ~1e-14 that vary, and a gradient that is not zero
    but too small to move a step: the note said "f = ... everywhere" and "its gradient is
    zero" (a review)."""
    s = from_expression("*".join(f"sin(x+{k})" for k in range(1, 50)))
    assert s.no_minimum == "flat"
    assert "f ≈" in s.no_minimum_note and "to within a billionth" in s.no_minimum_note
    assert "too small to move a step" in s.no_minimum_note


def test_a_variable_exponent_has_real_values_only_for_a_non_negative_base() -> None:
    """b^u with u varying is e^(u ln b). NumPy's power is real at b < 0 where u is whole: x**y
    drew isolated values up to -10^5 on the rows of whole y left of x = 0, which set the colour
    scale and the lowest point, and x**x's lowest point was the isolated (-1, 0)."""
    xx = from_expression("x**x")
    (m,) = xx.minima
    assert m.point == pytest.approx((np.exp(-1), 0.0), abs=1e-6)  # d/dx x^x = 0 at 1/e
    assert m.value == pytest.approx(np.exp(-np.exp(-1)), rel=1e-9)
    xy = from_expression("x**y")
    pts = np.array([[-0.1, -5.0], [-2.0, 2.0], [-1.0, 0.0], [2.0, 3.0], [0.0, 2.0]])
    v, g = xy.value_and_grad(pts)
    assert np.isnan(v[:3]).all() and not np.isfinite(g[:3]).all(axis=1).any()
    assert v[3:] == pytest.approx([8.0, 0.0])
    assert g[3] == pytest.approx([3 * 2.0**2, 8 * np.log(2.0)])
    with pytest.raises(ExpressionError, match="not a finite number anywhere"):
        from_expression("(-2)**x")

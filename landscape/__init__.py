"""Landscapes to descend: verified 2D test surfaces, teaching surfaces, typed formulas and
data-driven losses. NumPy only (SymPy for typed formulas)."""

from landscape.base import Minimum, Objective, StochasticObjective, Surface
from landscape.registry import SURFACES, get_surface, markdown_table

# --- typed formulas (landscape/expression.py, owned by the formula helper) -----------------------
# from landscape.expression import ExpressionError, from_expression
# --------------------------------------------------------------------------------------------------

__all__ = [
    "SURFACES",
    "Minimum",
    "Objective",
    "StochasticObjective",
    "Surface",
    "get_surface",
    "markdown_table",
]

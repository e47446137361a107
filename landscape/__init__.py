"""Landscapes to descend: verified 2D test surfaces, teaching surfaces, typed formulas and
data-driven losses. NumPy only (SymPy for typed formulas)."""

from landscape.base import Minimum, Objective, StochasticObjective, Surface
from landscape.expression import ExpressionError, from_expression  # typed formulas
from landscape.registry import SURFACES, get_surface, markdown_table

__all__ = [
    "SURFACES",
    "ExpressionError",
    "Minimum",
    "Objective",
    "StochasticObjective",
    "Surface",
    "from_expression",
    "get_surface",
    "markdown_table",
]

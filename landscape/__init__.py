"""Landscapes to descend: verified 2D test surfaces, teaching surfaces, typed formulas and
data-driven losses. NumPy only (SymPy for typed formulas)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from landscape.base import Minimum, Objective, StochasticObjective, Surface
from landscape.data_losses import (
    DATA_LOSSES,
    DataLoss,
    LinearRegressionLoss,
    LogisticRegressionLoss,
    get_data_loss,
)
from landscape.registry import SURFACES, get_surface, markdown_table

# --- typed formulas (landscape/expression.py, owned by the formula helper) -----------------------
# Imported lazily: SymPy takes ~0.2 s to import, and pages that never parse a formula skip it.
if TYPE_CHECKING:
    from landscape.expression import ExpressionError, from_expression

_LAZY = {"ExpressionError", "from_expression"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from landscape import expression

        return getattr(expression, name)
    raise AttributeError(f"module 'landscape' has no attribute {name!r}")


# --------------------------------------------------------------------------------------------------

__all__ = [
    "DATA_LOSSES",
    "SURFACES",
    "DataLoss",
    "ExpressionError",
    "LinearRegressionLoss",
    "LogisticRegressionLoss",
    "Minimum",
    "Objective",
    "StochasticObjective",
    "Surface",
    "from_expression",
    "get_data_loss",
    "get_surface",
    "markdown_table",
]

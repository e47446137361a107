"""The walkers: PyTorch-exact update rules, schedules and a batched run loop (NumPy only).

Usage: ``run(get_optimizer("adam", lr=0.05), objective, start, steps=300)`` where ``objective``
has ``value``/``grad`` over a trailing parameter axis and ``start`` is (D,) or a batch (B, D);
``run_endpoints`` gives the same runs' ends (and first arrivals) without keeping the paths.
"""

from optimizers.base import GradientTransformation, Optimizer, Walker
from optimizers.recording import Endpoints
from optimizers.registry import OPTIMIZERS, get_optimizer, markdown_table
from optimizers.runner import run, run_endpoints
from optimizers.schedules import SCHEDULE_HPARAMS, SCHEDULES, get_schedule
from optimizers.spec import HPARAM_SYMBOLS, HParam, OptimizerSpec
from optimizers.trajectory import Trajectory

__all__ = [
    "HPARAM_SYMBOLS",
    "OPTIMIZERS",
    "SCHEDULES",
    "SCHEDULE_HPARAMS",
    "Endpoints",
    "GradientTransformation",
    "HParam",
    "Optimizer",
    "OptimizerSpec",
    "Trajectory",
    "Walker",
    "get_optimizer",
    "get_schedule",
    "markdown_table",
    "run",
    "run_endpoints",
]

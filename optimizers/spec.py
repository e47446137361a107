"""What the registry knows about each optimizer: enough to build UI controls, docs and tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

HParamKind = Literal["float", "int", "bool", "pair"]


@dataclass(frozen=True)
class HParam:
    """One hyperparameter: PyTorch's name, its default and the range the UI offers.

    ``kind="pair"`` is a 2-tuple of floats (``betas``); ``min``/``max`` then bound each element.
    ``log=True`` asks for a log-scale control (values spanning decades, such as ``lr`` or ``eps``).
    """

    name: str
    default: Any
    min: float | None = None
    max: float | None = None
    log: bool = False
    kind: HParamKind = "float"
    help: str = ""


@dataclass(frozen=True)
class OptimizerSpec:
    """A registry entry: display text, math, reference, hyperparameters and the factory."""

    name: str
    display_name: str
    description: str  # one plain-words sentence
    update_rule: str  # LaTeX
    reference: str
    hparams: tuple[HParam, ...]
    factory: Callable[..., Any]
    uses_gradient: bool = True
    preset: dict[str, Any] | None = None  # fixed overrides of a base optimizer (momentum, nesterov)

    def hparam(self, name: str) -> HParam:
        for h in self.hparams:
            if h.name == name:
                return h
        valid = ", ".join(h.name for h in self.hparams)
        raise ValueError(f"{self.name} has no hyperparameter {name!r}; valid: {valid}")

    def defaults(self) -> dict[str, Any]:
        return {h.name: h.default for h in self.hparams}

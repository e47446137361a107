"""What the registry knows about each optimizer: enough to build UI controls, docs and tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

HParamKind = Literal["float", "int", "bool", "pair"]

#: The letter each setting goes by in the registry's update rules (``OptimizerSpec.update_rule``),
#: as text and as the rule's LaTeX: the cards under a rule say which slider each letter in it is
#: (η and λ in Adam's rule went unexplained, its slider saying "lr"). Flags (nesterov, amsgrad,
#: centered, decoupled) are words in the rules.
HPARAM_SYMBOLS: dict[str, tuple[str, str]] = {
    "lr": ("η", r"\eta"), "sgd_lr": ("η_sgd", r"\eta_{\text{sgd}}"),
    "weight_decay": ("λ", r"\lambda"), "momentum": ("μ", r"\mu"), "dampening": ("τ", r"\tau"),
    "betas": ("β₁, β₂", r"\beta_1"), "b1": ("β₁", r"\beta_1"), "b2": ("β₂", r"\beta_2"),
    "eps": ("ε", r"\epsilon"), "alpha": ("α", r"\alpha"), "rho": ("ρ", r"\rho"),
    "lr_decay": ("δ", r"\delta"), "momentum_decay": ("ψ", r"\psi"),
    "step_size": ("s", r"s\,"), "switch_step": ("K", r"\le K"),
}


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

"""The optimizer registry: one ``OptimizerSpec`` per walker drives the UI, the docs and the tests.

Hyperparameter names and defaults are torch.optim's. Where PyTorch's default learning rate is too
small to move visibly on a unit-scale 2D surface in a few hundred steps, the default here is larger
and the ``help`` text gives PyTorch's value.

Adding an optimizer: write its transform builder ``(lr, **hparams) -> GradientTransformation`` in
a family module (torch's order of operations, docstring with the rule), add an ``OptimizerSpec``
below, and a case in ``tests/optimizers/reference_cases.py`` if PyTorch has it (then rerun
``make_reference.py``). Registry-wide tests pick the new entry up by themselves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from optimizers import adam_family, adaptive, gradient_free, sgd_family
from optimizers.base import Optimizer, Walker
from optimizers.schedules import Constant, as_schedule
from optimizers.spec import HParam, OptimizerSpec
from optimizers.switching import switch, switched_schedule


def _lr(default: float, torch_default: float | None = None) -> HParam:
    if torch_default is None:
        note = "not in torch.optim (optax takes no default)"
    elif torch_default == default:
        note = "PyTorch's default too"
    else:
        note = f"PyTorch's default is {torch_default:g}"
    return HParam("lr", default, 1e-6, 1e3, log=True, help=f"learning rate (step size); {note}")


def _betas() -> HParam:
    return HParam("betas", (0.9, 0.999), 0.0, 0.9999, kind="pair", help="decay rates of m and v")


def _eps(default: float, help: str = "added to the denominator") -> HParam:
    return HParam("eps", default, 1e-12, 1e-1, log=True, help=help)


#: Weight-decay help by how the optimizer applies it: coupled (L2, torch's default), decoupled
#: (AdamW, Lion), or either (Adam, AMSGrad, NAdam and RAdam, chosen by
#: ``decoupled_weight_decay``).
_WD_HELP = {
    "l2": "pull towards the origin (L2): adds weight_decay·x to the gradient",
    "decoupled": "pull towards the origin, decoupled (not L2): takes lr·weight_decay·x off the "
                 "position each step, apart from the gradient",
    "either": "pull towards the origin: L2 (adds weight_decay·x to the gradient), or AdamW-style "
              "decoupled decay when decoupled_weight_decay is on",
}


def _wd(default: float = 0.0, kind: str = "l2") -> HParam:
    return HParam("weight_decay", default, 0.0, 1.0, help=_WD_HELP[kind])


_MOMENTUM = HParam("momentum", 0.0, 0.0, 0.999, help="fraction of the last step kept")
_DAMPENING = HParam("dampening", 0.0, 0.0, 1.0, help="damps the gradient added to the momentum")
_NESTEROV = HParam("nesterov", False, kind="bool", help="look ahead along the momentum")
_AMSGRAD = HParam("amsgrad", False, kind="bool", help="use the running max of v")
_DECOUPLED = HParam("decoupled_weight_decay", False, kind="bool", help="AdamW-style decay")
_MOMENTUM_DECAY = HParam("momentum_decay", 4e-3, 0.0, 0.1, help="NAdam's psi")


def _gradient(builder: Callable[..., Any]) -> Callable[..., Optimizer]:
    """A spec factory: hyperparameters -> Optimizer from a transform builder ``(lr, **rest)``."""

    def factory(lr: Any, **rest: Any) -> Optimizer:
        schedule = as_schedule(lr)
        t = builder(schedule, **rest)
        return Optimizer("", t.init, t.update, schedule, {"lr": lr, **rest}, inplace=t.inplace)

    return factory


def _adam_then_sgd(
    lr: Any, betas: tuple[float, float], eps: float, switch_step: int, sgd_lr: Any, momentum: float
) -> Optimizer:
    first, second = as_schedule(lr), as_schedule(sgd_lr)
    t = switch(adam_family.adam(first, betas, eps), sgd_family.sgd(second, momentum), switch_step)
    hparams = {
        "lr": lr,
        "betas": betas,
        "eps": eps,
        "switch_step": switch_step,
        "sgd_lr": sgd_lr,
        "momentum": momentum,
    }
    lr_t = switched_schedule(first, second, switch_step)
    return Optimizer("", t.init, t.update, lr_t, hparams, switch_step=switch_step)


def _random_search() -> Walker:
    return Walker(
        "",
        gradient_free.walker_init,
        gradient_free.random_search_step,
        gradient_free.random_search_draws,
        Constant(0.0),
        {},
        needs_domain=True,
    )


def _random_local_search(step_size: float) -> Walker:
    return Walker(
        "",
        gradient_free.walker_init,
        gradient_free.random_local_search_step(step_size),
        gradient_free.random_local_search_draws,
        Constant(step_size),
        {"step_size": step_size},
    )


def _aligned(*rows: str) -> str:
    """Rules one per line, aligned on each row's first "=" (a row holding "&" is kept as is):
    short lines for the narrow optimizer card."""
    cells = [row if "&" in row else row.replace("=", "&=", 1) for row in rows]
    return r"\begin{aligned}" + r"\\ ".join(cells) + r"\end{aligned}"


#: The gradient each rule uses: with weight decay λ as L2 (PyTorch's coupled form) it includes
#: λx; decoupled decay (AdamW, Lion) leaves it alone and shrinks x in the step instead.
_G = r"g_t = \nabla f(x_{t-1})"
_G_L2 = r"g_t = \nabla f(x_{t-1}) + \lambda x_{t-1}"
_G_EITHER = (_G_L2, r"&\ \ (\text{decoupled: not in } g_t\text{;}",
             r"&\ \ \ x_{t-1} \gets (1-\eta\lambda)\, x_{t-1}\text{)}")

#: Adam's two moments, shared by the rules of its family.
_M_RULE = r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t"
_V_RULE = r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2"
#: Adam's step in rows short enough for the optimizer card; the same arithmetic as PyTorch's
#: lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps): eps outside the root, after the
#: bias correction.
_ADAM_HATS = (r"\hat m_t = m_t / (1-\beta_1^t)", r"\hat v_t = v_t / (1-\beta_2^t)")
_ADAM_STEP = r"x_{t} = x_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}"
#: The card's amsgrad toggle, in the rule of Adam and AdamW (a review: it ran the running maximum
#: while the rule showed plain Adam).
_AMSGRAD_ROWS = (r"&\ \ (\text{amsgrad: } u_t \text{ for } v_t \text{ in } \hat v_t,",
                 r"&\ \ \ u_t = \max(u_{t-1}, v_t)\text{)}")
_SGD_ROWS = (r"b_1 = g_1", r"b_t = \mu b_{t-1} + (1-\tau) g_t",
             r"x_{t} = x_{t-1} - \eta\, b_t")

_SPECS = (
    OptimizerSpec(
        "random_search",
        "Random search",
        "Tries a random point anywhere in the box each step and keeps the best one seen so far.",
        _aligned(r"c_t &\sim \mathcal{U}(\text{box})",
                 r"x_t = \arg\min_{x \in \{x_{t-1}, c_t\}} f(x)"),
        "Bergstra & Bengio, Random Search for Hyper-Parameter Optimization, JMLR 2012; "
        "CS231n notes, Optimization (strategy 1)",
        (),
        _random_search,
        uses_gradient=False,
    ),
    OptimizerSpec(
        "random_local_search",
        "Random local search",
        "Takes a random step of fixed length and keeps it only if the loss went down.",
        _aligned(r"z_t &\sim \mathcal{N}(0, I)",
                 r"c_t = x_{t-1} + s\,\frac{z_t}{\lVert z_t\rVert}",
                 r"x_t = c_t \text{ if } f(c_t) < f(x_{t-1})",
                 r"&\quad\text{else } x_{t-1}"),
        "CS231n notes, Optimization (strategy 2: random local search, with a Gaussian step "
        "there and a fixed step length here)",
        (HParam("step_size", 0.1, 1e-4, 10.0, log=True, help="length of each random step"),),
        _random_local_search,
        uses_gradient=False,
    ),
    OptimizerSpec(
        "sgd",
        "SGD",
        "Steps by a fraction of the slope (with momentum, past slopes); stochastic with "
        "minibatches or gradient noise.",
        _aligned(_G_L2, *_SGD_ROWS, r"&\text{Nesterov: } g_t + \mu b_t \text{ for } b_t",
                 r"&\mu = 0:\ x_t = x_{t-1} - \eta g_t"),
        "Robbins & Monro, A Stochastic Approximation Method, 1951",
        (_lr(0.01, 1e-3), _MOMENTUM, _DAMPENING, _wd(), _NESTEROV),
        _gradient(sgd_family.sgd),
    ),
    OptimizerSpec(
        "momentum",
        "SGD + momentum",
        "Rolls downhill like a heavy ball: keeps 90% of its previous velocity.",
        _aligned(_G_L2, *_SGD_ROWS, r"&\mu = 0.9"),
        "Polyak, Some methods of speeding up the convergence of iteration methods, 1964",
        (_lr(0.01, 1e-3), _DAMPENING, _wd()),
        _gradient(sgd_family.sgd),
        preset={"momentum": 0.9},
    ),
    OptimizerSpec(
        "nesterov",
        "Nesterov momentum",
        "Momentum that looks ahead; PyTorch's form takes the gradient here and builds the "
        "look-ahead into the step.",
        _aligned(_G_L2, r"b_t = \mu b_{t-1} + g_t", r"x_t = x_{t-1} - \eta\,(g_t + \mu b_t)",
                 r"&\mu = 0.9"),
        "Nesterov 1983; Sutskever et al., On the importance of initialization and momentum, 2013",
        (_lr(0.01, 1e-3), _wd()),
        _gradient(sgd_family.sgd),
        preset={"momentum": 0.9, "nesterov": True},
    ),
    OptimizerSpec(
        "adagrad",
        "Adagrad",
        "Gives each coordinate its own step size, shrinking it where gradients have been large.",
        _aligned(_G_L2, r"s_t = s_{t-1} + g_t^2", r"\eta_t = \eta / (1+(t-1)\delta)",
                 r"&\ \ (\delta: \text{lr\_decay})",
                 r"x_t = x_{t-1} - \eta_t\, \frac{g_t}{\sqrt{s_t}+\epsilon}"),
        "Duchi, Hazan & Singer, Adaptive Subgradient Methods, JMLR 2011",
        (
            _lr(0.5, 1e-2),
            HParam("lr_decay", 0.0, 0.0, 1.0,
                   help="decay of the rate per step: the rate is lr / (1 + (t−1)·δ), δ = lr_decay"),
            _wd(),
            HParam("initial_accumulator_value", 0.0, 0.0, 10.0, help="starting value of s"),
            _eps(1e-10),
        ),
        _gradient(adaptive.adagrad),
    ),
    OptimizerSpec(
        "rmsprop",
        "RMSprop",
        "Divides the step by a running average of recent gradient sizes, so steep and flat "
        "directions move alike.",
        _aligned(
            _G_L2,
            r"v_t = \alpha v_{t-1} + (1-\alpha) g_t^2",
            r"\bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t",
            r"&\ \ (\text{centered; else } \bar g_t = 0)",
            r"d_t = \sqrt{v_t - \bar g_t^2} + \epsilon",
            r"b_t = \mu b_{t-1} + g_t / d_t",
            r"x_t = x_{t-1} - \eta\, b_t",
        ),
        "Hinton, Neural Networks for Machine Learning, lecture 6e, 2012",
        (
            _lr(0.01, 1e-2),
            HParam("alpha", 0.99, 0.0, 0.9999, help="decay of the squared average"),
            _eps(1e-8),
            _wd(),
            _MOMENTUM,
            HParam("centered", False, kind="bool",
                   help="divide by the standard deviation √(v − ḡ²) instead of √v "
                        "(ḡ: running mean of g)"),
        ),
        _gradient(adaptive.rmsprop),
    ),
    OptimizerSpec(
        "adadelta",
        "Adadelta",
        "Like RMSprop, but sizes steps from a running size of its own past steps; starts slowly.",
        _aligned(_G_L2, r"v_t = \rho v_{t-1} + (1-\rho) g_t^2",
                 r"\Delta_t = \frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}}\, g_t",
                 r"u_t = \rho u_{t-1} + (1-\rho)\Delta_t^2", r"x_t = x_{t-1} - \eta \Delta_t"),
        "Zeiler, ADADELTA: An Adaptive Learning Rate Method, 2012",
        (
            _lr(3.0, 1.0),
            HParam("rho", 0.9, 0.0, 0.9999, help="decay of the running averages"),
            _eps(1e-6, "added inside both square roots, of u and of v"),
            _wd(),
        ),
        _gradient(adaptive.adadelta),
    ),
    OptimizerSpec(
        "adam",
        "Adam",
        "Momentum plus RMSprop with bias correction: steady steps of about the learning rate.",
        _aligned(*_G_EITHER, _M_RULE, _V_RULE, *_ADAM_HATS, *_AMSGRAD_ROWS, _ADAM_STEP),
        "Kingma & Ba, Adam: A Method for Stochastic Optimization, ICLR 2015",
        (_lr(0.05, 1e-3), _betas(), _eps(1e-8), _wd(kind="either"), _AMSGRAD, _DECOUPLED),
        _gradient(adam_family.adam),
    ),
    OptimizerSpec(
        "amsgrad",
        "AMSGrad",
        "Adam that divides by the running maximum of v, not v itself: a steep stretch keeps "
        "damping later steps.",
        _aligned(*_G_EITHER, _M_RULE, _V_RULE, r"u_t = \max(u_{t-1}, v_t)", _ADAM_HATS[0],
                 r"\hat v_t = u_t / (1-\beta_2^t)", _ADAM_STEP),
        "Reddi, Kale & Kumar, On the Convergence of Adam and Beyond, ICLR 2018",
        (_lr(0.05, 1e-3), _betas(), _eps(1e-8), _wd(kind="either"), _DECOUPLED),
        _gradient(adam_family.adam),
        preset={"amsgrad": True},
    ),
    OptimizerSpec(
        "adamw",
        "AdamW",
        "Adam with weight decay applied directly to the position instead of through the gradient.",
        _aligned(_G, _M_RULE, _V_RULE, *_ADAM_HATS, *_AMSGRAD_ROWS,
                 r"x_t = (1-\eta\lambda)\, x_{t-1}",
                 r"&\quad - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}"),
        "Loshchilov & Hutter, Decoupled Weight Decay Regularization, ICLR 2019",
        (_lr(0.05, 1e-3), _betas(), _eps(1e-8), _wd(1e-2, "decoupled"), _AMSGRAD),
        _gradient(adam_family.adamw),
    ),
    OptimizerSpec(
        "nadam",
        "NAdam",
        "Adam with Nesterov look-ahead momentum.",
        _aligned(
            *_G_EITHER,
            _M_RULE,
            _V_RULE,
            r"\mu_t = \beta_1\big(1 - \tfrac12\, 0.96^{t\psi}\big)",
            r"\Pi_t = \mu_1 \mu_2 \cdots \mu_t",
            r"d_t = \sqrt{v_t/(1-\beta_2^t)} + \epsilon",
            r"n_t = \frac{(1-\mu_t)\,g_t}{1-\Pi_t}",
            r"&\quad + \frac{\mu_{t+1}\, m_t}{1-\Pi_{t+1}}",
            r"x_t = x_{t-1} - \eta\, n_t / d_t",
        ),
        "Dozat, Incorporating Nesterov Momentum into Adam, ICLR workshop 2016",
        (_lr(0.05, 2e-3), _betas(), _eps(1e-8), _wd(kind="either"), _MOMENTUM_DECAY,
         _DECOUPLED),
        _gradient(adam_family.nadam),
    ),
    OptimizerSpec(
        "radam",
        "RAdam",
        "Adam that starts as plain momentum until its variance estimate can be trusted.",
        _aligned(
            *_G_EITHER,
            _M_RULE,
            _V_RULE,
            r"\hat m_t = m_t / (1-\beta_1^t)",
            r"\rho_\infty = 2 / (1-\beta_2) - 1",
            r"\rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t}",
            r"r_t^2 = \frac{(\rho_t-4)(\rho_t-2)\,\rho_\infty}"
            r"{(\rho_\infty-4)(\rho_\infty-2)\,\rho_t}",
            r"d_t = (\sqrt{v_t}+\epsilon) / \sqrt{1-\beta_2^t}",
            r"x_t = x_{t-1} - \eta\, r_t\, \hat m_t / d_t",
            r"&\ \ (\rho_t \le 5:\ x_{t-1} - \eta\, \hat m_t)",
        ),
        "Liu et al., On the Variance of the Adaptive Learning Rate and Beyond, ICLR 2020 (the "
        "paper rectifies from ρ_t > 4; PyTorch, and so this, from ρ_t > 5)",
        (_lr(0.05, 1e-3), _betas(), _eps(1e-8), _wd(kind="either"), _DECOUPLED),
        _gradient(adam_family.radam),
    ),
    OptimizerSpec(
        "adamax",
        "Adamax",
        "Adam with the largest recent gradient size in place of the average squared size.",
        _aligned(
            _G_L2,
            _M_RULE,
            r"u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon)",
            r"x_t = x_{t-1} - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{u_t}",
        ),
        "Kingma & Ba, Adam: A Method for Stochastic Optimization, ICLR 2015 (section 7)",
        (_lr(0.05, 2e-3), _betas(), _eps(1e-8, "added to |g| before the running maximum"), _wd()),
        _gradient(adam_family.adamax),
    ),
    OptimizerSpec(
        "lion",
        "Lion",
        "Steps each coordinate by exactly lr in the sign of a momentum blend; decay shrinks x "
        "by lr·λ·x.",
        _aligned(_G, r"c_t = \beta_1 m_{t-1} + (1-\beta_1) g_t",
                 r"x_t = x_{t-1} - \eta\operatorname{sign}(c_t)", r"&\quad - \eta\lambda\, x_{t-1}",
                 r"m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t"),
        "Chen et al., Symbolic Discovery of Optimization Algorithms, 2023 (as in optax.lion)",
        (
            _lr(0.02),
            HParam("b1", 0.9, 0.0, 0.9999, help="blend for the sign"),
            HParam("b2", 0.99, 0.0, 0.9999, help="decay of the momentum"),
            _wd(1e-3, "decoupled"),
        ),
        _gradient(adam_family.lion),
    ),
    OptimizerSpec(
        "adam_then_sgd",
        "Adam, then SGD",
        "Adam for the first steps (fast, rough), then plain SGD (slow, careful), as the article "
        "advises.",
        _aligned(r"t \le K&:\ \text{Adam}(\eta)", r"t > K&:\ \text{SGD}(\eta_{\text{sgd}}, \mu)"),
        "The study note's rule of thumb, at a step you choose; Keskar & Socher, Improving "
        "Generalization Performance by Switching from Adam to SGD, 2017 (SWATS) pick the step "
        "and SGD's rate automatically",
        (
            _lr(0.05, 1e-3),
            _betas(),
            _eps(1e-8),
            HParam("switch_step", 50, 1, 100_000, kind="int", help="Adam steps before switching"),
            HParam(
                "sgd_lr", 0.01, 1e-6, 1e3, log=True, help="SGD's learning rate after the switch"
            ),
            _MOMENTUM,
        ),
        _adam_then_sgd,
    ),
)

OPTIMIZERS: dict[str, OptimizerSpec] = {spec.name: spec for spec in _SPECS}


def _check_number(spec: str, h: HParam, value: Any, integer: bool = False) -> float | int:
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool | np.bool_) or not isinstance(value, kinds):
        kind = "an integer" if integer else "a number"
        raise ValueError(
            f"{spec}: {h.name} must be {kind} in [{h.min:g}, {h.max:g}], got {value!r}"
        )
    try:
        inside = math.isfinite(value) and h.min <= value <= h.max
    except OverflowError:  # an int too large for a float (10**400)
        inside = False
    if not inside:
        raise ValueError(f"{spec}: {h.name}={value!r} is out of range [{h.min:g}, {h.max:g}]")
    return int(value) if integer else float(value)


def _validate(spec: str, h: HParam, value: Any) -> Any:
    """Check one hyperparameter against its spec; return it normalised (floats, tuples)."""
    if h.kind == "bool":
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{spec}: {h.name} must be True or False, got {value!r}")
        return bool(value)
    if h.kind == "int":
        return _check_number(spec, h, value, integer=True)
    if h.kind == "pair":
        if not isinstance(value, tuple | list) or len(value) != 2:
            raise ValueError(f"{spec}: {h.name} must be a pair of numbers, got {value!r}")
        return tuple(_check_number(spec, h, v) for v in value)
    if h.name.endswith("lr") and callable(value):
        return value  # a schedule; its factory validated it
    if h.name.endswith("lr") and np.ndim(value) > 0:
        return _check_rates(spec, h, value)
    return _check_number(spec, h, value)


def _check_rates(spec: str, h: HParam, value: Any) -> np.ndarray:
    """Per-path rates: an array broadcastable against the (B, D) parameters, e.g. (B, 1)."""
    rates = np.array(value, dtype=float)
    if not (np.all(np.isfinite(rates)) and np.all((rates >= h.min) & (rates <= h.max))):
        raise ValueError(f"{spec}: every {h.name} must be in [{h.min:g}, {h.max:g}]")
    rates.setflags(write=False)
    return rates


def get_optimizer(name: str, **hparams: Any) -> Optimizer | Walker:
    """Build a registered optimizer with PyTorch-named hyperparameters (defaults from the spec).

    Raises ValueError for an unknown name, an unknown hyperparameter, a preset's fixed one set to
    another value (``momentum`` is SGD with momentum=0.9), or a value outside the spec's range
    (the message names the parameter and the range).
    """
    spec = OPTIMIZERS.get(name)
    if spec is None:
        raise ValueError(f"unknown optimizer {name!r}; valid: {', '.join(OPTIMIZERS)}")
    preset = spec.preset or {}
    valid = [h.name for h in spec.hparams]
    for key in hparams:
        if key in preset and not (np.ndim(hparams[key]) == 0 and hparams[key] == preset[key]):
            raise ValueError(f"{name} fixes {key}={preset[key]!r}; use 'sgd' or 'adam' to vary it")
        if key not in valid and key not in preset:
            raise ValueError(f"{name} has no hyperparameter {key!r}; valid: {', '.join(valid)}")
    values = {h.name: _validate(name, h, hparams.get(h.name, h.default)) for h in spec.hparams}
    values.update(preset)
    if values.get("nesterov") and (values["momentum"] <= 0 or values.get("dampening", 0)):
        raise ValueError(f"{name}: nesterov needs momentum in (0, 0.999] and dampening = 0")
    return replace(spec.factory(**values), name=name)


def _format_default(h: HParam) -> str:
    if h.kind == "pair":
        return "(" + ", ".join(f"{v:g}" for v in h.default) + ")"
    if h.kind == "bool":
        return str(h.default)
    return f"{h.default:g}"


def markdown_table() -> str:
    """The registry as a Markdown table: name, display name, hyperparameters, description."""
    rows = ["| Name | Optimizer | Hyperparameters (defaults) | What it does |", "|---|---|---|---|"]
    for spec in OPTIMIZERS.values():
        params = ", ".join(f"`{h.name}={_format_default(h)}`" for h in spec.hparams) or "none"
        if spec.preset:
            params += " (fixed: " + ", ".join(f"`{k}={v}`" for k, v in spec.preset.items()) + ")"
        rows.append(f"| `{spec.name}` | {spec.display_name} | {params} | {spec.description} |")
    return "\n".join(rows) + "\n"

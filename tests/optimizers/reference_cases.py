"""The cases shared by ``make_reference.py`` (PyTorch side) and the tests (NumPy side).

Each case: registry name, torch.optim class name, keyword arguments valid for both, objective,
steps. Objectives are summed over a batch of starts on the PyTorch side, so each row of the
(B, 2) parameter gets its own gradient, exactly like a batched ``run``.
"""

from __future__ import annotations

import numpy as np

STEPS = 120
STARTS = np.array([[-1.2, 1.0], [0.4, -0.6], [1.3, 1.7]])

# f(x) = 0.5 x^T A x - b^T x, convex, minimum at A^{-1} b.
QUAD_A = np.array([[3.0, 0.5], [0.5, 1.0]])
QUAD_B = np.array([1.0, -0.5])

# (case id, registry name, torch class, kwargs, objective)
CASES: list[tuple[str, str, str, dict, str]] = [
    ("sgd_plain", "sgd", "SGD", {"lr": 2e-4}, "rosenbrock"),
    ("sgd_momentum", "sgd", "SGD", {"lr": 2e-4, "momentum": 0.9}, "rosenbrock"),
    ("sgd_dampening", "sgd", "SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}, "quadratic"),
    ("sgd_nesterov", "sgd", "SGD", {"lr": 2e-4, "momentum": 0.9, "nesterov": True}, "rosenbrock"),
    (
        "sgd_weight_decay",
        "sgd",
        "SGD",
        {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1},
        "quadratic",
    ),
    (  # flags together (a review listed the combinations no case covered)
        "sgd_nesterov_decay",
        "sgd",
        "SGD",
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
        "quadratic",
    ),
    (
        "sgd_dampening_decay",
        "sgd",
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1},
        "quadratic",
    ),
    ("momentum_preset", "momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, "quadratic"),
    (
        "nesterov_preset",
        "nesterov",
        "SGD",
        {"lr": 0.05, "momentum": 0.9, "nesterov": True},
        "quadratic",
    ),
    ("adagrad_plain", "adagrad", "Adagrad", {"lr": 0.1}, "rosenbrock"),
    (
        "adagrad_flags",
        "adagrad",
        "Adagrad",
        {
            "lr": 0.3,
            "lr_decay": 0.01,
            "initial_accumulator_value": 0.5,
            "weight_decay": 0.05,
            "eps": 1e-8,
        },
        "quadratic",
    ),
    ("rmsprop_plain", "rmsprop", "RMSprop", {"lr": 1e-3}, "rosenbrock"),
    (
        "rmsprop_centered",
        "rmsprop",
        "RMSprop",
        {"lr": 1e-3, "centered": True, "alpha": 0.9},
        "rosenbrock",
    ),
    (
        "rmsprop_momentum",
        "rmsprop",
        "RMSprop",
        {"lr": 0.01, "momentum": 0.7, "centered": True, "weight_decay": 0.05},
        "quadratic",
    ),
    (
        "rmsprop_momentum_uncentered",
        "rmsprop",
        "RMSprop",
        {"lr": 0.01, "momentum": 0.5, "eps": 1e-4},
        "quadratic",
    ),
    ("adadelta_plain", "adadelta", "Adadelta", {"lr": 1.0}, "rosenbrock"),
    (
        "adadelta_rho",
        "adadelta",
        "Adadelta",
        {"lr": 0.5, "rho": 0.5, "eps": 1e-4, "weight_decay": 0.1},
        "quadratic",
    ),
    ("adam_plain", "adam", "Adam", {"lr": 1e-2}, "rosenbrock"),
    (
        "adam_amsgrad",
        "adam",
        "Adam",
        {"lr": 1e-2, "amsgrad": True, "betas": (0.8, 0.99)},
        "rosenbrock",
    ),
    (
        "adam_weight_decay",
        "adam",
        "Adam",
        {"lr": 0.05, "weight_decay": 0.1, "eps": 1e-6},
        "quadratic",
    ),
    ("amsgrad_preset", "amsgrad", "Adam", {"lr": 0.05, "amsgrad": True}, "quadratic"),
    (
        "amsgrad_l2",
        "amsgrad",
        "Adam",
        {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1},
        "quadratic",
    ),
    (  # torch 2.13's Adam(decoupled_weight_decay=True): AdamW's decay in Adam
        "adam_decoupled",
        "adam",
        "Adam",
        {"lr": 0.05, "weight_decay": 0.2, "decoupled_weight_decay": True},
        "quadratic",
    ),
    (
        "amsgrad_decoupled",
        "amsgrad",
        "Adam",
        {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.1, "decoupled_weight_decay": True},
        "rosenbrock",
    ),
    ("adamw_default", "adamw", "AdamW", {"lr": 1e-2}, "rosenbrock"),
    (
        "adamw_decay",
        "adamw",
        "AdamW",
        {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True},
        "quadratic",
    ),
    ("nadam_plain", "nadam", "NAdam", {"lr": 1e-2}, "rosenbrock"),
    (
        "nadam_momentum_decay",
        "nadam",
        "NAdam",
        {"lr": 0.05, "momentum_decay": 0.02, "weight_decay": 0.1},
        "quadratic",
    ),
    (
        "nadam_decoupled",
        "nadam",
        "NAdam",
        {"lr": 0.05, "weight_decay": 0.2, "decoupled_weight_decay": True},
        "quadratic",
    ),
    # Rosenbrock: on the quadratic, Adam-like steps at its minimum (m/sqrt(v) of a vanishing
    # gradient) grow last-bit differences to 1e-8 by step 120, torch's own included
    ("nadam_betas", "nadam", "NAdam", {"lr": 1e-2, "betas": (0.8, 0.95)}, "rosenbrock"),
    ("radam_plain", "radam", "RAdam", {"lr": 5e-4}, "rosenbrock"),
    (
        "radam_flags",
        "radam",
        "RAdam",
        {"lr": 0.02, "weight_decay": 0.1, "betas": (0.9, 0.99)},
        "quadratic",
    ),
    (
        "radam_decoupled",
        "radam",
        "RAdam",
        {"lr": 0.02, "weight_decay": 0.2, "decoupled_weight_decay": True},
        "quadratic",
    ),
    ("adamax_plain", "adamax", "Adamax", {"lr": 1e-2}, "rosenbrock"),
    (
        "adamax_flags",
        "adamax",
        "Adamax",
        {"lr": 0.02, "betas": (0.8, 0.99), "weight_decay": 0.1},
        "quadratic",
    ),
    ("adamax_eps", "adamax", "Adamax", {"lr": 0.02, "eps": 1e-3}, "quadratic"),
]

# Registry presets fix some arguments; these are passed to torch but not to get_optimizer.
PRESET_KEYS = {
    "momentum": {"momentum"},
    "nesterov": {"momentum", "nesterov"},
    "amsgrad": {"amsgrad"},
}

# (case id, schedule name, schedule kwargs without lr, base lr, steps)
SCHEDULE_CASES: list[tuple[str, str, dict, float, int]] = [
    ("step", "step", {"step_size": 7, "gamma": 0.5}, 0.1, 40),
    ("exponential", "exponential", {"gamma": 0.95}, 0.1, 40),
    ("cosine", "cosine", {"T_max": 20, "eta_min": 0.001}, 0.1, 60),
    (
        "warmup_cosine",
        "warmup_cosine",
        {"warmup_steps": 5, "T_max": 20, "eta_min": 0.01, "start_factor": 0.25},
        0.1,
        40,
    ),
]

# An optimizer driven by a schedule, checked against torch with the scheduler stepped each step.
SCHEDULED_RUN = ("adam_cosine", "adam", {"lr": 0.1}, "cosine", {"T_max": 50, "eta_min": 0.001})


def rosenbrock_value(x: np.ndarray) -> np.ndarray:
    """(1 - x)^2 + 100 (y - x^2)^2 over the trailing axis."""
    return (1 - x[..., 0]) ** 2 + 100 * (x[..., 1] - x[..., 0] ** 2) ** 2


def rosenbrock_grad(x: np.ndarray) -> np.ndarray:
    """(-2(1 - x) - 400 x (y - x^2), 200 (y - x^2))."""
    a, b = x[..., 0], x[..., 1]
    r = b - a * a
    return np.stack([-2 * (1 - a) - 400 * a * r, 200 * r], axis=-1)


def quadratic_value(x: np.ndarray) -> np.ndarray:
    """0.5 x^T A x - b^T x, written elementwise so every row is computed the same way."""
    a, b = x[..., 0], x[..., 1]
    (a11, a12), (_, a22) = QUAD_A
    return 0.5 * (a11 * a * a + 2 * a12 * a * b + a22 * b * b) - (QUAD_B[0] * a + QUAD_B[1] * b)


def quadratic_grad(x: np.ndarray) -> np.ndarray:
    """A x - b (elementwise)."""
    a, b = x[..., 0], x[..., 1]
    (a11, a12), (_, a22) = QUAD_A
    return np.stack([a11 * a + a12 * b - QUAD_B[0], a12 * a + a22 * b - QUAD_B[1]], axis=-1)

"""Regenerate ``fixtures/torch_reference.npz`` with PyTorch (float64, CPU, foreach=False).

    python tests/optimizers/make_reference.py

Stores, per case, the (steps+1, B, 2) trajectory and the final optimizer state (torch's state
names), plus the learning rates of torch's schedulers. The tests only read the fixture.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.optimizers.reference_cases import (  # noqa: E402
    CASES,
    QUAD_A,
    QUAD_B,
    SCHEDULE_CASES,
    SCHEDULED_RUN,
    STARTS,
    STEPS,
)

OUT = HERE / "fixtures" / "torch_reference.npz"


def rosenbrock(x: torch.Tensor) -> torch.Tensor:
    return ((1 - x[:, 0]) ** 2 + 100 * (x[:, 1] - x[:, 0] ** 2) ** 2).sum()


def quadratic(x: torch.Tensor) -> torch.Tensor:
    A, b = torch.tensor(QUAD_A), torch.tensor(QUAD_B)
    return (0.5 * torch.einsum("bi,ij,bj->b", x, A, x) - x @ b).sum()


OBJECTIVES = {"rosenbrock": rosenbrock, "quadratic": quadratic}


def trajectory(opt_cls, kwargs, objective, steps, scheduler=None):
    x = torch.tensor(STARTS, requires_grad=True)
    opt = opt_cls([x], foreach=False, **kwargs)
    sched = scheduler(opt) if scheduler else None
    points = [STARTS.copy()]
    for _ in range(steps):
        opt.zero_grad()
        objective(x).backward()
        opt.step()
        if sched:
            sched.step()
        points.append(x.detach().numpy().copy())
    state = {
        k: np.asarray(v.detach().numpy() if torch.is_tensor(v) else v, dtype=float)
        for k, v in opt.state[x].items()
    }
    return np.array(points), state


def torch_scheduler(name, kw, opt):
    sch = torch.optim.lr_scheduler
    if name == "step":
        return sch.StepLR(opt, **kw)
    if name == "exponential":
        return sch.ExponentialLR(opt, **kw)
    if name == "cosine":
        return sch.CosineAnnealingLR(opt, **kw)
    warm = sch.LinearLR(opt, start_factor=kw["start_factor"], total_iters=kw["warmup_steps"])
    cos = sch.CosineAnnealingLR(opt, T_max=kw["T_max"], eta_min=kw["eta_min"])
    return sch.SequentialLR(opt, [warm, cos], milestones=[kw["warmup_steps"]])


def schedule_values(name, kw, lr, steps):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = torch_scheduler(name, kw, opt)
    values = []
    for _ in range(steps):
        values.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(values)


def main() -> None:
    # Scalar state follows the default dtype: under float32, NAdam's mu_product is a float32
    # tensor even for float64 parameters, and NAdam agrees only to 1e-10..1e-8 (README footnote).
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    data: dict[str, np.ndarray] = {"torch_version": np.array(torch.__version__)}
    for case, _name, cls, kwargs, objective in CASES:
        points, state = trajectory(getattr(torch.optim, cls), kwargs, OBJECTIVES[objective], STEPS)
        if not np.all(np.isfinite(points)):
            raise SystemExit(f"{case} diverged in torch; pick a smaller lr")
        data[f"{case}/points"] = points
        for key, value in state.items():
            data[f"{case}/state/{key}"] = value
    for case, name, kw, lr, steps in SCHEDULE_CASES:
        data[f"schedule/{case}"] = schedule_values(name, kw, lr, steps)
    case, _name, kwargs, sname, skw = SCHEDULED_RUN
    points, _ = trajectory(
        torch.optim.Adam, kwargs, quadratic, STEPS, lambda o: torch_scheduler(sname, skw, o)
    )
    data[f"{case}/points"] = points
    np.savez_compressed(OUT, **data)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB, {len(CASES)} optimizer cases)")


if __name__ == "__main__":
    main()

"""Divergent settings never raise and never draw NaN.

Every registered landscape (surfaces and data-driven losses) is raced by every registered optimizer
at the largest learning rate the registry allows (1e3, far past stability on every surface),
through the race page's own compute layer (``app_pages.common.compute.race_figures``: runs, map,
loss and distance curves), not the browser. The pytest config turns RuntimeWarning into an error,
so an overflow that escapes ``np.errstate`` fails here too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from app_pages.common import compute
from landscape import SURFACES
from landscape.data_losses import DATA_LOSSES
from optimizers import OPTIMIZERS, get_optimizer
from viz.playback import Playback
from viz.spec import spec_dict

STEPS = 80
LANDSCAPES = sorted([*SURFACES, *DATA_LOSSES])


def huge_lr(name: str) -> dict[str, float]:
    """``lr`` at its registry maximum (the most divergent legal setting); {} without an lr."""
    spec = OPTIMIZERS[name]
    return {h.name: float(h.max) for h in spec.hparams if h.name == "lr"}


def non_finite(node: Any, where: str = "") -> Iterator[str]:
    """Paths (``data[3].x[17]``) of every NaN or infinity in a nested figure dict."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from non_finite(value, f"{where}.{key}")
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from non_finite(value, f"{where}[{i}]")
    elif isinstance(node, np.ndarray):
        if node.dtype.kind in "fc":
            bad = np.argwhere(~np.isfinite(node))
            if len(bad):
                yield f"{where}{list(bad[0])} ({len(bad)} values)"
        elif node.dtype.kind == "O":
            yield from non_finite(node.tolist(), where)
    elif isinstance(node, float | np.floating) and not math.isfinite(float(node)):
        yield where


def test_non_finite_finds_nan_and_inf_and_nothing_else() -> None:
    fig = {"data": [{"x": [1.0, None, 2], "y": np.array([0.0, np.nan])},
                    {"z": [[1.0, float("inf")]], "text": "nan"}], "frames": []}
    found = list(non_finite(fig))
    assert len(found) == 2
    assert found[0].startswith(".data[0].y") and found[1] == ".data[1].z[0][1]"
    assert not list(non_finite({"data": [{"x": [1, 2.5, None], "name": "inf"}]}))


def test_every_optimizer_has_a_huge_legal_learning_rate() -> None:
    for name in OPTIMIZERS:
        hp = huge_lr(name)
        if hp:
            assert hp["lr"] >= 1e3, name
            get_optimizer(name, **hp)  # legal: the registry accepts its own maximum


@pytest.mark.parametrize("name", LANDSCAPES)
def test_all_optimizers_at_lr_1e3_never_raise_nor_draw_nan(name: str) -> None:
    objective = compute.get_landscape(name)
    start = tuple(float(v) for v in objective.default_start)
    racers = tuple(compute.entry(opt, {h.name: h.default for h in OPTIMIZERS[opt].hparams}
                                 | huge_lr(opt)) for opt in OPTIMIZERS)
    batch = 10 if compute.is_data_loss(name) else None
    figs = compute.race_figures(name, "", racers, start, STEPS, 0, 0.0, batch, Playback())
    for key in ("map", "loss", "distance"):
        if figs.get(key) is None:
            continue
        figure = spec_dict(figs[key])
        bad = list(non_finite({"data": figure["data"], "frames": figure.get("frames", [])}))
        assert not bad, f"NaN/inf in the {key} figure of {name}: {bad[:5]}"
    for path in figs["paths"]:
        assert np.all(np.isfinite(path.points)), f"{path.name}: non-finite point kept in path"
    assert any(p.diverged_step >= 0 for p in figs["paths"]), (
        "lr 1e3 should blow up at least one optimizer (else this tests nothing)")

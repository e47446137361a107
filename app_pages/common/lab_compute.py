"""Cached computation for the learning-rate lab, the basins page and the concepts tour.

Thin ``st.cache_data`` wrappers (bounded by ``limits.cache_bounds``; the batched sweeps and basin
maps run inside ``limits.heavy_slot``) over the pure modules ``app_pages.common.lab`` (with
``lab_tuner`` and ``lab_schedules``), ``app_pages.common.basins`` and ``app_pages.common.tour``;
every input is a plain hashable value (names, numbers, tuples). Objectives come from the race's
``compute.get_landscape`` so every page descends the very same objects.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from app_pages.common import basins, lab, lab_schedules, lab_tuner, tour
from app_pages.common.compute import Entry, get_landscape, is_data_loss
from app_pages.common.limits import cache_bounds, heavy_slot

#: Pickled bytes the sweep cache keeps: a sweep with paths holds every rate's whole path (100
#: rates x 2,000 steps: ~10 MB; only the small multiples' few rates keep them now).
SWEEP_BYTES = 64 * 2**20


def _run_kwargs(surface: str, seed: int, noise: float, batch_size: int | None) -> dict[str, Any]:
    """Noise applies to analytic surfaces, minibatches to data-driven losses (as in the race)."""
    data = is_data_loss(surface)
    return {"seed": seed, "noise": 0.0 if data else noise,
            "batch_size": batch_size if data else None}


@st.cache_data(show_spinner=False, **cache_bounds(SWEEP_BYTES))
def sweep(surface: str, racer: Entry, start: tuple[float, float], steps: int,
          rates: tuple[float, float, int], seed: int, noise: float,
          batch_size: int | None, paths: bool = False) -> lab.Sweep:
    """``rates`` = (lo, hi, n) log-spaced learning rates, one batched run; with ``paths``
    every rate's whole path (the small multiples), else ``Sweep.light``."""
    name, items = racer
    with heavy_slot():
        s = lab.sweep(name, get_landscape(surface), np.asarray(start), steps,
                      lab.log_rates(*rates), hparams=dict(items),
                      **_run_kwargs(surface, seed, noise, batch_size))
    return s if paths else s.light()


@st.cache_data(show_spinner=False, **cache_bounds())
def tune(surface: str, racer: Entry, start: tuple[float, float], steps: int,
         rates: tuple[float, float, int], seed: int, noise: float,
         batch_size: int | None) -> lab_tuner.Tuned:
    """The fair tuner over ``rates`` = (lo, hi, n): two batched runs, each rate from the start
    and the 8 starts around it (``lab_tuner.tune_learning_rate``)."""
    name, items = racer
    lo, hi, n = rates
    with heavy_slot():
        return lab_tuner.tune_learning_rate(name, get_landscape(surface), np.asarray(start), steps,
                                            lo=lo, hi=hi, n=n, hparams=dict(items),
                                            **_run_kwargs(surface, seed, noise, batch_size))


@st.cache_data(show_spinner=False, **cache_bounds())
def schedule_curves(surface: str, runs: tuple[tuple[str, Entry, str], ...], schedule: str,
                    settings: tuple[tuple[str, Any], ...], start: tuple[float, float],
                    steps: int, seed: int, noise: float, batch_size: int | None,
                    ) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The schedule view's runs (``lab_schedules.schedule_curves``): ``runs`` of (name, racer
    entry of its settings, label), each under ``schedule`` with ``settings``, over the noise
    draws."""
    with heavy_slot():  # with noise, 8 draws of every run: bounded across sessions
        return lab_schedules.schedule_curves(
            [(name, dict(items), label) for name, (_, items), label in runs], schedule,
            dict(settings), get_landscape(surface), np.asarray(start), steps,
            **_run_kwargs(surface, seed, noise, batch_size))


@st.cache_data(show_spinner=False, **cache_bounds())
def basin_map(surface: str, racer: Entry, n: int, steps: int, seed: int,
              noise: float) -> basins.BasinMap:
    """One optimizer's basin map over an n x n grid of starts (one batched run)."""
    name, items = racer
    with heavy_slot():
        return basins.basin_map(name, get_landscape(surface), n, steps, hparams=dict(items),
                                seed=seed, noise=noise)


@st.cache_data(show_spinner=False, **cache_bounds())
def baseline(surface: str, name: str, n: int, steps: int, seed: int) -> basins.BasinStats:
    """A gradient-free baseline from a grid of min(n, BASELINE_SIDE)^2 of the same starts."""
    surf = get_landscape(surface)
    _, _, starts = basins.start_grid(surf.domain, min(n, basins.BASELINE_SIDE))
    return basins.baseline(name, surf, starts, steps, seed=seed)


@st.cache_data(show_spinner=False, **cache_bounds())
def trials(surface: str, start: tuple[float, float], budget: int, lr: float, step_size: float,
           seed: int) -> list[tour.Curve]:
    return tour.trials(get_landscape(surface), np.asarray(start), budget, lr=lr,
                       step_size=step_size, seed=seed)


@st.cache_data(show_spinner=False, **cache_bounds())
def epoch_curve(surface: str, name: str, label: str, start: tuple[float, float], epochs: int,
                hparams: tuple[tuple[str, Any], ...], batch_size: int | None, seed: int,
                switch_epoch: float | None = None) -> tour.Curve:
    return tour.epoch_curve(name, label, get_landscape(surface), np.asarray(start), epochs,
                            dict(hparams), batch_size, seed, switch_epoch)

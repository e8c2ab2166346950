"""A cohort of independent predictors of equal weight and a survival or binary outcome.

The truth of the optimism pages: :func:`hccrep.optimism.split_sample_gap` and
:func:`hccrep.optimism.compare_validation_methods` draw their development studies from
:func:`simulate_prognostic_cohort`, whose true discrimination is set by the standard
deviation of the linear predictor (:func:`hccrep.optimism.lp_sd_for_index`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

__all__ = ["simulate_prognostic_cohort"]


def simulate_prognostic_cohort(
    n: int,
    n_predictors: int,
    lp_sd: float,
    rng: np.random.Generator,
    *,
    outcome: str = "survival",
    censored: float = 0.3,
    prevalence: float = 0.5,
) -> pd.DataFrame:
    """A cohort with ``n_predictors`` independent standard normal predictors of equal weight.

    The true linear predictor is ``lp_sd / sqrt(p) * (x1 + ... + xp)`` (so its SD
    is ``lp_sd``).  Survival: exponential times with hazard ``exp(lp)`` and
    independent exponential censoring (about ``censored`` of patients censored
    when ``lp_sd`` is small).  Binary: ``logit P = logit(prevalence) + lp``.

    Parameters
    ----------
    n : int
        Patients.
    n_predictors : int
        Predictors ``x1..xp``, all of them in the true model.
    lp_sd : float
        Standard deviation of the true linear predictor (:func:`lp_sd_for_index`).
    rng : numpy.random.Generator
        Source of every draw.
    outcome : {"survival", "binary"}
        The kind of outcome.
    censored : float
        Share censored when ``lp_sd`` is small (survival only).
    prevalence : float
        Share of cases at ``lp = 0`` (binary only).

    Returns
    -------
    DataFrame with columns ``x1..xp``, ``lp`` (the truth) and ``time``, ``event`` or ``y``.

    Examples
    --------
    >>> d = simulate_prognostic_cohort(30, 3, 0.8, np.random.default_rng(0))
    >>> list(d.columns)
    ['x1', 'x2', 'x3', 'lp', 'time', 'event']
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 10:
        raise ValueError(f"n must be an integer >= 10, got {n!r}")
    if (
        not isinstance(n_predictors, (int, np.integer))
        or isinstance(n_predictors, bool)
        or n_predictors < 1
    ):
        raise ValueError(f"n_predictors must be a positive integer, got {n_predictors!r}")
    if not (np.isfinite(lp_sd) and lp_sd >= 0):
        raise ValueError(f"lp_sd must be a finite non-negative number, got {lp_sd!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator")
    if outcome not in ("survival", "binary"):
        raise ValueError(f"unknown outcome {outcome!r}; expected 'survival' or 'binary'")
    if not 0 <= censored < 1:
        raise ValueError(f"censored must be in [0, 1), got {censored!r}")
    if not 0 < prevalence < 1:
        raise ValueError(f"prevalence must be in (0, 1), got {prevalence!r}")
    x = rng.standard_normal((n, n_predictors))
    lp = x.sum(axis=1) * lp_sd / np.sqrt(n_predictors)
    d = pd.DataFrame(x, columns=[f"x{i}" for i in range(1, n_predictors + 1)])
    d["lp"] = lp
    if outcome == "binary":
        d["y"] = (rng.random(n) < special.expit(np.log(prevalence / (1 - prevalence)) + lp)).astype(
            int
        )
        return d
    t = rng.exponential(1.0, n) / np.exp(lp)
    c = rng.exponential(1.0, n) * (1 - censored) / censored if censored > 0 else np.full(n, np.inf)
    d["time"] = np.minimum(t, c)
    d["event"] = (t <= c).astype(int)
    return d

"""A cohort with a log-normal marker and an outcome that has no threshold in it.

The truth of the cut-off pages: :func:`hccrep.cutoffs.literature_spread` and the cut-off
instability study draw every simulated study from :func:`simulate_marker_cohort`, so any
"optimal" cut-off they find is an artefact of selection, not a step in the risk.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrep.stats._validate import check_choice

__all__ = ["TRUE_MODELS", "OUTCOMES", "simulate_marker_cohort"]

#: How the outcome depends on the marker: not at all, or log-linearly (no step anywhere).
TRUE_MODELS = ("null", "loglinear")
#: The kinds of outcome.
OUTCOMES = ("survival", "binary")


def simulate_marker_cohort(
    n: int,
    rng: np.random.Generator,
    *,
    true_model: str = "null",
    log_hr_per_sd: float = 0.0,
    marker_median: float = 1.0,
    marker_sigma: float = 0.5,
    censored: float = 0.3,
    outcome: str = "survival",
    prevalence: float = 0.5,
) -> pd.DataFrame:
    """One cohort with a log-normal marker and an outcome that has **no** threshold in it.

    The marker is ``marker_median * exp(marker_sigma * Z)``, Z standard normal.

    - ``true_model="null"``: the outcome does not depend on the marker;
    - ``true_model="loglinear"``: the log-hazard (survival) or the log-odds
      (binary) is linear in ``Z`` with slope ``log_hr_per_sd`` -- risk rises
      smoothly with the marker, with no step anywhere.

    Survival times are exponential (unit baseline hazard; the log-rank test is
    rank-based, so the time scale is irrelevant) with independent exponential
    censoring of rate ``censored / (1 - censored)`` (about that share censored
    under the null).  A binary outcome has intercept ``logit(prevalence)``.

    Parameters
    ----------
    n : int
        Patients.
    rng : numpy.random.Generator
        Source of every draw.
    true_model : {"null", "loglinear"}
        Whether the outcome depends on the marker (smoothly) or not at all.
    log_hr_per_sd : float
        Log hazard ratio (or log odds ratio) per SD of ``log(marker)``; ``loglinear`` only.
    marker_median, marker_sigma : float
        Median and log-scale SD of the marker.
    censored : float
        Share censored under the null (survival only), in [0, 1).
    outcome : {"survival", "binary"}
        The kind of outcome.
    prevalence : float
        Share with ``y = 1`` at the median marker (binary only).

    Returns
    -------
    DataFrame with columns ``marker`` and ``time``, ``event`` (survival) or ``y`` (binary).

    Examples
    --------
    >>> df = simulate_marker_cohort(50, np.random.default_rng(0))
    >>> list(df.columns)
    ['marker', 'time', 'event']
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 10:
        raise ValueError(f"n must be an integer >= 10, got {n!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator")
    check_choice(true_model, TRUE_MODELS, "true_model")
    check_choice(outcome, OUTCOMES, "outcome")
    if not np.isfinite(log_hr_per_sd):
        raise ValueError("log_hr_per_sd must be finite")
    if true_model == "null" and log_hr_per_sd != 0:
        raise ValueError("log_hr_per_sd must be 0 when true_model='null'")
    if not (np.isfinite(marker_median) and marker_median > 0):
        raise ValueError(f"marker_median must be positive, got {marker_median!r}")
    if not (np.isfinite(marker_sigma) and marker_sigma > 0):
        raise ValueError(f"marker_sigma must be positive, got {marker_sigma!r}")
    if not 0 <= censored < 1:
        raise ValueError(f"censored must be in [0, 1), got {censored!r}")
    if not 0 < prevalence < 1:
        raise ValueError(f"prevalence must be in (0, 1), got {prevalence!r}")
    z = rng.standard_normal(n)
    marker = marker_median * np.exp(marker_sigma * z)
    lp = log_hr_per_sd * z
    if outcome == "binary":
        p = 1 / (1 + np.exp(-(np.log(prevalence / (1 - prevalence)) + lp)))
        return pd.DataFrame({"marker": marker, "y": (rng.random(n) < p).astype(int)})
    t_event = rng.exponential(1.0, n) / np.exp(lp)
    if censored > 0:
        t_cens = rng.exponential(1.0, n) * (1 - censored) / censored
    else:
        t_cens = np.full(n, np.inf)
    return pd.DataFrame(
        {
            "marker": marker,
            "time": np.minimum(t_event, t_cens),
            "event": (t_event <= t_cens).astype(int),
        }
    )

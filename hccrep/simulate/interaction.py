"""A two-arm cohort with a two-level subgroup and a chosen treatment-by-subgroup interaction.

Exponential survival with administrative censoring, the design of the power study of
:func:`hccrep.stats.subgroups.interaction_power` (how often a Wald interaction test of a
cohort this size finds a true interaction, and how much the significant estimates
exaggerate it). :func:`simulate_interaction_cohort` gives a DataFrame;
:func:`simulate_interaction_arrays` the same draws as arrays, for Monte Carlo loops.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["simulate_interaction_cohort", "simulate_interaction_arrays"]


def _sizes_array(sizes) -> np.ndarray:
    arr = np.asarray(sizes, dtype=float)
    if arr.shape != (2, 2):
        raise ValueError(
            f"sizes must be a 2 x 2 table (arm 0/1 by subgroup level 0/1), got shape {arr.shape}"
        )
    if (arr < 0).any() or (arr != np.round(arr)).any():
        raise ValueError("sizes must be non-negative whole numbers")
    if (arr.sum(axis=1) == 0).any() or (arr.sum(axis=0) == 0).any():
        raise ValueError("every arm and every subgroup level needs at least one patient")
    return arr.astype(int)


def _draw(
    rng: np.random.Generator,
    n: np.ndarray,
    median_control,
    hr_arm,
    hr_interaction,
    hr_subgroup,
    follow_up,
):
    arm = np.repeat([0.0, 0.0, 1.0, 1.0], n.ravel())
    sub = np.repeat([0.0, 1.0, 0.0, 1.0], n.ravel())
    rate = (
        np.log(2) / median_control * hr_arm**arm * hr_subgroup**sub * hr_interaction ** (arm * sub)
    )
    t = rng.exponential(1 / rate)
    c = rng.uniform(follow_up[0], follow_up[1], arm.size)
    return np.minimum(t, c), (t <= c).astype(int), arm, sub


def _check_design(
    n, median_control, hr_arm, hr_interaction, hr_subgroup, follow_up
) -> tuple[np.ndarray, tuple[float, float]]:
    n = _sizes_array(n)
    for v, name in (
        (median_control, "median_control"),
        (hr_arm, "hr_arm"),
        (hr_interaction, "hr_interaction"),
        (hr_subgroup, "hr_subgroup"),
    ):
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float, np.number))
            or not np.isfinite(v)
            or v <= 0
        ):
            raise ValueError(f"{name} must be a positive number, got {v!r}")
    try:
        lo, hi = (float(x) for x in follow_up)
    except (TypeError, ValueError):
        raise ValueError(f"follow_up must be (min, max), got {follow_up!r}") from None
    if not 0 <= lo < hi:
        raise ValueError(f"follow_up must be (min, max) with 0 <= min < max, got {follow_up}")
    return n, (lo, hi)


def simulate_interaction_arrays(
    rng: np.random.Generator,
    sizes,
    *,
    median_control: float,
    hr_arm: float,
    hr_interaction: float = 1.0,
    hr_subgroup: float = 1.0,
    follow_up: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The cohort of :func:`simulate_interaction_cohort` as four arrays, for Monte Carlo loops.

    Same model, same draws in the same order, no DataFrame: the power simulation of
    :func:`hccrep.stats.subgroups.interaction_power` calls it thousands of times.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the survival and censoring times.
    sizes : 2 x 2 array_like
        ``sizes[arm][level]`` patients (arm 0 control, 1 treated; level 0 reference).
    median_control, hr_arm, hr_interaction, hr_subgroup : float
        Positive; as in :func:`simulate_interaction_cohort`.
    follow_up : (min, max)
        Window of potential follow-up.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray, numpy.ndarray)
        ``time``, ``event`` (0/1 int), ``arm`` and ``sub`` (0.0/1.0 floats), one entry per
        patient, patients ordered by arm then level.

    Examples
    --------
    >>> t, e, a, s = simulate_interaction_arrays(np.random.default_rng(0), [[10, 5], [8, 7]],
    ...                                          median_control=10, hr_arm=1, follow_up=(3, 60))
    >>> t.size, int(a.sum()), int(s.sum())
    (30, 15, 12)
    """
    n, fu = _check_design(sizes, median_control, hr_arm, hr_interaction, hr_subgroup, follow_up)
    return _draw(rng, n, median_control, hr_arm, hr_interaction, hr_subgroup, fu)


def simulate_interaction_cohort(
    rng: np.random.Generator,
    sizes,
    *,
    median_control: float,
    hr_arm: float,
    hr_interaction: float = 1.0,
    hr_subgroup: float = 1.0,
    follow_up: tuple[float, float],
) -> pd.DataFrame:
    """A two-arm cohort with a two-level subgroup and exponential survival.

    The hazard is ``log(2) / median_control * hr_arm**arm * hr_subgroup**sub
    * hr_interaction**(arm * sub)``: ``median_control`` is the median of
    control patients in the reference level, ``hr_arm`` the treatment HR in
    the reference level and ``hr_arm * hr_interaction`` the one in the other
    level.  Censoring is administrative: each patient's potential follow-up
    is uniform on ``follow_up``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the survival and censoring times.
    sizes : 2 x 2 array_like
        ``sizes[arm][level]`` patients (arm 0 control, 1 treated; level 0
        reference, 1 other).
    median_control, hr_arm, hr_interaction, hr_subgroup : float
        Positive: the control median in the reference level and the three hazard ratios.
    follow_up : (min, max)
        Window of potential follow-up.

    Returns
    -------
    pandas.DataFrame
        ``time, event, arm, sub`` (``arm`` and ``sub`` coded 0/1).

    Examples
    --------
    >>> d = simulate_interaction_cohort(np.random.default_rng(0), [[10, 5], [8, 7]], median_control=10,
    ...                                 hr_arm=1, follow_up=(3, 60))
    >>> len(d), int(d.arm.sum()), int(d["sub"].sum())
    (30, 15, 12)
    """
    t, e, a, s = simulate_interaction_arrays(
        rng,
        sizes,
        median_control=median_control,
        hr_arm=hr_arm,
        hr_interaction=hr_interaction,
        hr_subgroup=hr_subgroup,
        follow_up=follow_up,
    )
    return pd.DataFrame({"time": t, "event": e, "arm": a.astype(int), "sub": s.astype(int)})

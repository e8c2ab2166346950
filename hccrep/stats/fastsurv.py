"""A small numpy Kaplan-Meier and log-rank engine for Monte Carlo loops.

The book's displayed analyses use :mod:`hccrep.stats.survival`, which builds
the Kaplan-Meier curve with lifelines ``KaplanMeierFitter`` and the log-rank
test with lifelines ``multivariate_logrank_test``.  Each of those calls costs
several milliseconds of pandas bookkeeping, which dominates a Monte Carlo that
refits a few dozen curves on each of thousands of cohorts of 50-150 patients.
The functions here compute the same numbers with a handful of numpy
operations on plain arrays:

* :func:`km_curve` -- distinct times, numbers at risk, events, censorings, the
  Kaplan-Meier estimate (product-limit, evaluated as lifelines does, as
  ``exp(cumsum(log((n - d) / n)))``) and Greenwood's standard error of
  ``log S``;
* :func:`km_median` -- the median with R's rule (first time the curve is at or
  below 0.5, the midpoint of a flat stretch at exactly 0.5) and its CI where
  the pointwise ``"log"`` (R ``survfit`` default), ``"log-log"`` or
  ``"plain"`` bands cross 0.5 (R ``summary(fit)$table``);
* :func:`km_landmark` -- survival at landmark times with its pointwise CI, as
  R ``summary(fit, times=)``;
* :func:`logrank` -- the k-group log-rank test (R ``survdiff``, ``rho = 0``,
  hypergeometric variance, chi-square with ``k - 1`` df).

They return the result types of :mod:`hccrep.stats.survival`, with the engine
named in ``variant``.  ``tests/test_fastsurv.py`` checks them against
lifelines, against :mod:`hccrep.stats.survival` and against live R
(``survfit``, ``survdiff``) on data with tied times.

Examples
--------
>>> res = km_median([2, 7, 7, 8, 9], [1, 1, 0, 1, 1])
>>> int(res.median), int(res.lower), bool(np.isnan(res.upper))  # upper limit not reached
(8, 7, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from hccrep.stats._validate import as_vector, check_choice
from hccrep.stats.survival import (
    Landmarks,
    CONF_TYPES,
    LogrankResult,
    MedianResult,
    _as_time_event,
    _check_alpha,
    _conf_label,
    _first_below_half,
    _group_codes,
    _landmark_points,
    _pointwise_limits,
    _z,
)

__all__ = [
    "KMCurve",
    "Landmarks",
    "TrendResult",
    "SMALL_ARM",
    "km_curve",
    "km_median",
    "km_landmark",
    "logrank",
    "logrank_trend",
    "median_survival",
    "median_survival_pairs",
]

_ENGINE = "numpy engine, hccrep.stats.fastsurv"


@dataclass(frozen=True)
class KMCurve:
    """A Kaplan-Meier curve as arrays, one entry per distinct observed time.

    Attributes
    ----------
    time : ndarray
        Distinct follow-up times (events or censorings), increasing.
    n_risk, n_event, n_censor : ndarray
        Patients at risk just before each time, events and censorings at it.
    survival : ndarray
        Kaplan-Meier estimate just after each time.
    se_log : ndarray
        Greenwood standard error of ``log S`` (``sqrt(sum d / (n (n - d)))``;
        infinite once ``S = 0``).
    """

    time: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray
    survival: np.ndarray
    se_log: np.ndarray

    def limits(self, conf_type: str = "log", alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise lower and upper limits, built as R ``survfit`` builds them."""
        check_choice(conf_type, CONF_TYPES, "conf_type")
        return _pointwise_limits(self.survival, self.se_log, conf_type, _z(_check_alpha(alpha)))

    def median(self, conf_type: str = "log", alpha: float = 0.05) -> MedianResult:
        """The median and its CI, as :func:`km_median` reports them (the same numbers).

        One curve serves every summary of a group: a Monte Carlo that reports a
        group's median and its landmark rates builds the curve once.

        Parameters
        ----------
        conf_type : {"log", "log-log", "plain"}, default "log"
        alpha : float, default 0.05

        Returns
        -------
        MedianResult

        Examples
        --------
        >>> km_curve([1, 2, 3, 4], [1, 1, 1, 1]).median().median  # flat at 0.5 from 2 to 3
        2.5
        """
        check_choice(conf_type, CONF_TYPES, "conf_type")
        alpha = _check_alpha(alpha)
        lower, upper = _pointwise_limits(self.survival, self.se_log, conf_type, _z(alpha))
        return MedianResult(
            median=_first_below_half(self.survival, self.time),
            lower=_first_below_half(lower, self.time),
            upper=_first_below_half(upper, self.time),
            conf_type=conf_type,
            variant=f"Kaplan-Meier median, Greenwood variance, {_conf_label(conf_type, alpha)}, "
            f"limits where the pointwise bands cross 0.5 (R summary(survfit)$table); {_ENGINE}",
        )

    def landmarks(self, at, conf_type: str = "log", alpha: float = 0.05) -> Landmarks:
        """Survival at landmark times with its pointwise CI, as :func:`km_landmark` (the same numbers).

        Parameters
        ----------
        at : float or sequence of float
            Landmark times, finite and non-negative.
        conf_type : {"log", "log-log", "plain"}, default "log"
        alpha : float, default 0.05

        Returns
        -------
        Landmarks

        Examples
        --------
        >>> lm = km_curve([2, 7, 7, 8, 9], [1, 1, 0, 1, 1]).landmarks([7, 10])
        >>> lm.survival.round(2).tolist(), lm.n_risk.tolist()
        ([0.6, nan], [4, 0])
        """
        check_choice(conf_type, CONF_TYPES, "conf_type")
        alpha = _check_alpha(alpha)
        points = _landmark_points(at)
        lower, upper = _pointwise_limits(self.survival, self.se_log, conf_type, _z(alpha))
        with np.errstate(invalid="ignore"):
            std_err = np.where(self.survival == 0, np.nan, self.survival * self.se_log)
        values = np.column_stack([self.survival, std_err, lower, upper])
        grid = self.time
        if grid[0] > 0:  # R survfit0(): a time-0 row with S = 1 and degenerate limits
            values = np.vstack([[1.0, 0.0, 1.0, 1.0], values])
            grid = np.concatenate(([0.0], grid))
        row = np.searchsorted(grid, points, side="right") - 1
        out = values[np.maximum(row, 0)].copy()
        out[points > self.time[-1]] = np.nan
        # at risk at t: everyone whose time is >= t, the number at risk at the first time >= t
        first = np.searchsorted(self.time, points, side="left")
        n_risk = np.where(
            first < self.time.size, self.n_risk[np.minimum(first, self.time.size - 1)], 0
        ).astype(np.int64)
        return Landmarks(
            points,
            n_risk,
            out[:, 0],
            out[:, 1],
            out[:, 2],
            out[:, 3],
            variant=f"Kaplan-Meier survival at landmarks, Greenwood variance, {_conf_label(conf_type, alpha)}; {_ENGINE}",
        )


def _curve(t: np.ndarray, e: np.ndarray) -> KMCurve:
    """:func:`km_curve` on validated arrays (``e`` integer 0/1)."""
    times, inv = np.unique(t, return_inverse=True)
    removed = np.bincount(inv, minlength=times.size)
    d = np.bincount(inv, weights=e, minlength=times.size)
    n_risk = t.size - np.concatenate(([0], np.cumsum(removed)[:-1]))
    n = n_risk.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # lifelines' evaluation of the product limit, so both engines agree to rounding
        surv = np.exp(np.cumsum(np.log(n - d) - np.log(n)))
        inc = np.where(d > 0, d / (n * (n - d)), 0.0)
    return KMCurve(
        times,
        n_risk.astype(np.int64),
        d.astype(np.int64),
        (removed - d).astype(np.int64),
        surv,
        np.sqrt(np.cumsum(inc)),
    )


def km_curve(time, event) -> KMCurve:
    """The Kaplan-Meier curve of ``time`` / ``event`` as plain arrays.

    Parameters
    ----------
    time : array_like
        Follow-up times, finite and non-negative.
    event : array_like
        1 if the event was observed, 0 if censored (booleans accepted).

    Returns
    -------
    KMCurve

    Examples
    --------
    >>> c = km_curve([2, 7, 7, 8, 9], [1, 1, 0, 1, 1])
    >>> c.time.astype(int).tolist(), c.n_risk.tolist(), c.survival.round(2).tolist()
    ([2, 7, 8, 9], [5, 4, 2, 1], [0.8, 0.6, 0.3, 0.0])
    """
    t, e = _as_time_event(time, event)
    return _curve(t, e)


def km_median(time, event, conf_type: str = "log", alpha: float = 0.05) -> MedianResult:
    """Kaplan-Meier median and its CI, as R ``summary(survfit)$table`` reports them.

    Same definition and result as :func:`hccrep.stats.survival.km_median`
    (lower / upper limit: the first time the lower / upper pointwise curve is
    at or below 0.5, with R's midpoint rule for a curve at exactly 0.5; NaN
    when never reached), computed without lifelines.

    Parameters
    ----------
    time, event : array_like
        See :func:`km_curve`.
    conf_type : {"log", "log-log", "plain"}, default "log"
        Pointwise interval transform (R ``survfit(conf.type=)``).
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    MedianResult

    Examples
    --------
    >>> km_median([1, 2, 3, 4], [1, 1, 1, 1]).median  # flat at 0.5 from 2 to 3: R's midpoint
    2.5
    """
    check_choice(conf_type, CONF_TYPES, "conf_type")
    _check_alpha(alpha)
    return _curve(*_as_time_event(time, event)).median(conf_type, alpha)


def km_landmark(time, event, at, conf_type: str = "log", alpha: float = 0.05) -> Landmarks:
    """Kaplan-Meier survival at landmark times with pointwise CI, as R ``summary(fit, times=at)``.

    The numpy engine of :func:`hccrep.stats.survival.km_landmark` (same
    arguments, same :class:`Landmarks`, equal values): the estimate at the last observed time
    ``<= t`` (1 with degenerate limits before the first), NaN after the last
    follow-up.

    Parameters
    ----------
    time, event : array_like
        See :func:`km_curve`.
    at : float or sequence of float
        Landmark times, finite and non-negative.
    conf_type : {"log", "log-log", "plain"}, default "log"
    alpha : float, default 0.05

    Returns
    -------
    Landmarks

    Examples
    --------
    >>> lm = km_landmark([2, 7, 7, 8, 9], [1, 1, 0, 1, 1], at=[7, 10])  # 10 is after the last follow-up
    >>> lm.survival.round(2).tolist(), lm.n_risk.tolist()
    ([0.6, nan], [4, 0])
    """
    check_choice(conf_type, CONF_TYPES, "conf_type")
    _check_alpha(alpha)
    t, e = _as_time_event(time, event)
    _landmark_points(at)  # the errors of ``at`` before anything is computed
    return _curve(t, e).landmarks(at, conf_type, alpha)


def logrank(time, event, group) -> LogrankResult:
    """Log-rank test of equal survival in k groups (R ``survdiff``, ``rho = 0``).

    At each distinct event time ``j`` with ``d_j`` events among ``n_j`` at
    risk (``n_gj`` in group ``g``), group ``g`` expects ``n_gj d_j / n_j``
    events; the statistic is ``(O - E)' V^- (O - E)`` over the first ``k - 1``
    groups with the hypergeometric covariance
    ``V_gh = sum_j d_j (n_j - d_j) / (n_j - 1) * n_gj (n_j [g = h] - n_hj) / n_j^2``,
    referred to chi-square with ``k - 1`` df.  Same result as
    :func:`hccrep.stats.survival.logrank` (lifelines), computed without it.

    Parameters
    ----------
    time, event : array_like
        Follow-up times and event indicators (1 = event).
    group : array_like
        Group label per patient (at least two distinct groups, no missing);
        grouped by value, labels mixing numbers and strings refused, as
        :func:`hccrep.stats.survival.logrank`.

    Returns
    -------
    LogrankResult

    Examples
    --------
    >>> res = logrank([2, 3, 5, 6, 8, 9, 4, 10, 12, 14], [1, 1, 1, 0, 1, 1, 0, 1, 1, 0],
    ...               ["a"] * 5 + ["b"] * 5)
    >>> res.df, round(res.statistic, 4)  # R survdiff: Chisq = 6.5 on 1 df
    (1, 6.5316)
    """
    t, e = _as_time_event(time, event)
    gi, k = _group_codes(group, t.size)
    if e.sum() == 0:
        raise ValueError("no events: the log-rank test is undefined")
    observed_minus_expected, v = _logrank_terms(t, e, gi, k)
    z = observed_minus_expected[:-1]
    stat = float(z @ np.linalg.pinv(v[:-1, :-1]) @ z)
    return LogrankResult(
        statistic=stat,
        df=int(k - 1),
        pvalue=float(special.chdtrc(k - 1, stat)),  # = stats.chi2.sf, without its per-call cost
        variant=f"log-rank (Mantel-Haenszel), {k} groups, chi-square with {k - 1} df, "
        f"hypergeometric variance (R survdiff, rho = 0); {_ENGINE}",
    )


def _logrank_terms(
    t: np.ndarray, e: np.ndarray, gi: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Observed minus expected events per group and their hypergeometric covariance (R ``survdiff``).

    ``gi`` codes the groups 0..k-1.
    """
    times, ti = np.unique(t, return_inverse=True)
    m = times.size
    removed = np.bincount(ti * k + gi, minlength=m * k).reshape(m, k).astype(float)
    dead = np.bincount(ti * k + gi, weights=e, minlength=m * k).reshape(m, k)
    # at risk just before each time, per group: everyone not removed at an earlier time
    n_g = removed[::-1].cumsum(axis=0)[::-1]
    keep = dead.sum(axis=1) > 0
    n_g, dead = n_g[keep], dead[keep]
    n = n_g.sum(axis=1)
    d = dead.sum(axis=1)
    observed_minus_expected = (dead - n_g * (d / n)[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(n > 1, d * (n - d) / ((n - 1) * n * n), 0.0)
    # V = sum_j f_j (n_j diag(n_gj) - n_gj n_hj)
    v = np.diag((f * n) @ n_g) - (n_g * f[:, None]).T @ n_g
    return observed_minus_expected, v


@dataclass(frozen=True)
class TrendResult:
    """Log-rank test for trend: statistic (chi-square, 1 df), p-value, the scores used, the variant.

    Attributes
    ----------
    statistic : float
        The chi-square statistic (1 df).
    df : int
        1.
    pvalue : float
        Its p-value.
    scores : tuple of float
        The scores given to the ordered groups.
    variant : str
        What was computed, in words.
    """

    statistic: float
    df: int
    pvalue: float
    scores: tuple[float, ...]
    variant: str


def logrank_trend(time, event, group, order=None, weights=None) -> TrendResult:
    """Log-rank test for trend over ordered groups.

    ``U = sum_g w_g (O_g - E_g)`` and ``Var(U) = w' V w`` with ``V`` the
    hypergeometric covariance of the log-rank test (R ``survdiff$var``);
    ``U**2 / Var(U)`` is chi-square with 1 df.  Without tied event times it
    equals the score test of a Cox model with the group scores as one
    covariate; with ties it keeps the log-rank's hypergeometric variance.

    Parameters
    ----------
    time, event : array_like
        Follow-up times and 0/1 event indicators.
    group : array_like
        Group labels.
    order : sequence, optional
        The groups from lowest to highest (default: sorted labels); must name
        exactly the groups present.
    weights : sequence of float, optional
        Scores of the ordered groups (default 1, 2, ..., k).

    Returns
    -------
    TrendResult

    Examples
    --------
    >>> r = logrank_trend([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], ["a", "a", "b", "b", "c", "c"], order=["c", "b", "a"])
    >>> r.df, round(r.pvalue, 3) < 0.05
    (1, True)
    """
    t, e = _as_time_event(time, event)
    g = as_vector(group, "group", dtype=object)
    if g.size != t.size:
        raise ValueError(f"time and group lengths differ ({t.size} vs {g.size})")
    if pd.isna(g).any():
        raise ValueError("group contains missing values")
    present = list(pd.unique(g))
    levels = list(order) if order is not None else sorted(present, key=str)
    if set(levels) != set(present) or len(levels) != len(present):
        raise ValueError(f"order {levels} does not match the groups {sorted(map(str, present))}")
    k = len(levels)
    if k < 2:
        raise ValueError("the test needs at least 2 groups")
    if e.sum() == 0:
        raise ValueError("no events: the test is undefined")
    w = np.arange(1.0, k + 1) if weights is None else np.asarray(weights, dtype=float).ravel()
    if w.size != k or not np.all(np.isfinite(w)):
        raise ValueError(f"weights needs {k} finite values, got {list(np.atleast_1d(w))}")
    lookup = {lv: i for i, lv in enumerate(levels)}
    gi = np.array([lookup[x] for x in g], dtype=np.int64)
    o_minus_e, v = _logrank_terms(t, e, gi, k)
    u = float(w @ o_minus_e)
    var = float(w @ v @ w)
    if var <= 0:
        raise ValueError("the trend statistic has zero variance (equal weights?)")
    stat = u * u / var
    scores = tuple(float(x) for x in w)
    return TrendResult(
        stat,
        1,
        float(special.chdtrc(1, stat)),
        scores,
        f"log-rank test for trend, scores {scores} over {levels}, hypergeometric variance "
        f"(R survdiff var), chi-square 1 df; {_ENGINE}",
    )


# ----------------------------------------------------------------------------- the median alone

_HALF_TOL_F = float(np.sqrt(np.finfo(float).eps))


def median_survival(time, event) -> float:
    """The Kaplan-Meier median alone, as R prints it (averaging where the curve sits at exactly 0.5).

    The point estimate of :func:`km_median` without its interval, for loops
    that need nothing else (the survival calibration calls it hundreds of
    times per cohort). No input checks: ``time`` and ``event`` must be valid
    (see :func:`km_median`). ``tests/test_simulate.py`` checks it equals
    :func:`hccrep.stats.survival.km_median` on random data with ties.

    Parameters
    ----------
    time : array_like
        Follow-up times (finite, non-negative).
    event : array_like
        1 for an event, 0 for censoring.

    Returns
    -------
    float
        The median survival time; NaN when the curve does not reach 0.5.

    Examples
    --------
    >>> median_survival([4.0, 1.0, 3.0, 2.0], [1, 1, 1, 1])
    2.5
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=int)
    if time.size <= SMALL_ARM:
        return median_survival_pairs(list(zip(time.tolist(), event.tolist())))
    order = np.argsort(time, kind="stable")
    ts = time[order]
    if ts.size > 1 and not (ts[1:] > ts[:-1]).all():
        return _km_median_ties(time, event)
    # no tied times: one patient leaves at each time, so the risk set at the k-th time is n - k
    es = event[order]
    ev = np.flatnonzero(es)
    surv = np.cumprod(1.0 - 1.0 / (ts.size - ev))
    return _median_from_curve(ts[ev], surv)


#: Up to this many patients :func:`median_survival` runs in plain Python: for an arm of a few
#: dozen patients numpy's per-call cost is most of the work (the same products in the same
#: order as the numpy path, so the same bits).
SMALL_ARM = 128


def median_survival_pairs(pairs: list) -> float:
    """:func:`median_survival` of a list of ``(time, event)`` pairs (sorted in place), in plain Python.

    Parameters
    ----------
    pairs : list of (float, int)
        ``(time, event)`` per patient; sorted in place.

    Returns
    -------
    float
        The median survival time; NaN when the curve does not reach 0.5.

    Examples
    --------
    >>> median_survival_pairs([(4.0, 1), (1.0, 1), (3.0, 1), (2.0, 1)])
    2.5
    """
    pairs.sort()
    n = len(pairs)
    for k in range(1, n):
        if pairs[k][0] == pairs[k - 1][0]:
            return _km_median_ties(
                np.array([p[0] for p in pairs], dtype=float),
                np.array([p[1] for p in pairs], dtype=int),
            )
    # no tied times: one patient leaves at each time, so the risk set at the k-th time is n - k
    surv = 1.0
    found = None
    for k, (t, e) in enumerate(pairs):
        if not e:
            continue
        surv *= 1.0 - 1.0 / (n - k)
        if found is not None:  # the curve sat at exactly 0.5: the midpoint to the next event time
            return 0.5 * (found + t)
        if surv <= 0.5 + _HALF_TOL_F:
            if abs(surv - 0.5) < _HALF_TOL_F:
                found = t
                continue
            return float(t)
    return float(found) if found is not None else float("nan")


def _km_median_ties(time: np.ndarray, event: np.ndarray) -> float:
    ut, inv = np.unique(time, return_inverse=True)
    d = np.bincount(inv, weights=event, minlength=ut.size)
    c = np.bincount(inv, minlength=ut.size)
    at_risk = time.size - np.concatenate(([0], np.cumsum(c)[:-1]))
    keep = d > 0
    ut, d, at_risk = ut[keep], d[keep], at_risk[keep]
    return _median_from_curve(ut, np.cumprod(1.0 - d / at_risk))


def _median_from_curve(event_times: np.ndarray, surv: np.ndarray) -> float:
    """First event time where the KM curve is at or below 0.5 (the midpoint to the next one at exactly 0.5)."""
    tol = np.sqrt(np.finfo(float).eps)
    below = np.flatnonzero(surv <= 0.5 + tol)
    if below.size == 0:
        return float("nan")
    k = below[0]
    if abs(surv[k] - 0.5) < tol and k + 1 < event_times.size:
        return 0.5 * (event_times[k] + event_times[k + 1])
    return float(event_times[k])

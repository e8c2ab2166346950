"""Kaplan-Meier summaries, the log-rank test and Cox models, matching R.

What each function computes, and how it relates to R's ``survival`` package:

* :func:`km_table` -- the Kaplan-Meier estimate (lifelines
  ``KaplanMeierFitter``) with Greenwood's variance and pointwise confidence
  limits built exactly as R ``survfit`` does.  R's default interval is the
  ``"log"`` transform, ``S * exp(+-z * se)``; lifelines' own
  ``confidence_interval_`` uses the ``"log-log"`` transform, so the limits are
  computed here from the Greenwood standard error, not taken from lifelines.
* :func:`km_median` -- the median and its confidence interval as R
  ``summary(fit)$table`` / ``print(fit)`` report them: the first time at which
  the survival curve (respectively the lower and upper pointwise limit curves)
  drops below 0.5, averaging two times when a curve equals 0.5 exactly over an
  interval.
* :func:`km_landmark` -- survival at fixed times as R ``summary(fit, times=)``.
* :func:`logrank` -- the k-group log-rank test (lifelines
  ``multivariate_logrank_test``), R ``survdiff`` with ``rho = 0``.
* :func:`cox` / :func:`univariable_cox` -- Cox proportional hazards models with
  Wald confidence intervals and p-values as R ``summary(coxph)``: Efron ties
  (R's default) through lifelines ``CoxPHFitter``, Breslow ties (the SAS and
  Stata default) through the numpy Newton-Raphson of
  :mod:`hccrep.stats.fastcox` (step halving, as R's ``coxph``).  A
  coefficient that does not converge (R: "coefficient may be infinite") is
  reported as NaN with a :class:`CoxConvergenceWarning` naming it.
"""

from __future__ import annotations

import functools

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from hccrep.stats._validate import as_vector, check_choice

__all__ = [
    "CONF_TYPES",
    "COX_TIES",
    "CoxConvergenceWarning",
    "CoxResult",
    "Landmarks",
    "LogrankResult",
    "MedianResult",
    "cox",
    "km_landmark",
    "km_median",
    "km_table",
    "logrank",
    "mixture_gap",
    "schoenfeld_test",
    "univariable_cox",
]

CONF_TYPES = ("log", "log-log", "plain")
COX_TIES = ("efron", "breslow")

_CONF_DESCRIPTIONS = {
    "log": "log transform (R survfit default)",
    "log-log": "log-log transform (SAS / Stata default; lifelines' interval)",
    "plain": "plain (linear) scale, clipped to [0, 1]",
}

#: R's tolerance for "the curve equals 0.5" in survmean(): sqrt(.Machine$double.eps).
_HALF_TOL = np.sqrt(np.finfo(float).eps)


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------


def _check_alpha(alpha: float) -> float:
    if (
        isinstance(alpha, bool)
        or not isinstance(alpha, (int, float, np.floating))
        or not 0 < alpha < 1
    ):
        raise ValueError(f"alpha must be a number strictly between 0 and 1, got {alpha!r}")
    return float(alpha)


def _as_time_event(time, event, time_name: str = "time", event_name: str = "event"):
    t = as_vector(time, time_name, what="must be numeric")
    e = as_vector(event, event_name, what="must be numeric 0/1 (or boolean)")
    if t.size != e.size:
        raise ValueError(f"{time_name} and {event_name} lengths differ ({t.size} vs {e.size})")
    if t.size == 0:
        raise ValueError(f"{time_name} is empty")
    if np.isnan(t).any():
        raise ValueError(f"{time_name} contains NaN")
    if np.isinf(t).any():
        raise ValueError(f"{time_name} contains infinite values")
    if (t < 0).any():
        raise ValueError(f"{time_name} contains negative times")
    if np.isnan(e).any():
        raise ValueError(f"{event_name} contains NaN")
    if not np.isin(e, (0.0, 1.0)).all():
        bad = np.unique(e[~np.isin(e, (0.0, 1.0))])[:5].tolist()
        raise ValueError(f"{event_name} must be 0/1 (1 = event), found {bad}")
    return t, e.astype(np.int64)


def _landmark_points(at) -> np.ndarray:
    """Landmark times as a 1-D float array: finite, non-negative, at least one."""
    try:
        points = np.atleast_1d(np.asarray(at, dtype=float)).ravel()
    except (TypeError, ValueError):
        raise ValueError("at must be a number or a sequence of numbers") from None
    if points.size == 0:
        raise ValueError("at is empty")
    if not np.isfinite(points).all():
        raise ValueError("at contains NaN or infinite times")
    if (points < 0).any():
        raise ValueError("at contains negative times")
    return points


def _conf_label(conf_type: str, alpha: float) -> str:
    return f"{100 * (1 - alpha):g}% CI, {_CONF_DESCRIPTIONS[conf_type]}"


# --------------------------------------------------------------------------
# Kaplan-Meier
# --------------------------------------------------------------------------


def _pointwise_limits(surv: np.ndarray, se_log: np.ndarray, conf_type: str, z: float):
    """R ``survival:::survfit_confint`` (``logse=TRUE``, ``ulimit=TRUE``)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = z * se_log * surv
            return np.maximum(surv - half, 0.0), np.minimum(surv + half, 1.0)
        if conf_type == "log":
            s = np.where(surv == 0, np.nan, surv)
            return np.exp(np.log(s) - z * se_log), np.minimum(np.exp(np.log(s) + z * se_log), 1.0)
        s = np.where((surv == 0) | (surv == 1), np.nan, surv)
        shift = z * se_log / np.log(s)
        loglog = np.log(-np.log(s))
        return np.exp(-np.exp(loglog - shift)), np.exp(-np.exp(loglog + shift))


def km_table(time, event, conf_type: str = "log", alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan-Meier table with Greenwood standard errors and R's pointwise limits.

    Parameters
    ----------
    time : array_like
        Follow-up times, non-negative.
    event : array_like
        1 if the event was observed, 0 if censored (booleans accepted).
    conf_type : {"log", "log-log", "plain"}, default "log"
        Transform of the pointwise interval, as R ``survfit(conf.type=)``;
        with ``se`` = Greenwood's ``sqrt(sum d / (n (n - d)))`` (the standard
        error of ``log S``) and ``z`` the normal quantile:

        * ``"log"``: ``S exp(-z se)`` to ``min(1, S exp(z se))``; undefined
          (NaN) where ``S = 0``.
        * ``"log-log"``: ``exp(-exp(log(-log S) -+ z se / log S))``; NaN where
          ``S`` is 0 or 1.
        * ``"plain"``: ``S -+ z S se`` clipped to ``[0, 1]``.
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per distinct observed time (events or censorings), columns
        ``time, n_risk, n_event, n_censor, survival, std_err, lower, upper``.
        ``std_err`` is the Greenwood standard error of ``S`` (``S * se``), as
        R ``summary(fit)$std.err`` prints it; it is NaN where ``S = 0``.

    Examples
    --------
    >>> km_table([1, 2, 2, 3, 4], [1, 1, 0, 1, 1])[["time", "n_risk", "survival"]]
       time  n_risk  survival
    0   1.0       5       0.8
    1   2.0       4       0.6
    2   3.0       2       0.3
    3   4.0       1       0.0
    """
    check_choice(conf_type, CONF_TYPES, "conf_type")
    alpha = _check_alpha(alpha)
    t, e = _as_time_event(time, event)
    return _km_table(t, e, conf_type, alpha)


def _km_arrays(t: np.ndarray, e: np.ndarray, conf_type: str, alpha: float) -> dict[str, np.ndarray]:
    """The columns of :func:`_km_table` as arrays (lifelines' fit; Greenwood SE; R's limits)."""
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter().fit(t, e)
    events = kmf.event_table
    keep = events["removed"].to_numpy() > 0
    times = events.index.to_numpy(dtype=float)[keep]
    n_risk = events["at_risk"].to_numpy(dtype=np.int64)[keep]
    n_event = events["observed"].to_numpy(dtype=np.int64)[keep]
    n_censor = events["censored"].to_numpy(dtype=np.int64)[keep]
    # the survival curve at those times (its index holds every one of them)
    curve = kmf.survival_function_
    timeline = curve.index.to_numpy(dtype=float)
    surv = curve.iloc[:, 0].to_numpy(dtype=float)[np.searchsorted(timeline, times)]
    with np.errstate(divide="ignore", invalid="ignore"):
        increment = np.where(
            n_event > 0, n_event / (n_risk * (n_risk - n_event).astype(float)), 0.0
        )
        se_log = np.sqrt(np.cumsum(increment))
        std_err = surv * se_log
    std_err[surv == 0] = np.nan
    lower, upper = _pointwise_limits(surv, se_log, conf_type, _z(alpha))
    return {
        "time": times,
        "n_risk": n_risk,
        "n_event": n_event,
        "n_censor": n_censor,
        "survival": surv,
        "std_err": std_err,
        "lower": lower,
        "upper": upper,
    }


@functools.lru_cache(maxsize=16)
def _z(alpha: float) -> float:
    """The two-sided normal quantile ``Phi^-1(1 - alpha / 2)``, cached (``norm.ppf`` costs ~50 us a call).

    The one copy used by :mod:`hccrep.stats.survival`, :mod:`hccrep.stats.fastsurv` and
    :mod:`hccrep.stats.fastcox`.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    return float(stats.norm.ppf(1 - alpha / 2))


def _km_table(t: np.ndarray, e: np.ndarray, conf_type: str, alpha: float) -> pd.DataFrame:
    return pd.DataFrame(_km_arrays(t, e, conf_type, alpha))


@dataclass(frozen=True)
class MedianResult:
    """Kaplan-Meier median survival with confidence interval.

    Attributes
    ----------
    median, lower, upper : float
        Median and confidence limits; NaN where not reached.
    conf_type : str
        Interval transform (see :data:`CONF_TYPES`).
    variant : str
        What was computed, in words.
    """

    median: float
    lower: float
    upper: float
    conf_type: str
    variant: str


def _first_below_half(curve: np.ndarray, times: np.ndarray) -> float:
    """R ``survival:::survmean`` ``minmin``: first time the curve is <= 0.5.

    If the curve equals 0.5 (within sqrt(machine eps)) at that time and drops
    further later, the result is the average of that time and the time of the
    next drop, R's convention for a curve flat at exactly 0.5.
    """
    keep = ~np.isnan(curve) & (curve < 0.5 + _HALF_TOL)
    if not keep.any():
        return float("nan")
    x, y = times[keep], curve[keep]
    if abs(y[0] - 0.5) < _HALF_TOL and (y < y[0]).any():
        return float((x[0] + x[np.argmax(y < y[0])]) / 2)
    return float(x[0])


def km_median(time, event, conf_type: str = "log", alpha: float = 0.05) -> MedianResult:
    """Kaplan-Meier median survival and its confidence interval, as R reports it.

    The interval is R's (Brookmeyer-Crowley style, via the pointwise bands):
    the lower limit is the first time the *lower* pointwise curve drops to
    0.5 or below, the upper limit the first time the *upper* curve does.  When
    a curve equals 0.5 exactly over an interval the midpoint convention of R's
    ``summary(fit)$table`` is used.  Limits that are never reached are NaN
    (R's ``NA``).

    Parameters
    ----------
    time, event : array_like
        Follow-up times and event indicators (1 = event), see :func:`km_table`.
    conf_type : {"log", "log-log", "plain"}, default "log"
        Pointwise interval transform (R ``survfit(conf.type=)``).
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    MedianResult

    Examples
    --------
    >>> res = km_median([1, 2, 2, 3, 4], [1, 1, 0, 1, 1])
    >>> res.median, res.lower, res.upper
    (3.0, 2.0, nan)
    """
    check_choice(conf_type, CONF_TYPES, "conf_type")
    alpha = _check_alpha(alpha)
    t, e = _as_time_event(time, event)
    table = _km_arrays(t, e, conf_type, alpha)  # the columns of km_table, without the DataFrame
    times = table["time"]
    return MedianResult(
        median=_first_below_half(table["survival"], times),
        lower=_first_below_half(table["lower"], times),
        upper=_first_below_half(table["upper"], times),
        conf_type=conf_type,
        variant=f"Kaplan-Meier median, Greenwood variance, {_conf_label(conf_type, alpha)}, "
        "limits where the pointwise bands cross 0.5 (R summary(survfit)$table)",
    )


@dataclass(frozen=True)
class Landmarks:
    """Survival at landmark times (arrays in the order of the requested times).

    ``survival``, ``std_err``, ``lower``, ``upper`` are NaN after the last
    follow-up time; ``n_risk`` counts patients with follow-up ``>= t``.

    Attributes
    ----------
    time : numpy.ndarray
        The landmark times.
    n_risk : numpy.ndarray
        Patients at risk at each.
    survival, std_err : numpy.ndarray
        Kaplan-Meier survival and its Greenwood standard error.
    lower, upper : numpy.ndarray
        Pointwise confidence limits.
    variant : str
        What was computed, in words.
    """

    time: np.ndarray
    n_risk: np.ndarray
    survival: np.ndarray
    std_err: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    variant: str

    def to_frame(self) -> pd.DataFrame:
        """One row per landmark: ``time, n_risk, survival, std_err, lower, upper``."""
        return pd.DataFrame(
            {
                "time": self.time,
                "n_risk": self.n_risk,
                "survival": self.survival,
                "std_err": self.std_err,
                "lower": self.lower,
                "upper": self.upper,
            }
        )


def km_landmark(time, event, at, conf_type: str = "log", alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan-Meier survival at landmark times, as R ``summary(fit, times=at)``.

    For each landmark ``t`` the estimate, standard error and limits are those
    of the last observed time ``<= t`` (1, 0, 1, 1 before the first observed
    time, where R inserts a time-0 row), and ``n_risk`` is the number of
    patients with follow-up ``>= t``.

    Parameters
    ----------
    time, event : array_like
        Follow-up times and event indicators (1 = event), see :func:`km_table`.
    at : float or sequence of float
        Landmark times, finite and non-negative.  Rows keep the given order.
    conf_type : {"log", "log-log", "plain"}, default "log"
    alpha : float, default 0.05

    Returns
    -------
    Landmarks
        Arrays ``time, n_risk, survival, std_err, lower, upper``, one entry per
        landmark (``to_frame()`` gives them as a table), the same result type
        as the numpy engine :func:`hccrep.stats.fastsurv.km_landmark`.  A
        landmark after the last follow-up time cannot be estimated: its
        estimates are NaN and ``n_risk`` 0 (R's ``summary`` drops such times
        unless ``extend=TRUE``).

    Examples
    --------
    >>> km_landmark([1, 2, 2, 3, 4], [1, 1, 0, 1, 1], at=[1.5, 3.5]).to_frame()[["time", "n_risk", "survival"]]
       time  n_risk  survival
    0   1.5       4       0.8
    1   3.5       1       0.3
    """
    check_choice(conf_type, CONF_TYPES, "conf_type")
    alpha = _check_alpha(alpha)
    t, e = _as_time_event(time, event)
    points = _landmark_points(at)

    table = _km_table(t, e, conf_type, alpha)
    times = table["time"].to_numpy()
    cols = ["survival", "std_err", "lower", "upper"]
    if times[0] > 0:  # R survfit0(): a time-0 row with S = 1 and degenerate limits
        start = pd.DataFrame({"survival": [1.0], "std_err": [0.0], "lower": [1.0], "upper": [1.0]})
        values = pd.concat([start, table[cols]], ignore_index=True).to_numpy()
        grid = np.concatenate([[0.0], times])
    else:
        values, grid = table[cols].to_numpy(), times
    row = np.searchsorted(grid, points, side="right") - 1
    out = values[np.maximum(row, 0)].copy()
    beyond = points > times[-1]
    out[beyond] = np.nan
    n_risk = (t[None, :] >= points[:, None]).sum(axis=1)
    return Landmarks(
        points,
        n_risk.astype(np.int64),
        out[:, 0],
        out[:, 1],
        out[:, 2],
        out[:, 3],
        variant=f"Kaplan-Meier survival at landmarks, Greenwood variance, {_conf_label(conf_type, alpha)}; lifelines",
    )


# --------------------------------------------------------------------------
# log-rank
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LogrankResult:
    """Log-rank test result (chi-square statistic with ``k - 1`` df).

    Attributes
    ----------
    statistic : float
        The chi-square statistic.
    df : int
        Degrees of freedom, groups minus 1.
    pvalue : float
        Its p-value.
    variant : str
        What was computed, in words.
    """

    statistic: float
    df: int
    pvalue: float
    variant: str


#: pandas ``infer_dtype`` kinds of an object array whose labels are all of one type.
_ONE_KIND = {
    "string",
    "integer",
    "floating",
    "mixed-integer-float",
    "boolean",
    "decimal",
    "complex",
    "categorical",
    "datetime",
    "datetime64",
    "date",
    "timedelta",
    "timedelta64",
    "time",
    "period",
    "interval",
    "bytes",
    "empty",
}


def _label_kind(value) -> str:
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return "int" if not isinstance(value, (bool, np.bool_)) else "bool"
    if isinstance(value, (float, np.floating)):
        return "float"
    return type(value).__name__


def _group_codes(group, n: int, test: str = "the log-rank test") -> tuple[np.ndarray, int]:
    """Integer code (0..k-1, by sorted label) of each patient's group, and the number of groups k.

    Labels are grouped by value, as R's ``factor()`` does: ``1``, ``1.0`` and
    ``True`` are one group.  A mixture of numbers and strings (``1`` and
    ``"1"``) is refused: they print alike but are different values, and R
    cannot even hold them in one vector.
    """
    g = (
        group.to_numpy()
        if isinstance(group, (pd.Series, pd.Index))
        else np.asarray(group, dtype=object)
    )
    g = as_vector(g, "group", dtype=object)
    if g.size != n:
        raise ValueError(f"time and group lengths differ ({n} vs {g.size})")
    if pd.isna(g).any():
        raise ValueError("group contains missing values")
    if g.dtype == object and pd.api.types.infer_dtype(g, skipna=False) not in _ONE_KIND:
        kinds = sorted({_label_kind(v) for v in g})
        numeric = {"int", "float", "bool"}
        if len(kinds) > 1 and not set(kinds) <= numeric:
            raise ValueError(
                f"group labels mix types ({', '.join(kinds)}), e.g. 1 and '1': they print alike but are "
                "different groups; give the labels one type"
            )
    codes, levels = pd.factorize(g, sort=True)
    k = len(levels)
    if k < 2:
        raise ValueError(f"group has {k} distinct value(s); {test} needs at least 2")
    return codes.astype(np.int64), k


def logrank(time, event, group) -> LogrankResult:
    """Log-rank test of equal survival in k groups (R ``survdiff``, ``rho = 0``).

    Parameters
    ----------
    time, event : array_like
        Follow-up times and event indicators (1 = event).
    group : array_like
        Group label per patient (at least two distinct groups, no missing).
        Labels are grouped by value (``1`` and ``1.0`` are one group); labels
        mixing numbers and strings (``1`` and ``"1"``) raise ``ValueError``.

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
    from lifelines.statistics import multivariate_logrank_test

    t, e = _as_time_event(time, event)
    codes, k = _group_codes(group, t.size)
    if e.sum() == 0:
        raise ValueError("no events: the log-rank test is undefined")
    res = multivariate_logrank_test(t, codes, e)
    return LogrankResult(
        statistic=float(res.test_statistic),
        df=int(res.degrees_of_freedom),
        pvalue=float(res.p_value),
        variant=f"log-rank (Mantel-Haenszel), {k} groups, chi-square with {k - 1} df, "
        "hypergeometric variance (R survdiff, rho = 0)",
    )


# --------------------------------------------------------------------------
# Cox proportional hazards
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CoxResult:
    """Cox model fit.

    Attributes
    ----------
    table : pandas.DataFrame
        Index: covariate.  Columns ``coef, hr, lower, upper, se, z, p``
        (``lower``/``upper`` are Wald limits of the hazard ratio).
    n : int
        Number of patients.
    events : int
        Number of events.
    ties : str
        ``"efron"`` or ``"breslow"``.
    variant : str
        What was computed, in words.
    """

    table: pd.DataFrame
    n: int
    events: int
    ties: str
    variant: str


def _cox_design(
    df, duration: str, event: str, covariates
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    if not isinstance(df, pd.DataFrame):
        raise TypeError("df must be a pandas DataFrame")
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = list(covariates)
    if not covariates:
        raise ValueError("covariates is empty")
    dupes = sorted({c for c in covariates if covariates.count(c) > 1})
    if dupes:
        raise ValueError(f"covariates listed more than once: {dupes}")
    for name, role in ((duration, "duration"), (event, "event")):
        if name not in df.columns:
            raise ValueError(f"{role} column {name!r} not in df")
        if name in covariates:
            raise ValueError(f"{role} column {name!r} is also listed as a covariate")
    for c in covariates:
        if c not in df.columns:
            raise ValueError(f"covariate {c!r} not in df")
        col = df[c]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            raise ValueError(
                f"covariate {c!r} is not numeric (dtype {col.dtype}); encode it as 0/1 dummies"
            )
        if col.isna().any():
            raise ValueError(f"covariate {c!r} has {int(col.isna().sum())} missing value(s)")
        if np.isinf(col.to_numpy(dtype=float)).any():
            raise ValueError(f"covariate {c!r} has infinite values")
        if col.nunique() < 2:
            raise ValueError(f"covariate {c!r} is constant")
    t, e = _as_time_event(
        df[duration], df[event], f"duration column {duration!r}", f"event column {event!r}"
    )
    if e.sum() == 0:
        raise ValueError(f"event column {event!r} has no events")
    x = df[covariates].astype(float)
    return t, e, x


def _wald_table(names, coef, se, alpha: float) -> pd.DataFrame:
    coef, se = np.asarray(coef, dtype=float), np.asarray(se, dtype=float)
    z_crit = stats.norm.ppf(1 - alpha / 2)
    z = coef / se
    return pd.DataFrame(
        {
            "coef": coef,
            "hr": np.exp(coef),
            "lower": np.exp(coef - z_crit * se),
            "upper": np.exp(coef + z_crit * se),
            "se": se,
            "z": z,
            "p": 2 * stats.norm.sf(np.abs(z)),
        },
        index=pd.Index(list(names), name="covariate"),
    )


class CoxConvergenceWarning(RuntimeWarning):
    """A Cox coefficient did not converge (it may be infinite); :func:`cox` reports it as NaN."""


def _nan_unconverged(t, e, x: pd.DataFrame, coef, se, ties: str) -> tuple[np.ndarray, np.ndarray]:
    """NaN (with a :class:`CoxConvergenceWarning` naming them) for coefficients R would call possibly infinite."""
    from hccrep.stats.fastcox import unconverged_coefficients

    coef, se = np.array(coef, dtype=float), np.array(se, dtype=float)
    bad = unconverged_coefficients(t, e, x.to_numpy(), coef, ties=ties)
    if bad.any():
        names = ", ".join(repr(c) for c in np.asarray(x.columns)[bad])
        warnings.warn(
            f"Cox model ({ties} ties): the coefficient of {names} did not converge; it may be infinite "
            "(a monotone likelihood, e.g. no events in one level of a binary covariate; R's coxph warns "
            "'coefficient may be infinite'). Its row is reported as NaN.",
            CoxConvergenceWarning,
            stacklevel=3,
        )
        coef[bad], se[bad] = np.nan, np.nan
    return coef, se


def cox(
    df,
    duration: str,
    event: str,
    covariates: Sequence[str],
    ties: str = "efron",
    alpha: float = 0.05,
) -> CoxResult:
    """Fit a Cox proportional hazards model, reported as R ``summary(coxph)``.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per patient.
    duration, event : str
        Columns with follow-up time (non-negative) and event indicator (0/1).
    covariates : sequence of str
        Numeric covariate columns (dummy-code categorical variables first),
        without missing values.
    ties : {"efron", "breslow"}, default "efron"
        Handling of tied event times.  ``"efron"`` is R ``coxph``'s default and
        the only method of lifelines ``CoxPHFitter``; ``"breslow"`` (SAS
        ``PHREG`` and Stata ``stcox`` default) is fitted by
        :func:`hccrep.stats.fastcox.cox_fit` (Newton-Raphson from 0 with step
        halving, as R).  Without tied event times the two agree.
    alpha : float, default 0.05
        1 - confidence level of the Wald intervals ``exp(coef -+ z se)``.

    Returns
    -------
    CoxResult
        A coefficient that has not converged at the end of the fit -- by R's
        rule, the Newton step still to go exceeds ``1e-9`` and ``sqrt(1e-9)
        |coef|``, which is what a coefficient running off to infinity does --
        has its whole row NaN, and a :class:`CoxConvergenceWarning` names it
        (R prints a huge coefficient and warns "coefficient may be
        infinite").

    Raises
    ------
    ValueError
        For invalid input (event not coded 0/1, negative times, a constant or
        non-numeric covariate ...) and a singular information matrix.

    Examples
    --------
    >>> d = pd.DataFrame({"t": [5, 8, 12, 3, 9, 15, 7, 11], "e": [1, 1, 0, 1, 1, 0, 1, 0],
    ...                   "x": [1, 0, 0, 1, 0, 1, 1, 0]})
    >>> res = cox(d, "t", "e", ["x"])
    >>> list(res.table.columns)
    ['coef', 'hr', 'lower', 'upper', 'se', 'z', 'p']
    >>> res.table.loc["x", ["coef", "se"]].round(4).tolist()  # R: coef 1.1243, se 0.9405
    [1.1243, 0.9405]
    """
    check_choice(ties, COX_TIES, "ties")
    alpha = _check_alpha(alpha)
    t, e, x = _cox_design(df, duration, event, covariates)
    names = list(x.columns)
    if ties == "efron":
        from lifelines import CoxPHFitter

        data = x.copy()
        data.columns = [f"x{i}" for i in range(len(names))]  # avoid clashes with the reserved names
        data["__T"], data["__E"] = t, e
        from lifelines.exceptions import ConvergenceError

        fitter = CoxPHFitter()
        engine = "lifelines CoxPHFitter"
        tie_text = "Efron ties (R coxph default)"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=RuntimeWarning)
                fitter.fit(
                    data,
                    duration_col="__T",
                    event_col="__E",
                    fit_options={"precision": 1e-15, "r_precision": 0.0, "max_steps": 200},
                )
            coef = fitter.params_.to_numpy()
            se = fitter.standard_errors_.to_numpy()
        except ConvergenceError:
            # lifelines stops when its information matrix becomes numerically singular, which
            # a coefficient running off to infinity causes; the numpy engine (step halving, as
            # R) carries on, so the coefficient at fault can be named below (or it raises
            # ValueError itself for a truly singular design)
            from hccrep.stats.fastcox import cox_fit

            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                coef, se, _ = cox_fit(t, e, x.to_numpy(), ties="efron")
            engine = "numpy Newton-Raphson, hccrep.stats.fastcox, as lifelines did not converge"
    else:
        from hccrep.stats.fastcox import cox_fit

        # Newton-Raphson with step halving from beta = 0, as R's coxph; statsmodels' PHReg
        # (used before) took undamped Newton steps and diverged to NaN on e.g. pbc bilirubin
        coef, se, _ = cox_fit(t, e, x.to_numpy(), ties="breslow")
        engine = "numpy Newton-Raphson with step halving, hccrep.stats.fastcox"
        tie_text = "Breslow ties (SAS / Stata default)"
    coef, se = _nan_unconverged(t, e, x, coef, se, ties)
    return CoxResult(
        table=_wald_table(names, coef, se, alpha),
        n=int(t.size),
        events=int(e.sum()),
        ties=ties,
        variant=f"Cox proportional hazards, {tie_text}, Wald {100 * (1 - alpha):g}% CI and p ({engine})",
    )


def univariable_cox(
    df,
    duration: str,
    event: str,
    covariates: Sequence[str],
    ties: str = "efron",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One Cox model per covariate (each fitted alone).

    Parameters
    ----------
    df, duration, event, ties, alpha
        As in :func:`cox`.
    covariates : sequence of str
        Covariates to screen; each is fitted in its own single-covariate model.

    Returns
    -------
    pandas.DataFrame
        Index ``covariate``; columns ``coef, hr, lower, upper, se, z, p, n,
        events``.  ``attrs["variant"]`` describes the models.

    Examples
    --------
    >>> d = pd.DataFrame({"t": [5, 8, 12, 3, 9, 15, 7, 11], "e": [1, 1, 0, 1, 1, 0, 1, 0],
    ...                   "x": [1, 0, 0, 1, 0, 1, 1, 0], "y": [3., 1., 2., 5., 4., 1., 2., 2.]})
    >>> list(univariable_cox(d, "t", "e", ["x", "y"]).index)
    ['x', 'y']
    """
    check_choice(ties, COX_TIES, "ties")
    _cox_design(df, duration, event, covariates)  # validate everything up front
    if isinstance(covariates, str):
        covariates = [covariates]
    rows, variant = [], ""
    for c in covariates:
        res = cox(df, duration, event, [c], ties=ties, alpha=alpha)
        row = res.table.iloc[0].copy()
        row["n"], row["events"] = res.n, res.events
        rows.append(row.rename(c))
        variant = res.variant
    out = pd.DataFrame(rows)
    out.index.name = "covariate"
    out[["n", "events"]] = out[["n", "events"]].astype(np.int64)
    out.attrs["variant"] = "univariable " + variant
    return out


def mixture_gap(time, event, group, times=None) -> pd.DataFrame:
    """The pooled KM curve against the size-weighted average of the groups' KM curves.

    Without censoring the pooled KM estimate *is* that average,
    ``S(t) = sum_g (n_g / n) S_g(t)``, so it lies between the group curves and
    the pooled median between the group medians.  With censoring the two
    differ; the gap shows by how much.

    Parameters
    ----------
    time, event, group : array_like
        One entry per patient.
    times : sequence of float, optional
        Where to compare (default: every observed time).

    Returns
    -------
    DataFrame
        ``time, pooled, weighted_average, gap`` (gap = pooled - average), then
        one column per group with its KM survival; rows after the last
        follow-up of any group are dropped.

    Examples
    --------
    Without censoring the pooled curve is the weighted average:

    >>> gap = mixture_gap([1, 2, 3, 4], [1, 1, 1, 1], ["a", "a", "b", "b"])
    >>> bool(gap["gap"].abs().max() < 1e-12)
    True
    """
    t = np.asarray(time, float)
    e = np.asarray(event, int)
    g = np.asarray(group, dtype=object).astype(str)
    if not t.size == e.size == g.size:
        raise ValueError("time, event and group must have the same length")
    grid = np.unique(t) if times is None else np.asarray(times, float)
    levels = list(dict.fromkeys(g))
    out = pd.DataFrame({"time": grid, "pooled": km_landmark(t, e, grid).survival})
    avg = np.zeros(grid.size)
    for lv in levels:
        m = g == lv
        s = km_landmark(t[m], e[m], grid).survival
        out[lv] = s
        avg += m.mean() * s
    out["weighted_average"] = avg
    out["gap"] = out["pooled"] - avg
    return out.dropna().reset_index(drop=True)[
        ["time", "pooled", "weighted_average", "gap", *levels]
    ]


def schoenfeld_test(
    d: pd.DataFrame, covariates: Sequence[str], time_transform: str = "km"
) -> pd.DataFrame:
    """Grambsch-Therneau test of proportional hazards from scaled Schoenfeld residuals (lifelines).

    Parameters
    ----------
    d : pandas.DataFrame
        Columns ``time``, ``event`` and the covariates (for a declared Cox
        analysis, ``runner.view(cohort).design(...)``).
    covariates : sequence of str
    time_transform : {"km", "rank", "identity", "log"}
        Function of time the residuals are correlated with.  ``"km"`` is R
        ``cox.zph``'s default; lifelines' own default is ``"rank"``.

    Returns
    -------
    pandas.DataFrame
        Index covariate; columns ``test_statistic, p`` (one df each).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, 80)
    >>> d = pd.DataFrame({"time": rng.exponential(1 / np.exp(0.7 * x)), "event": 1, "x": x})
    >>> tab = schoenfeld_test(d, ["x"])
    >>> list(tab.columns), bool(0 <= tab.loc["x", "p"] <= 1)
    (['test_statistic', 'p'], True)

    Notes
    -----
    lifelines computes the one-step approximation that R's ``cox.zph`` used
    before version 3 of survival; R now computes the score test exactly, so p-values
    can differ slightly between the two.
    """
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test

    data = d[["time", "event", *covariates]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = CoxPHFitter().fit(data, "time", "event")
        res = proportional_hazard_test(fit, data, time_transform=time_transform)
    tab = res.summary[["test_statistic", "p"]].copy()
    tab.index = [i[0] if isinstance(i, tuple) else i for i in tab.index]
    tab.index.name = "covariate"
    tab.attrs["variant"] = (
        f"Grambsch-Therneau test, scaled Schoenfeld residuals vs {time_transform}(time), lifelines"
    )
    return tab

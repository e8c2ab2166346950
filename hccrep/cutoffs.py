"""Optimal cut-offs for a continuous marker, and why they are unstable.

Three ways a paper turns a continuous marker (NLR, PLR, SII, ...) into "high"
and "low":

- :func:`youden_cutoff` -- against a binary outcome, the threshold that
  maximises sensitivity + specificity - 1 (pROC ``coords(r, "best",
  best.method = "youden")``);
- :func:`maxstat_logrank` -- against survival, the cut-off that maximises the
  standardised log-rank statistic over the cut-points between two quantiles
  (R ``maxstat::maxstat.test(..., smethod = "LogRank")``).  Because the best of
  many correlated tests is kept, its naive p-value is far too small; the
  Lausen & Schumacher (1992) approximation (after Miller & Siegmund, 1982)
  corrects it (``pmethod = "Lau92"``);
- :func:`logrank_at_cutoff` -- the ordinary log-rank statistic at one *fixed*
  cut-off (R ``survdiff``), signed and standardised.

:func:`cutoff_instability` simulates many cohorts from **one** true model
(a marker with no threshold at all, or a smooth log-linear effect), picks the
"optimal" cut-off in each, and returns the spread of the chosen cut-offs with
the naive and corrected p-values -- what a reader of several papers that each
report their own optimal cut-off is looking at.

References
----------
Miller R, Siegmund D (1982). Maximally selected chi square statistics.
Biometrics 38:1011-1016.
Lausen B, Schumacher M (1992). Maximally selected rank statistics.
Biometrics 48:73-85.
Altman DG, Lausen B, Sauerbrei W, Schumacher M (1994). Dangers of using
"optimal" cutpoints in the evaluation of prognostic factors. JNCI 86:829-835.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from hccrep.simulate.marker import OUTCOMES, TRUE_MODELS, simulate_marker_cohort
from hccrep.stats import prediction as _prediction
from hccrep.stats._validate import check_choice
from hccrep.stats.prediction import Cutoff

if TYPE_CHECKING:
    from hccrep.spec import Study

__all__ = [
    "cutoff_positions",
    "TRUE_MODELS",
    "OUTCOMES",
    "Cutoff",
    "MaxstatResult",
    "LogrankAtCutoff",
    "InstabilityResult",
    "youden_cutoff",
    "logrank_scores",
    "pvalue_lausen92",
    "maxstat",
    "maxstat_logrank",
    "maxstat_binary",
    "logrank_at_cutoff",
    "cutoff_instability",
    "spread_table",
    "corrected_p_from_naive",
    "literature_spread",
    "cutoff_spread_plot",
    "published_cutoffs",
    "published_pvalues",
]


# ----------------------------------------------------------------------------- input checks


def _vector(x, name: str, *, finite: bool = True) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric") from None
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    if finite and not np.isfinite(a).all():
        raise ValueError(f"{name} contains missing or infinite values")
    return a


def _binary(y, name: str = "y") -> np.ndarray:
    a = _vector(y, name)
    if not np.isin(a, (0.0, 1.0)).all():
        raise ValueError(f"{name} must be coded 0/1")
    return a.astype(int)


def _time_event(time, event) -> tuple[np.ndarray, np.ndarray]:
    t = _vector(time, "time")
    e = _vector(event, "event")
    if t.size != e.size:
        raise ValueError(f"time and event lengths differ ({t.size} vs {e.size})")
    if (t < 0).any():
        raise ValueError("time contains negative values")
    if not np.isin(e, (0.0, 1.0)).all():
        raise ValueError("event must be coded 0/1 (1 = event)")
    if e.sum() == 0:
        raise ValueError("event: no events, the log-rank statistic is undefined")
    return t, e.astype(int)


def _props(minprop: float, maxprop: float) -> tuple[float, float]:
    for name, v in (("minprop", minprop), ("maxprop", maxprop)):
        if not isinstance(v, (int, float)) or not 0 < v < 1:
            raise ValueError(f"{name} must be a number strictly between 0 and 1, got {v!r}")
    if minprop >= maxprop:
        raise ValueError(f"minprop ({minprop}) must be smaller than maxprop ({maxprop})")
    return float(minprop), float(maxprop)


# ----------------------------------------------------------------------------- Youden


#: Youden's cut-off is :func:`hccrep.stats.prediction.youden_cutoff` (pROC's ``coords(r, "best",
#: best.method = "youden")``; ties: the lowest threshold), listed here with the other cut-off methods.
youden_cutoff = _prediction.youden_cutoff


# ----------------------------------------------------------------------------- maximally selected statistics


def logrank_scores(time, event) -> np.ndarray:
    """Log-rank (Savage) scores as R ``exactRankTests::cscores(Surv(time, event), "LogRank")``.

    ``score_i = event_i - sum_{k: rank_k <= r_i} event_k / (N - r_k + 1)``, with
    ``r`` the rank of the time, tied times taking the largest rank of their
    tie block (R's convention; without ties this is event minus the
    Nelson-Aalen cumulative hazard).

    Parameters
    ----------
    time : array_like
        Follow-up times.
    event : array_like
        1 for an event, 0 for censoring.

    Returns
    -------
    numpy.ndarray
        One score per patient, in the input order.

    Examples
    --------
    >>> logrank_scores([1, 2, 3], [1, 1, 0]).round(4)
    array([ 0.6667,  0.1667, -0.8333])
    """
    t, e = _time_event(time, event)
    n = t.size
    order = np.argsort(t, kind="stable")
    ts = t[order]
    # largest rank (1-based) of each tie block, per sorted position
    last = np.searchsorted(ts, ts, side="right")
    fact = e[order] / (n - last + 1.0)
    cum = np.cumsum(fact)
    scores_sorted = e[order] - cum[last - 1]
    out = np.empty(n)
    out[order] = scores_sorted
    return out


def pvalue_lausen92(statistic: float, minprop: float = 0.1, maxprop: float = 0.9) -> float:
    """Approximate p-value of a maximally selected standardised statistic.

    Lausen & Schumacher (1992), after Miller & Siegmund (1982):
    ``p = 4 phi(b) / b + phi(b) (b - 1/b) log(maxprop (1 - minprop) / ((1 - maxprop) minprop))``,
    set to 1 for ``b < 1`` and to 0 below 0, as R ``maxstat:::pLausen92``; unlike R it is
    also truncated at 1 (with a wide search range the approximation exceeds 1 just above b = 1).

    Parameters
    ----------
    statistic : float
        The maximally selected standardised statistic ``b`` (non-negative).
    minprop, maxprop : float
        The shares of the sample that bounded the search for the cut-off.

    Returns
    -------
    float
        The approximate p-value, in [0, 1].

    Examples
    --------
    >>> round(pvalue_lausen92(2.5), 4)  # R: maxstat:::pLausen92(2.5) = 0.1898025
    0.1898
    """
    minprop, maxprop = _props(minprop, maxprop)
    b = float(statistic)
    if not np.isfinite(b) or b < 0:
        raise ValueError(f"statistic must be a finite non-negative number, got {statistic!r}")
    if b < 1:
        return 1.0
    db = stats.norm.pdf(b)
    p = 4 * db / b + db * (b - 1 / b) * np.log(maxprop * (1 - minprop) / ((1 - maxprop) * minprop))
    return float(min(max(p, 0.0), 1.0))


@dataclass(frozen=True)
class MaxstatResult:
    """The maximally selected statistic over the admissible cut-points.

    ``cutoff`` c splits the sample into marker <= c and marker > c.
    ``pvalue_naive`` treats the maximum as if the cut-off had been fixed in advance
    (two-sided normal, i.e. chi-square with 1 df); ``pvalue_corrected`` is the
    Lausen-Schumacher approximation.

    Attributes
    ----------
    cutoff : float
        The chosen cut-off (the first maximiser).
    statistic : float
        The maximal standardised statistic.
    pvalue_naive, pvalue_corrected : float
        The p-values described above.
    n, n_low : int
        Patients, and patients at or below the cut-off.
    minprop, maxprop : float
        The bounds of the search, as shares of the sample.
    cutpoints, statistics : numpy.ndarray
        Every admissible cut-point and its statistic.
    variant : str
        What was computed, in words.
    """

    cutoff: float
    statistic: float
    pvalue_naive: float
    pvalue_corrected: float
    n: int
    n_low: int
    minprop: float
    maxprop: float
    cutpoints: np.ndarray = field(repr=False)
    statistics: np.ndarray = field(repr=False)
    variant: str = ""

    @property
    def quantile(self) -> float:
        """Share of the sample at or below the chosen cut-off."""
        return self.n_low / self.n


def maxstat(
    scores, marker, *, minprop: float = 0.1, maxprop: float = 0.9, score_name: str = "scores"
) -> MaxstatResult:
    """Maximally selected standardised linear rank statistic (R ``maxstat:::cmaxstat``).

    For every distinct marker value c with ``max(1, floor(N minprop)) <= m <=
    floor(N maxprop)``, where m = #(marker <= c), the statistic is
    ``|S_m - m/N sum(s)| / sqrt(V_m)``, ``S_m`` the sum of scores with marker <= c
    and ``V_m = m (N - m) / (N^2 (N - 1)) (N sum(s^2) - sum(s)^2)`` its
    permutation variance.  The cut-off is the first maximiser.

    Parameters
    ----------
    scores : array_like
        One score per patient (log-rank scores, or a 0/1 outcome).
    marker : array_like
        The continuous marker.
    minprop, maxprop : float
        The search is restricted to cut-offs leaving between these shares of
        the sample in the low group.

    Returns
    -------
    MaxstatResult
        The cut-off, its statistic, the naive and the Lausen-Schumacher p-values, and the
        statistic at every admissible cut-point.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=50)
    >>> res = maxstat((x > 0.3).astype(float), x)
    >>> bool(res.cutoff == x[x <= 0.3].max())
    True
    """
    y = _vector(scores, score_name)
    x = _vector(marker, "marker")
    if y.size != x.size:
        raise ValueError(f"{score_name} and marker lengths differ ({y.size} vs {x.size})")
    minprop, maxprop = _props(minprop, maxprop)
    n = x.size
    if n < 3:
        raise ValueError(f"marker: need at least 3 observations, got {n}")
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    first = np.r_[True, xs[1:] != xs[:-1]]
    m = np.flatnonzero(first)  # 0-based index of each first occurrence = #(x < value)
    lo, hi = max(1, int(np.floor(n * minprop))), int(np.floor(n * maxprop))
    m = m[(m >= lo) & (m <= hi)]
    if m.size == 0:
        raise ValueError(
            f"marker: no cut-point leaves between {minprop:g} and {maxprop:g} of the sample in the low group "
            "(too few distinct values?)"
        )
    ss = ys.sum()
    var_part = n * np.sum(ys**2) - ss**2
    if var_part <= 0:
        raise ValueError(f"{score_name} are constant: the statistic is undefined")
    e = m / n * ss
    v = m * (n - m) / (n**2 * (n - 1)) * var_part
    test = np.abs((np.cumsum(ys)[m - 1] - e) / np.sqrt(v))
    best = float(test.max())
    i = int(np.flatnonzero(test == best)[0])
    cuts = xs[m - 1]
    return MaxstatResult(
        cutoff=float(cuts[i]),
        statistic=best,
        pvalue_naive=float(2 * stats.norm.sf(best)),
        pvalue_corrected=pvalue_lausen92(best, minprop, maxprop),
        n=n,
        n_low=int(m[i]),
        minprop=minprop,
        maxprop=maxprop,
        cutpoints=cuts,
        statistics=test,
        variant=(
            f"maximally selected standardised linear rank statistic over {m.size} cut-points "
            f"({minprop:g}-{maxprop:g} of the sample in the low group; low = marker <= cut-off); "
            "permutation variance (R maxstat); naive p: two-sided normal at the maximum; "
            "corrected p: Lausen & Schumacher 1992 / Miller & Siegmund 1982 (R maxstat pmethod='Lau92')"
        ),
    )


def maxstat_logrank(
    time, event, marker, *, minprop: float = 0.1, maxprop: float = 0.9
) -> MaxstatResult:
    """Maximally selected log-rank statistic, as R ``maxstat.test(Surv(time, event) ~ marker,
    smethod = "LogRank", pmethod = "Lau92")``.

    The statistic uses log-rank scores (:func:`logrank_scores`) and their
    permutation variance, so at a given cut-off it differs slightly from
    ``survdiff``'s (hypergeometric variance; see :func:`logrank_at_cutoff`).

    Parameters
    ----------
    time : array_like
        Follow-up times.
    event : array_like
        1 for an event, 0 for censoring.
    marker : array_like
        The continuous marker.
    minprop, maxprop : float
        Shares of the sample allowed in the low group.

    Returns
    -------
    MaxstatResult
        As :func:`maxstat`, with log-rank scores named in ``variant``.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.lognormal(size=80)
    >>> t = rng.exponential(size=80)
    >>> res = maxstat_logrank(t, np.ones(80), x)
    >>> res.pvalue_corrected >= res.pvalue_naive
    True
    """
    t, e = _time_event(time, event)
    x = _vector(marker, "marker")
    if x.size != t.size:
        raise ValueError(f"marker and time lengths differ ({x.size} vs {t.size})")
    res = maxstat(
        logrank_scores(t, e), x, minprop=minprop, maxprop=maxprop, score_name="log-rank scores"
    )
    return _with_variant(
        res, "log-rank scores (exactRankTests::cscores, smethod='LogRank'); " + res.variant
    )


def maxstat_binary(y, marker, *, minprop: float = 0.1, maxprop: float = 0.9) -> MaxstatResult:
    """Maximally selected two-sample statistic for a 0/1 outcome (R maxstat ``smethod = "Data"``).

    At each cut-off the statistic is the permutation-standardised difference in
    event proportions (its square is Pearson's chi-square times (N - 1)/N).

    Parameters
    ----------
    y : array_like
        The 0/1 outcome.
    marker : array_like
        The continuous marker.
    minprop, maxprop : float
        Shares of the sample allowed in the low group.

    Returns
    -------
    MaxstatResult
        As :func:`maxstat`, with the outcome as scores named in ``variant``.

    Examples
    --------
    >>> res = maxstat_binary([0, 0, 0, 0, 1, 0, 1, 1, 1, 1], np.arange(10), minprop=0.2, maxprop=0.8)
    >>> int(res.cutoff)
    3
    """
    yy = _binary(y, "y")
    res = maxstat(yy.astype(float), marker, minprop=minprop, maxprop=maxprop, score_name="y")
    return _with_variant(res, "0/1 outcome as scores (smethod='Data'); " + res.variant)


def _with_variant(res: MaxstatResult, method: str) -> MaxstatResult:
    from dataclasses import replace

    return replace(res, variant=method)


# ----------------------------------------------------------------------------- log-rank at a fixed cut-off


@dataclass(frozen=True)
class LogrankAtCutoff:
    """Log-rank comparison of marker > cut-off ("high") against marker <= cut-off.

    Attributes
    ----------
    cutoff : float
        The fixed cut-off.
    z : float
        ``(O_high - E_high) / sqrt(V)``.
    statistic : float
        ``z**2``, R ``survdiff``'s chi-square.
    pvalue : float
        Its p-value (1 df).
    observed_high, expected_high : float
        Observed and expected events of the high group.
    n_high, n_low : int
        Group sizes.
    variant : str
        What was computed, in words.
    """

    cutoff: float
    z: float
    statistic: float
    pvalue: float
    observed_high: float
    expected_high: float
    n_high: int
    n_low: int
    variant: str


def logrank_at_cutoff(time, event, marker, cutoff: float) -> LogrankAtCutoff:
    """Standardised log-rank statistic at one fixed cut-off (R ``survdiff``).

    ``z = (O_high - E_high) / sqrt(V)`` with the hypergeometric variance summed
    over distinct event times; ``z**2`` is ``survdiff``'s chi-square.  A positive
    z means more deaths than expected among patients with a high marker.

    Parameters
    ----------
    time : array_like
        Follow-up times.
    event : array_like
        1 for an event, 0 for censoring.
    marker : array_like
        The continuous marker.
    cutoff : float
        Patients with ``marker > cutoff`` form the high group.

    Returns
    -------
    LogrankAtCutoff
        ``z``, the chi-square ``statistic`` (``z**2``), its ``pvalue`` (1 df), the observed
        and expected events of the high group and both group sizes.

    Examples
    --------
    >>> r = logrank_at_cutoff([2, 3, 5, 6, 8, 9, 4, 10, 12, 14], [1, 1, 1, 0, 1, 1, 0, 1, 1, 0],
    ...                       [1, 1, 1, 1, 1, 0, 0, 0, 0, 0], 0.5)
    >>> round(r.statistic, 4)  # R survdiff: Chisq = 6.5 on 1 df
    6.5316
    """
    t, e = _time_event(time, event)
    x = _vector(marker, "marker")
    if x.size != t.size:
        raise ValueError(f"marker and time lengths differ ({x.size} vs {t.size})")
    c = float(cutoff)
    if not np.isfinite(c):
        raise ValueError(f"cutoff must be finite, got {cutoff!r}")
    high = x > c
    if high.all() or not high.any():
        raise ValueError(
            f"cutoff {c:g} leaves an empty group (marker range {x.min():g} to {x.max():g})"
        )
    times = np.unique(t[e == 1])
    # at risk and deaths at each distinct event time, overall and in the high group
    n_risk = (t[None, :] >= times[:, None]).sum(axis=1)
    n_risk_h = ((t[None, :] >= times[:, None]) & high[None, :]).sum(axis=1)
    d = ((t[None, :] == times[:, None]) & (e[None, :] == 1)).sum(axis=1)
    d_h = ((t[None, :] == times[:, None]) & (e[None, :] == 1) & high[None, :]).sum(axis=1)
    exp_h = d * n_risk_h / n_risk
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(
            n_risk > 1,
            d * (n_risk_h / n_risk) * (1 - n_risk_h / n_risk) * (n_risk - d) / (n_risk - 1),
            0.0,
        )
    o, ex, v = float(d_h.sum()), float(exp_h.sum()), float(var.sum())
    if v <= 0:
        raise ValueError("the log-rank variance is zero at this cut-off")
    z = (o - ex) / np.sqrt(v)
    return LogrankAtCutoff(
        cutoff=c,
        z=float(z),
        statistic=float(z**2),
        pvalue=float(stats.chi2.sf(z**2, 1)),
        observed_high=o,
        expected_high=ex,
        n_high=int(high.sum()),
        n_low=int((~high).sum()),
        variant="log-rank (Mantel-Haenszel), high = marker > cut-off, hypergeometric variance (R survdiff, rho = 0)",
    )


# ----------------------------------------------------------------------------- simulation


@dataclass(frozen=True)
class InstabilityResult:
    """Optimal cut-offs chosen in many cohorts drawn from one true model.

    ``cohorts`` has one row per simulated cohort: ``cutoff``, ``quantile``
    (share of that cohort at or below it), ``statistic``, ``pvalue_naive``,
    ``pvalue_corrected``.

    Attributes
    ----------
    cohorts : DataFrame
        One row per cohort, the columns above.
    n : int
        Patients per cohort.
    true_model : str
        ``"null"`` or ``"loglinear"``.
    outcome : str
        ``"survival"`` or ``"binary"``.
    settings : dict
        The simulation's other settings.
    variant : str
        How each cut-off was chosen, in words.
    """

    cohorts: pd.DataFrame
    n: int
    true_model: str
    outcome: str
    settings: dict
    variant: str

    def summary(self, alpha: float = 0.05) -> pd.Series:
        """Spread of the chosen cut-offs and the share of cohorts "significant" at ``alpha``.

        Examples
        --------
        >>> r = cutoff_instability(60, "null", 20, seed=1)
        >>> sorted(r.summary().index)[:3]
        ['cutoff_iqr', 'cutoff_max', 'cutoff_median']
        """
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
        c = self.cohorts
        q = c["cutoff"].quantile([0.1, 0.25, 0.5, 0.75, 0.9])
        return pd.Series(
            {
                "n_cohorts": float(len(c)),
                "cutoff_min": c["cutoff"].min(),
                "cutoff_q10": q[0.1],
                "cutoff_median": q[0.5],
                "cutoff_q90": q[0.9],
                "cutoff_max": c["cutoff"].max(),
                "cutoff_iqr": q[0.75] - q[0.25],
                "quantile_q10": c["quantile"].quantile(0.1),
                "quantile_q90": c["quantile"].quantile(0.9),
                "share_p_naive_below_alpha": float((c["pvalue_naive"] < alpha).mean()),
                "share_p_corrected_below_alpha": float((c["pvalue_corrected"] < alpha).mean()),
            }
        )


def cutoff_instability(
    n: int,
    true_model: str = "null",
    n_cohorts: int = 200,
    seed: int | np.random.SeedSequence | None = 0,
    *,
    outcome: str = "survival",
    log_hr_per_sd: float = 0.0,
    marker_median: float = 1.0,
    marker_sigma: float = 0.5,
    censored: float = 0.3,
    prevalence: float = 0.5,
    minprop: float = 0.1,
    maxprop: float = 0.9,
) -> InstabilityResult:
    """Choose the "optimal" cut-off in ``n_cohorts`` cohorts simulated from one true model.

    Each cohort comes from :func:`hccrep.simulate.marker.simulate_marker_cohort`; its cut-off is the
    maximally selected log-rank cut-off (survival; :func:`maxstat_logrank`) or
    the maximally selected two-sample cut-off (binary; :func:`maxstat_binary`).
    There is no threshold in either true model, so every chosen cut-off is an
    artefact of sampling, and every "significant" naive p-value under the null
    is a false positive.

    Parameters
    ----------
    n : int
        Patients per cohort.
    true_model : {"null", "loglinear"}
    n_cohorts : int
        Number of simulated cohorts.
    seed : int or SeedSequence
        Same seed, same cohorts, same result.

    Returns
    -------
    InstabilityResult

    Examples
    --------
    >>> r = cutoff_instability(80, "null", 30, seed=2)
    >>> s = r.summary()
    >>> bool(s["share_p_naive_below_alpha"] >= s["share_p_corrected_below_alpha"])
    True
    """
    check_choice(true_model, TRUE_MODELS, "true_model")
    check_choice(outcome, OUTCOMES, "outcome")
    if not isinstance(n_cohorts, (int, np.integer)) or isinstance(n_cohorts, bool) or n_cohorts < 1:
        raise ValueError(f"n_cohorts must be a positive integer, got {n_cohorts!r}")
    if seed is None:
        raise ValueError(
            "seed must be given (an int or SeedSequence) so that results are reproducible"
        )
    _props(minprop, maxprop)
    rng = np.random.default_rng(seed)
    settings = dict(
        log_hr_per_sd=log_hr_per_sd,
        marker_median=marker_median,
        marker_sigma=marker_sigma,
        censored=censored,
        prevalence=prevalence,
        minprop=minprop,
        maxprop=maxprop,
    )
    rows = []
    for i in range(int(n_cohorts)):
        df = simulate_marker_cohort(
            n,
            rng,
            true_model=true_model,
            log_hr_per_sd=log_hr_per_sd,
            marker_median=marker_median,
            marker_sigma=marker_sigma,
            censored=censored,
            outcome=outcome,
            prevalence=prevalence,
        )
        if outcome == "survival":
            res = maxstat_logrank(
                df["time"], df["event"], df["marker"], minprop=minprop, maxprop=maxprop
            )
        else:
            res = maxstat_binary(df["y"], df["marker"], minprop=minprop, maxprop=maxprop)
        rows.append(
            {
                "cohort": i,
                "cutoff": res.cutoff,
                "quantile": res.quantile,
                "statistic": res.statistic,
                "pvalue_naive": res.pvalue_naive,
                "pvalue_corrected": res.pvalue_corrected,
            }
        )
    return InstabilityResult(pd.DataFrame(rows), int(n), true_model, outcome, settings, res.variant)


def spread_table(values: Sequence[float]) -> pd.Series:
    """Min, median, max and max/min ratio of a set of cut-offs (e.g. the published ones).

    Parameters
    ----------
    values : sequence of float
        Positive cut-offs.

    Returns
    -------
    Series
        ``n``, ``min``, ``median``, ``max`` and ``ratio_max_min``.

    Examples
    --------
    >>> float(spread_table([2, 3, 9])["ratio_max_min"])
    4.5
    """
    v = _vector(values, "values")
    if (v <= 0).any():
        raise ValueError("values must be positive for a max/min ratio")
    return pd.Series(
        {
            "n": float(v.size),
            "min": v.min(),
            "median": float(np.median(v)),
            "max": v.max(),
            "ratio_max_min": v.max() / v.min(),
        }
    )


# ----------------------------------------------------------------------------- a literature of optimal cut-offs


def corrected_p_from_naive(p_naive, minprop: float = 0.1, maxprop: float = 0.9) -> np.ndarray:
    """What a printed p-value becomes if its cut-off was the best of a ``minprop``-``maxprop`` search.

    The naive two-sided p is turned back into the standardised statistic
    ``b = Phi^-1(1 - p/2)`` and corrected with :func:`pvalue_lausen92`.  This is
    only meaningful when the cut-off was in fact chosen on the same data.

    Parameters
    ----------
    p_naive : float or array_like
        Printed two-sided p-values, in (0, 1].
    minprop, maxprop : float
        The search range the cut-off is supposed to have been chosen in.

    Returns
    -------
    numpy.ndarray
        The corrected p-values (:func:`pvalue_lausen92`), one per input.

    Examples
    --------
    >>> p = corrected_p_from_naive([0.003, 0.01])  # both end up above 5 %
    >>> bool((p > 0.05).all())
    True
    """
    p = _vector(np.atleast_1d(p_naive), "p_naive")
    if ((p <= 0) | (p > 1)).any():
        raise ValueError("p_naive must lie in (0, 1]")
    b = stats.norm.isf(p / 2)
    return np.array([pvalue_lausen92(max(float(x), 0.0), minprop, maxprop) for x in b])


def literature_spread(
    sizes: Sequence[int],
    true_model: str = "loglinear",
    n_literatures: int = 200,
    seed: int | np.random.SeedSequence | None = 0,
    **model,
) -> pd.DataFrame:
    """Many simulated "literatures": each is one study per entry of ``sizes``, all from one truth.

    Every study picks its own maximally selected log-rank cut-off
    (:func:`maxstat_logrank`); the row of a literature gives the smallest and
    largest cut-off, their ratio, and how many of its studies had a naive
    p < 0.05 and a corrected p < 0.05.  ``model`` is passed to
    :func:`hccrep.simulate.marker.simulate_marker_cohort` (``log_hr_per_sd``, ``marker_median``,
    ``marker_sigma``, ``censored``).

    Parameters
    ----------
    sizes : sequence of int
        Patients of each study of a literature.
    true_model : {"null", "loglinear"}
        The truth every study is drawn from (:func:`hccrep.simulate.marker.simulate_marker_cohort`).
    n_literatures : int
        Literatures simulated.
    seed : int or SeedSequence, optional
        Same seed, same literatures.
    **model
        Passed to :func:`hccrep.simulate.marker.simulate_marker_cohort`.

    Returns
    -------
    DataFrame
        One row per literature: ``min``, ``max``, ``ratio_max_min`` of its cut-offs,
        ``n_naive_significant``, ``n_corrected_significant`` and the ``cutoffs``.

    Examples
    --------
    >>> lit = literature_spread([60, 80], "null", 5, seed=1)
    >>> list(lit.columns)[:3]
    ['min', 'max', 'ratio_max_min']
    """
    check_choice(true_model, TRUE_MODELS, "true_model")
    if isinstance(sizes, (str, bytes)) or len(sizes) < 2:
        raise ValueError("sizes must list at least two study sizes")
    for s in sizes:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool) or s < 10:
            raise ValueError(f"sizes must be integers >= 10, got {s!r}")
    if (
        not isinstance(n_literatures, (int, np.integer))
        or isinstance(n_literatures, bool)
        or n_literatures < 1
    ):
        raise ValueError(f"n_literatures must be a positive integer, got {n_literatures!r}")
    if seed is None:
        raise ValueError(
            "seed must be given (an int or SeedSequence) so that results are reproducible"
        )
    allowed = {"log_hr_per_sd", "marker_median", "marker_sigma", "censored"}
    unknown = set(model) - allowed
    if unknown:
        raise ValueError(f"unknown model settings {sorted(unknown)}; allowed: {sorted(allowed)}")
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(int(n_literatures)):
        cuts, naive, corrected = [], 0, 0
        for n in sizes:
            d = simulate_marker_cohort(int(n), rng, true_model=true_model, **model)
            r = maxstat_logrank(d["time"], d["event"], d["marker"])
            cuts.append(r.cutoff)
            naive += r.pvalue_naive < 0.05
            corrected += r.pvalue_corrected < 0.05
        rows.append(
            {
                "min": min(cuts),
                "max": max(cuts),
                "ratio_max_min": max(cuts) / min(cuts),
                "n_naive_significant": naive,
                "n_corrected_significant": corrected,
                "cutoffs": tuple(cuts),
            }
        )
    return pd.DataFrame(rows)


def cutoff_spread_plot(simulated, reported, *, marker: str, title: str | None = None):
    """Histogram of simulated optimal cut-offs with the published ones marked.

    Parameters
    ----------
    simulated : array_like
        Cut-offs chosen in simulated cohorts (e.g. ``cutoff_instability(...).cohorts["cutoff"]``).
    reported : mapping of label -> cut-off
        The published cut-offs, drawn as labelled vertical lines.
    marker : str
        Name of the marker for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
        With alt text (:func:`hccrep.plots.alt_text`).

    Examples
    --------
    >>> from hccrep.plots import alt_text
    >>> fig = cutoff_spread_plot([1, 2, 2, 3], {"study A": 2}, marker="X")
    >>> alt_text(fig).startswith("Histogram")
    True
    """
    from hccrep.plots import FIGURE_WIDTH, PALETTE, set_alt_text, themed

    sim = _vector(simulated, "simulated")
    if not isinstance(reported, dict) or not reported:
        raise ValueError("reported must be a non-empty mapping of label -> cut-off")
    rep = {str(k): float(v) for k, v in reported.items()}
    if not all(np.isfinite(v) for v in rep.values()):
        raise ValueError("reported cut-offs must be finite")
    if not isinstance(marker, str) or not marker:
        raise ValueError("marker must be a non-empty string")

    @themed
    def draw():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3.6), layout="constrained")
        ax.hist(
            sim,
            bins=30,
            color=PALETTE[0],
            alpha=0.55,
            label=f"chosen in {sim.size} simulated cohorts",
        )
        top = ax.get_ylim()[1]
        for i, (lab, v) in enumerate(sorted(rep.items(), key=lambda kv: kv[1])):
            ax.axvline(v, color=PALETTE[3], linewidth=1.6)
            ax.text(
                v,
                top * (0.95 - 0.09 * (i % 5)),
                f" {lab}",
                rotation=0,
                fontsize=8.5,
                color=PALETTE[3],
                va="top",
            )
        ax.set_xlabel(f"optimal {marker} cut-off")
        ax.set_ylabel("simulated cohorts")
        ax.legend(loc="upper right")
        if title:
            ax.set_title(title)
        level = 0.95
        lo, hi = np.quantile(sim, [(1 - level) / 2, (1 + level) / 2])
        inside = sum(lo <= v <= hi for v in rep.values())
        set_alt_text(
            fig,
            (
                f"Histogram of the optimal {marker} cut-off chosen in {sim.size} simulated cohorts from one true model; "
                f"95% of them lie between {lo:.2f} and {hi:.2f}. Vertical lines mark {len(rep)} published cut-offs ("
                + ", ".join(f"{k} {v:g}" for k, v in sorted(rep.items(), key=lambda kv: kv[1]))
                + f"); {inside} of them lie inside that range."
            ),
        )
        return fig

    return draw()


# ----------------------------------------------------------------------------- reading a study's cut-offs


def _ref_number(about) -> str | None:
    """The one reference number a number cites, or None (none, or several)."""
    refs = about.source.numbers if about.source is not None else []
    return str(refs[0]) if len(refs) == 1 else None


def published_cutoffs(study, marker: str) -> pd.DataFrame:
    """The distinct published cut-offs of one marker in a study's data files.

    A number counts when its quantity is ``cutoff`` and its ``about`` names the
    marker; numbers that repeat another (``about.same_as``) are left out.  The
    study size is taken from a ``count`` number with ``about.statistic: n`` and
    the same ``about.source``, when there is one (NaN otherwise).

    Parameters
    ----------
    study : Study
        A loaded study (:func:`hccrep.spec.load_study`).
    marker : str
        The marker's name as the data files give it (e.g. ``"NLR"``).

    Returns
    -------
    DataFrame
        Columns ``key, ref, printed, cutoff, n, where``, sorted by cut-off.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> cuts = published_cutoffs(load_study("lv2025"), "NLR")
    >>> bool(cuts["cutoff"].is_monotonic_increasing)
    True
    """
    if not isinstance(marker, str) or not marker:
        raise ValueError("marker must be a non-empty string")
    sizes = {}
    for num in study.numbers:
        if num.quantity == "count" and num.about.statistic == "n" and num.about.marker == marker:
            sizes[_ref_number(num.about)] = num.value
    rows = []
    for num in study.numbers:
        if num.quantity != "cutoff" or num.about.marker != marker or num.about.same_as:
            continue
        ref = _ref_number(num.about)
        rows.append(
            {
                "key": num.key,
                "ref": ref,
                "printed": num.printed,
                "cutoff": num.value,
                "n": sizes.get(ref, np.nan),
                "where": num.provenance,
            }
        )
    if not rows:
        raise ValueError(f"marker: no cut-off of {marker!r} in study {study.key!r}")
    return pd.DataFrame(rows).sort_values("cutoff", kind="stable").reset_index(drop=True)


def published_pvalues(study, marker: str) -> pd.DataFrame:
    """The p-values printed for a marker (quantity ``p``, ``about.marker``), with the corrected reading.

    ``p_if_optimised`` is :func:`corrected_p_from_naive` with the default 10-90 %
    search: what the printed p would become had its cut-off been chosen as the
    best on the same data.  For a bound such as ``P < 0.001`` it is a bound too.

    Parameters
    ----------
    study : Study
        A loaded study (:func:`hccrep.spec.load_study`).
    marker : str
        The marker's name as the data files give it.

    Returns
    -------
    DataFrame
        Columns ``key, ref, endpoint, printed, p, bound, p_if_optimised``.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> list(published_pvalues(load_study("lv2025"), "NLR").columns)[-1]
    'p_if_optimised'
    """
    if not isinstance(marker, str) or not marker:
        raise ValueError("marker must be a non-empty string")
    rows = []
    for num in study.numbers:
        if num.quantity != "p" or num.about.marker != marker:
            continue
        rows.append(
            {
                "key": num.key,
                "ref": _ref_number(num.about),
                "endpoint": (num.about.endpoint or ""),
                "printed": num.printed,
                "p": num.value,
                "bound": num.bound or "",
            }
        )
    if not rows:
        raise ValueError(f"marker: no p-value of {marker!r} in study {study.key!r}")
    out = pd.DataFrame(rows)
    out["p_if_optimised"] = corrected_p_from_naive(out["p"].to_numpy())
    return out


def cutoff_positions(values: pd.Series, study: Study, marker: str) -> pd.DataFrame:
    """Where each reported cut-off of ``marker`` (Table 1 and text) falls in a simulated distribution.

    A cut-off printed twice (attribute ``same_as``) is listed once.

    The simulated values are assumptions (``simulation.yaml``), so the shares
    illustrate, they do not replicate.

    Parameters
    ----------
    values : Series
        The simulated marker values.
    study : Study
        A study whose results declare cut-offs (quantity ``cutoff``, ``about.marker``).
    marker : str
        The marker's name as the data files give it (e.g. ``"NLR"``).

    Returns
    -------
    DataFrame
        ``cutoff``, its source and ``share at or above``, sorted by cut-off.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> cutoff_positions(pd.Series([1.0, 3.0, 5.0]), load_study("lv2025"), "PNI")["share at or above"].tolist()
    [0.0]
    """
    vals = np.asarray(values, dtype=float)
    if vals.size == 0 or not np.all(np.isfinite(vals)):
        raise ValueError("values must be a non-empty finite sample")
    rows = []
    for n in study.numbers:
        if n.quantity == "cutoff" and n.about.marker == marker and not n.about.same_as:
            rows.append(
                {
                    "key": n.key,
                    "printed": n.printed,
                    "cutoff": n.value,
                    "reference": (n.about.source.label if n.about.source else None),
                    "share at or above": float(np.mean(vals >= n.value)),
                }
            )
    if not rows:
        raise ValueError(f"no reported cut-off of marker {marker!r}")
    return pd.DataFrame(rows).sort_values("cutoff").reset_index(drop=True)

"""Discrimination, calibration, clinical utility and agreement of prediction models.

The statistics a prediction-model paper reports -- ROC curves and AUCs with
DeLong intervals, DeLong tests between models, a Youden cut-off with the
confusion-matrix metrics at it, calibration (Hosmer--Lemeshow, Brier score,
calibration intercept and slope), decision curves, logistic regression with
backward elimination and variance inflation factors, and Cohen's kappa
between two rating schemes -- each with the variant named, because R (pROC,
ResourceSelection, rms, dcurves) and Python (scikit-learn, statsmodels)
defaults differ in the details that move a printed number:

* ROC thresholds follow pROC: the midpoints between consecutive distinct
  scores plus ``-inf`` and ``+inf``; a patient is called positive when the
  score is *at or above* the threshold (pROC ``direction = "<"``: controls
  below, cases at or above).  Higher scores must mean "case"; nothing is
  flipped automatically (pROC's ``direction = "auto"`` silently reverses a
  model with AUC below 0.5, which flatters it).
* The DeLong (1988) variance is computed with the fast midrank algorithm of
  Sun & Xu (2014); the CI is pROC's ``ci.auc(method = "delong")`` (normal,
  truncated to [0, 1]); the paired test is pROC's ``roc.test(method =
  "delong", paired = TRUE)`` (z test) and the unpaired one pROC's
  ``paired = FALSE`` (a t statistic with Welch--Satterthwaite degrees of
  freedom, as pROC computes it).
* Hosmer--Lemeshow groups are "deciles of risk" formed as in R's
  ``ResourceSelection::hoslem.test``: cut points at the type-7 quantiles
  (R's default, numpy's ``"linear"``) of the predicted risks, intervals
  closed on the right with the lowest value included, duplicate cut points
  merged; the statistic sums (observed - expected)^2 / expected over events
  and non-events with ``g - 2`` degrees of freedom (Hosmer, Lemeshow &
  Sturdivant 2013, section 5.2.2).
* Net benefit is that of Vickers & Elkin (2006); a patient is treated when
  the predicted risk is at or above the threshold (as the dcurves packages
  do).  The survival version uses the Kaplan--Meier risk by the horizon among
  the treated (Vickers et al. 2008).
* Cohen's kappa is unweighted; its standard error is the large-sample
  (non-null) one of Fleiss, Cohen & Everitt (1969), as printed by SAS PROC
  FREQ ("ASE") and used for Wald confidence limits; Cohen's (1960) simpler
  approximation is available.
* Logistic regressions are unpenalised maximum likelihood (statsmodels
  ``GLM``, IRLS as R's ``glm``) with Wald intervals ``exp(b +/- z se)``, as
  R's ``confint.default`` -- not the profile-likelihood intervals of
  ``confint`` on a ``glm`` fit.

References
----------
DeLong ER, DeLong DM, Clarke-Pearson DL (1988). Biometrics 44:837-845.
Sun X, Xu W (2014). IEEE Signal Processing Letters 21:1389-1393.
Robin X et al. (2011). pROC. BMC Bioinformatics 12:77.
Hosmer DW, Lemeshow S, Sturdivant RX (2013). Applied Logistic Regression, 3rd ed., ch. 5.
Vickers AJ, Elkin EB (2006). Med Decis Making 26:565-574.
Vickers AJ, Cronin AM, Elkin EB, Gonen M (2008). BMC Med Inform Decis Mak 8:53.
Cohen J (1960). Educ Psychol Meas 20:37-46.
Fleiss JL, Cohen J, Everitt BS (1969). Psychol Bull 72:323-327.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import special

from hccrep.stats._validate import as_vector, check_choice

__all__ = [
    "forest_importance",
    "CALIBRATION_STRATEGIES",
    "KAPPA_SE_METHODS",
    "AUCResult",
    "CalibrationResult",
    "Cutoff",
    "DeLongResult",
    "HLResult",
    "KappaResult",
    "OptimismResult",
    "StepwiseResult",
    "backward_stepwise_logit",
    "bootstrap_optimism",
    "bootstrap_optimism_auc",
    "brier_score",
    "calibration_intercept_slope",
    "calibration_table",
    "classification_metrics",
    "cohen_kappa",
    "delong_test",
    "delong_test_unpaired",
    "hosmer_lemeshow",
    "logistic_table",
    "net_benefit",
    "net_benefit_survival",
    "roc_auc",
    "roc_table",
    "vif_table",
    "youden_cutoff",
    "FittedLogit",
    "logit_fit",
    "td_auc",
    "roc_auc_bootstrap",
]

CALIBRATION_STRATEGIES = ("quantile", "uniform")
KAPPA_SE_METHODS = ("fleiss_cohen_everitt", "cohen1960")

_DIRECTION = "higher score = case (pROC direction '<': controls < threshold <= cases)"


# --------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AUCResult:
    """AUC with its DeLong standard error and confidence interval.

    Attributes
    ----------
    auc, lower, upper : float
        Area under the ROC curve and its confidence limits.
    se : float
        DeLong standard error.
    n_cases, n_controls : int
        Patients with ``y == 1`` and ``y == 0``.
    variant : str
        What was computed.
    """

    auc: float
    lower: float
    upper: float
    se: float
    n_cases: int
    n_controls: int
    variant: str


@dataclass(frozen=True)
class DeLongResult:
    """DeLong comparison of two AUCs (``difference = auc_a - auc_b``).

    Attributes
    ----------
    auc_a, auc_b, difference : float
        The two AUCs and their difference.
    z : float
        Test statistic (a z score for the paired test; pROC's t statistic for
        the unpaired one, referred to a t distribution with ``df``).
    pvalue : float
        Two-sided p-value.
    variant : str
        What was computed.
    se : float
        Standard error of the difference.
    df : float or None
        Degrees of freedom (unpaired test only).
    lower, upper : float
        Confidence limits of the difference (normal for the paired test, as
        pROC; t with ``df`` for the unpaired one, which pROC does not print).
    """

    auc_a: float
    auc_b: float
    difference: float
    z: float
    pvalue: float
    variant: str
    se: float = math.nan
    df: float | None = None
    lower: float = math.nan
    upper: float = math.nan


@dataclass(frozen=True)
class Cutoff:
    """An ROC cut-off and the sensitivity and specificity at it.

    Attributes
    ----------
    threshold : float
        Scores at or above it are called positive.
    sensitivity, specificity : float
        Proportions in [0, 1].
    youden_j : float
        ``sensitivity + specificity - 1``.
    variant : str
        What was computed.
    n_ties : int
        Number of thresholds sharing the maximal J (the first is returned).
    """

    threshold: float
    sensitivity: float
    specificity: float
    youden_j: float
    variant: str
    n_ties: int = 1


@dataclass(frozen=True)
class HLResult:
    """Hosmer--Lemeshow goodness-of-fit test.

    Attributes
    ----------
    statistic : float
        The Hosmer--Lemeshow C-hat statistic.
    df : int
        Degrees of freedom: groups formed minus 2 (default) or groups
        requested minus 2 (see :func:`hosmer_lemeshow`).
    pvalue : float
        Upper tail of the chi-square distribution with ``df``.
    table : pandas.DataFrame or None
        One row per group: group, lower, upper (the risk interval), n,
        observed and expected events, observed and expected non-events
        (None when :func:`hosmer_lemeshow` was asked for the test alone).
    variant : str
        What was computed, including the grouping rule.
    """

    statistic: float
    df: int
    pvalue: float
    table: pd.DataFrame | None
    variant: str


@dataclass(frozen=True)
class KappaResult:
    """Cohen's kappa with its asymptotic standard error and Wald interval.

    Attributes
    ----------
    kappa, se, lower, upper : float
        Kappa, its standard error and confidence limits.
    n : int
        Number of rated subjects.
    variant : str
        What was computed (the standard-error formula is named).
    observed_agreement, expected_agreement : float
        p_o and p_e.
    """

    kappa: float
    se: float
    lower: float
    upper: float
    n: int
    variant: str
    observed_agreement: float = math.nan
    expected_agreement: float = math.nan


@dataclass(frozen=True)
class StepwiseResult:
    """Backward elimination of a logistic regression by Wald p-value.

    Attributes
    ----------
    selected : list of str
        Terms left in the final model, in candidate order.
    steps : pandas.DataFrame
        One row per removal: step, removed, p (its Wald p when removed).
    table : pandas.DataFrame
        :func:`logistic_table` of the final model (empty when no term is left).
    variant : str
        What was computed.
    """

    selected: list
    steps: pd.DataFrame
    table: pd.DataFrame
    variant: str


@dataclass(frozen=True)
class OptimismResult:
    """Apparent, optimism and optimism-corrected value of a discrimination index.

    The result of every optimism bootstrap of hccrep (Efron 1983; Harrell, Lee & Mark
    1996): :func:`bootstrap_optimism_auc` here, and
    :func:`hccrep.optimism.bootstrap_optimism_cox` and
    :func:`hccrep.optimism.bootstrap_optimism_logistic`.

    Attributes
    ----------
    index : str
        ``"harrell_c"`` or ``"auc"``.
    apparent : float
        The index of the model fitted and evaluated on the same data.
    optimism : float
        Mean over bootstrap samples of (index on the bootstrap sample - index of the
        same refitted model on the original data).
    corrected : float
        ``apparent - optimism``.
    n_boot : int
        Bootstrap samples used.
    n_failed : int
        Samples dropped because the model could not be fitted or scored (0 where
        such samples are redrawn instead).
    optimism_se : float
        Standard error of ``optimism`` (standard deviation of the per-sample
        optimism over the square root of ``n_boot``); NaN for one sample.
    resamples : pandas.DataFrame
        ``training``, ``test`` and ``optimism`` per sample used.
    variant : str
        What was computed, in words.

    Examples
    --------
    >>> r = OptimismResult("auc", 0.8, 0.05, 0.75, 10, 0, 0.01, pd.DataFrame(), "demo")
    >>> float(r.table().loc["dxy", "corrected"])
    0.5
    """

    index: str
    apparent: float
    optimism: float
    corrected: float
    n_boot: int
    n_failed: int
    optimism_se: float
    resamples: pd.DataFrame = field(repr=False, compare=False)
    variant: str = ""

    @property
    def dxy_apparent(self) -> float:
        """The apparent index on Somers' Dxy scale, ``2 (C - 0.5)``."""
        return 2 * (self.apparent - 0.5)

    @property
    def dxy_optimism(self) -> float:
        """The optimism on Somers' Dxy scale, ``2 optimism``."""
        return 2 * self.optimism

    @property
    def dxy_corrected(self) -> float:
        """The corrected index on Somers' Dxy scale, ``2 (corrected - 0.5)``."""
        return 2 * (self.corrected - 0.5)

    def table(self) -> pd.DataFrame:
        """One row per scale (C and Dxy) with apparent, optimism, corrected, as rms ``validate``.

        Returns
        -------
        pandas.DataFrame
            Rows ``index`` and ``dxy``; columns apparent, optimism, corrected, n_boot.
        """
        return pd.DataFrame(
            {
                "apparent": [self.apparent, self.dxy_apparent],
                "optimism": [self.optimism, self.dxy_optimism],
                "corrected": [self.corrected, self.dxy_corrected],
                "n_boot": [self.n_boot, self.n_boot],
            },
            index=pd.Index([self.index, "dxy"], name="index"),
        )


class CalibrationResult(NamedTuple):
    """Calibration intercept ("calibration in the large") and slope; unpacks as a pair."""

    #: Calibration in the large (0 when calibrated).
    intercept: float
    #: Calibration slope (1 when calibrated).
    slope: float

    #: What was computed (a class attribute, not a tuple field).
    variant = (
        "logistic recalibration: intercept from glm(y ~ offset(logit p), binomial), "
        "slope from glm(y ~ logit p, binomial) (maximum likelihood, statsmodels GLM)"
    )


# --------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------


def _as_binary(y, name: str = "y") -> np.ndarray:
    arr = as_vector(y, name, what="must be numeric 0/1")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if not ((arr == 0.0) | (arr == 1.0)).all():  # np.isin's answer, without its sort
        bad = np.unique(arr[~np.isin(arr, (0.0, 1.0))])[:5].tolist()
        raise ValueError(f"{name} must be 0/1 (1 = case/event), found {bad}")
    return arr.astype(np.int64)


def _as_scores(x, n: int, name: str) -> np.ndarray:
    arr = as_vector(x, name, what="must be numeric")
    if arr.size != n:
        raise ValueError(f"{name} has {arr.size} values but y has {n}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _as_probabilities(p, n: int, name: str = "prob", open_interval: bool = False) -> np.ndarray:
    arr = _as_scores(p, n, name)
    if open_interval:
        if ((arr <= 0) | (arr >= 1)).any():
            raise ValueError(f"{name} must lie strictly between 0 and 1 (its logit is taken)")
    elif ((arr < 0) | (arr > 1)).any():
        raise ValueError(f"{name} must lie in [0, 1]")
    return arr


def _need_both_classes(y: np.ndarray, minimum: int, name: str = "y") -> tuple[int, int]:
    m, n = int(y.sum()), int(y.size - y.sum())
    if m < minimum or n < minimum:
        raise ValueError(
            f"{name} needs at least {minimum} cases (1) and {minimum} controls (0); got {m} and {n}"
        )
    return m, n


def _check_conf_level(conf_level) -> float:
    if (
        isinstance(conf_level, bool)
        or not isinstance(conf_level, (int, float, np.floating))
        or not 0 < conf_level < 1
    ):
        raise ValueError(
            f"conf_level must be a number strictly between 0 and 1, got {conf_level!r}"
        )
    return float(conf_level)


def _as_thresholds(thresholds) -> np.ndarray:
    try:
        arr = np.atleast_1d(np.asarray(thresholds, dtype=float)).ravel()
    except (TypeError, ValueError):
        raise ValueError("thresholds must be a sequence of numbers") from None
    if arr.size == 0:
        raise ValueError("thresholds is empty")
    if not np.isfinite(arr).all() or (arr < 0).any() or (arr >= 1).any():
        raise ValueError("thresholds must lie in [0, 1) (the odds pt / (1 - pt) is infinite at 1)")
    return arr


# --------------------------------------------------------------------------
# ROC, AUC and DeLong
# --------------------------------------------------------------------------


def _midranks(x: np.ndarray) -> np.ndarray:
    """Midranks (1-based; tied values share the mean of their positions) of each row of ``x``."""
    out = np.empty(x.shape, dtype=float)
    for r in range(x.shape[0]):
        order = np.argsort(x[r], kind="mergesort")
        xs = x[r][order]
        new = np.empty(xs.size, dtype=bool)
        new[0] = True
        np.not_equal(xs[1:], xs[:-1], out=new[1:])
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], xs.size)
        out[r, order] = ((starts + ends + 1) / 2.0)[np.cumsum(new) - 1]
    return out


def _placements(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """DeLong structural components by the Sun & Xu (2014) midrank algorithm.

    ``scores`` is (k, N).  Returns the AUCs (k,), the case components V10
    (k, m) and the control components V01 (k, n): V10 of a case is the share
    of controls scoring below it (ties count 1/2), V01 of a control the share
    of cases scoring above it.
    """
    cases = scores[:, y == 1]
    controls = scores[:, y == 0]
    m, n = cases.shape[1], controls.shape[1]
    tz = _midranks(np.concatenate([cases, controls], axis=1))
    tx = _midranks(cases)
    ty = _midranks(controls)
    aucs = (tz[:, :m].sum(axis=1) - m * (m + 1) / 2.0) / (m * n)
    v10 = (tz[:, :m] - tx) / n
    v01 = 1.0 - (tz[:, m:] - ty) / m
    return aucs, v10, v01


def _cov_rows(v: np.ndarray) -> np.ndarray:
    """``numpy.cov(v, ddof=1)`` of the rows of ``v`` (at least two columns), as a 2-d array.

    The steps of numpy's own function (mean of each row, centring in place, the product with
    the transpose, the factor 1 / (n - 1)), so the same floats, without its argument handling
    (the DeLong variance takes two per AUC, many per cohort).
    """
    x = np.array(v, ndmin=2, dtype=float)
    if x.shape[1] < 2:
        return np.atleast_2d(np.cov(v, ddof=1))
    avg = x.mean(axis=1)
    x -= avg[:, None]
    c = np.dot(x, x.T.conj())
    c *= np.true_divide(1, x.shape[1] - 1)
    return np.atleast_2d(c.squeeze())


def _delong_cov(v10: np.ndarray, v01: np.ndarray) -> np.ndarray:
    m, n = v10.shape[1], v01.shape[1]
    s10 = _cov_rows(v10)
    s01 = _cov_rows(v01)
    return s10 / m + s01 / n


def roc_auc(y, score, *, conf_level: float = 0.95) -> AUCResult:
    """AUC with the DeLong standard error and confidence interval, as pROC.

    The AUC is the Mann--Whitney probability that a case scores higher than
    a control (ties count one half).  Its variance is DeLong's, computed by
    the fast midrank algorithm of Sun & Xu (2014); the interval is
    ``auc +/- z * se`` truncated to [0, 1], as pROC's
    ``ci.auc(roc(y, score, direction = "<"), method = "delong")``.

    Parameters
    ----------
    y : array-like of 0/1
        Outcome (1 = case).
    score : array-like of float
        Risk score; higher means more likely a case (never flipped).
    conf_level : float, default 0.95
        Confidence level.

    Returns
    -------
    AUCResult

    Raises
    ------
    ValueError
        Non-binary ``y``, non-finite scores, lengths that differ, or fewer
        than two cases or controls (the variance needs two of each).

    Examples
    --------
    >>> r = roc_auc([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.3, 0.8, 0.2, 0.9])
    >>> round(r.auc, 4), r.n_cases, r.n_controls
    (0.8889, 3, 3)
    """
    yy = _as_binary(y)
    s = _as_scores(score, yy.size, "score")
    level = _check_conf_level(conf_level)
    m, n = _need_both_classes(yy, 2)
    aucs, v10, v01 = _placements(yy, s[None, :])
    auc = float(aucs[0])
    se = float(math.sqrt(_delong_cov(v10, v01)[0, 0]))
    z = special.ndtri(0.5 + level / 2)
    lower, upper = max(auc - z * se, 0.0), min(auc + z * se, 1.0)
    method = (
        f"AUC (Mann-Whitney, ties 1/2) with DeLong variance (Sun & Xu 2014 midrank algorithm), "
        f"{level:.0%} normal CI truncated to [0, 1] (pROC ci.auc method='delong'); {_DIRECTION}"
    )
    return AUCResult(
        auc=auc,
        lower=float(lower),
        upper=float(upper),
        se=se,
        n_cases=m,
        n_controls=n,
        variant=method,
    )


def roc_auc_bootstrap(
    y, score, *, rng: np.random.Generator, n_boot: int = 2000, conf_level: float = 0.95
) -> AUCResult:
    """AUC with a stratified percentile bootstrap interval, as pROC's ``ci.auc(method = "bootstrap")``.

    Each replicate resamples the cases and the controls separately, with
    replacement (pROC's default ``stratified = TRUE``), and recomputes the
    AUC; the interval is the replicates' ``(1 - conf_level) / 2`` and
    ``(1 + conf_level) / 2`` quantiles (R ``quantile`` type 7). Unlike
    DeLong's interval it need not be symmetric around the AUC. A replicate's
    AUC is ``w_case' C w_control``, with ``C`` the case-by-control matrix of
    1 (case higher), 1/2 (tie), 0 and ``w`` the resampling frequencies, so
    no replicate is sorted again.

    Parameters
    ----------
    y : array-like of 0/1
        Outcome (1 = case).
    score : array-like of float
        Risk score; higher means more likely a case.
    rng : numpy.random.Generator
        Source of the resamples (the result is deterministic given its seed).
    n_boot : int, default 2000
        Bootstrap replicates (pROC's default ``boot.n``).
    conf_level : float, default 0.95
        Confidence level.

    Returns
    -------
    AUCResult
        ``se`` is the replicates' standard deviation.

    Examples
    --------
    >>> r = roc_auc_bootstrap([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.3, 0.8, 0.2, 0.9],
    ...                       rng=np.random.default_rng(1), n_boot=500)
    >>> round(r.auc, 4), r.lower <= r.auc <= r.upper
    (0.8889, True)
    """
    yy = _as_binary(y)
    s = _as_scores(score, yy.size, "score")
    level = _check_conf_level(conf_level)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 2:
        raise ValueError(f"n_boot must be an integer >= 2, got {n_boot!r}")
    m, n = _need_both_classes(yy, 2)
    cases, controls = s[yy == 1], s[yy == 0]
    pair = (cases[:, None] > controls[None, :]) + 0.5 * (cases[:, None] == controls[None, :])
    auc = float(pair.mean())
    wa = rng.multinomial(m, np.full(m, 1.0 / m), size=n_boot) / m
    wb = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot) / n
    boot = np.einsum("bi,ij,bj->b", wa, pair, wb)
    a = (1 - level) / 2
    lower, upper = np.quantile(boot, [a, 1 - a])
    variant = (
        f"AUC (Mann-Whitney, ties 1/2) with a {level:.0%} stratified percentile bootstrap interval, "
        f"{n_boot} replicates (pROC ci.auc method='bootstrap'); {_DIRECTION}"
    )
    return AUCResult(
        auc=auc,
        lower=float(lower),
        upper=float(upper),
        se=float(boot.std(ddof=1)),
        n_cases=m,
        n_controls=n,
        variant=variant,
    )


def delong_test(y, score_a, score_b, *, conf_level: float = 0.95) -> DeLongResult:
    """Paired DeLong test of two AUCs measured on the same patients, as pROC.

    ``z = (auc_a - auc_b) / sqrt(var_a + var_b - 2 cov_ab)`` with the DeLong
    covariance matrix; two-sided normal p-value.  Equals pROC's
    ``roc.test(roc(y, a, direction = "<"), roc(y, b, direction = "<"),
    method = "delong", paired = TRUE)``.

    Parameters
    ----------
    y : array-like of 0/1
        Outcome shared by both scores.
    score_a, score_b : array-like of float
        The two risk scores (higher = case).
    conf_level : float, default 0.95
        Level of the interval for the difference.

    Returns
    -------
    DeLongResult

    Examples
    --------
    >>> y = [0, 0, 0, 1, 1, 1, 0, 1]
    >>> r = delong_test(y, [1, 2, 3, 4, 5, 6, 7, 8], [2, 1, 4, 3, 6, 5, 8, 7])
    >>> bool(r.auc_a > r.auc_b), round(r.pvalue, 2), r.df is None
    (True, 0.22, True)
    """
    yy = _as_binary(y)
    a = _as_scores(score_a, yy.size, "score_a")
    b = _as_scores(score_b, yy.size, "score_b")
    level = _check_conf_level(conf_level)
    _need_both_classes(yy, 2)
    aucs, v10, v01 = _placements(yy, np.vstack([a, b]))
    s = _delong_cov(v10, v01)
    d = float(aucs[0] - aucs[1])
    var = float(s[0, 0] + s[1, 1] - 2 * s[0, 1])
    se = math.sqrt(max(var, 0.0))
    if se == 0.0:
        z = 0.0 if d == 0.0 else math.copysign(math.inf, d)
    else:
        z = d / se
    p = float(2 * special.ndtr(-abs(z)))
    q = special.ndtri(0.5 + level / 2)
    method = (
        f"paired DeLong test (z, two-sided; pROC roc.test method='delong', paired=TRUE), "
        f"Sun & Xu 2014 algorithm; {level:.0%} normal CI of the difference; {_DIRECTION}"
    )
    return DeLongResult(
        auc_a=float(aucs[0]),
        auc_b=float(aucs[1]),
        difference=d,
        z=float(z),
        pvalue=p,
        variant=method,
        se=se,
        df=None,
        lower=float(d - q * se),
        upper=float(d + q * se),
    )


def delong_test_unpaired(y_a, score_a, y_b, score_b, *, conf_level: float = 0.95) -> DeLongResult:
    """Unpaired DeLong test of two AUCs from different patients, as pROC.

    pROC (``roc.test(..., method = "delong", paired = FALSE)``) refers
    ``(auc_a - auc_b) / sqrt(var_a + var_b)`` to a t distribution with the
    Welch--Satterthwaite degrees of freedom
    ``(var_a + var_b)^2 / (var_a^2 / (N_a - 1) + var_b^2 / (N_b - 1))``;
    this function does the same (``df`` in the result).

    Parameters
    ----------
    y_a, score_a : array-like
        Outcome and score of the first sample.
    y_b, score_b : array-like
        Outcome and score of the second sample.
    conf_level : float, default 0.95
        Level of the (t-based) interval for the difference.

    Returns
    -------
    DeLongResult

    Examples
    --------
    >>> r = delong_test_unpaired([0, 0, 1, 1, 0, 1], [1, 2, 3, 4, 2.5, 0.5],
    ...                          [0, 1, 0, 1, 0, 1], [0.2, 0.9, 0.1, 0.3, 0.4, 0.8])
    >>> r.df > 0
    True
    """
    ya, yb = _as_binary(y_a, "y_a"), _as_binary(y_b, "y_b")
    a = _as_scores(score_a, ya.size, "score_a")
    b = _as_scores(score_b, yb.size, "score_b")
    level = _check_conf_level(conf_level)
    _need_both_classes(ya, 2, "y_a")
    _need_both_classes(yb, 2, "y_b")
    auc_a, v10a, v01a = _placements(ya, a[None, :])
    auc_b, v10b, v01b = _placements(yb, b[None, :])
    va = float(_delong_cov(v10a, v01a)[0, 0])
    vb = float(_delong_cov(v10b, v01b)[0, 0])
    d = float(auc_a[0] - auc_b[0])
    se = math.sqrt(va + vb)
    denom = va**2 / (ya.size - 1) + vb**2 / (yb.size - 1)
    df = (va + vb) ** 2 / denom if denom > 0 else math.inf
    t = d / se if se > 0 else (0.0 if d == 0 else math.copysign(math.inf, d))
    p = float(2 * special.stdtr(df, -abs(t)))  # = stats.t.sf / ppf, the same bits, faster
    q = special.stdtrit(df, 0.5 + level / 2)
    method = (
        f"unpaired DeLong test (pROC roc.test method='delong', paired=FALSE: t statistic with "
        f"Welch-Satterthwaite df, two-sided); {level:.0%} t CI of the difference; {_DIRECTION}"
    )
    return DeLongResult(
        auc_a=float(auc_a[0]),
        auc_b=float(auc_b[0]),
        difference=d,
        z=float(t),
        pvalue=p,
        variant=method,
        se=se,
        df=float(df),
        lower=float(d - q * se),
        upper=float(d + q * se),
    )


def _proc_thresholds(values: np.ndarray) -> np.ndarray:
    """pROC's ``roc.utils.thresholds`` for direction '<' (midpoints, +/-inf, near-tie fix)."""
    u = np.unique(values)
    lo = np.r_[-np.inf, u]
    hi = np.r_[u, np.inf]
    with np.errstate(over="ignore", invalid="ignore"):
        t1 = (lo + hi) / 2
    t2 = lo / 2 + hi / 2
    thr = np.where(np.abs(t1) > 1e100, t2, t1)
    # a midpoint that rounds onto a data value: pROC moves it to the upper value for direction '<'
    for i in np.flatnonzero(np.isin(thr, u)):
        if thr[i] == lo[i]:
            thr[i] = hi[i]
    return thr


def _roc_counts(y, score) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """pROC thresholds and the true and false positives at each; the numbers of cases and controls."""
    yy = _as_binary(y)
    s = _as_scores(score, yy.size, "score")
    m, n = _need_both_classes(yy, 1)
    thr = _proc_thresholds(s)
    cases = np.sort(s[yy == 1])
    controls = np.sort(s[yy == 0])
    tp = m - np.searchsorted(cases, thr, side="left")  # cases with score >= thr
    fp = n - np.searchsorted(controls, thr, side="left")
    return thr, tp, fp, m, n


def roc_table(y, score) -> pd.DataFrame:
    """Sensitivity and specificity at every pROC threshold.

    Thresholds are pROC's: ``-inf``, the midpoints between consecutive
    distinct scores, and ``+inf`` (a midpoint that rounds onto a score is
    moved as pROC does).  A patient is positive when ``score >= threshold``.
    Rows are in increasing threshold order, as pROC's ``coords(r, "all")``.

    Parameters
    ----------
    y : array-like of 0/1
        Outcome (1 = case).
    score : array-like of float
        Risk score (higher = case).

    Returns
    -------
    pandas.DataFrame
        Columns threshold, sensitivity, specificity, tp, fp, tn, fn.

    Examples
    --------
    >>> roc_table([0, 0, 1, 1], [1, 2, 2, 3])[["threshold", "sensitivity", "specificity"]]
       threshold  sensitivity  specificity
    0       -inf          1.0          0.0
    1        1.5          1.0          0.5
    2        2.5          0.5          1.0
    3        inf          0.0          1.0
    """
    thr, tp, fp, m, n = _roc_counts(y, score)
    tn, fn = n - fp, m - tp
    return pd.DataFrame(
        {
            "threshold": thr,
            "sensitivity": tp / m,
            "specificity": tn / n,
            "tp": tp,
            "fp": fp,
            "tn": tn,
            "fn": fn,
        }
    )


def youden_cutoff(y, score) -> Cutoff:
    """Cut-off maximising Youden's J = sensitivity + specificity - 1, as pROC.

    Searches the thresholds of :func:`roc_table` (pROC midpoints), as
    ``coords(roc(y, score, direction = "<"), "best", best.method =
    "youden")``.  pROC returns every tied best threshold; this function
    returns the first (lowest) of them and their number in ``n_ties``.

    Parameters
    ----------
    y : array-like of 0/1
        Outcome (1 = case).
    score : array-like of float
        Risk score (higher = case).

    Returns
    -------
    Cutoff

    Examples
    --------
    >>> c = youden_cutoff([0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.6, 0.4, 0.7, 0.9])
    >>> round(c.threshold, 3), round(c.youden_j, 4), c.n_ties
    (0.3, 0.6667, 2)
    """
    # the columns of roc_table, as arrays: a Monte Carlo asks for many cut-offs per cohort
    thr, tp, fp, m, n = _roc_counts(y, score)
    sens, spec = tp / m, (n - fp) / n
    crit = sens + spec  # pROC: se + r * sp, r = 1
    best = np.flatnonzero(crit == crit.max())
    i = best[0]
    method = (
        "Youden J on pROC thresholds (midpoints between distinct scores), positive = score >= "
        "threshold; first of tied maxima (pROC coords 'best', best.method='youden' returns all)"
    )
    return Cutoff(
        threshold=float(thr[i]),
        sensitivity=float(sens[i]),
        specificity=float(spec[i]),
        youden_j=float(sens[i] + spec[i] - 1.0),
        variant=method,
        n_ties=int(best.size),
    )


def classification_metrics(y, predicted) -> dict:
    """Confusion-matrix counts and the metrics a "Table 3" reports.

    Parameters
    ----------
    y : array-like of 0/1
        True outcome (1 = case).
    predicted : array-like of 0/1
        Predicted class (1 = predicted case), for example
        ``score >= cutoff.threshold``.

    Returns
    -------
    dict
        tp, fp, tn, fn (int) and sensitivity, specificity, accuracy,
        precision (PPV), npv, f1 (proportions in [0, 1]; NaN when the
        denominator is zero, for example precision with no predicted case).

    Examples
    --------
    >>> m = classification_metrics([1, 1, 0, 0, 1], [1, 0, 0, 1, 1])
    >>> m["tp"], m["fp"], round(m["f1"], 4)
    (2, 1, 0.6667)
    """
    yy = _as_binary(y)
    pp = _as_binary(predicted, "predicted")
    if pp.size != yy.size:
        raise ValueError(f"predicted has {pp.size} values but y has {yy.size}")
    tp = int(((yy == 1) & (pp == 1)).sum())
    fp = int(((yy == 0) & (pp == 1)).sum())
    tn = int(((yy == 0) & (pp == 0)).sum())
    fn = int(((yy == 1) & (pp == 0)).sum())

    def ratio(a: int, b: int) -> float:
        return a / b if b else math.nan

    return {
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "sensitivity": ratio(tp, tp + fn),
        "specificity": ratio(tn, tn + fp),
        "accuracy": ratio(tp + tn, yy.size),
        "precision": ratio(tp, tp + fp),
        "npv": ratio(tn, tn + fn),
        "f1": ratio(2 * tp, 2 * tp + fp + fn),
    }


# --------------------------------------------------------------------------
# calibration
# --------------------------------------------------------------------------


def _hl_groups(prob: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Group index per patient and the cut points (ResourceSelection::hoslem.test rule)."""
    breaks = np.unique(np.quantile(prob, np.linspace(0.0, 1.0, groups + 1), method="linear"))
    if breaks.size < 2:
        raise ValueError("prob has a single distinct value: no risk groups can be formed")
    # R cut(..., include.lowest = TRUE): (b_k, b_k+1], the first interval closed on both sides
    idx = np.searchsorted(breaks, prob, side="left") - 1
    idx[prob == breaks[0]] = 0
    return idx, breaks


#: Degrees-of-freedom rules of :func:`hosmer_lemeshow` (the two versions of ResourceSelection::hoslem.test).
_HL_DF_RULES = ("formed", "requested")


def hosmer_lemeshow(
    y, prob, groups: int = 10, *, df: str = "formed", table: bool = True
) -> HLResult:
    """Hosmer--Lemeshow goodness-of-fit test on deciles of risk, as R's ``ResourceSelection::hoslem.test``.

    Patients are grouped by the type-7 quantiles of ``prob`` (R's default
    ``quantile``; numpy ``method="linear"``) into intervals closed on the
    right with the lowest value included, duplicate cut points merged -- the
    grouping of ``hoslem.test``.  Other software groups differently (SAS and
    Stata sort and split into groups of near-equal size), which changes the
    statistic when risks are tied.

    ``C = sum_k [(o1_k - e1_k)^2 / e1_k + (o0_k - e0_k)^2 / e0_k]`` over events
    (1) and non-events (0), referred to chi-square.  The degrees of freedom
    are where the versions of ``hoslem.test`` differ, and so does the p-value
    whenever tied risks merge cut points (a model with a few distinct risks):

    * ``df="formed"`` (default): ``G - 2``, ``G`` the number of groups
      actually formed -- ``hoslem.test`` from ResourceSelection 0.3-6 (CRAN
      since June 2023), and Hosmer, Lemeshow & Sturdivant (2013, section
      5.2.2);
    * ``df="requested"``: ``g - 2``, ``g`` = ``groups`` as requested, however
      many groups were formed -- ``hoslem.test`` up to ResourceSelection
      0.3-5 (2011-2019), which analyses run before mid-2023 used.

    Only meaningful on the data the model was fitted to with the model's own
    risks; in a validation cohort the reference distribution has ``g``
    degrees of freedom instead.

    Parameters
    ----------
    y : array-like of 0/1
        Observed outcome.
    prob : array-like of float in [0, 1]
        Predicted probabilities.
    groups : int, default 10
        Number of quantile groups requested (at least 3).
    df : {"formed", "requested"}, default "formed"
        Degrees-of-freedom rule (see above).
    table : bool, default True
        Build the table of the groups; False leaves ``table`` None (a Monte
        Carlo that needs only the statistic and p-value).

    Returns
    -------
    HLResult

    One known difference from ``hoslem.test``: with risks tied on a coarse
    grid, an interpolated cut point can fall between two risk values and
    leave an interval without patients.  ``hoslem.test`` keeps that interval
    in its sum, whose 0/0 terms make the statistic and p-value NaN; here it is
    left out (it is not counted among the groups formed either, in both
    versions), which gives the textbook statistic of the non-empty groups.

    Raises
    ------
    ValueError
        For invalid input, when fewer than 3 groups can be formed, or when a
        group has zero expected events or non-events.

    Examples
    --------
    >>> y = [0, 0, 1, 0, 1, 1, 0, 1, 1, 1]
    >>> p = [0.1, 0.2, 0.25, 0.3, 0.5, 0.55, 0.6, 0.8, 0.87, 0.9]
    >>> r = hosmer_lemeshow(y, p, groups=3)
    >>> r.df, list(r.table["n"])
    (1, [4, 3, 3])
    >>> p2 = [0.2] * 4 + [0.5] * 3 + [0.8] * 3  # three distinct risks: 3 of the 5 groups requested
    >>> hosmer_lemeshow(y, p2, groups=5).df, hosmer_lemeshow(y, p2, groups=5, df="requested").df
    (1, 3)
    >>> hosmer_lemeshow(y, p, groups=3, table=False).table is None
    True
    """
    yy = _as_binary(y)
    p = _as_probabilities(prob, yy.size)
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 3:
        raise ValueError(f"groups must be an integer >= 3 (df = groups - 2), got {groups!r}")
    check_choice(df, _HL_DF_RULES, "df")
    idx, breaks = _hl_groups(p, int(groups))
    k = breaks.size - 1
    n = np.bincount(idx, minlength=k)
    keep = n > 0  # an interval between two cut points can be empty when risks are tied on a grid
    n = n[keep]
    o1 = np.bincount(idx, weights=yy, minlength=k)[keep]
    e1 = np.bincount(idx, weights=p, minlength=k)[keep]
    o0, e0 = n - o1, n - e1
    if (e1 <= 0).any() or (e0 <= 0).any():
        raise ValueError(
            "a risk group has zero expected events or non-events (all prob 0 or 1 in it)"
        )
    stat = float(((o1 - e1) ** 2 / e1 + (o0 - e0) ** 2 / e0).sum())
    g = int(n.size)
    if g < 3:
        raise ValueError(
            f"only {g} distinct risk group(s) could be formed; the test needs at least 3"
        )
    dof = g - 2 if df == "formed" else int(groups) - 2
    groups_table = (
        None
        if not table
        else pd.DataFrame(
            {
                "group": np.arange(1, g + 1),
                "lower": breaks[:-1][keep],
                "upper": breaks[1:][keep],
                "n": n,
                "observed": o1,
                "expected": e1,
                "observed_nonevents": o0,
                "expected_nonevents": e0,
            }
        )
    )
    p_value = float(special.chdtrc(dof, stat))
    rule = (
        f"df = G - 2 = {dof} with G = {g} groups formed (ResourceSelection::hoslem.test >= 0.3-6)"
        if df == "formed"
        else f"df = g - 2 = {dof} with g = {groups} groups requested, {g} formed (ResourceSelection::hoslem.test <= 0.3-5)"
    )
    method = (
        f"Hosmer-Lemeshow C-hat, {groups} groups requested by type-7 quantiles of the predicted risk "
        f"(R quantile default; intervals (a, b], lowest included, duplicate cut points merged: {g} formed), "
        f"chi-square {rule}"
    )
    return HLResult(statistic=stat, df=dof, pvalue=p_value, table=groups_table, variant=method)


def brier_score(y, prob) -> float:
    """Brier score: the mean squared difference between risk and outcome.

    Parameters
    ----------
    y : array-like of 0/1
        Observed outcome.
    prob : array-like of float in [0, 1]
        Predicted probabilities.

    Returns
    -------
    float
        ``mean((prob - y)^2)``; 0 is perfect, ``prevalence * (1 - prevalence)``
        is what the constant prevalence achieves.

    Examples
    --------
    >>> round(brier_score([0, 1, 1, 0], [0.1, 0.9, 0.7, 0.4]), 4)
    0.0675
    """
    yy = _as_binary(y)
    p = _as_probabilities(prob, yy.size)
    return float(np.mean((p - yy) ** 2))


def calibration_table(y, prob, n_bins: int = 10, strategy: str = "quantile") -> pd.DataFrame:
    """Mean predicted risk and observed proportion per risk bin.

    The bins are those of scikit-learn's
    :func:`sklearn.calibration.calibration_curve`: edges at the quantiles
    (``"quantile"``, numpy's default linear interpolation) or at equal steps
    of width ``1 / n_bins`` (``"uniform"``), bins closed on the right (the
    first one on both sides, as R's ``cut(..., include.lowest = TRUE)``);
    empty bins are dropped.  With ``strategy="quantile"`` and ``n_bins=10``
    the bins are therefore the Hosmer--Lemeshow groups of
    :func:`hosmer_lemeshow`.

    Parameters
    ----------
    y : array-like of 0/1
        Observed outcome.
    prob : array-like of float in [0, 1]
        Predicted probabilities.
    n_bins : int, default 10
        Number of bins (at least 2).
    strategy : {"quantile", "uniform"}
        How the edges are placed.

    Returns
    -------
    pandas.DataFrame
        Columns bin (1-based), n, mean_predicted, observed (proportion of
        events), lower, upper (the bin's edges).

    Examples
    --------
    >>> t = calibration_table([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.8], n_bins=2, strategy="uniform")
    >>> t[["n", "mean_predicted", "observed"]].values.tolist()
    [[2.0, 0.2, 0.0], [2.0, 0.7, 1.0]]
    """
    yy = _as_binary(y)
    p = _as_probabilities(prob, yy.size)
    check_choice(strategy, CALIBRATION_STRATEGIES, "strategy")
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 2:
        raise ValueError(f"n_bins must be an integer >= 2, got {n_bins!r}")
    if strategy == "quantile":
        edges = np.percentile(p, np.linspace(0, 100, n_bins + 1))
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], p, side="left")
    count = np.bincount(ids, minlength=n_bins)
    sum_p = np.bincount(ids, weights=p, minlength=n_bins)
    sum_y = np.bincount(ids, weights=yy, minlength=n_bins)
    keep = count > 0
    out = pd.DataFrame(
        {
            "n": count[keep].astype(float),
            "mean_predicted": sum_p[keep] / count[keep],
            "observed": sum_y[keep] / count[keep],
            "lower": edges[:-1][keep],
            "upper": edges[1:][keep],
        }
    )
    out.insert(0, "bin", np.arange(1, len(out) + 1))
    return out


def calibration_intercept_slope(y, prob) -> CalibrationResult:
    """Calibration intercept (in the large) and calibration slope.

    The intercept is that of ``glm(y ~ offset(qlogis(p)), binomial)``: the
    shift of the log odds that makes the mean risk match the event rate (0 is
    ideal, negative means the model over-predicts).  The slope is that of
    ``glm(y ~ qlogis(p), binomial)`` (1 is ideal; below 1, the risks are too
    extreme -- the usual sign of overfitting).

    Parameters
    ----------
    y : array-like of 0/1
        Observed outcome.
    prob : array-like of float in (0, 1)
        Predicted probabilities (0 and 1 are refused: their logit is infinite).

    Returns
    -------
    CalibrationResult
        ``(intercept, slope)``; unpacks as a pair.  ``CalibrationResult.variant``
        names the fits.

    Examples
    --------
    >>> a, b = calibration_intercept_slope([0, 0, 1, 1, 0, 1, 1, 0], [0.2, 0.3, 0.7, 0.6, 0.4, 0.5, 0.8, 0.55])
    >>> b > 0
    True
    """
    import statsmodels.api as sm

    yy = _as_binary(y)
    p = _as_probabilities(prob, yy.size, open_interval=True)
    _need_both_classes(yy, 1)
    lp = np.log(p / (1 - p))
    fam = sm.families.Binomial()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = sm.GLM(yy, np.ones((yy.size, 1)), family=fam, offset=lp).fit()
        b = sm.GLM(yy, sm.add_constant(lp, has_constant="add"), family=fam).fit()
    return CalibrationResult(float(a.params[0]), float(b.params[1]))


# --------------------------------------------------------------------------
# decision curves
# --------------------------------------------------------------------------


def net_benefit(y, prob, thresholds, *, table: bool = True) -> pd.DataFrame | dict:
    """Net benefit of a model, of treating all and of treating none (binary DCA).

    At threshold probability ``pt`` a patient is treated when
    ``prob >= pt``; ``NB = TP / n - FP / n * pt / (1 - pt)`` (Vickers &
    Elkin 2006).  Treating all gives ``prev - (1 - prev) * pt / (1 - pt)``;
    treating none gives 0.

    Parameters
    ----------
    y : array-like of 0/1
        Observed outcome.
    prob : array-like of float in [0, 1]
        Predicted probabilities (a risk *score* on another scale has no net
        benefit: the threshold is a probability).
    thresholds : sequence of float in [0, 1)
        Threshold probabilities.
    table : bool, default True
        Return a DataFrame; False returns the same columns as a dict of arrays (a Monte Carlo
        reads one number of it, and building the frame cost more than computing it).

    Returns
    -------
    pandas.DataFrame or dict of numpy.ndarray
        Columns threshold, model, treat_all, treat_none.

    Examples
    --------
    >>> net_benefit([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.2], [0.5]).round(3).values.tolist()
    [[0.5, 0.0, 0.0, 0.0]]
    >>> nb = net_benefit([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.2], [0.2, 0.5], table=False)
    >>> nb["model"].round(4).tolist()  # 2/4 - 2/4 * 1/4, and 1/4 - 1/4
    [0.375, 0.0]
    """
    yy = _as_binary(y)
    p = _as_probabilities(prob, yy.size)
    pt = _as_thresholds(thresholds)
    n = yy.size
    treated = p[None, :] >= pt[:, None]
    tp = (treated & (yy[None, :] == 1)).sum(axis=1)
    fp = (treated & (yy[None, :] == 0)).sum(axis=1)
    w = pt / (1 - pt)
    prev = yy.mean()
    cols = {
        "threshold": pt,
        "model": tp / n - fp / n * w,
        "treat_all": prev - (1 - prev) * w,
        "treat_none": np.zeros_like(pt),
    }
    return pd.DataFrame(cols) if table else cols


def td_auc(time, event, marker, horizon: float) -> float:
    """Cumulative/dynamic time-dependent AUC of a marker at a horizon, with IPCW (Uno et al. 2007).

    Cases are the patients with an event at or before ``horizon``, controls
    those still event-free after it; each case is weighted by the inverse of
    the Kaplan-Meier probability of remaining uncensored (scikit-survival's
    :func:`sksurv.metrics.cumulative_dynamic_auc`, with the same data as
    training and test set; R ``timeROC(..., weighting = "marginal")``).

    Parameters
    ----------
    time, event : array-like
        Follow-up time and event indicator (1 = event).
    marker : array-like of float
        Risk score (higher = earlier event).
    horizon : float
        The time point, in the unit of ``time``; it must lie before the last
        follow-up time.

    Returns
    -------
    float
        The AUC at ``horizon``.

    Examples
    --------
    >>> round(td_auc([5, 10, 30, 40], [1, 1, 0, 0], [2, 1, 0, 0], 24), 2)
    1.0
    """
    from sksurv.metrics import cumulative_dynamic_auc
    from sksurv.util import Surv

    y = Surv.from_arrays(np.asarray(event, bool), np.asarray(time, float))
    auc, _ = cumulative_dynamic_auc(y, y, np.asarray(marker, float), [float(horizon)])
    return float(auc[0])


def _km_risk(t: np.ndarray, e: np.ndarray, horizon: float) -> float:
    """1 - Kaplan-Meier survival at ``horizon`` (the last value carried forward past the last follow-up)."""
    if t.size == 0:
        return math.nan
    from hccrep.stats.fastsurv import _curve

    c = _curve(t, e)  # t, e: validated by the caller (subsets of _as_time_event's arrays)
    k = np.searchsorted(c.time, horizon, side="right")
    return 1.0 - (float(c.survival[k - 1]) if k > 0 else 1.0)


def _km_risks_nested(
    t: np.ndarray, e: np.ndarray, members: np.ndarray, horizon: float
) -> np.ndarray:
    """:func:`_km_risk` of the patients of each row of ``members`` (boolean, one row per group).

    Every group's Kaplan-Meier product is taken over the distinct times of all patients: a time
    where the group has nobody adds an exact 0.0 to its running sum of ``log(n - d) - log(n)``,
    so each group's sum, and its survival, is the float :func:`_km_risk` gives on its own.
    """
    order = np.argsort(t, kind="stable")
    times, starts = np.unique(t[order], return_index=True)
    m = members[:, order].astype(float)
    removed = np.add.reduceat(m, starts, axis=1)  # whole counts per time: exact
    d = np.add.reduceat(m * e[order], starts, axis=1)
    n = members.sum(axis=1, keepdims=True) - np.concatenate(
        (np.zeros((len(m), 1)), np.cumsum(removed, axis=1)[:, :-1]), axis=1
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(removed > 0, np.log(n - d) - np.log(n), 0.0)
    surv = np.exp(np.cumsum(terms, axis=1))
    k = int(np.searchsorted(times, horizon, side="right"))
    return 1.0 - (surv[:, k - 1] if k > 0 else np.ones(len(m)))


def net_benefit_survival(time, event, risk, horizon: float, thresholds) -> pd.DataFrame:
    """Net benefit for a time-to-event outcome at a horizon (Vickers et al. 2008).

    Among the ``n_t`` patients treated at threshold ``pt`` (``risk >= pt``)
    the event risk by ``horizon`` is ``1 - S_t(horizon)``, the Kaplan--Meier
    estimate in that subgroup; ``TP / n = (1 - S_t) n_t / n`` and
    ``FP / n = S_t n_t / n``, and ``NB = TP / n - FP / n * pt / (1 - pt)``.
    Treating all uses the Kaplan--Meier estimate of everyone.  Beyond a
    subgroup's last follow-up the Kaplan--Meier value is carried forward (as
    ``summary(survfit(...), times = h, extend = TRUE)``, which the R package
    dcurves uses).

    Parameters
    ----------
    time : array-like of float
        Follow-up times (non-negative).
    event : array-like of 0/1
        1 = event.
    risk : array-like of float in [0, 1]
        Predicted probability of the event by ``horizon``.
    horizon : float
        Time point (same unit as ``time``), positive.
    thresholds : sequence of float in [0, 1)
        Threshold probabilities.

    Returns
    -------
    pandas.DataFrame
        Columns threshold, model, treat_all, treat_none.

    Examples
    --------
    >>> nb = net_benefit_survival([1, 2, 3, 4], [1, 0, 1, 0], [0.8, 0.6, 0.3, 0.1], 4.5, [0.5])
    >>> round(float(nb["model"].iloc[0]), 3)
    0.0
    """
    from hccrep.stats.survival import _as_time_event

    t, e = _as_time_event(time, event)
    r = _as_probabilities(risk, t.size, "risk")
    if (
        isinstance(horizon, bool)
        or not isinstance(horizon, (int, float, np.number))
        or not math.isfinite(horizon)
        or horizon <= 0
    ):
        raise ValueError(f"horizon must be a positive finite number, got {horizon!r}")
    pt = _as_thresholds(thresholds)
    n = t.size
    w = pt / (1 - pt)
    risk_all = _km_risk(t, e, float(horizon))
    # the treated at a threshold are the n_t highest risks (all of a tied risk or none)
    n_t = n - np.searchsorted(np.sort(r), pt, side="left")
    sizes, first = np.unique(n_t, return_index=True)
    q = np.zeros(pt.size)
    treated = sizes > 0
    if treated.any():
        members = r[None, :] >= pt[first[treated], None]  # one row per distinct group of treated
        km = _km_risks_nested(t, e, members, float(horizon))
        q = km[np.searchsorted(sizes[treated], n_t).clip(0, km.size - 1)]
    model = np.where(n_t > 0, q * n_t / n - (1 - q) * n_t / n * w, 0.0)
    return pd.DataFrame(
        {
            "threshold": pt,
            "model": model,
            "treat_all": risk_all - (1 - risk_all) * w,
            "treat_none": np.zeros_like(pt),
        }
    )


# --------------------------------------------------------------------------
# agreement
# --------------------------------------------------------------------------


def _codes(a, b) -> tuple[np.ndarray, np.ndarray, int]:
    sa, sb = pd.Series(as_vector(a, "a", dtype=object)), pd.Series(as_vector(b, "b", dtype=object))
    if sa.size != sb.size:
        raise ValueError(f"a and b lengths differ ({sa.size} vs {sb.size})")
    if sa.size == 0:
        raise ValueError("a is empty")
    if sa.isna().any() or sb.isna().any():
        raise ValueError("a and b must not contain missing ratings")
    levels = sorted(set(sa) | set(sb), key=lambda v: (str(type(v)), v))
    index = {v: i for i, v in enumerate(levels)}
    return sa.map(index).to_numpy(), sb.map(index).to_numpy(), len(levels)


def cohen_kappa(
    a, b, *, conf_level: float = 0.95, se_method: str = "fleiss_cohen_everitt"
) -> KappaResult:
    """Unweighted Cohen's kappa with an asymptotic standard error and Wald CI.

    ``kappa = (p_o - p_e) / (1 - p_e)``.  The default standard error is the
    large-sample (non-null) one of Fleiss, Cohen & Everitt (1969), printed
    by SAS PROC FREQ as "ASE"; ``se_method="cohen1960"`` gives Cohen's
    approximation ``sqrt(p_o (1 - p_o) / (n (1 - p_e)^2))``.  The interval is
    ``kappa +/- z * se`` (not truncated).

    Parameters
    ----------
    a, b : array-like
        Ratings of the same subjects by two raters (or two criteria); any
        hashable category labels.
    conf_level : float, default 0.95
        Confidence level.
    se_method : {"fleiss_cohen_everitt", "cohen1960"}
        Standard-error formula.

    Returns
    -------
    KappaResult

    Examples
    --------
    >>> r = cohen_kappa(["CR", "PR", "PD", "PR", "SD", "PD"], ["CR", "PR", "PD", "SD", "SD", "PR"])
    >>> round(r.kappa, 3), r.n
    (0.556, 6)
    """
    check_choice(se_method, KAPPA_SE_METHODS, "se_method")
    level = _check_conf_level(conf_level)
    ia, ib, k = _codes(a, b)
    n = ia.size
    if k < 2:
        raise ValueError("a and b use a single category: kappa is undefined")
    p = np.zeros((k, k))
    np.add.at(p, (ia, ib), 1.0)
    p /= n
    r, c = p.sum(axis=1), p.sum(axis=0)
    po, pe = float(np.trace(p)), float(r @ c)
    if pe >= 1.0:
        raise ValueError("both raters use one and the same category: expected agreement is 1")
    kappa = (po - pe) / (1 - pe)
    if se_method == "cohen1960":
        var = po * (1 - po) / (n * (1 - pe) ** 2)
        label = "Cohen (1960) approximate SE sqrt(po(1-po)/(n(1-pe)^2))"
    else:
        diag = np.diag(p)
        term1 = float((diag * ((1 - pe) - (r + c) * (1 - po)) ** 2).sum())
        off = p.copy()
        np.fill_diagonal(off, 0.0)
        term2 = (1 - po) ** 2 * float((off * (c[:, None] + r[None, :]) ** 2).sum())
        term3 = (po * pe - 2 * pe + po) ** 2
        var = (term1 + term2 - term3) / (n * (1 - pe) ** 4)
        label = "Fleiss, Cohen & Everitt (1969) large-sample SE (SAS PROC FREQ ASE)"
    se = math.sqrt(max(var, 0.0))
    z = special.ndtri(0.5 + level / 2)
    method = f"unweighted Cohen's kappa; {label}; {level:.0%} Wald CI kappa +/- z se"
    return KappaResult(
        kappa=float(kappa),
        se=se,
        lower=float(kappa - z * se),
        upper=float(kappa + z * se),
        n=int(n),
        variant=method,
        observed_agreement=po,
        expected_agreement=pe,
    )


# --------------------------------------------------------------------------
# logistic regression
# --------------------------------------------------------------------------


def _design(
    df, outcome: str, covariates: Sequence[str], name: str = "covariates"
) -> tuple[np.ndarray, pd.DataFrame]:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    if isinstance(covariates, str) or not isinstance(covariates, Sequence):
        raise ValueError(f"{name} must be a list of column names")
    covariates = list(covariates)
    if len(set(covariates)) < len(covariates):
        raise ValueError(f"{name} has duplicates: {covariates}")
    missing = [c for c in [outcome, *covariates] if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in df: {missing}")
    if not covariates:
        raise ValueError(f"{name} is empty: give at least one covariate column")
    if outcome in covariates:
        raise ValueError(f"the outcome column {outcome!r} is also listed in {name}")
    y = _as_binary(df[outcome], f"outcome column {outcome!r}")
    _need_both_classes(y, 1, f"outcome column {outcome!r}")
    x = df[covariates]
    for c in covariates:
        if not pd.api.types.is_numeric_dtype(x[c]) and not pd.api.types.is_bool_dtype(x[c]):
            raise ValueError(f"covariate {c!r} must be numeric (code categories as 0/1 columns)")
        if x[c].isna().any():
            raise ValueError(f"covariate {c!r} has {int(x[c].isna().sum())} missing value(s)")
        if np.isinf(x[c].to_numpy(dtype=float)).any():
            raise ValueError(f"covariate {c!r} has infinite values")
        if x[c].nunique() < 2:
            raise ValueError(f"covariate {c!r} is constant (it would duplicate the intercept)")
    return y, x.astype(float)


def _fit_logit(y: np.ndarray, x: pd.DataFrame):
    import statsmodels.api as sm

    exog = sm.add_constant(x, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sm.GLM(y, exog, family=sm.families.Binomial()).fit()


@dataclass(frozen=True)
class FittedLogit:
    """A logistic fit: names, coefficients (intercept first), Wald SEs.

    Attributes
    ----------
    names : tuple of str
        ``"(Intercept)"`` and the terms, as R names them.
    coef : numpy.ndarray
        Coefficients, intercept first.
    se : numpy.ndarray
        Their Wald standard errors.
    converged : bool
        Whether Newton-Raphson converged (and no coefficient ran past 30 in absolute value,
        the sign of separation).
    """

    names: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    converged: bool

    def predict(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Predicted probabilities for the columns ``names[1:]`` of ``x``.

        Parameters
        ----------
        x : pandas.DataFrame or numpy.ndarray
            A frame with the columns ``names[1:]``, or an ``(n, p)`` array whose
            columns are those terms in that order.

        Returns
        -------
        numpy.ndarray
            One probability per row.

        Examples
        --------
        >>> fit = logit_fit(pd.DataFrame({"x": [0, 0, 0, 1, 1, 1, 0, 1]}), [0, 0, 1, 1, 1, 0, 0, 1])
        >>> fit.predict(pd.DataFrame({"x": [0, 1]})).round(4).tolist()  # 1/4 and 3/4
        [0.25, 0.75]
        >>> fit.predict(np.array([[0.0], [1.0]])).round(4).tolist()
        [0.25, 0.75]
        """
        if isinstance(x, pd.DataFrame):
            x = x[list(self.names[1:])].to_numpy(float)
        else:  # as it is: a frame of it hands back the same memory order (so the same sums)
            x = np.asarray(x, dtype=float)
            if x.ndim != 2 or x.shape[1] != len(self.names) - 1:
                raise ValueError(
                    f"x must have {len(self.names) - 1} columns ({', '.join(self.names[1:])})"
                )
        lp = self.coef[0] + x @ self.coef[1:]
        return special.expit(lp)

    def columns(self, conf_level: float = 0.95) -> dict[str, np.ndarray]:
        """The columns of :meth:`table` as arrays, intercept first (no DataFrame built).

        Parameters
        ----------
        conf_level : float, default 0.95
            Level of the Wald interval.

        Returns
        -------
        dict of str to numpy.ndarray
            coef, lower, upper, z and p, one value per name of ``names``.

        Examples
        --------
        >>> fit = logit_fit(pd.DataFrame({"x": [0, 0, 0, 1, 1, 1, 0, 1]}), [0, 0, 1, 1, 1, 0, 0, 1])
        >>> cols = fit.columns()
        >>> list(cols), [round(float(v), 4) for v in cols["coef"]]  # log(1/3), log(9)
        (['coef', 'lower', 'upper', 'z', 'p'], [-1.0986, 2.1972])
        """
        q = special.ndtri(0.5 + conf_level / 2)  # = stats.norm.ppf / sf, the same bits, faster
        with np.errstate(divide="ignore", invalid="ignore"):
            z = self.coef / self.se
        return {
            "coef": self.coef,
            "lower": self.coef - q * self.se,
            "upper": self.coef + q * self.se,
            "z": z,
            "p": 2 * special.ndtr(-np.abs(z)),
        }

    def table(self, conf_level: float = 0.95) -> pd.DataFrame:
        """Coefficient, Wald CI of the coefficient, z and p for every term."""
        return pd.DataFrame(self.columns(conf_level), index=pd.Index(self.names, name="term"))


def logit_fit(x: pd.DataFrame, y, *, max_iter: int = 50, tol: float = 1e-10) -> FittedLogit:
    """Unpenalised logistic regression by Newton-Raphson (IRLS, as R ``glm``), with an intercept.

    The numpy fast path of :func:`logistic_table` (statsmodels) for Monte Carlo
    and bootstrap loops; ``tests/test_tu2025.py`` checks the two agree.  A fit
    that has not converged (complete or quasi-complete separation, where the
    MLE does not exist) has ``converged`` False.

    Parameters
    ----------
    x : pandas.DataFrame or array (n, p)
        Covariates (no intercept column).
    y : array_like of 0/1
        Outcome.

    Returns
    -------
    FittedLogit

    Examples
    --------
    >>> d = pd.DataFrame({"x": [0, 0, 0, 1, 1, 1, 0, 1]})
    >>> fit = logit_fit(d, [0, 0, 1, 1, 1, 0, 0, 1])
    >>> [round(float(v), 4) for v in fit.coef]
    [-1.0986, 2.1972]
    """
    try:
        if isinstance(x, pd.DataFrame):
            names = tuple(x.columns)
            arr = x.to_numpy(float)
        else:  # an array: no frame built around it (the Monte Carlo fits many)
            arr = np.asarray(x, dtype=float)
            arr = arr[:, None] if arr.ndim == 1 else arr
            names = tuple(f"x{i}" for i in range(arr.shape[1]))
        X = np.column_stack([np.ones(arr.shape[0]), arr])
    except (TypeError, ValueError, IndexError):
        raise ValueError("x must be numeric (code categories as 0/1 columns)") from None
    if not np.isfinite(X).all():
        raise ValueError("x has missing or infinite values")
    yy = as_vector(y, "y", what="must be numeric 0/1")
    if yy.shape[0] != X.shape[0]:
        raise ValueError(f"y has {yy.shape[0]} values but x has {X.shape[0]} rows")
    if not ((yy == 0.0) | (yy == 1.0)).all():  # np.isin(yy, (0, 1)), without its sort
        raise ValueError("y must be 0/1")
    beta = np.zeros(X.shape[1])
    converged = False
    for _ in range(max_iter):
        p = special.expit(X @ beta)
        w = p * (1 - p)
        info = X.T @ (X * w[:, None])
        try:
            step = np.linalg.solve(info, X.T @ (yy - p))
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            converged = True
            break
    p = special.expit(X @ beta)
    info = X.T @ (X * (p * (1 - p))[:, None])
    try:
        se = np.sqrt(np.diag(np.linalg.inv(info)))
    except np.linalg.LinAlgError:
        se = np.full(beta.size, np.inf)
    return FittedLogit(
        ("(Intercept)", *names), beta, se, converged and bool(np.all(np.abs(beta) < 30))
    )


def logistic_table(
    df,
    outcome: str,
    covariates: Sequence[str],
    *,
    conf_level: float = 0.95,
    include_intercept: bool = False,
) -> pd.DataFrame:
    """Multivariable logistic regression: odds ratios with Wald CIs and p-values.

    Maximum likelihood by IRLS (statsmodels ``GLM``, binomial family, logit
    link -- what R's ``glm`` fits), Wald intervals ``exp(b +/- z se)`` (R's
    ``confint.default``; R's ``confint`` on a glm gives profile-likelihood
    intervals instead) and Wald z p-values (R's ``summary.glm``).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per patient.
    outcome : str
        0/1 outcome column.
    covariates : list of str
        Numeric covariate columns (code categories as 0/1 columns).
    conf_level : float, default 0.95
        Confidence level.
    include_intercept : bool, default False
        Add the intercept row (term ``"(Intercept)"``, its "or" is the odds at
        all covariates 0).

    Returns
    -------
    pandas.DataFrame
        Columns term, beta, se, z, or, lower, upper, p.

    Examples
    --------
    >>> d = pd.DataFrame({"y": [0, 0, 1, 1, 0, 1, 1, 0], "x": [1, 2, 3, 2.5, 1.5, 4, 1, 2.6]})
    >>> logistic_table(d, "y", ["x"])["term"].tolist()
    ['x']
    """
    level = _check_conf_level(conf_level)
    y, x = _design(df, outcome, covariates)
    fit = _fit_logit(y, x)
    beta, se = np.asarray(fit.params), np.asarray(fit.bse)
    z = beta / se
    q = special.ndtri(0.5 + level / 2)
    out = pd.DataFrame(
        {
            "term": ["(Intercept)", *x.columns],
            "beta": beta,
            "se": se,
            "z": z,
            "or": np.exp(beta),
            "lower": np.exp(beta - q * se),
            "upper": np.exp(beta + q * se),
            "p": 2 * special.ndtr(-np.abs(z)),
        }
    )
    if not include_intercept:
        out = out.iloc[1:].reset_index(drop=True)
    return out


def backward_stepwise_logit(
    df, outcome: str, candidates: Sequence[str], *, p_remove: float = 0.05
) -> StepwiseResult:
    """Backward elimination of a logistic regression by Wald p-value.

    Starts from all ``candidates``; while the largest Wald p-value exceeds
    ``p_remove``, removes that term and refits.  This is the "backward
    stepwise" of SPSS-style analyses (SPSS's "Backward: Wald" with removal
    at ``p_remove``), not R's ``step`` (which drops terms by AIC).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per patient.
    outcome : str
        0/1 outcome column.
    candidates : list of str
        Numeric covariate columns entering the first model.
    p_remove : float, default 0.05
        Removal threshold (a term stays when ``p <= p_remove``).

    Returns
    -------
    StepwiseResult

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"a": rng.normal(size=200), "noise": rng.normal(size=200)})
    >>> d["y"] = (rng.random(200) < 1 / (1 + np.exp(-2 * d["a"]))).astype(int)
    >>> backward_stepwise_logit(d, "y", ["a", "noise"]).selected
    ['a']
    """
    if isinstance(p_remove, bool) or not isinstance(p_remove, (int, float)) or not 0 < p_remove < 1:
        raise ValueError(f"p_remove must be a number strictly between 0 and 1, got {p_remove!r}")
    _design(df, outcome, candidates, "candidates")
    current = list(candidates)
    steps = []
    while current:
        tab = logistic_table(df, outcome, current)
        worst = int(tab["p"].to_numpy().argmax())
        p_worst = float(tab["p"].iloc[worst])
        if p_worst <= p_remove:
            break
        term = current.pop(worst)
        steps.append({"step": len(steps) + 1, "removed": term, "p": p_worst})
    table = (
        logistic_table(df, outcome, current)
        if current
        else pd.DataFrame(columns=["term", "beta", "se", "z", "or", "lower", "upper", "p"])
    )
    method = (
        f"backward elimination by Wald p-value: refit, drop the term with the largest p while "
        f"p > {p_remove:g} (SPSS 'Backward: Wald' style; not R step(), which uses AIC); statsmodels GLM"
    )
    return StepwiseResult(
        selected=current,
        steps=pd.DataFrame(steps, columns=["step", "removed", "p"]),
        table=table,
        variant=method,
    )


def vif_table(df, columns: Sequence[str]) -> pd.DataFrame:
    """Variance inflation factors of covariates (with an intercept in the design).

    ``VIF_j = 1 / (1 - R^2_j)``, ``R^2_j`` from the linear regression of
    column ``j`` on the other columns and an intercept (statsmodels
    ``variance_inflation_factor`` on the design with a constant; the VIF of
    the constant itself is not reported).

    Parameters
    ----------
    df : pandas.DataFrame
        Data.
    columns : list of str
        Numeric columns (at least 2).

    Returns
    -------
    pandas.DataFrame
        Columns term, vif.

    Examples
    --------
    >>> d = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [2.0, 1, 4, 3, 6], "c": [0.0, 1, 0, 1, 1]})
    >>> vif_table(d, ["a", "b", "c"])["term"].tolist()
    ['a', 'b', 'c']
    """
    from statsmodels.stats.outliers_influence import variance_inflation_factor
    import statsmodels.api as sm

    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    if isinstance(columns, str) or not isinstance(columns, Sequence) or len(columns) < 2:
        raise ValueError("columns must be a list of at least 2 column names")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in df: {missing}")
    x = df[list(columns)]
    for c in columns:
        if not pd.api.types.is_numeric_dtype(x[c]) and not pd.api.types.is_bool_dtype(x[c]):
            raise ValueError(f"column {c!r} must be numeric")
        if x[c].isna().any():
            raise ValueError(f"column {c!r} has missing values")
        if np.isinf(x[c].to_numpy(dtype=float)).any():
            raise ValueError(f"column {c!r} has infinite values")
        if x[c].nunique() < 2:
            raise ValueError(f"column {c!r} is constant")
    exog = sm.add_constant(x.astype(float), has_constant="add").to_numpy()
    with np.errstate(divide="ignore"):
        vifs = [float(variance_inflation_factor(exog, i + 1)) for i in range(len(columns))]
    return pd.DataFrame({"term": list(columns), "vif": vifs})


def _default_fit(x: np.ndarray, y: np.ndarray):
    import statsmodels.api as sm

    exog = sm.add_constant(x, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params = sm.GLM(y, exog, family=sm.families.Binomial()).fit().params

    def predict(xn: np.ndarray) -> np.ndarray:
        return (
            sm.add_constant(xn, has_constant="add") @ params
        )  # the linear predictor ranks as the risk

    return predict


def bootstrap_optimism(
    n: int,
    fit,
    score,
    *,
    n_boot: int,
    rng: np.random.Generator,
    index: str,
    variant: str,
    accept=None,
    progress: bool = False,
    desc: str = "bootstrap",
) -> OptimismResult:
    """Efron's optimism bootstrap of any discrimination index (the loop of ``rms::validate``).

    The model is fitted to all ``n`` patients and scored on them (the apparent index). Then,
    ``n_boot`` times, a bootstrap sample of row indices is drawn, the model refitted on it and
    scored twice: on the sample (``training``) and on all patients (``test``); the optimism
    is the mean of ``training - test``. :func:`bootstrap_optimism_auc`,
    :func:`hccrep.optimism.bootstrap_optimism_cox` and
    :func:`hccrep.optimism.bootstrap_optimism_logistic` are this loop with their own model.

    Parameters
    ----------
    n : int
        Patients; samples are arrays of row indices ``0..n-1``.
    fit : callable
        ``fit(idx) -> model``, or None when the model cannot be fitted to that sample
        (the sample is then dropped and counted in ``n_failed``).
    score : callable
        ``score(model, idx) -> float``, the index of ``model`` on the rows ``idx``; a
        ``ValueError`` on the sample itself drops it as a failed fit does.
    n_boot : int
        Bootstrap samples drawn (redrawn ones not counted).
    rng : numpy.random.Generator
        Source of the samples.
    index : str
        Name of the index (``"auc"``, ``"harrell_c"``).
    variant : str
        What was computed, in words.
    accept : callable, optional
        ``accept(idx) -> bool``; a sample it refuses is redrawn at once (instead of failing).
    progress : bool
        Show a progress bar (tqdm).
    desc : str
        The progress bar's label.

    Returns
    -------
    OptimismResult
        With the resamples that were used.

    Raises
    ------
    ValueError
        If the model cannot be fitted to all patients, or every sample failed.

    Examples
    --------
    >>> y = np.array([0, 0, 1, 0, 1, 1, 0, 1, 1, 0])
    >>> s = np.arange(10.0)
    >>> r = bootstrap_optimism(10, lambda idx: True, lambda m, idx: roc_auc(y[idx], s[idx]).auc,
    ...                        n_boot=5, rng=np.random.default_rng(0), index="auc", variant="demo",
    ...                        accept=lambda idx: 2 <= y[idx].sum() <= 8)
    >>> r.n_boot, r.n_failed, r.index
    (5, 0, 'auc')
    """
    full = np.arange(n)
    model = fit(full)
    if model is None:
        raise ValueError("the model could not be fitted to the full data")
    apparent = score(model, full)
    it = range(n_boot)
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc=desc, unit="resample")
    rows, failed = [], 0
    for _ in it:
        idx = rng.integers(0, n, n)
        while accept is not None and not accept(idx):
            idx = rng.integers(0, n, n)
        m = fit(idx)
        if m is None:
            failed += 1
            continue
        try:
            train = score(m, idx)
        except ValueError:  # e.g. a resample with one outcome class only
            failed += 1
            continue
        rows.append({"training": train, "test": score(m, full)})
    if not rows:
        raise ValueError(f"all {n_boot} bootstrap fits failed")
    res = pd.DataFrame(rows)
    res["optimism"] = res["training"] - res["test"]
    opt = float(res["optimism"].mean())
    se = float(res["optimism"].std(ddof=1) / np.sqrt(len(res))) if len(res) > 1 else math.nan
    return OptimismResult(
        index=index,
        apparent=float(apparent),
        optimism=opt,
        corrected=float(apparent - opt),
        n_boot=len(res),
        n_failed=failed,
        optimism_se=se,
        resamples=res,
        variant=variant,
    )


def bootstrap_optimism_auc(x, y, *, n_boot: int = 200, rng, fit=None) -> OptimismResult:
    """Optimism-corrected AUC of a model refitted in each bootstrap sample.

    For each of ``n_boot`` bootstrap samples (drawn with replacement, same
    size, redrawn while one outcome class is missing) the model is refitted;
    its AUC on the bootstrap sample minus its AUC on the original data
    estimates how much fitting and judging on the same patients flatters the
    model.  The mean of these differences is subtracted from the apparent AUC
    (Efron's optimism bootstrap, as in Harrell's ``rms::validate``).

    Parameters
    ----------
    x : array-like, shape (n, p)
        Predictors (numeric).
    y : array-like of 0/1
        Outcome.
    n_boot : int, default 200
        Number of bootstrap samples.
    rng : numpy.random.Generator
        Source of the bootstrap samples.
    fit : callable, optional
        ``fit(x, y) -> predict`` where ``predict(x_new)`` returns risk scores;
        default: unpenalised logistic regression (statsmodels GLM).

    Returns
    -------
    OptimismResult

    Examples
    --------
    >>> g = np.random.default_rng(0)
    >>> x = g.normal(size=(60, 8))  # pure noise: the apparent AUC flatters
    >>> y = (g.random(60) < 0.4).astype(int)
    >>> r = bootstrap_optimism_auc(x, y, n_boot=50, rng=np.random.default_rng(1))
    >>> bool(r.apparent > r.corrected)
    True
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    yy = _as_binary(y)
    try:
        xx = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("x must be numeric") from None
    if xx.ndim == 1:
        xx = xx[:, None]
    if xx.ndim != 2 or xx.shape[0] != yy.size:
        raise ValueError(f"x must have one row per value of y ({yy.size}), got shape {xx.shape}")
    if not np.isfinite(xx).all():
        raise ValueError("x contains NaN or infinite values")
    _need_both_classes(yy, 2)
    fit = _default_fit if fit is None else fit
    if not callable(fit):
        raise ValueError("fit must be a callable fit(x, y) -> predict")
    return bootstrap_optimism(
        yy.size,
        lambda idx: fit(xx[idx], yy[idx]),
        lambda predict, idx: roc_auc(yy[idx], predict(xx[idx])).auc,
        n_boot=int(n_boot),
        rng=rng,
        index="auc",
        accept=lambda idx: 2 <= yy[idx].sum() <= yy.size - 2,
        variant=(
            "Efron optimism bootstrap of the AUC (refit in each sample; "
            "as rms::validate for Dxy = 2 AUC - 1)"
        ),
    )


def forest_importance(
    x_fit: pd.DataFrame,
    y_fit,
    x_eval: pd.DataFrame,
    y_eval,
    *,
    seed: int,
    n_estimators: int = 150,
    n_repeats: int = 5,
    add_noise: bool = True,
) -> pd.DataFrame:
    """Random-forest importance of each column for a binary outcome: impurity against permutation.

    A :class:`sklearn.ensemble.RandomForestClassifier` (``n_estimators`` trees, every other
    hyper-parameter at its scikit-learn default, one job) is fitted on ``x_fit``.  *Impurity*
    importance is the mean decrease in Gini impurity on the fitting data
    (``feature_importances_``, summing to 1); *permutation* importance is the mean drop in AUC
    on ``x_eval`` when one column is shuffled (:func:`sklearn.inspection.permutation_importance`).
    With ``add_noise`` a pure-noise continuous column ``noise`` is added to both frames: impurity
    importance rewards it for its many split points, permutation importance does not.

    Parameters
    ----------
    x_fit, x_eval : DataFrame
        Numeric features of the fitting and the evaluation data (same columns).
    y_fit, y_eval : array-like of 0/1
        The outcome of each.
    seed : int
        Seed of the forest, the noise column and the permutations.
    n_estimators : int
        Trees.
    n_repeats : int
        Permutations per feature.
    add_noise : bool
        Add the pure-noise column ``noise``.

    Returns
    -------
    DataFrame
        Index feature; columns ``impurity``, ``permutation``, ``permutation_sd`` and the ranks
        ``rank_impurity``, ``rank_permutation``; sorted by impurity, largest first.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    >>> y = (x["a"] + 0.3 * rng.normal(size=300) > 0).astype(int)
    >>> imp = forest_importance(x[:200], y[:200], x[200:], y[200:], seed=1, n_estimators=20)
    >>> imp["permutation"].idxmax()
    'a'
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.inspection import permutation_importance

    x_fit, x_eval = x_fit.copy(), x_eval.copy()
    y_fit = np.asarray(y_fit).astype(int)
    y_eval = np.asarray(y_eval).astype(int)
    if list(x_fit.columns) != list(x_eval.columns):
        raise ValueError("x_fit and x_eval must have the same columns")
    rng = np.random.default_rng(seed)
    if add_noise:
        noise = rng.normal(size=len(x_fit) + len(x_eval))
        x_fit["noise"], x_eval["noise"] = noise[: len(x_fit)], noise[len(x_fit) :]
    rf = RandomForestClassifier(n_estimators=n_estimators, random_state=seed, n_jobs=1)
    rf.fit(x_fit, y_fit)
    perm = permutation_importance(
        rf, x_eval, y_eval, scoring="roc_auc", n_repeats=n_repeats, random_state=seed, n_jobs=1
    )
    out = pd.DataFrame(
        {
            "impurity": rf.feature_importances_,
            "permutation": perm.importances_mean,
            "permutation_sd": perm.importances_std,
        },
        index=pd.Index(list(x_fit.columns), name="feature"),
    )
    out["rank_impurity"] = out["impurity"].rank(ascending=False).astype(int)
    out["rank_permutation"] = out["permutation"].rank(ascending=False, method="min").astype(int)
    return out.sort_values("impurity", ascending=False)

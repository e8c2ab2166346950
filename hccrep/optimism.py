"""Optimism of a prognostic model's discrimination: how much better it looks on its own data.

Two ways of measuring it live here. Harrell's bootstrap correction
(:func:`bootstrap_optimism_cox`, :func:`bootstrap_optimism_logistic`, below), and
simulated split-sample studies (:func:`split_sample_gap`, :func:`gap_check`, drawing from
:func:`hccrep.simulate.prognostic.simulate_prognostic_cohort`): what gap between training
and validation C a study of a given size and number of predictors shows by chance, against
the gaps a review reports (:func:`train_validation_table`, :func:`train_validation_plot`).
:func:`compare_validation_methods` puts apparent, bootstrap-corrected, split-sample and
true C side by side on one simulated cohort. (Checking data files, ``hccrep validate``, is
:func:`hccrep.cli.validate`, not this module.)

Harrell's bootstrap optimism correction
---------------------------------------

A prognostic model scored on the patients it was fitted to looks better than
it will on new patients: its coefficients have adapted to the noise of that
sample.  Harrell's bootstrap (Harrell, Lee & Mark 1996; Efron 1983) estimates
that *optimism* without a separate validation cohort:

1. fit the model to the data, score it on the same data: the **apparent** index;
2. for b = 1..B, draw a bootstrap sample (n patients with replacement), refit
   the model on it *with the same specification*, and score that refitted
   model twice: on the bootstrap sample (``training``) and on the original
   data (``test``); ``optimism_b = training_b - test_b``;
3. **corrected** = apparent - mean(optimism_b).

This is R ``rms::validate(fit, method = "boot", B = B)``.  Two indices:

- Cox model: Harrell's C (:func:`harrell_c`) of the linear predictor, Efron
  ties for the fit (R ``cph`` default);
- logistic model: the AUC (C statistic, :func:`auc`) of the linear predictor.

Both are also given as Somers' Dxy = 2 (C - 0.5), the scale ``validate`` prints.
Variable *selection* is not repeated inside the bootstrap here (the
specification is fixed); when a model was built by selection, the selection
must be repeated in every resample or the optimism is underestimated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from hccrep.simulate.prognostic import simulate_prognostic_cohort
from hccrep.stats.fastcox import cox_fit
from hccrep.stats.prediction import OptimismResult, bootstrap_optimism, logit_fit
from hccrep.stats.survival import _as_time_event

__all__ = [
    "HARRELL_C_METHOD",
    "AUC_METHOD",
    "OptimismResult",
    "harrell_c",
    "auc",
    "bootstrap_optimism_cox",
    "bootstrap_optimism_logistic",
    "concordance_for_sd",
    "lp_sd_for_index",
    "count_predictors",
    "split_sample_gap",
    "train_validation_table",
    "train_validation_plot",
    "gap_check",
    "compare_validation_methods",
]

HARRELL_C_METHOD = (
    "Harrell's C: pairs usable when the shorter time is an event (a tie in time counts when only one of the two "
    "is an event, which then is the shorter); higher risk score = shorter survival; ties in the score count 1/2 "
    "(as Hmisc rcorr.cens and sksurv concordance_index_censored; not Uno's IPCW C)"
)
AUC_METHOD = (
    "AUC (C statistic, Mann-Whitney): ties in the score count 1/2 (as Hmisc somers2 / pROC)"
)


# ----------------------------------------------------------------------------- indices


def _vector(x, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric") from None
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty one-dimensional array")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains missing or infinite values")
    return a


def _counts_c(
    t: np.ndarray, e: np.ndarray, risk: np.ndarray, tied_tol: float = 0.0
) -> tuple[float, float]:
    """(concordant + ties/2, usable pairs) of Harrell's C."""
    shorter = (t[:, None] < t[None, :]) | ((t[:, None] == t[None, :]) & (e[None, :] == 0))
    usable = shorter & (e[:, None] == 1)  # i had the event first
    if tied_tol == 0.0:
        tied = risk[:, None] == risk[None, :]
    else:
        tied = np.abs(risk[None, :] - risk[:, None]) <= tied_tol
    conc = (risk[:, None] > risk[None, :]) & ~tied & usable
    tied &= usable
    # integer counts: the sum is exact, so any order of adding the pairs gives the same float
    return float(conc.sum() + 0.5 * tied.sum()), float(usable.sum())


def harrell_c(time, event, risk, *, tied_tol: float = 0.0) -> float:
    """Harrell's concordance index of a risk score for right-censored survival.

    Parameters
    ----------
    time, event : array_like
        Follow-up (finite, non-negative) and 0/1 event indicator, validated
        as :func:`hccrep.stats.survival.cox` validates them.
    risk : array_like
        Higher = worse prognosis (e.g. a Cox linear predictor).
    tied_tol : float, default 0.0
        Two risks are tied when they differ by at most this much (0: only equal
        risks). ``1e-8`` is the tolerance of scikit-survival's
        ``concordance_index_censored``, which then gives the same float.

    Returns
    -------
    float
        The share of usable pairs ordered correctly (see ``HARRELL_C_METHOD``).

    Raises
    ------
    ValueError
        For negative, missing or infinite times, events other than 0/1,
        lengths that differ, or no usable pair.

    Examples
    --------
    >>> harrell_c([1, 2, 3, 4], [1, 1, 0, 1], [4, 3, 2, 1])
    1.0
    >>> harrell_c([1, 2, 3], [1, 1, 0], [2.0, 2.0 - 1e-9, 1.0], tied_tol=1e-8)  # one tied pair
    0.8333333333333334
    """
    t, e = _as_time_event(time, event)  # the checks of hccrep.stats.survival.cox
    r = _vector(risk, "risk")
    if r.size != t.size:
        raise ValueError(f"time, event and risk lengths differ ({t.size}, {e.size}, {r.size})")
    if not (isinstance(tied_tol, (int, float)) and math.isfinite(tied_tol) and tied_tol >= 0):
        raise ValueError(f"tied_tol must be a finite number >= 0, got {tied_tol!r}")
    num, den = _counts_c(t, e, r, float(tied_tol))
    if den == 0:
        raise ValueError("event: no usable pairs (no events before a later time); C is undefined")
    return num / den


def auc(y, score) -> float:
    """Area under the ROC curve (C statistic) with ties counted 1/2.

    Parameters
    ----------
    y : array_like
        The 0/1 outcome; both classes must be present.
    score : array_like
        Risk scores, higher meaning ``y = 1`` more likely.

    Returns
    -------
    float
        The AUC, from the Mann-Whitney rank sum with mid-ranks.

    Examples
    --------
    >>> auc([0, 0, 1, 1], [1, 4, 3, 8])
    0.75
    """
    yy, s = _vector(y, "y"), _vector(score, "score")
    if yy.size != s.size:
        raise ValueError(f"y and score lengths differ ({yy.size} vs {s.size})")
    if not np.isin(yy, (0.0, 1.0)).all():
        raise ValueError("y must be coded 0/1")
    n1 = int(yy.sum())
    n0 = yy.size - n1
    if n1 == 0 or n0 == 0:
        raise ValueError("y must contain both outcomes (0 and 1)")
    ranks = stats.rankdata(s)
    return float((ranks[yy == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


# ----------------------------------------------------------------------------- logistic fit


# ----------------------------------------------------------------------------- the bootstrap


def _check_frame(df, columns: Sequence[str], names: Sequence[str]) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ValueError("df must be a pandas DataFrame")
    for col, name in zip(columns, names):
        if col not in df.columns:
            raise ValueError(f"{name}: column {col!r} not in df")
    sub = df[list(columns)]
    if sub.isna().any().any():
        bad = sub.columns[sub.isna().any()].tolist()
        raise ValueError(f"df has missing values in {bad}")
    return sub


def _check_boot(n_boot, seed) -> np.random.Generator:
    if not isinstance(n_boot, (int, np.integer)) or isinstance(n_boot, bool) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    if seed is None:
        raise ValueError(
            "seed must be given (an int, SeedSequence or Generator) so that results are reproducible"
        )
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def _covariates(covariates) -> list[str]:
    if isinstance(covariates, str) or not isinstance(covariates, Sequence) or len(covariates) == 0:
        raise ValueError("covariates must be a non-empty list of column names")
    return list(covariates)


def bootstrap_optimism_cox(
    df: pd.DataFrame,
    duration: str,
    event: str,
    covariates: Sequence[str],
    *,
    n_boot: int = 200,
    seed: int | np.random.SeedSequence | np.random.Generator | None = 0,
    ties: str = "efron",
    progress: bool = False,
) -> OptimismResult:
    """Harrell's bootstrap optimism of a Cox model's C-index (R ``validate(cph(...), B = n_boot)``).

    Parameters
    ----------
    df : DataFrame
        One row per patient; numeric covariates (dummy-code factors first).
    duration, event : str
        Columns of follow-up time and 0/1 event.
    covariates : list of str
        The fixed model specification, refitted in every resample.
    n_boot : int
        Bootstrap resamples B.
    seed : int, SeedSequence or Generator
        Same seed, same resamples, same result.
    ties : {"efron", "breslow"}
        Tie handling of the partial likelihood (``efron`` = R ``cph``/``coxph`` default).
    progress : bool
        Show a progress bar (tqdm).

    Returns
    -------
    OptimismResult
        ``index="harrell_c"``; resamples whose fit fails (singular or
        non-finite) are dropped and counted in ``n_failed``, as rms does.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
    >>> d["time"] = rng.exponential(np.exp(-0.7 * d["a"]))
    >>> d["event"] = 1
    >>> r = bootstrap_optimism_cox(d, "time", "event", ["a", "b", "c"], n_boot=20, seed=1)
    >>> r.index, r.n_boot, bool(0.5 < r.apparent < 1)
    ('harrell_c', 20, True)
    """
    cov = _covariates(covariates)
    sub = _check_frame(
        df, [duration, event, *cov], ["duration", "event", *["covariates"] * len(cov)]
    )
    t = _vector(sub[duration], "duration")
    e = _vector(sub[event], "event")
    if not np.isin(e, (0.0, 1.0)).all():
        raise ValueError("event must be coded 0/1")
    if (t < 0).any():
        raise ValueError("duration contains negative values")
    if ties not in ("efron", "breslow"):
        raise ValueError(f"unknown ties {ties!r}; expected 'efron' or 'breslow'")
    x = sub[cov].to_numpy(dtype=float)
    rng = _check_boot(n_boot, seed)

    def fit(idx):
        if e[idx].sum() == 0:
            return None
        try:
            coef, se, _ = cox_fit(t[idx], e[idx], x[idx], ties=ties)
        except ValueError:
            return None
        if not (np.isfinite(coef).all() and np.isfinite(se).all()):
            return None
        return coef

    def score(coef, idx):
        return harrell_c(t[idx], e[idx], x[idx] @ coef)

    return bootstrap_optimism(
        len(t),
        fit,
        score,
        n_boot=int(n_boot),
        rng=rng,
        index="harrell_c",
        progress=progress,
        desc="bootstrap Cox",
        variant=(
            f"Harrell's optimism bootstrap (Efron 1983; rms validate method='boot'), B = {n_boot}; Cox model "
            f"({ties} ties) refitted in each resample with covariates {cov}; index: {HARRELL_C_METHOD}"
        ),
    )


def bootstrap_optimism_logistic(
    df: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    *,
    n_boot: int = 200,
    seed: int | np.random.SeedSequence | np.random.Generator | None = 0,
    progress: bool = False,
) -> OptimismResult:
    """Harrell's bootstrap optimism of a logistic model's AUC (R ``validate(lrm(...), B = n_boot)``).

    Parameters are as :func:`bootstrap_optimism_cox`, with ``outcome`` a 0/1
    column.  Resamples with one outcome class only, or whose maximum-likelihood
    fit does not converge (separation), are dropped and counted in ``n_failed``.

    Parameters
    ----------
    df : DataFrame
        One row per patient; numeric covariates (dummy-code factors first).
    outcome : str
        The 0/1 outcome column.
    covariates : list of str
        The fixed model specification, refitted in every resample.
    n_boot : int
        Bootstrap resamples B.
    seed : int, SeedSequence or Generator
        Same seed, same resamples, same result.
    progress : bool
        Show a progress bar (tqdm).

    Returns
    -------
    OptimismResult
        ``index="auc"``; failed resamples counted in ``n_failed``.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame(rng.normal(size=(100, 4)), columns=list("abcd"))
    >>> d["y"] = (rng.random(100) < 1 / (1 + np.exp(-d["a"]))).astype(int)
    >>> r = bootstrap_optimism_logistic(d, "y", list("abcd"), n_boot=20, seed=2)
    >>> r.index, r.corrected < r.apparent
    ('auc', True)
    """
    cov = _covariates(covariates)
    sub = _check_frame(df, [outcome, *cov], ["outcome", *["covariates"] * len(cov)])
    y = _vector(sub[outcome], "outcome")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("outcome must be coded 0/1")
    if y.min() == y.max():
        raise ValueError("outcome must contain both 0 and 1")
    x = sub[cov].to_numpy(dtype=float)
    rng = _check_boot(n_boot, seed)

    def fit(idx):
        if y[idx].min() == y[idx].max():
            return None
        res = logit_fit(x[idx], y[idx])
        return res.coef if res.converged else None

    def score(beta, idx):
        return auc(y[idx], beta[0] + x[idx] @ beta[1:])

    return bootstrap_optimism(
        len(y),
        fit,
        score,
        n_boot=int(n_boot),
        rng=rng,
        index="auc",
        progress=progress,
        desc="bootstrap logistic",
        variant=(
            f"Harrell's optimism bootstrap (Efron 1983; rms validate method='boot'), B = {n_boot}; logistic model "
            f"(maximum likelihood, Newton-Raphson) refitted in each resample with covariates {cov}; index: {AUC_METHOD}"
        ),
    )


# ----------------------------------------------------------------------------- simulated development studies


INDICES = ("harrell_c", "auc")


def concordance_for_sd(sd: float, index: str = "harrell_c", *, prevalence: float = 0.5) -> float:
    """True discrimination of a linear predictor ``lp ~ N(0, sd^2)``.

    - ``"harrell_c"``: survival with hazard ``exp(lp)`` and no censoring; a pair
      is ordered correctly with probability ``expit(lp_i - lp_j)``, so
      C = 2 E[expit(D) 1(D > 0)], D ~ N(0, 2 sd^2) (numerical quadrature);
    - ``"auc"``: a 0/1 outcome with ``logit P = logit(prevalence) + lp``; the
      AUC is P(lp of a case > lp of a control), by quadrature over the two
      conditional densities.

    Parameters
    ----------
    sd : float
        Standard deviation of the linear predictor (non-negative).
    index : {"harrell_c", "auc"}
        Survival C or binary AUC.
    prevalence : float
        Share of cases at ``lp = 0`` (``auc`` only).

    Returns
    -------
    float
        The true C (or AUC) in the population, in [0.5, 1).

    Examples
    --------
    >>> round(concordance_for_sd(0.0), 6)
    0.5
    >>> concordance_for_sd(1.0) > concordance_for_sd(0.5)
    True
    """
    from scipy import integrate

    if index not in INDICES:
        raise ValueError(
            f"unknown index {index!r}; expected one of {', '.join(map(repr, INDICES))}"
        )
    if not (np.isfinite(sd) and sd >= 0):
        raise ValueError(f"sd must be a finite non-negative number, got {sd!r}")
    if not 0 < prevalence < 1:
        raise ValueError(f"prevalence must be in (0, 1), got {prevalence!r}")
    if sd == 0:
        return 0.5
    if index == "harrell_c":
        s = np.sqrt(2) * sd
        val, _ = integrate.quad(lambda d: special.expit(d) * stats.norm.pdf(d, scale=s), 0, np.inf)
        return float(2 * val)
    a = np.log(prevalence / (1 - prevalence))
    grid = np.linspace(-8 * sd, 8 * sd, 4001)
    dens = stats.norm.pdf(grid, scale=sd)
    f1 = dens * special.expit(a + grid)
    f0 = dens * special.expit(-(a + grid))
    f1, f0 = f1 / f1.sum(), f0 / f0.sum()
    cdf0 = np.cumsum(f0) - f0 / 2  # P(control < x) with half the mass at x
    return float(np.sum(f1 * cdf0))


def lp_sd_for_index(target: float, index: str = "harrell_c", *, prevalence: float = 0.5) -> float:
    """Standard deviation of the linear predictor whose true C (or AUC) equals ``target``.

    Inverts :func:`concordance_for_sd` (Brent's method).

    Parameters
    ----------
    target : float
        The true C (or AUC) wanted, in (0.5, 1).
    index : {"harrell_c", "auc"}
        Survival C or binary AUC.
    prevalence : float
        Share of cases at ``lp = 0`` (``auc`` only).

    Returns
    -------
    float
        The standard deviation of the linear predictor.

    Examples
    --------
    >>> sd = lp_sd_for_index(0.7)
    >>> round(concordance_for_sd(sd), 8)
    0.7
    """
    from scipy.optimize import brentq

    if not (isinstance(target, (int, float, np.floating)) and 0.5 < target < 0.99):
        raise ValueError(f"target must be in (0.5, 0.99), got {target!r}")
    return float(
        brentq(
            lambda s: concordance_for_sd(s, index, prevalence=prevalence) - target,
            1e-6,
            20,
            xtol=1e-12,
        )
    )


def count_predictors(parameters: str) -> int:
    """Number of predictors in a printed list such as ``"tumor size, AFP and EM"``.

    Splits on commas and the word "and"; hyphenated line breaks are not split.

    Parameters
    ----------
    parameters : str
        The list of predictors as printed.

    Returns
    -------
    int
        The number of items in the list.

    Examples
    --------
    >>> count_predictors("tumor size, tumor number, AFP and ALBI grade")
    4
    """
    import re

    if not isinstance(parameters, str) or not parameters.strip():
        raise ValueError("parameters must be a non-empty string")
    parts = [p.strip() for p in re.split(r",|\band\b", parameters) if p.strip()]
    return len(parts)


def _fit_and_score(
    train: pd.DataFrame, test: pd.DataFrame, xs: list[str], outcome: str
) -> tuple[float, float] | None:
    if outcome == "survival":
        if train["event"].sum() == 0:
            return None
        try:
            coef, se, _ = cox_fit(train["time"], train["event"], train[xs].to_numpy(), ties="efron")
        except ValueError:
            return None
        if not np.isfinite(coef).all():
            return None
        return (
            harrell_c(train["time"], train["event"], train[xs].to_numpy() @ coef),
            harrell_c(test["time"], test["event"], test[xs].to_numpy() @ coef),
        )
    y_tr, y_te = train["y"].to_numpy(), test["y"].to_numpy()
    if y_tr.min() == y_tr.max() or y_te.min() == y_te.max():
        return None
    res = logit_fit(train[xs].to_numpy(), y_tr)
    if not res.converged:
        return None
    beta = res.coef
    return (auc(y_tr, train[xs].to_numpy() @ beta[1:]), auc(y_te, test[xs].to_numpy() @ beta[1:]))


def split_sample_gap(
    n: int,
    n_predictors: int,
    target: float,
    *,
    index: str = "harrell_c",
    split: float = 0.7,
    n_cohorts: int = 100,
    seed: int | Sequence[int] | np.random.SeedSequence | None = 0,
    censored: float = 0.3,
    prevalence: float = 0.5,
) -> pd.DataFrame:
    """Training vs validation index of a model developed on a random split, over many cohorts.

    Each cohort of ``n`` patients comes from one true model whose true C (or
    AUC) is ``target`` (:func:`lp_sd_for_index`); it is split at random into
    ``round(split * n)`` training and the rest validation patients; a Cox (or
    logistic) model with all ``n_predictors`` is fitted on the training part and
    scored on both.  No variable selection is repeated, so the optimism shown is
    the smallest a real study (which selects predictors) would have.

    Parameters
    ----------
    n : int
        Patients per cohort.
    n_predictors : int
        Predictors in the true and in the fitted model.
    target : float
        True C (or AUC) of the population.
    index : {"harrell_c", "auc"}
        Cox model and Harrell's C, or logistic model and AUC.
    split : float
        Share of the patients in the training part.
    n_cohorts : int
        Cohorts simulated.
    seed : int, sequence of int or SeedSequence, optional
        Same seed, same cohorts.
    censored : float
        Share censored (survival only).
    prevalence : float
        Share of cases at ``lp = 0`` (binary only).

    Returns
    -------
    DataFrame
        One row per cohort: ``training``, ``validation``, ``gap`` (validation -
        training); cohorts whose fit fails are dropped (count in ``attrs["n_failed"]``).

    Examples
    --------
    >>> g = split_sample_gap(120, 3, 0.7, n_cohorts=5, seed=1)
    >>> list(g.columns)
    ['training', 'validation', 'gap']
    """
    if index not in INDICES:
        raise ValueError(
            f"unknown index {index!r}; expected one of {', '.join(map(repr, INDICES))}"
        )
    if not 0 < split < 1:
        raise ValueError(f"split must be in (0, 1), got {split!r}")
    if not isinstance(n_cohorts, (int, np.integer)) or isinstance(n_cohorts, bool) or n_cohorts < 1:
        raise ValueError(f"n_cohorts must be a positive integer, got {n_cohorts!r}")
    if seed is None:
        raise ValueError(
            "seed must be given (an int, a list of ints or a SeedSequence) for reproducible results"
        )
    outcome = "survival" if index == "harrell_c" else "binary"
    sd = lp_sd_for_index(target, index, prevalence=prevalence)
    rng = np.random.default_rng(seed)
    n_train = int(round(split * n))
    if n_train < 10 or n - n_train < 10:
        raise ValueError(f"split {split} of n = {n} leaves fewer than 10 patients in a part")
    xs = [f"x{i}" for i in range(1, n_predictors + 1)]
    rows, failed = [], 0
    for _ in range(int(n_cohorts)):
        d = simulate_prognostic_cohort(
            n, n_predictors, sd, rng, outcome=outcome, censored=censored, prevalence=prevalence
        )
        perm = rng.permutation(n)
        res = _fit_and_score(d.iloc[perm[:n_train]], d.iloc[perm[n_train:]], xs, outcome)
        if res is None:
            failed += 1
            continue
        rows.append({"training": res[0], "validation": res[1]})
    out = pd.DataFrame(rows, columns=["training", "validation"])
    out["gap"] = out["validation"] - out["training"]
    out.attrs["n_failed"] = failed
    return out


def train_validation_table(numbers) -> pd.DataFrame:
    """Training and validation values side by side, from reported numbers.

    Parameters
    ----------
    numbers : iterable of ReportedNumber
        Numbers with ``quantity`` ``c_index`` or ``auc`` and ``about.model`` and
        ``about.cohort`` (``"training"``, ``"validation"``, ...); numbers printed as a
        bound (``> 0.7``) are left out.

    Returns
    -------
    DataFrame
        Columns ``model, metric, training, validation, gap`` (validation -
        training), one row per model and metric with both values.

    Examples
    --------
    >>> from types import SimpleNamespace as N
    >>> from hccrep.about import About
    >>> nums = [N(quantity="auc", value=v, bound=None, about=About(model="m", cohort=c))
    ...         for v, c in ((0.8, "training"), (0.75, "validation"))]
    >>> round(float(train_validation_table(nums)["gap"].iloc[0]), 2)
    -0.05
    """
    rows = []
    for num in numbers:
        if num.quantity not in ("c_index", "auc") or num.bound is not None:
            continue
        about = num.about
        if about.model is None or about.cohort is None:
            raise ValueError(f"numbers: a {num.quantity} number lacks about.model or about.cohort")
        rows.append(
            {
                "model": about.model,
                "metric": num.quantity,
                "cohort": about.cohort,
                "value": num.value,
            }
        )
    if not rows:
        raise ValueError("numbers: no c_index or auc values")
    long = pd.DataFrame(rows)
    wide = long.pivot_table(
        index=["model", "metric"], columns="cohort", values="value", aggfunc="first", sort=False
    )
    if "training" not in wide.columns or "validation" not in wide.columns:
        raise ValueError("numbers: need both training and validation values")
    wide = wide[["training", "validation"]].dropna().reset_index()
    wide.columns.name = None
    wide["gap"] = wide["validation"] - wide["training"]
    return wide


def train_validation_plot(table: pd.DataFrame, *, title: str | None = None):
    """Training and validation value of each model joined by a line, one panel per metric.

    Parameters
    ----------
    table : DataFrame
        From :func:`train_validation_table` (columns model, metric, training, validation).

    Returns
    -------
    matplotlib.figure.Figure
        With alt text (read it with :func:`hccrep.plots.alt_text`).

    Examples
    --------
    >>> t = pd.DataFrame({"model": ["a", "b"], "metric": ["auc", "auc"], "training": [0.8, 0.7],
    ...                   "validation": [0.75, 0.7]})
    >>> from hccrep.plots import alt_text
    >>> alt_text(train_validation_plot(t)).startswith("Training")
    True
    """
    from hccrep.plots import FIGURE_WIDTH, PALETTE, set_alt_text, themed

    if not isinstance(table, pd.DataFrame):
        raise ValueError("table must be a pandas DataFrame")
    missing = {"model", "metric", "training", "validation"} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks columns {sorted(missing)}")
    if table.empty:
        raise ValueError("table is empty")

    @themed
    def draw():
        import matplotlib.pyplot as plt

        metrics = list(dict.fromkeys(table["metric"]))
        models = list(dict.fromkeys(table["model"]))
        colour = {
            m: PALETTE[i % len(PALETTE)] for i, m in enumerate(models)
        }  # one colour per model
        # one metric under the other, at the width of the book's text column
        fig, axes = plt.subplots(
            len(metrics),
            1,
            figsize=(FIGURE_WIDTH, 3.2 * len(metrics) + 0.5),
            layout="constrained",
            squeeze=False,
        )
        alt = [f"Training and validation discrimination of {len(models)} published models."]
        for ax, metric in zip(axes[:, 0], metrics):
            sub = table[table["metric"] == metric]
            for r in sub.itertuples():
                ax.plot(
                    [0, 1],
                    [r.training, r.validation],
                    marker="o",
                    color=colour[r.model],
                    label=str(r.model),
                )
            ax.set_xticks([0, 1], ["training", "validation"])
            ax.set_xlim(-0.5, 1.5)
            ax.set_title({"c_index": "C-index", "auc": "AUC"}.get(metric, metric))
            lower = int((sub["validation"] < sub["training"]).sum())
            alt.append(
                f"{ax.get_title()}: {len(sub)} models; validation lower than training in {lower}, "
                f"higher or equal in {len(sub) - lower}; "
                + "; ".join(
                    f"{r.model} {r.training:.3f} to {r.validation:.3f}" for r in sub.itertuples()
                )
                + "."
            )
        handles = [plt.Line2D([], [], color=colour[m], marker="o", label=str(m)) for m in models]
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
        if title:
            fig.suptitle(title)
        set_alt_text(fig, " ".join(alt))
        return fig

    return draw()


def gap_check(
    table: pd.DataFrame,
    sizes: dict,
    n_predictors: dict,
    *,
    split: float = 0.7,
    n_cohorts: int = 100,
    seed: int = 0,
    level: float = 0.95,
    censored: float = 0.3,
    prevalence: float = 0.5,
) -> pd.DataFrame:
    """Reported validation-minus-training gap against the gap of simulated split-sample studies.

    For each row of ``table`` (from :func:`train_validation_table`) the model's
    study is simulated ``n_cohorts`` times with :func:`split_sample_gap`: ``n =
    sizes[model]`` patients, ``n_predictors[model]`` predictors, and a true C (or
    AUC) equal to the reported **training** value (an input).  The reported gap
    is a check: ``plausible`` when inside the ``level`` Monte Carlo interval of
    the simulated gaps, ``not reproduced`` otherwise.

    Parameters
    ----------
    table : DataFrame
        :func:`train_validation_table` of the reported numbers.
    sizes : dict
        Model -> patients of its study.
    n_predictors : dict
        Model -> predictors in it.
    split : float
        Share of the patients in the training part.
    n_cohorts : int
        Simulated studies per model.
    seed : int
        Same seed, same cohorts.
    level : float
        Level of the Monte Carlo interval.
    censored : float
        Share censored (survival models).
    prevalence : float
        Share of cases (binary models).

    Returns
    -------
    DataFrame
        ``table``'s columns plus ``n``, ``n_predictors``, ``sim_mean_gap``,
        ``mc_low``, ``mc_high``, ``share_sim_gap_at_least_reported`` and ``verdict``.

    Examples
    --------
    >>> t = pd.DataFrame({"model": ["m"], "metric": ["c_index"], "training": [0.7], "validation": [0.6],
    ...                   "gap": [-0.1]})
    >>> gap_check(t, {"m": 150}, {"m": 3}, n_cohorts=5, seed=1)["verdict"].iloc[0] in ("plausible", "not reproduced")
    True
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    need = {"model", "metric", "training", "gap"}
    if not isinstance(table, pd.DataFrame) or need - set(table.columns):
        raise ValueError(f"table must be a DataFrame with columns {sorted(need)}")
    rows = []
    a = (1 - level) / 2
    for i, r in enumerate(table.itertuples(index=False)):
        if r.model not in sizes or r.model not in n_predictors:
            raise ValueError(f"sizes and n_predictors must name model {r.model!r}")
        index = {"c_index": "harrell_c", "auc": "auc"}.get(r.metric)
        if index is None:
            raise ValueError(f"table: unknown metric {r.metric!r}")
        g = split_sample_gap(
            int(sizes[r.model]),
            int(n_predictors[r.model]),
            float(r.training),
            index=index,
            split=split,
            n_cohorts=n_cohorts,
            seed=[seed, i],
            censored=censored,
            prevalence=prevalence,
        )
        lo, hi = np.quantile(g["gap"], [a, 1 - a])
        rows.append(
            {
                **r._asdict(),
                "n": int(sizes[r.model]),
                "n_predictors": int(n_predictors[r.model]),
                "sim_mean_gap": float(g["gap"].mean()),
                "mc_low": float(lo),
                "mc_high": float(hi),
                "share_sim_gap_at_least_reported": float((g["gap"] >= r.gap).mean()),
                "verdict": "plausible" if lo <= r.gap <= hi else "not reproduced",
            }
        )
    return pd.DataFrame(rows)


def compare_validation_methods(
    cohort: pd.DataFrame,
    covariates: Sequence[str],
    lp_sd: float,
    n_true: int,
    rng: np.random.Generator,
    *,
    n_boot: int = 200,
    split: float = 0.7,
    n_new: int = 2000,
    censored: float = 0.3,
) -> pd.Series:
    """Apparent, bootstrap-corrected, split-sample and true C of a Cox model on one simulated cohort.

    ``cohort`` comes from :func:`hccrep.simulate.prognostic.simulate_prognostic_cohort`
    (columns ``x1..x{n_true}``,
    ``lp``, ``time``, ``event``), possibly with extra useless columns listed in
    ``covariates``.  Returned values:

    - ``true lp, same patients``: C of the true linear predictor on these
      patients -- what a perfectly estimated model would score here;
    - ``apparent``: the model fitted to all patients, scored on them;
    - ``bootstrap optimism`` and ``bootstrap-corrected`` (:func:`bootstrap_optimism_cox`);
    - ``split-sample validation``: fitted on a random ``split`` share, scored on the rest;
    - ``new patients (truth)``: the all-patient model scored on ``n_new`` new patients
      from the same population (same ``censored`` setting as the cohort's simulation;
      extra columns drawn as independent noise).

    Parameters
    ----------
    cohort : DataFrame
        From :func:`hccrep.simulate.prognostic.simulate_prognostic_cohort` (survival), possibly with extra noise columns.
    covariates : list of str
        The model's covariates (true predictors and noise).
    lp_sd : float
        Standard deviation of the true linear predictor the cohort was drawn with.
    n_true : int
        Number of true predictors ``x1..x{n_true}``.
    rng : numpy.random.Generator
        Source of the bootstrap, the split and the new patients.
    n_boot : int
        Bootstrap resamples.
    split : float
        Share of the patients in the training part of the split.
    n_new : int
        New patients drawn for the true performance.
    censored : float
        Censoring setting of the cohort's simulation.

    Returns
    -------
    Series
        The six C values named above.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = simulate_prognostic_cohort(120, 2, 0.8, rng)
    >>> out = compare_validation_methods(d, ["x1", "x2"], 0.8, 2, rng, n_boot=10, n_new=300)
    >>> list(out.index)[:2]
    ['true lp, same patients', 'apparent']
    """
    cov = _covariates(covariates)
    true_cols = [f"x{i}" for i in range(1, n_true + 1)]
    missing = [c for c in [*cov, *true_cols, "lp", "time", "event"] if c not in cohort.columns]
    if missing:
        raise ValueError(f"cohort lacks columns {missing}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator")
    if not 0 < split < 1:
        raise ValueError(f"split must be in (0, 1), got {split!r}")
    x = cohort[cov].to_numpy(float)
    coef, _, _ = cox_fit(cohort["time"], cohort["event"], x)
    boot = bootstrap_optimism_cox(cohort, "time", "event", cov, n_boot=n_boot, seed=rng)
    idx = rng.permutation(len(cohort))
    cut = int(round(split * len(cohort)))
    train, test = cohort.iloc[idx[:cut]], cohort.iloc[idx[cut:]]
    c_split, _, _ = cox_fit(train["time"], train["event"], train[cov].to_numpy(float))
    new = simulate_prognostic_cohort(n_new, n_true, lp_sd, rng, censored=censored)
    for extra in cov:
        if extra not in new.columns:
            new[extra] = rng.standard_normal(n_new)
    return pd.Series(
        {
            "true lp, same patients": harrell_c(cohort["time"], cohort["event"], cohort["lp"]),
            "apparent": boot.apparent,
            "bootstrap optimism": boot.optimism,
            "bootstrap-corrected": boot.corrected,
            "split-sample validation": harrell_c(
                test["time"], test["event"], test[cov].to_numpy(float) @ c_split
            ),
            "new patients (truth)": harrell_c(
                new["time"], new["event"], new[cov].to_numpy(float) @ coef
            ),
        }
    )

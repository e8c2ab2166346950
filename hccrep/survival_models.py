"""A zoo of survival models on the same features, and how to score them.

The models of deng2025 (multivariable Cox, LASSO-Cox, a survival tree, a
random survival forest, gradient boosting, and the survival SVM the methods
name) built with scikit-survival, every hyper-parameter set explicitly, and
scored with the metrics of :mod:`sksurv.metrics`.  Time unit: months.

=========================  =======================  =======================  ===================
setting                    randomForestSRC rfsrc    scikit-survival 0.28     used here
=========================  =======================  =======================  ===================
number of trees            ntree = 500              n_estimators = 100       500 (fast: 100)
terminal node size         nodesize = 15            min_samples_leaf = 3     15
smallest splittable node   (implied by nodesize)    min_samples_split = 6    30
variables tried per split  mtry = ceil(sqrt(p))     'sqrt' = floor(sqrt(p))  ceil(sqrt(p))
split points per variable  nsplit = 10 (random)     every observed value     every value (*)
splitting rule             logrank                  log-rank                 log-rank
resampling                 0.632 n, no replacement  n, with replacement      n, with replacement
tree depth                 unlimited                unlimited                unlimited
=========================  =======================  =======================  ===================

(*) scikit-survival has no random split-point sampling for the forest
(``nsplit``); it always searches every cut-point, which is what
randomForestSRC does with ``nsplit = 0``.  Resampling also differs
(with versus without replacement).  So the same data give *different*
forests in R and Python even with matched tree number, node size and mtry.

Other models, with the R function the paper most likely used:

- Cox: ``survival::coxph`` uses Efron's tie correction; scikit-survival's
  :class:`~sksurv.linear_model.CoxPHSurvivalAnalysis` defaults to Breslow.
  Efron is set here.
- LASSO-Cox: ``glmnet(family = "cox", alpha = 1)`` with ``cv.glmnet``
  (10-fold, partial-likelihood deviance).  scikit-survival's
  :class:`~sksurv.linear_model.CoxnetSurvivalAnalysis` defaults to
  ``l1_ratio = 0.5`` (elastic net, not LASSO) and does not standardise; here
  ``l1_ratio = 1``, the features are standardised, and the penalty is chosen
  by seeded K-fold cross-validation on the deviance (:class:`LassoCoxCV`).
  glmnet's ``lambda`` and scikit-survival's ``alpha`` are the same number:
  both minimise ``-loglik/n + penalty * ||beta||_1`` (Breslow ties).
- Survival tree: R ``rpart`` (minsplit 20, minbucket 7, cp 0.01 pruning).
  scikit-survival's tree splits on the log-rank statistic and cannot prune
  by complexity, so depth is capped instead.
- Gradient boosting: R ``gbm(distribution = "coxph")`` defaults (100 trees,
  interaction depth 1, shrinkage 0.1, bag fraction 0.5, at least 10
  patients per node) are copied.
- Survival SVM: :class:`~sksurv.svm.FastSurvivalSVM` (pure ranking
  objective).  It returns a risk *score*, not a survival probability, so it
  has no Brier score, calibration or decision curve.

Metrics (those of :mod:`sksurv.metrics`): Harrell's C
(``concordance_index_censored``; equals R ``survival::concordance`` with
``reverse = TRUE``, ties included), Uno's C (``concordance_index_ipcw`` with
``tau``; equals R ``concordance(timewt = "n/G2", ymax = tau)`` on untied
times, differs in the third decimal when times are tied), Brier score at a time and integrated Brier score (IPCW, Graf
1999), and cumulative/dynamic AUC (Uno 2007 estimator).  Where one data set is
scored many times (a model collection, a permutation importance), Harrell's C,
the Brier score and the AUC are computed with their censoring weights found
once (:class:`IPCWBrier`, :class:`IPCWAUC`) and the pairs counted at once
(:func:`hccrep.optimism.harrell_c`): the same arithmetic, so the same floats
as scikit-survival's functions (``tests/test_survival_models.py``).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from hccrep.survival_models import surv_array, fit_models, evaluate_models
>>> rng = np.random.default_rng(1)
>>> X = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
>>> y = surv_array(rng.exponential(12 * np.exp(-X["a"])), rng.random(120) < 0.7)
>>> fitted = fit_models(X[:80], y[:80], seed=1, fast=True, names=("cox", "rsf"))
>>> sorted(fitted)
['cox', 'rsf']
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sksurv.base import SurvivalAnalysisMixin
from sksurv.ensemble import GradientBoostingSurvivalAnalysis, RandomSurvivalForest
from sksurv.linear_model import CoxnetSurvivalAnalysis, CoxPHSurvivalAnalysis
from sksurv.metrics import (
    concordance_index_censored,
    concordance_index_ipcw,
    cumulative_dynamic_auc,
)
from sksurv.svm import FastSurvivalSVM
from sksurv.tree import SurvivalTree
from sksurv.util import Surv

from hccrep.stats._validate import check_choice

__all__ = [
    "MODEL_NAMES",
    "MODEL_LABELS",
    "METRICS",
    "HYPERPARAMETERS",
    "RSF_DEFAULTS",
    "LassoCoxCV",
    "surv_array",
    "stratified_split",
    "make_models",
    "fit_models",
    "evaluate_models",
    "IPCWBrier",
    "IPCWAUC",
    "has_survival_function",
    "survival_at",
    "risk_at",
    "survival_calibration",
    "permutation_importance_at",
    "partial_dependence_at",
    "partial_dependence_levels",
    "rank_models",
    "win_table",
    "hyperparameter_table",
    "importance_plot",
    "partial_dependence_plot",
    "survival_calibration_plot",
]

MODEL_NAMES = ("cox", "lasso_cox", "survival_tree", "rsf", "gbsa", "ssvm")
MODEL_LABELS = {
    "cox": "Cox",
    "lasso_cox": "LASSO-Cox",
    "survival_tree": "Survival tree (DT)",
    "rsf": "Random survival forest",
    "gbsa": "Gradient boosting (GBM)",
    "ssvm": "Survival SVM",
}
METRICS = ("harrell_c", "uno_c", "ibs", "brier", "auc")
#: metrics where a smaller value is better
_LOWER_IS_BETTER = frozenset({"ibs", "brier"})
#: grid points of the integrated Brier score
IBS_POINTS = 50

# Every hyper-parameter used below, with the one-line reason (shown in the book).
HYPERPARAMETERS: dict[str, list[tuple[str, object, str]]] = {
    "cox": [
        ("ties", "efron", "R coxph's default; sksurv's default is breslow"),
        ("alpha", 0.0, "no ridge penalty: the plain partial-likelihood fit of coxph"),
        ("n_iter", 100, "Newton-Raphson iterations; converges in < 10 on ~10 covariates"),
        ("tol", 1e-9, "relative change in the log-likelihood that stops the iterations"),
        ("scaling", "none", "coefficients per original unit, as coxph reports them"),
    ],
    "lasso_cox": [
        ("l1_ratio", 1.0, "pure L1 = LASSO (sksurv's default 0.5 is an elastic net)"),
        (
            "scaling",
            "StandardScaler",
            "glmnet's standardize=TRUE: one penalty fits features in any unit",
        ),
        ("n_alphas", 50, "length of the penalty path searched (glmnet uses up to 100)"),
        ("alpha_min_ratio", 0.01, "smallest penalty / largest penalty on the path"),
        ("cv_folds", 10, "cv.glmnet's default nfolds (fast: 5), folds stratified on the event"),
        ("cv_metric", "deviance", "cv.glmnet's type.measure for Cox (Verweij-van Houwelingen)"),
        ("rule", "min", "penalty with the smallest CV deviance (lambda.min)"),
        ("fit_baseline_model", True, "needed for survival probabilities (Brier, calibration)"),
        (
            "tol",
            1e-12,
            "coordinate-descent tolerance: matches glmnet to 1e-6 (sksurv default 1e-7 does not)",
        ),
        ("max_iter", 100000, "coordinate-descent iterations, sksurv's default"),
    ],
    "survival_tree": [
        ("splitter", "best", "log-rank split over every cut-point"),
        ("max_depth", 3, "stands in for rpart's cp = 0.01 pruning, which sksurv lacks"),
        ("min_samples_split", 20, "rpart's minsplit"),
        ("min_samples_leaf", 7, "rpart's minbucket = round(minsplit / 3)"),
        ("max_features", None, "all features at each split (a single tree)"),
    ],
    "rsf": [
        ("n_estimators", 500, "randomForestSRC's ntree (fast: 100)"),
        ("min_samples_leaf", 15, "randomForestSRC's nodesize for survival"),
        ("min_samples_split", 30, "twice the leaf size: a split must leave 15 on each side"),
        ("max_features", "ceil(sqrt(p))", "randomForestSRC's mtry (sksurv's 'sqrt' rounds down)"),
        ("max_depth", None, "grown until the leaf-size limit, as rfsrc"),
        ("bootstrap", True, "resampling per tree (rfsrc samples 0.632 n without replacement)"),
        ("low_memory", False, "keep leaf survival curves: needed for predict_survival_function"),
        ("n_jobs", 1, "2 shared cores: parallelise over Monte Carlo cohorts instead"),
    ],
    "gbsa": [
        ("loss", "coxph", "gbm's distribution='coxph'; gives a Breslow baseline for S(t)"),
        ("n_estimators", 100, "gbm's n.trees"),
        ("learning_rate", 0.1, "gbm's shrinkage"),
        ("max_depth", 1, "gbm's interaction.depth = 1 (additive stumps)"),
        ("subsample", 0.5, "gbm's bag.fraction (stochastic gradient boosting)"),
        ("min_samples_leaf", 10, "gbm's n.minobsinnode"),
    ],
    "ssvm": [
        ("rank_ratio", 1.0, "pure ranking objective: predicts a risk score"),
        ("alpha", 1.0, "weight of the squared-hinge ranking loss"),
        ("optimizer", "avltree", "exact and fast for the ranking objective"),
        ("max_iter", 50, "Newton iterations; more than enough on ~10 features"),
        ("fit_intercept", False, "no intercept with a pure ranking objective"),
        ("scaling", "StandardScaler", "an SVM penalty needs features on one scale"),
    ],
}

#: randomForestSRC (rfsrc, survival family) against scikit-survival's RandomSurvivalForest
RSF_DEFAULTS = pd.DataFrame(
    [
        ("number of trees", "ntree = 500", "n_estimators = 100", "500 (fast: 100)"),
        ("terminal node size", "nodesize = 15", "min_samples_leaf = 3", "15"),
        ("smallest splittable node", "(implied by nodesize)", "min_samples_split = 6", "30"),
        (
            "variables tried per split",
            "mtry = ceil(sqrt(p))",
            "max_features = 'sqrt' (floor)",
            "ceil(sqrt(p))",
        ),
        (
            "split points per variable",
            "nsplit = 10 (random)",
            "every observed value",
            "every observed value",
        ),
        ("splitting rule", "logrank", "log-rank", "log-rank"),
        ("resampling", "0.632 n without replacement", "n with replacement", "n with replacement"),
        ("tree depth", "unlimited", "unlimited", "unlimited"),
    ],
    columns=["setting", "randomForestSRC", "scikit-survival 0.28", "used here"],
)


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------


def surv_array(time, event) -> np.ndarray:
    """The structured array (``event``, ``time``) scikit-survival expects.

    Parameters
    ----------
    time : array_like
        Follow-up times (months), finite and non-negative.
    event : array_like
        1/True = death, 0/False = censored.

    Returns
    -------
    numpy.ndarray
        Structured array with fields ``event`` (bool) and ``time`` (float).

    Examples
    --------
    >>> surv_array([2.0, 4.25], [1, 0])["event"].tolist()
    [True, False]
    """
    t = np.asarray(time, dtype=float).ravel()
    e_raw = np.asarray(event).ravel()
    if t.size == 0:
        raise ValueError("time is empty")
    if t.shape != e_raw.shape:
        raise ValueError(f"time and event differ in length ({t.size} vs {e_raw.size})")
    if not np.isfinite(t).all():
        raise ValueError("time contains NaN or infinite values")
    if (t < 0).any():
        raise ValueError("time contains negative values")
    if e_raw.dtype != bool:
        e_num = e_raw.astype(float)
        if not np.isin(e_num, (0.0, 1.0)).all():
            raise ValueError("event must be 0/1 or boolean")
        e_raw = e_num.astype(bool)
    return Surv.from_arrays(event=e_raw, time=t, name_event="event", name_time="time")


def _check_y(y, name: str = "y") -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(y, np.ndarray) or y.dtype.names is None or len(y.dtype.names) != 2:
        raise ValueError(f"{name} must be a structured array from surv_array(time, event)")
    ev, tm = y.dtype.names
    return y[ev].astype(bool), y[tm].astype(float)


def _check_X(X, n: int | None = None, name: str = "X") -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame with one numeric column per feature")
    if X.shape[1] == 0:
        raise ValueError(f"{name} has no columns")
    bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if bad:
        raise ValueError(f"{name} has non-numeric columns {bad}: encode them (0/1 dummies) first")
    if X.isna().any().any():
        raise ValueError(f"{name} contains missing values")
    if n is not None and len(X) != n:
        raise ValueError(f"{name} has {len(X)} rows but y has {n}")
    return X


#: scikit-survival's tolerance for tied risk scores in its concordance and AUC estimators.
SKSURV_TIED_TOL = 1e-8
#: Largest sample for which Harrell's C is counted over every pair at once (n x n boolean arrays);
#: above it scikit-survival's loop over the events is used (the same float either way).
_PAIRWISE_MAX_N = 2000


def _harrell(y: np.ndarray, score: np.ndarray) -> float:
    """Harrell's C of a risk score, equal to sksurv's ``concordance_index_censored`` to the bit.

    scikit-survival loops over the events in Python; :func:`hccrep.optimism.harrell_c` counts the
    same pairs (ties within :data:`SKSURV_TIED_TOL` count 1/2) for all patients at once. Both
    sums are of whole and half counts, so they are exact and the quotient is the same float
    (``tests/test_survival_models.py``).
    """
    ev, tm = _check_y(y)
    if ev.size > _PAIRWISE_MAX_N:
        return float(concordance_index_censored(ev, tm, score, tied_tol=SKSURV_TIED_TOL)[0])
    from hccrep.optimism import harrell_c

    return harrell_c(tm, ev, score, tied_tol=SKSURV_TIED_TOL)


def stratified_split(
    df: pd.DataFrame, event_col: str, *, test_size: float = 0.4, seed
) -> tuple[np.ndarray, np.ndarray]:
    """Random training/validation split, stratified on the event indicator.

    ``sklearn.model_selection.train_test_split`` with ``stratify``; the test
    part has ``ceil(test_size * n)`` rows (351 patients, 0.4 -> 210 / 141).

    Parameters
    ----------
    df : pandas.DataFrame
        The cohort.
    event_col : str
        Column with the 0/1 event indicator (the stratum).
    test_size : float, default 0.4
        Share of the validation part, in (0, 1).
    seed : int or numpy.random.SeedSequence or numpy.random.Generator
        Seed; the same seed gives the same split.

    Returns
    -------
    (train_index, test_index) : tuple of numpy.ndarray
        Labels of ``df.index`` (equal to row positions for a default
        RangeIndex), each sorted.

    Examples
    --------
    >>> d = pd.DataFrame({"event": [0, 1] * 10})
    >>> tr, te = stratified_split(d, "event", seed=1)
    >>> len(tr), len(te), int(d.loc[te, "event"].sum())
    (12, 8, 4)
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError("df must be a pandas DataFrame")
    if event_col not in df.columns:
        raise ValueError(f"event_col {event_col!r} is not a column of df")
    if not (isinstance(test_size, float) and 0 < test_size < 1):
        raise ValueError(f"test_size must be a float in (0, 1), got {test_size!r}")
    ev = df[event_col]
    if ev.isna().any() or not ev.isin((0, 1, True, False)).all():
        raise ValueError(f"event_col {event_col!r} must hold 0/1 values only")
    rs = _int_seed(seed)
    tr, te = train_test_split(
        np.asarray(df.index),
        test_size=test_size,
        random_state=rs,
        stratify=ev.astype(int).to_numpy(),
    )
    return np.sort(tr), np.sort(te)


def _int_seed(seed) -> int:
    """A 32-bit integer seed from an int, SeedSequence or Generator (sklearn wants an int)."""
    if isinstance(seed, (bool, np.bool_)) or seed is None:
        raise ValueError(
            "seed must be an int, a numpy SeedSequence or a Generator (None is not reproducible)"
        )
    if isinstance(seed, (int, np.integer)):
        if seed < 0:
            raise ValueError(f"seed must be non-negative, got {seed}")
        return int(np.random.SeedSequence(int(seed)).generate_state(1)[0])
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.generate_state(1)[0])
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**31 - 1))
    raise ValueError(
        f"seed must be an int, a numpy SeedSequence or a Generator, got {type(seed).__name__}"
    )


# --------------------------------------------------------------------------
# LASSO-Cox with cross-validated penalty
# --------------------------------------------------------------------------


def _breslow_loglik(time: np.ndarray, event: np.ndarray, eta: np.ndarray) -> float:
    """Cox log partial likelihood with Breslow ties (glmnet's for family='cox')."""
    return _BreslowLoglik(time, event)(eta)


class _BreslowLoglik:
    """:func:`_breslow_loglik` of one outcome for many linear predictors: the risk sets found once."""

    def __init__(self, time: np.ndarray, event: np.ndarray):
        self.order = np.argsort(-time, kind="mergesort")
        t = time[self.order]
        self.event = event[self.order]
        # risk set of time t: everyone with time >= t -> last index of that time in descending order
        self.last = np.searchsorted(-t, -t, side="right") - 1

    def __call__(self, eta: np.ndarray) -> float:
        x = eta[self.order]
        m = x.max() if x.size else 0.0
        csum = np.cumsum(np.exp(x - m))
        log_risk = np.log(csum[self.last]) + m
        return float(np.sum((x - log_risk)[self.event]))

    def many(self, etas: np.ndarray) -> np.ndarray:
        """The log-likelihood of each row of ``etas`` (linear predictors, one model a row).

        Each row goes through the steps of :meth:`__call__` on a contiguous row of one array
        (the same elementwise operations, a running sum along the row and a pairwise sum of a
        contiguous row), so each value is the same float, for the numpy cost of one call.
        """
        x = np.ascontiguousarray(np.asarray(etas, dtype=float)[:, self.order])
        if x.shape[1] == 0:
            return np.zeros(x.shape[0])
        m = x.max(axis=1, keepdims=True)
        csum = np.cumsum(np.exp(x - m), axis=1)
        log_risk = np.log(csum[:, self.last]) + m
        return np.sum(np.ascontiguousarray((x - log_risk)[:, self.event]), axis=1)


class LassoCoxCV(SurvivalAnalysisMixin, BaseEstimator):
    """LASSO-penalised Cox model with the penalty chosen by K-fold cross-validation.

    Standardises the features, fits :class:`~sksurv.linear_model.CoxnetSurvivalAnalysis`
    with ``l1_ratio = 1`` along a penalty path, scores each penalty on
    held-out folds (stratified on the event, seeded), and refits on all data
    at the chosen penalty with ``fit_baseline_model=True``.

    ``cv_metric="deviance"`` is cv.glmnet's default for Cox models: the
    "grouped" partial-likelihood deviance of Verweij and van Houwelingen
    (1993), ``-2 [l(beta_-k) - l_-k(beta_-k)]`` summed over folds;
    ``"harrell_c"`` maximises Harrell's C on the held-out fold instead.

    Parameters
    ----------
    n_alphas : int, default 50
    alpha_min_ratio : float, default 0.01
    cv_folds : int, default 10
    cv_metric : {"deviance", "harrell_c"}, default "deviance"
    rule : {"min", "1se"}, default "min"
        ``"1se"``: the largest penalty within one standard error of the best.
    random_state : int, default 0
    tol : float, default 1e-12
        Coordinate-descent tolerance; 1e-12 gives glmnet's coefficients
        (thresh 1e-14) to 1e-6, sksurv's 1e-7 only to about 1e-4.
    max_iter : int, default 100000

    Attributes
    ----------
    alpha_ : float
        Chosen penalty (glmnet's ``lambda`` on the standardised features).
    coef_ : numpy.ndarray
        Coefficients per original feature unit.
    cv_results_ : pandas.DataFrame
        Columns ``alpha, mean, se, n_nonzero``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"a": rng.normal(size=100), "noise": rng.normal(size=100)})
    >>> y = surv_array(rng.exponential(np.exp(-X["a"])), np.ones(100))
    >>> m = LassoCoxCV(cv_folds=5, random_state=1).fit(X, y)
    >>> bool(m.coef_[0] > 0)
    True
    """

    def __init__(
        self,
        n_alphas=50,
        alpha_min_ratio=0.01,
        cv_folds=10,
        cv_metric="deviance",
        rule="min",
        random_state=0,
        tol=1e-12,
        max_iter=100000,
    ):
        self.n_alphas = n_alphas
        self.alpha_min_ratio = alpha_min_ratio
        self.cv_folds = cv_folds
        self.cv_metric = cv_metric
        self.rule = rule
        self.random_state = random_state
        self.tol = tol
        self.max_iter = max_iter

    def _net(self, alphas=None):
        return CoxnetSurvivalAnalysis(
            l1_ratio=1.0,
            alphas=alphas,
            n_alphas=self.n_alphas,
            alpha_min_ratio=self.alpha_min_ratio,
            normalize=False,
            tol=self.tol,
            max_iter=self.max_iter,
            fit_baseline_model=alphas is not None and len(alphas) == 1,
        )

    def fit(self, X, y):
        """Standardise, cross-validate the penalty, refit at the chosen one."""
        check_choice(self.cv_metric, ("deviance", "harrell_c"), "cv_metric")
        check_choice(self.rule, ("min", "1se"), "rule")
        if not (isinstance(self.cv_folds, int) and self.cv_folds >= 2):
            raise ValueError(f"cv_folds must be an integer >= 2, got {self.cv_folds!r}")
        event, time = _check_y(y)
        Xa = np.asarray(X, dtype=float)
        if Xa.ndim != 2 or Xa.shape[0] != event.size:
            raise ValueError("X must be 2-D with one row per patient in y")
        if event.sum() < self.cv_folds:
            raise ValueError(
                f"only {int(event.sum())} events: too few for {self.cv_folds}-fold cross-validation"
            )
        self.feature_names_in_ = (
            np.asarray(X.columns, dtype=object) if isinstance(X, pd.DataFrame) else None
        )
        self.n_features_in_ = Xa.shape[1]
        self.scaler_ = StandardScaler().fit(Xa)
        Z = self.scaler_.transform(Xa)
        path = self._net().fit(Z, y)
        alphas = np.asarray(path.alphas_, dtype=float)
        folds = StratifiedKFold(self.cv_folds, shuffle=True, random_state=self.random_state)
        scores = np.full((self.cv_folds, alphas.size), np.nan)
        weights = np.zeros(self.cv_folds)
        loglik_full = _BreslowLoglik(time, event)
        for k, (tr, te) in enumerate(folds.split(Z, event.astype(int))):
            net = self._net(alphas).fit(Z[tr], y[tr])
            n_fit = net.coef_.shape[1]  # the path can stop early
            if self.cv_metric == "deviance":
                # every penalty's linear predictors as before (one product per penalty), their
                # log-likelihoods side by side (the same floats, _BreslowLoglik.many)
                Z_tr = Z[tr]
                full = loglik_full.many([Z @ net.coef_[:, j] for j in range(n_fit)])
                part = _BreslowLoglik(time[tr], event[tr]).many(
                    [Z_tr @ net.coef_[:, j] for j in range(n_fit)]
                )
                scores[k, :n_fit] = -2.0 * (full - part)
            else:
                for j in range(n_fit):
                    eta = Z[te] @ net.coef_[:, j]
                    scores[k, j] = _harrell(y[te], eta) if event[te].any() else np.nan
            weights[k] = event[te].sum()
        if self.cv_metric == "deviance":
            # cv.glmnet: deviance per event, weighted mean over folds
            per_event = scores / weights[:, None]
            mean = np.nansum(scores, axis=0) / weights.sum()
            se = np.sqrt(
                np.nansum(weights[:, None] * (per_event - mean) ** 2, axis=0)
                / weights.sum()
                / (self.cv_folds - 1)
            )
            best = int(np.nanargmin(mean))
            if self.rule == "1se":
                ok = np.flatnonzero(mean <= mean[best] + se[best])
                best = int(
                    ok.min()
                )  # alphas are decreasing: the smallest index is the largest penalty
        else:
            mean, se = (
                np.nanmean(scores, axis=0),
                np.nanstd(scores, axis=0, ddof=1) / math.sqrt(self.cv_folds),
            )
            best = int(np.nanargmax(mean))
            if self.rule == "1se":
                ok = np.flatnonzero(mean >= mean[best] - se[best])
                best = int(ok.min())
        self.cv_results_ = pd.DataFrame(
            {
                "alpha": alphas,
                "mean": mean,
                "se": se,
                "n_nonzero": (np.abs(path.coef_) > 0).sum(axis=0),
            }
        )
        self.alpha_ = float(alphas[best])
        self.net_ = self._net([self.alpha_]).fit(Z, y)
        self.coef_std_ = self.net_.coef_[:, 0].copy()
        self.coef_ = self.coef_std_ / self.scaler_.scale_
        self.unique_times_ = self.net_.unique_times_
        return self

    def predict(self, X):
        """Linear predictor on the standardised features (higher = higher risk)."""
        return self.net_.predict(self.scaler_.transform(np.asarray(X, dtype=float)))

    def predict_survival_function(self, X, return_array=False):
        """Breslow-baseline survival functions (see CoxnetSurvivalAnalysis)."""
        return self.net_.predict_survival_function(
            self.scaler_.transform(np.asarray(X, dtype=float)), return_array=return_array
        )

    def predict_cumulative_hazard_function(self, X, return_array=False):
        """Breslow-baseline cumulative hazard functions."""
        return self.net_.predict_cumulative_hazard_function(
            self.scaler_.transform(np.asarray(X, dtype=float)), return_array=return_array
        )


# --------------------------------------------------------------------------
# the zoo
# --------------------------------------------------------------------------


def _check_names(names) -> tuple[str, ...]:
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    if not names:
        raise ValueError("names is empty")
    for n in names:
        check_choice(n, MODEL_NAMES, "model name")
    if len(set(names)) != len(names):
        raise ValueError(f"names has duplicates: {names}")
    return names


def make_models(
    seed, *, fast: bool = False, n_features: int | None = None, names=MODEL_NAMES
) -> dict[str, BaseEstimator]:
    """Unfitted estimators of the zoo, every hyper-parameter set explicitly.

    See :data:`HYPERPARAMETERS` for each value and why.

    Parameters
    ----------
    seed : int or numpy.random.SeedSequence or numpy.random.Generator
        One seed for the whole zoo; each model gets its own derived integer.
    fast : bool, default False
        Fewer forest trees (100) and 5 CV folds for the LASSO penalty.
    n_features : int, optional
        Number of features p, to set the forest's ``max_features`` to
        ``ceil(sqrt(p))`` as randomForestSRC; without it, sksurv's "sqrt".
    names : sequence of str, default :data:`MODEL_NAMES`

    Returns
    -------
    dict
        ``name -> estimator``.

    Examples
    --------
    >>> m = make_models(1, n_features=10)
    >>> m["rsf"].max_features, m["lasso_cox"].cv_folds
    (4, 10)
    """
    names = _check_names(names)
    if not isinstance(fast, (bool, np.bool_)):
        raise ValueError(f"fast must be True or False, got {fast!r}")
    if n_features is not None and not (
        isinstance(n_features, (int, np.integer)) and n_features >= 1
    ):
        raise ValueError(f"n_features must be a positive integer, got {n_features!r}")
    base = _int_seed(seed)
    ss = np.random.SeedSequence(base).spawn(len(MODEL_NAMES))
    s = {n: int(q.generate_state(1)[0] % (2**31 - 1)) for n, q in zip(MODEL_NAMES, ss)}
    mtry = math.ceil(math.sqrt(n_features)) if n_features is not None else "sqrt"
    build = {
        "cox": lambda: CoxPHSurvivalAnalysis(alpha=0.0, ties="efron", n_iter=100, tol=1e-9),
        "lasso_cox": lambda: LassoCoxCV(
            n_alphas=50,
            alpha_min_ratio=0.01,
            cv_folds=5 if fast else 10,
            cv_metric="deviance",
            rule="min",
            random_state=s["lasso_cox"],
            tol=1e-12,
            max_iter=100000,
        ),
        "survival_tree": lambda: SurvivalTree(
            splitter="best",
            max_depth=3,
            min_samples_split=20,
            min_samples_leaf=7,
            max_features=None,
            random_state=s["survival_tree"],
            low_memory=False,
        ),
        "rsf": lambda: RandomSurvivalForest(
            n_estimators=100 if fast else 500,
            min_samples_leaf=15,
            min_samples_split=30,
            max_features=mtry,
            max_depth=None,
            bootstrap=True,
            oob_score=False,
            n_jobs=1,
            random_state=s["rsf"],
            low_memory=False,
        ),
        "gbsa": lambda: GradientBoostingSurvivalAnalysis(
            loss="coxph",
            n_estimators=100,
            learning_rate=0.1,
            max_depth=1,
            subsample=0.5,
            min_samples_leaf=10,
            min_samples_split=20,
            dropout_rate=0.0,
            random_state=s["gbsa"],
        ),
        "ssvm": lambda: Pipeline(
            [
                ("scale", StandardScaler()),
                (
                    "model",
                    FastSurvivalSVM(
                        alpha=1.0,
                        rank_ratio=1.0,
                        fit_intercept=False,
                        max_iter=50,
                        optimizer="avltree",
                        random_state=s["ssvm"],
                    ),
                ),
            ]
        ),
    }
    return {n: build[n]() for n in names}


def fit_models(
    X_train, y_train, *, seed, fast: bool = False, names=MODEL_NAMES
) -> dict[str, BaseEstimator]:
    """Fit the zoo on one training set.

    Parameters
    ----------
    X_train : pandas.DataFrame
        Numeric features (dummies for categories), no missing values.
    y_train : numpy.ndarray
        From :func:`surv_array`.
    seed : int or SeedSequence or Generator
    fast : bool, default False
    names : sequence of str, default :data:`MODEL_NAMES`

    Returns
    -------
    dict
        ``name -> fitted estimator``.  ``lasso_cox`` is a :class:`LassoCoxCV`
        (penalty chosen by cross-validation).

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> X = pd.DataFrame({"a": rng.normal(size=60)})
    >>> y = surv_array(rng.exponential(np.exp(-X["a"])), np.ones(60))
    >>> float(fit_models(X, y, seed=1, names=["cox"])["cox"].coef_[0]) > 0
    True
    """
    names = _check_names(names)
    event, _ = _check_y(y_train, "y_train")
    X_train = _check_X(X_train, event.size, "X_train")
    if event.sum() < 2:
        raise ValueError("y_train has fewer than 2 events")
    if not np.isfinite(X_train.to_numpy(dtype=float)).all():
        raise ValueError("X_train contains infinite values")
    models = make_models(seed, fast=fast, n_features=X_train.shape[1], names=names)
    # the data are checked above and the hyper-parameters are set in make_models: scikit-learn's
    # own checks, repeated for every tree of a forest or a boosting stage, are skipped (its public
    # configuration switches; the fitted models are the same)
    with _checked_once():
        return {n: m.fit(X_train, y_train) for n, m in models.items()}


def _checked_once():
    """scikit-learn's configuration for data checked once by hccrep (finite, numeric, valid parameters)."""
    import sklearn

    return sklearn.config_context(assume_finite=True, skip_parameter_validation=True)


# --------------------------------------------------------------------------
# predictions
# --------------------------------------------------------------------------


def has_survival_function(model) -> bool:
    """Whether ``model`` predicts survival probabilities (the survival SVM does not).

    Parameters
    ----------
    model : estimator
        A scikit-survival model, or a pipeline ending in one.

    Returns
    -------
    bool
        True when its final step has ``predict_survival_function``.

    Examples
    --------
    >>> has_survival_function(FastSurvivalSVM())
    False
    """
    inner = model[-1] if isinstance(model, Pipeline) else model
    return hasattr(inner, "predict_survival_function")


def _times(times, name: str = "times") -> np.ndarray:
    try:
        t = np.atleast_1d(np.asarray(times, dtype=float)).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or a sequence of numbers") from None
    if t.size == 0 or not np.isfinite(t).all() or (t <= 0).any():
        raise ValueError(f"{name} must be finite and positive, got {times!r}")
    return t


def survival_at(model, X, times) -> np.ndarray:
    """Predicted survival probability ``S(t | x)`` at each time, shape (n, len(times)).

    The model's survival step functions evaluated at ``times``; a time past
    the model's last training event time is refused (the curve is not
    defined there).

    Parameters
    ----------
    model : estimator
        A fitted model with survival functions (:func:`has_survival_function`).
    X : DataFrame
        Patients to predict.
    times : array_like
        Times, each at most the model's last training event time.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(X), len(times))``.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> X = pd.DataFrame({"a": rng.normal(size=50)})
    >>> y = surv_array(rng.exponential(10, 50), np.ones(50))
    >>> m = fit_models(X, y, seed=1, names=["cox"])["cox"]
    >>> survival_at(m, X[:2], [1, 2]).shape
    (2, 2)
    """
    if not has_survival_function(model):
        raise ValueError(
            f"model {type(model).__name__} predicts a risk score only, not survival probabilities"
        )
    t = _times(times)
    # only the columns asked for: a forest sums one leaf curve per tree and patient
    fast = _survival_array(model, X, t)
    if fast is not None:
        return fast[1]
    fns = model.predict_survival_function(X)
    hi = min(fn.x[-1] for fn in fns)
    if (t > hi).any():
        raise ValueError(
            f"times {t[t > hi].tolist()} lie after the model's last training time {hi:g}"
        )
    return np.vstack([fn(t) for fn in fns])


def _grid_columns(grid: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Column of each time on a model's time grid, as a step function reads it."""
    if (t > grid[-1]).any():
        raise ValueError(
            f"times {t[t > grid[-1]].tolist()} lie after the model's last training time {grid[-1]:g}"
        )
    # StepFunction semantics: the value at the last grid time <= t (the first one for t before it)
    return np.searchsorted(grid, np.maximum(t, grid[0]), side="right") - 1


def _survival_array(model, X, times=None) -> tuple[np.ndarray, np.ndarray] | None:
    """(grid, S on the grid) of a model with a time grid (``unique_times_``), else None.

    With ``times``, S at those times only (the columns of the grid a step function reads).
    A forest's curves are summed from its leaves (:func:`_forest_survival`); any other model's
    come from ``predict_survival_function(return_array=True)`` for a survival tree (an array
    read from its leaves) and otherwise from its step functions, read from their public
    ``x, y, a, b`` (``a * y + b`` at the grid points, the arithmetic of
    ``StepFunction.__call__``) instead of calling each one: ``return_array=True`` calls every
    patient's function on the whole grid, which costs three times the prediction of a Cox-type
    model. The values are the same to the bit (``tests/test_survival_models.py``).
    """
    inner = model[-1] if isinstance(model, Pipeline) else model
    grid = getattr(inner, "unique_times_", None)
    if grid is None:
        return None
    grid = np.asarray(grid, dtype=float)
    columns = None if times is None else _grid_columns(grid, times)
    if isinstance(inner, RandomSurvivalForest) and not inner.low_memory:
        Xt = model[:-1].transform(X) if isinstance(model, Pipeline) else X
        return grid, _forest_survival(inner, Xt, columns)
    # a survival tree reads its array from its leaves; the others build one function per patient
    tree = isinstance(inner, SurvivalTree)
    arr = None if tree else _step_values(model.predict_survival_function(X), grid, columns)
    if arr is None:
        try:
            arr = model.predict_survival_function(X, return_array=True)
        except TypeError:
            return None
        arr = np.asarray(arr, dtype=float)
        if arr.ndim != 2 or arr.shape != (len(X), grid.size):
            return None
        if columns is not None:
            arr = arr[:, columns]
    if arr.shape[0] != len(X):
        return None
    return grid, arr


def _step_values(fns, grid: np.ndarray, columns: np.ndarray | None) -> np.ndarray | None:
    """Each step function's ``a * y + b`` at ``columns`` of ``grid``, one row per function.

    None unless every function is a scikit-survival ``StepFunction`` on ``grid`` itself with
    float64 values (the case where this equals calling it at the grid points).
    """
    from sksurv.functions import StepFunction

    fns = list(fns)
    if not fns or not all(type(f) is StepFunction for f in fns):
        return None
    x0 = fns[0].x
    if not all(f.x is x0 for f in fns) or not np.array_equal(x0, grid):
        return None
    ys = [f.y if columns is None else f.y[columns] for f in fns]
    if any(y.dtype != np.float64 for y in ys):
        return None
    a = np.array([f.a for f in fns], dtype=np.float64)[:, None]
    b = np.array([f.b for f in fns], dtype=np.float64)[:, None]
    return a * np.array(ys) + b


def _forest_survival(
    forest: RandomSurvivalForest, X, columns: np.ndarray | None = None
) -> np.ndarray:
    """``forest.predict_survival_function(X, return_array=True)[:, columns]``, without its per-tree overhead.

    scikit-survival validates ``X`` again for each tree and dispatches each
    tree through joblib; here ``X`` is validated once, every tree's leaves come
    from its Cython ``apply``, and the leaf survival curves (only the asked-for
    columns of the time grid) are added in the same order and divided by the
    number of trees, as scikit-survival does, so the values are the same to
    the bit (``tests/test_survival_models.py``).
    """
    Xv = _forest_input(forest, X)  # float32, as the trees need it
    cached = _LEAF_CURVES.get(forest)
    if cached is None or cached[0] is not forest.estimators_:  # not seen, or refitted since
        cached = _LEAF_CURVES[forest] = (forest.estimators_, {})
    key = None if columns is None else tuple(int(c) for c in columns)
    curves = cached[1].get(key)
    if curves is None:
        # each tree's leaf survival curves at these grid times as one contiguous (time, leaf)
        # array, kept for the next prediction at the same times (np.take along the leaves
        # gathers faster than indexing rows)
        at = slice(None) if columns is None else np.asarray(columns)
        curves = cached[1][key] = [
            np.ascontiguousarray(est.tree_.value[:, at, 1].T) for est in forest.estimators_
        ]
    out = np.zeros((curves[0].shape[0], Xv.shape[0]), dtype=np.float64)
    for est, curve in zip(forest.estimators_, curves):
        out += np.take(curve, est.tree_.apply(Xv), axis=1)
    out /= len(forest.estimators_)
    return np.ascontiguousarray(out.T)


def _forest_risk(forest: RandomSurvivalForest, X) -> np.ndarray:
    """``forest.predict(X)`` (the risk score), without its per-tree overhead.

    scikit-survival's tree risk is the sum of its leaf's cumulative hazard
    over the event times (``tree_.value[leaf, :, 0][is_event_time_]``); the
    forest adds the trees' risks in their order and divides by their number.
    Here each tree's leaf risks are summed once per fit and gathered by
    ``tree_.apply``, in the same order, so the values are the same to the bit
    (``tests/test_survival_models.py``).
    """
    Xv = _forest_input(forest, X)
    cached = _LEAF_RISKS.get(forest)
    if cached is None or cached[0] is not forest.estimators_:
        cached = _LEAF_RISKS[forest] = (
            forest.estimators_,
            [
                np.ascontiguousarray(est.tree_.value[:, :, 0])[:, est.is_event_time_].sum(1)
                for est in forest.estimators_
            ],
        )
    out = np.zeros(Xv.shape[0], dtype=np.float64)
    for est, risk in zip(forest.estimators_, cached[1]):
        out += risk[est.tree_.apply(Xv)]
    out /= len(forest.estimators_)
    return out


def _forest_input(forest: RandomSurvivalForest, X) -> np.ndarray:
    """``forest._validate_X_predict(X)``, quickly for the usual case.

    A DataFrame with the forest's own feature names in its order and finite
    numeric columns is converted as scikit-learn converts it (to C-ordered
    float32); anything else goes through scikit-learn's validation, with its
    errors and warnings.
    """
    names = getattr(forest, "feature_names_in_", None)
    if (
        isinstance(X, pd.DataFrame)
        and names is not None
        and X.shape[1] == len(names)
        and (X.columns == names).all()
        and all(np.issubdtype(d, np.number) for d in X.dtypes)
    ):
        Xv = np.ascontiguousarray(X.to_numpy(dtype=np.float64), dtype=np.float32)
        if np.isfinite(Xv).all():
            return Xv
    return forest._validate_X_predict(X)


#: Per fitted forest, its trees' leaf risk scores (dropped with the forest).
_LEAF_RISKS: "weakref.WeakKeyDictionary[RandomSurvivalForest, tuple[list, list[np.ndarray]]]" = (
    weakref.WeakKeyDictionary()
)
#: Per fitted forest, its trees' leaf survival curves per set of grid columns (dropped with the
#: forest).
_LEAF_CURVES: "weakref.WeakKeyDictionary[RandomSurvivalForest, tuple[list, dict]]" = (
    weakref.WeakKeyDictionary()
)


def risk_at(fitted_model, X, horizon: float) -> np.ndarray:
    """Predicted probability of death by ``horizon``: ``1 - S(horizon | x)``.

    Parameters
    ----------
    fitted_model : fitted estimator with ``predict_survival_function``
    X : pandas.DataFrame
    horizon : float
        Months.

    Returns
    -------
    numpy.ndarray
        One probability per row of ``X``.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> X = pd.DataFrame({"a": rng.normal(size=50)})
    >>> y = surv_array(rng.exponential(10, 50), np.ones(50))
    >>> m = fit_models(X, y, seed=1, names=["cox"])["cox"]
    >>> bool(((risk_at(m, X, 5) > 0) & (risk_at(m, X, 5) < 1)).all())
    True
    """
    h = _times(horizon, "horizon")
    if h.size != 1:
        raise ValueError("horizon must be a single time")
    return 1.0 - survival_at(fitted_model, X, h)[:, 0]


# --------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------


def _guard_times(times: np.ndarray, y_ref: np.ndarray, y_eval: np.ndarray, dataset: str) -> None:
    """Refuse evaluation times outside the follow-up of the data scored.

    sksurv's IPCW estimators divide by the censoring survival G(t), which is
    zero (or undefined) after the last follow-up; a Brier score or AUC there
    would be an extrapolation.  Times must be >= the first and < the last
    follow-up time of the evaluated data, and < the last time of the
    data the censoring distribution is estimated from.
    """
    _, t_eval = _check_y(y_eval)
    _, t_ref = _check_y(y_ref)
    lo, hi = t_eval.min(), min(t_eval.max(), t_ref.max())
    bad = times[(times < lo) | (times >= hi)]
    if bad.size:
        raise ValueError(
            f"times {bad.tolist()} lie outside the follow-up of the {dataset} data [{lo:g}, {hi:g}): "
            "IPCW Brier scores and time-dependent AUCs are not defined there"
        )


def _ipcw_setup(survival_train, survival_test, times):
    """The test set's event and time arrays, the checked sorted ``times`` and the censoring
    Kaplan-Meier fitted on ``survival_train``: what :class:`IPCWBrier` and :class:`IPCWAUC`
    share, with scikit-survival's own checks and messages."""
    from sksurv.nonparametric import CensoringDistributionEstimator
    from sksurv.util import check_y_survival

    event, time = check_y_survival(survival_test)
    t = np.unique(np.atleast_1d(np.asarray(times, dtype=float)))
    if t.size == 0 or not np.isfinite(t).all():
        raise ValueError(f"times must be finite numbers, got {times!r}")
    if t.max() >= time.max() or t.min() < time.min():
        raise ValueError(
            f"all times must be within follow-up time of test data: [{time.min()}; {time.max()}["
        )
    return event, time, t, CensoringDistributionEstimator().fit(survival_train)


class IPCWBrier:
    """:func:`sksurv.metrics.brier_score` of many estimates on one test set, the weights computed once.

    ``brier_score`` fits the censoring distribution of the training data and
    evaluates its weights at every call.  A permutation importance or a
    model comparison scores many estimates against the same data; this
    object does that work once and then computes each score with
    ``brier_score``'s own arithmetic, in the same order, so the values are
    the same to the bit (``tests/test_survival_models.py``).

    Parameters
    ----------
    survival_train : structured array
        Data the censoring distribution is estimated from (as ``brier_score``).
    survival_test : structured array
        The patients scored.
    times : sequence of float
        Inside the test follow-up ``[min, max)``; sorted and made unique, as
        ``brier_score`` does.

    Examples
    --------
    >>> from sksurv.metrics import brier_score
    >>> rng = np.random.default_rng(0)
    >>> y = surv_array(rng.exponential(10, 80), rng.random(80) < 0.7)
    >>> est = rng.random((80, 2))
    >>> score = IPCWBrier(y, y, [3, 6])
    >>> bool((score(est) == brier_score(y, y, est, [3, 6])[1]).all())
    True
    """

    def __init__(self, survival_train, survival_test, times):
        event, time, t, cens = _ipcw_setup(survival_train, survival_test, times)
        self.times = t
        self._prob_t = cens.predict_proba(t)
        self._prob_t[self._prob_t == 0] = np.inf
        self._prob_y = cens.predict_proba(time)
        self._prob_y[self._prob_y == 0] = np.inf
        self._case = [((time <= h) & event).astype(int) for h in t]
        self._control = [(time > h).astype(int) for h in t]
        self._n = time.size

    def __call__(self, estimate) -> np.ndarray:
        """Brier score at each of ``times`` of ``estimate`` (n, len(times)) survival probabilities."""
        est = np.asarray(estimate, dtype=float)
        if est.ndim == 1 and self.times.size == 1:
            est = est.reshape(-1, 1)
        if est.shape != (self._n, self.times.size):
            raise ValueError(
                f"expected estimate of shape {(self._n, self.times.size)}, got {est.shape}"
            )
        if not np.isfinite(est).all():
            raise ValueError("estimate must be finite")
        out = np.empty(self.times.size, dtype=float)
        for i in range(self.times.size):
            e = est[:, i]
            out[i] = np.mean(
                np.square(e) * self._case[i] / self._prob_y
                + np.square(1.0 - e) * self._control[i] / self._prob_t[i]
            )
        return out


class IPCWAUC:
    """:func:`sksurv.metrics.cumulative_dynamic_auc` of many estimates on one test set, the weights computed once.

    ``cumulative_dynamic_auc`` fits the censoring distribution of the
    training data, weights the test patients by it and, with several times,
    also fits a Kaplan-Meier curve of the test data for its mean AUC, at every
    call. Comparing models scores many estimates against the same data: this
    object computes the weights once and then each AUC by the same steps
    (patients sorted by decreasing estimate, cumulative weighted cases and
    controls, one point per group of tied estimates, trapezoids from (0, 0)),
    so the values are the same to the bit (``tests/test_survival_models.py``).
    The mean AUC is not computed.

    Parameters
    ----------
    survival_train : structured array
        Data the censoring distribution is estimated from.
    survival_test : structured array
        The patients scored.
    times : sequence of float
        Inside the test follow-up ``[min, max)``; sorted and made unique, as
        ``cumulative_dynamic_auc`` does.
    tied_tol : float, default :data:`SKSURV_TIED_TOL`
        Estimates this close count as tied.

    Examples
    --------
    >>> from sksurv.metrics import cumulative_dynamic_auc
    >>> rng = np.random.default_rng(0)
    >>> y = surv_array(rng.exponential(10, 80), rng.random(80) < 0.7)
    >>> est = rng.random((80, 2))
    >>> auc = IPCWAUC(y, y, [3, 6])
    >>> bool((auc(est) == cumulative_dynamic_auc(y, y, est, [3, 6])[0]).all())
    True
    """

    def __init__(self, survival_train, survival_test, times, tied_tol: float = SKSURV_TIED_TOL):
        event, time, t, cens = _ipcw_setup(survival_train, survival_test, times)
        self.times = t
        self.tied_tol = float(tied_tol)
        self._ipcw = cens.predict_ipcw(survival_test)
        self._time, self._event = time, event

    def __call__(self, estimate) -> np.ndarray:
        """Cumulative/dynamic AUC at each of ``times`` of ``estimate``: risk scores, one column
        per time (n, len(times)) or one for all (n,)."""
        est = np.asarray(estimate, dtype=float)
        n, k = self._time.size, self.times.size
        if est.ndim == 1 and est.size == n:
            est = np.broadcast_to(est[:, np.newaxis], (n, k))
        if est.shape != (n, k):
            raise ValueError(f"expected estimate of shape {(n, k)} or ({n},), got {est.shape}")
        if not np.isfinite(est).all():
            raise ValueError("estimate must be finite")
        o = np.argsort(-est, axis=0)  # decreasing estimate, each time on its own
        time = self._time[o]
        event = self._event[o]
        ipcw = self._ipcw[o]
        est = np.take_along_axis(est, o, axis=0)
        is_case = (time <= self.times) & event
        is_control = time > self.times
        diff = np.diff(np.concatenate((np.full((1, k), np.inf), est)), axis=0)
        tied = np.absolute(diff) <= self.tied_tol  # a row tied with the row before it
        tp = np.cumsum(is_case * ipcw, axis=0)
        tp = tp / tp[-1]
        fp = np.cumsum(is_control, axis=0) / is_control.sum(axis=0)
        out = np.empty(k, dtype=float)
        for j in range(k):
            drop = np.flatnonzero(tied[:, j]) - 1  # of tied estimates, only the last point counts
            x = np.r_[0, np.delete(fp[:, j], drop)]
            y = np.r_[0, np.delete(tp[:, j], drop)]
            out[j] = np.trapezoid(y, x)
        return out


def _ibs_grid(y_ref: np.ndarray, y_eval: np.ndarray, upper: float) -> np.ndarray:
    """IBS_POINTS equally spaced times from the 10th percentile of follow-up to ``upper``."""
    _, t_eval = _check_y(y_eval)
    _, t_ref = _check_y(y_ref)
    lo = float(np.percentile(t_eval, 10))
    hi = min(upper, np.nextafter(min(t_eval.max(), t_ref.max()), 0))
    return np.linspace(lo, hi, IBS_POINTS)


def evaluate_models(
    fitted: Mapping[str, BaseEstimator], X_train, y_train, X_test, y_test, *, times=(6, 12, 24)
) -> pd.DataFrame:
    """Discrimination and calibration of each fitted model, in training and validation.

    Metrics, all from :mod:`sksurv.metrics`:

    - ``harrell_c``: ``concordance_index_censored`` on the model's risk score
      (``predict``: higher = shorter survival);
    - ``uno_c``: ``concordance_index_ipcw`` with ``tau = max(times)``, the
      censoring distribution estimated on the training data;
    - ``brier``: ``brier_score`` at each time (IPCW, censoring from training);
    - ``ibs``: ``integrated_brier_score`` over :data:`IBS_POINTS` times from the
      10th percentile of the evaluated follow-up to ``max(times)``;
    - ``auc``: ``cumulative_dynamic_auc`` at each time, scored on the
      predicted risk ``1 - S(t | x)`` at that time (the risk score for the SVM).

    The survival SVM has no survival probabilities: its ``brier`` and
    ``ibs`` rows are NaN, with the reason in ``note``.

    Parameters
    ----------
    fitted : mapping name -> fitted estimator
    X_train, X_test : pandas.DataFrame
    y_train, y_test : numpy.ndarray from :func:`surv_array`
    times : sequence of float, default (6, 12, 24)
        Months; each must lie inside the follow-up of both data sets
        (ValueError otherwise: IPCW weights are not defined past the last
        follow-up).

    Returns
    -------
    pandas.DataFrame
        Long format: ``model, dataset ("training"/"validation"), metric,
        horizon`` (NaN for harrell_c, uno_c, ibs), ``value``, ``variant``
        (what was computed), ``note``.

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> X = pd.DataFrame({"a": rng.normal(size=200)})
    >>> y = surv_array(rng.exponential(12 * np.exp(-X["a"])), rng.random(200) < 0.8)
    >>> f = fit_models(X[:120], y[:120], seed=1, names=["cox"])
    >>> ev = evaluate_models(f, X[:120], y[:120], X[120:], y[120:], times=(3, 6))
    >>> sorted(ev["metric"].unique())
    ['auc', 'brier', 'harrell_c', 'ibs', 'uno_c']
    """
    t = np.sort(_times(times))
    col = FittedCollection(fitted, X_train, y_train, X_test, y_test, horizons=t)
    _guard_times(t, y_train, y_train, "training")
    _guard_times(t, y_train, y_test, "validation")
    tau = float(t.max())
    grid = {d: _ibs_grid(y_train, col.data(d)[1], tau) for d in ("training", "validation")}
    brier_v = "IPCW Brier (Graf 1999), sksurv brier_score, G from training"
    no_s = "risk score only: no survival probability"
    rows: list[dict] = []
    for name, model in col.fitted.items():
        surv = has_survival_function(model)
        for dataset in ("training", "validation"):

            def add(metric, value, horizon=np.nan, variant="", note=""):
                rows.append(
                    {
                        "model": name,
                        "dataset": dataset,
                        "metric": metric,
                        "horizon": horizon,
                        "value": float(value),
                        "variant": variant,
                        "note": note,
                    }
                )

            add(
                "harrell_c",
                col.metric(name, "c_index", dataset),
                variant="Harrell's C, sksurv concordance_index_censored, tied risks count 1/2",
            )
            add(
                "uno_c",
                col.metric(name, "c_index", dataset, variant="uno", tau=tau),
                variant=f"Uno's C, sksurv concordance_index_ipcw, tau = {tau:g}, G from training",
            )
            g = grid[dataset]
            if surv:
                add(
                    "ibs",
                    col.metric(name, "ibs", dataset, tau),
                    variant=f"IPCW integrated Brier, {IBS_POINTS} times in [{g[0]:.3g}, {g[-1]:.3g}]",
                )
            else:
                add("ibs", np.nan, note=no_s)
            auc_variant = (
                "cumulative/dynamic AUC (Uno 2007), sksurv, on 1 - S(t|x)"
                if surv
                else "cumulative/dynamic AUC (Uno 2007), sksurv, on the risk score"
            )
            for h in t:
                b = col.metric(name, "brier", dataset, h)
                add("brier", b, h, variant=brier_v, note="" if np.isfinite(b) else no_s)
                add("auc", col.metric(name, "td_auc", dataset, h), h, variant=auc_variant)
    return pd.DataFrame(
        rows, columns=["model", "dataset", "metric", "horizon", "value", "variant", "note"]
    )


# --------------------------------------------------------------------------
# calibration, importance, partial dependence
# --------------------------------------------------------------------------


def survival_calibration(model, X, y, horizon: float, n_groups: int = 3) -> pd.DataFrame:
    """Predicted against Kaplan–Meier observed survival at ``horizon``, by risk group.

    Patients are cut into ``n_groups`` groups of (near) equal size by the
    predicted risk at ``horizon``; in each group the mean predicted survival
    is set beside the Kaplan–Meier survival at ``horizon`` (log-log 95% CI,
    :func:`hccrep.stats.survival.km_landmark`).

    Parameters
    ----------
    model : fitted estimator with survival functions
    X : pandas.DataFrame
    y : numpy.ndarray from :func:`surv_array`
    horizon : float
    n_groups : int, default 3
        Between 2 and 10.

    Returns
    -------
    pandas.DataFrame
        Columns ``group`` (1 = lowest risk), ``n, events, predicted, observed,
        lower, upper, horizon``.

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> X = pd.DataFrame({"a": rng.normal(size=150)})
    >>> y = surv_array(rng.exponential(12 * np.exp(-X["a"])), np.ones(150))
    >>> m = fit_models(X, y, seed=1, names=["cox"])["cox"]
    >>> survival_calibration(m, X, y, 6)["n"].tolist()
    [50, 50, 50]
    """
    from hccrep.stats.survival import km_landmark

    if not (isinstance(n_groups, (int, np.integer)) and 2 <= n_groups <= 10):
        raise ValueError(f"n_groups must be an integer in 2..10, got {n_groups!r}")
    ev, tm = _check_y(y)
    X = _check_X(X, ev.size)
    risk = risk_at(model, X, horizon)
    if tm.max() < horizon:
        raise ValueError(f"horizon {horizon} lies after the last follow-up {tm.max():g}")
    order = np.argsort(risk, kind="mergesort")
    groups = np.empty(ev.size, dtype=int)
    for g, idx in enumerate(np.array_split(order, n_groups), start=1):
        groups[idx] = g
    rows = []
    for g in range(1, n_groups + 1):
        m = groups == g
        km = (
            km_landmark(tm[m], ev[m].astype(int), [horizon], conf_type="log-log").to_frame().iloc[0]
        )
        rows.append(
            {
                "group": g,
                "n": int(m.sum()),
                "events": int(ev[m].sum()),
                "predicted": float(1 - risk[m].mean()),
                "observed": km["survival"],
                "lower": km["lower"],
                "upper": km["upper"],
                "horizon": float(horizon),
            }
        )
    return pd.DataFrame(rows)


def _metric_at(
    model, X, y, y_ref, horizon: float, metric: str, brier: "IPCWBrier | None" = None
) -> float:
    if metric == "brier":  # sksurv's brier_score, the censoring weights computed once in ``brier``
        return float(brier(survival_at(model, X, [horizon]))[0])
    if metric == "auc":
        est = (
            risk_at(model, X, horizon)
            if has_survival_function(model)
            else np.asarray(model.predict(X), float)
        )
        return float(cumulative_dynamic_auc(y_ref, y, est, [horizon])[0][0])
    return _harrell(y, np.asarray(model.predict(X), float))


def permutation_importance_at(
    model, X, y, horizon: float, *, seed, n_repeats: int = 10, metric: str = "brier", y_train=None
) -> pd.DataFrame:
    """Permutation importance of each feature for the prediction at ``horizon``.

    Each column of ``X`` in turn is shuffled ``n_repeats`` times; the
    importance is the mean loss of performance: increase of the IPCW Brier
    score at ``horizon`` (``metric="brier"``, the loss survex's
    ``model_parts`` uses), decrease of the cumulative/dynamic AUC at
    ``horizon`` (``"auc"``), or decrease of Harrell's C (``"harrell_c"``,
    not time-specific; the loss of randomForestSRC's VIMP).

    Parameters
    ----------
    model : fitted estimator
    X : pandas.DataFrame
    y : numpy.ndarray from :func:`surv_array`
    horizon : float
    seed : int or SeedSequence or Generator
    n_repeats : int, default 10
    metric : {"brier", "auc", "harrell_c"}, default "brier"
    y_train : numpy.ndarray, optional
        Data to estimate the censoring distribution from (default ``y``).

    Returns
    -------
    pandas.DataFrame
        Columns ``feature, importance, sd, rank, horizon, metric, baseline``,
        sorted by importance (rank 1 = most important).

    Examples
    --------
    >>> rng = np.random.default_rng(6)
    >>> X = pd.DataFrame({"a": rng.normal(size=150), "noise": rng.normal(size=150)})
    >>> y = surv_array(rng.exponential(12 * np.exp(-X["a"])), np.ones(150))
    >>> m = fit_models(X, y, seed=1, names=["cox"])["cox"]
    >>> permutation_importance_at(m, X, y, 6, seed=1, n_repeats=3)["feature"].iloc[0]
    'a'
    """
    check_choice(metric, ("brier", "auc", "harrell_c"), "metric")
    if not (isinstance(n_repeats, (int, np.integer)) and n_repeats >= 1):
        raise ValueError(f"n_repeats must be a positive integer, got {n_repeats!r}")
    ev, _ = _check_y(y)
    X = _check_X(X, ev.size)
    y_ref = y if y_train is None else y_train
    h = float(_times(horizon, "horizon")[0])
    _guard_times(np.array([h]), y_ref, y, "evaluated")
    rng = np.random.default_rng(_int_seed(seed))
    brier = IPCWBrier(y_ref, y, [h]) if metric == "brier" else None
    base = _metric_at(model, X, y, y_ref, h, metric, brier)
    sign = 1.0 if metric == "brier" else -1.0  # importance = loss of performance
    rows = []
    for col in X.columns:
        drops = []
        for _ in range(n_repeats):
            Xp = X.copy()
            Xp[col] = rng.permutation(Xp[col].to_numpy())
            drops.append(sign * (_metric_at(model, Xp, y, y_ref, h, metric, brier) - base))
        rows.append(
            {
                "feature": col,
                "importance": float(np.mean(drops)),
                "sd": float(np.std(drops, ddof=1)) if n_repeats > 1 else np.nan,
            }
        )
    out = (
        pd.DataFrame(rows)
        .sort_values("importance", ascending=False, kind="mergesort")
        .reset_index(drop=True)
    )
    out["rank"] = np.arange(1, len(out) + 1)
    out["horizon"], out["metric"], out["baseline"] = h, metric, base
    return out


def partial_dependence_at(
    model, X, feature: str, horizon, grid=None, n_grid: int = 10
) -> pd.DataFrame:
    """Partial dependence of the survival probability at ``horizon`` on one feature.

    For each grid value ``v`` the feature is set to ``v`` for every patient
    and the predicted ``S(horizon | x)`` is averaged (Friedman 2001).
    ``sklearn.inspection.partial_dependence`` cannot pass a horizon to
    ``predict_survival_function``, hence this small function.  For a
    categorical variable coded as several 0/1 columns use
    :func:`partial_dependence_levels`, which never builds a patient with two
    levels at once.

    Parameters
    ----------
    model : fitted estimator with survival functions
    X : pandas.DataFrame
    feature : str
    horizon : float or sequence of float
        One or more horizons (months); one prediction pass per grid value.
    grid : sequence of float, optional
        Default: the distinct values when there are at most ``n_grid`` of them
        (a binary feature gives 0 and 1), else ``n_grid`` quantiles from the
        5th to the 95th percentile.
    n_grid : int, default 10

    Returns
    -------
    pandas.DataFrame
        Columns ``feature, value, survival, horizon`` (one row per value and horizon).

    Examples
    --------
    >>> rng = np.random.default_rng(7)
    >>> X = pd.DataFrame({"a": rng.integers(0, 2, 100).astype(float)})
    >>> y = surv_array(rng.exponential(12 * np.exp(-X["a"])), np.ones(100))
    >>> m = fit_models(X, y, seed=1, names=["cox"])["cox"]
    >>> partial_dependence_at(m, X, "a", 6)["value"].tolist()
    [0.0, 1.0]
    """
    X = _check_X(X)
    if feature not in X.columns:
        raise ValueError(f"feature {feature!r} is not a column of X")
    if not (isinstance(n_grid, (int, np.integer)) and n_grid >= 2):
        raise ValueError(f"n_grid must be an integer >= 2, got {n_grid!r}")
    hs = _times(horizon, "horizon")
    if grid is None:
        vals = np.unique(X[feature].to_numpy(float))
        grid = (
            vals
            if vals.size <= n_grid
            else np.unique(np.quantile(vals, np.linspace(0.05, 0.95, n_grid)))
        )
    g = np.asarray(grid, dtype=float).ravel()
    if g.size == 0 or not np.isfinite(g).all():
        raise ValueError("grid must hold finite numbers")
    rows = []
    for v in g:
        Xv = X.copy()
        Xv[feature] = v
        mean = survival_at(model, Xv, hs).mean(axis=0)
        rows += [
            {"feature": feature, "value": float(v), "survival": float(m), "horizon": float(h)}
            for h, m in zip(hs, mean)
        ]
    return pd.DataFrame(rows)


def partial_dependence_levels(
    model,
    X,
    name: str,
    columns: Sequence[str],
    horizon,
    *,
    reference: str = "reference",
    labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Partial dependence on a categorical variable coded as 0/1 indicator columns.

    Every patient is set to the reference level (all ``columns`` 0), then to
    each level in turn (its column 1, the others 0), and the predicted
    ``S(horizon | x)`` is averaged.

    Parameters
    ----------
    model : fitted estimator with survival functions
    X : pandas.DataFrame
    name : str
        The variable's name (the ``feature`` of the result).
    columns : sequence of str
        Its indicator columns in ``X``.
    horizon : float or sequence of float
    reference : str, default "reference"
        Label of the level with every indicator 0.
    labels : sequence of str, optional
        Labels of the levels of ``columns`` (default: the column names).

    Returns
    -------
    pandas.DataFrame
        Columns ``feature, value`` (level label), ``survival, horizon``.

    Examples
    --------
    >>> rng = np.random.default_rng(8)
    >>> X = pd.DataFrame({"b": rng.integers(0, 2, 120).astype(float)})
    >>> X["c"] = (1 - X["b"]) * rng.integers(0, 2, 120)
    >>> y = surv_array(rng.exponential(12 * np.exp(-X["b"])), np.ones(120))
    >>> m = fit_models(X, y, seed=1, names=["cox"])["cox"]
    >>> partial_dependence_levels(m, X, "arm", ["b", "c"], 6)["value"].tolist()
    ['reference', 'b', 'c']
    """
    X = _check_X(X)
    cols = [columns] if isinstance(columns, str) else list(columns)
    if not cols:
        raise ValueError("columns is empty")
    if missing := [c for c in cols if c not in X.columns]:
        raise ValueError(f"columns {missing} are not in X")
    labels = list(cols if labels is None else labels)
    if len(labels) != len(cols):
        raise ValueError(f"labels has {len(labels)} entries for {len(cols)} columns")
    hs = _times(horizon, "horizon")
    rows = []
    for label, on in [(reference, None)] + list(zip(labels, cols)):
        Xv = X.copy()
        Xv[cols] = 0.0
        if on is not None:
            Xv[on] = 1.0
        mean = survival_at(model, Xv, hs).mean(axis=0)
        rows += [
            {"feature": name, "value": label, "survival": float(m), "horizon": float(h)}
            for h, m in zip(hs, mean)
        ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# which model wins
# --------------------------------------------------------------------------


def rank_models(
    metrics_df: pd.DataFrame,
    metric: str = "harrell_c",
    dataset: str = "validation",
    *,
    horizon: float | None = None,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Rank the models on one metric (rank 1 = best; lower is better for Brier/IBS).

    Parameters
    ----------
    metrics_df : pandas.DataFrame
        Output of :func:`evaluate_models`, possibly stacked over Monte Carlo
        replicates with an extra column named in ``by``.
    metric : str, default "harrell_c"
    dataset : {"training", "validation"}, default "validation"
    horizon : float, optional
        Required for the per-time metrics ``brier`` and ``auc``.
    by : str or list of str, optional
        Columns identifying a replicate (e.g. ``"seed"``); ranks are within each.

    Returns
    -------
    pandas.DataFrame
        Columns ``[*by], model, value, rank`` (float; ties share the best
        rank, "min" method; a model without the metric, such as the SVM for
        Brier scores, keeps its row with NaN value and NaN rank).

    Examples
    --------
    >>> d = pd.DataFrame({"model": ["cox", "rsf"], "dataset": "validation", "metric": "harrell_c",
    ...                   "horizon": np.nan, "value": [0.6, 0.7]})
    >>> rank_models(d)[["model", "rank"]].values.tolist()
    [['rsf', 1.0], ['cox', 2.0]]
    """
    if not isinstance(metrics_df, pd.DataFrame):
        raise ValueError("metrics_df must be a DataFrame from evaluate_models")
    need = {"model", "dataset", "metric", "horizon", "value"}
    if missing := need - set(metrics_df.columns):
        raise ValueError(f"metrics_df lacks columns {sorted(missing)}")
    check_choice(metric, METRICS, "metric")
    check_choice(dataset, ("training", "validation"), "dataset")
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    for b in by:
        if b not in metrics_df.columns:
            raise ValueError(f"by column {b!r} is not in metrics_df")
    d = metrics_df[(metrics_df["metric"] == metric) & (metrics_df["dataset"] == dataset)]
    if metric in ("brier", "auc"):
        if horizon is None:
            raise ValueError(f"metric {metric!r} is per time: give horizon")
        d = d[np.isclose(d["horizon"].astype(float), float(horizon))]
    elif horizon is not None:
        raise ValueError(f"metric {metric!r} has no horizon")
    if d.empty:
        raise ValueError(f"no rows for metric={metric!r}, dataset={dataset!r}, horizon={horizon!r}")
    if d.duplicated(by + ["model"]).any():
        raise ValueError("several rows per model: name the replicate column(s) in by")
    d = d[by + ["model", "value"]].copy()
    asc = metric in _LOWER_IS_BETTER
    if by:
        d["rank"] = d.groupby(by)["value"].rank(method="min", ascending=asc)
    else:
        d["rank"] = d["value"].rank(method="min", ascending=asc)
    return d.sort_values(by + ["rank", "model"], kind="mergesort", na_position="last").reset_index(
        drop=True
    )


def win_table(ranked: pd.DataFrame) -> pd.DataFrame:
    """How often each model ranks first, from :func:`rank_models` over replicates.

    Parameters
    ----------
    ranked : DataFrame
        :func:`rank_models` of several replicates: ``seed``, ``model`` and ``rank`` columns.

    Returns
    -------
    DataFrame
        Columns ``model, wins, share, mean_rank`` (share of replicates with rank 1; ties
        give every tied model a win), most wins first.

    Examples
    --------
    >>> r = pd.DataFrame({"seed": [1, 1, 2, 2], "model": ["a", "b", "a", "b"], "value": [1, 2, 2, 1],
    ...                   "rank": [2, 1, 1, 2]})
    >>> win_table(r)["share"].tolist()
    [0.5, 0.5]
    """
    if not {"model", "rank"} <= set(ranked.columns):
        raise ValueError("ranked must come from rank_models (columns model, rank)")
    n_rep = ranked.groupby("model").size().max()
    g = ranked.groupby("model")["rank"]
    out = pd.DataFrame({"wins": g.apply(lambda r: int((r == 1).sum())), "mean_rank": g.mean()})
    out["share"] = out["wins"] / n_rep
    return (
        out.reset_index()[["model", "wins", "share", "mean_rank"]]
        .sort_values(["wins", "mean_rank"], ascending=[False, True], kind="mergesort")
        .reset_index(drop=True)
    )


def hyperparameter_table(names=MODEL_NAMES) -> pd.DataFrame:
    """Every hyper-parameter of the zoo with its value and the reason (for the book).

    Parameters
    ----------
    names : sequence of str
        Model names (:data:`MODEL_NAMES`).

    Returns
    -------
    DataFrame
        Columns ``model, parameter, value, why``, one row per hyper-parameter.

    Examples
    --------
    >>> hyperparameter_table(["gbsa"])["parameter"].iloc[0]
    'loss'
    """
    names = _check_names(names)
    return pd.DataFrame(
        [
            {"model": n, "parameter": p, "value": str(v), "why": w}
            for n in names
            for p, v, w in HYPERPARAMETERS[n]
        ]
    )


# --------------------------------------------------------------------------
# figures (the book's theme and alt-text mechanism of hccrep.plots)
# --------------------------------------------------------------------------


def _check_long(df, cols: Sequence[str], name: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame) or df.empty:
        raise ValueError(f"{name} must be a non-empty DataFrame")
    if missing := [c for c in cols if c not in df.columns]:
        raise ValueError(f"{name} lacks columns {missing}")
    return df


def importance_plot(
    importance: pd.DataFrame, *, labels: Mapping[str, str] | None = None, title: str | None = None
):
    """Permutation importance per horizon: one panel per horizon, features as horizontal bars.

    Parameters
    ----------
    importance : pandas.DataFrame
        Rows of :func:`permutation_importance_at` for one or more horizons
        (stacked; columns ``feature, importance, sd, horizon, metric``).
    labels : mapping, optional
        Display names of the features.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        With alt text (:func:`hccrep.plots.alt_text`).

    Examples
    --------
    >>> imp = pd.DataFrame({"feature": ["a", "b"], "importance": [0.05, 0.0], "sd": [0.01, 0.01],
    ...                     "horizon": 9.0, "metric": "brier"})
    >>> from hccrep.plots import alt_text
    >>> alt_text(importance_plot(imp)).startswith("Permutation importance")
    True
    """
    import matplotlib.pyplot as plt

    from hccrep.plots import FIGURE_WIDTH, set_alt_text, themed

    d = _check_long(importance, ["feature", "importance", "sd", "horizon", "metric"], "importance")
    labels = dict(labels or {})

    @themed
    def draw():
        horizons = sorted(d["horizon"].unique())
        # one horizon under the other, at the width of the book's text column
        fig, axes = plt.subplots(
            len(horizons),
            1,
            figsize=(FIGURE_WIDTH, len(horizons) * (d["feature"].nunique() / 3 + 1.4)),
            sharex=True,
            squeeze=False,
        )
        parts = []
        for ax, h in zip(axes[:, 0], horizons):
            s = d[d["horizon"] == h].sort_values("importance")
            names = [labels.get(f, f) for f in s["feature"]]
            ax.barh(
                names, s["importance"], xerr=s["sd"].fillna(0), color="C0", ecolor="0.4", capsize=2
            )
            ax.axvline(0, color="0.4", lw=0.8)
            ax.set_title(f"{h:g} months")
            ax.set_xlabel(f"loss of performance ({s['metric'].iloc[0]})")
            top = [
                labels.get(f, f)
                for f in s.sort_values("importance", ascending=False)["feature"].head(3)
            ]
            parts.append(f"at {h:g} months the top three are {', '.join(top)}")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        set_alt_text(
            fig,
            "Permutation importance of each feature, one panel per horizon, bars with one standard "
            "deviation over repeats; " + "; ".join(parts) + ".",
        )
        return fig

    return draw()


def partial_dependence_plot(
    pdp: pd.DataFrame, *, labels: Mapping[str, str] | None = None, title: str | None = None
):
    """Partial dependence of the survival probability: one panel per feature, one line per horizon.

    Parameters
    ----------
    pdp : pandas.DataFrame
        Stacked rows of :func:`partial_dependence_at` (``feature, value, survival, horizon``).
    labels : mapping, optional
        Display names of the features.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> p = pd.DataFrame({"feature": "a", "value": [0.0, 1.0], "survival": [0.7, 0.5], "horizon": 9.0})
    >>> from hccrep.plots import alt_text
    >>> "partial dependence" in alt_text(partial_dependence_plot(p)).lower()
    True
    """
    import matplotlib.pyplot as plt

    from hccrep.plots import FIGURE_WIDTH, set_alt_text, themed

    d = _check_long(pdp, ["feature", "value", "survival", "horizon"], "pdp")
    labels = dict(labels or {})

    @themed
    def draw():
        feats = list(dict.fromkeys(d["feature"]))
        ncol = min(2, len(feats))
        nrow = math.ceil(len(feats) / ncol)
        fig, axes = plt.subplots(
            nrow, ncol, figsize=(FIGURE_WIDTH, 2.8 * nrow), sharey=True, squeeze=False
        )
        parts = []
        for ax, f in zip(axes.ravel(), feats):
            s = d[d["feature"] == f]
            # a stacked frame of numeric and level PDPs has an object column: decide per feature
            categorical = not all(
                isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                for v in s["value"]
            )
            if not categorical:
                s = s.assign(value=s["value"].astype(float))
            for i, (h, g) in enumerate(s.groupby("horizon")):
                x = g["value"].astype(str) if categorical else g["value"]
                few = categorical or g["value"].nunique() <= 2
                ax.plot(
                    x,
                    g["survival"],
                    marker="o" if few else None,
                    ls=":" if categorical else "-",
                    label=f"{h:g} mo",
                    color=f"C{i}",
                )
            ax.set_title(labels.get(f, f))
            ax.set_xlabel("level" if categorical else "value")
            if categorical:
                ax.tick_params(axis="x", labelrotation=30)
            g_last = s[s["horizon"] == s["horizon"].max()]
            first, last = (
                v if categorical else f"{v:.3g}"
                for v in (g_last["value"].iloc[0], g_last["value"].iloc[-1])
            )
            change = g_last["survival"].iloc[-1] - g_last["survival"].iloc[0]
            parts.append(
                f"{labels.get(f, f)}: at {s['horizon'].max():g} months mean predicted survival "
                f"{'falls' if change < 0 else 'rises'} by {abs(change):.2f} from {first} to {last}"
            )
        spare = axes.ravel()[len(feats) :]
        for ax in spare:
            ax.set_visible(False)
        for row in axes:
            row[0].set_ylabel("mean predicted survival")
        handles, names = axes[0, 0].get_legend_handles_labels()
        if len(spare):  # the legend goes into the first empty panel, clear of every curve
            spare[0].set_visible(True)
            spare[0].axis("off")
            spare[0].legend(handles, names, title="horizon", loc="center")
        else:
            axes[0, 0].legend(title="horizon", loc="best")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        set_alt_text(
            fig,
            "Partial dependence plots of the predicted survival probability, one panel per feature "
            "and one line per horizon; " + "; ".join(parts) + ".",
        )
        return fig

    return draw()


def survival_calibration_plot(calibration: pd.DataFrame, *, title: str | None = None):
    """Predicted against Kaplan–Meier observed survival by risk group, one colour per horizon.

    Parameters
    ----------
    calibration : pandas.DataFrame
        Stacked rows of :func:`survival_calibration` (``group, predicted,
        observed, lower, upper, horizon``).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> c = pd.DataFrame({"group": [1, 2], "predicted": [0.8, 0.5], "observed": [0.75, 0.55],
    ...                   "lower": [0.6, 0.4], "upper": [0.9, 0.7], "horizon": 9.0})
    >>> from hccrep.plots import alt_text
    >>> alt_text(survival_calibration_plot(c)).startswith("Calibration")
    True
    """
    import matplotlib.pyplot as plt

    from hccrep.plots import FIGURE_WIDTH, set_alt_text, themed

    d = _check_long(
        calibration, ["group", "predicted", "observed", "lower", "upper", "horizon"], "calibration"
    )

    @themed
    def draw():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 4.5))
        ax.plot([0, 1], [0, 1], ls="--", color="0.5", lw=1, label="perfect calibration")
        parts = []
        for i, (h, g) in enumerate(d.groupby("horizon")):
            yerr = np.vstack([g["observed"] - g["lower"], g["upper"] - g["observed"]])
            ax.errorbar(
                g["predicted"],
                g["observed"],
                yerr=yerr,
                marker="o",
                capsize=3,
                color=f"C{i}",
                label=f"{h:g} months",
            )
            gap = np.max(np.abs(g["predicted"] - g["observed"]))
            inside = int(((g["lower"] <= g["predicted"]) & (g["predicted"] <= g["upper"])).sum())
            parts.append(
                f"at {h:g} months the largest gap is {gap:.2f} and {inside} of {len(g)} groups have "
                "the prediction inside the Kaplan-Meier interval"
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("mean predicted survival")
        ax.set_ylabel("Kaplan-Meier survival (95% CI)")
        ax.legend(loc="upper left")
        if title:
            ax.set_title(title)
        fig.tight_layout()
        set_alt_text(
            fig,
            "Calibration plot: mean predicted survival against Kaplan-Meier observed survival by "
            "risk group, with the diagonal of perfect calibration; " + "; ".join(parts) + ".",
        )
        return fig

    return draw()


# --------------------------------------------------------------------------
# a fitted collection: every number about its models computed once
# --------------------------------------------------------------------------


def _predict_blocks(
    model, blocks: Sequence[np.ndarray], times: np.ndarray, columns, base: np.ndarray | None = None
) -> list[np.ndarray]:
    """:func:`survival_at` of each feature array of ``blocks``, in one prediction pass over their rows.

    A forest or a tree predicts row by row, so stacking the arrays and
    splitting the result gives each block's values to the bit, and a forest
    walks each tree once instead of once per block (a Cox-type model's linear
    predictor is one matrix product, whose last bit can depend on how many
    rows BLAS multiplies at once). ``columns`` names the features. With
    ``base`` (an array of the blocks' shape: the data the blocks were made
    from by changing some columns), a row equal to ``base``'s row at the same
    place is predicted once, as that row of ``base``: permuting or setting a
    variable leaves many rows as they were.
    """
    sizes = [len(b) for b in blocks]
    stacked = np.vstack(blocks)
    if base is None:
        S = survival_at(model, pd.DataFrame(stacked, columns=columns), times)
        return np.split(S, np.cumsum(sizes)[:-1])
    n = len(base)
    if any(size != n for size in sizes):
        raise ValueError("every block must have the rows of base")
    same = (stacked.reshape(len(blocks), n, -1) == base).all(axis=2).ravel()
    changed = np.flatnonzero(~same)
    S_rows = survival_at(
        model, pd.DataFrame(np.vstack([base, stacked[changed]]), columns=columns), times
    )
    S = np.empty((stacked.shape[0], S_rows.shape[1]))
    S[changed] = S_rows[n:]
    S[same] = np.tile(S_rows[:n], (len(blocks), 1))[same]
    return np.split(S, np.cumsum(sizes)[:-1])


def grouped_permutation_importance(
    model,
    X: pd.DataFrame,
    y: np.ndarray,
    y_ref: np.ndarray,
    groups: Mapping[str, Sequence[str]],
    horizons: Sequence[float],
    *,
    seed,
    n_repeats: int = 3,
    brier: IPCWBrier | None = None,
) -> pd.DataFrame:
    """Permutation importance of clinical variables (groups of columns) for the prediction at each horizon.

    The columns of one group (the two indicators of a three-level variable)
    are permuted together, with one row permutation; the importance is the
    mean increase of the IPCW Brier score at the horizon (sksurv
    ``brier_score``, censoring from ``y_ref``, through :class:`IPCWBrier`),
    the loss survex's ``model_parts`` uses. :func:`permutation_importance_at`
    does the same per column. Every permuted copy is predicted in one pass
    (:func:`_predict_blocks`); the permutations are drawn in the order group
    by group, repeat by repeat.

    Parameters
    ----------
    model : fitted estimator with survival probabilities
    X : pandas.DataFrame
        The data the importance is computed on.
    y : numpy.ndarray from :func:`surv_array`
        Outcome of ``X``.
    y_ref : numpy.ndarray from :func:`surv_array`
        Data the censoring distribution is estimated from (the training set).
    groups : mapping str -> sequence of str
        Variable -> its columns in ``X``.
    horizons : sequence of float
    seed : int or SeedSequence or Generator
    n_repeats : int, default 3
    brier : IPCWBrier, optional
        The :class:`IPCWBrier` of ``(y_ref, y)`` at the sorted horizons, when the caller has one
        (it is built otherwise).

    Returns
    -------
    DataFrame
        Columns ``variable, horizon, importance, rank`` (rank 1 = most important at that horizon;
        equal importances ranked in the order of ``groups``).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    >>> y = surv_array(rng.exponential(12 * np.exp(-X["a"])), np.ones(120))
    >>> m = fit_models(X, y, seed=1, names=["cox"])["cox"]
    >>> imp = grouped_permutation_importance(m, X, y, y, {"a": ["a"], "b": ["b"]}, [6], seed=1)
    >>> imp.loc[imp["rank"] == 1, "variable"].item()
    'a'
    """
    if not groups:
        raise ValueError("groups must name at least one variable")
    for g, cols in groups.items():
        missing = [c for c in cols if c not in X.columns]
        if missing:
            raise ValueError(f"groups[{g!r}] names columns not in X: {missing}")
    if not (isinstance(n_repeats, (int, np.integer)) and n_repeats >= 1):
        raise ValueError(f"n_repeats must be a positive integer, got {n_repeats!r}")
    t = np.asarray(sorted(float(h) for h in horizons))
    rng = np.random.default_rng(seed)
    if brier is None:
        brier = IPCWBrier(y_ref, y, t)  # sksurv's brier_score, its censoring weights computed once
    elif not (np.array_equal(brier.times, t) and brier._n == len(X)):
        raise ValueError("brier must score the patients of X at the sorted horizons")
    base_x = X.to_numpy(dtype=float)
    blocks = [base_x]
    for cols in groups.values():
        idx = [X.columns.get_loc(c) for c in cols]
        for _ in range(n_repeats):
            Xp = base_x.copy()
            perm = rng.permutation(len(X))
            Xp[:, idx] = base_x[perm][:, idx]
            blocks.append(Xp)
    S = _predict_blocks(model, blocks, t, columns=X.columns, base=base_x)
    base = brier(S[0])
    imp = np.empty((len(groups), t.size))
    for i in range(len(groups)):
        inc = np.zeros(t.size)
        for r in range(n_repeats):
            inc += brier(S[1 + i * n_repeats + r]) - base
        imp[i] = inc / n_repeats
    return _ranked_importance(list(groups), t, imp)


def _ranked_importance(variables: list, t: np.ndarray, imp: np.ndarray) -> pd.DataFrame:
    """Columns ``variable, horizon, importance, rank`` sorted by horizon and rank.

    Rank 1 is the largest importance at a horizon; equal importances are ranked in the order of
    ``variables`` (pandas' ``rank(method="first", ascending=False)``), from one stable sort per
    horizon instead of a groupby.
    """
    if not np.isfinite(imp).all():
        raise ValueError("an importance is not finite")
    order = np.argsort(-imp, axis=0, kind="stable")  # (variable, horizon): best first
    k = len(variables)
    return pd.DataFrame(
        {
            "variable": [variables[i] for i in order.T.ravel()],
            "horizon": np.repeat(t.astype(float), k),
            "importance": np.take_along_axis(imp, order, axis=0).T.ravel(),
            "rank": np.tile(np.arange(1, k + 1), t.size),
        }
    )


def longest_run(flags: Sequence[bool]) -> int:
    """Length of the longest run of consecutive True values.

    Parameters
    ----------
    flags : sequence of bool

    Returns
    -------
    int

    Examples
    --------
    >>> longest_run([True, False, True, True, False])
    2
    """
    best = cur = 0
    for f in flags:
        cur = cur + 1 if f else 0
        best = max(best, cur)
    return best


class FittedCollection:
    """Survival models fitted on one training set and scored on it and on a validation set.

    Each number about the models (a metric, an importance ranking, a partial
    dependence, a decision curve) is computed from predictions made once per
    model and data set and kept on the object, so the many numbers a paper
    reports about one collection share them.

    Parameters
    ----------
    fitted : mapping str -> fitted estimator
        The models, in the order a tie between them is broken.
    X_train, X_test : pandas.DataFrame
        Features of the training and validation sets. A categorical variable
        is coded as 0/1 indicator columns named ``variable=level`` (as
        :meth:`hccrep.analyses.CohortView.design_arrays` names them).
    y_train, y_test : numpy.ndarray from :func:`surv_array`
    groups : mapping str -> list of str, optional
        Clinical variable -> its columns (default: each column on its own).
    horizons : sequence of float, default ()
        The time points the study reports; Brier scores and AUCs are computed
        at all of them at once, and Uno's C is truncated at the largest.
    seed : int, default 0
        Seed of the permutation importance.
    info : mapping, optional
        Anything the study wants to keep beside the models (shown, never read).

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> X = pd.DataFrame({"a": rng.normal(size=200)})
    >>> y = surv_array(rng.exponential(12 * np.exp(-X["a"])), rng.random(200) < 0.8)
    >>> f = fit_models(X[:120], y[:120], seed=1, names=["cox"])
    >>> col = FittedCollection(f, X[:120], y[:120], X[120:], y[120:], horizons=[3, 6])
    >>> ev = evaluate_models(f, X[:120], y[:120], X[120:], y[120:], times=(3, 6))
    >>> row = ev[(ev.metric == "brier") & (ev.dataset == "validation") & (ev.horizon == 6)]
    >>> col.metric("cox", "brier", "validation", 6) == row["value"].item()
    True
    """

    def __init__(
        self,
        fitted: Mapping[str, BaseEstimator],
        X_train,
        y_train,
        X_test,
        y_test,
        *,
        groups: Mapping[str, Sequence[str]] | None = None,
        horizons: Sequence[float] = (),
        seed: int = 0,
        info: Mapping | None = None,
    ):
        if not isinstance(fitted, Mapping) or not fitted:
            raise ValueError("fitted must be a non-empty mapping name -> fitted model")
        ev_tr, _ = _check_y(y_train, "y_train")
        ev_te, _ = _check_y(y_test, "y_test")
        self.fitted = dict(fitted)
        self._data = {
            "training": (_check_X(X_train, ev_tr.size, "X_train"), y_train),
            "validation": (_check_X(X_test, ev_te.size, "X_test"), y_test),
        }
        for X, _ in self._data.values():
            if not np.isfinite(X.to_numpy(dtype=float)).all():
                raise ValueError("the features contain infinite values")
        cols = list(self._data["training"][0].columns)
        self.groups = (
            {c: [c] for c in cols} if groups is None else {k: list(v) for k, v in groups.items()}
        )
        for g, gc in self.groups.items():
            missing = [c for c in gc if c not in cols]
            if missing:
                raise ValueError(f"groups[{g!r}] names columns not in X: {missing}")
        self.horizons = np.unique(np.asarray([float(h) for h in horizons], dtype=float))
        self.seed = int(seed)
        self.info = dict(info or {})
        self._cache: dict = {}

    # ------------------------------------------------------------------ data and predictions
    def data(self, dataset: str) -> tuple[pd.DataFrame, np.ndarray]:
        """``(X, y)`` of ``"training"`` or ``"validation"``.

        Parameters
        ----------
        dataset : {"training", "validation"}

        Returns
        -------
        tuple
            The features (DataFrame) and the outcome (structured array).
        """
        check_choice(dataset, ("training", "validation"), "dataset")
        return self._data[dataset]

    def model(self, name: str):
        """The fitted model ``name``.

        Parameters
        ----------
        name : str

        Returns
        -------
        estimator
            The fitted model; a KeyError names the models there are.
        """
        if name not in self.fitted:
            raise KeyError(f"the collection has no model {name!r}; it has {sorted(self.fitted)}")
        return self.fitted[name]

    def _memo(self, key, fn):
        if key not in self._cache:
            with _checked_once():  # the data were checked when the collection was built
                self._cache[key] = fn()
        return self._cache[key]

    def risk_score(self, name: str, dataset: str) -> np.ndarray:
        """The model's risk score (``predict``: higher = shorter survival), kept.

        Parameters
        ----------
        name : str
        dataset : {"training", "validation"}

        Returns
        -------
        numpy.ndarray
            One score per patient (a forest's through its leaves, the same values as ``predict``).
        """
        X, _ = self.data(dataset)
        model = self.model(name)

        def score() -> np.ndarray:
            if isinstance(model, RandomSurvivalForest) and not model.low_memory:
                return _forest_risk(model, X)
            return np.asarray(model.predict(X), dtype=float)

        return self._memo(("score", name, dataset), score)

    def _times(self, horizon) -> np.ndarray:
        return np.unique(np.concatenate([self.horizons, np.atleast_1d(float(horizon))]))

    def _brier(self, dataset: str, t: np.ndarray) -> IPCWBrier:
        """sksurv's Brier score on ``dataset`` at the sorted unique times ``t``, weights kept."""
        y_train, y = self._data["training"][1], self._data[dataset][1]
        return self._memo(("brier_w", dataset, tuple(t)), lambda: IPCWBrier(y_train, y, t))

    def survival(self, name: str, dataset: str, times) -> np.ndarray:
        """:func:`survival_at` the sorted unique ``times``, kept.

        Parameters
        ----------
        name : str
        dataset : {"training", "validation"}
        times : sequence of float

        Returns
        -------
        numpy.ndarray
            Shape (n, number of distinct times).
        """
        X, _ = self.data(dataset)
        t = np.unique(np.asarray(times, dtype=float))
        return self._memo(
            ("S", name, dataset, tuple(t)), lambda: survival_at(self.model(name), X, t)
        )

    # ------------------------------------------------------------------ metrics
    def metric(
        self,
        name: str,
        metric: str,
        dataset: str,
        horizon: float | None = None,
        *,
        variant: str = "harrell",
        tau: float | None = None,
    ) -> float:
        """One metric of one model, as :func:`evaluate_models` computes it.

        Parameters
        ----------
        name : str
            A model of the collection.
        metric : {"c_index", "brier", "ibs", "td_auc"}
        dataset : {"training", "validation"}
        horizon : float, optional
            The time of a Brier score or AUC, the upper end of an IBS (default
            for the IBS: the largest horizon).
        variant : {"harrell", "uno"}, default "harrell"
            The C-index.
        tau : float, optional
            Truncation of Uno's C (default: the largest horizon).

        Returns
        -------
        float
            NaN for a Brier score or IBS of a model without survival probabilities.

        Raises
        ------
        ValueError
            When a time lies outside the follow-up of the data scored (IPCW
            weights are not defined there).
        """
        check_choice(metric, ("c_index", "brier", "ibs", "td_auc"), "metric")
        check_choice(variant, ("harrell", "uno"), "variant")
        X, y = self.data(dataset)
        y_train = self._data["training"][1]
        if metric == "c_index":
            score = self.risk_score(name, dataset)
            if variant == "harrell":
                return self._memo(("harrell", name, dataset), lambda: _harrell(y, score))
            cut = float(tau) if tau is not None else float(self.horizons.max())
            return self._memo(
                ("uno", name, dataset, cut),
                lambda: float(concordance_index_ipcw(y_train, y, score, tau=cut)[0]),
            )
        if horizon is None:
            if metric != "ibs" or not self.horizons.size:
                raise ValueError(f"a {metric} needs a horizon")
            horizon = float(self.horizons.max())
        t = self._times(horizon)
        model = self.model(name)
        if metric == "ibs":
            if not has_survival_function(model):
                return float("nan")
            upper = float(horizon)
            _guard_times(t, y_train, y_train, "training")
            _guard_times(t, y_train, y, dataset)

            def ibs() -> float:
                grid = _ibs_grid(y_train, y, upper)
                brier_grid = IPCWBrier(y_train, y, grid)
                S_grid = self.survival(name, dataset, grid)
                return float(
                    np.trapezoid(brier_grid(S_grid), brier_grid.times)
                    / (brier_grid.times[-1] - brier_grid.times[0])
                )

            return self._memo(("ibs", name, dataset, upper), ibs)
        i = int(np.searchsorted(t, float(horizon)))

        def at_times() -> np.ndarray:
            _guard_times(t, y_train, y_train, "training")
            _guard_times(t, y_train, y, dataset)
            # sksurv's cumulative_dynamic_auc, its censoring weights computed once per data set
            auc_w = self._memo(("auc_w", dataset, tuple(t)), lambda: IPCWAUC(y_train, y, t))
            if not has_survival_function(model):
                return np.full(t.size, np.nan), auc_w(self.risk_score(name, dataset))
            S = self.survival(name, dataset, t)
            return self._brier(dataset, t)(S), auc_w(1.0 - S)

        bs, auc = self._memo(("at", name, dataset, tuple(t)), at_times)
        return float(bs[i] if metric == "brier" else auc[i])

    def best(
        self,
        metric: str,
        dataset: str,
        horizon: float | None = None,
        *,
        among: Sequence[str] | None = None,
        variant: str = "harrell",
        tau: float | None = None,
    ) -> str:
        """The model with the best ``metric`` (highest C-index or AUC, lowest Brier or IBS).

        A tie goes to the first model in ``among`` (default: the collection's order).

        Parameters
        ----------
        metric : {"c_index", "brier", "ibs", "td_auc"}
        dataset : {"training", "validation"}
        horizon : float, optional
        among : sequence of str, optional
        variant, tau
            As :meth:`metric`.

        Returns
        -------
        str
            The model's name; ValueError when a value is missing.
        """
        names = list(self.fitted) if among is None else list(among)
        vals = {
            m: self.metric(m, metric, dataset, horizon, variant=variant, tau=tau) for m in names
        }
        if any(not math.isfinite(v) for v in vals.values()):
            raise ValueError(f"{metric} is missing for some models: {vals}")
        pick = min if metric in ("brier", "ibs") else max
        return pick(vals, key=vals.get)

    # ------------------------------------------------------------------ explanation
    def importance(self, name: str, dataset: str, horizons, n_repeats: int = 3) -> pd.DataFrame:
        """:func:`grouped_permutation_importance` of the model on ``dataset`` (seed :attr:`seed`), kept.

        Computed once at ``horizons`` and every horizon of the collection (a
        horizon's ranking does not depend on the others: the permutations are
        the same), so claims about different horizons share one computation.

        Parameters
        ----------
        name : str
        dataset : {"training", "validation"}
        horizons : sequence of float
        n_repeats : int, default 3

        Returns
        -------
        DataFrame
            Columns ``variable, horizon, importance, rank``.
        """
        X, y = self.data(dataset)
        hs = tuple(np.unique(np.concatenate([self.horizons, np.asarray(horizons, dtype=float)])))
        return self._memo(
            ("importance", name, dataset, hs, n_repeats),
            lambda: grouped_permutation_importance(
                self.model(name),
                X,
                y,
                self._data["training"][1],
                self.groups,
                hs,
                seed=self.seed,
                n_repeats=n_repeats,
                brier=self._brier(dataset, np.asarray(hs)),
            ),
        )

    def partial_dependence(self, name: str, dataset: str, horizons) -> pd.DataFrame:
        """Mean predicted survival with each variable set to each level and to its reference, kept.

        Computed at ``horizons`` and every horizon of the collection at once.

        A categorical variable (several columns ``variable=level``) is set to
        each level in turn (its column 1, the others 0) and to the reference
        (every column 0); a numeric one (one column) to its upper and its
        lower quartile. Every setting is predicted in one pass.

        Parameters
        ----------
        name : str
        dataset : {"training", "validation"}
        horizons : sequence of float

        Returns
        -------
        DataFrame
            Columns ``variable, level, horizon, survival_level,
            survival_reference`` (``level`` is empty for a numeric variable).
        """
        X, _ = self.data(dataset)
        hs = np.unique(np.concatenate([self.horizons, np.asarray(horizons, dtype=float)]))

        def compute() -> pd.DataFrame:
            settings, blocks = [], []
            base = X.to_numpy(dtype=float)
            for var, cols in self.groups.items():
                idx = [X.columns.get_loc(c) for c in cols]
                ref = base.copy()
                if len(cols) == 1 and cols[0] == var:
                    q1, q3 = np.quantile(base[:, idx[0]], [0.25, 0.75])
                    lev = base.copy()
                    ref[:, idx[0]], lev[:, idx[0]] = q1, q3
                    settings.append((var, "", len(blocks), len(blocks) + 1))
                    blocks += [ref, lev]
                    continue
                ref[:, idx] = 0.0
                blocks.append(ref)
                at = len(blocks) - 1
                for c, j in zip(cols, idx):
                    lev = ref.copy()
                    lev[:, j] = 1.0
                    settings.append((var, c.split("=", 1)[-1], at, len(blocks)))
                    blocks.append(lev)
            S = [
                s.mean(axis=0)
                for s in _predict_blocks(self.model(name), blocks, hs, columns=X.columns, base=base)
            ]
            rows = [
                {
                    "variable": var,
                    "level": level,
                    "horizon": float(h),
                    "survival_level": float(S[j][k]),
                    "survival_reference": float(S[i][k]),
                }
                for var, level, i, j in settings
                for k, h in enumerate(hs)
            ]
            return pd.DataFrame(rows)

        return self._memo(("pdp", name, dataset, tuple(hs)), compute)

    def net_benefit(self, name: str, dataset: str, horizon: float, thresholds) -> pd.DataFrame:
        """:func:`hccrep.stats.prediction.net_benefit_survival` of the model's risk by ``horizon``.

        Parameters
        ----------
        name : str
        dataset : {"training", "validation"}
        horizon : float
        thresholds : sequence of float in [0, 1)

        Returns
        -------
        DataFrame
            Columns ``threshold, model, treat_all, treat_none``.
        """
        from hccrep.stats.prediction import net_benefit_survival

        _, y = self.data(dataset)
        t = self._times(horizon)
        # the predictions at every horizon, made once for the metrics (a column of them is the same)
        risk = 1.0 - self.survival(name, dataset, t)[:, int(np.searchsorted(t, float(horizon)))]
        return net_benefit_survival(y["time"], y["event"].astype(int), risk, horizon, thresholds)

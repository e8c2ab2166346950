"""Propensity-score matching as R's MatchIt does it, with the caliper scale named.

Three pieces:

* :func:`propensity_scores` -- a main-effects logistic regression of the
  treatment on the covariates, unpenalised, as R ``glm(family = binomial)``
  (MatchIt's default ``distance = "glm"``).
* :func:`match_nearest` -- greedy nearest-neighbour matching, a line-for-line
  port of MatchIt's ``method = "nearest"`` on a vector distance
  (``nn_matchC_vec``), so the matched sets are *identical* to MatchIt's, ties
  and matching order included.
* :func:`standardized_mean_differences` -- covariate balance, with the
  standardising SD of the treated group (MatchIt's ``summary()`` for the
  ATT) or pooled over both groups.

Why the caliper scale is a named variant
----------------------------------------
A paper that reports "1:1 matching with a caliper of 0.2" leaves open what
the 0.2 multiplies.  Two readings are common and give different matched sets:

``"logit_sd"``
    Austin (2011): match on the *logit* of the propensity score, caliper =
    0.2 x SD of the logit.  In MatchIt: ``distance = "glm", link =
    "linear.logit", caliper = 0.2`` (or a numeric logit vector as
    ``distance``).
``"ps_sd"``
    What MatchIt does when you pass ``caliper = 0.2`` with its defaults
    (``distance = "glm"``, ``std.caliper = TRUE``): match on the propensity
    score itself, caliper = 0.2 x SD of the propensity score.

and, rarely, ``"ps_raw"``: an absolute difference of 0.2 in the propensity
score.  In both SD variants MatchIt's SD is ``sd(distance)`` over *all*
units (treated and control together, denominator n - 1), not a pooled
within-group SD; this module uses the same SD.  The scale also fixes the
metric in which "nearest" is judged, so the two variants can pick different
controls even when no caliper is applied.

References
----------
Austin PC. Optimal caliper widths for propensity-score matching when
estimating differences in means and differences in proportions in
observational studies. Pharm Stat. 2011;10(2):150-161.

Ho DE, Imai K, King G, Stuart EA. MatchIt: nonparametric preprocessing for
parametric causal inference. J Stat Softw. 2011;42(8).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hccrep.stats._validate import check_choice

if TYPE_CHECKING:
    from hccrep.spec import Study

__all__ = [
    "READINGS",
    "SCALES",
    "declared_balance_table",
    "declared_matching",
    "effect_summary",
    "match_readings",
    "matched_effect",
    "monte_carlo_matching",
    "reading_labels",
    "treated_frame",
    "CALIPER_SCALES",
    "MATCH_ORDERS",
    "PS_ENGINES",
    "SMD_DENOMINATORS",
    "MatchResult",
    "balance_table",
    "glm_logit_irls",
    "match_nearest",
    "propensity_scores",
    "standardized_mean_differences",
]

CALIPER_SCALES = ("logit_sd", "ps_sd", "ps_raw")
MATCH_ORDERS = ("largest", "smallest", "data", "random")
SMD_DENOMINATORS = ("pooled", "treated")

_SCALE_TEXT = {
    "logit_sd": "the logit of the propensity score",
    "ps_sd": "the propensity score",
    "ps_raw": "the propensity score",
}
_ORDER_TEXT = {
    "largest": "treated units in decreasing order of the distance (MatchIt m.order='largest', its default)",
    "smallest": "treated units in increasing order of the distance (MatchIt m.order='smallest')",
    "data": "treated units in data order (MatchIt m.order='data')",
    "random": "treated units in random order (numpy Generator; not R's sample.int stream)",
}


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------


def _check_frame(df) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError("df must be a pandas DataFrame")
    if len(df) == 0:
        raise ValueError("df is empty")
    if not df.index.is_unique:
        dupes = df.index[df.index.duplicated()].unique()[:5].tolist()
        raise ValueError(
            f"df index labels must be unique (they name the matched units); duplicated: {dupes}"
        )


def _n_missing(col: pd.Series) -> int:
    """``int(col.isna().sum())``, read from the codes or the values where that is cheaper."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return int((col.array.codes < 0).sum())
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "iub":
        return 0  # numpy integers and booleans cannot be missing
    if isinstance(col.dtype, np.dtype) and col.dtype.kind == "f":
        return int(np.isnan(col.to_numpy()).sum())
    return int(col.isna().sum())


def _treatment_vector(df: pd.DataFrame, treatment: str) -> np.ndarray:
    if not isinstance(treatment, str) or treatment not in df.columns:
        raise ValueError(f"treatment column {treatment!r} not in df")
    col = df[treatment]
    missing = _n_missing(col)
    if missing:
        raise ValueError(f"treatment column {treatment!r} has {missing} missing value(s)")
    if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
        raise ValueError(
            f"treatment column {treatment!r} must be 0/1 (or boolean), got dtype {col.dtype}"
        )
    t = col.to_numpy(dtype=float)
    bad = ~np.isin(t, (0.0, 1.0))
    if bad.any():
        found = np.unique(t[bad])[:5].tolist()
        raise ValueError(f"treatment column {treatment!r} must be 0/1 (1 = treated), found {found}")
    n1 = int(t.sum())
    if n1 == 0 or n1 == t.size:
        raise ValueError(
            f"treatment column {treatment!r} needs both treated (1) and control (0) units"
        )
    return t.astype(np.int64)


def _covariate_list(df: pd.DataFrame, treatment: str, covariates) -> list[str]:
    if isinstance(covariates, str):
        raise ValueError(
            f"covariates must be a sequence of column names, not the string {covariates!r}"
        )
    try:
        covariates = list(covariates)
    except TypeError:
        raise ValueError("covariates must be a sequence of column names") from None
    if not covariates:
        raise ValueError("covariates is empty")
    dupes = sorted({str(c) for c in covariates if covariates.count(c) > 1})
    if dupes:
        raise ValueError(f"covariates listed more than once: {dupes}")
    for c in covariates:
        if c not in df.columns:
            raise ValueError(f"covariate {c!r} not in df")
        if c == treatment:
            raise ValueError(f"treatment column {treatment!r} is also listed as a covariate")
        n_missing = _n_missing(df[c])
        if n_missing:
            raise ValueError(f"covariate {c!r} has {n_missing} missing value(s)")
    return covariates


def _is_categorical(col: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col))


def _levels(col: pd.Series) -> list:
    """Levels in R's order: a pandas Categorical's categories (unused ones
    dropped, as ``droplevels``), otherwise the sorted distinct values, as R's
    ``factor()``."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cat = col.array
        used = np.bincount(cat.codes[cat.codes >= 0], minlength=len(cat.categories)) > 0
        return [c for c, u in zip(cat.categories, used) if u]
    try:
        return sorted(col.unique())
    except TypeError:
        raise ValueError(
            f"covariate {col.name!r} mixes value types that cannot be ordered"
        ) from None


def _design(df: pd.DataFrame, covariates: list[str]) -> np.ndarray:
    """Intercept + covariates, categorical ones as treatment contrasts (first level dropped).

    An ``(n, p)`` array in the memory order that ``DataFrame(columns).to_numpy()`` gives
    (column after column), without building the frame: the fit's sums then run in the
    same order as on the frame's array.
    """
    cols: dict[str, np.ndarray] = {"(Intercept)": np.ones(len(df))}
    for c in covariates:
        col = df[c]
        if _is_categorical(col):
            levels = _levels(col)
            if len(levels) < 2:
                raise ValueError(
                    f"covariate {c!r} has a single level {levels!r}; drop it from covariates"
                )
            if isinstance(
                col.dtype, pd.CategoricalDtype
            ):  # compare codes, not values (same columns)
                cat = col.array
                where = {lev: i for i, lev in enumerate(cat.categories)}
                for lev in levels[1:]:
                    cols[f"{c}={lev}"] = (cat.codes == where[lev]).astype(float)
                continue
            for lev in levels[1:]:
                cols[f"{c}={lev}"] = (col == lev).to_numpy(dtype=float)
        else:
            x = col.to_numpy(dtype=float)
            if not np.isfinite(x).all():
                raise ValueError(f"covariate {c!r} has infinite values")
            cols[str(c)] = x
    return np.array(list(cols.values()), dtype=float).T


# --------------------------------------------------------------------------
# propensity score
# --------------------------------------------------------------------------


#: how the propensity model is fitted: statsmodels itself, or its IRLS steps in numpy
PS_ENGINES = ("statsmodels", "numpy")

_BINOMIAL = None


def _binomial():
    """One statsmodels binomial family (logit link), made once: its methods are pure functions.

    Imported from ``statsmodels.genmod.families`` (what ``statsmodels.api.families`` names),
    because ``statsmodels.api`` itself takes about 0.3 s to import in every Monte Carlo worker."""
    global _BINOMIAL
    if _BINOMIAL is None:
        from statsmodels.genmod.families import Binomial

        _BINOMIAL = Binomial()
    return _BINOMIAL


def glm_logit_irls(
    y: np.ndarray, x: np.ndarray, maxiter: int = 100, tol: float = 1e-8
) -> tuple[np.ndarray, np.ndarray]:
    """statsmodels' ``GLM(y, x, family=Binomial()).fit()`` without its model and result objects.

    The Monte Carlo fits one propensity model per cohort; statsmodels spends
    most of such a fit building its model, its data handling and its result
    objects around a few small matrix products.  This function takes the same
    IRLS steps with the same numpy calls, in the same order, and calls the
    family's own public methods (starting value, link, weights, deviance), so
    the fitted values are statsmodels' to the last bit (statsmodels 0.14-0.15,
    ``tests/test_matching.py`` checks it): least squares by ``numpy.linalg.lstsq``
    at each step, the deviance convergence rule (``atol=tol``, ``rtol=0``) and a
    final pseudo-inverse solve of the last weighted least-squares problem
    (statsmodels' ``pinv_extended``), whose coefficients are the fit's. The
    warnings statsmodels gives for perfect separation and a rank-deficient
    design are given too.

    Parameters
    ----------
    y : numpy.ndarray
        0/1 outcome (float).
    x : numpy.ndarray
        ``(n, p)`` design, intercept column included.
    maxiter : int, default 100
        statsmodels' ``maxiter``.
    tol : float, default 1e-8
        statsmodels' ``tol`` (absolute tolerance on the change of the deviance).

    Returns
    -------
    mu : numpy.ndarray
        Fitted probabilities (statsmodels ``fittedvalues``).
    eta : numpy.ndarray
        Linear predictor (statsmodels ``predict(which="linear")``).

    Examples
    --------
    >>> x = np.column_stack([np.ones(8), [50, 61, 58, 47, 70, 66, 55, 52]])
    >>> mu, eta = glm_logit_irls(np.array([1, 1, 0, 1, 0, 0, 0, 1.0]), x)
    >>> mu.round(3)
    array([0.863, 0.252, 0.428, 0.933, 0.03 , 0.082, 0.625, 0.787])
    """
    import warnings

    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning, SingularMatrixWarning
    from statsmodels.tools.tools import pinv_extended

    fam = _binomial()
    ones = np.ones(y.shape[0])  # frequency and variance weights, binomial trials
    mu = fam.starting_mu(y)
    lin_pred = fam.predict(mu)
    dev = fam.deviance(y, mu, ones, ones, 1.0)
    if np.isnan(dev):
        raise ValueError("the first guess on the deviance is NaN (as statsmodels says)")
    deviance = [np.inf, dev]
    for iteration in range(maxiter):
        weights = ones * ones * fam.weights(mu)
        wlsendog = lin_pred + fam.link.deriv(mu) * (y - mu) - 0.0
        w_half = np.sqrt(weights)
        if not np.all(np.isfinite(w_half)):
            raise ValueError(
                "NaN, inf or invalid value detected in weights, estimation infeasible."
            )
        if not np.all(np.isfinite(wlsendog)):
            raise ValueError("NaN, inf or invalid value detected in endog, estimation infeasible.")
        params = np.linalg.lstsq(np.asarray(w_half)[:, None] * x, w_half * wlsendog, rcond=-1)[0]
        lin_pred = np.dot(x, params)
        lin_pred += 0.0
        mu = fam.fitted(lin_pred)
        deviance.append(fam.deviance(y, mu, ones, ones, 1.0))
        # np.allclose(mu - y, 0) and np.allclose(dev_a, dev_b, atol=tol, rtol=0) of statsmodels,
        # written out (the same comparisons; the deviances are finite after the first guess)
        if bool((np.abs(mu - y) <= 1e-8).all()):
            warnings.warn(
                "Perfect separation or prediction detected, parameter may not be identified",
                category=PerfectSeparationWarning,
                stacklevel=2,
            )
        a, b = deviance[iteration + 1], deviance[iteration + 2]
        if a == b or abs(a - b) <= tol:
            break
    # statsmodels' last step: WLS(wlsendog, x, weights).fit(method="pinv")
    wexog = np.sqrt(weights)[:, None] * x
    pinv_wexog, singular_values = pinv_extended(wexog)
    if np.linalg.matrix_rank(np.diag(singular_values)) < wexog.shape[1]:
        warnings.warn(
            "The design matrix is rank-deficient. The model parameters are not uniquely determined.",
            SingularMatrixWarning,
            stacklevel=2,
        )
    params = np.dot(pinv_wexog, wlsendog * np.sqrt(weights))
    eta = np.dot(x, params) + 0.0 + 0.0
    return fam.fitted(eta), eta


def _fit_ps(
    df: pd.DataFrame, treatment: str, covariates, engine: str = "statsmodels", t=None
) -> tuple[np.ndarray, np.ndarray]:
    """(propensity score, linear predictor) from an unpenalised logistic GLM.

    ``t`` is the treatment vector when the caller has already checked ``df`` and read it.
    """
    check_choice(engine, PS_ENGINES, "ps_engine")
    if t is None:
        _check_frame(df)
        t = _treatment_vector(df, treatment)
    covariates = _covariate_list(df, treatment, covariates)
    x = _design(df, covariates)
    if engine == "numpy":
        ps, eta = glm_logit_irls(t.astype(float), x)
    else:
        import statsmodels.api as sm

        fit = sm.GLM(t.astype(float), x, family=sm.families.Binomial()).fit()
        eta = np.asarray(fit.predict(which="linear"), dtype=float)
        ps = np.asarray(fit.fittedvalues, dtype=float)
    if not (np.isfinite(eta).all() and ((ps > 0) & (ps < 1)).all()):
        raise ValueError(
            "propensity scores of exactly 0 or 1 in floating point (complete separation of treatment by the "
            "covariates); the logistic model has no finite maximum-likelihood estimate"
        )
    return ps, eta


def propensity_scores(df: pd.DataFrame, treatment: str, covariates: Sequence[str]) -> np.ndarray:
    """Propensity scores from a main-effects logistic regression.

    The model is ``logit P(treatment = 1) = b0 + b1 x1 + ...``, fitted by
    unpenalised maximum likelihood (statsmodels ``GLM`` with a binomial
    family), the same model as R ``glm(treat ~ x1 + ..., family = binomial)``
    and hence MatchIt's default ``distance = "glm"``.  (scikit-learn's
    ``LogisticRegression`` is L2-penalised by default and gives different
    scores.)

    Parameters
    ----------
    df : pandas.DataFrame
        One row per patient.
    treatment : str
        Column coded 1 = treated, 0 = control (booleans accepted); both must
        occur and none may be missing.
    covariates : sequence of str
        Covariate columns, without missing values.  Numeric and boolean
        columns enter as they are.  Other columns (pandas ``Categorical``,
        strings) enter as indicator variables for every level but the first,
        R's treatment contrasts; the first level is the first category of a
        ``Categorical`` (unused categories dropped) or else the smallest value
        in Python's sort order.  Collinear columns are allowed: the fitted
        scores are then unique although the coefficients are not (R reports
        ``NA`` coefficients, statsmodels uses a pseudo-inverse).

    Returns
    -------
    numpy.ndarray
        Estimated probability of treatment for each row of ``df``, in row
        order.

    Raises
    ------
    ValueError
        For a malformed treatment or covariate, or when a fitted score is
        exactly 0 or 1 in floating point (its logit is infinite).  Under
        complete or quasi-complete separation the fit itself only warns
        (statsmodels ``PerfectSeparationWarning``, as R's ``glm`` warns
        "fitted probabilities numerically 0 or 1 occurred"): the scores are
        then extreme and the coefficients meaningless.

    Examples
    --------
    >>> df = pd.DataFrame({"rt": [1, 1, 0, 1, 0, 0, 0, 1],
    ...                    "age": [50, 61, 58, 47, 70, 66, 55, 52]})
    >>> propensity_scores(df, "rt", ["age"]).round(3)
    array([0.863, 0.252, 0.428, 0.933, 0.03 , 0.082, 0.625, 0.787])
    """
    ps, _ = _fit_ps(df, treatment, covariates)
    return ps


# --------------------------------------------------------------------------
# nearest-neighbour matching
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchResult:
    """Matched sets from :func:`match_nearest`.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per (treated, control) match, columns ``treated`` and
        ``control`` (row labels of the matched data frame) and ``distance``
        (absolute difference of the two units' distances, on the scale
        matched on).  Rows are ordered by the treated unit's position in the
        data, then by matching round (``ratio > 1``).  Treated units without a
        match do not appear.
    caliper : float or None
        The caliper width actually applied, on the scale matched on (for the
        SD scales: the multiplier times the SD); None without a caliper.
    caliper_scale : str
        ``"logit_sd"``, ``"ps_sd"`` or ``"ps_raw"``, see :func:`match_nearest`.
    n_treated_matched : int
        Treated units with at least one matched control.
    n_control_matched : int
        Distinct control units used.
    variant : str
        What was computed, in words.
    distance : pandas.Series
        The distance each unit was matched on (the logit of the propensity
        score or the score itself), indexed like the data frame.
    """

    pairs: pd.DataFrame
    caliper: float | None
    caliper_scale: str
    n_treated_matched: int
    n_control_matched: int
    variant: str
    distance: pd.Series

    def _check_labels(self, df: pd.DataFrame) -> None:
        if not isinstance(df, pd.DataFrame):
            raise TypeError("df must be a pandas DataFrame")
        needed = pd.Index(self.pairs["treated"]).append(pd.Index(self.pairs["control"]))
        missing = needed.difference(df.index)
        if len(missing):
            raise ValueError(
                f"df lacks the matched row label(s) {missing[:5].tolist()}; pass the data frame that was matched"
            )

    def pair_ids(self) -> pd.Series:
        """Matched-set number of each treated unit (1, 2, ... in data order), indexed by its label."""
        treated = pd.unique(self.pairs["treated"])
        return pd.Series(np.arange(1, len(treated) + 1), index=pd.Index(treated), name="pair")

    def matched(self, df: pd.DataFrame) -> pd.DataFrame:
        """The matched rows of ``df`` with a ``pair`` column (matched-set number).

        Sets are numbered 1, 2, ... in the data order of their treated unit;
        each set lists its treated unit first, then its controls in matching
        order.  With ``replace=True`` a control used by several treated
        units appears once per set (its index label then repeats).

        Parameters
        ----------
        df : pandas.DataFrame
            The data frame passed to :func:`match_nearest`.

        Returns
        -------
        pandas.DataFrame
        """
        self._check_labels(df)
        if "pair" in df.columns:
            raise ValueError("df already has a column named 'pair'")
        labels, sets = self.matched_sets()
        # the rows by position: df.loc[labels] on the (unique) index, at a quarter of the cost
        out = df.take(df.index.get_indexer(labels))
        out["pair"] = sets
        return out

    def matched_sets(self) -> tuple[list, np.ndarray]:
        """The row labels of :meth:`matched`, in its order, and each row's matched-set number.

        Sets are numbered 1, 2, ... in the data order of their treated unit; each set
        lists its treated unit first, then its controls in matching order.

        Returns
        -------
        labels : list
            Index labels of the matched rows (a control matched twice with
            replacement appears once per set).
        sets : numpy.ndarray of int64
            The matched-set number of each label.

        Examples
        --------
        >>> df = pd.DataFrame({"rt": [1, 1, 0, 0, 0]}, index=list("ABxyz"))
        >>> m = match_nearest(df, "rt", ps=[0.7, 0.3, 0.65, 0.2, 0.5])
        >>> labels, sets = m.matched_sets()
        >>> labels, sets.tolist()
        (['A', 'x', 'B', 'y'], [1, 1, 2, 2])
        """
        # sets in the order of their treated unit's first pair, as pair_ids numbers them;
        # controls in pair order within a set (what groupby(sort=False) gives, without its cost)
        controls: dict = {}
        for t, c in zip(self.pairs["treated"].tolist(), self.pairs["control"].tolist()):
            controls.setdefault(t, []).append(c)
        labels, sets = [], []
        for number, (t, cs) in enumerate(controls.items(), start=1):
            labels.append(t)
            labels.extend(cs)
            sets.extend([number] * (1 + len(cs)))
        return labels, np.asarray(sets, dtype=np.int64)

    def weights(self, df: pd.DataFrame) -> pd.Series:
        """Matching weights as MatchIt computes them (``m$weights``).

        A matched treated unit has weight 1.  A control gets ``1/k`` from each
        treated unit it is matched to (``k`` = that unit's number of
        controls); control weights are then rescaled to sum to the number of
        distinct matched controls.  Unmatched units have weight 0.  For 1:1
        matching without replacement every matched unit has weight 1.
        """
        self._check_labels(df)
        w = pd.Series(0.0, index=df.index, name="weight")
        k = (
            self.pairs.groupby("treated", sort=False)["control"]
            .transform("size")
            .to_numpy(dtype=float)
        )
        contrib = pd.Series(1.0 / k).groupby(self.pairs["control"].to_numpy()).sum()
        w.loc[contrib.index] = contrib.to_numpy() * len(contrib) / contrib.sum()
        w.loc[pd.unique(self.pairs["treated"])] = 1.0
        return w


#: Known defects of particular MatchIt releases that :func:`_greedy_nearest`
#: can reproduce, so that the port can be checked against whichever MatchIt is
#: installed (the public functions never use them):
#:
#: ``"int_abs"``
#:     MatchIt 4.5.1-4.5.3 took ``abs()`` of a distance difference with C's
#:     integer ``abs``, truncating it to a whole number: differences below 1
#:     became 0, so calipers narrower than 1 were never applied and the
#:     nearer of two controls was chosen only when they differed by a whole
#:     unit (kosukeimai/MatchIt#163, fixed in 4.5.4).
#: ``"ratio_index"``
#:     MatchIt 4.5.0-4.5.2 stored matches 1-based but compared them 0-based
#:     when skipping controls already matched to the same treated unit, so in
#:     rounds 2+ of ``ratio > 1`` matching the control in the data row after
#:     an earlier match was skipped and, with replacement, a control could be
#:     matched twice to one treated unit (MatchIt#159, fixed in 4.5.3).
MATCHIT_DEFECTS = ("int_abs", "ratio_index")


def _greedy_nearest(
    distance: np.ndarray,
    treat: np.ndarray,
    treated_order: np.ndarray,
    ratio: int,
    caliper: float | None,
    replace: bool,
    emulate: frozenset[str] = frozenset(),
) -> list[list[int]]:
    """Port of MatchIt 4.5 ``nn_matchC_vec`` (vector distance, no exact/discard).

    Units are sorted by distance (stable, as R ``order()``).  For each treated
    unit, in ``treated_order``, the nearest usable control is searched to its
    left and to its right in that sorted sequence; a search stops at the first
    usable control or when that control is outside the caliper (all further
    ones are farther).  The left control wins ties (``<=``).  ``ratio``
    rounds are made over all treated units.  Returns, per treated position
    (index into the treated units in data order), the list of matched
    control positions (indices into the data).  ``emulate`` names defects of
    old MatchIt releases to reproduce (see :data:`MATCHIT_DEFECTS`).
    """
    if emulate - set(MATCHIT_DEFECTS):
        raise ValueError(f"unknown MatchIt defect(s) {sorted(emulate - set(MATCHIT_DEFECTS))}")
    if "int_abs" in emulate:

        def gap(a: float, b: float) -> float:
            return float(abs(int(a - b)))  # C: abs((int)(a - b)), truncation toward zero
    else:

        def gap(a: float, b: float) -> float:
            return abs(a - b)

    shift = 1 if "ratio_index" in emulate else 0
    n = distance.size
    d_ord = np.argsort(distance, kind="stable")
    dist = distance[d_ord]
    is_treated = treat[d_ord] == 1
    pos = np.empty(n, dtype=np.int64)
    pos[d_ord] = np.arange(n)
    treated_rows = np.flatnonzero(treat == 1)
    available = ~is_treated
    n_available = int(available.sum())
    matches: list[list[int]] = [[] for _ in treated_rows]

    def search(ii: int, step: int, taken: list[int]) -> int:
        skip = {c + shift for c in taken}
        k = ii + step
        while 0 <= k < n:
            if is_treated[k] or not available[k] or d_ord[k] in skip:
                k += step
                continue
            if caliper is not None and gap(dist[ii], dist[k]) > caliper:
                return -1
            return k
        return -1

    for _ in range(ratio):
        for j in treated_order:
            ii = int(pos[treated_rows[j]])
            taken = matches[j]
            left = search(ii, -1, taken)
            right = search(ii, +1, taken)
            if left >= 0 and right >= 0:
                k = left if gap(dist[left], dist[ii]) <= gap(dist[right], dist[ii]) else right
            elif left >= 0 or right >= 0:
                k = max(left, right)
            else:
                continue
            taken.append(int(d_ord[k]))
            if not replace:
                available[k] = False
                n_available -= 1
                if n_available == 0:
                    return matches
    return matches


def _as_ps_vector(ps, df: pd.DataFrame) -> np.ndarray:
    if isinstance(ps, pd.Series) and not ps.index.equals(df.index):
        raise ValueError(
            "ps is a Series whose index differs from df's index; align it first (ps.reindex(df.index))"
        )
    try:
        p = np.asarray(ps, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError("ps must be numeric") from None
    if p.size != len(df):
        raise ValueError(f"ps has {p.size} values but df has {len(df)} rows")
    if np.isnan(p).any():
        raise ValueError(f"ps has {int(np.isnan(p).sum())} missing value(s)")
    if ((p <= 0) | (p >= 1)).any():
        raise ValueError("ps must be propensity scores strictly between 0 and 1")
    return p


def match_nearest(
    df: pd.DataFrame,
    treatment: str,
    covariates: Sequence[str] | None = None,
    *,
    ps=None,
    ratio: int = 1,
    caliper: float | None = None,
    caliper_scale: str = "logit_sd",
    order: str = "largest",
    replace: bool = False,
    rng: np.random.Generator | int | None = None,
    ps_engine: str = "statsmodels",
) -> MatchResult:
    """Greedy nearest-neighbour propensity-score matching, as R MatchIt.

    Each treated unit in turn (see ``order``) takes the nearest control still
    available; with a caliper, a treated unit whose nearest available control
    is farther than the caliper stays unmatched.  The algorithm is a port of
    MatchIt's ``method = "nearest"`` for a vector distance (MatchIt 4.5,
    ``nn_matchC_vec``) and reproduces its matched sets exactly::

        # caliper_scale = "ps_sd" (MatchIt's own default reading of caliper = c)
        matchit(treat ~ x1 + x2, data, method = "nearest", distance = "glm",
                caliper = c, std.caliper = TRUE, m.order = "largest")
        # caliper_scale = "logit_sd" (Austin 2011)
        matchit(treat ~ x1 + x2, data, method = "nearest", distance = "glm",
                link = "linear.logit", caliper = c, std.caliper = TRUE)

    Parameters
    ----------
    df : pandas.DataFrame
        One row per unit, with unique index labels (they name the matches).
    treatment : str
        Column coded 1 = treated, 0 = control.
    covariates : sequence of str, optional
        Covariates of the propensity model (see :func:`propensity_scores`).
        Give either ``covariates`` or ``ps``.
    ps : array_like, optional
        Propensity scores in ``(0, 1)``, one per row of ``df`` (a Series must
        have ``df``'s index), e.g. from a model with interactions.
    ratio : int, default 1
        Controls per treated unit (``k:1`` matching); MatchIt's ``ratio``.
        Matching proceeds in ``ratio`` rounds over all treated units.
    caliper : float, optional
        Caliper as a multiple of an SD (``"logit_sd"``, ``"ps_sd"``) or as an
        absolute propensity-score difference (``"ps_raw"``).  A control is
        within the caliper when ``|distance difference| <= width``.
    caliper_scale : {"logit_sd", "ps_sd", "ps_raw"}, default "logit_sd"
        The distance matched on and the unit of ``caliper``:

        * ``"logit_sd"`` -- distance = logit of the propensity score (the
          model's linear predictor); width = ``caliper`` x SD of the logit
          (Austin 2011's recommendation, with ``caliper = 0.2``).
        * ``"ps_sd"`` -- distance = propensity score; width = ``caliper`` x SD
          of the propensity score.  This is what MatchIt does with
          ``distance = "glm", caliper = c`` (``std.caliper = TRUE`` is its
          default).
        * ``"ps_raw"`` -- distance = propensity score; width = ``caliper``.

        The SD is MatchIt's ``sd(distance)``: over *all* units, treated and
        control together, with denominator ``n - 1`` -- not the pooled
        within-group SD.  Papers often say only "a caliper of 0.2" (so does
        fonc2025), which fits both SD readings; the book shows both.  The
        scale matters even without a caliper, because nearest on the logit
        scale is not always nearest on the probability scale.
    order : {"largest", "smallest", "data", "random"}, default "largest"
        Order in which treated units choose (MatchIt's ``m.order``):
        decreasing distance (MatchIt's default for a propensity score),
        increasing distance, data order, or a random permutation drawn from
        ``rng`` (which cannot reproduce R's ``sample.int``).  Ties in the
        distance keep data order (R's ``order()`` is stable).  With
        ``replace=True`` the order cannot change the result and MatchIt uses
        ``"data"``.
    replace : bool, default False
        Whether a control may be matched to several treated units.
    rng : numpy.random.Generator or int, optional
        Required for ``order="random"`` (an int is a seed).
    ps_engine : {"statsmodels", "numpy"}, default "statsmodels"
        How the propensity model is fitted from ``covariates``: statsmodels'
        ``GLM``, or its IRLS steps in numpy (:func:`glm_logit_irls`, the same
        scores to the last bit without statsmodels' model and result objects;
        the Monte Carlo uses it).

    Returns
    -------
    MatchResult

    Notes
    -----
    Ties are resolved as in MatchIt, which works on the units sorted by
    distance (a stable sort, so tied units keep their data order): from the
    treated unit's place in that sequence, the first available control to
    the left (lower or equal distance) and the first to the right are found,
    and the left one is taken when the two are equally far.  Among controls
    with *identical* distances this picks the one adjacent to the treated
    unit in the sorted sequence, which is the last of them in data order if
    they sit to its left and the first if they sit to its right.  MatchIt
    numbers its ``subclass`` factor by a string sort of row numbers; here
    matched sets are numbered in data order (see :meth:`MatchResult.matched`).

    The results are those of a correct MatchIt (4.5.4 or later).  MatchIt
    4.5.1-4.5.3 -- 4.5.1 is what Debian 12 packages as
    ``r-cran-matchit`` -- truncated distance gaps to whole numbers on some
    builds, so a caliper on the propensity score was silently ignored and
    the lower of two candidate controls always won (MatchIt issue #163);
    4.5.0-4.5.2 also mis-skipped controls in rounds 2+ of ``ratio > 1``
    matching (#159).  On such a MatchIt the R call above gives different
    matched sets; the tests reproduce both defects to check this port
    against the installed MatchIt line by line (see ``MATCHIT_DEFECTS``).

    Examples
    --------
    Three treated units (A, B, C) and five controls, matched on given
    propensity scores with an absolute caliper of 0.06:

    >>> df = pd.DataFrame({"rt": [1, 1, 1, 0, 0, 0, 0, 0]},
    ...                   index=list("ABCvwxyz"))
    >>> ps = [0.70, 0.50, 0.20, 0.68, 0.60, 0.45, 0.10, 0.30]
    >>> m = match_nearest(df, "rt", ps=ps, caliper=0.06, caliper_scale="ps_raw")
    >>> m.pairs
      treated control  distance
    0       A       v      0.02
    1       B       x      0.05
    >>> m.n_treated_matched, m.n_control_matched
    (2, 2)
    """
    return _match_nearest(
        df,
        treatment,
        covariates,
        ps=ps,
        ratio=ratio,
        caliper=caliper,
        caliper_scale=caliper_scale,
        order=order,
        replace=replace,
        rng=rng,
        emulate=frozenset(),
        ps_engine=ps_engine,
    )


def _match_nearest(
    df,
    treatment,
    covariates,
    *,
    ps,
    ratio,
    caliper,
    caliper_scale,
    order,
    replace,
    rng,
    emulate: frozenset[str],
    ps_engine: str = "statsmodels",
) -> MatchResult:
    """:func:`match_nearest`, optionally reproducing defects of old MatchIt releases (tests only)."""
    _check_frame(df)
    t = _treatment_vector(df, treatment)
    check_choice(caliper_scale, CALIPER_SCALES, "caliper_scale")
    check_choice(order, MATCH_ORDERS, "order")
    if isinstance(ratio, bool) or not isinstance(ratio, (int, np.integer)) or ratio < 1:
        raise ValueError(f"ratio must be a whole number >= 1, got {ratio!r}")
    ratio = int(ratio)
    if not isinstance(replace, (bool, np.bool_)):
        raise ValueError(f"replace must be True or False, got {replace!r}")
    if caliper is not None:
        if isinstance(caliper, bool) or not isinstance(
            caliper, (int, float, np.integer, np.floating)
        ):
            raise ValueError(f"caliper must be a positive number or None, got {caliper!r}")
        if not (np.isfinite(caliper) and caliper > 0):
            raise ValueError(f"caliper must be a positive finite number, got {caliper!r}")
    if order == "random":
        if rng is None:
            raise ValueError("order='random' needs rng (a numpy Generator or an integer seed)")
        rng = np.random.default_rng(rng)
    elif rng is not None:
        raise ValueError(f"rng is only used with order='random', not order={order!r}")

    if (covariates is None) == (ps is None):
        raise ValueError("give exactly one of covariates (to fit the propensity model) or ps")
    if ps is None:
        p, eta = _fit_ps(df, treatment, covariates, ps_engine, t=t)
        source = "logistic-regression propensity score (R glm(family = binomial))"
    else:
        p = _as_ps_vector(ps, df)
        eta = np.log(p) - np.log1p(-p)
        source = "supplied propensity score"
    distance = eta if caliper_scale == "logit_sd" else p

    width = None
    if caliper is not None:
        if caliper_scale == "ps_raw":
            width = float(caliper)
        else:
            sd = float(np.std(distance, ddof=1))
            if not sd > 0:
                raise ValueError("caliper in SD units needs a distance that varies (its SD is 0)")
            width = float(caliper) * sd

    d1 = distance[t == 1]
    if order == "largest":
        treated_order = np.argsort(-d1, kind="stable")
    elif order == "smallest":
        treated_order = np.argsort(d1, kind="stable")
    elif order == "data" or replace:
        treated_order = np.arange(d1.size)
    else:
        treated_order = rng.permutation(d1.size)

    found = _greedy_nearest(
        distance, t, treated_order, ratio, width, bool(replace), frozenset(emulate)
    )

    labels = df.index
    treated_rows = np.flatnonzero(t == 1)
    rows = [
        (labels[treated_rows[j]], labels[c], abs(distance[treated_rows[j]] - distance[c]))
        for j, controls in enumerate(found)
        for c in controls
    ]
    pairs = pd.DataFrame(rows, columns=["treated", "control", "distance"])
    if pairs.empty:
        pairs = pd.DataFrame(
            {
                "treated": pd.Series([], dtype=labels.dtype),
                "control": pd.Series([], dtype=labels.dtype),
                "distance": pd.Series([], dtype=float),
            }
        )

    ratio_text = f"{ratio}:1"
    repl_text = "with replacement" if replace else "without replacement"
    order_text = (
        "treated units in data order (order is irrelevant with replacement)"
        if replace
        else _ORDER_TEXT[order]
    )
    if width is None:
        cal_text = "no caliper"
    elif caliper_scale == "ps_raw":
        cal_text = f"caliper {width:.6g} (absolute propensity-score difference)"
    else:
        cal_text = (
            f"caliper {float(caliper):g} SD of {_SCALE_TEXT[caliper_scale]} (SD over all units, as MatchIt "
            f"std.caliper=TRUE) = {width:.6g} on that scale"
        )
    variant = (
        f"greedy nearest-neighbour {ratio_text} matching {repl_text} on {_SCALE_TEXT[caliper_scale]} "
        f"({source}); {order_text}; {cal_text}; ties to the lower distance (MatchIt nn_matchC_vec)"
    )
    if emulate:
        variant += (
            f"; REPRODUCING MatchIt defect(s) {', '.join(sorted(emulate))} (for parity tests only)"
        )
    return MatchResult(
        pairs=pairs,
        caliper=width,
        caliper_scale=caliper_scale,
        n_treated_matched=int(pairs["treated"].nunique()),
        n_control_matched=int(pairs["control"].nunique()),
        variant=variant,
        distance=pd.Series(
            distance, index=df.index, name="logit_ps" if caliper_scale == "logit_sd" else "ps"
        ),
    )


# --------------------------------------------------------------------------
# balance
# --------------------------------------------------------------------------


def _balance_columns(df: pd.DataFrame, covariates: list[str]) -> dict[str, np.ndarray]:
    """Numeric columns as they are; categorical ones as one indicator per level (all levels)."""
    out: dict[str, np.ndarray] = {}
    for c in covariates:
        col = df[c]
        if _is_categorical(col):
            for lev in _levels(col):
                out[f"{c}={lev}"] = (col == lev).to_numpy(dtype=float)
        else:
            x = col.to_numpy(dtype=float)
            if not np.isfinite(x).all():
                raise ValueError(f"covariate {c!r} has infinite values")
            out[str(c)] = x
    return out


def _variance(x: np.ndarray) -> float:
    """MatchIt ``wvar`` without weights: p(1 - p) for 0/1 data, else the n - 1 variance."""
    if np.isin(x, (0.0, 1.0)).all():
        p = x.mean()
        return float(p * (1 - p))
    return float(np.var(x, ddof=1)) if x.size > 1 else float("nan")


def standardized_mean_differences(
    df: pd.DataFrame,
    treatment: str,
    covariates: Sequence[str],
    weights=None,
    denominator: str = "pooled",
) -> pd.DataFrame:
    """Standardised mean differences (SMD) of covariates between the groups.

    ``smd = (mean_treated - mean_control) / s`` with

    * ``denominator="pooled"``: ``s = sqrt((var_treated + var_control) / 2)``
      (the usual Table 1 SMD; MatchIt's ``s.d.denom = "pooled"``);
    * ``denominator="treated"``: ``s = sqrt(var_treated)``, what MatchIt's
      ``summary()`` prints as "Std. Mean Diff." for the ATT, both before and
      after matching.

    A variable whose values are all 0 or 1 is binary and its variance is
    ``p (1 - p)``; otherwise the sample variance (denominator ``n - 1``).
    Categorical (non-numeric) covariates give one indicator row per level
    (every level, as MatchIt's ``summary``), named ``"column=level"``.

    Parameters
    ----------
    df : pandas.DataFrame
    treatment : str
        Column coded 1 = treated, 0 = control.
    covariates : sequence of str
    weights : array_like, optional
        Non-negative weights, one per row (a Series must have ``df``'s
        index), e.g. :meth:`MatchResult.weights`.  They enter the *means*
        only: the standardising SD is always that of the unweighted rows of
        ``df``, as in MatchIt and cobalt, so that the SMD before and after
        matching share one denominator.  Pass the full data with matching
        weights to reproduce MatchIt's ``summary(m)$sum.matched``; pass the
        matched rows (:meth:`MatchResult.matched`) without weights to
        standardise by the matched sample's own SD instead.
    denominator : {"pooled", "treated"}, default "pooled"

    Returns
    -------
    pandas.DataFrame
        Columns ``covariate, mean_treated, mean_control, smd``; ``attrs
        ["variant"]`` describes the computation.  ``smd`` is 0 when the means
        are equal and NaN when they differ but the SD is 0 (MatchIt then
        falls back to another SD).

    Examples
    --------
    >>> df = pd.DataFrame({"rt": [1, 1, 1, 0, 0, 0],
    ...                    "age": [50.0, 60.0, 70.0, 55.0, 65.0, 75.0],
    ...                    "male": [1, 1, 0, 1, 0, 0]})
    >>> standardized_mean_differences(df, "rt", ["age", "male"]).round(4)
      covariate  mean_treated  mean_control     smd
    0       age       60.0000       65.0000 -0.5000
    1      male        0.6667        0.3333  0.7071
    """
    _check_frame(df)
    check_choice(denominator, SMD_DENOMINATORS, "denominator")
    t = _treatment_vector(df, treatment)
    covariates = _covariate_list(df, treatment, covariates)
    if weights is None:
        w = np.ones(len(df))
    else:
        if isinstance(weights, pd.Series) and not weights.index.equals(df.index):
            raise ValueError(
                "weights is a Series whose index differs from df's index; align it first"
            )
        try:
            w = np.asarray(weights, dtype=float).ravel()
        except (TypeError, ValueError):
            raise ValueError("weights must be numeric") from None
        if w.size != len(df):
            raise ValueError(f"weights has {w.size} values but df has {len(df)} rows")
        if not np.isfinite(w).all() or (w < 0).any():
            raise ValueError("weights must be finite and non-negative")
        for g, name in ((1, "treated"), (0, "control")):
            if not w[t == g].sum() > 0:
                raise ValueError(f"weights of the {name} group sum to 0")
    g1, g0 = t == 1, t == 0
    rows = []
    for name, x in _balance_columns(df, covariates).items():
        m1 = float(np.sum(w[g1] * x[g1]) / np.sum(w[g1]))
        m0 = float(np.sum(w[g0] * x[g0]) / np.sum(w[g0]))
        v1 = _variance(x[g1])
        s = np.sqrt(v1) if denominator == "treated" else np.sqrt((v1 + _variance(x[g0])) / 2)
        diff = m1 - m0
        if diff == 0:
            smd = 0.0
        elif s > 0:
            smd = diff / s
        else:
            smd = float("nan")
        rows.append((name, m1, m0, float(smd)))
    out = pd.DataFrame(rows, columns=["covariate", "mean_treated", "mean_control", "smd"])
    sd_text = (
        "SD of the treated group (MatchIt summary() for the ATT)"
        if denominator == "treated"
        else "pooled SD sqrt((var_t + var_c) / 2)"
    )
    out.attrs["variant"] = (
        f"standardised mean difference, {sd_text}; p(1 - p) variance for 0/1 variables, n - 1 otherwise; "
        + ("unweighted" if weights is None else "weighted means, SD from the unweighted sample")
    )
    return out


def balance_table(
    study,
    cohort: pd.DataFrame,
    treated: np.ndarray,
    results: Mapping[str, MatchResult],
    in_model: Sequence[str] = (),
    denominator: str = "treated",
) -> pd.DataFrame:
    """Standardised mean differences of every baseline variable before and after matching.

    Each variable enters as the indicators of its non-reference levels
    (:func:`hccrep.frames.indicator_frame`). Each matched sample is described
    by MatchIt's matching weights on the full cohort, and the standardising SD
    is that of the full (unmatched) sample, as MatchIt's ``summary()`` does:
    with ``denominator="treated"`` (MatchIt's default for the ATT) the SD of
    the treated group, so before and after share one denominator.

    Parameters
    ----------
    study : Study
        Its baseline table names the variables.
    cohort : pandas.DataFrame
        The cohort the matchings were run on (same rows, same order).
    treated : array_like of 0/1
        The treatment indicator of each patient.
    results : mapping of str to MatchResult
        The matchings to compare, one SMD column each.
    in_model : sequence of str
        Variable keys of the propensity model (flagged in ``in_ps_model``).
    denominator : {"treated", "pooled"}

    Returns
    -------
    pandas.DataFrame
        Indexed by indicator label: ``in_ps_model``, ``treated`` and
        ``control`` (proportions before matching), ``before`` (SMD) and one SMD
        column per matching in ``results``.  ``attrs["variant"]`` names the SMD.

    Examples
    --------
    >>> from hccrep.replication import runner_for
    >>> r = runner_for("fonc2025")
    >>> c = r.simulate(1)
    >>> t = (c["arm"].astype(str) == "rt_io_t").astype(int).to_numpy()
    >>> list(balance_table(r.study, c, t, {}).columns)
    ['in_ps_model', 'treated', 'control', 'before']
    """
    from hccrep.frames import indicator_frame

    d = cohort.assign(_treated=np.asarray(treated, int))
    ind = indicator_frame(study, d)
    frame = pd.concat([ind, d[["_treated"]]], axis=1)
    cols = list(ind.columns)
    before = standardized_mean_differences(
        frame, "_treated", cols, denominator=denominator
    ).set_index("covariate")
    out = pd.DataFrame(
        {
            "in_ps_model": [ind.attrs["variable"][c] in set(in_model) for c in cols],
            "treated": before["mean_treated"],
            "control": before["mean_control"],
            "before": before["smd"],
        },
        index=pd.Index(cols, name="covariate"),
    )
    variant = before.attrs["variant"]
    for r, res in results.items():
        after = standardized_mean_differences(
            frame, "_treated", cols, weights=res.weights(d), denominator=denominator
        )
        out[r] = after.set_index("covariate")["smd"]
        variant = after.attrs["variant"]
    out.attrs["variant"] = variant
    return out


# --------------------------------------------------------------------------- a study's declared matching
# What follows reads the matching a study declares (``population`` of its analyses, a
# :class:`hccrep.declared.Matching`) and runs it under every reading of the caliper, on one
# simulated cohort or over many: for any study whose data files declare a matched population.


#: The three readings of "caliper c" (see :func:`hccrep.stats.matching.match_nearest`).
SCALES: tuple[str, ...] = tuple(CALIPER_SCALES)


#: Every matching :func:`match_readings` runs: the three caliper scales, no caliper (on the
#: propensity score, MatchIt's default distance) and MatchIt 4.5.1-4.5.3 with its integer
#: distance gaps, on the propensity score and on its logit.
READINGS: tuple[str, ...] = (*SCALES, "none", "matchit451_ps", "matchit451_logit")


def declared_matching(study: Study):
    """The propensity-score matching Table 6 declares (its ``population``): the one source of the
    covariates, the ratio and caliper keys and the caliper scale.

    Parameters
    ----------
    study : Study
        A study whose analyses declare one matched ``population``.

    Returns
    -------
    Matching
        The declared matched population (:class:`hccrep.declared.Matching`). Raises
        ``ValueError`` when the analyses declare none or several different ones.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> declared_matching(load_study("fonc2025")).caliper_scale
    'ps_sd'
    """
    found = {
        a.population.model_dump_json(): a.population
        for a in (n.analysis for n in study.numbers)
        if a is not None and getattr(a, "population", None) is not None
    }
    if len(found) != 1:
        raise ValueError(f"{study.key} declares {len(found)} matched populations, not one")
    return next(iter(found.values()))


def matched_effect(study):
    """The reported number whose declared analysis is the hazard ratio on the matched population.

    Parameters
    ----------
    study : Study
        A study whose analyses declare one matched ``population``.

    Returns
    -------
    ReportedNumber
        The one number of quantity ``hr`` computed on the matched population. Raises
        ``ValueError`` when there is none or several.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> matched_effect(load_study("fonc2025")).quantity
    'hr'
    """
    found = [
        n
        for n in study.numbers
        if n.quantity == "hr"
        and n.analysis is not None
        and getattr(n.analysis, "population", None) is not None
    ]
    if len(found) != 1:
        raise ValueError(f"{study.key} declares {len(found)} matched hazard ratios, not one")
    return found[0]


def reading_labels(study: Study) -> dict[str, str]:
    """A short description of each reading in :data:`READINGS`, with the paper's caliper.

    Parameters
    ----------
    study : Study
        A study whose analyses declare one matched ``population``.

    Returns
    -------
    dict of str to str
        Reading (:data:`READINGS`) -> its description.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> reading_labels(load_study("fonc2025"))["none"]
    'no caliper (propensity score)'
    """
    spec = declared_matching(study)
    if spec.caliper_key is None:
        raise ValueError(f"{study.key}: the declared matching has no caliper to read")
    c = study.number(spec.caliper_key).value
    return {
        "logit_sd": f"{c:g} SD of the logit of the PS (Austin 2011)",
        "ps_sd": f"{c:g} SD of the PS (MatchIt caliper = {c:g}, defaults)",
        "ps_raw": f"{c:g} on the PS itself (std.caliper = FALSE)",
        "none": "no caliper (propensity score)",
        "matchit451_ps": f"MatchIt 4.5.1-4.5.3 defect, caliper = {c:g} (PS)",
        "matchit451_logit": f"MatchIt 4.5.1-4.5.3 defect, caliper = {c:g} (logit)",
    }


def treated_frame(runner, cohort: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``cohort`` with a 0/1 column ``treated`` (1 = the declared treated level).

    Parameters
    ----------
    runner : DeclaredRunner
        The study's runner (:func:`hccrep.replication.runner_for`).
    cohort : DataFrame
        A simulated cohort (``runner.simulate(seed)``).

    Returns
    -------
    DataFrame
        A copy of ``cohort`` with the 0/1 ``treated`` column.
    """
    spec = declared_matching(runner.study)
    d = cohort.copy()
    d["treated"] = (d[spec.treatment].astype(str) == spec.treated).astype(int)
    return d


def _matchit451(
    d: pd.DataFrame, covariates: list[str], ratio: int, caliper: float, scale: str
) -> MatchResult:
    """MatchIt 4.5.1-4.5.3 on a build with the integer-``abs`` defect (MatchIt issue #163).

    Uses the defect emulation of :mod:`hccrep.stats.matching`, which the R
    parity tests check against the installed MatchIt.  For teaching only.
    """
    return _match_nearest(
        d,
        "treated",
        covariates,
        ps=None,
        ratio=ratio,
        caliper=caliper,
        caliper_scale=scale,
        order="largest",
        replace=False,
        rng=None,
        emulate=frozenset({"int_abs"}),
    )


def match_readings(
    runner, cohort: pd.DataFrame, readings: Sequence[str] = READINGS
) -> dict[str, MatchResult]:
    """Match the cohort under each reading of the paper's caliper.

    Parameters
    ----------
    runner : DeclaredRunner
        The study's runner (:func:`hccrep.replication.runner_for`).
    cohort : pandas.DataFrame
        A simulated cohort (``runner.simulate(seed)``).
    readings : sequence of str
        A subset of :data:`READINGS`:

        * ``"logit_sd"``, ``"ps_sd"``, ``"ps_raw"`` -- the declared matching
          (:func:`declared_matching`) with that caliper scale;
        * ``"none"`` -- the same matching on the propensity score without a
          caliper;
        * ``"matchit451_ps"``, ``"matchit451_logit"`` -- what MatchIt
          4.5.1-4.5.3 returns on builds whose C++ code truncates distance
          gaps to whole numbers (``caliper = c`` on the propensity score, and
          with ``link = "linear.logit"``).

    Returns
    -------
    dict of str to MatchResult
        In the order of ``readings``; match on :func:`treated_frame` rows.
    """
    unknown = [r for r in readings if r not in READINGS]
    if unknown:
        raise ValueError(f"unknown reading(s) {unknown}; expected some of {READINGS}")
    st = runner.study
    spec = declared_matching(st)
    d = treated_frame(runner, cohort)
    cov = list(spec.covariates)
    ratio = int(st.number(spec.ratio_key).value)
    caliper = st.number(spec.caliper_key).value
    out: dict[str, MatchResult] = {}
    for r in readings:
        if r in SCALES:
            out[r] = match_nearest(
                d, "treated", cov, ratio=ratio, caliper=caliper, caliper_scale=r, order=spec.order
            )
        elif r == "none":
            out[r] = match_nearest(
                d, "treated", cov, ratio=ratio, caliper=None, caliper_scale="ps_sd"
            )
        else:
            out[r] = _matchit451(
                d, cov, ratio, caliper, "ps_sd" if r == "matchit451_ps" else "logit_sd"
            )
    return out


def declared_balance_table(
    runner, cohort: pd.DataFrame, results: Mapping[str, MatchResult], denominator: str = "treated"
) -> pd.DataFrame:
    """:func:`hccrep.stats.matching.balance_table` of the declared matching's arms and covariates.

    Parameters
    ----------
    runner : DeclaredRunner
        The study's runner (:func:`hccrep.replication.runner_for`).
    cohort : DataFrame
        A simulated cohort (``runner.simulate(seed)``).
    results : mapping of str to MatchResult
        Matched sets by reading (:func:`match_readings`).
    denominator : str
        Whose SD standardises the differences (:data:`hccrep.stats.SMD_DENOMINATORS`).

    Returns
    -------
    pandas.DataFrame
        The generic balance table: proportions before matching and one SMD column per
        matching in ``results``.
    """
    d = treated_frame(runner, cohort)
    in_model = declared_matching(runner.study).covariates
    return balance_table(
        runner.study, cohort, d["treated"].to_numpy(), results, in_model, denominator
    )


def _one_cohort(
    seed, runner, readings: tuple[str, ...], analyse: tuple[str, ...], adjust: tuple[str, ...]
) -> dict:
    from hccrep.analyses import compute
    from hccrep.frames import indicator_frame

    cohort = runner.simulate(seed)
    res = match_readings(runner, cohort, readings)
    row: dict[str, float] = {f"{r}.pairs": float(res[r].n_treated_matched) for r in readings}
    view = runner.view(cohort)
    hr = matched_effect(runner.study).analysis  # the declared matched Cox model
    for r in analyse:
        scaled = hr.population.model_copy(update={"caliper_scale": r})
        models = {"hr": hr.model_copy(update={"population": scaled})}
        if adjust:
            models["hr_adjusted"] = models["hr"].model_copy(update={"terms": [*hr.terms, *adjust]})
        for name, a in models.items():
            try:
                row[f"{r}.{name}"] = compute(a, view, "hr").value
            except (ValueError, np.linalg.LinAlgError):
                row[f"{r}.{name}"] = float("nan")
    if adjust:
        d = treated_frame(runner, cohort)
        ind = indicator_frame(runner.study, d)
        cols = [c for c in ind.columns if ind.attrs["variable"][c] in adjust]
        frame = pd.concat([ind[cols], d[["treated"]]], axis=1)
        for name, w in (("before", None), *((r, res[r].weights(d)) for r in analyse)):
            smd = standardized_mean_differences(
                frame, "treated", cols, weights=w, denominator="treated"
            )
            for label, v in zip(smd["covariate"], smd["smd"]):
                row[f"{name}.smd.{label}"] = float(v)
    return row


def monte_carlo_matching(
    runner,
    n: int,
    *,
    base_seed: int | None = None,
    readings: Sequence[str] = READINGS,
    analyse: Sequence[str] = SCALES,
    adjust: Sequence[str] = (),
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Matching and the matched outcome analysis over ``n`` simulated cohorts.

    The cohorts are those of the scorecard's Monte Carlo
    (:func:`hccrep.replication.seeds_for` from the book seed + 1 unless
    ``base_seed`` is given).

    Parameters
    ----------
    runner : DeclaredRunner
        The study's runner (:func:`hccrep.replication.runner_for`).
    n : int
        Number of cohorts.
    readings : sequence of str
        Matchings whose number of pairs is recorded (``"<reading>.pairs"``).
    analyse : sequence of str
        Matchings (a subset of ``readings``) whose matched outcome is analysed:
        ``"<reading>.hr"``, the treatment's HR of the declared matched Cox model
        (:func:`matched_effect`) on that matching (the scorecard adds the KM medians and the log-rank p
        for its own scale).
    adjust : sequence of str
        Baseline variable keys: adds ``"<reading>.hr_adjusted"`` (arm HR with
        these variables in the Cox model of the matched sample) and the SMD of
        their indicators before (``"before.smd.<label>"``) and after
        (``"<reading>.smd.<label>"``) matching.
    n_jobs : int
        Worker processes (joblib); the result does not depend on it.

    Returns
    -------
    pandas.DataFrame
        One row per cohort.
    """
    from hccrep.replication import seeds_for

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    readings, analyse, adjust = tuple(readings), tuple(analyse), tuple(adjust)
    missing = [r for r in analyse if r not in readings]
    if missing:
        raise ValueError(f"analyse names matchings not in readings: {missing}")
    base = runner.study.meta.book_seed + 1 if base_seed is None else base_seed
    seeds = seeds_for(base, n)
    from hccrep.parallel import map_seeds

    rows = map_seeds(_one_cohort, seeds, runner, readings, analyse, adjust, n_jobs=n_jobs)
    return pd.DataFrame(rows, dtype=float)


def effect_summary(study: Study, mc: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """The matched HR per matching over the Monte Carlo cohorts.

    Parameters
    ----------
    study : Study
        A study whose analyses declare one matched hazard ratio (:func:`matched_effect`).
    mc : DataFrame
        :func:`monte_carlo_matching`: one row per cohort and reading.
    level : float
        Level of the Monte Carlo interval.

    Returns
    -------
    pandas.DataFrame
        Indexed by matching: ``pairs_median``, ``hr_geomean`` (geometric
        mean), ``hr_low`` / ``hr_high`` (empirical interval),
        ``share_hr_le_reported`` (cohorts at or below the printed HR) and,
        where present, ``hr_adjusted_geomean``.
    """
    hr_rep = matched_effect(study).value
    a = (1 - level) / 2
    rows = {}
    for col in [c for c in mc.columns if c.endswith(".hr")]:
        r = col.removesuffix(".hr")
        hr = mc[col].to_numpy(float)
        hr = hr[np.isfinite(hr) & (hr > 0)]
        lo, hi = np.quantile(hr, [a, 1 - a], method="inverted_cdf")
        row = {
            "pairs_median": float(mc[f"{r}.pairs"].median())
            if f"{r}.pairs" in mc
            else float("nan"),
            "hr_geomean": float(np.exp(np.mean(np.log(hr)))),
            "hr_low": float(lo),
            "hr_high": float(hi),
            "share_hr_le_reported": float(np.mean(hr <= hr_rep)),
        }
        if f"{r}.hr_adjusted" in mc:
            adj = mc[f"{r}.hr_adjusted"].to_numpy(float)
            adj = adj[np.isfinite(adj) & (adj > 0)]
            row["hr_adjusted_geomean"] = (
                float(np.exp(np.mean(np.log(adj)))) if adj.size else float("nan")
            )
        rows[r] = row
    return pd.DataFrame.from_dict(rows, orient="index")

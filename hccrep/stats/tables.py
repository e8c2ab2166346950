"""Group comparisons for a "Table 1": contingency-table and two/k-sample tests.

Every test *names the variant it used*: R and Python disagree on several defaults
(Yates' continuity correction, Welch versus Student t, exact versus approximate Wilcoxon
p-values), and published Table 1 p-values are reproduced by one variant only; the
``variant`` string of every result says exactly which one was computed.

Where the work comes from:

- delegated to :mod:`scipy.stats`: Student and Welch t (``ttest_ind``), the exact
  Mann-Whitney p-value (``mannwhitneyu(method="exact")``), Kruskal-Wallis, one-way ANOVA
  and the 2 x 2 Fisher p-value (``fisher_exact``);
- computed here with scipy's arithmetic, in scipy's order, because the Monte Carlo calls
  them thousands of times and scipy's generic array handling cost more than the sums:
  Pearson's chi-square with and without Yates' correction (as ``chi2_contingency``), the
  asymptotic Mann-Whitney test (as ``mannwhitneyu(method="asymptotic")``) and the
  conditional maximum-likelihood odds ratio of a 2 x 2 table (as
  ``contingency.odds_ratio(kind="conditional")``); ``tests/test_stats_tables.py`` checks
  each against scipy;
- computed here because scipy has no equivalent: Fisher's exact test on tables larger
  than 2 x 2. :func:`scipy.stats.fisher_exact` only offers a permutation / Monte Carlo
  p-value there, whereas R's ``fisher.test`` enumerates all tables with the observed
  margins (network algorithm, FEXACT). We enumerate the same tables exactly (see
  :func:`_fisher_exact_rxc`), so the p-values agree with R to floating-point precision.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import special, stats
from scipy.special import gammaln

from hccrep.stats._validate import as_vector, check_choice

__all__ = [
    "CATEGORICAL_TESTS",
    "CONTINUOUS_TESTS",
    "SUMMARY_STYLES",
    "TestResult",
    "compare_counts",
    "compare_samples",
    "table_one",
]

CATEGORICAL_TESTS = ("chisq", "chisq_yates", "fisher", "auto_fisher")
CONTINUOUS_TESTS = ("welch", "student", "mannwhitney", "mannwhitney_exact", "kruskal", "anova")
SUMMARY_STYLES = ("mean_sd", "median_iqr", "median_range")

_TWO_SAMPLE_TESTS = ("welch", "student", "mannwhitney", "mannwhitney_exact")
#: R ``wilcox.test(exact = NULL)``: the exact distribution only when both groups have fewer observations.
_EXACT_WILCOX_MAX_N = 50
_K_SAMPLE_TESTS = ("kruskal", "anova")

#: Relative tolerance used by R's FEXACT when deciding that a table is "as or
#: less probable" than the observed one (``tol = 3.45254e-7`` in fexact.c,
#: added to the observed log-probability).
_FEXACT_LOG_TOL = 3.45254e-7
#: Upper limit on the work of the exact r x c enumeration, counted in cells of
#: stored partial tables (about 10 s and 300 MB at the limit).
_FISHER_MAX_NODES = 30_000_000


@dataclass(frozen=True)
class TestResult:
    """Result of a hypothesis test.

    Attributes
    ----------
    statistic : float
        Test statistic (chi-square, t, W, H, F; for Fisher's test see
        :func:`compare_counts`).
    pvalue : float
        Two-sided p-value.
    df : float or None
        Degrees of freedom where the reference distribution has them (for
        one-way ANOVA the numerator df; the denominator df is ``N - k``).
    test : str
        Short test family name, e.g. ``"chi-square"``, ``"t-test"``.
    variant : str
        Human-readable description of exactly which variant was computed.
    """

    __test__ = False  # not a pytest test class despite the name

    statistic: float
    pvalue: float
    df: float | None
    test: str
    variant: str


# --------------------------------------------------------------------------
# categorical: r x c contingency tables
# --------------------------------------------------------------------------


def _as_count_table(table) -> np.ndarray:
    try:
        arr = np.asarray(table)
    except ValueError:  # rows of different lengths
        raise ValueError(
            "table must be a rectangular table of counts (every row the same length)"
        ) from None
    if arr.ndim != 2:
        raise ValueError(
            f"table must be two-dimensional (levels x groups), got {arr.ndim} dimension(s)"
        )
    if arr.shape[0] < 2 or arr.shape[1] < 2:
        raise ValueError(f"table must have at least 2 rows and 2 columns, got shape {arr.shape}")
    try:
        farr = arr.astype(float)
    except (TypeError, ValueError):
        raise ValueError("table must contain numeric counts") from None
    if np.isnan(farr).any():
        raise ValueError("table contains NaN")
    if np.isinf(farr).any():
        raise ValueError("table contains infinite counts")
    if (farr < 0).any():
        raise ValueError("table contains negative counts")
    if not np.all(farr == np.round(farr)):
        raise ValueError("table must contain whole-number counts")
    counts = farr.astype(np.int64)
    zero_rows = np.flatnonzero(counts.sum(axis=1) == 0)
    zero_cols = np.flatnonzero(counts.sum(axis=0) == 0)
    if zero_rows.size:
        raise ValueError(
            f"table row(s) {zero_rows.tolist()} are all zero (a level with no patients); drop them"
        )
    if zero_cols.size:
        raise ValueError(
            f"table column(s) {zero_cols.tolist()} are all zero (a group with no patients)"
        )
    return counts


def _compositions(total: int, k: int) -> np.ndarray:
    """All vectors of ``k`` non-negative integers summing to ``total``."""
    if k == 1:
        return np.array([[total]], dtype=np.int64)
    bars = np.array(list(combinations(range(total + k - 1), k - 1)), dtype=np.int64).reshape(
        -1, k - 1
    )
    edges = np.concatenate(
        [np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), total + k - 1)], axis=1
    )
    return np.diff(edges, axis=1) - 1


def _even_split_bound(sums: np.ndarray, m: int) -> np.ndarray:
    """Max of ``-sum(log x!)`` when each of ``sums`` (rows) is spread over ``m`` cells."""
    q, rem = np.divmod(sums, m)
    return -((m - rem) * gammaln(q + 1) + rem * gammaln(q + 2)).sum(axis=1)


def _fisher_exact_rxc(table: np.ndarray, max_nodes: int = _FISHER_MAX_NODES) -> tuple[float, float]:
    """Exact Fisher(-Freeman-Halton) test for an r x c table, as R ``fisher.test``.

    The p-value is the total hypergeometric probability of all tables with the
    observed margins that are at most as probable as the observed table (with
    FEXACT's tolerance).  Tables are enumerated column by column; partial
    tables whose every completion is certainly below (or certainly above)
    the observed probability are resolved in closed form, which is the
    pruning idea of Mehta and Patel's network algorithm with simpler bounds.

    Returns ``(probability of the observed table, p-value)``.
    """
    t = np.asarray(table, dtype=np.int64)
    if t.shape[0] > t.shape[1]:  # enumerate compositions over the shorter side
        t = t.T
    t = t[:, np.argsort(t.sum(axis=0), kind="stable")]  # largest column last (it is implied)
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    n_total = int(rows.sum())
    k, c = t.shape
    log_const = gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(n_total + 1)
    w_obs = -gammaln(t + 1).sum()
    threshold = w_obs + _FEXACT_LOG_TOL

    remaining = rows[None, :].copy()  # remaining row sums of each partial table
    past = np.zeros(1)  # -sum(log x!) over the columns filled so far
    pvalue = 0.0
    nodes = 0

    def too_large() -> ValueError:
        return ValueError(
            f"table of shape {table.shape} with {n_total} observations is too large for exact "
            f"enumeration (more than {max_nodes:,} partial tables); use test='chisq'"
        )

    for j in range(c - 1):
        rest = cols[j:]
        m = rest.size
        # bounds on -sum(log x!) over completions (relaxing row or column constraints)
        upper = np.minimum(_even_split_bound(remaining, m), _even_split_bound(rest[None, :], k)[0])
        lower = np.maximum(-gammaln(remaining + 1).sum(axis=1), -gammaln(rest + 1).sum())
        every = past + upper <= threshold
        if every.any():
            s = remaining[every]
            log_n_completions = (
                gammaln(s.sum(axis=1) + 1) - gammaln(s + 1).sum(axis=1) - gammaln(rest + 1).sum()
            )
            pvalue += np.exp(log_const + past[every] + log_n_completions).sum()
        open_ = ~every & (past + lower <= threshold)
        remaining, past = remaining[open_], past[open_]
        if remaining.shape[0] == 0:
            break
        comps = _compositions(int(cols[j]), k)
        uniq, inverse = np.unique(remaining, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
        last = j == c - 2
        new_remaining, new_past = [], []
        for u, state in enumerate(uniq):
            idx = order[bounds[u] : bounds[u + 1]]
            xs = comps[(comps <= state).all(axis=1)]
            w_x = -gammaln(xs + 1).sum(axis=1)
            nodes += len(xs) * (k if last else k * len(idx))
            if nodes > max_nodes:
                raise too_large()
            if last:
                # the final column is implied: weigh all completions of this state at once
                w_full = np.sort(w_x - gammaln(state - xs + 1).sum(axis=1))
                top = w_full[-1]
                cum = np.concatenate([[0.0], np.cumsum(np.exp(w_full - top))])
                pos = np.searchsorted(w_full, threshold - past[idx], side="right")
                pvalue += (np.exp(log_const + past[idx] + top) * cum[pos]).sum()
            else:
                new_remaining.append(
                    np.repeat((state - xs)[None, :, :], len(idx), axis=0).reshape(-1, k)
                )
                new_past.append((past[idx][:, None] + w_x[None, :]).ravel())
        if last:
            break
        remaining, past = np.concatenate(new_remaining), np.concatenate(new_past)
    return float(np.exp(log_const + w_obs)), float(min(pvalue, 1.0))


def _pearson_chisq(counts: np.ndarray, correct: bool) -> tuple[float, float, int]:
    """Pearson's statistic, p and df of a validated r x c table, computed as ``scipy.stats.chi2_contingency`` does.

    The same arithmetic in the same order (expected counts from the margins,
    Yates' shift of each cell towards its expected count by at most 1/2 when
    df = 1, the upper chi-square tail by ``chdtrc``), without scipy's generic
    input handling, which costs ~1 ms per table in a Monte Carlo loop
    (``tests/test_stats_tables.py`` checks the two agree).
    """
    observed = counts.astype(float)
    expected = (
        np.multiply(observed.sum(axis=1)[:, None], observed.sum(axis=0)[None, :]) / observed.sum()
    )
    dof = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    if correct and dof == 1:
        diff = expected - observed
        observed = observed + np.minimum(0.5, np.abs(diff)) * np.sign(diff)
    stat = float(((observed - expected) ** 2 / expected).sum())
    return stat, float(special.chdtrc(dof, stat)), dof


def _mannwhitney_asymptotic(x: np.ndarray, y: np.ndarray) -> TestResult:
    """Two-sided Mann-Whitney U, normal approximation with tie and continuity corrections.

    ``scipy.stats.mannwhitneyu(x, y, method="asymptotic")`` step by step (U of
    ``x`` from average ranks, the tie-corrected variance, 1/2 subtracted from
    ``max(U1, U2) - n1 n2 / 2``, twice the normal upper tail, clipped to
    [0, 1]) without scipy's generic array handling, which dominates in a
    Monte Carlo loop.  Ranks are half-integers and tie counts integers, so U
    and the tie term are exact; ``tests/test_stats_tables.py`` checks the
    result against scipy.  Only ``statistic`` (U1) and ``pvalue`` are set.
    """
    n1, n2 = x.size, y.size
    n = n1 + n2
    _, inverse, counts = np.unique(np.concatenate([x, y]), return_inverse=True, return_counts=True)
    starts = np.cumsum(counts) - counts
    avg_rank = starts + (counts + 1) / 2.0
    u1 = float(avg_rank[inverse[:n1]].sum()) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    t = counts.astype(float)
    tie_term = float(np.sum(t**3 - t))
    sd = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    numerator = u - n1 * n2 / 2
    numerator -= 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.float64(numerator) / sd
    p = float(np.clip(2 * special.ndtr(-z), 0.0, 1.0))
    return TestResult(u1, p, None, "Wilcoxon rank-sum", "")


def _chisq(counts: np.ndarray, correct: bool) -> TestResult:
    stat, pvalue, dof = _pearson_chisq(counts, correct)
    applied = correct and counts.shape == (2, 2)
    if applied:
        variant = "Pearson chi-square with Yates continuity correction"
    elif correct:
        variant = "Pearson chi-square, no continuity correction (Yates applies to 2x2 tables only)"
    else:
        variant = "Pearson chi-square, no continuity correction"
    return TestResult(stat, pvalue, float(dof), "chi-square", variant)


def _conditional_odds_ratio(table: np.ndarray) -> float:
    """Conditional maximum-likelihood odds ratio of a 2 x 2 table (R ``fisher.test``'s estimate).

    What ``scipy.stats.contingency.odds_ratio(table, kind="conditional")``
    computes: the noncentrality of Fisher's noncentral hypergeometric
    distribution whose mean is ``table[0, 0]``, found by the same bracketing
    and ``brentq`` (``xtol=1e-13``).  The mean is summed here over the
    support from log binomial weights, without scipy's distribution machinery
    (about 3 ms a table); ``tests/test_stats_tables.py`` checks the two agree.
    """
    from scipy.optimize import brentq

    x = int(table[0, 0])
    n = int(table[0].sum())  # row 0 total
    N = int(table[:, 0].sum())  # column 0 total
    M = int(table.sum())
    lo, hi = max(0, N - (M - n)), min(n, N)
    if x == lo:
        return 0.0
    if x == hi:
        return float("inf")
    k = np.arange(lo, hi + 1, dtype=float)
    logw = (
        gammaln(n + 1)
        - gammaln(k + 1)
        - gammaln(n - k + 1)
        + gammaln(M - n + 1)
        - gammaln(N - k + 1)
        - gammaln(M - n - N + k + 1)
    )

    def mean_minus_x(nc: float) -> float:
        a = logw + k * math.log(nc)
        w = np.exp(a - a.max())
        return float((k * w).sum() / w.sum()) - x

    # scipy's _solve: double or halve from 1 until the root is bracketed, then brentq
    nc, factor = 1.0, 2.0
    value = mean_minus_x(nc)
    if value == 0:
        return nc
    if value > 0:
        nc /= factor
        while mean_minus_x(nc) > 0:
            nc /= factor
        lo_nc, hi_nc = nc, factor * nc
    else:
        nc *= factor
        while mean_minus_x(nc) < 0:
            nc *= factor
        lo_nc, hi_nc = nc / factor, nc
    return float(brentq(mean_minus_x, lo_nc, hi_nc, xtol=1e-13))


def _fisher(counts: np.ndarray) -> TestResult:
    if counts.shape == (2, 2):
        pvalue = stats.fisher_exact(counts, alternative="two-sided").pvalue
        odds = _conditional_odds_ratio(counts)
        return TestResult(
            float(odds),
            float(pvalue),
            None,
            "Fisher exact",
            "Fisher exact (two-sided); statistic = conditional MLE odds ratio (as R fisher.test)",
        )
    prob, pvalue = _fisher_exact_rxc(counts)
    r, c = counts.shape
    return TestResult(
        prob,
        pvalue,
        None,
        "Fisher exact",
        f"Fisher exact (two-sided, exact {r}x{c} enumeration as R fisher.test); "
        "statistic = probability of the observed table",
    )


def compare_counts(table, test: str = "chisq") -> TestResult:
    """Test association in an r x c table of counts.

    Parameters
    ----------
    table : array_like of int, shape (r, c)
        Counts; rows are the levels of the variable, columns the groups (the
        p-value is the same for the transposed table).  At least 2 x 2, no
        all-zero row or column.
    test : {"chisq", "chisq_yates", "fisher", "auto_fisher"}
        * ``"chisq"`` -- Pearson chi-square without continuity correction
          (:func:`scipy.stats.chi2_contingency`, ``correction=False``).
        * ``"chisq_yates"`` -- Pearson chi-square with Yates' correction; as in
          R's ``chisq.test`` (``correct=TRUE``, its default) the correction is
          applied to 2 x 2 tables only.
        * ``"fisher"`` -- Fisher's exact test, two-sided.  2 x 2 tables use
          :func:`scipy.stats.fisher_exact` and report the conditional MLE odds
          ratio as ``statistic`` (R's estimate); larger tables are enumerated
          exactly (Freeman-Halton), as R's ``fisher.test``, and report the
          probability of the observed table.  Raises ``ValueError`` when the
          table is too large to enumerate.
        * ``"auto_fisher"`` -- the gtsummary / tableone convention: Pearson
          chi-square without correction unless any expected count is below 5,
          then Fisher's exact test.  The ``variant`` says which was used.

    Returns
    -------
    TestResult

    Examples
    --------
    >>> res = compare_counts([[12, 5], [8, 15]], test="chisq")
    >>> round(res.statistic, 4), round(res.pvalue, 4), res.df
    (5.0128, 0.0252, 1.0)
    >>> compare_counts([[3, 1], [1, 3]], test="auto_fisher").variant[:12]
    'Fisher exact'
    """
    check_choice(test, CATEGORICAL_TESTS, "categorical test")
    counts = _as_count_table(table)
    if test == "chisq":
        return _chisq(counts, correct=False)
    if test == "chisq_yates":
        return _chisq(counts, correct=True)
    if test == "fisher":
        return _fisher(counts)
    expected = stats.contingency.expected_freq(counts)
    if (expected < 5).any():
        res = _fisher(counts)
        return TestResult(
            res.statistic,
            res.pvalue,
            res.df,
            res.test,
            res.variant + f" [auto: min expected count {expected.min():.2f} < 5]",
        )
    res = _chisq(counts, correct=False)
    return TestResult(
        res.statistic,
        res.pvalue,
        res.df,
        res.test,
        res.variant + " [auto: all expected counts >= 5]",
    )


# --------------------------------------------------------------------------
# continuous: two- and k-sample tests
# --------------------------------------------------------------------------


def _as_samples(samples) -> list[np.ndarray]:
    if isinstance(samples, (str, bytes)) or not isinstance(samples, Sequence):
        if isinstance(samples, np.ndarray) and samples.ndim == 2:
            samples = list(samples)
        else:
            raise ValueError("samples must be a sequence of array-likes, one per group")
    out = []
    for i, s in enumerate(samples):
        arr = as_vector(s, f"samples[{i}]", what="is not numeric")
        if arr.size == 0:
            raise ValueError(f"samples[{i}] has no observations (a group with no rows)")
        if np.isnan(arr).any():
            raise ValueError(f"samples[{i}] contains NaN")
        if np.isinf(arr).any():
            raise ValueError(f"samples[{i}] contains infinite values")
        out.append(arr)
    return out


def _check_not_constant(x: np.ndarray, y: np.ndarray, equal_var: bool) -> None:
    """R ``t.test``'s stop("data are essentially constant"), as a ValueError.

    R stops when the standard error of the difference is below
    ``10 * .Machine$double.eps * max(|mean x|, |mean y|)``; a standard error
    of exactly 0 (R: t = NaN when both means are 0) is refused too.
    """
    nx, ny = x.size, y.size
    vx, vy = x.var(ddof=1), y.var(ddof=1)
    if equal_var:
        stderr = math.sqrt(((nx - 1) * vx + (ny - 1) * vy) / (nx + ny - 2) * (1 / nx + 1 / ny))
    else:
        stderr = math.sqrt(vx / nx + vy / ny)
    if stderr == 0 or stderr < 10 * np.finfo(float).eps * max(abs(x.mean()), abs(y.mean())):
        raise ValueError(
            f"data are essentially constant (standard error of the difference {stderr:.3g}): "
            "the t-test is undefined (R t.test stops here)"
        )


def _anova(groups: list[np.ndarray]) -> tuple[float, float]:
    """F and p of the one-way ANOVA, in the order :func:`scipy.stats.f_oneway` computes them.

    The sums of squares about the grand mean and the F survival function
    (``special.fdtrc``) as scipy 1.17 forms them, without the array-API
    wrapper that costs more than the arithmetic on a Table 1 row; the
    results equal scipy's to the bit on random samples
    (``tests/test_stats_tables.py``).  Only for samples that are not all
    constant (scipy warns and returns inf or NaN there).
    """
    alldata = np.concatenate(groups)
    bign = alldata.shape[-1]
    offset = np.mean(alldata, axis=-1, keepdims=True)
    alldata = alldata - offset
    normalized_ss = np.sum(alldata, axis=-1) ** 2.0 / bign
    sstot = np.vecdot(alldata, alldata, axis=-1) - normalized_ss
    ssbn = 0
    for sample in groups:
        ssbn = ssbn + np.sum(sample - offset, axis=-1) ** 2.0 / sample.shape[-1]
    ssbn = ssbn - normalized_ss
    sswn = sstot - ssbn
    dfbn, dfwn = len(groups) - 1, bign - len(groups)
    f = (ssbn / dfbn) / (sswn / dfwn)
    return float(f), float(special.fdtrc(dfbn, dfwn, f))


def compare_samples(samples: Sequence, test: str = "welch") -> TestResult:
    """Compare a continuous variable between groups.

    Parameters
    ----------
    samples : sequence of array_like
        One 1-D array of observations per group.  Exactly two groups for the
        t-tests and Wilcoxon/Mann-Whitney tests, two or more for
        ``"kruskal"`` and ``"anova"``.
    test : {"welch", "student", "mannwhitney", "mannwhitney_exact", "kruskal", "anova"}
        * ``"welch"`` -- Welch t-test, unequal variances (R ``t.test`` default).
        * ``"student"`` -- Student t-test, pooled variance (``var.equal=TRUE``).
          Both raise ``ValueError`` when the data are essentially constant
          (standard error of the difference 0 or below ``10 eps`` times the
          larger absolute mean), where R's ``t.test`` stops.
        * ``"mannwhitney"`` -- Wilcoxon rank-sum / Mann-Whitney U, normal
          approximation with tie and continuity correction, as R
          ``wilcox.test(exact=FALSE, correct=TRUE)``.  ``statistic`` is R's W
          (the U statistic of the first sample).
        * ``"mannwhitney_exact"`` -- R ``wilcox.test``'s default
          (``exact = NULL``): the exact null distribution of W when both
          groups have fewer than 50 observations and there are no ties;
          otherwise, as R does, the normal approximation with continuity
          (and tie) correction.  The ``variant`` says which was used.
        * ``"kruskal"`` -- Kruskal-Wallis rank-sum test with tie correction.
        * ``"anova"`` -- one-way ANOVA F-test assuming equal variances (R
          ``oneway.test(var.equal=TRUE)`` / ``summary(aov())``); ``df`` is the
          numerator df ``k - 1``.

    Returns
    -------
    TestResult

    Examples
    --------
    >>> res = compare_samples([[5.1, 4.8, 6.0, 5.5], [6.2, 6.9, 5.9, 7.4]], test="student")
    >>> res.df, round(res.pvalue, 4)
    (6.0, 0.0264)
    """
    check_choice(test, CONTINUOUS_TESTS, "continuous test")
    groups = _as_samples(samples)
    k = len(groups)
    if test in _TWO_SAMPLE_TESTS and k != 2:
        raise ValueError(
            f"test {test!r} compares exactly 2 groups, got {k}; use 'kruskal' or 'anova'"
        )
    if test in _K_SAMPLE_TESTS and k < 2:
        raise ValueError(f"test {test!r} needs at least 2 groups, got {k}")
    if test in ("welch", "student", "anova"):
        small = [i for i, g in enumerate(groups) if g.size < 2]
        if small:
            raise ValueError(
                f"test {test!r} needs at least 2 observations per group; samples{small} have 1"
            )

    if test in ("welch", "student"):
        equal = test == "student"
        _check_not_constant(groups[0], groups[1], equal)
        res = stats.ttest_ind(groups[0], groups[1], equal_var=equal)
        variant = (
            "Student t-test (pooled variance)" if equal else "Welch t-test (unequal variances)"
        )
        return TestResult(float(res.statistic), float(res.pvalue), float(res.df), "t-test", variant)

    if test in ("mannwhitney", "mannwhitney_exact"):
        x, y = groups
        pooled = np.concatenate([x, y])
        ties = np.unique(pooled).size < pooled.size
        large = max(x.size, y.size) >= _EXACT_WILCOX_MAX_N
        if test == "mannwhitney_exact" and not ties and not large:
            res = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact")
            variant = (
                "Wilcoxon rank-sum (Mann-Whitney), exact distribution (no ties, both groups < 50)"
            )
        else:
            res = _mannwhitney_asymptotic(x, y)
            variant = (
                "Wilcoxon rank-sum (Mann-Whitney), normal approximation with continuity "
                "correction and tie correction"
            )
            if test == "mannwhitney_exact" and ties:
                variant += " (ties present: exact p-value not available, as R)"
            elif test == "mannwhitney_exact":
                variant += f" (a group has >= {_EXACT_WILCOX_MAX_N} observations: not exact, as R's default)"
        return TestResult(
            float(res.statistic), float(res.pvalue), None, "Wilcoxon rank-sum", variant
        )

    if test == "kruskal":
        pooled = np.concatenate(groups)
        if np.unique(pooled).size == 1:
            raise ValueError("all observations are identical; the Kruskal-Wallis test is undefined")
        res = stats.kruskal(*groups)
        return TestResult(
            float(res.statistic),
            float(res.pvalue),
            float(k - 1),
            "Kruskal-Wallis",
            "Kruskal-Wallis rank-sum test, chi-square approximation with tie correction",
        )

    if any(np.ptp(g) > 0 for g in groups):
        statistic, pvalue = _anova(groups)
    else:  # every group constant: scipy's warning and its inf / NaN statistic
        res = stats.f_oneway(*groups)
        statistic, pvalue = float(res.statistic), float(res.pvalue)
    n = sum(g.size for g in groups)
    return TestResult(
        statistic,
        pvalue,
        float(k - 1),
        "ANOVA",
        f"one-way ANOVA F-test, equal variances (df = {k - 1}, {n - k})",
    )


# --------------------------------------------------------------------------
# Table 1
# --------------------------------------------------------------------------


def _levels(series: pd.Series) -> list:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    try:
        return sorted(series.unique())
    except TypeError as exc:
        raise ValueError(
            f"column {series.name!r} mixes types that cannot be sorted: {exc}"
        ) from None


def _fmt(x: float, digits: int) -> str:
    return f"{x:.{digits}f}"


def _summarise(values: np.ndarray, style: str, digits: int, quantile_method: str) -> str:
    if style == "mean_sd":
        sd = values.std(ddof=1) if values.size > 1 else float("nan")
        return f"{_fmt(values.mean(), digits)} \u00b1 {_fmt(sd, digits)}"
    if style == "median_iqr":
        q1, med, q3 = np.quantile(values, [0.25, 0.5, 0.75], method=quantile_method)
        return f"{_fmt(med, digits)} ({_fmt(q1, digits)}, {_fmt(q3, digits)})"
    return f"{_fmt(np.median(values), digits)} ({_fmt(values.min(), digits)}, {_fmt(values.max(), digits)})"


def _per_variable(
    option, variables: Sequence[str], allowed: Sequence[str], name: str
) -> dict[str, str]:
    if isinstance(option, str):
        check_choice(option, allowed, name)
        return {v: option for v in variables}
    if not isinstance(option, Mapping):
        raise TypeError(f"{name} must be a string or a mapping variable -> test")
    unknown = set(option) - set(variables)
    if unknown:
        raise ValueError(f"{name} names variables not in the table: {sorted(unknown)}")
    missing = [v for v in variables if v not in option]
    if missing:
        raise ValueError(f"{name} gives no test for {missing}")
    for v, t in option.items():
        check_choice(t, allowed, f"{name} for {v!r}")
    return dict(option)


def table_one(
    df: pd.DataFrame,
    group: str,
    categorical: Sequence[str] = (),
    continuous: Mapping[str, str] | None = None,
    categorical_test: str | Mapping[str, str] = "chisq",
    continuous_test: str | Mapping[str, str] = "mannwhitney",
    total: bool = True,
    digits: int = 1,
    group_order: Sequence | None = None,
    quantile_method: str = "linear",
    variable_order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Baseline characteristics by group, with a p-value per variable.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per patient.  The group column and every listed variable must
        be free of missing values (recode missing data as an explicit level
        such as ``"Unknown"`` first).
    group : str
        Column defining the groups (at least two).
    categorical : sequence of str
        Categorical variables.  Levels follow the category order for a
        pandas ``Categorical`` column, otherwise sorted order.  Cells are
        ``"k (pct)"``, the percentage of the group (column percentages).
        Levels absent from every group are shown with zero counts and left out
        of the test.
    continuous : mapping str -> {"mean_sd", "median_iqr", "median_range"}
        Continuous variables and how each is summarised: ``"mean ± sd"``
        (SD with ``ddof=1``), ``"median (q1, q3)"`` or
        ``"median (min, max)"``.
    categorical_test : str or mapping, default "chisq"
        One of :data:`CATEGORICAL_TESTS`, or a mapping variable -> test.
    continuous_test : str or mapping, default "mannwhitney"
        One of :data:`CONTINUOUS_TESTS`, or a mapping variable -> test.  With
        more than two groups only ``"kruskal"`` and ``"anova"`` apply.
    total : bool, default True
        Add a ``"Total (n = N)"`` column first.
    digits : int, default 1
        Decimals of percentages and continuous summaries.
    group_order : sequence, optional
        Order of the group columns; must list every group exactly once.
        Default: order of first appearance in ``df``.
    quantile_method : str, default "linear"
        ``method`` passed to :func:`numpy.quantile` for the quartiles.  The
        default ``"linear"`` is R's ``quantile(type=7)``; SPSS and SAS
        (PCTLDEF=5 aside) use ``"weibull"`` (R type 6).
    variable_order : sequence of str, optional
        Display order of the variables (every variable exactly once).
        Default: the categorical variables, then the continuous ones.

    Returns
    -------
    pandas.DataFrame
        Row index ``(variable, level)`` (level ``""`` for continuous rows);
        columns ``"Total (n = N)"`` (if ``total``), ``"<group> (n = k)"`` per
        group, ``"p"`` (float) and ``"test"`` (the ``variant`` of the test).
        ``p`` and ``test`` are filled on the first row of each variable and
        are NaN / ``""`` on the other rows.

    Examples
    --------
    >>> d = pd.DataFrame({"arm": list("AABBBA"), "sex": list("MFMMFF"),
    ...                   "age": [50, 61, 58, 70, 66, 49]})
    >>> t = table_one(d, "arm", categorical=["sex"], continuous={"age": "mean_sd"})
    >>> list(t.columns)
    ['Total (n = 6)', 'A (n = 3)', 'B (n = 3)', 'p', 'test']
    >>> t.loc[("sex", "F"), "A (n = 3)"]
    '2 (66.7)'
    """
    continuous = dict(continuous or {})
    categorical = list(categorical)
    if not isinstance(df, pd.DataFrame):
        raise TypeError("df must be a pandas DataFrame")
    if group not in df.columns:
        raise ValueError(f"group column {group!r} not in df")
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 0:
        raise ValueError(f"digits must be a non-negative integer, got {digits!r}")
    variables = categorical + list(continuous)
    if not variables:
        raise ValueError("no variables given: pass categorical and/or continuous")
    dupes = sorted({v for v in variables if variables.count(v) > 1})
    if dupes:
        raise ValueError(f"variables listed more than once: {dupes}")
    for v in variables:
        if v not in df.columns:
            raise ValueError(f"variable {v!r} not in df")
        if v == group:
            raise ValueError(f"variable {v!r} is the group column")
        if df[v].isna().any():
            raise ValueError(f"variable {v!r} has {int(df[v].isna().sum())} missing value(s)")
    if variable_order is not None:
        variable_order = list(variable_order)
        if sorted(map(str, variable_order)) != sorted(map(str, variables)) or len(
            variable_order
        ) != len(variables):
            raise ValueError(
                "variable_order must list every categorical and continuous variable exactly once"
            )
    for v, style in continuous.items():
        check_choice(style, SUMMARY_STYLES, f"summary for {v!r}")
        if not pd.api.types.is_numeric_dtype(df[v]) or pd.api.types.is_bool_dtype(df[v]):
            raise ValueError(f"continuous variable {v!r} is not numeric (dtype {df[v].dtype})")
    if df[group].isna().any():
        raise ValueError(
            f"group column {group!r} has {int(df[group].isna().sum())} missing value(s)"
        )
    try:
        np.quantile([0.0, 1.0], 0.5, method=quantile_method)
    except (ValueError, TypeError):
        raise ValueError(
            f"unknown quantile_method {quantile_method!r} for numpy.quantile"
        ) from None

    present = list(pd.unique(df[group]))
    if group_order is None:
        order = present
    else:
        order = list(group_order)
        if len(set(order)) != len(order):
            raise ValueError("group_order lists a group more than once")
        empty = [g for g in order if g not in present]
        if empty:
            raise ValueError(f"group_order names group(s) with no rows: {empty}")
        unlisted = [g for g in present if g not in order]
        if unlisted:
            raise ValueError(f"group_order omits group(s) present in the data: {unlisted}")
    if len(order) < 2:
        raise ValueError(f"group column {group!r} has {len(order)} group(s); need at least 2")

    cat_tests = _per_variable(categorical_test, categorical, CATEGORICAL_TESTS, "categorical_test")
    con_tests = _per_variable(
        continuous_test, list(continuous), CONTINUOUS_TESTS, "continuous_test"
    )
    if len(order) > 2:
        two = sorted(v for v, t in con_tests.items() if t in _TWO_SAMPLE_TESTS)
        if two:
            raise ValueError(
                f"{len(order)} groups: continuous_test for {two} compares 2 groups only; use 'kruskal' or 'anova'"
            )

    masks = [(df[group] == g).to_numpy() for g in order]
    sizes = [int(m.sum()) for m in masks]
    group_cols = [f"{g} (n = {n})" for g, n in zip(order, sizes)]
    total_col = f"Total (n = {len(df)})"
    columns = ([total_col] if total else []) + group_cols + ["p", "test"]

    rows, index = [], []
    for v in categorical:
        col = df[v]
        levels = _levels(col)
        counts = np.array(
            [[int(((col == lev).to_numpy() & m).sum()) for m in masks] for lev in levels]
        )
        used = counts.sum(axis=1) > 0
        if used.sum() < 2:
            res = None
        else:
            res = compare_counts(counts[used], test=cat_tests[v])
        for i, lev in enumerate(levels):
            cells = [f"{c} ({_fmt(100.0 * c / n, digits)})" for c, n in zip(counts[i], sizes)]
            if total:
                tot = int(counts[i].sum())
                cells = [f"{tot} ({_fmt(100.0 * tot / len(df), digits)})"] + cells
            first = i == 0
            p = res.pvalue if (first and res is not None) else np.nan
            label = (
                (res.variant if res is not None else "not tested: fewer than 2 observed levels")
                if first
                else ""
            )
            rows.append(cells + [p, label])
            index.append((v, lev))
    for v, style in continuous.items():
        values = df[v].to_numpy(dtype=float)
        res = compare_samples([values[m] for m in masks], test=con_tests[v])
        cells = [_summarise(values[m], style, digits, quantile_method) for m in masks]
        if total:
            cells = [_summarise(values, style, digits, quantile_method)] + cells
        rows.append(cells + [res.pvalue, res.variant])
        index.append((v, ""))

    if variable_order is not None:
        rank = {v: i for i, v in enumerate(variable_order)}
        perm = sorted(range(len(index)), key=lambda i: (rank[index[i][0]], i))
        rows, index = [rows[i] for i in perm], [index[i] for i in perm]
    out = pd.DataFrame(
        rows, columns=columns, index=pd.MultiIndex.from_tuples(index, names=["variable", "level"])
    )
    out["p"] = out["p"].astype(float)
    return out

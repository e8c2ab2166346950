"""Unit tests for hccrep.stats.tables: hand-derived values and input validation.

Agreement with R on many tables and samples is in tests/test_r_parity.py.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hccrep.stats import (
    CATEGORICAL_TESTS,
    CONTINUOUS_TESTS,
    TestResult,
    compare_counts,
    compare_samples,
    table_one,
)
from hccrep.stats.tables import _fisher_exact_rxc

# --------------------------------------------------------------------------
# compare_counts
# --------------------------------------------------------------------------

# [[12, 5], [8, 15]]: N = 40, row sums 17, 23, column sums 20, 20, so the
# expected counts are 8.5, 8.5 / 11.5, 11.5 and every |O - E| = 3.5.
#   Pearson: 3.5^2 * (2/8.5 + 2/11.5)         = 12.25 * 0.4092072 = 5.0127877
#   Yates:   (3.5 - 0.5)^2 * (2/8.5 + 2/11.5) =  9.00 * 0.4092072 = 3.6828645
TABLE_2X2 = [[12, 5], [8, 15]]
FACTOR_2X2 = 2 / 8.5 + 2 / 11.5


def test_chisq_2x2_matches_hand_computation():
    res = compare_counts(TABLE_2X2, test="chisq")
    assert res.statistic == pytest.approx(3.5**2 * FACTOR_2X2, rel=1e-12)
    assert res.df == 1
    assert res.pvalue == pytest.approx(stats.chi2.sf(3.5**2 * FACTOR_2X2, 1), rel=1e-12)
    assert res.variant == "Pearson chi-square, no continuity correction"


def test_yates_2x2_matches_hand_computation():
    res = compare_counts(TABLE_2X2, test="chisq_yates")
    assert res.statistic == pytest.approx(3.0**2 * FACTOR_2X2, rel=1e-12)
    assert "Yates" in res.variant


def test_yates_is_not_applied_beyond_2x2_like_R():
    table = [[8, 2, 3], [1, 5, 4]]
    plain, yates = compare_counts(table, "chisq"), compare_counts(table, "chisq_yates")
    assert yates.statistic == plain.statistic
    assert "2x2 tables only" in yates.variant


def test_chisq_p_is_invariant_to_transposing():
    table = np.array([[10, 20], [5, 3], [2, 9]])
    assert compare_counts(table).pvalue == pytest.approx(compare_counts(table.T).pvalue, rel=1e-12)


def test_fisher_2x2_matches_hand_hypergeometric_sum():
    # margins 4/4, 4/4: P(x) = C(4,x) C(4,4-x) / C(8,4) = (1, 16, 36, 16, 1) / 70.
    # Observed x = 3 (P = 16/70); tables at most as probable: x = 0, 1, 3, 4 -> 34/70.
    res = compare_counts([[3, 1], [1, 3]], test="fisher")
    assert res.pvalue == pytest.approx(34 / 70, rel=1e-12)
    assert res.df is None
    assert res.variant.startswith("Fisher exact (two-sided)")


def test_fisher_odds_ratio_matches_R_tea_tasting_example():
    # R's ?fisher.test TeaTasting example, matrix(c(3, 1, 1, 3), 2): R prints
    # "odds ratio 6.408309" (the conditional MLE) and p-value 0.4857 (= 34/70).
    # R finds the root with uniroot's default tolerance (about 1e-4), scipy and hccrep with
    # brentq(xtol=1e-13): the exact root is 6.4083197, so R's printed value is off by 1.6e-6.
    res = compare_counts([[3, 1], [1, 3]], test="fisher")
    assert res.statistic == pytest.approx(6.408309, rel=1e-5)


def test_conditional_odds_ratio_equals_scipy_on_random_tables():
    """The conditional MLE odds ratio computed without scipy's distribution objects equals
    scipy.stats.contingency.odds_ratio(kind="conditional") (same bracketing, same brentq), with
    0 and inf at the ends of the support."""
    from hccrep.stats.tables import _conditional_odds_ratio

    rng = np.random.default_rng(21)
    ends = 0
    for i in range(300):
        t = rng.integers(0, [8, 30, 60][i % 3], (2, 2))
        if (t.sum(axis=0) == 0).any() or (t.sum(axis=1) == 0).any():
            continue
        ref = stats.contingency.odds_ratio(t, kind="conditional").statistic
        got = _conditional_odds_ratio(t)
        if ref == 0 or np.isinf(ref):
            assert got == ref
            ends += 1
        else:
            assert got == pytest.approx(ref, rel=1e-11)
    assert ends > 0


def test_fisher_3x2_matches_hand_enumeration():
    # rows (2, 2, 2), columns (3, 3), N = 6. A table is fixed by column 1,
    # x = (x1, x2, x3) with sum 3 and each xi <= 2, P = prod C(2, xi) / C(6, 3):
    #   the 6 permutations of (2, 1, 0): P = 2/20 each;  (1, 1, 1): P = 8/20.
    # Observed x = (2, 0, 1): P = 2/20; tables at most as probable: the six
    # permutations -> p = 12/20.
    res = compare_counts([[2, 0], [0, 2], [1, 1]], test="fisher")
    assert res.pvalue == pytest.approx(0.6, rel=1e-12)
    assert res.statistic == pytest.approx(0.1, rel=1e-12)  # probability of the observed table
    assert "3x2 enumeration" in res.variant


def _brute_force_fisher(table: np.ndarray) -> float:
    """Enumerate every table with the observed margins (independent of hccrep)."""
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    r, c = table.shape
    n = table.sum()

    def logp(t):
        return (
            sum(math.lgamma(x + 1) for x in rows)
            + sum(math.lgamma(x + 1) for x in cols)
            - math.lgamma(n + 1)
            - sum(math.lgamma(x + 1) for x in t.ravel())
        )

    obs = logp(table)
    total = 0.0
    ranges = [range(min(rows[i], cols[j]) + 1) for i in range(r - 1) for j in range(c - 1)]
    for free in itertools.product(*ranges):
        t = np.zeros((r, c), dtype=int)
        t[: r - 1, : c - 1] = np.reshape(free, (r - 1, c - 1))
        t[: r - 1, c - 1] = rows[: r - 1] - t[: r - 1, : c - 1].sum(axis=1)
        t[r - 1, :] = cols - t[: r - 1, :].sum(axis=0)
        if (t < 0).any():
            continue
        lp = logp(t)
        if lp <= obs + 1e-7:
            total += math.exp(lp)
    return total


@pytest.mark.parametrize("seed", range(12))
def test_fisher_rxc_enumeration_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    r, c = rng.integers(2, 4, size=2)
    while True:
        t = rng.multinomial(int(rng.integers(6, 16)), rng.dirichlet(np.ones(r * c))).reshape(r, c)
        if (t.sum(axis=0) > 0).all() and (t.sum(axis=1) > 0).all():
            break
    assert _fisher_exact_rxc(t)[1] == pytest.approx(_brute_force_fisher(t), rel=1e-10)


def test_fisher_rxc_refuses_tables_too_large_to_enumerate():
    table = np.full((5, 5), 12) + np.arange(25).reshape(5, 5) % 7
    with pytest.raises(ValueError, match="too large for exact enumeration"):
        _fisher_exact_rxc(table, max_nodes=10_000)


def test_auto_fisher_switches_on_expected_count_below_5():
    small = compare_counts([[3, 1], [1, 3]], test="auto_fisher")
    assert small.test == "Fisher exact" and "< 5" in small.variant
    large = compare_counts(TABLE_2X2, test="auto_fisher")
    assert large.test == "chi-square" and large.variant.startswith(
        "Pearson chi-square, no continuity"
    )


def test_test_result_is_frozen():
    res = compare_counts(TABLE_2X2)
    assert isinstance(res, TestResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.pvalue = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([1, 2, 3], "two-dimensional"),
        ([[1, 2, 3]], "at least 2 rows and 2 columns"),
        ([[1, -2], [3, 4]], "negative"),
        ([[1, np.nan], [3, 4]], "NaN"),
        ([[1.5, 2], [3, 4]], "whole-number"),
        ([[0, 0], [3, 4]], r"row\(s\) \[0\] are all zero"),
        ([[0, 2], [0, 4]], r"column\(s\) \[0\] are all zero"),
        ([["a", "b"], ["c", "d"]], "numeric"),
    ],
)
def test_compare_counts_rejects_bad_tables(table, message):
    with pytest.raises(ValueError, match=message):
        compare_counts(table)


def test_compare_counts_rejects_unknown_test_name():
    with pytest.raises(ValueError, match="unknown categorical test 'yates'"):
        compare_counts(TABLE_2X2, test="yates")


def test_categorical_test_names_are_all_accepted():
    for name in CATEGORICAL_TESTS:
        assert 0 <= compare_counts(TABLE_2X2, test=name).pvalue <= 1


# --------------------------------------------------------------------------
# compare_samples
# --------------------------------------------------------------------------


def test_welch_matches_hand_computation():
    # x = 1,2,3: mean 2, var 1;  y = 4..7: mean 5.5, var 5/3.
    # se^2 = 1/3 + (5/3)/4 = 0.75;  t = -3.5 / sqrt(0.75)
    # Welch df = 0.75^2 / ((1/3)^2 / 2 + (5/12)^2 / 3)
    res = compare_samples([[1, 2, 3], [4, 5, 6, 7]], test="welch")
    assert res.statistic == pytest.approx(-3.5 / math.sqrt(0.75), rel=1e-12)
    assert res.df == pytest.approx(0.75**2 / ((1 / 3) ** 2 / 2 + (5 / 12) ** 2 / 3), rel=1e-12)
    assert res.variant == "Welch t-test (unequal variances)"


def test_student_matches_hand_computation():
    # pooled var = (2*1 + 3*5/3) / 5 = 1.4;  se = sqrt(1.4 * (1/3 + 1/4));  df = 5
    res = compare_samples([[1, 2, 3], [4, 5, 6, 7]], test="student")
    assert res.statistic == pytest.approx(-3.5 / math.sqrt(1.4 * (1 / 3 + 1 / 4)), rel=1e-12)
    assert res.df == 5
    assert res.variant == "Student t-test (pooled variance)"


def test_anova_equals_hand_f_statistic():
    # groups 1,2,3 and 4,5,6: between SS = 2 * 3 * 1.5^2 = 13.5 on 1 df,
    # within SS = 2 + 2 = 4 on 4 df -> F = 13.5 / (4/4) = 13.5
    res = compare_samples([[1, 2, 3], [4, 5, 6]], test="anova")
    assert res.statistic == pytest.approx(13.5, rel=1e-12)
    assert res.df == 1
    assert "df = 1, 4" in res.variant


def test_mannwhitney_exact_matches_hand_computation():
    # x = 1, 2 below all of y = 3, 4, 5: W = 0, the most extreme of C(5, 2) = 10
    # equally likely rank sets -> two-sided p = 2 / 10.
    res = compare_samples([[1, 2], [3, 4, 5]], test="mannwhitney_exact")
    assert res.statistic == 0
    assert res.pvalue == pytest.approx(0.2, rel=1e-12)
    assert (
        res.variant
        == "Wilcoxon rank-sum (Mann-Whitney), exact distribution (no ties, both groups < 50)"
    )


def test_mannwhitney_exact_falls_back_to_normal_approximation_with_ties_like_R():
    samples = [[1, 2, 2, 4], [2, 5, 6, 7]]
    exact, approx = (
        compare_samples(samples, "mannwhitney_exact"),
        compare_samples(samples, "mannwhitney"),
    )
    assert exact.pvalue == approx.pvalue
    assert "ties present" in exact.variant


@pytest.mark.parametrize(
    ("n_x", "n_y", "exact"), [(49, 49, True), (50, 3, False), (3, 50, False), (60, 55, False)]
)
def test_mannwhitney_exact_is_exact_only_below_50_per_group_like_R_default(n_x, n_y, exact):
    # R wilcox.test(x, y), exact = NULL: exact <- (n.x < 50) && (n.y < 50) (stats:::wilcox.test.default)
    values = np.arange(n_x + n_y, dtype=float)[
        np.random.default_rng(n_x * n_y).permutation(n_x + n_y)
    ]
    samples = [values[:n_x], values[n_x:]]
    res = compare_samples(samples, "mannwhitney_exact")
    reference = (
        stats.mannwhitneyu(*samples, method="exact").pvalue
        if exact
        else compare_samples(samples, "mannwhitney").pvalue
    )
    assert res.pvalue == pytest.approx(reference, rel=1e-12)
    assert ("exact distribution" in res.variant) == exact


@pytest.mark.parametrize("test", ["welch", "student"])
@pytest.mark.parametrize(
    "samples",
    [
        [[3, 3, 3], [5, 5, 5, 5]],
        [[3, 3, 3], [3, 3, 3, 3]],
        [[0, 0], [0, 0, 0]],
        [[1e9, 1e9, 1e9], [1e9 + 1e-7, 1e9 + 1e-7]],
    ],
)
def test_t_tests_on_constant_data_raise_like_R_t_test(test, samples):
    # R: t.test(c(3, 3, 3), c(5, 5, 5, 5)) -> Error: data are essentially constant (before: t = -inf, p = 0)
    with pytest.raises(ValueError, match="data are essentially constant"):
        compare_samples(samples, test)


def test_welch_with_one_constant_group_is_defined_as_in_R():
    # x = 3, 3, 3 (variance 0); y = 5, 5, 5, 6: mean 5.25, variance 0.25 -> se^2 = 0.25 / 4,
    # t = -2.25 / 0.25 = -9, Welch df = se^4 / (se_y^4 / 3) = 3 (R: t = -9, df = 3, p = 0.002896)
    res = compare_samples([[3, 3, 3], [5, 5, 5, 6]], "welch")
    assert res.statistic == pytest.approx(-9, rel=1e-12) and res.df == pytest.approx(3, rel=1e-12)
    assert res.pvalue == pytest.approx(2 * stats.t.sf(9, 3), rel=1e-12)


def test_mannwhitney_normal_approximation_uses_continuity_correction():
    # W = 0 for n = (2, 3): mean 3, sd sqrt(2*3*6/12); z = (0 - 3 + 0.5) / sd
    res = compare_samples([[1, 2], [3, 4, 5]], test="mannwhitney")
    z = (0 - 3 + 0.5) / math.sqrt(2 * 3 * 6 / 12)
    assert res.pvalue == pytest.approx(2 * stats.norm.cdf(z), rel=1e-12)


@pytest.mark.parametrize("test", ["welch", "student", "mannwhitney", "mannwhitney_exact"])
def test_two_sample_tests_refuse_three_groups(test):
    with pytest.raises(ValueError, match="exactly 2 groups, got 3"):
        compare_samples([[1, 2], [3, 4], [5, 6]], test=test)


@pytest.mark.parametrize("test", ["kruskal", "anova"])
def test_k_sample_tests_accept_three_groups(test):
    res = compare_samples([[1, 2, 3], [3, 4, 5], [5, 6, 8]], test=test)
    assert res.df == 2


@pytest.mark.parametrize(
    ("samples", "test", "message"),
    [
        ([[1, 2], []], "welch", r"samples\[1\] has no observations"),
        ([[1, np.nan], [3, 4]], "welch", r"samples\[0\] contains NaN"),
        ([[1, np.inf], [3, 4]], "mannwhitney", "infinite"),
        ([[1], [3, 4]], "welch", "at least 2 observations per group"),
        ([[1, 2], [3, 4]], "wilcoxon", "unknown continuous test 'wilcoxon'"),
        ([[1, 2]], "kruskal", "at least 2 groups"),
        ([[3, 3], [3, 3]], "kruskal", "identical"),
        ("abc", "welch", "sequence of array-likes"),
        ([["a", "b"], [1, 2]], "welch", r"samples\[0\] is not numeric"),
    ],
)
def test_compare_samples_rejects_bad_input(samples, test, message):
    with pytest.raises(ValueError, match=message):
        compare_samples(samples, test=test)


def test_continuous_test_names_are_all_accepted_for_two_groups():
    for name in CONTINUOUS_TESTS:
        assert 0 <= compare_samples([[1.0, 2.5, 3.1], [4.2, 5.0, 6.3]], test=name).pvalue <= 1


# --------------------------------------------------------------------------
# table_one
# --------------------------------------------------------------------------


@pytest.fixture
def cohort():
    return pd.DataFrame(
        {
            "arm": ["B", "A", "B", "A", "B", "A", "B", "B"],
            "sex": ["M", "F", "F", "M", "M", "M", "F", "M"],
            "stage": pd.Categorical(
                ["C", "B", "C", "C", "B", "B", "C", "C"], categories=["A", "B", "C"]
            ),
            "age": [50.0, 61.0, 58.0, 70.0, 66.0, 49.0, 55.0, 63.0],
        }
    )


def test_table_one_layout_counts_and_percentages(cohort):
    t = table_one(cohort, "arm", categorical=["sex"], continuous={"age": "mean_sd"})
    assert list(t.columns) == [
        "Total (n = 8)",
        "B (n = 5)",
        "A (n = 3)",
        "p",
        "test",
    ]  # first appearance
    assert t.index.names == ["variable", "level"]
    assert list(t.index) == [("sex", "F"), ("sex", "M"), ("age", "")]
    # B: sex F in 2 of 5 = 40.0 %; A: 1 of 3 = 33.3 %
    assert t.loc[("sex", "F"), "B (n = 5)"] == "2 (40.0)"
    assert t.loc[("sex", "F"), "A (n = 3)"] == "1 (33.3)"
    assert t.loc[("sex", "F"), "Total (n = 8)"] == "3 (37.5)"
    # A ages 61, 70, 49: mean 60, sd sqrt(((1)^2 + 10^2 + 11^2) / 2) = sqrt(111) = 10.5
    assert t.loc[("age", ""), "A (n = 3)"] == "60.0 \u00b1 10.5"


def test_table_one_p_values_come_from_compare_counts_and_compare_samples(cohort):
    t = table_one(
        cohort,
        "arm",
        categorical=["sex"],
        continuous={"age": "median_iqr"},
        categorical_test="fisher",
        continuous_test="welch",
    )
    expected = compare_counts([[2, 1], [3, 2]], test="fisher")
    assert t.loc[("sex", "F"), "p"] == expected.pvalue
    assert t.loc[("sex", "F"), "test"] == expected.variant
    assert math.isnan(t.loc[("sex", "M"), "p"]) and t.loc[("sex", "M"), "test"] == ""
    a = cohort.loc[cohort["arm"] == "B", "age"], cohort.loc[cohort["arm"] == "A", "age"]
    assert t.loc[("age", ""), "p"] == compare_samples(a, test="welch").pvalue
    assert t["p"].dtype == float


def test_table_one_uses_categorical_order_and_keeps_empty_levels_out_of_the_test(cohort):
    t = table_one(cohort, "arm", categorical=["stage"], categorical_test="chisq")
    assert [lev for _, lev in t.index] == ["A", "B", "C"]
    assert t.loc[("stage", "A"), "B (n = 5)"] == "0 (0.0)"
    # level A is empty in every group: the test sees the 2 x 2 table of B and C
    expected = compare_counts([[1, 2], [4, 1]], test="chisq")
    assert t.loc[("stage", "A"), "p"] == pytest.approx(expected.pvalue, rel=1e-12)


def test_table_one_quartiles_follow_quantile_method(cohort):
    # group A ages sorted 49, 61, 70: type 7 (linear) Q1 = 49 + 0.5 * 12 = 55,
    # Q3 = 61 + 0.5 * 9 = 65.5; type 6 (weibull) Q1 = 49, Q3 = 70 (p (n+1) = 1, 3)
    t7 = table_one(cohort, "arm", continuous={"age": "median_iqr"}, total=False)
    t6 = table_one(
        cohort, "arm", continuous={"age": "median_iqr"}, total=False, quantile_method="weibull"
    )
    assert t7.loc[("age", ""), "A (n = 3)"] == "61.0 (55.0, 65.5)"
    assert t6.loc[("age", ""), "A (n = 3)"] == "61.0 (49.0, 70.0)"
    assert "Total (n = 8)" not in t7.columns


def test_table_one_median_range_and_digits(cohort):
    t = table_one(
        cohort, "arm", continuous={"age": "median_range"}, digits=2, group_order=["A", "B"]
    )
    assert list(t.columns)[1:3] == ["A (n = 3)", "B (n = 5)"]
    assert t.loc[("age", ""), "A (n = 3)"] == "61.00 (49.00, 70.00)"


def test_table_one_variable_order(cohort):
    t = table_one(
        cohort,
        "arm",
        categorical=["sex"],
        continuous={"age": "mean_sd"},
        variable_order=["age", "sex"],
    )
    assert [v for v, _ in t.index] == ["age", "sex", "sex"]


def test_table_one_three_groups_need_k_sample_tests(cohort):
    df = cohort.assign(arm=["A", "B", "C", "A", "B", "C", "A", "B"])
    with pytest.raises(ValueError, match="compares 2 groups only"):
        table_one(df, "arm", continuous={"age": "mean_sd"}, continuous_test="welch")
    t = table_one(df, "arm", continuous={"age": "mean_sd"}, continuous_test="kruskal")
    assert t.loc[("age", ""), "test"].startswith("Kruskal-Wallis")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"group": "nope", "categorical": ["sex"]}, "group column 'nope' not in df"),
        ({"group": "arm", "categorical": ["nope"]}, "variable 'nope' not in df"),
        ({"group": "arm"}, "no variables given"),
        ({"group": "arm", "categorical": ["sex", "sex"]}, "more than once"),
        ({"group": "arm", "continuous": {"age": "mean"}}, "unknown summary for 'age'"),
        ({"group": "arm", "continuous": {"sex": "mean_sd"}}, "'sex' is not numeric"),
        (
            {"group": "arm", "categorical": ["sex"], "categorical_test": "yates"},
            "unknown categorical_test",
        ),
        (
            {"group": "arm", "categorical": ["sex"], "group_order": ["A", "B", "C"]},
            r"no rows: \['C'\]",
        ),
        ({"group": "arm", "categorical": ["sex"], "group_order": ["A"]}, r"omits group\(s\)"),
        ({"group": "arm", "categorical": ["sex"], "digits": -1}, "digits"),
        ({"group": "arm", "categorical": ["sex"], "quantile_method": "nope"}, "quantile_method"),
        ({"group": "arm", "categorical": ["arm"]}, "is the group column"),
    ],
)
def test_table_one_rejects_bad_arguments(cohort, kwargs, message):
    with pytest.raises(ValueError, match=message):
        table_one(cohort, **kwargs)


def test_table_one_rejects_missing_values(cohort):
    df = cohort.astype({"age": float})
    df.loc[2, "age"] = np.nan
    with pytest.raises(ValueError, match="'age' has 1 missing value"):
        table_one(df, "arm", continuous={"age": "mean_sd"})
    df = cohort.copy()
    df.loc[0, "arm"] = None
    with pytest.raises(ValueError, match="group column 'arm' has 1 missing"):
        table_one(df, "arm", categorical=["sex"])


def test_table_one_needs_two_groups(cohort):
    with pytest.raises(ValueError, match="need at least 2"):
        table_one(cohort.assign(arm="A"), "arm", categorical=["sex"])


def test_own_pearson_chisq_equals_scipy_chi2_contingency():
    """The loop-friendly Pearson statistic gives scipy's statistic, p and df, with and without Yates."""
    from scipy import stats as sps

    from hccrep.stats.tables import _pearson_chisq

    rng = np.random.default_rng(21)
    shapes = [(2, 2)] * 300 + [(2, 3), (3, 2), (4, 3), (5, 2)] * 50
    for shape in shapes:
        counts = rng.integers(0, rng.choice([3, 10, 60]), shape)
        counts[:, 0] += 1  # no empty row
        counts[0, :] += 1  # no empty column
        for correct in (False, True):
            stat, p, df = _pearson_chisq(counts, correct)
            ref = sps.chi2_contingency(counts, correction=correct)
            assert df == ref.dof
            assert stat == pytest.approx(ref.statistic, rel=1e-12, abs=1e-14)
            assert p == pytest.approx(ref.pvalue, rel=1e-12, abs=1e-15)


def test_own_mannwhitney_equals_scipy_asymptotic():
    """The loop-friendly Mann-Whitney gives scipy's U and asymptotic p (ties, continuity), all-tied samples included."""
    from scipy import stats as sps

    from hccrep.stats.tables import _mannwhitney_asymptotic

    rng = np.random.default_rng(22)
    cases = [(np.full(5, 2.0), np.full(7, 2.0))]
    for _ in range(400):
        n1, n2 = rng.integers(2, 60, 2)
        pool = rng.choice([3, 10, 1000])  # few values: heavy ties; many: almost none
        cases.append(
            (
                rng.integers(0, pool, n1).astype(float),
                rng.integers(0, pool, n2).astype(float) + rng.integers(0, 2),
            )
        )
    for x, y in cases:
        got = _mannwhitney_asymptotic(x, y)
        ref = sps.mannwhitneyu(
            x, y, alternative="two-sided", method="asymptotic", use_continuity=True
        )
        assert got.statistic == ref.statistic
        assert got.pvalue == pytest.approx(ref.pvalue, rel=1e-12, abs=1e-15)


def test_own_anova_equals_scipy_f_oneway():
    """The loop-friendly ANOVA gives scipy's F and p on random samples of 2-4 groups and many scales.

    The reference is ``scipy.stats.f_oneway`` itself (the function whose arithmetic it follows);
    with scipy 1.17 the two agree to the bit, and the tolerance leaves room for another release.
    """
    from scipy import stats as sps

    from hccrep.stats.tables import _anova

    rng = np.random.default_rng(23)
    for _ in range(500):
        k = int(rng.integers(2, 5))
        groups = [
            rng.normal(rng.normal(), rng.gamma(2.0), int(rng.integers(2, 160)))
            * 10.0 ** int(rng.integers(-3, 4))
            for _ in range(k)
        ]
        f, p = _anova(groups)
        ref = sps.f_oneway(*groups)
        assert f == pytest.approx(float(ref.statistic), rel=1e-12)
        assert p == pytest.approx(float(ref.pvalue), rel=1e-12, abs=1e-300)
    # every group constant: scipy's own result (no spread within groups: F is infinite)
    res = compare_samples([[1.0, 1.0], [2.0, 2.0]], test="anova")
    assert res.statistic == math.inf and res.pvalue == 0.0

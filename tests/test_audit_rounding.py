"""Rounding-aware audit rules (issue 18, items 1, 2, 3 and 7): hand-made cases, brute force, real rows.

Every range is checked against a brute-force grid over the rounding box of the printed numbers;
the real cases read their numbers from ``data/``.  R parity of the same rules is in
``tests/test_audit_r.py``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats as sps
from typer.testing import CliRunner

from hccrep.audit import (
    MANN_WHITNEY_NOT_DERIVABLE,
    _anova_range,
    _t_pvalue,
    _wald_p_range,
    assess_mean_sd_comparison,
    audit_study,
    centring_gap,
    mean_sd_comparisons,
    mean_sd_variant_ranges,
    ttest_rounding_range,
    variant_fit_summary,
)
from hccrep.printed import parse_summary
from hccrep.spec import load_study


def _half(decimals: int) -> float:
    return 0.5 * 10.0**-decimals


def _t_grid(
    a: str, n_a: int, b: str, n_b: int, equal_var: bool, k_mean: int = 5, k_sd: int = 21
) -> np.ndarray:
    """p of the t-test at every point of a grid over the rounding box (means and SDs), vectorised."""
    sa, sb = parse_summary(a, "mean_sd"), parse_summary(b, "mean_sd")

    def axis(centre, dec, k, positive=False):
        lo = centre - _half(dec)
        return np.linspace(max(lo, 1e-9) if positive else lo, centre + _half(dec), k)

    m1, m2, s1, s2 = np.meshgrid(
        axis(sa.centre, sa.decimals[0], k_mean),
        axis(sb.centre, sb.decimals[0], k_mean),
        axis(sa.spread[0], sa.decimals[1], k_sd, True),
        axis(sb.spread[0], sb.decimals[1], k_sd, True),
        indexing="ij",
    )
    d = np.abs(m1 - m2)
    if equal_var:
        df = n_a + n_b - 2
        se = np.sqrt(((n_a - 1) * s1**2 + (n_b - 1) * s2**2) / df * (1 / n_a + 1 / n_b))
    else:
        v1, v2 = s1**2 / n_a, s2**2 / n_b
        se = np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (n_a - 1) + v2**2 / (n_b - 1))
    return 2 * sps.t.sf(d / se, df)


CASES = [
    ("54.2 ± 11.2", 89, "52.2 ± 10.4", 154),
    ("58.6 ± 47.7", 89, "62.6 ± 108", 154),  # an SD printed without decimals
    ("10.0 ± 2.0", 30, "11.0 ± 2.0", 30),
    ("12.2 ± 0.9", 68, "12.1 ± 0.9", 152),  # mean intervals that overlap: largest p is 1
    ("1.20 ± 1", 7, "0.50 ± 1", 120),  # Welch's smallest p lies inside the SD box (see below)
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}|{c[2]}")
@pytest.mark.parametrize("equal_var", [True, False], ids=["student", "welch"])
def test_t_test_rounding_range_contains_and_reaches_a_brute_force_grid(case, equal_var):
    lo, hi = ttest_rounding_range(*case, equal_var=equal_var)
    grid = _t_grid(*case, equal_var=equal_var)
    # every grid point lies inside the range ...
    assert grid.min() >= lo * (1 - 1e-9) and grid.max() <= hi * (1 + 1e-9)
    # ... and the range is no wider than the grid shows (the grid holds every corner; an interior
    # optimum can beat the grid by at most the spacing of 21 points)
    assert lo == pytest.approx(grid.min(), rel=1e-3)
    assert hi == pytest.approx(grid.max(), rel=1e-3)
    if equal_var:  # Student: the corners are exact, and the grid holds them
        assert lo == pytest.approx(grid.min(), rel=1e-12) and hi == pytest.approx(
            grid.max(), rel=1e-12
        )


def test_welch_smallest_p_can_lie_inside_the_sd_box_and_is_found_there():
    # n 7 against n 120: the Welch df move with the SDs, so p is not monotone in the second SD.
    a, n_a, b, n_b = CASES[-1]
    sa, sb = parse_summary(a, "mean_sd"), parse_summary(b, "mean_sd")
    d_max = abs(sa.centre - sb.centre) + _half(sa.decimals[0]) + _half(sb.decimals[0])
    corners = [
        _t_pvalue(d_max, s1, n_a, s2, n_b, False)
        for s1 in (sa.spread[0] - _half(sa.decimals[1]), sa.spread[0] + _half(sa.decimals[1]))
        for s2 in (sb.spread[0] - _half(sb.decimals[1]), sb.spread[0] + _half(sb.decimals[1]))
    ]
    lo, _ = ttest_rounding_range(a, n_a, b, n_b, equal_var=False)
    grid = _t_grid(a, n_a, b, n_b, False, k_mean=3, k_sd=101)
    assert grid.min() < 0.95 * min(corners)  # the corners alone would overstate the smallest p
    assert lo <= grid.min() and lo == pytest.approx(grid.min(), rel=1e-4)


def test_anova_on_two_groups_has_the_student_rounding_range():
    for a, n_a, b, n_b in CASES:
        ss = [parse_summary(a, "mean_sd"), parse_summary(b, "mean_sd")]
        got = _anova_range(ss, np.array([n_a, n_b], dtype=float))
        assert got == pytest.approx(ttest_rounding_range(a, n_a, b, n_b, equal_var=True), rel=1e-9)


def test_anova_range_finds_the_interior_smallest_spread_of_means_that_corners_miss():
    # means 0.0, 0.1, 0.2 (one decimal): the middle mean can sit at the grand mean, between corners
    cells = [("0.0 ± 0.3", 20), ("0.1 ± 0.3", 20), ("0.2 ± 0.3", 20)]
    ss = [parse_summary(t, "mean_sd") for t, _ in cells]
    ns = np.array([n for _, n in cells], dtype=float)
    lo, hi = _anova_range(ss, ns)

    def p_of(m, sd):
        grand = np.sum(ns * m) / ns.sum()
        f = (np.sum(ns * (m - grand) ** 2) / 2) / (np.sum((ns - 1) * sd**2) / (ns.sum() - 3))
        return sps.f.sf(f, 2, ns.sum() - 3)

    axes = [np.linspace(s.centre - 0.05, s.centre + 0.05, 11) for s in ss]
    sd_hi, sd_lo = np.full(3, 0.35), np.full(3, 0.25)
    grid_hi = max(p_of(np.array(m), sd_hi) for m in itertools.product(*axes))
    grid_lo = min(p_of(np.array(m), sd_lo) for m in itertools.product(*axes))
    corner_hi = max(
        p_of(np.array(m), sd_hi) for m in itertools.product(*[(x[0], x[-1]) for x in axes])
    )
    assert corner_hi < grid_hi - 0.01  # corners alone miss the largest p ...
    assert hi == pytest.approx(
        grid_hi, rel=1e-9
    )  # ... the grid holds the exact optimum here (0.05, 0.1, 0.15)
    assert lo == pytest.approx(grid_lo, rel=1e-12)


def test_deng2025_table1_continuous_rows_all_fit_welch_and_student_misses_three():
    # independent target (R 4.2.2): all 10 pairwise mean ± SD rows fit Welch's t within rounding,
    # Student's t misses 3
    s = variant_fit_summary("deng2025").set_index(["source", "variant"])
    assert s.loc[("Table 1", "welch"), "rows"] == 10 and s.loc[("Table 1", "welch"), "within"] == 10
    assert (
        s.loc[("Table 1", "student"), "rows"] == 10 and s.loc[("Table 1", "student"), "within"] == 7
    )
    misses = set(s.loc[("Table 1", "student"), "misses"].split(", "))
    assert misses == {"t1p_alt_tace", "t1p_alt_rt", "t1p_ast_tace"}
    assert (
        "Table 1",
        "anova",
    ) not in s.index  # on two groups ANOVA is Student's t, not listed twice


def test_deng2025_rows_say_per_variable_which_variants_fit():
    f = audit_study("deng2025").set_index("key")
    assert f.loc["t1p_alt_tace", "status"] == "note"  # Student's t, the stated test, does not fit
    assert "within rounding: welch;" in f.loc["t1p_alt_tace", "detail"]
    assert f.loc["t1p_age_tace", "status"] == "ok"
    assert "within rounding: student, welch;" in f.loc["t1p_age_tace", "detail"]
    assert "Mann-Whitney: not derivable" in f.loc["t1p_age_tace", "detail"]


def test_variant_fit_summary_appears_in_audit_study_as_note_rows():
    f = audit_study("deng2025")
    fit = f[f.check == "variant_fit"].set_index("key")
    assert set(fit.index) == {
        f"table_1.{v}"
        for v in (
            "student",
            "welch",
            "mann_whitney",
            "chisq",
            "chisq_yates",
            "fisher",
            "auto_fisher",
        )
    }
    assert (fit.status == "note").all()
    assert fit.loc["table_1.welch", "detail"].startswith("welch: 10 of 10")
    assert fit.loc["table_1.welch", "where"] == "Table 1, mean ± SD rows"
    # the book's deng2025 step 1: R's default chisq.test (Yates) prints all 20 count rows but one
    assert fit.loc["table_1.chisq_yates", "detail"] == (
        "chisq_yates: 19 of 20 printed p-values print as its p at the printed counts; "
        "outside: t1p_metastasis_tace"
    )
    assert fit.loc["table_1.chisq_yates", "where"] == "Table 1, counts rows"
    assert list(f.columns) == ["check", "key", "source", "where", "printed", "status", "detail"]


def test_cli_audit_prints_the_variant_fit_summary_under_the_findings():
    from hccrep.cli import app

    r = CliRunner().invoke(app, ["audit", "deng2025"])
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.index("p-values by test variant, per table") > out.index("variant_fit")
    line = next(x for x in out.splitlines() if x.split()[:2] == ["Table", "1"] and "welch" in x)
    assert line.split()[2:8] == ["mean", "±", "SD", "welch", "10", "10"]
    line = next(x for x in out.splitlines() if x.split()[:4] == ["Table", "1", "counts", "fisher"])
    assert line.split()[4:6] == ["20", "2"]
    assert "mann_whitney: U counts" in out


def test_cli_audit_summarises_the_variants_of_every_study():
    """fonc2025 prints no mean ± SD, so only rows of counts (and no Mann-Whitney line); the
    lv2025 review compares no groups of its own, and says so."""
    from hccrep.cli import app

    out = CliRunner().invoke(app, ["audit", "fonc2025"]).output
    assert "p-values by test variant, per table" in out and "mann_whitney:" not in out
    line = next(
        x for x in out.splitlines() if x.split()[:4] == ["Table", "4", "counts", "auto_fisher"]
    )
    assert line.split()[4:6] == ["25", "25"]  # Fisher when an expected count is below 5: all 25
    out = CliRunner().invoke(app, ["audit", "lv2025"]).output
    assert "p-values by test variant: none" in out


def test_mann_whitney_is_stated_as_not_derivable_not_given_a_range():
    s = variant_fit_summary("tu2025")
    mw = s[s.variant == "mann_whitney"]
    assert len(mw) == 2 and mw["within"].isna().all() and mw["exact"].isna().all()
    assert (mw.note == MANN_WHITNEY_NOT_DERIVABLE).all()
    assert "mann_whitney" not in mean_sd_variant_ranges([("1.0 ± 1.0", 10), ("2.0 ± 1.0", 10)])


def _exact_sample(
    n: int, mean: float, sd: float, spread: float, frac: float, sign: float
) -> np.ndarray:
    """A sample with exactly this mean and SD: a bulk of width ``spread`` and a fraction ``frac`` set apart."""
    k = int(round(frac * n))
    bulk = sps.norm.ppf((np.arange(1, n - k + 1) - 0.5) / (n - k)) * spread
    apart = sign + sps.norm.ppf((np.arange(1, k + 1) - 0.5) / k) * spread
    x = np.append(bulk, apart)
    return mean + sd * (x - x.mean()) / x.std(ddof=1)


def mann_whitney_samples(spread: float):
    """deng2025 age, P+T against TACE, as two samples with exactly the printed summaries."""
    st = load_study("deng2025")
    v = next(x for x in st.baseline().variables if x.key == "age")
    g = {x.key: x for x in st.baseline().groups}
    a, b = (parse_summary(v.cells[k], "mean_sd") for k in ("pt", "tace"))
    # the reference group puts 10% far above its bulk, the other 10% far below
    return (
        _exact_sample(g["pt"].n, a.centre, a.spread[0], spread, 0.1, 1.0),
        _exact_sample(g["tace"].n, b.centre, b.spread[0], spread, 0.1, -1.0),
    )


def test_mann_whitney_p_is_not_fixed_by_mean_and_sd():
    # Two pairs of samples, both with exactly the printed means and SDs and plausible ages, give
    # Mann-Whitney p-values at opposite ends of [0, 1]: no rounding range can exist.
    ps = []
    for spread in (0.05, 0.3):
        x, y = mann_whitney_samples(spread)
        for s in (x, y):
            assert s.min() > 0 and s.max() < 100
        ps.append(sps.mannwhitneyu(x, y, method="asymptotic").pvalue)
    assert ps[0] < 1e-10 and ps[1] > 0.9


# ----------------------------------------------------------------------------- Wald p range


def _wald_grid(est, lower, upper, decimals, k=41):
    h = _half(decimals)
    e, lo, hi = np.meshgrid(
        *(np.linspace(x - h, x + h, k) for x in (est, lower, upper)), indexing="ij"
    )
    ok = (lo > 0) & (lo < e) & (e < hi)
    se = (np.log(hi[ok]) - np.log(lo[ok])) / (2 * sps.norm.ppf(0.975))
    return 2 * sps.norm.sf(np.abs(np.log(e[ok])) / se)


@pytest.mark.parametrize(
    "hr",
    [
        (0.43, 0.21, 0.88, 2),
        (1.89, 0.97, 3.66, 2),
        (0.99, 0.97, 1.00, 2),
        (1.01, 1.00, 1.02, 2),
        (1.00, 0.99, 1.01, 2),
        (1.00, 1.00, 1.00, 2),
        (1.01, 1.01, 1.02, 2),
        (2.6, 1.6, 4.1, 1),
    ],
)
def test_wald_p_range_contains_a_brute_force_grid_with_lower_below_estimate_below_upper(hr):
    lo, hi = _wald_p_range(*hr)
    grid = _wald_grid(*hr)
    assert grid.size > 0
    assert grid.min() >= lo - 1e-15 and grid.max() <= hi + 1e-12
    # the extremes are suprema over lower < estimate < upper, approached but not always attained
    # by a grid: the grid comes within a factor of 10 (or below 1e-8) and within 0.05 of them
    assert grid.min() <= max(10 * lo, 1e-8)
    assert grid.max() >= hi - 0.05


def test_ci_printed_as_one_value_allows_every_wald_p():
    # "1.00 (1.00-1.00)": true limits anywhere in [0.995, 1.005] with lower < upper
    assert _wald_p_range(1.0, 1.0, 1.0, 2) == (0.0, 1.0)
    # an HR of 1.0023 (1.0008-1.0038) prints so, and its Wald p is 0.0026
    e, l, u = 1.0023, 1.0008, 1.0038
    assert [round(x, 2) for x in (e, l, u)] == [1.0, 1.0, 1.0]
    p = 2 * sps.norm.sf(math.log(e) / ((math.log(u) - math.log(l)) / (2 * sps.norm.ppf(0.975))))
    assert p == pytest.approx(0.0026, abs=1e-4)
    lo, hi = _wald_p_range(1.0, 1.0, 1.0, 2)
    assert lo <= p <= hi


def test_deng2025_ast_hr_printed_as_1_00_is_not_called_non_wald():
    st = load_study("deng2025")
    hr = st.number("cox_uv_ast_hr")
    assert hr.value == hr.lower == hr.upper  # the data hold the collapsed interval
    row = audit_study(st).set_index("key").loc["cox_uv_ast_hr"]
    assert row.status == "ok"
    assert "not a Wald test" not in row.detail and "Wald p undetermined" in row.detail


def test_wald_p_range_is_unchanged_where_the_limits_are_well_apart():
    # the pre-existing corner rule and the new one agree when lower < estimate < upper holds at every corner
    for e, l, u in [(0.43, 0.21, 0.88), (1.89, 0.97, 3.66), (1.28, 0.62, 2.62), (0.51, 0.26, 0.99)]:
        h = 0.005
        ps = [
            2
            * sps.norm.sf(
                abs(math.log(a)) / ((math.log(c) - math.log(b)) / (2 * sps.norm.ppf(0.975)))
            )
            for a in (e - h, e + h)
            for b in (l - h, l + h)
            for c in (u - h, u + h)
        ]
        assert _wald_p_range(e, l, u, 2) == pytest.approx((min(ps), max(ps)), rel=1e-12)


def test_lower_limit_printed_as_zero_allows_p_up_to_one():
    # 0.5 (0.0-1.2): the true lower limit may be any tiny positive number, so the interval can be
    # arbitrarily wide on the log scale
    assert _wald_p_range(0.5, 0.0, 1.2, 1)[1] == 1.0


# ----------------------------------------------------------------------------- centring of coefficients


def test_tu2025_ggt_coefficient_is_centred_within_rounding():
    st = load_study("tu2025")
    n = st.number("t2_mv_ggt_beta")
    # -0.0015 (-0.0035, 0.0005) is exactly centred and prints as the row does
    assert centring_gap(n.value, n.lower, n.upper, 3) == 0.0
    row = audit_study(st).set_index("key").loc["t2_mv_ggt_beta"]
    assert "not centred" not in row.detail and row.status == "ok"


def test_centring_gap_is_the_printed_gap_less_one_unit():
    # a gap of exactly one unit of the last digit is still compatible with a centred interval ...
    assert centring_gap(0.5, 0.2, 0.9, 1) == 0.0  # centre 0.55, gap 0.05 = 2 half units
    # ... a gap beyond it is not: 1.386 (-0.751, 3.712) has centre 1.4805, gap 0.0945 - 0.001
    assert centring_gap(1.386, -0.751, 3.712, 3) == pytest.approx(0.0935, abs=1e-12)
    assert centring_gap(0.5, 0.2, 0.95, 2) == pytest.approx(0.075 - 0.01, abs=1e-12)


def test_tu2025_profile_likelihood_rows_stay_flagged():
    f = audit_study("tu2025")
    coef = f[f.check == "coefficient"].set_index("key")
    for key in (
        "t2_mv_nlr_beta",
        "t2_mv_delta_t_beta",
        "t2_mv_alb_beta",
        "t2_mv_diameter_beta",
        "t2_mv_satellite_beta",
    ):
        assert "not centred" in coef.loc[key, "detail"], key


# ----------------------------------------------------------------------------- the comparisons the data link


def test_mean_sd_comparisons_read_all_three_data_shapes():
    deng = {c.key: c for c in mean_sd_comparisons(load_study("deng2025"))}
    assert len(deng) == 10 and all(len(c.cells) == 2 for c in deng.values())
    tu = mean_sd_comparisons(load_study("tu2025"))
    base = [c for c in tu if c.in_baseline]
    t2 = [c for c in tu if c.source == "Table 2"]
    assert base and all(len(c.cells) == 3 for c in base)  # Table 1: three cohorts, Total excluded
    assert t2 and all(len(c.cells) == 2 and not c.in_baseline for c in t2)
    assert len({c.key for c in tu}) == len(tu)


def test_a_p_outside_every_variant_is_a_note_never_inconsistent():
    from hccrep.audit import MeanSDComparison

    c = MeanSDComparison(
        "x.p", "Table 9", "x", "0.900", (("a", "10.0 ± 2.0", 30), ("b", "11.0 ± 2.0", 30))
    )
    a = assess_mean_sd_comparison(c)
    assert (
        a["within"] == [] and a["row"]["status"] == "note" and "a rank test?" in a["row"]["detail"]
    )


# ----------------------------------------------------------------------------- item 3: generic claim rules


def test_interaction_p_range_contains_and_reaches_a_brute_force_grid():
    from hccrep.audit import interaction_p_range

    for a, b, dec in [
        ((0.11, 0.02, 0.57), (0.47, 0.26, 0.85), (2, 2)),
        ((0.35, 0.16, 0.78), (0.34, 0.16, 0.72), (2, 2)),
        ((2.5, 1.2, 5.1), (0.9, 0.5, 1.6), (1, 1)),
    ]:
        r = interaction_p_range(a, b, dec)
        axes = [
            np.linspace(x - _half(d), x + _half(d), 5)
            for x, d in zip((*a, *b), (dec[0],) * 3 + (dec[1],) * 3)
        ]
        e1, l1, u1, e2, l2, u2 = np.meshgrid(*axes, indexing="ij")
        z = sps.norm.ppf(0.975)
        se = np.hypot((np.log(u1) - np.log(l1)) / (2 * z), (np.log(u2) - np.log(l2)) / (2 * z))
        grid = 2 * sps.norm.sf(np.abs(np.log(e1) - np.log(e2)) / se)
        assert grid.min() >= r["lo"] * (1 - 1e-9) and grid.max() <= r["hi"] * (1 + 1e-9)
        assert r["lo"] == pytest.approx(grid.min(), rel=1e-9)  # a corner
        assert r["hi"] == pytest.approx(
            grid.max(), abs=0.02
        )  # the smallest difference may lie between grid points


def test_fonc2025_interaction_pvalues_against_altman_bland():
    f = audit_study("fonc2025").set_index("key")
    # PFS by age: 0.35 (0.16-0.78) vs 0.34 (0.16-0.72): z = ln(0.35/0.34) / 0.558 = 0.052, p = 0.96;
    # the rounding allows 0.975
    assert f.loc["sg_pfs_age_pint", "status"] == "ok"
    # PFS by ECOG: 0.11 (0.02-0.57) vs 0.47 (0.26-0.85): z = 1.453 / 0.906 = 1.60, p = 0.109; the printed
    # 0.058 lies outside even the rounding range: not this test
    row = f.loc["sg_pfs_ecog_pint"]
    assert row.status == "note" and "p = 0.1091" in row.detail and "lies outside" in row.detail


def test_grim_flags_a_mean_that_no_total_of_n_integers_gives():
    from hccrep.audit import grim_consistent

    assert grim_consistent(3.44, 2, 18) is True  # 62/18 = 3.444
    assert grim_consistent(3.45, 2, 18) is False  # 62/18 = 3.444, 63/18 = 3.500
    assert (
        grim_consistent(5.3, 1, 3) is True and grim_consistent(5.5, 1, 3) is False
    )  # 16/3 = 5.33, 17/3 = 5.67
    assert grim_consistent(5.0, 0, 3) is None
    assert grim_consistent(54.2, 1, 89) is None  # n >= 10^decimals: every mean is reachable
    # n = 8 at one decimal, by hand: the eighths 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875 lie
    # within 0.05 of 0.1, 0.2 and 0.3 (0.25 is a tie), 0.4, 0.5, 0.6, 0.7 and 0.8 (0.75), 0.9:
    # every printed value is reachable, so GRIM cannot tell although 8 < 10
    assert grim_consistent(3.9, 1, 8) is None and grim_consistent(3.5, 1, 8) is None
    # n = 9: the ninths 4/9 = 0.444 and 5/9 = 0.556 both miss 0.5 by more than 0.05
    assert grim_consistent(5.5, 1, 9) is False and grim_consistent(5.4, 1, 9) is True


def _demo_baseline(tmp_path, cells: dict[str, str], integer: bool):
    import yaml

    d = tmp_path / "demo"
    d.mkdir()
    (d / "study.yaml").write_text(
        yaml.safe_dump({"key": "demo", "type": "study", "citation": "x", "files": ["table1"]})
    )
    (d / "table1.yaml").write_text(
        yaml.safe_dump(
            {
                "study": "demo",
                "file_id": "table1",
                "type": "baseline",
                "source": {"kind": "table", "label": "Table 1"},
                "groups": [
                    {"key": "a", "label": "A", "n": 18, "printed": "A (n = 18)"},
                    {"key": "b", "label": "B", "n": 12, "printed": "B (n = 12)"},
                ],
                "variables": [
                    {
                        "key": "lesions",
                        "label": "Lesions",
                        "kind": "continuous",
                        "summary": "mean_sd",
                        "integer": integer,
                        "cells": cells,
                    }
                ],
            },
            allow_unicode=True,
        )
    )
    return load_study("demo", data_dir=tmp_path)


def test_grim_rule_runs_on_integer_flagged_baseline_variables_only(tmp_path):
    st = _demo_baseline(tmp_path, {"a": "3.45 ± 1.20", "b": "2.25 ± 0.90"}, integer=True)
    f = audit_study(st)
    grim = f[f.check == "grim"].set_index("key")
    assert (
        grim.loc["lesions.a", "status"] == "inconsistent"
        and "63/18 = 3.5000" in grim.loc["lesions.a", "detail"]
    )
    assert grim.loc["lesions.b", "status"] == "ok"  # 27/12 = 2.25
    # one decimal with 18 and 12 patients (both >= 10): a note that GRIM cannot tell, not "ok"
    (tmp_path / "demo").rename(tmp_path / "demo_int2")
    st = _demo_baseline(tmp_path, {"a": "3.4 ± 1.2", "b": "2.2 ± 0.9"}, integer=True)
    grim = audit_study(st).query("check == 'grim'").set_index("key")
    assert (grim.status == "note").all() and len(grim) == 2
    assert grim.detail.str.startswith("uninformative at this n").all()
    assert "1/18 = 0.056" in grim.loc["lesions.a", "detail"]
    (tmp_path / "demo").rename(tmp_path / "demo_int")
    st = _demo_baseline(tmp_path, {"a": "3.45 ± 1.20", "b": "2.25 ± 0.90"}, integer=False)
    assert (audit_study(st).check != "grim").all()


def test_ratio_named_by_its_p_value_gets_the_wald_check(tmp_path):
    # the p names the ratio (or_key), not the ratio the p: 0.43 (0.21-0.88) implies p = 0.021, not 0.002
    import yaml

    d = tmp_path / "demo"
    d.mkdir()
    (d / "study.yaml").write_text(
        yaml.safe_dump({"key": "demo", "type": "study", "citation": "x", "files": ["text"]})
    )
    numbers = [
        {
            "key": "aor",
            "quantity": "or",
            "printed": "0.43 (0.21-0.88)",
            "value": 0.43,
            "lower": 0.21,
            "upper": 0.88,
            "role": "check",
            "where": {},
        },
        {
            "key": "aor_p",
            "quantity": "p",
            "printed": "0.002",
            "value": 0.002,
            "role": "check",
            "where": {},
            "about": {"or_key": "aor"},
        },
    ]
    (d / "text.yaml").write_text(
        yaml.safe_dump(
            {
                "study": "demo",
                "file_id": "text",
                "type": "results",
                "source": {"kind": "text", "label": "Results"},
                "numbers": numbers,
            }
        )
    )
    row = audit_study(load_study("demo", data_dir=tmp_path)).set_index("key").loc["aor"]
    assert "not a Wald test" in row.detail

"""hccrep.cutoffs: optimal cut-offs and their instability.

References used here:
- R ``maxstat::maxstat.test(..., smethod = "LogRank" / "Data", pmethod = "Lau92")``
  and ``exactRankTests::cscores``, run live (tests/r/cutoffs_reference.R);
- R ``survival::survdiff`` for the log-rank statistic at a fixed cut-off;
- Youden cut-offs worked out by hand in the comments;
- the Lausen-Schumacher formula evaluated by hand at one point;
- the known behaviour of a maximally selected statistic under the null: the
  naive p-value rejects far more often than its nominal level, the corrected
  one does not (Altman et al. 1994 report about 40 % false positives for a
  10-90 % search at the 5 % level).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hccrep.cutoffs import (
    corrected_p_from_naive,
    cutoff_instability,
    cutoff_spread_plot,
    literature_spread,
    logrank_at_cutoff,
    logrank_scores,
    maxstat,
    maxstat_binary,
    maxstat_logrank,
    published_cutoffs,
    published_pvalues,
    pvalue_lausen92,
    spread_table,
    youden_cutoff,
)
from hccrep.simulate.marker import simulate_marker_cohort

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._rhelpers import read_kv, require_r, run_r
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _rhelpers import read_kv, require_r, run_r

REL = 1e-8


# ----------------------------------------------------------------------------- shared cohorts


def _cohorts() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded cohorts for R and Python: untied, tied times, tied markers, narrow search, a true effect."""
    rng = np.random.default_rng(20251126)
    frames, settings = [], []
    specs = [
        ("untied", 60, 0.1, 0.9, None, None, 0.0),
        ("tied_times", 80, 0.1, 0.9, 0, None, 0.0),
        ("tied_marker", 70, 0.1, 0.9, None, 1, 0.0),
        ("narrow", 90, 0.25, 0.75, None, None, 0.0),
        ("effect", 120, 0.1, 0.9, 0, 1, 0.7),
        ("small", 25, 0.1, 0.9, None, None, 0.5),
    ]
    for name, n, lo, hi, t_dec, x_dec, beta in specs:
        z = rng.standard_normal(n)
        marker = np.exp(0.5 * z) * 3
        t = rng.exponential(10, n) / np.exp(beta * z)
        c = rng.uniform(5, 30, n)
        time = np.minimum(t, c)
        status = (t <= c).astype(int)
        if t_dec is not None:
            time = np.maximum(np.round(time, t_dec), 1.0)  # many tied times
        if x_dec is not None:
            marker = np.round(marker, x_dec)  # many tied marker values
        y = (rng.random(n) < 1 / (1 + np.exp(-beta * z))).astype(int)
        frames.append(
            pd.DataFrame({"cohort": name, "time": time, "status": status, "y": y, "marker": marker})
        )
        settings.append(
            {"cohort": name, "minprop": lo, "maxprop": hi, "cutoff": float(np.median(marker))}
        )
    return pd.concat(frames, ignore_index=True), pd.DataFrame(settings)


@pytest.fixture(scope="module")
def r_reference(tmp_path_factory):
    require_r(("survival", "maxstat", "exactRankTests"))
    d = tmp_path_factory.mktemp("cutoffs_r")
    coh, settings = _cohorts()
    coh.to_csv(d / "cohorts.csv", index=False, float_format="%.17g")
    settings.to_csv(d / "settings.csv", index=False, float_format="%.17g")
    run_r("cutoffs_reference.R", d / "cohorts.csv", d / "settings.csv", d / "out.csv")
    return coh, settings, read_kv(d / "out.csv")


# ----------------------------------------------------------------------------- R parity


@pytest.mark.r
def test_logrank_scores_match_exactRankTests_cscores_with_ties(r_reference):
    coh, settings, ref = r_reference
    first = settings.cohort.iloc[0]
    d = coh[coh.cohort == first]
    got = logrank_scores(d.time, d.status)
    want = np.array([ref[f"{first}.score.{i + 1}"] for i in range(len(d))])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    # and on the cohort with many tied times (the tie convention matters there)
    d = coh[coh.cohort == "tied_times"]
    assert d.time.duplicated().sum() > 10


@pytest.mark.r
def test_maxstat_logrank_matches_R_maxstat_test_Lau92(r_reference):
    coh, settings, ref = r_reference
    for s in settings.itertuples():
        d = coh[coh.cohort == s.cohort]
        res = maxstat_logrank(d.time, d.status, d.marker, minprop=s.minprop, maxprop=s.maxprop)
        assert res.statistic == pytest.approx(ref[f"{s.cohort}.maxstat.statistic"], rel=REL), (
            s.cohort
        )
        assert res.cutoff == ref[f"{s.cohort}.maxstat.estimate"], s.cohort
        assert res.pvalue_corrected == pytest.approx(
            ref[f"{s.cohort}.maxstat.p"], rel=REL, abs=1e-14
        ), s.cohort


@pytest.mark.r
def test_maxstat_binary_matches_R_maxstat_test_Data_scores(r_reference):
    coh, settings, ref = r_reference
    for s in settings.itertuples():
        d = coh[coh.cohort == s.cohort]
        res = maxstat_binary(d.y, d.marker, minprop=s.minprop, maxprop=s.maxprop)
        assert res.statistic == pytest.approx(
            ref[f"{s.cohort}.maxstat_binary.statistic"], rel=REL
        ), s.cohort
        assert res.cutoff == ref[f"{s.cohort}.maxstat_binary.estimate"], s.cohort
        assert res.pvalue_corrected == pytest.approx(
            ref[f"{s.cohort}.maxstat_binary.p"], rel=REL, abs=1e-14
        ), s.cohort


@pytest.mark.r
def test_logrank_at_cutoff_matches_R_survdiff(r_reference):
    coh, settings, ref = r_reference
    for s in settings.itertuples():
        d = coh[coh.cohort == s.cohort]
        res = logrank_at_cutoff(d.time, d.status, d.marker, s.cutoff)
        assert res.statistic == pytest.approx(ref[f"{s.cohort}.survdiff.chisq"], rel=REL), s.cohort
        assert res.observed_high - res.expected_high == pytest.approx(
            ref[f"{s.cohort}.survdiff.o_minus_e_high"], rel=REL, abs=1e-12
        ), s.cohort
        # the sign of z is the sign of O - E in the high group
        assert math.copysign(1, res.z) == math.copysign(
            1, ref[f"{s.cohort}.survdiff.o_minus_e_high"]
        )


# ----------------------------------------------------------------------------- hand-derived values


def test_logrank_scores_without_ties_are_event_minus_nelson_aalen():
    got = logrank_scores([3, 1, 4, 2], [1, 1, 1, 0])
    # events at times 3, 1, 4 (2 censored): increments 1/4 at t=1, 0 at t=2, 1/2 at t=3, 1 at t=4
    na = {1: 1 / 4, 2: 1 / 4, 3: 1 / 4 + 1 / 2, 4: 1 / 4 + 1 / 2 + 1}
    want = [1 - na[3], 1 - na[1], 1 - na[4], 0 - na[2]]
    np.testing.assert_allclose(got, want, atol=1e-15)


def test_pvalue_lausen92_hand_formula():
    # b = 2.5, eps = 0.1/0.9: 4 phi(b)/b + phi(b) (b - 1/b) log(0.9*0.9/(0.1*0.1)) = log(81)
    b = 2.5
    phi = math.exp(-b * b / 2) / math.sqrt(2 * math.pi)
    want = 4 * phi / b + phi * (b - 1 / b) * math.log(81)
    assert pvalue_lausen92(b) == pytest.approx(want, rel=1e-12)
    assert pvalue_lausen92(0.5) == 1.0  # R returns 1 below b = 1
    # with a wide search range the approximation exceeds 1 just above b = 1 (here 1.36:
    # 4 phi/b = 0.527, phi (b - 1/b) log(0.99^2/0.01^2) = 0.834); R returns it as is, hccrep truncates to 1
    assert pvalue_lausen92(1.3, 0.01, 0.99) == 1.0


def test_youden_cutoff_hand_example():
    # controls 1, 2, 3.5, 4; cases 3, 5, 6.  Thresholds are midpoints: at 4.5 two of three cases
    # are >= 4.5 (sens 2/3) and all four controls are below (spec 1): J = 2/3.  At 2.5: sens 1,
    # spec 2/4, J = 1/2.  At 3.25: sens 2/3 (5, 6), spec 3/4 -> J = 5/12.  So 4.5 is best.
    c = youden_cutoff([0, 0, 0, 0, 1, 1, 1], [1.0, 2.0, 3.5, 4.0, 3.0, 5.0, 6.0])
    assert c.threshold == 4.5
    assert c.sensitivity == pytest.approx(2 / 3)
    assert c.specificity == 1.0
    assert c.youden_j == pytest.approx(2 / 3)
    assert "youden" in c.variant.lower()


def test_youden_cutoff_tie_takes_lowest_threshold():
    # controls 1, 2, 4; cases 3, 5, 6: J = 2/3 both at 2.5 (sens 1, spec 2/3) and 4.5 (sens 2/3, spec 1)
    c = youden_cutoff([0, 0, 0, 1, 1, 1], [1.0, 2.0, 4.0, 3.0, 5.0, 6.0])
    assert c.threshold == 2.5


def _youden_brute_force(y, s):
    """Reference written from the definition: try every midpoint, keep the first best J."""
    values = sorted(set(s))
    best = None
    for t in [-math.inf, *[(a + b) / 2 for a, b in zip(values, values[1:])], math.inf]:
        sens = sum(1 for yi, si in zip(y, s) if yi == 1 and si >= t) / sum(y)
        spec = sum(1 for yi, si in zip(y, s) if yi == 0 and si < t) / (len(y) - sum(y))
        if best is None or sens + spec - 1 > best[1] + 1e-12:
            best = (t, sens + spec - 1)
    return best


def test_youden_cutoff_matches_brute_force_on_random_tied_data():
    rng = np.random.default_rng(5)
    for _ in range(20):
        y = rng.integers(0, 2, 40)
        if y.min() == y.max():
            continue
        s = np.round(rng.normal(y * 0.8, 1), 1).tolist()
        t, j = _youden_brute_force(y.tolist(), s)
        c = youden_cutoff(y, s)
        assert c.threshold == pytest.approx(t) and c.youden_j == pytest.approx(j)


def test_maxstat_finds_a_planted_step():
    # scores are 0 below 0.3 and 1 above: the statistic is largest where the split is perfect
    rng = np.random.default_rng(1)
    x = rng.normal(size=200)
    res = maxstat((x > 0.3).astype(float), x)
    assert res.cutoff == x[x <= 0.3].max()
    # a perfect split of m zeros and N - m ones gives |S - E| / sqrt(V) = sqrt(N - 1)
    assert res.statistic == pytest.approx(math.sqrt(199), rel=1e-12)


def test_maxstat_naive_p_is_two_sided_normal():
    rng = np.random.default_rng(2)
    d = simulate_marker_cohort(80, rng)
    res = maxstat_logrank(d.time, d.event, d.marker)
    assert res.pvalue_naive == pytest.approx(2 * stats.norm.sf(res.statistic), rel=1e-12)
    assert res.pvalue_corrected >= res.pvalue_naive
    assert 0.1 <= res.quantile <= 0.9


# ----------------------------------------------------------------------------- the null behaviour


@pytest.mark.slow
def test_naive_p_is_anti_conservative_and_corrected_p_is_not_under_the_null():
    # 400 null cohorts of 100: the naive p of the best of ~80 cut-offs rejects in roughly 40 %
    # (Altman et al. 1994); the Lau92 p keeps the level (it is slightly conservative with a
    # finite number of cut-points).  Binomial SE at 0.05 with 400 cohorts: 0.011.
    r = cutoff_instability(100, "null", 400, seed=11)
    s = r.summary(alpha=0.05)
    assert s["share_p_naive_below_alpha"] > 0.25
    assert s["share_p_corrected_below_alpha"] <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 400)
    assert s["share_p_corrected_below_alpha"] >= 0.005
    # with no threshold in the model, the chosen cut-offs cover most of the search range
    assert s["quantile_q10"] <= 0.2 and s["quantile_q90"] >= 0.8


def test_cutoff_instability_same_seed_same_result():
    a = cutoff_instability(50, "loglinear", 15, seed=3, log_hr_per_sd=0.5)
    b = cutoff_instability(50, "loglinear", 15, seed=3, log_hr_per_sd=0.5)
    pd.testing.assert_frame_equal(a.cohorts, b.cohorts)
    c = cutoff_instability(50, "loglinear", 15, seed=4, log_hr_per_sd=0.5)
    assert not a.cohorts.equals(c.cohorts)


def test_cutoff_instability_binary_outcome_runs_and_names_method():
    r = cutoff_instability(60, "null", 10, seed=1, outcome="binary")
    assert len(r.cohorts) == 10 and "smethod='Data'" in r.variant


def test_spread_table_ratio():
    s = spread_table([2.0, 3.0, 5.0])
    assert s["ratio_max_min"] == 2.5 and s["median"] == 3.0


# ----------------------------------------------------------------------------- input validation


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: youden_cutoff([0, 1, 2], [1, 2, 3]), "y must be 0/1"),
        (lambda: youden_cutoff([1, 1, 1], [1, 2, 3]), "cases .1. and 1 controls"),
        (lambda: youden_cutoff([0, 1], [1, 2, 3]), "score has 3 values but y has 2"),
        (lambda: maxstat_logrank([1, 2, 3], [0, 0, 0], [1, 2, 3]), "no events"),
        (lambda: maxstat_logrank([1, 2, 3], [1, 1, 1], [1, 2, np.nan]), "marker contains missing"),
        (
            lambda: maxstat_logrank(
                [1, 2, 3, 4], [1, 1, 1, 1], [1, 2, 3, 4], minprop=0.6, maxprop=0.5
            ),
            "minprop",
        ),
        (lambda: maxstat([1.0] * 10, np.arange(10.0)), "constant"),
        (lambda: logrank_at_cutoff([1, 2, 3], [1, 1, 1], [1, 2, 3], 10), "empty group"),
        (lambda: pvalue_lausen92(-1.0), "statistic"),
        (lambda: cutoff_instability(50, "step", 5, seed=1), "true_model"),
        (lambda: cutoff_instability(50, "null", 5, seed=None), "seed"),
        (
            lambda: simulate_marker_cohort(50, np.random.default_rng(0), log_hr_per_sd=0.3),
            "log_hr_per_sd",
        ),
        (lambda: simulate_marker_cohort(50, 0), "rng"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ----------------------------------------------------------------------------- literature helpers


def test_corrected_p_from_naive_matches_R_pLausen92_of_qnorm():
    # reference: R 4.x, maxstat 0.7-25: sapply(c(0.001, 0.04), function(p) maxstat:::pLausen92(qnorm(1 - p/2)))
    # printed with digits = 5 as 0.025485 0.427679
    got = corrected_p_from_naive([0.001, 0.04])
    np.testing.assert_allclose(got, [0.025485, 0.427679], atol=5e-7)


def test_literature_spread_rows_and_determinism():
    a = literature_spread(
        [40, 60, 50], "loglinear", 8, seed=2, log_hr_per_sd=0.3, marker_median=3.0
    )
    b = literature_spread(
        [40, 60, 50], "loglinear", 8, seed=2, log_hr_per_sd=0.3, marker_median=3.0
    )
    pd.testing.assert_frame_equal(a, b)
    assert (a["ratio_max_min"] >= 1).all()
    assert all(len(c) == 3 for c in a["cutoffs"])
    assert (a["n_corrected_significant"] <= a["n_naive_significant"]).all()
    with pytest.raises(ValueError, match="unknown model settings"):
        literature_spread([40, 60], "null", 2, seed=1, prevalence=0.3)


def test_cutoff_spread_plot_has_alt_text_counting_reported_inside():
    from hccrep.plots import alt_text

    fig = cutoff_spread_plot(np.linspace(1, 5, 101), {"A": 2.0, "B": 9.0}, marker="NLR")
    text = alt_text(fig)
    assert "2 published cut-offs" in text and "1 of them lie inside" in text
    import matplotlib.pyplot as plt

    plt.close(fig)


def _fake_study():
    from types import SimpleNamespace as N

    from hccrep.about import About, Citation

    def num(key, quantity, value, printed, bound=None, **about):
        return N(
            key=key,
            quantity=quantity,
            value=value,
            printed=printed,
            bound=bound,
            provenance=f"row {key}",
            about=About(**about),
        )

    return N(
        key="fake",
        numbers=[
            num(
                "a_n",
                "count",
                80,
                "80",
                statistic="n",
                marker="M",
                source=Citation(ref="[1]"),
            ),
            num(
                "a_cut",
                "cutoff",
                2.5,
                "2.5",
                statistic="cutoff",
                marker="M",
                source=Citation(ref="[1]"),
            ),
            num("b_cut", "cutoff", 1.5, "M > 1.5", marker="M", source=Citation(ref="[2]")),
            num(
                "a_cut_again",
                "cutoff",
                2.5,
                "M > 2.5",
                marker="M",
                source=Citation(ref="[1]"),
                same_as="a_cut",
            ),
            num("other_cut", "cutoff", 9.0, "9", marker="Q", source=Citation(ref="[3]")),
            num("b_p", "p", 0.04, "P=0.04", marker="M", source=Citation(ref="[2]"), endpoint="os"),
            num(
                "b_p2",
                "p",
                0.001,
                "P < 0.001",
                marker="M",
                source=Citation(ref="[2]"),
                endpoint="pfs",
                bound="<",
            ),
        ],
    )


def test_published_cutoffs_skips_repeats_and_finds_sizes_by_reference():
    t = published_cutoffs(_fake_study(), "M")
    assert t["key"].tolist() == ["b_cut", "a_cut"]  # sorted by cut-off; the repeat is left out
    assert t.loc[t.key == "a_cut", "n"].item() == 80
    assert math.isnan(t.loc[t.key == "b_cut", "n"].item())
    with pytest.raises(ValueError, match="no cut-off"):
        published_cutoffs(_fake_study(), "Z")


def test_published_pvalues_adds_the_corrected_reading():
    t = published_pvalues(_fake_study(), "M")
    np.testing.assert_allclose(t["p_if_optimised"], corrected_p_from_naive([0.04, 0.001]))
    assert t["bound"].tolist() == ["", "<"]

"""Tests for hccrep.stats.prediction against independent references.

References used (each test says which):

* R, run live (``tests/r/prediction_reference.R``): pROC 1.18 ``roc`` (direction "<"),
  ``ci.auc(method = "delong")``, ``var(method = "delong")``, ``roc.test(method = "delong",
  paired = TRUE / FALSE)``, ``coords(r, "all")`` and ``coords(r, "best", best.method =
  "youden")``; ``glm`` (binomial) for calibration intercept/slope, logistic tables and a backward
  elimination written in R; ``lm`` R^2 for VIFs; a Hosmer-Lemeshow test written in R from the
  textbook definition (ResourceSelection is not installed).
* Definitions computed a different way here: the Mann-Whitney U statistic (scipy), DeLong's
  structural components by the O(m n) double loop of DeLong et al. (1988), scikit-learn's
  ``cohen_kappa_score`` and ``calibration_curve``.
* Published or hand-derived values, written out in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hccrep.simulate.ratings import simulate_ratings
from hccrep.stats import prediction as pr

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._rhelpers import read_kv, require_r, run_r
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _rhelpers import read_kv, require_r, run_r

REL = 1e-9


# --------------------------------------------------------------------------
# shared data (generated here, written to CSV for R with 17 significant digits)
# --------------------------------------------------------------------------


def _roc_sets() -> dict[str, pd.DataFrame]:
    """Data sets with many tied scores (rounded, integer-valued), of several sizes."""
    out = {}
    for seed, n, prev in [
        (1, 40, 0.4),
        (2, 68, 0.3),
        (3, 107, 0.55),
        (4, 152, 0.5),
        (5, 25, 0.36),
        (6, 90, 0.2),
    ]:
        rng = np.random.default_rng(seed)
        y = (rng.random(n) < prev).astype(int)
        y[:2], y[2:4] = 1, 0  # at least two of each
        latent = rng.normal(size=n) + 1.1 * y
        s1 = np.round(latent + rng.normal(scale=0.6, size=n), 1)  # ties from rounding
        s2 = np.round(2 * latent + rng.normal(scale=1.5, size=n))  # integer score: many ties
        out[f"d{seed}"] = pd.DataFrame({"y": y, "s1": s1, "s2": s2})
    # adjacent doubles: their midpoint rounds onto a data value (pROC's near-tie fix); a score
    # that separates perfectly (DeLong variance 0, CI [1, 1])
    y = np.array([0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1])
    s1 = np.array([0.1, np.nextafter(0.1, 1), 0.3, 0.5, 0.2, 0.7, 0.1, 0.9, 0.4, 0.35, 0.25, 0.8])
    s2 = np.where(y == 1, 10.0, 1.0) + np.arange(12) / 100
    out["edge"] = pd.DataFrame({"y": y, "s1": s1, "s2": s2})
    return out


ROC_SETS = _roc_sets()
UNPAIRED = [("d1", "d2"), ("d3", "d4"), ("d5", "d6"), ("d4", "edge")]


def _calib_sets() -> dict[str, pd.DataFrame]:
    out = {}
    for seed, n, digits in [(11, 152, None), (12, 68, 2), (13, 107, 1), (14, 300, 3)]:
        rng = np.random.default_rng(seed)
        lp = rng.normal(-0.3, 1.3, n)
        y = (rng.random(n) < 1 / (1 + np.exp(-(0.4 + 0.7 * lp)))).astype(int)  # miscalibrated
        p = 1 / (1 + np.exp(-lp))
        if digits is not None:  # ties in the risks: duplicate quantile cut points for digits = 1
            p = np.clip(np.round(p, digits), 10.0**-digits, 1 - 10.0**-digits)
        out[f"c{seed}"] = pd.DataFrame({"y": y, "p": p})
    return out


CALIB_SETS = _calib_sets()


def _logit_data() -> pd.DataFrame:
    rng = np.random.default_rng(2025)
    n = 220
    x1 = rng.normal(size=n)
    x2 = 0.6 * x1 + rng.normal(scale=0.8, size=n)  # correlated with x1 (VIF > 1)
    x3 = rng.binomial(1, 0.4, n).astype(float)
    x4 = rng.normal(size=n)
    x5 = 0.5 * x4 + 0.5 * x3 + rng.normal(scale=0.9, size=n)
    x6 = rng.normal(size=n)
    lp = -0.2 + 0.9 * x1 + 0.7 * x3 - 0.25 * x4 + 0.2 * x5
    y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "x3": x3, "x4": x4, "x5": x5, "x6": x6})


LOGIT = _logit_data()
COVS = ["x1", "x2", "x3", "x4", "x5", "x6"]


@pytest.fixture(scope="module")
def r(tmp_path_factory):
    """Run the R reference script once; return its key/value pairs."""
    require_r(("pROC",))
    d = tmp_path_factory.mktemp("prediction")
    pd.concat([df.assign(id=k) for k, df in ROC_SETS.items()])[["id", "y", "s1", "s2"]].to_csv(
        d / "roc.csv", index=False, float_format="%.17g"
    )
    pd.DataFrame(UNPAIRED, columns=["a", "b"]).to_csv(d / "pairs.csv", index=False)
    pd.concat([df.assign(id=k) for k, df in CALIB_SETS.items()])[["id", "y", "p"]].to_csv(
        d / "calib.csv", index=False, float_format="%.17g"
    )
    LOGIT.to_csv(d / "logit.csv", index=False, float_format="%.17g")
    run_r("prediction_reference.R", d, d / "ref.csv")
    return read_kv(d / "ref.csv")


def _case(name: str, score: str):
    df = ROC_SETS[name]
    return df["y"].to_numpy(), df[score].to_numpy()


ROC_CASES = [(k, s) for k in ROC_SETS for s in ("s1", "s2")]


# --------------------------------------------------------------------------
# AUC and DeLong
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "score"), ROC_CASES)
def test_auc_equals_mann_whitney_u_over_n1_n0(name, score):
    # classic identity: AUC = U / (n1 n0), U counting case > control pairs plus half the ties
    y, s = _case(name, score)
    u = stats.mannwhitneyu(s[y == 1], s[y == 0], alternative="two-sided").statistic
    res = pr.roc_auc(y, s)
    assert res.auc == pytest.approx(u / (res.n_cases * res.n_controls), rel=1e-12)


@pytest.mark.parametrize(("name", "score"), ROC_CASES)
def test_delong_variance_equals_the_pairwise_definition(name, score):
    # DeLong et al. (1988): V10(X_i) = mean_j psi(X_i, Y_j), V01(Y_j) = mean_i psi(X_i, Y_j),
    # psi = 1 if X > Y, 1/2 if equal, 0 otherwise; var = S10 / m + S01 / n (sample variances)
    y, s = _case(name, score)
    x, c = s[y == 1], s[y == 0]
    psi = (x[:, None] > c[None, :]) + 0.5 * (x[:, None] == c[None, :])
    var = psi.mean(axis=1).var(ddof=1) / x.size + psi.mean(axis=0).var(ddof=1) / c.size
    assert pr.roc_auc(y, s).se == pytest.approx(math.sqrt(var), rel=1e-10, abs=1e-15)


@pytest.mark.r
@pytest.mark.parametrize(("name", "score"), ROC_CASES)
def test_roc_auc_and_delong_ci_match_pROC_ci_auc(r, name, score):
    y, s = _case(name, score)
    k = f"roc.{name}.{score}"
    res = pr.roc_auc(y, s)
    assert res.auc == pytest.approx(r[f"{k}.auc"], rel=REL)
    assert res.se == pytest.approx(r[f"{k}.se"], rel=1e-8, abs=1e-15)
    assert res.lower == pytest.approx(r[f"{k}.lower"], rel=REL)
    assert res.upper == pytest.approx(r[f"{k}.upper"], rel=REL)
    res90 = pr.roc_auc(y, s, conf_level=0.90)
    assert (res90.lower, res90.upper) == (
        pytest.approx(r[f"{k}.lower90"], rel=REL),
        pytest.approx(r[f"{k}.upper90"], rel=REL),
    )
    assert "DeLong" in res.variant and "Sun & Xu" in res.variant


@pytest.mark.r
@pytest.mark.parametrize("name", list(ROC_SETS))
def test_delong_paired_matches_pROC_roc_test(r, name):
    df = ROC_SETS[name]
    res = pr.delong_test(df["y"], df["s1"], df["s2"])
    assert res.z == pytest.approx(r[f"paired.{name}.z"], rel=1e-8)
    assert res.pvalue == pytest.approx(r[f"paired.{name}.p"], rel=1e-8)
    assert res.lower == pytest.approx(r[f"paired.{name}.lower"], rel=1e-8)
    assert res.upper == pytest.approx(r[f"paired.{name}.upper"], rel=1e-8)
    assert res.difference == pytest.approx(res.auc_a - res.auc_b)
    assert res.df is None and "paired=TRUE" in res.variant


@pytest.mark.r
@pytest.mark.parametrize(("a", "b"), UNPAIRED)
def test_delong_unpaired_matches_pROC_roc_test(r, a, b):
    da, db = ROC_SETS[a], ROC_SETS[b]
    res = pr.delong_test_unpaired(da["y"], da["s1"], db["y"], db["s2"])
    k = f"unpaired.{a}.{b}"
    assert res.z == pytest.approx(r[f"{k}.t"], rel=1e-8)
    assert res.df == pytest.approx(r[f"{k}.df"], rel=1e-8)
    assert res.pvalue == pytest.approx(r[f"{k}.p"], rel=1e-8)
    assert "paired=FALSE" in res.variant


def test_delong_test_of_a_score_with_itself_is_zero():
    y, s = _case("d1", "s1")
    res = pr.delong_test(y, s, s)
    assert (res.difference, res.z, res.pvalue) == (0.0, 0.0, 1.0)


# --------------------------------------------------------------------------
# ROC table and Youden cut-off
# --------------------------------------------------------------------------


@pytest.mark.r
@pytest.mark.parametrize(("name", "score"), ROC_CASES)
def test_roc_table_matches_pROC_coords_all(r, name, score):
    y, s = _case(name, score)
    k = f"roc.{name}.{score}.coords"
    tab = pr.roc_table(y, s)
    assert len(tab) == r[f"{k}.n"]
    want_thr = [r[f"{k}.{i}.threshold"] for i in range(len(tab))]
    assert tab["threshold"].tolist() == want_thr  # exactly: midpoints, -inf, +inf, near-tie fix
    np.testing.assert_allclose(
        tab["sensitivity"], [r[f"{k}.{i}.sensitivity"] for i in range(len(tab))], rtol=1e-12
    )
    np.testing.assert_allclose(
        tab["specificity"], [r[f"{k}.{i}.specificity"] for i in range(len(tab))], rtol=1e-12
    )


@pytest.mark.r
@pytest.mark.parametrize(("name", "score"), ROC_CASES)
def test_youden_cutoff_matches_pROC_coords_best(r, name, score):
    y, s = _case(name, score)
    k = f"roc.{name}.{score}.best"
    cut = pr.youden_cutoff(y, s)
    assert cut.threshold == r[f"{k}.threshold"]  # the lowest of pROC's tied best thresholds
    assert cut.n_ties == r[f"{k}.n"]
    assert cut.sensitivity == pytest.approx(r[f"{k}.sensitivity"], rel=1e-12)
    assert cut.specificity == pytest.approx(r[f"{k}.specificity"], rel=1e-12)
    assert cut.youden_j == pytest.approx(cut.sensitivity + cut.specificity - 1)


def test_roc_table_thresholds_are_midpoints_by_hand():
    # scores 1, 2, 2, 4 -> distinct 1, 2, 4 -> thresholds -inf, 1.5, 3, +inf
    tab = pr.roc_table([0, 1, 0, 1], [1.0, 2.0, 2.0, 4.0])
    assert tab["threshold"].tolist() == [-np.inf, 1.5, 3.0, np.inf]
    # at 1.5 both cases and one control score >= 1.5: se 1, sp 1/2; at 3: se 1/2, sp 1
    assert tab["sensitivity"].tolist() == [1.0, 1.0, 0.5, 0.0]
    assert tab["specificity"].tolist() == [0.0, 0.5, 1.0, 1.0]


def test_classification_metrics_by_hand():
    # y:    1 1 1 1 0 0 0 0 0 0 ; pred: 1 1 1 0 1 0 0 0 0 0 -> tp 3, fn 1, fp 1, tn 5
    m = pr.classification_metrics([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [1, 1, 1, 0, 1, 0, 0, 0, 0, 0])
    assert (m["tp"], m["fn"], m["fp"], m["tn"]) == (3, 1, 1, 5)
    assert m["sensitivity"] == 0.75 and m["specificity"] == 5 / 6 and m["accuracy"] == 0.8
    assert m["precision"] == 0.75 and m["npv"] == 5 / 6
    assert m["f1"] == pytest.approx(2 * 0.75 * 0.75 / 1.5)  # harmonic mean of precision and recall
    none = pr.classification_metrics([1, 0], [0, 0])
    assert math.isnan(none["precision"]) and none["npv"] == 0.5


# --------------------------------------------------------------------------
# calibration
# --------------------------------------------------------------------------


def test_hosmer_lemeshow_small_example_by_hand():
    # p = .1 .2 .25 .3 | .5 .55 .6 | .8 .85 .9 ; y = 0 0 1 0 | 1 1 0 | 1 1 1 ; g = 3
    # type-7 cut points: quantile positions 9/3 = 3 and 9*2/3 = 6 -> 0.3 and 0.6; groups (.,0.3],
    # (0.3,0.6], (0.6,0.9] of sizes 4, 3, 3.
    # group 1: o1 = 1, e1 = .85, o0 = 3, e0 = 3.15 -> .0225/.85 + .0225/3.15 = .0264706 + .0071429
    # group 2: o1 = 2, e1 = 1.65, o0 = 1, e0 = 1.35 -> .1225/1.65 + .1225/1.35 = .0742424 + .0907407
    # group 3: o1 = 3, e1 = 2.55, o0 = 0, e0 = .45 -> .2025/2.55 + .2025/.45 = .0794118 + .45
    # C-hat = 0.7280084 on g - 2 = 1 df
    y = [0, 0, 1, 0, 1, 1, 0, 1, 1, 1]
    p = [0.1, 0.2, 0.25, 0.3, 0.5, 0.55, 0.6, 0.8, 0.85, 0.9]
    res = pr.hosmer_lemeshow(y, p, groups=3)
    assert res.statistic == pytest.approx(0.72800837507, rel=1e-9)
    assert res.df == 1
    assert res.pvalue == pytest.approx(stats.chi2.sf(0.72800837507, 1), rel=1e-9)
    assert res.table["n"].tolist() == [4, 3, 3]
    assert res.table["observed"].tolist() == [1, 2, 3]
    assert "type-7" in res.variant and "G - 2" in res.variant and "0.3-6" in res.variant


@pytest.mark.r
@pytest.mark.parametrize("name", list(CALIB_SETS))
@pytest.mark.parametrize("groups", [10, 5])
def test_hosmer_lemeshow_matches_hand_written_hoslem_test_0_3_6(r, name, groups):
    """hoslem.test (tests/r/hoslem.R); where it is NaN (an empty interval), its sum without that interval."""
    d = CALIB_SETS[name]
    res = pr.hosmer_lemeshow(d["y"], d["p"], groups=groups)
    k = f"calib.{name}.hl{groups}"
    if math.isnan(r[f"{k}.stat"]):  # the known difference: hccrep leaves the empty interval out
        assert r[f"{k}.empty"] > 0
        k += ".nonempty"
    assert res.df == r[f"{k}.df"]
    assert res.table["n"].tolist() == [r[f"{k}.n.{j}"] for j in range(len(res.table))]
    assert res.statistic == pytest.approx(r[f"{k}.stat"], rel=1e-9)
    assert res.pvalue == pytest.approx(r[f"{k}.p"], rel=1e-8, abs=1e-14)  # R: 1 - pchisq()


def test_hosmer_lemeshow_merges_duplicate_cut_points():
    # risks on a coarse grid: several deciles coincide, fewer than 10 groups are formed
    d = CALIB_SETS["c13"]
    res = pr.hosmer_lemeshow(d["y"], d["p"])
    assert len(res.table) < 10 and res.df == len(res.table) - 2
    assert res.table["n"].sum() == len(d)


def test_hosmer_lemeshow_requested_df_rule_keeps_g_minus_2_when_groups_merge():
    # ResourceSelection <= 0.3-5: the same C-hat on g - 2 df, g the number requested
    d = CALIB_SETS["c13"]
    formed = pr.hosmer_lemeshow(d["y"], d["p"])
    requested = pr.hosmer_lemeshow(d["y"], d["p"], df="requested")
    assert requested.statistic == formed.statistic and requested.df == 8 != formed.df
    assert requested.pvalue == pytest.approx(stats.chi2.sf(formed.statistic, 8), rel=1e-12)
    assert "0.3-5" in requested.variant and f"{len(formed.table)} formed" in requested.variant


def test_hosmer_lemeshow_refuses_an_unknown_df_rule():
    with pytest.raises(ValueError, match="unknown df 'g'"):
        pr.hosmer_lemeshow([0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.5], groups=3, df="g")


@pytest.mark.r
@pytest.mark.parametrize("name", list(CALIB_SETS))
def test_calibration_intercept_slope_match_R_glm(r, name):
    d = CALIB_SETS[name]
    a, b = pr.calibration_intercept_slope(d["y"], d["p"])
    assert a == pytest.approx(r[f"calib.{name}.intercept"], rel=1e-8)
    assert b == pytest.approx(r[f"calib.{name}.slope"], rel=1e-8)
    assert pr.brier_score(d["y"], d["p"]) == pytest.approx(r[f"calib.{name}.brier"], rel=1e-12)


def test_brier_score_by_hand():
    # (0.1-0)^2 + (0.9-1)^2 + (0.6-1)^2 + (0.4-0)^2 = .01 + .01 + .16 + .16 = .34; / 4 = .085
    assert pr.brier_score([0, 1, 1, 0], [0.1, 0.9, 0.6, 0.4]) == pytest.approx(0.085)


@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
@pytest.mark.parametrize("name", list(CALIB_SETS))
def test_calibration_table_matches_sklearn_calibration_curve(name, strategy):
    from sklearn.calibration import calibration_curve

    d = CALIB_SETS[name]
    tab = pr.calibration_table(d["y"], d["p"], n_bins=8, strategy=strategy)
    prob_true, prob_pred = calibration_curve(d["y"], d["p"], n_bins=8, strategy=strategy)
    np.testing.assert_allclose(tab["observed"], prob_true, rtol=1e-12)
    np.testing.assert_allclose(tab["mean_predicted"], prob_pred, rtol=1e-12)
    assert tab["n"].sum() == len(d)


# --------------------------------------------------------------------------
# decision curves
# --------------------------------------------------------------------------


def test_net_benefit_by_hand():
    # n = 10, prevalence 0.4.  Treated when p >= pt.
    # pt = 0.1: 9 treated, TP 4, FP 5: NB = 0.4 - 0.5 * (0.1/0.9) = 0.344444; all: 0.4 - 0.6/9
    # pt = 0.3: p >= .3 -> 6 treated (p = .3 included), TP 3, FP 3: NB = .3 - .3 * 3/7 = .171429
    # pt = 0.5: 3 treated, TP 2, FP 1: NB = .2 - .1 * 1 = .1; all: .4 - .6 = -.2
    # pt = 0  : everyone treated: NB = prevalence = .4 (= treat all)
    y = [1, 1, 0, 0, 1, 0, 0, 0, 1, 0]
    p = [0.9, 0.7, 0.6, 0.4, 0.35, 0.3, 0.2, 0.15, 0.1, 0.05]
    nb = pr.net_benefit(y, p, [0.0, 0.1, 0.3, 0.5])
    np.testing.assert_allclose(nb["model"], [0.4, 0.4 - 0.5 / 9, 0.3 - 0.9 / 7, 0.1])
    np.testing.assert_allclose(nb["treat_all"], [0.4, 0.4 - 0.6 / 9, 0.4 - 1.8 / 7, -0.2])
    assert (nb["treat_none"] == 0).all()
    assert list(nb.columns) == ["threshold", "model", "treat_all", "treat_none"]


def test_net_benefit_survival_by_hand_with_a_tiny_kaplan_meier():
    # time 2 3 4 5 6 7 8 9, event 1 0 1 0 0 1 0 0, risk .9 .8 .7 .6 .5 .4 .3 .2, horizon 6.5
    # pt = .55: treated = first four (times 2e 3c 4e 5c). KM: S(2) = 3/4, S(4) = 3/4 * 1/2 = 3/8
    #   (at risk at 4: times 4 and 5) -> risk by 6.5 = 5/8; TP/n = 5/8 * 4/8, FP/n = 3/8 * 4/8
    #   NB = 5/16 - 3/16 * (.55/.45) = 0.0833333
    # everyone: S(2) = 7/8, S(4) = 7/8 * 5/6 (6 at risk) = 35/48 -> risk 13/48
    #   treat all at .55 = 13/48 - 35/48 * .55/.45 = -0.6203704; at pt = 0 NB = 13/48 for both
    # pt = .95: nobody treated -> 0
    t = [2, 3, 4, 5, 6, 7, 8, 9]
    e = [1, 0, 1, 0, 0, 1, 0, 0]
    risk = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]
    nb = pr.net_benefit_survival(t, e, risk, 6.5, [0.0, 0.55, 0.95])
    w = 0.55 / 0.45
    np.testing.assert_allclose(nb["model"], [13 / 48, 5 / 16 - 3 / 16 * w, 0.0], atol=1e-12)
    np.testing.assert_allclose(
        nb["treat_all"], [13 / 48, 13 / 48 - 35 / 48 * w, 13 / 48 - 35 / 48 * 19], atol=1e-12
    )


def test_net_benefit_survival_equals_one_kaplan_meier_per_threshold_to_the_bit():
    """Reference: the definition, one Kaplan-Meier curve (hccrep.stats.fastsurv.km_curve, tested
    against lifelines and R survfit) of the treated patients at each threshold, read at the
    horizon and put into the net-benefit formula. The treated groups side by side give the same
    floats, on tied times and tied risks, thresholds nobody or everybody passes, and horizons
    before the first and after the last follow-up."""
    from hccrep.stats.fastsurv import km_curve

    rng = np.random.default_rng(21)
    for rep in range(40):
        n = int(rng.integers(3, 200))
        t = np.round(rng.exponential(12, n), rep % 3) + 0.5
        e = (rng.random(n) < 0.7).astype(int)
        risk = np.round(rng.random(n), 1 if rep % 2 else 8)
        pts = np.sort(rng.choice(np.arange(0, 100) / 100, 30, replace=False))
        h = float(rng.choice([0.1, 6.0, 24.0, 500.0, t[0]]))  # t[0]: a horizon on a time
        got = pr.net_benefit_survival(t, e, risk, h, pts)
        model = []
        for x in pts:
            sel = risk >= x
            if not sel.any():
                model.append(0.0)
                continue
            c = km_curve(t[sel], e[sel])
            k = np.searchsorted(c.time, h, side="right")
            q = 1.0 - (float(c.survival[k - 1]) if k > 0 else 1.0)
            n_t = int(sel.sum())
            model.append(q * n_t / n - (1 - q) * n_t / n * (x / (1 - x)))
        assert np.array_equal(got["model"].to_numpy(), np.array(model)), rep


def test_net_benefit_survival_without_censoring_equals_binary_net_benefit():
    # with no censoring before the horizon the KM risk is the event proportion
    rng = np.random.default_rng(5)
    t = rng.exponential(10, 80)
    e = np.ones(80, dtype=int)
    risk = np.clip(1 - np.exp(-12 / (t + rng.normal(0, 3, 80)).clip(1)), 0.01, 0.99)
    pts = np.linspace(0.05, 0.8, 16)
    a = pr.net_benefit_survival(t, e, risk, 12.0, pts)
    b = pr.net_benefit((t <= 12).astype(int), risk, pts)
    np.testing.assert_allclose(a[["model", "treat_all"]], b[["model", "treat_all"]], atol=1e-12)


# --------------------------------------------------------------------------
# Cohen's kappa
# --------------------------------------------------------------------------


def _expand(table) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(table)
    a, b = np.indices(t.shape)
    return np.repeat(a.ravel(), t.ravel()), np.repeat(b.ravel(), t.ravel())


def test_cohen_kappa_matches_the_published_SAS_skin_condition_example():
    # SAS/STAT User's Guide, PROC FREQ, "Getting Started: Agreement Study" (skin condition data,
    # two dermatologists, 88 patients, 4 categories).  Published: simple kappa 0.3449,
    # ASE 0.0724, 95% confidence limits 0.2030 to 0.4868 (ASE = Fleiss, Cohen & Everitt 1969).
    table = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]
    res = pr.cohen_kappa(*_expand(table))
    assert round(res.kappa, 4) == 0.3449
    assert round(res.se, 4) == 0.0724
    assert (round(res.lower, 4), round(res.upper, 4)) == (0.2030, 0.4868)
    assert res.n == 88 and "Fleiss, Cohen & Everitt" in res.variant


def test_cohen_kappa_two_by_two_by_hand():
    # [[20, 5], [10, 15]], n = 50: po = 35/50 = .7; rows 25/25, columns 30/20 -> pe = .5;
    # kappa = (.7 - .5) / .5 = .4; Cohen (1960) SE = sqrt(.7 * .3 / (50 * .25)) = sqrt(.0168)
    a, b = _expand([[20, 5], [10, 15]])
    res = pr.cohen_kappa(a, b, se_method="cohen1960")
    assert res.kappa == pytest.approx(0.4)
    assert res.se == pytest.approx(math.sqrt(0.0168))
    assert (res.observed_agreement, res.expected_agreement) == (
        pytest.approx(0.7),
        pytest.approx(0.5),
    )


@pytest.mark.parametrize("seed", range(6))
def test_cohen_kappa_point_estimate_matches_sklearn(seed):
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(seed)
    k = 2 + seed % 3
    a = rng.integers(0, k, 60)
    b = np.where(rng.random(60) < 0.6, a, rng.integers(0, k, 60))
    labels = np.array(["CR", "PR", "SD", "PD"])[:k]
    res = pr.cohen_kappa(labels[a], labels[b])
    assert res.kappa == pytest.approx(cohen_kappa_score(a, b), rel=1e-12)


# --------------------------------------------------------------------------
# simulate_ratings
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "ma", "mb", "kappa"),
    [
        (327, [0.724, 0.276], [0.694, 0.306], 0.68),
        (327, [0.724, 0.276], [0.712, 0.288], 0.79),
        (88, [0.17, 0.33, 0.26, 0.24], [0.19, 0.23, 0.35, 0.23], 0.35),
        (150, [0.2, 0.5, 0.3], [0.24, 0.46, 0.3], 0.0),
        (150, [0.2, 0.5, 0.3], [0.24, 0.46, 0.3], -0.2),
        (60, [0.5, 0.5], [0.5, 0.5], 1.0),
    ],
)
def test_simulate_ratings_exact_margins_and_nearest_kappa(n, ma, mb, kappa):
    a, b = simulate_ratings(n, ma, mb, kappa, np.random.default_rng(3))
    k = len(ma)
    assert a.size == b.size == n
    np.testing.assert_array_equal(np.bincount(a, minlength=k), np.floor(np.asarray(ma) * n + 0.5))
    np.testing.assert_array_equal(np.bincount(b, minlength=k), np.floor(np.asarray(mb) * n + 0.5))
    ra, rb = np.bincount(a, minlength=k), np.bincount(b, minlength=k)
    pe = float(ra @ rb) / n**2
    # one agreement more or less moves kappa by 1 / (n (1 - pe)); a 2 x 2 table with fixed margins
    # changes its agreements in steps of 2, so the nearest table is at most one agreement away
    assert abs(pr.cohen_kappa(a, b).kappa - kappa) <= 1 / (n * (1 - pe)) + 1e-12


def test_simulate_ratings_is_deterministic_and_the_seed_only_reorders():
    args = (200, [0.3, 0.4, 0.3], [0.35, 0.35, 0.3], 0.6)
    a1, b1 = simulate_ratings(*args, np.random.default_rng(7))
    a2, b2 = simulate_ratings(*args, np.random.default_rng(7))
    assert a1.tobytes() == a2.tobytes() and b1.tobytes() == b2.tobytes()
    a3, b3 = simulate_ratings(*args, np.random.default_rng(8))
    assert not np.array_equal(a1, a3)
    assert pd.crosstab(a1, b1).equals(pd.crosstab(a3, b3))


def test_simulate_ratings_largest_remainder_when_rounding_does_not_add_up():
    # 3 x 1/3 of 100 rounds to 33 + 33 + 33 = 99: one more goes to a category
    a, _ = simulate_ratings(
        100, [1 / 3, 1 / 3, 1 / 3], [0.5, 0.3, 0.2], 0.2, np.random.default_rng(0)
    )
    assert sorted(np.bincount(a).tolist()) == [33, 33, 34]


# --------------------------------------------------------------------------
# logistic regression, backward elimination, VIF
# --------------------------------------------------------------------------


@pytest.mark.r
def test_logistic_table_matches_R_glm_with_wald_intervals(r):
    tab = pr.logistic_table(LOGIT, "y", COVS).set_index("term")
    for x in COVS:
        assert tab.loc[x, "beta"] == pytest.approx(r[f"logit.full.{x}.beta"], rel=1e-8)
        assert tab.loc[x, "se"] == pytest.approx(r[f"logit.full.{x}.se"], rel=1e-8)
        assert tab.loc[x, "p"] == pytest.approx(r[f"logit.full.{x}.p"], rel=1e-7)
        assert tab.loc[x, "lower"] == pytest.approx(r[f"logit.full.{x}.lower"], rel=1e-8)
        assert tab.loc[x, "upper"] == pytest.approx(r[f"logit.full.{x}.upper"], rel=1e-8)
        assert tab.loc[x, "or"] == pytest.approx(math.exp(r[f"logit.full.{x}.beta"]), rel=1e-8)


@pytest.mark.r
@pytest.mark.parametrize("p_remove", [0.05, 0.10])
def test_backward_stepwise_matches_an_R_backward_elimination(r, p_remove):
    res = pr.backward_stepwise_logit(LOGIT, "y", COVS, p_remove=p_remove)
    k = f"stepwise.{p_remove:g}"
    assert res.selected == [x for x in COVS if r[f"{k}.selected.{x}"] == 1]
    assert len(res.steps) == len(COVS) - r[f"{k}.n_selected"]
    for j, row in res.steps.iterrows():
        assert row["removed"] == COVS[int(r[f"{k}.step.{j + 1}.index"])]
        assert row["p"] == pytest.approx(r[f"{k}.step.{j + 1}.p"], rel=1e-7)
    for _, row in res.table.iterrows():
        assert row["or"] == pytest.approx(r[f"{k}.final.{row['term']}.or"], rel=1e-8)
    assert len(res.steps) >= 1  # the data have noise covariates: something is removed


@pytest.mark.r
def test_vif_matches_one_over_one_minus_R2_from_R_lm(r):
    tab = pr.vif_table(LOGIT, COVS).set_index("term")
    for x in COVS:
        assert tab.loc[x, "vif"] == pytest.approx(r[f"vif.{x}"], rel=1e-9)


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: pr.roc_auc([0, 1, 2, 1], [1, 2, 3, 4]),
            r"y must be 0/1 \(1 = case/event\), found \[2.0\]",
        ),
        (lambda: pr.roc_auc([0, 1, 0, 1], [1, 2, 3]), "score has 3 values but y has 4"),
        (lambda: pr.roc_auc([0, 1, 0, 1], [1, 2, np.nan, 4]), "score contains NaN"),
        (lambda: pr.roc_auc([0, 1, 0, 0], [1, 2, 3, 4]), "at least 2 cases"),
        (lambda: pr.roc_auc([0, 1, 0, 1], [1, 2, 3, 4], conf_level=95), "conf_level must be"),
        (
            lambda: pr.hosmer_lemeshow([0, 1, 0, 1], [0.1, 0.2, 1.3, 0.5]),
            r"prob must lie in \[0, 1\]",
        ),
        (
            lambda: pr.hosmer_lemeshow([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.5], groups=2),
            "groups must be an integer >= 3",
        ),
        (lambda: pr.calibration_intercept_slope([0, 1], [0.0, 0.5]), "strictly between 0 and 1"),
        (
            lambda: pr.calibration_table([0, 1], [0.2, 0.5], strategy="kmeans"),
            "unknown strategy 'kmeans'",
        ),
        (
            lambda: pr.net_benefit([0, 1], [0.2, 0.5], [0.5, 1.0]),
            r"thresholds must lie in \[0, 1\)",
        ),
        (
            lambda: pr.net_benefit_survival([1, 2], [1, 0], [0.2, 0.5], -1, [0.1]),
            "horizon must be a positive",
        ),
        (lambda: pr.cohen_kappa([1, 2, 3], [1, 2]), "a and b lengths differ"),
        (lambda: pr.cohen_kappa([1, 1], [1, 1]), "single category"),
        (lambda: pr.cohen_kappa([1, 2], [1, 2], se_method="bootstrap"), "unknown se_method"),
        (
            lambda: simulate_ratings(10, [0.5, 0.6], [0.5, 0.5], 0.3, np.random.default_rng(0)),
            "marginal_a must sum to 1",
        ),
        (
            lambda: simulate_ratings(10, [0.5, 0.5], [0.5, 0.5], 1.3, np.random.default_rng(0)),
            r"kappa must be a number in \[-1, 1\]",
        ),
        (
            lambda: simulate_ratings(10, [0.5, 0.5], [0.5, 0.5], 0.3, 42),
            "rng must be a numpy.random.Generator",
        ),
        (
            lambda: simulate_ratings(
                10, [0.5, 0.5], [0.2, 0.3, 0.5], 0.3, np.random.default_rng(0)
            ),
            "different numbers of categories",
        ),
        (lambda: pr.logistic_table(LOGIT, "y", ["x1", "age"]), r"columns not in df: \['age'\]"),
        (
            lambda: pr.logistic_table(LOGIT.assign(x1="a"), "y", ["x1"]),
            "covariate 'x1' must be numeric",
        ),
        (lambda: pr.backward_stepwise_logit(LOGIT, "y", COVS, p_remove=5), "p_remove must be"),
        (lambda: pr.vif_table(LOGIT, ["x1"]), "at least 2 column names"),
        (
            lambda: pr.classification_metrics([0, 1], [1, 1, 0]),
            "predicted has 3 values but y has 2",
        ),
    ],
)
def test_bad_input_raises_a_named_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------
# bootstrap optimism
# --------------------------------------------------------------------------


def test_bootstrap_optimism_removes_the_flattery_of_pure_noise():
    # predictors unrelated to the outcome: the true AUC is 0.5, the apparent AUC of a model with
    # 10 noise predictors on 80 patients is well above it; the corrected AUC comes back near 0.5
    rng = np.random.default_rng(11)
    x = rng.normal(size=(80, 10))
    y = (rng.random(80) < 0.4).astype(int)
    res = pr.bootstrap_optimism_auc(x, y, n_boot=100, rng=np.random.default_rng(2))
    assert res.apparent > 0.6
    assert res.optimism > 0.1
    assert abs(res.corrected - 0.5) < 0.1
    assert res.corrected == pytest.approx(res.apparent - res.optimism)


def test_bootstrap_optimism_is_small_for_a_strong_single_predictor_and_seeded():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(300, 1))
    y = (rng.random(300) < 1 / (1 + np.exp(-2.5 * x[:, 0]))).astype(int)
    a = pr.bootstrap_optimism_auc(x, y, n_boot=40, rng=np.random.default_rng(3))
    b = pr.bootstrap_optimism_auc(x, y, n_boot=40, rng=np.random.default_rng(3))
    assert a == b
    # one predictor and a monotone model: every refit ranks the patients alike, so the optimism
    # comes only from resampling and is tiny
    assert abs(a.optimism) < 0.01
    assert a.apparent == pytest.approx(pr.roc_auc(y, x[:, 0]).auc)


@pytest.mark.parametrize("seed", range(6))
def test_youden_cutoff_is_the_best_row_of_roc_table(seed):
    # youden_cutoff reads pROC's counts as arrays; the reference is roc_table, the DataFrame of
    # every threshold, searched here by hand for the first row of largest se + sp. Scores on a
    # coarse grid give tied scores and tied maxima.
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 60)
    s = np.round(rng.normal(0.8 * y, 1.0), 1)
    tab = pr.roc_table(y, s)
    crit = (tab["sensitivity"] + tab["specificity"]).to_list()
    first = crit.index(max(crit))
    cut = pr.youden_cutoff(y, s)
    assert cut.threshold == tab["threshold"][first]
    assert cut.sensitivity == tab["sensitivity"][first]
    assert cut.specificity == tab["specificity"][first]
    assert cut.n_ties == crit.count(max(crit))


def test_hosmer_lemeshow_without_its_table_gives_the_same_test():
    # table=False skips the group table only: the reference is the full call
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 0.95, 200)
    y = (rng.random(200) < p).astype(int)
    for df in ("formed", "requested"):
        full = pr.hosmer_lemeshow(y, np.round(p, 1), df=df)
        bare = pr.hosmer_lemeshow(y, np.round(p, 1), df=df, table=False)
        assert bare.table is None and len(full.table) > 3
        assert (bare.statistic, bare.df, bare.pvalue, bare.variant) == (
            full.statistic,
            full.df,
            full.pvalue,
            full.variant,
        )


def test_fitted_logit_columns_are_the_table():
    # FittedLogit.columns is table() without the DataFrame: the reference is table()
    rng = np.random.default_rng(5)
    x = pd.DataFrame({"a": rng.normal(size=80), "b": rng.integers(0, 2, 80)})
    fit = pr.logit_fit(x, (rng.random(80) < 0.4).astype(int))
    tab, cols = fit.table(), fit.columns()
    assert list(cols) == list(tab.columns)
    for name, values in cols.items():
        assert values.tolist() == tab[name].tolist()


def test_delong_covariance_equals_numpy_cov_to_the_bit():
    # The reference is numpy.cov itself (ddof=1, rows as variables): _cov_rows takes its steps
    # without its argument handling, so the DeLong variances are unchanged to the last bit.
    from hccrep.stats.prediction import _cov_rows

    rng = np.random.default_rng(3)
    for k in range(300):
        rows, n = 1 + k % 3, 2 + k % 97
        v = rng.random((rows, n)) if k % 2 else rng.integers(0, 5, (rows, n)) / 4
        np.testing.assert_array_equal(_cov_rows(v), np.atleast_2d(np.cov(v, ddof=1)))
    # hand value: the variance of 1, 2, 3, 4 with n - 1 in the denominator is 5/3
    assert _cov_rows(np.array([[1.0, 2.0, 3.0, 4.0]]))[0, 0] == pytest.approx(5 / 3, rel=1e-15)


def test_logit_fit_and_predict_on_arrays_equal_the_frame_path():
    # The reference is the same function on a DataFrame (whose own reference is statsmodels,
    # tests/test_tu2025.py): arrays in either memory order give the same floats, and
    # net_benefit(table=False) the same columns as its DataFrame.
    rng = np.random.default_rng(5)
    for order in ("C", "F"):
        x = np.asarray(rng.normal(size=(120, 3)), order=order)
        y = (rng.random(120) < 1 / (1 + np.exp(-x[:, 0]))).astype(float)
        frame = pd.DataFrame(x, columns=["x0", "x1", "x2"])
        a, b = pr.logit_fit(frame, y), pr.logit_fit(x, y)
        assert a.names == b.names
        np.testing.assert_array_equal(a.coef, b.coef)
        np.testing.assert_array_equal(a.se, b.se)
        np.testing.assert_array_equal(a.predict(frame), a.predict(x))
        p = a.predict(x)
        tab = pr.net_benefit(y, p, [0.1, 0.3, 0.5])
        cols = pr.net_benefit(y, p, [0.1, 0.3, 0.5], table=False)
        for name in tab.columns:
            np.testing.assert_array_equal(tab[name].to_numpy(), cols[name])
    with pytest.raises(ValueError, match="x must have 3 columns"):
        a.predict(x[:, :2])

"""hccrep.optimism: Harrell's bootstrap optimism correction.

References:
- R ``rms::validate(cph(...))`` and ``rms::validate(lrm(...))``, run live
  (tests/r/validation_reference.R), with Hmisc ``rcorr.cens`` / ``somers2`` for
  the C indices and rms' own coefficients;
- scikit-survival's ``concordance_index_censored`` and scikit-learn's
  ``roc_auc_score`` (independent implementations of Harrell's C and the AUC);
- statsmodels ``Logit`` for the logistic fit;
- small examples counted by hand.

How R and Python are compared.  The apparent index involves no randomness and
must agree to 1e-8.  The optimism is a bootstrap mean: R and numpy draw
different resamples, so the two estimates differ by Monte Carlo error only.
Both estimate the same expectation (the same estimator on the same data), each
with standard error sd(optimism_b) / sqrt(B); with B = 1000 on both sides the
difference has standard deviation sqrt(2) * sd / sqrt(1000), and we allow four
of those (a false alarm about once in 16 000 runs).  sd is taken from the
Python resamples: the per-resample distribution is the same on both sides.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hccrep.simulate.prognostic import simulate_prognostic_cohort
from hccrep.stats.prediction import logit_fit
from hccrep.optimism import (
    auc,
    bootstrap_optimism_cox,
    bootstrap_optimism_logistic,
    compare_validation_methods,
    concordance_for_sd,
    count_predictors,
    gap_check,
    harrell_c,
    lp_sd_for_index,
    split_sample_gap,
    train_validation_plot,
    train_validation_table,
)

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._rhelpers import read_kv, require_r, run_r
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _rhelpers import read_kv, require_r, run_r

B_R = 1000


def _cohort(n: int = 150, p: int = 8, seed: int = 1) -> pd.DataFrame:
    """Two real effects among eight covariates: enough optimism to be measured."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"x{i}" for i in range(1, p + 1)])
    t = rng.exponential(np.exp(-0.5 * d.x1 - 0.3 * d.x2))
    c = rng.exponential(2, n)
    d["time"] = np.minimum(t, c)
    d["event"] = (t <= c).astype(int)
    d["y"] = (rng.random(n) < 1 / (1 + np.exp(-(d.x1 + 0.5 * d.x2)))).astype(int)
    return d


XS = [f"x{i}" for i in range(1, 9)]


@pytest.fixture(scope="module")
def rms_reference(tmp_path_factory):
    require_r(("survival", "rms"))
    d = _cohort()
    path = tmp_path_factory.mktemp("validation_r")
    d.to_csv(path / "data.csv", index=False, float_format="%.17g")
    run_r("validation_reference.R", path / "data.csv", B_R, 20251126, path / "out.csv")
    return d, read_kv(path / "out.csv")


# ----------------------------------------------------------------------------- R parity


@pytest.mark.r
@pytest.mark.slow
def test_cox_optimism_matches_rms_validate_cph(rms_reference):
    d, ref = rms_reference
    res = bootstrap_optimism_cox(d, "time", "event", XS, n_boot=B_R, seed=3)
    # the apparent Dxy has no randomness: exact
    assert res.dxy_apparent == pytest.approx(ref["cph.dxy.index_orig"], rel=1e-8)
    assert res.apparent == pytest.approx(ref["hmisc.c.cox"], rel=1e-8)
    # the optimism: Monte Carlo tolerance (module docstring)
    sd = 2 * res.resamples["optimism"].std(ddof=1)  # Dxy scale
    tol = 4 * math.sqrt(2) * sd / math.sqrt(B_R)
    assert abs(res.dxy_optimism - ref["cph.dxy.optimism"]) < tol, (
        res.dxy_optimism,
        ref["cph.dxy.optimism"],
        tol,
    )
    assert (
        tol < 0.5 * ref["cph.dxy.optimism"]
    )  # the tolerance is tight enough to tell "no optimism" apart
    sd_train = 2 * res.resamples["training"].std(ddof=1)
    assert abs(
        2 * (res.resamples["training"].mean() - 0.5) - ref["cph.dxy.training"]
    ) < 4 * math.sqrt(2) * sd_train / math.sqrt(B_R)
    assert res.n_boot == ref["cph.dxy.n"] == B_R


@pytest.mark.r
@pytest.mark.slow
def test_logistic_optimism_matches_rms_validate_lrm(rms_reference):
    d, ref = rms_reference
    res = bootstrap_optimism_logistic(d, "y", XS, n_boot=B_R, seed=4)
    assert res.dxy_apparent == pytest.approx(ref["lrm.dxy.index_orig"], rel=1e-8)
    assert res.apparent == pytest.approx(ref["hmisc.c.lrm"], rel=1e-8)
    sd = 2 * res.resamples["optimism"].std(ddof=1)
    tol = 4 * math.sqrt(2) * sd / math.sqrt(B_R)
    assert abs(res.dxy_optimism - ref["lrm.dxy.optimism"]) < tol, (
        res.dxy_optimism,
        ref["lrm.dxy.optimism"],
        tol,
    )
    assert tol < 0.5 * ref["lrm.dxy.optimism"]
    assert res.n_boot == ref["lrm.dxy.n"] == B_R


@pytest.mark.r
@pytest.mark.slow
def test_refitted_coefficients_match_rms_cph_and_lrm(rms_reference):
    from hccrep.stats.fastcox import cox_fit

    d, ref = rms_reference
    coef, _, _ = cox_fit(d.time, d.event, d[XS].to_numpy(), ties="efron")
    # cph stops when the log-likelihood changes by less than eps = 1e-4 (its default), coxph-style
    # fits in test_r_parity converge further; here the coefficients agree to about 1e-6 absolute
    np.testing.assert_allclose(coef, [ref[f"cph.coef.{x}"] for x in XS], rtol=0, atol=2e-6)
    res = logit_fit(d[XS].to_numpy(), d.y)
    beta, ok = res.coef, res.converged
    assert ok
    np.testing.assert_allclose(
        beta, [ref["lrm.coef.Intercept"], *[ref[f"lrm.coef.{x}"] for x in XS]], rtol=1e-6
    )


# ----------------------------------------------------------------------------- independent Python references


def test_harrell_c_matches_sksurv_concordance_index_censored_with_ties():
    from sksurv.metrics import concordance_index_censored

    rng = np.random.default_rng(8)
    for _ in range(25):
        n = int(rng.integers(10, 80))
        t = rng.integers(1, 12, n).astype(float)  # many tied times
        e = rng.integers(0, 2, n)
        if e.sum() == 0:
            e[0] = 1
        r = np.round(rng.normal(size=n), 1)  # tied scores
        want = concordance_index_censored(e.astype(bool), t, r)[0]
        assert harrell_c(t, e, r) == pytest.approx(want, rel=1e-12)


def test_harrell_c_hand_example_with_tied_time_event_and_censored():
    # times 1e, 2e, 2c, 3e; risk 3, 2, 2, 1.  Usable pairs (shorter time is an event; at the tie
    # 2e-2c the event counts as shorter): (1,2e) (1,2c) (1,3) (2e,2c) (2e,3) -> 5 pairs.
    # Concordant (higher risk first): (1,2e) (1,2c) (1,3) (2e,3) = 4; (2e,2c) tied risk = 1/2.
    assert harrell_c([1, 2, 2, 3], [1, 1, 0, 1], [3, 2, 2, 1]) == pytest.approx(4.5 / 5)


def test_auc_matches_sklearn_roc_auc_score_with_ties():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(9)
    for _ in range(20):
        y = rng.integers(0, 2, 60)
        s = np.round(rng.normal(y * 0.7, 1), 1)
        assert auc(y, s) == pytest.approx(roc_auc_score(y, s), rel=1e-12)


def test_logistic_fit_matches_statsmodels_logit():
    import statsmodels.api as sm

    d = _cohort(seed=5)
    res = logit_fit(d[XS].to_numpy(), d.y)
    beta, ok = res.coef, res.converged
    ref = sm.Logit(d.y, sm.add_constant(d[XS])).fit(disp=0).params.to_numpy()
    assert ok
    np.testing.assert_allclose(beta, ref, rtol=1e-7)


def test_logistic_fit_reports_separation_as_not_converged():
    ok = logit_fit(
        np.array([[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]]), [0, 0, 0, 1, 1, 1]
    ).converged
    assert not ok


# ----------------------------------------------------------------------------- behaviour


def test_optimism_bootstrap_same_seed_same_result_and_corrected_is_apparent_minus_optimism():
    d = _cohort(n=80, seed=2)
    a = bootstrap_optimism_cox(d, "time", "event", XS[:4], n_boot=25, seed=7)
    b = bootstrap_optimism_cox(d, "time", "event", XS[:4], n_boot=25, seed=7)
    pd.testing.assert_frame_equal(a.resamples, b.resamples)
    assert a.corrected == a.apparent - a.optimism
    assert a.optimism == pytest.approx(a.resamples["training"].mean() - a.resamples["test"].mean())
    assert "Harrell" in a.variant and "efron" in a.variant
    assert list(a.table().index) == ["harrell_c", "dxy"]


@pytest.mark.slow
def test_noise_covariates_apparent_c_is_optimistic_and_corrected_near_half():
    # ten covariates unrelated to the outcome: any apparent discrimination is optimism.  The
    # corrected C must fall at least half way back from the apparent C towards 0.5.
    rng = np.random.default_rng(12)
    n = 100
    d = pd.DataFrame(rng.normal(size=(n, 10)), columns=[f"z{i}" for i in range(10)])
    d["time"] = rng.exponential(1, n)
    d["event"] = (rng.random(n) < 0.7).astype(int)
    d["y"] = (rng.random(n) < 0.4).astype(int)
    zs = [f"z{i}" for i in range(10)]
    for res in (
        bootstrap_optimism_cox(d, "time", "event", zs, n_boot=200, seed=1),
        bootstrap_optimism_logistic(d, "y", zs, n_boot=200, seed=1),
    ):
        assert res.apparent > 0.55
        assert res.corrected < 0.5 + (res.apparent - 0.5) / 2, res.table()


def test_failed_resamples_are_counted_not_hidden():
    # 12 patients, 3 cases: many resamples have separation or a single class
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"x": rng.normal(size=12), "y": [1, 1, 1] + [0] * 9})
    d.loc[:2, "x"] += 1.0
    res = bootstrap_optimism_logistic(d, "y", ["x"], n_boot=50, seed=1)
    assert res.n_failed + res.n_boot == 50
    assert res.n_failed > 0


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda d: bootstrap_optimism_cox(d, "time", "event", ["nope"], n_boot=5, seed=1),
            "'nope'",
        ),
        (
            lambda d: bootstrap_optimism_cox(d, "time", "event", "x1", n_boot=5, seed=1),
            "covariates",
        ),
        (lambda d: bootstrap_optimism_cox(d, "time", "event", ["x1"], n_boot=0, seed=1), "n_boot"),
        (lambda d: bootstrap_optimism_cox(d, "time", "event", ["x1"], n_boot=5, seed=None), "seed"),
        (
            lambda d: bootstrap_optimism_cox(
                d, "time", "event", ["x1"], n_boot=5, seed=1, ties="exact"
            ),
            "ties",
        ),
        (
            lambda d: bootstrap_optimism_logistic(d, "time", ["x1"], n_boot=5, seed=1),
            "outcome must be coded 0/1",
        ),
        (
            lambda d: bootstrap_optimism_logistic(d.assign(y=1), "y", ["x1"], n_boot=5, seed=1),
            "both 0 and 1",
        ),
        (
            lambda d: bootstrap_optimism_logistic(
                d.assign(x1=np.nan), "y", ["x1"], n_boot=5, seed=1
            ),
            "missing",
        ),
        (
            lambda d: harrell_c([1, 2], [1, 2], [1, 2]),
            r"event must be 0/1 \(1 = event\), found \[2\.0\]",
        ),
        # a negative time: accepted before (C = 0.0 for these three patients)
        (lambda d: harrell_c([-1, 2, 3], [1, 1, 0], [0, 1, 2]), "time contains negative times"),
        (lambda d: harrell_c([1, np.nan, 3], [1, 1, 0], [0, 1, 2]), "time contains NaN"),
        (lambda d: harrell_c([1, 2, 3], [1, 1], [0, 1, 2]), "lengths differ"),
        (lambda d: auc([1, 1], [0.2, 0.3]), "both outcomes"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    d = _cohort(n=40, seed=3)
    with pytest.raises(ValueError, match=match):
        call(d)


# ----------------------------------------------------------------------------- simulated development studies


def test_concordance_for_sd_matches_a_large_simulated_sample():
    # independent check of the quadrature: Harrell's C of the true lp in 4000 uncensored patients
    # (SE about 0.005) and the AUC of the true lp for a 0/1 outcome in 200 000 patients
    rng = np.random.default_rng(3)
    for sd in (0.5, 1.2):
        d = simulate_prognostic_cohort(4000, 2, sd, rng, censored=0.0)
        assert harrell_c(d.time, d.event, d.lp) == pytest.approx(concordance_for_sd(sd), abs=0.02)
        d = simulate_prognostic_cohort(200_000, 2, sd, rng, outcome="binary", prevalence=0.3)
        assert auc(d.y, d.lp) == pytest.approx(
            concordance_for_sd(sd, "auc", prevalence=0.3), abs=0.004
        )


def test_lp_sd_for_index_inverts_concordance_for_sd():
    for target in (0.6, 0.75, 0.9):
        for index in ("harrell_c", "auc"):
            sd = lp_sd_for_index(target, index)
            assert concordance_for_sd(sd, index) == pytest.approx(target, abs=1e-9)


def test_count_predictors_from_printed_lists():
    assert (
        count_predictors("tumor size, tumor number, AFP, ALBI grade, vascular invasion and EM") == 6
    )
    assert count_predictors("AFP, Child–Pugh score, tumor response") == 3
    with pytest.raises(ValueError, match="parameters"):
        count_predictors("  ")


def test_split_sample_gap_is_seeded_and_centred_near_the_truth_in_a_large_study():
    # 3000 patients, 3 predictors, no censoring: the fitted model is close to the true one, so
    # the validation C is close to the true C (0.7) and the training C only slightly above it
    a = split_sample_gap(3000, 3, 0.7, n_cohorts=4, seed=5, censored=0.0)
    b = split_sample_gap(3000, 3, 0.7, n_cohorts=4, seed=5, censored=0.0)
    pd.testing.assert_frame_equal(a, b)
    assert a["validation"].mean() == pytest.approx(0.7, abs=0.02)
    assert a["gap"].abs().max() < 0.05


def test_train_validation_table_and_plot():
    from types import SimpleNamespace as N

    from hccrep.about import About
    from hccrep.plots import alt_text

    nums = [
        N(quantity="c_index", value=0.8, bound=None, about=About(model="m1", cohort="training")),
        N(quantity="c_index", value=0.7, bound=None, about=About(model="m1", cohort="validation")),
        N(quantity="auc", value=0.9, bound=None, about=About(model="m1", cohort="training")),
        N(
            quantity="auc", value=0.7, bound=">", about=About(model="m1", cohort="validation")
        ),  # bound: left out
        N(quantity="count", value=100, bound=None, about=About(model="m1", cohort="all")),
    ]
    t = train_validation_table(nums)
    assert len(t) == 1 and t["gap"].iloc[0] == pytest.approx(-0.1)
    fig = train_validation_plot(t)
    assert "validation lower than training in 1" in alt_text(fig)
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_gap_check_verdict_follows_the_monte_carlo_interval():
    t = pd.DataFrame(
        {
            "model": ["m", "m"],
            "metric": ["c_index", "auc"],
            "training": [0.72, 0.75],
            "validation": [0.71, 0.40],
            "gap": [-0.01, -0.35],
        }
    )
    g = gap_check(t, {"m": 300}, {"m": 4}, n_cohorts=30, seed=2)
    assert (g["mc_low"] <= g["mc_high"]).all()
    # a drop of 0.35 in AUC is far outside what a 300-patient split produces by chance
    assert g.loc[1, "verdict"] == "not reproduced"
    assert g.loc[0, "verdict"] == (
        "plausible" if g.loc[0, "mc_low"] <= -0.01 <= g.loc[0, "mc_high"] else "not reproduced"
    )
    with pytest.raises(ValueError, match="must name model"):
        gap_check(t, {}, {"m": 4}, n_cohorts=2, seed=1)


def test_compare_validation_methods_is_seeded_and_consistent():
    def run():
        rng = np.random.default_rng(4)
        d = simulate_prognostic_cohort(150, 3, 0.9, rng)
        return compare_validation_methods(d, ["x1", "x2", "x3"], 0.9, 3, rng, n_boot=20, n_new=400)

    a, b = run(), run()
    pd.testing.assert_series_equal(a, b)
    assert a["bootstrap-corrected"] == pytest.approx(a["apparent"] - a["bootstrap optimism"])
    assert all(0.5 < v < 1 for k, v in a.items() if k != "bootstrap optimism")

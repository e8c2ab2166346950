"""The declared prediction kinds (auc, brier, calibration, delong, net_benefit, classification,
best, td_auc and logistic's log_or / z) against independent references.

References (each test says which):

* R, run live (``tests/r/declared_prediction_reference.R``): ``glm`` fitted on a training cohort
  and applied to a test cohort; pROC 1.18 ``roc`` / ``ci.auc(method = "delong")`` /
  ``roc.test(method = "delong", paired = TRUE)`` / ``coords(best.method = "youden")``;
  ``rms::val.prob`` for the calibration slope; the Hosmer-Lemeshow test of ``tests/r/hoslem.R``
  (ResourceSelection written out by hand); Brier and net benefit from their formulas in R.
* The time-dependent AUC against Uno's IPCW estimator written out below from its definition
  (a double loop over case-control pairs), not with scikit-survival.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hccrep.analyses import CohortView, compute
from hccrep.declared import parse_analysis

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._rhelpers import read_kv, require_r, run_r
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _rhelpers import read_kv, require_r, run_r


def _cohort(seed: int = 11) -> pd.DataFrame:
    """An invented cohort: 160 training and 120 test patients, a logistic truth in x1 and x2."""
    rng = np.random.default_rng(seed)
    n_train, n_test = 160, 120
    n = n_train + n_test
    x1 = rng.normal(0.0, 1.0, n)
    x2 = np.where(rng.random(n) < 0.4, "b", "a")
    lp = -0.8 + 1.1 * x1 + 0.9 * (x2 == "b")
    y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    m = 0.6 * x1 + rng.normal(0.0, 1.0, n)
    return pd.DataFrame(
        {
            "cohort": ["train"] * n_train + ["test"] * n_test,
            "y": y,
            "x1": x1,
            "x2": x2,
            "m": m,
        }
    )


def _view(d: pd.DataFrame) -> CohortView:
    return CohortView(d, group="cohort", levels={"cohort": ["train", "test"], "x2": ["a", "b"]})


MODEL = {"outcome": "y", "terms": ["x1", "x2"], "fit_on": {"cohort": "train"}}
TEST = {"subset": {"cohort": "test"}}


def _get(view: CohortView, quantity: str, **fields) -> float:
    return compute(parse_analysis(fields), view, quantity).pick(quantity)


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    require_r(("pROC", "rms"))
    d = tmp_path_factory.mktemp("declared_prediction")
    _cohort().to_csv(d / "in.csv", index=False, float_format="%.17g")
    run_r("declared_prediction_reference.R", d / "in.csv", d / "ref.csv")
    return read_kv(d / "ref.csv")


@pytest.fixture(scope="module")
def view():
    return _view(_cohort())


def test_logistic_log_or_and_z_equal_r_glm(view, ref):
    # R: summary(glm(y ~ x1 + x2, binomial)) on the training rows; R's standard error comes from
    # the weights of its last IRLS step, hence agreement to 1e-6 rather than 1e-9
    a = {"kind": "logistic", "outcome": "y", "terms": ["x1", "x2"], "term": "x2", "level": "b"}
    a["subset"] = {"cohort": "train"}
    r = compute(parse_analysis(a), view, "log_or")
    assert r.value == pytest.approx(ref["logit.x2b.beta"], rel=1e-8)
    q = 1.959963984540054
    assert r.lower == pytest.approx(ref["logit.x2b.beta"] - q * ref["logit.x2b.se"], rel=1e-6)
    assert r.upper == pytest.approx(ref["logit.x2b.beta"] + q * ref["logit.x2b.se"], rel=1e-6)
    assert _get(view, "z", **a) == pytest.approx(ref["logit.x2b.z"], rel=1e-6)
    assert _get(view, "p", **a) == pytest.approx(ref["logit.x2b.p"], rel=1e-6)


def test_auc_of_a_model_fitted_on_another_cohort_equals_proc(view, ref):
    # R: pROC roc + ci.auc(method = "delong") of glm predictions on the test rows
    r = compute(parse_analysis({"kind": "auc", **MODEL, **TEST}), view, "auc")
    assert (r.value, r.lower, r.upper) == pytest.approx(
        (ref["auc"], ref["auc.lower"], ref["auc.upper"]), rel=1e-9
    )
    marker = _get(view, "auc", kind="auc", outcome="y", marker="m", **TEST)
    assert marker == pytest.approx(ref["auc.marker"], rel=1e-9)


def test_delong_equals_proc_roc_test(view, ref):
    # R: roc.test(paired = TRUE, method = "delong") against the model y ~ x1 (also fitted on train)
    p = _get(view, "p", kind="delong", **MODEL, **TEST, against=[{"terms": ["x1"]}])
    assert p == pytest.approx(ref["delong.p"], rel=1e-7)
    # against two scores the number is the larger p (a claim that the model beats both)
    both = _get(
        view, "p", kind="delong", **MODEL, **TEST, against=[{"terms": ["x1"]}, {"marker": "m"}]
    )
    assert both >= p


def test_brier_and_net_benefit_equal_their_formulas_in_r(view, ref):
    assert _get(view, "brier", kind="brier", **MODEL, **TEST) == pytest.approx(
        ref["brier"], rel=1e-9
    )
    nb = _get(view, "net_benefit", kind="net_benefit", **MODEL, **TEST, threshold=0.2)
    assert nb == pytest.approx(ref["nb.20"], rel=1e-9, abs=1e-12)


def test_calibration_equals_hoslem_and_val_prob(view, ref):
    # R: hoslem.R (ResourceSelection 0.3-6 / 0.3-5 rules), rms::val.prob Slope, glm offset intercept
    a = {"kind": "calibration", **MODEL, **TEST}
    assert _get(view, "p", **a) == pytest.approx(ref["hl.p"], rel=1e-8)
    requested = _get(view, "p", **a, variant="hl_df_requested")
    assert requested == pytest.approx(ref["hl.p.requested"], rel=1e-8)
    assert _get(view, "slope", **a) == pytest.approx(ref["slope"], rel=1e-6)
    assert _get(view, "intercept", **a) == pytest.approx(ref["intercept"], rel=1e-6)


@pytest.mark.parametrize("metric", ["sensitivity", "specificity", "accuracy", "precision", "f1"])
def test_classification_at_the_training_youden_cutoff_equals_proc_coords(view, ref, metric):
    # R: coords(roc on the training rows, "best", best.method = "youden"), applied to the test rows
    got = _get(view, metric, kind="classification", **MODEL, **TEST)
    assert got == pytest.approx(100 * ref[metric], rel=1e-9)
    prop = _get(view, metric, kind="classification", **MODEL, **TEST, scale="proportion")
    assert prop == pytest.approx(ref[metric], rel=1e-9)


def test_best_claim_equals_the_comparison_in_r(view, ref):
    got = _get(
        view,
        "statement",
        kind="best",
        **MODEL,
        **TEST,
        against=[{"terms": ["x1"]}],
        metrics=["auc", "net_benefit"],
        thresholds={"start": 0.1, "stop": 0.5, "step": 0.05},
    )
    assert got == ref["best.auc_nb"]


def test_best_claim_fails_against_itself_and_with_a_metric_it_cannot_compute(view):
    same = {"terms": ["x1", "x2"]}
    a = {"kind": "best", **MODEL, **TEST, "against": [same], "metrics": ["auc"]}
    assert _get(view, "statement", **a) == 0.0  # not strictly better than itself
    # a Brier score of a raw marker is not defined (not a risk in [0, 1]): the claim fails
    b = {**a, "against": [{"marker": "m"}], "metrics": ["brier"]}
    assert _get(view, "statement", **b) == 0.0


def test_brier_of_a_marker_that_is_not_a_risk_is_not_computable(view):
    r = compute(
        parse_analysis({"kind": "brier", "outcome": "y", "marker": "m", **TEST}), view, "brier"
    )
    assert math.isnan(r.value) and "not a risk" in r.variant


def test_categorical_marker_scores_its_levels_in_order(view):
    # x2 (a, b) as an ordered marker: the AUC of the indicator of b, by the Mann-Whitney count
    d = view.cohort[view.cohort["cohort"] == "test"]
    y, s = d["y"].to_numpy(), (d["x2"] == "b").to_numpy(float)
    pos, neg = s[y == 1], s[y == 0]
    expect = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (
        pos.size * neg.size
    )
    assert _get(view, "auc", kind="auc", outcome="y", marker="x2", **TEST) == pytest.approx(expect)


def test_prediction_declarations_reject_bad_fields():
    with pytest.raises(ValueError, match="exactly one of marker or terms"):
        parse_analysis({"kind": "brier", "outcome": "y", "marker": "m", "terms": ["x1"]})
    with pytest.raises(ValueError, match="needs `thresholds`"):
        parse_analysis(
            {"kind": "best", **MODEL, "against": [{"marker": "m"}], "metrics": ["net_benefit"]}
        )
    with pytest.raises(ValueError, match="not a variant"):
        parse_analysis({"kind": "calibration", **MODEL, "variant": "bootstrap"})
    with pytest.raises(ValueError):
        parse_analysis({"kind": "delong", **MODEL, "against": []})


def _uno_auc(t, e, marker, horizon):
    """Uno's cumulative/dynamic AUC written out: cases (event by the horizon) weighted by 1 / G(T_i),
    G the Kaplan-Meier estimate of the censoring distribution; controls alive after the horizon."""
    order = np.argsort(t)
    ts, cs = t[order], 1 - e[order]
    g = {}
    surv, at_risk = 1.0, t.size
    for i in range(t.size):  # untied times: one patient leaves at each time
        if cs[i] == 1:
            surv *= 1 - 1 / at_risk
        g[ts[i]] = surv
        at_risk -= 1
    num = den = 0.0
    controls = marker[t > horizon]
    for ti, ei, mi in zip(t, e, marker):
        if ei == 1 and ti <= horizon:
            w = 1.0 / g[ti]
            num += w * ((mi > controls).sum() + 0.5 * (mi == controls).sum())
            den += w * controls.size
    return num / den


def test_td_auc_equals_uno_ipcw_written_out():
    rng = np.random.default_rng(3)
    n = 150
    marker = rng.normal(size=n)
    t_event = rng.exponential(20 * np.exp(-0.7 * marker))
    t_cens = rng.uniform(5, 60, n)
    t = np.minimum(t_event, t_cens)
    e = (t_event <= t_cens).astype(int)
    d = pd.DataFrame({"g": ["all"] * n, "os_time": t, "os_event": e, "m": marker})
    v = CohortView(d, group="g", levels={"g": ["all"]})
    got = _get(v, "auc", kind="td_auc", endpoint="os", marker="m", time=12)
    assert got == pytest.approx(_uno_auc(t, e, marker, 12.0), rel=1e-9)


def test_auc_bootstrap_variant_agrees_with_proc_bootstrap(view, ref):
    # R: ci.auc(method = "bootstrap", boot.n = 4000, stratified) with its own random numbers, so the
    # limits agree to the Monte Carlo error of two independent sets of 4000 resamples, not exactly
    a = {"kind": "auc", **MODEL, **TEST, "variant": "bootstrap", "n_boot": 4000}
    r = compute(parse_analysis(a), view, "auc")
    assert r.value == pytest.approx(ref["auc"], rel=1e-9)
    assert r.lower == pytest.approx(ref["auc.boot.lower"], abs=0.015)
    assert r.upper == pytest.approx(ref["auc.boot.upper"], abs=0.015)
    again = compute(parse_analysis(a), _view(_cohort()), "auc")
    assert (again.lower, again.upper) == (r.lower, r.upper)  # the resamples come from boot_seed


def test_auc_bootstrap_equals_resampling_written_out():
    """The same resampling frequencies, expanded into resampled patients and scored with
    scikit-learn's roc_auc_score, give the same replicate AUCs and so the same interval."""
    from sklearn.metrics import roc_auc_score

    from hccrep.stats.prediction import roc_auc_bootstrap

    rng = np.random.default_rng(8)
    y = (rng.random(60) < 0.4).astype(int)
    s = np.round(y * 0.8 + rng.normal(size=60), 1)  # rounded: ties between cases and controls
    got = roc_auc_bootstrap(y, s, rng=np.random.default_rng(5), n_boot=300)
    draw = np.random.default_rng(5)
    cases, controls = s[y == 1], s[y == 0]
    ca = draw.multinomial(cases.size, np.full(cases.size, 1 / cases.size), size=300)
    cb = draw.multinomial(controls.size, np.full(controls.size, 1 / controls.size), size=300)
    boot = [
        roc_auc_score(
            np.r_[np.ones(cases.size), np.zeros(controls.size)],
            np.r_[np.repeat(cases, ka), np.repeat(controls, kb)],
        )
        for ka, kb in zip(ca, cb)
    ]
    assert (got.lower, got.upper) == pytest.approx(tuple(np.quantile(boot, [0.025, 0.975])))
    assert got.auc == pytest.approx(roc_auc_score(y, s))


def test_checks_sharing_a_view_equal_each_computed_on_a_fresh_view():
    # The handlers remember per view the Youden cut-off, the Hosmer-Lemeshow test and the
    # calibration fit of a score, shared by several checks (Table 3's metrics; a calibration p
    # and a "best" claim's hl_p). Reference: the same check computed alone on a new view, where
    # nothing is remembered; the memo must never hand one check another score's or subset's
    # number (two scores, two subsets, both df rules, checks asked for in an interleaved order).
    other = {"outcome": "y", "terms": ["x1"], "fit_on": {"cohort": "train"}}
    train = {"subset": {"cohort": "train"}}
    checks = []
    for model in (MODEL, other):
        for subset in (TEST, train):
            for metric in ("sensitivity", "precision", "f1"):
                checks.append((metric, {"kind": "classification", **model, **subset}))
            cal = {"kind": "calibration", **model, **subset}
            checks += [("p", cal), ("p", {**cal, "variant": "hl_df_requested"})]
            checks += [("slope", cal), ("intercept", cal)]
            rival = other["terms"] if model is MODEL else MODEL["terms"]
            best = {"kind": "best", **model, **subset, "against": [{"terms": rival}]}
            checks.append(("statement", {**best, "metrics": ["hl_p"]}))
            checks.append(("statement", {**best, "metrics": ["hl_p"], "risk_groups": 5}))
            checks.append(("statement", {**best, "metrics": ["auc", "brier", "hl_p"]}))

    shared = _view(_cohort())
    got = [_get(shared, quantity, **fields) for quantity, fields in checks]
    alone = [_get(_view(_cohort()), quantity, **fields) for quantity, fields in checks]
    assert len(set(got)) > 10  # the checks give different numbers: a mix-up would show
    assert got == alone


def test_best_claim_net_benefit_curves_are_remembered_per_threshold_grid():
    # A "best" claim's metric is remembered per view, score, patients and threshold grid; the
    # net-benefit curve on one grid must not be handed to a claim on another. Reference: the
    # curve computed on a fresh view, and its length (one value per threshold).
    from hccrep.analyses import _evaluated, _metric

    grids = [{"start": 0.1, "stop": 0.5, "step": 0.05}, {"start": 0.05, "stop": 0.2, "step": 0.05}]
    shared = _view(_cohort())
    for grid in grids:
        rival = {"against": [{"terms": ["x1"]}], "metrics": ["net_benefit"], "thresholds": grid}
        a = parse_analysis({"kind": "best", **MODEL, **TEST, **rival})
        m, y = _evaluated(shared, a)
        got = _metric(a, shared, a.score, "net_benefit", m, y)
        fresh = _view(_cohort())
        want = _metric(a, fresh, a.score, "net_benefit", *_evaluated(fresh, a))
        assert len(got) == len(a.thresholds.values())
        assert got.tolist() == want.tolist()

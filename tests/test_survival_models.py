"""Tests of hccrep.survival_models against independent references.

References: R survival::concordance and coxph, R glmnet (run live, tests/r/
survmodels_reference.R); lifelines; statsmodels PHReg; values derived by hand
in comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sksurv.functions import StepFunction

from _rhelpers import read_kv, require_r, run_r
from hccrep import survival_models as sm
from hccrep.survival_models import (
    MODEL_NAMES,
    LassoCoxCV,
    evaluate_models,
    fit_models,
    make_models,
    partial_dependence_at,
    partial_dependence_levels,
    permutation_importance_at,
    rank_models,
    risk_at,
    stratified_split,
    surv_array,
    survival_calibration,
    win_table,
)


def _cohort(n=351, seed=0, p_noise=0):
    """Exponential survival with three real effects, uniform censoring; months."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "age": rng.normal(55, 10, n),
            "pvtt": rng.integers(0, 2, n).astype(float),
            "size": rng.gamma(3, 3, n),
            "ast": rng.gamma(4, 15, n),
            "tace": rng.integers(0, 2, n).astype(float),
        }
    )
    for j in range(p_noise):
        X[f"noise{j}"] = rng.normal(size=n)
    lp = 0.7 * X["pvtt"] + 0.08 * X["size"] - 0.5 * X["tace"]
    t_event = rng.exponential(20 * np.exp(-(lp - lp.mean())))
    t_cens = rng.uniform(12, 60, n)
    y = surv_array(np.minimum(t_event, t_cens), t_event <= t_cens)
    return X, y


class _KnownModel:
    """A 'fitted model' whose survival curves are given: S(t | x) = exp(-t * base * exp(b * x[feature]))."""

    def __init__(self, feature, b=1.0, base=0.05):
        self.feature, self.b, self.base = feature, b, base

    def _rate(self, X):
        return self.base * np.exp(self.b * X[self.feature].to_numpy(float))

    def predict(self, X):
        return np.log(self._rate(X))

    def predict_survival_function(self, X):
        grid = np.linspace(0, 100, 2001)
        return [StepFunction(grid, np.exp(-grid * r)) for r in self._rate(X)]


class _GivenSurvival:
    """S(t) = 1 before 3.5, p_i on [3.5, 5.99), p_i / 2 afterwards (for a hand-computed Brier score)."""

    def __init__(self, p):
        self.p = np.asarray(p, float)

    def predict(self, X):
        return 1 - self.p

    def predict_survival_function(self, X):
        return [StepFunction(np.array([0.0, 3.5, 5.99]), np.array([1.0, q, q / 2])) for q in self.p]


# --------------------------------------------------------------------------
# live R references
# --------------------------------------------------------------------------


def _r_reference(tmp_path, d: pd.DataFrame, lam: float, tau: float) -> dict[str, float]:
    require_r(("survival", "glmnet"))
    d.to_csv(tmp_path / "cohort.csv", index=False)
    pd.DataFrame({"lambda": [lam], "tau": [tau]}).to_csv(tmp_path / "params.csv", index=False)
    run_r("survmodels_reference.R", tmp_path, tmp_path / "out.csv")
    return read_kv(tmp_path / "out.csv")


def _r_cohort(seed: int, tied_times: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 120
    X = rng.normal(size=(n, 3))
    lp = X @ np.array([0.8, -0.5, 0.0])
    t_ev = rng.exponential(10 * np.exp(-lp))
    t_c = rng.uniform(2, 30, n)
    t = np.minimum(t_ev, t_c)
    d = pd.DataFrame(
        {
            "time": np.ceil(t) if tied_times else np.round(t, 6),
            "status": (t_ev <= t_c).astype(int),
            "risk": np.round(lp + rng.normal(0, 0.5, n)),  # rounded: many tied risk scores
        }
    )
    for j in range(3):
        d[f"x{j + 1}"] = X[:, j]
    return d


@pytest.mark.r
@pytest.mark.parametrize("tied_times", [False, True])
def test_harrell_c_matches_R_survival_concordance(tmp_path, tied_times):
    # Reference: R survival::concordance(Surv ~ risk, reverse = TRUE), default timewt "n";
    # tied risk scores count 1/2 in both; with tied times, R and sksurv both leave
    # event-event ties out and count event-before-censored ties as comparable.
    d = _r_cohort(3, tied_times)
    r = _r_reference(tmp_path, d, lam=0.05, tau=12)
    y = surv_array(d["time"], d["status"])
    from sksurv.metrics import concordance_index_censored

    ours = concordance_index_censored(y["event"], y["time"], d["risk"].to_numpy())[0]
    assert ours == pytest.approx(r["harrell_c"], abs=1e-12)


def _eval_one(model, X, y, times):
    return evaluate_models({"m": model}, X, y, X, y, times=times).set_index(
        ["dataset", "metric", "horizon"], drop=False
    )


@pytest.mark.r
def test_uno_c_matches_R_concordance_timewt_n_over_G2(tmp_path):
    # Reference: R concordance(..., timewt = "n/G2", ymax = tau) is Uno's C with the
    # censoring KM G from the same data (Therneau, "Concordance" vignette). On untied
    # times it equals sksurv's concordance_index_ipcw(tau) with G from the same data,
    # which is how evaluate_models scores the training set. With tied times the two
    # differ in the third decimal (measured: 0.6174 in R vs 0.6153 in sksurv on the tied
    # version of this cohort) -- they weight ties with G at different sides of the step --
    # so the comparison is on untied times only.
    d = _r_cohort(5, tied_times=False)
    tau = 12.0
    r = _r_reference(tmp_path, d, lam=0.05, tau=tau)
    y = surv_array(d["time"], d["status"])
    X = d[["risk"]].rename(columns={"risk": "z"})

    class Score:
        def predict(self, X):
            return X["z"].to_numpy()

    ev = evaluate_models({"s": Score()}, X, y, X, y, times=(tau,))
    uno = ev.query("dataset == 'training' and metric == 'uno_c'")["value"].item()
    assert uno == pytest.approx(r["uno_c"], abs=1e-10)


@pytest.mark.r
def test_cox_coefficients_match_R_coxph_efron_and_lifelines(tmp_path):
    # References: R coxph(ties = "efron") run live, and lifelines CoxPHFitter (Efron).
    from lifelines import CoxPHFitter

    d = _r_cohort(7, tied_times=True)  # integer months: many ties, so Efron vs Breslow matters
    r = _r_reference(tmp_path, d, lam=0.05, tau=12)
    X = d[["x1", "x2", "x3"]]
    cox = fit_models(X, surv_array(d["time"], d["status"]), seed=1, names=["cox"])["cox"]
    lf = CoxPHFitter().fit(d[["time", "status", "x1", "x2", "x3"]], "time", "status").params_
    for j, v in enumerate(["x1", "x2", "x3"]):
        assert cox.coef_[j] == pytest.approx(r[f"coxph.{v}"], abs=1e-6)
        assert cox.coef_[j] == pytest.approx(lf[v], abs=1e-5)


@pytest.mark.r
def test_lasso_cox_matches_R_glmnet_cox_at_a_fixed_penalty(tmp_path):
    # Reference: R glmnet(x, Surv, family = "cox", alpha = 1, lambda = L, standardize = FALSE).
    # Scaling: glmnet minimises -loglik/n + lambda * ||beta||_1 (Breslow ties), and so does
    # sksurv's CoxnetSurvivalAnalysis with alpha = lambda and l1_ratio = 1, so the same
    # number is passed to both. Standardisation: LassoCoxCV standardises X itself (as
    # glmnet's default standardize = TRUE, with the 1/n variance); here R gets the
    # already standardised X with standardize = FALSE, so both penalise the same scale.
    d = _r_cohort(9, tied_times=False)
    Z = d[["x1", "x2", "x3"]]
    Z = (Z - Z.mean()) / Z.std(ddof=0)
    d_std = d.assign(**{c: Z[c] for c in Z.columns})
    lam = 0.04
    r = _r_reference(tmp_path, d_std, lam=lam, tau=12)
    y = surv_array(d["time"], d["status"])
    m = LassoCoxCV(cv_folds=5, random_state=1)
    net = m._net([lam]).fit(
        Z.to_numpy(), y
    )  # the estimator LassoCoxCV refits at its chosen penalty
    assert net.l1_ratio == 1.0
    for j, v in enumerate(["x1", "x2", "x3"]):
        assert net.coef_[j, 0] == pytest.approx(r[f"glmnet.{v}"], abs=1e-6)
    # and LassoCoxCV's own refit reports the coefficients back per original unit
    m.fit(d[["x1", "x2", "x3"]], y)
    sd = d[["x1", "x2", "x3"]].std(ddof=0).to_numpy()
    np.testing.assert_allclose(m.coef_ * sd, m.coef_std_, rtol=1e-12)


# --------------------------------------------------------------------------
# hand-computed and library references
# --------------------------------------------------------------------------


def test_brier_at_t_matches_hand_computed_ipcw_example():
    # Six patients, times 1..6, censored at 2 and 4; predicted S(3.5) = p.
    # Censoring KM from the same data: G(1) = 1, G(3) = G(3.5) = 1 - 1/5 = 0.8 (5 at risk at t = 2).
    # Graf's IPCW Brier at t = 3.5:
    #   deaths by 3.5 (t = 1, 3):  S^2 / G(t_i)     -> 0.2^2/1 + 0.5^2/0.8       = 0.04 + 0.3125
    #   alive after 3.5 (4, 5, 6): (1 - S)^2 / G(t) -> (0.09 + 0.04 + 0.01) / 0.8 = 0.175
    #   censored before 3.5 (t = 2): 0
    #   BS = (0.04 + 0.3125 + 0.175) / 6 = 0.5275 / 6
    y = surv_array([1, 2, 3, 4, 5, 6], [1, 0, 1, 0, 1, 1])
    X = pd.DataFrame({"z": np.zeros(6)})
    ev = evaluate_models(
        {"m": _GivenSurvival([0.2, 0.6, 0.5, 0.7, 0.8, 0.9])}, X, y, X, y, times=(3.5,)
    )
    got = ev.query("dataset == 'validation' and metric == 'brier'")["value"].item()
    assert got == pytest.approx(0.5275 / 6, abs=1e-12)


def test_breslow_loglik_matches_statsmodels_phreg_with_ties():
    # Reference: statsmodels PHReg(ties="breslow").loglike at a fixed beta.
    from statsmodels.duration.hazard_regression import PHReg

    rng = np.random.default_rng(4)
    n = 60
    x = rng.normal(size=(n, 2))
    t = np.ceil(rng.exponential(5, n))  # ties
    e = rng.random(n) < 0.7
    beta = np.array([0.3, -0.6])
    ref = PHReg(t, x, status=e.astype(int), ties="breslow").loglike(beta)
    assert sm._breslow_loglik(t, e, x @ beta) == pytest.approx(ref, abs=1e-10)


def test_survival_calibration_of_the_true_model_agrees_with_kaplan_meier():
    # The true data-generating survival curves must sit on the KM estimate in each risk group.
    rng = np.random.default_rng(8)
    n = 3000
    X = pd.DataFrame({"a": rng.normal(size=n)})
    model = _KnownModel("a", b=1.0, base=0.05)
    t_ev = rng.exponential(1 / model._rate(X))
    t_c = rng.uniform(10, 40, n)
    y = surv_array(np.minimum(t_ev, t_c), t_ev <= t_c)
    cal = survival_calibration(model, X, y, horizon=6.0, n_groups=5)
    assert cal["n"].tolist() == [600] * 5
    assert (np.diff(cal["predicted"]) < 0).all()  # group 1 = lowest risk = highest survival
    assert np.abs(cal["predicted"] - cal["observed"]).max() < 0.04
    assert (
        (cal["lower"] <= cal["predicted"] + 0.01) & (cal["predicted"] - 0.01 <= cal["upper"])
    ).all()


def test_risk_at_is_one_minus_the_known_survival():
    X = pd.DataFrame({"a": [0.0, 1.0]})
    # S(6) = exp(-6 * 0.05 * e^a); the step grid has a knot at 6.0
    want = 1 - np.exp(-6 * 0.05 * np.exp([0.0, 1.0]))
    np.testing.assert_allclose(risk_at(_KnownModel("a"), X, 6.0), want, rtol=1e-12)


def test_partial_dependence_equals_the_hand_average_for_a_known_model():
    # S(t | x) depends on 'a' only: PD(a = v) = exp(-t * 0.05 * e^v) whatever the other columns;
    # PD for the unused column 'b' is the plain average over patients of S(t | a_i).
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    m = _KnownModel("a")
    pd_a = partial_dependence_at(m, X, "a", 6.0, grid=[-1.0, 0.0, 1.0])
    np.testing.assert_allclose(
        pd_a["survival"], np.exp(-6 * 0.05 * np.exp([-1.0, 0.0, 1.0])), rtol=1e-12
    )
    pd_b = partial_dependence_at(m, X, "b", 6.0, n_grid=5)
    np.testing.assert_allclose(
        pd_b["survival"], np.exp(-6 * 0.05 * np.exp(X["a"])).mean(), rtol=1e-12
    )
    assert len(pd_b) == 5


@pytest.mark.parametrize("name", ["cox", "rsf"])
def test_permutation_importance_ranks_the_strong_feature_first_and_noise_near_zero(name):
    rng = np.random.default_rng(12)
    n = 400
    X = pd.DataFrame({"strong": rng.normal(size=n), "noise": rng.normal(size=n)})
    t_ev = rng.exponential(12 * np.exp(-1.2 * X["strong"]))
    t_c = rng.uniform(6, 40, n)
    y = surv_array(np.minimum(t_ev, t_c), t_ev <= t_c)
    m = fit_models(X, y, seed=3, fast=True, names=[name])[name]
    imp = permutation_importance_at(m, X, y, 12.0, seed=4, n_repeats=5)
    assert imp["feature"].iloc[0] == "strong"
    strong = imp.set_index("feature").loc["strong", "importance"]
    noise = imp.set_index("feature").loc["noise", "importance"]
    assert strong > 0.03
    assert abs(noise) < 0.2 * strong
    # same seed, same importances
    again = permutation_importance_at(m, X, y, 12.0, seed=4, n_repeats=5)
    pd.testing.assert_frame_equal(imp, again)


# --------------------------------------------------------------------------
# the zoo
# --------------------------------------------------------------------------


def test_stratified_split_gives_210_and_141_of_351_with_equal_event_share():
    X, y = _cohort()
    df = X.assign(event=y["event"].astype(int))
    tr, te = stratified_split(df, "event", test_size=0.4, seed=5)
    assert (len(tr), len(te)) == (210, 141)  # ceil(0.4 * 351) = 141 in validation
    assert set(tr).isdisjoint(te) and len(set(tr) | set(te)) == 351
    assert abs(df.loc[tr, "event"].mean() - df.loc[te, "event"].mean()) < 0.01
    tr2, te2 = stratified_split(df, "event", test_size=0.4, seed=5)
    assert np.array_equal(tr, tr2) and np.array_equal(te, te2)


def test_make_models_sets_lasso_and_randomforestsrc_like_hyperparameters():
    m = make_models(1, n_features=10)
    assert set(m) == set(MODEL_NAMES)
    assert m["lasso_cox"].cv_folds == 10 and m["lasso_cox"]._net().l1_ratio == 1.0
    rsf = m["rsf"]
    assert (rsf.n_estimators, rsf.min_samples_leaf, rsf.max_features) == (
        500,
        15,
        math.ceil(math.sqrt(10)),
    )
    assert m["cox"].ties == "efron"
    assert make_models(1, fast=True)["rsf"].n_estimators == 100
    documented = set(sm.hyperparameter_table()["model"])
    assert documented == set(MODEL_NAMES)


def test_fit_models_is_deterministic_with_a_seed():
    X, y = _cohort(150, seed=1)
    a = fit_models(X, y, seed=11, fast=True)
    b = fit_models(X, y, seed=11, fast=True)
    c = fit_models(X, y, seed=12, fast=True, names=["rsf"])
    for name in MODEL_NAMES:
        assert np.array_equal(a[name].predict(X), b[name].predict(X)), name
    assert not np.array_equal(a["rsf"].predict(X), c["rsf"].predict(X))


def test_whole_zoo_fast_mode_fits_and_scores_351_patients():
    """The fast zoo on a deng2025-sized cohort: every metric of every model, and the Brier and
    integrated Brier scores (computed with the censoring weights once per data set) equal to
    sksurv's brier_score and integrated_brier_score to the bit.  (Speed is measured by
    benchmarks/run.py, not here.)"""
    from sksurv.metrics import brier_score, integrated_brier_score

    X, y = _cohort(351, seed=2, p_noise=5)  # 10 features, as deng2025
    df = X.assign(event=y["event"].astype(int))
    tr, te = stratified_split(df, "event", seed=1)
    fitted = fit_models(X.loc[tr], y[tr], seed=1, fast=True)
    ev = evaluate_models(fitted, X.loc[tr], y[tr], X.loc[te], y[te], times=(6, 12, 24))
    for name in ("cox", "rsf"):
        for dataset, Xd, yd in (("training", X.loc[tr], y[tr]), ("validation", X.loc[te], y[te])):
            rows = ev[(ev.model == name) & (ev.dataset == dataset)].set_index(
                ["metric", "horizon"]
            )["value"]
            S = sm.survival_at(fitted[name], Xd, [6, 12, 24])
            ref = brier_score(y[tr], yd, S, [6, 12, 24])[1]
            assert [rows[("brier", h)] for h in (6.0, 12.0, 24.0)] == ref.tolist()
            grid = sm._ibs_grid(y[tr], yd, 24.0)
            ibs_ref = integrated_brier_score(
                y[tr], yd, sm.survival_at(fitted[name], Xd, grid), grid
            )
            assert rows.xs("ibs", level="metric").item() == ibs_ref
    assert set(ev["model"]) == set(MODEL_NAMES)
    # per model and data set: 2 C-indices, IBS, 3 Brier, 3 AUC
    assert len(ev) == len(MODEL_NAMES) * 2 * 9
    ok = ev[ev["model"] != "ssvm"]
    assert ok["value"].notna().all()
    assert ev.query("model == 'ssvm' and metric in ['brier', 'ibs']")["value"].isna().all()
    assert (ev.query("model == 'ssvm' and metric in ['brier', 'ibs']")["note"] != "").all()
    # the true effects are real: every model discriminates in validation
    assert (ev.query("dataset == 'validation' and metric == 'harrell_c'")["value"] > 0.55).all()


def test_evaluate_models_refuses_a_horizon_after_the_follow_up():
    X, y = _cohort(120, seed=3)
    f = fit_models(X, y, seed=1, names=["cox"])
    with pytest.raises(ValueError, match="outside the follow-up"):
        evaluate_models(f, X, y, X, y, times=(6, 100))


def test_lasso_cv_chooses_a_penalty_on_the_path_and_drops_pure_noise():
    X, y = _cohort(351, seed=4, p_noise=5)
    m = LassoCoxCV(cv_folds=5, random_state=2, rule="1se").fit(X, y)
    assert m.cv_results_["alpha"].min() <= m.alpha_ <= m.cv_results_["alpha"].max()
    coef = pd.Series(m.coef_, index=X.columns)
    assert coef["pvtt"] > 0 and coef["tace"] < 0
    assert (coef[[f"noise{j}" for j in range(5)]] == 0).sum() >= 3


# --------------------------------------------------------------------------
# ranking and validation
# --------------------------------------------------------------------------


def test_rank_models_puts_lower_brier_and_higher_c_first():
    d = pd.DataFrame(
        {
            "seed": [1, 1, 1, 1, 2, 2, 2, 2],
            "model": ["cox", "rsf"] * 4,
            "dataset": "validation",
            "metric": ["harrell_c", "harrell_c", "brier", "brier"] * 2,
            "horizon": [np.nan, np.nan, 12, 12] * 2,
            "value": [0.60, 0.70, 0.20, 0.25, 0.66, 0.64, 0.21, 0.19],
        }
    )
    c = rank_models(d, "harrell_c", by="seed")
    assert c.query("seed == 1 and rank == 1")["model"].item() == "rsf"
    assert c.query("seed == 2 and rank == 1")["model"].item() == "cox"
    b = rank_models(d, "brier", horizon=12, by="seed")
    assert b.query("seed == 1 and rank == 1")["model"].item() == "cox"
    w = win_table(c).set_index("model")
    assert w.loc["cox", "wins"] == 1 and w.loc["rsf", "share"] == 0.5
    with pytest.raises(ValueError, match="horizon"):
        rank_models(d, "brier", by="seed")
    with pytest.raises(ValueError, match="by"):
        rank_models(d, "harrell_c")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda X, y: fit_models(X, y, seed=None), "seed"),
        (lambda X, y: fit_models(X, y, seed=1, names=["xgboost"]), "model name"),
        (lambda X, y: fit_models(X.assign(age=np.nan), y, seed=1), "missing"),
        (lambda X, y: fit_models(X.assign(sex="m"), y, seed=1), "non-numeric"),
        (lambda X, y: fit_models(X.iloc[:-1], y, seed=1), "rows"),
        (lambda X, y: surv_array([1, 2], [1, 2]), "event"),
        (lambda X, y: surv_array([1, -2], [1, 0]), "negative"),
        (lambda X, y: stratified_split(X, "nope", seed=1), "event_col"),
        (lambda X, y: make_models(1, fast="yes"), "fast"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(call, message):
    X, y = _cohort(60, seed=5)
    with pytest.raises(ValueError, match=message):
        call(X, y)


def test_survival_at_array_path_equals_sksurv_step_functions():
    # survival_at reads S(t) on the model's time grid (a forest's leaves, a tree's array, the
    # other models' step functions read through their x, y, a, b); the references are sksurv's
    # own StepFunction called at each time and predict_survival_function(return_array=True),
    # both to the bit.
    X, y = _cohort(200, seed=6)
    fitted = fit_models(X, y, seed=2, fast=True, names=[n for n in MODEL_NAMES if n != "ssvm"])
    times = np.array(
        [0.5, 6.0, 12.0, 24.0, float(np.sort(y["time"][y["event"]])[3])]
    )  # one exactly on a grid time
    for name, m in fitted.items():
        ref = np.vstack([fn(times) for fn in m.predict_survival_function(X)])
        assert np.array_equal(sm.survival_at(m, X, times), ref), name
        grid, full = sm._survival_array(m, X)
        assert np.array_equal(full, m.predict_survival_function(X, return_array=True)), name
        assert np.array_equal(grid, m.unique_times_), name


def test_step_values_read_only_stepfunctions_on_the_models_own_grid():
    """_step_values equals calling each step function (a * y + b, here with a != 1 and b != 0) and
    declines functions on another grid or of another type, so survival_at uses the model's own
    array instead."""
    grid = np.array([1.0, 2.0, 5.0])
    fns = [StepFunction(grid, np.array([0.9, 0.5, 0.1]) * k, a=1.5 * k, b=0.25) for k in (1, 2)]
    cols = np.array([0, 2])
    assert np.array_equal(sm._step_values(fns, grid, cols), np.vstack([f(grid[cols]) for f in fns]))
    other = [StepFunction(grid.copy(), f.y) for f in fns]  # equal grids, but not one shared grid
    assert sm._step_values(other, grid, cols) is None
    assert sm._step_values(fns, grid + 1, cols) is None
    assert sm._step_values([lambda t: t], grid, cols) is None


class _LinearKnownModel:
    """S(t | x) = exp(-t * 0.05 * exp(sum_j b_j x_j)) for the given coefficients (other columns ignored)."""

    def __init__(self, coef):
        self.coef = dict(coef)

    def predict_survival_function(self, X):
        lp = sum(b * X[c].to_numpy(float) for c, b in self.coef.items())
        grid = np.linspace(0, 100, 2001)
        return [StepFunction(grid, np.exp(-grid * 0.05 * np.exp(v))) for v in lp]


def test_partial_dependence_levels_sets_one_indicator_at_a_time():
    # Three-level variable coded by indicators d1, d2 (reference: both 0); the model depends on them only,
    # so PD(level) = exp(-t * 0.05 * exp(b_level)) exactly, b_reference = 0 (hand formula).
    rng = np.random.default_rng(9)
    arm = rng.integers(0, 3, 60)
    X = pd.DataFrame(
        {"d1": (arm == 1).astype(float), "d2": (arm == 2).astype(float), "z": rng.normal(size=60)}
    )
    m = _LinearKnownModel({"d1": -0.5, "d2": 0.7})
    got = partial_dependence_levels(m, X, "arm", ["d1", "d2"], [6.0, 12.0], labels=["tace", "rt"])
    for level, b in (("reference", 0.0), ("tace", -0.5), ("rt", 0.7)):
        for h in (6.0, 12.0):
            val = got.query("value == @level and horizon == @h")["survival"].item()
            assert val == pytest.approx(math.exp(-h * 0.05 * math.exp(b)), rel=1e-12)
    with pytest.raises(ValueError, match="not in X"):
        partial_dependence_levels(m, X, "arm", ["d1", "nope"], 6.0)


def test_partial_dependence_at_several_horizons_matches_one_at_a_time():
    X, y = _cohort(150, seed=10)
    m = fit_models(X, y, seed=1, fast=True, names=["rsf"])["rsf"]
    both = partial_dependence_at(m, X, "size", [6.0, 12.0], n_grid=4)
    for h in (6.0, 12.0):
        one = partial_dependence_at(m, X, "size", h, n_grid=4)
        np.testing.assert_allclose(
            both.query("horizon == @h")["survival"], one["survival"], rtol=0, atol=1e-15
        )


def test_figures_carry_alt_text_naming_their_content():
    from hccrep.plots import alt_text

    imp = pd.DataFrame(
        {
            "feature": ["pvtt", "noise", "pvtt", "noise"],
            "importance": [0.04, 0.0, 0.05, 0.001],
            "sd": [0.01, 0.005, 0.01, 0.004],
            "horizon": [6.0, 6.0, 12.0, 12.0],
            "metric": "brier",
        }
    )
    assert "at 12 months the top three are PVTT" in alt_text(
        sm.importance_plot(imp, labels={"pvtt": "PVTT"})
    )
    pdp = pd.concat(
        [
            pd.DataFrame(
                {
                    "feature": "arm",
                    "value": ["reference", "rt"],
                    "survival": [0.6, 0.7],
                    "horizon": 12.0,
                }
            ),
            pd.DataFrame(
                {"feature": "ast", "value": [20.0, 80.0], "survival": [0.7, 0.5], "horizon": 12.0}
            ),
        ],
        ignore_index=True,
    )
    text = alt_text(sm.partial_dependence_plot(pdp))
    assert "rises by 0.10 from reference to rt" in text and "falls by 0.20 from 20 to 80" in text
    cal = pd.DataFrame(
        {
            "group": [1, 2],
            "predicted": [0.8, 0.5],
            "observed": [0.75, 0.55],
            "lower": [0.6, 0.4],
            "upper": [0.9, 0.7],
            "horizon": 12.0,
        }
    )
    assert "largest gap is 0.05 and 2 of 2 groups" in alt_text(sm.survival_calibration_plot(cal))
    with pytest.raises(ValueError, match="lacks columns"):
        sm.importance_plot(imp.drop(columns="sd"))


def test_forest_survival_fast_path_equals_scikit_survival():
    """The once-validated, per-leaf sum gives scikit-survival's own forest curves, bit for bit."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sksurv.ensemble import RandomSurvivalForest

    rng = np.random.default_rng(12)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.integers(0, 2, 80).astype(float)})
    y = sm.surv_array(rng.exponential(10, 80), rng.integers(0, 2, 80))
    forest = RandomSurvivalForest(
        n_estimators=15, min_samples_leaf=5, random_state=0, low_memory=False
    )
    for model in (
        forest.fit(X, y),
        make_pipeline(
            StandardScaler(),
            RandomSurvivalForest(
                n_estimators=15, min_samples_leaf=5, random_state=0, low_memory=False
            ),
        ).fit(X, y),
    ):
        grid, fast = sm._survival_array(model, X[:30])
        ref = model.predict_survival_function(X[:30], return_array=True)
        assert np.array_equal(fast, ref)
        assert np.array_equal(grid, (model[-1] if hasattr(model, "steps") else model).unique_times_)


def test_forest_input_fast_path_converts_as_scikit_learn_and_defers_the_rest():
    """A DataFrame with the forest's columns (float and integer dummies) becomes the array
    scikit-learn's own validation makes; reordered columns or missing values go to scikit-learn,
    which decides about them as before."""
    from sksurv.ensemble import RandomSurvivalForest

    rng = np.random.default_rng(14)
    X = pd.DataFrame(
        {
            "a": rng.normal(size=70) * 1e3,
            "b": rng.integers(0, 2, 70).astype(np.uint8),
            "c": rng.integers(0, 5, 70),
        }
    )
    y = sm.surv_array(rng.exponential(10, 70), rng.integers(0, 2, 70))
    forest = RandomSurvivalForest(
        n_estimators=5, min_samples_leaf=5, random_state=0, low_memory=False
    ).fit(X, y)
    fast = sm._forest_input(forest, X)
    ref = forest._validate_X_predict(X)
    assert (
        fast.dtype == ref.dtype == np.float32
        and fast.flags.c_contiguous
        and np.array_equal(fast, ref)
    )
    with pytest.raises(ValueError, match="feature names"):
        sm._forest_input(forest, X[["b", "a", "c"]])
    missing = X.astype(float)
    missing.iloc[0, 0] = np.nan  # scikit-learn decides what a missing value means
    assert np.array_equal(
        sm._forest_input(forest, missing), forest._validate_X_predict(missing), equal_nan=True
    )


def test_ipcw_brier_equals_sksurv_brier_score_bit_for_bit():
    """IPCWBrier (censoring weights computed once) gives sksurv's brier_score to the bit, on data
    with ties, unsorted and repeated times, a one-column estimate, and refuses what sksurv refuses."""
    from sksurv.metrics import brier_score

    rng = np.random.default_rng(15)
    for rep in range(20):
        y_tr = sm.surv_array(np.round(rng.exponential(12, 120), 0) + 1, rng.random(120) < 0.7)
        t_te = np.minimum(
            np.round(rng.exponential(12, 60), 1) + 0.5, y_tr["time"].max() - 0.5
        )  # inside training
        y_te = sm.surv_array(t_te, rng.random(60) < 0.7)
        times = [9.0, 3.0, 6.0, 3.0] if rep % 2 else [4.5]
        est = rng.random((60, len(set(times))))
        score = sm.IPCWBrier(y_tr, y_te, times)
        t_ref, b_ref = brier_score(y_tr, y_te, est, times)
        assert np.array_equal(score.times, t_ref) and np.array_equal(score(est), b_ref)
    assert np.array_equal(
        sm.IPCWBrier(y_tr, y_te, [4.5])(est[:, 0]), brier_score(y_tr, y_te, est[:, 0], [4.5])[1]
    )
    with pytest.raises(ValueError, match="within follow-up"):
        sm.IPCWBrier(y_tr, y_te, [1e6])
    with pytest.raises(ValueError, match="expected estimate of shape"):
        sm.IPCWBrier(y_tr, y_te, [3.0, 6.0])(est[:10, :2])


def test_forest_fast_path_follows_a_refit():
    """The per-forest cache of leaf curves is renewed when the same forest object is fitted again."""
    from sksurv.ensemble import RandomSurvivalForest

    rng = np.random.default_rng(13)
    X = pd.DataFrame({"a": rng.normal(size=60)})
    forest = RandomSurvivalForest(
        n_estimators=5, min_samples_leaf=5, random_state=0, low_memory=False
    )
    for seed in (1, 2):
        y = sm.surv_array(rng.exponential(10, 60) * seed, rng.integers(0, 2, 60))
        forest.fit(X, y)
        assert np.array_equal(
            sm._survival_array(forest, X)[1], forest.predict_survival_function(X, return_array=True)
        )


def test_forest_survival_at_equals_the_step_functions():
    """survival_at on a forest (columns gathered leaf by leaf) equals scikit-survival's step functions at those times."""
    from sksurv.ensemble import RandomSurvivalForest

    rng = np.random.default_rng(14)
    X = pd.DataFrame({"a": rng.normal(size=70), "b": rng.normal(size=70)})
    t = rng.exponential(10, 70)
    forest = RandomSurvivalForest(
        n_estimators=8, min_samples_leaf=4, random_state=1, low_memory=False
    )
    forest.fit(X, sm.surv_array(t, rng.integers(0, 2, 70)))
    times = [0.01, 1.0, 5.0, float(forest.unique_times_[-1])]
    ref = np.vstack([fn(times) for fn in forest.predict_survival_function(X)])
    np.testing.assert_array_equal(sm.survival_at(forest, X, times), ref)
    with pytest.raises(ValueError, match="after the model's last training time"):
        sm.survival_at(forest, X, [float(forest.unique_times_[-1]) + 1])


def test_forest_risk_and_collection_predictions_equal_scikit_survival_to_the_bit():
    """Reference: scikit-survival's RandomSurvivalForest.predict and predict_survival_function
    (the fast paths read the trees' leaves and must give the same floats)."""
    from hccrep.survival_models import FittedCollection, _forest_risk

    X, y = _cohort(200, seed=5, p_noise=3)
    m = fit_models(X, y, seed=2, fast=True, names=("rsf",))["rsf"]
    assert np.array_equal(_forest_risk(m, X), m.predict(X))
    col = FittedCollection({"rsf": m}, X, y, X, y, horizons=[3, 6])
    assert np.array_equal(col.risk_score("rsf", "training"), m.predict(X))
    fns = m.predict_survival_function(X)
    ref = np.array([[f(3.0), f(6.0)] for f in fns])
    assert np.array_equal(col.survival("rsf", "validation", [3, 6]), ref)


def test_harrell_c_equals_sksurv_concordance_index_censored_to_the_bit():
    """Reference: scikit-survival's concordance_index_censored (its loop over the events). The
    pairwise count gives the same float on tied times, tied and nearly tied risks (within and just
    outside sksurv's 1e-8), integer-valued risks and a censored last patient; above the pairwise
    size limit sksurv itself is called."""
    from sksurv.metrics import concordance_index_censored

    rng = np.random.default_rng(16)
    for rep in range(60):
        n = int(rng.integers(5, 250))
        t = np.round(rng.exponential(10, n), int(rep % 3)) + 0.1  # many ties in time when rounded
        ev = rng.random(n) < 0.6
        ev[0] = True
        risk = {
            0: rng.normal(size=n),
            1: rng.integers(0, 4, n).astype(float),  # heavy ties in the score
            2: np.repeat(rng.normal(size=(n + 1) // 2), 2)[:n]
            + rng.choice([0.0, 5e-9, 2e-8], n),  # pairs within and outside the tolerance
        }[rep % 3]
        y = surv_array(t, ev)
        if not (ev[:, None] & (t[:, None] < t[None, :])).any():
            continue
        ref = concordance_index_censored(ev, t, risk)[0]
        assert sm._harrell(y, risk) == ref
    X, y = _cohort(sm._PAIRWISE_MAX_N + 10, seed=3)
    risk = X["size"].to_numpy()
    assert sm._harrell(y, risk) == concordance_index_censored(y["event"], y["time"], risk)[0]


def test_predict_blocks_with_a_base_reuses_unchanged_rows_and_equals_predicting_all():
    """Reference: survival_at of every block on its own. Rows a block leaves as in ``base`` are
    taken from base's prediction; a forest predicts row by row, so its values are the same to the
    bit. A Cox model's linear predictor is one matrix product, whose last bit can depend on how
    many rows BLAS multiplies at once, so it is compared to 1e-15."""
    X, y = _cohort(120, seed=7)
    fitted = fit_models(X, y, seed=3, fast=True, names=("cox", "rsf"))
    base = X.to_numpy(float)
    rng = np.random.default_rng(1)
    blocks = [base]
    for j in (1, 4, 0):  # two 0/1 columns (many rows unchanged by a shuffle) and a numeric one
        Xp = base.copy()
        Xp[:, j] = base[rng.permutation(len(base)), j]
        blocks.append(Xp)
    t = np.array([6.0, 12.0])
    for name, m in fitted.items():
        got = sm._predict_blocks(m, blocks, t, X.columns, base=base)
        for b, g in zip(blocks, got):
            ref = sm.survival_at(m, pd.DataFrame(b, columns=X.columns), t)
            if name == "rsf":
                assert np.array_equal(g, ref)
            else:
                np.testing.assert_allclose(g, ref, rtol=1e-15, atol=0)
    with pytest.raises(ValueError, match="rows of base"):
        sm._predict_blocks(fitted["cox"], [base[:10]], t, X.columns, base=base)


def test_ipcw_auc_equals_sksurv_cumulative_dynamic_auc_bit_for_bit():
    """IPCWAUC (censoring weights computed once) gives sksurv's cumulative_dynamic_auc to the bit,
    on tied times, tied and nearly tied estimates (within and outside sksurv's 1e-8), one score
    for all times or one per time, unsorted repeated times; it refuses what sksurv refuses."""
    from sksurv.metrics import cumulative_dynamic_auc

    rng = np.random.default_rng(17)
    for rep in range(30):
        y_tr = sm.surv_array(np.round(rng.exponential(12, 150), 0) + 1, rng.random(150) < 0.7)
        t_te = np.minimum(np.round(rng.exponential(12, 90), 1) + 0.5, y_tr["time"].max() - 0.5)
        y_te = sm.surv_array(t_te, rng.random(90) < 0.7)
        times = [9.0, 3.0, 6.0, 3.0] if rep % 2 else [4.5]
        k = len(set(times))
        est = {
            0: rng.random((90, k)),
            1: rng.integers(0, 5, (90, k)).astype(float),  # many tied estimates
            2: np.repeat(rng.random((45, k)), 2, axis=0) + rng.choice([0.0, 5e-9, 2e-8], (90, k)),
        }[rep % 3]
        auc = sm.IPCWAUC(y_tr, y_te, times)
        assert np.array_equal(auc(est), cumulative_dynamic_auc(y_tr, y_te, est, times)[0])
        one = est[:, 0]
        assert np.array_equal(auc(one), cumulative_dynamic_auc(y_tr, y_te, one, times)[0])
    with pytest.raises(ValueError, match="within follow-up"):
        sm.IPCWAUC(y_tr, y_te, [1e6])
    with pytest.raises(ValueError, match="expected estimate of shape"):
        sm.IPCWAUC(y_tr, y_te, [3.0, 6.0])(est[:10])
    with pytest.raises(ValueError, match="finite"):
        sm.IPCWAUC(y_tr, y_te, [4.5])(np.full(90, np.nan))


def test_ranked_importance_equals_the_pandas_groupby_rank():
    """Reference: pandas' groupby rank (method="first", descending) and sort, the table the
    permutation importance built before; equal importances keep the order of the variables."""
    rng = np.random.default_rng(18)
    names = [f"v{i}" for i in range(7)]
    t = np.array([6.0, 12.0, 24.0])
    for rep in range(20):
        imp = np.round(rng.normal(size=(7, 3)), 1 if rep % 2 else 6)  # ties when rounded
        rows = [
            {"variable": g, "horizon": float(h), "importance": float(imp[i, j])}
            for i, g in enumerate(names)
            for j, h in enumerate(t)
        ]
        ref = pd.DataFrame(rows)
        ref["rank"] = (
            ref.groupby("horizon")["importance"].rank(method="first", ascending=False).astype(int)
        )
        ref = ref.sort_values(["horizon", "rank"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(sm._ranked_importance(names, t, imp), ref)
    with pytest.raises(ValueError, match="not finite"):
        sm._ranked_importance(names, t, np.full((7, 3), np.nan))


def test_grouped_importance_with_the_callers_brier_equals_building_it():
    """The IPCWBrier a collection keeps gives the importance built with a fresh one (the same
    table), and one of other horizons or patients is refused."""
    X, y = _cohort(150, seed=8)
    m = fit_models(X, y, seed=4, fast=True, names=("cox",))["cox"]
    groups = {c: [c] for c in X.columns}
    ref = sm.grouped_permutation_importance(m, X, y, y, groups, [12, 6], seed=3)
    got = sm.grouped_permutation_importance(
        m, X, y, y, groups, [12, 6], seed=3, brier=sm.IPCWBrier(y, y, [6, 12])
    )
    pd.testing.assert_frame_equal(got, ref)
    with pytest.raises(ValueError, match="sorted horizons"):
        sm.grouped_permutation_importance(
            m, X, y, y, groups, [12, 6], seed=3, brier=sm.IPCWBrier(y, y, [6])
        )


def test_breslow_loglik_many_equals_one_call_per_row_to_the_bit():
    """Reference: _BreslowLoglik called on each linear predictor in turn (itself checked against
    statsmodels above); the side-by-side rows of the LASSO cross-validation give the same floats,
    on tied times, large and small predictors, any row length."""
    rng = np.random.default_rng(19)
    for rep in range(40):
        n = int(rng.integers(2, 300))
        time = np.round(rng.exponential(10, n), rep % 3)
        event = rng.random(n) < 0.7
        ll = sm._BreslowLoglik(time, event)
        etas = rng.normal(scale=10.0 ** rng.integers(-3, 2), size=(int(rng.integers(1, 60)), n))
        got = ll.many(list(etas))
        assert np.array_equal(got, np.array([ll(e) for e in etas]))

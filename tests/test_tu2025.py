"""tu2025: inputs reproduced exactly, every check computed, determinism, the binary spec block,
the audit's new checks, and a scorecard on the book seed."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from hccrep.audit import audit_study, confusion_matrices
from hccrep.printed import equal_at_precision, parse_count_percent, parse_summary
from hccrep.replication import VERDICTS, runner_for, scorecard
from hccrep.spec import DATA_DIR, CategoricalVariable, DataFileError, load_study
from hccrep.stats.prediction import logit_fit
from hccrep.studies.tu2025 import COHORTS, albi_score, design_matrix


@pytest.fixture(scope="module")
def tu():
    return load_study("tu2025")


@pytest.fixture(scope="module")
def tu_runner(tu):
    return runner_for(tu)


def test_all_data_files_validate_with_every_role(tu):
    assert {"table1", "table2", "table3", "table4", "survival_text", "hbv_subgroup"} <= set(
        tu.files
    )
    assert {n.role for n in tu.numbers} == {"input", "check", "derived"}
    assert [b.outcome for b in tu.simulation.binary] == ["tin"]


@pytest.mark.parametrize("seed", [0, 1, 20250327])
def test_cohort_reproduces_every_input_exactly(tu_runner, seed):
    from hccrep.stats import km_median
    from hccrep.stats.prediction import cohen_kappa

    st = tu_runner.study
    c = tu_runner.simulate(seed)
    coh = c["cohort"].astype(str)
    base = st.baseline()
    for g in base.groups:
        assert (coh == g.key).sum() == g.n
        part = c[coh == g.key]
        for v in base.variables:
            cell = v.cells[g.key]
            if isinstance(v, CategoricalVariable):
                for lv in v.levels:
                    expect = parse_count_percent(
                        cell[lv.key] if isinstance(cell[lv.key], str) else cell[lv.key].printed
                    ).count
                    assert (part[v.key].astype(str) == lv.key).sum() == expect, (
                        v.key,
                        lv.key,
                        g.key,
                    )
            else:
                s = parse_summary(cell if isinstance(cell, str) else cell.printed, "mean_sd")
                x = part[v.key].to_numpy(float)
                assert equal_at_precision(x.mean(), s.centre, s.decimals[0]), (v.key, g.key)
                assert equal_at_precision(x.std(ddof=1), s.spread[0], s.decimals[1]), (v.key, g.key)
                assert (x > 0).all(), v.key
    # the outcome replaces the response row and keeps its counts
    assert (c["tin"] == (c["response"].astype(str) == "tin")).all()
    # OS: the six medians by cohort and TIPM group; nobody followed beyond the observation period
    for n in st.numbers:
        if n.file_id == "survival_text" and n.quantity == "median":
            m = (c["os_group"] == n.about.group).to_numpy()
            med = km_median(c.loc[m, "os_time"], c.loc[m, "os_event"]).median
            assert equal_at_precision(med, n.value, n.decimals), (n.key, med)
    assert c["os_time"].max() <= st.number("os_observation_days").value + 1e-9
    # ratings: each rate is the nearest integer count of the 327 patients, each kappa as near as the table allows
    n = len(c)
    for crit in ("mrecist", "recist11", "irecist"):
        assert abs(c[crit].sum() - st.number(f"orr_{crit}").value / 100 * n) <= 0.5
    for other in ("recist11", "irecist"):
        k = cohen_kappa(c["mrecist"], c[other]).kappa
        assert abs(k - st.number(f"kappa_mrecist_{other}").value) < 0.01, (other, k)


def test_runner_computes_every_check_and_none_is_silently_missing(tu_runner):
    out = tu_runner.run(tu_runner.study.meta.book_seed)
    keys = {n.key for n in tu_runner.checks}
    missing = keys - set(out) - set(tu_runner.not_checkable)
    assert not missing, sorted(missing)
    for k in keys - set(tu_runner.not_checkable):
        v = out[k]
        assert v is not None and not (isinstance(v, float) and math.isnan(v)), k
    # every not-checkable check says why
    assert all(len(r) > 20 for r in tu_runner.not_checkable.values())
    assert set(tu_runner.not_checkable) <= keys


def test_same_seed_gives_identical_cohort_and_results(tu_runner):
    a, b = tu_runner.simulate(7), tu_runner.simulate(7)
    pd.testing.assert_frame_equal(a, b)
    ra, rb = tu_runner.analyse(a), tu_runner.analyse(b)
    assert ra.keys() == rb.keys()
    assert all((ra[k] == rb[k]) or (math.isnan(ra[k]) and math.isnan(rb[k])) for k in ra)
    assert not tu_runner.simulate(8)["os_time"].equals(a["os_time"])


def test_logit_fit_equals_statsmodels_on_random_data():
    # reference: statsmodels Logit (Newton), an independent implementation
    import statsmodels.api as sm

    rng = np.random.default_rng(11)
    for _ in range(5):
        x = pd.DataFrame(
            {
                "a": rng.normal(size=150),
                "b": rng.integers(0, 2, 150).astype(float),
                "c": rng.gamma(2, 20, 150),
            }
        )
        lp = -0.5 + 0.8 * x.a - 1.2 * x.b + 0.01 * x.c
        y = (rng.uniform(size=150) < 1 / (1 + np.exp(-lp))).astype(float)
        ours = logit_fit(x, y)
        ref = sm.Logit(y, sm.add_constant(x)).fit(disp=0)
        np.testing.assert_allclose(ours.coef, ref.params.to_numpy(), rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(ours.se, ref.bse.to_numpy(), rtol=1e-6)
        np.testing.assert_allclose(ours.table()["p"].to_numpy(), ref.pvalues.to_numpy(), rtol=1e-6)
        assert ours.converged


def test_logit_fit_rejects_non_binary_outcome():
    with pytest.raises(ValueError, match="0/1"):
        logit_fit(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), [0, 1, 2])


def test_albi_score_by_hand():
    # 0.66 * log10(17) - 0.085 * 40 = 0.66 * 1.230449 - 3.4 = -2.587904 (Johnson et al. 2015 formula)
    assert albi_score(17.0, 40.0) == pytest.approx(-2.587904, abs=1e-6)
    with pytest.raises(ValueError, match="bilirubin"):
        albi_score(0.0, 40.0)


def test_design_matrix_codes_the_printed_levels(tu_runner):
    c = tu_runner.simulate(2)
    d = design_matrix(c)
    assert d["delta_t_ge0"].sum() == (c["delta_t"].astype(str) == "ge0").sum()
    assert d["satellite_no"].sum() == (c["satellite"].astype(str) == "no").sum()
    assert set(np.unique(d["tin"])) == {0.0, 1.0}


def test_refit_recovers_the_printed_coefficients_on_average(tu_runner, tu):
    # the outcome model's inputs: over cohorts the refitted training coefficients centre near them
    fits = [tu_runner.fit(tu_runner.simulate(s), "multivariable").coef for s in range(12)]
    mean = np.mean(fits, axis=0)
    names = tu_runner.fit(tu_runner.simulate(0), "multivariable").names
    for name, b in zip(names[1:], mean[1:]):
        n = next(
            x
            for x in tu.numbers
            if x.quantity == "log_or"
            and (f"{x.about.variable}_{x.about.level}" if x.about.level else x.about.variable)
            == name
        )
        # a wide band: 152 patients, 42 events; what matters is sign and size
        assert abs(b - n.value) < max(0.6 * abs(n.value), 0.01), (name, b, n.value)


@pytest.mark.slow
def test_scorecard_on_book_seed_with_a_small_monte_carlo(tu_runner):
    card = scorecard(tu_runner, n_mc=8, n_jobs=1, progress=False, cache_dir="")
    assert set(card.verdict) <= set(VERDICTS)
    assert (card.loc[card.verdict == "not checkable", "reason"].str.len() > 10).all()
    inputs = {n.key for n in tu_runner.study.numbers if n.role == "input"}
    assert not inputs & set(card.key)
    # Table 1 p-values are computed on exact counts and summaries: the same on every seed
    t1 = card[card.file_id == "table1"]
    assert np.allclose(t1.mc_low, t1.mc_high)
    # Fisher's exact test prints every categorical Table 1 p-value
    cat = t1[
        t1.key.isin(
            [
                f"{v.key}.p"
                for v in tu_runner.study.baseline().variables
                if isinstance(v, CategoricalVariable)
            ]
        )
    ]
    assert (cat.verdict == "reproduced").all()


# ----------------------------------------------------------------------------- the binary block of simulation.yaml


def _copy_study(tmp_path: Path) -> Path:
    src = DATA_DIR / "tu2025"
    dst = tmp_path / "tu2025"
    dst.mkdir()
    for f in src.glob("*.yaml"):
        (dst / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    return dst


def _mutate_binary(tmp_path: Path, fn) -> Path:
    d = _copy_study(tmp_path)
    sim = yaml.safe_load((d / "simulation.yaml").read_text(encoding="utf-8"))
    # keep YAML 1.2 level keys ("no") as strings when dumping back
    fn(sim["binary"][0])
    (d / "simulation.yaml").write_text(
        yaml.safe_dump(sim, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return d


BINARY_CASES = [
    (
        "missing_group",
        lambda b: b["prevalence"].pop("test"),
        "binary[0] (tin).prevalence",
        "needs exactly the groups",
    ),
    (
        "unknown_key",
        lambda b: b["prevalence"].update(test="response.tin.nowhere"),
        "binary[0] (tin).prevalence.test",
        "unknown reported number",
    ),
    (
        "cell_of_other_group",
        lambda b: b["prevalence"].update(test="response.tin.train"),
        "prevalence.test",
        "a cell of group 'train'",
    ),
    (
        "cell_of_other_level",
        lambda b: b["prevalence"].update(test="response.tie.test"),
        "prevalence.test",
        "not a cell of response.tin",
    ),
    (
        "effect_is_a_check",
        lambda b: b["effects"][0].update(or_key="t2_mv_nlr_z"),
        "effects[0].or_key",
        "has role 'check'",
    ),
    (
        "effect_wrong_quantity",
        lambda b: b["effects"][0].update(or_key="os_median_high_train"),
        "effects[0].or_key",
        "expected or or log_or",
    ),
    (
        "per_unit_on_categorical",
        lambda b: b["effects"][0].pop("level"),
        "effects[0].level",
        "needs a continuous variable",
    ),
    (
        "unknown_level",
        lambda b: b["effects"][0].update(level="gt5"),
        "effects[0].variable",
        "unknown level 'gt5'",
    ),
    (
        "positive_without_variable",
        lambda b: b.pop("variable"),
        "binary[0] (tin)",
        "give both variable and positive",
    ),
    (
        "outcome_as_covariate",
        lambda b: b["effects"].append(
            {"variable": "response", "level": "tin", "or_key": "t2_mv_nlr_beta", "why": "x"}
        ),
        "effects[9].variable",
        "its own covariate",
    ),
    ("typo_field", lambda b: b.update(prevalance={}), "binary.0.prevalance", "unknown field"),
]


@pytest.mark.parametrize("case", BINARY_CASES, ids=[c[0] for c in BINARY_CASES])
def test_malformed_binary_block_names_file_field_and_reason(tmp_path, case):
    _, fn, field, reason = case
    d = _mutate_binary(tmp_path, fn)
    with pytest.raises(DataFileError) as info:
        load_study("tu2025", data_dir=tmp_path)
    msg = str(info.value)
    assert str(d / "simulation.yaml") in msg
    assert field in msg, msg
    assert reason in msg, msg


def test_valid_copy_of_the_study_loads(tmp_path):
    _copy_study(tmp_path)
    assert load_study("tu2025", data_dir=tmp_path).simulation.binary[0].outcome == "tin"


def test_declared_binary_outcome_has_exact_counts_and_acts_through_the_odds_ratios(tu):
    from hccrep.simulate import simulate_baseline
    from hccrep.simulate.outcomes import binary_effects_for, simulate_declared_binary

    effects = {e.variable: e for e in binary_effects_for(tu, "tin")}
    # log OR -> OR: the printed coefficient of ΔT >= 0 is negative, so its OR is below 1
    assert effects["delta_t"].ratio == pytest.approx(
        math.exp(tu.number("t2_mv_delta_t_beta").value)
    )
    assert effects["delta_t"].ratio < 1 < effects["nlr"].ratio
    with pytest.raises(KeyError, match="no binary outcome"):
        binary_effects_for(tu, "death")
    rng = np.random.default_rng(5)
    c = simulate_declared_binary(tu, simulate_baseline(tu.baseline(), rng, tu.simulation), rng)
    for ck in COHORTS:
        assert c.loc[c.cohort == ck, "tin"].sum() == tu.number(f"response.tin.{ck}").value
    # pooled over cohorts, TIN is far more frequent when ΔT < 0 (OR exp(3.8) in the model)
    lt0 = c["delta_t"].astype(str) == "lt0"
    assert c.loc[lt0, "tin"].mean() > 2 * c.loc[~lt0, "tin"].mean()


def test_bisection_steps_must_be_positive():
    from hccrep.simulate import simulate_survival

    d = pd.DataFrame({"arm": ["a"] * 20})
    with pytest.raises(ValueError, match="bisection_steps"):
        simulate_survival(
            d,
            np.random.default_rng(0),
            group="arm",
            medians={"a": 5.0},
            follow_up=(1.0, 20.0),
            bisection_steps=0,
        )


# ----------------------------------------------------------------------------- audit extensions


def test_confusion_matrices_recover_a_hand_made_table():
    # TP 12, FN 3, TN 40, FP 10 (by hand): sensitivity 80.0, specificity 80.0, accuracy 80.0,
    # precision 12/22 = 54.55, F1 24/37 = 64.86
    printed = {
        "sensitivity": (80.0, 1),
        "specificity": (80.0, 1),
        "accuracy": (80.0, 1),
        "precision": (54.55, 2),
        "f1": (64.86, 2),
    }
    m = confusion_matrices(printed, n_max=200)
    assert m.iloc[0][["tp", "fn", "tn", "fp"]].tolist() == [12, 3, 40, 10]
    with pytest.raises(ValueError, match="sensitivity and specificity"):
        confusion_matrices({"accuracy": (80.0, 1)})
    with pytest.raises(ValueError, match="unknown metric"):
        confusion_matrices({"sensitivity": (80.0, 1), "specificity": (80.0, 1), "npv": (1.0, 0)})


def test_audit_finds_table3_metrics_come_from_fewer_patients_than_the_cohorts(tu):
    a = audit_study(tu)
    conf = a[a.check == "confusion"].set_index("key")
    assert (conf.status == "inconsistent").all()
    # by hand: training 33/40 = 82.50%, 88/103 = 85.44%, 121/143 = 84.62%, 33/48 = 68.75%, F1 66/88 = 75%
    assert "TP 33 FN 7 TN 88 FP 15 (n 143)" in conf.loc["table3.train", "detail"]
    assert (
        "(n 62)" in conf.loc["table3.test", "detail"]
        and "(n 101)" in conf.loc["table3.external", "detail"]
    )


def test_audit_flags_rates_that_are_no_count_of_327(tu):
    a = audit_study(tu).set_index("key")
    # 236/327 = 72.17%, 237/327 = 72.48%: no count prints as 72.4%; 227/327 = 69.42% does print as 69.4%
    assert a.loc["orr_mrecist", "status"] == "inconsistent"
    assert a.loc["orr_recist11", "status"] == "ok"
    assert a.loc["orr_irecist", "status"] == "inconsistent"


def test_audit_reads_the_or_column_as_wald_z_and_the_subgroup_medians_as_incompatible(tu):
    a = audit_study(tu)
    coef = a[a.check == "coefficient"].set_index("key")
    # 2 * (1 - Phi(2.616)) = 0.0089 prints as 0.009: the "OR" column is z
    assert "agrees with 0.009" in coef.loc["t2_mv_nlr_beta", "detail"]
    assert not (coef.status == "inconsistent").any()
    med = a[a.check == "median_partition"].set_index("key")
    assert (med.status == "note").all() and set(med.index) == {"os.high", "os.low"}


def test_audit_recomputes_table2_two_by_two_p_values_for_tie_vs_tin(tu):
    a = audit_study(tu).set_index("key")
    # ΔP: TIE 85/25, TIN 36/6; Fisher's exact p = 0.368 (scipy.stats.fisher_exact, independent of hccrep)
    from scipy.stats import fisher_exact

    p = fisher_exact([[85, 36], [25, 6]]).pvalue
    assert f"fisher {p:.4f}" in a.loc["t2_delta_p_p", "detail"]


# ----------------------------------------------------------------------------- notebook helpers


def test_simulate_response_is_the_start_of_simulate(tu_runner):
    a, b = tu_runner.simulate_response(4), tu_runner.simulate(4)
    pd.testing.assert_series_equal(a["tin"], b["tin"])
    pd.testing.assert_series_equal(a["alb"], b["alb"])


def test_stepwise_experiment_shape_and_validation(tu_runner):
    from hccrep.studies.tu2025 import CANDIDATES, stepwise_experiment

    ex = stepwise_experiment(tu_runner, 3, base_seed=1)
    assert len(ex) == 3 * len(CANDIDATES)
    assert ex.loc[~ex.selected, "coef"].isna().all() and ex.loc[ex.selected, "coef"].notna().all()
    with pytest.raises(ValueError, match="positive integer"):
        stepwise_experiment(tu_runner, 0, base_seed=1)


def test_anova_rounding_range_brackets_anova_on_data_with_the_printed_summaries(tu):
    # reference: scipy.stats.f_oneway on samples whose mean and SD are exactly the printed ones
    from scipy.stats import f_oneway

    from hccrep.audit import anova_rounding_range
    from hccrep.simulate import exact_mean_sd

    rng = np.random.default_rng(0)
    for key in ("age", "pt", "alt"):
        v = next(x for x in tu.baseline().variables if x.key == key)
        samples = []
        for g in tu.baseline().groups:
            s = parse_summary(v.cells[g.key], "mean_sd")
            samples.append(exact_mean_sd(g.n, s.centre, s.spread[0], rng, lower_bound=0))
        p = f_oneway(*samples).pvalue
        lo, hi = anova_rounding_range(v, tu.baseline())
        assert lo <= p <= hi, (key, lo, p, hi)


def test_forest_importance_has_both_measures_and_a_noise_column(tu_runner):
    from hccrep.stats.prediction import forest_importance
    from hccrep.studies.tu2025 import CANDIDATES

    c = tu_runner.simulate(1)
    d, g = design_matrix(c), c["cohort"].astype(str).to_numpy()
    x, y = d[list(CANDIDATES)], d["tin"]
    tr, te = g == "train", g == "test"
    imp = forest_importance(x[tr], y[tr], x[te], y[te], seed=1, n_estimators=20, n_repeats=2)
    assert set(imp.index) == set(CANDIDATES) | {"noise"}
    assert imp["impurity"].sum() == pytest.approx(1.0)
    assert {"permutation", "rank_impurity", "rank_permutation"} <= set(imp.columns)


def test_fit_names_an_unknown_model(tu_runner):
    with pytest.raises(ValueError, match="name must be one of"):
        tu_runner.fit(tu_runner.simulate_response(0), "clinical")


def test_declared_prediction_checks_equal_direct_calls_on_the_training_fit(tu_runner):
    """Tables 3 and 4 and the model claims are declarations; on one cohort they equal the models fitted
    by hand on the training cohort (statsmodels GLM, the reference logistic fit) and scored directly
    with scikit-learn's ROC AUC and Brier loss and the Youden rule written out here."""
    import statsmodels.api as sm
    from sklearn.metrics import brier_score_loss, roc_auc_score

    cohort = tu_runner.simulate(4)
    got = tu_runner.analyse(cohort)
    d = design_matrix(cohort)
    train = (cohort["cohort"].astype(str) == "train").to_numpy()

    def prob(terms):
        x = sm.add_constant(d[list(terms)])
        fit = sm.GLM(d.loc[train, "tin"], x[train], family=sm.families.Binomial()).fit(tol=1e-12)
        return fit.predict(x).to_numpy()

    combined = prob(["nlr_gt3", "delta_t_ge0", "alb", "diameter"])
    albi = prob(["albi"])
    # Youden cut-off on the training risks: the threshold maximising sensitivity + specificity
    y_tr, p_tr = d.loc[train, "tin"].to_numpy(), combined[train]
    cands = np.unique(p_tr)
    j = [
        ((p_tr >= c) & (y_tr == 1)).sum() / (y_tr == 1).sum()
        + ((p_tr < c) & (y_tr == 0)).sum() / (y_tr == 0).sum()
        for c in cands
    ]
    cut = cands[int(np.argmax(j))]
    for ck in COHORTS:
        m = (cohort["cohort"].astype(str) == ck).to_numpy()
        y = d.loc[m, "tin"].to_numpy()
        assert got[f"t4_auc_combined_{ck}"] == pytest.approx(roc_auc_score(y, combined[m]))
        assert got[f"t4_auc_albi_{ck}"] == pytest.approx(roc_auc_score(y, d.loc[m, "albi"]))
        assert got[f"t4_brier_albi_{ck}"] == pytest.approx(brier_score_loss(y, albi[m]), rel=1e-7)
        assert got[f"t4_brier_combined_{ck}"] == pytest.approx(
            brier_score_loss(y, combined[m]), rel=1e-7
        )
        pos = combined[m] >= cut
        sens = 100 * (pos & (y == 1)).sum() / (y == 1).sum()
        assert got[f"t3_sensitivity_{ck}"] == pytest.approx(sens)
        assert got[f"calibration_combined_best_{ck}"] in (0.0, 1.0)
        assert 0 <= got[f"delong_combined_best_p_{ck}"] <= 1

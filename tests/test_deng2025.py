"""deng2025: inputs reproduced exactly, every check computed, deterministic; references stated per test."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from hccrep.printed import equal_at_precision, parse_count_percent, parse_summary
from hccrep.replication import VERDICTS, runner_for, scorecard
from hccrep.audit import audit_study
from hccrep.spec import CategoricalVariable, DataFileError, load_file, load_study
from hccrep.survival_models import grouped_permutation_importance, longest_run
from hccrep.studies.deng2025 import MODEL_KEYS, make_runner, model_wins

SEEDS = [0, 1, 20250351]


@pytest.fixture(scope="module")
def study():
    return load_study("deng2025")


@pytest.fixture(scope="module")
def runner(study):
    return make_runner(study)


@pytest.fixture(scope="module")
def fast_runner(study):
    return make_runner(study, variants={"models": "fast"})


def _cells(v, g):
    return [
        parse_count_percent(c if isinstance(c, str) else c.printed).count
        for c in (v.cells[g][lv.key] for lv in v.levels)
    ]


# ----------------------------------------------------------------------------- data


def test_data_files_validate_with_the_roles_the_design_needs(study):
    assert set(study.files) == {
        "table1",
        "table1_p",
        "survival_text",
        "table2",
        "split",
        "table3",
        "text",
    }
    roles = {
        n.file_id: {m.role for m in study.numbers if m.file_id == n.file_id} for n in study.numbers
    }
    assert (
        roles["table1_p"] == {"check"}
        and roles["table3"] == {"check"}
        and roles["split"] == {"derived"}
    )
    # the cohort is built from inputs only: the simulation refers to input numbers
    sv = study.simulation.survival[0]
    assert all(study.number(k).role == "input" for k in sv.medians.values())
    assert all(study.number(e.hr_key).role == "input" for e in sv.effects)
    # two pairwise p-values per Table 1 row, each naming its contrast
    p = [n for n in study.numbers if n.file_id == "table1_p"]
    assert len(p) == 2 * len({n.about.variable for n in p})
    assert {n.about.contrast for n in p} == {"tace", "rt"}


def _write(tmp_path: Path, name: str, data: dict) -> Path:
    d = tmp_path / "demo"
    d.mkdir(exist_ok=True)
    p = d / f"{name}.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True))
    return p


def test_malformed_statement_value_is_refused_naming_file_and_field(tmp_path):
    data = {
        "study": "demo",
        "file_id": "text",
        "type": "results",
        "source": {"kind": "text", "label": "Results"},
        "numbers": [
            {
                "key": "claim_x",
                "quantity": "statement",
                "printed": "model A is best",
                "value": 2.0,
                "role": "check",
                "where": {"text": "Results"},
            }
        ],
    }
    with pytest.raises(DataFileError) as exc:
        load_file(_write(tmp_path, "text", data))
    msg = str(exc.value)
    assert "text.yaml" in msg and "numbers[0] (claim_x).value" in msg and "statement is 1" in msg
    data["numbers"][0]["value"] = 1.0
    assert load_file(_write(tmp_path, "text", data)).numbers[0].quantity == "statement"


def test_per_unit_effect_on_a_categorical_variable_is_refused(tmp_path, study):
    # copy deng2025's files, then give the sex variable a per-unit effect (no level)
    import shutil

    src = study.folder
    dst = tmp_path / "deng2025"
    shutil.copytree(src, dst)
    sim = yaml.safe_load((dst / "simulation.yaml").read_text())
    sim["survival"][0]["effects"].append(
        {"variable": "sex", "hr_key": "cox_uv_sex_hr", "why": "test"}
    )
    (dst / "simulation.yaml").write_text(yaml.safe_dump(sim, allow_unicode=True))
    with pytest.raises(DataFileError) as exc:
        load_study("deng2025", data_dir=tmp_path)
    msg = str(exc.value)
    assert "simulation.yaml" in msg and "effects[7].level" in msg and "per-unit effect" in msg


# ----------------------------------------------------------------------------- simulation


@pytest.mark.parametrize("seed", SEEDS)
def test_cohort_reproduces_every_input_exactly(runner, study, seed):
    from hccrep.stats import km_median

    c = runner.simulate(seed)
    base = study.baseline()
    arm = c["treatment"].astype(str)
    for g in base.groups:
        assert (arm == g.key).sum() == g.n
    for v in base.variables:
        for g in base.groups:
            part = c.loc[arm == g.key, v.key]
            if isinstance(v, CategoricalVariable):
                got = [int((part.astype(str) == lv.key).sum()) for lv in v.levels]
                assert got == _cells(v, g.key), (v.key, g.key)
            else:
                s = parse_summary(v.cells[g.key], "mean_sd")
                assert equal_at_precision(part.mean(), s.centre, s.decimals[0]), (v.key, g.key)
                assert equal_at_precision(part.std(ddof=1), s.spread[0], s.decimals[1]), (
                    v.key,
                    g.key,
                )
    # a laboratory value and its dichotomised row agree patient by patient
    for v in base.variables:
        if isinstance(v, CategoricalVariable) and v.cut_of is not None:
            low = c[v.key].astype(str) == v.levels[0].key
            assert ((c[v.cut_of.variable] < v.cut_of.cuts[0]) == low).all(), v.key
    # BCLC C wherever there is PVTT, nodal or distant spread (the rules of simulation.yaml)
    spread = (c.pvtt == "yes") | (c.lymph_node == "yes") | (c.metastasis == "yes")
    assert (c.loc[spread, "bclc"] == "C").all()
    # the KM median of every group equals the printed one
    for n in study.numbers:
        if n.file_id == "survival_text" and n.quantity == "median":
            m = arm == n.about.group
            med = km_median(c.loc[m, "os_time"], c.loc[m, "os_event"]).median
            assert equal_at_precision(med, n.value, n.decimals), (n.key, med)
    # the 6:4 split has the printed sizes
    tr, te = runner.split(c)
    assert (len(tr), len(te)) == (
        study.number("split_n_training").value,
        study.number("split_n_validation").value,
    )


def test_same_seed_gives_the_same_cohort_and_numbers(runner):
    a, b = runner.simulate(11), runner.simulate(11)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs == b.attrs
    assert runner.run(11) == runner.run(11)
    assert not runner.simulate(12).equals(a)


# ----------------------------------------------------------------------------- statistics against references


def test_table1_categorical_p_is_r_chisq_test_by_hand(runner, study):
    """Reference: Pearson's X^2 with Yates' correction for a 2 x 2 table written out by hand,
    X^2 = N (|ad - bc| - N/2)^2 / (r1 r2 c1 c2) (R chisq.test's default), and the uncorrected
    statistic (scipy chi2_contingency, correction=False) for the three-level size row."""
    c = runner.simulate(3)
    got = runner.analyse_declared(c, files=("table1_p",))
    base = {v.key: v for v in study.baseline().variables}
    for n in study.numbers:
        if n.file_id != "table1_p" or n.about.variable_kind != "categorical":
            continue
        v = base[n.about.variable]
        tab = np.array([_cells(v, "pt"), _cells(v, n.about.contrast)], dtype=float).T
        if tab.shape[0] == 2:
            (a, b), (cc, d) = tab
            N = tab.sum()
            x2 = (
                N
                * max(abs(a * d - b * cc) - N / 2, 0) ** 2
                / (tab.sum(1).prod() * tab.sum(0).prod())
            )
            ref = stats.chi2.sf(x2, 1)
        else:
            ref = stats.chi2_contingency(tab, correction=False)[1]
        assert got[n.key] == pytest.approx(ref, rel=1e-10), n.key


def test_yates_reproduces_all_categorical_printed_p_but_metastasis_tace(runner, study):
    got = runner.analyse_declared(runner.simulate(0), files=("table1_p",))
    from hccrep.printed import PValue

    misses = [
        n.key
        for n in study.numbers
        if n.file_id == "table1_p"
        and n.about.variable_kind == "categorical"
        and not PValue(n.value, n.bound, n.decimals).agrees(got[n.key])
    ]
    assert misses == ["t1p_metastasis_tace"]


def test_pairwise_logrank_matches_lifelines_on_the_two_groups(runner):
    """Reference: lifelines.statistics.logrank_test on the two groups only."""
    from lifelines.statistics import logrank_test

    c = runner.simulate(4)
    tab = runner.declared_table(c, files=("survival_text",))
    tab = tab[tab.kind == "logrank"]
    groups = {n.key: n.analysis.groups for n in runner.study.numbers if n.key in set(tab.key)}
    lr = tab.assign(contrast=[groups[k][1] for k in tab.key]).set_index("contrast")
    assert sorted(lr.index) == ["rt", "tace"]
    for g in ("tace", "rt"):
        a, b = c[c.treatment == "pt"], c[c.treatment == g]
        ref = logrank_test(a.os_time, b.os_time, a.os_event, b.os_event).p_value
        assert lr.loc[g, "p"] == pytest.approx(ref, rel=1e-8)


def test_univariable_cox_matches_lifelines_efron(runner):
    """Reference: lifelines CoxPHFitter (Efron ties) on a design built here, for a factor and a number."""
    from lifelines import CoxPHFitter

    c = runner.simulate(5)
    tab = runner.declared_table(c, files=("table2",)).set_index("key")
    tab = tab[tab.quantity == "hr"].rename(columns={"value": "hr"})
    d = pd.DataFrame(
        {
            "T": c.os_time,
            "E": c.os_event,
            "tace": (c.treatment == "tace").astype(float),
            "rt": (c.treatment == "rt").astype(float),
        }
    )
    f = CoxPHFitter().fit(d, "T", "E")
    assert tab.loc["cox_uv_treatment_tace_hr", "hr"] == pytest.approx(
        math.exp(f.params_["tace"]), rel=1e-5
    )
    assert tab.loc["cox_uv_treatment_rt_hr", "p"] == pytest.approx(
        f.summary.loc["rt", "p"], rel=1e-4
    )
    f2 = CoxPHFitter().fit(pd.DataFrame({"T": c.os_time, "E": c.os_event, "age": c.age}), "T", "E")
    assert tab.loc["cox_uv_age_hr", "upper"] == pytest.approx(
        f2.summary.loc["age", "exp(coef) upper 95%"], rel=1e-5
    )


def test_notebook_helpers_cover_every_table2_row(runner, study):
    c = runner.simulate(6)
    hr_keys = [n.key for n in study.numbers if n.file_id == "table2" and n.quantity == "hr"]
    cmp = runner.declared_table(c, files=("table2",))
    cmp = cmp[cmp.quantity == "hr"]
    assert cmp.key.tolist() == hr_keys
    assert set(cmp.loc[cmp.role == "input", "key"]) == {
        study.simulation.survival[0].effects[i].hr_key for i in range(7)
    }
    ph = runner.ph_table(c)
    assert len(ph) == len(hr_keys) and ph.p.between(0, 1).all()
    v = runner.under_variants(
        c,
        ("chisq", "chisq_yates", "fisher", "student", "welch", "mannwhitney"),
        files=("table1_p",),
    )
    assert len(v) == 30 and set(v.columns) >= {"chisq_yates", "mannwhitney", "agrees"}


# ----------------------------------------------------------------------------- checks


def test_every_check_is_computed_without_models(runner):
    out = runner.run(2)
    missing = [
        n.key for n in runner.checks if n.key not in out and n.key not in runner.not_checkable
    ]
    assert missing == []
    assert all(np.isfinite(v) for v in out.values())


def test_every_check_is_computed_with_fast_models(fast_runner):
    out = fast_runner.run(2)
    missing = [
        n.key
        for n in fast_runner.checks
        if n.key not in out and n.key not in fast_runner.not_checkable
    ]
    assert missing == []
    assert set(fast_runner.not_checkable) == {"claim_calibration_good"}
    claims = [n.key for n in fast_runner.checks if n.quantity == "statement" and n.key in out]
    assert claims and all(out[k] in (0.0, 1.0) for k in claims)
    assert all(0.5 < out[f"t3_{m}_c_index"] < 1 for m in MODEL_KEYS)


@pytest.mark.slow
def test_fast_models_are_deterministic(fast_runner):
    assert fast_runner.run(9) == fast_runner.run(9)


def test_variants_are_validated(study):
    with pytest.raises(ValueError, match="models"):
        make_runner(study, variants={"models": "slow"})
    with pytest.raises(ValueError, match="unknown key"):
        make_runner(study, variants={"modles": "fast"})


def test_scorecard_on_book_seed_judges_checks_only(runner):
    card = scorecard(runner, n_mc=4, progress=False, cache_dir="")
    assert set(card.verdict) <= set(VERDICTS)
    inputs = {n.key for n in runner.study.numbers if n.role == "input"}
    assert not inputs & set(card.key)
    # a categorical Table 1 p does not depend on the seed: its interval is a point
    t1 = card[
        (card.file_id == "table1_p")
        & card.key.isin(
            [n.key for n in runner.study.numbers if n.about.variable_kind == "categorical"]
        )
    ]
    assert np.allclose(t1.mc_low, t1.mc_high) and (t1.verdict == "reproduced").sum() == len(t1) - 1
    assert (card.loc[card.verdict == "not checkable", "reason"].str.len() > 10).all()


@pytest.mark.slow
def test_scorecard_with_models_on_book_seed(fast_runner):
    card = scorecard(fast_runner, n_mc=2, progress=False, cache_dir="")
    t3 = card[card.file_id == "table3"]
    assert len(t3) == 35 and (t3.verdict != "not checkable").all()


# ----------------------------------------------------------------------------- helpers and audit


def test_model_wins_counts_the_best_model_per_cohort(study):
    mc = pd.DataFrame({f"t3_{m}_brier_6m": [0.2, 0.2, 0.2] for m in MODEL_KEYS})
    mc["t3_cox_brier_6m"] = [0.1, 0.3, 0.1]  # lowest Brier wins twice
    w = model_wins(mc, study, metric="brier", horizon=6).set_index("model")
    assert (
        w.loc["cox", "wins"] == 2 and w.loc["rsf", "wins"] == 1
    )  # a tie in cohort 2 counts for all four
    with pytest.raises(ValueError, match="horizon"):
        model_wins(mc, study, metric="brier")
    with pytest.raises(ValueError, match="lacks columns"):
        model_wins(mc, study, metric="c_index")


def test_enforce_rules_refuses_a_group_without_partners(study):
    from hccrep.simulate.baseline import enforce_rules

    cat = lambda v, lv: pd.Categorical(v, categories=lv)  # noqa: E731
    # two stage-B patients with PVTT and no stage-C patient without PVTT to swap with
    d = pd.DataFrame(
        {
            "treatment": ["pt"] * 3,
            "bclc": cat(["B", "B", "C"], ["B", "C"]),
            "pvtt": cat(["yes", "yes", "yes"], ["no", "yes"]),
            "lymph_node": cat(["no"] * 3, ["no", "yes"]),
            "metastasis": cat(["no"] * 3, ["no", "yes"]),
        }
    )
    with pytest.raises(ValueError, match="partners"):
        enforce_rules(d, study.simulation, np.random.default_rng(0))


def test_model_wins_on_training_and_validation_diagnostics(study):
    mc = pd.DataFrame(
        {f"x_{m}_harrell_c_{ds}": [0.6] for m in MODEL_KEYS for ds in ("training", "validation")}
    )
    mc["x_rsf_harrell_c_training"] = [0.9]
    assert model_wins(mc, study, dataset="training").iloc[0]["model"] == "rsf"
    assert (model_wins(mc, study, dataset="validation")["wins"] == 1).all()
    with pytest.raises(ValueError, match="dataset"):
        model_wins(mc, study, metric="auc", horizon=6, dataset="training")


def test_longest_run_and_grouped_importance_validate():
    assert longest_run([]) == 0 and longest_run([True] * 4 + [False, True]) == 4
    with pytest.raises(ValueError, match="groups"):
        grouped_permutation_importance(
            None, pd.DataFrame({"a": [1.0]}), None, None, {"a": ["b"]}, [6], seed=1
        )


def test_audit_finds_the_misattributed_brier_scores_and_the_metastasis_p(study):
    """The chapter's text-versus-table findings, from the declared claims and the generic audit."""
    a = audit_study(study).set_index("key")
    for h in (6, 12, 24):
        k = f"rsf_brier_{h}m_text_vs_table"
        assert a.loc[k, "status"] == "inconsistent" and "survival_tree" in a.loc[k, "detail"]
    # 0.051 printed; by hand from Table 1 (P+T 36/89 vs TACE 42/154), Pearson 0.034, Yates 0.048
    assert a.loc["baseline_no_difference.t1p_metastasis_tace", "status"] == "inconsistent"
    p = a[a.check == "p_variants"].loc["t1p_metastasis_tace", "detail"]
    assert "chisq 0.0340" in p and "agrees: none" in p
    # the text's M1 range starts at 27.8 % (the RT group) but the TACE group has 27.3 %
    ranges = a.loc[a.check == "claim:range", "status"]
    assert ranges.loc["range_metastasis_yes"] == "inconsistent"
    assert (ranges.drop("range_metastasis_yes") == "ok").all()
    # deaths implied by the interval widths: around 200-240 of 351 (hand check for Child-Pugh:
    # SE = (ln 2.27 - ln 1.28) / 3.92 = 0.146, p = 94/351, D = 1 / (SE^2 p (1-p)) ~ 239)
    d = a.loc["events_child_pugh", "detail"]
    assert any(f"about {x} events" in d for x in (238, 239, 240))
    distinct = a[a.check == "claim:distinct"]
    assert set(distinct.index) == {"logrank_vs_wald_tace", "logrank_vs_wald_rt"}
    assert (distinct.status == "note").all()
    # the superlatives hold against Table 3
    assert (a.loc[a.check == "claim:extreme", "status"] == "ok").all()


def test_runner_for_registers_the_study():
    r = runner_for("deng2025")
    assert type(r).__name__ == "Deng2025Runner" and r.variants["models"] == "off"

"""Declared analyses: a paper none of the four, written as YAML alone, gets a verdict on every check.

The invented paper below (``lenvarx``: lenvatinib against sorafenib, 60 and 55
patients) has a baseline table with p-values under declared tests, KM medians
with confidence intervals, 12-month landmark rates, a log-rank p-value,
univariable and multivariable Cox hazard ratios, a logistic odds ratio and an
AUC. No Python is written for it: the generic runner simulates what
``simulation.yaml`` declares and the handlers of :mod:`hccrep.analyses`
compute every check.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hccrep.declared import parse_analysis
from hccrep.replication import DeclaredRunner, runner_for, scorecard
from hccrep.spec import DataFileError, load_study, resolve_study

STUDY = """\
key: lenvarx
type: study
citation: An invented study of lenvatinib against sorafenib (for hccrep's tests only).
files: [table1, survival, cox, response]
book_seed: 11
"""

TABLE1 = """\
study: lenvarx
file_id: table1
type: baseline
source: {kind: table, label: Table 1}
tests:
  categorical: {stated: chisq, evident: fisher, why: "invented: the exact test prints the small rows"}
  continuous: welch
groups:
  - {key: sor, label: Sorafenib, n: 60, printed: "Sorafenib (n = 60)"}
  - {key: len, label: Lenvatinib, n: 55, printed: "Lenvatinib (n = 55)"}
variables:
  - key: age
    label: Age (years)
    kind: continuous
    summary: mean_sd
    cells: {sor: "61.2±9.8", len: "63.0±10.4"}
    p: {printed: "0.34"}
  - key: sex
    label: Sex
    kind: categorical
    levels: [{key: female, label: Female}, {key: male, label: Male}]
    cells:
      sor: {female: "9 (15.0)", male: "51 (85.0)"}
      len: {female: "11 (20.0)", male: "44 (80.0)"}
    p: {printed: "0.63"}
  - key: bclc
    label: BCLC
    kind: categorical
    levels: [{key: B, label: B}, {key: C, label: C}]
    cells:
      sor: {B: "21 (35.0)", C: "39 (65.0)"}
      len: {B: "22 (40.0)", C: "33 (60.0)"}
    p: {printed: "0.70", variant: chisq_yates}
  - key: afp
    label: AFP (ng/mL)
    kind: continuous
    summary: median_iqr
    lower_bound: 0
    cells: {sor: "210 (35, 1,820)", len: "180 (28, 1,640)"}
    p: {printed: "0.52", variant: mannwhitney}
"""

SURVIVAL = """\
study: lenvarx
file_id: survival
type: results
source: {kind: figure, label: Figure 2}
numbers:
  - key: os_median_sor
    quantity: median
    printed: "10.1 (7.9-12.6) months"
    value: 10.1
    lower: 7.9
    upper: 12.6
    role: input
    where: {text: Figure 2A}
    analysis: {kind: km_median, endpoint: os, group: sor}
  - key: os_median_len
    quantity: median
    printed: "13.4 (10.2-17.0) months"
    value: 13.4
    lower: 10.2
    upper: 17.0
    role: input
    where: {text: Figure 2A}
    analysis: {kind: km_median, endpoint: os, group: len, variant: log-log}
  - key: os_rate_12m_len
    quantity: rate
    printed: "56.4%"
    value: 56.4
    unit: percent
    role: check
    where: {text: Results}
    analysis: {kind: km_landmark, endpoint: os, group: len, time: 12}
  - key: os_rate_12m_sor
    quantity: rate
    printed: "43.3% (30.8-55.1)"
    value: 43.3
    lower: 30.8
    upper: 55.1
    unit: percent
    role: check
    where: {text: Results}
    analysis: {kind: km_landmark, endpoint: os, group: sor, time: 12}
  - key: os_logrank_p
    quantity: p
    printed: "P = 0.041"
    value: 0.041
    role: check
    where: {text: Figure 2A}
    analysis: {kind: logrank, endpoint: os, groups: [sor, len]}
  - key: os_overall_median
    quantity: median
    printed: "11.6 months"
    value: 11.6
    role: check
    where: {text: Results}
    analysis: {kind: km_median, endpoint: os}
  - key: os_td_auc_12m_age
    quantity: auc
    printed: "0.54"
    value: 0.54
    role: check
    where: {text: Results}
    analysis: {kind: td_auc, endpoint: os, marker: age, time: 12}
"""

COX = """\
study: lenvarx
file_id: cox
type: results
source: {kind: table, label: Table 2}
numbers:
  - key: cox_uv_arm_hr
    quantity: hr
    printed: "0.68 (0.45-1.02)"
    value: 0.68
    lower: 0.45
    upper: 1.02
    role: check
    where: {row: "Lenvatinib vs sorafenib", column: Univariable}
    analysis: {kind: cox, endpoint: os, terms: [arm], term: arm, level: len}
  - key: cox_uv_arm_p
    quantity: p
    printed: "0.062"
    value: 0.062
    role: check
    where: {row: "Lenvatinib vs sorafenib", column: Univariable P}
    analysis: {kind: cox, endpoint: os, terms: [arm], term: arm, level: len}
  - key: cox_uv_bclc_hr
    quantity: hr
    printed: "1.71 (1.09-2.68)"
    value: 1.71
    lower: 1.09
    upper: 2.68
    role: check
    where: {row: "BCLC C vs B", column: Univariable}
    analysis: {kind: cox, endpoint: os, terms: [bclc], term: bclc, level: C, variant: breslow}
  - key: cox_mv_bclc_hr
    quantity: hr
    printed: "1.85 (1.17-2.92)"
    value: 1.85
    lower: 1.17
    upper: 2.92
    role: input
    where: {row: "BCLC C vs B", column: Multivariable}
    analysis: {kind: cox, endpoint: os, terms: [arm, bclc, age], term: bclc, level: C}
  - key: cox_mv_arm_hr
    quantity: hr
    printed: "0.64 (0.42-0.97)"
    value: 0.64
    lower: 0.42
    upper: 0.97
    role: check
    where: {row: "Lenvatinib vs sorafenib", column: Multivariable}
    analysis: {kind: cox, endpoint: os, terms: [arm, bclc, age], term: arm, level: len}
  - key: cox_uv_age_hr
    quantity: hr
    printed: "1.01 (0.99-1.03)"
    value: 1.01
    lower: 0.99
    upper: 1.03
    role: check
    where: {row: "Age, per year", column: Univariable}
    analysis: {kind: cox, endpoint: os, terms: [age], term: age}
  - key: c_index_mv
    quantity: c_index
    printed: "0.62"
    value: 0.62
    role: check
    where: {text: Results}
    analysis: {kind: c_index, endpoint: os, terms: [arm, bclc, age]}
"""

RESPONSE = """\
study: lenvarx
file_id: response
type: results
source: {kind: table, label: Table 3}
numbers:
  - key: resp_sor
    quantity: count
    printed: "8 (13.3)"
    value: 8
    role: input
    where: {row: Objective response, column: Sorafenib}
  - key: resp_len
    quantity: count
    printed: "17 (30.9)"
    value: 17
    role: input
    where: {row: Objective response, column: Lenvatinib}
  - key: resp_pct_len
    quantity: percent
    printed: "30.9%"
    value: 30.9
    role: check
    where: {row: Objective response, column: Lenvatinib}
    analysis: {kind: proportion, variable: response, group: len}
  - key: resp_p
    quantity: p
    printed: "0.027"
    value: 0.027
    role: check
    where: {row: Objective response, column: P}
    analysis: {kind: table1_test, variable: response, variant: chisq}
  - key: resp_or_bclc
    quantity: or
    printed: "0.52 (0.20-1.33)"
    value: 0.52
    lower: 0.20
    upper: 1.33
    role: check
    where: {row: "BCLC C vs B", column: OR}
    analysis: {kind: logistic, outcome: response, terms: [arm, bclc], term: bclc, level: C}
  - key: resp_or_afp_mv
    quantity: or
    printed: "0.9990 (0.9980-1.0000)"
    value: 0.999
    lower: 0.998
    upper: 1.0
    role: input
    where: {row: "AFP, per ng/mL", column: OR}
    analysis: {kind: logistic, outcome: response, terms: [arm, bclc, afp], term: afp}
  - key: resp_auc_afp
    quantity: auc
    printed: "0.61 (0.49-0.73)"
    value: 0.61
    lower: 0.49
    upper: 0.73
    role: check
    where: {text: Results}
    analysis: {kind: auc, outcome: response, marker: afp, direction: lower, variant: bootstrap, n_boot: 500}
  - key: resp_auc_model
    quantity: auc
    printed: "0.70"
    value: 0.70
    role: check
    where: {text: Results}
    analysis: {kind: auc, outcome: response, terms: [arm, bclc, afp]}
  - key: resp_logor_bclc
    quantity: log_or
    printed: "-0.65 (-1.61, 0.29)"
    value: -0.65
    lower: -1.61
    upper: 0.29
    role: check
    where: {row: "BCLC C vs B", column: beta}
    analysis: {kind: logistic, outcome: response, terms: [arm, bclc], term: bclc, level: C}
  - key: resp_z_bclc
    quantity: z
    printed: "-1.36"
    value: -1.36
    role: check
    where: {row: "BCLC C vs B", column: z}
    analysis: {kind: logistic, outcome: response, terms: [arm, bclc], term: bclc, level: C}
  - key: resp_brier_model
    quantity: brier
    printed: "0.19"
    value: 0.19
    role: check
    where: {text: Results}
    analysis: {kind: brier, outcome: response, terms: [arm, bclc, afp]}
  - key: resp_hl_p
    quantity: p
    printed: "0.45"
    value: 0.45
    role: check
    where: {text: Results}
    analysis: {kind: calibration, outcome: response, terms: [arm, bclc, afp], risk_groups: 8}
  - key: resp_cal_slope_len
    quantity: slope
    printed: "0.81"
    value: 0.81
    role: check
    where: {text: "Results, validation in the lenvatinib arm"}
    analysis: {kind: calibration, outcome: response, terms: [bclc, afp], fit_on: {arm: sor}, subset: {arm: len}}
  - key: resp_delong_p
    quantity: p
    printed: "P = 0.04"
    value: 0.04
    role: check
    where: {text: Results}
    analysis: {kind: delong, outcome: response, terms: [arm, bclc, afp], against: [{marker: afp, direction: lower}, {terms: [bclc]}]}
  - key: resp_nb_20
    quantity: net_benefit
    printed: "0.06"
    value: 0.06
    role: check
    where: {text: "Figure 4, threshold 20%"}
    analysis: {kind: net_benefit, outcome: response, terms: [arm, bclc, afp], threshold: 0.2}
  - key: resp_sens_len
    quantity: sensitivity
    printed: "70.6"
    value: 70.6
    role: check
    where: {text: "Table 4, lenvatinib arm"}
    analysis: {kind: classification, outcome: response, terms: [bclc, afp], fit_on: {arm: sor}, subset: {arm: len}}
  - key: resp_model_best
    quantity: statement
    printed: the model discriminated better than AFP or BCLC alone
    value: 1
    role: check
    where: {text: Discussion}
    analysis: {kind: best, outcome: response, terms: [arm, bclc, afp], against: [{marker: afp, direction: lower}, {marker: bclc}], metrics: [auc, net_benefit], thresholds: {start: 0.1, stop: 0.4, step: 0.05}}
"""

SIMULATION = """\
study: lenvarx
file_id: simulation
type: simulation
baseline: table1
group_variable: arm
correlations:
  - {a: afp, b: bclc, rho: 0.3, why: "invented: larger tumour burden, higher AFP"}
survival:
  - endpoint: os
    medians: {sor: os_median_sor, len: os_median_len}
    follow_up: [6, 36]
    effects:
      - {variable: bclc, level: C, hr_key: cox_mv_bclc_hr, why: "the adjusted HR of BCLC C"}
    why: exponential proportional hazards calibrated to the two medians
binary:
  - outcome: response
    prevalence: {sor: resp_sor, len: resp_len}
    effects:
      - {variable: afp, or_key: resp_or_afp_mv, why: "the adjusted OR of AFP"}
    why: latent logistic model with the printed counts per arm
"""


def write_paper(folder: Path, **replace: str) -> Path:
    """Write the invented paper's files into ``folder/lenvarx`` (``replace`` swaps whole files)."""
    files = {
        "study": STUDY,
        "table1": TABLE1,
        "survival": SURVIVAL,
        "cox": COX,
        "response": RESPONSE,
        "simulation": SIMULATION,
        **replace,
    }
    d = folder / "lenvarx"
    d.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (d / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def paper(tmp_path_factory) -> Path:
    return write_paper(tmp_path_factory.mktemp("papers"))


@pytest.fixture(scope="module")
def card(paper):
    return scorecard(runner_for(str(paper)), n_mc=20, progress=False, cache_dir="")


def test_invented_paper_gets_a_verdict_on_every_check(card):
    assert len(card) > 20
    assert (card["verdict"] != "not checkable").all(), card.loc[
        card["verdict"] == "not checkable", ["key", "reason"]
    ]
    assert card["replicated"].notna().all()
    # the interval of every check exists and contains the book-seed value's neighbourhood
    assert (card["mc_low"] <= card["mc_high"]).all()


def test_invented_paper_checks_cover_every_kind(paper):
    st = load_study(str(paper.name), data_dir=paper.parent)
    kinds = {n.analysis.kind for n in st.numbers if n.analysis is not None}
    assert kinds == {
        "table1_test",
        "km_median",
        "km_landmark",
        "logrank",
        "cox",
        "logistic",
        "auc",
        "c_index",
        "proportion",
        "td_auc",
        "brier",
        "calibration",
        "delong",
        "net_benefit",
        "classification",
        "best",
    }


def test_declared_runner_is_used_for_a_study_without_a_module(paper):
    assert type(runner_for(str(paper))) is DeclaredRunner


def test_inputs_are_never_judged_but_their_intervals_are(card):
    keys = set(card["key"])
    assert "os_median_sor" not in keys and "cox_mv_bclc_hr" not in keys
    assert {"os_median_sor.lower", "os_median_sor.upper", "os_median_len.lower"} <= keys


def test_simulated_cohort_has_every_declared_outcome(paper):
    cohort = runner_for(str(paper)).simulate(3)
    for col in ("os_time", "os_event", "response", "age", "afp", "sex", "bclc", "arm"):
        assert col in cohort.columns
    arm = cohort["arm"].astype(str)
    # the printed counts are inputs: reproduced exactly
    assert int(cohort.loc[arm == "len", "response"].sum()) == 17
    assert int(cohort.loc[arm == "sor", "response"].sum()) == 8
    assert (cohort["bclc"].astype(str)[arm == "sor"] == "C").sum() == 39


def test_handlers_equal_direct_library_calls(paper):
    """The handler values equal lifelines / scipy / statsmodels called directly on the same cohort."""
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from lifelines.statistics import logrank_test
    from scipy import stats
    import statsmodels.api as sm

    runner = runner_for(str(paper))
    cohort = runner.simulate(5)
    got = runner.analyse(cohort)
    arm = cohort["arm"].astype(str)
    t, e = cohort["os_time"], cohort["os_event"]
    # KM median of the whole cohort
    km = KaplanMeierFitter().fit(t, e)
    assert math.isclose(got["os_overall_median"], km.median_survival_time_, rel_tol=1e-9)
    # 12-month landmark in lenvatinib, percent
    kml = KaplanMeierFitter().fit(t[arm == "len"], e[arm == "len"])
    assert math.isclose(got["os_rate_12m_len"], 100 * float(kml.predict(12)), rel_tol=1e-9)
    # log-rank
    lr = logrank_test(t[arm == "sor"], t[arm == "len"], e[arm == "sor"], e[arm == "len"])
    assert math.isclose(got["os_logrank_p"], lr.p_value, rel_tol=1e-6)
    # multivariable Cox (Efron): lifelines
    d = pd.DataFrame(
        {
            "t": t,
            "e": e,
            "len": (arm == "len").astype(float),
            "C": (cohort["bclc"].astype(str) == "C").astype(float),
            "age": cohort["age"],
        }
    )
    cph = CoxPHFitter().fit(d, "t", "e")
    assert math.isclose(got["cox_mv_arm_hr"], float(np.exp(cph.params_["len"])), rel_tol=1e-5)
    # Welch t for age, Fisher for sex
    x = cohort["age"].to_numpy(float)
    assert math.isclose(
        got["age.p"],
        stats.ttest_ind(x[arm == "sor"], x[arm == "len"], equal_var=False).pvalue,
        rel_tol=1e-9,
    )
    sex = pd.crosstab(cohort["sex"].astype(str), arm).to_numpy()
    assert math.isclose(got["sex.p"], stats.fisher_exact(sex).pvalue, rel_tol=1e-9)
    # logistic OR of BCLC C adjusted for arm: statsmodels
    X = sm.add_constant(d[["len", "C"]])
    fit = sm.Logit(cohort["response"].to_numpy(float), X).fit(disp=0)
    assert math.isclose(got["resp_or_bclc"], float(np.exp(fit.params["C"])), rel_tol=1e-6)


def test_scorecard_judges_under_the_evident_variant_and_shows_the_stated_one(card):
    row = card.set_index("key").loc["sex.p"]
    assert row["variant"] == "fisher" and row["stated_variant"] == "chisq"
    assert np.isfinite(row["replicated_stated"]) and "stated chisq" in row["reason"]
    # a row-level variant beats the table's
    assert card.set_index("key").loc["bclc.p", "variant"] == "chisq_yates"


def test_cli_scorecard_accepts_a_folder_and_a_data_dir(paper, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from hccrep.cli import app

    cli = CliRunner()
    out = tmp_path / "card.csv"
    res = cli.invoke(app, ["scorecard", str(paper), "--mc", "5", "-q", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "not checkable: 0" in res.output
    res = cli.invoke(app, ["validate", "lenvarx", "--data-dir", str(paper.parent)])
    assert res.exit_code == 0 and "valid" in res.output
    monkeypatch.chdir(paper.parent)
    res = cli.invoke(app, ["simulate", "./lenvarx", "--seed", "1"])
    assert (
        res.exit_code == 0 and res.output.startswith("arm,") or "arm" in res.output.splitlines()[0]
    )
    monkeypatch.setenv("HCCREP_DATA_DIR", str(paper.parent))
    res = cli.invoke(app, ["studies"])
    assert res.output.split() == ["lenvarx"]


# ----------------------------------------------------------------------------- named errors at load


def _error(tmp_path, **replace) -> DataFileError:
    d = write_paper(tmp_path, **replace)
    with pytest.raises(DataFileError) as info:
        load_study("lenvarx", data_dir=d.parent)
    return info.value


@pytest.mark.parametrize(
    "old, new, field, words",
    [
        (
            "analysis: {kind: logrank, endpoint: os, groups: [sor, len]}",
            "analysis: {kind: logrank, endpoint: pfs, groups: [sor, len]}",
            "endpoint",
            "unknown endpoint 'pfs'",
        ),
        (
            "analysis: {kind: logrank, endpoint: os, groups: [sor, len]}",
            "analysis: {kind: logrank, endpoint: os, groups: [sor, lenv]}",
            "groups",
            "unknown level 'lenv'",
        ),
        (
            "analysis: {kind: logrank, endpoint: os, groups: [sor, len]}",
            "analysis: {kind: logrank, endpoint: os, grups: [sor, len]}",
            "grups",
            "unknown field",
        ),
        (
            "analysis: {kind: km_median, endpoint: os}",
            "analysis: {kind: km_mediam, endpoint: os}",
            "analysis",
            "km_mediam",
        ),
        (
            "analysis: {kind: km_median, endpoint: os}",
            "analysis: {kind: km_median, endpoint: os, variant: loglog}",
            "variant",
            "'loglog' is not a variant of km_median",
        ),
        (
            "analysis: {kind: km_landmark, endpoint: os, group: len, time: 12}",
            "analysis: {kind: cox, endpoint: os, terms: [arm], term: arm, level: len}",
            "analysis",
            "computes ['hr', 'p'], not a rate",
        ),
    ],
)
def test_bad_survival_analysis_is_a_named_error(tmp_path, old, new, field, words):
    assert old in SURVIVAL
    err = _error(tmp_path, survival=SURVIVAL.replace(old, new, 1))
    assert err.path.name == "survival.yaml"
    text = str(err)
    assert field in text and words in text, text


@pytest.mark.parametrize(
    "old, new, words",
    [
        (
            "terms: [arm], term: arm, level: len}\n  - key: cox_uv_arm_p",
            "terms: [arm], term: arm}\n  - key: cox_uv_arm_p",
            "name the level",
        ),
        (
            "terms: [age], term: age}",
            "terms: [age], term: age, level: old}",
            "continuous: a per-unit ratio has no level",
        ),
        (
            "terms: [bclc], term: bclc, level: C, variant: breslow}",
            "terms: [bclc], term: stage, level: C}",
            "not among the model's terms",
        ),
        (
            "terms: [arm, bclc, age], term: arm, level: len}",
            "terms: [arm, bclc, age], term: arm, level: len, reference: {arm: len}}",
            "is the reference",
        ),
        (
            "terms: [arm, bclc, age], term: arm, level: len}",
            "terms: [arm, bclc, ecog], term: arm, level: len}",
            "unknown column 'ecog'",
        ),
    ],
)
def test_bad_cox_declaration_is_a_named_error(tmp_path, old, new, words):
    assert old in COX
    text = str(_error(tmp_path, cox=COX.replace(old, new, 1)))
    assert "cox.yaml" in text and words in text, text


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "against: [{marker: afp, direction: lower}, {terms: [bclc]}]",
            "against: [{marker: afp, direction: lower}, {terms: [ecog]}]",
            "against[1].terms",
        ),
        (
            "fit_on: {arm: sor}, subset: {arm: len}}\n  - key: resp_delong_p",
            "fit_on: {arm: sorafenib}, subset: {arm: len}}\n  - key: resp_delong_p",
            "fit_on.arm",
        ),
        ("threshold: 0.2}", "threshold: 1.2}", "threshold"),
        (
            "metrics: [auc, net_benefit], thresholds",
            "metrics: [auc, net_benefit], thresholdz",
            "thresholdz",
        ),
        ("quantity: brier", "quantity: auc", "computes ['brier'], not a auc"),
    ],
)
def test_bad_prediction_declaration_is_a_named_error(tmp_path, old, new, words):
    assert old in RESPONSE
    text = str(_error(tmp_path, response=RESPONSE.replace(old, new, 1)))
    assert "response.yaml" in text and words in text, text


def test_baseline_test_that_does_not_fit_the_variable_is_a_named_error(tmp_path):
    text = str(
        _error(
            tmp_path,
            table1=TABLE1.replace(
                'p: {printed: "0.70", variant: chisq_yates}', 'p: {printed: "0.70", variant: welch}'
            ),
        )
    )
    assert (
        "table1.yaml" in text
        and "bclc" in text
        and "'welch' does not test a categorical variable" in text
    )
    text = str(
        _error(tmp_path, table1=TABLE1.replace("  continuous: welch", "  continuous: fisher"))
    )
    assert "tests.continuous.stated" in text


def test_evident_variant_needs_its_evidence(tmp_path):
    text = str(
        _error(
            tmp_path,
            table1=TABLE1.replace(', why: "invented: the exact test prints the small rows"', ""),
        )
    )
    assert "tests.categorical" in text and "needs `why`" in text


def test_correlations_that_cannot_hold_together_name_the_variables(tmp_path):
    table1 = TABLE1.replace(
        "  - key: afp",
        """  - key: alb
    label: Albumin
    kind: continuous
    summary: mean_sd
    cells: {sor: "38.1±4.2", len: "37.5±4.6"}
  - key: afp""",
    )
    sim = SIMULATION.replace(
        '  - {a: afp, b: bclc, rho: 0.3, why: "invented: larger tumour burden, higher AFP"}',
        """\
  - {a: afp, b: age, rho: 0.9, why: x}
  - {a: afp, b: alb, rho: 0.9, why: x}
  - {a: age, b: alb, rho: -0.9, why: x}""",
    )
    err = _error(tmp_path, table1=table1, simulation=sim)
    assert err.path.name == "simulation.yaml"
    assert "not positive definite" in str(err) and "afp, age, alb" in str(err)


def test_a_pair_declared_twice_is_a_named_error(tmp_path):
    sim = SIMULATION.replace(
        '  - {a: afp, b: bclc, rho: 0.3, why: "invented: larger tumour burden, higher AFP"}',
        "  - {a: afp, b: bclc, rho: 0.3, why: x}\n  - {a: bclc, b: afp, rho: 0.2, why: y}",
    )
    assert "declared twice" in str(_error(tmp_path, simulation=sim))


def test_two_baseline_tables_keep_their_keys_apart(tmp_path):
    matched = (
        TABLE1.replace("file_id: table1", "file_id: table1_matched")
        .replace("n: 60,", "n: 40,")
        .replace("(n = 60)", "(n = 40)")
    )
    matched = matched.replace(
        'sor: {female: "9 (15.0)", male: "51 (85.0)"}',
        'sor: {female: "6 (15.0)", male: "34 (85.0)"}',
    )
    matched = matched.replace(
        'sor: {B: "21 (35.0)", C: "39 (65.0)"}', 'sor: {B: "14 (35.0)", C: "26 (65.0)"}'
    )
    d = write_paper(
        tmp_path,
        table1_matched=matched,
        study=STUDY.replace("files: [table1,", "files: [table1, table1_matched,"),
    )
    st = load_study("lenvarx", data_dir=d.parent)
    keys = [n.key for n in st.numbers]
    assert len(keys) == len(set(keys))
    assert "sex.p" in keys and "table1_matched.sex.p" in keys
    card = scorecard(runner_for(st), n_mc=0, progress=False)
    row = card.set_index("key").loc["table1_matched.sex.p"]
    assert row["verdict"] == "not checkable" and "another set of patients" in row["reason"]


def test_a_results_key_that_repeats_a_baseline_key_is_a_named_error(tmp_path):
    survival = SURVIVAL.replace("key: os_overall_median", "key: sex.p".replace(".", "_"))
    write_paper(tmp_path, survival=survival)  # sex_p is a fine key
    survival = SURVIVAL.replace("  - key: os_overall_median", "  - key: n_sor")
    load_study("lenvarx", data_dir=write_paper(tmp_path / "b", survival=survival).parent)


def test_decimal_comma_is_a_named_error(tmp_path):
    cox = COX.replace('printed: "0.68 (0.45-1.02)"', 'printed: "0,68 (0,45-1,02)"')
    text = str(_error(tmp_path, cox=cox))
    assert "decimal comma" in text and "numbers[0]" in text


def test_thousands_separators_in_a_baseline_cell_are_read(paper):
    st = load_study("lenvarx", data_dir=paper.parent)
    assert st.number("afp.sor").value == 210 and "1,820" in st.number("afp.sor").printed
    cohort = runner_for(st).simulate(1)
    afp = cohort.loc[cohort["arm"].astype(str) == "sor", "afp"]
    assert afp.quantile(0.75) > 1000


def test_a_level_nobody_has_is_left_out_of_the_test(tmp_path):
    table1 = TABLE1.replace(
        """    levels: [{key: B, label: B}, {key: C, label: C}]
    cells:
      sor: {B: "21 (35.0)", C: "39 (65.0)"}
      len: {B: "22 (40.0)", C: "33 (60.0)"}""",
        """    levels: [{key: A, label: A}, {key: B, label: B}, {key: C, label: C}]
    cells:
      sor: {A: "0 (0)", B: "21 (35.0)", C: "39 (65.0)"}
      len: {A: "0 (0)", B: "22 (40.0)", C: "33 (60.0)"}""",
    )
    d = write_paper(tmp_path, table1=table1)
    runner = runner_for(str(d))
    got = runner.analyse(runner.simulate(2))
    from hccrep.stats import compare_counts

    # the reference: the 2x2 table of the printed counts (the simulated counts are exact)
    assert math.isclose(
        got["bclc.p"],
        compare_counts([[21, 22], [39, 33]], test="chisq_yates").pvalue,
        rel_tol=1e-12,
    )


def test_analysis_union_rejects_unknown_keys_and_kinds():
    with pytest.raises(Exception, match="grups"):
        parse_analysis({"kind": "logrank", "endpoint": "os", "grups": ["a", "b"]})
    with pytest.raises(Exception, match="exactly one of marker or terms"):
        parse_analysis({"kind": "auc", "outcome": "y"})


def test_resolve_study_by_relative_folder_and_by_key(paper, monkeypatch):
    monkeypatch.chdir(paper.parent.parent)
    st = resolve_study(f"{paper.parent.name}/lenvarx")
    assert st.key == "lenvarx" and st.folder == paper
    with pytest.raises(KeyError, match="not a study folder"):
        resolve_study("./nowhere")
    monkeypatch.setenv("HCCREP_DATA_DIR", str(paper.parent))
    assert resolve_study("lenvarx").folder == paper


# ----------------------------------------------------------------------------- engines and backends


def test_every_handler_gives_the_same_values_on_the_numpy_and_the_reference_engine(paper):
    """The numpy fast path (fastsurv, fastcox) against lifelines / statsmodels, through the handlers."""
    fast = runner_for(str(paper))
    ref = runner_for(str(paper), variants={"engine": "reference"})
    assert ref.view(fast.simulate(1)).engine == "reference"
    for seed in (1, 2, 3):
        cohort = fast.simulate(seed)
        a, b = fast.analyse(cohort), ref.analyse(cohort)
        assert a.keys() == b.keys()
        for key in a:
            assert a[key] == pytest.approx(b[key], rel=1e-5, abs=1e-9, nan_ok=True), key


@pytest.mark.slow
def test_monte_carlo_of_every_handler_is_identical_on_every_backend(paper):
    from hccrep.replication import monte_carlo

    runner = runner_for(str(paper))
    serial = monte_carlo(runner, 6, base_seed=5, progress=False, cache_dir="", backend="serial")
    joblib = monte_carlo(
        runner, 6, base_seed=5, progress=False, cache_dir="", backend="joblib", n_jobs=2
    )
    dask = monte_carlo(
        runner, 6, base_seed=5, progress=False, cache_dir="", backend="dask", n_jobs=2
    )
    pd.testing.assert_frame_equal(serial, joblib, check_exact=True)
    pd.testing.assert_frame_equal(serial, dask, check_exact=True)
    kinds = {
        n.analysis.kind
        for n in runner.study.numbers
        if n.analysis is not None and n.key in serial.columns
    }
    assert len(kinds) == 16


def test_a_baseline_table_after_matching_is_judged_on_the_matched_cohort(tmp_path):
    """A second Table 1 that declares how its patients were matched: its p-values and its group sizes
    are computed on the matched sub-cohort of each simulated cohort."""
    matched = (
        TABLE1.replace("file_id: table1", "file_id: table1_matched")
        .replace(
            '  - {key: sor, label: Sorafenib, n: 60, printed: "Sorafenib (n = 60)"}',
            '  - {key: sor, label: Sorafenib, n: 40, printed: "Sorafenib (n = 40)", role: check}',
        )
        .replace(
            '  - {key: len, label: Lenvatinib, n: 55, printed: "Lenvatinib (n = 55)"}',
            '  - {key: len, label: Lenvatinib, n: 40, printed: "Lenvatinib (n = 40)", role: check}',
        )
    )
    matched = matched.replace(
        'sor: {female: "9 (15.0)", male: "51 (85.0)"}',
        'sor: {female: "6 (15.0)", male: "34 (85.0)"}',
    )
    matched = matched.replace(
        'len: {female: "11 (20.0)", male: "44 (80.0)"}',
        'len: {female: "8 (20.0)", male: "32 (80.0)"}',
    )
    matched = matched.replace(
        'sor: {B: "21 (35.0)", C: "39 (65.0)"}', 'sor: {B: "14 (35.0)", C: "26 (65.0)"}'
    )
    matched = matched.replace(
        'len: {B: "22 (40.0)", C: "33 (60.0)"}', 'len: {B: "16 (40.0)", C: "24 (60.0)"}'
    )
    matched = matched.replace(
        "groups:\n",
        """population:
  treatment: arm
  treated: len
  covariates: [age, sex, bclc]
  ratio_key: psm_ratio
  caliper_key: psm_caliper
  caliper_scale: logit_sd
  why: invented, 1:1 within 0.2 SD of the logit
groups:
""",
    )
    cox = COX.replace(
        "numbers:\n",
        """numbers:
  - key: psm_ratio
    quantity: other
    printed: "1:1"
    value: 1
    role: input
    where: {text: Methods}
  - key: psm_caliper
    quantity: other
    printed: "0.2"
    value: 0.2
    role: input
    where: {text: Methods}
""",
    )
    d = write_paper(
        tmp_path,
        table1_matched=matched,
        cox=cox,
        study=STUDY.replace("files: [table1,", "files: [table1, table1_matched,"),
    )
    runner = runner_for(str(d))
    cohort = runner.simulate(4)
    got = runner.analyse(cohort)
    # the reference: MatchIt's nearest neighbour as hccrep.stats.matching implements it, called here directly
    from hccrep.stats import compare_counts, compare_samples, match_nearest

    x = cohort.assign(_t=(cohort["arm"].astype(str) == "len").astype(int))
    res = match_nearest(
        x, "_t", ["age", "sex", "bclc"], ratio=1, caliper=0.2, caliper_scale="logit_sd"
    )
    m = res.matched(x)
    arm = m["arm"].astype(str)
    assert got["table1_matched.n.len"] == res.n_treated_matched == (arm == "len").sum()
    assert got["table1_matched.n.sor"] == res.n_control_matched
    sex = pd.crosstab(m["sex"].astype(str), arm).to_numpy()
    assert got["table1_matched.sex.p"] == pytest.approx(
        compare_counts(sex, test="fisher").pvalue, rel=1e-12
    )
    age = m["age"].to_numpy(float)
    assert got["table1_matched.age.p"] == pytest.approx(
        compare_samples([age[arm == "sor"], age[arm == "len"]], test="welch").pvalue, rel=1e-12
    )
    card = scorecard(runner, n_mc=5, progress=False, cache_dir="").set_index("key")
    assert card.loc["table1_matched.sex.p", "verdict"] != "not checkable"
    assert card.loc["table1_matched.n.len", "verdict"] != "not checkable"


def test_the_skeleton_of_hccrep_new_validates_and_every_check_gets_a_verdict(tmp_path):
    from typer.testing import CliRunner

    from hccrep.cli import app

    cli = CliRunner()
    res = cli.invoke(
        app, ["new", "smith2024", "--data-dir", str(tmp_path), "--book-dir", str(tmp_path / "book")]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "book" / "smith2024" / "01_scorecard.md").is_file()
    res = cli.invoke(
        app, ["scorecard", "smith2024", "--data-dir", str(tmp_path), "--mc", "5", "-q"]
    )
    assert res.exit_code == 0, res.output
    assert "not checkable: 0" in res.output


def test_a_mean_sd_row_is_judged_against_the_rounding_of_its_printed_summaries(tmp_path):
    """Age is simulated with exactly the printed mean ± SD, so its Welch p is one point over all
    cohorts; a printed p that the rounding of 61.2±9.8 / 63.0±10.4 allows is plausible."""
    from scipy import stats

    # reference: Welch's p (scipy, from summaries) at the two corners of the rounding box where it is
    # smallest (means 0.1 further apart, SDs 0.05 smaller) and largest
    lo = stats.ttest_ind_from_stats(61.15, 9.75, 60, 63.05, 10.35, 55, equal_var=False).pvalue
    hi = stats.ttest_ind_from_stats(61.25, 9.85, 60, 62.95, 10.45, 55, equal_var=False).pvalue
    runner = runner_for(str(write_paper(tmp_path)))
    num = runner.study.number("age.p")
    assert runner.rounding_interval(num) == pytest.approx((lo, hi), rel=1e-6)
    assert runner.rounding_interval(runner.study.number("afp.p")) is None  # a rank test: no range
    assert runner.rounding_interval(runner.study.number("os_logrank_p")) is None
    inside = f"{0.5 * (lo + 0.34):.2f}"  # between the smallest p and the p at the printed values
    for printed, expect in ((inside, "plausible"), (f"{lo - 0.05:.2f}", "not reproduced")):
        folder = tmp_path / printed
        write_paper(
            folder, table1=TABLE1.replace('p: {printed: "0.34"}', f'p: {{printed: "{printed}"}}')
        )
        card = scorecard(runner_for(str(folder / "lenvarx")), n_mc=2, progress=False, cache_dir="")
        row = card.set_index("key").loc["age.p"]
        assert row["verdict"] == expect, (printed, row["reason"])
        assert row["mc_low"] == pytest.approx(row["mc_high"], rel=1e-9)  # one point
        if expect == "plausible":
            assert "rounding of the printed mean ± SD" in row["reason"]
            assert bool(row["informative"])  # judged on the rounding range, 0.31-0.37: narrow


# ----------------------------------------------------------------------------- shape_from


def _with_shape_from(extra: str = "", role: str = "input", key: str = "cox_mv_arm_hr") -> dict:
    """The invented paper with its OS shape fixed by the adjusted arm HR (made an input)."""
    cox = COX.replace(
        '    role: check\n    where: {row: "Lenvatinib vs sorafenib", column: Multivariable}',
        f'    role: {role}\n    where: {{row: "Lenvatinib vs sorafenib", column: Multivariable}}',
        1,
    )
    sim = SIMULATION.replace(
        "    why: exponential proportional hazards calibrated to the two medians",
        f"    shape_from: {key}\n{extra}    why: Weibull, shape from the adjusted arm HR",
        1,
    )
    return {"cox": cox, "simulation": sim}


def test_shape_from_gives_the_weibull_shape_of_the_medians_and_the_hr(tmp_path):
    # hand derivation: S_g(t) = exp(-(t/b_g)^k) has median b_g log(2)^(1/k), and the HR of len
    # against sor is (b_sor/b_len)^k = (m_sor/m_len)^k, so k = log(0.64) / log(10.1 / 13.4)
    d = write_paper(tmp_path, **_with_shape_from())
    st = load_study("lenvarx", data_dir=d.parent)
    (os_spec,) = st.simulation.survival
    assert os_spec.shape == pytest.approx(math.log(0.64) / math.log(10.1 / 13.4), rel=1e-12)
    assert 1.5 < os_spec.shape < 1.7


def test_simulated_weibull_arms_have_the_hazard_ratio_the_shape_implies():
    # independent reference: lifelines' Cox fit on a large uncensored cohort simulated with the
    # shape weibull_shape_from_hr returns must give back the HR it was derived from
    from lifelines import CoxPHFitter

    from hccrep.simulate.outcomes import simulate_survival, weibull_shape_from_hr

    k = weibull_shape_from_hr(0.5, 20.0, 12.0)
    d = pd.DataFrame({"arm": ["a"] * 3000 + ["b"] * 3000})
    out = simulate_survival(
        d,
        np.random.default_rng(3),
        group="arm",
        medians={"a": 12.0, "b": 20.0},
        follow_up=(1e6, 2e6),
        shape=k,
    )
    x = pd.DataFrame({"t": out["time"], "e": out["event"], "b": (out["arm"] == "b").astype(float)})
    hr = float(np.exp(CoxPHFitter().fit(x, "t", "e").params_["b"]))
    assert hr == pytest.approx(0.5, rel=0.06)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"role": "check"}, "a number the cohort is built from must be an input"),
        ({"key": "cox_mv_bclc_hr"}, "Cox hazard ratio of the group variable 'arm'"),
        ({"extra": "    shape: 1.5\n"}, "give shape or shape_from, not both"),
        ({"key": "os_median_len"}, "expected hr"),
    ],
)
def test_bad_shape_from_is_a_named_error(tmp_path, kwargs, words):
    text = str(_error(tmp_path, **_with_shape_from(**kwargs)))
    assert "simulation.yaml" in text and "shape_from" in text and words in text, text


def test_shape_from_an_hr_that_points_against_the_medians_is_a_named_error():
    from hccrep.simulate.outcomes import weibull_shape_from_hr

    with pytest.raises(ValueError, match="points the other way"):
        weibull_shape_from_hr(1.5, 20.0, 12.0)

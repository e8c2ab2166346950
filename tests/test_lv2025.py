"""lv2025 (review of HAIC predictors): data files, the simulated cohorts, the statistics and the scorecard.

References: R ``survival`` (survdiff, coxph score test) run live for the log-rank and trend tests;
lifelines for the numpy log-rank engine; scikit-survival's ``concordance_index_censored`` for Harrell's
C; values worked by hand in comments elsewhere.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from hccrep import scores
from hccrep.audit import audit_study, claim_findings
from hccrep.optimism import harrell_c
from hccrep.printed import counts_printing_as, round_half_up, smallest_denominator
from hccrep.replication import runner_for, scorecard, summarise
from hccrep.simulate.outcomes import piecewise_exponential_times
from hccrep.spec import DataFileError, load_file, load_study
from hccrep.stats import km_landmark, km_median, logrank
from hccrep.stats import fastsurv
from hccrep.stats.prediction import td_auc
from hccrep.studies import lv2025 as L

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._rhelpers import read_kv, require_r, run_r
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _rhelpers import read_kv, require_r, run_r

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def study():
    return load_study("lv2025")


@pytest.fixture(scope="module")
def runner(study):
    return runner_for(study)


@pytest.fixture(scope="module")
def cohorts(runner):
    return {s: runner.simulate(s) for s in SEEDS}


# ----------------------------------------------------------------------------- data files


def test_data_files_validate_and_follow_the_contract(study):
    t1 = [n for n in study.numbers if n.file_id == "table1"]
    assert t1 and all(None not in (n.about.marker, n.about.statistic, n.about.source) for n in t1)
    t2 = [n for n in study.numbers if n.file_id == "table2" and n.quantity in ("c_index", "auc")]
    assert t2 and all(None not in (n.about.model, n.about.cohort, n.about.source) for n in t2)
    assert {n.about.cohort for n in t2} <= {"training", "validation", "internal", "external"}
    keys = [n.key for n in study.numbers]
    assert len(keys) == len(set(keys))


def test_inputs_are_only_what_the_cohorts_are_built_from(study):
    inputs = {n.key for n in study.numbers if n.role == "input"}
    cp = {f"{s}_{x}" for s in L.CP_STRATA for x in ("median_os", "remission_pct")}
    ccps = {f"ccps_{ep}_{h}m_{g}" for ep in ("os", "pfs") for h in (12, 24) for g in L.CCPS_GROUPS}
    sizes = {n.key for n in study.numbers if n.role == "input" and n.about.statistic == "n"}
    assert inputs == cp | ccps | sizes
    assert all(n.file_id in ("table1", "table2") for n in study.numbers if n.key in sizes)


def _results_file(tmp_path: Path, printed: str, value: float) -> Path:
    d = tmp_path / "demo"
    d.mkdir(exist_ok=True)
    p = d / "t.yaml"
    p.write_text(
        yaml.safe_dump(
            {
                "study": "demo",
                "file_id": "t",
                "type": "results",
                "source": {"kind": "text", "label": "x"},
                "numbers": [
                    {
                        "key": "a",
                        "quantity": "cutoff",
                        "printed": printed,
                        "value": value,
                        "role": "check",
                        "where": {"text": "x"},
                    }
                ],
            },
            allow_unicode=True,
        )
    )
    return p


def test_spec_reads_negative_and_grouped_values_only_when_printed_so(tmp_path):
    # a negative cut-off must carry its minus sign in the printed string; a range dash is not a sign
    assert load_file(_results_file(tmp_path, "-0.227", -0.227)).numbers[0].value == -0.227
    with pytest.raises(DataFileError, match="does not appear"):
        load_file(_results_file(tmp_path, "0.227", -0.227))
    with pytest.raises(DataFileError, match="does not appear"):
        load_file(_results_file(tmp_path, "1.2-0.227", -0.227))
    # thousands separators
    assert load_file(_results_file(tmp_path, "1,082 patients", 1082)).numbers[0].value == 1082
    with pytest.raises(DataFileError, match="does not appear"):
        load_file(_results_file(tmp_path, "1,082 patients", 1083))


# ----------------------------------------------------------------------------- printed-rate arithmetic


def test_smallest_denominator_by_hand():
    # 50% needs 1/2; 33.3% needs 1/3; 13.8%: 4/29 = 13.793 -> 13.8, and no n < 29 has a k/n that prints so
    assert smallest_denominator(50.0, 0) == 2
    assert smallest_denominator(33.3, 1) == 3
    assert smallest_denominator(13.8, 1) == 29
    assert all(
        not any(round_half_up(100 * k / n, 1) == 13.8 for k in range(n + 1)) for n in range(1, 29)
    )
    assert counts_printing_as(30.5, 1, 59) == [18]  # 18/59 = 30.508
    with pytest.raises(ValueError, match="n must be a positive integer"):
        counts_printing_as(30.5, 1, 0)


def test_piecewise_exponential_times_hit_the_landmark_counts():
    t = piecewise_exponential_times(51, 0.907, 0.684, np.random.default_rng(5))
    # round(51 * 0.907) = round(46.26) = 46 beyond 12 months; round(51 * 0.684) = round(34.88) = 35 beyond 24
    assert int((t > 12).sum()) == 46 and int((t > 24).sum()) == 35
    with pytest.raises(ValueError, match="s24 <= s12"):
        piecewise_exponential_times(10, 0.5, 0.6, np.random.default_rng(0))


# ----------------------------------------------------------------------------- the simulated cohorts


@pytest.mark.parametrize("seed", SEEDS)
def test_child_pugh_inputs_are_exact(study, cohorts, seed):
    cp = cohorts[seed][cohorts[seed]["cohort"] == "child_pugh"]
    for s in L.CP_STRATA:
        d = cp[cp["stratum"] == s]
        med = study.number(f"{s}_median_os")
        assert (
            round_half_up(km_median(d["os_time"], d["os_event"]).median, med.decimals) == med.value
        )
        rem = study.number(f"{s}_remission_pct")
        assert round_half_up(100 * d["remission"].mean(), rem.decimals) == rem.value
    assert cp.groupby("stratum").size().to_dict() == L.child_pugh_sizes(study)


@pytest.mark.parametrize("seed", SEEDS)
def test_ccps_inputs_are_as_close_as_the_group_size_allows(study, cohorts, seed):
    cc = cohorts[seed][cohorts[seed]["cohort"] == "ccps"]
    assert len(cc) == study.number("t1_ccps_zeng2023_n").value
    for g in L.CCPS_GROUPS:
        d = cc[cc["ccps_group"] == g]
        n = len(d)
        for ep in ("os", "pfs"):
            surv = km_landmark(d[f"{ep}_time"], d[f"{ep}_event"], [12, 24]).survival
            for h, sv in zip((12, 24), surv):
                target = study.number(f"ccps_{ep}_{h}m_{g}").value / 100
                # no censoring before 24 months: KM = k/n with k the closest whole number (within half a patient)
                # (PFS is cut at death, which can move one patient; allow one step for PFS)
                tol = (0.5 if ep == "os" else 1.5) / n + 1e-12
                assert abs(sv - target) <= tol, (g, ep, h, sv, target)


@pytest.mark.parametrize("seed", SEEDS)
def test_calculator_gives_back_each_patients_child_pugh_stratum(cohorts, seed):
    cp = cohorts[seed][cohorts[seed]["cohort"] == "child_pugh"].reset_index(drop=True)
    out = scores.calculate_all(cp)
    assert (out["child_pugh_score"] == cp["cp_score"]).all()
    stratum = np.select(
        [out["child_pugh_score"] <= 6, out["child_pugh_score"] == 7], ["cp56", "cp7"], "cp89"
    )
    assert (stratum == cp["stratum"].to_numpy()).all()
    assert out.notna().all().all()


def test_same_seed_same_bytes_and_different_seed_differs(runner):
    def digest(df):
        return hashlib.sha256(
            pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes()
        ).hexdigest()

    a, b, c = runner.simulate(11), runner.simulate(11), runner.simulate(12)
    pd.testing.assert_frame_equal(a, b)
    assert digest(a) == digest(b) != digest(c)
    assert runner.run(11) == runner.run(11)


# ----------------------------------------------------------------------------- statistics


def _random_cohorts(n_cohorts: int, seed: int, ties: bool = True) -> list[pd.DataFrame]:
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n_cohorts:
        n = int(rng.integers(15, 90))
        g = rng.choice(3, n)
        t = rng.exponential(6.0 * (1 + g), n)
        if ties:
            t = np.round(t)  # rounding makes many ties
        e = rng.integers(0, 2, n)
        if e.sum() == 0 or len(set(g)) < 3:
            continue
        out.append(
            pd.DataFrame(
                {
                    "time": t,
                    "status": e,
                    "group": np.array(["low", "mid", "high"])[g],
                    "score": g + 1,
                }
            )
        )
    return out


def test_numpy_logrank_equals_lifelines_with_ties():
    for d in _random_cohorts(60, 3):
        ref = logrank(d["time"], d["status"], d["group"])
        res = fastsurv.logrank(d["time"], d["status"], d["group"])
        stat, df, p = res.statistic, res.df, res.pvalue
        assert df == ref.df
        assert stat == pytest.approx(ref.statistic, rel=1e-9)
        assert p == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)


@pytest.mark.r
def test_logrank_and_trend_match_R_survdiff_and_cox_score_test(tmp_path):
    require_r(("survival",))
    frames = [d.assign(cohort=f"tied{i}") for i, d in enumerate(_random_cohorts(25, 7))]
    frames += [
        d.assign(cohort=f"untied{i}") for i, d in enumerate(_random_cohorts(10, 8, ties=False))
    ]
    data = pd.concat(frames, ignore_index=True)
    data[["cohort", "time", "status", "group", "score"]].to_csv(tmp_path / "in.csv", index=False)
    run_r("lv2025_reference.R", tmp_path / "in.csv", tmp_path / "out.csv")
    ref = read_kv(tmp_path / "out.csv")
    for cid, d in data.groupby("cohort"):
        order = ["low", "mid", "high"]
        assert fastsurv.logrank(d["time"], d["status"], d["group"]).statistic == pytest.approx(
            ref[f"{cid}.logrank.chisq"], rel=1e-6
        )
        tr = fastsurv.logrank_trend(d["time"], d["status"], d["group"], order=order)
        assert tr.statistic == pytest.approx(ref[f"{cid}.trend.chisq"], rel=1e-6)
        if cid.startswith("untied"):
            # without tied event times it is also the score test of a Cox model (an independent route in R);
            # with ties the Cox score test lacks the hypergeometric (n - d) / (n - 1) factor and differs
            assert tr.statistic == pytest.approx(ref[f"{cid}.coxscore.chisq"], rel=1e-6)


def test_trend_test_validates_its_arguments():
    with pytest.raises(ValueError, match="order"):
        fastsurv.logrank_trend([1, 2], [1, 1], ["a", "b"], order=["a", "c"])
    with pytest.raises(ValueError, match="no events"):
        fastsurv.logrank_trend([1, 2], [0, 0], ["a", "b"])
    with pytest.raises(ValueError, match="weights"):
        fastsurv.logrank_trend([1, 2], [1, 1], ["a", "b"], weights=[1, 2, 3])


def test_harrell_c_equals_sksurv_concordance_index_censored():
    from sksurv.metrics import concordance_index_censored

    for d in _random_cohorts(20, 11):
        ref = concordance_index_censored(
            d["status"].astype(bool).to_numpy(),
            d["time"].to_numpy(float),
            d["score"].to_numpy(float),
        )[0]
        assert harrell_c(d["time"], d["status"], d["score"]) == pytest.approx(ref, abs=1e-12)


def test_auc_at_by_hand():
    # four patients, horizon 24: cases (event by 24) have markers 2 and 1, controls (alive beyond 24) 0 and 0.
    # Every case outranks every control: AUC = 1.  Swap one control's marker to 3: one of the two pairs
    # involving it is discordant for each case -> concordant pairs 2 of 4 -> AUC = 0.5
    assert td_auc([5, 10, 30, 40], [1, 1, 0, 0], [2, 1, 0, 0], 24) == pytest.approx(1.0)
    assert td_auc([5, 10, 30, 40], [1, 1, 0, 0], [2, 1, 3, 0], 24) == pytest.approx(0.5)


# ----------------------------------------------------------------------------- runner and scorecard


def test_every_check_is_computed_or_not_checkable_with_a_reason(runner):
    res = runner.run(runner.study.meta.book_seed)
    for num in runner.checks:
        if num.key in runner.not_checkable:
            assert len(runner.not_checkable[num.key]) > 20, num.key
        else:
            assert num.key in res and res[num.key] is not None and math.isfinite(res[num.key]), (
                num.key
            )
    computed = {n.key for n in runner.checks if n.key not in runner.not_checkable}
    assert computed == {
        "cp_strata_os_p",
        "ccps_os_p",
        "ccps_pfs_p",
        "ccps_c_index",
        "ccps_os_24m_auc",
    }


def test_not_checkable_reasons_name_the_source(study):
    nc = L.not_checkable_reasons(study)
    assert "[153]" not in nc  # sanity: keys are number keys
    assert "Xiao [110]" in nc["t1_nlr_xiao2023_cutoff"]
    assert "[151]" in nc["platelet_curative_hr.lower"]
    assert "audit" in nc["t3_yao_factors_n"]


def test_scorecard_runs_and_judges_only_computed_or_audited_checks(runner):
    card = scorecard(runner, n_mc=4, progress=False, cache_dir="")
    counts = summarise(card)
    # a result the review prints twice (about.same_as) is counted once
    repeats = card["repeat_of"] != ""
    assert repeats.any()
    assert counts.sum() == len(runner.checks) - repeats.sum()
    simulated = card[(card["verdict"] != "not checkable") & (card["judged_by"] == "simulation")]
    assert set(simulated["key"]) <= {
        "cp_strata_os_p",
        "ccps_os_p",
        "ccps_pfs_p",
        "ccps_c_index",
        "ccps_os_24m_auc",
    }
    # every other judged check is an internal-consistency verdict of a declared claim, and says so
    audited = card[card["judged_by"] == "audit"]
    assert audited["reason"].str.startswith("internal consistency").all()
    assert set(audited["key"].str.replace(r"\.(lower|upper)$", "", regex=True)) <= {
        n for ns in claim_findings(runner.study).query("judges")["numbers"] for n in ns
    }
    # fewer than half of the review's checks stay not checkable
    assert counts["not checkable"] < len(card) / 2
    missed = card[card["verdict"] == "not reproduced"]
    assert (missed["cause"] != "").all()


def test_runner_refuses_unknown_test_variant(study):
    with pytest.raises(ValueError, match="cp_test"):
        L.make_runner(study, variants={"cp_test": "wilcoxon"})


def test_audit_flags_the_reviews_inconsistencies(study):
    """The review's statements (data/lv2025/claims.yaml), each checked by a generic rule."""
    a = audit_study(study).set_index("key")
    assert a.loc["sis_cutoff_sign", "status"] == "inconsistent"
    # SII / SIRI = 609.9 / 713.05 = 0.855 (by hand): far from platelets / monocytes
    assert (
        a.loc["sii_siri_units", "status"] == "inconsistent"
        and "0.855" in a.loc["sii_siri_units", "detail"]
    )
    # the factor counts of Table 3 match the parameter lists of Table 2
    assert (a.loc[a.check == "claim:count_listed", "status"] == "ok").all()
    assert (a.check == "claim:count_listed").sum() == 6
    # 8/36 = 22.2% prints as 22% (by hand)
    assert (
        a.loc["ikeda_share_of_36", "status"] == "ok"
        and "8/36" in a.loc["ikeda_share_of_36", "detail"]
    )
    # the palliative platelet HR 0.81 (0.62-1.05) includes 1 but is read as a link
    assert a.loc["platelet_palliative_link.platelet_palliative_hr", "status"] == "inconsistent"
    # the text's 1/2/3-year AUCs of Liu et al. are not Table 2's training/validation AUCs: no finding
    assert not a.index.str.contains("liu_nomogram").any()
    # every study quoted twice is quoted alike
    assert (a.loc[a.check == "claim:same_number", "status"] == "ok").all()
    # optimism notes judge nothing
    f = claim_findings(study)
    assert not f.loc[f.key.str.startswith("optimism_"), "judges"].any()

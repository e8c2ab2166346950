"""Audit of reported statistics, against values derived by hand."""

from __future__ import annotations

import math

import pytest
import yaml

from hccrep.audit import audit_study
from hccrep.spec import load_study


@pytest.fixture(scope="module")
def findings():
    return audit_study("fonc2025").set_index(["check", "key"])


def test_fonc2025_bclc_p_is_the_uncorrected_chi_square(findings):
    # By hand: n(ad-bc)^2/(r1 r2 c1 c2) = 71 * (12*28 - 30*1)^2 / (13*58*42*29) = 7.239,
    # P(chi2_1 > 7.239) = 0.0071 -> prints as the reported 0.007. With Yates: 0.017.
    row = findings.loc[("p_variants", "bclc.p")]
    assert row.status == "ok"
    assert "chisq 0.0071" in row.detail and "agrees: chisq" in row.detail
    assert "chisq_yates 0.017" in row.detail


def test_fonc2025_gender_p_matches_fisher_not_chi_square(findings):
    # Expected female count in RT+IO+T: 12*29/71 = 4.9 < 5; Pearson p = 0.176 does not print as 0.209.
    row = findings.loc[("p_variants", "gender.p")]
    assert row.status == "note"
    assert "fisher" in row.detail.split("agrees:")[1]
    assert "chisq," not in row.detail.split("agrees:")[1] + ","


def test_fonc2025_table1_percentages_and_totals_are_consistent(findings):
    t1 = findings[
        (findings.source == "Table 1")
        & findings.index.get_level_values("check").isin(["percent", "sum"])
    ]
    assert (t1.status == "ok").all()


def test_fonc2025_discussion_lymphopenia_percent_is_flagged(findings):
    # Section 4 prints 18.6 % for 8 of 42 patients; 8/42 = 19.05 %, which prints as 19.0 (Table 4's value).
    bad = findings[(findings.status == "inconsistent") & (findings.source == "Section 4")]
    pct = bad[bad.index.get_level_values("check") == "percent"]
    assert len(pct) == 1 and "8/42 = 19.05%" in pct.detail.iloc[0]


def _demo(tmp_path, numbers):
    d = tmp_path / "demo"
    d.mkdir()
    (d / "study.yaml").write_text(
        yaml.safe_dump({"key": "demo", "type": "study", "citation": "x", "files": ["text"]})
    )
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
    return load_study("demo", data_dir=tmp_path)


def test_hr_ci_symmetric_on_log_scale_passes_and_asymmetric_fails(tmp_path):
    # 0.43 (0.21-0.88): (ln .21 + ln .88)/2 = -0.8445 vs ln .43 = -0.8440 -> consistent.
    # 0.50 (0.30-0.90): centre -0.6547 vs ln .5 = -0.6931, gap 0.038 > rounding tolerance 0.021.
    st = _demo(
        tmp_path,
        [
            {
                "key": "ok_hr",
                "quantity": "hr",
                "printed": "0.43 (0.21-0.88)",
                "value": 0.43,
                "lower": 0.21,
                "upper": 0.88,
                "role": "check",
                "where": {},
            },
            {
                "key": "bad_hr",
                "quantity": "hr",
                "printed": "0.50 (0.30-0.90)",
                "value": 0.5,
                "lower": 0.3,
                "upper": 0.9,
                "role": "check",
                "where": {},
            },
        ],
    )
    f = audit_study(st).set_index("key")
    assert f.loc["ok_hr", "status"] == "ok"
    assert f.loc["bad_hr", "status"] == "inconsistent"


def test_p_implied_by_ci_is_reported(tmp_path):
    # se = (ln .88 - ln .21)/(2*1.959964) = 0.3655; z = 0.8440/0.3655 = 2.309; p = 0.0209
    st = _demo(
        tmp_path,
        [
            {
                "key": "hr",
                "quantity": "hr",
                "printed": "0.43 (0.21-0.88)",
                "value": 0.43,
                "lower": 0.21,
                "upper": 0.88,
                "role": "check",
                "where": {},
                "about": {"p_key": "p"},
            },
            {
                "key": "p",
                "quantity": "p",
                "printed": "0.002",
                "value": 0.002,
                "role": "check",
                "where": {},
            },
        ],
    )
    row = audit_study(st).set_index("key").loc["hr"]
    assert "CI implies p = 0.02" in row.detail
    assert "not a Wald test" in row.detail
    se = (math.log(0.88) - math.log(0.21)) / (2 * 1.959964)
    assert 2 * (1 - 0.5 * (1 + math.erf(abs(math.log(0.43)) / se / math.sqrt(2)))) == pytest.approx(
        0.0209, abs=5e-4
    )


def test_percent_against_count_in_results(tmp_path):
    st = _demo(
        tmp_path,
        [
            {
                "key": "orr",
                "quantity": "percent",
                "printed": "69.0%",
                "value": 69.0,
                "role": "check",
                "where": {},
                "about": {"count": 20, "n": 29},
            },
            {
                "key": "orr_bad",
                "quantity": "percent",
                "printed": "59.0%",
                "value": 59.0,
                "role": "check",
                "where": {},
                "about": {"count": 20, "n": 29},
            },
        ],
    )
    f = audit_study(st).set_index("key")
    assert f.loc["orr", "status"] == "ok" and f.loc["orr_bad", "status"] == "inconsistent"


def test_fonc2025_table4_small_expected_counts_point_to_fisher(findings):
    # Nausea any grade: 4/42 vs 6/29. Expected count for 'yes' in RT+IO+T = 10*29/71 = 4.08 < 5.
    # Pearson p = 0.184 does not print as 0.298; Fisher's exact p = 0.298 does (R fisher.test gives 0.2979).
    row = findings.loc[("p_variants", "ae_nausea_any_p")]
    assert row.status == "note"
    assert "smallest expected count 4.1" in row.detail
    assert row.detail.endswith("agrees: fisher, auto_fisher")


def test_fonc2025_text_claim_all_p_above_0_2_is_false_for_fever(findings):
    # Section 3.3 says nausea, vomiting and fever all had p > 0.2; fever's p is 0.146 under Fisher, 0.092 Pearson.
    assert (
        findings.loc[("p_variants", "ae_nausea_vomiting_fever_any_p_text")].status == "inconsistent"
    )


def test_table5_univariable_p_outside_every_rounding_of_its_ci_is_flagged(findings):
    # PFS ECOG: HR 1.89 (0.97, 3.66) printed with p = 0.045. The CI contains 1 (up to rounding the
    # lower limit is at most 0.975 < 1), so any Wald p is above 0.05: the printed p is not Wald.
    assert "not a Wald test" in findings.loc[("ratio_ci", "cox_pfs_uv_ecog_hr")].detail
    # Multivariable PFS ECOG: 1.28 (0.62, 2.62), p = 0.505. se = (ln 2.62 - ln 0.62)/3.92 = 0.3677,
    # z = ln 1.28 / 0.3677 = 0.671, p = 0.502: within rounding, so no finding.
    assert "not a Wald test" not in findings.loc[("ratio_ci", "cox_pfs_mv_ecog_hr")].detail

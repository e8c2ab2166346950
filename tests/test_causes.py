"""Every 'not reproduced' gets a cause: each rule of hccrep.causes on hand-made rows, then the four studies."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from pydantic import ValidationError

from hccrep.about import About
from hccrep.causes import CAUSES, NO_RULE, CauseContext, cause_counts, cause_of, explain_misses
from hccrep.declared import Proportion, Table1Test, Variant
from hccrep.replication import runner_for
from hccrep.spec import Miss, ReportedNumber, load_study


def number(
    key="x.p", quantity="p", printed="0.209", value=0.209, decimals=3, **kw
) -> ReportedNumber:
    """A hand-made reported number (a check of a Table 1 by default)."""
    return ReportedNumber(
        "demo",
        kw.pop("file_id", "table1"),
        key,
        quantity,
        printed,
        value,
        "check",
        kw.pop("source", "Table 1"),
        kw.pop("row", "Sex"),
        kw.pop("column", "p"),
        decimals=decimals,
        **kw,
    )


def row(key="x.p", replicated=0.1764, low=0.1764, high=0.1764, **kw) -> dict:
    """A hand-made 'not reproduced' scorecard row."""
    return {
        "key": key,
        "verdict": "not reproduced",
        "replicated": replicated,
        "mc_low": low,
        "mc_high": high,
        "variant": kw.pop("variant", "chisq"),
        "stated_variant": kw.pop("stated_variant", ""),
        "replicated_stated": kw.pop("replicated_stated", float("nan")),
        **kw,
    }


def audit(*rows) -> pd.DataFrame:
    """A hand-made audit: (check, key, status, detail) per finding."""
    return pd.DataFrame(
        [
            {
                "check": c,
                "key": k,
                "source": "Table 1",
                "where": "",
                "printed": "",
                "status": s,
                "detail": d,
            }
            for c, k, s, d in rows
        ]
    )


@pytest.fixture(scope="module")
def fonc():
    return runner_for("fonc2025")


@pytest.fixture(scope="module")
def fonc_ctx(fonc):
    from hccrep.audit import audit_study

    return CauseContext(runner=fonc, audit=audit_study(fonc.study))


# --------------------------------------------------------------------------- test variant


def test_the_stated_variant_that_prints_as_the_paper_is_a_test_variant():
    cause, detail, source = cause_of(
        row(stated_variant="fisher", replicated_stated=0.2089), number(), CauseContext()
    )
    assert (cause, source) == ("test variant", "rule")
    assert "Fisher's exact test" in detail and "0.2089" in detail


def test_a_stated_variant_that_also_misses_decides_nothing():
    cause, _, source = cause_of(
        row(stated_variant="fisher", replicated_stated=0.3), number(), CauseContext()
    )
    assert (cause, source) == ("not modelled", "none")


def test_another_variant_recomputed_on_the_books_cohort(fonc, fonc_ctx):
    num = next(n for n in fonc.checks if n.key == "gender.p")
    on_seed = fonc.run(fonc.study.meta.book_seed)["gender.p"]
    cause, detail, source = cause_of(row("gender.p", on_seed, on_seed, on_seed), num, fonc_ctx)
    assert (cause, source) == ("test variant", "rule")
    assert "Fisher" in detail


def test_counts_fixed_in_every_cohort_and_a_variant_the_audit_finds_agreeing():
    found = audit(
        (
            "p_variants",
            "x.p",
            "note",
            "chisq 0.2332, chisq_yates 0.6438, fisher 0.5099, "
            "auto_fisher 0.5099; printed 0.51; agrees: fisher, auto_fisher",
        )
    )
    num = number(printed="0.51", value=0.51, decimals=2)
    cause, detail, _ = cause_of(
        row(replicated=0.2332, low=0.2332, high=0.2332), num, CauseContext(audit=found)
    )
    assert cause == "test variant" and "0.5099" in detail
    # a value the audit never computed is not the same table: no decision from the audit
    cause, _, _ = cause_of(row(replicated=0.3, low=0.3, high=0.3), num, CauseContext(audit=found))
    assert cause == "not modelled"


def test_the_printed_p_within_the_rounding_range_of_another_test():
    a = Table1Test(
        kind="table1_test",
        variable="alt",
        groups=["pt", "tace"],
        variant=Variant(stated="mannwhitney"),
    )
    num = number(printed="0.685", value=0.685, analysis=a)
    found = audit(
        (
            "p_variants",
            "x.p",
            "note",
            "student 0.7409 (within rounding [0.7336, 0.7482]); welch 0.6914 "
            "(within rounding [0.6830, 0.6998]); printed 0.685; agrees: none; within rounding: welch",
        )
    )
    cause, detail, _ = cause_of(
        row(replicated=0.01, low=0.001, high=0.18, variant="mannwhitney"),
        num,
        CauseContext(audit=found),
    )
    assert cause == "test variant" and "Welch" in detail and "0.6830 to 0.6998" in detail


# --------------------------------------------------------------------------- rounding of inputs


def test_a_p_fixed_by_rounded_means_and_sds_is_the_rounding_of_inputs():
    from hccrep.audit import audit_study

    tu = runner_for("tu2025")
    num = next(n for n in tu.checks if n.key == "age.p")
    ctx = CauseContext(
        study=tu.study, audit=audit_study(tu.study)
    )  # no runner: no variant is recomputed
    cause, detail, source = cause_of(
        row("age.p", 0.0706, 0.0706, 0.0706, variant="anova"), num, ctx
    )
    assert (cause, source) == ("rounding of inputs", "rule")
    assert "means and SDs" in detail and "p_variants" in detail
    # not a point: the rule does not decide
    cause, _, _ = cause_of(row("age.p", 0.0706, 0.02, 0.3, variant="anova"), num, ctx)
    assert cause != "rounding of inputs"


def test_rounding_is_not_claimed_when_the_audit_finds_the_numbers_inconsistent():
    from hccrep.audit import audit_study

    tu = load_study("tu2025")
    num = next(n for n in tu.numbers if n.key == "age.p")
    found = pd.concat(
        [audit_study(tu), audit(("p_variants", "age.p", "inconsistent", "no variant"))]
    )
    found = found[~((found.key == "age.p") & (found.status != "inconsistent"))]
    cause, _, _ = cause_of(
        row("age.p", 0.0706, 0.0706, 0.0706, variant="anova"),
        num,
        CauseContext(study=tu, audit=found),
    )
    assert cause == "inconsistency in the paper"


# --------------------------------------------------------------------------- inconsistency in the paper


def test_an_inconsistent_audit_finding_of_the_number_or_its_model_term(fonc, fonc_ctx):
    found = audit(("ratio_ci", "cox_pfs_uv_age_hr", "inconsistent", "the interval is not centred"))
    num = next(n for n in fonc.checks if n.key == "cox_pfs_uv_age_p")
    ctx = CauseContext(study=fonc.study, audit=found)
    cause, detail, _ = cause_of(row("cox_pfs_uv_age_p", 0.8, 0.1, 0.9, variant="efron"), num, ctx)
    assert cause == "inconsistency in the paper" and "same model term" in detail


def test_exact_counts_that_no_test_turns_into_the_printed_p():
    deng = runner_for("deng2025")
    num = next(n for n in deng.checks if n.key == "t1p_metastasis_tace")
    value = deng.run(deng.study.meta.book_seed)[num.key]
    r = row(num.key, value, value, value, variant="chisq_yates")
    # without the declared claims: the printed counts fix the p and no test gives 0.051
    bare = dataclasses.replace(deng.study, claims=None)
    cause, detail, _ = cause_of(r, num, CauseContext(study=bare, runner=deng, audit=audit()))
    assert cause == "inconsistency in the paper" and "counts fix" in detail
    # with them: the text's "no difference" is contradicted by the same counts (p < 0.05 under
    # every variant), and the claim's finding names the number it judges
    cause, detail, _ = cause_of(r, num, CauseContext(runner=deng, audit=audit()))
    assert cause == "inconsistency in the paper" and "baseline_no_difference" in detail
    assert "same model term" not in detail


# --------------------------------------------------------------------------- small subgroup


def test_a_subgroup_whose_printed_arm_sizes_are_small():
    num = number(
        "sg_hr", "hr", "HR=0.32", 0.32, 2, about=About(n_by_group={"a": 21, "b": 15}), column=None
    )
    cause, detail, _ = cause_of(row("sg_hr", 0.6, 0.4, 1.2), num, CauseContext())
    assert cause == "small subgroup" and "15" in detail


def test_a_subgroup_counted_on_the_books_cohort():
    cohort = pd.DataFrame(
        {
            "group": ["a"] * 30 + ["b"] * 30,
            "site": ["s1"] * 10 + ["s2"] * 20 + ["s1"] * 30,
            "x": ["y"] * 60,
        }
    )
    a = Proportion(kind="proportion", variable="x", level="y", group="a", subset={"site": "s1"})
    num = number("p_a", "percent", "50%", 50.0, 0, analysis=a)
    ctx = CauseContext(_cohort=cohort)
    cause, detail, _ = cause_of(row("p_a", 100.0, 100.0, 100.0), num, ctx)
    assert cause == "small subgroup" and "10" in detail
    big = Proportion(kind="proportion", variable="x", level="y", group="b", subset={"site": "s1"})
    cause, _, _ = cause_of(
        row("p_b", 100.0, 100.0, 100.0), number("p_b", "percent", "50%", 50.0, 0, analysis=big), ctx
    )
    assert cause != "small subgroup"


# --------------------------------------------------------------------------- simulation assumption


def test_an_interaction_p_is_a_simulation_assumption():
    num = number("pint", "p_interaction", "p=0.013", 0.013, 3, column=None)
    cause, detail, _ = cause_of(row("pint", 0.8, 0.03, 0.96), num, CauseContext())
    assert cause == "simulation assumption" and "interaction" in detail


def test_a_subgroup_ratio_is_a_simulation_assumption():
    num = number(
        "sg",
        "hr",
        "HR=0.33",
        0.33,
        2,
        about=About(subgroup_variable="bclc", n_by_group={"a": 30, "b": 28}),
    )
    cause, _, _ = cause_of(row("sg", 0.6, 0.35, 0.8), num, CauseContext())
    assert cause == "simulation assumption"


def test_a_covariate_without_effect_whose_printed_ratio_is_far_from_one(fonc, fonc_ctx):
    for key in ("cox_pfs_uv_age_hr", "cox_pfs_uv_age_hr.lower", "cox_pfs_uv_age_p"):
        num = next(n for n in fonc.checks if n.key == key)
        cause, detail, _ = cause_of(
            row(key, 0.94, 0.78, 1.6, variant="efron"),
            num,
            CauseContext(study=fonc.study, audit=audit()),
        )
        assert cause == "simulation assumption" and "no effect" in detail, key
    # ECOG has an effect on PFS in the model: the rule does not decide
    num = next(n for n in fonc.checks if n.key == "cox_pfs_uv_ecog_hr")
    cause, _, _ = cause_of(
        row("cox_pfs_uv_ecog_hr", 2.5, 2.0, 3.0, variant="efron"),
        num,
        CauseContext(study=fonc.study, audit=audit()),
    )
    assert cause != "simulation assumption"


def test_landmark_rates_medians_limits_and_treatment_ratios_depend_on_the_survival_model(fonc):
    ctx = CauseContext(study=fonc.study, audit=audit())
    checks = {n.key: n for n in fonc.checks}
    cases = {
        "os_rate_24m_io_t": "shape",
        "os_median_rt_io_t.upper": "no event counts",
        "cox_os_uv_group_hr": "ratio of the medians",
    }
    for key, words in cases.items():
        cause, detail, _ = cause_of(row(key, 1.0, 2.0, 3.0, variant="log"), checks[key], ctx)
        assert cause == "simulation assumption" and words in detail, key


# --------------------------------------------------------------------------- the data, and nothing


def test_the_data_files_miss_when_no_rule_decides():
    num = number(miss=Miss(cause="small subgroup", why="Only a handful of patients."))
    assert cause_of(row(replicated=0.3, low=0.1, high=0.2), num, CauseContext()) == (
        "small subgroup",
        "Only a handful of patients.",
        "data",
    )
    # a rule goes first
    cause, _, source = cause_of(
        row(stated_variant="fisher", replicated_stated=0.2089), num, CauseContext()
    )
    assert (cause, source) == ("test variant", "rule")


def test_a_miss_may_explain_only_the_limits_of_an_interval():
    miss = Miss(cause="test variant", why="Bootstrap limits.", part="limits")
    point = number("auc", "auc", "0.94 (0.88, 0.96)", 0.94, 2, miss=miss)
    limit = number("auc.upper", "auc", "0.94 (0.88, 0.96)", 0.96, 2, miss=miss)
    assert cause_of(row("auc.upper", 1.0, 0.97, 1.0), limit, CauseContext())[0] == "test variant"
    assert cause_of(row("auc", 0.5, 0.6, 0.7), point, CauseContext())[1] == NO_RULE


def test_nothing_explains_it():
    assert cause_of(row(replicated=0.3, low=0.1, high=0.2), number(), CauseContext()) == (
        "not modelled",
        NO_RULE,
        "none",
    )


def test_a_miss_names_one_of_the_six_causes():
    assert Miss(cause="not modelled", why="x").part == "both"
    with pytest.raises(ValidationError):
        Miss(cause="bad luck", why="x")
    with pytest.raises(ValidationError):
        Miss(cause="not modelled", why="")


def test_explain_misses_explains_only_the_misses_and_counts_them():
    card = pd.DataFrame([row(), {**row("y.p"), "verdict": "plausible"}])
    out = explain_misses(card, numbers={"x.p": number(), "y.p": number("y.p")}, audit=audit())
    assert out.loc[0, "cause"] == "not modelled" and out.loc[1, "cause"] == ""
    counts = cause_counts(pd.concat([card, out], axis=1))
    assert list(counts.index) == list(CAUSES) and int(counts.loc["not modelled", "none"]) == 1


# --------------------------------------------------------------------------- the four studies


@pytest.mark.slow
@pytest.mark.parametrize("study", ["fonc2025", "tu2025", "deng2025", "lv2025"])
def test_every_miss_of_the_books_studies_has_a_cause(study):
    from hccrep.replication import scorecard

    card = scorecard(runner_for(study), n_mc=40, progress=False, cache_dir="")
    # a simulation's miss and an audit's "inconsistent" both get a cause and a one-line detail
    explained = card.verdict.isin(["not reproduced", "inconsistent"])
    missed = card[explained]
    assert missed.cause.isin(CAUSES).all(), missed.loc[~missed.cause.isin(CAUSES), "key"].tolist()
    assert (missed.cause_detail.str.len() > 0).all()
    assert (~missed.cause_detail.str.contains("\n")).all()
    assert (card.loc[~explained, "cause"] == "").all()
    audited = card[card.verdict == "inconsistent"]
    assert (audited.judged_by == "audit").all()
    assert (audited.cause == "inconsistency in the paper").all()
    assert set(missed.cause_source) <= {"rule", "data", "none"}

"""hccrep.studies.fonc2025_rt: radiotherapy doses (Table 2) and count comparisons (Tables 3 and 4).

Generic helpers are tested on made-up numbers; the study-level helpers against
the data files and the runner (no reported number is typed here).
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import hccrep.studies.fonc2025_rt as rtmod
from hccrep.printed import PValue, equal_at_precision
from hccrep.radiotherapy import bed
from hccrep.stats import compare_counts


def test_doctests():
    res = doctest.testmod(rtmod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0


# ----------------------------------------------------------------------------- generic helpers


def test_bed_table_matches_the_lq_formula():
    t = rtmod.bed_table([30, 40, 24], [10, 20, 3], 10)
    d = np.array([3.0, 2.0, 8.0])
    assert np.allclose(t.d, d)
    assert np.allclose(t.bed, t.dose * (1 + d / 10))
    assert np.allclose(t.eqd2, t.bed / 1.2)
    assert t.fractions.dtype.kind == "i"


def test_pairs_for_bed_respects_printed_precision():
    # 40 Gy in 20 fractions: BED10 = 48 exactly; 39 Gy in 19 gives 47.005... (prints 47.0, not 48.0)
    got = rtmod.pairs_for_bed(48, 1, range(30, 50), range(5, 31), 10)
    assert {(int(a), int(b)) for a, b in zip(got.dose, got.fractions)} >= {(40, 20)}
    assert all(equal_at_precision(x, 48, 1) for x in got.bed)
    coarse = rtmod.pairs_for_bed(48, 0, range(30, 50), range(5, 31), 10)
    assert len(coarse) >= len(got)  # fewer printed decimals admit more plans
    assert rtmod.pairs_for_bed(1000, 1, [30], [10], 10).empty


def test_denominators_for_percent():
    assert rtmod.denominators_for_percent(1, 25, 0, range(1, 10)) == [4]
    assert rtmod.denominators_for_percent(2, 33.3, 1, [5, 6, 7]) == [6]
    assert rtmod.denominators_for_percent(5, 50.0, 1, [0, 10]) == [10]
    assert rtmod.denominators_for_percent(5, 12.3, 1, range(1, 30)) == []


# ----------------------------------------------------------------------------- radiotherapy of fonc2025


def test_regimens_read_from_the_methods_file(study):
    reg = rtmod.regimens(study)
    nums = {
        n.key: n.value
        for n in study.numbers
        if n.file_id == "methods" and n.about.technique is not None
    }
    assert len(nums) == reg.size
    for n in study.numbers:
        if n.key in nums:
            col = f"{'dose' if n.quantity == 'dose' else 'fractions'}_{n.about.statistic}"
            assert reg.loc[n.about.technique, col] == n.value
    assert (reg.dose_min <= reg.dose_max).all() and (reg.fractions_min <= reg.fractions_max).all()


def test_regimen_bed_corners_and_extremes_agree(study):
    rb = rtmod.regimen_bed(study)
    ext = rtmod.bed_extremes(study)
    ab = rtmod.alpha_beta(study)
    assert np.allclose(rb.bed, bed(rb.dose.to_numpy(), rb.fractions.to_numpy(), ab))
    for tech in rtmod.regimens(study).index:
        part = rb[rb.regimen == tech.upper()]
        assert np.isclose(part.bed.min(), ext.loc[tech.upper(), "bed_min"])
        assert np.isclose(part.bed.max(), ext.loc[tech.upper(), "bed_max"])
    med = rb[rb.regimen == "Table 2 medians"].iloc[0]
    assert med.dose == study.number(rtmod.DOSE_KEY).value
    assert med.fractions == study.number(rtmod.FRACTIONS_KEY).value
    # the audit finding: the reported minimum lies below anything the stated regimens give
    assert not ext.loc["either regimen", "min_reachable"]
    assert ext.loc["either regimen", "max_reachable"]


def test_bed_over_a_regimen_is_extreme_at_its_corners(study):
    ab = rtmod.alpha_beta(study)
    for _, r in rtmod.regimens(study).iterrows():
        dd, nn = np.meshgrid(
            np.linspace(r.dose_min, r.dose_max, 25), np.arange(r.fractions_min, r.fractions_max + 1)
        )
        b = bed(dd, nn, ab)
        assert np.isclose(b.min(), bed(r.dose_min, r.fractions_max, ab))
        assert np.isclose(b.max(), bed(r.dose_max, r.fractions_min, ab))


def test_bed_target_pairs_print_as_reported(study):
    t = rtmod.bed_target_pairs(study, 1.0)
    b = study.number(rtmod.BED_KEY)
    assert set(t.target) == {"median", "minimum", "maximum"}
    for target, value in (("median", b.value), ("minimum", b.lower), ("maximum", b.upper)):
        part = t[t.target == target]
        assert not part.empty
        dec = len(part.printed_as.iloc[0].split(".")[1]) if "." in part.printed_as.iloc[0] else 0
        assert all(equal_at_precision(x, value, dec) for x in part.bed)
    assert (t[t.target == "minimum"].regimen == "none").all()
    assert (t[t.target == "maximum"].regimen != "none").all()
    d, f = study.number(rtmod.DOSE_KEY), study.number(rtmod.FRACTIONS_KEY)
    assert t.dose.between(d.lower, d.upper).all() and t.fractions.between(f.lower, f.upper).all()
    with pytest.raises(ValueError, match="dose_step"):
        rtmod.bed_target_pairs(study, 0)


def test_median_bed_gap_is_seeded_and_consistent(study):
    a = rtmod.median_bed_gap(study, 30, 5, 1.0)
    b = rtmod.median_bed_gap(study, 30, 5, 1.0)
    pd.testing.assert_frame_equal(a, b)
    ab = rtmod.alpha_beta(study)
    assert np.allclose(
        a.bed_of_medians, a.median_dose * (1 + a.median_dose / (a.median_fractions * ab))
    )
    assert np.allclose(a.gap, a.median_bed - a.bed_of_medians)
    assert (a.gap.abs() > 1e-9).any()  # the two differ in general
    with pytest.raises(ValueError):
        rtmod.median_bed_gap(study, 0, 5, 1.0)


def test_site_percentages_use_the_site_count(study):
    s = rtmod.site_denominators(study)
    sites = s[s.row.str.contains("site", case=False)]
    assert not sites.empty
    rt_n = study.baseline().groups[-1].n
    assert (sites.patients == rt_n).all() and (sites.recorded_n > rt_n).all()
    assert (sites.fits.str.startswith("recorded n") & ~sites.fits.str.contains("patients")).all()
    assert sites["count"].sum() == sites.recorded_n.iloc[0]


def test_data_notes(study):
    notes = rtmod.data_notes(study, ["table2"])
    assert rtmod.BED_KEY in set(notes.key)
    assert not notes.note.str.contains("\n").any()
    with pytest.raises(KeyError):
        rtmod.data_notes(study, ["table1"])


# ----------------------------------------------------------------------------- counts of fonc2025


@pytest.mark.parametrize("seed", [0, 3])
def test_cohort_tables_equal_printed_tables(study, runner, seed):
    cohort = runner.simulate(seed)
    printed = rtmod.count_p_variants(study)
    simulated = rtmod.count_p_variants(study, cohort)
    pd.testing.assert_frame_equal(printed, simulated)
    assert rtmod.simulated_counts(study, cohort).equal.all()


def test_variant_columns_equal_the_runner_under_the_declared_and_stated_tests(study, runner):
    """count_p_variants (tables built here from the printed counts) against the runner's declared
    analyses: the evident test (auto_fisher) on the book's run, the stated chi-square on run_stated."""
    out, stated = runner.run(1), runner.run_stated(1)
    v = rtmod.count_p_variants(study, file_ids=("table3", "table4"))
    for key, row in v.iterrows():
        assert np.isclose(out[key], row["auto_fisher"]), key
        assert np.isclose(stated[key], row["chisq"]), key


def test_variant_rule_reproduces_every_table_p(study):
    v = rtmod.count_p_variants(study, file_ids=("table3", "table4"))
    assert v.agrees.str.contains("auto_fisher").all()
    # where every expected count is at least 5 the rule is the uncorrected chi-square
    big = v[v.min_expected >= 5]
    assert np.allclose(big.auto_fisher, big.chisq)
    assert np.allclose(v[v.min_expected < 5].auto_fisher, v[v.min_expected < 5].fisher)


def test_count_p_variants_agrees_column(study):
    v = rtmod.count_p_variants(study)
    for key, row in v.iterrows():
        n = study.number(key)
        pv = PValue(n.value, n.bound, n.decimals or 0)
        expected = [
            t for t in ("chisq", "chisq_yates", "fisher", "auto_fisher") if pv.agrees(row[t])
        ]
        assert row.agrees == (", ".join(expected) or "none")
    # a text claim about three endpoints gives three rows
    text = [n.key for n in study.numbers if n.file_id == "safety_text" and n.quantity == "p"]
    assert all((v.index == k).sum() > 1 for k in text)


def test_count_table_orientation(study):
    t = rtmod.count_table(study, "pd")
    groups = study.baseline().groups
    assert t.shape == (2, len(groups))
    assert t.sum(axis=0).tolist() == [g.n for g in groups]
    assert compare_counts(t, test="chisq").pvalue == pytest.approx(
        compare_counts(t[::-1], test="chisq").pvalue
    )
    with pytest.raises(KeyError):
        rtmod.count_table(study, "no_such_endpoint")


def test_response_derivations_and_duplicate_tests(study):
    d = rtmod.response_derivations(study)
    assert len(d) == 4 and d.equal.all()
    s = rtmod.same_table_pairs(study)
    assert len(s) == 2 and s.same_table.all()
    assert (s.printed == s.printed_other).all()


def test_a_p_value_printed_twice_for_one_test_counts_once(study):
    """Table 3 prints the ORR p again on the PR row and the DCR p on the PD row (same 2 x 2 tables):
    the scorecard keeps both rows, marks the repeats, and summarise counts each test once."""
    from hccrep.replication import scorecard, summarise
    from hccrep.studies.fonc2025_cox import focused_runner

    card = scorecard(
        focused_runner(study, parts=("counts",)), n_mc=3, progress=False, cache_dir=""
    ).set_index("key")
    assert card.loc["resp_pr_p", "repeat_of"] == "resp_orr_p"
    assert card.loc["resp_pd_p", "repeat_of"] == "resp_dcr_p"
    assert (card.drop(index=["resp_pr_p", "resp_pd_p"]).repeat_of == "").all()
    assert summarise(card.reset_index()).sum() == len(card) - 2
    assert summarise(card.reset_index(), count_repeats=True).sum() == len(card)

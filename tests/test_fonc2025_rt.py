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
from hccrep.display import notes_table
from hccrep.printed import denominators_for_percent, equal_at_precision
from hccrep.radiotherapy import bed


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
    # hand arithmetic: 1/4 = 25%, 2/6 = 33.33%, 5/10 = 50%, no n gives 5/n = 12.3%
    assert denominators_for_percent(1, 25, 0, range(1, 10)) == [4]
    assert denominators_for_percent(2, 33.3, 1, [5, 6, 7]) == [6]
    assert denominators_for_percent(5, 50.0, 1, [0, 10]) == [10]
    assert denominators_for_percent(5, 12.3, 1, range(1, 30)) == []


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


def test_notes_table(study):
    notes = notes_table(study, ["table2"])
    assert rtmod.BED_KEY in set(notes.key)
    assert not notes.note.str.contains("\n").any()
    with pytest.raises(KeyError):
        notes_table(study, ["table1"])


# ----------------------------------------------------------------------------- counts of fonc2025


TESTS = ["chisq", "chisq_yates", "fisher", "auto_fisher"]


def _count_p_numbers(study):
    return [
        n
        for n in study.numbers
        if n.file_id in ("table3", "table4") and n.quantity == "p" and n.analysis is not None
    ]


def _crosstab(cohort, a):
    x = cohort[a.variable].astype(str)
    if a.collapse:
        x = x.isin(a.collapse)
    return pd.crosstab(x, cohort["arm"].astype(str)).to_numpy()


@pytest.mark.parametrize("seed", [0, 3])
def test_cohort_counts_equal_the_printed_counts(study, runner, seed):
    assert rtmod.simulated_counts(study, runner.simulate(seed)).equal.all()


def test_under_variants_equal_scipy_on_the_cohort_tables(study, runner):
    # independent reference: scipy's Pearson chi-square (with and without Yates' correction) and
    # Fisher's exact test on a pandas crosstab of each declared variable by arm
    from scipy.stats import chi2_contingency, fisher_exact

    cohort = runner.simulate(1)
    v = runner.under_variants(cohort, TESTS, files=["table3", "table4"]).set_index("key")
    for n in _count_p_numbers(study):
        t = _crosstab(cohort, n.analysis)
        assert v.loc[n.key, "chisq"] == pytest.approx(chi2_contingency(t, correction=False)[1])
        assert v.loc[n.key, "chisq_yates"] == pytest.approx(chi2_contingency(t)[1])
        assert v.loc[n.key, "fisher"] == pytest.approx(fisher_exact(t)[1])


def test_the_evident_rule_reproduces_every_table_p(study, runner):
    from scipy.stats.contingency import expected_freq

    cohort = runner.simulate(1)
    v = runner.under_variants(cohort, TESTS, files=["table3", "table4"]).set_index("key")
    assert v.agrees.str.contains("auto_fisher").all()
    small = {
        n.key: expected_freq(_crosstab(cohort, n.analysis)).min() < 5
        for n in _count_p_numbers(study)
    }
    for key, row in v.iterrows():
        # where every expected count is at least 5 the rule is the uncorrected chi-square
        assert row.auto_fisher == pytest.approx(row.fisher if small[key] else row.chisq)


def test_response_derivations(study):
    d = rtmod.response_derivations(study)
    assert len(d) == 4 and d.equal.all()


def test_a_p_value_printed_twice_for_one_test_counts_once(study):
    """Table 3 prints the ORR p again on the PR row and the DCR p on the PD row (same 2 x 2 tables):
    the scorecard keeps both rows, marks the repeats, and summarise counts each test once."""
    from hccrep.replication import scorecard, summarise
    from hccrep.replication import runner_for

    card = scorecard(
        runner_for(study, only=("table3", "table4", "safety_text", "discussion")),
        n_mc=3,
        progress=False,
        cache_dir="",
    ).set_index("key")
    assert card.loc["resp_pr_p", "repeat_of"] == "resp_orr_p"
    assert card.loc["resp_pd_p", "repeat_of"] == "resp_dcr_p"
    assert (card.drop(index=["resp_pr_p", "resp_pd_p"]).repeat_of == "").all()
    assert summarise(card.reset_index()).sum() == len(card) - 2
    assert summarise(card.reset_index(), count_repeats=True).sum() == len(card)

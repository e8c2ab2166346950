"""fonc2025 Table 5 helpers (hccrep.studies.fonc2025_cox): the displayed fits equal the scorecard's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrep.replication import runner_for, seeds_for
from hccrep.spec import ReportedNumber, load_study
from hccrep.studies.fonc2025_cox import (
    design,
    implied_wald_p,
    model_terms,
    multivariable_table,
    reported_table5,
    schoenfeld_pvalues,
    schoenfeld_test,
    selection_frequency,
    selection_table,
    univariable_table,
    wald_consistency,
    with_survival_shape,
)


@pytest.fixture(scope="module")
def fonc():
    r = runner_for("fonc2025")
    cohort = r.simulate(r.study.meta.book_seed)
    return r, cohort, r.analyse(cohort)


def test_reported_table5_contrasts_read_as_declared():
    st = load_study("fonc2025")
    rep = reported_table5(st)
    rev = {r.variable for r in st.simulation.reversed_contrasts}
    assert set(rep.loc[rep.reversed, "variable"]) == rev
    for _, r in rep.iterrows():
        if r.reversed:
            left, right = r.contrast_printed.split(" vs ")
            assert r.contrast_read == f"{right} vs {left}"
        else:
            assert r.contrast_read == r.contrast_printed
    # every HR has its p-value, and the point HRs of covariates in the multivariable models are the inputs
    assert rep.p_printed.notna().all()
    mv = rep[rep.model == "multivariable"]
    assert set(mv.loc[mv.hr_role == "input", "variable"]) == set(mv.variable) - {"arm"}
    assert (rep.loc[rep.model == "univariable", "hr_role"] == "check").all()


@pytest.mark.parametrize("endpoint", ["pfs", "os"])
def test_displayed_univariable_fits_equal_the_scorecard(fonc, endpoint):
    runner, cohort, values = fonc
    tab = univariable_table(runner, cohort, endpoint)
    keys = (
        reported_table5(runner.study)
        .query("endpoint == @endpoint and model == 'univariable'")
        .set_index("variable")
    )
    assert "hbv" not in tab.index and len(tab) == len(keys) - 1
    for var, row in tab.iterrows():
        k = keys.loc[var, "hr_key"]
        assert row.hr == pytest.approx(values[k], rel=1e-5)
        assert row.lower == pytest.approx(values[f"{k}.lower"], rel=1e-5)
        assert row.p_wald == pytest.approx(values[keys.loc[var, "p_key"]], rel=1e-4)
        assert 0 < row.p_lr <= 1 and 0 < row.p_logrank <= 1
    assert "Efron" in tab.attrs["variant"]


def test_logrank_p_is_the_score_test_without_ties(fonc):
    # one binary covariate and no tied times: the log-rank statistic is the Cox score statistic U^2 / I at beta = 0
    from scipy import stats

    from hccrep.stats.fastcox import _efron_terms

    runner, cohort, _ = fonc
    assert not cohort.os_time.duplicated().any()
    tab = univariable_table(runner, cohort, "os")
    for var in ("bclc", "arm", "ecog"):
        d = design(
            runner,
            cohort,
            "os",
            [t for t in model_terms(runner, "os", "univariable") if t[0] == var],
        )
        order = np.argsort(-d.time.to_numpy(), kind="stable")
        _, grad, hess = _efron_terms(
            np.zeros(1),
            d.time.to_numpy()[order],
            d.event.to_numpy()[order],
            d[[var]].to_numpy(float)[order],
            "efron",
        )
        score_p = stats.chi2.sf(grad[0] ** 2 / -hess[0, 0], 1)
        assert tab.loc[var, "p_logrank"] == pytest.approx(score_p, rel=1e-8)


@pytest.mark.parametrize("endpoint", ["pfs", "os"])
def test_displayed_multivariable_fit_equals_the_scorecard(fonc, endpoint):
    runner, cohort, values = fonc
    tab = multivariable_table(runner, cohort, endpoint)
    keys = (
        reported_table5(runner.study)
        .query("endpoint == @endpoint and model == 'multivariable'")
        .set_index("variable")
    )
    assert list(tab.index) == list(keys.index)
    for var, row in tab.iterrows():
        k = keys.loc[var, "hr_key"]
        assert row.upper == pytest.approx(values[f"{k}.upper"], rel=1e-5)
        assert row.p == pytest.approx(values[keys.loc[var, "p_key"]], rel=1e-4)
        assert row.point == ("check" if var == "arm" else "input")


def test_breslow_equals_efron_without_ties_and_differs_with_them(fonc):
    runner, cohort, _ = fonc
    e = multivariable_table(runner, cohort, "os", ties="efron")
    b = multivariable_table(runner, cohort, "os", ties="breslow")
    np.testing.assert_allclose(e.hr, b.hr, rtol=1e-6)
    tied = cohort.assign(os_time=np.ceil(cohort.os_time))
    e = multivariable_table(runner, tied, "os", ties="efron")
    b = multivariable_table(runner, tied, "os", ties="breslow")
    assert not np.allclose(e.hr, b.hr, rtol=1e-4)


def test_implied_wald_p_by_hand_and_rounding_range():
    n = ReportedNumber(
        "x", "f", "k", "hr", "2.00 (1.00, 4.00)", 2.0, "check", "T", None, None, 1.0, 4.0
    )
    p, lo, hi = implied_wald_p(n)
    assert p == pytest.approx(0.05, abs=1e-3)  # log 2 is the half-width of the log CI over z = 1.96
    assert lo < p < hi and hi - lo < 0.01
    coarse = ReportedNumber(
        "x", "f", "k", "hr", "2 (1, 4)", 2.0, "check", "T", None, None, 1.0, 4.0
    )
    _, clo, chi = implied_wald_p(coarse)
    assert clo < lo and chi > hi  # fewer decimals, wider range
    with pytest.raises(ValueError, match="no confidence interval"):
        implied_wald_p(ReportedNumber("x", "f", "k", "hr", "2", 2.0, "check", "T", None, None))


def test_wald_consistency_agrees_with_the_data_notes():
    st = load_study("fonc2025")
    w = wald_consistency(st)
    assert w.loc[w.model == "multivariable", "fits_wald"].all()
    flagged = {
        (n.about.endpoint, n.about.variable)
        for n in st.numbers
        if n.file_id == "table5" and n.quantity == "p" and "Outside the Wald p" in _note(st, n.key)
    }
    found = {(r.endpoint, r.variable) for r in w.itertuples() if not r.fits_wald}
    assert flagged and flagged <= found


def _note(study, key: str) -> str:
    f = study.files["table5"]
    return next((num.note or "") for num in f.numbers if num.key == key)


def test_selection_rule_reproduces_the_printed_models():
    sel = selection_table(load_study("fonc2025"))
    assert (sel.selected_by_rule == sel.in_printed_model).all()
    # with the Wald p its own CI implies, at least one printed covariate would have been left out
    assert (sel.in_printed_model & ~sel.selected_if_wald).any()


def test_selection_frequency_matches_per_seed_fits(fonc):
    runner = fonc[0]
    seeds = seeds_for(5, 3)
    f = selection_frequency(runner, seeds, "os")
    assert f.shape == (3, len(model_terms(runner, "os", "univariable")))
    assert f.attrs["printed_model"] == [t[0] for t in model_terms(runner, "os", "multivariable")]
    values = runner.run(seeds[2])
    assert f.loc[2, "bclc"] == (values["cox_os_uv_bclc_p"] < 0.05)
    pd.testing.assert_frame_equal(f, selection_frequency(runner, seeds, "os", n_jobs=2))
    # several endpoints: each cohort simulated once, the same tables as one endpoint at a time
    both = selection_frequency(runner, seeds, ("pfs", "os"))
    pd.testing.assert_frame_equal(both["os"], f)
    assert both["os"].attrs == f.attrs
    pd.testing.assert_frame_equal(both["pfs"], selection_frequency(runner, seeds, "pfs"))
    with pytest.raises(ValueError, match="at least one endpoint"):
        selection_frequency(runner, seeds, [])


def test_schoenfeld_test_and_monte_carlo(fonc):
    runner, cohort, _ = fonc
    terms = model_terms(runner, "pfs", "multivariable")
    d = design(runner, cohort, "pfs", terms)
    tab = schoenfeld_test(d, [t[0] for t in terms])
    assert sorted(tab.index) == sorted(t[0] for t in terms)
    assert tab.p.between(0, 1).all() and "km" in tab.attrs["variant"]
    rank = schoenfeld_test(d, [t[0] for t in terms], time_transform="rank")
    assert not np.allclose(tab.p, rank.p)
    mc = schoenfeld_pvalues(runner, seeds_for(1, 2), "pfs")
    assert mc.shape == (2, len(terms)) and mc.stack().between(0, 1).all()
    both = schoenfeld_pvalues(runner, seeds_for(1, 2), ["pfs", "os"], n_jobs=2)
    pd.testing.assert_frame_equal(both["pfs"], mc)
    assert both["os"].shape == (2, len(model_terms(runner, "os", "multivariable")))


def test_with_survival_shape_changes_only_the_copy():
    st = load_study("fonc2025")
    new = with_survival_shape(st, 2, endpoints=("os",))
    shapes = {sv.endpoint: sv.shape for sv in new.simulation.survival}
    assert shapes == {"os": 2.0, "pfs": 1.0}
    assert {sv.endpoint: sv.shape for sv in st.simulation.survival} == {"os": 1.0, "pfs": 1.0}
    a, b = runner_for(st).simulate(3), runner_for(new).simulate(3)
    pd.testing.assert_series_equal(a.ecog, b.ecog)
    assert not np.allclose(a.os_time, b.os_time)
    with pytest.raises(KeyError, match="unknown endpoint"):
        with_survival_shape(st, 2, endpoints=("dfs",))
    with pytest.raises(ValueError, match="positive"):
        with_survival_shape(st, 0)


def test_focused_runner_gives_the_full_runner_values(fonc):
    from hccrep.replication import scorecard
    from hccrep.studies.fonc2025_cox import focused_runner

    full = fonc[0]
    seed = seeds_for(4, 1)[0]
    want = full.run(seed)
    for parts, prefix in ((("cox",), "cox_"), (("subgroups",), "sg_")):
        got = focused_runner(full.study, parts).run(seed)
        assert got and all(k.startswith(prefix) for k in got)
        assert {k: v for k, v in want.items() if k.startswith(prefix)}.keys() == got.keys()
        np.testing.assert_allclose(
            [got[k] for k in got], [want[k] for k in got], rtol=1e-12, equal_nan=True
        )
    a = scorecard(focused_runner(full.study, ("cox",)), n_mc=2, progress=False)
    b = scorecard(full, n_mc=2, progress=False)
    cols = ["key", "replicated", "mc_low", "mc_high", "verdict"]
    pd.testing.assert_frame_equal(
        a.loc[a.file_id == "table5", cols], b.loc[b.file_id == "table5", cols]
    )
    with pytest.raises(ValueError, match="unknown or no analyses"):
        focused_runner(full.study, ("plots",))


def test_without_covariate_effects_keeps_baseline_and_arms():
    from hccrep.studies.fonc2025_cox import without_covariate_effects

    st = load_study("fonc2025")
    null = without_covariate_effects(st)
    assert all(not sv.effects for sv in null.simulation.survival)
    assert all(sv.effects for sv in st.simulation.survival)
    a, b = runner_for(st).simulate(2), runner_for(null).simulate(2)
    pd.testing.assert_frame_equal(a[["arm", "bclc", "ecog"]], b[["arm", "bclc", "ecog"]])
    # with no covariate effects, survival depends on the arm alone: ECOG has no effect within an arm
    lin = np.log(b.os_time)
    assert not np.allclose(a.os_time, b.os_time)
    assert abs(lin[b.ecog == "ps0"].mean() - lin[b.ecog == "ps1plus"].mean()) < 1.5

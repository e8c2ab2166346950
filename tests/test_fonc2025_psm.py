"""hccrep.studies.fonc2025_psm: propensity-score matching of fonc2025 (Table 6, Section 3.7).

Every setting and reported number is read from data/fonc2025; nothing reported is typed here.
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import hccrep.stats.matching as M
import hccrep.studies.fonc2025_psm as psm
from hccrep.frames import indicator_frame
from hccrep.plots import alt_text
from hccrep.replication import runner_for
from hccrep.stats.matching import standardized_mean_differences


@pytest.fixture(scope="module")
def cohort(runner, study):
    return runner.simulate(study.meta.book_seed)


@pytest.fixture(scope="module")
def results(runner, cohort):
    return M.match_readings(runner, cohort)


@pytest.fixture(scope="module")
def mc(runner):
    return M.monte_carlo_matching(runner, 4, adjust=("bclc",))


def test_doctests():
    res = doctest.testmod(psm, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0


def test_readings_cover_every_caliper_scale():
    from hccrep.stats.matching import CALIPER_SCALES

    assert set(CALIPER_SCALES) <= set(M.READINGS)
    assert len(set(M.READINGS)) == len(M.READINGS)


def test_reading_labels_quote_the_caliper_from_data(study):
    c = study.number("psm_caliper").value
    labels = M.reading_labels(study)
    assert set(labels) == set(M.READINGS)
    assert all(f"{c:g}" in labels[r] for r in M.SCALES)


# ----------------------------------------------------------------------------- selection


def test_selection_rule_gives_the_listed_covariates(study, runner):
    sel = psm.selection_table(study)
    assert not sel.empty and "arm" not in set(sel["variable"])
    # the paper's rule, applied to its own printed p-values, gives exactly its list
    assert (sel["selected"] == sel["listed"]).all()
    assert set(sel.loc[sel["listed"], "variable"]) == set(M.declared_matching(study).covariates)
    threshold = study.number("psm_selection_p_threshold").value
    assert (sel.loc[sel["selected"], "p"] < threshold).all()


# ----------------------------------------------------------------------------- matching


def test_the_declared_scale_reading_is_the_scorecard_matching(study, runner, cohort, results):
    # the scorecard's matched cohort (declared population) has the pairs of the declared reading
    spec = M.declared_matching(study)
    view = runner.view(cohort).matched(spec)
    n_treated = int((view.labels(spec.treatment) == spec.treated).sum())
    assert n_treated == results[spec.caliper_scale].n_treated_matched


def test_without_a_caliper_every_treated_patient_is_matched(study, results):
    n = {g.key: g.n for g in study.baseline().groups}
    n1, n0 = n[study.baseline().groups[-1].key], n[study.baseline().groups[0].key]
    assert results["none"].n_treated_matched == min(n1, n0)
    assert results["none"].caliper is None


def test_matchit451_ignores_a_propensity_score_caliper(results):
    # integer gaps: every propensity-score difference truncates to 0, so the caliper never binds
    assert results["matchit451_ps"].n_treated_matched == results["none"].n_treated_matched
    assert results["matchit451_ps"].caliper == results["ps_sd"].caliper
    assert results["matchit451_ps"].pairs["distance"].max() > results["ps_sd"].caliper
    # on the logit scale whole-unit gaps survive, so a caliper still drops someone (on this cohort)
    assert results["ps_sd"].n_treated_matched <= results["matchit451_logit"].n_treated_matched


def test_matchit451_on_a_toy_example():
    df = pd.DataFrame({"treated": [1, 1, 0, 0, 0]}, index=list("ABxyz"))
    ps = [0.80, 0.30, 0.79, 0.20, 0.50]
    d = df.assign(ps=ps)
    good = M.match_nearest(d, "treated", ps=ps, caliper=0.05, caliper_scale="ps_raw")
    assert good.n_treated_matched == 1  # B (0.30) has nobody within 0.05
    bad = M._match_nearest(
        d,
        "treated",
        None,
        ps=ps,
        ratio=1,
        caliper=0.05,
        caliper_scale="ps_raw",
        order="largest",
        replace=False,
        rng=None,
        emulate=frozenset({"int_abs"}),
    )
    assert bad.n_treated_matched == 2
    # ties go to the control with the lower score: B (0.30) gets y (0.20) rather than z (0.50)
    assert dict(zip(bad.pairs["treated"], bad.pairs["control"]))["B"] == "y"


def test_match_readings_rejects_unknown_names(runner, cohort):
    with pytest.raises(ValueError, match="unknown reading"):
        M.match_readings(runner, cohort, ["ps_sd", "logit"])


def test_pairs_table(study, results):
    tab = psm.pairs_table(study, results)
    assert list(tab.index) == list(M.READINGS)
    assert (tab["reported"] == study.number("psm_matched_rt_io_t").printed).all()
    assert np.isnan(tab.loc["none", "caliper width"])
    assert tab.loc["ps_raw", "caliper width"] == study.number("psm_caliper").value


# ----------------------------------------------------------------------------- balance


def test_indicator_frame(study, cohort):
    ind = indicator_frame(study, cohort)
    per_var = pd.Series(ind.attrs["variable"]).value_counts()
    for v in study.baseline().variables:
        assert per_var[v.key] == len(v.levels) - 1
    assert set(np.unique(ind.to_numpy())) <= {0, 1}


def test_balance_before_matching_uses_the_treated_sd(study, runner, cohort, results):
    bal = M.declared_balance_table(runner, cohort, {"ps_sd": results["ps_sd"]})
    assert "SD of the treated group" in bal.attrs["variant"]
    assert set(bal.index[bal["in_ps_model"]]) == {
        c
        for c, v in indicator_frame(study, cohort).attrs["variable"].items()
        if v in list(M.declared_matching(study).covariates)
    }
    # recompute one row by hand from the arms' proportions (Table 1 counts are exact in the cohort)
    row = bal.loc[[c for c in bal.index if c.startswith("BCLC")][0]]
    p1, p0 = row["treated"], row["control"]
    assert row["before"] == pytest.approx((p1 - p0) / np.sqrt(p1 * (1 - p1)))


def test_balance_after_matching_equals_the_matched_sample_means(runner, cohort, results):
    res = results["ps_sd"]
    bal = M.declared_balance_table(runner, cohort, {"ps_sd": res})
    d = M.treated_frame(runner, cohort)
    m = res.matched(d)
    ind = indicator_frame(runner.study, m)
    diff = ind[m["treated"].to_numpy() == 1].mean() - ind[m["treated"].to_numpy() == 0].mean()
    sd = np.sqrt(bal["treated"] * (1 - bal["treated"]))
    np.testing.assert_allclose(
        (bal["ps_sd"] * sd).to_numpy(), diff[bal.index].to_numpy(), atol=1e-12
    )


# ----------------------------------------------------------------------------- matched PFS


def test_a_caliper_scale_what_if_reruns_the_declared_table6_on_that_matching(study, results):
    # independent reference: lifelines' CoxPHFitter on the matched sample of each reading
    from lifelines import CoxPHFitter

    seed = study.meta.book_seed
    for scale in M.SCALES:
        got = runner_for(study, variants={"caliper_scale": scale}).run(seed)
        cohort = runner_for(study).simulate(seed)
        m = results[scale].matched(M.treated_frame(runner_for(study), cohort))
        d = pd.DataFrame({"t": m["pfs_time"], "e": m["pfs_event"], "x": m["treated"]})
        tight = {"precision": 1e-15, "r_precision": 0.0, "max_steps": 200}
        hr = float(np.exp(CoxPHFitter().fit(d, "t", "e", fit_options=tight).params_["x"]))
        assert got["psm_pfs_hr"] == pytest.approx(hr, rel=1e-6), scale
        assert got["psm_matched_rt_io_t"] == results[scale].n_treated_matched


# ----------------------------------------------------------------------------- Monte Carlo


def test_monte_carlo_columns_and_determinism(runner, mc):
    for r in M.READINGS:
        assert f"{r}.pairs" in mc
    for r in M.SCALES:
        assert f"{r}.hr" in mc and f"{r}.hr_adjusted" in mc
    assert any(c.startswith("before.smd.BCLC") for c in mc.columns)
    again = M.monte_carlo_matching(runner, 4, adjust=("bclc",), n_jobs=2)
    pd.testing.assert_frame_equal(mc, again)
    # the no-caliper count does not vary: all treated patients are matched in every cohort
    assert mc["none.pairs"].nunique() == 1


def test_monte_carlo_uses_the_scorecard_cohorts(study, runner):
    from hccrep.replication import seeds_for

    one = M.monte_carlo_matching(runner, 1, readings=("ps_sd",), analyse=("ps_sd",))
    cohort = runner.simulate(seeds_for(study.meta.book_seed + 1, 1)[0])
    assert (
        one.loc[0, "ps_sd.pairs"]
        == M.match_readings(runner, cohort, ["ps_sd"])["ps_sd"].n_treated_matched
    )


def test_monte_carlo_argument_checks(runner):
    with pytest.raises(ValueError, match="not in readings"):
        M.monte_carlo_matching(runner, 1, readings=("ps_sd",), analyse=("logit_sd",))
    with pytest.raises(ValueError, match="at least 1"):
        M.monte_carlo_matching(runner, 0)


def test_count_distribution_and_histogram_of_the_pairs(study, mc):
    from hccrep.plots import count_histogram
    from hccrep.replication import count_distribution

    reported = study.number("psm_matched_rt_io_t").value
    pairs = {r: mc[f"{r}.pairs"] for r in M.READINGS}
    s = count_distribution(pairs, reported)
    assert list(s.index) == list(M.READINGS)
    np.testing.assert_allclose(s[["fewer", "as reported", "more"]].sum(axis=1), 1.0)
    assert (s["mc_low"] <= s["median"]).all() and (s["median"] <= s["mc_high"]).all()
    # by hand: the share of cohorts with exactly the reported number
    assert s.loc["ps_sd", "as reported"] == pytest.approx(
        float((mc["ps_sd.pairs"] == reported).mean())
    )
    fig = count_histogram(pairs, reported, xlabel="Matched pairs", title="pairs")
    text = alt_text(fig)
    assert text.startswith("pairs:") and "reported" in text


def test_effect_summary(study, mc):
    e = M.effect_summary(study, mc)
    assert set(e.index) == set(M.SCALES)
    assert (e["hr_low"] <= e["hr_geomean"]).all() and (e["hr_geomean"] <= e["hr_high"]).all()
    assert e["hr_adjusted_geomean"].notna().all()


# ----------------------------------------------------------------------------- what-if


def test_with_survival_effect(study):
    from hccrep.simulate.study import with_survival_effect

    new = with_survival_effect(study, "pfs", "bclc", "C", "cox_os_mv_bclc_hr", why="what-if")
    pfs_new = next(sv for sv in new.simulation.survival if sv.endpoint == "pfs")
    pfs_old = next(sv for sv in study.simulation.survival if sv.endpoint == "pfs")
    assert len(pfs_new.effects) == len(pfs_old.effects) + 1
    assert pfs_new.effects[-1].variable == "bclc"
    # the baseline and OS are unchanged; PFS is not
    a, b = runner_for(study).simulate(3), runner_for(new).simulate(3)
    pd.testing.assert_series_equal(a["os_time"], b["os_time"])
    assert (a["bclc"].astype(str) == b["bclc"].astype(str)).all()
    assert not np.allclose(a["pfs_time"], b["pfs_time"])
    with pytest.raises(ValueError, match="already"):
        with_survival_effect(new, "pfs", "bclc", "C", "cox_os_mv_bclc_hr", why="twice")
    with pytest.raises(KeyError):
        with_survival_effect(study, "pfs", "bclc", "C", "no_such_key", why="x")


def test_smd_helper_agrees_with_the_library(runner, cohort, results):
    # balance_table's "after" column is standardized_mean_differences with MatchIt weights
    d = M.treated_frame(runner, cohort)
    ind = indicator_frame(runner.study, d)
    frame = pd.concat([ind, d[["treated"]]], axis=1)
    ref = standardized_mean_differences(
        frame,
        "treated",
        list(ind.columns),
        weights=results["logit_sd"].weights(d),
        denominator="treated",
    ).set_index("covariate")["smd"]
    bal = M.declared_balance_table(runner, cohort, {"logit_sd": results["logit_sd"]})
    pd.testing.assert_series_equal(bal["logit_sd"], ref, check_names=False)

"""fonc2025 Table 5: the declared Cox analyses, refitted with lifelines as the book shows them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from hccrep.replication import runner_for, seeds_for
from hccrep.stats import schoenfeld_test


@pytest.fixture(scope="module")
def fonc():
    r = runner_for("fonc2025")
    cohort = r.simulate(r.study.meta.book_seed)
    return r, cohort, r.analyse(cohort)


def _design(runner, cohort, a) -> pd.DataFrame:
    view = runner.view(cohort)
    m = view.mask(None, None, a.subset)
    t, e = view.survival(a.endpoint, m)
    return view.design(list(a.terms), a.reference, m, a.collapse).assign(time=t, event=e)


def _hrs(study):
    return [
        n
        for n in study.numbers
        if n.file_id == "table5" and n.analysis is not None and n.quantity == "hr"
    ]


def test_lifelines_on_the_declared_design_equals_the_scorecard(fonc):
    # independent reference: lifelines' CoxPHFitter (Efron ties, Wald CI) on the model columns
    # the declaration names, against the numpy engine of the scorecard (converged tightly: the
    # default stopping rule of lifelines leaves differences in the fourth digit)
    runner, cohort, values = fonc
    tight = {"precision": 1e-15, "r_precision": 0.0, "max_steps": 200}
    for n in _hrs(runner.study):
        d = _design(runner, cohort, n.analysis)
        fit = CoxPHFitter().fit(d, "time", "event", fit_options=tight)
        a = n.analysis
        col = (
            f"{a.term}={'|'.join(a.collapse[a.term])}"
            if a.term in a.collapse
            else f"{a.term}={a.level}"
        )
        assert np.exp(fit.params_[col]) == pytest.approx(values[n.key], rel=1e-5), n.key
        lo = np.exp(fit.confidence_intervals_.loc[col].iloc[0])
        assert lo == pytest.approx(values[f"{n.key}.lower"], rel=1e-5), n.key


def test_logrank_p_is_the_score_test_without_ties(fonc):
    # one binary covariate and no tied times: the log-rank statistic is the Cox score statistic
    # U^2 / I at beta = 0 (textbook identity, e.g. Klein and Moeschberger section 8.3)
    from lifelines.statistics import logrank_test
    from scipy import stats

    from hccrep.stats.fastcox import _efron_terms

    runner, cohort, _ = fonc
    assert not cohort.os_time.duplicated().any()
    for n in _hrs(runner.study):
        a = n.analysis
        if a.endpoint != "os" or len(a.terms) != 1 or a.term not in ("bclc", "arm", "ecog"):
            continue
        d = _design(runner, cohort, a)
        x = d.columns[0]
        order = np.argsort(-d.time.to_numpy(), kind="stable")
        _, grad, hess = _efron_terms(
            np.zeros(1),
            d.time.to_numpy()[order],
            d.event.to_numpy()[order],
            d[[x]].to_numpy(float)[order],
            "efron",
        )
        score_p = stats.chi2.sf(grad[0] ** 2 / -hess[0, 0], 1)
        g1, g0 = d[d[x] == 1], d[d[x] == 0]
        lr = logrank_test(g1.time, g0.time, g1.event, g0.event).p_value
        assert lr == pytest.approx(score_p, rel=1e-8)


def test_breslow_equals_efron_without_ties_and_differs_with_them(fonc):
    runner, cohort, _ = fonc
    keys = [n.key for n in _hrs(runner.study) if len(n.analysis.terms) > 1]

    def hr(data, ties):
        r = runner_for(runner.study, variants={"ties": ties})
        return r.declared_table(data, files=["table5"]).set_index("key").loc[keys, "value"]

    np.testing.assert_allclose(hr(cohort, "efron"), hr(cohort, "breslow"), rtol=1e-6)
    tied = cohort.assign(os_time=np.ceil(cohort.os_time))
    assert not np.allclose(hr(tied, "efron"), hr(tied, "breslow"), rtol=1e-4)


def test_selection_rule_reproduces_the_printed_models():
    # the data: every univariable row with printed p < 0.05 is in its endpoint's printed model
    st = runner_for("fonc2025").study
    hrs = _hrs(st)
    printed_model = {
        n.analysis.endpoint: set(n.analysis.terms) for n in hrs if len(n.analysis.terms) > 1
    }
    p_of = {
        n.analysis.model_dump_json(): n
        for n in st.numbers
        if n.file_id == "table5" and n.quantity == "p" and n.analysis is not None
    }
    for n in hrs:
        a = n.analysis
        if len(a.terms) != 1:
            continue
        p = p_of[a.model_dump_json()]
        below = p.value <= 0.05 if p.bound == "<" else p.value < 0.05 and p.bound != ">"
        assert below == (a.term in printed_model[a.endpoint]), n.key


def test_schoenfeld_test_on_the_declared_model(fonc):
    runner, cohort, _ = fonc
    (a,) = [n.analysis for n in _hrs(runner.study) if n.analysis.endpoint == "pfs"][-1:]
    d = _design(runner, cohort, a)
    cols = [c for c in d.columns if c not in ("time", "event")]
    tab = schoenfeld_test(d, cols)
    assert sorted(tab.index) == sorted(cols)
    assert tab.p.between(0, 1).all() and "km" in tab.attrs["variant"]
    rank = schoenfeld_test(d, cols, time_transform="rank")
    assert not np.allclose(tab.p, rank.p)


def test_runner_restricted_to_some_files_gives_the_full_runner_values(fonc):
    from hccrep.replication import scorecard

    full = fonc[0]
    seed = seeds_for(4, 1)[0]
    want = full.run(seed)
    for files, prefix in ((("table5",), "cox_"), (("subgroups",), "sg_")):
        got = runner_for(full.study, only=files).run(seed)
        assert got and all(k.startswith(prefix) for k in got)
        assert {k: v for k, v in want.items() if k.startswith(prefix)}.keys() == got.keys()
        np.testing.assert_allclose(
            [got[k] for k in got], [want[k] for k in got], rtol=1e-12, equal_nan=True
        )
    a = scorecard(runner_for(full.study, only=("table5",)), n_mc=2, progress=False)
    b = scorecard(full, n_mc=2, progress=False)
    cols = ["key", "replicated", "mc_low", "mc_high", "verdict"]
    pd.testing.assert_frame_equal(
        a.loc[a.file_id == "table5", cols], b.loc[b.file_id == "table5", cols]
    )
    with pytest.raises(ValueError, match="unknown or no data files"):
        runner_for(full.study, only=("plots",))

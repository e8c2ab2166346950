"""fonc2025: the simulated cohort reproduces every input; the scorecard runs on the book seed and over 200 seeds."""

from __future__ import annotations

import numpy as np
import pytest

from hccrep.printed import equal_at_precision
from hccrep.replication import VERDICTS, scorecard
from hccrep.spec import load_study


def test_all_data_files_validate():
    st = load_study("fonc2025")
    assert {"table1", "table3", "table4", "table5", "survival_text"} <= set(st.files)
    assert {n.role for n in st.numbers} == {"input", "check", "derived"}


@pytest.mark.parametrize("seed", [0, 1, 20250071])
def test_cohort_reproduces_every_outcome_input(runner, seed):
    st = runner.study
    c = runner.simulate(seed)
    arm = c["arm"].astype(str)
    for n in st.numbers:
        if n.role != "input":
            continue
        a = n.about
        if n.file_id == "table3":
            assert (
                (arm == a.group) & (c["response"].astype(str) == a.endpoint)
            ).sum() == a.count, n.key
        elif n.file_id == "table4":
            col = f"{a.endpoint}_{'any' if a.grade == 'any' else 'g34'}"
            assert c.loc[arm == a.group, col].sum() == a.count, n.key
        elif (
            n.file_id == "table2" and a.variable == "rt_site" and a.level in ("pvtt_hvtt", "liver")
        ):
            assert (c["rt_site"] == a.level).sum() == a.count, n.key
        elif n.file_id == "survival_text" and n.quantity == "median":
            from hccrep.stats import km_median

            m = km_median(
                c.loc[arm == a.group, f"{a.endpoint}_time"],
                c.loc[arm == a.group, f"{a.endpoint}_event"],
            ).median
            assert equal_at_precision(m, n.value, n.decimals), (n.key, m)
    # grade 3-4 events only in patients with the event at any grade; PFS never beyond OS
    for col in [x for x in c.columns if x.endswith("_g34")]:
        assert (c[col] <= c[col.replace("_g34", "_any")]).all()
    assert (c["pfs_time"] <= c["os_time"] + 1e-12).all()


def test_scorecard_on_book_seed_and_200_seed_monte_carlo(runner):
    card = scorecard(runner, n_mc=200, n_jobs=2, progress=False, cache_dir="")
    assert set(card.verdict) <= set(VERDICTS)
    # every check is on the card, every not-checkable one says why
    assert (card.loc[card.verdict == "not checkable", "reason"].str.len() > 10).all()
    judged = card[card.verdict != "not checkable"]
    assert judged.mc_low.notna().all() and (judged.mc_low <= judged.mc_high).all()
    # Table 1 p-values do not depend on the seed: their interval is a point
    t1 = card[card.file_id == "table1"]
    assert np.allclose(t1.mc_low, t1.mc_high)
    # no input is judged
    inputs = {n.key for n in runner.study.numbers if n.role == "input"}
    assert not inputs & set(card.key)


def test_survival_frame_of_a_declared_cox_is_what_lifelines_fits_to_the_handlers_hr():
    # independent reference: lifelines' CoxPHFitter (Efron ties, as the handler's numpy engine)
    # fitted to the frame gives the hazard ratios the declared handler computes for that number
    from lifelines import CoxPHFitter

    from hccrep.replication import runner_for

    runner = runner_for("fonc2025")
    cohort = runner.simulate(3)
    view = runner.view(cohort)
    hrs = [
        n
        for n in runner.study.numbers
        if n.analysis is not None and n.analysis.kind == "cox" and n.quantity == "hr"
    ]
    uni = next(n for n in hrs if len(n.analysis.terms) == 1 and not n.analysis.subset)
    multi = next(n for n in hrs if len(n.analysis.terms) > 1)
    values = runner.declared_table(cohort, files=[uni.file_id]).set_index("key")["value"]
    for n in (uni, multi):
        frame = view.survival_frame(n.analysis)
        assert list(frame.columns[-2:]) == ["time", "event"]
        assert frame["event"].isin([0, 1]).all()
        fit = CoxPHFitter().fit(frame, "time", "event")
        if n is uni:
            # lifelines stops its Newton steps at a looser tolerance than the numpy engine
            assert float(np.exp(fit.params_.iloc[0])) == pytest.approx(values[n.key], rel=2e-4)
        else:
            assert len(fit.params_) >= len(n.analysis.terms)

"""hccrep.compare: the reported baseline table beside the simulated one, and the p-value variants."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from scipy import stats

import hccrep.compare as compare
from hccrep.printed import parse_count_percent
from hccrep.replication import runner_for
from hccrep.simulate import simulate_baseline
from hccrep.spec import load_study


def test_doctests():
    assert doctest.testmod(compare).failed == 0


@pytest.mark.parametrize("key", ["fonc2025", "deng2025", "tu2025"])
def test_side_by_side_simulated_counts_are_the_reported_counts(key):
    """The baseline simulation reproduces every reported count exactly, so each simulated
    'k (pct)' cell starts with the count printed in the paper's cell beside it."""
    runner = runner_for(
        key
    )  # each study's own simulation (deng2025's differs from simulate_baseline)
    st, cohort = runner.study, runner.simulate(3)
    side = compare.baseline_side_by_side(st, cohort)
    assert list(side.columns.get_level_values(0).unique()) == ["reported", "simulated"]
    checked = 0
    for (variable, level), row in side.iterrows():
        if level == "":
            continue  # a continuous summary
        for group in side["reported"].columns:
            try:
                reported = parse_count_percent(row[("reported", group)]).count
            except Exception:  # a cell printed in another form (a dash, a share only)
                continue
            assert int(row[("simulated", group)].split()[0]) == reported, (variable, level, group)
            checked += 1
    assert checked > 10


def test_p_variants_equal_scipy_on_the_same_tables():
    """The chisq column is scipy's uncorrected chi-square of the variable-by-arm table, the Welch
    column scipy's Welch t-test; 'agrees' names only tests that were computed."""
    st = load_study("fonc2025")
    cohort = simulate_baseline(st.baseline(), np.random.default_rng(4), st.simulation)
    gcol = st.simulation.group_variable
    tab = compare.baseline_p_variants(st, cohort)
    base = st.baseline()
    for v in base.variables:
        if v.p is None:
            continue
        row = tab.loc[v.label]
        if hasattr(v, "levels"):
            counts = np.array(
                [
                    [
                        ((cohort[v.key] == lv.key) & (cohort[gcol] == g.key)).sum()
                        for g in base.groups
                    ]
                    for lv in v.levels
                ]
            )
            counts = counts[counts.sum(axis=1) > 0]
            assert row["chisq"] == pytest.approx(
                stats.chi2_contingency(counts, correction=False).pvalue, rel=1e-10
            )
        else:
            a, b = (cohort.loc[cohort[gcol] == g.key, v.key].to_numpy(float) for g in base.groups)
            assert row["welch"] == pytest.approx(
                stats.ttest_ind(a, b, equal_var=False).pvalue, rel=1e-10
            )
        named = [t.strip() for t in row["agrees"].split(",")]
        assert named == ["none"] or set(named) <= set(tab.columns)

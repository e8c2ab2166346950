"""A Monte Carlo cohort travels as ``{column: array}``: every step must give what the DataFrame gives.

The references are the DataFrame paths that the book and the notebooks use
(:func:`hccrep.simulate.simulate_baseline`, ``runner.simulate``,
:class:`hccrep.analyses.CohortView` on a frame) and pandas' own ``take``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hccrep.analyses import CohortView, _Rows, compute, prefit
from hccrep.replication import DeclaredRunner, runner_for
from hccrep.simulate.baseline import baseline_columns, simulate_baseline
from hccrep.simulate.outcomes import simulate_survival, survival_arrays, with_columns
from hccrep.spec import load_study


def _same(a: dict, b: dict) -> bool:
    """Equal dicts of numbers, NaN equal to NaN and None."""
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = a[k], b[k]
        nx = x is None or (isinstance(x, float) and math.isnan(x))
        ny = y is None or (isinstance(y, float) and math.isnan(y))
        if nx != ny or (not nx and x != y):
            return False
    return True


@pytest.mark.parametrize("key", ["fonc2025", "tu2025"])
def test_baseline_columns_are_simulate_baseline_without_the_frame(key):
    st = load_study(key)
    r1, r2 = np.random.default_rng(3), np.random.default_rng(3)
    frame = simulate_baseline(st.baseline(), r1, st.simulation)
    cols = baseline_columns(st.baseline(), r2, st.simulation)
    pd.testing.assert_frame_equal(pd.DataFrame(cols), frame)
    assert r1.random() == r2.random()  # the same draws were used


def test_declared_runner_runs_on_columns_what_it_gives_on_the_frame():
    """The declared runner (what a data-only paper gets) and fonc2025's runner analyse the
    columns directly; the values equal ``analyse(simulate(seed))`` to the bit."""
    # the declared runner alone lacks fonc2025's own columns (response, adverse events, RT
    # target): it analyses the files that need only the declared cohort
    files = ["table1", "table5", "table6", "subgroups", "survival_text"]
    for runner in (DeclaredRunner(load_study("fonc2025"), only=files), runner_for("fonc2025")):
        for seed in (1, 8):
            assert _same(runner.run(seed), runner.analyse(runner.simulate(seed)))
        assert isinstance(runner.simulate_columns(1), dict)


def test_a_runner_that_overrides_analyse_gets_the_dataframe():
    seen = []

    class Spy(DeclaredRunner):
        def analyse(self, cohort):
            seen.append(type(cohort))
            return super().analyse(cohort)

    Spy(load_study("fonc2025"), only=["table1"]).run(1)
    assert seen == [pd.DataFrame]


def _toy():
    return {
        "arm": pd.Categorical(["a", "b", "a", "b", "a"], categories=["b", "a"]),
        "age": np.array([50.0, 61.0, 70.0, 45.0, 58.0]),
        "flag": np.array([1, 0, 0, 1, 1]),
        "site": np.array(["x", None, "y", "x", None], dtype=object),
        "os_time": np.array([5.0, 3.0, 9.0, 2.0, 7.0]),
        "os_event": np.array([1, 0, 1, 1, 0]),
    }


def test_cohort_view_reads_a_mapping_as_it_reads_the_frame():
    cols = _toy()
    frame = pd.DataFrame(cols)
    a, b = CohortView(cols, group="arm"), CohortView(frame, group="arm")
    assert a.n == b.n == 5
    for c in cols:
        assert a.labels(c).tolist() == b.labels(c).tolist()
        assert a.is_categorical(c) == b.is_categorical(c)
        assert a.levels_of(c) == b.levels_of(c)
    for c in ("age", "flag", "os_time"):
        assert a.numeric(c).tolist() == b.numeric(c).tolist()
    assert a.codes("site", ["y", "x"]).tolist() == b.codes("site", ["y", "x"]).tolist()
    assert a.mask("arm", "a", {"flag": "1"}).tolist() == b.mask("arm", "a", {"flag": "1"}).tolist()
    pd.testing.assert_frame_equal(a.cohort, frame)  # built on demand
    with pytest.raises(KeyError, match="no column 'nope'"):
        a.labels("nope")
    with pytest.raises(TypeError, match="DataFrame or a mapping"):
        CohortView([1, 2], group="arm")


def test_matched_rows_are_the_frames_rows_taken_by_position():
    cols = _toy()
    pos = np.array([4, 0, 3])
    rows = _Rows(cols, pos, {"pair": np.array([1, 1, 2]), "flag": np.array([9, 9, 9])})
    ref = pd.DataFrame(cols).take(pos).reset_index(drop=True)
    ref["pair"] = [1, 1, 2]
    ref["flag"] = [9, 9, 9]  # replaced in place, as frame[name] = values does
    assert list(rows) == list(ref.columns)
    assert len(rows) == len(ref.columns) and "pair" in rows and "nope" not in rows
    pd.testing.assert_frame_equal(pd.DataFrame(dict(rows)), ref)
    with pytest.raises(KeyError):
        rows["nope"]


def test_survival_arrays_on_columns_equal_simulate_survival_on_the_frame():
    cols = {"arm": np.array(["a"] * 30 + ["b"] * 25, dtype=object)}
    kw = dict(group="arm", medians={"a": 10.0, "b": 14.0}, events={"a": 20, "b": 15})
    frame = simulate_survival(pd.DataFrame(cols), np.random.default_rng(2), prefix="os_", **kw)
    t, e = survival_arrays(cols, np.random.default_rng(2), **kw)
    assert t.tolist() == frame["os_time"].tolist() and e.tolist() == frame["os_event"].tolist()
    out = simulate_survival(cols, np.random.default_rng(2), prefix="os_", **kw)
    assert isinstance(out, dict) and list(out) == ["arm", "os_time", "os_event"]


def test_with_columns_copies_a_frame_and_never_changes_its_input():
    frame = pd.DataFrame({"a": [1, 2]})
    out = with_columns(frame, {"a": np.array([5, 6]), "b": np.array([0.5, 0.5])})
    assert frame["a"].tolist() == [1, 2] and list(out.columns) == ["a", "b"]
    cols = {"a": np.array([1, 2])}
    out = with_columns(cols, {"b": np.array([3, 4])})
    assert list(cols) == ["a"] and list(out) == ["a", "b"]


def test_prefit_fits_the_interactions_of_one_endpoint_in_one_batch(monkeypatch):
    """fonc2025 declares five interaction analyses (PFS: age, ECOG, all eight; OS: age, ECOG):
    one side-by-side fit per endpoint, with the p-values of one analysis at a time."""
    import hccrep.stats.subgroups as subgroups

    runner = runner_for("fonc2025")
    cohort = runner.simulate_columns(4)
    analyses = [n.analysis for n in runner._declared if n.analysis.kind == "interaction"]
    assert len(analyses) == 5
    alone = []
    for a in analyses:  # each on a fresh view: fitted by itself
        alone.append(compute(a, runner.view(cohort), "p_interaction").pvalue)
    calls = []
    real = subgroups.interaction_many
    monkeypatch.setattr(
        subgroups, "interaction_many", lambda *a, **k: calls.append(a[3].shape[1]) or real(*a, **k)
    )
    view = runner.view(cohort)
    prefit(analyses, view)
    batched = [compute(a, view, "p_interaction").pvalue for a in analyses]
    assert batched == alone
    assert len(calls) == 2 and sorted(calls) == [2, 8]  # PFS: 8 two-level variables; OS: 2

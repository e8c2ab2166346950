"""The numpy Cox engine used in Monte Carlo loops equals lifelines (Efron) and statsmodels (Breslow).

lifelines is what :func:`hccrep.stats.cox` fits Efron ties with; Breslow ties
are fitted by this engine itself, so its Breslow reference here is statsmodels
``PHReg`` called directly (an independent implementation, on cohorts where its
undamped Newton iteration converges).  Both are checked against R's coxph in
tests/test_r_parity.py and tests/test_r_parity_reliability.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrep.stats import cox
from hccrep.stats.fastcox import cox_fit, cox_table, wald_columns


def _cohort(rng, n):
    d = pd.DataFrame(
        {
            "a": rng.integers(0, 2, n).astype(float),
            "b": rng.integers(0, 2, n).astype(float),
            "c": rng.normal(size=n),
        }
    )
    d["time"] = np.round(rng.exponential(5, n) * (1 + d.a), 0) + 1  # rounded: many tied times
    d["event"] = rng.integers(0, 2, n)
    if d.event.sum() == 0:
        d.loc[0, "event"] = 1
    return d


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("seed", range(15))
def test_numpy_cox_equals_reference_engines_with_ties(ties, seed):
    d = _cohort(np.random.default_rng(seed), 71)
    fast = cox_table(d, "time", "event", ["a", "b", "c"], ties=ties)
    if ties == "efron":
        ref = cox(d, "time", "event", ["a", "b", "c"], ties=ties).table
    else:
        from statsmodels.duration.hazard_regression import PHReg

        fit = PHReg(d["time"], d[["a", "b", "c"]], status=d["event"], ties="breslow").fit(
            method="newton", tol=1e-14, maxiter=200, disp=False
        )
        ref = pd.DataFrame(
            wald_columns(np.asarray(fit.params), np.asarray(fit.bse)), index=fast.index
        )
    np.testing.assert_allclose(
        fast[["coef", "se", "z"]], ref[["coef", "se", "z"]], rtol=1e-6, atol=1e-7
    )
    np.testing.assert_allclose(
        fast[["p", "lower", "upper"]], ref[["p", "lower", "upper"]], rtol=1e-6, atol=1e-8
    )


def test_single_binary_covariate_without_ties_matches_hand_logrank_direction():
    # two groups, exponential times with a true HR of e^1: the estimate has the right sign and is finite
    rng = np.random.default_rng(3)
    x = np.repeat([0.0, 1.0], 200)
    t = rng.exponential(1 / np.exp(1.0 * x))
    coef, se, _ = cox_fit(t, np.ones_like(t), x)
    assert 0.7 < coef[0] < 1.3 and 0 < se[0] < 0.2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # R's Surv(time, status) with status 1 = censored, 2 = dead: read as numbers, every censored
        # patient would count as an event (lung: HR 0.7135 instead of R's 0.588)
        (
            lambda d: d.assign(event=d.event + 1),
            r"event column 'event' must be 0/1 \(1 = event\), found \[2\.0\]",
        ),
        (lambda d: d.assign(event=d.event * 0.5), r"must be 0/1 \(1 = event\), found \[0\.5\]"),
        (lambda d: d.assign(time=d.time - 3), "duration column 'time' contains negative times"),
        (lambda d: d.assign(time=d.time.where(d.index != 4)), "contains NaN"),
    ],
)
def test_cox_table_validates_times_and_events_as_cox_does(change, message):
    d = change(_cohort(np.random.default_rng(5), 40))
    for fit in (cox_table, lambda *a: cox(*a).table):  # the same check, the same message
        with pytest.raises(ValueError, match=message):
            fit(d, "time", "event", ["a", "c"])


def test_constant_covariate_and_no_events_are_errors():
    d = _cohort(np.random.default_rng(0), 30)
    d["k"] = 1.0
    with pytest.raises(ValueError, match="'k' is constant"):
        cox_table(d, "time", "event", ["a", "k"])
    with pytest.raises(ValueError, match="no events"):
        cox_fit(d.time, np.zeros(30), d[["a"]])
    with pytest.raises(ValueError, match="unknown ties"):
        cox_fit(d.time, d.event, d[["a"]], ties="exact")


@pytest.mark.parametrize("seed", range(5))
def test_numpy_cox_equals_lifelines_without_ties(seed):
    """Continuous times (no ties, the simulated cohorts' case) take the short path: same fit as lifelines."""
    rng = np.random.default_rng(100 + seed)
    d = _cohort(rng, 90)
    d["time"] = rng.exponential(5, 90) * (1 + d.a)  # continuous: no tied times
    for cols in (["a"], ["a", "b", "c"]):
        fast = cox_table(d, "time", "event", cols)
        ref = cox(d, "time", "event", cols).table
        np.testing.assert_allclose(
            fast[["coef", "se", "p"]], ref[["coef", "se", "p"]], rtol=1e-6, atol=1e-8
        )


def test_side_by_side_univariable_fits_equal_one_by_one_fits():
    """cox_fit_each runs the same Newton iterations for every column; tied times fall back to cox_fit."""
    from hccrep.stats.fastcox import cox_fit_each

    rng = np.random.default_rng(31)
    for rep in range(60):
        n, k = int(rng.integers(20, 120)), int(rng.integers(1, 10))
        X = np.column_stack(
            [rng.integers(0, 2, n) if j % 2 else rng.normal(size=n) for j in range(k)]
        ).astype(float)
        t = rng.exponential(1, n) * np.exp(-0.5 * X[:, 0])
        if rep % 10 == 0:
            t = np.round(t, 1) + 0.1  # tied times
        e = rng.integers(0, 2, n)
        e[0] = 1
        coef, se = cox_fit_each(t, e, X)
        for j in range(k):
            c, s, _ = cox_fit(t, e, X[:, j])
            np.testing.assert_allclose([coef[j], se[j]], [c[0], s[0]], rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="no events"):
        cox_fit_each(np.arange(1.0, 6.0), np.zeros(5), np.ones((5, 2)))


def test_side_by_side_fits_on_row_masks_equal_fits_on_the_subsets():
    """With masks, column j is fitted on its own rows (a subgroup): equal to cox_fit on that subset;
    a subset without events or with a constant covariate gives NaN with on_error='nan'."""
    from hccrep.stats.fastcox import cox_fit_each

    rng = np.random.default_rng(32)
    for _ in range(40):
        n = int(rng.integers(30, 120))
        arm = rng.integers(0, 2, n).astype(float)
        group = rng.integers(0, 4, n)
        t = rng.exponential(1, n) * np.exp(-0.6 * arm)
        e = rng.integers(0, 2, n)
        masks = np.column_stack(
            [group == g for g in range(4)] + [np.ones(n, bool), (group == 0) & (arm == 1)]
        )
        X = np.repeat(arm[:, None], masks.shape[1], axis=1)
        coef, se = cox_fit_each(t, e, X, masks=masks, on_error="nan")
        for j in range(masks.shape[1]):
            m = masks[:, j]
            try:
                if (X[m, j] == X[m, j][0]).all():
                    raise ValueError("constant")
                c, s, _ = cox_fit(t[m], e[m], X[m, j])
            except ValueError:
                assert np.isnan(coef[j]) and np.isnan(se[j])
                continue
            np.testing.assert_allclose([coef[j], se[j]], [c[0], s[0]], rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="masks must have the shape"):
        cox_fit_each(t, e, X, masks=masks[:, :2])


def test_side_by_side_multivariable_fits_equal_one_by_one_fits():
    """cox_fit_many: k three-covariate interaction models (arm, subgroup, arm x subgroup) on the
    same times, with and without row masks, equal cox_fit on each model; collinear or degenerate
    models give cox_fit's error (or NaN with on_error='nan'); tied times fall back to cox_fit."""
    from hccrep.stats.fastcox import cox_fit_many

    rng = np.random.default_rng(33)
    checked = degenerate = 0
    for rep in range(50):
        n, k = int(rng.integers(30, 150)), int(rng.integers(1, 9))
        arm = rng.integers(0, 2, n).astype(float)
        subs = rng.random((n, k)) < rng.uniform(0.05, 0.6, k)
        if rep % 7 == 3:
            subs[:, 0] = arm > 0  # collinear: the interaction equals the subgroup column
        X = np.stack([np.column_stack([arm, s, arm * s]) for s in subs.T.astype(float)], axis=1)
        t = rng.exponential(1, n) * np.exp(-0.5 * arm)
        if rep % 10 == 0:
            t = np.round(t, 1) + 0.1  # tied times
        e = (rng.random(n) < 0.7).astype(int)
        e[0] = 1
        masks = rng.random((n, k)) < 0.8 if rep % 2 else None
        coef, se = cox_fit_many(t, e, X, masks=masks, on_error="nan")
        for j in range(k):
            m = np.ones(n, bool) if masks is None else masks[:, j]
            try:
                if masks is not None and (X[m, j] == X[m, j][:1]).all(axis=0).any():
                    raise ValueError("constant")
                c, s, _ = cox_fit(t[m], e[m], X[m, j, :])
            except ValueError:
                assert np.isnan(coef[j]).all() and np.isnan(se[j]).all()
                degenerate += 1
                continue
            np.testing.assert_allclose(np.r_[coef[j], se[j]], np.r_[c, s], rtol=1e-8, atol=1e-10)
            checked += 1
    assert checked > 100 and degenerate > 0
    with pytest.raises(ValueError, match="singular"):
        arm = rng.integers(0, 2, 40).astype(float)
        cox_fit_many(
            rng.exponential(1, 40), np.ones(40), np.stack([np.column_stack([arm, arm])], axis=1)
        )
    with pytest.raises(ValueError, match=r"X must be \(n, k, p\)"):
        cox_fit_many(np.ones(3), np.ones(3), np.ones((3, 2)))


def test_side_by_side_fits_with_one_set_of_times_per_model_equal_one_by_one_fits():
    """cox_fit_many with 2-D time and event (one simulated cohort per model, as a power
    simulation draws them) equals cox_fit on each column; a column with tied times is refitted by
    cox_fit, a column without events gives NaN with on_error='nan'."""
    from hccrep.stats.fastcox import cox_fit_many

    rng = np.random.default_rng(34)
    n, k = 90, 30
    arm = rng.integers(0, 2, (n, k)).astype(float)
    sub = rng.integers(0, 2, (n, k)).astype(float)
    X = np.stack([arm, sub, arm * sub], axis=2)
    t = rng.exponential(1, (n, k)) * np.exp(-0.4 * arm)
    e = (rng.random((n, k)) < 0.75).astype(int)
    t[:, 3] = np.round(t[:, 3], 1) + 0.1  # tied times in one model
    e[:, 5] = 0  # no events in another
    coef, se = cox_fit_many(t, e, X, on_error="nan")
    assert np.isnan(coef[5]).all()
    for j in set(range(k)) - {5}:
        c, s, _ = cox_fit(t[:, j], e[:, j], X[:, j, :])
        np.testing.assert_allclose(np.r_[coef[j], se[j]], np.r_[c, s], rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError, match="time and event must both have shape"):
        cox_fit_many(t[:, :2], e[:, :2], X)

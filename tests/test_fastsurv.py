"""hccrep.stats.fastsurv: the numpy Kaplan-Meier and log-rank engine.

References, all independent of the code under test:

* lifelines (``KaplanMeierFitter`` survival curve and its log-log
  "exponential Greenwood" interval; ``multivariate_logrank_test``);
* the lifelines-based functions of :mod:`hccrep.stats.survival` (themselves
  checked against R in ``tests/test_r_parity.py``);
* live R ``survival``: ``survfit`` (``summary(fit)$table`` and
  ``summary(fit, times=)``) and ``survdiff``, run by ``tests/r/fastsurv_reference.R``
  on cohorts with tied times;
* a hand computation for the plateau rule (comment in the test).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hccrep.stats import fastsurv, survival
from tests._rhelpers import read_kv, require_r, run_r

CONF_TYPES = ("log", "log-log", "plain")


def _cohort(seed: int, n: int, k: int, step: float, censor: float = 0.3):
    """Times rounded to ``step`` (so many ties), ``k`` groups, about ``censor`` censored."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, k, n)
    t = np.maximum(step, np.round(rng.exponential(8 * (1 + 0.5 * g)) / step) * step)
    e = (rng.random(n) > censor).astype(int)
    e[0] = 1
    return t, e, np.array([f"g{i}" for i in g])


COHORTS = {
    "ties2": _cohort(1, 60, 2, 1.0),
    "ties3": _cohort(2, 90, 3, 0.5),
    "heavy_censoring": _cohort(3, 25, 2, 1.0, censor=0.7),
    "small": _cohort(4, 9, 2, 2.0),
    # 10 patients, no censoring, one event at each of 1..10: S = 0.5 exactly on [5, 6)
    "plateau": (np.arange(1.0, 11.0), np.ones(10, int), np.array(["a", "b"] * 5)),
}


def _same(a: float, b: float, tol: float = 1e-10) -> bool:
    if math.isnan(b):
        return math.isnan(a)
    return a == pytest.approx(b, rel=tol, abs=tol)


# --------------------------------------------------------------------------- against lifelines


@pytest.mark.parametrize("name", sorted(COHORTS))
def test_km_curve_matches_lifelines_survival_and_log_log_interval(name):
    from lifelines import KaplanMeierFitter

    t, e, _ = COHORTS[name]
    c = fastsurv.km_curve(t, e)
    kmf = KaplanMeierFitter().fit(t, e)
    np.testing.assert_allclose(
        c.survival, kmf.survival_function_.iloc[:, 0].reindex(c.time).to_numpy(), rtol=1e-13
    )
    # lifelines' interval is the log-log ("exponential Greenwood") one: same Greenwood se, same transform
    lo, hi = c.limits("log-log")
    ci = kmf.confidence_interval_.reindex(c.time)
    ok = (c.survival > 0) & (c.survival < 1)
    np.testing.assert_allclose(lo[ok], ci.iloc[:, 0].to_numpy()[ok], rtol=1e-10)
    np.testing.assert_allclose(hi[ok], ci.iloc[:, 1].to_numpy()[ok], rtol=1e-10)


@pytest.mark.parametrize("name", sorted(COHORTS))
def test_logrank_matches_lifelines_multivariate_logrank_test(name):
    from lifelines.statistics import multivariate_logrank_test

    t, e, g = COHORTS[name]
    ref = multivariate_logrank_test(t, g, e)
    res = fastsurv.logrank(t, e, g)
    assert res.statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    assert res.pvalue == pytest.approx(ref.p_value, rel=1e-10)
    assert res.df == ref.degrees_of_freedom
    assert "numpy" in res.variant


# --------------------------------------------------------------------------- against hccrep.stats.survival


@pytest.mark.parametrize("conf_type", CONF_TYPES)
def test_km_median_and_landmarks_equal_the_lifelines_based_functions_on_random_tied_data(conf_type):
    rng = np.random.default_rng(11)
    for _ in range(50):
        n = int(rng.integers(2, 120))
        t = np.round(rng.exponential(10, n), int(rng.integers(0, 2)))
        e = rng.integers(0, 2, n)
        e[0] = 1
        a, b = survival.km_median(t, e, conf_type), fastsurv.km_median(t, e, conf_type)
        for x, y in ((b.median, a.median), (b.lower, a.lower), (b.upper, a.upper)):
            assert _same(x, y, 1e-12)
        at = [0.0, 1.0, 5.5, 12.0, 40.0]
        ref = survival.km_landmark(t, e, at, conf_type)
        lm = fastsurv.km_landmark(t, e, at, conf_type)
        for col in ("survival", "std_err", "lower", "upper", "n_risk"):
            np.testing.assert_allclose(
                getattr(lm, col).astype(float),
                getattr(ref, col).astype(float),
                rtol=1e-12,
                atol=1e-15,
            )


def test_logrank_equals_the_lifelines_based_function_on_random_tied_data():
    rng = np.random.default_rng(12)
    for _ in range(50):
        n = int(rng.integers(4, 150))
        t = np.round(rng.exponential(10, n))
        e = rng.integers(0, 2, n)
        e[0] = 1
        g = rng.integers(0, int(rng.integers(2, 5)), n)
        g[:2] = [0, 1]
        a, b = survival.logrank(t, e, g), fastsurv.logrank(t, e, g)
        assert b.statistic == pytest.approx(a.statistic, rel=1e-9, abs=1e-12)
        assert b.df == a.df


def test_median_on_a_plateau_at_one_half_takes_the_midpoint():
    # by hand: 10 events at 1..10, S(t) = 1 - k/10 after the k-th; S = 0.5 on [5, 6), so R's
    # summary(survfit) prints (5 + 6) / 2 = 5.5, where lifelines reports 5
    t, e, _ = COHORTS["plateau"]
    assert fastsurv.km_median(t, e).median == 5.5


# --------------------------------------------------------------------------- against live R


@pytest.mark.r
def test_km_and_logrank_match_R_survfit_and_survdiff_on_tied_data(tmp_path):
    require_r(("survival",))
    rows = [
        pd.DataFrame({"cohort": name, "time": t, "status": e, "group": g})
        for name, (t, e, g) in COHORTS.items()
    ]
    pd.concat(rows).to_csv(tmp_path / "in.csv", index=False, float_format="%.17g")
    run_r("fastsurv_reference.R", tmp_path / "in.csv", tmp_path / "out.csv")
    ref = read_kv(tmp_path / "out.csv")
    checked = 0
    for name, (t, e, g) in COHORTS.items():
        for ct in CONF_TYPES:
            m = fastsurv.km_median(t, e, ct)
            for field in ("median", "lower", "upper"):
                assert _same(getattr(m, field), ref[f"{name}.{ct}.{field}"]), (name, ct, field)
                checked += 1
            times = [x for x in (3.0, 6.0, 12.0) if f"{name}.{ct}.at{x:g}.survival" in ref]
            if times:
                lm = fastsurv.km_landmark(t, e, times, ct)
                for i, x in enumerate(times):
                    for field in ("survival", "lower", "upper", "n_risk"):
                        assert _same(
                            float(getattr(lm, field)[i]), ref[f"{name}.{ct}.at{x:g}.{field}"]
                        ), (name, ct, x, field)
                        checked += 1
        lr = fastsurv.logrank(t, e, g)
        assert lr.statistic == pytest.approx(ref[f"{name}.logrank.chisq"], rel=1e-9)
        assert lr.df == ref[f"{name}.logrank.df"]
    assert checked > 100


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: fastsurv.km_median([1, 2], [1]), "lengths differ"),
        (lambda: fastsurv.km_median([1, -2], [1, 1]), "negative"),
        (lambda: fastsurv.km_median([1, 2], [1, 2]), "0/1"),
        (lambda: fastsurv.km_median([1, 2], [1, 1], conf_type="arcsin"), "conf_type"),
        (lambda: fastsurv.km_median([1, 2], [1, 1], alpha=1.5), "alpha"),
        (lambda: fastsurv.km_landmark([1, 2], [1, 1], []), "at is empty"),
        (lambda: fastsurv.km_landmark([1, 2], [1, 1], [-1]), "negative"),
        (lambda: fastsurv.logrank([1, 2], [1, 1], ["a", "a"]), "at least 2"),
        (lambda: fastsurv.logrank([1, 2], [0, 0], ["a", "b"]), "no events"),
        (lambda: fastsurv.logrank([1, 2], [1, 1], ["a", None]), "missing"),
        (lambda: fastsurv.logrank([1, 2], [1, 1], ["a"]), "lengths differ"),
    ],
)
def test_bad_input_raises_a_named_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------- the fonc2025 runner


@pytest.mark.slow
def test_fonc2025_numpy_engine_equals_the_lifelines_engine_within_1e8():
    from hccrep.replication import runner_for, seeds_for

    fast = runner_for("fonc2025")
    slow = runner_for("fonc2025", variants={"km_engine": "lifelines"})
    assert fast.variants["km_engine"] == "numpy" and slow.variants["km_engine"] == "lifelines"
    for seed in seeds_for(2025, 2):
        cohort = fast.simulate(seed)
        a, b = fast.analyse(cohort), slow.analyse(cohort)
        assert a.keys() == b.keys()
        for k in a:
            assert _same(a[k], b[k], 1e-8), k


def test_fonc2025_unknown_km_engine_is_rejected():
    from hccrep.replication import runner_for

    with pytest.raises(ValueError, match="km_engine"):
        runner_for("fonc2025", variants={"km_engine": "R"})


def test_km_landmark_numbers_at_risk_worked_by_hand():
    # at risk at t: the patients whose time is t or later (R summary(fit, times=)$n.risk)
    lm = fastsurv.km_landmark([2, 7, 7, 8, 9], [1, 1, 0, 1, 1], at=[0, 2, 7, 7.5, 9, 10])
    assert lm.n_risk.tolist() == [5, 5, 4, 2, 1, 0]


def test_a_groups_median_and_landmarks_share_one_curve():
    """The handlers build a group's Kaplan-Meier curve once; its median and landmark rate are
    those of km_median and km_landmark on the group's patients."""
    from hccrep.analyses import compute
    from hccrep.declared import parse_analysis
    from hccrep.replication import runner_for

    runner = runner_for("fonc2025")
    view = runner.view(runner.simulate_columns(3))
    med = parse_analysis({"kind": "km_median", "endpoint": "os", "group": "io_t"})
    lm = parse_analysis({"kind": "km_landmark", "endpoint": "os", "group": "io_t", "time": 12})
    got_median, got_rate = compute(med, view), compute(lm, view)
    assert sum(1 for k in view.memo if k[0] == "km") == 1
    t, e = view.survival("os", view.mask(None, "io_t"))
    assert got_median.value == fastsurv.km_median(t, e).median
    assert got_rate.value == 100 * fastsurv.km_landmark(t, e, at=[12]).survival[0]

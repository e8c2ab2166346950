"""Survival helpers the Kaplan-Meier pages use: Weibull shapes from printed points, Monte Carlo
intervals, p-value histograms and the pooled curve against its subgroups."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from hccrep.plots import alt_text, pvalue_histogram
from hccrep.printed import counts_printing_as
from hccrep.replication import mc_intervals
from hccrep.simulate.study import implied_weibull_shapes, weibull_shape
from hccrep.stats import km_median, mixture_gap


def test_counts_printing_as():
    assert counts_printing_as(25.0, 0, 8) == [2]
    assert counts_printing_as(33.3, 1, 3) == [1]
    assert counts_printing_as(40.0, 0, 7) == []
    assert counts_printing_as(0.0, 0, 5) == [0]
    with pytest.raises(ValueError):
        counts_printing_as(10.0, 0, 0)


def test_weibull_shape_recovers_an_exact_weibull():
    for k in (0.7, 1.0, 2.3):
        t = np.array([1.0, 3.0, 7.0, 15.0])
        assert weibull_shape(t, np.exp(-((t / 9.0) ** k))) == pytest.approx(k, abs=1e-9)
    with pytest.raises(ValueError):
        weibull_shape([1, 2], [0.5, 1.0])
    with pytest.raises(ValueError):
        weibull_shape([2, 2], [0.6, 0.5])


def test_implied_weibull_shapes_read_the_declared_medians_and_rates(study):
    # hand derivation: a median m gives the point (m, 0.5), a landmark rate r% at t gives
    # (t, r / 100); the shape is the least-squares slope of log(-log S) on log t
    tab = implied_weibull_shapes(study).set_index(["endpoint", "group"])
    pts = {}
    for n in study.numbers:
        a = n.analysis
        if a is None or a.kind not in ("km_median", "km_landmark"):
            continue
        if (a.endpoint, a.group, a.by, a.population) != ("os", "io_t", None, None):
            continue
        if a.kind == "km_median":
            pts[n.value] = 0.5
        else:
            pts[a.time] = n.value / 100
    t, s = np.log(list(pts)), np.log(-np.log(list(pts.values())))
    slope = ((t - t.mean()) * (s - s.mean())).sum() / ((t - t.mean()) ** 2).sum()
    assert tab.loc[("os", "io_t"), "shape"] == pytest.approx(slope, rel=1e-9)
    assert (tab["shape"].dropna() > 0).all()


def test_mc_intervals_follow_the_scorecard_rules(study):
    mc = pd.DataFrame(
        {
            "os_logrank_p": np.linspace(0.001, 0.9, 41),
            "pfs_logrank_p": np.linspace(0.01, 0.5, 41),
            "pfs_median_io_t.upper": np.linspace(1, 100, 41),
        }
    )
    out = mc_intervals(study, mc, ["os_logrank_p", "pfs_logrank_p", "pfs_median_io_t.upper"])
    lo, hi = np.quantile(mc.os_logrank_p, [0.025, 0.975], method="inverted_cdf")
    assert out.loc["os_logrank_p", "mc_low"] == lo and out.loc["os_logrank_p", "mc_high"] == hi
    assert out.loc["pfs_median_io_t.upper", "reported"] == study.number("pfs_median_io_t").upper
    # "p<0.001" is inside only when the interval reaches below 0.001
    assert not out.loc["pfs_logrank_p", "inside"]
    with pytest.raises(ValueError):
        mc_intervals(study, mc, ["os_logrank_p"], level=1.0)


def test_pvalue_histogram_alt_text():
    rng = np.random.default_rng(0)
    fig = pvalue_histogram({"model": rng.uniform(size=50)}, {"reported": 0.2}, title="t")
    text = alt_text(fig)
    assert "50 cohorts" in text and "at or below reported" in text
    with pytest.raises(ValueError):
        pvalue_histogram({"model": [np.nan]}, {"reported": 0.2})


# ----------------------------------------------------------------------------- RT target


def test_mixture_gap_is_zero_without_censoring():
    rng = np.random.default_rng(1)
    t = rng.exponential(10, 60).round(1)  # ties included
    g = rng.choice(["x", "y", "z"], 60)
    gap = mixture_gap(t, np.ones(60, int), g)
    assert np.allclose(gap["gap"], 0.0)
    m = {k: km_median(t[g == k], np.ones((g == k).sum())).median for k in "xyz"}
    pooled = km_median(t, np.ones(60)).median
    assert min(m.values()) <= pooled <= max(m.values())


def test_differential_censoring_puts_both_medians_below_the_pooled_one():
    # the made-up cohort of the RT-target page: heavy, unequal censoring breaks the rule that the
    # pooled median lies between the subgroup medians
    d = pd.DataFrame(
        [(1, 1, "a")] * 6
        + [(5, 0, "a")] * 4
        + [(1.5, 0, "b")] * 37
        + [(2, 1, "b")] * 2
        + [(3, 0, "b")],
        columns=["time", "event", "group"],
    )
    sub = [km_median(x.time, x.event).median for _, x in d.groupby("group")]
    pooled = km_median(d.time, d.event).median
    assert all(np.isfinite(sub))
    assert math.isnan(pooled) or pooled > max(sub)
    assert mixture_gap(d.time, d.event, d.group)["gap"].max() > 0.2

"""hccrep.studies.fonc2025_km: Kaplan-Meier helpers of fonc2025 steps 4 (PFS/OS by arm) and 7 (RT target)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from hccrep.plots import alt_text
from hccrep.printed import equal_at_precision
from hccrep.replication import runner_for
from hccrep.stats import km_median
from hccrep.studies.fonc2025_km import (
    KM_FILES,
    differential_censoring_example,
    counts_printing_as,
    implied_weibull_shape,
    km_checks_runner,
    landmark_table,
    landmark_times,
    lifelines_median,
    mc_intervals,
    median_table,
    mixture_gap,
    pvalue_histogram,
    site_median_bound,
    site_medians,
    weibull_shape,
)


@pytest.fixture(scope="module")
def cohort(study):
    return runner_for(study).simulate(study.meta.book_seed)


# ----------------------------------------------------------------------------- runner


@pytest.mark.parametrize("seed", [3, 20250071])
def test_km_checks_runner_equals_the_full_runner(study, seed):
    full = runner_for(study).run(seed)
    fast = km_checks_runner(study, parts=("survival", "rt_site")).run(seed)
    keys = [n.key for n in study.numbers if n.file_id in (*KM_FILES, "rt_site")]
    keys += [f"{k}.{side}" for k in keys for side in ("lower", "upper") if f"{k}.{side}" in full]
    assert set(fast) <= set(full)
    compared = 0
    for k in keys:
        if k in full:
            assert k in fast, k
            a, b = full[k], fast[k]
            assert (math.isnan(a) and math.isnan(b)) or a == b, (k, a, b)
            compared += 1
    assert compared >= 20


def test_km_checks_runner_parts(study):
    only_site = km_checks_runner(study, parts=("rt_site",)).run(1)
    assert set(only_site) == {n.key for n in study.numbers if n.file_id == "rt_site"}
    with pytest.raises(ValueError, match="parts"):
        km_checks_runner(study, parts=("cox",))
    with pytest.raises(ValueError, match="parts"):
        km_checks_runner(study, parts=())


# ----------------------------------------------------------------------------- medians and landmarks


def test_median_table_matches_inputs_and_names_transforms(study, cohort):
    tab = median_table(study, cohort)
    medians = [n for n in study.numbers if n.file_id == "survival_text" and n.quantity == "median"]
    assert len(tab) == len(medians)
    for col in (
        "lower (log)",
        "upper (log)",
        "lower (log-log)",
        "upper (log-log)",
        "lifelines_median",
    ):
        assert col in tab.columns
    for (_, row), n in zip(tab.iterrows(), medians):
        assert (
            row.reported == n.value
            and row.reported_lower == n.lower
            and row.reported_upper == n.upper
        )
        assert equal_at_precision(row["median"], n.value, n.decimals), (n.key, row["median"])
    # the two transforms give different limits for at least one arm
    assert not np.allclose(tab["upper (log)"], tab["upper (log-log)"], equal_nan=True)


def test_lifelines_median_takes_the_start_of_a_flat_stretch():
    t, e = [2, 3, 5, 6, 8, 14, 16, 18, 20, 22], [1] * 10
    assert km_median(t, e).median == 11  # R: middle of 8 and 14
    assert lifelines_median(t, e) == 8
    assert math.isnan(lifelines_median([1, 2, 3], [1, 0, 0]))


def test_landmark_table(study, cohort):
    rates = [n for n in study.numbers if n.file_id == "survival_text" and n.quantity == "rate"]
    tab = landmark_table(study, cohort)
    assert list(tab.key) == [n.key for n in rates]
    assert sorted(landmark_times(study)) == sorted({float(n.about.horizon) for n in rates})
    sizes = {g.key: g.n for g in study.baseline().groups}
    for (_, row), n in zip(tab.iterrows(), rates):
        ks = counts_printing_as(n.value, n.decimals or 0, sizes[n.about.group])
        assert (row.k_of_n == "none") == (not ks)
        assert 0 <= row.km <= 100 and row.lower <= row.km <= row.upper
        assert row.n_risk == int(
            (
                cohort.loc[cohort.arm.astype(str) == n.about.group, f"{n.about.endpoint}_time"]
                >= row.month
            ).sum()
        )


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


def test_implied_weibull_shape(study):
    tab = implied_weibull_shape(study)
    assert len(tab) == 4 and tab["shape"].notna().all() and (tab["shape"] > 0).all()
    assert set(tab.endpoint) == {"PFS", "OS"}


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


def test_differential_censoring_example_puts_both_medians_below_the_pooled_one():
    d = differential_censoring_example()
    sub = [km_median(x.time, x.event).median for _, x in d.groupby("group")]
    pooled = km_median(d.time, d.event).median
    assert all(np.isfinite(sub))
    assert math.isnan(pooled) or pooled > max(sub)
    assert mixture_gap(d.time, d.event, d.group)["gap"].max() > 0.2


def test_site_medians_and_bound(study, cohort):
    tab = site_medians(study, cohort)
    assert tab.loc["liver", "n"] + tab.loc["pvtt_hvtt", "n"] == tab.iloc[-1]["n"]
    pooled = study.number("pfs_median_rt_io_t")
    assert tab.iloc[-1]["role"] == "input" and equal_at_precision(
        tab.iloc[-1]["median"], pooled.value, pooled.decimals
    )
    b = site_median_bound(study)
    sites = [n for n in study.numbers if n.file_id == "rt_site" and n.quantity == "median"]
    assert b["later site median"] == max(n.value for n in sites)
    assert b["events by then (at least)"] == sum(math.ceil(n.about.n / 2) for n in sites)
    assert b["patients"] == sum(n.about.n for n in sites)

"""The simulator reproduces every input exactly, keeps declared rules, and is deterministic."""

from __future__ import annotations

import hashlib
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from hccrep.stats import fastsurv
from hccrep.printed import parse_summary
from hccrep.simulate import (
    CalibrationError,
    Effect,
    SummaryMismatchError,
    exact_mean_sd,
    exact_quantiles,
    exact_summary_sample,
    rule_violations,
    simulate_baseline,
    simulate_binary,
    simulate_survival,
)
from hccrep.replication import runner_for
from hccrep.simulate.continuous import exact_mean_sd_with_cut
from hccrep.simulate.study import with_survival_shape, without_covariate_effects
from hccrep.spec import load_study

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def fonc():
    return load_study("fonc2025")


@pytest.mark.parametrize("seed", range(25))
def test_fonc2025_cohort_reproduces_every_table1_input_exactly(fonc, seed):
    df = simulate_baseline(fonc.baseline(), np.random.default_rng(seed), fonc.simulation)
    gcol = fonc.simulation.group_variable
    inputs = [n for n in fonc.numbers if n.role == "input" and n.file_id == "table1"]
    assert len(inputs) > 40
    for num in inputs:
        a = num.about
        if a.variable is not None:
            got = int(((df[gcol] == a.group) & (df[a.variable] == a.level)).sum())
        else:
            got = int((df[gcol] == a.group).sum())
        assert got == num.value, (num.key, got, num.value)
    assert not rule_violations(df, fonc.simulation).any()


def test_same_seed_gives_identical_bytes_across_processes(tmp_path):
    """Two fresh interpreters write the same CSV for the same seed, and a different one for another seed."""
    code = (
        "import sys, numpy as np; from hccrep.spec import load_study; from hccrep.simulate import simulate_baseline;"
        "st = load_study('fonc2025');"
        "df = simulate_baseline(st.baseline(), np.random.default_rng(int(sys.argv[1])), st.simulation);"
        "df.to_csv(sys.argv[2], index=False, lineterminator='\\n')"
    )
    digests = []
    for i, seed in enumerate([7, 7, 8]):
        out = tmp_path / f"c{i}.csv"
        subprocess.run(
            [sys.executable, "-c", code, str(seed), str(out)],
            check=True,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": str(i)},
        )
        digests.append(hashlib.sha256(out.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_exact_mean_sd_symmetric_and_skewed():
    rng = np.random.default_rng(0)
    x = exact_mean_sd(30, 51.2, 9.5, rng)
    assert x.mean() == pytest.approx(51.2, abs=1e-10) and x.std(ddof=1) == pytest.approx(
        9.5, abs=1e-10
    )
    # a lab value whose SD is three times its mean stays positive
    y = exact_mean_sd(152, 108.6, 371.4, rng, lower_bound=0.0)
    assert y.min() > 0
    assert y.mean() == pytest.approx(108.6, abs=1e-9) and y.std(ddof=1) == pytest.approx(
        371.4, abs=1e-9
    )


def test_exact_mean_sd_rejects_impossible_cv():
    # 5 positive values cannot have CV >= sqrt(5)
    with pytest.raises(SummaryMismatchError, match="impossible"):
        exact_mean_sd(5, 1.0, 3.0, np.random.default_rng(0), lower_bound=0.0)


@pytest.mark.parametrize("method", ["linear", "weibull"])
@pytest.mark.parametrize("n", [28, 29, 71])
def test_exact_quantiles_match_the_named_quantile_definition(method, n):
    rng = np.random.default_rng(n)
    x = exact_quantiles(
        rng.standard_normal(n), [(0.25, 3.1), (0.5, 12.8), (0.75, 22.4)], method=method
    )
    q = np.quantile(x, [0.25, 0.5, 0.75], method=method)
    np.testing.assert_allclose(q, [3.1, 12.8, 22.4], atol=1e-9)


def test_median_and_dichotomised_counts_agree():
    """AFP median (IQR) and the count below 400 hold together, and values stay positive."""
    rng = np.random.default_rng(3)
    s = parse_summary("300 (50, 2000)", "median_iqr")
    x = exact_summary_sample(s, 71, rng, lower_bound=0.0, cuts=[(400.0, 40)])
    assert int((x < 400).sum()) == 40
    np.testing.assert_allclose(np.quantile(x, [0.25, 0.5, 0.75]), [50, 300, 2000], atol=1e-9)
    assert x.min() > 0


def test_contradictory_median_and_count_raise():
    # median 300 means half the values are below 300 < 400, so only 10 below 400 is impossible
    with pytest.raises(SummaryMismatchError, match="contradicts"):
        exact_summary_sample(
            parse_summary("300 (50, 2000)", "median_iqr"),
            71,
            np.random.default_rng(0),
            lower_bound=0.0,
            cuts=[(400.0, 10)],
        )


def test_median_range_with_integer_like_targets():
    x = exact_summary_sample(
        parse_summary("20.0 (6.0, 30.0)", "median_range"), 29, np.random.default_rng(1)
    )
    assert (x.min(), np.median(x), x.max()) == (6.0, 20.0, 30.0)


def _write_demo(tmp_path: Path) -> Path:
    d = tmp_path / "demo"
    d.mkdir()
    base = {
        "study": "demo",
        "file_id": "table1",
        "type": "baseline",
        "source": {"kind": "table", "label": "Table 1"},
        "groups": [
            {"key": "a", "label": "A", "n": 60, "printed": "A (n=60)"},
            {"key": "b", "label": "B", "n": 40, "printed": "B (n=40)"},
        ],
        "variables": [
            {
                "key": "afp",
                "label": "AFP",
                "kind": "continuous",
                "summary": "median_iqr",
                "lower_bound": 0.0,
                "cells": {"a": "250 (20, 1500)", "b": "500 (60, 3000)"},
            },
            {
                "key": "afp_cat",
                "label": "AFP",
                "kind": "categorical",
                "cut_of": {"variable": "afp", "cuts": [400.0]},
                "levels": [{"key": "lt400", "label": "<400"}, {"key": "ge400", "label": ">=400"}],
                "cells": {
                    "a": {"lt400": "35 (58.3)", "ge400": "25 (41.7)"},
                    "b": {"lt400": "18 (45)", "ge400": "22 (55)"},
                },
            },
            {
                "key": "alt",
                "label": "ALT",
                "kind": "continuous",
                "summary": "mean_sd",
                "lower_bound": 0.0,
                "cells": {"a": "80.1±63.4", "b": "108.6±371.4"},
            },
        ],
    }
    (d / "table1.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    (d / "study.yaml").write_text(
        yaml.safe_dump({"key": "demo", "type": "study", "citation": "demo", "files": ["table1"]})
    )
    return tmp_path


def test_baseline_with_continuous_and_cut_of_variables(tmp_path):
    st = load_study("demo", data_dir=_write_demo(tmp_path))
    df = simulate_baseline(st.baseline(), np.random.default_rng(5))
    for g, med, below in [("a", 250, 35), ("b", 500, 18)]:
        part = df[df.group == g]
        assert np.median(part.afp) == pytest.approx(med)
        assert int((part.afp < 400).sum()) == below
        assert int((part.afp_cat == "lt400").sum()) == below
        assert ((part.afp < 400) == (part.afp_cat == "lt400")).all()
    assert df.alt.min() > 0
    assert df.loc[df.group == "b", "alt"].std(ddof=1) == pytest.approx(371.4)


def test_rng_must_be_a_generator(fonc):
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        simulate_baseline(fonc.baseline(), 1, fonc.simulation)


def test_survival_events_and_km_median_are_exact():
    from lifelines import KaplanMeierFitter

    d = pd.DataFrame({"arm": ["x"] * 42 + ["y"] * 29})
    out = simulate_survival(
        d,
        np.random.default_rng(2),
        group="arm",
        medians={"x": 4.6, "y": 12.6},
        events={"x": 35, "y": 18},
    )
    for g, med, ev in [("x", 4.6, 35), ("y", 12.6, 18)]:
        part = out[out.arm == g]
        assert part.event.sum() == ev
        # lifelines is an independent KM implementation (no averaging rule is needed: no exact 0.5 plateau here)
        km = KaplanMeierFitter().fit(part.time, part.event)
        assert km.median_survival_time_ == pytest.approx(med, rel=1e-12)


def test_survival_recovers_hazard_ratio_in_a_large_cohort():
    """With 4000 patients the Cox estimate of a simulated HR of 2 lies close to 2 (sampling error ~4 %)."""
    from lifelines import CoxPHFitter

    rng = np.random.default_rng(11)
    d = pd.DataFrame({"arm": "x", "pvt": rng.integers(0, 2, 4000)})
    out = simulate_survival(
        d, rng, group="arm", medians={"x": 10.0}, events={"x": 3000}, effects=[Effect("pvt", 2.0)]
    )
    cph = CoxPHFitter().fit(out[["time", "event", "pvt"]], "time", "event")
    assert np.exp(cph.params_["pvt"]) == pytest.approx(2.0, rel=0.12)


def test_survival_impossible_targets_raise():
    d = pd.DataFrame({"arm": ["x"] * 10})
    with pytest.raises(CalibrationError, match="11 events is impossible"):
        simulate_survival(
            d, np.random.default_rng(0), group="arm", medians={"x": 5.0}, events={"x": 11}
        )
    with pytest.raises(CalibrationError, match="median is not reached"):
        simulate_survival(
            d, np.random.default_rng(0), group="arm", medians={"x": 5.0}, events={"x": 2}
        )


def test_binary_outcome_has_exact_count_and_recovers_odds_ratio():
    import statsmodels.api as sm

    rng = np.random.default_rng(4)
    d = pd.DataFrame({"nlr_high": rng.integers(0, 2, 5000)})
    out = simulate_binary(d, rng, positives=1400, effects=[Effect("nlr_high", 3.0)])
    assert out.response.sum() == 1400
    fit = sm.Logit(out.response, sm.add_constant(out[["nlr_high"]].astype(float))).fit(disp=0)
    assert np.exp(fit.params["nlr_high"]) == pytest.approx(3.0, rel=0.15)


def test_binary_per_group_counts():
    d = pd.DataFrame({"arm": ["a"] * 42 + ["b"] * 29})
    out = simulate_binary(d, np.random.default_rng(0), positives={"a": 15, "b": 20}, group="arm")
    assert out.groupby("arm").response.sum().to_dict() == {"a": 15, "b": 20}


def test_effect_on_unknown_level_is_a_clear_error(fonc):
    df = simulate_baseline(fonc.baseline(), np.random.default_rng(0), fonc.simulation)
    with pytest.raises(KeyError, match="has no level 'D'"):
        simulate_binary(
            df, np.random.default_rng(0), positives=10, effects=[Effect("bclc", 2.0, "D")]
        )


def _r_median(time, event):
    """KM median as R's survfit prints it, built on lifelines' curve: where the curve sits at
    exactly 0.5 over an interval, R averages its two ends (lifelines takes the first)."""
    from lifelines import KaplanMeierFitter

    sf = KaplanMeierFitter().fit(time, event).survival_function_.iloc[:, 0]
    below = sf[sf <= 0.5 + 1e-12]
    first = below.index[0]
    if abs(below.iloc[0] - 0.5) < 1e-12:
        later = sf[(sf.index > first) & (sf < 0.5 - 1e-12)]
        return 0.5 * (first + later.index[0])
    return first


def test_survival_with_administrative_censoring_hits_the_median():
    """No event counts reported: censoring from a follow-up window, time scale solved by bisection."""

    d = pd.DataFrame({"arm": ["x"] * 42 + ["y"] * 29})
    for seed in range(5):
        out = simulate_survival(
            d,
            np.random.default_rng(seed),
            group="arm",
            medians={"x": 4.6, "y": 12.6},
            follow_up=(3.0, 63.0),
        )
        for g, med in [("x", 4.6), ("y", 12.6)]:
            part = out[out.arm == g]
            assert abs(_r_median(part.time, part.event) - med) <= 0.05
            assert (part.time <= 63.0).all() and 0 < part.event.sum() < len(part)


def test_survival_needs_exactly_one_censoring_model():
    d = pd.DataFrame({"arm": ["x"] * 10})
    with pytest.raises(ValueError, match="exactly one of events"):
        simulate_survival(d, np.random.default_rng(0), group="arm", medians={"x": 5.0})


def test_fast_km_median_equals_the_stats_module_on_tied_data():
    """The calibration loop's numpy KM median agrees with hccrep.stats.km_median (itself tested against R)."""
    from hccrep.stats.fastsurv import median_survival as _km_median
    from hccrep.stats import km_median

    rng = np.random.default_rng(8)
    for n in (6, 10, 29, 42, 80):
        for _ in range(40):
            t = rng.integers(1, 12, n).astype(float)  # many ties, curves often flat at exactly 0.5
            e = rng.integers(0, 2, n)
            ref = km_median(t, e).median
            got = _km_median(t, e)
            assert (np.isnan(ref) and np.isnan(got)) or got == ref


def test_fast_km_median_without_ties_equals_the_stats_module():
    """The tie-free path (one argsort, risk set n - k) gives what hccrep.stats.km_median gives, 0.5 plateaus included."""
    from hccrep.stats.fastsurv import median_survival as _km_median
    from hccrep.stats import km_median

    rng = np.random.default_rng(9)
    for n in (1, 2, 4, 7, 30, 151):
        for _ in range(40):
            t = rng.permutation(n).astype(float) + 1.0  # distinct times
            e = rng.integers(0, 2, n)
            ref, got = km_median(t, e).median, _km_median(t, e)
            assert (np.isnan(ref) and np.isnan(got)) or got == ref
    # by hand: 4 patients, all events at 1..4: S = .75, .5 (exactly), .25 -> median (2 + 3) / 2
    assert _km_median(np.array([4.0, 1.0, 3.0, 2.0]), np.ones(4, dtype=int)) == 2.5


def test_plain_python_km_median_equals_the_numpy_path_bit_for_bit(monkeypatch):
    """Arms of up to _SMALL patients take the plain-Python KM median; it multiplies the same factors in
    the same order as the numpy path, so the two give the same float on continuous times (the
    calibration's case), on plateaus at exactly 0.5 and on ties (both defer to the tie path)."""

    rng = np.random.default_rng(10)
    cases = []
    for n in (1, 2, 3, 4, 8, 35, 36, 90, fastsurv.SMALL_ARM):
        for _ in range(60):
            cases.append((rng.exponential(10, n), (rng.random(n) < 0.7).astype(int)))
            cases.append(
                (rng.permutation(n).astype(float) + 1.0, np.ones(n, dtype=int))
            )  # 0.5 plateaus
            cases.append((rng.integers(1, 6, n).astype(float), rng.integers(0, 2, n)))  # ties
    small = [fastsurv.median_survival(t, e) for t, e in cases]
    monkeypatch.setattr(fastsurv, "SMALL_ARM", -1)  # every size through numpy
    big = [fastsurv.median_survival(t, e) for t, e in cases]
    assert all((np.isnan(a) and np.isnan(b)) or a == b for a, b in zip(small, big))
    assert any(np.isnan(a) for a in small) and any(a != int(a) for a in small if np.isfinite(a))


def test_calibration_in_plain_python_gives_the_numpy_path_times(monkeypatch):
    """_calibrate_admin on small arms (plain-Python observation and median) returns the same times
    and events, to the bit, as with every median through numpy, with and without a capping endpoint."""
    from hccrep.simulate import outcomes

    rng = np.random.default_rng(11)
    cases = []
    for n in (12, 35, 60, 110):
        for capped in (False, True):
            t0 = rng.exponential(1.0, n)
            cens = rng.uniform(3, 40, n)
            cens_event = (rng.random(n) < 0.5).astype(int) if capped else np.zeros(n, dtype=int)
            cases.append((t0, cens, cens_event, float(rng.uniform(6, 12))))

    def run():
        out = []
        for t0, cens, ce, target in cases:
            try:
                out.append(outcomes._calibrate_admin(t0, cens, ce, target, "g", 0.05))
            except (outcomes.CalibrationError, outcomes._MedianJump) as err:
                out.append(type(err).__name__)
        return out

    small = run()
    monkeypatch.setattr(fastsurv, "SMALL_ARM", -1)
    big = run()
    for a, b in zip(small, big):
        if isinstance(a, str):
            assert a == b
        else:
            assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert sum(not isinstance(a, str) for a in small) >= 6


def test_administrative_calibration_is_exact_when_the_median_is_an_event_time():
    """Once bisection has bracketed the median patient, the scale is solved exactly (no 1e-8 residue)."""
    from hccrep.stats.fastsurv import median_survival as _km_median

    # no censoring can come before the median (follow-up >= 1000) and n is odd, so the KM median is
    # the 61st event time, a continuous function of the scale: it must come out exact
    d = pd.DataFrame({"arm": ["x"] * 121})
    for seed in range(10):
        out = simulate_survival(
            d,
            np.random.default_rng(seed),
            group="arm",
            medians={"x": 13.7},
            follow_up=(1000.0, 2000.0),
        )
        assert _km_median(out.time.to_numpy(), out.event.to_numpy()) == pytest.approx(
            13.7, rel=1e-12
        )
        assert np.sort(out.time.to_numpy())[60] == pytest.approx(13.7, rel=1e-12)


def _repair_by_full_recount(df, sim, groups, rng, max_steps=20000):
    """The rule repair written the plain way (the reference): after every swap, every patient's
    violations are counted again, on the labels themselves."""
    from hccrep.frames import str_labels
    from hccrep.simulate.baseline import _violations

    involved = sorted({v for r in sim.rules for v in (*r.if_, *r.then)})
    cols = {v: str_labels(df[v]).astype(object) for v in involved}
    g = str_labels(groups)
    bad = _violations(cols, sim)
    current = int(bad.sum())
    while current > 0:
        i = int(rng.choice(np.flatnonzero(bad)))
        col = cols[involved[int(rng.integers(len(involved)))]]
        same = np.flatnonzero((g == g[i]) & (col != col[i]))
        if same.size == 0:
            continue
        j = int(rng.choice(same))
        col[i], col[j] = col[j], col[i]
        new_bad = _violations(cols, sim)
        if int(new_bad.sum()) <= current:
            bad, current = new_bad, int(new_bad.sum())
        else:
            col[i], col[j] = col[j], col[i]
    return cols


@pytest.mark.parametrize("key", ["fonc2025", "deng2025"])
def test_rule_repair_checking_only_the_swapped_patients_equals_a_full_recount(key):
    from hccrep.frames import str_labels
    from hccrep.replication import runner_for
    from hccrep.simulate.baseline import _repair

    study = load_study(key)
    sim = study.simulation
    involved = sorted({v for r in sim.rules for v in (*r.if_, *r.then)})
    assert involved, f"{key} declares rules"
    gcol = sim.group_variable
    runner = runner_for(study)
    for seed in range(6):
        # a simulated cohort whose rule columns are shuffled within groups: the counts stay,
        # the rules break
        raw = runner.simulate(seed).reset_index(drop=True)
        rng = np.random.default_rng(seed)
        for v in involved:
            for _, idx in raw.groupby(gcol, observed=True).indices.items():
                raw.loc[idx, v] = raw[v].to_numpy()[rng.permutation(idx)]
        assert rule_violations(raw, sim).any()
        fast = _repair(raw, sim, raw[gcol], np.random.default_rng(100 + seed))
        reference = _repair_by_full_recount(raw, sim, raw[gcol], np.random.default_rng(100 + seed))
        for v in involved:
            assert list(str_labels(fast[v])) == list(reference[v]), (key, seed, v)
        assert not rule_violations(fast, sim).any()


# ----------------------------------------------------------------------------- what-if copies


def test_with_survival_shape_changes_only_the_copy():
    st = load_study("fonc2025")
    new = with_survival_shape(st, 2, endpoints=("os",))
    shapes = {sv.endpoint: sv.shape for sv in new.simulation.survival}
    assert shapes == {"os": 2.0, "pfs": 1.0}
    assert [sv.shape_from for sv in new.simulation.survival] == [None, None]
    assert {sv.endpoint: sv.shape for sv in st.simulation.survival}["os"] != 2.0
    a, b = runner_for(st).simulate(3), runner_for(new).simulate(3)
    pd.testing.assert_series_equal(a.ecog, b.ecog)
    assert not np.allclose(a.os_time, b.os_time)
    with pytest.raises(KeyError, match="unknown endpoint"):
        with_survival_shape(st, 2, endpoints=("dfs",))
    with pytest.raises(ValueError, match="positive"):
        with_survival_shape(st, 0)


def test_without_covariate_effects_keeps_baseline_and_arms():
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


def test_mean_sd_gives_numpys_mean_and_sd_to_the_bit():
    """The calibration's mean and SD (ddof=1) are numpy's own floats (reference: ndarray.mean/std)."""
    from hccrep.simulate.continuous import _mean_sd

    rng = np.random.default_rng(31)
    for _ in range(2000):
        y = np.exp(rng.normal(size=int(rng.integers(2, 400))) * rng.gamma(1.0) * 3)
        assert _mean_sd(y) == (y.mean(), y.std(ddof=1))


def test_merged_median_equals_the_sorted_pairs_median():
    """The calibration's merge walk gives fastsurv.median_survival_pairs' median to the bit.

    Reference: the same observed (time, status) pairs sorted and walked by
    ``median_survival_pairs`` (itself checked against lifelines and R in test_fastsurv.py),
    on random arms with administrative censoring and with a capping endpoint whose status
    may be an event, at scales from almost no events to almost no censoring.
    """
    from hccrep.simulate.outcomes import _median_merged
    from hccrep.stats.fastsurv import median_survival_pairs

    rng = np.random.default_rng(41)
    checked = ties = 0
    for _ in range(400):
        n = int(rng.integers(3, 90))
        t0 = rng.exponential(1.0, n).tolist()
        cens = rng.uniform(0.2, 3.0, n).tolist()
        cens_event = (rng.random(n) < rng.choice([0.0, 0.5])).astype(int).tolist()
        by_t0 = sorted(range(n), key=t0.__getitem__)
        by_cens = sorted(range(n), key=cens.__getitem__)
        for s in np.exp(rng.uniform(-3, 3, 8)).tolist() + [cens[0] / t0[0]]:
            got = _median_merged(s, t0, cens, cens_event, by_t0, by_cens)
            pairs = [
                (s * a, 1) if s * a <= c else (c, ce) for a, c, ce in zip(t0, cens, cens_event)
            ]
            ref = median_survival_pairs(pairs)
            if got is None:  # an event time equal to a censoring time: the caller sorts instead
                ties += 1
                continue
            checked += 1
            assert got == ref or (math.isnan(got) and math.isnan(ref))
    assert checked > 3000 and ties < 50


# hand-made targets: the sample's mean, SD (ddof 1) and count below the cut are computed directly
def test_exact_mean_sd_with_cut_hits_mean_sd_and_count():
    rng = np.random.default_rng(5)
    for n, mean, sd, cut, below in [
        (154, 62.6, 108.0, 40.0, 88),
        (89, 6.29, 2.27, 4.0, 11),
        (108, 173.0, 82.1, 100.0, 20),
    ]:
        x = exact_mean_sd_with_cut(n, mean, sd, cut, below, rng)
        assert math.isclose(x.mean(), mean, rel_tol=1e-9) and math.isclose(
            x.std(ddof=1), sd, rel_tol=1e-9
        )
        assert int((x < cut).sum()) == below and x.min() > 0


def test_exact_mean_sd_with_cut_refuses_impossible_targets():
    rng = np.random.default_rng(1)
    # 8 of 10 values at or above 50 cannot average 5
    with pytest.raises(SummaryMismatchError):
        exact_mean_sd_with_cut(10, 5.0, 1.0, 50.0, 2, rng)
    with pytest.raises(ValueError, match="n_below"):
        exact_mean_sd_with_cut(10, 5.0, 1.0, 4.0, 9, rng)
    with pytest.raises(ValueError, match="sd"):
        exact_mean_sd_with_cut(10, 5.0, 0.0, 4.0, 2, rng)

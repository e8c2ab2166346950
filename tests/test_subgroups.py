"""Subgroup hazard ratios, the Wald interaction test and the fragility simulation (hccrep.stats.subgroups)."""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest

from hccrep.replication import runner_for, seeds_for
from hccrep.simulate.interaction import simulate_interaction_cohort
from hccrep.stats import cox
from hccrep.stats.subgroups import (
    interaction_power,
    interaction_test,
    null_interaction_pvalues,
    share_any_significant,
    subgroup_table,
    uniformity_table,
)

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._rhelpers import require_r, rscript
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _rhelpers import require_r, rscript

FU = (3, 60)


def _cohort(seed: int, n: int = 80, ties: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {
            "arm": rng.choice(["ctl", "trt"], n),
            "sex": rng.choice(["f", "m"], n),
            "age": rng.choice(["young", "old"], n),
        }
    )
    t = rng.exponential(10 / np.exp(0.5 * (d.arm == "trt") - 0.3 * (d.sex == "m")), n)
    d["time"] = np.ceil(t) if ties else t
    d["event"] = rng.integers(0, 2, n)
    d.loc[:3, "event"] = 1
    return d


@pytest.fixture(scope="module")
def fonc():
    r = runner_for("fonc2025")
    return r, r.simulate(r.study.meta.book_seed)


# ---------------------------------------------------------------- interaction test


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("seed", range(6))
def test_interaction_test_engines_agree(seed, ties):
    d = _cohort(seed, ties=True)
    a = interaction_test(d, "time", "event", "arm", "sex", ties=ties, engine="lifelines")
    b = interaction_test(d, "time", "event", "arm", "sex", ties=ties, engine="numpy")
    assert a.estimable and b.estimable
    np.testing.assert_allclose(
        [a.hr, a.lower, a.upper, a.pvalue], [b.hr, b.lower, b.upper, b.pvalue], rtol=1e-6
    )
    assert a.levels == ("f", "m") and "Wald" in a.variant


def test_interaction_test_is_the_product_term_of_the_full_model():
    d = _cohort(11)
    x = pd.DataFrame(
        {
            "time": d.time,
            "event": d.event,
            "a": (d.arm == "trt").astype(float),
            "s": (d.sex == "m").astype(float),
        }
    )
    x["axs"] = x.a * x.s
    ref = cox(x, "time", "event", ["a", "s", "axs"]).table.loc["axs"]
    res = interaction_test(d, "time", "event", "arm", "sex", treated="trt")
    assert res.hr == pytest.approx(ref["hr"], rel=1e-9) and res.pvalue == pytest.approx(
        ref["p"], rel=1e-9
    )
    # the other coding of the arm turns the interaction round
    flipped = interaction_test(d, "time", "event", "arm", "sex", treated="ctl")
    assert flipped.hr == pytest.approx(1 / res.hr, rel=1e-6) and flipped.pvalue == pytest.approx(
        res.pvalue, rel=1e-6
    )


def test_interaction_test_matches_R_coxph(tmp_path):
    require_r(("survival",))
    d = _cohort(5, n=90, ties=True)
    path = tmp_path / "d.csv"
    d.to_csv(path, index=False)
    script = (
        "suppressMessages(library(survival)); d <- read.csv(commandArgs(TRUE)[1]);"
        "d$arm <- factor(d$arm, c('ctl','trt')); d$sex <- factor(d$sex, c('f','m'));"
        "for (tie in c('efron','breslow')) { s <- summary(coxph(Surv(time, event) ~ arm * sex, data = d, ties = tie))$coefficients;"
        "cat(tie, sprintf('%.12g', s['armtrt:sexm', c('exp(coef)', 'Pr(>|z|)')]), '\\n') }"
    )
    out = subprocess.run(
        [rscript(), "--vanilla", "-e", script, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in out.strip().splitlines():
        tie, hr, p = line.split()
        res = interaction_test(d, "time", "event", "arm", "sex", ties=tie, engine="numpy")
        assert res.hr == pytest.approx(float(hr), rel=1e-6) and res.pvalue == pytest.approx(
            float(p), rel=1e-6
        )


def test_interaction_not_estimable_when_a_cell_has_no_events():
    d = _cohort(3)
    d.loc[(d.arm == "trt") & (d.sex == "f"), "event"] = 0
    res = interaction_test(d, "time", "event", "arm", "sex")
    assert not res.estimable and np.isnan(res.pvalue) and np.isnan(res.hr)


def test_interaction_rejects_bad_input():
    d = _cohort(2)
    d["three"] = np.resize(["a", "b", "c"], len(d))
    with pytest.raises(ValueError, match="exactly two levels"):
        interaction_test(d, "time", "event", "arm", "three")
    with pytest.raises(ValueError, match="no level 'x'"):
        interaction_test(d, "time", "event", "arm", "sex", treated="x")
    with pytest.raises(ValueError, match="unknown engine"):
        interaction_test(d, "time", "event", "arm", "sex", engine="R")
    with pytest.raises(ValueError, match="column 'nope'"):
        interaction_test(d, "nope", "event", "arm", "sex")


@pytest.mark.parametrize("engine", ["lifelines", "numpy"])
@pytest.mark.parametrize(
    ("change", "message"),
    [
        # R's Surv() status 1 = censored, 2 = event: read as numbers, the 1s would be events and
        # subgroup_table would count 1 + 2 per patient (391 "events" among lung's 227 patients)
        (
            lambda d: d.assign(event=d.event + 1),
            r"event column 'event' must be 0/1 \(1 = event\), found \[2\.0\]",
        ),
        (lambda d: d.assign(time=d.time - 5), "duration column 'time' contains negative times"),
        (lambda d: d.assign(time=np.where(d.index == 7, np.inf, d.time)), "infinite"),
    ],
)
def test_interaction_test_and_subgroup_table_validate_times_and_events_as_cox_does(
    engine, change, message
):
    d = change(_cohort(8))
    with pytest.raises(ValueError, match=message):
        interaction_test(d, "time", "event", "arm", "sex", engine=engine)
    with pytest.raises(ValueError, match=message):
        subgroup_table(d, "time", "event", "arm", ["sex"], engine=engine)


def test_interaction_p_equals_the_runner_scorecard_values(fonc):
    runner, cohort = fonc
    values = runner.analyse(cohort)
    for ep in ("pfs", "os"):
        for var in ("age", "ecog"):
            res = interaction_test(
                cohort,
                f"{ep}_time",
                f"{ep}_event",
                "arm",
                var,
                treated="rt_io_t",
                engine="lifelines",
            )
            assert res.pvalue == pytest.approx(values[f"sg_{ep}_{var}_pint"], rel=1e-5)


# ---------------------------------------------------------------- subgroup table


def test_subgroup_table_rows_counts_and_labels():
    d = _cohort(4)
    tab = subgroup_table(
        d,
        "time",
        "event",
        "arm",
        ["sex", "age"],
        treated="trt",
        labels={"sex": "Sex"},
        level_labels={"sex": {"f": "Female"}},
        engine="numpy",
    )
    assert tab.level.tolist() == ["all", "f", "m", "old", "young"]
    assert tab.label.tolist()[:3] == ["All patients", "Female", "m"]
    assert tab.group.tolist()[1:] == ["Sex", "Sex", "age", "age"] and pd.isna(tab.group.iloc[0])
    for var in ("sex", "age"):
        part = tab[tab.variable == var]
        assert part.n_control.sum() + part.n_treated.sum() == len(d)
        assert part.events_control.sum() + part.events_treated.sum() == d.event.sum()
        assert part.p_interaction.nunique() == 1
    # the overall row is the plain Cox model of the arm
    x = pd.DataFrame({"time": d.time, "event": d.event, "a": (d.arm == "trt").astype(float)})
    assert tab.hr.iloc[0] == pytest.approx(
        cox(x, "time", "event", ["a"]).table.loc["a", "hr"], rel=1e-6
    )


def test_subgroup_table_marks_a_level_without_events_in_one_arm():
    d = _cohort(6)
    d.loc[(d.arm == "trt") & (d.sex == "f"), "event"] = 0
    tab = subgroup_table(d, "time", "event", "arm", ["sex"], engine="numpy").set_index("level")
    assert np.isnan(tab.loc["f", "hr"]) and np.isfinite(tab.loc["m", "hr"])
    assert np.isnan(tab.loc["f", "p_interaction"])


def test_subgroup_table_hrs_equal_the_runner_values(fonc):
    runner, cohort = fonc
    values = runner.analyse(cohort)
    tab = subgroup_table(
        cohort, "os_time", "os_event", "arm", ["age", "ecog"], treated="rt_io_t"
    ).set_index("level")
    assert tab.loc["lt60", "hr"] == pytest.approx(values["sg_os_age_lt60_hr"], rel=1e-5)
    assert tab.loc["ps0", "upper"] == pytest.approx(values["sg_os_ecog0_hr.upper"], rel=1e-5)


# ---------------------------------------------------------------- Monte Carlo helpers


def test_null_interaction_pvalues_reproducible_and_equal_to_the_runner(fonc):
    runner, _ = fonc
    seeds = seeds_for(99, 3)
    a = null_interaction_pvalues(
        runner.simulate, seeds, ["os"], ["age", "ecog"], arm="arm", treated="rt_io_t"
    )
    b = null_interaction_pvalues(
        runner.simulate, seeds, ["os"], ["age", "ecog"], arm="arm", treated="rt_io_t", n_jobs=2
    )
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 6 and list(a.columns) == ["cohort", "endpoint", "variable", "p", "hr"]
    assert a.loc[(a.cohort == 1) & (a.variable == "ecog"), "p"].item() == pytest.approx(
        runner.run(seeds[1])["sg_os_ecog_pint"], rel=1e-6
    )


def test_null_interaction_pvalues_equal_interaction_test_one_by_one(fonc):
    """The side-by-side fits of null_interaction_pvalues give interaction_test's p and HR for every
    endpoint and variable, including the NaN of a subgroup whose arm-by-level cell has no events
    (small cohorts drawn from the fonc2025 runner and cut to 40 patients provoke them)."""
    runner, _ = fonc
    variables = [
        "age",
        "gender",
        "ecog",
        "afp",
        "portal_vein_invasion",
        "tumour_diameter",
        "extrahepatic_metastasis",
    ]

    def small(seed):
        c = runner.simulate(seed)
        return c.sample(40, random_state=0).reset_index(drop=True)

    seeds = seeds_for(5, 6)
    got = null_interaction_pvalues(
        small, seeds, ["pfs", "os"], variables, arm="arm", treated="rt_io_t"
    )
    nan_seen = 0
    for i, s in enumerate(seeds):
        c = small(s)
        for ep in ("pfs", "os"):
            for var in variables:
                ref = interaction_test(
                    c, f"{ep}_time", f"{ep}_event", "arm", var, treated="rt_io_t", engine="numpy"
                )
                row = got[(got.cohort == i) & (got.endpoint == ep) & (got.variable == var)].iloc[0]
                if np.isnan(ref.pvalue):
                    assert np.isnan(row.p) and np.isnan(row.hr)
                    nan_seen += 1
                else:
                    assert row.p == pytest.approx(ref.pvalue, rel=1e-7) and row.hr == pytest.approx(
                        ref.hr, rel=1e-7
                    )
    assert nan_seen > 0


def test_uniformity_table_and_share_any_significant():
    p = np.r_[np.linspace(0.005, 0.995, 100), np.nan]
    tab = uniformity_table(p, alphas=[0.05, 0.5])
    assert (
        tab.share.tolist() == [0.05, 0.5]
        and tab.attrs["n_not_estimable"] == 1
        and tab.attrs["ks_p"] > 0.9
    )
    with pytest.raises(ValueError, match="no estimable"):
        uniformity_table([np.nan])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        uniformity_table([1.5])
    d = pd.DataFrame({"cohort": [0, 0, 1, 1, 2, 2], "p": [0.01, 0.5, 0.2, 0.7, np.nan, 0.04]})
    assert share_any_significant(d) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        share_any_significant(d.iloc[:0])


# ---------------------------------------------------------------- power


def test_simulate_interaction_cohort_sizes_seed_and_effect():
    sizes = [[10, 5], [8, 7]]
    a = simulate_interaction_cohort(
        np.random.default_rng(1), sizes, median_control=10, hr_arm=2, follow_up=FU
    )
    b = simulate_interaction_cohort(
        np.random.default_rng(1), sizes, median_control=10, hr_arm=2, follow_up=FU
    )
    pd.testing.assert_frame_equal(a, b)
    assert pd.crosstab(a.arm, a["sub"]).to_numpy().tolist() == sizes
    assert (a.time <= FU[1]).all() and set(a.event) <= {0, 1}
    big = simulate_interaction_cohort(
        np.random.default_rng(2),
        [[3000, 3000], [3000, 3000]],
        median_control=10,
        hr_arm=2,
        hr_interaction=3,
        follow_up=(1000, 2000),
    )
    res = interaction_test(big, "time", "event", "arm", "sub", treated=1, engine="numpy")
    assert res.hr == pytest.approx(3, rel=0.1)
    # without censoring, the control reference cell has the requested median
    ctl = big[(big.arm == 0) & (big["sub"] == 0)]
    assert np.median(ctl.time) == pytest.approx(10, rel=0.1)


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"sizes": [[1, 2, 3], [1, 2, 3]]}, "2 x 2"),
        ({"sizes": [[0, 0], [3, 4]]}, "every arm"),
        ({"sizes": [[1.5, 2], [3, 4]]}, "whole numbers"),
        ({"median_control": -1}, "median_control"),
        ({"hr_interaction": 0}, "hr_interaction"),
        ({"follow_up": (5, 1)}, "follow_up"),
    ],
)
def test_simulate_interaction_cohort_rejects_bad_designs(bad, match):
    kw = {"sizes": [[5, 5], [5, 5]], "median_control": 10, "hr_arm": 1, "follow_up": FU} | bad
    with pytest.raises(ValueError, match=match):
        simulate_interaction_cohort(np.random.default_rng(0), **kw)


def test_interaction_power_equals_the_dataframe_loop():
    """interaction_power fits its cohorts side by side in blocks of 100: the same power, type M
    and non-estimable count as drawing and testing 230 cohorts one by one with interaction_test."""
    kw = {"median_control": 10, "hr_arm": 1, "hr_interaction": 3, "follow_up": FU}
    sizes = [[5, 3], [4, 6]]  # small cells: some cohorts have a cell without events
    res = interaction_power(sizes, rng=np.random.default_rng(8), n_sim=230, **kw)
    rng = np.random.default_rng(8)
    p, hr = [], []
    for _ in range(230):
        r = interaction_test(
            simulate_interaction_cohort(rng, sizes, **kw),
            "time",
            "event",
            "arm",
            "sub",
            treated=1,
            engine="numpy",
        )
        p.append(r.pvalue)
        hr.append(r.hr)
    p, hr = np.array(p), np.array(hr)
    sig = p < 0.05
    assert 0 < res.n_not_estimable and 0 < sig.sum() < 230  # both kinds of cohort occur
    assert res.power == pytest.approx(sig.mean())
    assert res.n_not_estimable == int(np.isnan(p).sum())
    if sig.any():
        assert res.exaggeration == pytest.approx(np.mean(np.abs(np.log(hr[sig])) / np.log(3)))
        assert res.median_hr_significant == pytest.approx(
            np.median(np.maximum(hr[sig], 1 / hr[sig]))
        )


def test_interaction_power_null_size_and_monotone_power():
    sizes = [[40, 40], [40, 40]]
    kw = {"median_control": 10, "hr_arm": 1, "follow_up": FU, "n_sim": 300}
    null = interaction_power(sizes, hr_interaction=1, rng=np.random.default_rng(0), **kw)
    assert 0.02 <= null.power <= 0.09 and np.isnan(null.exaggeration)
    again = interaction_power(sizes, hr_interaction=1, rng=np.random.default_rng(0), **kw)
    assert (again.power, again.median_hr_significant) == (null.power, null.median_hr_significant)
    weak = interaction_power(sizes, hr_interaction=2, rng=np.random.default_rng(1), **kw)
    strong = interaction_power(sizes, hr_interaction=4, rng=np.random.default_rng(1), **kw)
    assert null.power < weak.power < strong.power
    # significant estimates of a modest interaction overstate it (type M error)
    assert weak.exaggeration > strong.exaggeration > 1


def test_interaction_power_rejects_bad_arguments():
    kw = {"median_control": 10, "hr_arm": 1, "hr_interaction": 2, "follow_up": FU}
    with pytest.raises(ValueError, match="n_sim"):
        interaction_power([[5, 5], [5, 5]], rng=np.random.default_rng(0), n_sim=0, **kw)
    with pytest.raises(TypeError, match="Generator"):
        interaction_power([[5, 5], [5, 5]], rng=0, n_sim=5, **kw)
    with pytest.raises(ValueError, match="alpha"):
        interaction_power([[5, 5], [5, 5]], rng=np.random.default_rng(0), n_sim=5, alpha=1.5, **kw)
    with pytest.raises(ValueError, match="ties"):
        interaction_power(
            [[5, 5], [5, 5]], rng=np.random.default_rng(0), n_sim=5, ties="exact", **kw
        )

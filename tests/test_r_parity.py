"""hccrep.stats against R, run live.

R scripts in ``tests/r/`` compute reference values on shared data -- R's
``survival::lung`` (written to CSV by R itself; nothing is downloaded) and
seeded random tables, samples and cohorts with tied times generated here and
written to CSV for R to read.  Every statistic must agree to 1e-6 relative;
medians, degrees of freedom and counts exactly.

Without R these tests are skipped with the reason; with ``HCCREP_REQUIRE_R=1``
(CI) they fail instead.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hccrep.stats import compare_counts, compare_samples, cox, km_landmark, km_median, logrank

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._rhelpers import read_kv, require_r, run_r
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _rhelpers import read_kv, require_r, run_r

pytestmark = pytest.mark.r

REL = 1e-6


# --------------------------------------------------------------------------
# shared data (generated here, read back from CSV by both sides)
# --------------------------------------------------------------------------

FIXED_TABLES = {
    "t2x2": [[12, 5], [8, 15]],
    "t2x2_small": [[3, 1], [1, 3]],
    "t2x2_zero": [[0, 7], [5, 4]],
    "t2x2_large": [[45, 30], [44, 124]],
    "t2x3": [[8, 2, 3], [1, 5, 4]],
    "t3x2": [[10, 20], [5, 3], [2, 9]],
    "t3x3": [[12, 2, 3], [1, 15, 4], [3, 4, 9]],
    "t3x3_rare": [[2, 1, 3], [30, 60, 40], [57, 93, 65]],
    "t4x2": [[20, 10], [12, 8], [6, 7], [4, 4]],
    "t3x4": [[10, 8, 9, 4], [12, 5, 9, 5], [20, 16, 11, 20]],
    "t5x3": [[3, 0, 1], [5, 2, 2], [4, 6, 1], [1, 3, 5], [0, 1, 4]],
}


def _random_tables(n_tables: int = 24, seed: int = 20250101) -> dict[str, list[list[int]]]:
    rng = np.random.default_rng(seed)
    out = {}
    while len(out) < n_tables:
        r, c = rng.integers(2, 5, size=2)
        n = int(rng.integers(8, 60))
        probs = rng.dirichlet(np.ones(r * c))
        t = rng.multinomial(n, probs).reshape(r, c)
        if (t.sum(axis=0) == 0).any() or (t.sum(axis=1) == 0).any():
            continue
        out[f"rand{len(out):02d}_{r}x{c}"] = t.tolist()
    return out


TABLES = {**FIXED_TABLES, **_random_tables()}


def _samples() -> dict[str, list[np.ndarray]]:
    rng = np.random.default_rng(7)

    def distinct(n, loc, scale, decimals=2):
        while True:
            x = np.round(rng.normal(loc, scale, n), decimals)
            if np.unique(x).size == n:
                return x

    a = distinct(27, 50, 10)
    s_noties = [a[:12], a[12:] + 6]
    big = distinct(130, 0, 1, 3)
    s_large = [big[:60], big[60:] + 0.3]
    return {
        "noties": s_noties,
        "ties": [rng.integers(0, 11, 20).astype(float), rng.integers(2, 13, 25).astype(float)],
        "large": s_large,
        "skewed": [np.round(rng.lognormal(3, 0.8, 15), 1), np.round(rng.lognormal(3.4, 0.5, 9), 1)],
        "g3_ties": [
            rng.integers(0, 8, n).astype(float) + shift for n, shift in ((20, 0), (25, 1), (30, 2))
        ],
        "g4": [
            np.round(rng.normal(m, 1.5, n), 1) for n, m in ((8, 0), (11, 0.5), (9, 1.2), (12, 0.1))
        ],
    }


SAMPLES = _samples()


def _cohorts() -> pd.DataFrame:
    rng = np.random.default_rng(314159)
    parts = []

    def cohort(name, groups, sizes, medians, follow_up, decimals=0):
        n = sum(sizes)
        group = np.repeat(groups, sizes)
        x_cont = np.round(rng.normal(60, 10, n), 1)
        x_bin = rng.integers(0, 2, n)
        x_int = rng.integers(0, 4, n)
        rate = np.repeat(np.log(2) / np.asarray(medians, dtype=float), sizes)
        rate = rate * np.exp(0.02 * (x_cont - 60) + 0.4 * x_bin + 0.15 * x_int)
        t_event = rng.exponential(1 / rate)
        t_cens = rng.uniform(follow_up / 4, follow_up, n)
        time = np.minimum(t_event, t_cens)
        time = np.maximum(np.round(time, decimals), 10.0**-decimals)  # ties, no zero times
        status = (t_event <= t_cens).astype(int)
        parts.append(
            pd.DataFrame(
                {
                    "cohort": name,
                    "time": time,
                    "status": status,
                    "group": group,
                    "x_cont": x_cont,
                    "x_bin": x_bin,
                    "x_int": x_int,
                }
            )
        )

    cohort("c71", ["A", "B"], [42, 29], [10, 16], 36)  # integer months: many ties
    cohort("c150", ["A", "B", "C"], [60, 50, 40], [8, 12, 20], 48)
    cohort("c_cens", ["A", "B"], [30, 25], [80, 120], 24, decimals=1)  # median not reached
    # KM exactly 0.5 on [5, 6): R's median is the midpoint 5.5
    parts.append(
        pd.DataFrame(
            {
                "cohort": "c_half",
                "time": np.arange(1.0, 11.0),
                "status": 1,
                "group": ["A", "B"] * 5,
                "x_cont": np.round(rng.normal(60, 10, 10), 1),
                "x_bin": [0, 1, 1, 0, 1, 0, 0, 1, 1, 0],
                "x_int": rng.integers(0, 4, 10),
            }
        )
    )
    # edge cases: an event at time 0, censoring before the first event (S = 1 with
    # an undefined log-log limit), tied events and censorings, a curve ending at 0
    edge_time = [0, 0.5, 0.5, 1, 2, 2, 2, 3, 4, 5, 5, 6, 6, 8, 9, 12]
    edge_status = [1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1]
    parts.append(
        pd.DataFrame(
            {
                "cohort": "c_edge",
                "time": np.asarray(edge_time, dtype=float),
                "status": edge_status,
                "group": ["A", "B"] * 8,
                "x_cont": np.round(rng.normal(60, 10, 16), 1),
                "x_bin": [0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0],
                "x_int": rng.integers(0, 4, 16),
            }
        )
    )
    return pd.concat(parts, ignore_index=True)


COHORTS = _cohorts()
COHORT_IDS = list(COHORTS["cohort"].unique())
LANDMARKS = {
    "lung": [0, 5, 180, 365, 500.5, 730, 1022, 2000],
    **{c: [0, 0.5, 5, 6, 12, 24, 36, 1000] for c in COHORT_IDS},
}
DATASETS = ["lung", *COHORT_IDS]


@pytest.fixture(scope="module")
def r(tmp_path_factory):
    """Write the shared data, run the R reference scripts, return (refs, data)."""
    require_r(("survival",))
    d = tmp_path_factory.mktemp("r_parity")
    rows = [
        (tid, i, j, c)
        for tid, t in TABLES.items()
        for i, row in enumerate(t)
        for j, c in enumerate(row)
    ]
    pd.DataFrame(rows, columns=["id", "i", "j", "count"]).to_csv(d / "tables.csv", index=False)
    rows = [
        (sid, f"g{k}", v)
        for sid, groups in SAMPLES.items()
        for k, g in enumerate(groups)
        for v in g
    ]
    pd.DataFrame(rows, columns=["id", "group", "value"]).to_csv(d / "samples.csv", index=False)
    COHORTS.to_csv(d / "cohorts.csv", index=False)
    pd.DataFrame(
        [(k, t) for k, ts in LANDMARKS.items() for t in ts], columns=["cohort", "time"]
    ).to_csv(d / "landmarks.csv", index=False)
    run_r("lung_data.R", d / "lung.csv")
    run_r("tables_reference.R", d, d / "tables_ref.csv")
    run_r("survival_reference.R", d, d / "survival_ref.csv")
    refs = {**read_kv(d / "tables_ref.csv"), **read_kv(d / "survival_ref.csv")}

    read = {"float_precision": "round_trip"}
    lung = pd.read_csv(d / "lung.csv", **read)
    coh = pd.read_csv(d / "cohorts.csv", **read)
    samples = pd.read_csv(d / "samples.csv", **read)
    data = {"lung": lung.assign(group=lung["sex"]), "lung_full": lung, "samples": samples}
    for cid in COHORT_IDS:
        data[cid] = coh[coh["cohort"] == cid].reset_index(drop=True)
    return refs, data


def _same(actual: float, expected: float, rel: float = REL, abs_: float = 1e-300) -> bool:
    """Relative agreement; ``abs_`` only for quantities of order 1 that can be 0 (rounding noise)."""
    if math.isnan(expected):
        return math.isnan(actual)
    return actual == pytest.approx(expected, rel=rel, abs=abs_)


STAT_ABS = 1e-12  # a statistic of 0 in one language is ~1e-31 in the other


def _sample_groups(data, sid) -> list[np.ndarray]:
    s = data["samples"]
    s = s[s["id"] == sid]
    return [g["value"].to_numpy() for _, g in s.groupby("group", sort=False)]


# --------------------------------------------------------------------------
# contingency tables
# --------------------------------------------------------------------------


@pytest.mark.parametrize("correct", [True, False], ids=["yates", "no_correction"])
@pytest.mark.parametrize("tid", list(TABLES))
def test_chisq_matches_R_chisq_test(r, tid, correct):
    refs, _ = r
    key = f"table.{tid}.chisq_correct_{str(correct).lower()}"
    res = compare_counts(TABLES[tid], test="chisq_yates" if correct else "chisq")
    assert res.df == refs[f"{key}.df"]
    assert _same(res.statistic, refs[f"{key}.statistic"], abs_=STAT_ABS)
    assert _same(res.pvalue, refs[f"{key}.p"])


@pytest.mark.parametrize("tid", list(TABLES))
def test_fisher_matches_R_fisher_test(r, tid):
    refs, _ = r
    res = compare_counts(TABLES[tid], test="fisher")
    assert _same(res.pvalue, refs[f"table.{tid}.fisher.p"])
    if np.shape(TABLES[tid]) == (2, 2):
        # R finds the conditional MLE odds ratio with uniroot() at its default
        # tolerance .Machine$double.eps^0.25 (~1e-4), so R's estimate itself is
        # only good to ~4 significant digits; scipy solves it to full precision.
        assert _same(res.statistic, refs[f"table.{tid}.fisher.estimate"], rel=1e-3)


@pytest.mark.parametrize("tid", list(TABLES))
def test_auto_fisher_uses_fisher_exactly_when_an_expected_count_is_below_5(r, tid):
    refs, _ = r
    res = compare_counts(TABLES[tid], test="auto_fisher")
    if refs[f"table.{tid}.min_expected"] < 5:
        assert res.test == "Fisher exact"
        assert _same(res.pvalue, refs[f"table.{tid}.fisher.p"])
    else:
        assert res.test == "chi-square"
        assert _same(res.pvalue, refs[f"table.{tid}.chisq_correct_false.p"])


# --------------------------------------------------------------------------
# continuous samples
# --------------------------------------------------------------------------

TWO_GROUP = [s for s, g in SAMPLES.items() if len(g) == 2]


@pytest.mark.parametrize("var_equal", [True, False], ids=["student", "welch"])
@pytest.mark.parametrize("sid", TWO_GROUP)
def test_t_tests_match_R_t_test(r, sid, var_equal):
    refs, data = r
    res = compare_samples(_sample_groups(data, sid), test="student" if var_equal else "welch")
    key = f"samples.{sid}.t_var_equal_{str(var_equal).lower()}"
    for field, attr in (("statistic", "statistic"), ("df", "df"), ("p", "pvalue")):
        assert _same(getattr(res, attr), refs[f"{key}.{field}"]), field


@pytest.mark.parametrize("sid", TWO_GROUP)
def test_mannwhitney_matches_R_wilcox_test_normal_approximation(r, sid):
    refs, data = r
    res = compare_samples(_sample_groups(data, sid), test="mannwhitney")
    assert _same(res.statistic, refs[f"samples.{sid}.wilcox_approx.statistic"])
    assert _same(res.pvalue, refs[f"samples.{sid}.wilcox_approx.p"])


@pytest.mark.parametrize("sid", TWO_GROUP)
def test_mannwhitney_exact_matches_R_wilcox_test_default(r, sid):
    """R's default: exact without ties and below 50 per group ("large": 60 vs 70), else the approximation."""
    refs, data = r
    groups = _sample_groups(data, sid)
    res = compare_samples(groups, test="mannwhitney_exact")
    assert _same(res.statistic, refs[f"samples.{sid}.wilcox_exact.statistic"])
    assert _same(res.pvalue, refs[f"samples.{sid}.wilcox_exact.p"])
    pooled = np.concatenate(groups)
    assert ("ties present" in res.variant) == (np.unique(pooled).size < pooled.size)


@pytest.mark.parametrize("sid", list(SAMPLES))
def test_kruskal_matches_R_kruskal_test(r, sid):
    refs, data = r
    res = compare_samples(_sample_groups(data, sid), test="kruskal")
    assert res.df == refs[f"samples.{sid}.kruskal.df"]
    assert _same(res.statistic, refs[f"samples.{sid}.kruskal.statistic"])
    assert _same(res.pvalue, refs[f"samples.{sid}.kruskal.p"])


@pytest.mark.parametrize("sid", list(SAMPLES))
def test_anova_matches_R_oneway_test_equal_variances(r, sid):
    refs, data = r
    res = compare_samples(_sample_groups(data, sid), test="anova")
    assert res.df == refs[f"samples.{sid}.anova.df"]
    assert _same(res.statistic, refs[f"samples.{sid}.anova.statistic"])
    assert _same(res.pvalue, refs[f"samples.{sid}.anova.p"])


# --------------------------------------------------------------------------
# Kaplan-Meier, log-rank
# --------------------------------------------------------------------------


def _km_subsets(data, name):
    d = data[name]
    yield name, d
    for g in sorted(d["group"].unique()):
        yield f"{name}.group_{g}", d[d["group"] == g]


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
@pytest.mark.parametrize("name", DATASETS)
def test_km_median_and_ci_match_R_survfit_table(r, name, conf_type):
    refs, data = r
    for prefix, d in _km_subsets(data, name):
        res = km_median(d["time"], d["status"], conf_type=conf_type)
        key = f"{prefix}.km.{conf_type}"
        got = (res.median, res.lower, res.upper)
        want = tuple(refs[f"{key}.{f}"] for f in ("median", "lower", "upper"))
        assert all((math.isnan(w) and math.isnan(g)) or g == w for g, w in zip(got, want)), (
            prefix,
            got,
            want,
        )


def test_km_median_midpoint_rule_is_exercised(r):
    refs, _ = r
    assert refs["c_half.km.log.median"] == 5.5


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
@pytest.mark.parametrize("name", DATASETS)
def test_km_landmark_matches_R_summary_times(r, name, conf_type):
    refs, data = r
    for prefix, d in _km_subsets(data, name):
        tab = km_landmark(d["time"], d["status"], LANDMARKS[name], conf_type=conf_type).to_frame()
        for row in tab.itertuples(index=False):
            key = f"{prefix}.km.{conf_type}.landmark.{row.time:.17g}"
            if f"{key}.survival" not in refs:  # R drops times after the last follow-up
                assert row.time > d["time"].max() and math.isnan(row.survival) and row.n_risk == 0
                continue
            assert row.n_risk == refs[f"{key}.n_risk"], key
            for field in ("survival", "std_err", "lower", "upper"):
                assert _same(getattr(row, field), refs[f"{key}.{field}"]), (key, field)


@pytest.mark.parametrize("name", DATASETS)
def test_logrank_matches_R_survdiff(r, name):
    refs, data = r
    d = data[name]
    res = logrank(d["time"], d["status"], d["group"])
    assert res.df == refs[f"{name}.logrank.df"]
    assert _same(res.statistic, refs[f"{name}.logrank.statistic"])
    assert _same(res.pvalue, refs[f"{name}.logrank.p"])


def test_logrank_matches_R_lung_example_four_ecog_groups(r):
    refs, data = r
    d = data["lung_full"].dropna(subset=["ph_ecog"])
    res = logrank(d["time"], d["status"], d["ph_ecog"])
    assert res.df == refs["lung_ecog.logrank.df"] == 3
    assert _same(res.statistic, refs["lung_ecog.logrank.statistic"])
    assert _same(res.pvalue, refs["lung_ecog.logrank.p"])


# --------------------------------------------------------------------------
# Cox
# --------------------------------------------------------------------------

COX_CASES = {
    "lung": ["age", "sex", "ph_ecog"],
    "lung_age": ["age"],
    **{c: ["x_cont", "x_bin", "x_int"] for c in COHORT_IDS},
}


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("case", list(COX_CASES))
def test_cox_matches_R_coxph(r, case, ties):
    refs, data = r
    covariates = COX_CASES[case]
    if case.startswith("lung"):
        d = data["lung_full"].dropna(subset=["time", "status", "age", "sex", "ph_ecog"])
    else:
        d = data[case]
    res = cox(d, "time", "status", covariates, ties=ties)
    key = f"{case}.cox.{ties}"
    assert res.n == refs[f"{key}.n"]
    assert res.events == refs[f"{key}.events"]
    for v in covariates:
        row = res.table.loc[v]
        for field in ("coef", "hr", "se", "z", "p", "lower", "upper"):
            assert _same(row[field], refs[f"{key}.{v}.{field}"]), (
                v,
                field,
                row[field],
                refs[f"{key}.{v}.{field}"],
            )

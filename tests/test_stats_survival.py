"""Unit tests for hccrep.stats.survival: hand-derived values and input validation.

Agreement with R (survfit, summary.survfit, survdiff, coxph) is in
tests/test_r_parity.py.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hccrep.stats import (
    CONF_TYPES,
    CoxResult,
    fastsurv,
    MedianResult,
    cox,
    km_landmark,
    km_median,
    km_table,
    logrank,
    univariable_cox,
)

Z = stats.norm.ppf(0.975)

# Three patients: event at 2, censored at 3, event at 5.
#   t = 2: n = 3, d = 1 -> S = 2/3, Greenwood sum d / (n (n - d)) = 1/6
#   t = 3: n = 2, censored -> S = 2/3, sum unchanged
#   t = 5: n = 1, d = 1 -> S = 0, the Greenwood term 1 / (1 * 0) is infinite
TIME3, EVENT3 = [2, 3, 5], [1, 0, 1]
S2, SE2 = 2 / 3, math.sqrt(1 / 6)  # survival and se(log S) on [2, 5)


def test_km_table_three_patients_by_hand():
    t = km_table(TIME3, EVENT3)
    assert list(t.columns) == [
        "time",
        "n_risk",
        "n_event",
        "n_censor",
        "survival",
        "std_err",
        "lower",
        "upper",
    ]
    assert t["time"].tolist() == [2, 3, 5]
    assert t["n_risk"].tolist() == [3, 2, 1]
    assert t["n_event"].tolist() == [1, 0, 1]
    assert t["n_censor"].tolist() == [0, 1, 0]
    assert t["survival"].tolist() == pytest.approx([S2, S2, 0.0], rel=1e-12)
    assert t["std_err"].iloc[:2].tolist() == pytest.approx([S2 * SE2] * 2, rel=1e-12)
    # log transform: S exp(-z se) .. min(1, S exp(z se)); undefined at S = 0
    assert t["lower"].iloc[0] == pytest.approx(S2 * math.exp(-Z * SE2), rel=1e-12)
    assert t["upper"].iloc[0] == 1.0
    assert t.iloc[2][["std_err", "lower", "upper"]].isna().all()


def test_km_table_log_log_and_plain_limits_by_hand():
    loglog = km_table(TIME3, EVENT3, conf_type="log-log").iloc[0]
    shift = Z * SE2 / math.log(S2)
    assert loglog["lower"] == pytest.approx(
        math.exp(-math.exp(math.log(-math.log(S2)) - shift)), rel=1e-12
    )
    assert loglog["upper"] == pytest.approx(
        math.exp(-math.exp(math.log(-math.log(S2)) + shift)), rel=1e-12
    )
    plain = km_table(TIME3, EVENT3, conf_type="plain").iloc[0]
    assert plain["lower"] == pytest.approx(S2 - Z * S2 * SE2, rel=1e-12)
    assert plain["upper"] == 1.0  # 2/3 + 0.533 clipped


def test_km_table_log_log_is_undefined_where_survival_is_one():
    # censored at 1 before the first event: S = 1 there, log(-log 1) is undefined (R gives NA)
    t = km_table([1, 2, 4], [0, 1, 1], conf_type="log-log")
    assert math.isnan(t["lower"].iloc[0]) and math.isnan(t["upper"].iloc[0])
    assert km_table([1, 2, 4], [0, 1, 1], conf_type="log")["lower"].iloc[0] == 1.0


def test_km_table_survival_equals_product_limit_on_tied_data():
    rng = np.random.default_rng(3)
    time = rng.integers(1, 15, 80).astype(float)
    event = rng.integers(0, 2, 80)
    t = km_table(time, event)
    at_risk = np.array([(time >= u).sum() for u in t["time"]])
    deaths = np.array([((time == u) & (event == 1)).sum() for u in t["time"]])
    assert t["n_risk"].tolist() == at_risk.tolist()
    assert t["survival"].to_numpy() == pytest.approx(np.cumprod(1 - deaths / at_risk), rel=1e-12)


def test_km_alpha_widens_interval():
    narrow = km_table(TIME3, EVENT3, alpha=0.2).iloc[0]
    wide = km_table(TIME3, EVENT3, alpha=0.01).iloc[0]
    assert wide["lower"] < narrow["lower"]


def test_km_median_three_patients_by_hand():
    # S: 2/3 on [2, 5), 0 from 5 -> median 5. Lower curve 0.30 < 0.5 already at 2;
    # the upper curve is 1 until 5 and undefined at S = 0 -> never crosses: NaN.
    res = km_median(TIME3, EVENT3)
    assert (res.median, res.lower) == (5.0, 2.0)
    assert math.isnan(res.upper)
    assert res.conf_type == "log"
    assert "Greenwood" in res.variant and "log transform (R survfit default)" in res.variant


def test_km_median_averages_when_survival_is_exactly_half_over_an_interval():
    # four events at 1, 2, 3, 4: S = 0.75, 0.5, 0.25, 0. S = 0.5 on [2, 3) -> R reports (2 + 3) / 2
    assert km_median([1, 2, 3, 4], [1, 1, 1, 1]).median == 2.5


def test_km_median_not_reached_is_nan():
    res = km_median([1, 2, 3, 4], [1, 0, 0, 0])
    assert math.isnan(res.median) and math.isnan(res.upper)


def test_median_result_is_frozen():
    res = km_median(TIME3, EVENT3)
    assert isinstance(res, MedianResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.median = 1.0  # type: ignore[misc]


def test_km_landmark_follows_R_summary_times_semantics():
    lm = km_landmark(TIME3, EVENT3, at=[6, 0, 2.5, 2, 1, 5]).to_frame()
    assert lm["time"].tolist() == [6, 0, 2.5, 2, 1, 5]  # order kept
    assert lm["n_risk"].tolist() == [0, 3, 2, 3, 3, 1]  # follow-up >= t
    # before the first observed time: R's inserted time-0 row (S = 1, limits 1)
    assert lm.iloc[1][["survival", "std_err", "lower", "upper"]].tolist() == [1.0, 0.0, 1.0, 1.0]
    assert lm.iloc[4]["survival"] == 1.0
    assert lm.iloc[2]["survival"] == pytest.approx(S2) and lm.iloc[3]["survival"] == pytest.approx(
        S2
    )
    assert lm.iloc[5]["survival"] == 0.0 and math.isnan(lm.iloc[5]["lower"])
    # after the last follow-up: not estimable (R drops the row)
    assert lm.iloc[0][["survival", "std_err", "lower", "upper"]].isna().all()


def test_km_landmark_accepts_a_scalar():
    lm = km_landmark(TIME3, EVENT3, at=2).to_frame()
    assert len(lm) == 1 and lm["survival"].iloc[0] == pytest.approx(S2)


@pytest.mark.parametrize(
    ("time", "event", "message"),
    [
        ([1, 2, 3], [1, 0], "lengths differ"),
        ([], [], "empty"),
        ([1, np.nan, 3], [1, 0, 1], "time contains NaN"),
        ([1, -2, 3], [1, 0, 1], "negative times"),
        ([1, 2, np.inf], [1, 0, 1], "infinite"),
        ([1, 2, 3], [1, 2, 0], r"event must be 0/1 .* found \[2.0\]"),
        ([1, 2, 3], [1, np.nan, 0], "event contains NaN"),
        (["a", "b"], [1, 0], "time must be numeric"),
    ],
)
def test_km_functions_reject_bad_input(time, event, message):
    for fn in (km_table, km_median):
        with pytest.raises(ValueError, match=message):
            fn(time, event)
    with pytest.raises(ValueError, match=message):
        km_landmark(time, event, at=[1])


def test_km_functions_reject_unknown_conf_type_and_bad_alpha():
    with pytest.raises(ValueError, match="unknown conf_type 'loglog'"):
        km_median(TIME3, EVENT3, conf_type="loglog")
    with pytest.raises(ValueError, match="alpha"):
        km_table(TIME3, EVENT3, alpha=1.5)
    assert set(CONF_TYPES) == {"log", "log-log", "plain"}


@pytest.mark.parametrize(
    ("at", "message"), [([-1], "negative"), ([np.nan], "NaN"), ([], "empty"), (["x"], "number")]
)
def test_km_landmark_rejects_bad_times(at, message):
    with pytest.raises(ValueError, match=message):
        km_landmark(TIME3, EVENT3, at=at)


def test_events_may_be_boolean():
    assert km_median(TIME3, [True, False, True]).median == 5.0


# --------------------------------------------------------------------------
# log-rank
# --------------------------------------------------------------------------


def test_logrank_two_groups_by_hand():
    # A: events at 1, 3; B: events at 2, 4.   At each event time (n at risk, n_A, deaths):
    #   t=1: (4, 2, 1) E_A = 1/2, V = 2*2*1*3 / (16*3) = 1/4, O_A = 1
    #   t=2: (3, 1, 1) E_A = 1/3, V = 1*2*1*2 / (9*2)  = 2/9, O_A = 0
    #   t=3: (2, 1, 1) E_A = 1/2, V = 1*1*1*1 / (4*1)  = 1/4, O_A = 1
    #   t=4: (1, 0, 1) E_A = 0,   V = 0
    # O - E = 2 - 4/3 = 2/3, V = 13/18 -> chi-square = (4/9) / (13/18) = 8/13
    res = logrank([1, 3, 2, 4], [1, 1, 1, 1], ["A", "A", "B", "B"])
    assert res.statistic == pytest.approx(8 / 13, rel=1e-10)
    assert res.df == 1
    assert res.pvalue == pytest.approx(stats.chi2.sf(8 / 13, 1), rel=1e-10)
    assert "R survdiff" in res.variant


def test_logrank_three_groups_has_two_df():
    res = logrank([1, 3, 2, 4, 5, 6], [1, 1, 1, 0, 1, 1], [0, 0, 1, 1, 2, 2])
    assert res.df == 2 and "3 groups" in res.variant


@pytest.mark.parametrize(
    ("group", "event", "message"),
    [
        (["A", "A", "A", "A"], [1, 1, 1, 1], "at least 2"),
        (["A", None, "B", "B"], [1, 1, 1, 1], "missing"),
        (["A", "B", "B"], [1, 1, 1, 1], "lengths differ"),
        (["A", "A", "B", "B"], [0, 0, 0, 0], "no events"),
    ],
)
def test_logrank_rejects_bad_input(group, event, message):
    with pytest.raises(ValueError, match=message):
        logrank([1, 2, 3, 4], event, group)


@pytest.mark.parametrize("engine", [logrank, fastsurv.logrank], ids=["lifelines", "numpy"])
@pytest.mark.parametrize(
    ("group", "message"),
    [
        ([1, "1", 1, "1", 1, "1"], r"mix types \(int, str\)"),  # printed alike, not one group
        ([1.0, "b", 1.0, "b", 2.0, "b"], r"mix types \(float, str\)"),
        (["a", "a", "a", "a", "a", "a"], "1 distinct value"),
    ],
)
def test_logrank_mixed_type_labels_raise_in_both_engines(engine, group, message):
    # R cannot hold 1 and "1" in one vector (c(1, "1") is c("1", "1"): one group, and survdiff stops);
    # before, the lifelines engine merged them silently into one group: statistic 0, df 0, p NaN
    with pytest.raises(ValueError, match=message):
        engine([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 1], group)


@pytest.mark.parametrize("engine", [logrank, fastsurv.logrank], ids=["lifelines", "numpy"])
def test_logrank_numeric_labels_equal_by_value_are_one_group(engine):
    # 1 and 1.0 (and True) are one value: two groups here, as R's factor(c(1, 1.0, 2)) has two levels
    a = engine([1, 3, 2, 4], [1, 1, 1, 1], [1, 1.0, 2, 2])
    assert a.df == 1 and a.statistic == pytest.approx(
        8 / 13, rel=1e-10
    )  # test_logrank_two_groups_by_hand


# --------------------------------------------------------------------------
# Cox
# --------------------------------------------------------------------------


@pytest.fixture
def cohort():
    rng = np.random.default_rng(11)
    n = 120
    x = rng.normal(size=n)
    b = rng.integers(0, 2, n)
    t_event = rng.exponential(1 / np.exp(0.5 * x + 0.7 * b))
    t_cens = rng.uniform(0.5, 3, n)
    return pd.DataFrame(
        {
            "time": np.minimum(t_event, t_cens),
            "event": (t_event <= t_cens).astype(int),
            "x": x,
            "b": b,
            "label": ["u"] * n,
        }
    )


def test_cox_table_layout_and_wald_interval(cohort):
    res = cox(cohort, "time", "event", ["x", "b"])
    assert isinstance(res, CoxResult)
    assert list(res.table.index) == ["x", "b"]
    assert list(res.table.columns) == ["coef", "hr", "lower", "upper", "se", "z", "p"]
    assert (res.n, res.events, res.ties) == (120, int(cohort["event"].sum()), "efron")
    row = res.table.loc["x"]
    assert row["hr"] == pytest.approx(math.exp(row["coef"]))
    assert row["lower"] == pytest.approx(math.exp(row["coef"] - Z * row["se"]))
    assert row["upper"] == pytest.approx(math.exp(row["coef"] + Z * row["se"]))
    assert row["p"] == pytest.approx(2 * stats.norm.sf(abs(row["coef"] / row["se"])))
    assert "Efron" in res.variant and "Wald 95% CI" in res.variant


def test_cox_efron_and_breslow_agree_without_tied_event_times(cohort):
    efron = cox(cohort, "time", "event", ["x", "b"], ties="efron").table
    breslow = cox(cohort, "time", "event", ["x", "b"], ties="breslow").table
    assert efron.to_numpy() == pytest.approx(breslow.to_numpy(), rel=1e-6)


def test_cox_efron_and_breslow_differ_with_ties(cohort):
    tied = cohort.assign(time=np.ceil(cohort["time"] * 4))
    efron = cox(tied, "time", "event", ["x"], ties="efron").table.loc["x", "coef"]
    breslow = cox(tied, "time", "event", ["x"], ties="breslow").table.loc["x", "coef"]
    assert abs(breslow) < abs(efron)  # Breslow attenuates towards 0 under heavy ties


def test_cox_alpha_sets_interval_level(cohort):
    res = cox(cohort, "time", "event", ["x"], alpha=0.1)
    row = res.table.loc["x"]
    assert row["upper"] == pytest.approx(math.exp(row["coef"] + stats.norm.ppf(0.95) * row["se"]))
    assert "Wald 90% CI" in res.variant


def test_univariable_cox_equals_separate_single_covariate_fits(cohort):
    uni = univariable_cox(cohort, "time", "event", ["x", "b"])
    assert list(uni.index) == ["x", "b"]
    for v in ("x", "b"):
        single = cox(cohort, "time", "event", [v]).table.loc[v]
        assert uni.loc[v, list(single.index)].to_numpy(dtype=float) == pytest.approx(
            single.to_numpy()
        )
    assert uni["n"].tolist() == [120, 120]
    assert uni.attrs["variant"].startswith("univariable Cox")


@pytest.mark.parametrize(
    ("covariates", "kwargs", "message"),
    [
        (["nope"], {}, "covariate 'nope' not in df"),
        (["label"], {}, "'label' is not numeric"),
        ([], {}, "covariates is empty"),
        (["x", "x"], {}, "more than once"),
        (["time"], {}, "also listed as a covariate"),
        (["x"], {"ties": "exact"}, "unknown ties 'exact'"),
        (["x"], {"alpha": 0}, "alpha"),
    ],
)
def test_cox_rejects_bad_arguments(cohort, covariates, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cox(cohort, "time", "event", covariates, **kwargs)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_diverging_coefficient_is_nan_with_a_warning_naming_it(cohort, ties):
    # No patient with b = 1 has the event: the partial likelihood rises monotonically as beta_b -> -inf
    # (R's coxph warns "Loglik converged before variable 2; coefficient may be infinite").  In that
    # limit the b = 1 patients carry no weight in any risk set, so the coefficient of x equals the fit
    # on the b = 0 patients alone -- the reference for the row that does converge.
    d = cohort.assign(event=np.where(cohort["b"] == 1, 0, cohort["event"]))
    with pytest.warns(
        RuntimeWarning, match=r"coefficient of 'b' did not converge; it may be infinite"
    ):
        res = cox(d, "time", "event", ["x", "b"], ties=ties)
    assert res.table.loc["b"].isna().all()
    alone = cox(d[d["b"] == 0], "time", "event", ["x"], ties=ties).table.loc["x"]
    assert res.table.loc["x", "coef"] == pytest.approx(alone["coef"], rel=1e-8)
    assert res.table.loc["x", "se"] == pytest.approx(alone["se"], rel=1e-6)


def test_cox_rejects_missing_constant_and_bad_outcome_columns(cohort):
    with pytest.raises(ValueError, match="'x' has 1 missing"):
        cox(cohort.assign(x=cohort["x"].where(cohort.index != 3)), "time", "event", ["x"])
    with pytest.raises(ValueError, match="'b' is constant"):
        cox(cohort.assign(b=1), "time", "event", ["b"])
    with pytest.raises(ValueError, match="duration column 'tt' not in df"):
        cox(cohort, "tt", "event", ["x"])
    with pytest.raises(ValueError, match="event column 'event' must be 0/1"):
        cox(cohort.assign(event=cohort["event"] + 1), "time", "event", ["x"])
    with pytest.raises(ValueError, match="negative times"):
        cox(cohort.assign(time=-cohort["time"]), "time", "event", ["x"])
    with pytest.raises(ValueError, match="has no events"):
        cox(cohort.assign(event=0), "time", "event", ["x"])
    with pytest.raises(ValueError, match="covariate 'nope' not in df"):
        univariable_cox(cohort, "time", "event", ["x", "nope"])

"""hccrep.stats.matching: hand-worked unit tests and live parity with R MatchIt.

The unit tests derive every matched pair by hand (comments show the
arithmetic).  The parity tests write seeded data sets to CSV, run
``tests/r/matching_reference.R`` (MatchIt ``method = "nearest"``) and require
*identical* matched sets, caliper widths to 1e-7, propensity scores to 1e-7,
and matching weights and balance statistics to 1e-6 relative.  Without R they
are skipped with the reason; with ``HCCREP_REQUIRE_R=1`` (CI) they fail.
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest

import hccrep.stats.matching as matching_module
from hccrep.stats.matching import MATCHIT_DEFECTS, _match_nearest
from hccrep.stats import (
    CALIPER_SCALES,
    MatchResult,
    match_nearest,
    propensity_scores,
    standardized_mean_differences,
)

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._rhelpers import read_kv, require_r, run_r
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _rhelpers import read_kv, require_r, run_r


def test_docstring_examples():
    res = doctest.testmod(matching_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted >= 3 and res.failed == 0


# --------------------------------------------------------------------------
# hand-worked examples
# --------------------------------------------------------------------------

# Three treated (A, B, C) and five controls (v..z) with given propensity
# scores, chosen as exact binary fractions so every difference below is exact.
HAND = pd.DataFrame({"rt": [1, 1, 1, 0, 0, 0, 0, 0]}, index=list("ABCvwxyz"))
HAND_PS = [0.750, 0.500, 0.250, 0.6875, 0.625, 0.4375, 0.125, 0.375]
#           A      B      C      v       w      x       y      z


def _pairs(res: MatchResult) -> list[tuple[str, str]]:
    return list(zip(res.pairs["treated"], res.pairs["control"]))


def test_hand_example_no_caliper():
    # order "largest": A (0.75), then B (0.50), then C (0.25).
    # A: nearest control below is v (0.6875, |d| = 0.0625), none above -> v.
    # B: below x (0.4375, 0.0625), above w (0.625, 0.125) -> x.
    # C: below y (0.125, 0.125), above z (0.375, 0.125): equal, MatchIt takes
    #    the lower one (left in the sorted order) -> y.
    res = match_nearest(HAND, "rt", ps=HAND_PS, caliper_scale="ps_raw")
    assert _pairs(res) == [("A", "v"), ("B", "x"), ("C", "y")]
    assert res.pairs["distance"].tolist() == [0.0625, 0.0625, 0.125]
    assert (res.n_treated_matched, res.n_control_matched) == (3, 3)
    assert res.caliper is None
    assert "without replacement" in res.variant and "no caliper" in res.variant


def test_hand_example_caliper_drops_a_treated_unit():
    # caliper 0.1 on the PS: A -> v (0.0625) and B -> x (0.0625) as before;
    # C's nearest available controls y and z are both 0.125 > 0.1 away, so C
    # stays unmatched.
    res = match_nearest(HAND, "rt", ps=HAND_PS, caliper=0.1, caliper_scale="ps_raw")
    assert _pairs(res) == [("A", "v"), ("B", "x")]
    assert res.caliper == 0.1
    assert (res.n_treated_matched, res.n_control_matched) == (2, 2)
    # a width exactly equal to the distance is inside the caliper (MatchIt: "> caliper" excludes)
    res = match_nearest(HAND, "rt", ps=HAND_PS, caliper=0.125, caliper_scale="ps_raw")
    assert _pairs(res) == [("A", "v"), ("B", "x"), ("C", "y")]


def test_hand_example_caliper_in_sd_units():
    # SD of all 8 scores (n - 1): mean = 3.75 / 8 = 0.46875; deviations
    # .28125, .03125, -.21875, .21875, .15625, -.03125, -.34375, -.09375,
    # squares sum to 0.328125 (= 21/64), / 7 -> var = 3/64, SD = sqrt(3)/8
    # = 0.21651.  A caliper of 0.5 SD = 0.10825 < 0.125, so C is dropped
    # again; 0.6 SD = 0.12990 >= 0.125 keeps it.
    sd = math.sqrt(3) / 8
    res = match_nearest(HAND, "rt", ps=HAND_PS, caliper=0.5, caliper_scale="ps_sd")
    assert res.caliper == pytest.approx(0.5 * sd, rel=1e-14)
    assert _pairs(res) == [("A", "v"), ("B", "x")]
    res = match_nearest(HAND, "rt", ps=HAND_PS, caliper=0.6, caliper_scale="ps_sd")
    assert _pairs(res) == [("A", "v"), ("B", "x"), ("C", "y")]


def test_hand_example_matching_order():
    # T1 = 0.625 and T2 = 0.375 both want C = 0.5 (0.125 away); D = 0.125.
    df = pd.DataFrame({"rt": [1, 1, 0, 0]}, index=["T1", "T2", "C", "D"])
    ps = [0.625, 0.375, 0.5, 0.125]
    largest = match_nearest(df, "rt", ps=ps, caliper_scale="ps_raw", order="largest")
    assert _pairs(largest) == [("T1", "C"), ("T2", "D")]  # T1 first; T2 then gets D (0.25)
    smallest = match_nearest(df, "rt", ps=ps, caliper_scale="ps_raw", order="smallest")
    assert _pairs(smallest) == [("T1", "D"), ("T2", "C")]  # T2 first; T1 then gets D (0.5)
    data = match_nearest(df, "rt", ps=ps, caliper_scale="ps_raw", order="data")
    assert _pairs(data) == _pairs(largest)  # T1 is first in the data
    # with replacement both take C and the order is irrelevant
    repl = match_nearest(df, "rt", ps=ps, caliper_scale="ps_raw", order="smallest", replace=True)
    assert _pairs(repl) == [("T1", "C"), ("T2", "C")]
    assert (repl.n_treated_matched, repl.n_control_matched) == (2, 1)


def test_logit_and_ps_scales_pick_different_controls():
    # treated 0.9; controls 0.8 and 0.99.
    # PS scale:    |0.9 - 0.8| = 0.1,  |0.9 - 0.99| = 0.09  -> 0.99
    # logit scale: logit 0.9 = 2.1972, logit 0.8 = 1.3863 (0.811),
    #              logit 0.99 = 4.5951 (2.398)              -> 0.8
    df = pd.DataFrame({"rt": [1, 0, 0]}, index=["t", "c80", "c99"])
    ps = [0.9, 0.8, 0.99]
    assert _pairs(match_nearest(df, "rt", ps=ps, caliper_scale="ps_sd")) == [("t", "c99")]
    logit = match_nearest(df, "rt", ps=ps, caliper_scale="logit_sd")
    assert _pairs(logit) == [("t", "c80")]
    assert logit.pairs["distance"].iloc[0] == pytest.approx(math.log(9) - math.log(4), rel=1e-12)
    assert logit.distance.name == "logit_ps"


def test_ties_between_identical_distances():
    # Controls with identical scores: MatchIt sorts all units by score (stable),
    # then looks outward from the treated unit.  Left of it the adjacent tied
    # control is the LAST in data order, right of it the FIRST.
    df = pd.DataFrame({"rt": [0, 0, 1, 0, 0]}, index=["L1", "L2", "T", "R1", "R2"])
    left = match_nearest(df, "rt", ps=[0.25, 0.25, 0.5, 0.875, 0.875], caliper_scale="ps_raw")
    assert _pairs(left) == [("T", "L2")]
    right = match_nearest(df, "rt", ps=[0.0625, 0.0625, 0.5, 0.75, 0.75], caliper_scale="ps_raw")
    assert _pairs(right) == [("T", "R1")]


def test_ratio_two_rounds():
    # ratio 2: round 1 gives A -> v, B -> x, C -> y (see the first test);
    # round 2: A: below w (0.625, 0.125), above none -> w;
    #          B: below z (0.375, 0.125), above none left (w taken) -> z;
    #          C: nothing left.
    res = match_nearest(HAND, "rt", ps=HAND_PS, caliper_scale="ps_raw", ratio=2)
    assert _pairs(res) == [("A", "v"), ("A", "w"), ("B", "x"), ("B", "z"), ("C", "y")]
    w = res.weights(HAND)
    # control weights 1/2 (A's), 1/2, 1/2 (B's), 1/2, 1 (C's); rescaled so 5 controls sum to 5
    # sum of raw weights = 3 -> factor 5/3
    assert w.to_dict() == pytest.approx(
        {"A": 1, "B": 1, "C": 1, "v": 5 / 6, "w": 5 / 6, "x": 5 / 6, "y": 5 / 3, "z": 5 / 6}
    )


def test_matched_rows_and_weights():
    df = HAND.assign(age=[60, 55, 70, 61, 50, 57, 72, 65])
    res = match_nearest(df, "rt", ps=HAND_PS, caliper=0.1, caliper_scale="ps_raw")
    m = res.matched(df)
    assert m.index.tolist() == ["A", "v", "B", "x"]
    assert m["pair"].tolist() == [1, 1, 2, 2]
    assert m["age"].tolist() == [60, 61, 55, 57]
    assert res.weights(df).to_dict() == {
        "A": 1,
        "B": 1,
        "C": 0,
        "v": 1,
        "w": 0,
        "x": 1,
        "y": 0,
        "z": 0,
    }
    with pytest.raises(ValueError, match="'pair'"):
        res.matched(m)
    with pytest.raises(ValueError, match="lacks the matched row label"):
        res.matched(df.drop(index="v"))


def test_matched_sets_with_ratio_and_replacement_follow_the_pairs():
    """Hand-built reference: each set is its treated unit then its controls in pair order,
    sets numbered by the first pair of their treated unit (a reused control repeats)."""
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"rt": rng.integers(0, 2, 40), "x": rng.normal(size=40)})
    df.index = [f"u{i}" for i in range(40)]
    ps = rng.uniform(0.05, 0.95, 40)
    for kwargs in ({"ratio": 2}, {"ratio": 2, "replace": True}, {"replace": True}):
        res = match_nearest(df, "rt", ps=ps, caliper_scale="ps_raw", **kwargs)
        labels, sets, seen = [], [], []
        for t, c in zip(res.pairs["treated"], res.pairs["control"]):
            if t not in seen:
                seen.append(t)
        for number, t in enumerate(seen, start=1):
            cs = res.pairs.loc[res.pairs["treated"] == t, "control"].tolist()
            labels += [t, *cs]
            sets += [number] * (1 + len(cs))
        m = res.matched(df)
        assert m.index.tolist() == labels
        assert m["pair"].tolist() == sets
        assert m["x"].tolist() == df.loc[labels, "x"].tolist()


def test_random_order_is_seeded():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"rt": rng.integers(0, 2, 60)})
    ps = rng.uniform(0.05, 0.95, 60)
    a = match_nearest(df, "rt", ps=ps, order="random", rng=11)
    b = match_nearest(df, "rt", ps=ps, order="random", rng=np.random.default_rng(11))
    pd.testing.assert_frame_equal(a.pairs, b.pairs)
    assert a.pairs["control"].is_unique and a.pairs["treated"].is_unique


def test_no_match_possible_gives_empty_pairs():
    df = pd.DataFrame({"rt": [1, 0]}, index=[10, 20])
    res = match_nearest(df, "rt", ps=[0.9, 0.1], caliper=0.1, caliper_scale="ps_raw")
    assert res.pairs.empty and list(res.pairs.columns) == ["treated", "control", "distance"]
    assert (res.n_treated_matched, res.n_control_matched) == (0, 0)


# --------------------------------------------------------------------------
# propensity scores and SMD by hand
# --------------------------------------------------------------------------


def test_propensity_scores_saturated_binary_model():
    # With one binary covariate the logistic model is saturated: the fitted
    # score is the treated share within each level -- 3/4 and 1/4 here.
    df = pd.DataFrame({"rt": [1, 1, 1, 0, 1, 0, 0, 0], "male": [1, 1, 1, 1, 0, 0, 0, 0]})
    assert propensity_scores(df, "rt", ["male"]) == pytest.approx([0.75] * 4 + [0.25] * 4, rel=1e-9)


def test_propensity_scores_categorical_drops_first_level():
    # Saturated in a 3-level factor: shares 2/3 ("a"), 1/3 ("b"), 1/2 ("c").
    df = pd.DataFrame(
        {"rt": [1, 1, 0, 1, 0, 0, 1, 0], "site": ["a", "a", "a", "b", "b", "b", "c", "c"]}
    )
    expected = [2 / 3] * 3 + [1 / 3] * 3 + [0.5] * 2
    assert propensity_scores(df, "rt", ["site"]) == pytest.approx(expected, rel=1e-8)
    cat = df.assign(site=pd.Categorical(df["site"], categories=["c", "b", "a", "unused"]))
    assert propensity_scores(cat, "rt", ["site"]) == pytest.approx(expected, rel=1e-8)


def test_smd_by_hand():
    # treated age 50, 60, 70 (mean 60, var 100); control 55, 65, 75 (mean 65, var 100)
    #   pooled: -5 / sqrt((100 + 100) / 2) = -0.5; treated: -5 / 10 = -0.5
    # male: treated 1, 1, 0 (p = 2/3, var 2/9); control 1, 0, 0 (p = 1/3, var 2/9)
    #   pooled: (1/3) / sqrt(2/9) = 0.70711; treated likewise
    df = pd.DataFrame(
        {"rt": [1, 1, 1, 0, 0, 0], "age": [50.0, 60, 70, 55, 65, 75], "male": [1, 1, 0, 1, 0, 0]}
    )
    out = standardized_mean_differences(df, "rt", ["age", "male"])
    assert out["covariate"].tolist() == ["age", "male"]
    assert out["smd"].tolist() == pytest.approx([-0.5, 1 / 3 / math.sqrt(2 / 9)], rel=1e-12)
    # treated SD differs when the variances differ: control age 55, 65, 95 -> mean 71.667
    df2 = df.assign(age=[50.0, 60, 70, 55, 65, 95])
    tr = standardized_mean_differences(df2, "rt", ["age"], denominator="treated")
    assert tr["smd"].iloc[0] == pytest.approx((60 - 215 / 3) / 10, rel=1e-12)
    # var_c = ((55-215/3)^2 + (65-215/3)^2 + (95-215/3)^2) / 2 = 433.333...
    po = standardized_mean_differences(df2, "rt", ["age"])
    assert po["smd"].iloc[0] == pytest.approx(
        (60 - 215 / 3) / math.sqrt((100 + 1300 / 3) / 2), rel=1e-12
    )
    # weights move the means only; the SD stays that of the unweighted sample
    w = [1, 1, 1, 0, 1, 1]
    wt = standardized_mean_differences(df2, "rt", ["age"], weights=w, denominator="treated")
    assert wt["mean_control"].iloc[0] == 80 and wt["smd"].iloc[0] == pytest.approx(-2.0)
    # categorical: one row per level
    cat = standardized_mean_differences(df.assign(site=list("abcabb")), "rt", ["site"])
    assert cat["covariate"].tolist() == ["site=a", "site=b", "site=c"]


def test_smd_zero_sd():
    df = pd.DataFrame({"rt": [1, 1, 0, 0], "x": [1.0, 1.0, 1.0, 1.0], "y": [2.0, 2.0, 3.0, 4.0]})
    out = standardized_mean_differences(df, "rt", ["x", "y"], denominator="treated")
    assert out["smd"].iloc[0] == 0.0  # equal means
    assert math.isnan(out["smd"].iloc[1])  # means differ, treated SD is 0


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"treatment": "nope"}, "treatment column 'nope' not in df"),
        ({"covariates": ["age", "zzz"]}, "covariate 'zzz' not in df"),
        ({"covariates": "age"}, "sequence of column names"),
        ({"covariates": []}, "covariates is empty"),
        ({"covariates": ["age", "age"]}, "more than once"),
        ({"covariates": ["rt"]}, "also listed as a covariate"),
        ({"covariates": ["gap"]}, "covariate 'gap' has 1 missing"),
        ({"covariates": ["one_level"]}, "single level"),
    ],
)
def test_propensity_scores_validation(kwargs, message):
    df = pd.DataFrame(
        {
            "rt": [1, 0, 1, 0, 1, 0],
            "age": [50, 60, 55, 65, 52, 58],
            "gap": [1.0, np.nan, 2, 3, 4, 5],
            "one_level": ["x"] * 6,
        }
    )
    args = {"df": df, "treatment": "rt", "covariates": ["age"], **kwargs}
    with pytest.raises(ValueError, match=message):
        propensity_scores(**args)


@pytest.mark.parametrize(
    ("rt", "message"),
    [
        ([1, 1, 1, 1], "needs both treated"),
        ([0, 0, 0, 0], "needs both treated"),
        ([1, 0, 2, 0], r"must be 0/1 .*found \[2.0\]"),
        ([1, 0, np.nan, 0], "1 missing value"),
        (["y", "n", "y", "n"], "must be 0/1"),
    ],
)
def test_treatment_validation(rt, message):
    df = pd.DataFrame({"rt": rt, "age": [50, 60, 55, 65]})
    with pytest.raises(ValueError, match=message):
        propensity_scores(df, "rt", ["age"])
    with pytest.raises(ValueError, match=message):
        match_nearest(df, "rt", ps=[0.5, 0.4, 0.3, 0.2])


def test_complete_separation_warns():
    # as R's glm: a warning, extreme but finite scores
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    df = pd.DataFrame({"rt": [1, 1, 1, 0, 0, 0], "age": [70, 71, 72, 40, 41, 42]})
    with pytest.warns(PerfectSeparationWarning):
        ps = propensity_scores(df, "rt", ["age"])
    assert (ps[:3] > 0.999).all() and (ps[3:] < 0.001).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"caliper_scale": "logit"}, "unknown caliper_scale 'logit'"),
        ({"order": "closest"}, "unknown order 'closest'"),
        ({"ratio": 0}, "ratio must be a whole number >= 1"),
        ({"ratio": 1.5}, "ratio must be a whole number >= 1"),
        ({"ratio": True}, "ratio must be a whole number >= 1"),
        ({"caliper": 0}, "positive finite"),
        ({"caliper": -0.2}, "positive finite"),
        ({"caliper": float("inf")}, "positive finite"),
        ({"caliper": "0.2"}, "caliper must be a positive number"),
        ({"replace": "no"}, "replace must be True or False"),
        ({"order": "random"}, "needs rng"),
        ({"rng": 1}, "rng is only used"),
        ({"ps": None}, "exactly one of covariates"),
        ({"covariates": ["age"]}, "exactly one of covariates"),
        ({"ps": [0.5, 0.4, 0.3]}, "ps has 3 values but df has 4 rows"),
        ({"ps": [0.5, 0.4, 1.0, 0.2]}, "strictly between 0 and 1"),
        ({"ps": [0.5, 0.4, np.nan, 0.2]}, "ps has 1 missing"),
        ({"ps": pd.Series([0.5, 0.4, 0.3, 0.2], index=[9, 8, 7, 6])}, "index differs"),
    ],
)
def test_match_nearest_validation(kwargs, message):
    df = pd.DataFrame({"rt": [1, 0, 1, 0], "age": [50, 60, 55, 65]})
    args = {"ps": [0.5, 0.4, 0.3, 0.2], **kwargs}
    with pytest.raises(ValueError, match=message):
        match_nearest(df, "rt", **args)


def test_match_nearest_frame_checks():
    with pytest.raises(TypeError, match="DataFrame"):
        match_nearest({"rt": [1, 0]}, "rt", ps=[0.5, 0.4])
    df = pd.DataFrame({"rt": [1, 0, 0]}, index=[1, 1, 2])
    with pytest.raises(ValueError, match="unique"):
        match_nearest(df, "rt", ps=[0.5, 0.4, 0.3])
    df = pd.DataFrame({"rt": [1, 0, 0]})
    with pytest.raises(ValueError, match="SD is 0"):
        match_nearest(df, "rt", ps=[0.5, 0.5, 0.5], caliper=0.2, caliper_scale="ps_sd")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"denominator": "control"}, "unknown denominator 'control'"),
        ({"weights": [1, 1, 1]}, "weights has 3 values"),
        ({"weights": [1, -1, 1, 1]}, "non-negative"),
        ({"weights": [0, 1, 0, 1]}, "treated group sum to 0"),
        ({"covariates": ["zzz"]}, "covariate 'zzz' not in df"),
    ],
)
def test_smd_validation(kwargs, message):
    df = pd.DataFrame({"rt": [1, 0, 1, 0], "age": [50, 60, 55, 65]})
    args = {"covariates": ["age"], **kwargs}
    with pytest.raises(ValueError, match=message):
        standardized_mean_differences(df, "rt", **args)


def test_caliper_scales_exported():
    assert CALIPER_SCALES == ("logit_sd", "ps_sd", "ps_raw")


# --------------------------------------------------------------------------
# live parity with R MatchIt
# --------------------------------------------------------------------------
#
# MatchIt 4.5.1-4.5.3 (4.5.1 is what Debian 12 ships as r-cran-matchit) had
# two defects in nearest-neighbour matching on a vector distance: an integer
# abs() that truncates every gap below 1 to 0 (so a propensity-score caliper is
# never applied and the left control always wins), and, up to 4.5.2, an
# off-by-one when skipping controls in rounds 2+ of ratio > 1 matching (see
# MATCHIT_DEFECTS).  The R script probes the installed MatchIt for both and
# matches every spec twice: as written ("literal") and on the same distance
# times a power of two ("scaled": exact in floating point and immune to the
# truncation).  So that parity is never vacuous:
#
# * hccrep's port, reproducing exactly the defects the probes found, must give
#   MatchIt's literal matched sets -- the port is faithful line by line;
# * the public match_nearest() (no defects) must give the scaled matched sets
#   for every 1:1 spec (ratio > 1 too when the installed MatchIt is >= 4.5.3).

COVS = ["x1", "x2", "x3", "x4"]


def _dataset(name: str, n: int, n_treated_share: float, strength: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = np.round(rng.normal(60, 10, n), 1)
    x2 = np.round(rng.lognormal(3, 0.6, n), 2)
    x3 = rng.integers(0, 2, n)
    x4 = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    lin = strength * (
        0.06 * (x1 - 60) - 0.03 * (x2 - 20) + 0.8 * x3 + 0.7 * (x4 == "c") - 0.4 * (x4 == "b")
    )
    base = np.log(n_treated_share / (1 - n_treated_share))
    treat = (rng.uniform(size=n) < 1 / (1 + np.exp(-(base + lin)))).astype(int)
    df = pd.DataFrame(
        {
            "dataset": name,
            "id": 1000 + np.arange(n),
            "treat": treat,
            "x1": x1,
            "x2": x2,
            "x3": x3,
            "x4": x4,
        }
    )
    return df.set_index("id", drop=False)


def _datasets() -> dict[str, pd.DataFrame]:
    sets = {
        "d71": _dataset("d71", 71, 0.41, 1.0, 101),  # the size of fonc2025
        "d150": _dataset("d150", 150, 0.35, 2.0, 202),  # strong confounding: the caliper bites
        "d300": _dataset("d300", 300, 0.25, 1.0, 303),  # room for 2:1 matching
        "d60": _dataset("d60", 60, 0.5, 2.5, 404),  # as many treated as controls
    }
    # a distance with heavy ties, in steps of 1/16 so every gap is exact in
    # binary floating point and equal gaps are exactly equal in both languages
    rng = np.random.default_rng(505)
    ties = _dataset("ties", 40, 0.4, 0.5, 505)
    ties["dist_ties"] = rng.integers(1, 16, len(ties)) / 16
    sets["ties"] = ties
    for name, d in sets.items():
        if name != "ties":
            d["ps_py"] = propensity_scores(d, "treat", COVS)
            d["logit_py"] = match_nearest(d, "treat", COVS, caliper_scale="logit_sd").distance
    return sets


DATA = _datasets()

# spec id -> (dataset, distance, caliper, std_caliper, m_order, ratio, replace)
SPECS: dict[str, tuple] = {}
for _ds in ("d71", "d150", "d300", "d60"):
    SPECS.update(
        {
            f"{_ds}_ps_sd": (
                _ds,
                "glm",
                0.2,
                True,
                "largest",
                1,
                False,
            ),  # MatchIt's defaults + caliper
            f"{_ds}_ps_nocal": (_ds, "glm", None, True, "largest", 1, False),
            f"{_ds}_ps_sd_smallest": (_ds, "glm", 0.2, True, "smallest", 1, False),
            f"{_ds}_ps_sd_data": (_ds, "glm", 0.1, True, "data", 1, False),
            f"{_ds}_linlogit": (_ds, "linear.logit", 0.2, True, "largest", 1, False),
            f"{_ds}_logitvec": (_ds, "logit_vec", 0.2, True, "largest", 1, False),
            f"{_ds}_psvec_raw": (_ds, "ps_vec", 0.05, False, "largest", 1, False),
            f"{_ds}_ps_sd_ratio2": (_ds, "glm", 0.2, True, "largest", 2, False),
            f"{_ds}_ps_sd_replace": (_ds, "glm", 0.2, True, "largest", 1, True),
        }
    )
SPECS.update(
    {
        "ties_nocal_largest": ("ties", "ties_vec", None, True, "largest", 1, False),
        "ties_nocal_smallest": ("ties", "ties_vec", None, True, "smallest", 1, False),
        "ties_nocal_data": ("ties", "ties_vec", None, True, "data", 1, False),
        "ties_sd": ("ties", "ties_vec", 0.3, True, "largest", 1, False),
        "ties_raw": ("ties", "ties_vec", 0.0625, False, "smallest", 1, False),
        "ties_ratio2": ("ties", "ties_vec", None, True, "largest", 2, False),
        "ties_ratio3_replace": ("ties", "ties_vec", 0.5, True, "largest", 3, True),
    }
)


def _python_match(spec: str, emulate: frozenset[str] = frozenset()) -> MatchResult:
    ds, distance, caliper, std, order, ratio, replace = SPECS[spec]
    d = DATA[ds]
    kw = {
        "caliper": caliper,
        "order": order,
        "ratio": ratio,
        "replace": replace,
        "rng": None,
        "emulate": emulate,
    }
    if distance == "glm":
        return _match_nearest(d, "treat", COVS, ps=None, caliper_scale="ps_sd", **kw)
    if distance in ("linear.logit", "logit_vec"):
        return _match_nearest(d, "treat", COVS, ps=None, caliper_scale="logit_sd", **kw)
    ps = d["ps_py"] if distance == "ps_vec" else d["dist_ties"]
    return _match_nearest(d, "treat", None, ps=ps, caliper_scale="ps_sd" if std else "ps_raw", **kw)


@pytest.fixture(scope="module")
def r_refs(tmp_path_factory):
    """Write the data sets and specs, run MatchIt, return its key/value output."""
    require_r(("MatchIt",))
    d = tmp_path_factory.mktemp("r_matching")
    data = pd.concat(DATA.values(), ignore_index=True)
    data.to_csv(d / "match_data.csv", index=False, na_rep="NA")
    specs = pd.DataFrame(
        [(k, *v) for k, v in SPECS.items()],
        columns=[
            "spec",
            "dataset",
            "distance",
            "caliper",
            "std_caliper",
            "m_order",
            "ratio",
            "replace",
        ],
    )
    for col in ("std_caliper", "replace"):
        specs[col] = specs[col].map({True: "TRUE", False: "FALSE"})
    specs.to_csv(d / "match_specs.csv", index=False, na_rep="NA")
    run_r("matching_reference.R", d, d / "matching_ref.csv")
    return read_kv(d / "matching_ref.csv")


def _installed_defects(refs: dict) -> frozenset[str]:
    return frozenset(name for name in MATCHIT_DEFECTS if refs[f"probe.{name}"] == 1)


def _r_matches(refs: dict, prefix: str) -> dict[int, list[int]]:
    prefix = f"{prefix}.match."
    out: dict[int, list[tuple[int, float]]] = {}
    for key, value in refs.items():
        if key.startswith(prefix):
            treated, slot = key[len(prefix) :].split(".")
            out.setdefault(int(treated), []).append((int(slot), value))
    return {
        t: [int(v) for _, v in sorted(slots) if not math.isnan(v)]
        for t, slots in out.items()
        if any(not math.isnan(v) for _, v in slots)
    }


def _py_matches(res: MatchResult) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for t, c in zip(res.pairs["treated"], res.pairs["control"]):
        out.setdefault(int(t), []).append(int(c))
    return out


def _assert_same_as_r(res: MatchResult, refs: dict, prefix: str, d: pd.DataFrame) -> None:
    expected = _r_matches(refs, prefix)
    assert _py_matches(res) == expected
    assert res.n_treated_matched == len(expected)
    assert res.n_control_matched == len({c for cs in expected.values() for c in cs})
    r_caliper = refs[f"{prefix}.caliper"]
    if math.isnan(r_caliper):
        assert res.caliper is None
    else:
        assert res.caliper == pytest.approx(r_caliper, rel=1e-7)
    r_w = pd.Series(
        {int(k.rsplit(".", 1)[1]): v for k, v in refs.items() if k.startswith(f"{prefix}.weight.")}
    )
    np.testing.assert_allclose(
        res.weights(d).to_numpy(), r_w.reindex(d.index).to_numpy(), rtol=1e-12
    )


def _exact_emulation(refs: dict, spec: str) -> frozenset[str]:
    """Defects that also affect the scaled R run: the ratio off-by-one, only for ratio > 1."""
    return _installed_defects(refs) - {"int_abs"} if SPECS[spec][5] > 1 else frozenset()


@pytest.mark.r
@pytest.mark.parametrize("spec", list(SPECS))
def test_port_reproduces_installed_matchit_literally(r_refs, spec):
    res = _python_match(spec, emulate=_installed_defects(r_refs))
    _assert_same_as_r(res, r_refs, f"{spec}.literal", DATA[SPECS[spec][0]])


@pytest.mark.r
@pytest.mark.parametrize("spec", list(SPECS))
def test_match_nearest_equals_matchit_in_exact_arithmetic(r_refs, spec):
    emulate = _exact_emulation(r_refs, spec)
    res = _python_match(spec, emulate=emulate)
    if not emulate:  # the public function itself
        pd.testing.assert_frame_equal(res.pairs, _python_match_public(spec).pairs)
    _assert_same_as_r(res, r_refs, f"{spec}.scaled", DATA[SPECS[spec][0]])


def _python_match_public(spec: str) -> MatchResult:
    ds, distance, caliper, std, order, ratio, replace = SPECS[spec]
    d = DATA[ds]
    kw = {"caliper": caliper, "order": order, "ratio": ratio, "replace": replace}
    if distance == "glm":
        return match_nearest(d, "treat", COVS, caliper_scale="ps_sd", **kw)
    if distance in ("linear.logit", "logit_vec"):
        return match_nearest(d, "treat", COVS, caliper_scale="logit_sd", **kw)
    ps = d["ps_py"] if distance == "ps_vec" else d["dist_ties"]
    return match_nearest(d, "treat", ps=ps, caliper_scale="ps_sd" if std else "ps_raw", **kw)


@pytest.mark.r
def test_parity_is_not_vacuous(r_refs):
    # the specs exercise what they claim: calipers that drop treated units,
    # reused controls with replacement, 2:1 sets, scales that disagree
    n1 = {ds: int((d["treat"] == 1).sum()) for ds, d in DATA.items()}
    assert 15 <= len(_r_matches(r_refs, "d71_ps_sd.scaled")) < n1["d71"]
    assert len(_r_matches(r_refs, "d150_ps_sd.scaled")) < n1["d150"]
    assert len(_r_matches(r_refs, "ties_raw.scaled")) < n1["ties"]
    used = [c for cs in _r_matches(r_refs, "d150_ps_sd_replace.scaled").values() for c in cs]
    assert len(used) > len(set(used))
    assert any(len(cs) == 2 for cs in _r_matches(r_refs, "d300_ps_sd_ratio2.scaled").values())
    assert _r_matches(r_refs, "d150_ps_sd.scaled") != _r_matches(r_refs, "d150_linlogit.scaled")
    # equal gaps to the left and right occur in the tied data (the tie rule is exercised)
    d = DATA["ties"]
    gaps = [
        (abs(d.loc[t, "dist_ties"] - d.loc[c, "dist_ties"]))
        for t, cs in _r_matches(r_refs, "ties_nocal_largest.scaled").items()
        for c in cs
    ]
    assert 0.0 in gaps


@pytest.mark.r
def test_installed_matchit_defects_show_where_expected(r_refs):
    defects = _installed_defects(r_refs)
    version = tuple(int(r_refs[f"matchit.version.{p}"]) for p in ("major", "minor", "patch"))
    # int_abs depends on which abs() the compiler picked ("some systems"), so
    # only: where it shows, the version must be one of the affected releases
    assert "int_abs" not in defects or (4, 5, 1) <= version <= (4, 5, 3)
    assert ("ratio_index" in defects) == ((4, 5, 0) <= version <= (4, 5, 2))
    if "int_abs" in defects:
        # a propensity-score caliper (gaps < 1) is then never applied: every treated unit matched
        n1, n0 = (int((DATA["d150"]["treat"] == g).sum()) for g in (1, 0))
        assert len(_r_matches(r_refs, "d150_ps_sd.literal")) == min(n1, n0)
        assert _r_matches(r_refs, "d150_ps_sd.literal") != _r_matches(r_refs, "d150_ps_sd.scaled")


@pytest.mark.r
@pytest.mark.parametrize("ds", ["d71", "d150", "d300", "d60"])
def test_logit_sd_equals_matchit_on_a_logit_distance_vector(r_refs, ds):
    # Austin's variant two ways in MatchIt: link = "linear.logit" and the logit
    # passed as a numeric distance (std.caliper = TRUE: SD of that vector).
    for kind in ("literal", "scaled"):
        assert _r_matches(r_refs, f"{ds}_linlogit.{kind}") == _r_matches(
            r_refs, f"{ds}_logitvec.{kind}"
        )
        assert r_refs[f"{ds}_linlogit.{kind}.caliper"] == pytest.approx(
            r_refs[f"{ds}_logitvec.{kind}.caliper"], rel=1e-7
        )
    res = _python_match_public(f"{ds}_logitvec")
    assert res.caliper == pytest.approx(0.2 * DATA[ds]["logit_py"].std(ddof=1), rel=1e-12)
    assert _py_matches(res) == _r_matches(r_refs, f"{ds}_linlogit.scaled")


@pytest.mark.r
@pytest.mark.parametrize("ds", ["d71", "d150", "d300", "d60"])
def test_propensity_scores_equal_glm(r_refs, ds):
    d = DATA[ds]
    r_ps = np.array([r_refs[f"{ds}_ps_sd.distance.{i}"] for i in d["id"]])
    np.testing.assert_allclose(propensity_scores(d, "treat", COVS), r_ps, rtol=1e-7, atol=0)
    r_lin = np.array([r_refs[f"{ds}_linlogit.distance.{i}"] for i in d["id"]])
    np.testing.assert_allclose(d["logit_py"].to_numpy(), r_lin, rtol=1e-7, atol=1e-9)


@pytest.mark.r
@pytest.mark.parametrize("denominator", ["treated", "pooled"])
@pytest.mark.parametrize(
    "spec", ["d71_ps_sd", "d150_ps_sd", "d300_ps_sd_ratio2", "d60_ps_sd_replace", "ties_sd"]
)
def test_smd_equal_matchit_summary(r_refs, spec, denominator):
    d = DATA[SPECS[spec][0]]
    res = _python_match(spec, emulate=_exact_emulation(r_refs, spec))
    r_key = "smd_treated" if denominator == "treated" else "smd_pooled"
    for part, weights in (("all", None), ("matched", res.weights(d))):
        out = standardized_mean_differences(
            d, "treat", COVS, weights=weights, denominator=denominator
        )
        assert len(out) == 6  # x1, x2, x3 and the three levels of x4
        for row in out.itertuples():
            key = f"{spec}.{part}.{row.covariate.replace('=', '')}"
            assert row.mean_treated == pytest.approx(r_refs[f"{key}.mean_t"], rel=1e-10)
            assert row.mean_control == pytest.approx(r_refs[f"{key}.mean_c"], rel=1e-10)
            # MatchIt returns the raw difference when it is below sqrt(eps): compare absolutely there
            assert row.smd == pytest.approx(r_refs[f"{key}.{r_key}"], rel=1e-6, abs=1e-7), key


# --------------------------------------------------------------------------
# the numpy propensity engine (the Monte Carlo's): statsmodels' IRLS to the bit
# --------------------------------------------------------------------------


def test_numpy_ps_engine_saturated_model_by_hand():
    # the hand derivation of test_propensity_scores_saturated_binary_model: 3/4 and 1/4
    from hccrep.stats.matching import glm_logit_irls

    x = np.column_stack([np.ones(8), [1, 1, 1, 1, 0, 0, 0, 0]])
    mu, eta = glm_logit_irls(np.array([1, 1, 1, 0, 1, 0, 0, 0], dtype=float), x)
    assert mu == pytest.approx([0.75] * 4 + [0.25] * 4, rel=1e-9)
    assert eta == pytest.approx([np.log(3)] * 4 + [-np.log(3)] * 4, rel=1e-9)


@pytest.mark.parametrize("ds", ["d71", "d150", "d300", "d60", "ties"])
def test_numpy_ps_engine_equals_statsmodels_to_the_bit(ds):
    # The reference is statsmodels' GLM itself (the library the book shows): the numpy engine
    # takes its IRLS steps with the same numpy calls, so scores, logits and matches are equal.
    from hccrep.stats.matching import _fit_ps

    d = DATA[ds]
    ps_sm, eta_sm = _fit_ps(d, "treat", COVS, "statsmodels")
    ps_np, eta_np = _fit_ps(d, "treat", COVS, "numpy")
    np.testing.assert_array_equal(ps_np, ps_sm)
    np.testing.assert_array_equal(eta_np, eta_sm)
    for scale in CALIPER_SCALES:
        a = match_nearest(d, "treat", COVS, caliper=0.2, caliper_scale=scale)
        b = match_nearest(d, "treat", COVS, caliper=0.2, caliper_scale=scale, ps_engine="numpy")
        pd.testing.assert_frame_equal(a.pairs, b.pairs)
        np.testing.assert_array_equal(a.distance, b.distance)


def test_numpy_ps_engine_on_random_designs_and_warnings():
    # many designs, continuous and binary, against statsmodels.GLM(...).fit(); and the same
    # warnings as statsmodels for perfect separation and a rank-deficient design
    import warnings

    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning, SingularMatrixWarning

    from hccrep.stats.matching import glm_logit_irls

    rng = np.random.default_rng(7)
    for k in range(60):
        n = 30 + 7 * k
        x = np.column_stack(
            [np.ones(n), rng.normal(size=(n, 1 + k % 4)), rng.integers(0, 2, (n, 2))]
        )
        y = (rng.random(n) < 1 / (1 + np.exp(-2 * x[:, 1]))).astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.GLM(y, x, family=sm.families.Binomial()).fit()
            mu, eta = glm_logit_irls(y, x)
        np.testing.assert_array_equal(mu, np.asarray(fit.fittedvalues))
        np.testing.assert_array_equal(eta, np.asarray(fit.predict(which="linear")))
    x = np.column_stack([np.ones(6), [70, 71, 72, 40, 41, 42]])
    with pytest.warns(PerfectSeparationWarning):
        mu, _ = glm_logit_irls(np.array([1, 1, 1, 0, 0, 0], dtype=float), x)
    assert (mu[:3] > 0.999).all() and (mu[3:] < 0.001).all()
    z = rng.integers(0, 2, 20).astype(float)
    with pytest.warns(SingularMatrixWarning):
        glm_logit_irls(rng.integers(0, 2, 20).astype(float), np.column_stack([np.ones(20), z, z]))
    with pytest.raises(ValueError, match="unknown ps_engine 'sklearn'"):
        match_nearest(DATA["d71"], "treat", COVS, ps_engine="sklearn")


@pytest.mark.r
@pytest.mark.parametrize("ds", ["d71", "d150", "d300", "d60"])
def test_numpy_ps_engine_equals_glm(r_refs, ds):
    # R glm's fitted scores (MatchIt's distance), as for the statsmodels engine
    from hccrep.stats.matching import _fit_ps

    d = DATA[ds]
    r_ps = np.array([r_refs[f"{ds}_ps_sd.distance.{i}"] for i in d["id"]])
    np.testing.assert_allclose(_fit_ps(d, "treat", COVS, "numpy")[0], r_ps, rtol=1e-7, atol=0)

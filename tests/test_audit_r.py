"""The rounding-aware audit rules against R, run live (``tests/r/audit_reference.R``).

R builds samples with exactly the printed mean and SD (``scale()``) for ``t.test``,
``oneway.test`` and ``wilcox.test``, and brute-forces every rounding range on a grid with its own
formulas.  The cases are the real rows of ``data/`` (deng2025 Table 1, tu2025 Tables 1 and 2,
every printed HR/OR with a CI) plus the hand-made cases of ``tests/test_audit_rounding.py``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from hccrep.audit import (
    _printed_p_interval,
    _wald_p_range,
    mean_sd_comparisons,
    mean_sd_variant_ranges,
)
from hccrep.printed import decimals_of, parse_pvalue, parse_summary
from hccrep.spec import load_study

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._rhelpers import read_kv, require_r, run_r
    from tests.test_audit_rounding import CASES, mann_whitney_samples
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _rhelpers import read_kv, require_r, run_r
    from test_audit_rounding import CASES, mann_whitney_samples

pytestmark = pytest.mark.r


def _half(decimals: int) -> float:
    return 0.5 * 10.0**-decimals


def _two_group_cases() -> dict[str, tuple[tuple[str, int], tuple[str, int], str]]:
    """id -> ((summary, n), (summary, n), printed p): the data's two-group rows and the hand cases."""
    out = {}
    for study in ("deng2025", "tu2025"):
        for c in mean_sd_comparisons(load_study(study)):
            if len(c.cells) == 2:
                out[f"{study}_{c.key}"] = (
                    (c.cells[0][1], c.cells[0][2]),
                    (c.cells[1][1], c.cells[1][2]),
                    c.printed,
                )
    for i, (a, na, b, nb) in enumerate(CASES):
        out[f"hand{i}"] = ((a, na), (b, nb), "0.5")
    return out


def _anova_cases() -> dict[str, tuple[list[tuple[str, int]], str]]:
    out = {
        f"tu2025_{c.key.replace('.', '_')}": ([(t, n) for _, t, n in c.cells], c.printed)
        for c in mean_sd_comparisons(load_study("tu2025"))
        if len(c.cells) > 2
    }
    out["hand_interior"] = ([("0.0 ± 0.3", 20), ("0.1 ± 0.3", 20), ("0.2 ± 0.3", 20)], "0.5")
    return out


def _ratio_cases() -> dict[str, tuple[float, float, float, int]]:
    """Every printed HR / OR with a CI in data/, and two hand cases (a CI printed as one value)."""
    out = {}
    for study in ("deng2025", "fonc2025", "lv2025", "tu2025"):
        for n in load_study(study).numbers:
            if (
                n.quantity in ("hr", "or", "rr")
                and n.lower is not None
                and n.upper is not None
                and 0 < n.lower <= n.value <= n.upper
            ):
                d = max(
                    (decimals_of(t) for t in re.findall(r"\d+(?:\.\d+)?", n.printed)), default=2
                )
                out[f"{study}_{n.key}"] = (n.value, n.lower, n.upper, d)
    out["hand_collapsed"] = (1.0, 1.0, 1.0, 2)
    out["hand_zero_lower"] = (0.5, 0.0, 1.2, 1)
    return out


def _interaction_cases() -> dict[
    str, tuple[tuple[float, float, float], tuple[float, float, float], tuple[int, int]]
]:
    """Pairs of subgroup ratios that data/ links to a printed interaction p, and one hand case."""
    from hccrep.audit import _row_decimals

    out = {}
    for study in ("deng2025", "fonc2025", "lv2025", "tu2025"):
        pairs: dict[str, list] = {}
        for n in load_study(study).numbers:
            if (
                n.quantity in ("hr", "or", "rr")
                and n.lower is not None
                and n.about.interaction_key is not None
            ):
                pairs.setdefault(str(n.about.interaction_key), []).append(n)
        for key, p in pairs.items():
            if len(p) == 2:
                out[f"{study}_{key}"] = (
                    (p[0].value, p[0].lower, p[0].upper),
                    (p[1].value, p[1].lower, p[1].upper),
                    (_row_decimals(p[0].printed), _row_decimals(p[1].printed)),
                )
    out["hand"] = ((2.5, 1.2, 5.1), (0.9, 0.5, 1.6), (1, 1))
    return out


# GRIM: (printed mean, its decimals, n), hand-made
GRIM_CASES = {
    "g1": (3.44, 2, 18),
    "g2": (3.45, 2, 18),
    "g3": (5.3, 1, 3),
    "g4": (5.5, 1, 3),
    "g5": (2.25, 2, 12),
    "g6": (7.08, 2, 13),
}


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    require_r(())
    d = tmp_path_factory.mktemp("audit_r")
    rows = []
    for cid, ((a, na), (b, nb), p) in _two_group_cases().items():
        sa, sb = parse_summary(a, "mean_sd"), parse_summary(b, "mean_sd")
        plo, phi = _printed_p_interval(parse_pvalue(p))
        rows.append(
            (
                cid,
                sa.centre,
                sa.spread[0],
                na,
                _half(sa.decimals[0]),
                _half(sa.decimals[1]),
                sb.centre,
                sb.spread[0],
                nb,
                _half(sb.decimals[0]),
                _half(sb.decimals[1]),
                plo,
                phi,
            )
        )
    pd.DataFrame(
        rows,
        columns=[
            "id",
            "m1",
            "s1",
            "n1",
            "hm1",
            "hs1",
            "m2",
            "s2",
            "n2",
            "hm2",
            "hs2",
            "plo",
            "phi",
        ],
    ).to_csv(d / "ttest.csv", index=False)
    rows = []
    for cid, (cells, _) in _anova_cases().items():
        for j, (t, n) in enumerate(cells):
            s = parse_summary(t, "mean_sd")
            rows.append(
                (cid, j, s.centre, s.spread[0], n, _half(s.decimals[0]), _half(s.decimals[1]))
            )
    pd.DataFrame(rows, columns=["id", "group", "m", "s", "n", "hm", "hs"]).to_csv(
        d / "anova.csv", index=False
    )
    pd.DataFrame(
        [(cid, e, lo, hi, _half(dec)) for cid, (e, lo, hi, dec) in _ratio_cases().items()],
        columns=["id", "est", "lower", "upper", "h"],
    ).to_csv(d / "wald.csv", index=False)
    rows = []
    for spread in (0.05, 0.3):
        x, y = mann_whitney_samples(spread)
        cid = f"spread{str(spread).replace('.', '_')}"
        rows += [(cid, "pt", v) for v in x] + [(cid, "tace", v) for v in y]
    pd.DataFrame(rows, columns=["id", "group", "value"]).to_csv(
        d / "mw.csv", index=False, float_format="%.17g"
    )
    pd.DataFrame(
        [
            (cid, *a, _half(da), *b, _half(db))
            for cid, (a, b, (da, db)) in _interaction_cases().items()
        ],
        columns=["id", "e1", "l1", "u1", "h1", "e2", "l2", "u2", "h2"],
    ).to_csv(d / "interaction.csv", index=False)
    pd.DataFrame(
        [(cid, *c) for cid, c in GRIM_CASES.items()], columns=["id", "mean", "decimals", "n"]
    ).to_csv(d / "grim.csv", index=False)
    run_r("audit_reference.R", d, d / "audit_ref.csv")
    return read_kv(d / "audit_ref.csv")


def test_t_test_p_at_the_printed_values_matches_r_t_test_on_exact_samples(ref):
    for cid, ((a, na), (b, nb), _) in _two_group_cases().items():
        ranges = mean_sd_variant_ranges([(a, na), (b, nb)])
        for v in ("student", "welch"):
            assert ranges[v]["p"] == pytest.approx(ref[f"t.{cid}.{v}.p"], rel=1e-6), (cid, v)


def test_t_test_rounding_ranges_match_an_r_brute_force_grid(ref):
    for cid, ((a, na), (b, nb), _) in _two_group_cases().items():
        ranges = mean_sd_variant_ranges([(a, na), (b, nb)])
        for v in ("student", "welch"):
            lo, hi = ranges[v]["lo"], ranges[v]["hi"]
            r_lo, r_hi = ref[f"t.{cid}.{v}.lo"], ref[f"t.{cid}.{v}.hi"]
            # the grid never leaves our range ...
            assert lo <= r_lo * (1 + 1e-9) and hi >= r_hi * (1 - 1e-9), (cid, v, lo, r_lo, hi, r_hi)
            # ... and reaches it: exactly for Student (corners on the grid), to grid spacing for Welch
            rel = 1e-9 if v == "student" else 2e-3
            assert lo == pytest.approx(r_lo, rel=rel) and hi == pytest.approx(r_hi, rel=rel), (
                cid,
                v,
            )


def test_r_finds_deng2025_table1_fits_welch_in_10_rows_and_student_in_7(ref):
    deng = [cid for cid in _two_group_cases() if cid.startswith("deng2025_")]
    assert len(deng) == 10
    assert sum(ref[f"t.{cid}.welch.fit"] for cid in deng) == 10
    assert sum(ref[f"t.{cid}.student.fit"] for cid in deng) == 7


def test_anova_p_and_rounding_range_match_r(ref):
    for cid, (cells, _) in _anova_cases().items():
        a = mean_sd_variant_ranges(cells)["anova"]
        assert a["p"] == pytest.approx(ref[f"anova.{cid}.p"], rel=1e-6), cid
        assert a["lo"] <= ref[f"anova.{cid}.lo"] * (1 + 1e-9) and a["hi"] >= ref[
            f"anova.{cid}.hi"
        ] * (1 - 1e-9), cid
        # a 7-point grid per mean holds the corners (exact smallest p) but not always the interior optimum
        assert a["lo"] == pytest.approx(ref[f"anova.{cid}.lo"], rel=1e-9), cid
        assert a["hi"] == pytest.approx(ref[f"anova.{cid}.hi"], abs=0.02), cid
    # in the hand case the interior optimum (0.05, 0.1, 0.15) is on the grid
    a = mean_sd_variant_ranges(_anova_cases()["hand_interior"][0])["anova"]
    assert a["hi"] == pytest.approx(ref["anova.hand_interior.hi"], rel=1e-9)


def test_wald_p_ranges_contain_and_reach_an_r_brute_force_grid(ref):
    cases = _ratio_cases()
    assert len(cases) > 50
    for cid, (e, lo, hi, dec) in cases.items():
        p_lo, p_hi = _wald_p_range(e, lo, hi, dec)
        r_lo, r_hi = ref[f"wald.{cid}.lo"], ref[f"wald.{cid}.hi"]
        assert p_lo <= r_lo * (1 + 1e-9) + 1e-300 and p_hi >= r_hi * (1 - 1e-9), (
            cid,
            p_lo,
            r_lo,
            p_hi,
            r_hi,
        )
        h = _half(dec)
        if lo + h < e - h and e + h < hi - h and lo - h > 0:
            # ordering never binds: the corners are the extremes and they are on the grid
            assert p_lo == pytest.approx(r_lo, rel=1e-9) and p_hi == pytest.approx(
                r_hi, rel=1e-9
            ), cid
        elif lo - h <= 0:  # p -> 1 only as the lower limit -> 0, which a grid cannot reach
            assert p_hi == 1.0 and r_hi > p_lo
        else:  # suprema on an open set: the grid comes close
            assert r_lo <= max(10 * p_lo, 1e-8) and r_hi >= p_hi - 0.05, (
                cid,
                p_lo,
                r_lo,
                p_hi,
                r_hi,
            )
    assert ref["wald.hand_collapsed.lo"] < 1e-8 and ref["wald.hand_collapsed.hi"] == 1.0


def test_r_confirms_equal_mean_sd_samples_with_opposite_mann_whitney_p(ref):
    st = load_study("deng2025")
    v = next(x for x in st.baseline().variables if x.key == "age")
    a, b = (parse_summary(v.cells[k], "mean_sd") for k in ("pt", "tace"))
    from scipy import stats as sps

    for cid, spread in (("spread0_05", 0.05), ("spread0_3", 0.3)):
        assert ref[f"mw.{cid}.mean1"] == pytest.approx(a.centre, abs=1e-9)
        assert ref[f"mw.{cid}.sd1"] == pytest.approx(a.spread[0], abs=1e-9)
        assert ref[f"mw.{cid}.mean2"] == pytest.approx(b.centre, abs=1e-9)
        assert ref[f"mw.{cid}.sd2"] == pytest.approx(b.spread[0], abs=1e-9)
        x, y = mann_whitney_samples(spread)
        assert sps.mannwhitneyu(x, y, method="asymptotic").pvalue == pytest.approx(
            ref[f"mw.{cid}.p"], rel=1e-6
        )
    assert ref["mw.spread0_05.p"] < 1e-10 and ref["mw.spread0_3.p"] > 0.9
    assert not np.isnan(ref["mw.spread0_3.p"])


def test_altman_bland_interaction_p_and_range_match_r(ref):
    from hccrep.audit import interaction_p_range

    cases = _interaction_cases()
    assert sum(cid.startswith("fonc2025_") for cid in cases) == 4
    for cid, (a, b, dec) in cases.items():
        r = interaction_p_range(a, b, dec)
        assert r["p"] == pytest.approx(ref[f"ia.{cid}.p"], rel=1e-9), cid
        assert r["lo"] <= ref[f"ia.{cid}.lo"] * (1 + 1e-9) and r["hi"] >= ref[f"ia.{cid}.hi"] * (
            1 - 1e-9
        ), cid
        assert r["lo"] == pytest.approx(ref[f"ia.{cid}.lo"], rel=1e-9), (
            cid
        )  # the corners are on R's grid
        assert r["hi"] == pytest.approx(ref[f"ia.{cid}.hi"], abs=0.02), cid


def test_grim_matches_r(ref):
    from hccrep.audit import grim_consistent

    for cid, (mean, dec, n) in GRIM_CASES.items():
        ours = grim_consistent(mean, dec, n)
        assert ours is not None and float(ours) == ref[f"grim.{cid}"], cid

"""The arithmetic of the claim rules against R, run live (``tests/r/claims_reference.R``).

R recomputes, with its own functions and formulas: the p-values of the comparisons a text says
did not differ (``chisq.test`` with and without Yates' correction, ``fisher.test``, ``t.test`` on
samples with exactly the printed mean and SD), the Wald p a ratio's interval implies and whether
the interval excludes 1, the counts whose percentage prints as a given one, GRIM, DEBIT (by
enumerating binary samples and calling ``sd``), and the events a hazard ratio's interval implies.
The cases are the claims of ``data/`` plus seeded grids of hand-made ones.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from hccrep.audit import (
    _cell_text,
    _ratio_significant,
    _variant_ps,
    debit_consistent,
    events_implied,
    grim_consistent,
    mean_sd_variant_ranges,
    ratio_ci_finding,
)
from hccrep.printed import counts_printing_as, equal_at_precision, parse_count_percent
from hccrep.spec import CategoricalVariable, load_study

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._rhelpers import read_kv, require_r, run_r
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _rhelpers import read_kv, require_r, run_r

pytestmark = pytest.mark.r


def _splits():
    """(id, study, variable, groups) of every split and recomputed row the declared claims name."""
    out = []
    for key in ("deng2025", "fonc2025"):
        st = load_study(key)
        for c in st.claims.claims:
            if c.kind != "no_difference":
                continue
            for sp in c.splits:
                out.append(
                    (f"{key}_{sp.variable}_{'_'.join(sp.groups)}", st, sp.variable, sp.groups)
                )
            for pk in c.p:
                a = st.number(pk).analysis
                names = {v.key for v in st.baseline().variables}
                if a is not None and a.kind == "table1_test" and a.variable in names:
                    gs = list(a.groups) if a.groups else None
                    out.append((f"{key}_{pk.replace('.', '_')}", st, a.variable, gs))
    return out


def _ratios():
    out = {}
    for key in ("lv2025", "deng2025", "fonc2025"):
        st = load_study(key)
        for c in st.claims.claims:
            names = (
                [c.ratio]
                if c.kind in ("ci_p", "events_implied")
                else list(getattr(c, "numbers", []))
            )
            for k in names:
                if not isinstance(k, str):
                    continue
                n = st.number(k)
                if n.quantity in ("hr", "or") and n.lower is not None:
                    out[f"{key}_{k}"] = (n.value, n.lower, n.upper, n.printed)
    out["hand_a"] = (0.43, 0.21, 0.88, "0.43 (0.21-0.88)")
    out["hand_skew"] = (2.0, 1.1, 2.5, "2.00 (1.10-2.50)")
    return out


def _pct_cases():
    cases = {
        "fonc_liver_29": (51.4, 1, 29, 18),
        "fonc_liver_35": (51.4, 1, 35, 18),
        "fonc_pvtt_29": (31.4, 1, 29, 11),
        "lv_ikeda": (22.0, 0, 36, None),
        "hand_23_of_7": (23.0, 0, 7, None),
    }
    rng = np.random.default_rng(20251205)
    for i in range(40):
        n = int(rng.integers(3, 120))
        k = int(rng.integers(0, n + 1))
        d = int(rng.integers(0, 3))
        pct = round(100 * k / n + float(rng.choice([0.0, 0.1, -0.1, 0.7])), d)
        pct = min(max(pct, 0.0), 100.0)
        cases[f"grid{i}"] = (pct, d, n, k)
    return cases


def _declared_grim():
    """(id, study, claim) of every GRIM claim the data files declare."""
    return [
        (f"{key}_{c.key}", st, c)
        for key in ("deng2025", "fonc2025", "tu2025", "lv2025")
        for st in [load_study(key)]
        if st.claims is not None
        for c in st.claims.claims
        if c.kind == "grim"
    ]


def _grim_cases():
    rng = np.random.default_rng(7)
    cases = {"hand_ok": (3.44, 2, 18), "hand_bad": (3.45, 2, 18)}
    # boundary by hand: 10 values move in steps of 0.1, so 1 decimal is untestable, 2 are not
    cases.update({"hand_n10_d1": (5.3, 1, 10), "hand_n99_d2": (5.37, 2, 99)})
    for cid, st, c in _declared_grim():
        m = st.number(c.mean)
        cases[cid] = (m.value, m.decimals, int(c.n) * c.items)
    for i in range(60):
        n = int(rng.integers(2, 60))
        d = int(rng.integers(1, 3))
        cases[f"grid{i}"] = (round(float(rng.uniform(0, 10)), d), d, n)
    return cases


def _debit_cases():
    rng = np.random.default_rng(11)
    cases = {"hand_ok": (0.35, 2, 0.49, 2, 20), "hand_bad": (0.35, 2, 0.40, 2, 20)}
    for i in range(60):
        n = int(rng.integers(2, 80))
        k = int(rng.integers(0, n + 1))
        p = k / n
        sd = math.sqrt(p * (1 - p) * n / (n - 1))
        jitter = float(rng.choice([0.0, 0.0, 0.01, -0.02, 0.05]))
        cases[f"grid{i}"] = (round(p, 2), 2, round(max(sd + jitter, 0.0), 2), 2, n)
    return cases


def _events_cases():
    st = load_study("deng2025")
    out = {}
    for c in st.claims.claims:
        if c.kind == "events_implied":
            r = st.number(c.ratio)
            k = sum(parse_count_percent(st.number(x).printed).count for x in c.exposed)
            out[c.key] = (r.lower, r.upper, k / c.total)
    out["hand"] = (0.5, 2.0, 0.5)
    return out


def _ae_tables():
    """fonc2025 Table 4: each printed p with the 2 x 2 table of its two groups' counts.

    Rebuilt here from the ``about`` (group, endpoint, grade, count, n) of the data file, apart
    from the audit's own pairing (:func:`hccrep.audit.audit_count_pvalues`).
    """
    st = load_study("fonc2025")
    nums = [n for n in st.numbers if n.file_id == "table4"]
    cells = {
        (n.about.endpoint, n.about.grade, n.about.group): (int(n.about.count), int(n.about.n))
        for n in nums
        if n.about.count is not None and n.about.group is not None
    }
    out = {}
    for n in nums:
        if n.quantity != "p":
            continue
        pair = [cells.get((n.about.endpoint, n.about.grade, g)) for g in ("io_t", "rt_io_t")]
        if None in pair:  # a group whose count the table does not print: no table to test
            continue
        out[n.key] = (n.printed, [[k for k, _ in pair], [m - k for k, m in pair]])
    return out


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    require_r(())
    d = tmp_path_factory.mktemp("claims_r")
    rows = []
    meansd = []
    for cid, st, var, groups in _splits():
        f = st.baseline()
        v = next(x for x in f.variables if x.key == var)
        gs = [g for g in f.groups if groups is None or g.key in groups]
        if isinstance(v, CategoricalVariable):
            for lv in v.levels:
                for g in gs:
                    rows.append(
                        (
                            cid,
                            lv.key,
                            g.key,
                            parse_count_percent(_cell_text(v.cells[g.key][lv.key])).count,
                        )
                    )
        elif v.summary == "mean_sd" and len(gs) == 2:
            from hccrep.printed import parse_summary

            s = [parse_summary(_cell_text(v.cells[g.key]), "mean_sd") for g in gs]
            meansd.append(
                (cid, s[0].centre, s[0].spread[0], gs[0].n, s[1].centre, s[1].spread[0], gs[1].n)
            )
    for key, (_, table) in _ae_tables().items():
        for i, line in enumerate(table):
            for j, count in enumerate(line):
                rows.append((f"ae_{key}", i, j, count))
    pd.DataFrame(rows, columns=["id", "row", "col", "count"]).to_csv(d / "tables.csv", index=False)
    pd.DataFrame(meansd, columns=["id", "m1", "s1", "n1", "m2", "s2", "n2"]).to_csv(
        d / "meansd.csv", index=False
    )
    pd.DataFrame(
        [(k, e, lo, hi) for k, (e, lo, hi, _) in _ratios().items()],
        columns=["id", "est", "lower", "upper"],
    ).to_csv(d / "ratios.csv", index=False)
    pd.DataFrame(
        [(k, *v) for k, v in _pct_cases().items()], columns=["id", "pct", "decimals", "n", "count"]
    ).to_csv(d / "pct.csv", index=False)
    pd.DataFrame(
        [(k, *v) for k, v in _grim_cases().items()], columns=["id", "mean", "decimals", "n"]
    ).to_csv(d / "grim.csv", index=False)
    pd.DataFrame(
        [(k, *v) for k, v in _debit_cases().items()], columns=["id", "mean", "md", "sd", "sdd", "n"]
    ).to_csv(d / "debit.csv", index=False)
    pd.DataFrame(
        [(k, *v) for k, v in _events_cases().items()], columns=["id", "lower", "upper", "prev"]
    ).to_csv(d / "events.csv", index=False)
    run_r("claims_reference.R", d, d / "ref.csv")
    return read_kv(d / "ref.csv")


def test_split_p_values_match_r_chisq_test_and_fisher_test(ref):
    n = 0
    for cid, st, var, groups in _splits():
        kind, r = _variant_ps(st, var, groups)
        if kind == "categorical":
            for v in ("chisq", "chisq_yates", "fisher"):
                assert r[v][0] == pytest.approx(ref[f"p.{cid}.{v}"], rel=1e-6), (cid, v)
            n += 1
        elif kind == "mean_sd" and f"t.{cid}.student" in ref:
            f = st.baseline()
            v = next(x for x in f.variables if x.key == var)
            cells = [(_cell_text(v.cells[g.key]), g.n) for g in f.groups if g.key in groups]
            for name in ("student", "welch"):
                p = mean_sd_variant_ranges(cells)[name]["p"]
                assert p == pytest.approx(ref[f"t.{cid}.{name}"], rel=1e-6), (cid, name)
            n += 1
    assert n >= 20


def test_variant_fit_of_fonc2025_table_4_matches_r(ref):
    """The per-table variant counts of the audit, against R's chisq.test and fisher.test on the
    adverse-event tables (Fisher when R's smallest expected count is below 5, else the
    uncorrected chi-square, for auto_fisher)."""
    from hccrep.audit import variant_fit_summary
    from hccrep.printed import parse_pvalue

    tables = _ae_tables()
    assert len(tables) == 25
    agree = {v: 0 for v in ("chisq", "chisq_yates", "fisher", "auto_fisher")}
    for key, (printed, _) in tables.items():
        r = {v: ref[f"p.ae_{key}.{v}"] for v in ("chisq", "chisq_yates", "fisher")}
        small = ref[f"p.ae_{key}.min_expected"] < 5
        r["auto_fisher"] = r["fisher"] if small else r["chisq"]
        for v, p in r.items():
            agree[v] += parse_pvalue(printed).agrees(p)
    s = variant_fit_summary("fonc2025").query("source == 'Table 4'").set_index("variant")
    for v, n in agree.items():
        assert s.loc[v, "rows"] == len(tables) and s.loc[v, "within"] == n, v


def test_ratio_intervals_wald_p_and_significance_match_r(ref):
    for cid, (e, lo, hi, printed) in _ratios().items():
        _, detail = ratio_ci_finding(e, lo, hi, printed)
        p = float(re.search(r"CI implies p = ([0-9.e+-]+)", detail).group(1))
        assert p == pytest.approx(ref[f"ratio.{cid}.p"], rel=1e-3), cid
        n = type("N", (), {"lower": lo, "upper": hi})()
        assert _ratio_significant(n) == bool(ref[f"ratio.{cid}.excludes1"]), cid


def test_percent_counts_match_r(ref):
    for cid, (pct, d, n, count) in _pct_cases().items():
        ks = counts_printing_as(pct, d, n)
        assert len(ks) == ref[f"pct.{cid}.nk"], cid
        assert (ks[0] if ks else -1) == ref[f"pct.{cid}.kmin"], cid
        if count is not None:
            assert equal_at_precision(100 * count / n, pct, d) == bool(
                ref[f"pct.{cid}.count_ok"]
            ), cid


def test_grim_matches_r(ref):
    for cid, (m, d, n) in _grim_cases().items():
        ok = grim_consistent(m, d, n)
        assert (True if ok is None else ok) == bool(ref[f"grim.{cid}"]), cid
        # None (cannot tell) exactly when R's enumeration reaches every printed value nearby
        assert (ok is None) == bool(ref[f"grim.{cid}.all"]), cid


def test_declared_grim_claims_say_why_they_cannot_test(ref):
    """Every GRIM claim of the four papers: R reaches every nearby printed mean at its n, so the
    audit's finding is a note that says so and judges no number (never "ok")."""
    from hccrep.audit import claim_findings

    declared = _declared_grim()
    assert len(declared) >= 40  # deng2025 Table 1 and tu2025 Tables 1 and 2
    found = {
        st.meta.key: claim_findings(st).set_index("key")
        for st in {id(s): s for _, s, _ in declared}.values()
    }
    for cid, st, c in declared:
        assert ref[f"grim.{cid}.all"] == 1, cid
        row = found[st.meta.key].loc[c.key]
        assert row["status"] == "note" and row["numbers"] == (), cid
        assert row["detail"].startswith("uninformative at this n"), cid


def test_debit_matches_r_enumeration(ref):
    seen = set()
    for cid, (m, md, sd, sdd, n) in _debit_cases().items():
        ok = debit_consistent(m, md, sd, sdd, n)
        assert ok == bool(ref[f"debit.{cid}"]), cid
        seen.add(ok)
    assert seen == {True, False}


def test_events_implied_matches_r(ref):
    for cid, (lo, hi, p) in _events_cases().items():
        assert events_implied(lo, hi, p) == pytest.approx(ref[f"events.{cid}"], rel=1e-9), cid

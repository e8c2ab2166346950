"""Audit of reported statistics: consistency checks on the printed numbers alone.

No simulation is involved.  Each finding names the number and where it was
printed.  The checks:

``percent``
    a printed percentage against its count and denominator;
``sum``
    counts of a variable summing to the group n; a Total column equal to the
    sum of the groups;
``p_variants``
    a p-value recomputed from the printed counts (Table 1, and any results
    number whose attributes link it to per-group counts) under each test
    variant (Pearson chi-square, with Yates' correction, Fisher, the
    "Fisher when an expected count < 5" rule) -- or, for mean ± SD rows, the
    Student / Welch t-test and one-way ANOVA from the summaries -- and which
    variants print as the paper did;
``ratio_ci``
    a hazard or odds ratio inside its confidence interval, the interval
    symmetric on the log scale, and the p-value the interval implies.

Examples
--------
>>> from hccrep.audit import audit_study
>>> findings = audit_study("fonc2025")                    # doctest: +SKIP
>>> findings.query("status == 'inconsistent'")           # doctest: +SKIP
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from scipy import stats as sps

from hccrep.printed import decimals_of, parse_count_percent, parse_pvalue, parse_summary
from hccrep.spec import BaselineFile, CategoricalVariable, ContinuousVariable, ResultsFile, Study, load_study

__all__ = ["audit_study", "audit_baseline", "audit_results", "p_under_variants", "STATUSES"]

#: ``ok``: consistent; ``note``: consistent under some reading, worth knowing;
#: ``inconsistent``: no reading of the printed numbers makes them agree.
STATUSES = ("ok", "note", "inconsistent")
CATEGORICAL_VARIANTS = ("chisq", "chisq_yates", "fisher", "auto_fisher")


def _row(check, key, source, where, printed, status, detail):
    return {"check": check, "key": key, "source": source, "where": where, "printed": printed, "status": status, "detail": detail}


def p_under_variants(table: np.ndarray) -> dict[str, float]:
    """P-value of an r x c count table under each categorical test variant."""
    from hccrep.stats import compare_counts

    out = {}
    for v in CATEGORICAL_VARIANTS:
        try:
            out[v] = compare_counts(table, test=v).pvalue
        except ValueError:
            out[v] = float("nan")
    return out


def _continuous_variants(v: ContinuousVariable, base: BaselineFile) -> dict[str, float]:
    """P-values computable from mean ± SD summaries alone."""
    if v.summary != "mean_sd":
        return {}
    s = [parse_summary(v.cells[g.key] if isinstance(v.cells[g.key], str) else v.cells[g.key].printed, "mean_sd") for g in base.groups]
    means = np.array([x.centre for x in s])
    sds = np.array([x.spread[0] for x in s])
    ns = np.array([g.n for g in base.groups], dtype=float)
    out: dict[str, float] = {}
    if len(s) == 2:
        out["student"] = float(sps.ttest_ind_from_stats(means[0], sds[0], ns[0], means[1], sds[1], ns[1], equal_var=True).pvalue)
        out["welch"] = float(sps.ttest_ind_from_stats(means[0], sds[0], ns[0], means[1], sds[1], ns[1], equal_var=False).pvalue)
    grand = float(np.sum(ns * means) / ns.sum())
    ssb = float(np.sum(ns * (means - grand) ** 2))
    ssw = float(np.sum((ns - 1) * sds**2))
    k, n = len(s), ns.sum()
    if ssw > 0:
        f = (ssb / (k - 1)) / (ssw / (n - k))
        out["anova"] = float(sps.f.sf(f, k - 1, n - k))
    return out


def audit_baseline(f: BaselineFile) -> list[dict]:
    """Findings for one baseline table."""
    rows: list[dict] = []
    src = f.source.label
    cols = list(f.groups) + ([f.total] if f.total else [])
    for v in f.variables:
        if isinstance(v, CategoricalVariable):
            counts = {}
            for g in cols:
                total = 0
                for lv in v.levels:
                    cell = v.cells[g.key][lv.key]
                    text = cell if isinstance(cell, str) else cell.printed
                    cp = parse_count_percent(text)
                    counts[(g.key, lv.key)] = cp.count
                    total += cp.count
                    where = f"{v.label}: {lv.label}, {g.label}"
                    if cp.percent is not None:
                        denom = cell.denominator if not isinstance(cell, str) and cell.denominator else g.n
                        pct = 100 * cp.count / g.n
                        tol = 0.5 * 10 ** -(cp.percent_decimals or 0) + 1e-9
                        if abs(pct - cp.percent) <= tol:
                            continue
                        alt = 100 * cp.count / denom
                        if denom != g.n and abs(alt - cp.percent) <= tol:
                            rows.append(_row("percent", f"{v.key}.{lv.key}.{g.key}", src, where, text, "note",
                                             f"{cp.count}/{g.n} = {pct:.1f}%, but the printed {cp.percent}% is {cp.count}/{denom}: "
                                             f"the paper used a denominator of {denom}" + (f" ({cell.note})" if cell.note else "")))
                        else:
                            rows.append(_row("percent", f"{v.key}.{lv.key}.{g.key}", src, where, text, "inconsistent",
                                             f"{cp.count}/{g.n} = {pct:.2f}%, printed {cp.percent}%"))
                if total != g.n:
                    rows.append(_row("sum", f"{v.key}.{g.key}", src, f"{v.label}, {g.label}", "", "note" if v.sum_note else "inconsistent",
                                     f"counts sum to {total}, not {g.n}" + (f" ({v.sum_note})" if v.sum_note else "")))
            if f.total is not None:
                for lv in v.levels:
                    s = sum(counts[(g.key, lv.key)] for g in f.groups)
                    if s != counts[(f.total.key, lv.key)]:
                        rows.append(_row("sum", f"{v.key}.{lv.key}.{f.total.key}", src, f"{v.label}: {lv.label}, {f.total.label}", "",
                                         "inconsistent", f"Total {counts[(f.total.key, lv.key)]} is not the sum of the groups ({s})"))
            if v.p is not None:
                table = np.array([[counts[(g.key, lv.key)] for g in f.groups] for lv in v.levels])
                ps = p_under_variants(table)
                pv = parse_pvalue(v.p.printed)
                agree = [k for k, p in ps.items() if not math.isnan(p) and pv.agrees(p)]
                detail = ", ".join(f"{k} {p:.4f}" for k, p in ps.items()) + f"; printed {v.p.printed}; agrees: {', '.join(agree) or 'none'}"
                stated = v.test_stated or f.methods.get("categorical_test", "")
                status = "ok" if "chisq" in agree else ("note" if agree else "inconsistent")
                if status != "ok" and stated:
                    detail += f"; stated test: {stated}"
                rows.append(_row("p_variants", f"{v.key}.p", src, v.label, v.p.printed, status, detail))
        else:
            for g in cols:
                cell = v.cells[g.key]
                text = cell if isinstance(cell, str) else cell.printed
                s = parse_summary(text, v.summary)
                if v.summary == "mean_sd" and v.lower_bound is not None and s.spread[0] > 0:
                    # a non-negative variable with SD > mean is skewed: mean ± SD describes it poorly
                    if s.centre - 2 * s.spread[0] < v.lower_bound:
                        rows.append(_row("skew", f"{v.key}.{g.key}", src, f"{v.label}, {g.label}", text, "note",
                                         f"mean - 2 SD = {s.centre - 2 * s.spread[0]:.1f} is below {v.lower_bound}: the variable is skewed, a median (IQR) would describe it better"))
            if v.p is not None:
                ps = _continuous_variants(v, f)
                pv = parse_pvalue(v.p.printed)
                if ps:
                    agree = [k for k, p in ps.items() if pv.agrees(p)]
                    detail = ", ".join(f"{k} {p:.4f}" for k, p in ps.items()) + f"; printed {v.p.printed}; agrees: {', '.join(agree) or 'none'}"
                    rows.append(_row("p_variants", f"{v.key}.p", src, v.label, v.p.printed, "ok" if agree else "note", detail))
                else:
                    rows.append(_row("p_variants", f"{v.key}.p", src, v.label, v.p.printed, "note",
                                     "a rank test cannot be recomputed from a median and quartiles; checked by simulation only"))
    return rows


def _wald_p_range(est: float, lower: float, upper: float, decimals: int) -> tuple[float, float]:
    """Smallest and largest Wald p consistent with a ratio and CI printed to ``decimals``.

    Each of the three printed numbers may lie anywhere within half a unit of
    its last digit; the p-value is monotone in each, so the corners bound it.
    """
    h = 0.5 * 10.0**-decimals
    z975 = sps.norm.ppf(0.975)
    ps = []
    for e in (est - h, est + h):
        for lo in (lower - h, lower + h):
            for hi in (upper - h, upper + h):
                if min(e, lo, hi) <= 0 or hi <= lo:
                    continue
                se = (math.log(hi) - math.log(lo)) / (2 * z975)
                ps.append(2 * sps.norm.sf(abs(math.log(e)) / se))
    if not ps:
        return 0.0, 1.0
    # |log e| is smallest where e crosses 1: allow p = 1 when the rounding interval of e contains 1
    hi_p = 1.0 if est - h <= 1 <= est + h else max(ps)
    return min(ps), hi_p


def audit_results(f: ResultsFile) -> list[dict]:
    """Findings for one results file (ratios with CIs and p-values, counts with percents)."""
    rows: list[dict] = []
    src = f.source.label
    by_key = {n.key: n for n in f.numbers}
    for num in f.numbers:
        where = num.where.row or num.where.text or ""
        if num.quantity in ("hr", "or", "rr") and num.lower is not None and num.upper is not None:
            if not num.lower <= num.value <= num.upper:
                rows.append(_row("ratio_ci", num.key, src, where, num.printed, "inconsistent", f"{num.value} lies outside [{num.lower}, {num.upper}]"))
                continue
            if num.lower <= 0:
                rows.append(_row("ratio_ci", num.key, src, where, num.printed, "inconsistent", "a ratio's lower bound must be positive"))
                continue
            lo, hi, est = math.log(num.lower), math.log(num.upper), math.log(num.value)
            centre = (lo + hi) / 2
            # rounding of three printed numbers to d decimals moves each log by up to 0.5*10^-d / x
            d = max((decimals_of(t) for t in re.findall(r"\d+(?:\.\d+)?", num.printed)), default=2)
            tol = 0.5 * 10**-d * (1 / num.value + 0.5 / num.lower + 0.5 / num.upper) + 1e-9
            status = "ok" if abs(est - centre) <= tol else "inconsistent"
            detail = f"log HR {est:.4f} vs centre of log CI {centre:.4f} (tolerance {tol:.4f} from rounding)"
            se = (hi - lo) / (2 * sps.norm.ppf(0.975))
            p_implied = 2 * sps.norm.sf(abs(est) / se) if se > 0 else float("nan")
            detail += f"; CI implies p = {p_implied:.4g}"
            pkey = num.attrs.get("p_key")
            if isinstance(pkey, str) and pkey in by_key:
                pnum = by_key[pkey]
                pv = parse_pvalue(pnum.printed)
                p_lo, p_hi = _wald_p_range(num.value, num.lower, num.upper, d)
                # the printed p, read as the interval of values that print so
                half = 0.5 * 10.0 ** -pv.decimals
                printed_lo, printed_hi = {"<": (0.0, pv.value), ">": (pv.value, 1.0)}.get(pv.bound, (pv.value - half, pv.value + half))
                if printed_hi < p_lo or printed_lo > p_hi:
                    status = "note" if status == "ok" else status
                    detail += (f"; printed p {pnum.printed} lies outside [{p_lo:.3g}, {p_hi:.3g}], the Wald p-values the "
                               "rounded HR and CI allow: not a Wald test (a score or log-rank p?)")
            rows.append(_row("ratio_ci", num.key, src, where, num.printed, status, detail))
        if "count" in num.attrs and "n" in num.attrs and num.quantity in ("percent", "rate"):
            c, n = float(num.attrs["count"]), float(num.attrs["n"])
            pct = 100 * c / n
            dec = max((decimals_of(t) for t in re.findall(r"\d+(?:\.\d+)?", num.printed)), default=0)
            ok = abs(pct - num.value) <= 0.5 * 10**-dec + 1e-9
            rows.append(_row("percent", num.key, src, where, num.printed, "ok" if ok else "inconsistent", f"{int(c)}/{int(n)} = {pct:.2f}%"))
    return rows


def audit_count_pvalues(study: Study) -> list[dict]:
    """P-values of results files recomputed from the printed counts under each test variant.

    A p-value qualifies when its ``attrs`` name an ``endpoint`` (several, comma
    separated, for a statement about all of them: then the smallest p is used)
    and the study prints, for every group, a number with the same endpoint
    (and ``grade``) whose ``attrs`` give ``count`` and ``n``.
    """
    groups = [g.key for g in study.baseline().groups] if any(isinstance(f, BaselineFile) for f in study.files.values()) else []
    counts: dict[tuple, tuple[int, int]] = {}
    for n in study.numbers:
        a = n.attrs
        if {"count", "n", "group", "endpoint"} <= set(a):
            counts[(str(a["endpoint"]), str(a.get("grade", "")), str(a["group"]))] = (int(a["count"]), int(a["n"]))
    rows = []
    for n in study.numbers:
        a = n.attrs
        if n.quantity != "p" or "endpoint" not in a or n.file_id == "table1":
            continue
        endpoints = [e.strip() for e in str(a["endpoint"]).split(",")]
        grade = str(a.get("grade", ""))
        tables = []
        for e in endpoints:
            cells = [counts.get((e, grade, g)) for g in groups]
            if not groups or any(c is None for c in cells):
                break
            tables.append(np.array([[k for k, _ in cells], [m - k for k, m in cells]]))
        else:
            per_variant = {v: min(p_under_variants(t)[v] for t in tables) for v in CATEGORICAL_VARIANTS}
            pv = parse_pvalue(n.printed)
            agree = [k for k, p in per_variant.items() if not math.isnan(p) and pv.agrees(p)]
            expected_min = min(float((t.sum(1)[:, None] * t.sum(0)[None, :] / t.sum()).min()) for t in tables)
            detail = ", ".join(f"{k} {p:.4f}" for k, p in per_variant.items())
            detail += f"; smallest expected count {expected_min:.1f}; printed {n.printed}; agrees: {', '.join(agree) or 'none'}"
            status = "ok" if "chisq" in agree else ("note" if agree else "inconsistent")
            rows.append(_row("p_variants", n.key, n.source, n.row or "", n.printed, status, detail))
    return rows


def audit_study(study: str | Study, include_ok: bool = True) -> pd.DataFrame:
    """Every audit finding of a study, one row each.

    Columns: ``check, key, source, where, printed, status, detail``.
    """
    st = load_study(study) if isinstance(study, str) else study
    rows: list[dict] = []
    for f in st.files.values():
        rows += audit_baseline(f) if isinstance(f, BaselineFile) else audit_results(f)
    rows += audit_count_pvalues(st)
    df = pd.DataFrame(rows, columns=["check", "key", "source", "where", "printed", "status", "detail"])
    if not include_ok:
        df = df[df.status != "ok"]
    return df.reset_index(drop=True)

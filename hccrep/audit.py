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
``percent_of_n``
    a rate printed with its denominator ``n`` only (no count): is it k/n for
    some integer k?
``confusion``
    sensitivity, specificity, accuracy, precision and F1 printed for one
    cohort: the integer confusion matrices (TP, FN, TN, FP) that print as
    they do, against the cohort's size and number of positives
    (:func:`confusion_matrices`);
``coefficient``
    a logistic coefficient (quantity ``log_or``) with its interval, z and p:
    does the interval exclude 0 exactly when p < 0.05, does the z give the p,
    is the interval symmetric (Wald) or not (profile likelihood);
``median_partition``
    Kaplan-Meier medians of one arm printed for two partitions of the same
    patients (cohorts, and subgroups): the pooled curve is a mixture of the
    strata's curves under either partition, so the two sets of medians must
    overlap.

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
from hccrep.spec import BaselineFile, CategoricalVariable, ContinuousVariable, ReportedNumber, ResultsFile, Study, load_study

__all__ = ["audit_study", "audit_baseline", "audit_results", "p_under_variants", "STATUSES", "confusion_matrices", "anova_rounding_range"]

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


def anova_rounding_range(v: ContinuousVariable, base: BaselineFile) -> tuple[float, float]:
    """Smallest and largest one-way ANOVA p that a baseline row's rounded mean ± SD summaries allow.

    Every printed mean and SD may lie anywhere within half a unit of its last
    digit; the p-value is evaluated at every corner of that box (2^(2k)
    corners for k groups).

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("tu2025")                                    # doctest: +SKIP
    >>> v = next(x for x in st.baseline().variables if x.key == "pt")  # doctest: +SKIP
    >>> anova_rounding_range(v, st.baseline())                       # doctest: +SKIP
    (0.096..., 1.0)
    """
    import itertools

    if v.summary != "mean_sd":
        raise ValueError(f"{v.key!r} is summarised as {v.summary}, not mean ± SD")
    s = [parse_summary(v.cells[g.key] if isinstance(v.cells[g.key], str) else v.cells[g.key].printed, "mean_sd") for g in base.groups]
    ns = np.array([g.n for g in base.groups], dtype=float)
    k = len(s)
    ps = []
    for signs in itertools.product((-1, 1), repeat=2 * k):
        m = np.array([x.centre + signs[i] * 0.5 * 10.0 ** -x.decimals[0] for i, x in enumerate(s)])
        sd = np.array([max(x.spread[0] + signs[k + i] * 0.5 * 10.0 ** -x.decimals[1], 1e-12) for i, x in enumerate(s)])
        grand = np.sum(ns * m) / ns.sum()
        f = (np.sum(ns * (m - grand) ** 2) / (k - 1)) / (np.sum((ns - 1) * sd**2) / (ns.sum() - k))
        ps.append(float(sps.f.sf(f, k - 1, ns.sum() - k)))
    return min(ps), max(ps)


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
                    if not agree and "anova" in ps:
                        lo, hi = anova_rounding_range(v, f)
                        inside = lo <= pv.value <= hi if pv.bound is None else (lo < pv.value if pv.bound == "<" else hi > pv.value)
                        detail += (f"; ANOVA on summaries anywhere within the printed rounding gives p in [{lo:.4f}, {hi:.4f}], "
                                   f"which {'contains' if inside else 'excludes'} the printed p")
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
        if "count" not in num.attrs and "n" in num.attrs and num.quantity in ("percent", "rate"):
            n_int = int(num.attrs["n"])
            dec = max((decimals_of(t) for t in re.findall(r"\d+(?:\.\d+)?", num.printed)), default=0)
            k = [c for c in range(n_int + 1) if abs(100 * c / n_int - num.value) <= 0.5 * 10**-dec + 1e-9]
            near = round(num.value * n_int / 100)
            detail = (f"{k[0]}/{n_int} = {100 * k[0] / n_int:.2f}%" if k else
                      f"no k/{n_int} prints as {num.value}%: the nearest are {near - 1}/{n_int} = {100 * (near - 1) / n_int:.2f}%, "
                      f"{near}/{n_int} = {100 * near / n_int:.2f}% and {near + 1}/{n_int} = {100 * (near + 1) / n_int:.2f}%")
            rows.append(_row("percent_of_n", num.key, src, where, num.printed, "ok" if k else "inconsistent", detail))
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
    default_groups = [g.key for g in study.baseline().groups] if any(isinstance(f, BaselineFile) for f in study.files.values()) else []
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
        # a p-value comparing other groups than the baseline table's names them ("tie,tin")
        groups = [g.strip() for g in str(a["groups"]).split(",")] if "groups" in a else default_groups
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


_CONFUSION_METRICS = ("sensitivity", "specificity", "accuracy", "precision", "f1")


def _prints_as(x: np.ndarray, printed: float, decimals: int) -> np.ndarray:
    """Does each percentage in ``x`` round (half up, within float noise) to ``printed``?"""
    return np.abs(x - printed) <= 0.5 * 10.0**-decimals + 1e-9


def confusion_matrices(printed: dict[str, tuple[float, int]], n_max: int = 1000) -> pd.DataFrame:
    """Every confusion matrix whose metrics print as the reported percentages.

    Parameters
    ----------
    printed : mapping metric -> (percent, decimals)
        Metrics among ``sensitivity, specificity, accuracy, precision, f1``
        (percent, as printed, and its number of decimals); sensitivity and
        specificity are required.
    n_max : int
        Largest number of positives, and of negatives, tried.

    Returns
    -------
    pandas.DataFrame
        Columns ``tp, fn, tn, fp, positives, negatives, n``, sorted by ``n``.

    Examples
    --------
    >>> m = confusion_matrices({"sensitivity": (75.0, 0), "specificity": (50.0, 0), "accuracy": (60.0, 0)}, n_max=10)
    >>> m.iloc[0][["tp", "fn", "tn", "fp"]].tolist()
    [3, 1, 3, 3]
    """
    unknown = set(printed) - set(_CONFUSION_METRICS)
    if unknown:
        raise ValueError(f"printed has unknown metric(s) {sorted(unknown)}; known: {_CONFUSION_METRICS}")
    if not {"sensitivity", "specificity"} <= set(printed):
        raise ValueError("printed needs at least sensitivity and specificity")
    if n_max < 1:
        raise ValueError(f"n_max must be positive, got {n_max}")

    def pairs(metric: str) -> tuple[np.ndarray, np.ndarray]:
        value, dec = printed[metric]
        tot = np.arange(1, n_max + 1)
        cand = np.concatenate([np.floor(value / 100 * tot) + d for d in (-1, 0, 1, 2)])
        tt = np.tile(tot, 4)
        ok = (cand >= 0) & (cand <= tt) & _prints_as(100 * cand / tt, value, dec)
        return cand[ok].astype(int), tt[ok]

    tp, pos = pairs("sensitivity")
    tn, neg = pairs("specificity")
    TP, TN = np.meshgrid(tp, tn, indexing="ij")
    P, N = np.meshgrid(pos, neg, indexing="ij")
    TP, TN, P, N = TP.ravel(), TN.ravel(), P.ravel(), N.ravel()
    FN, FP = P - TP, N - TN
    keep = np.ones(TP.size, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        calc = {"accuracy": 100 * (TP + TN) / (P + N), "precision": 100 * TP / (TP + FP), "f1": 100 * 2 * TP / (2 * TP + FP + FN)}
    for metric, values in calc.items():
        if metric in printed:
            keep &= _prints_as(values, *printed[metric])
    out = pd.DataFrame({"tp": TP[keep], "fn": FN[keep], "tn": TN[keep], "fp": FP[keep], "positives": P[keep], "negatives": N[keep]})
    out["n"] = out["positives"] + out["negatives"]
    return out.drop_duplicates().sort_values(["n", "positives"]).reset_index(drop=True)


def audit_confusion(study: Study) -> list[dict]:
    """Confusion-matrix metrics of one cohort against its size and number of positives.

    Numbers qualify when their quantity is one of sensitivity, specificity,
    accuracy, precision, f1 and their ``attrs`` name the ``cohort``; the
    cohort's size and positives come from the numbers named by ``attrs``
    ``n_key`` and ``positives_key`` (e.g. a Table 1 group size and count).
    """
    by_cohort: dict[tuple[str, str], dict[str, ReportedNumber]] = {}
    for n in study.numbers:
        if n.quantity in _CONFUSION_METRICS and "cohort" in n.attrs:
            by_cohort.setdefault((n.file_id, str(n.attrs["cohort"])), {})[n.quantity] = n
    rows = []
    for (fid, cohort), nums in by_cohort.items():
        if not {"sensitivity", "specificity"} <= set(nums):
            continue
        first = nums["sensitivity"]
        printed = {q: (n.value, n.decimals or 0) for q, n in nums.items()}
        n_cohort = pos = None
        if "n_key" in first.attrs and "positives_key" in first.attrs:
            n_cohort = int(study.number(str(first.attrs["n_key"])).value)
            pos = int(study.number(str(first.attrs["positives_key"])).value)
        n_max = max(500, 2 * (n_cohort or 0))
        cands = confusion_matrices(printed, n_max=n_max)
        text = "; ".join(f"{q} {n.printed}" for q, n in nums.items())
        if cands.empty:
            rows.append(_row("confusion", f"{fid}.{cohort}", first.source, f"cohort {cohort}", text, "inconsistent",
                             f"no confusion matrix with at most {n_max} positives and {n_max} negatives prints these metrics"))
            continue
        best = cands.iloc[0]
        shown = ", ".join(f"TP {r.tp} FN {r.fn} TN {r.tn} FP {r.fp} (n {r.n})" for r in cands.head(3).itertuples())
        detail = f"smallest matrices that print so: {shown}"
        if n_cohort is None:
            rows.append(_row("confusion", f"{fid}.{cohort}", first.source, f"cohort {cohort}", text, "note", detail + "; cohort size not linked"))
            continue
        match = cands[(cands.n == n_cohort) & (cands.positives == pos)]
        if not match.empty:
            status = "ok"
            detail = f"TP {match.iloc[0].tp} FN {match.iloc[0].fn} TN {match.iloc[0].tn} FP {match.iloc[0].fp} fits the cohort (n {n_cohort}, {pos} positives)"
        else:
            status = "inconsistent"
            detail += (f"; the cohort has n {n_cohort} with {pos} positives, and no matrix with these margins prints "
                       f"these metrics (the smallest fitting matrix misses {n_cohort - int(best.n)} patients)")
        rows.append(_row("confusion", f"{fid}.{cohort}", first.source, f"cohort {cohort}", text, status, detail))
    return rows


def audit_coefficients(study: Study) -> list[dict]:
    """Logistic coefficients (quantity ``log_or``) against their interval, z and p.

    ``attrs`` ``z_key`` and ``p_key`` link the printed z statistic and p-value.
    """
    rows = []
    z975 = sps.norm.ppf(0.975)
    for n in study.numbers:
        if n.quantity != "log_or" or n.lower is None or n.upper is None:
            continue
        notes, status = [], "ok"
        pnum = study.number(str(n.attrs["p_key"])) if "p_key" in n.attrs else None
        if pnum is not None:
            pv = parse_pvalue(pnum.printed)
            excludes_zero = n.lower > 0 or n.upper < 0
            significant = pv.value < 0.05 if pv.bound != ">" else False
            if excludes_zero != significant and not (n.lower == 0 or n.upper == 0):
                status = "inconsistent"
                notes.append(f"interval [{n.lower}, {n.upper}] {'excludes' if excludes_zero else 'contains'} 0 but p is {pnum.printed}")
        if "z_key" in n.attrs:
            z = study.number(str(n.attrs["z_key"]))
            p_from_z = 2 * sps.norm.sf(abs(z.value))
            if pnum is not None:
                agrees = parse_pvalue(pnum.printed).agrees(p_from_z)
                notes.append(f"the printed z {z.printed} gives p = {p_from_z:.4g} ({'agrees with' if agrees else 'differs from'} {pnum.printed})")
                if not agrees and status == "ok":
                    status = "note"
            se = (n.upper - n.lower) / (2 * z975)
            notes.append(f"z from the interval (Wald) {n.value / se:.3f}")
        centre = (n.lower + n.upper) / 2
        half = (n.upper - n.lower) / 2
        if half > 0 and abs(n.value - centre) > 0.5e-3 + 0.05 * half:
            notes.append(f"interval not centred on the coefficient (centre {centre:.3f}): a profile-likelihood interval, not Wald")
            status = "note" if status == "ok" else status
        rows.append(_row("coefficient", n.key, n.source, n.row or "", n.printed, status, "; ".join(notes)))
    return rows


def audit_median_partitions(study: Study) -> list[dict]:
    """Medians of one arm printed under two partitions of the same patients must overlap.

    Qualifying numbers have quantity ``median`` and ``attrs`` ``endpoint``,
    ``arm`` and ``partition``.  Under any partition the pooled survival curve
    of an arm is a weighted mixture of the strata's curves, so its median lies
    between the smallest and the largest stratum median; two partitions whose
    ranges do not overlap cannot both hold (exactly for the true curves, and
    for Kaplan-Meier estimates unless censoring differs greatly between strata).
    """
    groups: dict[tuple[str, str], dict[str, list[ReportedNumber]]] = {}
    for n in study.numbers:
        a = n.attrs
        if n.quantity == "median" and {"endpoint", "arm", "partition"} <= set(a):
            groups.setdefault((str(a["endpoint"]), str(a["arm"])), {}).setdefault(str(a["partition"]), []).append(n)
    rows = []
    for (ep, arm), parts in groups.items():
        if len(parts) < 2:
            continue
        ranges = {p: (min(x.value for x in v), max(x.value for x in v)) for p, v in parts.items()}
        lo = max(r[0] for r in ranges.values())
        hi = min(r[1] for r in ranges.values())
        text = "; ".join(f"{p}: " + ", ".join(x.printed for x in v) for p, v in parts.items())
        detail = ", ".join(f"{p} medians span [{r[0]:g}, {r[1]:g}]" for p, r in ranges.items())
        if lo <= hi:
            rows.append(_row("median_partition", f"{ep}.{arm}", parts[next(iter(parts))][0].source, f"{ep}, arm {arm}", text, "ok", detail + "; they overlap"))
        else:
            rows.append(_row("median_partition", f"{ep}.{arm}", parts[next(iter(parts))][0].source, f"{ep}, arm {arm}", text, "note",
                             detail + "; the ranges do not overlap, yet the pooled median of the arm must lie inside both "
                             "(a mixture of survival curves): the medians cannot all describe the same patients unless "
                             "censoring differs greatly between strata"))
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
    rows += audit_confusion(st) + audit_coefficients(st) + audit_median_partitions(st)
    df = pd.DataFrame(rows, columns=["check", "key", "source", "where", "printed", "status", "detail"])
    if not include_ok:
        df = df[df.status != "ok"]
    return df.reset_index(drop=True)

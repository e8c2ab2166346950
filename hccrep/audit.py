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
    Student / Welch t-test and one-way ANOVA from the summaries, each with the
    range of p-values the rounding of the printed means and SDs allows
    (:func:`mean_sd_variant_ranges`) -- and which variants print as the paper
    did; a Mann-Whitney p is stated to be not derivable from mean ± SD;
``variant_fit``
    per table, how many mean ± SD rows each variant fits within rounding
    (:func:`variant_fit_summary`);
``ratio_ci``
    a hazard or odds ratio inside its confidence interval, the interval
    symmetric on the log scale, and the p-value the interval implies, allowing
    for the rounding of all three numbers (an interval printed as one value,
    ``1.00 (1.00-1.00)``, leaves the Wald p undetermined).
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
    is the interval symmetric (Wald) or not (profile likelihood), within the
    rounding of the three printed numbers (:func:`centring_gap`);
``interaction``
    a printed interaction p against the Altman-Bland test of the two
    subgroup ratios it compares, within the rounding of their CIs
    (:func:`interaction_p_range`);
``grim``
    for baseline variables flagged ``integer``, whether a mean of n integers
    can print as the reported mean (:func:`grim_consistent`);
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

import functools
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from hccrep.printed import (
    PrintedError,
    PValue,
    Summary,
    decimals_of,
    parse_count_percent,
    parse_pvalue,
    parse_summary,
    prints_as,
    round_half_up,
    equal_at_precision,
    counts_printing_as,
)
from hccrep.spec import (
    BaselineFile,
    CategoricalVariable,
    ContinuousVariable,
    ReportedNumber,
    ResultsFile,
    Study,
    load_study,
    value_decimals,
)

__all__ = [
    "audit_study",
    "audit_baseline",
    "audit_results",
    "p_under_variants",
    "STATUSES",
    "confusion_matrices",
    "anova_rounding_range",
    "ttest_rounding_range",
    "mean_sd_variant_ranges",
    "MeanSDComparison",
    "mean_sd_comparisons",
    "assess_mean_sd_comparison",
    "audit_mean_sd_pvalues",
    "variant_fit_summary",
    "MANN_WHITNEY_NOT_DERIVABLE",
    "centring_gap",
    "interaction_p_range",
    "audit_interactions",
    "grim_consistent",
    "audit_grim",
    "ratio_ci_finding",
    "debit_consistent",
    "events_implied",
    "claim_findings",
    "audit_claims",
    "declared_pvalues",
    "audit_verdicts",
    "AUDIT_VERDICT",
]

#: ``ok``: consistent; ``note``: consistent under some reading, worth knowing;
#: ``inconsistent``: no reading of the printed numbers makes them agree.
STATUSES = ("ok", "note", "inconsistent")
CATEGORICAL_VARIANTS = ("chisq", "chisq_yates", "fisher", "auto_fisher")


def _row(check, key, source, where, printed, status, detail):
    return {
        "check": check,
        "key": key,
        "source": source,
        "where": where,
        "printed": printed,
        "status": status,
        "detail": detail,
    }


def _count_fit(row: dict, ps: dict[str, float], agree: list[str]) -> dict:
    """Tag a ``p_variants`` finding of a count table with the variants computed and those that
    print as the paper (read by :func:`variant_fit_summary`; :func:`audit_study` drops the tag)."""
    computed = tuple(k for k, p in ps.items() if not math.isnan(p))
    return {**row, "_fit": (computed, tuple(agree))}


def p_under_variants(table: np.ndarray) -> dict[str, float]:
    """P-value of an r x c count table under each categorical test variant.

    Parameters
    ----------
    table : ndarray
        An r x c table of counts.

    Returns
    -------
    dict of str to float
        Variant of :data:`CATEGORICAL_VARIANTS` -> p-value
        (:func:`hccrep.stats.compare_counts`); NaN where the test rejects the table.
    """
    from hccrep.stats import compare_counts

    out = {}
    for v in CATEGORICAL_VARIANTS:
        try:
            out[v] = compare_counts(table, test=v).pvalue
        except ValueError:
            out[v] = float("nan")
    return out


def anova_rounding_range(v: ContinuousVariable, base: BaselineFile) -> tuple[float, float]:
    """Smallest and largest one-way ANOVA p that a baseline row's rounded mean ± SD summaries allow.

    Every printed mean and SD may lie anywhere within half a unit of its last
    digit.  The SDs enter only through the within-group sum of squares, so
    their corners are exact; the between-group sum of squares is convex in the
    means, so its largest value lies at one of the 2^k corners of the box of
    means and its smallest is found exactly by moving every mean as close to
    the common weighted mean as its interval allows (see ``_anova_range``),
    a point that need not be a corner.

    Parameters
    ----------
    v : ContinuousVariable
        A baseline row summarised as ``mean_sd``.
    base : BaselineFile
        Its baseline table (the groups and their sizes).

    Returns
    -------
    tuple of (float, float)
        The smallest and the largest p.

    Raises
    ------
    ValueError
        When ``v`` is not summarised as mean ± SD.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("tu2025")                                    # doctest: +SKIP
    >>> v = next(x for x in st.baseline().variables if x.key == "pt")  # doctest: +SKIP
    >>> anova_rounding_range(v, st.baseline())                       # doctest: +SKIP
    (0.096..., 1.0)
    """
    if v.summary != "mean_sd":
        raise ValueError(f"{v.key!r} is summarised as {v.summary}, not mean ± SD")
    s = [parse_summary(_cell_text(v.cells[g.key]), "mean_sd") for g in base.groups]
    return _anova_range(s, np.array([g.n for g in base.groups], dtype=float))


def _half_unit(decimals: int) -> float:
    """Half a unit of the last printed decimal: how far a rounded number may be from its true value."""
    return 0.5 * 10.0**-decimals


def _printed_p_interval(pv: PValue) -> tuple[float, float]:
    """The true p-values that print as ``pv`` (``"0.365"``: [0.3645, 0.3655]; ``"< 0.001"``: [0, 0.001])."""
    if pv.bound == "<":
        return 0.0, pv.value
    if pv.bound == ">":
        return pv.value, 1.0
    h = _half_unit(pv.decimals)
    return max(pv.value - h, 0.0), min(pv.value + h, 1.0)


def _range_contains(rng: tuple[float, float], pv: PValue) -> bool:
    """Does a range of recomputed p-values meet the interval of values that print as ``pv``?"""
    lo, hi = _printed_p_interval(pv)
    return rng[0] <= hi + 1e-12 and rng[1] >= lo - 1e-12


def _t_logp(diff: float, s1: float, n1: float, s2: float, n2: float, equal_var: bool) -> float:
    """Log of the two-sided p of Student's (``equal_var``) or Welch's t-test from a mean difference and the SDs."""
    if equal_var:
        df = n1 + n2 - 2
        se = math.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / df * (1 / n1 + 1 / n2))
    else:
        v1, v2 = s1**2 / n1, s2**2 / n2
        se = math.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    if se == 0:
        return 0.0 if diff == 0 else -math.inf
    return float(math.log(2) + sps.t.logsf(abs(diff) / se, df))


def _t_pvalue(diff: float, s1: float, n1: float, s2: float, n2: float, equal_var: bool) -> float:
    """Two-sided p of Student's (``equal_var``) or Welch's t-test from a mean difference and the SDs."""
    return min(1.0, math.exp(_t_logp(diff, s1, n1, s2, n2, equal_var)))


def _extreme_over_box(f, box: list[tuple[float, float]], largest: bool) -> float:
    """Smallest (or largest) value of a smooth ``f(x, y)`` over a rectangle: corners, then L-BFGS-B.

    The search runs in coordinates scaled to the unit square, started from the best corner and from
    the centre, so an interior or edge optimum is found as well as a corner one.  Pass a log p as
    ``f``: tiny p-values would leave a search on the p scale no gradient to follow.
    """
    import itertools

    from scipy.optimize import minimize

    sign = -1.0 if largest else 1.0
    lows = np.array([b[0] for b in box])
    widths = np.array([b[1] - b[0] for b in box])

    def g(u: np.ndarray) -> float:
        return sign * f(*(lows + np.clip(u, 0, 1) * widths))

    corners = [np.array(c, dtype=float) for c in itertools.product((0.0, 1.0), repeat=len(box))]
    best = min(g(c) for c in corners)
    start = min(corners, key=g)
    for x0 in (start, np.full(len(box), 0.5)):
        res = minimize(g, x0, method="L-BFGS-B", bounds=[(0.0, 1.0)] * len(box))
        best = min(best, float(res.fun))
    return sign * best


def _mean_sd_box(s: Summary) -> tuple[tuple[float, float], tuple[float, float]]:
    """Rounding intervals of a printed mean and SD (the SD kept positive)."""
    hm, hs = _half_unit(s.decimals[0]), _half_unit(s.decimals[1])
    sd = s.spread[0]
    return (s.centre - hm, s.centre + hm), (max(sd - hs, 1e-12 * max(sd, 1.0)), sd + hs)


def ttest_rounding_range(
    a: str, n_a: int, b: str, n_b: int, equal_var: bool = True
) -> tuple[float, float]:
    """Smallest and largest two-sample t-test p that two rounded ``mean ± SD`` summaries allow.

    Each printed mean and SD may lie anywhere within half a unit of its last
    printed decimal.  The p-value falls as the absolute mean difference grows,
    and for given SDs the difference enters nowhere else, so the smallest p
    uses the largest possible difference and the largest p the smallest one
    (zero, hence p = 1, when the two rounding intervals of the means overlap).

    * Student (``equal_var=True``): the pooled SD grows with each SD and the
      degrees of freedom are fixed, so p rises with each SD and the two
      corners of the box (smallest SDs, largest SDs) are the exact extremes.
    * Welch (``equal_var=False``): the SDs also move the Welch-Satterthwaite
      degrees of freedom, so p need not be monotone in them; the extremes
      over the SD rectangle are found by evaluating its four corners and then
      a bounded quasi-Newton search (L-BFGS-B) from the best corner and the
      centre.  The tests check this against a brute-force grid.

    Parameters
    ----------
    a, b : str
        The summaries as printed, ``"57.3 ± 9.6"``.
    n_a, n_b : int
        Group sizes.
    equal_var : bool
        Student's pooled-variance test (True) or Welch's (False).

    Returns
    -------
    tuple of float
        ``(smallest p, largest p)``.

    Examples
    --------
    >>> lo, hi = ttest_rounding_range("10.0 ± 2.0", 30, "11.0 ± 2.0", 30)
    >>> round(lo, 4), round(hi, 4)
    (0.033, 0.0944)
    """
    sa, sb = parse_summary(a, "mean_sd"), parse_summary(b, "mean_sd")
    if min(n_a, n_b) < 2:
        raise ValueError(f"each group needs at least 2 patients, got n = {n_a} and {n_b}")
    return _ttest_range(sa, float(n_a), sb, float(n_b), bool(equal_var))


@functools.lru_cache(maxsize=4096)
def _ttest_range(
    sa: Summary, n_a: float, sb: Summary, n_b: float, equal_var: bool
) -> tuple[float, float]:
    (ma_lo, ma_hi), sda = _mean_sd_box(sa)
    (mb_lo, mb_hi), sdb = _mean_sd_box(sb)
    d_max = max(abs(ma_hi - mb_lo), abs(ma_lo - mb_hi))
    d_min = max(0.0, ma_lo - mb_hi, mb_lo - ma_hi)
    if equal_var:
        p_min = _t_pvalue(d_max, sda[0], n_a, sdb[0], n_b, True)
        p_max = _t_pvalue(d_min, sda[1], n_a, sdb[1], n_b, True)
    else:
        p_min = math.exp(
            _extreme_over_box(
                lambda x, y: _t_logp(d_max, x, n_a, y, n_b, False), [sda, sdb], largest=False
            )
        )
        p_max = (
            1.0
            if d_min == 0
            else math.exp(
                _extreme_over_box(
                    lambda x, y: _t_logp(d_min, x, n_a, y, n_b, False), [sda, sdb], largest=True
                )
            )
        )
    return float(p_min), float(p_max)


def _anova_range(summaries: list[Summary], ns: np.ndarray) -> tuple[float, float]:
    """Exact extremes of the one-way ANOVA p over the rounding box of k rounded ``mean ± SD`` summaries.

    F = (SSB/(k-1)) / (SSW/(N-k)).  SSW rises with every SD, so the SD corners
    are exact.  SSB, the weighted spread of the means, is convex in them: its
    largest value is at a corner of the box of means (all 2^k are tried), and
    its smallest has every mean at the point of its interval nearest to the
    weighted grand mean (``clip(c, lo_i, hi_i)``), found by bisection on ``c``.
    """
    import itertools

    k, n = len(summaries), float(ns.sum())
    boxes = [_mean_sd_box(s) for s in summaries]
    m_lo = np.array([b[0][0] for b in boxes])
    m_hi = np.array([b[0][1] for b in boxes])
    sd_lo = np.array([b[1][0] for b in boxes])
    sd_hi = np.array([b[1][1] for b in boxes])

    def ssb(m: np.ndarray) -> float:
        return float(np.sum(ns * (m - np.sum(ns * m) / n) ** 2))

    ssb_max = max(
        ssb(np.where(np.array(c) > 0, m_hi, m_lo)) for c in itertools.product((0, 1), repeat=k)
    )
    lo, hi = float(m_lo.min()), float(m_hi.max())
    for _ in range(
        200
    ):  # the fixed point c = weighted mean of clip(c): the left side minus c falls with c
        c = 0.5 * (lo + hi)
        if np.sum(ns * np.clip(c, m_lo, m_hi)) / n > c:
            lo = c
        else:
            hi = c
    ssb_min = ssb(np.clip(0.5 * (lo + hi), m_lo, m_hi))

    def p_of(b: float, sd: np.ndarray) -> float:
        ssw = float(np.sum((ns - 1) * sd**2))
        if b <= 0:
            return 1.0
        return float(sps.f.sf((b / (k - 1)) / (ssw / (n - k)), k - 1, n - k))

    return p_of(ssb_max, sd_lo), p_of(ssb_min, sd_hi)


#: Why no Mann-Whitney range is given for ``mean ± SD`` rows.
MANN_WHITNEY_NOT_DERIVABLE = (
    "Mann-Whitney: not derivable from mean ± SD -- U counts how often a value of one group exceeds one of the "
    "other, which the means and SDs do not fix (samples with exactly the printed summaries can rank the groups "
    "very differently), so no rounding range of its p exists"
)


def mean_sd_variant_ranges(cells: list[tuple[str, int]]) -> dict[str, dict[str, float]]:
    """Each test variant's p at the printed ``mean ± SD`` and over the rounding box.

    Two groups: Student's and Welch's t-test (one-way ANOVA on two groups is
    Student's t, F = t^2, so it is not listed twice).  Three or more groups:
    one-way ANOVA.  A Mann-Whitney (or Kruskal-Wallis) p cannot be bounded by
    these summaries (:data:`MANN_WHITNEY_NOT_DERIVABLE`), so it is absent.

    Parameters
    ----------
    cells : list of (str, int)
        Each group's summary as printed (``"57.3 ± 9.6"``) and its size.

    Returns
    -------
    dict
        variant -> ``{"p": p at the printed values, "lo": smallest, "hi": largest p within rounding}``.

    Examples
    --------
    >>> r = mean_sd_variant_ranges([("10.0 ± 2.0", 30), ("11.0 ± 2.0", 30)])
    >>> sorted(r), round(r["student"]["p"], 4)
    (['student', 'welch'], 0.0577)
    """
    ss = [parse_summary(text, "mean_sd") for text, _ in cells]
    ns = np.array([n for _, n in cells], dtype=float)
    if len(cells) < 2 or (ns < 2).any():
        raise ValueError("need at least two groups of at least 2 patients each")
    out: dict[str, dict[str, float]] = {}
    if len(cells) == 2:
        (a, na), (b, nb) = cells
        for name, eq in (("student", True), ("welch", False)):
            lo, hi = ttest_rounding_range(a, na, b, nb, equal_var=eq)
            p = _t_pvalue(
                ss[0].centre - ss[1].centre, ss[0].spread[0], ns[0], ss[1].spread[0], ns[1], eq
            )
            out[name] = {"p": p, "lo": lo, "hi": hi}
    else:
        means = np.array([s.centre for s in ss])
        sds = np.array([s.spread[0] for s in ss])
        grand = float(np.sum(ns * means) / ns.sum())
        k, n = len(ss), ns.sum()
        ssw = float(np.sum((ns - 1) * sds**2))
        f = (
            (float(np.sum(ns * (means - grand) ** 2)) / (k - 1)) / (ssw / (n - k))
            if ssw > 0
            else math.inf
        )
        lo, hi = _anova_range(ss, ns)
        out["anova"] = {"p": float(sps.f.sf(f, k - 1, n - k)), "lo": lo, "hi": hi}
    return out


@dataclass(frozen=True)
class MeanSDComparison:
    """One printed p-value comparing groups summarised by ``mean ± SD``.

    ``cells`` holds, per group, its label, the summary as printed and its size;
    ``stated`` the test the paper names, if any; ``in_baseline`` marks a p
    printed in a baseline table's own p column.

    Attributes
    ----------
    key : str
        Key of the p-value check.
    source : str
        The table or figure it is printed in.
    where : str
        Its row, in words.
    printed : str
        The p-value as printed.
    cells : tuple of (str, str, int)
        Per group: label, summary as printed, size.
    stated : str
        The test the paper names ('' when none).
    in_baseline : bool
        Printed in a baseline table's own p column.
    """

    key: str
    source: str
    where: str
    printed: str
    cells: tuple[tuple[str, str, int], ...]
    stated: str = ""
    in_baseline: bool = False


def _baseline_comparison(f: BaselineFile, v: ContinuousVariable) -> MeanSDComparison:
    cells = tuple((g.label, _cell_text(v.cells[g.key]), g.n) for g in f.groups)
    stated = v.test_stated or f.methods.get("continuous_test", "")
    return MeanSDComparison(
        f"{v.key}.p", f.source.label, v.label, v.p.printed, cells, stated, in_baseline=True
    )


def _cell_text(cell) -> str:
    return cell if isinstance(cell, str) else cell.printed


def mean_sd_comparisons(study: Study) -> list[MeanSDComparison]:
    """Every printed p of the study that compares ``mean ± SD`` summaries, as the data files link them.

    Three shapes qualify, read from the data alone:

    * a baseline variable with ``summary: mean_sd`` and a ``p`` (all groups of its table);
    * a results p whose ``about`` name a baseline ``variable`` (``mean_sd``), a ``contrast`` and a
      ``reference`` group (pairwise p-values printed beside a Table 1);
    * a results p whose ``about`` name a ``variable`` and its ``groups``, where
      the same file prints, for each group, a number with that ``variable``, ``group``,
      ``statistic: mean`` and ``n`` in its ``about`` and a ``mean ± SD`` as printed text.

    Parameters
    ----------
    study : Study
        A loaded study.

    Returns
    -------
    list of MeanSDComparison
        The comparisons, baseline-table rows first.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> [c.key for c in mean_sd_comparisons(load_study("deng2025"))][:2]
    ['t1p_age_tace', 't1p_age_rt']
    """
    out: list[MeanSDComparison] = []
    baselines = [f for f in study.files.values() if isinstance(f, BaselineFile)]
    variables = {}
    for f in baselines:
        for v in f.variables:
            variables.setdefault(v.key, (f, v))
            if isinstance(v, ContinuousVariable) and v.summary == "mean_sd" and v.p is not None:
                out.append(_baseline_comparison(f, v))
    means: dict[tuple[str, str, str], ReportedNumber] = {}
    for n in study.numbers:
        a = n.about
        if a.statistic == "mean" and None not in (a.variable, a.group, a.n):
            means[(n.file_id, str(a.variable), str(a.group))] = n
    for n in study.numbers:
        a = n.about
        if n.quantity != "p" or a.variable is None:
            continue
        var = str(a.variable)
        where = n.row or n.column or ""
        if None not in (a.contrast, a.reference) and var in variables:
            f, v = variables[var]
            if not (isinstance(v, ContinuousVariable) and v.summary == "mean_sd"):
                continue
            groups = {g.key: g for g in f.groups}
            keys = [str(a.reference), str(a.contrast)]
            if not all(k in groups for k in keys):
                continue
            cells = tuple((groups[k].label, _cell_text(v.cells[k]), groups[k].n) for k in keys)
            stated = v.test_stated or f.methods.get("continuous_test", "")
            out.append(
                MeanSDComparison(
                    n.key,
                    n.source,
                    f"{where}, {groups[keys[1]].label} vs {groups[keys[0]].label}",
                    n.printed,
                    cells,
                    stated,
                )
            )
        elif a.groups is not None:
            keys = [g.strip() for g in a.groups]
            found = [means.get((n.file_id, var, k)) for k in keys]
            if len(keys) < 2 or any(m is None for m in found):
                continue
            try:
                for m in found:
                    parse_summary(m.printed, "mean_sd")
            except PrintedError:
                continue
            cells = tuple((k, m.printed, int(m.about.n)) for k, m in zip(keys, found))
            out.append(MeanSDComparison(n.key, n.source, where, n.printed, cells))
    return out


def _default_variant(c: MeanSDComparison) -> str:
    return "student" if len(c.cells) == 2 else "anova"


def assess_mean_sd_comparison(c: MeanSDComparison) -> dict:
    """Which variants reproduce a ``mean ± SD`` comparison's printed p, exactly and within rounding.

    Parameters
    ----------
    c : MeanSDComparison
        One printed p with the summaries and sizes of its groups.

    Returns
    -------
    dict
        ``ranges`` (variant -> p, lo, hi; see :func:`mean_sd_variant_ranges`),
        ``exact`` and ``within`` (the variants whose p at the printed values, or
        whose rounding range, gives the printed p) and the audit ``row``.  The
        row is ``ok`` when the usual test of the design fits within rounding
        (Student's t for two groups, one-way ANOVA for more), else ``note``:
        never ``inconsistent``, since a rank test, which these summaries cannot
        bound, may have been used.

    Examples
    --------
    >>> c = MeanSDComparison("x.p", "Table 1", "x", "0.055", (("a", "10.0 ± 2.0", 30), ("b", "11.0 ± 2.0", 30)))
    >>> assess_mean_sd_comparison(c)["within"]
    ['student', 'welch']
    """
    pv = parse_pvalue(c.printed)
    ranges = mean_sd_variant_ranges([(text, n) for _, text, n in c.cells])
    exact = [k for k, r in ranges.items() if pv.agrees(r["p"])]
    within = [k for k, r in ranges.items() if _range_contains((r["lo"], r["hi"]), pv)]
    default = _default_variant(c)
    detail = "; ".join(
        f"{k} {r['p']:.4f} (within rounding [{r['lo']:.4f}, {r['hi']:.4f}])"
        for k, r in ranges.items()
    )
    detail += f"; printed {c.printed}; agrees: {', '.join(exact) or 'none'}; within rounding: {', '.join(within) or 'none'}"
    if not within:
        detail += "; no t-test or ANOVA on the summaries gives the printed p: a rank test?"
    if c.stated and default not in within:
        detail += f"; stated test: {c.stated}"
    detail += "; Mann-Whitney: not derivable from mean ± SD (it needs the ranks)"
    row = _row(
        "p_variants",
        c.key,
        c.source,
        c.where,
        c.printed,
        "ok" if default in within else "note",
        detail,
    )
    return {"ranges": ranges, "exact": exact, "within": within, "row": row}


def audit_mean_sd_pvalues(study: Study) -> list[dict]:
    """Findings for the ``mean ± SD`` p-values printed in results files (see :func:`mean_sd_comparisons`).

    Baseline-table rows are audited by :func:`audit_baseline`.

    Parameters
    ----------
    study : Study
        A loaded study.

    Returns
    -------
    list of dict
        One finding per check, with the keys ``check``, ``key``, ``source``,
        ``where``, ``printed``, ``status`` (one of :data:`STATUSES`) and ``detail``.
        Check ``p_variants``; status ``ok`` or ``note``.
    """
    return [
        assess_mean_sd_comparison(c)["row"] for c in mean_sd_comparisons(study) if not c.in_baseline
    ]


def variant_fit_summary(study: str | Study) -> pd.DataFrame:
    """Per table and test variant: how many printed p-values the variant reproduces.

    The ``mean ± SD`` rows first (Student, Welch or ANOVA within the rounding of
    the printed summaries), then the rows of counts (chi-square with and without
    Yates' correction, Fisher, and Fisher when an expected count is below 5, at
    the printed counts: one p each, so ``within`` equals ``exact``), from every
    p-value the audit recomputes from a table's counts.

    Columns: ``source`` (the table), ``rows_of`` (``"mean ± SD"`` or
    ``"counts"``), ``variant``, ``rows`` (comparisons the variant applies to),
    ``within`` (rows whose printed p lies in the variant's rounding range),
    ``exact`` (rows where the p at the printed values prints as the paper's),
    ``misses`` (keys of the rows outside the rounding range) and ``note``.  A
    ``mann_whitney`` row per table of mean ± SD rows states that no such count
    can be derived; its counts are missing (``<NA>``).

    Parameters
    ----------
    study : str or Study
        A study key (loaded with :func:`hccrep.spec.load_study`) or a loaded study.

    Returns
    -------
    DataFrame
        One row per table and variant, with the columns above.

    Examples
    --------
    >>> s = variant_fit_summary("deng2025")
    >>> s[["variant", "rows", "within"]].to_dict("records")[:2]
    [{'variant': 'student', 'rows': 10, 'within': 7}, {'variant': 'welch', 'rows': 10, 'within': 10}]
    >>> sorted(set(s.rows_of))
    ['counts', 'mean ± SD']
    """
    st = load_study(study) if isinstance(study, str) else study
    rows: list[dict] = []
    by_source: dict[str, list[tuple[MeanSDComparison, dict]]] = {}
    for c in mean_sd_comparisons(st):
        by_source.setdefault(c.source, []).append((c, assess_mean_sd_comparison(c)))
    for source, items in by_source.items():
        variants = list(dict.fromkeys(k for _, a in items for k in a["ranges"]))
        for var in variants:
            applies = [(c, a) for c, a in items if var in a["ranges"]]
            rows.append(
                {
                    "source": source,
                    "rows_of": "mean ± SD",
                    "variant": var,
                    "rows": len(applies),
                    "within": sum(var in a["within"] for _, a in applies),
                    "exact": sum(var in a["exact"] for _, a in applies),
                    "misses": ", ".join(c.key for c, a in applies if var not in a["within"]),
                    "note": "",
                }
            )
        rows.append(
            {
                "source": source,
                "rows_of": "mean ± SD",
                "variant": "mann_whitney",
                "rows": len(items),
                "within": pd.NA,
                "exact": pd.NA,
                "misses": "",
                "note": MANN_WHITNEY_NOT_DERIVABLE,
            }
        )
    counted: dict[str, list[dict]] = {}
    for r in _count_fit_rows(st):
        counted.setdefault(r["source"], []).append(r)
    for source, items in counted.items():
        for var in CATEGORICAL_VARIANTS:
            applies = [r for r in items if var in r["_fit"][0]]
            if not applies:
                continue
            agree = [r for r in applies if var in r["_fit"][1]]
            rows.append(
                {
                    "source": source,
                    "rows_of": "counts",
                    "variant": var,
                    "rows": len(applies),
                    "within": len(agree),
                    "exact": len(agree),
                    "misses": ", ".join(r["key"] for r in applies if r not in agree),
                    "note": "",
                }
            )
    out = pd.DataFrame(
        rows, columns=["source", "rows_of", "variant", "rows", "within", "exact", "misses", "note"]
    )
    return out.astype({"rows": "Int64", "within": "Int64", "exact": "Int64"})


def _count_fit_rows(st: Study) -> list[dict]:
    """The ``p_variants`` findings recomputed from counts, each tagged with its fit (``_fit``)."""
    rows = []
    for f in st.files.values():
        if isinstance(f, BaselineFile):
            rows += audit_baseline(f)
    rows += audit_count_pvalues(st) + declared_pvalues(st)
    return [r for r in rows if "_fit" in r]


def _variant_fit_rows(summary: pd.DataFrame) -> list[dict]:
    """The summary as ``note`` rows of :func:`audit_study` (check ``variant_fit``)."""
    rows = []
    for r in summary.itertuples(index=False):
        key = re.sub(r"[^a-z0-9]+", "_", r.source.lower()).strip("_") + "." + r.variant
        if r.variant == "mann_whitney":
            detail = f"{r.rows} rows: {r.note}"
        else:
            if r.rows_of == "counts":
                detail = f"{r.variant}: {r.within} of {r.rows} printed p-values print as its p at the printed counts"
            else:
                detail = f"{r.variant}: {r.within} of {r.rows} printed p-values lie in its rounding range ({r.exact} exactly)"
            detail += f"; outside: {r.misses}" if r.misses else ""
        rows.append(
            _row("variant_fit", key, r.source, f"{r.source}, {r.rows_of} rows", "", "note", detail)
        )
    return rows


def audit_baseline(f: BaselineFile) -> list[dict]:
    """Findings for one baseline table.

    Parameters
    ----------
    f : BaselineFile
        The baseline table (counts with percentages, summaries and p-values per group).

    Returns
    -------
    list of dict
        One finding per check, with the keys ``check``, ``key``, ``source``,
        ``where``, ``printed``, ``status`` (one of :data:`STATUSES`) and ``detail``.
    """
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
                        denom = (
                            cell.denominator
                            if not isinstance(cell, str) and cell.denominator
                            else g.n
                        )
                        pct = 100 * cp.count / g.n
                        tol = 0.5 * 10 ** -(cp.percent_decimals or 0) + 1e-9
                        if abs(pct - cp.percent) <= tol:
                            continue
                        alt = 100 * cp.count / denom
                        if denom != g.n and abs(alt - cp.percent) <= tol:
                            rows.append(
                                _row(
                                    "percent",
                                    f"{v.key}.{lv.key}.{g.key}",
                                    src,
                                    where,
                                    text,
                                    "note",
                                    f"{cp.count}/{g.n} = {pct:.1f}%, but the printed {cp.percent}% is {cp.count}/{denom}: "
                                    f"the paper used a denominator of {denom}"
                                    + (f" ({cell.note})" if cell.note else ""),
                                )
                            )
                        else:
                            rows.append(
                                _row(
                                    "percent",
                                    f"{v.key}.{lv.key}.{g.key}",
                                    src,
                                    where,
                                    text,
                                    "inconsistent",
                                    f"{cp.count}/{g.n} = {pct:.2f}%, printed {cp.percent}%",
                                )
                            )
                if total != g.n:
                    rows.append(
                        _row(
                            "sum",
                            f"{v.key}.{g.key}",
                            src,
                            f"{v.label}, {g.label}",
                            "",
                            "note" if v.sum_note else "inconsistent",
                            f"counts sum to {total}, not {g.n}"
                            + (f" ({v.sum_note})" if v.sum_note else ""),
                        )
                    )
            if f.total is not None:
                for lv in v.levels:
                    s = sum(counts[(g.key, lv.key)] for g in f.groups)
                    if s != counts[(f.total.key, lv.key)]:
                        rows.append(
                            _row(
                                "sum",
                                f"{v.key}.{lv.key}.{f.total.key}",
                                src,
                                f"{v.label}: {lv.label}, {f.total.label}",
                                "",
                                "inconsistent",
                                f"Total {counts[(f.total.key, lv.key)]} is not the sum of the groups ({s})",
                            )
                        )
            if v.p is not None:
                table = np.array([[counts[(g.key, lv.key)] for g in f.groups] for lv in v.levels])
                ps = p_under_variants(table)
                pv = parse_pvalue(v.p.printed)
                agree = [k for k, p in ps.items() if not math.isnan(p) and pv.agrees(p)]
                detail = (
                    ", ".join(f"{k} {p:.4f}" for k, p in ps.items())
                    + f"; printed {v.p.printed}; agrees: {', '.join(agree) or 'none'}"
                )
                stated = v.test_stated or f.methods.get("categorical_test", "")
                status = "ok" if "chisq" in agree else ("note" if agree else "inconsistent")
                if status != "ok" and stated:
                    detail += f"; stated test: {stated}"
                rows.append(
                    _count_fit(
                        _row("p_variants", f"{v.key}.p", src, v.label, v.p.printed, status, detail),
                        ps,
                        agree,
                    )
                )
        else:
            for g in cols:
                cell = v.cells[g.key]
                text = cell if isinstance(cell, str) else cell.printed
                s = parse_summary(text, v.summary)
                if v.summary == "mean_sd" and v.lower_bound is not None and s.spread[0] > 0:
                    # a non-negative variable with SD > mean is skewed: mean ± SD describes it poorly
                    if s.centre - 2 * s.spread[0] < v.lower_bound:
                        rows.append(
                            _row(
                                "skew",
                                f"{v.key}.{g.key}",
                                src,
                                f"{v.label}, {g.label}",
                                text,
                                "note",
                                f"mean - 2 SD = {s.centre - 2 * s.spread[0]:.1f} is below {v.lower_bound}: the variable is skewed, a median (IQR) would describe it better",
                            )
                        )
            if v.p is not None:
                if v.summary == "mean_sd":
                    rows.append(assess_mean_sd_comparison(_baseline_comparison(f, v))["row"])
                else:
                    rows.append(
                        _row(
                            "p_variants",
                            f"{v.key}.p",
                            src,
                            v.label,
                            v.p.printed,
                            "note",
                            "a rank test cannot be recomputed from a median and quartiles; checked by simulation only",
                        )
                    )
    return rows


def _wald_p_range(est: float, lower: float, upper: float, decimals: int) -> tuple[float, float]:
    """Smallest and largest Wald p consistent with a ratio and CI printed to ``decimals``.

    Each of the three printed numbers may lie anywhere within half a unit of
    its last digit, subject only to 0 < lower < estimate < upper: an interval
    printed as ``1.00 (1.00-1.00)`` comes from true limits that differ, but
    rounding hides by how much.  On the log scale (a, c, b for lower,
    estimate, upper) the Wald p is ``2 * Phi(-2 * z_0.975 * |c| / (b - a))``.

    * Largest p: the widest interval (both limits at their outer ends) and
      the estimate closest to 1 that the rounding allows (p = 1 when 1 is
      inside the estimate's rounding interval).
    * Smallest p: for a given c the narrowest interval that still holds it
      has ``b = max(b_min, c)`` and ``a = min(a_max, c)``; the ratio
      ``|c| / (b - a)`` is monotone between the break points ``a_max``,
      ``b_min`` and 0, so checking those and the ends of c's range finds the
      supremum.  When the limits' rounding intervals meet (a CI printed as a
      single value), the interval can be arbitrarily narrow and the smallest
      p is 0.

    Returns ``(0, 1)`` when no unrounded values fit (the estimate outside its
    interval even after rounding; reported by the caller).

    Examples
    --------
    >>> [round(x, 4) for x in _wald_p_range(0.43, 0.21, 0.88, 2)]
    [0.0169, 0.0257]
    >>> _wald_p_range(1.0, 1.0, 1.0, 2)          # "1.00 (1.00-1.00)": any p
    (0.0, 1.0)
    """
    h = _half_unit(decimals)
    z975 = sps.norm.ppf(0.975)

    def log_(x: float) -> float:
        return math.log(x) if x > 0 else -math.inf

    a1, a2 = log_(lower - h), log_(lower + h)
    b1, b2 = log_(upper - h), log_(upper + h)
    c1, c2 = log_(est - h), log_(est + h)
    lo_c, hi_c = max(c1, a1), min(c2, b2)  # lower < estimate < upper
    if lo_c > hi_c or not math.isfinite(hi_c):
        return 0.0, 1.0

    def p_of(ratio: float) -> float:
        return float(2 * sps.norm.sf(2 * z975 * ratio))

    c_near = min(max(0.0, lo_c), hi_c)
    ratio_min = 0.0 if a1 == -math.inf else abs(c_near) / (b2 - a1)
    ratio_max = 0.0
    for c in {lo_c, hi_c, *(x for x in (a2, b1, 0.0) if lo_c <= x <= hi_c)}:
        if not math.isfinite(c):
            continue
        width = max(b1, c) - min(a2, c)
        ratio_max = max(
            ratio_max, math.inf if width <= 0 and c != 0 else (abs(c) / width if width > 0 else 0.0)
        )
    return p_of(ratio_max), p_of(ratio_min)


def ratio_ci_finding(
    value: float, lower: float, upper: float, printed: str, p_printed: str | None = None
) -> tuple[str, str]:
    """A ratio and its CI: positive limits, symmetric on the log scale, and the Wald p it implies.

    The centring tolerance and the range of Wald p-values allow for the
    rounding of the three printed numbers (:func:`_wald_p_range`); a printed
    p outside that range is a ``note`` (another test than Wald).  The caller
    checks first that the estimate lies inside its interval.

    Parameters
    ----------
    value, lower, upper : float
        The printed ratio and its limits, ``lower <= value <= upper``.
    printed : str
        The three as printed (their decimals set the rounding).
    p_printed : str, optional
        The p-value printed with the ratio.

    Returns
    -------
    tuple of (str, str)
        Status (one of :data:`STATUSES`) and a one-line detail.

    Examples
    --------
    >>> ratio_ci_finding(0.43, 0.21, 0.88, "0.43 (0.21-0.88)", "0.021")[0]
    'ok'
    >>> ratio_ci_finding(0.43, 0.21, 0.88, "0.43 (0.21-0.88)", "0.30")[0]
    'note'
    """
    if lower <= 0:
        return "inconsistent", "a ratio's lower bound must be positive"
    lo, hi, est = math.log(lower), math.log(upper), math.log(value)
    centre = (lo + hi) / 2
    # rounding of three printed numbers to d decimals moves each log by up to 0.5*10^-d / x
    d = max((decimals_of(t) for t in re.findall(r"\d+(?:\.\d+)?", printed)), default=2)
    tol = 0.5 * 10**-d * (1 / value + 0.5 / lower + 0.5 / upper) + 1e-9
    status = "ok" if abs(est - centre) <= tol else "inconsistent"
    detail = (
        f"log HR {est:.4f} vs centre of log CI {centre:.4f} (tolerance {tol:.4f} from rounding)"
    )
    se = (hi - lo) / (2 * sps.norm.ppf(0.975))
    p_implied = 2 * sps.norm.sf(abs(est) / se) if se > 0 else float("nan")
    detail += f"; CI implies p = {p_implied:.4g}" if se > 0 else "; the printed CI has no width"
    if p_printed is not None:
        pv = parse_pvalue(p_printed)
        p_lo, p_hi = _wald_p_range(value, lower, upper, d)
        # the printed p, read as the interval of values that print so
        half = 0.5 * 10.0**-pv.decimals
        printed_lo, printed_hi = {"<": (0.0, pv.value), ">": (pv.value, 1.0)}.get(
            pv.bound, (pv.value - half, pv.value + half)
        )
        if printed_hi < p_lo or printed_lo > p_hi:
            status = "note" if status == "ok" else status
            detail += (
                f"; printed p {p_printed} lies outside [{p_lo:.3g}, {p_hi:.3g}], the Wald p-values the "
                "rounded HR and CI allow: not a Wald test (a score or log-rank p?)"
            )
        elif p_lo <= 1e-12 and p_hi >= 1 - 1e-12:
            detail += (
                f"; Wald p undetermined: within rounding the limits may lie arbitrarily close together or far apart, "
                f"so any p in [0, 1] fits, printed p {p_printed} included"
            )
    return status, detail


def audit_results(f: ResultsFile) -> list[dict]:
    """Findings for one results file (ratios with CIs and p-values, counts with percents).

    Parameters
    ----------
    f : ResultsFile
        The results file.

    Returns
    -------
    list of dict
        One finding per check, with the keys ``check``, ``key``, ``source``,
        ``where``, ``printed``, ``status`` (one of :data:`STATUSES`) and ``detail``.
    """
    rows: list[dict] = []
    src = f.source.label
    by_key = {n.key: n for n in f.numbers}
    # a p-value may name its ratio (about.hr_key / or_key) instead of the ratio naming it (p_key)
    p_of_ratio = {
        str(getattr(n.about, k)): n.key
        for n in f.numbers
        if n.quantity == "p"
        for k in ("hr_key", "or_key")
        if getattr(n.about, k) is not None
    }
    for num in f.numbers:
        where = num.where.row or num.where.text or ""
        if num.quantity in ("hr", "or", "rr") and num.lower is not None and num.upper is not None:
            if not num.lower <= num.value <= num.upper:
                rows.append(
                    _row(
                        "ratio_ci",
                        num.key,
                        src,
                        where,
                        num.printed,
                        "inconsistent",
                        f"{num.value} lies outside [{num.lower}, {num.upper}]",
                    )
                )
                continue
            pkey = num.about.p_key or p_of_ratio.get(num.key)
            pnum = by_key.get(pkey) if isinstance(pkey, str) else None
            status, detail = ratio_ci_finding(
                num.value, num.lower, num.upper, num.printed, pnum.printed if pnum else None
            )
            rows.append(_row("ratio_ci", num.key, src, where, num.printed, status, detail))
        if (
            num.about.count is None
            and num.about.n is not None
            and num.quantity in ("percent", "rate")
        ):
            n_int = int(num.about.n)
            dec = max(
                (decimals_of(t) for t in re.findall(r"\d+(?:\.\d+)?", num.printed)), default=0
            )
            k = [
                c
                for c in range(n_int + 1)
                if abs(100 * c / n_int - num.value) <= 0.5 * 10**-dec + 1e-9
            ]
            near = round(num.value * n_int / 100)
            detail = (
                f"{k[0]}/{n_int} = {100 * k[0] / n_int:.2f}%"
                if k
                else f"no k/{n_int} prints as {num.value}%: the nearest are {near - 1}/{n_int} = {100 * (near - 1) / n_int:.2f}%, "
                f"{near}/{n_int} = {100 * near / n_int:.2f}% and {near + 1}/{n_int} = {100 * (near + 1) / n_int:.2f}%"
            )
            rows.append(
                _row(
                    "percent_of_n",
                    num.key,
                    src,
                    where,
                    num.printed,
                    "ok" if k else "inconsistent",
                    detail,
                )
            )
        if (
            num.about.count is not None
            and num.about.n is not None
            and num.quantity in ("percent", "rate")
        ):
            c, n = float(num.about.count), float(num.about.n)
            pct = 100 * c / n
            dec = max(
                (decimals_of(t) for t in re.findall(r"\d+(?:\.\d+)?", num.printed)), default=0
            )
            ok = abs(pct - num.value) <= 0.5 * 10**-dec + 1e-9
            rows.append(
                _row(
                    "percent",
                    num.key,
                    src,
                    where,
                    num.printed,
                    "ok" if ok else "inconsistent",
                    f"{int(c)}/{int(n)} = {pct:.2f}%",
                )
            )
    return rows


def audit_count_pvalues(study: Study) -> list[dict]:
    """P-values of results files recomputed from the printed counts under each test variant.

    A p-value qualifies when its ``about`` name an ``endpoint`` (several, comma
    separated, for a statement about all of them: then the smallest p is used)
    and the study prints, for every group, a number with the same endpoint
    (and ``grade``) whose ``about`` give ``count`` and ``n``.
    """
    default_groups = (
        [g.key for g in study.baseline().groups]
        if any(isinstance(f, BaselineFile) for f in study.files.values())
        else []
    )
    counts: dict[tuple, tuple[int, int]] = {}
    for n in study.numbers:
        a = n.about
        if None not in (a.count, a.n, a.group, a.endpoint):
            counts[(str(a.endpoint), str(a.grade or ""), str(a.group))] = (
                int(a.count),
                int(a.n),
            )
    rows = []
    for n in study.numbers:
        a = n.about
        if n.quantity != "p" or a.endpoint is None or n.file_id == "table1":
            continue
        endpoints = [e.strip() for e in str(a.endpoint).split(",")]
        grade = str(a.grade or "")
        # a p-value comparing other groups than the baseline table's names them ("tie,tin")
        groups = [g.strip() for g in a.groups] if a.groups is not None else default_groups
        tables = []
        for e in endpoints:
            cells = [counts.get((e, grade, g)) for g in groups]
            if not groups or any(c is None for c in cells):
                break
            tables.append(np.array([[k for k, _ in cells], [m - k for k, m in cells]]))
        else:
            per_variant = {
                v: min(p_under_variants(t)[v] for t in tables) for v in CATEGORICAL_VARIANTS
            }
            pv = parse_pvalue(n.printed)
            agree = [k for k, p in per_variant.items() if not math.isnan(p) and pv.agrees(p)]
            expected_min = min(
                float((t.sum(1)[:, None] * t.sum(0)[None, :] / t.sum()).min()) for t in tables
            )
            detail = ", ".join(f"{k} {p:.4f}" for k, p in per_variant.items())
            detail += f"; smallest expected count {expected_min:.1f}; printed {n.printed}; agrees: {', '.join(agree) or 'none'}"
            status = "ok" if "chisq" in agree else ("note" if agree else "inconsistent")
            row = _row("p_variants", n.key, n.source, n.row or "", n.printed, status, detail)
            rows.append(_count_fit(row, per_variant, agree))
    return rows


_CONFUSION_METRICS = ("sensitivity", "specificity", "accuracy", "precision", "f1")


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
        raise ValueError(
            f"printed has unknown metric(s) {sorted(unknown)}; known: {_CONFUSION_METRICS}"
        )
    if not {"sensitivity", "specificity"} <= set(printed):
        raise ValueError("printed needs at least sensitivity and specificity")
    if n_max < 1:
        raise ValueError(f"n_max must be positive, got {n_max}")

    def pairs(metric: str) -> tuple[np.ndarray, np.ndarray]:
        value, dec = printed[metric]
        tot = np.arange(1, n_max + 1)
        cand = np.concatenate([np.floor(value / 100 * tot) + d for d in (-1, 0, 1, 2)])
        tt = np.tile(tot, 4)
        ok = (
            (cand >= 0) & (cand <= tt) & prints_as(100 * cand / tt, value, dec, either_at_half=True)
        )
        return cand[ok].astype(int), tt[ok]

    tp, pos = pairs("sensitivity")
    tn, neg = pairs("specificity")
    TP, TN = np.meshgrid(tp, tn, indexing="ij")
    P, N = np.meshgrid(pos, neg, indexing="ij")
    TP, TN, P, N = TP.ravel(), TN.ravel(), P.ravel(), N.ravel()
    FN, FP = P - TP, N - TN
    keep = np.ones(TP.size, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        calc = {
            "accuracy": 100 * (TP + TN) / (P + N),
            "precision": 100 * TP / (TP + FP),
            "f1": 100 * 2 * TP / (2 * TP + FP + FN),
        }
    for metric, values in calc.items():
        if metric in printed:
            keep &= prints_as(values, *printed[metric], either_at_half=True)
    out = pd.DataFrame(
        {
            "tp": TP[keep],
            "fn": FN[keep],
            "tn": TN[keep],
            "fp": FP[keep],
            "positives": P[keep],
            "negatives": N[keep],
        }
    )
    out["n"] = out["positives"] + out["negatives"]
    return out.drop_duplicates().sort_values(["n", "positives"]).reset_index(drop=True)


def audit_confusion(study: Study) -> list[dict]:
    """Confusion-matrix metrics of one cohort against its size and number of positives.

    Numbers qualify when their quantity is one of sensitivity, specificity,
    accuracy, precision, f1 and their ``about`` name the ``cohort``; the
    cohort's size and positives come from the numbers named by ``about``
    ``n_key`` and ``positives_key`` (e.g. a Table 1 group size and count).
    """
    by_cohort: dict[tuple[str, str], dict[str, ReportedNumber]] = {}
    for n in study.numbers:
        if n.quantity in _CONFUSION_METRICS and n.about.cohort is not None:
            by_cohort.setdefault((n.file_id, str(n.about.cohort)), {})[n.quantity] = n
    rows = []
    for (fid, cohort), nums in by_cohort.items():
        if not {"sensitivity", "specificity"} <= set(nums):
            continue
        first = nums["sensitivity"]
        printed = {q: (n.value, n.decimals or 0) for q, n in nums.items()}
        n_cohort = pos = None
        if first.about.n_key is not None and first.about.positives_key is not None:
            n_cohort = int(study.number(str(first.about.n_key)).value)
            pos = int(study.number(str(first.about.positives_key)).value)
        n_max = max(500, 2 * (n_cohort or 0))
        cands = confusion_matrices(printed, n_max=n_max)
        text = "; ".join(f"{q} {n.printed}" for q, n in nums.items())
        if cands.empty:
            rows.append(
                _row(
                    "confusion",
                    f"{fid}.{cohort}",
                    first.source,
                    f"cohort {cohort}",
                    text,
                    "inconsistent",
                    f"no confusion matrix with at most {n_max} positives and {n_max} negatives prints these metrics",
                )
            )
            continue
        best = cands.iloc[0]
        shown = ", ".join(
            f"TP {r.tp} FN {r.fn} TN {r.tn} FP {r.fp} (n {r.n})" for r in cands.head(3).itertuples()
        )
        detail = f"smallest matrices that print so: {shown}"
        if n_cohort is None:
            rows.append(
                _row(
                    "confusion",
                    f"{fid}.{cohort}",
                    first.source,
                    f"cohort {cohort}",
                    text,
                    "note",
                    detail + "; cohort size not linked",
                )
            )
            continue
        match = cands[(cands.n == n_cohort) & (cands.positives == pos)]
        if not match.empty:
            status = "ok"
            detail = f"TP {match.iloc[0].tp} FN {match.iloc[0].fn} TN {match.iloc[0].tn} FP {match.iloc[0].fp} fits the cohort (n {n_cohort}, {pos} positives)"
        else:
            status = "inconsistent"
            detail += (
                f"; the cohort has n {n_cohort} with {pos} positives, and no matrix with these margins prints "
                f"these metrics (the smallest fitting matrix misses {n_cohort - int(best.n)} patients)"
            )
        rows.append(
            _row(
                "confusion",
                f"{fid}.{cohort}",
                first.source,
                f"cohort {cohort}",
                text,
                status,
                detail,
            )
        )
    return rows


def centring_gap(value: float, lower: float, upper: float, decimals: int) -> float:
    """Smallest distance between an estimate and the midpoint of its interval that rounding allows.

    A Wald interval ``estimate ± z * SE`` is centred exactly.  Printed to
    ``decimals``, the estimate may be off by half a unit of the last digit and
    the midpoint by as much again (each limit moves it by half of its own
    half unit), so a printed gap up to one unit is compatible with exact
    centring.  ``decimals`` is the row's common precision: tables round every
    number of a row alike and drop trailing zeros (0.000 prints as ``0``), so
    pass the largest count of decimals among the three.

    Parameters
    ----------
    value : float
        The printed estimate.
    lower, upper : float
        The printed limits of its interval.
    decimals : int
        The row's common number of printed decimals.

    Returns
    -------
    float
        0 when some unrounded values are exactly centred, else the smallest
        remaining gap (in the units of the estimate).

    Examples
    --------
    >>> centring_gap(-0.001, -0.004, 0.0, 3)          # -0.0015 (-0.0035, 0.0005) prints so
    0.0
    >>> round(centring_gap(1.200, -0.900, 3.500, 3), 4)   # centre 1.3: 0.099 off after rounding
    0.099
    """
    h = _half_unit(decimals)
    gap = abs(value - (lower + upper) / 2) - 2 * h
    return max(0.0, gap) if gap > 1e-9 * max(1.0, abs(value), abs(lower), abs(upper)) else 0.0


def audit_coefficients(study: Study) -> list[dict]:
    """Logistic coefficients (quantity ``log_or``) against their interval, z and p.

    ``about`` ``z_key`` and ``p_key`` link the printed z statistic and p-value.
    """
    rows = []
    z975 = sps.norm.ppf(0.975)
    for n in study.numbers:
        if n.quantity != "log_or" or n.lower is None or n.upper is None:
            continue
        notes, status = [], "ok"
        pnum = study.number(str(n.about.p_key)) if n.about.p_key is not None else None
        if pnum is not None:
            pv = parse_pvalue(pnum.printed)
            excludes_zero = n.lower > 0 or n.upper < 0
            significant = pv.value < 0.05 if pv.bound != ">" else False
            if excludes_zero != significant and not (n.lower == 0 or n.upper == 0):
                status = "inconsistent"
                notes.append(
                    f"interval [{n.lower}, {n.upper}] {'excludes' if excludes_zero else 'contains'} 0 but p is {pnum.printed}"
                )
        if n.about.z_key is not None:
            z = study.number(str(n.about.z_key))
            p_from_z = 2 * sps.norm.sf(abs(z.value))
            if pnum is not None:
                agrees = parse_pvalue(pnum.printed).agrees(p_from_z)
                notes.append(
                    f"the printed z {z.printed} gives p = {p_from_z:.4g} ({'agrees with' if agrees else 'differs from'} {pnum.printed})"
                )
                if not agrees and status == "ok":
                    status = "note"
            se = (n.upper - n.lower) / (2 * z975)
            notes.append(f"z from the interval (Wald) {n.value / se:.3f}")
        centre = (n.lower + n.upper) / 2
        d = max((decimals_of(t) for t in re.findall(r"\d+(?:\.\d+)?", n.printed)), default=0)
        gap = centring_gap(n.value, n.lower, n.upper, d)
        if n.upper > n.lower and gap > 0:
            notes.append(
                f"interval not centred on the coefficient (centre {centre:.4g}; even within rounding to {d} decimals "
                f"the coefficient stays {gap:.2g} from the centre): a profile-likelihood interval, not Wald"
            )
            status = "note" if status == "ok" else status
        rows.append(
            _row("coefficient", n.key, n.source, n.row or "", n.printed, status, "; ".join(notes))
        )
    return rows


def audit_median_partitions(study: Study) -> list[dict]:
    """Medians of one arm printed under two partitions of the same patients must overlap.

    Qualifying numbers have quantity ``median`` and ``about`` ``endpoint``,
    ``arm`` and ``partition``.  Under any partition the pooled survival curve
    of an arm is a weighted mixture of the strata's curves, so its median lies
    between the smallest and the largest stratum median; two partitions whose
    ranges do not overlap cannot both hold (exactly for the true curves, and
    for Kaplan-Meier estimates unless censoring differs greatly between strata).
    """
    groups: dict[tuple[str, str], dict[str, list[ReportedNumber]]] = {}
    for n in study.numbers:
        a = n.about
        if n.quantity == "median" and None not in (a.endpoint, a.arm, a.partition):
            groups.setdefault((str(a.endpoint), str(a.arm)), {}).setdefault(
                str(a.partition), []
            ).append(n)
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
            rows.append(
                _row(
                    "median_partition",
                    f"{ep}.{arm}",
                    parts[next(iter(parts))][0].source,
                    f"{ep}, arm {arm}",
                    text,
                    "ok",
                    detail + "; they overlap",
                )
            )
        else:
            rows.append(
                _row(
                    "median_partition",
                    f"{ep}.{arm}",
                    parts[next(iter(parts))][0].source,
                    f"{ep}, arm {arm}",
                    text,
                    "note",
                    detail
                    + "; the ranges do not overlap, yet the pooled median of the arm must lie inside both "
                    "(a mixture of survival curves): the medians cannot all describe the same patients unless "
                    "censoring differs greatly between strata",
                )
            )
    return rows


def interaction_p_range(
    a: tuple[float, float, float], b: tuple[float, float, float], decimals: tuple[int, int]
) -> dict[str, float]:
    """Altman-Bland test of interaction from two subgroup ratios with their CIs, and its rounding range.

    The difference of the log ratios is divided by the root of the summed
    squared standard errors, each SE read off its 95% CI as
    ``(log upper - log lower) / (2 * 1.96)``; the p is two-sided normal.
    Within rounding (half a unit of each ratio's last printed decimal) the
    estimates move only the difference and the limits only the SEs, and p
    falls with the difference and rises with each SE: the smallest p takes the
    largest log difference and the narrowest intervals, the largest p the
    smallest difference (0 when the estimates' rounding intervals meet) and
    the widest intervals.  The estimates are not tied to the centres of their
    intervals, so the range can only be wider than the exact one; a printed p
    outside it is outside the exact range too.

    Parameters
    ----------
    a, b : tuple of float
        ``(estimate, lower, upper)`` of each subgroup, as printed.
    decimals : tuple of int
        Printed decimals of each subgroup's numbers.

    Returns
    -------
    dict
        ``p`` at the printed values, ``lo`` and ``hi`` within rounding.

    Examples
    --------
    >>> r = interaction_p_range((0.35, 0.16, 0.78), (0.34, 0.16, 0.72), (2, 2))
    >>> round(r["p"], 3), r["hi"]
    (0.959, 1.0)
    """
    z975 = sps.norm.ppf(0.975)

    def log_(x: float) -> float:
        return math.log(x) if x > 0 else -math.inf

    def se(lower: float, upper: float) -> float:
        return (log_(upper) - log_(lower)) / (2 * z975) if upper > lower else 0.0

    hs = [_half_unit(d) for d in decimals]
    se_point = math.hypot(se(a[1], a[2]), se(b[1], b[2]))
    se_lo = math.hypot(*(se(r[1] + h, r[2] - h) for r, h in ((a, hs[0]), (b, hs[1]))))
    se_hi = math.hypot(*(se(max(r[1] - h, 0.0), r[2] + h) for r, h in ((a, hs[0]), (b, hs[1]))))
    ea = (log_(a[0] - hs[0]), log_(a[0] + hs[0]))
    eb = (log_(b[0] - hs[1]), log_(b[0] + hs[1]))
    d_max = max(abs(ea[1] - eb[0]), abs(ea[0] - eb[1]))
    d_min = max(0.0, ea[0] - eb[1], eb[0] - ea[1])

    def p_of(diff: float, s: float) -> float:
        if not math.isfinite(s):
            return 1.0
        if s <= 0:
            return 1.0 if diff == 0 else 0.0
        return float(2 * sps.norm.sf(abs(diff) / s)) if math.isfinite(diff) else 0.0

    return {
        "p": p_of(math.log(a[0]) - math.log(b[0]), se_point),
        "lo": p_of(d_max, se_lo),
        "hi": p_of(d_min, se_hi),
    }


def _row_decimals(printed: str) -> int:
    """The common precision of a printed row: the most decimals among its numbers (trailing zeros are dropped)."""
    return max((decimals_of(t) for t in re.findall(r"\d+(?:\.\d+)?", printed)), default=0)


def audit_interactions(study: Study) -> list[dict]:
    """Printed interaction p-values against the Altman-Bland test of the two subgroup estimates.

    A number of quantity ``p_interaction`` qualifies when exactly two ratios
    (HR, OR, RR) with printed CIs name it in their ``about`` as
    ``interaction_key``.  Inside the rounding range of
    :func:`interaction_p_range`: ``ok``; outside: ``note`` -- the printed p
    may come from an interaction term in a model fitted to the patient data,
    which need not match the test on the two summaries.

    Parameters
    ----------
    study : Study
        A loaded study.

    Returns
    -------
    list of dict
        One finding per check, with the keys ``check``, ``key``, ``source``,
        ``where``, ``printed``, ``status`` (one of :data:`STATUSES`) and ``detail``.
        One per qualifying interaction p.
    """
    ratios: dict[str, list[ReportedNumber]] = {}
    for n in study.numbers:
        if (
            n.quantity in ("hr", "or", "rr")
            and n.lower is not None
            and n.upper is not None
            and n.about.interaction_key is not None
        ):
            ratios.setdefault(str(n.about.interaction_key), []).append(n)
    rows = []
    for n in study.numbers:
        pair = ratios.get(n.key, [])
        if n.quantity != "p_interaction" or len(pair) != 2 or min(r.lower for r in pair) < 0:
            continue
        a, b = pair
        r = interaction_p_range(
            (a.value, a.lower, a.upper),
            (b.value, b.lower, b.upper),
            (_row_decimals(a.printed), _row_decimals(b.printed)),
        )
        pv = parse_pvalue(n.printed)
        inside = _range_contains((r["lo"], r["hi"]), pv)
        detail = (
            f"Altman-Bland test of {a.key} against {b.key}: p = {r['p']:.4g}, within rounding [{r['lo']:.4g}, {r['hi']:.4g}]; "
            f"printed {n.printed} {'lies inside' if inside else 'lies outside: not this test (an interaction term in a model?)'}"
        )
        rows.append(
            _row(
                "interaction",
                n.key,
                n.source,
                n.row or n.column or "",
                n.printed,
                "ok" if inside else "note",
                detail,
            )
        )
    return rows


def grim_consistent(mean: float, decimals: int, n: int) -> bool | None:
    """GRIM: can a mean of ``n`` integers print as ``mean`` with ``decimals`` decimals?

    Means of integers are multiples of 1/n.  Rounding is read as a closed
    interval of half a unit either side.  When every value printed to
    ``decimals`` decimals is reachable, the test says nothing and the function
    returns None: always when ``n`` is at least ``10 ** decimals`` (the steps
    of 1/n are no wider than the last digit), and for a few smaller ``n`` whose
    multiples fall on the ties of the closed intervals (n = 8 at one decimal:
    0.125 prints as 0.1, 0.25 as 0.2 or 0.3, ...).

    Parameters
    ----------
    mean : float
        The printed mean.
    decimals : int
        Its printed number of decimals.
    n : int
        The number of values averaged, at least 1.

    Returns
    -------
    bool or None
        Whether some integer total gives the printed mean; None when the test
        cannot tell.

    Raises
    ------
    ValueError
        When ``n`` is less than 1.

    Examples
    --------
    >>> grim_consistent(3.44, 2, 18), grim_consistent(3.45, 2, 18), grim_consistent(57.3, 1, 89)
    (True, False, None)
    >>> grim_consistent(3.9, 1, 8), grim_consistent(5.5, 1, 9)
    (None, False)
    """
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    if _grim_every_mean_reachable(decimals, n):
        return None
    h = _half_unit(decimals) + 1e-9
    return any(
        abs(t / n - mean) <= h
        for t in range(math.floor((mean - h) * n), math.ceil((mean + h) * n) + 1)
    )


def _grim_every_mean_reachable(decimals: int, n: int) -> bool:
    """Whether every value printed to ``decimals`` decimals is within half a unit of some k/n.

    Both the printed values and the multiples of 1/n repeat with period 1, so one
    period of printed values is enough.
    """
    if n >= 10**decimals:
        return True
    unit = 10.0**-decimals
    m = np.arange(10**decimals + 1) * unit  # the printed values of one period
    nearest = np.round(m * n) / n  # the closest multiple of 1/n to each
    return bool(np.all(np.abs(nearest - m) <= unit / 2 + 1e-9))


def _grim_uninformative(n: int, decimals: int) -> str:
    """Why GRIM cannot test a mean of ``n`` integers printed to ``decimals`` decimals."""
    step = f"1/{n} = {1 / n:.{decimals + 2}f}"
    digits = f"{decimals} decimal{'s' if decimals != 1 else ''}"
    why = (
        f"no wider than the last printed digit ({10.0**-decimals:g}; n >= 10^{decimals})"
        if n >= 10**decimals
        else "falling on the ties of the rounding"
    )
    return (
        f"uninformative at this n: a mean of {n} integers moves in steps of {step}, {why}, so "
        f"every mean printed to {digits} is reachable and GRIM cannot test it"
    )


def audit_grim(f: BaselineFile) -> list[dict]:
    """GRIM for the mean ± SD cells of baseline variables flagged ``integer`` (counts, whole years...).

    Parameters
    ----------
    f : BaselineFile
        The baseline table.

    Returns
    -------
    list of dict
        One finding per check, with the keys ``check``, ``key``, ``source``,
        ``where``, ``printed``, ``status`` (one of :data:`STATUSES`) and ``detail``.
        One per group (and total) cell of each flagged variable.
    """
    rows = []
    cols = list(f.groups) + ([f.total] if f.total else [])
    for v in f.variables:
        if not (isinstance(v, ContinuousVariable) and v.integer and v.summary == "mean_sd"):
            continue
        for g in cols:
            text = _cell_text(v.cells[g.key])
            s = parse_summary(text, "mean_sd")
            ok = grim_consistent(s.centre, s.decimals[0], g.n)
            if ok is None:
                detail, status = _grim_uninformative(g.n, s.decimals[0]), "note"
            elif ok:
                t = round(s.centre * g.n)
                detail, status = (
                    f"{t}/{g.n} = {t / g.n:.{s.decimals[0] + 2}f} prints as {s.centre}",
                    "ok",
                )
            else:
                lo = math.floor(s.centre * g.n)
                detail = (
                    f"no total of {g.n} integers gives a mean printing as {s.centre}: {lo}/{g.n} = {lo / g.n:.{s.decimals[0] + 2}f}, "
                    f"{lo + 1}/{g.n} = {(lo + 1) / g.n:.{s.decimals[0] + 2}f}"
                )
                status = "inconsistent"
            rows.append(
                _row(
                    "grim",
                    f"{v.key}.{g.key}",
                    f.source.label,
                    f"{v.label}, {g.label}",
                    text,
                    status,
                    detail,
                )
            )
    return rows


# ----------------------------------------------------------------------------- declared claims


def debit_consistent(mean: float, mean_decimals: int, sd: float, sd_decimals: int, n: int) -> bool:
    """DEBIT: can ``n`` binary values have a mean and SD that print as ``mean`` and ``sd``?

    The mean of ``n`` zeros and ones is ``k / n`` and their sample SD is
    ``sqrt(p (1 - p) n / (n - 1))`` with ``p = k / n`` (Heathers and Brown's
    DEBIT).  The pair is consistent when some ``k`` prints as both, each
    within half a unit of its last printed digit (closed interval).

    Parameters
    ----------
    mean : float
        The printed proportion, in [0, 1].
    mean_decimals : int
        Its printed decimals.
    sd : float
        The printed SD.
    sd_decimals : int
        Its printed decimals.
    n : int
        The number of values, at least 2.

    Returns
    -------
    bool
        Whether some count ``k`` of ones gives both printed numbers.

    Raises
    ------
    ValueError
        When ``n`` is less than 2 or ``mean`` lies outside [0, 1].

    Examples
    --------
    >>> debit_consistent(0.35, 2, 0.49, 2, 20), debit_consistent(0.35, 2, 0.40, 2, 20)
    (True, False)
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    if not 0 <= mean <= 1:
        raise ValueError(f"mean must lie in [0, 1], got {mean}")
    hm, hs = _half_unit(mean_decimals) + 1e-9, _half_unit(sd_decimals) + 1e-9
    k = np.arange(n + 1)
    p = k / n
    s = np.sqrt(p * (1 - p) * n / (n - 1))
    return bool(np.any((np.abs(p - mean) <= hm) & (np.abs(s - sd) <= hs)))


def _claim_value(study: Study, ref) -> tuple[float, str, int | None]:
    """A claim operand's value, its printed text and decimals (a number key, a limit, a quoted number)."""
    if isinstance(ref, (int, float)) and not isinstance(ref, bool):
        return float(ref), str(ref), 0
    if not isinstance(ref, str):  # a Quoted number of the text
        return float(ref.value), ref.printed, value_decimals(ref.printed, ref.value)
    if ref.endswith((".lower", ".upper")):
        key, lim = ref.rsplit(".", 1)
        n = study.number(key)
        v = getattr(n, lim)
        return float(v), n.printed, value_decimals(n.printed, v)
    n = study.number(ref)
    return float(n.value), n.printed, n.decimals


def _claim_percent(study: Study, key: str) -> tuple[float, int]:
    """The percentage a number prints (``"32 (61.5%)"``, or a percent quantity) and its decimals."""
    n = study.number(key)
    try:
        cp = parse_count_percent(n.printed)
    except PrintedError:
        cp = None
    if cp is not None and cp.percent is not None:
        return cp.percent, cp.percent_decimals or 0
    if n.quantity in ("percent", "rate"):
        dec = n.decimals if n.decimals is not None else value_decimals(n.printed, n.value)
        return n.value, dec or 0
    raise ValueError(f"{key}: {n.printed!r} prints no percentage")


def _is_significant(pv: PValue, alpha: float) -> bool | None:
    """Printed p below alpha (True), above (False), or undecided (``"< 0.1"`` for alpha 0.05)."""
    if pv.bound == "<":
        return True if pv.value <= alpha else None
    if pv.bound == ">":
        return False if pv.value >= alpha else None
    return pv.value < alpha


def _ratio_significant(n: ReportedNumber, null: float = 1.0) -> bool | None:
    if n.lower is None or n.upper is None:
        return None
    if n.lower > null or n.upper < null:
        return True
    if n.lower < null < n.upper:
        return False
    return None  # a limit printed at the null


def _variant_ps(study: Study, variable: str, groups: list[str] | None, file: str | None = None):
    """p under each test variant for a baseline variable over some of its groups.

    Categorical rows: the four count variants at the printed counts (one value
    each).  Mean ± SD rows: the t-tests (two groups) or ANOVA with their
    rounding ranges.  Returns ``(kind, {variant: (lo, hi)})`` or ``(None, reason)``.
    """
    f = study.baseline(file)
    v = next(x for x in f.variables if x.key == variable)
    gs = [g for g in f.groups if groups is None or g.key in groups]
    if isinstance(v, CategoricalVariable):
        table = np.array(
            [
                [parse_count_percent(_cell_text(v.cells[g.key][lv.key])).count for g in gs]
                for lv in v.levels
            ]
        )
        table = table[table.sum(axis=1) > 0]
        ps = p_under_variants(table)
        return "categorical", {
            k: (ps[k], ps[k]) for k in CATEGORICAL_VARIANTS if not math.isnan(ps[k])
        }
    if v.summary == "mean_sd":
        r = mean_sd_variant_ranges([(_cell_text(v.cells[g.key]), g.n) for g in gs])
        return "mean_sd", {k: (x["lo"], x["hi"]) for k, x in r.items()}
    return None, f"a {v.summary} row: no test can be recomputed from its summaries"


def _significance_over_variants(ranges: dict, alpha: float) -> tuple[str, str]:
    every = all(hi < alpha for _, hi in ranges.values())
    some = [k for k, (lo, _) in ranges.items() if lo < alpha]
    text = ", ".join(
        f"{k} {lo:.4f}" if lo == hi else f"{k} [{lo:.4f}, {hi:.4f}]"
        for k, (lo, hi) in ranges.items()
    )
    if every:
        return "inconsistent", f"significant under every variant, whatever the rounding ({text})"
    if some:
        return "note", f"can be significant under {', '.join(some)}, within rounding ({text})"
    return "ok", f"not significant under any variant ({text})"


def _claim_rows(study: Study, c) -> list[dict]:
    """The findings of one declared claim: dicts with the audit's columns plus ``numbers``."""
    out: list[dict] = []
    label = f"{c.where}: {c.says}" if c.where else c.says

    def add(status, detail, numbers, printed=None, key=None, judged=None):
        out.append(
            {
                "check": f"claim:{c.kind}",
                "key": key or c.key,
                "source": "claims",
                "where": label,
                "printed": printed
                if printed is not None
                else "; ".join(
                    study.number(
                        k.rsplit(".", 1)[0] if k.endswith((".lower", ".upper")) else k
                    ).printed
                    for k in numbers
                ),
                "status": status,
                "detail": detail,
                "numbers": tuple(numbers if judged is None else judged),
                "judges": c.judges,
            }
        )

    k = c.kind
    if k == "no_difference":
        for pk in c.p:
            n = study.number(pk)
            pv = parse_pvalue(n.printed)
            sig = _is_significant(pv, c.alpha)
            detail = f"the text says no difference; printed p {n.printed}"
            if sig:
                add("inconsistent", detail + f" is below {c.alpha}", [pk], key=f"{c.key}.{pk}")
                continue
            a = n.analysis
            if (
                a is not None
                and getattr(a, "kind", None) == "table1_test"
                and a.variable in {v.key for v in study.baseline().variables}
            ):
                kind, r = _variant_ps(study, a.variable, a.groups)
                if kind is not None:
                    status, d = _significance_over_variants(r, c.alpha)
                    add(status, f"{detail}; recomputed: {d}", [pk], key=f"{c.key}.{pk}")
                    continue
            add("ok" if sig is False else "note", detail, [pk], key=f"{c.key}.{pk}")
        for sp in c.splits:
            kind, r = _variant_ps(study, sp.variable, sp.groups, sp.file)
            skey = f"{c.key}.{sp.variable}"
            what = f"{sp.variable} over {', '.join(sp.groups)} (no p printed)"
            if kind is None:
                add("note", f"{what}: {r}", [], printed="", key=skey)
            else:
                status, d = _significance_over_variants(r, c.alpha)
                add(status, f"the text says no difference; {what}: {d}", [], printed="", key=skey)
    elif k == "significance":
        for nk in c.numbers:
            n = study.number(nk)
            if n.quantity in ("p", "p_interaction"):
                sig = _is_significant(parse_pvalue(n.printed), c.alpha)
                how = f"p {n.printed} against {c.alpha}"
            else:
                sig = _ratio_significant(n)
                how = f"interval {n.lower}-{n.upper} against 1"
            if sig is None:
                status = "note"
                verdict = "undecided at the printed precision"
            else:
                status = "ok" if sig == (c.reads == "significant") else "inconsistent"
                verdict = "significant" if sig else "not significant"
            add(
                status,
                f"the text reads it as {c.reads.replace('_', ' ')}; {how}: {verdict}",
                [nk],
                key=f"{c.key}.{nk}",
            )
    elif k == "extreme":
        cv, cp, _ = _claim_value(study, c.cited)
        vals = {a: _claim_value(study, a)[0] for a in c.among}
        best = min(vals.values()) if c.which == "lowest" else max(vals.values())
        at = [a for a, v in vals.items() if v == best]
        listing = ", ".join(f"{a} {study.number(a).printed}" for a in c.among)
        cited_key = c.cited if isinstance(c.cited, str) else None
        if cv == best:
            others = [a for a in at if a != cited_key]
            status = "note" if others else "ok"
            d = f"{cp} is the {c.which} ({listing})" + (
                f"; tied with {', '.join(others)}" if others else ""
            )
        else:
            status = "inconsistent"
            d = f"{cp} is not the {c.which}: {', '.join(at)} prints {best} ({listing})"
        add(
            status,
            d,
            ([cited_key] if cited_key else []) + [a for a in c.among if a != cited_key],
            judged=[cited_key] if cited_key else [],
        )
    elif k == "same_number":
        vals = [_claim_value(study, x) for x in c.numbers]
        keys = [x for x in c.numbers if isinstance(x, str)]
        decs = [d for _, _, d in vals if d is not None]
        dec = min(decs) if decs else 6
        rounded = {round_half_up(v, dec) for v, _, _ in vals}
        intervals = {(n.lower, n.upper) for x in keys if (n := study.number(x)).lower is not None}
        printed = " | ".join(p for _, p, _ in vals)
        if len(rounded) == 1 and len(intervals) <= 1:
            add("ok", f"the same value ({printed}) in each place", keys, printed=printed)
        else:
            d = f"printed differently: {printed}"
            for x, (v, p, _) in zip(c.numbers, vals):
                holders = [
                    s
                    for s in c.search
                    if round_half_up(_claim_value(study, s)[0], dec) == round_half_up(v, dec)
                ]
                if holders:
                    d += f"; {p} is the value of {', '.join(holders)}"
            add("inconsistent", d, keys, printed=printed)
    elif k == "distinct":
        ns = [study.number(x) for x in c.numbers]
        same = len({(n.value, n.lower, n.upper) for n in ns}) == 1
        add(
            c.if_equal if same else "ok",
            ("identical to the last printed digit: " if same else "they differ: ")
            + "; ".join(f"{n.key} {n.printed}" for n in ns),
            c.numbers,
        )
    elif k == "range":
        rng = study.number(c.number)
        if c.statistic == "percent":
            vals = [_claim_percent(study, x)[0] for x in c.over]
        else:
            vals = [_claim_value(study, x)[0] for x in c.over]
        dec = rng.decimals if rng.decimals is not None else 1
        ok = equal_at_precision(min(vals), rng.lower, dec) and equal_at_precision(
            max(vals), rng.upper, dec
        )
        add(
            "ok" if ok else "inconsistent",
            f"the cells print {', '.join(f'{v:g}' for v in vals)}: smallest {min(vals):g}, largest {max(vals):g}",
            [c.number, *c.over],
            printed=rng.printed,
            judged=[c.number],
        )
    elif k == "percent":
        pk = c.percent
        pnum = study.number(pk)
        pct, dec = _claim_percent(study, pk)
        n_val = int(round(_claim_value(study, c.n)[0]))
        if c.count is None:
            try:
                cp = parse_count_percent(pnum.printed)
                count = cp.count if cp.percent is not None else None
            except PrintedError:
                count = None
        else:
            count = int(round(_claim_value(study, c.count)[0]))
        if count is None:
            ks = counts_printing_as(pct, dec, n_val)
            status = "ok" if ks else "inconsistent"
            d = (
                f"{', '.join(f'{x}/{n_val}' for x in ks)} print as {pct}%"
                if ks
                else f"no count out of {n_val} prints as {pct}%"
            )
        else:
            ok = equal_at_precision(100 * count / n_val, pct, dec)
            d = f"{count}/{n_val} = {100 * count / n_val:.{dec + 2}f}%"
            status = "ok"
            if not ok:
                alts = [
                    f"{count}/{m} = {100 * count / m:.{dec + 2}f}% ({what})"
                    for what, m in c.alternatives.items()
                    if equal_at_precision(100 * count / m, pct, dec)
                ]
                status = "note" if alts else "inconsistent"
                d += f" does not print as {pct}%; " + (
                    f"it is {', '.join(alts)}" if alts else "no declared denominator gives it"
                )
        add(status, d, [pk] + [x for x in (c.n, c.count) if isinstance(x, str)], judged=[pk])
    elif k == "grim":
        m = study.number(c.mean)
        n_val = int(round(_claim_value(study, c.n)[0])) * c.items
        dec = m.decimals if m.decimals is not None else decimals_of(str(m.value))
        ok = grim_consistent(m.value, dec, n_val)
        named = [c.mean] + ([c.n] if isinstance(c.n, str) else [])
        if ok is None:  # a note that judges nothing: the test cannot tell, which is not "ok"
            add("note", _grim_uninformative(n_val, dec), named, judged=[])
        else:
            d = (
                f"a mean of {n_val} integers can print as {m.value}"
                if ok
                else f"no total of {n_val} integers gives a mean printing as {m.value}"
            )
            add("ok" if ok else "inconsistent", d, named, judged=[c.mean])
    elif k == "debit":
        m, s = study.number(c.mean), study.number(c.sd)
        n_val = int(round(_claim_value(study, c.n)[0]))
        md = m.decimals if m.decimals is not None else decimals_of(str(m.value))
        sd_dec = s.decimals if s.decimals is not None else decimals_of(str(s.value))
        scale = 100.0 if m.value > 1 else 1.0
        ok = debit_consistent(
            m.value / scale,
            md + (2 if scale == 100 else 0),
            s.value / scale,
            sd_dec + (2 if scale == 100 else 0),
            n_val,
        )
        add(
            "ok" if ok else "inconsistent",
            f"binary data of n = {n_val}: {'some' if ok else 'no'} count of ones gives mean {m.printed} and SD {s.printed}",
            [c.mean, c.sd],
        )
    elif k == "ci_p":
        r = study.number(c.ratio)
        if r.lower is None or r.upper is None:
            add("inconsistent", "no interval printed", [c.ratio])
        elif not r.lower <= r.value <= r.upper:
            add(
                "inconsistent",
                f"{r.value} lies outside [{r.lower}, {r.upper}]",
                [c.ratio] + ([c.p] if c.p else []),
            )
        else:
            pp = study.number(c.p).printed if c.p else None
            status, d = ratio_ci_finding(r.value, r.lower, r.upper, r.printed, pp)
            add(
                status,
                d,
                [c.ratio] + ([c.p] if c.p else []),
                printed=r.printed + (f"; p {pp}" if pp else ""),
            )
    elif k == "ordered":
        vals = [study.number(x).value for x in c.numbers]
        pairs = list(zip(vals, vals[1:]))
        ok = (
            all(a <= b for a, b in pairs)
            if c.direction == "increasing"
            else all(a >= b for a, b in pairs)
        )
        add(
            "ok" if ok else c.if_violated,
            f"expected {c.direction}: " + " -> ".join(study.number(x).printed for x in c.numbers),
            c.numbers,
        )
    elif k == "bounds":
        n = study.number(c.number)
        ok = (c.min is None or n.value >= c.min) and (c.max is None or n.value <= c.max)
        add(
            "ok" if ok else "inconsistent",
            f"{n.printed} {'lies' if ok else 'does not lie'} in [{c.min if c.min is not None else '-inf'}, {c.max if c.max is not None else 'inf'}]: {c.why}",
            [c.number],
        )
    elif k == "count_listed":
        cv, cp, _ = _claim_value(study, c.count)
        items = [p.strip() for p in re.split(r",\s*|\s+and\s+|;\s*", c.listed) if p.strip()]
        ok = int(round(cv)) == len(items)
        add(
            "ok" if ok else "inconsistent",
            f"{cp} items said; {len(items)} listed ({c.listed})",
            [c.count] if isinstance(c.count, str) else [],
            printed=cp,
        )
    elif k == "quotient":
        a, b = study.number(c.numerator), study.number(c.denominator)
        q = a.value / b.value
        ok = c.plausible[0] <= q <= c.plausible[1]
        add(
            "ok" if ok else "inconsistent",
            f"{a.printed} / {b.printed} = {q:.3g}, {'inside' if ok else 'outside'} [{c.plausible[0]:g}, {c.plausible[1]:g}]: {c.why}",
            [c.numerator, c.denominator],
        )
    elif k == "events_implied":
        r = study.number(c.ratio)
        exposed = sum(parse_count_percent(study.number(x).printed).count for x in c.exposed)
        p = exposed / c.total
        z = sps.norm.ppf(0.975)
        se = (math.log(r.upper) - math.log(r.lower)) / (2 * z)
        d = events_implied(r.lower, r.upper, p)
        add(
            "note",
            f"prevalence {exposed}/{c.total}; SE(log HR) {se:.3f} implies about {d:.0f} events "
            "(rounding of the CI moves this by 10-20%)",
            [c.ratio],
        )
    elif k == "curated":
        add(c.status, f"curated, not computed: {c.finding}", list(c.numbers), printed="")
    return out


def events_implied(lower: float, upper: float, prevalence: float, level: float = 0.95) -> float:
    """Events a hazard ratio's interval implies for a binary covariate of given prevalence.

    For a binary covariate the variance of the log hazard ratio is about
    ``1 / (D p (1 - p))`` with ``D`` events and prevalence ``p`` (Schoenfeld),
    and the Wald interval's half width on the log scale is ``z * SE``.

    Parameters
    ----------
    lower, upper : float
        The printed limits, ``0 < lower < upper``.
    prevalence : float
        Share of the patients with the covariate, in (0, 1).
    level : float, default 0.95
        The interval's coverage.

    Returns
    -------
    float
        The implied number of events.

    Examples
    --------
    >>> round(events_implied(0.5, 2.0, 0.5))
    32
    """
    if not 0 < lower < upper:
        raise ValueError(f"need 0 < lower < upper, got {lower}, {upper}")
    if not 0 < prevalence < 1:
        raise ValueError(f"prevalence must lie in (0, 1), got {prevalence}")
    z = sps.norm.ppf(0.5 + level / 2)
    se = (math.log(upper) - math.log(lower)) / (2 * z)
    return 1.0 / (se**2 * prevalence * (1 - prevalence))


def claim_findings(study: str | Study) -> pd.DataFrame:
    """The findings of every claim declared in the study's ``claims.yaml``.

    Each claim (:mod:`hccrep.claims`) is evaluated by the generic rule of its
    kind; a claim about several numbers may give one finding per number.

    Parameters
    ----------
    study : str or Study
        A study key or a loaded study.

    Returns
    -------
    DataFrame
        Columns ``check`` (``claim:<kind>``), ``key`` (the claim's key, or
        ``<claim>.<number>`` for one number of it), ``source``, ``where``,
        ``printed``, ``status``, ``detail``, ``numbers`` (the keys of the
        reported numbers the finding judges: a superlative judges the number it
        cites, not the cells it compares with; a percentage, range or mean
        judges itself, not its denominator) and ``judges`` (whether it decides
        their scorecard verdict).  Empty without a claims file.

    Examples
    --------
    >>> f = claim_findings("deng2025")
    >>> sorted(f.loc[f.status == "inconsistent", "check"].unique())
    ['claim:no_difference', 'claim:range', 'claim:same_number']
    """
    st = load_study(study) if isinstance(study, str) else study
    cols = ["check", "key", "source", "where", "printed", "status", "detail", "numbers", "judges"]
    rows = []
    if st.claims is not None:
        for c in st.claims.claims:
            rows += _claim_rows(st, c)
    return pd.DataFrame(rows, columns=cols)


def audit_claims(study: Study) -> list[dict]:
    """The claim findings of :func:`claim_findings` as audit rows (without ``numbers``).

    Parameters
    ----------
    study : Study
        A loaded study.

    Returns
    -------
    list of dict
        One finding per row, with the keys ``check``, ``key``, ``source``,
        ``where``, ``printed``, ``status`` and ``detail``.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> rows = audit_claims(load_study("fonc2025"))
    >>> sorted({r["check"] for r in rows})[:2]
    ['claim:distinct', 'claim:extreme']
    """
    df = claim_findings(study).drop(columns=["numbers", "judges"])
    return df.to_dict("records")


#: how an audit status reads as a scorecard verdict: words of their own
#: (:data:`hccrep.replication.AUDIT_VERDICTS`), never those of a replication
AUDIT_VERDICT = {"ok": "consistent", "note": "questionable", "inconsistent": "inconsistent"}


def audit_verdicts(study: str | Study) -> dict[str, tuple[str, str]]:
    """The verdict the declared claims give each number they judge, for the scorecard.

    A number no simulation replicates can still be checked against the rest of
    the paper: a claim that judges it (:func:`claim_findings`, ``judges``
    true) decides.  The
    worst status over its claims counts (``inconsistent`` over ``note`` over
    ``ok``), read as :data:`AUDIT_VERDICT`; the limits of a printed interval
    (``key.lower``, ``key.upper``) share the verdict of their number.  The
    reason says that this is internal consistency, not a replication.

    Parameters
    ----------
    study : str or Study
        A study key or a loaded study.

    Returns
    -------
    dict
        Number key -> ``(verdict, reason)``.

    Examples
    --------
    >>> v = audit_verdicts("deng2025")
    >>> v["text_rsf_brier_6m"][0]
    'inconsistent'
    """
    st = load_study(study) if isinstance(study, str) else study
    f = claim_findings(st)
    rank = {"ok": 0, "note": 1, "inconsistent": 2}
    worst: dict[str, tuple[int, str]] = {}
    for r in f.itertuples():
        if not r.judges:
            continue
        for k in r.numbers:
            base = k.rsplit(".", 1)[0] if k.endswith((".lower", ".upper")) else k
            name = _claim_name(st, r.key, base)
            cand = (rank[r.status], f"{name} \u2014 {r.detail}" if name else r.detail)
            if base not in worst or cand[0] > worst[base][0]:
                worst[base] = cand
    out = {}
    status_of = {v: k for k, v in rank.items()}
    for base, (rk, why) in worst.items():
        verdict = AUDIT_VERDICT[status_of[rk]]
        reason = f"internal consistency (audit of the printed numbers), not a replication: {why}"
        n = st.number(base)
        for k in [base] + ([f"{base}.lower", f"{base}.upper"] if n.lower is not None else []):
            out[k] = (verdict, reason)
    return out


def _claim_name(st: Study, claim_key: str, number_key: str) -> str:
    """The other number a claim is about, by its label ('' when it is ``number_key`` itself).

    Claim keys end in the key of the number they are about (``claim.number``); a reason
    shown beside ``number_key`` names that number in words instead of by key.
    """
    from hccrep.display import check_label

    about = claim_key.rsplit(".", 1)[-1]
    if about == number_key:
        return ""
    try:
        return check_label(st.number(about), st)
    except KeyError:
        return ""


def declared_pvalues(study: Study) -> list[dict]:
    """P-values of results files whose declared analysis is a test of a categorical baseline row.

    The counts of the baseline table (for the groups the analysis names) give
    the p under each variant; the finding is ``ok`` when the declared variant
    (the evident one, else the stated one) prints as the paper, ``note`` when
    only another variant does, ``inconsistent`` when none does.  Mean ± SD rows
    are audited by :func:`audit_mean_sd_pvalues`.

    Parameters
    ----------
    study : Study
        A loaded study.

    Returns
    -------
    list of dict
        One finding per p, with the audit's columns.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> rows = {r["key"]: r for r in declared_pvalues(load_study("deng2025"))}
    >>> rows["t1p_metastasis_tace"]["status"]
    'inconsistent'
    """
    rows = []
    try:
        base = study.baseline()
    except KeyError:
        return rows
    cats = {v.key for v in base.variables if isinstance(v, CategoricalVariable)}
    results = {f.file_id for f in study.files.values() if isinstance(f, ResultsFile)}
    for num in study.numbers:  # the flattened numbers carry the table's declared variant
        if num.file_id not in results:
            continue
        a = num.analysis
        if num.quantity != "p" or a is None or a.kind != "table1_test" or a.variable not in cats:
            continue
        if a.smallest_of or a.collapse or a.subset or a.population or a.by:
            continue
        _, r = _variant_ps(study, a.variable, a.groups)
        pv = parse_pvalue(num.printed)
        agree = [k for k, (p, _) in r.items() if pv.agrees(p)]
        var = a.variant
        declared = (var.evident or var.stated) if var is not None else None
        status = "ok" if declared in agree else ("note" if agree else "inconsistent")
        detail = ", ".join(f"{k} {p:.4f}" for k, (p, _) in r.items())
        detail += f"; printed {num.printed}; agrees: {', '.join(agree) or 'none'}"
        if declared:
            detail += f"; declared {declared}"
        groups = ", ".join(a.groups) if a.groups else "all groups"
        row = _row(
            "p_variants",
            num.key,
            num.source,
            f"{num.row or ''} ({groups})",
            num.printed,
            status,
            detail,
        )
        rows.append(_count_fit(row, {k: p for k, (p, _) in r.items()}, agree))
    return rows


def audit_study(study: str | Study, include_ok: bool = True) -> pd.DataFrame:
    """Every audit finding of a study, one row each.

    Columns: ``check, key, source, where, printed, status, detail``.

    Parameters
    ----------
    study : str or Study
        A study key (loaded with :func:`hccrep.spec.load_study`) or a loaded study.
    include_ok : bool, default True
        Keep the findings of status ``ok``; False keeps ``note`` and
        ``inconsistent`` only.

    Returns
    -------
    DataFrame
        The findings of every audit of the study's files and numbers, with a
        fresh integer index.
    """
    st = load_study(study) if isinstance(study, str) else study
    rows: list[dict] = []
    for f in st.files.values():
        rows += (
            audit_baseline(f) + audit_grim(f) if isinstance(f, BaselineFile) else audit_results(f)
        )
    rows += audit_count_pvalues(st) + audit_mean_sd_pvalues(st)
    rows += (
        audit_confusion(st)
        + audit_coefficients(st)
        + audit_median_partitions(st)
        + audit_interactions(st)
    )
    rows += declared_pvalues(st) + audit_claims(st)
    rows += _variant_fit_rows(variant_fit_summary(st))
    df = pd.DataFrame(
        rows, columns=["check", "key", "source", "where", "printed", "status", "detail"]
    )
    if not include_ok:
        df = df[df.status != "ok"]
    return df.reset_index(drop=True)

"""fonc2025, steps 4 and 7: Kaplan-Meier PFS and OS by arm, and PFS by radiotherapy target.

Every reported number is read from ``data/fonc2025`` (files ``survival_text``,
``figure4`` and ``rt_site``); the functions put it beside what a simulated
cohort gives, under named variants.

Whole cohort (step 4)
    :func:`median_table` (each arm's KM median with its 95% CI under R's
    ``"log"`` and the ``"log-log"`` transform, and the median lifelines
    reports), :func:`landmark_table` (KM survival at the landmark times the
    paper reports, with the ``k/n`` fractions that print as the reported rate),
    :func:`hccrep.printed.counts_printing_as`, :func:`implied_weibull_shape` (the Weibull
    shape the reported median and landmark rates imply) and
    :func:`km_checks_runner` (the study's runner restricted to these checks, for
    a quick sensitivity analysis), :func:`mc_intervals` (Monte Carlo intervals
    of a sensitivity run beside the reported values) and
    :func:`pvalue_histogram` (the Monte Carlo distribution of a p-value with the
    reported ones marked).

Radiotherapy target (step 7)
    :func:`site_medians` (PFS medians by target and of the whole RT+IO+T arm),
    :func:`site_median_bound` (what the two reported site medians imply for the
    whole arm when nobody is censored early),
    :func:`mixture_gap` (the pooled KM curve against the size-weighted average of
    the subgroup curves) and :func:`differential_censoring_example` (a made-up
    cohort in which both subgroup medians lie below the pooled one).

Examples
--------
>>> from hccrep.spec import load_study
>>> st = load_study("fonc2025")
>>> len(landmark_times(st)) > 0
True
>>> counts_printing_as(25, 0, 8)
[2]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hccrep.frames import str_labels
from hccrep.printed import counts_printing_as
from hccrep.spec import ReportedNumber, Study
from hccrep.studies.fonc2025 import Fonc2025Runner

__all__ = [
    "KM_FILES",
    "SITE_LEVELS",
    "km_checks_runner",
    "lifelines_median",
    "median_table",
    "landmark_times",
    "landmark_table",
    "counts_printing_as",
    "implied_weibull_shape",
    "weibull_shape",
    "mc_intervals",
    "pvalue_histogram",
    "site_medians",
    "site_median_bound",
    "mixture_gap",
    "differential_censoring_example",
]

#: The result files of the whole-cohort Kaplan-Meier analysis.
KM_FILES = ("survival_text", "figure4")
#: ``rt_site`` subgroup attribute -> value of the cohort's ``rt_site`` column.
SITE_LEVELS = {"rt_site_liver": "liver", "rt_site_pvtt": "pvtt_hvtt"}


def _km_numbers(study: Study, quantity: str) -> list[ReportedNumber]:
    return [n for n in study.numbers if n.file_id == "survival_text" and n.quantity == quantity]


def _arm_labels(study: Study) -> dict[str, str]:
    return {g.key: g.label for g in study.baseline().groups}


def _arm_sizes(study: Study) -> dict[str, int]:
    return {g.key: g.n for g in study.baseline().groups}


def _time_event(cohort: pd.DataFrame, endpoint: str, mask) -> tuple[np.ndarray, np.ndarray]:
    return cohort.loc[mask, f"{endpoint}_time"].to_numpy(float), cohort.loc[
        mask, f"{endpoint}_event"
    ].to_numpy(int)


# ============================================================================ runner


def km_checks_runner(
    study: Study, parts: Sequence[str] = ("survival",), **kwargs
) -> Fonc2025Runner:
    """The fonc2025 runner restricted to its Kaplan-Meier checks (keyword arguments as for the full runner).

    It simulates exactly the cohorts of the full runner (same seeds) but
    analyses only the checks of ``survival_text`` and ``figure4`` (``parts``
    containing ``"survival"``) and of ``rt_site`` (``"rt_site"``), which makes
    a Monte Carlo several times faster. The values equal the full runner's
    (``tests/test_fonc2025_km.py``).

    Use it with ``scorecard(..., cache_dir="")`` when ``study`` was modified in
    memory (e.g. another Weibull shape): the Monte Carlo cache is keyed by the
    files on disk and would not see the change.
    """
    unknown = set(parts) - {"survival", "rt_site"}
    if unknown or not parts:
        raise ValueError(
            f"parts must be a non-empty subset of ('survival', 'rt_site'), got {tuple(parts)!r}"
        )
    return Fonc2025Runner(study, parts=parts, **kwargs)


# ============================================================================ medians and landmarks


def lifelines_median(time, event) -> float:
    """The median lifelines' ``KaplanMeierFitter`` reports (NaN when not reached).

    lifelines takes the first time the curve is at or below 0.5; R takes the
    midpoint of a stretch where the curve equals 0.5 exactly, so the two differ
    when that happens (an even group without censoring before the median).
    """
    from lifelines import KaplanMeierFitter

    m = float(
        KaplanMeierFitter()
        .fit(np.asarray(time, float), np.asarray(event, int))
        .median_survival_time_
    )
    return m if np.isfinite(m) else float("nan")


def median_table(
    study: Study, cohort: pd.DataFrame, conf_types: Sequence[str] = ("log", "log-log")
) -> pd.DataFrame:
    """Reported KM medians with their intervals beside the simulated cohort's.

    Parameters
    ----------
    study : Study
    cohort : DataFrame
        A simulated cohort (``runner.simulate(seed)``).
    conf_types : sequence of str
        Interval transforms of :func:`hccrep.stats.km_median`; ``"log"`` is R
        ``survfit``'s default, ``"log-log"`` the transform of lifelines' bands
        (and of SAS and Stata).

    Returns
    -------
    DataFrame
        One row per reported median: ``endpoint, arm, role, printed,
        reported, reported_lower, reported_upper``, the simulated ``median``
        (R's rule), ``lifelines_median`` and ``lower``/``upper`` per
        transform (columns ``lower (log)`` etc.).
    """
    from hccrep.stats import km_median

    labels = _arm_labels(study)
    arm = str_labels(cohort[study.simulation.group_variable])
    rows = []
    for n in _km_numbers(study, "median"):
        ep, g = n.about.endpoint, n.about.group
        t, e = _time_event(cohort, ep, arm == g)
        row = {
            "endpoint": ep.upper(),
            "arm": labels[g],
            "role": n.role,
            "printed": n.printed,
            "reported": n.value,
            "reported_lower": n.lower,
            "reported_upper": n.upper,
        }
        for ct in conf_types:
            m = km_median(t, e, conf_type=ct)
            row["median"] = m.median
            row[f"lower ({ct})"], row[f"upper ({ct})"] = m.lower, m.upper
        row["lifelines_median"] = lifelines_median(t, e)
        rows.append(row)
    cols = [
        "endpoint",
        "arm",
        "role",
        "printed",
        "reported",
        "reported_lower",
        "reported_upper",
        "median",
        "lifelines_median",
    ]
    out = pd.DataFrame(rows)
    return out[cols + [c for c in out.columns if c not in cols]]


def landmark_times(study: Study) -> list[float]:
    """The landmark times (months) at which the paper reports survival rates."""
    return sorted({float(n.about.horizon) for n in _km_numbers(study, "rate")})


def landmark_table(study: Study, cohort: pd.DataFrame, conf_type: str = "log") -> pd.DataFrame:
    """Reported landmark rates (quantity ``rate`` in ``survival_text``) beside the simulated KM rates.

    Returns
    -------
    DataFrame
        One row per reported rate: ``key, endpoint, arm, month, printed,
        reported`` (percent), ``k_of_n`` (the fractions of the arm that print as
        the reported rate), the simulated ``km`` rate with its ``lower`` and
        ``upper`` pointwise limits (``conf_type``), ``n_risk`` (patients still
        followed at the landmark) and ``censored_before`` (patients censored
        before it).
    """
    from hccrep.stats import km_landmark

    labels, sizes = _arm_labels(study), _arm_sizes(study)
    arm = str_labels(cohort[study.simulation.group_variable])
    rows = []
    for n in _km_numbers(study, "rate"):
        ep, g, month = n.about.endpoint, n.about.group, float(n.about.horizon)
        t, e = _time_event(cohort, ep, arm == g)
        lm = km_landmark(t, e, [month], conf_type=conf_type).to_frame().iloc[0]
        ks = counts_printing_as(n.value, n.decimals or 0, sizes[g])
        rows.append(
            {
                "key": n.key,
                "endpoint": ep.upper(),
                "arm": labels[g],
                "month": month,
                "printed": n.printed,
                "reported": n.value,
                "k_of_n": ", ".join(f"{k}/{sizes[g]}" for k in ks) or "none",
                "km": 100 * lm["survival"],
                "lower": 100 * lm["lower"],
                "upper": 100 * lm["upper"],
                "n_risk": int(lm["n_risk"]),
                "censored_before": int(((t < month) & (e == 0)).sum()),
            }
        )
    return pd.DataFrame(rows)


def implied_weibull_shape(study: Study) -> pd.DataFrame:
    """The Weibull shape each arm's reported median and landmark rates imply.

    Under a Weibull model ``S(t) = exp(-(t / b) ** k)``, ``log(-log S(t))`` is a
    straight line in ``log t`` with slope ``k``.  The points are the reported
    landmark rates and ``S = 0.5`` at the reported median; ``k`` is their
    least-squares slope (1 is the exponential model, above 1 a hazard rising
    with time).

    Returns
    -------
    DataFrame
        ``endpoint, arm, points, shape`` (one row per endpoint and arm).
    """
    labels = _arm_labels(study)
    pts: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for n in _km_numbers(study, "median"):
        pts.setdefault((n.about.endpoint, n.about.group), []).append((n.value, 0.5))
    for n in _km_numbers(study, "rate"):
        pts.setdefault((n.about.endpoint, n.about.group), []).append(
            (float(n.about.horizon), n.value / 100)
        )
    rows = []
    for (ep, g), p in pts.items():
        p = [q for q in p if 0 < q[1] < 1]
        shape = weibull_shape([q[0] for q in p], [q[1] for q in p]) if len(p) >= 2 else float("nan")
        rows.append({"endpoint": ep.upper(), "arm": labels[g], "points": len(p), "shape": shape})
    return pd.DataFrame(rows)


def weibull_shape(times, survival) -> float:
    """Least-squares Weibull shape through points ``(t, S(t))``: the slope of ``log(-log S)`` on ``log t``.

    >>> round(weibull_shape([2, 4, 8], [np.exp(-(t / 5) ** 1.5) for t in (2, 4, 8)]), 6)
    1.5
    """
    t = np.asarray(times, float)
    s = np.asarray(survival, float)
    if t.size != s.size or t.size < 2:
        raise ValueError("need at least two (time, survival) points of equal length")
    if (t <= 0).any() or ((s <= 0) | (s >= 1)).any():
        raise ValueError("times must be positive and survival strictly between 0 and 1")
    if np.unique(t).size < 2:
        raise ValueError("need at least two distinct times")
    return float(np.polyfit(np.log(t), np.log(-np.log(s)), 1)[0])


def mc_intervals(
    study: Study, mc: pd.DataFrame, keys: Sequence[str], level: float = 0.95
) -> pd.DataFrame:
    """Monte Carlo interval of each check in ``keys`` and whether the reported value lies inside.

    The interval is computed as :func:`hccrep.replication.scorecard` does
    (empirical quantiles, ``inverted_cdf``); a p-value printed with a bound
    (``"<0.001"``) counts as inside when the interval reaches past the bound
    on the printed side.  Limits of printed intervals are named
    ``<key>.lower`` / ``<key>.upper``.

    Returns
    -------
    DataFrame
        Index ``key``; columns ``reported, mc_low, mc_high, inside``.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    a = (1 - level) / 2
    rows = []
    for key in keys:
        base, _, side = key.partition(".")
        num = study.number(base)
        reported = getattr(num, side) if side else num.value
        col = mc[key].dropna().to_numpy() if key in mc.columns else np.array([])
        lo, hi = (
            np.quantile(col, [a, 1 - a], method="inverted_cdf") if col.size else (np.nan, np.nan)
        )
        if num.quantity == "p" and not side and num.bound == "<":
            inside = bool(lo < reported)
        elif num.quantity == "p" and not side and num.bound == ">":
            inside = bool(hi > reported)
        else:
            inside = bool(lo <= reported <= hi)
        rows.append(
            {
                "key": key,
                "reported": reported,
                "mc_low": float(lo),
                "mc_high": float(hi),
                "inside": inside,
            }
        )
    return pd.DataFrame(rows).set_index("key")


def pvalue_histogram(samples, reported, *, title: str | None = None, bins: int = 30):
    """Histogram of Monte Carlo p-values on a log axis, with reported p-values as vertical lines.

    Parameters
    ----------
    samples : mapping of str to array_like
        One distribution per label (e.g. one per simulation model), overlaid.
    reported : mapping of str to float
        Reported p-values, one dashed line each, labelled in the legend.
    title : str, optional
    bins : int
        Number of log-spaced bins.

    Returns
    -------
    matplotlib.figure.Figure
        With alt text (:func:`hccrep.plots.alt_text`) giving, for every
        distribution, its size, median and the share of cohorts at or below
        each reported p.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from hccrep.plots import PALETTE, _theme_rc, set_alt_text

    data = {k: np.asarray(v, float) for k, v in samples.items()}
    data = {k: v[np.isfinite(v) & (v > 0)] for k, v in data.items()}
    if not data or any(v.size == 0 for v in data.values()):
        raise ValueError("every sample needs at least one positive, finite p-value")
    lo = min(min(v.min() for v in data.values()), *reported.values()) / 2
    edges = np.logspace(np.log10(lo), 0, bins + 1)
    with mpl.rc_context(_theme_rc()):
        fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
        for i, (label, v) in enumerate(data.items()):
            ax.hist(
                v,
                bins=edges,
                alpha=0.5,
                color=PALETTE[i % len(PALETTE)],
                label=f"{label} (n = {v.size})",
            )
        styles = ["--", ":", "-."]
        for j, (label, p) in enumerate(reported.items()):
            ax.axvline(
                p, color="black", linestyle=styles[j % len(styles)], linewidth=1.5, label=label
            )
        ax.set_xscale("log")
        ax.set_xlabel("p-value (log scale)")
        ax.set_ylabel("Simulated cohorts")
        ax.legend(loc="upper left")
        if title:
            ax.set_title(title)
    parts = []
    for label, v in data.items():
        share = "; ".join(
            f"{100 * np.mean(v <= p):.0f}% at or below {label_r} ({p:g})"
            for label_r, p in reported.items()
        )
        parts.append(f"{label}: {v.size} cohorts, median p {np.median(v):.3g}, {share}")
    set_alt_text(
        fig,
        f"{title + ': ' if title else ''}Histogram of simulated p-values on a log axis with the reported "
        f"p-values as vertical lines. " + ". ".join(parts) + ".",
    )
    return fig


# ============================================================================ RT target (step 7)


def site_medians(study: Study, cohort: pd.DataFrame, conf_type: str = "log") -> pd.DataFrame:
    """PFS medians by radiotherapy target and of the whole RT+IO+T arm, reported and simulated.

    Returns
    -------
    DataFrame
        Index: the two targets and the pooled arm.  Columns ``n, events,
        printed, reported, median`` (R's rule, 95% CI ``lower``/``upper`` with
        ``conf_type``) and ``lifelines_median``.  The pooled median is an input
        (the model is calibrated to it); the site medians are checks.
    """
    from hccrep.stats import km_median

    site = str_labels(cohort["rt_site"])
    rt_numbers = {
        n.about.subgroup: n
        for n in study.numbers
        if n.file_id == "rt_site" and n.quantity == "median"
    }
    if not rt_numbers:
        raise KeyError(f"{study.key}: no PFS medians by RT target in rt_site")
    arm_key = next(iter(rt_numbers.values())).about.group
    pooled = next(
        n
        for n in _km_numbers(study, "median")
        if n.about.endpoint == "pfs" and n.about.group == arm_key
    )
    parts = [(SITE_LEVELS[s], site == SITE_LEVELS[s], n) for s, n in rt_numbers.items()]
    parts.append(
        (f"all {_arm_labels(study)[arm_key]}", np.isin(site, list(SITE_LEVELS.values())), pooled)
    )
    rows = []
    for name, mask, num in parts:
        t, e = _time_event(cohort, "pfs", mask)
        m = km_median(t, e, conf_type=conf_type)
        rows.append(
            {
                "group": name,
                "n": int(mask.sum()),
                "events": int(e.sum()),
                "role": num.role,
                "printed": num.printed,
                "reported": num.value,
                "median": m.median,
                "lower": m.lower,
                "upper": m.upper,
                "lifelines_median": lifelines_median(t, e),
            }
        )
    return pd.DataFrame(rows).set_index("group")


def site_median_bound(study: Study) -> pd.Series:
    """What the reported site medians imply for the pooled RT+IO+T arm without early censoring.

    A KM median ``m`` of a group of ``n`` without censoring before ``m`` means
    at least ``ceil(n / 2)`` events by ``m``.  Adding the two groups gives a
    lower bound on the events of the pooled arm by the later of the two
    medians, hence an upper bound on its PFS there; the pooled median and the
    pooled landmark rates are read from ``survival_text`` beside it.

    Returns
    -------
    Series
        ``later site median``, ``events by then (at least)``, ``patients``,
        ``pooled PFS then (at most, %)``, the reported pooled median and, for
        every reported PFS rate of the arm, the rate with its ``k/n`` reading.
    """
    import math

    sites = [n for n in study.numbers if n.file_id == "rt_site" and n.quantity == "median"]
    if not sites:
        raise KeyError(f"{study.key}: no PFS medians by RT target in rt_site")
    arm_key = sites[0].about.group
    n_arm = _arm_sizes(study)[arm_key]
    n_sites = sum(int(n.about.n) for n in sites)
    if n_sites != n_arm:
        raise ValueError(f"the site groups hold {n_sites} patients, the arm {n_arm}")
    later = max(n.value for n in sites)
    events = sum(math.ceil(int(n.about.n) / 2) for n in sites)
    pooled = next(
        n
        for n in _km_numbers(study, "median")
        if n.about.endpoint == "pfs" and n.about.group == arm_key
    )
    out = {
        "later site median": later,
        "events by then (at least)": events,
        "patients": n_arm,
        "pooled PFS then (at most, %)": round(100 * (n_arm - events) / n_arm, 1),
        "reported pooled median": pooled.value,
    }
    for n in _km_numbers(study, "rate"):
        if n.about.endpoint == "pfs" and n.about.group == arm_key:
            ks = counts_printing_as(n.value, n.decimals or 0, n_arm)
            out[f"reported PFS at {n.about.horizon} months"] = f"{n.printed} = " + (
                ", ".join(f"{k}/{n_arm}" for k in ks) or "no k/n"
            )
    return pd.Series(out, dtype=object)


def mixture_gap(time, event, group, times=None) -> pd.DataFrame:
    """The pooled KM curve against the size-weighted average of the groups' KM curves.

    Without censoring the pooled KM estimate *is* that average,
    ``S(t) = sum_g (n_g / n) S_g(t)``, so it lies between the group curves and
    the pooled median between the group medians.  With censoring the two
    differ; the gap shows by how much.

    Parameters
    ----------
    time, event, group : array_like
        One entry per patient.
    times : sequence of float, optional
        Where to compare (default: every observed time).

    Returns
    -------
    DataFrame
        ``time, pooled, weighted_average, gap`` (gap = pooled - average), then
        one column per group with its KM survival; rows after the last
        follow-up of any group are dropped.
    """
    from hccrep.stats import km_landmark

    t = np.asarray(time, float)
    e = np.asarray(event, int)
    g = np.asarray(group, dtype=object).astype(str)
    if not t.size == e.size == g.size:
        raise ValueError("time, event and group must have the same length")
    grid = np.unique(t) if times is None else np.asarray(times, float)
    levels = list(dict.fromkeys(g))
    out = pd.DataFrame({"time": grid, "pooled": km_landmark(t, e, grid).survival})
    avg = np.zeros(grid.size)
    for lv in levels:
        m = g == lv
        s = km_landmark(t[m], e[m], grid).survival
        out[lv] = s
        avg += m.mean() * s
    out["weighted_average"] = avg
    out["gap"] = out["pooled"] - avg
    return out.dropna().reset_index(drop=True)[
        ["time", "pooled", "weighted_average", "gap", *levels]
    ]


def differential_censoring_example() -> pd.DataFrame:
    """A made-up cohort in which both subgroup KM medians lie below the pooled median.

    Group ``a`` (10 patients): 6 events at month 1, the other 4 censored at
    month 5; its curve drops to 0.4 at month 1.  Group ``b`` (40 patients): 37
    censored at month 1.5, then 2 events at month 2 and the last patient
    censored at month 3; its curve drops from 1 to 1/3 at month 2.  Pooled, the
    6 early events hit a risk set of 50 and the 2 late ones a risk set of 7, so
    the pooled curve stays above 0.5: the subgroup medians are 1 and 2 months,
    the pooled median is not reached.  It takes heavy censoring that differs
    between the groups.

    >>> d = differential_censoring_example()
    >>> d.groupby("group").size().to_dict()
    {'a': 10, 'b': 40}
    """
    rows = (
        [(1, 1, "a")] * 6
        + [(5, 0, "a")] * 4
        + [(1.5, 0, "b")] * 37
        + [(2, 1, "b")] * 2
        + [(3, 0, "b")]
    )
    return pd.DataFrame(rows, columns=["time", "event", "group"])

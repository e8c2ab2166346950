"""lv2025 (a review of predictors and prognostic models for HAIC in HCC): glue for its notebooks and tests.

A review reprints other cohorts' results.  Almost none of its numbers can be
recomputed, and the runner says so, number by number
(:func:`not_checkable_reasons`).  Two paragraphs report enough to simulate a
cohort and test what the review states about it:

Child-Pugh strata (Miyaki et al.)
    Three median survivals (inputs) and a P-value across the strata (check).
    The review gives no stratum sizes; the smallest sizes consistent with the
    printed remission rates are used (:func:`smallest_denominator`), an
    assumption in ``simulation.yaml``.  Laboratory values are drawn so that the
    calculator (:mod:`hccrep.scores`) returns each patient's stratum.
CCPS risk groups (Zeng et al.)
    1- and 2-year OS and PFS rates per group (inputs) and the P-values, the
    24-month AUC and the C-index (checks), under an assumed split of the 152
    patients.

The internal consistency of the review's own numbers (tables against text,
units, duplicated references) is declared in ``data/lv2025/claims.yaml`` and
checked by :func:`hccrep.audit.claim_findings`.

Examples
--------
>>> from hccrep.spec import load_study
>>> st = load_study("lv2025")
>>> child_pugh_sizes(st)
{'cp56': 59, 'cp7': 39, 'cp89': 29}
>>> smallest_denominator(33.3, 1)
3
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import product

import numpy as np
import pandas as pd

from hccrep.printed import round_half_up
from hccrep.replication import DeclaredRunner
from hccrep.spec import ReportedNumber, Study
from hccrep.stats import km_landmark, km_median
from hccrep.printed import counts_printing_as
from hccrep.stats.fastsurv import logrank, logrank_trend
from hccrep.optimism import harrell_c  # noqa: F401  (re-exported for the chapter's notebooks)
from hccrep.stats.prediction import td_auc

__all__ = [
    "CP_STRATA",
    "CCPS_GROUPS",
    "CP_TEST",
    "C_INDEX_VARIANT",
    "AUC_VARIANT",
    "Lv2025Runner",
    "make_runner",
    "smallest_denominator",
    "counts_printing_as",
    "child_pugh_sizes",
    "draw_child_pugh_components",
    "draw_blood_labs",
    "simulate_child_pugh_cohort",
    "piecewise_exponential_times",
    "simulate_ccps_cohort",
    "harrell_c",
    "auc_at",
    "strata_table",
    "ccps_rates_table",
    "not_checkable_reasons",
    "not_checkable_kinds",
    "ccps_auc_24",
    "with_ccps_weights",
    "ccps_auc_24_max",
    "cp_pvalue_share",
    "cutoff_positions",
    "marker_cutoff_plot",
]

CP_STRATA = ("cp56", "cp7", "cp89")
CCPS_GROUPS = ("low", "moderate", "high")
#: The review prints "P < 0.001" across the Child-Pugh strata without naming a test; the log-rank
#: test over the three strata (R ``survdiff``) is the default reading, the trend test the alternative.
CP_TEST = "logrank"
#: Harrell's C of an ordinal risk group: pairs tied on the group count one half (R ``survival::concordance``).
C_INDEX_VARIANT = "Harrell's C, ties in the risk group counted 1/2 (lifelines concordance_index; R survival::concordance)"
#: The 24-month AUC: cumulative/dynamic, inverse-probability-of-censoring weighted (Uno 2007; sksurv).
AUC_VARIANT = "cumulative/dynamic AUC at 24 months with IPCW (sksurv cumulative_dynamic_auc)"


# ----------------------------------------------------------------------------- helpers on printed rates


def smallest_denominator(percent: float, decimals: int, *, max_n: int = 100000) -> int:
    """The smallest ``n`` for which some ``k/n`` prints as ``percent`` (a GRIM-style bound).

    Parameters
    ----------
    percent : float
        The printed percentage.
    decimals : int
        Its printed decimals.
    max_n : int
        The largest ``n`` tried.

    Returns
    -------
    int
        The smallest such ``n``.

    Raises
    ------
    ValueError
        When no ``n`` up to ``max_n`` fits.

    Examples
    --------
    >>> smallest_denominator(12.5, 1)
    8
    """
    for n in range(1, max_n + 1):
        if counts_printing_as(percent, decimals, n):
            return n
    raise ValueError(f"no denominator up to {max_n} prints as {percent}%")


def _numbers(study: Study, file_id: str) -> list[ReportedNumber]:
    return [n for n in study.numbers if n.file_id == file_id]


def _params(study: Study, block: str) -> dict:
    if study.simulation is None or block not in study.simulation.parameters:
        raise KeyError(f"{study.key}: simulation.yaml has no parameters.{block}")
    return study.simulation.parameters[block]


def child_pugh_sizes(study: Study, multiplier: int | None = None) -> dict[str, int]:
    """Stratum sizes: the smallest consistent with each printed remission rate, times ``multiplier``.

    ``multiplier`` defaults to ``parameters.child_pugh.size_multiplier`` of
    ``simulation.yaml``; any whole multiple prints the same rates.

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).
    multiplier : int, optional
        Whole multiple of the smallest sizes.

    Returns
    -------
    dict of str to int
        Stratum key -> patients.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> sum(child_pugh_sizes(load_study("lv2025"), multiplier=2).values())
    254
    """
    m = int(
        _params(study, "child_pugh").get("size_multiplier", 1) if multiplier is None else multiplier
    )
    if m < 1:
        raise ValueError(f"multiplier must be a positive integer, got {multiplier!r}")
    out = {}
    for s in CP_STRATA:
        num = study.number(f"{s}_remission_pct")
        out[s] = m * smallest_denominator(num.value, num.decimals or 0)
    return out


# ----------------------------------------------------------------------------- Child-Pugh cohort


def draw_child_pugh_components(
    scores_: Sequence[int], params: Mapping, rng: np.random.Generator
) -> pd.DataFrame:
    """Laboratory and clinical values whose Child-Pugh score is exactly ``scores_``.

    For each patient the five components' points (1-3 each) are drawn among the
    combinations summing to the score, with probability proportional to the
    product of ``params["component_weights"]``; each laboratory value is then
    uniform inside the band of its points (``params["lab_bands"]``, on a grid of
    0.1 umol/L, 0.1 g/L and 0.01 INR), and ascites and encephalopathy take the
    category of their points.

    Parameters
    ----------
    scores_ : sequence of int
        Child-Pugh scores (5-15), one per patient.
    params : mapping
        ``parameters.child_pugh`` of ``simulation.yaml``.
    rng : numpy.random.Generator
        Source of the draws.

    Returns
    -------
    DataFrame
        ``bilirubin_umol_l, albumin_g_l, inr, ascites, encephalopathy``, one row per score.

    Examples
    --------
    >>> from hccrep import scores
    >>> from hccrep.spec import load_study
    >>> p = load_study("lv2025").simulation.parameters["child_pugh"]
    >>> d = draw_child_pugh_components([5, 9], p, np.random.default_rng(1))
    >>> scores.child_pugh(d.bilirubin_umol_l, d.albumin_g_l, d.inr, d.ascites, d.encephalopathy)["score"].tolist()
    [5, 9]
    """
    sc = np.asarray(scores_, dtype=int)
    if np.any((sc < 5) | (sc > 15)):
        raise ValueError("scores_ must lie in 5-15")
    names = ("bilirubin", "albumin", "inr", "ascites", "encephalopathy")
    weights = {k: np.asarray(params["component_weights"][k], dtype=float) for k in names}
    combos = np.array(list(product((1, 2, 3), repeat=5)))
    w = np.prod([weights[k][combos[:, j] - 1] for j, k in enumerate(names)], axis=0)
    totals = combos.sum(axis=1)
    pts = np.empty((sc.size, 5), dtype=int)
    for s in np.unique(sc):
        idx = np.flatnonzero(sc == s)
        ok = np.flatnonzero(totals == s)
        p = w[ok] / w[ok].sum()
        pts[idx] = combos[ok[rng.choice(ok.size, size=idx.size, p=p)]]
    out = {}
    grid = {"bilirubin_umol_l": 0.1, "albumin_g_l": 0.1, "inr": 0.01}
    for j, lab in ((0, "bilirubin_umol_l"), (1, "albumin_g_l"), (2, "inr")):
        bands = np.asarray(params["lab_bands"][lab], dtype=float)
        lo, hi = bands[pts[:, j] - 1, 0], bands[pts[:, j] - 1, 1]
        step = grid[lab]
        k = np.floor(rng.uniform(0, 1, sc.size) * (np.round((hi - lo) / step) + 1))
        out[lab] = np.round(lo + k * step, 2)
    cats = params["categories"]
    out["ascites"] = np.asarray(cats["ascites"], dtype=object)[pts[:, 3] - 1]
    out["encephalopathy"] = np.asarray(cats["encephalopathy"], dtype=object)[pts[:, 4] - 1]
    return pd.DataFrame(out)


def draw_blood_labs(
    strata: Sequence[str], params: Mapping, rng: np.random.Generator
) -> pd.DataFrame:
    """Log-normal blood counts, CRP, AFP and transaminases (``params["labs"]``); platelets by stratum.

    Parameters
    ----------
    strata : sequence of str
        Child-Pugh stratum of each patient.
    params : mapping
        ``parameters.child_pugh`` of ``simulation.yaml``.
    rng : numpy.random.Generator
        Source of the draws.

    Returns
    -------
    DataFrame
        One column per laboratory value, one row per patient.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> p = load_study("lv2025").simulation.parameters["child_pugh"]
    >>> sorted(draw_blood_labs(["cp7"], p, np.random.default_rng(0)).columns)[:3]
    ['afp_ng_ml', 'alt_u_l', 'ast_u_l']
    """
    st = np.asarray(strata, dtype=object)
    n = st.size
    out = {}
    for name, spec in params["labs"].items():
        out[name] = np.round(
            float(spec["median"]) * np.exp(float(spec["sdlog"]) * rng.standard_normal(n)), 3
        )
    med = np.array([float(params["platelet_median_by_stratum"][s]) for s in st])
    out["platelets_1e9_l"] = np.round(
        med * np.exp(float(params["platelet_sdlog"]) * rng.standard_normal(n)), 1
    )
    return pd.DataFrame(out)


def simulate_child_pugh_cohort(
    study: Study,
    rng: np.random.Generator,
    *,
    multiplier: int | None = None,
    follow_up: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """The simulated HAIC cohort of the Child-Pugh step (one row per patient).

    Columns: ``stratum``, ``cp_score``, the laboratory values (named as in
    :func:`hccrep.scores.calculate_all`), ``remission`` (0/1), ``os_time``
    (months) and ``os_event``.

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).
    rng : numpy.random.Generator
        Source of every draw.
    multiplier : int, optional
        Stratum sizes as a multiple of the smallest consistent ones (:func:`child_pugh_sizes`).
    follow_up : (float, float), optional
        Window of administrative censoring in months (default: from ``simulation.yaml``).

    Returns
    -------
    DataFrame
        One row per patient, the columns above.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> d = simulate_child_pugh_cohort(load_study("lv2025"), np.random.default_rng(1))
    >>> d.groupby("stratum").size().to_dict()
    {'cp56': 59, 'cp7': 39, 'cp89': 29}
    """
    from hccrep.simulate.outcomes import simulate_survival

    p = _params(study, "child_pugh")
    sizes = child_pugh_sizes(study, multiplier)
    strata = np.repeat(np.array(CP_STRATA, dtype=object), [sizes[s] for s in CP_STRATA])
    cp_score = np.empty(strata.size, dtype=int)
    remission = np.zeros(strata.size, dtype=int)
    for s in CP_STRATA:
        idx = np.flatnonzero(strata == s)
        levels = p["strata"][s]
        split = np.asarray(p["score_split"][s], dtype=float)
        counts = np.floor(split / split.sum() * idx.size).astype(int)
        counts[np.argmax(split)] += idx.size - counts.sum()
        cp_score[idx] = rng.permutation(np.repeat(levels, counts))
        num = study.number(f"{s}_remission_pct")
        k = counts_printing_as(num.value, num.decimals or 0, idx.size)
        if not k:
            raise ValueError(f"{s}: no count of {idx.size} prints as {num.printed}")
        remission[rng.permutation(idx)[: k[0]]] = 1
    labs = draw_child_pugh_components(cp_score, p, rng)
    blood = draw_blood_labs(strata, p, rng)
    df = pd.concat(
        [
            pd.DataFrame(
                {
                    "cohort": "child_pugh",
                    "stratum": strata,
                    "cp_score": cp_score,
                    "remission": remission,
                }
            ),
            labs,
            blood,
        ],
        axis=1,
    )
    fu = tuple(follow_up if follow_up is not None else p["follow_up_months"])
    medians = {s: study.number(f"{s}_median_os").value for s in CP_STRATA}
    df = simulate_survival(df, rng, group="stratum", medians=medians, follow_up=fu, prefix="os_")
    return df


# ----------------------------------------------------------------------------- CCPS cohort


def piecewise_exponential_times(
    n: int, s12: float, s24: float, rng: np.random.Generator
) -> np.ndarray:
    """``n`` event times with exactly round(n*s12) beyond 12 and round(n*s24) beyond 24 months.

    Hazard ``-log(s12)/12`` before 12 months and ``-log(s24/s12)/12`` after;
    within each interval the times are drawn from the truncated exponential,
    beyond 24 months from the second hazard.

    Parameters
    ----------
    n : int
        Patients.
    s12, s24 : float
        Survival at 12 and 24 months, with ``1 > s12 >= s24 > 0``.
    rng : numpy.random.Generator
        Source of the draws.

    Returns
    -------
    numpy.ndarray
        ``n`` times in months, in random order.

    Examples
    --------
    >>> t = piecewise_exponential_times(50, 0.8, 0.5, np.random.default_rng(0))
    >>> int((t > 12).sum()), int((t > 24).sum())
    (40, 25)
    """
    if not 0 < s24 <= s12 < 1:
        raise ValueError(f"need 0 < s24 <= s12 < 1, got s12={s12}, s24={s24}")
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    a12 = int(round_half_up(n * s12, 0))
    a24 = int(round_half_up(n * s24, 0))
    a24 = min(a24, a12)
    lam1 = -math.log(s12) / 12
    lam2 = max(-math.log(s24 / s12) / 12, 1e-9)

    def trunc(k: int, lam: float, lo: float, hi: float) -> np.ndarray:
        u = rng.uniform(0.0, 1.0, k)
        return lo - np.log1p(-u * (1.0 - math.exp(-lam * (hi - lo)))) / lam

    t = np.concatenate(
        [
            trunc(n - a12, lam1, 0, 12),
            trunc(a12 - a24, lam2, 12, 24),
            24 + rng.exponential(1.0 / lam2, a24),
        ]
    )
    return rng.permutation(t)


def _ccps_sizes(study: Study) -> dict[str, int]:
    p = _params(study, "ccps")
    n = int(study.number(p["n_key"]).value)
    w = np.array([float(p["group_weights"][g]) for g in CCPS_GROUPS])
    if np.any(w <= 0):
        raise ValueError("group_weights must be positive")
    raw = w / w.sum() * n
    base = np.floor(raw).astype(int)
    order = np.argsort(-(raw - base), kind="stable")
    base[order[: n - base.sum()]] += 1  # largest remainder
    return dict(zip(CCPS_GROUPS, base.tolist()))


def simulate_ccps_cohort(
    study: Study, rng: np.random.Generator, *, group_weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """The simulated CCPS cohort: ``ccps_group``, ``ccps_rank`` (0 low, 1, 2 high), OS and PFS.

    See ``simulation.yaml`` for the assumptions (split, piecewise hazards, rank pairing of PFS with OS).

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).
    rng : numpy.random.Generator
        Source of every draw.
    group_weights : mapping of str to float, optional
        Relative group sizes (default: from ``simulation.yaml``).

    Returns
    -------
    DataFrame
        One row per patient.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> d = simulate_ccps_cohort(load_study("lv2025"), np.random.default_rng(1))
    >>> d.groupby("ccps_group").size().to_dict()
    {'high': 50, 'low': 51, 'moderate': 51}
    """
    p = _params(study, "ccps")
    if group_weights is not None:
        study = with_ccps_weights(study, group_weights)
        p = _params(study, "ccps")
    sizes = _ccps_sizes(study)
    fu = p["follow_up_months"]
    rows = []
    for rank, g in enumerate(CCPS_GROUPS):
        n = sizes[g]
        rate = {
            (ep, h): study.number(f"ccps_{ep}_{h}m_{g}").value / 100.0
            for ep in ("os", "pfs")
            for h in (12, 24)
        }
        os_t = np.sort(piecewise_exponential_times(n, rate[("os", 12)], rate[("os", 24)], rng))
        pfs_t = np.sort(piecewise_exponential_times(n, rate[("pfs", 12)], rate[("pfs", 24)], rng))
        perm = rng.permutation(n)
        os_t, pfs_t = os_t[perm], pfs_t[perm]  # rank pairing survives a common permutation
        cens = rng.uniform(fu[0], fu[1], n)
        os_time = np.minimum(os_t, cens)
        os_event = (os_t <= cens).astype(int)
        prog = np.minimum(pfs_t, cens)
        pfs_event = (pfs_t <= cens).astype(int)
        later = prog > os_time
        prog = np.where(later, os_time, prog)
        pfs_event = np.where(later, os_event, pfs_event)
        rows.append(
            pd.DataFrame(
                {
                    "cohort": "ccps",
                    "ccps_group": g,
                    "ccps_rank": rank,
                    "os_time": os_time,
                    "os_event": os_event,
                    "pfs_time": prog,
                    "pfs_event": pfs_event,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def with_ccps_weights(study: Study, weights: Mapping[str, float]) -> Study:
    """A copy of ``study`` whose CCPS cohort is split in proportion to ``weights`` (the data files are untouched).

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).
    weights : mapping of str to float
        Relative sizes of the ``low``, ``moderate`` and ``high`` groups.

    Returns
    -------
    Study
        A modified copy.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = with_ccps_weights(load_study("lv2025"), {"low": 2, "moderate": 1, "high": 1})
    >>> st.simulation.parameters["ccps"]["group_weights"]["low"]
    2.0
    """
    import copy

    if set(weights) != set(CCPS_GROUPS):
        raise ValueError(f"group_weights needs exactly {CCPS_GROUPS}")
    st = copy.copy(study)
    params = copy.deepcopy(study.simulation.parameters)
    params["ccps"]["group_weights"] = {g: float(weights[g]) for g in CCPS_GROUPS}
    st.simulation = study.simulation.model_copy(update={"parameters": params})
    return st


# ----------------------------------------------------------------------------- statistics


#: Cumulative/dynamic AUC at a horizon, IPCW: :func:`hccrep.stats.prediction.td_auc` (the declared
#: ``td_auc`` kind computes ``ccps_os_24m_auc`` with it).
auc_at = td_auc


# ----------------------------------------------------------------------------- tables for the notebooks


def strata_table(study: Study, cohort: pd.DataFrame) -> pd.DataFrame:
    """Per Child-Pugh stratum: size, reported and simulated median OS and remission rate (all inputs).

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).
    cohort : DataFrame
        A simulated cohort (``make_runner(study).simulate(seed)``).

    Returns
    -------
    DataFrame
        One row per stratum.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("lv2025")
    >>> strata_table(st, make_runner(st).simulate(1))["n (assumed)"].tolist()
    [59, 39, 29]
    """
    cp = cohort[cohort["cohort"] == "child_pugh"]
    rows = []
    for s in CP_STRATA:
        d = cp[cp["stratum"] == s]
        med = km_median(d["os_time"], d["os_event"])
        rem = study.number(f"{s}_remission_pct")
        rows.append(
            {
                "stratum": study.number(f"{s}_median_os").attrs["stratum"],
                "n (assumed)": len(d),
                "median OS reported": study.number(f"{s}_median_os").printed,
                "median OS simulated": round(med.median, 2),
                "remission reported": rem.printed,
                "remission simulated": f"{int(d['remission'].sum())}/{len(d)} = {100 * d['remission'].mean():.1f}%",
                "deaths": int(d["os_event"].sum()),
            }
        )
    return pd.DataFrame(rows)


def ccps_rates_table(study: Study, cohort: pd.DataFrame) -> pd.DataFrame:
    """Reported vs simulated 1- and 2-year OS and PFS of each CCPS group (inputs, as close as n allows).

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).
    cohort : DataFrame
        A simulated cohort (``make_runner(study).simulate(seed)``).

    Returns
    -------
    DataFrame
        One row per group, endpoint and landmark.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("lv2025")
    >>> len(ccps_rates_table(st, make_runner(st).simulate(1)))
    12
    """
    cc = cohort[cohort["cohort"] == "ccps"]
    rows = []
    for g in CCPS_GROUPS:
        d = cc[cc["ccps_group"] == g]
        for ep in ("os", "pfs"):
            lm = km_landmark(d[f"{ep}_time"], d[f"{ep}_event"], [12, 24])
            for h, surv in zip((12, 24), lm.survival):
                num = study.number(f"ccps_{ep}_{h}m_{g}")
                rows.append(
                    {
                        "group": g,
                        "n (assumed)": len(d),
                        "endpoint": ep.upper(),
                        "month": h,
                        "reported": num.printed,
                        "simulated": f"{100 * surv:.1f}%",
                    }
                )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- runner


_NC_FILE = {
    "table1": "{what} of another cohort ({ref}, Table 1); the review prints neither its data nor the summary statistics a simulation would need",
    "table2": "{what} of {ref}'s model on its own {cohort} cohort; the review gives neither the model's coefficients nor the cohort",
}
_NC_QUANTITY = {
    "p": "a test result of another cohort ({ref}); the review gives neither the groups' sizes nor their outcomes",
    "cutoff": "a threshold used or chosen in another cohort ({ref}); nothing the review reports determines it",
    "count": "the size of another study ({ref}); a description, nothing to recompute",
    "percent": "a share in other cohorts ({ref}); their data are not in the review",
    "hr": "a hazard ratio of another cohort ({ref}); the review gives no data to recompute it",
    "or": "an odds ratio of another cohort ({ref}); the review gives no data to recompute it",
    "auc": "an AUC of another study's model ({ref}); neither the model nor its data are in the review",
    "c_index": "a C-index of another study's model ({ref}); neither the model nor its data are in the review",
}


def not_checkable_reasons(study: Study) -> dict[str, str]:
    """The reason each check of the review that no simulation replicates is not checkable.

    Every check outside the Child-Pugh and CCPS paragraphs, and the limits of
    its interval, gets one; a factor count of Table 3 gets a pointer to the
    audit of step 5, where it is held against Table 2.

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    dict of str to str
        Check key -> reason.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> not_checkable_reasons(load_study("lv2025"))["sarcopenia_os_p"][:30]
    'a test result of another cohor'
    """
    out: dict[str, str] = {}
    for n in study.numbers:
        if n.role != "check" or n.file_id in ("child_pugh", "ccps"):
            continue
        ref = n.attrs.get("reference") or n.attrs.get("ref", "unreferenced")
        if n.file_id in _NC_FILE:
            what = {"auc": "an AUC", "c_index": "a C-index", "cutoff": "a cut-off"}.get(
                n.quantity, f"a {n.quantity}"
            )
            reason = _NC_FILE[n.file_id].format(
                what=what, ref=ref, cohort=n.attrs.get("cohort", "")
            )
        elif n.attrs.get("statistic") == "n_factors":
            reason = f"a count of model factors ({ref}); not a simulation result: held against the parameter list of Table 2 in the audit (step 5)"
        else:
            reason = _NC_QUANTITY.get(
                n.quantity, "a result of another cohort ({ref}); its data are not in the review"
            ).format(ref=ref)
        if n.attrs.get("same_as"):
            reason += f"; it repeats {n.attrs['same_as']}"
        out[n.key] = reason
        if n.lower is not None and n.upper is not None:
            out[f"{n.key}.lower"] = out[f"{n.key}.upper"] = f"limit of {n.key}: " + reason
    return out


def not_checkable_kinds(study: Study) -> dict[str, str]:
    """A short label of why each not-checkable check cannot be checked (for grouping in the scorecard).

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    dict of str to str
        Check key -> short label.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> not_checkable_kinds(load_study("lv2025"))["t1_nlr_xiao2023_cutoff"]
    "Table 1: another cohort's cut-off or AUC"
    """
    kinds = {
        "p": "P-value of another cohort",
        "cutoff": "threshold of another cohort",
        "count": "size of another study",
        "percent": "share in other cohorts",
        "hr": "effect estimate of another cohort",
        "or": "effect estimate of another cohort",
        "auc": "model performance in another study",
        "c_index": "model performance in another study",
    }
    out: dict[str, str] = {}
    for key in not_checkable_reasons(study):
        n = study.number(key.split(".")[0])
        if n.file_id == "table1":
            kind = "Table 1: another cohort's cut-off or AUC"
        elif n.file_id == "table2":
            kind = "Table 2: a model's C-index or AUC"
        elif n.attrs.get("statistic") == "n_factors":
            kind = "factor count (audited, not simulated)"
        else:
            kind = kinds.get(n.quantity, "result of another cohort")
        out[key] = kind + (" (repeat)" if n.attrs.get("same_as") else "")
    return out


class Lv2025Runner(DeclaredRunner):
    """Simulate the Child-Pugh and CCPS cohorts and compute the review's checks about them.

    ``variants``: ``cp_test`` (``"logrank"`` or ``"trend"``) for the unnamed
    test across the Child-Pugh strata, ``ccps_test`` likewise for the CCPS
    groups; ``c_index`` and ``auc`` name the discrimination variants.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> r = Lv2025Runner(load_study("lv2025"), variants={"cp_test": "trend"})
    >>> r.run(1)["cp_strata_os_p"] == r.run(1)["cp_strata_os_p_trend"]
    True
    """

    #: the review's not-checkable numbers belong to cohorts it only cites: no run can simulate
    #: them, so the audit of its declared claims judges them (as internal consistency)
    audit_stands_in = True

    def __init__(
        self,
        study: Study,
        variants: Mapping[str, str] | None = None,
        not_checkable: Mapping[str, str] | None = None,
    ):
        v = {
            "cp_test": CP_TEST,
            "ccps_test": "logrank",
            "c_index": C_INDEX_VARIANT,
            "auc": AUC_VARIANT,
            "logrank": "log-rank (R survdiff, rho = 0; numpy engine equal to lifelines)",
        }
        v.update(variants or {})
        for name in ("cp_test", "ccps_test"):
            if v[name] not in ("logrank", "trend"):
                raise ValueError(
                    f"variants[{name!r}] must be 'logrank' or 'trend', got {v[name]!r}"
                )
        nc = not_checkable_reasons(study)
        nc.update(not_checkable or {})
        super().__init__(study, v, nc, overrides=variants or {})

    def simulate(self, seed) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        cp = simulate_child_pugh_cohort(self.study, rng)
        cc = simulate_ccps_cohort(self.study, rng)
        return pd.concat([cp, cc], ignore_index=True)

    def variant_override(self, num) -> str | None:
        """``cp_test`` / ``ccps_test`` choose the unnamed test across the Child-Pugh strata / CCPS groups."""
        if num.analysis is not None and num.analysis.kind == "logrank":
            return {"child_pugh": self.variants["cp_test"], "ccps": self.variants["ccps_test"]}.get(
                num.file_id
            )
        return None

    def analyse(self, cohort: pd.DataFrame) -> dict[str, float | None]:
        """The checks on one simulated cohort: the declared log-rank tests, medians, C-index and
        time-dependent AUC, and both tests across the Child-Pugh strata for the notebook."""
        out = super().analyse(cohort)
        cp = cohort[cohort["cohort"] == "child_pugh"]
        if len(cp):  # both tests across the strata, for the notebook's comparison
            out["cp_strata_os_p_logrank"] = logrank(
                cp["os_time"], cp["os_event"], cp["stratum"]
            ).pvalue
            out["cp_strata_os_p_trend"] = logrank_trend(
                cp["os_time"], cp["os_event"], cp["stratum"], order=CP_STRATA
            ).pvalue
        return out


def make_runner(study: Study, **kwargs) -> Lv2025Runner:
    """The lv2025 runner (registered under the ``hccrep.runners`` entry points of pyproject.toml).

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).
    **kwargs
        Passed to :class:`Lv2025Runner`.

    Returns
    -------
    Lv2025Runner
        The runner of the Child-Pugh and CCPS simulations.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> sorted(make_runner(load_study("lv2025")).run(1))[:2]
    ['ccps_c_index', 'ccps_os_24m_auc']
    """
    return Lv2025Runner(study, **kwargs)


# ----------------------------------------------------------------------------- teaching helpers


def ccps_auc_24(study: Study, weights: Mapping[str, float]) -> float:
    """Expected 24-month AUC of the three CCPS groups when nobody is censored before 24 months.

    Cases are the patients dead by 24 months, controls those alive; a case in
    a higher-risk group than a control counts 1, the same group 1/2.  The
    death shares come from the reported 2-year OS rates; ``weights`` are the
    assumed group sizes (any scale).

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).
    weights : mapping of str to float
        Relative sizes of the ``low``, ``moderate`` and ``high`` groups.

    Returns
    -------
    float
        The AUC.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> round(ccps_auc_24(load_study("lv2025"), {"low": 1, "moderate": 1, "high": 1}), 2)
    0.68
    """
    if set(weights) != set(CCPS_GROUPS):
        raise ValueError(f"weights needs exactly {CCPS_GROUPS}")
    w = np.array([float(weights[g]) for g in CCPS_GROUPS])
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    w = w / w.sum()
    dead = np.array([1.0 - study.number(f"ccps_os_24m_{g}").value / 100.0 for g in CCPS_GROUPS])
    cases, controls = w * dead, w * (1.0 - dead)
    num = sum(
        cases[i] * controls[j] * (1.0 if i > j else 0.5 if i == j else 0.0)
        for i in range(3)
        for j in range(3)
    )
    return float(num / (cases.sum() * controls.sum()))


def ccps_auc_24_max(study: Study, step: float = 0.01) -> tuple[float, dict[str, float]]:
    """The largest :func:`ccps_auc_24` over all splits of the cohort (grid of ``step``) and the split reaching it.

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).
    step : float
        Step of the grid of group shares.

    Returns
    -------
    (float, dict of str to float)
        The largest AUC and the group shares reaching it.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("lv2025")
    >>> best, split = ccps_auc_24_max(st, step=0.05)
    >>> best < st.number("ccps_os_24m_auc").value
    True
    """
    if not 0 < step <= 0.5:
        raise ValueError(f"step must lie in (0, 0.5], got {step}")
    grid = np.arange(0.0, 1.0 + 1e-9, step)
    best, arg = -1.0, {}
    for a in grid:
        for b in grid:
            c = 1.0 - a - b
            if c < -1e-9:
                continue
            w = {"low": a, "moderate": b, "high": max(c, 0.0)}
            try:
                v = ccps_auc_24(study, w)
            except (ValueError, ZeroDivisionError, FloatingPointError):
                continue
            if np.isfinite(v) and v > best:
                best, arg = v, {k: round(float(x), 6) for k, x in w.items()}
    return best, arg


def cp_pvalue_share(
    study: Study, multipliers: Sequence[int], n_mc: int, base_seed: int, *, alpha: float = 0.001
) -> pd.DataFrame:
    """Share of simulated Child-Pugh cohorts with p < ``alpha`` (log-rank and trend), per size multiplier.

    Each multiplier scales every stratum size (all multiples print the same
    remission rates).  Cohorts are seeded from ``base_seed`` (SeedSequence spawn).

    Parameters
    ----------
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).
    multipliers : sequence of int
        Stratum-size multipliers (:func:`child_pugh_sizes`).
    n_mc : int
        Cohorts per multiplier.
    base_seed : int
        Root of the seed sequence.
    alpha : float
        The significance level counted.

    Returns
    -------
    DataFrame
        One row per multiplier: ``multiplier``, ``patients`` and the shares below ``alpha``.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> cp_pvalue_share(load_study("lv2025"), [1], n_mc=2, base_seed=1)["patients"].tolist()
    [127]
    """
    from hccrep.replication import seeds_for

    if n_mc < 1:
        raise ValueError(f"n_mc must be positive, got {n_mc}")
    rows = []
    for m in multipliers:
        ps = []
        for sd in seeds_for(base_seed, n_mc):
            d = simulate_child_pugh_cohort(study, np.random.default_rng(sd), multiplier=int(m))
            ps.append(
                (
                    logrank(d["os_time"], d["os_event"], d["stratum"]).pvalue,
                    logrank_trend(
                        d["os_time"], d["os_event"], d["stratum"], order=CP_STRATA
                    ).pvalue,
                )
            )
        ps = np.array(ps)
        rows.append(
            {
                "multiplier": int(m),
                "patients": int(sum(child_pugh_sizes(study, int(m)).values())),
                f"log-rank p < {alpha}": float(np.mean(ps[:, 0] < alpha)),
                f"trend p < {alpha}": float(np.mean(ps[:, 1] < alpha)),
                "median log-rank p": float(np.median(ps[:, 0])),
                "cohorts": n_mc,
            }
        )
    return pd.DataFrame(rows)


def cutoff_positions(values: pd.Series, study: Study, marker: str) -> pd.DataFrame:
    """Where each reported cut-off of ``marker`` (Table 1 and text) falls in a simulated distribution.

    A cut-off printed twice (attribute ``same_as``) is listed once.

    The simulated values are assumptions (``simulation.yaml``), so the shares
    illustrate, they do not replicate.

    Parameters
    ----------
    values : Series
        The simulated marker values.
    study : Study
        The lv2025 study (:func:`hccrep.spec.load_study`).
    marker : str
        The marker's name as the data files give it (e.g. ``"NLR"``).

    Returns
    -------
    DataFrame
        ``cutoff``, its source and ``share at or above``, sorted by cut-off.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> cutoff_positions(pd.Series([1.0, 3.0, 5.0]), load_study("lv2025"), "PNI")["share at or above"].tolist()
    [0.0]
    """
    vals = np.asarray(values, dtype=float)
    if vals.size == 0 or not np.all(np.isfinite(vals)):
        raise ValueError("values must be a non-empty finite sample")
    rows = []
    for n in study.numbers:
        if (
            n.quantity == "cutoff"
            and n.attrs.get("marker") == marker
            and not n.attrs.get("same_as")
        ):
            rows.append(
                {
                    "key": n.key,
                    "printed": n.printed,
                    "cutoff": n.value,
                    "reference": n.attrs.get("reference") or n.attrs.get("ref"),
                    "share at or above": float(np.mean(vals >= n.value)),
                }
            )
    if not rows:
        raise ValueError(f"no reported cut-off of marker {marker!r}")
    return pd.DataFrame(rows).sort_values("cutoff").reset_index(drop=True)


def marker_cutoff_plot(values: pd.Series, cutoffs: pd.DataFrame, *, label: str, log: bool = False):
    """Histogram of a simulated marker with the reported cut-offs as vertical lines (book theme, alt text).

    ``cutoffs`` is :func:`cutoff_positions`' table.

    Parameters
    ----------
    values : Series
        The simulated marker values.
    cutoffs : DataFrame
        :func:`cutoff_positions`.
    label : str
        The marker's name on the axis.
    log : bool
        Log scale on the marker axis.

    Returns
    -------
    matplotlib.figure.Figure
        With alt text.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> from hccrep.plots import alt_text
    >>> v = pd.Series(np.linspace(1, 6, 50))
    >>> alt_text(marker_cutoff_plot(v, cutoff_positions(v, load_study("lv2025"), "NLR"), label="NLR")).startswith("Histogram")
    True
    """
    import matplotlib.pyplot as plt

    from hccrep import plots

    vals = np.asarray(values, dtype=float)
    if vals.size == 0:
        raise ValueError("values is empty")

    @plots.themed
    def draw():
        fig, ax = plt.subplots(figsize=(plots.FIGURE_WIDTH, 3.6))
        data = np.log10(vals) if log else vals
        ax.hist(data, bins=30, color=plots.PALETTE[0], alpha=0.7)
        for i, r in enumerate(cutoffs.itertuples()):
            x = math.log10(r.cutoff) if log else r.cutoff
            ax.axvline(
                x,
                color=plots.PALETTE[(i % 6) + 1],
                ls="--",
                lw=1.5,
                label=f"{r.printed} ({r.reference})",
            )
        ax.set_xlabel(f"log10 {label}" if log else label)
        ax.set_ylabel("simulated patients")
        ax.legend(loc="upper right", fontsize=8.5)
        lines = "; ".join(
            f"{r.printed} from {r.reference} with {100 * r._5:.0f}% of patients at or above"
            for r in cutoffs.itertuples()
        )
        plots.set_alt_text(
            fig,
            f"Histogram of {label} in {vals.size} simulated patients, median {np.median(vals):.3g}, "
            f"with the reported cut-offs as dashed lines: {lines}.",
        )
        return fig

    return draw()

"""fonc2025, steps 2 and 3: radiotherapy doses (Table 2), response and adverse events (Tables 3 and 4).

Two groups of helpers, both reading every reported number from ``data/fonc2025``:

Radiotherapy (step 2)
    :func:`regimens` (the SBRT and IMRT schedules of the methods section),
    :func:`regimen_bed` (BED and EQD2 at the corners of each schedule and at the
    reported median dose and fractions), :func:`pairs_for_bed` (which
    dose/fraction pairs print as a given BED), :func:`bed_target_pairs` (the
    pairs behind the reported BED median and range, labelled by schedule),
    :func:`median_bed_gap` (median BED against the BED of the medians on random
    plans) and :func:`site_denominators` (which denominator a printed
    percentage was computed on).

Counts (step 3)
    :func:`simulated_counts` (every count of Tables 3 and 4 as printed and in
    a simulated cohort) and :func:`response_derivations` (ORR and DCR from
    the PR / SD / PD counts).  The tests of those counts are declared
    analyses (``runner.under_variants``).

The BED arithmetic itself is :mod:`hccrep.radiotherapy`.

Examples
--------
>>> from hccrep.spec import load_study
>>> st = load_study("fonc2025")
>>> list(regimens(st).index)
['sbrt', 'imrt']
>>> bool(response_derivations(st)["equal"].all())
True
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from hccrep.frames import str_labels
from hccrep.printed import (
    denominators_for_percent,
    equal_at_precision,
    parse_count_percent,
    round_half_up,
)
from hccrep.radiotherapy import bed, dose_per_fraction, eqd2
from hccrep.spec import ReportedNumber, Study, value_decimals

__all__ = [
    "ALPHA_BETA_KEY",
    "BED_KEY",
    "DOSE_KEY",
    "FRACTIONS_KEY",
    "alpha_beta",
    "regimens",
    "bed_table",
    "regimen_bed",
    "bed_extremes",
    "pairs_for_bed",
    "bed_target_pairs",
    "median_bed_gap",
    "site_denominators",
    "simulated_counts",
    "response_derivations",
]

#: Keys of the numbers the radiotherapy helpers read (data/fonc2025/methods.yaml and table2.yaml).
ALPHA_BETA_KEY = "methods_bed_alpha_beta_gy"
BED_KEY = "rt_bed10_median_gy"
DOSE_KEY = "rt_dose_median_gy"
FRACTIONS_KEY = "rt_fractions_median"


# ============================================================================ radiotherapy


def alpha_beta(study: Study) -> float:
    """The alpha/beta ratio (Gy) the paper states for its BED (methods section).

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    float
        alpha/beta in Gy, read from the data (an input of every BED).

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> alpha_beta(load_study("fonc2025")) > 0
    True
    """
    return float(study.number(ALPHA_BETA_KEY).value)


def regimens(study: Study) -> pd.DataFrame:
    """The dose and fraction ranges of each technique, as the methods section states them.

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    DataFrame
        Index ``technique`` (in data order), columns ``dose_min, dose_max,
        fractions_min, fractions_max`` (Gy and fractions).
    """
    rows: dict[str, dict[str, float]] = {}
    for n in study.numbers:
        if n.file_id != "methods" or n.about.technique is None:
            continue
        what = "dose" if n.quantity == "dose" else "fractions"
        rows.setdefault(str(n.about.technique), {})[f"{what}_{n.about.statistic}"] = float(n.value)
    if not rows:
        raise KeyError(
            f"{study.key}: no regimen numbers (about: technique, statistic) in the methods file"
        )
    cols = ["dose_min", "dose_max", "fractions_min", "fractions_max"]
    out = pd.DataFrame.from_dict(rows, orient="index")
    missing = [c for c in cols if c not in out.columns or out[c].isna().any()]
    if missing:
        raise KeyError(f"{study.key}: regimen numbers incomplete, missing {missing}")
    out.index.name = "technique"
    return out[cols]


def bed_table(dose, fractions, ab: float) -> pd.DataFrame:
    """Dose per fraction, BED and EQD2 of each (dose, fractions) pair.

    Parameters
    ----------
    dose, fractions : array_like
        Total dose (Gy) and number of fractions, broadcast together.
    ab : float
        The alpha/beta ratio in Gy.

    Returns
    -------
    DataFrame
        Columns ``dose, fractions, d`` (dose per fraction), ``bed`` and ``eqd2``.

    Examples
    --------
    27 Gy in 3 fractions of 9 Gy, alpha/beta 10 Gy:

    >>> bed_table([27], [3], 10)[["d", "bed"]].to_dict("records")
    [{'d': 9.0, 'bed': 51.3}]
    """
    d, n = np.broadcast_arrays(
        np.atleast_1d(np.asarray(dose, float)), np.atleast_1d(np.asarray(fractions, float))
    )
    return pd.DataFrame(
        {
            "dose": d,
            "fractions": n.astype(int),
            "d": np.atleast_1d(dose_per_fraction(d, n)),
            "bed": np.atleast_1d(bed(d, n, ab)),
            "eqd2": np.atleast_1d(eqd2(d, n, ab)),
        }
    )


def regimen_bed(study: Study) -> pd.DataFrame:
    """BED and EQD2 at the four corners of each stated regimen and at Table 2's medians.

    BED grows with the total dose and falls with the number of fractions (for
    a fixed dose), so over a regimen it is smallest at (lowest dose, most
    fractions) and largest at (highest dose, fewest fractions).

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    DataFrame
        Columns ``regimen, corner, dose, fractions, d, bed, eqd2``; the last
        row, regimen ``"Table 2 medians"``, is the BED of the median dose in
        the median number of fractions.
    """
    ab = alpha_beta(study)
    parts = []
    for tech, r in regimens(study).iterrows():
        corners = [
            ("lowest dose, fewest fractions", r.dose_min, r.fractions_min),
            ("lowest dose, most fractions", r.dose_min, r.fractions_max),
            ("highest dose, fewest fractions", r.dose_max, r.fractions_min),
            ("highest dose, most fractions", r.dose_max, r.fractions_max),
        ]
        t = bed_table([c[1] for c in corners], [c[2] for c in corners], ab)
        t.insert(0, "corner", [c[0] for c in corners])
        t.insert(0, "regimen", str(tech).upper())
        parts.append(t)
    med = bed_table([study.number(DOSE_KEY).value], [study.number(FRACTIONS_KEY).value], ab)
    med.insert(0, "corner", "median dose in median fractions")
    med.insert(0, "regimen", "Table 2 medians")
    parts.append(med)
    return pd.concat(parts, ignore_index=True)


def bed_extremes(study: Study) -> pd.DataFrame:
    """The smallest and largest BED each stated regimen can give, beside the reported range.

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    DataFrame
        Index: the regimens and ``"either regimen"``; columns ``bed_min,
        bed_max`` and ``reported_min, reported_max`` (the Table 2 range), and
        ``min_reachable`` / ``max_reachable``: whether the reported extreme
        lies inside the regimen's BED range.
    """
    ab = alpha_beta(study)
    reg = regimens(study)
    lo = np.asarray(bed(reg.dose_min.to_numpy(), reg.fractions_max.to_numpy(), ab))
    hi = np.asarray(bed(reg.dose_max.to_numpy(), reg.fractions_min.to_numpy(), ab))
    out = pd.DataFrame({"bed_min": lo, "bed_max": hi}, index=[str(t).upper() for t in reg.index])
    out.loc["either regimen"] = [lo.min(), hi.max()]
    b = study.number(BED_KEY)
    out["reported_min"], out["reported_max"] = b.lower, b.upper
    out["min_reachable"] = (out.bed_min <= b.lower) & (b.lower <= out.bed_max)
    out["max_reachable"] = (out.bed_min <= b.upper) & (b.upper <= out.bed_max)
    return out


def pairs_for_bed(
    target: float, decimals: int, doses: Iterable[float], fractions: Iterable[int], ab: float
) -> pd.DataFrame:
    """Every (dose, fractions) pair of the grids whose BED prints as ``target``.

    "Prints as" means: rounds half up to ``target`` at ``decimals`` decimals.

    Parameters
    ----------
    target : float
        The printed BED.
    decimals : int
        Its printed decimals.
    doses : iterable of float
        Total doses (Gy) to try.
    fractions : iterable of int
        Numbers of fractions to try.
    ab : float
        The alpha/beta ratio in Gy.

    Returns
    -------
    DataFrame
        The matching rows of :func:`bed_table` over the grid.

    Examples
    --------
    45 Gy in 15 fractions gives a BED10 of 58.5 Gy:

    >>> pairs_for_bed(58.5, 1, [44, 45, 46], range(10, 21), 10)[["dose", "fractions"]].to_dict("records")
    [{'dose': 45.0, 'fractions': 15}]
    """
    dd, nn = np.meshgrid(
        np.asarray(list(doses), float), np.asarray(list(fractions), float), indexing="ij"
    )
    t = bed_table(dd.ravel(), nn.ravel(), ab)
    keep = [equal_at_precision(float(x), float(target), int(decimals)) for x in t.bed]
    return t[keep].reset_index(drop=True)


def _in_regimen(dose: np.ndarray, fractions: np.ndarray, r: pd.Series) -> np.ndarray:
    return (
        (r.dose_min <= dose)
        & (dose <= r.dose_max)
        & (r.fractions_min <= fractions)
        & (fractions <= r.fractions_max)
    )


def bed_target_pairs(study: Study, dose_step: float) -> pd.DataFrame:
    """The plans behind the reported BED median and range, and whether a stated regimen allows them.

    Doses run over Table 2's dose range in steps of ``dose_step`` Gy, fractions
    over Table 2's fraction range; a pair is kept when its BED prints as the
    reported BED median, minimum or maximum at the printed precision.

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).
    dose_step : float
        Step of the dose grid, in Gy.

    Returns
    -------
    DataFrame
        Columns ``target, printed_as, dose, fractions, d, bed, eqd2, regimen``
        (``regimen`` names the stated regimens containing the pair, or
        ``"none"``).
    """
    if not dose_step > 0:
        raise ValueError(f"dose_step must be positive, got {dose_step}")
    ab = alpha_beta(study)
    dose, frac, b = study.number(DOSE_KEY), study.number(FRACTIONS_KEY), study.number(BED_KEY)
    doses = np.arange(dose.lower, dose.upper + dose_step / 2, dose_step)
    fractions = range(int(frac.lower), int(frac.upper) + 1)
    reg = regimens(study)
    parts = []
    for label, value in (("median", b.value), ("minimum", b.lower), ("maximum", b.upper)):
        dec = value_decimals(b.printed, value)
        dec = 0 if dec is None else dec
        t = pairs_for_bed(value, dec, doses, fractions, ab)
        names = []
        for x, n in zip(t.dose.to_numpy(), t.fractions.to_numpy()):
            inside = [str(tech).upper() for tech, r in reg.iterrows() if _in_regimen(x, n, r)]
            names.append(", ".join(inside) or "none")
        t.insert(0, "printed_as", f"{value:.{dec}f}")
        t.insert(0, "target", label)
        t["regimen"] = names
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def median_bed_gap(study: Study, n_draws: int, seed, dose_step: float) -> pd.DataFrame:
    """Median BED against the BED of the median dose and median fractions, on random plans.

    Each draw gives every RT patient a plan: the technique counts of Table 2
    (SBRT / IMRT) are kept, the dose is uniform on the technique's stated range
    in steps of ``dose_step`` Gy, the number of fractions uniform on its stated
    range.  (An illustration of non-linearity, not a model of the cohort: the
    paper does not report the plans.)

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).
    n_draws : int
        Random sets of plans.
    seed : int or SeedSequence
        Same seed, same draws.
    dose_step : float
        Step of the dose grid, in Gy.

    Returns
    -------
    DataFrame
        One row per draw: ``median_dose, median_fractions, bed_of_medians,
        median_bed, gap`` (``median_bed - bed_of_medians``).
    """
    if n_draws < 1:
        raise ValueError(f"n_draws must be at least 1, got {n_draws}")
    rng = np.random.default_rng(seed)
    ab = alpha_beta(study)
    reg = regimens(study)
    counts = {
        str(n.about.level): int(n.about.count)
        for n in study.numbers
        if n.file_id == "table2" and n.about.variable == "rt_technique"
    }
    rows = []
    for _ in range(n_draws):
        dose, frac = [], []
        for tech, r in reg.iterrows():
            k = counts.get(str(tech), 0)
            grid = np.arange(r.dose_min, r.dose_max + dose_step / 2, dose_step)
            dose.append(rng.choice(grid, size=k))
            frac.append(rng.integers(int(r.fractions_min), int(r.fractions_max) + 1, size=k))
        d, n = np.concatenate(dose), np.concatenate(frac)
        md, mn = float(np.median(d)), float(np.median(n))
        # the median of an even number of fractions can be a half: evaluate BED = D + D^2 / (n ab) directly
        bom = md + md**2 / (mn * ab)
        mb = float(np.median(np.asarray(bed(d, n, ab))))
        rows.append(
            {
                "median_dose": md,
                "median_fractions": mn,
                "bed_of_medians": bom,
                "median_bed": mb,
                "gap": mb - bom,
            }
        )
    return pd.DataFrame(rows)


def site_denominators(study: Study) -> pd.DataFrame:
    """Each RT site and technique percentage of Table 2 on two denominators.

    The denominators are the ``n`` the data file records for the row and the
    number of RT patients (the RT arm's group size in Table 1).

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    DataFrame
        Columns ``row, printed, count, pct_of_recorded_n, recorded_n,
        pct_of_patients, patients, fits`` (the denominators whose percentage
        prints as the paper's).
    """
    base = study.baseline()
    sizes = {g.key: g.n for g in base.groups}
    rows = []
    for n in study.numbers:
        if n.file_id != "table2" or n.about.count is None or n.about.n is None:
            continue
        cp = parse_count_percent(n.printed)
        k, rec, pts = int(n.about.count), int(n.about.n), sizes[str(n.about.group)]
        dec = cp.percent_decimals or 0
        fits = [
            f"{lab} ({m})"
            for lab, m in (("recorded n", rec), ("patients", pts))
            if denominators_for_percent(k, cp.percent, dec, [m])
        ]
        rows.append(
            {
                "row": n.row,
                "printed": n.printed,
                "count": k,
                "pct_of_recorded_n": round_half_up(100.0 * k / rec, dec),
                "recorded_n": rec,
                "pct_of_patients": round_half_up(100.0 * k / pts, dec),
                "patients": pts,
                "fits": ", ".join(dict.fromkeys(fits)) or "none",
            }
        )
    return pd.DataFrame(rows)


def _groups(study: Study) -> list[tuple[str, int]]:
    return [(g.key, g.n) for g in study.baseline().groups]


def _grade(n: ReportedNumber) -> str | None:
    g = n.about.grade
    return None if g is None else str(g)


def _printed_counts(study: Study) -> dict[tuple[str, str | None, str], int]:
    """(endpoint, grade, group) -> printed count, from Tables 3 and 4."""
    out = {}
    for n in study.numbers:
        if n.file_id in ("table3", "table4") and n.about.count is not None:
            out[(str(n.about.endpoint), _grade(n), str(n.about.group))] = int(n.about.count)
    return out


def _cohort_indicator(cohort: pd.DataFrame, endpoint: str, grade: str | None) -> np.ndarray:
    if endpoint in ("pr", "sd", "pd", "orr", "dcr"):
        resp = str_labels(cohort["response"])
        ind = {
            "pr": resp == "pr",
            "sd": resp == "sd",
            "pd": resp == "pd",
            "orr": resp == "pr",
            "dcr": resp != "pd",
        }
        return ind[endpoint].astype(int)
    col = f"{endpoint}_{'any' if grade in (None, 'any') else 'g34'}"
    if col not in cohort.columns:
        raise KeyError(f"the cohort has no column {col!r}")
    return cohort[col].to_numpy().astype(int)


def simulated_counts(study: Study, cohort: pd.DataFrame) -> pd.DataFrame:
    """Every count of Tables 3 and 4 (inputs and derived) as printed and as counted in ``cohort``.

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).
    cohort : DataFrame
        A simulated cohort.

    Returns
    -------
    DataFrame
        Columns ``key, role, endpoint, grade, group, printed, count,
        simulated, equal``.
    """
    gcol = study.simulation.group_variable if study.simulation else "group"
    arm = str_labels(cohort[gcol])
    rows = []
    for n in study.numbers:
        if n.file_id not in ("table3", "table4") or n.about.count is None:
            continue
        ind = _cohort_indicator(cohort, str(n.about.endpoint), _grade(n))
        sim = int(ind[arm == str(n.about.group)].sum())
        rows.append(
            {
                "key": n.key,
                "role": n.role,
                "endpoint": n.about.endpoint,
                "grade": _grade(n) or "",
                "group": n.about.group,
                "printed": n.printed,
                "count": int(n.about.count),
                "simulated": sim,
                "equal": sim == int(n.about.count),
            }
        )
    return pd.DataFrame(rows)


def response_derivations(study: Study) -> pd.DataFrame:
    """ORR and DCR of Table 3 recomputed from the PR / SD / PD counts.

    ORR is CR + PR and DCR is CR + PR + SD; the table has no CR row (none
    occurred), so ORR = PR and DCR = PR + SD = n - PD.

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    DataFrame
        Columns ``key, group, printed, count, from_inputs, formula, equal``.
    """
    pc = _printed_counts(study)
    sizes = dict(_groups(study))
    rows = []
    for n in study.numbers:
        if n.file_id != "table3" or n.role != "derived" or n.about.count is None:
            continue
        g, ep = str(n.about.group), str(n.about.endpoint)
        cr = pc.get(("cr", None, g), 0)
        if ep == "orr":
            val, formula = cr + pc[("pr", None, g)], "CR + PR"
        elif ep == "dcr":
            val, formula = cr + pc[("pr", None, g)] + pc[("sd", None, g)], "CR + PR + SD"
            if val != sizes[g] - pc[("pd", None, g)]:
                raise ValueError(
                    f"{study.key}: PR + SD + PD do not add up to the group size of {g}"
                )
        else:
            continue
        rows.append(
            {
                "key": n.key,
                "group": g,
                "printed": n.printed,
                "count": int(n.about.count),
                "from_inputs": val,
                "formula": formula,
                "equal": val == int(n.about.count),
            }
        )
    return pd.DataFrame(rows)

"""fonc2025, step 8: propensity-score matching (Table 6 and the PSM results section).

The paper matched the two arms 1:1 by nearest neighbour without replacement
with "a caliper of 0.2" on five covariates and analysed PFS in the matched
pairs.  The helpers here read every setting from ``data/fonc2025/table6.yaml``
(the covariates, the caliper, the ratio) and run the matching under every
reading of the caliper, so the notebook can put the readings side by side:

* :func:`selection_table` -- which PFS univariable p-values of Table 5 fall
  below the selection threshold, beside the covariates the paper lists;
* :func:`match_readings` -- the matched sets under each caliper scale, without
  a caliper, and as MatchIt 4.5.1-4.5.3 computed them on affected builds;
  :func:`pairs_table` puts the number of pairs beside the reported one;
* :func:`balance_table` -- standardised mean differences of every Table 1
  variable before and after matching;
* :func:`monte_carlo_matching` and :func:`effect_summary` -- the same over
  many simulated cohorts (the pairs' distribution:
  :func:`hccrep.replication.count_distribution` and
  :func:`hccrep.plots.count_histogram`).

The matching itself is :mod:`hccrep.stats.matching`.

Examples
--------
>>> from hccrep.spec import load_study
>>> st = load_study("fonc2025")
>>> sel = selection_table(st)
>>> bool((sel["selected"] == sel["listed"]).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from hccrep.frames import indicator_frame
from hccrep.spec import Study
from hccrep.stats.matching import CALIPER_SCALES, MatchResult, _match_nearest, match_nearest

__all__ = [
    "SCALES",
    "declared_matching",
    "READINGS",
    "reading_labels",
    "treated_frame",
    "selection_table",
    "match_readings",
    "pairs_table",
    "balance_table",
    "monte_carlo_matching",
    "effect_summary",
]

#: The three readings of "caliper c" (see :func:`hccrep.stats.matching.match_nearest`).
SCALES: tuple[str, ...] = tuple(CALIPER_SCALES)
#: Every matching :func:`match_readings` runs: the three caliper scales, no caliper (on the
#: propensity score, MatchIt's default distance) and MatchIt 4.5.1-4.5.3 with its integer
#: distance gaps, on the propensity score and on its logit.
READINGS: tuple[str, ...] = (*SCALES, "none", "matchit451_ps", "matchit451_logit")


def declared_matching(study: Study):
    """The propensity-score matching Table 6 declares (its ``population``): the one source of the
    covariates, the ratio and caliper keys and the caliper scale.

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    Matching
        The declared matched population (:class:`hccrep.declared.Matching`). Raises
        ``ValueError`` when the analyses declare none or several different ones.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> declared_matching(load_study("fonc2025")).caliper_scale
    'ps_sd'
    """
    found = {
        a.population.model_dump_json(): a.population
        for a in (n.analysis for n in study.numbers)
        if a is not None and getattr(a, "population", None) is not None
    }
    if len(found) != 1:
        raise ValueError(f"{study.key} declares {len(found)} matched populations, not one")
    return next(iter(found.values()))


def reading_labels(study: Study) -> dict[str, str]:
    """A short description of each reading in :data:`READINGS`, with the paper's caliper.

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    dict of str to str
        Reading (:data:`READINGS`) -> its description.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> reading_labels(load_study("fonc2025"))["none"]
    'no caliper (propensity score)'
    """
    c = study.number("psm_caliper").value
    return {
        "logit_sd": f"{c:g} SD of the logit of the PS (Austin 2011)",
        "ps_sd": f"{c:g} SD of the PS (MatchIt caliper = {c:g}, defaults)",
        "ps_raw": f"{c:g} on the PS itself (std.caliper = FALSE)",
        "none": "no caliper (propensity score)",
        "matchit451_ps": f"MatchIt 4.5.1-4.5.3 defect, caliper = {c:g} (PS)",
        "matchit451_logit": f"MatchIt 4.5.1-4.5.3 defect, caliper = {c:g} (logit)",
    }


# --------------------------------------------------------------------------- selection and matching


def treated_frame(runner, cohort: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``cohort`` with a 0/1 column ``treated`` (1 = the declared treated level).

    Parameters
    ----------
    runner : Fonc2025Runner
        The study's runner (:func:`hccrep.replication.runner_for`).
    cohort : DataFrame
        A simulated cohort (``runner.simulate(seed)``).

    Returns
    -------
    DataFrame
        A copy of ``cohort`` with the 0/1 ``treated`` column.
    """
    spec = declared_matching(runner.study)
    d = cohort.copy()
    d["treated"] = (d[spec.treatment].astype(str) == spec.treated).astype(int)
    return d


def selection_table(study: Study) -> pd.DataFrame:
    """The PFS univariable p-values of Table 5 against the paper's selection threshold.

    The PSM results section says the matching covariates were the variables with a PFS
    univariable p below a threshold; ``selected`` applies that rule to the
    printed p-values (the arm itself excluded) and ``listed`` marks the
    covariates the paper names (``psm_selection_p_threshold`` in
    ``table6.yaml``).

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    pandas.DataFrame
        One row per variable: ``variable, printed_hr, printed_p, p, selected, listed``.
    """
    sel = study.number("psm_selection_p_threshold")
    listed = set(declared_matching(study).covariates)
    group = study.simulation.group_variable
    hrs = {
        n.analysis.model_dump_json(): n
        for n in study.numbers
        if n.file_id == "table5" and n.quantity == "hr" and n.analysis is not None
    }
    rows = []
    for n in study.numbers:
        a = n.analysis
        if n.file_id != "table5" or n.quantity != "p" or a is None or a.endpoint != "pfs":
            continue
        if len(a.terms) != 1 or a.term == group:
            continue
        rows.append(
            {
                "variable": a.term,
                "printed_hr": hrs[a.model_dump_json()].printed,
                "printed_p": n.printed,
                "p": n.value,
                "selected": bool(n.value < sel.value),
                "listed": a.term in listed,
            }
        )
    return pd.DataFrame(rows)


def _matchit451(
    d: pd.DataFrame, covariates: list[str], ratio: int, caliper: float, scale: str
) -> MatchResult:
    """MatchIt 4.5.1-4.5.3 on a build with the integer-``abs`` defect (MatchIt issue #163).

    Uses the defect emulation of :mod:`hccrep.stats.matching`, which the R
    parity tests check against the installed MatchIt.  For teaching only.
    """
    return _match_nearest(
        d,
        "treated",
        covariates,
        ps=None,
        ratio=ratio,
        caliper=caliper,
        caliper_scale=scale,
        order="largest",
        replace=False,
        rng=None,
        emulate=frozenset({"int_abs"}),
    )


def match_readings(
    runner, cohort: pd.DataFrame, readings: Sequence[str] = READINGS
) -> dict[str, MatchResult]:
    """Match the cohort under each reading of the paper's caliper.

    Parameters
    ----------
    runner : Fonc2025Runner
    cohort : pandas.DataFrame
        A simulated cohort (``runner.simulate(seed)``).
    readings : sequence of str
        A subset of :data:`READINGS`:

        * ``"logit_sd"``, ``"ps_sd"``, ``"ps_raw"`` -- the declared matching
          (:func:`declared_matching`) with that caliper scale;
        * ``"none"`` -- the same matching on the propensity score without a
          caliper;
        * ``"matchit451_ps"``, ``"matchit451_logit"`` -- what MatchIt
          4.5.1-4.5.3 returns on builds whose C++ code truncates distance
          gaps to whole numbers (``caliper = c`` on the propensity score, and
          with ``link = "linear.logit"``).

    Returns
    -------
    dict of str to MatchResult
        In the order of ``readings``; match on :func:`treated_frame` rows.
    """
    unknown = [r for r in readings if r not in READINGS]
    if unknown:
        raise ValueError(f"unknown reading(s) {unknown}; expected some of {READINGS}")
    st = runner.study
    spec = declared_matching(st)
    d = treated_frame(runner, cohort)
    cov = list(spec.covariates)
    ratio = int(st.number(spec.ratio_key).value)
    caliper = st.number(spec.caliper_key).value
    out: dict[str, MatchResult] = {}
    for r in readings:
        if r in SCALES:
            out[r] = match_nearest(
                d, "treated", cov, ratio=ratio, caliper=caliper, caliper_scale=r, order=spec.order
            )
        elif r == "none":
            out[r] = match_nearest(
                d, "treated", cov, ratio=ratio, caliper=None, caliper_scale="ps_sd"
            )
        else:
            out[r] = _matchit451(
                d, cov, ratio, caliper, "ps_sd" if r == "matchit451_ps" else "logit_sd"
            )
    return out


def pairs_table(study: Study, results: Mapping[str, MatchResult]) -> pd.DataFrame:
    """Matched pairs under each reading beside the reported number.

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).
    results : mapping of str to MatchResult
        Matched sets by reading (:func:`match_readings`).

    Returns
    -------
    pandas.DataFrame
        Indexed by reading: ``description``, ``matched on``, ``caliper width``
        (on the scale matched on; NaN without a caliper), ``pairs`` and
        ``reported`` (Table 6).
    """
    labels = reading_labels(study)
    reported = study.number("psm_matched_rt_io_t")
    rows = {}
    for r, res in results.items():
        rows[r] = {
            "description": labels.get(r, r),
            "matched on": "logit of PS" if res.caliper_scale == "logit_sd" else "PS",
            "caliper width": np.nan if res.caliper is None else res.caliper,
            "pairs": res.n_treated_matched,
            "reported": reported.printed,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------- balance


def balance_table(
    runner, cohort: pd.DataFrame, results: Mapping[str, MatchResult], denominator: str = "treated"
) -> pd.DataFrame:
    """:func:`hccrep.stats.matching.balance_table` of the declared matching's arms and covariates.

    Parameters
    ----------
    runner : Fonc2025Runner
        The study's runner (:func:`hccrep.replication.runner_for`).
    cohort : DataFrame
        A simulated cohort (``runner.simulate(seed)``).
    results : mapping of str to MatchResult
        Matched sets by reading (:func:`match_readings`).
    denominator : str
        Whose SD standardises the differences (:data:`hccrep.stats.SMD_DENOMINATORS`).

    Returns
    -------
    pandas.DataFrame
        The generic balance table: proportions before matching and one SMD column per
        matching in ``results``.
    """
    from hccrep.stats.matching import balance_table as generic

    d = treated_frame(runner, cohort)
    in_model = declared_matching(runner.study).covariates
    return generic(runner.study, cohort, d["treated"].to_numpy(), results, in_model, denominator)


# --------------------------------------------------------------------------- matched PFS analysis


def _one_cohort(
    seed, runner, readings: tuple[str, ...], analyse: tuple[str, ...], adjust: tuple[str, ...]
) -> dict:
    from hccrep.analyses import compute

    cohort = runner.simulate(seed)
    res = match_readings(runner, cohort, readings)
    row: dict[str, float] = {f"{r}.pairs": float(res[r].n_treated_matched) for r in readings}
    view = runner.view(cohort)
    hr = runner.study.number("psm_pfs_hr").analysis  # the declared matched Cox model
    for r in analyse:
        scaled = hr.population.model_copy(update={"caliper_scale": r})
        models = {"hr": hr.model_copy(update={"population": scaled})}
        if adjust:
            models["hr_adjusted"] = models["hr"].model_copy(update={"terms": [*hr.terms, *adjust]})
        for name, a in models.items():
            try:
                row[f"{r}.{name}"] = compute(a, view, "hr").value
            except (ValueError, np.linalg.LinAlgError):
                row[f"{r}.{name}"] = float("nan")
    if adjust:
        from hccrep.stats.matching import standardized_mean_differences

        d = treated_frame(runner, cohort)
        ind = indicator_frame(runner.study, d)
        cols = [c for c in ind.columns if ind.attrs["variable"][c] in adjust]
        frame = pd.concat([ind[cols], d[["treated"]]], axis=1)
        for name, w in (("before", None), *((r, res[r].weights(d)) for r in analyse)):
            smd = standardized_mean_differences(
                frame, "treated", cols, weights=w, denominator="treated"
            )
            for label, v in zip(smd["covariate"], smd["smd"]):
                row[f"{name}.smd.{label}"] = float(v)
    return row


def monte_carlo_matching(
    runner,
    n: int,
    *,
    base_seed: int | None = None,
    readings: Sequence[str] = READINGS,
    analyse: Sequence[str] = SCALES,
    adjust: Sequence[str] = (),
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Matching and the matched PFS analysis over ``n`` simulated cohorts.

    The cohorts are those of the scorecard's Monte Carlo
    (:func:`hccrep.replication.seeds_for` from the book seed + 1 unless
    ``base_seed`` is given).

    Parameters
    ----------
    runner : Fonc2025Runner
    n : int
        Number of cohorts.
    readings : sequence of str
        Matchings whose number of pairs is recorded (``"<reading>.pairs"``).
    analyse : sequence of str
        Matchings (a subset of ``readings``) whose matched PFS is analysed:
        ``"<reading>.hr"``, the arm's HR of the declared Cox model of Table 6
        on that matching (the scorecard adds the KM medians and the log-rank p
        for its own scale).
    adjust : sequence of str
        Table 1 variable keys: adds ``"<reading>.hr_adjusted"`` (arm HR with
        these variables in the Cox model of the matched sample) and the SMD of
        their indicators before (``"before.smd.<label>"``) and after
        (``"<reading>.smd.<label>"``) matching.
    n_jobs : int
        Worker processes (joblib); the result does not depend on it.

    Returns
    -------
    pandas.DataFrame
        One row per cohort.
    """
    from hccrep.replication import seeds_for

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    readings, analyse, adjust = tuple(readings), tuple(analyse), tuple(adjust)
    missing = [r for r in analyse if r not in readings]
    if missing:
        raise ValueError(f"analyse names matchings not in readings: {missing}")
    base = runner.study.meta.book_seed + 1 if base_seed is None else base_seed
    seeds = seeds_for(base, n)
    from hccrep.parallel import map_seeds

    rows = map_seeds(_one_cohort, seeds, runner, readings, analyse, adjust, n_jobs=n_jobs)
    return pd.DataFrame(rows, dtype=float)


def effect_summary(study: Study, mc: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """The matched HR per matching over the Monte Carlo cohorts.

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).
    mc : DataFrame
        :func:`monte_carlo_matching`: one row per cohort and reading.
    level : float
        Level of the Monte Carlo interval.

    Returns
    -------
    pandas.DataFrame
        Indexed by matching: ``pairs_median``, ``hr_geomean`` (geometric
        mean), ``hr_low`` / ``hr_high`` (empirical interval),
        ``share_hr_le_reported`` (cohorts at or below the printed HR) and,
        where present, ``hr_adjusted_geomean``.
    """
    hr_rep = study.number("psm_pfs_hr").value
    a = (1 - level) / 2
    rows = {}
    for col in [c for c in mc.columns if c.endswith(".hr")]:
        r = col.removesuffix(".hr")
        hr = mc[col].to_numpy(float)
        hr = hr[np.isfinite(hr) & (hr > 0)]
        lo, hi = np.quantile(hr, [a, 1 - a], method="inverted_cdf")
        row = {
            "pairs_median": float(mc[f"{r}.pairs"].median())
            if f"{r}.pairs" in mc
            else float("nan"),
            "hr_geomean": float(np.exp(np.mean(np.log(hr)))),
            "hr_low": float(lo),
            "hr_high": float(hi),
            "share_hr_le_reported": float(np.mean(hr <= hr_rep)),
        }
        if f"{r}.hr_adjusted" in mc:
            adj = mc[f"{r}.hr_adjusted"].to_numpy(float)
            adj = adj[np.isfinite(adj) & (adj > 0)]
            row["hr_adjusted_geomean"] = (
                float(np.exp(np.mean(np.log(adj)))) if adj.size else float("nan")
            )
        rows[r] = row
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------- what-if

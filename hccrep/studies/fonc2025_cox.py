"""fonc2025, Table 5: univariable and multivariable Cox models, shown step by step.

The scorecard (:class:`hccrep.studies.fonc2025.Fonc2025Runner`) computes the
Table 5 checks with a fast numpy Cox engine.  The book displays the same fits
through :func:`hccrep.stats.cox` (lifelines, Efron ties) and needs a few more
things beside them; they live here:

* :func:`reported_table5` -- the printed table in long form, with each
  contrast as printed and as read (``reversed_contrasts`` in
  ``simulation.yaml``) and the role of each number;
* :func:`univariable_table` / :func:`multivariable_table` -- the fits on a
  simulated cohort, with Wald, likelihood-ratio and log-rank p-values for the
  univariable rows;
* :func:`implied_wald_p` and :func:`wald_consistency` -- the range of Wald
  p-values that a printed HR and CI allow once their rounding is taken into
  account, and whether the printed p lies in it;
* :func:`selection_table` and :func:`selection_frequency` -- the "univariable
  p < alpha" rule that picks the multivariable covariates, on the printed
  p-values and over simulated cohorts;
* :func:`schoenfeld_test` -- the proportional-hazards test of a fitted model;
* :func:`with_survival_shape` -- the study with another Weibull shape for an
  endpoint (an alternative assumption to explore);
* :func:`without_covariate_effects` -- the "null scenario": the same arms,
  medians and baseline table, but no covariate affects survival;
* :func:`focused_runner` -- the study's runner restricted to some analyses
  (Cox models, subgroups, ...): the same simulated cohorts and the same values
  for those checks, without recomputing every other table of the paper in
  each Monte Carlo cohort.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from hccrep.printed import decimals_of
from hccrep.spec import ReportedNumber, Study
from hccrep.studies.fonc2025 import PART_FILES, Fonc2025Runner

__all__ = [
    "PARTS",
    "focused_runner",
    "reported_table5",
    "model_terms",
    "design",
    "univariable_table",
    "multivariable_table",
    "implied_wald_p",
    "wald_consistency",
    "selection_table",
    "selection_frequency",
    "schoenfeld_test",
    "schoenfeld_pvalues",
    "with_survival_shape",
    "without_covariate_effects",
]

_Z975 = stats.norm.ppf(0.975)

#: Analyses a focused runner can run (see :data:`hccrep.studies.fonc2025.PART_FILES`).
PARTS = tuple(PART_FILES)


def focused_runner(study: Study, parts: Sequence[str] = ("cox",), **kwargs) -> Fonc2025Runner:
    """The fonc2025 runner restricted to ``parts`` (see :data:`PARTS`); other arguments as ``runner_for``.

    ``simulate`` is unchanged, so a seed gives the same cohort; the checks the
    chosen analyses produce have the full runner's values
    (``tests/test_fonc2025_cox.py``). Every other check is "not checkable" in
    the scorecard: filter the card by ``file_id`` to the step's own table.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> r = focused_runner(load_study("fonc2025"), parts=("subgroups",))
    >>> sorted({k.split("_")[0] for k in r.run(1)})
    ['sg']
    """
    return Fonc2025Runner(study, parts=parts, **kwargs)


def _table5(study: Study) -> list[ReportedNumber]:
    nums = [n for n in study.numbers if n.file_id == "table5"]
    if not nums:
        raise KeyError(f"{study.key}: no numbers from file 'table5'")
    return nums


def _reversed(study: Study) -> set[str]:
    return {r.variable for r in study.simulation.reversed_contrasts} if study.simulation else set()


def _swap(contrast: str) -> str:
    left, sep, right = contrast.partition(" vs ")
    return f"{right} vs {left}" if sep else contrast


def reported_table5(study: Study) -> pd.DataFrame:
    """Table 5 as printed, one row per hazard ratio, with its p-value beside it.

    Returns
    -------
    pandas.DataFrame
        Columns ``endpoint, model, variable, contrast_printed, contrast_read,
        reversed, hr_key, printed, hr, lower, upper, hr_role, p_key,
        p_printed, p, p_bound``.  ``contrast_read`` is the printed contrast
        turned round for the variables listed under ``reversed_contrasts``
        in ``simulation.yaml``; the HR is always *as printed* (the reading
        changes the label, not the number).
    """
    nums = _table5(study)
    by_key = {n.key: n for n in nums}
    rev = _reversed(study)
    rows = []
    for n in nums:
        if n.quantity != "hr":
            continue
        pk = n.about.p_key
        p = by_key.get(pk) if pk else None
        printed = str(n.about.contrast_printed or "")
        rows.append(
            {
                "endpoint": n.about.endpoint,
                "model": n.about.model,
                "variable": n.about.variable,
                "contrast_printed": printed,
                "contrast_read": _swap(printed) if n.about.variable in rev else printed,
                "reversed": n.about.variable in rev,
                "hr_key": n.key,
                "printed": n.printed,
                "hr": n.value,
                "lower": n.lower,
                "upper": n.upper,
                "hr_role": n.role,
                "p_key": pk,
                "p_printed": p.printed if p else None,
                "p": p.value if p else np.nan,
                "p_bound": p.bound if p else None,
            }
        )
    return pd.DataFrame(rows)


def model_terms(runner, endpoint: str, model: str) -> list[tuple[str, str, str, str]]:
    """``(name, column, level, reference)`` of each Table 5 row of one model, as the runner reads them.

    ``name`` is the Table 5 variable key (``"arm"`` for the treatment).
    Variables the cohort does not have (HBV) are left out.
    """
    out = []
    for n in _table5(runner.study):
        if n.quantity != "hr" or n.about.endpoint != endpoint or n.about.model != model:
            continue
        var = n.about.variable
        if var in ("hbv",):
            continue
        level, ref = runner._contrast(n)  # the runner's reading (reversed_contrasts applied)
        column = runner.group_column if var == "arm" else var
        out.append((var, column, level, ref))
    if not out:
        raise KeyError(f"no Table 5 rows for endpoint {endpoint!r}, model {model!r}")
    return out


def design(
    runner, cohort: pd.DataFrame, endpoint: str, terms: Sequence[tuple[str, str, str, str]]
) -> pd.DataFrame:
    """Columns ``time, event`` and one 0/1 indicator per term (1 = the level, 0 = the reference)."""
    return runner._design(cohort, endpoint, terms)


def _score_and_lr(d: pd.DataFrame, name: str) -> tuple[float, float]:
    """Log-rank p (the Cox score test for one binary covariate without tied times) and LR p."""
    from lifelines import CoxPHFitter

    from hccrep.stats import logrank

    p_lr_rank = logrank(d["time"], d["event"], d[name]).pvalue
    data = d[["time", "event", name]].rename(columns={name: "x"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = CoxPHFitter().fit(data, "time", "event")
    return float(p_lr_rank), float(fit.log_likelihood_ratio_test().p_value)


def univariable_table(
    runner, cohort: pd.DataFrame, endpoint: str, ties: str = "efron"
) -> pd.DataFrame:
    """One Cox model per Table 5 variable on a simulated cohort, beside the printed row.

    Parameters
    ----------
    runner : Fonc2025Runner
    cohort : pandas.DataFrame
        From ``runner.simulate(seed)``.
    endpoint : {"pfs", "os"}
    ties : {"efron", "breslow"}
        Passed to :func:`hccrep.stats.cox`.

    Returns
    -------
    pandas.DataFrame
        Index: variable.  Columns ``contrast_read, events, hr, lower, upper,
        p_wald, p_lr, p_logrank`` (replicated) and ``printed, p_printed``
        (reported).  ``p_logrank`` equals the Cox score test here: one binary
        covariate, no tied times.
    """
    from hccrep.stats import cox

    rep = reported_table5(runner.study)
    rep = rep[(rep.endpoint == endpoint) & (rep.model == "univariable")].set_index("variable")
    rows = []
    for name, column, level, ref in model_terms(runner, endpoint, "univariable"):
        d = design(runner, cohort, endpoint, [(name, column, level, ref)])
        res = cox(d, "time", "event", [name], ties=ties)
        row = res.table.loc[name]
        p_rank, p_lr = _score_and_lr(d, name)
        rows.append(
            {
                "variable": name,
                "contrast_read": rep.loc[name, "contrast_read"],
                "events": res.events,
                "hr": row["hr"],
                "lower": row["lower"],
                "upper": row["upper"],
                "p_wald": row["p"],
                "p_lr": p_lr,
                "p_logrank": p_rank,
                "printed": rep.loc[name, "printed"],
                "p_printed": rep.loc[name, "p_printed"],
            }
        )
    out = pd.DataFrame(rows).set_index("variable")
    out.attrs["variant"] = res.variant
    return out


def multivariable_table(
    runner, cohort: pd.DataFrame, endpoint: str, ties: str = "efron"
) -> pd.DataFrame:
    """The paper's multivariable model (its printed covariates) fitted on a simulated cohort.

    Returns
    -------
    pandas.DataFrame
        Index: variable.  Columns ``contrast_read, hr, lower, upper, p``
        (replicated), ``printed, p_printed`` (reported) and ``point``: whether
        the printed point HR is an *input* of the simulation (a covariate
        effect) or a *check* (the treatment).
    """
    from hccrep.stats import cox

    rep = reported_table5(runner.study)
    rep = rep[(rep.endpoint == endpoint) & (rep.model == "multivariable")].set_index("variable")
    terms = model_terms(runner, endpoint, "multivariable")
    d = design(runner, cohort, endpoint, terms)
    res = cox(d, "time", "event", [t[0] for t in terms], ties=ties)
    tab = res.table
    out = pd.DataFrame(
        {
            "contrast_read": rep.loc[tab.index, "contrast_read"],
            "hr": tab["hr"],
            "lower": tab["lower"],
            "upper": tab["upper"],
            "p": tab["p"],
            "printed": rep.loc[tab.index, "printed"],
            "p_printed": rep.loc[tab.index, "p_printed"],
            "point": rep.loc[tab.index, "hr_role"],
        }
    )
    out.index.name = "variable"
    out.attrs["variant"] = res.variant
    out.attrs["events"] = res.events
    return out


def implied_wald_p(number: ReportedNumber) -> tuple[float, float, float]:
    """The Wald p-value a printed ratio and 95% CI imply, and its range under rounding.

    With ``b = log(HR)`` and ``se = (log U - log L) / (2 z)``, the Wald
    p-value is ``2 Phi(-|b| / se)``.  Each of HR, L and U may be anywhere
    within half a unit of its last printed decimal; p is monotone in each of
    them, so its range is reached at the corners of that box.

    Returns
    -------
    (p, p_min, p_max)

    Examples
    --------
    >>> from hccrep.spec import ReportedNumber
    >>> n = ReportedNumber("x", "f", "k", "hr", "2 (1, 4)", 2, "check", "T", None, None, 1, 4)
    >>> p, lo, hi = implied_wald_p(n)
    >>> round(p, 4), lo < p < hi
    (0.05, True)
    """
    if number.lower is None or number.upper is None:
        raise ValueError(f"{number.key}: no confidence interval")
    tokens = re.findall(r"\d+(?:\.\d+)?", number.printed)

    def dec(x: float) -> int:
        for tok in tokens:
            if math.isclose(float(tok), x, rel_tol=1e-9, abs_tol=1e-12):
                return decimals_of(tok)
        return 2

    def p_of(h: float, lo: float, hi: float) -> float:
        se = (math.log(hi) - math.log(lo)) / (2 * _Z975)
        return float(2 * stats.norm.sf(abs(math.log(h)) / se))

    vals = (number.value, number.lower, number.upper)
    half = [0.5 * 10.0 ** -dec(v) for v in vals]
    corners = []
    for signs in itertools.product((-1, 1), repeat=3):
        h, lo, hi = (v + s * w for v, s, w in zip(vals, signs, half))
        if lo > 0 and hi > lo and h > 0:
            corners.append(p_of(h, lo, hi))
    return p_of(*vals), min(corners), max(corners)


def _p_interval(p: ReportedNumber) -> tuple[float, float]:
    """The values a printed p-value stands for: [value -+ half a unit) or the bound."""
    if p.bound == "<":
        return 0.0, p.value
    if p.bound == ">":
        return p.value, 1.0
    half = 0.5 * 10.0 ** -(p.decimals or 0)
    return p.value - half, p.value + half


def wald_consistency(study: Study) -> pd.DataFrame:
    """Does each printed Table 5 p-value fit the Wald p its own HR and CI imply?

    Returns
    -------
    pandas.DataFrame
        One row per HR with a p-value: ``endpoint, model, variable, printed,
        p_printed, wald_p, wald_min, wald_max, fits_wald``.  ``fits_wald`` is
        True when the interval the printed p stands for (its rounding, or its
        bound) overlaps ``[wald_min, wald_max]``.
    """
    by_key = {n.key: n for n in _table5(study)}
    rows = []
    for n in by_key.values():
        pk = n.about.p_key
        if n.quantity != "hr" or not pk or pk not in by_key or n.lower is None:
            continue
        p = by_key[pk]
        w, wmin, wmax = implied_wald_p(n)
        plo, phi = _p_interval(p)
        rows.append(
            {
                "endpoint": n.about.endpoint,
                "model": n.about.model,
                "variable": n.about.variable,
                "printed": n.printed,
                "p_printed": p.printed,
                "wald_p": w,
                "wald_min": wmin,
                "wald_max": wmax,
                "fits_wald": bool(plo <= wmax and wmin <= phi),
            }
        )
    return pd.DataFrame(rows)


def selection_table(study: Study, alpha: float = 0.05) -> pd.DataFrame:
    """The rule "univariable p < alpha" applied to the printed p-values.

    Returns
    -------
    pandas.DataFrame
        One row per (endpoint, variable): ``endpoint, variable, p_printed,
        selected_by_rule, in_printed_model, wald_p, selected_if_wald``.
        ``selected_if_wald`` applies the same rule to the Wald p implied by
        the printed HR and CI (its central value).
    """
    rep = reported_table5(study)
    wald = wald_consistency(study).set_index(["endpoint", "model", "variable"])["wald_p"]
    rows = []
    for ep, part in rep.groupby("endpoint", sort=False):
        in_mv = set(part.loc[part.model == "multivariable", "variable"])
        for _, r in part[part.model == "univariable"].iterrows():
            # "< 0.001" is below any alpha >= 0.001; "> 0.05" is never below 0.05
            sel = (
                r["p"] <= alpha if r["p_bound"] == "<" else (r["p"] < alpha and r["p_bound"] != ">")
            )
            w = wald.get((ep, "univariable", r["variable"]), np.nan)
            rows.append(
                {
                    "endpoint": ep,
                    "variable": r["variable"],
                    "p_printed": r["p_printed"],
                    "selected_by_rule": bool(sel),
                    "in_printed_model": r["variable"] in in_mv,
                    "wald_p": w,
                    "selected_if_wald": bool(w < alpha),
                }
            )
    return pd.DataFrame(rows)


def _uv_pvalues(runner, cohort: pd.DataFrame, endpoint: str, alpha: float) -> dict[str, bool]:
    from hccrep.stats.fastcox import cox_table

    out = {}
    for name, column, level, ref in model_terms(runner, endpoint, "univariable"):
        d = design(runner, cohort, endpoint, [(name, column, level, ref)])
        out[name] = bool(
            cox_table(d, "time", "event", [name], ties=runner.variants.get("ties", "efron")).loc[
                name, "p"
            ]
            < alpha
        )
    return out


def _per_cohort(seed, fn, runner, endpoints: Sequence[str], *args) -> list[dict]:
    """``fn(runner, cohort, endpoint, *args)`` for each endpoint, on one simulated cohort."""
    cohort = runner.simulate(seed)
    return [fn(runner, cohort, ep, *args) for ep in endpoints]


def _over_cohorts(
    fn, runner, seeds: Iterable, endpoint, n_jobs: int, *args
) -> dict[str, pd.DataFrame] | pd.DataFrame:
    """One row per seeded cohort of ``fn``'s results, per endpoint; each cohort simulated once.

    ``endpoint`` a string gives one DataFrame; a sequence of endpoints gives
    ``{endpoint: DataFrame}``.
    """
    single = isinstance(endpoint, str)
    endpoints = [endpoint] if single else list(endpoint)
    if not endpoints:
        raise ValueError("endpoint must name at least one endpoint")
    from hccrep.parallel import map_seeds

    parts = map_seeds(_per_cohort, seeds, fn, runner, endpoints, *args, n_jobs=n_jobs)
    out = {ep: pd.DataFrame([p[i] for p in parts]) for i, ep in enumerate(endpoints)}
    return out[endpoint] if single else out


def selection_frequency(runner, seeds: Iterable, endpoint, alpha: float = 0.05, n_jobs: int = 1):
    """How often each variable passes "univariable Wald p < alpha" over simulated cohorts.

    Fits use the numpy Cox engine (:mod:`hccrep.stats.fastcox`, tested equal
    to lifelines) with the runner's ties.

    Parameters
    ----------
    runner : the fonc2025 runner
    seeds : iterable of seeds, one per cohort
    endpoint : str or sequence of str
        One endpoint, or several: then each cohort is simulated once for all.
    alpha : float
    n_jobs : int
        Worker processes (joblib); the result does not depend on it.

    Returns
    -------
    pandas.DataFrame, or dict endpoint -> DataFrame for several endpoints
        One row per cohort, one boolean column per variable; ``attrs
        ["printed_model"]`` lists the covariates of the paper's model.
    """
    res = _over_cohorts(_uv_pvalues, runner, seeds, endpoint, n_jobs, alpha)
    for ep, tab in [(endpoint, res)] if isinstance(endpoint, str) else res.items():
        tab.attrs["printed_model"] = [t[0] for t in model_terms(runner, ep, "multivariable")]
    return res


def schoenfeld_test(
    d: pd.DataFrame, covariates: Sequence[str], time_transform: str = "km"
) -> pd.DataFrame:
    """Grambsch-Therneau test of proportional hazards from scaled Schoenfeld residuals (lifelines).

    Parameters
    ----------
    d : pandas.DataFrame
        Columns ``time``, ``event`` and the covariates (e.g. from :func:`design`).
    covariates : sequence of str
    time_transform : {"km", "rank", "identity", "log"}
        Function of time the residuals are correlated with.  ``"km"`` is R
        ``cox.zph``'s default; lifelines' own default is ``"rank"``.

    Returns
    -------
    pandas.DataFrame
        Index covariate; columns ``test_statistic, p`` (one df each).

    Notes
    -----
    lifelines computes the one-step approximation that R's ``cox.zph`` used
    before version 3 of survival; R now computes the score test exactly, so p-values
    can differ slightly between the two.
    """
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test

    data = d[["time", "event", *covariates]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = CoxPHFitter().fit(data, "time", "event")
        res = proportional_hazard_test(fit, data, time_transform=time_transform)
    tab = res.summary[["test_statistic", "p"]].copy()
    tab.index = [i[0] if isinstance(i, tuple) else i for i in tab.index]
    tab.index.name = "covariate"
    tab.attrs["variant"] = (
        f"Grambsch-Therneau test, scaled Schoenfeld residuals vs {time_transform}(time), lifelines"
    )
    return tab


def _schoenfeld(
    runner, cohort: pd.DataFrame, endpoint: str, time_transform: str
) -> dict[str, float]:
    terms = model_terms(runner, endpoint, "multivariable")
    d = design(runner, cohort, endpoint, terms)
    return schoenfeld_test(d, [t[0] for t in terms], time_transform)["p"].to_dict()


def schoenfeld_pvalues(
    runner, seeds: Iterable, endpoint, time_transform: str = "km", n_jobs: int = 1
):
    """Proportional-hazards test p-values of the paper's multivariable model over simulated cohorts.

    ``endpoint`` is one endpoint, or a sequence of endpoints (each cohort is
    then simulated once for all of them).

    Returns
    -------
    pandas.DataFrame, or dict endpoint -> DataFrame for several endpoints
        One row per cohort, one column per covariate (:func:`schoenfeld_test` p-values).
    """
    return _over_cohorts(_schoenfeld, runner, seeds, endpoint, n_jobs, time_transform)


def with_survival_shape(study: Study, shape: float, endpoints: Sequence[str] = ("os",)) -> Study:
    """A copy of ``study`` whose simulation uses Weibull ``shape`` for ``endpoints``.

    The data files are untouched; only the in-memory simulation spec changes.
    ``shape`` > 1 gives hazards rising with time, < 1 falling.
    """
    import dataclasses

    if not shape > 0:
        raise ValueError(f"shape must be positive, got {shape!r}")
    sim = study.simulation
    if sim is None:
        raise ValueError(f"{study.key} has no simulation.yaml")
    known = {sv.endpoint for sv in sim.survival}
    unknown = set(endpoints) - known
    if unknown:
        raise KeyError(
            f"unknown endpoint(s) {sorted(unknown)}; simulation.yaml declares {sorted(known)}"
        )
    survival = [
        sv.model_copy(update={"shape": float(shape)}) if sv.endpoint in endpoints else sv
        for sv in sim.survival
    ]
    new = dataclasses.replace(study, simulation=sim.model_copy(update={"survival": survival}))
    new.__dict__.pop("numbers", None)  # a cached_property: recompute for the copy
    return new


def without_covariate_effects(study: Study) -> Study:
    """A copy of ``study`` whose survival endpoints have no covariate effects (the null scenario).

    The arms keep their calibrated medians, so the treatment effect remains;
    no baseline variable changes anyone's hazard.  The data files are
    untouched.
    """
    import dataclasses

    sim = study.simulation
    if sim is None:
        raise ValueError(f"{study.key} has no simulation.yaml")
    survival = [sv.model_copy(update={"effects": []}) for sv in sim.survival]
    new = dataclasses.replace(study, simulation=sim.model_copy(update={"survival": survival}))
    new.__dict__.pop("numbers", None)
    return new

"""Subgroup hazard ratios, treatment-by-subgroup interaction tests, and why they are fragile.

What each function computes:

* :func:`interaction_test` -- the Wald test of the product term in the Cox
  model ``arm + subgroup + arm:subgroup`` for a two-level subgroup variable
  (R: ``coxph(Surv(time, event) ~ arm * subgroup)``, the ``arm:subgroup``
  row of ``summary()``).  The interaction hazard ratio is the ratio of the
  two within-level treatment hazard ratios.
* :func:`subgroup_table` -- the treatment hazard ratio within each level of
  each subgroup variable (a Cox model with the arm alone, fitted on that
  level's patients) and the interaction p-value of its variable: the numbers
  of a subgroup forest plot.
* :func:`null_interaction_pvalues` -- interaction p-values over many seeded
  cohorts of a simulation (for a model with no true interaction they should
  be uniform on (0, 1)).
* :func:`uniformity_table` and :func:`share_any_significant` -- how those
  p-values compare with the uniform distribution, and how often at least one
  of several interaction tests falls below ``alpha`` (multiplicity).
* :func:`interaction_power` -- the power of the Wald interaction test in
  two-arm, two-level exponential cohorts with a chosen interaction
  (:func:`hccrep.simulate.interaction.simulate_interaction_cohort`), with the
  exaggeration of the interactions that reach significance.

Cox fits use Efron ties by default.  ``engine="lifelines"`` fits through
:func:`hccrep.stats.survival.cox` (what the book displays);
``engine="numpy"`` through :func:`hccrep.stats.fastcox.cox_table`, which is
tested equal to it and is used in Monte Carlo loops.

A subgroup in which one arm has no events has a monotone partial likelihood:
the treatment coefficient runs off to infinity (R prints ``HR 0 (0-Inf)``
and warns).  Such a fit is reported as *not estimable* (NaN) rather than as
an arbitrary large number; the interaction test is not estimable when any of
the four arm-by-level cells has no events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

__all__ = [
    "ENGINES",
    "InteractionResult",
    "PowerResult",
    "interaction_test",
    "interaction_many",
    "subgroup_table",
    "null_interaction_pvalues",
    "uniformity_table",
    "share_any_significant",
    "interaction_power",
]

ENGINES = ("lifelines", "numpy")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _cox_table(d: pd.DataFrame, covariates: list[str], ties: str, engine: str) -> pd.DataFrame:
    if engine == "numpy":
        from hccrep.stats.fastcox import cox_table

        return cox_table(d, "time", "event", covariates, ties=ties)
    if engine == "lifelines":
        import warnings

        from hccrep.stats.survival import CoxConvergenceWarning, cox

        with warnings.catch_warnings():  # a diverging fit is reported here as not estimable (NaN)
            warnings.simplefilter("ignore", CoxConvergenceWarning)
            return cox(d, "time", "event", covariates, ties=ties).table
    raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(map(repr, ENGINES))}")


def _check_options(ties: str, engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(
            f"unknown engine {engine!r}; expected one of {', '.join(map(repr, ENGINES))}"
        )
    if ties not in ("efron", "breslow"):
        raise ValueError(f"unknown ties {ties!r}; expected 'efron' or 'breslow'")


def _binary(values, name: str, positive=None) -> tuple[np.ndarray, list]:
    """0/1 coding of a two-level column; ``positive`` is the level coded 1 (default: the second)."""
    s = pd.Series(values).reset_index(drop=True)
    if s.isna().any():
        raise ValueError(f"{name} has missing values")
    if isinstance(s.dtype, pd.CategoricalDtype):
        levels = [lv for lv in s.cat.categories if (s == lv).any()]
    else:
        levels = sorted(pd.unique(s), key=str)
    if positive is not None:
        if positive not in set(s):
            raise ValueError(f"{name} has no level {positive!r}; levels are {levels}")
        if len(levels) != 2:
            raise ValueError(f"{name} must have exactly two levels, found {len(levels)}: {levels}")
        other = next(lv for lv in levels if lv != positive)
        levels = [other, positive]
    elif len(levels) != 2:
        raise ValueError(
            f"{name} must have exactly two levels, found {len(levels)}: {levels} "
            "(interaction tests here are for two-level subgroups)"
        )
    return (s == levels[1]).to_numpy(float), levels


def _frame(df: pd.DataFrame, duration: str, event: str) -> pd.DataFrame:
    """Validated ``time`` / ``event`` columns (the checks of :func:`hccrep.stats.survival.cox`)."""
    from hccrep.stats.survival import _as_time_event

    for c in (duration, event):
        if c not in df.columns:
            raise ValueError(f"column {c!r} not in the data")
    t, e = _as_time_event(
        df[duration], df[event], f"duration column {duration!r}", f"event column {event!r}"
    )
    return pd.DataFrame({"time": t, "event": e})


# --------------------------------------------------------------------------
# interaction test
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class InteractionResult:
    """Wald test of a treatment-by-subgroup interaction in a Cox model.

    Attributes
    ----------
    hr, lower, upper : float
        Interaction hazard ratio (the treatment HR in the second level divided
        by the treatment HR in the first) and its Wald confidence limits; NaN
        when not estimable.
    pvalue : float
        Two-sided Wald p-value of the product term; NaN when not estimable.
    estimable : bool
        False when one of the four arm-by-level cells has no events.
    levels : tuple
        (reference level, other level) of the subgroup variable.
    variant : str
        What was computed, in words.
    """

    hr: float
    lower: float
    upper: float
    pvalue: float
    estimable: bool
    levels: tuple
    variant: str


def interaction_test(
    df: pd.DataFrame,
    duration: str,
    event: str,
    arm: str,
    subgroup: str,
    *,
    treated=None,
    ties: str = "efron",
    engine: str = "lifelines",
    alpha: float = 0.05,
) -> InteractionResult:
    """Wald test of the ``arm x subgroup`` product term in a Cox model.

    The model is ``h(t) = h0(t) exp(b1 arm + b2 sub + b3 arm sub)`` with
    ``arm`` and ``sub`` coded 0/1; ``exp(b3)`` is the ratio of the treatment
    hazard ratios in the two levels, and its p-value is ``2 Phi(-|b3 / se|)``
    (R ``summary(coxph(Surv(t, e) ~ arm * sub))``, row ``arm:sub``).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per patient.
    duration, event : str
        Follow-up time and event (0/1) columns, validated as
        :func:`hccrep.stats.survival.cox` does: times finite and
        non-negative, events 0/1 (R's 1/2 ``Surv`` status is refused with a
        ``ValueError``: read as numbers, its censored 1s would be events).
    arm : str
        Treatment column with two values.
    subgroup : str
        Subgroup column with two levels (for a categorical column the first
        category is the reference).
    treated : optional
        The value of ``arm`` coded 1 (default: the second level).
    ties : {"efron", "breslow"}
    engine : {"lifelines", "numpy"}
    alpha : float
        1 - confidence level of the interaction HR's interval.

    Returns
    -------
    InteractionResult

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"arm": np.repeat([0, 1], 50), "sub": np.tile([0, 1], 50)})
    >>> d["t"], d["e"] = rng.exponential(1, 100), 1
    >>> res = interaction_test(d, "t", "e", "arm", "sub", engine="numpy")
    >>> res.estimable, bool(0 < res.pvalue < 1)
    (True, True)
    """
    _check_options(ties, engine)
    d = _frame(df, duration, event)
    a, _ = _binary(df[arm], f"arm column {arm!r}", treated)
    s, levels = _binary(df[subgroup], f"subgroup column {subgroup!r}")
    d["arm"], d["sub"], d["arm_x_sub"] = a, s, a * s
    variant = (
        f"Wald test of arm x {subgroup} in a Cox model (arm + {subgroup} + product), "
        f"{ties.capitalize()} ties, {engine}"
    )
    nan = float("nan")
    cells_with_events = [d.event[(a == i) & (s == j)].sum() for i in (0, 1) for j in (0, 1)]
    if min(cells_with_events) == 0:
        return InteractionResult(nan, nan, nan, nan, False, tuple(levels), variant)
    try:
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            tab = _cox_table(d, ["arm", "sub", "arm_x_sub"], ties, engine).loc["arm_x_sub"]
    except (ValueError, np.linalg.LinAlgError):  # singular information: not estimable
        return InteractionResult(nan, nan, nan, nan, False, tuple(levels), variant)
    z = stats.norm.ppf(1 - alpha / 2)
    coef, se = float(tab["coef"]), float(tab["se"])
    with np.errstate(over="ignore"):
        hr, lower, upper = np.exp([coef, coef - z * se, coef + z * se])
    if not (np.isfinite(se) and se > 0 and np.isfinite([hr, lower, upper]).all() and lower > 0):
        # a diverging coefficient (monotone likelihood): no finite estimate
        return InteractionResult(nan, nan, nan, nan, False, tuple(levels), variant)
    return InteractionResult(
        hr=float(hr),
        lower=float(lower),
        upper=float(upper),
        pvalue=float(tab["p"]),
        estimable=True,
        levels=tuple(levels),
        variant=variant,
    )


# --------------------------------------------------------------------------
# subgroup table (forest plot numbers)
# --------------------------------------------------------------------------


def subgroup_table(
    df: pd.DataFrame,
    duration: str,
    event: str,
    arm: str,
    variables: Sequence[str],
    *,
    treated=None,
    labels: Mapping[str, str] | None = None,
    level_labels: Mapping[str, Mapping] | None = None,
    ties: str = "efron",
    engine: str = "lifelines",
    overall: bool = True,
) -> pd.DataFrame:
    """Treatment hazard ratio within each level of each subgroup variable.

    Parameters
    ----------
    df, duration, event, arm, treated, ties, engine
        As in :func:`interaction_test`.
    variables : sequence of str
        Two-level subgroup columns, in display order.
    labels : mapping, optional
        Display name of each variable (default: the column name).
    level_labels : mapping, optional
        ``{variable: {level: label}}`` display names of levels.
    overall : bool, default True
        Add a first row with the treatment HR in all patients.

    Returns
    -------
    pandas.DataFrame
        One row per (variable, level): ``variable, group, level, label,
        n_control, n_treated, events_control, events_treated, hr, lower,
        upper, p_interaction``.  ``group`` is the variable's display name
        (missing on the overall row), ready for
        :func:`hccrep.plots.forest_plot` with ``group="group"`` and
        ``p_interaction="p_interaction"``.  Non-estimable HRs are NaN.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame({"arm": np.repeat(["c", "t"], 40), "sex": np.tile(["f", "m"], 40)})
    >>> d["t"], d["e"] = rng.exponential(1, 80), 1
    >>> tab = subgroup_table(d, "t", "e", "arm", ["sex"], engine="numpy")
    >>> tab["level"].tolist(), int(tab["n_treated"].sum())
    (['all', 'f', 'm'], 80)
    """
    _check_options(ties, engine)
    labels = dict(labels or {})
    level_labels = {k: dict(v) for k, v in (level_labels or {}).items()}
    a, arm_levels = _binary(df[arm], f"arm column {arm!r}", treated)
    base = _frame(df, duration, event)
    base["arm"] = a
    rows = []

    def fit(mask: np.ndarray) -> tuple[float, float, float]:
        sub = base[mask]
        ev = [sub.event[sub.arm == i].sum() for i in (0, 1)]
        if min(ev) == 0 or sub.arm.nunique() < 2:
            return float("nan"), float("nan"), float("nan")
        try:
            with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                r = _cox_table(sub.reset_index(drop=True), ["arm"], ties, engine).loc["arm"]
        except (ValueError, np.linalg.LinAlgError):
            return float("nan"), float("nan"), float("nan")
        if not (
            np.isfinite(r["se"])
            and r["se"] > 0
            and np.isfinite(r[["hr", "lower", "upper"]].to_numpy(float)).all()
            and r["lower"] > 0
        ):
            return float("nan"), float("nan"), float("nan")
        return float(r["hr"]), float(r["lower"]), float(r["upper"])

    def counts(mask: np.ndarray) -> dict:
        sub = base[mask]
        return {
            "n_control": int((sub.arm == 0).sum()),
            "n_treated": int((sub.arm == 1).sum()),
            "events_control": int(sub.event[sub.arm == 0].sum()),
            "events_treated": int(sub.event[sub.arm == 1].sum()),
        }

    if overall:
        mask = np.ones(len(base), dtype=bool)
        hr, lo, hi = fit(mask)
        rows.append(
            {
                "variable": "all",
                "group": np.nan,
                "level": "all",
                "label": "All patients",
                **counts(mask),
                "hr": hr,
                "lower": lo,
                "upper": hi,
                "p_interaction": np.nan,
            }
        )
    for var in variables:
        res = interaction_test(
            df, duration, event, arm, var, treated=arm_levels[1], ties=ties, engine=engine
        )
        col = df[var].reset_index(drop=True)
        for lv in res.levels:
            mask = (col == lv).to_numpy()
            hr, lo, hi = fit(mask)
            rows.append(
                {
                    "variable": var,
                    "group": labels.get(var, var),
                    "level": lv,
                    "label": str(level_labels.get(var, {}).get(lv, lv)),
                    **counts(mask),
                    "hr": hr,
                    "lower": lo,
                    "upper": hi,
                    "p_interaction": res.pvalue,
                }
            )
    out = pd.DataFrame(rows)
    out.attrs["variant"] = (
        f"treatment HR of {arm_levels[1]!r} vs {arm_levels[0]!r} within each level (Cox, "
        f"{ties.capitalize()} ties, Wald CI, {engine}); interaction: Wald test of the product term"
    )
    return out


# --------------------------------------------------------------------------
# Monte Carlo under a simulation
# --------------------------------------------------------------------------


def _events_in_every_cell(event, a: np.ndarray, sub) -> np.ndarray:
    """Per model: does each of the four arm-by-level cells hold an event (else not estimable)?

    ``event`` and ``sub`` are (n,) or (n, k) (one column per model), ``a`` the 0/1 arm (n,).
    """
    E = np.asarray(event).reshape(len(a), -1) > 0
    S = np.asarray(sub).reshape(len(a), -1)
    counts = [((a[:, None] == i) & (S == l) & E).sum(axis=0) for i in (0, 1) for l in (0, 1)]
    return np.min(counts, axis=0) > 0


def _interaction_wald(coef, se, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """p and HR of interaction coefficients with :func:`interaction_test`'s rule: NaN for a
    non-finite or zero SE and for limits that overflow or reach 0 (a diverging fit)."""
    coef, se = np.asarray(coef, dtype=float), np.asarray(se, dtype=float)
    # scipy.special's functions are what stats.norm.ppf / sf compute (the same bits),
    # without the distribution object's per-call cost: this runs once per cohort and subgroup
    z = special.ndtri(1 - alpha / 2)
    p, hr = np.full(coef.shape, np.nan), np.full(coef.shape, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        limits = np.exp(np.column_stack([coef, coef - z * se, coef + z * se]))
        good = np.isfinite(se) & (se > 0) & np.isfinite(limits).all(axis=1) & (limits[:, 1] > 0)
        p[good] = 2 * special.ndtr(-np.abs(coef[good] / se[good]))
    hr[good] = limits[good, 0]
    return p, hr


def interaction_many(
    time, event, a: np.ndarray, subs: np.ndarray, ties: str, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`interaction_test` (numpy engine) of one 0/1 arm with each 0/1 column of ``subs``.

    The models share their times and are fitted side by side
    (:func:`hccrep.stats.fastcox.cox_fit_many`); the rules are
    :func:`interaction_test`'s: NaN when an arm-by-level cell has no events,
    when a covariate is constant, when the fit fails or diverges.  Returns
    the p-values and interaction HRs.

    Parameters
    ----------
    time, event : array_like
        Follow-up times and 0/1 events, shared by every model.
    a : numpy.ndarray
        The 0/1 arm.
    subs : numpy.ndarray, shape (n, k)
        One 0/1 subgroup column per model.
    ties : {"efron", "breslow"}
        Tie handling of the partial likelihood.
    alpha : float
        1 - the confidence level (kept for symmetry with :func:`interaction_test`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The interaction p-values and hazard ratios, one per column of ``subs``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = np.repeat([0.0, 1.0], 40)
    >>> subs = rng.integers(0, 2, (80, 2)).astype(float)
    >>> p, hr = interaction_many(rng.exponential(size=80), np.ones(80), a, subs, "efron")
    >>> p.shape, bool(((p > 0) & (p < 1)).all())
    ((2,), True)
    """
    from hccrep.stats.fastcox import cox_fit_many

    time, event = np.asarray(time, dtype=float), np.asarray(event, dtype=int)
    k = subs.shape[1]
    p, hr = np.full(k, np.nan), np.full(k, np.nan)
    designs = np.stack([a[:, None].repeat(k, axis=1), subs, a[:, None] * subs], axis=2)
    ok = _events_in_every_cell(event, a, subs)
    ok &= ~(designs.std(axis=0) == 0).any(axis=1)  # cox_table refuses a constant covariate
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return p, hr
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        coef, se = cox_fit_many(time, event, designs[:, idx, :], ties=ties, on_error="nan")
    p[idx], hr[idx] = _interaction_wald(coef[:, 2], se[:, 2], alpha)
    return p, hr


def _null_one(seed, simulate: Callable, endpoints, variables, arm, treated, ties) -> list[dict]:
    cohort = simulate(seed)
    a, _ = _binary(cohort[arm], f"arm column {arm!r}", treated)
    subs = np.column_stack(
        [_binary(cohort[var], f"subgroup column {var!r}")[0] for var in variables]
    )
    rows = []
    for ep in endpoints:
        d = _frame(cohort, f"{ep}_time", f"{ep}_event")
        p, hr = interaction_many(d["time"].to_numpy(), d["event"].to_numpy(), a, subs, ties)
        rows += [
            {"endpoint": ep, "variable": var, "p": float(p[j]), "hr": float(hr[j])}
            for j, var in enumerate(variables)
        ]
    return rows


def null_interaction_pvalues(
    simulate: Callable[[object], pd.DataFrame],
    seeds: Iterable,
    endpoints: Sequence[str],
    variables: Sequence[str],
    *,
    arm: str,
    treated=None,
    ties: str = "efron",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Interaction p-values of every (endpoint, variable) over seeded simulated cohorts.

    Parameters
    ----------
    simulate : callable
        ``simulate(seed) -> cohort`` (e.g. a runner's ``simulate``); the cohort
        has columns ``<endpoint>_time``, ``<endpoint>_event``, ``arm`` and the
        subgroup variables.
    seeds : iterable
        One seed (int or ``numpy.random.SeedSequence``) per cohort.
    endpoints, variables : sequence of str
    arm, treated, ties
        As in :func:`interaction_test`.  Fits use the numpy engine.
    n_jobs : int
        Parallel processes (joblib); the result does not depend on it.

    Returns
    -------
    pandas.DataFrame
        Long format: ``cohort, endpoint, variable, p, hr`` (``hr`` is the
        estimated interaction HR); NaN where not estimable.
    """
    from hccrep.parallel import map_seeds

    parts = map_seeds(
        _null_one, seeds, simulate, endpoints, variables, arm, treated, ties, n_jobs=n_jobs
    )
    rows = [{"cohort": i, **r} for i, part in enumerate(parts) for r in part]
    return pd.DataFrame(rows, columns=["cohort", "endpoint", "variable", "p", "hr"])


def uniformity_table(p, alphas: Sequence[float] = (0.01, 0.05, 0.1, 0.25, 0.5)) -> pd.DataFrame:
    """Share of p-values at or below each ``alpha``, beside the uniform expectation.

    Non-estimable (NaN) p-values are counted apart.  The Kolmogorov-Smirnov
    p-value (``ks_p``) compares the estimable p-values with U(0, 1).

    Parameters
    ----------
    p : array_like
        P-values; NaN counts as not estimable.
    alphas : sequence of float
        The levels at which the share is counted.

    Returns
    -------
    pandas.DataFrame
        One row per ``alpha``: ``alpha, share, expected, n``; attrs
        ``ks_p`` and ``n_not_estimable``.

    Examples
    --------
    >>> tab = uniformity_table(np.linspace(0.005, 0.995, 100), alphas=[0.05, 0.5])
    >>> tab["share"].tolist()
    [0.05, 0.5]
    """
    p = np.asarray(p, dtype=float)
    ok = p[~np.isnan(p)]
    if ok.size == 0:
        raise ValueError("no estimable p-values")
    if ((ok < 0) | (ok > 1)).any():
        raise ValueError("p-values must lie in [0, 1]")
    tab = pd.DataFrame(
        {
            "alpha": list(alphas),
            "share": [float((ok <= a).mean()) for a in alphas],
            "expected": list(alphas),
            "n": ok.size,
        }
    )
    tab.attrs["ks_p"] = float(stats.kstest(ok, "uniform").pvalue)
    tab.attrs["n_not_estimable"] = int(np.isnan(p).sum())
    return tab


def share_any_significant(
    pvalues: pd.DataFrame, alpha: float = 0.05, by: str = "cohort", p: str = "p"
) -> float:
    """Share of cohorts in which at least one test has ``p < alpha``.

    Parameters
    ----------
    pvalues : pandas.DataFrame
        Long format with one row per test (e.g. from :func:`null_interaction_pvalues`,
        filtered to the tests of interest).
    alpha : float
        Significance level.
    by : str
        Column identifying the cohort.
    p : str
        Column of the p-values (NaN never counts as significant).

    Returns
    -------
    float
        The share of cohorts (values of ``by``) with at least one p below ``alpha``.

    Examples
    --------
    >>> d = pd.DataFrame({"cohort": [0, 0, 1, 1], "p": [0.01, 0.5, 0.2, 0.7]})
    >>> share_any_significant(d)
    0.5
    """
    if pvalues.empty:
        raise ValueError("no p-values")
    hit = pvalues.assign(_hit=pvalues[p] < alpha).groupby(by)["_hit"].any()
    return float(hit.mean())


# --------------------------------------------------------------------------
# power of the interaction test
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PowerResult:
    """Power of the Wald interaction test at one true interaction.

    Attributes
    ----------
    hr_interaction : float
        The true interaction hazard ratio.
    power : float
        Share of the ``n_sim`` cohorts with interaction ``p < alpha`` (a
        non-estimable test counts as not significant).
    n_sim, n_not_estimable : int
    median_hr_significant : float
        Median estimated interaction HR among the significant cohorts,
        folded to >= 1 (``max(hr, 1/hr)``); NaN if none was significant.
    exaggeration : float
        Mean ``|log hr_estimated| / |log hr_true|`` among the significant
        cohorts (Gelman and Carlin's *type M* error); NaN when the truth is 1
        or none was significant.
    wrong_sign : float
        Share of the significant cohorts whose estimate points the other way
        (*type S* error); NaN when the truth is 1 or none was significant.
    """

    hr_interaction: float
    power: float
    n_sim: int
    n_not_estimable: int
    median_hr_significant: float
    exaggeration: float
    wrong_sign: float


def interaction_power(
    sizes,
    *,
    median_control: float,
    hr_arm: float,
    hr_interaction: float,
    rng: np.random.Generator,
    n_sim: int,
    follow_up: tuple[float, float],
    hr_subgroup: float = 1.0,
    alpha: float = 0.05,
    ties: str = "efron",
) -> PowerResult:
    """Monte Carlo power of the Wald interaction test, with type M and type S errors.

    Draws ``n_sim`` cohorts with
    :func:`hccrep.simulate.interaction.simulate_interaction_cohort` and
    tests each with :func:`interaction_test` (numpy engine).

    Parameters
    ----------
    sizes, median_control, hr_arm, hr_interaction, hr_subgroup, follow_up
        As in :func:`hccrep.simulate.interaction.simulate_interaction_cohort`.
    rng : numpy.random.Generator
        Source of all randomness (the result is reproducible from its seed).
    n_sim : int
        Number of simulated cohorts (at least 1).
    alpha : float
        Significance level.
    ties : {"efron", "breslow"}

    Returns
    -------
    PowerResult

    Examples
    --------
    >>> res = interaction_power([[30, 30], [30, 30]], median_control=10, hr_arm=1, hr_interaction=1,
    ...                         rng=np.random.default_rng(0), n_sim=40, follow_up=(3, 60))
    >>> res.n_sim, bool(0 <= res.power <= 0.25)
    (40, True)
    """
    if isinstance(n_sim, bool) or not isinstance(n_sim, (int, np.integer)) or n_sim < 1:
        raise ValueError(f"n_sim must be a positive integer, got {n_sim!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator (np.random.default_rng(seed))")
    if ties not in ("efron", "breslow"):
        raise ValueError(f"unknown ties {ties!r}; expected 'efron' or 'breslow'")
    from hccrep.stats.fastcox import cox_fit_many

    from hccrep.simulate.interaction import simulate_interaction_arrays

    design = dict(
        median_control=median_control,
        hr_arm=hr_arm,
        hr_interaction=hr_interaction,
        hr_subgroup=hr_subgroup,
        follow_up=follow_up,
    )
    p = np.full(n_sim, np.nan)
    hr = np.full(n_sim, np.nan)
    # the same draws (in the same order) and the same Wald test as simulate_interaction_cohort +
    # interaction_test (tests/test_subgroups.py checks it); the cohorts are fitted side by side,
    # in blocks, by cox_fit_many (each one as cox_fit fits it): this runs thousands of times
    block = 100
    for start in range(0, n_sim, block):
        draws = [
            simulate_interaction_arrays(rng, sizes, **design)
            for _ in range(min(block, n_sim - start))
        ]
        a, s = draws[0][2], draws[0][3]  # the design is fixed: only times and events vary
        t = np.column_stack([d[0] for d in draws])
        e = np.column_stack([d[1] for d in draws])
        idx = np.flatnonzero(_events_in_every_cell(e, a, s))  # a cell without events: not estimable
        if idx.size == 0:
            continue
        X = np.broadcast_to(np.column_stack([a, s, a * s])[:, None, :], (a.size, idx.size, 3))
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            coef, se = cox_fit_many(t[:, idx], e[:, idx], X, ties=ties, on_error="nan")
        p[start + idx], hr[start + idx] = _interaction_wald(coef[:, 2], se[:, 2])
    sig = ~np.isnan(p) & (p < alpha)
    nan = float("nan")
    med = float(np.median(np.maximum(hr[sig], 1 / hr[sig]))) if sig.any() else nan
    true = np.log(hr_interaction)
    if sig.any() and true != 0:
        est = np.log(hr[sig])
        exaggeration = float(np.mean(np.abs(est) / abs(true)))
        wrong = float(np.mean(np.sign(est) != np.sign(true)))
    else:
        exaggeration = wrong = nan
    return PowerResult(
        hr_interaction=float(hr_interaction),
        power=float(sig.mean()),
        n_sim=int(n_sim),
        n_not_estimable=int(np.isnan(p).sum()),
        median_hr_significant=med,
        exaggeration=exaggeration,
        wrong_sign=wrong,
    )

"""Outcomes on a simulated cohort: survival times and binary responses.

Survival
    Proportional-hazards Weibull (Bender, Augustin & Blettner 2005): with
    ``E ~ Exp(1)``, ``T = (E / exp(eta)) ** (1 / shape)`` has hazard
    ``shape * t**(shape-1) * exp(eta)``.  Censoring times ``C = s * U`` with
    ``U ~ Uniform(0, 1)`` (staggered entry, administrative end).  The scale
    ``s`` is chosen so that the number of events is *exactly* the reported
    one, and finally every time in the group is multiplied by one constant so
    that the group's Kaplan–Meier median is *exactly* the reported median
    (the KM median is equivariant under rescaling of time).

Binary
    A latent logistic model ``y* = eta + L`` with ``L`` standard logistic;
    the ``m`` patients with the largest ``y*`` respond, so the number of
    responders is exactly the reported one and the odds ratios act through
    ``eta``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hccrep.frames import n_rows, raw_column, str_labels
from hccrep.printed import round_half_up as _round_half_up
from hccrep.stats import fastsurv

__all__ = [
    "piecewise_exponential_times",
    "Effect",
    "linear_predictor",
    "simulate_survival",
    "survival_arrays",
    "with_columns",
    "weibull_shape_from_hr",
    "simulate_binary",
    "binary_column",
    "CalibrationError",
    "binary_effects_for",
    "simulate_declared_binary",
]


class CalibrationError(ValueError):
    """A reported target cannot be met (e.g. more events than patients, median not reached)."""


class _MedianJump(CalibrationError):
    """This draw's KM median jumps over the target; another draw may not."""


def with_columns(cohort, new: Mapping[str, object]):
    """``cohort`` with the columns of ``new`` set (replaced in place, added at the end).

    A DataFrame gives a copy (as ``df.copy()`` then ``out[name] = values``); a
    mapping of columns gives a new dict, its arrays shared, not copied.

    Parameters
    ----------
    cohort : DataFrame or mapping of columns
    new : mapping
        Column name -> values (arrays or ``pandas.Categorical``).

    Returns
    -------
    DataFrame or dict

    Examples
    --------
    >>> with_columns({"a": np.zeros(2)}, {"b": np.ones(2)})
    {'a': array([0., 0.]), 'b': array([1., 1.])}
    """
    if isinstance(cohort, pd.DataFrame):
        out = cohort.copy()
        for name, values in new.items():
            out[name] = values
        return out
    return {**cohort, **new}


@dataclass(frozen=True)
class Effect:
    """A covariate effect: ``ratio`` (HR or OR) for ``variable == level``, or per unit if ``level`` is None.

    Attributes
    ----------
    variable : str
        The cohort column.
    ratio : float
        The hazard or odds ratio, positive.
    level : str or None
        The level the ratio applies to; None for a per-unit effect of a numeric column.
    """

    variable: str
    ratio: float
    level: str | None = None

    def column(self, df) -> np.ndarray:
        """The effect's covariate: the column itself, or 0/1 for ``level``.

        ``df`` is a DataFrame or a mapping of columns (:func:`hccrep.frames.raw_column`).
        """
        if self.variable not in df:
            raise KeyError(f"effect on unknown variable {self.variable!r}; columns are {list(df)}")
        if self.ratio <= 0:
            raise ValueError(f"a ratio must be positive, got {self.ratio} for {self.variable}")
        col = raw_column(df[self.variable])
        if self.level is None:
            return np.asarray(col, dtype=float)
        if isinstance(col, pd.Categorical) and self.level not in col.categories:
            raise KeyError(
                f"{self.variable!r} has no level {self.level!r}; levels are {list(col.categories)}"
            )
        return (str_labels(col) == self.level).astype(float)


def linear_predictor(df, effects: Sequence[Effect]) -> np.ndarray:
    """``sum(log(ratio) * x)`` over the effects.

    Parameters
    ----------
    df : DataFrame or mapping of columns
        The cohort; every effect's variable is a column.
    effects : sequence of Effect
        The effects (hazard or odds ratios).

    Returns
    -------
    numpy.ndarray
        One value per patient: the sum of ``log(ratio)`` times the effect's column (0/1 for a
        level, the value itself per unit).

    Examples
    --------
    >>> d = pd.DataFrame({"sex": ["m", "f", "m"], "age": [1.0, 0.0, 2.0]})
    >>> linear_predictor(d, [Effect("sex", np.e, "m"), Effect("age", np.e)]).tolist()
    [2.0, 0.0, 3.0]
    """
    eta = np.zeros(n_rows(df))
    for e in effects:
        eta += np.log(e.ratio) * e.column(df)
    return eta


def weibull_shape_from_hr(hr: float, median_level: float, median_reference: float) -> float:
    """The Weibull shape at which two groups' medians and their hazard ratio agree.

    Under proportional Weibull hazards, ``S_g(t) = exp(-(t / b_g) ** k)``, the
    median of group ``g`` is ``b_g * log(2) ** (1 / k)`` and the hazard ratio
    of the level against the reference is ``(b_ref / b_level) ** k``, so
    ``HR = (median_reference / median_level) ** k`` and
    ``k = log(HR) / log(median_reference / median_level)``.  Shape 1 is the
    exponential model, in which the HR is the inverse ratio of the medians.

    Parameters
    ----------
    hr : float
        Hazard ratio of the level against the reference.
    median_level, median_reference : float
        Median survival time of each group (same unit).

    Returns
    -------
    float
        The shape ``k`` (positive).

    Raises
    ------
    ValueError
        If a value is not positive, the medians are equal, or the HR points the
        other way from the medians (no positive shape joins them).

    Examples
    --------
    Medians 10 and 20 months with HR 0.5 are exponential; HR 0.25 needs shape 2:

    >>> weibull_shape_from_hr(0.5, 20, 10)
    1.0
    >>> weibull_shape_from_hr(0.25, 20, 10)
    2.0
    """
    if not (hr > 0 and median_level > 0 and median_reference > 0):
        raise ValueError(
            f"the hazard ratio and both medians must be positive, got {hr:g}, {median_level:g}, "
            f"{median_reference:g}"
        )
    if median_level == median_reference or hr == 1:
        raise ValueError(f"equal medians ({median_level:g}) or a hazard ratio of 1 fix no shape")
    k = float(np.log(hr) / np.log(median_reference / median_level))
    if not k > 0:
        raise ValueError(
            f"a hazard ratio of {hr:g} points the other way from the medians "
            f"({median_level:g} against {median_reference:g}): no positive Weibull shape joins them"
        )
    return k


def simulate_survival(
    df: pd.DataFrame,
    rng: np.random.Generator,
    *,
    group: str,
    medians: Mapping[str, float],
    events: Mapping[str, int] | None = None,
    follow_up: tuple[float, float] | None = None,
    effects: Sequence[Effect] = (),
    shape: float = 1.0,
    prefix: str = "",
    median_tol: float = 0.05,
    cap: tuple[str, str] | None = None,
    max_draws: int = 50,
    bisection_steps: int = 60,
) -> pd.DataFrame:
    """Add ``{prefix}time`` and ``{prefix}event`` columns calibrated per group.

    Parameters
    ----------
    df : DataFrame
        The cohort (e.g. from :func:`hccrep.simulate.simulate_baseline`).
    rng : numpy.random.Generator
    group : str
        Column holding the group (arm) of each patient.
    medians : mapping group -> float
        The reported KM median of each group (an input).
    events : mapping group -> int, optional
        The reported number of events of each group (an input).  Then the
        censoring scale is solved so the count is exact, and all times are
        rescaled so the KM median is exact.
    follow_up : (min, max), optional
        Used when a paper reports no event counts: censoring is administrative,
        each patient's potential follow-up uniform on [min, max] (staggered
        entry up to a data cut-off, an assumption).  Then the time scale is
        solved by bisection so the KM median equals the reported one; it is
        met exactly when possible, else within ``median_tol``.  The time scale
        is bisected on the log scale ``bisection_steps`` times (60 by default;
        30 halve a width of 16 to 1.5e-8, ample for a median printed in days).
    effects : sequence of Effect
        Covariate hazard ratios (inputs, ideally from a multivariable model).
    shape : float
        Weibull shape (1 = exponential); an assumption.
    cap : (time column, event column), optional
        An endpoint that bounds this one, e.g. OS for PFS: a patient whose
        progression would come after death or censoring ends at the OS time
        with the OS status (death counts as a PFS event).  Needs ``follow_up``
        to be None and ``events`` None: the cap is the censoring.

    Returns
    -------
    DataFrame
        A copy of ``df`` with the two new columns (a new dict when ``df`` is a
        mapping of columns, :func:`hccrep.frames.raw_column`).

    Examples
    --------
    >>> d = pd.DataFrame({"arm": ["a"] * 40 + ["b"] * 30})
    >>> out = simulate_survival(d, np.random.default_rng(0), group="arm",
    ...                         medians={"a": 10.0, "b": 15.0}, events={"a": 30, "b": 20})
    >>> int(out.loc[out.arm == "a", "event"].sum())
    30
    """
    time, event = survival_arrays(
        df,
        rng,
        group=group,
        medians=medians,
        events=events,
        follow_up=follow_up,
        effects=effects,
        shape=shape,
        median_tol=median_tol,
        cap=cap,
        max_draws=max_draws,
        bisection_steps=bisection_steps,
    )
    return with_columns(df, {f"{prefix}time": time, f"{prefix}event": event})


def survival_arrays(
    df,
    rng: np.random.Generator,
    *,
    group: str,
    medians: Mapping[str, float],
    events: Mapping[str, int] | None = None,
    follow_up: tuple[float, float] | None = None,
    effects: Sequence[Effect] = (),
    shape: float = 1.0,
    median_tol: float = 0.05,
    cap: tuple[str, str] | None = None,
    max_draws: int = 50,
    bisection_steps: int = 60,
) -> tuple[np.ndarray, np.ndarray]:
    """The times and events :func:`simulate_survival` adds, as two arrays (the same draws).

    Parameters
    ----------
    df : DataFrame or mapping of columns
        The cohort.
    rng, group, medians, events, follow_up, effects, shape, median_tol, cap, max_draws, bisection_steps
        As in :func:`simulate_survival`.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Float times and 0/1 integer events, one per patient.

    Examples
    --------
    >>> d = {"arm": np.array(["a"] * 40 + ["b"] * 30, dtype=object)}
    >>> t, e = survival_arrays(d, np.random.default_rng(0), group="arm",
    ...                        medians={"a": 10.0, "b": 15.0}, events={"a": 30, "b": 20})
    >>> int(e[:40].sum()), int(e[40:].sum())
    (30, 20)
    """
    if shape <= 0:
        raise ValueError(f"shape must be positive, got {shape}")
    if (
        isinstance(bisection_steps, bool)
        or not isinstance(bisection_steps, (int, np.integer))
        or bisection_steps < 1
    ):
        raise ValueError(f"bisection_steps must be a positive integer, got {bisection_steps!r}")
    if cap is not None:
        if events is not None or follow_up is not None:
            raise ValueError(
                "with cap, censoring comes from the capping endpoint: give neither events nor follow_up"
            )
        for c in cap:
            if c not in df:
                raise KeyError(f"cap column {c!r} is not in the cohort")
    elif (events is None) == (follow_up is None):
        raise ValueError(
            "give exactly one of events (reported counts) or follow_up (administrative censoring)"
        )
    if follow_up is not None and not 0 <= follow_up[0] < follow_up[1]:
        raise ValueError(f"follow_up must be (min, max) with 0 <= min < max, got {follow_up}")
    if group not in df:
        raise KeyError(f"no group column {group!r}")
    eta = linear_predictor(df, effects)
    time = np.empty(n_rows(df))
    event = np.zeros(n_rows(df), dtype=int)
    labels = str_labels(df[group])
    for g in pd.unique(labels):
        idx = np.flatnonzero(labels == g)
        if g not in medians:
            raise KeyError(f"group {g!r} needs a reported median")
        if follow_up is not None or cap is not None:
            # The KM median is a step function of the time scale: when a censoring time sits
            # right at the median, the target can be jumped over.  Such a draw is redrawn
            # (at most `max_draws` times); the redraws come from the same seeded generator.
            for attempt in range(max_draws):
                t0 = (rng.exponential(1.0, idx.size) / np.exp(eta[idx])) ** (1.0 / shape)
                if cap is not None:
                    cens = np.asarray(raw_column(df[cap[0]]), dtype=float)[idx]
                    cens_event = np.asarray(raw_column(df[cap[1]]), dtype=int)[idx]
                else:
                    cens = rng.uniform(follow_up[0], follow_up[1], idx.size)
                    cens_event = np.zeros(idx.size, dtype=int)
                try:
                    time[idx], event[idx] = _calibrate_admin(
                        t0, cens, cens_event, float(medians[g]), g, median_tol, bisection_steps
                    )
                    break
                except _MedianJump:
                    if attempt == max_draws - 1:
                        raise CalibrationError(
                            f"group {g!r}: no draw of {max_draws} reached the KM median {medians[g]} within {median_tol}"
                        ) from None
            continue
        if g not in events:
            raise KeyError(f"group {g!r} needs a reported event count")
        n, d = idx.size, int(events[g])
        if not 0 < d <= n:
            raise CalibrationError(f"group {g!r}: {d} events is impossible with {n} patients")
        t0 = (rng.exponential(1.0, n) / np.exp(eta[idx])) ** (1.0 / shape)
        u = rng.uniform(0.0, 1.0, n)
        ratio = np.sort(t0 / u)
        s = np.inf if d == n else float(np.sqrt(ratio[d - 1] * ratio[d]))
        c = s * u
        ev = (t0 < c).astype(int)
        t = np.minimum(t0, c)
        m = fastsurv.median_survival(t, ev)
        if not np.isfinite(m):
            raise CalibrationError(
                f"group {g!r}: the KM median is not reached with {d} events of {n}; cannot calibrate to {medians[g]}"
            )
        t = t * (float(medians[g]) / m)
        time[idx], event[idx] = t, ev
    return time, event


def _calibrate_admin(
    t0: np.ndarray,
    cens: np.ndarray,
    cens_event: np.ndarray,
    target: float,
    g: str,
    tol: float,
    steps: int = 60,
) -> tuple[np.ndarray, np.ndarray]:
    """Scale event times (censoring fixed) so the KM median equals ``target``.

    A patient whose event would come after ``cens`` ends there with status
    ``cens_event`` (0 for censoring; the capping endpoint's status for a cap).
    The log time scale is bisected; once the bracket is narrow, the scale at
    which the median patient's own event time equals ``target`` is solved
    exactly and kept if the KM median there is ``target`` (otherwise the
    bisection runs its ``steps`` and the closer end is kept).
    """

    def observe(log_c: float) -> tuple[np.ndarray, np.ndarray]:
        t = np.exp(log_c) * t0
        return np.minimum(t, cens), np.where(t <= cens, 1, cens_event).astype(int)

    if t0.size <= fastsurv.SMALL_ARM:  # observe() and the median in plain Python: the same floats
        t0l, cl, cel = t0.tolist(), cens.tolist(), cens_event.tolist()
        n = len(t0l)
        # without equal times among the event times or among the censoring times, the observed
        # times come in order from two lists sorted once: see _median_merged
        merged = len(set(t0l)) == n and len(set(cl)) == n
        by_t0 = sorted(range(n), key=t0l.__getitem__)
        by_cens = sorted(range(n), key=cl.__getitem__)

        def median_at(log_c: float) -> float:
            s = float(np.exp(log_c))
            m = _median_merged(s, t0l, cl, cel, by_t0, by_cens) if merged else None
            if m is None:  # equal observed times: the general Kaplan-Meier median
                obs = []
                for a, c, ce in zip(t0l, cl, cel):
                    t = s * a
                    obs.append((t, 1) if t <= c else (c, ce))
                m = fastsurv.median_survival_pairs(obs)
            return m if m == m else np.inf  # not reached (NaN) counts as infinitely late
    else:

        def median_at(log_c: float) -> float:
            m = fastsurv.median_survival(*observe(log_c))
            return m if np.isfinite(m) else np.inf

    lo = np.log(target / np.median(t0)) - 8.0
    hi = lo + 16.0
    if not median_at(lo) < target <= median_at(hi):
        raise CalibrationError(
            f"group {g!r}: no time scale gives a KM median of {target} with this follow-up"
        )

    def exact_scale(log_c: float, m: float) -> float | None:
        # Between two changes in the order of scaled event and censoring times, the median is
        # one patient's own event time, exp(c) * t0[j]: solve exp(c) * t0[j] = target for c.
        t = np.exp(log_c) * t0
        own = np.flatnonzero((t <= cens) & (np.minimum(t, cens) == m))
        if own.size != 1:
            return None
        c = float(np.log(target / t0[own[0]]))
        if (
            not lo <= c <= hi
        ):  # another crossing of the target (the median need not be monotone in c)
            return None
        return c if abs(median_at(c) - target) <= 1e-12 * abs(target) else None

    best = None
    for i in range(steps):
        mid = 0.5 * (lo + hi)
        m = median_at(mid)
        if m < target:
            lo = mid
        else:
            hi = mid
        if i in (19, 34, 49) and np.isfinite(m):  # the bracket is narrow: try the exact scale
            best = exact_scale(mid, m)
            if best is not None:
                break
    if best is None:
        best = min((lo, hi), key=lambda c: abs(median_at(c) - target))
    achieved = median_at(best)
    if abs(achieved - target) > tol:
        raise _MedianJump(
            f"group {g!r}: KM median {achieved:.3f} is the closest reachable to {target} (tolerance {tol})"
        )
    return observe(best)


def _median_merged(
    s: float,
    t0: list[float],
    cens: list[float],
    cens_event: list[int],
    by_t0: list[int],
    by_cens: list[int],
) -> float | None:
    """The Kaplan-Meier median of the patients observed at time scale ``s``, or None on a tie.

    Patient ``i`` is observed at ``s * t0[i]`` with an event when that is at most
    ``cens[i]``, else at ``cens[i]`` with status ``cens_event[i]``.  The scaled event times
    keep the order of ``t0`` (``by_t0``) and the censoring times the order of ``cens``
    (``by_cens``), so the observed times come in order by merging the two lists, and the
    walk stops at the median.  The products and the rule are those of
    :func:`hccrep.stats.fastsurv.median_survival_pairs` in the same order (the same
    float); when an event time equals a censoring time the merge returns None and the
    caller sorts every pair instead.  The lists must hold no equal values within ``t0``
    or within ``cens``.
    """
    n = len(t0)
    tol = fastsurv._HALF_TOL_F
    ia = ib = 0
    ta = tb = 0.0
    eb = 0
    while ia < n:  # the first patient with an event
        p = by_t0[ia]
        ta = s * t0[p]
        if ta <= cens[p]:
            break
        ia += 1
    while ib < n:  # the first patient ending at the censoring time
        q = by_cens[ib]
        if s * t0[q] > cens[q]:
            tb, eb = cens[q], cens_event[q]
            break
        ib += 1
    k = 0
    surv = 1.0
    found = None
    while ia < n or ib < n:
        if ib >= n or (ia < n and ta < tb):
            t, e = ta, 1
            ia += 1
            while ia < n:
                p = by_t0[ia]
                ta = s * t0[p]
                if ta <= cens[p]:
                    break
                ia += 1
        elif ia >= n or tb < ta:
            t, e = tb, eb
            ib += 1
            while ib < n:
                q = by_cens[ib]
                if s * t0[q] > cens[q]:
                    tb, eb = cens[q], cens_event[q]
                    break
                ib += 1
        else:  # an event time equals a censoring time
            return None
        if e:
            surv *= 1.0 - 1.0 / (n - k)
            if found is not None:  # the curve sat at exactly 0.5: midpoint to the next event
                return 0.5 * (found + t)
            if surv <= 0.5 + tol:
                if abs(surv - 0.5) < tol:
                    found = t
                else:
                    return float(t)
        k += 1
    return float(found) if found is not None else float("nan")


def simulate_binary(
    df: pd.DataFrame,
    rng: np.random.Generator,
    *,
    positives: int | Mapping[str, int],
    effects: Sequence[Effect] = (),
    group: str | None = None,
    name: str = "response",
) -> pd.DataFrame:
    """Add a 0/1 column with exactly the reported number of positives.

    Parameters
    ----------
    positives : int or mapping group -> int
        Number of positives overall, or per group (then ``group`` is needed).
    effects : sequence of Effect
        Odds ratios acting through the latent logistic model.

    Returns
    -------
    DataFrame
        A copy of ``df`` with the 0/1 column ``name``.

    Examples
    --------
    >>> d = pd.DataFrame({"x": np.r_[np.zeros(50), np.ones(50)]})
    >>> out = simulate_binary(d, np.random.default_rng(0), positives=30, effects=[Effect("x", 4)])
    >>> int(out.response.sum())
    30
    """
    return with_columns(
        df,
        {name: binary_column(df, rng, positives=positives, effects=effects, group=group)},
    )


def binary_column(
    df,
    rng: np.random.Generator,
    *,
    positives: int | Mapping[str, int],
    effects: Sequence[Effect] = (),
    group: str | None = None,
) -> np.ndarray:
    """The 0/1 column :func:`simulate_binary` adds, as an array (the same draws).

    Parameters
    ----------
    df : DataFrame or mapping of columns
        The cohort.
    rng, positives, effects, group
        As in :func:`simulate_binary`.

    Returns
    -------
    numpy.ndarray of int
        One 0/1 value per patient.

    Examples
    --------
    >>> y = binary_column({"x": np.r_[np.zeros(50), np.ones(50)]}, np.random.default_rng(0),
    ...                   positives=30, effects=[Effect("x", 4)])
    >>> int(y.sum())
    30
    """
    n = n_rows(df)
    eta = linear_predictor(df, effects)
    latent = eta + rng.logistic(0.0, 1.0, n)
    y = np.zeros(n, dtype=int)
    if isinstance(positives, Mapping):
        if group is None:
            raise ValueError("per-group positives need the group column")
        labels = str_labels(df[group])
        parts = [(np.flatnonzero(labels == g), m) for g, m in positives.items()]
        if sum(p.size for p, _ in parts) != n:
            raise KeyError(f"positives must name every group of {group!r}")
    else:
        parts = [(np.arange(n), positives)]
    for idx, m in parts:
        m = int(m)
        if not 0 <= m <= idx.size:
            raise CalibrationError(f"{m} positives is impossible with {idx.size} patients")
        top = idx[np.argsort(-latent[idx], kind="stable")[:m]]
        y[top] = 1
    return y


def binary_effects_for(study, outcome: str) -> list[Effect]:
    """The covariate effects of a declared binary outcome, as odds ratios.

    A coefficient printed as a log odds ratio (quantity ``log_or``) becomes
    ``exp(beta)``; a printed odds ratio is used as it is.

    Parameters
    ----------
    study : hccrep.spec.Study
        A study whose ``simulation.yaml`` declares ``binary`` outcomes.
    outcome : str
        The ``outcome`` name of one of them.

    Returns
    -------
    list of Effect
        One per declared effect, its ratio an odds ratio.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> [e.variable for e in binary_effects_for(load_study("tu2025"), "tin")][:2]   # doctest: +SKIP
    ['nlr', 'delta_t']
    """
    sim = study.simulation
    if sim is None:
        raise ValueError(f"{study.key} has no simulation.yaml")
    for b in sim.binary:
        if b.outcome == outcome:
            out = []
            for e in b.effects:
                num = study.number(e.or_key)
                ratio = float(np.exp(num.value)) if num.quantity == "log_or" else float(num.value)
                out.append(Effect(e.variable, ratio, e.level))
            return out
    raise KeyError(
        f"{study.key}: no binary outcome {outcome!r} in simulation.yaml; declared: {[b.outcome for b in sim.binary]}"
    )


def simulate_declared_binary(study, cohort, rng: np.random.Generator):
    """Add every binary outcome declared in the study's ``simulation.yaml``.

    Each outcome gets exactly its reported number of positives per group
    (:func:`simulate_binary`).  When the block names a baseline ``variable``,
    that categorical column is rewritten from the outcome (``positive`` where
    the outcome is 1, the variable's other level elsewhere), so its reported
    counts still hold exactly.

    Parameters
    ----------
    study : Study
        The study whose ``simulation.yaml`` declares the binary outcomes.
    cohort : DataFrame or mapping of columns
        The simulated baseline cohort.
    rng : numpy.random.Generator
        Source of the draws.

    Returns
    -------
    DataFrame or dict
        A copy of ``cohort`` (a new dict for a mapping) with one 0/1 column per declared
        outcome (``cohort`` itself when none is declared).

    Raises
    ------
    ValueError
        If a replaced variable does not have exactly two levels.
    """
    sim = study.simulation
    if sim is None or not sim.binary:
        return cohort
    # one copy of a frame (the outcomes are then set on it), a new dict of columns
    out = cohort.copy() if isinstance(cohort, pd.DataFrame) else dict(cohort)
    for b in sim.binary:
        positives = {g: int(study.number(k).value) for g, k in b.prevalence.items()}
        y = binary_column(
            out,
            rng,
            positives=positives,
            effects=binary_effects_for(study, b.outcome),
            group=sim.group_variable,
        )
        out[b.outcome] = y
        if b.variable is not None:
            old = raw_column(out[b.variable])
            cats = list(old.categories)
            if len(cats) != 2:
                raise ValueError(
                    f"binary outcome {b.outcome!r} replaces {b.variable!r}, which needs exactly two levels, has {cats}"
                )
            other = next(c for c in cats if c != b.positive)
            out[b.variable] = pd.Categorical(
                np.where(y == 1, b.positive, other), categories=cats, ordered=old.ordered
            )
    return out


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
    a12 = int(_round_half_up(n * s12, 0))
    a24 = int(_round_half_up(n * s24, 0))
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

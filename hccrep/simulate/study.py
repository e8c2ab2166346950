"""Outcomes declared in a study's ``simulation.yaml``, added to a simulated cohort."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrep.simulate.outcomes import Effect, simulate_survival
from hccrep.spec import Study

__all__ = [
    "simulate_endpoints",
    "effects_for",
    "weibull_shape",
    "implied_weibull_shapes",
    "with_survival_shape",
    "without_covariate_effects",
    "with_survival_effect",
]


def effects_for(study: Study, endpoint: str) -> list[Effect]:
    """The covariate effects of ``endpoint`` with their reported hazard ratios (inputs).

    Parameters
    ----------
    study : Study
        The study.
    endpoint : str
        A survival endpoint of its ``simulation.yaml`` (e.g. ``"os"``).

    Returns
    -------
    list of Effect
        One per declared effect, its ratio the reported hazard ratio.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> all(e.ratio > 0 for e in effects_for(load_study("fonc2025"), "os"))
    True
    """
    sim = study.simulation
    if sim is None:
        raise ValueError(f"{study.key} has no simulation.yaml")
    for sv in sim.survival:
        if sv.endpoint == endpoint:
            return [Effect(e.variable, study.number(e.hr_key).value, e.level) for e in sv.effects]
    raise KeyError(f"{study.key}: no survival endpoint {endpoint!r} in simulation.yaml")


def simulate_endpoints(
    study: Study, cohort: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Add ``<endpoint>_time`` and ``<endpoint>_event`` for every declared survival endpoint.

    Endpoints are simulated in the order listed, so one may be capped by an
    earlier one (PFS by OS).

    Parameters
    ----------
    study : Study
        The study whose ``simulation.yaml`` declares the endpoints.
    cohort : DataFrame
        The simulated baseline cohort.
    rng : numpy.random.Generator
        Source of the draws.

    Returns
    -------
    DataFrame
        ``cohort`` with the time and event columns of every endpoint (``cohort`` itself when
        none is declared).

    Examples
    --------
    >>> from hccrep.simulate import simulate_baseline
    >>> from hccrep.spec import load_study
    >>> st = load_study("fonc2025")
    >>> rng = np.random.default_rng(1)
    >>> out = simulate_endpoints(st, simulate_baseline(st.baseline(), rng, st.simulation), rng)
    >>> {"os_time", "os_event"} <= set(out.columns)
    True
    """
    sim = study.simulation
    if sim is None:
        return cohort
    out = cohort
    for sv in sim.survival:
        medians = {g: study.number(k).value for g, k in sv.medians.items()}
        events = (
            {g: int(study.number(k).value) for g, k in sv.events.items()} if sv.events else None
        )
        cap = (f"{sv.cap_by}_time", f"{sv.cap_by}_event") if sv.cap_by else None
        out = simulate_survival(
            out,
            rng,
            group=sim.group_variable,
            medians=medians,
            events=events,
            follow_up=tuple(sv.follow_up) if sv.follow_up else None,
            effects=effects_for(study, sv.endpoint),
            shape=sv.shape,
            prefix=f"{sv.endpoint}_",
            cap=cap,
        )
    return out


def weibull_shape(times, survival) -> float:
    """Least-squares Weibull shape through points ``(t, S(t))``: the slope of ``log(-log S)`` on ``log t``.

    Under ``S(t) = exp(-(t / b) ** k)``, ``log(-log S(t)) = k log t - k log b``
    is a straight line in ``log t`` with slope ``k``.

    Parameters
    ----------
    times : array_like
        Positive times, at least two distinct.
    survival : array_like
        Survival probabilities at those times, strictly between 0 and 1.

    Returns
    -------
    float
        The fitted shape (1: exponential; above 1: a hazard rising with time).

    Examples
    --------
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


def implied_weibull_shapes(study: Study) -> pd.DataFrame:
    """The Weibull shape each group's reported KM median and landmark rates imply.

    Reads every number declared as a ``km_median`` (the point ``S = 0.5`` at
    the median) or a ``km_landmark`` (the rate at its time, a percentage), whatever its role, and fits :func:`weibull_shape` per
    endpoint and group through those points.

    Parameters
    ----------
    study : Study

    Returns
    -------
    pandas.DataFrame
        ``endpoint, group, points, shape`` (NaN with fewer than two usable points).

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> shapes = implied_weibull_shapes(load_study("fonc2025"))
    >>> sorted(shapes.columns)
    ['endpoint', 'group', 'points', 'shape']
    """
    pts: dict[tuple[str, str | None], list[tuple[float, float]]] = {}
    for n in study.numbers:
        a = n.analysis
        if a is None or a.kind not in ("km_median", "km_landmark") or a.subset or a.population:
            continue  # a subgroup or a matched sample is not the group's curve
        if a.kind == "km_median" and n.quantity == "median":
            point = (n.value, 0.5)
        elif a.kind == "km_landmark":
            point = (a.time, n.value / 100)  # the handler's rates are percentages
        else:
            continue
        pts.setdefault((a.endpoint, a.group), []).append(point)
    rows = []
    for (ep, g), p in pts.items():
        p = [q for q in p if 0 < q[1] < 1 and q[0] > 0]
        ok = len(p) >= 2 and len({q[0] for q in p}) >= 2
        shape = weibull_shape([q[0] for q in p], [q[1] for q in p]) if ok else float("nan")
        rows.append({"endpoint": ep, "group": g, "points": len(p), "shape": shape})
    return pd.DataFrame(rows, columns=["endpoint", "group", "points", "shape"])


def _with_survival(study: Study, survival: list) -> Study:
    import dataclasses

    sim = study.simulation
    new = dataclasses.replace(study, simulation=sim.model_copy(update={"survival": survival}))
    new.__dict__.pop("numbers", None)  # a cached_property: recompute for the copy
    return new


def with_survival_shape(study: Study, shape: float, endpoints=("os",)) -> Study:
    """A copy of ``study`` whose simulation uses Weibull ``shape`` for ``endpoints`` (a what-if).

    The data files are untouched; only the in-memory simulation spec changes
    (a ``shape_from`` of those endpoints is replaced by the given shape).

    Parameters
    ----------
    study : Study
    shape : float
        Positive; above 1 a hazard rising with time, below 1 falling.
    endpoints : sequence of str
        Survival endpoints of ``simulation.yaml``.

    Returns
    -------
    Study

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = with_survival_shape(load_study("fonc2025"), 1.0, ("os",))
    >>> [sv.shape for sv in st.simulation.survival if sv.endpoint == "os"]
    [1.0]
    """
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
    return _with_survival(
        study,
        [
            sv.model_copy(update={"shape": float(shape), "shape_from": None})
            if sv.endpoint in endpoints
            else sv
            for sv in sim.survival
        ],
    )


def without_covariate_effects(study: Study) -> Study:
    """A copy of ``study`` whose survival endpoints have no covariate effects (the null scenario).

    The groups keep their calibrated medians (and their shapes), so a
    difference between the groups remains; no baseline variable changes
    anyone's hazard.  The data files are untouched.

    Parameters
    ----------
    study : Study

    Returns
    -------
    Study

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = without_covariate_effects(load_study("fonc2025"))
    >>> [len(sv.effects) for sv in st.simulation.survival]
    [0, 0]
    """
    sim = study.simulation
    if sim is None:
        raise ValueError(f"{study.key} has no simulation.yaml")
    return _with_survival(study, [sv.model_copy(update={"effects": []}) for sv in sim.survival])


def with_survival_effect(
    study: Study, endpoint: str, variable: str, level: str | None, hr_key: str, why: str
) -> Study:
    """A copy of ``study`` in which ``variable == level`` also multiplies the hazard of ``endpoint``.

    The hazard ratio is read from the reported number ``hr_key`` (for
    example the adjusted OS hazard ratio of a stage, to ask what happens if
    stage acted on PFS as it does on OS). The medians stay the calibration
    targets. Data files are untouched; only the in-memory simulation spec
    changes.

    Parameters
    ----------
    study : Study
    endpoint : str
        A survival endpoint of ``simulation.yaml``.
    variable, level : str
        The baseline variable and the level whose indicator carries the effect.
    hr_key : str
        Key of the reported hazard ratio to use.
    why : str
        The reason, kept with the effect.

    Returns
    -------
    Study

    Raises
    ------
    ValueError
        If the endpoint is not simulated or already has an effect of ``variable``.
    KeyError
        If ``hr_key`` names no reported number.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = with_survival_effect(
    ...     load_study("fonc2025"), "pfs", "bclc", "C", "cox_os_mv_bclc_hr", why="what-if"
    ... )
    >>> [e.variable for sv in st.simulation.survival if sv.endpoint == "pfs" for e in sv.effects]
    ['ecog', 'treatment_line', 'bclc']
    """
    from hccrep.spec import EffectSpec

    sim = study.simulation
    if sim is None or not any(sv.endpoint == endpoint for sv in sim.survival):
        raise ValueError(f"{study.key} simulates no {endpoint!r} endpoint")
    study.number(hr_key)  # fails loudly for an unknown key
    survival = []
    for sv in sim.survival:
        if sv.endpoint == endpoint:
            if any(e.variable == variable for e in sv.effects):
                raise ValueError(f"{endpoint} already has an effect of {variable!r}")
            effect = EffectSpec(variable=variable, level=level, hr_key=hr_key, why=why)
            sv = sv.model_copy(update={"effects": [*sv.effects, effect]})
        survival.append(sv)
    return _with_survival(study, survival)

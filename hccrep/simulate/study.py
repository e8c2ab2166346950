"""Outcomes declared in a study's ``simulation.yaml``, added to a simulated cohort."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrep.simulate.outcomes import Effect, simulate_survival
from hccrep.spec import Study

__all__ = ["simulate_endpoints", "effects_for"]


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

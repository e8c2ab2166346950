"""Two declared refinements of a simulated baseline: one outlier in a group, a latent marker.

Both are read from ``parameters`` of a study's ``simulation.yaml`` and change a cohort drawn by
:func:`hccrep.simulate.simulate_baseline` in place, keeping every printed input exact:

- ``one_outlier`` -- a list of ``{variable, group, rest_sd_of, side, why}``: the group's printed
  mean ± SD of a continuous variable come from one value far out among ordinary values whose SD
  is the pooled printed SD of the groups ``rest_sd_of`` (:mod:`hccrep.simulate.outlier`). The
  new values are handed out in the rank order of the old ones, so declared correlations survive.
- ``latent_marker`` -- ``{column, indicator, above, outcome, split: {negative, positive}, why}``:
  a standardised continuous marker behind a printed two-level indicator, shifted between the
  outcome groups by the probit difference of the printed split (``split`` names two reported
  counts with ``about.count`` and ``about.n``); in each baseline group the patients with the
  largest marker carry the indicator's upper level, as many as the baseline draw gave it.

A malformed block is a :class:`hccrep.spec.DataFileError` naming ``simulation.yaml`` and the field.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["one_outlier_specs", "apply_one_outliers", "latent_marker_spec", "apply_latent_marker"]


def _params(study) -> dict:
    return study.simulation.parameters if study.simulation else {}


def one_outlier_specs(study) -> list[dict]:
    """The declared one-outlier shapes of ``parameters.one_outlier``, checked.

    Parameters
    ----------
    study : Study
        A loaded study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    list of dict
        One entry per declared shape, ``side`` defaulting to ``"high"``; empty when none is declared.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> [s["variable"] for s in one_outlier_specs(load_study("fonc2025"))]
    []
    """
    from hccrep.spec import ContinuousVariable, DataFileError

    specs = _params(study).get("one_outlier", [])
    path = study.folder / "simulation.yaml"
    if not isinstance(specs, list):
        raise DataFileError(path, [("parameters.one_outlier", "must be a list")])
    base = study.baseline()
    groups = {g.key for g in base.groups}
    variables = {v.key: v for v in base.variables}
    out = []
    for i, spec in enumerate(specs):
        loc = f"parameters.one_outlier[{i}]"
        if not isinstance(spec, dict):
            raise DataFileError(path, [(loc, "must be a mapping")])
        unknown = set(spec) - {"variable", "group", "rest_sd_of", "side", "why"}
        problems = [(loc, f"unknown field {k!r}") for k in sorted(unknown)]
        if not isinstance(variables.get(spec.get("variable")), ContinuousVariable):
            problems.append((f"{loc}.variable", "must name a continuous baseline variable"))
        if spec.get("group") not in groups:
            problems.append((f"{loc}.group", f"must be one of {sorted(groups)}"))
        rest = spec.get("rest_sd_of")
        if not isinstance(rest, list) or not rest or set(rest) - groups:
            problems.append((f"{loc}.rest_sd_of", f"must be a list of {sorted(groups)}"))
        if spec.get("side", "high") not in ("high", "low"):
            problems.append((f"{loc}.side", "must be 'high' or 'low'"))
        if not spec.get("why"):
            problems.append((f"{loc}.why", "must say why the shape is assumed"))
        if problems:
            raise DataFileError(path, problems)
        out.append({**spec, "side": spec.get("side", "high")})
    return out


def apply_one_outliers(
    study, cohort: pd.DataFrame, rng: np.random.Generator, group_column: str
) -> None:
    """Redraw each declared group's values as one outlier among ordinary ones, ranks kept.

    Parameters
    ----------
    study : Study
        The study whose ``parameters.one_outlier`` is applied (:func:`one_outlier_specs`).
    cohort : DataFrame
        A simulated baseline cohort, changed in place.
    rng : numpy.random.Generator
        The cohort's random stream (one draw per declared shape).
    group_column : str
        The baseline table's group column.

    Returns
    -------
    None
        The group's values keep the printed mean and SD exactly
        (:func:`hccrep.simulate.outlier.exact_mean_sd_one_outlier`).

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("tu2025")
    >>> from hccrep.simulate import simulate_baseline
    >>> c = simulate_baseline(st.baseline(), np.random.default_rng(1), st.simulation)
    >>> apply_one_outliers(st, c, np.random.default_rng(2), "cohort")
    >>> round(float(c.loc[c["cohort"] == "test", "alb"].max()), 1) > 100
    True
    """
    from hccrep.printed import parse_summary
    from hccrep.simulate.outlier import exact_mean_sd_one_outlier

    base = study.baseline()
    sizes = {g.key: g.n for g in base.groups}
    variables = {v.key: v for v in base.variables}
    for spec in one_outlier_specs(study):
        v = variables[spec["variable"]]

        def summary(g, v=v):
            c = v.cells[g]
            return parse_summary(c if isinstance(c, str) else c.printed, v.summary)

        pooled = sum((sizes[g] - 1) * summary(g).spread[0] ** 2 for g in spec["rest_sd_of"])
        rest_sd = float(np.sqrt(pooled / sum(sizes[g] - 1 for g in spec["rest_sd_of"])))
        here = summary(spec["group"])
        mask = cohort[group_column].astype(str).to_numpy() == spec["group"]
        old = cohort.loc[mask, v.key].to_numpy(float)
        new = np.sort(
            exact_mean_sd_one_outlier(
                int(mask.sum()), here.centre, here.spread[0], rest_sd, rng, spec["side"]
            )
        )
        ranks = np.argsort(np.argsort(old, kind="stable"), kind="stable")
        cohort.loc[mask, v.key] = new[ranks]


def latent_marker_spec(study) -> dict | None:
    """The declared latent marker (``parameters.latent_marker``) with its probit shift ``delta``.

    A printed split of a dichotomised marker by outcome fixes, under a normal
    latent marker with the same spread in both outcome groups, the shift between
    the groups in SD units: ``Phi^-1(p_positive) - Phi^-1(p_negative)`` (the
    spread and the cut-off cancel).

    Parameters
    ----------
    study : Study
        A loaded study.

    Returns
    -------
    dict or None
        The declared fields plus ``delta`` and ``share`` (the two printed shares);
        ``None`` when no latent marker is declared.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> latent_marker_spec(load_study("fonc2025")) is None
    True
    """
    from scipy.stats import norm

    from hccrep.spec import DataFileError

    spec = _params(study).get("latent_marker")
    if spec is None:
        return None
    path = study.folder / "simulation.yaml"
    loc = "parameters.latent_marker"
    need = {"column", "indicator", "above", "outcome", "split", "why"}
    if not isinstance(spec, dict) or set(spec) != need:
        raise DataFileError(path, [(loc, f"must be a mapping with exactly {sorted(need)}")])
    split = spec["split"]
    if not isinstance(split, dict) or set(split) != {"negative", "positive"}:
        raise DataFileError(path, [(f"{loc}.split", "must name 'negative' and 'positive' keys")])
    share = {}
    for side, key in split.items():
        try:
            n = study.number(key)
        except KeyError:
            raise DataFileError(path, [(f"{loc}.split.{side}", f"no number {key!r}")]) from None
        if n.role != "input":  # the cohort is built from it, so it can never count as replicated
            raise DataFileError(
                path, [(f"{loc}.split.{side}", f"{key} builds the cohort: its role must be input")]
            )
        count, total = n.about.count, n.about.n
        if count is None or not total or not 0 < count < total:
            raise DataFileError(
                path, [(f"{loc}.split.{side}", f"{key} needs a count strictly inside 0..n")]
            )
        share[side] = count / total
    delta = float(norm.ppf(share["positive"]) - norm.ppf(share["negative"]))
    return {**spec, "delta": delta, "share": share}


def apply_latent_marker(
    study, cohort: pd.DataFrame, rng: np.random.Generator, group_column: str
) -> None:
    """Add the declared latent marker and re-assign its printed indicator by it.

    ``u = delta * outcome + e`` with ``e`` standard normal; in each baseline group
    the patients with the largest ``u`` carry the indicator's upper level, as many
    as the cohort had (so the printed counts stay exact).

    Parameters
    ----------
    study : Study
        The study whose ``parameters.latent_marker`` is applied (:func:`latent_marker_spec`).
    cohort : DataFrame
        A simulated cohort with the outcome column, changed in place.
    rng : numpy.random.Generator
        The cohort's random stream (one normal per patient).
    group_column : str
        The baseline table's group column.

    Returns
    -------
    None
        ``cohort[column]`` holds the marker; ``cohort[indicator]`` is re-assigned.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("fonc2025")
    >>> apply_latent_marker(st, pd.DataFrame(), np.random.default_rng(0), "group")  # none declared
    """
    spec = latent_marker_spec(study)
    if spec is None:
        return
    y = cohort[spec["outcome"]].to_numpy(float)
    u = spec["delta"] * y + rng.standard_normal(len(cohort))
    ind = cohort[spec["indicator"]]
    levels = list(ind.cat.categories)
    above = levels.index(spec["above"])
    below = 1 - above
    codes = ind.cat.codes.to_numpy().copy()
    groups = cohort[group_column].astype(str).to_numpy()
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        k = int((codes[idx] == above).sum())
        order = idx[np.argsort(-u[idx], kind="stable")]
        codes[order[:k]] = above
        codes[order[k:]] = below
    cohort[spec["indicator"]] = pd.Categorical.from_codes(codes, dtype=ind.dtype)
    cohort[spec["column"]] = u

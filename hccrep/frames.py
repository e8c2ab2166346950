"""Small, fast helpers on pandas columns used inside Monte Carlo loops."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["str_labels", "indicator_frame"]


def str_labels(col: pd.Series) -> np.ndarray:
    """``col.astype(str).to_numpy()``, without pandas' per-call cost for a categorical column.

    A Monte Carlo cohort converts its group and factor columns to strings many
    times per cohort; for a ``Categorical`` the categories are converted once
    and indexed by the codes (a missing value gives ``"nan"``, as ``astype(str)``
    does).  Other dtypes go through ``astype(str)``.

    Parameters
    ----------
    col : Series
        Any column; categorical columns take the fast path.

    Returns
    -------
    numpy.ndarray
        The labels as strings, one per row.

    Examples
    --------
    >>> s = pd.Series(pd.Categorical(["b", None, "a"], categories=["a", "b"]))
    >>> str_labels(s).tolist()
    ['b', 'nan', 'a']
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        cat = col.array  # the Categorical itself: .codes is an ndarray, without building a Series
        cats = np.array([str(c) for c in cat.categories] + ["nan"], dtype=object)
        return cats[cat.codes]  # code -1 (missing) picks the trailing "nan"
    return col.astype(str).to_numpy()


def indicator_frame(study, cohort: pd.DataFrame) -> pd.DataFrame:
    """Every categorical baseline variable as 0/1 indicators of its non-reference levels.

    Column names are ``"<variable label>: <level label>"``; ``attrs["variable"]``
    maps each column to its variable key.  A two-level variable gives one
    column (its second level), so a balance table has one row per binary
    variable instead of two mirror-image rows.

    Parameters
    ----------
    study : Study
        Its baseline table names the variables, their labels and levels.
    cohort : pandas.DataFrame
        A simulated cohort (variables it lacks are left out).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> from hccrep.replication import runner_for
    >>> r = runner_for("fonc2025")
    >>> ind = indicator_frame(r.study, r.simulate(1))
    >>> ind.attrs["variable"]["BCLC: C"]
    'bclc'
    """
    cols, var_of = {}, {}
    for v in study.baseline().variables:
        if v.key not in cohort.columns:
            continue
        x = str_labels(cohort[v.key])
        for lv in v.levels[1:]:
            name = f"{v.label}: {lv.label}"
            cols[name] = (x == lv.key).astype(int)
            var_of[name] = v.key
    out = pd.DataFrame(cols, index=cohort.index)
    out.attrs["variable"] = var_of
    return out

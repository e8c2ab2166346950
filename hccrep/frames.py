"""Small, fast helpers on pandas columns used inside Monte Carlo loops."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["str_labels", "factor_labels", "indicator_frame"]


def factor_labels(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The distinct labels of ``col.astype(str)`` and each row's index into them.

    ``labels[codes]`` equals ``col.astype(str).to_numpy()``.  A ``Categorical``
    gives its categories as strings, with a trailing ``"nan"`` that missing
    values point to; an integer or boolean column gives its distinct values as
    ``str`` writes them (as ``astype(str)`` does); any other column goes through
    ``astype(str)`` once.  A Monte Carlo cohort counts and compares its factor
    columns many times per cohort; integer codes make that a ``bincount``.

    Parameters
    ----------
    col : pandas.Series
        Any column.

    Returns
    -------
    labels : numpy.ndarray of object
        Distinct labels (strings).
    codes : numpy.ndarray of int64
        One index into ``labels`` per row.

    Examples
    --------
    >>> labels, codes = factor_labels(pd.Series([1, 0, 1]))
    >>> labels.tolist(), codes.tolist()
    (['0', '1'], [1, 0, 1])
    >>> s = pd.Series(pd.Categorical(["b", None, "a"], categories=["a", "b"]))
    >>> labels, codes = factor_labels(s)
    >>> labels[codes].tolist()
    ['b', 'nan', 'a']
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        cat = col.array  # the Categorical itself: .codes is an ndarray, without building a Series
        labels = np.array([str(c) for c in cat.categories] + ["nan"], dtype=object)
        codes = cat.codes.astype(np.int64)
        codes[codes < 0] = labels.size - 1  # code -1 (missing) picks the trailing "nan"
        return labels, codes
    x = col.to_numpy()
    if x.dtype.kind in "iub":
        values, codes = np.unique(x, return_inverse=True)
        return np.array([str(v) for v in values.tolist()], dtype=object), codes.reshape(-1)
    labels, codes = np.unique(col.astype(str).to_numpy(), return_inverse=True)
    return labels, codes.reshape(-1)


def str_labels(col: pd.Series) -> np.ndarray:
    """``col.astype(str).to_numpy()``, without pandas' per-call cost for a categorical column.

    A Monte Carlo cohort converts its group and factor columns to strings many
    times per cohort; for a ``Categorical`` the categories are converted once
    and indexed by the codes (a missing value gives ``"nan"``, as ``astype(str)``
    does); an integer or boolean column converts its distinct values once
    (:func:`factor_labels`).  Other dtypes go through ``astype(str)``.

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
    >>> str_labels(pd.Series([True, False])).tolist()
    ['True', 'False']
    """
    if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype.kind in "iub":
        labels, codes = factor_labels(col)
        return labels[codes]
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

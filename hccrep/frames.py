"""Small, fast helpers on pandas columns used inside Monte Carlo loops."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["str_labels", "factor_labels", "indicator_frame", "raw_column", "n_rows"]


def raw_column(col):
    """The values of a column without its pandas wrapper: a ``Categorical`` or a numpy array.

    A Monte Carlo cohort travels as a mapping of such columns (no DataFrame is
    built for it); a Series gives its ``Categorical`` or its numpy values, and
    a ``Categorical`` or a numpy array is returned as it is.

    Parameters
    ----------
    col : pandas.Series, pandas.Categorical or numpy.ndarray

    Returns
    -------
    pandas.Categorical or numpy.ndarray

    Examples
    --------
    >>> raw_column(pd.Series(pd.Categorical(["b", "a"]))).tolist()
    ['b', 'a']
    >>> raw_column(pd.Series([1.5, 2.0]))
    array([1.5, 2. ])
    """
    if isinstance(col, pd.Series):
        return col.array if isinstance(col.dtype, pd.CategoricalDtype) else col.to_numpy()
    if isinstance(col, (pd.Categorical, np.ndarray)):
        return col
    raise TypeError(
        f"a column must be a pandas Series, a Categorical or a numpy array, got {type(col).__name__}"
    )


def n_rows(cohort) -> int:
    """Rows of a cohort given as a DataFrame or as a mapping of equally long columns.

    Parameters
    ----------
    cohort : pandas.DataFrame or mapping of str to array
        The cohort.

    Returns
    -------
    int
        The length of its columns (0 for a mapping without columns).

    Examples
    --------
    >>> n_rows({"a": np.zeros(3), "b": pd.Categorical(["x", "y", "x"])})
    3
    >>> n_rows(pd.DataFrame({"a": [1, 2]}))
    2
    """
    if isinstance(cohort, pd.DataFrame):
        return len(cohort)
    for col in cohort.values():
        return len(col)
    return 0


def factor_labels(col) -> tuple[np.ndarray, np.ndarray]:
    """The distinct labels of ``col.astype(str)`` and each row's index into them.

    ``labels[codes]`` equals ``col.astype(str).to_numpy()``.  A ``Categorical``
    gives its categories as strings, with a trailing ``"nan"`` that missing
    values point to; an integer or boolean column gives its distinct values as
    ``str`` writes them (as ``astype(str)`` does); any other column goes through
    ``astype(str)`` once.  A Monte Carlo cohort counts and compares its factor
    columns many times per cohort; integer codes make that a ``bincount``.

    Parameters
    ----------
    col : pandas.Series, pandas.Categorical or numpy.ndarray
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
    x = raw_column(col)
    if isinstance(x, pd.Categorical):  # .codes is an ndarray, without building a Series
        labels = np.array([str(c) for c in x.categories] + ["nan"], dtype=object)
        codes = x.codes.astype(np.int64)
        codes[codes < 0] = labels.size - 1  # code -1 (missing) picks the trailing "nan"
        return labels, codes
    if x.dtype.kind in "iub":
        values, codes = _small_int_unique(x)
        return np.array([str(v) for v in values.tolist()], dtype=object), codes
    labels, codes = np.unique(_astype_str(x), return_inverse=True)
    return labels, codes.reshape(-1)


def _small_int_unique(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(x, return_inverse=True)`` of integers or booleans, by counting when the
    values are few and non-negative (0/1 outcomes, counts) instead of sorting."""
    if x.size and (x.dtype.kind == "b" or x.min() >= 0):
        top = int(x.max())
        if top < 4 * x.size + 16:
            xi = x.astype(np.intp, copy=False)
            present = np.flatnonzero(np.bincount(xi, minlength=top + 1))
            lookup = np.empty(top + 1, dtype=np.intp)
            lookup[present] = np.arange(present.size)
            return present.astype(x.dtype), lookup[xi]
    values, codes = np.unique(x, return_inverse=True)
    return values, codes.reshape(-1)


def _astype_str(x: np.ndarray) -> np.ndarray:
    """``Series(x).astype(str)`` as an array: pandas' rules for None, NaN and numbers.

    pandas writes ``str(value)`` for every value that is not already a string
    (None gives ``"None"``, NaN ``"nan"``); object and string arrays are
    converted that way here without building a Series.
    """
    if x.dtype.kind in "OU":
        return np.array([v if isinstance(v, str) else str(v) for v in x.tolist()], dtype=object)
    return pd.Series(x, copy=False).astype(str).to_numpy()


def str_labels(col) -> np.ndarray:
    """``col.astype(str).to_numpy()``, without pandas' per-call cost for a categorical column.

    A Monte Carlo cohort converts its group and factor columns to strings many
    times per cohort; for a ``Categorical`` the categories are converted once
    and indexed by the codes (a missing value gives ``"nan"``, as ``astype(str)``
    does); an integer or boolean column converts its distinct values once
    (:func:`factor_labels`).  Other dtypes go through ``astype(str)``.

    Parameters
    ----------
    col : pandas.Series, pandas.Categorical or numpy.ndarray
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
    x = raw_column(col)
    if isinstance(x, pd.Categorical) or x.dtype.kind in "iub":
        labels, codes = factor_labels(x)
        return labels[codes]
    return _astype_str(x)


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

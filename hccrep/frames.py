"""Small, fast helpers on pandas columns used inside Monte Carlo loops."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["str_labels"]


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

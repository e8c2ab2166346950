"""hccrep.frames.str_labels is a faster ``astype(str).to_numpy()``: it must give the same array."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrep.frames import str_labels


@pytest.mark.parametrize(
    "series",
    [
        pd.Series(pd.Categorical(["b", None, "a", "b"], categories=["a", "b", "c"])),
        pd.Series(pd.Categorical([1, 2, None], ordered=True)),
        pd.Series(pd.Categorical([], categories=["a"])),
        pd.Series(["x", None, 3], dtype=object),
        pd.Series([1.0, np.nan, 2.5]),
    ],
    ids=["categorical-str", "categorical-int", "empty", "object", "float"],
)
def test_str_labels_equals_astype_str(series):
    got, ref = str_labels(series), series.astype(str).to_numpy()
    assert got.dtype == ref.dtype
    assert got.tolist() == ref.tolist()

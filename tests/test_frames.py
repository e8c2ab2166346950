"""hccrep.frames.str_labels is a faster ``astype(str).to_numpy()``: it must give the same array."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrep.frames import factor_labels, str_labels


@pytest.mark.parametrize(
    "series",
    [
        pd.Series(pd.Categorical(["b", None, "a", "b"], categories=["a", "b", "c"])),
        pd.Series(pd.Categorical([1, 2, None], ordered=True)),
        pd.Series(pd.Categorical([], categories=["a"])),
        pd.Series(["x", None, 3], dtype=object),
        pd.Series([1.0, np.nan, 2.5]),
        pd.Series([1, 0, 1, 1, -3], dtype=np.int64),
        pd.Series([1, 0, 2], dtype=np.uint8),
        pd.Series([True, False, True]),
        pd.Series([], dtype=np.int64),
    ],
    ids=[
        "categorical-str",
        "categorical-int",
        "empty",
        "object",
        "float",
        "int",
        "uint",
        "bool",
        "empty-int",
    ],
)
def test_str_labels_equals_astype_str(series):
    got, ref = str_labels(series), series.astype(str).to_numpy()
    assert got.dtype == ref.dtype
    assert got.tolist() == ref.tolist()
    labels, codes = factor_labels(series)  # the factorisation behind it gives the same labels
    assert labels[codes].tolist() == ref.tolist()
    assert codes.dtype == np.int64


def test_cohort_view_codes_select_the_rows_of_each_label():
    """CohortView.codes (Table 1 counts by bincount) marks the same rows as comparing labels."""
    from hccrep.analyses import CohortView

    rng = np.random.default_rng(5)
    d = pd.DataFrame(
        {
            "arm": pd.Categorical(rng.choice(["a", "b", "c"], 60), categories=["c", "b", "a"]),
            "flag": rng.integers(0, 2, 60),
        }
    )
    view = CohortView(d, group="arm")
    for column, levels in (("arm", ["a", "b"]), ("flag", [1, 0]), ("arm", ["z", "c"])):
        codes = view.codes(column, levels)
        for i, level in enumerate(levels):
            assert (codes == i).tolist() == (d[column].astype(str) == str(level)).tolist()
        other = ~d[column].astype(str).isin([str(x) for x in levels]).to_numpy()
        assert (codes == -1).tolist() == other.tolist()

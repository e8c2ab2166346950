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


def test_str_labels_of_raw_columns_equal_astype_str_of_their_series():
    """A cohort of columns hands str_labels a Categorical or a numpy array: the same strings
    as pandas' ``astype(str)`` of the Series holding them (None -> "None", NaN -> "nan")."""
    raws = [
        pd.Categorical(["b", None, "a"], categories=["a", "b", "c"]),
        np.array(["x", None, 3, np.nan, 2.5, True], dtype=object),
        np.array(["a", "bb"]),
        np.array([1.0, np.nan, 2.5]),
        np.array([3, 0, 3, 1]),
        np.array([-1, 2, -1]),
        np.array([True, False]),
        np.array([10**12, 0]),
        np.array([], dtype=np.int64),
    ]
    for raw in raws:
        ref = pd.Series(raw).astype(str).to_numpy()
        got = str_labels(raw)
        assert got.dtype == ref.dtype and got.tolist() == ref.tolist(), raw


def test_factor_labels_of_small_integers_worked_by_hand():
    # distinct values sorted, codes index them (np.unique's answer, found by counting)
    labels, codes = factor_labels(np.array([3, 0, 3, 1]))
    assert labels.tolist() == ["0", "1", "3"] and codes.tolist() == [2, 0, 2, 1]
    labels, codes = factor_labels(np.array([-1, 2, -1]))  # negative: sorted the usual way
    assert labels.tolist() == ["-1", "2"] and codes.tolist() == [0, 1, 0]
    labels, codes = factor_labels(np.array([True, False, True]))
    assert labels.tolist() == ["False", "True"] and codes.tolist() == [1, 0, 1]
    labels, codes = factor_labels(np.array([10**12, 5]))  # far apart: not counted
    assert labels.tolist() == ["5", "1000000000000"] and codes.tolist() == [1, 0]
    assert codes.dtype == np.int64


def test_raw_column_refuses_a_list():
    from hccrep.frames import raw_column

    with pytest.raises(TypeError, match="Series, a Categorical or a numpy array"):
        raw_column([1, 2])


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

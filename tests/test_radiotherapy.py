"""hccrep.radiotherapy: BED and EQD2 against values worked out by hand.

Formulas (linear-quadratic model): d = D / n; BED = D (1 + d / ab);
EQD2 = BED / (1 + 2 / ab) = D (d + ab) / (2 + ab).
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import hccrep.radiotherapy as rt
from hccrep.radiotherapy import bed, dose_per_fraction, eqd2

# (total dose Gy, fractions, alpha/beta Gy, d, BED, EQD2), each derived by hand:
HAND = [
    # 50 Gy / 20 fx: d = 2.5; ab 10: BED = 50 x 1.25 = 62.5, EQD2 = 62.5 / 1.2 = 52.0833...
    (50, 20, 10, 2.5, 62.5, 62.5 / 1.2),
    # ab 3: BED = 50 x (1 + 2.5/3) = 91.666..., EQD2 = 50 x (2.5 + 3) / (2 + 3) = 55
    (50, 20, 3, 2.5, 50 + 125 / 3, 55.0),
    # 60 Gy / 5 fx: d = 12; ab 10: BED = 60 x 2.2 = 132, EQD2 = 132 / 1.2 = 110
    (60, 5, 10, 12.0, 132.0, 110.0),
    # ab 3: BED = 60 x (1 + 4) = 300, EQD2 = 300 / (5/3) = 180
    (60, 5, 3, 12.0, 300.0, 180.0),
    # 36 Gy / 3 fx: d = 12; ab 10: BED = 36 x 2.2 = 79.2, EQD2 = 79.2 / 1.2 = 66
    (36, 3, 10, 12.0, 79.2, 66.0),
    # ab 3: BED = 36 x 5 = 180, EQD2 = 180 / (5/3) = 108
    (36, 3, 3, 12.0, 180.0, 108.0),
    # 8 Gy single fraction: ab 10: BED = 8 x 1.8 = 14.4, EQD2 = 14.4 / 1.2 = 12
    (8, 1, 10, 8.0, 14.4, 12.0),
    # 45 Gy / 15 fx (the docstring example): d = 3; ab 10: BED = 45 x 1.3 = 58.5, EQD2 = 48.75
    (45, 15, 10, 3.0, 58.5, 48.75),
    # a non-integer alpha/beta, 39 Gy / 13 fx, ab 1.5: d = 3, BED = 39 x 3 = 117, EQD2 = 117 / (1 + 4/3) = 50.142857...
    (39, 13, 1.5, 3.0, 117.0, 117 / (7 / 3)),
]


@pytest.mark.parametrize(("total", "n", "ab", "d", "bed_", "eqd2_"), HAND)
def test_hand_values(total, n, ab, d, bed_, eqd2_):
    assert dose_per_fraction(total, n) == pytest.approx(d, rel=1e-14)
    assert bed(total, n, ab) == pytest.approx(bed_, rel=1e-14)
    assert eqd2(total, n, ab) == pytest.approx(eqd2_, rel=1e-14)
    # the closed form EQD2 = D (d + ab) / (2 + ab)
    assert eqd2(total, n, ab) == pytest.approx(total * (d + ab) / (2 + ab), rel=1e-14)


def test_scalar_input_gives_float():
    for value in (dose_per_fraction(50, 20), bed(50, 20, 10), eqd2(50, 20, 10)):
        assert type(value) is float


@pytest.mark.parametrize("ab", [1.5, 3, 10])
def test_two_gray_fractions_are_their_own_eqd2(ab):
    # d = 2 -> BED = D (1 + 2/ab) and EQD2 = BED / (1 + 2/ab) = D
    assert eqd2(70, 35, ab) == pytest.approx(70.0, rel=1e-14)
    assert eqd2(np.array([30, 40, 60]), np.array([15, 20, 30]), ab) == pytest.approx(
        [30, 40, 60], rel=1e-14
    )


def test_vectorised_and_broadcast():
    total = np.array([50, 60, 36])
    n = np.array([20, 5, 3])
    np.testing.assert_allclose(dose_per_fraction(total, n), [2.5, 12, 12], rtol=1e-14)
    np.testing.assert_allclose(bed(total, n, 10), [62.5, 132, 79.2], rtol=1e-14)
    np.testing.assert_allclose(eqd2(total, n, 10), [62.5 / 1.2, 110, 66], rtol=1e-14)
    # one schedule, two alpha/beta ratios -> BED10 and BED3 of 60 Gy / 5 fx
    np.testing.assert_allclose(bed(60, 5, [10, 3]), [132, 300], rtol=1e-14)
    # lists are accepted
    np.testing.assert_allclose(bed([50, 36], [20, 3], 10), [62.5, 79.2], rtol=1e-14)
    # 2-D broadcast: doses down, alpha/beta across
    out = bed(np.array([[50], [60]]), np.array([[20], [5]]), np.array([10, 3]))
    np.testing.assert_allclose(out, [[62.5, 50 + 125 / 3], [132, 300]], rtol=1e-14)


def test_more_fractions_lower_bed_for_same_total():
    # same 60 Gy: 5 fx (d = 12) vs 30 fx (d = 2): BED10 132 vs 72
    assert bed(60, 5, 10) > bed(60, 30, 10) == pytest.approx(72.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-50, 20, 10), r"total_dose must be positive, got \[-50.0\]"),
        ((0, 20, 10), "total_dose must be positive"),
        ((np.nan, 20, 10), "total_dose contains NaN"),
        ((np.inf, 20, 10), "total_dose contains infinite"),
        (("50", 20, 10), "total_dose must be numeric"),
        (([], 20, 10), "total_dose is empty"),
        ((50, 0, 10), r"fractions must be whole numbers >= 1, got \[0.0\]"),
        ((50, 2.5, 10), r"fractions must be whole numbers >= 1, got \[2.5\]"),
        ((50, -3, 10), "fractions must be whole numbers >= 1"),
        ((50, True, 10), "not booleans"),
        ((50, np.nan, 10), "fractions contains NaN"),
        ((50, "20", 10), "fractions must be whole numbers"),
        ((50, 20, 0), "alpha_beta must be positive"),
        ((50, 20, -3), "alpha_beta must be positive"),
        ((50, 20, np.nan), "alpha_beta contains NaN"),
        ((50, 20, "10"), "alpha_beta must be numeric"),
        (([50, 60, 36], [20, 5], 10), "cannot be broadcast"),
        (([50, 60], [20, 5], [10, 3, 2]), "alpha_beta .* cannot be broadcast"),
    ],
)
def test_validation(args, message):
    fn = bed if len(args) == 3 else dose_per_fraction
    with pytest.raises(ValueError, match=message):
        fn(*args)
    if len(args) == 3:
        with pytest.raises(ValueError, match=message):
            eqd2(*args)


def test_dose_per_fraction_validation():
    with pytest.raises(ValueError, match="total_dose must be positive"):
        dose_per_fraction(-1, 5)
    with pytest.raises(ValueError, match="fractions must be whole numbers"):
        dose_per_fraction(45, 0.5)
    with pytest.raises(ValueError, match="cannot be broadcast"):
        dose_per_fraction([45, 30, 20], [15, 5])


def test_docstring_examples():
    res = doctest.testmod(rt)
    assert res.attempted >= 6 and res.failed == 0

"""A sample whose printed mean and SD come from one outlying value among ordinary ones.

Some printed summaries cannot describe a bell-shaped variable: an albumin of
43.4 ± 29.4 g/L would put a sixth of the patients below 14 g/L or above 73 g/L.
When the other groups of the same table print an ordinary SD, the simplest
reading is a single value far out (a decimal slip, say) among values like the
other groups'. Given that ordinary SD, the mean and SD printed for the group fix
both the mean of the ordinary values and the outlier (two equations, two
unknowns), so the sample keeps the printed mean and SD exactly.

Derivation (``k = n - 1`` ordinary values with sample mean ``m`` and SD ``s``,
one value ``x``, overall mean ``M`` and SD ``S``): the mean gives
``x - M = k (M - m)``; the sum of squares about ``M`` gives
``(n - 1) S**2 = (k - 1) s**2 + k d**2 + k**2 d**2`` with ``d = M - m``, so
``d**2 = ((n - 1) S**2 - (n - 2) s**2) / ((n - 1) n)``.
"""

from __future__ import annotations

import math

import numpy as np

from hccrep.simulate.continuous import SummaryMismatchError, exact_mean_sd

__all__ = ["one_outlier_split", "exact_mean_sd_one_outlier"]


def one_outlier_split(
    n: int, mean: float, sd: float, rest_sd: float, side: str = "high"
) -> tuple[float, float]:
    """Mean of the ``n - 1`` ordinary values and the outlier that give ``mean`` and ``sd`` exactly.

    Parameters
    ----------
    n : int
        Group size (at least 3).
    mean, sd : float
        The printed mean and sample SD (ddof=1) of the whole group.
    rest_sd : float
        The sample SD (ddof=1) of the ``n - 1`` ordinary values (an assumption,
        for example the pooled SD of the other groups).
    side : {"high", "low"}
        Whether the outlier lies above or below the ordinary values.

    Returns
    -------
    tuple of float
        ``(rest_mean, outlier)``.

    Raises
    ------
    SummaryMismatchError
        When ``sd`` is too small for any outlier (``(n-1) sd**2 <= (n-2) rest_sd**2``).

    Examples
    --------
    Three values 1, 3 and 8 have mean 4 and SD sqrt(13); the ordinary two have SD sqrt(2):

    >>> m, x = one_outlier_split(3, 4.0, 13 ** 0.5, 2 ** 0.5)
    >>> round(m, 6), round(x, 6)
    (2.0, 8.0)
    """
    if n < 3:
        raise ValueError(f"n must be at least 3, got {n}")
    if side not in ("high", "low"):
        raise ValueError(f"side must be 'high' or 'low', got {side!r}")
    d2 = ((n - 1) * sd**2 - (n - 2) * rest_sd**2) / ((n - 1) * n)
    if d2 <= 0:
        raise SummaryMismatchError(
            f"SD {sd} is not larger than the ordinary values' SD {rest_sd} allows: no outlier"
        )
    d = math.sqrt(d2) * (1 if side == "high" else -1)
    return mean - d, mean + (n - 1) * d


def exact_mean_sd_one_outlier(
    n: int,
    mean: float,
    sd: float,
    rest_sd: float,
    rng: np.random.Generator,
    side: str = "high",
) -> np.ndarray:
    """Draw ``n`` values, ``n - 1`` normal and one outlier, with sample mean and SD exactly as given.

    The ``n - 1`` ordinary values are a normal draw rescaled to the mean and SD of
    :func:`one_outlier_split`; the outlier is the last value.

    Parameters
    ----------
    n : int
        Group size (at least 3).
    mean, sd : float
        The printed mean and sample SD (ddof=1) of the group.
    rest_sd : float
        The SD of the ordinary values.
    rng : numpy.random.Generator
        Source of the draw.
    side : {"high", "low"}
        Whether the outlier lies above or below the others.

    Returns
    -------
    numpy.ndarray
        ``n`` values; the last one is the outlier.

    Examples
    --------
    >>> x = exact_mean_sd_one_outlier(68, 43.4, 29.4, 5.36, np.random.default_rng(1))
    >>> round(float(x.mean()), 6), round(float(x.std(ddof=1)), 6), round(float(x[-1]))
    (43.4, 29.4, 278)
    """
    rest_mean, outlier = one_outlier_split(n, mean, sd, rest_sd, side)
    rest = exact_mean_sd(n - 1, rest_mean, rest_sd, rng)
    return np.append(rest, outlier)

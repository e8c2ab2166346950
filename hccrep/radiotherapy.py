"""Radiotherapy dose arithmetic: dose per fraction, BED and EQD2.

Radiotherapy schedules differ in total dose and number of fractions, so
papers compare them through the linear-quadratic (LQ) model of cell kill
(Fowler 1989): with ``n`` fractions of ``d`` Gy (total ``D = n d``) the
log cell kill is ``n (alpha d + beta d^2) = alpha D (1 + d / (alpha/beta))``.
Dividing by ``alpha`` gives the **biologically effective dose**

    ``BED = D (1 + d / (alpha/beta))``

and expressing it as the total dose in 2-Gy fractions with the same effect
gives the **equivalent dose in 2-Gy fractions**

    ``EQD2 = BED / (1 + 2 / (alpha/beta))``.

The tissue enters only through ``alpha/beta``: 10 Gy is the conventional
value for tumours and early-responding tissue (so ``BED`` is then often
written ``BED10``), 3 Gy for late-responding normal tissue (``BED3``).  The
LQ model ignores overall treatment time and repopulation and is
questionable for very large doses per fraction (stereotactic body
radiotherapy), a caveat worth stating wherever BED is compared across
schedules.

References
----------
Fowler JF. The linear-quadratic formula and progress in fractionated
radiotherapy. Br J Radiol. 1989;62(740):679-694.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bed", "dose_per_fraction", "eqd2"]


def _as_positive(x, name: str) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise ValueError(f"{name} must be numeric, got {x!r}")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains infinite values")
    if (arr <= 0).any():
        raise ValueError(f"{name} must be positive, got {arr[arr <= 0].ravel()[:5].tolist()}")
    return arr


def _as_fractions(n) -> np.ndarray:
    if isinstance(n, (str, bytes)):
        raise ValueError(f"fractions must be whole numbers >= 1, got {n!r}")
    if np.asarray(n).dtype == bool:
        raise ValueError("fractions must be whole numbers >= 1, not booleans")
    try:
        arr = np.asarray(n, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("fractions must be whole numbers >= 1") from None
    if arr.size == 0:
        raise ValueError("fractions is empty")
    if not np.isfinite(arr).all():
        raise ValueError("fractions contains NaN or infinite values")
    bad = (arr < 1) | (arr != np.round(arr))
    if bad.any():
        raise ValueError(
            f"fractions must be whole numbers >= 1, got {arr[bad].ravel()[:5].tolist()}"
        )
    return arr


def _result(x: np.ndarray):
    """A Python float for scalar input, an array otherwise."""
    return float(x) if x.ndim == 0 else x


def dose_per_fraction(total_dose, fractions):
    """Dose per fraction ``d = D / n`` in Gy.

    Parameters
    ----------
    total_dose : float or array_like
        Total physical dose ``D`` in Gy, positive.
    fractions : int or array_like
        Number of fractions ``n``, whole numbers >= 1.  Arrays broadcast
        against ``total_dose``.

    Returns
    -------
    float or numpy.ndarray
        A float for scalar inputs, an array otherwise.

    Examples
    --------
    >>> dose_per_fraction(45, 15)
    3.0
    >>> dose_per_fraction([45, 30], [15, 5])
    array([3., 6.])
    """
    d_total = _as_positive(total_dose, "total_dose")
    n = _as_fractions(fractions)
    try:
        return _result(np.asarray(d_total / n))
    except ValueError:
        raise ValueError(
            f"total_dose (shape {d_total.shape}) and fractions (shape {n.shape}) cannot be broadcast together"
        ) from None


def bed(total_dose, fractions, alpha_beta):
    """Biologically effective dose of the linear-quadratic model (Fowler 1989).

    ``BED = D (1 + d / (alpha/beta))`` with ``d = D / n`` the dose per
    fraction; the result is in Gy.

    Parameters
    ----------
    total_dose : float or array_like
        Total physical dose ``D`` in Gy, positive.
    fractions : int or array_like
        Number of fractions ``n``, whole numbers >= 1.
    alpha_beta : float or array_like
        The tissue's alpha/beta ratio in Gy, positive: conventionally 10 Gy
        for tumour (giving "BED10") and 3 Gy for late-responding normal
        tissue ("BED3").  No default, so that every BED names its ratio.

    Returns
    -------
    float or numpy.ndarray
        A float for scalar inputs, an array (broadcast) otherwise.

    Examples
    --------
    45 Gy in 15 fractions (3 Gy each):

    >>> bed(45, 15, alpha_beta=10)   # 45 * (1 + 3/10)
    58.5
    >>> bed(45, 15, alpha_beta=3)    # 45 * (1 + 3/3)
    90.0
    """
    d = np.asarray(dose_per_fraction(total_dose, fractions))
    ab = _as_positive(alpha_beta, "alpha_beta")
    d_total = _as_positive(total_dose, "total_dose")
    try:
        return _result(np.asarray(d_total * (1 + d / ab)))
    except ValueError:
        raise ValueError(
            f"alpha_beta (shape {ab.shape}) cannot be broadcast against the doses"
        ) from None


def eqd2(total_dose, fractions, alpha_beta):
    """Equivalent total dose in 2-Gy fractions (EQD2) under the LQ model.

    ``EQD2 = BED / (1 + 2 / (alpha/beta))``: the total dose that, given in
    2-Gy fractions, has the same biological effect as ``total_dose`` in
    ``fractions`` fractions.  A schedule of 2-Gy fractions is its own EQD2.

    Parameters
    ----------
    total_dose, fractions, alpha_beta
        As for :func:`bed`.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> eqd2(45, 15, alpha_beta=10)   # 58.5 / 1.2
    48.75
    >>> eqd2(40, 20, alpha_beta=3)    # 2-Gy fractions: unchanged
    40.0
    """
    ab = _as_positive(alpha_beta, "alpha_beta")
    return _result(np.asarray(np.asarray(bed(total_dose, fractions, alpha_beta)) / (1 + 2 / ab)))

"""Samples whose summary statistics equal the reported ones exactly.

A paper prints ``mean ± SD`` or ``median (IQR)`` / ``median (range)``.  We draw
a sample from a plausible shape (normal, or log-normal for a positive, skewed
lab value) and then transform it *monotonically* so that its summary is the
printed one.  Because the transform is monotone, the ranks of the draw are kept
and can be handed to patients through a latent (copula) variable.

Conventions, named because software differs:

- the SD is the sample SD with ``ddof=1`` (what SPSS, R ``sd`` and pandas print);
- quantiles use ``numpy.quantile``'s ``method`` argument; the default
  ``"linear"`` is R's type 7.  SPSS prints type 6 (``"weibull"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import brentq

from hccrep.printed import Summary, equal_at_precision

__all__ = [
    "exact_mean_sd_with_cut",
    "exact_mean_sd",
    "exact_quantiles",
    "exact_summary_sample",
    "SummaryMismatchError",
]


class SummaryMismatchError(ValueError):
    """The requested summary (and cut-point counts) cannot be met by any sample."""


def _mean_sd(y: np.ndarray) -> tuple[float, float]:
    """``y.mean()`` and ``y.std(ddof=1)`` of a 1-D float array, the same floats as numpy's.

    numpy's ``_var`` sums with the same pairwise ``add.reduce``, divides the sum by ``n``,
    sums the squared deviations and divides by ``n - 1``; doing those four steps here
    skips its Python-level bookkeeping, which costs more than the arithmetic on a
    Table 1 column (the calibration of a skewed variable calls this dozens of times).
    ``tests/test_simulate.py`` checks the bits against numpy.
    """
    n = y.size
    m = np.add.reduce(y) / n
    d = y - m
    return float(m), math.sqrt(np.add.reduce(d * d) / (n - 1))


def _standardise(y: np.ndarray) -> np.ndarray:
    m, s = _mean_sd(y)
    if s == 0:
        raise SummaryMismatchError("the base draw has no spread")
    return (y - m) / s


def exact_mean_sd(
    n: int, mean: float, sd: float, rng: np.random.Generator, lower_bound: float | None = None
) -> np.ndarray:
    """Draw ``n`` values with sample mean ``mean`` and SD (ddof=1) ``sd`` exactly.

    Values stay above ``lower_bound`` when one is given: then a log-normal draw
    is power-transformed, ``x = lb + a * y**b``, with ``b`` solved so that the
    coefficient of variation is right and ``a`` so that the mean is.

    Parameters
    ----------
    n : int
        Values to draw (at least 2 for an SD).
    mean, sd : float
        The sample mean and the sample standard deviation (ddof=1) wanted.
    rng : numpy.random.Generator
        Source of the draw.
    lower_bound : float, optional
        Every value stays above it.

    Returns
    -------
    numpy.ndarray
        ``n`` values with exactly that mean and SD (to rounding error).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = exact_mean_sd(50, 77.7, 177.7, rng, lower_bound=0)
    >>> round(float(x.mean()), 6), round(float(x.std(ddof=1)), 6), bool(x.min() > 0)
    (77.7, 177.7, True)
    """
    if n < 2:
        raise ValueError(f"n must be at least 2 to have an SD, got {n}")
    if sd < 0:
        raise ValueError(f"sd must be non-negative, got {sd}")
    if sd == 0:
        return np.full(n, float(mean))
    if lower_bound is None or mean - 3 * sd > lower_bound:
        z = _standardise(rng.standard_normal(n))
        x = mean + sd * z
        if lower_bound is not None and x.min() <= lower_bound:
            # rare for a symmetric variable far from its bound; fall through to the skewed form
            pass
        else:
            return x
    if mean <= lower_bound:
        raise SummaryMismatchError(f"mean {mean} is not above the lower bound {lower_bound}")
    target_cv = sd / (mean - lower_bound)
    max_cv = math.sqrt(n)  # a positive sample of size n has CV < sqrt(n)
    if target_cv >= max_cv * 0.999:
        raise SummaryMismatchError(
            f"CV {target_cv:.2f} is impossible for {n} values above {lower_bound}"
        )
    logy = rng.standard_normal(n) * math.sqrt(math.log1p(min(target_cv, 3) ** 2))

    shifted = logy - logy.max()

    def cv_of(b: float) -> float:
        m, sd = _mean_sd(np.exp(b * shifted))
        return sd / m

    lo, hi = 1e-6, 1.0
    while cv_of(hi) < target_cv:
        hi *= 2
        if hi > 1e4:
            raise SummaryMismatchError(f"cannot reach CV {target_cv:.3f} with n = {n}")
    b = brentq(lambda b: cv_of(b) - target_cv, lo, hi, xtol=1e-14, rtol=1e-14, maxiter=500)
    w = np.exp(b * shifted)
    x = lower_bound + (mean - lower_bound) * w / w.mean()
    # final exact affine touch-up (changes values by ~1e-12, keeps the bound)
    x = mean + sd * _standardise(x)
    return x


def _knots_for_quantile(n: int, p: float, method: str) -> tuple[int, int, float]:
    """Order statistics (0-based) and weight that numpy's quantile ``method`` uses at ``p``."""
    probe = np.arange(n, dtype=float) * 1.0
    q = float(np.quantile(probe, p, method=method))
    k = int(math.floor(q + 1e-12))
    f = q - k
    if f < 1e-12:
        return k, k, 0.0
    return k, k + 1, f


def exact_quantiles(
    base: np.ndarray,
    targets: Sequence[tuple[float, float]],
    *,
    method: str = "linear",
    cuts: Sequence[tuple[float, int]] = (),
    lower_bound: float | None = None,
) -> np.ndarray:
    """Monotone transform of ``base`` whose sample quantiles equal ``targets``.

    Parameters
    ----------
    base : array
        The draw; only its ranks and shape are used.
    targets : sequence of (p, value)
        Probabilities in [0, 1] and the quantile values wanted (p = 0 and 1
        are the minimum and maximum).
    method : str
        ``numpy.quantile`` method; ``"linear"`` is R type 7.
    cuts : sequence of (c, m)
        Exactly ``m`` values must lie below ``c`` (the count of a
        dichotomised version of the variable, e.g. AFP < 400).
    lower_bound : float, optional
        Values stay strictly above it.

    Returns
    -------
    ndarray
        The transformed values, in the same order as ``base``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = exact_quantiles(rng.standard_normal(29), [(0, 13.5), (0.5, 21.5), (1, 48.5)])
    >>> float(x.min()), float(np.median(x)), float(x.max())
    (13.5, 21.5, 48.5)
    """
    base = np.asarray(base, dtype=float)
    n = base.size
    order = np.argsort(base, kind="stable")
    y = base[order]
    # rank -> value knots
    knots: dict[int, float] = {}
    spread = (y[-1] - y[0]) / max(n - 1, 1)
    vals = sorted(targets)
    for p, t in vals:
        if not 0 <= p <= 1:
            raise ValueError(f"quantile probability must lie in [0, 1], got {p}")
        k0, k1, f = _knots_for_quantile(n, p, method)
        if k0 == k1:
            knots[k0] = t
        else:
            # a small gap around t so that (1-f)*x_k0 + f*x_k1 == t; solve for a side
            # already pinned by another target (two quantiles can share an order statistic)
            d = min(spread, 1e-3 * max(abs(t), 1.0))
            if k0 in knots and k1 in knots:
                if not math.isclose(
                    (1 - f) * knots[k0] + f * knots[k1], t, rel_tol=1e-12, abs_tol=1e-12
                ):
                    raise SummaryMismatchError(f"quantile targets {vals} conflict at n = {n}")
            elif k0 in knots:
                knots[k1] = (t - (1 - f) * knots[k0]) / f
            elif k1 in knots:
                knots[k0] = (t - f * knots[k1]) / (1 - f)
            else:
                knots[k0], knots[k1] = t - f * d, t + (1 - f) * d
    if any(knots[a] > knots[b] + 1e-12 for a, b in zip(sorted(knots), sorted(knots)[1:])):
        raise SummaryMismatchError(f"quantile targets {list(vals)} are not increasing")
    x = _interpolate(y, knots, lower_bound)
    for c, m in cuts:
        if not 0 <= m <= n:
            raise ValueError(f"a cut count must lie in [0, {n}], got {m}")
        below = int(np.sum(x < c))
        if below == m:
            continue
        # move the order statistics around rank m so exactly m lie below c, keeping knots
        eps = 1e-6 * max(abs(c), 1.0)
        if m > 0:
            knots[m - 1] = min(x[m - 1], c - eps)
        if m < n:
            knots[m] = max(x[m], c)
        ks = sorted(knots)
        if any(knots[a] > knots[b] for a, b in zip(ks, ks[1:])):
            raise SummaryMismatchError(
                f"{m} values below {c} contradicts the quantile targets {list(vals)}"
            )
        x = _interpolate(y, knots, lower_bound)
    out = np.empty(n)
    out[order] = x
    return out


def _interpolate(y: np.ndarray, knots: dict[int, float], lower_bound: float | None) -> np.ndarray:
    n = y.size
    ks = sorted(knots)
    x = np.empty(n)
    for r in ks:
        x[r] = knots[r]
    for a, b in zip(ks, ks[1:]):
        if b - a > 1:
            ya, yb = y[a], y[b]
            w = (y[a + 1 : b] - ya) / (yb - ya) if yb > ya else np.linspace(0, 1, b - a + 1)[1:-1]
            x[a + 1 : b] = knots[a] + w * (knots[b] - knots[a])
    # tails beyond the outermost knots: keep the base shape, scaled by the nearest segment
    first, last = ks[0], ks[-1]
    slope = _slope(y, knots, ks)
    if first > 0:
        tail = knots[first] - (y[first] - y[:first]) * slope
        if lower_bound is not None and tail.min() <= lower_bound:
            span = knots[first] - lower_bound
            rel = (y[first] - y[:first]) / (y[first] - y[0] + 1e-300)
            tail = knots[first] - span * rel * (first / (first + 1))
        x[:first] = tail
    if last < n - 1:
        x[last + 1 :] = knots[last] + (y[last + 1 :] - y[last]) * slope
    return x


def _slope(y: np.ndarray, knots: dict[int, float], ks: list[int]) -> float:
    if len(ks) >= 2 and y[ks[-1]] > y[ks[0]]:
        return (knots[ks[-1]] - knots[ks[0]]) / (y[ks[-1]] - y[ks[0]])
    return 1.0


def exact_summary_sample(
    summary: Summary,
    n: int,
    rng: np.random.Generator,
    *,
    lower_bound: float | None = None,
    cuts: Sequence[tuple[float, int]] = (),
    quantile_method: str = "linear",
) -> np.ndarray:
    """Draw ``n`` values whose printed summary equals ``summary``.

    The result is verified before it is returned: a value that would not print
    as the paper printed it raises :class:`SummaryMismatchError`.

    Parameters
    ----------
    summary : hccrep.printed.Summary
        The printed summary (mean ± SD, median with IQR or range) of one group.
    n : int
        Values to draw.
    rng : numpy.random.Generator
        Source of the draw.
    lower_bound : float, optional
        Every value stays above it.
    cuts : sequence of (float, int)
        Dichotomised counts reported for the same variable: ``(cut, k)`` means ``k`` values
        at or below ``cut``; the sample honours them too.
    quantile_method : str
        numpy's quantile ``method`` used to check medians and quartiles.

    Returns
    -------
    numpy.ndarray
        ``n`` values whose summary prints as ``summary``.

    Raises
    ------
    SummaryMismatchError
        If no sample printing as ``summary`` was found.

    Examples
    --------
    >>> from hccrep.printed import parse_summary
    >>> x = exact_summary_sample(parse_summary("12.5 ± 3.1", "mean_sd"), 40, np.random.default_rng(0))
    >>> f"{x.mean():.1f} ± {x.std(ddof=1):.1f}"
    '12.5 ± 3.1'
    """
    if summary.kind == "mean_sd":
        if cuts:
            raise SummaryMismatchError(
                "cut-point counts with mean ± SD are not supported yet; give median summaries"
            )
        x = exact_mean_sd(n, summary.centre, summary.spread[0], rng, lower_bound)
        ok = equal_at_precision(
            x.mean(), summary.centre, summary.decimals[0]
        ) and equal_at_precision(x.std(ddof=1), summary.spread[0], summary.decimals[1])
    else:
        skew = lower_bound is not None
        base = rng.lognormal(0.0, 0.6, n) if skew else rng.standard_normal(n)
        lo, hi = summary.spread
        ps = (0.25, 0.75) if summary.kind == "median_iqr" else (0.0, 1.0)
        x = exact_quantiles(
            base,
            [(ps[0], lo), (0.5, summary.centre), (ps[1], hi)],
            method=quantile_method,
            cuts=cuts,
            lower_bound=lower_bound,
        )
        q = np.quantile(x, [ps[0], 0.5, ps[1]], method=quantile_method)
        ok = all(
            equal_at_precision(a, b, d)
            for a, b, d in zip((q[1], q[0], q[2]), (summary.centre, lo, hi), summary.decimals)
        )
        ok = ok and all(int(np.sum(x < c)) == m for c, m in cuts)
    if lower_bound is not None and x.min() <= lower_bound:
        ok = False
    if not ok:
        raise SummaryMismatchError(f"could not reproduce {summary} with n = {n}")
    return x


def exact_mean_sd_with_cut(
    n: int,
    mean: float,
    sd: float,
    cut: float,
    n_below: int,
    rng: np.random.Generator,
    *,
    lower_bound: float = 0.0,
    max_tries: int = 50,
) -> np.ndarray:
    """``n`` values with sample mean ``mean``, SD (ddof 1) ``sd`` and exactly ``n_below`` below ``cut``.

    The ``n_below`` low values are drawn in ``(lower_bound, cut)`` (a Beta(3, 1.5) shape, leaning
    towards the cut); the others are ``cut + d`` with ``d > 0`` an exact mean-SD sample
    (:func:`hccrep.simulate.continuous.exact_mean_sd` with lower bound 0) whose mean and SD make
    the whole sample's sums of values and squares right.  Sorted ascending.

    Parameters
    ----------
    n : int
        Values to draw.
    mean, sd : float
        The sample mean and SD (ddof 1) wanted.
    cut : float
        The dichotomising value of the reported count.
    n_below : int
        Values below ``cut``.
    rng : numpy.random.Generator
        Source of the draws.
    lower_bound : float
        Every value stays above it.
    max_tries : int
        Draws of the low part tried before giving up.

    Returns
    -------
    numpy.ndarray
        ``n`` values, sorted ascending.

    Raises
    ------
    ValueError
        For an argument out of range (named).
    SummaryMismatchError
        When no draw of the low part leaves a feasible high part.

    Examples
    --------
    >>> x = exact_mean_sd_with_cut(50, 57.25, 67.125, 31.25, 20, np.random.default_rng(0))
    >>> round(float(x.mean()), 9), round(float(x.std(ddof=1)), 9), int((x < 31.25).sum())
    (57.25, 67.125, 20)
    """
    if not isinstance(n, (int, np.integer)) or n < 3:
        raise ValueError(f"n must be an integer >= 3, got {n!r}")
    if not isinstance(n_below, (int, np.integer)) or not 0 <= n_below <= n - 2:
        raise ValueError(f"n_below must be an integer in [0, n - 2], got {n_below!r}")
    if not sd > 0:
        raise ValueError(f"sd must be positive, got {sd!r}")
    if not lower_bound < cut:
        raise ValueError(
            f"cut must lie above lower_bound, got cut={cut!r}, lower_bound={lower_bound!r}"
        )
    if not mean > lower_bound:
        raise ValueError(f"mean must lie above lower_bound, got {mean!r}")
    k = n - n_below
    s1 = n * mean
    s2 = (n - 1) * sd**2 + n * mean**2
    for _ in range(max_tries):
        low = lower_bound + (cut - lower_bound) * rng.beta(3, 1.5, n_below)
        a, b = s1 - low.sum(), s2 - np.sum(low**2)
        mu = a / k
        var0 = b / k - mu**2  # population variance of the high part
        if mu <= cut or var0 <= 0:
            continue
        sd_d = math.sqrt(var0 * k / (k - 1))
        try:
            d = exact_mean_sd(k, mu - cut, sd_d, rng, lower_bound=0.0)
        except SummaryMismatchError:
            continue
        if d.min() <= 0:
            continue
        x = np.sort(np.concatenate([low, cut + d]))
        # the two parts hit the sums exactly up to rounding; a final check keeps us honest
        if (
            abs(x.mean() - mean) < 1e-6 * max(1.0, abs(mean))
            and abs(x.std(ddof=1) - sd) < 1e-6 * sd
            and int((x < cut).sum()) == n_below
        ):
            return x
    raise SummaryMismatchError(
        f"no sample of {n} with mean {mean}, SD {sd} and {n_below} values below {cut}"
    )

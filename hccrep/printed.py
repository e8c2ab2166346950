"""Parse numbers exactly as a paper printed them.

A reported number is kept as the string the paper printed (``"21 (50)"``,
``"< 0.001"``, ``"77.7±17.7"``, ``"21.5 (13.5, 48.5)"``).  The functions
here turn such strings into values together with their *printed precision*,
which is what "reproduced at the printed precision" is judged against.

Examples
--------
>>> parse_count_percent("17 (34)")
CountPercent(count=17, percent=34.0, percent_decimals=0)
>>> parse_pvalue("< 0.001")
PValue(value=0.001, bound='<', decimals=3)
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "smallest_denominator",
    "CountPercent",
    "PValue",
    "Summary",
    "PrintedError",
    "decimals_of",
    "parse_count_percent",
    "parse_pvalue",
    "parse_summary",
    "parse_numbers",
    "check_no_decimal_comma",
    "prints_as",
    "counts_printing_as",
    "denominators_for_percent",
    "round_half_up",
    "equal_at_precision",
]

#: a number as printed: digits with an optional decimal part; thousands may be grouped
#: with commas (``16,763``), which :func:`_num` strips.
_NUM = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
#: a decimal comma (``0,43``, ``12,5``): a comma not followed by exactly three digits
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])\d+,(?:\d{1,2}|\d{4,})(?![\d,])|(?<![\d,.])0,\d+")
_DASHES = "\u2013\u2014\u2012\u2212~"  # en dash, em dash, figure dash, minus, tilde


class PrintedError(ValueError):
    """A printed string does not have the expected form."""


def _normalise(text: str) -> str:
    text = str(text).strip()
    for d in _DASHES:
        text = text.replace(d, "-" if d != "\u2212" else "-")
    return text.replace("\u00a0", " ").replace("\u00b1", "±")


def _num(token: str) -> float:
    """A printed token as a float (thousands separators removed)."""
    return float(token.replace(",", ""))


def check_no_decimal_comma(text: str) -> None:
    """Raise :class:`PrintedError` when ``text`` uses a decimal comma (``"0,43"``).

    Read as printed, ``0,43`` would be the two numbers 0 and 43; write the
    decimal point instead. A comma followed by exactly three digits
    (``16,763``) is read as a thousands separator and accepted.

    Parameters
    ----------
    text : str
        A printed cell or number.

    Returns
    -------
    None

    Raises
    ------
    PrintedError
        When ``text`` holds a decimal comma.

    Examples
    --------
    >>> check_no_decimal_comma("0,43 (0,21-0,88)")
    Traceback (most recent call last):
    ...
    hccrep.printed.PrintedError: '0,43 (0,21-0,88)' uses a decimal comma ('0,43'); write numbers with a decimal point (0.43)
    >>> check_no_decimal_comma("1,087 (19-16,763)")
    """
    m = _DECIMAL_COMMA.search(_normalise(text))
    if m:
        raise PrintedError(
            f"{text!r} uses a decimal comma ({m.group(0)!r}); write numbers with a decimal point ({m.group(0).replace(',', '.')})"
        )


def decimals_of(token: str) -> int:
    """Number of decimals printed in a numeric token.

    Parameters
    ----------
    token : str
        One printed number, such as ``"12.80"`` (surrounding spaces ignored).

    Returns
    -------
    int
        The digits after the decimal point (0 without a point).

    Examples
    --------
    >>> decimals_of("12.80"), decimals_of("7")
    (2, 0)
    """
    token = token.strip()
    return len(token.split(".", 1)[1]) if "." in token else 0


def round_half_up(x: float, decimals: int) -> float:
    """Round as people do on paper (0.5 goes up), not banker's rounding.

    Halves go away from zero (``-2.5`` gives ``-3``); a tiny nudge absorbs binary
    representation error, so ``2.675`` rounds to ``2.68``.

    Parameters
    ----------
    x : float
        The value to round.
    decimals : int
        Number of decimals to keep.

    Returns
    -------
    float
        ``x`` rounded; NaN and infinities are returned unchanged.

    Examples
    --------
    >>> round_half_up(2.675, 2), round(2.675, 2) == 2.68
    (2.68, False)
    """
    if not math.isfinite(x):
        return x
    q = 10.0**decimals
    # a tiny relative nudge absorbs binary representation error (2.675 -> 2.68)
    return math.floor(abs(x) * q + 0.5 + 1e-9) / q * (1 if x >= 0 else -1)


def equal_at_precision(value: float, printed_value: float, decimals: int) -> bool:
    """True when ``value`` rounds (half up) to ``printed_value`` at ``decimals``.

    Parameters
    ----------
    value : float
        A recomputed number.
    printed_value : float
        The number as printed.
    decimals : int
        The printed number of decimals.

    Returns
    -------
    bool
        Whether :func:`round_half_up` of ``value`` equals ``printed_value``
        (within a hundredth of the last printed digit); False when ``value``
        is NaN.

    Examples
    --------
    >>> equal_at_precision(0.0071, 0.007, 3)
    True
    """
    return math.isclose(
        round_half_up(value, decimals), printed_value, rel_tol=0, abs_tol=10.0 ** (-decimals) / 100
    )


def prints_as(value, printed: float, decimals: int, *, either_at_half: bool = False):
    """Does each ``value`` print as ``printed`` at ``decimals``?

    Rounding is half up (:func:`round_half_up`), as people round on paper.
    With ``either_at_half`` a value exactly half-way also matches the lower
    printed value, as software that rounds half to even (R, numpy) prints it.

    Parameters
    ----------
    value : float or array_like
    printed : float
    decimals : int

    Returns
    -------
    bool or numpy.ndarray of bool

    Examples
    --------
    >>> prints_as([12.49, 12.50, 13.51], 13, 0).tolist()
    [False, True, False]
    >>> bool(prints_as(13.5, 13, 0, either_at_half=True))
    True
    """
    import numpy as np

    x = np.asarray(value, dtype=float)
    half = 0.5 * 10.0 ** (-decimals)
    tol = 1e-9 * max(1.0, abs(printed))
    out = (x >= printed - half - tol) & (
        (x < printed + half - tol) | (either_at_half & (x <= printed + half + tol))
    )
    return out if out.ndim else bool(out)


def counts_printing_as(percent: float, decimals: int, n: int) -> list[int]:
    """Every count ``k`` in ``0..n`` whose percentage ``100 k / n`` prints as ``percent`` (half up).

    A Kaplan-Meier rate equals ``k / n`` when nobody was censored before the
    landmark, so an empty list then points to censoring or a typing error.

    Parameters
    ----------
    percent : float
        The printed percentage, in [0, 100].
    decimals : int
        Its printed number of decimals.
    n : int
        The denominator (number of patients), at least 1.

    Returns
    -------
    list of int
        The matching counts, in increasing order (empty when none prints so).

    Raises
    ------
    ValueError
        When ``n`` is not a positive integer or ``percent`` lies outside [0, 100].

    Examples
    --------
    >>> counts_printing_as(25, 0, 8)
    [2]
    >>> counts_printing_as(33.33, 2, 7)
    []
    """
    import numpy as np

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not 0 <= percent <= 100:
        raise ValueError(f"percent must lie in [0, 100], got {percent}")
    k = np.arange(n + 1)
    return [int(i) for i in k[prints_as(100.0 * k / n, percent, decimals)]]


@dataclass(frozen=True)
class CountPercent:
    """A ``"k (pct)"`` cell.

    Attributes
    ----------
    count : int
        ``k``.
    percent : float or None
        The printed percentage (None when only the count is printed).
    percent_decimals : int or None
        Its printed decimals.
    """

    count: int
    percent: float | None
    percent_decimals: int | None


@dataclass(frozen=True)
class PValue:
    """A printed p-value: ``value`` with an optional bound (``"<"``, ``">"``).

    Attributes
    ----------
    value : float
        The printed number.
    bound : str or None
        ``"<"`` or ``">"`` for a bound, None for a value.
    decimals : int
        Printed decimals.
    """

    value: float
    bound: str | None
    decimals: int

    def agrees(self, p: float) -> bool:
        """Does a recomputed ``p`` print as this one?

        ``"< 0.001"`` agrees with any p below 0.001; ``"0.364"`` agrees with
        p in [0.3635, 0.3645).

        >>> PValue(0.001, "<", 3).agrees(0.0004), PValue(0.364, None, 3).agrees(0.3641)
        (True, True)
        """
        if self.bound == "<":
            return p < self.value
        if self.bound == ">":
            return p > self.value
        return equal_at_precision(p, self.value, self.decimals)


@dataclass(frozen=True)
class Summary:
    """A continuous summary: ``kind`` is ``mean_sd``, ``median_iqr`` or ``median_range``.

    Attributes
    ----------
    kind : str
        ``mean_sd``, ``median_iqr`` or ``median_range``.
    centre : float
        The mean or median.
    spread : tuple of float
        ``(sd,)`` or the two limits.
    decimals : tuple of int
        Printed decimals of the centre and of each spread value.
    """

    kind: str
    centre: float
    spread: tuple[float, ...]
    decimals: tuple[int, ...]


def parse_count_percent(text: str) -> CountPercent:
    """Parse ``"17 (34)"``, ``"17 (34.0%)"`` or a bare count ``"17"``.

    Parameters
    ----------
    text : str
        The printed cell; the count may group thousands with commas (``"1,087"``).

    Returns
    -------
    CountPercent
        The count, the percentage (None for a bare count) and the percentage's
        printed decimals (None for a bare count).

    Raises
    ------
    PrintedError
        If the string is not a count with an optional percentage, or the
        percentage lies outside [0, 100].
    """
    if isinstance(text, str):  # a Monte Carlo parses the same table cells for every cohort
        return _count_percent_of(text)
    return _count_percent_of.__wrapped__(text)


@functools.lru_cache(maxsize=16384)
def _count_percent_of(text: str) -> CountPercent:
    """:func:`parse_count_percent`, remembered per string (the result is frozen)."""
    s = _normalise(text)
    m = re.fullmatch(r"(\d{1,3}(?:,\d{3})+|\d+)\s*(?:\(\s*(" + _NUM + r")\s*%?\s*\))?", s)
    if not m:
        raise PrintedError(f"expected 'count (percent)', got {text!r}")
    pct = m.group(2)
    if pct is not None and not 0 <= _num(pct) <= 100:
        raise PrintedError(f"a percentage lies in [0, 100], got {pct} in {text!r}")
    return CountPercent(
        int(_num(m.group(1))),
        _num(pct) if pct is not None else None,
        decimals_of(pct) if pct else None,
    )


def parse_pvalue(text: str) -> PValue:
    """Parse ``"0.372"``, ``"< 0.001"``, ``"<0.001"``, ``"> 0.2"`` or ``"1"``.

    Parameters
    ----------
    text : str
        The printed p-value; a leading ``p`` and an ``=`` are accepted.

    Returns
    -------
    PValue
        The value, its bound (``"<"``, ``">"`` or None) and printed decimals.

    Raises
    ------
    PrintedError
        If the string is not a p-value or the value lies outside [0, 1].
    """
    s = _normalise(text).replace(" ", "")
    m = re.fullmatch(r"(?:[pP]\s*)?([<>=]?)(" + r"\d*\.?\d+" + r")", s)
    if not m:
        raise PrintedError(f"expected a p-value such as '0.083' or '< 0.001', got {text!r}")
    token = m.group(2)
    value = float(token)
    if not 0.0 <= value <= 1.0:
        raise PrintedError(f"a p-value lies in [0, 1], got {text!r}")
    bound = m.group(1) if m.group(1) in ("<", ">") else None
    return PValue(value, bound, decimals_of(token))


def parse_summary(text: str, kind: str) -> Summary:
    """Parse a continuous summary in the form given by ``kind``.

    ``mean_sd``: ``"77.7±17.7"``; ``median_iqr`` / ``median_range``:
    ``"21.5 (13.5, 48.5)"`` or ``"21.5 (13.5-48.5)"``.

    Parameters
    ----------
    text : str
        The printed summary.
    kind : {"mean_sd", "median_iqr", "median_range"}
        Its form.

    Returns
    -------
    Summary
        The centre, the spread (``(sd,)`` or ``(low, high)``) and the printed
        decimals of each number.

    Raises
    ------
    PrintedError
        If the text does not have the form of ``kind``, the SD is negative, the
        median lies outside its bounds, or ``kind`` is unknown.

    Examples
    --------
    >>> parse_summary("21.5 (13.5, 48.5)", "median_range").spread
    (13.5, 48.5)
    """
    if isinstance(text, str) and isinstance(kind, str):  # the same cells for every cohort
        return _summary_of(text, kind)
    return _summary_of.__wrapped__(text, kind)


@functools.lru_cache(maxsize=16384)
def _summary_of(text: str, kind: str) -> Summary:
    """:func:`parse_summary`, remembered per string and kind (the result is frozen)."""
    s = _normalise(text)
    if kind == "mean_sd":
        m = re.fullmatch(r"(" + _NUM + r")\s*±\s*(" + _NUM + r")", s)
        if not m:
            raise PrintedError(f"expected 'mean±SD', got {text!r}")
        a, b = m.group(1), m.group(2)
        if _num(b) < 0:
            raise PrintedError(f"a standard deviation cannot be negative in {text!r}")
        return Summary(kind, _num(a), (_num(b),), (decimals_of(a), decimals_of(b)))
    if kind in ("median_iqr", "median_range"):
        m = re.fullmatch(
            r"(" + _NUM + r")\s*[\(\[]\s*(" + _NUM + r")\s*(?:,|-|to)\s*(" + _NUM + r")\s*[\)\]]", s
        )
        if not m:
            raise PrintedError(f"expected 'median (low, high)', got {text!r}")
        c, lo, hi = m.group(1), m.group(2), m.group(3)
        if not _num(lo) <= _num(c) <= _num(hi):
            raise PrintedError(f"the median must lie between its bounds in {text!r}")
        return Summary(
            kind, _num(c), (_num(lo), _num(hi)), (decimals_of(c), decimals_of(lo), decimals_of(hi))
        )
    raise PrintedError(
        f"unknown summary kind {kind!r}; expected mean_sd, median_iqr or median_range"
    )


def parse_numbers(text: str) -> list[float]:
    """All numbers printed in ``text``, in order (dashes used as ranges are not signs).

    Thousands grouped with commas are one number (``"16,763"``); a comma
    followed by a space separates two.

    Parameters
    ----------
    text : str
        Any printed text.

    Returns
    -------
    list of float
        The unsigned numbers found, in order (empty when there is none).

    Examples
    --------
    >>> [int(x) for x in parse_numbers("3 (95% CI 2-7)")]
    [3, 95, 2, 7]
    >>> parse_numbers("1087 (19-16,763)")
    [1087.0, 19.0, 16763.0]
    """
    s = _normalise(text)
    return [
        _num(t) for t in re.findall(r"(?<![\d.])(?:\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?:\.\d+)?", s)
    ]


def denominators_for_percent(
    count: int, percent: float, decimals: int, candidates: Iterable[int]
) -> list[int]:
    """The candidate denominators ``n`` for which ``100 * count / n`` prints as ``percent``.

    Parameters
    ----------
    count : int
        The numerator.
    percent : float
        The printed percentage.
    decimals : int
        Its printed decimals.
    candidates : iterable of int
        Denominators to try.

    Returns
    -------
    list of int
        The candidates whose percentage rounds (half up) to the printed one.

    Examples
    --------
    >>> denominators_for_percent(7, 17.5, 1, range(30, 50))
    [40]
    """
    return [
        int(n)
        for n in candidates
        if n > 0 and equal_at_precision(100.0 * count / n, percent, decimals)
    ]


def smallest_denominator(percent: float, decimals: int, *, max_n: int = 100000) -> int:
    """The smallest ``n`` for which some ``k/n`` prints as ``percent`` (a GRIM-style bound).

    Parameters
    ----------
    percent : float
        The printed percentage.
    decimals : int
        Its printed decimals.
    max_n : int
        The largest ``n`` tried.

    Returns
    -------
    int
        The smallest such ``n``.

    Raises
    ------
    ValueError
        When no ``n`` up to ``max_n`` fits.

    Examples
    --------
    >>> smallest_denominator(37.5, 1)
    8
    """
    for n in range(1, max_n + 1):
        if counts_printing_as(percent, decimals, n):
            return n
    raise ValueError(f"no denominator up to {max_n} prints as {percent}%")

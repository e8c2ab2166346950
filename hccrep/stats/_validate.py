"""Argument checks shared by the statistics modules."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["as_vector", "check_choice"]


def check_choice(value: str, allowed: Sequence[str], name: str) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is one of ``allowed``.

    Parameters
    ----------
    value : str
        The argument given.
    allowed : sequence of str
        Its allowed values.
    name : str
        The argument's name, for the message.

    Returns
    -------
    None
        Returns only when ``value`` is allowed.

    Examples
    --------
    >>> check_choice("log", ("log", "plain"), "conf_type")
    >>> check_choice("loglog", ("log", "plain"), "conf_type")
    Traceback (most recent call last):
    ...
    ValueError: unknown conf_type 'loglog'; expected one of 'log', 'plain'
    """
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(
            f"unknown {name} {value!r}; expected one of {', '.join(map(repr, allowed))}"
        )


def as_vector(x, name: str, dtype=float, what: str = "must be numeric"):
    """``x`` as a one-dimensional numpy array (one value per patient).

    A row or column vector (shape ``(n, 1)`` or ``(1, n)``, a one-column
    DataFrame) is flattened; a real table (two dimensions longer than 1) is a
    ``ValueError``, where ``ravel()`` would silently string its rows together.
    Values that cannot be converted to ``dtype`` are a ``ValueError``
    "``name`` ``what``".

    Parameters
    ----------
    x : array_like
        The argument given.
    name : str
        The argument's name, for the message.
    dtype : numpy dtype
        The array's dtype.
    what : str
        What the message says is wrong when the conversion fails.

    Returns
    -------
    numpy.ndarray
        One dimension, one value per patient.

    Examples
    --------
    >>> as_vector([[1], [2]], "time").tolist()
    [1.0, 2.0]
    >>> as_vector([[1, 2], [3, 4]], "time")
    Traceback (most recent call last):
    ...
    ValueError: time must be one-dimensional (one value per patient), got an array of shape (2, 2)
    """
    import numpy as np

    try:
        arr = np.asarray(x, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(f"{name} {what}") from None
    if sum(d > 1 for d in arr.shape) > 1:
        raise ValueError(
            f"{name} must be one-dimensional (one value per patient), got an array of shape {arr.shape}"
        )
    return arr.ravel()

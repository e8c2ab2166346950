"""Argument checks shared by the statistics modules."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["check_choice"]


def check_choice(value: str, allowed: Sequence[str], name: str) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is one of ``allowed``.

    >>> check_choice("log", ("log", "plain"), "conf_type")
    >>> check_choice("loglog", ("log", "plain"), "conf_type")
    Traceback (most recent call last):
    ...
    ValueError: unknown conf_type 'loglog'; expected one of 'log', 'plain'
    """
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(map(repr, allowed))}")

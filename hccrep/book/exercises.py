"""Exercises of the book's pages: conversion to sphinx-exercise directives and per-page numbers.

:func:`convert_exercises` turns ``Exercise N`` / ``Solution N`` admonitions into
sphinx-exercise ``exercise`` / ``solution`` directives (``python -m hccrep.book
convert-exercises``); :func:`number_exercises_per_page` is what the Sphinx extension
(:mod:`hccrep.book.sphinxext`) applies so that each page numbers its exercises from 1.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["exercise_label_prefix", "convert_exercises", "number_exercises_per_page"]

_OPEN = re.compile(
    r"^(?P<fence>:{3,})\{admonition\}\s+(?P<kind>Exercise|Solution)\s+(?P<num>\d+)\b(?P<rest>.*)$"
)


def exercise_label_prefix(path: str | Path) -> str:
    """The label prefix of a notebook's exercises: ``<folder>-<stem>``, e.g. ``fonc2025-01_baseline``.

    Parameters
    ----------
    path : str or Path
        The page's path; only its folder name and stem are used.

    Returns
    -------
    str
        ``<folder>-<stem>`` in lower case, with every run of other characters than
        letters, digits, ``_`` and ``-`` replaced by ``-``.

    Examples
    --------
    >>> exercise_label_prefix("book/fonc2025/01_baseline.md")
    'fonc2025-01_baseline'
    """
    p = Path(path)
    prefix = f"{p.parent.name}-{p.stem}" if p.parent.name else p.stem
    return re.sub(r"[^A-Za-z0-9_-]+", "-", prefix).lower()


def convert_exercises(text: str, label_prefix: str) -> tuple[str, int]:
    """Turn ``Exercise N`` / ``Solution N`` admonitions into sphinx-exercise directives.

    ``:::{admonition} Exercise N[ title]`` becomes ``:::{exercise}[ title]`` with
    ``:label: <label_prefix>-exN``; ``:::{admonition} Solution N`` becomes
    ``:::{solution} <label_prefix>-exN`` with ``:label: <label_prefix>-solN`` and
    ``:class: dropdown`` (hidden until clicked). Options of the admonition (its
    ``:class:`` line) are dropped; the body and the closing fence are kept as they are.
    Text that holds no such admonition is returned unchanged, so the conversion is
    idempotent.

    Parameters
    ----------
    text : str
        A MyST Markdown page.
    label_prefix : str
        Prefix of the labels (see :func:`exercise_label_prefix`); unique in the book.

    Returns
    -------
    (str, int)
        The converted text and the number of directives converted.

    Raises
    ------
    ValueError
        If a solution has no exercise of the same number before it, a number is used
        twice, or an admonition is not closed.

    Examples
    --------
    >>> src = ":::{admonition} Exercise 1\\nDo it.\\n:::\\n"
    >>> out, n = convert_exercises(src, "demo")
    >>> out.splitlines()[:2], n
    ([':::{exercise}', ':label: demo-ex1'], 1)
    """
    if not isinstance(label_prefix, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", label_prefix):
        raise ValueError(
            f"label_prefix must hold only letters, digits, - and _; got {label_prefix!r}"
        )
    lines = text.split("\n")
    out: list[str] = []
    exercises: set[str] = set()
    solutions: set[str] = set()
    converted = 0
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        fence, kind, num, rest = m["fence"], m["kind"], m["num"], m["rest"].strip()
        closing = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == fence), None)
        if closing is None:
            raise ValueError(f"{kind} {num} (line {i + 1}) is not closed by a line {fence!r}")
        j = i + 1
        while j < closing and re.match(r"^:[A-Za-z_-]+:", lines[j]):
            j += 1  # drop the admonition's options
        title = re.sub(r"^[:.\-–—]\s*", "", rest)
        if kind == "Exercise":
            if num in exercises:
                raise ValueError(f"Exercise {num} (line {i + 1}) appears twice")
            exercises.add(num)
            out += [
                f"{fence}{{exercise}}" + (f" {title}" if title else ""),
                f":label: {label_prefix}-ex{num}",
            ]
        else:
            if num not in exercises:
                raise ValueError(f"Solution {num} (line {i + 1}) has no Exercise {num} before it")
            if num in solutions:
                raise ValueError(f"Solution {num} (line {i + 1}) appears twice")
            solutions.add(num)
            out += [
                f"{fence}{{solution}} {label_prefix}-ex{num}",
                f":label: {label_prefix}-sol{num}",
                ":class: dropdown",
            ]
        converted += 1
        out += lines[j : closing + 1]
        i = closing + 1
    return "\n".join(out), converted


def number_exercises_per_page(toc_fignumbers: dict) -> dict:
    """Renumber sphinx-exercise's exercises 1, 2, ... within each page.

    Sphinx numbers enumerable nodes (figures, tables, sphinx-exercise's ``exercise``) through
    the whole book when the table of contents has no section numbers, so the third page's
    first exercise would be "Exercise 6"; the pages say "Exercise 1". ``toc_fignumbers``
    maps docname -> figure type -> node id -> number tuple, each page's ids in document
    order; the exercises' tuples become ``(1,), (2,), ...`` per page, everything else is
    kept. The solutions and every ``{numref}`` read the same numbers.

    Parameters
    ----------
    toc_fignumbers : dict
        Sphinx's ``env.toc_fignumbers``: docname -> figure type -> node id -> number tuple.

    Returns
    -------
    dict
        A copy with each page's exercises numbered ``(1,), (2,), ...`` in document order;
        the other figure types unchanged.

    Examples
    --------
    >>> number_exercises_per_page({"a": {"exercise": {"x": (1,), "y": (2,)}},
    ...                            "b": {"exercise": {"z": (3,)}, "figure": {"f": (1,)}}})
    {'a': {'exercise': {'x': (1,), 'y': (2,)}}, 'b': {'exercise': {'z': (1,)}, 'figure': {'f': (1,)}}}
    """
    out = {}
    for docname, by_type in toc_fignumbers.items():
        by_type = dict(by_type)
        if "exercise" in by_type:
            by_type["exercise"] = {ids: (i,) for i, ids in enumerate(by_type["exercise"], start=1)}
        out[docname] = by_type
    return out

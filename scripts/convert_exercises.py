#!/usr/bin/env python3
"""Convert admonition-style exercises to sphinx-exercise directives in the book's pages.

Usage (from the repository root)::

    .venv/bin/python scripts/convert_exercises.py            # every book/**/*.md
    .venv/bin/python scripts/convert_exercises.py book/tu2025/*.md

``:::{admonition} Exercise N`` becomes ``:::{exercise}`` with ``:label: <folder>-<stem>-exN``
and ``:::{admonition} Solution N`` (with ``:class: dropdown``) becomes
``:::{solution} <folder>-<stem>-exN`` with ``:label: <folder>-<stem>-solN`` and
``:class: dropdown``. A page without such admonitions is left untouched, so running the
script twice changes nothing. The logic is :func:`hccrep.book.exercises.convert_exercises`; this
script is ``python -m hccrep.book convert-exercises`` with the repository on the path.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hccrep.book.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["convert-exercises", *sys.argv[1:]]))

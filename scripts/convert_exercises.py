#!/usr/bin/env python3
"""Convert admonition-style exercises to sphinx-exercise directives in the book's pages.

Usage (from the repository root)::

    .venv/bin/python scripts/convert_exercises.py            # every book/**/*.md
    .venv/bin/python scripts/convert_exercises.py book/tu2025/*.md

``:::{admonition} Exercise N`` becomes ``:::{exercise}`` with ``:label: <folder>-<stem>-exN``
and ``:::{admonition} Solution N`` (with ``:class: dropdown``) becomes
``:::{solution} <folder>-<stem>-exN`` with ``:label: <folder>-<stem>-solN`` and
``:class: dropdown``. A page without such admonitions is left untouched, so running the
script twice changes nothing. The logic is :func:`hccrep.book.convert_exercises`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hccrep.book import convert_exercises, exercise_label_prefix  # noqa: E402


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "book").rglob("*.md"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new, count = convert_exercises(text, exercise_label_prefix(path))
        if new != text:
            path.write_text(new, encoding="utf-8")
        print(f"{path}: {count} exercise/solution blocks converted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""The dependencies of hccrep without their version bounds, for ``make test-latest``.

Usage (from the repository root; standard library only, so it runs in a new virtual
environment before anything is installed)::

    python scripts/latest_requirements.py            # one requirement per line, bounds dropped
    python scripts/latest_requirements.py --report   # each package: pyproject's bounds, installed version

The first form lists every requirement of ``[project] dependencies`` and of the ``book`` and
``dev`` extras of ``pyproject.toml`` by name (with its extras, e.g. ``dask[distributed]``), plus
:data:`ALSO`, libraries the book build relies on without depending on them directly. ``pip
install --upgrade`` then takes the newest release of each that fits the others.

The report marks with ``above`` every package whose installed version lies outside the bounds
of ``pyproject.toml``: those are the new releases the unit tests have just met.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The extras of pyproject.toml that ``make test`` installs.
EXTRAS = ("book", "dev")

#: Not direct dependencies, but what ``python -m hccrep.book execute`` and the build use.
ALSO = ("jupyter-cache", "nbclient", "jupyter_client")

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[tuple[str, str, str]]:
    """``(name, extras, bounds)`` of every dependency, in file order, each name once.

    Examples
    --------
    >>> ("dask", "[distributed]") in [r[:2] for r in requirements()]
    True
    """
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = list(project.get("dependencies", []))
    for extra in EXTRAS:
        lines += project.get("optional-dependencies", {}).get(extra, [])
    lines += list(ALSO)
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for line in lines:
        m = _NAME.match(line)
        if m is None:
            raise ValueError(f"pyproject.toml: cannot read the requirement {line!r}")
        name, extras, bounds = m.group(1), m.group(2) or "", m.group(3).split(";")[0].strip()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key not in seen:
            seen.add(key)
            out.append((name, extras, bounds))
    return out


def report() -> str:
    """Each package with pyproject's bounds and the installed version (``above``: outside the bounds)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        from packaging.specifiers import SpecifierSet
    except ImportError:  # pragma: no cover - pip installs packaging with pytest
        SpecifierSet = None
    rows = []
    for name, _, bounds in requirements():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "missing"
        outside = (
            bool(bounds)
            and installed != "missing"
            and SpecifierSet is not None
            and installed not in SpecifierSet(bounds)
        )
        rows.append(
            f"{name:<22} {bounds or '(indirect)':<18} {installed:<14} {'above' if outside else ''}".rstrip()
        )
    return "\n".join([f"{'package':<22} {'pyproject':<18} installed", *rows])


if __name__ == "__main__":
    if sys.argv[1:] == ["--report"]:
        print(report())
    elif not sys.argv[1:]:
        print("\n".join(name + extras for name, extras, _ in requirements()))
    else:
        sys.exit(f"usage: {sys.argv[0]} [--report]")

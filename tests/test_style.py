"""The code style that CI enforces: ruff's lint rules and formatter (pyproject.toml) on the package and the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> list[str]:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:  # a dev extra of pyproject.toml: missing means the environment is incomplete
        pytest.fail("ruff is not installed (pip install -e '.[dev]')")
    return [exe]


def test_ruff_lint_is_clean():
    res = subprocess.run(
        [*_ruff(), "check", "--no-cache", "hccrep", "tests", "benchmarks", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_ruff_format_is_applied():
    res = subprocess.run(
        [*_ruff(), "format", "--check", "--no-cache", "hccrep", "tests", "benchmarks", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, (
        "run `ruff format hccrep tests benchmarks scripts`:\n" + res.stdout + res.stderr
    )

"""Helpers for tests that compare hccrep with R, run live.

R is found as ``$HCCREP_RSCRIPT`` or ``Rscript`` on the PATH.  When R or a
required package is missing the calling test is skipped with the reason --
unless ``HCCREP_REQUIRE_R=1`` (set in CI), in which case it fails, so parity
can never be skipped silently where it is meant to run.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest

R_DIR = Path(__file__).resolve().parent / "r"


def rscript() -> str | None:
    """Path of the ``Rscript`` executable, or None."""
    return os.environ.get("HCCREP_RSCRIPT") or shutil.which("Rscript")


@functools.cache
def r_problem(packages: tuple[str, ...] = ()) -> str | None:
    """Why R cannot be used (None when ``Rscript`` and ``packages`` are available)."""
    exe = rscript()
    if exe is None:
        return "Rscript not found (install R or set HCCREP_RSCRIPT)"
    probe = (
        "pk <- commandArgs(trailingOnly = TRUE); "
        "ok <- vapply(pk, requireNamespace, logical(1), quietly = TRUE); "
        "cat(pk[!ok], sep = '\\n')"
    )
    try:
        done = subprocess.run(
            [exe, "--vanilla", "-e", probe, *packages],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Rscript ({exe}) could not be run: {exc}"
    if done.returncode != 0:
        return f"Rscript ({exe}) failed: {done.stderr.strip()[-500:]}"
    missing = [p for p in done.stdout.split() if p]
    if missing:
        return f"R package(s) not installed: {', '.join(missing)}"
    return None


def require_r(packages: tuple[str, ...] = ("survival",)) -> None:
    """Skip (or, with ``HCCREP_REQUIRE_R=1``, fail) unless R and ``packages`` are usable."""
    problem = r_problem(tuple(packages))
    if problem is None:
        return
    if os.environ.get("HCCREP_REQUIRE_R") == "1":
        pytest.fail(f"HCCREP_REQUIRE_R=1 but {problem}", pytrace=False)
    pytest.skip(f"R parity not run: {problem}")


def run_r(script: str, *args: object, timeout: float = 600) -> str:
    """Run ``tests/r/<script>`` with ``Rscript --vanilla`` and return its stdout.

    A non-zero exit fails the calling test with R's stderr.
    """
    exe = rscript()
    assert exe is not None, "call require_r() first"
    cmd = [exe, "--vanilla", str(R_DIR / script), *map(str, args)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(cmd)} exited with {done.returncode}:\n{done.stderr[-3000:]}", pytrace=False
        )
    return done.stdout


def read_kv(path: str | os.PathLike) -> dict[str, float]:
    """Parse the ``key,value`` lines the R scripts write (``NA`` -> NaN)."""
    out: dict[str, float] = {}
    for n, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        key, _, value = line.rpartition(",")
        if not key:
            raise ValueError(f"{path}:{n}: expected 'key,value', got {line!r}")
        if key in out:
            raise ValueError(f"{path}:{n}: duplicate key {key!r}")
        out[key] = math.nan if value == "NA" else float(value)
    return out

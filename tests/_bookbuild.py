"""Build the book once for the tests that need the HTML or the executed notebooks.

CI executes every notebook of ``_toc.yml`` once, with :data:`FAST_PARAMETERS` injected into
its ``parameters`` cell as papermill does, in parallel into a jupyter-cache of its own
(``python -m hccrep.book execute --param ...``), and builds the book from that cache with
``-W``: ``tests/test_notebooks.py`` reads each notebook's outcome, ``tests/test_browser.py``
opens the HTML. ``make book`` builds the reader's book the same way with the defaults.

:func:`build_book` builds as ``make book`` does, into an output folder: every notebook is
first executed in parallel into ``<out>/_build/.jupyter_cache`` (``python -m hccrep.book
execute``, ``HCCREP_BOOK_JOBS`` workers, 2 by default), then ``jupyter-book build -W
--keep-going --all`` renders them from that cache. Both run with a ``python3`` kernelspec on
the interpreter that runs pytest; the log of both steps and the HTML folder are returned. ``HCCREP_BOOK_HTML=<path to _build/html>`` skips the build and reuses one
(for example the output of ``make book``); the tests then check that build.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK_TIMEOUT = 60 * 60  # seconds for the whole book build


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


#: What CI injects into every notebook's ``parameters`` cell (as papermill ``-p``; only the
#: names a cell assigns): SEED is fixed, FAST asks for the CI-sized run.
FAST_PARAMETERS = {"SEED": 7, "FAST": True, "N_MC": 20}


@dataclass
class BookBuild:
    html: Path
    returncode: int
    log: str
    #: docname -> {"ok", "seconds", "error", "parameters"} of the pre-execution ({} when reused)
    notebooks: dict | None = None

    @property
    def flagged(self) -> str:
        """The warning and error lines of the log (the kernel's TCP notice excluded)."""
        return "\n".join(
            line
            for line in self.log.splitlines()
            if re.search(r"WARNING:|ERROR|Error:", line) and "IPKernelApp" not in line
        )


def jupyter_book_executable() -> str | None:
    local = Path(sys.executable).with_name("jupyter-book")
    return str(local) if local.is_file() else shutil.which("jupyter-book")


def book_jobs() -> int:
    """Notebooks executed at once before the build: ``HCCREP_BOOK_JOBS``, 2 by default."""
    raw = os.environ.get("HCCREP_BOOK_JOBS", "").strip() or "2"
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"HCCREP_BOOK_JOBS must be a positive integer, got {raw!r}")
    return int(raw)


def _run(cmd: list[str], env: dict, timeout: float) -> tuple[int, str]:
    try:
        proc = subprocess.run(
            cmd,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
        return proc.returncode, proc.stdout
    except subprocess.TimeoutExpired as exc:
        out = (
            exc.output.decode(errors="replace")
            if isinstance(exc.output, bytes)
            else (exc.output or "")
        )
        return -1, f"{' '.join(cmd[:4])} ... took more than {timeout:.0f} s\n{out}"


def build_book(out_dir: Path, jupyter_path: Path) -> BookBuild:
    """Pre-execution and ``jupyter-book build`` of the repository into ``out_dir`` (or reuse ``HCCREP_BOOK_HTML``)."""
    reuse = os.environ.get("HCCREP_BOOK_HTML")
    if reuse:
        html = Path(reuse)
        ok = (html / "index.html").is_file()
        return BookBuild(
            html, 0 if ok else 1, "" if ok else f"HCCREP_BOOK_HTML={reuse} has no index.html"
        )
    from ipykernel.kernelspec import write_kernel_spec

    write_kernel_spec(path=str(jupyter_path / "kernels" / "python3"))
    env = dict(os.environ)
    env["JUPYTER_PATH"] = str(jupyter_path) + (
        os.pathsep + env["JUPYTER_PATH"] if env.get("JUPYTER_PATH") else ""
    )
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.setdefault("HCCREP_CACHE_DIR", str(out_dir / "_build" / ".hccrep_cache"))
    exe = jupyter_book_executable()
    if exe is None:
        raise FileNotFoundError(
            "the jupyter-book command is not installed; `make test` installs it"
        )
    env.pop("MPLBACKEND", None)  # the kernels' inline backend needs it unset
    cache = out_dir / "_build" / ".jupyter_cache"
    shutil.rmtree(cache, ignore_errors=True)  # a fresh execution, as `make book`
    t0 = time.monotonic()
    results_json = out_dir / "notebooks.json"
    params = [a for k, v in FAST_PARAMETERS.items() for a in ("--param", f"{k}={v!r}")]
    code, log = _run(
        [
            sys.executable,
            "-m",
            "hccrep.book",
            "execute",
            "--root",
            str(ROOT),
            "--jobs",
            str(book_jobs()),
            "--cache-path",
            str(cache),
            "--results-json",
            str(results_json),
            *params,
        ],
        env,
        BOOK_TIMEOUT,
    )
    notebooks = (
        {r["docname"]: r for r in json.loads(results_json.read_text(encoding="utf-8"))}
        if results_json.is_file()
        else {}
    )
    if (
        code == 0
    ):  # a failed notebook is reported by the pre-execution; the build would only repeat it
        cmd = [
            exe,
            "build",
            str(ROOT),
            "--path-output",
            str(out_dir),
            "-W",
            "--keep-going",
            "--all",
        ]
        code, build_log = _run(cmd, env, max(60.0, BOOK_TIMEOUT - (time.monotonic() - t0)))
        log += build_log
    log = strip_ansi(log)
    (out_dir / "build.log").write_text(log, encoding="utf-8")
    return BookBuild(out_dir / "_build" / "html", code, log, notebooks)


def build_book_once(tmp_path_factory) -> BookBuild:
    """:func:`build_book` once per pytest run, even with several xdist workers.

    Under ``pytest -n N`` every worker has its own session; the first worker to get here
    builds into a folder shared by all workers (next to their temporary folders) while
    holding a lock, and the others wait for it and reuse its result (the pattern of the
    pytest-xdist documentation, with :func:`fcntl.flock` instead of the filelock package).
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = shared / "book-build"
    record = shared / "book-build.json"
    with open(shared / "book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.is_file():
            saved = json.loads(record.read_text(encoding="utf-8"))
            return BookBuild(
                Path(saved["html"]), saved["returncode"], saved["log"], saved.get("notebooks")
            )
        out.mkdir(parents=True, exist_ok=True)
        jupyter = shared / "book-build-jupyter"
        jupyter.mkdir(parents=True, exist_ok=True)
        result = build_book(out, jupyter)
        record.write_text(
            json.dumps(
                {
                    "html": str(result.html),
                    "returncode": result.returncode,
                    "log": result.log,
                    "notebooks": result.notebooks,
                }
            ),
            encoding="utf-8",
        )
        return result

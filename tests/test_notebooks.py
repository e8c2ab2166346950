"""Every book notebook runs with other parameters (the CI-sized ones).

* ``test_notebook_runs_with_fast_parameters``: one test per MyST notebook listed in
  ``_toc.yml``. Its first code cell must be tagged ``parameters`` and assign ``SEED`` and
  ``FAST``. Every notebook is executed once per test run, with :data:`FAST_PARAMETERS`
  injected after that cell as papermill injects them (``N_MC`` only where the cell assigns
  it), in its own folder, by ``python -m hccrep.book execute --param ...`` in two worker
  processes (``tests/_bookbuild.py``); the book is then built from those runs with ``-W``
  and opened in Chromium (``tests/test_browser.py``). This test reports the outcome of its
  notebook, with the kernel's traceback when a cell raised.
* ``make book`` builds the reader's book the same way, with each notebook's defaults.

Kernels run on the interpreter that runs pytest (``sys.executable``): the build registers a
``python3`` kernelspec for it in a temporary ``JUPYTER_PATH``, which takes precedence over
any user-level kernel of that name.

Missing jupytext / jupyter-cache / jupyter-book skip these tests locally, and fail them
when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import pytest
import yaml
from _bookbuild import FAST_PARAMETERS, build_book_once  # FAST_PARAMETERS: what CI injects
from hccrep.bookexec import assigned_names  # the names the injection accepts, read the same way

ROOT = Path(__file__).resolve().parents[1]
TOC = ROOT / "_toc.yml"

#: Names the ``parameters`` cell must assign.
REQUIRED_PARAMETERS = ("SEED", "FAST")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(module: str):
    """Import a tool the test needs: skip without it locally, fail without it in CI."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        message = f"{module} is not importable ({exc}); `make test` installs it into .venv"
    if in_ci():
        pytest.fail(f"CI is set and {message}", pytrace=False)
    pytest.skip(message)


# --------------------------------------------------------------------------- discovery


def toc_entries(toc_path: Path = TOC) -> list[str]:
    """Every ``root`` and ``file`` entry of a jb-book table of contents, in order."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return found


def resolve_entry(entry: str, root: Path = ROOT) -> Path | None:
    base = root / entry
    for candidate in (base, *(base.with_name(base.name + s) for s in (".md", ".ipynb", ".rst"))):
        if candidate.is_file():
            return candidate
    return None


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    m = re.match(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", text, re.S)
    if not m:
        return {}
    data = yaml.safe_load(m.group(1))
    return data if isinstance(data, dict) else {}


def is_notebook_candidate(path: Path) -> bool:
    """A Markdown page whose front matter makes it (or means it to be) a notebook."""
    if path.suffix != ".md":
        return False
    fm = front_matter(path)
    return "jupytext" in fm or "kernelspec" in fm or fm.get("file_format") == "mystnb"


def notebook_params() -> list:
    params = []
    if not TOC.is_file():
        return [pytest.param(None, id="no-_toc.yml")]
    for entry in toc_entries():
        path = resolve_entry(entry)
        if path is None:
            # Listed but absent: the book build fails on it too; say so here as well.
            params.append(pytest.param(ROOT / entry, id=entry))
        elif is_notebook_candidate(path):
            params.append(pytest.param(path, id=entry))
    return params


NOTEBOOKS = notebook_params()


# --------------------------------------------------------------------------- the tests


def test_toc_lists_at_least_one_notebook():
    assert TOC.is_file(), f"{TOC} is missing"
    assert any(p.values[0] is not None and p.values[0].is_file() for p in NOTEBOOKS), (
        f"no MyST notebook found among the entries of {TOC.name}: {toc_entries()}"
    )


@pytest.mark.notebook
@pytest.mark.parametrize("nb_path", NOTEBOOKS)
def test_notebook_runs_with_fast_parameters(nb_path: Path | None, tmp_path_factory):
    assert nb_path is not None, f"{TOC} is missing"
    rel = nb_path.relative_to(ROOT)
    assert nb_path.is_file(), f"{rel} is listed in _toc.yml but does not exist"

    jupytext = require("jupytext")
    require("jupyter_cache")  # `python -m hccrep.book execute` runs the notebooks through it

    fm = front_matter(nb_path)
    fmt = ((fm.get("jupytext") or {}).get("text_representation") or {}).get("format_name")
    assert fmt == "myst" or fm.get("file_format") == "mystnb", (
        f"{rel}: front matter names a kernel but not jupytext format 'myst', so the "
        f"book would render it without executing it (format_name={fmt!r})"
    )

    nb = jupytext.read(nb_path)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells, f"{rel}: a notebook without code cells should be a plain page"
    first = code_cells[0]
    tags = list(first.metadata.get("tags", []))
    assert "parameters" in tags, (
        f"{rel}: the first code cell must be tagged 'parameters' "
        f"(```{{code-cell}} ipython3\\n:tags: [parameters]\\n...), found tags {tags}"
    )
    declared = assigned_names(first.source)
    missing = [name for name in REQUIRED_PARAMETERS if name not in declared]
    assert not missing, f"{rel}: the parameters cell does not assign {missing}"
    expected = {k: v for k, v in FAST_PARAMETERS.items() if k in declared}

    # every notebook was executed once, with FAST_PARAMETERS injected, for the CI book build
    build = build_book_once(tmp_path_factory)
    if build.notebooks is None:
        pytest.skip(
            "HCCREP_BOOK_HTML reuses a finished build: its notebooks were not executed by this run"
        )
    docname = rel.with_suffix("").as_posix()
    assert docname in build.notebooks, (
        f"{rel} was not executed by `python -m hccrep.book execute` (not a notebook page to MyST-NB?); "
        f"the pre-execution log ends with:\n{build.log[-3000:]}"
    )
    outcome = build.notebooks[docname]
    assert outcome["parameters"] == expected or not outcome["ok"], (
        f"{rel}: injected {outcome['parameters']}, expected {expected}"
    )
    if not outcome["ok"]:
        pytest.fail(
            f"{rel} failed with parameters {expected} after {outcome['seconds']:.1f} s:\n{outcome['error']}",
            pytrace=False,
        )


@pytest.mark.book
def test_the_book_build_executes_no_notebook(tmp_path_factory):
    """The test build renders every page from the runs above: MyST-NB finds each in the cache.

    A page it executes itself means that :func:`hccrep.bookexec.read_page` no longer reads the
    pages as MyST-NB does (a new release of myst-nb or jupyter-cache).
    """
    from hccrep.bookexec import library_versions

    build = build_book_once(tmp_path_factory)
    if build.notebooks is None:
        pytest.skip("HCCREP_BOOK_HTML reuses a finished build: its log is not available")
    failed = sorted(name for name, r in build.notebooks.items() if not r["ok"])
    if failed or not build.notebooks:
        pytest.skip(f"the book was not built because notebooks failed (reported above): {failed}")
    executed = [line for line in build.log.splitlines() if "Executing notebook" in line]
    assert not executed, (
        f"jupyter-book executed {len(executed)} page(s) that `python -m hccrep.book execute` had "
        f"cached ({library_versions()}):\n" + "\n".join(executed)
    )
    assert build.log.count("Using cached notebook") == len(build.notebooks), build.log[-3000:]

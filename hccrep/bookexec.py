"""Run the book's notebooks in parallel into the execution cache that ``jupyter-book build`` reads.

With ``execute_notebooks: cache`` in ``_config.yml``, MyST-NB looks every notebook page up in a
jupyter-cache (``match_cache_notebook``) and executes, one page after the other, only those it
does not find there. :func:`execute_book` fills that cache before the build: the pages run in a
pool of worker processes (one kernel per worker at a time, the longest page first), and
``jupyter-book build`` afterwards only renders. Its log then says ``Using cached notebook`` for
every page and never ``Executing notebook``.

Only documented interfaces are used:

- ``_toc.yml`` and ``_config.yml`` are read as YAML, following Jupyter Book's documented keys
  (``root``/``file``/``glob`` entries; ``execute:``; ``sphinx: config: nb_*`` overrides);
- a page is read by the jupyter-cache reader plugin that MyST-NB installs for MyST Markdown
  notebooks (entry point ``myst_nb_md`` of the group ``jcache.readers``, :func:`read_page`), the
  reader MyST-NB itself names in the records of the cache; an ``.ipynb`` page by nbformat;
- each page runs in a fresh kernel through nbclient's ``NotebookClient``, in the page's folder;
- each executed notebook is stored with jupyter-cache's ``add_nb_to_project`` and
  ``cache_notebook_bundle`` (``execution_seconds`` in its data, which the build shows in the
  ``{nb-exec-table}``), then looked up with ``match_cache_notebook`` on the notebook as read,
  which is the lookup MyST-NB makes. A notebook that this lookup does not find is removed again
  and reported as a failure.

The one assumption outside these interfaces is that the book's Markdown settings (``parse:``
in ``_config.yml``) do not change which code cells MyST-NB reads, since the reader plugin
parses with MyST's defaults. ``tests/test_book_exec.py`` builds a small book with the real
book's settings and fails, naming the versions of myst-nb, jupyter-cache and jupyter-book, if
the build executes a page; ``make book`` fails the same way when its log shows an execution.

A notebook that fails is reported with its traceback once every other notebook has finished,
the command exits with status 1, and nothing is cached for it (an entry left by an earlier run
for the same code is removed, so the build cannot show stale outputs).

Examples
--------
From the repository root (what ``make book`` runs before ``jupyter-book build``)::

    python -m hccrep.book execute --jobs 2
    python -m hccrep.book execute --only 'book/fonc2025/*' --cache-path /tmp/jc
"""

from __future__ import annotations

import dataclasses as dc
import fnmatch
import hashlib
import json
import os
import re
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import yaml

from hccrep.parallel import MAX_JOBS_ENV

__all__ = [
    "RUN_FIRST",
    "MYST_READER",
    "ExecSettings",
    "NotebookPage",
    "ExecResult",
    "book_settings",
    "toc_docnames",
    "is_myst_notebook",
    "read_page",
    "notebook_pages",
    "run_after",
    "execution_order",
    "assigned_names",
    "inject_parameters",
    "execute_book",
    "report_failures",
]

#: Pages run on their own before every other page (docnames, i.e. toc paths without suffix).
#: The scorecard appendix computes the Monte Carlo of every study into ``HCCREP_CACHE_DIR``,
#: which many chapter notebooks reuse; started beside it they would compute the same Monte
#: Carlo again. It runs that Monte Carlo on two worker processes itself, so the machine is
#: not idle meanwhile.
RUN_FIRST = ("book/appendices/scorecard",)

#: Where a page names the pages it must run after: its front matter's ``hccrep: run_after:``
#: (a list). A name without "/" is a page of the same folder (``05_performance``), one with "/"
#: a docname from the book's root. A notebook that reuses another's Monte Carlo through
#: ``HCCREP_CACHE_DIR`` names it here; started beside it, it would compute the same cohorts again.
RUN_AFTER = ("hccrep", "run_after")

#: File beside the cache folder where the shortest run time seen for each notebook (and a
#: digest of its code) is kept, so that the next run can order the notebooks even after the
#: cache was deleted (``make book`` does).
TIMES_FILE = "book-exec-times.json"

#: The jupyter-cache reader of MyST Markdown notebooks: the plugin MyST-NB installs (entry point
#: group ``jcache.readers``) and records for the pages it adds to the cache's project.
MYST_READER = {"type": "plugin", "name": "myst_nb_md"}

#: The reader jupyter-cache uses by default, for ``.ipynb`` pages.
IPYNB_READER = {"type": "plugin", "name": "nbformat"}

#: Jupyter Book's defaults for the ``execute:`` keys this module uses (its ``default_config.yml``).
EXECUTE_DEFAULTS = {
    "execute_notebooks": "auto",
    "cache": "",
    "exclude_patterns": [],
    "timeout": 30,
    "run_in_temp": False,
    "allow_errors": False,
}

#: MyST-NB options (``sphinx: config:``) that override an ``execute:`` key, as Jupyter Book maps them.
NB_OPTIONS = {
    "nb_execution_mode": "execute_notebooks",
    "nb_execution_cache_path": "cache",
    "nb_execution_excludepatterns": "exclude_patterns",
    "nb_execution_timeout": "timeout",
    "nb_execution_in_temp": "run_in_temp",
    "nb_execution_allow_errors": "allow_errors",
}

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

#: Seconds a kernel may take to start (nbclient's ``startup_timeout``; its default is 60 s).
KERNEL_STARTUP_TIMEOUT = 300


@dc.dataclass(frozen=True)
class ExecSettings:
    """The execution settings of a book, from the ``execute:`` section of its ``_config.yml``.

    Attributes
    ----------
    mode : str
        ``execute_notebooks`` (``auto``, ``force``, ``cache``, ``inline`` or ``off``).
    cache : str
        ``execute.cache``: the jupyter-cache folder ("" for the build's default,
        ``<output>/_build/.jupyter_cache``).
    exclude_patterns : tuple of str
        Pages never executed (matched against the end of the page's path).
    timeout : int or None
        Seconds per cell.
    in_temp : bool
        Run in a temporary folder instead of the page's folder.
    allow_errors : bool
        Go on after a cell that raises.
    kernel_aliases : dict
        MyST-NB's ``nb_kernel_rgx_aliases``: kernel names (regular expressions) replaced before
        execution and before the cache lookup.
    """

    mode: str = "auto"
    cache: str = ""
    exclude_patterns: tuple[str, ...] = ()
    timeout: int | None = 30
    in_temp: bool = False
    allow_errors: bool = False
    kernel_aliases: dict = dc.field(default_factory=dict)


@dc.dataclass
class NotebookPage:
    """One notebook page of the book, read as the build reads it.

    Attributes
    ----------
    docname : str
        The page as the table of contents names it (``book/fonc2025/05_cox``).
    path : Path
        The source file (absolute).
    notebook : nbformat.NotebookNode
        The notebook before execution, as :func:`read_page` gives it.
    read_data : dict
        The jupyter-cache reader of the page (:data:`MYST_READER` or :data:`IPYNB_READER`).
    timeout : int or None
        Per-cell timeout in seconds (``execute.timeout`` or the notebook's override).
    allow_errors : bool
        ``execute.allow_errors`` (or the notebook's override).
    in_temp : bool
        ``execute.run_in_temp``: run in a temporary folder instead of the page's folder.
    """

    docname: str
    path: Path
    notebook: object
    read_data: dict
    timeout: int | None
    allow_errors: bool
    in_temp: bool


@dc.dataclass
class ExecResult:
    """The outcome of one notebook: ``ok``, run time, on failure the traceback text, and the injected parameters.

    Attributes
    ----------
    docname : str
        The page, relative to the book's root, without suffix.
    ok : bool
        Whether every cell ran.
    seconds : float
        Run time.
    error : str
        The traceback text of a failure ('' on success).
    parameters : dict
        The injected parameters (empty for the defaults).
    """

    docname: str
    ok: bool
    seconds: float
    error: str = ""
    parameters: dict = dc.field(default_factory=dict)


# --------------------------------------------------------------------------- configuration


def book_settings(root: str | Path, config: str | Path | None = None) -> ExecSettings:
    """The execution settings of the book at ``root``, as Jupyter Book passes them to MyST-NB.

    The ``execute:`` keys of ``_config.yml`` (with Jupyter Book's defaults,
    :data:`EXECUTE_DEFAULTS`), then the MyST-NB options of ``sphinx: config:`` that override them
    (:data:`NB_OPTIONS`) and ``nb_kernel_rgx_aliases``.

    Parameters
    ----------
    root : path
        The book's source folder (the one given to ``jupyter-book build``).
    config : path, optional
        The ``_config.yml`` to use; ``<root>/_config.yml`` by default.

    Returns
    -------
    ExecSettings

    Raises
    ------
    ValueError
        If the file is not a YAML mapping, or sets ``nb_custom_formats`` (pages in other
        formats are read by readers this module does not know, so it could not cache them).

    Examples
    --------
    >>> book_settings(".").timeout          # doctest: +SKIP
    600
    """
    path = Path(config) if config is not None else Path(root) / "_config.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    data = data or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a YAML mapping")
    execute = dict(EXECUTE_DEFAULTS)
    execute.update(data.get("execute") or {})
    sphinx_config = (data.get("sphinx") or {}).get("config") or {}
    if sphinx_config.get("nb_custom_formats"):
        raise ValueError(
            f"{path}: nb_custom_formats is set; the pre-execution reads only MyST Markdown "
            "and .ipynb pages"
        )
    for option, key in NB_OPTIONS.items():
        if option in sphinx_config:
            execute[key] = sphinx_config[option]
    mode = execute["execute_notebooks"]
    mode = "off" if mode is False else str(mode)  # YAML reads a bare `off` as false
    return ExecSettings(
        mode=mode,
        cache=str(execute["cache"] or ""),
        exclude_patterns=tuple(execute["exclude_patterns"] or ()),
        timeout=execute["timeout"],
        in_temp=bool(execute["run_in_temp"]),
        allow_errors=bool(execute["allow_errors"]),
        kernel_aliases=dict(sphinx_config.get("nb_kernel_rgx_aliases") or {}),
    )


def toc_docnames(root: str | Path, toc: str | Path | None = None) -> list[str]:
    """Every page of a Jupyter Book table of contents, in order (``root``, ``file`` and ``glob`` entries).

    A ``glob`` entry stands for the matching ``.md``, ``.ipynb`` and ``.rst`` files under ``root``,
    sorted; ``url`` entries are no pages.

    Parameters
    ----------
    root : str or Path
        The book's source folder.
    toc : str or Path, optional
        The table of contents (default: ``root/_toc.yml``).

    Returns
    -------
    list of str
        Docnames (paths relative to ``root`` without suffix), in the order of the book.

    Examples
    --------
    >>> toc_docnames(".")[0]                  # doctest: +SKIP
    'book/intro'
    """
    root = Path(root)
    toc = Path(toc) if toc is not None else root / "_toc.yml"
    found: list[str] = []

    def add(name: str) -> None:
        name = re.sub(r"\.(md|ipynb|rst)$", "", name.strip().lstrip("/"))
        if name not in found:
            found.append(name)

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    add(node[key])
            if isinstance(node.get("glob"), str):
                for p in sorted(root.glob(node["glob"])):
                    if p.suffix in (".md", ".ipynb", ".rst") and p.is_file():
                        add(p.relative_to(root).as_posix())
            for key, value in node.items():
                if key not in ("root", "file", "glob") and isinstance(value, (dict, list)):
                    walk(value)

    walk(yaml.safe_load(toc.read_text(encoding="utf-8")))
    return found


def is_myst_notebook(text: str) -> bool:
    """Whether a Markdown page is a MyST notebook for MyST-NB: its YAML front matter has
    ``jupytext: text_representation: format_name: myst`` or ``file_format: mystnb``.

    Parameters
    ----------
    text : str
        The page's Markdown source.

    Returns
    -------
    bool
        True for a MyST notebook; False for a plain page or unreadable front matter.

    Examples
    --------
    >>> is_myst_notebook("---\\nfile_format: mystnb\\n---\\n# A")
    True
    >>> is_myst_notebook("# A plain page")
    False
    """
    m = re.match(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)", text, re.S | re.M)
    if not m:
        return False
    try:
        meta = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return False
    if not isinstance(meta, dict):
        return False
    fmt = (
        ((meta.get("jupytext") or {}).get("text_representation") or {}).get("format_name")
        if isinstance(meta.get("jupytext"), dict)
        else None
    )
    return meta.get("file_format") == "mystnb" or fmt == "myst"


def read_page(path: str | Path, read_data: dict = MYST_READER):
    """Read a notebook page with the jupyter-cache reader plugin named by ``read_data``.

    This is where the build's reading is reproduced: for a MyST Markdown page, the plugin
    MyST-NB installs gives the code cells, their metadata and the kernelspec that the build's
    own reader gives, under MyST's default Markdown settings. The plugin is loaded as
    jupyter-cache loads it, from its entry point.

    Parameters
    ----------
    path : path
        The page's file.
    read_data : dict
        ``{"type": "plugin", "name": ...}`` as in the cache's project records.

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    RuntimeError
        If no installed package provides the reader (with the installed versions).
    """
    from importlib.metadata import entry_points

    name = read_data.get("name", "")
    found = entry_points(group="jcache.readers", name=name)
    if not found:
        raise RuntimeError(
            f"no jupyter-cache reader plugin {name!r} is installed ({library_versions()}); "
            "MyST-NB provides 'myst_nb_md'"
        )
    return next(iter(found)).load()(str(path))


def library_versions() -> str:
    """The versions of the libraries the pre-execution relies on, for error messages."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for dist in (
        "myst-nb",
        "jupyter-cache",
        "jupyter-book",
        "nbclient",
        "jupyter_client",
        "ipykernel",
    ):
        try:
            out.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            out.append(f"{dist} missing")
    return ", ".join(out)


def _source_file(root: Path, docname: str) -> Path | None:
    for suffix in (".md", ".ipynb", ".rst"):
        p = root / f"{docname}{suffix}"
        if p.is_file():
            return p
    return None


def notebook_pages(
    root: str | Path,
    *,
    config: str | Path | None = None,
    toc: str | Path | None = None,
    only: Sequence[str] = (),
) -> list[NotebookPage]:
    """The notebook pages of the table of contents, read as the build reads them.

    A page is a notebook when MyST-NB treats it as one: an ``.ipynb`` file, or a Markdown file
    whose front matter marks it as a MyST notebook (:func:`is_myst_notebook`). Plain Markdown
    pages, pages excluded from execution by ``execute.exclude_patterns`` and notebooks whose
    own ``mystnb`` metadata turns execution off are left out. A notebook's kernel name is
    replaced by the first of ``nb_kernel_rgx_aliases`` that matches it, as MyST-NB does.

    Parameters
    ----------
    root : path
        The book's source folder.
    config, toc : path, optional
        ``_config.yml`` and ``_toc.yml``; by default those in ``root``.
    only : sequence of str
        Shell-style patterns; keep the pages whose docname (``book/lv2025/01_calculator``)
        or file path relative to ``root`` (``book/lv2025/01_calculator.md``) matches one.

    Returns
    -------
    list of NotebookPage
        In table-of-contents order.

    Raises
    ------
    ValueError
        If a pattern of ``only`` matches no notebook page.
    """
    root = Path(root).absolute()
    settings = book_settings(root, config)
    pages: list[NotebookPage] = []
    for docname in toc_docnames(root, toc):
        path = _source_file(root, docname)
        if path is None or path.suffix == ".rst":
            continue  # missing: the build reports it
        rel = path.relative_to(root).as_posix()
        if only and not any(
            fnmatch.fnmatchcase(docname, p) or fnmatch.fnmatchcase(rel, p) for p in only
        ):
            continue
        if path.suffix == ".md":
            if not is_myst_notebook(path.read_text(encoding="utf-8")):
                continue  # a plain Markdown page: the build runs nothing
            read_data = MYST_READER
        else:
            read_data = IPYNB_READER
        notebook = read_page(path, read_data)
        kernel = notebook.metadata.get("kernelspec", {}).get("name")
        if kernel is not None:
            for rgx, alias in settings.kernel_aliases.items():
                if re.fullmatch(rgx, kernel):
                    notebook.metadata["kernelspec"]["name"] = alias
                    break
        own = dict(notebook.metadata.get("mystnb") or {})  # MyST-NB's per-notebook settings
        mode = own.get("execution_mode", settings.mode)
        if mode in ("off", "inline", False):
            continue
        if any(PurePosixPath(path.as_posix()).match(p) for p in settings.exclude_patterns):
            continue
        pages.append(
            NotebookPage(
                docname,
                path,
                notebook,
                read_data,
                own.get("execution_timeout", settings.timeout),
                bool(own.get("execution_allow_errors", settings.allow_errors)),
                bool(own.get("execution_in_temp", settings.in_temp)),
            )
        )
    for pattern in only:
        if not any(
            fnmatch.fnmatchcase(p.docname, pattern)
            or fnmatch.fnmatchcase(p.path.relative_to(root).as_posix(), pattern)
            for p in pages
        ):
            raise ValueError(
                f"--only {pattern!r} matches no notebook page of the table of contents"
            )
    return pages


# --------------------------------------------------------------------------- order


def _code_hash(page: NotebookPage) -> str:
    """A digest of the notebook's code cells (source and metadata) and kernel: the key of its run time."""
    nb = page.notebook
    code = [[c.source, c.get("metadata", {})] for c in nb.cells if c.cell_type == "code"]
    text = json.dumps([code, nb.metadata.get("kernelspec", {})], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _previous_times(cache_path: Path, pages: Sequence[NotebookPage]) -> dict[str, float]:
    """Run times of earlier runs, by docname, for the pages whose code has not changed since.

    Two sources: the times file beside the cache folder (:data:`TIMES_FILE`, written by every
    run; it survives ``make book``'s deletion of the cache) and the cache's own records
    (``execution_seconds`` of the record ``match_cache_notebook`` finds). The shortest time seen
    for the unchanged notebook is used: a notebook that reuses a Monte Carlo another page
    computed (through ``HCCREP_CACHE_DIR``) is slow only when it runs before that page finishes,
    and the order should not repeat that.
    """
    hashes = {p.docname: _code_hash(p) for p in pages}
    times: dict[str, float] = {}
    record_file = cache_path.parent / TIMES_FILE
    if record_file.is_file():
        try:
            saved = json.loads(record_file.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            saved = {}
        for name, entry in saved.items() if isinstance(saved, dict) else ():
            if (
                isinstance(entry, dict)
                and entry.get("hash") == hashes.get(name)
                and isinstance(entry.get("seconds"), (int, float))
            ):
                times[name] = float(entry["seconds"])
    if (cache_path / "global.db").is_file():
        from jupyter_cache import get_cache

        cache = get_cache(str(cache_path))
        for p in pages:
            try:
                seconds = (cache.match_cache_notebook(p.notebook).data or {}).get(
                    "execution_seconds"
                )
            except KeyError:
                continue
            if isinstance(seconds, (int, float)):
                times[p.docname] = min(float(seconds), times.get(p.docname, float("inf")))
    return times


def run_after(
    pages: Sequence[NotebookPage], book: Sequence[str] | None = None
) -> dict[str, set[str]]:
    """The pages each page must wait for, from its front matter (:data:`RUN_AFTER`).

    Parameters
    ----------
    pages : sequence of NotebookPage
        The pages of this run.
    book : sequence of str, optional
        Every docname of the book (default: those of ``pages``).  A name that
        is no page of the book raises ValueError; a page of the book left out
        of this run (``--only``) is not waited for.

    Returns
    -------
    dict of str to set of str
        Docname -> the docnames of this run it waits for.

    Raises
    ------
    ValueError
        For a malformed list, an unknown page or a cycle, naming the page.

    Examples
    --------
    >>> import types
    >>> nb = lambda after: types.SimpleNamespace(metadata={"hccrep": {"run_after": after}})
    >>> pages = [types.SimpleNamespace(docname="book/s/05_a", notebook=nb([])),
    ...          types.SimpleNamespace(docname="book/s/08_b", notebook=nb(["05_a"]))]
    >>> run_after(pages)
    {'book/s/05_a': set(), 'book/s/08_b': {'book/s/05_a'}}
    """
    names = {p.docname for p in pages}
    known = set(book) if book is not None else names
    deps: dict[str, set[str]] = {}
    for p in pages:
        meta = getattr(p.notebook, "metadata", {}) or {}
        value = (meta.get(RUN_AFTER[0]) or {}).get(RUN_AFTER[1], [])
        where = f"{p.docname}: front matter {RUN_AFTER[0]}.{RUN_AFTER[1]}"
        if (
            isinstance(value, str)
            or not isinstance(value, (list, tuple))
            or not all(isinstance(v, str) for v in value)
        ):
            raise ValueError(f"{where} must be a list of page names, got {value!r}")
        folder = PurePosixPath(p.docname).parent
        resolved = set()
        for v in value:
            name = v.strip().removesuffix(".md").removesuffix(".ipynb")
            doc = name if "/" in name else str(folder / name)
            if doc == p.docname:
                raise ValueError(f"{where}: a page cannot run after itself")
            if doc not in known:
                raise ValueError(
                    f"{where}: {v!r} is no notebook page of the book (read as {doc!r})"
                )
            resolved.add(doc)
        deps[p.docname] = resolved & names
    # a cycle would leave its pages waiting for ever
    state: dict[str, int] = {}

    def visit(doc: str, path: list[str]) -> None:
        if state.get(doc) == 2:
            return
        if state.get(doc) == 1:
            raise ValueError(
                f"the run_after front matter forms a cycle: {' -> '.join(path + [doc])}"
            )
        state[doc] = 1
        for d in sorted(deps.get(doc, ())):
            visit(d, path + [doc])
        state[doc] = 2

    for doc in sorted(deps):
        visit(doc, [])
    return deps


def execution_order(pages: Sequence[NotebookPage], times: dict[str, float]) -> list[NotebookPage]:
    """The pages longest first, so that a pool of workers finishes as early as it can.

    With run times of an earlier run (``times``, seconds by docname) the pages are sorted
    by them, longest first; a page without a time counts as long as the longest known one
    (a new notebook may well be slow). With no times at all, the pages follow by the length
    of their code, longest first. The pages of :data:`RUN_FIRST` come first in either case
    (:func:`execute_book` runs them before all others).

    Parameters
    ----------
    pages : sequence of NotebookPage
        The pages to run.
    times : dict
        Seconds per docname of an earlier run (may be empty).

    Returns
    -------
    list of NotebookPage
        The pages in the order they should start.

    Examples
    --------
    >>> import types
    >>> pages = [types.SimpleNamespace(docname=d, notebook=None) for d in ("a", "b", "c")]
    >>> [p.docname for p in execution_order(pages, {"a": 1.0, "b": 5.0})]
    ['b', 'c', 'a']
    """
    known = [times[p.docname] for p in pages if p.docname in times]
    if known:
        longest = max(known)
        return sorted(
            pages, key=lambda p: (p.docname not in RUN_FIRST, -times.get(p.docname, longest))
        )

    def code_length(p) -> int:
        cells = getattr(p.notebook, "cells", [])
        return sum(len(c.source) for c in cells if c.cell_type == "code")

    return sorted(pages, key=lambda p: (p.docname not in RUN_FIRST, -code_length(p)))


# --------------------------------------------------------------------------- execution


def _worker_init() -> None:
    """Environment of the kernels a worker starts (they inherit it)."""
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # debugpy's frozen-modules notice
    os.environ.pop("MPLBACKEND", None)  # ipykernel's inline backend needs it unset


INJECTED_TAG = "injected-parameters"


def assigned_names(source: str) -> set[str]:
    r"""Names a cell's code assigns at any depth (``SEED = 7``, ``a, b = ...``, ``x: int = 1``).

    Parameters
    ----------
    source : str
        A code cell's Python source.

    Returns
    -------
    set of str
        The names bound by assignments (plain, tuple and annotated).

    Examples
    --------
    >>> sorted(assigned_names("SEED = 7\nFAST: bool = False\nif 0:\n    N_MC = 5"))
    ['FAST', 'N_MC', 'SEED']
    """
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names.update(sub.id for sub in ast.walk(target) if isinstance(sub, ast.Name))
    return names


def inject_parameters(nb, parameters: dict) -> tuple[object, dict]:
    r"""Papermill's parameter injection: a code cell tagged ``injected-parameters`` right after the
    first cell tagged ``parameters``, assigning the new values (``NAME = repr(value)``).

    Only the names the ``parameters`` cell assigns are injected (a notebook
    without ``N_MC`` gets no ``N_MC``).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook (not changed).
    parameters : dict
        Name -> new value.

    Returns
    -------
    (nbformat.NotebookNode, dict)
        The notebook with the injected cell, and the parameters injected.

    Raises
    ------
    ValueError
        When no code cell is tagged ``parameters``.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("SEED = 1", metadata={"tags": ["parameters"]}),
    ...     nbformat.v4.new_code_cell("print(SEED)")])
    >>> new, used = inject_parameters(nb, {"SEED": 7, "N_MC": 20})
    >>> used, new.cells[1].source
    ({'SEED': 7}, '# Parameters\nSEED = 7')
    """
    import copy

    import nbformat

    index = next(
        (
            i
            for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and "parameters" in c.get("metadata", {}).get("tags", [])
        ),
        None,
    )
    if index is None:
        raise ValueError("no code cell is tagged 'parameters', so parameters cannot be injected")
    declared = assigned_names(nb.cells[index].source)
    used = {k: v for k, v in parameters.items() if k in declared}
    new = copy.deepcopy(nb)
    source = "# Parameters\n" + "\n".join(f"{k} = {v!r}" for k, v in used.items())
    new.cells.insert(
        index + 1, nbformat.v4.new_code_cell(source, metadata={"tags": [INJECTED_TAG]})
    )
    return new, used


def strip_injected(nb):
    """The notebook without its ``injected-parameters`` cell (its code cells are then those read)."""
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.metadata.get("tags", [])]
    return nb


def _execute_one(task: dict) -> dict:
    """Execute one notebook (in a worker process) in a new kernel; the executed notebook comes back as JSON.

    The call is the one MyST-NB makes when it executes a page itself: nbclient's
    ``NotebookClient`` with the page's folder as working directory and without per-cell timing
    metadata (which would change the notebook's cache key).
    """
    import contextlib
    import tempfile

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.reads(task["notebook"], as_version=nbformat.NO_CONVERT)
    used: dict = {}
    if task.get("parameters"):
        try:
            nb, used = inject_parameters(nb, task["parameters"])
        except ValueError as exc:
            return {"docname": task["docname"], "ok": False, "seconds": 0.0, "error": str(exc)}
    # notebooks running side by side share the cores: each may start at most this many Monte
    # Carlo workers (hccrep.parallel.cap_jobs; the results do not depend on it). The kernel
    # started below inherits the variable.
    os.environ[MAX_JOBS_ENV] = str(task["max_jobs"])
    t0 = time.perf_counter()
    try:
        with (
            tempfile.TemporaryDirectory()
            if task["in_temp"]
            else contextlib.nullcontext(task["cwd"])
        ) as cwd:
            client = NotebookClient(
                nb,
                timeout=task["timeout"],
                # a kernel's start is not a cell: on a loaded 2-core machine it can exceed
                # nbclient's default 60 s, which would fail a page that has no error
                startup_timeout=KERNEL_STARTUP_TIMEOUT,
                allow_errors=task["allow_errors"],
                record_timing=False,
                resources={"metadata": {"path": str(cwd)}},
            )
            client.execute()
    except (
        CellExecutionError,
        CellTimeoutError,
    ) as exc:  # its message holds the cell and the kernel's traceback
        return {
            "docname": task["docname"],
            "ok": False,
            "seconds": time.perf_counter() - t0,
            "error": f"{type(exc).__name__}: {exc}",
        }
    except Exception:  # the kernel died, could not start, ...
        return {
            "docname": task["docname"],
            "ok": False,
            "seconds": time.perf_counter() - t0,
            "error": traceback.format_exc(),
        }
    return {
        "docname": task["docname"],
        "ok": True,
        "seconds": time.perf_counter() - t0,
        "parameters": used,
        "notebook": nbformat.writes(strip_injected(nb), version=nbformat.NO_CONVERT),
    }


def _store(cache, page: NotebookPage, out: dict) -> str:
    """Put one executed notebook in the cache as MyST-NB would; return an error text or ''.

    After storing, the notebook as read is looked up as the build looks it up
    (``match_cache_notebook``); if that does not find the stored record, the record is removed
    and the reason returned: the build would have executed the page again.
    """
    import nbformat
    from jupyter_cache.base import CacheBundleIn

    executed = nbformat.reads(out["notebook"], as_version=nbformat.NO_CONVERT)
    uri = str(page.path)
    cache.add_nb_to_project(uri, read_data=page.read_data)
    stored = cache.cache_notebook_bundle(
        CacheBundleIn(executed, uri, data={"execution_seconds": out["seconds"]}),
        check_validity=False,
        overwrite=True,
    )
    try:
        found = cache.match_cache_notebook(page.notebook).pk
    except KeyError:
        found = None
    if found != stored.pk:
        cache.remove_cache(stored.pk)
        return (
            "the executed notebook's code cells or kernelspec differ from the notebook as read, so the "
            f"build would not find it in the cache; it was not stored ({library_versions()})"
        )
    return ""


def _forget(cache, page: NotebookPage) -> None:
    """Remove a cached copy of a notebook that failed now (an earlier run's outputs)."""
    try:
        record = cache.match_cache_notebook(page.notebook)
    except KeyError:
        return
    cache.remove_cache(record.pk)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def execute_book(
    root: str | Path = ".",
    *,
    jobs: int | None = None,
    cache_path: str | Path | None = None,
    timeout: int | None = None,
    only: Sequence[str] = (),
    config: str | Path | None = None,
    toc: str | Path | None = None,
    parameters: dict | None = None,
    out=None,
) -> list[ExecResult]:
    """Execute the book's notebooks in ``jobs`` worker processes into MyST-NB's cache.

    The pages of :data:`RUN_FIRST` run first, on their own; then every other page, in the
    order of :func:`execution_order`, each on the next free worker.

    Parameters
    ----------
    root : path
        The book's source folder (with ``_config.yml`` and ``_toc.yml``).
    jobs : int, optional
        Worker processes, i.e. notebooks run at the same time; the number of cores by default.
    cache_path : path, optional
        The jupyter-cache folder; by default ``execute.cache`` of ``_config.yml`` or else
        ``<root>/_build/.jupyter_cache``, where ``jupyter-book build <root>`` looks.
    timeout : int, optional
        Seconds per cell; ``execute.timeout`` of ``_config.yml`` by default.
    only : sequence of str
        Patterns restricting the pages (see :func:`notebook_pages`).
    config, toc : path, optional
        Other ``_config.yml`` / ``_toc.yml`` files.
    parameters : dict, optional
        Values that replace the defaults of each notebook's ``parameters`` cell, injected
        as papermill injects them (only the names the cell assigns). The notebooks are
        stored in the cache under their own code, so a build from that cache shows the
        outputs of these runs: this is for test builds (CI runs every notebook once this
        way, with ``FAST``), and ``cache_path`` must then be given explicitly so that the
        book's own cache is never filled with them.
    out : file, optional
        Where the progress lines go (``sys.stdout`` by default); one line per finished notebook.

    Returns
    -------
    list of ExecResult
        One per notebook, in the order they finished.

    Raises
    ------
    ValueError
        If ``jobs`` or ``timeout`` is not a positive int, or a pattern of ``only`` matches nothing.

    Examples
    --------
    >>> results = execute_book(".", jobs=2)          # doctest: +SKIP
    >>> all(r.ok for r in results)                   # doctest: +SKIP
    True
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    import nbformat
    from jupyter_cache import get_cache

    out = out or sys.stdout
    if jobs is None:
        jobs = os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, got {jobs!r}")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1
    ):
        raise ValueError(f"timeout must be a positive int (seconds per cell), got {timeout!r}")
    if parameters and cache_path is None:
        raise ValueError(
            "parameters need an explicit cache_path: the book's own cache must only hold default runs"
        )
    root = Path(root).absolute()
    pages = notebook_pages(root, config=config, toc=toc, only=only)
    if cache_path is None:
        cache_path = book_settings(root, config).cache or root / "_build" / ".jupyter_cache"
    cache_path = Path(cache_path).absolute()
    times = _previous_times(cache_path, pages)
    order = execution_order(pages, times)
    book = [p.docname for p in notebook_pages(root, config=config, toc=toc)] if only else None
    deps = run_after(pages, book)
    by_name = {p.docname: p for p in pages}
    cache = get_cache(str(cache_path))
    n = len(order)
    print(
        f"executing {n} notebook(s) on {min(jobs, n)} worker(s) into {cache_path} "
        f"({'longest first by earlier run times' if times else 'fallback order: no earlier run times'}); "
        f"load average {_load()}",
        file=out,
        flush=True,
    )
    results: list[ExecResult] = []
    t0 = time.perf_counter()
    if n:
        cores = os.cpu_count() or 1
        user_cap = os.environ.get(MAX_JOBS_ENV, "").strip()

        def task(p: NotebookPage, side_by_side: int) -> dict:
            max_jobs = max(1, cores // side_by_side)
            if user_cap.isdigit() and int(user_cap) >= 1:
                max_jobs = min(max_jobs, int(user_cap))
            return {
                "docname": p.docname,
                "notebook": nbformat.writes(p.notebook, version=nbformat.NO_CONVERT),
                "cwd": str(p.path.parent),
                "timeout": timeout if timeout is not None else p.timeout,
                "allow_errors": p.allow_errors,
                "in_temp": p.in_temp,
                "max_jobs": max_jobs,
                "parameters": dict(parameters or {}),
            }

        # the pages of RUN_FIRST run on their own first: the pages that reuse their Monte Carlo
        # must not start before it is in HCCREP_CACHE_DIR, or they compute it a second time
        phases = [
            [p for p in order if p.docname in RUN_FIRST],
            [p for p in order if p.docname not in RUN_FIRST],
        ]
        ctx = multiprocessing.get_context(
            "spawn"
        )  # a clean interpreter: no state shared with this one
        with ProcessPoolExecutor(
            max_workers=min(jobs, n), mp_context=ctx, initializer=_worker_init
        ) as pool:
            try:
                finished: set[str] = set()  # pages done, ok or not
                for phase in filter(None, phases):
                    side_by_side = min(jobs, len(phase))
                    # a page waits for the pages its front matter names (run_after): it is
                    # submitted, in order, as soon as those have finished
                    held = list(phase)
                    running = {}

                    def submit_ready() -> None:
                        for p in list(held):
                            if deps[p.docname] <= finished:
                                running[pool.submit(_execute_one, task(p, side_by_side))] = p
                                held.remove(p)

                    submit_ready()
                    while running:
                        done, _ = wait(running, return_when=FIRST_COMPLETED)
                        for fut in done:
                            running.pop(fut)
                            res = fut.result()
                            page = by_name[res["docname"]]
                            error = res.get("error", "")
                            if res["ok"]:
                                error = _store(cache, page, res)
                            if error:
                                _forget(cache, page)
                            results.append(
                                ExecResult(
                                    page.docname,
                                    not error,
                                    res["seconds"],
                                    _ANSI.sub("", error),
                                    res.get("parameters", {}),
                                )
                            )
                            rel = page.path.relative_to(root).as_posix()
                            print(
                                f"[{len(results):>{len(str(n))}}/{n}] {'ok    ' if not error else 'FAILED'} "
                                f"{res['seconds']:7.1f} s  {rel}",
                                file=out,
                                flush=True,
                            )
                            finished.add(page.docname)
                        submit_ready()
                    if held:  # only a page of RUN_FIRST naming a later page can be left waiting
                        raise ValueError(
                            f"{', '.join(p.docname for p in held)}: run first, yet run_after names "
                            "pages that run later"
                        )
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    wall = time.perf_counter() - t0
    ok = [r for r in results if r.ok]
    _save_times(cache_path, pages, times, ok)
    print(
        f"executed {len(ok)}/{n} notebooks in {wall:.0f} s wall ({sum(r.seconds for r in results):.0f} s of "
        f"notebook time) on {min(jobs, max(n, 1))} worker(s); load average {_load()}",
        file=out,
        flush=True,
    )
    return results


def _save_times(
    cache_path: Path,
    pages: Sequence[NotebookPage],
    previous: dict[str, float],
    ok: Sequence[ExecResult],
) -> None:
    """Keep, per notebook and code hash, the shortest run time seen (an ordering hint only)."""
    hashes = {p.docname: _code_hash(p) for p in pages}
    record_file = cache_path.parent / TIMES_FILE
    try:
        saved = json.loads(record_file.read_text(encoding="utf-8")) if record_file.is_file() else {}
    except (ValueError, OSError):
        saved = {}
    saved = saved if isinstance(saved, dict) else {}
    for r in ok:
        best = min(r.seconds, previous.get(r.docname, float("inf")))
        saved[r.docname] = {"seconds": round(best, 2), "hash": hashes[r.docname]}
    try:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        record_file.write_text(json.dumps(saved, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError:
        pass


def report_failures(results: Sequence[ExecResult], root: str | Path = ".", out=None) -> int:
    """Print every failed notebook with its traceback; return the exit status (0 or 1).

    Parameters
    ----------
    results : sequence of ExecResult
        The outcome of every notebook (:func:`execute_book`).
    root : str or Path
        The book's source folder, to name the notebooks relative to it.
    out : file, optional
        Where to print (default: standard error).

    Returns
    -------
    int
        0 when every notebook ran, 1 when one failed.

    Examples
    --------
    >>> report_failures([])
    0
    """
    out = out or sys.stderr
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(
            f"\nERROR: notebook {r.docname} failed after {r.seconds:.1f} s (nothing cached for it):\n"
            f"{r.error.rstrip()}",
            file=out,
            flush=True,
        )
    if failed:
        print(
            f"\nERROR: {len(failed)} notebook(s) failed: {', '.join(r.docname for r in failed)}",
            file=out,
            flush=True,
        )
    return 1 if failed else 0

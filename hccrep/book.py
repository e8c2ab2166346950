"""Helpers for the book itself: appendix tables, build configurations, notebook conversions.

Everything here is generated from what exists at build time, so a study added under
``data/`` appears in the appendices without editing them:

- :func:`all_scorecards` and :func:`all_audits` -- every check and every audit finding of
  every study (:func:`hccrep.spec.list_studies`) in one table, with a ``study`` column;
- :func:`filter_table_html` -- an HTML table with a drop-down filter per chosen column, a
  text search and sortable headers, written with a small inline script so that it works
  offline (no CDN, no extra package);
- :func:`derived_config` -- a copy of ``_config.yml`` with solutions hidden (the teacher's
  build, ``make book-student``) or another branch for the launch buttons;
- :func:`convert_exercises` -- turns ``Exercise N`` / ``Solution N`` admonitions into
  sphinx-exercise ``exercise`` / ``solution`` directives (idempotent);
- :func:`colab_notebook` -- a MyST notebook as ``.ipynb`` with a set-up cell that installs
  hccrep on Google Colab and does nothing anywhere else;
- :func:`citation_entries` -- the reference and BibTeX entry of ``CITATION.cff`` (the "How to
  cite" appendix, through the ``hccrep-citation`` directive).

As a Sphinx extension (:func:`setup`) the module also numbers exercises per page
(:func:`number_exercises_per_page`) and serves MathJax from the build itself
(:func:`copy_mathjax`), so that no page loads a script from a CDN.

``python -m hccrep.book execute`` runs the book's notebooks in parallel into the execution
cache the build reads (:mod:`hccrep.bookexec`); ``make book`` calls it before
``jupyter-book build``.

Examples
--------
>>> import pandas as pd
>>> html = filter_table_html(pd.DataFrame({"study": ["a", "b"], "verdict": ["x", "y"]}),
...                          filters=["study", "verdict"], table_id="demo")
>>> 'id="demo"' in html
True
"""

from __future__ import annotations

import ast
import html as _html
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import yaml

__all__ = [
    "COLAB_SETUP_SOURCE",
    "SCORECARD_COLUMNS",
    "AUDIT_COLUMNS",
    "all_scorecards",
    "all_audits",
    "filter_table_html",
    "derived_config",
    "convert_exercises",
    "exercise_label_prefix",
    "colab_notebook",
    "public_modules",
    "number_exercises_per_page",
    "MATHJAX_PATH",
    "MATHJAX_PARTS",
    "mathjax_source",
    "copy_mathjax",
    "citation_entries",
    "setup",
]

#: Columns of :func:`all_scorecards`, in order.
SCORECARD_COLUMNS = (
    "study",
    "key",
    "source",
    "row",
    "column",
    "quantity",
    "printed",
    "replicated",
    "mc_low",
    "mc_high",
    "verdict",
    "reason",
    "repeat_of",
    "label",
    "compared",
    "informative",
    "cause",
    "cause_detail",
    "cause_source",
)
#: Columns of :func:`all_audits`, in order.
AUDIT_COLUMNS = ("study", "check", "key", "source", "where", "printed", "status", "detail")


# --------------------------------------------------------------------------- tables


def _study_keys(studies: Sequence[str] | None) -> list[str]:
    from hccrep.spec import list_studies

    known = list_studies()
    if studies is None:
        return known
    if isinstance(studies, str) or not all(isinstance(s, str) for s in studies):
        raise ValueError(f"studies must be a sequence of study keys, got {studies!r}")
    unknown = [s for s in studies if s not in known]
    if unknown:
        raise ValueError(f"studies: unknown study keys {unknown}; known: {known}")
    return list(studies)


def all_scorecards(
    n_mc: int,
    *,
    seed: int | None = None,
    n_jobs: int = 1,
    studies: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The scorecard of every study in one table.

    Each study is run through its registered runner
    (:func:`hccrep.replication.runner_for`) and :func:`hccrep.replication.scorecard`,
    so every check of every study appears, including those no analysis replicates
    yet (verdict ``not checkable`` with the reason). A study that nothing can simulate
    (no module in :mod:`hccrep.studies` and no baseline table, e.g. a review) still lists
    every check, each ``not checkable`` with :data:`NO_RUNNER_REASON`.

    Parameters
    ----------
    n_mc : int
        Monte Carlo cohorts per study for the intervals (0: no interval).
    seed : int, optional
        One seed for every study; by default each study's own ``book_seed``.
    n_jobs : int
        Worker processes for the Monte Carlo (the result does not depend on it).
    studies : sequence of str, optional
        Study keys; by default every study under ``data/``
        (:func:`hccrep.spec.list_studies`).

    Returns
    -------
    DataFrame
        Columns :data:`SCORECARD_COLUMNS`, one row per check, studies in key order.

    Examples
    --------
    >>> card = all_scorecards(0, studies=["fonc2025"])   # doctest: +SKIP
    >>> card.study.unique()                               # doctest: +SKIP
    array(['fonc2025'], dtype=object)
    """
    from hccrep.replication import runner_for, scorecard
    from hccrep.spec import load_study

    if isinstance(n_mc, bool) or not isinstance(n_mc, int) or n_mc < 0:
        raise ValueError(f"n_mc must be a non-negative int, got {n_mc!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"seed must be None or a non-negative int, got {seed!r}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero int (joblib convention), got {n_jobs!r}")
    frames = []
    for key in _study_keys(studies):
        study = load_study(key)
        if _has_runner(study):
            card = scorecard(runner_for(study), n_mc=n_mc, seed=seed, n_jobs=n_jobs, progress=False)
        else:
            card = _unrunnable_card(study)
        frames.append(card.assign(study=key))
    if not frames:
        return pd.DataFrame(columns=list(SCORECARD_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(SCORECARD_COLUMNS)]


#: Reason given for the checks of a study that nothing can simulate yet.
NO_RUNNER_REASON = (
    "no simulation: the study has neither a baseline table nor a module in hccrep.studies"
)


def _has_runner(study) -> bool:
    """Whether :func:`hccrep.replication.runner_for` can simulate ``study``.

    A study module ``hccrep.studies.<key>`` always counts; without one, the generic
    baseline runner needs a baseline table (a review such as lv2025 has none).
    """
    import importlib.util

    from hccrep.spec import BaselineFile

    if importlib.util.find_spec(f"hccrep.studies.{study.key}") is not None:
        return True
    return any(isinstance(f, BaselineFile) for f in study.files.values())


def _unrunnable_card(study) -> pd.DataFrame:
    """Scorecard rows for a study nothing can simulate: every check, ``not checkable``."""
    from hccrep.display import check_label, compared_token
    from hccrep.replication import Runner

    rows = [
        {
            "key": n.key,
            "file_id": n.file_id,
            "source": n.source,
            "row": n.row,
            "column": n.column,
            "quantity": n.quantity,
            "printed": n.printed,
            "reported": n.value,
            "replicated": float("nan"),
            "mc_low": float("nan"),
            "mc_high": float("nan"),
            "verdict": "not checkable",
            "reason": NO_RUNNER_REASON,
            "repeat_of": "",
            "label": check_label(n, study),
            "compared": compared_token(n.printed, n.value, bound=n.bound, quantity=n.quantity),
            "informative": True,
            "cause": "",
            "cause_detail": "",
            "cause_source": "",
        }
        for n in Runner(study).checks
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "key",
            "file_id",
            "source",
            "row",
            "column",
            "quantity",
            "printed",
            "reported",
            "replicated",
            "mc_low",
            "mc_high",
            "verdict",
            "reason",
            "repeat_of",
            "label",
            "compared",
            "informative",
            "cause",
            "cause_detail",
            "cause_source",
        ],
    )


def all_audits(studies: Sequence[str] | None = None, *, include_ok: bool = True) -> pd.DataFrame:
    """Every audit finding of every study in one table (:func:`hccrep.audit.audit_study`).

    Parameters
    ----------
    studies : sequence of str, optional
        Study keys; by default every study under ``data/``.
    include_ok : bool
        Keep the findings whose status is ``ok``.

    Returns
    -------
    DataFrame
        Columns :data:`AUDIT_COLUMNS`.

    Examples
    --------
    >>> all_audits(["fonc2025"]).columns[0]   # doctest: +SKIP
    'study'
    """
    from hccrep.audit import audit_study

    if not isinstance(include_ok, bool):
        raise ValueError(f"include_ok must be a bool, got {include_ok!r}")
    frames = [
        audit_study(key, include_ok=include_ok).assign(study=key) for key in _study_keys(studies)
    ]
    if not frames:
        return pd.DataFrame(columns=list(AUDIT_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(AUDIT_COLUMNS)]


def _cell_text(value, float_format: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return format(value, float_format)
    return str(value)


_FILTER_SCRIPT = """
<script>
(function () {
  var root = document.getElementById("%(id)s");
  if (!root) { return; }
  var table = root.querySelector("table");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var selects = root.querySelectorAll("select[data-col]");
  var search = root.querySelector("input[type=search]");
  var count = root.querySelector(".hccrep-count");
  function apply() {
    var text = search.value.toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = true;
      selects.forEach(function (s) {
        if (s.value !== "" && row.cells[+s.dataset.col].textContent !== s.value) { ok = false; }
      });
      if (ok && text && row.textContent.toLowerCase().indexOf(text) < 0) { ok = false; }
      row.style.display = ok ? "" : "none";
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " rows";
  }
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  table.querySelectorAll("th[data-col]").forEach(function (th) {
    th.addEventListener("click", function () {
      var col = +th.dataset.col;
      var dir = th.dataset.dir === "asc" ? -1 : 1;
      th.dataset.dir = dir === 1 ? "asc" : "desc";
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        if (!isNaN(nx) && !isNaN(ny) && String(nx) === x.trim() && String(ny) === y.trim()) {
          return dir * (nx - ny);
        }
        return dir * x.localeCompare(y);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  apply();
})();
</script>
"""


def filter_table_html(
    df: pd.DataFrame,
    *,
    filters: Sequence[str],
    table_id: str,
    caption: str = "",
    float_format: str = ".4g",
    column_classes: dict[str, str] | None = None,
    row_titles: Sequence[str] | None = None,
    cell_titles: dict[str, Sequence[str]] | None = None,
    table_class: str = "",
) -> str:
    """An HTML table with drop-down filters, a text search and sortable headers.

    The filtering and sorting are done by a short inline script, so the table works in
    a book read offline: nothing is loaded from a CDN. Cells are HTML-escaped.

    Parameters
    ----------
    df : DataFrame
        The rows to show; must not be empty (an empty appendix table is a bug).
    filters : sequence of str
        Columns that get a drop-down of their distinct values.
    table_id : str
        HTML id of the wrapper (letters, digits, ``-`` and ``_``); unique on the page.
    caption : str
        Optional caption above the table.
    float_format : str
        Format spec for float cells; NaN prints as an empty cell.
    column_classes : mapping, optional
        Column -> CSS class of its header and cells (widths and wrapping are
        set in ``book/_static/hccrep.css``).
    row_titles : sequence of str, optional
        A tooltip per row (the ``title`` of its ``tr``), e.g. an internal key.
    cell_titles : mapping, optional
        Column -> a tooltip per row for that column's cells.
    table_class : str
        Extra CSS class of the ``table``.

    Returns
    -------
    str
        The HTML fragment (wrapper ``div``, controls, ``table`` and ``script``).

    Raises
    ------
    ValueError
        If ``df`` is empty or not a DataFrame, a filter column is missing, or
        ``table_id`` is not a valid id.

    Examples
    --------
    >>> import pandas as pd
    >>> out = filter_table_html(pd.DataFrame({"v": ["a"]}), filters=["v"], table_id="t1")
    >>> out.count("<tr>")
    2
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    if df.empty:
        raise ValueError("df is empty: an appendix table with no rows would hide a failure")
    if isinstance(filters, str):
        raise ValueError(f"filters must be a sequence of column names, not the string {filters!r}")
    missing = [c for c in filters if c not in df.columns]
    if missing:
        raise ValueError(f"filters: columns {missing} are not in df (columns: {list(df.columns)})")
    if not isinstance(table_id, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", table_id):
        raise ValueError(
            f"table_id must start with a letter and hold only letters, digits, - and _; got {table_id!r}"
        )
    for name, seq in [("row_titles", row_titles)] + list((cell_titles or {}).items()):
        if seq is not None and len(seq) != len(df):
            raise ValueError(f"{name}: {len(seq)} titles for {len(df)} rows")
    esc = _html.escape
    columns = [str(c) for c in df.columns]
    classes = {str(k): v for k, v in (column_classes or {}).items()}
    titles = {str(k): list(v) for k, v in (cell_titles or {}).items()}
    cells = [[_cell_text(v, float_format) for v in row] for row in df.itertuples(index=False)]
    parts = [f'<div class="hccrep-filter-table" id="{table_id}">']
    if caption:
        parts.append(f"<p><strong>{esc(caption)}</strong></p>")
    parts.append('<p class="hccrep-controls">')
    for name in filters:
        col = columns.index(str(name))
        values = sorted({r[col] for r in cells} - {""})  # "all" already shows the rows left empty
        options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)
        parts.append(
            f'<label>{esc(str(name))} <select data-col="{col}" aria-label="filter by {esc(str(name))}">'
            f'<option value="">all</option>{options}</select></label> '
        )
    parts.append('<label>search <input type="search" aria-label="search the table"></label> ')
    parts.append(f'<span class="hccrep-count">{len(cells)} of {len(cells)} rows</span></p>')
    parts.append('<div style="overflow-x: auto; max-height: 80vh; overflow-y: auto;">')
    extra = f" {esc(table_class)}" if table_class else ""
    # a table with a class of its own takes its width from the book's CSS (hccrep.css)
    style = "font-size: 0.8em;" if table_class else "font-size: 0.8em; width: auto;"
    parts.append(f'<table class="table hccrep-table{extra}" style="{style}"><thead><tr>')

    def cls(c: str) -> str:
        return f' class="{esc(classes[c])}"' if c in classes else ""

    parts += [
        f'<th data-col="{i}"{cls(c)} title="click to sort">{esc(c)}</th>'
        for i, c in enumerate(columns)
    ]
    parts.append("</tr></thead><tbody>")
    for j, row in enumerate(cells):
        tr = f'<tr title="{esc(str(row_titles[j]))}">' if row_titles is not None else "<tr>"
        tds = []
        for c, v in zip(columns, row):
            title = f' title="{esc(str(titles[c][j]))}"' if c in titles else ""
            tds.append(f"<td{cls(c)}{title}>{esc(v)}</td>")
        parts.append(tr + "".join(tds) + "</tr>")
    parts.append("</tbody></table></div></div>")
    parts.append(_FILTER_SCRIPT % {"id": table_id})
    return "\n".join(parts)


# --------------------------------------------------------------------------- build configs


def derived_config(
    text: str, *, hide_solutions: bool | None = None, branch: str | None = None
) -> str:
    """A variant of the book's ``_config.yml`` text.

    Parameters
    ----------
    text : str
        The YAML text of ``_config.yml``.
    hide_solutions : bool, optional
        Set sphinx-exercise's ``hide_solutions`` (``True``: a student edition without
        the solutions).
    branch : str, optional
        Set ``repository.branch``, the branch the launch buttons (Binder, Colab) open.

    Returns
    -------
    str
        The modified configuration as YAML (comments are not kept).

    Examples
    --------
    >>> out = derived_config("title: t\\n", hide_solutions=True)
    >>> yaml.safe_load(out)["sphinx"]["config"]["hide_solutions"]
    True
    """
    config = yaml.safe_load(text)
    if not isinstance(config, dict):
        raise ValueError("text must be a YAML mapping (the content of _config.yml)")
    if hide_solutions is not None:
        if not isinstance(hide_solutions, bool):
            raise ValueError(f"hide_solutions must be a bool or None, got {hide_solutions!r}")
        sphinx = config.setdefault("sphinx", {}) or {}
        config["sphinx"] = sphinx
        sphinx.setdefault("config", {})
        if sphinx["config"] is None:
            sphinx["config"] = {}
        sphinx["config"]["hide_solutions"] = hide_solutions
    if branch is not None:
        if not isinstance(branch, str) or not re.fullmatch(r"[A-Za-z0-9._/-]+", branch):
            raise ValueError(f"branch must be a git branch name, got {branch!r}")
        repo = config.get("repository") or {}
        repo["branch"] = branch
        config["repository"] = repo
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


# --------------------------------------------------------------------------- exercises

_OPEN = re.compile(
    r"^(?P<fence>:{3,})\{admonition\}\s+(?P<kind>Exercise|Solution)\s+(?P<num>\d+)\b(?P<rest>.*)$"
)


def exercise_label_prefix(path: str | Path) -> str:
    """The label prefix of a notebook's exercises: ``<folder>-<stem>``, e.g. ``fonc2025-01_baseline``.

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


# --------------------------------------------------------------------------- Colab

#: The set-up cell of the Colab notebooks: clones the repository and installs hccrep when
#: ``google.colab`` is importable, and does nothing anywhere else (no network, no install).
COLAB_SETUP_SOURCE = """\
# Google Colab only: fetch the book's repository and install hccrep. Elsewhere this does nothing.
try:
    import google.colab  # noqa: F401  (importable only on Colab)
    ON_COLAB = True
except ImportError:
    ON_COLAB = False
if ON_COLAB:
    import os, subprocess, sys
    REPO = "{repo_url}"
    if not os.path.isdir("/content/hccrep"):
        subprocess.run(["git", "clone", "--depth", "1", REPO, "/content/hccrep"], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "/content/hccrep"], check=True)
    sys.path.insert(0, "/content/hccrep")  # the editable install is seen only after a restart
    os.chdir("/content/hccrep/{folder}")  # notebooks run from their own folder, as in the book"""


def colab_notebook(md_path: str | Path, repo_url: str, root: str | Path = "."):
    """A MyST notebook as an ``nbformat`` notebook with the Colab set-up cell.

    The set-up cell (:data:`COLAB_SETUP_SOURCE`) is inserted right after the cell tagged
    ``parameters`` (which stays the first code cell, as papermill and the tests expect)
    and before anything imports hccrep. It is tagged ``colab-setup``; calling this on a
    notebook that already has that tag adds nothing.

    Parameters
    ----------
    md_path : path
        The MyST notebook (``book/<study>/<name>.md``).
    repo_url : str
        The git URL Colab clones (``https://...``).
    root : path
        The repository root, to give the notebook's folder relative to it.

    Returns
    -------
    nbformat.NotebookNode

    Examples
    --------
    >>> nb = colab_notebook("book/fonc2025/01_baseline.md", "https://github.com/hccrep/hccrep")  # doctest: +SKIP
    """
    import jupytext
    import nbformat

    if not isinstance(repo_url, str) or not re.fullmatch(r"https://[^\s\"']+", repo_url):
        raise ValueError(
            f"repo_url must be an https URL without quotes or spaces, got {repo_url!r}"
        )
    path = Path(md_path)
    if not path.is_file():
        raise ValueError(f"md_path: {path} is not a file")
    folder = path.resolve().parent.relative_to(Path(root).resolve()).as_posix()
    nb = jupytext.read(path)
    codes = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if not codes or "parameters" not in nb.cells[codes[0]].metadata.get("tags", []):
        raise ValueError(f"md_path: the first code cell of {path} is not tagged 'parameters'")
    if any("colab-setup" in c.metadata.get("tags", []) for c in nb.cells):
        return nb
    cell = nbformat.v4.new_code_cell(
        COLAB_SETUP_SOURCE.format(repo_url=repo_url, folder=folder),
        metadata={"tags": ["colab-setup"]},
    )
    nb.cells.insert(codes[0] + 1, cell)
    nb.nbformat, nb.nbformat_minor = 4, 5
    for i, c in enumerate(nb.cells):  # nbformat 4.5 wants cell ids; deterministic ones
        c["id"] = f"cell-{i}"
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


# --------------------------------------------------------------------------- API reference


def public_modules(package: str = "hccrep") -> list[str]:
    """Every importable module of ``package`` whose dotted name has no ``_``-prefixed part.

    The API appendix documents exactly these, so a module added to hccrep appears in the
    book without editing the page.

    Examples
    --------
    >>> "hccrep.spec" in public_modules()
    True
    """
    import importlib
    import pkgutil

    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=package + "."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _api_directive():
    from docutils import nodes
    from docutils.parsers.rst import Directive
    from docutils.statemachine import StringList
    from sphinx.util.nodes import nested_parse_with_titles

    class HccrepApi(Directive):
        """``.. hccrep-api::`` -- an autosummary table and an ``automodule`` section per public module."""

        has_content = False

        def run(self):
            mods = public_modules()
            lines = [".. autosummary::", ""] + [f"   {m}" for m in mods] + [""]
            for m in mods:
                lines += [
                    f"``{m}``",
                    "-" * (len(m) + 4),
                    "",
                    f".. automodule:: {m}",
                    "   :members:",
                    "",
                ]
            node = nodes.section()
            node.document = self.state.document
            nested_parse_with_titles(self.state, StringList(lines, source="hccrep-api"), node)
            return node.children

    return HccrepApi


# --------------------------------------------------------------------------- exercise numbers


def number_exercises_per_page(toc_fignumbers: dict) -> dict:
    """Renumber sphinx-exercise's exercises 1, 2, ... within each page.

    Sphinx numbers enumerable nodes (figures, tables, sphinx-exercise's ``exercise``) through
    the whole book when the table of contents has no section numbers, so the third page's
    first exercise would be "Exercise 6"; the pages say "Exercise 1". ``toc_fignumbers``
    maps docname -> figure type -> node id -> number tuple, each page's ids in document
    order; the exercises' tuples become ``(1,), (2,), ...`` per page, everything else is
    kept. The solutions and every ``{numref}`` read the same numbers.

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


def _renumber_exercises(app, env):
    # runs after Sphinx's own numbering (TocTreeCollector, priority 500, same event)
    env.toc_fignumbers = number_exercises_per_page(env.toc_fignumbers)
    return []


# --------------------------------------------------------------------------- MathJax

#: ``mathjax_path`` of ``_config.yml``: MathJax 3 served from the book's own ``_static``.
MATHJAX_PATH = "mathjax/tex-chtml.js"
#: What the book copies from MathJax's ``es5`` folder: the TeX-to-HTML component, its fonts,
#: and what it loads on demand (TeX extensions, the context menu, accessibility and speech).
MATHJAX_PARTS = (
    "tex-chtml.js",
    "output/chtml",
    "input/tex/extensions",
    "ui",
    "a11y",
    "sre",
    "adaptors",
)


def mathjax_source() -> Path:
    """The ``es5`` folder of MathJax 3 as installed by the PyPI package ``django-static-mathjax``.

    That package (a dependency of the ``book`` extra; it has no dependencies, Django
    included) holds MathJax's own distribution under ``mathjax/static/mathjax``.

    Raises
    ------
    FileNotFoundError
        When the package is not installed (``pip install -e '.[book]'``, which ``make book``
        does).
    """
    import importlib.util

    spec = importlib.util.find_spec("mathjax")
    for location in (spec.submodule_search_locations or []) if spec else []:
        es5 = Path(location) / "static" / "mathjax" / "es5"
        if (es5 / "tex-chtml.js").is_file():
            return es5
    raise FileNotFoundError(
        "MathJax 3 is not installed: the book serves it from the PyPI package django-static-mathjax "
        "(pip install -e '.[book]'; `make book` installs it)"
    )


def copy_mathjax(es5: Path, static_dir: Path) -> Path:
    """Copy :data:`MATHJAX_PARTS` of MathJax's ``es5`` folder (and its licence) to ``static_dir/mathjax``."""
    import shutil

    target = Path(static_dir) / "mathjax"
    for part in MATHJAX_PARTS:
        src = es5 / part
        if src.is_dir():
            shutil.copytree(src, target / part, dirs_exist_ok=True)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / part)
    licence = es5.parent / "LICENSE"
    if licence.is_file():
        shutil.copy2(licence, target / "LICENSE")
    return target


def _install_mathjax(app):
    # Only when _config.yml points mathjax_path at the local copy (a URL is left alone).
    if app.builder.format != "html" or app.config.mathjax_path != MATHJAX_PATH:
        return
    from sphinx.errors import ExtensionError

    try:
        es5 = mathjax_source()
    except FileNotFoundError as exc:
        raise ExtensionError(str(exc)) from exc
    copy_mathjax(es5, Path(app.outdir) / "_static")


# --------------------------------------------------------------------------- citation page


def citation_entries(cff: dict) -> tuple[str, str]:
    """A reference line and a BibTeX entry for the software described by CITATION.cff.

    Parameters
    ----------
    cff : dict
        The parsed ``CITATION.cff`` (Citation File Format 1.2.0): ``title`` and ``authors``
        are required; ``version``, ``date-released``, ``doi``, ``repository-code`` and
        ``url`` are used when present.

    Returns
    -------
    (str, str)
        The reference as one line of text, and a ``@software`` BibTeX entry.

    Examples
    --------
    >>> text, bib = citation_entries({"title": "T", "authors": [{"name": "Team"}], "version": "1.0"})
    >>> text
    'Team. T (version 1.0).'
    >>> print(bib)
    @software{t,
      author = {{Team}},
      title = {T},
      version = {1.0}
    }
    """
    if not isinstance(cff, dict) or not cff.get("title") or not cff.get("authors"):
        raise ValueError("CITATION.cff must give a title and authors")

    def person(a: dict) -> tuple[str, str]:
        if a.get("family-names"):
            given = a.get("given-names", "")
            return (
                f"{a['family-names']}, {given}".rstrip(", "),
                f"{a['family-names']}, {given}".rstrip(", "),
            )
        if a.get("name"):
            return a["name"], "{" + a[
                "name"
            ] + "}"  # an entity: braces keep BibTeX from splitting it
        raise ValueError(f"CITATION.cff author without a name: {a}")

    names = [person(a) for a in cff["authors"]]
    title = str(cff["title"])
    version = cff.get("version")
    released = cff.get("date-released")
    year = str(released)[:4] if released else None
    link = (
        cff.get("doi")
        and f"https://doi.org/{cff['doi']}"
        or cff.get("repository-code")
        or cff.get("url")
    )
    text = "; ".join(n for n, _ in names) + ". "
    text += f"{title}" + (f" (version {version})" if version else "") + "."
    if year:
        text += f" {year}."
    if link:
        text += f" {link}"
    key = re.sub(r"[^a-z0-9]+", "", title.split(":")[0].lower()) or "software"
    fields = [("author", " and ".join(b for _, b in names)), ("title", title)]
    fields += [
        (k, v)
        for k, v in (
            ("version", version),
            ("year", year),
            ("doi", cff.get("doi")),
            ("url", cff.get("repository-code") or cff.get("url")),
        )
        if v
    ]
    bib = f"@software{{{key},\n" + ",\n".join(f"  {k} = {{{v}}}" for k, v in fields) + "\n}"
    return text, bib


def _citation_directive():
    from docutils import nodes
    from docutils.parsers.rst import Directive

    class HccrepCitation(Directive):
        """``hccrep-citation`` -- the citation of hccrep, read from CITATION.cff at build time."""

        has_content = False
        required_arguments = 0
        optional_arguments = 1  # the path of CITATION.cff, relative to the book's root

        def run(self):
            env = self.state.document.settings.env
            rel = self.arguments[0] if self.arguments else "CITATION.cff"
            path = Path(env.srcdir) / rel
            env.note_dependency(str(path))
            cff = yaml.safe_load(path.read_text(encoding="utf-8"))
            text, bib = citation_entries(cff)
            out = []
            if cff.get("message"):
                out.append(nodes.paragraph(text=" ".join(str(cff["message"]).split())))
            para = nodes.paragraph()
            url = re.search(r"https?://\S+$", text)
            if url:  # the link as a link
                para += nodes.Text(text[: url.start()])
                para += nodes.reference(url.group(0), url.group(0), refuri=url.group(0))
            else:
                para += nodes.Text(text)
            out.append(nodes.block_quote("", para))
            out.append(nodes.paragraph(text="As a BibTeX entry:"))
            block = nodes.literal_block(bib, bib)
            block["language"] = "bibtex"
            out.append(block)
            return out

    return HccrepCitation


def setup(app):
    """Sphinx extension hook (``sphinx: extra_extensions: [hccrep.book]``).

    Adds the ``hccrep-api`` and ``hccrep-citation`` directives, numbers exercises per page
    (:func:`number_exercises_per_page`) and copies MathJax into the build when
    ``mathjax_path`` is :data:`MATHJAX_PATH` (:func:`copy_mathjax`).
    """
    app.add_directive("hccrep-api", _api_directive())
    app.add_directive("hccrep-citation", _citation_directive())
    app.connect("env-get-updated", _renumber_exercises, priority=900)
    app.connect("builder-inited", _install_mathjax)
    __import__("hccrep.notebook_files").notebook_files.setup(app)  # download + launch files
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m hccrep.book {config,colab-notebooks,convert-exercises,execute} ...``."""
    import argparse
    import sys

    import nbformat

    parser = argparse.ArgumentParser(
        prog="python -m hccrep.book", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("config", help="write a variant of _config.yml to stdout")
    c.add_argument("config", type=Path)
    c.add_argument("--hide-solutions", action="store_true")
    c.add_argument("--branch")
    n = sub.add_parser(
        "colab-notebooks", help="write .ipynb with the Colab cell next to each MyST notebook"
    )
    n.add_argument("--repo-url", required=True)
    n.add_argument("paths", nargs="+", type=Path)
    e = sub.add_parser("convert-exercises", help="convert admonition exercises in place")
    e.add_argument("paths", nargs="*", type=Path, help="default: every book/**/*.md")
    x = sub.add_parser(
        "execute",
        help="run the book's notebooks in parallel into MyST-NB's execution cache",
        description="Execute every notebook page of _toc.yml in a pool of worker processes, longest first, "
        "and store each in the jupyter-cache that `jupyter-book build` (execute_notebooks: cache) "
        "reads, so that the build executes nothing (hccrep.bookexec).",
    )
    x.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="notebooks run at the same time (default: number of cores)",
    )
    x.add_argument(
        "--cache-path",
        type=Path,
        default=None,
        help="jupyter-cache folder (default: execute.cache of _config.yml, else <root>/_build/.jupyter_cache)",
    )
    x.add_argument(
        "--timeout",
        type=int,
        default=None,
        help="seconds per cell (default: execute.timeout of _config.yml)",
    )
    x.add_argument(
        "--only",
        nargs="+",
        default=(),
        metavar="GLOB",
        help="only the pages whose docname or path matches one of these patterns",
    )
    x.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="replace a default of each notebook's parameters cell (as papermill -p; a Python "
        "literal, else a string); needs --cache-path: for test builds, never the book's cache",
    )
    x.add_argument(
        "--results-json",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write each notebook's outcome (ok, seconds, error, parameters) to PATH as JSON",
    )
    x.add_argument(
        "--root", type=Path, default=Path("."), help="the book's source folder (default: .)"
    )
    x.add_argument(
        "--config", type=Path, default=None, help="_config.yml to use (default: <root>/_config.yml)"
    )
    args = parser.parse_args(argv)
    if args.cmd == "execute":
        return _execute_cli(x, args)
    if args.cmd == "config":
        sys.stdout.write(
            derived_config(
                args.config.read_text(encoding="utf-8"),
                hide_solutions=True if args.hide_solutions else None,
                branch=args.branch,
            )
        )
    elif args.cmd == "colab-notebooks":
        for p in args.paths:
            nb = colab_notebook(p, args.repo_url)
            nbformat.write(nb, p.with_suffix(".ipynb"))
            print(f"wrote {p.with_suffix('.ipynb')}")
    else:
        paths = args.paths or sorted((Path(__file__).resolve().parents[1] / "book").rglob("*.md"))
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            print(f"no such file: {', '.join(missing)}", file=sys.stderr)
            return 2
        for p in paths:
            text = p.read_text(encoding="utf-8")
            new, count = convert_exercises(text, exercise_label_prefix(p))
            if new != text:
                p.write_text(new, encoding="utf-8")
            print(f"{p}: {count} exercise/solution blocks converted")
    return 0


def _execute_cli(parser, args) -> int:  # parser: the ``execute`` subparser, for its usage line
    """``python -m hccrep.book execute``: exit 0 when every notebook ran, 1 when one failed, 2 on bad arguments."""
    from hccrep import bookexec

    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    if args.timeout is not None and args.timeout < 1:
        parser.error(f"--timeout must be at least 1 second, got {args.timeout}")
    for name in ("_toc.yml",) + (() if args.config else ("_config.yml",)):
        if not (args.root / name).is_file():
            parser.error(f"--root {args.root}: no {name} there")
    if args.config is not None and not args.config.is_file():
        parser.error(f"--config {args.config}: no such file")
    parameters = {}
    for item in args.param:
        name, sep, raw = item.partition("=")
        if not sep or not name.isidentifier():
            parser.error(f"--param {item!r}: expected NAME=VALUE with NAME a Python identifier")
        try:
            parameters[name] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            parameters[name] = raw
    if parameters and args.cache_path is None:
        parser.error(
            "--param needs --cache-path: the book's own cache must only hold runs with the defaults"
        )
    try:
        results = bookexec.execute_book(
            args.root,
            jobs=args.jobs,
            cache_path=args.cache_path,
            timeout=args.timeout,
            only=args.only,
            config=args.config,
            parameters=parameters or None,
        )
    except ValueError as exc:  # a pattern of --only that matches nothing
        parser.error(str(exc))
    if args.results_json is not None:
        import dataclasses
        import json

        args.results_json.parent.mkdir(parents=True, exist_ok=True)
        args.results_json.write_text(
            json.dumps([dataclasses.asdict(r) for r in results], indent=1, default=str) + "\n",
            encoding="utf-8",
        )
    return bookexec.report_failures(results)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())

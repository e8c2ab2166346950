"""The notebook files a reader of the book gets: the download and the launch buttons.

A page of the book is a MyST notebook (``book/<study>/<step>.md``). Readers reach it as an
``.ipynb`` in three ways, and each must be a notebook they can run:

- **Download** (the page's download button, ``_sources/<page>.ipynb`` of the HTML build):
  sphinx-book-theme copies MyST-NB's ``jupyter_execute/<page>.ipynb`` there, and MyST-NB
  writes that file *before* merging the outputs of the execution cache into it, so the
  copy had no outputs. :func:`reader_notebook` builds the file again from the page, the
  outputs of the execution cache and the set-up cell of :func:`hccrep.book.colab_notebook`.
- **Colab** and **Binder** (the launch buttons): sphinx-book-theme links the page's source
  file, ``<page>.md``, unless an ``.ipynb`` of the same name lies beside it when the book is
  built; Colab cannot open a MyST file. The deploy workflow (``.github/workflows/book.yml``)
  publishes ``<page>.ipynb`` copies with the set-up cell on the ``notebooks`` branch, and
  :func:`launch_url` points both buttons at them whether or not the copies exist locally.

:func:`setup` connects both to Sphinx; ``hccrep.book`` calls it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

__all__ = ["launch_url", "reader_notebook", "setup"]

#: The launch buttons whose target is rewritten (``text`` of sphinx-book-theme's buttons).
LAUNCH_SERVICES = ("Colab", "Binder")


def reader_notebook(md_path: str | Path, cache_path: str | Path, repo_url: str, root="."):
    """The ``.ipynb`` a reader downloads: the page, its executed outputs and the set-up cell.

    Parameters
    ----------
    md_path : path
        The MyST notebook (``book/<study>/<name>.md``).
    cache_path : path
        The jupyter-cache folder of the build (``_build/.jupyter_cache``).
    repo_url : str
        The git URL the Colab set-up cell clones.
    root : path
        The repository root (for the notebook's folder in the set-up cell).

    Returns
    -------
    nbformat.NotebookNode
        The page's cells with the outputs and execution counts of its cached execution,
        and the set-up cell of :func:`hccrep.book.colab_notebook` (without outputs).

    Raises
    ------
    KeyError
        When the cache holds no execution of this page with the same code cells.

    Examples
    --------
    >>> nb = reader_notebook("book/fonc2025/01_baseline.md", "_build/.jupyter_cache",
    ...                      "https://github.com/hccrep/hccrep")  # doctest: +SKIP
    """
    from jupyter_cache import get_cache

    from hccrep.book import colab_notebook
    from hccrep.bookexec import read_page

    plain = read_page(md_path)  # read as the build reads it, so the cache record matches
    _, executed = get_cache(str(cache_path)).merge_match_into_notebook(plain)
    nb = colab_notebook(md_path, repo_url, root)
    done = [c for c in executed.cells if c.cell_type == "code"]
    mine = [
        c
        for c in nb.cells
        if c.cell_type == "code" and "colab-setup" not in c.metadata.get("tags", [])
    ]
    if len(done) != len(mine):  # pragma: no cover - both come from the same file
        raise ValueError(f"{md_path}: {len(mine)} code cells, the cache has {len(done)}")
    for target, source in zip(mine, done, strict=True):
        target.outputs = source.get("outputs", [])
        target.execution_count = source.get("execution_count")
    return nb


def launch_url(url: str, pagename: str) -> str:
    """A launch-button URL pointed at the page's ``.ipynb`` instead of its MyST source.

    Parameters
    ----------
    url : str
        The URL sphinx-book-theme built (Colab: ``.../blob/<branch>/<page>.md``; Binder:
        ``...?urlpath=lab/tree/<page>.md``).
    pagename : str
        The page's docname (``book/fonc2025/01_baseline``).

    Returns
    -------
    str
        The same URL ending in ``<page>.ipynb``; a URL that already does is returned as is.

    Examples
    --------
    >>> launch_url("https://colab.research.google.com/github/o/r/blob/main/book/a/x.md",
    ...            "book/a/x")
    'https://colab.research.google.com/github/o/r/blob/main/book/a/x.ipynb'
    """
    pattern = re.compile(re.escape(pagename) + r"\.(md|ipynb)$")
    if not pattern.search(unquote(url)):
        raise ValueError(f"url {url!r} does not end with the page {pagename!r}")
    return re.sub(re.escape(pagename) + r"\.md$", pagename + ".ipynb", url)


def _page_context(app, pagename, templatename, context, doctree):
    """``html-page-context``, after sphinx-book-theme's buttons (priority 501)."""
    if not context.get("ipynb_source"):  # not a notebook page
        return
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("text") in LAUNCH_SERVICES and button.get("url"):
                button["url"] = launch_url(button["url"], pagename)
    md = Path(app.srcdir) / f"{pagename}.md"
    if not md.is_file():
        return
    import nbformat

    repo = (app.config.html_theme_options or {}).get("repository_url") or ""
    if not re.fullmatch(r"https://[^\s\"']+", repo):
        repo = "https://github.com/hccrep/hccrep"
    cache = app.env.mystnb_config.execution_cache_path or Path(app.outdir).parent.joinpath(
        ".jupyter_cache"
    )
    try:
        nb = reader_notebook(md, cache, repo, app.srcdir)
    except KeyError:
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            f"{pagename}: no cached execution, the downloadable notebook has no outputs"
        )
        return
    out = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)


def setup(app) -> None:
    """Connect the download and launch-button fixes to a Sphinx ``app``.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The application; ``hccrep.book.setup`` passes it.

    Returns
    -------
    None

    Examples
    --------
    >>> class App:
    ...     def connect(self, event, fn, priority=500):
    ...         print(event, priority)
    >>> setup(App())
    html-page-context 510
    """
    app.connect("html-page-context", _page_context, priority=510)

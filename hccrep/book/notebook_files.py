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

Figures get their text alternative the same way: :mod:`hccrep.plots` puts each figure's alt
text into the metadata of its PNG output, which MyST-NB does not read; :func:`figure_alts`
finds it in the executed notebook and the build sets it as the ``alt`` of the page's image
(and drops the same sentence where a cell also printed it).

:func:`setup` connects all three to Sphinx; ``hccrep.book`` calls it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

__all__ = ["figure_alts", "launch_url", "reader_notebook", "setup"]

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
    from hccrep.book.colab import colab_notebook

    # read as the build reads it, so that the cache record matches
    executed = _executed(Path(md_path), cache_path)
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


def figure_alts(nb) -> dict[str, str]:
    """Alt text of every PNG output, keyed as MyST-NB names the image file.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    dict
        ``sha256 hex digest of the PNG bytes -> alt text`` for every ``image/png`` output
        whose metadata holds ``{"image/png": {"alt": ...}}`` (MyST-NB writes the image as
        ``<digest>.png``).

    Examples
    --------
    >>> import base64, hashlib, nbformat
    >>> png = b"not really a png"
    >>> out = nbformat.v4.new_output("display_data",
    ...     data={"image/png": base64.b64encode(png).decode()},
    ...     metadata={"image/png": {"alt": "A red line"}})
    >>> cell = nbformat.v4.new_code_cell("fig", outputs=[out])
    >>> figure_alts(nbformat.v4.new_notebook(cells=[cell])) == {
    ...     hashlib.sha256(png).hexdigest(): "A red line"}
    True
    """
    import hashlib
    from binascii import a2b_base64

    found: dict[str, str] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            png = out.get("data", {}).get("image/png")
            alt = ((out.get("metadata") or {}).get("image/png") or {}).get("alt")
            if png and isinstance(alt, str) and alt.strip():
                found[hashlib.sha256(a2b_base64(png)).hexdigest()] = alt.strip()
    return found


def _executed(md: Path, cache) -> object:
    from jupyter_cache import get_cache

    from hccrep.bookexec import read_page

    return get_cache(str(cache)).merge_match_into_notebook(read_page(md))[1]


def _cache_path(app) -> Path:
    configured = getattr(getattr(app.env, "mystnb_config", None), "execution_cache_path", "")
    return Path(configured) if configured else Path(app.outdir).parent / ".jupyter_cache"


def _is_notebook(md: Path) -> bool:
    return md.is_file() and md.read_text(encoding="utf-8").startswith("---\njupytext:")


def _drop_printed(image, alt: str) -> None:
    """Remove lines equal to ``alt`` from the stream outputs of the image's cell."""
    from docutils import nodes

    cell = image.parent
    while cell is not None and not (
        isinstance(cell, nodes.container) and "cell" in cell.get("classes", [])
    ):
        cell = cell.parent
    if cell is None:
        return
    for block in list(cell.findall(nodes.literal_block)):
        if "output" not in block.get("classes", []):
            continue
        lines = block.astext().split("\n")
        keep = [line for line in lines if line.strip() != alt]
        if len(keep) == len(lines):
            continue
        if not "\n".join(keep).strip():
            block.parent.remove(block)
        else:
            text = "\n".join(keep)
            block.children = [nodes.Text(text)]
            block.rawsource = text


def _doctree_read(app, doctree) -> None:
    """``doctree-read``: the alt text of each notebook figure, from its output metadata."""
    from docutils import nodes

    md = Path(app.srcdir) / f"{app.env.docname}.md"
    if not _is_notebook(md):
        return
    try:
        alts = figure_alts(_executed(md, _cache_path(app)))
    except KeyError:  # not executed from the cache: nothing to read
        return
    for image in list(doctree.findall(nodes.image)):
        alt = alts.get(Path(image.get("uri", "")).stem)
        if alt:
            image["alt"] = alt
            _drop_printed(image, alt)


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
    try:
        nb = reader_notebook(md, _cache_path(app), repo, app.srcdir)
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
    doctree-read 500
    """
    app.connect("html-page-context", _page_context, priority=510)
    app.connect("doctree-read", _doctree_read, priority=500)

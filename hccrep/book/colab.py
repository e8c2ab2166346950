"""Notebooks for Google Colab: a MyST page as ``.ipynb`` with a set-up cell that installs hccrep.

:func:`colab_notebook` is what ``python -m hccrep.book colab-notebooks`` writes next to each
page; the set-up cell (:data:`COLAB_SETUP_SOURCE`) does nothing outside Colab.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["COLAB_SETUP_SOURCE", "colab_notebook"]

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

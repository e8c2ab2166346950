"""MathJax 3 served from the book's own ``_static`` folder, so that no page loads it from a CDN.

The Sphinx extension (:mod:`hccrep.book.sphinxext`) calls :func:`copy_mathjax` at build time
when ``mathjax_path`` in ``_config.yml`` is :data:`MATHJAX_PATH`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["MATHJAX_PATH", "MATHJAX_PARTS", "mathjax_source", "copy_mathjax"]

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

    Parameters
    ----------
    None

    Returns
    -------
    Path
        The folder holding ``tex-chtml.js``.

    Raises
    ------
    FileNotFoundError
        When the package is not installed (``pip install -e '.[book]'``, which ``make book``
        does).

    Examples
    --------
    >>> mathjax_source().name  # doctest: +SKIP
    'es5'
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
    """Copy :data:`MATHJAX_PARTS` of MathJax's ``es5`` folder (and its licence) to ``static_dir/mathjax``.

    Parameters
    ----------
    es5 : Path
        MathJax's ``es5`` folder (:func:`mathjax_source`).
    static_dir : Path
        The build's ``_static`` folder.

    Returns
    -------
    Path
        ``static_dir/mathjax``, the folder written (existing files are overwritten).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:  # doctest: +SKIP
    ...     copy_mathjax(mathjax_source(), Path(d)).name
    'mathjax'
    """
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

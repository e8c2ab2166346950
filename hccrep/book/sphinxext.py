"""The book's Sphinx extension (``sphinx: extra_extensions: [hccrep.book]`` in ``_config.yml``).

:func:`setup` adds the ``hccrep-api`` directive (an ``automodule`` section for every module
:func:`public_modules` finds) and the ``hccrep-citation`` directive
(:func:`hccrep.book.citation.citation_entries`), renumbers exercises per page
(:func:`hccrep.book.exercises.number_exercises_per_page`) and copies MathJax into the build
(:func:`hccrep.book.mathjax.copy_mathjax`). ``hccrep.book`` re-exports :func:`setup`, so the
extension keeps its short name.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from hccrep.book.citation import citation_entries
from hccrep.book.exercises import number_exercises_per_page
from hccrep.book.mathjax import MATHJAX_PATH, copy_mathjax, mathjax_source
from hccrep.book import notebook_files

__all__ = ["public_modules", "setup"]


def public_modules(package: str = "hccrep") -> list[str]:
    """Every importable module of ``package`` whose dotted name has no ``_``-prefixed part.

    The API appendix documents exactly these, so a module added to hccrep appears in the
    book without editing the page.

    Parameters
    ----------
    package : str
        The package to walk (imported, with its subpackages).

    Returns
    -------
    list of str
        Dotted module names, sorted, the package itself included.

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


def _renumber_exercises(app, env):
    # runs after Sphinx's own numbering (TocTreeCollector, priority 500, same event)
    env.toc_fignumbers = number_exercises_per_page(env.toc_fignumbers)
    return []


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
    (:func:`number_exercises_per_page`), copies MathJax into the build when
    ``mathjax_path`` is :data:`MATHJAX_PATH` (:func:`copy_mathjax`) and writes each notebook
    page's download and launch files (:mod:`hccrep.book.notebook_files`).

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The Sphinx application.

    Returns
    -------
    dict
        The extension's metadata: safe for parallel reading and writing.

    Examples
    --------
    >>> callable(setup)
    True
    """
    app.add_directive("hccrep-api", _api_directive())
    app.add_directive("hccrep-citation", _citation_directive())
    app.connect("env-get-updated", _renumber_exercises, priority=900)
    app.connect("builder-inited", _install_mathjax)
    notebook_files.setup(app)  # the download and launch files of every notebook page
    return {"parallel_read_safe": True, "parallel_write_safe": True}

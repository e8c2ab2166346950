"""Tools that build the book itself, one module per job.

Everything here is generated from what exists at build time, so a study added under
``data/`` appears in the appendices without editing them.

======================================  ====================================================
module                                  job
======================================  ====================================================
:mod:`hccrep.book.appendix`             :func:`~hccrep.book.appendix.all_scorecards` and :func:`~hccrep.book.appendix.all_audits`: every
                                        check and audit finding of every study in one table
:mod:`hccrep.book.filtertable`          :func:`~hccrep.book.filtertable.filter_table_html`: an HTML table with
                                        drop-down filters, search and sorting (inline
                                        script, works offline)
:mod:`hccrep.book.config`               :func:`~hccrep.book.config.derived_config`: ``_config.yml`` for the
                                        student edition or another launch-button branch
:mod:`hccrep.book.exercises`            :func:`~hccrep.book.exercises.convert_exercises` (admonitions to
                                        sphinx-exercise directives) and per-page exercise
                                        numbers
:mod:`hccrep.book.colab`                :func:`~hccrep.book.colab.colab_notebook`: a page as ``.ipynb`` with a
                                        set-up cell that installs hccrep on Colab only
:mod:`hccrep.book.mathjax`              MathJax 3 copied into the build (no CDN)
:mod:`hccrep.book.citation`             the reference and BibTeX entry of ``CITATION.cff``
:mod:`hccrep.book.sphinxext`            the Sphinx extension: ``hccrep-api`` and
                                        ``hccrep-citation`` directives, exercise numbers,
                                        MathJax
:mod:`hccrep.book.cli`                  ``python -m hccrep.book {config, colab-notebooks,
                                        convert-exercises, execute}``
======================================  ====================================================

The parallel execution of the notebooks that ``python -m hccrep.book execute`` starts is
:mod:`hccrep.bookexec`. This package re-exports the functions the book's pages call and
the extension hook :func:`~hccrep.book.sphinxext.setup`, so ``from hccrep.book import
all_scorecards`` and ``extra_extensions: [hccrep.book]`` keep working.

Examples
--------
>>> import pandas as pd
>>> from hccrep.book import filter_table_html
>>> html = filter_table_html(pd.DataFrame({"study": ["a", "b"], "verdict": ["x", "y"]}),
...                          filters=["study", "verdict"], table_id="demo")
>>> 'id="demo"' in html
True
"""

# Re-exports for the book's pages and the Sphinx extension name; no ``__all__`` here, so the
# API appendix documents each function once, in the module that defines it.
from hccrep.book.appendix import AUDIT_COLUMNS as AUDIT_COLUMNS
from hccrep.book.appendix import SCORECARD_COLUMNS as SCORECARD_COLUMNS
from hccrep.book.appendix import all_audits as all_audits
from hccrep.book.appendix import all_scorecards as all_scorecards
from hccrep.book.colab import colab_notebook as colab_notebook
from hccrep.book.config import derived_config as derived_config
from hccrep.book.exercises import convert_exercises as convert_exercises
from hccrep.book.filtertable import filter_table_html as filter_table_html
from hccrep.book.sphinxext import setup as setup

"""The notebook files of the book's download and launch buttons (hccrep.book.notebook_files).

The launch URLs are checked against the URL forms sphinx-book-theme builds (its
``header_buttons/launch.py``: Colab ``/github/<org>/<repo>/blob/<branch>/<path>``, Binder
``/v2/gh/<org>/<repo>/<branch>?urlpath=lab/tree/<path>``). The downloadable notebook is
checked on a small page executed here with nbclient and stored in a jupyter-cache exactly
as ``hccrep.book execute`` stores pages: the outputs the kernel produced must be in the file,
next to the Colab set-up cell. The built book's buttons and files are checked in
``tests/test_browser.py`` (``test_notebook_pages_download_their_outputs_and_launch_ipynb``).
"""

from __future__ import annotations

import textwrap

import pytest

from hccrep.book.notebook_files import launch_url, reader_notebook

PAGE = "book/demo/01_page"
COLAB = "https://colab.research.google.com/github/hccrep/hccrep/blob/notebooks/"
BINDER = "https://mybinder.org/v2/gh/hccrep/hccrep/notebooks?urlpath=lab/tree/"


def test_launch_url_points_colab_and_binder_at_the_ipynb():
    assert launch_url(COLAB + PAGE + ".md", PAGE) == COLAB + PAGE + ".ipynb"
    assert launch_url(BINDER + PAGE + ".md", PAGE) == BINDER + PAGE + ".ipynb"
    # already an .ipynb (the copies lay beside the pages when the book was built): unchanged
    assert launch_url(COLAB + PAGE + ".ipynb", PAGE) == COLAB + PAGE + ".ipynb"


def test_launch_url_refuses_a_url_of_another_page():
    with pytest.raises(ValueError, match="does not end with the page"):
        launch_url(COLAB + "book/demo/02_other.md", PAGE)


MYST = textwrap.dedent(
    """\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
        format_version: 0.13
    kernelspec:
      display_name: Python 3
      language: python
      name: python3
    ---

    # A page

    ```{code-cell} ipython3
    :tags: [parameters]

    SEED = 3
    ```

    ```{code-cell} ipython3
    print("six times seven is", 6 * 7)
    ```
    """
)


@pytest.fixture
def executed_page(tmp_path):
    """A MyST page and a jupyter-cache holding its execution (as hccrep.book execute stores it)."""
    nbclient = pytest.importorskip("nbclient")
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    from hccrep.bookexec import read_page

    md = tmp_path / "book" / "demo" / "01_page.md"
    md.parent.mkdir(parents=True)
    md.write_text(MYST)
    nb = read_page(md)
    kernelspec = dict(nb.metadata["kernelspec"])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", record_timing=False).execute()
    nb.metadata["kernelspec"] = kernelspec  # part of the cache key; the kernel rewrote its name
    cache = get_cache(str(tmp_path / "cache"))
    cache.cache_notebook_bundle(CacheBundleIn(nb, str(md)), check_validity=False, overwrite=True)
    return md, tmp_path


def test_downloaded_notebook_has_the_outputs_and_the_set_up_cell(executed_page):
    md, root = executed_page
    nb = reader_notebook(md, root / "cache", "https://github.com/hccrep/hccrep", root)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # parameters cell, then the set-up cell, then the page's own code
    assert "parameters" in code[0].metadata["tags"]
    assert "colab-setup" in code[1].metadata["tags"]
    assert "https://github.com/hccrep/hccrep" in code[1].source and not code[1].outputs
    printed = "".join(o.get("text", "") for o in code[2].outputs)
    assert printed == "six times seven is 42\n"  # what the kernel printed, read back
    assert code[2].execution_count is not None


def test_downloaded_notebook_needs_a_cached_execution(executed_page):
    md, root = executed_page
    md.write_text(MYST.replace("6 * 7", "6 * 8"))  # the cache holds the old code
    with pytest.raises(KeyError):
        reader_notebook(md, root / "cache", "https://github.com/hccrep/hccrep", root)


KM_CELL = """\
%matplotlib inline
import pandas as pd
from hccrep import plots
d = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 0, 1, 1, 0, 1], "g": list("aaabbb")})
fig = plots.km_plot(d, "t", "e", "g", at_risk_times=[0, 3, 6])
"""


def test_a_figure_output_carries_its_alt_text_and_twice_its_pixels():
    nbclient = pytest.importorskip("nbclient")
    import nbformat
    import pandas as pd

    from hccrep import plots
    from hccrep.book.notebook_files import figure_alts

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(KM_CELL)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    images = [o for o in nb.cells[0].outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1
    # the same figure drawn in this process: its alt text is what the kernel must attach
    d = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 0, 1, 1, 0, 1], "g": list("aaabbb")})
    expected = plots.alt_text(plots.km_plot(d, "t", "e", "g", at_risk_times=[0, 3, 6]))
    meta = images[0].metadata["image/png"]
    assert meta["alt"] == expected
    # 2x PNG shown at its normal size: the PNG header's width is twice the display width
    import base64
    import struct

    png = base64.b64decode(images[0].data["image/png"])
    width, height = struct.unpack(">II", png[16:24])  # IHDR, after the 8-byte signature
    assert width // 2 == meta["width"] and height > 0
    assert "height" not in meta  # a fixed height would distort the figure on a narrow page
    assert list(figure_alts(nb).values()) == [expected]


def test_the_printed_copy_of_an_alt_text_leaves_the_page():
    from docutils import nodes

    from hccrep.book.notebook_files import _drop_printed

    alt = "Kaplan-Meier curves of two groups."
    image = nodes.image(uri="../_build/jupyter_execute/abc.png")
    both = nodes.literal_block("", f"{alt}\nlog-rank p = 0.04", classes=["output", "stream"])
    alone = nodes.literal_block("", alt, classes=["output", "stream"])
    code = nodes.literal_block("", f"print({alt!r})", classes=["code"])  # input: kept
    cell = nodes.container(
        "",
        nodes.container("", code, classes=["cell_input"]),
        nodes.container("", both, alone, image, classes=["cell_output"]),
        classes=["cell"],
    )
    _drop_printed(image, alt)
    outputs = [b for b in cell.findall(nodes.literal_block) if "output" in b["classes"]]
    assert [b.astext() for b in outputs] == ["log-rank p = 0.04"]
    assert code.astext() == f"print({alt!r})"

"""The parallel pre-execution of the book (``python -m hccrep.book execute``, :mod:`hccrep.bookexec`).

A tiny book of one plain page and two MyST notebooks, with the real book's Markdown settings,
is written to a temporary folder. The notebooks are executed into its execution cache, and
``jupyter-book build`` in cache mode must then take both from there (its log says "Using
cached notebook", never "Executing notebook") and show their outputs and run times. That
test is the guard of the one assumption the pre-execution makes about MyST-NB (that the
reader plugin it installs for jupyter-cache reads the pages as the build does): when a new
release breaks it, the test fails naming the installed versions. A notebook that raises
makes the command fail with its name and traceback, and leaves nothing in the cache. Bad
arguments are usage errors (exit 2), not tracebacks.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml

from hccrep import bookexec
from hccrep.book import cli

pytest.importorskip("jupyter_book")
pytest.importorskip("myst_nb")
pytest.importorskip("jupyter_cache")

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

ROOT = Path(__file__).resolve().parents[1]

CONFIG = """title: tiny
execute:
  execute_notebooks: cache
  timeout: 60
  run_in_temp: false
  allow_errors: false
sphinx:
  config:
    nb_execution_raise_on_error: true
    nb_execution_show_tb: true
""" + yaml.safe_dump(
    {"parse": yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")).get("parse") or {}}
)


def _notebook(title: str, *cells: str) -> str:
    return (
        HEADER
        + f"\n# {title}\n\n"
        + "".join(f"```{{code-cell}} ipython3\n{c}\n```\n\n" for c in cells)
    )


def _write_book(root: Path, pages: dict[str, str]) -> Path:
    """A book at ``root``: ``intro`` (plain Markdown with the execution table) and ``pages``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(CONFIG, encoding="utf-8")
    toc = "format: jb-book\nroot: intro\nchapters:\n" + "".join(
        f"  - file: {name}\n" for name in pages
    )
    (root / "_toc.yml").write_text(toc, encoding="utf-8")
    (root / "intro.md").write_text(
        "# Intro\n\nA plain page.\n\n```{nb-exec-table}\n```\n", encoding="utf-8"
    )
    for name, text in pages.items():
        (root / f"{name}.md").parent.mkdir(parents=True, exist_ok=True)
        (root / f"{name}.md").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def kernel_env(tmp_path_factory, monkeypatch) -> dict[str, str]:
    """A ``python3`` kernelspec on this interpreter, first on JUPYTER_PATH (as tests/_bookbuild.py)."""
    from ipykernel.kernelspec import write_kernel_spec

    jupyter_path = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(path=str(jupyter_path / "kernels" / "python3"))
    previous = os.environ.get("JUPYTER_PATH")
    monkeypatch.setenv(
        "JUPYTER_PATH", str(jupyter_path) + (os.pathsep + previous if previous else "")
    )
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")  # the workers must remove it for the kernels
    return dict(os.environ)


def _execute(root: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hccrep.book", "execute", "--root", str(root), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def _cached(root: Path, docname: str, cache_path: Path) -> bool:
    """Whether MyST-NB's lookup (``match_cache_notebook``) finds the page in the cache."""
    from jupyter_cache import get_cache

    page = next(p for p in bookexec.notebook_pages(root) if p.docname == docname)
    try:
        get_cache(str(cache_path)).match_cache_notebook(page.notebook)
    except KeyError:
        return False
    return True


# --------------------------------------------------------------------------- the tests


def test_build_in_cache_mode_finds_every_pre_executed_notebook(tmp_path, kernel_env):
    root = _write_book(
        tmp_path / "tiny",
        {
            "pages/one": _notebook(
                "One",
                ":tags: [parameters]\nimport os\nprint('cwd-is', os.path.basename(os.getcwd()), 6 * 7)",
            ),
            "pages/two": _notebook(
                "Two",
                "print('marker-' + str(sum(range(5))))",
                "import os\nprint('backend-' + str(os.environ.get('MPLBACKEND')))",
            ),
        },
    )
    done = _execute(root, kernel_env, "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    progress = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert len(progress) == 2 and all(
        re.search(r"^\[[12]/2\] ok +\d+\.\d s  pages/(one|two)\.md$", p) for p in progress
    )
    saved = json.loads((root / "_build" / bookexec.TIMES_FILE).read_text(encoding="utf-8"))
    assert set(saved) == {"pages/one", "pages/two"} and all(
        e["seconds"] > 0 for e in saved.values()
    )

    exe = Path(sys.executable).with_name("jupyter-book")
    build = subprocess.run(
        [str(exe), "build", str(root), "-W", "--keep-going", "--all"],
        env=kernel_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = _strip_ansi(build.stdout + build.stderr)
    assert build.returncode == 0, log[-4000:]
    # the guard of bookexec.read_page: the build must find both pages in the cache
    missed = re.findall(r"^.*Executing notebook.*$", log, re.M)
    assert not missed and log.count("Using cached notebook") == 2, (
        f"jupyter-book executed pages that `python -m hccrep.book execute` had cached ({bookexec.library_versions()}): "
        "the reader plugin no longer reads MyST notebooks as the build does; see hccrep.bookexec.read_page\n"
        + log[-4000:]
    )
    html = root / "_build" / "html"
    assert "cwd-is pages 42" in (html / "pages" / "one.html").read_text(encoding="utf-8")
    two = (html / "pages" / "two.html").read_text(encoding="utf-8")
    assert "marker-10" in two
    assert (
        "backend-module://matplotlib_inline.backend_inline" in two
    )  # MPLBACKEND was unset for the kernel
    # the execution table shows each notebook's run time, read from the cache record
    table = (html / "intro.html").read_text(encoding="utf-8")
    for name in ("pages/one", "pages/two"):
        row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{name}(?:(?!</tr>).)*</tr>", table, re.S)
        assert row, f"{name} missing from the execution table"
        cells = re.findall(r"<td[^>]*>\s*(?:<p>)?([^<]*)", row.group(0))
        assert "cache" in cells and any(re.fullmatch(r"\d+\.\d+", c.strip()) for c in cells), cells


def test_a_raising_notebook_fails_the_command_by_name_and_is_not_cached(tmp_path, kernel_env):
    root = _write_book(
        tmp_path / "tiny",
        {
            "pages/good": _notebook("Good", "print('fine')"),
            # raises only when flag.txt is missing, so the same text can succeed first
            "pages/bad": _notebook(
                "Bad", "x = 1", "open('flag.txt').close()  # raises without the file"
            ),
        },
    )
    cache = root / "_build" / ".jupyter_cache"
    (root / "pages" / "flag.txt").write_text("x", encoding="utf-8")
    first = _execute(root, kernel_env, "--jobs", "2")
    assert first.returncode == 0, first.stdout + first.stderr
    assert _cached(root, "pages/bad", cache)

    (root / "pages" / "flag.txt").unlink()
    done = _execute(root, kernel_env, "--jobs", "2")
    assert done.returncode == 1
    err = _strip_ansi(done.stderr)
    assert (
        "ERROR: notebook pages/bad failed" in err
        and "FileNotFoundError" in err
        and "flag.txt" in err
    )
    assert "pages/good" not in err
    assert re.search(r"\] FAILED .* pages/bad\.md", done.stdout) and re.search(
        r"\] ok .* pages/good\.md", done.stdout
    )
    assert not _cached(root, "pages/bad", cache)  # the earlier run's outputs were removed too
    assert _cached(root, "pages/good", cache)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--jobs", "0"], "--jobs must be at least 1, got 0"),
        (["--timeout", "0"], "--timeout must be at least 1 second"),
        (["--only", "pages/nothing*"], "--only 'pages/nothing*' matches no notebook page"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_and_no_traceback(tmp_path, capsys, args, message):
    root = _write_book(tmp_path / "tiny", {"pages/one": _notebook("One", "print(1)")})
    with pytest.raises(SystemExit) as exc:
        cli.main(["execute", "--root", str(root), *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_folder_without_toc_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["execute", "--root", str(tmp_path)])
    assert exc.value.code == 2 and "no _toc.yml there" in capsys.readouterr().err


def test_notebook_pages_skip_plain_markdown_and_keep_toc_order(tmp_path):
    root = _write_book(
        tmp_path / "tiny",
        {
            "pages/b": _notebook("B", "print(1)"),
            "pages/plain": "# Plain\n\nNo front matter, so not a notebook.\n",
            "pages/a": _notebook("A", "print(2)"),
        },
    )
    pages = bookexec.notebook_pages(root)
    assert [p.docname for p in pages] == ["pages/b", "pages/a"]
    assert pages[0].timeout == 60 and pages[0].allow_errors is False and pages[0].in_temp is False
    assert pages[0].path == root.absolute() / "pages" / "b.md"
    assert [p.docname for p in bookexec.notebook_pages(root, only=["pages/a.md"])] == ["pages/a"]


def test_execution_order_is_longest_first_and_unknown_pages_early():
    pages = [types.SimpleNamespace(docname=d, notebook=None) for d in ("a", "b", "c", "d")]
    assert [p.docname for p in bookexec.execution_order(pages, {"a": 3.0, "b": 9.0, "d": 1.0})] == [
        "b",
        "c",
        "a",
        "d",
    ]
    first = types.SimpleNamespace(docname=bookexec.RUN_FIRST[0], notebook=None)
    assert bookexec.execution_order(pages + [first], {"a": 3.0, first.docname: 0.5})[0] is first


def test_execution_order_without_times_starts_the_pinned_pages_then_the_most_code():
    import nbformat

    def nb(*sources):
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])

    pages = [
        types.SimpleNamespace(docname="small", notebook=nb("x")),
        types.SimpleNamespace(docname=bookexec.RUN_FIRST[0], notebook=nb("y")),
        types.SimpleNamespace(docname="big", notebook=nb("z" * 50, "w" * 50)),
    ]
    assert [p.docname for p in bookexec.execution_order(pages, {})] == [
        bookexec.RUN_FIRST[0],
        "big",
        "small",
    ]


def test_previous_times_keep_the_shortest_run_of_unchanged_code_only(tmp_path):
    root = _write_book(
        tmp_path / "tiny",
        {"pages/a": _notebook("A", "print(1)"), "pages/b": _notebook("B", "print(2)")},
    )
    cache = root / "_build" / ".jupyter_cache"
    pages = bookexec.notebook_pages(root)
    ok = [bookexec.ExecResult("pages/a", True, 9.0), bookexec.ExecResult("pages/b", True, 4.0)]
    bookexec._save_times(cache, pages, {}, ok)
    assert bookexec._previous_times(cache, pages) == {"pages/a": 9.0, "pages/b": 4.0}
    bookexec._save_times(
        cache,
        pages,
        {"pages/a": 9.0, "pages/b": 4.0},
        [bookexec.ExecResult("pages/a", True, 5.0), bookexec.ExecResult("pages/b", True, 30.0)],
    )
    assert bookexec._previous_times(cache, pages) == {"pages/a": 5.0, "pages/b": 4.0}
    (root / "pages" / "b.md").write_text(
        _notebook("B", "print(3)"), encoding="utf-8"
    )  # new code: time unknown
    assert bookexec._previous_times(cache, bookexec.notebook_pages(root)) == {"pages/a": 5.0}
    assert not cache.exists()  # ordering hints never create the cache folder


def test_the_run_first_pages_finish_before_any_other_page_starts(tmp_path, kernel_env):
    first = bookexec.RUN_FIRST[0]
    marker = (
        "../" * first.count("/") + "feeder-done"
    )  # in the book's root, seen from the page's folder
    root = _write_book(
        tmp_path / "tiny",
        {
            # listed first and with more code, yet it must wait for the feeder
            "other": _notebook(
                "Other",
                "import pathlib\nassert pathlib.Path('feeder-done').exists(), 'started too early'",
                "x = " + "1 + " * 40 + "1",
            ),
            first: _notebook(
                "Feeder",
                f"import pathlib, time\ntime.sleep(2)\npathlib.Path({marker!r}).write_text('x')",
            ),
        },
    )
    done = _execute(root, kernel_env, "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert lines[0].endswith(f"{first}.md") and lines[1].endswith("other.md")


def test_a_page_with_run_after_starts_only_when_the_named_page_has_finished(tmp_path, kernel_env):
    """Front matter ``hccrep: run_after: [feeder]``: with two workers free, the page still waits
    for its sibling, which writes the file it reads (a Monte Carlo cache in the real book)."""
    waiting = _notebook(
        "Waiting",
        "import pathlib\nassert pathlib.Path('fed').exists(), 'started too early'",
        "x = " + "1 + " * 40 + "1",
    )
    waiting = waiting.replace(
        "  name: python3\n---\n", "  name: python3\nhccrep:\n  run_after: [feeder]\n---\n", 1
    )
    root = _write_book(
        tmp_path / "tiny",
        {
            "ch/waiting": waiting,  # first in the toc and the most code, yet it must wait
            "ch/feeder": _notebook(
                "Feeder", "import pathlib, time\ntime.sleep(2)\npathlib.Path('fed').write_text('x')"
            ),
        },
    )
    done = _execute(root, kernel_env, "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert lines[0].endswith("ch/feeder.md") and lines[1].endswith("ch/waiting.md")
    # --only the waiting page: the feeder is not part of the run, so nothing is waited for
    again = _execute(
        root,
        kernel_env,
        "--jobs",
        "2",
        "--only",
        "ch/waiting",
        "--cache-path",
        str(tmp_path / "c2"),
    )
    assert again.returncode == 0, again.stdout + again.stderr


def _page(docname: str, after=None):
    meta = {} if after is None else {"hccrep": {"run_after": after}}
    return types.SimpleNamespace(docname=docname, notebook=types.SimpleNamespace(metadata=meta))


def test_run_after_resolves_siblings_and_root_paths_and_refuses_bad_front_matter():
    pages = [
        _page("book/s/05_a"),
        _page("book/s/06_b", ["05_a"]),
        _page("book/t/01_c", ["book/s/05_a.md"]),
        _page("book/t/02_d"),
    ]
    assert bookexec.run_after(pages) == {
        "book/s/05_a": set(),
        "book/s/06_b": {"book/s/05_a"},
        "book/t/01_c": {"book/s/05_a"},
        "book/t/02_d": set(),
    }
    # a page of the book outside this run (--only) is not waited for; a name that is no page is an error
    assert bookexec.run_after(pages[1:2], book=["book/s/05_a", "book/s/06_b"]) == {
        "book/s/06_b": set()
    }
    with pytest.raises(
        ValueError, match=r"book/s/06_b: front matter hccrep.run_after: '05_x' is no notebook page"
    ):
        bookexec.run_after([_page("book/s/05_a"), _page("book/s/06_b", ["05_x"])])
    with pytest.raises(ValueError, match="must be a list of page names"):
        bookexec.run_after([_page("book/s/06_b", "05_a")])
    with pytest.raises(ValueError, match="cannot run after itself"):
        bookexec.run_after([_page("book/s/06_b", ["06_b"])])
    with pytest.raises(ValueError, match="cycle: book/s/a -> book/s/b -> book/s/a"):
        bookexec.run_after([_page("book/s/a", ["b"]), _page("book/s/b", ["a"])])


def test_the_book_declares_run_after_for_the_pages_that_read_step_5s_monte_carlo():
    """deng2025 steps 6-8 read step 5's model Monte Carlo from the cache: they must wait for it."""
    root = Path(__file__).resolve().parents[1]
    deps = bookexec.run_after(bookexec.notebook_pages(root))
    for step in ("06_calibration_dca", "07_importance", "08_scorecard"):
        assert deps[f"book/deng2025/{step}"] == {"book/deng2025/05_performance"}


def test_injected_parameters_run_and_the_cache_still_matches(tmp_path, kernel_env):
    """--param injects after the parameters cell (only names it assigns), the run sees the values,
    and the stored notebook has the reader's code cells, so MyST-NB's lookup finds it."""
    import nbformat
    from jupyter_cache import get_cache

    from hccrep.bookexec import execute_book, inject_parameters, notebook_pages

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("SEED = 1\nFAST = False", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print(SEED, FAST)"),
    ]
    injected, used = inject_parameters(nb, {"SEED": 7, "FAST": True, "N_MC": 20})
    assert used == {"SEED": 7, "FAST": True}
    assert "injected-parameters" in injected.cells[1].metadata["tags"]
    with pytest.raises(ValueError, match="tagged 'parameters'"):
        inject_parameters(
            nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), {"SEED": 7}
        )

    cell = ":tags: [parameters]\nSEED = 1\nFAST = False"
    root = _write_book(
        tmp_path / "book",
        {"a": _notebook("A", cell, "assert SEED == 7 and FAST is False, (SEED, FAST)")},
    )
    cache = tmp_path / "jc"
    with pytest.raises(ValueError, match="explicit cache_path"):
        execute_book(root, jobs=1, parameters={"SEED": 7})
    results = execute_book(
        root, jobs=1, cache_path=cache, parameters={"SEED": 7}, out=open(os.devnull, "w")
    )
    assert all(r.ok for r in results), [r.error for r in results]
    store = get_cache(str(cache))
    for page in notebook_pages(root):
        record = store.match_cache_notebook(page.notebook)  # raises KeyError when not matched
        stored = store.get_cache_bundle(record.pk).nb
        assert not any("injected-parameters" in c.metadata.get("tags", []) for c in stored.cells)


# --------------------------------------------------------------------------- reading the book


def test_book_settings_take_the_execute_keys_then_the_myst_nb_overrides(tmp_path):
    (tmp_path / "_config.yml").write_text(
        "execute:\n  execute_notebooks: off\n  timeout: 90\n  exclude_patterns: ['slow/*']\n"
        "sphinx:\n  config:\n    nb_execution_timeout: 120\n    nb_kernel_rgx_aliases: {'py.*': python3}\n",
        encoding="utf-8",
    )
    s = bookexec.book_settings(tmp_path)
    assert (s.mode, s.timeout, s.exclude_patterns, s.kernel_aliases) == (
        "off",
        120,
        ("slow/*",),
        {"py.*": "python3"},
    )
    assert (s.cache, s.in_temp, s.allow_errors) == ("", False, False)  # Jupyter Book's defaults
    assert bookexec.book_settings(tmp_path / "nowhere") == bookexec.ExecSettings()
    (tmp_path / "_config.yml").write_text(
        "sphinx:\n  config:\n    nb_custom_formats: {.Rmd: jupytext.reads}\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="nb_custom_formats"):
        bookexec.book_settings(tmp_path)
    real = bookexec.book_settings(ROOT)
    assert real.mode == "cache" and real.timeout == 600 and real.in_temp is False


def test_toc_docnames_follow_files_and_globs_in_order(tmp_path):
    (tmp_path / "ch").mkdir()
    for name in ("b", "a"):
        (tmp_path / "ch" / f"{name}.md").write_text("# x\n", encoding="utf-8")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: P\n    chapters:\n      - file: first.md\n"
        "        sections:\n          - glob: ch/*\n      - url: https://example.org\n",
        encoding="utf-8",
    )
    assert bookexec.toc_docnames(tmp_path) == ["intro", "first", "ch/a", "ch/b"]
    from test_notebooks import (
        toc_entries,
    )  # the toc reader of the notebook tests agrees on the real book

    assert bookexec.toc_docnames(ROOT) == toc_entries()


def test_is_myst_notebook_follows_the_front_matter():
    assert bookexec.is_myst_notebook(HEADER + "# A\n")
    assert bookexec.is_myst_notebook("---\nfile_format: mystnb\n---\n")
    assert not bookexec.is_myst_notebook(
        "---\njupytext:\n  text_representation:\n    format_name: percent\n---\n"
    )
    assert not bookexec.is_myst_notebook("---\ntitle: [unclosed\n---\n")
    assert not bookexec.is_myst_notebook("# no front matter\n---\n")


def test_a_missing_reader_plugin_is_an_error_naming_the_versions(tmp_path):
    page = tmp_path / "a.md"
    page.write_text(_notebook("A", "print(1)"), encoding="utf-8")
    assert [c.source for c in bookexec.read_page(page).cells if c.cell_type == "code"] == [
        "print(1)"
    ]
    with pytest.raises(RuntimeError, match=r"no jupyter-cache reader plugin 'gone'.*myst-nb \d"):
        bookexec.read_page(page, {"type": "plugin", "name": "gone"})


def test_kernel_aliases_apply_before_the_lookup(tmp_path):
    root = _write_book(
        tmp_path / "tiny",
        {"a": _notebook("A", "print(1)").replace("name: python3", "name: py-old")},
    )
    config = CONFIG.replace(
        "    nb_execution_show_tb: true\n",
        "    nb_execution_show_tb: true\n    nb_kernel_rgx_aliases:\n      'py-.*': python3\n",
    )
    (root / "_config.yml").write_text(config, encoding="utf-8")
    (page,) = bookexec.notebook_pages(root)
    assert page.notebook.metadata["kernelspec"]["name"] == "python3"


def test_a_notebook_the_build_would_not_find_is_removed_and_reported(tmp_path):
    """The executed notebook must be found by the lookup the build makes; here its code differs."""
    import nbformat
    from jupyter_cache import get_cache

    root = _write_book(tmp_path / "tiny", {"a": _notebook("A", "print(1)")})
    (page,) = bookexec.notebook_pages(root)
    executed = nbformat.from_dict(json.loads(nbformat.writes(page.notebook)))
    executed.cells[-1].source = "print(2)"
    cache = get_cache(str(tmp_path / "jc"))
    error = bookexec._store(cache, page, {"notebook": nbformat.writes(executed), "seconds": 1.0})
    assert "would not find it in the cache" in error and "jupyter-cache" in error
    assert cache.list_cache_records() == []
    assert (
        bookexec._store(cache, page, {"notebook": nbformat.writes(page.notebook), "seconds": 1.0})
        == ""
    )
    assert cache.match_cache_notebook(page.notebook).data == {"execution_seconds": 1.0}
    assert cache.get_project_record(str(page.path)).read_data == bookexec.MYST_READER

"""The book's infrastructure: citations, CITATION.cff, exercises, appendix tables, configs, CI.

Most tests read the repository's own files (``references.bib``, ``CITATION.cff``,
``_config.yml``, ``_toc.yml``, the Makefile, the workflow) and check them against the rules
their formats set (CFF 1.2.0's required keys, BibTeX parsed by pybtex, the DOI syntax of the
DOI handbook). The helpers of :mod:`hccrep.book` are tested on small inputs whose expected
output is written out by hand in the test.
"""

from __future__ import annotations

import builtins
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hccrep.book import (
    appendix,
    citation,
    colab,
    config,
    exercises,
    filtertable,
    mathjax,
    sphinxext,
)

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(toc)
    return found


def _page(entry: str) -> Path | None:
    for suffix in (".md", ".rst", ".ipynb"):
        p = ROOT / f"{entry}{suffix}"
        if p.is_file():
            return p
    return None


# --------------------------------------------------------------------------- citations


def _bib():
    pybtex = pytest.importorskip("pybtex.database")
    return pybtex.parse_file(str(ROOT / "references.bib"), bib_format="bibtex")


def test_references_bib_parses_and_holds_the_four_studies():
    bib = _bib()
    for key in ("deng2025", "lv2025", "fonc2025", "tu2025"):
        assert key in bib.entries, f"references.bib has no entry {key!r}"
        assert bib.entries[key].fields.get("title"), f"{key} has no title"
    # the DOI the brief and data/fonc2025/study.yaml give for fonc2025
    study = yaml.safe_load((ROOT / "data" / "fonc2025" / "study.yaml").read_text(encoding="utf-8"))
    assert bib.entries["fonc2025"].fields["doi"] == study["doi"]


def test_every_doi_in_references_bib_has_the_doi_syntax():
    # DOI handbook, section 2.2: a DOI is "10." + registrant code + "/" + suffix
    bib = _bib()
    bad = {
        k: e.fields["doi"]
        for k, e in bib.entries.items()
        if "doi" in e.fields and not re.fullmatch(r"10\.\d{4,9}/\S+", e.fields["doi"])
    }
    assert not bad, f"malformed DOIs: {bad}"


def test_no_field_of_references_bib_holds_tex_markup():
    # the plain style prints fields as they stand: "$\\chi^2$" appeared verbatim on the page
    bib = _bib()
    raw = {
        (k, f): v
        for k, e in bib.entries.items()
        for f, v in e.fields.items()
        if re.search(r"\$|\\[A-Za-z]+", v)
    }
    assert not raw, f"TeX markup shows raw in the rendered bibliography: {raw}"


def test_each_study_gives_its_doi_or_says_why_not():
    bib = _bib()
    for key in ("deng2025", "lv2025", "fonc2025", "tu2025"):
        fields = bib.entries[key].fields
        assert "doi" in fields or "DOI" in fields.get("note", ""), (
            f"{key}: no DOI and no note saying why"
        )


def test_every_cited_key_is_in_references_bib():
    bib = _bib()
    cited: dict[str, set[str]] = {}
    for page in sorted(BOOK.rglob("*.md")):
        for match in CITE_ROLE.finditer(page.read_text(encoding="utf-8")):
            for key in match.group(1).split(","):
                cited.setdefault(key.strip(), set()).add(str(page.relative_to(ROOT)))
    assert cited, "no page cites anything"
    missing = {k: sorted(v) for k, v in cited.items() if k not in bib.entries}
    assert not missing, f"cited keys without an entry in references.bib: {missing}"


def test_citation_cff_parses_with_the_keys_cff_1_2_requires():
    # CFF 1.2.0 schema: required keys are cff-version, message, title and authors; each
    # author is a person (family-names / given-names / name) or an entity (name).
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for key in ("cff-version", "message", "title", "authors"):
        assert data.get(key), f"CITATION.cff lacks {key!r}"
    assert str(data["cff-version"]) == "1.2.0"
    assert isinstance(data["authors"], list) and data["authors"]
    for author in data["authors"]:
        assert author.get("name") or author.get("family-names"), f"author without a name: {author}"
    assert data.get("type", "software") in ("software", "dataset")
    from hccrep import __version__

    assert str(data["version"]) == __version__


# --------------------------------------------------------------------------- config and toc


def _config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def test_config_enables_exercises_citations_autodoc_and_launch_buttons():
    cfg = _config()
    ext = cfg["sphinx"]["extra_extensions"]
    for name in ("sphinx_exercise", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "hccrep.book"):
        assert name in ext
    assert cfg["bibtex_bibfiles"] == ["references.bib"]
    assert (
        cfg["sphinx"]["config"]["hide_solutions"] is False
    )  # the full edition shows them (folded)
    launch = cfg["launch_buttons"]
    assert launch["binderhub_url"] and launch["colab_url"]


def test_toc_lists_the_how_to_page_and_every_appendix_page():
    entries = _toc_files()
    assert "book/how_to_use" in entries
    for page in sorted((BOOK / "appendices").iterdir()):
        assert f"book/appendices/{page.stem}" in entries, f"{page.name} is not in _toc.yml"
    for entry in entries:
        assert _page(entry) is not None, f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.parametrize(
    "entry", [e for e in _toc_files() if e.startswith("book/") and "/" in e[5:]]
)
def test_toc_pages_use_sphinx_exercise_not_admonitions(entry):
    page = _page(entry)
    assert page is not None
    text = page.read_text(encoding="utf-8")
    left = re.findall(r"^:{3,}\{admonition\}\s+(?:Exercise|Solution)\s+\d+", text, flags=re.M)
    assert not left, (
        f"{entry}: {len(left)} admonition exercises left; run "
        f"`.venv/bin/python scripts/convert_exercises.py {page.relative_to(ROOT)}`"
    )
    # every solution is folded (dropdown) and names an exercise of the same page
    labels = set(re.findall(r"^:label:\s*(\S+)", text, flags=re.M))
    for m in re.finditer(r"^(:{3,})\{solution\}\s+(\S+)\n((?::[a-z-]+:.*\n)*)", text, flags=re.M):
        assert m.group(2) in labels, f"{entry}: solution for unknown exercise {m.group(2)}"
        assert ":class: dropdown" in m.group(3), (
            f"{entry}: the solution to {m.group(2)} is not a dropdown"
        )


def test_derived_config_hides_solutions_and_keeps_everything_else():
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    out = yaml.safe_load(config.derived_config(text, hide_solutions=True))
    original = yaml.safe_load(text)
    assert out["sphinx"]["config"]["hide_solutions"] is True
    out["sphinx"]["config"]["hide_solutions"] = False
    assert out == original


def test_derived_config_sets_the_launch_branch():
    out = yaml.safe_load(
        config.derived_config("title: t\nrepository:\n  url: u\n", branch="notebooks")
    )
    assert out == {"title": "t", "repository": {"url": "u", "branch": "notebooks"}}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hide_solutions": "yes"}, "hide_solutions"),
        ({"branch": "bad branch"}, "branch"),
    ],
)
def test_derived_config_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        config.derived_config("title: t\n", **kwargs)


def test_derived_config_rejects_a_non_mapping():
    with pytest.raises(ValueError, match="mapping"):
        config.derived_config("- a\n- b\n")


# --------------------------------------------------------------------------- exercises

SOURCE = """\
## Exercises

:::{admonition} Exercise 1
Compute it.
:::

:::{admonition} Solution 1
:class: dropdown
```python
x = 1
```
:::

::::{admonition} Exercise 2: a harder one
Nested:
:::{note}
inside
:::
::::

:::{admonition} Solution 2
:class: dropdown
Because.
:::
"""

# written out by hand from the rules in convert_exercises' docstring
EXPECTED = """\
## Exercises

:::{exercise}
:label: ch-nb-ex1
Compute it.
:::

:::{solution} ch-nb-ex1
:label: ch-nb-sol1
:class: dropdown
```python
x = 1
```
:::

::::{exercise} a harder one
:label: ch-nb-ex2
Nested:
:::{note}
inside
:::
::::

:::{solution} ch-nb-ex2
:label: ch-nb-sol2
:class: dropdown
Because.
:::
"""


def test_convert_exercises_gives_labelled_directives_with_dropdown_solutions():
    out, n = exercises.convert_exercises(SOURCE, "ch-nb")
    assert out == EXPECTED
    assert n == 4


def test_convert_exercises_is_idempotent():
    once, _ = exercises.convert_exercises(SOURCE, "ch-nb")
    twice, n = exercises.convert_exercises(once, "ch-nb")
    assert twice == once and n == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (":::{admonition} Solution 1\nx\n:::\n", "no Exercise 1"),
        (":::{admonition} Exercise 1\nx\n", "not closed"),
        (":::{admonition} Exercise 1\nx\n:::\n:::{admonition} Exercise 1\ny\n:::\n", "twice"),
    ],
)
def test_convert_exercises_fails_loudly_on_malformed_pages(text, message):
    with pytest.raises(ValueError, match=message):
        exercises.convert_exercises(text, "p")


def test_convert_exercises_rejects_a_bad_label_prefix():
    with pytest.raises(ValueError, match="label_prefix"):
        exercises.convert_exercises("", "has space")


def test_exercise_label_prefix_names_folder_and_notebook():
    assert exercises.exercise_label_prefix("book/tu2025/03_ROC curves.md") == "tu2025-03_roc-curves"


def test_convert_exercises_script_converts_a_copy_in_place(tmp_path):
    page = tmp_path / "ch" / "nb.md"
    page.parent.mkdir()
    page.write_text(SOURCE, encoding="utf-8")
    cmd = [
        str(Path(__import__("sys").executable)),
        str(ROOT / "scripts" / "convert_exercises.py"),
        str(page),
    ]
    first = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert "4 exercise/solution blocks converted" in first.stdout
    assert page.read_text(encoding="utf-8") == EXPECTED.replace("ch-nb", "ch-nb")
    second = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert "0 exercise/solution blocks converted" in second.stdout


# --------------------------------------------------------------------------- filter table


def test_filter_table_html_escapes_cells_and_lists_each_filter_value_once():
    df = pd.DataFrame(
        {"study": ["b", "a", "b"], "verdict": ["<x>", "y", "y"], "v": [0.5, float("nan"), 2.0]}
    )
    out = filtertable.filter_table_html(
        df, filters=["study", "verdict"], table_id="t-1", caption="C & D"
    )
    assert out.count("<tr>") == 4  # header + 3 rows
    assert "&lt;x&gt;" in out and "<x>" not in out
    assert "C &amp; D" in out
    # options of the study filter: "all", then a and b once each, sorted
    study_select = re.search(r'<select data-col="0"[^>]*>(.*?)</select>', out).group(1)
    assert re.findall(r'value="([^"]*)"', study_select) == ["", "a", "b"]
    assert "<td></td>" in out  # NaN prints empty
    assert "3 of 3 rows" in out
    assert "http" not in out  # nothing loaded from the network


@pytest.mark.parametrize(
    ("df", "kwargs", "message"),
    [
        (pd.DataFrame({"a": []}), {"filters": [], "table_id": "t"}, "empty"),
        (pd.DataFrame({"a": [1]}), {"filters": ["b"], "table_id": "t"}, "not in df"),
        (pd.DataFrame({"a": [1]}), {"filters": "a", "table_id": "t"}, "sequence"),
        (pd.DataFrame({"a": [1]}), {"filters": [], "table_id": "1bad id"}, "table_id"),
        ([1, 2], {"filters": [], "table_id": "t"}, "DataFrame"),
    ],
)
def test_filter_table_html_rejects_bad_input(df, kwargs, message):
    with pytest.raises(ValueError, match=message):
        filtertable.filter_table_html(df, **kwargs)


# --------------------------------------------------------------------------- appendix tables


def test_all_audits_covers_every_study_under_data():
    from hccrep.spec import list_studies

    audits = appendix.all_audits()
    assert list(audits.columns) == list(appendix.AUDIT_COLUMNS)
    assert set(audits.study) == set(list_studies())


def test_all_scorecards_rejects_unknown_studies_and_bad_sizes():
    with pytest.raises(ValueError, match="unknown study"):
        appendix.all_scorecards(0, studies=["nope2099"])
    with pytest.raises(ValueError, match="n_mc"):
        appendix.all_scorecards(-1)
    with pytest.raises(ValueError, match="studies"):
        appendix.all_scorecards(0, studies="fonc2025")


@pytest.mark.slow
def test_all_scorecards_lists_every_check_of_every_study():
    # The reference is the data files themselves: every number whose role is "check".
    from hccrep.spec import list_studies, load_study

    card = appendix.all_scorecards(0)
    assert list(card.columns) == list(appendix.SCORECARD_COLUMNS)
    for key in list_studies():
        checks = {n.key for n in load_study(key).numbers if n.role == "check"}
        listed = set(card.loc[card.study == key, "key"])
        assert checks <= listed, (
            f"{key}: checks missing from the appendix: {sorted(checks - listed)}"
        )


# --------------------------------------------------------------------------- Colab and API


def test_colab_setup_cell_does_nothing_outside_colab(monkeypatch):
    real_import = builtins.__import__

    def no_colab(name, *args, **kwargs):
        if name == "google.colab" or name.startswith("google.colab."):
            raise ImportError("not on Colab")
        return real_import(name, *args, **kwargs)

    def forbidden(*args, **kwargs):
        raise AssertionError("the set-up cell ran a command outside Colab")

    monkeypatch.setattr(builtins, "__import__", no_colab)
    monkeypatch.setattr(subprocess, "run", forbidden)
    monkeypatch.setattr("os.chdir", forbidden)
    namespace: dict = {}
    exec(
        colab.COLAB_SETUP_SOURCE.format(repo_url="https://example.org/r", folder="book/x"),
        namespace,
    )
    assert namespace["ON_COLAB"] is False


def test_colab_notebook_puts_the_setup_cell_right_after_the_parameters(tmp_path):
    src = ROOT / "book" / "fonc2025" / "01_baseline.md"
    nb = colab.colab_notebook(src, "https://github.com/hccrep/hccrep", root=ROOT)
    codes = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in codes[0].metadata["tags"]
    assert codes[1].metadata["tags"] == ["colab-setup"]
    assert 'os.chdir("/content/hccrep/book/fonc2025")' in codes[1].source
    assert "import hccrep" not in "\n".join(c.source for c in codes[:1])
    import nbformat

    nbformat.validate(nb)  # a valid notebook: Colab opens it
    again = colab.colab_notebook(src, "https://github.com/hccrep/hccrep", root=ROOT)
    assert sum("colab-setup" in c.metadata.get("tags", []) for c in again.cells) == 1
    with pytest.raises(ValueError, match="repo_url"):
        colab.colab_notebook(src, "git@github.com:x/y", root=ROOT)


def test_public_modules_lists_the_package_without_private_modules():
    import hccrep

    mods = sphinxext.public_modules()
    assert mods[0] == "hccrep"
    for name in (
        "hccrep.spec",
        "hccrep.replication",
        "hccrep.audit",
        "hccrep.book",
        "hccrep.stats.survival",
    ):
        assert name in mods
    assert not [m for m in mods if any(p.startswith("_") for p in m.split("."))]
    # the reference: module names spelled from the package's files
    pkg = Path(hccrep.__file__).parent
    expected = set()
    for f in pkg.rglob("*.py"):
        parts = f.relative_to(pkg).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not any(p.startswith("_") for p in parts):
            expected.add(".".join(("hccrep",) + parts))
    assert set(mods) == expected


# --------------------------------------------------------------------------- make and CI


def test_make_run_chapter_runs_every_numbered_notebook_of_the_chapter():
    out = subprocess.run(
        ["make", "-n", "--no-print-directory", "run-chapter", "CHAPTER=fonc2025", "SEED=7"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    for nb in sorted((BOOK / "fonc2025").glob("[0-9]*.md")):
        assert (
            f"-o _build/papermill/{nb.stem}.input.ipynb book/fonc2025/{nb.name}"
            in out.stdout.replace("\\\n", "")
        )
    assert out.stdout.count("-p SEED 7") == len(list((BOOK / "fonc2025").glob("[0-9]*.md")))


def test_make_book_student_builds_with_hidden_solutions():
    out = subprocess.run(["make", "-n", "book-student"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "--hide-solutions" in out.stdout and "--config _build/student/_config.yml" in out.stdout


def test_make_book_fails_when_the_build_executes_a_notebook():
    """The build must take every page from the cache the pre-execution filled (hccrep.bookexec)."""
    for target, log in (
        ("book", "_build/book-build.log"),
        ("book-student", "_build/student/book-build.log"),
    ):
        out = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert f"| tee {log}" in out.stdout and f'grep -q "Executing notebook" {log}' in out.stdout
        assert "library_versions" in out.stdout and "exit 1" in out.stdout


def test_make_test_latest_installs_the_newest_dependencies_into_its_own_venv():
    out = subprocess.run(["make", "-n", "test-latest"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    text = out.stdout.replace("\\\n", " ")
    assert "-m venv .venv-latest" in text and "--no-deps -e ." in text
    assert "--upgrade --upgrade-strategy eager" in text and "scripts/latest_requirements.py" in text
    assert '-m pytest -m "not book and not notebook and not browser"' in text
    assert ".venv/bin" not in text  # never the development environment
    # the new environment stays out of the book's sources
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert ".venv-latest" in config["exclude_patterns"]


def test_latest_requirements_list_every_dependency_without_bounds():
    import tomllib

    out = subprocess.run(
        [__import__("sys").executable, str(ROOT / "scripts" / "latest_requirements.py")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    names = out.stdout.split()
    assert not [n for n in names if re.search(r"[<>=!~;, ]", n)]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = (
        project["dependencies"]
        + project["optional-dependencies"]["book"]
        + project["optional-dependencies"]["dev"]
    )
    for req in declared:
        assert re.match(r"[A-Za-z0-9._-]+(\[[^\]]*\])?", req).group(0) in names, req
    guarded = {
        "lifelines",
        "scikit-survival",
        "statsmodels",
        "scikit-learn",
        "pandas",
        "numpy",
        "jupyter-book",
        "myst-nb",
        "jupyter-cache",
    }
    assert guarded <= set(names)


def test_dependency_guard_workflow_runs_make_test_latest_weekly_and_on_demand():
    wf = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "dependency-guard.yml").read_text(encoding="utf-8")
    )
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    runs = [s.get("run", "") for job in wf["jobs"].values() for s in job["steps"]]
    assert any(r.strip().startswith("make test-latest") for r in runs)


def test_ci_installs_chromium_only_when_missing():
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert (
        "if [ -x /usr/bin/chromium ]" in text
        and "apt-get install -y -q --no-install-recommends chromium" in text
    )
    assert text.rstrip().endswith("exec make test")
    commands = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in commands if "playwright install" in line]


def test_book_workflow_builds_publishes_and_checks_links_weekly():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8"))
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and triggers["schedule"][0]["cron"]
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    uses = {s.get("uses", "").split("@")[0] for s in steps}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= uses
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "jupyter-book build" in runs and "-W" in runs and "--builder linkcheck" in runs
    assert "playwright install" not in runs


@pytest.mark.parametrize(
    "entry", [e for e in _toc_files() if re.search(r"^book/[^/]+/\d+_[^/]+$", e)]
)
def test_chapter_notebooks_open_with_goals_prerequisites_and_time(entry):
    page = _page(entry)
    assert page is not None
    head = page.read_text(encoding="utf-8")[:4000]
    for marker in ("{admonition} Learning goals", "**Prerequisites:**", "**Time to learn:**"):
        assert marker in head, f"{entry}: the opening lacks {marker!r}"


def test_a_study_nothing_can_simulate_still_lists_every_check_as_not_checkable():
    from hccrep.spec import load_study

    study = load_study("fonc2025")
    card = appendix._unrunnable_card(study)
    checks = {n.key for n in study.numbers if n.role == "check"}  # the data files' own list
    assert checks <= set(card.key)
    assert set(card.verdict) == {"not checkable"} and set(card.reason) == {
        appendix.NO_RUNNER_REASON
    }


def test_has_runner_needs_a_study_module_or_a_baseline_table(monkeypatch):
    import importlib.util

    from hccrep.spec import load_study

    study = load_study("fonc2025")
    assert appendix._has_runner(study)  # it has a module
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert appendix._has_runner(study)  # ... and a baseline table
    monkeypatch.setattr(study, "files", {k: f for k, f in study.files.items() if k != "table1"})
    assert not appendix._has_runner(study)


# --------------------------------------------------------------------------- code cells

#: The longest line a code cell may hold: Black's default, and what book/_static/hccrep.css
#: fits in the book's code column at 1280 px without a horizontal scroll bar.
MAX_CODE_LINE = 88


def _notebook_pages() -> list[str]:
    return [
        e
        for e in _toc_files()
        if (p := _page(e)) is not None
        and p.suffix == ".md"
        and p.read_text(encoding="utf-8").startswith("---\njupytext:")
    ]


@pytest.mark.parametrize("entry", _notebook_pages())
def test_code_cells_have_lines_of_at_most_88_characters(entry):
    jupytext = pytest.importorskip("jupytext")
    page = _page(entry)
    nb = jupytext.read(page, fmt="md:myst")
    long = [
        f"cell {i}: {len(line)} characters: {line[:60]}..."
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > MAX_CODE_LINE
    ]
    assert not long, f"{entry}: code lines over {MAX_CODE_LINE} characters:\n" + "\n".join(long)


#: A Python block written as Markdown (an exercise's solution): ```python ... ```.
PYTHON_FENCE = re.compile(r"^(`{3,})python[ \t]*\n(.*?)^\1[ \t]*$", re.M | re.S)


def long_fenced_python_lines(text: str) -> list[str]:
    """The lines over ``MAX_CODE_LINE`` characters in the ```python blocks of a page."""
    return [
        line
        for match in PYTHON_FENCE.finditer(text)
        for line in match.group(2).splitlines()
        if len(line) > MAX_CODE_LINE
    ]


def test_long_fenced_python_lines_by_hand():
    ok = "x = 1"
    long = "y = " + "1 + " * 30 + "1"
    page = (
        f"prose {long}\n\n```python\n{ok}\n{long}\n```\n\n```{{code-cell}} ipython3\n{long}\n```\n"
    )
    assert long_fenced_python_lines(page) == [long]
    assert long_fenced_python_lines(f"````python\n{ok}\n````\n") == []


@pytest.mark.parametrize("entry", _notebook_pages())
def test_solution_code_has_lines_of_at_most_88_characters(entry):
    # a solution's code is shown in the same code column as a code cell: a longer line scrolls
    # sideways at 1280 px (book/_static/hccrep.css)
    long = long_fenced_python_lines(_page(entry).read_text(encoding="utf-8"))
    assert not long, f"{entry}: ```python lines over {MAX_CODE_LINE} characters:\n" + "\n".join(
        line[:70] + "..." for line in long
    )


def test_the_line_length_check_reads_code_cells_apart_from_prose(tmp_path):
    # the check relies on jupytext's MyST reader: prose stays markdown, {code-cell} is code
    jupytext = pytest.importorskip("jupytext")
    page = tmp_path / "nb.md"
    prose = "A long sentence of prose. " * 10
    page.write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\n---\n\n"
        f"{prose}\n\n```{{code-cell}} ipython3\nx = 1  # {'y' * 90}\n```\n",
        encoding="utf-8",
    )
    cells = jupytext.read(page, fmt="md:myst").cells
    assert [c.cell_type for c in cells] == ["markdown", "code"]
    assert cells[0].source.strip() == prose.strip()
    assert len(cells[1].source) > MAX_CODE_LINE


# --------------------------------------------------------------------------- exercise numbers

REF_ROLE = re.compile(r"\{(?:ref|numref)\}`(?:[^`<]*<)?([^`>]+)>?`")


@pytest.mark.parametrize(
    "entry",
    [
        e
        for e in _toc_files()
        if (p := _page(e)) and p.suffix == ".md" and "{exercise}" in p.read_text(encoding="utf-8")
    ],
)
def test_prose_names_exercises_through_references_to_the_same_page(entry):
    # Exercises are numbered 1, 2, ... on each page (hccrep.book.number_exercises_per_page);
    # a number typed into the prose would not follow a reordering, so the prose refers to an
    # exercise with {ref}`label`, which Sphinx renders as "Exercise N", and only to one of
    # its own page.
    text = _page(entry).read_text(encoding="utf-8")
    typed = re.findall(r"(?<![`\w])[Ee]xercise \d+\b", text)
    assert not typed, f"{entry}: write {{ref}}`<label>` instead of {typed}"
    labels = set(re.findall(r"^:label:\s*(\S+)", text, flags=re.M))
    foreign = [t for t in REF_ROLE.findall(text) if re.search(r"-ex\d+$", t) and t not in labels]
    assert not foreign, f"{entry}: references to exercises of other pages: {foreign}"


def test_exercises_are_numbered_per_page():
    # Sphinx's numbering through the whole book, as env.toc_fignumbers holds it
    numbers = {
        "a": {"exercise": {"a-ex1": (1,), "a-ex2": (2,)}},
        "b": {"exercise": {"b-ex1": (3,), "b-ex2": (4,), "b-ex3": (5,)}, "figure": {"f": (7,)}},
        "c": {"table": {"t": (2,)}},
    }
    out = exercises.number_exercises_per_page(numbers)
    assert out == {
        "a": {"exercise": {"a-ex1": (1,), "a-ex2": (2,)}},
        "b": {"exercise": {"b-ex1": (1,), "b-ex2": (2,), "b-ex3": (3,)}, "figure": {"f": (7,)}},
        "c": {"table": {"t": (2,)}},
    }
    assert numbers["b"]["exercise"]["b-ex1"] == (3,)  # the input is left alone


def test_sphinx_config_serves_mathjax_from_the_book():
    cfg = _config()["sphinx"]["config"]
    assert cfg["mathjax_path"] == mathjax.MATHJAX_PATH and not cfg["mathjax_path"].startswith(
        ("http:", "https:", "//")
    )


def test_mathjax_is_installed_with_the_book_extra_and_holds_tex_chtml():
    es5 = mathjax.mathjax_source()
    assert (es5 / "tex-chtml.js").stat().st_size > 100_000
    assert list((es5 / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    version = __import__("json").loads((es5.parent / "package.json").read_text(encoding="utf-8"))[
        "version"
    ]
    assert version.startswith("3."), f"MathJax {version}: the book is set up for MathJax 3"


def test_copy_mathjax_copies_the_component_its_fonts_and_licence(tmp_path):
    es5 = tmp_path / "mathjax" / "es5"
    for rel in [
        "tex-chtml.js",
        "tex-svg.js",
        "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff",
        "output/svg/fonts/tex.js",
        "input/tex/extensions/ams.js",
        "ui/menu.js",
        "a11y/semantic-enrich.js",
        "sre/mathmaps/en.json",
        "adaptors/liteDOM.js",
    ]:
        (es5 / rel).parent.mkdir(parents=True, exist_ok=True)
        (es5 / rel).write_text(rel, encoding="utf-8")
    (es5.parent / "LICENSE").write_text("Apache", encoding="utf-8")
    target = mathjax.copy_mathjax(es5, tmp_path / "out" / "_static")
    copied = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert copied == [
        "LICENSE",
        "a11y/semantic-enrich.js",
        "adaptors/liteDOM.js",
        "input/tex/extensions/ams.js",
        "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff",
        "sre/mathmaps/en.json",
        "tex-chtml.js",
        "ui/menu.js",
    ]
    assert (
        mathjax.copy_mathjax(es5, tmp_path / "out" / "_static") == target
    )  # a second build overwrites


# --------------------------------------------------------------------------- how to cite


def test_citation_entries_of_the_repository_name_title_version_and_repository():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    text, bib = citation.citation_entries(cff)
    assert (
        cff["title"] in text
        and f"version {cff['version']}" in text
        and cff["repository-code"] in text
    )
    pybtex = pytest.importorskip("pybtex.database")
    entry = pybtex.parse_string(bib, "bibtex").entries["hccrep"]
    assert entry.type == "software" and entry.fields["version"] == str(cff["version"])
    assert entry.fields["title"] == cff["title"] and entry.fields["url"] == cff["repository-code"]


def test_citation_entries_of_people_with_a_release_date_and_doi():
    cff = {
        "title": "Tool: a thing",
        "version": "2.0",
        "date-released": "2027-03-01",
        "doi": "10.5281/zenodo.1",
        "authors": [{"family-names": "Doe", "given-names": "Jane"}, {"family-names": "Roe"}],
    }
    text, bib = citation.citation_entries(cff)
    assert (
        text
        == "Doe, Jane; Roe. Tool: a thing (version 2.0). 2027. https://doi.org/10.5281/zenodo.1"
    )
    assert bib == (
        "@software{tool,\n  author = {Doe, Jane and Roe},\n  title = {Tool: a thing},\n"
        "  version = {2.0},\n  year = {2027},\n  doi = {10.5281/zenodo.1}\n}"
    )
    with pytest.raises(ValueError, match="title and authors"):
        citation.citation_entries({"title": "x"})
    with pytest.raises(ValueError, match="without a name"):
        citation.citation_entries({"title": "x", "authors": [{"orcid": "0000"}]})


def test_the_how_to_cite_page_is_generated_from_citation_cff():
    page = (BOOK / "appendices" / "cite.md").read_text(encoding="utf-8")
    assert "```{hccrep-citation}" in page
    assert "book/appendices/cite" in _toc_files()
    for key in ("fonc2025", "tu2025", "deng2025", "lv2025"):
        assert f"{{cite:t}}`{key}`" in page


# --------------------------------------------------------------------------- time to learn

TIME_LINE = re.compile(r"\*\*Time to learn:\*\*\s*about ([^.\n]*)")


def parse_duration(text: str) -> int:
    """Minutes in a "Time to learn" estimate: "45 minutes", "5 h", "5 h 20 min".

    Examples
    --------
    >>> parse_duration("45 minutes"), parse_duration("5 h 20 min for the nine steps")
    (45, 320)
    """
    m = re.match(r"(?:(\d+) h)?\s*(?:(\d+) min(?:utes)?)?\b", text.strip())
    if not m or not (m.group(1) or m.group(2)):
        raise ValueError(f"not a duration in hours and minutes: {text!r}")
    return 60 * int(m.group(1) or 0) + int(m.group(2) or 0)


def test_parse_duration_reads_hours_and_minutes_and_rejects_words():
    assert [parse_duration(t) for t in ("30 minutes", "2 h 50 min", "5 h for the eight steps")] == [
        30,
        170,
        300,
    ]
    with pytest.raises(ValueError):
        parse_duration("four hours")


def _chapters_with_steps() -> dict[str, list[str]]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return {
        c["file"]: [s["file"] for s in c["sections"]]
        for part in toc["parts"]
        for c in part["chapters"]
        if c.get("sections")
    }


@pytest.mark.parametrize("chapter", sorted(_chapters_with_steps()))
def test_chapter_time_to_learn_is_the_sum_of_its_steps(chapter):
    steps = _chapters_with_steps()[chapter]
    own = TIME_LINE.findall(_page(chapter).read_text(encoding="utf-8"))
    assert len(own) == 1, f"{chapter}: one 'Time to learn' line expected, found {len(own)}"
    minutes = {}
    for step in steps:
        found = TIME_LINE.findall(_page(step).read_text(encoding="utf-8"))
        assert len(found) == 1, f"{step}: one 'Time to learn' line expected, found {len(found)}"
        minutes[step] = parse_duration(found[0])
    total = sum(minutes.values())
    assert parse_duration(own[0]) == total, (
        f"{chapter} says about {own[0]!r}; its steps add up to {total // 60} h {total % 60} min: {minutes}"
    )


# --------------------------------------------------------------------------- present tense

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
#: Wording of a development log, which belongs in docs/DEVELOPMENT.md and never on a page of
#: the book. The four papers date from 2025 and their cohorts from before, so a full date from
#: 2026 on can only be a date of the project's own work.
DEV_LOG_PATTERNS = {
    r"(?i)\bstops? \d+\b": "a numbered round of development work",
    r"(?i)\b(?:at|in|of|during|halfway through) (?:this|the|that) stop\b": "a round of development work",
    r"(?i)\bstill being written\b": "an unfinished chapter",
    r"(?i)\bnot in the data files yet\b": "a promise about the data files",
    r"(?i)\b(?:the )?final code\b": "a version of the code",
    r"(?i)\bcoming soon\b|\bwork in progress\b|\bto be added\b": "a promise",
    rf"\b\d{{1,2}} (?:{_MONTHS}) 20(?:2[6-9]|[3-9]\d)\b": "a date of the project's work",
    rf"\b(?:{_MONTHS}) \d{{1,2}}, 20(?:2[6-9]|[3-9]\d)\b": "a date of the project's work",
    r"\b20(?:2[6-9]|[3-9]\d)-\d\d-\d\d\b": "a date of the project's work",
}


def dev_log_wording(text: str) -> list[str]:
    """The development-log phrases in a page's text, each with what it is."""
    return [
        f"{m.group(0)!r} ({why})"
        for pattern, why in DEV_LOG_PATTERNS.items()
        for m in re.finditer(pattern, text)
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("figures of later stops. Stop 13: the same code", 1),
        ("taken on 26 November 2026 on the build machine", 1),
        ("halfway through the stop, 30.4 s with the final code", 2),
        ("This chapter is still being written.", 1),
        ("That remark is not in the data files yet.", 1),
        ("follow-up stopped on 30 April 2025; patients treated 2020-2025", 0),
        ("Larger leaves stop the trees from splitting; stop when p < 0.05", 0),
    ],
)
def test_dev_log_wording_finds_log_phrases_and_leaves_study_dates(text, found):
    assert len(dev_log_wording(text)) == found


@pytest.mark.parametrize("entry", _toc_files())
def test_no_page_of_the_book_reads_like_a_development_log(entry):
    page = _page(entry)
    assert page is not None
    found = dev_log_wording(page.read_text(encoding="utf-8"))
    assert not found, f"{entry}: move development history to docs/DEVELOPMENT.md: {found}"


def test_docs_folder_is_not_part_of_the_book():
    assert "docs" in _config()["exclude_patterns"]
    assert (ROOT / "docs" / "DEVELOPMENT.md").is_file()

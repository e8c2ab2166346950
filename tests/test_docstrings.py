"""Every public function of hccrep has numpydoc Parameters and Returns sections.

Issue 20, item 3: every module of the package is documented in numpydoc style; this test
walks the package (no list to keep up to date, so a new module is checked from its first
commit) and keeps it so. Public means no leading underscore and, when the module has an
``__all__``, listed in it. Public classes need a docstring, and the result objects (public
dataclasses and NamedTuples) an ``Attributes`` (or ``Parameters``) section naming their
fields, or a ``#:`` comment above each field. The check reads the source with :mod:`ast` (nothing is imported) and looks for a
section title followed by its underline of dashes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: every module of the package, private ones (``_validate``) included
MODULES = sorted(
    p.relative_to(ROOT).as_posix() for p in (ROOT / "hccrep").rglob("*.py") if p.stat().st_size
)

REQUIRED = ("Parameters", "Returns")


def _all_names(tree: ast.Module) -> set[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return None


def public_functions(source: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level functions without a leading underscore (and in ``__all__`` if it exists)."""
    tree = ast.parse(source)
    names = _all_names(tree)
    return [
        node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and not node.name.startswith("_")
        and (names is None or node.name in names)
    ]


def has_section(doc: str | None, title: str) -> bool:
    """A line ``title`` followed by a line of dashes only."""
    lines = (doc or "").splitlines()
    return any(
        a.strip() == title and b.strip() and set(b.strip()) == {"-"}
        for a, b in zip(lines, lines[1:])
    )


def missing_sections(source: str) -> list[str]:
    """``function: section`` for every required section a public function lacks."""
    return [
        f"{fn.name}: {title}"
        for fn in public_functions(source)
        for title in REQUIRED
        if not has_section(ast.get_docstring(fn), title)
    ]


def public_classes(source: str) -> list[ast.ClassDef]:
    """Module-level classes without a leading underscore (and in ``__all__`` if it exists)."""
    tree = ast.parse(source)
    names = _all_names(tree)
    return [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and not node.name.startswith("_")
        and (names is None or node.name in names)
    ]


def is_record(node: ast.ClassDef) -> bool:
    """A dataclass or a NamedTuple: a class whose fields are its public interface."""
    decorators = [ast.unparse(d) for d in node.decorator_list]
    bases = [ast.unparse(b) for b in node.bases]
    return any(d.split("(")[0].endswith("dataclass") for d in decorators) or any(
        b.endswith("NamedTuple") for b in bases
    )


def fields_have_doc_comments(node: ast.ClassDef, lines: list[str]) -> bool:
    """Every field of the record has a ``#:`` comment on the line above (autodoc reads it).

    The alternative to an ``Attributes`` section where Sphinx documents the fields itself
    (a NamedTuple's fields), so that a section would describe them twice.
    """
    fields = [n for n in node.body if isinstance(n, ast.AnnAssign)]
    return bool(fields) and all(lines[f.lineno - 2].strip().startswith("#:") for f in fields)


def missing_class_docs(source: str) -> list[str]:
    """``class: what`` for every public class without a docstring, or record without fields."""
    lines = source.splitlines()
    out = []
    for node in public_classes(source):
        doc = ast.get_docstring(node)
        if not doc:
            out.append(f"{node.name}: docstring")
        elif is_record(node) and not (
            has_section(doc, "Attributes")
            or has_section(doc, "Parameters")
            or fields_have_doc_comments(node, lines)
        ):
            out.append(f"{node.name}: Attributes")
    return out


def test_every_module_of_the_package_is_walked():
    assert "hccrep/spec.py" in MODULES and "hccrep/stats/survival.py" in MODULES
    assert "hccrep/studies/fonc2025.py" in MODULES and "hccrep/book/cli.py" in MODULES
    assert len(MODULES) >= 40


@pytest.mark.parametrize("module", MODULES)
def test_public_functions_have_parameters_and_returns(module):
    source = (ROOT / module).read_text(encoding="utf-8")
    assert missing_sections(source) == [], f"{module} lacks numpydoc sections"


@pytest.mark.parametrize("module", MODULES)
def test_public_classes_are_documented_and_results_name_their_fields(module):
    source = (ROOT / module).read_text(encoding="utf-8")
    assert missing_class_docs(source) == [], f"{module} lacks class documentation"


def test_a_result_class_without_attributes_is_caught():
    source = (
        "from dataclasses import dataclass\n"
        "@dataclass(frozen=True)\n"
        'class R:\n    """A result."""\n    pvalue: float\n'
        'class Plain:\n    """Not a record: no section needed."""\n'
        "class Bare:\n    pass\n"
    )
    assert missing_class_docs(source) == ["R: Attributes", "Bare: docstring"]
    commented = source.replace("    pvalue: float", "    #: The p-value.\n    pvalue: float")
    assert missing_class_docs(commented) == ["Bare: docstring"]


def test_a_removed_section_is_caught():
    """Deleting one section of one documented function makes the check fail."""
    source = (ROOT / "hccrep/printed.py").read_text(encoding="utf-8")
    assert missing_sections(source) == []
    broken = source.replace("    Returns\n    -------\n    int\n", "    int\n", 1)
    assert broken != source
    assert missing_sections(broken) == ["decimals_of: Returns"]


def test_private_and_unlisted_functions_are_not_required():
    source = (
        '__all__ = ["f"]\n'
        'def f():\n    """F.\n\n    Parameters\n    ----------\n    None\n\n'
        '    Returns\n    -------\n    None\n    """\n'
        'def g():\n    """Not listed in __all__."""\n'
        'def _h():\n    """Private."""\n'
    )
    assert [fn.name for fn in public_functions(source)] == ["f"]
    assert missing_sections(source) == []
    assert missing_sections(source.replace('__all__ = ["f"]\n', "")) == [
        "g: Parameters",
        "g: Returns",
    ]

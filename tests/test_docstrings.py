"""Every public function of the documented modules has numpydoc Parameters and Returns sections.

Issue 20, item 3: the modules listed in ``DONE_MODULES`` are documented in
numpydoc style; this test keeps them so. Public means no leading underscore
and, when the module has an ``__all__``, listed in it. The check reads the
source with :mod:`ast` (nothing is imported) and looks for a section title
followed by its underline of dashes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: modules whose public functions all carry Parameters and Returns sections
DONE_MODULES = [
    "hccrep/analyses.py",
    "hccrep/replication.py",
    "hccrep/spec.py",
    "hccrep/schema.py",
    "hccrep/printed.py",
    "hccrep/cli.py",
    "hccrep/display.py",
    "hccrep/audit.py",
    "hccrep/about.py",
]

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


@pytest.mark.parametrize("module", DONE_MODULES)
def test_public_functions_have_parameters_and_returns(module):
    source = (ROOT / module).read_text(encoding="utf-8")
    assert public_functions(source), f"{module}: no public function found"
    assert missing_sections(source) == [], f"{module} lacks numpydoc sections"


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

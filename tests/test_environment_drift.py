"""pyproject.toml and environment.yml must describe the same environment.

``pyproject.toml`` (runtime dependencies plus the ``book`` and ``dev`` extras) is what
``make`` installs into ``.venv``; ``environment.yml`` is what Binder and conda users get.
Every package must appear in both, with the same version bounds. The comparison is a
plain function of the two file texts, so the tests at the bottom can feed it drifted
pairs and check that it notices.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
ENVIRONMENT = ROOT / "environment.yml"

#: The pyproject sections that environment.yml must mirror.
EXTRAS = ("book", "dev")

#: conda-forge name -> PyPI name, where the two differ. Add a line when a package
#: is known under another name on conda-forge; everything else must match exactly
#: (after normalising case and ``-``/``_``/``.``).
CONDA_TO_PYPI = {
    "matplotlib-base": "matplotlib",  # conda-forge's matplotlib without a GUI backend
    "pytables": "tables",
    "pytorch": "torch",
    "py-xgboost": "xgboost",
}

#: The interpreter and the installer are not project dependencies.
IGNORED = {"python", "pip"}


def normalise_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_conda_only(name: str) -> bool:
    """R and its packages (r-base, r-survival, ...) have no PyPI counterpart."""
    return name == "r-base" or name.startswith("r-")


def _clauses(spec: SpecifierSet) -> frozenset[tuple[str, str]]:
    """A specifier set as comparable clauses; ``~=`` is expanded into its range."""
    out: set[tuple[str, str]] = set()
    for s in spec:
        if s.operator == "~=":
            release = Version(s.version).release
            upper = list(release[:-1])
            upper[-1] += 1
            out.add((">=", str(Version(s.version))))
            out.add(("<", str(Version(".".join(map(str, upper))))))
        elif s.version.endswith(".*"):
            out.add((s.operator, s.version))
        else:
            # Version("6.0") and Version("6") are equal: compare normalised releases.
            v = Version(s.version)
            rel = list(v.release)
            while len(rel) > 1 and rel[-1] == 0:
                rel.pop()
            out.add((s.operator, ".".join(map(str, rel)) + (str(v)[len(v.base_version) :])))
    return frozenset(out)


def _show(clauses: frozenset[tuple[str, str]]) -> str:
    return ",".join(op + v for op, v in sorted(clauses, key=lambda c: (c[1], c[0]))) or "(any)"


def conda_spec_to_pep440(spec: str) -> str:
    """Translate the subset of conda's match-spec syntax used here into PEP 440.

    ``name 1.2`` and ``name=1.2`` are conda's fuzzy ``1.2.*``; ``name==1.2`` is exact;
    ``>=``, ``<`` ... and ``,`` mean the same in both.
    """
    spec = spec.strip().replace(" ", "")
    if not spec:
        return ""
    if "|" in spec:
        raise ValueError(f"conda 'or' specs cannot be compared with pyproject: {spec!r}")
    if spec[0].isdigit():
        spec = "=" + spec
    if spec.startswith("=") and not spec.startswith("=="):
        version = spec[1:]
        return f"=={version}" if version.endswith("*") else f"=={version}.*"
    return spec


def pyproject_requirements(text: str) -> tuple[dict[str, SpecifierSet], list[str]]:
    """Runtime and extra requirements, keyed by normalised name."""
    data = tomllib.loads(text)
    project = data.get("project", {})
    lines = list(project.get("dependencies", []))
    extras = project.get("optional-dependencies", {})
    for extra in EXTRAS:
        lines += extras.get(extra, [])
    reqs: dict[str, SpecifierSet] = {}
    problems: list[str] = []
    for line in lines:
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            problems.append(f"pyproject.toml: cannot parse requirement {line!r}: {exc}")
            continue
        name = normalise_name(req.name)
        if name in reqs and _clauses(reqs[name]) != _clauses(req.specifier):
            problems.append(
                f"pyproject.toml: {name} is listed twice with different bounds: "
                f"{_show(_clauses(reqs[name]))} vs {_show(_clauses(req.specifier))}"
            )
        reqs[name] = req.specifier
    return reqs, problems


def environment_requirements(
    text: str,
) -> tuple[dict[str, SpecifierSet], str | None, list[str], list[str]]:
    """conda and pip requirements of an environment.yml, keyed by normalised PyPI name.

    Returns (requirements, python spec, local pip installs, problems).
    """
    data = yaml.safe_load(text) or {}
    reqs: dict[str, SpecifierSet] = {}
    python: str | None = None
    local: list[str] = []
    problems: list[str] = []

    def add(name: str, spec: str, origin: str) -> None:
        key = normalise_name(CONDA_TO_PYPI.get(normalise_name(name), name))
        try:
            specifier = SpecifierSet(spec)
        except InvalidSpecifier as exc:
            problems.append(f"environment.yml: {origin} {name}: bad version spec {spec!r}: {exc}")
            return
        if key in reqs:
            problems.append(f"environment.yml: {key} is listed more than once")
        reqs[key] = specifier

    for dep in data.get("dependencies") or []:
        if isinstance(dep, dict):
            for line in dep.get("pip") or []:
                line = str(line).strip()
                if line.startswith(("-e", ".", "/", "file:", "git+")):
                    local.append(line)
                    continue
                try:
                    req = Requirement(line)
                except InvalidRequirement as exc:
                    problems.append(f"environment.yml: cannot parse pip line {line!r}: {exc}")
                    continue
                add(req.name, str(req.specifier), "pip")
            continue
        dep = str(dep).strip()
        m = re.match(r"^(?:[\w.-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$", dep)
        if not m:
            problems.append(f"environment.yml: cannot parse dependency {dep!r}")
            continue
        name, raw = m.group(1), m.group(2)
        if normalise_name(name) == "python":
            python = raw
            continue
        if normalise_name(name) in IGNORED or is_conda_only(normalise_name(name)):
            continue
        try:
            spec = conda_spec_to_pep440(raw)
        except ValueError as exc:
            problems.append(f"environment.yml: {name}: {exc}")
            continue
        add(name, spec, "conda")
    return reqs, python, local, problems


def compare(pyproject_text: str, environment_text: str) -> list[str]:
    """Every way the two files disagree, one readable line each (empty: they agree)."""
    py, problems = pyproject_requirements(pyproject_text)
    env, python, local, env_problems = environment_requirements(environment_text)
    problems += env_problems

    for name in sorted(set(py) - set(env)):
        problems.append(f"{name}: in pyproject.toml but missing from environment.yml")
    for name in sorted(set(env) - set(py)):
        problems.append(
            f"{name}: in environment.yml but missing from pyproject.toml "
            "(if conda-forge spells it differently, add it to CONDA_TO_PYPI)"
        )
    for name in sorted(set(py) & set(env)):
        a, b = _clauses(py[name]), _clauses(env[name])
        if a != b:
            problems.append(
                f"{name}: version bounds differ: pyproject.toml {_show(a)} "
                f"vs environment.yml {_show(b)}"
            )

    requires_python = tomllib.loads(pyproject_text).get("project", {}).get("requires-python")
    if python is None:
        problems.append("environment.yml: no python version pinned (e.g. python=3.11)")
    elif requires_python:
        version = conda_spec_to_pep440(python).lstrip("=").rstrip(".*") or ""
        try:
            ok = SpecifierSet(requires_python).contains(Version(version), prereleases=True)
        except (InvalidSpecifier, InvalidVersion):
            ok = False
        if not ok:
            problems.append(
                f"python: environment.yml pins {python!r}, outside pyproject's "
                f"requires-python {requires_python!r}"
            )
    return problems


# --------------------------------------------------------------------------- the real files


def test_pyproject_and_environment_agree():
    problems = compare(PYPROJECT.read_text(), ENVIRONMENT.read_text())
    assert not problems, "pyproject.toml and environment.yml drifted:\n" + "\n".join(problems)


def test_environment_installs_hccrep_itself():
    _, _, local, _ = environment_requirements(ENVIRONMENT.read_text())
    assert local, "environment.yml must install the project itself (pip: ['-e .'])"
    data = yaml.safe_load(ENVIRONMENT.read_text())
    assert data.get("name") == "hccrep"
    assert "conda-forge" in (data.get("channels") or [])


def test_every_pin_has_an_upper_bound():
    """Compatible-release pins: each dependency has a lower and an upper bound."""
    reqs, _ = pyproject_requirements(PYPROJECT.read_text())
    loose = []
    for name, spec in reqs.items():
        ops = {op for op, _ in _clauses(spec)}
        if not ({">=", "=="} & ops and ({"<", "<="} & ops or "==" in ops)):
            loose.append(f"{name} {spec or '(unpinned)'}")
    assert not loose, "dependencies without both bounds:\n" + "\n".join(loose)


# --------------------------------------------------------------------------- it can fail

PYPROJECT_OK = """
[project]
name = "demo"
requires-python = ">=3.11"
dependencies = ["numpy>=2.4,<3", "pyyaml>=6.0,<7", "matplotlib~=3.11", "lifelines>=0.30,<0.31"]
[project.optional-dependencies]
book = ["jupyter-book>=1.0.4,<2"]
dev = ["pytest>=9.2,<10"]
docs = ["only-in-an-extra-that-is-not-mirrored"]
"""

ENVIRONMENT_OK = """
name: demo
channels: [conda-forge]
dependencies:
  - python=3.11
  - pip
  - numpy >=2.4,<3
  - PyYAML>=6,<7
  - matplotlib-base>=3.11,<4
  - conda-forge::lifelines>=0.30,<0.31
  - jupyter_book>=1.0.4,<2
  - r-survival
  - pip:
      - pytest>=9.2,<10
      - -e .
"""


def test_matching_pair_passes():
    assert compare(PYPROJECT_OK, ENVIRONMENT_OK) == []


def test_package_missing_from_environment_is_reported():
    env = ENVIRONMENT_OK.replace("  - numpy >=2.4,<3\n", "")
    problems = compare(PYPROJECT_OK, env)
    assert problems == ["numpy: in pyproject.toml but missing from environment.yml"]


def test_package_missing_from_pyproject_is_reported():
    env = ENVIRONMENT_OK.replace("  - pip\n", "  - pip\n  - tqdm>=4.70,<5\n")
    problems = compare(PYPROJECT_OK, env)
    assert len(problems) == 1 and problems[0].startswith(
        "tqdm: in environment.yml but missing from pyproject.toml"
    )


def test_unmapped_conda_name_is_reported_twice():
    env = ENVIRONMENT_OK.replace("matplotlib-base", "matplotlib-basic")
    problems = compare(PYPROJECT_OK, env)
    assert any(p.startswith("matplotlib: in pyproject.toml but missing") for p in problems)
    assert any(p.startswith("matplotlib-basic: in environment.yml but missing") for p in problems)


@pytest.mark.parametrize(
    "old, new, name",
    [
        ("numpy >=2.4,<3", "numpy >=2.3,<3", "numpy"),
        ("PyYAML>=6,<7", "PyYAML>=6", "pyyaml"),
        ("matplotlib-base>=3.11,<4", "matplotlib-base>=3.11,<3.12", "matplotlib"),
        ("lifelines>=0.30,<0.31", "lifelines=0.30", "lifelines"),
        ("pytest>=9.2,<10", "pytest>=9.2,<11", "pytest"),
    ],
)
def test_version_drift_is_reported(old, new, name):
    env = ENVIRONMENT_OK.replace(old, new)
    assert env != ENVIRONMENT_OK
    problems = compare(PYPROJECT_OK, env)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{name}: version bounds differ"), problems


def test_python_outside_requires_python_is_reported():
    env = ENVIRONMENT_OK.replace("python=3.11", "python=3.10")
    assert compare(PYPROJECT_OK, env) == [
        "python: environment.yml pins '=3.10', outside pyproject's requires-python '>=3.11'"
    ]


def test_conflicting_bounds_inside_pyproject_are_reported():
    py = PYPROJECT_OK.replace(
        'dev = ["pytest>=9.2,<10"]', 'dev = ["pytest>=9.2,<10", "numpy>=2.0,<3"]'
    )
    problems = compare(py, ENVIRONMENT_OK)
    assert len(problems) == 2, problems
    assert problems[0].startswith("pyproject.toml: numpy is listed twice with different bounds")
    assert problems[1].startswith("numpy: version bounds differ")


def test_conda_fuzzy_spec_translation():
    assert conda_spec_to_pep440("") == ""
    assert conda_spec_to_pep440("=3.11") == "==3.11.*"
    assert conda_spec_to_pep440(" 1.2") == "==1.2.*"
    assert conda_spec_to_pep440("==1.2.3") == "==1.2.3"
    assert conda_spec_to_pep440(">=1, <2") == ">=1,<2"
    with pytest.raises(ValueError):
        conda_spec_to_pep440(">=1|<0.5")

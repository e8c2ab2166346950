"""Typed, validated model of the reported numbers in ``data/``.

Every study has a folder ``data/<study>/`` with

``study.yaml``
    the citation and the list of files;
one YAML file per reported table or figure
    ``type: baseline`` (a Table 1: groups x variables) or ``type: results``
    (a list of reported numbers: medians, hazard ratios, p-values...);
``simulation.yaml`` (optional)
    the generative model's *assumptions* (rules between variables, latent
    correlations).  It holds no reported numbers.

Every reported number keeps the string exactly as printed, its provenance
(source table/figure/section, row, column) and a **role**:

``input``
    used to build the simulated cohort; never judged;
``check``
    compared with the replication;
``derived``
    follows arithmetically from inputs (a Total column, for example);
    audited, never judged.

A malformed file raises a single :class:`DataFileError` naming the file, the
field path and what is wrong.

Examples
--------
>>> from hccrep.spec import load_study
>>> study = load_study("fonc2025")                      # doctest: +SKIP
>>> study.baseline().groups[0].n                        # doctest: +SKIP
42
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from hccrep.about import About, suggest_field
from hccrep.declared import (
    CATEGORICAL_TESTS,
    CONTINUOUS_TESTS,
    Analysis,
    Matching,
    Proportion,
    Table1Test,
    Variant,
    VariantField,
)
from hccrep.claims import ClaimsFile, claim_number_keys
from hccrep.printed import (
    PrintedError,
    check_no_decimal_comma,
    decimals_of,
    parse_count_percent,
    parse_numbers,
    parse_pvalue,
    parse_summary,
)

__all__ = [
    "DATA_DIR",
    "DataFileError",
    "ReportedNumber",
    "Miss",
    "MISS_CAUSES",
    "BaselineFile",
    "ResultsFile",
    "SimulationFile",
    "StudyFile",
    "Study",
    "load_file",
    "load_study",
    "list_studies",
    "resolve_study",
    "default_data_dir",
    "DATA_DIR_ENV",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][_a-z0-9]*$")]
LevelKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][_A-Za-z0-9]*$")]
Role = Literal["input", "check", "derived"]


class DataFileError(ValueError):
    """A data file is malformed.  The message names the file, the field and the reason."""

    def __init__(self, path: Path | str, problems: list[tuple[str, str]]):
        self.path = Path(path)
        self.problems = problems
        lines = [f"{self.path}: {loc or '<file>'}: {msg}" for loc, msg in problems]
        head = (
            f"{self.path} is malformed ({len(problems)} problem{'s' if len(problems) != 1 else ''})"
        )
        super().__init__(head + ":\n  " + "\n  ".join(lines))


# ----------------------------------------------------------------------------- YAML loading


#: At most this many aliases (``*name``, a reference to an ``&name`` anchor) in one data file.
#: The studies' files use none; a few hundred are the mark of an alias bomb ("billion laughs"),
#: which loads in a blink and then exhausts memory when the model is written out (the Monte
#: Carlo cache key dumps it).
MAX_YAML_ALIASES = 100
#: At most this deep a nesting of mappings and lists (the studies' files nest 6 deep).
MAX_YAML_DEPTH = 40
#: At most this many values in a file once every alias is expanded (the largest data file,
#: tu2025/table2.yaml, has about 7,500).
MAX_YAML_NODES = 500_000
#: At most this many bytes in one data file (the largest has about 64 kB).
MAX_YAML_BYTES = 5_000_000


class _YAMLLimitError(yaml.YAMLError):
    """A data file exceeds one of the loader's limits (aliases, nesting, expanded size)."""

    def __init__(self, problem: str, mark):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys, reads only true/false as booleans, and is bounded.

    Older YAML (version one-one) turns ``Yes``, ``No``, ``on`` into booleans, which silently breaks
    level keys such as ``No``/``Yes``; YAML 1.2 does not, and neither do we.

    The loader stops with a named error at :data:`MAX_YAML_ALIASES` aliases, a nesting deeper
    than :data:`MAX_YAML_DEPTH` or more than :data:`MAX_YAML_NODES` values once aliases are
    expanded, and on an alias that refers to the value containing it.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._n_aliases = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._n_aliases += 1
            if self._n_aliases > MAX_YAML_ALIASES:
                raise _YAMLLimitError(
                    f"more than {MAX_YAML_ALIASES} aliases ('*name' references to an '&name' anchor); "
                    "a data file needs none: write the values out (so many aliases is the mark of an alias bomb)",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _YAMLLimitError(
                    f"lists and mappings nested more than {MAX_YAML_DEPTH} deep; a data file needs a few levels",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self):
        node = super().compose_document()
        if self._n_aliases:
            _check_expanded_size(node)
        return node


def _check_expanded_size(root: yaml.Node) -> None:
    """Raise :class:`_YAMLLimitError` when ``root`` expands to more than :data:`MAX_YAML_NODES` values or holds itself."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if isinstance(node, yaml.ScalarNode):
            return 1
        if key in on_path:
            raise _YAMLLimitError(
                "an alias refers to the list or mapping that contains it (a value cannot hold itself)",
                node.start_mark,
            )
        on_path.add(key)
        children = (
            node.value
            if isinstance(node, yaml.SequenceNode)
            else [x for kv in node.value for x in kv]
        )
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_YAML_NODES:
                raise _YAMLLimitError(
                    f"the aliases expand to more than {MAX_YAML_NODES:,} values (an alias bomb?); "
                    "write the values out instead of repeating anchors",
                    node.start_mark,
                )
        on_path.discard(key)
        sizes[key] = total
        return total

    size(root)


_StrictLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a key must be a plain name, got a {type(key).__name__}",
                key_node.start_mark,
            ) from None
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_int(loader: _StrictLoader, node: yaml.ScalarNode) -> int:
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:  # Python refuses integers of more than 4300 digits
        raise yaml.constructor.ConstructorError(
            None, None, f"the number {node.value[:20]}... has too many digits", node.start_mark
        ) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _read_yaml(path: Path) -> Any:
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise DataFileError(
                path,
                [
                    (
                        "",
                        f"is {size:,} bytes; a data file holds at most {MAX_YAML_BYTES:,} (is it the right file?)",
                    )
                ],
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, [("", f"cannot be read: {exc}")]) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _YAMLLimitError as exc:
        mark = exc.problem_mark
        raise DataFileError(
            path, [(f"line {mark.line + 1}" if mark is not None else "", exc.problem)]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        ctx = getattr(exc, "context", None)
        msg = f"{problem}" if not ctx or "duplicate" in str(problem) else f"{ctx}: {problem}"
        raise DataFileError(path, [(where, f"invalid YAML: {msg}")]) from None


# ----------------------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Source(_Model):
    """Where in the paper a file's numbers were printed."""

    kind: Literal["table", "figure", "text"]
    label: str = Field(min_length=1, description="e.g. 'Table 1', 'Figure 3B', 'Section 2'")
    title: str | None = None


class Group(_Model):
    key: Key
    label: str
    n: int = Field(gt=0)
    printed: str = Field(min_length=1, description="the header as printed, e.g. 'IO+T (n = 42)'")
    role: Role = "input"


class Level(_Model):
    key: LevelKey
    label: str


class CellSpec(_Model):
    """A cell with a note: used where the paper itself is inconsistent."""

    printed: str
    denominator: int | None = Field(
        default=None,
        gt=0,
        description="the n the paper's percent was computed on, when not the group n",
    )
    note: str | None = None


Cell = Union[str, CellSpec]


#: Why a check is not reproduced (the ``cause`` of a ``miss`` and of :mod:`hccrep.causes`).
MISS_CAUSES = (
    "test variant",
    "rounding of inputs",
    "simulation assumption",
    "inconsistency in the paper",
    "small subgroup",
    "not modelled",
)


class Miss(_Model):
    """Why a check is not reproduced, when no rule of :mod:`hccrep.causes` can tell (curated from the chapter)."""

    cause: Literal[
        "test variant",
        "rounding of inputs",
        "simulation assumption",
        "inconsistency in the paper",
        "small subgroup",
        "not modelled",
    ] = Field(description="one of the causes of hccrep.causes")
    why: str = Field(min_length=1, description="one line in plain words: what the chapter found")
    part: Literal["both", "value", "limits"] = Field(
        default="both",
        description="what it explains: the number, the limits of its interval, or both",
    )


class PValueSpec(_Model):
    printed: str
    role: Role = "check"
    note: str | None = None
    variant: VariantField = Field(
        default=None, description="the test of this row (overrides the table's `tests`)"
    )
    miss: Miss | None = Field(
        default=None,
        description="why the p-value is not reproduced, when no rule of hccrep.causes says",
    )


class TableTests(_Model):
    """The tests of a baseline table's p-values, by kind of variable (machine-readable; ``methods`` keeps the paper's words)."""

    categorical: VariantField = None
    continuous: VariantField = None


class CutOf(_Model):
    """A categorical variable that dichotomises a continuous one: level i is [cuts[i-1], cuts[i])."""

    variable: Key
    cuts: list[float] = Field(min_length=1)


class CategoricalVariable(_Model):
    key: Key
    label: str
    kind: Literal["categorical"]
    levels: list[Level] = Field(min_length=2)
    cells: dict[Key, dict[LevelKey, Cell]]
    p: PValueSpec | None = None
    test_stated: str | None = None
    ordered: bool = False
    cut_of: CutOf | None = None
    sum_note: str | None = Field(
        default=None, description="why counts do not sum to n (e.g. missing data), if they do not"
    )


class ContinuousVariable(_Model):
    key: Key
    label: str
    kind: Literal["continuous"]
    summary: Literal["mean_sd", "median_iqr", "median_range"]
    unit: str | None = None
    cells: dict[Key, Cell]
    p: PValueSpec | None = None
    test_stated: str | None = None
    lower_bound: float | None = Field(
        default=None, description="values cannot fall below this (0 for lab values)"
    )
    integer: bool = False


Variable = Annotated[Union[CategoricalVariable, ContinuousVariable], Field(discriminator="kind")]


class BaselineFile(_Model):
    """A Table 1: groups by variables, with p-values."""

    study: Key
    file_id: Key
    type: Literal["baseline"]
    source: Source
    groups: list[Group] = Field(min_length=1)
    total: Group | None = None
    variables: list[Variable] = Field(min_length=1)
    methods: dict[str, str] = Field(
        default_factory=dict, description="the paper's own words on its tests (free text)"
    )
    tests: TableTests = Field(
        default_factory=TableTests,
        description="the tests that compute the p-values (default: chisq and mannwhitney)",
    )
    population: Matching | None = Field(
        default=None,
        description="for a second baseline table (after matching): how its patients were formed from the simulated "
        "cohort, so that its p-values (and its group sizes, when their role is check) are judged",
    )


Quantity = Literal[
    "count",
    "percent",
    "rate",
    "median",
    "mean",
    "sd",
    "hr",
    "or",
    "rr",
    "p",
    "p_interaction",
    "c_index",
    "auc",
    "brier",
    "kappa",
    "net_benefit",
    "cutoff",
    "sensitivity",
    "specificity",
    "accuracy",
    "precision",
    "f1",
    "dose",
    "bed",
    "other",
    "statement",
    "log_or",
    "z",
    "slope",
    "intercept",
]
"""``statement``: a claim the paper makes in words (a ranking, "better than treat-all"), recorded
with ``value`` 1 (the paper says it holds) or 0 (says it does not); the printed string is the claim
and need not contain the number.  A runner replicates it as 1.0 / 0.0 (does it hold on the cohort?)."""


class Provenance(_Model):
    row: str | None = None
    column: str | None = None
    text: str | None = Field(
        default=None, description="where in the text: section or sentence start"
    )


class NumberSpec(_Model):
    """One reported number of a results file."""

    key: Key = Field(description="a name unique in the study (lower case, digits, _)")
    quantity: Quantity = Field(
        description="what the number is: median, hr, p, rate, percent, count, auc, ..."
    )
    printed: str = Field(
        min_length=1, description="the string exactly as printed, e.g. '0.43 (0.21-0.88)'"
    )
    value: float = Field(description="the number, as it appears in `printed`")
    lower: float | None = Field(default=None, description="the lower limit of its printed interval")
    upper: float | None = Field(default=None, description="the upper limit of its printed interval")
    bound: Literal["<", ">"] | None = Field(
        default=None, description="for a p printed as '< 0.001'"
    )
    unit: str | None = Field(default=None, description="months, percent, ...")
    role: Role = Field(
        description="input (builds the cohort, never judged), check (judged) or derived"
    )
    where: Provenance = Field(description="row / column / text where it was printed")
    about: About = Field(
        default_factory=About,
        description="what the number describes and the numbers it belongs with "
        "(closed: see the fields of `about` below)",
    )
    note: str | None = Field(default=None, description="a curator's remark (free text)")
    analysis: Analysis | None = Field(
        default=None, description="what computes the replicated value (see hccrep.declared)"
    )
    miss: Miss | None = Field(
        default=None,
        description="why the number (or a limit of it) is not reproduced, when no rule of hccrep.causes says",
    )


class ResultsFile(_Model):
    """A list of reported numbers from one table, figure or section."""

    study: Key
    file_id: Key
    type: Literal["results"]
    source: Source
    numbers: list[NumberSpec] = Field(min_length=1)


class Rule(_Model):
    """``if`` every listed variable has the given level, ``then`` these levels must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)
    if_: dict[Key, LevelKey] = Field(alias="if", min_length=1)
    then: dict[Key, LevelKey] = Field(min_length=1)
    why: str = Field(min_length=1)


class Correlation(_Model):
    a: Key
    b: Key
    rho: float = Field(ge=-0.99, le=0.99)
    why: str = Field(min_length=1)


class EffectSpec(_Model):
    """A covariate effect taken from a reported (adjusted) hazard ratio."""

    variable: Key
    level: LevelKey | None = Field(
        default=None,
        description="the level whose indicator carries the hazard ratio; None: a per-unit HR of a continuous variable",
    )
    hr_key: Key = Field(description="key of the reported number (role input, quantity hr)")
    why: str = Field(min_length=1)


class SurvivalSpec(_Model):
    """How one time-to-event endpoint is simulated."""

    endpoint: Key
    medians: dict[Key, Key] = Field(
        min_length=1, description="group -> key of its reported median (role input)"
    )
    events: dict[Key, Key] | None = Field(
        default=None, description="group -> key of its reported event count"
    )
    follow_up: list[float] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="potential follow-up window (min, max) when no event counts are reported",
    )
    effects: list[EffectSpec] = Field(default_factory=list)
    shape: float = Field(default=1.0, gt=0)
    shape_from: Key | None = Field(
        default=None,
        description="a reported hazard ratio between two groups (role input; a Cox analysis whose term is "
        "the group variable) that fixes the Weibull shape: under proportional Weibull hazards "
        "HR = (median of the reference / median of the level) ** shape; give shape or shape_from, not both",
    )
    cap_by: Key | None = Field(
        default=None,
        description="an endpoint simulated earlier whose time bounds this one (PFS <= OS)",
    )
    why: str = Field(min_length=1)


class BinaryEffectSpec(_Model):
    """A covariate effect on a binary outcome, from a reported (adjusted) odds ratio or log odds ratio."""

    variable: Key
    level: LevelKey | None = Field(
        default=None,
        description="the level whose indicator carries the effect; None: per unit of a continuous variable",
    )
    or_key: Key = Field(
        description="key of the reported number (role input, quantity or, or log_or for a printed coefficient)"
    )
    why: str = Field(min_length=1)


class BinarySpec(_Model):
    """How one binary outcome is simulated: latent logistic model, exact count of positives per group.

    ``prevalence`` maps each group to the key of its reported count of positives: a
    results number (quantity count) or a baseline cell ``<variable>.<level>.<group>``.
    When ``variable`` names a categorical baseline variable, that column is
    regenerated from the outcome model (its counts stay exactly the reported ones).
    """

    outcome: Key = Field(description="name of the 0/1 column added to the cohort")
    variable: Key | None = Field(
        default=None,
        description="a categorical baseline variable this outcome replaces (its positive level is `positive`)",
    )
    positive: LevelKey | None = Field(
        default=None, description="the level of `variable` that is the outcome's 1"
    )
    prevalence: dict[Key, str] = Field(
        min_length=1, description="group -> key of its reported number of positives (role input)"
    )
    effects: list[BinaryEffectSpec] = Field(default_factory=list)
    why: str = Field(min_length=1)


class Reading(_Model):
    """A printed contrast read the other way round (e.g. a label that contradicts the text)."""

    variable: Key
    why: str = Field(min_length=1)


class SimulationFile(_Model):
    """Assumptions of the generative model (no reported numbers)."""

    study: Key
    file_id: Literal["simulation"]
    type: Literal["simulation"]
    baseline: Key | None = Field(
        default=None,
        description="the baseline file the cohort is drawn from; None for a study without one (a review)",
    )
    group_variable: Key = "group"
    rules: list[Rule] = Field(default_factory=list)
    correlations: list[Correlation] = Field(default_factory=list)
    variable_order: list[Key] = Field(default_factory=list)
    survival: list[SurvivalSpec] = Field(default_factory=list)
    binary: list[BinarySpec] = Field(default_factory=list)
    reversed_contrasts: list[Reading] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="modelling parameters of a study's own runner (assumptions, never reported numbers)",
    )
    module_columns: dict[Key, Union[Literal["numeric"], list[LevelKey]]] = Field(
        default_factory=dict,
        description="columns a study module's own runner adds to the cohort (`numeric`, or the list of levels), "
        "so that declared analyses may use them; a study without a module of its own declares none",
    )


class StudyFile(_Model):
    """``study.yaml``: what the study is and which data files describe it.

    Attributes
    ----------
    key : str
        The study key (the folder's name).
    type : str
        ``"study"``.
    citation : str
        The paper's reference.
    doi : str, optional
        Its DOI.
    seed_file : str, optional
        The name of the file holding the paper's text, from which the data were read.
    files : list of str
        The data files of the study (``simulation.yaml`` apart), each listed once.
    book_seed : int
        The seed of the book's fixed cohort.
    """

    key: Key
    type: Literal["study"]
    citation: str
    doi: str | None = None
    seed_file: str | None = None
    files: list[Key] = Field(min_length=1)
    book_seed: int = Field(default=20251643, ge=0)


_FILE_MODELS: dict[str, type[BaseModel]] = {
    "baseline": BaselineFile,
    "results": ResultsFile,
    "simulation": SimulationFile,
    "study": StudyFile,
    "claims": ClaimsFile,
}


# ----------------------------------------------------------------------------- flattened numbers


@dataclass(frozen=True)
class ReportedNumber:
    """One reported number with its provenance and role (the flattened view).

    Attributes
    ----------
    study, file_id, key : str
        Where the number lives: study key, data file and key within the study.
    quantity : str
        What it is (``hr``, ``median``, ``p``, ``percent``, ...).
    printed : str
        The string as printed.
    value : float
        Its value.
    role : str
        ``input``, ``check`` or ``derived``.
    source : str
        The table, figure or section it is printed in.
    row, column : str or None
        Its row and column in that source.
    lower, upper : float or None
        Printed confidence limits.
    bound : str or None
        ``"<"`` or ``">"`` for a printed bound.
    decimals : int or None
        Printed decimals.
    attrs : dict
        Further descriptors from the data file.
    """

    study: str
    file_id: str
    key: str
    quantity: str
    printed: str
    value: float
    role: str
    source: str
    row: str | None
    column: str | None
    lower: float | None = None
    upper: float | None = None
    bound: str | None = None
    decimals: int | None = None
    #: what the number describes (:class:`hccrep.about.About`)
    about: About = field(default_factory=About, hash=False, compare=False)
    #: what computes the replicated value (a model of :mod:`hccrep.declared`), or None
    analysis: Any = field(default=None, hash=False, compare=False)
    #: the curated cause of a miss (:class:`Miss`), or None
    miss: Any = field(default=None, hash=False, compare=False)

    @property
    def provenance(self) -> str:
        parts = [self.source]
        if self.row:
            parts.append(f"row '{self.row}'")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)


# ----------------------------------------------------------------------------- semantic checks


def _pct_tolerance(decimals: int) -> float:
    return 0.5 * 10.0 ** (-decimals) + 1e-9


def _cell_printed(cell: Cell) -> tuple[str, CellSpec | None]:
    return (cell, None) if isinstance(cell, str) else (cell.printed, cell)


def _check_baseline(f: BaselineFile) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    groups = {g.key: g for g in f.groups}
    if len(groups) != len(f.groups):
        dup = sorted({g.key for g in f.groups if [h.key for h in f.groups].count(g.key) > 1})
        problems.append(("groups", f"duplicate group key {dup[0]!r}"))
    columns = dict(groups)
    if f.total is not None:
        if f.total.key in groups:
            problems.append(("total.key", f"{f.total.key!r} is also a group key"))
        columns[f.total.key] = f.total
        if f.total.n != sum(g.n for g in f.groups):
            problems.append(
                (
                    "total.n",
                    f"total n {f.total.n} differs from the sum of the group n ({sum(g.n for g in f.groups)})",
                )
            )
    for g in f.groups:
        if float(g.n) not in parse_numbers(g.printed):
            problems.append(
                (
                    f"groups[{g.key}].printed",
                    f"n = {g.n} does not appear in the printed header {g.printed!r}",
                )
            )
    seen: set[str] = set()
    var_keys = {v.key for v in f.variables}
    for i, v in enumerate(f.variables):
        loc = f"variables[{i}] ({v.key})"
        if v.key in seen:
            problems.append((f"variables[{i}].key", f"duplicate variable key {v.key!r}"))
        seen.add(v.key)
        missing = [c for c in columns if c not in v.cells]
        unknown = [c for c in v.cells if c not in columns]
        for c in unknown:
            problems.append(
                (f"{loc}.cells.{c}", f"unknown group {c!r}; groups are {sorted(columns)}")
            )
        for c in missing:
            problems.append((f"{loc}.cells", f"no cell for group {c!r}"))
        if v.p is not None:
            try:
                parse_pvalue(v.p.printed)
            except PrintedError as exc:
                problems.append((f"{loc}.p.printed", str(exc)))
        if isinstance(v, CategoricalVariable):
            level_keys = [lv.key for lv in v.levels]
            if len(set(level_keys)) != len(level_keys):
                problems.append((f"{loc}.levels", "duplicate level key"))
            if v.cut_of is not None:
                if v.cut_of.variable not in var_keys:
                    problems.append(
                        (f"{loc}.cut_of.variable", f"unknown variable {v.cut_of.variable!r}")
                    )
                if len(v.cut_of.cuts) != len(v.levels) - 1:
                    problems.append(
                        (
                            f"{loc}.cut_of.cuts",
                            f"{len(v.levels)} levels need {len(v.levels) - 1} cuts, got {len(v.cut_of.cuts)}",
                        )
                    )
                if sorted(v.cut_of.cuts) != list(v.cut_of.cuts):
                    problems.append((f"{loc}.cut_of.cuts", "cuts must increase"))
            for c, row in v.cells.items():
                if c not in columns:
                    continue
                n = columns[c].n
                for lk in row:
                    if lk not in level_keys:
                        problems.append(
                            (
                                f"{loc}.cells.{c}.{lk}",
                                f"unknown level {lk!r}; levels are {level_keys}",
                            )
                        )
                for lk in level_keys:
                    if lk not in row:
                        problems.append((f"{loc}.cells.{c}", f"no count for level {lk!r}"))
                total = 0
                for lk, cell in row.items():
                    text, spec = _cell_printed(cell)
                    try:
                        cp = parse_count_percent(text)
                    except PrintedError as exc:
                        problems.append((f"{loc}.cells.{c}.{lk}", str(exc)))
                        continue
                    total += cp.count
                    if cp.count > n:
                        problems.append(
                            (f"{loc}.cells.{c}.{lk}", f"count {cp.count} exceeds the group n {n}")
                        )
                    if cp.percent is not None:
                        denom = spec.denominator if spec and spec.denominator else n
                        expect = 100.0 * cp.count / denom
                        if abs(expect - cp.percent) > _pct_tolerance(cp.percent_decimals or 0):
                            if not (spec and spec.note):
                                problems.append(
                                    (
                                        f"{loc}.cells.{c}.{lk}",
                                        f"percent {cp.percent} does not match {cp.count}/{denom} = {expect:.2f}% "
                                        "(if the paper printed it so, give the cell as {printed, note} explaining why)",
                                    )
                                )
                if total != n and not v.sum_note and all(lk in level_keys for lk in row):
                    problems.append(
                        (
                            f"{loc}.cells.{c}",
                            f"counts sum to {total}, not to the group n {n} (set sum_note if the paper's counts do not add up)",
                        )
                    )
        else:
            for c, cell in v.cells.items():
                text, _ = _cell_printed(cell)
                try:
                    s = parse_summary(text, v.summary)
                except PrintedError as exc:
                    problems.append((f"{loc}.cells.{c}", str(exc)))
                    continue
                # the lowest printed value a summary implies: a mean, or the lower quartile / minimum
                low = s.centre if v.summary == "mean_sd" else s.spread[0]
                floor = (
                    v.lower_bound
                    if v.lower_bound is not None
                    else (0.0 if (v.unit or "").strip().lower() in TIME_UNITS else None)
                )
                if floor is not None and low < floor:
                    why = (
                        f"lower_bound is {floor:g}"
                        if v.lower_bound is not None
                        else f"a duration in {v.unit} is never negative"
                    )
                    problems.append((f"{loc}.cells.{c}", f"{text!r} goes below {floor:g} ({why})"))
    return problems


def _printed_with_minus(printed: str, magnitude: float) -> bool:
    """True when ``printed`` shows ``magnitude`` with a leading minus sign (``"-0.227"``).

    :func:`hccrep.printed.parse_numbers` reads dashes as range separators, never as
    signs; a negative value (a score cut-off, say) is accepted when its token is
    printed right after a minus sign that follows no digit.
    """
    text = printed.replace("\u2212", "-")
    for m in re.finditer(r"(?<![\d.])-\s?(\d+(?:\.\d+)?)", text):
        if m.start() > 0 and text[: m.start()].rstrip()[-1:].isdigit():
            continue
        if math.isclose(float(m.group(1)), magnitude, rel_tol=1e-9, abs_tol=1e-12):
            return True
    return False


def _check_results(f: ResultsFile) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    keys: set[str] = set()
    for i, num in enumerate(f.numbers):
        loc = f"numbers[{i}] ({num.key})"
        if num.key in keys:
            problems.append((f"numbers[{i}].key", f"duplicate key {num.key!r}"))
        keys.add(num.key)
        try:
            check_no_decimal_comma(num.printed)
        except PrintedError as exc:
            problems.append((f"{loc}.printed", str(exc)))
            continue
        printed_vals = parse_numbers(num.printed)
        if num.quantity == "statement":
            if num.value not in (0.0, 1.0):
                problems.append(
                    (
                        f"{loc}.value",
                        f"a statement is 1 (the paper says it holds) or 0, got {num.value}",
                    )
                )
            if num.lower is not None or num.upper is not None:
                problems.append((loc, "a statement has no interval"))
            continue
        for name in ("value", "lower", "upper"):
            x = getattr(num, name)
            if x is None:
                continue
            if not math.isfinite(x):
                problems.append((f"{loc}.{name}", "must be finite"))
            elif not any(
                math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for y in printed_vals
            ) and not (x < 0 and _printed_with_minus(num.printed, -x)):
                problems.append(
                    (f"{loc}.{name}", f"{x} does not appear in the printed string {num.printed!r}")
                )
        if (num.lower is None) != (num.upper is None):
            problems.append((loc, "give both lower and upper, or neither"))
        if num.lower is not None and num.upper is not None and num.lower > num.upper:
            problems.append(
                (
                    loc,
                    f"the interval is reversed: lower {num.lower} is above upper {num.upper} (swap them)",
                )
            )
        elif (
            num.lower is not None
            and num.upper is not None
            and not num.lower <= num.value <= num.upper
            and not num.note
        ):
            problems.append(
                (
                    loc,
                    f"value {num.value} lies outside its interval [{num.lower}, {num.upper}] (set note if the paper printed it so)",
                )
            )
        problems += _check_nonnegative(num, loc)
        problems += _check_counts(num, loc, printed_vals)
        if num.about.summary is not None:
            problems += _check_summary_attr(num, loc)
        if num.quantity in ("p", "p_interaction"):
            if not 0 <= num.value <= 1:
                problems.append((f"{loc}.value", f"a p-value lies in [0, 1], got {num.value}"))
            try:
                pv = parse_pvalue(num.printed)
                if pv.bound != num.bound:
                    problems.append(
                        (
                            f"{loc}.bound",
                            f"printed {num.printed!r} has bound {pv.bound!r}, the file says {num.bound!r}",
                        )
                    )
            except PrintedError as exc:
                problems.append((f"{loc}.printed", str(exc)))
        if num.quantity in ("hr", "or", "rr") and num.value <= 0:
            problems.append((f"{loc}.value", f"a ratio must be positive, got {num.value}"))
        if (
            num.quantity
            in ("percent", "rate", "sensitivity", "specificity", "accuracy", "precision")
            and not 0 <= num.value <= 100
        ):
            problems.append((f"{loc}.value", f"a {num.quantity} lies in [0, 100], got {num.value}"))
        if num.quantity in ("auc", "c_index") and not 0 <= num.value <= 1:
            problems.append((f"{loc}.value", f"a {num.quantity} lies in [0, 1], got {num.value}"))
    return problems


#: units of time: a median or mean in one of them is a duration, never negative
TIME_UNITS = frozenset({"day", "days", "week", "weeks", "month", "months", "year", "years"})
#: quantities that cannot be negative whatever their unit
NONNEGATIVE = ("count", "sd", "dose", "bed", "brier")


def _check_nonnegative(num: NumberSpec, loc: str) -> list[tuple[str, str]]:
    """Counts, SDs, doses, Brier scores and durations (a median of months) are never negative; a count is whole."""
    duration = num.quantity in ("median", "mean") and (num.unit or "").strip().lower() in TIME_UNITS
    if num.quantity not in NONNEGATIVE and not duration:
        return []
    what = f"a {num.quantity} in {num.unit}" if duration else f"a {num.quantity}"
    out = []
    for name in ("value", "lower", "upper"):
        x = getattr(num, name)
        if x is not None and math.isfinite(x) and x < 0:
            out.append((f"{loc}.{name}", f"{what} cannot be negative, got {x:g}"))
    if num.quantity == "count" and math.isfinite(num.value) and not float(num.value).is_integer():
        out.append(
            (f"{loc}.value", f"a count is a whole number of patients or events, got {num.value:g}")
        )
    n = num.about.n
    if num.quantity == "count" and _is_whole(n) and num.value > n and num.about.count is None:
        out.append(
            (f"{loc}.value", f"a count of {num.value:g} is impossible out of n = {n:g} (about.n)")
        )
    return out


def _is_whole(x: Any) -> bool:
    return (
        isinstance(x, (int, float))
        and not isinstance(x, bool)
        and math.isfinite(x)
        and float(x).is_integer()
    )


def _check_counts(num: NumberSpec, loc: str, printed_vals: list[float]) -> list[tuple[str, str]]:
    """The ``about.count`` and ``about.n`` a study module reads (the simulator draws exactly ``count`` of ``n``).

    Their types and signs are the model's; here ``count <= n``, and a count the printed
    string shows (``"4 (9.5)"``) is the recorded one.
    """
    out: list[tuple[str, str]] = []
    count, n = num.about.count, num.about.n
    if count is not None and n is not None and count > n:
        out.append((f"{loc}.about.count", f"a count of {count:g} is impossible out of n = {n:g}"))
    if count is not None:
        try:
            shown = float(parse_count_percent(num.printed).count)
        except PrintedError:
            rest = list(printed_vals)
            for x in (num.value, num.lower, num.upper):
                if x is not None and x in rest:
                    rest.remove(x)
            shown = None if not rest or count in printed_vals else rest[0]
        if shown is not None and shown != count:
            out.append(
                (
                    f"{loc}.about.count",
                    f"count {count:g} differs from the count printed in {num.printed!r} ({shown:g})",
                )
            )
    return out


def _check_summary_attr(num: NumberSpec, loc: str) -> list[tuple[str, str]]:
    """A number whose ``about.summary`` says it is a ``median (low, high)`` or ``mean±SD`` is printed so, and its fields agree."""
    kind = num.about.summary
    if kind not in ("mean_sd", "median_iqr", "median_range"):
        return [
            (f"{loc}.about.summary", f"must be mean_sd, median_iqr or median_range, got {kind!r}")
        ]
    try:
        s = parse_summary(num.printed, str(kind))
    except PrintedError as exc:
        return [(f"{loc}.printed", f"about.summary is {kind}, but {exc}")]
    out = []
    expect = {"value": s.centre}
    if kind != "mean_sd":
        expect.update(lower=s.spread[0], upper=s.spread[1])
    for name, x in expect.items():
        got = getattr(num, name)
        if got is None or not math.isclose(got, x, rel_tol=1e-9, abs_tol=1e-12):
            out.append(
                (
                    f"{loc}.{name}",
                    f"the printed {kind.replace('_', ' ')} {num.printed!r} gives {name} {x:g}, the file says {got}",
                )
            )
    return out


def _analysis_kinds() -> set[str]:
    from hccrep.declared import ANALYSIS_KINDS

    return set(ANALYSIS_KINDS)


def _in_about(loc: tuple) -> bool:
    return "about" in loc[:-1]


def _about_fields(loc: tuple) -> list[str]:
    """The allowed fields at ``loc``: those of ``about``, or of its ``source``."""
    from hccrep.about import Citation

    model = Citation if loc[-2] == "source" else About
    return list(model.model_fields)


def _format_validation_error(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for err in exc.errors():
        parts = err["loc"]
        loc = ".".join(
            str(p)
            for i, p in enumerate(parts)
            if not (
                isinstance(p, str)
                and (
                    p
                    in (
                        "CategoricalVariable",
                        "ContinuousVariable",
                        "str",
                        "CellSpec",
                        "function-after[_check()]",
                    )
                    # the tag of a discriminated union (a variable's kind, an analysis's kind) follows a list index or `analysis`
                    or (
                        p in ("categorical", "continuous")
                        and i > 0
                        and isinstance(parts[i - 1], int)
                    )
                    or (i > 0 and parts[i - 1] == "analysis" and p in _analysis_kinds())
                )
            )
        )
        msg = err["msg"]
        if err["type"] == "extra_forbidden" and _in_about(parts):
            msg = suggest_field(str(parts[-1]), _about_fields(parts))
        elif err["type"] == "extra_forbidden":
            msg = "unknown field (a typo?)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        if (
            "input" in err
            and err["type"] not in ("missing",)
            and not isinstance(err["input"], (dict, list))
        ):
            msg += f" (got {err['input']!r})"
        out.append((loc, msg))
    # a union of str | CellSpec reports both branches; keep distinct messages only
    seen, uniq = set(), []
    for item in out:
        if item not in seen:
            uniq.append(item)
            seen.add(item)
    return uniq


def load_file(path: str | Path) -> BaselineFile | ResultsFile | SimulationFile | StudyFile:
    """Load and validate one data file.

    The ``type`` field picks the model; the file's ``file_id`` and ``study``
    (or, for ``study.yaml``, its ``key``) must match the file and folder names.

    Parameters
    ----------
    path : str or Path
        The YAML data file.

    Returns
    -------
    BaselineFile or ResultsFile or SimulationFile or StudyFile
        The validated model of the file, by its ``type``.

    Raises
    ------
    DataFileError
        Naming the file, the field path and the reason, for every problem found
        (including a file that cannot be read, is too large or is not valid YAML).
    """
    path = Path(path)
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise DataFileError(
            path, [("", f"the top level must be a mapping, got {type(raw).__name__}")]
        )
    kind = raw.get("type")
    if "type" not in raw:
        raise DataFileError(
            path,
            [
                (
                    "type",
                    f"required field is missing: the kind of file, one of {sorted(_FILE_MODELS)}",
                )
            ],
        )
    if not isinstance(kind, str) or kind not in _FILE_MODELS:
        raise DataFileError(
            path, [("type", f"must be one of {sorted(_FILE_MODELS)}, got {kind!r}")]
        )
    try:
        model = _FILE_MODELS[kind].model_validate(raw)
    except ValidationError as exc:
        raise DataFileError(path, _format_validation_error(exc)) from None
    problems: list[tuple[str, str]] = []
    if kind != "study":
        if model.file_id != path.stem:
            problems.append(
                ("file_id", f"{model.file_id!r} differs from the file name {path.stem!r}")
            )
        if model.study != path.parent.name:
            problems.append(
                ("study", f"{model.study!r} differs from the folder name {path.parent.name!r}")
            )
    elif model.key != path.parent.name:
        problems.append(("key", f"{model.key!r} differs from the folder name {path.parent.name!r}"))
    if isinstance(model, BaselineFile):
        problems += _check_baseline(model)
    elif isinstance(model, ResultsFile):
        problems += _check_results(model)
    if problems:
        raise DataFileError(path, problems)
    return model


# ----------------------------------------------------------------------------- study


@dataclass
class Study:
    """All data files of one study, validated together.

    Attributes
    ----------
    key : str
        The study key (its folder name).
    folder : Path
        The data folder.
    meta : StudyFile
        ``study.yaml``.
    files : dict
        File id -> the parsed baseline or results file.
    simulation : SimulationFile or None
        ``simulation.yaml``, when present.
    """

    key: str
    folder: Path
    meta: StudyFile
    files: dict[str, BaselineFile | ResultsFile]
    simulation: SimulationFile | None
    #: the statements of ``claims.yaml`` the audit checks (:mod:`hccrep.claims`), or None
    claims: ClaimsFile | None = None

    def baseline(self, file_id: str | None = None) -> BaselineFile:
        """The baseline table used to build the cohort (the simulation's, by default)."""
        fid = file_id or (self.simulation.baseline if self.simulation else None)
        if fid is None:
            found = [f for f in self.files.values() if isinstance(f, BaselineFile)]
            if len(found) != 1:
                raise KeyError(
                    f"{self.key}: name the baseline file; found {[f.file_id for f in found]}"
                )
            return found[0]
        f = self.files.get(fid)
        if not isinstance(f, BaselineFile):
            raise KeyError(f"{self.key}: {fid!r} is not a baseline file")
        return f

    @cached_property
    def numbers(self) -> list[ReportedNumber]:
        """Every reported number of the study, flattened, with provenance and role."""
        return list(iter_numbers(self))

    def number(self, key: str) -> ReportedNumber:
        for n in self.numbers:
            if n.key == key:
                return n
        raise KeyError(f"{self.key}: no reported number with key {key!r}")


def baseline_prefix(study: Study, f: BaselineFile) -> str:
    """The key prefix of a baseline table's numbers: none for the table the cohort is built from.

    A study may print several baseline tables (before and after matching, say);
    the numbers of every table but the simulation's get ``<file_id>.`` in front,
    so that ``sex.p`` of two tables are two keys.
    """
    baselines = [g for g in study.files.values() if isinstance(g, BaselineFile)]
    if len(baselines) == 1:
        return ""
    main = study.simulation.baseline if study.simulation is not None else None
    return "" if f.file_id == main else f"{f.file_id}."


DEFAULT_TESTS = {"categorical": "chisq", "continuous": "mannwhitney"}


def table1_analysis(f: BaselineFile, v: CategoricalVariable | ContinuousVariable) -> Table1Test:
    """The declared test of a baseline row: the row's own ``p.variant``, else the table's ``tests``, else the default."""
    kind = "categorical" if isinstance(v, CategoricalVariable) else "continuous"
    variant = (
        (v.p.variant if v.p is not None else None)
        or getattr(f.tests, kind)
        or Variant(stated=DEFAULT_TESTS[kind])
    )
    # a table after matching is tested on its matched population
    return Table1Test(kind="table1_test", variable=v.key, variant=variant, population=f.population)


def iter_numbers(study: Study) -> Iterator[ReportedNumber]:
    """Flatten every file of ``study`` into :class:`ReportedNumber` records."""
    for f in study.files.values():
        src = f.source.label
        if isinstance(f, BaselineFile):
            pre = baseline_prefix(study, f)
            cols = list(f.groups) + ([f.total] if f.total else [])
            for g in cols:
                size = None
                if pre and f.population is not None and g is not f.total and g.role == "check":
                    size = Proportion(
                        kind="proportion",
                        variable=study.simulation.group_variable,
                        level=g.key,
                        population=f.population,
                    )
                yield ReportedNumber(
                    study.key,
                    f.file_id,
                    f"{pre}n.{g.key}",
                    "count",
                    g.printed,
                    float(g.n),
                    g.role if g is not f.total else "derived",
                    src,
                    None,
                    g.label,
                    decimals=0,
                    about=About(group=g.key),
                    analysis=size,
                )
            for v in f.variables:
                for g in cols:
                    role = "derived" if g is f.total else "input"
                    if isinstance(v, CategoricalVariable):
                        for lv in v.levels:
                            text, _ = _cell_printed(v.cells[g.key][lv.key])
                            cp = parse_count_percent(text)
                            yield ReportedNumber(
                                study.key,
                                f.file_id,
                                f"{pre}{v.key}.{lv.key}.{g.key}",
                                "count",
                                text,
                                float(cp.count),
                                role,
                                src,
                                f"{v.label}: {lv.label}",
                                g.label,
                                decimals=0,
                                about=About(variable=v.key, level=lv.key, group=g.key),
                            )
                    else:
                        text, _ = _cell_printed(v.cells[g.key])
                        s = parse_summary(text, v.summary)
                        yield ReportedNumber(
                            study.key,
                            f.file_id,
                            f"{pre}{v.key}.{g.key}",
                            v.summary,
                            text,
                            s.centre,
                            role,
                            src,
                            v.label,
                            g.label,
                            decimals=s.decimals[0],
                            about=About(variable=v.key, group=g.key),
                        )
                if v.p is not None:
                    pv = parse_pvalue(v.p.printed)
                    yield ReportedNumber(
                        study.key,
                        f.file_id,
                        f"{pre}{v.key}.p",
                        "p",
                        v.p.printed,
                        pv.value,
                        v.p.role,
                        src,
                        v.label,
                        "p",
                        bound=pv.bound,
                        decimals=pv.decimals,
                        about=About(
                            variable=v.key,
                            test_stated=v.test_stated
                            or f.methods.get(
                                "categorical_test"
                                if isinstance(v, CategoricalVariable)
                                else "continuous_test",
                                "",
                            ),
                        ),
                        analysis=table1_analysis(f, v)
                        if not pre or f.population is not None
                        else None,
                        miss=v.p.miss,
                    )
        else:
            for num in f.numbers:
                token_dec = value_decimals(num.printed, num.value)
                yield ReportedNumber(
                    study.key,
                    f.file_id,
                    num.key,
                    num.quantity,
                    num.printed,
                    num.value,
                    num.role,
                    src,
                    num.where.row or num.where.text,
                    num.where.column,
                    num.lower,
                    num.upper,
                    num.bound,
                    token_dec,
                    num.about,
                    _with_table_test(study, num.analysis),
                    num.miss,
                )


def _with_table_test(study: Study, analysis):
    """A ``table1_test`` declared without a variant takes the test the baseline table declares for its kind of variable."""
    if analysis is None or analysis.kind != "table1_test" or analysis.variant is not None:
        return analysis
    sim = study.simulation
    base = study.files.get(sim.baseline) if sim is not None and sim.baseline else None
    var = (
        {v.key: v for v in base.variables}.get(analysis.variable)
        if isinstance(base, BaselineFile)
        else None
    )
    numeric = isinstance(var, ContinuousVariable) or (
        sim is not None
        and (
            sim.module_columns.get(analysis.variable) == "numeric"
            or analysis.variable in {f"{sv.endpoint}_time" for sv in sim.survival}
        )
    )
    if numeric:
        variant = base.tests.continuous or Variant(stated=DEFAULT_TESTS["continuous"])
    else:  # categorical, a binary outcome, or unknown (the cross-check names an unknown variable)
        variant = (base.tests.categorical if isinstance(base, BaselineFile) else None) or Variant(
            stated=DEFAULT_TESTS["categorical"]
        )
    return analysis.model_copy(update={"variant": variant})


def value_decimals(printed: str, value: float) -> int | None:
    """Decimals with which ``value`` was printed inside ``printed`` (None if it is not there).

    >>> value_decimals("2.5 (1.30-4.10)", 4.1)
    2
    """
    for tok in re.findall(r"\d+(?:\.\d+)?", printed):
        if math.isclose(
            float(tok), abs(value), rel_tol=1e-9, abs_tol=1e-12
        ):  # a sign is never in the token
            return decimals_of(tok)
    return None


#: Environment variable naming a folder of study folders (used when no ``data_dir`` is given).
DATA_DIR_ENV = "HCCREP_DATA_DIR"


def default_data_dir() -> Path:
    """``$HCCREP_DATA_DIR`` when set, else the repository's ``data/``.

    Parameters
    ----------
    None

    Returns
    -------
    Path
        The environment variable's folder (``~`` expanded, made absolute), or
        the ``data/`` folder next to the package.
    """
    import os

    env = os.environ.get(DATA_DIR_ENV)
    return Path(env).expanduser().resolve() if env else DATA_DIR


def list_studies(data_dir: str | Path | None = None) -> list[str]:
    """Keys of the studies that have a ``study.yaml`` under ``data_dir`` (default: :func:`default_data_dir`).

    Parameters
    ----------
    data_dir : str or Path, optional
        The folder holding the study folders.

    Returns
    -------
    list of str
        Sorted names of the sub-folders that hold a ``study.yaml`` (empty when
        there are none or the folder does not exist); the files are not validated.
    """
    d = Path(data_dir) if data_dir else default_data_dir()
    return sorted(p.parent.name for p in d.glob("*/study.yaml"))


def resolve_study(study: str | Path, data_dir: str | Path | None = None) -> Study:
    """Load a study given by key or by folder.

    ``study`` is a folder when it contains a ``study.yaml`` (absolute, or
    relative to the working directory) or is written as a path
    (``./mypaper``, ``papers/mypaper``); otherwise it is a key under
    ``data_dir`` (default: ``$HCCREP_DATA_DIR``, else the repository's
    ``data/``).

    Parameters
    ----------
    study : str or Path
        A study key, or a study folder.
    data_dir : str or Path, optional
        The folder holding the study folders, for a key.

    Returns
    -------
    Study
        The loaded and cross-validated study (:func:`load_study`).

    Raises
    ------
    KeyError
        No such study (the message says where it looked).
    DataFileError
        A file of the study is malformed.
    """
    text = str(study)
    path = Path(text).expanduser()
    if (path / "study.yaml").is_file():
        path = path.resolve()
        return load_study(path.name, path.parent)
    if any(sep in text for sep in ("/", "\\")) or text.startswith(".") or path.is_dir():
        raise KeyError(f"{text!r} is not a study folder: {path / 'study.yaml'} does not exist")
    return load_study(text, data_dir)


def load_study(key: str, data_dir: str | Path | None = None) -> Study:
    """Load and cross-validate every file of a study.

    Parameters
    ----------
    key : str
        Folder name under ``data/``, e.g. ``"fonc2025"``.
    data_dir : path, optional
        The folder holding the study folders (default: :func:`default_data_dir`).

    Returns
    -------
    Study
        The study's folder, its ``study.yaml``, the baseline and results files
        it lists (by file id) and its ``simulation.yaml`` when present.

    Raises
    ------
    DataFileError
        If any file is malformed, a listed file is missing, or the simulation
        file refers to an unknown variable or level.
    KeyError
        If there is no such study.
    """
    root = Path(data_dir).expanduser().resolve() if data_dir else default_data_dir()
    d = root / key
    meta_path = d / "study.yaml"
    if not meta_path.exists():
        raise KeyError(
            f"no study {key!r}: {meta_path} does not exist (studies in {root}: {list_studies(root)})"
        )
    meta = load_file(meta_path)
    assert isinstance(meta, StudyFile)
    _check_listing(meta, meta_path)
    files: dict[str, BaselineFile | ResultsFile] = {}
    for i, fid in enumerate(meta.files):
        p = d / f"{fid}.yaml"
        f = load_file(p)
        if not isinstance(f, (BaselineFile, ResultsFile)):
            raise DataFileError(p, [("type", "a listed file must be of type baseline or results")])
        files[fid] = f
    seen_keys: dict[str, str] = {}
    for f in files.values():
        if isinstance(f, ResultsFile):
            for i, num in enumerate(f.numbers):
                if num.key in seen_keys:
                    raise DataFileError(
                        d / f"{f.file_id}.yaml",
                        [
                            (
                                f"numbers[{i}].key",
                                f"duplicate key {num.key!r}: already used in {seen_keys[num.key]}.yaml",
                            )
                        ],
                    )
                seen_keys[num.key] = f.file_id
    sim = None
    sim_path = d / "simulation.yaml"
    if sim_path.exists():
        sim = load_file(sim_path)
        assert isinstance(sim, SimulationFile)
        _check_simulation(sim, sim_path, files)
        sim = _resolve_shapes(sim, files)
    study = Study(key, d, meta, files, sim)
    claims_path = d / "claims.yaml"
    if claims_path.exists():
        claims = load_file(claims_path)
        assert isinstance(claims, ClaimsFile)
        _check_claims(study, claims, claims_path)
        study.claims = claims
    _check_study(study)
    return study


def _check_claims(study: Study, claims: ClaimsFile, path: Path) -> None:
    """Every claim names numbers, variables and groups the study has, under a key of its own."""
    known = {n.key for n in study.numbers}
    known |= {
        f"{n.key}.{side}"
        for n in study.numbers
        if n.lower is not None
        for side in ("lower", "upper")
    }
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for i, c in enumerate(claims.claims):
        if c.key in seen:
            problems.append(
                (f"claims[{i}].key", f"duplicate key {c.key!r} (also claims[{seen[c.key]}])")
            )
        seen.setdefault(c.key, i)
        for loc, k in claim_number_keys(c):
            if k not in known:
                problems.append(
                    (f"claims[{i}].{loc}", f"no reported number with key {k!r} in {study.key}")
                )
        for j, sp in enumerate(getattr(c, "splits", [])):
            try:
                f = study.baseline(sp.file)
            except KeyError as exc:
                problems.append((f"claims[{i}].splits[{j}].file", str(exc)))
                continue
            if sp.variable not in {v.key for v in f.variables}:
                problems.append(
                    (
                        f"claims[{i}].splits[{j}].variable",
                        f"{sp.variable!r} is not a variable of {f.file_id}",
                    )
                )
            bad = [g for g in sp.groups if g not in {x.key for x in f.groups}]
            if bad:
                problems.append(
                    (f"claims[{i}].splits[{j}].groups", f"{bad} are not groups of {f.file_id}")
                )
    if problems:
        raise DataFileError(path, problems)


#: files of a study folder that ``study.yaml`` does not list
UNLISTED_FILES = ("study.yaml", "simulation.yaml", "claims.yaml")


def _check_listing(meta: StudyFile, meta_path: Path) -> None:
    """``study.yaml`` lists every data file of the folder once, and each listed file exists.

    A YAML file in the folder that is not listed would be ignored without a word
    (a table typed in but never loaded), so it is an error too; ``study.yaml``
    and ``simulation.yaml`` are the only files not listed.
    """
    d = meta_path.parent
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for i, fid in enumerate(meta.files):
        if fid in seen:
            problems.append((f"files[{i}]", f"{fid} is listed twice (also files[{seen[fid]}])"))
        seen.setdefault(fid, i)
        if fid in ("study", "simulation"):
            problems.append(
                (
                    f"files[{i}]",
                    f"{fid}.yaml is not a data file to list (list the baseline and results files)",
                )
            )
        elif not (d / f"{fid}.yaml").is_file():
            other = d / f"{fid}.yml"
            hint = f" (there is {other.name}: name it {fid}.yaml)" if other.is_file() else ""
            problems.append((f"files[{i}]", f"listed file {fid}.yaml does not exist{hint}"))
    for p in sorted(d.iterdir()):
        if p.name.startswith(".") or not p.is_file() or p.name in UNLISTED_FILES:
            continue  # hidden files (an editor's lock or swap file) are not data
        if p.suffix == ".yml" and not (p.stem in seen and not (d / f"{p.stem}.yaml").is_file()):
            problems.append(
                (
                    "files",
                    f"{p.name} would be ignored: data files end in .yaml "
                    "(rename it and list it here, or move it out of the folder)",
                )
            )
        elif p.suffix == ".yaml" and p.stem not in seen:
            problems.append(
                (
                    "files",
                    f"{p.name} is in the study folder but not listed here, so it would be ignored: "
                    f"add {p.stem} to files (or move the file out of the folder)",
                )
            )
    if problems:
        raise DataFileError(meta_path, problems)


def _check_simulation(sim: SimulationFile, path: Path, files: dict) -> None:
    problems: list[tuple[str, str]] = []
    if sim.baseline is None:
        for name in (
            "rules",
            "correlations",
            "variable_order",
            "survival",
            "reversed_contrasts",
            "binary",
        ):
            if getattr(sim, name):
                problems.append(
                    (name, "refers to baseline variables, but the file names no baseline")
                )
        if problems:
            raise DataFileError(path, problems)
        return
    base = files.get(sim.baseline)
    if not isinstance(base, BaselineFile):
        raise DataFileError(
            path, [("baseline", f"{sim.baseline!r} is not a baseline file of this study")]
        )
    variables = {v.key: v for v in base.variables}

    def check_level(loc: str, var: str, level: str) -> None:
        v = variables.get(var)
        if v is None:
            problems.append((loc, f"unknown variable {var!r}; variables are {sorted(variables)}"))
        elif not isinstance(v, CategoricalVariable):
            problems.append((loc, f"variable {var!r} is continuous; rules take categorical levels"))
        elif level not in [lv.key for lv in v.levels]:
            problems.append(
                (
                    loc,
                    f"unknown level {level!r} of {var!r}; levels are {[lv.key for lv in v.levels]}",
                )
            )

    for i, r in enumerate(sim.rules):
        for var, lev in r.if_.items():
            check_level(f"rules[{i}].if.{var}", var, lev)
        for var, lev in r.then.items():
            check_level(f"rules[{i}].then.{var}", var, lev)
    for i, c in enumerate(sim.correlations):
        for side in ("a", "b"):
            if getattr(c, side) not in variables:
                problems.append(
                    (f"correlations[{i}].{side}", f"unknown variable {getattr(c, side)!r}")
                )
        if c.a == c.b:
            problems.append((f"correlations[{i}]", "a variable cannot be correlated with itself"))
    for i, k in enumerate(sim.variable_order):
        if k not in variables:
            problems.append((f"variable_order[{i}]", f"unknown variable {k!r}"))
    if sim.group_variable in variables:
        problems.append(("group_variable", f"{sim.group_variable!r} clashes with a variable key"))
    numbers = {}
    for f in files.values():
        if isinstance(f, ResultsFile):
            numbers.update({n.key: n for n in f.numbers})
    groups = {g.key for g in base.groups}
    group_n = {g.key: g.n for g in base.groups}
    seen_endpoints: list[str] = []

    def check_number(loc: str, key: str, quantity: tuple[str, ...]) -> None:
        num = numbers.get(key)
        if num is None:
            problems.append((loc, f"unknown reported number {key!r}"))
        elif num.role != "input":
            problems.append(
                (
                    loc,
                    f"{key!r} has role {num.role!r}; a number the cohort is built from must be an input",
                )
            )
        elif num.quantity not in quantity:
            problems.append((loc, f"{key!r} is a {num.quantity}, expected {' or '.join(quantity)}"))

    for i, sv in enumerate(sim.survival):
        loc = f"survival[{i}] ({sv.endpoint})"
        if set(sv.medians) != groups:
            problems.append((f"{loc}.medians", f"needs exactly the groups {sorted(groups)}"))
        for g, key in sv.medians.items():
            check_number(f"{loc}.medians.{g}", key, ("median",))
        for g, key in (sv.events or {}).items():
            check_number(f"{loc}.events.{g}", key, ("count",))
        if sv.cap_by is not None and (sv.events is not None or sv.follow_up is not None):
            problems.append(
                (
                    loc,
                    "an endpoint capped by another takes its censoring from it: give neither events nor follow_up",
                )
            )
        elif sv.cap_by is None and (sv.events is None) == (sv.follow_up is None):
            problems.append((loc, "give exactly one of events or follow_up"))
        if sv.follow_up is not None and not 0 <= sv.follow_up[0] < sv.follow_up[1]:
            problems.append((f"{loc}.follow_up", "must be (min, max) with 0 <= min < max"))
        for j, e in enumerate(sv.effects):
            if e.level is None:
                v = variables.get(e.variable)
                if not isinstance(v, ContinuousVariable):
                    problems.append(
                        (
                            f"{loc}.effects[{j}].level",
                            f"a per-unit effect (no level) needs a continuous variable; {e.variable!r} is {'unknown' if v is None else 'categorical'}",
                        )
                    )
            else:
                check_level(f"{loc}.effects[{j}].variable", e.variable, e.level)
            check_number(f"{loc}.effects[{j}].hr_key", e.hr_key, ("hr",))
        if sv.shape_from is not None:
            problems += _check_shape_from(
                sv, loc, numbers, sim.group_variable, base.groups[0].key, check_number
            )
        for g, key in sv.medians.items():
            num = numbers.get(key)
            if num is not None and num.quantity == "median" and not num.value > 0:
                problems.append(
                    (
                        f"{loc}.medians.{g}",
                        f"the median survival time {key!r} must be positive, got {num.value:g}",
                    )
                )
        for g, key in (sv.events or {}).items():
            num = numbers.get(key)
            if (
                num is not None
                and num.quantity == "count"
                and g in group_n
                and not 0 <= num.value <= group_n[g]
            ):
                problems.append(
                    (
                        f"{loc}.events.{g}",
                        f"{num.value:g} events ({key!r}) is impossible in a group of {group_n[g]}",
                    )
                )
        if sv.cap_by is not None and sv.cap_by not in seen_endpoints:
            problems.append(
                (
                    f"{loc}.cap_by",
                    f"{sv.cap_by!r} must be an endpoint listed before {sv.endpoint!r}",
                )
            )
        seen_endpoints.append(sv.endpoint)
    problems += _check_binary(sim, base, variables, numbers, check_level, check_number)
    for i, r in enumerate(sim.reversed_contrasts):
        if r.variable not in variables:
            problems.append(
                (f"reversed_contrasts[{i}].variable", f"unknown variable {r.variable!r}")
            )
    if problems:
        raise DataFileError(path, problems)


def _shape_from_parts(sv: SurvivalSpec, numbers: dict, group_variable: str, first_group: str):
    """(hazard ratio, median of its level, median of its reference) behind ``sv.shape_from``.

    The reference is the declared one, else the first group (a model's default reference).
    """
    num = numbers[sv.shape_from]
    a = num.analysis
    level, ref = a.level, a.reference.get(group_variable, first_group)
    return num.value, numbers[sv.medians[level]].value, numbers[sv.medians[ref]].value


def _check_shape_from(
    sv: SurvivalSpec, loc: str, numbers: dict, group_variable: str, first_group: str, check_number
) -> list[tuple[str, str]]:
    """``shape_from`` names an input HR of the group variable between two groups with medians."""
    problems: list[tuple[str, str]] = []
    where = f"{loc}.shape_from"
    if "shape" in sv.model_fields_set:
        problems.append((where, "give shape or shape_from, not both"))
    check_number(where, sv.shape_from, ("hr",))
    num = numbers.get(sv.shape_from)
    if num is None or num.role != "input" or num.quantity != "hr":
        return problems  # check_number has said why
    a = num.analysis
    if a is None or a.kind != "cox" or a.term != group_variable:
        return problems + [
            (
                where,
                f"{sv.shape_from!r} must be declared as a Cox hazard ratio of the group variable "
                f"{group_variable!r} (analysis kind cox, term {group_variable})",
            )
        ]
    ref = a.reference.get(group_variable, first_group)
    missing = [g for g in (a.level, ref) if g not in sv.medians]
    if missing:
        return problems + [
            (
                where,
                f"the contrast {a.level!r} vs {ref!r} needs a median of each group; none for {missing}",
            )
        ]
    from hccrep.simulate.outcomes import weibull_shape_from_hr

    hr, m_level, m_ref = _shape_from_parts(sv, numbers, group_variable, first_group)
    try:
        weibull_shape_from_hr(hr, m_level, m_ref)
    except ValueError as e:
        problems.append((where, str(e)))
    return problems


def _resolve_shapes(sim: SimulationFile, files: dict) -> SimulationFile:
    """The simulation with each ``shape_from`` turned into its Weibull shape (validated before)."""
    if not any(sv.shape_from for sv in sim.survival):
        return sim
    from hccrep.simulate.outcomes import weibull_shape_from_hr

    numbers = {n.key: n for f in files.values() if isinstance(f, ResultsFile) for n in f.numbers}
    first = files[sim.baseline].groups[0].key
    survival = [
        sv.model_copy(
            update={
                "shape": weibull_shape_from_hr(
                    *_shape_from_parts(sv, numbers, sim.group_variable, first)
                )
            }
        )
        if sv.shape_from
        else sv
        for sv in sim.survival
    ]
    return sim.model_copy(update={"survival": survival})


def _check_binary(
    sim: SimulationFile,
    base: BaselineFile,
    variables: dict,
    numbers: dict,
    check_level,
    check_number,
) -> list[tuple[str, str]]:
    """Cross-file checks of the ``binary`` outcome blocks (groups, count keys, effects)."""
    problems: list[tuple[str, str]] = []
    groups = {g.key: g for g in base.groups}
    cells: dict[str, int] = {}
    for v in base.variables:
        if isinstance(v, CategoricalVariable):
            for g in base.groups:
                for lv in v.levels:
                    cells[f"{v.key}.{lv.key}.{g.key}"] = parse_count_percent(
                        _cell_printed(v.cells[g.key][lv.key])[0]
                    ).count
    outcomes: set[str] = set()
    for i, b in enumerate(sim.binary):
        loc = f"binary[{i}] ({b.outcome})"
        if b.outcome in outcomes:
            problems.append((f"{loc}.outcome", f"duplicate outcome {b.outcome!r}"))
        outcomes.add(b.outcome)
        if b.outcome in variables and b.outcome != b.variable:
            problems.append(
                (
                    f"{loc}.outcome",
                    f"{b.outcome!r} clashes with a baseline variable (name it in `variable` to replace it)",
                )
            )
        if (b.variable is None) != (b.positive is None):
            problems.append((loc, "give both variable and positive, or neither"))
        elif b.variable is not None:
            check_level(f"{loc}.positive", b.variable, b.positive)
        if set(b.prevalence) != set(groups):
            problems.append((f"{loc}.prevalence", f"needs exactly the groups {sorted(groups)}"))
        for g, key in b.prevalence.items():
            if key in cells:
                var, lev, grp = key.split(".")
                if grp != g:
                    problems.append(
                        (
                            f"{loc}.prevalence.{g}",
                            f"{key!r} is a cell of group {grp!r}, not of {g!r}",
                        )
                    )
                elif b.variable is not None and (var, lev) != (b.variable, b.positive):
                    problems.append(
                        (
                            f"{loc}.prevalence.{g}",
                            f"{key!r} is not a cell of {b.variable}.{b.positive}",
                        )
                    )
            elif key in numbers:
                check_number(f"{loc}.prevalence.{g}", key, ("count",))
                if (
                    g in groups
                    and numbers[key].role == "input"
                    and not 0 <= numbers[key].value <= groups[g].n
                ):
                    problems.append(
                        (
                            f"{loc}.prevalence.{g}",
                            f"{numbers[key].value} positives is impossible in a group of {groups[g].n}",
                        )
                    )
            else:
                problems.append(
                    (
                        f"{loc}.prevalence.{g}",
                        f"unknown reported number {key!r} (a results count or a baseline cell variable.level.group)",
                    )
                )
        for j, e in enumerate(b.effects):
            eloc = f"{loc}.effects[{j}]"
            if e.variable == b.variable:
                problems.append((f"{eloc}.variable", "an outcome cannot be its own covariate"))
            if e.level is None:
                v = variables.get(e.variable)
                if not isinstance(v, ContinuousVariable):
                    problems.append(
                        (
                            f"{eloc}.level",
                            f"a per-unit effect (no level) needs a continuous variable; {e.variable!r} is {'unknown' if v is None else 'categorical'}",
                        )
                    )
            else:
                check_level(f"{eloc}.variable", e.variable, e.level)
            check_number(f"{eloc}.or_key", e.or_key, ("or", "log_or"))
    return problems


# ----------------------------------------------------------------------------- whole-study checks


def _check_study(study: Study) -> None:
    """Checks that need every file at once: keys, correlations, declared analyses."""
    _check_flat_keys(study)
    _check_about_references(study)
    if study.simulation is not None and study.simulation.baseline is not None:
        _check_correlations(study)
        _check_input_count_groups(study)
    _check_analyses(study)


def _file_path(study: Study, file_id: str) -> Path:
    return study.folder / f"{file_id}.yaml"


def _check_flat_keys(study: Study) -> None:
    """Every flattened key (``sex.p``, ``n.io_t``, a results key) names one number of the study."""
    seen: dict[str, str] = {}
    for num in study.numbers:
        if num.key in seen:
            other = seen[num.key]
            raise DataFileError(
                _file_path(study, num.file_id),
                [
                    (
                        num.key,
                        f"the key {num.key!r} is also a number of {other}.yaml; "
                        "every number of a study needs its own key (rename the results number, "
                        "or name the baseline table the cohort is built from in simulation.yaml)",
                    )
                ],
            )
        seen[num.key] = num.file_id


def _check_about_references(study: Study) -> None:
    """Every cross-reference of an ``about`` (``p_key``, ``hr_key``, ``same_as``, ...) names a number of the study."""
    import difflib

    keys = {n.key for n in study.numbers}
    for f in study.files.values():
        if not isinstance(f, ResultsFile):
            continue
        problems = []
        for i, num in enumerate(f.numbers):
            for name, ref in num.about.references().items():
                if ref in keys and ref != num.key:
                    continue
                if ref == num.key:
                    msg = f"{name} names the number itself ({ref!r})"
                else:
                    close = difflib.get_close_matches(ref, sorted(keys), n=1, cutoff=0.6)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    msg = f"{ref!r} is not the key of a reported number of {study.key}{hint}"
                problems.append((f"numbers[{i}] ({num.key}).about.{name}", msg))
        if problems:
            raise DataFileError(_file_path(study, f.file_id), problems)


def _check_input_count_groups(study: Study) -> None:
    """An input count a study module draws (``about`` with ``count`` and ``group``) names a group of the cohort and fits in it."""
    base = study.baseline()
    sizes = {g.key: g.n for g in base.groups}
    if base.total is not None:
        sizes[base.total.key] = base.total.n
    for f in study.files.values():
        if not isinstance(f, ResultsFile):
            continue
        problems = []
        for i, num in enumerate(f.numbers):
            a = num.about
            if num.role != "input" or a.count is None or a.group is None:
                continue
            loc = f"numbers[{i}] ({num.key}).about"
            if num.analysis is not None and getattr(num.analysis, "by", None):
                # a split by another variable (an outcome group): bounded by its own n
                if a.n is not None and _is_whole(a.count) and a.count > a.n:
                    problems.append((f"{loc}.count", f"a count of {a.count:g} exceeds n {a.n:g}"))
                continue
            g = str(a.group)
            if g not in sizes:
                problems.append(
                    (
                        f"{loc}.group",
                        f"unknown group {g!r}; the groups of {base.file_id} are {sorted(sizes)}",
                    )
                )
            elif _is_whole(a.count) and a.count > sizes[g]:
                problems.append(
                    (
                        f"{loc}.count",
                        f"a count of {a.count:g} cannot exceed the {sizes[g]} patients of group {g!r}",
                    )
                )
        if problems:
            raise DataFileError(_file_path(study, f.file_id), problems)


def _check_correlations(study: Study) -> None:
    """The declared latent correlations form a valid (positive definite) correlation matrix."""
    import numpy as np

    sim = study.simulation
    path = study.folder / "simulation.yaml"
    pairs: dict[frozenset, tuple[int, float]] = {}
    problems: list[tuple[str, str]] = []
    for i, c in enumerate(sim.correlations):
        pair = frozenset((c.a, c.b))
        if pair in pairs:
            j, rho = pairs[pair]
            problems.append(
                (
                    f"correlations[{i}]",
                    f"{c.a}-{c.b} is declared twice (correlations[{j}] with rho {rho}, here {c.rho})",
                )
            )
        pairs[pair] = (i, c.rho)
    if problems:
        raise DataFileError(path, problems)
    names = sorted({v for pair in pairs for v in pair})
    if len(names) < 3:
        return
    idx = {k: i for i, k in enumerate(names)}
    r = np.eye(len(names))
    for pair, (_, rho) in pairs.items():
        a, b = sorted(pair)
        r[idx[a], idx[b]] = r[idx[b], idx[a]] = rho
    if np.linalg.eigvalsh(r).min() > 1e-10:
        return
    # name the smallest sets of variables whose correlations already contradict each other
    bad = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            for c in range(b + 1, len(names)):
                sub = r[np.ix_([a, b, c], [a, b, c])]
                if np.linalg.eigvalsh(sub).min() <= 1e-10:
                    bad.append(
                        f"{names[a]}, {names[b]}, {names[c]} (rho {sub[0, 1]:g}, {sub[0, 2]:g}, {sub[1, 2]:g})"
                    )
    detail = (
        "; ".join(bad)
        if bad
        else "no three of them conflict alone; the whole set does: "
        + ", ".join(f"{sorted(p)[0]}-{sorted(p)[1]}" for p in pairs)
    )
    raise DataFileError(
        path,
        [
            (
                "correlations",
                "the declared correlations cannot hold together (the matrix is not "
                "positive definite); these variables conflict: " + detail,
            )
        ],
    )


class _Columns:
    """What a simulated cohort of the study holds: variables with their levels, endpoints, outcomes."""

    def __init__(self, study: Study):
        sim = study.simulation
        self.group = sim.group_variable if sim else "group"
        base = study.baseline() if sim is not None and sim.baseline is not None else None
        self.levels: dict[str, list[str] | None] = {}
        # a study whose module simulates the whole cohort (a review) declares its columns only
        if base is not None:
            self.levels[self.group] = [g.key for g in base.groups]
            for v in base.variables:
                self.levels[v.key] = (
                    [lv.key for lv in v.levels] if isinstance(v, CategoricalVariable) else None
                )
        self.binary = {b.outcome for b in sim.binary} if sim else set()
        for b in self.binary:
            self.levels.setdefault(b, ["0", "1"])
        self.endpoints = [sv.endpoint for sv in sim.survival] if sim else []
        module = sim.module_columns if sim else {}
        self.endpoints += [
            c[: -len("_time")]
            for c in module
            if c.endswith("_time") and f"{c[: -len('_time')]}_event" in module
        ]
        for name, kind in sim.module_columns.items() if sim else []:
            self.levels[name] = None if kind == "numeric" else [str(x) for x in kind]
            if kind != "numeric" and sorted(map(str, kind)) == ["0", "1"]:
                self.binary.add(name)
        for ep in self.endpoints:  # each endpoint's columns: a numeric time and a 0/1 event
            self.levels.setdefault(f"{ep}_time", None)
            self.levels.setdefault(f"{ep}_event", ["0", "1"])
            self.binary.add(f"{ep}_event")
        self.base = base

    def check_var(
        self, loc: str, var: str, problems: list, categorical: bool | None = None
    ) -> bool:
        if var not in self.levels:
            known = sorted(self.levels)
            problems.append(
                (
                    loc,
                    f"unknown column {var!r}; the simulated cohort has {known}"
                    if known
                    else "the study simulates no cohort (simulation.yaml with a baseline table is needed)",
                )
            )
            return False
        if categorical is True and self.levels[var] is None:
            problems.append((loc, f"{var!r} is continuous; a categorical variable is needed here"))
            return False
        if categorical is False and self.levels[var] is not None and var not in self.binary:
            problems.append((loc, f"{var!r} is categorical; a numeric variable is needed here"))
            return False
        return True

    def check_level(self, loc: str, var: str, level: str | None, problems: list) -> None:
        if level is None or var not in self.levels or self.levels[var] is None:
            return
        if str(level) not in self.levels[var]:
            problems.append(
                (loc, f"unknown level {level!r} of {var!r}; levels are {self.levels[var]}")
            )


def _check_analyses(study: Study) -> None:
    """Every declared analysis refers to what the simulated cohort holds, and fits its number."""
    from hccrep.declared import ANALYSIS_KINDS

    cols = _Columns(study)
    by_file: dict[str, list[tuple[str, str]]] = {}
    for f in study.files.values():
        if isinstance(f, BaselineFile):
            by_file.setdefault(f.file_id, []).extend(_check_table_tests(f))
    for num in study.numbers:
        a = num.analysis
        if a is None:
            continue
        problems = by_file.setdefault(num.file_id, [])
        fid = study.files[num.file_id]
        loc = (
            num.key
            if isinstance(fid, BaselineFile)
            else f"numbers[{[n.key for n in fid.numbers].index(num.key)}] ({num.key}).analysis"
        )
        cls = ANALYSIS_KINDS[a.kind]
        allowed = set(cls.QUANTITIES) | (
            {"p"} if a.kind in ("cox", "logistic", "logrank", "table1_test") else set()
        )
        if num.quantity not in allowed:
            problems.append(
                (loc, f"a {a.kind} analysis computes {sorted(allowed)}, not a {num.quantity}")
            )
        if a.kind in ("cox", "logistic") and num.quantity == "p" and (num.lower is not None):
            problems.append((loc, "a p-value has no interval"))
        if cols.base is None and not cols.levels:
            problems.append(
                (
                    loc,
                    "an analysis needs a simulated cohort: simulation.yaml naming a baseline table",
                )
            )
            continue
        if a.population is not None:
            pop = a.population
            if cols.check_var(
                f"{loc}.population.treatment", pop.treatment, problems, categorical=True
            ):
                cols.check_level(f"{loc}.population.treated", pop.treatment, pop.treated, problems)
            for var in pop.covariates:
                cols.check_var(f"{loc}.population.covariates", var, problems)
            values = {n.key for n in study.numbers}
            for name in ("ratio_key", "caliper_key"):
                ref = getattr(pop, name)
                if ref is not None and ref not in values:
                    problems.append(
                        (f"{loc}.population.{name}", f"unknown reported number {ref!r}")
                    )
        by = (getattr(a, "by", None) if a.kind != "interaction" else None) or cols.group
        if getattr(a, "by", None) is not None and a.kind != "interaction":
            cols.check_var(f"{loc}.by", a.by, problems, categorical=True)
        if hasattr(a, "endpoint") and a.endpoint not in cols.endpoints:
            problems.append(
                (
                    f"{loc}.endpoint",
                    f"unknown endpoint {a.endpoint!r}; simulation.yaml declares {cols.endpoints}",
                )
            )
        if hasattr(a, "outcome") and a.outcome not in cols.binary:
            problems.append(
                (
                    f"{loc}.outcome",
                    f"unknown outcome {a.outcome!r}; simulation.yaml declares the binary outcomes {sorted(cols.binary)}",
                )
            )
        for name in ("group",):
            if getattr(a, name, None) is not None:
                cols.check_level(f"{loc}.{name}", by, getattr(a, name), problems)
        for g in getattr(a, "groups", None) or []:
            cols.check_level(f"{loc}.groups", by, g, problems)
        for var, lev in (getattr(a, "subset", None) or {}).items():
            if a.kind in ("cox", "logistic"):
                break  # checked below
            if cols.check_var(f"{loc}.subset.{var}", var, problems, categorical=True):
                cols.check_level(f"{loc}.subset.{var}", var, lev, problems)
        if a.kind == "table1_test":
            from hccrep.declared import CATEGORICAL_TESTS as cat_tests

            for name in [a.variable, *a.smallest_of]:
                if cols.check_var(f"{loc}.variable", name, problems):
                    is_cat = cols.levels[name] is not None
                    if (a.variant.used in cat_tests) != is_cat:
                        problems.append(
                            (
                                f"{loc}.variant",
                                f"{a.variant.used!r} does not test a {'categorical' if is_cat else 'continuous'} variable",
                            )
                        )
                    for lev in a.collapse or []:
                        cols.check_level(f"{loc}.collapse", name, lev, problems)
        elif a.kind == "summary":
            cols.check_var(f"{loc}.variable", a.variable, problems, categorical=False)
        elif a.kind == "proportion":
            if cols.check_var(f"{loc}.variable", a.variable, problems, categorical=True):
                if a.level is None and a.variable not in cols.binary:
                    problems.append(
                        (f"{loc}.level", f"name the level of {a.variable!r} that is counted")
                    )
                cols.check_level(f"{loc}.level", a.variable, a.level, problems)
        elif a.kind in PREDICTION_KINDS:
            _check_scores(cols, loc, a, problems)
        elif a.kind in ("cox", "logistic", "c_index", "td_auc"):
            for t in getattr(a, "terms", None) or []:
                cols.check_var(f"{loc}.terms", t, problems)
            for var, lev in getattr(a, "reference", {}).items():
                cols.check_level(f"{loc}.reference.{var}", var, lev, problems)
            if a.kind in ("cox", "logistic"):
                if a.term in cols.levels:
                    if (
                        cols.levels[a.term] is not None
                        and a.term not in cols.binary
                        and a.level is None
                        and a.term not in a.collapse
                    ):
                        problems.append(
                            (
                                f"{loc}.level",
                                f"{a.term!r} is categorical: name the level whose ratio this is",
                            )
                        )
                    elif cols.levels[a.term] is None and a.level is not None:
                        problems.append(
                            (
                                f"{loc}.level",
                                f"{a.term!r} is continuous: a per-unit ratio has no level",
                            )
                        )
                    cols.check_level(f"{loc}.level", a.term, a.level, problems)
                for var, lev in a.subset.items():
                    if cols.check_var(f"{loc}.subset.{var}", var, problems, categorical=True):
                        cols.check_level(f"{loc}.subset.{var}", var, lev, problems)
                for var, levels in a.collapse.items():
                    for lev in levels:
                        cols.check_level(f"{loc}.collapse.{var}", var, lev, problems)
            if getattr(a, "marker", None) is not None:
                cols.check_var(f"{loc}.marker", a.marker, problems, categorical=False)
        elif a.kind == "interaction":
            if cols.check_var(f"{loc}.term", a.term, problems, categorical=True):
                cols.check_level(f"{loc}.level", a.term, a.level, problems)
            for var in a.by:
                cols.check_var(f"{loc}.by", var, problems, categorical=True)
        elif a.kind == "top_importance":
            for var in a.variables:
                cols.check_var(f"{loc}.variables", var, problems)
        elif a.kind == "pdp_direction":
            if cols.check_var(f"{loc}.variable", a.variable, problems):
                if cols.levels[a.variable] is not None and a.level is None:
                    problems.append(
                        (f"{loc}.level", f"{a.variable!r} is categorical: name the level compared")
                    )
                elif cols.levels[a.variable] is None and a.level is not None:
                    problems.append(
                        (f"{loc}.level", f"{a.variable!r} is numeric: its quartiles are compared")
                    )
                cols.check_level(f"{loc}.level", a.variable, a.level, problems)
    for fid, problems in by_file.items():
        if problems:
            raise DataFileError(_file_path(study, fid), problems)


#: Kinds that judge a score of a binary outcome (:class:`hccrep.declared.Score` fields, ``fit_on``).
PREDICTION_KINDS = (
    "auc",
    "brier",
    "calibration",
    "delong",
    "net_benefit",
    "classification",
    "best",
)


def _check_scores(cols: _Columns, loc: str, a, problems: list) -> None:
    """The scores of a prediction analysis name columns and levels the simulated cohort has."""
    scores = [("", a.score)] + [
        (f".against[{i}]", s) for i, s in enumerate(getattr(a, "against", None) or [])
    ]
    for where, sc in scores:
        for t in sc.terms or []:
            cols.check_var(f"{loc}{where}.terms", t, problems)
        for var, lev in sc.reference.items():
            cols.check_level(f"{loc}{where}.reference.{var}", var, lev, problems)
        if sc.marker is not None:
            cols.check_var(f"{loc}{where}.marker", sc.marker, problems)
    for name in ("fit_on", "cutoff_on"):
        for var, lev in (getattr(a, name, None) or {}).items():
            if cols.check_var(f"{loc}.{name}.{var}", var, problems, categorical=True):
                cols.check_level(f"{loc}.{name}.{var}", var, lev, problems)


def _unknown_tests(variant, names) -> list[tuple[str, str]]:
    """(side, name) of each side of a declared variant that is not one of ``names``."""
    if variant is None:
        return []
    return [
        (side, getattr(variant, side))
        for side in ("stated", "evident")
        if getattr(variant, side) is not None and getattr(variant, side) not in names
    ]


def _check_table_tests(f: BaselineFile) -> list[tuple[str, str]]:
    """The tests declared for a baseline table suit its kinds of variables."""
    problems = []
    for kind, names in (("categorical", CATEGORICAL_TESTS), ("continuous", CONTINUOUS_TESTS)):
        for side, name in _unknown_tests(getattr(f.tests, kind), names):
            problems.append(
                (
                    f"tests.{kind}.{side}",
                    f"{name!r} is not a {kind} test; choose one of {list(names)}",
                )
            )
    for i, v in enumerate(f.variables):
        names = CATEGORICAL_TESTS if isinstance(v, CategoricalVariable) else CONTINUOUS_TESTS
        for side, name in _unknown_tests(v.p.variant if v.p is not None else None, names):
            problems.append(
                (
                    f"variables[{i}] ({v.key}).p.variant.{side}",
                    f"{name!r} does not test a {v.kind} variable; choose one of {list(names)}",
                )
            )
    return problems

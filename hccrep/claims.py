"""Claims a paper makes in words, declared in ``data/<study>/claims.yaml`` and checked by the audit.

A paper's text says more than its numbers: that groups "did not differ", that
one model was "the best", that a share was so many percent, that two numbers
are the same.  Each such statement is declared once, as a typed claim naming
the numbers it is about (by their keys in the study's data files), and a
generic rule of :mod:`hccrep.audit` (:func:`hccrep.audit.audit_claims`) decides
whether the printed numbers bear it out.  No rule knows any paper.

The kinds (``kind:`` of a claim):

``no_difference``
    the groups did not differ: every named printed p is at least ``alpha``,
    every named baseline row is not significant under every test variant the
    printed counts or mean ± SD allow, and every ``split`` (two groups of a
    baseline table the paper compares in words, without a p) is recomputed.
``significance``
    the text reads each named number (a p, or a ratio with its interval) as
    significant (``reads: significant``) or not (``reads: not_significant``).
``extreme``
    a superlative ("lowest", "highest", "best"): the ``cited`` number is the
    smallest or largest ``among`` the named cells.
``same_number``
    one quantity printed in two places (text and table, two tables): the
    printed values (and intervals) agree.
``distinct``
    numbers about different things (two subgroups, two tests) that should not
    print identically; identical ones are a finding.
``range``
    a range printed in the text (``61.5%-70.2%``) against the cells it
    summarises (their smallest and largest value or percentage).
``percent``
    a percentage against its count and denominator; when they disagree, which
    ``alternatives`` (other denominators) reproduce it; without a count, which
    counts ``k`` out of ``n`` print as the percentage (GRIM for proportions).
``grim`` / ``debit``
    a mean of ``n`` integer-valued data (GRIM), or the mean and SD of a binary
    variable (DEBIT), against what ``n`` values can give.
``ci_p``
    a ratio with its confidence interval: inside it, symmetric on the log
    scale, and (with ``p``) the Wald p the interval implies, allowing for
    rounding (Altman and Bland).
``ordered``
    numbers the text or the design implies are ordered (risk groups, training
    above validation).
``bounds``
    a number that cannot leave a range (a score that cannot be negative).
``count_listed``
    a printed count of items against a printed list of them.
``quotient``
    the ratio of two printed numbers against the range their units allow.
``events_implied``
    the number of events the width of a hazard ratio's interval implies for a
    binary covariate (a note, the reader's yardstick).
``curated``
    a finding that no rule computes (a citation printed twice, say): the
    curator states it and its status, and the audit labels it as curated.

Examples
--------
>>> from hccrep.claims import ClaimsFile
>>> f = ClaimsFile.model_validate({"study": "s", "file_id": "claims", "type": "claims",
...     "claims": [{"key": "a", "kind": "bounds", "says": "a score", "number": "x",
...                 "min": 0.0, "why": "counts cannot be negative"}]})
>>> f.claims[0].kind
'bounds'
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

__all__ = ["CLAIM_KINDS", "CLAIM_MODELS", "ClaimsFile", "Quoted", "Split", "claim_number_keys"]

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][_a-z0-9]*$")]
# a reported number's key (baseline cells are ``variable.level.group``, limits ``key.lower``);
# the underscore leads each character class so that the pattern, shown by the API appendix,
# never reads as a reStructuredText reference (``name_``)
NumberKey = Annotated[str, StringConstraints(pattern=r"^[a-z][_a-z0-9]*(\.[_A-Za-z0-9]+)*$")]
Status = Literal["ok", "note", "inconsistent"]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Quoted(_M):
    """A number the text prints in words or in passing, not recorded as a reported number."""

    printed: str = Field(min_length=1, description="as printed, e.g. 'six of seven'")
    value: float
    where: str = Field(min_length=1, description="section or sentence")


Operand = Union[NumberKey, Quoted]


class Split(_M):
    """Two or more groups of a baseline table that the paper compares in words, without a p."""

    variable: Key = Field(description="a variable of the baseline table")
    groups: list[Key] = Field(min_length=2, description="the groups compared")
    file: Key | None = Field(default=None, description="the baseline file (default: the study's)")


class _Claim(_M):
    key: Key = Field(description="a name unique among the study's claims")
    says: str = Field(min_length=1, description="what the paper states, in the curator's words")
    where: str | None = Field(default=None, description="section or sentence of the statement")
    judges: bool = Field(
        default=True,
        description="whether its finding decides the scorecard verdict of the numbers it names "
        "(false: a yardstick for the reader, such as an expectation the paper never states)",
    )


class NoDifference(_Claim):
    """The groups did not differ: each printed p at least ``alpha``, each named baseline row and each split not significant under every test variant the printed summaries allow."""

    kind: Literal["no_difference"]
    p: list[NumberKey] = Field(default_factory=list, description="printed p-values it covers")
    splits: list[Split] = Field(default_factory=list)
    alpha: float = Field(default=0.05, gt=0, lt=1)

    @model_validator(mode="after")
    def _some(self):
        if not self.p and not self.splits:
            raise ValueError("name at least one printed p (`p`) or one split (`splits`)")
        return self


class Significance(_Claim):
    """The text reads each number as significant (or not): a p against ``alpha``, a ratio's interval against 1."""

    kind: Literal["significance"]
    reads: Literal["significant", "not_significant"]
    numbers: list[NumberKey] = Field(min_length=1, description="p-values or ratios with a CI")
    alpha: float = Field(default=0.05, gt=0, lt=1)


class Extreme(_Claim):
    """A superlative (lowest, highest, best): the cited number is the smallest or largest of the cells it is compared with."""

    kind: Literal["extreme"]
    which: Literal["lowest", "highest"]
    cited: Operand
    among: list[NumberKey] = Field(min_length=1, description="the cells compared (cited included)")


class SameNumber(_Claim):
    """One quantity printed in two places (text and table, two sections): the printed values and intervals agree."""

    kind: Literal["same_number"]
    numbers: list[Operand] = Field(min_length=2)
    search: list[NumberKey] = Field(
        default_factory=list,
        description="other cells to name when they disagree (whose value the odd one prints)",
    )


class Distinct(_Claim):
    """Numbers about different things (two endpoints, two tests) that should not print identically."""

    kind: Literal["distinct"]
    numbers: list[NumberKey] = Field(min_length=2)
    if_equal: Literal["note", "inconsistent"] = "note"


class Range(_Claim):
    """A range in the text against the cells it summarises (their smallest and largest value or percentage)."""

    kind: Literal["range"]
    number: NumberKey = Field(description="the range as printed (value = lower, upper limit)")
    over: list[NumberKey] = Field(min_length=2)
    statistic: Literal["value", "percent"] = "value"


class Percent(_Claim):
    """A percentage against its count and denominator, and which declared alternative denominators reproduce it."""

    kind: Literal["percent"]
    percent: NumberKey
    count: Operand | int | None = Field(
        default=None, description="default: the count printed with the percentage"
    )
    n: Operand | int
    alternatives: dict[str, int] = Field(
        default_factory=dict, description="other denominators, by what they count"
    )


class Grim(_Claim):
    """GRIM: a mean of ``n`` integer-valued data (``items`` integers per subject) against what ``n`` values can give."""

    kind: Literal["grim"]
    mean: NumberKey
    n: Operand | int
    items: int = Field(default=1, ge=1, description="integer items summed per subject")


class Debit(_Claim):
    """DEBIT: the mean and SD of a binary variable against what ``n`` zeros and ones can give."""

    kind: Literal["debit"]
    mean: NumberKey = Field(description="a proportion (0-1) or percentage of a binary variable")
    sd: NumberKey
    n: Operand | int


class CIP(_Claim):
    """A ratio with its confidence interval: inside it, symmetric on the log scale, and the Wald p the interval implies (with ``p``)."""

    kind: Literal["ci_p"]
    ratio: NumberKey
    p: NumberKey | None = None


class Ordered(_Claim):
    """Numbers that should be ordered (risk groups by risk, training above validation)."""

    kind: Literal["ordered"]
    numbers: list[NumberKey] = Field(min_length=2)
    direction: Literal["increasing", "decreasing"]
    if_violated: Literal["note", "inconsistent"] = "inconsistent"


class Bounds(_Claim):
    """A number that cannot leave a range (a score that cannot be negative)."""

    kind: Literal["bounds"]
    number: NumberKey
    min: float | None = None
    max: float | None = None
    why: str = Field(min_length=1)


class CountListed(_Claim):
    """A printed count of items against a printed list of them."""

    kind: Literal["count_listed"]
    count: Operand
    listed: str = Field(min_length=1, description="the list as printed, items separated by commas")


class Quotient(_Claim):
    """The ratio of two printed numbers against the range their units allow."""

    kind: Literal["quotient"]
    numerator: NumberKey
    denominator: NumberKey
    plausible: list[float] = Field(min_length=2, max_length=2, description="[low, high]")
    why: str = Field(min_length=1)


class EventsImplied(_Claim):
    """The number of events the width of a hazard ratio's interval implies for a binary covariate (a yardstick; it judges nothing)."""

    kind: Literal["events_implied"]
    judges: bool = False
    ratio: NumberKey
    exposed: list[NumberKey] = Field(min_length=1, description="count cells of the exposed level")
    total: int = Field(gt=0)


class Curated(_Claim):
    """A finding no rule computes (a reference printed under two numbers): stated by the curator, labelled as curated."""

    kind: Literal["curated"]
    status: Status
    finding: str = Field(min_length=1)
    numbers: list[NumberKey] = Field(default_factory=list)


Claim = Annotated[
    Union[
        NoDifference,
        Significance,
        Extreme,
        SameNumber,
        Distinct,
        Range,
        Percent,
        Grim,
        Debit,
        CIP,
        Ordered,
        Bounds,
        CountListed,
        Quotient,
        EventsImplied,
        Curated,
    ],
    Field(discriminator="kind"),
]

#: every ``kind`` a claim may take -> its model
CLAIM_MODELS = {
    "no_difference": NoDifference,
    "significance": Significance,
    "extreme": Extreme,
    "same_number": SameNumber,
    "distinct": Distinct,
    "range": Range,
    "percent": Percent,
    "grim": Grim,
    "debit": Debit,
    "ci_p": CIP,
    "ordered": Ordered,
    "bounds": Bounds,
    "count_listed": CountListed,
    "quotient": Quotient,
    "events_implied": EventsImplied,
    "curated": Curated,
}
#: every ``kind`` a claim may take
CLAIM_KINDS = tuple(CLAIM_MODELS)


class ClaimsFile(_M):
    """``data/<study>/claims.yaml``: the statements of the paper the audit checks."""

    study: Key
    file_id: Literal["claims"]
    type: Literal["claims"]
    claims: list[Claim] = Field(min_length=1)


_NUMBER_FIELDS = (
    "p",
    "numbers",
    "cited",
    "among",
    "search",
    "number",
    "over",
    "percent",
    "count",
    "n",
    "mean",
    "sd",
    "ratio",
    "numerator",
    "denominator",
    "exposed",
)


def claim_number_keys(claim) -> list[tuple[str, str]]:
    """The reported numbers a claim names, as ``(field path, key)`` pairs.

    Parameters
    ----------
    claim : BaseModel
        One claim of a :class:`ClaimsFile`.

    Returns
    -------
    list of tuple of (str, str)
        The field path inside the claim (``"among[2]"``) and the number key, in
        field order; quoted numbers and integers are left out.

    Examples
    --------
    >>> f = ClaimsFile.model_validate({"study": "s", "file_id": "claims", "type": "claims",
    ...     "claims": [{"key": "a", "kind": "same_number", "says": "twice",
    ...                 "numbers": ["x", {"printed": "7", "value": 7.0, "where": "3.1"}]}]})
    >>> claim_number_keys(f.claims[0])
    [('numbers[0]', 'x')]
    """
    out = []
    for name in _NUMBER_FIELDS:
        v = getattr(claim, name, None)
        if isinstance(v, str):
            out.append((name, v))
        elif isinstance(v, list):
            out += [(f"{name}[{i}]", x) for i, x in enumerate(v) if isinstance(x, str)]
    return out

"""What a reported number is about: the typed, closed descriptor of a results number.

Every number of a results file may carry ``about:``, a mapping with the fields of
:class:`About` and no others.  It says what the number describes (the endpoint, the
variable and level, the group, the model, the cohort, the time point...), names the
other reported numbers it belongs with (its p-value, its hazard ratio, the number it
repeats) and, for a review, the publication it cites (``source``).  These fields are
for the study modules, the audit and the book; what *computes* a check is its
``analysis:`` block (:mod:`hccrep.declared`), never ``about``.  A curator's remark is
the number's ``note`` (free text).

One spelling per concept: an unknown field is a load-time error that names the
allowed fields and the closest spelling, and a cross-reference (a field ending in
``_key``, and ``same_as``) must name a reported number of the same study.

Examples
--------
>>> a = About(endpoint="os", group="io_t", horizon=12)
>>> a.endpoint, a.horizon, a.variable is None
('os', 12, True)
>>> sorted(a.given())
['endpoint', 'group', 'horizon']
>>> About(p_key="os_p").references()
{'p_key': 'os_p'}
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

__all__ = ["About", "Citation", "REFERENCE_FIELDS", "RETIRED_SPELLINGS", "suggest_field"]

_Key = Annotated[str, StringConstraints(pattern=r"^[a-z][_a-z0-9]*$")]
#: the key of another reported number: a results key, or a flattened baseline key
#: (``<variable>.<level>.<group>``, ``n.<group>``)
NumberKey = Annotated[
    str, StringConstraints(pattern=r"^[a-z][_a-z0-9]*(\.[A-Za-z0-9][_A-Za-z0-9]*)*$")
]
#: a level or group key as in the baseline table (capitals allowed, e.g. ``B``)
_Level = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]


def _whole(x: object) -> object:
    """A float with no fractional part (``42.0``) is the whole number it writes."""
    return int(x) if isinstance(x, float) and x.is_integer() else x


#: a whole number, written ``42`` or ``42.0`` (never as text)
Whole = Annotated[int, BeforeValidator(_whole)]
#: months; several time points for a statement about all of them
Horizon = Union[int, float, list[Union[int, float]]]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Citation(_Closed):
    """A publication a review cites for the number."""

    ref: str = Field(
        pattern=r"^\[\d+(?:[,–-] ?\d+)*\]$",
        description="the reference number(s) as printed, e.g. '[108]' or '[23, 25, 60]'",
    )
    author: str | None = Field(default=None, description="first author, as the table prints it")
    year: int | None = Field(default=None, ge=1900, le=2100, description="year of publication")
    printed: str | None = Field(
        default=None,
        description="the citation as the row prints it, e.g. 'Liu et al., 2023 [100]' "
        "(must end with `ref`)",
    )

    @model_validator(mode="after")
    def _printed_ends_with_ref(self) -> Citation:
        if self.printed is not None and not self.printed.endswith(self.ref):
            raise ValueError(f"printed {self.printed!r} does not end with ref {self.ref!r}")
        return self

    @property
    def numbers(self) -> list[int]:
        """The reference numbers in ``ref``.

        Returns
        -------
        list of int
            The numbers in the brackets, in order.

        Examples
        --------
        >>> Citation(ref="[23, 25, 60]").numbers
        [23, 25, 60]
        """
        return [int(x) for x in re.findall(r"\d+", self.ref)]

    @property
    def label(self) -> str:
        """The citation as printed; else ``Author [n]`` when the author is given; else ``ref``.

        Returns
        -------
        str
            A short label for tables.

        Examples
        --------
        >>> Citation(ref="[108]", author="Takaya", year=2020).label
        'Takaya [108]'
        """
        if self.printed:
            return self.printed
        return f"{self.author} {self.ref}" if self.author else self.ref


#: the fields of :class:`About` that name another reported number of the study
REFERENCE_FIELDS = (
    "p_key",
    "hr_key",
    "or_key",
    "beta_key",
    "z_key",
    "n_key",
    "positives_key",
    "interaction_key",
    "numerator_key",
    "same_as",
)


def _ref(what: str) -> object:
    return Field(default=None, description=f"key of the reported number that is {what}")


class About(_Closed):
    """What a reported number describes, and the numbers it belongs with (``about:``)."""

    # --- what the number is about
    endpoint: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9_.]*(, ?[a-z][a-z0-9_.]*)*$",
        description="the outcome: os, pfs, response, an adverse event (ae_...); several "
        "separated by commas for one number about a set of them",
    )
    variable: _Key | None = Field(default=None, description="the variable (a baseline key)")
    variable_kind: Literal["categorical", "continuous"] | None = Field(
        default=None, description="the kind of `variable`, where the number depends on it"
    )
    level: _Level | None = Field(default=None, description="the level of `variable`")
    reference: _Level | None = Field(
        default=None, description="the reference level (or group) of a contrast"
    )
    contrast: _Level | None = Field(
        default=None, description="the group compared with `reference` (a group key)"
    )
    contrast_printed: str | None = Field(
        default=None, description="the contrast as the paper prints it, e.g. 'B vs A'"
    )
    comparison: str | None = Field(
        default=None, description="what is compared, in words, where no group key says it"
    )
    per_unit: int | float | None = Field(
        default=None, description="the change in `variable` a ratio refers to"
    )
    group: _Level | None = Field(default=None, description="the group (arm) of the number")
    groups: list[_Level] | None = Field(default=None, description="the groups compared")
    n_by_group: dict[_Key, int] | None = Field(
        default=None, description="patients per group (group key -> n) behind the number"
    )
    arm: _Level | None = Field(
        default=None, description="the risk or treatment group within `partition`"
    )
    partition: _Key | None = Field(
        default=None, description="the variable whose levels split `group` further"
    )
    subgroup: _Key | None = Field(default=None, description="a named subset of patients")
    subgroup_variable: _Key | None = Field(
        default=None, description="the variable that defines the subgroup ('all': none)"
    )
    subgroup_level: _Level | None = Field(default=None, description="its level")
    cohort: _Key | None = Field(
        default=None,
        description="the data set: training, validation, internal, external, matched, all...",
    )
    population: _Key | None = Field(default=None, description="analysis population, e.g. itt or pp")
    setting: _Key | None = Field(default=None, description="clinical setting, e.g. curative")
    stratum: str | None = Field(default=None, description="a stratum label as printed")
    grade: str | None = Field(default=None, description="adverse-event grade: any, 3-4, ...")
    criteria: list[_Key] | None = Field(
        default=None, description="response criteria (mrecist, recist11, irecist)"
    )
    outcome: _Key | None = Field(default=None, description="the modelled binary outcome")
    positive: _Level | None = Field(default=None, description="its positive class")
    # --- counts behind a percentage
    count: Whole | None = Field(default=None, ge=0, description="patients with the event")
    n: Whole | None = Field(default=None, ge=1, description="patients the number is computed on")
    # --- the statistic
    statistic: str | None = Field(
        default=None,
        description="what the number is within its row: n, cutoff, auc, min, max, mean, "
        "range_over_groups...",
    )
    direction: Literal["better", "worse", "<", "<=", ">", ">="] | None = Field(
        default=None, description="the side of a threshold, or which way an effect goes"
    )
    horizon: Horizon | None = Field(
        default=None, description="time point(s) in months (landmark rate, time-dependent AUC)"
    )
    interval: Literal["ci95"] | None = Field(default=None, description="the printed interval")
    summary: Literal["mean_sd", "median_iqr", "median_range"] | None = Field(
        default=None, description="how `printed` summarises a distribution"
    )
    adjusted: bool | None = Field(default=None, description="an adjusted (multivariable) effect")
    test_stated: str | None = Field(
        default=None, description="the test as the paper names it, in its words"
    )
    # --- models
    model: str | None = Field(
        default=None, description="the model: univariable, multivariable, cox, rsf, a nomogram"
    )
    model_printed: str | None = Field(default=None, description="the model's name as printed")
    metric: Literal["c_index", "brier", "auc"] | None = Field(
        default=None, description="the performance metric"
    )
    auc_kind: _Key | None = Field(default=None, description="time_dependent, one_year...")
    validation_kind: _Key | None = Field(default=None, description="internal or external")
    parameters: str | None = Field(
        default=None, description="the model's predictors as printed (free text)"
    )
    covariates: list[_Key] | None = Field(
        default=None, description="the variables of the model the number comes from"
    )
    selected_from: str | None = Field(
        default=None, description="the analysis the covariates were selected from"
    )
    variables: list[_Key] | None = Field(
        default=None, description="the variables a statement names (e.g. its top k)"
    )
    k: int | None = Field(default=None, ge=1, description="how many top variables it names")
    claim: _Key | None = Field(
        default=None, description="the statement a runner tests (best_model, top_k, ...)"
    )
    against: list[_Key] | None = Field(default=None, description="the comparator models")
    method: str | None = Field(default=None, description="the method, in words")
    scale: str | None = Field(default=None, description="the scale of the number, in words")
    cutoff: str | None = Field(default=None, description="how the cut-off was chosen, in words")
    ratio: str | None = Field(default=None, description="a split ratio as printed, e.g. 6:4")
    # --- biomarkers (a review)
    marker: str | None = Field(default=None, description="the marker's short name, e.g. NLR")
    marker_label: str | None = Field(default=None, description="the marker's name in words")
    source: Citation | None = Field(default=None, description="the publication cited")
    # --- radiotherapy
    technique: _Key | None = Field(default=None, description="radiotherapy technique")
    timing: _Key | None = Field(default=None, description="concurrent or sequential")
    scope: _Key | None = Field(default=None, description="which irradiated sites")
    alpha_beta: int | float | None = Field(default=None, gt=0, description="α/β in Gy")
    formula: str | None = Field(default=None, description="the formula, in plain text")
    applies_to: str | None = Field(
        default=None, description="what else the number applies to, in words"
    )
    denominator: str | None = Field(
        default=None, description="what a ratio is divided by, in words"
    )
    # --- cross-references (checked at load: the key exists in the study)
    p_key: NumberKey | None = _ref("its p-value")
    hr_key: NumberKey | None = _ref("the hazard ratio this number belongs to")
    or_key: NumberKey | None = _ref("the odds ratio this number belongs to")
    beta_key: NumberKey | None = _ref("its coefficient")
    z_key: NumberKey | None = _ref("its z statistic")
    n_key: NumberKey | None = _ref("the size of its cohort")
    positives_key: NumberKey | None = _ref("the number of positives in its cohort")
    interaction_key: NumberKey | None = _ref("the interaction p of its subgroup")
    numerator_key: NumberKey | None = _ref("the numerator of this ratio")
    same_as: NumberKey | None = _ref("the same result printed elsewhere (not judged twice)")

    def given(self) -> dict:
        """The fields set in the data file.

        Returns
        -------
        dict
            Field name to value, for the fields that are not None.

        Examples
        --------
        >>> About(group="a").given()
        {'group': 'a'}
        """
        return {k: v for k, v in self if v is not None}

    def horizons(self) -> list[float]:
        """The time point(s) of ``horizon`` as a list (empty when none is given).

        Returns
        -------
        list of float
            Months.

        Examples
        --------
        >>> About(horizon=[6, 12]).horizons(), About(horizon=24).horizons(), About().horizons()
        ([6.0, 12.0], [24.0], [])
        """
        h = self.horizon
        if h is None:
            return []
        return [float(x) for x in (h if isinstance(h, list) else [h])]

    def references(self) -> dict[str, str]:
        """The cross-references that are set: field name to the key it names.

        Returns
        -------
        dict of str to str
            For each field of :data:`REFERENCE_FIELDS` that is set.

        Examples
        --------
        >>> About(hr_key="h", group="a").references()
        {'hr_key': 'h'}
        """
        return {k: getattr(self, k) for k in REFERENCE_FIELDS if getattr(self, k) is not None}


#: spellings of the old free ``attrs`` dict and the one field that replaced each
RETIRED_SPELLINGS = {
    "stat": "statistic",
    "same_test_as": "same_as",
    "test": "test_stated",
    "dataset": "cohort",
    "time": "horizon",
    "horizon_years": "horizon",
    "features": "variables",
    "model_covariates": "covariates",
    "kind": "variable_kind",
    "tipm_group": "arm",
    "a": "criteria",
    "b": "criteria",
    "criterion": "criteria",
    "ref": "source",
    "author": "source",
    "year": "source",
    "ref_number": "source",
}


def suggest_field(name: str, allowed: list[str] | tuple[str, ...]) -> str:
    """An error message for an unknown field: the closest spelling and the allowed names.

    Parameters
    ----------
    name : str
        The unknown field.
    allowed : sequence of str
        The field names the model accepts.

    Returns
    -------
    str
        ``unknown field 'x' (did you mean 'y'?); allowed: ...``; a spelling of the old
        ``attrs`` dict (:data:`RETIRED_SPELLINGS`) is pointed to the field that replaced it.

    Examples
    --------
    >>> suggest_field("endpont", ["endpoint", "group"])
    "unknown field 'endpont' (did you mean 'endpoint'?); allowed: endpoint, group"
    >>> suggest_field("stat", ["statistic", "stratum"])
    "unknown field 'stat' (did you mean 'statistic'?); allowed: statistic, stratum"
    """
    retired = RETIRED_SPELLINGS.get(name)
    if retired is None and name.startswith("n_") and "n_by_group" in allowed:
        retired = "n_by_group"
    close = (
        [retired]
        if retired in allowed
        else difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
    )
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown field {name!r}{hint}; allowed: {', '.join(allowed)}"

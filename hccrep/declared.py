"""What computes each check: the typed analysis declarations of the data files.

A reported number in a results file may carry an ``analysis:`` block that says
which analysis of the simulated cohort gives its replicated value. The block
is a tagged union on ``kind``; each kind has its own fields, every unknown key
is an error, and each concept has one spelling (``endpoint``, ``groups``,
``terms``, ``reference``, ``variant``...). Baseline p-values get a
:class:`Table1Test` built from their table (see :mod:`hccrep.spec`).

The **variant** of an analysis (the test of a Table 1 row, the ties method of a
Cox model, the transform of a KM interval) is data too: ``stated`` is what the
paper's methods say, ``evident`` what its numbers show it used (with ``why``).
The scorecard judges under the evident variant and shows the stated one beside
it.

Examples
--------
>>> a = parse_analysis({"kind": "km_median", "endpoint": "os", "group": "a"})
>>> a.kind, a.variant.used
('km_median', 'log')
>>> parse_analysis({"kind": "logrank", "endpoint": "os", "grups": ["a", "b"]})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for tagged-union[...]
...
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Optional, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    model_validator,
)

__all__ = [
    "Matching",
    "Variant",
    "Table1Test",
    "Proportion",
    "Summary",
    "KMMedian",
    "KMLandmark",
    "Logrank",
    "Cox",
    "Interaction",
    "Logistic",
    "AUC",
    "CIndex",
    "Score",
    "ThresholdGrid",
    "Brier",
    "Calibration",
    "DeLong",
    "NetBenefit",
    "Classification",
    "Best",
    "TdAUC",
    "ModelMetric",
    "BestModel",
    "TopImportance",
    "DCASuperiority",
    "PDPDirection",
    "MODEL_KINDS",
    "Analysis",
    "ANALYSIS_KINDS",
    "TABLE1_TESTS",
    "parse_analysis",
]

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][_a-z0-9]*$")]
LevelKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][_A-Za-z0-9]*$")]

#: Tests of a Table 1 row (names of :func:`hccrep.stats.compare_counts` and
#: :func:`hccrep.stats.compare_samples`).
CATEGORICAL_TESTS = ("chisq", "chisq_yates", "fisher", "auto_fisher")
CONTINUOUS_TESTS = ("welch", "student", "mannwhitney", "mannwhitney_exact", "kruskal", "anova")
TABLE1_TESTS = CATEGORICAL_TESTS + CONTINUOUS_TESTS


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Variant(_Model):
    """The variant of an analysis: what the paper states and what it evidently used.

    ``used`` (the one judged) is ``evident`` when given, else ``stated``.
    A variant written as a plain string is read as ``{stated: <string>}``.
    """

    stated: str | None = Field(default=None, description="the variant the paper's methods name")
    evident: str | None = Field(
        default=None, description="the variant the paper's numbers show it used, when it differs"
    )
    why: str | None = Field(
        default=None, description="the evidence for `evident` (required with it)"
    )

    @model_validator(mode="after")
    def _evident_needs_why(self) -> Variant:
        if self.evident is not None and not self.why:
            raise ValueError("an evident variant needs `why` (the evidence that the paper used it)")
        if self.stated is None and self.evident is None:
            raise ValueError("give `stated`, `evident`, or both")
        return self

    @property
    def used(self) -> str:
        return self.evident if self.evident is not None else self.stated  # type: ignore[return-value]


def _as_variant(value: Any) -> Any:
    return {"stated": value} if isinstance(value, str) else value


#: A variant field: a :class:`Variant`, or a plain string read as its ``stated`` side.
VariantField = Annotated[Optional[Variant], BeforeValidator(_as_variant)]


class Matching(_Model):
    """A propensity-score matched sub-cohort: greedy nearest neighbour on a logistic propensity score, as R MatchIt.

    The matching settings a paper prints (ratio, caliper) are reported
    numbers: they are named by key, never typed here.
    """

    treatment: Key = Field(
        description="the two-level column matched on (usually the group variable)"
    )
    treated: LevelKey = Field(description="the level of `treatment` that is treated")
    covariates: list[Key] = Field(min_length=1, description="the propensity model's covariates")
    ratio_key: Key = Field(description="key of the reported matching ratio (e.g. 1 for 1:1)")
    caliper_key: Key | None = Field(
        default=None, description="key of the reported caliper width (none: no caliper)"
    )
    caliper_scale: Literal["logit_sd", "ps_sd", "ps_raw"] = Field(
        default="logit_sd",
        description="what the caliper is a multiple of: SD of the logit (Austin), SD of the score (MatchIt), or the score itself",
    )
    order: Literal["largest", "smallest", "data", "random"] = Field(
        default="largest", description="the order treated patients are matched in"
    )
    why: str = Field(
        min_length=1, description="why these settings (the paper's words, or the assumption taken)"
    )


class _Analysis(_Model):
    """Fields and rules shared by every kind."""

    #: allowed variant names of the kind, and the one used when none is declared
    VARIANTS: ClassVar[tuple[str, ...]] = ()
    DEFAULT_VARIANT: ClassVar[str | None] = None
    #: the quantities a number computed by this kind may have
    QUANTITIES: ClassVar[tuple[str, ...]] = ()

    variant: VariantField = Field(
        default=None, description="the test or estimator variant (see each kind)"
    )
    population: Matching | None = Field(
        default=None, description="compute on a matched sub-cohort instead of the whole cohort"
    )

    @model_validator(mode="after")
    def _known_variant(self) -> _Analysis:
        if self.variant is None:
            if self.DEFAULT_VARIANT is not None:
                object.__setattr__(self, "variant", Variant(stated=self.DEFAULT_VARIANT))
            return self
        for side in ("stated", "evident"):
            name = getattr(self.variant, side)
            if name is not None and self.VARIANTS and name not in self.VARIANTS:
                raise ValueError(
                    f"variant.{side}: {name!r} is not a variant of {self.kind}; choose one of {list(self.VARIANTS)}"
                )
        return self

    def with_variant(self, name: str) -> _Analysis:
        """The same analysis under another variant (for the stated column of the scorecard)."""
        return self.model_copy(update={"variant": Variant(stated=name)})


class Table1Test(_Analysis):
    """A test of one baseline variable across groups (the p-value of a Table 1 row).

    Levels with no patient in any compared group are left out of the table,
    as R's ``chisq.test`` / ``fisher.test`` would fail on them otherwise.
    """

    VARIANTS: ClassVar[tuple[str, ...]] = TABLE1_TESTS
    QUANTITIES: ClassVar[tuple[str, ...]] = ("p",)
    kind: Literal["table1_test"]
    variable: Key
    groups: list[LevelKey] | None = Field(
        default=None, min_length=2, description="the groups compared (default: every group)"
    )
    by: Key | None = Field(
        default=None, description="the grouping column (default: the simulation's group variable)"
    )
    subset: dict[Key, LevelKey] = Field(
        default_factory=dict,
        description="only the patients with these levels (a cohort, a subgroup)",
    )
    collapse: list[LevelKey] | None = Field(
        default=None,
        min_length=1,
        description="test these levels together against the others (a 2 x groups table, e.g. objective response = PR)",
    )
    smallest_of: list[Key] = Field(
        default_factory=list,
        description="further variables tested the same way: the number is the smallest p (a claim about several rows)",
    )


class Proportion(_Analysis):
    """The count or percentage of patients at one level of a variable, within a group."""

    QUANTITIES: ClassVar[tuple[str, ...]] = ("count", "percent")
    kind: Literal["proportion"]
    variable: Key = Field(description="a categorical column or a declared binary outcome (level 1)")
    level: LevelKey | None = Field(
        default=None, description="the level counted; None for a 0/1 outcome (counts the 1s)"
    )
    group: LevelKey | None = Field(
        default=None, description="a level of `by` (default: the whole cohort)"
    )
    by: Key | None = None
    subset: dict[Key, LevelKey] = Field(default_factory=dict)


class Summary(_Analysis):
    """The mean, standard deviation or median of a numeric column within a group."""

    VARIANTS: ClassVar[tuple[str, ...]] = ("sample",)
    DEFAULT_VARIANT: ClassVar[str] = "sample"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("mean", "sd", "median")
    kind: Literal["summary"]
    variable: Key = Field(description="a numeric column (a continuous variable, <endpoint>_time)")
    group: LevelKey | None = None
    by: Key | None = None
    subset: dict[Key, LevelKey] = Field(default_factory=dict)


class _Survival(_Analysis):
    endpoint: Key = Field(
        description="a survival endpoint declared in simulation.yaml (columns <endpoint>_time, _event)"
    )
    by: Key | None = Field(
        default=None, description="the grouping column (default: the simulation's group variable)"
    )
    subset: dict[Key, LevelKey] = Field(
        default_factory=dict,
        description="only the patients with these levels (a cohort, a subgroup)",
    )


class KMMedian(_Survival):
    """Kaplan–Meier median survival with its pointwise-band confidence limits (R ``survfit``).

    A median not reached (the curve stays above one half) lies beyond the
    last follow-up: it is infinite, not missing, so that a printed "not
    reached" or a very long median can be compared with it.
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("log", "log-log", "plain")
    DEFAULT_VARIANT: ClassVar[str] = "log"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("median",)
    kind: Literal["km_median"]
    group: LevelKey | None = Field(
        default=None, description="a level of `by` (default: every patient)"
    )


class KMLandmark(_Survival):
    """Kaplan–Meier survival at a time point, in percent, with its pointwise limits."""

    VARIANTS: ClassVar[tuple[str, ...]] = ("log", "log-log", "plain")
    DEFAULT_VARIANT: ClassVar[str] = "log"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("rate", "percent")
    kind: Literal["km_landmark"]
    group: LevelKey | None = None
    time: float = Field(gt=0, description="the landmark, in the endpoint's time unit")


class Logrank(_Survival):
    """Log-rank test (R ``survdiff``, rho = 0) between two or more groups.

    Variant ``trend``: the log-rank test for trend over the groups in their
    declared order (scores 1, 2, ...; 1 df).
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("logrank", "trend")
    DEFAULT_VARIANT: ClassVar[str] = "logrank"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("p",)
    kind: Literal["logrank"]
    groups: list[LevelKey] | None = Field(
        default=None,
        min_length=2,
        description="the groups compared, only their patients (default: every level of `by`)",
    )


class _Regression(_Analysis):
    terms: list[Key] = Field(
        min_length=1,
        description="model terms: columns of the cohort (a categorical one enters as indicators of its non-reference levels)",
    )
    term: Key = Field(description="the term whose effect this number reports")
    level: LevelKey | None = Field(
        default=None,
        description="the level of a categorical `term` (None: a per-unit effect of a continuous term)",
    )
    reference: dict[Key, LevelKey] = Field(
        default_factory=dict,
        description="reference level per categorical term (default: its first level)",
    )
    subset: dict[Key, LevelKey] = Field(
        default_factory=dict, description="fit on the patients with these levels only (a subgroup)"
    )
    collapse: dict[Key, list[LevelKey]] = Field(
        default_factory=dict,
        description="terms entered as one indicator: 1 for any of these levels, 0 for the others "
        "(a paper's 'TACE or HAIC vs none'); the number of such a term gives no `level`",
    )

    @model_validator(mode="after")
    def _term_in_terms(self) -> _Regression:
        for var, levels in self.collapse.items():
            if var not in self.terms:
                raise ValueError(f"collapse names {var!r}, which is not a term")
            if not levels or len(set(levels)) != len(levels):
                raise ValueError(f"collapse.{var} needs distinct levels")
            if var in self.reference:
                raise ValueError(
                    f"{var!r} is collapsed to one indicator: it takes no reference level"
                )
        if self.term in self.collapse and self.level is not None:
            raise ValueError(f"{self.term!r} is collapsed to one indicator: give no level")
        if self.term not in self.terms:
            raise ValueError(f"term {self.term!r} is not among the model's terms {self.terms}")
        if len(set(self.terms)) != len(self.terms):
            raise ValueError(f"terms repeat a name: {self.terms}")
        for var in self.reference:
            if var not in self.terms:
                raise ValueError(f"reference names {var!r}, which is not a term")
        if self.level is not None and self.reference.get(self.term) == self.level:
            raise ValueError(
                f"level {self.level!r} is the reference of {self.term!r}; its ratio is 1 by definition"
            )
        return self


class Cox(_Regression):
    """Cox proportional-hazards model (Wald CI and p); univariable when ``terms`` has one entry."""

    VARIANTS: ClassVar[tuple[str, ...]] = ("efron", "breslow")
    DEFAULT_VARIANT: ClassVar[str] = "efron"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("hr", "p")
    kind: Literal["cox"]
    endpoint: Key


class Interaction(_Analysis):
    """Wald test of a treatment-by-subgroup product term in a Cox model (term + subgroup + product).

    ``by`` names two-level subgroup variables; with several, the number is the
    smallest of their p-values (a claim such as "no interaction was
    significant" holds when the smallest p does). A subgroup variable of more
    than two levels has no single product term: its p is left out (NaN).
    The model is not estimable (NaN) when a cell of term x subgroup has no
    event, as :func:`hccrep.stats.subgroups.interaction_test` decides.
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("efron", "breslow")
    DEFAULT_VARIANT: ClassVar[str] = "efron"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("p_interaction", "p")
    kind: Literal["interaction"]
    endpoint: Key
    term: Key = Field(description="the two-level treatment column (usually the group variable)")
    level: LevelKey = Field(description="the level of `term` coded 1 (the treated group)")
    by: list[Key] = Field(min_length=1, description="the subgroup variable(s)")


class Logistic(_Regression):
    """Logistic regression (maximum likelihood, Wald CI and p as R ``glm`` + ``confint.default``).

    A number of quantity ``or`` is the odds ratio with its interval; ``log_or``
    the coefficient β with the Wald interval of β; ``z`` the Wald statistic
    β / se; ``p`` its two-sided p-value.
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("wald",)
    DEFAULT_VARIANT: ClassVar[str] = "wald"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("or", "log_or", "z", "p")
    kind: Literal["logistic"]
    outcome: Key = Field(description="a 0/1 outcome declared in simulation.yaml (binary)")


def _check_one_score(model):
    """A score is a marker column or a model's terms, not both and not neither."""
    if (model.marker is None) == (model.terms is None):
        raise ValueError("give exactly one of marker or terms")
    return model


class Score(_Model):
    """A risk score: a marker column, or the prediction of a logistic model of the outcome.

    A numeric ``marker`` is used as it is; a categorical one scores its
    declared levels 0, 1, 2, ... in table order (an ordered factor, as pROC
    reads it). ``terms`` fit a logistic model of the analysis's outcome on the
    patients of the analysis's ``fit_on`` (default: the evaluated patients)
    and score every patient with its predicted probability.
    """

    marker: Key | None = Field(
        default=None,
        description="a column used as the score (numeric, or categorical scored 0, 1, ... in level order)",
    )
    terms: list[Key] | None = Field(
        default=None,
        min_length=1,
        description="or: the terms of a logistic model whose predicted probability is the score",
    )
    reference: dict[Key, LevelKey] = Field(
        default_factory=dict, description="reference level per categorical term"
    )
    direction: Literal["higher", "lower"] = Field(
        default="higher", description="which marker values point to outcome 1"
    )

    @model_validator(mode="after")
    def _one_score(self):
        return _check_one_score(self)


class _Prediction(_Analysis):
    """Fields shared by the kinds that judge a score of a binary outcome."""

    outcome: Key = Field(description="a 0/1 outcome declared in simulation.yaml (binary)")
    marker: Key | None = Field(
        default=None,
        description="a column used as the score (numeric, or categorical scored 0, 1, ... in level order)",
    )
    terms: list[Key] | None = Field(
        default=None,
        min_length=1,
        description="or: the terms of a logistic model whose prediction is the score",
    )
    reference: dict[Key, LevelKey] = Field(
        default_factory=dict, description="reference level per categorical term"
    )
    direction: Literal["higher", "lower"] = Field(
        default="higher", description="which marker values point to outcome 1"
    )
    subset: dict[Key, LevelKey] = Field(
        default_factory=dict,
        description="evaluate on the patients with these levels only (a cohort, a subgroup)",
    )
    fit_on: dict[Key, LevelKey] | None = Field(
        default=None,
        description="fit the model of `terms` on these patients (a training cohort) and apply it "
        "unchanged to the evaluated ones (default: fit on the evaluated patients)",
    )

    @model_validator(mode="after")
    def _one_score(self):
        return _check_one_score(self)

    @property
    def score(self) -> Score:
        """The score of this analysis as a :class:`Score`."""
        return Score(
            marker=self.marker,
            terms=self.terms,
            reference=dict(self.reference),
            direction=self.direction,
        )


class AUC(_Prediction):
    """Area under the ROC curve of a score with its confidence interval (R ``pROC``).

    Variant ``delong``: DeLong's interval (``ci.auc(method = "delong")``),
    symmetric around the AUC. Variant ``bootstrap``: the stratified
    percentile bootstrap (``ci.auc(method = "bootstrap")``), ``n_boot``
    resamples drawn from ``boot_seed``, so each cohort gives the same
    interval on every run.
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("delong", "bootstrap")
    DEFAULT_VARIANT: ClassVar[str] = "delong"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("auc",)
    kind: Literal["auc"]
    n_boot: int = Field(default=2000, ge=100, description="bootstrap resamples (variant bootstrap)")
    boot_seed: int = Field(default=0, ge=0, description="seed of the resamples (variant bootstrap)")


class Brier(_Prediction):
    """Brier score (mean squared difference between predicted risk and outcome).

    The score must be a probability: a logistic model's prediction (``terms``)
    or a marker column of risks in [0, 1].
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("mean_squared",)
    DEFAULT_VARIANT: ClassVar[str] = "mean_squared"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("brier",)
    kind: Literal["brier"]


class Calibration(_Prediction):
    """Calibration of predicted risks: Hosmer–Lemeshow p, calibration slope and intercept.

    Quantity ``p``: the Hosmer–Lemeshow test on ``risk_groups`` quantile groups of
    risk (R ``ResourceSelection::hoslem.test``); variant ``hl_df_formed``
    (df = groups formed - 2, hoslem.test >= 0.3-6) or ``hl_df_requested``
    (df = groups requested - 2, up to 0.3-5). Quantity ``slope``: the
    calibration slope, ``glm(y ~ logit(p))`` (R ``rms::val.prob``'s Slope);
    ``intercept``: calibration in the large, the intercept of
    ``glm(y ~ offset(logit(p)))`` (val.prob's Intercept belongs to the
    fitted slope instead).
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("hl_df_formed", "hl_df_requested")
    DEFAULT_VARIANT: ClassVar[str] = "hl_df_formed"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("p", "slope", "intercept")
    kind: Literal["calibration"]
    risk_groups: int = Field(default=10, ge=3, description="Hosmer–Lemeshow risk groups requested")


class DeLong(_Prediction):
    """Paired DeLong test of the score's AUC against other scores on the same patients (pROC ``roc.test``).

    With several scores in ``against`` the number is the largest p (a claim
    that the score beats every other one holds when the largest p does).
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("delong",)
    DEFAULT_VARIANT: ClassVar[str] = "delong"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("p",)
    kind: Literal["delong"]
    against: list[Score] = Field(min_length=1, description="the scores compared with")


class NetBenefit(_Prediction):
    """Net benefit of treating by the predicted risk at a threshold probability (decision curve)."""

    VARIANTS: ClassVar[tuple[str, ...]] = ("vickers_elkin",)
    DEFAULT_VARIANT: ClassVar[str] = "vickers_elkin"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("net_benefit",)
    kind: Literal["net_benefit"]
    threshold: float = Field(gt=0, lt=1, description="the threshold probability")


class Classification(_Prediction):
    """Sensitivity, specificity, accuracy, precision or F1 at a cut-off of the score.

    Variant ``youden``: the cut-off maximises Youden's J on the patients of
    ``cutoff_on`` (default: those of ``fit_on``, else the evaluated ones), at
    pROC's threshold midpoints; a patient at or above it is called positive.
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("youden",)
    DEFAULT_VARIANT: ClassVar[str] = "youden"
    QUANTITIES: ClassVar[tuple[str, ...]] = (
        "sensitivity",
        "specificity",
        "accuracy",
        "precision",
        "f1",
    )
    kind: Literal["classification"]
    cutoff_on: dict[Key, LevelKey] | None = Field(
        default=None, description="choose the cut-off on these patients"
    )
    scale: Literal["percent", "proportion"] = Field(
        default="percent", description="how the paper prints the metric"
    )


class ThresholdGrid(_Model):
    """Threshold probabilities ``start, start + step, ..., stop`` (a decision curve's range)."""

    start: float = Field(gt=0, lt=1, description="the lowest threshold probability")
    stop: float = Field(gt=0, lt=1, description="the highest threshold probability")
    step: float = Field(gt=0, lt=1, description="the step between thresholds")
    source: str | None = Field(
        default=None, description="where the paper prints the range (figure axis or text)"
    )
    why: str | None = Field(
        default=None,
        description="why this range, when the paper prints none (an analysis choice, not a number)",
    )

    @model_validator(mode="after")
    def _ordered(self) -> ThresholdGrid:
        if self.stop < self.start:
            raise ValueError("stop must not lie below start")
        return self

    def values(self):
        """The thresholds as a numpy array (rounded to 10 decimals)."""
        import numpy as np

        return np.round(np.arange(self.start, self.stop + 1e-9, self.step), 10)


#: Metrics a :class:`Best` claim compares, each with what "better" means.
BEST_METRICS = ("auc", "brier", "hl_p", "net_benefit")


class Best(_Prediction):
    """A claim that the score is better than every other score on every listed metric (1 = it holds).

    ``auc`` and ``hl_p`` (Hosmer–Lemeshow p, ``risk_groups`` groups) must be
    higher, ``brier`` lower, strictly; ``net_benefit`` at least as high at
    every threshold of ``thresholds``. A metric that cannot be computed for
    a score (too few risk groups) makes the claim fail.
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("all_metrics",)
    DEFAULT_VARIANT: ClassVar[str] = "all_metrics"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("statement",)
    kind: Literal["best"]
    against: list[Score] = Field(min_length=1, description="the scores compared with")
    metrics: list[Literal["auc", "brier", "hl_p", "net_benefit"]] = Field(
        min_length=1, description="what the claim compares"
    )
    risk_groups: int = Field(default=10, ge=3, description="Hosmer–Lemeshow risk groups (hl_p)")
    thresholds: ThresholdGrid | None = Field(
        default=None, description="the decision curve's threshold range (net_benefit)"
    )

    @model_validator(mode="after")
    def _grid_for_net_benefit(self) -> Best:
        if "net_benefit" in self.metrics and self.thresholds is None:
            raise ValueError("a net_benefit comparison needs `thresholds`")
        return self


class CIndex(_Analysis):
    """Harrell's C of a Cox model's linear predictor, or of a marker (higher = worse)."""

    VARIANTS: ClassVar[tuple[str, ...]] = ("harrell",)
    DEFAULT_VARIANT: ClassVar[str] = "harrell"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("c_index",)
    kind: Literal["c_index"]
    endpoint: Key
    marker: Key | None = None
    terms: list[Key] | None = Field(default=None, min_length=1)
    reference: dict[Key, LevelKey] = Field(default_factory=dict)
    subset: dict[Key, LevelKey] = Field(
        default_factory=dict, description="only the patients with these levels"
    )

    @model_validator(mode="after")
    def _one_score(self):
        return _check_one_score(self)


class TdAUC(_Analysis):
    """Cumulative/dynamic time-dependent AUC of a marker at a horizon (higher = worse).

    Variant ``ipcw_uno``: cases are patients with an event by ``time``,
    controls those still event-free after it, weighted by the inverse
    probability of censoring (Uno et al. 2007; scikit-survival
    ``cumulative_dynamic_auc``, R ``timeROC`` with ``weighting="marginal"``).
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("ipcw_uno",)
    DEFAULT_VARIANT: ClassVar[str] = "ipcw_uno"
    QUANTITIES: ClassVar[tuple[str, ...]] = ("auc",)
    kind: Literal["td_auc"]
    endpoint: Key
    marker: Key = Field(description="a numeric column (higher = worse)")
    time: float = Field(gt=0, description="the horizon, in the endpoint's time unit")
    subset: dict[Key, LevelKey] = Field(
        default_factory=dict, description="only the patients with these levels"
    )


# ----------------------------------------------------------------------------- fitted prediction models

#: Metrics of a fitted survival model (:meth:`hccrep.survival_models.FittedCollection.metric`).
MODEL_METRICS = ("c_index", "brier", "ibs", "td_auc")
Dataset = Literal["training", "validation"]


class _ModelAnalysis(_Analysis):
    """A number about one of a study's fitted prediction models.

    The models are a *collection* that a study module registers by name
    (:func:`hccrep.analyses.register_models`): it splits the cohort, fits
    each model on the training part and is fitted once per cohort, shared by
    every number that names it.
    """

    collection: Key = Field(description="the registered model collection (usually the study key)")
    model: Key = Field(description="the model of the collection the number is about")
    dataset: Dataset = Field(
        default="validation", description="the data the model is scored on: training or validation"
    )


def _metric_fields(a, horizons: list[float]):
    """A C-index has no horizon and a variant (Harrell's by default); a Brier score or AUC has a horizon and no variant."""
    if a.metric == "c_index" and horizons:
        raise ValueError("a C-index has no horizon (give tau for Uno's C)")
    if a.metric in ("brier", "td_auc") and not horizons:
        raise ValueError(f"a {a.metric} needs a horizon")
    if a.metric == "c_index" and a.variant is None:
        object.__setattr__(a, "variant", Variant(stated="harrell"))
    if a.metric != "c_index" and a.variant is not None:
        raise ValueError(f"variant {a.variant.used!r} is a C-index variant; a {a.metric} has none")
    return a


class ModelMetric(_ModelAnalysis):
    """Discrimination or calibration of one fitted survival model on the training or validation set.

    The models are a collection that the study module registers by name
    (:func:`hccrep.analyses.register_models`), fitted once per cohort.
    Metrics (scikit-survival): ``c_index`` (variant ``harrell``, the
    default: ``concordance_index_censored`` of the risk score; ``uno``:
    ``concordance_index_ipcw`` up to ``tau``), ``brier`` (IPCW Brier score at
    ``horizon``), ``ibs`` (integrated Brier score up to ``horizon``) and
    ``td_auc`` (cumulative/dynamic AUC at ``horizon`` of the predicted risk
    ``1 - S(horizon | x)``). IPCW weights come from the training set.
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("harrell", "uno")
    QUANTITIES: ClassVar[tuple[str, ...]] = ("c_index", "brier", "auc")
    kind: Literal["model_metric"]
    metric: Literal["c_index", "brier", "ibs", "td_auc"]
    horizon: float | None = Field(
        default=None, gt=0, description="time point of a Brier score or AUC; upper end of an IBS"
    )
    tau: float | None = Field(
        default=None,
        gt=0,
        description="Uno's C: truncation time (default: the collection's largest horizon)",
    )

    @model_validator(mode="after")
    def _metric_fields(self) -> ModelMetric:
        return _metric_fields(self, [] if self.horizon is None else [self.horizon])


class BestModel(_ModelAnalysis):
    """Claim: ``model`` has the best ``metric`` of the collection (highest C-index or AUC, lowest Brier or IBS) at every horizon.

    1.0 when it holds on the cohort, 0.0 when another model is better at one
    horizon (a tie counts as holding for the first model in the collection's
    order, as ``max`` picks it).
    """

    VARIANTS: ClassVar[tuple[str, ...]] = ("harrell", "uno")
    QUANTITIES: ClassVar[tuple[str, ...]] = ("statement",)
    kind: Literal["best_model"]
    metric: Literal["c_index", "brier", "ibs", "td_auc"]
    horizons: list[Annotated[float, Field(gt=0)]] = Field(
        default_factory=list, description="time points (none for a C-index)"
    )
    among: list[Key] | None = Field(
        default=None, min_length=2, description="the models compared (default: every model)"
    )

    @model_validator(mode="after")
    def _metric_fields(self) -> BestModel:
        _metric_fields(self, self.horizons)
        if self.among is not None and self.model not in self.among:
            raise ValueError(f"model {self.model!r} is not among {self.among}")
        return self


class TopImportance(_ModelAnalysis):
    """Claim: the ``k`` most important variables of ``model`` are exactly ``variables``, at every horizon.

    Importance is grouped permutation importance: the columns of one
    clinical variable are shuffled together and the importance is the mean
    increase of the IPCW Brier score at the horizon over ``n_repeats``
    shuffles (:func:`hccrep.survival_models.grouped_permutation_importance`).
    """

    QUANTITIES: ClassVar[tuple[str, ...]] = ("statement",)
    kind: Literal["top_importance"]
    horizons: list[Annotated[float, Field(gt=0)]] = Field(min_length=1)
    k: int = Field(ge=1, description="how many top-ranked variables the claim names")
    variables: list[Key] = Field(min_length=1, description="the variables named (any order)")
    n_repeats: int = Field(default=3, ge=1, description="shuffles per variable")

    @model_validator(mode="after")
    def _k_variables(self) -> TopImportance:
        if len(set(self.variables)) != len(self.variables) or len(self.variables) != self.k:
            raise ValueError(f"variables must name k = {self.k} distinct variables")
        return self


class DCASuperiority(_ModelAnalysis):
    """Claim: at ``horizon`` the model's net benefit beats treating all and treating none over a range of thresholds.

    Net benefit of a time-to-event outcome (Kaplan–Meier within the treated,
    :func:`hccrep.stats.prediction.net_benefit_survival`) on the declared
    ``thresholds`` (0.01, 0.02, ..., 0.99 when none are declared); the claim
    holds when the model is strictly better than both defaults on at least
    ``min_run`` consecutive thresholds of that grid.
    """

    QUANTITIES: ClassVar[tuple[str, ...]] = ("statement",)
    #: the grid a claim without declared ``thresholds`` is judged on
    DEFAULT_THRESHOLDS: ClassVar[ThresholdGrid] = ThresholdGrid(
        start=0.01, stop=0.99, step=0.01, why="every threshold of a decision curve"
    )
    kind: Literal["dca_superiority"]
    horizon: float = Field(gt=0)
    min_run: int = Field(
        default=10,
        ge=1,
        le=99,
        description="consecutive thresholds of the grid where the model must win",
    )
    thresholds: ThresholdGrid | None = Field(
        default=None,
        description="the clinical range of threshold probabilities (default 0.01 to 0.99 by 0.01)",
    )

    @model_validator(mode="after")
    def _run_fits_grid(self) -> DCASuperiority:
        if self.thresholds is not None:
            if self.thresholds.source is None and self.thresholds.why is None:
                raise ValueError(
                    "thresholds need `source` (where the paper prints the range) or `why`"
                )
            n = len(self.thresholds.values())
            if self.min_run > n:
                raise ValueError(f"min_run {self.min_run} exceeds the {n} thresholds of the grid")
        return self

    def threshold_values(self):
        """The thresholds the claim is judged on (the declared grid, or 0.01 to 0.99)."""
        return (self.thresholds or self.DEFAULT_THRESHOLDS).values()


class PDPDirection(_ModelAnalysis):
    """Claim: in the partial dependence of ``model``, ``variable`` at ``level`` gives worse (or better) survival than its reference, at every horizon.

    Every patient is set to the level (the variable's other indicators 0)
    and to the reference level (all its indicators 0), and the mean predicted
    survival is compared. For a numeric variable (``level`` omitted) its upper
    quartile is compared with its lower quartile.
    """

    QUANTITIES: ClassVar[tuple[str, ...]] = ("statement",)
    kind: Literal["pdp_direction"]
    variable: Key
    level: LevelKey | None = Field(
        default=None, description="the level compared with the reference (none: a number)"
    )
    direction: Literal["worse", "better"]
    horizons: list[Annotated[float, Field(gt=0)]] = Field(min_length=1)


#: Every kind of analysis, one model each (the order of the reference page).
_KINDS = (
    Table1Test,
    Proportion,
    Summary,
    KMMedian,
    KMLandmark,
    Logrank,
    Cox,
    Interaction,
    Logistic,
    AUC,
    CIndex,
    TdAUC,
    Brier,
    Calibration,
    DeLong,
    NetBenefit,
    Classification,
    Best,
    ModelMetric,
    BestModel,
    TopImportance,
    DCASuperiority,
    PDPDirection,
)

#: The kinds about a study's fitted prediction models (their handlers: :mod:`hccrep.model_analyses`).
MODEL_KINDS = ("model_metric", "best_model", "top_importance", "dca_superiority", "pdp_direction")

Analysis = Annotated[Union[_KINDS], Field(discriminator="kind")]

#: kind -> model class
ANALYSIS_KINDS: dict[str, type[_Analysis]] = {
    c.model_fields["kind"].annotation.__args__[0]: c  # type: ignore[union-attr]
    for c in _KINDS
}

_ADAPTER: TypeAdapter = TypeAdapter(Analysis)


def parse_analysis(raw: dict) -> _Analysis:
    """Validate one ``analysis:`` mapping (raises pydantic's ``ValidationError``).

    Parameters
    ----------
    raw : dict
        The ``analysis:`` mapping of one check in a data file.

    Returns
    -------
    _Analysis
        The typed analysis: the model of its ``kind`` (``Logrank``, ``Cox``, ...).

    Examples
    --------
    >>> parse_analysis({"kind": "logrank", "endpoint": "os", "groups": ["a", "b"]}).kind
    'logrank'
    """
    return _ADAPTER.validate_python(raw)

"""Checks, Monte Carlo intervals and the scorecard.

A *runner* knows how to simulate one cohort of a study from a seed and how to
compute, on that cohort, the value of every ``check`` it can replicate.  The
scorecard then puts, beside each reported check,

- the replicated value on the book's seed,
- the 2.5–97.5 % interval of the replicated value over ``n_mc`` seeds,
- a verdict: ``reproduced`` (equal at the printed precision on the book's
  seed), ``plausible`` (the reported value lies inside the Monte Carlo
  interval), ``not reproduced``, or ``not checkable`` (with the reason).

A number no simulation computes but a declared claim of the paper constrains is
judged by the audit instead, with verdict words of its own
(:data:`AUDIT_VERDICTS`: ``consistent``, ``questionable``, ``inconsistent``), so
that internal consistency is never read as a replication; :func:`fidelity`
counts the simulated checks only.

Inputs and derived numbers are listed apart and never get a verdict.

Examples
--------
>>> from hccrep.replication import runner_for, scorecard
>>> card = scorecard(runner_for("fonc2025"), n_mc=20, progress=False)   # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from hccrep.parallel import cap_jobs
from hccrep.printed import PValue, equal_at_precision
from hccrep.spec import ReportedNumber, Study, value_decimals

__all__ = [
    "VERDICTS",
    "AUDIT_VERDICTS",
    "ALL_VERDICTS",
    "BACKENDS",
    "Runner",
    "DeclaredRunner",
    "VARIANT_OVERRIDES",
    "registered_runners",
    "runner_for",
    "seeds_for",
    "monte_carlo",
    "verdict",
    "scorecard",
    "inputs_table",
    "summarise",
    "without_repeats",
    "fidelity",
    "mc_intervals",
    "count_distribution",
]

#: the verdicts of a check a simulation replicates (and of one nothing judges)
VERDICTS = ("reproduced", "plausible", "not reproduced", "not checkable")
#: the verdicts of a number no simulation computes that the audit of the declared claims
#: judges by internal consistency: it agrees with the rest of the paper, deserves a caveat,
#: or contradicts it (audit status ``ok``, ``note``, ``inconsistent``)
AUDIT_VERDICTS = ("consistent", "questionable", "inconsistent")
#: every verdict, in the order the summaries count them
ALL_VERDICTS = VERDICTS[:3] + AUDIT_VERDICTS + VERDICTS[3:]
#: the verdicts that count as a success of the replication, and those it judges at all
_SIM_OK = ("reproduced", "plausible")
_SIM_JUDGED = ("reproduced", "plausible", "not reproduced")
Result = Mapping[str, float | None]


@dataclass
class Runner:
    """Simulate-and-analyse recipe for one study.

    Subclasses implement :meth:`simulate` and :meth:`analyse`; ``not_checkable``
    maps check keys to the reason they cannot be replicated.  A check that no
    analysis computes may still be judged by the audit of the declared claims
    (:func:`hccrep.audit.audit_verdicts`); a check in ``not_checkable`` only when
    the class sets ``audit_stands_in`` (its not-checkable numbers can never be
    simulated, as in a review), never when a run merely skips it.

    Attributes
    ----------
    study : Study
        The study.
    variants : dict of str to str
        Overrides of the declared test variants (what-if runs).
    not_checkable : dict of str to str
        Check key -> why no analysis replicates it.
    """

    #: whether the audit's verdict may stand in for the checks of ``not_checkable``
    audit_stands_in: ClassVar[bool] = False

    study: Study
    variants: dict[str, str] = field(default_factory=dict)
    not_checkable: dict[str, str] = field(default_factory=dict)

    def simulate(
        self, seed: int | np.random.SeedSequence
    ) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def analyse(
        self, cohort: pd.DataFrame
    ) -> dict[str, float | None]:  # pragma: no cover - abstract
        raise NotImplementedError

    def run(self, seed: int | np.random.SeedSequence) -> dict[str, float | None]:
        """Simulate with ``seed`` and analyse: the replicated value of each check."""
        return self.analyse(self.simulate(seed))

    def variant_of(self, key: str):
        """The declared :class:`hccrep.declared.Variant` of a check (None when it declares none)."""
        num = self._by_key.get(key.rsplit(".", 1)[0] if key.endswith((".lower", ".upper")) else key)
        return getattr(getattr(num, "analysis", None), "variant", None)

    def run_stated(self, seed: int | np.random.SeedSequence) -> dict[str, float | None]:
        """The replicated values of the checks whose paper-stated variant differs from the evident one,
        computed under the stated variant (empty for runners without declared analyses)."""
        return {}

    @cached_property
    def _by_key(self) -> dict[str, ReportedNumber]:
        return {n.key: n for n in self.study.numbers}

    @property
    def checks(self) -> list[ReportedNumber]:
        """Every check, plus the limits of every printed interval as checks of their own.

        A confidence interval is a check even when its point estimate was an
        input (a KM median the survival model is calibrated to, an adjusted
        covariate HR): its width depends on n and events, which the
        calibration does not fix.  The range or IQR of an input summary is an
        input too.
        The limits get keys ``<key>.lower`` and ``<key>.upper``.
        """
        out = []
        for n in self.study.numbers:
            if n.role == "check":
                out.append(n)
            is_range = n.about.summary in ("median_range", "median_iqr")
            if (
                n.lower is not None
                and n.upper is not None
                and (n.role == "check" or (n.role == "input" and not is_range))
            ):
                for side in ("lower", "upper"):
                    v = getattr(n, side)
                    out.append(
                        replace(
                            n,
                            key=f"{n.key}.{side}",
                            value=v,
                            role="check",
                            lower=None,
                            upper=None,
                            column=f"{n.column or n.quantity} ({side} limit)",
                            decimals=value_decimals(n.printed, v),
                        )
                    )
        return out

    def rounding_interval(self, num: ReportedNumber) -> tuple[float, float] | None:
        """The range of a check that the rounding of the printed inputs it is computed from allows.

        None when the check is not fixed by printed inputs (see
        :meth:`DeclaredRunner.rounding_interval`).
        """
        return None

    def reason_not_replicated(self, num: ReportedNumber) -> str:
        """Why a check has no replicated value (shown in the scorecard)."""
        only = getattr(self, "only", None)
        if only is not None and num.file_id not in only:
            return f"not analysed in this run (it analyses only {', '.join(only)})"
        if (
            num.quantity == "p"
            and num.key.endswith(".p")
            and "." in num.key[:-2]
            and num.analysis is None
        ):
            return (
                "this baseline table describes another set of patients than the simulated cohort "
                "(for example after matching); hccrep does not simulate it"
            )
        return "no analysis is declared for this number (add an `analysis:` block to its data file)"


#: What-if keys for a declared matched population: ``variants={"caliper_scale": "logit_sd"}`` matches
#: every declared population with that caliper scale instead of the declared one.
POPULATION_OVERRIDES = ("caliper_scale",)
#: Variant override keys a runner accepts (what-if exercises): ``variants={"categorical": "fisher"}``
#: replaces the declared test of every categorical Table 1 row, and so on.
VARIANT_OVERRIDES = {
    "categorical": ("table1_test", "categorical"),
    "continuous": ("table1_test", "continuous"),
    "km_conf_type": ("km", None),
    "ties": ("cox", None),
    "logrank": ("logrank", None),
}


class DeclaredRunner(Runner):
    """The runner of any study: simulates what its data files declare and computes every declared analysis.

    The cohort is the baseline table, then every survival endpoint and binary
    outcome of ``simulation.yaml``. Each reported number with an analysis
    (``analysis:`` in a results file; the test of a baseline p-value) is
    computed by its handler (:mod:`hccrep.analyses`), under its declared
    variant. A study module may subclass this runner for what its paper alone
    needs (and registers it: :func:`runner_for`). A subclass that only adds
    columns overrides :meth:`simulate_columns`, and its cohorts reach the
    handlers as columns (:meth:`run`); one that overrides :meth:`simulate` or
    :meth:`analyse` gets DataFrames, as before.

    Parameters
    ----------
    study : Study
    variants : mapping, optional
        Overrides for what-if runs (keys of :data:`VARIANT_OVERRIDES`; e.g.
        ``{"categorical": "fisher"}``; ``{"caliper_scale": "logit_sd"}`` for a
        declared matching) and the engine ``{"engine": "reference"}``
        (lifelines / statsmodels instead of the numpy fast path). Study runners
        add keys of their own.
    not_checkable : mapping, optional
        Check key -> reason it cannot be replicated.
    only : iterable of str, optional
        Analyse only the numbers of these data files (file ids): the same
        cohorts, fewer analyses, a faster Monte Carlo. Every other check is
        then "not checkable" in the scorecard, with that reason.
    overrides : mapping, optional
        For subclasses: the what-if overrides when ``variants`` also carries
        the subclass's own defaults (default: read from ``variants``).
    """

    def __init__(
        self,
        study: Study,
        variants: Mapping[str, str] | None = None,
        not_checkable: Mapping[str, str] | None = None,
        overrides: Mapping[str, str] | None = None,
        only=None,
    ):
        super().__init__(study, dict(variants or {}), dict(not_checkable or {}))
        if only is not None:
            only = tuple(sorted(set([only] if isinstance(only, str) else only)))
            unknown = [f for f in only if f not in study.files]
            if unknown or not only:
                raise ValueError(
                    f"only: unknown or no data files {unknown or list(only)}; {study.key} has {sorted(study.files)}"
                )
        #: the data files analysed (None: every file)
        self.only = only
        #: the what-if overrides the caller asked for (never a study runner's own defaults)
        given = variants if overrides is None else overrides
        self.overrides = {
            k: v
            for k, v in dict(given or {}).items()
            if k in VARIANT_OVERRIDES or k in POPULATION_OVERRIDES or k == "engine"
        }

    # ------------------------------------------------------------------ simulation
    def simulate(self, seed: int | np.random.SeedSequence) -> pd.DataFrame:
        """One simulated cohort: the DataFrame of :meth:`simulate_columns` (the same draws)."""
        return pd.DataFrame(self.simulate_columns(seed), copy=False)

    def simulate_columns(self, seed: int | np.random.SeedSequence) -> dict:
        """One simulated cohort as a mapping of columns (numpy arrays and ``pandas.Categorical``).

        The baseline table (:func:`hccrep.simulate.baseline.baseline_columns`),
        then every survival endpoint and binary outcome of ``simulation.yaml``.
        :meth:`run` hands these columns to the handlers directly: building a
        DataFrame per cohort costs more than the draws.
        """
        from hccrep.simulate.baseline import baseline_columns
        from hccrep.simulate.outcomes import simulate_declared_binary
        from hccrep.simulate.study import simulate_endpoints

        rng = np.random.default_rng(seed)
        sim = self.study.simulation
        if sim is None or sim.baseline is None:
            raise ValueError(
                f"{self.study.key}: no cohort can be simulated: simulation.yaml must name the baseline table "
                f"({self.study.folder / 'simulation.yaml'})"
            )
        cohort = baseline_columns(self.study.baseline(), rng, sim)
        cohort = simulate_endpoints(self.study, cohort, rng)
        return simulate_declared_binary(self.study, cohort, rng)

    def run(self, seed: int | np.random.SeedSequence) -> dict[str, float | None]:
        """Simulate with ``seed`` and analyse: the replicated value of each check.

        A runner that overrides neither :meth:`simulate` nor :meth:`analyse`
        (the declared runner, or a study runner that only adds columns in
        :meth:`simulate_columns`) analyses the columns directly, without a
        DataFrame; the values are those of ``analyse(simulate(seed))``.
        """
        cls = type(self)
        if cls.simulate is DeclaredRunner.simulate and cls.analyse is DeclaredRunner.analyse:
            return self.analyse(self.simulate_columns(seed))
        return self.analyse(self.simulate(seed))

    @property
    def group_column(self) -> str:
        return self.study.simulation.group_variable if self.study.simulation else "group"

    # ------------------------------------------------------------------ analysis
    @cached_property
    def _declared(self) -> list[ReportedNumber]:
        """The numbers a declared analysis computes: checks, and inputs (whose value shows the calibration
        and whose printed interval, if any, is a check)."""
        return [
            n
            for n in self.study.numbers
            if n.analysis is not None
            and n.role in ("check", "input")
            and self.analyses_file(n.file_id)
        ]

    def ph_table(
        self, cohort: pd.DataFrame, time_transform: str = "km", files=None
    ) -> pd.DataFrame:
        """Grambsch-Therneau test of proportional hazards for each declared Cox model.

        Scaled Schoenfeld residuals correlated with a function of time (lifelines
        ``proportional_hazard_test``; ``"km"`` is R ``cox.zph``'s default transform, lifelines'
        own default is ``"rank"``).  The models are the study's declared Cox analyses on the
        whole cohort (no matched ``population``), each once, their terms coded as the handlers
        code them.  lifelines computes the one-step approximation R's ``cox.zph`` used before
        survival 3.0.

        Parameters
        ----------
        cohort : DataFrame
            A simulated cohort (:meth:`simulate`).
        time_transform : {"km", "rank", "identity", "log"}
            The function of time the residuals are correlated with.
        files : sequence of str, optional
            Only the Cox analyses of these data files (default: all).

        Returns
        -------
        DataFrame
            One row per model term: ``variable, term, statistic, p, time_transform``.
        """
        import warnings

        from lifelines import CoxPHFitter
        from lifelines.statistics import proportional_hazard_test

        if time_transform not in ("km", "rank", "identity", "log"):
            raise ValueError(
                f"time_transform must be km, rank, identity or log, got {time_transform!r}"
            )
        view = self.view(cohort.reset_index(drop=True))
        everyone = np.ones(view.n, dtype=bool)
        models = {}
        for n in self.study.numbers:
            a = n.analysis
            if files is not None and n.file_id not in files:
                continue
            if a is not None and a.kind == "cox" and a.population is None:
                models.setdefault((tuple(a.terms), tuple(sorted(a.reference.items()))), a)
        rows = []
        for a in models.values():
            x = view.design(list(a.terms), a.reference, everyone)
            t, e = view.survival(a.endpoint)
            data = pd.concat([pd.DataFrame({"time": t, "event": e}), x], axis=1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = CoxPHFitter().fit(data, "time", "event")
                res = proportional_hazard_test(fit, data, time_transform=time_transform).summary
            for term in x.columns:
                rows.append(
                    {
                        "variable": a.terms[0] if len(a.terms) == 1 else ", ".join(a.terms),
                        "term": term,
                        "statistic": float(res.loc[term, "test_statistic"]),
                        "p": float(res.loc[term, "p"]),
                        "time_transform": time_transform,
                    }
                )
        return pd.DataFrame(rows)

    def analyses_file(self, file_id: str) -> bool:
        """Whether this run analyses the numbers of ``file_id`` (see ``only``)."""
        return self.only is None or file_id in self.only

    @cached_property
    def _levels(self) -> dict[str, list[str] | None]:
        from hccrep.spec import _Columns

        return _Columns(self.study).levels

    def view(self, cohort: pd.DataFrame):
        """The cohort as the handlers of :mod:`hccrep.analyses` read it.

        ``variants`` ``engine`` (``"numpy"`` or ``"reference"``) sets both engines;
        ``km_engine`` / ``cox_engine`` (``"numpy"`` or ``"lifelines"``) one each.
        """
        from hccrep.analyses import CohortView

        def engine(name: str) -> str:
            given = self.variants.get(name, self.variants.get("engine", "numpy"))
            return "reference" if given in ("lifelines", "reference") else "numpy"

        view = CohortView(
            cohort,
            self.group_column,
            self._levels,
            engine=engine("km_engine"),
            cox_engine=engine("cox_engine"),
            numbers=self._values,
        )
        view.study, view.options = self.study, dict(self.variants)
        return view

    @cached_property
    def _values(self) -> dict[str, float]:
        return {n.key: n.value for n in self.study.numbers}

    def variant_override(self, num: ReportedNumber) -> str | None:
        """A what-if variant for one number (None: its declared variant). Study runners may add their own keys."""
        return None

    def _effective(self, analysis, stated: bool = False, num: ReportedNumber | None = None):
        """The analysis under the variant to compute: an override, the stated one, or the declared (evident) one."""
        population = getattr(analysis, "population", None)
        if population is not None and "caliper_scale" in self.overrides:
            scale = {"caliper_scale": self.overrides["caliper_scale"]}
            analysis = analysis.model_copy(
                update={"population": population.model_copy(update=scale)}
            )
        kind = analysis.kind
        own = self.variant_override(num) if num is not None else None
        if own is not None:
            return analysis.with_variant(own)
        for key, (k, sub) in VARIANT_OVERRIDES.items():
            if key not in self.overrides or not (
                kind == k or (k == "km" and kind in ("km_median", "km_landmark"))
            ):
                continue
            if sub is not None:
                from hccrep.declared import CATEGORICAL_TESTS

                is_cat = analysis.variant.used in CATEGORICAL_TESTS
                if (sub == "categorical") != is_cat:
                    continue
            return analysis.with_variant(self.overrides[key])
        if (
            stated
            and analysis.variant is not None
            and analysis.variant.stated
            and analysis.variant.stated != analysis.variant.used
        ):
            return analysis.with_variant(analysis.variant.stated)
        return analysis

    def analyse_declared(
        self, cohort: pd.DataFrame, stated: bool = False, files=None, view=None
    ) -> dict[str, float | None]:
        """Every declared analysis on ``cohort``: check key -> replicated value (``.lower``/``.upper`` for intervals).

        ``stated`` computes only the checks whose stated variant differs from
        the evident one, under the stated variant; ``files`` restricts to the
        numbers of those data files; ``view`` (of ``cohort``, from :meth:`view`)
        shares its memo with the caller.
        """
        from hccrep.analyses import compute, prefit

        view = self.view(cohort) if view is None else view
        out: dict[str, float | None] = {}
        todo = []
        for num in self._declared:
            a = num.analysis
            if files is not None and num.file_id not in files:
                continue
            if stated and not (
                a.variant is not None and a.variant.stated and a.variant.stated != a.variant.used
            ):
                continue
            todo.append((num, self._effective(a, stated, num)))
        prefit([a for _, a in todo], view)
        for num, a in todo:
            res = compute(a, view, num.quantity)
            out[num.key] = res.pick(
                num.quantity
            )  # an input's value shows the calibration; it is never judged
            if num.lower is not None and num.quantity not in ("p", "p_interaction"):
                out[f"{num.key}.lower"], out[f"{num.key}.upper"] = res.lower, res.upper
        return out

    def declared_table(self, cohort: pd.DataFrame, files=None) -> pd.DataFrame:
        """The declared numbers of ``files`` (default: all) beside what ``cohort`` gives, one row per number.

        Columns ``key, file_id, row, column, role, quantity, printed, kind,
        variant, value, lower, upper, p`` (the replicated estimate, its limits
        and its test; NaN where the analysis has none).  Inputs are listed too:
        their replicated value shows the calibration, never a verdict.
        """
        from hccrep.analyses import compute

        view = self.view(cohort)
        rows = []
        for num in self.study.numbers:
            if num.analysis is None or (files is not None and num.file_id not in files):
                continue
            a = self._effective(num.analysis, num=num)
            res = compute(a, view, num.quantity)
            rows.append(
                {
                    "key": num.key,
                    "file_id": num.file_id,
                    "row": num.row,
                    "column": num.column,
                    "role": num.role,
                    "quantity": num.quantity,
                    "printed": num.printed,
                    "kind": a.kind,
                    "variant": a.variant.used if a.variant is not None else "",
                    "value": res.value,
                    "lower": res.lower,
                    "upper": res.upper,
                    "p": res.pvalue,
                }
            )
        return pd.DataFrame(rows)

    def km_table(self, cohort: pd.DataFrame, endpoint: str, by: str | None = None) -> pd.DataFrame:
        """Kaplan-Meier median of ``endpoint`` per level of ``by`` (default: the groups), by the ``km_median`` handler.

        The interval transform is the runner's (a ``km_conf_type`` override,
        else R's ``"log"``).

        Parameters
        ----------
        cohort : DataFrame
            A simulated cohort.
        endpoint : str
            A survival endpoint of ``simulation.yaml`` (columns ``<endpoint>_time`` / ``_event``).
        by : str, optional
            A categorical column (default: the group column).

        Returns
        -------
        DataFrame
            One row per level: ``group, label, n, events, median, lower, upper,
            variant`` (``median`` is infinite when not reached).
        """
        from hccrep.analyses import compute
        from hccrep.declared import parse_analysis

        view = self.view(cohort)
        col = by or self.group_column
        labels = {}
        if col == self.group_column and self.study.simulation is not None:
            labels = {g.key: g.label for g in self.study.baseline().groups}
        rows = []
        for g in view.levels_of(col):
            a = self._effective(
                parse_analysis({"kind": "km_median", "endpoint": endpoint, "group": g, "by": col})
            )
            m = view.mask(col, g)
            r = compute(a, view, "median")
            rows.append(
                {
                    "group": g,
                    "label": labels.get(g, g),
                    "n": int(m.sum()),
                    "events": int(np.nansum(view.numeric(f"{endpoint}_event")[m])),
                    "median": r.value,
                    "lower": r.lower,
                    "upper": r.upper,
                    "variant": r.variant,
                }
            )
        return pd.DataFrame(rows)

    def under_variants(self, cohort: pd.DataFrame, variants, files=None) -> pd.DataFrame:
        """Each declared p-value of ``files`` recomputed under every applicable variant of ``variants``.

        One row per p-value: ``key, row, printed``, one column per variant
        (NaN where the variant does not apply, e.g. a t-test to a categorical
        row) and ``agrees``: the variants whose p prints as the paper's.
        """
        from hccrep.analyses import compute
        from hccrep.declared import CATEGORICAL_TESTS

        view = self.view(cohort)
        rows = []
        for num in self.study.numbers:
            a = num.analysis
            if (
                a is None
                or num.quantity not in ("p", "p_interaction")
                or (files is not None and num.file_id not in files)
            ):
                continue
            pv = PValue(num.value, num.bound, num.decimals or 0)
            row = {"key": num.key, "row": num.row, "printed": num.printed}
            agree = []
            for name in variants:
                applicable = name in type(a).VARIANTS and (
                    a.kind != "table1_test"
                    or (name in CATEGORICAL_TESTS) == (a.variant.used in CATEGORICAL_TESTS)
                )
                p = (
                    compute(a.with_variant(name), view, num.quantity).pvalue
                    if applicable
                    else np.nan
                )
                row[name] = p
                if applicable and np.isfinite(p) and pv.agrees(p):
                    agree.append(name)
            row["agrees"] = ", ".join(agree) or "none"
            rows.append(row)
        return pd.DataFrame(rows)

    def analyse(self, cohort: pd.DataFrame) -> dict[str, float | None]:
        return self.analyse_declared(cohort)

    def rounding_interval(self, num: ReportedNumber) -> tuple[float, float] | None:
        """Smallest and largest p that the rounding of the printed mean ± SD allows, for a baseline p.

        A baseline variable summarised by mean ± SD is simulated with exactly
        the printed mean and SD in every group, so its t-test or ANOVA p is
        the same in every cohort: the Monte Carlo interval is one point, and
        only the rounding of the printed summaries could move it. This is the
        range over that rounding (:func:`hccrep.audit.mean_sd_variant_ranges`)
        under the test computed (the declared one, or a what-if override:
        Student's t, Welch's t, or ANOVA, which is Student's t for two groups). None for any other check, a subset, a
        regrouping, a matched population, or a rank test (whose p the
        summaries do not bound).
        """
        from hccrep.audit import mean_sd_variant_ranges
        from hccrep.spec import ContinuousVariable

        # under the variant actually computed: a what-if override (variants={"continuous":
        # "welch"}) is judged against its own rounding range, not the declared test's
        a = None if num.analysis is None else self._effective(num.analysis, num=num)
        if (
            a is None
            or a.kind != "table1_test"
            or num.quantity != "p"
            or a.subset
            or a.smallest_of
            or a.collapse is not None
            or a.population is not None
            or (a.by is not None and a.by != self.group_column)
            or a.variant.used not in ("student", "welch", "anova")
            or self.study.simulation is None
            or self.study.simulation.baseline is None
        ):
            return None
        base = self.study.baseline()
        var = next((v for v in base.variables if v.key == a.variable), None)
        if not isinstance(var, ContinuousVariable) or var.summary != "mean_sd":
            return None
        groups = [g for g in base.groups if a.groups is None or g.key in a.groups]
        cells = []
        for g in groups:
            cell = var.cells.get(g.key)
            if cell is None:
                return None
            cells.append((cell if isinstance(cell, str) else cell.printed, int(g.n)))
        try:
            ranges = mean_sd_variant_ranges(cells)
        except ValueError:
            return None
        name = "student" if a.variant.used == "anova" and len(cells) == 2 else a.variant.used
        if name not in ranges:
            return None
        return float(ranges[name]["lo"]), float(ranges[name]["hi"])

    def run_stated(self, seed: int | np.random.SeedSequence) -> dict[str, float | None]:
        if not any(
            n.analysis.variant is not None
            and n.analysis.variant.stated
            and n.analysis.variant.stated != n.analysis.variant.used
            for n in self._declared
        ):
            return {}
        return self.analyse_declared(self.simulate(seed), stated=True)


#: Entry-point group through which study modules register their runners (pyproject.toml).
RUNNER_ENTRY_POINTS = "hccrep.runners"


def registered_runners() -> dict[str, Callable[..., Runner]]:
    """Study key -> runner factory, from the ``hccrep.runners`` entry points.

    A study without an entry gets :class:`DeclaredRunner`. Installed packages
    can register runners for their own studies the same way.

    Parameters
    ----------
    None

    Returns
    -------
    dict of str to importlib.metadata.EntryPoint
        Study key -> entry point of the ``hccrep.runners`` group; its
        ``load()`` gives the runner factory, called with the loaded study.
    """
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=RUNNER_ENTRY_POINTS)}


def runner_for(study: str | Study, data_dir=None, **kwargs) -> Runner:
    """The runner of a study: the one its module registered, else :class:`DeclaredRunner`.

    Parameters
    ----------
    study : str or Study
        A study key, a path to a study folder, or a loaded study.
    data_dir : path, optional
        Where to look for the study's folder (see :func:`hccrep.spec.load_study`).
    **kwargs
        Passed to the runner (``variants``, ``not_checkable``).

    Returns
    -------
    Runner
        The registered runner of the study's key built on the loaded study,
        or a :class:`DeclaredRunner` when no entry point names the study.
    """
    from hccrep.spec import resolve_study

    st = resolve_study(study, data_dir) if isinstance(study, (str, Path)) else study
    entry = registered_runners().get(st.key)
    if entry is None:
        return DeclaredRunner(st, **kwargs)
    return entry.load()(st, **kwargs)


def seeds_for(base_seed: int, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent, reproducible child seeds of ``base_seed`` (numpy SeedSequence.spawn).

    Parameters
    ----------
    base_seed : int
        Entropy of the parent :class:`numpy.random.SeedSequence`.
    n : int
        Number of child seeds (one per simulated cohort).

    Returns
    -------
    list of numpy.random.SeedSequence
        ``n`` children; the same ``base_seed`` and ``n`` always give the same list.

    Raises
    ------
    ValueError
        When ``n`` is negative.
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    return np.random.SeedSequence(base_seed).spawn(n)


#: Where :func:`monte_carlo` runs the cohorts (see its ``backend`` argument).
BACKENDS = ("serial", "joblib", "dask")


def _run_one(runner: Runner, seed: np.random.SeedSequence) -> dict[str, float | None]:
    return runner.run(seed)


def _run_batch(runner: Runner, seeds: list[np.random.SeedSequence]) -> pd.DataFrame:
    """Run a batch of cohorts and keep only their summary numbers (float64, one row per cohort)."""
    return pd.DataFrame([runner.run(s) for s in seeds], dtype=float)


def _batches(seeds: list, size: int) -> list[list]:
    return [seeds[i : i + size] for i in range(0, len(seeds), size)]


def _check_backend(backend: str | None, n_jobs: int, scheduler) -> str:
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0:
        raise ValueError(
            f"n_jobs must be a non-zero integer (negative as in joblib: -1 = every core), got {n_jobs!r}"
        )
    if backend is None:
        backend = "dask" if scheduler is not None else ("serial" if n_jobs == 1 else "joblib")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if scheduler is not None and backend != "dask":
        raise ValueError(f"scheduler is only used with backend='dask', got backend={backend!r}")
    if scheduler is not None and not isinstance(scheduler, str):
        from distributed import Client

        if not isinstance(scheduler, Client):
            raise ValueError(
                f"scheduler must be None, an address string or a distributed.Client, got {type(scheduler).__name__}"
            )
    return backend


def _workers(n_jobs: int) -> int:
    """Worker count of ``n_jobs`` as joblib reads it (-1: every core, -2: all but one, ...)."""
    import os

    return int(n_jobs) if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))


def _dask_batches(runner: Runner, batches: list[list], n_jobs: int, scheduler):
    """Yield the batches' results in order, computed on a dask.distributed cluster.

    ``scheduler`` None starts (and afterwards closes) a LocalCluster of
    ``n_jobs`` single-threaded worker processes; a string is the address of a
    running scheduler (``"tcp://host:8786"``); a ``distributed.Client`` is
    used as it is and left open.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError(
            "backend='dask' needs dask.distributed: pip install 'dask[distributed]'"
        ) from exc
    cluster = client = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=_workers(n_jobs), threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client = own = Client(cluster)
    elif isinstance(scheduler, str):
        client = own = Client(scheduler)
    elif isinstance(scheduler, Client):
        client, own = scheduler, None
    else:
        raise ValueError(
            f"scheduler must be None, an address string or a distributed.Client, got {type(scheduler).__name__}"
        )
    try:
        shared = client.scatter(
            runner, broadcast=True
        )  # sent once to every worker, not once per task
        futures = [client.submit(_run_batch, shared, b, pure=False) for b in batches]
        for fut in futures:
            yield fut.result()
            fut.release()
    finally:
        if own is not None:
            own.close()
        if cluster is not None:
            cluster.close()


def _cache_key(runner: Runner, n: int, base_seed: int) -> str:
    """A digest of everything a Monte Carlo result depends on.

    The code of hccrep, the study's data files, the runner's class and
    every attribute (variants, a focused runner's ``parts``, ...), ``n``, the
    seed, and the versions of the numerical libraries.
    Any change to any of them gives a new key, so a cached result is never
    stale (the execution cache of Jupyter Book cannot see such changes).
    """
    import hashlib
    import importlib.metadata as md
    import json
    from pathlib import Path

    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for f in sorted(root.rglob("*.py")):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    for f in sorted(runner.study.folder.glob("*.yaml")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    versions = {}
    for lib in ("numpy", "scipy", "pandas", "lifelines", "statsmodels"):
        try:
            versions[lib] = md.version(lib)
        except md.PackageNotFoundError:  # pragma: no cover
            versions[lib] = None
    # the study as loaded, not only its files: a notebook may change the model in memory
    sim = runner.study.simulation.model_dump(mode="json") if runner.study.simulation else None
    numbers = [(x.key, x.value, x.role) for x in runner.study.numbers]
    # every public attribute of the runner: a focused runner's `parts`, a study runner's settings
    # ... (private ones are derived from the study or memoised during a run, which must not
    # change the key)
    state = _key_plain(
        {k: v for k, v in vars(runner).items() if k != "study" and not k.startswith("_")}
    )
    meta = {
        "runner": f"{type(runner).__module__}.{type(runner).__qualname__}",
        "state": state,
        "n": n,
        "base_seed": base_seed,
        "versions": versions,
        "simulation": sim,
        "numbers": numbers,
    }
    h.update(json.dumps(meta, sort_keys=True, default=_key_json).encode())
    return h.hexdigest()[:24]


def _key_plain(value):
    """Dictionaries with string keys all the way down (JSON needs them; tuples are common keys)."""
    if isinstance(value, dict):
        return {str(k): _key_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_key_plain(v) for v in value]
    return value


def _key_json(value):
    """JSON form of a runner attribute for the cache key, the same in every process.

    Sets are sorted (their order changes with string hash randomisation),
    arrays and pydantic models are written out; anything else falls back to
    ``str`` (an object printed with its address gives a key of its own in each
    process: no sharing, but never a stale result).
    """
    if isinstance(value, (set, frozenset)):
        return sorted(
            (_key_json(v) if not isinstance(v, (str, int, float)) else v for v in value), key=repr
        )
    if isinstance(value, np.ndarray):
        return value.tolist()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return str(value)


def monte_carlo(
    runner: Runner,
    n: int,
    *,
    base_seed: int | None = None,
    n_jobs: int = 1,
    progress: bool = True,
    cache_dir: str | None = None,
    backend: str | None = None,
    scheduler=None,
    batch_size: int | None = None,
) -> pd.DataFrame:
    """Replicated values over ``n`` seeded cohorts (one row per cohort, one column per check).

    Only the summary numbers of each cohort are kept, never the cohorts: each
    batch of cohorts is reduced to a float64 frame as soon as it is analysed,
    so memory grows by about 8 bytes per check per cohort.  Cohort ``i`` is
    simulated from the ``i``-th child of ``SeedSequence(base_seed)`` wherever it
    runs, so the result does not depend on ``backend``, ``n_jobs`` or
    ``batch_size`` (``tests/test_backends.py``).

    Parameters
    ----------
    runner : Runner
        From :func:`runner_for`.
    n : int
        Number of cohorts (0 gives an empty frame).
    base_seed : int, optional
        Default: the study's ``book_seed + 1``.
    n_jobs : int, default 1
        Worker processes for ``"joblib"`` and for the LocalCluster ``"dask"``
        starts (negative as in joblib: -1 every core, -2 all but one).
    progress : bool, default True
        Show a tqdm bar (per batch).
    cache_dir : str, optional
        Folder for a result cache keyed by :func:`_cache_key` (the code, the
        data, the settings and the library versions); by default the
        environment variable ``HCCREP_CACHE_DIR``, and no cache when that is
        unset.  The book's notebooks share one Monte Carlo this way.
    backend : {"serial", "joblib", "dask"}, optional
        Where cohorts run: in this process; in ``n_jobs`` local processes
        (joblib); or on a ``dask.distributed`` cluster.  Default: ``"serial"``
        when ``n_jobs == 1``, else ``"joblib"`` (``"dask"`` when ``scheduler``
        is given).
    scheduler : str or distributed.Client, optional
        Only with ``backend="dask"``: the address of a running scheduler
        (``"tcp://host:8786"``) or a connected client.  Default: a
        LocalCluster of ``n_jobs`` worker processes, closed afterwards.
    batch_size : int, optional
        Cohorts per task (default: ``n`` split into about four tasks per
        worker, at most 50 cohorts each).

    Returns
    -------
    DataFrame
        ``n`` rows, float64.

    Examples
    --------
    >>> mc = monte_carlo(runner_for("fonc2025"), 4, base_seed=1, progress=False, cache_dir="")  # doctest: +SKIP
    >>> mc.shape[0]  # doctest: +SKIP
    4
    """
    import os
    from pathlib import Path

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    auto = backend is None
    backend = _check_backend(backend, n_jobs, scheduler)
    if backend != "dask":
        n_jobs = cap_jobs(n_jobs)  # HCCREP_MAX_JOBS (set when notebooks run side by side)
        if auto and n_jobs == 1:
            backend = "serial"
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if n == 0:
        return pd.DataFrame()
    base = runner.study.meta.book_seed + 1 if base_seed is None else base_seed
    cache_dir = cache_dir if cache_dir is not None else os.environ.get("HCCREP_CACHE_DIR")
    path = None
    if cache_dir:
        path = Path(cache_dir) / f"mc-{runner.study.key}-{_cache_key(runner, n, base)}.csv"
        if path.exists():
            return pd.read_csv(path, dtype=float, float_precision="round_trip")
    seeds = seeds_for(base, n)
    if batch_size is None:
        batch_size = max(
            1, min(50, -(-n // (4 * (1 if backend == "serial" else _workers(n_jobs)))))
        )
    batches = _batches(seeds, batch_size)
    if backend == "serial":
        it: Iterable = (_run_batch(runner, b) for b in batches)
    elif backend == "joblib":
        from joblib import Parallel, delayed

        it = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_run_batch)(runner, b) for b in batches
        )
    else:
        it = _dask_batches(runner, batches, n_jobs, scheduler)
    parts = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc=f"Monte Carlo {runner.study.key}", unit="cohort")
    try:
        for part in it:
            parts.append(part)
            if bar is not None:
                bar.update(len(part))
    finally:
        if bar is not None:
            bar.close()
    out = (
        pd.concat(parts, ignore_index=True, sort=False).astype(float)
        if len(parts) > 1
        else parts[0]
    )
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        out.to_csv(tmp, index=False, float_format="%.17g")
        tmp.replace(path)  # atomic: notebooks built in parallel never read half a file
    return out


def interval_reaches(number: ReportedNumber, lo: float, hi: float) -> bool:
    """Whether ``[lo, hi]`` holds a value that prints as ``number`` does.

    A printed number stands for every value that rounds (half up) to it at the
    printed decimals, so the question is whether the point of the interval
    nearest the printed value prints the same. A p-value printed with a bound
    (``"< 0.001"``) is reached when the interval goes past the bound on the
    printed side. Without printed decimals a non-p number is read at 2
    decimals, as :func:`verdict` does.

    Parameters
    ----------
    number : ReportedNumber
        The printed number.
    lo, hi : float
        Limits of the Monte Carlo interval (infinite limits allowed).

    Returns
    -------
    bool

    Examples
    --------
    Worked by hand: 33 of 37 is 89.19 %, which prints as 89.2 at one decimal,
    so an interval ending at 89.19 reaches a printed 89.2 although 89.2 > 89.19.

    >>> from hccrep.spec import ReportedNumber
    >>> printed = ReportedNumber(
    ...     "s", "f", "x", "percent", "89.2", 89.2, "check", "Table 1", None, None, decimals=1
    ... )
    >>> interval_reaches(printed, 80.0, 33 / 37 * 100)
    True
    >>> interval_reaches(printed, 80.0, 89.14)
    False
    """
    if number.quantity in ("p", "p_interaction"):
        pv = PValue(number.value, number.bound, number.decimals or 0)
        if pv.bound == "<":
            return bool(lo < pv.value)
        if pv.bound == ">":
            return bool(hi > pv.value)
        return pv.agrees(float(np.clip(pv.value, lo, hi)))
    dec = number.decimals if number.decimals is not None else 2
    return equal_at_precision(float(np.clip(number.value, lo, hi)), number.value, dec)


def verdict(
    number: ReportedNumber,
    replicated: float | None,
    interval: tuple[float, float] | None,
) -> tuple[str, str]:
    """Verdict and a one-line reason for one check.

    A p-value printed with a bound (``"< 0.001"``) is reproduced when the
    replicated p falls on the same side of the bound; any other number when it
    rounds (half up) to the printed value at the printed number of decimals.
    A number that is not reproduced is *plausible* when the Monte Carlo
    ``interval`` holds a value that prints as the printed one
    (:func:`interval_reaches`): a printed 89.2 stands for anything from
    89.15 to just under 89.25, so an interval that ends at 89.19 reaches it.

    Parameters
    ----------
    number : ReportedNumber
        The printed number (its value, bound, decimals and quantity). Without
        printed decimals a non-p number is compared at 2 decimals.
    replicated : float or None
        The value recomputed on the book's seed; None or NaN gives
        ``"not checkable"``.
    interval : tuple of (float, float) or None
        Lower and upper limits of the replicated value over the Monte Carlo
        cohorts, or None when there was no Monte Carlo run.

    Returns
    -------
    tuple of (str, str)
        The verdict (one of :data:`VERDICTS`) and a one-line reason.
    """
    if replicated is None or (isinstance(replicated, float) and math.isnan(replicated)):
        return "not checkable", "no replicated value"
    if number.quantity in ("p", "p_interaction"):
        pv = PValue(number.value, number.bound, number.decimals or 0)
        if pv.agrees(replicated):
            return "reproduced", f"p = {replicated:.4g} prints as {number.printed}"
        if interval is not None and interval_reaches(number, *interval):
            lo, hi = interval
            return "plausible", f"reported inside the Monte Carlo interval [{lo:.3g}, {hi:.3g}]"
        return "not reproduced", f"p = {replicated:.4g} on the book's seed"
    dec = number.decimals if number.decimals is not None else 2
    if equal_at_precision(replicated, number.value, dec):
        return "reproduced", f"{replicated:.{dec + 2}f} rounds to {number.value:.{dec}f}"
    if interval is not None and interval_reaches(number, *interval):
        return (
            "plausible",
            f"reported inside the Monte Carlo interval [{interval[0]:.3g}, {interval[1]:.3g}]",
        )
    return "not reproduced", f"{replicated:.4g} on the book's seed"


def scorecard(
    runner: Runner,
    n_mc: int = 200,
    *,
    seed: int | None = None,
    n_jobs: int = 1,
    progress: bool = True,
    level: float = 0.95,
    cache_dir: str | None = None,
    backend: str | None = None,
    scheduler=None,
    explain: bool = True,
) -> pd.DataFrame:
    """Every check of the study with its replicated value, interval and verdict.

    Parameters
    ----------
    runner : Runner
        From :func:`runner_for`.
    n_mc : int
        Monte Carlo cohorts for the interval (0: no interval).
    seed : int, optional
        The book's seed (default: ``study.yaml``'s ``book_seed``).
    level : float
        Coverage of the Monte Carlo interval.
    cache_dir, n_jobs, backend, scheduler
        See :func:`monte_carlo` (the verdicts do not depend on ``n_jobs``,
        ``backend`` or ``scheduler``).
    explain : bool, default True
        Give every *not reproduced* a cause (:func:`hccrep.causes.explain_misses`;
        it runs the audit of the study and recomputes some analyses on the
        book's cohort). False leaves ``cause`` empty.

    Returns
    -------
    DataFrame
        Columns ``key, file_id, source, row, column, quantity, printed,
        reported, replicated, mc_low, mc_high, verdict, reason, repeat_of,
        variant, stated_variant, replicated_stated, judged_by, label, compared,
        informative, cause, cause_detail, cause_source``: ``judged_by`` is
        ``simulation``, or ``audit`` for a number no simulation replicates that a
        claim of ``claims.yaml`` judges by internal consistency
        (:func:`hccrep.audit.audit_verdicts`; its verdict is one of
        :data:`AUDIT_VERDICTS` and its reason says so); ``variant`` is the
        declared variant the check is judged under (the evident one when the
        data give it), ``stated_variant`` the paper's stated one when it
        differs, with its value on the book's seed in ``replicated_stated``.
        ``label`` names the check in words (:func:`hccrep.display.check_label`),
        ``compared`` is the printed token it is compared with;
        ``informative`` is False for a *plausible* check whose Monte Carlo
        interval is too wide to tell much (the reason says so); ``cause``,
        ``cause_detail`` and ``cause_source`` (``rule``, ``data`` or ``none``)
        explain each *not reproduced* (:mod:`hccrep.causes`).
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    _check_backend(backend, n_jobs, scheduler)
    book_seed = runner.study.meta.book_seed if seed is None else seed
    on_seed = runner.run(book_seed)
    on_seed_stated = runner.run_stated(book_seed)
    mc = monte_carlo(
        runner,
        n_mc,
        n_jobs=n_jobs,
        progress=progress,
        cache_dir=cache_dir,
        backend=backend,
        scheduler=scheduler,
    )
    a = (1 - level) / 2
    rows = []
    from hccrep.audit import audit_verdicts

    by_audit: dict | None = None if runner.study.claims is not None else {}
    for num in runner.checks:
        rep = on_seed.get(num.key)
        interval = None
        if num.key in mc.columns and mc[num.key].notna().any():
            # empirical quantiles without interpolation, so an infinite draw (an HR whose
            # fit diverged) stays an infinite bound instead of turning into NaN
            col = mc[num.key].dropna().to_numpy()
            lo, hi = np.quantile(col, [a, 1 - a], method="inverted_cdf")
            interval = (float(lo), float(hi))
        judged = interval  # the interval the verdict uses
        judged_by = "simulation"
        if num.key in runner.not_checkable or num.key not in on_seed:
            skipped = num.key in runner.not_checkable and not runner.audit_stands_in
            if not skipped and by_audit is None:  # the claims are read once, when first needed
                by_audit = audit_verdicts(runner.study)
            if not skipped and num.key in by_audit:
                (v, reason), judged_by = by_audit[num.key], "audit"
            elif num.key in runner.not_checkable:
                v, reason = "not checkable", runner.not_checkable[num.key]
            else:
                v, reason = "not checkable", runner.reason_not_replicated(num)
        else:
            v, reason = verdict(num, rep, interval)
            rounding = runner.rounding_interval(num) if v == "not reproduced" else None
            if rounding is not None and verdict(num, rep, rounding)[0] == "plausible":
                v, judged = "plausible", rounding
                reason = (
                    f"reported inside [{rounding[0]:.3g}, {rounding[1]:.3g}], the p-values that the "
                    "rounding of the printed mean ± SD allows; every simulated cohort has exactly "
                    "the printed summaries, so the Monte Carlo interval is one point"
                )
        var = runner.variant_of(num.key)
        used = var.used if var is not None else ""
        stated = var.stated if var is not None and var.stated and var.stated != var.used else ""
        rep_stated = on_seed_stated.get(num.key, np.nan) if stated else np.nan
        if stated and v != "not checkable" and judged_by == "simulation":
            vs, _ = verdict(num, rep_stated, None)
            reason += (
                f"; judged under {used}, which the paper evidently used; its stated {stated} gives "
                f"{rep_stated:.4g} ({vs} on the book's seed)"
            )
        rows.append(
            {
                "key": num.key,
                "file_id": num.file_id,
                "source": num.source,
                "row": num.row,
                "column": num.column,
                "quantity": num.quantity,
                "printed": num.printed,
                "reported": num.value,
                "replicated": rep if rep is not None else np.nan,
                "mc_low": interval[0] if interval else np.nan,
                "mc_high": interval[1] if interval else np.nan,
                "verdict": v,
                "reason": reason,
                "repeat_of": "",
                "variant": used,
                "stated_variant": stated,
                "replicated_stated": rep_stated,
                "_judged": judged,
                "judged_by": judged_by,
            }
        )
    _mark_repeats(rows, {n.key: n for n in runner.checks}, runner.study)
    return _readable(pd.DataFrame(rows), runner, book_seed, explain)


def _mark_repeats(rows: list[dict], checks: dict, study=None) -> None:
    """Flag a check whose ``about.same_as`` names another check: not independent evidence.

    The repeat is counted once by :func:`summarise`, except where it is judged and the
    number it repeats is not (a review that prints one result twice, checkable in one place
    only): then its verdict is the one that counts. The reason names the other check by
    its label (:func:`hccrep.display.check_label`), the key stays in ``repeat_of``.
    """
    from hccrep.display import check_label

    verdicts = {r["key"]: r["verdict"] for r in rows}
    for r in rows:
        other = checks[r["key"]].about.same_as if r["key"] in checks else None
        if other is None or other not in verdicts:
            continue
        if r["verdict"] != "not checkable" and verdicts[other] == "not checkable":
            continue
        what = "test" if checks[r["key"]].quantity in ("p", "p_interaction") else "result"
        r["repeat_of"] = other
        name = check_label(checks[other], study) if other in checks else other
        r["reason"] += (
            f"; the same {what} as \u201c{name}\u201d, so not independent evidence "
            "(summarise counts it once)"
        )


def _readable(card: pd.DataFrame, runner: Runner, seed: int, explain: bool) -> pd.DataFrame:
    """Add the columns a reader needs: label, compared, informative, and the cause of each miss."""
    from hccrep.causes import explain_misses
    from hccrep.display import check_label, compared_token, interval_informative

    extra = ["label", "compared", "informative", "cause", "cause_detail", "cause_source"]
    if card.empty:
        return card.reindex(columns=list(card.columns) + extra)
    checks = {n.key: n for n in runner.checks}
    card["label"] = [
        check_label(checks[k], runner.study) if k in checks else k for k in card["key"]
    ]
    card["compared"] = [
        compared_token(n.printed, n.value, bound=n.bound, quantity=n.quantity)
        if (n := checks.get(k)) is not None
        else p
        for k, p in zip(card["key"], card["printed"])
    ]
    informative = []
    judged = card.pop("_judged") if "_judged" in card.columns else None
    for i, r in card.iterrows():
        # the interval the verdict used: the Monte Carlo one, or the rounding range of the inputs
        mine = judged[i] if judged is not None else None
        lo, hi = mine if isinstance(mine, tuple) else (r["mc_low"], r["mc_high"])
        ok, why = (
            interval_informative(r["quantity"], lo, hi)
            if r["verdict"] == "plausible"
            else (True, "")
        )
        informative.append(ok)
        if not ok:
            card.loc[i, "reason"] = (
                f"{r['reason']}; but the interval is too wide to tell much: {why}"
            )
    card["informative"] = informative
    if explain and not card.empty:
        causes = explain_misses(card, runner, seed=seed, numbers=checks)
    else:
        causes = pd.DataFrame(
            {"cause": "", "cause_detail": "", "cause_source": ""}, index=card.index
        )
    return pd.concat([card, causes], axis=1)


def inputs_table(study: Study, reasons: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The numbers used to build the cohort (and the derived ones): listed, never judged.

    Parameters
    ----------
    study : Study
        A loaded study (:func:`hccrep.spec.load_study`).
    reasons : mapping of str to str, optional
        Why the inputs of each data file are inputs (file id -> text): adds the columns
        ``file`` and ``why`` (a derived number's ``why`` says it repeats or sums others).

    Returns
    -------
    DataFrame
        One row per number of role ``"input"`` or ``"derived"``, with columns
        ``key``, ``role``, ``source``, ``row``, ``column`` and ``printed``
        (and ``file``, ``why`` with ``reasons``).

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> t = inputs_table(load_study("fonc2025"), reasons={})
    >>> set(t.role) <= {"input", "derived"} and {"file", "why"} <= set(t.columns)
    True
    """
    nums = [n for n in study.numbers if n.role in ("input", "derived")]
    t = pd.DataFrame(
        [
            {
                "key": n.key,
                "role": n.role,
                "source": n.source,
                "row": n.row,
                "column": n.column,
                "printed": n.printed,
            }
            for n in nums
        ]
    )
    if reasons is not None:
        t["file"] = [n.file_id for n in nums]
        t["why"] = [
            "repeats or sums other printed numbers (audited, never judged)"
            if n.role == "derived"
            else reasons.get(n.file_id, "")
            for n in nums
        ]
    return t


def without_repeats(card: pd.DataFrame) -> pd.DataFrame:
    """The rows of a scorecard that repeat no other check (empty ``repeat_of``).

    A printed result that repeats another (``about.same_as`` in the data file)
    is not independent evidence; every count of the verdicts and of the causes
    leaves it out. A card without a ``repeat_of`` column is returned as it is.

    Parameters
    ----------
    card : DataFrame
        A scorecard (:func:`scorecard`) or some of its rows.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> card = pd.DataFrame({"key": ["a", "b"], "repeat_of": ["", "a"]})
    >>> without_repeats(card)["key"].tolist()
    ['a']
    """
    if "repeat_of" not in card.columns:
        return card
    return card[card["repeat_of"].fillna("").astype(str) == ""]


def summarise(
    card: pd.DataFrame, count_repeats: bool = False, split_uninformative: bool = False
) -> pd.Series:
    """Counts of each verdict (all of :data:`ALL_VERDICTS`, zeros included).

    The verdicts of the simulation (``reproduced``, ``plausible``, ``not
    reproduced``) and those of the audit (:data:`AUDIT_VERDICTS`) are distinct
    words, so each is counted apart. A printed p-value that repeats another test
    on the same table (column ``repeat_of`` of :func:`scorecard`, from the
    ``about.same_as`` of the data file) is not independent evidence: it is left
    out of the counts unless ``count_repeats`` is true.  ``split_uninformative``
    counts the *plausible* checks whose Monte Carlo interval is too wide to tell
    much (column ``informative`` False) apart, as ``"plausible, uninformative"``
    after ``"plausible"``.

    Parameters
    ----------
    card : DataFrame
        A scorecard (:func:`scorecard`) with a ``verdict`` column, and optionally
        ``repeat_of`` and ``informative``.
    count_repeats : bool, default False
        Count the checks that repeat another test (non-empty ``repeat_of``).
    split_uninformative : bool, default False
        Count the uninformative plausible checks apart.

    Returns
    -------
    Series
        Verdict -> number of checks, in :data:`ALL_VERDICTS` order (with
        ``"plausible, uninformative"`` after ``"plausible"`` when split), zeros
        included.

    Raises
    ------
    ValueError
        When a verdict is not one of :data:`ALL_VERDICTS` (it would silently drop
        out of the counts).

    Examples
    --------
    >>> card = pd.DataFrame({"verdict": ["reproduced", "reproduced", "consistent"],
    ...                      "repeat_of": ["", "a", ""]})
    >>> {k: v for k, v in summarise(card).items() if v}
    {'reproduced': 1, 'consistent': 1}
    """
    unknown = set(card["verdict"]) - set(ALL_VERDICTS)
    if unknown:
        raise ValueError(f"unknown verdicts {sorted(unknown)}; expected one of {ALL_VERDICTS}")
    if not count_repeats:
        card = without_repeats(card)
    if not split_uninformative:
        return card["verdict"].value_counts().reindex(list(ALL_VERDICTS), fill_value=0)
    from hccrep.display import UNINFORMATIVE

    verdicts = card["verdict"]
    if "informative" in card.columns:
        wide = (verdicts == "plausible") & ~card["informative"].fillna(True).astype(bool)
        verdicts = verdicts.where(~wide, UNINFORMATIVE)
    order = list(ALL_VERDICTS[:2]) + [UNINFORMATIVE] + list(ALL_VERDICTS[2:])
    return verdicts.value_counts().reindex(order, fill_value=0)


def fidelity(card: pd.DataFrame, count_repeats: bool = False) -> tuple[int, int, float]:
    """The share of simulated checks that are reproduced or plausible.

    Only the checks a simulation judged count (verdict ``reproduced``,
    ``plausible`` or ``not reproduced``; column ``judged_by`` ``simulation`` when
    the card has it): the audit's verdicts (:data:`AUDIT_VERDICTS`) are internal
    consistency, not replication, and a *not checkable* number is not judged.
    Repeats of a test are counted once, as in :func:`summarise`.

    Parameters
    ----------
    card : DataFrame
        A scorecard (:func:`scorecard`).
    count_repeats : bool, default False
        Count the checks that repeat another test (non-empty ``repeat_of``).

    Returns
    -------
    tuple of (int, int, float)
        Reproduced or plausible, simulated checks judged, and their ratio (NaN when
        no check was simulated).

    Examples
    --------
    >>> card = pd.DataFrame({"verdict": ["reproduced", "plausible", "not reproduced",
    ...                                  "consistent", "not checkable"]})
    >>> fidelity(card)
    (2, 3, 0.6666666666666666)
    """
    if not count_repeats:
        card = without_repeats(card)
    sim = card["verdict"].isin(_SIM_JUDGED)
    if "judged_by" in card.columns:
        sim &= card["judged_by"].fillna("simulation") == "simulation"
    n = int(sim.sum())
    ok = int((sim & card["verdict"].isin(_SIM_OK)).sum())
    return ok, n, ok / n if n else float("nan")


RunnerFactory = Callable[..., Runner]


def mc_intervals(
    study: Study, mc: pd.DataFrame, keys: Sequence[str], level: float = 0.95
) -> pd.DataFrame:
    """Monte Carlo interval of each check in ``keys`` and whether the reported value lies inside.

    The interval is computed as :func:`hccrep.replication.scorecard` does
    (empirical quantiles, ``inverted_cdf``), and "inside" is
    :func:`interval_reaches`: the interval holds a value that prints as the
    reported one (past the bound, for a p-value printed as ``"<0.001"``).  Limits of printed intervals are named
    ``<key>.lower`` / ``<key>.upper``.

    Parameters
    ----------
    study : Study
    mc : pandas.DataFrame
        One row per cohort, one column per check key (:func:`monte_carlo`).
    keys : sequence of str
        Check keys (``<key>.lower`` / ``<key>.upper`` for interval limits).
    level : float
        Coverage of the interval.

    Returns
    -------
    DataFrame
        Index ``key``; columns ``reported, mc_low, mc_high, inside``.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("fonc2025")
    >>> mc = pd.DataFrame({"os_logrank_p": [0.001, 0.02, 0.3]})
    >>> mc_intervals(st, mc, ["os_logrank_p"]).inside.tolist()
    [True]
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    a = (1 - level) / 2
    rows = []
    for key in keys:
        base, _, side = key.partition(".")
        num = study.number(base)
        reported = getattr(num, side) if side else num.value
        col = mc[key].dropna().to_numpy() if key in mc.columns else np.array([])
        lo, hi = (
            np.quantile(col, [a, 1 - a], method="inverted_cdf") if col.size else (np.nan, np.nan)
        )
        printed = replace(num, value=reported, bound=None) if side else num
        inside = bool(col.size) and interval_reaches(printed, float(lo), float(hi))
        rows.append(
            {
                "key": key,
                "reported": reported,
                "mc_low": float(lo),
                "mc_high": float(hi),
                "inside": inside,
            }
        )
    return pd.DataFrame(rows).set_index("key")


def count_distribution(
    samples: Mapping[str, Sequence[float]], reported: float, level: float = 0.95
) -> pd.DataFrame:
    """Where a reported count falls in its distribution over simulated cohorts, per sample.

    Parameters
    ----------
    samples : mapping of str to array_like
        One Monte Carlo distribution per label (missing values dropped).
    reported : float
        The printed count.
    level : float
        Coverage of the empirical interval (quantiles as :func:`scorecard`'s,
        ``inverted_cdf``).

    Returns
    -------
    pandas.DataFrame
        Indexed by label: ``median``, ``mc_low``, ``mc_high`` and the shares of
        cohorts with ``fewer``, exactly ``as reported`` and ``more``.

    Examples
    --------
    >>> count_distribution({"a": [17, 18, 18, 19]}, 18)["as reported"].tolist()
    [0.5]
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    a = (1 - level) / 2
    rows = {}
    for label, v in samples.items():
        x = np.asarray(v, float)
        x = x[np.isfinite(x)]
        lo, hi = np.quantile(x, [a, 1 - a], method="inverted_cdf")
        rows[label] = {
            "median": float(np.median(x)),
            "mc_low": float(lo),
            "mc_high": float(hi),
            "fewer": float(np.mean(x < reported)),
            "as reported": float(np.mean(x == reported)),
            "more": float(np.mean(x > reported)),
        }
    return pd.DataFrame.from_dict(rows, orient="index")

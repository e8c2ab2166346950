"""Why a check is not reproduced: one cause for every miss of the scorecard.

A *not reproduced* verdict is a prompt to look closer, and what one finds
there is of very different kinds: the paper may have run another test than the
one the book judges it by; the number may be fixed by rounded inputs; the
paper's own numbers may disagree with each other; the analysis may run on a
handful of patients; or the simulated model may simply leave out what the
number depends on.  :func:`explain_misses` gives each miss one of
:data:`CAUSES`, with a one-line explanation in plain words, decided by
generic rules tried in this order:

1. ``test variant`` -- the paper's stated variant (column ``replicated_stated``
   of the scorecard), another variant of the same family (recomputed on the
   book's cohort), or, for a number fixed by the printed counts, a variant the
   audit finds agreeing (``p_variants``), prints as the paper did;
2. ``rounding of inputs`` -- the Monte Carlo interval is a single point at
   the printed precision, and the number is computed from rounded printed
   summaries (a mean ± SD) or the audit finds the printed value within the
   range the rounding allows;
3. ``inconsistency in the paper`` -- :func:`hccrep.audit.audit_study` marks the
   number (or its interval, or the p-value of the same model) ``inconsistent``,
   or the printed counts fix it and no test of them gives the printed value;
4. ``small subgroup`` -- the analysis runs on a subgroup or an arm of fewer than
   :data:`SMALL_SUBGROUP` patients;
5. ``simulation assumption`` -- the number depends on what the generative model
   does not tie: an interaction (the model has none), a covariate without
   effect while the paper's ratio is far from 1, the shape of a survival
   curve, or event counts the paper does not give;
6. the ``miss`` the data file declares for the number (``miss: {cause, why}``,
   curated from the chapter), when no rule decides;
7. otherwise ``not modelled``.

Causes explain misses; they never change a verdict.

Examples
--------
>>> from hccrep.replication import runner_for, scorecard          # doctest: +SKIP
>>> card = scorecard(runner_for("fonc2025"), n_mc=40, progress=False)  # doctest: +SKIP
>>> card.loc[card.verdict == "not reproduced", "cause"].value_counts()  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from hccrep.spec import MISS_CAUSES, ContinuousVariable, ReportedNumber, Study

__all__ = [
    "CAUSES",
    "SMALL_SUBGROUP",
    "FAR_RATIO",
    "CauseContext",
    "explain_misses",
    "cause_of",
    "cause_counts",
    "NO_RULE",
]

#: The causes of a miss, in the order the rules are tried (``not modelled`` last).
CAUSES = MISS_CAUSES
#: An analysis on fewer patients than this (in a subgroup or an arm) is a small subgroup.
SMALL_SUBGROUP = 20
#: A printed ratio farther from 1 than this factor is an effect the model must contain.
FAR_RATIO = 1.25
#: The explanation of a miss no rule and no data file explains.
NO_RULE = "no rule explains it; see the chapter"

_RATIOS = ("hr", "or", "rr")
_P = ("p", "p_interaction")
_CATEGORICAL = ("chisq", "chisq_yates", "fisher", "auto_fisher")
_TEST_NAMES = {
    "chisq": "Pearson's chi-square test",
    "chisq_yates": "the chi-square test with Yates' correction",
    "fisher": "Fisher's exact test",
    "auto_fisher": "Fisher's test where an expected count is below 5",
    "student": "Student's t-test",
    "welch": "Welch's t-test",
    "mannwhitney": "the Mann-Whitney test",
    "mannwhitney_exact": "the exact Mann-Whitney test",
    "kruskal": "the Kruskal-Wallis test",
    "anova": "one-way ANOVA",
    "efron": "Efron's ties",
    "breslow": "Breslow's ties",
    "log": "the log-transformed interval",
    "log-log": "the log-log interval",
    "plain": "the plain interval",
}


def _test_name(variant: str) -> str:
    return _TEST_NAMES.get(variant, variant)


def _base(key: str) -> str:
    return key.rsplit(".", 1)[0] if key.endswith((".lower", ".upper")) else key


def _side(key: str) -> str | None:
    return key.rsplit(".", 1)[1] if key.endswith((".lower", ".upper")) else None


def _finite(*values) -> bool:
    try:
        return all(v is not None and math.isfinite(float(v)) for v in values)
    except (TypeError, ValueError):
        return False


def _fmt(v: float) -> str:
    return f"{v:.4g}"


_SHORT_NAMES = {
    "chisq_yates": "chi-square with Yates",
    "auto_fisher": "Fisher if an expected count < 5",
    "chisq": "chi-square",
    "fisher": "Fisher",
    "student": "Student's t",
    "welch": "Welch's t",
    "anova": "ANOVA",
}


def _plain(detail: str) -> str:
    """An audit detail with the test variants named in words instead of their identifiers."""
    return re.sub(
        r"\b(chisq_yates|auto_fisher|chisq|fisher|student|welch|anova)\b",
        lambda m: _SHORT_NAMES[m.group(1)],
        detail,
    )


@dataclass
class CauseContext:
    """What the rules may read besides the scorecard row.

    Every part is optional, so that a rule can be tried on a hand-made row:
    a rule whose evidence is missing does not decide.

    Parameters
    ----------
    study : Study, optional
        The study (its simulation model and baseline table).
    audit : DataFrame, optional
        :func:`hccrep.audit.audit_study` of the study.
    runner : Runner, optional
        Recomputes a declared analysis under other variants on the book's cohort.
    seed : int, optional
        The book's seed (default: the study's ``book_seed``).
    numbers : mapping, optional
        Check key -> :class:`~hccrep.spec.ReportedNumber` (default: the
        runner's checks).
    """

    study: Study | None = None
    audit: pd.DataFrame | None = None
    runner: Any = None
    seed: int | None = None
    numbers: Mapping[str, ReportedNumber] | None = None
    _cohort: Any = field(default=None, repr=False)
    _view: Any = field(default=None, repr=False)
    _claims: Any = field(default=None, repr=False)

    def __post_init__(self):
        if self.study is None and self.runner is not None:
            self.study = self.runner.study
        if self.numbers is None:
            self.numbers = {n.key: n for n in self.runner.checks} if self.runner is not None else {}

    # ----------------------------------------------------------------- the book's cohort
    def cohort(self) -> pd.DataFrame | None:
        """The cohort of the book's seed (None without a runner)."""
        if self._cohort is None and self.runner is not None:
            seed = self.seed if self.seed is not None else self.study.meta.book_seed
            self._cohort = self.runner.simulate(seed)
        return self._cohort

    def view(self):
        from hccrep.replication import DeclaredRunner

        if self._view is None and isinstance(self.runner, DeclaredRunner):
            cohort = self.cohort()
            if cohort is not None:
                self._view = self.runner.view(cohort)
        return self._view

    # ----------------------------------------------------------------- the audit
    def audit_rows(self, keys) -> pd.DataFrame:
        keys = set(keys)
        parts = []
        if self.audit is not None and not self.audit.empty:
            parts.append(self.audit[self.audit["key"].isin(keys)])
        claims = self.claim_findings()
        if claims is not None and not claims.empty:
            hit = claims["numbers"].map(lambda ns: bool(keys & set(ns)))
            found = claims.loc[hit, ["check", "key", "status", "detail", "numbers"]].copy()
            # name a claim's finding by the number it judges, with the claim in its detail
            found["detail"] = found["key"] + ": " + found["detail"]
            found["key"] = [sorted(keys & set(ns))[0] for ns in found.pop("numbers")]
            parts.append(found)
        if not parts:
            return pd.DataFrame(columns=["check", "key", "status", "detail"])
        return pd.concat(parts, ignore_index=True)

    def claim_findings(self) -> pd.DataFrame | None:
        """The findings of the study's declared claims, with the numbers each judges (cached)."""
        if self._claims is None and self.study is not None and self.study.claims is not None:
            from hccrep.audit import claim_findings

            self._claims = claim_findings(self.study)
        return self._claims

    def partners(self, num: ReportedNumber) -> set[str]:
        """The number, its point estimate and the numbers of the same model term (an HR and its p)."""
        base = _base(num.key)
        out = {num.key, base}
        if self.study is None or num.row is None:
            return out
        me = next((n for n in self.study.numbers if n.key == base), None)
        if me is None or me.analysis is None:
            return out
        mine = me.analysis.model_dump()
        for n in self.study.numbers:
            if (
                n.file_id == me.file_id
                and n.row == me.row
                and n.analysis is not None
                and n.key != base
                and n.analysis.model_dump() == mine
            ):
                out.add(n.key)
        return out

    # ----------------------------------------------------------------- the model
    def group_variable(self) -> str:
        sim = self.study.simulation if self.study is not None else None
        return sim.group_variable if sim is not None else "group"

    def variable_label(self, var: str) -> str:
        try:
            base = self.study.baseline()
        except (KeyError, AttributeError, ValueError):
            return var.replace("_", " ")
        v = next((x for x in base.variables if x.key == var), None)
        return v.label if v is not None else var.replace("_", " ")

    def level_label(self, var: str, level: str) -> str:
        try:
            base = self.study.baseline()
        except (KeyError, AttributeError, ValueError):
            return level
        if var == self.group_variable():
            g = next((g for g in base.groups if g.key == level), None)
            return g.label if g is not None else level
        v = next((x for x in base.variables if x.key == var), None)
        lv = (
            next((lv for lv in getattr(v, "levels", []) if lv.key == level), None)
            if v is not None
            else None
        )
        return lv.label if lv is not None else level

    def continuous_variables(self) -> dict[str, ContinuousVariable]:
        try:
            base = self.study.baseline()
        except (KeyError, AttributeError, ValueError):
            return {}
        return {v.key: v for v in base.variables if isinstance(v, ContinuousVariable)}


# --------------------------------------------------------------------------- helpers


def _reproduces(num: ReportedNumber, value) -> bool:
    from hccrep.replication import verdict

    return _finite(value) and verdict(num, float(value), None)[0] == "reproduced"


def _is_point(row: Mapping, num: ReportedNumber) -> bool:
    """The Monte Carlo interval does not move at the printed precision."""
    lo, hi = row.get("mc_low"), row.get("mc_high")
    if not _finite(lo, hi):
        return False
    dec = num.decimals if num.decimals is not None else 2
    return float(hi) - float(lo) <= max(0.5 * 10.0**-dec, 1e-9 * max(1.0, abs(float(hi))))


def _analysis(num: ReportedNumber):
    return getattr(num, "analysis", None)


def _used_variant(a, runner) -> str | None:
    if a is None:
        return None
    eff = runner._effective(a) if runner is not None and hasattr(runner, "_effective") else a
    return eff.variant.used if eff.variant is not None else None


def _reads_table(num: ReportedNumber, ctx: CauseContext) -> bool:
    """The number is a test or summary of the baseline table's own groups, whose printed cells are inputs."""
    a = _analysis(num)
    return (
        a is not None
        and a.kind in ("table1_test", "summary")
        and not a.subset
        and getattr(a, "by", None) in (None, ctx.group_variable())
    )


def _count_only(row: Mapping, num: ReportedNumber, ctx: CauseContext) -> bool:
    """The number is computed from the printed counts alone (a test of a categorical Table 1 row).

    Without a declared analysis, the audit's recomputation from the printed counts
    must hold the replicated value: then the audit's table is the cohort's.
    """
    a = _analysis(num)
    if a is not None:
        return (
            a.kind == "table1_test"
            and _used_variant(a, ctx.runner) in _CATEGORICAL
            and a.variable not in ctx.continuous_variables()
        )
    for _, r in ctx.audit_rows({num.key}).iterrows():
        detail = str(r["detail"])
        if (
            r["check"] == "p_variants"
            and re.match(r"chisq \d", detail)
            and _audit_has(detail, row.get("replicated"))
        ):
            return True
    return False


def _audit_has(detail: str, value) -> bool:
    """One of the p-values an audit detail lists equals ``value`` (at the 4 digits it prints)."""
    return _finite(value) and any(
        math.isclose(float(v), float(value), rel_tol=5e-4, abs_tol=5e-5)
        for _, v in _AUDIT_VALUE.findall(detail)
    )


_AUDIT_VALUE = re.compile(
    r"\b(chisq_yates|chisq|auto_fisher|fisher|student|welch|anova) (\d+(?:\.\d+)?(?:e-?\d+)?)"
)


# --------------------------------------------------------------------------- the rules


def rule_test_variant(row: Mapping, num: ReportedNumber, ctx: CauseContext) -> str | None:
    """Another variant of the analysis prints as the paper on the book's seed."""
    used = row.get("variant") or _used_variant(_analysis(num), ctx.runner) or ""
    stated = row.get("stated_variant") or ""
    if stated and _reproduces(num, row.get("replicated_stated")):
        return (
            f"the paper's stated {_test_name(stated)} gives {_fmt(row['replicated_stated'])} on the book's "
            f"seed, which prints as {num.printed!r}; the scorecard judges the {_test_name(used)} the paper's "
            "other numbers show it used"
        )
    found = _other_variant(num, ctx, used, stated)
    if found is not None:
        name, value = found
        varies = (
            ""
            if name not in ("mannwhitney", "mannwhitney_exact", "kruskal")
            else " (a rank test, whose p changes from cohort to cohort: the match may be luck)"
        )
        return (
            f"{_test_name(name)} gives {_fmt(value)} on the book's seed, which prints as the paper{varies}; "
            f"the scorecard judges {_test_name(used) if used else 'the declared variant'}"
        )
    for _, r in ctx.audit_rows({num.key}).iterrows() if _reads_table(num, ctx) else ():
        # the audit finds the printed p within the rounding range of another test, not of the one judged
        # (only where the printed summaries are the simulation's inputs, so the audit's data are the cohort's)
        m = re.search(r"within rounding: ([^;]+)", str(r["detail"]))
        others = [x.strip() for x in m.group(1).split(",")] if m else []
        others = [x for x in others if x and x != "none"]
        if others and used and used not in others:
            rng = re.search(
                rf"\b{re.escape(others[0])} \S+ \(within rounding \[([^\]]+)\]\)", str(r["detail"])
            )
            allows = f" (from {rng.group(1).replace(', ', ' to ')})" if rng else ""
            return (
                f"{_test_name(others[0])} on the printed summaries, within their rounding, gives p-values"
                f"{allows} that hold the printed one (audit, {r['check']}); the scorecard judges "
                f"{_test_name(used)}, which the printed summaries do not fix"
            )
    if _is_point(row, num):
        for _, r in ctx.audit_rows({num.key}).iterrows():
            if r["check"] != "p_variants":
                continue
            detail = str(r["detail"])
            agrees = re.search(r"agrees: ([^;]+)", detail)
            values = dict(_AUDIT_VALUE.findall(detail))
            names = [a.strip() for a in agrees.group(1).split(",")] if agrees else []
            names = [a for a in names if a in values and a != "none"]
            if names and _audit_has(detail, row.get("replicated")):
                return (
                    f"the printed counts fix this p-value in every cohort; {_test_name(names[0])} gives "
                    f"{values[names[0]]} from them, which prints as the paper (audit, p_variants), while the "
                    f"scorecard computes {_fmt(row['replicated'])}"
                )
    return None


def _other_variant(num: ReportedNumber, ctx: CauseContext, used: str, stated: str):
    """(variant, value) of the first other variant of a declared analysis that reproduces the number."""
    from hccrep.declared import CATEGORICAL_TESTS

    a = _analysis(num)
    if a is None or not type(a).VARIANTS:
        return None
    runner = ctx.runner
    declared = getattr(runner, "_declared", None)
    if declared is None or _base(num.key) not in {n.key for n in declared}:
        return None
    view = ctx.view()
    if view is None:
        return None
    from hccrep.analyses import compute

    side = _side(num.key)
    for name in type(a).VARIANTS:
        if name in (used, stated):
            continue
        if a.kind == "table1_test" and (name in CATEGORICAL_TESTS) != (used in CATEGORICAL_TESTS):
            continue
        try:
            res = compute(a.with_variant(name), view, num.quantity)
        except Exception:  # noqa: BLE001 - a variant that does not apply to these data
            continue
        value = getattr(res, side) if side else res.pick(num.quantity)
        if _reproduces(num, value):
            return name, float(value)
    return None


def rule_rounding(row: Mapping, num: ReportedNumber, ctx: CauseContext) -> str | None:
    """The number does not vary between cohorts and comes from rounded printed summaries."""
    if not _is_point(row, num):
        return None
    keys = {num.key, _base(num.key)}
    audit = ctx.audit_rows(keys)
    if (audit["status"] == "inconsistent").any():
        return None
    a = _analysis(num)
    continuous = ctx.continuous_variables()
    var = getattr(a, "variable", None) if a is not None else None
    from_summaries = var in continuous and _reads_table(num, ctx)
    within = None
    for _, r in audit.iterrows():
        m = re.search(r"within rounding: ([^;]+)", str(r["detail"]))
        if m and m.group(1).strip() != "none":
            used = row.get("variant") or ""
            rng = (
                re.search(
                    rf"\b{re.escape(used)} \S+ \(within rounding \[([^\]]+)\]\)", str(r["detail"])
                )
                if used
                else None
            )
            within = (r["check"], rng.group(1) if rng else None)
            break
    if not from_summaries and within is None:
        return None
    if from_summaries:
        v = continuous[var]
        kind = {
            "mean_sd": "means and SDs",
            "median_iqr": "medians and IQRs",
            "median_range": "medians and ranges",
        }
        what = f"the printed {kind[v.summary]} of {v.label}"
    else:
        what = "the printed inputs"
    text = (
        f"{_fmt(row['mc_low'])} in every simulated cohort: it is fixed by {what}, so only their rounding "
        "could move it"
    )
    if within is not None:
        check, rng = within
        text += f"; the audit ({check}) finds the printed value possible within that rounding" + (
            f" (the rounding allows {rng})" if rng else ""
        )
    return text


def rule_inconsistent(row: Mapping, num: ReportedNumber, ctx: CauseContext) -> str | None:
    """The audit finds the printed numbers inconsistent, or exact counts give no printed value."""
    audit = ctx.audit_rows(ctx.partners(num))
    bad = audit[audit["status"] == "inconsistent"]
    if not bad.empty:
        r = bad.iloc[0]
        detail = _plain(str(r["detail"]))
        if len(detail) > 180:
            detail = detail[:177].rsplit(" ", 1)[0] + " ..."
        whose = "" if r["key"] in (num.key, _base(num.key)) else " (of the same model term)"
        return f"the audit ({r['check']}) finds the printed numbers{whose} disagree with each other: {detail}"
    if _is_point(row, num) and _count_only(row, num, ctx):
        used = row.get("variant") or ""
        tried = (
            f"neither {_test_name(used)}, which the scorecard uses, nor any other test"
            if used
            else "no test"
        )
        return (
            "the printed counts fix this p-value in every simulated cohort, and "
            f"{tried} of them gives the printed value: a count or the p-value is likely misprinted"
        )
    return None


def _time_unit(study, endpoint: str) -> str:
    from hccrep.display import _time_unit as unit

    return unit(study, endpoint) if study is not None else ""


def _subgroup_sizes(num: ReportedNumber, ctx: CauseContext) -> dict[str, int]:
    """Patients per group, arm or subset the number's analysis runs on (empty if unknown)."""
    a = _analysis(num)
    if a is None:
        return {
            f"{ctx.level_label(ctx.group_variable(), k)}": int(v)
            for k, v in (num.about.n_by_group or {}).items()
        }
    subset = dict(getattr(a, "subset", {}) or {})
    group = getattr(a, "group", None)
    groups = getattr(a, "groups", None)
    if not subset and group is None and groups is None:
        return {}
    cohort = ctx.cohort()
    if cohort is None:
        return {}
    df = cohort
    where = []
    for var, lv in subset.items():
        if var not in df.columns:
            return {}
        df = df[df[var].astype(str) == str(lv)]
        where.append(f"{ctx.variable_label(var)} {ctx.level_label(var, lv)}")
    by = getattr(a, "by", None) or ctx.group_variable()
    prefix = f"{', '.join(where)}: " if where else ""
    sizes: dict[str, int] = {}
    if group is not None and by in df.columns:
        sizes[prefix + ctx.level_label(by, group)] = int((df[by].astype(str) == str(group)).sum())
    elif groups and by in df.columns:
        for g in groups:
            sizes[prefix + ctx.level_label(by, g)] = int((df[by].astype(str) == str(g)).sum())
    elif (
        a.kind in ("cox", "logistic")
        and a.term in df.columns
        and a.term not in a.collapse
        and not pd.api.types.is_numeric_dtype(df[a.term])
    ):
        counts = df[a.term].astype(str).value_counts()
        levels = [x for x in (a.level, a.reference.get(a.term)) if x is not None] or list(
            counts.index
        )
        for lv in levels:
            sizes[prefix + ctx.level_label(a.term, lv)] = int(counts.get(str(lv), 0))
    else:
        sizes[", ".join(where) or "all"] = len(df)
    return sizes


def rule_small_subgroup(row: Mapping, num: ReportedNumber, ctx: CauseContext) -> str | None:
    """The analysis runs on a subgroup or arm of fewer than :data:`SMALL_SUBGROUP` patients."""
    sizes = _subgroup_sizes(num, ctx)
    small = {k: v for k, v in sizes.items() if v < SMALL_SUBGROUP}
    if not small:
        return None
    parts = ", ".join(f"{k} {v}" for k, v in sizes.items())
    return (
        f"computed on few patients ({parts}); with fewer than {SMALL_SUBGROUP} in a group, one cohort's value "
        "can land far from the average, and the paper's is one such draw"
    )


def _effects_of(ctx: CauseContext, a) -> tuple[dict, str] | None:
    """Variable -> effect input of the endpoint or outcome an analysis models (None if it is not simulated)."""
    sim = ctx.study.simulation if ctx.study is not None else None
    if sim is None:
        return None
    if a.kind == "cox":
        spec = next((s for s in sim.survival if s.endpoint == a.endpoint), None)
        return (
            ({e.variable: e.hr_key for e in spec.effects}, a.endpoint.upper())
            if spec is not None
            else None
        )
    if a.kind == "logistic":
        spec = next((b for b in sim.binary if b.outcome == a.outcome), None)
        return (
            ({e.variable: e.or_key for e in spec.effects}, a.outcome) if spec is not None else None
        )
    return None


def _no_effect(ctx: CauseContext, variable: str, effects: dict) -> bool:
    """No effect in the model: absent, or its input ratio prints as 1 (a log odds ratio as 0)."""
    if variable not in effects:
        return True
    try:
        eff = ctx.study.number(effects[variable])
    except KeyError:
        return False
    return eff.value == (0.0 if eff.quantity == "log_or" else 1.0)


def _far(num: ReportedNumber, ctx: CauseContext) -> bool:
    """The paper's ratio (or the ratio beside its p-value) is far from 1, or its p is below 0.05."""
    base = ctx.study.number(_base(num.key)) if ctx.study is not None else num
    if base.quantity in _RATIOS:
        return base.value > 0 and abs(math.log(base.value)) > math.log(FAR_RATIO)
    if base.quantity in _P:
        if base.value < 0.05 or base.bound == "<" and base.value <= 0.05:
            return True
        for k in ctx.partners(base) - {base.key}:
            n = ctx.study.number(k)
            if (
                n.quantity in _RATIOS
                and n.value > 0
                and abs(math.log(n.value)) > math.log(FAR_RATIO)
            ):
                return True
    return False


def rule_simulation_assumption(row: Mapping, num: ReportedNumber, ctx: CauseContext) -> str | None:
    """The number depends on what the generative model does not tie."""
    a = _analysis(num)
    sim = ctx.study.simulation if ctx.study is not None else None
    if num.quantity == "p_interaction":
        return (
            "the simulated model has main effects only, no interaction, so the interaction p is about "
            "uniform over cohorts; a small printed p says the paper's data hold an interaction the model "
            "does not contain"
        )
    subgroup_ratio = (
        a is not None
        and a.kind in ("cox", "logistic")
        and a.subset
        and a.term == ctx.group_variable()
    ) or (
        a is None
        and num.quantity in _RATIOS
        and (num.about.subgroup_variable is not None or num.about.subgroup is not None)
    )
    if subgroup_ratio:
        return (
            "a ratio within a subgroup: the simulated model gives each factor the same effect in every "
            "subgroup (no interaction), so the subgroup ratio differs from the overall one only by chance"
        )
    if a is None or sim is None:
        return None
    if a.kind in ("cox", "logistic") and a.term != ctx.group_variable():
        eff = _effects_of(ctx, a)
        if eff is not None:
            effects, target = eff
            if _no_effect(ctx, a.term, effects) and _far(num, ctx):
                base = ctx.study.number(_base(num.key))
                printed = f"the paper's {base.printed!r}"
                return (
                    f"{ctx.variable_label(a.term)} has no effect of its own on {target} in the simulated model, "
                    f"so its {'ratio' if num.quantity in _RATIOS else 'p-value'} comes only from the variables "
                    f"it is correlated with; {printed} needs an effect the model does not contain"
                )
    if a.kind == "cox" and a.term == ctx.group_variable() and not a.subset:
        spec = next((sv for sv in sim.survival if sv.endpoint == a.endpoint), None)
        if spec is not None and a.term not in {e.variable for e in spec.effects}:
            shape = "exponential" if spec.shape == 1 else f"Weibull shape {spec.shape:g}"
            return (
                f"the model sets each arm's median {a.endpoint.upper()} to the printed one, with an assumed curve "
                f"shape ({shape}) and proportional hazards; the treatment ratio then follows from the ratio of "
                "the medians (moved by the case mix), and the paper's value needs another shape or curves that "
                "are not proportional"
            )
    endpoint = getattr(a, "endpoint", None)
    var = getattr(a, "variable", None)
    if endpoint is None and isinstance(var, str) and var.endswith(("_time", "_event")):
        endpoint = var.rsplit("_", 1)[0]
    if endpoint is None:
        return None
    spec = next((s for s in sim.survival if s.endpoint == endpoint), None)
    name = endpoint.upper()
    if spec is None:
        if f"{endpoint}_time" in sim.module_columns:
            miss = getattr(num, "miss", None)
            if miss is not None and miss.part in ("both", "limits" if _side(num.key) else "value"):
                return None  # the data file's own explanation is more specific than this fallback
            return (
                f"{name} comes from the study module's own survival model, built on assumptions stated in "
                "simulation.yaml (such as the follow-up); the paper prints no input that fixes this number, "
                "so it follows from those assumptions"
            )
        return None
    unit = _time_unit(ctx.study, endpoint)
    if a.kind == "km_landmark":
        shape = "exponential" if spec.shape == 1 else f"Weibull shape {spec.shape:g}"
        return (
            f"the model fits each arm's median {name} only, with an assumed curve shape ({shape}); the rate "
            f"at {a.time:g}{' ' + unit if unit else ''} depends on that shape, which a median does not fix"
        )
    if spec.events is None and (
        (a.kind == "km_median" and _side(num.key) is not None)
        or a.kind == "logrank"
        or a.kind in ("proportion", "summary")
    ):
        window = spec.follow_up
        capped = ""
        if window is None and spec.cap_by is not None:
            cap = next((s for s in sim.survival if s.endpoint == spec.cap_by), None)
            window = cap.follow_up if cap is not None else None
            capped = f", that of {spec.cap_by.upper()}"
        text = (
            f" ({window[0]:g} to {window[1]:g}{' ' + unit if unit else ''}{capped})"
            if window
            else ""
        )
        return (
            f"the paper gives no event counts for {name}: the number of events comes from an assumed "
            f"follow-up window{text}, and this number depends on it"
        )
    return None


#: (cause, rule) in the order they are tried.
RULES = (
    ("test variant", rule_test_variant),
    ("rounding of inputs", rule_rounding),
    ("inconsistency in the paper", rule_inconsistent),
    ("small subgroup", rule_small_subgroup),
    ("simulation assumption", rule_simulation_assumption),
)


def cause_of(row: Mapping, num: ReportedNumber, ctx: CauseContext) -> tuple[str, str, str]:
    """``(cause, detail, source)`` of one miss: source ``rule``, ``data`` or ``none``.

    Parameters
    ----------
    row : mapping
        One scorecard row (``key``, ``verdict``, ``replicated``, ``mc_low``, ...).
    num : ReportedNumber
        The reported number the row judges (its ``miss`` entry is the data's answer).
    ctx : CauseContext
        What the rules may read besides the row.

    Returns
    -------
    (str, str, str)
        The cause (one of :data:`CAUSES`), its explanation, and where it came from:
        ``"rule"`` when a rule of :data:`RULES` decided (the first that does), else
        ``"data"`` when the data file's ``miss`` covers this part of the number, else
        ``"none"`` (cause ``not modelled``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> num = SimpleNamespace(key="x.median", miss=None)
    >>> cause_of({"key": "x.median", "verdict": "not reproduced"}, num, CauseContext())[2]
    'none'
    """
    for cause, rule in RULES:
        try:
            detail = rule(row, num, ctx)
        except (KeyError, AttributeError, ValueError, TypeError):
            detail = None
        if detail:
            return cause, detail, "rule"
    miss = getattr(num, "miss", None)
    if miss is not None and miss.part in ("both", "limits" if _side(num.key) else "value"):
        return miss.cause, miss.why, "data"
    return "not modelled", NO_RULE, "none"


def explain_misses(
    card: pd.DataFrame,
    runner=None,
    *,
    study: Study | None = None,
    audit: pd.DataFrame | None = None,
    seed: int | None = None,
    numbers: Mapping[str, ReportedNumber] | None = None,
) -> pd.DataFrame:
    """A cause for every *not reproduced* row of a scorecard (and every audit *inconsistent*).

    Parameters
    ----------
    card : DataFrame
        From :func:`hccrep.replication.scorecard`.
    runner : Runner, optional
        The scorecard's runner (recomputes declared analyses under other variants).
    study, audit, seed, numbers
        See :class:`CauseContext`; ``audit`` defaults to
        :func:`hccrep.audit.audit_study` of the study.

    Returns
    -------
    DataFrame
        Index of ``card``; columns ``cause``, ``cause_detail`` and
        ``cause_source`` (``rule``, ``data`` or ``none``), empty strings for the
        rows that are not misses.
    """
    out = pd.DataFrame({"cause": "", "cause_detail": "", "cause_source": ""}, index=card.index)
    # an audit's "inconsistent" is explained like a miss (the paper contradicts itself)
    missed = card.index[card["verdict"].isin(["not reproduced", "inconsistent"])]
    if len(missed) == 0:
        return out
    if audit is None:
        from hccrep.audit import audit_study

        st = study if study is not None else getattr(runner, "study", None)
        try:
            audit = audit_study(st) if st is not None else None
        except Exception:  # noqa: BLE001 - a study the audit cannot read still gets the other rules
            audit = None
    ctx = CauseContext(study=study, audit=audit, runner=runner, seed=seed, numbers=numbers)
    for i in missed:
        row = card.loc[i].to_dict()
        num = ctx.numbers.get(row["key"])
        if num is None:
            out.loc[i, ["cause", "cause_detail", "cause_source"]] = [
                "not modelled",
                NO_RULE,
                "none",
            ]
            continue
        if row.get("judged_by") == "audit":
            why = _plain(str(row["reason"]).split(": ", 1)[-1])
            out.loc[i, ["cause", "cause_detail", "cause_source"]] = [
                "inconsistency in the paper",
                f"a claim of the paper's text disagrees with its printed numbers: {why}",
                "rule",
            ]
            continue
        out.loc[i, ["cause", "cause_detail", "cause_source"]] = list(cause_of(row, num, ctx))
    return out


def cause_counts(card: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Misses by cause (rows, in :data:`CAUSES` order) and by where the cause came from (rule, data, none).

    ``by`` (e.g. ``"study"``) adds an outer level of rows.

    Parameters
    ----------
    card : DataFrame
        A scorecard with ``verdict``, ``cause`` and ``cause_source`` columns (and ``by``).
    by : str, optional
        A column whose values become an outer level of rows.

    Returns
    -------
    DataFrame
        Counts of the *not reproduced* rows, by cause (rows) and by ``rule``, ``data``,
        ``none`` (columns), with a ``total`` column.

    Examples
    --------
    >>> card = pd.DataFrame({"verdict": ["not reproduced", "plausible"], "cause": ["test variant", ""],
    ...                      "cause_source": ["rule", ""]})
    >>> int(cause_counts(card).loc["test variant", "rule"])
    1
    """
    missed = card[card["verdict"] == "not reproduced"]
    keys = ([by] if by else []) + ["cause"]
    if missed.empty:
        table = pd.DataFrame(0, index=pd.Index([], name="cause"), columns=["rule", "data", "none"])
    else:
        table = missed.groupby(keys + ["cause_source"]).size().unstack(fill_value=0)
    table = table.reindex(columns=["rule", "data", "none"], fill_value=0)
    if by is None:
        table = table.reindex(list(CAUSES), fill_value=0)
    table["total"] = table.sum(axis=1)
    return table.astype(int)

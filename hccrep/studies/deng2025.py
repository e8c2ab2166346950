"""deng2025 (P+T alone, with TACE or with RT; AI survival models): glue shared by its notebooks and tests.

The cohort is built from Table 1 (three groups, every cell exact, the four laboratory rows honouring
both their mean ± SD and their dichotomised counts), the three KM medians of overall survival and
the univariable hazard ratios that ``data/deng2025/simulation.yaml`` names as covariate effects.
Everything else the paper prints is a check, computed here on the simulated cohort.

Cohort columns (one row per patient; :meth:`Deng2025Runner.simulate`)
    ``id``; ``treatment`` (``pt`` / ``tace`` / ``rt``); ``age`` (years); the categorical Table 1
    variables ``sex, hbv, child_pugh, afp, bclc, number, size, pvtt, lymph_node, metastasis`` and the
    dichotomised laboratory rows ``leukocyte_cat, platelet_cat, alt_cat, ast_cat`` (pandas
    Categorical with the level keys of ``table1.yaml``); the laboratory values ``leukocyte,
    platelet`` (10^9/L), ``alt, ast`` (U/L); ``os_time`` (**months**) and ``os_event`` (1 = death).
    ``cohort.attrs["analysis_seed"]`` seeds the split and the models of that cohort.

Model features (:meth:`Deng2025Runner.model_matrix`)
    The variables whose univariable p in Table 2 is below the paper's 5 % level (read from data):
    age and AST as numbers, the others as 0/1 indicators (``child_pugh_B``, ``size_5to10``,
    ``size_ge10``, ``treatment_tace``, ``treatment_rt``, ...).  :meth:`Deng2025Runner.feature_groups`
    maps each clinical variable to its columns (for grouped permutation importance and PDPs).

Variants (``runner.variants``; each a key of the constructor's ``variants`` argument)
    ``categorical``
        Table 1 test for the categorical rows: ``"chisq_yates"`` (R ``chisq.test`` default, Yates'
        correction on 2 x 2 tables only) reproduces the printed p of 19 of the 20 categorical
        pairwise comparisons; ``"chisq"`` (no correction) and ``"fisher"`` reproduce few.
    ``continuous``
        ``"mannwhitney"`` (the paper's test for non-normal data; its p varies with the simulated
        values), ``"student"`` or ``"welch"`` (fixed by the printed mean ± SD).
    ``km_conf_type``
        ``"log"`` (R survfit default) for the KM median CIs.
    ``ties``
        ``"efron"`` (R coxph default) for the univariable Cox models; ``cox_engine`` ``"numpy"``
        (:mod:`hccrep.stats.fastcox`, tested equal to lifelines) or ``"lifelines"``.
    ``c_index``
        ``"harrell"`` (R ``survival::concordance``, randomForestSRC's error rate) or ``"uno"``.
    ``models``
        ``"off"`` (Table 1, KM and Cox only: about 50 ms a cohort), ``"fast"`` (plus Table 3 and the
        claims, with :func:`hccrep.survival_models.fit_models` ``fast=True``: a few seconds a
        cohort) or ``"full"`` (500 trees, 10-fold LASSO CV).  The default is ``"off"``;
        ``make_runner(study, variants={"models": "fast"})`` gives the model checks.  The book's
        scorecard (step 8) runs both: ``"off"`` over ``N_MC`` cohorts for Table 1, KM and Table 2,
        and ``"fast"`` over fewer cohorts for Table 3 and the claims.
    ``table3_dataset``
        ``"as_read"`` (C-index on training, Brier and AUC on validation: ``about.cohort`` in table3.yaml),
        ``"training"`` or ``"validation"`` (every column on that set).
    ``explain_on``
        ``"validation"`` or ``"training"``: the data the permutation importance and the partial
        dependence of the RSF are computed on.

Examples
--------
>>> from hccrep.spec import load_study
>>> runner = make_runner(load_study("deng2025"))
>>> cohort = runner.simulate(1)
>>> sorted(cohort["treatment"].value_counts().tolist())
[89, 108, 154]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from hccrep.printed import equal_at_precision, parse_summary
from hccrep.replication import DeclaredRunner
from hccrep.simulate import simulate_baseline
from hccrep.simulate.continuous import SummaryMismatchError, exact_mean_sd
from hccrep.simulate.study import simulate_endpoints
from hccrep.spec import CategoricalVariable, ContinuousVariable, ReportedNumber, Study

__all__ = [
    "make_runner",
    "Deng2025Runner",
    "exact_mean_sd_with_cut",
    "enforce_rules",
    "grouped_permutation_importance",
    "longest_run",
    "model_wins",
    "deng_audit",
    "KM_CONF_TYPE",
    "MODEL_KEYS",
    "DCA_MIN_RUN",
]

#: R survfit's default transform of the KM interval.
KM_CONF_TYPE = "log"
#: Table 3's model rows in the order printed (keys of :data:`hccrep.survival_models.MODEL_NAMES`).
MODEL_KEYS = ("cox", "lasso_cox", "survival_tree", "rsf", "gbsa")
#: A decision-curve claim holds when the model's net benefit beats treat-all and treat-none on at
#: least this many consecutive thresholds of the grid 0.01, 0.02, ..., 0.99 (a span of 0.1).
DCA_MIN_RUN = 10
_MODELS = ("off", "fast", "full")


def _numbers(study: Study, file_id: str) -> list[ReportedNumber]:
    return [n for n in study.numbers if n.file_id == file_id]


# ----------------------------------------------------------------------------- simulation helpers


def exact_mean_sd_with_cut(
    n: int,
    mean: float,
    sd: float,
    cut: float,
    n_below: int,
    rng: np.random.Generator,
    *,
    lower_bound: float = 0.0,
    max_tries: int = 50,
) -> np.ndarray:
    """``n`` values with sample mean ``mean``, SD (ddof 1) ``sd`` and exactly ``n_below`` below ``cut``.

    The ``n_below`` low values are drawn in ``(lower_bound, cut)`` (a Beta(3, 1.5) shape, leaning
    towards the cut); the others are ``cut + d`` with ``d > 0`` an exact mean-SD sample
    (:func:`hccrep.simulate.continuous.exact_mean_sd` with lower bound 0) whose mean and SD make
    the whole sample's sums of values and squares right.  Sorted ascending.

    Raises
    ------
    ValueError
        For an argument out of range (named).
    SummaryMismatchError
        When no draw of the low part leaves a feasible high part.

    Examples
    --------
    >>> x = exact_mean_sd_with_cut(50, 57.25, 67.125, 31.25, 20, np.random.default_rng(0))
    >>> round(float(x.mean()), 9), round(float(x.std(ddof=1)), 9), int((x < 31.25).sum())
    (57.25, 67.125, 20)
    """
    if not isinstance(n, (int, np.integer)) or n < 3:
        raise ValueError(f"n must be an integer >= 3, got {n!r}")
    if not isinstance(n_below, (int, np.integer)) or not 0 <= n_below <= n - 2:
        raise ValueError(f"n_below must be an integer in [0, n - 2], got {n_below!r}")
    if not sd > 0:
        raise ValueError(f"sd must be positive, got {sd!r}")
    if not lower_bound < cut:
        raise ValueError(
            f"cut must lie above lower_bound, got cut={cut!r}, lower_bound={lower_bound!r}"
        )
    if not mean > lower_bound:
        raise ValueError(f"mean must lie above lower_bound, got {mean!r}")
    k = n - n_below
    s1 = n * mean
    s2 = (n - 1) * sd**2 + n * mean**2
    for _ in range(max_tries):
        low = lower_bound + (cut - lower_bound) * rng.beta(3, 1.5, n_below)
        a, b = s1 - low.sum(), s2 - np.sum(low**2)
        mu = a / k
        var0 = b / k - mu**2  # population variance of the high part
        if mu <= cut or var0 <= 0:
            continue
        sd_d = math.sqrt(var0 * k / (k - 1))
        try:
            d = exact_mean_sd(k, mu - cut, sd_d, rng, lower_bound=0.0)
        except SummaryMismatchError:
            continue
        if d.min() <= 0:
            continue
        x = np.sort(np.concatenate([low, cut + d]))
        # the two parts hit the sums exactly up to rounding; a final check keeps us honest
        if (
            abs(x.mean() - mean) < 1e-6 * max(1.0, abs(mean))
            and abs(x.std(ddof=1) - sd) < 1e-6 * sd
            and int((x < cut).sum()) == n_below
        ):
            return x
    raise SummaryMismatchError(
        f"no sample of {n} with mean {mean}, SD {sd} and {n_below} values below {cut}"
    )


def enforce_rules(cohort: pd.DataFrame, sim, rng: np.random.Generator) -> pd.DataFrame:
    """Make every single-condition rule of ``sim`` hold by swaps within a group; counts never change.

    For a rule "if ``X == a`` then ``T == b``", each patient with ``X == a`` but ``T != b`` swaps
    their value of ``X`` with a patient of the same group who has ``T == b`` and ``X != a``
    (chosen at random).  Rules are met one after another, and a swap never breaks an earlier rule
    of the same target (the partner already has ``T == b``).  Raises ValueError when a group has
    too few partners, or when a rule is not of this form.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> sim = load_study("deng2025").simulation
    >>> cat = lambda v, lv: pd.Categorical(v, categories=lv)
    >>> d = pd.DataFrame({"treatment": ["pt"] * 4, "bclc": cat(["B", "C", "C", "C"], ["B", "C"]),
    ...                   "pvtt": cat(["yes", "no", "no", "no"], ["no", "yes"]),
    ...                   "lymph_node": cat(["no"] * 4, ["no", "yes"]), "metastasis": cat(["no"] * 4, ["no", "yes"])})
    >>> fixed = enforce_rules(d, sim, np.random.default_rng(0))
    >>> fixed.loc[0, "pvtt"], int((fixed.pvtt == "yes").sum())
    ('no', 1)
    """
    from hccrep.simulate import rule_violations

    out = cohort.copy()
    g = out[sim.group_variable].astype(str).to_numpy()
    for i, r in enumerate(sim.rules):
        if len(r.if_) != 1 or len(r.then) != 1:
            raise ValueError(
                f"rules[{i}]: enforce_rules handles one condition and one consequence, got {r.if_} -> {r.then}"
            )
        (x, a), (t, b) = next(iter(r.if_.items())), next(iter(r.then.items()))
        xs = out[x].astype(str).to_numpy().copy()
        ts = out[t].astype(str).to_numpy()
        for grp in pd.unique(g):
            bad = np.flatnonzero((g == grp) & (xs == a) & (ts != b))
            partners = np.flatnonzero((g == grp) & (ts == b) & (xs != a))
            if bad.size > partners.size:
                raise ValueError(
                    f"rules[{i}] ({x}={a} -> {t}={b}): group {grp!r} has {bad.size} patients to fix and only {partners.size} partners"
                )
            chosen = rng.choice(partners, size=bad.size, replace=False)
            xs[bad], xs[chosen] = xs[chosen], xs[bad]
        out[x] = pd.Categorical(xs, categories=out[x].cat.categories, ordered=out[x].cat.ordered)
    if rule_violations(out, sim).any():
        raise ValueError("enforce_rules: a later rule broke an earlier one")
    return out


def longest_run(flags: Sequence[bool]) -> int:
    """Length of the longest run of consecutive True values.

    >>> longest_run([True, False, True, True, False])
    2
    """
    best = cur = 0
    for f in flags:
        cur = cur + 1 if f else 0
        best = max(best, cur)
    return best


def grouped_permutation_importance(
    model,
    X: pd.DataFrame,
    y: np.ndarray,
    y_ref: np.ndarray,
    groups: Mapping[str, Sequence[str]],
    horizons: Sequence[float],
    *,
    seed,
    n_repeats: int = 3,
) -> pd.DataFrame:
    """Permutation importance of clinical variables (groups of columns) for the prediction at each horizon.

    The columns of one group (the two dummies of a three-level variable) are permuted together,
    with one row permutation; the importance is the mean increase of the IPCW Brier score at the
    horizon (sksurv ``brier_score``, censoring from ``y_ref``, through
    :class:`hccrep.survival_models.IPCWBrier`), the loss survex's ``model_parts``
    uses.  :func:`hccrep.survival_models.permutation_importance_at` does the same per column.

    Returns
    -------
    DataFrame
        Columns ``variable, horizon, importance, rank`` (rank 1 = most important at that horizon).

    Examples
    --------
    >>> from hccrep.survival_models import fit_models, surv_array
    >>> rng = np.random.default_rng(1)
    >>> X = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    >>> y = surv_array(rng.exponential(12 * np.exp(-X["a"])), np.ones(120))
    >>> m = fit_models(X, y, seed=1, names=["cox"])["cox"]
    >>> imp = grouped_permutation_importance(m, X, y, y, {"a": ["a"], "b": ["b"]}, [6], seed=1)
    >>> imp.loc[imp["rank"] == 1, "variable"].item()
    'a'
    """
    from hccrep.survival_models import IPCWBrier, survival_at

    if not groups:
        raise ValueError("groups must name at least one variable")
    for g, cols in groups.items():
        missing = [c for c in cols if c not in X.columns]
        if missing:
            raise ValueError(f"groups[{g!r}] names columns not in X: {missing}")
    if not (isinstance(n_repeats, (int, np.integer)) and n_repeats >= 1):
        raise ValueError(f"n_repeats must be a positive integer, got {n_repeats!r}")
    t = np.asarray(sorted(float(h) for h in horizons))
    rng = np.random.default_rng(seed)

    brier = IPCWBrier(y_ref, y, t)  # sksurv's brier_score, its censoring weights computed once

    def loss(Xp: pd.DataFrame) -> np.ndarray:
        return brier(survival_at(model, Xp, t))

    base = loss(X)
    rows = []
    for g, cols in groups.items():
        inc = np.zeros(t.size)
        for _ in range(n_repeats):
            Xp = X.copy()
            perm = rng.permutation(len(X))
            Xp[list(cols)] = X[list(cols)].to_numpy()[perm]
            inc += loss(Xp) - base
        for h, v in zip(t, inc / n_repeats):
            rows.append({"variable": g, "horizon": float(h), "importance": float(v)})
    out = pd.DataFrame(rows)
    out["rank"] = (
        out.groupby("horizon")["importance"].rank(method="first", ascending=False).astype(int)
    )
    return out.sort_values(["horizon", "rank"]).reset_index(drop=True)


# ----------------------------------------------------------------------------- the runner


class Deng2025Runner(DeclaredRunner):
    """Simulate the deng2025 cohort with overall survival and replicate every check it can."""

    def __init__(
        self,
        study: Study,
        variants: Mapping[str, str] | None = None,
        not_checkable: Mapping[str, str] | None = None,
    ):
        # the Table 1 tests are declared in data/deng2025/table1.yaml; "categorical" / "continuous" override them
        v = {
            "categorical": None,
            "continuous": None,
            "km_conf_type": KM_CONF_TYPE,
            "ties": "efron",
            "cox_engine": "numpy",
            "c_index": "harrell",
            "models": "off",
            "table3_dataset": "as_read",
            "explain_on": "validation",
        }
        unknown = set(variants or {}) - set(v)
        if unknown:
            raise ValueError(f"variants: unknown key(s) {sorted(unknown)}; known are {sorted(v)}")
        v.update(variants or {})
        choices = {
            "categorical": ("chisq", "chisq_yates", "fisher", "auto_fisher"),
            "continuous": ("mannwhitney", "student", "welch"),
            "km_conf_type": ("log", "log-log", "plain"),
            "ties": ("efron", "breslow"),
            "cox_engine": ("numpy", "lifelines"),
            "c_index": ("harrell", "uno"),
            "models": _MODELS,
            "table3_dataset": ("as_read", "training", "validation"),
            "explain_on": ("validation", "training"),
        }
        for key, allowed in choices.items():
            if v[key] not in allowed and not (
                v[key] is None and key in ("categorical", "continuous")
            ):
                raise ValueError(f"variants[{key!r}] must be one of {allowed}, got {v[key]!r}")
        nc = {
            "claim_calibration_good": "the paper gives no criterion for good consistency (no slope, intercept or test), so there is nothing to compare with"
        }
        if v["models"] == "off":
            reason = "needs the model zoo: run the runner with variants={'models': 'fast'}"
            for n in study.numbers:
                if n.file_id in ("table3",) or (
                    n.file_id == "text" and n.role == "check" and n.key not in nc
                ):
                    nc.setdefault(n.key, reason)
        nc.update(not_checkable or {})
        super().__init__(study, v, nc, overrides=variants or {})
        self._base = study.baseline()

    # ------------------------------------------------------------------ simulation
    @property
    def group_column(self) -> str:
        return self.study.simulation.group_variable

    @property
    def groups(self) -> list[str]:
        """Group keys in Table 1 order (the first, P+T, is the reference of every comparison)."""
        return [g.key for g in self._base.groups]

    def _cut_pairs(self) -> list[tuple[CategoricalVariable, ContinuousVariable]]:
        byk = {v.key: v for v in self._base.variables}
        return [
            (v, byk[v.cut_of.variable])
            for v in self._base.variables
            if isinstance(v, CategoricalVariable) and v.cut_of is not None
        ]

    def simulate(self, seed) -> pd.DataFrame:
        """One cohort: Table 1 exactly, laboratory values consistent with their cut-offs, OS in months."""
        rng = np.random.default_rng(seed)
        st = self.study
        pairs = self._cut_pairs()
        # the dichotomised rows first take their counts from their own latent ranks; the continuous
        # parent is rebuilt below so that its mean ± SD and the counts hold together
        stripped = self._base.model_copy(
            update={
                "variables": [
                    v.model_copy(update={"cut_of": None})
                    if isinstance(v, CategoricalVariable) and v.cut_of is not None
                    else v
                    for v in self._base.variables
                ]
            }
        )
        # the rules are met by direct swaps (enforce_rules) rather than the generic random search
        cohort = simulate_baseline(stripped, rng, st.simulation.model_copy(update={"rules": []}))
        cohort = enforce_rules(cohort, st.simulation, rng)
        gcol = self.group_column
        arm = cohort[gcol].astype(str).to_numpy()
        for child, parent in pairs:
            if len(child.cut_of.cuts) != 1:
                raise ValueError(f"{child.key}: only one cut per laboratory row is supported")
            cut = float(child.cut_of.cuts[0])
            values = cohort[parent.key].to_numpy(float).copy()
            for g in self.groups:
                idx = np.flatnonzero(arm == g)
                cell = parent.cells[g]
                s = parse_summary(cell if isinstance(cell, str) else cell.printed, "mean_sd")
                low = cohort[child.key].astype(str).to_numpy()[idx] == child.levels[0].key
                x = exact_mean_sd_with_cut(
                    idx.size,
                    s.centre,
                    s.spread[0],
                    cut,
                    int(low.sum()),
                    rng,
                    lower_bound=parent.lower_bound if parent.lower_bound is not None else 0.0,
                )
                # patients of the low level first, each level ordered by the parent's simulated rank
                order = np.lexsort((values[idx], ~low))
                new = np.empty(idx.size)
                new[order] = x
                values[idx] = new
            cohort[parent.key] = values
        cohort = simulate_endpoints(st, cohort, rng)
        cohort.attrs["analysis_seed"] = int(rng.integers(0, 2**31 - 1))
        return cohort

    # ------------------------------------------------------------------ analysis
    def analyse(self, cohort: pd.DataFrame) -> dict[str, float | None]:
        out = super().analyse(
            cohort
        )  # the declared analyses: Table 1's pairwise tests, log-rank, Table 2's Cox models
        if self.variants["models"] != "off":
            out.update(self.model_checks(cohort))
        return out

    # Table 1 ----------------------------------------------------------------
    def table1_variants(self, cohort: pd.DataFrame) -> pd.DataFrame:
        """Every pairwise Table 1 p under each test variant, beside the printed one.

        Columns: ``key, row, printed`` and one column per variant (chisq,
        chisq_yates, fisher for categorical rows; student, welch, mannwhitney
        for continuous ones; NaN where a test does not apply), and ``agrees``
        (the variants that print as the paper did).
        """
        return self.under_variants(
            cohort,
            ("chisq", "chisq_yates", "fisher", "student", "welch", "mannwhitney"),
            files=("table1_p",),
        )

    def table1_p(self, cohort: pd.DataFrame) -> dict[str, float]:
        """Pairwise Table 1 p-values (each group against P+T) under the declared tests."""
        return self.analyse_declared(cohort, files=("table1_p",))

    def km_medians(self, cohort: pd.DataFrame) -> pd.DataFrame:
        """KM median OS with CI per group (``km_conf_type``) and the number of deaths."""
        from hccrep.stats import km_median

        rows = []
        arm = cohort[self.group_column].astype(str).to_numpy()
        for g in self._base.groups:
            m = arm == g.key
            r = km_median(
                cohort.loc[m, "os_time"],
                cohort.loc[m, "os_event"],
                conf_type=self.variants["km_conf_type"],
            )
            rows.append(
                {
                    "group": g.key,
                    "label": g.label,
                    "n": int(m.sum()),
                    "deaths": int(cohort.loc[m, "os_event"].sum()),
                    "median": r.median,
                    "lower": r.lower,
                    "upper": r.upper,
                    "variant": r.variant,
                }
            )
        return pd.DataFrame(rows)

    def logrank_pairwise(self, cohort: pd.DataFrame) -> pd.DataFrame:
        """The declared log-rank tests of each group against P+T, on those two groups only (R ``survdiff``)."""
        tab = self.declared_table(cohort, files=("survival_text",))
        tab = tab[tab["kind"] == "logrank"]
        groups = {n.key: n.analysis.groups for n in self.study.numbers if n.key in set(tab["key"])}
        return pd.DataFrame(
            {
                "contrast": [groups[k][1] for k in tab["key"]],
                "reference": [groups[k][0] for k in tab["key"]],
                "chisq": tab["value"].to_numpy(),
                "p": tab["p"].to_numpy(),
                "key": tab["key"].to_numpy(),
            }
        )

    def _design(
        self, cohort: pd.DataFrame, variables: Sequence[str]
    ) -> tuple[pd.DataFrame, dict[str, list[str]]]:
        """time, event and the Table 2 columns of ``variables`` (a factor's levels as indicators)."""
        d = pd.DataFrame(
            {"time": cohort["os_time"].to_numpy(float), "event": cohort["os_event"].to_numpy(int)}
        )
        cols: dict[str, list[str]] = {}
        for n in _numbers(self.study, "table2"):
            var = str(n.about.variable)
            if n.quantity != "hr" or var not in variables:
                continue
            src = self.group_column if var == "treatment" else var
            name = var if n.about.level is None else f"{var}_{n.about.level}"
            d[name] = (
                (cohort[src].astype(str) == str(n.about.level)).to_numpy(float)
                if n.about.level is not None
                else cohort[src].to_numpy(float)
            )
            cols.setdefault(var, []).append(name)
        return d, cols

    def ph_table(self, cohort: pd.DataFrame, time_transform: str = "km") -> pd.DataFrame:
        """Grambsch-Therneau test of proportional hazards for each univariable model of Table 2.

        Scaled Schoenfeld residuals correlated with a function of time (lifelines
        ``proportional_hazard_test``; ``"km"`` is R ``cox.zph``'s default transform, lifelines'
        own default is ``"rank"``).  One row per model term: ``variable, term, statistic, p``.
        lifelines computes the one-step approximation R's ``cox.zph`` used before survival 3.0.
        """
        import warnings

        from lifelines import CoxPHFitter
        from lifelines.statistics import proportional_hazard_test

        if time_transform not in ("km", "rank", "identity", "log"):
            raise ValueError(
                f"time_transform must be km, rank, identity or log, got {time_transform!r}"
            )
        variables = list(
            dict.fromkeys(
                str(n.about.variable) for n in _numbers(self.study, "table2") if n.quantity == "hr"
            )
        )
        d, cols = self._design(cohort, variables)
        rows = []
        for var in variables:
            data = d[["time", "event", *cols[var]]]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = CoxPHFitter().fit(data, "time", "event")
                res = proportional_hazard_test(fit, data, time_transform=time_transform).summary
            for term in cols[var]:
                rows.append(
                    {
                        "variable": var,
                        "term": term,
                        "statistic": float(res.loc[term, "test_statistic"]),
                        "p": float(res.loc[term, "p"]),
                        "time_transform": time_transform,
                    }
                )
        return pd.DataFrame(rows)

    def table2_compare(self, cohort: pd.DataFrame) -> pd.DataFrame:
        """Table 2 as printed beside the cohort's univariable Cox models (declared in table2.yaml), one row per HR.

        Columns ``key, row, role, printed, printed_p, hr, lower, upper, p`` (``role`` of the
        printed point HR: an input is a covariate effect of the simulation).
        """
        tab = self.declared_table(cohort, files=("table2",))
        hr = tab[tab["quantity"] == "hr"]
        printed_p = {
            n.about.hr_key: n.printed for n in _numbers(self.study, "table2") if n.quantity == "p"
        }
        return pd.DataFrame(
            {
                "key": hr["key"],
                "row": hr["row"],
                "role": hr["role"],
                "printed": hr["printed"],
                "printed_p": [printed_p.get(k, "") for k in hr["key"]],
                "hr": hr["value"],
                "lower": hr["lower"],
                "upper": hr["upper"],
                "p": hr["p"],
            }
        ).reset_index(drop=True)

    # models ----------------------------------------------------------------------
    def features(self) -> list[str]:
        """Clinical variables entering the models: Table 2's p < 0.05, as the paper selected them."""
        out = []
        for n in _numbers(self.study, "table2"):
            if n.quantity != "p":
                continue
            significant = n.bound == "<" or n.value < 0.05
            var = str(n.about.variable)
            if significant and var not in out:
                out.append(var)
        return out

    def feature_groups(self) -> dict[str, list[str]]:
        """Clinical variable -> its columns in :meth:`model_matrix`."""
        groups: dict[str, list[str]] = {}
        levels = {v.key: v for v in self._base.variables}
        for var in self.features():
            if var == "treatment":
                groups[var] = [f"treatment_{g}" for g in self.groups[1:]]
            elif isinstance(levels.get(var), CategoricalVariable):
                groups[var] = [f"{var}_{lv.key}" for lv in levels[var].levels[1:]]
            else:
                groups[var] = [var]
        return groups

    def model_matrix(self, cohort: pd.DataFrame) -> pd.DataFrame:
        """Numeric features for the model zoo (0/1 indicators against the first level; numbers as they are)."""
        X = pd.DataFrame(index=cohort.index)
        for var, cols in self.feature_groups().items():
            src = self.group_column if var == "treatment" else var
            if cols == [var]:
                X[var] = cohort[src].to_numpy(float)
            else:
                for c in cols:
                    level = c[len(var) + 1 :]
                    X[c] = (cohort[src].astype(str) == level).to_numpy(float)
        return X

    def outcome(self, cohort: pd.DataFrame) -> np.ndarray:
        """The sksurv structured array of (os_event, os_time)."""
        from hccrep.survival_models import surv_array

        return surv_array(cohort["os_time"].to_numpy(float), cohort["os_event"].to_numpy(bool))

    def split(self, cohort: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """The 6:4 split (training, validation indices), stratified on death; sizes from split.yaml."""
        from hccrep.survival_models import stratified_split

        n_val = self.study.number("split_n_validation").value
        n_tr = self.study.number("split_n_training").value
        if n_val + n_tr != len(cohort):
            raise ValueError(
                f"the cohort has {len(cohort)} patients, the split needs {n_tr + n_val}"
            )
        return stratified_split(
            cohort.reset_index(drop=True),
            "os_event",
            test_size=float(n_val / len(cohort)),
            seed=int(cohort.attrs.get("analysis_seed", self.study.meta.book_seed)),
        )

    def horizons(self) -> list[float]:
        """The horizons of Table 3 (months), read from data."""
        return sorted(
            {
                float(n.about.horizon)
                for n in _numbers(self.study, "table3")
                if n.about.horizon is not None
            }
        )

    def fit(self, cohort: pd.DataFrame, names: Sequence[str] = MODEL_KEYS) -> dict:
        """Split, fit the zoo on the training part; returns a dict with everything the later steps need.

        Keys: ``X_train, X_test, y_train, y_test, y_test_raw, train, test, fitted, n_capped``.

        ``y_test`` is the validation outcome with follow-up cut at the last training time (a patient
        followed longer is censored just before it; ``n_capped`` of them): scikit-survival's IPCW
        estimators (Brier, integrated Brier, Uno's C) take the censoring distribution from the
        training set and refuse any validation time past its last point.  Brier scores and AUCs at
        Table 3's horizons do not change; Harrell's C loses only the pairs of two such patients.
        ``y_test_raw`` keeps the uncut outcome.
        """
        from hccrep.survival_models import fit_models

        cohort = cohort.reset_index(drop=True)
        X, y = self.model_matrix(cohort), self.outcome(cohort)
        tr, te = self.split(cohort)
        mode = self.variants["models"] if self.variants["models"] != "off" else "fast"
        fitted = fit_models(
            X.iloc[tr],
            y[tr],
            seed=int(cohort.attrs.get("analysis_seed", self.study.meta.book_seed)) + 1,
            fast=mode == "fast",
            names=tuple(names),
        )
        y_test = y[te].copy()
        last = float(y[tr]["time"].max())
        over = y_test["time"] >= last
        y_test["time"][over] = np.nextafter(last, 0.0)
        y_test["event"][over] = False
        return {
            "X_train": X.iloc[tr],
            "X_test": X.iloc[te],
            "y_train": y[tr],
            "y_test": y_test,
            "y_test_raw": y[te],
            "train": tr,
            "test": te,
            "fitted": fitted,
            "n_capped": int(over.sum()),
        }

    def evaluate(self, fit: Mapping) -> pd.DataFrame:
        """:func:`hccrep.survival_models.evaluate_models` at Table 3's horizons."""
        from hccrep.survival_models import evaluate_models

        return evaluate_models(
            fit["fitted"],
            fit["X_train"],
            fit["y_train"],
            fit["X_test"],
            fit["y_test"],
            times=self.horizons(),
        )

    def _metric_value(
        self, ev: pd.DataFrame, model: str, metric: str, dataset: str, horizon: float | None
    ) -> float:
        """One value of :meth:`evaluate`'s table; ``c_index`` is Harrell's or Uno's by the ``c_index`` variant."""
        name = {"c_index": "harrell_c" if self.variants["c_index"] == "harrell" else "uno_c"}.get(
            metric, metric
        )
        m = (ev.model == model) & (ev.metric == name) & (ev.dataset == dataset)
        if horizon is not None:
            m &= np.isclose(ev.horizon.astype(float), horizon)
        vals = ev.loc[m, "value"]
        return float(vals.iloc[0]) if len(vals) else float("nan")

    def _dataset(self, n: ReportedNumber) -> str:
        d = self.variants["table3_dataset"]
        return str(n.about.cohort) if d == "as_read" else d

    def model_checks(self, cohort: pd.DataFrame) -> dict[str, float]:
        """Table 3, the RSF Brier scores of the text and every model claim (1.0 holds / 0.0 not)."""
        cohort = cohort.reset_index(drop=True)
        try:
            fit = self.fit(cohort)
            ev = self.evaluate(fit)
        except ValueError:
            # a cohort whose split leaves a horizon outside the follow-up: every model check of it
            # is NaN (counted as "no replicated value"), never silently absent
            return {
                n.key: float("nan")
                for n in self.checks
                if n.file_id in ("table3", "text") and n.key not in self.not_checkable
            }
        out: dict[str, float] = {}
        for n in _numbers(self.study, "table3") + _numbers(self.study, "text"):
            if n.role != "check" or n.about.metric is None or n.quantity == "statement":
                continue
            h = float(n.about.horizon) if n.about.horizon is not None else None
            out[n.key] = self._metric_value(
                ev, str(n.about.model), str(n.about.metric), self._dataset(n), h
            )
        # diagnostics beside the checks (kept by monte_carlo, ignored by the scorecard): Harrell's C
        # of every model on both sets, to show the optimism of a training-set C-index
        for m in MODEL_KEYS:
            for ds in ("training", "validation"):
                out[f"x_{m}_harrell_c_{ds}"] = self._metric_value(ev, m, "harrell_c", ds, None)
        out["x_n_capped"] = float(fit["n_capped"])
        claims = [
            n
            for n in _numbers(self.study, "text")
            if n.quantity == "statement" and n.key not in self.not_checkable
        ]
        imp = pdp = None
        for n in claims:
            kind = n.about.claim
            if kind == "best_model":
                out[n.key] = self._best_model_claim(ev, n)
            elif kind == "dca_beats_defaults":
                out[n.key] = self._dca_claim(fit, n)
            elif kind == "top_k":
                imp = self.importance(fit) if imp is None else imp
                out[n.key] = self._top_k_claim(imp, n)
            elif kind == "pdp_direction":
                pdp = {} if pdp is None else pdp
                out[n.key] = self._pdp_claim(fit, n, pdp)
        return out

    @staticmethod
    def _horizon_list(n: ReportedNumber) -> list[float]:
        return [float(h) for h in n.about.horizons()]

    def _best_model_claim(self, ev: pd.DataFrame, n: ReportedNumber) -> float:
        metric, model = str(n.about.metric), str(n.about.model)
        hs = self._horizon_list(n) if n.about.horizon is not None else [None]
        for h in hs:
            vals = {
                m: self._metric_value(ev, m, metric, str(n.about.cohort), h) for m in MODEL_KEYS
            }
            best = min(vals, key=vals.get) if metric == "brier" else max(vals, key=vals.get)
            if best != model:
                return 0.0
        return 1.0

    def _dca_claim(self, fit: Mapping, n: ReportedNumber) -> float:
        from hccrep.stats.prediction import net_benefit_survival
        from hccrep.survival_models import risk_at

        h = float(n.about.horizon)
        model = fit["fitted"][str(n.about.model)]
        y = fit["y_test"]
        risk = risk_at(model, fit["X_test"], h)
        grid = np.arange(1, 100) / 100
        nb = net_benefit_survival(y["time"], y["event"].astype(int), risk, h, grid)
        better = (nb["model"] > np.maximum(nb["treat_all"], nb["treat_none"]) + 1e-12).to_numpy()
        return float(longest_run(better) >= DCA_MIN_RUN)

    def importance(self, fit: Mapping, n_repeats: int = 3) -> pd.DataFrame:
        """Grouped permutation importance of the RSF at Table 3's horizons (``explain_on`` data)."""
        on = self.variants["explain_on"]
        X, y = (
            (fit["X_test"], fit["y_test"])
            if on == "validation"
            else (fit["X_train"], fit["y_train"])
        )
        seed = int(np.random.SeedSequence(int(fit["train"].sum())).generate_state(1)[0])
        return grouped_permutation_importance(
            fit["fitted"]["rsf"],
            X,
            y,
            fit["y_train"],
            self.feature_groups(),
            self.horizons(),
            seed=seed,
            n_repeats=n_repeats,
        )

    def _top_k_claim(self, imp: pd.DataFrame, n: ReportedNumber) -> float:
        k = int(n.about.k)
        named = {v.strip() for v in n.about.variables}
        for h in self._horizon_list(n):
            top = set(imp.loc[np.isclose(imp.horizon, h) & (imp["rank"] <= k), "variable"])
            if top != named:
                return 0.0
        return 1.0

    def partial_dependence(self, fit: Mapping, variable: str, level: str) -> pd.DataFrame:
        """Mean predicted RSF survival at each Table 3 horizon with ``variable`` set to ``level`` vs its reference.

        For a number (AST) ``level="high"`` compares its upper with its lower quartile.
        Returns columns ``horizon, survival_level, survival_reference``.
        """
        from hccrep.survival_models import survival_at

        on = self.variants["explain_on"]
        X = fit["X_test"] if on == "validation" else fit["X_train"]
        cols = self.feature_groups()[variable]
        ref_x, lev_x = X.copy(), X.copy()
        if cols == [variable]:
            q1, q3 = np.quantile(X[variable].to_numpy(float), [0.25, 0.75])
            ref_x[variable], lev_x[variable] = q1, q3
        else:
            ref_x[cols] = 0.0
            lev_x[cols] = 0.0
            lev_x[f"{variable}_{level}"] = 1.0
        hs = self.horizons()
        model = fit["fitted"]["rsf"]
        return pd.DataFrame(
            {
                "horizon": hs,
                "survival_level": survival_at(model, lev_x, hs).mean(axis=0),
                "survival_reference": survival_at(model, ref_x, hs).mean(axis=0),
            }
        )

    def _pdp_claim(self, fit: Mapping, n: ReportedNumber, cache: dict) -> float:
        var, level = str(n.about.variable), str(n.about.level)
        if var not in self.feature_groups():
            return float("nan")
        pd_ = cache.setdefault((var, level), self.partial_dependence(fit, var, level))
        diff = pd_["survival_level"] - pd_["survival_reference"]
        ok = (diff < 0).all() if n.about.direction == "worse" else (diff > 0).all()
        return float(ok)


def make_runner(
    study: Study, variants: Mapping[str, str] | None = None, not_checkable=None, **kwargs
) -> Deng2025Runner:
    """The deng2025 runner; ``models`` defaults to ``"off"`` (Table 1, KM, Cox) for a cheap Monte Carlo.

    Pass ``variants={"models": "fast"}`` for Table 3 and the model claims.
    """
    if kwargs:
        raise ValueError(f"unknown argument(s) {sorted(kwargs)}")
    return Deng2025Runner(study, variants=variants, not_checkable=not_checkable)


# ----------------------------------------------------------------------------- Monte Carlo of the winners


def model_wins(
    mc: pd.DataFrame,
    study: Study,
    *,
    metric: str = "c_index",
    horizon: float | None = None,
    dataset: str | None = None,
) -> pd.DataFrame:
    """Which model "wins" Table 3's ``metric`` in each Monte Carlo cohort.

    ``mc`` is :func:`hccrep.replication.monte_carlo` of a runner with models on (columns
    ``t3_<model>_<metric>[_<h>m]``, on the set Table 3 is read on).  With ``dataset`` ("training" or
    "validation") and ``metric="c_index"`` the runner's diagnostic columns
    ``x_<model>_harrell_c_<dataset>`` are used instead (Harrell's C on that set).  Returns one row
    per model: ``model, wins, share`` (share of the cohorts where it is best: highest C-index /
    AUC, lowest Brier; ties count for each).

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("deng2025")
    >>> mc = pd.DataFrame({f"t3_{m}_c_index": [0.6, 0.7] for m in MODEL_KEYS})
    >>> mc["t3_rsf_c_index"] = [0.8, 0.5]
    >>> model_wins(mc, st).set_index("model").loc["rsf", "wins"]
    np.int64(1)
    """
    if metric not in ("c_index", "brier", "auc"):
        raise ValueError(f"metric must be c_index, brier or auc, got {metric!r}")
    if (metric == "c_index") != (horizon is None):
        raise ValueError("give a horizon for brier and auc, none for c_index")
    if dataset is not None:
        if metric != "c_index" or dataset not in ("training", "validation"):
            raise ValueError("dataset (training / validation) goes with metric='c_index' only")
        cols = {m: f"x_{m}_harrell_c_{dataset}" for m in MODEL_KEYS}
    else:
        suffix = "" if horizon is None else f"_{int(horizon)}m"
        cols = {m: f"t3_{m}_{metric}{suffix}" for m in MODEL_KEYS}
    missing = [c for c in cols.values() if c not in mc.columns]
    if missing:
        raise ValueError(
            f"mc lacks columns {missing}: run the Monte Carlo with variants={{'models': 'fast'}}"
        )
    vals = mc[list(cols.values())].to_numpy(float)
    ok = ~np.isnan(vals).any(axis=1)
    vals = vals[ok]
    best = vals.min(axis=1, keepdims=True) if metric == "brier" else vals.max(axis=1, keepdims=True)
    wins = (vals == best).sum(axis=0)
    return (
        pd.DataFrame({"model": list(cols), "wins": wins, "share": wins / max(len(vals), 1)})
        .sort_values("wins", ascending=False, kind="mergesort")
        .reset_index(drop=True)
    )


# ----------------------------------------------------------------------------- audit


def deng_audit(study: Study) -> pd.DataFrame:
    """Consistency checks of deng2025's printed numbers that the generic audit cannot see.

    - each pairwise Table 1 p recomputed from the printed counts (chi-square with and without
      Yates' correction, Fisher) or from the printed mean ± SD (Student, Welch);
    - the number of deaths the width of each Table 2 interval implies (``var(log HR) ~ 1 / (D p (1-p))``
      for a binary covariate with prevalence ``p``);
    - the text's percentage ranges against Table 1;
    - the text's RSF Brier scores against Table 3;
    - log-rank p-values identical to Cox Wald p-values.

    Returns the columns of :func:`hccrep.audit.audit_study` (``check, key, source, where, printed,
    status, detail``).

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> a = deng_audit(load_study("deng2025"))
    >>> sorted(a["check"].unique())[:2]
    ['brier_text', 'deaths_implied']
    """
    from scipy import stats as sps

    from hccrep.audit import p_under_variants
    from hccrep.printed import parse_count_percent, parse_pvalue

    base = study.baseline()
    rows = []
    groups = {g.key: g for g in base.groups}
    ref = base.groups[0].key
    byk = {v.key: v for v in base.variables}

    def row(check, n, where, status, detail):
        rows.append(
            {
                "check": check,
                "key": n.key,
                "source": n.source,
                "where": where,
                "printed": n.printed,
                "status": status,
                "detail": detail,
            }
        )

    def counts(v: CategoricalVariable, g: str) -> list[int]:
        return [
            parse_count_percent(c if isinstance(c, str) else c.printed).count
            for c in (v.cells[g][lv.key] for lv in v.levels)
        ]

    for n in _numbers(study, "table1_p"):
        v, g = byk[n.about.variable], str(n.about.contrast)
        pv = parse_pvalue(n.printed)
        if isinstance(v, CategoricalVariable):
            ps = p_under_variants(np.array([counts(v, ref), counts(v, g)]).T)
            ps = {k: ps[k] for k in ("chisq", "chisq_yates", "fisher")}
        else:
            s = [
                parse_summary(
                    v.cells[k] if isinstance(v.cells[k], str) else v.cells[k].printed, "mean_sd"
                )
                for k in (ref, g)
            ]
            ns = [groups[ref].n, groups[g].n]
            ps = {
                name: float(
                    sps.ttest_ind_from_stats(
                        s[0].centre,
                        s[0].spread[0],
                        ns[0],
                        s[1].centre,
                        s[1].spread[0],
                        ns[1],
                        equal_var=eq,
                    ).pvalue
                )
                for name, eq in (("student", True), ("welch", False))
            }
        agree = [k for k, p in ps.items() if pv.agrees(p)]
        status = (
            "ok"
            if (agree and (isinstance(v, ContinuousVariable) or "chisq_yates" in agree))
            else "note"
        )
        detail = (
            ", ".join(f"{k} {p:.4f}" for k, p in ps.items())
            + f"; printed {n.printed}; agrees: {', '.join(agree) or 'none'}"
        )
        if isinstance(v, ContinuousVariable) and not agree:
            detail += "; a rank test (Mann-Whitney) cannot be recomputed from mean ± SD, so the simulation judges it"
        row("pairwise_p", n, f"{n.row}, {groups[g].label} vs {groups[ref].label}", status, detail)

    # deaths implied by the CI of each binary-covariate HR
    total = sum(g.n for g in base.groups)
    z = sps.norm.ppf(0.975)
    for n in _numbers(study, "table2"):
        if (
            n.quantity != "hr"
            or n.about.level is None
            or n.lower is None
            or n.lower <= 0
            or n.upper <= n.lower
        ):
            continue
        var = str(n.about.variable)
        if (
            var == "treatment"
            or not isinstance(byk.get(var), CategoricalVariable)
            or len(byk[var].levels) != 2
        ):
            continue
        k = sum(
            counts(byk[var], g)[[lv.key for lv in byk[var].levels].index(str(n.about.level))]
            for g in groups
        )
        p = k / total
        se = (math.log(n.upper) - math.log(n.lower)) / (2 * z)
        d = 1.0 / (se**2 * p * (1 - p))
        row(
            "deaths_implied",
            n,
            n.row or "",
            "note",
            f"prevalence {k}/{total}; SE(log HR) {se:.3f} implies about {d:.0f} deaths (rounding of the CI moves this by 10-20%)",
        )

    # percentage ranges of the text
    for n in _numbers(study, "text"):
        if n.about.statistic != "range_over_groups":
            continue
        v = byk[str(n.about.variable)]
        li = [lv.key for lv in v.levels].index(str(n.about.level))
        pcts = [100.0 * counts(v, g)[li] / groups[g].n for g in groups]
        ok = equal_at_precision(min(pcts), n.lower, 1) and equal_at_precision(max(pcts), n.upper, 1)
        row(
            "text_range",
            n,
            n.row or "",
            "ok" if ok else "inconsistent",
            f"Table 1 percentages {', '.join(f'{p:.1f}' for p in pcts)}",
        )

    # the RSF Brier scores of the text against Table 3
    t3 = {(n.about.model, n.about.metric, n.about.horizon): n for n in _numbers(study, "table3")}
    for n in _numbers(study, "text"):
        if n.about.metric != "brier" or n.quantity != "brier":
            continue
        own = t3.get(("rsf", "brier", n.about.horizon))
        same = [
            m
            for (m, met, h), x in t3.items()
            if met == "brier" and h == n.about.horizon and x.value == n.value
        ]
        status = "ok" if own is not None and own.value == n.value else "inconsistent"
        row(
            "brier_text",
            n,
            n.row or "",
            status,
            f"Table 3 RSF row prints {own.printed if own else '?'}; the printed value is that of {', '.join(same) or 'no model'} in Table 3",
        )

    # log-rank p identical to Cox Wald p
    cox_p = {
        str(n.about.level): n
        for n in _numbers(study, "table2")
        if n.quantity == "hr" and n.about.variable == "treatment"
    }
    for n in _numbers(study, "survival_text"):
        if n.quantity != "p":
            continue
        hr = cox_p.get(str(n.about.contrast))
        if hr is None:
            continue
        pk = study.number(str(hr.about.p_key))
        if math.isclose(pk.value, n.value):
            row(
                "same_p",
                n,
                n.row or "",
                "note",
                f"equals the Wald p of the univariable Cox HR in Table 2 ({pk.printed}); a log-rank and a Wald test rarely agree to three decimals",
            )
    return pd.DataFrame(
        rows, columns=["check", "key", "source", "where", "printed", "status", "detail"]
    )

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
    age and AST as numbers, the others as 0/1 indicators named as the declared analyses name
    model terms (``child_pugh=B``, ``size=5to10``, ``size=ge10``, ``treatment=tace``, ...).
    :meth:`Deng2025Runner.feature_groups` maps each clinical variable to its columns.

The model zoo (:meth:`Deng2025Runner.collection`)
    What is particular to this paper: the 6:4 split stratified on death, the five models of
    :func:`hccrep.survival_models.fit_models` fitted on the training part, the validation
    follow-up cut at the last training time.  It is registered as the model collection
    ``"deng2025"``; every number about it (Table 3, the text's Brier scores, the claims) is a
    declared analysis (kinds ``model_metric``, ``best_model``, ``top_importance``,
    ``dca_superiority``, ``pdp_direction``) computed by :mod:`hccrep.model_analyses`.

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
        ``"harrell"`` (R ``survival::concordance``, randomForestSRC's error rate) or ``"uno"``
        (every C-index of the models and of the best-model claims).
    ``models``
        ``"off"`` (Table 1, KM and Cox only: about 50 ms a cohort), ``"fast"`` (plus Table 3 and the
        claims, with :func:`hccrep.survival_models.fit_models` ``fast=True``: a few seconds a
        cohort) or ``"full"`` (500 trees, 10-fold LASSO CV).  The default is ``"off"``;
        ``make_runner(study, variants={"models": "fast"})`` gives the model checks.  The book's
        scorecard (step 8) runs both: ``"off"`` over ``N_MC`` cohorts for Table 1, KM and Table 2,
        and ``"fast"`` over fewer cohorts for Table 3 and the claims.
    ``table3_dataset``
        ``"as_read"`` (C-index on training, Brier and AUC on validation, as table3.yaml declares),
        ``"training"`` or ``"validation"`` (every declared model metric on that set).
    ``explain_on``
        ``"validation"`` or ``"training"``: the data the permutation importance and the partial
        dependence of the RSF are computed on (the ``dataset`` of those claims).

Examples
--------
>>> from hccrep.spec import load_study
>>> runner = make_runner(load_study("deng2025"))
>>> cohort = runner.simulate(1)
>>> sorted(cohort["treatment"].value_counts().tolist())
[89, 108, 154]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property

import numpy as np
import pandas as pd

from hccrep.analyses import register_models
from hccrep.declared import MODEL_KINDS, DCASuperiority
from hccrep.printed import parse_summary
from hccrep.replication import DeclaredRunner
from hccrep.simulate import simulate_baseline
from hccrep.simulate.baseline import enforce_rules
from hccrep.simulate.continuous import exact_mean_sd_with_cut
from hccrep.simulate.study import simulate_endpoints
from hccrep.spec import CategoricalVariable, ContinuousVariable, ReportedNumber, Study

__all__ = [
    "make_runner",
    "Deng2025Runner",
    "model_wins",
    "KM_CONF_TYPE",
    "MODEL_KEYS",
    "COLLECTION",
    "DCA_MIN_RUN",
]

#: R survfit's default transform of the KM interval.
KM_CONF_TYPE = "log"
#: Table 3's model rows in the order printed (keys of :data:`hccrep.survival_models.MODEL_NAMES`).
MODEL_KEYS = ("cox", "lasso_cox", "survival_tree", "rsf", "gbsa")
#: A decision-curve claim holds when the model's net benefit beats treat-all and treat-none on at
#: least this many consecutive thresholds of the grid 0.01, 0.02, ..., 0.99 (a span of 0.1): the
#: default of the declared kind ``dca_superiority``.
DCA_MIN_RUN = DCASuperiority.model_fields["min_run"].default
#: The name the declared model analyses of data/deng2025 give the model zoo.
COLLECTION = "deng2025"
_MODELS = ("off", "fast", "full")


# ----------------------------------------------------------------------------- simulation helpers


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
                if n.analysis is not None and n.analysis.kind in MODEL_KINDS:
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
        """Every declared analysis (Table 1, survival, Table 2 and, with models on, Table 3 and the claims).

        With models on, diagnostics ride along (kept by the Monte Carlo, never judged): Harrell's C
        of every model on both sets (``x_<model>_harrell_c_<set>``), to show the optimism of a
        training-set C-index, and ``x_n_capped``.
        """
        from hccrep.analyses import compute
        from hccrep.declared import parse_analysis

        view = self.view(cohort.reset_index(drop=True))
        out = self.analyse_declared(view.cohort, view=view)
        if self.variants["models"] == "off":
            return out
        for m in MODEL_KEYS:
            for ds in ("training", "validation"):
                a = parse_analysis(
                    {
                        "kind": "model_metric",
                        "collection": COLLECTION,
                        "model": m,
                        "metric": "c_index",
                        "dataset": ds,
                    }
                )
                out[f"x_{m}_harrell_c_{ds}"] = compute(a, view, "c_index").value
        try:
            out["x_n_capped"] = float(view.models(COLLECTION).info["n_capped"])
        except ValueError:
            out["x_n_capped"] = float("nan")
        return out

    @cached_property
    def _declared(self) -> list[ReportedNumber]:
        # with models off, the model numbers are not checkable and are not computed
        return [n for n in super()._declared if n.key not in self.not_checkable]

    def variant_override(self, num: ReportedNumber) -> str | None:
        """``c_index``: Uno's C instead of Harrell's for every C-index of the models."""
        a = num.analysis
        if a.kind in ("model_metric", "best_model") and a.metric == "c_index":
            return self.variants["c_index"] if self.variants["c_index"] != "harrell" else None
        return None

    def _effective(self, analysis, stated: bool = False, num: ReportedNumber | None = None):
        """The declared analysis, with the what-if data sets ``table3_dataset`` and ``explain_on``."""
        a = super()._effective(analysis, stated, num)
        if a.kind == "model_metric" and self.variants["table3_dataset"] != "as_read":
            return a.model_copy(update={"dataset": self.variants["table3_dataset"]})
        if a.kind in ("top_importance", "pdp_direction"):
            return a.model_copy(update={"dataset": self.variants["explain_on"]})
        return a

    # models ----------------------------------------------------------------------
    def features(self) -> list[str]:
        """Clinical variables entering the models: Table 2's p < 0.05, as the paper selected them."""
        out = []
        for n in (n for n in self.study.numbers if n.file_id == "table2"):
            if n.quantity != "p" or n.analysis is None:
                continue
            significant = n.bound == "<" or n.value < 0.05
            if significant and n.analysis.term not in out:
                out.append(n.analysis.term)
        return out

    def feature_groups(self) -> dict[str, list[str]]:
        """Clinical variable -> its columns in :meth:`model_matrix` (``variable=level`` indicators)."""
        return {
            var: [c for c in self.model_matrix_columns() if c == var or c.startswith(f"{var}=")]
            for var in self.features()
        }

    def model_matrix_columns(self) -> list[str]:
        """The columns of :meth:`model_matrix`, in order."""
        out = []
        for var in self.features():
            levels = self._levels.get(var)
            out += [var] if levels is None else [f"{var}={lv}" for lv in levels[1:]]
        return out

    def model_matrix(self, cohort: pd.DataFrame) -> pd.DataFrame:
        """Numeric features for the model zoo (0/1 indicators ``variable=level`` against the first level).

        Coded as the declared analyses code a model's terms
        (:meth:`hccrep.analyses.CohortView.design`).
        """
        view = self.view(cohort.reset_index(drop=True))
        X = view.design(self.features(), {}, np.ones(len(view.cohort), dtype=bool))
        if list(X.columns) != self.model_matrix_columns():
            raise ValueError(f"unexpected model columns {list(X.columns)}")
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
        """Every horizon (months) the declared analyses of the models name, read from data."""
        hs: set[float] = set()
        for n in self.study.numbers:
            a = n.analysis
            if a is None or a.kind not in MODEL_KINDS or a.collection != COLLECTION:
                continue
            hs.update(float(h) for h in getattr(a, "horizons", None) or [])
            if getattr(a, "horizon", None) is not None:
                hs.add(float(a.horizon))
        return sorted(hs)

    def collection(self, cohort: pd.DataFrame, names: Sequence[str] = MODEL_KEYS):
        """Split, fit the zoo on the training part: the :class:`~hccrep.survival_models.FittedCollection`.

        The validation outcome has its follow-up cut at the last training time (a patient
        followed longer is censored just before it; ``info["n_capped"]`` of them):
        scikit-survival's IPCW estimators (Brier, integrated Brier, Uno's C) take the censoring
        distribution from the training set and refuse any validation time past its last point.
        Brier scores and AUCs at the paper's horizons do not change; Harrell's C loses only the
        pairs of two such patients.  ``info`` also keeps ``train, test`` (indices) and
        ``y_test_raw`` (the uncut outcome).
        """
        from hccrep.survival_models import FittedCollection, fit_models

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
        return FittedCollection(
            fitted,
            X.iloc[tr],
            y[tr],
            X.iloc[te],
            y_test,
            groups=self.feature_groups(),
            horizons=self.horizons(),
            # the permutations of the importance are seeded by the split
            seed=int(np.random.SeedSequence(int(tr.sum())).generate_state(1)[0]),
            info={"train": tr, "test": te, "y_test_raw": y[te], "n_capped": int(over.sum())},
        )

    def fit(self, cohort: pd.DataFrame, names: Sequence[str] = MODEL_KEYS) -> dict:
        """:meth:`collection` as a dict for the notebooks.

        Keys: ``X_train, X_test, y_train, y_test, y_test_raw, train, test, fitted, n_capped,
        collection``.
        """
        col = self.collection(cohort, names)
        (X_train, y_train), (X_test, y_test) = col.data("training"), col.data("validation")
        return {
            "X_train": X_train,
            "X_test": X_test,
            "y_train": y_train,
            "y_test": y_test,
            "fitted": col.fitted,
            "collection": col,
            **col.info,
        }

    def importance(self, fit: Mapping, n_repeats: int = 3) -> pd.DataFrame:
        """Grouped permutation importance of the RSF at the horizons (``explain_on`` data)."""
        on = self.variants["explain_on"]
        return fit["collection"].importance("rsf", on, self.horizons(), n_repeats=n_repeats)


@register_models(COLLECTION)
def _fit_collection(view):
    """The deng2025 model zoo on the view's cohort (``models`` of the runner's variants; off: fast)."""
    mode = view.options.get("models", "fast")
    runner = Deng2025Runner(view.study, variants={"models": "fast" if mode == "off" else mode})
    return runner.collection(view.cohort)


def make_runner(
    study: Study, variants: Mapping[str, str] | None = None, not_checkable=None, **kwargs
) -> Deng2025Runner:
    """The deng2025 runner; ``models`` defaults to ``"off"`` (Table 1, KM, Cox) for a cheap Monte Carlo.

    Pass ``variants={"models": "fast"}`` for Table 3 and the model claims.

    Parameters
    ----------
    study : Study
        The deng2025 study (:func:`hccrep.spec.load_study`).
    variants : mapping, optional
        Overrides of the declared variants (e.g. ``{"models": "fast"}``).
    not_checkable : optional
        Passed to :class:`Deng2025Runner`.
    **kwargs
        Accepted for the common runner signature; not used.

    Returns
    -------
    Deng2025Runner
        The runner the replication machinery registers for deng2025.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> type(make_runner(load_study("deng2025"))).__name__
    'Deng2025Runner'
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
    ``x_<model>_harrell_c_<dataset>`` are used instead (Harrell's C on that set).  ``share`` is
    the share of the cohorts where the model is best (highest C-index / AUC, lowest Brier; ties
    count for each).

    Parameters
    ----------
    mc : DataFrame
        The Monte Carlo values.
    study : Study
        The deng2025 study.
    metric : str
        ``"c_index"``, ``"brier"`` or ``"auc"`` (Table 3's metrics).
    horizon : float, optional
        The horizon in months, for the time-dependent metrics.
    dataset : str, optional
        ``"training"`` or ``"validation"``: Harrell's C on that set.

    Returns
    -------
    DataFrame
        One row per model: ``model, wins, share``, most wins first.

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

"""tu2025 (Sci Rep 2025; the TIPM response model): glue shared by its notebooks and tests.

The cohort
----------
One row per patient of the three cohorts (``cohort``: ``train`` 152, ``test``
68 -- the paper's internal validation --, ``external`` 107), with

- the Table 1 covariates, drawn per cohort with exact counts and exact mean and
  SD (:func:`hccrep.simulate.simulate_baseline`): categorical ``nlr``
  (``le3``/``gt3``), ``delta_t`` and ``delta_p`` (``lt0``/``ge0``),
  ``satellite``, ``sex``, ``echo``, ``capsule``, ``collateral``, ``afp``
  (``lt200``/``gt200``), ``macrovascular``, ``viral`` (``non_hbv``/``hbv``);
  continuous ``age, alt, ast, plt, alb, ggt, tbil, alp, pt, pta, inr, bmi,
  diameter``;
- the outcome ``tin`` (1 = targeted + immunotherapy non-effective, mRECIST
  progressive disease) and ``response`` (``tie``/``tin``), from the latent
  logistic model of ``simulation.yaml`` (the nine printed multivariable
  coefficients of Table 2; exactly the printed TIN count per cohort);
- ``albi`` (Johnson et al. 2015, from ``alb`` and ``tbil``);
- ``tipm_prob`` (TIPM refitted on the training cohort), ``tipm_high`` (at or
  above the training Youden cut-off) and ``os_group`` (cohort x TIPM group);
- ``os_time`` (days) and ``os_event``, calibrated to the six printed
  Kaplan-Meier medians by cohort and TIPM group;
- ``mrecist``, ``recist11``, ``irecist`` (1 = responder): ratings with the
  printed response rates and kappas (agreement section).

What is computed where
----------------------
Every check but one is declared in the data files and computed by the
handlers of :mod:`hccrep.analyses`: Table 2's multivariable coefficients
(``logistic``), Table 3 (``classification`` at the training Youden cut-off),
Table 4 (``auc``, ``calibration``, ``brier``) and the claims of the text
(``delong``, ``best``), each with its model fitted on the training cohort
(``fit_on``) and applied to the cohort it reports. This module adds the
columns the declarations read (``albi``, the OS columns) and the cut-off in
nomogram points, the one check that needs the paper's nomogram.

Variants
--------
- Table 1, categorical, three cohorts: Fisher's exact test (R ``fisher.test``
  on the 2 x 3 table).  The paper names "the chi-square test", but Fisher
  prints every Table 1 p-value the paper prints, Pearson's chi-square does
  not (the audit shows both).
- Table 1, continuous, three cohorts: one-way ANOVA (the audit reproduces
  six printed p-values from the summaries with it).
- Table 2, categorical (TIE vs TIN, 2 x 2): Fisher's exact test again (it
  prints every Table 2 p-value; Yates' chi-square, R's ``chisq.test``
  default, prints four of eleven); continuous: Wilcoxon rank-sum with
  continuity correction (R ``wilcox.test`` default), the paper's test for
  non-normal data.
- Logistic regression: maximum likelihood by Newton-Raphson (as R ``glm``),
  Wald intervals ``b +/- 1.96 se`` and Wald z; the paper's intervals for
  β are asymmetric (profile likelihood, R ``confint``), so interval limits
  can differ by a few hundredths for the same fit.
- ROC: AUC with the DeLong CI, paired DeLong tests, Youden cut-off at pROC
  threshold midpoints (:mod:`hccrep.stats.prediction`); the cut-off is chosen
  on the training cohort and applied to the validation cohorts; positive class
  TIN.
- Hosmer-Lemeshow: 10 groups by type-7 quantiles (``ResourceSelection::
  hoslem.test`` >= 0.3-6), df = g - 2 with g the groups formed, in every
  cohort, with the training model's risks.
- Decision curves: net benefit (Vickers & Elkin 2006) on a threshold grid;
  "TIPM above the other models" means at least as high as the ultrasound
  and the serological model at every threshold of the grid.
- Kaplan-Meier: R's median rule, log-rank (R ``survdiff``), Cox with Efron
  ties and a Wald interaction test (numpy engines, tested against lifelines
  and R).
- Nomogram: points scaled so the largest effect range is 100 points, axes
  over the observed training range (:mod:`hccrep.nomogram`).

Examples
--------
>>> from hccrep.replication import runner_for
>>> runner = runner_for("tu2025")                       # doctest: +SKIP
>>> cohort = runner.simulate(1)                         # doctest: +SKIP
>>> out = runner.analyse(cohort)                        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hccrep.replication import DeclaredRunner
from hccrep.stats.prediction import FittedLogit, logit_fit
from hccrep.simulate import simulate_baseline, simulate_survival
from hccrep.simulate.outcomes import simulate_declared_binary
from hccrep.spec import CategoricalVariable, ReportedNumber, Study

__all__ = [
    "make_runner",
    "Tu2025Runner",
    "COHORTS",
    "MODELS",
    "albi_score",
    "design_matrix",
    "CANDIDATES",
    "table2_side_by_side",
    "backward_eliminate",
    "stepwise_experiment",
    "rf_importance",
    "reported_by_file",
    "importance_figure",
    "inputs_with_reasons",
    "anova_rounding_range",
    "explain_verdicts",
]

#: Design columns of the variables that differ between TIE and TIN in Table 2 (the paper's candidates),
#: before its collinearity screen (PTA and INR are left out of its multivariable model).
CANDIDATES = (
    "nlr_gt3",
    "delta_t_ge0",
    "satellite_no",
    "alt",
    "plt",
    "alb",
    "ggt",
    "pt",
    "pta",
    "inr",
    "diameter",
)

#: The three cohorts, in the paper's order.
COHORTS = ("train", "test", "external")
#: Predictors of the three models the paper compares (design-matrix column names).
MODELS = {
    "combined": ("nlr_gt3", "delta_t_ge0", "alb", "diameter"),
    "ultrasound": ("delta_t_ge0", "diameter"),
    "serological": ("alb", "nlr_gt3"),
}


def albi_score(bilirubin_umol_l, albumin_g_l) -> np.ndarray:
    """ALBI score (Johnson et al., J Clin Oncol 2015) as an array: :func:`hccrep.scores.albi`.

    Bilirubin in µmol/L, albumin in g/L; higher is worse.

    Parameters
    ----------
    bilirubin_umol_l : array_like
        Total bilirubin in umol/L.
    albumin_g_l : array_like
        Serum albumin in g/L.

    Returns
    -------
    numpy.ndarray
        The ALBI scores (a 0-d array for scalars).

    Examples
    --------
    >>> round(float(albi_score(17.0, 40.0)), 3)
    -2.588
    """
    from hccrep.scores import albi

    return np.asarray(
        albi(np.asarray(bilirubin_umol_l, dtype=float), np.asarray(albumin_g_l, dtype=float)),
        dtype=float,
    )


def design_matrix(cohort: pd.DataFrame) -> pd.DataFrame:
    """Numeric columns of every model: indicators ``<variable>_<level>`` and the continuous values.

    Columns: ``nlr_gt3, delta_t_ge0, satellite_no, afp_gt200, hbv`` (0/1),
    ``alt, plt, alb, ggt, pt, pta, inr, diameter, tbil, albi`` and the outcome ``tin``.

    Parameters
    ----------
    cohort : DataFrame
        A simulated tu2025 cohort.

    Returns
    -------
    DataFrame
        The columns above, indexed as ``cohort``.
    """
    cols: dict[str, np.ndarray] = {}
    for var, level in (("nlr", "gt3"), ("delta_t", "ge0"), ("satellite", "no"), ("afp", "gt200")):
        cols[f"{var}_{level}"] = (cohort[var].astype(str).to_numpy() == level).astype(float)
    cols["hbv"] = (cohort["viral"].astype(str).to_numpy() == "hbv").astype(float)
    for c in ("alt", "plt", "alb", "ggt", "pt", "pta", "inr", "diameter", "tbil"):
        cols[c] = cohort[c].to_numpy(float)
    cols["albi"] = albi_score(cols["tbil"], cols["alb"])
    if "tin" in cohort.columns:
        cols["tin"] = cohort["tin"].to_numpy(float)
    return pd.DataFrame(cols, index=cohort.index)


def _term_name(n: ReportedNumber) -> str:
    """The :func:`design_matrix` column of a declared logistic coefficient (``nlr_gt3``, ``alb``)."""
    a = n.analysis
    return f"{a.term}_{a.level}" if a.level else str(a.term)


class Tu2025Runner(DeclaredRunner):
    """Simulate the tu2025 cohorts with the response and OS, and replicate every check."""

    def __init__(self, study: Study, variants=None, not_checkable=None):
        # the tests of Tables 1 and 2 are declared in the data files (tests / analysis.variant)
        v = {
            "logistic_ci": "wald",
            "youden_on": "train",
            "km_conf_type": "log",
            "ties": "efron",
            "nomogram_ranges": "observed training min-max",
        }
        v.update(variants or {})
        nc = {}
        nc["fig3_top_features"] = (
            "the ranking needs a random forest per cohort (seconds each); step 3 computes it on the "
            "book's cohort and shows both importance measures"
        )
        for ck in COHORTS:
            nc[f"t4_hl_p_afp_{ck}"] = (
                "AFP is printed only as < 200 / > 200 ng/mL; a model on that indicator has two "
                "distinct risks, from which no ten (or three) risk groups can be formed"
            )
        nc.update(not_checkable or {})
        super().__init__(study, v, nc, overrides=variants or {})
        # the Hosmer-Lemeshow groups the declared calibration checks use (for the notebooks)
        self.variants.setdefault(
            "hl_groups", study.number("t4_hl_p_combined_train").analysis.risk_groups
        )
        params = study.simulation.parameters if study.simulation else {}
        self.follow_up_min = float(params.get("os_follow_up_min_days", 60))
        self.mv_terms = list(self.coefficient_numbers())

    @property
    def dca_thresholds(self) -> np.ndarray:
        """The threshold grid of the declared decision-curve claims (training cohort's)."""
        return self.study.number("dca_combined_best_train").analysis.thresholds.values()

    # ------------------------------------------------------------------ models
    def coefficient_numbers(self) -> dict[str, ReportedNumber]:
        """The printed multivariable coefficients (inputs), by design-matrix column."""
        return {
            _term_name(n): n
            for n in self.study.numbers
            if n.file_id == "table2" and n.quantity == "log_or" and n.analysis is not None
        }

    def fit(
        self,
        cohort: pd.DataFrame,
        name: str,
        terms: Sequence[str] | None = None,
        design: pd.DataFrame | None = None,
    ) -> FittedLogit:
        """Fit model ``name`` (a key of :data:`MODELS`, ``"albi"``, ``"afp"`` or ``"multivariable"``) on the training cohort.

        ``design`` is :func:`design_matrix` of ``cohort`` when the caller has it already.
        """
        d = design_matrix(cohort) if design is None else design
        train = self._cohort_mask(cohort, COHORTS[0])
        if terms is None:
            known = {
                **MODELS,
                "albi": ("albi",),
                "afp": ("afp_gt200",),
                "multivariable": tuple(self.mv_terms),
            }
            if name not in known:
                raise ValueError(
                    f"name must be one of {sorted(known)} (or give terms), got {name!r}"
                )
            terms = known[name]
        x = d[list(terms)].to_numpy(float)[train]
        return logit_fit(pd.DataFrame(x, columns=list(terms)), d["tin"].to_numpy(float)[train])

    def predictions(
        self, cohort: pd.DataFrame, design: pd.DataFrame | None = None
    ) -> dict[str, np.ndarray]:
        """Predicted TIN risk of every patient under each model fitted on the training cohort."""
        d = design_matrix(cohort) if design is None else design
        return {
            name: self.fit(cohort, name, design=d).predict(d) for name in (*MODELS, "albi", "afp")
        }

    def tipm_cutoff(self, cohort: pd.DataFrame, prob: np.ndarray | None = None):
        """Youden cut-off of TIPM's risk on the training cohort (pROC midpoints), a ``Cutoff``."""
        from hccrep.stats.prediction import youden_cutoff

        prob = self.predictions(cohort)["combined"] if prob is None else prob
        train = self._cohort_mask(cohort, COHORTS[0])
        return youden_cutoff(cohort.loc[train, "tin"].to_numpy(), prob[train])

    def nomogram(self, cohort: pd.DataFrame, design: pd.DataFrame | None = None):
        """TIPM's points nomogram (:mod:`hccrep.nomogram`) over the training ranges."""
        from hccrep.nomogram import build_nomogram, ranges_from_data

        d = design_matrix(cohort) if design is None else design
        fit = self.fit(cohort, "combined", design=d)
        train = self._cohort_mask(cohort, COHORTS[0])
        coefs = dict(zip(fit.names[1:], fit.coef[1:]))
        return build_nomogram(
            coefs, ranges_from_data(d.loc[train], list(coefs)), float(fit.coef[0])
        )

    # ------------------------------------------------------------------ simulation
    def simulate_response(self, seed) -> pd.DataFrame:
        """The covariates and the response only (the first steps of :meth:`simulate`, same draws)."""
        return self._response(np.random.default_rng(seed))

    def _response(self, rng: np.random.Generator) -> pd.DataFrame:
        st = self.study
        cohort = simulate_baseline(st.baseline(), rng, st.simulation)
        cohort = simulate_declared_binary(st, cohort, rng)
        cohort["albi"] = albi_score(cohort["tbil"], cohort["alb"])
        return cohort

    def simulate(self, seed) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        st = self.study
        gcol = self.group_column
        cohort = self._response(rng)
        prob = self.fit(cohort, "combined").predict(design_matrix(cohort))
        cut = self.tipm_cutoff(cohort, prob)
        cohort["tipm_prob"] = prob
        cohort["tipm_high"] = (prob >= cut.threshold).astype(int)
        cohort["os_group"] = (
            cohort[gcol].astype(str) + "_" + np.where(cohort["tipm_high"] == 1, "high", "low")
        )
        medians = {
            str(n.attrs["group"]): n.value
            for n in st.numbers
            if n.file_id == "survival_text" and n.quantity == "median"
        }
        follow_max = st.number("os_observation_days").value
        cohort = simulate_survival(
            cohort,
            rng,
            group="os_group",
            medians=medians,
            follow_up=(self.follow_up_min, follow_max),
            prefix="os_",
            bisection_steps=30,
        )
        cohort = self._ratings(cohort, rng)
        return cohort

    def rating_tables(self, n: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The two rating pairs (mRECIST with RECIST 1.1, mRECIST with iRECIST), sorted by mRECIST.

        :func:`hccrep.simulate.ratings.simulate_ratings` fixes the cross-table
        from the printed rates and kappa (an integer programme) and draws only
        the order of the subjects; the table is computed once per runner and the
        order is drawn per cohort in :meth:`simulate`.
        """
        from hccrep.simulate.ratings import simulate_ratings

        memo = self.__dict__.setdefault("_rating_memo", {})
        if n not in memo:
            st = self.study
            rate = {
                c: st.number(f"orr_{c}").value / 100 for c in ("mrecist", "recist11", "irecist")
            }
            pairs = {}
            for other in ("recist11", "irecist"):
                a, b = simulate_ratings(
                    n,
                    [1 - rate["mrecist"], rate["mrecist"]],
                    [1 - rate[other], rate[other]],
                    st.number(f"kappa_mrecist_{other}").value,
                    np.random.default_rng(0),
                )
                order = np.lexsort((b, a))
                pairs[other] = (a[order].astype(int), b[order].astype(int))
            memo[n] = pairs
        return memo[n]

    def _ratings(self, cohort: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """mRECIST, RECIST 1.1 and iRECIST responder flags (1) with the printed rates and kappas."""
        n = len(cohort)
        pairs = self.rating_tables(n)
        a1, b1 = pairs["recist11"]
        a2, b2 = pairs["irecist"]
        perm = rng.permutation(n)  # patient perm[i] gets row i of the first table
        out = cohort.copy()
        mrecist, recist11, irecist = np.empty(n, int), np.empty(n, int), np.empty(n, int)
        mrecist[perm], recist11[perm] = a1, b1
        # iRECIST: the second table's rows with the same mRECIST rating, in random order within it
        for level in (0, 1):
            mine = perm[a1 == level]
            theirs = b2[a2 == level]
            irecist[mine] = rng.permutation(theirs)
        out["mrecist"], out["recist11"], out["irecist"] = mrecist, recist11, irecist
        return out

    # ------------------------------------------------------------------ analysis
    def analyse(self, cohort: pd.DataFrame) -> dict[str, float | None]:
        """Every declared check, and the TIPM cut-off on the nomogram's points scale.

        Tables 1 to 4, the OS analyses and the model claims are declared in
        the data files (:mod:`hccrep.analyses`); only the cut-off in nomogram
        points needs this paper's nomogram.
        """
        out = super().analyse(cohort)
        if self.analyses_file("model_text"):
            d = design_matrix(cohort)
            prob = self.fit(cohort, "combined", design=d).predict(d)
            cut = self.tipm_cutoff(cohort, prob)
            out["tipm_cutoff_points"] = self.nomogram(cohort, d).total_for_probability(
                cut.threshold
            )
        return out

    def _cohort_mask(self, cohort: pd.DataFrame, ck: str) -> np.ndarray:
        return cohort[self.group_column].astype(str).to_numpy() == ck


# ----------------------------------------------------------------------------- notebook helpers


def table2_side_by_side(runner: Tu2025Runner, cohort: pd.DataFrame) -> pd.DataFrame:
    """Table 2's univariate part, reported beside the simulated training cohort.

    One row per level (categorical: % of TIE and of TIN) or variable
    (continuous: mean ± SD), with the printed and the replicated p-value.

    Parameters
    ----------
    runner : Tu2025Runner
        The study's runner (:func:`hccrep.replication.runner_for`).
    cohort : DataFrame
        A simulated cohort (its training part is used).

    Returns
    -------
    DataFrame
        Indexed by (variable, level): reported and replicated summaries and p-values.
    """
    out_all = runner.analyse_declared(cohort, files=("table2",))
    rows = []
    st = runner.study
    nums = [
        n for n in st.numbers if n.file_id == "table2" and n.attrs.get("model") != "multivariable"
    ]
    seen: list[tuple[str, str]] = []
    for n in nums:
        a = n.attrs
        if n.quantity == "percent" and a["group"] != "total":
            seen.append((a["variable"], a["level"])) if (
                a["variable"],
                a["level"],
            ) not in seen else None
        elif n.quantity == "mean" and a["group"] != "total":
            seen.append((a["variable"], "")) if (a["variable"], "") not in seen else None
    for var, level in seen:
        rec: dict[str, object] = {"variable": var, "level": level or "mean ± SD"}
        for g in ("tie", "tin"):
            if level:
                k = f"t2_{var}_{level}_{g}"
                rec[f"reported {g.upper()}"] = st.number(k).printed
                rec[f"simulated {g.upper()}"] = f"{out_all[k]:.1f}%"
            else:
                k, ks = f"t2_{var}_mean_{g}", f"t2_{var}_sd_{g}"
                rec[f"reported {g.upper()}"] = st.number(k).printed
                rec[f"simulated {g.upper()}"] = f"{out_all[k]:.1f} ± {out_all[ks]:.1f}"
        pk = f"t2_{var}_p"
        first = (var, level) == next(x for x in seen if x[0] == var)
        rec["reported p"] = st.number(pk).printed if first else ""
        rec["simulated p"] = f"{out_all[pk]:.3g}" if first else ""
        rows.append(rec)
    return pd.DataFrame(rows).set_index(["variable", "level"])


def backward_eliminate(
    design: pd.DataFrame, outcome: str, candidates: Sequence[str], *, p_remove: float = 0.05
) -> tuple[list[str], FittedLogit | None]:
    """Backward elimination by Wald p-value with :func:`logit_fit` (fast; for Monte Carlo loops).

    The rule of :func:`hccrep.stats.prediction.backward_stepwise_logit` (drop the
    term with the largest p while it exceeds ``p_remove``); ``tests/test_tu2025.py``
    checks both select the same terms.

    Parameters
    ----------
    design : DataFrame
        :func:`design_matrix` of the training cohort.
    outcome : str
        The 0/1 outcome column.
    candidates : sequence of str
        The terms of the full model.
    p_remove : float
        A term whose Wald p exceeds it is dropped.

    Returns
    -------
    (list of str, FittedLogit or None)
        The kept terms and the final fit (None when every term was dropped).
    """
    if not 0 < p_remove < 1:
        raise ValueError(f"p_remove must lie strictly between 0 and 1, got {p_remove}")
    current = list(candidates)
    y = design[outcome].to_numpy(float)
    while current:
        fit = logit_fit(design[current], y)
        p = fit.table()["p"].to_numpy()[1:]
        worst = int(np.argmax(p))
        if p[worst] <= p_remove:
            return current, fit
        current.pop(worst)
    return current, None


def stepwise_experiment(
    runner: Tu2025Runner,
    n: int,
    *,
    base_seed: int,
    candidates: Sequence[str] = CANDIDATES,
    p_remove: float = 0.05,
) -> pd.DataFrame:
    """Backward elimination on ``n`` simulated training cohorts: what is kept, and with which coefficient.

    Each cohort's covariates and response are simulated from the outcome model
    (so the true coefficients are the printed ones; survival is not needed),
    then :func:`backward_eliminate` runs on the training cohort.  One row per
    cohort and candidate: ``selected`` (kept or not) and ``coef`` (its
    coefficient in the final model, NaN if dropped).

    Parameters
    ----------
    runner : Tu2025Runner
        The study's runner (:func:`hccrep.replication.runner_for`).
    n : int
        Simulated cohorts.
    base_seed : int
        Cohort ``i`` uses seed ``base_seed + i``.
    candidates : sequence of str
        The terms of the full model.
    p_remove : float
        A term whose Wald p exceeds it is dropped.

    Returns
    -------
    DataFrame
        Columns ``cohort, term, selected, coef``.

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer.
    """
    from hccrep.replication import seeds_for

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    rows = []
    for i, seed in enumerate(seeds_for(base_seed, n)):
        c = runner.simulate_response(seed)
        d = design_matrix(c)[runner._cohort_mask(c, COHORTS[0])]
        kept, fit = backward_eliminate(d, "tin", candidates, p_remove=p_remove)
        coefs = dict(zip(fit.names[1:], fit.coef[1:])) if fit is not None else {}
        for term in candidates:
            rows.append(
                {
                    "cohort": i,
                    "term": term,
                    "selected": term in kept,
                    "coef": coefs.get(term, np.nan),
                }
            )
    return pd.DataFrame(rows)


def rf_importance(
    cohort: pd.DataFrame,
    features: Sequence[str],
    *,
    seed: int,
    n_estimators: int = 150,
    n_repeats: int = 5,
    add_noise: bool = True,
) -> pd.DataFrame:
    """Random-forest importance of each feature for TIN in the training cohort: impurity vs permutation.

    A :class:`sklearn.ensemble.RandomForestClassifier` (``n_estimators``
    trees, every other hyper-parameter at its scikit-learn default, one job)
    is fitted on the training cohort.  *Impurity* importance is the mean
    decrease in Gini impurity (``feature_importances_``, computed on the
    training data, normalised to sum to 1); *permutation* importance is the
    mean drop in AUC when one column is shuffled, measured on the internal
    validation cohort (:func:`sklearn.inspection.permutation_importance`).
    With ``add_noise`` a pure-noise continuous column ``noise`` is added:
    impurity importance rewards it for its many split points, permutation
    importance does not.

    Parameters
    ----------
    cohort : DataFrame
        A simulated cohort (training and internal validation parts are used).
    features : sequence of str
        Columns of :func:`design_matrix` given to the forest.
    seed : int
        Seed of the forest and of the permutations.
    n_estimators : int
        Trees.
    n_repeats : int
        Permutations per feature.
    add_noise : bool
        Add the pure-noise column ``noise``.

    Returns
    -------
    pandas.DataFrame
        Index feature; columns ``impurity``, ``permutation``, ``permutation_sd``,
        ranks of both.
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.inspection import permutation_importance

    d = design_matrix(cohort)
    g = cohort["cohort"].astype(str).to_numpy()
    feats = list(features)
    rng = np.random.default_rng(seed)
    if add_noise:
        d["noise"] = rng.normal(size=len(d))
        feats.append("noise")
    tr, te = g == COHORTS[0], g == COHORTS[1]
    rf = RandomForestClassifier(n_estimators=n_estimators, random_state=seed, n_jobs=1)
    rf.fit(d.loc[tr, feats], d.loc[tr, "tin"].astype(int))
    perm = permutation_importance(
        rf,
        d.loc[te, feats],
        d.loc[te, "tin"].astype(int),
        scoring="roc_auc",
        n_repeats=n_repeats,
        random_state=seed,
        n_jobs=1,
    )
    out = pd.DataFrame(
        {
            "impurity": rf.feature_importances_,
            "permutation": perm.importances_mean,
            "permutation_sd": perm.importances_std,
        },
        index=pd.Index(feats, name="feature"),
    )
    out["rank_impurity"] = out["impurity"].rank(ascending=False).astype(int)
    out["rank_permutation"] = out["permutation"].rank(ascending=False, method="min").astype(int)
    return out.sort_values("impurity", ascending=False)


def reported_by_file(card: pd.DataFrame, file_ids: Sequence[str]) -> pd.DataFrame:
    """The scorecard rows of some files, with the columns a notebook shows.

    Parameters
    ----------
    card : DataFrame
        A scorecard (:func:`hccrep.replication.scorecard`).
    file_ids : sequence of str
        The data files whose checks are kept.

    Returns
    -------
    DataFrame
        Indexed by key: printed, replicated, Monte Carlo interval, verdict and reason.
    """
    cols = ["key", "printed", "replicated", "mc_low", "mc_high", "verdict", "reason"]
    return card[card.file_id.isin(list(file_ids))][cols].set_index("key")


def importance_figure(table: pd.DataFrame, title: str | None = None):
    """Impurity and permutation importance side by side (a table from :func:`rf_importance`).

    Parameters
    ----------
    table : DataFrame
        :func:`rf_importance`.
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels, with alt text.
    """
    import matplotlib.pyplot as plt

    from hccrep.plots import FIGURE_WIDTH, set_alt_text, themed

    @themed
    def draw():
        t = table.sort_values("impurity")
        # the two rankings one under the other, at the width of the book's text column
        fig, axes = plt.subplots(2, 1, figsize=(FIGURE_WIDTH, 2 * (0.35 * len(t) + 1.2)))
        axes[0].barh(t.index, t["impurity"], color="0.45")
        axes[0].set_xlabel("Impurity (mean decrease in Gini)")
        axes[1].barh(t.index, t["permutation"], xerr=t["permutation_sd"], color="0.25")
        axes[1].axvline(0, color="0.5", lw=0.8)
        axes[1].set_xlabel("Permutation (drop in validation AUC)")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        top_i = ", ".join(table.sort_values("impurity", ascending=False).index[:4])
        top_p = ", ".join(table.sort_values("permutation", ascending=False).index[:4])
        set_alt_text(
            fig,
            (
                f"Two bar charts of random-forest importance for {len(t)} features. Impurity importance ranks first: "
                f"{top_i}. Permutation importance ranks first: {top_p}."
            ),
        )
        return fig

    return draw()


#: Why each kind of input is an input (shown beside :func:`hccrep.replication.inputs_table`).
_INPUT_REASONS = {
    "table1": "the cohorts' covariates and response counts; reproduced exactly by construction",
    "table2": "the outcome model's effects: the printed multivariable coefficients (log odds ratios of TIN)",
    "agreement": "marginals and kappas of the simulated ratings; no cross-table is printed, so nothing here is checkable",
    "survival_text": "the OS time scale of each cohort and TIPM group, and the longest follow-up",
}


def inputs_with_reasons(study: Study) -> pd.DataFrame:
    """The inputs and derived numbers of the study (:func:`inputs_table`) with why each is one, by file.

    Parameters
    ----------
    study : Study
        The tu2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    DataFrame
        The inputs and derived numbers, with why each is one and the file it is in.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> len(inputs_with_reasons(load_study("tu2025"))) > 0
    True
    """
    from hccrep.replication import inputs_table

    t = inputs_table(study)
    fid = {n.key: n.file_id for n in study.numbers}
    t["file"] = t["key"].map(fid)
    t["why"] = [
        (
            "repeats or sums other printed numbers (audited, never judged)"
            if r == "derived"
            else _INPUT_REASONS.get(f, "")
        )
        for r, f in zip(t["role"], t["file"])
    ]
    return t


def anova_rounding_range(study: Study, variable: str) -> tuple[float, float]:
    """Smallest and largest ANOVA p across the cohorts that a Table 1 row's rounded summaries allow.

    :func:`hccrep.audit.anova_rounding_range` for a variable of the study's baseline table.

    Parameters
    ----------
    study : Study
        The tu2025 study (:func:`hccrep.spec.load_study`).
    variable : str
        Key of a continuous variable of the baseline table.

    Returns
    -------
    (float, float)
        The smallest and the largest p-value.

    Raises
    ------
    ValueError
        If ``variable`` is not a continuous baseline variable.
    """
    from hccrep.audit import anova_rounding_range as _range

    base = study.baseline()
    v = next((x for x in base.variables if x.key == variable), None)
    if v is None or isinstance(v, CategoricalVariable):
        raise ValueError(
            f"{variable!r} is not a continuous variable of {study.key}'s baseline table"
        )
    return _range(v, base)


#: Reasons a check may fail, by key prefix (most specific first); used by :func:`explain_verdicts`.
_EXPLANATIONS = (
    (
        "t1_os_",
        "the OS rows are outcomes of the survival model, calibrated to KM medians of 138-180 days within 185 days; "
        "the printed deaths equal the TIN counts cell for cell, which no calibrated model has to follow",
    ),
    (
        "t1_ostime",
        "OS time follows from the medians and the assumed follow-up (60-185 days), not from Table 1",
    ),
    (
        "t2_mv_",
        "the refit on one cohort of 152 (42 TIN); the printed intervals are profile-likelihood intervals of β and the 'OR' column is z",
    ),
    (
        "t2_",
        "the univariable differences follow from the nine adjusted coefficients and the assumed correlations; "
        "a coefficient printed as -0.003 or -0.001 cannot carry the large univariable PLT, GGT or ALT differences",
    ),
    (
        "t3_",
        "the paper's metrics come from fewer patients than its cohorts (audit: n 143, 62, 101), at its own cut-off",
    ),
    (
        "t4_auc_afp",
        "AFP is available only as < 200 / > 200 ng/mL, which Table 2 shows barely differs between TIE and TIN",
    ),
    (
        "t4_brier_afp",
        "AFP is available only dichotomised; its Brier score is that of an almost flat risk",
    ),
    (
        "t4_auc_albi",
        "ALBI is computed from simulated albumin and bilirubin; only albumin carries an effect in the outcome model",
    ),
    (
        "t4_brier_combined_train",
        "a Brier score of 0.009 with 28% TIN needs almost every risk within 0.1 of its outcome, "
        "which a model with AUC 0.93 cannot give",
    ),
    ("t4_", "one draw of 68-152 patients; see the Monte Carlo interval"),
    (
        "os_median_",
        "the simulated OS ignores HBV status, so each subgroup's medians are close to the pooled ones; the audit shows "
        "the printed subgroup medians cannot be reconciled with the per-cohort medians",
    ),
    (
        "os_hr_",
        "OS in the model depends on the TIPM group and the cohort only; the HR follows from the calibrated medians",
    ),
    (
        "os_logrank",
        "the log-rank p depends on the number of deaths and the size of the high-risk group, which the medians do not fix",
    ),
    ("os_interaction", "the model has no interaction, so its p is uniform across seeds"),
    ("", "the stated or most plausible test on the simulated cohort; see the step's notebook"),
)


def explain_verdicts(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard rows that are not reproduced or not checkable, each with the likely reason (by key prefix).

    Parameters
    ----------
    card : DataFrame
        The tu2025 scorecard.

    Returns
    -------
    DataFrame
        Columns ``key, file_id, printed, replicated, mc_low, mc_high, verdict, explanation``.
    """
    rows = card[card.verdict.isin(["not reproduced", "not checkable"])].copy()

    def why(row) -> str:
        if row.verdict == "not checkable":
            return row.reason
        key = row.key
        if key.endswith(".p") and "." in key and not key.startswith(("t", "os")):
            return (
                "Table 1 summaries are rounded to one decimal; the ANOVA p on the rounded means and SDs "
                "differs from the p on the unrounded data (see step 1)"
            )
        return next(text for prefix, text in _EXPLANATIONS if key.startswith(prefix))

    rows["explanation"] = [why(r) for r in rows.itertuples()]
    return rows[
        ["key", "file_id", "printed", "replicated", "mc_low", "mc_high", "verdict", "explanation"]
    ]


def make_runner(study: Study, **kwargs) -> Tu2025Runner:
    """The tu2025 runner (variants can be overridden, e.g. ``variants={"categorical": "chisq"}``).

    Parameters
    ----------
    study : Study
        The tu2025 study (:func:`hccrep.spec.load_study`).
    **kwargs
        Passed to :class:`Tu2025Runner` (e.g. ``variants``).

    Returns
    -------
    Tu2025Runner
        The runner the replication machinery registers for tu2025.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> type(make_runner(load_study("tu2025"))).__name__
    'Tu2025Runner'
    """
    return Tu2025Runner(study, **kwargs)

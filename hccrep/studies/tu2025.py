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
- ``afp_log``: a continuous, standardised log AFP behind the printed indicator,
  shifted between TIE and TIN by the probit difference of Table 2's AFP split
  (``parameters.latent_marker``); the ``afp`` indicator marks each cohort's
  highest values, as many as Table 1 prints;
- the internal cohort's ``alb``: one outlier among ordinary values, which is
  what its printed SD implies (``parameters.one_outlier``);
- ``tipm_prob`` (TIPM refitted on the training cohort), ``tipm_high`` (at or
  above the training Youden cut-off) and ``os_group`` (cohort x TIPM group);
- ``os_time`` (days) and ``os_event``, Weibull, calibrated to the six printed
  Kaplan-Meier medians by cohort and TIPM group, with the one shape that turns
  those medians into the printed high-vs-low hazard ratio (:meth:`Tu2025Runner.os_shape`);
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
Each check's test variant (stated and, where the printed numbers show another, evident) is
declared with its analysis in the data files, which are its one source: the scorecard's
``variant`` and ``stated_variant`` columns show them, and ``book/methods/variants.md`` says how
each differs from R's default.

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

from hccrep.frames import str_labels  # astype(str) labels, read from a categorical's codes
from hccrep.replication import DeclaredRunner
from hccrep.stats.prediction import FittedLogit, backward_stepwise_logit, logit_fit
from hccrep.simulate import simulate_baseline
from hccrep.simulate.outcomes import survival_arrays
from hccrep.simulate.outcomes import simulate_declared_binary
from hccrep.simulate.declared_shapes import apply_latent_marker, apply_one_outliers
from hccrep.spec import ReportedNumber, Study

__all__ = [
    "make_runner",
    "Tu2025Runner",
    "COHORTS",
    "MODELS",
    "albi_score",
    "design_matrix",
    "CANDIDATES",
    "stepwise_experiment",
    "INPUT_REASONS",
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
    ``alt, plt, alb, ggt, pt, pta, inr, diameter, tbil, albi``, the latent
    ``afp_log`` (when the cohort has it) and the outcome ``tin``.

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
        cols[f"{var}_{level}"] = (str_labels(cohort[var]) == level).astype(float)
    cols["hbv"] = (str_labels(cohort["viral"]) == "hbv").astype(float)
    for c in ("alt", "plt", "alb", "ggt", "pt", "pta", "inr", "diameter", "tbil"):
        cols[c] = cohort[c].to_numpy(float)
    cols["albi"] = albi_score(cols["tbil"], cols["alb"])
    if "afp_log" in cohort.columns:
        cols["afp_log"] = cohort["afp_log"].to_numpy(float)
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
                "afp": ("afp_log",) if "afp_log" in d.columns else ("afp_gt200",),
                "multivariable": tuple(self.mv_terms),
            }
            if name not in known:
                raise ValueError(
                    f"name must be one of {sorted(known)} (or give terms), got {name!r}"
                )
            terms = known[name]
        # column by column: selecting a list of columns copies the whole frame (slow in a loop)
        x = np.column_stack([d[t].to_numpy(float)[train] for t in terms])
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

    def nomogram(
        self,
        cohort: pd.DataFrame,
        design: pd.DataFrame | None = None,
        fit: FittedLogit | None = None,
    ):
        """TIPM's points nomogram (:mod:`hccrep.nomogram`) over the training ranges.

        ``fit`` is ``self.fit(cohort, "combined", design=design)`` when the caller has it.
        """
        from hccrep.nomogram import build_nomogram, ranges_from_data

        d = design_matrix(cohort) if design is None else design
        fit = self.fit(cohort, "combined", design=d) if fit is None else fit
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
        apply_one_outliers(st, cohort, rng, self.group_column)
        cohort = simulate_declared_binary(st, cohort, rng)
        apply_latent_marker(st, cohort, rng, self.group_column)
        cohort["albi"] = albi_score(cohort["tbil"], cohort["alb"])
        return cohort

    def os_shape(self) -> float:
        """Weibull shape of OS within each cohort and TIPM group (1, exponential, unless declared).

        With ``parameters.os_shape_from_hr`` naming a printed hazard ratio of high
        versus low TIPM, the shape is the one that gives that ratio under
        proportional Weibull hazards with the printed medians: a Weibull hazard
        ratio is ``(median_low / median_high) ** shape``, so ``shape = ln HR /
        mean over cohorts of ln(median_low / median_high)``.
        """
        from hccrep.spec import DataFileError

        st = self.study
        params = st.simulation.parameters if st.simulation else {}
        key = params.get("os_shape_from_hr")
        if key is None:
            return 1.0
        hr = next((n for n in st.numbers if n.key == key), None)
        problem = (
            f"no number {key!r}"
            if hr is None
            else f"{key} builds the cohort: its role must be input"  # never judged as replicated
            if hr.role != "input"
            else f"{key} must be a hazard ratio above 1"
            if hr.quantity != "hr" or not hr.value > 1
            else None
        )
        if problem:
            path = st.folder / "simulation.yaml"
            raise DataFileError(path, [("parameters.os_shape_from_hr", problem)])
        medians = {
            str(n.about.group): n.value
            for n in st.numbers
            if n.file_id == "survival_text" and n.quantity == "median"
        }
        logs = [np.log(medians[f"{c}_low"] / medians[f"{c}_high"]) for c in COHORTS]
        return float(np.log(hr.value) / np.mean(logs))

    def simulate(self, seed) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        st = self.study
        gcol = self.group_column
        cohort = self._response(rng)
        d = design_matrix(cohort)
        prob = self.fit(cohort, "combined", design=d).predict(d)
        cut = self.tipm_cutoff(cohort, prob)
        high = (prob >= cut.threshold).astype(int)
        cohort["tipm_prob"] = prob
        cohort["tipm_high"] = high
        cohort["os_group"] = np.char.add(
            str_labels(cohort[gcol]).astype(str), np.where(high == 1, "_high", "_low")
        ).astype(object)
        medians = {
            str(n.about.group): n.value
            for n in st.numbers
            if n.file_id == "survival_text" and n.quantity == "median"
        }
        follow_max = st.number("os_observation_days").value
        # the frame is this method's own (as for the columns above): the times are set on it,
        # not on a copy (simulate_survival's arrays, the same draws)
        cohort["os_time"], cohort["os_event"] = survival_arrays(
            cohort,
            rng,
            group="os_group",
            medians=medians,
            follow_up=(self.follow_up_min, follow_max),
            bisection_steps=30,
            shape=self.os_shape(),
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
        """mRECIST, RECIST 1.1 and iRECIST responder flags (1) with the printed rates and kappas.

        The three columns are added to ``cohort`` itself (the cohort :meth:`simulate` has built),
        which is returned.
        """
        n = len(cohort)
        pairs = self.rating_tables(n)
        a1, b1 = pairs["recist11"]
        a2, b2 = pairs["irecist"]
        perm = rng.permutation(n)  # patient perm[i] gets row i of the first table
        out = cohort  # simulate hands over a cohort of its own
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
            fit = self.fit(cohort, "combined", design=d)  # once, for the cut-off and the nomogram
            cut = self.tipm_cutoff(cohort, fit.predict(d))
            out["tipm_cutoff_points"] = self.nomogram(cohort, d, fit).total_for_probability(
                cut.threshold
            )
        return out

    def _cohort_mask(self, cohort: pd.DataFrame, ck: str) -> np.ndarray:
        return str_labels(cohort[self.group_column]) == ck


# ----------------------------------------------------------------------------- notebook helpers


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
    then :func:`hccrep.stats.prediction.backward_stepwise_logit` runs on the
    training cohort.  One row per
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
        res = backward_stepwise_logit(d, "tin", list(candidates), p_remove=p_remove)
        kept, coefs = res.selected, dict(zip(res.table["term"], res.table["beta"]))
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


#: Why the inputs of each data file are inputs (``reasons`` of :func:`hccrep.replication.inputs_table`).
INPUT_REASONS = {
    "table1": "the cohorts' covariates and response counts; reproduced exactly by construction",
    "table2": (
        "the outcome model's effects: the printed multivariable coefficients (log odds ratios of "
        "TIN), and the AFP > 200 split by response, which sets the latent AFP marker's shift"
    ),
    "agreement": "marginals and kappas of the simulated ratings; no cross-table is printed, so nothing here is checkable",
    "survival_text": "the OS time scale of each cohort and TIPM group, and the longest follow-up",
    "hbv_subgroup": "the high-vs-low TIPM hazard ratio, which sets the Weibull shape of OS",
}


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

"""fonc2025, step 8: propensity-score matching (Table 6 and the PSM results section).

The paper matched the two arms 1:1 by nearest neighbour without replacement
with "a caliper of 0.2" on five covariates and analysed PFS in the matched
pairs.  The helpers here read every setting from ``data/fonc2025/table6.yaml``
(the covariates, the caliper, the ratio) and run the matching under every
reading of the caliper, so the notebook can put the readings side by side:

* :func:`selection_table` -- which PFS univariable p-values of Table 5 fall
  below the selection threshold, beside the covariates the paper lists;
* :func:`match_readings` -- the matched sets under each caliper scale, without
  a caliper, and as MatchIt 4.5.1-4.5.3 computed them on affected builds;
  :func:`pairs_table` puts the number of pairs beside the reported one;
* :func:`balance_table` -- standardised mean differences of every Table 1
  variable before and after matching;
* :func:`matched_pfs` -- the matched PFS analysis (KM medians, log-rank,
  Cox HR), the same numbers the scorecard computes;
* :func:`monte_carlo_matching`, :func:`pairs_summary`,
  :func:`pairs_histogram` and :func:`effect_summary` -- the same over many
  simulated cohorts;
* :func:`with_pfs_effect` -- a what-if copy of the study in which one more
  covariate acts on PFS.

The matching itself is :mod:`hccrep.stats.matching`.

Examples
--------
>>> from hccrep.spec import load_study
>>> st = load_study("fonc2025")
>>> sel = selection_table(st)
>>> bool((sel["selected"] == sel["listed"]).all())
True
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from hccrep.frames import str_labels
from hccrep.spec import Study
from hccrep.stats.matching import CALIPER_SCALES, MatchResult, _match_nearest, match_nearest

__all__ = [
    "SCALES",
    "READINGS",
    "TABLE6_KEYS",
    "reading_labels",
    "treated_frame",
    "selection_table",
    "match_readings",
    "pairs_table",
    "indicator_frame",
    "balance_table",
    "matched_pfs",
    "matched_pfs_table",
    "monte_carlo_matching",
    "pairs_summary",
    "pairs_histogram",
    "effect_summary",
    "with_pfs_effect",
]

#: The three readings of "caliper c" (see :func:`hccrep.stats.matching.match_nearest`).
SCALES: tuple[str, ...] = tuple(CALIPER_SCALES)
#: Every matching :func:`match_readings` runs: the three caliper scales, no caliper (on the
#: propensity score, MatchIt's default distance) and MatchIt 4.5.1-4.5.3 with its integer
#: distance gaps, on the propensity score and on its logit.
READINGS: tuple[str, ...] = (*SCALES, "none", "matchit451_ps", "matchit451_logit")
#: Keys of the Table 6 (and PSM results text) checks, in the order of :func:`matched_pfs`.
TABLE6_KEYS = (
    "psm_matched_rt_io_t",
    "psm_matched_io_t",
    "psm_pfs_median_rt_io_t",
    "psm_pfs_median_io_t",
    "psm_pfs_logrank_p",
    "psm_pfs_hr",
    "psm_pfs_hr.lower",
    "psm_pfs_hr.upper",
    "psm_pfs_hr_p",
)


def reading_labels(study: Study) -> dict[str, str]:
    """A short description of each reading in :data:`READINGS`, with the paper's caliper.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> reading_labels(load_study("fonc2025"))["none"]
    'no caliper (propensity score)'
    """
    c = study.number("psm_caliper").value
    return {
        "logit_sd": f"{c:g} SD of the logit of the PS (Austin 2011)",
        "ps_sd": f"{c:g} SD of the PS (MatchIt caliper = {c:g}, defaults)",
        "ps_raw": f"{c:g} on the PS itself (std.caliper = FALSE)",
        "none": "no caliper (propensity score)",
        "matchit451_ps": f"MatchIt 4.5.1-4.5.3 defect, caliper = {c:g} (PS)",
        "matchit451_logit": f"MatchIt 4.5.1-4.5.3 defect, caliper = {c:g} (logit)",
    }


# --------------------------------------------------------------------------- selection and matching


def treated_frame(runner, cohort: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``cohort`` with a 0/1 column ``treated`` (1 = the last arm of Table 1, RT+IO+T)."""
    treated = runner.study.baseline().groups[-1].key
    d = cohort.copy()
    d["treated"] = (d[runner.group_column].astype(str) == treated).astype(int)
    return d


def selection_table(study: Study) -> pd.DataFrame:
    """The PFS univariable p-values of Table 5 against the paper's selection threshold.

    The PSM results section says the matching covariates were the variables with a PFS
    univariable p below a threshold; ``selected`` applies that rule to the
    printed p-values (the arm itself excluded) and ``listed`` marks the
    covariates the paper names (``psm_selection_p_threshold`` in
    ``table6.yaml``).

    Returns
    -------
    pandas.DataFrame
        One row per variable: ``variable, printed_hr, printed_p, p, selected, listed``.
    """
    sel = study.number("psm_selection_p_threshold")
    listed = {c.strip() for c in sel.about.covariates}
    rows = []
    for n in study.numbers:
        a = n.about
        if n.file_id != "table5" or n.quantity != "p" or a.endpoint != "pfs":
            continue
        hr = study.number(a.hr_key)
        if hr.about.model != "univariable" or hr.about.variable == "arm":
            continue
        var = hr.about.variable
        rows.append(
            {
                "variable": var,
                "printed_hr": hr.printed,
                "printed_p": n.printed,
                "p": n.value,
                "selected": bool(n.value < sel.value),
                "listed": var in listed,
            }
        )
    return pd.DataFrame(rows)


def _matchit451(
    d: pd.DataFrame, covariates: list[str], ratio: int, caliper: float, scale: str
) -> MatchResult:
    """MatchIt 4.5.1-4.5.3 on a build with the integer-``abs`` defect (MatchIt issue #163).

    Uses the defect emulation of :mod:`hccrep.stats.matching`, which the R
    parity tests check against the installed MatchIt.  For teaching only.
    """
    return _match_nearest(
        d,
        "treated",
        covariates,
        ps=None,
        ratio=ratio,
        caliper=caliper,
        caliper_scale=scale,
        order="largest",
        replace=False,
        rng=None,
        emulate=frozenset({"int_abs"}),
    )


def match_readings(
    runner, cohort: pd.DataFrame, readings: Sequence[str] = READINGS
) -> dict[str, MatchResult]:
    """Match the cohort under each reading of the paper's caliper.

    Parameters
    ----------
    runner : Fonc2025Runner
    cohort : pandas.DataFrame
        A simulated cohort (``runner.simulate(seed)``).
    readings : sequence of str
        A subset of :data:`READINGS`:

        * ``"logit_sd"``, ``"ps_sd"``, ``"ps_raw"`` -- ``runner.match`` with
          that caliper scale (1:1, without replacement, MatchIt's default
          ``m.order = "largest"``);
        * ``"none"`` -- the same matching on the propensity score without a
          caliper;
        * ``"matchit451_ps"``, ``"matchit451_logit"`` -- what MatchIt
          4.5.1-4.5.3 returns on builds whose C++ code truncates distance
          gaps to whole numbers (``caliper = c`` on the propensity score, and
          with ``link = "linear.logit"``).

    Returns
    -------
    dict of str to MatchResult
        In the order of ``readings``; match on :func:`treated_frame` rows.
    """
    unknown = [r for r in readings if r not in READINGS]
    if unknown:
        raise ValueError(f"unknown reading(s) {unknown}; expected some of {READINGS}")
    st = runner.study
    d = treated_frame(runner, cohort)
    cov = runner.psm_covariates()
    ratio = int(st.number("psm_ratio").value)
    caliper = st.number("psm_caliper").value
    out: dict[str, MatchResult] = {}
    for r in readings:
        if r in SCALES:
            out[r] = runner.match(cohort, caliper_scale=r)[0]
        elif r == "none":
            out[r] = match_nearest(
                d, "treated", cov, ratio=ratio, caliper=None, caliper_scale="ps_sd"
            )
        else:
            out[r] = _matchit451(
                d, cov, ratio, caliper, "ps_sd" if r == "matchit451_ps" else "logit_sd"
            )
    return out


def pairs_table(study: Study, results: Mapping[str, MatchResult]) -> pd.DataFrame:
    """Matched pairs under each reading beside the reported number.

    Returns
    -------
    pandas.DataFrame
        Indexed by reading: ``description``, ``matched on``, ``caliper width``
        (on the scale matched on; NaN without a caliper), ``pairs`` and
        ``reported`` (Table 6).
    """
    labels = reading_labels(study)
    reported = study.number("psm_matched_rt_io_t")
    rows = {}
    for r, res in results.items():
        rows[r] = {
            "description": labels.get(r, r),
            "matched on": "logit of PS" if res.caliper_scale == "logit_sd" else "PS",
            "caliper width": np.nan if res.caliper is None else res.caliper,
            "pairs": res.n_treated_matched,
            "reported": reported.printed,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------- balance


def indicator_frame(study: Study, cohort: pd.DataFrame) -> pd.DataFrame:
    """Every Table 1 variable as 0/1 indicators of its non-reference levels.

    Column names are ``"<variable label>: <level label>"``; ``attrs["variable"]``
    maps each column to its variable key.  A two-level variable gives one
    column (its second level), so a balance table has one row per binary
    variable instead of two mirror-image rows.
    """
    cols, var_of = {}, {}
    for v in study.baseline().variables:
        if v.key not in cohort.columns:
            continue
        x = str_labels(cohort[v.key])
        for lv in v.levels[1:]:
            name = f"{v.label}: {lv.label}"
            cols[name] = (x == lv.key).astype(int)
            var_of[name] = v.key
    out = pd.DataFrame(cols, index=cohort.index)
    out.attrs["variable"] = var_of
    return out


def balance_table(
    runner, cohort: pd.DataFrame, results: Mapping[str, MatchResult], denominator: str = "treated"
) -> pd.DataFrame:
    """Standardised mean differences of the Table 1 variables before and after matching.

    Each matched sample is described by MatchIt's matching weights on the
    full cohort, and the standardising SD is that of the full (unmatched)
    sample, as MatchIt's ``summary()`` does: with ``denominator="treated"``
    (MatchIt's default for the ATT) the SD of the RT+IO+T arm, so before and
    after share one denominator.

    Returns
    -------
    pandas.DataFrame
        Indexed by indicator label: ``in_ps_model``, ``treated`` and
        ``control`` (proportions before matching), ``before`` (SMD) and one SMD
        column per matching in ``results``.  ``attrs["variant"]`` names the SMD.
    """
    from hccrep.stats.matching import standardized_mean_differences

    d = treated_frame(runner, cohort)
    ind = indicator_frame(runner.study, d)
    frame = pd.concat([ind, d[["treated"]]], axis=1)
    cols = list(ind.columns)
    before = standardized_mean_differences(
        frame, "treated", cols, denominator=denominator
    ).set_index("covariate")
    in_model = set(runner.psm_covariates())
    out = pd.DataFrame(
        {
            "in_ps_model": [ind.attrs["variable"][c] in in_model for c in cols],
            "treated": before["mean_treated"],
            "control": before["mean_control"],
            "before": before["smd"],
        },
        index=pd.Index(cols, name="covariate"),
    )
    variant = before.attrs["variant"]
    for r, res in results.items():
        after = standardized_mean_differences(
            frame, "treated", cols, weights=res.weights(d), denominator=denominator
        )
        out[r] = after.set_index("covariate")["smd"]
        variant = after.attrs["variant"]
    out.attrs["variant"] = variant
    return out


# --------------------------------------------------------------------------- matched PFS analysis


def _cox_arm(runner, d: pd.DataFrame, covariates: list[str]) -> pd.Series:
    if runner.variants.get("cox_engine", "numpy") == "numpy":
        from hccrep.stats.fastcox import cox_table

        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cox_table(d, "time", "event", covariates, ties=runner.variants["ties"]).loc[
                "arm"
            ]
    from hccrep.stats import cox

    return cox(d, "time", "event", covariates, ties=runner.variants["ties"]).table.loc["arm"]


def matched_pfs(
    runner,
    cohort: pd.DataFrame,
    result: MatchResult,
    *,
    adjust: Sequence[str] = (),
    km: bool = True,
) -> dict[str, float]:
    """The PFS analysis of Table 6 and the PSM results section on one matched sample.

    KM medians per arm (R's rule, the runner's interval transform), the
    log-rank p and a Cox model of PFS on the arm alone (the runner's ties,
    Wald CI and p, no account of the pairing), as the scorecard computes
    them; keys as in :data:`TABLE6_KEYS`.  With ``adjust`` (Table 1 variable
    keys), ``"psm_pfs_hr_adjusted"`` adds the arm's HR from a Cox model on the
    same matched sample that also holds those variables' indicators.
    ``km=False`` skips the medians and the log-rank test (NaN), which take
    most of the time in a Monte Carlo loop.  The medians and the log-rank
    test use the runner's ``km_engine`` variant (numpy by default).
    """
    km_median, logrank = runner.km_engine.km_median, runner.km_engine.logrank

    d = treated_frame(runner, cohort)
    m = result.matched(d)
    out: dict[str, float] = {
        "psm_matched_rt_io_t": float(result.n_treated_matched),
        "psm_matched_io_t": float(result.n_control_matched),
    }
    keys = [k for k in TABLE6_KEYS if k not in out] + (["psm_pfs_hr_adjusted"] if adjust else [])
    out.update({k: float("nan") for k in keys})
    if result.n_treated_matched < 2:
        return out
    if km:
        conf = runner.variants["km_conf_type"]
        for key, flag in (("psm_pfs_median_rt_io_t", 1), ("psm_pfs_median_io_t", 0)):
            part = m[m["treated"] == flag]
            out[key] = km_median(part["pfs_time"], part["pfs_event"], conf_type=conf).median
        out["psm_pfs_logrank_p"] = logrank(m["pfs_time"], m["pfs_event"], m["treated"]).pvalue
    cox_d = pd.DataFrame(
        {
            "time": m["pfs_time"].to_numpy(),
            "event": m["pfs_event"].to_numpy(),
            "arm": m["treated"].to_numpy(float),
        }
    )
    try:
        row = _cox_arm(runner, cox_d, ["arm"])
        out["psm_pfs_hr"], out["psm_pfs_hr.lower"], out["psm_pfs_hr.upper"] = (
            float(row[k]) for k in ("hr", "lower", "upper")
        )
        out["psm_pfs_hr_p"] = float(row["p"])
    except (ValueError, np.linalg.LinAlgError):
        pass
    if adjust:
        ind = indicator_frame(runner.study, m)
        extra = [
            c
            for c in ind.columns
            if ind.attrs["variable"][c] in set(adjust) and ind[c].nunique() > 1
        ]
        adj_d = pd.concat([cox_d, ind[extra].reset_index(drop=True).astype(float)], axis=1)
        try:
            out["psm_pfs_hr_adjusted"] = float(_cox_arm(runner, adj_d, ["arm", *extra])["hr"])
        except (ValueError, np.linalg.LinAlgError):
            pass
    return out


def matched_pfs_table(
    runner, cohort: pd.DataFrame, results: Mapping[str, MatchResult]
) -> pd.DataFrame:
    """:func:`matched_pfs` per matching beside the printed value (Table 6 and the PSM results text).

    Returns
    -------
    pandas.DataFrame
        Indexed by check key (:data:`TABLE6_KEYS`): ``printed`` and one column per matching.
    """
    st = runner.study
    printed = {}
    for k in TABLE6_KEYS:
        base, _, limit = k.partition(".")
        n = st.number(base)
        printed[k] = f"{getattr(n, limit)}" if limit else n.printed
    out = pd.DataFrame({"printed": pd.Series(printed)})
    for r, res in results.items():
        out[r] = pd.Series(matched_pfs(runner, cohort, res))
    out.index.name = "key"
    return out


# --------------------------------------------------------------------------- Monte Carlo


def _one_cohort(
    seed, runner, readings: tuple[str, ...], analyse: tuple[str, ...], adjust: tuple[str, ...]
) -> dict:
    cohort = runner.simulate(seed)
    res = match_readings(runner, cohort, readings)
    row: dict[str, float] = {f"{r}.pairs": float(res[r].n_treated_matched) for r in readings}
    for r in analyse:
        pfs = matched_pfs(runner, cohort, res[r], adjust=adjust, km=False)
        row[f"{r}.hr"] = pfs["psm_pfs_hr"]
        if adjust:
            row[f"{r}.hr_adjusted"] = pfs["psm_pfs_hr_adjusted"]
    if adjust:
        from hccrep.stats.matching import standardized_mean_differences

        d = treated_frame(runner, cohort)
        ind = indicator_frame(runner.study, d)
        cols = [c for c in ind.columns if ind.attrs["variable"][c] in adjust]
        frame = pd.concat([ind[cols], d[["treated"]]], axis=1)
        for name, w in (("before", None), *((r, res[r].weights(d)) for r in analyse)):
            smd = standardized_mean_differences(
                frame, "treated", cols, weights=w, denominator="treated"
            )
            for label, v in zip(smd["covariate"], smd["smd"]):
                row[f"{name}.smd.{label}"] = float(v)
    return row


def monte_carlo_matching(
    runner,
    n: int,
    *,
    base_seed: int | None = None,
    readings: Sequence[str] = READINGS,
    analyse: Sequence[str] = SCALES,
    adjust: Sequence[str] = (),
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Matching and the matched PFS analysis over ``n`` simulated cohorts.

    The cohorts are those of the scorecard's Monte Carlo
    (:func:`hccrep.replication.seeds_for` from the book seed + 1 unless
    ``base_seed`` is given).

    Parameters
    ----------
    runner : Fonc2025Runner
    n : int
        Number of cohorts.
    readings : sequence of str
        Matchings whose number of pairs is recorded (``"<reading>.pairs"``).
    analyse : sequence of str
        Matchings (a subset of ``readings``) whose matched PFS is analysed:
        ``"<reading>.hr"``, the arm's Cox HR (the scorecard adds the KM
        medians and the log-rank p for its own scale).
    adjust : sequence of str
        Table 1 variable keys: adds ``"<reading>.hr_adjusted"`` (arm HR with
        these variables in the Cox model of the matched sample) and the SMD of
        their indicators before (``"before.smd.<label>"``) and after
        (``"<reading>.smd.<label>"``) matching.
    n_jobs : int
        Worker processes (joblib); the result does not depend on it.

    Returns
    -------
    pandas.DataFrame
        One row per cohort.
    """
    from hccrep.replication import seeds_for

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    readings, analyse, adjust = tuple(readings), tuple(analyse), tuple(adjust)
    missing = [r for r in analyse if r not in readings]
    if missing:
        raise ValueError(f"analyse names matchings not in readings: {missing}")
    base = runner.study.meta.book_seed + 1 if base_seed is None else base_seed
    seeds = seeds_for(base, n)
    from hccrep.parallel import map_seeds

    rows = map_seeds(_one_cohort, seeds, runner, readings, analyse, adjust, n_jobs=n_jobs)
    return pd.DataFrame(rows, dtype=float)


def pairs_summary(study: Study, mc: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Distribution of the number of matched pairs per reading, and where the reported number falls.

    Returns
    -------
    pandas.DataFrame
        Indexed by reading: ``description``, ``median``, ``mc_low``/``mc_high``
        (empirical interval at ``level``, no interpolation), and the shares of
        cohorts with fewer, exactly as many and more pairs than reported.
    """
    reported = study.number("psm_matched_rt_io_t").value
    labels = reading_labels(study)
    a = (1 - level) / 2
    rows = {}
    for col in [c for c in mc.columns if c.endswith(".pairs")]:
        r = col.removesuffix(".pairs")
        x = mc[col].dropna().to_numpy()
        lo, hi = np.quantile(x, [a, 1 - a], method="inverted_cdf")
        rows[r] = {
            "description": labels.get(r, r),
            "median": float(np.median(x)),
            "mc_low": float(lo),
            "mc_high": float(hi),
            "fewer": float(np.mean(x < reported)),
            "as reported": float(np.mean(x == reported)),
            "more": float(np.mean(x > reported)),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def pairs_histogram(
    study: Study,
    mc: pd.DataFrame,
    readings: Sequence[str] | None = None,
    *,
    title: str | None = None,
):
    """Bar chart of the number of matched pairs per reading, with the reported number marked.

    Returns
    -------
    matplotlib.figure.Figure
        With alt text (:func:`hccrep.plots.alt_text`) giving each reading's
        median, range and share of cohorts with the reported number of pairs.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from hccrep.plots import PALETTE, _theme_rc, set_alt_text

    reported = study.number("psm_matched_rt_io_t").value
    labels = reading_labels(study)
    readings = (
        list(readings)
        if readings is not None
        else [c.removesuffix(".pairs") for c in mc.columns if c.endswith(".pairs")]
    )
    data = {r: mc[f"{r}.pairs"].dropna().to_numpy().astype(int) for r in readings}
    lo = int(min(min(v.min() for v in data.values()), reported)) - 1
    hi = int(max(max(v.max() for v in data.values()), reported)) + 1
    xs = np.arange(lo, hi + 1)
    k = len(readings)
    width = 0.8 / k
    with mpl.rc_context(_theme_rc()):
        fig, ax = plt.subplots(figsize=(8, 6), layout="constrained")
        for i, r in enumerate(readings):
            counts = np.array([np.sum(data[r] == x) for x in xs])
            ax.bar(
                xs - 0.4 + width * (i + 0.5),
                counts,
                width=width,
                color=PALETTE[i % len(PALETTE)],
                label=f"{labels.get(r, r)} (n = {data[r].size})",
            )
        ax.axvline(
            reported,
            color="black",
            linestyle="--",
            linewidth=1.5,
            label=f"reported: {reported:g} pairs",
        )
        ax.set_xlabel("Matched pairs")
        ax.set_ylabel("Simulated cohorts")
        ax.set_xticks(xs[:: max(1, len(xs) // 15)])
        fig.legend(loc="outside lower center", ncols=1, fontsize="small")
        if title:
            ax.set_title(title)
    parts = [
        f"{labels.get(r, r)}: median {np.median(v):g}, range {v.min()} to {v.max()}, "
        f"{100 * np.mean(v == reported):.0f}% of cohorts with exactly {reported:g}"
        for r, v in data.items()
    ]
    set_alt_text(
        fig,
        f"{title + ': ' if title else ''}Bar chart of the number of matched pairs in simulated cohorts, one "
        f"bar colour per caliper reading, with the reported number as a dashed line. "
        + "; ".join(parts)
        + ".",
    )
    return fig


def effect_summary(study: Study, mc: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """The matched HR per matching over the Monte Carlo cohorts.

    Returns
    -------
    pandas.DataFrame
        Indexed by matching: ``pairs_median``, ``hr_geomean`` (geometric
        mean), ``hr_low`` / ``hr_high`` (empirical interval),
        ``share_hr_le_reported`` (cohorts at or below the printed HR) and,
        where present, ``hr_adjusted_geomean``.
    """
    hr_rep = study.number("psm_pfs_hr").value
    a = (1 - level) / 2
    rows = {}
    for col in [c for c in mc.columns if c.endswith(".hr")]:
        r = col.removesuffix(".hr")
        hr = mc[col].to_numpy(float)
        hr = hr[np.isfinite(hr) & (hr > 0)]
        lo, hi = np.quantile(hr, [a, 1 - a], method="inverted_cdf")
        row = {
            "pairs_median": float(mc[f"{r}.pairs"].median())
            if f"{r}.pairs" in mc
            else float("nan"),
            "hr_geomean": float(np.exp(np.mean(np.log(hr)))),
            "hr_low": float(lo),
            "hr_high": float(hi),
            "share_hr_le_reported": float(np.mean(hr <= hr_rep)),
        }
        if f"{r}.hr_adjusted" in mc:
            adj = mc[f"{r}.hr_adjusted"].to_numpy(float)
            adj = adj[np.isfinite(adj) & (adj > 0)]
            row["hr_adjusted_geomean"] = (
                float(np.exp(np.mean(np.log(adj)))) if adj.size else float("nan")
            )
        rows[r] = row
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------- what-if


def with_pfs_effect(study: Study, variable: str, level: str, hr_key: str, why: str) -> Study:
    """A copy of ``study`` in which ``variable == level`` also multiplies the PFS hazard.

    The hazard ratio is read from the reported number ``hr_key`` (for
    example the adjusted OS hazard ratio of BCLC stage C, to ask what
    happens if stage acted on PFS as it does on OS).  The per-arm PFS medians
    stay the calibration targets.  Data files are untouched; only the
    in-memory simulation spec changes.

    Raises
    ------
    ValueError
        If the study has no PFS endpoint in ``simulation.yaml`` or already
        has an effect of ``variable`` on PFS.
    """
    from hccrep.spec import EffectSpec

    sim = study.simulation
    if sim is None or not any(sv.endpoint == "pfs" for sv in sim.survival):
        raise ValueError(f"{study.key} simulates no PFS endpoint")
    study.number(hr_key)  # fails loudly for an unknown key
    survival = []
    for sv in sim.survival:
        if sv.endpoint == "pfs":
            if any(e.variable == variable for e in sv.effects):
                raise ValueError(f"PFS already has an effect of {variable!r}")
            effect = EffectSpec(variable=variable, level=level, hr_key=hr_key, why=why)
            sv = sv.model_copy(update={"effects": [*sv.effects, effect]})
        survival.append(sv)
    new = dataclasses.replace(study, simulation=sim.model_copy(update={"survival": survival}))
    new.__dict__.pop("numbers", None)  # a cached_property: recompute for the copy
    return new

"""Reported versus simulated tables, side by side.

Examples
--------
>>> import numpy as np
>>> from hccrep.spec import load_study
>>> from hccrep.simulate import simulate_baseline
>>> st = load_study("fonc2025")
>>> cohort = simulate_baseline(st.baseline(), np.random.default_rng(1), st.simulation)
>>> side = baseline_side_by_side(st, cohort)
>>> list(side.columns.get_level_values(0).unique())
['reported', 'simulated']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hccrep.printed import parse_pvalue, parse_summary
from hccrep.spec import CategoricalVariable, Study

__all__ = ["baseline_side_by_side", "baseline_p_variants"]


def _fmt_count(k: int, n: int) -> str:
    pct = 100.0 * k / n
    return f"{k} ({pct:.1f})"


def _fmt_summary(x: np.ndarray, kind: str, decimals: int, method: str) -> str:
    if kind == "mean_sd":
        return f"{x.mean():.{decimals}f}±{x.std(ddof=1):.{decimals}f}"
    lo, hi = (0.25, 0.75) if kind == "median_iqr" else (0.0, 1.0)
    q = np.quantile(x, [lo, 0.5, hi], method=method)
    return f"{q[1]:.{decimals}f} ({q[0]:.{decimals}f}, {q[2]:.{decimals}f})"


def baseline_side_by_side(
    study: Study, cohort: pd.DataFrame, *, quantile_method: str = "linear"
) -> pd.DataFrame:
    """The reported baseline table next to the same table computed on ``cohort``.

    Rows are (variable, level); columns are ``("reported", group)`` and
    ``("simulated", group)`` for every group.  Cells are ``"k (pct)"`` or the
    variable's summary, computed with the named quantile ``method``.

    Parameters
    ----------
    study : Study
        The study whose baseline table is reported.
    cohort : DataFrame
        A simulated cohort: one row per patient, the group column and one column per
        baseline variable.
    quantile_method : str
        numpy's quantile ``method`` for medians, quartiles and ranges.

    Returns
    -------
    DataFrame
        Index (variable, level); columns ``("reported", group)`` and ``("simulated", group)``.
    """
    base = study.baseline()
    gcol = study.simulation.group_variable if study.simulation else "group"
    rows, index = [], []
    for v in base.variables:
        if isinstance(v, CategoricalVariable):
            for lv in v.levels:
                rec = {}
                for g in base.groups:
                    cell = v.cells[g.key][lv.key]
                    rec[("reported", g.label)] = cell if isinstance(cell, str) else cell.printed
                    part = cohort[cohort[gcol] == g.key]
                    rec[("simulated", g.label)] = _fmt_count(
                        int((part[v.key] == lv.key).sum()), len(part)
                    )
                rows.append(rec)
                index.append((v.label, lv.label))
        else:
            rec = {}
            for g in base.groups:
                cell = v.cells[g.key]
                text = cell if isinstance(cell, str) else cell.printed
                rec[("reported", g.label)] = text
                dec = parse_summary(text, v.summary).decimals[0]
                x = cohort.loc[cohort[gcol] == g.key, v.key].to_numpy(float)
                rec[("simulated", g.label)] = _fmt_summary(x, v.summary, dec, quantile_method)
            rows.append(rec)
            index.append((v.label, ""))
    out = pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=["variable", "level"]))
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    return out


def baseline_p_variants(
    study: Study,
    cohort: pd.DataFrame,
    categorical: Sequence[str] = ("chisq", "chisq_yates", "fisher", "auto_fisher"),
    continuous: Sequence[str] = ("mannwhitney", "welch", "student"),
) -> pd.DataFrame:
    """Each baseline p-value as printed and as computed on ``cohort`` under every variant.

    A column ``agrees`` lists the variants whose p prints as the paper's.

    Parameters
    ----------
    study : Study
        The study whose baseline table prints the p-values.
    cohort : DataFrame
        A simulated cohort (one row per patient).
    categorical : sequence of str
        Test variants of :func:`hccrep.stats.compare_counts` for categorical variables.
    continuous : sequence of str
        Test variants of :func:`hccrep.stats.compare_samples` for continuous variables of two
        groups (Kruskal-Wallis and ANOVA for more groups).

    Returns
    -------
    DataFrame
        Indexed by variable label: ``printed p``, one column per variant, ``agrees``.

    Examples
    --------
    >>> import numpy as np
    >>> from hccrep.spec import load_study
    >>> from hccrep.simulate import simulate_baseline
    >>> st = load_study("fonc2025")
    >>> cohort = simulate_baseline(st.baseline(), np.random.default_rng(1), st.simulation)
    >>> "agrees" in baseline_p_variants(st, cohort).columns
    True
    """
    from hccrep.stats import compare_counts, compare_samples

    base = study.baseline()
    gcol = study.simulation.group_variable if study.simulation else "group"
    rows = []
    for v in base.variables:
        if v.p is None:
            continue
        pv = parse_pvalue(v.p.printed)
        rec: dict[str, object] = {"variable": v.label, "printed p": v.p.printed}
        if isinstance(v, CategoricalVariable):
            table = pd.crosstab(cohort[v.key], cohort[gcol], dropna=False).to_numpy()
            for t in categorical:
                rec[t] = compare_counts(table, test=t).pvalue
            names = list(categorical)
        else:
            samples = [
                cohort.loc[cohort[gcol] == g.key, v.key].to_numpy(float) for g in base.groups
            ]
            if len(samples) > 2:
                names = ["kruskal", "anova"]
            else:
                names = list(continuous)
            for t in names:
                rec[t] = compare_samples(samples, test=t).pvalue
        rec["agrees"] = ", ".join(t for t in names if pv.agrees(rec[t])) or "none"
        rows.append(rec)
    return pd.DataFrame(rows).set_index("variable")

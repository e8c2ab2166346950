"""Simulate a cohort whose Table 1 is the reported one.

Method
------
Within each group, every patient gets one latent standard-normal value per
variable, drawn jointly with the correlations declared in the study's
``simulation.yaml`` (a Gaussian copula).  Then

- a categorical variable takes its levels by the ranks of its latent value:
  the lowest ``k1`` patients get level 1, the next ``k2`` level 2, and so on,
  so the reported counts hold exactly in every group, every time;
- a continuous variable is an exact-summary sample
  (:func:`hccrep.simulate.continuous.exact_summary_sample`) assigned by the
  same ranks; a categorical variable declared ``cut_of`` it is then read off
  the values, and its counts become constraints of the sample;
- declared rules (``if`` these levels ``then`` those) are enforced by swapping
  values of one variable between two patients of the same group, which keeps
  every count exact.

Nothing about the dependence between variables is known from a Table 1: the
correlations and rules are assumptions, written in data, not in code.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from hccrep.frames import raw_column, str_labels
from hccrep.printed import parse_count_percent, parse_summary
from hccrep.simulate.continuous import exact_summary_sample
from hccrep.spec import BaselineFile, CategoricalVariable, ContinuousVariable, SimulationFile, Study

__all__ = [
    "baseline_columns",
    "enforce_rules",
    "simulate_baseline",
    "RuleInfeasibleError",
    "rule_violations",
]


class RuleInfeasibleError(ValueError):
    """The declared rules cannot all hold with the reported counts."""


def _counts(v: CategoricalVariable, group: str) -> list[int]:
    row = v.cells[group]
    return [
        parse_count_percent(
            row[lv.key] if isinstance(row[lv.key], str) else row[lv.key].printed
        ).count
        for lv in v.levels
    ]


def _cell(v: ContinuousVariable, group: str) -> str:
    c = v.cells[group]
    return c if isinstance(c, str) else c.printed


def _correlation_matrix(keys: list[str], sim: SimulationFile | None) -> np.ndarray:
    idx = {k: i for i, k in enumerate(keys)}
    r = np.eye(len(keys))
    if sim is not None:
        for c in sim.correlations:
            i, j = idx[c.a], idx[c.b]
            r[i, j] = r[j, i] = c.rho
    w = np.linalg.eigvalsh(r)
    if w.min() <= 1e-10:
        raise RuleInfeasibleError(
            f"the declared correlations do not form a valid correlation matrix (smallest eigenvalue {w.min():.3g})"
        )
    return r


@functools.lru_cache(maxsize=512)
def _category_dtype(categories: tuple[str, ...], ordered: bool) -> pd.CategoricalDtype:
    """One dtype per list of levels: pandas validates the levels when a dtype is built, not when
    an existing one is reused (the dtype is immutable, so sharing it is safe)."""
    return pd.CategoricalDtype(list(categories), ordered=ordered)


def _violations(cols: dict[str, np.ndarray], sim: SimulationFile, level_of=None) -> np.ndarray:
    """Who breaks a rule; ``level_of(var, level)`` maps a rule's level to the values in ``cols``."""
    n = len(next(iter(cols.values())))
    bad = np.zeros(n, dtype=bool)
    for r in sim.rules:
        cond = np.ones(n, dtype=bool)
        for var, lev in r.if_.items():
            cond &= cols[var] == (lev if level_of is None else level_of(var, lev))
        ok = np.ones(n, dtype=bool)
        for var, lev in r.then.items():
            ok &= cols[var] == (lev if level_of is None else level_of(var, lev))
        bad |= cond & ~ok
    return bad


def rule_violations(df: pd.DataFrame, sim: SimulationFile) -> np.ndarray:
    """Boolean array: does patient i break any declared rule of ``sim``?

    Parameters
    ----------
    df : DataFrame
        A cohort with every variable the rules name.
    sim : SimulationFile
        The study's ``simulation.yaml`` (its ``rules``).

    Returns
    -------
    numpy.ndarray of bool
        True for each patient who breaks at least one rule (all False without rules).

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("fonc2025")
    >>> cohort = simulate_baseline(st.baseline(), np.random.default_rng(1), st.simulation)
    >>> bool(rule_violations(cohort, st.simulation).any())
    False
    """
    involved = {v for r in sim.rules for v in (*r.if_, *r.then)}
    if not involved:
        return np.zeros(len(df), dtype=bool)
    return _violations({v: str_labels(df[v]) for v in involved}, sim)


def _label_codes(col) -> tuple[np.ndarray, list[str]]:
    """Integer codes of ``col`` and the label of each code (``str_labels(col) == labels[codes]``)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cat = raw_column(col)
        labels = [str(c) for c in cat.categories] + ["nan"]
        codes = np.asarray(cat.codes, dtype=np.int64).copy()
        codes[codes < 0] = len(labels) - 1  # a missing value reads "nan", as str_labels gives it
        return codes, labels
    labels, codes = np.unique(str_labels(col), return_inverse=True)
    return codes.astype(np.int64), [str(x) for x in labels]


def _repair(
    df,
    sim: SimulationFile,
    groups,
    rng: np.random.Generator,
    max_steps: int = 20000,
):
    """Swap values within groups until no rule is broken (counts never change).

    The swaps run on integer codes of the labels: the same comparisons as on
    the labels themselves, so the same random draws and swaps. After a swap only the two
    patients swapped are checked again (nobody else's values changed).

    ``df`` is a DataFrame (a repaired copy is returned) or a mapping of columns
    (a new dict with the repaired columns is returned); ``groups`` is the group
    column.
    """
    if not sim.rules:
        return df
    involved = sorted({v for r in sim.rules for v in (*r.if_, *r.then)})
    cols, labels = {}, {}
    for v in involved:
        cols[v], labels[v] = _label_codes(df[v])

    def level_of(var: str, lev) -> int:
        lab = labels[var]
        return lab.index(lev) if lev in lab else -1  # a level the column never takes matches nobody

    g = _label_codes(groups)[0]
    bad = _violations(cols, sim, level_of)
    # each rule as (condition, consequence) pairs of (column, code), the codes looked up once
    rules = [
        (
            [(cols[v], level_of(v, lev)) for v, lev in r.if_.items()],
            [(cols[v], level_of(v, lev)) for v, lev in r.then.items()],
        )
        for r in sim.rules
    ]

    def breaks(k: int) -> bool:
        """Does patient ``k`` break a rule? (``_violations`` for one row: a swap changes two rows only.)"""
        for cond, then in rules:
            if all(col[k] == code for col, code in cond) and not all(
                col[k] == code for col, code in then
            ):
                return True
        return False

    current = int(bad.sum())
    steps = 0
    while current > 0:
        steps += 1
        if steps > max_steps:
            raise RuleInfeasibleError(
                f"{current} patients still break the rules of simulation.yaml after {max_steps} swaps; "
                "the reported counts may make the rules impossible"
            )
        i = int(rng.choice(np.flatnonzero(bad)))
        var = involved[int(rng.integers(len(involved)))]
        col = cols[var]
        same = np.flatnonzero((g == g[i]) & (col != col[i]))
        if same.size == 0:
            continue
        j = int(rng.choice(same))
        col[i], col[j] = col[j], col[i]
        bad_i, bad_j = breaks(i), breaks(j)  # j != i: their values differ
        new = current - int(bad[i]) - int(bad[j]) + bad_i + bad_j
        if new <= current:
            bad[i], bad[j], current = bad_i, bad_j, new
        else:
            col[i], col[j] = col[j], col[i]
    repaired = {}
    for v in involved:
        old = raw_column(df[v])
        if all(isinstance(c, str) for c in old.categories) and "nan" not in old.categories:
            # string levels: the codes are the categories' own (the trailing "nan" is missing)
            codes = np.where(cols[v] == len(labels[v]) - 1, -1, cols[v])
            repaired[v] = pd.Categorical.from_codes(codes, dtype=old.dtype)
        else:
            repaired[v] = pd.Categorical(
                np.asarray(labels[v], dtype=object)[cols[v]],
                categories=old.categories,
                ordered=old.ordered,
            )
    if not isinstance(df, pd.DataFrame):
        return {**df, **repaired}
    out = df.copy()
    for v, cat in repaired.items():
        out[v] = cat
    return out


def simulate_baseline(
    baseline: BaselineFile,
    rng: np.random.Generator,
    sim: SimulationFile | None = None,
    *,
    quantile_method: str = "linear",
) -> pd.DataFrame:
    """Simulate one cohort with exactly the reported baseline table.

    The DataFrame of :func:`baseline_columns` (the same draws and values).

    Parameters
    ----------
    baseline : BaselineFile
        The reported table (from :func:`hccrep.spec.load_study`).
    rng : numpy.random.Generator
        The only source of randomness.
    sim : SimulationFile, optional
        Declared correlations and rules; without it variables are independent.
    quantile_method : str
        How medians and quartiles are computed (``"linear"`` is R type 7).

    Returns
    -------
    pandas.DataFrame
        One row per patient: ``id``, the group column (``sim.group_variable``,
        default ``"group"``) and one column per variable; categorical
        variables are ``pandas.Categorical`` with the level keys.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("fonc2025")
    >>> df = simulate_baseline(st.baseline(), np.random.default_rng(1), st.simulation)
    >>> df.groupby("arm", observed=True)["bclc"].value_counts().loc["rt_io_t", "B"]
    np.int64(1)
    """
    return pd.DataFrame(
        baseline_columns(baseline, rng, sim, quantile_method=quantile_method), copy=False
    )


def baseline_columns(
    baseline: BaselineFile,
    rng: np.random.Generator,
    sim: SimulationFile | None = None,
    *,
    quantile_method: str = "linear",
) -> dict[str, np.ndarray | pd.Categorical]:
    """:func:`simulate_baseline` as a mapping of columns, without building a DataFrame.

    The Monte Carlo simulates and analyses thousands of cohorts; building and
    reading a DataFrame costs more than the draws for a cohort of a hundred
    patients, so its cohorts travel as ``{column: array}``.

    Parameters
    ----------
    baseline, rng, sim, quantile_method
        As in :func:`simulate_baseline`.

    Returns
    -------
    dict
        ``id``, the group column and one column per variable, in that order:
        numpy arrays, and ``pandas.Categorical`` for categorical variables.
        ``pandas.DataFrame(columns)`` is :func:`simulate_baseline`'s frame.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> st = load_study("fonc2025")
    >>> cols = baseline_columns(st.baseline(), np.random.default_rng(1), st.simulation)
    >>> list(cols)[:2], len(cols["id"])
    (['id', 'arm'], 71)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    group_col = sim.group_variable if sim is not None else "group"
    variables = list(baseline.variables)
    keys = [v.key for v in variables]
    corr = _correlation_matrix(keys, sim)
    chol = np.linalg.cholesky(corr)
    cut_children: dict[str, list[CategoricalVariable]] = {}
    for v in variables:
        if isinstance(v, CategoricalVariable) and v.cut_of is not None:
            cut_children.setdefault(v.cut_of.variable, []).append(v)

    frames = []
    codes: dict[
        str, list[np.ndarray]
    ] = {}  # level codes of each categorical variable, group by group
    for g in baseline.groups:
        n = g.n
        z = rng.standard_normal((n, len(keys))) @ chol.T
        cols: dict[str, object] = {}
        for j, v in enumerate(variables):
            ranks = np.argsort(np.argsort(z[:, j], kind="stable"), kind="stable")
            if isinstance(v, CategoricalVariable):
                if v.cut_of is not None:
                    continue  # read off its continuous parent below
                counts = _counts(v, g.key)
                edges = np.cumsum(counts)
                codes.setdefault(v.key, []).append(np.searchsorted(edges, ranks, side="right"))
            else:
                cuts = []
                for child in cut_children.get(v.key, []):
                    below = np.cumsum(_counts(child, g.key))[:-1]
                    cuts += list(zip(child.cut_of.cuts, (int(b) for b in below)))
                values = exact_summary_sample(
                    parse_summary(_cell(v, g.key), v.summary),
                    n,
                    rng,
                    lower_bound=v.lower_bound,
                    cuts=cuts,
                    quantile_method=quantile_method,
                )
                cols[v.key] = np.sort(values)[ranks]
                for child in cut_children.get(v.key, []):
                    codes.setdefault(child.key, []).append(
                        np.searchsorted(np.asarray(child.cut_of.cuts), cols[v.key], side="right")
                    )
        frames.append(cols)
    # categorical columns straight from their level codes (building them from strings is slow)
    data: dict[str, object] = {
        group_col: pd.Categorical.from_codes(
            np.repeat(np.arange(len(baseline.groups)), [g.n for g in baseline.groups]),
            dtype=_category_dtype(tuple(g.key for g in baseline.groups), False),
        )
    }
    for v in variables:
        if isinstance(v, CategoricalVariable):
            data[v.key] = pd.Categorical.from_codes(
                np.concatenate(codes[v.key]),
                dtype=_category_dtype(tuple(lv.key for lv in v.levels), v.ordered),
            )
        else:
            values = np.concatenate([f[v.key] for f in frames])
            data[v.key] = np.round(values) if v.integer else values
    if sim is not None:
        data = _repair(data, sim, data[group_col], rng)
    n = sum(g.n for g in baseline.groups)
    return {"id": np.arange(1, n + 1), **data}


def simulate_study_baseline(study: Study, seed: int | np.random.Generator) -> pd.DataFrame:
    """Convenience: the baseline cohort of a loaded study from a seed."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return simulate_baseline(study.baseline(), rng, study.simulation)


def enforce_rules(cohort: pd.DataFrame, sim, rng: np.random.Generator) -> pd.DataFrame:
    """Make every single-condition rule of ``sim`` hold by swaps within a group; counts never change.

    For a rule "if ``X == a`` then ``T == b``", each patient with ``X == a`` but ``T != b`` swaps
    their value of ``X`` with a patient of the same group who has ``T == b`` and ``X != a``
    (chosen at random).  Rules are met one after another, and a swap never breaks an earlier rule
    of the same target (the partner already has ``T == b``).

    Parameters
    ----------
    cohort : DataFrame
        A simulated cohort with categorical columns for every variable the rules name.
    sim : SimulationFile
        The study's ``simulation.yaml`` (its ``rules``).
    rng : numpy.random.Generator
        Chooses the swap partners.

    Returns
    -------
    DataFrame
        A copy of ``cohort`` in which every rule holds.

    Raises
    ------
    ValueError
        When a group has too few partners, or a rule is not of the form above.

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

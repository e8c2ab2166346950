"""Checks, Monte Carlo intervals and the scorecard.

A *runner* knows how to simulate one cohort of a study from a seed and how to
compute, on that cohort, the value of every ``check`` it can replicate.  The
scorecard then puts, beside each reported check,

- the replicated value on the book's seed,
- the 2.5–97.5 % interval of the replicated value over ``n_mc`` seeds,
- a verdict: ``reproduced`` (equal at the printed precision on the book's
  seed), ``plausible`` (the reported value lies inside the Monte Carlo
  interval), ``not reproduced``, or ``not checkable`` (with the reason).

Inputs and derived numbers are listed apart and never get a verdict.

Examples
--------
>>> from hccrep.replication import runner_for, scorecard
>>> card = scorecard(runner_for("fonc2025"), n_mc=20, progress=False)   # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from hccrep.printed import PValue, equal_at_precision
from hccrep.spec import CategoricalVariable, ReportedNumber, Study, load_study, value_decimals
from hccrep.simulate import simulate_baseline

__all__ = [
    "VERDICTS",
    "Runner",
    "BaselineRunner",
    "runner_for",
    "seeds_for",
    "monte_carlo",
    "verdict",
    "scorecard",
    "inputs_table",
    "summarise",
]

VERDICTS = ("reproduced", "plausible", "not reproduced", "not checkable")
Result = Mapping[str, float | None]


@dataclass
class Runner:
    """Simulate-and-analyse recipe for one study.

    Subclasses implement :meth:`simulate` and :meth:`analyse`; ``not_checkable``
    maps check keys to the reason they cannot be replicated.
    """

    study: Study
    variants: dict[str, str] = field(default_factory=dict)
    not_checkable: dict[str, str] = field(default_factory=dict)

    def simulate(self, seed: int | np.random.SeedSequence) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def analyse(self, cohort: pd.DataFrame) -> dict[str, float | None]:  # pragma: no cover - abstract
        raise NotImplementedError

    def run(self, seed: int | np.random.SeedSequence) -> dict[str, float | None]:
        """Simulate with ``seed`` and analyse: the replicated value of each check."""
        return self.analyse(self.simulate(seed))

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
            is_range = n.attrs.get("summary") in ("median_range", "median_iqr")
            if n.lower is not None and n.upper is not None and (n.role == "check" or (n.role == "input" and not is_range)):
                for side in ("lower", "upper"):
                    v = getattr(n, side)
                    out.append(replace(
                        n, key=f"{n.key}.{side}", value=v, role="check", lower=None, upper=None,
                        column=f"{n.column or n.quantity} ({side} limit)", decimals=value_decimals(n.printed, v),
                    ))
        return out


class BaselineRunner(Runner):
    """Replicates the p-values of a study's baseline table.

    ``variants`` maps ``"categorical"`` / ``"continuous"`` to a test name of
    :mod:`hccrep.stats.tables` (the paper's stated test, by default Pearson
    chi-square without continuity correction and the Mann–Whitney U test).
    """

    def __init__(self, study: Study, variants: Mapping[str, str] | None = None, not_checkable: Mapping[str, str] | None = None):
        v = {"categorical": "chisq", "continuous": "mannwhitney"}
        v.update(variants or {})
        super().__init__(study, v, dict(not_checkable or {}))

    def simulate(self, seed: int | np.random.SeedSequence) -> pd.DataFrame:
        return simulate_baseline(self.study.baseline(), np.random.default_rng(seed), self.study.simulation)

    @property
    def group_column(self) -> str:
        return self.study.simulation.group_variable if self.study.simulation else "group"

    def analyse(self, cohort: pd.DataFrame) -> dict[str, float | None]:
        from hccrep.stats import compare_counts, compare_samples

        out: dict[str, float | None] = {}
        base = self.study.baseline()
        gcol = self.group_column
        for v in base.variables:
            if v.p is None or v.p.role != "check":
                continue
            if isinstance(v, CategoricalVariable):
                table = pd.crosstab(cohort[v.key], cohort[gcol], dropna=False).to_numpy()
                out[f"{v.key}.p"] = compare_counts(table, test=self.variants["categorical"]).pvalue
            else:
                samples = [cohort.loc[cohort[gcol] == g.key, v.key].to_numpy(float) for g in base.groups]
                out[f"{v.key}.p"] = compare_samples(samples, test=self.variants["continuous"]).pvalue
        return out


def runner_for(study: str | Study, **kwargs) -> Runner:
    """The runner registered for a study (see :mod:`hccrep.studies`)."""
    from hccrep.studies import get_runner

    st = load_study(study) if isinstance(study, str) else study
    return get_runner(st, **kwargs)


def seeds_for(base_seed: int, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent, reproducible child seeds of ``base_seed`` (numpy SeedSequence.spawn)."""
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    return np.random.SeedSequence(base_seed).spawn(n)


def _run_one(runner: Runner, seed: np.random.SeedSequence) -> dict[str, float | None]:
    return runner.run(seed)


def _cache_key(runner: Runner, n: int, base_seed: int) -> str:
    """A digest of everything a Monte Carlo result depends on.

    The code of hccrep, the study's data files, the runner's class and
    variants, ``n``, the seed, and the versions of the numerical libraries.
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
    meta = {"runner": type(runner).__qualname__, "variants": runner.variants, "not_checkable": sorted(runner.not_checkable),
            "n": n, "base_seed": base_seed, "versions": versions, "simulation": sim, "numbers": numbers}
    h.update(json.dumps(meta, sort_keys=True, default=str).encode())
    return h.hexdigest()[:24]


def monte_carlo(
    runner: Runner,
    n: int,
    *,
    base_seed: int | None = None,
    n_jobs: int = 1,
    progress: bool = True,
    cache_dir: str | None = None,
) -> pd.DataFrame:
    """Replicated values over ``n`` seeded cohorts (one row per cohort, one column per check).

    Only the summary numbers of each cohort are kept, never the cohorts.
    ``n_jobs`` > 1 runs cohorts in parallel processes (joblib); results do not
    depend on ``n_jobs``.

    Parameters
    ----------
    cache_dir : str, optional
        Folder for a result cache keyed by :func:`_cache_key` (the code, the
        data, the settings and the library versions); by default the
        environment variable ``HCCREP_CACHE_DIR``, and no cache when that is
        unset.  The book's notebooks share one Monte Carlo this way.
    """
    import os
    from pathlib import Path

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
    if n_jobs == 1:
        it: Iterable = (_run_one(runner, s) for s in seeds)
    else:
        from joblib import Parallel, delayed

        it = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(_run_one)(runner, s) for s in seeds)
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, total=n, desc=f"Monte Carlo {runner.study.key}", unit="cohort")
    rows = list(it)
    out = pd.DataFrame(rows, dtype=float)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        out.to_csv(tmp, index=False, float_format="%.17g")
        tmp.replace(path)  # atomic: notebooks built in parallel never read half a file
    return out


def verdict(
    number: ReportedNumber,
    replicated: float | None,
    interval: tuple[float, float] | None,
) -> tuple[str, str]:
    """Verdict and a one-line reason for one check.

    A p-value printed with a bound (``"< 0.001"``) is reproduced when the
    replicated p falls on the same side of the bound; any other number when it
    rounds (half up) to the printed value at the printed number of decimals.
    """
    if replicated is None or (isinstance(replicated, float) and math.isnan(replicated)):
        return "not checkable", "no replicated value"
    if number.quantity in ("p", "p_interaction"):
        pv = PValue(number.value, number.bound, number.decimals or 0)
        if pv.agrees(replicated):
            return "reproduced", f"p = {replicated:.4g} prints as {number.printed}"
        if interval is not None:
            lo, hi = interval
            inside = lo < pv.value if pv.bound == "<" else (hi > pv.value if pv.bound == ">" else lo <= pv.value <= hi)
            if inside:
                return "plausible", f"reported inside the Monte Carlo interval [{lo:.3g}, {hi:.3g}]"
        return "not reproduced", f"p = {replicated:.4g} on the book's seed"
    dec = number.decimals if number.decimals is not None else 2
    if equal_at_precision(replicated, number.value, dec):
        return "reproduced", f"{replicated:.{dec + 2}f} rounds to {number.value:.{dec}f}"
    if interval is not None and interval[0] <= number.value <= interval[1]:
        return "plausible", f"reported inside the Monte Carlo interval [{interval[0]:.3g}, {interval[1]:.3g}]"
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
    cache_dir : str, optional
        See :func:`monte_carlo`.

    Returns
    -------
    DataFrame
        Columns ``key, file_id, source, row, column, quantity, printed,
        reported, replicated, mc_low, mc_high, verdict, reason``.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    book_seed = runner.study.meta.book_seed if seed is None else seed
    on_seed = runner.run(book_seed)
    mc = monte_carlo(runner, n_mc, n_jobs=n_jobs, progress=progress, cache_dir=cache_dir)
    a = (1 - level) / 2
    rows = []
    for num in runner.checks:
        rep = on_seed.get(num.key)
        interval = None
        if num.key in mc.columns and mc[num.key].notna().any():
            # empirical quantiles without interpolation, so an infinite draw (an HR whose
            # fit diverged) stays an infinite bound instead of turning into NaN
            col = mc[num.key].dropna().to_numpy()
            lo, hi = np.quantile(col, [a, 1 - a], method="inverted_cdf")
            interval = (float(lo), float(hi))
        if num.key in runner.not_checkable:
            v, reason = "not checkable", runner.not_checkable[num.key]
        elif num.key not in on_seed:
            v, reason = "not checkable", "no analysis replicates this number yet"
        else:
            v, reason = verdict(num, rep, interval)
        if num.attrs.get("same_test_as"):
            reason += f"; the same test as {num.attrs['same_test_as']}, so not independent evidence"
        rows.append({
            "key": num.key, "file_id": num.file_id, "source": num.source, "row": num.row, "column": num.column,
            "quantity": num.quantity, "printed": num.printed, "reported": num.value,
            "replicated": rep if rep is not None else np.nan,
            "mc_low": interval[0] if interval else np.nan, "mc_high": interval[1] if interval else np.nan,
            "verdict": v, "reason": reason,
        })
    return pd.DataFrame(rows)


def inputs_table(study: Study) -> pd.DataFrame:
    """The numbers used to build the cohort (and the derived ones): listed, never judged."""
    return pd.DataFrame([
        {"key": n.key, "role": n.role, "source": n.source, "row": n.row, "column": n.column, "printed": n.printed}
        for n in study.numbers if n.role in ("input", "derived")
    ])


def summarise(card: pd.DataFrame) -> pd.Series:
    """Counts of each verdict (all four, zeros included)."""
    return card["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0)


RunnerFactory = Callable[..., Runner]

"""One handler per kind of declared analysis: a simulated cohort in, a replicated number out.

A check declares in its data file what computes it (:mod:`hccrep.declared`);
:func:`compute` finds the handler of its ``kind`` in :data:`HANDLERS` and runs
it on a :class:`CohortView`. Handlers call the statistics layer only
(:mod:`hccrep.stats`): the numpy engines (:mod:`hccrep.stats.fastsurv`,
:mod:`hccrep.stats.fastcox`) by default, which the Monte Carlo repeats
thousands of times, or the reference engines (lifelines / statsmodels) with
``engine="reference"``; ``tests/test_fastsurv.py`` and ``tests/test_fastcox.py``
keep the two equal.

A model shared by several numbers (an HR, its CI and its p) is fitted once per
cohort: results are memoised on the view.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from hccrep.declared import parse_analysis
>>> d = pd.DataFrame({"group": pd.Categorical(["a"] * 4 + ["b"] * 4),
...                   "os_time": [1., 3, 4, 6, 2, 8, 9, 12], "os_event": [1, 1, 0, 1, 1, 0, 1, 1]})
>>> view = CohortView(d, group="group", levels={"group": ["a", "b"]})
>>> res = compute(parse_analysis({"kind": "km_median", "endpoint": "os", "group": "a"}), view)
>>> res.value  # S(t) is exactly 0.5 from t = 3 to 6: R's survfit takes the midpoint
4.5
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "Replicated",
    "CohortView",
    "HANDLERS",
    "ENGINES",
    "MODEL_COLLECTIONS",
    "register",
    "register_models",
    "compute",
    "prefit",
]

#: Where the survival statistics come from: the numpy fast path or lifelines / statsmodels.
ENGINES = ("numpy", "reference")

_NAN = float("nan")


@dataclass(frozen=True)
class Replicated:
    """What one analysis gives on one cohort.

    ``value`` is the point estimate (a median, a ratio, a rate...), ``lower``
    and ``upper`` its confidence limits, ``pvalue`` its test; each is NaN when
    the analysis has none. ``variant`` names what was computed.

    Attributes
    ----------
    value : float
        The point estimate.
    lower, upper : float
        Its confidence limits.
    pvalue : float
        Its test's p-value.
    variant : str
        What was computed, in words.
    """

    value: float = _NAN
    lower: float = _NAN
    upper: float = _NAN
    pvalue: float = _NAN
    variant: str = ""

    def pick(self, quantity: str) -> float:
        """The number a reported ``quantity`` compares with (the p-value for ``p``)."""
        return self.pvalue if quantity in ("p", "p_interaction") else self.value


class _Rows(Mapping):
    """Some rows of a cohort's columns (by position), each column taken on first use.

    A matched population reads a few of the cohort's columns; taking every
    column up front, as ``DataFrame.take`` does, would cost more than the
    analyses.  ``extra`` columns (already of the taken length) come last, or
    replace a cohort column of the same name in its place, as
    ``frame[name] = values`` would.
    """

    def __init__(self, data, pos: np.ndarray, extra: Mapping[str, np.ndarray]):
        self._parent, self._pos, self._extra = data, pos, dict(extra)
        self._taken: dict[str, object] = {}

    def __getitem__(self, name: str):
        if name in self._extra:
            return self._extra[name]
        col = self._taken.get(name)
        if col is None:
            from hccrep.frames import raw_column

            col = raw_column(self._parent[name])  # KeyError for an unknown column
            col = self._taken[name] = (
                col.take(self._pos) if isinstance(col, pd.Categorical) else col[self._pos]
            )
        return col

    def __contains__(self, name) -> bool:
        return name in self._extra or name in self._parent

    def __iter__(self):
        yield from self._parent
        yield from (c for c in self._extra if c not in self._parent)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class CohortView:
    """A simulated cohort as the handlers read it.

    Parameters
    ----------
    cohort : DataFrame or mapping of columns
        One row per patient; categorical columns hold level keys, survival
        endpoints ``<endpoint>_time`` / ``<endpoint>_event``, binary outcomes 0/1.
        A mapping ``{column: array}`` (numpy arrays and ``pandas.Categorical``,
        as :meth:`hccrep.replication.DeclaredRunner.simulate_columns` gives) is
        read without building a DataFrame; :attr:`cohort` builds one only when
        asked.
    group : str
        The default grouping column.
    levels : mapping
        Declared levels of each categorical column, in table order (the first
        is a model's default reference).
    engine : {"numpy", "reference"}
        Kaplan-Meier, log-rank (and, unless ``cox_engine`` is given, Cox) engine.
    cox_engine : {"numpy", "reference"}, optional
    """

    def __init__(
        self,
        cohort: pd.DataFrame,
        group: str,
        levels: Mapping[str, list[str] | None] | None = None,
        engine: str = "numpy",
        cox_engine: str | None = None,
        numbers: Mapping[str, float] | None = None,
    ):
        cox_engine = engine if cox_engine is None else cox_engine
        for name, value in (("engine", engine), ("cox_engine", cox_engine)):
            if value not in ENGINES:
                raise ValueError(f"{name} must be one of {ENGINES}, got {value!r}")
        if not isinstance(cohort, (pd.DataFrame, Mapping)):
            raise TypeError(
                f"cohort must be a DataFrame or a mapping of columns, got {type(cohort).__name__}"
            )
        from hccrep.frames import n_rows

        self._data = cohort
        self._frame = cohort if isinstance(cohort, pd.DataFrame) else None
        #: the number of patients
        self.n = n_rows(cohort)
        self.group = group
        self.levels = dict(levels or {})
        self.engine = engine
        self.cox_engine = cox_engine
        #: reported values by key (a matched population's ratio and caliper)
        self.numbers = dict(numbers or {})
        #: the :class:`hccrep.declared.Matching` this view is the matched cohort of (None: the whole cohort)
        self.population = None
        self.memo: dict = {}
        self._labels: dict[str, np.ndarray] = {}
        #: the study and the runner's variants, for what a model collection reads (set by the runner)
        self.study = None
        self.options: dict = {}
        # per-cohort caches of the arrays the handlers read many times (never written to)
        self._numeric: dict[str, np.ndarray] = {}
        self._masks: dict[tuple, np.ndarray] = {}
        self._codes: dict[tuple, np.ndarray] = {}
        self._categorical: dict[str, bool] = {}

    @property
    def cohort(self) -> pd.DataFrame:
        """The cohort as a DataFrame (built once from a mapping of columns, on first use)."""
        if self._frame is None:
            self._frame = pd.DataFrame(dict(self._data), copy=False)
        return self._frame

    def column(self, column: str):
        """The column as stored: a Series of a DataFrame, else a numpy array or ``Categorical``."""
        if column not in self._data:
            raise KeyError(f"the simulated cohort has no column {column!r}")
        return self._data[column]

    def labels(self, column: str) -> np.ndarray:
        """The column as strings (level keys), cached."""
        if column not in self._labels:
            from hccrep.frames import str_labels

            self._labels[column] = str_labels(self.column(column))
        return self._labels[column]

    def numeric(self, column: str) -> np.ndarray:
        """The column as float64, cached (callers index it, never write to it)."""
        x = self._numeric.get(column)
        if x is None:
            col = self.column(column)
            x = col.to_numpy(float) if isinstance(col, pd.Series) else np.asarray(col, dtype=float)
            self._numeric[column] = x
        return x

    def codes(self, column: str, levels) -> np.ndarray:
        """Each row's position in ``levels`` (compared as strings), -1 for any other label; cached.

        The same rows as ``labels(column) == str(levels[i])`` for each ``i``, found
        once per column instead of once per level and group (Table 1 counts).

        Parameters
        ----------
        column : str
            A column of the cohort.
        levels : sequence
            The labels to number (a label listed twice gets its first position).

        Returns
        -------
        numpy.ndarray of int64
            One code per row: ``i`` for ``levels[i]``, -1 for a label not listed.

        Examples
        --------
        >>> v = CohortView(pd.DataFrame({"g": ["b", "a", "c"]}), group="g")
        >>> v.codes("g", ["a", "b"]).tolist()
        [1, 0, -1]
        """
        levels = tuple(str(x) for x in levels)
        key = (column, levels)
        out = self._codes.get(key)
        if out is None:
            if ("factor", column) not in self._codes:
                from hccrep.frames import factor_labels

                self._codes[("factor", column)] = factor_labels(self.column(column))
            labels, codes = self._codes[("factor", column)]
            pos = {lv: i for i, lv in reversed(list(enumerate(levels)))}  # the first of repeats
            lookup = np.array([pos.get(u, -1) for u in labels.tolist()], dtype=np.int64)
            out = self._codes[key] = lookup[codes]
        return out

    def is_categorical(self, column: str) -> bool:
        hit = self._categorical.get(column)  # cached: Table 1 asks about each column many times
        if hit is None:
            if self.levels.get(column) is not None:
                hit = True
            else:
                dtype = self.column(column).dtype
                hit = isinstance(dtype, pd.CategoricalDtype) or dtype == object
            self._categorical[column] = hit
        return hit

    def levels_of(self, column: str) -> list[str]:
        declared = self.levels.get(column)
        if declared is not None:
            return list(declared)
        from hccrep.frames import raw_column

        col = raw_column(self.column(column))
        if isinstance(col, pd.Categorical):
            return [str(c) for c in col.categories]
        return sorted(pd.unique(self.labels(column)).tolist())

    def mask(
        self, by: str | None, group: str | None, subset: Mapping[str, str] | None = None
    ) -> np.ndarray:
        """Rows of one level of ``by`` (every row when ``group`` is None), within ``subset``.

        Cached per view: callers index with the mask and never write to it.
        """
        key = (
            by or self.group if group is not None else None,
            None if group is None else str(group),
            tuple((var, str(lev)) for var, lev in (subset or {}).items()),
        )
        m = self._masks.get(key)
        if m is None:
            m = np.ones(self.n, dtype=bool)
            if group is not None:
                m &= self.labels(by or self.group) == str(group)
            for var, lev in (subset or {}).items():
                m &= self.labels(var) == str(lev)
            self._masks[key] = m
        return m

    def survival(
        self, endpoint: str, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        t, e = self.numeric(f"{endpoint}_time"), self.numeric(f"{endpoint}_event")
        if (
            mask is not None
        ):  # select first: patients outside the mask may have no such endpoint (NaN)
            t, e = t[mask], e[mask]
        if np.isnan(e).any():
            raise ValueError(f"{endpoint}: the event status is missing for some of these patients")
        return t, e.astype(np.int64)

    def design_arrays(
        self,
        terms: list[str],
        reference: Mapping[str, str],
        mask: np.ndarray,
        collapse: Mapping[str, list[str]] | None = None,
    ) -> tuple[list[str], np.ndarray]:
        """Model columns of ``terms`` on the masked rows, as names and an ``(n, p)`` array.

        A categorical term enters as indicators ``term=level`` of its levels
        other than the reference, ``reference[term]`` or its first declared
        level (R's treatment contrasts). A term in ``collapse`` is one
        indicator ``term=a|b`` of its listed levels; a numeric term is itself.
        """
        names: list[str] = []
        cols: list[np.ndarray] = []
        for t in terms:
            if collapse and t in collapse:
                levels = [str(x) for x in collapse[t]]
                names.append(f"{t}={'|'.join(levels)}")
                cols.append(np.isin(self.labels(t)[mask], levels).astype(float))
            elif self.is_categorical(t):
                lab = self.labels(t)[mask]
                levels = self.levels_of(t)
                ref = reference.get(t, levels[0])
                for lv in levels:
                    if lv != ref:
                        names.append(f"{t}={lv}")
                        cols.append((lab == lv).astype(float))
            else:
                names.append(t)
                cols.append(self.numeric(t)[mask])
        x = np.column_stack(cols) if cols else np.empty((int(mask.sum()), 0))
        return names, x

    def design(
        self,
        terms: list[str],
        reference: Mapping[str, str],
        mask: np.ndarray,
        collapse: Mapping[str, list[str]] | None = None,
    ) -> pd.DataFrame:
        """:meth:`design_arrays` as a DataFrame (one column per model term)."""
        names, x = self.design_arrays(terms, reference, mask, collapse)
        return pd.DataFrame(x, columns=names)

    def survival_frame(self, analysis) -> pd.DataFrame:
        """The model columns, ``time`` and ``event`` of a declared Cox analysis, one row per patient.

        The same rows and columns the ``cox`` handler fits (its ``subset``,
        ``reference`` levels and ``collapse``), as a frame that lifelines'
        ``CoxPHFitter().fit(frame, "time", "event")`` reads directly.

        Parameters
        ----------
        analysis : hccrep.declared.Cox
            A declared Cox analysis (a number's ``analysis``).

        Returns
        -------
        DataFrame
            One column per model term (``term=level`` for an indicator), then
            ``time`` and ``event``.
        """
        m = self.mask(None, None, analysis.subset)
        t, e = self.survival(analysis.endpoint, m)
        x = self.design(list(analysis.terms), analysis.reference, m, analysis.collapse)
        return x.assign(time=t, event=e)

    def models(self, name: str):
        """The model collection ``name`` fitted on this cohort, memoised (:func:`register_models`).

        Raises ``KeyError`` for a collection nobody registered and
        ``ValueError`` when it cannot be fitted on this cohort.
        """
        key = ("models", name)
        if key not in self.memo:
            if name not in MODEL_COLLECTIONS:
                raise KeyError(
                    f"no model collection {name!r} is registered; known: {sorted(MODEL_COLLECTIONS)}"
                )
            try:
                self.memo[key] = MODEL_COLLECTIONS[name](self)
            except ValueError as exc:
                self.memo[key] = exc
        fitted = self.memo[key]
        if isinstance(fitted, Exception):
            raise ValueError(f"the model collection {name!r} cannot be fitted: {fitted}")
        return fitted

    def matched(self, spec) -> CohortView:
        """The view of the sub-cohort that ``spec`` (a :class:`hccrep.declared.Matching`) matches, memoised.

        Raises ``ValueError`` when the matching cannot be done on this cohort.
        """
        key = ("population", spec.model_dump_json())
        if key not in self.memo:
            from hccrep.stats.matching import match_nearest

            try:
                ratio = int(self.numbers[spec.ratio_key])
                caliper = self.numbers[spec.caliper_key] if spec.caliper_key else None
            except KeyError as exc:
                raise KeyError(
                    f"the matching names the reported number {exc.args[0]!r}, which the study does not have"
                ) from None
            treated = (self.labels(spec.treatment) == str(spec.treated)).astype(int)
            try:
                # the matching reads the covariates and the treatment only: a frame of those,
                # not a copy of the whole cohort; the matched rows are then taken column by column
                present = [c for c in spec.covariates if c in self._data]
                if self._frame is not None:
                    d = self._frame[present].assign(_treated=treated)
                else:
                    d = pd.DataFrame(
                        {**{c: self._data[c] for c in present}, "_treated": treated}, copy=False
                    )
                # a missing covariate: match_nearest says
                res = match_nearest(
                    d,
                    "_treated",
                    list(spec.covariates),
                    ratio=ratio,
                    caliper=caliper,
                    caliper_scale=spec.caliper_scale,
                    order=spec.order,
                    # the numpy engines' view: statsmodels' IRLS in numpy (the same scores)
                    ps_engine="numpy" if self.cox_engine == "numpy" else "statsmodels",
                )
                # the rows of res.matched(d), by position in the cohort (d has its index)
                labels, sets = res.matched_sets()
                if isinstance(d.index, pd.RangeIndex) and d.index.start == 0 and d.index.step == 1:
                    pos = np.asarray(labels, dtype=np.intp)  # the labels are the positions
                else:
                    pos = d.index.get_indexer(labels)
                if (pos < 0).any():
                    raise ValueError("a matched row label is not in the cohort")
                rows = _Rows(self._data, pos, {"_treated": treated[pos], "pair": sets})
                sub = CohortView(
                    rows,
                    self.group,
                    self.levels,
                    self.engine,
                    self.cox_engine,
                    self.numbers,
                )
                sub.population = spec
                sub.study, sub.options = self.study, self.options
            except ValueError as exc:
                sub = exc
            self.memo[key] = sub
        sub = self.memo[key]
        if isinstance(sub, Exception):
            raise ValueError(f"the matching failed on this cohort: {sub}")
        return sub


Handler = Callable[[object, CohortView, str], Replicated]
#: kind -> handler
HANDLERS: dict[str, Handler] = {}


def register(kind: str) -> Callable[[Handler], Handler]:
    """Decorator: make ``fn`` the handler of ``kind`` (one handler per kind).

    Parameters
    ----------
    kind : str
        The analysis kind (the ``kind`` field of a declared analysis) the
        decorated function handles.

    Returns
    -------
    callable
        A decorator that stores its function in :data:`HANDLERS` under ``kind``
        and returns the function unchanged.

    Raises
    ------
    ValueError
        When the decorator is applied and a handler of ``kind`` is already
        registered.
    """

    def deco(fn: Handler) -> Handler:
        if kind in HANDLERS:
            raise ValueError(
                f"a handler for {kind!r} is already registered ({HANDLERS[kind].__module__})"
            )
        HANDLERS[kind] = fn
        return fn

    return deco


#: name -> builder(view) -> :class:`hccrep.survival_models.FittedCollection`
MODEL_COLLECTIONS: dict[str, Callable[[CohortView], object]] = {}


def register_models(name: str) -> Callable:
    """Decorator: make ``builder`` the model collection ``name`` that declared model analyses name.

    A study's own prediction models (which features, which split, which
    estimators) are particular to its paper; the numbers about them are not.
    The builder takes a :class:`CohortView` and returns a
    :class:`hccrep.survival_models.FittedCollection`; :meth:`CohortView.models`
    calls it once per cohort.

    Parameters
    ----------
    name : str
        The ``collection`` field of the analyses about these models.

    Returns
    -------
    callable
        A decorator that stores its function in :data:`MODEL_COLLECTIONS` and
        returns it unchanged (registering a name twice is a ValueError).

    Examples
    --------
    >>> @register_models("doc_example")
    ... def _fit(view):
    ...     raise ValueError("not in a doctest")
    >>> "doc_example" in MODEL_COLLECTIONS
    True
    >>> del MODEL_COLLECTIONS["doc_example"]
    """

    def deco(fn: Callable) -> Callable:
        if name in MODEL_COLLECTIONS:
            raise ValueError(
                f"a model collection {name!r} is already registered ({MODEL_COLLECTIONS[name].__module__})"
            )
        MODEL_COLLECTIONS[name] = fn
        return fn

    return deco


_KEYS: dict[int, tuple[object, str]] = {}


def _analysis_key(analysis) -> str:
    """``analysis.model_dump_json()``, remembered for the analysis object (they are frozen).

    The Monte Carlo computes the same declared analyses on every cohort; the
    object is kept beside its key, so an id reused by a new object never
    finds a stale key.
    """
    hit = _KEYS.get(id(analysis))
    if hit is not None and hit[0] is analysis:
        return hit[1]
    if len(_KEYS) >= 65536:  # analyses made on the fly (what-if variants): start afresh
        _KEYS.clear()
    key = analysis.model_dump_json()
    _KEYS[id(analysis)] = (analysis, key)
    return key


def compute(analysis, view: CohortView, quantity: str = "") -> Replicated:
    """Run the handler of ``analysis.kind`` on the cohort (memoised per view).

    ``quantity`` is the reported number's (a ``proportion`` gives a count or a
    percentage by it).

    Statistical failures on a simulated cohort (no events in a group, a model
    that does not converge, a level absent from a subgroup) give NaN: the
    check is then not replicated on that cohort, which the scorecard shows.

    Parameters
    ----------
    analysis : Analysis
        A declared analysis (:func:`hccrep.declared.parse_analysis`); its
        ``kind`` picks the handler and its ``population``, when set, runs it on
        the matched sub-cohort of the view.
    view : CohortView
        The cohort to compute on; the result is memoised on it.
    quantity : str, default ""
        The reported quantity the number is compared with (for example ``"p"``
        or a count / percentage for a ``proportion``); part of the memo key.

    Returns
    -------
    Replicated
        The estimate, its limits and p-value (NaN where absent); on a
        statistical failure, NaNs and a ``variant`` that starts with
        ``"not computable on this cohort"``.

    Raises
    ------
    KeyError
        When no handler is registered for ``analysis.kind``.
    """
    key = (_analysis_key(analysis), quantity)
    if key in view.memo:
        return view.memo[key]
    try:
        handler = HANDLERS[analysis.kind]
    except KeyError:
        raise KeyError(
            f"no handler for analysis kind {analysis.kind!r}; known: {sorted(HANDLERS)}"
        ) from None
    try:
        on = view
        if analysis.population is not None and view.population != analysis.population:
            on = view.matched(analysis.population)  # a matched sub-cohort, memoised on this view
        res = handler(analysis, on, quantity)
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError, FloatingPointError) as exc:
        res = Replicated(variant=f"not computable on this cohort: {exc}")
    view.memo[key] = res
    return res


# ----------------------------------------------------------------------------- Table 1


@functools.lru_cache(maxsize=4096)
def _count_test(test: str, cells: bytes, shape: tuple[int, int]):
    """:func:`hccrep.stats.compare_counts` of one table, remembered.

    A simulated cohort reproduces the printed counts exactly, so every seed
    gives the same Table 1 count tables: an exact test of a large table is
    computed once instead of once per cohort.
    """
    from hccrep.stats import compare_counts

    return compare_counts(np.frombuffer(cells, dtype=np.int64).reshape(shape), test=test)


@register("table1_test")
def _table1_test(a, view: CohortView, quantity: str) -> Replicated:
    from hccrep.stats import compare_samples

    by = a.by or view.group
    groups = [str(g) for g in (a.groups or view.levels_of(by))]
    rows = view.mask(None, None, a.subset)
    # each patient's group as a position in `groups`; -1 outside the subset (no group)
    arm = np.where(rows, view.codes(by, groups), -1)
    k = len(groups)
    test = a.variant.used
    results = []
    for variable in [a.variable, *a.smallest_of]:
        if view.is_categorical(variable):
            if a.collapse is not None:
                inside = np.isin(view.labels(variable), [str(x) for x in a.collapse])
                lev = np.where(inside, 0, 1)  # row 0: the collapsed levels, row 1: the others
                n_lev = 2
            else:
                levels = view.levels_of(variable)
                lev = view.codes(variable, levels)
                n_lev = len(levels)
            ok = (arm >= 0) & (lev >= 0)
            table = np.bincount(lev[ok] * k + arm[ok], minlength=n_lev * k).reshape(n_lev, k)
            table = np.ascontiguousarray(
                table[table.sum(axis=1) > 0], dtype=np.int64
            )  # a level nobody has: left out
            results.append(_count_test(test, table.tobytes(), table.shape))
        else:
            x = view.numeric(variable)
            results.append(compare_samples([x[arm == j] for j in range(k)], test=test))
    res = min(results, key=lambda r: r.pvalue)
    variant = (
        res.variant if not a.smallest_of else f"smallest p of {len(results)} rows; {res.variant}"
    )
    return Replicated(pvalue=res.pvalue, variant=variant)


@register("proportion")
def _proportion(a, view: CohortView, quantity: str) -> Replicated:
    m = view.mask(a.by, a.group, a.subset)
    n = int(m.sum())
    if a.level is None:
        hits = int(np.count_nonzero(view.numeric(a.variable)[m] == 1))
    else:
        hits = int(np.count_nonzero(view.labels(a.variable)[m] == str(a.level)))
    value = float(hits) if quantity == "count" else (100.0 * hits / n if n else _NAN)
    return Replicated(
        value=value, variant=f"{'count' if quantity == 'count' else 'percentage'} of {n} patients"
    )


@register("summary")
def _summary(a, view: CohortView, quantity: str) -> Replicated:
    x = view.numeric(a.variable)[view.mask(a.by, a.group, a.subset)]
    if x.size < (2 if quantity == "sd" else 1):
        raise ValueError(f"{x.size} patients: no {quantity}")
    value = {"mean": np.mean, "sd": lambda v: np.std(v, ddof=1), "median": np.median}[quantity](x)
    return Replicated(
        value=float(value),
        variant=f"sample {quantity} of {x.size} patients"
        + (" (n - 1 denominator)" if quantity == "sd" else ""),
    )


# ----------------------------------------------------------------------------- Kaplan-Meier and log-rank


def _km_module(view: CohortView):
    if view.engine == "numpy":
        from hccrep.stats import fastsurv

        return fastsurv
    from hccrep.stats import survival

    return survival


def _km_curve(a, view: CohortView):
    """The numpy engine's Kaplan-Meier curve of ``a``'s endpoint and patients, once per view.

    A group's median and its landmark rates read the same curve.
    """
    key = (
        "km",
        a.endpoint,
        (a.by or view.group) if a.group is not None else None,  # the rows view.mask selects
        None if a.group is None else str(a.group),
        tuple(sorted((var, str(lev)) for var, lev in a.subset.items())),
    )
    curve = view.memo.get(key)
    if curve is None:
        from hccrep.stats.fastsurv import km_curve

        t, e = view.survival(a.endpoint, view.mask(a.by, a.group, a.subset))
        curve = view.memo[key] = km_curve(t, e)
    return curve


@register("km_median")
def _km_median(a, view: CohortView, quantity: str) -> Replicated:
    if view.engine == "numpy":
        r = _km_curve(a, view).median(conf_type=a.variant.used)
    else:
        t, e = view.survival(a.endpoint, view.mask(a.by, a.group, a.subset))
        r = _km_module(view).km_median(t, e, conf_type=a.variant.used)
    median = (
        math.inf if math.isnan(r.median) else r.median
    )  # not reached: beyond the last follow-up
    return Replicated(value=median, lower=r.lower, upper=r.upper, variant=r.variant)


@register("km_landmark")
def _km_landmark(a, view: CohortView, quantity: str) -> Replicated:
    if view.engine == "numpy":
        r = _km_curve(a, view).landmarks([a.time], conf_type=a.variant.used)
    else:
        t, e = view.survival(a.endpoint, view.mask(a.by, a.group, a.subset))
        r = _km_module(view).km_landmark(t, e, at=[a.time], conf_type=a.variant.used)
    s, lo, hi, variant = float(r.survival[0]), float(r.lower[0]), float(r.upper[0]), r.variant
    scale = 100.0  # rates are reported in percent (quantity rate / percent)
    return Replicated(value=scale * s, lower=scale * lo, upper=scale * hi, variant=variant)


@register("logrank")
def _logrank(a, view: CohortView, quantity: str) -> Replicated:
    by = a.by or view.group
    arm = view.labels(by)
    m = (np.isin(arm, a.groups) if a.groups else np.ones(arm.size, dtype=bool)) & view.mask(
        None, None, a.subset
    )
    t, e = view.survival(a.endpoint, m)
    if a.variant.used == "trend":
        from hccrep.stats.fastsurv import logrank_trend

        present = set(arm[m].tolist())
        order = [g for g in (a.groups or view.levels_of(by)) if g in present]
        r = logrank_trend(t, e, arm[m], order=order)
    else:
        r = _km_module(view).logrank(t, e, arm[m])
    return Replicated(value=r.statistic, pvalue=r.pvalue, variant=r.variant)


# ----------------------------------------------------------------------------- regression


def _target_column(a, view: CohortView) -> str:
    """The design column of the reported ratio (a 0/1 outcome used as a term is ``term=1``)."""
    if a.term in a.collapse:
        return f"{a.term}={'|'.join(str(x) for x in a.collapse[a.term])}"
    if a.level is not None:
        return f"{a.term}={a.level}"
    return f"{a.term}=1" if view.is_categorical(a.term) else a.term


def _drop_constant(x: pd.DataFrame) -> pd.DataFrame:
    """Leave out columns that are constant on these rows (a level absent from a subgroup).

    R's ``coxph`` and ``glm`` report NA for such a column and estimate the
    others; a number that asks for the dropped column is then NaN.
    """
    const = [c for c in x.columns if np.ptp(x[c].to_numpy()) == 0]
    return x.drop(columns=const) if const else x


def _varying(names: list[str], x: np.ndarray) -> tuple[list[str], np.ndarray]:
    """:func:`_drop_constant` on a names-and-array design."""
    keep = np.ptp(x, axis=0) > 0 if x.shape[0] else np.zeros(x.shape[1], dtype=bool)
    return [n for n, k in zip(names, keep) if k], x[:, keep]


def _wald_dict(names: list[str], cols: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    return {nm: {c: float(v[i]) for c, v in cols.items()} for i, nm in enumerate(names)}


def _cox_key(a, view: CohortView) -> tuple:
    """The model a Cox analysis fits (numbers of one model share one fit per cohort)."""
    return (
        "cox",
        a.endpoint,
        tuple(a.terms),
        tuple(sorted(a.reference.items())),
        a.variant.used,
        tuple(sorted(a.subset.items())),
        tuple(sorted((k, tuple(v)) for k, v in a.collapse.items())),
        view.cox_engine,
    )


def _cox_fit(a, view: CohortView) -> dict[str, dict[str, float]]:
    """The Wald table of the model of a Cox analysis: term name -> {coef, hr, lower, upper, se, z, p}."""
    key = _cox_key(a, view)
    if key not in view.memo:
        m = view.mask(None, None, a.subset)
        names, x = _varying(*view.design_arrays(list(a.terms), a.reference, m, a.collapse))
        t, e = view.survival(a.endpoint, m)
        try:
            if not names:
                raise ValueError("every term is constant on these patients")
            if view.cox_engine == "numpy":
                from hccrep.stats.fastcox import cox_fit, wald_columns

                coef, se, _ = cox_fit(t, e, x, ties=a.variant.used)
                tab = _wald_dict(names, wald_columns(coef, se))
            else:
                from hccrep.stats import cox

                d = pd.concat(
                    [pd.DataFrame({"_time": t, "_event": e}), pd.DataFrame(x, columns=names)],
                    axis=1,
                )
                res = cox(d, "_time", "_event", names, ties=a.variant.used).table
                tab = {nm: {c: float(v) for c, v in res.loc[nm].items()} for nm in names}
        except (ValueError, np.linalg.LinAlgError) as exc:
            tab = exc
        view.memo[key] = tab
    tab = view.memo[key]
    if isinstance(tab, Exception):
        raise ValueError(str(tab))
    return tab


def prefit(analyses, view: CohortView) -> None:
    """Fit side by side the one-column Cox models among ``analyses`` (numpy engine).

    A univariable Cox table or a set of subgroup hazard ratios refits the same
    small model dozens of times per cohort; :func:`hccrep.stats.fastcox.cox_fit_each`
    runs the Newton steps of all of them at once (with a row mask per model
    for subgroups). The results go to the view's memo, where :func:`compute`
    finds them; they equal one-by-one fits (``tests/test_fastcox.py``).
    Likewise every treatment-by-subgroup interaction model of one endpoint and
    treatment term, whichever analyses declare them, is fitted in one batch.

    Only Cox analyses of one term, without a ``population``, whose design is a
    single non-constant column are batched; the others (and every analysis
    when ``view.cox_engine`` is not ``"numpy"``) are left to :func:`compute`.

    Parameters
    ----------
    analyses : iterable of Analysis
        Declared analyses of a study; those that are not Cox models are skipped.
    view : CohortView
        The cohort to fit on; fitted models are stored in ``view.memo``.

    Returns
    -------
    None
        The fits are stored on the view (models that do not converge are not
        stored, so :func:`compute` fits them again one by one).
    """
    if view.cox_engine != "numpy":
        return
    from hccrep.stats.fastcox import cox_fit_each, wald_columns

    analyses = list(analyses)
    # interaction models of one endpoint and term: every subgroup variable of every such
    # analysis in one side-by-side fit
    interactions: dict[tuple, tuple] = {}
    for a in analyses:
        if a.kind == "interaction" and a.population is None:
            group = (a.endpoint, a.term, str(a.level), a.variant.used)
            first, variables = interactions.get(group, (a, []))
            variables += [v for v in a.by if v not in variables]
            interactions[group] = (first, variables)
    for a, variables in interactions.values():
        try:
            _interaction_fit(view, a, _two_level(view, variables))
        except (KeyError, ValueError):
            pass  # an unknown column or level: the analysis itself raises it in compute
    batches: dict[tuple, dict] = {}
    for a in analyses:
        if a.kind != "cox" or len(a.terms) != 1 or a.population is not None:
            continue
        key = _cox_key(a, view)
        if key in view.memo:
            continue
        batches.setdefault((a.endpoint, a.variant.used), {})[key] = a
    everyone = np.ones(view.n, dtype=bool)
    for (endpoint, ties), models in batches.items():
        t, e = view.survival(endpoint)
        cols, masks, keys, names = [], [], [], []
        for key, a in models.items():
            m = view.mask(None, None, a.subset)
            nm, x = view.design_arrays(list(a.terms), a.reference, everyone, a.collapse)
            if x.shape[1] != 1 or np.ptp(x[m, 0]) == 0:
                continue  # a factor of several levels, or constant here: fitted on its own
            cols.append(x[:, 0])
            masks.append(m)
            keys.append(key)
            names.append(nm[0])
        if not cols:
            continue
        all_rows = all(m.all() for m in masks)
        coef, se = cox_fit_each(
            t,
            e,
            np.column_stack(cols),
            ties=ties,
            on_error="nan",
            masks=None if all_rows else np.column_stack(masks),
        )
        w = wald_columns(coef, se)
        for j, (key, name) in enumerate(zip(keys, names)):
            if np.isfinite(coef[j]):
                view.memo[key] = {name: {c: float(v[j]) for c, v in w.items()}}


def _wald_row(tab, name: str, ratio: str, variant: str) -> Replicated:
    if name not in tab:
        raise ValueError(f"{name} is constant on these patients")
    r = tab[name]
    return Replicated(
        value=float(r[ratio]),
        lower=float(r["lower"]),
        upper=float(r["upper"]),
        pvalue=float(r["p"]),
        variant=variant,
    )


@register("cox")
def _cox(a, view: CohortView, quantity: str) -> Replicated:
    tab = _cox_fit(a, view)
    n = len(a.terms)
    return _wald_row(
        tab,
        _target_column(a, view),
        "hr",
        f"Cox ({'univariable' if n == 1 else f'{n} terms'}), "
        f"{a.variant.used} ties, Wald CI and p ({'numpy' if view.cox_engine == 'numpy' else 'lifelines'})",
    )


def _interaction_key(view: CohortView, a, variable: str) -> tuple:
    return (
        "interaction",
        a.endpoint,
        a.term,
        str(a.level),
        variable,
        a.variant.used,
        view.cox_engine,
    )


def _two_level(view: CohortView, variables) -> list[str]:
    """The subgroup variables of two levels (the others have no single product term)."""
    return [v for v in variables if len(view.levels_of(v)) == 2]


def _interaction_fit(view: CohortView, a, variables: list[str]) -> None:
    """Fit the interaction models of ``a``'s term with each of ``variables``; p-values to the memo.

    The models share their times, so on the numpy engine they are fitted side by
    side (:func:`hccrep.stats.subgroups.interaction_many`; each model's result
    does not depend on which others are fitted with it).
    """
    todo = [v for v in variables if _interaction_key(view, a, v) not in view.memo]
    if not todo:
        return
    t, e = view.survival(a.endpoint)
    treated = (view.labels(a.term) == str(a.level)).astype(float)
    # the subgroup indicator is the second declared level, as interaction_test codes it
    subs = np.column_stack([(view.labels(v) == view.levels_of(v)[1]).astype(float) for v in todo])
    if view.cox_engine == "numpy":
        from hccrep.stats.subgroups import interaction_many

        ps, _ = interaction_many(t, e, treated, subs, a.variant.used)
    else:
        from hccrep.stats.subgroups import interaction_test

        ps = []
        for j in range(len(todo)):
            d = pd.DataFrame({"_time": t, "_event": e, "_term": treated, "_sub": subs[:, j]})
            ps.append(
                interaction_test(
                    d, "_time", "_event", "_term", "_sub", treated=1.0, ties=a.variant.used
                ).pvalue
            )
    view.memo.update({_interaction_key(view, a, v): float(p) for v, p in zip(todo, ps)})


@register("interaction")
def _interaction(a, view: CohortView, quantity: str) -> Replicated:
    two_level = _two_level(view, a.by)
    _interaction_fit(view, a, two_level)
    keys = {v: _interaction_key(view, a, v) for v in two_level}
    ps = [view.memo[keys[v]] for v in two_level]
    if not ps or not np.isfinite(ps).any():
        raise ValueError("no estimable interaction")
    variant = (
        f"Wald test of the {a.term} x subgroup product in a Cox model ({a.term} + subgroup + product), "
        f"{a.variant.used} ties; not estimable when a cell has no event"
    )
    if len(a.by) > 1:
        variant = f"smallest of the interaction p-values of {', '.join(a.by)}; " + variant
    return Replicated(pvalue=float(np.nanmin(ps)), variant=variant)


def _logit_fit(
    view: CohortView, outcome: str, terms: list[str], reference, subset, collapse=None
) -> pd.DataFrame:
    key = (
        "logistic",
        outcome,
        tuple(terms),
        tuple(sorted(reference.items())),
        tuple(sorted(subset.items())),
        tuple(sorted((k, tuple(v)) for k, v in (collapse or {}).items())),
    )
    key = (*key, view.cox_engine)
    if key not in view.memo:
        from hccrep.stats.prediction import logistic_table, logit_fit

        m = view.mask(None, None, subset)
        x = _drop_constant(view.design(terms, reference, m, collapse))
        y = view.numeric(outcome)[m]
        try:
            if view.cox_engine == "numpy":  # Newton-Raphson as R glm; equal to statsmodels (tests)
                if x.shape[1] == 0 or len(np.unique(y)) < 2:
                    raise ValueError("no varying term, or a single outcome class")
                fit = logit_fit(x, y)
                c = {k: v[1:] for k, v in fit.columns().items()}  # the terms, not the intercept
                cols = {
                    "beta": c["coef"],
                    "lower": np.exp(c["lower"]),
                    "upper": np.exp(c["upper"]),
                    "z": c["z"],
                    "p": c["p"],
                    "se": fit.se[1:],
                    "or": np.exp(c["coef"]),
                }
                view.memo[key] = {
                    nm: {k: float(v[i]) for k, v in cols.items()}
                    for i, nm in enumerate(fit.names[1:])
                }
            else:
                d = pd.concat([pd.DataFrame({"_y": y}), x], axis=1)
                res = logistic_table(d, "_y", list(x.columns)).set_index("term")
                view.memo[key] = {
                    nm: {c: float(v) for c, v in res.loc[nm].items()} for nm in res.index
                }
        except (ValueError, np.linalg.LinAlgError) as exc:
            view.memo[key] = exc
    tab = view.memo[key]
    if isinstance(tab, Exception):
        raise ValueError(str(tab))
    return tab


@register("logistic")
def _logistic(a, view: CohortView, quantity: str) -> Replicated:
    tab = _logit_fit(view, a.outcome, list(a.terms), a.reference, a.subset, a.collapse)
    variant = "logistic regression (maximum likelihood), Wald CI and p (R glm + confint.default)"
    res = _wald_row(tab, _target_column(a, view), "or", variant)
    if quantity == "log_or":  # the coefficient and its Wald interval on the log-odds scale
        return Replicated(
            value=math.log(res.value),
            lower=math.log(res.lower),
            upper=math.log(res.upper),
            pvalue=res.pvalue,
            variant=variant + "; β and its interval on the log-odds scale",
        )
    if quantity == "z":
        row = tab[_target_column(a, view)]
        return Replicated(value=float(row["z"]), pvalue=res.pvalue, variant=variant + "; Wald z")
    return res


# ----------------------------------------------------------------------------- prediction


def _score(view: CohortView, a, score, probability: bool = False) -> np.ndarray:
    """Every patient's value of a declared :class:`hccrep.declared.Score` (memoised per view).

    A ``terms`` score is the predicted probability of a logistic model of
    ``a.outcome`` fitted (numpy Newton-Raphson, as R ``glm``) on the
    patients of ``a.fit_on`` (default ``a.subset``). A numeric marker is its
    column; a categorical one its level index (0, 1, ... in declared
    order); ``direction: lower`` negates a marker. With ``probability`` the
    score must be a risk in [0, 1] (a fitted model, or a marker column of
    risks).
    """
    key = _score_key(a, score)
    if key not in view.memo:
        fit_on = a.subset if a.fit_on is None else a.fit_on
        if score.terms is not None:
            from hccrep.stats.prediction import logit_fit

            everyone = np.ones(view.n, dtype=bool)
            _, x = view.design_arrays(list(score.terms), score.reference, everyone)
            m = view.mask(None, None, fit_on)
            keep = np.ptp(x[m], axis=0) > 0 if m.any() else np.zeros(x.shape[1], dtype=bool)
            if not keep.any():
                raise ValueError(
                    "every term of the model is constant on the patients it is fitted on"
                )
            # arrays, no frames; each in the memory order a frame of it would hand back, so the
            # fit and the products sum in the same order
            fit = logit_fit(x[m][:, keep], view.numeric(a.outcome)[m])
            value = fit.predict(x[:, keep])
        elif view.is_categorical(score.marker):
            order = {lv: i for i, lv in enumerate(view.levels_of(score.marker))}
            value = np.array([order.get(v, np.nan) for v in view.labels(score.marker)], float)
        else:
            value = view.numeric(score.marker)
        if score.marker is not None and score.direction == "lower":
            value = -value
        view.memo[key] = value
    value = view.memo[key]
    if probability and score.terms is None:
        if np.nanmin(value) < 0 or np.nanmax(value) > 1:
            raise ValueError(f"marker {score.marker!r} is not a risk in [0, 1]; give terms instead")
    return value


def _score_key(a, score) -> tuple:
    """The memo key of :func:`_score`: the outcome, the score and the patients it is fitted on."""
    fit_on = a.subset if a.fit_on is None else a.fit_on
    return ("score", a.outcome, _analysis_key(score), tuple(sorted(fit_on.items())))


def _memoised(view: CohortView, key: tuple, compute_it):
    """``compute_it()`` once per view and key; a statistical failure is remembered and raised again.

    Several declared checks ask for the same number about the same score (the
    Youden cut-off behind sensitivity, specificity, accuracy, precision and F1;
    the Hosmer-Lemeshow test behind a calibration p and a "best model" claim),
    so each is computed once per cohort.
    """
    if key not in view.memo:
        try:
            view.memo[key] = compute_it()
        except (ValueError, np.linalg.LinAlgError, ZeroDivisionError, FloatingPointError) as exc:
            view.memo[key] = exc
    hit = view.memo[key]
    if isinstance(hit, Exception):
        raise hit
    return hit


def _evaluated(view: CohortView, a) -> tuple[np.ndarray, np.ndarray]:
    """The evaluated patients' mask and their 0/1 outcome."""
    m = view.mask(None, None, a.subset)
    return m, view.numeric(a.outcome)[m].astype(int)


@register("auc")
def _auc(a, view: CohortView, quantity: str) -> Replicated:
    from hccrep.stats.prediction import roc_auc, roc_auc_bootstrap

    m, y = _evaluated(view, a)
    score = _score(view, a, a.score)[m]
    if a.variant.used == "bootstrap":
        rng = np.random.default_rng(a.boot_seed)
        r = roc_auc_bootstrap(y, score, rng=rng, n_boot=a.n_boot)
    else:
        r = roc_auc(y, score)
    return Replicated(value=r.auc, lower=r.lower, upper=r.upper, variant=r.variant)


@register("brier")
def _brier(a, view: CohortView, quantity: str) -> Replicated:
    from hccrep.stats.prediction import brier_score

    m, y = _evaluated(view, a)
    value = brier_score(y, _score(view, a, a.score, probability=True)[m])
    return Replicated(
        value=value, variant=f"Brier score, mean (risk - outcome)^2 of {m.sum()} patients"
    )


@register("calibration")
def _calibration(a, view: CohortView, quantity: str) -> Replicated:
    from hccrep.stats.prediction import calibration_intercept_slope, hosmer_lemeshow

    m, y = _evaluated(view, a)
    prob = _score(view, a, a.score, probability=True)[m]
    on = tuple(sorted(a.subset.items()))
    if quantity == "p":
        df = "formed" if a.variant.used == "hl_df_formed" else "requested"
        r = _memoised(
            view,
            ("hl", _score_key(a, a.score), on, a.risk_groups, df),
            lambda: hosmer_lemeshow(y, prob, groups=a.risk_groups, df=df, table=False),
        )
        return Replicated(value=r.statistic, pvalue=r.pvalue, variant=r.variant)
    cal = _memoised(
        view,
        ("calibration", _score_key(a, a.score), on),
        lambda: calibration_intercept_slope(y, prob),
    )
    return Replicated(value=float(getattr(cal, quantity)), variant=cal.variant)


@register("delong")
def _delong(a, view: CohortView, quantity: str) -> Replicated:
    from hccrep.stats.prediction import delong_test

    m, y = _evaluated(view, a)
    mine = _score(view, a, a.score)[m]
    ps = [delong_test(y, mine, _score(view, a, other)[m]).pvalue for other in a.against]
    variant = "paired DeLong test of two AUCs (pROC roc.test, method 'delong')"
    if len(ps) > 1:
        variant = f"largest p of {len(ps)} comparisons; " + variant
    return Replicated(pvalue=float(max(ps)), variant=variant)


@register("net_benefit")
def _net_benefit(a, view: CohortView, quantity: str) -> Replicated:
    from hccrep.stats.prediction import net_benefit

    m, y = _evaluated(view, a)
    nb = net_benefit(y, _score(view, a, a.score, probability=True)[m], [a.threshold], table=False)
    return Replicated(
        value=float(nb["model"][0]),
        variant=f"net benefit at threshold {a.threshold:g} (Vickers & Elkin 2006)",
    )


@register("classification")
def _classification(a, view: CohortView, quantity: str) -> Replicated:
    from hccrep.stats.prediction import classification_metrics, youden_cutoff

    score = _score(view, a, a.score)
    on = (
        a.cutoff_on if a.cutoff_on is not None else (a.fit_on if a.fit_on is not None else a.subset)
    )
    cm = view.mask(None, None, on)
    cut = _memoised(
        view,
        ("youden", _score_key(a, a.score), tuple(sorted(on.items()))),
        lambda: youden_cutoff(view.numeric(a.outcome)[cm].astype(int), score[cm]),
    )
    m, y = _evaluated(view, a)
    met = classification_metrics(y, (score[m] >= cut.threshold).astype(int))
    scale = 100.0 if a.scale == "percent" else 1.0
    return Replicated(
        value=scale * met[quantity],
        variant=f"{quantity} at the Youden cut-off {cut.threshold:.4g} ({cut.variant})",
    )


def _metric(a, view: CohortView, score, metric: str, m: np.ndarray, y: np.ndarray):
    """One metric of a :class:`hccrep.declared.Best` claim for one score (NaN when not computable).

    Memoised per view: several claims compare the same scores on the same patients.
    """
    on = tuple(sorted(a.subset.items()))
    key = (
        "best_metric",
        _score_key(a, score),
        on,
        metric,
        a.risk_groups if metric == "hl_p" else None,
        a.thresholds.model_dump_json() if metric == "net_benefit" else None,
    )
    if key not in view.memo:
        view.memo[key] = _metric_value(a, view, score, metric, m, y, on)
    return view.memo[key]


def _metric_value(a, view, score, metric, m, y, on):
    """:func:`_metric` computed."""
    from hccrep.stats import prediction as pr

    try:
        if metric == "auc":
            return pr.roc_auc(y, _score(view, a, score)[m]).auc
        prob = _score(view, a, score, probability=True)[m]
        if metric == "brier":
            return pr.brier_score(y, prob)
        if metric == "hl_p":
            # the same test as a calibration check's under hoslem.test >= 0.3-6: computed once
            return _memoised(
                view,
                ("hl", _score_key(a, score), on, a.risk_groups, "formed"),
                lambda: pr.hosmer_lemeshow(y, prob, groups=a.risk_groups, table=False),
            ).pvalue
        return pr.net_benefit(y, prob, a.thresholds.values(), table=False)["model"]
    except ValueError:
        return math.nan


@register("best")
def _best(a, view: CohortView, quantity: str) -> Replicated:
    m, y = _evaluated(view, a)
    holds = True
    for metric in a.metrics:
        mine = _metric(a, view, a.score, metric, m, y)
        for other in a.against:
            theirs = _metric(a, view, other, metric, m, y)
            if metric == "brier":
                holds &= bool(mine < theirs)
            elif metric == "net_benefit":
                holds &= bool(np.all(np.asarray(mine) >= np.asarray(theirs) - 1e-12))
            else:
                holds &= bool(mine > theirs)
    return Replicated(
        value=float(holds),
        variant=f"1 if better than {len(a.against)} other score(s) on {', '.join(a.metrics)} "
        "(higher AUC and Hosmer-Lemeshow p, lower Brier, net benefit at least as high at every threshold)",
    )


@register("td_auc")
def _td_auc(a, view: CohortView, quantity: str) -> Replicated:
    from hccrep.stats.prediction import td_auc

    m = view.mask(None, None, a.subset)
    t, e = view.survival(a.endpoint, m)
    value = td_auc(t, e, view.numeric(a.marker)[m], a.time)
    if not math.isfinite(value):
        raise ValueError("the time-dependent AUC is undefined (no case or no control)")
    return Replicated(
        value=value,
        variant=f"cumulative/dynamic AUC at {a.time:g}, IPCW (Uno; scikit-survival cumulative_dynamic_auc)",
    )


@register("c_index")
def _c_index(a, view: CohortView, quantity: str) -> Replicated:
    from hccrep.stats.fastcox import cox_fit
    from hccrep.optimism import harrell_c

    m = view.mask(None, None, a.subset)
    t, e = view.survival(a.endpoint, m)
    if a.marker is not None:
        risk = view.numeric(a.marker)[m]
    else:
        x = view.design(list(a.terms), a.reference, m)
        x = x.loc[:, x.nunique() > 1]
        coef, _, _ = cox_fit(t, e, x.to_numpy(float))
        risk = x.to_numpy(float) @ coef
    c = harrell_c(t, e, risk)
    if not math.isfinite(c):
        raise ValueError("C is undefined")
    return Replicated(value=c, variant="Harrell's C (ties in the score count 1/2)")


# the handlers of the kinds about fitted prediction models register themselves
from hccrep import model_analyses as _model_analyses  # noqa: E402, F401

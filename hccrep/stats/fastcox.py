"""A small numpy Cox model for Monte Carlo loops.

The book's displayed analyses use :func:`hccrep.stats.survival.cox`
(lifelines / statsmodels).  A Monte Carlo over hundreds of cohorts refits the
same small models thousands of times, where lifelines' per-fit overhead
(about 60 ms) dominates; this Newton–Raphson on the Efron (or Breslow) partial
likelihood gives the same coefficients and Wald statistics in about 1 ms.
``tests/test_fastcox.py`` checks it against lifelines and statsmodels on many
random cohorts, ties included, and ``tests/test_r_parity.py`` against R.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import special, stats

__all__ = ["cox_fit", "cox_fit_each", "cox_table", "wald_columns"]


class _Prepared:
    """What the partial likelihood needs besides ``beta``, computed once per fit.

    Rows are sorted by descending time.  ``z`` holds, per patient, the terms
    whose risk-set sums are needed: ``1``, ``x`` and the ``p*p`` products
    ``x_i x_j``; one cumulative sum of ``w * z`` then gives every risk-set sum
    of the likelihood, its gradient and its Hessian at once.  Event times are
    grouped in blocks of equal time; a block with ``d`` events contributes
    ``d`` terms ("slots").  With Efron's method slot ``l`` (0-based) removes
    ``l/d`` of the block's tied-event sums; with Breslow's, nothing.  When no
    event time is tied the two methods coincide and the slot step is skipped.
    """

    __slots__ = ("x", "e", "z", "p", "ends", "starts", "slot_block", "frac", "tied", "xe", "n_events")

    def __init__(self, t: np.ndarray, e: np.ndarray, x: np.ndarray, ties: str):
        n, p = x.shape
        self.x, self.e, self.p = x, e, p
        self.z = np.concatenate([np.ones((n, 1)), x, (x[:, :, None] * x[:, None, :]).reshape(n, p * p)], axis=1)
        self.xe = x.T @ e
        if not (t[1:] == t[:-1]).any():
            # no tied times (the usual case for simulated cohorts): one slot per event row
            self.ends = self.starts = self.slot_block = np.flatnonzero(e)
            self.frac = np.zeros(self.ends.size)
            self.tied = False
            self.n_events = int(self.ends.size)
            return
        # blocks of equal times (the risk set of a block ends at its last index)
        ends = np.flatnonzero(np.concatenate([t[1:] != t[:-1], [True]]))
        starts = np.concatenate([[0], ends[:-1] + 1])
        d = np.add.reduceat(e, starts)
        has = d > 0
        self.ends, self.starts, d = ends[has], starts[has], d[has]
        self.tied = bool(d.max() > 1)
        self.slot_block = np.repeat(np.arange(d.size), d)
        within = np.arange(self.slot_block.size) - np.repeat(np.cumsum(d) - d, d)
        self.frac = within / np.repeat(d, d) if ties == "efron" else np.zeros(self.slot_block.size)
        self.n_events = int(self.slot_block.size)

    def terms(self, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Log partial likelihood, gradient and Hessian at ``beta``."""
        p = self.p
        eta = self.x @ beta
        m = eta.max()
        wz = self.z * np.exp(eta - m)[:, None]  # a common factor cancels in every ratio; added back to ll
        s = np.cumsum(wz, axis=0)[self.ends]
        if self.tied:
            # sums over each block's tied events, from cumulative sums of the event rows
            ce = np.cumsum(wz * self.e[:, None], axis=0)
            tie_sum = ce[self.ends] - np.where((self.starts > 0)[:, None], ce[np.maximum(self.starts - 1, 0)], 0.0)
            s = s[self.slot_block] - self.frac[:, None] * tie_sum[self.slot_block]
        s0 = s[:, 0]
        r = s[:, 1:] / s0[:, None]
        r1, r2 = r[:, :p], r[:, p:]
        ll = float(eta @ self.e - np.log(s0).sum() - m * self.n_events)
        grad = self.xe - r1.sum(axis=0)
        hess = r1.T @ r1 - r2.sum(axis=0).reshape(p, p)
        return ll, grad, hess


def _efron_terms(beta: np.ndarray, t: np.ndarray, e: np.ndarray, x: np.ndarray, ties: str):
    """Log partial likelihood, gradient and Hessian; data sorted by descending time."""
    return _Prepared(t, e, x, ties).terms(beta)


def cox_fit(time, event, x, ties: str = "efron", tol: float = 1e-10, max_iter: int = 50) -> tuple[np.ndarray, np.ndarray, float]:
    """Maximum partial-likelihood coefficients, their Wald SEs and the log partial likelihood.

    Parameters
    ----------
    time, event : array
        Follow-up times and 0/1 event indicators.
    x : array (n, p)
        Covariates (no intercept).
    ties : {"efron", "breslow"}

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, (60, 1)).astype(float)
    >>> t = rng.exponential(1 / np.exp(0.7 * x[:, 0]))
    >>> coef, se, ll = cox_fit(t, np.ones(60), x)
    >>> bool(0 < coef[0] < 2)
    True
    """
    if ties not in ("efron", "breslow"):
        raise ValueError(f"unknown ties {ties!r}; expected 'efron' or 'breslow'")
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if not (t.shape[0] == e.shape[0] == x.shape[0]):
        raise ValueError("time, event and x must have the same number of rows")
    if not np.isfinite(x).all() or not np.isfinite(t).all():
        raise ValueError("time and x must be finite")
    if e.sum() == 0:
        raise ValueError("no events: the Cox model is not estimable")
    order = np.argsort(-t, kind="stable")
    t, e, x = t[order], e[order], x[order]
    prep = _Prepared(t, e, x, ties)
    beta = np.zeros(x.shape[1])
    ll, grad, hess = prep.terms(beta)
    one = x.shape[1] == 1  # a single covariate: scalar algebra, without LAPACK's per-call cost
    for _ in range(max_iter):
        try:
            if one:
                if hess[0, 0] == 0:
                    raise np.linalg.LinAlgError
                step = grad / -hess[0, 0]
            else:
                step = np.linalg.solve(-hess, grad)
        except np.linalg.LinAlgError:
            raise ValueError("singular information matrix (a constant or collinear covariate?)") from None
        new = beta + step
        ll_new, g_new, h_new = prep.terms(new)
        halvings = 0
        while ll_new < ll - 1e-12 and halvings < 30:  # step halving, as R's coxph
            step /= 2
            new = beta + step
            ll_new, g_new, h_new = prep.terms(new)
            halvings += 1
        converged = abs(ll_new - ll) < tol * (abs(ll) + tol)
        beta, ll, grad, hess = new, ll_new, g_new, h_new
        if converged and np.abs(step).max() < 1e-7:
            break
    with np.errstate(invalid="ignore", divide="ignore"):
        # a diverging fit (an arm without events in a small subgroup) leaves a singular
        # information matrix: its SEs come out infinite or NaN, as R's coxph reports them
        try:
            if one and hess[0, 0] == 0:
                raise np.linalg.LinAlgError
            cov = 1.0 / -hess if one else np.linalg.inv(-hess)
        except np.linalg.LinAlgError:
            cov = np.full_like(hess, np.nan)
        se = np.sqrt(np.diag(cov))
    return beta, se, float(ll)


def cox_fit_each(time, event, X, ties: str = "efron", tol: float = 1e-10, max_iter: int = 50,
                 masks=None, on_error: str = "raise") -> tuple[np.ndarray, np.ndarray]:
    """One-covariate Cox fits of every column of ``X`` on the same times, run side by side.

    The univariable rows of a Cox table share their times and events; here the
    Newton iterations of all columns run as one array computation.  Each
    column follows :func:`cox_fit`'s iteration (the same start, step and
    stopping rule).  A column that would need step halving, meets a singular
    information, or does not converge, and every column when times are tied,
    is refitted by :func:`cox_fit` itself, so the results (and the errors) are
    :func:`cox_fit`'s.

    Parameters
    ----------
    time, event : array
    X : array (n, k)
        One covariate per column.
    ties : {"efron", "breslow"}
    masks : bool array (n, k), optional
        Fit column ``j`` on the rows where ``masks[:, j]`` is true only (a
        subgroup), as ``cox_fit(time[m], event[m], X[m, j])``.
    on_error : {"raise", "nan"}
        What a column that :func:`cox_fit` cannot fit (no events, a constant
        covariate in its rows, a singular information) gives: the error, or
        NaN coefficient and SE.

    Returns
    -------
    coef, se : arrays (k,)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 2, (80, 3)).astype(float)
    >>> t = rng.exponential(1 / np.exp(0.7 * X[:, 0]))
    >>> coef, se = cox_fit_each(t, np.ones(80), X)
    >>> bool(np.allclose(coef[1], cox_fit(t, np.ones(80), X[:, 1])[0][0]))
    True
    """
    if ties not in ("efron", "breslow"):
        raise ValueError(f"unknown ties {ties!r}; expected 'efron' or 'breslow'")
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or not (t.shape[0] == e.shape[0] == X.shape[0]):
        raise ValueError("X must be (n, k) with one row per time and event")
    k = X.shape[1]
    if on_error not in ("raise", "nan"):
        raise ValueError(f"on_error must be 'raise' or 'nan', got {on_error!r}")
    M = np.ones(X.shape, dtype=bool) if masks is None else np.asarray(masks, dtype=bool)
    if M.shape != X.shape:
        raise ValueError(f"masks must have the shape of X {X.shape}, got {M.shape}")
    coef, se = np.full(k, np.nan), np.full(k, np.nan)

    def one_by_one(cols) -> tuple[np.ndarray, np.ndarray]:
        for j in cols:
            m = M[:, j]
            try:
                xj = X[m, j]
                if masks is not None and xj.size and (xj == xj[0]).all():  # as the runners' own check
                    raise ValueError("the covariate is constant in the column's rows")
                c, s_, _ = cox_fit(t[m], e[m], xj, ties=ties, tol=tol, max_iter=max_iter)
            except (ValueError, np.linalg.LinAlgError):
                if on_error == "raise":
                    raise
                continue
            coef[j], se[j] = c[0], s_[0]
        return coef, se

    if k == 0 or not np.isfinite(X).all() or not np.isfinite(t).all() or e.sum() == 0:
        return one_by_one(range(k))  # cox_fit raises the error
    order = np.argsort(-t, kind="stable")
    ts, es, Xs, Ms = t[order], e[order], X[order], M[order].astype(float)
    if (ts[1:] == ts[:-1]).any():
        return one_by_one(range(k))
    # columns with no event or a constant covariate in their rows: cox_fit decides (error or NaN)
    ev = es[:, None] * Ms
    lo = np.where(M[order], Xs, np.inf).min(axis=0)
    hi = np.where(M[order], Xs, -np.inf).max(axis=0)
    unfit = (ev.sum(axis=0) == 0) | ~(hi > lo)
    ends = np.flatnonzero(es)  # no ties: one risk set per event row
    Me = Ms[ends] > 0
    n_events = ev.sum(axis=0)
    xe = (Xs * ev).sum(axis=0)

    def terms(beta):
        eta = Xs * beta
        m = np.where(Ms > 0, eta, -np.inf).max(axis=0)
        m = np.where(np.isfinite(m), m, 0.0)
        w = np.exp(eta - m) * Ms
        wx = w * Xs
        c0, c1, c2 = (np.cumsum(a, axis=0)[ends] for a in (w, wx, wx * Xs))
        with np.errstate(divide="ignore", invalid="ignore"):
            r1 = np.where(Me, c1 / c0, 0.0)
            r2 = np.where(Me, c2 / c0, 0.0)
            logc0 = np.where(Me, np.log(np.where(Me, c0, 1.0)), 0.0)
        ll = (ev * eta).sum(axis=0) - logc0.sum(axis=0) - m * n_events
        return ll, xe - r1.sum(axis=0), (r1 * r1).sum(axis=0) - r2.sum(axis=0)

    beta = np.zeros(k)
    ll, grad, hess = terms(beta)
    active = ~unfit
    redo = np.zeros(k, dtype=bool)
    for _ in range(max_iter):
        singular = active & (hess == 0)
        redo |= singular
        active &= ~singular
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(active, grad / -hess, 0.0)
        new = beta + step
        ll_new, g_new, h_new = terms(new)
        halve = active & (ll_new < ll - 1e-12)  # cox_fit would halve the step: let it
        redo |= halve
        upd = active & ~halve
        converged = upd & (np.abs(ll_new - ll) < tol * (np.abs(ll) + tol)) & (np.abs(step) < 1e-7)
        beta, ll, grad, hess = (np.where(upd, a, b) for a, b in ((new, beta), (ll_new, ll), (g_new, grad), (h_new, hess)))
        active &= ~(halve | converged)
        if not active.any():
            break
    # not converged in max_iter, for cox_fit to refuse, or diverging (an arm without events in
    # the rows: its path is fragile in floating point, so cox_fit's own run decides)
    redo |= active | unfit | (np.abs(beta) > 15)
    done = ~redo
    with np.errstate(divide="ignore", invalid="ignore"):
        coef[done] = beta[done]
        se[done] = np.sqrt(1.0 / -hess[done])
    return one_by_one(np.flatnonzero(redo))


def cox_table(df: pd.DataFrame, duration: str, event: str, covariates, ties: str = "efron", alpha: float = 0.05) -> pd.DataFrame:
    """Same columns as :func:`hccrep.stats.survival.cox`'s table (coef, hr, lower, upper, se, z, p)."""
    covariates = list(covariates)
    x = df[covariates].to_numpy(float)
    if (x.std(axis=0) == 0).any():
        bad = [c for c, s in zip(covariates, x.std(axis=0)) if s == 0]
        raise ValueError(f"covariate {bad[0]!r} is constant")
    coef, se, _ = cox_fit(df[duration].to_numpy(float), df[event].to_numpy(int), x, ties=ties)
    cols = wald_columns(coef, se, alpha)
    return pd.DataFrame(cols, index=pd.Index(covariates, name="covariate"))


def wald_columns(coef, se, alpha: float = 0.05) -> dict[str, np.ndarray]:
    """Hazard ratios with Wald limits, z and two-sided p from coefficients and SEs.

    ``p = 2 * Phi(-|z|)`` through :func:`scipy.special.ndtr` (what
    ``scipy.stats.norm.sf`` computes, without its per-call overhead).  A
    diverging coefficient (no events in one arm) gives an infinite HR and a
    NaN or zero p, as R's ``coxph`` prints them.

    Examples
    --------
    >>> cols = wald_columns(np.array([np.log(2.0)]), np.array([0.25]))
    >>> round(float(cols["hr"][0]), 6), round(float(cols["p"][0]), 4)
    (2.0, 0.0056)
    """
    coef, se = np.asarray(coef, dtype=float), np.asarray(se, dtype=float)
    q = _z_quantile(alpha)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        z = coef / se
        return {"coef": coef, "hr": np.exp(coef), "lower": np.exp(coef - q * se), "upper": np.exp(coef + q * se),
                "se": se, "z": z, "p": 2 * special.ndtr(-np.abs(z))}


@functools.lru_cache(maxsize=16)
def _z_quantile(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    return float(stats.norm.ppf(1 - alpha / 2))

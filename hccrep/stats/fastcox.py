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

import numpy as np
import pandas as pd
from scipy import special

from hccrep.stats.survival import _z

__all__ = [
    "cox_fit",
    "cox_fit_each",
    "cox_fit_many",
    "cox_table",
    "unconverged_coefficients",
    "wald_columns",
]


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

    __slots__ = (
        "x",
        "e",
        "z",
        "p",
        "ends",
        "starts",
        "slot_block",
        "frac",
        "tied",
        "xe",
        "n_events",
    )

    def __init__(self, t: np.ndarray, e: np.ndarray, x: np.ndarray, ties: str):
        n, p = x.shape
        self.x, self.e, self.p = x, e, p
        self.z = np.concatenate(
            [np.ones((n, 1)), x, (x[:, :, None] * x[:, None, :]).reshape(n, p * p)], axis=1
        )
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
        wz = (
            self.z * np.exp(eta - m)[:, None]
        )  # a common factor cancels in every ratio; added back to ll
        s = np.cumsum(wz, axis=0)[self.ends]
        if self.tied:
            # sums over each block's tied events, from cumulative sums of the event rows
            ce = np.cumsum(wz * self.e[:, None], axis=0)
            tie_sum = ce[self.ends] - np.where(
                (self.starts > 0)[:, None], ce[np.maximum(self.starts - 1, 0)], 0.0
            )
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


def _arrays(time, event, x, ties: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times, 0/1 events and an ``(n, p)`` covariate array, and a known ties method (no other checks: hot path)."""
    if ties not in ("efron", "breslow"):
        raise ValueError(f"unknown ties {ties!r}; expected 'efron' or 'breslow'")
    x = np.asarray(x, dtype=float)
    return (
        np.asarray(time, dtype=float),
        np.asarray(event, dtype=int),
        x[:, None] if x.ndim == 1 else x,
    )


def cox_fit(
    time, event, x, ties: str = "efron", tol: float = 1e-10, max_iter: int = 50
) -> tuple[np.ndarray, np.ndarray, float]:
    """Maximum partial-likelihood coefficients, their Wald SEs and the log partial likelihood.

    Parameters
    ----------
    time, event : array
        Follow-up times and 0/1 event indicators.
    x : array (n, p)
        Covariates (no intercept).
    ties : {"efron", "breslow"}
        Tie handling of the partial likelihood.
    tol : float
        Convergence: the relative change of the log partial likelihood falls below it.
    max_iter : int
        Most Newton steps.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, float)
        The coefficients, their Wald standard errors (from the inverse information) and the
        log partial likelihood at the maximum.

    Raises
    ------
    ValueError
        If the information matrix is singular or the Newton steps do not converge.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, (60, 1)).astype(float)
    >>> t = rng.exponential(1 / np.exp(0.7 * x[:, 0]))
    >>> coef, se, ll = cox_fit(t, np.ones(60), x)
    >>> bool(0 < coef[0] < 2)
    True
    """
    t, e, x = _arrays(time, event, x, ties)
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
            raise ValueError(
                "singular information matrix (a constant or collinear covariate?)"
            ) from None
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


#: R ``coxph.control()``: ``eps`` and ``toler.inf = sqrt(eps)`` of its "coefficient may be infinite" check.
_R_EPS = 1e-9
_R_TOLER_INF = 1e-9**0.5


def unconverged_coefficients(time, event, x, coef, ties: str = "efron") -> np.ndarray:
    """Which coefficients of a Cox fit have not converged (they may be infinite), by R's rule.

    R ``coxph`` computes, at its final estimate, the Newton step still to go,
    ``|U' I^-1|`` (score times inverse information), and warns "Loglik
    converged before variable j; coefficient may be infinite" for each ``j``
    whose step exceeds both ``eps = 1e-9`` and ``sqrt(eps) |coef_j|``.  A
    coefficient that runs off to infinity (a monotone likelihood: no events in
    one level of a binary covariate) keeps a step of about 1 however far it
    has run; a converged one has a step many orders of magnitude smaller.

    Parameters
    ----------
    time, event, x
        As in :func:`cox_fit`.
    coef : array (p,)
        The fitted coefficients (from any engine).
    ties : {"efron", "breslow"}

    Returns
    -------
    ndarray of bool, shape (p,)
        True where the coefficient has not converged (also where it or the
        remaining step is not finite).

    Examples
    --------
    >>> t = np.arange(1.0, 9.0)
    >>> x = np.array([0, 0, 0, 0, 1, 1, 1, 1.0])
    >>> e = 1 - x  # the x = 1 patients never have the event: beta -> -infinity
    >>> coef, _, _ = cox_fit(t, e, x)
    >>> unconverged_coefficients(t, e, x, coef).tolist()
    [True]
    """
    t, e, x = _arrays(time, event, x, ties)
    beta = np.asarray(coef, dtype=float).ravel()
    if beta.size != x.shape[1]:
        raise ValueError(f"coef has {beta.size} values for {x.shape[1]} covariates")
    if not np.isfinite(beta).all():
        return np.ones(beta.size, dtype=bool)
    order = np.argsort(-t, kind="stable")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _, grad, hess = _Prepared(t[order], e[order], x[order], ties).terms(beta)
        # the information of a diverging coefficient is tiny (~exp(-|coef|)) beside the others:
        # scale it to unit diagonal before solving, so the solve sees a well-conditioned matrix
        d = 1.0 / np.sqrt(np.abs(np.diag(hess)))
        try:
            step = np.abs(d * np.linalg.solve(-hess * np.outer(d, d), d * grad))
        except np.linalg.LinAlgError:
            return np.ones(beta.size, dtype=bool)
    return ~np.isfinite(step) | ((step > _R_EPS) & (step > _R_TOLER_INF * np.abs(beta)))


def cox_fit_each(
    time,
    event,
    X,
    ties: str = "efron",
    tol: float = 1e-10,
    max_iter: int = 50,
    masks=None,
    on_error: str = "raise",
) -> tuple[np.ndarray, np.ndarray]:
    """One-covariate Cox fits of every column of ``X`` on the same times, run side by side.

    The univariable rows of a Cox table share their times and events; here the
    Newton iterations of all columns run as one array computation
    (:func:`cox_fit_many` with one covariate per model).  Each column follows
    :func:`cox_fit`'s iteration (the same start, step and stopping rule).  A
    column that would need step halving, meets a singular information, or does
    not converge, and every column when times are tied, is refitted by
    :func:`cox_fit` itself, so the results (and the errors) are
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
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError("X must be (n, k) with one row per time and event")
    coef, se = cox_fit_many(
        time,
        event,
        X[:, :, None],
        ties=ties,
        tol=tol,
        max_iter=max_iter,
        masks=masks,
        on_error=on_error,
    )
    return coef[:, 0], se[:, 0]


def cox_fit_many(
    time,
    event,
    X,
    ties: str = "efron",
    tol: float = 1e-10,
    max_iter: int = 50,
    masks=None,
    on_error: str = "raise",
) -> tuple[np.ndarray, np.ndarray]:
    """``k`` Cox models of ``p`` covariates each, fitted side by side.

    A subgroup analysis fits many small models to one set of times: one
    treatment-by-subgroup interaction model per subgroup variable, or the
    treatment effect within each subgroup; a power simulation fits one model
    to each of many simulated cohorts of the same size.  Model ``j`` is
    ``cox_fit(time, event, X[:, j, :])`` (on the rows of ``masks[:, j]`` when
    given; with ``time[:, j]`` and ``event[:, j]`` when they are 2-D); the
    Newton iterations of all models run as one array computation, each with
    :func:`cox_fit`'s start, step and stopping rule.  A model that would need
    step halving, meets a singular information, does not converge or diverges
    (``|coef| > 15``), or has tied times, is refitted by :func:`cox_fit`
    itself, so the results (and the errors) are :func:`cox_fit`'s.

    Parameters
    ----------
    time, event : array (n,) or (n, k)
        Shared by every model, or one column per model.
    X : array (n, k, p)
        Covariates of model ``j`` in ``X[:, j, :]``.
    ties : {"efron", "breslow"}
    masks : bool array (n, k), optional
        Fit model ``j`` on the rows where ``masks[:, j]`` is true only.
    on_error : {"raise", "nan"}
        What a model that :func:`cox_fit` cannot fit (no events, a covariate
        constant in its rows, a singular information) gives: the error, or NaN
        coefficients and SEs.

    Returns
    -------
    coef, se : arrays (k, p)

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> arm, sub = rng.integers(0, 2, (2, 120)).astype(float)
    >>> t = rng.exponential(1 / np.exp(0.5 * arm))
    >>> X = np.stack([np.column_stack([arm, sub, arm * sub]), np.column_stack([arm, 1 - sub, arm * (1 - sub)])], axis=1)
    >>> coef, se = cox_fit_many(t, np.ones(120), X)
    >>> bool(np.allclose(coef[1], cox_fit(t, np.ones(120), X[:, 1, :])[0]))
    True
    """
    if ties not in ("efron", "breslow"):
        raise ValueError(f"unknown ties {ties!r}; expected 'efron' or 'breslow'")
    if on_error not in ("raise", "nan"):
        raise ValueError(f"on_error must be 'raise' or 'nan', got {on_error!r}")
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=int)
    X = np.asarray(X, dtype=float)
    if X.ndim != 3 or not (t.shape[0] == e.shape[0] == X.shape[0]):
        raise ValueError("X must be (n, k, p) with one row per time and event")
    n, k, p = X.shape
    shared = t.ndim == 1
    if t.shape != e.shape or (t.shape != (n,) and t.shape != (n, k)):
        raise ValueError(
            f"time and event must both have shape {(n,)} or {(n, k)}, got {t.shape} and {e.shape}"
        )
    M = np.ones((n, k), dtype=bool) if masks is None else np.asarray(masks, dtype=bool)
    if M.shape != (n, k):
        raise ValueError(f"masks must have the shape {(n, k)}, got {M.shape}")
    coef, se = np.full((k, p), np.nan), np.full((k, p), np.nan)

    def one_by_one(models) -> tuple[np.ndarray, np.ndarray]:
        for j in models:
            m = M[:, j]
            try:
                xj = X[m, j, :]
                if (
                    masks is not None and xj.shape[0] and (xj == xj[:1]).all(axis=0).any()
                ):  # as the runners' own check
                    raise ValueError("a covariate is constant in the model's rows")
                tj, ej = (t, e) if shared else (t[:, j], e[:, j])
                c, s_, _ = cox_fit(tj[m], ej[m], xj, ties=ties, tol=tol, max_iter=max_iter)
            except (ValueError, np.linalg.LinAlgError):
                if on_error == "raise":
                    raise
                continue
            coef[j], se[j] = c, s_
        return coef, se

    if k == 0 or p == 0 or not np.isfinite(X).all() or not np.isfinite(t).all() or e.sum() == 0:
        return one_by_one(range(k))  # cox_fit raises the error
    if shared:
        order = np.argsort(-t, kind="stable")
        ts, es, Xs, Mb = t[order], e[order], X[order], M[order]
        if (ts[1:] == ts[:-1]).any():
            return one_by_one(range(k))
        tied = np.zeros(k, dtype=bool)
        es = es[:, None]
    else:  # each model's rows in its own order of descending time
        order = np.argsort(-t, axis=0, kind="stable")
        ts, es = np.take_along_axis(t, order, 0), np.take_along_axis(e, order, 0)
        Xs, Mb = np.take_along_axis(X, order[:, :, None], 0), np.take_along_axis(M, order, 0)
        tied = (ts[1:] == ts[:-1]).any(axis=0)
    Ms = Mb.astype(float)
    # models with no event or a constant covariate in their rows, or tied times: cox_fit decides
    ev = es * Ms
    lo = np.where(Mb[:, :, None], Xs, np.inf).min(axis=0)
    hi = np.where(Mb[:, :, None], Xs, -np.inf).max(axis=0)
    unfit = (ev.sum(axis=0) == 0) | ~(hi > lo).all(axis=1) | tied
    # no ties: one risk set per event row (of any model); an event row outside a model's
    # rows, or without that model's event, adds nothing to that model
    ends = np.flatnonzero(ev.any(axis=1))
    Me = ev[ends] > 0
    n_events = ev.sum(axis=0)
    xe = np.einsum("nk,nkp->kp", ev, Xs)
    # per row and model: x and the products x_a x_b, whose risk-set sums (with those of the
    # weights) give the log partial likelihood, its gradient and its Hessian; the Hessian is
    # symmetric, so only the products with a <= b
    iu = np.triu_indices(p)
    Z = np.concatenate([Xs, Xs[:, :, iu[0]] * Xs[:, :, iu[1]]], axis=2)
    masked = masks is not None or not shared

    def terms(beta, j):
        """Log partial likelihood, gradient and Hessian of the models ``j`` at their ``beta``."""
        x, mb = Xs[:, j], Mb[:, j]
        eta = x[:, :, 0] * beta[:, 0] if p == 1 else np.einsum("nkp,kp->nk", x, beta)
        if masked:
            m = np.where(mb, eta, -np.inf).max(axis=0)
            m = np.where(np.isfinite(m), m, 0.0)
            w = np.exp(eta - m) * Ms[:, j]
        else:
            m = eta.max(axis=0)
            w = np.exp(eta - m)
        c0 = np.cumsum(w, axis=0)[ends]
        cz = np.cumsum(Z[:, j] * w[:, :, None], axis=0)[ends]
        if masked:  # an event row outside a model's rows adds nothing to that model
            me = Me[:, j]
            c0 = np.where(me, c0, 1.0)
            r = cz / c0[:, :, None] * me[:, :, None]
        else:
            r = cz / c0[:, :, None]
        r1 = r[:, :, :p]
        ll = (ev[:, j] * eta).sum(axis=0) - np.log(c0).sum(axis=0) - m * n_events[j]
        upper = (r1[:, :, iu[0]] * r1[:, :, iu[1]] - r[:, :, p:]).sum(axis=0)
        hess = np.empty((len(j), p, p))
        hess[:, iu[0], iu[1]] = upper
        hess[:, iu[1], iu[0]] = upper
        return ll, xe[j] - r1.sum(axis=0), hess

    def newton_steps(grad, hess):
        """Each model's step ``solve(-hess, grad)``, and which models have a singular information."""
        if p == 1:  # scalar algebra, as cox_fit's
            h = hess[:, 0, 0]
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(h == 0, 0.0, grad[:, 0] / -h)[:, None], h == 0
        singular = np.zeros(len(grad), dtype=bool)
        try:
            return np.linalg.solve(-hess, grad[:, :, None])[:, :, 0], singular
        except np.linalg.LinAlgError:  # find which ones
            step = np.zeros_like(grad)
            for i in range(len(grad)):
                try:
                    step[i] = np.linalg.solve(-hess[i], grad[i])
                except np.linalg.LinAlgError:
                    singular[i] = True
            return step, singular

    # each model iterates as cox_fit does; the arrays hold the models still iterating only
    beta = np.zeros((k, p))
    hess_all = np.zeros((k, p, p))
    redo = unfit.copy()
    idx = np.flatnonzero(~unfit)
    ll, grad, hess = terms(beta[idx], idx)
    hess_all[idx] = hess
    for _ in range(max_iter):
        if idx.size == 0:
            break
        step, singular = newton_steps(grad, hess)
        new = beta[idx] + step
        ll_new, g_new, h_new = terms(new, idx)
        halve = ll_new < ll - 1e-12  # cox_fit would halve the step: let it
        # diverging (an arm without events in the rows): its path is fragile in floating point,
        # so cox_fit's own run decides
        stop = singular | halve | (np.abs(new) > 15).any(axis=1)
        upd = ~stop
        converged = (
            upd
            & (np.abs(ll_new - ll) < tol * (np.abs(ll) + tol))
            & (np.abs(step).max(axis=1) < 1e-7)
        )
        beta[idx[upd]] = new[upd]
        hess_all[idx[upd]] = h_new[upd]
        redo[idx[stop]] = True
        keep = upd & ~converged
        idx, ll, grad, hess = idx[keep], ll_new[keep], g_new[keep], h_new[keep]
    # models still iterating after max_iter: cox_fit refuses them (or decides)
    redo[idx] = True
    hess = hess_all
    done = np.flatnonzero(~redo)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 1:
            coef[done], se[done] = beta[done], np.sqrt(1.0 / -hess[done, 0])
        else:
            for j in done:
                try:
                    coef[j], se[j] = beta[j], np.sqrt(np.diag(np.linalg.inv(-hess[j])))
                except np.linalg.LinAlgError:  # singular at the solution: cox_fit's own run decides
                    redo[j] = True
    return one_by_one(np.flatnonzero(redo))


def cox_table(
    df: pd.DataFrame,
    duration: str,
    event: str,
    covariates,
    ties: str = "efron",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Same columns as :func:`hccrep.stats.survival.cox`'s table (coef, hr, lower, upper, se, z, p).

    Times and events are validated as :func:`hccrep.stats.survival.cox`
    validates them: times finite and non-negative, events 0/1 (R's 1/2
    ``Surv`` status coding is refused, as it would count censored patients
    as events).

    Parameters
    ----------
    df : DataFrame
        One row per patient.
    duration, event : str
        Columns of follow-up time and 0/1 event.
    covariates : list of str
        Numeric covariate columns (no intercept).
    ties : {"efron", "breslow"}
        Tie handling of the partial likelihood.
    alpha : float
        1 - the confidence level of the limits.

    Returns
    -------
    DataFrame
        One row per covariate: ``coef, hr, lower, upper, se, z, p``.

    Examples
    --------
    >>> d = pd.DataFrame({"t": [5, 8, 12, 3, 9, 15, 7, 11], "e": [1, 1, 0, 1, 1, 0, 1, 0],
    ...                   "x": [1, 0, 0, 1, 0, 1, 1, 0]})
    >>> cox_table(d, "t", "e", ["x"]).loc["x", ["coef", "se"]].round(4).tolist()  # R: coef 1.1243, se 0.9405
    [1.1243, 0.9405]
    >>> cox_table(d.assign(e=d.e + 1), "t", "e", ["x"])
    Traceback (most recent call last):
    ...
    ValueError: event column 'e' must be 0/1 (1 = event), found [2.0]
    """
    from hccrep.stats.survival import _as_time_event

    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates:
        raise ValueError("covariates is empty")
    for name, role in ((duration, "duration"), (event, "event")):
        if name not in df.columns:
            raise ValueError(f"{role} column {name!r} not in df")
        if name in covariates:
            raise ValueError(f"{role} column {name!r} is also listed as a covariate")
    missing = [c for c in covariates if c not in df.columns]
    if missing:
        raise ValueError(f"covariate(s) {missing} not in df")
    if len(set(covariates)) != len(covariates):
        raise ValueError(
            f"covariates listed more than once: {sorted({c for c in covariates if covariates.count(c) > 1})}"
        )
    t, e = _as_time_event(
        df[duration], df[event], f"duration column {duration!r}", f"event column {event!r}"
    )
    try:
        x = df[covariates].to_numpy(float)
    except (TypeError, ValueError):
        bad = [
            c
            for c in covariates
            if not pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
        ]
        raise ValueError(
            f"covariate {(bad or covariates)[0]!r} is not numeric; encode it as 0/1 dummies"
        ) from None
    finite = np.isfinite(x).all(axis=0)
    if not finite.all():
        raise ValueError(
            f"covariate {covariates[int(np.flatnonzero(~finite)[0])]!r} has missing or infinite values"
        )
    constant = np.ptp(x, axis=0) == 0  # exactly: a column's std can be 1e-17 when it is constant
    if constant.any():
        raise ValueError(f"covariate {covariates[int(np.flatnonzero(constant)[0])]!r} is constant")
    coef, se, _ = cox_fit(t, e, x, ties=ties)
    cols = wald_columns(coef, se, alpha)
    return pd.DataFrame(cols, index=pd.Index(covariates, name="covariate"))


def wald_columns(coef, se, alpha: float = 0.05) -> dict[str, np.ndarray]:
    """Hazard ratios with Wald limits, z and two-sided p from coefficients and SEs.

    ``p = 2 * Phi(-|z|)`` through :func:`scipy.special.ndtr` (what
    ``scipy.stats.norm.sf`` computes, without its per-call overhead).  A
    diverging coefficient (no events in one arm) gives an infinite HR and a
    NaN or zero p, as R's ``coxph`` prints them.

    Parameters
    ----------
    coef, se : numpy.ndarray
        Coefficients and their standard errors.
    alpha : float
        1 - the confidence level of the limits.

    Returns
    -------
    dict of numpy.ndarray
        ``coef, hr, lower, upper, se, z, p``.

    Examples
    --------
    >>> cols = wald_columns(np.array([np.log(2.0)]), np.array([0.25]))
    >>> round(float(cols["hr"][0]), 6), round(float(cols["p"][0]), 4)
    (2.0, 0.0056)
    """
    coef, se = np.asarray(coef, dtype=float), np.asarray(se, dtype=float)
    q = _z(alpha)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        z = coef / se
        return {
            "coef": coef,
            "hr": np.exp(coef),
            "lower": np.exp(coef - q * se),
            "upper": np.exp(coef + q * se),
            "se": se,
            "z": z,
            "p": 2 * special.ndtr(-np.abs(z)),
        }

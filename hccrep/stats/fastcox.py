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
from scipy import stats

__all__ = ["cox_fit", "cox_table"]


def _efron_terms(beta: np.ndarray, t: np.ndarray, e: np.ndarray, x: np.ndarray, ties: str):
    """Log partial likelihood, gradient and Hessian; data sorted by descending time.

    Vectorised over tied-event "slots": a time with ``d`` events contributes
    ``d`` terms whose risk-set sums are reduced by ``l/d`` of the tied events'
    sums (Efron), or not at all (Breslow).
    """
    eta = x @ beta
    m = eta.max()
    w = np.exp(eta - m)  # a common factor cancels in every ratio; added back to the log-likelihood
    wx = w[:, None] * x
    wxx = wx[:, :, None] * x[:, None, :]
    c0, c1, c2 = np.cumsum(w), np.cumsum(wx, axis=0), np.cumsum(wxx, axis=0)
    # blocks of equal times (the risk set of a block ends at its last index)
    ends = np.flatnonzero(np.r_[t[1:] != t[:-1], True])
    starts = np.r_[0, ends[:-1] + 1]
    d = np.add.reduceat(e, starts)
    has = d > 0
    starts, ends, d = starts[has], ends[has], d[has]
    ew = w * e
    # sums over the tied events of each block, from cumulative sums of event-weighted terms
    ce0, ce1, ce2 = np.cumsum(ew), np.cumsum(ew[:, None] * x, axis=0), np.cumsum(ew[:, None, None] * x[:, :, None] * x[:, None, :], axis=0)
    prev = starts - 1
    d0 = ce0[ends] - np.where(prev >= 0, ce0[np.maximum(prev, 0)], 0.0)
    d1 = ce1[ends] - np.where(prev[:, None] >= 0, ce1[np.maximum(prev, 0)], 0.0)
    d2 = ce2[ends] - np.where(prev[:, None, None] >= 0, ce2[np.maximum(prev, 0)], 0.0)
    block = np.repeat(np.arange(d.size), d)
    within = np.arange(block.size) - np.repeat(np.cumsum(d) - d, d)
    f = within / np.repeat(d, d) if ties == "efron" else np.zeros(block.size)
    s0 = c0[ends][block] - f * d0[block]
    s1 = c1[ends][block] - f[:, None] * d1[block]
    s2 = c2[ends][block] - f[:, None, None] * d2[block]
    ll = float(eta @ e - np.log(s0).sum() - m * block.size)
    grad = x.T @ e - (s1 / s0[:, None]).sum(axis=0)
    hess = -(s2 / s0[:, None, None]).sum(axis=0) + np.einsum("ki,kj->ij", s1 / s0[:, None], s1 / s0[:, None])
    return ll, grad, hess


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
    beta = np.zeros(x.shape[1])
    ll, grad, hess = _efron_terms(beta, t, e, x, ties)
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(-hess, grad)
        except np.linalg.LinAlgError:
            raise ValueError("singular information matrix (a constant or collinear covariate?)") from None
        new = beta + step
        ll_new, g_new, h_new = _efron_terms(new, t, e, x, ties)
        halvings = 0
        while ll_new < ll - 1e-12 and halvings < 30:  # step halving, as R's coxph
            step /= 2
            new = beta + step
            ll_new, g_new, h_new = _efron_terms(new, t, e, x, ties)
            halvings += 1
        converged = abs(ll_new - ll) < tol * (abs(ll) + tol)
        beta, ll, grad, hess = new, ll_new, g_new, h_new
        if converged and np.abs(step).max() < 1e-7:
            break
    with np.errstate(invalid="ignore", divide="ignore"):
        # a diverging fit (an arm without events in a small subgroup) leaves a singular
        # information matrix: its SEs come out infinite or NaN, as R's coxph reports them
        try:
            cov = np.linalg.inv(-hess)
        except np.linalg.LinAlgError:
            cov = np.full_like(hess, np.nan)
        se = np.sqrt(np.diag(cov))
    return beta, se, float(ll)


def cox_table(df: pd.DataFrame, duration: str, event: str, covariates, ties: str = "efron", alpha: float = 0.05) -> pd.DataFrame:
    """Same columns as :func:`hccrep.stats.survival.cox`'s table (coef, hr, lower, upper, se, z, p)."""
    covariates = list(covariates)
    x = df[covariates].to_numpy(float)
    if (x.std(axis=0) == 0).any():
        bad = [c for c, s in zip(covariates, x.std(axis=0)) if s == 0]
        raise ValueError(f"covariate {bad[0]!r} is constant")
    coef, se, _ = cox_fit(df[duration].to_numpy(float), df[event].to_numpy(int), x, ties=ties)
    q = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        z = coef / se  # a diverging coefficient (no events in one arm) gives an infinite HR, as in R
        return pd.DataFrame(
            {"coef": coef, "hr": np.exp(coef), "lower": np.exp(coef - q * se), "upper": np.exp(coef + q * se),
             "se": se, "z": z, "p": 2 * stats.norm.sf(np.abs(z))},
            index=pd.Index(covariates, name="covariate"),
        )

"""Two raters' ratings with given margins and (as nearly as integers allow) a given Cohen's kappa.

:func:`simulate_ratings` builds the integer cross-table whose margins are the printed rates
and whose agreement count gives the printed kappa, then shuffles the subjects; the tu2025
chapter uses it for the agreement of response criteria. Kappa itself is computed by
:func:`hccrep.stats.prediction.cohen_kappa`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["simulate_ratings"]


def _apportion(n: int, marginal, name: str) -> np.ndarray:
    """Counts summing to n: round(n * marginal), fixed by largest remainders when needed."""
    try:
        m = np.asarray(marginal, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of proportions") from None
    if m.size < 2:
        raise ValueError(f"{name} needs at least 2 categories")
    if not np.isfinite(m).all() or (m < 0).any():
        raise ValueError(f"{name} must hold non-negative finite proportions")
    if abs(m.sum() - 1.0) > 0.02:
        raise ValueError(
            f"{name} must sum to 1 (within 0.02 for printed rounding), sums to {m.sum():.4f}"
        )
    m = m / m.sum()
    counts = np.floor(n * m + 0.5).astype(np.int64)
    diff = n - int(counts.sum())
    if diff:
        rem = n * m - counts
        order = np.argsort(-rem if diff > 0 else rem, kind="stable")
        counts[order[: abs(diff)]] += int(np.sign(diff))
    return counts


def _target_table(ra: np.ndarray, rb: np.ndarray, trace: float) -> np.ndarray:
    """A real table with margins ra, rb and the given trace (mixture of extreme tables)."""
    n = ra.sum()
    indep = np.outer(ra, rb) / n
    d = np.minimum(ra, rb).astype(float)
    rr, cc = ra - d, rb - d
    rest = rr.sum()
    high = np.diag(d) + (np.outer(rr, cc) / rest if rest > 0 else 0.0)
    t_ind, t_high = np.trace(indep), np.trace(high)
    if trace >= t_ind:
        w = 0.0 if t_high == t_ind else min((trace - t_ind) / (t_high - t_ind), 1.0)
        return (1 - w) * indep + w * high
    low = _extreme_table(ra, rb, minimise=True)
    t_low = np.trace(low)
    w = 0.0 if t_low == t_ind else min((t_ind - trace) / (t_ind - t_low), 1.0)
    return (1 - w) * indep + w * low


def _extreme_table(ra: np.ndarray, rb: np.ndarray, minimise: bool) -> np.ndarray:
    from scipy.optimize import linprog

    k = ra.size
    a_eq, b_eq = _margin_constraints(ra, rb)
    cost = np.eye(k).ravel() * (1.0 if minimise else -1.0)
    res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if not res.success:  # pragma: no cover - margins with equal totals are always feasible
        raise ValueError(f"no table with these margins: {res.message}")
    return res.x.reshape(k, k)


def _margin_constraints(ra: np.ndarray, rb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = ra.size
    rows = np.kron(np.eye(k), np.ones((1, k)))
    cols = np.kron(np.ones((1, k)), np.eye(k))
    return np.vstack([rows, cols]), np.r_[ra, rb].astype(float)


def _integer_table(ra: np.ndarray, rb: np.ndarray, trace: float, target: np.ndarray) -> np.ndarray:
    """Integer table with margins ra, rb whose trace is closest to ``trace`` (then closest to ``target``)."""
    from scipy.optimize import LinearConstraint, milp

    k = ra.size
    kk = k * k
    n = int(ra.sum())
    a_eq, b_eq = _margin_constraints(ra, rb)
    # variables: x (kk cells), u (kk |x - target| bounds), v (|trace(x) - trace|)
    nv = 2 * kk + 1
    big = 10.0 * (n + 1) * kk
    cost = np.r_[np.zeros(kk), np.ones(kk), big]
    rows, lo, hi = [], [], []
    eq = np.zeros((a_eq.shape[0], nv))
    eq[:, :kk] = a_eq
    rows.append(eq)
    lo.append(b_eq)
    hi.append(b_eq)
    for sign in (1.0, -1.0):  # sign * (x - target) <= u
        blk = np.zeros((kk, nv))
        blk[:, :kk] = sign * np.eye(kk)
        blk[:, kk : 2 * kk] = -np.eye(kk)
        rows.append(blk)
        lo.append(np.full(kk, -np.inf))
        hi.append(sign * target.ravel())
        tr = np.zeros((1, nv))
        tr[0, :kk] = sign * np.eye(k).ravel()
        tr[0, -1] = -1.0
        rows.append(tr)
        lo.append(np.array([-np.inf]))
        hi.append(np.array([sign * trace]))
    cons = LinearConstraint(np.vstack(rows), np.concatenate(lo), np.concatenate(hi))
    integrality = np.r_[np.ones(kk), np.zeros(kk + 1)]
    bounds = (np.zeros(nv), np.r_[np.full(kk, n), np.full(kk + 1, np.inf)])
    from scipy.optimize import Bounds

    res = milp(cost, constraints=cons, integrality=integrality, bounds=Bounds(*bounds))
    if not res.success:  # pragma: no cover
        raise ValueError(f"could not build a table with these margins: {res.message}")
    return np.rint(res.x[:kk]).astype(np.int64).reshape(k, k)


def simulate_ratings(
    n: int, marginal_a, marginal_b, kappa: float, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Two rating vectors with given marginal counts and (as nearly as possible) a given kappa.

    The marginal counts are ``round(n * marginal)`` (largest remainders
    decide when the rounded counts do not add up to ``n``).  With the margins
    fixed, kappa depends only on the number of agreements, so the
    agreement count is ``round(n * (p_e + kappa * (1 - p_e)))`` clipped to what
    the margins allow; the off-diagonal cells follow a mixture of the
    independence table and the table of maximal (or minimal) agreement, and
    an integer program (scipy ``milp``) finds the integer table with exactly
    these margins whose agreement count is closest to the target.  The
    subjects are then put in random order with ``rng``.

    Parameters
    ----------
    n : int
        Number of subjects (at least 2).
    marginal_a, marginal_b : sequence of float
        Category proportions of each rater (same length, each summing to 1
        within 0.02).  Category ``i`` is coded ``i``.
    kappa : float
        Target kappa in [-1, 1].
    rng : numpy.random.Generator
        Source of randomness (only the order of the subjects is random).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Integer-coded ratings of length ``n``.

    Examples
    --------
    >>> a, b = simulate_ratings(100, [0.3, 0.7], [0.25, 0.75], 0.575, np.random.default_rng(1))
    >>> from hccrep.stats.prediction import cohen_kappa
    >>> int(a.sum()), int(b.sum()), round(cohen_kappa(a, b).kappa, 3)
    (70, 75, 0.575)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if (
        isinstance(kappa, bool)
        or not isinstance(kappa, (int, float, np.floating))
        or not -1 <= kappa <= 1
    ):
        raise ValueError(f"kappa must be a number in [-1, 1], got {kappa!r}")
    ra = _apportion(int(n), marginal_a, "marginal_a")
    rb = _apportion(int(n), marginal_b, "marginal_b")
    if ra.size != rb.size:
        raise ValueError(
            f"marginal_a and marginal_b have different numbers of categories ({ra.size} vs {rb.size})"
        )
    pe = float(ra @ rb) / n**2
    trace = n * (pe + kappa * (1 - pe))
    target = _target_table(ra, rb, trace)
    table = _integer_table(ra, rb, trace, target)
    k = ra.size
    cells = np.repeat(np.arange(k * k), table.ravel())
    order = rng.permutation(cells.size)
    cells = cells[order]
    return (cells // k).astype(np.int64), (cells % k).astype(np.int64)

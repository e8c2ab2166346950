"""How many worker processes an ``n_jobs`` argument may start here.

``HCCREP_MAX_JOBS`` caps every ``n_jobs`` of hccrep (the Monte Carlo runner
and the loops that call joblib directly), like ``OMP_NUM_THREADS`` caps
threads.  ``python -m hccrep.book execute`` sets it for the notebooks it runs
side by side, so that two notebooks on two cores do not each start two more
worker processes.  Results never depend on the number of workers (every cohort
has its own seed; ``tests/test_backends.py``), only the time does.
"""

from __future__ import annotations

import os

__all__ = ["MAX_JOBS_ENV", "cap_jobs", "map_seeds"]

#: The environment variable read by :func:`cap_jobs`.
MAX_JOBS_ENV = "HCCREP_MAX_JOBS"


def cap_jobs(n_jobs: int) -> int:
    """``n_jobs`` limited to ``HCCREP_MAX_JOBS`` workers when that variable is set.

    Negative values count as in joblib (-1: every core, -2: all but one, ...)
    before the cap.

    Parameters
    ----------
    n_jobs : int
        Workers asked for (joblib convention; negative counts from the number of cores).

    Returns
    -------
    int
        The number of workers to start: at most ``HCCREP_MAX_JOBS`` when it is set;
        ``n_jobs`` unchanged otherwise.

    Examples
    --------
    >>> os.environ[MAX_JOBS_ENV] = "1"
    >>> cap_jobs(2), cap_jobs(-1)
    (1, 1)
    >>> del os.environ[MAX_JOBS_ENV]
    >>> cap_jobs(2)
    2
    """
    raw = os.environ.get(MAX_JOBS_ENV, "").strip()
    if not raw:
        return n_jobs
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{MAX_JOBS_ENV} must be a positive integer, got {raw!r}")
    cap = int(raw)
    workers = n_jobs if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return min(workers, cap)


def map_seeds(fn, seeds, *args, n_jobs: int = 1) -> list:
    """``[fn(seed, *args) for seed in seeds]``, on ``cap_jobs(n_jobs)`` joblib processes when more than one.

    The loops over seeded cohorts outside :func:`hccrep.replication.monte_carlo`
    (null p-values, selection frequencies, matching) share it; the list is in
    the order of ``seeds`` whatever the number of workers.

    Parameters
    ----------
    fn : callable
        ``fn(seed, *args)``; must be picklable when ``n_jobs`` asks for more than one worker.
    seeds : iterable
        The seeds, one call each.
    *args
        Passed to every call after the seed.
    n_jobs : int
        Workers (joblib convention), capped by :func:`cap_jobs`.

    Returns
    -------
    list
        ``fn``'s results, in the order of ``seeds``.

    Examples
    --------
    >>> map_seeds(pow, [1, 2, 3], 2)
    [1, 4, 9]
    """
    seeds = list(seeds)
    n_jobs = cap_jobs(n_jobs)  # HCCREP_MAX_JOBS
    if n_jobs == 1:
        return [fn(s, *args) for s in seeds]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs)(delayed(fn)(s, *args) for s in seeds)

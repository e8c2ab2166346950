"""The appendix tables: every check and every audit finding of every study in one table.

:func:`all_scorecards` runs each study's registered runner and scorecard; :func:`all_audits`
runs :func:`hccrep.audit.audit_study` on each study. Both list the studies found under
``data/`` at build time (:func:`hccrep.spec.list_studies`), so a new study appears in the
appendices without editing them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["SCORECARD_COLUMNS", "AUDIT_COLUMNS", "NO_RUNNER_REASON", "all_scorecards", "all_audits"]

#: Columns of :func:`all_scorecards`, in order.
SCORECARD_COLUMNS = (
    "study",
    "key",
    "source",
    "row",
    "column",
    "quantity",
    "printed",
    "replicated",
    "mc_low",
    "mc_high",
    "verdict",
    "reason",
    "repeat_of",
    "label",
    "compared",
    "informative",
    "cause",
    "cause_detail",
    "cause_source",
)
#: Columns of :func:`all_audits`, in order.
AUDIT_COLUMNS = ("study", "check", "key", "source", "where", "printed", "status", "detail")


def _study_keys(studies: Sequence[str] | None) -> list[str]:
    from hccrep.spec import list_studies

    known = list_studies()
    if studies is None:
        return known
    if isinstance(studies, str) or not all(isinstance(s, str) for s in studies):
        raise ValueError(f"studies must be a sequence of study keys, got {studies!r}")
    unknown = [s for s in studies if s not in known]
    if unknown:
        raise ValueError(f"studies: unknown study keys {unknown}; known: {known}")
    return list(studies)


def all_scorecards(
    n_mc: int,
    *,
    seed: int | None = None,
    n_jobs: int = 1,
    studies: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The scorecard of every study in one table.

    Each study is run through its registered runner
    (:func:`hccrep.replication.runner_for`) and :func:`hccrep.replication.scorecard`,
    so every check of every study appears, including those no analysis replicates
    yet (verdict ``not checkable`` with the reason). A study that nothing can simulate
    (no module in :mod:`hccrep.studies` and no baseline table, e.g. a review) still lists
    every check, each ``not checkable`` with :data:`NO_RUNNER_REASON`.

    Parameters
    ----------
    n_mc : int
        Monte Carlo cohorts per study for the intervals (0: no interval).
    seed : int, optional
        One seed for every study; by default each study's own ``book_seed``.
    n_jobs : int
        Worker processes for the Monte Carlo (the result does not depend on it).
    studies : sequence of str, optional
        Study keys; by default every study under ``data/``
        (:func:`hccrep.spec.list_studies`).

    Returns
    -------
    DataFrame
        Columns :data:`SCORECARD_COLUMNS`, one row per check, studies in key order.

    Examples
    --------
    >>> card = all_scorecards(0, studies=["fonc2025"])   # doctest: +SKIP
    >>> card.study.unique()                               # doctest: +SKIP
    array(['fonc2025'], dtype=object)
    """
    from hccrep.replication import runner_for, scorecard
    from hccrep.spec import load_study

    if isinstance(n_mc, bool) or not isinstance(n_mc, int) or n_mc < 0:
        raise ValueError(f"n_mc must be a non-negative int, got {n_mc!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"seed must be None or a non-negative int, got {seed!r}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero int (joblib convention), got {n_jobs!r}")
    frames = []
    for key in _study_keys(studies):
        study = load_study(key)
        if _has_runner(study):
            card = scorecard(runner_for(study), n_mc=n_mc, seed=seed, n_jobs=n_jobs, progress=False)
        else:
            card = _unrunnable_card(study)
        frames.append(card.assign(study=key))
    if not frames:
        return pd.DataFrame(columns=list(SCORECARD_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(SCORECARD_COLUMNS)]


#: Reason given for the checks of a study that nothing can simulate yet.
NO_RUNNER_REASON = (
    "no simulation: the study has neither a baseline table nor a module in hccrep.studies"
)


def _has_runner(study) -> bool:
    """Whether :func:`hccrep.replication.runner_for` can simulate ``study``.

    A study module ``hccrep.studies.<key>`` always counts; without one, the generic
    baseline runner needs a baseline table (a review such as lv2025 has none).
    """
    import importlib.util

    from hccrep.spec import BaselineFile

    if importlib.util.find_spec(f"hccrep.studies.{study.key}") is not None:
        return True
    return any(isinstance(f, BaselineFile) for f in study.files.values())


def _unrunnable_card(study) -> pd.DataFrame:
    """Scorecard rows for a study nothing can simulate: every check, ``not checkable``."""
    from hccrep.display import check_label, compared_token
    from hccrep.replication import Runner

    rows = [
        {
            "key": n.key,
            "file_id": n.file_id,
            "source": n.source,
            "row": n.row,
            "column": n.column,
            "quantity": n.quantity,
            "printed": n.printed,
            "reported": n.value,
            "replicated": float("nan"),
            "mc_low": float("nan"),
            "mc_high": float("nan"),
            "verdict": "not checkable",
            "reason": NO_RUNNER_REASON,
            "repeat_of": "",
            "label": check_label(n, study),
            "compared": compared_token(n.printed, n.value, bound=n.bound, quantity=n.quantity),
            "informative": True,
            "cause": "",
            "cause_detail": "",
            "cause_source": "",
        }
        for n in Runner(study).checks
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "key",
            "file_id",
            "source",
            "row",
            "column",
            "quantity",
            "printed",
            "reported",
            "replicated",
            "mc_low",
            "mc_high",
            "verdict",
            "reason",
            "repeat_of",
            "label",
            "compared",
            "informative",
            "cause",
            "cause_detail",
            "cause_source",
        ],
    )


def all_audits(studies: Sequence[str] | None = None, *, include_ok: bool = True) -> pd.DataFrame:
    """Every audit finding of every study in one table (:func:`hccrep.audit.audit_study`).

    Parameters
    ----------
    studies : sequence of str, optional
        Study keys; by default every study under ``data/``.
    include_ok : bool
        Keep the findings whose status is ``ok``.

    Returns
    -------
    DataFrame
        Columns :data:`AUDIT_COLUMNS`.

    Examples
    --------
    >>> all_audits(["fonc2025"]).columns[0]   # doctest: +SKIP
    'study'
    """
    from hccrep.audit import audit_study

    if not isinstance(include_ok, bool):
        raise ValueError(f"include_ok must be a bool, got {include_ok!r}")
    frames = [
        audit_study(key, include_ok=include_ok).assign(study=key) for key in _study_keys(studies)
    ]
    if not frames:
        return pd.DataFrame(columns=list(AUDIT_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(AUDIT_COLUMNS)]

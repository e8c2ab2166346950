"""fonc2025, step 8: propensity-score matching (Table 6 and the PSM results section).

The paper matched the two arms 1:1 by nearest neighbour without replacement
with "a caliper of 0.2" on five covariates and analysed PFS in the matched
pairs.  The helpers here read every setting from ``data/fonc2025/table6.yaml``
(the covariates, the caliper, the ratio) and run the matching under every
reading of the caliper (:mod:`hccrep.stats.matching` does that for any study that declares a
matched population).  Two helpers are particular to this paper:

* :func:`selection_table` -- which PFS univariable p-values of Table 5 fall
  below the selection threshold, beside the covariates the paper lists;
* :func:`pairs_table` -- the number of pairs under each reading
  (:func:`hccrep.stats.matching.match_readings`) beside the reported one.

The matching itself is :mod:`hccrep.stats.matching`.

Examples
--------
>>> from hccrep.spec import load_study
>>> st = load_study("fonc2025")
>>> sel = selection_table(st)
>>> bool((sel["selected"] == sel["listed"]).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from hccrep.spec import Study
from hccrep.stats.matching import MatchResult, declared_matching, reading_labels

__all__ = ["selection_table", "pairs_table"]

# --------------------------------------------------------------------------- selection and matching


def selection_table(study: Study) -> pd.DataFrame:
    """The PFS univariable p-values of Table 5 against the paper's selection threshold.

    The PSM results section says the matching covariates were the variables with a PFS
    univariable p below a threshold; ``selected`` applies that rule to the
    printed p-values (the arm itself excluded) and ``listed`` marks the
    covariates the paper names (``psm_selection_p_threshold`` in
    ``table6.yaml``).

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).

    Returns
    -------
    pandas.DataFrame
        One row per variable: ``variable, printed_hr, printed_p, p, selected, listed``.
    """
    sel = study.number("psm_selection_p_threshold")
    listed = set(declared_matching(study).covariates)
    group = study.simulation.group_variable
    hrs = {
        n.analysis.model_dump_json(): n
        for n in study.numbers
        if n.file_id == "table5" and n.quantity == "hr" and n.analysis is not None
    }
    rows = []
    for n in study.numbers:
        a = n.analysis
        if n.file_id != "table5" or n.quantity != "p" or a is None or a.endpoint != "pfs":
            continue
        if len(a.terms) != 1 or a.term == group:
            continue
        rows.append(
            {
                "variable": a.term,
                "printed_hr": hrs[a.model_dump_json()].printed,
                "printed_p": n.printed,
                "p": n.value,
                "selected": bool(n.value < sel.value),
                "listed": a.term in listed,
            }
        )
    return pd.DataFrame(rows)


def pairs_table(study: Study, results: Mapping[str, MatchResult]) -> pd.DataFrame:
    """Matched pairs under each reading beside the reported number.

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).
    results : mapping of str to MatchResult
        Matched sets by reading (:func:`match_readings`).

    Returns
    -------
    pandas.DataFrame
        Indexed by reading: ``description``, ``matched on``, ``caliper width``
        (on the scale matched on; NaN without a caliper), ``pairs`` and
        ``reported`` (Table 6).
    """
    labels = reading_labels(study)
    reported = study.number("psm_matched_rt_io_t")
    rows = {}
    for r, res in results.items():
        rows[r] = {
            "description": labels.get(r, r),
            "matched on": "logit of PS" if res.caliper_scale == "logit_sd" else "PS",
            "caliper width": np.nan if res.caliper is None else res.caliper,
            "pairs": res.n_treated_matched,
            "reported": reported.printed,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------- balance

"""fonc2025 (Front. Oncol. 2025; IO+T vs RT+IO+T): glue shared by its notebooks and tests.

The cohort is built from Table 1 (baseline), the per-arm KM medians of OS and
PFS and the adjusted covariate hazard ratios of Table 5 (survival), and the
per-arm counts of Tables 2-4 (radiotherapy target, response, adverse events).
Everything else the paper prints is a check, computed here on the simulated
cohort with a named method.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from hccrep.frames import str_labels
from hccrep.replication import DeclaredRunner
from hccrep.simulate.baseline import baseline_columns
from hccrep.simulate.study import simulate_endpoints
from hccrep.spec import ReportedNumber, Study

__all__ = ["make_runner", "Fonc2025Runner", "KM_CONF_TYPE", "KM_ENGINES"]

#: R survfit's default KM interval; the paper used R and SPSS without naming the transform.
KM_CONF_TYPE = "log"
#: Engines for the Kaplan-Meier medians, landmark rates and log-rank tests of the Monte Carlo:
#: "numpy" (:mod:`hccrep.stats.fastsurv`, the default, ~50x faster) or "lifelines"
#: (:mod:`hccrep.stats.survival`); both give the same values (``tests/test_fastsurv.py``).
KM_ENGINES = ("numpy", "lifelines")

RESPONSE_LEVELS = ("pr", "sd", "pd")


def _numbers(study: Study, file_id: str) -> list[ReportedNumber]:
    return [n for n in study.numbers if n.file_id == file_id]


def _arrange(rng: np.random.Generator, n: int, counts: list[int]) -> np.ndarray:
    """A random arrangement of exactly ``counts[i]`` copies of each code ``i``."""
    if sum(counts) != n:
        raise ValueError(f"counts {counts} do not sum to {n}")
    return rng.permutation(np.repeat(np.arange(len(counts)), counts))


class Fonc2025Runner(DeclaredRunner):
    """Simulate the fonc2025 cohort with outcomes and replicate every check it can."""

    def __init__(self, study: Study, variants=None, not_checkable=None, only=None):
        # the tests of Tables 1, 3 and 4 are declared in the data files
        v = {
            "km_conf_type": KM_CONF_TYPE,
            "ties": "efron",
            "cox_engine": "numpy",
            "km_engine": "numpy",
        }
        v.update(variants or {})
        if v["km_engine"] not in KM_ENGINES:
            raise ValueError(
                f"variants['km_engine'] must be one of {KM_ENGINES}, got {v['km_engine']!r}"
            )
        nc = {
            "rt_bed10_median_gy": "BED needs each patient's dose and fractions; the paper gives only their separate medians and ranges (see step 2, which computes BED for the stated regimens)",
            "rt_bed10_median_gy.lower": "a limit of the BED10 range: not checkable for the same reason as its median",
            "rt_bed10_median_gy.upper": "a limit of the BED10 range: not checkable for the same reason as its median",
            "pfs_landmark_p": "the test behind the landmark p-value is not stated",
            "os_landmark_p": "the test behind the landmark p-values is not stated",
        }
        for n in study.numbers:  # Table 5 rows without a declared model: the HBV rows
            if n.file_id == "table5" and n.analysis is None:
                nc[n.key] = (
                    "HBV status is not reported in Table 1, so the simulated cohort has no HBV variable"
                )
                nc[f"{n.key}.lower"] = nc[f"{n.key}.upper"] = nc[n.key]
        nc.update(not_checkable or {})
        super().__init__(study, v, nc, overrides=variants or {}, only=only)

    # ------------------------------------------------------------------ simulation
    def simulate_columns(self, seed) -> dict:
        """The declared cohort plus the paper's own columns: response, adverse events, RT target."""
        rng = np.random.default_rng(seed)
        st = self.study
        gcol = self.group_column
        cohort = baseline_columns(st.baseline(), rng, st.simulation)
        cohort = simulate_endpoints(st, cohort, rng)
        groups = [g.key for g in st.baseline().groups]
        sizes = {g.key: g.n for g in st.baseline().groups}
        arm = str_labels(cohort[gcol])
        n_patients = arm.size
        new: dict[str, object] = {}
        # response at 3 months (Table 3): PR / SD / PD counts per arm
        resp = {
            (n.about.endpoint, n.about.group): int(n.about.count)
            for n in _numbers(st, "table3")
            if n.role == "input"
        }
        response = np.full(n_patients, -1)  # level codes (a Categorical from codes, not strings)
        for g in groups:
            idx = np.flatnonzero(arm == g)
            response[idx] = _arrange(rng, idx.size, [resp[(lv, g)] for lv in RESPONSE_LEVELS])
        new["response"] = pd.Categorical.from_codes(response, categories=list(RESPONSE_LEVELS))
        # adverse events (Table 4): any grade per arm; grade 3-4 among those with any grade
        ae = defaultdict(dict)
        for n in _numbers(st, "table4"):
            if n.role == "input":
                ae[n.about.endpoint][(n.about.grade, n.about.group)] = int(n.about.count)
        for name, cells in ae.items():
            anyc, g34 = np.zeros(n_patients, dtype=int), np.zeros(n_patients, dtype=int)
            for g in groups:
                idx = np.flatnonzero(arm == g)
                k_any, k_34 = cells.get(("any", g), 0), cells.get(("3-4", g), 0)
                chosen = rng.permutation(idx)[:k_any]
                anyc[chosen] = 1
                g34[rng.permutation(chosen)[:k_34]] = 1
            new[f"{name}_any"], new[f"{name}_g34"] = anyc, g34
        # radiotherapy target of each RT patient (Table 2: patients by primary target)
        sites = {
            n.about.level: int(n.about.count)
            for n in _numbers(st, "table2")
            if n.about.variable == "rt_site" and n.about.level in ("pvtt_hvtt", "liver")
        }
        rt_site = np.full(n_patients, None, dtype=object)
        rt = np.flatnonzero(arm == groups[-1])
        if sum(sites.values()) == sizes[groups[-1]]:
            codes = _arrange(rng, rt.size, list(sites.values()))
            rt_site[rt] = np.array(list(sites), dtype=object)[codes]
        new["rt_site"] = rt_site
        return {**cohort, **new}

    # every check of the paper is a declared analysis of its data files (the declared runner's
    # analyse): Table 1, the response and adverse-event tests, KM medians, landmarks and log-rank
    # tests, the Cox models of Table 5, the subgroups, PFS by radiotherapy target and the matched
    # cohort of Table 6


def make_runner(study: Study, **kwargs) -> Fonc2025Runner:
    """The fonc2025 runner (declared tests can be overridden for a what-if run, e.g. ``variants={"categorical": "fisher"}``).

    Parameters
    ----------
    study : Study
        The fonc2025 study (:func:`hccrep.spec.load_study`).
    **kwargs
        Passed to :class:`Fonc2025Runner` (e.g. ``variants``, ``parts``).

    Returns
    -------
    Fonc2025Runner
        The runner the replication machinery registers for fonc2025.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> type(make_runner(load_study("fonc2025"))).__name__
    'Fonc2025Runner'
    """
    return Fonc2025Runner(study, **kwargs)

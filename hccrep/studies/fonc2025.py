"""fonc2025 (Front. Oncol. 2025; IO+T vs RT+IO+T): glue shared by its notebooks and tests.

The cohort is built from Table 1 (baseline), the per-arm KM medians of OS and
PFS and the adjusted covariate hazard ratios of Table 5 (survival), and the
per-arm counts of Tables 2-4 (radiotherapy target, response, adverse events).
Everything else the paper prints is a check, computed here on the simulated
cohort with a named method.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd

from hccrep.frames import str_labels
from hccrep.replication import DeclaredRunner
from hccrep.simulate import simulate_baseline
from hccrep.simulate.study import simulate_endpoints
from hccrep.spec import ReportedNumber, Study

__all__ = ["make_runner", "Fonc2025Runner", "KM_CONF_TYPE", "KM_ENGINES", "PART_FILES"]

#: R survfit's default KM interval; the paper used R and SPSS without naming the transform.
KM_CONF_TYPE = "log"
#: Engines for the Kaplan-Meier medians, landmark rates and log-rank tests of the Monte Carlo:
#: "numpy" (:mod:`hccrep.stats.fastsurv`, the default, ~50x faster) or "lifelines"
#: (:mod:`hccrep.stats.survival`); both give the same values (``tests/test_fastsurv.py``).
KM_ENGINES = ("numpy", "lifelines")
#: The paper says "caliper width of 0.2" without a scale; the authors used R, whose MatchIt reads
#: ``caliper = 0.2`` as 0.2 SD of the propensity score (std.caliper = TRUE).  Step 8 shows Austin's
#: 0.2 SD of the logit beside it.
PSM_CALIPER_SCALE = "ps_sd"

RESPONSE_LEVELS = ("pr", "sd", "pd")

#: The analyses of the runner and the data files whose checks each computes (``parts`` of
#: :class:`Fonc2025Runner` restricts a run to some of them: the same cohorts, fewer analyses).
#: "baseline" and "survival" are declared analyses of the data files; the others are this module's.
PART_FILES = {
    "baseline": ("table1",),
    "counts": (
        "table3",
        "table4",
        "safety_text",
        "discussion",
    ),  # declared 2 x 2 tests of response and adverse events
    "survival": ("survival_text", "figure4"),
    "cox": ("table5",),  # declared Cox models of table5.yaml
    "subgroups": ("subgroups",),  # declared: subgroup Cox models and interaction tests
    "rt_site": ("rt_site",),  # declared: PFS by radiotherapy target
    "psm": ("table6",),  # declared on the matched cohort (population)
}


def _numbers(study: Study, file_id: str) -> list[ReportedNumber]:
    return [n for n in study.numbers if n.file_id == file_id]


def _indicator_of(col: np.ndarray, level: str, reference: str) -> np.ndarray:
    """:meth:`Fonc2025Runner._indicator` on an array of strings."""
    present = set(col.tolist())
    if level not in present and reference in present:
        return (col != reference).astype(float)
    return (col == level).astype(float)


def _assign_counts(
    rng: np.random.Generator, n: int, counts: list[int], labels: list[str]
) -> np.ndarray:
    """A random arrangement of exactly ``counts[i]`` copies of ``labels[i]``."""
    if sum(counts) != n:
        raise ValueError(f"counts {counts} do not sum to {n}")
    return rng.permutation(np.repeat(np.array(labels, dtype=object), counts))


class Fonc2025Runner(DeclaredRunner):
    """Simulate the fonc2025 cohort with outcomes and replicate every check it can."""

    def __init__(
        self, study: Study, variants=None, not_checkable=None, parts: Iterable[str] | None = None
    ):
        if parts is not None:
            parts = tuple(parts)
            bad = [p for p in parts if p not in PART_FILES]
            if bad or not parts:
                raise ValueError(
                    f"unknown or no analyses {bad or list(parts)}; choose from {list(PART_FILES)}"
                )
        # the tests of Tables 1, 3 and 4 are declared in the data files
        v = {
            "km_conf_type": KM_CONF_TYPE,
            "ties": "efron",
            "cox_engine": "numpy",
            "km_engine": "numpy",
            "psm_caliper_scale": PSM_CALIPER_SCALE,
        }
        v.update(variants or {})
        if v["km_engine"] not in KM_ENGINES:
            raise ValueError(
                f"variants['km_engine'] must be one of {KM_ENGINES}, got {v['km_engine']!r}"
            )
        nc = {
            "rt_bed10_median_gy": "BED needs each patient's dose and fractions; the paper gives only their separate medians and ranges (see step 2, which computes BED for the stated regimens)",
            "rt_bed10_median_gy.lower": "as rt_bed10_median_gy",
            "rt_bed10_median_gy.upper": "as rt_bed10_median_gy",
            "pfs_landmark_p": "the test behind the landmark p-value is not stated",
            "os_landmark_p": "the test behind the landmark p-values is not stated",
        }
        for n in study.numbers:
            if n.about.variable == "hbv" or (n.about.hr_key or "").startswith(
                ("cox_pfs_uv_hbv", "cox_os_uv_hbv")
            ):
                nc[n.key] = (
                    "HBV status is not reported in Table 1, so the simulated cohort has no HBV variable"
                )
                nc[f"{n.key}.lower"] = nc[f"{n.key}.upper"] = nc[n.key]
        nc.update(not_checkable or {})
        only = None if parts is None else [f for p in parts for f in PART_FILES[p]]
        super().__init__(study, v, nc, overrides=variants or {}, only=only)
        #: the analyses this runner computes (None: all of them; see :data:`PART_FILES`)
        self.parts = parts
        self._reversed = (
            {r.variable for r in study.simulation.reversed_contrasts} if study.simulation else set()
        )

    # ------------------------------------------------------------------ simulation
    def simulate(self, seed) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        st = self.study
        gcol = self.group_column
        cohort = simulate_baseline(st.baseline(), rng, st.simulation)
        cohort = simulate_endpoints(st, cohort, rng)
        groups = [g.key for g in st.baseline().groups]
        sizes = {g.key: g.n for g in st.baseline().groups}
        arm = str_labels(cohort[gcol])
        new: dict[str, object] = {}  # added in one concat: inserting columns one by one is slow
        # response at 3 months (Table 3): PR / SD / PD counts per arm
        resp = {
            (n.about.endpoint, n.about.group): int(n.about.count)
            for n in _numbers(st, "table3")
            if n.role == "input"
        }
        response = np.full(len(cohort), "", dtype=object)
        for g in groups:
            idx = np.flatnonzero(arm == g)
            response[idx] = _assign_counts(
                rng, idx.size, [resp[(lv, g)] for lv in RESPONSE_LEVELS], list(RESPONSE_LEVELS)
            )
        new["response"] = pd.Categorical(response, categories=list(RESPONSE_LEVELS))
        # adverse events (Table 4): any grade per arm; grade 3-4 among those with any grade
        ae = defaultdict(dict)
        for n in _numbers(st, "table4"):
            if n.role == "input":
                ae[n.about.endpoint][(n.about.grade, n.about.group)] = int(n.about.count)
        for name, cells in ae.items():
            anyc, g34 = np.zeros(len(cohort), dtype=int), np.zeros(len(cohort), dtype=int)
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
        rt_site = np.full(len(cohort), None, dtype=object)
        rt = np.flatnonzero(arm == groups[-1])
        if sum(sites.values()) == sizes[groups[-1]]:
            rt_site[rt] = _assign_counts(rng, rt.size, list(sites.values()), list(sites))
        new["rt_site"] = rt_site
        return pd.concat([cohort, pd.DataFrame(new, index=cohort.index)], axis=1)

    # ------------------------------------------------------------------ analysis
    def analyse(self, cohort: pd.DataFrame) -> dict[str, float | None]:
        # every check of the paper is a declared analysis of its data files: Table 1, the response and
        # adverse-event tests, KM medians, landmarks and log-rank tests, the Cox models of Table 5, the
        # subgroups, PFS by radiotherapy target and the matched cohort of Table 6
        return super().analyse(cohort)

    def psm_covariates(self) -> list[str]:
        """The covariates of the propensity model, as the paper lists them (data, table6)."""
        sel = self.study.number("psm_selection_p_threshold")
        return [c.strip() for c in sel.about.covariates]

    def match(self, cohort: pd.DataFrame, caliper_scale: str | None = None):
        """1:1 nearest-neighbour matching without replacement with the paper's caliper.

        Returns the :class:`hccrep.stats.matching.MatchResult` and the matched cohort.
        """
        from hccrep.stats.matching import match_nearest

        treated = self.study.baseline().groups[-1].key
        d = cohort.copy()
        d["treated"] = (d[self.group_column].astype(str) == treated).astype(int)
        res = match_nearest(
            d,
            "treated",
            self.psm_covariates(),
            ratio=int(self.study.number("psm_ratio").value),
            caliper=self.study.number("psm_caliper").value,
            caliper_scale=caliper_scale or self.variants["psm_caliper_scale"],
        )
        return res, res.matched(d)

    @property
    def km_engine(self):
        """The module computing KM medians, landmarks and log-rank tests (``variants["km_engine"]``).

        :mod:`hccrep.stats.fastsurv` for ``"numpy"``, :mod:`hccrep.stats.survival`
        (lifelines) for ``"lifelines"``; both expose ``km_median``,
        ``km_landmark`` and ``logrank`` with the same arguments.
        """
        if self.variants["km_engine"] == "numpy":
            from hccrep.stats import fastsurv

            return fastsurv
        from hccrep.stats import survival

        return survival

    def _indicator(
        self, cohort: pd.DataFrame, variable: str, level: str, reference: str
    ) -> np.ndarray:
        """1 for ``level``, 0 otherwise; a level the cohort does not have (Table 5's
        'TACE or HAIC' of a three-level variable) means 'anything but the reference'."""
        return _indicator_of(str_labels(cohort[variable]), level, reference)

    def _contrast(self, n: ReportedNumber) -> tuple[str, str]:
        """(level, reference) of a reported HR, read the declared way round."""
        level, ref = str(n.about.level), str(n.about.reference or "")
        return (ref, level) if n.about.variable in self._reversed else (level, ref)

    def _design(
        self, cohort: pd.DataFrame, endpoint: str, terms: Iterable[tuple[str, str, str, str]]
    ) -> pd.DataFrame:
        d = pd.DataFrame({"time": cohort[f"{endpoint}_time"], "event": cohort[f"{endpoint}_event"]})
        for name, var, level, ref in terms:
            d[name] = self._indicator(cohort, var, level, ref)
        return d


def make_runner(study: Study, **kwargs) -> Fonc2025Runner:
    """The fonc2025 runner (declared tests can be overridden for a what-if run, e.g. ``variants={"categorical": "fisher"}``)."""
    return Fonc2025Runner(study, **kwargs)

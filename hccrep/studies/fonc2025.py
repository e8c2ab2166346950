"""fonc2025 (Front. Oncol. 2025; IO+T 42 vs RT+IO+T 29): glue shared by its notebooks and tests."""

from __future__ import annotations

from hccrep.replication import BaselineRunner
from hccrep.spec import Study

__all__ = ["make_runner", "TABLE1_VARIANT"]

#: Section 2.4 names the chi-square test for categorical data; without a word on a
#: continuity correction we take Pearson's uncorrected statistic (what SPSS prints first).
TABLE1_VARIANT = "chisq"


def make_runner(study: Study, **kwargs) -> BaselineRunner:
    """Runner replicating Table 1's p-values with the paper's stated test."""
    variants = {"categorical": TABLE1_VARIANT, "continuous": "mannwhitney"}
    variants.update(kwargs.pop("variants", {}) or {})
    return BaselineRunner(study, variants=variants, **kwargs)

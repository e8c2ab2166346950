"""Statistics with named variants: Table 1 tests, Kaplan-Meier, log-rank, Cox, matching, prediction.

This package namespace re-exports the public names of :mod:`hccrep.stats.tables`,
:mod:`hccrep.stats.survival`, :mod:`hccrep.stats.matching` and
:mod:`hccrep.stats.prediction`; the methods themselves live in those modules (and the
Monte Carlo's numpy engines in :mod:`hccrep.stats.fastsurv` and
:mod:`hccrep.stats.fastcox`, tested equal to the lifelines-based functions).

Every result carries a ``variant`` string naming exactly which test or
estimator was computed (for example ``"Welch t-test (unequal variances)"`` or
``"Kaplan-Meier median, Greenwood variance, 95% CI, log transform (R survfit
default) ..."``), and p-values are called ``pvalue``, because R and Python defaults
differ and a published p-value is often reproduced by one variant only.
"""

from hccrep.stats.survival import (
    CONF_TYPES,
    COX_TIES,
    CoxResult,
    LogrankResult,
    MedianResult,
    cox,
    km_landmark,
    km_median,
    km_table,
    logrank,
    mixture_gap,
    schoenfeld_test,
    univariable_cox,
)
from hccrep.stats.tables import (
    CATEGORICAL_TESTS,
    CONTINUOUS_TESTS,
    SUMMARY_STYLES,
    TestResult,
    compare_counts,
    compare_samples,
    table_one,
)

__all__ = [
    "CATEGORICAL_TESTS",
    "CONF_TYPES",
    "CONTINUOUS_TESTS",
    "COX_TIES",
    "SUMMARY_STYLES",
    "CoxResult",
    "LogrankResult",
    "MedianResult",
    "TestResult",
    "compare_counts",
    "compare_samples",
    "cox",
    "km_landmark",
    "km_median",
    "km_table",
    "logrank",
    "mixture_gap",
    "schoenfeld_test",
    "table_one",
    "univariable_cox",
]

from hccrep.stats.matching import (  # noqa: E402  (appended: propensity-score matching)
    CALIPER_SCALES,
    MATCH_ORDERS,
    SMD_DENOMINATORS,
    MatchResult,
    match_nearest,
    propensity_scores,
    standardized_mean_differences,
)

__all__ += [
    "CALIPER_SCALES",
    "MATCH_ORDERS",
    "SMD_DENOMINATORS",
    "MatchResult",
    "match_nearest",
    "propensity_scores",
    "standardized_mean_differences",
]

from hccrep.stats.prediction import *  # noqa: E402,F403  (appended: discrimination, calibration, DCA, kappa)
from hccrep.stats.prediction import __all__ as _prediction_all  # noqa: E402

__all__ += list(_prediction_all)

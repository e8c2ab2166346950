"""Seeded cohort simulation from reported tables (see :mod:`hccrep.simulate.baseline`)."""

from hccrep.simulate.baseline import (
    RuleInfeasibleError,
    rule_violations,
    simulate_baseline,
    simulate_study_baseline,
)
from hccrep.simulate.interaction import simulate_interaction_arrays, simulate_interaction_cohort
from hccrep.simulate.continuous import (
    SummaryMismatchError,
    exact_mean_sd,
    exact_quantiles,
    exact_summary_sample,
)
from hccrep.simulate.outcomes import (
    CalibrationError,
    Effect,
    linear_predictor,
    simulate_binary,
    simulate_survival,
)
from hccrep.simulate.ratings import simulate_ratings

__all__ = [
    "simulate_baseline",
    "simulate_study_baseline",
    "rule_violations",
    "RuleInfeasibleError",
    "exact_mean_sd",
    "exact_quantiles",
    "exact_summary_sample",
    "SummaryMismatchError",
    "Effect",
    "linear_predictor",
    "simulate_survival",
    "simulate_binary",
    "CalibrationError",
    "simulate_interaction_cohort",
    "simulate_interaction_arrays",
    "simulate_ratings",
]

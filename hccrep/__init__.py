"""hccrep: replicate published HCC survival and prediction analyses on simulated cohorts.

The package is organised as

- :mod:`hccrep.spec` -- typed, validated model of the reported numbers in ``data/``;
- :mod:`hccrep.simulate` -- seeded cohort simulation from the reported tables;
- :mod:`hccrep.stats` -- thin, named-variant wrappers around scipy / lifelines;
- :mod:`hccrep.replication` -- checks, Monte Carlo intervals and the scorecard;
- :mod:`hccrep.audit` -- consistency checks of the reported numbers alone;
- :mod:`hccrep.cli` -- the ``hccrep`` command line.
"""

__version__ = "0.1.0"

"""hccrep: replicate published HCC survival and prediction analyses on simulated cohorts.

The package is organised by layer:

- data: :mod:`hccrep.spec` (typed, validated model of the reported numbers in ``data/``),
  :mod:`hccrep.declared` (what computes each check), :mod:`hccrep.printed` (reading
  printed numbers), :mod:`hccrep.schema`, :mod:`hccrep.skeleton` (a new paper's files);
- simulation: :mod:`hccrep.simulate` (seeded cohorts from the reported tables, survival
  and binary outcomes, and the small designs of the teaching pages);
- methods: :mod:`hccrep.stats` (tests, Kaplan-Meier, log-rank, Cox, matching,
  discrimination and calibration, each naming its variant; scipy, lifelines and
  statsmodels underneath, plus numpy engines for the Monte Carlo tested equal to them),
  :mod:`hccrep.survival_models` (the machine-learning survival models), :mod:`hccrep.scores`
  (clinical indices), :mod:`hccrep.cutoffs` (optimal cut-offs), :mod:`hccrep.optimism`
  (optimism of discrimination), :mod:`hccrep.nomogram`, :mod:`hccrep.radiotherapy`
  (BED and EQD2); :mod:`hccrep.frames` and :mod:`hccrep.parallel` are small helpers of the
  Monte Carlo;
- replication: :mod:`hccrep.analyses` (one handler per declared kind),
  :mod:`hccrep.replication` (runners, Monte Carlo intervals, the scorecard),
  :mod:`hccrep.causes` (why a number is missed), :mod:`hccrep.audit` (consistency of the
  reported numbers alone), :mod:`hccrep.studies` (what is particular to one paper);
- presentation: :mod:`hccrep.display`, :mod:`hccrep.plots`, :mod:`hccrep.compare`,
  :mod:`hccrep.cli` (the ``hccrep`` command line), and :mod:`hccrep.book` with
  :mod:`hccrep.bookexec` (building the book).
"""

__version__ = "0.1.0"

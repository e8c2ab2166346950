"""``hccrep new KEY``: a data folder (and a chapter) to start a new paper from.

The data skeleton is a small study that validates and runs as written: two
groups, a baseline table with p-values, overall-survival medians calibrating
the simulation, a log-rank test and a Cox model declared as checks. Every
number in it is a placeholder to overwrite with the paper's own.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as d:
...     files = write_skeleton("smith2024", Path(d))
...     [p.name for p in files]
['study.yaml', 'table1.yaml', 'survival.yaml', 'simulation.yaml']
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["write_skeleton"]

_DATA = {
    "study.yaml": """\
# {key}: replace the citation; list every data file of the study in `files`.
key: {key}
type: study
citation: >-
  Authors. Title of the paper. Journal, year.
doi: null
files: [table1, survival]
book_seed: 1
""",
    "table1.yaml": """\
# Table 1 of {key}, cell by cell, as printed. Group sizes and cells are inputs (the simulated
# cohort reproduces them exactly); p-values are checks, computed under `tests` (or a row's own
# `p: {{printed, variant}}`). A variant is `stated` (what the methods say) and, when the printed
# numbers show another test was used, `evident` with `why`.
study: {key}
file_id: table1
type: baseline
source: {{kind: table, label: Table 1}}
methods:
  categorical_test: "the paper's words on its test of categorical rows"
  continuous_test: "the paper's words on its test of continuous rows"
tests:
  categorical: chisq        # chisq, chisq_yates, fisher, auto_fisher
  continuous: mannwhitney   # welch, student, mannwhitney, mannwhitney_exact, kruskal, anova
groups:
  - {{key: a, label: Treatment A, n: 50, printed: "A (n = 50)"}}
  - {{key: b, label: Treatment B, n: 50, printed: "B (n = 50)"}}
variables:
  - key: age
    label: Age (years)
    kind: continuous
    summary: mean_sd          # or median_iqr / median_range: "54 (43, 61)"
    cells: {{a: "58.1±10.6", b: "59.7±9.7"}}
    p: {{printed: "0.51"}}
  - key: sex
    label: Sex
    kind: categorical
    levels: [{{key: female, label: Female}}, {{key: male, label: Male}}]
    cells:
      a: {{female: "10 (20.0)", male: "40 (80.0)"}}
      b: {{female: "12 (24.0)", male: "38 (76.0)"}}
    p: {{printed: "0.63"}}
  - key: bclc
    label: BCLC stage
    kind: categorical
    levels: [{{key: B, label: B}}, {{key: C, label: C}}]
    cells:
      a: {{B: "20 (40.0)", C: "30 (60.0)"}}
      b: {{B: "18 (36.0)", C: "32 (64.0)"}}
    p: {{printed: "0.68"}}
""",
    "survival.yaml": """\
# Survival results of {key}. The per-group medians are inputs (the simulated OS is calibrated to
# them); their confidence limits, the log-rank p and the hazard ratios are checks. Each check
# says in `analysis` what computes it (kinds: table1_test, proportion, km_median, km_landmark,
# logrank, cox, logistic, auc, c_index; see the book's "Adding a paper" page).
study: {key}
file_id: survival
type: results
source: {{kind: figure, label: Figure 1}}
numbers:
  - key: os_median_a
    quantity: median
    printed: "11.0 (8.1-14.2) months"
    value: 11.0
    lower: 8.1
    upper: 14.2
    unit: months
    role: input
    where: {{text: Figure 1}}
    analysis: {{kind: km_median, endpoint: os, group: a}}
  - key: os_median_b
    quantity: median
    printed: "15.2 (11.6-19.0) months"
    value: 15.2
    lower: 11.6
    upper: 19.0
    unit: months
    role: input
    where: {{text: Figure 1}}
    analysis: {{kind: km_median, endpoint: os, group: b}}
  - key: os_logrank_p
    quantity: p
    printed: "P = 0.048"
    value: 0.048
    role: check
    where: {{text: Figure 1}}
    analysis: {{kind: logrank, endpoint: os, groups: [a, b]}}
    # `about` describes the number for readers, the audit and study modules (closed: unknown
    # fields are errors; `..._key` fields must name numbers of the study); what computes it
    # is `analysis`.
    about: {{endpoint: os, groups: [a, b], test_stated: log-rank}}
  - key: os_hr_b
    quantity: hr
    printed: "0.65 (0.42-1.02)"
    value: 0.65
    lower: 0.42
    upper: 1.02
    role: check
    where: {{row: "B vs A", column: HR (95% CI)}}
    analysis: {{kind: cox, endpoint: os, terms: [group], term: group, level: b}}
    about: {{endpoint: os, model: univariable, variable: group, level: b, reference: a}}
  - key: os_hr_bclc_adjusted
    quantity: hr
    printed: "1.80 (1.12-2.89)"
    value: 1.80
    lower: 1.12
    upper: 2.89
    role: input
    where: {{row: "BCLC C vs B", column: Multivariable HR (95% CI)}}
    # the point HR is an input of the simulation; its CI is a check of this model:
    analysis: {{kind: cox, endpoint: os, terms: [group, bclc], term: bclc, level: C}}
""",
    "simulation.yaml": """\
# The generative model of {key}: assumptions only, never reported numbers (those are named by key).
study: {key}
file_id: simulation
type: simulation
baseline: table1
group_variable: group
survival:
  - endpoint: os
    medians: {{a: os_median_a, b: os_median_b}}
    follow_up: [6, 36]   # potential follow-up window in months (an assumption; or give event counts)
    effects:
      - {{variable: bclc, level: C, hr_key: os_hr_bclc_adjusted, why: "The adjusted hazard ratio of BCLC C."}}
    why: Exponential proportional hazards calibrated to the per-group medians.
""",
}

_CHAPTER = {
    "index.md": """\
# {key}

The replication of {key}: its data live in `data/{key}/`. Replace this page with the paper's
summary in your own words, the learning goals, prerequisites and time to learn.
""",
    "01_scorecard.md": """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# {key}: reported against replicated

```{{code-cell}} ipython3
:tags: [parameters]

SEED = None  # None: the study's book seed
N_MC = 200  # Monte Carlo cohorts
FAST = False  # CI switch: fewer cohorts
```

```{{code-cell}} ipython3
from hccrep.replication import runner_for, scorecard, summarise
from hccrep.spec import load_study

study = load_study("{key}")
card = scorecard(runner_for(study), n_mc=20 if FAST else N_MC, seed=SEED, progress=False)
summarise(card)
```

```{{code-cell}} ipython3
card[["key", "printed", "replicated", "mc_low", "mc_high", "verdict", "reason"]]
```
""",
}


def write_skeleton(key: str, data_dir: Path, book_dir: Path | None = None) -> list[Path]:
    """Write ``data_dir/KEY/`` (and ``book_dir/KEY/`` when given); refuses to overwrite.

    Parameters
    ----------
    key : str
        The new study's key: lower-case letters, digits and ``_``, starting with a letter.
    data_dir : Path
        Where the study folder ``KEY/`` is created.
    book_dir : Path, optional
        Where the chapter folder ``KEY/`` is created; no chapter when omitted.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        ``key`` is not a valid study key.
    FileExistsError
        The study folder (or chapter folder) exists already.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     files = write_skeleton("smith2024", Path(d))
    >>> sorted(p.name for p in files)
    ['simulation.yaml', 'study.yaml', 'survival.yaml', 'table1.yaml']
    """
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise ValueError(
            f"study key {key!r} must be lower-case letters, digits and _, starting with a letter"
        )
    targets = [(Path(data_dir) / key, _DATA)]
    if book_dir is not None:
        targets.append((Path(book_dir) / key, _CHAPTER))
    for folder, _ in targets:
        if folder.exists():
            raise FileExistsError(f"{folder} exists already; choose another key or remove it")
    written = []
    for folder, files in targets:
        folder.mkdir(parents=True)
        for name, text in files.items():
            path = folder / name
            path.write_text(text.format(key=key), encoding="utf-8")
            written.append(path)
    return written

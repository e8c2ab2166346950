"""Verdict logic, scorecard shape, and Monte Carlo determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrep.replication import (
    inputs_table,
    monte_carlo,
    runner_for,
    scorecard,
    seeds_for,
    summarise,
    verdict,
)
from hccrep.spec import ReportedNumber


def num(printed, value, quantity="p", bound=None, decimals=3):
    return ReportedNumber(
        "s",
        "f",
        "k",
        quantity,
        printed,
        value,
        "check",
        "Table 1",
        None,
        None,
        bound=bound,
        decimals=decimals,
    )


@pytest.mark.parametrize(
    "reported, replicated, interval, expected",
    [
        (num("< 0.001", 0.001, bound="<"), 0.0004, None, "reproduced"),
        (num("< 0.001", 0.001, bound="<"), 0.002, (0.0001, 0.01), "plausible"),
        (num("< 0.001", 0.001, bound="<"), 0.002, (0.0015, 0.01), "not reproduced"),
        (num("0.94", 0.94, decimals=2), 0.9449, None, "reproduced"),
        (num("0.94", 0.94, decimals=2), 0.9451, None, "not reproduced"),
        (num("0.94", 0.94, decimals=2), 0.80, (0.5, 0.99), "plausible"),
        (num("0.007", 0.007), 0.0065, None, "reproduced"),  # half up: 0.0065 -> 0.007
        (num("12.6", 12.6, quantity="median", decimals=1), 12.64, None, "reproduced"),
        (num("12.6", 12.6, quantity="median", decimals=1), 11.0, (9.0, 14.0), "plausible"),
        (num("12.6", 12.6, quantity="median", decimals=1), None, None, "not checkable"),
        (num("12.6", 12.6, quantity="median", decimals=1), float("nan"), None, "not checkable"),
        # the printed value stands for its rounding range (worked by hand): 33/37 = 89.19 %
        # prints as 89.2, so an interval ending there reaches it; one ending at 89.14 does not
        (
            num("89.2", 89.2, quantity="percent", decimals=1),
            85.0,
            (80.0, 33 / 37 * 100),
            "plausible",
        ),
        (num("89.2", 89.2, quantity="percent", decimals=1), 85.0, (80.0, 89.14), "not reproduced"),
        (num("89.2", 89.2, quantity="percent", decimals=1), 95.0, (89.25, 95.0), "not reproduced"),
        # p printed 0.001 covers [0.0005, 0.0015): an interval from 0.00133 reaches it, from 0.0015 not
        (num("0.001", 0.001), 0.2, (0.00133, 1.0), "plausible"),
        (num("0.001", 0.001), 0.2, (0.0015, 1.0), "not reproduced"),
    ],
)
def test_verdicts(reported, replicated, interval, expected):
    assert verdict(reported, replicated, interval)[0] == expected


def test_scorecard_judges_only_checks(runner):
    card = scorecard(runner, n_mc=10, progress=False)
    checks = {n.key for n in runner.checks}
    assert set(card.key) == checks
    assert {n.key for n in runner.study.numbers if n.role == "check"} <= checks
    assert not set(inputs_table(runner.study).key) & set(card.key)
    assert summarise(card, count_repeats=True).sum() == len(card)
    assert summarise(card).sum() == len(card) - (card.repeat_of != "").sum()


def test_scorecard_fonc2025_table1_evident_and_stated_test(runner):
    """Table 1 is judged under the evident rule (Fisher when an expected count < 5): gender, the one
    row with a small expected count, prints as Fisher's p; the stated uncorrected chi-square misses
    it, is shown beside it, and is what a what-if run with the stated test judges."""
    card = scorecard(runner, n_mc=5, progress=False).set_index("key")
    assert card.loc["bclc.p", "verdict"] == "reproduced"
    assert card.loc["gender.p", "verdict"] == "reproduced"
    assert card.loc["gender.p", "stated_variant"] == "chisq"
    assert card.loc["gender.p", "replicated_stated"] != card.loc["gender.p", "replicated"]
    stated = runner_for(runner.study, variants={"categorical": "chisq"})
    card = scorecard(stated, n_mc=0, progress=False).set_index("key")
    assert card.loc["bclc.p", "verdict"] == "reproduced"
    assert card.loc["gender.p", "verdict"] == "not reproduced"


def test_monte_carlo_is_identical_across_worker_counts(runner):
    a = monte_carlo(
        runner, 6, base_seed=99, n_jobs=1, progress=False, cache_dir=""
    )  # "" : never the cache
    b = monte_carlo(runner, 6, base_seed=99, n_jobs=2, progress=False, cache_dir="")
    assert a.equals(b)


def test_seeds_are_reproducible_and_distinct():
    s1 = [np.random.default_rng(s).integers(1 << 30) for s in seeds_for(5, 4)]
    s2 = [np.random.default_rng(s).integers(1 << 30) for s in seeds_for(5, 4)]
    assert s1 == s2 and len(set(s1)) == 4
    with pytest.raises(ValueError):
        seeds_for(5, -1)


def test_monte_carlo_cache_returns_identical_values_and_changes_key_with_settings(runner, tmp_path):
    a = monte_carlo(runner, 4, base_seed=5, progress=False, cache_dir=str(tmp_path))
    assert len(list(tmp_path.glob("mc-fonc2025-*.csv"))) == 1
    b = monte_carlo(runner, 4, base_seed=5, progress=False, cache_dir=str(tmp_path))
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    monte_carlo(runner, 4, base_seed=6, progress=False, cache_dir=str(tmp_path))
    assert len(list(tmp_path.glob("mc-fonc2025-*.csv"))) == 2


def test_cache_key_tells_focused_runners_apart_and_is_stable_across_processes():
    """Two focused fonc2025 runners differ only in `parts`: their Monte Carlo tables must not share a key
    (a Cox page once read the subgroup page's table). The key must not depend on the process's string
    hash seed, or pages could not share a Monte Carlo."""
    import subprocess
    import sys

    from hccrep.replication import _cache_key
    from hccrep.spec import load_study

    study = load_study("fonc2025")
    cox, sub = runner_for(study, only=("table5",)), runner_for(study, only=("subgroups",))
    assert _cache_key(cox, 5, 1) != _cache_key(sub, 5, 1)
    assert _cache_key(cox, 5, 1) == _cache_key(runner_for(study, only=("table5",)), 5, 1)
    code = (
        "from hccrep.replication import _cache_key, runner_for;"
        "print(_cache_key(runner_for('fonc2025'), 5, 1))"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)},
        ).stdout.strip()
        for seed in (1, 2, 3)
    }
    assert len(keys) == 1 and _cache_key(runner_for("fonc2025"), 5, 1) in keys


@pytest.mark.parametrize("key", ["tu2025", "deng2025"])
def test_cache_key_is_the_same_before_and_after_a_run(key):
    """A runner may memoise results in private attributes during a run (tu2025 does, with tuple keys):
    that must neither break the key nor change it."""
    from hccrep.replication import _cache_key

    runner = runner_for(key)
    before = _cache_key(runner, 3, 1)
    runner.run(2)
    assert _cache_key(runner, 3, 1) == before


def test_what_if_test_is_judged_against_its_own_rounding_range():
    """A what-if override of the continuous test (deng2025 declares Mann-Whitney) is judged
    against the rounding range of the test it computes. Reference: the independent R 4.2.2
    recomputation quoted in issue 18 -- Welch's t reaches all ten printed continuous p-values
    of deng2025 Table 1 within the rounding of the printed mean +- SD and n, Student's t misses
    three."""
    from hccrep.spec import load_study

    study = load_study("deng2025")
    counts = {}
    for test in ("welch", "student"):
        r = runner_for(study, variants={"continuous": test})
        rows = [
            n
            for n in r.checks
            if n.file_id == "table1_p" and r._effective(n.analysis, num=n).variant.used == test
        ]
        seed = study.meta.book_seed
        on_seed = r.run(seed)
        inside = 0
        for n in rows:
            lo_hi = r.rounding_interval(n)
            assert lo_hi is not None, n.key
            inside += verdict(n, on_seed[n.key], lo_hi)[0] in ("reproduced", "plausible")
        counts[test] = (inside, len(rows))
    assert counts == {"welch": (10, 10), "student": (7, 10)}

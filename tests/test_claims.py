"""Declared claims (``claims.yaml``, :mod:`hccrep.claims`) and the generic rules that check them.

Every rule is run on a hand-made toy study whose expected findings are worked out by hand in the
comments (percentages, Wald p-values, GRIM and DEBIT by enumeration); the real studies' claims are
tested in ``tests/test_deng2025.py`` and ``tests/test_lv2025.py``, and the arithmetic against R in
``tests/test_claims_r.py``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from hccrep.audit import audit_study, audit_verdicts, claim_findings, debit_consistent
from hccrep.cli import app
from hccrep.replication import AUDIT_VERDICTS
from hccrep.spec import DataFileError, load_study

NUMBERS = [
    ("p_sig", "p", "0.030", 0.030, {}),
    ("p_ns", "p", "0.300", 0.300, {}),
    ("p_lt", "p", "< 0.001", 0.001, {"bound": "<"}),
    ("p_lt10", "p", "< 0.1", 0.1, {"bound": "<"}),
    ("hr_a", "hr", "0.43 (0.21-0.88)", 0.43, {"lower": 0.21, "upper": 0.88}),
    ("hr_a_p", "p", "0.021", 0.021, {}),
    ("hr_b", "hr", "0.81 (0.62-1.05)", 0.81, {"lower": 0.62, "upper": 1.05}),
    ("hr_skew", "hr", "2.00 (1.10-2.50)", 2.0, {"lower": 1.10, "upper": 2.50}),
    ("hr_copy", "hr", "0.81 (0.62-1.05)", 0.81, {"lower": 0.62, "upper": 1.05}),
    ("pct_sites", "percent", "11 (31.4)", 31.4, {}),
    ("pct_ok", "percent", "18 (62.1)", 62.1, {}),
    ("pct_bad", "percent", "5 (20.0)", 20.0, {}),
    ("n_group", "count", "29", 29.0, {}),
    ("share22", "percent", "22%", 22.0, {}),
    ("share23", "percent", "23%", 23.0, {}),
    ("n36", "count", "36", 36.0, {}),
    ("mean_ok", "mean", "3.44", 3.44, {}),
    ("mean_bad", "mean", "3.45", 3.45, {}),
    ("prop", "mean", "0.35", 0.35, {}),
    ("prop_sd_ok", "sd", "0.49", 0.49, {}),
    ("prop_sd_bad", "sd", "0.40", 0.40, {}),
    ("c_rsf", "c_index", "0.731", 0.731, {}),
    ("c_gbm", "c_index", "0.694", 0.694, {}),
    ("c_cox", "c_index", "0.664", 0.664, {}),
    ("c_tie", "c_index", "0.731", 0.731, {}),
    ("brier_text", "brier", "0.144", 0.144, {}),
    ("brier_table", "brier", "0.134", 0.134, {}),
    ("brier_other", "brier", "0.144", 0.144, {}),
    ("cell_a", "count", "1 (10.0)", 1.0, {}),
    ("cell_b", "count", "2 (20.0)", 2.0, {}),
    ("cell_c", "count", "3 (30.0)", 3.0, {}),
    ("range_ok", "percent", "10.0%-30.0%", 10.0, {"lower": 10.0, "upper": 30.0}),
    ("range_bad", "percent", "12.0%-30.0%", 12.0, {"lower": 12.0, "upper": 30.0}),
    ("score", "cutoff", "-0.227", -0.227, {}),
    ("factors", "count", "3 factors", 3.0, {}),
    ("sii", "cutoff", "609.9", 609.9, {}),
    ("siri", "cutoff", "713.05", 713.05, {}),
    ("exposed_a", "count", "20 (40.0)", 20.0, {}),
    ("exposed_b", "count", "30 (60.0)", 30.0, {}),
    ("hr_wide", "hr", "1.00 (0.50-2.00)", 1.0, {"lower": 0.5, "upper": 2.0}),
]

CLAIMS = [
    {
        "key": "sig",
        "kind": "significance",
        "reads": "significant",
        "says": "x",
        "numbers": ["p_sig", "p_ns", "p_lt", "p_lt10", "hr_a", "hr_b"],
    },
    {
        "key": "nosig",
        "kind": "significance",
        "reads": "not_significant",
        "says": "x",
        "numbers": ["p_ns", "p_sig"],
    },
    {"key": "nodiff", "kind": "no_difference", "says": "x", "p": ["p_ns", "p_sig"]},
    {"key": "above02", "kind": "no_difference", "says": "x", "p": ["p_ns", "p_sig"], "alpha": 0.2},
    {"key": "ci_a", "kind": "ci_p", "says": "x", "ratio": "hr_a", "p": "hr_a_p"},
    {"key": "ci_a_wrong_p", "kind": "ci_p", "says": "x", "ratio": "hr_a", "p": "p_ns"},
    {"key": "ci_skew", "kind": "ci_p", "says": "x", "ratio": "hr_skew"},
    {
        "key": "pct_sites",
        "kind": "percent",
        "says": "x",
        "percent": "pct_sites",
        "n": "n_group",
        "alternatives": {"sites": 35},
    },
    {"key": "pct_ok", "kind": "percent", "says": "x", "percent": "pct_ok", "n": 29},
    {
        "key": "pct_bad",
        "kind": "percent",
        "says": "x",
        "percent": "pct_bad",
        "n": 29,
        "alternatives": {"sites": 35},
    },
    {"key": "share22", "kind": "percent", "says": "x", "percent": "share22", "n": "n36"},
    {"key": "share23", "kind": "percent", "says": "x", "percent": "share23", "n": 7},
    {"key": "grim_ok", "kind": "grim", "says": "x", "mean": "mean_ok", "n": 18},
    {"key": "grim_bad", "kind": "grim", "says": "x", "mean": "mean_bad", "n": 18},
    {"key": "grim_items", "kind": "grim", "says": "x", "mean": "mean_bad", "n": 18, "items": 10},
    {"key": "debit_ok", "kind": "debit", "says": "x", "mean": "prop", "sd": "prop_sd_ok", "n": 20},
    {
        "key": "debit_bad",
        "kind": "debit",
        "says": "x",
        "mean": "prop",
        "sd": "prop_sd_bad",
        "n": 20,
    },
    {
        "key": "best",
        "kind": "extreme",
        "which": "highest",
        "says": "x",
        "cited": "c_rsf",
        "among": ["c_rsf", "c_gbm", "c_cox"],
    },
    {
        "key": "worst_wrong",
        "kind": "extreme",
        "which": "lowest",
        "says": "x",
        "cited": "c_gbm",
        "among": ["c_rsf", "c_gbm", "c_cox"],
    },
    {
        "key": "best_tied",
        "kind": "extreme",
        "which": "highest",
        "says": "x",
        "cited": "c_rsf",
        "among": ["c_rsf", "c_gbm", "c_tie"],
    },
    {
        "key": "same_bad",
        "kind": "same_number",
        "says": "x",
        "numbers": ["brier_text", "brier_table"],
        "search": ["brier_other"],
    },
    {
        "key": "same_quoted",
        "kind": "same_number",
        "says": "x",
        "numbers": [{"printed": "twenty-nine", "value": 29.0, "where": "3.1"}, "n_group"],
    },
    {
        "key": "same_quoted_bad",
        "kind": "same_number",
        "says": "x",
        "numbers": [{"printed": "seven", "value": 7.0, "where": "3.1"}, "cell_c"],
    },
    {"key": "copy", "kind": "distinct", "says": "x", "numbers": ["hr_b", "hr_copy"]},
    {
        "key": "differ",
        "kind": "distinct",
        "says": "x",
        "numbers": ["hr_a", "hr_b"],
        "if_equal": "inconsistent",
    },
    {
        "key": "range_ok",
        "kind": "range",
        "says": "x",
        "number": "range_ok",
        "over": ["cell_a", "cell_b", "cell_c"],
        "statistic": "percent",
    },
    {
        "key": "range_bad",
        "kind": "range",
        "says": "x",
        "number": "range_bad",
        "over": ["cell_a", "cell_b", "cell_c"],
        "statistic": "percent",
    },
    {
        "key": "order_ok",
        "kind": "ordered",
        "says": "x",
        "numbers": ["c_rsf", "c_gbm", "c_cox"],
        "direction": "decreasing",
    },
    {
        "key": "order_bad",
        "kind": "ordered",
        "says": "x",
        "numbers": ["c_rsf", "c_gbm", "c_cox"],
        "direction": "increasing",
        "if_violated": "note",
        "judges": False,
    },
    {"key": "sign", "kind": "bounds", "says": "x", "number": "score", "min": 0.0, "why": "a count"},
    {
        "key": "listed_ok",
        "kind": "count_listed",
        "says": "x",
        "count": "factors",
        "listed": "AFP, tumour size and ALBI grade",
    },
    {
        "key": "listed_bad",
        "kind": "count_listed",
        "says": "x",
        "count": "factors",
        "listed": "AFP and ALBI grade",
    },
    {
        "key": "units",
        "kind": "quotient",
        "says": "x",
        "numerator": "sii",
        "denominator": "siri",
        "plausible": [100.0, 1500.0],
        "why": "platelets / monocytes",
    },
    {
        "key": "events",
        "kind": "events_implied",
        "says": "x",
        "ratio": "hr_wide",
        "exposed": ["exposed_a", "exposed_b"],
        "total": 100,
    },
    {
        "key": "cited_twice",
        "kind": "curated",
        "says": "x",
        "status": "inconsistent",
        "finding": "one paper under two reference numbers",
        "numbers": ["sii"],
        "judges": False,
    },
]


def _write_study(root: Path, claims: list[dict], numbers=NUMBERS) -> Path:
    d = root / "toy"
    d.mkdir(parents=True, exist_ok=True)
    (d / "study.yaml").write_text(
        yaml.safe_dump(
            {"key": "toy", "type": "study", "citation": "A toy paper.", "files": ["res"]}
        )
    )
    nums = []
    for key, q, printed, value, extra in numbers:
        nums.append(
            {
                "key": key,
                "quantity": q,
                "printed": printed,
                "value": value,
                "role": "check",
                "where": {"text": key},
                **extra,
            }
        )
    (d / "res.yaml").write_text(
        yaml.safe_dump(
            {
                "study": "toy",
                "file_id": "res",
                "type": "results",
                "source": {"kind": "text", "label": "Results"},
                "numbers": nums,
            }
        )
    )
    (d / "claims.yaml").write_text(
        yaml.safe_dump({"study": "toy", "file_id": "claims", "type": "claims", "claims": claims})
    )
    return root


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    root = _write_study(tmp_path_factory.mktemp("data"), CLAIMS)
    return load_study("toy", data_dir=root)


@pytest.fixture(scope="module")
def found(toy):
    return claim_findings(toy).set_index("key")


def _status(found, key):
    return found.loc[key, "status"]


def test_significance_reads_p_values_and_intervals(found):
    # 0.030 < 0.05; 0.300 is not; "< 0.001" is; "< 0.1" cannot tell at 0.05
    assert _status(found, "sig.p_sig") == "ok"
    assert _status(found, "sig.p_ns") == "inconsistent"
    assert _status(found, "sig.p_lt") == "ok"
    assert _status(found, "sig.p_lt10") == "note"
    # 0.21-0.88 excludes 1; 0.62-1.05 includes it
    assert _status(found, "sig.hr_a") == "ok"
    assert _status(found, "sig.hr_b") == "inconsistent"
    assert _status(found, "nosig.p_ns") == "ok" and _status(found, "nosig.p_sig") == "inconsistent"


def test_no_difference_uses_the_threshold_the_text_states(found):
    assert (
        _status(found, "nodiff.p_ns") == "ok" and _status(found, "nodiff.p_sig") == "inconsistent"
    )
    # "all p > 0.2": 0.300 holds, 0.030 does not
    assert (
        _status(found, "above02.p_ns") == "ok" and _status(found, "above02.p_sig") == "inconsistent"
    )


def test_ci_p_wald_and_log_symmetry(found):
    # SE = (ln 0.88 - ln 0.21) / (2 * 1.96) = 0.3655, z = |ln 0.43| / 0.3655 = 2.31, p = 0.021
    assert _status(found, "ci_a") == "ok"
    assert "CI implies p = 0.02" in found.loc["ci_a", "detail"]
    # a printed p of 0.300 is far outside what the interval allows: not a Wald test
    assert _status(found, "ci_a_wrong_p") == "note"
    # ln 2 = 0.693 against the centre (ln 1.1 + ln 2.5) / 2 = 0.506: not symmetric on the log scale
    assert _status(found, "ci_skew") == "inconsistent"


def test_percent_against_n_and_alternative_denominators(found):
    # 11/29 = 37.9% is not 31.4%, 11/35 = 31.43% is: a declared alternative explains it
    assert _status(found, "pct_sites") == "note" and "11/35" in found.loc["pct_sites", "detail"]
    assert _status(found, "pct_ok") == "ok"  # 18/29 = 62.07%
    assert _status(found, "pct_bad") == "inconsistent"  # 5/29 = 17.2%, 5/35 = 14.3%
    # without a count: 8/36 = 22.2% prints as 22%; no k/7 (14.3, 28.6) prints as 23%
    assert _status(found, "share22") == "ok" and "8/36" in found.loc["share22", "detail"]
    assert _status(found, "share23") == "inconsistent"


def test_grim_and_debit(found):
    # 62/18 = 3.444 prints as 3.44; 3.45 needs a total in [62.01, 62.19]: none
    assert _status(found, "grim_ok") == "ok" and _status(found, "grim_bad") == "inconsistent"
    # with 10 items each, n = 180 >= 100: any mean to 2 decimals is reachable, so the rule says
    # it cannot tell (a note that judges no number), never "ok"
    row = found.loc["grim_items"]
    assert row["status"] == "note" and row["numbers"] == ()
    assert row["detail"].startswith("uninformative at this n") and "1/180 = 0.0056" in row["detail"]
    # 7 of 20: mean 0.35, SD sqrt(0.35 * 0.65 * 20 / 19) = 0.4894 -> 0.49, never 0.40
    assert _status(found, "debit_ok") == "ok" and _status(found, "debit_bad") == "inconsistent"


def test_debit_by_enumeration():
    for n in (5, 12, 40):
        for k in range(n + 1):
            p = k / n
            sd = math.sqrt(p * (1 - p) * n / (n - 1))
            assert (
                debit_consistent(round(p, 2), 2, round(sd, 2), 2, n)
                or abs(round(p, 2) - p) > 0.005 - 1e-12
            )
    with pytest.raises(ValueError):
        debit_consistent(0.5, 2, 0.5, 2, 1)


def test_superlatives(found):
    assert _status(found, "best") == "ok"
    assert _status(found, "worst_wrong") == "inconsistent"
    assert "c_cox" in found.loc["worst_wrong", "detail"]
    assert _status(found, "best_tied") == "note"


def test_same_number_and_distinct(found):
    assert _status(found, "same_bad") == "inconsistent"
    assert "brier_other" in found.loc["same_bad", "detail"]
    assert _status(found, "same_quoted") == "ok"
    assert _status(found, "same_quoted_bad") == "inconsistent"
    assert _status(found, "copy") == "note"
    assert _status(found, "differ") == "ok"


def test_range_ordered_bounds_lists_and_units(found):
    assert _status(found, "range_ok") == "ok" and _status(found, "range_bad") == "inconsistent"
    assert _status(found, "order_ok") == "ok" and _status(found, "order_bad") == "note"
    assert _status(found, "sign") == "inconsistent"
    assert _status(found, "listed_ok") == "ok" and _status(found, "listed_bad") == "inconsistent"
    # 609.9 / 713.05 = 0.855
    assert _status(found, "units") == "inconsistent" and "0.855" in found.loc["units", "detail"]
    assert _status(found, "cited_twice") == "inconsistent"
    assert found.loc["cited_twice", "detail"].startswith("curated, not computed")


def test_events_implied_by_hand(found):
    # SE = ln 4 / (2 * 1.96) = 0.3537, p = 50/100, D = 1 / (0.3537^2 * 0.25) = 32.0
    d = found.loc["events", "detail"]
    assert "prevalence 50/100" in d and "about 32 events" in d
    assert not found.loc["events", "judges"]


def test_audit_verdicts_judge_only_the_numbers_of_judging_claims(toy):
    v = audit_verdicts(toy)
    # the audit's own verdict words, never those of a replication
    assert v["p_sig"][0] == "inconsistent"  # nosig and nodiff read it as not significant
    assert v["hr_b"][0] == "inconsistent" and v["hr_b.lower"] == v["hr_b"]
    # a percentage judges itself, not its denominator; a superlative only the number it cites
    assert "n36" not in v and v["share22"][0] == "consistent"
    assert v["n_group"][0] == "consistent"  # same_quoted: twenty-nine and 29
    assert v["c_rsf"][0] == "questionable"  # cited by best (ok) and best_tied (note)
    assert v["c_gbm"][0] == "inconsistent"  # cited by worst_wrong
    assert "c_tie" not in v  # only compared with (best_tied)
    assert "sii" in v and v["sii"][0] == "inconsistent"  # the units claim judges it
    assert "hr_wide" not in v  # events_implied is a yardstick
    assert {verdict for verdict, _ in v.values()} <= set(AUDIT_VERDICTS)
    assert all(r.startswith("internal consistency") for _, r in v.values())


def test_claims_reach_the_cli_audit(toy, tmp_path):
    root = toy.folder.parent
    r = CliRunner().invoke(app, ["audit", "toy", "--data-dir", str(root)])
    assert r.exit_code == 0, r.output
    for key in audit_study(toy, include_ok=False)["key"]:
        assert key in r.output


@pytest.mark.parametrize(
    "claim, where, reason",
    [
        (
            {"key": "a", "kind": "bounds", "says": "x", "number": "nope", "min": 0.0, "why": "y"},
            "claims[0].number",
            "no reported number with key 'nope'",
        ),
        (
            {
                "key": "a",
                "kind": "bounds",
                "says": "x",
                "number": "score",
                "min": 0.0,
                "why": "y",
                "colour": "red",
            },
            "colour",
            "unknown field",
        ),
        ({"key": "a", "kind": "telepathy", "says": "x"}, "claims", "telepathy"),
        ({"key": "a", "kind": "no_difference", "says": "x"}, "claims", "at least one printed p"),
        (
            {"key": "a", "kind": "same_number", "says": "x", "numbers": ["score"]},
            "numbers",
            "at least 2",
        ),
    ],
)
def test_malformed_claims_name_file_field_and_reason(tmp_path, claim, where, reason):
    root = _write_study(tmp_path, [claim])
    with pytest.raises(DataFileError) as e:
        load_study("toy", data_dir=root)
    msg = str(e.value)
    assert "claims.yaml" in msg and where in msg and reason in msg, msg


def test_duplicate_claim_keys_and_unknown_split_variables_fail(tmp_path):
    c = {"key": "a", "kind": "bounds", "says": "x", "number": "score", "min": 0.0, "why": "y"}
    root = _write_study(tmp_path, [c, c])
    with pytest.raises(DataFileError, match=re.escape("claims[1].key")):
        load_study("toy", data_dir=root)


def test_every_study_with_claims_loads_and_every_finding_names_a_status():
    for key in ("deng2025", "fonc2025", "lv2025"):
        f = claim_findings(key)
        assert len(f) and set(f["status"]) <= {"ok", "note", "inconsistent"}


def test_chapter_pages_use_the_generic_audit_only():
    """The chapters show audit_study (what `hccrep audit` prints), no per-paper audit function."""
    book = Path(__file__).resolve().parent.parent / "book"
    for page in book.glob("*/*.md"):
        text = page.read_text(encoding="utf-8")
        assert "deng_audit" not in text and "audit_review" not in text, page


def test_fonc2025_curator_notes_are_declared_findings():
    a = audit_study("fonc2025").set_index("key")
    for site in ("liver", "pvtt", "lymph_node", "lung", "bone"):
        row = a.loc[f"rt_site_{site}_of_29"]
        assert row["status"] == "note" and "/35" in row["detail"]
    assert a.loc["extrahepatic_metastasis_rt_count", "status"] == "inconsistent"  # 7 vs 10
    assert a.loc["bclc_c_os_pfs_subgroup_hr", "status"] == "note"
    assert a.loc["mild_ae_all_above_02.ae_fever_any_p", "status"] == "inconsistent"  # 0.146


def test_cli_scorecard_labels_the_audit_verdicts_of_lv2025():
    r = CliRunner().invoke(app, ["scorecard", "lv2025", "--mc", "2", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "judged_by" in r.output
    lines = r.output.splitlines()
    audit = next(x for x in lines if x.startswith("judged by the audit"))
    assert "internal consistency, not a replication" in audit and "consistent: " in audit
    # the fidelity share is over the simulated checks only, as counted on the line above it:
    # lv2025 has five, one of them a repeat (about.same_as), so four count
    sim = next(x for x in lines if x.startswith("replicated by simulation"))
    n = dict(
        (k.strip(), int(v))
        for k, v in (part.split(":") for part in sim.split(": ", 1)[1].split(","))
    )
    assert set(n) == {"reproduced", "plausible", "not reproduced"} and sum(n.values()) == 4
    ok = n["reproduced"] + n["plausible"]
    share = next(x for x in lines if x.startswith("fidelity"))
    assert share == (
        f"fidelity (simulated checks only): {ok}/4 = {100 * ok / 4:.1f} % reproduced or plausible"
    )


def test_summaries_count_the_audit_verdicts_apart():
    from hccrep.display import (
        AUDITED,
        FIDELITY,
        SIMULATED,
        studies_summary,
        studies_summary_html,
        verdict_summary_html,
    )
    from hccrep.replication import fidelity, runner_for, scorecard, summarise

    card = scorecard(runner_for("lv2025"), n_mc=0, progress=False, explain=False)
    once = card.repeat_of == ""  # a result the review prints twice is counted once
    audited = (card.judged_by == "audit") & once
    # every audit verdict is one of the audit's words, and no simulation word is the audit's
    assert set(card.loc[card.judged_by == "audit", "verdict"]) <= set(AUDIT_VERDICTS)
    assert not set(card.loc[card.judged_by == "simulation", "verdict"]) & set(AUDIT_VERDICTS)
    counts = summarise(card)
    n_audit = int(audited.sum())
    assert n_audit > 100 and int(counts[list(AUDIT_VERDICTS)].sum()) == n_audit
    for v in AUDIT_VERDICTS:
        assert counts[v] == int((audited & (card.verdict == v)).sum())
    assert counts.sum() == once.sum()
    # the share counts the simulated checks only: at most lv2025's five computable ones
    ok, n, _ = fidelity(card)
    sim = (card.judged_by == "simulation") & (card.verdict != "not checkable") & once
    assert n == int(sim.sum()) and 0 < n <= 5
    assert ok == int((sim & card.verdict.isin(["reproduced", "plausible"])).sum())
    html = str(verdict_summary_html(card))
    assert SIMULATED in html and AUDITED in html and FIDELITY in html
    assert f"{ok}/{n} = {100 * ok / n:.1f} %" in html
    assert f"{n_audit} numbers no simulation computes" in html
    table = studies_summary(card.assign(study="lv2025"))
    assert table.loc["lv2025", "checks"] == once.sum()
    assert table.loc["lv2025", "simulated"] == n
    assert table.loc["lv2025", "reproduced or plausible"] == ok
    for v in AUDIT_VERDICTS:
        assert table.loc["lv2025", v] == counts[v]
    many = str(studies_summary_html(card.assign(study="lv2025")))
    assert AUDITED in many and FIDELITY in many and f"{ok}/{n} =" in many


def test_fidelity_and_counts_on_a_hand_made_card():
    """Hand count: 2 reproduced, 1 plausible (1 more a repeat), 1 not reproduced, 2 consistent,
    1 inconsistent, 1 not checkable; the share is 3/4 and ignores the audit's 3."""
    from hccrep.replication import fidelity, summarise

    card = pd.DataFrame(
        {
            "verdict": ["reproduced", "reproduced", "plausible", "plausible", "not reproduced"]
            + ["consistent", "consistent", "inconsistent", "not checkable"],
            "judged_by": ["simulation"] * 5 + ["audit"] * 3 + ["simulation"],
            "repeat_of": ["", "", "", "x", "", "", "", "", ""],
        }
    )
    assert fidelity(card) == (3, 4, 0.75)
    assert fidelity(card, count_repeats=True) == (4, 5, 0.8)
    assert summarise(card).to_dict() == {
        "reproduced": 2,
        "plausible": 1,
        "not reproduced": 1,
        "consistent": 2,
        "questionable": 0,
        "inconsistent": 1,
        "not checkable": 1,
    }
    with pytest.raises(ValueError, match="unknown verdicts"):
        summarise(card.assign(verdict="reproduced?"))


def test_tu2025_superlatives_against_table_4():
    a = audit_study("tu2025").set_index("key")
    # Table 4, external cohort: Brier 0.0714 (combined) against 0.0682 (AFP)
    assert a.loc["tipm_lowest_brier_external", "status"] == "inconsistent"
    assert "t4_brier_afp_external" in a.loc["tipm_lowest_brier_external", "detail"]
    others = a[(a.check == "claim:extreme") & (a.index != "tipm_lowest_brier_external")]
    assert len(others) == 8 and (others.status == "ok").all()
    assert (
        a.loc[a.index.str.startswith("cohorts_no_difference."), "status"] != "inconsistent"
    ).all()


@pytest.mark.parametrize("study", ["deng2025", "lv2025"])
def test_the_cli_audit_lists_every_finding_the_chapter_shows(study):
    """The chapters show audit_study's findings; the CLI prints each that is not ok."""
    r = CliRunner().invoke(app, ["audit", study])
    assert r.exit_code == 0, r.output
    found = audit_study(study, include_ok=False)
    assert len(found) and all(k in r.output for k in found["key"])
    n_bad = int((found.status == "inconsistent").sum())
    assert f"inconsistent: {n_bad}" in r.output

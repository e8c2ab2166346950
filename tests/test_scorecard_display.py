"""Scorecards a clinician can read: labels, the number compared, wide intervals, the book's tables and figures."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from hccrep.display import (  # noqa: E402
    SCORECARD_DISPLAY,
    UNINFORMATIVE,
    audit_table,
    check_label,
    check_table,
    compared_token,
    interval_informative,
    interval_text,
    scorecard_table,
    studies_summary,
    verdict_summary_html,
)
from hccrep.replication import runner_for, scorecard, summarise  # noqa: E402

STUDIES = ["fonc2025", "tu2025", "deng2025", "lv2025"]
#: what an internal key looks like: lower-case words joined by underscores (t1p_alt_tace, cox_uv_ast_p)
KEY_PATTERN = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


@pytest.fixture(scope="module")
def card():
    return scorecard(runner_for("fonc2025"), n_mc=20, progress=False, cache_dir="")


@pytest.mark.parametrize("study", STUDIES)
def test_labels_name_every_check_without_internal_keys(study):
    card = scorecard(runner_for(study), n_mc=0, progress=False, explain=False)
    assert card.label.str.len().gt(0).all()
    leaked = [(k, lb) for k, lb in zip(card.key, card.label) if KEY_PATTERN.search(lb) or k in lb]
    assert not leaked, leaked[:5]


def test_a_label_reads_table_row_and_column_and_names_the_limit():
    runner = runner_for("deng2025")
    checks = {n.key: n for n in runner.checks}
    assert check_label(checks["t1p_alt_tace"], runner.study) == "Table 1 · ALT · p, TACE vs P+T"
    assert check_label(checks["cox_uv_bclc_hr.lower"], runner.study).endswith("(lower limit)")
    fonc = runner_for("fonc2025")
    text = {n.key: n for n in fonc.checks}["os_rate_24m_io_t"]
    assert "OS at 24 months, IO+T" in check_label(text, fonc.study)


def test_the_compared_token_is_the_one_number_judged():
    sentence = "12.6 months [95% CI: 5.4–17.3]"
    assert compared_token(sentence, 12.6) == "12.6"
    assert compared_token(sentence, 5.4) == "5.4"
    assert compared_token(sentence, 17.3) == "17.3"
    assert compared_token("110 (72.4%)", 72.4) == "72.4%"
    assert compared_token("p<0.001", 0.001, bound="<") == "< 0.001"
    assert compared_token("-0.003 (-0.006, 0.001)", -0.003) == "-0.003"
    assert compared_token("1,082 HCC patients", 1082) == "1,082"
    assert compared_token("RSF ... superior", 1.0, quantity="statement") == "RSF ... superior"
    assert compared_token("no number here", 3.0) == "no number here"


def test_the_scorecard_compares_limits_alone(card):
    limits = card[card.key.str.endswith((".lower", ".upper"))]
    assert len(limits) > 0
    assert (limits.compared.str.len() < limits.printed.str.len()).all()
    row = card.set_index("key").loc["pfs_median_rt_io_t.upper"]
    assert row.compared in row.printed and row.compared != row.printed


@pytest.mark.parametrize(
    ("quantity", "low", "high", "informative"),
    [
        ("p", 0.004, 0.89, False),
        ("p", 0.2, 0.89, True),
        ("p", 0.001, 0.04, True),
        ("hr", 0.3, 1.8, False),
        ("hr", 0.5, 1.8, True),
        ("or", 0.0, 2.0, False),
        ("statement", 0.0, 1.0, False),
        ("median", 1.0, 100.0, True),
        ("p", float("nan"), float("nan"), True),
    ],
)
def test_interval_informative(quantity, low, high, informative):
    ok, why = interval_informative(quantity, low, high)
    assert ok is informative and bool(why) is not informative


def test_wide_plausible_intervals_are_flagged_and_counted_apart(card):
    wide = card[~card.informative]
    assert len(wide) > 0 and (wide.verdict == "plausible").all()
    assert wide.reason.str.contains("too wide").all()
    plain, split = summarise(card), summarise(card, split_uninformative=True)
    assert list(split.index) == [
        "reproduced",
        "plausible",
        UNINFORMATIVE,
        "not reproduced",
        "consistent",
        "questionable",
        "inconsistent",
        "not checkable",
    ]
    assert split["plausible"] + split[UNINFORMATIVE] == plain["plausible"]
    assert split.sum() == plain.sum()


def test_interval_text():
    assert interval_text(0.1764, 0.1764) == "always 0.1764"
    assert interval_text(0.3, 0.91) == "0.3 – 0.91"
    assert interval_text(float("nan"), 1.0) == "—"


def _headers(html: str, table_class: str) -> list[str]:
    table = html[html.index(f"hccrep-table {table_class}") :]
    head = table[: table.index("</thead>")]
    return re.findall(r"<th[^>]*>([^<]*)</th>", head)


def test_scorecard_table_shows_the_columns_in_order_without_nan_or_keys(card):
    html = str(scorecard_table(card, table_id="t"))
    assert _headers(html, "hccrep-scorecard") == list(SCORECARD_DISPLAY)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells and not {c.strip() for c in cells} & {"nan", "NaN", "None", "<NA>"}
    assert not any(re.fullmatch(r"[a-z0-9_]+\.(?:p|lower|upper)", c) for c in cells)
    assert 'title="pfs_median_rt_io_t.upper"' in html  # the key is in the row's tooltip only
    assert "pfs_median_rt_io_t.upper<" not in html
    missed = card[card.verdict == "not reproduced"]
    assert len(missed) and all(f">{c}<" in html for c in missed.cause)


def test_check_table_reads_labels_intervals_and_reasons_without_keys(card):
    # reference: the scorecard's own label / interval columns, written by hand for one row
    rows = card[card.key == "pfs_median_rt_io_t.upper"]
    shown = check_table(rows, reason=True).data
    assert list(shown.columns) == [
        "check", "printed", "replicated", "Monte Carlo interval", "verdict", "reason"
    ]  # fmt: skip
    r = rows.iloc[0]
    assert shown.iloc[0]["check"] == r.label and "pfs_median" not in shown.iloc[0]["check"]
    assert shown.iloc[0]["Monte Carlo interval"] == f"{r.mc_low:.3g} \u2013 {r.mc_high:.3g}"
    whole = check_table(card).data  # every check, no NaN text and no bare keys
    assert not set(whole.to_numpy().ravel()) & {"nan", "NaN", "None", "<NA>"}
    assert not any(KEY_PATTERN.fullmatch(c) for c in whole["check"])
    with pytest.raises(ValueError, match="reason"):
        check_table(card.drop(columns="reason"), reason=True)
    by_key = check_table(rows.set_index("key")).data  # a card indexed by key works too
    assert by_key.iloc[0]["check"] == r.label


def test_check_table_names_the_stated_test_in_words(card):
    # reference: fonc2025's methods name the chi-square test for Table 1 and the data file
    # declares Fisher-if-sparse as the evident one (data/fonc2025/table1.yaml)
    rows = card[(card.file_id == "table1") & (card.stated_variant != "")]
    assert len(rows)
    shown = check_table(rows, stated=True).data
    assert set(shown["stated test"]) == {"chi-square"}
    assert shown["replicated, stated test"].ne("").all()
    assert shown["replicated, stated test"].tolist() == [f"{v:.4g}" for v in rows.replicated_stated]


def test_scorecard_table_of_several_studies_puts_the_study_first():
    card = pd.DataFrame(
        {
            "study": ["a", "b"],
            "key": ["x.p", "y.hr"],
            "printed": ["0.2", "1.5 (1.1-2.0)"],
            "replicated": [0.21, np.nan],
            "mc_low": [0.1, np.nan],
            "mc_high": [0.3, np.nan],
            "verdict": ["reproduced", "not checkable"],
            "reason": ["prints as 0.2", "no analysis"],
        }
    )
    html = str(scorecard_table(card, table_id="t2"))
    assert _headers(html, "hccrep-scorecard") == ["study", *SCORECARD_DISPLAY]
    cells = [c.strip() for c in re.findall(r"<td[^>]*>([^<]*)</td>", html)]
    assert "—" in cells and not {c.lower() for c in cells} & {"nan", "none", "<na>"}
    with pytest.raises(ValueError, match="non-empty"):
        scorecard_table(card.iloc[:0])


def test_audit_table_wraps_the_detail_and_names_the_numbers():
    from hccrep.audit import audit_study

    findings = audit_study("fonc2025")
    html = str(audit_table(findings[findings.status != "ok"], study="fonc2025"))
    assert 'class="hc-detail"' in html and "hccrep-audit" in html
    assert "number" in _headers(html, "hccrep-audit")
    assert "Table 5 · BCLC: C vs B · PFS: Univariate analysis: HR (95%CI)" in html


def test_verdict_summaries(card):
    html = str(verdict_summary_html(card, title="fonc2025"))
    assert "Verdicts of" in html and UNINFORMATIVE in html
    if (card.verdict == "not reproduced").any():
        assert "Causes of the" in html
    table = studies_summary(card.assign(study="fonc2025"))
    assert table.loc["fonc2025", "checks"] == summarise(card).sum()
    assert (
        sum(table.loc["fonc2025", [c for c in table.columns if c.startswith("miss: ")]])
        == summarise(card)["not reproduced"]
    )


def test_one_figure_per_table_with_readable_labels(card):
    from hccrep.plots import reported_vs_replicated_plots

    drawn = card[
        (card.verdict != "not checkable")
        & ~card.quantity.isin(["p", "p_interaction"])
        & ~card.key.str.endswith((".lower", ".upper"))
    ]
    figures = reported_vs_replicated_plots(drawn)
    titles = [f.get_suptitle() for f in figures]
    assert len(titles) == len(set(titles)) > 1
    for fig in figures:
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert labels and not any(KEY_PATTERN.search(lb) for lb in labels)
        assert fig.get_size_inches()[1] * fig.dpi < 3000
    import matplotlib.pyplot as plt

    plt.close("all")


def test_filter_table_titles_must_match_the_rows():
    from hccrep.book.filtertable import filter_table_html

    with pytest.raises(ValueError, match="titles"):
        filter_table_html(pd.DataFrame({"a": [1, 2]}), filters=[], table_id="t", row_titles=["x"])


@pytest.mark.parametrize("study", ["lv2025", "tu2025"])
def test_audit_verdict_reasons_carry_no_claim_keys(study):
    # reference: the claim keys of data/<study>/claims.yaml (e.g. lv2025's
    # platelet_palliative_link.platelet_palliative_hr), which a reader must not see
    from hccrep.audit import audit_verdicts, claim_findings

    keys = set(claim_findings(study)["key"])
    reasons = [reason for _, reason in audit_verdicts(study).values()]
    assert reasons
    assert not [r for r in reasons if any(k in r for k in keys if "." in k)]

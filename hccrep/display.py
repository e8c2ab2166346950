"""Scorecards a clinician can read: row labels, the number compared, wide-interval flags, book tables.

- :func:`check_label` names a check from its data (table · row · column, or what
  its analysis computes), never by its internal key;
- :func:`compared_token` is the exact printed token a check is compared with
  (``"13.85"`` for the lower limit of ``"22.95 months [95% CI: 13.85–35.15]"``);
- :func:`interval_informative` says whether a Monte Carlo interval is narrow
  enough for *plausible* to mean something;
- :func:`scorecard_table`, :func:`audit_table` and :func:`verdict_summary_html`
  give the book's HTML tables (wrapping text, no internal keys shown, the key
  in a tooltip).

Examples
--------
>>> compared_token("22.95 months [95% CI: 13.85–35.15]", 13.85)
'13.85'
>>> compared_token("110 (61.75%)", 61.75)
'61.75%'
>>> interval_informative("p", 0.004, 0.89)[0]
False
"""

from __future__ import annotations

from hccrep.about import About

import html as _html
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "styled_table",
    "notes_table",
    "reported_by_file",
    "QUANTITY_WORDS",
    "check_label",
    "compared_token",
    "interval_informative",
    "interval_text",
    "scorecard_table",
    "audit_table",
    "verdict_summary",
    "verdict_summary_html",
    "studies_summary",
    "studies_summary_html",
    "glue_summary",
    "HTMLTable",
    "UNINFORMATIVE",
    "AUDITED",
    "SIMULATED",
    "FIDELITY",
]

#: Words for each quantity (a label's last part when the data give no column).
QUANTITY_WORDS = {
    "count": "count",
    "percent": "%",
    "rate": "rate",
    "median": "median",
    "mean": "mean",
    "sd": "SD",
    "hr": "HR",
    "or": "OR",
    "rr": "RR",
    "p": "p",
    "p_interaction": "p for interaction",
    "c_index": "C-index",
    "auc": "AUC",
    "brier": "Brier score",
    "kappa": "kappa",
    "net_benefit": "net benefit",
    "cutoff": "cut-off",
    "sensitivity": "sensitivity",
    "specificity": "specificity",
    "accuracy": "accuracy",
    "precision": "precision",
    "f1": "F1",
    "dose": "dose",
    "bed": "BED",
    "other": "value",
    "statement": "claim",
    "log_or": "log OR",
    "z": "z",
}

#: The verdict name :func:`hccrep.replication.summarise` gives plausible checks with a wide interval.
UNINFORMATIVE = "plausible, uninformative"

_RATIOS = ("hr", "or", "rr")
_DASH = "\u2013"


# --------------------------------------------------------------------------- labels


def _group_labels(study) -> dict[str, str]:
    try:
        base = study.baseline()
    except (KeyError, AttributeError, ValueError):
        return {}
    out = {g.key: g.label for g in base.groups}
    if base.total is not None:
        out[base.total.key] = base.total.label
    return out


def _variables(study) -> dict:
    try:
        return {v.key: v for v in study.baseline().variables}
    except (KeyError, AttributeError, ValueError):
        return {}


def _time_unit(study, endpoint: str) -> str:
    """The unit of an endpoint's time (from the unit of its printed medians), or ''."""
    sim = getattr(study, "simulation", None)
    spec = next((s for s in getattr(sim, "survival", []) if s.endpoint == endpoint), None)
    if spec is None:
        return ""
    keys = set(spec.medians.values())
    for f in study.files.values():
        for n in getattr(f, "numbers", []):
            if n.key in keys and n.unit:
                return n.unit
    return ""


def _readable(name: str) -> str:
    return name.replace("_", " ")


def describe_analysis(analysis, study=None) -> str:
    """What a declared analysis computes, in words (``"OS at 24 months, RT+IO+T"``); '' if unknown."""
    if analysis is None:
        return ""
    groups = _group_labels(study) if study is not None else {}
    variables = _variables(study) if study is not None else {}

    def var_label(v: str) -> str:
        return variables[v].label if v in variables else _readable(v)

    def level_label(v: str, lv: str) -> str:
        if v in variables and hasattr(variables[v], "levels"):
            found = next((x.label for x in variables[v].levels if x.key == lv), None)
            if found:
                return found
        return groups.get(lv, _readable(lv))

    kind = analysis.kind
    by = getattr(analysis, "by", None)
    group = getattr(analysis, "group", None)
    who = ""
    if group is not None:
        who = f", {level_label(by, group) if by else groups.get(group, _readable(group))}"
    subset = getattr(analysis, "subset", None) or {}
    only = "".join(f", only {var_label(v)} {level_label(v, lv)}" for v, lv in subset.items())
    endpoint = getattr(analysis, "endpoint", None)
    ep = endpoint.upper() if endpoint else ""
    if kind == "km_median":
        text = f"median {ep}{who}"
    elif kind == "km_landmark":
        unit = _time_unit(study, endpoint) if study is not None else ""
        text = f"{ep} at {analysis.time:g}{' ' + unit if unit else ''}{who}"
    elif kind == "logrank":
        gs = analysis.groups or []
        text = f"log-rank test of {ep}" + (
            f", {' vs '.join(level_label(by, g) if by else groups.get(g, g) for g in gs)}"
            if gs
            else ""
        )
    elif kind in ("cox", "logistic"):
        target = ep if kind == "cox" else _readable(analysis.outcome)
        term = var_label(analysis.term)
        if analysis.level is not None:
            term += f": {level_label(analysis.term, analysis.level)}"
        model = "univariable" if len(analysis.terms) == 1 else "multivariable"
        text = f"{term} ({model}, {target})"
    elif kind == "table1_test":
        gs = analysis.groups or []
        text = f"test of {var_label(analysis.variable)}" + (
            f", {' vs '.join(groups.get(g, level_label(by, g) if by else g) for g in gs)}"
            if gs
            else ""
        )
    elif kind == "proportion":
        lv = (
            f": {level_label(analysis.variable, analysis.level)}"
            if analysis.level is not None
            else ""
        )
        text = f"{var_label(analysis.variable)}{lv}{who}"
    elif kind == "summary":
        text = f"{var_label(analysis.variable)}{who}"
    elif kind in ("auc", "c_index"):
        score = (
            var_label(analysis.marker)
            if analysis.marker
            else "model of " + ", ".join(var_label(t) for t in analysis.terms)
        )
        text = f"{score}"
    elif kind in (
        "model_metric",
        "best_model",
        "top_importance",
        "dca_superiority",
        "pdp_direction",
    ):
        text = _describe_model_analysis(analysis, var_label, level_label)
    else:
        text = ""
    return (text + only).strip(", ")


_METRIC_WORDS = {
    "c_index": "C-index",
    "brier": "Brier score",
    "ibs": "integrated Brier score",
    "td_auc": "time-dependent AUC",
}


def _describe_model_analysis(a, var_label, level_label) -> str:
    """A declared analysis about a fitted prediction model, in words."""
    from hccrep.survival_models import MODEL_LABELS

    model = MODEL_LABELS.get(a.model, _readable(a.model))

    def at(hs) -> str:
        return f" at {', '.join(f'{h:g}' for h in hs)}" if hs else ""

    if a.kind == "model_metric":
        return f"{_METRIC_WORDS[a.metric]} of {model}{at([a.horizon] if a.horizon else [])}, {a.dataset} set"
    if a.kind == "best_model":
        return f"{model} best by {_METRIC_WORDS[a.metric]}{at(a.horizons)}, {a.dataset} set"
    if a.kind == "top_importance":
        names = ", ".join(var_label(v) for v in a.variables)
        return f"top {a.k} variables of {model}{at(a.horizons)}: {names}"
    if a.kind == "dca_superiority":
        return f"net benefit of {model} above both defaults{at([a.horizon])}"
    what = var_label(a.variable) + (f": {level_label(a.variable, a.level)}" if a.level else "")
    return f"partial dependence of {model} on {what}, {a.direction} survival"


def check_label(num, study=None) -> str:
    """A readable name for a check: ``"Table 1 · Sex: male · p, TACE vs P+T"``.

    The source, the row and the column as the data give them; where the data give no
    column (a number quoted in the text), what the analysis computes or the quantity.
    A limit of an interval says which (``"(upper limit)"``).

    Parameters
    ----------
    num : ReportedNumber
        The reported number (its ``key``, ``source``, ``row``, ``column``,
        ``quantity`` and, when declared, ``analysis``).
    study : Study, optional
        The study, used to name the declared analysis (its groups and levels).

    Returns
    -------
    str
        The non-empty parts joined by ``" · "``.
    """
    side = num.key.rsplit(".", 1)[1] if num.key.endswith((".lower", ".upper")) else None
    parts = [str(num.source)] if num.source else []
    if num.row:
        parts.append(str(num.row))
    column = num.column
    if side and column and column == f"{num.quantity} ({side} limit)":
        column = None  # the runner's placeholder: the quantity's name
    if column:
        if num.quantity in ("mean", "sd") and not side:
            column = (
                f"{column} ({QUANTITY_WORDS[num.quantity]})"  # a mean ± SD cell holds two checks
            )
        parts.append(str(column))
    else:
        what = (
            describe_analysis(getattr(num, "analysis", None), study)
            or _from_about(num, study)
            or QUANTITY_WORDS.get(num.quantity, num.quantity)
        )
        if (
            num.quantity in _RATIOS
            and getattr(num, "analysis", None) is not None
            and num.analysis.kind in ("cox", "logistic")
        ):
            what = f"{QUANTITY_WORDS[num.quantity]} of {what}"
        elif num.quantity in ("p", "p_interaction") and getattr(num, "analysis", None) is not None:
            what = f"{QUANTITY_WORDS[num.quantity]}, {what}"
        parts.append(what + (f" ({side} limit)" if side else ""))
    return " · ".join(p.strip() for p in parts if p and p.strip())


def _from_about(num, study) -> str:
    """A number without analysis: its quantity, endpoint, arm and subgroup as its attributes name them."""
    about = getattr(num, "about", None) or About()
    word = QUANTITY_WORDS.get(num.quantity, num.quantity)
    if about.endpoint is not None:
        word += f" ({about.endpoint.upper()})"
    parts = [word]
    variables = _variables(study) if study is not None else {}
    groups = _group_labels(study) if study is not None else {}
    arm = about.arm if about.arm is not None else about.group
    if arm is not None:
        parts.append(groups.get(arm, _readable(arm)))
    var, level = about.subgroup_variable, about.subgroup_level
    if var is not None:
        v = variables.get(var)
        text = v.label if v is not None else _readable(var)
        if isinstance(level, str):
            lv = next((x.label for x in getattr(v, "levels", []) if x.key == level), None)
            text += f" {lv or _readable(level)}"
        parts.append(text)
    elif about.subgroup is not None:
        parts.append(f"subgroup {_readable(about.subgroup)}")
    return (
        ", ".join(parts)
        if len(parts) > 1 or word != QUANTITY_WORDS.get(num.quantity, num.quantity)
        else ""
    )


_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def compared_token(
    printed: str, value: float, *, bound: str | None = None, quantity: str = ""
) -> str:
    """The token of ``printed`` that ``value`` was read from: what the check is compared with.

    A p-value printed with a bound keeps it (``"< 0.001"``), a percentage its sign
    (``"61.75%"``), a negative number its minus; a claim is its whole sentence.
    Falls back to ``printed`` when no token matches.

    Parameters
    ----------
    printed : str
        The printed text of the number.
    value : float
        The reported value read from it; None or non-finite returns ``printed``.
    bound : str, optional
        ``"<"`` or ``">"`` when the p-value was printed with a bound.
    quantity : str, default ""
        The reported quantity; ``"statement"`` returns ``printed``.

    Returns
    -------
    str
        The first token equal to ``abs(value)`` (thousands commas ignored), with
        its minus, percent sign and bound; else ``printed`` unchanged.
    """
    printed = str(printed)
    if quantity == "statement" or value is None or not np.isfinite(value):
        return printed
    for m in _TOKEN.finditer(printed):
        if math.isclose(float(m.group().replace(",", "")), abs(value), rel_tol=1e-9, abs_tol=1e-12):
            tok = m.group()
            before = printed[: m.start()].rstrip()
            if value < 0 and before.endswith(("-", "\u2212")):
                tok = "-" + tok
            if printed[m.end() : m.end() + 1] == "%":
                tok += "%"
            if bound:
                tok = f"{bound} {tok}"
            return tok
    return printed


# --------------------------------------------------------------------------- intervals


def interval_informative(quantity: str, low: float, high: float) -> tuple[bool, str]:
    """Whether a Monte Carlo interval says something, and why not when it does not.

    Too wide: a p-value interval holding both p < 0.05 and p > 0.5; a ratio
    interval wider than a factor of 4 (or reaching 0); a claim that holds in
    some cohorts and fails in others (interval [0, 1]).

    Parameters
    ----------
    quantity : str
        The reported quantity (``"p"``, ``"hr"``, ``"statement"``...).
    low, high : float
        The Monte Carlo interval; None or non-finite counts as informative.

    Returns
    -------
    tuple of (bool, str)
        Whether the interval is informative, and the reason when it is not
        (empty otherwise).
    """
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return True, ""
    if quantity in ("p", "p_interaction") and low < 0.05 and high > 0.5:
        return (
            False,
            "it holds p-values below 0.05 and above 0.5, so a p anywhere in between would pass",
        )
    if quantity in _RATIOS:
        if low <= 0:
            return False, "it reaches 0, so almost any ratio would pass"
        if high / low > 4:
            return (
                False,
                f"its ends differ by a factor of {high / low:.0f}, so almost any ratio in that range would pass",
            )
    if quantity == "statement" and low <= 0 and high >= 1:
        return False, "the claim holds in some simulated cohorts and fails in others"
    return True, ""


def interval_text(low: float, high: float) -> str:
    """``"0.176"`` repeated as ``"always 0.176"`` for a point, ``"0.38 – 0.91"`` otherwise, '—' if none.

    Parameters
    ----------
    low, high : float
        The Monte Carlo interval (None or non-finite: no interval).

    Returns
    -------
    str
        ``"always x"`` (4 significant digits) when the ends are equal, the two
        ends with 3 significant digits and an en dash, or an em dash.
    """
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return "\u2014"
    if math.isclose(low, high, rel_tol=1e-9, abs_tol=1e-12):
        return f"always {low:.4g}"
    return f"{low:.3g} {_DASH} {high:.3g}"


# --------------------------------------------------------------------------- HTML tables


class HTMLTable(str):
    """An HTML fragment that notebooks display as HTML (and tests read as a string)."""

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # what a text-only front end shows instead of the markup
        return f"<HTML table of {self.count('<tr')} rows>"


def _value_text(v) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "\u2014"
    if isinstance(v, (float, np.floating)):
        return f"{v:.4g}"
    return str(v)


def _reason_text(row: Mapping) -> str:
    from hccrep.causes import _plain

    reason = _plain(str(row.get("reason") or ""))
    detail = str(row.get("cause_detail") or "")
    if row.get("verdict") == "not reproduced" and detail:
        reason = f"{reason}. Why: {detail}" if reason else detail
    # an audit's "inconsistent" carries its explanation in the reason already
    return reason


SCORECARD_DISPLAY = ("label", "printed", "replicated", "interval", "verdict", "cause", "reason")


def scorecard_table(
    card: pd.DataFrame,
    *,
    table_id: str = "scorecard",
    caption: str = "",
    filters: Sequence[str] | None = None,
) -> HTMLTable:
    """The scorecard as the book shows it: one readable row per check.

    Columns, in order: ``label`` (what the number is), ``printed`` (the exact
    token compared; the whole printed text in its tooltip), ``replicated`` (on
    the book's seed), ``interval`` (the Monte Carlo interval), ``verdict``,
    ``cause`` (of a *not reproduced*) and ``reason`` (with the cause explained);
    a ``study`` column first when the card has one. The internal key is only
    in each row's tooltip. Drop-down filters (default: study, verdict and
    cause), a search box and sortable headers come from
    :func:`hccrep.book.filtertable.filter_table_html`.

    Parameters
    ----------
    card : DataFrame
        A scorecard with at least the columns ``key``, ``printed``,
        ``replicated``, ``mc_low``, ``mc_high``, ``verdict`` and ``reason``
        (``label``, ``compared``, ``cause`` and ``study`` are used when present).
    table_id : str, default "scorecard"
        The HTML id of the table.
    caption : str, default ""
        The table's caption.
    filters : sequence of str, optional
        Columns that get a drop-down filter.

    Returns
    -------
    HTMLTable
        The table as an HTML fragment.

    Raises
    ------
    ValueError
        When ``card`` is not a non-empty DataFrame or lacks a required column.
    """
    from hccrep.book.filtertable import filter_table_html

    if not isinstance(card, pd.DataFrame) or card.empty:
        raise ValueError("card must be a non-empty scorecard DataFrame")
    missing = [
        c
        for c in ("key", "printed", "replicated", "mc_low", "mc_high", "verdict", "reason")
        if c not in card
    ]
    if missing:
        raise ValueError(f"card lacks the scorecard columns {missing}")
    rows = []
    for r in card.to_dict("records"):
        label = r.get("label") or r.get("row") or r.get("key")
        compared = r.get("compared") or r.get("printed")
        cause = r.get("cause") if r.get("verdict") in ("not reproduced", "inconsistent") else ""
        out = {}
        if "study" in card.columns:
            out["study"] = r["study"]
        out.update(
            {
                "label": str(label),
                "printed": str(compared),
                "replicated": _value_text(r.get("replicated")),
                "interval": interval_text(r.get("mc_low"), r.get("mc_high")),
                "verdict": str(r["verdict"]),
                "cause": str(cause or ""),
                "reason": _reason_text(r),
            }
        )
        rows.append(out)
    shown = pd.DataFrame(rows)
    if filters is None:
        filters = [c for c in ("study", "verdict", "cause") if c in shown.columns]
    titles = {"printed": [f"printed: {p}" for p in card["printed"].astype(str)]}
    return HTMLTable(
        filter_table_html(
            shown,
            filters=filters,
            table_id=table_id,
            caption=caption,
            row_titles=list(card["key"].astype(str)),
            cell_titles=titles,
            table_class="hccrep-scorecard",
            column_classes={
                "label": "hc-label",
                "printed": "hc-printed",
                "replicated": "hc-num",
                "interval": "hc-interval",
                "verdict": "hc-verdict",
                "cause": "hc-cause",
                "reason": "hc-reason",
                "study": "hc-num",
            },
        )
    )


def check_table(
    card: pd.DataFrame, *, reason: bool = False, stated: bool = False, caption: str | None = None
):
    """A compact reported-versus-replicated table for a chapter step page.

    One row per check, in words: ``check`` (the number's ``label``, else its key),
    ``printed`` (the token compared, else the printed text), ``replicated`` (on the
    book's seed), ``Monte Carlo interval`` (:func:`interval_text`), ``verdict`` and,
    with ``reason``, the reason (a miss's cause explained). No filters or search box:
    for the whole scorecard use :func:`scorecard_table`.

    Parameters
    ----------
    card : DataFrame
        Scorecard rows with at least ``key``, ``printed``, ``replicated``, ``mc_low``,
        ``mc_high`` and ``verdict`` (``label``, ``compared``, ``reason`` and
        ``cause_detail`` are used when present); ``key`` may be the index.
    reason : bool, default False
        Add the ``reason`` column.
    stated : bool, default False
        Add the test the methods name where the verdict used another (``stated_variant``,
        in words) and its value on the book's seed (``replicated_stated``).
    caption : str, optional
        The table's caption.

    Returns
    -------
    pandas.io.formats.style.Styler
        The table, HTML-escaped, index hidden.

    Raises
    ------
    ValueError
        When a required column is missing.

    Examples
    --------
    >>> card = pd.DataFrame({"key": ["t1_age"], "label": ["Table 1 · Age"],
    ...                      "printed": ["60 (52-68)"], "compared": ["60"],
    ...                      "replicated": [60.25], "mc_low": [58.0], "mc_high": [61.0],
    ...                      "verdict": ["reproduced"]})
    >>> check_table(card).data.iloc[0].tolist()
    ['Table 1 · Age', '60', '60.25', '58 – 61', 'reproduced']
    """
    if "key" not in card.columns and card.index.name == "key":
        card = card.reset_index()
    need = ["key", "printed", "replicated", "mc_low", "mc_high", "verdict"]
    need += (["reason"] if reason else []) + (["stated_variant"] if stated else [])
    missing = [c for c in need if c not in card.columns]
    if missing:
        raise ValueError(f"card lacks the scorecard columns {missing}")
    rows = []
    for r in card.to_dict("records"):
        label = r.get("label")
        compared = r.get("compared")
        row = {
            "check": str(label if isinstance(label, str) and label else r["key"]),
            "printed": str(compared if isinstance(compared, str) and compared else r["printed"]),
            "replicated": _value_text(r.get("replicated")),
            "Monte Carlo interval": interval_text(r.get("mc_low"), r.get("mc_high")),
            "verdict": str(r["verdict"]),
        }
        if stated:
            from hccrep.causes import _plain

            named = r.get("stated_variant")
            named = named if isinstance(named, str) else ""
            row["stated test"] = _plain(named)
            row["replicated, stated test"] = (
                _value_text(r.get("replicated_stated")) if named else ""
            )
        if reason:
            row["reason"] = _reason_text(r)
        rows.append(row)
    shown = pd.DataFrame(rows, columns=None if rows else ["check"])
    return styled_table(shown, {}, caption).hide(axis="index")


def _number_labels(findings: pd.DataFrame, study=None) -> dict:
    """(study key, number key) -> :func:`check_label`, for the studies of ``findings``."""
    from hccrep.spec import Study, load_study

    keys = list(pd.unique(findings["study"])) if "study" in findings.columns else [study]
    out = {}
    for key in keys:
        if key is None:
            continue
        st = key if isinstance(key, Study) else load_study(str(key))
        for n in st.numbers:
            out[(key, n.key)] = check_label(n, st)
    return out


def audit_table(
    findings: pd.DataFrame,
    *,
    table_id: str = "audit",
    caption: str = "",
    filters: Sequence[str] | None = None,
    study=None,
) -> HTMLTable:
    """Audit findings as the book shows them: the ``detail`` column wide and wrapping.

    The internal key goes to the row's tooltip; the column ``number`` (the
    audit's ``source`` and ``where``) names the number as the scorecard does,
    for the study in each row's ``study`` column or ``study``; ``printed``
    gives its text.

    Parameters
    ----------
    findings : DataFrame
        Audit findings (:func:`hccrep.audit.audit_study`); the columns
        ``study``, ``check``, ``source``, ``where``, ``printed``, ``status`` and
        ``detail`` are shown when present, ``key`` goes to the tooltips.
    table_id : str, default "audit"
        The HTML id of the table.
    caption : str, default ""
        The table's caption.
    filters : sequence of str, optional
        Columns that get a drop-down filter (default: study, status, check).
    study : Study, optional
        The study that names the numbers when ``findings`` has no ``study`` column.

    Returns
    -------
    HTMLTable
        The table as an HTML fragment.

    Raises
    ------
    ValueError
        When ``findings`` is not a non-empty DataFrame.
    """
    from hccrep.book.filtertable import filter_table_html

    if not isinstance(findings, pd.DataFrame) or findings.empty:
        raise ValueError("findings must be a non-empty audit DataFrame")
    cols = [
        c
        for c in ("study", "check", "source", "where", "printed", "status", "detail")
        if c in findings.columns
    ]
    shown = findings[cols].fillna("").astype(str)
    if "where" in shown.columns and "key" in findings.columns:
        # name the number as the scorecard does (the row alone does not say PFS or OS, say)
        names = _number_labels(findings, study)
        shown["where"] = [
            names.get((st, k), w)
            for st, k, w in zip(
                findings["study"] if "study" in findings.columns else [study] * len(findings),
                findings["key"].astype(str),
                shown["where"],
            )
        ]
        shown = shown.drop(columns=[c for c in ("source",) if c in shown.columns]).rename(
            columns={"where": "number"}
        )
    if filters is None:
        filters = [c for c in ("study", "status", "check") if c in shown.columns]
    keys = findings["key"].astype(str).tolist() if "key" in findings.columns else None
    return HTMLTable(
        filter_table_html(
            shown,
            filters=filters,
            table_id=table_id,
            caption=caption,
            row_titles=keys,
            table_class="hccrep-audit",
            column_classes={
                "where": "hc-where",
                "number": "hc-where",
                "printed": "hc-printed",
                "detail": "hc-detail",
                "source": "hc-source",
            },
        )
    )


def verdict_summary(card: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Counts by verdict (wide-interval *plausible* apart) and the misses by cause and by source of the cause.

    Parameters
    ----------
    card : DataFrame
        A scorecard; the uninformative plausible checks are split when it has
        an ``informative`` column.

    Returns
    -------
    verdicts : Series
        Checks by verdict (:func:`hccrep.replication.summarise`), repeats left out.
    causes : DataFrame
        Misses by cause and source (:func:`hccrep.causes.cause_counts`),
        repeats left out; empty when the card has no ``cause`` column.
    """
    from hccrep.causes import cause_counts
    from hccrep.replication import summarise, without_repeats

    verdicts = summarise(card, split_uninformative="informative" in card.columns)
    causes = cause_counts(without_repeats(card)) if "cause" in card.columns else pd.DataFrame()
    return verdicts, causes


def _fidelity_text(ok: int, n: int) -> str:
    """``"ok/n = x.x %"`` (or a dash when nothing was simulated)."""
    return f"{ok}/{n} = {100 * ok / n:.1f} %" if n else "\u2014"


#: how the book names the two ways a check is judged, in the summaries
SIMULATED = "replicated by simulation"
AUDITED = "judged by the audit (internal consistency, not replication)"
#: the summary row of the share of simulated checks reproduced or plausible
FIDELITY = "reproduced or plausible, of the simulated checks"


def verdict_summary_html(card: pd.DataFrame, title: str = "") -> HTMLTable:
    """A one-screen summary of a scorecard: verdict counts beside the causes of the misses.

    The verdicts of the simulation and those of the audit (words of their own,
    :data:`hccrep.replication.AUDIT_VERDICTS`) are counted in two sections, and
    the share of simulated checks reproduced or plausible
    (:func:`hccrep.replication.fidelity`) is computed on the first only.

    Parameters
    ----------
    card : DataFrame
        A scorecard (see :func:`verdict_summary`).
    title : str, default ""
        A bold title above the tables (none when empty).

    Returns
    -------
    HTMLTable
        The verdict table, the cause table when there are misses, and a note on
        the uninformative intervals and on the audit's verdicts.
    """
    from hccrep.replication import AUDIT_VERDICTS, fidelity

    verdicts, causes = verdict_summary(card)
    esc = _html.escape
    total = int(verdicts.sum())

    def row(v, n) -> str:
        return f'<tr><td>{esc(str(v))}</td><td class="hc-num">{int(n)}</td></tr>'

    def section(name: str) -> str:
        return f'<tr class="hc-section"><th colspan="2">{esc(name)}</th></tr>'

    sim = [v for v in verdicts.index if v not in AUDIT_VERDICTS and v != "not checkable"]
    ok, n, _ = fidelity(card)
    rows = section(SIMULATED) + "".join(row(v, verdicts[v]) for v in sim)
    rows += (
        f'<tr class="hc-total"><td>{esc(FIDELITY)}</td>'
        f'<td class="hc-num">{esc(_fidelity_text(ok, n))}</td></tr>'
    )
    rows += section(AUDITED) + "".join(row(v, verdicts[v]) for v in AUDIT_VERDICTS)
    rows += section("not judged") + row("not checkable", verdicts["not checkable"])
    left = (
        f'<table class="hccrep-summary"><caption>Verdicts of {total} checks</caption>'
        f"<thead><tr><th>verdict</th><th>checks</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    right = ""
    if not causes.empty and int(causes["total"].sum()) > 0:
        shown = causes[causes["total"] > 0]
        body = "".join(
            f'<tr><td>{esc(str(c))}</td><td class="hc-num">{int(r["total"])}</td>'
            f'<td class="hc-num">{int(r["rule"])}</td><td class="hc-num">{int(r["data"])}</td>'
            f'<td class="hc-num">{int(r["none"])}</td></tr>'
            for c, r in shown.iterrows()
        )
        right = (
            f'<table class="hccrep-summary"><caption>Causes of the {int(causes["total"].sum())} '
            "checks not reproduced</caption><thead><tr><th>cause</th><th>checks</th>"
            '<th title="decided by a rule of hccrep.causes">rule</th>'
            '<th title="declared in the data file (miss:)">data</th>'
            '<th title="neither: not modelled, see the chapter">none</th></tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )
    head = f"<p><strong>{esc(title)}</strong></p>" if title else ""
    note = (
        '<p class="hccrep-summary-note"><em>plausible, uninformative</em>: the reported value lies inside a '
        "Monte Carlo interval too wide to tell much (for a p-value, one that holds both p &lt; 0.05 and "
        "p &gt; 0.5; for a ratio, one whose ends differ by more than a factor of 4). The share of "
        "checks reproduced or plausible counts the simulated checks only.</p>"
    )
    n_audit = int(verdicts[list(AUDIT_VERDICTS)].sum())
    if n_audit:
        note += (
            f'<p class="hccrep-summary-note">{n_audit} numbers no simulation computes are judged '
            "by the audit of the paper's declared claims instead: <em>consistent</em> (the rest of "
            "the paper agrees), <em>questionable</em> (it calls for a caveat) or "
            "<em>inconsistent</em> (it contradicts them). That is internal consistency, not a "
            "replication.</p>"
        )
    return HTMLTable(
        f'<div class="hccrep-verdict-summary">{head}<div class="hccrep-summary-tables">'
        f"{left}{right}</div>{note}</div>"
    )


def studies_summary(card: pd.DataFrame) -> pd.DataFrame:
    """One row per study: checks by verdict (wide-interval *plausible* apart) and misses by cause.

    ``card`` is :func:`hccrep.book.appendix.all_scorecards` (a ``study`` column). Repeats of a
    test are left out, as in :func:`hccrep.replication.summarise`. The audit's verdicts
    (:data:`hccrep.replication.AUDIT_VERDICTS`) are columns of their own.

    Parameters
    ----------
    card : DataFrame
        Scorecards of several studies, with a ``study`` column.

    Returns
    -------
    DataFrame
        Indexed by study (sorted): one integer column per verdict, ``checks``
        (their total), ``simulated`` (the checks a simulation judged) and
        ``reproduced or plausible`` (those of them reproduced or plausible, as in
        :func:`hccrep.replication.fidelity`), and ``miss: <cause>`` for every
        cause of :data:`hccrep.causes.CAUSES`.
    """
    from hccrep.causes import CAUSES
    from hccrep.replication import fidelity, summarise, without_repeats

    rows = {}
    for study, part in card.groupby("study", sort=True):
        row = summarise(part, split_uninformative=True).to_dict()
        row["checks"] = int(sum(row.values()))
        row["reproduced or plausible"], row["simulated"], _ = fidelity(part)
        missed = without_repeats(part[part["verdict"] == "not reproduced"])
        counts = (
            missed["cause"].value_counts() if "cause" in missed.columns else pd.Series(dtype=int)
        )
        for c in CAUSES:
            row[f"miss: {c}"] = int(counts.get(c, 0))
        rows[study] = row
    out = pd.DataFrame.from_dict(rows, orient="index").fillna(0).astype(int)
    out.index.name = "study"
    return out


def studies_summary_html(card: pd.DataFrame) -> HTMLTable:
    """:func:`studies_summary` as a compact HTML table: one column per study, verdicts then causes.

    The verdicts of the simulation, with the share of simulated checks reproduced
    or plausible, come first; the audit's verdicts and the checks not judged
    follow in sections of their own. Causes that no study has are left out.

    Parameters
    ----------
    card : DataFrame
        Scorecards of several studies, with a ``study`` column.

    Returns
    -------
    HTMLTable
        The table as an HTML fragment.
    """
    from hccrep.replication import AUDIT_VERDICTS

    table = studies_summary(card)
    fixed = ("checks", "simulated", "reproduced or plausible", "not checkable")
    sim = [
        c
        for c in table.columns
        if not c.startswith("miss: ") and c not in fixed and c not in AUDIT_VERDICTS
    ]
    causes = [c for c in table.columns if c.startswith("miss: ") and table[c].any()]
    esc = _html.escape
    studies = list(table.index)
    head = "<th></th>" + "".join(f'<th class="hc-num">{esc(str(st))}</th>' for st in studies)

    def line(name: str, values, cls: str = "") -> str:
        return (
            f"<tr{cls}><td>{esc(name)}</td>"
            + "".join(f'<td class="hc-num">{esc(str(v))}</td>' for v in values)
            + "</tr>"
        )

    def section(title: str) -> str:
        return f'<tr class="hc-section"><th colspan="{len(studies) + 1}">{esc(title)}</th></tr>'

    body = section(SIMULATED) + "".join(line(v, table[v].astype(int)) for v in sim)
    share = [_fidelity_text(int(a), int(b)) for a, b in zip(table[fixed[2]], table[fixed[1]])]
    body += line(FIDELITY, share, ' class="hc-total"')
    body += section(AUDITED) + "".join(line(v, table[v].astype(int)) for v in AUDIT_VERDICTS)
    body += section("not judged") + line("not checkable", table["not checkable"].astype(int))
    body += line("checks", table["checks"].astype(int), ' class="hc-total"')
    if causes:
        body += section("Causes of the checks not reproduced")
        body += "".join(line(c.removeprefix("miss: "), table[c].astype(int)) for c in causes)
    return HTMLTable(
        '<div class="hccrep-verdict-summary" style="overflow-x: auto;">'
        '<table class="hccrep-summary"><caption>Every reported check of each paper, by verdict, '
        f"and the causes of the misses</caption><thead><tr>{head}</tr></thead><tbody>{body}"
        "</tbody></table></div>"
    )


def glue_summary(name: str, table: HTMLTable) -> None:
    """Show ``table`` and store it under ``name`` for other pages of the book (MyST-NB ``glue``).

    A chapter's index page and the landing page paste the summary a scorecard
    page computed (``{glue} name`` with ``:doc:``). Without MyST-NB (on Colab, say)
    the table is only shown.

    Parameters
    ----------
    name : str
        The glue key other pages refer to.
    table : HTMLTable
        The table to show and store.

    Returns
    -------
    None
    """
    try:
        from myst_nb import glue
    except ImportError:  # pragma: no cover - the book's extra is not installed
        from IPython.display import display

        display(table)
        return
    glue(name, table, display=True)


def notes_table(study, file_ids: Sequence[str], keys: Sequence[str] | None = None) -> pd.DataFrame:
    """The notes the data files attach to their numbers (where the paper is inconsistent or unclear).

    Parameters
    ----------
    study : Study
    file_ids : sequence of str
        Results files to read.
    keys : sequence of str, optional
        Only these numbers (default: every number with a note).

    Returns
    -------
    DataFrame
        Columns ``file_id, key, printed, note`` for every number with a note.

    Raises
    ------
    KeyError
        If a file id is not a results file of the study.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> list(notes_table(load_study("fonc2025"), ["discussion"]).columns)
    ['file_id', 'key', 'printed', 'note']
    """
    from hccrep.spec import ResultsFile

    rows = []
    for fid in file_ids:
        f = study.files.get(fid)
        if not isinstance(f, ResultsFile):
            raise KeyError(f"{study.key}: {fid!r} is not a results file")
        for n in f.numbers:
            if n.note and (keys is None or n.key in keys):
                rows.append(
                    {
                        "file_id": fid,
                        "key": n.key,
                        "printed": n.printed,
                        "note": " ".join(n.note.split()),
                    }
                )
    return pd.DataFrame(rows, columns=["file_id", "key", "printed", "note"])


def reported_by_file(card: pd.DataFrame, file_ids: Sequence[str]) -> pd.DataFrame:
    """The scorecard rows of some data files, with the columns a chapter shows.

    Parameters
    ----------
    card : DataFrame
        A scorecard (:func:`hccrep.replication.scorecard`).
    file_ids : sequence of str
        The data files whose checks are kept.

    Returns
    -------
    DataFrame
        Indexed by key: printed, replicated, Monte Carlo interval, verdict and reason
        (and ``label``, ``compared`` and ``cause_detail`` when the card has them, for
        :func:`check_table`).

    Examples
    --------
    >>> card = pd.DataFrame({"key": ["a", "b"], "file_id": ["t1", "t2"], "printed": ["1", "2"],
    ...                      "replicated": [1.0, 2.5], "mc_low": [0.9, 2.0], "mc_high": [1.1, 3.0],
    ...                      "verdict": ["reproduced", "plausible"], "reason": ["", ""]})
    >>> reported_by_file(card, ["t2"]).index.tolist()
    ['b']
    """
    cols = ["key", "printed", "replicated", "mc_low", "mc_high", "verdict", "reason"]
    cols += [c for c in ("label", "compared", "cause_detail") if c in card.columns]
    return card[card.file_id.isin(list(file_ids))][cols].set_index("key")


def styled_table(df: pd.DataFrame, fmt, caption: str | None = None):
    """A table for a book page: numbers formatted, text cells and labels HTML-escaped.

    Labels such as ``"<60"`` or ``"<1 vs ≥1"`` are text, not tags; a missing
    number is shown as an empty cell.

    Parameters
    ----------
    df : DataFrame
        The table.
    fmt : str or mapping of str to str
        A format for every cell, or one per numeric column (``{"hr": "{:.2f}"}``);
        with a mapping, the columns it does not name are treated as text.
    caption : str, optional
        The table's caption.

    Returns
    -------
    pandas.io.formats.style.Styler
        The styled table.

    Examples
    --------
    >>> t = pd.DataFrame({"age": ["<60"], "hr": [0.5]}, index=["a<b"])
    >>> html = styled_table(t, {"hr": "{:.2f}"}).to_html()
    >>> "&lt;60" in html and "a&lt;b" in html and "0.50" in html
    True
    """
    text = [c for c in df.columns if not isinstance(fmt, str) and c not in fmt]
    st = df.style.format(fmt, na_rep="")
    st = st.format(escape="html", subset=text, na_rep="") if text else st
    st = st.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    return st.set_caption(caption) if caption else st

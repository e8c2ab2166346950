"""A malformed data file raises one DataFileError naming the file, the field path and the reason.

Each case starts from a small valid file written here (not from data/), breaks one thing,
and checks all three parts of the message.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from hccrep.spec import DataFileError, load_file, load_study

BASELINE = {
    "study": "demo",
    "file_id": "table1",
    "type": "baseline",
    "source": {"kind": "table", "label": "Table 1"},
    "groups": [
        {"key": "a", "label": "A", "n": 10, "printed": "A (n = 10)"},
        {"key": "b", "label": "B", "n": 5, "printed": "B (n = 5)"},
    ],
    "total": {
        "key": "total",
        "label": "Total",
        "n": 15,
        "printed": "Total (n = 15)",
        "role": "derived",
    },
    "variables": [
        {
            "key": "sex",
            "label": "Sex",
            "kind": "categorical",
            "levels": [{"key": "f", "label": "F"}, {"key": "m", "label": "M"}],
            "cells": {
                "a": {"f": "4 (40)", "m": "6 (60)"},
                "b": {"f": "1 (20)", "m": "4 (80)"},
                "total": {"f": "5 (33.3)", "m": "10 (66.7)"},
            },
            "p": {"printed": "0.60"},
        },
        {
            "key": "age",
            "label": "Age",
            "kind": "continuous",
            "summary": "mean_sd",
            "cells": {"a": "51.2±9.5", "b": "50.1±8.0", "total": "50.8±9.0"},
            "p": {"printed": "0.8"},
        },
    ],
}

RESULTS = {
    "study": "demo",
    "file_id": "text",
    "type": "results",
    "source": {"kind": "text", "label": "Section 3"},
    "numbers": [
        {
            "key": "hr_os",
            "quantity": "hr",
            "printed": "0.43 (0.21-0.88)",
            "value": 0.43,
            "lower": 0.21,
            "upper": 0.88,
            "role": "check",
            "where": {"text": "Section 3.5"},
        },
        {
            "key": "p_os",
            "quantity": "p",
            "printed": "p<0.001",
            "value": 0.001,
            "bound": "<",
            "role": "check",
            "where": {"text": "Section 3.5"},
        },
    ],
}


def write(tmp_path: Path, data, name: str = "table1.yaml", raw: str | None = None) -> Path:
    folder = tmp_path / "demo"
    folder.mkdir(exist_ok=True)
    p = folder / name
    p.write_text(
        raw if raw is not None else yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return p


def mutate(base: dict, fn) -> dict:
    d = copy.deepcopy(base)
    fn(d)
    return d


def test_valid_files_load(tmp_path):
    assert load_file(write(tmp_path, BASELINE)).variables[0].key == "sex"
    assert load_file(write(tmp_path, RESULTS, "text.yaml")).numbers[0].value == 0.43


def _set(path, value):
    def fn(d):
        obj = d
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value

    return fn


def _del(path):
    def fn(d):
        obj = d
        for k in path[:-1]:
            obj = obj[k]
        del obj[path[-1]]

    return fn


BASELINE_CASES = [
    # (id, mutation, expected field fragment, expected reason fragment)
    ("n_wrong_type", _set(["groups", 0, "n"], "10"), "groups.0.n", "valid integer"),
    ("n_zero", _set(["groups", 0, "n"], 0), "groups.0.n", "greater than 0"),
    ("unknown_top_field", _set(["colour"], "red"), "colour", "unknown field"),
    ("unknown_variable_field", _set(["variables", 0, "cutoff"], 3), "variables.0", "unknown field"),
    ("missing_source", _del(["source"]), "source", "required field is missing"),
    (
        "bad_source_kind",
        _set(["source", "kind"], "chart"),
        "source.kind",
        "'table', 'figure' or 'text'",
    ),
    ("bad_type", _set(["type"], "tabel"), "type", "must be one of"),
    ("bad_variable_key", _set(["variables", 0, "key"], "Sex Ratio"), "variables.0", "pattern"),
    ("bad_kind", _set(["variables", 0, "kind"], "ordinal"), "variables.0", "categorical"),
    (
        "percent_mismatch",
        _set(["variables", 0, "cells", "a", "f"], "4 (45)"),
        "variables[0] (sex).cells.a.f",
        "does not match 4/10",
    ),
    (
        "count_sum",
        _set(["variables", 0, "cells", "a", "f"], "5 (50)"),
        "variables[0] (sex).cells.a",
        "sum to 11, not to the group n 10",
    ),
    (
        "count_exceeds_n",
        _set(["variables", 0, "cells", "b", "m"], "6"),
        "variables[0] (sex).cells.b.m",
        "exceeds the group n 5",
    ),
    (
        "unknown_group",
        lambda d: d["variables"][0]["cells"].update({"c": {"f": "1", "m": "1"}}),
        "cells.c",
        "unknown group 'c'",
    ),
    (
        "missing_group",
        lambda d: d["variables"][0]["cells"].pop("b"),
        "variables[0] (sex).cells",
        "no cell for group 'b'",
    ),
    (
        "unknown_level",
        lambda d: d["variables"][0]["cells"]["a"].update({"x": "0 (0)"}),
        "cells.a.x",
        "unknown level 'x'",
    ),
    (
        "missing_level",
        lambda d: d["variables"][0]["cells"]["a"].pop("m"),
        "variables[0] (sex).cells.a",
        "no count for level 'm'",
    ),
    (
        "unparseable_count",
        _set(["variables", 0, "cells", "a", "f"], "four (40)"),
        "cells.a.f",
        "count (percent)",
    ),
    (
        "bad_pvalue",
        _set(["variables", 0, "p", "printed"], "n.s."),
        "variables[0] (sex).p.printed",
        "expected a p-value",
    ),
    (
        "pvalue_above_one",
        _set(["variables", 0, "p", "printed"], "1.5"),
        "p.printed",
        "lies in [0, 1]",
    ),
    (
        "duplicate_variable",
        lambda d: d["variables"].append(copy.deepcopy(d["variables"][0])),
        "variables[2].key",
        "duplicate variable key 'sex'",
    ),
    (
        "duplicate_level",
        _set(["variables", 0, "levels", 1, "key"], "f"),
        "variables[0] (sex).levels",
        "duplicate level key",
    ),
    ("duplicate_group", _set(["groups", 1, "key"], "a"), "groups", "duplicate group key 'a'"),
    ("total_n", _set(["total", "n"], 16), "total.n", "differs from the sum of the group n"),
    (
        "header_n",
        _set(["groups", 0, "printed"], "A (n = 11)"),
        "groups[a].printed",
        "does not appear in the printed header",
    ),
    (
        "bad_summary",
        _set(["variables", 1, "cells", "a"], "51.2 (9.5)"),
        "variables[1] (age).cells.a",
        "mean±SD",
    ),
    (
        "negative_sd",
        _set(["variables", 1, "cells", "a"], "51.2±-9.5"),
        "variables[1] (age).cells.a",
        "standard deviation cannot be negative",
    ),
    (
        "bad_summary_kind",
        _set(["variables", 1, "summary"], "mean_se"),
        "variables.1.summary",
        "mean_sd",
    ),
    (
        "role_typo",
        _set(["variables", 0, "p", "role"], "checked"),
        "variables.0.p.role",
        "'input', 'check' or 'derived'",
    ),
    (
        "file_id_mismatch",
        _set(["file_id"], "table2"),
        "file_id",
        "differs from the file name 'table1'",
    ),
    ("study_mismatch", _set(["study"], "other"), "study", "differs from the folder name 'demo'"),
    (
        "cut_of_unknown",
        _set(["variables", 0, "cut_of"], {"variable": "afp", "cuts": [400.0]}),
        "cut_of.variable",
        "unknown variable 'afp'",
    ),
    (
        "cut_of_count",
        _set(["variables", 0, "cut_of"], {"variable": "age", "cuts": [40.0, 60.0]}),
        "cut_of.cuts",
        "2 levels need 1 cuts",
    ),
]


@pytest.mark.parametrize("case", BASELINE_CASES, ids=[c[0] for c in BASELINE_CASES])
def test_malformed_baseline_names_file_field_and_reason(tmp_path, case):
    _, fn, field, reason = case
    p = write(tmp_path, mutate(BASELINE, fn))
    with pytest.raises(DataFileError) as info:
        load_file(p)
    msg = str(info.value)
    assert str(p) in msg
    assert field in msg, msg
    assert reason in msg, msg


RESULTS_CASES = [
    (
        "value_not_printed",
        _set(["numbers", 0, "value"], 0.45),
        "numbers[0] (hr_os).value",
        "does not appear in the printed string",
    ),
    (
        "ci_outside",
        lambda d: d["numbers"][0].update({"printed": "0.93 (0.21-0.88)", "value": 0.93}),
        "numbers[0] (hr_os)",
        "outside its interval",
    ),
    ("half_ci", _del(["numbers", 0, "upper"]), "numbers[0] (hr_os)", "give both lower and upper"),
    (
        "negative_ratio",
        lambda d: d["numbers"][0].update(
            {"printed": "-0.43 (0.21-0.88)", "value": -0.43, "note": "x"}
        ),
        "numbers[0] (hr_os).value",
        "must be positive",
    ),
    ("p_bound_missing", _del(["numbers", 1, "bound"]), "numbers[1] (p_os).bound", "has bound '<'"),
    (
        "duplicate_number",
        lambda d: d["numbers"].append(copy.deepcopy(d["numbers"][0])),
        "numbers[2].key",
        "duplicate key 'hr_os'",
    ),
    (
        "unknown_quantity",
        _set(["numbers", 0, "quantity"], "hazard"),
        "numbers.0.quantity",
        "'count'",
    ),
    ("missing_role", _del(["numbers", 0, "role"]), "numbers.0.role", "required field is missing"),
    (
        "auc_range",
        lambda d: d["numbers"].append(
            {
                "key": "auc",
                "quantity": "auc",
                "printed": "1.2",
                "value": 1.2,
                "role": "check",
                "where": {},
            }
        ),
        "numbers[2] (auc).value",
        "lies in [0, 1]",
    ),
]


@pytest.mark.parametrize("case", RESULTS_CASES, ids=[c[0] for c in RESULTS_CASES])
def test_malformed_results_names_file_field_and_reason(tmp_path, case):
    _, fn, field, reason = case
    p = write(tmp_path, mutate(RESULTS, fn), "text.yaml")
    with pytest.raises(DataFileError) as info:
        load_file(p)
    msg = str(info.value)
    assert str(p) in msg and field in msg and reason in msg, msg


def test_duplicate_yaml_key_is_an_error_not_a_silent_overwrite(tmp_path):
    raw = yaml.safe_dump(BASELINE, sort_keys=False) + "type: baseline\n"
    p = write(tmp_path, None, raw=raw)
    with pytest.raises(DataFileError, match=r"line \d+: invalid YAML: duplicate key 'type'"):
        load_file(p)


def test_invalid_yaml_syntax_names_line(tmp_path):
    p = write(tmp_path, None, raw="study: demo\ngroups: [a, b\n")
    with pytest.raises(DataFileError, match=r"table1.yaml: line \d+: invalid YAML"):
        load_file(p)


def test_yes_no_level_keys_stay_strings(tmp_path):
    """YAML 1.1 would read No/Yes as booleans; our loader keeps them as level keys."""
    d = mutate(BASELINE, lambda d: None)
    raw = (
        yaml.safe_dump(d, sort_keys=False)
        .replace("key: f\n", "key: No\n")
        .replace("key: m\n", "key: Yes\n")
    )
    raw = raw.replace("f: 4 (40)", "No: 4 (40)").replace("m: 6 (60)", "Yes: 6 (60)")
    raw = raw.replace("f: 1 (20)", "No: 1 (20)").replace("m: 4 (80)", "Yes: 4 (80)")
    raw = raw.replace("f: 5 (33.3)", "No: 5 (33.3)").replace("m: 10 (66.7)", "Yes: 10 (66.7)")
    f = load_file(write(tmp_path, None, raw=raw))
    assert [lv.key for lv in f.variables[0].levels] == ["No", "Yes"]


def test_top_level_list_is_rejected(tmp_path):
    with pytest.raises(DataFileError, match="top level must be a mapping"):
        load_file(write(tmp_path, None, raw="- 1\n- 2\n"))


def test_a_cell_with_a_note_accepts_the_papers_own_denominator(tmp_path):
    """fonc2025 Table 2 prints 11 (31.4) with n = 29: 31.4 % is 11/35. Recorded with a note, it loads."""
    d = mutate(
        BASELINE,
        _set(
            ["variables", 0, "cells", "a", "f"],
            {"printed": "4 (57.1)", "denominator": 7, "note": "percent of 7 sites"},
        ),
    )
    assert load_file(write(tmp_path, d)).variables[0].cells["a"]["f"].denominator == 7


def _study(tmp_path, sim: dict) -> Path:
    write(tmp_path, BASELINE)
    write(
        tmp_path,
        {"key": "demo", "type": "study", "citation": "x", "files": ["table1"]},
        "study.yaml",
    )
    write(tmp_path, sim, "simulation.yaml")
    return tmp_path


SIM = {
    "study": "demo",
    "file_id": "simulation",
    "type": "simulation",
    "baseline": "table1",
    "group_variable": "arm",
}


@pytest.mark.parametrize(
    "extra, field, reason",
    [
        (
            {"rules": [{"if": {"stage": "C"}, "then": {"sex": "m"}, "why": "x"}]},
            "rules[0].if.stage",
            "unknown variable 'stage'",
        ),
        (
            {"rules": [{"if": {"sex": "x"}, "then": {"sex": "m"}, "why": "x"}]},
            "rules[0].if.sex",
            "unknown level 'x'",
        ),
        (
            {"rules": [{"if": {"age": "old"}, "then": {"sex": "m"}, "why": "x"}]},
            "rules[0].if.age",
            "is continuous",
        ),
        (
            {"correlations": [{"a": "sex", "b": "bmi", "rho": 0.2, "why": "x"}]},
            "correlations[0].b",
            "unknown variable 'bmi'",
        ),
        (
            {"correlations": [{"a": "sex", "b": "age", "rho": 1.5, "why": "x"}]},
            "correlations.0.rho",
            "less than or equal to 0.99",
        ),
        ({"group_variable": "sex"}, "group_variable", "clashes with a variable key"),
    ],
)
def test_simulation_file_unknown_variable_or_level(tmp_path, extra, field, reason):
    _study(tmp_path, {**SIM, **extra})
    with pytest.raises(DataFileError) as info:
        load_study("demo", data_dir=tmp_path)
    msg = str(info.value)
    assert "simulation.yaml" in msg and field in msg and reason in msg, msg


def test_study_listing_a_missing_file(tmp_path):
    write(
        tmp_path,
        {"key": "demo", "type": "study", "citation": "x", "files": ["table9"]},
        "study.yaml",
    )
    with pytest.raises(
        DataFileError, match=r"study.yaml: files\[0\]: listed file table9.yaml does not exist"
    ):
        load_study("demo", data_dir=tmp_path)


def test_unknown_study_is_a_keyerror_listing_known_ones(tmp_path):
    with pytest.raises(KeyError, match="no study 'nope'"):
        load_study("nope", data_dir=tmp_path)


def test_all_problems_of_a_file_in_one_error(tmp_path):
    d = mutate(BASELINE, _set(["variables", 0, "cells", "a", "f"], "4 (45)"))
    d["variables"][0]["p"]["printed"] = "n.s."
    with pytest.raises(DataFileError) as info:
        load_file(write(tmp_path, d))
    assert len(info.value.problems) == 2


# ----------------------------------------------------------------------------- issue 19: counts a study module reads

#: an input percentage whose ``about`` gives the count and denominator a study module draws (fonc2025 Table 3/4)
COUNTED = {
    "key": "ae_a",
    "quantity": "percent",
    "printed": "4 (9.5)",
    "value": 9.5,
    "role": "input",
    "where": {"row": "Fatigue"},
    "about": {"group": "a", "endpoint": "fatigue", "count": 4, "n": 42},
}


def _counted(**about):
    def fn(d):
        num = copy.deepcopy(COUNTED)
        num["about"].update(about)
        d["numbers"].append(num)

    return fn


def _number(**fields):
    def fn(d):
        d["numbers"].append({"role": "check", "where": {}, **fields})

    return fn


COUNT_CASES = [
    (
        "count_not_printed",
        _counted(count=14),
        "numbers[2] (ae_a).about.count",
        "count 14 differs from the count printed in '4 (9.5)' (4)",
    ),
    (
        "count_above_n",
        _counted(count=45, n=42),
        "numbers[2] (ae_a).about.count",
        "a count of 45 is impossible out of n = 42",
    ),
    (
        "count_fraction",
        _counted(count=4.9),
        "numbers.2.about.count",
        "Input should be a valid integer (got 4.9)",
    ),
    (
        "count_negative",
        _counted(count=-9),
        "numbers.2.about.count",
        "greater than or equal to 0 (got -9)",
    ),
    (
        "count_text",
        _counted(count="four"),
        "numbers.2.about.count",
        "Input should be a valid integer (got 'four')",
    ),
    (
        "count_numeric_text",
        _counted(count="4"),
        "numbers.2.about.count",
        "Input should be a valid integer (got '4')",
    ),
    ("n_zero", _counted(n=0), "numbers.2.about.n", "greater than or equal to 1 (got 0)"),
    ("n_fraction", _counted(n=42.5), "numbers.2.about.n", "a valid integer (got 42.5)"),
    ("n_text", _counted(n="42"), "numbers.2.about.n", "a valid integer (got '42')"),
    (
        "count_not_among_printed",
        lambda d: d["numbers"].append(
            {**copy.deepcopy(COUNTED), "printed": "n=4, 9.5%", "about": {"count": 5, "n": 42}}
        ),
        "numbers[2] (ae_a).about.count",
        "count 5 differs from the count printed in 'n=4, 9.5%' (4)",
    ),
    (
        "quantity_count_negative",
        _number(key="n_ae", quantity="count", printed="-3", value=-3),
        "numbers[2] (n_ae).value",
        "a count cannot be negative",
    ),
    (
        "quantity_count_fraction",
        _number(key="n_ae", quantity="count", printed="3.5", value=3.5),
        "numbers[2] (n_ae).value",
        "a count is a whole number",
    ),
    (
        "quantity_count_above_n",
        _number(key="n_ae", quantity="count", printed="45/42", value=45, about={"n": 42}),
        "numbers[2] (n_ae).value",
        "impossible out of n = 42",
    ),
    (
        "median_months_negative",
        _number(key="mos", quantity="median", printed="-12.8 months", value=-12.8, unit="months"),
        "numbers[2] (mos).value",
        "a median in months cannot be negative",
    ),
    (
        "median_limit_negative",
        _number(
            key="mos",
            quantity="median",
            printed="12.8 (-2.1-20.3) days",
            value=12.8,
            lower=-2.1,
            upper=20.3,
            unit="days",
        ),
        "numbers[2] (mos).lower",
        "a median in days cannot be negative",
    ),
    (
        "sd_negative",
        _number(key="sd_age", quantity="sd", printed="-9.5", value=-9.5),
        "numbers[2] (sd_age).value",
        "a sd cannot be negative",
    ),
    (
        "dose_negative",
        _number(key="dose", quantity="dose", printed="-50 Gy", value=-50, unit="Gy"),
        "numbers[2] (dose).value",
        "a dose cannot be negative",
    ),
    (
        "reversed_ci_with_note",
        lambda d: d["numbers"][0].update({"lower": 0.88, "upper": 0.21, "note": "as printed"}),
        "numbers[0] (hr_os)",
        "the interval is reversed: lower 0.88 is above upper 0.21",
    ),
    (
        "summary_mismatch",
        _number(
            key="dose",
            quantity="dose",
            printed="50.0 (36.0, 60.0)",
            value=50.0,
            lower=60.0,
            upper=36.0,
            note="x",
            about={"summary": "median_range"},
        ),
        "numbers[2] (dose).lower",
        "gives lower 36, the file says 60.0",
    ),
    (
        "summary_not_printed_so",
        _number(
            key="dose",
            quantity="dose",
            printed="50.0±6.0",
            value=50.0,
            about={"summary": "median_range"},
        ),
        "numbers[2] (dose).printed",
        "about.summary is median_range, but expected 'median (low, high)'",
    ),
    (
        "summary_unknown",
        _number(
            key="dose",
            quantity="dose",
            printed="50.0 (36.0, 60.0)",
            value=50.0,
            lower=36.0,
            upper=60.0,
            about={"summary": "median_sd"},
        ),
        "numbers.2.about.summary",
        "Input should be 'mean_sd', 'median_iqr' or 'median_range'",
    ),
    (
        "median_outside_its_range",
        _number(
            key="dose",
            quantity="dose",
            printed="70.0 (36.0, 60.0)",
            value=70.0,
            lower=36.0,
            upper=60.0,
            note="x",
            about={"summary": "median_range"},
        ),
        "numbers[2] (dose).printed",
        "the median must lie between its bounds",
    ),
    (
        "analysis_kind_typo",
        lambda d: d["numbers"][0].update(
            {"analysis": {"kind": "coxx", "endpoint": "os", "term": "arm"}}
        ),
        "numbers.0.analysis",
        "does not match any of the expected tags",
    ),
]


@pytest.mark.parametrize("case", COUNT_CASES, ids=[c[0] for c in COUNT_CASES])
def test_malformed_counts_and_impossible_numbers(tmp_path, case):
    _, fn, field, reason = case
    p = write(tmp_path, mutate(RESULTS, fn), "text.yaml")
    with pytest.raises(DataFileError) as info:
        load_file(p)
    msg = str(info.value)
    assert str(p) in msg and field in msg and reason in msg, msg


def test_counts_the_paper_prints_elsewhere_load(tmp_path):
    """A percentage printed without its count ('18.6%', fonc2025's Discussion) or with words around it loads."""
    d = mutate(RESULTS, _counted())
    d["numbers"].append(
        {
            **copy.deepcopy(COUNTED),
            "key": "ae_b",
            "printed": "18.6%",
            "value": 18.6,
            "about": {"count": 8, "n": 42},
        }
    )
    d["numbers"].append(
        {
            **copy.deepcopy(COUNTED),
            "key": "ae_c",
            "printed": "239 cases (73.1%)",
            "value": 73.1,
            "about": {"count": 239, "n": 327},
        }
    )
    d["numbers"].append(
        {
            **copy.deepcopy(COUNTED),
            "key": "ae_d",
            "printed": "4 (9.5)",
            "value": 9.5,
            "about": {"count": 4.0, "n": 42.0},
        }
    )
    assert len(load_file(write(tmp_path, d, "text.yaml")).numbers) == 6


BASELINE_IMPOSSIBLE_CASES = [
    (
        "percent_150_with_note",
        _set(["variables", 0, "cells", "a", "f"], {"printed": "4 (150)", "note": "as printed"}),
        "variables[0] (sex).cells.a.f",
        "a percentage lies in [0, 100], got 150",
    ),
    (
        "percent_minus_50_with_note",
        _set(["variables", 0, "cells", "a", "f"], {"printed": "4 (-50)", "note": "as printed"}),
        "variables[0] (sex).cells.a.f",
        "a percentage lies in [0, 100], got -50",
    ),
    (
        "negative_count",
        _set(["variables", 0, "cells", "a", "f"], "-4 (40)"),
        "variables[0] (sex).cells.a.f",
        "expected 'count (percent)'",
    ),
    (
        "denominator_zero",
        _set(["variables", 0, "cells", "a", "f"], {"printed": "4 (40)", "denominator": 0}),
        "variables.0.cells.a.f.denominator",
        "greater than 0",
    ),
    (
        "mean_below_lower_bound",
        lambda d: d["variables"][1].update(
            {"lower_bound": 0.0, "cells": {"a": "-5.0±2.0", "b": "3.0±1.0", "total": "3.0±1.0"}}
        ),
        "variables[1] (age).cells.a",
        "'-5.0±2.0' goes below 0 (lower_bound is 0)",
    ),
    (
        "median_iqr_below_lower_bound",
        lambda d: d["variables"][1].update(
            {
                "summary": "median_iqr",
                "lower_bound": 0.0,
                "cells": {"a": "5 (-1, 9)", "b": "3 (1, 4)", "total": "3 (1, 4)"},
            }
        ),
        "variables[1] (age).cells.a",
        "goes below 0",
    ),
    (
        "negative_median_in_years",
        lambda d: d["variables"][1].update(
            {
                "summary": "median_iqr",
                "unit": "years",
                "cells": {"a": "-5 (-10, 2)", "b": "3 (1, 4)", "total": "3 (1, 4)"},
            }
        ),
        "variables[1] (age).cells.a",
        "a duration in years is never negative",
    ),
    (
        "median_outside_iqr",
        _set(["variables", 1, "cells", "a"], "51.2±9.5x"),
        "variables[1] (age).cells.a",
        "expected 'mean±SD'",
    ),
]


@pytest.mark.parametrize(
    "case", BASELINE_IMPOSSIBLE_CASES, ids=[c[0] for c in BASELINE_IMPOSSIBLE_CASES]
)
def test_impossible_baseline_cells(tmp_path, case):
    _, fn, field, reason = case
    p = write(tmp_path, mutate(BASELINE, fn))
    with pytest.raises(DataFileError) as info:
        load_file(p)
    msg = str(info.value)
    assert str(p) in msg and field in msg and reason in msg, msg


# ----------------------------------------------------------------------------- issue 19: the study folder


def _listed_study(tmp_path, files=("table1",)) -> Path:
    write(tmp_path, BASELINE)
    write(
        tmp_path,
        {"key": "demo", "type": "study", "citation": "x", "files": list(files)},
        "study.yaml",
    )
    write(tmp_path, SIM, "simulation.yaml")
    return tmp_path / "demo"


@pytest.mark.parametrize(
    "files, extra, reason",
    [
        (
            ("table1",),
            "table2.yaml",
            "table2.yaml is in the study folder but not listed here, so it would be ignored",
        ),
        (("table1",), "table2.yml", "table2.yml would be ignored: data files end in .yaml"),
        (
            ("table1", "table2"),
            "table2.yml",
            "listed file table2.yaml does not exist (there is table2.yml: name it table2.yaml)",
        ),
        (("table1", "table1"), None, "table1 is listed twice (also files[0])"),
        (("table1", "simulation"), None, "simulation.yaml is not a data file to list"),
    ],
    ids=[
        "unlisted_yaml",
        "unlisted_yml",
        "yml_instead_of_yaml",
        "listed_twice",
        "simulation_listed",
    ],
)
def test_study_folder_and_listing_agree(tmp_path, files, extra, reason):
    folder = _listed_study(tmp_path, files)
    if extra:
        (folder / extra).write_text(yaml.safe_dump(RESULTS), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_study("demo", data_dir=tmp_path)
    msg = str(info.value)
    assert "study.yaml" in msg and "files" in msg and reason in msg, msg


def test_hidden_and_other_files_in_the_folder_are_ignored(tmp_path):
    folder = _listed_study(tmp_path)
    (folder / ".table1.yaml.swp").write_text("x")
    (folder / ".#table2.yaml").write_text("x")
    (folder / "README.md").write_text("notes")
    assert load_study("demo", data_dir=tmp_path).key == "demo"


SURV = {
    "study": "demo",
    "file_id": "text",
    "type": "results",
    "source": {"kind": "text", "label": "Results"},
    "numbers": [
        {
            "key": "m_a",
            "quantity": "median",
            "printed": "12.8 months",
            "value": 12.8,
            "unit": "months",
            "role": "input",
            "where": {},
        },
        {
            "key": "m_b",
            "quantity": "median",
            "printed": "9.1 months",
            "value": 9.1,
            "unit": "months",
            "role": "input",
            "where": {},
        },
        {
            "key": "e_a",
            "quantity": "count",
            "printed": "8",
            "value": 8,
            "role": "input",
            "where": {},
        },
        {
            "key": "e_b",
            "quantity": "count",
            "printed": "4",
            "value": 4,
            "role": "input",
            "where": {},
        },
        {
            "key": "ae_a",
            "quantity": "percent",
            "printed": "4 (40)",
            "value": 40,
            "role": "input",
            "where": {},
            "about": {"group": "a", "endpoint": "fatigue", "count": 4, "n": 10},
        },
    ],
}
SURV_SIM = {
    **SIM,
    "survival": [
        {
            "endpoint": "os",
            "medians": {"a": "m_a", "b": "m_b"},
            "events": {"a": "e_a", "b": "e_b"},
            "why": "x",
        }
    ],
}


def _surv_study(tmp_path, results) -> None:
    write(tmp_path, BASELINE)
    write(tmp_path, results, "text.yaml")
    write(
        tmp_path,
        {"key": "demo", "type": "study", "citation": "x", "files": ["table1", "text"]},
        "study.yaml",
    )
    write(tmp_path, SURV_SIM, "simulation.yaml")


def test_a_valid_survival_study_loads(tmp_path):
    _surv_study(tmp_path, SURV)
    assert load_study("demo", data_dir=tmp_path).simulation.survival[0].endpoint == "os"


@pytest.mark.parametrize(
    "index, change, file, field, reason",
    [
        (
            4,
            {"about": {"group": "c", "endpoint": "fatigue", "count": 4, "n": 10}},
            "text.yaml",
            "numbers[4] (ae_a).about.group",
            "unknown group 'c'; the groups of table1 are",
        ),
        (
            4,
            {
                "printed": "7 (70)",
                "value": 70,
                "about": {"group": "b", "endpoint": "fatigue", "count": 7, "n": 10},
            },
            "text.yaml",
            "numbers[4] (ae_a).about.count",
            "a count of 7 cannot exceed the 5 patients of group 'b'",
        ),
        (
            0,
            {"printed": "0 months", "value": 0},
            "simulation.yaml",
            "survival[0] (os).medians.a",
            "the median survival time 'm_a' must be positive, got 0",
        ),
        (
            3,
            {"printed": "6", "value": 6},
            "simulation.yaml",
            "survival[0] (os).events.b",
            "6 events ('e_b') is impossible in a group of 5",
        ),
    ],
    ids=[
        "input_count_unknown_group",
        "input_count_above_group_n",
        "survival_median_zero",
        "events_above_group_n",
    ],
)
def test_numbers_the_simulator_draws_fit_the_cohort(tmp_path, index, change, file, field, reason):
    d = copy.deepcopy(SURV)
    d["numbers"][index].update(change)
    _surv_study(tmp_path, d)
    with pytest.raises(DataFileError) as info:
        load_study("demo", data_dir=tmp_path)
    msg = str(info.value)
    assert file in msg and field in msg and reason in msg, msg


# ----------------------------------------------------------------------------- issue 16: the closed `about` descriptor


@pytest.mark.parametrize(
    "about, field, reason",
    [
        (
            {"endpont": "os"},
            "numbers.0.about.endpont",
            "unknown field 'endpont' (did you mean 'endpoint'?); allowed: endpoint, variable,",
        ),
        # an old spelling of a merged concept is refused, with the one spelling to use
        (
            {"same_test_as": "p_os"},
            "numbers.0.about.same_test_as",
            "unknown field 'same_test_as' (did you mean 'same_as'?)",
        ),
        (
            {"stat": "min"},
            "numbers.0.about.stat",
            "unknown field 'stat' (did you mean 'statistic'?)",
        ),
        (
            {"source": {"ref": "[12]", "yaer": 2020}},
            "numbers.0.about.source.yaer",
            "unknown field 'yaer' (did you mean 'year'?); allowed: ref, author, year, printed",
        ),
        (
            {"source": {"ref": "12"}},
            "numbers.0.about.source.ref",
            "String should match pattern",
        ),
        (
            {"source": {"ref": "[12]", "printed": "Smith [13]"}},
            "numbers.0.about.source",
            "printed 'Smith [13]' does not end with ref '[12]'",
        ),
        ({"horizon": "12"}, "numbers.0.about.horizon", "got '12'"),
        ({"direction": "up"}, "numbers.0.about.direction", "Input should be 'better', 'worse'"),
        ({"groups": "a,b"}, "numbers.0.about.groups", "Input should be a valid list"),
    ],
    ids=[
        "typo",
        "old_synonym",
        "old_short_spelling",
        "citation_typo",
        "citation_unbracketed",
        "citation_printed_disagrees",
        "horizon_text",
        "direction_unknown",
        "groups_comma_string",
    ],
)
def test_about_is_closed_and_typed(tmp_path, about, field, reason):
    """An unknown or mistyped ``about`` field names the file, the field path and the allowed names."""
    d = mutate(RESULTS, lambda d: d["numbers"][0].update({"about": about}))
    p = write(tmp_path, d, "text.yaml")
    with pytest.raises(DataFileError) as info:
        load_file(p)
    msg = str(info.value)
    assert str(p) in msg and field in msg and reason in msg, msg


def test_attrs_is_no_longer_a_field(tmp_path):
    """The free ``attrs`` dict is gone: a file that still has it is told so."""
    d = mutate(RESULTS, lambda d: d["numbers"][0].update({"attrs": {"endpoint": "os"}}))
    p = write(tmp_path, d, "text.yaml")
    with pytest.raises(DataFileError) as info:
        load_file(p)
    assert "numbers.0.attrs: unknown field" in str(info.value)


@pytest.mark.parametrize(
    "about, field, reason",
    [
        (
            {"p_key": "m_aa"},
            "numbers[0] (m_a).about.p_key",
            "'m_aa' is not the key of a reported number of demo (did you mean 'm_a'?)",
        ),
        (
            {"same_as": "m_a"},
            "numbers[0] (m_a).about.same_as",
            "same_as names the number itself ('m_a')",
        ),
        (
            {"positives_key": "sex.f.c"},
            "numbers[0] (m_a).about.positives_key",
            "'sex.f.c' is not the key of a reported number of demo",
        ),
    ],
    ids=["missing_key", "self_reference", "missing_baseline_key"],
)
def test_about_cross_references_name_numbers_of_the_study(tmp_path, about, field, reason):
    d = copy.deepcopy(SURV)
    d["numbers"][0].update({"about": about})
    _surv_study(tmp_path, d)
    with pytest.raises(DataFileError) as info:
        load_study("demo", data_dir=tmp_path)
    msg = str(info.value)
    assert "text.yaml" in msg and field in msg and reason in msg, msg


def test_about_cross_references_to_results_and_baseline_keys_load(tmp_path):
    d = copy.deepcopy(SURV)
    d["numbers"][0].update({"about": {"n_key": "n.a", "positives_key": "sex.f.a"}})
    d["numbers"][1].update({"about": {"hr_key": "m_a"}})
    _surv_study(tmp_path, d)
    study = load_study("demo", data_dir=tmp_path)
    first = study.number(d["numbers"][0]["key"])
    assert (first.about.n_key, first.about.positives_key) == ("n.a", "sex.f.a")


# ----------------------------------------------------------------------------- issue 19: a bounded YAML loader


def _billion_laughs(levels: int = 9) -> str:
    lines = ['  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    names = "abcdefghijklmnopqrstuvwxyz"
    for i in range(1, levels):
        lines.append(f"  {names[i]}: &{names[i]} [" + ", ".join([f"*{names[i - 1]}"] * 9) + "]")
    return "parameters:\n" + "\n".join(lines) + "\n"


SIM_HEAD = "study: demo\nfile_id: simulation\ntype: simulation\n"

YAML_LIMIT_CASES = [
    (
        "billion_laughs",
        SIM_HEAD + _billion_laughs(),
        "line 10",
        "the aliases expand to more than 500,000 values",
    ),
    (
        "too_many_aliases",
        SIM_HEAD + "parameters:\n  x: &x 1\n  y: [" + ", ".join(["*x"] * 101) + "]\n",
        "line 6",
        "more than 100 aliases",
    ),
    (
        "nested_too_deep",
        SIM_HEAD + "parameters:\n  x: " + "[" * 5000 + "]" * 5000 + "\n",
        "line 5",
        "nested more than 40 deep",
    ),
    (
        "nested_mappings_too_deep",
        SIM_HEAD + "parameters:\n  x: " + "{a: " * 41 + "1" + "}" * 41 + "\n",
        "line 5",
        "nested more than 40 deep",
    ),
    (
        "alias_holds_itself",
        SIM_HEAD + "parameters:\n  x: &x [1, *x]\n",
        "line 5",
        "an alias refers to the list or mapping that contains it",
    ),
    (
        "integer_too_long",
        SIM_HEAD + "parameters:\n  x: 1" + "0" * 5000 + "\n",
        "line 5",
        "has too many digits",
    ),
    (
        "list_as_key",
        SIM_HEAD + "parameters:\n  ? [a, b]\n  : 1\n",
        "line 5",
        "a key must be a plain name, got a list",
    ),
    (
        "undefined_alias",
        SIM_HEAD + "parameters:\n  x: *nothing\n",
        "line 5",
        "found undefined alias",
    ),
    (
        "python_tag",
        SIM_HEAD + "parameters:\n  x: !!python/object/apply:os.system [ls]\n",
        "line 5",
        "could not determine a constructor",
    ),
    ("nul_character", SIM_HEAD + "parameters:\n  x: a\x00b\n", "<file>", "unacceptable character"),
    ("tab_indent", SIM_HEAD + "parameters:\n\tx: 1\n", "line 5", "invalid YAML"),
]


@pytest.mark.parametrize("case", YAML_LIMIT_CASES, ids=[c[0] for c in YAML_LIMIT_CASES])
def test_yaml_bombs_and_limits_are_named_errors(tmp_path, case):
    import time

    _, raw, where, reason = case
    p = write(tmp_path, None, "simulation.yaml", raw=raw)
    t0 = time.perf_counter()
    with pytest.raises(DataFileError) as info:
        load_file(p)
    assert time.perf_counter() - t0 < 5
    msg = str(info.value)
    assert f"simulation.yaml: {where}: " in msg and reason in msg, msg


def test_a_few_aliases_within_the_limits_still_load(tmp_path):
    raw = SIM_HEAD + "parameters:\n  x: &x [1, 2]\n  y: *x\n"
    assert load_file(write(tmp_path, None, "simulation.yaml", raw=raw)).parameters["y"] == [1, 2]


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    import hccrep.spec as spec

    monkeypatch.setattr(spec, "MAX_YAML_BYTES", 1000)
    p = write(tmp_path, None, "simulation.yaml", raw=SIM_HEAD + "# " + "x" * 2000 + "\n")
    with pytest.raises(
        DataFileError,
        match=r"simulation.yaml: <file>: is 2,\d{3} bytes; a data file holds at most 1,000",
    ):
        load_file(p)


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("study: demo\nfile_id: table1\n", "type: required field is missing: the kind of file"),
        (
            "type: {x: [1]}\n",
            "type: must be one of ['baseline', 'claims', 'results', 'simulation', 'study'], got {'x': [1]}",
        ),
        ("type: [results]\n", "type: must be one of"),
    ],
    ids=["type_missing", "type_a_mapping", "type_a_list"],
)
def test_the_type_of_file_is_checked_before_anything_else(tmp_path, raw, reason):
    """A mapping as the file type was a TypeError (unhashable dict), found by the mutation property."""
    p = write(tmp_path, None, raw=raw)
    with pytest.raises(DataFileError) as info:
        load_file(p)
    assert str(p) in str(info.value) and reason in str(info.value), str(info.value)

"""Issue 19, as properties: every malformed input is a named error.

Part 1 mutates the four studies' *valid* data files at random (delete a required
field, change a type, add an unknown key, put a string where a number goes, a
negative where a count goes, swap an interval's limits, duplicate a key, break
the YAML syntax, truncate the file) and requires a :class:`DataFileError` whose
message names the file and a field (or the line of a YAML error): never another
exception type, never a file that loads.

Part 2 feeds every public statistics function bad arrays (NaN, inf, wrong length,
wrong dtype, empty, 2-D, strings, negative times, events that are not 0/1) and
requires a ``ValueError`` that says what is wrong: never ``IndexError``,
``KeyError``, ``TypeError``, ``ZeroDivisionError``, nor a NaN returned with only
a numpy warning.

Every mutation is one that cannot leave a valid file, so "loads" is a failure.
The examples are derandomised (the same ones on every run) so CI cannot flake.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hccrep import declared, spec
from hccrep.spec import DATA_DIR, DataFileError, load_file

STUDIES = ("deng2025", "fonc2025", "lv2025", "tu2025")
FILES = sorted((s, p.name) for s in STUDIES for p in (DATA_DIR / s).glob("*.yaml"))

PROPS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: the mutated file is written here as <study>/<file>.yaml (the folder name is checked against `study`)
SCRATCH = Path(tempfile.mkdtemp(prefix="hccrep-mutations-"))
_TEXT: dict[tuple[str, str], str] = {}
_RAW: dict[tuple[str, str], dict] = {}


def teardown_module(module):
    shutil.rmtree(SCRATCH, ignore_errors=True)


def _text(study: str, name: str) -> str:
    if (study, name) not in _TEXT:
        _TEXT[study, name] = (DATA_DIR / study / name).read_text(encoding="utf-8")
    return _TEXT[study, name]


def _raw(study: str, name: str) -> dict:
    if (study, name) not in _RAW:
        _RAW[study, name] = yaml.load(_text(study, name), Loader=spec._StrictLoader)  # noqa: S506
    return copy.deepcopy(_RAW[study, name])


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def _write(study: str, name: str, text: str) -> Path:
    folder = SCRATCH / study
    folder.mkdir(exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


# ----------------------------------------------------------------------------- where the models are


def _targets(raw: dict) -> list[tuple[tuple, type]]:
    """Every mapping of a raw data file whose pydantic model is known: (path, model)."""
    out: list[tuple[tuple, type]] = []

    def add(path, model, d):
        if isinstance(d, dict):
            out.append((path, model))

    kind = raw.get("type")
    add((), spec._FILE_MODELS[kind], raw)
    if kind in ("baseline", "results"):
        add(("source",), spec.Source, raw.get("source"))
    if kind == "baseline":
        for i, g in enumerate(raw.get("groups") or []):
            add(("groups", i), spec.Group, g)
        add(("total",), spec.Group, raw.get("total"))
        for i, v in enumerate(raw.get("variables") or []):
            add(
                ("variables", i),
                spec.CategoricalVariable
                if v.get("kind") == "categorical"
                else spec.ContinuousVariable,
                v,
            )
            for j, lv in enumerate(v.get("levels") or []):
                add(("variables", i, "levels", j), spec.Level, lv)
            add(("variables", i, "p"), spec.PValueSpec, v.get("p"))
            add(("variables", i, "cut_of"), spec.CutOf, v.get("cut_of"))
    elif kind == "results":
        for i, n in enumerate(raw.get("numbers") or []):
            add(("numbers", i), spec.NumberSpec, n)
            add(("numbers", i, "where"), spec.Provenance, n.get("where"))
            a = n.get("analysis")
            if isinstance(a, dict):
                add(("numbers", i, "analysis"), declared.ANALYSIS_KINDS[a["kind"]], a)
    elif kind == "simulation":
        for name, model in (
            ("rules", spec.Rule),
            ("correlations", spec.Correlation),
            ("survival", spec.SurvivalSpec),
            ("binary", spec.BinarySpec),
            ("reversed_contrasts", spec.Reading),
        ):
            for i, x in enumerate(raw.get(name) or []):
                add((name, i), model, x)
                for j, e in enumerate(x.get("effects") or [] if isinstance(x, dict) else []):
                    add(
                        (name, i, "effects", j),
                        spec.EffectSpec if name == "survival" else spec.BinaryEffectSpec,
                        e,
                    )
    return out


def _get(d, path):
    for k in path:
        d = d[k]
    return d


def _fields(model: type) -> dict[str, object]:
    """The keys a model reads (aliases where it has them) -> field info."""
    return {(f.alias or name): f for name, f in model.model_fields.items()}


# ----------------------------------------------------------------------------- the mutations
# Each returns (mutated text, words the error message must contain) or None when the file offers no place for it.


def m_delete_required(data, study, name):
    raw = _raw(study, name)
    places = [
        (path, key)
        for path, model in _targets(raw)
        for key, f in _fields(model).items()
        if f.is_required() and key in _get(raw, path) and key != "kind"
    ]
    if not places:
        return None
    path, key = data.draw(st.sampled_from(places), label="delete")
    del _get(raw, path)[key]
    return _dump(raw), [key]


def m_unknown_key(data, study, name):
    raw = _raw(study, name)
    path, model = data.draw(st.sampled_from(_targets(raw)), label="where")
    key = data.draw(
        st.sampled_from(["colour", "vaule", "Printed", "note_", "p_value", "n_patients"]),
        label="key",
    )
    if key in _fields(model):
        return None
    _get(raw, path)[key] = "x"
    return _dump(raw), [key, "unknown field"]


def _wrong_type(value):
    """A value no field holding ``value`` accepts."""
    if isinstance(value, dict):
        return [1, 2]
    if isinstance(value, list):
        return {"x": 1}
    return {"x": [1]}


def m_change_type(data, study, name):
    raw = _raw(study, name)
    places = [
        (path, key)
        for path, model in _targets(raw)
        for key in _fields(model)
        if key in _get(raw, path) and key != "kind"
    ]
    path, key = data.draw(st.sampled_from(places), label="field")
    d = _get(raw, path)
    d[key] = _wrong_type(d[key])
    return _dump(raw), [key]


def m_string_for_number(data, study, name):
    raw = _raw(study, name)
    places = [
        (path, key)
        for path, model in _targets(raw)
        for key in _fields(model)
        if isinstance(_get(raw, path).get(key), (int, float))
        and not isinstance(_get(raw, path).get(key), bool)
    ]
    if not places:
        return None
    path, key = data.draw(st.sampled_from(places), label="field")
    d = _get(raw, path)
    d[key] = data.draw(
        st.sampled_from([str(d[key]), f"{d[key]} months", "NA", "", "n/a"]), label="text"
    )
    return _dump(raw), [key]


def m_negative_count(data, study, name):
    raw = _raw(study, name)
    places = []
    if raw.get("type") == "baseline":
        places += [(("groups", i), "n") for i in range(len(raw["groups"]))]
        for i, v in enumerate(raw["variables"]):
            if v["kind"] == "categorical":
                places += [
                    (("variables", i, "cells", g), lv)
                    for g, row in v["cells"].items()
                    for lv in row
                ]
    elif raw.get("type") == "results":
        for i, n in enumerate(raw["numbers"]):
            places += [
                (("numbers", i, "about"), k)
                for k in ("count", "n")
                if isinstance(n.get("about", {}).get(k), int) and n["about"][k] > 0
            ]
            if n["quantity"] == "count" and n["value"] > 0:
                places.append((("numbers", i), "value"))
    if not places:
        return None
    path, key = data.draw(st.sampled_from(places), label="count")
    d = _get(raw, path)
    if isinstance(d[key], dict):  # a cell with a note
        d[key]["printed"] = "-" + d[key]["printed"].lstrip()
    elif isinstance(d[key], str):
        d[key] = "-" + d[key].lstrip()
    else:
        d[key] = -d[key]
    return _dump(raw), [str(path[-1]) if path[-1] != "about" else key]


def m_swap_limits(data, study, name):
    raw = _raw(study, name)
    if raw.get("type") != "results":
        return None
    places = [
        i
        for i, n in enumerate(raw["numbers"])
        if isinstance(n.get("lower"), (int, float))
        and isinstance(n.get("upper"), (int, float))
        and n["lower"] < n["upper"]
    ]
    if not places:
        return None
    i = data.draw(st.sampled_from(places), label="number")
    n = raw["numbers"][i]
    n["lower"], n["upper"] = n["upper"], n["lower"]
    return _dump(raw), [f"numbers[{i}]", "reversed"]


def _nodes(node):
    yield node
    if isinstance(node, yaml.SequenceNode):
        for c in node.value:
            yield from _nodes(c)
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            yield from _nodes(k)
            yield from _nodes(v)


def m_duplicate_key(data, study, name):
    text = _text(study, name)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    places = [
        (k, v)
        for node in _nodes(root)
        if isinstance(node, yaml.MappingNode) and not node.flow_style
        for k, v in node.value
        if isinstance(k, yaml.ScalarNode)
        and v.end_mark.line == k.start_mark.line
        and (
            isinstance(v, yaml.ScalarNode)
            and v.style in (None, '"', "'")
            or getattr(v, "flow_style", False)
        )
    ]
    k, v = data.draw(st.sampled_from(places), label="key")
    lines = text.splitlines(keepends=True)
    line = lines[k.start_mark.line]
    copy_line = " " * k.start_mark.column + line[k.start_mark.column : v.end_mark.column] + "\n"
    lines.insert(k.start_mark.line + 1, copy_line)
    return "".join(lines), ["duplicate key", f"line {k.start_mark.line + 2}"]


def _inside_lines(text: str) -> set[int]:
    """Lines a new line cannot go before without landing inside a multi-line scalar or flow collection."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    bad: set[int] = set()
    for node in _nodes(root):
        if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
            bad.update(range(node.start_mark.line + 1, node.end_mark.line + 1))
    return bad


def m_break_syntax(data, study, name):
    text = _text(study, name)
    lines = text.splitlines(keepends=True)
    bad = _inside_lines(text)
    at = data.draw(
        st.sampled_from([i for i in range(len(lines) + 1) if i not in bad]), label="line"
    )
    broken = data.draw(st.sampled_from(["\tstudy: x\n", "\t- 1\n"]), label="text")
    lines.insert(at, broken)
    return "".join(lines), ["invalid YAML", f"line {at + 1}"]


def m_truncate(data, study, name):
    text = _text(study, name)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    quoted = [
        n
        for n in _nodes(root)
        if isinstance(n, yaml.ScalarNode)
        and n.style in ('"', "'")
        and n.end_mark.index - n.start_mark.index > 2
    ]
    raw = _raw(study, name)
    model = spec._FILE_MODELS[raw["type"]]
    required = [
        (i, k)
        for i, (k, _) in enumerate(root.value)
        if i > 0
        and _fields(model).get(k.value) is not None
        and _fields(model)[k.value].is_required()
    ]
    how = data.draw(
        st.sampled_from(
            [h for h, ok in (("in_quotes", quoted), ("before_required", required)) if ok]
        ),
        label="how",
    )
    if how == "in_quotes":
        node = data.draw(st.sampled_from(quoted), label="string")
        cut = data.draw(
            st.integers(node.start_mark.index + 1, node.end_mark.index - 2), label="cut"
        )
        return text[:cut], ["invalid YAML", "line"]
    _, k = data.draw(st.sampled_from(required), label="key")
    return text[: k.start_mark.index - k.start_mark.column], ["required field is missing"]


MUTATIONS = {
    "delete_required": m_delete_required,
    "unknown_key": m_unknown_key,
    "change_type": m_change_type,
    "string_for_number": m_string_for_number,
    "negative_count": m_negative_count,
    "swap_limits": m_swap_limits,
    "duplicate_key": m_duplicate_key,
    "break_syntax": m_break_syntax,
    "truncate": m_truncate,
}


def _assert_named_error(path: Path, text: str, words: list[str]) -> None:
    p = _write(path.parent.name, path.name, text)
    try:
        load_file(p)
    except DataFileError as exc:
        msg = str(exc)
        assert exc.path == p and str(p) in msg, msg
        assert exc.problems and all(loc for loc, _ in exc.problems), (
            f"a problem without a field or line: {msg}"
        )
        for w in words:
            assert w in msg, f"{w!r} not in {msg}"
        return
    raise AssertionError(
        f"the mutated {p.parent.name}/{p.name} loads; it should not:\n{text[:2000]}"
    )


def test_every_data_file_round_trips_before_mutation():
    """The mutations work on safe_dump's rewrite of each file: unmutated, it must load."""
    for study, name in FILES:
        p = _write(study, name, _dump(_raw(study, name)))
        load_file(p)


@PROPS
@given(st.sampled_from(FILES), st.sampled_from(sorted(MUTATIONS)), st.data())
def test_a_mutated_data_file_is_a_named_error(file, mutation, data):
    study, name = file
    out = MUTATIONS[mutation](data, study, name)
    event(mutation if out is not None else "no place for the mutation")
    if out is None:
        return
    text, words = out
    _assert_named_error(SCRATCH / study / name, text, words)


# explicit examples: one of each mutation on a file each study's cohort is built from
EXAMPLES = [
    ("fonc2025", "table3.yaml", "delete_required"),
    ("fonc2025", "table4.yaml", "negative_count"),
    ("tu2025", "table2.yaml", "swap_limits"),
    ("deng2025", "simulation.yaml", "unknown_key"),
    ("lv2025", "study.yaml", "change_type"),
    ("deng2025", "table1.yaml", "string_for_number"),
    ("fonc2025", "simulation.yaml", "duplicate_key"),
    ("tu2025", "table1.yaml", "break_syntax"),
    ("lv2025", "ccps.yaml", "truncate"),
    ("fonc2025", "table1.yaml", "negative_count"),
]


@pytest.mark.parametrize(
    "study, name, mutation", EXAMPLES, ids=[f"{s}-{n}-{m}" for s, n, m in EXAMPLES]
)
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_each_mutation_on_a_cohort_file(study, name, mutation, data):
    out = MUTATIONS[mutation](data, study, name)
    assert out is not None, "the file offers no place for this mutation"
    _assert_named_error(SCRATCH / study / name, *out)


# ============================================================================= part 2: statistics on bad arrays

import warnings  # noqa: E402

import pandas as pd  # noqa: E402

from hccrep.stats import fastcox, fastsurv, matching, prediction, survival, tables  # noqa: E402
from hccrep.optimism import harrell_c  # noqa: E402

N = 30
_rng = np.random.default_rng(20251643)
VALID = {
    "time": np.round(_rng.exponential(10, N) + 0.1, 1),
    "event": np.tile([1, 1, 0], N // 3),
    "group": np.array(["a", "b"] * (N // 2)),
    "y": np.tile([0, 1, 1], N // 3),
    "score": np.round(_rng.normal(size=N), 3),
    "score_b": np.round(_rng.normal(size=N), 3),
    "prob": np.round(_rng.uniform(0.05, 0.95, N), 3),
    "rating_a": np.tile(["CR", "PR", "SD", "PD", "PR"], N // 5),
    "rating_b": np.tile(["CR", "SD", "SD", "PD", "PR"], N // 5),
    "x": np.round(_rng.normal(size=N), 3),
}
VALID["y_b"], VALID["score_ub"] = VALID["y"][::-1].copy(), VALID["score_b"][::-1].copy()

#: the kinds of bad value each role of argument may receive
BAD = {
    "time": ["nan", "inf", "negative", "text", "none", "complex", "empty", "2d", "short"],
    "event": ["nan", "two", "minus_one", "half", "text", "empty", "2d", "short"],
    "group": ["none", "empty", "2d", "short", "one_value"],
    "y": ["nan", "two", "text", "empty", "2d", "short", "one_value"],
    "score": ["nan", "inf", "text", "none", "complex", "empty", "2d", "short"],
    "prob": ["nan", "inf", "negative", "above_one", "text", "empty", "2d", "short"],
    "rating": ["none", "empty", "2d", "short"],
}


def _bad(kind: str, valid: np.ndarray, at: int):
    """``valid`` with one bad value at ``at`` (or reshaped / emptied / shortened)."""
    if kind == "empty":
        return valid[:0]
    if kind == "2d":
        return valid.reshape(-1, 2)
    if kind == "short":
        return valid[:-1]
    if kind == "one_value":
        return np.full(valid.shape, valid[0], dtype=valid.dtype)
    out = (
        valid.astype(object).copy()
        if kind in ("text", "none", "complex") or valid.dtype.kind in "OU"
        else valid.astype(float).copy()
    )
    out[at] = {
        "nan": np.nan,
        "inf": np.inf,
        "negative": -1.5,
        "text": "12 months",
        "none": None,
        "complex": 1 + 2j,
        "two": 2,
        "minus_one": -1,
        "half": 0.5,
        "above_one": 1.5,
    }[kind]
    return out


#: name -> (argument roles by slot, the call)
FUNCTIONS = {
    "survival.km_median": (
        {"time": "time", "event": "event"},
        lambda a: survival.km_median(a["time"], a["event"]),
    ),
    "fastsurv.km_median": (
        {"time": "time", "event": "event"},
        lambda a: fastsurv.km_median(a["time"], a["event"]),
    ),
    "survival.km_table": (
        {"time": "time", "event": "event"},
        lambda a: survival.km_table(a["time"], a["event"]),
    ),
    "fastsurv.km_curve": (
        {"time": "time", "event": "event"},
        lambda a: fastsurv.km_curve(a["time"], a["event"]),
    ),
    "survival.km_landmark": (
        {"time": "time", "event": "event"},
        lambda a: survival.km_landmark(a["time"], a["event"], [6, 12]),
    ),
    "fastsurv.km_landmark": (
        {"time": "time", "event": "event"},
        lambda a: fastsurv.km_landmark(a["time"], a["event"], [6, 12]),
    ),
    "survival.logrank": (
        {"time": "time", "event": "event", "group": "group"},
        lambda a: survival.logrank(a["time"], a["event"], a["group"]),
    ),
    "fastsurv.logrank": (
        {"time": "time", "event": "event", "group": "group"},
        lambda a: fastsurv.logrank(a["time"], a["event"], a["group"]),
    ),
    "fastsurv.logrank_trend": (
        {"time": "time", "event": "event", "group": "group"},
        lambda a: fastsurv.logrank_trend(a["time"], a["event"], a["group"]),
    ),
    "harrell_c": (
        {"time": "time", "event": "event", "score": "score"},
        lambda a: harrell_c(a["time"], a["event"], a["score"]),
    ),
    "roc_auc": ({"y": "y", "score": "score"}, lambda a: prediction.roc_auc(a["y"], a["score"])),
    "delong_test": (
        {"y": "y", "score": "score", "score_b": "score"},
        lambda a: prediction.delong_test(a["y"], a["score"], a["score_b"]),
    ),
    "delong_test_unpaired": (
        {"y": "y", "score": "score", "y_b": "y", "score_ub": "score"},
        lambda a: prediction.delong_test_unpaired(a["y"], a["score"], a["y_b"], a["score_ub"]),
    ),
    "roc_table": ({"y": "y", "score": "score"}, lambda a: prediction.roc_table(a["y"], a["score"])),
    "youden_cutoff": (
        {"y": "y", "score": "score"},
        lambda a: prediction.youden_cutoff(a["y"], a["score"]),
    ),
    "classification_metrics": (
        {"y": "y", "y_b": "y"},
        lambda a: prediction.classification_metrics(a["y"], a["y_b"]),
    ),
    "hosmer_lemeshow": (
        {"y": "y", "prob": "prob"},
        lambda a: prediction.hosmer_lemeshow(a["y"], a["prob"], groups=5),
    ),
    "brier_score": (
        {"y": "y", "prob": "prob"},
        lambda a: prediction.brier_score(a["y"], a["prob"]),
    ),
    "calibration_table": (
        {"y": "y", "prob": "prob"},
        lambda a: prediction.calibration_table(a["y"], a["prob"], n_bins=5),
    ),
    "calibration_intercept_slope": (
        {"y": "y", "prob": "prob"},
        lambda a: prediction.calibration_intercept_slope(a["y"], a["prob"]),
    ),
    "net_benefit": (
        {"y": "y", "prob": "prob"},
        lambda a: prediction.net_benefit(a["y"], a["prob"], [0.1, 0.3]),
    ),
    "net_benefit_survival": (
        {"time": "time", "event": "event", "prob": "prob"},
        lambda a: prediction.net_benefit_survival(a["time"], a["event"], a["prob"], 12, [0.1, 0.3]),
    ),
    "cohen_kappa": (
        {"rating_a": "rating", "rating_b": "rating"},
        lambda a: prediction.cohen_kappa(a["rating_a"], a["rating_b"]),
    ),
    "compare_samples": (
        {"x": "score", "score": "score"},
        lambda a: tables.compare_samples([a["x"], a["score"]], "welch"),
    ),
}

#: raw numpy / pandas messages that say nothing to a clinical researcher
RAW_MESSAGES = (
    "could not convert",
    "setting an array element",
    "operands could not be broadcast",
    "invalid literal",
    "object arrays are not supported",
    "unhashable",
    "not supported between instances",
)


def _call_expecting_value_error(fn, args, what: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy warning with a NaN result is a failure too
        try:
            out = fn(args)
        except ValueError as exc:
            msg = str(exc)
            assert len(msg) >= 10, f"{what}: a ValueError without an explanation: {msg!r}"
            assert not any(r in msg for r in RAW_MESSAGES), (
                f"{what}: a raw numpy/pandas message: {msg!r}"
            )
            return msg
        except Exception as exc:  # noqa: BLE001 - the point of the test
            raise AssertionError(f"{what}: {type(exc).__name__}: {exc}") from exc
    raise AssertionError(f"{what}: accepted, returned {out!r}"[:800])


def test_every_statistics_function_accepts_the_valid_arrays():
    for name, (slots, fn) in FUNCTIONS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            fn({s: VALID[s] for s in slots})


@PROPS
@given(st.sampled_from(sorted(FUNCTIONS)), st.data())
def test_a_bad_array_is_a_value_error_that_says_what_is_wrong(name, data):
    slots, fn = FUNCTIONS[name]
    slot = data.draw(st.sampled_from(sorted(slots)), label="argument")
    kind = data.draw(
        st.sampled_from([k for k in BAD[slots[slot]] if (name, k) not in VALID_ANYWAY]), label="bad"
    )
    at = data.draw(st.integers(0, N - 1), label="at")
    args = {s: VALID[s] for s in slots}
    args[slot] = _bad(kind, VALID[slot], at)
    event(f"{slots[slot]}: {kind}")
    _call_expecting_value_error(fn, args, f"{name}({slot} {kind} at {at})")


#: a bad kind that is valid for this function (a single class has a Brier score; samples differ in size)
VALID_ANYWAY = {
    ("brier_score", "one_value"),
    ("calibration_table", "one_value"),
    ("hosmer_lemeshow", "one_value"),
    ("net_benefit", "one_value"),
    ("classification_metrics", "one_value"),
    ("compare_samples", "short"),
}

# ----------------------------------------------------------------------------- Cox models: bad data frames

COX_DF = pd.DataFrame(
    {"t": VALID["time"], "e": VALID["event"], "x": VALID["x"], "z": VALID["score"]}
)
COX_FUNCTIONS = {
    "survival.cox": lambda df, cov: survival.cox(df, "t", "e", cov),
    "survival.univariable_cox": lambda df, cov: survival.univariable_cox(df, "t", "e", cov),
    "fastcox.cox_table": lambda df, cov: fastcox.cox_table(df, "t", "e", cov),
}
#: column -> bad kinds; plus the covariate list itself
COX_BAD = {
    "t": ["nan", "inf", "negative", "text", "none"],
    "e": ["nan", "two", "minus_one", "half", "text"],
    "x": ["nan", "inf", "text", "none", "one_value"],
}
COX_COVARIATES = {
    "missing": ["x", "w"],
    "empty": [],
    "duration": ["x", "t"],
    "event": ["e"],
    "twice": ["x", "x"],
}


def _cox_call(name: str, column: str | None, kind: str, at: int):
    df = COX_DF.copy()
    cov = ["x", "z"]
    if column is None:
        cov = COX_COVARIATES[kind]
    elif kind == "one_value":
        df[column] = df[column].iloc[0]
    else:
        df[column] = _bad(kind, df[column].to_numpy(), at)
    return lambda _: COX_FUNCTIONS[name](df, cov)


def test_every_cox_function_accepts_the_valid_frame():
    for name in COX_FUNCTIONS:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            COX_FUNCTIONS[name](COX_DF, ["x", "z"])


@PROPS
@given(
    st.sampled_from(sorted(COX_FUNCTIONS)),
    st.sampled_from(sorted(COX_BAD) + ["covariates"]),
    st.data(),
)
def test_a_bad_cox_frame_is_a_value_error_that_says_what_is_wrong(name, column, data):
    if column == "covariates":
        kind, col = data.draw(st.sampled_from(sorted(COX_COVARIATES)), label="covariates"), None
    else:
        kind, col = data.draw(st.sampled_from(COX_BAD[column]), label="bad"), column
    at = data.draw(st.integers(0, N - 1), label="at")
    event(f"{column}: {kind}")
    _call_expecting_value_error(
        _cox_call(name, col, kind, at), None, f"{name}({column} {kind} at {at})"
    )


# ----------------------------------------------------------------------------- tables, samples and parameters

PARAMETER_CASES = {
    # name -> a call with one bad table, sample list or parameter
    "compare_counts negative": lambda: tables.compare_counts([[3, -1], [2, 4]]),
    "compare_counts nan": lambda: tables.compare_counts([[3, np.nan], [2, 4]]),
    "compare_counts inf": lambda: tables.compare_counts([[3, np.inf], [2, 4]]),
    "compare_counts fraction": lambda: tables.compare_counts([[3, 1.5], [2, 4]]),
    "compare_counts text": lambda: tables.compare_counts([["3", "one"], ["2", "4"]]),
    "compare_counts none": lambda: tables.compare_counts([[3, None], [2, 4]]),
    "compare_counts empty": lambda: tables.compare_counts([]),
    "compare_counts 1-D": lambda: tables.compare_counts([3, 1, 2, 4]),
    "compare_counts 3-D": lambda: tables.compare_counts(np.ones((2, 2, 2))),
    "compare_counts one row": lambda: tables.compare_counts([[3, 1]]),
    "compare_counts zero column": lambda: tables.compare_counts([[3, 0], [2, 0]]),
    "compare_counts ragged": lambda: tables.compare_counts([[3, 1], [2]]),
    "compare_counts unknown test": lambda: tables.compare_counts([[3, 1], [2, 4]], test="chi2"),
    "compare_samples one group": lambda: tables.compare_samples([VALID["x"]], "welch"),
    "compare_samples three groups for welch": lambda: tables.compare_samples(
        [VALID["x"]] * 3, "welch"
    ),
    "compare_samples not a list": lambda: tables.compare_samples(VALID["x"], "welch"),
    "compare_samples a string": lambda: tables.compare_samples("abc", "welch"),
    "compare_samples empty group": lambda: tables.compare_samples([VALID["x"], []], "mannwhitney"),
    "compare_samples text": lambda: tables.compare_samples([VALID["x"], ["a", "b"]], "kruskal"),
    "compare_samples constant": lambda: tables.compare_samples(
        [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]], "student"
    ),
    "compare_samples unknown test": lambda: tables.compare_samples(
        [VALID["x"], VALID["score"]], "ttest"
    ),
    "km_landmark at nan": lambda: survival.km_landmark(VALID["time"], VALID["event"], [np.nan]),
    "km_landmark at negative": lambda: fastsurv.km_landmark(VALID["time"], VALID["event"], [-1]),
    "km_landmark at text": lambda: survival.km_landmark(VALID["time"], VALID["event"], "one year"),
    "km_landmark at empty": lambda: fastsurv.km_landmark(VALID["time"], VALID["event"], []),
    "km_median alpha 0": lambda: survival.km_median(VALID["time"], VALID["event"], alpha=0),
    "km_median alpha 1.5": lambda: fastsurv.km_median(VALID["time"], VALID["event"], alpha=1.5),
    "km_median alpha text": lambda: survival.km_median(VALID["time"], VALID["event"], alpha="0.05"),
    "km_median conf_type": lambda: fastsurv.km_median(
        VALID["time"], VALID["event"], conf_type="loglog"
    ),
    "logrank no events": lambda: fastsurv.logrank(VALID["time"], np.zeros(N), VALID["group"]),
    "logrank mixed labels": lambda: survival.logrank(
        VALID["time"], VALID["event"], [1, "1"] * (N // 2)
    ),
    "logrank_trend order": lambda: fastsurv.logrank_trend(
        VALID["time"], VALID["event"], VALID["group"], order=["a", "c"]
    ),
    "logrank_trend weights": lambda: fastsurv.logrank_trend(
        VALID["time"], VALID["event"], VALID["group"], weights=[1, np.nan]
    ),
    "net_benefit thresholds nan": lambda: prediction.net_benefit(
        VALID["y"], VALID["prob"], [np.nan]
    ),
    "net_benefit thresholds 1": lambda: prediction.net_benefit(
        VALID["y"], VALID["prob"], [0.2, 1.0]
    ),
    "net_benefit thresholds negative": lambda: prediction.net_benefit(
        VALID["y"], VALID["prob"], [-0.1]
    ),
    "net_benefit thresholds text": lambda: prediction.net_benefit(
        VALID["y"], VALID["prob"], ["ten percent"]
    ),
    "net_benefit thresholds empty": lambda: prediction.net_benefit(VALID["y"], VALID["prob"], []),
    "net_benefit_survival horizon nan": lambda: prediction.net_benefit_survival(
        VALID["time"], VALID["event"], VALID["prob"], np.nan, [0.2]
    ),
    "net_benefit_survival horizon negative": lambda: prediction.net_benefit_survival(
        VALID["time"], VALID["event"], VALID["prob"], -12, [0.2]
    ),
    "net_benefit_survival horizon text": lambda: prediction.net_benefit_survival(
        VALID["time"], VALID["event"], VALID["prob"], "12", [0.2]
    ),
    "hosmer_lemeshow groups 1": lambda: prediction.hosmer_lemeshow(
        VALID["y"], VALID["prob"], groups=1
    ),
    "hosmer_lemeshow groups text": lambda: prediction.hosmer_lemeshow(
        VALID["y"], VALID["prob"], groups="ten"
    ),
    "hosmer_lemeshow df": lambda: prediction.hosmer_lemeshow(VALID["y"], VALID["prob"], df="g-2"),
    "calibration_table bins 0": lambda: prediction.calibration_table(
        VALID["y"], VALID["prob"], n_bins=0
    ),
    "calibration_table strategy": lambda: prediction.calibration_table(
        VALID["y"], VALID["prob"], strategy="deciles"
    ),
    "calibration_intercept_slope prob 0": lambda: prediction.calibration_intercept_slope(
        VALID["y"], np.r_[0.0, VALID["prob"][1:]]
    ),
    "roc_auc conf_level 95": lambda: prediction.roc_auc(VALID["y"], VALID["score"], conf_level=95),
    "cohen_kappa one category": lambda: prediction.cohen_kappa(["CR"] * 5, ["CR"] * 5),
    "cohen_kappa se_method": lambda: prediction.cohen_kappa(
        VALID["rating_a"], VALID["rating_b"], se_method="fleiss"
    ),
    "harrell_c no usable pair": lambda: harrell_c([1, 2, 3], [0, 0, 0], [1, 2, 3]),
}


@pytest.mark.parametrize("case", sorted(PARAMETER_CASES))
def test_a_bad_table_sample_or_parameter_is_a_value_error(case):
    _call_expecting_value_error(lambda _: PARAMETER_CASES[case](), None, case)


# ----------------------------------------------------------------------------- the defects the properties found, one plain example each


@pytest.mark.parametrize(
    "call",
    [
        lambda a: survival.km_median(a, np.ones(30)),
        lambda a: fastsurv.km_median(np.arange(1.0, 31), a % 2),
        lambda a: fastsurv.logrank(np.arange(1.0, 31), np.ones(30), a.astype(int) % 2),
        lambda a: survival.logrank(np.arange(1.0, 31), np.ones(30), a.astype(int) % 2),
        lambda a: prediction.brier_score(a.astype(int) % 2, np.full(30, 0.5)),
        lambda a: prediction.roc_auc(np.tile([0, 1], 15), a),
        lambda a: prediction.cohen_kappa(a, np.arange(30) % 3),
        lambda a: tables.compare_samples([a, np.arange(30.0)]),
    ],
    ids=[
        "survival.km_median",
        "fastsurv.km_median",
        "fastsurv.logrank",
        "survival.logrank",
        "brier_score",
        "roc_auc",
        "cohen_kappa",
        "compare_samples",
    ],
)
def test_a_table_where_a_vector_goes_is_refused_not_flattened(call):
    """A 15 x 2 array was read row after row as 30 patients (ravel); a 30 x 1 column is still one vector."""
    table = np.arange(1.0, 31).reshape(15, 2)
    with pytest.raises(
        ValueError,
        match=r"must be one-dimensional \(one value per patient\), got an array of shape \(15, 2\)",
    ):
        call(table)
    call(table.reshape(30, 1))  # a column vector (a one-column DataFrame) is fine


def test_cox_with_an_infinite_covariate_is_a_value_error():
    """lifelines raised TypeError('Infs were detected in the dataset')."""
    df = COX_DF.assign(x=np.r_[np.inf, COX_DF["x"].to_numpy()[1:]])
    with pytest.raises(ValueError, match="covariate 'x' has infinite values"):
        survival.cox(df, "t", "e", ["x"])


@pytest.mark.parametrize(
    "change, covariates, message",
    [
        (
            dict(x=np.r_[np.inf, VALID["x"][1:]]),
            ["x"],
            "covariate 'x' has missing or infinite values",
        ),  # was a RuntimeWarning and NaN
        (
            dict(x=np.r_[["12 months"], VALID["x"][1:].astype(str)]),
            ["x"],
            "covariate 'x' is not numeric",
        ),  # was numpy's 'could not convert'
        (
            dict(x=np.full(N, 0.123)),
            ["x"],
            "covariate 'x' is constant",
        ),  # std 1e-17 passed the std == 0 check
        ({}, ["x", "w"], r"covariate\(s\) \['w'\] not in df"),  # was KeyError
        (
            {},
            ["x", "t"],
            "duration column 't' is also listed as a covariate",
        ),  # was a RuntimeWarning
        ({}, ["x", "x"], "covariates listed more than once"),
        ({}, [], "covariates is empty"),
    ],
    ids=[
        "inf",
        "text",
        "constant_float",
        "missing_column",
        "duration_as_covariate",
        "twice",
        "empty",
    ],
)
def test_fastcox_checks_its_covariates_as_cox_does(change, covariates, message):
    with pytest.raises(ValueError, match=message):
        fastcox.cox_table(COX_DF.assign(**change), "t", "e", covariates)


def test_compare_counts_with_an_infinite_or_ragged_table():
    """inf was cast to an integer with a RuntimeWarning; a ragged table gave numpy's 'inhomogeneous shape' message."""
    with pytest.raises(ValueError, match="table contains infinite counts"):
        tables.compare_counts([[3, np.inf], [2, 4]])
    with pytest.raises(ValueError, match="every row the same length"):
        tables.compare_counts([[3, 1], [2]])


# ----------------------------------------------------------------------------- logistic models and matching: bad data frames

LOGIT_DF = pd.DataFrame({"y": VALID["y"], "x": VALID["x"], "z": VALID["score"]})
LOGIT_FUNCTIONS = {
    "logistic_table": lambda df, cov: prediction.logistic_table(df, "y", cov),
    "backward_stepwise_logit": lambda df, cov: prediction.backward_stepwise_logit(df, "y", cov),
    "logit_fit": lambda df, cov: prediction.logit_fit(df[cov], df["y"]),
    "vif_table": lambda df, cov: prediction.vif_table(df, cov),
    "propensity_scores": lambda df, cov: matching.propensity_scores(df, "y", cov),
    "standardized_mean_differences": lambda df, cov: matching.standardized_mean_differences(
        df, "y", cov
    ),
}
LOGIT_BAD = {
    "y": ["nan", "two", "text", "none", "one_value"],
    "x": ["nan", "inf", "text", "none", "one_value"],
}
LOGIT_COVARIATES = {"missing": ["x", "w"], "empty": [], "outcome": ["x", "y"], "twice": ["x", "x"]}
#: valid after all: vif_table has no outcome; a fast fit flags separation or collinearity as not converged;
#: matching documents collinear (constant) covariates as allowed; a one-column VIF is refused, not this
LOGIT_VALID_ANYWAY = {
    ("vif_table", "y"),
    ("vif_table", "outcome"),
    ("logit_fit", "one_value"),
    ("logit_fit", "twice"),
    ("logit_fit", "empty"),
    ("propensity_scores", "x:one_value"),
    ("standardized_mean_differences", "x:one_value"),
    ("logit_fit", "missing"),
    ("logit_fit", "outcome"),
}


def _logit_cases():
    for name in sorted(LOGIT_FUNCTIONS):
        for col, kinds in LOGIT_BAD.items():
            for kind in kinds:
                if (
                    (name, col) not in LOGIT_VALID_ANYWAY
                    and (name, kind) not in LOGIT_VALID_ANYWAY
                    and (name, f"{col}:{kind}") not in LOGIT_VALID_ANYWAY
                ):
                    yield name, col, kind
        for kind in LOGIT_COVARIATES:
            if (name, kind) not in LOGIT_VALID_ANYWAY:
                yield name, None, kind


LOGIT_CASES = list(_logit_cases())


def _logit_call(name, col, kind, at=3):
    df, cov = LOGIT_DF.copy(), ["x", "z"]
    if col is None:
        cov = LOGIT_COVARIATES[kind]
    elif kind == "one_value":
        df[col] = df[col].iloc[0]
    else:
        df[col] = _bad(kind, df[col].to_numpy(), at)
    return lambda _: LOGIT_FUNCTIONS[name](df, cov)


def test_every_logistic_function_accepts_the_valid_frame():
    for name, fn in LOGIT_FUNCTIONS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            fn(LOGIT_DF, ["x", "z"])


@pytest.mark.parametrize(
    "name, column, kind",
    LOGIT_CASES,
    ids=[f"{n}-{c or 'covariates'}-{k}" for n, c, k in LOGIT_CASES],
)
def test_a_bad_logistic_frame_is_a_value_error(name, column, kind):
    """Before: an outcome of one class, a constant or infinite covariate or the outcome among the covariates overflowed
    (RuntimeWarning) or raised statsmodels' MissingDataError; logit_fit returned NaN coefficients for NaN covariates and
    numpy's 'could not convert' for text; no covariates gave an empty table."""
    _call_expecting_value_error(
        _logit_call(name, column, kind), None, f"{name}({column or 'covariates'} {kind})"
    )

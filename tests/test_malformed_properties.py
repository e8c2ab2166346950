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
import math
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

PROPS = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

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
            add(("variables", i), spec.CategoricalVariable if v.get("kind") == "categorical" else spec.ContinuousVariable, v)
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
        for name, model in (("rules", spec.Rule), ("correlations", spec.Correlation), ("survival", spec.SurvivalSpec),
                            ("binary", spec.BinarySpec), ("reversed_contrasts", spec.Reading)):
            for i, x in enumerate(raw.get(name) or []):
                add((name, i), model, x)
                for j, e in enumerate(x.get("effects") or [] if isinstance(x, dict) else []):
                    add((name, i, "effects", j), spec.EffectSpec if name == "survival" else spec.BinaryEffectSpec, e)
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
    places = [(path, key) for path, model in _targets(raw) for key, f in _fields(model).items()
              if f.is_required() and key in _get(raw, path) and key != "kind"]
    if not places:
        return None
    path, key = data.draw(st.sampled_from(places), label="delete")
    del _get(raw, path)[key]
    return _dump(raw), [key]


def m_unknown_key(data, study, name):
    raw = _raw(study, name)
    path, model = data.draw(st.sampled_from(_targets(raw)), label="where")
    key = data.draw(st.sampled_from(["colour", "vaule", "Printed", "note_", "p_value", "n_patients"]), label="key")
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
    places = [(path, key) for path, model in _targets(raw) for key in _fields(model) if key in _get(raw, path) and key != "kind"]
    path, key = data.draw(st.sampled_from(places), label="field")
    d = _get(raw, path)
    d[key] = _wrong_type(d[key])
    return _dump(raw), [key]


def m_string_for_number(data, study, name):
    raw = _raw(study, name)
    places = [(path, key) for path, model in _targets(raw) for key in _fields(model)
              if isinstance(_get(raw, path).get(key), (int, float)) and not isinstance(_get(raw, path).get(key), bool)]
    if not places:
        return None
    path, key = data.draw(st.sampled_from(places), label="field")
    d = _get(raw, path)
    d[key] = data.draw(st.sampled_from([str(d[key]), f"{d[key]} months", "NA", "", "n/a"]), label="text")
    return _dump(raw), [key]


def m_negative_count(data, study, name):
    raw = _raw(study, name)
    places = []
    if raw.get("type") == "baseline":
        places += [(("groups", i), "n") for i in range(len(raw["groups"]))]
        for i, v in enumerate(raw["variables"]):
            if v["kind"] == "categorical":
                places += [(("variables", i, "cells", g), lv) for g, row in v["cells"].items() for lv in row]
    elif raw.get("type") == "results":
        for i, n in enumerate(raw["numbers"]):
            places += [(("numbers", i, "attrs"), k) for k in ("count", "n") if isinstance(n.get("attrs", {}).get(k), int) and n["attrs"][k] > 0]
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
    return _dump(raw), [str(path[-1]) if path[-1] != "attrs" else key]


def m_swap_limits(data, study, name):
    raw = _raw(study, name)
    if raw.get("type") != "results":
        return None
    places = [i for i, n in enumerate(raw["numbers"]) if isinstance(n.get("lower"), (int, float)) and isinstance(n.get("upper"), (int, float)) and n["lower"] < n["upper"]]
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
    places = [(k, v) for node in _nodes(root) if isinstance(node, yaml.MappingNode) and not node.flow_style
              for k, v in node.value
              if isinstance(k, yaml.ScalarNode) and v.end_mark.line == k.start_mark.line
              and (isinstance(v, yaml.ScalarNode) and v.style in (None, '"', "'") or getattr(v, "flow_style", False))]
    k, v = data.draw(st.sampled_from(places), label="key")
    lines = text.splitlines(keepends=True)
    line = lines[k.start_mark.line]
    copy_line = " " * k.start_mark.column + line[k.start_mark.column:v.end_mark.column] + "\n"
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
    at = data.draw(st.sampled_from([i for i in range(len(lines) + 1) if i not in bad]), label="line")
    broken = data.draw(st.sampled_from(["\tstudy: x\n", "\t- 1\n"]), label="text")
    lines.insert(at, broken)
    return "".join(lines), ["invalid YAML", f"line {at + 1}"]


def m_truncate(data, study, name):
    text = _text(study, name)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    quoted = [n for n in _nodes(root) if isinstance(n, yaml.ScalarNode) and n.style in ('"', "'") and n.end_mark.index - n.start_mark.index > 2]
    raw = _raw(study, name)
    model = spec._FILE_MODELS[raw["type"]]
    required = [(i, k) for i, (k, _) in enumerate(root.value) if i > 0 and _fields(model).get(k.value) is not None and _fields(model)[k.value].is_required()]
    how = data.draw(st.sampled_from([h for h, ok in (("in_quotes", quoted), ("before_required", required)) if ok]), label="how")
    if how == "in_quotes":
        node = data.draw(st.sampled_from(quoted), label="string")
        cut = data.draw(st.integers(node.start_mark.index + 1, node.end_mark.index - 2), label="cut")
        return text[:cut], ["invalid YAML", "line"]
    _, k = data.draw(st.sampled_from(required), label="key")
    return text[:k.start_mark.index - k.start_mark.column], ["required field is missing"]


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
        assert exc.problems and all(loc for loc, _ in exc.problems), f"a problem without a field or line: {msg}"
        for w in words:
            assert w in msg, f"{w!r} not in {msg}"
        return
    raise AssertionError(f"the mutated {p.parent.name}/{p.name} loads; it should not:\n{text[:2000]}")


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
    ("fonc2025", "table3.yaml", "delete_required"), ("fonc2025", "table4.yaml", "negative_count"),
    ("tu2025", "table2.yaml", "swap_limits"), ("deng2025", "simulation.yaml", "unknown_key"),
    ("lv2025", "study.yaml", "change_type"), ("deng2025", "table1.yaml", "string_for_number"),
    ("fonc2025", "simulation.yaml", "duplicate_key"), ("tu2025", "table1.yaml", "break_syntax"),
    ("lv2025", "ccps.yaml", "truncate"), ("fonc2025", "table1.yaml", "negative_count"),
]


@pytest.mark.parametrize("study, name, mutation", EXAMPLES, ids=[f"{s}-{n}-{m}" for s, n, m in EXAMPLES])
@settings(max_examples=5, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_each_mutation_on_a_cohort_file(study, name, mutation, data):
    out = MUTATIONS[mutation](data, study, name)
    assert out is not None, "the file offers no place for this mutation"
    _assert_named_error(SCRATCH / study / name, *out)

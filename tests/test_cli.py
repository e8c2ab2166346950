"""The hccrep command line: outputs and clean errors."""

from __future__ import annotations

import hashlib

from typer.testing import CliRunner

from hccrep.cli import app

cli = CliRunner()


def test_simulate_writes_csv_and_is_deterministic(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for p in (a, b):
        r = cli.invoke(app, ["simulate", "fonc2025", "--seed", "3", "-o", str(p)])
        assert r.exit_code == 0, r.output
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    assert a.read_text().splitlines()[0].startswith("id,arm,")
    assert len(a.read_text().splitlines()) == 72


def test_unknown_study_is_a_clean_error():
    r = cli.invoke(app, ["audit", "nosuchstudy"])
    assert r.exit_code == 2
    assert "error: no study 'nosuchstudy'" in r.output
    assert "Traceback" not in r.output


def test_missing_seed_is_a_usage_error():
    r = cli.invoke(app, ["simulate", "fonc2025"])
    assert r.exit_code != 0 and "--seed" in r.output


def test_audit_and_scorecard_run():
    r = cli.invoke(app, ["audit", "fonc2025"])
    assert r.exit_code == 0 and "p_variants" in r.output
    r = cli.invoke(app, ["scorecard", "fonc2025", "--mc", "5", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "checks: reproduced:" in r.output and "inputs and derived numbers (not judged)" in r.output


def test_help_lists_commands():
    r = cli.invoke(app, ["--help"])
    assert r.exit_code == 0
    for cmd in ("simulate", "scorecard", "audit", "validate"):
        assert cmd in r.output

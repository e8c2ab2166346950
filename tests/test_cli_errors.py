"""Issue 19: the command line never shows a traceback for a user's mistake.

Every command and option is fed a mistake (an unknown study, a malformed file,
a bad folder, a bad option value, an output that cannot be written); each must
end with exit status 2 and ``error:`` (ours) or ``Usage`` (typer's) in the
output, and no exception may escape the command (``CliRunner`` keeps an
escaped exception in ``result.exception`` instead of printing its traceback).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hccrep.cli import app
from hccrep.skeleton import write_skeleton

cli = CliRunner()


def _clean_user_error(r) -> None:
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    assert "error:" in r.output or "Usage" in r.output, r.output
    assert "Traceback" not in r.output, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A data folder with a valid study, a malformed one, one without simulation.yaml, and stray paths."""
    root = tmp_path_factory.mktemp("cli")
    data = root / "data"
    write_skeleton("good", data)
    write_skeleton("broken", data)
    t1 = data / "broken" / "table1.yaml"
    t1.write_text(t1.read_text().replace("n: 50,", "n: fifty,", 1))
    nosim = data / "nosim"  # a review: reported numbers, no cohort to simulate
    nosim.mkdir()
    (nosim / "study.yaml").write_text("key: nosim\ntype: study\ncitation: x\nfiles: [text]\n")
    (nosim / "text.yaml").write_text(
        "study: nosim\nfile_id: text\ntype: results\nsource: {kind: text, label: Results}\n"
        "numbers:\n  - {key: mos, quantity: median, printed: '9.7', value: 9.7, unit: months, role: check, where: {}}\n"
    )
    write_skeleton("badyaml", data)
    (data / "badyaml" / "survival.yaml").write_text("numbers: [a, b\n")
    write_skeleton("unlisted", data)
    (data / "unlisted" / "table9.yaml").write_text("study: unlisted\n")
    (root / "a_file.txt").write_text("not a folder")
    (root / "empty").mkdir()
    (root / "outdir").mkdir()
    return {
        "root": root,
        "data": str(data),
        "file": str(root / "a_file.txt"),
        "empty": str(root / "empty"),
        "outdir": str(root / "outdir"),
        "missing": str(root / "nowhere"),
        "broken_path": str(data / "broken"),
    }


CASES = [
    # (id, argv with {placeholders}, text the message must contain)
    ("studies_data_dir_missing", ["studies", "--data-dir", "{missing}"], "does not exist"),
    ("studies_data_dir_file", ["studies", "--data-dir", "{file}"], "Usage"),
    (
        "validate_unknown_study",
        ["validate", "nosuchstudy", "--data-dir", "{data}"],
        "error: no study 'nosuchstudy'",
    ),
    ("validate_malformed", ["validate", "broken", "--data-dir", "{data}"], "groups.0.n"),
    ("validate_malformed_by_path", ["validate", "{broken_path}"], "broken/table1.yaml"),
    ("validate_bad_yaml", ["validate", "badyaml", "--data-dir", "{data}"], "invalid YAML"),
    (
        "validate_unlisted_file",
        ["validate", "unlisted", "--data-dir", "{data}"],
        "table9.yaml is in the study folder but not listed",
    ),
    ("validate_all_with_one_broken", ["validate", "--data-dir", "{data}"], "error:"),
    ("validate_not_a_study_folder", ["validate", "{empty}"], "is not a study folder"),
    ("validate_relative_missing_folder", ["validate", "./nowhere_at_all"], "is not a study folder"),
    ("validate_empty_data_dir", ["validate", "--data-dir", "{empty}"], "no study folders"),
    (
        "validate_data_dir_missing",
        ["validate", "good", "--data-dir", "{missing}"],
        "does not exist",
    ),
    (
        "simulate_unknown_study",
        ["simulate", "nosuchstudy", "--seed", "1", "--data-dir", "{data}"],
        "error: no study",
    ),
    (
        "simulate_malformed",
        ["simulate", "broken", "--seed", "1", "--data-dir", "{data}"],
        "groups.0.n",
    ),
    (
        "simulate_no_simulation_yaml",
        ["simulate", "nosim", "--seed", "1", "--data-dir", "{data}"],
        "no cohort can be simulated",
    ),
    (
        "simulate_negative_seed",
        ["simulate", "good", "--seed", "-1", "--data-dir", "{data}"],
        "Usage",
    ),
    (
        "simulate_seed_not_a_number",
        ["simulate", "good", "--seed", "one", "--data-dir", "{data}"],
        "Usage",
    ),
    ("simulate_missing_seed", ["simulate", "good", "--data-dir", "{data}"], "Usage"),
    (
        "simulate_output_is_a_folder",
        ["simulate", "good", "--seed", "1", "-o", "{outdir}", "--data-dir", "{data}"],
        "is a folder",
    ),
    (
        "simulate_output_folder_missing",
        ["simulate", "good", "--seed", "1", "-o", "{missing}/x.csv", "--data-dir", "{data}"],
        "does not exist",
    ),
    (
        "simulate_output_under_a_file",
        ["simulate", "good", "--seed", "1", "-o", "{file}/x.csv", "--data-dir", "{data}"],
        "is a file, not a folder",
    ),
    (
        "simulate_data_dir_is_a_file",
        ["simulate", "good", "--seed", "1", "--data-dir", "{file}"],
        "Usage",
    ),
    ("audit_unknown_study", ["audit", "nosuchstudy", "--data-dir", "{data}"], "error: no study"),
    ("audit_malformed", ["audit", "broken", "--data-dir", "{data}"], "groups.0.n"),
    ("audit_bad_folder", ["audit", "{empty}"], "is not a study folder"),
    ("audit_data_dir_missing", ["audit", "good", "--data-dir", "{missing}"], "does not exist"),
    ("audit_unknown_option", ["audit", "good", "--everything"], "Usage"),
    ("scorecard_mc_zero", ["scorecard", "good", "--mc", "0", "--data-dir", "{data}"], "Usage"),
    ("scorecard_mc_text", ["scorecard", "good", "--mc", "many", "--data-dir", "{data}"], "Usage"),
    ("scorecard_jobs_zero", ["scorecard", "good", "--jobs", "0", "--data-dir", "{data}"], "Usage"),
    (
        "scorecard_negative_seed",
        ["scorecard", "good", "--seed", "-1", "--data-dir", "{data}"],
        "Usage",
    ),
    (
        "scorecard_unknown_backend",
        ["scorecard", "good", "--backend", "x", "--data-dir", "{data}"],
        "--backend",
    ),
    (
        "scorecard_scheduler_without_dask",
        [
            "scorecard",
            "good",
            "--backend",
            "joblib",
            "--scheduler",
            "tcp://x:1",
            "--data-dir",
            "{data}",
        ],
        "--scheduler",
    ),
    (
        "scorecard_output_is_a_folder",
        ["scorecard", "good", "-o", "{outdir}", "--data-dir", "{data}"],
        "is a folder",
    ),
    (
        "scorecard_unknown_study",
        ["scorecard", "nosuchstudy", "--mc", "1", "--data-dir", "{data}"],
        "error: no study",
    ),
    (
        "scorecard_malformed",
        ["scorecard", "broken", "--mc", "1", "--data-dir", "{data}"],
        "groups.0.n",
    ),
    (
        "scorecard_no_simulation_yaml",
        ["scorecard", "nosim", "--mc", "1", "--data-dir", "{data}"],
        "no cohort can be simulated",
    ),
    ("new_bad_key", ["new", "Smith 2024", "--data-dir", "{data}"], "must be lower-case letters"),
    ("new_existing_folder", ["new", "good", "--data-dir", "{data}"], "exists already"),
    ("new_data_dir_is_a_file", ["new", "smith2024", "--data-dir", "{file}"], "Usage"),
    (
        "new_book_dir_is_a_file",
        ["new", "smith2024", "--data-dir", "{data}", "--book-dir", "{file}"],
        "Usage",
    ),
    ("new_under_a_file", ["new", "smith2024", "--data-dir", "{file}/sub"], "error:"),
    ("unknown_command", ["replicate", "good"], "Usage"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_users_mistake_is_a_clean_error(folders, case):
    _, argv, expected = case
    r = cli.invoke(app, [a.format(**folders) for a in argv])
    _clean_user_error(r)
    assert expected in r.output, r.output


def test_data_dir_from_the_environment_is_checked(folders):
    r = cli.invoke(app, ["studies"], env={"HCCREP_DATA_DIR": folders["missing"]})
    _clean_user_error(r)
    assert "(from $HCCREP_DATA_DIR) does not exist" in r.output


def test_an_empty_data_dir_lists_no_studies_and_says_so(folders):
    r = cli.invoke(app, ["studies", "--data-dir", folders["empty"]])
    assert r.exit_code == 0 and "no study folders" in r.output


def test_the_valid_study_of_the_fixture_validates(folders):
    r = cli.invoke(app, ["validate", "good", "--data-dir", folders["data"]])
    assert r.exit_code == 0 and "good: " in r.output and "valid" in r.output, r.output


def test_a_value_error_inside_a_command_is_a_message_with_a_hint(folders, monkeypatch):
    import hccrep.cli as cli_mod

    def boom(*a, **k):
        raise ValueError("the site groups hold 30 patients, the arm 29")

    monkeypatch.setattr(cli_mod, "resolve_study", boom)
    r = cli.invoke(app, ["audit", "good", "--data-dir", folders["data"]])
    _clean_user_error(r)
    assert "error: the site groups hold 30 patients" in r.output and "HCCREP_DEBUG=1" in r.output
    # with HCCREP_DEBUG the exception surfaces (and with it its traceback)
    r = cli.invoke(app, ["audit", "good", "--data-dir", folders["data"]], env={"HCCREP_DEBUG": "1"})
    assert isinstance(r.exception, ValueError)


def test_an_unexpected_exception_type_is_not_hidden(folders, monkeypatch):
    import hccrep.cli as cli_mod

    def bug(*a, **k):
        raise RuntimeError("a real bug")

    monkeypatch.setattr(cli_mod, "resolve_study", bug)
    r = cli.invoke(app, ["validate", "good", "--data-dir", folders["data"]])
    assert isinstance(r.exception, RuntimeError) and r.exit_code == 1


def test_a_key_error_shows_its_message_without_quotes(folders, monkeypatch):
    import hccrep.cli as cli_mod

    def missing(*a, **k):
        raise KeyError("good: no reported number with key 'os_median_a'")

    monkeypatch.setattr(cli_mod, "resolve_study", missing)
    r = cli.invoke(app, ["validate", "good", "--data-dir", folders["data"]])
    _clean_user_error(r)
    assert "error: good: no reported number with key 'os_median_a'" in r.output


def test_an_output_that_fails_while_writing_is_a_clean_error(folders, monkeypatch):
    import pandas as pd

    def full(self, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    out = Path(folders["outdir"]) / "cohort.csv"
    r = cli.invoke(
        app, ["simulate", "good", "--seed", "1", "-o", str(out), "--data-dir", folders["data"]]
    )
    _clean_user_error(r)
    assert "No space left on device" in r.output


@pytest.mark.parametrize("value", ["models", "models=slow", "no_such_variant=1", "=fast"], ids=str)
def test_scorecard_variant_option_mistakes_are_usage_errors(value):
    """``--variant KEY=VALUE``: a malformed pair, an unknown key or value is exit status 2."""
    r = cli.invoke(app, ["scorecard", "deng2025", "--mc", "1", "-q", "--variant", value])
    _clean_user_error(r)
    assert "--variant" in r.output

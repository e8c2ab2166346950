"""The ``hccrep`` command line.

::

    hccrep studies                         # list the studies in data/
    hccrep validate [STUDY]                # validate data files
    hccrep simulate fonc2025 --seed 1 -o cohort.csv
    hccrep audit fonc2025
    hccrep scorecard fonc2025 --mc 200 --jobs 2
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from hccrep.spec import DataFileError, list_studies, load_study

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Replicate published HCC analyses on simulated cohorts.")


def _fail(msg: str, code: int = 2) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(code)


def _load(study: str):
    try:
        return load_study(study)
    except KeyError as exc:
        _fail(str(exc.args[0]) if exc.args else str(exc))
    except DataFileError as exc:
        _fail(str(exc))


@app.command()
def studies() -> None:
    """List the studies that have data."""
    for key in list_studies():
        typer.echo(key)


@app.command()
def validate(study: Optional[str] = typer.Argument(None, help="Study key; all studies if omitted.")) -> None:
    """Validate the data files of one or all studies."""
    keys = [study] if study else list_studies()
    for key in keys:
        st = _load(key)
        typer.echo(f"{key}: {len(st.files)} files, {len(st.numbers)} reported numbers - valid")


@app.command()
def simulate(
    study: str = typer.Argument(..., help="Study key, e.g. fonc2025."),
    seed: int = typer.Option(..., "--seed", min=0, help="Seed of the numpy Generator."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="CSV file to write (default: standard output)."),
) -> None:
    """Simulate one cohort and write it as CSV."""
    from hccrep.replication import runner_for

    st = _load(study)
    cohort = runner_for(st).simulate(seed)
    if output is None:
        cohort.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        if not output.parent.exists():
            _fail(f"folder {output.parent} does not exist")
        cohort.to_csv(output, index=False, lineterminator="\n")
        typer.echo(f"wrote {len(cohort)} patients to {output}", err=True)


@app.command()
def audit(
    study: str = typer.Argument(..., help="Study key."),
    all_rows: bool = typer.Option(False, "--all", help="Also list the numbers that passed."),
) -> None:
    """Consistency checks of the reported numbers alone (no simulation)."""
    import pandas as pd

    from hccrep.audit import audit_study, variant_fit_summary

    st = _load(study)
    df = audit_study(st, include_ok=all_rows)
    counts = audit_study(st)["status"].value_counts()
    fits = variant_fit_summary(st)
    with pd.option_context("display.max_colwidth", 120, "display.width", 200, "display.max_rows", 500):
        typer.echo(df.to_string(index=False) if len(df) else "no findings")
        if len(fits):
            # which test variant gives the printed p of the mean ± SD rows, within rounding, per table
            typer.echo("\nmean ± SD p-values by test variant (within rounding of the printed summaries):")
            typer.echo(fits.drop(columns="note").to_string(index=False))
            typer.echo("mann_whitney: " + fits.loc[fits.variant == "mann_whitney", "note"].iloc[0].split(" -- ", 1)[-1])
    typer.echo("\n" + ", ".join(f"{k}: {int(counts.get(k, 0))}" for k in ("ok", "note", "inconsistent")))


@app.command()
def scorecard(
    study: str = typer.Argument(..., help="Study key."),
    mc: int = typer.Option(200, "--mc", min=0, help="Monte Carlo cohorts for the intervals."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, help="The book's seed (default: study.yaml)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Parallel worker processes."),
    backend: Optional[str] = typer.Option(
        None, "--backend", help="serial, joblib or dask (default: serial for 1 job, joblib for more)."),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Address of a running dask scheduler (tcp://host:8786); implies --backend dask."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Also write the scorecard as CSV."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Every check with its replicated value, Monte Carlo interval and verdict."""
    import pandas as pd

    from hccrep.replication import inputs_table, runner_for, scorecard as make_card, summarise

    if backend is not None and backend not in ("serial", "joblib", "dask"):
        raise typer.BadParameter(f"must be serial, joblib or dask, not {backend!r}", param_hint="--backend")
    if scheduler is not None and backend not in (None, "dask"):
        raise typer.BadParameter("--scheduler needs --backend dask", param_hint="--scheduler")
    st = _load(study)
    extra = {}
    if backend is not None or scheduler is not None:
        extra["backend"] = backend or "dask"
    if scheduler is not None:
        extra["scheduler"] = scheduler
    card = make_card(runner_for(st), n_mc=mc, seed=seed, n_jobs=jobs, progress=not quiet, **extra)
    cols = ["key", "printed", "replicated", "mc_low", "mc_high", "verdict"]
    with pd.option_context("display.width", 200, "display.max_rows", 1000, "display.float_format", "{:.4g}".format):
        typer.echo(card[cols].to_string(index=False))
    counts = summarise(card)
    typer.echo("\nchecks: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    typer.echo(f"inputs and derived numbers (not judged): {len(inputs_table(st))}")
    if output is not None:
        card.to_csv(output, index=False)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()

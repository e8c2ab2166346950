"""The ``hccrep`` command line.

::

    hccrep studies                         # list the studies in the data folder
    hccrep validate [STUDY]                # validate data files
    hccrep simulate fonc2025 --seed 1 -o cohort.csv
    hccrep audit fonc2025
    hccrep scorecard fonc2025 --mc 200 --jobs 2
    hccrep new mypaper --data-dir papers   # a data-folder and chapter skeleton

STUDY is a study key (a folder under ``--data-dir``, ``$HCCREP_DATA_DIR`` or
the repository's ``data/``) or the path of a study folder (``./mypaper``).
A mistake of the user (an unknown study, a malformed data file, an output
that cannot be written, a bad option value) is a message on standard error
and exit status 2, never a traceback.  Every command catches, at its
boundary, the errors a user's input can cause (:class:`~hccrep.spec.DataFileError`,
``KeyError``, ``ValueError``, ``OSError``); any other exception is a bug and
keeps its traceback.  Set ``HCCREP_DEBUG=1`` to see the traceback of a caught
``KeyError`` / ``ValueError`` / ``OSError`` too.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from hccrep.spec import DATA_DIR_ENV, DataFileError, default_data_dir, list_studies, resolve_study

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Replicate published HCC analyses on simulated cohorts.",
)

DATA_DIR_OPTION = typer.Option(
    None,
    "--data-dir",
    "-d",
    envvar=DATA_DIR_ENV,
    file_okay=False,
    help=f"Folder of study folders (default: ${DATA_DIR_ENV}, else the repository's data/).",
)


def _fail(msg: str, code: int = 2) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(code)


#: set to 1 to let the errors a command catches at its boundary show their traceback
DEBUG_ENV = "HCCREP_DEBUG"


def _user_errors(command):
    """Turn the errors a user's input can cause into ``error: ...`` and exit status 2.

    A :class:`DataFileError` already names the file, the field and the reason.  A
    ``KeyError``, ``ValueError`` or ``OSError`` raised deeper (a study module
    meeting a number it cannot use, a file that cannot be written) is shown
    with a hint, since it may also be a bug; ``HCCREP_DEBUG=1`` re-raises it.
    Any other exception type is not caught.
    """

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DataFileError as exc:
            _fail(str(exc))
        except (KeyError, ValueError, OSError) as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            msg = (
                str(exc.args[0])
                if isinstance(exc, KeyError) and exc.args
                else str(exc) or type(exc).__name__
            )
            _fail(
                f"{msg}\n(if your data files are valid this may be a bug in hccrep: "
                f"set {DEBUG_ENV}=1 to see where it was raised)"
            )

    return wrapper


def _data_dir(data_dir: Optional[Path]) -> Optional[Path]:
    """``--data-dir`` (or ``$HCCREP_DATA_DIR``) must be an existing folder."""
    if data_dir is not None and not data_dir.is_dir():
        env = os.environ.get(DATA_DIR_ENV)
        src = f" (from ${DATA_DIR_ENV})" if env and Path(env) == data_dir else ""
        _fail(
            f"--data-dir {data_dir}{src} "
            + ("is a file, not a folder" if data_dir.exists() else "does not exist")
        )
    return data_dir


def _load(study: str, data_dir: Optional[Path] = None):
    try:
        return resolve_study(study, data_dir)
    except KeyError as exc:
        _fail(str(exc.args[0]) if exc.args else str(exc))
    except DataFileError as exc:
        _fail(str(exc))


def _writable(output: Optional[Path], option: str = "--output") -> None:
    """Fail before any work when ``output`` cannot be written (a folder, a missing or read-only folder)."""
    if output is None:
        return
    if output.is_dir():
        _fail(f"{option} {output} is a folder; give a file name")
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        _fail(
            f"{option} {output}: {parent} "
            + ("is a file, not a folder" if parent.exists() else "does not exist")
        )
    import os

    if output.exists() and not os.access(output, os.W_OK) or not os.access(parent, os.W_OK):
        _fail(f"{option} {output} cannot be written (permission denied)")


def _variants(pairs: Optional[list[str]]) -> dict[str, str]:
    """``--variant KEY=VALUE`` options as a mapping (a malformed one is a usage error)."""
    out: dict[str, str] = {}
    for p in pairs or []:
        key, sep, value = p.partition("=")
        if not sep or not key or not value:
            raise typer.BadParameter(f"expected KEY=VALUE, got {p!r}", param_hint="--variant")
        out[key.strip()] = value.strip()
    return out


def _runner(st, variants: Optional[dict[str, str]] = None):
    """The study's runner; a study that declares no cohort and has no runner of its own is a user error."""
    from hccrep.replication import DeclaredRunner, runner_for

    try:
        runner = runner_for(st, variants=variants) if variants else runner_for(st)
    except ValueError as exc:
        if not variants:
            raise
        raise typer.BadParameter(str(exc), param_hint="--variant") from None
    sim = st.simulation
    if type(runner) is DeclaredRunner and (sim is None or sim.baseline is None):
        where = st.folder / "simulation.yaml"
        _fail(
            f"{st.key}: no cohort can be simulated: {where} "
            + ("does not exist" if sim is None else "names no baseline table")
            + " (it declares the baseline table and the outcomes to simulate; see `hccrep new`)"
        )
    return runner


@app.command()
@_user_errors
def studies(data_dir: Optional[Path] = DATA_DIR_OPTION) -> None:
    """List the studies that have data.
    \f

    The text after the form feed above is left out of ``--help``.

    Parameters
    ----------
    data_dir : Path, optional
        ``--data-dir`` / ``-d``: the folder of study folders (default:
        ``$HCCREP_DATA_DIR``, else the repository's ``data/``); must exist.

    Returns
    -------
    None
        Prints one study key a line; with none, a message on standard error
        (exit status 0).
    """
    keys = list_studies(_data_dir(data_dir))
    if not keys:
        typer.echo(
            f"no study folders (with a study.yaml) in {data_dir or default_data_dir()}", err=True
        )
    for key in keys:
        typer.echo(key)


@app.command()
@_user_errors
def validate(
    study: Optional[str] = typer.Argument(
        None, help="Study key or folder; all studies if omitted."
    ),
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Validate the data files of one or all studies (every file, field and declared analysis).
    \f

    The text after the form feed above is left out of ``--help``.

    Parameters
    ----------
    study : str, optional
        Argument: a study key or folder; every study of the data folder when omitted.
    data_dir : Path, optional
        ``--data-dir`` / ``-d``: the folder of study folders (default:
        ``$HCCREP_DATA_DIR``, else the repository's ``data/``); must exist.

    Returns
    -------
    None
        Prints a line per valid study (files, reported numbers, declared
        analyses, declared claims). A malformed file, an unknown study or an empty data folder is
        an ``error:`` message and exit status 2.
    """
    _data_dir(data_dir)
    keys = [study] if study else list_studies(data_dir)
    if not keys:
        _fail(f"no study folders (with a study.yaml) in {data_dir or default_data_dir()}")
    for key in keys:
        st = _load(key, data_dir)
        declared = sum(n.analysis is not None for n in st.numbers)
        claims = f", {len(st.claims.claims)} declared claims" if st.claims is not None else ""
        typer.echo(
            f"{st.key}: {len(st.files)} files, {len(st.numbers)} reported numbers, "
            f"{declared} with a declared analysis{claims} - valid"
        )


@app.command()
@_user_errors
def simulate(
    study: str = typer.Argument(..., help="Study key or folder, e.g. fonc2025."),
    seed: int = typer.Option(..., "--seed", min=0, help="Seed of the numpy Generator."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="CSV file to write (default: standard output)."
    ),
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Simulate one cohort and write it as CSV.
    \f

    The text after the form feed above is left out of ``--help``.

    Parameters
    ----------
    study : str
        Argument: a study key or folder, e.g. ``fonc2025``.
    seed : int
        ``--seed`` (required, at least 0): seed of the numpy Generator.
    output : Path, optional
        ``--output`` / ``-o``: the CSV file to write; standard output when
        omitted. Checked to be writable before the simulation.
    data_dir : Path, optional
        ``--data-dir`` / ``-d``: the folder of study folders (default:
        ``$HCCREP_DATA_DIR``, else the repository's ``data/``); must exist.

    Returns
    -------
    None
        Writes one row per patient; with ``--output``, reports the number of
        patients on standard error.
    """
    _writable(output)
    st = _load(study, _data_dir(data_dir))
    cohort = _runner(st).simulate(seed)
    if output is None:
        cohort.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        cohort.to_csv(output, index=False, lineterminator="\n")
        typer.echo(f"wrote {len(cohort)} patients to {output}", err=True)


@app.command()
@_user_errors
def audit(
    study: str = typer.Argument(..., help="Study key or folder."),
    all_rows: bool = typer.Option(False, "--all", help="Also list the numbers that passed."),
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Consistency checks of the reported numbers alone (no simulation).
    \f

    The text after the form feed above is left out of ``--help``.

    Parameters
    ----------
    study : str
        Argument: a study key or folder.
    all_rows : bool, default False
        ``--all``: also list the numbers whose checks passed.
    data_dir : Path, optional
        ``--data-dir`` / ``-d``: the folder of study folders (default:
        ``$HCCREP_DATA_DIR``, else the repository's ``data/``); must exist.

    Returns
    -------
    None
        Prints the findings table (or ``no findings``), per table how many
        printed p-values each test variant reproduces (mean ± SD rows and rows
        of counts, :func:`hccrep.audit.variant_fit_summary`), and the counts of
        ``ok``, ``note`` and ``inconsistent``.
    """
    import pandas as pd

    from hccrep.audit import audit_study, variant_fit_summary

    st = _load(study, _data_dir(data_dir))
    df = audit_study(st, include_ok=all_rows)
    counts = audit_study(st)["status"].value_counts()
    fits = variant_fit_summary(st)
    with pd.option_context(
        "display.max_colwidth", 120, "display.width", 200, "display.max_rows", 500
    ):
        typer.echo(df.to_string(index=False) if len(df) else "no findings")
        if len(fits):
            # which test variant gives the printed p-values, per table: the mean ± SD rows within
            # the rounding of the printed summaries, the rows of counts at the printed counts
            typer.echo(
                "\np-values by test variant, per table (mean ± SD rows: within the rounding of the "
                "printed summaries; rows of counts: at the printed counts):"
            )
            typer.echo(fits.drop(columns="note").to_string(index=False))
            mw = fits.loc[fits.variant == "mann_whitney", "note"]
            if len(mw):
                typer.echo("mann_whitney: " + mw.iloc[0].split(" -- ", 1)[-1])
        else:
            typer.echo(
                "\np-values by test variant: none (no printed p-value compares groups whose "
                "summaries or counts the paper prints)"
            )
    typer.echo(
        "\n" + ", ".join(f"{k}: {int(counts.get(k, 0))}" for k in ("ok", "note", "inconsistent"))
    )


#: Fewest cohorts for which the 2.5 % inverted-CDF quantile is not the smallest value: it is the
#: ceil(0.025 n)-th smallest, which is the first for every n up to 40.
MIN_MC_FOR_INTERVAL = 41


@app.command()
@_user_errors
def scorecard(
    study: str = typer.Argument(..., help="Study key or folder."),
    mc: int = typer.Option(
        200, "--mc", min=1, help="Monte Carlo cohorts for the intervals (at least 1)."
    ),
    seed: Optional[int] = typer.Option(
        None, "--seed", min=0, help="The book's seed (default: study.yaml)."
    ),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Parallel worker processes."),
    backend: Optional[str] = typer.Option(
        None,
        "--backend",
        help="serial, joblib or dask (default: serial for 1 job, joblib for more).",
    ),
    scheduler: Optional[str] = typer.Option(
        None,
        "--scheduler",
        help="Address of a running dask scheduler (tcp://host:8786); implies --backend dask.",
    ),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Also write the scorecard as CSV."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    variant: Optional[list[str]] = typer.Option(
        None,
        "--variant",
        help="A runner variant KEY=VALUE (repeatable), e.g. models=fast for deng2025's models.",
    ),
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Every check with its replicated value, Monte Carlo interval and verdict.
    \f

    The text after the form feed above is left out of ``--help``.

    Parameters
    ----------
    study : str
        Argument: a study key or folder.
    mc : int, default 200
        ``--mc`` (at least 1): Monte Carlo cohorts for the intervals. Below
        :data:`MIN_MC_FOR_INTERVAL` a warning goes to stderr, because the
        interval's lower limit is then the smallest simulated value.
    seed : int, optional
        ``--seed`` (at least 0): the book's seed; the one in ``study.yaml`` when omitted.
    jobs : int, default 1
        ``--jobs`` / ``-j`` (at least 1): parallel worker processes.
    backend : {"serial", "joblib", "dask"}, optional
        ``--backend``: where the cohorts run (default: serial for one job,
        joblib for more).
    scheduler : str, optional
        ``--scheduler``: address of a running dask scheduler; implies
        ``--backend dask``.
    output : Path, optional
        ``--output`` / ``-o``: also write the scorecard as CSV.
    quiet : bool, default False
        ``--quiet`` / ``-q``: no progress bar.
    variant : list of str, optional
        ``--variant KEY=VALUE`` (repeatable): the runner's variants (a study
        runner's own keys, such as deng2025's ``models=fast``, or the what-if
        overrides of every runner); an unknown key or value is a usage error.
    data_dir : Path, optional
        ``--data-dir`` / ``-d``: the folder of study folders (default:
        ``$HCCREP_DATA_DIR``, else the repository's ``data/``); must exist.

    Returns
    -------
    None
        Prints the checks (key, printed, replicated, interval, verdict), the
        count of each verdict (the simulation's and the audit's apart), the
        share of simulated checks reproduced or plausible, and the number of
        inputs and derived numbers.

    Raises
    ------
    typer.BadParameter
        When ``--backend`` is not one of the three, or ``--scheduler`` is given
        with a backend other than dask (a usage error, exit status 2).
    """
    import pandas as pd

    from hccrep.replication import (
        AUDIT_VERDICTS,
        fidelity,
        inputs_table,
        scorecard as make_card,
        summarise,
    )

    if backend is not None and backend not in ("serial", "joblib", "dask"):
        raise typer.BadParameter(
            f"must be serial, joblib or dask, not {backend!r}", param_hint="--backend"
        )
    if scheduler is not None and backend not in (None, "dask"):
        raise typer.BadParameter("--scheduler needs --backend dask", param_hint="--scheduler")
    _writable(output)
    if mc < MIN_MC_FOR_INTERVAL:
        # with 40 or fewer cohorts the interval's lower limit is the smallest simulated value
        # (and with 39 or fewer its upper limit the largest): a range, so verdicts mean less
        typer.echo(
            f"warning: --mc {mc} is below {MIN_MC_FOR_INTERVAL}: each 95 % interval then starts at the "
            "smallest simulated value, so verdicts are rough (the default is 200).",
            err=True,
        )
    variants = _variants(variant)
    st = _load(study, _data_dir(data_dir))
    runner = _runner(st, variants)
    extra = {}
    if backend is not None or scheduler is not None:
        extra["backend"] = backend or "dask"
    if scheduler is not None:
        extra["scheduler"] = scheduler
    card = make_card(runner, n_mc=mc, seed=seed, n_jobs=jobs, progress=not quiet, **extra)
    cols = ["key", "printed", "replicated", "mc_low", "mc_high", "verdict", "judged_by"]
    with pd.option_context(
        "display.width", 200, "display.max_rows", 1000, "display.float_format", "{:.4g}".format
    ):
        typer.echo(card[cols].to_string(index=False))
    counts = summarise(card)
    sim = [v for v in counts.index if v not in AUDIT_VERDICTS and v != "not checkable"]
    typer.echo("\nreplicated by simulation: " + ", ".join(f"{k}: {counts[k]}" for k in sim))
    ok, n, share = fidelity(card)
    typer.echo(
        "fidelity (simulated checks only): "
        + (f"{ok}/{n} = {100 * share:.1f} % reproduced or plausible" if n else "none simulated")
    )
    typer.echo(
        "judged by the audit of the declared claims (internal consistency, not a replication): "
        + ", ".join(f"{k}: {counts[k]}" for k in AUDIT_VERDICTS)
    )
    typer.echo(f"not checkable: {counts['not checkable']}; checks: {int(counts.sum())}")
    typer.echo(f"inputs and derived numbers (not judged): {len(inputs_table(st))}")
    if output is not None:
        card.to_csv(output, index=False)


@app.command()
@_user_errors
def new(
    key: str = typer.Argument(
        ..., help="Key of the new study (lower case letters, digits, _; e.g. smith2024)."
    ),
    data_dir: Optional[Path] = DATA_DIR_OPTION,
    book_dir: Optional[Path] = typer.Option(
        None,
        "--book-dir",
        file_okay=False,
        help="Also write a chapter skeleton into BOOK_DIR/KEY (e.g. book).",
    ),
) -> None:
    """Write a data-folder skeleton (a small valid example to edit) and, optionally, a chapter skeleton.
    \f

    The text after the form feed above is left out of ``--help``.

    Parameters
    ----------
    key : str
        Argument: key of the new study (lower case letters, digits and ``_``).
    data_dir : Path, optional
        ``--data-dir`` / ``-d``: the folder of study folders (default:
        ``$HCCREP_DATA_DIR``, else the repository's ``data/``); the study folder is written
        under it.
    book_dir : Path, optional
        ``--book-dir``: also write a chapter skeleton into ``BOOK_DIR/KEY``.

    Returns
    -------
    None
        Prints each file written and the next commands to run. A bad key, an
        existing study folder or a folder that cannot be written is an
        ``error:`` message and exit status 2.
    """
    from hccrep.skeleton import write_skeleton

    try:
        written = write_skeleton(key, Path(data_dir) if data_dir else default_data_dir(), book_dir)
    except (ValueError, FileExistsError, OSError) as exc:
        _fail(str(exc))
    for p in written:
        typer.echo(f"wrote {p}")
    typer.echo(
        f"next: edit the files, then `hccrep validate {key}` and `hccrep scorecard {key}`"
        + (f" --data-dir {data_dir}" if data_dir else "")
    )


def main() -> None:  # pragma: no cover - console entry point
    """Run the ``hccrep`` command line (the console script's entry point).

    Parameters
    ----------
    None
        The arguments are read from ``sys.argv`` by typer.

    Returns
    -------
    None
        Typer exits the process with the command's status.
    """
    app()


if __name__ == "__main__":  # pragma: no cover
    app()

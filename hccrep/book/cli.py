"""The book's command line: ``python -m hccrep.book {config,colab-notebooks,convert-exercises,execute}``.

- ``config`` prints a variant of ``_config.yml`` (:func:`hccrep.book.config.derived_config`);
- ``colab-notebooks`` writes the Colab ``.ipynb`` beside each MyST page
  (:func:`hccrep.book.colab.colab_notebook`);
- ``convert-exercises`` converts admonition exercises in place
  (:func:`hccrep.book.exercises.convert_exercises`);
- ``execute`` runs the book's notebooks in parallel into the execution cache the build reads
  (:func:`hccrep.bookexec.execute_book`); ``make book`` calls it before ``jupyter-book build``.

This is the build's own tool; the reader's command line is ``hccrep`` (:mod:`hccrep.cli`).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

from hccrep.book.colab import colab_notebook
from hccrep.book.config import derived_config
from hccrep.book.exercises import convert_exercises, exercise_label_prefix

__all__ = ["main"]

_DESCRIPTION = "Helpers for building the book: configurations, notebook conversions, execution."


def main(argv: Sequence[str] | None = None) -> int:
    """Run the book's command line (``python -m hccrep.book``).

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; by default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success; for ``execute``, 1 when a notebook failed; 2 when
        ``convert-exercises`` is given a path that is not a file. Bad arguments exit with
        status 2 through :mod:`argparse`.

    Examples
    --------
    >>> main(["config", "no-such-config.yml"])  # doctest: +SKIP
    """
    import argparse
    import sys

    import nbformat

    parser = argparse.ArgumentParser(prog="python -m hccrep.book", description=_DESCRIPTION)
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("config", help="write a variant of _config.yml to stdout")
    c.add_argument("config", type=Path)
    c.add_argument("--hide-solutions", action="store_true")
    c.add_argument("--branch")
    n = sub.add_parser(
        "colab-notebooks", help="write .ipynb with the Colab cell next to each MyST notebook"
    )
    n.add_argument("--repo-url", required=True)
    n.add_argument("paths", nargs="+", type=Path)
    e = sub.add_parser("convert-exercises", help="convert admonition exercises in place")
    e.add_argument("paths", nargs="*", type=Path, help="default: every book/**/*.md")
    x = sub.add_parser(
        "execute",
        help="run the book's notebooks in parallel into MyST-NB's execution cache",
        description="Execute every notebook page of _toc.yml in a pool of worker processes, longest first, "
        "and store each in the jupyter-cache that `jupyter-book build` (execute_notebooks: cache) "
        "reads, so that the build executes nothing (hccrep.bookexec).",
    )
    x.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="notebooks run at the same time (default: number of cores)",
    )
    x.add_argument(
        "--cache-path",
        type=Path,
        default=None,
        help="jupyter-cache folder (default: execute.cache of _config.yml, else <root>/_build/.jupyter_cache)",
    )
    x.add_argument(
        "--timeout",
        type=int,
        default=None,
        help="seconds per cell (default: execute.timeout of _config.yml)",
    )
    x.add_argument(
        "--only",
        nargs="+",
        default=(),
        metavar="GLOB",
        help="only the pages whose docname or path matches one of these patterns",
    )
    x.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="replace a default of each notebook's parameters cell (as papermill -p; a Python "
        "literal, else a string); needs --cache-path: for test builds, never the book's cache",
    )
    x.add_argument(
        "--results-json",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write each notebook's outcome (ok, seconds, error, parameters) to PATH as JSON",
    )
    x.add_argument(
        "--root", type=Path, default=Path("."), help="the book's source folder (default: .)"
    )
    x.add_argument(
        "--config", type=Path, default=None, help="_config.yml to use (default: <root>/_config.yml)"
    )
    args = parser.parse_args(argv)
    if args.cmd == "execute":
        return _execute_cli(x, args)
    if args.cmd == "config":
        sys.stdout.write(
            derived_config(
                args.config.read_text(encoding="utf-8"),
                hide_solutions=True if args.hide_solutions else None,
                branch=args.branch,
            )
        )
    elif args.cmd == "colab-notebooks":
        for p in args.paths:
            nb = colab_notebook(p, args.repo_url)
            nbformat.write(nb, p.with_suffix(".ipynb"))
            print(f"wrote {p.with_suffix('.ipynb')}")
    else:
        paths = args.paths or sorted((Path(__file__).resolve().parents[2] / "book").rglob("*.md"))
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            print(f"no such file: {', '.join(missing)}", file=sys.stderr)
            return 2
        for p in paths:
            text = p.read_text(encoding="utf-8")
            new, count = convert_exercises(text, exercise_label_prefix(p))
            if new != text:
                p.write_text(new, encoding="utf-8")
            print(f"{p}: {count} exercise/solution blocks converted")
    return 0


def _execute_cli(parser, args) -> int:  # parser: the ``execute`` subparser, for its usage line
    """``python -m hccrep.book execute``: exit 0 when every notebook ran, 1 when one failed, 2 on bad arguments."""
    from hccrep import bookexec

    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    if args.timeout is not None and args.timeout < 1:
        parser.error(f"--timeout must be at least 1 second, got {args.timeout}")
    for name in ("_toc.yml",) + (() if args.config else ("_config.yml",)):
        if not (args.root / name).is_file():
            parser.error(f"--root {args.root}: no {name} there")
    if args.config is not None and not args.config.is_file():
        parser.error(f"--config {args.config}: no such file")
    parameters = {}
    for item in args.param:
        name, sep, raw = item.partition("=")
        if not sep or not name.isidentifier():
            parser.error(f"--param {item!r}: expected NAME=VALUE with NAME a Python identifier")
        try:
            parameters[name] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            parameters[name] = raw
    if parameters and args.cache_path is None:
        parser.error(
            "--param needs --cache-path: the book's own cache must only hold runs with the defaults"
        )
    try:
        results = bookexec.execute_book(
            args.root,
            jobs=args.jobs,
            cache_path=args.cache_path,
            timeout=args.timeout,
            only=args.only,
            config=args.config,
            parameters=parameters or None,
        )
    except ValueError as exc:  # a pattern of --only that matches nothing
        parser.error(str(exc))
    if args.results_json is not None:
        import dataclasses
        import json

        args.results_json.parent.mkdir(parents=True, exist_ok=True)
        args.results_json.write_text(
            json.dumps([dataclasses.asdict(r) for r in results], indent=1, default=str) + "\n",
            encoding="utf-8",
        )
    return bookexec.report_failures(results)

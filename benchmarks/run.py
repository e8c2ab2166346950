"""hccrep performance figures, printed one per line with the machine's core count.

Run from the repository root::

    .venv/bin/python benchmarks/run.py                      # the quick figures (a few minutes)
    .venv/bin/python benchmarks/run.py --n-mc 200            # a smaller Monte Carlo
    .venv/bin/python benchmarks/run.py --memory 10000        # + peak memory of a 10 000-cohort Monte Carlo
    .venv/bin/python benchmarks/run.py --book-cold --book-rebuild   # + the book builds (minutes)

Figures (goal in brackets):

* ``simulate <study>`` -- one cohort of every study in ``data/``
  (:func:`hccrep.spec.list_studies`), median of ``--repeat`` runs; and the
  time of one full ``runner.run`` (simulate + every check) [simulate <= 100 ms];
* ``mc fonc2025 survival`` -- ``--n-mc`` Monte Carlo cohorts of fonc2025 with its
  survival checks (KM medians and landmarks, log-rank, Cox of Table 5,
  subgroup Cox, RT-target KM) on ``--jobs`` workers [1000 in <= 30 s on 2 cores];
  ``--full`` adds the same for the full runner (every check);
* ``cpu per cohort, deng2025 model collection`` (``--models-n``) -- the five
  survival models of deng2025 fitted on one cohort's training set and every
  declared number about them computed (CPU time of analyse with the models on,
  minus the same cohort without them), split into fitting and the numbers
  [half the time before the model kinds were declared: 540 ms cpu at d2ceba0,
  of which 215 ms fitting; the fitting is scikit-survival's, the numbers hccrep's];
* ``speed-up`` -- the same Monte Carlo work on 2 workers against 1, the worker
  pool started before the clock [>= 1.8x];
* ``overhead`` -- hccrep's lifelines-based wrappers (:mod:`hccrep.stats.survival`)
  against lifelines called directly on the same data (called in turn, fastest of
  ``3 * --repeat`` runs each), and the numpy engine (:mod:`hccrep.stats.fastsurv`)
  beside them [wrapper / lifelines <= 1.2];
* ``memory`` (``--memory N``) -- peak traced memory and peak RSS of a Monte
  Carlo of N cohorts with a cheap runner that returns as many checks as the
  fonc2025 runner, and the bytes kept per cohort;
* ``book cold`` / ``book rebuild`` (``--book-cold``, ``--book-rebuild``) -- a
  cold build of a copy of the repository as ``make book`` runs it: every notebook
  executed on ``--book-jobs`` workers into an empty execution cache, then
  ``jupyter-book build``; both parts and their sum are printed [sum <= 5 min]; and
  a rebuild after one text edit with the execution cache on [<= 30 s].

Nothing here is a test: the figures depend on the machine and its load (the
load average is printed first, and a fixed pure-Python loop is timed at the start and the
end as a yardstick of the machine's speed during the run).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORES = os.cpu_count() or 1


def line(name: str, value: str, goal: str = "", cores: int = CORES) -> None:
    """Print one figure: name, value, goal, core count."""
    print(
        f"{name:<46} {value:>18}   cores={cores}" + (f"   goal: {goal}" if goal else ""), flush=True
    )


def paired(fa, fb, repeat: int) -> tuple[float, float]:
    """Fastest wall time of ``fa`` and of ``fb`` over ``repeat`` rounds, the two called in turn.

    Taking turns exposes both to the same drift of the machine's speed, and the
    fastest run is the one least disturbed by other load (as ``timeit`` advises).
    """
    ta, tb = [], []
    for _ in range(repeat):
        for f, out in ((fa, ta), (fb, tb)):
            t0 = time.perf_counter()
            f()
            out.append(time.perf_counter() - t0)
    return min(ta), min(tb)


def timed(fn, repeat: int = 1) -> float:
    """Median wall time of ``repeat`` calls of ``fn`` (seconds)."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


# ---------------------------------------------------------------------------- figures


def bench_simulate(repeat: int) -> None:
    from hccrep.replication import runner_for
    from hccrep.spec import list_studies

    for key in list_studies():
        runner = runner_for(key)
        n = len(runner.simulate(1))
        sim = timed(lambda: runner.simulate(2), repeat)
        line(f"simulate {key} ({n} patients)", f"{1e3 * sim:.1f} ms", "<= 100 ms")
        run = timed(lambda: runner.run(3), max(1, repeat // 2))
        line(f"run {key} (simulate + all checks)", f"{1e3 * run:.1f} ms")


def bench_models(n: int) -> None:
    """deng2025's model collection, per cohort: the five survival models fitted and every model
    number (Table 3, the text's Brier scores, the claims) computed; CPU time of this process."""
    from hccrep.replication import runner_for

    models, base = runner_for("deng2025", variants={"models": "fast"}), runner_for("deng2025")
    cohorts = [models.simulate(s) for s in range(100, 100 + n)]
    models.run(1)  # imports and first-call costs out of the clock
    total, fit = [], []
    for c in cohorts:
        c0 = time.process_time()
        models.analyse(c)
        c1 = time.process_time()
        base.analyse(c)
        c2 = time.process_time()
        view = models.view(c.reset_index(drop=True))
        c3 = time.process_time()
        view.models("deng2025")
        c4 = time.process_time()
        total.append((c1 - c0) - (c2 - c1))
        fit.append(c4 - c3)
    med, med_fit = statistics.median(total), statistics.median(fit)
    line(
        f"cpu per cohort, deng2025 model collection ({n} cohorts)",
        f"{1e3 * med:.0f} ms",
        "half of d2ceba0's (540 ms cpu on the 2-core machine)",
    )
    line("  of which fitting the five models", f"{1e3 * med_fit:.0f} ms")
    line("  of which the model numbers (metrics, claims)", f"{1e3 * (med - med_fit):.0f} ms")


def survival_runner(**kwargs):
    """fonc2025 restricted to its survival checks: KM, log-rank, Cox (Table 5, subgroups), RT target."""
    from hccrep.spec import load_study
    from hccrep.replication import runner_for

    return runner_for(
        load_study("fonc2025"),
        only=("survival_text", "figure4", "table5", "subgroups", "rt_site"),
        **kwargs,
    )


def bench_monte_carlo(n_mc: int, jobs: int, full: bool) -> None:
    from hccrep.replication import monte_carlo, runner_for

    runners = [("survival", survival_runner())]
    if full:
        runners.append(("full", runner_for("fonc2025")))
    from hccrep.replication import seeds_for

    for name, runner in runners:
        # CPU time per cohort in this process: much less sensitive to other load than wall time
        k = min(n_mc, 30)
        runner.run(seeds_for(5, 1)[0])
        c0 = time.process_time()
        for s in seeds_for(7, k):
            runner.run(s)
        cpu = (time.process_time() - c0) / k
        line(f"cpu per cohort, fonc2025 {name} (serial)", f"{1e3 * cpu:.0f} ms")
        line(
            "  -> 1000 cohorts on 2 idle cores (cpu x 500)",
            f"{cpu * 500:.0f} s",
            "<= 30 s" if name == "survival" else "",
        )
        t = timed(
            lambda: monte_carlo(
                runner, n_mc, base_seed=11, n_jobs=jobs, progress=False, cache_dir=""
            )
        )
        line(
            f"mc fonc2025 {name}: {n_mc} cohorts, {jobs} worker(s)",
            f"{t:.1f} s",
            "1000 cohorts <= 30 s on 2 cores" if name == "survival" else "",
            cores=CORES,
        )
        if n_mc != 1000:
            line("  -> scaled to 1000 cohorts", f"{t * 1000 / n_mc:.1f} s")


def bench_speedup(n: int) -> None:
    """2 workers vs 1 on the same cohorts; the joblib pool is warmed first so start-up is not timed."""
    from joblib import Parallel, delayed

    from hccrep.replication import seeds_for

    try:
        from hccrep.replication import _batches, _run_batch
    except ImportError:  # an older hccrep (for "before" figures): one cohort per task
        from hccrep.replication import _run_one as _one

        def _batches(seeds, size):
            return [seeds[i : i + size] for i in range(0, len(seeds), size)]

        def _run_batch(runner, seeds):
            return [_one(runner, s) for s in seeds]

    runner = survival_runner()
    seeds = seeds_for(21, n)
    Parallel(n_jobs=2)(
        delayed(_run_batch)(runner, b) for b in _batches(seeds_for(1, 4), 1)
    )  # warm the pool
    one = timed(lambda: [_run_batch(runner, b) for b in _batches(seeds, 10)])
    two = timed(
        lambda: Parallel(n_jobs=2)(delayed(_run_batch)(runner, b) for b in _batches(seeds, 10))
    )
    line(f"speed-up 2 vs 1 workers ({n} cohorts)", f"{one / two:.2f}x", ">= 1.8x")
    line("  1 worker / 2 workers", f"{one:.1f} s / {two:.1f} s")


def bench_overhead(repeat: int) -> None:
    """hccrep wrappers vs lifelines on the same arrays (one simulated fonc2025 cohort)."""
    import warnings

    import pandas as pd
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    from hccrep.replication import runner_for
    from hccrep.stats import survival

    try:
        from hccrep.stats import fastsurv
    except ImportError:  # an older hccrep (for "before" figures)
        fastsurv = None

    r = runner_for("fonc2025")
    c = r.simulate(5)
    arm = c[r.group_column].astype(str).to_numpy()
    t, e = c["pfs_time"].to_numpy(float), c["pfs_event"].to_numpy(int)
    a = arm == arm[0]
    x = (arm == arm[0]).astype(float)
    d = pd.DataFrame({"x": x, "__T": t, "__E": e})

    def ll_km():
        k = KaplanMeierFitter().fit(t[a], e[a])
        return k.median_survival_time_, k.confidence_interval_

    def ll_cox():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            CoxPHFitter().fit(
                d,
                duration_col="__T",
                event_col="__E",
                fit_options={"precision": 1e-15, "r_precision": 0.0, "max_steps": 200},
            )

    cases = [
        (
            "KM median + CI",
            ll_km,
            lambda: survival.km_median(t[a], e[a]),
            fastsurv and (lambda: fastsurv.km_median(t[a], e[a])),
        ),
        (
            "log-rank",
            lambda: multivariate_logrank_test(t, arm, e),
            lambda: survival.logrank(t, e, arm),
            fastsurv and (lambda: fastsurv.logrank(t, e, arm)),
        ),
        (
            "Cox (1 covariate, Efron)",
            ll_cox,
            lambda: survival.cox(d.rename(columns={"__T": "t", "__E": "e"}), "t", "e", ["x"]),
            None,
        ),
    ]
    for name, ll, wrap, fast in cases:
        for f in (ll, wrap) + ((fast,) if fast else ()):
            f()  # warm caches and imports
        t_ll, t_wrap = paired(ll, wrap, 3 * repeat)  # in turn, fastest of each
        line(f"overhead {name}: hccrep / lifelines", f"{t_wrap / t_ll:.2f}x", "<= 1.2x")
        extra = f"{1e3 * t_ll:.2f} / {1e3 * t_wrap:.2f} ms"
        if fast:
            extra += f"; numpy {1e3 * timed(fast, repeat):.3f} ms"
        line("  lifelines / hccrep", extra)


class _CheapRunner:
    """A runner with the fonc2025 runner's check keys and a trivial analysis (for the memory figure)."""

    def __init__(self):
        from hccrep.replication import runner_for

        full = runner_for("fonc2025")
        self.study = full.study
        self.keys = sorted(full.run(1))
        self.variants, self.not_checkable = {}, {}

    def run(self, seed):
        rng = np.random.default_rng(seed)
        return dict(zip(self.keys, rng.random(len(self.keys)).tolist()))


def bench_memory(n: int) -> None:
    import resource
    import tracemalloc

    from hccrep.replication import Runner, monte_carlo

    cheap = _CheapRunner()
    runner = Runner(cheap.study)
    runner.run = cheap.run  # type: ignore[method-assign]
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t0 = time.perf_counter()
    mc = monte_carlo(runner, n, base_seed=1, progress=False, cache_dir="")
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    kept = mc.memory_usage(deep=True).sum()
    line(
        f"memory: {n} cohorts x {mc.shape[1]} checks",
        f"{peak / 2**20:.0f} MiB peak",
        "summary statistics only",
    )
    line("  result frame / per cohort", f"{kept / 2**20:.1f} MiB / {kept / n / 1024:.2f} KiB")
    line(
        "  peak RSS of the process (before -> after)",
        f"{base_rss / 1024:.0f} -> {rss / 1024:.0f} MiB",
    )
    line("  time", f"{dt:.1f} s")


def _book_copy(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for f in filter(None, files):
        src = ROOT / f.decode()
        if src.is_file():
            (dest / f.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f.decode())
    for folder in ("book", "data", "hccrep"):  # files not yet committed count too
        shutil.copytree(
            ROOT / folder,
            dest / folder,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    for name in ("_toc.yml", "_config.yml"):
        shutil.copy2(ROOT / name, dest / name)


def _build(where: Path, env: dict, *flags: str) -> float:
    jb = Path(sys.executable).parent / "jupyter-book"
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(jb), "build", ".", "--keep-going", *flags],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
    )
    dt = time.perf_counter() - t0
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"jupyter-book build failed in {where}")
    executed = (done.stdout + done.stderr).count("Executing notebook")
    print(
        f"# jupyter-book build: {executed} notebook(s) executed by the build itself"
        f"{' (the pre-execution had not cached them)' if executed else ''}",
        flush=True,
    )
    return dt


def _pre_execute(where: Path, env: dict, jobs: int) -> float:
    """``make book``'s first step: a fresh execution cache, every notebook on ``jobs`` workers."""
    shutil.rmtree(where / "_build" / ".jupyter_cache", ignore_errors=True)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "hccrep.book", "execute", "--jobs", str(jobs)],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
    )
    dt = time.perf_counter() - t0
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"python -m hccrep.book execute failed in {where}")
    summary = [ln for ln in done.stdout.splitlines() if ln.startswith("executed ")]
    if summary:
        print(f"# {summary[-1]}", flush=True)
    return dt


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench_book(cold: bool, rebuild: bool, keep: bool, jobs: int = CORES) -> None:
    """Builds in a temporary copy, never in the repository's own ``_build``.

    The cold figure times what ``make book`` runs: an empty execution cache, the parallel
    pre-execution (``python -m hccrep.book execute --jobs N``) and ``jupyter-book build -W
    --keep-going --all`` (which then takes every notebook from the cache).
    """
    where = Path(tempfile.mkdtemp(prefix="hccrep-bench-book-"))
    try:
        _book_copy(where)
        env = {
            **os.environ,
            "HCCREP_CACHE_DIR": str(where / "_build" / ".hccrep_cache"),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            # the kernels import the copy's hccrep, not the one the virtual environment was
            # installed from (an editable install points at one checkout only)
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(where), os.environ.get("PYTHONPATH", "")])
            ),
        }
        env.pop("MPLBACKEND", None)
        if cold:
            print(f"# book cold build: load average before {_load()}", flush=True)
            pre = _pre_execute(where, env, jobs)
            line(f"  pre-execution ({jobs} worker(s))", f"{pre:.0f} s", cores=CORES)
            sphinx = _build(where, env, "-W", "--all")
            line("  jupyter-book build (from the cache)", f"{sphinx:.0f} s")
            line(
                "book cold build (make book: pre-execution + build)",
                f"{pre + sphinx:.0f} s",
                "<= 300 s",
            )
            print(f"# load average after {_load()}", flush=True)
        if rebuild:
            cfg = where / "_config.yml"
            cfg.write_text(
                cfg.read_text().replace("execute_notebooks: force", "execute_notebooks: cache")
            )
            if not cold:  # fill the cache the way make book does
                line(
                    f"  pre-execution ({jobs} worker(s))", f"{_pre_execute(where, env, jobs):.0f} s"
                )
            first = _build(where, env)
            page = where / "book" / "fonc2025" / "01_baseline.md"
            text = page.read_text()
            marker = "## Summary"
            if marker not in text:
                raise SystemExit(f"{page}: no '{marker}' heading to edit after")
            page.write_text(
                text.replace(marker, marker + "\n\nOne sentence added by the benchmark.\n", 1)
            )
            line("book build with the execution cache (first)", f"{first:.0f} s")
            line(
                "book rebuild after one text edit (cache on)",
                f"{_build(where, env):.0f} s",
                "<= 30 s",
            )
    finally:
        if keep:
            print(f"book copy kept in {where}")
        else:
            shutil.rmtree(where, ignore_errors=True)


def reference_loop() -> float:
    """CPU seconds of a fixed pure-Python loop (10 million additions): the machine's speed now.

    A shared machine's speed drifts from minute to minute; dividing a figure by
    this one (taken in the same run) makes runs on different days comparable.
    """
    t0 = time.process_time()
    s = 0
    for i in range(10_000_000):
        s += i
    return time.process_time() - t0


def reference_pair() -> float:
    """Wall seconds for two :func:`reference_loop` runs in two processes at once.

    About the single loop's time when two cores are really free; more when
    the machine's second core is shared with other work, which slows every
    two-worker figure (Monte Carlo, speed-up, book build) by as much.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(_noop, range(2))  # start-up outside the clock
        t0 = time.perf_counter()
        pool.map(_loop_in_worker, range(2))
        return time.perf_counter() - t0


def _noop(_):
    return None


def _loop_in_worker(_):
    return reference_loop()


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--n-mc", type=int, default=1000, help="Monte Carlo cohorts of fonc2025 (default 1000)"
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=min(2, CORES),
        help="workers for the Monte Carlo figure (default 2)",
    )
    p.add_argument(
        "--full", action="store_true", help="also time the full fonc2025 runner (every check)"
    )
    p.add_argument(
        "--speedup-n",
        type=int,
        default=300,
        help="cohorts for the 2-vs-1 speed-up (default 300: long enough to average out drift)",
    )
    p.add_argument(
        "--repeat", type=int, default=7, help="repeats of the per-call timings (default 7)"
    )
    p.add_argument(
        "--memory",
        type=int,
        default=0,
        metavar="N",
        help="peak memory of an N-cohort Monte Carlo (e.g. 10000)",
    )
    p.add_argument(
        "--book-cold", action="store_true", help="time a cold jupyter-book build (minutes)"
    )
    p.add_argument(
        "--book-rebuild",
        action="store_true",
        help="time a rebuild after a text edit, cache on (minutes)",
    )
    p.add_argument("--keep-book", action="store_true", help="keep the temporary book copy")
    p.add_argument(
        "--models-n",
        type=int,
        default=5,
        help="cohorts for the deng2025 model-collection figure (default 5)",
    )
    p.add_argument(
        "--book-jobs", type=int, default=CORES, help="notebooks executed at once (default: cores)"
    )
    p.add_argument(
        "--only",
        nargs="*",
        choices=["simulate", "mc", "speedup", "overhead", "memory", "book", "models"],
        help="run only these figures",
    )
    a = p.parse_args(argv)
    for name in ("n_mc", "jobs", "speedup_n", "repeat", "book_jobs", "models_n"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if a.memory < 0:
        p.error("--memory must be non-negative")
    only = set(a.only or ["simulate", "mc", "speedup", "overhead", "memory", "book", "models"])
    import platform

    print(
        f"# hccrep benchmarks on {platform.node()}: {CORES} cores, python {platform.python_version()}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}"
    )
    line("reference: pure-Python loop, 1e7 additions (start)", f"{reference_loop():.2f} s")
    if CORES >= 2:
        line(
            "reference: the same loop in 2 processes at once",
            f"{reference_pair():.2f} s",
            "about the single loop when 2 cores are free",
        )
    if "simulate" in only:
        bench_simulate(a.repeat)
    if "overhead" in only:
        bench_overhead(a.repeat)
    if "mc" in only:
        bench_monte_carlo(a.n_mc, a.jobs, a.full)
    if "models" in only:
        bench_models(a.models_n)
    if "speedup" in only and CORES >= 2:
        bench_speedup(a.speedup_n)
    if "memory" in only and a.memory:
        bench_memory(a.memory)
    if "book" in only and (a.book_cold or a.book_rebuild):
        bench_book(a.book_cold, a.book_rebuild, a.keep_book, a.book_jobs)
    line("reference: pure-Python loop, 1e7 additions (end)", f"{reference_loop():.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
